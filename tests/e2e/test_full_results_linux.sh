#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Results reach the user whatever boots next: a coverage=full run with a
# stuck bit stores its final record in UEFI variables and resets, and the
# boot after it is not weakbit's (QEMU stops at that reset), so weakbit never
# gets to write the files. The machine then boots GRUB and Linux with the same
# variable store; in Linux `weakbit results` reads the record through
# efivarfs, writes errors.csv, report.txt and badram.txt, and deletes the
# variables.
. "$(dirname "$0")/lib.sh"
plan 7

a=0x08400020
cfg='tests=5
quick=1
passes=1
range=0x08000000-0x09000000
coverage=full
on_finish=shutdown'
qemu_run full "$cfg" --mem 512M --timeout 300 --vars "$tmp/vars.fd" --fault "stuck,addr=$a,bit=5,value=0" \
    --faults-until '^pass 1 test 5: done' >"$tmp/full.log" 2>&1
rc=$?
# qemu-run exit 5: the run ended without writing report.txt (its next boot never came).
check "the full run stored its final record and reset, leaving no files (qemu-run exit $rc)" \
    bash -c 'test "$0" = 5 && tr -d "\r" <"$1" | grep -q "^checkpoint [0-9]* stored: .* (final)" &&
             tr -d "\r" <"$1" | grep -q "^run complete: .* resetting"' "$rc" "$tmp/full/serial.log"

cat >"$tmp/run.sh" <<'RUN'
insmod /lib/efivarfs.ko
mount -t efivarfs efivarfs /sys/firmware/efi/efivars
mkdir -p /tmp/res
wb_run before ls /sys/firmware/efi/efivars
wb_run results /bin/weakbit results -o /tmp/res
wb_run report cat /tmp/res/report.txt
wb_run badram cat /tmp/res/badram.txt
wb_run csv cat /tmp/res/errors.csv
wb_run after ls /sys/firmware/efi/efivars
RUN
if ! "$root/tools/grub-linux-boot" --badram '' --mem 512M --out "$tmp/lin" --vars "$tmp/vars.fd" \
    --file bin/weakbit="$build/weakbit-static" --run "$tmp/run.sh" --timeout 300 >"$tmp/lin.log" 2>&1; then
    notok "GRUB and Linux boot with the same variable store ($(tail -n1 "$tmp/lin.log"))"
    finish
fi
ok "GRUB and Linux boot with the same variable store"
run=$(tr -d '\r' <"$tmp/lin/run.txt")
block() { sed -n "/^weakbit-cmd: $1 BEGIN/,/^weakbit-cmd: $1 END/p" <<<"$run"; }
check "Linux sees the record's variables in efivarfs" bash -c 'grep -q "^WeakbitA00-" <<<"$0"' "$(block before)"
check "weakbit results wrote the files (rc 0)" bash -c 'grep -q "^weakbit-cmd: results END rc=0" <<<"$0"' "$(block results)"
block badram | grep '^GRUB_BADRAM=' >"$tmp/badram.txt"
check "its badram.txt masks the stuck bit" badram_covers "$tmp/badram.txt" "$a"
check "its report and errors.csv: the cell, coverage full, counts that add up" \
    bash -c 'grep -q "^result: FAIL: .*coverage full" <<<"$0" && grep -q "0x8400020,5," <<<"$1" &&
             grep -q "^  errors: [0-9]* counted, .*, 0 lost" <<<"$0"' "$(block report)" "$(block csv)"
check "the variables are gone afterwards" bash -c '! grep -q "^Weakbit" <<<"$0" && grep -q "END rc=0" <<<"$0"' "$(block after)"
finish
