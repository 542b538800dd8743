#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CPUs that miss their deadline (ap_timeout=3s) are fenced off.
# 1. debug_hang_cpu=2:8s: cpu 2 stalls 8 s before a barrier, then resumes
#    and arrives late. It is fenced at 3 s; its late arrival is refused (no
#    early release) and counted; its chunk is re-tested on cpu 0 only after
#    it has stopped; no false error; all memory tested; the report names it.
#    Having stopped by itself, it takes part in test 5 again.
# 2. debug_hang_cpu=2: cpu 2 never comes back. Its chunk is not re-tested
#    (it might still write there), the report says so and how much, and
#    later tests run on the other three (firmware mode cannot stop a CPU).
# Neither run injects a fault: 64 MiB of range= do for the fencing as well as
# all RAM would, and the retention dwell is off (hold_ms=0).
. "$(dirname "$0")/lib.sh"
plan 17

cfg='tests=3,5
quick=1
range=0x2000000-0x6000000
hold_ms=0
ap_timeout=3s
debug_hang_cpu=2:8s
coverage=firmware
on_finish=shutdown'
if ! qemu_run late "$cfg" --smp 4 --mem 256M --timeout 400 >"$tmp/late.log" 2>&1; then
    notok "run with a late CPU ends (qemu-run: $(tail -n1 "$tmp/late.log"))"
    finish
fi
ok "run with a late CPU ends"
w=$tmp/late/weakbit
serial=$(serial_text "$tmp/late/serial.log")
check "cpu 2 is fenced off at its deadline" \
    grep -q "^cpu 2 (processor 2) missed its deadline (silent for 3 s): fenced off" <<<"$serial"
check "its chunk is re-tested only after it stopped" \
    grep -Eq "^cpu 2 stopped [0-9]+ ms after it was fenced off; its chunk .* is re-tested on cpu 0" <<<"$serial"
check "no false error: PASS, 0 errors" grep -q "^result: PASS: 0 errors" "$w/report.txt"
check "the late barrier arrival was refused, not counted as an arrival" \
    grep -Eq "^  barrier arrivals of fenced CPUs refused: [1-9][0-9]*;" "$w/report.txt"
check "report names cpu 2: fenced, stopped once, nothing left untested" \
    bash -c 'grep -q "^  cpu 2: .*missed its deadline: fenced off" "$0" &&
             grep -q "^    stopped afterwards 1 time (chunk re-tested on cpu 0); not re-tested: 0 bytes" "$0"' "$w/report.txt"
bytes=$(sed -n 's/^  total RAM .*(\([0-9]*\) bytes).*/\1/p' "$w/report.txt")
total=$(sed -n 's/^  total: bytes \([0-9]*\) .*/\1/p' "$w/report.txt")
check "all memory tested: CPUs tested 2 x the bytes (tests 3 and 5: $total = 2 x ${bytes:-?})" \
    test "${total:-x}" = "$((2 * ${bytes:-0}))"
check "both tests completed" bash -c 'grep -q "^pass 1 test 3: done" <<<"$0" && grep -q "^pass 1 test 5: done" <<<"$0"' "$serial"
cpu2=$(sed -n 's/^  cpu 2: bytes \([0-9]*\) .*/\1/p' "$w/report.txt")
check "cpu 2 stopped by itself, so it took part in test 5 again (bytes ${cpu2:-?} > 0)" test "${cpu2:-0}" -gt 0

cfg='tests=3,5
quick=1
range=0x2000000-0x6000000
hold_ms=0
ap_timeout=3s
debug_hang_cpu=2
coverage=firmware
on_finish=shutdown'
if ! qemu_run hang "$cfg" --smp 4 --mem 256M --timeout 400 >"$tmp/run.log" 2>&1; then
    notok "run with a hung CPU still ends (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "run with a hung CPU still ends"
w=$tmp/hang/weakbit
serial=$(serial_text "$tmp/hang/serial.log")
check "the hung CPU is fenced off" grep -q "^cpu 2 (processor 2) missed its deadline (silent for 3 s): fenced off" <<<"$serial"
check "its chunk is reported as not re-tested, and why" \
    grep -Eq "^cpu 2 did not stop within [0-9]+ s of being fenced off: its chunk .* is NOT re-tested \(it may still write there\)" <<<"$serial"
check "later tests run without it and say so" \
    grep -Eq "^cpu 2 did not stop within .*; further tests run without it$" <<<"$serial"
cpu2=$(sed -n 's/^  cpu 2: bytes \([0-9]*\) .*/\1/p' "$w/report.txt")
check "cpu 2 tested nothing after it hung (bytes ${cpu2:-?})" test "${cpu2:-x}" = 0
bytes=$(sed -n 's/^  total RAM .*(\([0-9]*\) bytes).*/\1/p' "$w/report.txt")
total=$(sed -n 's/^  total: bytes \([0-9]*\) .*/\1/p' "$w/report.txt")
unretested=$(sed -n 's/^    stopped afterwards 0 times (chunk re-tested on cpu 0); not re-tested: \([0-9]*\) bytes.*/\1/p' "$w/report.txt")
check "report: cpu 2 fenced, its chunk not re-tested (${unretested:-?} bytes)" \
    test -n "$unretested" -a "${unretested:-0}" -gt 0
check "tested + not re-tested = 2 x the bytes ($total + ${unretested:-?} = 2 x ${bytes:-?})" \
    test "$(( ${total:-0} + ${unretested:-0} ))" = "$((2 * ${bytes:-0}))"
check "both tests completed" bash -c 'grep -q "^pass 1 test 3: done" <<<"$0" && grep -q "^pass 1 test 5: done" <<<"$0"' "$serial"
finish
