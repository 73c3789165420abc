#!/usr/bin/env bash
# cli_access_test.sh: runs `corridor matrix` and `corridor access` on the bundled dataset and
# checks values against `corridor route` and against the matrix itself, exit codes, error
# lines and that failures leave no file. Usage: cli_access_test.sh CORRIDOR DATA.gpkg
# COR_WRAP (e.g. "valgrind --error-exitcode=99 ...") wraps every corridor run.
set -u
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh" || exit 1

# sql FILE.gpkg QUERY: the first value of the first row (SQLite dialect through OGR)
sql() {
  ogrinfo -ro -q "$1" -dialect SQLite -sql "$2" 2>/dev/null | sed -n 's/^  [^ ]* ([A-Za-z0-9]*) = //p' | head -1
}
# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
one_line() { [ "$(wc -l <"$TMP/err")" = 1 ]; }

# --- help and dispatch -----------------------------------------------------------------------
expect 0 --help
check 'grep -q "^  matrix" "$TMP/out" && grep -q "^  access" "$TMP/out"' "--help lists matrix and access"
for cmd in matrix access; do
  expect 0 "$cmd" --help
  check "grep -q '^Usage: corridor $cmd' \"\$TMP/out\"" "$cmd --help shows usage"
  expect 2 "$cmd" --no-such-option
done
expect 0 access --help
check 'grep -q "2sfca:T" "$TMP/out" && grep -q "floored at 1 minute" "$TMP/out"' "access --help documents measures"

# --- matrix: cities x ports ------------------------------------------------------------------
M="$TMP/m.csv"
expect 0 matrix "$DATA" --from cities --to ports -o "$M" -q
check '[ "$(wc -l <"$M")" = 71 ]' "matrix: 14 x 5 rows + header"
check '[ "$(head -1 "$M")" = "origin,destination,time_s,distance_m" ]' "matrix: header"
check '[ "$(cut -d, -f1 "$M" | sed 1d | sort -u | wc -l)" = 14 ] && [ "$(cut -d, -f2 "$M" | sed 1d | sort -u | wc -l)" = 5 ]' \
  "matrix: 14 origins, 5 destinations"
bj_tj=$(awk -F, '$1 == "Beijing" && $2 == "Tianjin Xin Gang" { print $3 }' "$M")
check 'awk -v t="$bj_tj" "BEGIN { exit !(t > 3600 && t < 4 * 3600) }"' "matrix: Beijing -> Tianjin Xin Gang has a positive time ($bj_tj s)"
check '[ "$(awk -F, "NR > 1 && (\$3 == \"\" || \$3 <= 0 || \$4 <= 0)" "$M" | wc -l)" = 0 ]' \
  "matrix: every city reaches every port (positive time and distance)"

# matrix times equal `corridor route` (within 1 s), for a few pairs and modes
for pair in "Beijing|Tianjin Xin Gang|multi" "Shijiazhuang|Huanghua|multi" "Chengde|Qinhuangdao|road" \
            "Handan|Tianjin Xin Gang|rail"; do
  IFS='|' read -r a b mode <<<"$pair"
  expect 0 route "$DATA" --from "$a" --to "port:$b" --mode "$mode" --json -q
  rt=$(jq .time_s "$TMP/out")
  rd=$(jq .distance_m "$TMP/out")
  if [ "$mode" = multi ]; then Mm="$M"; else
    Mm="$TMP/m_$mode.csv"
    [ -e "$Mm" ] || run matrix "$DATA" --from cities --to ports --mode "$mode" -o "$Mm" -q >/dev/null 2>&1
  fi
  mt=$(awk -F, -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' "$Mm")
  md=$(awk -F, -v a="$a" -v b="$b" '$1 == a && $2 == b { print $4 }' "$Mm")
  check 'near "$mt" "$rt" 1' "matrix $a -> $b ($mode): $mt s, route says $rt s"
  check 'near "$md" "$rd" 1' "matrix $a -> $b ($mode): $md m, route says $rd m"
done

# --max-minutes: pairs beyond it are empty (NULL), never 0; pairs within keep their time
expect 0 matrix "$DATA" --from cities --to ports --max-minutes 10 -o "$TMP/m10.csv" -q
check '[ "$(wc -l <"$TMP/m10.csv")" = 71 ]' "matrix --max-minutes 10: every pair still has a row"
check 'grep -qx "Beijing,Tianjin Xin Gang,," "$TMP/m10.csv"' "matrix --max-minutes 10: an unreachable pair is empty"
check '[ "$(awk -F, "NR > 1 && \$3 != \"\"" "$TMP/m10.csv" | wc -l)" = 0 ]' "matrix --max-minutes 10: nothing within 10 min"
expect 0 matrix "$DATA" --from cities --to ports --max-minutes 100 -o "$TMP/m100.csv" -q --json
check '[ "$(jq .reachable_pairs "$TMP/out")" -gt 0 ] && [ "$(jq .unreachable_pairs "$TMP/out")" -gt 0 ] &&
       [ "$(jq ".reachable_pairs + .unreachable_pairs" "$TMP/out")" = 70 ]' "matrix --max-minutes 100 --json: counts"
check '[ "$(awk -F, "NR > 1 && \$3 != \"\"" "$TMP/m100.csv" | wc -l)" = "$(awk -F, "NR > 1 && \$3 <= 6000" "$M" | wc -l)" ]' \
  "matrix --max-minutes 100: exactly the pairs within 6000 s are kept"
check '[ -z "$(join -t"|" <(awk -F, "NR > 1 && \$3 != \"\" { print \$1 \"/\" \$2 \"|\" \$3 }" "$TMP/m100.csv" | sort) \
                         <(awk -F, "NR > 1 { print \$1 \"/\" \$2 \"|\" \$3 }" "$M" | sort) -v1)" ]' \
  "matrix --max-minutes 100: kept times equal the unlimited ones"

# a place to itself takes 0 s (a real 0, not an empty cell); GeoPackage output is a table
expect 0 matrix "$DATA" --from ports --to ports -o "$TMP/pp.gpkg" -q --json
check '[ "$(jq .pairs "$TMP/out")" = 25 ] && [ "$(jq .reachable_pairs "$TMP/out")" = 25 ]' "matrix ports x ports: 25 reachable"
check '[ "$(sql "$TMP/pp.gpkg" "SELECT COUNT(*) AS n FROM matrix WHERE origin = destination AND time_s = 0 AND distance_m = 0")" = 5 ]' \
  "matrix: a port to itself is 0 s, 0 m"
check 'ogrinfo -ro -so "$TMP/pp.gpkg" matrix | grep -q "Geometry: None"' "matrix .gpkg: table without geometry"

# --- access: parks -> ports ------------------------------------------------------------------
A="$TMP/access.gpkg"
expect 0 access "$DATA" --origins parks --to ports --measure nearest,watt,cum:120,hansen:exp:0.02,2sfca:120 -o "$A" -q
check '[ "$(ogrinfo -ro -so "$A" access | sed -n "s/Feature Count: //p")" = 41 ]' "access: 41 parks"
for col in name snap_m nearest_min nearest_name watt_min cum_120 hansen_exp_0_02 a_2sfca_120; do
  check "ogrinfo -ro -so \"\$A\" access | grep -q \"^$col: \"" "access: column $col"
done
check 'ogrinfo -ro -so "$A" access | grep -q "Geometry: Point"' "access: origin points"
check 'ogrinfo -ro -so "$A" access | grep -q "CGCS2000 / 3-degree Gauss-Kruger CM 117E"' "access: working CRS"
# against the matrix of the same parks and ports
expect 0 matrix "$DATA" --from parks --to ports -o "$TMP/pm.gpkg" -q
ogr2ogr -append "$TMP/pm.gpkg" "$A" access 2>/dev/null
J="SELECT a.*, m.tmin, m.tavg, m.n120, m.argmin FROM access a JOIN (SELECT origin, MIN(time_s) / 60.0 tmin,
   AVG(time_s) / 60.0 tavg, SUM(time_s <= 7200) n120,
   (SELECT destination FROM matrix x WHERE x.origin = matrix.origin ORDER BY time_s LIMIT 1) argmin
   FROM matrix GROUP BY origin) m ON a.name = m.origin"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J)")" = 41 ]' "access: every park is a matrix row"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J) WHERE ABS(nearest_min - tmin) < 1e-6")" = 41 ]' \
  "access: nearest_min = min over the park's matrix row"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J) WHERE nearest_name = argmin")" = 41 ]' \
  "access: nearest_name = the row's fastest port"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J) WHERE ABS(watt_min - tavg) < 1e-6")" = 41 ]' \
  "access: watt_min with mass 1 = mean of the row"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J) WHERE cum_120 = n120")" = 41 ]' \
  "access: cum_120 = ports within 120 min"
# 2SFCA with supply and demand 1 hands out exactly the supply of the reached ports
reached=$(sql "$TMP/pm.gpkg" "SELECT COUNT(DISTINCT destination) AS n FROM matrix WHERE time_s <= 7200")
total=$(sql "$TMP/pm.gpkg" "SELECT SUM(a_2sfca_120) AS s FROM access")
check '[ "$reached" -gt 0 ] && near "$total" "$reached" 1e-9' "access: sum of 2SFCA ($total) = ports reached within 120 min ($reached)"
check '[ "$(sql "$TMP/pm.gpkg" "SELECT COUNT(*) AS n FROM ($J) WHERE ABS(hansen_exp_0_02 - (SELECT SUM(EXP(-0.02 * time_s / 60.0)) FROM matrix x WHERE x.origin = name)) < 1e-9")" = 41 ]' \
  "access: hansen_exp_0_02 = sum of exp(-0.02 t) over the row"

# cities as facilities: the mass is the population (watt weighs by it)
expect 0 access "$DATA" --origins ports --to cities --measure watt,cum:90,hansen:pow:1.5 -o "$TMP/pc.csv" -q
check '[ "$(head -1 "$TMP/pc.csv")" = "name,lon,lat,snap_m,watt_min,cum_90,hansen_pow_1_5" ]' "access .csv: name,lon,lat first"
check '[ "$(wc -l <"$TMP/pc.csv")" = 6 ]' "access .csv: 5 ports"
check 'awk -F, "\$1 == \"Tianjin Xin Gang\" { exit !(\$6 >= 13866009) }" "$TMP/pc.csv"' "access: cum_90 of Tianjin port counts Tianjin's population"
check 'awk -F, "\$1 == \"Huanghua\" { exit !(\$2 > 117 && \$2 < 118.5 && \$3 > 38 && \$3 < 39) }" "$TMP/pc.csv"' "access .csv: lon/lat in degrees"

# --- points from a CSV file with lon/lat -------------------------------------------------------
printf 'name,lon,lat,pop\nTiananmen,116.3975,39.9087,100\nTianjin station,117.2105,39.1360,50\nOcean,123.5,38.5,10\nNowhere,116.9,39.4,\n' >"$TMP/pts.csv"
expect 0 matrix "$DATA" --from "$TMP/pts.csv" --to ports -o "$TMP/pts_m.csv"
check '[ "$(wc -l <"$TMP/pts_m.csv")" = 21 ]' "matrix from CSV points: 4 x 5 rows + header"
check 'grep -q "Ocean.*km from the nearest road" "$TMP/err"' "a point far from the network is named with its snap distance"
check '[ "$(grep -c "^Ocean,.*,,$" "$TMP/pts_m.csv")" = 5 ]' "the far point's pairs are empty"
check '[ "$(awk -F, "\$1 == \"Tiananmen\" && \$3 > 0" "$TMP/pts_m.csv" | wc -l)" = 5 ]' "CSV points reach the ports"
ti=$(awk -F, '$1 == "Tiananmen" && $2 == "Tianjin Xin Gang" { print $3 }' "$TMP/pts_m.csv")
expect 0 route "$DATA" --from 116.3975,39.9087 --to "Tianjin Xin Gang" --json -q
check 'near "$ti" "$(jq .time_s "$TMP/out")" 1' "matrix from a CSV point = route from LON,LAT ($ti s)"
expect 0 access "$DATA" --origins "$TMP/pts.csv" --to cities --measure nearest,2sfca:60 --demand pop -o "$TMP/pts_a.csv" -q
check '[ "$(wc -l <"$TMP/pts_a.csv")" = 5 ]' "access from CSV points: 4 rows"
check 'grep -q "^Tiananmen,116.3975,39.9087,[0-9.]*,[0-9.]*,Beijing," "$TMP/pts_a.csv"' "access: Tiananmen's nearest city is Beijing"
check 'grep -q "^Ocean,123.5,38.5,[0-9.]*,,,$" "$TMP/pts_a.csv"' "access: an origin off the network has empty measures"
expect 0 matrix "$DATA" --from "$TMP/pts.csv" --to cities --id-field pop -o "$TMP/pts_id.csv" -q
# (GDAL's CSV writer quotes strings that look like numbers)
check 'grep -Eq "^\"?100\"?,Beijing," "$TMP/pts_id.csv" && grep -Eq "^\"?4\"?,Beijing," "$TMP/pts_id.csv"' \
  "--id-field labels by the field, by the feature id when it is unset"

# --- bad input: one line naming the input, exit 1; usage errors exit 2; no partial files ------
expect 2 access "$DATA" --origins parks --to ports --measure nearest,bogus -o "$TMP/x.gpkg"
check 'grep -q "unknown measure .bogus." "$TMP/err"' "bad measure named"
for m in cum cum:0 cum:1441 hansen:exp hansen:exp:-1 hansen:lin:1 2sfca:abc nearest:3 "nearest,,watt"; do
  expect 2 access "$DATA" --origins parks --measure "$m" -o "$TMP/x.gpkg"
done
expect 2 matrix "$DATA" --from cities --to ports --mode bike -o "$TMP/x.csv"
check 'grep -q "unknown mode .bike." "$TMP/err"' "bad mode named"
for mm in 0 -5 1441 abc; do
  expect 2 matrix "$DATA" --from cities --to ports --max-minutes "$mm" -o "$TMP/x.csv"
done
expect 2 matrix "$DATA" --from cities --to ports -o "$TMP/x.txt"
expect 2 matrix "$DATA" --from cities -o "$TMP/x.csv"
expect 2 access "$DATA" --to ports -o "$TMP/x.gpkg"
expect 1 matrix "$DATA" --from cities --to ports --id-field nope -o "$TMP/x.csv"
check 'one_line && grep -q "id-field nope: neither --from cities nor --to ports has a field .nope." "$TMP/err"' \
  "unknown --id-field: one line naming it"
expect 1 access "$DATA" --origins parks --to ports --id-field nope -o "$TMP/x.gpkg" -q
check 'one_line && grep -q "nope" "$TMP/err"' "unknown --id-field in access: one line naming it"
expect 1 access "$DATA" --origins parks --to ports --measure watt --mass nope -o "$TMP/x.gpkg"
check 'one_line && grep -q -- "--mass nope: layer .ports.*no field .nope." "$TMP/err"' "unknown --mass field named"
expect 1 access "$DATA" --origins "$TMP/pts.csv" --to ports --measure 2sfca:60 --demand nope -o "$TMP/x.gpkg" -q
check 'one_line && grep -q "pts.csv.*no field .nope." "$TMP/err"' "unknown --demand field in a file named"
expect 1 matrix "$DATA" --from no_such_layer --to ports -o "$TMP/x.csv"
check 'one_line && grep -q "no_such_layer: not a place role" "$TMP/err"' "unknown layer or file named"
expect 1 matrix "$DATA" --from "$TMP/missing.csv" --to ports -o "$TMP/x.csv"
check 'one_line && grep -q "missing.csv" "$TMP/err"' "missing file named"
printf 'name,lon,lat\n' >"$TMP/empty.csv"
expect 1 matrix "$DATA" --from "$TMP/empty.csv" --to ports -o "$TMP/x.csv"
check 'one_line && grep -q "empty.csv.*no usable points" "$TMP/err"' "no points: named"
printf 'name,lon,lat\nSea,123.5,38.5\n' >"$TMP/far.csv"
expect 1 access "$DATA" --origins "$TMP/far.csv" --to ports -o "$TMP/x.gpkg" -q
check 'one_line && grep -q "far.csv: no point is within 20.0 km of a road.*Sea.*km away" "$TMP/err"' \
  "every point far from the network: error with the snap distance"
expect 0 access "$DATA" --origins "$TMP/far.csv" --to ports --max-snap 1000 -o "$TMP/far.gpkg" -q
check '[ -e "$TMP/far.gpkg" ]' "--max-snap lets a far point snap"
# --max-snap is in kilometres: a unit may be given, and "m" means metres
expect 0 access "$DATA" --origins "$TMP/far.csv" --to ports --max-snap 1000km -o "$TMP/far2.gpkg" -q
check '[ -e "$TMP/far2.gpkg" ]' "--max-snap 1000km is 1000 km"
expect 1 access "$DATA" --origins "$TMP/far.csv" --to ports --max-snap 1000m -o "$TMP/x.gpkg" -q
check 'one_line && grep -q "far.csv: no point is within 1.0 km of a road" "$TMP/err"' \
  "--max-snap 1000m is 1 km"
expect 2 scenario "$DATA" --origins cities --to ports --top 5m -o "$TMP/x.gpkg"
check 'grep -q -- "--top: .5m. is not a whole number" "$TMP/err"' "--top takes no unit"
printf 'name,lon,lat,w\nA,116.4,39.9,-3\n' >"$TMP/neg.csv"
expect 1 access "$DATA" --origins parks --to "$TMP/neg.csv" --measure watt --mass w -o "$TMP/x.gpkg"
check 'one_line && grep -q "negative" "$TMP/err"' "a negative mass is refused"
expect 1 access "$DATA" --origins parks --to ports -q -o "$TMP/no/such/dir/a.gpkg"
check '[ ! -e "$TMP/x.gpkg" ] && [ ! -e "$TMP/x.csv" ] && [ ! -e "$TMP/no" ]' "no output on failure"
ls "$TMP" | grep -q tmp && bad "temporary files left behind: $(ls "$TMP")" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
