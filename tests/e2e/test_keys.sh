#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keyboard while running in firmware mode (-smp 2), keys pressed through
# QEMU's monitor: S skips the current test, P holds every CPU until the next
# key (the per-CPU block counts do not move while paused, as in full
# coverage: the same run loop), Esc stops and the report is still written.
. "$(dirname "$0")/lib.sh"
plan 8

cfg='tests=3,5
passes=3
range=0x2000000-0x8000000
coverage=firmware
on_finish=shutdown'
if ! qemu_run keys "$cfg" --mem 256M --smp 2 --timeout 200 \
    --key-on 'pass 1 test 5: Moving=s' \
    --key-on 'pass 2 test 5: Moving=p' \
    --key-on 'P: paused=ret' \
    --key-on '^continuing=esc' >"$tmp/run.log" 2>&1; then
    notok "run with keys pressed ends (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
w=$tmp/keys/weakbit
serial=$(serial_text "$tmp/keys/serial.log")
check "S skipped test 5 in pass 1" grep -q "^pass 1 test 5: skipped by user" <<<"$serial"
check "the run went on after the skip" grep -q "^pass 2 test 3: Moving" <<<"$serial"
p=$(sed -n 's/^P: paused - press any key to continue (\([0-9]*\) of \([0-9]*\) CPUs holding; blocks per CPU: \(.*\))$/\1 \2|\3/p' <<<"$serial")
c=$(sed -n 's/^continuing after \([0-9]*\) ms paused (blocks per CPU: \(.*\))$/\1|\2/p' <<<"$serial")
echo "  paused: ${p:-none}; continuing: ${c:-none}"
check "P held both CPUs" test "${p%%|*}" = "2 2"
check "no CPU moved while paused (blocks ${p#*|} = ${c#*|})" test -n "$p" -a "${p#*|}" = "${c#*|}"
check "pass 2 test 3 ran in full" grep -q "^pass 2 test 3: done" <<<"$serial"
check "Esc stopped the run in pass 2" bash -c 'grep -q "^Esc: stopping; the report is still written" <<<"$0" && grep -q "^pass 2 test 5: stopped" <<<"$0" && ! grep -q "^pass 3" <<<"$0"' "$serial"
check "report written and says the user stopped it" \
    bash -c 'grep -q "^result: INCOMPLETE" "$0" && grep -q "stopped early by the user (Esc)" "$0" && grep -q "skipped by user in some runs" "$0"' "$w/report.txt"
check "session.log has the key events" \
    bash -c 'grep -q "test 5 skipped by user" "$0" && grep -q "paused by user" "$0" && grep -q "resumed" "$0" && grep -q "stopped by user (Esc)" "$0"' "$w/session.log"
finish
