/* test_network.c: noding, snapping, stations, access links and times on hand-made networks. */
#include "check.h"
#include "corridor/network.h"
#include "testdata.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>

/* Coordinates are EPSG:4548 metres near its central meridian: (X, Y) = (500000+x, 4300000+y). */
#define P(x, y) #x " " #y
#define CRS "EPSG:4548"

static cor_graph *build(const char *path, cor_build_opts *o, cor_dataset **dsp)
{
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(path, NULL, &err);
    if (!ds) {
        fprintf(stderr, "open: %s\n", err.msg);
        return NULL;
    }
    cor_graph *g = cor_graph_build(ds, o, &err);
    if (!g)
        fprintf(stderr, "build: %s\n", err.msg);
    *dsp = ds;
    return g;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Exports g and returns the sorted WKT of its edges of the given mode, joined by '|'. */
static char *edge_wkts(const cor_graph *g, const cor_dataset *ds, const char *mode)
{
    const char *out = td_tmp("edges.gpkg");
    cor_error err = COR_ERROR_INIT;
    if (cor_graph_write(g, ds, out, &err) != COR_OK) {
        fprintf(stderr, "write: %s\n", err.msg);
        return NULL;
    }
    GDALDatasetH d = GDALOpenEx(out, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayerByName(d, "edges");
    char *items[64];
    int n = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) && n < 64) {
        if (!strcmp(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "mode")), mode)) {
            char *w = NULL;
            OGR_G_ExportToWkt(OGR_F_GetGeometryRef(f), &w);
            items[n++] = strdup(w);
            CPLFree(w);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(d);
    unlink(out);
    qsort(items, (size_t)n, sizeof *items, cmp_str);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = calloc(1, len);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, "|");
        strcat(s, items[i]);
        free(items[i]);
    }
    return s;
}

/* Two lines meeting at a shared end vertex connect; two lines crossing without a shared vertex
 * (an overpass) do not. */
static void test_shared_vertex_vs_crossing(void)
{
    const char *p = td_tmp("cross.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 500100 4300000)", { "class=road" } },
        { "LINESTRING(500100 4300000, 500100 4300100)", { "class=road" } },
        /* crosses the first line at (500050, 4300000) without a vertex there */
        { "LINESTRING(500050 4299950, 500050 4300050)", { "class=road" } },
    };
    CHECK(td_layer(p, "roads", CRS, roads, 3));
    cor_dataset *ds = NULL;
    cor_build_opts o = COR_BUILD_OPTS_DEFAULT;
    o.road_snap_m = 0; /* no snapping: only shared vertices join */
    cor_graph *g = build(p, &o, &ds);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.nodes, 5);
        CHECK_INT(s.links[COR_EDGE_ROAD], 3);
        CHECK_INT(s.directed_edges, 6);
        CHECK_INT(s.components, 2);
        CHECK_NEAR(s.largest_component_share, 3.0 / 5.0, 1e-12);
        CHECK_INT(s.road_dangles, 4);
        CHECK_INT(s.road_snapped, 0);
        /* 100 m of road at 60 km/h is 6 s */
        cor_csr c;
        cor_graph_csr(g, &c);
        int found6 = 0;
        for (uint64_t e = 0; e < c.n_edges; e++)
            found6 += c.time_ms[e] == 6000 && c.length_m[e] == 100.0f;
        CHECK_INT(found6, 6);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* A line through a shared interior vertex is cut there: a junction of 4 links. */
static void test_interior_junction(void)
{
    const char *p = td_tmp("junction.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 500050 4300000, 500100 4300000)", { NULL } },
        { "LINESTRING(500050 4299950, 500050 4300000, 500050 4300050)", { NULL } },
    };
    CHECK(td_layer(p, "roads", CRS, roads, 2));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.nodes, 5);
        CHECK_INT(s.links[COR_EDGE_ROAD], 4);
        CHECK_INT(s.components, 1);
        char *w = edge_wkts(g, ds, "road");
        CHECK_STR_CONTAINS(w, "LINESTRING (500000 4300000,500050 4300000)|"
                              "LINESTRING (500050 4299950,500050 4300000)|"
                              "LINESTRING (500050 4300000,500050 4300050)|"
                              "LINESTRING (500050 4300000,500100 4300000)");
        free(w);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* A dangling rail end 5 m from another line is snapped onto its nearest point, which splits
 * that line; one 15 m away (beyond the 10 m tolerance) is left alone. */
static void test_dangle_snap(void)
{
    const char *p = td_tmp("snap.gpkg");
    td_feature rail[] = {
        { "LINESTRING(500000 4300000, 500100 4300000)", { "class=conventional" } },
        { "LINESTRING(500050 4300005, 500050 4300100)", { "class=conventional" } },
        { "LINESTRING(500200 4300015, 500200 4300100)", { "class=conventional" } },
        { "LINESTRING(500150 4300000, 500250 4300000)", { "class=conventional" } },
    };
    CHECK(td_layer(p, "rail", CRS, rail, 4));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.rail_dangles, 8);
        CHECK_INT(s.rail_snapped, 1);
        CHECK_INT(s.links[COR_EDGE_RAIL], 3 + 2);
        CHECK_INT(s.nodes, 4 + 4);
        CHECK_INT(s.components, 3);
        char *w = edge_wkts(g, ds, "rail");
        CHECK_STR_CONTAINS(w, "LINESTRING (500000 4300000,500050 4300000)|"
                              "LINESTRING (500050 4300000,500050 4300100)|"
                              "LINESTRING (500050 4300000,500100 4300000)|");
        CHECK_STR_CONTAINS(w, "LINESTRING (500200 4300015,500200 4300100)");
        free(w);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* A dangling end snapped onto an interior vertex that no other line has (the snap lands on
 * the vertex, not beside it): that vertex becomes a junction, the long line is cut there and
 * both lines are one component. The builder keeps such vertices out of its vertex table until
 * a key like theirs enters it; this is the case where one must come back in. */
static void test_snap_onto_lone_vertex(void)
{
    const char *p = td_tmp("lone.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 500050 4300000, 500100 4300000, 500150 4300000, "
          "500200 4300000)", { NULL } },
        { "LINESTRING(500100 4300006, 500100 4300100)", { NULL } },
    };
    CHECK(td_layer(p, "roads", CRS, roads, 2));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.road_snapped, 1);
        CHECK_INT(s.nodes, 4);
        CHECK_INT(s.links[COR_EDGE_ROAD], 3);
        CHECK_INT(s.components, 1);
        char *w = edge_wkts(g, ds, "road");
        CHECK_STR_CONTAINS(w, "LINESTRING (500000 4300000,500050 4300000,500100 4300000)|"
                              "LINESTRING (500100 4300000,500100 4300100)|"
                              "LINESTRING (500100 4300000,500150 4300000,500200 4300000)");
        free(w);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* Thousands of separate short roads, each with a vertex of its own in the middle: every end
 * dangles and no snap is in reach, every line is one link and its own component (the vertex
 * table holds nothing but distinct ends, in every one of its parts). */
static void test_many_separate_lines(void)
{
    enum { N = 3000 };
    const char *p = td_tmp("separate.gpkg");
    static char wkt[N][96];
    static td_feature roads[N];
    for (int i = 0; i < N; i++) {
        int x = 500000 + 1000 * (i % 60), y = 4300000 + 1000 * (i / 60);
        snprintf(wkt[i], sizeof wkt[i], "LINESTRING(%d %d, %d %d, %d %d)", x, y, x + 150, y + 40,
                 x + 300, y);
        roads[i] = (td_feature){ wkt[i], { NULL } };
    }
    CHECK(td_layer(p, "roads", CRS, roads, N));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.nodes, 2 * N);
        CHECK_INT(s.links[COR_EDGE_ROAD], N);
        CHECK_INT(s.components, N);
        CHECK_INT(s.road_dangles, 2 * N);
        CHECK_INT(s.road_snapped, 0);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* Two dangling ends within tolerance of each other meet at one of them (no extra split). */
static void test_mutual_dangles(void)
{
    const char *p = td_tmp("mutual.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 500100 4300000)", { NULL } },
        { "LINESTRING(500100.5 4300000.3, 500200 4300000)", { NULL } },
    };
    CHECK(td_layer(p, "roads", CRS, roads, 2));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        CHECK_INT(s.nodes, 3);
        CHECK_INT(s.links[COR_EDGE_ROAD], 2);
        CHECK_INT(s.road_snapped, 2);
        CHECK_INT(s.components, 1);
    } else {
        CHECK(g != NULL);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* Stations join every rail line within station_snap_m (high-speed and conventional), with
 * boarding and alighting links; a station farther away joins none. Times follow the class
 * speeds or the line's own speed_kmh. Places join the nearest road by an access link. */
static void test_stations_speeds_access(void)
{
    const char *p = td_tmp("stations.gpkg");
    td_feature rail[] = {
        { "LINESTRING(500000 4300000, 510000 4300000)", { "class=highspeed" } },
        { "LINESTRING(500000 4300200, 510000 4300200)", { "class=conventional" } },
        { "LINESTRING(500000 4305000, 510000 4305000)",
          { "class=conventional", "speed_kmh=120" } },
    };
    td_feature stations[] = {
        { "POINT(505000 4300100)", { "name=Both", "name_zh=双线站", "kind=train" } },
        { "POINT(505000 4302600)", { "name=Far", "name_zh=远站", "kind=train" } },
    };
    td_feature roads[] = {
        { "LINESTRING(500000 4301000, 510000 4301000)", { "class=major_highway" } },
    };
    td_feature cities[] = {
        { "POINT(502000 4301100)", { "name=Town", "name_zh=镇", "population=1000" } },
    };
    CHECK(td_layer(p, "rail", CRS, rail, 3));
    CHECK(td_layer(p, "stations", CRS, stations, 2));
    CHECK(td_layer(p, "roads", CRS, roads, 1));
    CHECK(td_layer(p, "cities", CRS, cities, 1));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    CHECK(g != NULL);
    if (!g) {
        cor_dataset_close(ds);
        return;
    }
    cor_graph_stats s;
    cor_graph_get_stats(g, &s);
    CHECK_INT(s.stations, 2);
    CHECK_INT(s.stations_on_rail, 1);
    CHECK_INT(s.links[COR_EDGE_BOARD], 2);
    CHECK_INT(s.links[COR_EDGE_ALIGHT], 2);
    CHECK_INT(s.links[COR_EDGE_ACCESS], 3); /* two stations and the town */
    CHECK_INT(s.places_joined, 1);
    cor_csr c;
    cor_graph_csr(g, &c);
    /* 5 km of high-speed rail at 250 km/h = 72 s; 5 km conventional at 100 km/h = 180 s; the
     * line with its own speed_kmh 120: 10 km = 300 s; 100 m of access at 40 km/h = 9 s. */
    int hs = 0, conv = 0, own = 0, acc = 0, board = 0, alight = 0;
    for (uint64_t e = 0; e < c.n_edges; e++) {
        int kind = c.kind[e] & 15, cls = c.kind[e] >> 4;
        if (kind == COR_EDGE_RAIL && cls == COR_CLASS_HIGHSPEED && c.time_ms[e] == 72000)
            hs++;
        if (kind == COR_EDGE_RAIL && cls == COR_CLASS_CONVENTIONAL && c.time_ms[e] == 180000)
            conv++;
        if (kind == COR_EDGE_RAIL && c.time_ms[e] == 300000 && c.length_m[e] == 10000.0f)
            own++;
        if (kind == COR_EDGE_ACCESS && fabsf(c.length_m[e] - 100.0f) < 1e-3f)
            acc += c.time_ms[e] == 9000;
        board += kind == COR_EDGE_BOARD && c.time_ms[e] == 900000;
        alight += kind == COR_EDGE_ALIGHT && c.time_ms[e] == 300000;
    }
    CHECK_INT(hs, 4);     /* two halves, both directions */
    CHECK_INT(conv, 4);
    CHECK_INT(own, 2);
    CHECK_INT(acc, 2);    /* the town's 100 m link, both ways (the stations are 900+ m off) */
    CHECK_INT(board, 2);
    CHECK_INT(alight, 2);
    /* Places: the town is joined with a 100 m access link and sits in the main component. */
    int town = 0;
    for (size_t i = 0; i < cor_graph_place_count(g); i++) {
        const cor_graph_place *gp = cor_graph_place_get(g, i);
        if (!strcmp(gp->name, "Town")) {
            town = 1;
            CHECK_NEAR(gp->access_m, 100.0, 1e-6);
            CHECK_INT(gp->role, COR_ROLE_CITY);
        }
    }
    CHECK(town);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

/* CSR invariants on the hand-made network: edge ranges cover every edge once, heads valid,
 * each undirected link present in both directions. */
static void test_csr_invariants(void)
{
    const char *p = td_tmp("csr.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 500100 4300000, 500200 4300000)", { NULL } },
        { "LINESTRING(500100 4300000, 500100 4300100)", { NULL } },
        { "LINESTRING(500200 4300000, 500200 4300100, 500100 4300100)", { NULL } },
    };
    CHECK(td_layer(p, "roads", CRS, roads, 3));
    cor_dataset *ds = NULL;
    cor_graph *g = build(p, NULL, &ds);
    if (g) {
        cor_csr c;
        cor_graph_csr(g, &c);
        CHECK_INT(c.first_out[0], 0);
        CHECK_INT(c.first_out[c.n_nodes], c.n_edges);
        int bad = 0, unmatched = 0;
        for (uint32_t u = 0; u < c.n_nodes; u++)
            for (uint64_t e = c.first_out[u]; e < c.first_out[u + 1]; e++) {
                if (c.head[e] >= c.n_nodes)
                    bad++;
                int back = 0;
                uint32_t v = c.head[e];
                for (uint64_t f = c.first_out[v]; f < c.first_out[v + 1]; f++)
                    back += c.head[f] == u && c.link[f] == c.link[e];
                unmatched += back != 1;
            }
        CHECK_INT(bad, 0);
        CHECK_INT(unmatched, 0);
        CHECK_INT(c.n_nodes, 4);
    } else {
        CHECK(g != NULL);
    }
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

int main(void)
{
    RUN(test_shared_vertex_vs_crossing);
    RUN(test_interior_junction);
    RUN(test_dangle_snap);
    RUN(test_mutual_dangles);
    RUN(test_snap_onto_lone_vertex);
    RUN(test_many_separate_lines);
    RUN(test_stations_speeds_access);
    RUN(test_csr_invariants);
    return check_summary();
}
