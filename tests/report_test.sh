#!/usr/bin/env bash
# report_test.sh: `corridor report` on the bundled dataset: a multi-page A4 PDF whose text
# (pdftotext) holds every section, the analyses' figures (the same as the commands give on
# their own), page numbers on every page, the three languages; usage errors (exit 2),
# failures (exit 1) with no partial file. Issue "Maps and reports with Cairo", part 2.
# Usage: report_test.sh CORRIDOR DATA.gpkg
# COR_WRAP (e.g. "valgrind --error-exitcode=99 ...") wraps every corridor run.
set -u
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh" || exit 1

pages() { pdfinfo "$1" | awk '/^Pages:/ {print $2}'; }

# --- help, usage errors ------------------------------------------------------------------------
expect 0 --help
check 'grep -q "^  report" "$TMP/out"' "--help lists the report command"
expect 0 report --help
check 'grep -q "^Usage: corridor report" "$TMP/out" && grep -q -- "--criteria" "$TMP/out"' "report --help"
expect 2 report "$DATA"
check 'grep -q "^corridor report: .*-o REPORT.pdf is required" "$TMP/err"' "missing -o named"
expect 2 report "$DATA" -o "$TMP/r.png"
check 'grep -q "a report is written as PDF" "$TMP/err"' "PNG refused"
expect 2 report "$DATA" -o "$TMP/r.pdf" --lang fr
expect 2 report "$DATA" -o "$TMP/r.pdf" --paper B7
expect 2 report "$DATA" -o "$TMP/r.pdf" --bogus

# --- failures leave nothing behind ------------------------------------------------------------
expect 1 report "$DATA" -o "$TMP/r.pdf" --criteria "$TMP/none.json"
check 'grep -q "none.json" "$TMP/err" && [ ! -e "$TMP/r.pdf" ]' "missing criteria named, no file"
expect 1 report "$DATA" -o "$TMP/r.pdf" --candidates no_such_layer
check 'grep -q "corridor report: the analysis .corridor site" "$TMP/err" && [ ! -e "$TMP/r.pdf" ]' \
  "failed analysis named, no file"
check '[ -z "$(ls "$TMP" | grep -v -e "^out$" -e "^err$")" ]' "no temporary files left in the output folder"
expect 1 report "$TMP/missing.gpkg" -o "$TMP/r.pdf"
check '[ ! -e "$TMP/r.pdf" ]' "missing data: no file"

# --- the report, Chinese ----------------------------------------------------------------------
expect 0 report "$DATA" -o "$TMP/r.pdf" --keep "$TMP/k" --date 2026-11-26 --json
check '[ "$(jq -r .pages "$TMP/out")" = "$(pages "$TMP/r.pdf")" ]' "--json pages = the PDF's pages"
check '[ "$(jq -c .sections "$TMP/out")" = "[\"overview\",\"access\",\"corridors\",\"sites\"]" ]' \
  "four analysis sections"
check '[ "$(jq ".commands | length" "$TMP/out")" = 5 ]' "five analysis commands listed"
n=$(pages "$TMP/r.pdf")
check '[ "$n" -ge 5 ]' "at least five pages (got $n)"
check 'pdfinfo "$TMP/r.pdf" | grep -q "Page size: *595.* x 841.* pts (A4)"' "A4 pages"
pdftotext -layout "$TMP/r.pdf" "$TMP/r.txt"
for s in 区域概况 园区到港口和机场的可达性 经济走廊 选址评价 方法与数据来源 "表 1" "表 4" \
         "石家庄—保定—雄安新区—北京" 天津港 生物医药 "2026-11-26" "OpenStreetMap contributors"; do
  check 'grep -q "$s" "$TMP/r.txt"' "report text has $s"
done
for i in $(seq 1 "$n"); do
  check 'pdftotext -f $i -l $i "$TMP/r.pdf" - | grep -E -q "^$i ?/ ?$n$"' "page $i numbered $i / $n"
done
# the figures are the analyses' own: the result files kept with --keep match the tables
check '[ -s "$TMP/k/access_parks_ports.gpkg" ] && [ -s "$TMP/k/corridors.csv" ] && [ -s "$TMP/k/sites.json" ]' \
  "--keep keeps the results"
top=$(jq -r '.top[0].name' "$TMP/k/sites.json")
topzh=$(ogrinfo -q "$DATA" -sql "SELECT name_zh FROM parks WHERE name = '${top//\'/\'\'}'" | sed -n 's/.*name_zh (String) = //p' | head -1)
check 'grep -q "$topzh" "$TMP/r.txt"' "the top site ($topzh) is in the report"
# the corridor command's own time for Beijing-Tianjin, in minutes, is in table 3
bt=$(awk -F, '$1=="Beijing" && $2=="Tianjin" {printf "%.0f", $5/60}' "$TMP/k/linkage.csv")
check 'grep -E -q "北京市 +天津市 +$bt " "$TMP/r.txt"' "Beijing-Tianjin linkage at $bt min in table 3"
# table 1's first row is the park closest to a port, at the minutes corridor access gave
m=$(ogrinfo -q "$TMP/k/access_parks_ports.gpkg" -sql "SELECT MIN(nearest_min) AS m FROM access" |
    sed -n 's/.*m (Real) = //p' | awk '{printf "%.0f", $1}')
check 'grep -A1 -E "最近港口 +分钟" "$TMP/r.txt" | sed -n 2p | grep -E -q " $m +"' "table 1 starts at $m min"

# --- English, both, no sites ------------------------------------------------------------------
expect 0 report "$DATA" -o "$TMP/en.pdf" --lang en --criteria none -q
pdftotext "$TMP/en.pdf" "$TMP/en.txt"
for s in "Overview" "Accessibility of the parks to ports and airports" "Economic corridors" \
         "Shijiazhuang–Baoding–Xiong'an New Area–Beijing" "Method and sources"; do
  check 'grep -q "$s" "$TMP/en.txt"' "English report has $s"
done
check '! grep -q "Site evaluation" "$TMP/en.txt"' "--criteria none leaves the site pages out"
check '[ "$(pages "$TMP/en.pdf")" -lt "$n" ]' "fewer pages without the sites"
expect 0 report "$DATA" -o "$TMP/both.pdf" --lang both -q --title "测试报告 Test report"
pdftotext "$TMP/both.pdf" "$TMP/both.txt"
check 'grep -q "经济走廊 Economic corridors" "$TMP/both.txt" && grep -q "测试报告 Test report" "$TMP/both.txt"' \
  "both languages and the title"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
