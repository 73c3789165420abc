/* bench_render: the map engine against a plain Cairo floor on the generated road network.
 *
 *   bench_render ROADS.gpkg [OUT_DIR] [SIZE]
 *
 * Engine: cor_dataset_open + cor_map_create + cor_map_write with a one-layer style (the roads
 * as 0.5 pt dark lines; furniture as in any map) to a SIZE x SIZE PNG (default 4096).
 * Floor: the same lines read with plain OGR calls, transformed to the engine's working CRS
 * with OSR, fitted to the same page and stroked with Cairo directly (one path, one stroke),
 * written as PNG. Both timers cover open, read, transform, draw and the PNG write.
 * Prints: engine_s=... floor_s=... ratio=... (target: ratio <= 1.3). */
#include "corridor/render.h"

#include <cairo.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char STYLE[] =
    "{\"name\": \"bench\", \"graticule\": {\"show\": false},"
    " \"layers\": [{\"id\": \"roads\", \"type\": \"line\", \"role\": \"road\","
    " \"stroke\": \"#333333\", \"width\": 0.5}]}";

typedef struct {
    double *xy;
    size_t n, cap;
    size_t *start;
    size_t n_lines, cap_lines;
} runs;

static int push_pt(runs *r, double x, double y)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 1 << 20;
        double *p = realloc(r->xy, nc * 2 * sizeof *p);
        if (!p)
            return 0;
        r->xy = p;
        r->cap = nc;
    }
    r->xy[2 * r->n] = x;
    r->xy[2 * r->n + 1] = y;
    r->n++;
    return 1;
}

static int push_line(runs *r)
{
    if (r->n_lines + 1 >= r->cap_lines) {
        size_t nc = r->cap_lines ? 2 * r->cap_lines : 1 << 16;
        size_t *p = realloc(r->start, nc * sizeof *p);
        if (!p)
            return 0;
        r->start = p;
        r->cap_lines = nc;
    }
    r->start[r->n_lines++] = r->n;
    return 1;
}

static int add_geom(runs *r, OGRGeometryH g)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n > 0 && wkbFlatten(OGR_G_GetGeometryType(g)) != wkbLineString) {
        for (int i = 0; i < n; i++)
            if (!add_geom(r, OGR_G_GetGeometryRef(g, i)))
                return 0;
        return 1;
    }
    int np = OGR_G_GetPointCount(g);
    if (np < 2 || !push_line(r))
        return np < 2;
    for (int i = 0; i < np; i++)
        if (!push_pt(r, OGR_G_GetX(g, i), OGR_G_GetY(g, i)))
            return 0;
    return 1;
}

/* The floor: plain OGR + OSR + Cairo. Draws into the frame the engine used (frame_px) with the
 * same view, so both strokes cover the same pixels. */
static double floor_run(const char *path, const char *crs, const cor_map_info *info, int size,
                        const char *out, size_t *n_lines)
{
    double t0 = now_s();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return -1;
    OGRLayerH L = GDALDatasetGetLayerByName(ds, "roads");
    if (!L)
        L = GDALDatasetGetLayer(ds, 0);
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    OSRSetFromUserInput(dst, crs);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH src = OSRClone(OGR_L_GetSpatialRef(L));
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    runs r = { 0 };
    OGRFeatureH f;
    OGR_L_ResetReading(L);
    while ((f = OGR_L_GetNextFeature(L))) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g)
            add_geom(&r, g);
        OGR_F_Destroy(f);
    }
    push_line(&r);
    r.n_lines--;
    r.start[r.n_lines] = r.n;
    /* transform in place, in batches */
    enum { B = 65536 };
    double *xs = malloc(B * sizeof *xs), *ys = malloc(B * sizeof *ys);
    for (size_t i = 0; i < r.n; i += B) {
        size_t k = r.n - i < B ? r.n - i : B;
        for (size_t j = 0; j < k; j++) {
            xs[j] = r.xy[2 * (i + j)];
            ys[j] = r.xy[2 * (i + j) + 1];
        }
        OCTTransform(ct, (int)k, xs, ys, NULL);
        for (size_t j = 0; j < k; j++) {
            r.xy[2 * (i + j)] = xs[j];
            r.xy[2 * (i + j) + 1] = ys[j];
        }
    }
    free(xs);
    free(ys);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size, size);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double fx = info->frame_px[0], fy = info->frame_px[1], sc = 1.0 / info->m_per_px;
    cairo_rectangle(cr, fx, fy, info->frame_px[2], info->frame_px[3]);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.5 * info->dpi / 72.0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t l = 0; l < r.n_lines; l++)
        for (size_t i = r.start[l]; i < r.start[l + 1]; i++) {
            double px = fx + (r.xy[2 * i] - info->view.min_x) * sc;
            double py = fy + (info->view.max_y - r.xy[2 * i + 1]) * sc;
            if (i == r.start[l])
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
    cairo_stroke(cr);
    cairo_surface_write_to_png(s, out);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    double dt = now_s() - t0;
    *n_lines = r.n_lines;
    free(r.xy);
    free(r.start);
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    GDALClose(ds);
    return dt;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_render ROADS.gpkg [OUT_DIR] [SIZE]\n");
        return 2;
    }
    const char *dir = argc > 2 ? argv[2] : ".";
    int size = argc > 3 ? atoi(argv[3]) : 4096;
    char out_e[1024], out_f[1024];
    snprintf(out_e, sizeof out_e, "%s/bench_render_engine.png", dir);
    snprintf(out_f, sizeof out_f, "%s/bench_render_floor.png", dir);
    GDALAllRegister();
    cor_error err = COR_ERROR_INIT;
    cor_style *st = cor_style_parse(STYLE, "bench style", &err);
    if (!st) {
        fprintf(stderr, "bench_render: %s\n", err.msg);
        return 1;
    }
    double t0 = now_s();
    cor_dataset *ds = cor_dataset_open(argv[1], NULL, &err);
    cor_map_opts o = COR_MAP_OPTS_DEFAULT;
    o.width_px = o.height_px = size;
    o.title = "bench";
    o.subtitle = "";
    cor_map *m = ds ? cor_map_create(ds, st, &o, &err) : NULL;
    if (!m || cor_map_write(m, out_e, &err) != COR_OK) {
        fprintf(stderr, "bench_render: %s\n", err.msg);
        cor_map_destroy(m);
        cor_dataset_close(ds);
        cor_style_destroy(st);
        return 1;
    }
    double te = now_s() - t0;
    cor_map_info info;
    cor_map_get_info(m, &info);
    char crs[200];
    snprintf(crs, sizeof crs, "%s", cor_dataset_working_crs(ds));
    cor_map_destroy(m);
    cor_dataset_close(ds);
    cor_style_destroy(st);
    size_t n_lines = 0;
    double tf = floor_run(argv[1], crs, &info, size, out_f, &n_lines);
    if (tf < 0) {
        fprintf(stderr, "bench_render: %s: cannot open\n", argv[1]);
        return 1;
    }
    printf("bench_render: %dx%d px, %zu lines, crs %s: engine_s=%.2f floor_s=%.2f "
           "ratio=%.2f (target <= 1.3)\n", size, size, n_lines, crs, te, tf, te / tf);
    return 0;
}
