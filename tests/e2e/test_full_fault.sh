#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The exception path after ExitBootServices: debug_fault=1 touches an
# unmapped address on purpose. The handler prints the vector, RIP and CR2 on
# serial, stores the record and resets warm; the next boot reports the
# exception and powers off cleanly.
. "$(dirname "$0")/lib.sh"
plan 6

cfg='tests=1
coverage=full
debug_fault=1
on_finish=shutdown'
if ! qemu_run fault "$cfg" --mem 512M --through-reset --vars "$tmp/vars.fd" --timeout 300 >"$tmp/run.log" 2>&1; then
    notok "the faulting run resets and the next boot finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "the faulting run resets and the next boot finishes"
s=$(serial_text "$tmp/fault/serial.log")
check "serial: vector 14 with RIP and CR2 0x7ff000000000" \
    grep -q '^EXCEPTION: vector 14 (page fault) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' <<<"$s"
check "serial: the record was stored before the reset" \
    bash -c 'sed -n "/^EXCEPTION/,\$p" <<<"$0" | grep -q "^checkpoint [0-9]* stored"' "$s"
check "serial: the next boot found the record of the exception" \
    grep -q '^full coverage: results of session .* (checkpoint [0-9]*, ended by an exception)' <<<"$s"
check "serial: no test ran after the fault" bash -c '! grep -q "^pass 1 test 1:" <<<"$0"' "$s"
check "report: ended by CPU exception 14 (page fault)" \
    grep -q '^  run: ENDED BY CPU EXCEPTION 14 (page fault) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' "$tmp/fault/weakbit/report.txt"
finish
