#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host CLI: badram and cells over errors.csv files, and its refusals.
set -u
cli=${1:?usage: test_cli.sh path/to/weakbit}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {  # name, then a command that must succeed
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok - cli: $name"; else echo "not ok - cli: $name"; fails=1; fi
}

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
check "torn last line skipped with a warning" bash -c '"$0" badram "$1" 2>&1 >/dev/null | grep -q "torn last line skipped"' "$cli" "$tmp/b_torn.csv"
printf 'time_s\nnot,a,row\n1,0,5,0,0x1000,1,0x0,0x2\n' >"$tmp/bad.csv"
check "malformed row refused" bash -c '! "$0" badram "$1"' "$cli" "$tmp/bad.csv"
check "bad granule refused" bash -c '! "$0" badram --granule 12K "$1"' "$cli" "$tmp/a.csv"
check "granule below 4K refused" bash -c '! "$0" badram --granule 1K "$1"' "$cli" "$tmp/a.csv"
check "unknown format refused" bash -c '! "$0" badram --format xml "$1"' "$cli" "$tmp/a.csv"
check "missing file refused with a reason" bash -c '"$0" badram /nonexistent 2>&1 | grep -q "cannot read /nonexistent"' "$cli"
check "no arguments is an error" bash -c '! "$0"' "$cli"
check "--help works" "$cli" badram --help
exit $fails
