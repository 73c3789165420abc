/* test_load.c: loading through GDAL and reprojection through PROJ: formats, CRS choice,
 * lengths against geodesic values, and bad input (missing file, no CRS, NaN, invalid). */
#include "check.h"
#include "corridor/dataset.h"
#include "testdata.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <geodesic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static double geodesic_m(double lon1, double lat1, double lon2, double lat2)
{
    struct geod_geodesic gd;
    geod_init(&gd, 6378137.0, 1 / 298.257222101); /* CGCS2000 ellipsoid */
    double s12 = 0;
    geod_inverse(&gd, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

/* Projected lengths in the working CRS agree with geodesic lengths within 0.5 % everywhere in
 * the region: segment by segment and over whole lines (corners included). */
static void test_lengths_vs_geodesic(void)
{
    const char *p = td_tmp("lengths.gpkg");
    /* Each line: 71 points in 0.1-degree steps from (lon0, lat0) by (dlon, dlat). */
    static const double L[][4] = {
        { 113.1, 35.9, 0.1, 0.0 },   /* along the southern edge, 113.1 .. 120.1 E */
        { 113.1, 42.6, 0.1, 0.0 },   /* along the northern edge */
        { 113.1, 35.9, 0.0, 0.095 }, /* the western edge, 35.9 .. 42.6 N */
        { 120.4, 35.9, 0.0, 0.095 }, /* the eastern edge */
        { 113.1, 35.9, 0.1, 0.095 }, /* the diagonal */
    };
    enum { NL = sizeof L / sizeof L[0], NP = 71 };
    td_feature f[NL];
    char *wkt[NL];
    for (int i = 0; i < NL; i++) {
        wkt[i] = malloc(NP * 40 + 32);
        strcpy(wkt[i], "LINESTRING(");
        for (int k = 0; k < NP; k++) {
            char pt[48];
            snprintf(pt, sizeof pt, "%s%.6f %.6f", k ? "," : "", L[i][0] + k * L[i][2],
                     L[i][1] + k * L[i][3]);
            strcat(wkt[i], pt);
        }
        strcat(wkt[i], ")");
        f[i] = (td_feature){ wkt[i], { "class=road" } };
    }
    CHECK(td_layer(p, "roads", "EPSG:4326", f, NL));
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    CHECK(ds != NULL);
    if (ds) {
        CHECK(!strcmp(cor_dataset_working_crs(ds), "EPSG:4548"));
        const cor_lines *l = cor_dataset_lines(ds, COR_ROLE_ROAD, &err);
        CHECK(l && l->n_lines == NL);
        double worst = 0;
        for (size_t i = 0; l && i < l->n_lines; i++) {
            double proj = 0, geo = 0;
            for (size_t k = l->start[i]; k + 1 < l->start[i + 1]; k++) {
                double d = hypot(l->xy[2 * k + 2] - l->xy[2 * k], l->xy[2 * k + 3] - l->xy[2 * k + 1]);
                int j = (int)(k - l->start[i]);
                double g = geodesic_m(L[i][0] + j * L[i][2], L[i][1] + j * L[i][3],
                                      L[i][0] + (j + 1) * L[i][2], L[i][1] + (j + 1) * L[i][3]);
                worst = fmax(worst, fabs(d / g - 1));
                proj += d;
                geo += g;
            }
            CHECK(fabs(proj / geo - 1) < 0.005);
        }
        CHECK(worst < 0.005);
        fprintf(stderr, "   worst segment length error in EPSG:4548: %.3f %%\n", 100 * worst);
    }
    cor_dataset_close(ds);
    for (int i = 0; i < NL; i++)
        free(wkt[i]);
    unlink(p);
}

/* Outside Jing-Jin-Ji a local transverse Mercator is chosen; --crs overrides; a geographic
 * CRS is refused as a working CRS. */
static void test_crs_choice(void)
{
    const char *p = td_tmp("vaduz.gpkg");
    td_feature f[] = { { "LINESTRING(9.50 47.10, 9.55 47.16)", { NULL } } };
    CHECK(td_layer(p, "roads", "EPSG:4326", f, 1));
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    CHECK(ds != NULL);
    if (ds) {
        CHECK_STR_CONTAINS(cor_dataset_working_crs(ds), "+proj=tmerc");
        CHECK_STR_CONTAINS(cor_dataset_working_crs(ds), "+lon_0=9.525");
        const cor_lines *l = cor_dataset_lines(ds, COR_ROLE_ROAD, &err);
        double d = hypot(l->xy[2] - l->xy[0], l->xy[3] - l->xy[1]);
        CHECK_NEAR(d / geodesic_m(9.50, 47.10, 9.55, 47.16), 1.0, 0.001);
    }
    cor_dataset_close(ds);
    cor_open_opts o = COR_OPEN_OPTS_DEFAULT;
    o.crs = "EPSG:32632";
    ds = cor_dataset_open(p, &o, &err);
    CHECK(ds && !strcmp(cor_dataset_working_crs(ds), "EPSG:32632"));
    cor_dataset_close(ds);
    o.crs = "EPSG:4326";
    err = COR_ERROR_INIT;
    ds = cor_dataset_open(p, &o, &err);
    CHECK(ds == NULL);
    CHECK_STR_CONTAINS(err.msg, "not a projected CRS");
    o.crs = "EPSG:999999";
    err = COR_ERROR_INIT;
    CHECK(cor_dataset_open(p, &o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "EPSG:999999");
    unlink(p);
}

static void test_bad_input(void)
{
    cor_error err = COR_ERROR_INIT;
    CHECK(cor_dataset_open("/nonexistent/dir/x.gpkg", NULL, &err) == NULL);
    CHECK_INT(err.code, COR_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent/dir/x.gpkg: no such file");

    /* Not a vector source */
    const char *txt = td_tmp("junk.gpkg");
    FILE *fp = fopen(txt, "w");
    fputs("not a geopackage\n", fp);
    fclose(fp);
    err = COR_ERROR_INIT;
    CHECK(cor_dataset_open(txt, NULL, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "cannot open as a vector data source");
    unlink(txt);

    /* A role layer without a CRS */
    const char *p = td_tmp("nocrs.gpkg");
    td_feature f[] = { { "LINESTRING(0 0, 1 1)", { NULL } } };
    CHECK(td_layer(p, "roads", NULL, f, 1));
    err = COR_ERROR_INIT;
    CHECK(cor_dataset_open(p, NULL, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "layer 'roads' has no CRS");
    unlink(p);

    /* Empty, degenerate, NaN and out-of-range geometries are skipped and counted. */
    p = td_tmp("dirty.gpkg");
    td_feature d[] = {
        { "LINESTRING(116.0 39.0, 116.1 39.1)", { NULL } },
        { "LINESTRING EMPTY", { NULL } },
        { NULL, { NULL } },
        { "LINESTRING(116.0 39.0, 116.0 39.0)", { NULL } },
        { "LINESTRING(116.0 39.0, 200.0 39.1)", { NULL } },
        { "LINESTRING NAN", { NULL } },
        { "MULTILINESTRING((116.2 39.0, 116.3 39.1),(116.3 39.1, 116.4 39.2))", { NULL } },
        { "POINT(116 39)", { NULL } },
    };
    CHECK(td_layer(p, "roads", "EPSG:4326", d, 8));
    err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    CHECK(ds != NULL);
    if (ds) {
        const cor_lines *l = cor_dataset_lines(ds, COR_ROLE_ROAD, &err);
        const cor_load_stats *s = cor_dataset_load_stats(ds, COR_ROLE_ROAD);
        CHECK_INT(l->n_lines, 3);
        CHECK_INT(s->read, 8);
        CHECK_INT(s->kept, 2);
        CHECK_INT(s->skipped_empty, 2);
        CHECK_INT(s->skipped_degenerate, 1);
        CHECK_INT(s->skipped_nan, 2);
        CHECK_INT(s->skipped_invalid, 1);
    }
    cor_dataset_close(ds);
    unlink(p);
}

/* An invalid (self-intersecting) boundary polygon is repaired with GEOS make-valid. */
static void test_make_valid(void)
{
    const char *p = td_tmp("bowtie.gpkg");
    td_feature f[] = {
        { "POLYGON((116 39, 117 40, 117 39, 116 40, 116 39))", { "name=Bowtie" } },
        { "POLYGON((116 39, 117 39, 117 40, 116 40, 116 39))", { "name=Square" } },
    };
    CHECK(td_layer(p, "provinces", "EPSG:4326", f, 2));
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    const cor_polygons *pg = ds ? cor_dataset_polygons(ds, COR_ROLE_BOUNDARY, &err) : NULL;
    CHECK(pg && pg->n == 2);
    if (pg) {
        const cor_load_stats *s = cor_dataset_load_stats(ds, COR_ROLE_BOUNDARY);
        CHECK_INT(s->repaired, 1);
        CHECK_INT(pg->wkb[0][1], 6); /* the bow-tie becomes a MultiPolygon (WKB type 6) */
    }
    cor_dataset_close(ds);
    unlink(p);
}

/* The same layers through GeoJSON, Shapefile and FlatGeobuf (GDAL drivers) and a CSV of
 * lon/lat columns give the same features. */
static void test_formats(void)
{
    const char *gpkg = td_tmp("fmt.gpkg");
    td_feature roads[] = {
        { "LINESTRING(116.0 39.0, 116.1 39.1)", { "class=major_highway" } },
        { "LINESTRING(116.1 39.1, 116.2 39.0)", { "class=road" } },
    };
    CHECK(td_layer(gpkg, "roads", "EPSG:4326", roads, 2));
    /* A shapefile's layer is named after its file: roads.shp in a directory of its own. */
    char shp[600];
    const char *shpdir = td_tmp("shp");
    mkdir(shpdir, 0700);
    snprintf(shp, sizeof shp, "%s/roads.shp", shpdir);
    const char *outs[] = { td_tmp("roads.geojson"), shp, td_tmp("roads.fgb") };
    for (int i = 0; i < 3; i++) {
        GDALDatasetH src = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
        char *argv[] = { "-nln", "roads", NULL };
        GDALVectorTranslateOptions *vo = GDALVectorTranslateOptionsNew(argv, NULL);
        GDALDatasetH dst = GDALVectorTranslate(outs[i], NULL, 1, &src, vo, NULL);
        GDALVectorTranslateOptionsFree(vo);
        CHECK(dst != NULL);
        GDALClose(dst);
        GDALClose(src);
        cor_error err = COR_ERROR_INIT;
        cor_dataset *ds = cor_dataset_open(outs[i], NULL, &err);
        CHECK(ds != NULL);
        const cor_lines *l = ds ? cor_dataset_lines(ds, COR_ROLE_ROAD, &err) : NULL;
        CHECK(l && l->n_lines == 2);
        if (!l || l->n_lines != 2)
            fprintf(stderr, "   format %s: %s\n", outs[i], err.msg);
        if (l && l->n_lines == 2) /* FlatGeobuf reorders features along its spatial index */
            CHECK(l->cls[0] + l->cls[1] == COR_CLASS_MAJOR_HIGHWAY + COR_CLASS_ROAD &&
                  l->cls[0] != l->cls[1]);
        cor_dataset_close(ds);
    }
    /* A CSV with lon/lat columns loads as points in the working CRS. */
    const char *csv = td_tmp("sites.csv");
    FILE *fp = fopen(csv, "w");
    fputs("name,lon,lat,area_ha\nSite A,116.05,39.05,12\nSite B,116.15,39.02,30\n", fp);
    fclose(fp);
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(gpkg, NULL, &err);
    cor_places pts;
    CHECK(ds && cor_dataset_load_point_file(ds, csv, NULL, NULL, &pts, NULL, &err) == COR_OK);
    if (ds && !err.code) {
        CHECK_INT(pts.n, 2);
        CHECK(!strcmp(pts.items[1].name, "Site B"));
        CHECK_NEAR(pts.items[0].lon_deg, 116.05, 1e-9);
        double xy[2] = { 116.05, 39.05 };
        cor_dataset_lonlat_to_xy(ds, xy, 1, &err);
        CHECK_NEAR(pts.items[0].x_m, xy[0], 1e-6);
        cor_places_free(&pts);
    }
    err = COR_ERROR_INIT;
    CHECK(cor_dataset_load_point_file(ds, csv, NULL, "site_name", &pts, NULL, &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "no field 'site_name'");
    cor_dataset_close(ds);
    unlink(csv);
    unlink(gpkg);
    unlink(outs[0]);
    unlink(outs[2]);
    static const char *const ext[] = { "shp", "shx", "dbf", "prj", "cpg" };
    for (int i = 0; i < 5; i++) {
        snprintf(shp, sizeof shp, "%s/roads.%s", shpdir, ext[i]);
        unlink(shp);
    }
    rmdir(shpdir);
}


/* Road lines and their load counts from path, read column by column (GDAL's Arrow stream,
 * where the driver has a fast one) or feature by feature. */
typedef struct { cor_lines l; cor_load_stats s; int ok; } loaded_lines;

static loaded_lines load_roads(const char *path, const cor_config *cfg, int columns)
{
    loaded_lines r;
    memset(&r, 0, sizeof r);
    CPLSetConfigOption("COR_OGR_ARROW", columns ? "YES" : "NO");
    cor_open_opts o = COR_OPEN_OPTS_DEFAULT;
    o.config = cfg;
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(path, &o, &err);
    const cor_lines *l = ds ? cor_dataset_lines(ds, COR_ROLE_ROAD, &err) : NULL;
    if (l) {
        r.l = *l;
        r.l.start = malloc((l->n_lines + 1) * sizeof *r.l.start);
        r.l.xy = malloc((2 * l->n_points + 1) * sizeof *r.l.xy);
        r.l.cls = malloc(l->n_lines + 1);
        r.l.speed_kmh = malloc((l->n_lines + 1) * sizeof *r.l.speed_kmh);
        r.l.fid = malloc((l->n_lines + 1) * sizeof *r.l.fid);
        memcpy(r.l.start, l->start, (l->n_lines + 1) * sizeof *l->start);
        memcpy(r.l.xy, l->xy, 2 * l->n_points * sizeof *l->xy);
        memcpy(r.l.cls, l->cls, l->n_lines);
        memcpy(r.l.speed_kmh, l->speed_kmh, l->n_lines * sizeof *l->speed_kmh);
        memcpy(r.l.fid, l->fid, l->n_lines * sizeof *l->fid);
        r.s = *cor_dataset_load_stats(ds, COR_ROLE_ROAD);
        r.ok = 1;
    } else {
        fprintf(stderr, "   %s: %s\n", path, err.msg);
    }
    cor_dataset_close(ds);
    CPLSetConfigOption("COR_OGR_ARROW", NULL);
    return r;
}

static void free_loaded(loaded_lines *r)
{
    free(r->l.start);
    free(r->l.xy);
    free(r->l.cls);
    free(r->l.speed_kmh);
    free(r->l.fid);
}

/* Both reads give the same lines, bit for bit, and the same counts. */
static int same_lines(const loaded_lines *a, const loaded_lines *b)
{
    const cor_lines *x = &a->l, *y = &b->l;
    cor_load_stats sa = a->s, sb = b->s;
    sa.columnar = sb.columnar = 0;
    if (!a->ok || !b->ok || x->n_lines != y->n_lines || x->n_points != y->n_points ||
        memcmp(&sa, &sb, sizeof sa))
        return 0;
    for (size_t i = 0; i < x->n_lines; i++)
        if (x->cls[i] != y->cls[i] || x->fid[i] != y->fid[i] ||
            memcmp(&x->speed_kmh[i], &y->speed_kmh[i], sizeof x->speed_kmh[i]))
            return 0;
    return !memcmp(x->start, y->start, (x->n_lines + 1) * sizeof *x->start) &&
           !memcmp(x->xy, y->xy, 2 * x->n_points * sizeof *x->xy);
}

/* A GeoPackage is read column by column; that read must give what reading feature by
 * feature gives: nulls, long class values, multi-lines, dropped geometries, ids with gaps,
 * fields that are not used, and an attribute filter. */
static void test_columnar_read(void)
{
    char long_class[101];
    memset(long_class, 'x', 100);
    long_class[100] = '\0';
    memcpy(long_class, "class=", 6);
    const char *p = td_tmp("columns.gpkg");
    td_feature f[] = {
        { "LINESTRING(116.0 39.0, 116.1 39.1, 116.1 39.1, 116.2 39.1)",
          { "class=major_highway", "speed_kmh=100", "name=G1" } },
        { "LINESTRING(116.2 39.1, 116.3 39.0)", { "class=NULL", "speed_kmh=NULL", "name=x" } },
        { "LINESTRING(116.3 39.0, 116.4 39.0)", { long_class, "speed_kmh=-5" } },
        { "MULTILINESTRING((116.4 39.0, 116.5 39.1),(116.5 39.1, 116.5 39.1),(116.5 39.1, "
          "116.6 39.2))", { "class=road", "speed_kmh=30" } },
        { "LINESTRING EMPTY", { "class=road" } },
        { NULL, { "class=road" } },
        { "LINESTRING NAN", { "class=road" } },
        { "POINT(116 39)", { "class=road" } },
        { "LINESTRING(116.6 39.2, 116.7 39.3)", { "class=major_highway", "name=G2" } },
        { "LINESTRING(116.7 39.3, 116.8 39.3)", { "class=major_highway", "speed_kmh=120" } },
        { "LINESTRING Z (116.8 39.3 5, 116.9 39.4 6)", { "class=road" } },
        { "LINESTRING(116.9 39.4, 117.0 39.4)", { "class=road" } },
    };
    CHECK(td_layer(p, "roads", "EPSG:4326", f, 12));
    /* a gap in the ids */
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, "roads") : NULL;
    CHECK(l && OGR_L_DeleteFeature(l, 9) == OGRERR_NONE);
    /* a geometry blob cut short: no geometry for that feature, whichever way it is read */
    OGRLayerH res = ds ? GDALDatasetExecuteSQL(ds, "UPDATE roads SET geom = substr(geom, 1, "
                                               "length(geom) - 8) WHERE fid = 11", NULL, NULL)
                       : NULL;
    if (res)
        GDALDatasetReleaseResultSet(ds, res);
    /* the test means something only where GDAL has the fast column-oriented read */
    CHECK(l && OGR_L_TestCapability(l, OLCFastGetArrowStream));
    GDALClose(ds);

    loaded_lines a = load_roads(p, NULL, 1), b = load_roads(p, NULL, 0);
    CHECK(a.s.columnar && !b.s.columnar);
    CHECK(same_lines(&a, &b));
    CHECK_INT(a.l.n_lines, 7);    /* 3 lines, the multi-line's 2 good parts, 2 more lines */
    CHECK_INT(a.s.read, 11);
    CHECK_INT(a.s.skipped_empty, 3);
    CHECK_INT(a.s.skipped_nan, 1);
    CHECK_INT(a.s.skipped_invalid, 1);
    if (a.ok && a.l.n_lines == 7) {
        CHECK_INT(a.l.fid[5], 10);
        CHECK_INT(a.l.fid[6], 12);
        CHECK_INT(a.l.start[1], 3); /* the repeated point is dropped */
        CHECK(a.l.speed_kmh[0] == 100.0f && isnan(a.l.speed_kmh[1]) && isnan(a.l.speed_kmh[2]));
        CHECK_INT(a.l.cls[0], COR_CLASS_MAJOR_HIGHWAY);
        CHECK_INT(a.l.cls[3], COR_CLASS_ROAD);
    }
    free_loaded(&a);
    free_loaded(&b);

    /* with an attribute filter on a field the reading does not otherwise use */
    cor_error err = COR_ERROR_INIT;
    cor_config *cfg = cor_config_parse(
        "{\"layers\": {\"road\": {\"layer\": \"roads\", \"where\": \"name = 'G1'\", "
        "\"fields\": {\"class\": \"class\", \"speed_kmh\": \"speed_kmh\"}}}}",
        "cfg.json", &err);
    CHECK(cfg != NULL);
    a = load_roads(p, cfg, 1);
    b = load_roads(p, cfg, 0);
    CHECK(same_lines(&a, &b));
    CHECK(!b.s.columnar);
    CHECK_INT(a.l.n_lines, 1);
    CHECK_INT(a.s.read, 1);
    CHECK(a.ok && a.l.n_lines == 1 && a.l.cls[0] == COR_CLASS_MAJOR_HIGHWAY &&
          a.l.speed_kmh[0] == 100.0f);
    free_loaded(&a);
    free_loaded(&b);
    cor_config_destroy(cfg);
    unlink(p);

    /* Two fields whose names differ only in case (a CSV may have them): the one configured
     * as the class field is read, not dropped with the other. */
    const char *csv = td_tmp("case_twins.csv");
    FILE *fp = fopen(csv, "w");
    fputs("WKT,Class,class\n\"LINESTRING (116.0 39.0,116.1 39.1)\",motorway,residential\n", fp);
    fclose(fp);
    char layer[256], json[512];
    snprintf(layer, sizeof layer, "%s", strrchr(csv, '/') + 1);
    *strrchr(layer, '.') = '\0'; /* the CSV's layer is its file's name */
    snprintf(json, sizeof json, "{\"layers\": {\"road\": {\"layer\": \"%s\", \"fields\": "
             "{\"class\": \"Class\"}, \"classes\": {\"motorway\": \"major_highway\"}}}, "
             "\"crs\": \"EPSG:4548\"}", layer);
    err = COR_ERROR_INIT;
    cfg = cor_config_parse(json, "cfg.json", &err);
    CHECK(cfg != NULL);
    a = load_roads(csv, cfg, 1);
    CHECK(a.ok && a.l.n_lines == 1 && a.l.cls[0] == COR_CLASS_MAJOR_HIGHWAY);
    free_loaded(&a);
    cor_config_destroy(cfg);
    unlink(csv);
}

int main(void)
{
    RUN(test_lengths_vs_geodesic);
    RUN(test_crs_choice);
    RUN(test_bad_input);
    RUN(test_columnar_read);
    RUN(test_make_valid);
    RUN(test_formats);
    return check_summary();
}
