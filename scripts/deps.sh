#!/usr/bin/env bash
# deps.sh: installs the Debian 12 packages Corridor needs that are missing.
# Usage: scripts/deps.sh [build|test]   (test adds what the test suite needs)
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail
BUILD_PKGS=(build-essential cmake pkg-config libgdal-dev gdal-bin libproj-dev proj-data libgeos-dev
            libjansson-dev libmicrohttpd-dev
            # [render build packages]
            libcairo2-dev libpango1.0-dev libfontconfig-dev fonts-noto-cjk
            )
TEST_PKGS=(jq postgresql postgresql-15-postgis-3 valgrind curl chromium
           # [render test packages]
           poppler-utils libxml2-utils
           # [styles test packages] (layer_styles read back)
           sqlite3
           )
want=("${BUILD_PKGS[@]}")
[ "${1:-build}" = test ] && want+=("${TEST_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
  echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
