#!/bin/sh
# install_leaflet.sh NPM PREFIX STAMP: installs leaflet@1.9 from the npm registry under PREFIX
# for the corridor serve page (called by web/CMakeLists.txt at build time). A failure (no
# registry) is a warning, not a build error: the server then serves its page without the map
# library and says so. Remove STAMP to try again.
npm=$1 prefix=$2 stamp=$3
mkdir -p "$prefix"
if [ -f "$prefix/node_modules/leaflet/dist/leaflet.js" ] ||
   "$npm" install --prefix "$prefix" --no-audit --no-fund --no-save --no-package-lock \
     --fetch-retries=1 --fetch-timeout=30000 leaflet@1.9 >"$prefix/npm.log" 2>&1; then
  echo "Leaflet: $prefix/node_modules/leaflet/dist"
else
  echo "warning: npm install leaflet@1.9 failed (see $prefix/npm.log); corridor serve's page" \
       "will have no map library" >&2
fi
touch "$stamp"
