#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Test 5 on 4 CPUs through EFI MP services: every CPU tests a non-empty
# chunk, the chunks add up to the bytes tested, and a cell injected in each
# CPU's chunk is found and attributed to that CPU. A 1-CPU guest also works.
# The runs without faults need no retention dwell (hold_ms=0).
. "$(dirname "$0")/lib.sh"
plan 13

cfg='tests=5
quick=1
coverage=firmware
on_finish=shutdown'
faults=()
for c in 0 1 2 3; do
    faults+=(--fault "leak,addr=@cpu$c+0x$((c + 1))00008,bit=$((10 + c)),hold_ms=40")
done
if ! qemu_run smp4 "$cfg" --smp 4 --mem 256M --timeout 300 "${faults[@]}" >"$tmp/run.log" 2>&1; then
    notok "-smp 4 run finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "-smp 4 run finishes"
out=$tmp/smp4
w=$out/weakbit
check "report: 4 CPUs used of 4" grep -q '^cpus:      4 used of 4' "$w/report.txt"
bytes=$(sed -n 's/^  total RAM .*(\([0-9]*\) bytes).*/\1/p' "$w/report.txt")
sum=0 zero=0
for c in 0 1 2 3; do
    b=$(sed -n "s/^  cpu $c: bytes \\([0-9]*\\) time .*/\\1/p" "$w/report.txt")
    [ -n "$b" ] && [ "$b" -gt 0 ] || zero=1
    sum=$((sum + ${b:-0}))
done
# What the run had to test: the ranges the app announced on serial before the
# first test (the ones qemu-run placed the faults by), not the report's sums.
want=$(serial_text "$out/serial.log" | gawk '/^  range 0x[0-9a-f]+-0x[0-9a-f]+$/ {
    split($2, r, "-"); s += strtonum(r[2]) - strtonum(r[1]) } END { print s + 0 }')
check "every CPU tested a non-empty chunk" test "$zero" = 0
check "per-CPU bytes add up to the announced ranges ($sum = $want)" test "$sum" = "$want" -a "$want" -gt 0
check "report: bytes tested and the per-CPU total line are the announced ranges (${bytes:-?} = $want)" \
    bash -c '[ "$1" = "$2" ] && grep -q "^  total: bytes $2 time" "$0"' "$w/report.txt" "${bytes:-x}" "$want"
# Each injected cell: found, and on the CPU whose chunk holds it.
for c in 0 1 2 3; do
    a=$(( $(sed -n "$((c + 1))p" "$out/faults.txt" | sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/') ))
    rows=$(tail -n +2 "$w/errors.csv" | gawk -F, -v a="$a" 'strtonum($5) == a { print $4 " " $6 }' | sort -u)
    check "cell in cpu $c's chunk found and attributed to cpu $c" test "$rows" = "$c $((10 + c))"
done
check "no other cells reported" test "$(csv_cells "$w/errors.csv" | wc -l)" = 4

if ! qemu_run smp1 "$cfg
hold_ms=0" --smp 1 --mem 256M --timeout 300 >"$tmp/run1.log" 2>&1; then
    notok "-smp 1 run finishes (qemu-run: $(tail -n1 "$tmp/run1.log"))"
    finish
fi
check "-smp 1: one CPU used, run passes" bash -c 'grep -q "^cpus:      1 used of 1" "$0" && grep -q "^result: PASS" "$0"' "$tmp/smp1/weakbit/report.txt"

# cpus= and cpu_mode=sequential: 2 of 4 CPUs, one after the other, each on its chunk.
cfg3='tests=5
quick=1
cpus=2
cpu_mode=sequential
range=0x2000000-0x6000000
hold_ms=0
coverage=firmware
on_finish=shutdown'
if qemu_run seq "$cfg3" --smp 4 --mem 256M --timeout 300 >"$tmp/run3.log" 2>&1; then
    r=$tmp/seq/weakbit/report.txt
    check "cpus=2: 2 used of 4, and why" grep -q "^cpus:      2 used of 4 - limited by cpus=" "$r"
    check "sequential: both CPUs tested half each" \
        bash -c 'grep -q "^  cpu 0: bytes 33554432 " "$0" && grep -q "^  cpu 1: bytes 33554432 " "$0" && ! grep -q "^  cpu 2:" "$0"' "$r"
else
    notok "cpus=2 cpu_mode=sequential run finishes ($(tail -n1 "$tmp/run3.log"))"
fi
finish
