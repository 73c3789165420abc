#!/usr/bin/env bash
# render_test.sh: `corridor render` on the bundled dataset: PNG size, PDF text (pdftotext: the
# Chinese names and the legend), SVG that parses (xmllint), the built-in style equal to
# datasets/styles/default.json, usage errors (exit 2), failures (exit 1) with one-line
# messages, and no partial files. Issue "Maps and reports with Cairo", part 1.
# Usage: render_test.sh CORRIDOR DATA.gpkg STYLE.json
# COR_WRAP (e.g. "valgrind --error-exitcode=99 ...") wraps every corridor run.
set -u
BIN=$1
DATA=$2
STYLE=$3
. "$(dirname "$0")/lib.sh" || exit 1

one_line() { [ "$(wc -l <"$TMP/err")" -le 2 ] && [ "$(head -1 "$TMP/err" | grep -c '^corridor render: ')" = 1 ]; }

O="$TMP/o"
mkdir -p "$O"

# --- help and dispatch -----------------------------------------------------------------------
expect 0 --help
check 'grep -q "^  render" "$TMP/out"' "--help lists the render command"
expect 0 render --help
check 'grep -q "^Usage: corridor render" "$TMP/out" && grep -q -- "--theme" "$TMP/out"' "render --help"

# --- usage errors: exit 2, the problem named, nothing written ----------------------------------
expect 2 render "$DATA" --theme choropleth -o "$O/a.png"
check 'grep -q "unknown theme .choropleth. (known themes: base, access, isochrone, corridors, sites, scenario)" "$TMP/err"' "unknown theme lists the known ones"
expect 2 render "$DATA" --theme access --classify kmeans -o "$O/a.png"
check 'grep -q "classify kmeans: want jenks, quantile or equal" "$TMP/err"' "unknown classification"
expect 2 render "$DATA" --theme access --classes 0 -o "$O/a.png"
check 'grep -q -- "--classes: .0. is not a whole number in 1..12" "$TMP/err"' "bad --classes"
expect 2 render "$DATA" --theme access --classes 13 -o "$O/a.png"
expect 2 render "$DATA" --theme base --results "$O/x.gpkg" -o "$O/a.png"
check 'grep -q "for the thematic themes" "$TMP/err"' "--results with the base theme"
expect 2 render "$DATA" --theme sites -o "$O/a.png"
check 'grep -q "sites theme needs --results" "$TMP/err"' "sites without results"
expect 2 render "$DATA" --theme scenario -o "$O/a.png"
check 'grep -q "scenario theme needs --results" "$TMP/err"' "scenario without results"
expect 2 render "$DATA"
check 'grep -q -- "-o MAP.png|MAP.pdf|MAP.svg is required" "$TMP/err"' "missing -o"
expect 2 render "$DATA" -o "$O/a.jpg"
check 'grep -q "unknown output format (use .png, .pdf or .svg)" "$TMP/err"' "bad extension"
expect 2 render "$DATA" --size 30000x1000 -o "$O/a.png"
check 'grep -q "20000 px per side and at most 250 Mpx" "$TMP/err"' "size over the side limit"
expect 2 render "$DATA" --size 19000x19000 -o "$O/a.png"
check 'grep -q "250 Mpx" "$TMP/err"' "size over the pixel limit"
expect 2 render "$DATA" --size 3000 -o "$O/a.png"
check 'grep -q "want WIDTHxHEIGHT" "$TMP/err"' "bad size"
expect 2 render "$DATA" --paper A0 --dpi 2400 -o "$O/a.png"
check 'grep -q "too large" "$TMP/err"' "paper x dpi over the limit"
expect 2 render "$DATA" --paper B5 -o "$O/a.png"
expect 2 render "$DATA" --paper A4 --size 800x600 -o "$O/a.png"
expect 2 render "$DATA" --dpi 0 -o "$O/a.png"
expect 2 render "$DATA" --lang fr -o "$O/a.png"
check 'grep -q "want zh, en or both" "$TMP/err"' "bad --lang"
expect 2 render "$DATA" --extent 1,2,3 -o "$O/a.png"
check 'grep -q "want MINLON,MINLAT,MAXLON,MAXLAT" "$TMP/err"' "bad --extent box"
expect 2 render "$DATA" --extent 118,41,117,42 -o "$O/a.png"
expect 2 render "$DATA" --no-such-option -o "$O/a.png"
check '[ -z "$(ls "$O")" ]' "usage errors write nothing"

# --- failures: exit 1, one line naming the input ---------------------------------------------
cat >"$TMP/bad.json" <<'EOF'
{"layers": [{"id": "rail", "type": "line", "role": "rail", "stroke": "#12345"}]}
EOF
expect 1 render "$DATA" --style "$TMP/bad.json" -o "$O/a.png"
check 'grep -q "bad.json: layers\[0\].stroke: \"#12345\" is not a colour" "$TMP/err" && one_line' \
  "style error names the file and the JSON path"
cat >"$TMP/typo.json" <<'EOF'
{"layers": [{"id": "rail", "type": "line", "role": "rail", "label": {"sise": 8}}]}
EOF
expect 1 render "$DATA" --style "$TMP/typo.json" -o "$O/a.png"
check 'grep -q "typo.json: layers\[0\].label.sise: unknown key" "$TMP/err"' "unknown style key"
expect 1 render "$DATA" --style "$TMP/none.json" -o "$O/a.png"
check 'grep -q "none.json: no such file" "$TMP/err"' "missing style file"
sed 's/"font": "Noto Sans CJK SC"/"font": "No Such Font Family"/' "$STYLE" >"$TMP/nofont.json"
expect 1 render "$DATA" --style "$TMP/nofont.json" -o "$O/a.png"
check 'grep -q "font .No Such Font Family. is not installed" "$TMP/err" && one_line' "missing font"
expect 1 render "$DATA" --extent 121.5,43.5,122,44 -o "$O/a.png"
check 'grep -q "holds no data of the base theme" "$TMP/err" && one_line' "extent with no data"
expect 1 render "$DATA" --extent 0,0,1,1 -o "$O/a.png"
check 'one_line' "extent far outside the CRS: one line"
expect 1 render "$DATA" --extent Atlantis -o "$O/a.png"
check 'grep -q "no polygon of that name" "$TMP/err"' "unknown extent name"
expect 1 render "$DATA" --size 400x300 -o "$O/no/such/dir/a.png"
check 'grep -q "no/such/dir/a.png" "$TMP/err"' "unwritable output named"
expect 1 render /nonexistent/data.gpkg -o "$O/a.png"
check '[ -z "$(ls "$O")" ]' "failures write nothing"

# --- PNG -------------------------------------------------------------------------------------
expect 0 render "$DATA" --theme base --size 800x600 -o "$O/map.png" --json
J="$TMP/out"
check 'gdalinfo "$O/map.png" 2>/dev/null | grep -q "Size is 800, 600"' "PNG is 800x600"
check '[ "$(jq -r .format "$J")" = png ] && [ "$(jq .width_px "$J")" = 800 ]' "json: format and size"
check '[ "$(jq .features "$J")" -gt 30000 ]' "json: features drawn"
check '[ "$(jq "[.legend[].layer] | index(\"highspeed\") != null and index(\"ports\") != null" "$J")" = true ]' \
  "json: legend has high-speed rail and ports"
check '[ "$(jq .labels_placed "$J")" -ge 14 ]' "json: labels placed"
check 'jq -e ".scalebar_km > 0" "$J" >/dev/null' "json: scale bar"
expect 0 render "$DATA" --size 800x600 -q -o "$O/builtin.png"
check '[ ! -s "$TMP/out" ]' "-q prints nothing"
expect 0 render "$DATA" --size 800x600 -q --style "$STYLE" -o "$O/file.png"
check 'cmp -s "$O/builtin.png" "$O/file.png"' "the built-in style is datasets/styles/default.json"
expect 0 render "$DATA" --paper A4 --dpi 100 -q -o "$O/a4.png"
check 'gdalinfo "$O/a4.png" 2>/dev/null | grep -q "Size is 827, 1169"' "A4 portrait at 100 dpi"
expect 0 render "$DATA" --extent 河北 --size 600x600 -q -o "$O/hebei.png"
expect 0 render "$DATA" --extent 116,39.5,117.5,40.5 --size 600x450 -q -o "$O/box.png"

# --- PDF: vector, real text ------------------------------------------------------------------
expect 0 render "$DATA" --paper A4 -q -o "$O/map.pdf"
check 'pdfinfo "$O/map.pdf" | grep -q "Page size: *595.* x 841.* pts"' "PDF is an A4 page"
pdftotext "$O/map.pdf" "$TMP/zh.txt" 2>/dev/null
for w in 北京 天津 石家庄 图例 高速铁路 普速铁路 港口 机场 "OpenStreetMap contributors" "Natural Earth" "IMF PortWatch" "Apache ECharts" 投影; do
  check "grep -q '$w' \"\$TMP/zh.txt\"" "PDF text has $w"
done
expect 0 render "$DATA" --lang en --size 1200x900 -q -o "$O/en.pdf" --title "Jing-Jin-Ji"
pdftotext "$O/en.pdf" "$TMP/en.txt" 2>/dev/null
for w in Jing-Jin-Ji Legend "High-speed rail" Beijing Tianjin Shijiazhuang Projection; do
  check "grep -q '$w' \"\$TMP/en.txt\"" "English PDF text has $w"
done
check '! grep -q "图例" "$TMP/en.txt"' "English PDF has no Chinese legend title"
expect 0 render "$DATA" --lang both --size 1200x900 -q -o "$O/both.pdf"
pdftotext "$O/both.pdf" "$TMP/both.txt" 2>/dev/null
check 'grep -q "北京" "$TMP/both.txt" && grep -q "Beijing" "$TMP/both.txt"' "both languages in the PDF"

# --- SVG -------------------------------------------------------------------------------------
expect 0 render "$DATA" --size 800x600 -q -o "$O/map.svg"
check 'xmllint --noout "$O/map.svg" 2>/dev/null' "SVG parses"
check 'xmllint --xpath "name(/*)" "$O/map.svg" 2>/dev/null | grep -qx svg' "SVG root is <svg>"

# --- thematic themes: results of the analysis commands, or computed ---------------------------
# Issue "Maps and reports with Cairo": thematic symbology, legend, inset.
R="$TMP/results"
mkdir -p "$R"
run access "$DATA" --origins parks --to ports -o "$R/access.gpkg" -q >/dev/null 2>&1
run isochrone "$DATA" --from Beijing --minutes 30,60,90,120 -o "$R/iso.gpkg" -q >/dev/null 2>&1
run corridors "$DATA" -o "$R/corridors.gpkg" -q >/dev/null 2>&1
cat >"$TMP/sites.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "A", "rank": 1, "total": 0.91}, "geometry": {"type": "Point", "coordinates": [116.5, 39.75]}},
 {"type": "Feature", "properties": {"name": "B", "rank": 2, "total": 0.72}, "geometry": {"type": "Point", "coordinates": [117.1, 39.1]}},
 {"type": "Feature", "properties": {"name": "C", "rank": 3, "total": 0.55}, "geometry": {"type": "Point", "coordinates": [115.45, 38.87]}},
 {"type": "Feature", "properties": {"name": "D", "rank": 4, "total": 0.31}, "geometry": {"type": "Point", "coordinates": [114.5, 38.05]}}]}
JSON
ogr2ogr -f GPKG "$R/sites.gpkg" "$TMP/sites.geojson" -nln sites >/dev/null 2>&1
cat >"$TMP/delta.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "北京经开区", "nearest_min_before": 95, "nearest_min_after": 70, "nearest_min_change": -25, "nearest_min_pct": -26.3}, "geometry": {"type": "Point", "coordinates": [116.45, 39.8]}},
 {"type": "Feature", "properties": {"name": "廊坊开发区", "nearest_min_before": 60, "nearest_min_after": 52, "nearest_min_change": -8, "nearest_min_pct": -13.3}, "geometry": {"type": "Point", "coordinates": [116.7, 39.55]}},
 {"type": "Feature", "properties": {"name": "保定", "nearest_min_before": 150, "nearest_min_after": 156, "nearest_min_change": 6, "nearest_min_pct": 4.0}, "geometry": {"type": "Point", "coordinates": [115.5, 38.9]}}]}
JSON
cat >"$TMP/lines.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "京滨城际延长", "mode": "rail", "class": "highspeed", "speed_kmh": 250, "edit": "add"}, "geometry": {"type": "LineString", "coordinates": [[116.4, 39.9], [116.9, 39.5], [117.7, 39.0]]}}]}
JSON
ogr2ogr -f GPKG "$R/delta.gpkg" "$TMP/delta.geojson" -nln delta >/dev/null 2>&1
ogr2ogr -f GPKG -update "$R/delta.gpkg" "$TMP/lines.geojson" -nln scenario_lines >/dev/null 2>&1
check '[ -s "$R/access.gpkg" ] && [ -s "$R/iso.gpkg" ] && [ -s "$R/corridors.gpkg" ] && [ -s "$R/sites.gpkg" ] && [ -s "$R/delta.gpkg" ]' \
  "the results files for the themes"

theme_rows() { jq '[.legend[] | select(.layer == "theme")] | length' "$TMP/out"; }
# theme_ok THEME ARGS...: a PNG of the asked size and thematic legend rows in the JSON
theme_ok() {
  local th=$1; shift
  expect 0 render "$DATA" --theme "$th" --size 700x500 --json -o "$O/$th.png" "$@"
  if gdalinfo "$O/$th.png" 2>/dev/null | grep -q 'Size is 700, 500'; then ok; else bad "$th $*: PNG"; fi
  if [ "$(theme_rows)" -ge 3 ]; then ok; else bad "$th $*: thematic legend rows"; fi
  if [ "$(jq -r .theme "$TMP/out")" = "$th" ]; then ok; else bad "$th: json theme"; fi
}
theme_ok access --results "$R/access.gpkg" --field nearest --classify quantile --classes 4
check 'jq -r ".legend[].text" "$TMP/out" | grep -q "分钟"' "access: class ranges with units"
check '[ "$(jq "[.legend[] | select(.layer == \"theme\" and (.text | test(\"分钟\")))] | length" "$TMP/out")" -le 4 ]' \
  "access: at most 4 classes"
# the breaks run from the file's least to its greatest nearest_min (ogrinfo as the oracle)
ogrinfo -q -sql "SELECT MIN(nearest_min) AS lo, MAX(nearest_min) AS hi FROM access" "$R/access.gpkg" >"$TMP/mm" 2>/dev/null
LO=$(sed -n 's/.*lo (Real) = //p' "$TMP/mm"); HI=$(sed -n 's/.*hi (Real) = //p' "$TMP/mm")
check '[ "$(jq -r .thematic.classify "$TMP/out")" = quantile ] && [ "$(jq .thematic.classes "$TMP/out")" -le 4 ]' \
  "access: json reports the quantile classes"
check 'jq -e --argjson lo "$LO" --argjson hi "$HI" "(.thematic.breaks[0] - \$lo | fabs) < 1e-6 and (.thematic.breaks[-1] - \$hi | fabs) < 1e-6" "$TMP/out" >/dev/null' \
  "access: breaks span the file's values ($LO to $HI)"
check 'jq -e "[.thematic.breaks | range(1; length) as \$i | .[\$i] > .[\$i - 1]] | all" "$TMP/out" >/dev/null' \
  "access: breaks ascend"
check '[ "$(jq .thematic.features "$TMP/out")" = "$(ogrinfo -q -sql "SELECT COUNT(*) AS n FROM access" "$R/access.gpkg" | sed -n "s/.*n (Integer) = //p")" ]' \
  "access: every origin of the file read"
theme_ok access
theme_ok isochrone --results "$R/iso.gpkg"
check '[ "$(jq -c .thematic.breaks "$TMP/out")" = "[30,60,90,120,120]" ] || [ "$(jq -c .thematic.breaks "$TMP/out")" = "[30.0,60.0,90.0,120.0,120.0]" ]' \
  "isochrone: one class per band"
check '[ "$(jq .thematic.inset "$TMP/out")" = false ]' "no inset for the whole region"
check 'jq -r ".legend[].text" "$TMP/out" | grep -q "≤ 30 分钟"' "isochrone: band legend"
theme_ok corridors --results "$R/corridors.gpkg" --classify equal
check 'jq -r ".legend[].text" "$TMP/out" | grep -q "园区（按产业链）"' "corridors: park chains"
theme_ok sites --results "$R/sites.gpkg"
theme_ok scenario --results "$R/delta.gpkg"
check 'jq -r ".legend[].text" "$TMP/out" | grep -q "情景线路：铁路"' "scenario: the edited lines in the legend"
theme_ok scenario --results "$R/delta.gpkg" --field nearest_min_pct --extent Beijing
check '[ "$(jq .thematic.inset "$TMP/out")" = true ] && [ "$(jq -r .thematic.field "$TMP/out")" = nearest_min_pct ]' \
  "scenario on Beijing: the locator inset, the chosen field"

expect 1 render "$DATA" --theme access --results "$R/iso.gpkg" -o "$O/t.png"
check 'grep -q "iso.gpkg: no layer .access. (want the output of corridor access)" "$TMP/err" && one_line' \
  "wrong results file"
expect 2 render "$DATA" --theme sites --results "$R/sites.gpkg" --field nosuch -o "$O/t.png"
check 'grep -q "no field .nosuch." "$TMP/err" && one_line' "unknown field"
expect 1 render "$DATA" --theme access --results "$TMP/none.gpkg" -o "$O/t.png"
check 'grep -q "none.gpkg" "$TMP/err" && one_line' "missing results file"
check '[ ! -e "$O/t.png" ]' "failed themes write nothing"

# PDF of a thematic theme: Chinese names and legend titles are real text
expect 0 render "$DATA" --theme access --results "$R/access.gpkg" --paper A4 -q -o "$O/access.pdf"
pdftotext "$O/access.pdf" "$TMP/acc.txt" 2>/dev/null
for w in 园区到港口的可达性 到最近港口的时间 分钟 图例 北京 天津 石家庄 省级界; do
  check "grep -q '$w' \"\$TMP/acc.txt\"" "thematic PDF text has $w"
done
expect 0 render "$DATA" --theme scenario --results "$R/delta.gpkg" --lang en --size 1200x900 -q -o "$O/scen.pdf"
pdftotext "$O/scen.pdf" "$TMP/scen.txt" 2>/dev/null
for w in "Scenario comparison" "Change (after" "Scenario line: rail" Beijing Legend; do
  check "grep -q '$w' \"\$TMP/scen.txt\"" "English thematic PDF text has $w"
done

check '! ls "$O" | grep -q "tmp"' "no temporary files left"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
