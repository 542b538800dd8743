#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Patterns that change every boot, and seed= to replay them. Three boots of
# test 5 (one quick pass over 16 MiB) with a stuck bit, whose errors carry
# the pattern in use as the expected value: two boots without seed= log
# different seeds and see different patterns; a boot with seed= set to the
# first one's logs the same seed, lists the same patterns in report.txt and
# meets the stuck bit with exactly the same expected values, in order.
. "$(dirname "$0")/lib.sh"

range_lo=0x2000000
cell=$((range_lo + 0x100008))
boot() {  # NAME EXTRA-CONFIG
    qemu_run "$1" "tests=5
quick=1
range=$range_lo-0x3000000
$2
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
# The first error comes from the first pattern: p1 itself or ~p1.
p1=$(patterns_of a | cut -d' ' -f1)
e1=$(expected_of a | head -n1)
check "the first error's expected value is the report's first pattern or its complement ($e1, $p1)" \
    test "$(( e1 == p1 || e1 == ~p1 ))" = 1

boot c "seed=$sa"
check "seed= is logged as given" grep -q "seed $sa (seed=)" "$tmp/c/weakbit/session.log"
check "the replay lists the same patterns" test "$(patterns_of c)" = "$(patterns_of a)"
check "the replay meets the stuck bit with the same expected values, in order" \
    test "$(expected_of c)" = "$(expected_of a)"
finish
