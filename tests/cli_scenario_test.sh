#!/usr/bin/env bash
# cli_scenario_test.sh: runs `corridor scenario` (issue #8) on the bundled dataset with the
# example scenarios: the Shijiazhuang-Hengshui-Cangzhou-Huanghua port railway lowers the time
# from Hengshui to Huanghua port and leaves places far from it unchanged; the output contract
# (layers delta and scenario_lines and their fields); --sites: parks near the new railway
# gain rank, far ones keep their raw values (layer sites_delta); bad scenarios and criteria
# fail with one line naming the file and JSON path, exit 1 or 2, and leave no output. Usage: cli_scenario_test.sh
# CORRIDOR DATA.gpkg SCENARIO_DIR
set -u
BIN=$1
DATA=$2
SDIR=$3
. "$(dirname "$0")/lib.sh" || exit 1

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
expect 0 scenario --help
check 'grep -q -- "--sites FILE" "$TMP/out" && grep -q sites_delta "$TMP/out"' "scenario --help documents --sites"

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

# --- --sites: site ranks before and after -------------------------------------------------------
# time to the nearest port as the only criterion (cost): parks near Hengshui and Cangzhou gain
# rank, parks far from the line keep their raw value
CRIT="$TMP/ports.json"
cat >"$CRIT" <<'JSON'
{"name": "port access", "criteria": [
  {"id": "t_port", "kind": "time_to", "to": "ports", "direction": "cost", "transform": "linear", "weight": 1}]}
JSON
S="$TMP/sites.gpkg"
expect 0 scenario "$DATA" --scenario "$HH" --origins cities --to ports --sites "$CRIT" -o "$S" --json -q --top 5
check 'jq -e ".sites.criteria == \"$CRIT\" and .sites.candidates == \"parks\" and .sites.count == 41" "$TMP/out" >/dev/null' "json: sites object"
check 'jq -e ".sites.moved_up >= 4 and .sites.raw_changed >= 4 and (.sites.top5_after | length) == 5" "$TMP/out" >/dev/null' "json: movers and the new top 5"
check 'jq -e "[.sites.top_up[].name] | any(test(\"Hengshui\")) and any(test(\"Cangzhou\"))" "$TMP/out" >/dev/null' "json: Hengshui and Cangzhou parks move up"
check 'jq -e "all(.sites.top_up[]; .rank_change > 0 and .rank_change == .rank_before - .rank_after and .most_changed.criterion == \"t_port\" and .most_changed.after < .most_changed.before)" "$TMP/out" >/dev/null' \
  "json: movers up, by t_port falling"
check 'jq -e "all(.sites.top_down[]; .rank_change < 0 and .most_changed == null)" "$TMP/out" >/dev/null' "json: movers down changed no raw value"
check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta")" = 41 ]' "sites_delta: 41 parks"
hs=$(sql "$S" "SELECT rank_change FROM sites_delta WHERE name LIKE 'Hengshui%'")
check 'lt 0 "$hs"' "Hengshui High-tech zone gains rank ($hs)"
check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE name LIKE '"'"'Cangzhou%'"'"' AND rank_change > 0")" = 3 ]' "the three Cangzhou parks gain rank"
check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE name LIKE '"'"'Hengshui%'"'"' AND t_port_after < t_port_before - 60")" = 1 ]' \
  "Hengshui: over an hour less to a port"
for far in Qinhuangdao Chengde Zhangjiakou Handan Tangshan Baoding; do
  check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE name LIKE '"'"'$far%'"'"' AND (t_port_after != t_port_before OR most_changed IS NOT NULL)")" = 0 ] &&
         [ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE name LIKE '"'"'$far%'"'"'")" -gt 0 ]' "$far parks keep their raw value"
done
check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE rank_change != rank_before - rank_after")" = 0 ]' "rank_change = before - after"
check '[ "$(sql "$S" "SELECT count(*) FROM sites_delta WHERE t_port_after > t_port_before")" = 0 ]' "no park is farther from a port"
cols=$(ogrinfo -ro -so "$S" sites_delta 2>/dev/null | sed -n 's/^\([a-z_]*\): .*/\1/p' | tr '\n' ' ')
check '[ "$cols" = "name total_before total_after rank_before rank_after rank_change excluded_before excluded_after most_changed t_port_before t_port_after " ]' \
  "sites_delta fields ($cols)"
check '[ "$(sql "$S" "SELECT GeometryType(geom) FROM sites_delta")" = POINT ]' "sites_delta: points"
# the text summary
expect 0 scenario "$DATA" --scenario "$HH" --origins cities --to ports --sites "$CRIT" -o "$S" -q
check 'grep -q "^Sites (" "$TMP/out" && grep -q "^  Moving up" "$TMP/out" && grep -q "^  Top 5 after" "$TMP/out" && grep -q "sites_delta" "$TMP/out"' \
  "text: the sites summary"
check 'grep -q "Hengshui High-tech.* 36 -> *22 .*t_port" "$TMP/out"' "text: Hengshui High-tech zone 36 -> 22"
# a grid over a prefecture
expect 0 scenario "$DATA" --scenario "$HH" --origins cities --to ports --sites "$CRIT" \
  --site-candidates grid:5km --within 衡水 -o "$TMP/grid.gpkg" --json -q
check 'jq -e ".sites.candidates == \"grid:5km\" and .sites.count > 100 and .sites.raw_changed > 0" "$TMP/out" >/dev/null' "grid: cells over Hengshui"
check '[ "$(sql "$TMP/grid.gpkg" "SELECT count(*) FROM sites_delta WHERE t_port_after < t_port_before")" -gt 0 ]' "grid: cells nearer a port"
# bad input: one line naming the file (and JSON path), exit 1, nothing written
sitebad() { # NAME CODE NEEDLE ARGS...
  sb_name=$1 sb_code=$2 sb_needle=$3
  shift 3
  rm -f "$TMP/bad.gpkg"
  expect "$sb_code" scenario "$DATA" --scenario "$HH" --origins cities --to ports -o "$TMP/bad.gpkg" -q "$@"
  if [ "$sb_code" = 1 ]; then check 'one_line' "sites $sb_name: one error line ($(cat "$TMP/err"))"; fi
  check 'head -1 "$TMP/err" | grep -qF -- "$sb_needle"' "sites $sb_name: names '$sb_needle' ($(head -1 "$TMP/err"))"
  check '[ -z "$(ls "$TMP" | grep -F "bad.gpkg")" ]' "sites $sb_name: no output left"
}
printf '{"criteria": [{"id": "t", "kind": "nearby", "weight": 1}]}' >"$TMP/badkind.json"
printf '{"criteria": [' >"$TMP/syntax.json"
printf '{"criteria": [{"id": "t", "kind": "time_to", "to": "Atlantis", "direction": "cost", "weight": 1}]}' >"$TMP/badto.json"
sitebad kind 1 "badkind.json: criteria[0].kind" --sites "$TMP/badkind.json"
sitebad syntax 1 "syntax.json" --sites "$TMP/syntax.json"
sitebad missing 1 "nonexistent.json" --sites "$TMP/nonexistent.json"
sitebad target 1 "Atlantis" --sites "$TMP/badto.json"
sitebad candidates 1 "--site-candidates no_such_layer" --sites "$CRIT" --site-candidates no_such_layer
sitebad within 1 "Atlantis" --sites "$CRIT" --site-candidates grid:5km --within Atlantis
sitebad grid_no_within 2 "needs --within" --sites "$CRIT" --site-candidates grid:5km
sitebad no_sites 2 "needs --sites" --site-candidates parks --within 河北
rm -f "$TMP/bad.csv"
expect 2 scenario "$DATA" --scenario "$HH" --origins cities --to ports --sites "$CRIT" -o "$TMP/bad.csv" -q
check 'grep -q "needs a .gpkg" "$TMP/err" && [ ! -e "$TMP/bad.csv" ]' "sites: a .csv output is refused"

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
