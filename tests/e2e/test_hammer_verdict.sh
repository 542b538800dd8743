#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Row hammer's two-phase verdict on the simulated DRAM (see test_hammer.sh
# for the model and the clock): the only weak cell needs 10000 activations
# of a neighbour row in a window (1 ms of guest time), which the full-rate
# phase 1 reaches (some 30000) and the paced phase 2 (200K per 64 ms, 3125
# per ms) does not. Flips only above the realistic rate are a warning: the
# run's result is WARNING, not FAIL, and the cell is still masked.
# Full coverage (the default mode; test_hammer.sh runs firmware mode): the
# phases, the pair and the verdict come back through the hand-off record
# at the next boot, as firmware mode reports them.
. "$(dirname "$0")/lib.sh"
plan 5

W=0x2002090
cfg='tests=hammer
passes=1
coverage=full
on_finish=shutdown
hold_ms=0
seed=0x5eed
range=0x2000000-0x2040000
interleave=bank:0x40,bank:0x80
hammer_rowshift=13
hammer_ms=8'
if qemu_run verdict "$cfg" --mem 256M --timeout 300 --through-reset --vars "$tmp/vars.fd" \
    --plugin "$build/dramsim.so,shm=@shm,weak=$W:3:1:10000,threshold=1000000,window=250000,bank=0x40,bank=0x80,rowshift=13,log=$tmp/dramsim.log" \
    --qemu-arg -icount --qemu-arg shift=2,sleep=off >"$tmp/run.log" 2>&1; then
    ok "run with one cell that flips only at the full rate finishes"
else
    notok "run with one cell that flips only at the full rate finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
fi
w=$tmp/verdict/weakbit r=$w/report.txt
check "errors.csv: only that cell, source hammer, found at the full rate" \
    test "$(grep -v '^#' "$w/errors.csv" | tail -n +2 | gawk -F, '{ printf "%d %d %s\n", strtonum($5), $6, $11 }' | sort -u)" = "$((W)) 3 hammer"
check "report: result WARNING, not FAIL, coverage full" grep -q "^result: WARNING: 1 error, 1 weak cell, .*, coverage full$" "$r"
check "report: row hammer warning, phase 2 found nothing" \
    bash -c 'grep -q "^row hammer (test 11): 1 word flipped at the highest rate (phase 1), 0 at the realistic rate .*: warning: flips only above the realistic rate$" "$0" &&
             grep -Eq "^  $1 bits 0x8 \(victim row 0x1001, bank 2\): phase 1 [1-9][0-9]*x, phase 2 0x: warning" "$0"' "$r" $W
check "badram.txt still covers the cell" badram_covers "$w/badram.txt" $W
finish
