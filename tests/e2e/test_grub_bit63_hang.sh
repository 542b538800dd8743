#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Why weakbit's badram masks leave bit 63 free: GRUB 2.06 (EFI, Debian 12)
# never returns from `badram ADDR,MASK` when MASK has bit 63 set and a memory
# region starts above every address the pattern covers (its search for the
# first matching address overflows). The same block with bit 63 free works.
#
# Boot 1: 0x20000000,0x7ffffffffff00000 must get past badram and mask the block.
# Boot 2: 0x20000000,0xfffffffffff00000 must still sit in badram when QEMU
#         is killed: no marker after the command, no kernel output. It is
#         killed 4 x the time boot 1 took from power-on to past badram after
#         it reached the command (at least $GRUB_HANG_TIMEOUT s when set): so
#         GRUB sits in badram 4 x as long as a whole working boot needed to
#         get past it, however late a loaded host brings boot 2 there.
. "$(dirname "$0")/lib.sh"
plan 9

min_timeout=${GRUB_HANG_TIMEOUT:-0}
boot=$root/tools/grub-linux-boot
# shellcheck disable=SC2317  # called through check
not() { ! "$@"; }

# --- bit 63 free: passes ------------------------------------------------------------
"$boot" --badram 0x20000000,0x7ffffffffff00000 --mem 5G --out "$tmp/free" --timeout 300 \
    >"$tmp/free.log" 2>&1
rc=$?
check "bit 63 free: the boot finishes (exit $rc)" test $rc -eq 0
check "bit 63 free: GRUB gets past badram" grep -q 'weakbit-grub: after badram' "$tmp/free/serial.log"
check "bit 63 free: 0x20000000-0x200fffff is Unusable memory" \
    grep -qx '20000000-200fffff : Unusable memory' "$tmp/free/iomem.txt"
t_pass=$(sed -n 's/.*GRUB past badram at \([0-9]*\)s.*/\1/p' "$tmp/free.log")
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/free.log"

# --- bit 63 set: hangs ---------------------------------------------------------------
hang_after=$(( ${t_pass:-0} * 4 ))
# (No time from boot 1, which failed: the checks below fail anyway.)
[ "$hang_after" -gt 0 ] || hang_after=30
[ "$hang_after" -ge "$min_timeout" ] || hang_after=$min_timeout
"$boot" --badram 0x20000000,0xfffffffffff00000 --mem 5G --out "$tmp/set" --timeout 300 \
    --hang-after "$hang_after" >"$tmp/set.log" 2>&1
rc=$?
s=$tmp/set/serial.log
t_kill=$(sed -n 's/.*timeout after \([0-9]*\)s.*/\1/p' "$tmp/set.log")
check "bit 63 set: still not booted when killed at ${t_kill:-?}s (exit 3 = timeout, got $rc)" test $rc -eq 3
check "bit 63 set: GRUB reached the badram command" grep -q 'weakbit-grub: before badram' "$s"
check "bit 63 set: GRUB never got past badram" not grep -q 'weakbit-grub: after badram' "$s"
check "bit 63 set: no kernel output" not grep -qE 'weakbit-grub: booting|EFI stub|Linux version|weakbit-initrd' "$s"
check "bit 63 set: the tool calls it a hang in badram" grep -q 'GRUB hung in badram' "$tmp/set.log"
# GRUB must have sat in badram far longer than it needs when badram works:
# from reaching the command to the kill, 4 x boot 1's time from power-on to
# past the command.
t_pre=$(sed -n 's/.*GRUB hung in badram (reached it at \([0-9]*\)s).*/\1/p' "$tmp/set.log")
sat=$(( ${t_kill:-0} - ${t_pre:-${t_kill:-0}} ))
check "GRUB sat in badram ${sat}s, at least 4x the ${t_pass:-?}s a working badram needed" \
    test -n "$t_pass" -a -n "$t_pre" -a -n "$t_kill" -a "$sat" -ge $(( ${t_pass:-1} * 4 ))
echo "# bit 63 set, end of the serial log:"
tr -d '\r' <"$s" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g' | grep -v '^[[:space:]]*$' | tail -n 2 | sed 's/^/#   /'
finish
