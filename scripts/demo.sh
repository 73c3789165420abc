#!/usr/bin/env bash
# demo.sh: installs what is missing, builds, and runs the main job on the bundled
# Jing-Jin-Ji dataset, writing maps and tables into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p out
C=build/corridor
CRIT=datasets/criteria
echo "== The data and the network"
$C info --json >out/info.json
$C info | tee out/info.txt
$C network --json -q -o out/network.gpkg >out/network.json
$C network -q | tee out/network.txt
echo "== Maps"
$C render --theme base -q -o out/base_map.png
$C render --theme base -q -o out/base_map.pdf
echo "== Corridor accessibility"
$C route --from Beijing --to Tianjin -q -o out/route_beijing_tianjin.gpkg | tee out/route_beijing_tianjin.txt
$C route --from "Xiong'an New Area" --to 天津港 -q --json >out/route_xiongan_port.json
$C matrix --from cities --to ports -q -o out/matrix_cities_ports.csv
$C isochrone --from Beijing --minutes 30,60,90,120 -q -o out/isochrones_beijing.gpkg | tee out/isochrones_beijing.txt
$C access --origins parks --to ports --measure nearest,watt,cum:120,hansen:exp:0.02 -q \
  -o out/access_parks_ports.gpkg
$C access --origins parks --to airports --measure nearest -q -o out/access_parks_airports.csv
echo "== Economic corridors"
$C corridors -q -o out/corridors.gpkg --csv out | tee out/corridors.txt
echo "== Scenarios"
$C scenario --scenario datasets/scenarios/shijiazhuang_hengshui_cangzhou_huanghua.json \
  --origins cities --to ports --measure nearest,cum:90 --corridors -q \
  -o out/scenario_huanghua_railway.gpkg | tee out/scenario_huanghua_railway.txt
$C scenario --scenario datasets/scenarios/beijing_tangshan_faster.json --origins cities \
  --to cities --measure watt --corridors -q -o out/scenario_beijing_tangshan.gpkg \
  | tee out/scenario_beijing_tangshan.txt
echo "== Site evaluation"
$C site --candidates parks --criteria $CRIT/relocate_beijing_function.json --explain --top 5 \
  --sensitivity 200 -q -o out/sites_relocation_parks.gpkg | tee out/sites_relocation_parks.txt
$C site --candidates grid:5km --within 河北 --criteria $CRIT/relocate_beijing_function.json \
  --top 5 -q -o out/sites_relocation_grid.gpkg | tee out/sites_relocation_grid.txt
$C site --candidates parks --criteria $CRIT/robotics_plant.json --explain --top 5 -q \
  -o out/sites_robotics.csv | tee out/sites_robotics.txt
echo "== Thematic maps of the results"
$C render --theme access --results out/access_parks_ports.gpkg -q -o out/map_access_ports.png
$C render --theme isochrone --results out/isochrones_beijing.gpkg --extent Beijing -q \
  -o out/map_isochrones_beijing.png
$C render --theme corridors --results out/corridors.gpkg -q -o out/map_corridors.pdf
$C render --theme sites --results out/sites_relocation_grid.gpkg -q -o out/map_sites_relocation.png
$C render --theme scenario --results out/scenario_huanghua_railway.gpkg -q \
  -o out/map_scenario_huanghua_railway.png
echo "== The report"
$C report -q -o out/report.pdf
$C report -q --lang en -o out/report_en.pdf
echo "Wrote into out/: the report (report.pdf, report_en.pdf), maps (base_map.png, .pdf,"
echo "map_*.png: accessibility, isochrones, corridors, sites, a scenario), the network"
echo "(network.gpkg), routes, a city-port travel-time matrix, isochrones from Beijing, park accessibility to ports and"
echo "airports, economic corridors (corridors.gpkg, linkage.csv, corridors.csv, ...) and site"
echo "rankings for a Beijing function moving to Hebei and for a robotics plant, and two"
echo "scenarios (scenario_*.gpkg): the Huanghua port intercity railway, a faster Beijing-Tangshan."
