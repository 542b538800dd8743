#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host CLI: badram and cells over errors.csv files, and its refusals.
suite=cli
. "$(dirname "$0")/lib.sh"
plan 41

cat >"$tmp/a.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual
1.500,0,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008
9.000,1,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008
CSV
cat >"$tmp/b.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual
2.000,0,3,0,0x460e00000,63,0x0000000000000000,0x8000000000000000
3.000,0,5,0,0x4ea0ffff8,0,0xffffffffffffffff,0xfffffffffffffffe
CSV
printf '3.5,0,5,0,0x4' >"$tmp/torn.csv"
cat "$tmp/b.csv" "$tmp/torn.csv" >"$tmp/b_torn.csv"

out=$("$cli" badram --format grub "$tmp/a.csv" "$tmp/b.csv")
check "seed cells from two sessions give three 1 MiB blocks" \
    test "$out" = 'GRUB_BADRAM="0x36a700000,0x7ffffffffff00000,0x460e00000,0x7ffffffffff00000,0x4ea000000,0x7ffffffffff00000"'
out=$("$cli" badram --granule 4K --format memmap "$tmp/b.csv")
check "memmap form with 4K granule" test "$out" = 'memmap=4K\\\$0x460e00000,4K\\\$0x4ea0ff000'
out=$("$cli" badram "$tmp/a.csv")
check "full badram.txt form has all lines" bash -c 'grep -q "^badram 0x36a700000,0x7ffffffffff00000$" <<<"$0" && grep -q "^memmap=1M\$0x36a700000$" <<<"$0" && grep -q "^bcdedit /set badmemoryaccess no$" <<<"$0" && grep -q "^# granule: 1M" <<<"$0"' "$out"
out=$("$cli" cells "$tmp/a.csv" "$tmp/b.csv")
check "cells table merges sessions" bash -c 'grep -q "^0x000000036a7abcd8 *3 *2 " <<<"$0" && grep -q "^3 cells$" <<<"$0"' "$out"
# Machine-check reports: an ecc row is a cell (bit unknown) and is masked;
# a "# ecc" line (no usable address) is skipped.
cat >"$tmp/ecc.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c,addr_uncertain,source
1.906,0,3,1,0xa345040,0,0x0000000000000000,0x0000000000000000,,0,ecc
# ecc 1.922 cpu 0 bank 3 status 0x900000000000009f addr 0x0 misc 0x0 corrected, not masked: no address logged (ADDRV clear)
2.000,0,5,0,0x4ea0ffff8,0,0xffffffffffffffff,0xfffffffffffffffe,,0,test
CSV
out=$("$cli" badram --format grub "$tmp/ecc.csv")
check "an ecc row is masked like any cell" test "$out" = 'GRUB_BADRAM="0xa300000,0x7ffffffffff00000,0x4ea000000,0x7ffffffffff00000"'
out=$("$cli" cells "$tmp/ecc.csv")
check "cells: an ecc cell shows bit ? and source ecc" \
    bash -c 'grep -Eq "^0x000000000a345040 +\? +1 .* ecc" <<<"$0" && grep -q "^2 cells$" <<<"$0"' "$out"
check "torn last line skipped with a warning" bash -c '"$0" badram "$1" 2>&1 >/dev/null | grep -q "torn last line skipped"' "$cli" "$tmp/b_torn.csv"
{ cat "$tmp/b.csv" "$tmp/torn.csv"; printf '\n# session 2 start 2026-11-20 10:15:00\n'; tail -n1 "$tmp/a.csv"; } >"$tmp/closed.csv"
check "a torn line the next boot closed is skipped with a warning" bash -c '"$0" cells "$1" 2>"$2" | grep -q "^3 cells$" && grep -q "closed.csv:4: line torn by a power cut" "$2"' "$cli" "$tmp/closed.csv" "$tmp/err"
printf 'time_s\nnot,a,row\n1,0,5,0,0x1000,1,0x0,0x2\n' >"$tmp/bad.csv"
check "malformed row refused" bash -c '! "$0" badram "$1"' "$cli" "$tmp/bad.csv"
check "bad granule refused" bash -c '! "$0" badram --granule 12K "$1"' "$cli" "$tmp/a.csv"
check "granule below 4K refused" bash -c '! "$0" badram --granule 1K "$1"' "$cli" "$tmp/a.csv"
check "unknown format refused" bash -c '! "$0" badram --format xml "$1"' "$cli" "$tmp/a.csv"
check "missing file refused with a reason" bash -c '"$0" badram /nonexistent 2>&1 | grep -q "cannot read /nonexistent"' "$cli"
check "no arguments is an error" bash -c '! "$0"' "$cli"
sed 's/$/\r/' "$tmp/a.csv" >"$tmp/a_crlf.csv"
check "CRLF line ends read like LF" bash -c 'cmp -s <("$0" cells "$1") <("$0" cells "$2")' "$cli" "$tmp/a.csv" "$tmp/a_crlf.csv"
{ cat "$tmp/a.csv"; printf '#%0600d\n' 0; cat "$tmp/b.csv"; } >"$tmp/long.csv"
check "over-long line refused with its line number" bash -c '"$0" cells "$1" 2>&1 >/dev/null | grep -q "long.csv:4: line too long"' "$cli" "$tmp/long.csv"
check "over-long line: exit status 2" bash -c '"$0" cells "$1" >/dev/null 2>&1; [ $? -eq 2 ]' "$cli" "$tmp/long.csv"
out=$("$cli" badram "$tmp/b.csv" --granule 4K --format memmap)
check "options may follow the files" test "$out" = 'memmap=4K\\\$0x460e00000,4K\\\$0x4ea0ff000'
check "unknown option: one line, exit 2" bash -c '"$0" cells --frobnicate "$1" 2>"$2"; [ $? -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "unknown option --frobnicate" "$2"' "$cli" "$tmp/a.csv" "$tmp/err"
check "option without its value refused" bash -c '"$0" badram "$1" --format 2>&1 | grep -q "option --format needs a value"' "$cli" "$tmp/a.csv"
check "-- ends the options" bash -c 'cp "$1" "$2/--granule" && cd "$2" && "$0" cells -- --granule | grep -q "^2 cells$"' "$(readlink -f "$cli")" "$tmp/b.csv" "$tmp"
out=$("$cli" cells --interleave ch:0x40,dimm:0x20000 "$tmp/a.csv" "$tmp/b.csv")
check "cells --interleave names each cell's module" bash -c 'grep -Eq "^0x0000000460e00000 +63 .* ch0/dimm0$" <<<"$0" && grep -Eq "^0x00000004ea0ffff8 +0 .* ch1/dimm1$" <<<"$0" && grep -q "^suspect modules" <<<"$0"' "$out"
check "badram --interleave notes the model" bash -c '"$0" badram --interleave ch:0x40,dimm:0x20000 "$1" | grep -q "^# interleave: ch:0x40,dimm:0x20000 (highest selector bit 17)"' "$cli" "$tmp/a.csv"
check "badram warns when the granule is below the interleave bits" bash -c '"$0" badram --granule 64K --interleave ch:0x40,dimm:0x20000 "$1" | grep -q "^# WARNING: the granule does not span"' "$cli" "$tmp/a.csv"
check "bad --interleave refused" bash -c '! "$0" cells --interleave ch:40 "$1" 2>/dev/null' "$cli" "$tmp/a.csv"
out=$("$cli" badram --format grub --max-pairs 1 "$tmp/a.csv" "$tmp/b.csv")
check "--max-pairs 1 still covers all three blocks" bash -c 'l=${0#GRUB_BADRAM=\"}; l=${l%\"}; IFS=, read -r a m <<<"$l"; for x in 0x36a7abcd8 0x460e00000 0x4ea0ffff8; do (( (x & m) == (a & m) )) || exit 1; done' "$out"
check "--max-pairs 1 states the overhead" bash -c '"$0" badram --max-pairs 1 "$1" "$2" | grep -Eq "^# pairs: 1 \(budget 1; 3 before budget merges\); extra good memory masked: .* \([1-9][0-9]* bytes"' "$cli" "$tmp/a.csv" "$tmp/b.csv"

# apply: a fake /etc/default/grub and fake update-grub in PATH.
mkdir -p "$tmp/bin" "$tmp/etc"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/update-grub"
chmod +x "$tmp/bin/update-grub"
g=$tmp/etc/grub
cat >"$g" <<GRUB
# If you change this file, run 'update-grub' afterwards.
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_CMDLINE_LINUX=""
GRUB
chmod 640 "$g"
cp "$g" "$tmp/orig"
apply() { PATH=$tmp/bin:/usr/bin:/bin "$cli" apply --grub-default "$g" "$@"; }
out=$(apply --dry-run "$tmp/a.csv")
check "apply --dry-run shows the diff and leaves the file" bash -c 'grep -q "^+GRUB_BADRAM=\"0x36a700000,0x7ffffffffff00000\"$" <<<"$0" && cmp -s "$1" "$2"' "$out" "$g" "$tmp/orig"
out=$(apply "$tmp/a.csv")
check "apply adds the line" grep -qx 'GRUB_BADRAM="0x36a700000,0x7ffffffffff00000"' "$g"
check "apply keeps the rest of the file" bash -c 'grep -qx "GRUB_TIMEOUT=5" "$0" && grep -qx "GRUB_CMDLINE_LINUX=\"\"" "$0"' "$g"
check "apply keeps the file mode" test "$(stat -c %a "$g")" = 640
check "apply keeps a timestamped backup of the original" bash -c 'ls "$0".weakbit-*.bak >/dev/null && cmp -s "$(ls "$0".weakbit-*.bak | head -n1)" "$1"' "$g" "$tmp/orig"
check "apply names the regenerate command" grep -q 'now run: sudo update-grub' <<<"$out"
cp "$g" "$tmp/after1"
out=$(apply "$tmp/a.csv")
check "apply is idempotent" bash -c 'cmp -s "$0" "$1" && grep -q "no change" <<<"$2" && [ $(ls "$0".weakbit-*.bak | wc -l) -eq 1 ]' "$g" "$tmp/after1" "$out"
sleep 1   # a second backup gets its own timestamp
apply "$tmp/b.csv" >/dev/null
line=$(grep '^GRUB_BADRAM=' "$g")
check "apply merges: union of the old line and new cells" bash -c 'l=${0#GRUB_BADRAM=\"}; l=${l%\"}; IFS=, read -r -a v <<<"$l"; for x in 0x36a7abcd8 0x460e00000 0x4ea0ffff8; do hit=0; for ((i=0;i<${#v[@]};i+=2)); do (( (x & v[i+1]) == (v[i] & v[i+1]) )) && hit=1; done; [ $hit = 1 ] || exit 1; done' "$line"
check "apply leaves exactly one GRUB_BADRAM line" test "$(grep -c GRUB_BADRAM= "$g")" -eq 1
cp "$g" "$tmp/before_bad"
printf 'time_s,pass,test,cpu,phys_addr,bit,expected,actual\n1,0,5,0,0x1003,1,0x0,0x2\n' >"$tmp/bad2.csv"
check "apply refuses a malformed CSV and leaves the file" bash -c '! "$0" apply --grub-default "$1" "$2" 2>/dev/null && cmp -s "$1" "$3"' "$cli" "$g" "$tmp/bad2.csv" "$tmp/before_bad"
check "apply refuses a malformed --line" bash -c '! "$0" apply --grub-default "$1" --line "GRUB_BADRAM=\"0x1000\"" 2>/dev/null && cmp -s "$1" "$2"' "$cli" "$g" "$tmp/before_bad"
printf 'GRUB_BADRAM="0x20000000,0xfffffffffff00000"\n' >"$tmp/grub2"
"$cli" apply --grub-default "$tmp/grub2" --line 'badram 0x20100000,0x7ffffffffff00000' >/dev/null 2>&1
check "apply frees bit 63 of an existing tight mask and merges exactly" grep -qx 'GRUB_BADRAM="0x20000000,0x7fffffffffe00000"' "$tmp/grub2"
printf 'GRUB_BADRAM="0x20000000,0xzz"\n' >"$tmp/grub3"
cp "$tmp/grub3" "$tmp/grub3.orig"
check "apply refuses a damaged existing line with its line number" bash -c '"$0" apply --grub-default "$1" "$2" 2>&1 | grep -q "grub3:1: GRUB_BADRAM is not a list" && cmp -s "$1" "$3"' "$cli" "$tmp/grub3" "$tmp/a.csv" "$tmp/grub3.orig"
check "apply on a missing file fails with a reason" bash -c '"$0" apply --grub-default /nonexistent/grub "$1" 2>&1 | grep -q "cannot read /nonexistent/grub"' "$cli" "$tmp/a.csv"
exit $fails
