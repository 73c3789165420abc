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
$C info --json >out/info.json
$C info | tee out/info.txt
$C network --json -q -o out/network.gpkg >out/network.json
$C network -q | tee out/network.txt
echo "Wrote out/info.{json,txt}, out/network.{json,txt} and out/network.gpkg (open it in QGIS)."
