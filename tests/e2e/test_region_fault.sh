#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A badly failing module: bit 17 stuck at 0 in every word of 64 KiB (a dead
# column) that straddles the boundary between cpu 0's and cpu 1's chunks,
# at -smp 4. Thousands of failing words arrive faster than one row per bit
# can be written. Nothing may be lost: every failing word is an errors.csv
# row or inside a "# summary" record, badram.txt covers the whole range,
# and the report's counted, written and summarised numbers add up, 0 lost.
. "$(dirname "$0")/lib.sh"
plan 15

len=$((0x10000))
cfg='tests=5
quick=1
coverage=firmware
on_finish=shutdown'
if ! qemu_run region "$cfg" --smp 4 --mem 256M --timeout 900 \
    --fault "region,addr=@cpu1-0x8000,len=$len,bit=17,value=0" >"$tmp/run.log" 2>&1; then
    notok "-smp 4 run with a dead column finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "-smp 4 run with a dead column finishes"
out=$tmp/region
w=$out/weakbit
lo=$(( $(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' "$out/faults.txt") ))
hi=$(( lo + len - 8 ))
b1=$(( $(serial_text "$out/serial.log" | sed -n 's/^  cpu 1 chunk \(0x[0-9a-f]*\)-.*/\1/p' | head -n1) ))
check "the range straddles cpu 1's chunk start ($(printf '0x%x < 0x%x <= 0x%x' $lo $b1 $hi))" \
    test "$lo" -lt "$b1" -a "$b1" -le "$hi"

# The report's accounting line.
acct=$(grep -m1 '^  errors: ' "$w/report.txt")
echo "  report: ${acct# }"
read -r counted rows written summarised records lost < <(sed -E \
    's/^  errors: ([0-9]+) counted, ([0-9]+) rows written \(([0-9]+) errors\), ([0-9]+) summarised \(([0-9]+) records?\), ([0-9]+) lost$/\1 \2 \3 \4 \5 \6/' <<<"$acct")
check "report has the accounting line" test -n "${lost:-}" -a "${counted:-x}" != "${acct:-y}"
check "0 lost" test "${lost:-x}" = 0
check "counted = written + summarised ($counted = $written + $summarised)" \
    test "${counted:-0}" -gt 0 -a "${counted:-0}" = "$(( ${written:-0} + ${summarised:-0} ))"
check "load was shed into summary records" test "${records:-0}" -gt 0

# errors.csv says the same.
csv_rows=$(grep -v '^#' "$w/errors.csv" | tail -n +2 | grep -c .)
csv_sum=$(gawk '/^# summary / { n += $11 } END { print n + 0 }' "$w/errors.csv")
csv_recs=$(grep -c '^# summary ' "$w/errors.csv")
check "errors.csv rows = rows written ($csv_rows = $rows)" test "$csv_rows" = "${rows:-x}"
check "one bit per failing word: rows = errors written" test "${rows:-x}" = "${written:-y}"
check "summary words in errors.csv = summarised ($csv_sum = $summarised)" test "$csv_sum" = "${summarised:-x}"
check "summary records in errors.csv = the report's ($csv_recs = $records)" test "$csv_recs" = "${records:-x}"

# Every word of the range failed, and each is a row or inside a summary;
# nothing outside the range is reported, and only bit 17.
verdict=$(gawk -v lo="$lo" -v hi="$hi" '
    /^# summary / { split($15, r, "-"); s = strtonum(r[1]); e = strtonum(r[2]);
                    if (s < lo || e > hi || strtonum($13) != 131072) bad++
                    ns++; S[ns] = s; E[ns] = e; next }
    /^#/ || /^time_s/ { next }
    { split($0, f, ","); a = strtonum(f[5]);
      if (a < lo || a > hi || f[6] != 17) bad++; else row[a] = 1 }
    END { for (a = lo; a <= hi; a += 8) { if (a in row) continue
              hit = 0; for (i = 1; i <= ns; i++) if (a >= S[i] && a <= E[i]) { hit = 1; break }
              if (!hit) miss++ }
          printf "%d %d\n", miss + 0, bad + 0 }' "$w/errors.csv")
check "every word of the range is a row or in a summary (missing: ${verdict% *})" test "${verdict% *}" = 0
check "nothing outside the range, only bit 17 (stray: ${verdict#* })" test "${verdict#* }" = 0
check "both CPUs on either side of the boundary reported" \
    bash -c 'gawk -F, "!/^#/ && NR > 1 { c[\$4] = 1 } /^# summary / { split(\$0, x, \" \"); c[x[9]] = 1 } END { exit !((0 in c) && (1 in c)) }" "$0"' "$w/errors.csv"

# badram.txt masks the whole range: every page and the last word.
covered=1
for ((a = lo; a <= hi; a += 4096)); do badram_covers "$w/badram.txt" $a || covered=0; done
badram_covers "$w/badram.txt" $hi || covered=0
check "badram.txt covers the whole range" test $covered = 1
check "report: FAIL" grep -q '^result: FAIL' "$w/report.txt"
finish
