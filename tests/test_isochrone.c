/* test_isochrone.c: isochrone bands on hand-made networks whose reach is known to the metre
 * (partly travelled links, both directions, several origins), exact nesting of the bands,
 * population and parks inside, the travel-time grid, GeoTIFF and contours; the GEOS adapter
 * on known polygons; on the bundled network, every node reached within a band lies inside
 * it (checked against an independent search) and multimodal bands contain road bands. */
#include "check.h"
#include "corridor/isochrone.h"
#include "testdata.h"

#include <gdal.h>
#include <stdlib.h>
#include <unistd.h>

/* Little-endian WKB of a point, for the predicates. */
static void point_wkb(unsigned char out[21], double x, double y)
{
    uint32_t type = 1;
    out[0] = 1;
    memcpy(out + 1, &type, 4);
    memcpy(out + 5, &x, 8);
    memcpy(out + 13, &y, 8);
}

static int inside(const cor_iso_band *b, double x, double y)
{
    double xy[2] = { x, y };
    uint8_t in = 2;
    cor_error err = COR_ERROR_INIT;
    if (cor_wkb_points_inside(b->wkb, b->wkb_len, xy, 1, &in, &err) != COR_OK)
        return -1;
    return in;
}

/* Every band covers the previous one, and nothing of the previous one lies outside it. */
static void check_nesting(const cor_isochrones *iso)
{
    for (size_t k = 1; k < iso->n_bands; k++) {
        const cor_iso_band *small = &iso->bands[k - 1], *big = &iso->bands[k];
        int covers = -1;
        double outside_m2 = -1;
        cor_error err = COR_ERROR_INIT;
        CHECK_INT(cor_wkb_compare(big->wkb, big->wkb_len, small->wkb, small->wkb_len, &covers,
                                  &outside_m2, &err), COR_OK);
        CHECK_INT(covers, 1);
        CHECK(outside_m2 == 0.0);
        CHECK(big->area_km2 >= small->area_km2);
        CHECK(big->reach_km >= small->reach_km);
        CHECK(big->population >= small->population);
        CHECK(big->parks >= small->parks);
    }
}

typedef struct {
    cor_dataset *ds;
    cor_graph *g;
    cor_engine *e;
} net;

static int net_open(net *n, const char *path)
{
    cor_error err = COR_ERROR_INIT;
    n->ds = cor_dataset_open(path, NULL, &err);
    n->g = n->ds ? cor_graph_build(n->ds, NULL, &err) : NULL;
    n->e = n->g ? cor_engine_create(n->g, &err) : NULL;
    if (!n->e)
        fprintf(stderr, "   %s: %s\n", path, err.msg);
    return n->e != NULL;
}

static void net_close(net *n)
{
    cor_engine_destroy(n->e);
    cor_graph_destroy(n->g);
    cor_dataset_close(n->ds);
}

/* A straight 10 km road at 60 km/h (exactly 600 000 ms, 60 ms per metre) with a town 100 m
 * north of its west end and another 100 m north of its east end: access 100 m at 40 km/h is
 * 9 000 ms. */
static const char *straight_road(void)
{
    const char *p = td_tmp("iso_road.gpkg");
    td_feature roads[] = { { "LINESTRING(500000 4300000, 510000 4300000)", { "class=road" } } };
    td_feature cities[] = { { "POINT(500000 4300100)", { "name=Town", "population=1000" } },
                            { "POINT(510000 4300100)", { "name=East", "population=2000" } } };
    td_layer(p, "roads", "EPSG:4548", roads, 1);
    td_layer(p, "cities", "EPSG:4548", cities, 2);
    return p;
}

/* Issue: "the 5-minute reach ends exactly 5 km along" (here 4.85 km: 9 s of access first). */
static void test_straight_road(void)
{
    const char *p = straight_road();
    net n;
    CHECK(net_open(&n, p));
    if (!n.e) {
        net_close(&n);
        return;
    }
    cor_error err = COR_ERROR_INIT;
    cor_location town;
    CHECK_INT(cor_engine_locate(n.e, "Town", 1000, NULL, NULL, &town, &err), COR_OK);
    double minutes[] = { 5, 10, 15 };
    cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
    o.mode = COR_MODE_ROAD;
    CHECK((o.cities = cor_dataset_places(n.ds, COR_ROLE_CITY, &err)) != NULL);
    cor_isochrones iso;
    CHECK_INT(cor_isochrones_compute(n.e, &town, 1, minutes, 3, &o, &iso, &err), COR_OK);
    if (err.code)
        fprintf(stderr, "   %s\n", err.msg);
    CHECK_INT(iso.n_bands, 3);
    if (iso.n_bands == 3) {
        /* 5 min: access 100 m (9 s), then 291 s at 60 km/h = 4850 m of the road: the link is
         * partly travelled. 10 min: 9850 m. 15 min: the whole road and East's access link
         * (reached at 609 s, 100 m in 9 s). */
        CHECK_NEAR(iso.bands[0].reach_km, 4.95, 1e-6);
        CHECK_NEAR(iso.bands[1].reach_km, 9.95, 1e-6);
        CHECK_NEAR(iso.bands[2].reach_km, 10.2, 1e-6);
        /* the area ends one buffer distance (round cap) beyond the reached point */
        double ends[] = { 505850, 510850, 511000 };
        for (int k = 0; k < 3; k++) {
            cor_bbox bb;
            CHECK_INT(cor_wkb_bounds(iso.bands[k].wkb, iso.bands[k].wkb_len, &bb, &err), COR_OK);
            CHECK_NEAR(bb.max_x, ends[k], 1e-3);
            CHECK_NEAR(bb.min_x, 499000, 1e-3);
            CHECK_NEAR(bb.min_y, 4299000, 1e-3);
            CHECK_NEAR(bb.max_y, 4301100, 1e-3);
        }
        CHECK_INT(inside(&iso.bands[0], 505840, 4300000), 1);
        CHECK_INT(inside(&iso.bands[0], 505860, 4300000), 0);
        CHECK_INT(inside(&iso.bands[0], 504850, 4300990), 1);  /* beside the partial link */
        CHECK_INT(inside(&iso.bands[0], 504850, 4301010), 0);
        /* 5 min: a 4850 m x 2 km strip plus a disc of 1 km (16-gon arcs: 3.06 km2) and the
         * sliver the access link adds: between 12.75 and 12.95 km2 */
        CHECK(iso.bands[0].area_km2 > 12.75 && iso.bands[0].area_km2 < 12.95);
        check_nesting(&iso);
        /* both towns count: Town from 5 min, East once the area reaches it */
        CHECK_NEAR(iso.bands[0].population, 1000, 0);
        CHECK_NEAR(iso.bands[1].population, 3000, 0);
        CHECK_INT(iso.bands[0].cities, 1);
        CHECK_INT(iso.bands[1].cities, 2);
        CHECK_INT(iso.bands[0].parks, 0); /* no parks given */
    }
    cor_isochrones_free(&iso);

    /* Two origins, one search: from both ends the 5-minute reaches (4850 m each) leave a
     * 300 m gap; by 10 minutes the road is covered once (each stretch counted once). */
    cor_location both[2];
    CHECK_INT(cor_engine_locate(n.e, "Town", 1000, NULL, NULL, &both[0], &err), COR_OK);
    CHECK_INT(cor_engine_locate(n.e, "East", 1000, NULL, NULL, &both[1], &err), COR_OK);
    double m2[] = { 5, 10 };
    CHECK_INT(cor_isochrones_compute(n.e, both, 2, m2, 2, &o, &iso, &err), COR_OK);
    if (iso.n_bands == 2) {
        CHECK_NEAR(iso.bands[0].reach_km, 9.9, 1e-6);
        CHECK_NEAR(iso.bands[1].reach_km, 10.2, 1e-6);
        CHECK_INT(inside(&iso.bands[0], 505000, 4300000), 1); /* within 1 km of both reaches */
        CHECK_INT(inside(&iso.bands[0], 505000, 4300990), 0); /* above the 300 m gap */
        check_nesting(&iso);
    }
    cor_isochrones_free(&iso);

    /* A LON,LAT-style origin 600 m south of the road's 2 km mark snaps to the nearest road
     * node, the west end, 2088 m away (188 s at 40 km/h). The walk is part of the reach. */
    cor_location pt = { 0 };
    pt.x_m = 502000;
    pt.y_m = 4299400;
    pt.place = -1;
    double snap = 0;
    CHECK_INT(cor_engine_anchor_xy(n.e, pt.x_m, pt.y_m, 5000, &pt.anchor, &snap, &err), COR_OK);
    CHECK_NEAR(snap, hypot(2000, 600), 1e-6);
    double m1[] = { 1 };
    CHECK_INT(cor_isochrones_compute(n.e, &pt, 1, m1, 1, &o, &iso, &err), COR_OK);
    if (iso.n_bands == 1) {
        /* one minute of the 188 s walk: 60/188.0 of 2088 m (the anchor's time is in ms) */
        double walk_ms = (double)pt.anchor.offset_ms;
        CHECK_NEAR(iso.bands[0].reach_km, 60000.0 / walk_ms * hypot(2000, 600) / 1000, 1e-6);
        CHECK_INT(inside(&iso.bands[0], 502000, 4299400), 1);
        CHECK_INT(inside(&iso.bands[0], 500000, 4300000), 0);
    }
    cor_isochrones_free(&iso);

    /* Bad arguments fail with COR_ERR_CONFIG and leave nothing allocated. */
    double bad[][2] = { { 10, 5 }, { 0, 5 }, { 5, 1441 }, { 5, 5 } };
    for (int i = 0; i < 4; i++) {
        err = COR_ERROR_INIT;
        CHECK_INT(cor_isochrones_compute(n.e, &town, 1, bad[i], 2, &o, &iso, &err),
                  COR_ERR_CONFIG);
        CHECK(iso.bands == NULL);
    }
    net_close(&n);
    unlink(p);
}

/* Population and parks inside known bands. Road 10 km as above from Town (pop 1000); Mid
 * (pop 5000) 500 m north of the 3 km mark; Far (pop 7000) 500 m north of the 9 km mark;
 * Remote (pop 100000) 20 km away. Park P1 600 m south of the 2 km mark, P2 600 m south of
 * the 7 km mark. 5 min reaches 4850 m along (area to x = 505850): Town, Mid, P1. 10 min
 * reaches 9850 m: Far and P2 too. Remote is never inside. */
static void test_counts(void)
{
    const char *p = td_tmp("iso_counts.gpkg");
    td_feature roads[] = { { "LINESTRING(500000 4300000, 510000 4300000)", { "class=road" } } };
    td_feature cities[] = {
        { "POINT(500000 4300100)", { "name=Town", "population=1000" } },
        { "POINT(503000 4300500)", { "name=Mid", "population=5000" } },
        { "POINT(509000 4300500)", { "name=Far", "population=7000" } },
        { "POINT(520000 4320000)", { "name=Remote", "population=100000" } },
    };
    td_feature parks[] = { { "POINT(502000 4299400)", { "name=P1" } },
                           { "POINT(507000 4299400)", { "name=P2" } } };
    td_layer(p, "roads", "EPSG:4548", roads, 1);
    td_layer(p, "cities", "EPSG:4548", cities, 4);
    td_layer(p, "parks", "EPSG:4548", parks, 2);
    net n;
    CHECK(net_open(&n, p));
    if (n.e) {
        cor_error err = COR_ERROR_INIT;
        cor_location town;
        CHECK_INT(cor_engine_locate(n.e, "Town", 1000, NULL, NULL, &town, &err), COR_OK);
        cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
        CHECK((o.cities = cor_dataset_places(n.ds, COR_ROLE_CITY, &err)) != NULL);
        CHECK((o.parks = cor_dataset_places(n.ds, COR_ROLE_PARK, &err)) != NULL);
        double minutes[] = { 5, 10, 15 };
        cor_isochrones iso;
        CHECK_INT(cor_isochrones_compute(n.e, &town, 1, minutes, 3, &o, &iso, &err), COR_OK);
        if (iso.n_bands == 3) {
            CHECK_NEAR(iso.bands[0].population, 6000, 0);
            CHECK_INT(iso.bands[0].cities, 2);
            CHECK_INT(iso.bands[0].parks, 1);
            CHECK_NEAR(iso.bands[1].population, 13000, 0);
            CHECK_INT(iso.bands[1].cities, 3);
            CHECK_INT(iso.bands[1].parks, 2);
            CHECK_NEAR(iso.bands[2].population, 13000, 0);
            CHECK_INT(iso.bands[2].parks, 2);
            /* the access links reached count too: 5 min = 4850 m of road + Town's 100 m +
             * Mid's 500 m + P1's 600 m */
            CHECK_NEAR(iso.bands[0].reach_km, 4.85 + 0.1 + 0.5 + 0.6, 1e-6);
            check_nesting(&iso);
        }
        cor_isochrones_free(&iso);

        /* Travel-time grid of 100 m cells: the cell centred at (503050, 4300050) is nearest
         * in time to the sample at the road's 3 km mark (a node, reached at 9 + 180 s =
         * 3.15 min) 70.7 m away at 40 km/h (0.106 min): 3.256 min. */
        o.raster_cell_m = 100;
        CHECK_INT(cor_isochrones_compute(n.e, &town, 1, minutes, 3, &o, &iso, &err), COR_OK);
        const cor_grid *gr = &iso.grid;
        CHECK(gr->values != NULL);
        if (gr->values) {
            CHECK_NEAR(fmod(gr->x0_m, 100), 0, 0);
            size_t col = (size_t)((503000 + 1 - gr->x0_m) / 100);
            size_t row = (size_t)((gr->y0_m - (4300000 + 1)) / 100);
            float v = gr->values[row * gr->nx + col];
            CHECK_NEAR(v, 3.15 + hypot(50, 50) / (40000.0 / 60), 1e-4);
            /* 1.5 km from any reached line: no value */
            col = (size_t)((505000 - gr->x0_m) / 100);
            row = (size_t)((gr->y0_m - 4302500) / 100);
            CHECK(row < gr->ny && isnan(gr->values[row * gr->nx + col]));
            /* no value above the largest band */
            size_t bad = 0, valued = 0;
            for (size_t i = 0; i < gr->nx * gr->ny; i++) {
                bad += gr->values[i] > 15.0f || gr->values[i] < 0.0f;
                valued += !isnan(gr->values[i]);
            }
            CHECK_INT(bad, 0);
            CHECK(valued > 100);
            /* the 5-minute contour crosses the road where the reach ends (x = 504850) */
            double lv[] = { 5, 10 };
            cor_contours ct;
            CHECK_INT(cor_grid_contours(gr, lv, 2, 31, &ct, &err), COR_OK);
            double max5 = -INFINITY;
            size_t n5 = 0, n10 = 0;
            for (size_t i = 0; i < ct.n; i++) {
                cor_bbox bb;
                cor_wkb_bounds(ct.wkb[i], ct.wkb_len[i], &bb, &err);
                if (ct.level[i] == 5) {
                    n5++;
                    max5 = fmax(max5, bb.max_x);
                }
                n10 += ct.level[i] == 10;
            }
            CHECK(n5 > 0 && n10 > 0);
            CHECK(max5 > 504850 - 150 && max5 < 504850 + 150);
            cor_contours_free(&ct);
            /* GeoTIFF: size, georeferencing, nodata, a value */
            const char *tif = td_tmp("iso_time.tif");
            CHECK_INT(cor_grid_write_geotiff(gr, "EPSG:4548", tif, -9999.0f, "travel time",
                                             "min", &err), COR_OK);
            GDALAllRegister();
            GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
            CHECK(ds != NULL);
            if (ds) {
                CHECK_INT(GDALGetRasterXSize(ds), gr->nx);
                CHECK_INT(GDALGetRasterYSize(ds), gr->ny);
                double gt[6];
                GDALGetGeoTransform(ds, gt);
                CHECK_NEAR(gt[0], gr->x0_m, 0);
                CHECK_NEAR(gt[3], gr->y0_m, 0);
                CHECK_NEAR(gt[1], 100, 0);
                CHECK_NEAR(gt[5], -100, 0);
                GDALRasterBandH b = GDALGetRasterBand(ds, 1);
                int has = 0;
                CHECK_NEAR(GDALGetRasterNoDataValue(b, &has), -9999, 0);
                CHECK_INT(has, 1);
                CHECK_INT(GDALGetRasterDataType(b), GDT_Float32);
                col = (size_t)((503000 + 1 - gr->x0_m) / 100);
                row = (size_t)((gr->y0_m - (4300000 + 1)) / 100);
                float px = 0;
                CHECK_INT(GDALRasterIO(b, GF_Read, (int)col, (int)row, 1, 1, &px, 1, 1,
                                       GDT_Float32, 0, 0), CE_None);
                CHECK_NEAR(px, gr->values[row * gr->nx + col], 0);
                GDALClose(ds);
            }
            unlink(tif);
        }
        cor_isochrones_free(&iso);
    }
    net_close(&n);
    unlink(p);
}

/* The adapter on known shapes: two 2 km lines crossing at right angles, 100 m buffers. */
static void test_area_adapter(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_area *a = cor_area_create(&err);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK(cor_area_is_empty(a));
    unsigned char *w = NULL;
    size_t wl = 0;
    CHECK_INT(cor_area_wkb(a, &w, &wl, &err), COR_OK); /* MULTIPOLYGON EMPTY */
    double area = -1;
    CHECK_INT(cor_wkb_area(w, wl, &area, &err), COR_OK);
    CHECK_NEAR(area, 0, 0);
    CHECK(wl >= 9 && w[1] == 6); /* type 6: MultiPolygon */
    free(w);
    double xy[] = { 400000, 4000000, 402000, 4000000, 401000, 3999000, 401000, 4001000 };
    size_t start[] = { 0, 2, 4 };
    cor_polylines pl = { 2, start, xy };
    cor_buffer_opts bo = COR_BUFFER_OPTS_DEFAULT;
    bo.buffer_m = 100;
    bo.quadrant_segments = 32;
    CHECK_INT(cor_area_add_buffer(a, &pl, &bo, &err), COR_OK);
    /* a plus sign of two 2 km x 200 m bars (overlap 200 m x 200 m), each with two round
     * half-disc caps of 100 m */
    double want = 2 * 2000 * 200 - 200 * 200 + 2 * M_PI * 100 * 100;
    CHECK_NEAR(cor_area_m2(a), want, want * 1e-3);
    double pts[] = { 401000, 4000000, 401950, 4000090, 401500, 4000500, 402099, 4000000,
                     NAN, 0 };
    uint8_t in[5];
    CHECK_INT(cor_area_points_inside(a, pts, 5, in, &err), COR_OK);
    CHECK_INT(in[0], 1);
    CHECK_INT(in[1], 1);
    CHECK_INT(in[2], 0);
    CHECK_INT(in[3], 1);
    CHECK_INT(in[4], 0);
    CHECK_INT(cor_area_wkb(a, &w, &wl, &err), COR_OK);
    double a1 = 0;
    cor_wkb_area(w, wl, &a1, &err);
    CHECK_NEAR(a1, cor_area_m2(a), 1e-6);
    /* growing by a far point keeps the first area inside */
    double far[] = { 410000, 4000000 };
    size_t fs[] = { 0, 1 };
    cor_polylines one = { 1, fs, far };
    CHECK_INT(cor_area_add_buffer(a, &one, &bo, &err), COR_OK);
    unsigned char *w2 = NULL;
    size_t wl2 = 0;
    CHECK_INT(cor_area_wkb(a, &w2, &wl2, &err), COR_OK);
    int covers = 0;
    double outside = -1;
    CHECK_INT(cor_wkb_compare(w2, wl2, w, wl, &covers, &outside, &err), COR_OK);
    CHECK_INT(covers, 1);
    CHECK_NEAR(outside, 0, 0);
    CHECK_INT(cor_wkb_compare(w, wl, w2, wl2, &covers, &outside, &err), COR_OK);
    CHECK_INT(covers, 0);
    CHECK_NEAR(outside, M_PI * 100 * 100, 100); /* the disc around the far point */
    cor_bbox bb;
    CHECK_INT(cor_wkb_bounds(w2, wl2, &bb, &err), COR_OK);
    CHECK_NEAR(bb.max_x, 410100, 1e-6);
    CHECK_NEAR(bb.min_y, 3998900, 1e-6);
    unsigned char pt[21];
    point_wkb(pt, 401000, 4000000);
    CHECK_INT(cor_wkb_compare(w2, wl2, pt, sizeof pt, &covers, NULL, &err), COR_OK);
    CHECK_INT(covers, 1);
    /* chained lines give the same area as separate ones: a path of three pieces */
    cor_area *b = cor_area_create(&err), *c = cor_area_create(&err);
    double path[] = { 0, 0, 1000, 0, 1000, 0, 1000, 1000, 1000, 1000, 0, 1000 };
    size_t ps[] = { 0, 2, 4, 6 };
    cor_polylines three = { 3, ps, path };
    double path1[] = { 0, 0, 1000, 0, 1000, 1000, 0, 1000 };
    size_t ps1[] = { 0, 4 };
    cor_polylines whole = { 1, ps1, path1 };
    CHECK_INT(cor_area_add_buffer(b, &three, &bo, &err), COR_OK);
    CHECK_INT(cor_area_add_buffer(c, &whole, &bo, &err), COR_OK);
    CHECK_NEAR(cor_area_m2(b), cor_area_m2(c), 1e-6);
    double len = 0;
    CHECK_INT(cor_wkb_length(pt, sizeof pt, &len, &err), COR_OK);
    CHECK_NEAR(len, 0, 0);
    /* unreadable WKB is an input error */
    unsigned char junk[] = { 1, 99, 0, 0, 0 };
    err = COR_ERROR_INIT;
    CHECK_INT(cor_wkb_area(junk, sizeof junk, &area, &err), COR_ERR_INPUT);
    cor_area_destroy(b);
    cor_area_destroy(c);
    free(w);
    free(w2);
    cor_area_destroy(a);
}

/* Bundled network: bands from Beijing contain every node reached within them (from an
 * independent search), nest exactly, and the multimodal bands contain the road bands. */
static void test_bundled(void)
{
    const char *data = getenv("CORRIDOR_DATA");
    net n;
    CHECK(net_open(&n, data ? data : "datasets/jjj.gpkg"));
    if (!n.e) {
        net_close(&n);
        return;
    }
    cor_error err = COR_ERROR_INIT;
    cor_location bj;
    CHECK_INT(cor_engine_locate(n.e, "Beijing", 1000, NULL, NULL, &bj, &err), COR_OK);
    cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
    o.cities = cor_dataset_places(n.ds, COR_ROLE_CITY, &err);
    o.parks = cor_dataset_places(n.ds, COR_ROLE_PARK, &err);
    double minutes[] = { 30, 60, 90 };
    cor_isochrones by[COR_MODE_COUNT];
    cor_csr c;
    cor_graph_csr(n.g, &c);
    cor_router *r = cor_router_create(n.e, &err);
    double *xy = malloc(2 * c.n_nodes * sizeof *xy);
    uint8_t *in = malloc(c.n_nodes + 1);
    for (int m = 0; m < COR_MODE_COUNT; m++) {
        o.mode = (cor_mode)m;
        CHECK_INT(cor_isochrones_compute(n.e, &bj, 1, minutes, 3, &o, &by[m], &err), COR_OK);
        if (by[m].n_bands != 3)
            continue;
        check_nesting(&by[m]);
        cor_search s = { (cor_mode)m, 0, COR_UNREACHABLE, NULL, 0, 0 };
        cor_router_run(r, &s, &bj.anchor, 1, &err);
        for (int k = 0; k < 3; k++) {
            size_t np = 0, missing = 0;
            for (uint32_t v = 0; v < c.n_nodes; v++) {
                uint32_t t = cor_router_time_ms(r, v);
                if (c.node_kind[v] == COR_NODE_RAIL || t == COR_UNREACHABLE ||
                    t >= minutes[k] * 60000)
                    continue;
                xy[2 * np] = c.node_xy[2 * v];
                xy[2 * np + 1] = c.node_xy[2 * v + 1];
                np++;
            }
            CHECK_INT(cor_wkb_points_inside(by[m].bands[k].wkb, by[m].bands[k].wkb_len, xy, np,
                                            in, &err), COR_OK);
            for (size_t i = 0; i < np; i++)
                missing += !in[i];
            CHECK_INT(missing, 0);
            CHECK(np > 0 || (m == COR_MODE_RAIL && k == 0));
        }
        fprintf(stderr, "   %-5s 30/60/90 min: %.0f / %.0f / %.0f km2\n", cor_mode_name((cor_mode)m),
                by[m].bands[0].area_km2, by[m].bands[1].area_km2, by[m].bands[2].area_km2);
    }
    /* multimodal reaches every node road does, and farther */
    for (int k = 0; k < 3 && by[0].n_bands == 3 && by[1].n_bands == 3; k++) {
        int covers = 0;
        double outside = -1;
        CHECK_INT(cor_wkb_compare(by[0].bands[k].wkb, by[0].bands[k].wkb_len,
                                  by[1].bands[k].wkb, by[1].bands[k].wkb_len, &covers, &outside,
                                  &err), COR_OK);
        CHECK(outside < 1.0); /* m2: at most rounding slivers between two unions */
        CHECK(by[0].bands[k].area_km2 >= by[1].bands[k].area_km2 - 1e-6);
    }
    if (by[0].n_bands == 3 && by[1].n_bands == 3) {
        CHECK(by[0].bands[1].area_km2 > by[1].bands[1].area_km2 * 1.1);
        /* Beijing's own population inside from 30 minutes by road */
        CHECK(by[1].bands[0].population >= 2.1e7);
        CHECK(by[0].bands[1].parks >= by[0].bands[0].parks);
    }
    for (int m = 0; m < COR_MODE_COUNT; m++)
        cor_isochrones_free(&by[m]);
    free(xy);
    free(in);
    cor_router_destroy(r);
    net_close(&n);
}

int main(void)
{
    RUN(test_area_adapter);
    RUN(test_straight_road);
    RUN(test_counts);
    RUN(test_bundled);
    return check_summary();
}
