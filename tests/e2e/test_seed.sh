#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Patterns that change every boot, and seed= to replay them. Three boots of
# test 5 (one quick pass over 16 MiB) with a stuck bit, whose errors carry
# the pattern in use as the expected value: two boots without seed= log
# different seeds and see different patterns; a boot with seed= set to the
# first one's logs the same seed, lists the same patterns in report.txt and
# meets the stuck bit with the same expected values.
. "$(dirname "$0")/lib.sh"
plan 11

range_lo=0x2000000
cell=$((range_lo + 0x100008))
boot() {  # NAME EXTRA-CONFIG
    qemu_run "$1" "tests=5
quick=1
range=$range_lo-0x3000000
$2
coverage=firmware
on_finish=shutdown" --mem 512M --timeout 300 \
        --fault "$(printf 'stuck,addr=0x%x,bit=3,value=1' "$cell")" >"$tmp/$1.log" 2>&1 ||
        { notok "boot $1 finishes (qemu-run: $(tail -n1 "$tmp/$1.log"))"; finish; }
}
seed_of() { sed -n 's/.*\] seed \(0x[0-9a-f]*\) .*/\1/p' "$tmp/$1/weakbit/session.log"; }
patterns_of() { sed -n 's/^seed: .*cpu 0: //p' "$tmp/$1/weakbit/report.txt"; }
expected_of() {  # test 5's expected values, in the order found
    gawk -F, '$1 !~ /^#/ && $3 == 5 { print $7 }' "$tmp/$1/weakbit/errors.csv"
}

boot a ""
boot b ""
sa=$(seed_of a) sb=$(seed_of b)
check "session.log states the seed, from the TSC ($sa)" grep -q "seed $sa (from the TSC)" "$tmp/a/weakbit/session.log"
check "two boots without seed= use different seeds ($sa, $sb)" test -n "$sa" -a -n "$sb" -a "$sa" != "$sb"
check "report.txt states the seed and how to replay it" grep -q "^seed: .*(seed=$sa replays)" "$tmp/a/weakbit/report.txt"
check "their test-5 patterns differ" test "$(patterns_of a)" != "$(patterns_of b)"
check "the stuck bit was met in both" test -n "$(expected_of a)" -a -n "$(expected_of b)"
check "with different expected values" test "$(expected_of a)" != "$(expected_of b)"
# The first error comes from one of the first patterns the report lists (the
# first unless it passed before evil-dimm armed the bit): p itself or ~p.
p1=$(patterns_of a | cut -d' ' -f1)
e1=$(expected_of a | head -n1)
listed=0
for p in $(patterns_of a); do
    (( e1 == p || e1 == ~p )) && listed=1
done
check "the first error's expected value is a listed pattern or its complement ($e1)" test "$listed" = 1

boot c "seed=$sa"
check "seed= is logged as given" grep -q "seed $sa (seed=)" "$tmp/c/weakbit/session.log"
check "the replay lists the same patterns" test "$(patterns_of c)" = "$(patterns_of a)"
# evil-dimm arms the stuck bit once the first test has started, so the first
# pattern may pass before it in one boot and not in the other: only p1 and
# ~p1 may be in one boot's expected values and not the other's.
p1x=$(printf '0x%016x' "$((p1))") p1n=$(printf '0x%016x' "$((~p1))")
differ=$(comm -3 <(expected_of a | sort -u) <(expected_of c | sort -u) | tr -d '\t' |
    grep -vx -e "$p1x" -e "$p1n" | tr '\n' ' ')
common=$(comm -12 <(expected_of a | sort -u) <(expected_of c | sort -u) | wc -l)
check "the replay meets the stuck bit with the same expected values (${common} in common${differ:+; differ: $differ})" \
    test -z "$differ" -a "$common" -ge 5
check "and none of the other boot's" test -z "$(comm -12 <(expected_of b | sort -u) <(expected_of c | sort -u))"
finish
