#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keys in the default mode (coverage=full, after ExitBootServices, -smp 2),
# pressed through QEMU's monitor on the PS/2 keyboard: S skips the current
# test, P holds every CPU until the next key (the per-CPU block counts do not
# move while paused), Esc stops; the next boot's report says so.
. "$(dirname "$0")/lib.sh"
plan 9

cfg='tests=3,5
passes=3
range=0x2000000-0x8000000
coverage=full
on_finish=shutdown'
if ! qemu_run keys "$cfg" --mem 256M --smp 2 --vga --timeout 300 --through-reset --vars "$tmp/vars.fd" \
    --key-on 'pass 1 test 5: Moving=s' \
    --key-on 'pass 2 test 3 +[1-9][0-9]?%=p' \
    --key-on 'P: paused=ret' \
    --key-on '^continuing=esc' >"$tmp/run.log" 2>&1; then
    notok "full run with keys pressed ends (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
w=$tmp/keys/weakbit
serial=$(serial_text "$tmp/keys/serial.log")
check "the run was in full coverage on 2 CPUs" grep -q '^cpus: 2 started by weakbit' <<<"$serial"
check "with a display adapter (--vga) its console drew on the framebuffer too" \
    grep -q '^full coverage: serial .*, framebuffer yes,' <<<"$serial"
check "S skipped test 5 in pass 1" grep -q "^pass 1 test 5: skipped by user" <<<"$serial"
check "the run went on after the skip" grep -q "^pass 2 test 3: Moving" <<<"$serial"
p=$(sed -n 's/^P: paused - press any key to continue (\([0-9]*\) of \([0-9]*\) CPUs holding; blocks per CPU: \(.*\))$/\1 \2|\3/p' <<<"$serial")
c=$(sed -n 's/^continuing after \([0-9]*\) ms paused (blocks per CPU: \(.*\))$/\1|\2/p' <<<"$serial")
echo "  paused: ${p:-none}; continuing: ${c:-none}"
check "P held both CPUs" test "${p%%|*}" = "2 2"
check "no CPU moved while paused (blocks ${p#*|} = ${c#*|})" test -n "$p" -a "${p#*|}" = "${c#*|}"
check "the pause lasted (${c%%|*} ms)" test "${c%%|*}" -gt 0 2>/dev/null
check "Esc stopped the run in pass 2" \
    bash -c 'grep -q "^Esc: stopping" <<<"$0" && ! grep -q "^pass 3" <<<"$0"' "$serial"
check "the next boot's report: stopped by the user, test 5 skipped in a run" \
    bash -c 'grep -q "^result: INCOMPLETE" "$0" && grep -q "stopped early by the user (Esc)" "$0" && grep -q "test  5 .*skipped by user in some runs" "$0"' "$w/report.txt"
finish
