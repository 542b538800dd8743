# SPDX-License-Identifier: MIT
# Shared helpers for the QEMU e2e tests (sourced).
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${WEAKBIT_BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
tmp=$(mktemp -d)
# WEAKBIT_KEEP=DIR keeps this suite's outputs in DIR/SUITE (for a look after a failure).
trap 'if [ -n "${WEAKBIT_KEEP:-}" ]; then mkdir -p "$WEAKBIT_KEEP" && rm -rf "${WEAKBIT_KEEP:?}/$suite" && mv "$tmp" "$WEAKBIT_KEEP/$suite"; fi; rm -rf "$tmp"' EXIT
fails=0
suite=$(basename "$0" .sh)

# The number of checks this suite runs (TAP plan), printed first.
plan() { echo "1..$1"; }
ok() { echo "ok - $suite: $1"; }
# A check that could not run here: TAP skip, counted apart from passes.
skip() { echo "ok - $suite: $1 # SKIP $2"; }
notok() { echo "not ok - $suite: $1"; fails=1; }
check() {  # name, command...
    local name=$1; shift
    if "$@"; then ok "$name"; else notok "$name"; fi
}

# qemu_run NAME CONFIG-TEXT [qemu-run options...]: results in $tmp/NAME
qemu_run() {
    local name=$1 cfg=$2; shift 2
    printf '%s\n' "$cfg" >"$tmp/$name.cfg"
    "$root/tools/qemu-run" --efi "$build/weakbit.efi" --evil "$build/evil-dimm" \
        --config "$tmp/$name.cfg" --out "$tmp/$name" "$@"
}

# The serial log as plain lines: no CRs, no terminal colour/cursor sequences.
serial_text() {
    tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g'
}

# Distinct "addr bit" pairs in an errors.csv, sorted.
csv_cells() {
    tail -n +2 "$1" | tr -d '\r' | gawk -F, 'NF >= 8 { printf "%d %d\n", strtonum($5), $6 }' | sort -u
}

# Does the GRUB_BADRAM line in badram.txt cover address $2? GRUB's rule:
# A is bad iff (A & mask) == (addr & mask).
badram_covers() {
    local line pairs a=$(( $2 )) i
    line=$(grep '^GRUB_BADRAM=' "$1") || return 1
    pairs=${line#GRUB_BADRAM=\"}
    pairs=${pairs%\"}
    IFS=, read -r -a v <<<"$pairs"
    for ((i = 0; i + 1 < ${#v[@]}; i += 2)); do
        (( (a & v[i+1]) == (v[i] & v[i+1]) )) && return 0
    done
    return 1
}

# Tested ranges from report.txt as "start end" decimal lines.
tested_ranges() {
    sed -n '/^tested ranges:/,/^\(free \)\?RAM left out:/p' "$1" |
        sed -n 's/^  \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/p' |
        while read -r s e; do echo $((s)) $((e)); done
}

# report.txt's accounting adds up: "errors: C counted, R rows written (W
# errors), S summarised (K records), L lost" with C = W + S, L = 0 and C > 0.
counts_add_up() {
    local l
    l=$(grep -m1 '^  errors: [0-9]* counted, ' "$1") || return 1
    gawk '{ c = $2; w = $7; sub(/^\(/, "", w); s = $9; l = $(NF - 1)
            exit !(c > 0 && c == w + s && l == 0) }' <<<"$l"
}

# Tested + left out = total RAM in report REPORT, in either mode: full
# coverage states the sum on one line, firmware mode lists the reasons and
# says "unaccounted" when they do not add up.
ram_adds_up() {
    local l
    grep -q 'unaccounted' "$1" && return 1
    if l=$(grep -m1 '^  tested [0-9]* + left out [0-9]* = [0-9]* bytes of total RAM [0-9]*$' "$1"); then
        gawk '{ exit !($2 + $6 == $8 && $8 == $13) }' <<<"$l"
    else
        grep -q '^  RAM left out, by owner or reason (with the tested bytes it adds up to the total):$' "$1"
    fi
}
# The total RAM report REPORT counts, in bytes.
ram_total() {
    sed -n 's/.*; total RAM counts reserved DRAM too (\([0-9]*\) bytes)$/\1/p' "$1"
}

# How many times evil-dimm changed the bit of fault KIND at ADDR, BIT, from the
# summary it writes to its log (LOG) when it stops; empty when it has none.
evil_flips() {  # log, kind, addr, bit
    [ -f "$1" ] || return 0
    gawk -v k="$2" -v a="$(( $3 ))" -v b="$4" '
        $2 == "summary" && $3 == k {
            split($4, x, "="); split($5, y, "="); split($6, z, "=")
            if (strtonum(x[2]) == a && y[2] == b) print z[2]
        }' "$1" | tail -n1
}
# Did evil-dimm really change that bit at least once?
evil_flipped() {  # log, kind, addr, bit
    local n
    n=$(evil_flips "$@")
    [ "${n:-0}" -gt 0 ]
}

finish() {
    exit $fails
}
