#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full-coverage attempt that leaves no record must not be retried in a
# loop, and the reset at the end must work on firmware whose ResetSystem
# returns:
#  1. debug_full_fail=reset: the machine resets right after ExitBootServices,
#     before the first checkpoint. The next boot finds the attempt's note,
#     says why and tests in firmware mode; the firmware is left only once.
#  2. debug_full_fail=exit: ExitBootServices fails every try. No test runs in
#     that boot (only allocation services are sure to work then): it leaves
#     the note and resets, and the next boot tests in firmware mode and says
#     why.
#  3. debug_reset=cf9, kbc, triple: the final reset skips ResetSystem and
#     starts at that fallback; each one reaches the next boot, which writes
#     the results.
. "$(dirname "$0")/lib.sh"
plan 13

base='tests=1
quick=1
passes=1
range=0x08000000-0x08400000
coverage=full
on_finish=shutdown'

for how in reset exit; do
    if ! qemu_run "fail_$how" "$base
debug_full_fail=$how" --mem 512M --through-reset --vars "$tmp/$how.fd" --timeout 300 >"$tmp/$how.log" 2>&1; then
        notok "debug_full_fail=$how: the next boot finishes (qemu-run: $(tail -n1 "$tmp/$how.log"))"
        continue
    fi
    ok "debug_full_fail=$how: the next boot finishes"
    s=$(serial_text "$tmp/fail_$how/serial.log")
    r=$tmp/fail_$how/weakbit/report.txt
    check "$how: the firmware was left (or tried) once, not in a loop" \
        test "$(grep -c '^full coverage: leaving the firmware' <<<"$s")" = 1
    if [ $how = reset ]; then
        want='stopped before its first checkpoint'
        check "$how: no checkpoint was stored" bash -c '! grep -q "^checkpoint [0-9]* stored" <<<"$0"' "$s"
    else
        want='ExitBootServices failed [0-9]* times'
        check "$how: no test ran in the boot whose exit failed" \
            bash -c 'sed -n "1,/resetting: the next boot tests in firmware mode/p" <<<"$0" | grep -q "^pass 1 test" && exit 1; grep -q "resetting: the next boot tests in firmware mode" <<<"$0"' "$s"
    fi
    check "$how: the next boot says why and tests in firmware mode" \
        grep -q "^the last full-coverage attempt (session [0-9a-f-]*).*$want.*: testing in firmware mode this time" <<<"$s"
    check "$how: report: coverage firmware, with the reason" \
        bash -c 'grep -q "^result: PASS: .*, coverage firmware$" "$0" && grep -q "^coverage: firmware (the last full-coverage attempt .*$1" "$0"' "$r" "$want"
done

for how in cf9 kbc triple; do
    if ! qemu_run "reset_$how" "$base
debug_reset=$how" --mem 512M --through-reset --vars "$tmp/r$how.fd" --timeout 300 >"$tmp/r$how.log" 2>&1; then
        notok "debug_reset=$how: the reset reaches the next boot (qemu-run: $(tail -n1 "$tmp/r$how.log"))"
        continue
    fi
    s=$(serial_text "$tmp/reset_$how/serial.log")
    check "debug_reset=$how: the reset reaches the next boot, which writes the results" \
        bash -c 'grep -q "^full coverage: results of session .* (checkpoint [0-9]*, finished)" <<<"$0" &&
                 grep -q "^result: PASS: .*, coverage full$" "$1"' "$s" "$tmp/reset_$how/weakbit/report.txt"
done
finish
