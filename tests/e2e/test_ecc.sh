#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ECC machines: machine-check bank entries injected through QEMU's monitor
# (`mce CPU BANK STATUS MCGSTATUS ADDR MISC`, TCG) once the first test runs,
# at -smp 2, in both modes:
#  - a corrected memory read error at a physical address (MISC: physical
#    mode, LSB 6) in CPU 0's bank 1 becomes an `ecc` cell, is masked by
#    GRUB_BADRAM, and the report counts it;
#  - one in CPU 1's bank 2 is found too (CPU 1 polls its own banks and hands
#    the event to the BSP);
#  - one without ADDRV in CPU 0's bank 3 is reported and not masked.
# Both modes give the same ECC line and GRUB line. Then an uncorrected one
# in full coverage raises #MC: the handler logs it and the run ends through
# its checkpoint; the next boot reports it and masks its address.
. "$(dirname "$0")/lib.sh"
plan 23

a0=0x0a345040 a1=0x0b000080
cfg="tests=3,5
quick=1
passes=1
seed=0x5eed
range=0x04000000-0x06000000
on_finish=shutdown"
inject=(--hmp-on "^pass 1 test 3=mce 0 1 0x9c0000000000009f 0 $a0 0x86"
        --hmp-on "^pass 1 test 3=mce 1 2 0x9c000000000000a1 0 $a1 0x86"
        --hmp-on "^pass 1 test 3=mce 0 3 0x900000000000009f 0 0 0")

# run NAME COVERAGE [qemu-run options]
run() {
    local name=$1 cov=$2; shift 2
    local extra=()
    [ "$cov" = full ] && extra=(--through-reset --vars "$tmp/$name.vars")
    if qemu_run "$name" "$cfg
coverage=$cov" --mem 256M --smp 2 --timeout 400 "${extra[@]}" "$@" >"$tmp/$name.log" 2>&1 &&
        [ -f "$tmp/$name/hmp.log" ]; then
        ok "$name: the run finishes and the monitor injected"
        return 0
    fi
    notok "$name: the run finishes and the monitor injected (qemu-run: $(tail -n1 "$tmp/$name.log"))"
    return 1
}

covers_both() { badram_covers "$1" "$2" && badram_covers "$1" "$3"; }
grub_line() { grep -m1 '^GRUB_BADRAM=' "$1/weakbit/badram.txt"; }
ecc_line() { grep -m1 '^ECC/machine check: ' "$1/weakbit/report.txt"; }
# errors.csv has an ecc row for cpu $2 at address $3.
ecc_row() {
    gawk -F, -v c="$2" -v a="$(( $3 ))" '!/^#/ && NR > 1 && $4 == c && strtonum($5) == a && $11 == "ecc" { f = 1 }
        END { exit !f }' "$1/weakbit/errors.csv"
}

for m in fw full; do
    cov=firmware
    [ $m = full ] && cov=full
    d=$tmp/ecc_$m
    run "ecc_$m" $cov "${inject[@]}" || continue
    echo "  $m: $(ecc_line "$d")"
    check "$m: the report counts 3 corrected errors polled on 2 CPUs" \
        grep -qx 'ECC/machine check: polling 10 banks on 2 CPUs; 3 corrected, 0 uncorrected' "$d/weakbit/report.txt"
    check "$m: cpu 0's error is an ecc row in errors.csv" ecc_row "$d" 0 $a0
    check "$m: cpu 1's error is an ecc row in errors.csv" ecc_row "$d" 1 $a1
    check "$m: badram.txt masks both" covers_both "$d/weakbit/badram.txt" $a0 $a1
    check "$m: the cells table shows them as ecc cells, bit unknown" \
        bash -c 'grep -Eq "^  0x000000000a345040 +\\? +1 .* ecc" "$0" && grep -Eq "^  0x000000000b000080 +\\? +1 .* ecc" "$0"' \
        "$d/weakbit/report.txt"
    check "$m: the error without ADDRV is reported with its bank and code, not masked" \
        bash -c 'grep -q "^  cpu 0 bank 3: corrected memory error, MCACOD 0x009f, .*NOT masked: no address logged (ADDRV clear)" "$0" &&
                 grep -q "^# ecc .* cpu 0 bank 3 status 0x900000000000009f .*not masked" "$1" &&
                 [ "$(gawk -F, "!/^#/ && NR > 1" "$1" | wc -l)" -eq 2 ]' "$d/weakbit/report.txt" "$d/weakbit/errors.csv"
    check "$m: the result is FAIL with 3 ECC events" grep -q '^result: FAIL: .*, 3 ECC events$' "$d/weakbit/report.txt"
done
check "firmware mode reports CR4.MCE as the firmware left it" grep -q '^  CR4.MCE \(set\|clear\) by the firmware' \
    "$tmp/ecc_fw/weakbit/report.txt"
lf=$(grub_line "$tmp/ecc_fw") lu=$(grub_line "$tmp/ecc_full")
echo "  firmware: $lf"
echo "  full:     $lu"
check "the same GRUB_BADRAM line in both modes" test -n "$lf" -a "$lf" = "$lu"

# An uncorrected error raises #MC in full coverage.
d=$tmp/ecc_uc
if run ecc_uc full --hmp-on "^pass 1 test 3=mce 0 1 0xbd0000000000009f 5 $a0 0x86"; then
    s=$(serial_text "$d/serial.log")
    check "uc: the #MC handler logged bank, status and address" \
        grep -q "^  bank 1 status 0xbd0000000000009f addr 0xa345040 misc 0x86$" <<<"$s"
    check "uc: the run ended through its checkpoint" grep -q '^checkpoint 2 stored: 1 cell' <<<"$s"
    check "uc: the report counts it as uncorrected and says #MC ended the run" \
        bash -c 'grep -q "; 0 corrected, 1 uncorrected$" "$0" && grep -q "ended by a machine check" "$0" &&
                 grep -q "^  cpu 0 bank 1: uncorrected memory error" "$0"' "$d/weakbit/report.txt"
    check "uc: badram.txt masks its address" badram_covers "$d/weakbit/badram.txt" $a0
fi
finish
