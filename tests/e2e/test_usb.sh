#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The USB stick image (make usb, tools/mkusb): its layout (GPT, one EFI
# System Partition, FAT32, BOOTX64.EFI = build/weakbit.efi, the commented
# default config), then a boot in QEMU+OVMF as a USB mass-storage stick
# (qemu-xhci + usb-storage) with one leaky cell from evil-dimm. The results
# are read back out of the image's ESP with mtools, and the image must still
# hold a valid GPT and FAT afterwards.
. "$(dirname "$0")/lib.sh"
plan 28

esp_type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
img=$tmp/weakbit-usb.img
export MTOOLS_SKIP_CHECK=1

# Both GPT copies sound: sfdisk warns (stderr) about a corrupt backup table
# but still exits 0, so any message counts as a failure.
gpt_ok() {
    [ -z "$(sfdisk -d "$1" 2>&1 >/dev/null)" ] &&
        sfdisk --verify "$1" 2>/dev/null | grep -q 'No errors detected'
}

if ! "$root/tools/mkusb" "$build/weakbit.efi" "$root/boot/weakbit.cfg" "$img" >"$tmp/mkusb.log" 2>&1; then
    notok "tools/mkusb builds the image ($(tail -n1 "$tmp/mkusb.log"))"
    finish
fi
ok "tools/mkusb builds the image"

# Partition table and the ESP's place in the image (from the table, not assumed).
dump=$(sfdisk -d "$img" 2>&1)
parts=$(grep ' : start=' <<<"$dump")
check "partition table is GPT" grep -qx 'label: gpt' <<<"$dump"
check "exactly one partition, of type EFI System" \
    bash -c '[ "$(grep -c . <<<"$0")" -eq 1 ] && grep -qi "type=$1" <<<"$0"' "$parts" "$esp_type"
check "sfdisk --verify finds no problem (primary and backup GPT)" gpt_ok "$img"
check "image is 64 MiB" test "$(stat -c %s "$img")" -eq $((64 << 20))
start=$(sed -nE 's/.*start= *([0-9]+).*/\1/p' <<<"$parts")
size=$(sed -nE 's/.*size= *([0-9]+).*/\1/p' <<<"$parts")
check "ESP starts 1 MiB-aligned (sector $start)" test "$(( ${start:-1} % 2048 ))" -eq 0
esp="$img@@$(( ${start:-0} * 512 ))"

minfo -i "$esp" >"$tmp/minfo.txt" 2>&1
field() { sed -nE "s/^$1[:=] *\"?([^\"]*)\"?.*/\1/p" "$tmp/minfo.txt" | head -n1 | sed 's/ *$//'; }
check "file system is FAT32 (boot sector type)" test "$(field 'disk type')" = "FAT32"
check "volume label WEAKBIT" test "$(field 'disk label')" = "WEAKBIT"
# FAT32 proper needs at least 65525 clusters (fewer and firmware takes it for FAT16).
total=$(field 'big size' | cut -d' ' -f1) resv=$(field 'reserved \(boot\) sectors' | cut -d' ' -f1)
fats=$(field 'fats') fatlen=$(field 'Big fatlen') spc=$(field 'cluster size' | cut -d' ' -f1)
clusters=$(( (${total:-0} - ${resv:-0} - ${fats:-0} * ${fatlen:-0}) / ${spc:-1} ))
check "FAT32 has enough clusters ($clusters >= 65525)" test "$clusters" -ge 65525
check "file system fits in the partition ($total <= $size sectors)" test "${total:-0}" -le "${size:-0}" -a "${total:-0}" -gt 0
check "hidden sectors = partition start" test "$(field 'hidden sectors')" = "$start"

mkdir -p "$tmp/files"
mcopy -n -i "$esp" ::/EFI/BOOT/BOOTX64.EFI "$tmp/files/BOOTX64.EFI" 2>/dev/null
mcopy -n -i "$esp" ::/weakbit/weakbit.cfg "$tmp/files/weakbit.cfg" 2>/dev/null
check "EFI/BOOT/BOOTX64.EFI is build/weakbit.efi" cmp -s "$tmp/files/BOOTX64.EFI" "$build/weakbit.efi"
check "weakbit/weakbit.cfg is boot/weakbit.cfg" cmp -s "$tmp/files/weakbit.cfg" "$root/boot/weakbit.cfg"
check "the default config is comments only (app defaults)" \
    bash -c 'test -s "$0" && ! grep -Ev "^[[:space:]]*(#|$)" "$0" >/dev/null' "$tmp/files/weakbit.cfg"
check "nothing else on the ESP" test "$(mdir -/ -b -i "$esp" :: | LC_ALL=C sort | tr '\n' ' ')" = \
    "::/EFI/ ::/EFI/BOOT/ ::/EFI/BOOT/BOOTX64.EFI ::/weakbit/ ::/weakbit/weakbit.cfg "

# --- boot it as a USB stick with one leaky cell ----------------------------------
if [ ! -x "$build/evil-dimm" ]; then
    notok "boot as a USB stick: no $build/evil-dimm (run make)"
    finish
fi
printf 'tests=5\nquick=1\ncoverage=firmware\non_finish=shutdown\n' >"$tmp/usb.cfg"
out=$tmp/usb
if ! "$root/tools/qemu-run" --usb-image "$img" --config "$tmp/usb.cfg" --evil "$build/evil-dimm" \
    --fault 'leak,addr=@lo+0x300008,bit=9,hold_ms=40' --mem 256M --timeout 300 --out "$out" >"$tmp/run.log" 2>&1; then
    notok "boots from the USB stick and finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "boots from the USB stick and finishes"
serial=$(tr -d '\r' <"$out/serial.log" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g')
check "firmware booted the USB disk" grep -q 'BdsDxe: starting .*USB' <<<"$serial"
check "the config on the stick was read" grep -q '^config: \\weakbit\\weakbit.cfg' <<<"$serial"
a=$(( $(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' "$out/faults.txt") ))

# Read the results straight out of the image's ESP (not qemu-run's copy).
w=$tmp/stick
mkdir -p "$w"
mcopy -n -i "$esp" '::/weakbit/*' "$w/" 2>/dev/null
check "errors.csv holds exactly the injected cell ($(printf '0x%x' "$a") bit 9)" \
    test "$(csv_cells "$w/errors.csv" 2>/dev/null)" = "$a 9"
check "the cell's rows are test 5" \
    bash -c 'grep -v "^#" "$0" | tail -n +2 | gawk -F, -v a="$1" "strtonum(\$5) == a && \$6 == 9 { n++; if (\$3 != 5) bad = 1 } END { exit bad || !n }"' \
    "$w/errors.csv" "$a"
check "badram.txt covers the cell" badram_covers "$w/badram.txt" "$a"
check "report.txt is there and says FAIL with 1 weak cell" grep -q '^result: FAIL: .* 1 weak cell' "$w/report.txt"
check "session.log ended the session" grep -q 'session end' "$w/session.log"
check "the config is still on the stick" cmp -s "$w/weakbit.cfg" "$tmp/usb.cfg"

# The stick is still a sound disk: GPT, ESP, FAT.
check "GPT still intact (primary and backup)" gpt_ok "$img"
check "the ESP is still there" bash -c 'sfdisk -d "$0" | grep -qi "start= *$2,.*type=$1"' "$img" "$esp_type" "$start"
check "mdir lists the results" bash -c 'mdir -i "$0" ::/weakbit | grep -q "^errors *csv"' "$esp"
dd if="$img" of="$tmp/esp.fat" bs=512 skip="$start" count="$size" status=none
check "fsck.fat finds the ESP clean" bash -c 'fsck.fat -n "$0" >/dev/null 2>&1' "$tmp/esp.fat"
finish
