#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A power cut in the middle of a full-coverage run: QEMU is killed once the
# checkpoint holding the first cell is stored. Booting the same disk with the
# same variable store again recovers that cell into errors.csv and badram.txt
# and says the run was cut short.
. "$(dirname "$0")/lib.sh"
plan 10

vars=$tmp/vars.fd img=$tmp/disk.img
cfg='tests=3
quick=1
passes=2
coverage=full
on_finish=shutdown'
qemu_run cut "$cfg" --mem 1G --through-reset --vars "$vars" --image "$img" --timeout 400 \
    --fault 'stuck,addr=@lo+0x2000,bit=5,value=1' \
    --kill-on '^checkpoint [0-9]+ stored: 1 cell' >"$tmp/cut.log" 2>&1
rc=$?
check "QEMU killed after the checkpoint with the first cell (qemu-run exit $rc, want 6)" test $rc -eq 6
s1=$(serial_text "$tmp/cut/serial.log")
check "serial: the cell was found after ExitBootServices" grep -q '^NEW WEAK CELL' <<<"$s1"
check "no report.txt yet (the run never finished)" test ! -e "$tmp/cut/weakbit/report.txt"
a=$(( $(sed -n 1p "$tmp/cut/faults.txt" | sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/') ))

if ! qemu_run next "$cfg" --mem 1G --through-reset --vars "$vars" --image "$img" --timeout 300 >"$tmp/next.log" 2>&1; then
    notok "the next boot recovers and finishes (qemu-run: $(tail -n1 "$tmp/next.log"))"
    finish
fi
ok "the next boot recovers and finishes"
s2=$(serial_text "$tmp/next/serial.log")
w=$tmp/next/weakbit
check "serial: the hand-off is found and was cut short" grep -q '^full coverage: results of session .* (checkpoint [0-9]*, cut short)' <<<"$s2"
check "serial: the next boot did not start another run" bash -c '! grep -q "leaving the firmware" <<<"$0"' "$s2"
check "report: the run was cut short, cells after the checkpoint lost" grep -q '^  run: CUT SHORT (power loss, hang or reset) after checkpoint' "$w/report.txt"
check "errors.csv: the recovered cell ($(printf 0x%x $a) bit 5)" test "$(csv_cells "$w/errors.csv")" = "$a 5"
check "badram.txt covers it" badram_covers "$w/badram.txt" "$a"
check "report: FAIL, 1 weak cell, coverage full" grep -q '^result: FAIL: .* 1 weak cell, .*coverage full$' "$w/report.txt"
finish
