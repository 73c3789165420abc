#!/usr/bin/env bash
# qgis_styles_test.sh (issue #6): QGIS itself (PyQGIS, headless) opens the GeoPackages the
# commands write and finds each layer's default style: the renderer type, the high-speed rail
# rule, the graduated access classes, the data-defined corridor widths and the labels.
# Exits 77 (skipped) where python3-qgis is not installed: it is not in scripts/deps.sh.
# Usage: qgis_styles_test.sh CORRIDOR DATA.gpkg
set -u
BIN=$1
DATA=$2
PY=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import qgis.core' >/dev/null 2>&1; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "qgis_styles_test: python3-qgis not installed: skipped"; exit 77; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$TMP" HOME="$TMP"
"$BIN" network "$DATA" -q -o "$TMP/net.gpkg" >/dev/null &&
"$BIN" isochrone "$DATA" --from Beijing --minutes 30,60 -q -o "$TMP/iso.gpkg" >/dev/null &&
"$BIN" access "$DATA" --origins parks --to ports --measure nearest -q -o "$TMP/acc.gpkg" >/dev/null &&
"$BIN" corridors "$DATA" --top 5 -q -o "$TMP/cor.gpkg" >/dev/null &&
"$BIN" site "$DATA" --candidates parks -q -o "$TMP/site.gpkg" \
  --criteria "$(dirname "$DATA")/criteria/relocate_beijing_function.json" >/dev/null &&
"$BIN" route "$DATA" --from Beijing --to Tianjin -q -o "$TMP/route.gpkg" >/dev/null ||
  { echo "FAIL: a command failed"; echo "0 passed, 1 failed"; exit 1; }

"$PY" - "$TMP" <<'EOF' 2>&1 | grep -v "QStandardPaths"
import sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsSymbolLayer
app = QgsApplication([], False)
app.initQgis()
d = sys.argv[1]
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
def layer(f, name):
    l = QgsVectorLayer(f"{d}/{f}|layername={name}", name, "ogr")
    check(l.isValid(), f"{f}:{name} opens")
    return l
expect = {("net.gpkg", "edges"): "RuleRenderer", ("net.gpkg", "nodes"): "categorizedSymbol",
          ("iso.gpkg", "isochrones"): "categorizedSymbol", ("acc.gpkg", "access"): "graduatedSymbol",
          ("cor.gpkg", "linkage"): "singleSymbol", ("cor.gpkg", "flows"): "categorizedSymbol",
          ("cor.gpkg", "corridors"): "singleSymbol", ("cor.gpkg", "corridor_zones"): "singleSymbol",
          ("cor.gpkg", "breaking_points"): "singleSymbol", ("site.gpkg", "sites"): "RuleRenderer",
          ("route.gpkg", "legs"): "RuleRenderer"}
for (f, name), rtype in expect.items():
    l = layer(f, name)
    check(l.renderer() is not None and l.renderer().type() == rtype,
          f"{f}:{name}: default style renderer {l.renderer().type() if l.renderer() else None}, expected {rtype}")
edges = layer("net.gpkg", "edges")
rules = edges.renderer().rootRule().children()
hsr = [r for r in rules if "'highspeed'" in r.filterExpression()]
check(len(hsr) == 1 and hsr[0].symbol().symbolLayer(hsr[0].symbol().symbolLayerCount() - 1).color().name() == "#c8102e",
      "edges: the high-speed rail rule in #c8102e")
feat = next(edges.getFeatures("\"class\" = 'highspeed'"))
from qgis.core import QgsRenderContext
ctx = QgsRenderContext()
edges.renderer().startRender(ctx, edges.fields())
syms = edges.renderer().symbolsForFeature(feat, ctx)
edges.renderer().stopRender(ctx)
check(any(s.color().name() != "#000000" for s in syms) and len(syms) == 1,
      "edges: a high-speed feature matches one rule")
acc = layer("acc.gpkg", "access")
vals = [f["nearest_min"] for f in acc.getFeatures() if f["nearest_min"] is not None]
rg = acc.renderer().ranges()
check(len(rg) >= 2 and abs(rg[0].lowerValue() - min(vals)) < 1e-9 and abs(rg[-1].upperValue() - max(vals)) < 1e-9,
      "access: classes span the values")
cor = layer("cor.gpkg", "corridors")
p = cor.renderer().symbol().symbolLayer(0).dataDefinedProperties().property(QgsSymbolLayer.PropertyStrokeWidth)
check(p.isActive() and "max_load" in p.expressionString(), "corridors: data-defined width")
check(cor.labelsEnabled() and cor.labeling().settings().fieldName == "name", "corridors: labelled by name")
import sqlite3
sld = sqlite3.connect(f"{d}/net.gpkg").execute(
    "SELECT styleSLD FROM layer_styles WHERE f_table_name = 'edges'").fetchone()[0]
with open(f"{d}/edges.sld", "w") as f:
    f.write(sld)
msg, ok = edges.loadSldStyle(f"{d}/edges.sld")
check(ok and edges.renderer().type() == "RuleRenderer" and len(edges.renderer().rootRule().children()) == len(rules),
      f"edges: QGIS reads the SLD too ({msg})")
sites = layer("site.gpkg", "sites")
check(sites.labelsEnabled(), "sites: labels")
print(f"{passed} passed, {failed} failed")
sys.stdout.flush()
import os
os._exit(1 if failed else 0)  # exitQgis() with layers alive crashes on exit in some versions
EOF
exit "${PIPESTATUS[0]}"
