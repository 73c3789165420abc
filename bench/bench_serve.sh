#!/usr/bin/env bash
# bench_serve.sh: a bounded load test of `corridor serve` on loopback: throughput and p50/p99
# latency of /route and /access on the bundled data with 2 server threads (wrk, 2 client
# threads, 8 keep-alive connections, DURATION seconds per endpoint), beside the same
# questions asked in-process (bench_serve_inproc.c, compiled here) and through the CLI (one
# `corridor route` process per question). Checks that no request is lost (wrk errors and
# non-2xx answers are 0, the server's log has every request) and that the server is still up.
# Usage: bash bench/bench_serve.sh [BUILD_DIR] [DATA] [DURATION_S]   (see bench/README.md)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
DATA=${2:-$ROOT/datasets/jjj.gpkg}
DUR=${3:-10}
BIN=$BUILD/corridor
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
[ -x "$BIN" ] || { echo "bench_serve: $BIN not built" >&2; exit 1; }
case $DUR in ''|*[!0-9]*) echo "bench_serve: DURATION_S must be whole seconds" >&2; exit 2 ;; esac
[ "$DUR" -ge 1 ] && [ "$DUR" -le 120 ] || { echo "bench_serve: DURATION_S 1-120" >&2; exit 2; }

# The load generator: wrk from Debian, installed here when missing (nothing in deps.sh).
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }
  elif command -v sudo >/dev/null; then sudo apt-get install -y -qq wrk >/dev/null 2>&1; fi
fi
command -v wrk >/dev/null || { echo "bench_serve: wrk is not installed and cannot be" >&2; exit 1; }

# The questions: 8 trips (names and LON,LAT) and 8 points.
cat >"$TMP/routes.txt" <<'EOF'
Beijing|Tianjin
Beijing|Shijiazhuang
天津港|Baoding
116.30000,39.90000|117.20000,39.10000
Tangshan|Handan
北京南|Zhangjiakou
Cangzhou|Qinhuangdao
115.50000,38.90000|Beijing Daxing International Airport
EOF
cat >"$TMP/points.txt" <<'EOF'
116.30000,39.90000
117.20000,39.10000
114.50000,38.00000
118.20000,39.60000
115.50000,38.90000
116.70000,40.40000
119.50000,39.90000
114.90000,40.80000
EOF
urlenc() { jq -rn --arg s "$1" '$s | @uri'; }
{
  echo "paths = {"
  while IFS='|' read -r f t; do echo "  \"/route?from=$(urlenc "$f")&to=$(urlenc "$t")\","; done <"$TMP/routes.txt"
  echo "}"
} >"$TMP/route_paths.lua"
{
  echo "paths = {"
  while IFS=, read -r lon lat; do echo "  \"/access?lon=$lon&lat=$lat\","; done <"$TMP/points.txt"
  echo "}"
} >"$TMP/access_paths.lua"
cat >"$TMP/common.lua" <<'EOF'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f socket_errors=%d non2xx=%d\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF
cat "$TMP/route_paths.lua" "$TMP/common.lua" >"$TMP/route.lua"
cat "$TMP/access_paths.lua" "$TMP/common.lua" >"$TMP/access.lua"

# Start the server (2 threads, log on) on a free loopback port.
LOG="$TMP/server.log"
for try in 1 2 3 4 5; do
  PORT=$(( 30000 + (RANDOM + try * 977) % 20000 ))
  "$BIN" serve "$DATA" --port "$PORT" --threads 2 2>"$LOG" &
  SERVER_PID=$!
  up=0
  for i in $(seq 1 240); do
    curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/health" && { up=1; break; }
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.25
  done
  [ $up = 1 ] && break
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
done
[ -n "$SERVER_PID" ] || { echo "bench_serve: the server did not start" >&2; cat "$LOG" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
# warm up
for p in $(sed -n 's/^  "\(.*\)",$/\1/p' "$TMP/route_paths.lua" "$TMP/access_paths.lua"); do
  curl -s -o /dev/null "$URL$p"
done

status=0
declare -A R H
for kind in route access; do
  before=$(grep -c " GET /$kind?" "$LOG")
  wrk -t2 -c8 -d"${DUR}s" --timeout 10s -s "$TMP/$kind.lua" "$URL" >"$TMP/wrk_$kind.txt" 2>&1
  line=$(grep '^RESULT' "$TMP/wrk_$kind.txt")
  [ -n "$line" ] || { echo "bench_serve: wrk failed:" >&2; cat "$TMP/wrk_$kind.txt" >&2; exit 1; }
  sleep 0.5
  after=$(grep -c " GET /$kind?" "$LOG")
  served=$((after - before))
  R[$kind]="$line served=$served"
  # the server's own time per request (from its log: parsing, search, JSON), without queueing
  H[$kind]=$(grep " GET /$kind?" "$LOG" | tail -n "$served" | awk '{print $NF}' | sed 's/ms$//' |
    sort -g | awk '{v[NR]=$1} END {k=int(NR*0.99); if (k<1) k=1; if (NR) printf "%.3f %.3f", v[int((NR+1)/2)], v[k]}')
  req=$(echo "$line" | sed 's/.* requests=\([0-9]*\).*/\1/')
  errs=$(echo "$line" | sed 's/.*socket_errors=\([0-9]*\).*/\1/')
  non2xx=$(echo "$line" | sed 's/.*non2xx=\([0-9]*\).*/\1/')
  not200=$(grep " GET /$kind?" "$LOG" | grep -vc " 200 ")
  if [ "$errs" != 0 ] || [ "$non2xx" != 0 ] || [ "$not200" != 0 ] || [ "$served" -lt "$req" ]; then
    echo "bench_serve: $kind lost requests: wrk $req completed, $errs socket errors, $non2xx" \
         "non-2xx; server answered $served ($not200 not 200)" >&2
    status=1
  fi
done
curl -s -m 5 "$URL/health" | grep -q '"ok"' || { echo "bench_serve: the server is down" >&2; status=1; }
kill -TERM "$SERVER_PID"
for i in $(seq 1 40); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.25; done
wait "$SERVER_PID"
src=$?
SERVER_PID=
[ "$src" = 0 ] || { echo "bench_serve: the server exited $src on SIGTERM" >&2; status=1; }

# In-process: the same questions on one thread, 20 rounds.
CFLAGS_LIBS="$(pkg-config --cflags --libs gdal proj geos jansson)"
if cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$ROOT/include" -I"$BUILD/include" -I"$ROOT/cli" \
     "$ROOT/bench/bench_serve_inproc.c" "$ROOT/cli/route_answer.c" "$BUILD/libcor_analysis.a" \
     "$BUILD/libcor_geo.a" $CFLAGS_LIBS -fopenmp -lm -o "$TMP/inproc" 2>"$TMP/cc.txt"; then
  "$TMP/inproc" "$DATA" "$TMP/routes.txt" "$TMP/points.txt" 20 >"$TMP/inproc.txt" ||
    { cat "$TMP/inproc.txt" >&2; status=1; }
else
  echo "bench_serve: cannot compile bench_serve_inproc.c:" >&2; cat "$TMP/cc.txt" >&2; status=1
fi

# The CLI: one process per question (loads the data and builds the network each time).
t0=$(date +%s.%N)
nq=0
while IFS='|' read -r f t; do
  "$BIN" route "$DATA" --from "$f" --to "$t" --json -q >/dev/null || status=1
  nq=$((nq + 1))
done <"$TMP/routes.txt"
t1=$(date +%s.%N)
cli_ms=$(echo "($t1 - $t0) * 1000 / $nq" | bc -l 2>/dev/null || awk "BEGIN{print ($t1-$t0)*1000/$nq}")

field() { echo "$1" | sed "s/.* $2=\([0-9.]*\).*/\1/;s/^$2=\([0-9.]*\).*/\1/"; }
echo "bench_serve: corridor serve --threads 2 on loopback, wrk -t2 -c8 -d${DUR}s, $(nproc) CPUs"
printf '%-8s %9s %8s %8s %8s %8s %5s %10s %10s\n' endpoint requests req/s p50_ms p99_ms max_ms lost server_p50 inproc_p50
for kind in route access; do
  l=${R[$kind]}
  ip=$(grep "^inproc $kind " "$TMP/inproc.txt" 2>/dev/null)
  printf '%-8s %9s %8s %8s %8s %8s %5s %10s %10s\n' "/$kind" "$(field "$l" requests)" \
    "$(field "$l" rps)" "$(field "$l" p50_ms)" "$(field "$l" p99_ms)" "$(field "$l" max_ms)" \
    "$(( $(field "$l" socket_errors) + $(field "$l" non2xx) ))" "${H[$kind]%% *}" \
    "$(field "$ip" p50_ms)"
done
echo "latency: wrk's, queueing included; server_p50: the server's own time per request (its"
echo "log; p99: route ${H[route]#* } ms, access ${H[access]#* } ms); inproc: the same questions"
echo "in one process on one thread, 20 rounds: $(tr '\n' ';' <"$TMP/inproc.txt")"
printf 'CLI: corridor route, one process per question: %.0f ms each (load + network + query)\n' "$cli_ms"
echo "server exit on SIGTERM: $src"
[ $status = 0 ] && echo "bench_serve: PASS" || echo "bench_serve: FAIL"
exit $status
