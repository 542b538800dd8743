#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Linux side on the host, against captured and fake kernel files:
# verify (/proc/iomem, /proc/cmdline, lockdown), import (Memtest86+, the
# kernel's memtest=, address lists) and offline (fake sysfs and meminfo,
# --at-boot under a temporary root, make uninstall).
suite=linux-side
. "$(dirname "$0")/lib.sh"
plan 54
repo=$(cd "$(dirname "$0")/../.." && pwd)
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
fails_if() {  # name, then a command that must FAIL (exit non-zero)
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then echo "not ok - $suite: $name"; fails=1; else echo "ok - $suite: $name"; fi
}

# --- verify ---------------------------------------------------------------------
# Three cells: one under GRUB's badram, one under memmap=$, one in System RAM.
cat >"$tmp/cells.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual
1.0,0,5,0,0x20000008,3,0x0,0x8
2.0,0,5,0,0x40100010,5,0x0,0x20
3.0,0,5,0,0x16a7abcd8,0,0x1,0x0
CSV
head -n 3 "$tmp/cells.csv" >"$tmp/two.csv"
# Captured from a q35 guest booted with badram and memmap= (addresses shifted).
cat >"$tmp/iomem" <<'IOMEM'
00000000-00000fff : Reserved
00001000-0009ffff : System RAM
000a0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-1fffffff : System RAM
  01000000-01e00fff : Kernel code
  01e00000-0228ffff : Kernel rodata
20000000-200fffff : Unusable memory
20100000-400fffff : System RAM
40100000-401fffff : Reserved
40200000-7ffdffff : System RAM
7ffe0000-7fffffff : Reserved
b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]
  b0000000-bfffffff : Reserved
100000000-27fffffff : System RAM
IOMEM
printf 'BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=1234 ro memmap=1M\\$0x40100000 quiet\n' >"$tmp/cmdline"
printf 'BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=1234 ro quiet\n' >"$tmp/cmdline.none"
printf 'BOOT_IMAGE=/vmlinuz ro memmap=1M!0x16a700000 memmap=exactmap memmap=640K@0,4K$0x7000000\n' >"$tmp/cmdline.other"
printf 'BOOT_IMAGE=/vmlinuz ro memmap=1M!0x16a700000 "memmap=exactmap" memmap=640K@0 memmap=4G\n' >"$tmp/cmdline.bang"
printf 'none [integrity] confidentiality\n' >"$tmp/lockdown"

verify() { "$cli" verify --iomem "$tmp/iomem" --lockdown /nonexistent "$@"; }
out=$(verify --cmdline "$tmp/cmdline" "$tmp/two.csv"); rc=$?
check "verify: badram and memmap cells protected, exit 0" test $rc -eq 0
check "verify: names GRUB badram as the protection" \
    grep -q '^0x0000000020000008 bit  3: protected: Unusable memory 20000000-200fffff (GRUB badram)$' <<<"$out"
check "verify: names the memmap= entry (\\\$ escape read)" \
    grep -q '^0x0000000040100010 bit  5: protected: Reserved 40100000-401fffff (memmap=1M\$0x40100000)$' <<<"$out"
check "verify: summary counts the cells" grep -q '^weakbit: 2 of 2 cells protected$' <<<"$out"

out=$(verify --cmdline "$tmp/cmdline" "$tmp/cells.csv"); rc=$?
check "verify: a cell in System RAM gives exit 1" test $rc -eq 1
check "verify: names the unprotected cell and its System RAM range" \
    grep -q '^0x000000016a7abcd8 bit  0: NOT protected: in System RAM 100000000-27fffffff;' <<<"$out"
check "verify: reason: neither the badram line nor the memmap= entry covers the cell" \
    grep -q "NOT protected.*neither GRUB's badram line nor the 1 memmap=\\$ entry on the kernel command line cover" <<<"$out"
out=$(verify --cmdline "$tmp/cmdline.none" "$tmp/cells.csv")
check "verify: reason: badram does not cover the cell (others are unusable)" \
    grep -q '^0x000000016a7abcd8.*GRUB.s badram line does not cover this cell' <<<"$out"
grep -v 'Unusable memory' "$tmp/iomem" >"$tmp/iomem.nobad"
out=$("$cli" verify --iomem "$tmp/iomem.nobad" --cmdline "$tmp/cmdline.bang" --lockdown /nonexistent "$tmp/cells.csv")
check "verify: '!', '@', exactmap and size-only memmap forms are no protection; reason names grub.cfg" \
    grep -q '^0x000000016a7abcd8 bit  0: NOT protected.*no memmap=\$ entry: check `grep badram /boot/grub/grub.cfg`' <<<"$out"
check "verify: a memmap=\$ item in a comma list is read" \
    bash -c '"$0" verify --iomem "$1" --cmdline "$2" --lockdown /nonexistent "$3" | grep -q "has 1 memmap=\\\$ entry"' \
    "$cli" "$tmp/iomem.nobad" "$tmp/cmdline.other" "$tmp/cells.csv"
out=$("$cli" verify --iomem "$tmp/iomem.nobad" --cmdline "$tmp/cmdline.none" --lockdown "$tmp/lockdown" "$tmp/cells.csv")
check "verify: reason: Secure Boot lockdown refuses badram" \
    grep -q 'NOT protected.*Secure Boot lockdown is on (integrity): GRUB refuses badram' <<<"$out"
sed -E 's/^( *)[0-9a-f]+-[0-9a-f]+/\100000000-00000000/' "$tmp/iomem" >"$tmp/iomem.user"
err=$("$cli" verify --iomem "$tmp/iomem.user" --cmdline "$tmp/cmdline" "$tmp/cells.csv" 2>&1); rc=$?
check "verify: non-root iomem (all zeros) refused: exit 2, run as root" \
    bash -c '[ "$0" -eq 2 ] && grep -q "run as root" <<<"$1" && [ $(wc -l <<<"$1") -eq 1 ]' "$rc" "$err"
printf '00000000-00000fff : Reserved\nnot an iomem line\n' >"$tmp/iomem.bad"
check "verify: malformed iomem refused with its line number" \
    bash -c '"$0" verify --iomem "$1" --cmdline "$2" "$3" 2>&1 | grep -q "iomem.bad:2: not an iomem line"' \
    "$cli" "$tmp/iomem.bad" "$tmp/cmdline" "$tmp/cells.csv"
fails_if "verify: no input files is an error" "$cli" verify --iomem "$tmp/iomem" --cmdline "$tmp/cmdline"
fails_if "verify: unknown option is an error" "$cli" verify --bogus "$tmp/cells.csv"

# badram.txt: its memmap= granules are the blocks.
"$cli" badram "$tmp/two.csv" >"$tmp/badram2.txt"
"$cli" badram "$tmp/cells.csv" >"$tmp/badram3.txt"
out=$(verify --cmdline "$tmp/cmdline" "$tmp/badram2.txt"); rc=$?
check "verify badram.txt: both 1 MiB blocks protected, exit 0" \
    bash -c '[ "$0" -eq 0 ] && grep -q "^block 0x20000000-0x200fffff: protected: Unusable" <<<"$1" && grep -q "^block 0x40100000-0x401fffff: protected: Reserved" <<<"$1"' "$rc" "$out"
sed -i 's/^100000000-27fffffff : System RAM$/100000000-16a6fffff : System RAM\n16a700000-16a7fffff : Unusable memory\n16a800000-27fffffff : System RAM/' "$tmp/iomem"
sed -i 's/^40100000-401fffff : Reserved$/40100000-4017ffff : Reserved\n40180000-401fffff : System RAM/' "$tmp/iomem"
out=$(verify --cmdline "$tmp/cmdline" "$tmp/badram3.txt"); rc=$?
check "verify badram.txt: a block half in System RAM is NOT protected, exit 1" \
    bash -c '[ "$0" -eq 1 ] && grep -q "^block 0x40100000-0x401fffff: NOT protected: in System RAM 40180000-401fffff" <<<"$1" && grep -q "^block 0x16a700000-0x16a7fffff: protected" <<<"$1"' "$rc" "$out"
grep -E '^(GRUB_BADRAM|#)' "$tmp/badram3.txt" >"$tmp/grubonly.txt"
out=$(verify --cmdline "$tmp/cmdline" "$tmp/grubonly.txt")
check "verify badram.txt without memmap=: the GRUB pairs are checked" \
    grep -q "^pair 0x40100000,0x7ffffffffff00000: NOT protected" <<<"$out"

# --- import ---------------------------------------------------------------------
# Memtest86+ BadRAM list as on screen: wrapped after a comma, bit 63 set in masks.
cat >"$tmp/mt.txt" <<'MT'
# copied from the Memtest86+ screen (BadRAM patterns)
badram=0x0000000020000008,0xfffffffffffffff8,0x0000000020001010,
       0xfffffffffffffff8,0x40100000,0xfffffffffffff000
memmap=4K$0x1234000,8K\$0x5000000
0x1ff9a8 0x1ff9aa..0x1ff9ab
MT
"$cli" import memtest86plus "$tmp/mt.txt" -o "$tmp/mt.csv" 2>"$tmp/err"; rc=$?
check "import memtest86plus: exit 0" test $rc -eq 0
check "import: header first, then the source in a # line" \
    bash -c 'head -n1 "$0" | grep -qx "time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c,addr_uncertain,source" && sed -n 2p "$0" | grep -q "^# imported by weakbit import memtest86plus from .*mt.txt: 7 entries, 9 pages; the source.s masks set bit 63"' "$tmp/mt.csv"
want='0x1234000 0x1ff9a8000 0x1ff9aa000 0x1ff9ab000 0x20000008 0x20001010 0x40100000 0x5000000 0x5001000'
got=$(gawk -F, 'NR > 1 && !/^#/ { print $5 }' "$tmp/mt.csv" | sort | tr '\n' ' ' | sed 's/ $//')
check "import memtest86plus: wrapped badram, memmap and page lists give one row per page ($got)" \
    test "$got" = "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ' | sed 's/ $//')"
check "import: the rows read as cells (9 cells)" bash -c '"$0" cells "$1" | grep -qx "9 cells"' "$cli" "$tmp/mt.csv"
line=$("$cli" badram --format grub "$tmp/mt.csv")
check "import: badram from imported rows covers every page, masks with bit 63 free" \
    bash -c 'l=${0#GRUB_BADRAM=\"}; l=${l%\"}; IFS=, read -r -a v <<<"$l"; for x in $1; do hit=0; for ((i=0;i<${#v[@]};i+=2)); do (( v[i+1] >= 0 )) || exit 1; (( (x & v[i+1]) == (v[i] & v[i+1]) )) && hit=1; done; [ $hit = 1 ] || exit 1; done' "$line" "$want"
printf 'badram=0x1000,0xfffffffffffff000,\n0x2000,zz\n' >"$tmp/mt.bad"
err=$("$cli" import memtest86plus "$tmp/mt.bad" 2>&1 >/dev/null); rc=$?
check "import: malformed line refused with file:line" \
    bash -c '[ "$0" -ne 0 ] && grep -q "mt.bad:2: badram list: expected a 0x hex address or mask" <<<"$1"' "$rc" "$err"
printf 'badram=0x1000,0xfffffffffffff000,0x2000\n' >"$tmp/mt.odd"
fails_if "import: badram list with an address and no mask refused" "$cli" import memtest86plus "$tmp/mt.odd"
printf 'badram=0x1000,0xfffffffffffff000,\n' >"$tmp/mt.cut"
fails_if "import: list cut off after a trailing comma refused" "$cli" import memtest86plus "$tmp/mt.cut"
printf 'memmap=1G$0x40000000\n' >"$tmp/mt.huge"
err=$("$cli" import memtest86plus "$tmp/mt.huge" 2>&1 >/dev/null); rc=$?
check "import: an absurd range (1 GiB) refused with a reason" \
    bash -c '[ "$0" -ne 0 ] && grep -q "mt.huge:1: more than 65536 pages (256 MiB)" <<<"$1"' "$rc" "$err"
printf 'badram=0x1000,0xfffff000\n' >"$tmp/mt.32"
fails_if "import: a 32-bit mask (repeats every 4 GiB) refused" "$cli" import memtest86plus "$tmp/mt.32"

# The kernel's memtest=: dmesg as the kernel prints it (mm/memtest.c, %pa).
cat >"$tmp/dmesg.txt" <<'DMESG'
[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)
[    0.003611] early_memtest: # of tests: 1
[    0.003612]   0x0000000000100000 - 0x0000000001000000 pattern 0000000000000000
[    0.170120]   0000000000000000 bad mem addr 0x0000000018000008 - 0x0000000018000010 reserved
[    0.170200]   0000000000000000 bad mem addr 0x0000000019000ff8 - 0x0000000019001008 reserved
[    0.201337] Memory: 437532K/523768K available
DMESG
out=$("$cli" import linux-memtest "$tmp/dmesg.txt"); rc=$?
got=$(gawk -F, 'NR > 1 && !/^#/ { print $5 }' <<<"$out" | tr '\n' ' ')
check "import linux-memtest: each bad range's pages become rows ($got)" \
    test "$rc $got" = "0 0x18000008 0x19000ff8 0x19001000 "
check "import linux-memtest: rows are bit 0, test 31, certain" \
    bash -c 'grep -q "^0.000,0,31,0,0x18000008,0,0x0000000000000000,0x0000000000000001,,0,test$" <<<"$0"' "$out"
printf '[    0.1]   0000000000000000 bad mem addr 0x18000008 - reserved\n' >"$tmp/dmesg.bad"
fails_if "import linux-memtest: a damaged bad mem addr line refused" "$cli" import linux-memtest "$tmp/dmesg.bad"

printf '# from stressapptest\n0x36a7abcd8\n\n123456789  # decimal\n' >"$tmp/addrs.txt"
out=$("$cli" import addresses "$tmp/addrs.txt")
check "import addresses: hex, decimal, comments and blank lines" \
    bash -c 'grep -q ",0x36a7abcd8,0," <<<"$0" && grep -q ",0x75bcd10,0," <<<"$0"' "$out"
printf '0x1000\n0x2000\n0x12g\n' >"$tmp/addrs.bad"
check "import addresses: malformed line refused with its number" \
    bash -c '! "$0" import addresses "$1" 2>&1 >/dev/null | grep -q "addrs.bad:3:" && exit 1; "$0" import addresses "$1" >/dev/null 2>&1 && exit 1; exit 0' \
    "$cli" "$tmp/addrs.bad"
fails_if "import: unknown format refused" "$cli" import memtest86 "$tmp/addrs.txt"
fails_if "import: no files refused" "$cli" import addresses

# --- offline ----------------------------------------------------------------------
root=$tmp/root
mkdir -p "$root/sys/devices/system/memory" "$root/proc"
: >"$root/sys/devices/system/memory/soft_offline_page"
printf 'MemTotal:        8000000 kB\nHardwareCorrupted:     8 kB\n' >"$root/proc/meminfo"
out=$("$cli" offline --root "$root" --dry-run "$tmp/cells.csv"); rc=$?
check "offline --dry-run: writes nothing, lists the pages, exit 0" \
    bash -c '[ "$0" -eq 0 ] && [ ! -s "$1" ] && grep -q "^page 0x40100000: would write 0x40100000 to" <<<"$2"' \
    "$rc" "$root/sys/devices/system/memory/soft_offline_page" "$out"
out=$("$cli" offline --root "$root" "$tmp/cells.csv"); rc=$?
check "offline: every page written and reported offlined, exit 0" \
    bash -c '[ "$0" -eq 0 ] && [ $(grep -c ": offlined$" <<<"$1") -eq 3 ] && grep -qx "weakbit: 3 of 3 pages offline" <<<"$1"' "$rc" "$out"
check "offline: writes the physical page address in hex" \
    grep -qx '0x16a7ab000' "$root/sys/devices/system/memory/soft_offline_page"
check "offline: HardwareCorrupted before and after from meminfo" \
    bash -c 'grep -qx "weakbit: HardwareCorrupted before: 8 kB" <<<"$0" && grep -qx "weakbit: HardwareCorrupted after: 8 kB (+0 kB)" <<<"$0"' "$out"
# A kernel that refuses a write: /dev/full fails every write (ENOSPC).
mkdir -p "$tmp/full"
ln -s /dev/full "$tmp/full/soft_offline_page"
out=$("$cli" offline --root "$root" --sysfs "$tmp/full" "$tmp/two.csv" 2>&1); rc=$?
check "offline: refused pages reported once each, exit 1" \
    bash -c '[ "$0" -eq 1 ] && [ $(grep -c "^page 0x.*: refused (No space left on device)$" <<<"$1") -eq 2 ] && grep -q "^weakbit: 0 of 2 pages offline; refused pages stay in use" <<<"$1"' "$rc" "$out"
# HWPOISON in /proc/kpageflags: bit 19 of the page's 64-bit word.
python3 - "$root/proc/kpageflags" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.seek(0x20000 * 8); f.write(struct.pack("<Q", 1 << 19))   # 0x20000000 already poisoned
    f.seek(0x40100 * 8); f.write(struct.pack("<Q", 0))         # 0x40100000 not marked after the write
PY
: >"$root/sys/devices/system/memory/soft_offline_page"
out=$("$cli" offline --root "$root" "$tmp/two.csv"); rc=$?
check "offline: a page already HWPOISON is not written again" \
    bash -c 'grep -qx "page 0x20000000: already offline (HWPOISON)" <<<"$0" && grep -qx "0x40100000" "$1"' \
    "$out" "$root/sys/devices/system/memory/soft_offline_page"
check "offline: a write the kernel took without HWPOISON is NOT offlined, exit 1" \
    bash -c '[ "$0" -eq 1 ] && grep -q "^page 0x40100000: NOT offlined" <<<"$1"' "$rc" "$out"
rm -f "$root/proc/kpageflags"
err=$("$cli" offline --sysfs "$tmp/nosuch" --meminfo "$root/proc/meminfo" "$tmp/two.csv" 2>&1); rc=$?
check "offline: no soft_offline_page: exit 2 naming CONFIG_MEMORY_FAILURE" \
    bash -c '[ "$0" -eq 2 ] && grep -q "lacks CONFIG_MEMORY_FAILURE" <<<"$1"' "$rc" "$err"
: >"$root/sys/devices/system/memory/hard_offline_page"
err=$("$cli" offline --root "$root" --hard "$tmp/two.csv" 2>&1 >/dev/null)
check "offline --hard: warns that processes may be killed, uses hard_offline_page" \
    bash -c 'grep -q "kills every process" <<<"$0" && grep -qx "0x40100000" "$1"' "$err" "$root/sys/devices/system/memory/hard_offline_page"

# --at-boot: state + unit + enable link under the temporary root.
out=$("$cli" offline --root "$root" --bin /usr/local/bin/weakbit --at-boot "$tmp/two.csv"); rc=$?
unit=$root/etc/systemd/system/weakbit-offline.service
state=$root/var/lib/weakbit/offline-pages
check "offline --at-boot: offlines now and installs, exit 0" test $rc -eq 0
check "offline --at-boot: oneshot unit runs weakbit offline --state" \
    bash -c 'grep -qx "Type=oneshot" "$0" && grep -qx "ExecStart=/usr/local/bin/weakbit offline --state" "$0" && grep -qx "WantedBy=sysinit.target" "$0"' "$unit"
check "offline --at-boot: enabled (sysinit.target.wants link)" \
    test "$(readlink "$root/etc/systemd/system/sysinit.target.wants/weakbit-offline.service")" = /etc/systemd/system/weakbit-offline.service
check "offline --at-boot: state lists the pages" \
    bash -c 'grep -qx 0x20000000 "$0" && grep -qx 0x40100000 "$0" && [ $(grep -c "^0x" "$0") -eq 2 ]' "$state"
"$cli" offline --root "$root" --bin /usr/local/bin/weakbit --at-boot "$tmp/cells.csv" >/dev/null
check "offline --at-boot again: the page list grows (union), no duplicates" \
    bash -c '[ $(grep -c "^0x" "$0") -eq 3 ] && grep -qx 0x16a7ab000 "$0"' "$state"
: >"$root/sys/devices/system/memory/soft_offline_page"
out=$("$cli" offline --root "$root" --state); rc=$?
check "offline --state: offlines the recorded pages" \
    bash -c '[ "$0" -eq 0 ] && grep -qx "weakbit: 3 of 3 pages offline" <<<"$1"' "$rc" "$out"
printf '0x1000\nbogus\n' >"$tmp/badstate"
mkdir -p "$tmp/root2/var/lib/weakbit"
cp "$tmp/badstate" "$tmp/root2/var/lib/weakbit/offline-pages"
check "offline --state: a damaged state file refused with its line number" \
    bash -c '"$0" offline --root "$1" --state 2>&1 | grep -q "offline-pages:2: not a 0x page address"' "$cli" "$tmp/root2"
fails_if "offline: no input is an error" "$cli" offline --root "$root"
fails_if "offline: --state with CSV files is an error" "$cli" offline --root "$root" --state "$tmp/two.csv"
make -s -C "$repo" uninstall DESTDIR="$root" >/dev/null 2>&1
check "make uninstall (DESTDIR) removes the unit, its link and the state" \
    bash -c '[ ! -e "$0/etc/systemd/system/weakbit-offline.service" ] && [ ! -L "$0/etc/systemd/system/sysinit.target.wants/weakbit-offline.service" ] && [ ! -e "$0/var/lib/weakbit" ]' "$root"
exit $fails
