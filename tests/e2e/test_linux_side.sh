#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Linux side in a real guest: GRUB (EFI) + Debian kernel + busybox
# initramfs holding the static weakbit CLI (tools/grub-linux-boot --run).
#
# Boot 1: GRUB runs the badram line weakbit made for cells A and B, the kernel
#   gets memmap=1M$ for cell C; cell D is in no line. In the guest:
#   verify A,B,C exits 0 (badram and memmap named); verify A-D exits 1 and
#   names D; verify of the badram.txt exits 0; offline D raises
#   HardwareCorrupted and reports the page offlined; offline of a kernel-code
#   page is refused and reported.
# Boot 2: memtest=1 with an evil-dimm stuck-at-1 bit: `weakbit import
#   linux-memtest` of the boot's dmesg gives a cell whose badram covers it.
. "$(dirname "$0")/lib.sh"
plan 15

cli=$build/weakbit
static=$build/weakbit-static
for f in "$cli" "$static" "$build/evil-dimm"; do
    [ -x "$f" ] || { notok "missing $f (run make)"; finish; }
done

# Guest of 512 MiB: all RAM below 0x20000000; the kernel sits near 0x0a800000.
A=0x12300008 B=0x14500010 C=0x16700018 D=0x18900020
row() { printf '1.0,0,5,0,%s,%s,0x0,0x%x\n' "$1" "$2" $((1 << $2)); }
hdr='time_s,pass,test,cpu,phys_addr,bit,expected,actual'
{ echo "$hdr"; row $A 3; row $B 5; } >"$tmp/ab.csv"
{ echo "$hdr"; row $A 3; row $B 5; row $C 7; } >"$tmp/abc.csv"
{ echo "$hdr"; row $A 3; row $B 5; row $C 7; row $D 1; } >"$tmp/abcd.csv"
{ echo "$hdr"; row $D 1; } >"$tmp/d.csv"
"$cli" badram "$tmp/ab.csv" >"$tmp/badram.txt"

# Output and exit code of one wb_run block of a run.txt.
block() { sed -n "/^weakbit-cmd: $2 BEGIN\$/,/^weakbit-cmd: $2 END/p" "$1" | sed '1d;$d'; }
rc_of() { sed -n "s/^weakbit-cmd: $2 END rc=\([0-9]*\)\$/\1/p" "$1"; }
show() { block "$1" "$2" | sed "s/^/#   $2: /"; }

cat >"$tmp/run1.sh" <<'RUN'
wb_run verify-abc weakbit verify /abc.csv
wb_run verify-abcd weakbit verify /abcd.csv
wb_run verify-badram weakbit verify /badram.txt
wb_run offline-d weakbit offline /d.csv
k=$(sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Kernel code$/\1/p' /proc/iomem)
printf 'time_s,pass,test,cpu,phys_addr,bit,expected,actual\n1,0,5,0,0x%s,0,0x0,0x1\n' "$k" >/tmp/kernel.csv
wb_run offline-kernel weakbit offline /tmp/kernel.csv
wb_run meminfo grep HardwareCorrupted /proc/meminfo
RUN
out1=$tmp/boot1
if ! "$root/tools/grub-linux-boot" --badram-file "$tmp/badram.txt" --mem 512M --out "$out1" --timeout 400 \
    --append 'memmap=1M$0x16700000' --run "$tmp/run1.sh" --file "bin/weakbit=$static" \
    --file "abc.csv=$tmp/abc.csv" --file "abcd.csv=$tmp/abcd.csv" --file "d.csv=$tmp/d.csv" \
    --file "badram.txt=$tmp/badram.txt" >"$tmp/run1.log" 2>&1; then
    notok "boot 1 (badram + memmap=) ran the commands ($(tail -n 1 "$tmp/run1.log"))"
    sed 's/^/# /' "$tmp/run1.log"
else
    ok "boot 1 (badram + memmap=) ran the commands"
    r=$out1/run.txt
    show "$r" verify-abc
    show "$r" verify-abcd
    show "$r" offline-d
    show "$r" offline-kernel
    check "verify of the covered cells exits 0" test "$(rc_of "$r" verify-abc)" = 0
    check "verify names GRUB badram for cell A" \
        grep -q '^0x0000000012300008 bit  3: protected: Unusable memory 12300000-123fffff (GRUB badram)$' \
        <(block "$r" verify-abc)
    check "verify names memmap=1M\$0x16700000 for cell C" \
        grep -q '^0x0000000016700018 bit  7: protected: Reserved 16700000-167fffff (memmap=1M\$0x16700000)$' \
        <(block "$r" verify-abc)
    check "verify with cell D left out of the line exits 1" test "$(rc_of "$r" verify-abcd)" = 1
    check "verify names cell D as NOT protected, and only D" \
        bash -c 'grep -q "^0x0000000018900020 bit  1: NOT protected: in System RAM" <<<"$0" && [ $(grep -c "NOT protected" <<<"$0") -eq 1 ]' \
        "$(block "$r" verify-abcd)"
    check "verify of badram.txt: both blocks protected, exit 0" \
        bash -c '[ "$1" = 0 ] && [ $(grep -c "^block .*: protected: Unusable memory" <<<"$0") -eq 2 ]' \
        "$(block "$r" verify-badram)" "$(rc_of "$r" verify-badram)"
    before=$(block "$r" offline-d | sed -n 's/^weakbit: HardwareCorrupted before: \([0-9]*\) kB$/\1/p')
    after=$(block "$r" offline-d | sed -n 's/^weakbit: HardwareCorrupted after: \([0-9]*\) kB.*/\1/p')
    check "offline of D's page exits 0 and reports it offlined" \
        bash -c '[ "$1" = 0 ] && grep -q "^page 0x18900000: offlined (HWPOISON set)$" <<<"$0"' \
        "$(block "$r" offline-d)" "$(rc_of "$r" offline-d)"
    check "offline raises HardwareCorrupted by 4 kB (${before:-?} -> ${after:-?} kB)" \
        test -n "$before" -a -n "$after" -a "$((after - before))" = 4
    check "offline of a kernel-code page is refused, reported, exit 1" \
        bash -c '[ "$1" = 1 ] && grep -Eq "^page 0x[0-9a-f]+: refused \((EIO|EBUSY)" <<<"$0" && [ $(grep -c "^page " <<<"$0") -eq 1 ]' \
        "$(block "$r" offline-kernel)" "$(rc_of "$r" offline-kernel)"
    check "meminfo in the guest shows the offlined page" \
        grep -Eq '^HardwareCorrupted: +4 kB$' <(block "$r" meminfo)
fi

# Boot 2: the kernel's own memtest finds a bit evil-dimm holds at 1.
E=0x19abc008
cat >"$tmp/run2.sh" <<'RUN'
dmesg >/tmp/dmesg.txt
wb_run bad-lines grep 'bad mem addr' /tmp/dmesg.txt
wb_run import weakbit import linux-memtest /tmp/dmesg.txt -o /tmp/memtest.csv
wb_run csv cat /tmp/memtest.csv
wb_run badram weakbit badram --format grub /tmp/memtest.csv
RUN
out2=$tmp/boot2
if ! "$root/tools/grub-linux-boot" --badram '' --mem 512M --out "$out2" --timeout 400 \
    --append 'memtest=1' --fault "stuck,addr=$E,bit=13,value=1" --evil "$build/evil-dimm" \
    --run "$tmp/run2.sh" --file "bin/weakbit=$static" >"$tmp/run2.log" 2>&1; then
    notok "boot 2 (memtest=1, stuck bit) ran the commands ($(tail -n 1 "$tmp/run2.log"))"
    sed 's/^/# /' "$tmp/run2.log"
else
    ok "boot 2 (memtest=1, stuck bit) ran the commands"
    r=$out2/run.txt
    show "$r" bad-lines
    show "$r" csv
    check "the kernel's memtest reported the stuck word" \
        grep -q "bad mem addr 0x0000000019abc008 - 0x0000000019abc010 reserved" <(block "$r" bad-lines)
    check "import linux-memtest exits 0 with a row for the word" \
        bash -c '[ "$1" = 0 ] && grep -q "^0.000,0,31,0,0x19abc008,0," <<<"$0"' \
        "$(block "$r" csv)" "$(rc_of "$r" import)"
    line=$(block "$r" badram)
    check "badram from the imported cell covers the stuck bit's word" \
        bash -c 'l=${0#GRUB_BADRAM=\"}; l=${l%\"}; IFS=, read -r a m <<<"$l"; (( m > 0 && (0x19abc008 & m) == (a & m) ))' "$line"
fi
finish
