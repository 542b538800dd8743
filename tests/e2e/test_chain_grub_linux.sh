#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole chain: bits flipped in guest RAM (evil-dimm) -> weakbit finds
# them -> badram.txt -> GRUB's badram -> Linux marks the blocks "Unusable
# memory" in /proc/iomem. Three cells, one above 4 GiB, in a 5 GiB guest.
. "$(dirname "$0")/lib.sh"
plan 12

c1=0x10100008 c2=0x17f00010 c3=0x102345678
cfg='tests=5
quick=1
range=0x10000000-0x18000000
range=0x100000000-0x104000000
coverage=firmware
on_finish=shutdown'
if ! qemu_run chain "$cfg" --mem 5G --timeout 400 \
    --fault "leak,addr=$c1,bit=3,hold_ms=30" \
    --fault "stuck,addr=$c2,bit=40,value=1" \
    --fault "leak,addr=$c3,bit=12,hold_ms=30,charged=0" >"$tmp/run.log" 2>&1; then
    notok "weakbit run with three injected cells finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
w=$tmp/chain/weakbit
want=$(printf '%d 3\n%d 40\n%d 12\n' "$c1" "$c2" "$c3" | sort)
check "weakbit found exactly the three injected cells" test "$(csv_cells "$w/errors.csv")" = "$want"
for c in $c1 $c2 $c3; do
    check "badram.txt covers $c" badram_covers "$w/badram.txt" "$c"
done
masked=$(sed -n 's/^  masked: .* (\([0-9]*\) bytes).*/\1/p' "$w/report.txt")
check "report states the masked bytes (${masked:-none})" test -n "$masked"
cp "$w/badram.txt" "$tmp/badram.txt"
# GRUB + Linux with weakbit's own badram.txt; the iomem checks print their own lines.
# Its 7 checks (boot, badram went on, 3 blocks, RAM above 4 GiB, total) are in this plan.
WEAKBIT_NO_PLAN=1 "$root/tests/e2e/test_grub_linux.sh" --badram-file "$tmp/badram.txt" --expect-addrs "$c1 $c2 $c3" \
    --expect-unusable "${masked:-0}" --mem 5G || fails=1
finish
