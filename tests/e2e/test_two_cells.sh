#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two cells flipped in real guest RAM from the host (evil-dimm): a leaky
# cell in the first 16 MiB tested and a stuck bit near the top. errors.csv
# must hold exactly those (addr, bit) pairs, and badram.txt must cover both.
# One quick pass over a 256 MiB guest: the cells sit at its tested ends all
# the same.
. "$(dirname "$0")/lib.sh"
plan 13

cfg='tests=5
quick=1
passes=1
coverage=firmware
on_finish=shutdown'
if ! qemu_run cells "$cfg" --mem 256M --timeout 300 \
    --fault 'leak,addr=@lo+0x200008,bit=17,hold_ms=40' \
    --fault 'stuck,addr=@hi-0x1000,bit=42,value=0' >"$tmp/run.log" 2>&1; then
    notok "run with two injected cells finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "run with two injected cells finishes"
out=$tmp/cells
w=$out/weakbit
a1=$(( $(sed -n 1p "$out/faults.txt" | sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/') ))
a2=$(( $(sed -n 2p "$out/faults.txt" | sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/') ))

# Where the cells sit in the tested memory: offset in tested bytes.
offset_of() {
    tested_ranges "$w/report.txt" | gawk -v a="$1" '
        { if (a >= $1 && a < $2) { print off + a - $1; found = 1 } off += $2 - $1 }
        END { if (!found) print -1; else print "total " off }' | tr '\n' ' '
}
read -r o1 _ t1 <<<"$(offset_of "$a1")"
read -r o2 _ t2 <<<"$(offset_of "$a2")"
check "leaky cell sits in the first 16 MiB tested (offset $o1)" test "$o1" -ge 0 -a "$o1" -lt $((16 << 20))
check "stuck cell sits in the top 1 MiB tested (offset $o2 of ${t2:-?})" test "$o2" -ge $(( ${t2:-0} - (1 << 20) )) -a "$o2" -ge 0

want=$(printf '%d 17\n%d 42\n' "$a1" "$a2" | sort)
got=$(csv_cells "$w/errors.csv")
check "errors.csv holds exactly the two injected (addr, bit) cells" test "$got" = "$want"
[ "$got" = "$want" ] || { echo "  want: $want" | tr '\n' ' '; echo; echo "  got:  $got" | tr '\n' ' '; echo; }
check "every row: test 5, cpu 0, 11 columns, temp_c empty (no sensor in QEMU), address certain, source test" \
    bash -c 'grep -v "^#" "$0" | tail -n +2 | gawk -F, "\$3 != 5 || \$4 != 0 || NF != 11 || \$9 != \"\" || \$10 != 0 || \$11 != \"test\" { bad = 1 } END { exit bad }"' "$w/errors.csv"
# Every row at the leaky cell read bit 17 as 0. The words are 64-bit random
# patterns: bash's integers hold them exactly, awk's doubles round the low
# bits and can carry into bit 17.
leak_discharged() {  # errors.csv, address
    local n=0 addr actual
    while IFS=, read -r _ _ _ _ addr _ _ actual _; do
        [ "$((addr))" = "$(($2))" ] || continue
        n=$((n + 1))
        (( (actual >> 17) & 1 )) && return 1
    done < <(grep -v '^#\|^time_s' "$1")
    [ "$n" -gt 0 ]
}
check "the leak read back discharged (bit 17 = 0)" leak_discharged "$w/errors.csv" "$a1"
check "badram.txt covers the leaky cell" badram_covers "$w/badram.txt" "$a1"
check "badram.txt covers the stuck cell" badram_covers "$w/badram.txt" "$a2"
line=$(grep '^GRUB_BADRAM=' "$w/badram.txt")
check "badram.txt masks only those two 1 MiB blocks" \
    test "$(sed 's/^GRUB_BADRAM="//; s/"$//' <<<"$line" | tr ',' '\n' | grep -c '^0x7ffffffffff00000$')" -eq 2 -a \
    "$(sed 's/^GRUB_BADRAM="//; s/"$//' <<<"$line" | tr ',' '\n' | wc -l)" -eq 4
check "badram masks keep bit 63 free" bash -c '! grep -q 0xf[0-9a-f]\\{15\\} "$0"' "$w/badram.txt"
check "report: FAIL with 2 weak cells" grep -q '^result: FAIL: .* 2 weak cells' "$w/report.txt"
check "serial shows the two new-cell alerts" test "$(serial_text "$out/serial.log" | grep -c "^NEW WEAK CELL")" -eq 2
f1=$(evil_flips "$out/evil-dimm.log" leak "$a1" 17) f2=$(evil_flips "$out/evil-dimm.log" stuck "$a2" 42)
both_flipped() { evil_flipped "$1" leak "$a1" 17 && evil_flipped "$1" stuck "$a2" 42; }
check "evil-dimm really flipped both (leak ${f1:-no} flips, stuck ${f2:-no})" both_flipped "$out/evil-dimm.log"
finish
