#!/usr/bin/env bash
# serve_test.sh: runs `corridor serve` on the bundled dataset on a loopback port and checks
# every endpoint against the CLI's answer to the same question (route byte for byte,
# isochrone bands, access and matrix times), bad requests (status and code), slow and idle
# connections, saturation (503), the page, and a clean SIGTERM/SIGINT shutdown.
# Usage: serve_test.sh CORRIDOR DATA.gpkg. Loopback only; every wait is bounded.
# COR_WRAP (e.g. "valgrind ...") wraps the server runs.
set -u
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh" || exit 1
SLOW=${COR_SLOW:-1}             # a factor for waits (valgrind: 20)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null; fi
  for fd in $(seq 10 30); do eval "exec $fd>&-" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

command -v curl >/dev/null || { echo "serve_test: curl is missing (scripts/deps.sh test)"; exit 1; }
command -v jq >/dev/null || { echo "serve_test: jq is missing (scripts/deps.sh test)"; exit 1; }

# start_server LOG ARGS...: starts the server on a free loopback port (tries several) and
# waits for /health; sets PORT, SERVER_PID, URL. Returns 1 when it never came up.
start_server() {
  local log=$1; shift
  local try
  for try in 1 2 3 4 5 6; do
    PORT=$(( 20000 + (RANDOM * 7 + $$ + try * 131) % 30000 ))
    $WRAP "$BIN" serve "$DATA" --port "$PORT" "$@" 2>"$log" >/dev/null &
    SERVER_PID=$!
    URL="http://127.0.0.1:$PORT"
    local i
    for i in $(seq 1 $((240 * SLOW))); do
      if curl -s -m 2 -o /dev/null "$URL/health"; then return 0; fi
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
      sleep 0.25
    done
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    grep -q "cannot listen" "$log" || { cat "$log" >&2; return 1; }
  done
  return 1
}

# stop_server SIGNAL: sends the signal, waits (bounded) and sets STOP_RC (124: still alive).
stop_server() {
  kill -"$1" "$SERVER_PID"
  local i
  STOP_RC=124
  for i in $(seq 1 $((40 * SLOW))); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; STOP_RC=$?; break; fi
    sleep 0.25
  done
  [ "$STOP_RC" = 124 ] && kill -KILL "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}

# req [CURL ARGS...] URL: the status in $CODE, the body in $TMP/body, headers in $TMP/hdr.
req() {
  CODE=$(curl -s -m $((30 * SLOW)) -D "$TMP/hdr" -o "$TMP/body" -w '%{http_code}' "$@")
}
# expect_error STATUS ERRCODE [CURL ARGS...] URL
expect_error() {
  local status=$1 code=$2; shift 2
  req "$@"
  if [ "$CODE" = "$status" ] && [ "$(jq -r .code "$TMP/body" 2>/dev/null)" = "$code" ] &&
     jq -e '.message | type == "string"' "$TMP/body" >/dev/null 2>&1; then ok; else
    bad "${*: -1}: expected $status $code, got $CODE $(head -c 200 "$TMP/body")"; fi
}

# --- usage -------------------------------------------------------------------------------
"$BIN" serve --help >"$TMP/out" 2>&1
check '[ $? = 0 ] && grep -q "^Usage: corridor serve" "$TMP/out"' "serve --help"
"$BIN" serve --port abc >/dev/null 2>&1
check '[ $? = 2 ]' "serve --port abc: usage error"
"$BIN" serve --bind not-an-address >/dev/null 2>&1
check '[ $? = 2 ]' "serve --bind not-an-address: usage error"
"$BIN" serve --max-minutes 0 >/dev/null 2>&1
check '[ $? = 2 ]' "serve --max-minutes 0: usage error"
"$BIN" serve --max-body 1TB >/dev/null 2>&1
check '[ $? = 2 ]' "serve --max-body 1TB: usage error"
"$BIN" --help | grep -q "^  serve" && ok || bad "corridor --help lists serve"

# --- the main server -----------------------------------------------------------------------
LOG="$TMP/server.log"
if ! start_server "$LOG" --threads 2 --max-body 64KB --max-matrix 100 --max-connections 12 \
       --idle-timeout 20; then
  bad "the server did not answer /health"
  echo "$pass passed, $fail failed"
  exit 1
fi
ok

# a second server on the same port cannot bind: one line naming the address, exit 1
"$BIN" serve "$DATA" --port "$PORT" >/dev/null 2>"$TMP/err2"
rc=$?
check '[ $rc = 1 ] && grep -q "cannot listen on 127.0.0.1:$PORT" "$TMP/err2" && [ $(wc -l <"$TMP/err2") = 1 ]' \
  "port in use: exit 1 naming the address (got $rc: $(head -c 200 "$TMP/err2"))"

req "$URL/health"
check '[ "$CODE" = 200 ] && [ "$(jq -c . "$TMP/body")" = "{\"status\":\"ok\"}" ]' "/health"
req -I "$URL/health"
check '[ "$CODE" = 200 ]' "HEAD /health"

# /info agrees with corridor info and corridor network
req "$URL/info"
cp "$TMP/body" "$TMP/info.json"
"$BIN" network "$DATA" --json -q >"$TMP/net.json"
"$BIN" info "$DATA" --json >"$TMP/cli_info.json"
check '[ "$CODE" = 200 ] && [ "$(jq -r .crs "$TMP/info.json")" = "$(jq -r .crs "$TMP/cli_info.json")" ]' "/info: CRS"
check '[ "$(jq .network.nodes "$TMP/info.json")" = "$(jq .nodes "$TMP/net.json")" ]' "/info: nodes = corridor network"
check '[ "$(jq -c .network.edges "$TMP/info.json")" = "$(jq -c .edges "$TMP/net.json")" ]' "/info: edges by mode = corridor network"
check '[ "$(jq .network.components "$TMP/info.json")" = "$(jq .components "$TMP/net.json")" ]' "/info: components"
check '[ "$(jq -c "[.layers[].name]" "$TMP/info.json")" = "$(jq -c "[.layers[].name]" "$TMP/cli_info.json")" ]' "/info: layers"

# --- /route equals corridor route --json byte for byte --------------------------------------
route_same() { # FROM TO MODE
  "$BIN" route "$DATA" --from "$1" --to "$2" --mode "$3" --json -q >"$TMP/cli_route.json"
  req -G "$URL/route" --data-urlencode "from=$1" --data-urlencode "to=$2" --data-urlencode "mode=$3"
  if [ "$CODE" = 200 ] && cmp -s "$TMP/body" "$TMP/cli_route.json"; then ok; else
    bad "/route $1 -> $2 ($3): differs from corridor route --json (HTTP $CODE)"; fi
}
route_same Beijing Tianjin multi
route_same Beijing Tianjin road
route_same 116.3,39.9 天津港 rail
route_same 北京南 "Shijiazhuang" multi
route_same 116.5,39.5 117.2,39.1 multi
req "$URL/route?from=Beijing&to=Tianjin"
check '[ "$(grep -i "^content-type:" "$TMP/hdr" | tr -d "\r")" = "Content-Type: application/json; charset=utf-8" ]' "/route: JSON content type"
req "$URL/route.geojson?from=Beijing&to=Tianjin"
G="$TMP/body"
check '[ "$CODE" = 200 ] && [ "$(jq -r .type "$G")" = FeatureCollection ]' "/route.geojson: a FeatureCollection"
bt=$("$BIN" route "$DATA" --from Beijing --to Tianjin --json -q | jq .time_s)
check '[ "$(jq .route.time_s "$G")" = "$bt" ]' "/route.geojson: the route's time"
check 'jq -e "[.features[].geometry.coordinates[][0]] | all(. > 113 and . < 121)" "$G" >/dev/null' "/route.geojson: lon/lat coordinates"
check 'jq -e "[.features[] | select(.properties.mode==\"rail\")] | length > 0" "$G" >/dev/null' "/route.geojson: a rail leg"

# --- /isochrone: the bands of corridor isochrone --json ------------------------------------
"$BIN" isochrone "$DATA" --from Beijing --minutes 30,60 --json -q >"$TMP/cli_iso.json"
req "$URL/isochrone?from=Beijing&minutes=60,30"
I="$TMP/body"
check '[ "$CODE" = 200 ] && [ "$(jq -r .type "$I")" = FeatureCollection ]' "/isochrone: a FeatureCollection ($CODE)"
check '[ "$(jq -c "[.features[].properties | {minutes, area_km2, population, parks, cities, reach_km}]" "$I")" = "$(jq -c "[.bands[] | {minutes, area_km2, population, parks, cities, reach_km}]" "$TMP/cli_iso.json")" ]' \
  "/isochrone: bands equal corridor isochrone --json"
check 'jq -e "[.features[].geometry.type] | all(. == \"MultiPolygon\")" "$I" >/dev/null' "/isochrone: MultiPolygons"
check 'jq -e "[.features[].geometry.coordinates[][][][0]] | all(. > 114 and . < 119)" "$I" >/dev/null' "/isochrone: EPSG:4326 longitudes"
check 'jq -e "[.features[].geometry.coordinates[][][][1]] | all(. > 38 and . < 42)" "$I" >/dev/null' "/isochrone: EPSG:4326 latitudes"
"$BIN" isochrone "$DATA" --from "116.3,39.9" --minutes 45 --mode road --json -q >"$TMP/cli_iso2.json"
req "$URL/isochrone?from=116.3,39.9&minutes=45&mode=road"
check '[ "$(jq -c "[.features[].properties.area_km2]" "$TMP/body")" = "$(jq -c "[.bands[].area_km2]" "$TMP/cli_iso2.json")" ]' \
  "/isochrone LON,LAT by road equals the CLI"

# --- /access: corridor access (nearest) and corridor route ----------------------------------
printf 'name,lon,lat\nA,116.3,39.9\nB,117.0,39.2\nC,114.5,38.0\n' >"$TMP/pts.csv"
for role in ports airports cities; do
  "$BIN" access "$DATA" --origins "$TMP/pts.csv" --to "$role" -o "$TMP/acc_$role.csv" -q >/dev/null
done
key() { case $1 in ports) echo port ;; airports) echo airport ;; cities) echo major_city ;; esac; }
while IFS=, read -r name lon lat; do
  [ "$name" = name ] && continue
  req "$URL/access?lon=$lon&lat=$lat"
  cp "$TMP/body" "$TMP/acc.json"
  check '[ "$CODE" = 200 ]' "/access $lon,$lat: 200"
  for role in ports airports cities; do
    k=$(key $role)
    row=$(grep "^$name," "$TMP/acc_$role.csv")
    cli_min=$(echo "$row" | cut -d, -f5)
    cli_name=$(echo "$row" | cut -d, -f6-)
    check 'jq -e --argjson m "$cli_min" ".nearest.$k.minutes - \$m | fabs < 1e-6" "$TMP/acc.json" >/dev/null' \
      "/access $lon,$lat: $k minutes = corridor access ($cli_min)"
    check '[ "$(jq -r ".nearest.$k.name" "$TMP/acc.json")" = "$cli_name" ]' "/access $lon,$lat: $k name = $cli_name"
  done
  hsr=$(jq -r .nearest.hsr_station.name "$TMP/acc.json")
  "$BIN" route "$DATA" --from "$lon,$lat" --to "station:$hsr" --json -q >"$TMP/hsr.json"
  check 'jq -e --slurpfile r "$TMP/hsr.json" ".nearest.hsr_station.time_s - \$r[0].time_s | fabs < 0.002" "$TMP/acc.json" >/dev/null' \
    "/access $lon,$lat: high-speed station $hsr time = corridor route"
done <"$TMP/pts.csv"
req "$URL/access?lon=116.3&lat=39.9&mode=rail"
check '[ "$CODE" = 200 ] && [ "$(jq -r .mode "$TMP/body")" = rail ]' "/access mode=rail"

# --- /matrix: corridor matrix ----------------------------------------------------------------
"$BIN" matrix "$DATA" --from "$TMP/pts.csv" --to ports -o "$TMP/m.csv" -q >/dev/null
dests=$(tail -n +2 "$TMP/m.csv" | cut -d, -f2 | awk '!seen[$0]++' | jq -R '"port:" + .' | jq -sc .)
body=$(jq -nc --argjson d "$dests" '{sources: ["116.3,39.9", "117.0,39.2", "114.5,38.0"], destinations: $d, mode: "multi"}')
req -X POST -H 'Content-Type: application/json' --data-binary "$body" "$URL/matrix"
cp "$TMP/body" "$TMP/matrix.json"
check '[ "$CODE" = 200 ] && jq -e ".times_s | length == 3 and (.[0] | length) == 5" "$TMP/matrix.json" >/dev/null' "/matrix: 3 x 5"
jq -r '.times_s | flatten | .[]' "$TMP/matrix.json" >"$TMP/mt"
tail -n +2 "$TMP/m.csv" | cut -d, -f3 >"$TMP/ct"
check 'paste -d" " "$TMP/mt" "$TMP/ct" | awk "{d=\$1-\$2; if (d<0) d=-d; if (d>0.0005) exit 1}"' "/matrix: times equal corridor matrix"
jq -r '.distances_m | flatten | .[]' "$TMP/matrix.json" >"$TMP/md"
tail -n +2 "$TMP/m.csv" | cut -d, -f4 >"$TMP/cd"
check 'paste -d" " "$TMP/md" "$TMP/cd" | awk "{d=\$1-\$2; if (d<0) d=-d; if (d>0.11) exit 1}"' "/matrix: distances equal corridor matrix"
req -X POST --data-binary '{"sources":["Beijing"],"destinations":["Tianjin","station:#58"]}' "$URL/matrix"
check '[ "$CODE" = 200 ] && jq -e ".times_s[0][1] == null and .distances_m[0][1] == null and (.times_s[0][0] | type) == \"number\"" "$TMP/body" >/dev/null' \
  "/matrix: null for an unreachable pair"

# --- [site tests] /site/score: corridor site --json ---------------------------------------------
CRIT=$(dirname "$DATA")/criteria
site_same() { # site_same NAME BODY CLI-ARGS...: the endpoint's answer equals corridor site --json
  local name=$1 body=$2; shift 2
  req -X POST -H 'Content-Type: application/json' --data-binary "$body" "$URL/site/score"
  cp "$TMP/body" "$TMP/site_srv.json"
  "$BIN" site "$DATA" "$@" --json -q >"$TMP/site_cli.json" 2>/dev/null
  check '[ "$CODE" = 200 ] && jq -e "(.top | length) > 0" "$TMP/site_srv.json" >/dev/null && [ "$(jq -S . "$TMP/site_srv.json")" = "$(jq -S . "$TMP/site_cli.json")" ]' \
    "/site/score equals corridor site --json: $name"
}
body=$(jq -c '{criteria: ., candidates: "parks", top: 5}' "$CRIT/robotics_plant.json")
site_same "parks, robotics plant (direct weights)" "$body" --candidates parks \
  --criteria "$CRIT/robotics_plant.json" --top 5
check 'jq -e ".candidates == 41 and .excluded == 0 and (.top | length) == 5 and .top[0].rank == 1" "$TMP/site_srv.json" >/dev/null' \
  "/site/score: 41 parks, the top 5"
# (a small grid: under the sanitizers a 20 km grid over Hebei outlasts the time budget)
body=$(jq -c '{criteria: ., candidates: "grid:15km", within: "Baoding", top: 8}' "$CRIT/relocate_beijing_function.json")
site_same "grid:15km over Baoding, AHP" "$body" --candidates grid:15km --within Baoding \
  --criteria "$CRIT/relocate_beijing_function.json" --top 8
check 'jq -e ".weights == \"ahp\" and .ahp.cr < 0.1 and .candidates > 50 and .excluded > 0" "$TMP/site_srv.json" >/dev/null' \
  "/site/score: a grid with AHP weights and exclusions"
printf 'name,lon,lat\nA,116.4,39.9\nB,117.2,39.1\nC,115.9,39.0\nFar,125,45\n' >"$TMP/site_pts.csv"
body=$(jq -c '{criteria: ., candidates: [{name: "A", lon: 116.4, lat: 39.9}, {name: "B", lon: 117.2, lat: 39.1}, {name: "C", lon: 115.9, lat: 39.0}, {name: "Far", lon: 125, lat: 45}]}' "$CRIT/robotics_plant.json")
site_same "four lon/lat points, one off the network" "$body" --candidates "$TMP/site_pts.csv" \
  --criteria "$CRIT/robotics_plant.json"
check 'jq -e ".candidates == 4 and .excluded == 1 and ([.top[].name] | sort) == [\"A\",\"B\",\"C\"]" "$TMP/site_srv.json" >/dev/null' \
  "/site/score: the point 500 km from a road is excluded"
SITE_OK='{"criteria":[{"id":"t","kind":"time_to","to":"ports","direction":"cost","weight":1}]}'
expect_error 400 InvalidQuery -X POST --data-binary '{"criteria":{"criteria":[{"id":"a","kind":"nearby","direction":"cost","weight":1}]},"candidates":"parks"}' "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "^criteria: criteria\[0\].kind: .nearby. is not one of"' "/site/score names the JSON path of a bad criterion"
expect_error 400 InvalidQuery -X POST --data-binary '{"criteria":{"criteria":[{"id":"a","kind":"time_to","to":"ports","direction":"up","weight":1}]},"candidates":"parks"}' "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "criteria\[0\].direction"' "/site/score names a bad direction"
expect_error 400 InvalidQuery -X POST --data-binary '{"candidates":"parks"}' "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary '{"criteria":' "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":\"gardens\"}" "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "gardens"' "/site/score names unknown candidates"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":\"$DATA\"}" "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":\"grid:5km\"}" "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":\"grid:1km\",\"within\":\"河北\"}" "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "cells (limit"' "/site/score: a grid over the candidate limit"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":[{\"name\":\"x\",\"lon\":500,\"lat\":1}]}" "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary "{\"criteria\":$SITE_OK,\"candidates\":\"parks\",\"top\":0}" "$URL/site/score"
expect_error 400 InvalidQuery -X POST --data-binary '{"criteria":{"criteria":[{"id":"d","kind":"distance_to","layer":"/etc/passwd","direction":"cost","weight":1}]},"candidates":"parks"}' "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "not a layer of the data"' "/site/score reads no file a client names"
expect_error 422 Unprocessable -X POST --data-binary '{"criteria":{"criteria":[{"id":"t","kind":"time_to","to":"ports","direction":"cost","weight":1}],"constraints":[{"kind":"limit","criterion":"t","max":1}]},"candidates":"parks"}' "$URL/site/score"
check 'jq -r .message "$TMP/body" | grep -q "all 41 candidates are excluded"' "/site/score: every site excluded"
expect_error 405 MethodNotAllowed "$URL/site/score"
head -c 100000 /dev/zero | tr '\0' ' ' >"$TMP/huge_site"
expect_error 413 PayloadTooLarge -X POST --data-binary @"$TMP/huge_site" "$URL/site/score"

# --- bad requests: the right status and code, and the server keeps serving -------------------
expect_error 400 InvalidQuery "$URL/route?from=Beijing"
expect_error 400 InvalidQuery "$URL/route?to=Beijing"
expect_error 400 InvalidQuery "$URL/route?from=Tianjn&to=Beijing"
check 'jq -r .message "$TMP/body" | grep -q "closest: city:Tianjin"' "/route unknown place lists candidates"
expect_error 400 InvalidQuery "$URL/route?from=Beijing&to=Tianjin&mode=plane"
expect_error 400 InvalidQuery "$URL/route?from=%FF%FE%80&to=Beijing"
expect_error 400 InvalidQuery "$URL/route?from=%C0%AF&to=Beijing"
expect_error 400 InvalidQuery "$URL/route?from=10,10&to=Beijing"
expect_error 400 InvalidQuery "$URL/route?from=$(head -c 400 /dev/zero | tr '\0' 'a')&to=Beijing"
expect_error 422 Unreachable "$URL/route?from=Beijing&to=station:%2358"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=0"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=abc"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=30,30"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=300"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=1e308"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing&minutes=nan"
expect_error 400 InvalidQuery "$URL/isochrone?from=Nowhere&minutes=30"
expect_error 400 InvalidQuery "$URL/isochrone?from=Beijing;%20;Tianjin&minutes=30"
check 'jq -r .message "$TMP/body" | grep -q "empty place"' "/isochrone: an empty place in from is named"
expect_error 400 InvalidQuery "$URL/access?lon=abc&lat=39"
expect_error 400 InvalidQuery "$URL/access?lon=116.3"
expect_error 400 InvalidQuery "$URL/access?lon=116.3&lat=95"
expect_error 400 InvalidQuery "$URL/access?lon=1e999&lat=39"
expect_error 400 InvalidQuery "$URL/access?lon=10&lat=10"
expect_error 400 InvalidQuery -X POST --data-binary '{"sources":' "$URL/matrix"
expect_error 400 InvalidQuery -X POST --data-binary '[1,2]' "$URL/matrix"
expect_error 400 InvalidQuery -X POST --data-binary '{"sources":"Beijing","destinations":["Tianjin"]}' "$URL/matrix"
expect_error 400 InvalidQuery -X POST --data-binary '{"sources":["Beijing","Nowhere"],"destinations":["Tianjin"]}' "$URL/matrix"
check 'jq -r .message "$TMP/body" | grep -q "sources\[1\]"' "/matrix names the bad entry"
expect_error 400 InvalidQuery -X POST --data-binary '{"sources":["Beijing"],"destinations":["Tianjin"],"mode":"boat"}' "$URL/matrix"
expect_error 400 InvalidQuery -X POST --data-binary $'{"sources":["\xff\xfe"],"destinations":["Tianjin"]}' "$URL/matrix"
big=$(jq -nc '{sources: [range(11) | "Beijing"], destinations: [range(10) | "Tianjin"]}')
expect_error 400 InvalidQuery -X POST --data-binary "$big" "$URL/matrix"
check 'jq -r .message "$TMP/body" | grep -q "limit of 100"' "/matrix over --max-matrix names the limit"
head -c 100000 /dev/zero | tr '\0' ' ' >"$TMP/huge"
expect_error 413 PayloadTooLarge -X POST --data-binary @"$TMP/huge" "$URL/matrix"
expect_error 413 PayloadTooLarge -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/huge" "$URL/matrix"
expect_error 404 NotFound "$URL/no/such/path"
expect_error 404 NotFound --path-as-is "$URL/../../etc/passwd"
expect_error 405 MethodNotAllowed -X POST "$URL/route?from=Beijing&to=Tianjin"
check 'grep -qi "^allow: GET, HEAD" "$TMP/hdr"' "405 names the allowed methods"
expect_error 405 MethodNotAllowed "$URL/matrix"
expect_error 405 MethodNotAllowed -X DELETE "$URL/"
req "$URL/route?from=Beijing&to=Tianjin&x=$(head -c 70000 /dev/zero | tr '\0' 'x')"
check '[ "$CODE" -ge 400 ] && [ "$CODE" -lt 500 ]' "a 70 kB URL is refused ($CODE)"
req "$URL/health"
check '[ "$CODE" = 200 ]' "still serving after the bad requests"

# --- the page -----------------------------------------------------------------------------------
req "$URL/"
check '[ "$CODE" = 200 ] && grep -q "<title>Corridor</title>" "$TMP/body" && grep -qi "^content-type: text/html" "$TMP/hdr"' "GET / serves the page"
req "$URL/app.js"
check '[ "$CODE" = 200 ] && grep -q "route.geojson" "$TMP/body"' "GET /app.js"
req "$URL/style.css"
check '[ "$CODE" = 200 ]' "GET /style.css"
req "$URL/vendor/leaflet/leaflet.js"
if [ "$CODE" = 200 ]; then
  check 'grep -q "Leaflet" "$TMP/body"' "GET /vendor/leaflet/leaflet.js is Leaflet"
  req "$URL/vendor/leaflet/images/marker-icon.png"
  check '[ "$CODE" = 200 ] && grep -qi "^content-type: image/png" "$TMP/hdr"' "Leaflet's images"
else
  echo "note: Leaflet not installed at build time; the page says so" >&2
  check '[ "$CODE" = 404 ]' "no Leaflet: 404"
fi
req "$URL/layers/provinces.geojson"
check '[ "$CODE" = 200 ] && jq -e ".features | length == 3" "$TMP/body" >/dev/null' "/layers/provinces.geojson: 3 provinces"
check 'jq -e "[.features[].geometry.coordinates[][][][0]] | all(. > 113 and . < 121)" "$TMP/body" >/dev/null' "provinces in lon/lat"
req "$URL/layers/places.geojson"
check '[ "$CODE" = 200 ] && jq -e "[.features[] | select(.properties.role==\"port\")] | length == 5" "$TMP/body" >/dev/null' "/layers/places.geojson: 5 ports"

# --- /map.png: the render module's base map ------------------------------------------------
req "$URL/map.png?extent=Beijing&width=320&height=240&lang=en"
check '[ "$CODE" = 200 ] && grep -qi "^content-type: image/png" "$TMP/hdr" && [ "$(head -c 8 "$TMP/body" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]' \
  "/map.png: a PNG ($CODE)"
check '[ "$(od -An -tu1 -j16 -N8 "$TMP/body" | tr -s " " | sed "s/^ //")" = "0 0 1 64 0 0 0 240" ]' "/map.png: 320 x 240 pixels"
expect_error 400 InvalidQuery "$URL/map.png?width=99999"
expect_error 400 InvalidQuery "$URL/map.png?width=12abc"
expect_error 400 InvalidQuery "$URL/map.png?extent=Atlantis&width=200&height=200"
expect_error 400 InvalidQuery "$URL/map.png?extent=1,2,3,4&width=200&height=200"
expect_error 400 InvalidQuery "$URL/map.png?lang=fr"
# themes the render module computes itself; the ones that need a results file are refused
req "$URL/map.png?bbox=115.3,39.4,117.6,41.1&width=640&height=480&theme=access"
check '[ "$CODE" = 200 ] && [ "$(od -An -tu1 -j16 -N8 "$TMP/body" | tr -s " " | sed "s/^ //")" = "0 0 2 128 0 0 1 224" ]' \
  "/map.png?theme=access&bbox=...: a 640 x 480 PNG ($CODE)"
expect_error 400 InvalidQuery "$URL/map.png?theme=sites&width=200&height=200"
expect_error 400 InvalidQuery "$URL/map.png?theme=nonsense"
expect_error 400 InvalidQuery "$URL/map.png?bbox=1,2,3&width=200&height=200"

# --- slow, idle and many connections ----------------------------------------------------------
# An unfinished request and idle connections stay open while others are answered.
exec 10<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n' >&10       # no blank line: never finished
exec 11<>"/dev/tcp/127.0.0.1/$PORT"                      # connected, silent
exec 12<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /matrix HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"sources"' >&12  # body cut short
req "$URL/route?from=Beijing&to=Tianjin"
check '[ "$CODE" = 200 ]' "answers while a request is half sent and connections idle"
# parallel requests: all answered
pids=()
for i in $(seq 1 8); do
  curl -s -m $((60 * SLOW)) -o "$TMP/par$i" -w '%{http_code}\n' "$URL/route?from=Beijing&to=Tangshan&mode=rail" >"$TMP/code$i" &
  pids+=($!)
done
wait "${pids[@]}"
n200=$(cat "$TMP"/code? | grep -c '^200$')
check '[ "$n200" = 8 ]' "8 parallel routes answered ($n200 of 8)"
check 'cmp -s "$TMP/par1" "$TMP/par8"' "parallel answers are identical"
# saturation: over --max-connections (12) open connections, a request gets 503 Busy
for fd in $(seq 13 24); do eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"; done
sleep 0.5
expect_error 503 Busy "$URL/health"
check 'grep -qi "^retry-after:" "$TMP/hdr"' "503 says Retry-After"
for fd in $(seq 10 24); do eval "exec $fd>&-"; done
ok200=0
for i in $(seq 1 $((40 * SLOW))); do
  req "$URL/health"
  if [ "$CODE" = 200 ]; then ok200=1; break; fi
  sleep 0.25
done
check '[ $ok200 = 1 ]' "serves again once the connections are closed"

# --- one log line per request -----------------------------------------------------------------
check 'grep -q "^127.0.0.1 GET /route?from=Beijing&to=Tianjin 200 " "$LOG"' "a log line per request"
check 'grep -q " POST /matrix 413 " "$LOG"' "the log has the 413"

# --- SIGTERM: clean exit 0 within seconds ------------------------------------------------------
stop_server TERM
check '[ "$STOP_RC" = 0 ]' "SIGTERM: exit 0 within 10 s (got $STOP_RC)"
check 'grep -q "SIGTERM: stopping" "$LOG"' "SIGTERM logged"

# --- a second server: time budget, heavy requests, -q, SIGINT ----------------------------------
LOG2="$TMP/server2.log"
if start_server "$LOG2" --threads 1 --time-budget-ms 1 -q; then
  ok
  expect_error 503 TimeBudgetExceeded "$URL/isochrone?from=Beijing&minutes=120"
  req "$URL/route?from=Beijing&to=Tianjin"
  check '[ "$CODE" = 200 ]' "routes still answered after a refused isochrone"
  stop_server INT
  check '[ "$STOP_RC" = 0 ]' "SIGINT: exit 0 (got $STOP_RC)"
  check '[ ! -s "$LOG2" ]' "-q: no log lines ($(head -c 200 "$LOG2"))"
else
  bad "second server did not start"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
