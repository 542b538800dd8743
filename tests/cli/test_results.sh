#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# weakbit results: a full-coverage run's record read from efivarfs files
# (made by build/mkhandoff with the app's own session code: a stuck bit and
# a 64 KiB region across a 1 MiB boundary, split over 14 variables) becomes
# errors.csv, report.txt and badram.txt, and the variables go only after the
# files are written. $2: the mkhandoff helper.
suite=results
. "$(dirname "$0")/lib.sh"
mk=${2:?usage: $0 path/to/weakbit path/to/mkhandoff}
plan 13

ev=$tmp/efivars out=$tmp/out
mkdir -p "$ev" "$out"
"$mk" "$ev" >/dev/null
nvars=$(ls "$ev" | grep -c '^WeakbitA[0-9][0-9]-')
check "the record spans several variables ($nvars)" test "$nvars" -gt 1
check "--keep writes the files and keeps the variables" \
    bash -c '"$0" results --efivars "$1" -o "$2" --keep && test "$(ls "$1" | wc -l)" = "$3"' "$cli" "$ev" "$out" "$nvars"
covers() {  # badram.txt covers address $2 (GRUB's rule)
    local pairs a=$(( $2 )) i
    pairs=$(sed -n 's/^GRUB_BADRAM="\(.*\)"$/\1/p' "$1")
    IFS=, read -r -a v <<<"$pairs"
    for ((i = 0; i + 1 < ${#v[@]}; i += 2)); do (( (a & v[i+1]) == (v[i] & v[i+1]) )) && return 0; done
    return 1
}
export -f covers
check "badram.txt masks the stuck bit" covers "$out/badram.txt" 0x2000028
check "badram.txt masks both granules of the region" \
    bash -c 'for a in 0x8ff8000 0x8fffff8 0x9000000 0x9007ff8; do "$0" "$1" "$a" || exit 1; done' covers "$out/badram.txt"
check "errors.csv: the header, a full-coverage session line, 128 rows and the summary lines" \
    bash -c 'head -n1 "$0" | grep -q "^time_s,pass,test,cpu,phys_addr,bit" && grep -q "^# session 20261203120000-beef start .* full coverage$" "$0" &&
             test "$(grep -vc "^#\|^time_s" "$0")" = 128 && grep -q "^# summary " "$0"' "$out/errors.csv"
acct=$(grep -m1 '^  errors: ' "$out/report.txt")
check "report: 16424 counted = rows + summarised, 0 lost" \
    gawk '{ c = $2; w = $7; sub(/^\(/, "", w); s = $9; exit !(c == 16424 && c == w + s && $(NF - 1) == 0) }' <<<"$acct"
check "report: the stuck cell with its 40 errors and the cells in summary ranges counted" \
    bash -c 'grep -q "^  0x0000000002000028    5     40 " "$0" && grep -q "more cells lie in summary ranges" "$0" &&
             grep -q "^result: FAIL: 16424 errors, [0-9]* weak cells, .*coverage full$" "$0"' "$out/report.txt"
check "report: the run's CPUs and coverage lines" \
    bash -c 'grep -q "^  cpu 1: bytes 134217728 " "$0" && grep -q "^  run: finished after 6.000 s (checkpoint 3, final)" "$0"' "$out/report.txt"
rows=$(grep -vc '^#\|^time_s' "$out/errors.csv")
check "without --keep: the variables are deleted after the files are written" \
    bash -c '"$0" results --efivars "$1" -o "$2" >/dev/null && test -z "$(ls "$1")"' "$cli" "$ev" "$out"
check "errors.csv grew by the session, with one header" \
    bash -c 'test "$(grep -c "^time_s" "$0")" = 1 && test "$(grep -vc "^#\|^time_s" "$0")" = $(( 2 * $1 ))' "$out/errors.csv" "$rows"
check "no record: exit 1 and a reason" bash -c '"$0" results --efivars "$1" -o "$2"; test $? = 1' "$cli" "$ev" "$out"
"$mk" "$ev" >/dev/null
printf 'XXXX' | dd of="$ev/$(ls "$ev" | grep '^WeakbitA03-')" bs=1 seek=40 conv=notrunc 2>/dev/null
check "a damaged variable: exit 2, nothing deleted" \
    bash -c '"$0" results --efivars "$1" -o "$2"; test $? = 2 && test "$(ls "$1" | wc -l)" = "$3"' "$cli" "$ev" "$tmp/out2" "$nvars"
check "files given: refused" bash -c '"$0" results x.csv; test $? = 2' "$cli"
exit $fails
