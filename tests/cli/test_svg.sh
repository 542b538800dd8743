#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host CLI: `weakbit timeline` and `weakbit map` draw SVGs that a real
# renderer (rsvg-convert) opens, with one mark per cell, and bad input fails.
suite=svg
. "$(dirname "$0")/lib.sh"
plan 52
count() {  # how many times a string occurs in a file
    grep -o -- "$1" "$2" 2>/dev/null | wc -l
}
# "W H" from the root element's width/height, and from a PNG's IHDR.
svg_size() { sed -n 's/.*<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$1" 2>/dev/null | head -n1; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
renders() {  # svg, expected "W H": converts to a PNG of that size
    rsvg-convert "$1" -o "$1.png" && [ "$(head -c 8 "$1.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] &&
        [ "$(png_size "$1.png")" = "$2" ] && [ "$(svg_size "$1")" = "$2" ]
}
xml_check() {  # name, svg: well-formed XML, when xmllint is there
    if command -v xmllint >/dev/null; then check "$1" xmllint --noout "$2"; else skip "$1" "no xmllint (make deps installs libxml2-utils)"; fi
}

# One stick's errors.csv over two boots: the first with temperatures, the
# second without a sensor, and a last line torn by a power cut. Cell
# 0x36a7abcd8/3 shows up in both sessions and counts once.
cat >"$tmp/stick.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c
# session 7f3a01 start 2024-05-01 12:00:00
12.500,0,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008,45
40.000,0,5,1,0x460e00000,63,0x0000000000000000,0x8000000000000000,52
55.250,1,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008,55
121.000,2,5,2,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008,61
# session 7f3a02 start 2024-05-01 12:10:00
5.000,0,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008,
30.000,0,5,0,0x4ea0ffff8,0,0xffffffffffffffff,0xfffffffffffffffe,
48.000,0,5,3,0x1234500,7,0x0000000000000000,0x0000000000000080,
CSV
printf '3.5,0,5,0,0x4' >>"$tmp/stick.csv"
# A copy of the stick taken after the first boot: the same session again.
sed -n '1,7p' "$tmp/stick.csv" >"$tmp/copy1.csv"
# An old 8-column file without session lines, and a session id that needs escaping.
cat >"$tmp/old.csv" <<CSV
time_s,pass,test,cpu,phys_addr,bit,expected,actual
1.500,0,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008
# session a<b&"c" start 2024-05-02 08:00:00
2.000,0,3,0,0x460e00000,63,0x0000000000000000,0x8000000000000000
CSV

tl=$tmp/tl.svg
"$cli" timeline "$tmp/stick.csv" -o "$tl" 2>"$tmp/tl.err"
check "timeline renders to a 960x540 PNG" renders "$tl" "960 540"
xml_check "timeline is well-formed XML" "$tl"
check "timeline warns about the torn last line" grep -q "stick.csv:11: torn last line skipped" "$tmp/tl.err"
check "timeline has one marker per distinct cell" test "$(count 'class="cell"' "$tl")" -eq 4
check "timeline marks two session starts" test "$(count 'class="session"' "$tl")" -eq 2
check "timeline labels sessions with their ids" bash -c 'grep -q ">7f3a01</text>" "$0" && grep -q ">7f3a02</text>" "$0"' "$tl"
check "timeline draws temperature for the session that has it" test "$(count 'class="temp"' "$tl")" -eq 1
check "timeline subtitle has the absolute start" grep -q "first session started 2024-05-01 12:00:00" "$tl"
check "timeline tooltip has address and bit" grep -q "0x460e00000 bit 63" "$tl"
check "timeline tooltip time is absolute" grep -q "= 2024-05-01 12:00:40, session 7f3a01" "$tl"
check "timeline tooltip has the temperature" grep -Fq "52 °C" "$tl"
check "timeline ticks in mm:ss up to the second session" bash -c 'grep -q ">00:00</text>" "$0" && grep -q ">10:00</text>" "$0"' "$tl"
check "timeline counts the cell seen in both sessions once" grep -q "4 distinct cells from 7 error rows in 2 sessions" "$tl"

"$cli" timeline "$tmp/stick.csv" "$tmp/copy1.csv" -o "$tmp/dup.svg" 2>/dev/null
check "a session found in two files is drawn once" \
    bash -c '[ "$(grep -o "class=\"session\"" "$0" | wc -l)" -eq 2 ] && [ "$(grep -o "class=\"cell\"" "$0" | wc -l)" -eq 4 ]' "$tmp/dup.svg"
check "rows of a session found in two files count once" grep -q "4 distinct cells from 7 error rows in 2 sessions" "$tmp/dup.svg"
"$cli" timeline "$tmp/copy1.csv" "$tmp/stick.csv" -o "$tmp/dup2.svg" 2>/dev/null
check "... whichever copy comes first" grep -q "4 distinct cells from 7 error rows in 2 sessions" "$tmp/dup2.svg"

"$cli" timeline --interleave ch:0x40,dimm:0x20000 "$tmp/stick.csv" -o "$tmp/tl_il.svg" 2>/dev/null
check "timeline --interleave names modules" bash -c 'grep -q "0x460e00000 bit 63 (ch0/dimm0)" "$0" && grep -q ">ch1/dimm1</text>" "$0"' "$tmp/tl_il.svg"
# 540 plus a 24-unit row naming the four modules under the plot.
check "timeline --interleave renders at 960x564" renders "$tmp/tl_il.svg" "960 564"

"$cli" timeline "$tmp/old.csv" -o "$tmp/old.svg" 2>/dev/null
check "old file without session lines: sessions end to end" \
    bash -c 'grep -q "sessions laid end to end" "$0" && [ "$(grep -o "class=\"session\"" "$0" | wc -l)" -eq 2 ]' "$tmp/old.svg"
check "session id is XML-escaped" grep -q 'a&lt;b&amp;&quot;c&quot;' "$tmp/old.svg"
xml_check "escaped timeline is well-formed" "$tmp/old.svg"
check "escaped timeline renders" renders "$tmp/old.svg" "960 540"

map=$tmp/map.svg
"$cli" map --interleave ch:0x40,dimm:0x20000 "$tmp/stick.csv" -o "$map" 2>/dev/null
# 4 lanes of 56 under a 70-unit title, 82 for the axis and legend, 20 for the
# interleave note: 70 + 4 * 56 + 82 + 20 = 396.
check "map renders at 960x396 (4 lanes)" renders "$map" "960 396"
xml_check "map is well-formed XML" "$map"
check "map has one lane per module (2 channels x 2 DIMMs)" test "$(count 'class="lane"' "$map")" -eq 4
check "map lanes are the sorted module labels" \
    test "$(sed -n 's/.*class="lane-label"[^>]*>\([^<]*\)<.*/\1/p' "$map" | tr '\n' ' ')" = "ch0/dimm0 ch0/dimm1 ch1/dimm0 ch1/dimm1 "
check "map has one mark per cell" test "$(count 'class="cell"' "$map")" -eq 4
check "map tooltip has address, bit and count" grep -q "0x36a7abcd8 bit 3.4 errors" <(tr '\n' '.' <"$map")
check "map shades the four masked 1 MiB granules" test "$(count 'class="granule"' "$map")" -eq 4
check "map axis runs to the next power of two in GiB" bash -c 'grep -q ">0 GiB</text>" "$0" && grep -q ">32 GiB</text>" "$0"' "$map"
"$cli" map "$tmp/stick.csv" -o "$tmp/map1.svg" 2>/dev/null
check "map without --interleave has a single lane" test "$(count 'class="lane"' "$tmp/map1.svg")" -eq 1
"$cli" map --interleave ch:0x40,ch:0x80,dimm:0x20000 "$tmp/stick.csv" -o "$tmp/map8.svg" 2>/dev/null
check "map with 4 channels x 2 DIMMs has 8 lanes" test "$(count 'class="lane"' "$tmp/map8.svg")" -eq 8

# 64 channels and cells on 40 of them: the 31 busiest get lanes, the rest share one.
{ echo "time_s,pass,test,cpu,phys_addr,bit,expected,actual"
  for i in $(seq 0 39); do printf '1,0,5,0,0x%x,0,0x0,0x1\n' $((0x100000000 + i * 0x40)); done; } >"$tmp/wide.csv"
"$cli" map --interleave ch:0x40,ch:0x80,ch:0x100,ch:0x200,ch:0x400,ch:0x800 "$tmp/wide.csv" -o "$tmp/wide.svg" 2>/dev/null
check "map with too many modules: 32 lanes, the last for the rest" \
    bash -c '[ "$(grep -o "class=\"lane\"" "$0" | wc -l)" -eq 32 ] && grep -q ">other modules</text><text[^>]*>9 cells<" <(tr -d "\n" <"$0")' "$tmp/wide.svg"
printf 'time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c\n# session e1 start 2024-05-01 12:00:00\n' >"$tmp/none.csv"
check "no cells: timeline still writes an SVG that says so" \
    bash -c '"$0" timeline "$1" -o "$2" && grep -q "no weak cells" "$2" && rsvg-convert "$2" -o "$2.png"' "$cli" "$tmp/none.csv" "$tmp/none_tl.svg"
check "no cells: map still writes an SVG that says so" \
    bash -c '"$0" map "$1" -o "$2" && grep -q "no weak cells" "$2" && rsvg-convert "$2" -o "$2.png"' "$cli" "$tmp/none.csv" "$tmp/none_map.svg"

# Refusals: a one-line reason, non-zero exit, and any old output left alone.
echo keep >"$tmp/keep.svg"
refused() {  # expected message, then arguments
    local want=$1; shift
    ! "$cli" "$@" 2>"$tmp/err" >/dev/null && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$want" "$tmp/err" &&
        [ "$(cat "$tmp/keep.svg")" = keep ] && [ -z "$(ls "$tmp" | grep '\.weakbit-')" ]
}
printf 'time_s\nnot,a,row\n1,0,5,0,0x1000,1,0x0,0x2\n' >"$tmp/bad.csv"
check "timeline without -o refused" refused "no output file" timeline "$tmp/stick.csv"
check "map without -o refused" refused "no output file" map "$tmp/stick.csv"
check "unreadable file refused" refused "cannot read $tmp/nope.csv" timeline "$tmp/nope.csv" -o "$tmp/keep.svg"
check "malformed row refused with its line" refused "bad.csv:2: not an errors.csv row" timeline "$tmp/bad.csv" -o "$tmp/keep.svg"
check "map: malformed row refused" refused "bad.csv:2:" map "$tmp/bad.csv" -o "$tmp/keep.svg"
check "bad --interleave refused" refused "bad --interleave" map --interleave ch:40 "$tmp/stick.csv" -o "$tmp/keep.svg"
check "timeline: bad --interleave refused" refused "bad --interleave" timeline --interleave x "$tmp/stick.csv" -o "$tmp/keep.svg"
check "map: bad --granule refused" refused "bad granule" map --granule 3M "$tmp/stick.csv" -o "$tmp/keep.svg"
check "unknown option refused" refused "unknown option --width" timeline --width 5 "$tmp/stick.csv" -o "$tmp/keep.svg"
check "no CSV refused" refused "no CSV file" map -o "$tmp/keep.svg"
check "-o without a value refused" refused "needs a value" map "$tmp/stick.csv" -o
check "unwritable output refused" refused "cannot write $tmp/nodir/x.svg" map "$tmp/copy1.csv" -o "$tmp/nodir/x.svg"
check "timeline --help draws nothing, even with -o" \
    bash -c '"$0" timeline --help "$1" -o "$2" >/dev/null && [ ! -e "$2" ]' "$cli" "$tmp/stick.csv" "$tmp/help1.svg"
check "map --help draws nothing, even with -o" \
    bash -c '"$0" map --help "$1" -o "$2" >/dev/null && [ ! -e "$2" ]' "$cli" "$tmp/stick.csv" "$tmp/help2.svg"

# The output is replaced whole, with the usual file mode.
"$cli" map "$tmp/stick.csv" -o "$tmp/keep.svg" 2>/dev/null
check "a good run replaces an old output" bash -c 'head -c 5 "$0" | grep -q "<?xml"' "$tmp/keep.svg"
check "output mode follows the umask" test "$(umask 022; "$cli" map "$tmp/stick.csv" -o "$tmp/m.svg" 2>/dev/null; stat -c %a "$tmp/m.svg")" = 644
check "-o - writes to stdout" bash -c '"$0" timeline "$1" -o - 2>/dev/null | tail -n1 | grep -q "</svg>"' "$cli" "$tmp/stick.csv"
exit $fails
