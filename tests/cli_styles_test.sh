#!/usr/bin/env bash
# cli_styles_test.sh (issue #6): every GeoPackage the commands write carries, per layer, a
# default QGIS style in its layer_styles table (an attributes table with QGIS's columns), whose
# QML is well-formed XML in the colours of the map style, with graduated classes spanning the
# layer's values. Usage: cli_styles_test.sh CORRIDOR DATA.gpkg STYLE.json
set -u
BIN=$1
DATA=$2
STYLE=$3
. "$(dirname "$0")/lib.sh" || exit 1
for tool in sqlite3 xmllint jq; do
  command -v $tool >/dev/null || { echo "cli_styles_test: $tool is missing (scripts/deps.sh test)" >&2; exit 1; }
done
q() { sqlite3 -batch -noheader "$1" "$2"; }
qml() { q "$1" "SELECT styleQML FROM layer_styles WHERE f_table_name = '$2'" >"$TMP/$3.qml"; }

# styled GPKG: every feature table has exactly one default style of its own, QML well-formed
styled() {
  local g=$1 what=$2
  check '[ "$(q "$g" "SELECT data_type FROM gpkg_contents WHERE table_name = '"'"'layer_styles'"'"'")" = attributes ]' \
    "$what: layer_styles is a GeoPackage attributes table"
  check '[ "$(q "$g" "SELECT group_concat(name) FROM pragma_table_info('"'"'layer_styles'"'"')")" = "id,f_table_catalog,f_table_schema,f_table_name,f_geometry_column,styleName,styleQML,styleSLD,useAsDefault,description,owner,ui,update_time" ]' \
    "$what: layer_styles has QGIS's columns"
  local t
  for t in $(q "$g" "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"); do
    check '[ "$(q "$g" "SELECT count(*) FROM layer_styles s JOIN gpkg_geometry_columns c ON c.table_name = s.f_table_name AND c.column_name = s.f_geometry_column WHERE s.f_table_name = '"'"'$t'"'"' AND s.useAsDefault = 1 AND s.f_table_schema = '"'"''"'"'")" = 1 ]' \
      "$what: one default style for layer $t, on its geometry column"
    qml "$g" "$t" "$what-$t"
    check 'xmllint --noout "$TMP/$what-$t.qml"' "$what: the QML of $t parses as XML"
    check 'grep -q "<renderer-v2 type=" "$TMP/$what-$t.qml"' "$what: the QML of $t has a renderer"
    q "$g" "SELECT styleSLD FROM layer_styles WHERE f_table_name = '$t'" >"$TMP/$what-$t.sld"
    check 'xmllint --noout "$TMP/$what-$t.sld" && grep -q "<se:Rule>" "$TMP/$what-$t.sld"' \
      "$what: the SLD of $t parses as XML and has rules"
  done
  check '[ "$(q "$g" "SELECT count(*) FROM layer_styles WHERE f_table_name NOT IN (SELECT table_name FROM gpkg_contents)")" = 0 ]' \
    "$what: no style for a missing layer"
}

# colours of the map style as QGIS writes them ("r,g,b,a")
rgba() { local h=${1#\#}; printf '%d,%d,%d,255' "0x${h:0:2}" "0x${h:2:2}" "0x${h:4:2}"; }
HSR=$(rgba "$(jq -r '.layers[] | select(.id == "highspeed") | .stroke' "$STYLE")")
HSR_W=$(jq -r '.layers[] | select(.id == "highspeed") | .width' "$STYLE")
HWY=$(rgba "$(jq -r '.layers[] | select(.id == "highways") | .stroke' "$STYLE")")

# --- network -------------------------------------------------------------------------------
expect 0 network "$DATA" -q -o "$TMP/net.gpkg"
styled "$TMP/net.gpkg" network
check 'grep -q "v=\"$HSR\"" "$TMP/network-edges.qml"' "network: edges in the high-speed rail colour ($HSR)"
check 'grep -q "<prop k=\"line_width\" v=\"$HSR_W\"/>" "$TMP/network-edges.qml"' "network: high-speed rail width"
check 'grep -q "v=\"$HWY\"" "$TMP/network-edges.qml"' "network: expressway colour"
check 'grep -q "&quot;class&quot; IN (&apos;highspeed&apos;)" "$TMP/network-edges.qml"' \
  "network: a rule for high-speed rail"
check 'grep -q "type=\"categorizedSymbol\" attr=\"kind\"" "$TMP/network-nodes.qml"' "network: nodes by kind"
HSR_HEX=$(jq -r '.layers[] | select(.id == "highspeed") | .stroke' "$STYLE")
check 'grep -qi "name=\"stroke\">$HSR_HEX<" "$TMP/network-edges.sld"' "network: the SLD in the high-speed rail colour"
check '[ "$(q "$TMP/net.gpkg" "SELECT count(*) FROM layer_styles")" = 2 ]' "network: two styles"

# --- route ---------------------------------------------------------------------------------
expect 0 route "$DATA" --from Beijing --to Tianjin -q -o "$TMP/route.gpkg"
styled "$TMP/route.gpkg" route
check 'grep -q "v=\"$HSR\"" "$TMP/route-legs.qml"' "route: legs in the map's colours"
expect 0 route "$DATA" --from Beijing --to Tianjin -q -o "$TMP/route.geojson"
check '[ -s "$TMP/route.geojson" ] && [ "$(ls "$TMP" | grep -c "^route\.geojson")" = 1 ]' \
  "route: GeoJSON written alone (no style table, no side file)"

# --- isochrones ----------------------------------------------------------------------------
expect 0 isochrone "$DATA" --from Beijing --minutes 30,60 --raster 2km -q -o "$TMP/iso.gpkg"
styled "$TMP/iso.gpkg" iso
check 'grep -q "<category render=\"true\" value=\"30\" symbol=\"0\" label=\"30 min\"/>" "$TMP/iso-isochrones.qml"' \
  "isochrone: a class per band"
check 'grep -q "<layerGeometryType>2</layerGeometryType>" "$TMP/iso-isochrones.qml"' "isochrone: polygons"
check 'grep -q "<prop k=\"color\" v=\"[0-9]*,[0-9]*,[0-9]*,115\"/>" "$TMP/iso-isochrones.qml"' \
  "isochrone: semi-transparent fills"

# --- access: graduated on the first measure, classes spanning its values --------------------
expect 0 access "$DATA" --origins parks --to ports --measure nearest,cum:120 -q -o "$TMP/acc.gpkg"
styled "$TMP/acc.gpkg" access
check 'grep -q "type=\"graduatedSymbol\" attr=\"nearest_min\"" "$TMP/access-access.qml"' \
  "access: graduated on nearest_min"
lo=$(xmllint --xpath 'string(//ranges/range[1]/@lower)' "$TMP/access-access.qml")
hi=$(xmllint --xpath 'string(//ranges/range[last()]/@upper)' "$TMP/access-access.qml")
mn=$(q "$TMP/acc.gpkg" "SELECT min(nearest_min) FROM access")
mx=$(q "$TMP/acc.gpkg" "SELECT max(nearest_min) FROM access")
check 'awk -v a="$lo" -v b="$mn" "BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }"' \
  "access: the first class starts at the smallest value ($lo vs $mn)"
check 'awk -v a="$hi" -v b="$mx" "BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }"' \
  "access: the last class ends at the largest value ($hi vs $mx)"
check '[ "$(xmllint --xpath "count(//ranges/range)" "$TMP/access-access.qml")" -ge 2 ]' "access: classes"
# ranges are contiguous
check '[ "$(xmllint --xpath "string(//ranges/range[1]/@upper)" "$TMP/access-access.qml")" = "$(xmllint --xpath "string(//ranges/range[2]/@lower)" "$TMP/access-access.qml")" ]' \
  "access: contiguous classes"
expect 0 access "$DATA" --origins parks --to ports --measure nearest -q -o "$TMP/acc.csv"
check '[ -s "$TMP/acc.csv" ]' "access: CSV still written"

# --- corridors -------------------------------------------------------------------------------
expect 0 corridors "$DATA" --top 5 -q -o "$TMP/cor.gpkg"
styled "$TMP/cor.gpkg" corridors
check '[ "$(q "$TMP/cor.gpkg" "SELECT count(*) FROM layer_styles")" = 5 ]' "corridors: five styles"
check 'grep -q "scale_linear(&quot;r_ab&quot;" "$TMP/corridors-linkage.qml"' "corridors: linkage width follows r_ab"
check 'grep -q "scale_linear(&quot;load&quot;" "$TMP/corridors-flows.qml"' "corridors: flow width follows the load"
check 'grep -q "<text-style fieldName=\"name\"" "$TMP/corridors-corridors.qml"' "corridors: labelled by name"
check 'grep -q "class=\"SimpleFill\"" "$TMP/corridors-corridor_zones.qml"' "corridors: zones filled"

# --- sites -----------------------------------------------------------------------------------
expect 0 site "$DATA" --candidates parks --criteria "$(dirname "$STYLE")/../criteria/relocate_beijing_function.json" \
  -q -o "$TMP/site.gpkg"
styled "$TMP/site.gpkg" site
check 'grep -q "filter=\"&quot;excluded&quot; IS NOT NULL\"" "$TMP/site-sites.qml"' "site: excluded sites grey"
check 'grep -q "v=\"158,158,158,255\"" "$TMP/site-sites.qml"' "site: grey"
mn=$(q "$TMP/site.gpkg" "SELECT min(total) FROM sites")
lo=$(xmllint --xpath 'string(//rules/rule[2]/@filter)' "$TMP/site-sites.qml" | sed -n 's/^"total" >= \([-0-9.e+]*\) AND.*/\1/p')
check 'awk -v a="$lo" -v b="$mn" "BEGIN { exit !(a != \"\" && a - b < 1e-9 && b - a < 1e-9) }"' \
  "site: classes from the smallest total ($lo vs $mn)"

# --- matrix: a table without geometry gets no style -------------------------------------------
expect 0 matrix "$DATA" --from cities --to ports -q -o "$TMP/m.gpkg"
check '[ -z "$(q "$TMP/m.gpkg" "SELECT name FROM sqlite_master WHERE name = '"'"'layer_styles'"'"'")" ]' \
  "matrix: no layer_styles for a table without geometry"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
