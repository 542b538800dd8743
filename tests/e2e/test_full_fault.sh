#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The exception path after ExitBootServices: debug_fault=1 touches an
# unmapped address on purpose on the boot CPU. The handler prints the vector,
# RIP and CR2 on serial, stores the record and resets warm; the next boot
# reports the exception and powers off cleanly. debug_fault=2 does it on the
# first AP (-smp 2): the AP only records it and halts, the boot CPU stores the
# record and resets (only it may call the firmware), and the report names the
# AP.
# An argument runs one of the two boots only: `boot` (one CPU) or `ap`
# (-smp 2); run-all runs the first beside another suite, the second alone.
. "$(dirname "$0")/lib.sh"
part=${1:-both}
case $part in
boot) plan 6 ;;
ap) plan 5 ;;
both) plan 11 ;;
*) echo "usage: $0 [boot|ap]" >&2; exit 2 ;;
esac

if [ "$part" != ap ]; then
    cfg=$'tests=1\ncoverage=full\ndebug_fault=1\non_finish=shutdown'
    if ! qemu_run fault "$cfg" --mem 512M --through-reset --vars "$tmp/vars.fd" --timeout 300 >"$tmp/run.log" 2>&1; then
        notok "the faulting run resets and the next boot finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
        finish
    fi
    ok "the faulting run resets and the next boot finishes"
    s=$(serial_text "$tmp/fault/serial.log")
    check "serial: vector 14 with RIP and CR2 0x7ff000000000" \
        grep -q '^EXCEPTION: vector 14 (page fault) on the boot CPU (APIC ID 0) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' <<<"$s"
    check "serial: the record was stored before the reset" \
        bash -c 'sed -n "/^EXCEPTION/,\$p" <<<"$0" | grep -q "^checkpoint [0-9]* stored"' "$s"
    check "serial: the next boot found the record of the exception" \
        grep -q '^full coverage: results of session .* (checkpoint [0-9]*, ended by an exception)' <<<"$s"
    check "serial: no test ran after the fault" bash -c '! grep -q "^pass 1 test 1:" <<<"$0"' "$s"
    check "report: ended by CPU exception 14 (page fault)" \
        grep -q '^  run: ENDED BY CPU EXCEPTION 14 (page fault) on the boot CPU (APIC ID 0) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' "$tmp/fault/weakbit/report.txt"
fi

if [ "$part" != boot ]; then
    cfg=$'tests=1\ncoverage=full\ndebug_fault=2\non_finish=shutdown'
    if ! qemu_run apfault "$cfg" --mem 512M --smp 2 --through-reset --vars "$tmp/vars2.fd" --timeout 300 >"$tmp/ap.log" 2>&1; then
        notok "an AP's fault ends the run through the boot CPU (qemu-run: $(tail -n1 "$tmp/ap.log"))"
        finish
    fi
    ok "an AP's fault ends the run through the boot CPU"
    s=$(serial_text "$tmp/apfault/serial.log")
    check "serial: the AP's page fault, named as an AP (APIC ID 1)" \
        grep -q '^EXCEPTION: vector 14 (page fault) on an AP (APIC ID 1) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' <<<"$s"
    check "serial: one exception only (the AP halted; nobody faulted twice)" test "$(grep -c '^EXCEPTION' <<<"$s")" = 1
    check "serial: the record was stored, then one reset" \
        bash -c 'sed -n "/^EXCEPTION/,\$p" <<<"$0" | grep -q "^checkpoint [0-9]* stored" &&
                 test "$(grep -c "^resetting; the next boot writes" <<<"$0")" = 1' "$s"
    check "report: ended by CPU exception 14 on an AP (APIC ID 1)" \
        grep -q '^  run: ENDED BY CPU EXCEPTION 14 (page fault) on an AP (APIC ID 1) at RIP 0x[0-9a-f]*, CR2 0x7ff000000000' "$tmp/apfault/weakbit/report.txt"
fi
finish
