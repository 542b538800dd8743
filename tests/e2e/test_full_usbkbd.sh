#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keys from a USB keyboard in the default mode (coverage=full): no PS/2
# controller (i8042=off), a qemu-xhci with a usb-kbd, keys sent through
# QEMU's monitor, which reach only the USB keyboard, and only weakbit's own
# xHCI driver reads it after ExitBootServices. P pauses during test 5, Enter
# continues, S skips test 5, Esc stops in pass 2; the next boot's report
# says so. A second boot with an xHCI controller, an empty hub and no
# keyboard: the driver says so and gives up at once, and the run completes.
# A third with the keyboard and usb=off: the controller is left alone and
# Esc does nothing (nothing but weakbit's driver reads that keyboard).
# (debug_reset=cf9: OVMF's warm reset goes through the keyboard controller,
# which this machine does not have.)
. "$(dirname "$0")/lib.sh"
plan 11

nops2=(--machine-opt i8042=off --qemu-arg -device --qemu-arg qemu-xhci,id=xhci)
cfg='tests=5
passes=3
range=0x2000000-0x3000000
hold_ms=0
coverage=full
debug_reset=cf9
on_finish=shutdown'
if ! qemu_run kbd "$cfg" --mem 256M --timeout 240 --through-reset --vars "$tmp/vars.fd" "${nops2[@]}" \
    --qemu-arg -device --qemu-arg usb-kbd,bus=xhci.0 \
    --key-on 'pass 1 test 5: Moving=p' \
    --key-on '^P: paused=ret' \
    --key-on '^continuing after=s' \
    --key-on 'pass 2 test 5: Moving=esc' >"$tmp/run.log" 2>&1; then
    notok "full run with USB keys pressed ends (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
serial=$(serial_text "$tmp/kbd/serial.log")
grep '^usb:' <<<"$serial" | sed 's/^/  /'
check "the firmware's xHCI controller was taken over before the exit" \
    grep -q '^usb: xHCI [0-9a-f:.]* at 0x[0-9a-f]*: taken from the firmware' <<<"$serial"
check "after the exit the driver found the USB keyboard and polls it" \
    bash -c 'grep -q "^usb: xHCI .* port [0-9]* (USB 2, .*): boot keyboard" <<<"$0" && grep -q "^usb: xHCI .*: 1 keyboard polled" <<<"$0"' "$serial"
check "P on the USB keyboard paused the run in test 5" grep -q '^P: paused - press any key' <<<"$serial"
check "Enter on the USB keyboard continued" grep -q '^continuing after [0-9]* ms paused' <<<"$serial"
check "S on the USB keyboard skipped test 5 in pass 1" grep -q '^pass 1 test 5: skipped by user' <<<"$serial"
check "Esc on the USB keyboard stopped the run in pass 2" \
    bash -c 'grep -q "^Esc: stopping" <<<"$0" && grep -q "^pass 2 test 5: Moving" <<<"$0" && ! grep -q "^pass 3" <<<"$0"' "$serial"
check "the next boot's report: stopped early by the user (Esc), test 5 skipped" \
    bash -c 'grep -q "^result: INCOMPLETE" "$0" && grep -q "stopped early by the user (Esc)" "$0" && grep -q "test  5 .*skipped by user in some runs" "$0"' \
    "$tmp/kbd/weakbit/report.txt"

# An xHCI controller with only a hub on it: one line, no wait, the run as usual.
cfg='tests=5
passes=1
range=0x2000000-0x3000000
hold_ms=0
coverage=full
debug_reset=cf9
on_finish=shutdown'
if ! qemu_run none "$cfg" --mem 256M --timeout 180 --through-reset --vars "$tmp/vars2.fd" "${nops2[@]}" \
    --qemu-arg -device --qemu-arg usb-hub,bus=xhci.0 \
    >"$tmp/run2.log" 2>&1; then
    notok "full run with no USB keyboard ends (qemu-run: $(tail -n1 "$tmp/run2.log"))"
    finish
fi
serial=$(serial_text "$tmp/none/serial.log")
grep '^usb:' <<<"$serial" | sed 's/^/  /'
ms=$(sed -n 's/^usb: 0 keyboards after \([0-9]*\) ms$/\1/p' <<<"$serial")
check "no keyboard: the driver says so and gives up within its bound (${ms:-?} ms)" \
    bash -c 'grep -q "^usb: xHCI .* port [0-9]* (USB 2, full speed): a hub with 8 ports" <<<"$0" &&
             grep -q "^usb: xHCI .*: no keyboard (1 device on [0-9]* ports); PS/2 and serial keys only here" <<<"$0" &&
             [ -n "$1" ] && [ "$1" -lt 2500 ]' \
    "$serial" "$ms"
check "no keyboard: the run completed and the next boot reports it" \
    bash -c 'grep -q "^pass 1 test 5: done" <<<"$0" && grep -q "^result: PASS" "$1" && ! grep -q "stopped early" "$1"' \
    "$serial" "$tmp/none/weakbit/report.txt"

# usb=off: the keyboard is there, Esc is sent, and nobody reads it.
cfg='tests=5
passes=1
range=0x2000000-0x3000000
hold_ms=0
coverage=full
usb=off
debug_reset=cf9
on_finish=shutdown'
if ! qemu_run off "$cfg" --mem 256M --timeout 180 --through-reset --vars "$tmp/vars3.fd" "${nops2[@]}" \
    --qemu-arg -device --qemu-arg usb-kbd,bus=xhci.0 --key-on 'pass 1 test 5: Moving=esc' >"$tmp/run3.log" 2>&1; then
    notok "full run with usb=off ends (qemu-run: $(tail -n1 "$tmp/run3.log"))"
    finish
fi
serial=$(serial_text "$tmp/off/serial.log")
check "usb=off: the controller was left alone" \
    bash -c 'grep -q "^usb=off: USB controllers left alone" <<<"$0" && ! grep -q "^usb: xHCI" <<<"$0"' "$serial"
check "usb=off: Esc on the USB keyboard did nothing; the run completed" \
    bash -c '! grep -q "^Esc: stopping" <<<"$0" && grep -q "^pass 1 test 5: done" <<<"$0" &&
             grep -q "^result: PASS" "$1" && ! grep -q "stopped early" "$1"' "$serial" "$tmp/off/weakbit/report.txt"
finish
