#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The GRUB menu entry: `make install` into a DESTDIR puts exactly weakbit.efi
# on the ESP and the grub.d script in /etc/grub.d (and `make uninstall` takes
# both away); the installed script, run against a stub grub-mkconfig_lib that
# describes a FAT image as the ESP, emits the "weakbit memory test" entry;
# and a GRUB EFI image whose grub.cfg holds that entry chainloads weakbit in
# QEMU+OVMF, which runs to the end and writes its report. Nothing outside
# this test's temporary folder is touched.
. "$(dirname "$0")/lib.sh"
plan 41

# make in the repo, installing the app under test as it is (-o: never rebuilt here).
mk() { make --no-print-directory -C "$root" BUILD="$build" -o "$build/weakbit.efi" "$@"; }

# --- 1. make install / uninstall with DESTDIR (default ESP=/boot/efi) ----------------
d=$tmp/dest
if mk install DESTDIR="$d" >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=... succeeds"
else
    notok "make install DESTDIR=... succeeds ($(tail -n1 "$tmp/install.log"))"
fi
files=$(cd "$d" 2>/dev/null && find . ! -type d | LC_ALL=C sort | tr '\n' ' ')
check "install put exactly the two files (got: $files)" \
    test "$files" = "./boot/efi/EFI/weakbit/weakbit.efi ./etc/grub.d/20_weakbit "
check "ESP/EFI/weakbit/weakbit.efi is build/weakbit.efi" cmp -s "$d/boot/efi/EFI/weakbit/weakbit.efi" "$build/weakbit.efi"
check "/etc/grub.d/20_weakbit is mode 755" test "$(stat -c %a "$d/etc/grub.d/20_weakbit" 2>/dev/null)" = 755
check "the script names the app's path on the target system" \
    grep -qx 'weakbit_efi="/boot/efi/EFI/weakbit/weakbit.efi"' "$d/etc/grub.d/20_weakbit"
check "no placeholder left in the script" bash -c 'test -s "$0" && ! grep -q @WEAKBIT_EFI@ "$0"' "$d/etc/grub.d/20_weakbit"
check "the script is POSIX sh (dash -n)" sh -n "$d/etc/grub.d/20_weakbit"
check "install says to run update-grub" grep -q 'run update-grub' "$tmp/install.log"
if mk uninstall DESTDIR="$d" >"$tmp/uninstall.log" 2>&1; then
    ok "make uninstall DESTDIR=... succeeds"
else
    notok "make uninstall DESTDIR=... succeeds ($(tail -n1 "$tmp/uninstall.log"))"
fi
check "uninstall removed both files and EFI/weakbit/" \
    test -z "$(find "$d" ! -type d)" -a ! -e "$d/boot/efi/EFI/weakbit"
check "uninstall says to run update-grub" grep -q 'run update-grub' "$tmp/uninstall.log"

# --- 2. the installed script with a stub grub-mkconfig_lib ---------------------------------
# Stage an install for an ESP "mounted" at $esp (a symlink into the staging
# root stands in for the mount), and a FAT image with a known volume serial
# that plays the ESP's device.
stage=$tmp/stage esp=$tmp/esp img=$tmp/esp.img
mk install DESTDIR="$stage" ESP="$esp" >"$tmp/install2.log" 2>&1 ||
    { notok "make install ESP=... ($(tail -n1 "$tmp/install2.log"))"; finish; }
ln -s "$stage$esp" "$esp"
script=$stage/etc/grub.d/20_weakbit
app=$esp/EFI/weakbit/weakbit.efi
dd if=/dev/zero of="$img" bs=1M count=64 status=none
mkfs.vfat -F 32 -n ESP -i 5742B17E "$img" >/dev/null
mmd -i "$img" ::/EFI ::/EFI/BOOT ::/weakbit

mkdir -p "$tmp/pkgdata" "$tmp/etc/default" "$tmp/sys/firmware/efi"
cat >"$tmp/pkgdata/grub-mkconfig_lib" <<'STUB'
# Test stand-in for GRUB's grub-mkconfig_lib: one ESP, the FAT image
# $WB_ESP_IMAGE, mounted at $WB_ESP_MOUNT. Every call is logged to $WB_STUB_LOG.
grub_probe=wb_grub_probe
wb_grub_probe() {
    echo "grub-probe $*" >>"$WB_STUB_LOG"
    wb_target="" wb_dev=0 wb_arg=""
    while [ $# -gt 0 ]; do
        case $1 in
        --target=*) wb_target=${1#--target=} ;;
        -t|--target) wb_target=$2; shift ;;
        -d|--device) wb_dev=1 ;;
        *) wb_arg=$1 ;;
        esac
        shift
    done
    if [ "$wb_target" = device ]; then
        [ $wb_dev = 0 ] || return 1
        case $wb_arg in "$WB_ESP_MOUNT"/*) echo "$WB_ESP_IMAGE"; return 0 ;; esac
        return 1
    fi
    [ $wb_dev = 1 ] && [ "$wb_arg" = "$WB_ESP_IMAGE" ] || return 1
    case $wb_target in
    fs) echo fat ;;
    fs_uuid)    # FAT volume serial as GRUB prints it: xxxx-xxxx
        minfo -i "$wb_arg" | sed -n 's/^serial number: *\([0-9A-Fa-f]\{4\}\)\([0-9A-Fa-f]\{4\}\) *$/\1-\2/p' |
            tr 'A-F' 'a-f' ;;
    *) return 1 ;;
    esac
}
prepare_grub_to_access_device() {
    echo "prepare $*" >>"$WB_STUB_LOG"
    echo "insmod $("$grub_probe" --device "$1" --target=fs)"
    echo "search --no-floppy --fs-uuid --set=root $("$grub_probe" --device "$1" --target=fs_uuid)"
}
make_system_path_relative_to_its_root() {
    echo "relpath $*" >>"$WB_STUB_LOG"
    case $1 in "$WB_ESP_MOUNT"/*) echo "${1#"$WB_ESP_MOUNT"}" ;; *) return 1 ;; esac
}
STUB
: >"$tmp/etc/default/grub"

# run_script NAME [VAR=VALUE...]: stdout NAME.out, stderr NAME.err, log NAME.log
run_script() {
    local name=$1; shift
    : >"$tmp/$name.log"
    env -u GRUB_DISABLE_WEAKBIT pkgdatadir="$tmp/pkgdata" sysconfdir="$tmp/etc" \
        WEAKBIT_EFI_SYSFS="$tmp/sys/firmware/efi" \
        WB_ESP_IMAGE="$img" WB_ESP_MOUNT="$esp" WB_STUB_LOG="$tmp/$name.log" "$@" \
        sh "$script" >"$tmp/$name.out" 2>"$tmp/$name.err"
}
run_script entry
rc=$?
check "grub.d script exits 0" test $rc -eq 0
check "stderr: Found weakbit image: $app" test "$(cat "$tmp/entry.err")" = "Found weakbit image: $app"
entry=$(cat "$tmp/entry.out")
printf '%s\n' "$entry" | sed 's/^/  | /'
check "one entry titled \"weakbit memory test\"" \
    test "$(grep -c '^menuentry "weakbit memory test" .*{$' <<<"$entry")" -eq 1
check "entry has an id for GRUB_DEFAULT (\$menuentry_id_option 'weakbit')" \
    grep -q "^menuentry .* \\\$menuentry_id_option 'weakbit' {\$" <<<"$entry"
check "entry finds the ESP by its FAT UUID" \
    grep -qx $'\tsearch --no-floppy --fs-uuid --set=root 5742-b17e' <<<"$entry"
check "entry loads the fat module" grep -qx $'\tinsmod fat' <<<"$entry"
check "entry chainloads /EFI/weakbit/weakbit.efi" \
    grep -qx $'\tchainloader \'/EFI/weakbit/weakbit.efi\'' <<<"$entry"
check "entry ends with }" test "$(tail -n1 <<<"$entry")" = "}"
check "helpers used: grub-probe --target=device on the app, prepare on its device, relative path" \
    bash -c 'grep -qx "grub-probe --target=device $1" "$0" && grep -qx "prepare $2" "$0" && grep -qx "relpath $1" "$0"' \
    "$tmp/entry.log" "$app" "$img"

echo 'GRUB_DISABLE_WEAKBIT=true' >"$tmp/etc/default/grub"
run_script disabled
check "GRUB_DISABLE_WEAKBIT=true in /etc/default/grub: no entry" \
    test $? -eq 0 -a ! -s "$tmp/disabled.out" -a ! -s "$tmp/disabled.err"
: >"$tmp/etc/default/grub"
mkdir -p "$tmp/etc/default/grub.d"
echo 'GRUB_DISABLE_WEAKBIT="true"' >"$tmp/etc/default/grub.d/50-weakbit.cfg"
run_script disabled_d
check "GRUB_DISABLE_WEAKBIT=\"true\" in /etc/default/grub.d/*.cfg: no entry" test $? -eq 0 -a ! -s "$tmp/disabled_d.out"
echo 'GRUB_DISABLE_WEAKBIT=false' >"$tmp/etc/default/grub.d/50-weakbit.cfg"
run_script enabled
check "GRUB_DISABLE_WEAKBIT=false: the entry is back" cmp -s "$tmp/enabled.out" "$tmp/entry.out"
rm -r "$tmp/etc/default/grub.d"
run_script disabled_env GRUB_DISABLE_WEAKBIT=true
check "GRUB_DISABLE_WEAKBIT=true in the environment: no entry" test $? -eq 0 -a ! -s "$tmp/disabled_env.out"
run_script nonefi WEAKBIT_EFI_SYSFS="$tmp/no/such/dir"
check "no /sys/firmware/efi (BIOS boot): no entry" test $? -eq 0 -a ! -s "$tmp/nonefi.out"
mv "$stage$app" "$tmp/weakbit.efi.away"
run_script missing
check "weakbit.efi not on the ESP: no entry" test $? -eq 0 -a ! -s "$tmp/missing.out"
mv "$tmp/weakbit.efi.away" "$stage$app"

# --- 3. GRUB with that entry chainloads weakbit in QEMU+OVMF ------------------------------
{
    echo "# as grub-mkconfig would write it: 00_header's bits, then 20_weakbit's entry"
    echo 'set menuentry_id_option="--id"'
    echo 'set default="weakbit"'
    echo 'set timeout=0'
    printf '%s\n' "$entry"
} >"$tmp/grub.cfg"
mods="normal configfile echo test fat part_gpt part_msdos search search_fs_uuid chain"
if ! grub-mkstandalone -O x86_64-efi -d /usr/lib/grub/x86_64-efi -o "$tmp/grubx64.efi" \
    --modules="$mods" --install-modules="$mods" --locales= --themes= --fonts= \
    "boot/grub/grub.cfg=$tmp/grub.cfg" >"$tmp/mkstandalone.log" 2>&1; then
    notok "grub-mkstandalone builds the GRUB image ($(tail -n1 "$tmp/mkstandalone.log"))"
    finish
fi
ok "grub-mkstandalone builds the GRUB image"

printf 'tests=5\nquick=1\nrange=0x2000000-0x4000000\ncoverage=firmware\non_finish=shutdown\n' >"$tmp/chain.cfg"
out=$tmp/chain
if "$root/tools/qemu-run" --efi "$tmp/grubx64.efi" --image "$img" --config "$tmp/chain.cfg" \
    --extra-file "EFI/weakbit/weakbit.efi=$app" --timeout 240 --out "$out" >"$tmp/run.log" 2>&1; then
    ok "GRUB boots, chainloads weakbit, the run finishes"
else
    notok "GRUB boots, chainloads weakbit, the run finishes (qemu-run: $(tail -n1 "$tmp/run.log"))"
fi
serial=$(tr -d '\r' <"$out/serial.log" 2>/dev/null | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g')
loading=$(grep -n 'Loading weakbit memory test \.\.\.' <<<"$serial" | head -n1 | cut -d: -f1)
banner=$(grep -n '^weakbit .* memory tester' <<<"$serial" | head -n1 | cut -d: -f1)
check "serial: GRUB ran the entry (\"Loading weakbit memory test ...\")" test -n "$loading"
check "serial: weakbit started after GRUB's message" test -n "$banner" -a "${banner:-0}" -gt "${loading:-0}"
check "serial: weakbit read \\weakbit\\weakbit.cfg from the ESP" grep -q '^config: \\weakbit\\weakbit.cfg' <<<"$serial"
check "serial: only the configured range is tested" \
    bash -c 'r=$(grep "^  range 0x" <<<"$0"); [ -n "$r" ] && gawk "{ split(\$2, a, \"-\"); if (strtonum(a[1]) < 0x2000000 || strtonum(a[2]) > 0x4000000) bad = 1 } END { exit bad }" <<<"$r"' "$serial"
check "serial: result: PASS" grep -q '^result: PASS' <<<"$serial"
check "report.txt came back from the ESP, PASS" grep -q '^result: PASS' "$out/weakbit/report.txt"
# Coverage is honest under GRUB: GRUB's memory (loader data that is not
# weakbit's image) is listed, and every region left out, by owner or
# reason, adds up with the tested bytes to total RAM.
r=$out/weakbit/report.txt
loader=$(sed -n 's/^    the loader that started weakbit (loader code\/data) .*(\([0-9]*\) bytes)$/\1/p' "$r")
check "report lists the loader's memory (${loader:-none} bytes)" test "${loader:-0}" -gt $((1 << 20))
check "report lists this app's image apart from it" grep -q '^    this app (its image) ' "$r"
check "the loader's regions are listed one by one" \
    grep -Eq '^  0x[0-9a-f]+-0x[0-9a-f]+ +[0-9.]+ [KMG]iB  the loader that started weakbit' "$r"
total=$(sed -n 's/^  tested .* total RAM counts reserved DRAM too (\([0-9]*\) bytes)$/\1/p' "$r")
tested=$(sed -n 's/^  total RAM .*, tested .* (\([0-9]*\) bytes) in .*/\1/p' "$r")
left=$(sed -n '/^  RAM left out, by owner or reason/,/^tested ranges:/p' "$r" |
    sed -n 's/^    .*(\([0-9]*\) bytes)$/\1/p' | gawk '{ s += $1 } END { print s + 0 }')
check "tested + left out = total RAM (${tested:-?} + $left = ${total:-?})" \
    test -n "$total" -a "$(( ${tested:-0} + left ))" = "${total:-x}"
check "no unaccounted bytes" bash -c 'test -s "$0" && ! grep -q "unaccounted" "$0"' "$r"
check "the result line gives the share of RAM tested" \
    grep -Eq '^result: PASS: .*, tested [0-9]+ of [0-9]+ MiB \([0-9]+\.[0-9] %\)(, coverage [a-z]+)?$' "$r"
check "the ESP's EFI/BOOT/BOOTX64.EFI is the GRUB image" \
    bash -c 'mcopy -n -i "$0" ::/EFI/BOOT/BOOTX64.EFI "$1" && cmp -s "$1" "$2"' "$img" "$tmp/boot.efi" "$tmp/grubx64.efi"
finish
