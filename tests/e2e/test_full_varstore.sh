#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full-coverage run on a variable store with little room
# (debug_varstore_kib=21: as if only 21 KiB were free): a dead column makes
# the record large, so the checkpoints between the first and the last would
# leave no room for the final record and are skipped; the final record is
# still written, and the next boot's report is complete and says what the
# store took.
. "$(dirname "$0")/lib.sh"
plan 11

lo=0x08ff8000 len=0x10000
cfg='tests=5
quick=1
passes=2
range=0x08000000-0x0c000000
debug_varstore_kib=21
coverage=full
on_finish=shutdown'
if ! qemu_run vs "$cfg" --mem 512M --timeout 600 --through-reset --vars "$tmp/vars.fd" \
    --faults-until '^pass 2 test 5: done' --fault "region,addr=$lo,len=$len,bit=9,value=1" >"$tmp/run.log" 2>&1; then
    notok "the run finishes through the reset (qemu-run: $(tail -n1 "$tmp/run.log"))"
    finish
fi
ok "the run finishes through the reset"
w=$tmp/vs/weakbit
s=$(serial_text "$tmp/vs/serial.log")
check "serial: the store is taken as 21 KiB free" grep -q 'debug_varstore_kib=21: behaving as if 21 KiB were free' <<<"$s"
check "serial: a checkpoint was skipped to keep room for the final record" \
    grep -q '^checkpoint skipped: the UEFI variable store must keep room for the final record' <<<"$s"
check "serial: the final record was stored" grep -q '^checkpoint [0-9]* stored: .* (final)$' <<<"$s"
check "the next boot found the final checkpoint (finished), not an earlier one" \
    grep -q '^full coverage: results of session .* found in UEFI variables (checkpoint [0-9]*, finished)' <<<"$s"
line=$(grep -m1 '^  UEFI variable store: ' "$w/report.txt")
echo "  report:${line#  UEFI variable store:}"
read -r writes bytes kib skipped failed < <(sed -E 's/^  UEFI variable store: ([0-9]+) checkpoints? written, ([0-9]+) bytes of the ([0-9]+) KiB free before the exit; ([0-9]+) skipped to keep room for the final record, ([0-9]+) failed$/\1 \2 \3 \4 \5/' <<<"$line")
check "report: the store's figures are stated" test -n "${failed:-}" -a "${writes:-x}" != "${line:-y}"
check "report: at least two writes (first and final), none failed ($writes, $failed)" \
    test "${writes:-0}" -ge 2 -a "${failed:-1}" = 0
check "report: checkpoints were skipped ($skipped)" test "${skipped:-0}" -gt 0
check "report: what was written leaves 5 KiB of the 21 free ($bytes bytes)" \
    test "${kib:-0}" = 21 -a "${bytes:-99999}" -le $(( (21 - 5) * 1024 ))
covered=1
for ((x = lo; x < lo + len; x += 4096)); do badram_covers "$w/badram.txt" $x || covered=0; done
check "badram.txt covers the whole region" test $covered = 1
check "the report's counts add up, 0 lost" counts_add_up "$w/report.txt"
finish
