#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests for tools/evil-dimm.  Usage: test_evil_dimm.sh PATH/TO/evil-dimm
#
# Drives a RAM-like file with bash + coreutils only (dd/od/printf) and, if
# qemu-system-x86_64 is installed, checks the map against a paused q35 guest.

set -u

ED=${1:-}
if [[ -z $ED || ! -x $ED ]]; then
	echo "usage: $0 PATH/TO/evil-dimm" >&2
	exit 2
fi

# TAP plan: every check below, the three of the live QEMU part included.
echo "1..64"
failures=0
pids=()
shm_files=()
T=$(mktemp -d "${TMPDIR:-/tmp}/evil-dimm-test.XXXXXX")
SHM_DIR=/dev/shm
[[ -d $SHM_DIR && -w $SHM_DIR ]] || SHM_DIR=$T

forget_pid() { # forget_pid PID: drop an exact entry from pids
	local p keep=()
	for p in "${pids[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	pids=("${keep[@]}")
}

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	exec 4>&- 5>&- 2>/dev/null
	rm -f "${shm_files[@]}"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	failures=$((failures + 1))
}
check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# Not via $(...): the subshell would lose the shm_files entry for cleanup.
new_shm_file() { # new_shm_file VAR SIZE
	local -n out=$1
	out=$(mktemp "$SHM_DIR/evil-dimm-test.XXXXXX") || return 1
	shm_files+=("$out")
	truncate -s "$2" "$out"
}

# 64-bit little-endian words as 16 hex digits, most significant first.
read_word() { # read_word FILE OFFSET
	local b out="" i
	b=$(od -An -v -tx1 -j "$2" -N 8 "$1" | tr -d ' \n')
	for ((i = 14; i >= 0; i -= 2)); do out+=${b:i:2}; done
	echo "$out"
}

write_word() { # write_word FILE OFFSET HEX16
	local esc="" i
	for ((i = 14; i >= 0; i -= 2)); do esc+="\\x${3:i:2}"; done
	printf "$esc" | dd of="$1" bs=8 count=1 seek="$2" oflag=seek_bytes \
		conv=notrunc status=none
}

wait_word() { # wait_word FILE OFFSET HEX16 TIMEOUT_S
	local end=$((SECONDS + $4 + 1)) i
	for ((i = 0; i < $4 * 20; i++)); do
		[[ $(read_word "$1" "$2") == "$3" ]] && return 0
		((SECONDS > end)) && break
		sleep 0.05
	done
	[[ $(read_word "$1" "$2") == "$3" ]]
}

wait_file() { # wait_file PATH TIMEOUT_S
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.05
	done
	return 1
}

word_is() { [[ $(read_word "$1" "$2") == "$3" ]]; }
log_has() { grep -qF -- "$2" "$1"; }

start_ed() { # start_ed READY LOG ARGS... ; sets ED_PID
	local ready=$1 log=$2
	shift 2
	"$ED" --ready-file "$ready" --log "$log" "$@" 2>"$log.err" &
	ED_PID=$!
	pids+=("$ED_PID")
	wait_file "$ready" 5
}

stop_ed() { # stop_ed: SIGTERM, returns evil-dimm's exit status
	local rc
	kill -TERM "$ED_PID" 2>/dev/null
	wait "$ED_PID"
	rc=$?
	forget_pid "$ED_PID"
	return "$rc"
}

# Exactly exit 2 with a one-line reason on stderr and nothing on stdout.
expect_refused() { # expect_refused NAME ARGS...
	local name=$1 rc
	shift
	# A binary that wrongly accepts would run forever: bound it.
	timeout 5 "$ED" "$@" >"$T/refused.out" 2>"$T/refused.err"
	rc=$?
	if [[ $rc -eq 2 && $(wc -l <"$T/refused.err") -eq 1 && ! -s $T/refused.out ]]; then
		ok "$name"
	else
		not_ok "$name (rc=$rc, stderr: $(head -c 200 "$T/refused.err"))"
	fi
}

# 'info mtree -f' as printed by QEMU 7.2 for
#   -machine q35,memory-backend=mem -m 5G -nodefaults -S
# (I/O view shortened).  The first view is the SMM one; only AS "memory"
# must be used.
MTREE_5G=$(cat <<'EOF'
QEMU 7.2.22 monitor - type 'help' for more information
(qemu) info mtree -f
FlatView #0
 AS "cpu-smm-0", root: memory
 Root memory region: memory
  0000000000000000-00000000000bffff (prio 0, ram): mem
  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000
  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000
  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic
  00000000fed00000-00000000fed003ff (prio 0, i/o): hpet
  00000000fee00000-00000000feefffff (prio 4096, i/o): apic-msi
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  0000000100000000-00000001bfffffff (prio 0, ram): mem @0000000080000000

FlatView #1
 AS "mch", root: bus master container
 AS "ICH9-LPC", root: bus master container
 AS "ich9-ahci", root: bus master container
 AS "ICH9-SMB", root: bus master container
 Root memory region: (none)
  No rendered FlatView

FlatView #2
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 Root memory region: system
  0000000000000000-00000000000bffff (prio 0, ram): mem
  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000
  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000
  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic
  00000000fed00000-00000000fed003ff (prio 0, i/o): hpet
  00000000fee00000-00000000feefffff (prio 4096, i/o): apic-msi
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  0000000100000000-00000001bfffffff (prio 0, ram): mem @0000000080000000

FlatView #3
 AS "I/O", root: io
 Root memory region: io
  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan
  0000000000000008-000000000000000f (prio 0, i/o): dma-cont
  0000000000000010-000000000000001f (prio 0, i/o): io @0000000000000010
  0000000000005659-000000000000ffff (prio 0, i/o): io @0000000000005659
EOF
)
MAP_5G='map 0x0-0xbffff @0x0
map 0x100000-0x7fffffff @0x100000
map 0x100000000-0x1bfffffff @0x80000000'

printf '%s\n' "$MTREE_5G" >"$T/mtree5g.txt"
# Same text with CRLF line ends, as the monitor sends it.
printf '%s\r\n' "${MTREE_5G//$'\n'/$'\r\n'}" >"$T/mtree5g-crlf.txt"
# Decoy: the SMM view maps high RAM elsewhere; picking it would be a bug.
printf '%s\n' "${MTREE_5G/mem @0000000080000000/mem @0000000012340000}" >"$T/mtree5g-decoy.txt"

new_shm_file SMALL 16M || { not_ok "create test file"; exit 1; }

# --- 1. stuck-at -------------------------------------------------------------
write_word "$SMALL" $((0x0ff8)) 1111111111111111
write_word "$SMALL" $((0x1000)) 0000000000000000
write_word "$SMALL" $((0x1008)) 2222222222222222
write_word "$SMALL" $((0x1010)) ffffffffffffffff
if start_ed "$T/r1" "$T/log1" --file "$SMALL" --seed 1 \
	--fault stuck,addr=0x1000,bit=5,value=1 \
	--fault stuck,addr=0x1010,bit=63,value=0; then
	check "stuck-at-1 sets bit 5 within 1 s" wait_word "$SMALL" $((0x1000)) 0000000000000020 1
	check "stuck-at-0 clears bit 63" wait_word "$SMALL" $((0x1010)) 7fffffffffffffff 1
	check "stuck-at leaves neighbour words alone" \
		bash -c '[[ $1 == 1111111111111111 && $2 == 2222222222222222 ]]' _ \
		"$(read_word "$SMALL" $((0x0ff8)))" "$(read_word "$SMALL" $((0x1008)))"
	write_word "$SMALL" $((0x1000)) 0000000000000000
	check "stuck-at forces again after a rewrite" wait_word "$SMALL" $((0x1000)) 0000000000000020 1
	write_word "$SMALL" $((0x1000)) a5a5a5a5a5a5a580
	check "stuck-at keeps other bits of the word" wait_word "$SMALL" $((0x1000)) a5a5a5a5a5a5a5a0 1
	stop_ed
	check "SIGTERM exits 0" test $? -eq 0
	check "stuck event logged" log_has "$T/log1" "stuck addr=0x1000 bit=5 forced 1"
	check "stuck summary counts 3 forces" log_has "$T/log1" "summary stuck addr=0x1000 bit=5 flips=3"
	check "identity map warns on stderr" log_has "$T/log1.err" "warning"
	check "identity map logged" log_has "$T/log1" "map 0x0-0xffffff @0x0"
else
	not_ok "stuck-at: evil-dimm did not become ready"
fi

# --- 1b. region: a stuck bit in every word of a range ------------------------
write_word "$SMALL" $((0x7ff8)) 0000000000000000
write_word "$SMALL" $((0x8000)) 0000000000000000
write_word "$SMALL" $((0x8ff8)) 0123456789abcdef
write_word "$SMALL" $((0x9000)) 0000000000000000
if start_ed "$T/r1b" "$T/log1b" --file "$SMALL" --map 0-0xffffff@0 --seed 1 \
	--fault region,addr=0x8000,len=0x1000,bit=9,value=1; then
	check "region: first word forced" wait_word "$SMALL" $((0x8000)) 0000000000000200 1
	check "region: last word forced, other bits kept" wait_word "$SMALL" $((0x8ff8)) 0123456789abcfef 1
	check "region: words around it untouched" \
		bash -c '[[ $1 == 0000000000000000 && $2 == 0000000000000000 ]]' _ \
		"$(read_word "$SMALL" $((0x7ff8)))" "$(read_word "$SMALL" $((0x9000)))"
	write_word "$SMALL" $((0x8800)) 0000000000000000
	check "region: forces again after a rewrite" wait_word "$SMALL" $((0x8800)) 0000000000000200 1
	stop_ed
	check "region: every word counted once, and the rewrite" \
		log_has "$T/log1b" "summary region addr=0x8000 bit=9 flips=513"
else
	not_ok "region: evil-dimm did not become ready"
fi
expect_refused "region: len not a multiple of 8 refused" --file "$SMALL" --fault region,addr=0x8000,len=12,bit=1,value=1
expect_refused "region: len required" --file "$SMALL" --fault region,addr=0x8000,bit=1,value=1
expect_refused "region: beyond the mapped RAM refused" --file "$SMALL" --map 0-0xffffff@0 \
	--fault region,addr=0xfff000,len=0x2000,bit=1,value=1

# --- 2./3. leaks -------------------------------------------------------------
write_word "$SMALL" $((0x2000)) deadbeef00020001 # leaks after 100 ms
write_word "$SMALL" $((0x3000)) deadbeef00020001 # dormant for 2 s
write_word "$SMALL" $((0x4000)) deadbeef00020001 # p=0
write_word "$SMALL" $((0x5000)) deadbeef00000001 # charged=0: leaks to 1
write_word "$SMALL" $((0x6000)) deadbeef00020001 # holds 1.5 s
if start_ed "$T/r2" "$T/log2" --file "$SMALL" --map 0-0xffffff@0 --seed 7 \
	--fault leak,addr=0x2000,bit=17,hold_ms=100 \
	--fault leak,addr=0x3000,bit=17,hold_ms=100,after_s=2 \
	--fault leak,addr=0x4000,bit=17,hold_ms=50,p=0 \
	--fault leak,addr=0x5000,bit=17,hold_ms=100,charged=0 \
	--fault leak,addr=0x6000,bit=17,hold_ms=1500,p=1.0; then
	sleep 0.5
	check "leak: bit 17 lost after hold_ms (other bits kept)" \
		word_is "$SMALL" $((0x2000)) deadbeef00000001
	check "leak: after_s=2 dormant at 0.5 s" word_is "$SMALL" $((0x3000)) deadbeef00020001
	check "leak: hold_ms=1500 still charged at 0.5 s" word_is "$SMALL" $((0x6000)) deadbeef00020001
	check "leak: charged=0 cell drifts to 1" word_is "$SMALL" $((0x5000)) deadbeef00020001
	# Guest discharges and recharges 0x6000 at ~0.6 s: a new hold period
	# starts, so it must still be charged at ~1.8 s and leak by ~3 s.
	write_word "$SMALL" $((0x6000)) deadbeef00000001
	sleep 0.1
	write_word "$SMALL" $((0x6000)) deadbeef00020001
	write_word "$SMALL" $((0x2000)) deadbeef00020001
	check "leak: recharged cell leaks again" wait_word "$SMALL" $((0x2000)) deadbeef00000001 1
	sleep 1.1
	check "leak: guest rewrite restarts the hold period" \
		word_is "$SMALL" $((0x6000)) deadbeef00020001
	sleep 1.3
	check "leak: after_s=2 flips by 3 s" word_is "$SMALL" $((0x3000)) deadbeef00000001
	check "leak: hold_ms=1500 flips by 3 s" word_is "$SMALL" $((0x6000)) deadbeef00000001
	check "leak: p=0 never flips" word_is "$SMALL" $((0x4000)) deadbeef00020001
	stop_ed
	check "leak: SIGTERM exits 0" test $? -eq 0
	check "leak event logged" log_has "$T/log2" "leak addr=0x2000 bit=17 1->0"
	check "leak summary: recharged cell flipped twice" \
		log_has "$T/log2" "summary leak addr=0x2000 bit=17 flips=2"
	check "leak summary: p=0 flipped never" \
		log_has "$T/log2" "summary leak addr=0x4000 bit=17 flips=0"
	check "leak: armed lines logged" log_has "$T/log2" "armed leak addr=0x3000 bit=17"
else
	not_ok "leak: evil-dimm did not become ready"
fi

# --duration ends the run by itself with status 0.
write_word "$SMALL" $((0x7000)) 0000000000000000
timeout 5 "$ED" --file "$SMALL" --map 0-0xffffff@0 --duration 0.3 \
	--fault stuck,addr=0x7000,bit=0,value=1 >"$T/log3" 2>&1
check "--duration exits 0 on its own" test $? -eq 0
check "--duration run still injected" word_is "$SMALL" $((0x7000)) 0000000000000001
check "--log defaults to stdout" log_has "$T/log3" "summary stuck addr=0x7000 bit=0 flips=1"

# --- 4. address map ----------------------------------------------------------
check "--mtree --print-map gives the 5 GiB q35 layout" \
	bash -c '[[ $("$1" --mtree "$2" --print-map) == "$3" ]]' _ "$ED" "$T/mtree5g.txt" "$MAP_5G"
check "--mtree handles CRLF monitor output" \
	bash -c '[[ $("$1" --mtree "$2" --print-map) == "$3" ]]' _ "$ED" "$T/mtree5g-crlf.txt" "$MAP_5G"
check "--mtree uses AS memory, not the first flat view" \
	bash -c '[[ $("$1" --mtree "$2" --print-map) == "$3" ]]' _ "$ED" "$T/mtree5g-decoy.txt" "$MAP_5G"
check "--map by hand" \
	bash -c '[[ $("$1" --map 100000000-1bfffffff@80000000 --map 0x0-0x7fffffff@0x0 --print-map) == "$2" ]]' \
	_ "$ED" $'map 0x0-0x7fffffff @0x0\nmap 0x100000000-0x1bfffffff @0x80000000'

BIG=""
if new_shm_file BIG 5G && start_ed "$T/r4" "$T/log4" --file "$BIG" --mtree "$T/mtree5g.txt" \
	--fault stuck,addr=0x140000000,bit=0,value=1; then
	check "fault at pa 0x140000000 lands at file offset 0xc0000000" \
		wait_word "$BIG" $((0xc0000000)) 0000000000000001 1
	check "nothing written at the identity-ish offset 0x40000000" \
		word_is "$BIG" $((0x40000000)) 0000000000000000
	check "fault log shows the translated offset" log_has "$T/log4" "off=0xc0000000"
	stop_ed
else
	not_ok "mapping: evil-dimm did not become ready on the 5 GiB file"
fi
[[ -n $BIG ]] && rm -f "$BIG"

# --- 5./6. refused input -----------------------------------------------------
write_word "$SMALL" $((0x8000)) 0000000000000000
expect_refused "fault in the PCI hole (0xc0000000) refused" \
	--mtree "$T/mtree5g.txt" --print-map --fault stuck,addr=0xc0000000,bit=0,value=1
expect_refused "fault above top of RAM refused" \
	--mtree "$T/mtree5g.txt" --print-map --fault stuck,addr=0x1c0000000,bit=0,value=1
expect_refused "fault beyond the file size refused" \
	--file "$SMALL" --mtree "$T/mtree5g.txt" \
	--fault stuck,addr=0x8000,bit=0,value=1 --fault stuck,addr=0x100000000,bit=0,value=1
check "refused run touched nothing" word_is "$SMALL" $((0x8000)) 0000000000000000
expect_refused "unaligned address refused" \
	--file "$SMALL" --fault stuck,addr=0x1004,bit=0,value=1
expect_refused "unknown key refused" \
	--file "$SMALL" --fault leak,addr=0x1000,bit=1,colour=red
expect_refused "key of the other kind refused" \
	--file "$SMALL" --fault stuck,addr=0x1000,bit=1,value=1,hold_ms=5
expect_refused "bit 64 refused" --file "$SMALL" --fault leak,addr=0x1000,bit=64
expect_refused "p > 1 refused" --file "$SMALL" --fault leak,addr=0x1000,bit=1,p=1.5
expect_refused "stuck without value refused" --file "$SMALL" --fault stuck,addr=0x1000,bit=1
expect_refused "unknown fault kind refused" --file "$SMALL" --fault flaky,addr=0x1000,bit=1
expect_refused "duplicate key refused" --file "$SMALL" --fault leak,addr=0x1000,bit=1,bit=2
expect_refused "bad number refused" --file "$SMALL" --fault leak,addr=0x10zz,bit=1
expect_refused "overlapping --map refused" --map 0-0xfff@0 --map 0x800-0x1fff@0x10000 --print-map
expect_refused "malformed --map refused" --map 0x1000@0 --print-map
expect_refused "unknown backend refused" --mtree "$T/mtree5g.txt" --backend pc.ram --print-map
expect_refused "two map sources refused" --mtree "$T/mtree5g.txt" --map 0-0xfff@0 --print-map
expect_refused "unknown option refused" --file "$SMALL" --frobnicate
expect_refused "missing --file refused" --fault leak,addr=0x1000,bit=1

# --- 7. live QEMU ------------------------------------------------------------
QEMU=$(command -v qemu-system-x86_64 || true)
if [[ -z $QEMU ]]; then
	for name in "qemu: --monitor --print-map matches the 5 GiB q35 layout" \
		"qemu: guest sees the stuck bit at pa 0x140000000" "qemu: file offset 0xc0000000 holds it"; do
		echo "ok - $name # SKIP qemu-system-x86_64 not installed"
	done
else
	new_shm_file QRAM 0
	rm -f "$QRAM" # QEMU creates and sizes it
	mkfifo "$T/mon2.in" "$T/mon2.out"
	"$QEMU" -machine q35,memory-backend=mem,accel=tcg \
		-object memory-backend-file,id=mem,size=5G,mem-path="$QRAM",share=on -m 5G \
		-monitor unix:"$T/mon.sock",server,nowait \
		-chardev pipe,id=mon2,path="$T/mon2" -mon chardev=mon2,mode=readline \
		-display none -nodefaults -S >"$T/qemu.log" 2>&1 &
	QPID=$!
	pids+=("$QPID")
	check "qemu: --monitor --print-map matches the 5 GiB q35 layout" \
		bash -c '[[ $("$1" --monitor "$2" --print-map) == "$3" ]]' _ "$ED" "$T/mon.sock" "$MAP_5G"

	if start_ed "$T/r7" "$T/log7" --file "$QRAM" --monitor "$T/mon.sock" \
		--fault stuck,addr=0x140000000,bit=3,value=1; then
		# Ask QEMU (second monitor) what the guest sees at that address.
		exec 4<>"$T/mon2.out" 5>"$T/mon2.in"
		printf 'xp /1gx 0x140000000\n' >&5
		seen=""
		for ((i = 0; i < 50; i++)); do
			IFS= read -r -t 0.2 -u 4 line || true
			if [[ $line == *"0000000140000000: 0x"* ]]; then
				seen=${line##*: }
				seen=${seen%$'\r'}
				break
			fi
		done
		check "qemu: guest sees the stuck bit at pa 0x140000000" \
			test "$seen" == 0x0000000000000008
		check "qemu: file offset 0xc0000000 holds it" \
			word_is "$QRAM" $((0xc0000000)) 0000000000000008
		printf 'quit\n' >&5
		stop_ed
	else
		not_ok "qemu: evil-dimm did not become ready (see $T/log7.err)"
	fi
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	forget_pid "$QPID"
	rm -f "$QRAM"
fi

if ((failures)); then
	echo "# $failures check(s) failed"
	exit 1
fi
echo "# all checks passed"
