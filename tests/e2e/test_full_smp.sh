#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# coverage=full on several CPUs that weakbit starts itself after
# ExitBootServices (own trampoline, INIT-SIPI-SIPI), through the warm reset.
#  1. -smp 4, 256 MiB: a stuck bit in each CPU's chunk and one in boot-services data
#     (firmware-owned in firmware mode). All five are found, each attributed
#     to the CPU whose chunk holds it; every CPU tested a non-empty share and
#     the shares add up to the bytes tested; the report says 4 CPUs were
#     started by weakbit.
#  2. -smp 2 with debug_silent_cpu=1: the AP starts but never checks in; the
#     run finishes on the boot CPU, which tests everything, and the serial
#     log and the report name the AP left out.
#  3. -smp 4 with debug_hang_cpu=2: an AP stops mid-test; it is fenced, and
#     when it has not stopped by itself within the grace, stopped with INIT;
#     its chunk is re-tested by the boot CPU, and no byte goes untested.
# The faults are stuck bits (or none): no retention dwell (hold_ms=0).
. "$(dirname "$0")/lib.sh"
plan 35

# CPU whose "  cpu N chunk A-B" line in serial text $1 holds address $2.
chunk_cpu() {
    gawk -v a="$2" '/^  cpu [0-9]+ chunk 0x/ { split($4, r, "-"); if (a >= strtonum(r[1]) && a < strtonum(r[2])) print $2 }' <<<"$1"
}
report_bytes() { sed -n 's/^  total RAM .*(\([0-9]*\) bytes).*/\1/p' "$1"; }

cfg='tests=5
quick=1
passes=1
hold_ms=0
coverage=full
on_finish=shutdown'
faults=()
for c in 0 1 2 3; do
    faults+=(--fault "stuck,addr=@cpu$c+0x$((c + 1))00008,bit=$((10 + c)),value=1")
done
faults+=(--fault "stuck,addr=@bsd+0x800,bit=40,value=1")
# The stuck bits must be gone well before the warm reset: right after it the
# next boot's firmware decompresses itself into 0x900000 and up, where two of
# them sit (stopped only at "done", the reset sometimes beat the injector's
# exit and OVMF took a #GP in DXE). Every cell is hit in the first sweep, so
# they end once the test is half done.
if ! qemu_run smp4 "$cfg" --smp 4 --mem 256M --through-reset --vars "$tmp/vars4.fd" --timeout 420 \
    --faults-until '^pass 1 test 5 +[5-9][0-9]%|^pass 1 test 5: done' "${faults[@]}" >"$tmp/smp4.log" 2>&1; then
    notok "-smp 4 full run finishes through the reset (qemu-run: $(tail -n1 "$tmp/smp4.log"))"
    finish
fi
ok "-smp 4 full run finishes through the reset"
w=$tmp/smp4/weakbit
s=$(serial_text "$tmp/smp4/serial.log")
check "serial: 4 CPUs started by weakbit after the exit" \
    grep -q '^cpus: 4 started by weakbit (boot CPU + 3 APs) of 4 the MADT lists$' <<<"$s"
check "serial: MP services were asked before the exit and agree" \
    grep -q '^full coverage: MP services count 4 processors (4 enabled), the MADT 4 enabled$' <<<"$s"
check "report: 4 used of 4, started by weakbit" \
    grep -q '^cpus:      4 used of 4 - 4 started by weakbit after ExitBootServices' "$w/report.txt"
bytes=$(report_bytes "$w/report.txt")
sum=0 zero=0
for c in 0 1 2 3; do
    b=$(sed -n "s/^  cpu $c: bytes \\([0-9]*\\) time .*/\\1/p" "$w/report.txt")
    [ -n "$b" ] && [ "$b" -gt 0 ] || zero=1
    sum=$((sum + ${b:-0}))
done
check "report: every CPU tested a non-empty share" test "$zero" = 0
check "report: the shares add up to the bytes tested ($sum = ${bytes:-?})" test "$sum" = "${bytes:-x}"
check "report: APs marked as started by weakbit" test "$(grep -c '^  cpu [123]: .*started by weakbit)$' "$w/report.txt")" = 3
n=0
while read -r spec; do
    a=$(( $(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' <<<"$spec") ))
    bit=$(sed 's/.*bit=\([0-9]*\).*/\1/' <<<"$spec")
    want=$(chunk_cpu "$s" "$a")
    rows=$(tail -n +2 "$w/errors.csv" | gawk -F, -v a="$a" 'strtonum($5) == a { print $4 " " $6 }' | sort -u)
    what=$([ $n -lt 4 ] && echo "cell in cpu $n's chunk" || echo "cell in boot-services data")
    check "$what ($(printf 0x%x "$a") bit $bit) found, attributed to cpu ${want:-?}" test "$rows" = "${want:-x} $bit"
    [ $n -lt 4 ] && check "  ... and that is cpu $n" test "${want:-x}" = "$n"
    n=$((n + 1))
done <"$tmp/smp4/faults.txt"
# From evil-dimm's own log: what it armed, and how many of those it forced.
elog=$tmp/smp4/evil-dimm.log
armed=$(grep -c '^evil-dimm: armed stuck ' "$elog" 2>/dev/null)
forced=$(gawk '$2 == "summary" && $3 == "stuck" && $6 ~ /^flips=[1-9]/' "$elog" 2>/dev/null | wc -l)
check "evil-dimm armed five stuck bits and forced each (${armed:-0} armed, $forced forced)" \
    test "${armed:-0}" = 5 -a "$forced" = 5
check "no other cells reported" test "$(csv_cells "$w/errors.csv" | wc -l)" = 5
check "report: FAIL with 5 weak cells, coverage full" grep -q '^result: FAIL: .* 5 weak cells, .*coverage full$' "$w/report.txt"
share=$(sed -n 's/^coverage: full (after ExitBootServices): tested .* (\([0-9]*\)\.\([0-9]*\) %)$/\1\2/p' "$w/report.txt")
check "report: tested share of RAM minus footprint >= 99 % (got ${share:-none} bp)" test "${share:-0}" -ge 9900

# 2. An AP that never checks in.
cfg2='tests=5
quick=1
passes=1
hold_ms=0
coverage=full
debug_silent_cpu=1
range=0x2000000-0x6000000
on_finish=shutdown'
if ! qemu_run silent "$cfg2" --smp 2 --mem 256M --through-reset --vars "$tmp/vars2.fd" --timeout 300 \
    >"$tmp/silent.log" 2>&1; then
    notok "-smp 2 run with a silent AP finishes (qemu-run: $(tail -n1 "$tmp/silent.log"))"
    finish
fi
ok "-smp 2 run with a silent AP finishes"
w=$tmp/silent/weakbit
s=$(serial_text "$tmp/silent/serial.log")
check "serial: the silent AP is named" grep -q '^cpus: APIC ID 1 did not check in within [0-9]* ms: left out (INIT sent)$' <<<"$s"
check "serial: the run went on with the boot CPU" grep -q '^cpus: 1 started by weakbit (boot CPU + 0 APs) of 2 the MADT lists$' <<<"$s"
check "serial: the test completed" grep -q '^pass 1 test 5: done, 0 errors' <<<"$s"
check "report: 1 used of 2, one never checked in" \
    grep -q '^cpus:      1 used of 2 - 1 started by weakbit after ExitBootServices .*; 1 never checked in$' "$w/report.txt"
check "report: names APIC ID 1 as left out" grep -q '^  APIC ID 1: did not check in after its start-up IPIs: left out$' "$w/report.txt"
check "report: the boot CPU tested all 64 MiB" grep -q '^  cpu 0: bytes 67108864 ' "$w/report.txt"
check "report: PASS" grep -q '^result: PASS' "$w/report.txt"

# 3. An AP that hangs mid-test.
cfg3='tests=5
quick=1
passes=1
hold_ms=0
coverage=full
ap_timeout=3s
debug_hang_cpu=2
range=0x2000000-0x6000000
on_finish=shutdown'
if ! qemu_run hang "$cfg3" --smp 4 --mem 256M --through-reset --vars "$tmp/vars3.fd" --timeout 300 \
    --faults-until '^pass 1 test 5: done' \
    --fault 'stuck,addr=@cpu2+0x100008,bit=7,value=1' >"$tmp/hang.log" 2>&1; then
    notok "-smp 4 run with a hung AP finishes (qemu-run: $(tail -n1 "$tmp/hang.log"))"
    finish
fi
ok "-smp 4 run with a hung AP finishes"
w=$tmp/hang/weakbit
s=$(serial_text "$tmp/hang/serial.log")
check "serial: the hung AP is fenced" \
    grep -Eq '^cpu 2 \(APIC ID [0-9]+\) missed its deadline \(silent for 3 s\): fenced off' <<<"$s"
check "serial: it did not stop, so it was stopped by force and its chunk re-tested" \
    grep -Eq '^cpu 2 did not stop within [0-9]+ s of being fenced off: stopped by force; its chunk .* is re-tested on cpu 0' <<<"$s"
check "report: cpu 2 marked fenced, as firmware mode writes it" \
    grep -q '^  cpu 2: .*started by weakbit, missed its deadline: fenced off)$' "$w/report.txt"
check "report: it was stopped by force once, its chunk re-tested, nothing left untested" \
    grep -q '^    stopped afterwards 0 times (chunk re-tested on cpu 0); not re-tested: 0 bytes (it never stopped); late errors ignored: [0-9]*; stopped by force 1 time (chunk re-tested on cpu 0)$' "$w/report.txt"
check "report: no byte went untested" grep -q '^  total: bytes 67108864 ' "$w/report.txt"
a=$(( $(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' "$tmp/hang/faults.txt") ))
check "the cell in the hung AP's chunk was found by cpu 0" \
    test "$(tail -n +2 "$w/errors.csv" | gawk -F, -v a="$a" 'strtonum($5) == a { print $4 " " $6 }' | sort -u)" = "0 7"
finish
