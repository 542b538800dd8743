#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Row hammer (test 11) on a simulated DRAM: QEMU runs the guest through the
# dramsim TCG plugin (tools/dramsim), whose weak cells flip when a row next
# to them is activated often enough within a window of guest instructions.
# `-icount shift=2` makes an instruction 4 ns of the guest's clock, so the
# kernel's paced phase 2 (200K activations per 64 ms) is slower per window
# than its full-rate phase 1 in the model too: a window of 250000
# instructions is 1 ms, in which phase 2 makes at most 3125 activations of
# an aggressor and phase 1 some 30000.
# Rows of 8 KiB (hammer_rowshift=13), banks from address bits 6 and 7, the
# same model in interleave= and the plugin; three cells in row 0x1001 of
# the tested 256 KiB (the first victim row of each bank):
#   E bank 1, threshold 1000: flips in both phases -> an error
#   W bank 2, threshold 10000: only in phase 1 -> a warning
#   N bank 3, threshold 1000000: beyond what the test reaches -> nothing
# A second run counts no flushes (flush=off): nothing flips (on the host's
# clock: no rate matters there).
# The two-phase verdict, in full coverage (the default mode): the only weak
# cell is W, which flips only above the realistic rate. The run's result is
# WARNING, not FAIL, the cell is still masked, and the phases, the pair and
# the verdict come back through the hand-off record at the next boot as
# firmware mode reports them.
# Parts: `cells` (the first two runs), `verdict` (the third), `all`; run-all
# runs the two side by side.
. "$(dirname "$0")/lib.sh"
part=${1:-all}
case $part in
cells) plan 12 ;;
verdict) plan 5 ;;
all) plan 17 ;;
*) echo "usage: $0 [cells|verdict|all]" >&2; exit 2 ;;
esac

E=0x2002048 W=0x2002090 N=0x20020c8
cfg='tests=hammer
passes=1
on_finish=shutdown
hold_ms=0
seed=0x5eed
range=0x2000000-0x2040000
interleave=bank:0x40,bank:0x80
hammer_rowshift=13
hammer_ms=8'
# hammer NAME FLUSH WEAK [CLOCK] [MODE]: one QEMU run with the plugin;
# results in $tmp/NAME. CLOCK "host" leaves out -icount: the guest clock is
# then the host's, so the two phases' rates are not exact, and the boot is
# some four times faster (OVMF under -icount shift=2 takes about 15 s to
# start). MODE: firmware (default) or full, through the reset.
hammer() {
    local clock=(--qemu-arg -icount --qemu-arg shift=2,sleep=off) mode=(--timeout 240)
    [ "${4:-icount}" != host ] || clock=()
    [ "${5:-firmware}" != full ] || mode=(--timeout 300 --through-reset --vars "$tmp/$1.vars.fd")
    qemu_run "$1" "$cfg
coverage=${5:-firmware}" --mem 256M "${mode[@]}" \
        --plugin "$build/dramsim.so,shm=@shm,flush=$2,$3,threshold=1000000,window=250000,bank=0x40,bank=0x80,rowshift=13,log=$tmp/$1.dramsim.log" \
        "${clock[@]}" >"$tmp/$1.run.log" 2>&1
}
# csv_hammer CSV: "addr bit" of the rows whose source is hammer, test 11
csv_hammer() {
    grep -v '^#' "$1" | tail -n +2 | tr -d '\r' |
        gawk -F, '$11 == "hammer" && $3 == 11 { printf "%d %d\n", strtonum($5), $6 }' | sort -u
}
flips_at() {  # log addr bit: flips the plugin made there
    grep -c "^flip addr=$2 bit=$3 " "$1"
}

if [ "$part" != verdict ]; then
    if hammer main on "weak=$E:17:1:1000,weak=$W:3:1:10000,weak=$N:40:1:1000000"; then
        ok "run with three weak cells finishes"
    else
        notok "run with three weak cells finishes (qemu-run: $(tail -n1 "$tmp/main.run.log"))"
    fi
    w=$tmp/main/weakbit r=$w/report.txt log=$tmp/main.dramsim.log
    want=$(printf '%d 17\n%d 3\n' $E $W | sort)
    got=$(csv_hammer "$w/errors.csv" 2>/dev/null)
    check "errors.csv: exactly cells E and W, source hammer, test 11" test "$got" = "$want"
    check "every errors.csv row is a hammer row (no false positive elsewhere)" \
        bash -c 'grep -v "^#" "$0" | tail -n +2 | gawk -F, "\$11 != \"hammer\" { bad = 1 } END { exit bad }"' "$w/errors.csv"
    check "the plugin flipped E in both phases and W (E $(flips_at "$log" $E 17 2>/dev/null)x, W $(flips_at "$log" $W 3 2>/dev/null)x)" \
        bash -c '[ "$(grep -c "^flip addr=$1 bit=17 " "$0")" -ge 2 ] && [ "$(grep -c "^flip addr=$2 bit=3 " "$0")" -ge 1 ]' "$log" $E $W
    check "N never flipped: the test stays below its threshold (max $(sed -n 's/.*max_count=\([0-9]*\).*/\1/p' "$log" 2>/dev/null) activations per window)" \
        bash -c '! grep -q "^flip addr=$1 " "$0" && gawk "/^summary/ { sub(/.*max_count=/, \"\"); exit !(\$1 + 0 > 10000 && \$1 + 0 < 1000000) }" "$0"' "$log" $N
    check "report: E is an error, aggressors in rows 0x1000 and 0x1002 of its bank" \
        grep -Eq "^  $E bits 0x20000 \(victim row 0x1001, bank 1\): phase 1 [1-9][0-9]*x, phase 2 [1-9][0-9]*x: error; aggressors 0x[0-9a-f]+ \(row 0x1000\) and 0x[0-9a-f]+ \(row 0x1002\)$" "$r"
    check "report: W is a warning only (phase 2 0x)" \
        grep -Eq "^  $W bits 0x8 \(victim row 0x1001, bank 2\): phase 1 [1-9][0-9]*x, phase 2 0x: warning, only above the realistic rate; aggressors .*\(row 0x1000\) and .*\(row 0x1002\)$" "$r"
    check "report: result FAIL (E flips at the realistic rate), row hammer ERROR" \
        bash -c 'grep -q "^result: FAIL: " "$0" && grep -q "^row hammer (test 11): .*: ERROR: flips at the realistic rate$" "$0"' "$r"
    covers_both() { badram_covers "$1" "$2" && badram_covers "$1" "$3"; }
    check "badram.txt covers E and W" covers_both "$w/badram.txt" $E $W

    # Without counted flushes no access is an activation, whatever the rate:
    # this run needs no exact clock.
    if hammer noflush off "weak=$E:17:1:1000,weak=$W:3:1:10000" host; then
        ok "run without flushes counted finishes"
    else
        notok "run without flushes counted finishes (qemu-run: $(tail -n1 "$tmp/noflush.run.log"))"
    fi
    w=$tmp/noflush/weakbit log=$tmp/noflush.dramsim.log
    check "no flushes counted: the kernel flushed, yet no flips and no activation count near E's threshold" \
        gawk '/^summary/ { s = $0; f = s; sub(/.*flushes=/, "", f); m = s; sub(/.*max_count=/, "", m); x = s; sub(/.*flips=/, "", x)
              exit !(f + 0 > 100000 && x + 0 == 0 && m + 0 < 1000) }' "$log"
    check "no flushes counted: no errors.csv rows, result PASS" \
        bash -c '[ -z "$(grep -v "^#" "$0" | tail -n +2)" ] && grep -q "^result: PASS: " "$1"' "$w/errors.csv" "$w/report.txt"
fi

if [ "$part" != cells ]; then
    if hammer verdict on "weak=$W:3:1:10000" icount full; then
        ok "full coverage, one cell that flips only at the full rate: the run finishes"
    else
        notok "full coverage, one cell that flips only at the full rate: the run finishes (qemu-run: $(tail -n1 "$tmp/verdict.run.log"))"
    fi
    w=$tmp/verdict/weakbit r=$w/report.txt
    check "verdict: errors.csv only that cell, source hammer, found at the full rate" \
        test "$(grep -v '^#' "$w/errors.csv" | tail -n +2 | gawk -F, '{ printf "%d %d %s\n", strtonum($5), $6, $11 }' | sort -u)" = "$((W)) 3 hammer"
    check "verdict: result WARNING, not FAIL, coverage full" grep -q "^result: WARNING: 1 error, 1 weak cell, .*, coverage full$" "$r"
    check "verdict: row hammer warning, phase 2 found nothing" \
        bash -c 'grep -q "^row hammer (test 11): 1 word flipped at the highest rate (phase 1), 0 at the realistic rate .*: warning: flips only above the realistic rate$" "$0" &&
                 grep -Eq "^  $1 bits 0x8 \(victim row 0x1001, bank 2\): phase 1 [1-9][0-9]*x, phase 2 0x: warning" "$0"' "$r" $W
    check "verdict: badram.txt still covers the cell" badram_covers "$w/badram.txt" $W
fi
finish
