#!/usr/bin/env bash
# cli_test.sh: runs the real corridor binary on the bundled dataset and checks values,
# invariants, exit codes and error messages. Usage: cli_test.sh CORRIDOR DATA.gpkg
# COR_WRAP (e.g. "valgrind --error-exitcode=99 ...") wraps every corridor run.
set -u
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh" || exit 1

# --- help, version, dispatch -----------------------------------------------------------------
expect 0 --help
check 'grep -q "^  network" "$TMP/out"' "--help lists the network command"
expect 0 --version
check 'grep -Eq "^corridor [0-9]+\.[0-9]+\.[0-9]+$" "$TMP/out"' "--version prints a version"
expect 2
expect 2 frobnicate
check 'grep -q "unknown command .frobnicate." "$TMP/err"' "unknown command named"
for cmd in info network route corridors site; do
  expect 0 "$cmd" --help
  check "grep -q '^Usage: corridor $cmd' \"\$TMP/out\"" "$cmd --help shows usage"
  expect 2 "$cmd" --no-such-option
done

# --- info ------------------------------------------------------------------------------------
expect 0 info "$DATA" --json
J="$TMP/out"
check '[ "$(jq -r .crs "$J")" = "EPSG:4548" ]' "info: working CRS EPSG:4548"
check '[ "$(jq ".layers | length" "$J")" -ge 16 ]' "info: at least 16 layers"
check '[ "$(jq -r ".layers[] | select(.name==\"rail\") | .features" "$J")" -gt 30000 ]' "info: rail lines"
check '[ "$(jq -r ".layers[] | select(.name==\"ports\") | .features" "$J")" = 5 ]' "info: 5 ports"
check '[ "$(jq -r ".layers[] | select(.name==\"cities\") | .features" "$J")" = 14 ]' "info: 14 cities"
check '[ "$(jq -r ".layers[] | select(.name==\"stations\") | .role" "$J")" = station ]' "info: stations role"
check '[ "$(jq -r ".extent | map(floor) | join(\",\")" "$J")" = "113,35,120,42" ]' "info: extent"
expect 0 info "$DATA"
check 'grep -q "Working CRS: EPSG:4548" "$TMP/out"' "info text output"

# --- network ---------------------------------------------------------------------------------
expect 0 network "$DATA" --json -q -o "$TMP/net.gpkg"
cp "$TMP/out" "$TMP/net.json"
J="$TMP/net.json"
check '[ "$(jq .nodes "$J")" -gt 30000 ]' "network: nodes"
check '[ "$(jq .edges.rail "$J")" -gt 30000 ]' "network: rail links"
check '[ "$(jq .edges.road "$J")" -gt 1000 ]' "network: road links"
check '[ "$(jq .edges.board "$J")" = "$(jq .edges.alight "$J")" ]' "network: board = alight links"
check '[ "$(jq .stations.total "$J")" = 1428 ]' "network: all train stations"
check '[ "$(jq .places.total "$J")" = 66 ] && [ "$(jq .places.joined "$J")" = 66 ]' "network: every place joined"
check 'jq -e ".largest_component_share > 0.95" "$J" >/dev/null' "network: main component share"
check '[ "$(jq "[.disconnected_places[] | select(.role==\"port\" or .role==\"airport\" or .role==\"city\")] | length" "$J")" = 0 ]' \
  "network: ports, airports and cities in the main component"
check '[ "$(jq .snapping.rail.dangling_ends "$J")" -gt 1700 ]' "network: rail dangles counted"
# The export opens with OGR and holds what the report says.
check '[ "$(ogrinfo -ro -so "$TMP/net.gpkg" nodes | sed -n "s/Feature Count: //p")" = "$(jq .nodes "$J")" ]' \
  "export: one node feature per node"
links=$(jq '[.edges[]] | add' "$J")
check '[ "$(ogrinfo -ro -so "$TMP/net.gpkg" edges | sed -n "s/Feature Count: //p")" = "$links" ]' \
  "export: one edge feature per link"
check 'ogrinfo -ro -so "$TMP/net.gpkg" edges | grep -q "time_s: Real"' "export: time_s field"
check 'ogrinfo -ro -so "$TMP/net.gpkg" edges | grep -q "CGCS2000 / 3-degree Gauss-Kruger CM 117E"' "export: CRS"
# A faster high-speed rail lowers no link count but changes times; snapping 0 keeps dangles.
expect 0 network "$DATA" --json -q --rail-snap 0 --speed highspeed=300
check '[ "$(jq .snapping.rail.snapped "$TMP/out")" = 0 ]' "network: --rail-snap 0"
check '[ "$(jq .components "$TMP/out")" -gt "$(jq .components "$J")" ]' "network: no snapping, more components"

# --- route ---------------------------------------------------------------------------------
expect 0 route "$DATA" --from Beijing --to Tianjin --json -q -o "$TMP/route.gpkg"
cp "$TMP/out" "$TMP/multi.json"
M="$TMP/multi.json"
expect 0 route "$DATA" --from Beijing --to Tianjin --mode road --json -q
cp "$TMP/out" "$TMP/road.json"
R="$TMP/road.json"
check 'jq -e "(.time_s < $(jq .time_s "$R"))" "$M" >/dev/null' "route: multimodal Beijing-Tianjin faster than road"
check 'jq -e "[.legs[] | select(.mode==\"rail\" and .class==\"highspeed\")] | length > 0" "$M" >/dev/null' \
  "route: multimodal trip rides high-speed rail"
check 'jq -e "[.legs[] | select(.mode==\"rail\" or .mode==\"board\")] | length == 0" "$R" >/dev/null' \
  "route: road trip has no rail legs"
check 'jq -e "([.legs[].time_s] | add) - .time_s | fabs < 0.01" "$M" >/dev/null' "route: legs add up to the time"
check 'jq -e "([.legs[].distance_m] | add) - .distance_m | fabs < 1" "$M" >/dev/null' "route: legs add up to the distance"
check 'jq -e ".time_s > 3000 and .time_s < 6000" "$M" >/dev/null' "route: Beijing-Tianjin multimodal 50-100 min"
check 'jq -e ".legs[] | select(.mode==\"board\") | .from == \"北京南\"" "$M" >/dev/null' "route: boards at 北京南"
check '[ "$(ogrinfo -ro -so "$TMP/route.gpkg" legs | sed -n "s/Feature Count: //p")" = "$(jq ".legs | length" "$M")" ]' \
  "route: one line per leg in the GeoPackage"
expect 0 route "$DATA" --from 116.3,39.9 --to "天津港" --mode rail --json -q
check 'jq -e ".from_snap_m > 0 and .from_snap_m < 20000" "$TMP/out" >/dev/null' "route: LON,LAT snaps with its distance"
check 'jq -e "[.legs[] | select(.mode==\"rail\")] | length > 0" "$TMP/out" >/dev/null' "route: rail mode rides a train"
expect 1 route "$DATA" --from Tianjn --to Beijing
check 'grep -q "unknown place .Tianjn.; closest: city:Tianjin" "$TMP/err"' "route: unknown name lists candidates"
expect 1 route "$DATA" --from 10,10 --to Beijing
check 'grep -q "km from the nearest road" "$TMP/err"' "route: far point refused with its distance"
expect 2 route "$DATA" --from Beijing --to Tianjin --mode plane
expect 2 route "$DATA" --from Beijing
expect 2 route "$DATA" --from Beijing --to Tianjin -o "$TMP/route.txt"
check '[ ! -e "$TMP/route.txt" ]' "route: nothing written on a usage error"

# --- corridors -----------------------------------------------------------------------------
expect 0 corridors "$DATA" --json -q -o "$TMP/corr.gpkg" --csv "$TMP"
cp "$TMP/out" "$TMP/corr.json"
K="$TMP/corr.json"
check 'jq -e ".linkage[0] | [.city_a, .city_b] | sort == [\"Beijing\", \"Tianjin\"]" "$K" >/dev/null' \
  "corridors: the strongest linkage is Beijing-Tianjin"
check 'jq -e "[.corridors[] | select(.cities | index(\"Beijing\") and index(\"Tianjin\"))] | length > 0" "$K" >/dev/null' \
  "corridors: a corridor serves Beijing and Tianjin"
check 'jq -e "[.cities[].r_total] | all(. > 0)" "$K" >/dev/null' "corridors: every city linked"
check '[ "$(ogrinfo -ro -so "$TMP/corr.gpkg" linkage | sed -n "s/Feature Count: //p")" = 91 ]' "corridors: 91 city pairs"
check '[ "$(ogrinfo -ro -so "$TMP/corr.gpkg" breaking_points | sed -n "s/Feature Count: //p")" = 91 ]' \
  "corridors: a breaking point per pair"
check '[ "$(ogrinfo -ro -so "$TMP/corr.gpkg" corridors | sed -n "s/Feature Count: //p")" -ge 1 ]' "corridors: layer"
check '[ "$(wc -l <"$TMP/linkage.csv")" = 92 ]' "corridors: linkage.csv"
check 'head -1 "$TMP/linkage.csv" | grep -q "city_a,city_b,mass_a,mass_b,time_s,k_ab,r_ab,r_ba,f_ab,f_ba"' \
  "corridors: linkage.csv columns"
# the membership degrees of a city add up to 100 %
check '[ "$(awk -F, "NR>1 && \$1==\"Beijing\" {s+=\$9} NR>1 && \$2==\"Beijing\" {s+=\$10} END {printf \"%.3f\", s}" "$TMP/linkage.csv")" = 100.000 ]' \
  "corridors: Beijing's membership degrees add up to 100 %"
check '[ "$(ogrinfo -ro -so "$TMP/corr.gpkg" corridor_zones | sed -n "s/Feature Count: //p")" = "$(jq ".corridors | length" "$K")" ]' \
  "corridors: a zone per corridor"
check 'jq -e "[.corridors[] | select(.cities | index(\"Beijing\") and index(\"Tianjin\")) | .zone.population] | .[0] >= 21893095 + 13866009" "$K" >/dev/null' \
  "corridors: the Beijing-Tianjin zone holds both cities' population"
check 'jq -e "[.corridors[].zone.area_km2] | all(. > 0)" "$K" >/dev/null' "corridors: zones have an area"
expect 0 corridors "$DATA" --json -q --buffer-min 30
check 'jq -e "[.corridors[].zone.parks] | add > 0" "$TMP/out" >/dev/null' "corridors: 30-minute zones hold parks"
expect 2 corridors "$DATA" --buffer-km 0
printf 'origin,destination,flow\nBeijing,Tianjin,100\nTianjin,Beijing,80\n' >"$TMP/od.csv"
expect 0 corridors "$DATA" --od "$TMP/od.csv" --json -q
check 'jq -e ".corridors[0].max_load == 180" "$TMP/out" >/dev/null' "corridors: OD table flows assigned (100 + 80)"
printf 'origin,destination,flow\nBeijing,Atlantis,5\n' >"$TMP/badod.csv"
expect 1 corridors "$DATA" --od "$TMP/badod.csv" -q
check 'grep -q "unknown city .Atlantis." "$TMP/err"' "corridors: OD naming an unknown city"
expect 1 corridors "$DATA" --mass gdp -q
check 'grep -q "missing or not positive for 6 cities" "$TMP/err"' "corridors: missing GDP named"
expect 1 corridors "$DATA" --mass no_such_field -q
expect 2 corridors "$DATA" --decay 0
expect 2 corridors "$DATA" --share 2
expect 2 corridors "$DATA" --top 5m
check 'grep -q -- "--top: .5m. is not a whole number in 1..1000" "$TMP/err"' "corridors: --top takes no unit"

# --- site ----------------------------------------------------------------------------------
CRIT=$(dirname "$DATA")/criteria
expect 0 site "$DATA" --candidates parks --criteria "$CRIT/robotics_plant.json" --json -q -o "$TMP/sites.csv"
cp "$TMP/out" "$TMP/site.json"
S="$TMP/site.json"
check 'jq -e ".candidates == 41 and .excluded == 0" "$S" >/dev/null' "site: 41 park candidates"
check 'jq -e ".top[0].rank == 1 and .top[0].total > 0 and .top[0].total <= 1" "$S" >/dev/null' "site: a best site"
check 'jq -e "[.top[] | (([.contributions[]] | add) - .total) | fabs] | max < 1e-9" "$S" >/dev/null' \
  "site: WLC contributions add up to the total"
check 'jq -e "[.criteria[].weight] | add | . - 1 | fabs < 1e-12" "$S" >/dev/null' "site: weights sum to 1"
check 'jq -e "[.top[].total] | . == (sort | reverse)" "$S" >/dev/null' "site: ranked by total"
check '[ "$(wc -l <"$TMP/sites.csv")" = 42 ]' "site: every candidate in the CSV"
check 'head -1 "$TMP/sites.csv" | grep -q "name,rank,total,excluded,raw_robot_parks_90,score_robot_parks_90"' \
  "site: CSV columns"
expect 0 site "$DATA" --candidates parks --criteria "$CRIT/relocate_beijing_function.json" --json -q \
  -o "$TMP/reloc.gpkg" --sensitivity 50 --seed 7
cp "$TMP/out" "$TMP/reloc1.json"
check 'jq -e ".weights == \"ahp\" and .ahp.cr < 0.1 and .excluded > 0" "$TMP/reloc1.json" >/dev/null' \
  "site: AHP weights, consistent; Beijing and Tianjin parks excluded"
check 'ogrinfo -ro -q "$TMP/reloc.gpkg" sites -where "excluded = '"'"'outside Hebei'"'"'" | grep -q "北京经济技术开发区\|Beijing Economic"' \
  "site: a Beijing park excluded as outside Hebei"
expect 0 site "$DATA" --candidates parks --criteria "$CRIT/relocate_beijing_function.json" --json -q \
  --sensitivity 50 --seed 7
check 'cmp -s "$TMP/out" "$TMP/reloc1.json"' "site: the sensitivity analysis is reproducible with a seed"
check 'jq -e ".top[0].sensitivity.top_share >= 0 and .top[0].sensitivity.rank_min >= 1" "$TMP/out" >/dev/null' \
  "site: sensitivity figures"
expect 0 site "$DATA" --candidates parks --criteria "$CRIT/robotics_plant.json" --method topsis --json -q
check 'jq -e "[.top[].total] | all(. >= 0 and . <= 1)" "$TMP/out" >/dev/null' "site: TOPSIS closeness in [0, 1]"
expect 0 site "$DATA" --candidates grid:10km --within Langfang --criteria "$CRIT/robotics_plant.json" -q \
  -o "$TMP/grid.gpkg"
check 'gdalinfo "$TMP/grid.tif" | grep -q "Size is"' "site: a grid writes a suitability GeoTIFF"
# bad criteria files
cp "$CRIT/robotics_plant.json" "$TMP/c.json"
sed 's/"parks_within"/"parks_nearby"/' "$CRIT/robotics_plant.json" >"$TMP/bad1.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/bad1.json"
check 'grep -q "criteria\[0\].kind: .parks_nearby. is not one of" "$TMP/err"' "site: unknown criterion kind named"
jq '.weights = "ahp" | .ahp = [[1,2],[0.5,1]]' "$CRIT/robotics_plant.json" >"$TMP/bad2.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/bad2.json"
check 'grep -q "ahp: must be a 5 x 5 matrix" "$TMP/err"' "site: AHP matrix of the wrong size"
jq '.ahp[1][0] = 3' "$CRIT/relocate_beijing_function.json" >"$TMP/bad3.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/bad3.json" -q
check 'grep -q "not reciprocal" "$TMP/err"' "site: non-reciprocal AHP matrix"
jq '.ahp = [[1,9,"1/9",1,1],["1/9",1,9,1,1],[9,"1/9",1,1,1],[1,1,1,1,1],[1,1,1,1,1]]' \
  "$CRIT/relocate_beijing_function.json" >"$TMP/bad4.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/bad4.json" -q
check 'grep -q "consistency ratio .* exceeds 0.10" "$TMP/err"' "site: inconsistent AHP refused"
expect 0 site "$DATA" --candidates parks --criteria "$TMP/bad4.json" -q --force
jq '.criteria[0].weight = 0.5' "$CRIT/robotics_plant.json" >"$TMP/w.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/w.json" --strict -q
check 'grep -q "the weights sum to 1.25, not 1" "$TMP/err"' "site: --strict refuses weights not summing to 1"
expect 0 site "$DATA" --candidates parks --criteria "$TMP/w.json"
check 'grep -q "warning: the weights sum to 1.25; normalised" "$TMP/err"' "site: weights normalised with a warning"
jq '.constraints += [{"kind": "limit", "criterion": "t_port", "max": 1}]' "$CRIT/robotics_plant.json" >"$TMP/none.json"
expect 1 site "$DATA" --candidates parks --criteria "$TMP/none.json" -q -o "$TMP/none.gpkg"
check 'grep -q "all 41 candidates are excluded" "$TMP/err" && [ ! -e "$TMP/none.gpkg" ]' \
  "site: all excluded is an error, with no output"
expect 2 site "$DATA" --candidates grid:5km --criteria "$CRIT/robotics_plant.json"
expect 2 site "$DATA" --candidates parks --criteria "$CRIT/robotics_plant.json" --method electre
expect 2 site "$DATA" --candidates parks --criteria "$CRIT/robotics_plant.json" --top 0
check 'grep -q -- "--top: .0. is not a whole number in 1..100000" "$TMP/err"' "site: --top below 1"

# --- other formats: a GeoJSON export of the dataset's layers works the same ------------------
ogr2ogr -f GeoJSON "$TMP/ports.geojson" "$DATA" ports 2>/dev/null
expect 0 info "$TMP/ports.geojson" --json
check '[ "$(jq -r ".layers[0].features" "$TMP/out")" = 5 ]' "info on GeoJSON"

# --- bad input: one line naming the input, exit 1; usage errors exit 2; no partial files ------
expect 1 info /nonexistent/data.gpkg
check '[ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "/nonexistent/data.gpkg: no such file" "$TMP/err"' \
  "missing file: one line naming it"
echo "not a database" >"$TMP/junk.gpkg"
expect 1 network "$TMP/junk.gpkg"
check 'grep -q "junk.gpkg: cannot open" "$TMP/err"' "junk file named"
expect 2 network "$DATA" --speed warp=9
check 'grep -q "unknown speed .warp." "$TMP/err"' "bad --speed named"
expect 2 network "$DATA" --speed road=-5
expect 2 network "$DATA" --rail-snap -1
expect 2 network "$DATA" extra-argument
expect 1 network "$DATA" -q -o "$TMP/no/such/dir/net.gpkg"
check '[ ! -e "$TMP/no/such/dir/net.gpkg" ]' "no output on failure"
expect 1 network "$DATA" -q -o "$TMP/net.txt"
check '[ ! -e "$TMP/net.txt" ]' "unsupported output format: nothing written"
echo '{"layers": {"rail": {"layer": 7}}}' >"$TMP/bad.json"
expect 1 network "$DATA" --config "$TMP/bad.json"
check 'grep -q "bad.json: layers.rail.layer must be a non-empty string" "$TMP/err"' "config error names path and key"
echo '{"layers": {"rail": {"layer": "tracks"}}}' >"$TMP/missing.json"
expect 1 info "$DATA" --config "$TMP/missing.json"
check 'grep -q "no layer .tracks." "$TMP/err"' "config naming a missing layer"
expect 1 info "$DATA" --crs EPSG:4326
check 'grep -q "not a projected CRS" "$TMP/err"' "geographic working CRS refused"
ls "$TMP" | grep -q tmp && bad "temporary files left behind: $(ls "$TMP")" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
