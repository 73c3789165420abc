#!/usr/bin/env bash
# cli_scenario_test.sh: runs `corridor scenario` (issue #8) on the bundled dataset with the
# example scenarios: the Shijiazhuang-Hengshui-Cangzhou-Huanghua port railway lowers the time
# from Hengshui to Huanghua port and leaves places far from it unchanged; the output contract
# (layers delta and scenario_lines and their fields); bad scenarios fail with one line naming
# the file and JSON path, exit 1 or 2, and leave no output. Usage: cli_scenario_test.sh
# CORRIDOR DATA.gpkg SCENARIO_DIR
set -u
BIN=$1
DATA=$2
SDIR=$3
WRAP=${COR_WRAP:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
run() { $WRAP "$BIN" "$@"; }
expect() {
  local code=$1; shift
  run "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "corridor $* exited $got, expected $code: $(head -c 300 "$TMP/err")"; fi
}
sql() {
  ogrinfo -ro -q "$1" -dialect SQLite -sql "$2" 2>/dev/null | sed -n 's/^  [^ ]* ([A-Za-z0-9]*) = //p' | head -1
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b + 0) }'; }
one_line() { [ "$(wc -l <"$TMP/err")" = 1 ]; }

HH="$SDIR/shijiazhuang_hengshui_cangzhou_huanghua.json"
BT="$SDIR/beijing_tangshan_faster.json"

# --- help and dispatch -----------------------------------------------------------------------
expect 0 --help
check 'grep -q "^  scenario" "$TMP/out"' "--help lists scenario"
expect 0 scenario --help
check 'grep -q "^Usage: corridor scenario" "$TMP/out"' "scenario --help shows usage"
expect 2 scenario --no-such-option
expect 2 scenario "$DATA" --origins cities -o "$TMP/x.gpkg"
check 'grep -q "scenario" "$TMP/err"' "missing --scenario named"
expect 2 scenario "$DATA" --scenario "$HH" --origins cities --to ports --sites x.gpkg -o "$TMP/x.gpkg"
check '[ ! -e "$TMP/x.gpkg" ]' "--sites (out of scope) writes nothing"

# --- the Huanghua port railway: cities to ports ------------------------------------------------
D="$TMP/delta.gpkg"
expect 0 scenario "$DATA" --scenario "$HH" --origins cities --to ports -o "$D" --json -q
check 'jq -e ".edits.lines == 1 and .edits.places_added == 4" "$TMP/out" >/dev/null' "json: one line, four new stations"
check '[ "$(sql "$D" "SELECT count(*) FROM delta")" = 14 ]' "delta: 14 cities"
hb=$(sql "$D" "SELECT nearest_min_before FROM delta WHERE name = 'Hengshui'")
ha=$(sql "$D" "SELECT nearest_min_after FROM delta WHERE name = 'Hengshui'")
check 'lt "$ha" "$hb" && lt "$ha" 100' "Hengshui to the nearest port falls ($hb -> $ha min)"
check '[ "$(sql "$D" "SELECT nearest_after FROM delta WHERE name = '"'"'Hengshui'"'"'")" = Huanghua ]' \
  "Hengshui: Huanghua port becomes the nearest"
for far in Chengde Zhangjiakou Qinhuangdao Beijing; do
  check '[ "$(sql "$D" "SELECT nearest_min_change FROM delta WHERE name = '"'"'$far'"'"'")" = 0 ]' \
    "$far unchanged"
done
check '[ "$(sql "$D" "SELECT count(*) FROM delta WHERE nearest_min_change > 0")" = 0 ]' "no city loses"
pct=$(sql "$D" "SELECT abs(nearest_min_pct - 100.0 * nearest_min_change / nearest_min_before) < 1e-6 AS ok FROM delta WHERE name = 'Hengshui'")
check '[ "$pct" = 1 ]' "pct = 100 change / before"
check '[ "$(sql "$D" "SELECT count(*) FROM scenario_lines WHERE edit = '"'"'add'"'"' AND mode = '"'"'rail'"'"' AND speed_kmh = 200")" = 1 ]' \
  "scenario_lines: the added railway"
check '[ "$(sql "$D" "SELECT GeometryType(geom) FROM scenario_lines")" = LINESTRING ]' "scenario_lines: LineString"
cols=$(ogrinfo -ro -so "$D" delta 2>/dev/null | sed -n 's/^\([a-z_]*\): .*/\1/p' | tr '\n' ' ')
check '[ "$cols" = "name nearest_min_before nearest_min_after nearest_min_change nearest_min_pct nearest_before nearest_after " ]' \
  "delta fields ($cols)"

# the direct time Hengshui -> Huanghua port before (corridor route) against the nearest-port
# time after, which is Huanghua's
expect 0 route "$DATA" --from 衡水市 --to port:黄骅港 --json
rb=$(jq -r '.time_s / 60' "$TMP/out")
check 'lt "$ha" "$rb" && lt 150 "$rb"' "Hengshui -> Huanghua port: $rb min before, $ha min after"
ha_csv="$TMP/hh.csv"
expect 0 scenario "$DATA" --scenario "$HH" --origins cities --to ports -o "$ha_csv" -q
check '[ "$(awk -F, '"'"'$1 == "Hengshui" { print $9 }'"'"' "$ha_csv")" = Huanghua ]' "csv: Hengshui nearest_after"
check '[ "$(head -1 "$ha_csv")" = "name,lon,lat,nearest_min_before,nearest_min_after,nearest_min_change,nearest_min_pct,nearest_before,nearest_after" ]' "csv header"

# --- Beijing-Tangshan faster: --corridors; the text summary -----------------------------------
expect 0 scenario "$DATA" --scenario "$BT" --origins cities --to cities --measure watt,cum:60 \
  -o "$TMP/bt.gpkg" --corridors -q
check 'grep -q "^City linkage" "$TMP/out" && grep -q "Beijing *- Tangshan" "$TMP/out"' "corridors: Beijing - Tangshan changes"
check '[ "$(sql "$TMP/bt.gpkg" "SELECT count(*) FROM scenario_lines WHERE edit = '"'"'speed'"'"' AND speed_kmh = 350")" -gt 0 ]' \
  "scenario_lines: the faster line"
check '[ "$(sql "$TMP/bt.gpkg" "SELECT count(*) FROM delta WHERE watt_min_change > 0.000001")" = 0 ]' "faster: nobody loses"

# --- bad input: one line naming the file and JSON path, exit 1 or 2, nothing written --------
badcase() { # NAME JSON CODE NEEDLE
  bc_name=$1 bc_needle=$4
  printf '%s' "$2" >"$TMP/$bc_name.json"
  rm -f "$TMP/bad.gpkg"
  expect "$3" scenario "$DATA" --scenario "$TMP/$bc_name.json" --origins cities --to ports -o "$TMP/bad.gpkg" -q
  check 'one_line' "$bc_name: one error line ($(cat "$TMP/err"))"
  check 'grep -qF "$bc_name.json" "$TMP/err" && grep -qF "$bc_needle" "$TMP/err"' "$bc_name: names the file and '$bc_needle' ($(cat "$TMP/err"))"
  check '[ -z "$(ls "$TMP" | grep -F "bad.gpkg")" ]' "$bc_name: no output left"
}
badcase unknown_place '{"edits":[{"type":"add_line","mode":"rail","speed_kmh":200,"places":["衡水市","Atlantis"]}]}' 1 'edits[0].places[1]'
badcase outside '{"edits":[{"type":"add_line","mode":"road","speed_kmh":100,"geometry":{"type":"LineString","coordinates":[[115.5,38.0],[130.0,45.0]]}}]}' 1 "outside the network"
badcase outside_point '{"edits":[{"type":"add_line","mode":"rail","speed_kmh":100,"places":["衡水市","140.0,20.0"]}]}' 1 'edits[0].places[1]'
badcase zero_speed '{"edits":[{"type":"add_line","mode":"rail","speed_kmh":0,"places":["衡水市","沧州市"]}]}' 1 'edits[0].speed_kmh'
badcase nan_speed '{"edits":[{"type":"change_speed","name":"京唐城际线","speed_kmh":"NaN"}]}' 1 'edits[0].speed_kmh'
badcase no_line '{"edits":[{"type":"change_speed","name":"不存在线","speed_kmh":300}]}' 1 "no line named"
badcase no_close '{"edits":[{"type":"close","line":"不存在线"}]}' 1 'edits[0].line'
badcase no_station '{"edits":[{"type":"close","station":"Atlantis Central"}]}' 1 'edits[0].station'
badcase bad_type '{"edits":[{"type":"teleport"}]}' 1 "unknown edit type 'teleport'"
badcase syntax '{"edits":[' 1 "line"
expect 1 scenario "$DATA" --scenario "$TMP/none.json" --origins cities -o "$TMP/bad.gpkg" -q
check 'one_line && grep -q "none.json" "$TMP/err"' "missing scenario file named"

# QGIS opens the delta with its default style: one row per layer, the change field classified
if command -v sqlite3 >/dev/null; then
  check '[ "$(sqlite3 "$D" "SELECT group_concat(f_table_name) FROM (SELECT f_table_name FROM layer_styles WHERE useAsDefault ORDER BY 1)")" = "delta,scenario_lines" ]' \
    "delta.gpkg carries default styles for delta and scenario_lines"
  check 'sqlite3 "$D" "SELECT styleQML FROM layer_styles WHERE f_table_name = '"'"'delta'"'"'" | grep -q "nearest_min_change"' \
    "the delta style classifies nearest_min_change"
fi

echo "cli_scenario: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
