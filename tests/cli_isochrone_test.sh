#!/usr/bin/env bash
# cli_isochrone_test.sh: runs `corridor isochrone` on the bundled dataset and checks values,
# nesting, outputs (GeoPackage, GeoTIFF, contours), exit codes, error lines and that failures
# leave no files. Usage: cli_isochrone_test.sh CORRIDOR DATA.gpkg
# COR_WRAP (e.g. "valgrind --error-exitcode=99 ...") wraps every corridor run.
set -u
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh" || exit 1

# jq on a file, numbers compared with awk: num FILE FILTER
num() { jq -r "$2" "$1"; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# SQLite SQL on a GeoPackage, one value: the column named v
sql() { ogrinfo -ro -q "$1" -dialect SQLite -sql "$2" 2>/dev/null | sed -n 's/^  v ([A-Za-z0-9]*) = //p' | head -1; }

# --- help and dispatch -------------------------------------------------------------------------
expect 0 --help
check 'grep -q "^  isochrone" "$TMP/out"' "--help lists the isochrone command"
expect 0 isochrone --help
check 'grep -q "^Usage: corridor isochrone" "$TMP/out"' "isochrone --help shows usage"
check 'grep -q -- "--buffer-m" "$TMP/out"' "usage documents --buffer-m"
expect 2 isochrone --no-such-option

# --- Beijing, 30 and 60 minutes, multimodal ------------------------------------------------------
expect 0 isochrone "$DATA" --from Beijing --minutes 30,60 --json -q -o "$TMP/iso.gpkg"
cp "$TMP/out" "$TMP/multi.json"
J="$TMP/multi.json"
check '[ "$(num "$J" ".bands | length")" = 2 ]' "two bands"
check '[ "$(num "$J" ".from[0]")" = "Beijing (北京市)" ] && [ "$(num "$J" .mode)" = multi ]' "from and mode"
check '[ "$(num "$J" ".bands[0].minutes")" = 30 ] && [ "$(num "$J" ".bands[1].minutes")" = 60 ]' "band minutes"
a30=$(num "$J" ".bands[0].area_km2"); a60=$(num "$J" ".bands[1].area_km2")
p30=$(num "$J" ".bands[0].population"); p60=$(num "$J" ".bands[1].population")
check 'gt "$a30" 100' "30-min band has an area ($a30 km2)"
check 'gt "$a60" "$a30"' "60-min band larger than 30-min ($a60 > $a30)"
check 'ge "$p60" "$p30"' "60-min population >= 30-min ($p60 >= $p30)"
check 'ge "$p30" 21893095' "Beijing's own population inside the 30-min band ($p30)"
check 'ge "$(num "$J" ".bands[1].parks")" "$(num "$J" ".bands[0].parks")"' "parks monotone"
check '[ ! -s "$TMP/err" ]' "-q: nothing on stderr"
# the GeoPackage: one MultiPolygon per band in the working CRS, values as in the JSON
G="$TMP/iso.gpkg"
check 'ogrinfo -ro -so "$G" isochrones | grep -q "Geometry: Multi Polygon"' "layer isochrones of MultiPolygons"
check 'ogrinfo -ro -so "$G" isochrones | grep -q "Feature Count: 2"' "one feature per band"
check 'ogrinfo -ro -so "$G" isochrones | grep -q "CGCS2000 / 3-degree Gauss-Kruger CM 117E"' "working CRS"
for f in minutes area_km2 population parks origin; do
  check "ogrinfo -ro -so \"\$G\" isochrones | grep -q \"^$f: \"" "field $f"
done
check '[ "$(sql "$G" "SELECT population AS v FROM isochrones WHERE minutes = 60")" = "$p60" ]' "GeoPackage population = JSON"
g60=$(sql "$G" "SELECT ST_Area(geom) / 1e6 AS v FROM isochrones WHERE minutes = 60")
check 'awk -v a="$g60" -v b="$a60" "BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }"' "polygon area = reported area_km2 ($g60, $a60)"
# nesting: the 30-minute band clipped to the 60-minute band (OGR with GEOS) keeps all its area
ogr2ogr -f GPKG "$TMP/clip.gpkg" "$G" isochrones -where "minutes = 30" -nln clipped \
  -clipsrc "$G" -clipsrclayer isochrones -clipsrcwhere "minutes = 60" 2>/dev/null
c30=$(sql "$TMP/clip.gpkg" "SELECT ST_Area(geom) AS v FROM clipped")
g30=$(sql "$G" "SELECT ST_Area(geom) AS v FROM isochrones WHERE minutes = 30")
check 'gt "$g30" 1e8 && awk -v a="$c30" -v b="$g30" "BEGIN { exit !(b - a < 1e-3 && a - b < 1e-3) }"' \
  "30-min band inside the 60-min band ($c30 of $g30 m2)"
check '[ "$(sql "$G" "SELECT origin AS v FROM isochrones WHERE minutes = 30")" = "Beijing (北京市)" ]' "origin field"

# --- by road: the 60-minute multimodal band reaches farther --------------------------------------
expect 0 isochrone "$DATA" --from Beijing --minutes 30,60 --mode road --json -q
r60=$(num "$TMP/out" ".bands[1].area_km2")
check 'gt "$a60" "$r60"' "60-min multimodal area > road area ($a60 > $r60)"
check '[ "$(num "$TMP/out" .mode)" = road ]' "mode road"

# faster roads reach farther; GeoJSON output holds the same bands
expect 0 isochrone "$DATA" --from Beijing --minutes 30,60 --mode road --speed road=120 --speed major_highway=120 --json -q -o "$TMP/fast.geojson"
check 'gt "$(num "$TMP/out" ".bands[1].area_km2")" "$r60"' "--speed road=120: larger road band"
check '[ "$(jq ".features | length" "$TMP/fast.geojson")" = 2 ] && [ "$(jq -r ".features[0].geometry.type" "$TMP/fast.geojson")" = MultiPolygon ]' \
  "GeoJSON output: two MultiPolygons"
expect 2 isochrone "$DATA" --from Beijing --minutes 30 --speed road=-1

# --- text output, several origins, a point, decimals, the rail mode -----------------------------
expect 0 isochrone "$DATA" --from Beijing --minutes 45 -q
check 'grep -q "^Isochrones from Beijing (北京市) by multi" "$TMP/out"' "text header"
check 'grep -Eq "^ +45 +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+$" "$TMP/out"' "text table row"
expect 0 isochrone "$DATA" --from "Beijing; Tianjin" --minutes 30 --json -q
check '[ "$(num "$TMP/out" ".from | length")" = 2 ]' "two origins"
check 'ge "$(num "$TMP/out" ".bands[0].population")" "$((21893095 + 13866009))"' "both cities inside"
check 'gt "$(num "$TMP/out" ".bands[0].area_km2")" "$a30"' "two origins reach more than one"
expect 0 isochrone "$DATA" --from "116.4,39.9" --minutes 7.5,15 --json -q
check '[ "$(num "$TMP/out" ".bands[0].minutes")" = 7.5 ]' "decimal minutes"
check 'gt "$(num "$TMP/out" ".bands[0].area_km2")" 0' "LON,LAT origin"
expect 0 isochrone "$DATA" --from Beijing --minutes 60,120 --mode rail --json -q
check 'gt "$(num "$TMP/out" ".bands[1].area_km2")" "$(num "$TMP/out" ".bands[0].area_km2")"' "rail mode bands grow"
expect 0 isochrone "$DATA" --from Beijing --minutes 60 --buffer-m 2km --json -q
check 'gt "$(num "$TMP/out" ".bands[0].area_km2")" "$a60"' "wider buffer, larger area"
check '[ "$(num "$TMP/out" .buffer_m)" = 2000 ]' "buffer in JSON"
# unsorted minutes are sorted
expect 0 isochrone "$DATA" --from Beijing --minutes 60,30 --json -q
check '[ "$(num "$TMP/out" "[.bands[].minutes] | join(\",\")")" = "30,60" ]' "minutes sorted"

# --- raster: GeoTIFF and contours --------------------------------------------------------------
expect 0 isochrone "$DATA" --from Beijing --minutes 30,60 --raster 1km -o "$TMP/r.gpkg" -q
T="$TMP/r.tif"
check '[ -s "$T" ]' "GeoTIFF beside the GeoPackage"
check 'gdalinfo "$T" | grep -q "Driver: GTiff"' "valid GeoTIFF"
check 'gdalinfo "$T" | grep -q "Type=Float32"' "Float32"
check 'gdalinfo "$T" | grep -q "NoData Value=-9999"' "nodata"
check 'gdalinfo "$T" | grep -q "Pixel Size = (1000.000000000000000,-1000.000000000000000)"' "1 km cells"
check 'gdalinfo "$T" | grep -q "CGCS2000 / 3-degree Gauss-Kruger CM 117E"' "GeoTIFF CRS"
mx=$(gdalinfo -stats "$T" 2>/dev/null | sed -n 's/.*STATISTICS_MAXIMUM=//p' | head -1)
mn=$(gdalinfo -stats "$T" 2>/dev/null | sed -n 's/.*STATISTICS_MINIMUM=//p' | head -1)
check 'ge 60 "$mx" && ge "$mn" 0 && gt "$mx" 30' "travel times between 0 and 60 min ($mn..$mx)"
check 'ogrinfo -ro -so "$TMP/r.gpkg" contours | grep -q "Geometry: Line String"' "contours layer"
check '[ "$(sql "$TMP/r.gpkg" "SELECT COUNT(*) AS v FROM contours WHERE minutes = 30")" -gt 0 ]' "30-min contour"
check '[ "$(sql "$TMP/r.gpkg" "SELECT COUNT(*) AS v FROM contours WHERE minutes = 60")" -gt 0 ]' "60-min contour"
check '[ "$(sql "$TMP/r.gpkg" "SELECT COUNT(*) AS v FROM contours WHERE minutes NOT IN (30, 60)")" = 0 ]' "contours only at the bands"
# the 30-min contour runs mostly inside the 60-min band's polygon (OGR clipping with GEOS):
# traced from 1 km cells, it strays up to about a cell beyond where the reach ends in dead
# ends (access links), where the 60-min band is no wider than the 30-min one
ogr2ogr -f GPKG "$TMP/cclip.gpkg" "$TMP/r.gpkg" contours -where "minutes = 30" -nln c \
  -clipsrc "$TMP/r.gpkg" -clipsrclayer isochrones -clipsrcwhere "minutes = 60" 2>/dev/null
lin=$(sql "$TMP/cclip.gpkg" "SELECT SUM(ST_Length(geom)) AS v FROM c")
lall=$(sql "$TMP/r.gpkg" "SELECT SUM(ST_Length(geom)) AS v FROM contours WHERE minutes = 30")
check 'gt "$lall" 0 && ge "$lin" "$(awk -v a="$lall" "BEGIN { print 0.9 * a }")"' \
  "30-min contour inside the 60-min band ($lin of $lall m)"
expect 0 isochrone "$DATA" --from Beijing --minutes 30 --raster 500m -o "$TMP/r2.gpkg" --raster-out "$TMP/time.tif" -q
check 'gdalinfo "$TMP/time.tif" | grep -q "Pixel Size = (500.0000"' "--raster-out, 500 m cells"
check '[ ! -e "$TMP/r2.tif" ]' "--raster-out replaces the default path"

# --- bad input: usage errors exit 2, failures exit 1, one line, no files -----------------------
for m in 0 -5 1441 abc "30,,60" "30,60," "30,30" ""; do
  expect 2 isochrone "$DATA" --from Beijing --minutes "$m" -o "$TMP/bad.gpkg"
  check '[ "$(grep -c . "$TMP/err")" -le 2 ] && grep -q "^corridor isochrone: --minutes" "$TMP/err"' "bad minutes '$m' named"
done
expect 2 isochrone "$DATA" --minutes 30
check 'grep -q "required" "$TMP/err"' "--from required"
expect 2 isochrone "$DATA" --from Beijing
expect 2 isochrone "$DATA" --from "Beijing;;Tianjin" --minutes 30
expect 2 isochrone "$DATA" --from Beijing --minutes 30 --mode boat
expect 2 isochrone "$DATA" --from Beijing --minutes 30 --buffer-m -1
expect 2 isochrone "$DATA" --from Beijing --minutes 30 --raster 1km
check 'grep -q "needs -o" "$TMP/err"' "--raster needs -o"
expect 2 isochrone "$DATA" --from Beijing --minutes 30 --raster 1 -o "$TMP/bad.gpkg"
expect 2 isochrone "$DATA" --from Beijing --minutes 30 -o "$TMP/bad.txt"
expect 1 isochrone "$DATA" --from Atlantis --minutes 30 -q -o "$TMP/bad.gpkg"
check '[ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "unknown place .Atlantis." "$TMP/err"' "unknown place: one line"
expect 1 isochrone "$DATA" --from "150.0,10.0" --minutes 30 -q -o "$TMP/bad.gpkg"
check '[ "$(wc -l <"$TMP/err")" = 1 ]' "point far from the network: one line"
# with progress, the error still gets a line of its own
expect 1 isochrone "$DATA" --from Atlantis --minutes 30
check '[ "$(grep -c "^corridor isochrone: unknown place" "$TMP/err")" = 1 ]' "error on its own line after progress"
# unreachable: by rail nothing is within 5 minutes of Beijing (boarding alone takes 15)
expect 1 isochrone "$DATA" --from Beijing --minutes 5 --mode rail -q -o "$TMP/bad.gpkg" --raster 1km
check '[ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "nothing reachable" "$TMP/err"' "unreachable: one line"
expect 1 isochrone "$DATA" --from Beijing --minutes 30 -q -o "$TMP/no/such/dir/iso.gpkg" --raster 1km
check '[ ! -e "$TMP/bad.gpkg" ] && [ ! -e "$TMP/bad.tif" ]' "no output on failure"
check '[ -z "$(ls "$TMP" | grep tmp)" ] && [ -z "$(ls "$TMP/no" 2>/dev/null)" ]' "no temporary files left behind"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
