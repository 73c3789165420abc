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
    o.theme = "choropleth";
    err = COR_ERROR_INIT;
    CHECK(make_map(ds, st, o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "unknown theme 'choropleth' (known: base, access, isochrone");
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


/* ---- classification and ramps (issue "Maps and reports with Cairo": thematic symbology) ---- */

/* The total within-class sum of squared deviations of sorted v split at cut[0..k-2]
 * (class c holds v[cut[c-1]] .. v[cut[c] - 1]). */
static double ssd_split(const double *v, size_t n, const size_t *cut, int k)
{
    double total = 0;
    size_t a = 0;
    for (int c = 0; c < k; c++) {
        size_t b = c < k - 1 ? cut[c] : n;
        double mean = 0;
        for (size_t i = a; i < b; i++)
            mean += v[i];
        mean /= (double)(b - a);
        for (size_t i = a; i < b; i++)
            total += (v[i] - mean) * (v[i] - mean);
        a = b;
    }
    return total;
}

/* Brute force over every split of sorted distinct v into k non-empty runs. */
static double best_split(const double *v, size_t n, int k, size_t *cut, int depth, size_t from)
{
    if (depth == k - 1)
        return ssd_split(v, n, cut, k);
    double best = INFINITY;
    for (size_t i = from; i + (size_t)(k - 1 - depth) <= n; i++) {
        cut[depth] = i;
        best = fmin(best, best_split(v, n, k, cut, depth + 1, i + 1));
    }
    return best;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_classify(void)
{
    cor_error err = COR_ERROR_INIT;
    double br[COR_CLASSIFY_MAX_CLASSES + 1];
    int k = 0;
    /* equal interval, NaN ignored: 0..10 in 5 classes of width 2 */
    double eq[] = { 0, 1, 2, NAN, 3, 4, 5, 6, 7, 8, 9, 10, INFINITY };
    CHECK_INT(cor_classify(eq, 13, COR_CLASSIFY_EQUAL, 5, br, &k, &err), COR_OK);
    CHECK_INT(k, 5);
    for (int i = 0; i <= 5; i++)
        CHECK_NEAR(br[i], 2.0 * i, 1e-12);
    CHECK_INT(cor_classify_index(br, k, 3.999), 1);
    CHECK_INT(cor_classify_index(br, k, 4), 2);
    CHECK_INT(cor_classify_index(br, k, 10), 4);
    CHECK_INT(cor_classify_index(br, k, NAN), -1);
    /* quantiles of 1..10 in 5: class c starts at rank floor(2c): 1, 3, 5, 7, 9 | 10 */
    double q[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    CHECK_INT(cor_classify(q, 10, COR_CLASSIFY_QUANTILE, 5, br, &k, &err), COR_OK);
    CHECK_INT(k, 5);
    const double qb[] = { 1, 3, 5, 7, 9, 10 };
    for (int i = 0; i <= 5; i++)
        CHECK_NEAR(br[i], qb[i], 0);
    /* quantiles with ties merge classes: 1 x6, 2, 3, 4, 5 in 4 -> ranks 2, 5, 7 hold 1, 1, 3:
     * classes [1, 3) and [3, 5] */
    double qt[] = { 1, 1, 1, 1, 1, 1, 2, 3, 4, 5 };
    CHECK_INT(cor_classify(qt, 10, COR_CLASSIFY_QUANTILE, 4, br, &k, &err), COR_OK);
    CHECK_INT(k, 2);
    CHECK_NEAR(br[0], 1, 0);
    CHECK_NEAR(br[1], 3, 0);
    CHECK_NEAR(br[2], 5, 0);
    /* Jenks by hand: three clear groups */
    double jk[] = { 31, 1, 12, 2, 30, 3, 10, 11 };
    CHECK_INT(cor_classify(jk, 8, COR_CLASSIFY_JENKS, 3, br, &k, &err), COR_OK);
    CHECK_INT(k, 3);
    CHECK_NEAR(br[0], 1, 0);
    CHECK_NEAR(br[1], 10, 0);
    CHECK_NEAR(br[2], 30, 0);
    CHECK_NEAR(br[3], 31, 0);
    /* Jenks against brute force over all splits: random series of 13 values, k = 2..5 */
    unsigned seed = 12345;
    for (int trial = 0; trial < 12; trial++) {
        double v[13];
        for (int i = 0; i < 13; i++) {
            seed = seed * 1103515245u + 12345u;
            v[i] = (double)((seed >> 8) % 1000) / 10.0 + (i % 3 == 0 ? 50 * trial : 0);
        }
        qsort(v, 13, sizeof *v, cmp_d);
        size_t nd = 0;
        for (int i = 0; i < 13; i++)
            if (!nd || v[i] != v[nd - 1])
                v[nd++] = v[i];
        for (int kk = 2; kk <= 5; kk++) {
            size_t cut[8];
            double oracle = best_split(v, nd, kk, cut, 0, 1);
            CHECK_INT(cor_classify(v, nd, COR_CLASSIFY_JENKS, kk, br, &k, &err), COR_OK);
            CHECK_INT(k, kk);
            /* the partition the breaks make, and its cost */
            size_t got_cut[8], c = 0;
            for (size_t i = 1; i < nd; i++)
                if (cor_classify_index(br, k, v[i]) != cor_classify_index(br, k, v[i - 1]))
                    got_cut[c++] = i;
            CHECK_INT(c, (size_t)kk - 1);
            if (c == (size_t)kk - 1)
                CHECK_NEAR(ssd_split(v, nd, got_cut, kk), oracle, 1e-9 * (1 + oracle));
        }
    }
    /* fewer distinct values than classes: one class per value */
    double few[] = { 5, 7, NAN, 5, 7, 7 };
    for (int meth = 0; meth <= 2; meth++) {
        CHECK_INT(cor_classify(few, 6, (cor_classify_method)meth, 5, br, &k, &err), COR_OK);
        CHECK_INT(k, 2);
        CHECK_NEAR(br[0], 5, 0);
        CHECK_NEAR(br[1], 7, 0);
        CHECK_INT(cor_classify_index(br, k, 5), 0);
        CHECK_INT(cor_classify_index(br, k, 7), 1);
    }
    double one[] = { 4, 4 };
    CHECK_INT(cor_classify(one, 2, COR_CLASSIFY_JENKS, 3, br, &k, &err), COR_OK);
    CHECK_INT(k, 1);
    CHECK_INT(cor_classify_index(br, k, 4), 0);
    /* bad input */
    double nan1[] = { NAN };
    err = COR_ERROR_INIT;
    CHECK_INT(cor_classify(nan1, 1, COR_CLASSIFY_EQUAL, 3, br, &k, &err), COR_ERR_INPUT);
    err = COR_ERROR_INIT;
    CHECK_INT(cor_classify(eq, 5, COR_CLASSIFY_EQUAL, 13, br, &k, &err), COR_ERR_CONFIG);
    CHECK_INT(cor_classify_method_from_name("jenks"), COR_CLASSIFY_JENKS);
    CHECK_INT(cor_classify_method_from_name("quantile"), COR_CLASSIFY_QUANTILE);
    CHECK_INT(cor_classify_method_from_name("equal"), COR_CLASSIFY_EQUAL);
    CHECK_INT(cor_classify_method_from_name("kmeans"), -1);
    /* ramps: ColorBrewer end points, the diverging midpoint */
    double rgb[3];
    CHECK(cor_ramp_color("YlOrRd", 0, 0, rgb));
    CHECK_NEAR(rgb[0] * 255, 0xff, 1e-9);
    CHECK_NEAR(rgb[2] * 255, 0xcc, 1e-9);
    CHECK(cor_ramp_color("YlOrRd", 1, 1, rgb)); /* reversed: the light end */
    CHECK_NEAR(rgb[1] * 255, 0xff, 1e-9);
    CHECK(cor_ramp_color("RdBu", 0.5, 0, rgb));
    CHECK_NEAR(rgb[0] * 255, 0xf7, 1e-9);
    CHECK(cor_ramp_color("viridis", 1, 0, rgb));
    CHECK_NEAR(rgb[0] * 255, 0xfd, 1e-9);
    CHECK(cor_ramp_diverging("PuOr") && !cor_ramp_diverging("Blues"));
    CHECK(!cor_ramp_color("Jet", 0.5, 0, rgb));
    /* style errors name the JSON path */
    expect_style_error("{\"themes\": {\"access\": {\"ramp\": \"jet\"}}, \"layers\": [{\"id\": "
                       "\"a\", \"type\": \"line\", \"role\": \"rail\"}]}",
                       "themes.access.ramp: \"jet\" is not a known ramp");
    expect_style_error("{\"themes\": {\"sites\": {\"classify\": \"kmeans\"}}, \"layers\": "
                       "[{\"id\": \"a\", \"type\": \"line\", \"role\": \"rail\"}]}",
                       "themes.sites.classify");
    expect_style_error("{\"themes\": {\"corridors\": {\"width\": [3, 1]}}, \"layers\": "
                       "[{\"id\": \"a\", \"type\": \"line\", \"role\": \"rail\"}]}",
                       "themes.corridors.width");
}

/* ---- thematic themes on the bundled dataset -------------------------------------------------- */

/* A delta.gpkg as `corridor scenario` writes it (the contract: layer delta with
 * <measure>_before/_after/_change per origin, optional scenario_lines). */
static const char *scenario_fixture(void)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", td_tmp("delta.gpkg"));
    const td_feature delta[] = {
        { "POINT (116.45 39.80)", { "name=北京经开区", "nearest_min_before=95", "nearest_min_after=70",
                                    "nearest_min_change=-25" } },
        { "POINT (116.30 40.00)", { "name=中关村", "nearest_min_before=110", "nearest_min_after=92",
                                    "nearest_min_change=-18" } },
        { "POINT (116.70 39.55)", { "name=廊坊开发区", "nearest_min_before=60", "nearest_min_after=52",
                                    "nearest_min_change=-8" } },
        { "POINT (117.20 39.10)", { "name=天津滨海", "nearest_min_before=20", "nearest_min_after=20",
                                    "nearest_min_change=0" } },
        { "POINT (115.50 38.90)", { "name=保定", "nearest_min_before=150", "nearest_min_after=156",
                                    "nearest_min_change=6" } },
        { "POINT (114.50 38.05)", { "name=石家庄", "nearest_min_before=200", "nearest_min_after=212",
                                    "nearest_min_change=12" } },
    };
    const td_feature lines[] = {
        { "LINESTRING (116.40 39.90, 116.90 39.50, 117.70 39.00)",
          { "name=京滨城际延长", "mode=rail", "class=highspeed", "speed_kmh=250" } },
        { "LINESTRING (115.50 38.90, 116.40 39.50)",
          { "name=新高速", "mode=road", "class=major_highway", "speed_kmh=120" } },
    };
    int ok = td_layer(path, "delta", "EPSG:4326", delta, 6) &&
             td_layer(path, "scenario_lines", "EPSG:4326", lines, 2);
    CHECK(ok);
    return path;
}

static const char *sites_fixture(void)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", td_tmp("sites.gpkg"));
    const td_feature sites[] = {
        { "POINT (116.50 39.75)", { "name=A", "total=0.82" } },
        { "POINT (117.10 39.10)", { "name=B", "total=0.74" } },
        { "POINT (115.45 38.87)", { "name=C", "total=0.55" } },
        { "POINT (114.50 38.05)", { "name=D", "total=0.41" } },
        { "POINT (118.15 39.63)", { "name=E", "total=0.66" } },
        { "POINT (116.70 39.52)", { "name=F", "total=0.30" } },
    };
    CHECK(td_layer(path, "sites", "EPSG:4326", sites, 6));
    return path;
}

static int legend_has(const cor_map *m, const char *needle)
{
    cor_map_info info;
    cor_map_get_info(m, &info);
    for (size_t i = 0; i < info.legend_items; i++) {
        cor_map_legend_item it;
        cor_map_legend_get(m, i, &it);
        if (strstr(it.text, needle))
            return 1;
    }
    return 0;
}

static void test_themes(void)
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
    const char *delta = scenario_fixture(), *sites = sites_fixture();
    static const struct {
        const char *theme, *golden, *legend;
        int needs_file;
    } T[] = {
        { "access", "bundled_access", "到最近港口的时间", 0 },
        { "isochrone", "bundled_isochrone", "出行时间", 0 },
        { "corridors", "bundled_corridors", "走廊流量", 0 },
        { "sites", "bundled_sites", "综合得分", 1 },
        { "scenario", "bundled_scenario", "变化", 1 },
    };
    for (size_t t = 0; t < sizeof T / sizeof T[0]; t++) {
        cor_map_opts o = COR_MAP_OPTS_DEFAULT;
        o.theme = T[t].theme;
        o.width_px = 600;
        o.height_px = 450;
        if (!strcmp(T[t].theme, "sites"))
            o.theme_data = sites;
        if (!strcmp(T[t].theme, "scenario"))
            o.theme_data = delta;
        err = COR_ERROR_INIT;
        cor_map *m = cor_map_create(ds, st, &o, &err);
        CHECK(m != NULL);
        if (!m) {
            fprintf(stderr, "theme %s: %s\n", T[t].theme, err.msg);
            continue;
        }
        cor_map_theme_info ti;
        cor_map_get_theme(m, &ti);
        CHECK(ti.features > 0);
        CHECK(ti.n_classes >= 2);
        CHECK(ti.breaks[0] < ti.breaks[ti.n_classes]);
        CHECK(legend_has(m, T[t].legend));
        CHECK(!ti.inset); /* the whole region: no locator */
        if (!strcmp(T[t].theme, "isochrone")) {
            CHECK_INT(ti.n_classes, 4); /* one class per band */
            CHECK_NEAR(ti.breaks[0], 30, 0);
            CHECK_NEAR(ti.breaks[3], 120, 0);
            CHECK(legend_has(m, "≤ 30 分钟"));
            CHECK(legend_has(m, "90–120 分钟"));
        }
        if (!strcmp(T[t].theme, "access")) {
            CHECK_STR_CONTAINS(ti.field, "nearest_min");
            CHECK_INT(ti.method, COR_CLASSIFY_JENKS);
            CHECK(legend_has(m, "分钟"));
        }
        if (!strcmp(T[t].theme, "corridors"))
            CHECK(legend_has(m, "园区（按产业链）"));
        if (!strcmp(T[t].theme, "sites")) {
            CHECK_INT(ti.method, COR_CLASSIFY_QUANTILE);
            CHECK_NEAR(ti.breaks[0], 0.30, 1e-12);
            CHECK_NEAR(ti.breaks[ti.n_classes], 0.82, 1e-12);
        }
        if (!strcmp(T[t].theme, "scenario")) {
            CHECK_STR_CONTAINS(ti.field, "nearest_min_change");
            CHECK_NEAR(ti.breaks[0], -25, 0);
            CHECK_NEAR(ti.breaks[ti.n_classes], 12, 0);
            CHECK(legend_has(m, "情景线路：铁路"));
            CHECK(legend_has(m, "情景线路：公路"));
        }
        char name[64];
        snprintf(name, sizeof name, "theme_%s.png", T[t].theme);
        const char *png = td_tmp(name);
        CHECK_INT(cor_map_write(m, png, &err), COR_OK);
        check_golden(png, T[t].golden);
        unlink(png);
        cor_map_destroy(m);
    }
    /* a smaller extent shows the locator inset */
    cor_map_opts o = COR_MAP_OPTS_DEFAULT;
    o.theme = "scenario";
    o.theme_data = delta;
    o.width_px = 600;
    o.height_px = 450;
    o.extent_name = "Beijing";
    o.classify = COR_CLASSIFY_EQUAL;
    o.classes = 4;
    err = COR_ERROR_INIT;
    cor_map *m = cor_map_create(ds, st, &o, &err);
    CHECK(m != NULL);
    if (m) {
        cor_map_theme_info ti;
        cor_map_get_theme(m, &ti);
        CHECK(ti.inset);
        CHECK_INT(ti.n_classes, 4);
        CHECK_NEAR(ti.breaks[1], -25 + 37 / 4.0, 1e-9);
        const char *png = td_tmp("theme_inset.png");
        CHECK_INT(cor_map_write(m, png, &err), COR_OK);
        check_golden(png, "bundled_scenario_beijing");
        unlink(png);
    }
    cor_map_destroy(m);
    /* errors: sites without a file, a wrong layer, a missing field, unknown theme */
    static const struct { const char *theme, *data, *field, *needle; } E[] = {
        { "sites", NULL, NULL, "needs --results" },
        { "scenario", NULL, NULL, "needs --results" },
        { "access", NULL, NULL, "no layer 'access'" }, /* data: the sites file */
        { "sites", NULL, "nosuch", "no field 'nosuch'" },
        { "choropleth", NULL, NULL, "unknown theme 'choropleth'" },
    };
    for (size_t i = 0; i < sizeof E / sizeof E[0]; i++) {
        o = COR_MAP_OPTS_DEFAULT;
        o.theme = E[i].theme;
        o.width_px = 400;
        o.height_px = 300;
        o.theme_data = i >= 2 && i <= 3 ? sites : NULL;
        o.theme_field = E[i].field;
        err = COR_ERROR_INIT;
        m = cor_map_create(ds, st, &o, &err);
        CHECK(m == NULL);
        CHECK_STR_CONTAINS(err.msg, E[i].needle);
        cor_map_destroy(m);
    }
    unlink(delta);
    unlink(sites);
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
    RUN(test_classify);
    RUN(test_themes);
    return check_summary();
}
