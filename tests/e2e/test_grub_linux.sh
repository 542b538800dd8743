#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GRUB's badram, end to end, without weakbit: GRUB 2.06 (EFI) runs the badram
# line of a badram.txt, boots a Debian kernel, and the blocks must show up as
# "Unusable memory" in the guest's /proc/iomem (tools/grub-linux-boot).
#
# With no arguments a hand-written badram.txt is used: three 1 MiB blocks, two
# below 2 GiB and one above 4 GiB (a -m 5G q35 guest has RAM at 0-2 GiB and
# 4-7 GiB), masks with bit 63 free. To check a real weakbit result instead:
#   --badram-file F         badram.txt to boot with
#   --expect-addrs 'A B'    addresses whose aligned block must be unusable
#   --expect-unusable N     total bytes of "Unusable memory" expected (omit: not checked)
#   --block SIZE            block size around each address (default 0x100000)
#   --mem SIZE              guest RAM (default 5G)
#
# Why the total is compared with an absolute number: a baseline boot of this
# guest (OVMF, q35, -m 5G, same kernel, no badram command) has no
# "Unusable memory" line at all, so every unusable byte comes from badram.
. "$(dirname "$0")/lib.sh"

badram_file="" addrs="" expect_unusable="" block=0x100000 mem=5G
builtin=1
while [ $# -gt 0 ]; do
    case $1 in
    --badram-file) badram_file=$2; builtin=0; shift 2 ;;
    --expect-addrs) addrs=$2; shift 2 ;;
    --expect-unusable) expect_unusable=$2; shift 2 ;;
    --block) block=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    *) echo "usage: $0 [--badram-file F --expect-addrs 'A ...' [--expect-unusable BYTES]] [--block SIZE] [--mem SIZE]" >&2
       exit 2 ;;
    esac
done
if [ $builtin -eq 1 ]; then
    badram_file=$tmp/badram.txt
    cat >"$badram_file" <<'EOF'
GRUB_BADRAM="0x20000000,0x7ffffffffff00000,0x16a700000,0x7ffffffffff00000,0x40100000,0x7ffffffffff00000"
badram 0x20000000,0x7ffffffffff00000,0x16a700000,0x7ffffffffff00000,0x40100000,0x7ffffffffff00000
# hand-written: three 1 MiB blocks, one above 4 GiB
EOF
    [ -n "$addrs" ] || addrs="0x20000000 0x16a700000 0x40100000"
    [ -n "$expect_unusable" ] || expect_unusable=$((3 * 0x100000))
fi
[ -n "$addrs" ] || { echo "$0: --expect-addrs is required with --badram-file" >&2; exit 2; }

# The plan, from the arguments: the boot, badram went on (when the file has a
# badram line), one check per address, System RAM above 4 GiB (when an address
# is there), the total (when one is expected). A caller that counts these
# checks in its own plan sets WEAKBIT_NO_PLAN.
n=1
grep -q '^[[:space:]]*badram[[:space:]]' "$badram_file" && n=$((n + 1))
above=0
for a in $addrs; do n=$((n + 1)); [ $(( a & ~(block - 1) )) -lt $((0x100000000)) ] || above=1; done
n=$((n + above))
[ -z "$expect_unusable" ] || n=$((n + 1))
[ -n "${WEAKBIT_NO_PLAN:-}" ] || plan $n

out=$tmp/boot
if ! "$root/tools/grub-linux-boot" --badram-file "$badram_file" --mem "$mem" --out "$out" \
    --timeout 300 >"$tmp/run.log" 2>&1; then
    notok "GRUB + Linux boot prints /proc/iomem ($(tail -n 1 "$tmp/run.log"))"
    sed 's/^/# /' "$tmp/run.log"
    finish
fi
ok "GRUB + Linux boot prints /proc/iomem ($(sed -n 's/.*\(iomem at [0-9]*s\).*/\1/p' "$tmp/run.log"))"
if grep -q '^[[:space:]]*badram[[:space:]]' "$badram_file"; then
    check "GRUB ran the badram command and went on" \
        grep -q 'weakbit-grub: after badram' "$out/serial.log"
fi

# "Unusable memory" ranges of iomem.txt as decimal "start end" (end inclusive).
sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Unusable memory$/\1 \2/p' "$out/iomem.txt" |
    while read -r s e; do echo $((16#$s)) $((16#$e)); done >"$tmp/unusable"
echo "# Unusable memory in the guest:"
grep 'Unusable memory' "$out/iomem.txt" | sed 's/^/#   /'

# Is every byte of [$1, $2) inside the unusable ranges (adjacent ones may join)?
# shellcheck disable=SC2317  # called through check
covered() {
    local cur=$1 end=$2 s e moved
    while [ "$cur" -lt "$end" ]; do
        moved=0
        while read -r s e; do
            if [ "$s" -le "$cur" ] && [ "$cur" -le "$e" ]; then cur=$((e + 1)); moved=1; fi
        done <"$tmp/unusable"
        [ "$moved" -eq 1 ] || return 1
    done
}

high=0
for a in $addrs; do
    b=$(( a & ~(block - 1) ))
    [ $b -lt $((0x100000000)) ] || high=1
    check "block $(printf '0x%x-0x%x' $b $((b + block - 1))) is Unusable memory" covered $b $((b + block))
done
if [ $high -eq 1 ]; then
    check "the guest has System RAM above 4 GiB" \
        grep -qE '^[0-9a-f]{9,}-[0-9a-f]+ : System RAM$' "$out/iomem.txt"
fi
if [ -n "$expect_unusable" ]; then
    total=0
    while read -r s e; do total=$((total + e - s + 1)); done <"$tmp/unusable"
    check "Unusable memory totals $((expect_unusable)) bytes (got $total)" \
        test "$total" -eq "$((expect_unusable))"
fi
finish
