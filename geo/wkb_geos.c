/* wkb_geos.c: the drawing-geometry adapter: WKB to plain runs of coordinates with GEOS (_r API),
 * and geodesic lengths and CRS names with PROJ, for the render layer (include/corridor/shapes.h). */
#include "corridor/shapes.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cor_wkb_reader {
    GEOSContextHandle_t h;
    GEOSWKBReader *rd;
    char msg[256];              /* the first GEOS error of the current read */
};

static void on_geos_error(const char *message, void *user)
{
    cor_wkb_reader *r = user;
    if (!r->msg[0])
        snprintf(r->msg, sizeof r->msg, "%s", message);
}

cor_wkb_reader *cor_wkb_reader_create(cor_error *err)
{
    cor_wkb_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->h = GEOS_init_r())) {
        free(r);
        cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(r->h, on_geos_error, r);
    GEOSContext_setNoticeHandler_r(r->h, NULL);
    if (!(r->rd = GEOSWKBReader_create_r(r->h))) {
        cor_wkb_reader_destroy(r);
        cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS WKB reader");
        return NULL;
    }
    return r;
}

void cor_wkb_reader_destroy(cor_wkb_reader *r)
{
    if (!r)
        return;
    if (r->rd)
        GEOSWKBReader_destroy_r(r->h, r->rd);
    GEOS_finish_r(r->h);
    free(r);
}

void cor_shape_free(cor_shape *s)
{
    if (!s)
        return;
    free(s->start);
    free(s->xy);
    free(s->first_ring);
    memset(s, 0, sizeof *s);
}

/* Growable arrays of the shape under construction. */
typedef struct {
    cor_shape *s;
    size_t cap_pts, cap_rings, cap_polys;
    int failed;
} builder;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 8;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = nc;
    return 1;
}

/* Appends one run of coordinates from a coordinate sequence. */
static void add_run(GEOSContextHandle_t h, builder *b, const GEOSCoordSequence *seq)
{
    unsigned int n = 0;
    if (b->failed || !seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n == 0)
        return;
    cor_shape *s = b->s;
    if (!grow((void **)&s->xy, &b->cap_pts, 2 * (s->n_points + n), sizeof(double)) ||
        !grow((void **)&s->start, &b->cap_rings, s->n_rings + 2, sizeof(size_t))) {
        b->failed = 1;
        return;
    }
    if (!GEOSCoordSeq_copyToBuffer_r(h, seq, s->xy + 2 * s->n_points, 0, 0)) {
        b->failed = 1;
        return;
    }
    s->start[s->n_rings] = s->n_points;
    s->n_points += n;
    s->n_rings++;
    s->start[s->n_rings] = s->n_points;
}

/* The highest dimension among the non-empty parts (-1 when all are empty). */
static int max_dim(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    if (GEOSisEmpty_r(h, g) == 1)
        return -1;
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_GEOMETRYCOLLECTION || t == GEOS_MULTIPOINT || t == GEOS_MULTILINESTRING ||
        t == GEOS_MULTIPOLYGON) {
        int d = -1, n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) {
            int di = max_dim(h, GEOSGetGeometryN_r(h, g, i));
            if (di > d)
                d = di;
        }
        return d;
    }
    return GEOSGeom_getDimensions_r(h, g);
}

static void add_parts(GEOSContextHandle_t h, builder *b, const GEOSGeometry *g, int dim)
{
    if (b->failed || GEOSisEmpty_r(h, g) == 1)
        return;
    int t = GEOSGeomTypeId_r(h, g);
    switch (t) {
    case GEOS_POINT:
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        if (GEOSGeom_getDimensions_r(h, g) == dim)
            add_run(h, b, GEOSGeom_getCoordSeq_r(h, g));
        return;
    case GEOS_POLYGON: {
        if (dim != 2)
            return;
        cor_shape *s = b->s;
        if (!grow((void **)&s->first_ring, &b->cap_polys, s->n_polygons + 2, sizeof(size_t))) {
            b->failed = 1;
            return;
        }
        s->first_ring[s->n_polygons] = s->n_rings;
        add_run(h, b, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)));
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; i++)
            add_run(h, b, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)));
        s->n_polygons++;
        s->first_ring[s->n_polygons] = s->n_rings;
        return;
    }
    default: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            add_parts(h, b, GEOSGetGeometryN_r(h, g, i), dim);
    }
    }
}

cor_status cor_wkb_read_shape(cor_wkb_reader *r, const unsigned char *wkb, size_t len,
                              cor_shape *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    r->msg[0] = '\0';
    GEOSGeometry *g = wkb && len ? GEOSWKBReader_read_r(r->h, r->rd, wkb, len) : NULL;
    if (!g)
        return cor_error_set(err, COR_ERR_INPUT, "unreadable WKB geometry%s%s",
                             r->msg[0] ? ": " : "", r->msg);
    int dim = max_dim(r->h, g);
    if (dim < 0) {
        GEOSGeom_destroy_r(r->h, g);
        return COR_OK;
    }
    builder b = { .s = out };
    add_parts(r->h, &b, g, dim);
    if (!b.failed && out->n_points) {
        out->kind = dim == 0 ? COR_SHAPE_POINTS : dim == 1 ? COR_SHAPE_LINES : COR_SHAPE_POLYGONS;
        out->bbox = (cor_bbox){ INFINITY, INFINITY, -INFINITY, -INFINITY };
        for (size_t i = 0; i < out->n_points; i++) {
            double x = out->xy[2 * i], y = out->xy[2 * i + 1];
            out->bbox.min_x = fmin(out->bbox.min_x, x);
            out->bbox.max_x = fmax(out->bbox.max_x, x);
            out->bbox.min_y = fmin(out->bbox.min_y, y);
            out->bbox.max_y = fmax(out->bbox.max_y, y);
        }
        out->label_x = out->xy[0];
        out->label_y = out->xy[1];
        if (dim == 2) {
            GEOSGeometry *p = GEOSPointOnSurface_r(r->h, g);
            double x, y;
            if (p && GEOSisEmpty_r(r->h, p) == 0 && GEOSGeomGetX_r(r->h, p, &x) &&
                GEOSGeomGetY_r(r->h, p, &y)) {
                out->label_x = x;
                out->label_y = y;
            }
            if (p)
                GEOSGeom_destroy_r(r->h, p);
        }
    }
    GEOSGeom_destroy_r(r->h, g);
    if (b.failed) {
        cor_shape_free(out);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading a geometry%s%s",
                             r->msg[0] ? ": " : "", r->msg);
    }
    return COR_OK;
}

/* ---- PROJ: ellipsoid of a CRS, geodesics, names ------------------------------------------ */

static void quiet_log(void *user, int level, const char *msg)
{
    (void)user; (void)level; (void)msg;
}

static PJ_CONTEXT *proj_ctx(cor_error *err)
{
    PJ_CONTEXT *ctx = proj_context_create();
    if (!ctx)
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating a PROJ context");
    else
        proj_log_func(ctx, NULL, quiet_log);
    return ctx;
}

cor_status cor_geodesic_inverse(const char *crs, double lon1_deg, double lat1_deg,
                                double lon2_deg, double lat2_deg, double *s12_m,
                                double *azi1_deg, cor_error *err)
{
    PJ_CONTEXT *ctx = proj_ctx(err);
    if (!ctx)
        return COR_ERR_NOMEM;
    cor_status rc = COR_OK;
    PJ *obj = proj_create(ctx, crs), *ell = NULL;
    double a = 0, inv_f = 0;
    int computed = 0;
    if (!obj)
        rc = cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' is not understood by PROJ", crs);
    else if (!(ell = proj_get_ellipsoid(ctx, obj)) ||
             !proj_ellipsoid_get_parameters(ctx, ell, &a, NULL, &computed, &inv_f) || !(a > 0))
        rc = cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' has no ellipsoid", crs);
    proj_destroy(ell);
    proj_destroy(obj);
    proj_context_destroy(ctx);
    if (rc != COR_OK)
        return rc;
    struct geod_geodesic gd;
    geod_init(&gd, a, inv_f > 0 ? 1.0 / inv_f : 0.0);
    double s12 = NAN, azi1 = NAN;
    geod_inverse(&gd, lat1_deg, lon1_deg, lat2_deg, lon2_deg, &s12, &azi1, NULL);
    if (!isfinite(s12))
        return cor_error_set(err, COR_ERR_INPUT, "no geodesic between (%g, %g) and (%g, %g)",
                             lon1_deg, lat1_deg, lon2_deg, lat2_deg);
    *s12_m = s12;
    if (azi1_deg)
        *azi1_deg = azi1;
    return COR_OK;
}

cor_status cor_crs_name(const char *crs, char *buf, size_t n, cor_error *err)
{
    if (n)
        buf[0] = '\0';
    PJ_CONTEXT *ctx = proj_ctx(err);
    if (!ctx)
        return COR_ERR_NOMEM;
    PJ *obj = proj_create(ctx, crs);
    cor_status rc = COR_OK;
    if (!obj)
        rc = cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' is not understood by PROJ", crs);
    else if (n) {
        const char *name = proj_get_name(obj);
        snprintf(buf, n, "%s", name && *name ? name : crs);
    }
    proj_destroy(obj);
    proj_context_destroy(ctx);
    return rc;
}

/* ---- label points inside polygons -------------------------------------------------------- */

typedef struct { double area, d2, x, y; } piece;

static int by_area(const void *pa, const void *pb)
{
    const piece *a = pa, *b = pb;
    /* areas within 1 % count as equal: then the piece nearest the centre wins */
    double tol = 0.01 * fmax(a->area, b->area);
    if (fabs(a->area - b->area) > tol)
        return a->area > b->area ? -1 : 1;
    return a->d2 < b->d2 ? -1 : a->d2 > b->d2 ? 1 : 0;
}

static int point_of(GEOSContextHandle_t h, const GEOSGeometry *g, double *x, double *y)
{
    GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
    int ok = p && GEOSisEmpty_r(h, p) == 0 && GEOSGeomGetX_r(h, p, x) && GEOSGeomGetY_r(h, p, y);
    if (p)
        GEOSGeom_destroy_r(h, p);
    return ok;
}

cor_status cor_wkb_label_points(cor_wkb_reader *r, const unsigned char *wkb, size_t len,
                                const cor_bbox *clip, int grid, double *xy, size_t cap,
                                size_t *n, cor_error *err)
{
    *n = 0;
    r->msg[0] = '\0';
    GEOSGeometry *g = wkb && len ? GEOSWKBReader_read_r(r->h, r->rd, wkb, len) : NULL;
    if (!g)
        return cor_error_set(err, COR_ERR_INPUT, "unreadable WKB geometry%s%s",
                             r->msg[0] ? ": " : "", r->msg);
    if (max_dim(r->h, g) != 2 || grid < 1 || !cap) {
        GEOSGeom_destroy_r(r->h, g);
        return COR_OK;
    }
    double cx = 0, cy = 0;
    point_of(r->h, g, &cx, &cy);
    piece *pc = calloc((size_t)grid * (size_t)grid, sizeof *pc);
    size_t np = 0;
    double cw = (clip->max_x - clip->min_x) / grid, chh = (clip->max_y - clip->min_y) / grid;
    for (int i = 0; pc && i < grid; i++)
        for (int j = 0; j < grid; j++) {
            double x0 = clip->min_x + i * cw, y0 = clip->min_y + j * chh;
            GEOSGeometry *rect = GEOSGeom_createRectangle_r(r->h, x0, y0, x0 + cw, y0 + chh);
            GEOSGeometry *part = rect ? GEOSIntersection_r(r->h, g, rect) : NULL;
            double x, y, a = 0;
            if (part && GEOSisEmpty_r(r->h, part) == 0 && GEOSArea_r(r->h, part, &a) && a > 0 &&
                point_of(r->h, part, &x, &y))
                pc[np++] = (piece){ a, (x - cx) * (x - cx) + (y - cy) * (y - cy), x, y };
            if (part)
                GEOSGeom_destroy_r(r->h, part);
            if (rect)
                GEOSGeom_destroy_r(r->h, rect);
        }
    GEOSGeom_destroy_r(r->h, g);
    if (!pc)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    qsort(pc, np, sizeof *pc, by_area);
    for (size_t k = 0; k < np && k < cap; k++) {
        xy[2 * k] = pc[k].x;
        xy[2 * k + 1] = pc[k].y;
        (*n)++;
    }
    free(pc);
    return COR_OK;
}
