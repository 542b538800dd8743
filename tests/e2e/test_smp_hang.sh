#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A CPU that hangs mid-test (debug_hang_cpu=2): the BSP notices its heart
# stopped, drops it, tests its chunk itself, and the run still ends with all
# memory tested and a cell inside that chunk found.
. "$(dirname "$0")/lib.sh"

cfg='tests=5,3
quick=1
ap_timeout=3s
debug_hang_cpu=2
coverage=firmware
on_finish=shutdown'
if ! qemu_run hang "$cfg" --smp 4 --mem 256M --timeout 300 \
    --fault 'leak,addr=@cpu2+0x200008,bit=5,hold_ms=20' >"$tmp/run.log" 2>&1; then
    notok "run with a hung CPU still ends (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "run with a hung CPU still ends"
w=$tmp/hang/weakbit
serial=$(serial_text "$tmp/hang/serial.log")
check "the hung CPU is reported" grep -q "^cpu 2 (processor 2) stopped responding for 3 s: dropped; its chunk is re-run on cpu 0" <<<"$serial"
check "later tests fall back to one CPU and say so" grep -q "further tests run on cpu 0 only" <<<"$serial"
check "report marks it dropped" grep -q "^  cpu 2: .*dropped: stopped responding" "$w/report.txt"
bytes=$(sed -n 's/^  total RAM .*(\([0-9]*\) bytes).*/\1/p' "$w/report.txt")
total=$(sed -n 's/^  total: bytes \([0-9]*\) .*/\1/p' "$w/report.txt")
check "no memory went untested: CPUs tested 2 x the bytes (tests 3 and 5)" test "$total" = "$((2 * bytes))"
a=$(( $(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' "$tmp/hang/faults.txt") ))
check "the cell in the hung CPU's chunk was found anyway" test "$(csv_cells "$w/errors.csv")" = "$a 5"
check "both tests completed" bash -c 'grep -q "^pass 1 test 3: done" <<<"$0" && grep -q "^pass 1 test 5: done" <<<"$0"' "$serial"
finish
