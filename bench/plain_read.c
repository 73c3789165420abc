/* plain_read: the reference for the network-build benchmark.
 *
 *   plain_read FILE.gpkg [LAYER]
 *
 * Reads every feature of layer "roads" (or LAYER) with plain OGR calls: the geometry's points
 * (OGR_G_GetPointCount + OGR_G_GetPoints into one reused buffer; multi-geometries part by part)
 * and the "class" field as a string, and sums the coordinates so nothing is optimised away.
 * This is the least any loader of the layer has to do, so bench_network's time is compared to it.
 * The timer covers driver registration, open, the read loop and close.
 * Prints: plain_read: features=... points=... time_s=... peak_rss_mb=... checksum=... */
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

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: plain_read FILE.gpkg [LAYER]\n");
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
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
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

    printf("plain_read: features=%" PRIu64 " points=%" PRIu64 " time_s=%.3f peak_rss_mb=%.1f"
           " checksum=%.6f\n",
           features, rd.points, elapsed, peak_rss_mb(), rd.sum + (double)class_chars);
    return 0;
}
