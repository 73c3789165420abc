#!/usr/bin/env bash
# postgis_test.sh: a throwaway PostgreSQL + PostGIS on loopback; the bundled layers loaded with
# ogr2ogr; the network built from the PG: source must equal the one built from the GeoPackage.
# Exits 77 (skipped) when no PostgreSQL server with PostGIS is installed.
set -u
BIN=$1
DATA=$2
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  echo "PostgreSQL server or PostGIS not installed: skipped"
  exit 77
fi
TMP=$(mktemp -d)
chmod 755 "$TMP"
AS=()
if [ "$(id -u)" = 0 ]; then # the server refuses to run as root
  chown postgres "$TMP"
  AS=(runuser -u postgres --)
fi
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/db" -m immediate stop >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$TMP/db" -A trust -U corridor >"$TMP/initdb.log" 2>&1 || {
  cat "$TMP/initdb.log"; exit 1; }
started=
for port in $(shuf -i 20000-40000 -n 10); do
  if "${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/db" -w -t 30 -l "$TMP/db/server.log" \
      -o "-p $port -k $TMP -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
    started=$port
    break
  fi
done
[ -n "$started" ] || { echo "could not start PostgreSQL"; cat "$TMP/db/server.log"; exit 1; }
CONN="host=127.0.0.1 port=$started user=corridor dbname=jjj"
"$PGBIN/createdb" -h 127.0.0.1 -p "$started" -U corridor jjj || exit 1
psql -q -h 127.0.0.1 -p "$started" -U corridor -d jjj -c "CREATE EXTENSION postgis" || exit 1
ogr2ogr -f PostgreSQL "PG:$CONN" "$DATA" -lco GEOMETRY_NAME=geom -lco FID=fid || exit 1

pass=0
fail=0
"$BIN" network "PG:$CONN" --json -q >"$TMP/pg.json" || { echo "FAIL: network on PG: source"; exit 1; }
"$BIN" network "$DATA" --json -q >"$TMP/gpkg.json" || exit 1
for key in .nodes .directed_edges .edges .components .stations .places .snapping \
           .disconnected_places; do
  if [ "$(jq -S "$key" "$TMP/pg.json")" = "$(jq -S "$key" "$TMP/gpkg.json")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $key differs: PG $(jq -c "$key" "$TMP/pg.json") vs GeoPackage $(jq -c "$key" "$TMP/gpkg.json")"
  fi
done
if [ "$("$BIN" info "PG:$CONN" --json | jq '[.layers[] | select(.name=="rail")][0].features')" = \
     "$(jq '.layers.rail.read' "$TMP/gpkg.json")" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: info on PG: rail feature count"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
