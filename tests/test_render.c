/* test_render.c: the map engine: style errors with JSON paths, WKB shapes and geodesics, the
 * scale bar against an independent geodesic (also in Web Mercator, where projected metres are
 * 30 % off), labels (no overlaps, inside the frame, largest city first), the legend from what
 * is drawn, bad input, PNG/PDF/SVG output without partial files, and golden images compared
 * per pixel (COR_REGENERATE_GOLDEN=1 rewrites them; a diff image is written on failure).
 * Issue "Maps and reports with Cairo", part 1. */
#include "check.h"
#include "corridor/render.h"
#include "corridor/shapes.h"
#include "testdata.h"

#include <gdal.h>
#include <geodesic.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef COR_GOLDEN_DIR
#define COR_GOLDEN_DIR "tests/golden"
#endif
#ifndef COR_STYLE_FILE
#define COR_STYLE_FILE "datasets/styles/default.json"
#endif

/* ---- helpers -------------------------------------------------------------------------------- */

static double geodesic_m(double lon1, double lat1, double lon2, double lat2, double a,
                         double inv_f)
{
    struct geod_geodesic gd;
    geod_init(&gd, a, 1 / inv_f);
    double s12;
    geod_inverse(&gd, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int leftovers(const char *dir_file)
{
    /* any "<file>.tmpNNN" beside the output */
    char buf[600];
    snprintf(buf, sizeof buf, "%s.tmp%ld", dir_file, (long)getpid());
    return file_exists(buf);
}

static int starts_with(const char *path, const char *magic)
{
    FILE *f = fopen(path, "rb");
    char buf[16] = "";
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return !strncmp(buf, magic, strlen(magic));
}

/* RGBA pixels of a PNG through GDAL; caller frees. */
static unsigned char *read_png(const char *path, int *w, int *h)
{
    GDALDatasetH d = GDALOpen(path, GA_ReadOnly);
    if (!d)
        return NULL;
    *w = GDALGetRasterXSize(d);
    *h = GDALGetRasterYSize(d);
    int nb = GDALGetRasterCount(d);
    unsigned char *px = calloc((size_t)*w * *h * 4, 1);
    for (int b = 0; px && b < 4; b++) {
        int src = b < nb ? b + 1 : 0;
        if (!src) { /* no alpha band: opaque */
            for (size_t i = 0; i < (size_t)*w * *h; i++)
                px[4 * i + 3] = 255;
            continue;
        }
        if (GDALRasterIO(GDALGetRasterBand(d, src), GF_Read, 0, 0, *w, *h, px + b, *w, *h,
                         GDT_Byte, 4, 4 * *w) != CE_None) {
            free(px);
            px = NULL;
        }
    }
    GDALClose(d);
    return px;
}

static void write_png(const char *path, const unsigned char *px, int w, int h)
{
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", w, h, 4, GDT_Byte, NULL);
    for (int b = 0; b < 4; b++)
        if (GDALRasterIO(GDALGetRasterBand(mem, b + 1), GF_Write, 0, 0, w, h,
                         (void *)(px + b), w, h, GDT_Byte, 4, 4 * w) != CE_None)
            fprintf(stderr, "cannot fill the diff image\n");
    GDALDatasetH out = GDALCreateCopy(GDALGetDriverByName("PNG"), path, mem, 0, NULL, NULL, NULL);
    if (out)
        GDALClose(out);
    GDALClose(mem);
}

/* Compares a rendered PNG with its golden image, Cairo-test style: a pixel differs when a
 * channel differs by more than 24; at most 0.1 % of the pixels may differ (antialiasing).
 * On failure writes NAME.diff.png (differing pixels red over a faded copy of the golden) in
 * the working directory. COR_REGENERATE_GOLDEN=1 copies the output over the golden. */
static void check_golden(const char *out_png, const char *name)
{
    char golden[512], diffp[512];
    snprintf(golden, sizeof golden, "%s/%s.png", COR_GOLDEN_DIR, name);
    snprintf(diffp, sizeof diffp, "%s.diff.png", name);
    const char *regen = getenv("COR_REGENERATE_GOLDEN");
    int w, h, gw, gh;
    unsigned char *a = read_png(out_png, &w, &h);
    CHECK(a != NULL);
    if (!a)
        return;
    if (regen && *regen && strcmp(regen, "0")) {
        write_png(golden, a, w, h);
        fprintf(stderr, "regenerated %s\n", golden);
        free(a);
        CHECK(file_exists(golden));
        return;
    }
    unsigned char *b = read_png(golden, &gw, &gh);
    CHECK(b != NULL);
    if (!b) {
        fprintf(stderr, "%s: no golden image (COR_REGENERATE_GOLDEN=1 creates it)\n", golden);
        free(a);
        return;
    }
    CHECK_INT(w, gw);
    CHECK_INT(h, gh);
    if (w == gw && h == gh) {
        size_t n = (size_t)w * h, bad = 0;
        unsigned char *d = malloc(n * 4);
        for (size_t i = 0; i < n; i++) {
            int md = 0;
            for (int c = 0; c < 4; c++)
                md = abs(a[4 * i + c] - b[4 * i + c]) > md ? abs(a[4 * i + c] - b[4 * i + c]) : md;
            int grey = (b[4 * i] + b[4 * i + 1] + b[4 * i + 2]) / 3;
            if (md > 24)
                bad++;
            d[4 * i] = md > 24 ? 255 : (unsigned char)(200 + grey / 5);
            d[4 * i + 1] = d[4 * i + 2] = md > 24 ? 0 : (unsigned char)(200 + grey / 5);
            d[4 * i + 3] = 255;
        }
        int ok = bad <= n / 1000;
        CHECK(ok);
        if (!ok) {
            write_png(diffp, d, w, h);
            fprintf(stderr, "%s: %zu of %zu pixels differ from %s; see %s\n", out_png, bad, n,
                    golden, diffp);
        }
        free(d);
    }
    free(a);
    free(b);
}

/* ---- style ---------------------------------------------------------------------------------- */

static void expect_style_error(const char *json, const char *needle)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *s = cor_style_parse(json, "t.json", &err);
    CHECK(s == NULL);
    CHECK_INT(err.code, COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, needle);
    cor_style_destroy(s);
}

static void test_style(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *s = cor_style_default(&err);
    CHECK(s != NULL);
    if (s)
        CHECK(!strcmp(cor_style_font(s), "Noto Sans CJK SC"));
    cor_style_destroy(s);
    s = cor_style_load(COR_STYLE_FILE, &err);
    CHECK(s != NULL);
    cor_style_destroy(s);

    const char *L0 = "{\"id\":\"a\",\"type\":\"line\",\"role\":\"rail\"";
    char buf[600];
    snprintf(buf, sizeof buf, "{\"layers\":[%s},%s,\"stroke\":\"#zz0000\"}]}", L0,
             "{\"id\":\"b\",\"type\":\"line\",\"layer\":\"x\"");
    expect_style_error(buf, "t.json: layers[1].stroke: \"#zz0000\" is not a colour");
    snprintf(buf, sizeof buf, "{\"layers\":[%s,\"strok\":\"#000\"}]}", L0);
    expect_style_error(buf, "t.json: layers[0].strok: unknown key");
    snprintf(buf, sizeof buf, "{\"layers\":[%s,\"casing\":{\"color\":\"#fff\",\"width\":\"2\"}}]}",
             L0);
    expect_style_error(buf, "t.json: layers[0].casing.width: must be a number");
    snprintf(buf, sizeof buf, "{\"layers\":[%s,\"filter\":{\"class\":{\"min\":\"x\"}}}]}", L0);
    expect_style_error(buf, "t.json: layers[0].filter.class.min: must be a number");
    snprintf(buf, sizeof buf, "{\"layers\":[%s,\"dash\":[2,-1]}]}", L0);
    expect_style_error(buf, "t.json: layers[0].dash[1]: must be a positive number");
    expect_style_error("{\"layers\":[{\"id\":\"a\",\"type\":\"point\",\"role\":\"rail\"}]}",
                       "layers[0].role: role 'rail' gives lines");
    expect_style_error("{\"layers\":[{\"id\":\"a\",\"type\":\"area\",\"layer\":\"x\"}]}",
                       "layers[0].type: must be \"polygon\", \"line\" or \"point\"");
    expect_style_error("{\"layers\":[{\"id\":\"a\",\"type\":\"line\",\"role\":\"tram\"}]}",
                       "layers[0].role: unknown role");
    snprintf(buf, sizeof buf, "{\"layers\":[%s},%s}]}", L0, L0);
    expect_style_error(buf, "layers[1].id: \"a\" is already the id of layers[0]");
    expect_style_error("{\"graticule\":{\"opacity\":2},\"layers\":[]}",
                       "t.json: graticule.opacity: 2 is out of range [0, 1]");
    expect_style_error("{\"layers\":[{\"id\":\"p\",\"type\":\"point\",\"role\":\"city\","
                       "\"label\":{\"size\":8,\"halo\":\"white\"}}]}",
                       "layers[0].label.halo: \"white\" is not a colour");
    expect_style_error("{\"layers\": [", "t.json: line 1");
    expect_style_error("{\"fonts\":\"x\",\"layers\":[]}", "t.json: fonts: unknown key");
}

/* ---- shapes and geodesics ------------------------------------------------------------------- */

static cor_status shape_of(cor_wkb_reader *r, const char *wkt, cor_shape *s, cor_error *err)
{
    OGRGeometryH g = NULL;
    char *w = (char *)wkt;
    if (OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE)
        return COR_ERR_INPUT;
    size_t n = (size_t)OGR_G_WkbSizeEx(g);
    unsigned char *wkb = malloc(n);
    OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
    OGR_G_DestroyGeometry(g);
    cor_status rc = cor_wkb_read_shape(r, wkb, n, s, err);
    free(wkb);
    return rc;
}

static void test_shapes(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_wkb_reader *r = cor_wkb_reader_create(&err);
    CHECK(r != NULL);
    cor_shape s;
    CHECK_INT(shape_of(r, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2))", &s,
                       &err), COR_OK);
    CHECK_INT(s.kind, COR_SHAPE_POLYGONS);
    CHECK_INT(s.n_rings, 2);
    CHECK_INT(s.n_polygons, 1);
    CHECK_INT(s.start[1], 5);
    CHECK_INT(s.n_points, 9);
    CHECK_NEAR(s.xy[2 * 6], 4, 0);
    CHECK_NEAR(s.bbox.max_x, 10, 0);
    /* the inside point avoids the hole */
    CHECK(s.label_x > 0 && s.label_x < 10 && !(s.label_x > 2 && s.label_x < 4 && s.label_y > 2 &&
                                               s.label_y < 4));
    cor_shape_free(&s);
    CHECK_INT(shape_of(r, "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))", &s,
                       &err), COR_OK);
    CHECK_INT(s.n_polygons, 2);
    CHECK_INT(s.first_ring[1], 1);
    cor_shape_free(&s);
    CHECK_INT(shape_of(r, "MULTILINESTRING ((0 0, 1 1, 2 0), (5 5, 6 6))", &s, &err), COR_OK);
    CHECK_INT(s.kind, COR_SHAPE_LINES);
    CHECK_INT(s.n_rings, 2);
    CHECK_INT(s.start[2], 5);
    cor_shape_free(&s);
    CHECK_INT(shape_of(r, "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 3 4))", &s, &err),
              COR_OK);
    CHECK_INT(s.kind, COR_SHAPE_LINES); /* the highest dimension only */
    CHECK_INT(s.n_points, 2);
    cor_shape_free(&s);
    CHECK_INT(shape_of(r, "POINT (116.4 39.9)", &s, &err), COR_OK);
    CHECK_INT(s.kind, COR_SHAPE_POINTS);
    CHECK_NEAR(s.label_y, 39.9, 0);
    cor_shape_free(&s);
    CHECK_INT(shape_of(r, "POLYGON EMPTY", &s, &err), COR_OK);
    CHECK_INT(s.kind, COR_SHAPE_EMPTY);
    cor_shape_free(&s);
    unsigned char junk[] = { 1, 99, 0, 0, 0, 7 };
    err = COR_ERROR_INIT;
    CHECK_INT(cor_wkb_read_shape(r, junk, sizeof junk, &s, &err), COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "unreadable WKB");
    /* label points inside an L-shaped polygon: the largest pieces first, all inside */
    OGRGeometryH g = NULL;
    char *w = "POLYGON ((0 0, 30 0, 30 10, 10 10, 10 30, 0 30, 0 0))";
    OGR_G_CreateFromWkt(&w, NULL, &g);
    size_t n = (size_t)OGR_G_WkbSizeEx(g), np = 0;
    unsigned char *wkb = malloc(n);
    OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
    double xy[32];
    cor_bbox clip = { 0, 0, 30, 30 };
    err = COR_ERROR_INIT;
    CHECK_INT(cor_wkb_label_points(r, wkb, n, &clip, 3, xy, 16, &np, &err), COR_OK);
    CHECK_INT(np, 5); /* 5 of the 9 cells hold part of the L */
    for (size_t k = 0; k < np; k++)
        CHECK(xy[2 * k] < 10 || xy[2 * k + 1] < 10);
    free(wkb);
    OGR_G_DestroyGeometry(g);
    cor_wkb_reader_destroy(r);

    /* geodesics on the CRS's ellipsoid: one degree of latitude at the equator on GRS80
     * (CGCS2000 differs from it by 0.1 mm here) is 110574.39 m */
    double d = 0, azi = 0;
    err = COR_ERROR_INIT;
    CHECK_INT(cor_geodesic_inverse("EPSG:4548", 117, 0, 117, 1, &d, &azi, &err), COR_OK);
    CHECK_NEAR(d, 110574.39, 0.05);
    CHECK_NEAR(azi, 0, 1e-9);
    CHECK_INT(cor_geodesic_inverse("EPSG:4548", 116.4, 39.9, 117.2, 39.1, &d, NULL, &err), COR_OK);
    CHECK_NEAR(d, geodesic_m(116.4, 39.9, 117.2, 39.1, 6378137.0, 298.257222101), 1e-6);
    /* a sphere: PROJ's ellipsoid of the CRS is used, not a fixed one */
    CHECK_INT(cor_geodesic_inverse("+proj=merc +R=6371000 +type=crs", 0, 0, 0, 1, &d, NULL, &err),
              COR_OK);
    CHECK_NEAR(d, 6371000 * 3.14159265358979 / 180, 0.01);
    err = COR_ERROR_INIT;
    CHECK_INT(cor_geodesic_inverse("EPSG:999999", 0, 0, 1, 1, &d, NULL, &err), COR_ERR_INPUT);
    char name[200];
    CHECK_INT(cor_crs_name("EPSG:4548", name, sizeof name, &err), COR_OK);
    CHECK_STR_CONTAINS(name, "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
}

/* ---- a hand-made dataset ---------------------------------------------------------------------- */

static const char *tiny_dataset(void)
{
    static char path[512];
    if (path[0])
        return path;
    snprintf(path, sizeof path, "%s", td_tmp("tiny.gpkg"));
    const td_feature land[] = { { "POLYGON ((115.8 39.2, 117.6 39.2, 117.6 40.6, 115.8 40.6, "
                                  "115.8 39.2))", { NULL } } };
    const td_feature prov[] = {
        { "POLYGON ((116.0 39.4, 116.8 39.4, 116.8 40.4, 116.0 40.4, 116.0 39.4))",
          { "name=Beijing", "name_zh=北京市" } },
        { "POLYGON ((116.8 39.4, 117.4 39.4, 117.4 40.2, 116.8 40.2, 116.8 39.4))",
          { "name=Tianjin", "name_zh=天津市" } },
    };
    const td_feature water[] = {
        { "POLYGON ((117.4 39.2, 117.6 39.2, 117.6 40.0, 117.4 39.6, 117.4 39.2))",
          { "kind=ocean" } },
        { "POLYGON ((116.2 40.2, 116.35 40.2, 116.35 40.3, 116.2 40.3, 116.2 40.2))",
          { "kind=lake", "name=Lake" } },
    };
    const td_feature urban[] = {
        { "POLYGON ((116.3 39.8, 116.5 39.8, 116.5 40.0, 116.3 40.0, 116.3 39.8))", { NULL } },
    };
    const td_feature rail[] = {
        { "LINESTRING (116.4 39.9, 116.8 39.6, 117.2 39.1)", { "class=highspeed" } },
        { "LINESTRING (116.0 39.5, 116.4 39.9, 117.1 40.1)", { "class=conventional" } },
    };
    const td_feature roads[] = {
        { "LINESTRING (115.9 39.9, 116.4 39.9, 117.3 39.9)", { "class=major_highway" } },
        { "LINESTRING (116.4 39.3, 116.4 39.9, 116.5 40.5)", { "class=road" } },
    };
    const td_feature stations[] = {
        { "POINT (116.8 39.6)", { "name=廊坊", "name_zh=廊坊", "kind=train" } },
        { "POINT (116.9 40.05)", { "name=北辰", "name_zh=北辰", "kind=train" } },
    };
    const td_feature ports[] = { { "POINT (117.35 39.45)", { "name=Tianjin Port",
                                                             "name_zh=天津港" } } };
    const td_feature airports[] = { { "POINT (116.6 40.07)", { "iata=PEK",
                                      "name=Beijing Capital International Airport",
                                      "name_zh=北京首都国际机场" } } };
    const td_feature parks[] = {
        { "POINT (116.5 39.75)", { "name=BDA", "name_zh=北京经开区", "level=national_etdz" } },
        { "POINT (116.3 40.0)", { "name=Zhongguancun", "name_zh=中关村", "level=national_hitech" } },
    };
    const td_feature cities[] = {
        { "POINT (116.4 39.9)", { "name=Beijing", "name_zh=北京市", "population=21893095" } },
        { "POINT (117.2 39.13)", { "name=Tianjin", "name_zh=天津市", "population=13866009" } },
        { "POINT (116.68 39.52)", { "name=Langfang", "name_zh=廊坊市", "population=5464087" } },
    };
    int ok = td_layer(path, "land", "EPSG:4326", land, 1) &&
             td_layer(path, "provinces", "EPSG:4326", prov, 2) &&
             td_layer(path, "water", "EPSG:4326", water, 2) &&
             td_layer(path, "urban", "EPSG:4326", urban, 1) &&
             td_layer(path, "rail", "EPSG:4326", rail, 2) &&
             td_layer(path, "roads", "EPSG:4326", roads, 2) &&
             td_layer(path, "stations", "EPSG:4326", stations, 2) &&
             td_layer(path, "ports", "EPSG:4326", ports, 1) &&
             td_layer(path, "airports", "EPSG:4326", airports, 1) &&
             td_layer(path, "parks", "EPSG:4326", parks, 2) &&
             td_layer(path, "cities", "EPSG:4326", cities, 3);
    CHECK(ok);
    return path;
}

static cor_map *make_map(cor_dataset *ds, const cor_style *st, cor_map_opts o, cor_error *err)
{
    return cor_map_create(ds, st, &o, err);
}

/* The bar's ends, back to lon/lat with the dataset's CRS, measured with PROJ's geodesic
 * directly: the bar's length is its round number of kilometres within 0.5 %. Returns the
 * bar's length in projected metres over its ground length. */
static double check_scalebar(cor_dataset *ds, const cor_map *m, double a, double inv_f)
{
    cor_scalebar sb;
    cor_map_get_scalebar(m, &sb);
    cor_map_info info;
    cor_map_get_info(m, &info);
    CHECK(sb.km > 0);
    CHECK(sb.x1_px > sb.x0_px);
    CHECK_NEAR(sb.y0_px, sb.y1_px, 0);
    /* inside the frame, in its lower left */
    CHECK(sb.x0_px > info.frame_px[0] && sb.x1_px < info.frame_px[0] + info.frame_px[2]);
    CHECK(sb.y0_px > info.frame_px[1] + info.frame_px[3] / 2);
    double xy[4];
    cor_map_px_to_xy(m, sb.x0_px, sb.y0_px, &xy[0], &xy[1]);
    cor_map_px_to_xy(m, sb.x1_px, sb.y1_px, &xy[2], &xy[3]);
    double proj_m = (sb.x1_px - sb.x0_px) * info.m_per_px;
    CHECK_NEAR(hypot(xy[2] - xy[0], xy[3] - xy[1]), proj_m, 1e-6 * proj_m);
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_dataset_xy_to_lonlat(ds, xy, 2, &err), COR_OK);
    double ground = geodesic_m(xy[0], xy[1], xy[2], xy[3], a, inv_f);
    CHECK_NEAR(ground / (sb.km * 1000.0), 1.0, 0.005);
    return proj_m / ground;
}

static void test_tiny(void)
{
    const char *data = tiny_dataset();
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(data, NULL, &err);
    cor_style *st = cor_style_default(&err);
    CHECK(ds && st);
    if (!ds || !st) {
        fprintf(stderr, "%s\n", err.msg);
        cor_dataset_close(ds);
        cor_style_destroy(st);
        return;
    }
    cor_map_opts o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 600;
    o.height_px = 450;
    o.lang = COR_LANG_BOTH;
    cor_map *m = make_map(ds, st, o, &err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s\n", err.msg);
    } else {
        cor_map_info info;
        cor_map_get_info(m, &info);
        CHECK_INT(info.width_px, 600);
        CHECK_INT(info.height_px, 450);
        CHECK_NEAR(info.dpi, 96, 0);
        /* every layer of the dataset is drawn and named in the legend */
        const char *want[] = { "urban", "water", "provinces", "roads", "highways", "rail",
                               "highspeed", "parks-etdz", "parks-hitech", "stations", "airports",
                               "ports", "cities-large", "cities-medium" };
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
            int found = 0;
            for (size_t i = 0; i < info.legend_items; i++) {
                cor_map_legend_item it;
                cor_map_legend_get(m, i, &it);
                found |= !strcmp(it.layer_id, want[k]);
            }
            if (!found)
                fprintf(stderr, "legend lacks %s\n", want[k]);
            CHECK(found);
        }
        CHECK_INT(info.legend_items, sizeof want / sizeof want[0]);
        cor_map_legend_item it;
        cor_map_legend_get(m, 0, &it);
        CHECK(!strcmp(it.text, "城区 Urban area")); /* lang both */
        /* labels: Beijing first, in both languages; none overlap or leave the frame */
        size_t nl = cor_map_label_count(m);
        CHECK(nl >= 5);
        cor_map_label l0;
        cor_map_label_get(m, 0, &l0);
        CHECK(l0.text && !strcmp(l0.text, "北京\nBeijing"));
        for (size_t i = 0; i < nl; i++) {
            cor_map_label a;
            cor_map_label_get(m, i, &a);
            CHECK(a.box_px[0] >= info.frame_px[0] && a.box_px[1] >= info.frame_px[1] &&
                  a.box_px[0] + a.box_px[2] <= info.frame_px[0] + info.frame_px[2] &&
                  a.box_px[1] + a.box_px[3] <= info.frame_px[1] + info.frame_px[3]);
            for (size_t j = 0; j < i; j++) {
                cor_map_label b;
                cor_map_label_get(m, j, &b);
                int apart = a.box_px[0] >= b.box_px[0] + b.box_px[2] ||
                            b.box_px[0] >= a.box_px[0] + a.box_px[2] ||
                            a.box_px[1] >= b.box_px[1] + b.box_px[3] ||
                            b.box_px[1] >= a.box_px[1] + a.box_px[3];
                if (!apart)
                    fprintf(stderr, "labels overlap: %s / %s\n", a.text, b.text);
                CHECK(apart);
                CHECK(b.priority >= a.priority); /* placed in priority order */
            }
        }
        check_scalebar(ds, m, 6378137.0, 298.257222101);
        /* the three formats; nothing left behind */
        const char *png = td_tmp("tiny.png"), *pdf = td_tmp("tiny.pdf"), *svg = td_tmp("tiny.svg");
        CHECK_INT(cor_map_write(m, png, &err), COR_OK);
        CHECK_INT(cor_map_write(m, pdf, &err), COR_OK);
        CHECK_INT(cor_map_write(m, svg, &err), COR_OK);
        CHECK(starts_with(png, "\x89PNG"));
        CHECK(starts_with(pdf, "%PDF-"));
        CHECK(starts_with(svg, "<?xml"));
        CHECK(!leftovers(png) && !leftovers(pdf) && !leftovers(svg));
        check_golden(png, "tiny_base");
        err = COR_ERROR_INIT;
        CHECK_INT(cor_map_write(m, "/nonexistent/dir/map.png", &err), COR_ERR_IO);
        CHECK_STR_CONTAINS(err.msg, "/nonexistent/dir/map.png");
        CHECK(!leftovers("/nonexistent/dir/map.png"));
        err = COR_ERROR_INIT;
        CHECK_INT(cor_map_write(m, td_tmp("tiny.jpg"), &err), COR_ERR_CONFIG);
        CHECK(!file_exists(td_tmp("tiny.jpg")));
        unlink(png);
        unlink(pdf);
        unlink(svg);
    }
    cor_map_destroy(m);

    /* paper: A4 at 100 dpi, landscape for this wider-than-tall extent */
    o = COR_MAP_OPTS_DEFAULT;
    o.paper = "A4";
    o.dpi = 100;
    err = COR_ERROR_INIT;
    m = make_map(ds, st, o, &err);
    CHECK(m != NULL);
    if (m) {
        cor_map_info info;
        cor_map_get_info(m, &info);
        CHECK_INT(info.width_px, 1169);
        CHECK_INT(info.height_px, 827);
    }
    cor_map_destroy(m);
    o.paper = "A3-landscape";
    o.dpi = 72;
    m = make_map(ds, st, o, &err);
    CHECK(m != NULL);
    if (m) {
        cor_map_info info;
        cor_map_get_info(m, &info);
        CHECK_INT(info.width_px, 1191);
        CHECK_INT(info.height_px, 842);
    }
    cor_map_destroy(m);

    /* bad input */
    o = COR_MAP_OPTS_DEFAULT;
    o.theme = "access";
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "unknown theme 'access' (known: base)");
    o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 30000;
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "the limit is 20000 px per side and 250 Mpx in all");
    o.width_px = 19000;
    o.height_px = 19000;
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "too large");
    o = COR_MAP_OPTS_DEFAULT;
    o.paper = "A0";
    o.dpi = 2400;
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_INT(err.code, COR_ERR_CONFIG);
    o = COR_MAP_OPTS_DEFAULT;
    o.has_extent_lonlat = 1;
    o.extent_lonlat = (cor_bbox){ 118.5, 41.5, 119, 42 }; /* inside the CRS, but no data */
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_INT(err.code, COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "holds no data of the base theme");
    o.extent_lonlat = (cor_bbox){ 118, 41, 117, 42 };
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "want minlon,minlat,maxlon,maxlat");
    o = COR_MAP_OPTS_DEFAULT;
    o.extent_name = "Atlantis";
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_INT(err.code, COR_ERR_NOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "--extent Atlantis: no polygon of that name");
    CHECK_STR_CONTAINS(err.msg, "北京市");
    o.extent_name = "天津"; /* 天津市 without its suffix */
    o.width_px = 400;
    o.height_px = 300;
    err = COR_ERROR_INIT;
    m = make_map(ds, st, o, &err);
    CHECK(m != NULL);
    if (!m)
        fprintf(stderr, "%s\n", err.msg);
    if (m) {
        cor_map_info info;
        cor_map_get_info(m, &info);
        /* Tianjin's box (116.8-117.4 E) is in view, Beijing's west edge (116.0 E) is not */
        double px, py;
        cor_dataset *d = ds;
        double ll[4] = { 117.1, 39.8, 116.0, 39.8 };
        CHECK_INT(cor_dataset_lonlat_to_xy(d, ll, 2, &err), COR_OK);
        cor_map_xy_to_px(m, ll[0], ll[1], &px, &py);
        CHECK(px > info.frame_px[0] && px < info.frame_px[0] + info.frame_px[2]);
        cor_map_xy_to_px(m, ll[2], ll[3], &px, &py);
        CHECK(px < info.frame_px[0]);
    }
    cor_map_destroy(m);

    /* a missing font: one line naming it */
    cor_style *nofont = cor_style_parse("{\"font\":\"No Such Font Family 7\",\"layers\":"
                                        "[{\"id\":\"a\",\"type\":\"line\",\"role\":\"rail\"}]}",
                                        "nofont.json", &err);
    CHECK(nofont != NULL);
    o = COR_MAP_OPTS_DEFAULT;
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, nofont, o, &err) == NULL);
    CHECK_INT(err.code, COR_ERR_NOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "font 'No Such Font Family 7' is not installed");
    CHECK(!strchr(err.msg, '\n'));
    cor_style_destroy(nofont);
    cor_dataset_close(ds);

    /* Web Mercator at 39.5 N: projected metres are 1/cos(lat) = 1.30 ground metres; the bar
     * must still measure its kilometres on the ground */
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    oo.crs = "EPSG:3857";
    err = COR_ERROR_INIT;
    ds = cor_dataset_open(data, &oo, &err);
    CHECK(ds != NULL);
    o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 800;
    o.height_px = 600;
    m = ds ? make_map(ds, st, o, &err) : NULL;
    CHECK(m != NULL);
    if (m) {
        double ratio = check_scalebar(ds, m, 6378137.0, 298.257223563);
        CHECK(ratio > 1.25 && ratio < 1.35);
    }
    cor_map_destroy(m);
    cor_dataset_close(ds);
    cor_style_destroy(st);
    unlink(data);
}

/* ---- the bundled dataset ---------------------------------------------------------------------- */

static void test_bundled(void)
{
    const char *data = getenv("CORRIDOR_DATA");
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
    cor_style *st = cor_style_default(&err);
    CHECK(ds && st);
    if (!ds || !st) {
        fprintf(stderr, "%s\n", err.msg);
        cor_dataset_close(ds);
        cor_style_destroy(st);
        return;
    }
    cor_map_opts o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 600;
    o.height_px = 450;
    cor_map *m = cor_map_create(ds, st, &o, &err);
    CHECK(m != NULL);
    if (m) {
        cor_map_info info;
        cor_map_get_info(m, &info);
        CHECK(info.features > 30000);
        CHECK_INT(info.legend_items, 19);
        cor_map_label l0;
        cor_map_label_get(m, 0, &l0);
        CHECK(l0.text && !strcmp(l0.text, "北京"));
        int tianjin = 0;
        for (size_t i = 0; i < cor_map_label_count(m); i++) {
            cor_map_label l;
            cor_map_label_get(m, i, &l);
            tianjin |= !strcmp(l.text, "天津");
        }
        CHECK(tianjin);
        check_scalebar(ds, m, 6378137.0, 298.257222101);
        const char *png = td_tmp("bundled.png");
        CHECK_INT(cor_map_write(m, png, &err), COR_OK);
        check_golden(png, "bundled_base");
        unlink(png);
    }
    cor_map_destroy(m);
    /* a larger map: a finer scale bar, still right */
    o.width_px = 3000;
    o.height_px = 2200;
    m = cor_map_create(ds, st, &o, &err);
    CHECK(m != NULL);
    if (m) {
        check_scalebar(ds, m, 6378137.0, 298.257222101);
        cor_scalebar sb;
        cor_map_get_scalebar(m, &sb);
        CHECK_NEAR(sb.km, 100, 0);
    }
    cor_map_destroy(m);
    /* a small extent around Handan: no port there, so no port in the legend */
    o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 800;
    o.height_px = 600;
    o.has_extent_lonlat = 1;
    o.extent_lonlat = (cor_bbox){ 114.2, 36.3, 114.8, 36.8 };
    m = cor_map_create(ds, st, &o, &err);
    CHECK(m != NULL);
    if (m) {
        cor_map_info info;
        cor_map_get_info(m, &info);
        int ports = 0, cities = 0;
        for (size_t i = 0; i < info.legend_items; i++) {
            cor_map_legend_item it;
            cor_map_legend_get(m, i, &it);
            ports |= !strcmp(it.layer_id, "ports");
            cities |= !strncmp(it.layer_id, "cities", 6);
        }
        CHECK(!ports);
        CHECK(cities);
        check_scalebar(ds, m, 6378137.0, 298.257222101);
        cor_scalebar sb;
        cor_map_get_scalebar(m, &sb);
        CHECK(sb.km <= 20);
    }
    cor_map_destroy(m);
    /* a named extent */
    o = COR_MAP_OPTS_DEFAULT;
    o.width_px = 800;
    o.height_px = 600;
    o.extent_name = "Beijing";
    m = cor_map_create(ds, st, &o, &err);
    CHECK(m != NULL);
    cor_map_destroy(m);
    cor_dataset_close(ds);
    cor_style_destroy(st);
}

int main(void)
{
    GDALAllRegister();
    RUN(test_style);
    RUN(test_shapes);
    RUN(test_tiny);
    RUN(test_bundled);
    return check_summary();
}
