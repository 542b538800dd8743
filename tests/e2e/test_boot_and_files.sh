#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# weakbit.efi boots in QEMU+OVMF, survives bad config lines, runs tests 3
# and 5 on the memory it allocated, and writes all four files; no faults
# means no error rows and an empty pattern list.
. "$(dirname "$0")/lib.sh"
plan 19

check "build/weakbit.efi is a PE32+ EFI application" \
    bash -c 'file "$0" | grep -q "PE32+ executable (EFI application) x86-64"' "$build/weakbit.efi"

cfg='# e2e: clean memory
tests=3,5
quick=1
colour=blue
granule=3M
coverage=firmware
on_finish=shutdown'
if ! qemu_run clean "$cfg" --mem 256M --vga --timeout 240 >"$tmp/run.log" 2>&1; then
    notok "boots and finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "boots and finishes"
out=$tmp/clean
w=$out/weakbit
serial=$(serial_text "$out/serial.log")
check "unknown key reported on serial" grep -q "weakbit.cfg line 4: unknown key 'colour'" <<<"$serial"
check "bad granule reported on serial" grep -q "weakbit.cfg line 5: bad value in 'granule=3M'" <<<"$serial"
check "run went on: tests 3 and 5 done" bash -c 'grep -q "^pass 1 test 3: done, 0 errors" <<<"$0" && grep -q "^pass 1 test 5: done, 0 errors" <<<"$0"' "$serial"
check "errors.csv: header first" test "$(head -n1 "$w/errors.csv")" = "time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c,addr_uncertain,source"
check "errors.csv: one session line, no error rows" \
    bash -c '[ $(wc -l <"$0") -eq 2 ] && grep -Eq "^# session [0-9]{14}-[0-9a-f]{4} start [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$" "$0"' "$w/errors.csv"
check "badram.txt has an empty pattern list" grep -qx 'GRUB_BADRAM=""' "$w/badram.txt"
check "badram.txt states the granule (default kept)" grep -q '^# granule: 1M' "$w/badram.txt"
check "report: PASS" grep -q '^result: PASS: 0 errors' "$w/report.txt"
check "report: total RAM and bytes tested" grep -Eq '^  total RAM [0-9.]+ MiB, free at start .*, tested .* \([0-9]+ bytes\)' "$w/report.txt"
check "report: what was left out and why" grep -q 'below 1 MiB (legacy area)' "$w/report.txt"
check "report: reserve stated" grep -q 'reserve left to firmware' "$w/report.txt"
check "report: QEMU's DIMM from SMBIOS" grep -q "^  dimm DIMM 0: 256 MiB RAM QEMU" "$w/report.txt"
check "report: config problems listed" grep -q "unknown key 'colour'" "$w/report.txt"
check "report: time per test" grep -Eq '^  test  5 Moving inversions, random pattern +runs 1  time [0-9.]+ s' "$w/report.txt"
check "session.log: start, both tests, end" bash -c 'grep -q "session [0-9a-f-]* start" "$0" && grep -q "pass 1 test 3 done" "$0" && grep -q "pass 1 test 5 done" "$0" && grep -q "session end" "$0"' "$w/session.log"
# Tested memory is only what the app could own: above 1 MiB, inside RAM.
low=$(tested_ranges "$w/report.txt" | gawk '$1 < 1048576 || $2 > 268435456' | wc -l)
nr=$(tested_ranges "$w/report.txt" | wc -l)
check "tested ranges lie in 1 MiB..256 MiB ($nr ranges)" test "$nr" -gt 0 -a "$low" -eq 0
sum=$(tested_ranges "$w/report.txt" | gawk '{ s += $2 - $1 } END { printf "%d", s }')
check "tested ranges add up to the bytes tested" grep -q "($sum bytes)" "$w/report.txt"
finish
