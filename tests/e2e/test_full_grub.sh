#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# coverage=full when GRUB chainloads weakbit: the memory GRUB holds as loader
# code and data (its heap) is tested after ExitBootServices, the warm reset
# comes back through GRUB, and the second boot writes the report.
. "$(dirname "$0")/lib.sh"
plan 6

cat >"$tmp/grub.cfg" <<'CFG'
set timeout=0
set default=0
menuentry "weakbit memory test" {
	insmod fat
	search --no-floppy --file --set=root /EFI/weakbit/weakbit.efi
	chainloader /EFI/weakbit/weakbit.efi
}
CFG
mods="normal configfile echo test fat part_gpt part_msdos search search_fs_file chain"
if ! grub-mkstandalone -O x86_64-efi -d /usr/lib/grub/x86_64-efi -o "$tmp/grubx64.efi" \
    --modules="$mods" --install-modules="$mods" --locales= --themes= --fonts= \
    "boot/grub/grub.cfg=$tmp/grub.cfg" >"$tmp/mkstandalone.log" 2>&1; then
    notok "grub-mkstandalone builds the GRUB image ($(tail -n1 "$tmp/mkstandalone.log"))"
    finish
fi
printf 'tests=1\npasses=1\ncoverage=full\non_finish=shutdown\n' >"$tmp/full.cfg"
if ! "$root/tools/qemu-run" --efi "$tmp/grubx64.efi" --config "$tmp/full.cfg" --mem 512M \
    --extra-file "EFI/weakbit/weakbit.efi=$build/weakbit.efi" --through-reset --vars "$tmp/vars.fd" \
    --timeout 400 --out "$tmp/chain" >"$tmp/run.log" 2>&1; then
    notok "GRUB chainloads weakbit in full coverage, the next boot writes the report (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "GRUB chainloads weakbit in full coverage, the next boot writes the report"
s=$(serial_text "$tmp/chain/serial.log")
r=$tmp/chain/weakbit/report.txt
check "serial: weakbit left the firmware after GRUB started it" grep -q '^full coverage: boot services are gone' <<<"$s"
check "report: PASS, coverage full" grep -q '^result: PASS: .*, coverage full$' "$r"
share=$(sed -n 's/^coverage: full (after ExitBootServices): tested .* (\([0-9]*\)\.\([0-9]*\) %)$/\1\2/p' "$r")
check "report: tested share >= 99 % with GRUB underneath (got ${share:-none} bp)" test "${share:-0}" -ge 9900

# Loader code and data outside weakbit's footprint: GRUB's. All of it tested?
foot=$(sed -n 's/^    \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*this app: .*/\1 \2/p' "$r")
tested=$(grep '^  range 0x' <<<"$s" | awk '{print $2}')
loader=0 covered=0
while read -r _ span t1 t2; do
    case "$t1 $t2" in "loader code"|"loader data") ;; *) continue ;; esac
    lo=$(( ${span%-*} )) hi=$(( ${span#*-} ))
    for ((a = lo; a < hi; a += 4096)); do
        own=0
        while read -r fb fe; do [ -n "$fb" ] && (( a >= fb && a < fe )) && own=1; done <<<"$foot"
        [ $own = 1 ] && continue
        loader=$((loader + 4096))
        for t in $tested; do (( a >= ${t%-*} && a < ${t#*-} )) && { covered=$((covered + 4096)); break; }; done
    done
done < <(grep '^  map 0x' <<<"$s")
check "GRUB's loader memory is there ($((loader >> 10)) KiB outside weakbit's footprint)" test $loader -ge $((1 << 20))
check "all of GRUB's loader memory was tested ($((covered >> 10)) of $((loader >> 10)) KiB)" test $covered -eq $loader
finish
