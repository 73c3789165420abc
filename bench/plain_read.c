/* plain_read: the reference for the network-build benchmark.
 *
 *   plain_read [--columns] FILE.gpkg [LAYER]
 *
 * Reads every feature of layer "roads" (or LAYER) with plain OGR calls: the geometry's points
 * (OGR_G_GetPointCount + OGR_G_GetPoints into one reused buffer; multi-geometries part by part)
 * and the "class" field as a string, and sums the coordinates so nothing is optimised away.
 * By default feature by feature (OGR_L_GetNextFeature): the plain OGR read that
 * bench_network's time is compared to. With --columns through GDAL's column-oriented read
 * (OGR_L_GetArrowStream, RFC 86; each WKB geometry parsed by OGR_G_CreateFromWkb), which is
 * how Corridor itself reads a GeoPackage: shown next to the other for reference.
 * The timer covers driver registration, open, the read loop and close.
 * Prints: plain_read: mode=features|columns features=... points=... time_s=... peak_rss_mb=...
 *         checksum=... (the same checksum in both modes) */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1.0;
    return (double)ru.ru_maxrss / 1024.0;   /* Linux: kilobytes */
}

typedef struct {
    double *xy;
    size_t cap;
    uint64_t points;
    double sum;
} reader;

static int read_points(reader *rd, OGRGeometryH geom)
{
    int parts = OGR_G_GetGeometryCount(geom);
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(geom));
    if (t == wkbMultiLineString || t == wkbGeometryCollection || t == wkbMultiPoint ||
        t == wkbPolygon || t == wkbMultiPolygon) {
        for (int i = 0; i < parts; i++)
            if (read_points(rd, OGR_G_GetGeometryRef(geom, i))) return -1;
        return 0;
    }
    int n = OGR_G_GetPointCount(geom);
    if (n <= 0) return 0;
    if ((size_t)n > rd->cap) {
        size_t cap = rd->cap ? rd->cap : 1024;
        while (cap < (size_t)n) cap *= 2;
        double *p = realloc(rd->xy, cap * 2 * sizeof *p);
        if (!p) return -1;
        rd->xy = p;
        rd->cap = cap;
    }
    OGR_G_GetPoints(geom, rd->xy, 2 * sizeof(double), rd->xy + 1, 2 * sizeof(double), NULL, 0);
    double s = 0.0;
    for (int i = 0; i < 2 * n; i++) s += rd->xy[i];
    rd->sum += s;
    rd->points += (uint64_t)n;
    return 0;
}

/* The column-oriented read: batches of the class and geometry columns. Returns 0, or 1 with
 * a message printed. */
static int read_columns(OGRLayerH layer, reader *rd, uint64_t *features, uint64_t *class_chars)
{
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(layer);
    const char *gname = OGR_L_GetGeometryColumn(layer);
    struct ArrowArrayStream st;
    struct ArrowSchema sc;
    char *opts[] = { "INCLUDE_FID=NO", "MAX_FEATURES_IN_BATCH=8192", NULL };
    if (!OGR_L_GetArrowStream(layer, &st, opts)) {
        fprintf(stderr, "plain_read: no column-oriented read: %s\n", CPLGetLastErrorMsg());
        return 1;
    }
    if (st.get_schema(&st, &sc) != 0) {
        fprintf(stderr, "plain_read: no schema: %s\n", st.get_last_error(&st));
        st.release(&st);
        return 1;
    }
    int gi = -1, ci = -1;
    for (int64_t i = 0; i < sc.n_children; i++) {
        const char *name = sc.children[i]->name, *fmt = sc.children[i]->format;
        if (!strcmp(name, *gname ? gname : "wkb_geometry") && !strcmp(fmt, "z"))
            gi = (int)i;
        if (OGR_FD_GetFieldIndex(fd, "class") >= 0 && !strcmp(name, "class") && !strcmp(fmt, "u"))
            ci = (int)i;
    }
    int rc = 0;
    if (gi < 0) {
        fprintf(stderr, "plain_read: no WKB geometry column '%s'\n", gname);
        rc = 1;
    }
    while (!rc) {
        struct ArrowArray a;
        if (st.get_next(&st, &a) != 0) {
            fprintf(stderr, "plain_read: %s\n", st.get_last_error(&st));
            rc = 1;
            break;
        }
        if (!a.release)
            break;
        const struct ArrowArray *g = a.children[gi], *c = ci >= 0 ? a.children[ci] : NULL;
        const int32_t *go = g->buffers[1], *co = c ? c->buffers[1] : NULL;
        const uint8_t *gv = g->buffers[0], *cv = c ? c->buffers[0] : NULL;
        for (int64_t i = 0; i < a.length && !rc; i++) {
            int64_t j = a.offset + i + g->offset;
            if (!gv || (gv[j >> 3] >> (j & 7) & 1)) {
                OGRGeometryH geom = NULL;
                if (OGR_G_CreateFromWkb((const unsigned char *)g->buffers[2] + go[j], NULL, &geom,
                                        go[j + 1] - go[j]) == OGRERR_NONE) {
                    if ((rc = read_points(rd, geom) != 0))
                        fprintf(stderr, "plain_read: out of memory\n");
                    OGR_G_DestroyGeometry(geom);
                }
            }
            if (c) {
                int64_t k = a.offset + i + c->offset;
                if (!cv || (cv[k >> 3] >> (k & 7) & 1))
                    *class_chars += (uint64_t)(co[k + 1] - co[k]);
            }
            (*features)++;
        }
        a.release(&a);
    }
    sc.release(&sc);
    st.release(&st);
    return rc;
}

int main(int argc, char **argv)
{
    int columns = argc > 1 && !strcmp(argv[1], "--columns");
    if (columns) {
        argv++;
        argc--;
    }
    if (argc < 2 || argc > 3 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: plain_read [--columns] FILE.gpkg [LAYER]\n");
        return argc < 2 ? 2 : 0;
    }
    const char *path = argv[1];
    const char *layer_name = argc > 2 ? argv[2] : "roads";

    double t0 = now_s();
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "plain_read: cannot open %s: %s\n", path, CPLGetLastErrorMsg());
        return 1;
    }
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, layer_name);
    if (!layer) {
        fprintf(stderr, "plain_read: %s has no layer '%s'\n", path, layer_name);
        GDALClose(ds);
        return 1;
    }
    int fld_class = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "class");

    reader rd;
    memset(&rd, 0, sizeof rd);
    uint64_t features = 0, class_chars = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    if (columns && read_columns(layer, &rd, &features, &class_chars)) {
        GDALClose(ds);
        return 1;
    }
    while (!columns && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        if (geom && read_points(&rd, geom)) {
            fprintf(stderr, "plain_read: out of memory\n");
            OGR_F_Destroy(f);
            GDALClose(ds);
            return 1;
        }
        if (fld_class >= 0 && OGR_F_IsFieldSetAndNotNull(f, fld_class))
            class_chars += strlen(OGR_F_GetFieldAsString(f, fld_class));
        features++;
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    double elapsed = now_s() - t0;
    free(rd.xy);

    printf("plain_read: mode=%s features=%" PRIu64 " points=%" PRIu64 " time_s=%.3f"
           " peak_rss_mb=%.1f checksum=%.6f\n", columns ? "columns" : "features",
           features, rd.points, elapsed, peak_rss_mb(), rd.sum + (double)class_chars);
    return 0;
}
