/* ops_geos_iso.c: the GEOS adapter (reentrant _r API) for areas grown from buffered line work,
 * points in polygons and WKB measurements (include/corridor/geomops.h). */
#include "corridor/geomops.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char msg[256]; } geos_msg;

struct cor_area {
    GEOSContextHandle_t h;
    geos_msg m;                 /* the context's first error message since the last reset */
    GEOSGeometry *g;            /* NULL while empty; coordinates relative to (ox, oy) */
    double ox, oy;              /* local origin, set by the first lines added */
    int has_origin;
};

static void on_geos_error_r(const char *message, void *user)
{
    geos_msg *m = user;
    if (!m->msg[0])
        snprintf(m->msg, sizeof m->msg, "%s", message);
}

static GEOSContextHandle_t geos_open(geos_msg *m)
{
    GEOSContextHandle_t h = GEOS_init_r();
    if (h) {
        m->msg[0] = '\0';
        GEOSContext_setErrorMessageHandler_r(h, on_geos_error_r, m);
        GEOSContext_setNoticeHandler_r(h, NULL);
    }
    return h;
}

static cor_status geos_fail(cor_error *err, const geos_msg *m, const char *what)
{
    return cor_error_set(err, m->msg[0] ? COR_ERR_INTERNAL : COR_ERR_NOMEM, "GEOS %s failed%s%s",
                         what, m->msg[0] ? ": " : "", m->msg);
}

cor_area *cor_area_create(cor_error *err)
{
    cor_area *a = calloc(1, sizeof *a);
    if (!a || !(a->h = geos_open(&a->m))) {
        free(a);
        cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
        return NULL;
    }
    return a;
}

void cor_area_destroy(cor_area *a)
{
    if (!a)
        return;
    if (a->g)
        GEOSGeom_destroy_r(a->h, a->g);
    GEOS_finish_r(a->h);
    free(a);
}

/* One polyline relative to (ox, oy) as a GEOS line, or a point when it has a single distinct
 * point. Working in local coordinates (a few hundred km instead of millions of metres) keeps
 * the overlay noding robust: with projected northings GEOS falls back to slow snap-rounding
 * retries on dense networks. */
static GEOSGeometry *make_line(GEOSContextHandle_t h, const double *xy, size_t n, double ox,
                               double oy)
{
    int distinct = 0;
    for (size_t i = 1; i < n && !distinct; i++)
        distinct = xy[2 * i] != xy[0] || xy[2 * i + 1] != xy[1];
    if (!distinct)
        return GEOSGeom_createPointFromXY_r(h, xy[0] - ox, xy[1] - oy);
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
    for (size_t i = 0; cs && i < n; i++)
        if (!GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, xy[2 * i] - ox, xy[2 * i + 1] - oy)) {
            GEOSCoordSeq_destroy_r(h, cs);
            cs = NULL;
        }
    return cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
}

static GEOSBufferParams *buffer_params(GEOSContextHandle_t h, const cor_buffer_opts *o)
{
    GEOSBufferParams *bp = GEOSBufferParams_create_r(h);
    if (bp && GEOSBufferParams_setEndCapStyle_r(h, bp, GEOSBUF_CAP_ROUND) &&
        GEOSBufferParams_setJoinStyle_r(h, bp, GEOSBUF_JOIN_ROUND) &&
        GEOSBufferParams_setQuadrantSegments_r(h, bp, o->quadrant_segments > 0
                                                          ? o->quadrant_segments : 8))
        return bp;
    if (bp)
        GEOSBufferParams_destroy_r(h, bp);
    return NULL;
}

/* The buffer of one line (simplified first when asked). */
static GEOSGeometry *buffer_line(GEOSContextHandle_t h, const GEOSBufferParams *bp,
                                 const cor_buffer_opts *o, GEOSGeometry *line)
{
    GEOSGeometry *simple = NULL;
    if (o->simplify_m > 0 && GEOSGeomTypeId_r(h, line) == GEOS_LINESTRING &&
        !(simple = GEOSSimplify_r(h, line, o->simplify_m)))
        return NULL;
    GEOSGeometry *b = GEOSBufferWithParams_r(h, simple ? simple : line, bp, o->buffer_m);
    if (simple)
        GEOSGeom_destroy_r(h, simple);
    return b;
}

/* ---- chaining lines into paths ---------------------------------------------------------------- */
/* The buffer of lines is the union of their buffers, so lines that meet end to end can be
 * buffered as one: fewer, longer lines make the union below much cheaper (a third fewer
 * instructions on the bundled road network). Greedy path cover by exact end points. */

typedef struct {
    size_t n_lines, n_pts, cap_pts, cap_lines;
    size_t *start;
    double *xy;
} chains;

static void chains_free(chains *c)
{
    free(c->start);
    free(c->xy);
}

static int chains_push(chains *c, double x, double y)
{
    if (c->n_pts == c->cap_pts) {
        size_t cap = c->cap_pts ? 2 * c->cap_pts : 1024;
        double *nx = realloc(c->xy, 2 * cap * sizeof *nx);
        if (!nx)
            return 0;
        c->xy = nx;
        c->cap_pts = cap;
    }
    c->xy[2 * c->n_pts] = x;
    c->xy[2 * c->n_pts + 1] = y;
    c->n_pts++;
    return 1;
}

static uint64_t point_hash(double x, double y)
{
    uint64_t a, b;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    h ^= h >> 31;
    return h * 0xBF58476D1CE4E5B9ull;
}

/* End point table: for each of the 2 n ends (line i: 2i start, 2i + 1 end) the next end at the
 * same point, through buckets of an open hash of the points. */
typedef struct {
    size_t n_buckets;
    int64_t *bucket;            /* first end in the bucket, -1 */
    int64_t *next;              /* next end in the same bucket */
} ends;

static const double *end_point(const cor_polylines *in, size_t end)
{
    size_t i = end / 2;
    return in->xy + 2 * ((end & 1) ? in->start[i + 1] - 1 : in->start[i]);
}

/* An unused line with an end at (x, y): returns its end index, or -1. */
static int64_t find_end(const ends *t, const cor_polylines *in, const uint8_t *used, double x,
                        double y)
{
    for (int64_t e = t->bucket[point_hash(x, y) & (t->n_buckets - 1)]; e >= 0;
         e = t->next[e]) {
        const double *p = end_point(in, (size_t)e);
        if (!used[e / 2] && p[0] == x && p[1] == y)
            return e;
    }
    return -1;
}

static int chain_lines(const cor_polylines *in, size_t max_pts, chains *out)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n_lines;
    ends t = { 1, NULL, NULL };
    while (t.n_buckets < 4 * n)
        t.n_buckets *= 2;
    t.bucket = malloc(t.n_buckets * sizeof *t.bucket);
    t.next = malloc((2 * n + 1) * sizeof *t.next);
    uint8_t *used = calloc(n + 1, 1);
    out->start = malloc((n + 1) * sizeof *out->start);
    if (!t.bucket || !t.next || !used || !out->start)
        goto fail;
    for (size_t b = 0; b < t.n_buckets; b++)
        t.bucket[b] = -1;
    for (size_t e = 0; e < 2 * n; e++) {
        used[e / 2] |= in->start[e / 2 + 1] <= in->start[e / 2]; /* empty lines: skip */
        if (used[e / 2])
            continue;
        const double *p = end_point(in, e);
        uint64_t b = point_hash(p[0], p[1]) & (t.n_buckets - 1);
        t.next[e] = t.bucket[b];
        t.bucket[b] = (int64_t)e;
    }
    out->start[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        used[i] = 1;
        size_t first = out->n_pts;
        for (size_t k = in->start[i]; k < in->start[i + 1]; k++)
            if (!chains_push(out, in->xy[2 * k], in->xy[2 * k + 1]))
                goto fail;
        for (int pass = 0; pass < 2; pass++) {
            /* extend at the end; the second pass turns the path round and extends its start */
            if (pass) {
                for (size_t a = first, b = out->n_pts - 1; a < b; a++, b--) {
                    double tx = out->xy[2 * a], ty = out->xy[2 * a + 1];
                    out->xy[2 * a] = out->xy[2 * b];
                    out->xy[2 * a + 1] = out->xy[2 * b + 1];
                    out->xy[2 * b] = tx;
                    out->xy[2 * b + 1] = ty;
                }
            }
            while (out->n_pts - first < max_pts) {
                double x = out->xy[2 * out->n_pts - 2], y = out->xy[2 * out->n_pts - 1];
                int64_t e = find_end(&t, in, used, x, y);
                if (e < 0)
                    break;
                size_t j = (size_t)e / 2, s = in->start[j], m = in->start[j + 1] - s;
                used[j] = 1;
                for (size_t k = 1; k < m; k++) {
                    size_t q = (e & 1) ? s + m - 1 - k : s + k;
                    if (!chains_push(out, in->xy[2 * q], in->xy[2 * q + 1]))
                        goto fail;
                }
            }
        }
        out->start[++out->n_lines] = out->n_pts;
    }
    free(t.bucket);
    free(t.next);
    free(used);
    return 1;
fail:
    free(t.bucket);
    free(t.next);
    free(used);
    chains_free(out);
    return 0;
}

/* Lines meeting end to end are chained into paths; each path is buffered on its own (cheap
 * and robust), then all buffers are united at once by GEOS's cascaded union
 * (GEOSUnaryUnion_r), then united with the area so far. Buffering the whole line work in one
 * GEOS call is several times slower on road networks: its noding of all offset curves
 * together is the costly part. */
cor_status cor_area_add_buffer(cor_area *a, const cor_polylines *lines,
                               const cor_buffer_opts *o, cor_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < lines->n_lines; i++)
        n += lines->start[i + 1] > lines->start[i];
    if (n == 0)
        return COR_OK;
    if (!(o->buffer_m > 0) || n > (size_t)UINT32_MAX)
        return cor_error_set(err, COR_ERR_CONFIG, "bad buffer distance %g m", o->buffer_m);
    GEOSContextHandle_t h = a->h;
    a->m.msg[0] = '\0';
    if (!a->has_origin) {
        const double *p0 = lines->xy + 2 * lines->start[0];
        for (size_t i = 0; i < lines->n_lines; i++)
            if (lines->start[i + 1] > lines->start[i]) {
                p0 = lines->xy + 2 * lines->start[i];
                break;
            }
        a->ox = round(p0[0] / 1000.0) * 1000.0;
        a->oy = round(p0[1] / 1000.0) * 1000.0;
        a->has_origin = 1;
    }
    chains ch;
    if (!chain_lines(lines, 5000, &ch))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    n = ch.n_lines;
    GEOSBufferParams *bp = buffer_params(h, o);
    GEOSGeometry **parts = malloc(n * sizeof *parts);
    if (!bp || !parts) {
        if (bp)
            GEOSBufferParams_destroy_r(h, bp);
        free(parts);
        chains_free(&ch);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    cor_status rc = COR_OK;
    for (size_t i = 0; i < n && rc == COR_OK; i++) {
        size_t s = ch.start[i], e = ch.start[i + 1];
        GEOSGeometry *line = make_line(h, ch.xy + 2 * s, e - s, a->ox, a->oy);
        GEOSGeometry *b = line ? buffer_line(h, bp, o, line) : NULL;
        if (line)
            GEOSGeom_destroy_r(h, line);
        if (!b)
            rc = geos_fail(err, &a->m, "buffer");
        else
            parts[k++] = b;
    }
    GEOSBufferParams_destroy_r(h, bp);
    chains_free(&ch);
    GEOSGeometry *coll = NULL, *u = NULL;
    if (rc == COR_OK) {
        coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)k);
        k = 0; /* the collection owns the parts now, or GEOS freed them on failure */
        if (!coll)
            rc = geos_fail(err, &a->m, "collection");
    }
    for (size_t i = 0; i < k; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    if (rc == COR_OK && !(u = GEOSUnaryUnion_r(h, coll)))
        rc = geos_fail(err, &a->m, "union");
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (rc == COR_OK && a->g) {
        GEOSGeometry *v = GEOSUnion_r(h, a->g, u);
        GEOSGeom_destroy_r(h, u);
        u = v;
        if (!u)
            rc = geos_fail(err, &a->m, "union");
    }
    if (rc == COR_OK) {
        if (a->g)
            GEOSGeom_destroy_r(h, a->g);
        a->g = u;
    }
    return rc;
}

double cor_area_m2(const cor_area *a)
{
    double v = 0;
    if (a->g && GEOSArea_r(a->h, a->g, &v) != 1)
        v = 0;
    return v;
}

int cor_area_is_empty(const cor_area *a)
{
    return !a->g || GEOSisEmpty_r(a->h, a->g) == 1;
}

cor_status cor_area_points_inside(const cor_area *a, const double *xy, size_t n,
                                  uint8_t *inside, cor_error *err)
{
    memset(inside, 0, n);
    if (cor_area_is_empty(a) || n == 0)
        return COR_OK;
    GEOSContextHandle_t h = a->h;
    cor_area *mut = (cor_area *)a; /* only the error buffer changes */
    mut->m.msg[0] = '\0';
    const GEOSPreparedGeometry *p = GEOSPrepare_r(h, a->g);
    if (!p)
        return geos_fail(err, &a->m, "prepare");
    cor_status rc = COR_OK;
    for (size_t i = 0; i < n && rc == COR_OK; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]))
            continue;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, xy[2 * i] - a->ox,
                                                        xy[2 * i + 1] - a->oy);
        char r = pt ? GEOSPreparedIntersects_r(h, p, pt) : 2;
        if (r == 2)
            rc = geos_fail(err, &a->m, "point in polygon");
        else
            inside[i] = r == 1;
        if (pt)
            GEOSGeom_destroy_r(h, pt);
    }
    GEOSPreparedGeom_destroy_r(h, p);
    return rc;
}

/* Little-endian WKB copied into malloc'd memory (GEOS allocates with its own allocator). */
static cor_status write_wkb(GEOSContextHandle_t h, const geos_msg *m, const GEOSGeometry *g,
                            unsigned char **out, size_t *len, cor_error *err)
{
    *out = NULL;
    *len = 0;
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    if (!wr)
        return geos_fail(err, m, "WKB writer");
    GEOSWKBWriter_setByteOrder_r(h, wr, GEOS_WKB_NDR);
    size_t n = 0;
    unsigned char *w = GEOSWKBWriter_write_r(h, wr, g, &n);
    GEOSWKBWriter_destroy_r(h, wr);
    if (!w)
        return geos_fail(err, m, "WKB writing");
    *out = malloc(n ? n : 1);
    if (*out) {
        memcpy(*out, w, n);
        *len = n;
    }
    GEOSFree_r(h, w);
    return *out ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
}

static int shift_back(double *x, double *y, void *user)
{
    const cor_area *a = user;
    *x += a->ox;
    *y += a->oy;
    return 1;
}

cor_status cor_area_wkb(const cor_area *a, unsigned char **wkb, size_t *len, cor_error *err)
{
    GEOSContextHandle_t h = a->h;
    ((cor_area *)a)->m.msg[0] = '\0';
    GEOSGeometry *multi = NULL;
    int t = a->g ? GEOSGeomTypeId_r(h, a->g) : -1;
    if (t < 0 || GEOSisEmpty_r(h, a->g)) {
        multi = GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON);
    } else if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON) {
        GEOSGeometry *c = GEOSGeom_transformXY_r(h, a->g, shift_back, (void *)a);
        if (c && t == GEOS_POLYGON)
            multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &c, 1);
        else
            multi = c;
    } else { /* a collection of polygons (not expected from a buffer union) */
        int n = GEOSGetNumGeometries_r(h, a->g);
        GEOSGeometry **p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
        unsigned k = 0;
        for (int i = 0; p && i < n; i++) {
            const GEOSGeometry *x = GEOSGetGeometryN_r(h, a->g, i);
            GEOSGeometry *c = GEOSGeomTypeId_r(h, x) == GEOS_POLYGON && !GEOSisEmpty_r(h, x)
                                  ? GEOSGeom_transformXY_r(h, x, shift_back, (void *)a)
                                  : NULL;
            if (c)
                p[k++] = c;
        }
        multi = p ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, p, k) : NULL;
        free(p);
    }
    if (!multi)
        return geos_fail(err, &a->m, "MultiPolygon construction");
    cor_status rc = write_wkb(h, &a->m, multi, wkb, len, err);
    GEOSGeom_destroy_r(h, multi);
    return rc;
}

/* ---- WKB helpers ---------------------------------------------------------------------------- */

typedef struct {
    GEOSContextHandle_t h;
    geos_msg m;
    GEOSWKBReader *rd;
} wkb_ctx;

static cor_status ctx_open(wkb_ctx *c, cor_error *err)
{
    if (!(c->h = geos_open(&c->m)))
        return cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
    if (!(c->rd = GEOSWKBReader_create_r(c->h))) {
        GEOS_finish_r(c->h);
        return cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS WKB reader");
    }
    return COR_OK;
}

static void ctx_close(wkb_ctx *c)
{
    GEOSWKBReader_destroy_r(c->h, c->rd);
    GEOS_finish_r(c->h);
}

static GEOSGeometry *ctx_read(wkb_ctx *c, const unsigned char *wkb, size_t len, cor_error *err)
{
    GEOSGeometry *g = GEOSWKBReader_read_r(c->h, c->rd, wkb, len);
    if (!g)
        cor_error_set(err, COR_ERR_INPUT, "unreadable WKB geometry%s%s", c->m.msg[0] ? ": " : "",
                      c->m.msg);
    return g;
}

cor_status cor_wkb_area(const unsigned char *wkb, size_t len, double *area_m2, cor_error *err)
{
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSGeometry *g = ctx_read(&c, wkb, len, err);
    cor_status rc = g ? COR_OK : COR_ERR_INPUT;
    if (g && GEOSArea_r(c.h, g, area_m2) != 1)
        rc = geos_fail(err, &c.m, "area");
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    ctx_close(&c);
    return rc;
}

cor_status cor_wkb_length(const unsigned char *wkb, size_t len, double *length_m,
                          cor_error *err)
{
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSGeometry *g = ctx_read(&c, wkb, len, err);
    cor_status rc = g ? COR_OK : COR_ERR_INPUT;
    *length_m = 0;
    if (g) {
        int t = GEOSGeomTypeId_r(c.h, g);
        if ((t == GEOS_LINESTRING || t == GEOS_MULTILINESTRING || t == GEOS_LINEARRING ||
             t == GEOS_GEOMETRYCOLLECTION) && GEOSLength_r(c.h, g, length_m) != 1)
            rc = geos_fail(err, &c.m, "length");
        GEOSGeom_destroy_r(c.h, g);
    }
    ctx_close(&c);
    return rc;
}

cor_status cor_wkb_bounds(const unsigned char *wkb, size_t len, cor_bbox *out, cor_error *err)
{
    *out = (cor_bbox){ NAN, NAN, NAN, NAN };
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSGeometry *g = ctx_read(&c, wkb, len, err);
    cor_status rc = g ? COR_OK : COR_ERR_INPUT;
    if (g && GEOSisEmpty_r(c.h, g) == 0) {
        if (GEOSGeom_getXMin_r(c.h, g, &out->min_x) != 1 ||
            GEOSGeom_getYMin_r(c.h, g, &out->min_y) != 1 ||
            GEOSGeom_getXMax_r(c.h, g, &out->max_x) != 1 ||
            GEOSGeom_getYMax_r(c.h, g, &out->max_y) != 1)
            rc = geos_fail(err, &c.m, "extent");
    }
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    ctx_close(&c);
    return rc;
}

cor_status cor_wkb_compare(const unsigned char *a, size_t a_len, const unsigned char *b,
                           size_t b_len, int *a_covers_b, double *b_minus_a_m2,
                           cor_error *err)
{
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSGeometry *ga = ctx_read(&c, a, a_len, err);
    GEOSGeometry *gb = ga ? ctx_read(&c, b, b_len, err) : NULL;
    cor_status rc = ga && gb ? COR_OK : COR_ERR_INPUT;
    if (rc == COR_OK) {
        char r = GEOSCovers_r(c.h, ga, gb);
        if (r == 2)
            rc = geos_fail(err, &c.m, "covers");
        else
            *a_covers_b = r == 1;
    }
    if (rc == COR_OK && b_minus_a_m2) {
        GEOSGeometry *d = GEOSDifference_r(c.h, gb, ga);
        if (!d || GEOSArea_r(c.h, d, b_minus_a_m2) != 1)
            rc = geos_fail(err, &c.m, "difference");
        if (d)
            GEOSGeom_destroy_r(c.h, d);
    }
    if (ga)
        GEOSGeom_destroy_r(c.h, ga);
    if (gb)
        GEOSGeom_destroy_r(c.h, gb);
    ctx_close(&c);
    return rc;
}

cor_status cor_wkb_points_inside(const unsigned char *wkb, size_t len, const double *xy,
                                 size_t n, uint8_t *inside, cor_error *err)
{
    memset(inside, 0, n);
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSGeometry *g = ctx_read(&c, wkb, len, err);
    const GEOSPreparedGeometry *p = g ? GEOSPrepare_r(c.h, g) : NULL;
    cor_status rc = g ? COR_OK : COR_ERR_INPUT;
    if (g && !p)
        rc = geos_fail(err, &c.m, "prepare");
    for (size_t i = 0; rc == COR_OK && i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]))
            continue;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(c.h, xy[2 * i], xy[2 * i + 1]);
        char r = pt ? GEOSPreparedIntersects_r(c.h, p, pt) : 2;
        if (r == 2)
            rc = geos_fail(err, &c.m, "point in polygon");
        else
            inside[i] = r == 1;
        if (pt)
            GEOSGeom_destroy_r(c.h, pt);
    }
    if (p)
        GEOSPreparedGeom_destroy_r(c.h, p);
    if (g)
        GEOSGeom_destroy_r(c.h, g);
    ctx_close(&c);
    return rc;
}

/* g as a MultiPolygon (g consumed), or NULL on failure. */
static GEOSGeometry *as_multipolygon(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int t = g ? GEOSGeomTypeId_r(h, g) : -1;
    if (t == GEOS_MULTIPOLYGON || !g)
        return g;
    if (t == GEOS_POLYGON)
        return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &g, 1);
    /* a collection: keep its polygons */
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
    unsigned k = 0;
    for (int i = 0; p && i < n; i++) {
        const GEOSGeometry *x = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, x) == GEOS_POLYGON && !GEOSisEmpty_r(h, x))
            p[k++] = GEOSGeom_clone_r(h, x);
    }
    GEOSGeometry *m = p ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, p, k) : NULL;
    free(p);
    GEOSGeom_destroy_r(h, g);
    return m;
}

cor_status cor_wkb_nest_areas(unsigned char **wkb, size_t *len, size_t n, cor_error *err)
{
    if (n < 2)
        return COR_OK;
    wkb_ctx c;
    if (ctx_open(&c, err))
        return err ? err->code : COR_ERR_NOMEM;
    GEOSContextHandle_t h = c.h;
    cor_status rc = COR_OK;
    GEOSGeometry **area = calloc(n, sizeof *area), **bounds = calloc(n, sizeof *bounds);
    const GEOSPreparedGeometry **prep = calloc(n, sizeof *prep);
    GEOSGeometry *lines = NULL, *noded = NULL, *faces = NULL, **result = calloc(n, sizeof *result);
    GEOSGeometry **mine = NULL;
    int *label = NULL;
    if (!area || !bounds || !prep || !result) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t nb = 0;
    for (size_t k = 0; k < n && rc == COR_OK; k++) {
        if (!(area[k] = ctx_read(&c, wkb[k], len[k], err)))
            rc = COR_ERR_INPUT;
        else if (!(prep[k] = GEOSPrepare_r(h, area[k])))
            rc = geos_fail(err, &c.m, "prepare");
        else if (!GEOSisEmpty_r(h, area[k]) && !(bounds[nb++] = GEOSBoundary_r(h, area[k])))
            rc = geos_fail(err, &c.m, "boundary");
    }
    if (rc != COR_OK)
        goto done;
    if (nb == 0)
        goto done; /* all empty */
    /* node all boundaries together (the collection takes the boundaries) */
    lines = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, bounds, (unsigned)nb);
    memset(bounds, 0, n * sizeof *bounds);
    if (!lines || !(noded = GEOSUnaryUnion_r(h, lines))) {
        rc = geos_fail(err, &c.m, "noding of the boundaries");
        goto done;
    }
    const GEOSGeometry *in[1] = { noded };
    if (!(faces = GEOSPolygonize_r(h, in, 1))) {
        rc = geos_fail(err, &c.m, "polygonize");
        goto done;
    }
    int nf = GEOSGetNumGeometries_r(h, faces);
    label = malloc((size_t)(nf > 0 ? nf : 1) * sizeof *label);
    mine = malloc((size_t)(nf > 0 ? nf : 1) * sizeof *mine);
    if (!label || !mine) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int f = 0; f < nf && rc == COR_OK; f++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(h, GEOSGetGeometryN_r(h, faces, f));
        if (!pt) {
            rc = geos_fail(err, &c.m, "point on surface");
            break;
        }
        label[f] = (int)n; /* in no area */
        for (size_t k = 0; k < n; k++) {
            char r = GEOSPreparedIntersects_r(h, prep[k], pt);
            if (r == 2)
                rc = geos_fail(err, &c.m, "point in polygon");
            if (r == 1) {
                label[f] = (int)k;
                break;
            }
        }
        GEOSGeom_destroy_r(h, pt);
    }
    for (size_t k = 0; k < n && rc == COR_OK; k++) {
        unsigned m = 0;
        for (int f = 0; f < nf; f++)
            if (label[f] <= (int)k)
                mine[m++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, faces, f));
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, mine, m);
        GEOSGeometry *u = m == 0 ? GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON)
                         : coll ? GEOSCoverageUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        if (!(result[k] = as_multipolygon(h, u)))
            rc = geos_fail(err, &c.m, "coverage union");
    }
    /* all or nothing: the new WKB goes into out_wkb first */
    unsigned char **out_wkb = rc == COR_OK ? calloc(n, sizeof *out_wkb) : NULL;
    size_t *out_len = rc == COR_OK ? calloc(n, sizeof *out_len) : NULL;
    if (rc == COR_OK && (!out_wkb || !out_len))
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n && rc == COR_OK; k++)
        rc = write_wkb(h, &c.m, result[k], &out_wkb[k], &out_len[k], err);
    for (size_t k = 0; out_wkb && k < n; k++) {
        if (rc == COR_OK) {
            free(wkb[k]);
            wkb[k] = out_wkb[k];
            len[k] = out_len[k];
        } else {
            free(out_wkb[k]);
        }
    }
    free(out_wkb);
    free(out_len);
done:
    for (size_t k = 0; k < n; k++) {
        if (prep && prep[k])
            GEOSPreparedGeom_destroy_r(h, prep[k]);
        if (area && area[k])
            GEOSGeom_destroy_r(h, area[k]);
        if (bounds && bounds[k])
            GEOSGeom_destroy_r(h, bounds[k]);
        if (result && result[k])
            GEOSGeom_destroy_r(h, result[k]);
    }
    if (lines)
        GEOSGeom_destroy_r(h, lines);
    if (noded)
        GEOSGeom_destroy_r(h, noded);
    if (faces)
        GEOSGeom_destroy_r(h, faces);
    free(area);
    free(bounds);
    free(prep);
    free(result);
    free(label);
    free(mine);
    ctx_close(&c);
    return rc;
}
