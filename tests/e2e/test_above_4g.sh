#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A 5 GiB guest: range= above 4 GiB, a leaky cell there injected at the file
# offset QEMU maps it to (found from QEMU's memory tree, not guessed).
. "$(dirname "$0")/lib.sh"
plan 6

cell=0x104123450
cfg='tests=5
quick=1
range=0x100000000-0x108000000
coverage=firmware
on_finish=shutdown'
if ! qemu_run high "$cfg" --mem 5G --timeout 300 \
    --fault "leak,addr=$cell,bit=5,hold_ms=30" >"$tmp/run.log" 2>&1; then
    notok "5 GiB guest run finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "5 GiB guest run finishes"
w=$tmp/high/weakbit
check "only the range above 4 GiB was tested" \
    test "$(tested_ranges "$w/report.txt")" = "$((0x100000000)) $((0x108000000))"
check "the rest is listed as outside range=" grep -q 'outside range=' "$w/report.txt"
check "errors.csv holds exactly the cell at $cell bit 5" test "$(csv_cells "$w/errors.csv")" = "$((cell)) 5"
check "badram.txt covers it" badram_covers "$w/badram.txt" "$cell"
check "GRUB_BADRAM line is the 1 MiB block" grep -qx 'GRUB_BADRAM="0x104100000,0x7ffffffffff00000"' "$w/badram.txt"
finish
