#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Heat-gun session: mode=stress with focus=cells around a cell an earlier
# session recorded. evil-dimm keeps that cell leaking and starts a second
# one 12 s in (the module "heats up"). The new cell must be logged after
# 12 s and within about hold_ms + one sweep; then QEMU is killed hard (a power
# cut) and every event shown before the kill must be in the files, which
# must still parse. A second boot on the same stick continues the history.
. "$(dirname "$0")/lib.sh"
plan 16

img=$tmp/stick.img
a=0x8000008         # recorded by an earlier session
b=0x8400010         # starts leaking at t = 12 s
heat=12
# The earlier session, as the app writes it (header, session line, row).
cat >"$tmp/old.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c
# session 20261120101500-00aa start 2026-11-20 10:15:00
61.250,0,5,0,$a,21,0x0000000000200000,0x0000000000000000,71
CSV
cfg='mode=stress
duration=90s
focus=cells
focus_margin=8M
temp_stub=45-85
coverage=firmware
on_finish=shutdown'
qemu_run stress "$cfg" --smp 2 --mem 512M --timeout 200 --image "$img" --file errors.csv="$tmp/old.csv" \
    --fault "leak,addr=$a,bit=21,hold_ms=2" \
    --fault "leak,addr=$b,bit=7,hold_ms=2,after_s=$heat" \
    --kill-on "NEW WEAK CELL $b" --kill-delay 3 >"$tmp/run.log" 2>&1
rc=$?
check "stress session runs until the power cut (qemu-run exit $rc)" test $rc -eq 6
out=$tmp/stress
w=$out/weakbit
serial=$(serial_text "$out/serial.log")
check "focus=cells: tests only around the known cell" grep -q "^focus=cells: 1 known cell, +-8 MiB each: 1 range" <<<"$serial"
check "status line at least once a second with temperature" \
    bash -c '[ $(grep -c "^stress [0-9]*s/90s loop .* GB/s .* temp [0-9]* C" <<<"$0") -ge 8 ]' "$serial"
check "the known cell is reported as re-seen, not new" \
    bash -c 'grep -q "^re-seen cell $1 bit 21" <<<"$0" && ! grep -q "^NEW WEAK CELL $1 " <<<"$0"' "$serial" "$a"
check "the heated cell raised the alarm" grep -q "^NEW WEAK CELL $b bit 7 " <<<"$serial"
check "the status line names it as the last new cell" grep -q "last $b bit 7 at" <<<"$serial"

# The files as the power cut left them: every parser copes.
check "errors.csv parses (CLI)" bash -c '"$0" cells "$1" >/dev/null' "$build/weakbit" "$w/errors.csv"
first_b=$(gawk -F, -v b="$((b))" '$1 !~ /^#/ && strtonum($5) == b { print $1; exit }' "$w/errors.csv")
check "heated cell logged after it started leaking (t=${first_b:-none} s >= $heat s)" \
    gawk -v t="${first_b:--1}" -v h="$heat" 'BEGIN { exit !(t >= h) }'
# A focus loop comes back to every row within hold_ms + one sweep (the
# dwell, 0.15 s here, and a sweep of 16 MiB): the cell must be caught within
# that of it starting. When that was, in the guest's clock: evil-dimm starts
# once the tests run, at a moment that shifts with the host's load, and the
# known cell leaks from that moment on; its first row in this session gives
# evil-dimm's start (a little late, by that cell's own catch), and the heated
# cell starts $heat s after it. 5 s leaves room for a slow, loaded host.
first_a=$(gawk -F, -v a="$((a))" '/^# session / { n++ } n == 2 && $1 !~ /^#/ && strtonum($5) == a { print $1; exit }' "$w/errors.csv")
check "heated cell caught within 5 s of it starting leaking (${first_b:-?} s; known cell first seen at ${first_a:-?} s)" \
    gawk -v t="${first_b:-1e9}" -v a="${first_a:--1e9}" -v h="$heat" 'BEGIN { exit !(a >= 0 && t <= a + h + 5) }'
check "the status line shows the dwell" grep -q "^stress .* dwell 150ms (waited [0-9]*s)" <<<"$serial"
check "its row carries the stub temperature" \
    bash -c 'gawk -F, -v b="$1" "\$1 !~ /^#/ && strtonum(\$5) == b { print \$9; exit }" "$0" | grep -Eq "^[4-8][0-9]$"' "$w/errors.csv" "$((b))"
# Nothing shown before the kill is missing from the files.
missing=0
while read -r addr bit; do
    grep -Eq "^[0-9.]+,[0-9]+,[0-9]+,[0-9]+,$addr,$bit," "$w/errors.csv" || missing=1
    grep -q "cell $addr bit $bit " "$w/session.log" || missing=1
done < <(grep -Eo "^(NEW WEAK CELL|re-seen cell) 0x[0-9a-f]+ bit [0-9]+" <<<"$serial" | gawk '{ print $(NF-2), $NF }')
check "every cell event on screen is in errors.csv and session.log" test $missing = 0
check "both sessions are in errors.csv" test "$(grep -c '^# session ' "$w/errors.csv")" -eq 2

# A second boot on the same stick: the history carries over.
cfg2='tests=5
quick=1
range=0x8000000-0x8800000
coverage=firmware
on_finish=shutdown'
if qemu_run again "$cfg2" --mem 512M --timeout 200 --image "$img" >"$tmp/run2.log" 2>&1; then
    ok "second session on the same stick finishes"
    check "second session counts two earlier sessions and both cells" \
        grep -q "earlier sessions on this volume: 2 (.*, 2 cells)" "$tmp/again/weakbit/report.txt"
    check "errors.csv still parses after three sessions" \
        bash -c '"$0" cells "$1" >/dev/null' "$build/weakbit" "$tmp/again/weakbit/errors.csv"
else
    notok "second session on the same stick finishes ($(tail -n1 "$tmp/run2.log"))"
fi
finish
