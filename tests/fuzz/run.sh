#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Short libFuzzer runs over the parsers, seeded from tests/fuzz/corpus.
# Usage: run.sh BUILD SECONDS
set -u
build=${1:-build} secs=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
targets=(csv config badram smbios import)
echo "1..${#targets[@]}"
for t in "${targets[@]}"; do
    work=$(mktemp -d)
    cp "$root/tests/fuzz/corpus/$t"/* "$work/"
    if "$build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 "$work" \
        >"$work.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
        echo "ok - fuzz: $t parser (${runs:-?} inputs in ${secs}s, no crash)"
    else
        echo "not ok - fuzz: $t parser"
        grep -E 'ERROR|SUMMARY|Test unit written' "$work.log" | head -5
        fails=1
    fi
    rm -rf "$work" "$work.log"
done
exit $fails
