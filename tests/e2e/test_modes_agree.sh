#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The two coverage modes must conclude the same for the same faults: each
# fault set runs once with coverage=firmware and once with coverage=full
# (same config, same seed, same range), and the results are compared.
#  1. Bit 5 stuck at 0 in one word, tests 2-5: test 2 (an address test, its
#     addresses uncertain) sees it first, the later tests at a certain
#     address. The cell is masked in both modes, with the same count, tests
#     and GRUB_BADRAM line. A stub sensor (temp_stub=45): every row carries
#     its temperature in both modes. Both count the same total RAM, and in
#     each tested + left out adds up to it.
#  2. Bit 9 stuck at 1 in 64 KiB across cpu 0's and cpu 1's chunks and a
#     1 MiB boundary, -smp 4, test 5: more cells than the hand-off record
#     holds. Both granules are masked in both modes, with the same line and
#     the same error count, and each report's counts add up, 0 lost. The
#     test 5 time of each mode is printed (speed goals live in benchmarks).
# An argument runs one fault set only: `stuck` (one CPU) or `region` (-smp 4);
# run-all runs them apart, the first beside another suite, the second alone.
. "$(dirname "$0")/lib.sh"
part=${1:-both}
case $part in
stuck) plan 19 ;;
region) plan 11 ;;
both) plan 30 ;;
*) echo "usage: $0 [stuck|region]" >&2; exit 2 ;;
esac

# run NAME COVERAGE CONFIG FAULT [qemu-run options]: one boot (two for full).
run() {
    local name=$1 cov=$2 cfg=$3 fault=$4; shift 4
    local extra=()
    [ "$cov" = full ] && extra=(--through-reset --vars "$tmp/$name.vars"
        --faults-until '^pass 1 test 5: done')
    if ! qemu_run "$name" "$cfg
coverage=$cov" --mem 512M --timeout 600 --fault "$fault" "${extra[@]}" "$@" >"$tmp/$name.log" 2>&1; then
        notok "$name: the run finishes (qemu-run: $(tail -n1 "$tmp/$name.log"))"
        return 1
    fi
    # The fault really bit: evil-dimm's own count of forced bits. (The default
# retention dwell stays on: evil-dimm forces stuck bits by polling, and the
# dwell gives it time to do so before each verify, so both modes see every
# failing read and their counts can be compared exactly.)
    if ! grep -Eq 'flips=[1-9]' "$tmp/$name/evil-dimm.log"; then
        notok "$name: evil-dimm forced the bit at least once"
        return 1
    fi
    ok "$name: the run finishes and the fault was injected"
}

grub_line() { grep -m1 '^GRUB_BADRAM=' "$1/weakbit/badram.txt"; }
counted() { sed -n 's/^  errors: \([0-9]*\) counted, .*/\1/p' "$1/weakbit/report.txt"; }
# "addr bit count tests" of each row of report.txt's cell table.
cell_rows() { sed -n '/^cells (/,$p' "$1/weakbit/report.txt" | awk '/^  0x/ { print $1, $2, $3, $8 }'; }
test5_s() { sed -n 's/^  test  5 .* time \([0-9.]*\) s .*/\1/p' "$1/weakbit/report.txt"; }

# --- 1. a stuck bit first seen by an address test ---------------------------
a=0x08400020
cfg="tests=2-5
quick=1
passes=1
seed=0x5eed
temp_stub=45
range=0x08000000-0x09000000
on_finish=shutdown"
f="stuck,addr=$a,bit=5,value=0"
if [ "$part" != region ] && run stuck_fw firmware "$cfg" "$f" && run stuck_full full "$cfg" "$f"; then
    for m in fw full; do
        d=$tmp/stuck_$m
        check "$m: errors.csv's first row for the cell is test 2's, address uncertain" \
            bash -c 'gawk -F, "!/^#/ && NR > 1 && strtonum(\$5) == $1 && \$6 == 5 { print \$3, \$10; exit }" "$0" | grep -q "^2 1$"' \
            "$d/weakbit/errors.csv" "$((a))"
        check "$m: badram.txt masks the cell" badram_covers "$d/weakbit/badram.txt" "$a"
        check "$m: the report's counts add up, 0 lost" counts_add_up "$d/weakbit/report.txt"
        check "$m: tested + left out = total RAM" ram_adds_up "$d/weakbit/report.txt"
        check "$m: the report gives test 5's retention dwell (16 MiB wait at every verify)" \
            grep -Eq '^  test  5 .* dwell [0-9]*[1-9][0-9]*\.[0-9] s|^  test  5 .* dwell 0\.[1-9] s' "$d/weakbit/report.txt"
        check "$m: every row carries the temperature, the report names the sensor" \
            bash -c '! gawk -F, "!/^#/ && NR > 1 && \$9 != 45 { bad = 1 } END { exit !bad }" "$0" &&
                     grep -q "^temperature source: stub (temp_stub=)" "$1"' "$d/weakbit/errors.csv" "$d/weakbit/report.txt"
    done
    lf=$(grub_line "$tmp/stuck_fw") lu=$(grub_line "$tmp/stuck_full")
    echo "  firmware: $lf"
    echo "  full:     $lu"
    check "the same GRUB_BADRAM line in both modes" test "$lf" = "$lu"
    cf=$(cell_rows "$tmp/stuck_fw") cu=$(cell_rows "$tmp/stuck_full")
    echo "  cells firmware: $cf"
    echo "  cells full:     $cu"
    check "the same cell, count and tests in both modes" test -n "$cf" -a "$cf" = "$cu"
    check "the cell was seen by tests 2 to 5" grep -q ' 2,3,4,5$' <<<"$cu"
    check "the same error count ($(counted "$tmp/stuck_fw") = $(counted "$tmp/stuck_full"))" \
        test -n "$(counted "$tmp/stuck_fw")" -a "$(counted "$tmp/stuck_fw")" = "$(counted "$tmp/stuck_full")"
    rf=$(ram_total "$tmp/stuck_fw/weakbit/report.txt") ru=$(ram_total "$tmp/stuck_full/weakbit/report.txt")
    check "the same total RAM in both modes (${rf:-?} = ${ru:-?} bytes)" test -n "$rf" -a "$rf" = "$ru"
fi

# --- 2. a dead column across two CPUs' chunks and a 1 MiB boundary ----------
lo=0x08ff8000 len=0x10000
cfg="tests=5
quick=1
passes=1
seed=0x5eed
range=0x08000000-0x0c000000
on_finish=shutdown"
f="region,addr=$lo,len=$len,bit=9,value=1"
if [ "$part" != stuck ] && run region_fw firmware "$cfg" "$f" --smp 4 && run region_full full "$cfg" "$f" --smp 4; then
    for m in fw full; do
        d=$tmp/region_$m
        s=$(serial_text "$d/serial.log")
        c0=$(sed -n 's/^  cpu 0 chunk \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\).*/\2/p' <<<"$s" | head -n1)
        check "$m: the region straddles cpu 0's chunk end (${c0:-none})" \
            test -n "$c0" -a $((lo)) -lt $((${c0:-0})) -a $((${c0:-0})) -lt $((lo + len))
        covered=1
        for ((x = lo; x < lo + len; x += 4096)); do badram_covers "$d/weakbit/badram.txt" $x || covered=0; done
        badram_covers "$d/weakbit/badram.txt" $((lo + len - 8)) || covered=0
        check "$m: badram.txt covers the whole region, both granules" test $covered = 1
        check "$m: the report's counts add up, 0 lost" counts_add_up "$d/weakbit/report.txt"
        echo "  $m: $(grep -m1 '^  errors: ' "$d/weakbit/report.txt")"
    done
    check "full: more cells than the record holds, stated as lying in summary ranges" \
        grep -Eq 'handed over after ExitBootServices: .* [1-9][0-9]* more cells? lie in summary ranges' \
        "$tmp/region_full/weakbit/report.txt"
    lf=$(grub_line "$tmp/region_fw") lu=$(grub_line "$tmp/region_full")
    echo "  firmware: $lf"
    echo "  full:     $lu"
    check "the same GRUB_BADRAM line in both modes" test "$lf" = "$lu"
    nf=$(counted "$tmp/region_fw") nu=$(counted "$tmp/region_full")
    check "the same error count in both modes ($nf = $nu)" test -n "$nf" -a "$nf" = "$nu"
    tf=$(test5_s "$tmp/region_fw") tu=$(test5_s "$tmp/region_full")
    echo "  test 5 time: firmware ${tf:-?} s, full ${tu:-?} s, full/firmware $(awk -v a="${tu:-0}" -v b="${tf:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')"
fi
finish
