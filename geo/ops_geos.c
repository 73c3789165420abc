/* ops_geos.c: the GEOS adapter (reentrant _r API): polygon validation and repair. */
#include "internal.h"

#include <geos_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char msg[256]; } geos_msg;

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

/* Keeps only the polygonal parts of a make-valid result (collapsed parts become lines). */
static GEOSGeometry *polygonal_part(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        return g;
    if (t != GEOS_GEOMETRYCOLLECTION) {
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **polys = calloc((size_t)(n > 0 ? n : 1), sizeof *polys);
    int k = 0;
    for (int i = 0; polys && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON || GEOSGeomTypeId_r(h, p) == GEOS_MULTIPOLYGON)
            polys[k++] = GEOSGeom_clone_r(h, p);
    }
    GEOSGeometry *out = NULL;
    if (k) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, polys,
                                                         (unsigned)k);
        out = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        GEOSGeom_destroy_r(h, coll);
    }
    free(polys);
    GEOSGeom_destroy_r(h, g);
    return out;
}

cor_status cor_geos_make_valid_polygon(const unsigned char *wkb, size_t len,
                                       unsigned char **out, size_t *out_len, int *repaired,
                                       cor_error *err)
{
    geos_msg m;
    GEOSContextHandle_t h = geos_open(&m);
    if (!h)
        return cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
    cor_status rc = COR_OK;
    *out = NULL;
    *repaired = 0;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    GEOSGeometry *g = rd ? GEOSWKBReader_read_r(h, rd, wkb, len) : NULL;
    if (!g) {
        rc = cor_error_set(err, COR_ERR_INPUT, "unreadable polygon: %s", m.msg);
        goto done;
    }
    if (GEOSisValid_r(h, g) != 1) {
        GEOSGeometry *v = GEOSMakeValid_r(h, g);
        GEOSGeom_destroy_r(h, g);
        g = v ? polygonal_part(h, v) : NULL;
        if (!g || GEOSisEmpty_r(h, g)) {
            rc = cor_error_set(err, COR_ERR_INPUT, "invalid polygon could not be repaired%s%s",
                               m.msg[0] ? ": " : "", m.msg);
            goto done;
        }
        *repaired = 1;
    }
    GEOSWKBWriter_setByteOrder_r(h, wr, GEOS_WKB_NDR);
    *out = GEOSWKBWriter_write_r(h, wr, g, out_len);
    if (!*out)
        rc = cor_error_set(err, COR_ERR_INTERNAL, "GEOS could not write WKB: %s", m.msg);
    else { /* GEOS allocates with its own allocator: copy into malloc'd memory */
        unsigned char *copy = malloc(*out_len);
        if (copy)
            memcpy(copy, *out, *out_len);
        GEOSFree_r(h, *out);
        *out = copy;
        if (!copy)
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
done:
    if (g)
        GEOSGeom_destroy_r(h, g);
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    if (wr)
        GEOSWKBWriter_destroy_r(h, wr);
    GEOS_finish_r(h);
    return rc;
}

/* ---- overlays of points on features ---------------------------------------------------- */
#include "corridor/overlay.h"

#include <math.h>

/* Reads the features' geometries into GEOS (NULL for missing ones). */
static GEOSGeometry **read_all(GEOSContextHandle_t h, const cor_features *f, geos_msg *m,
                               cor_error *err)
{
    GEOSGeometry **g = calloc(f->n + 1, sizeof *g);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!g || !rd) {
        free(g);
        if (rd)
            GEOSWKBReader_destroy_r(h, rd);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < f->n; i++)
        if (f->wkb[i])
            g[i] = GEOSWKBReader_read_r(h, rd, f->wkb[i], f->wkb_len[i]);
    GEOSWKBReader_destroy_r(h, rd);
    (void)m;
    return g;
}

static void free_all(GEOSContextHandle_t h, GEOSGeometry **g, const GEOSPreparedGeometry **p,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p && p[i])
            GEOSPreparedGeom_destroy_r(h, p[i]);
        if (g && g[i])
            GEOSGeom_destroy_r(h, g[i]);
    }
    free(g);
    free((void *)p);
}

cor_status cor_overlay_covering(const cor_features *f, const double *xy, size_t n,
                                long *which, cor_error *err)
{
    geos_msg m;
    GEOSContextHandle_t h = geos_open(&m);
    if (!h)
        return cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
    GEOSGeometry **g = read_all(h, f, &m, err);
    const GEOSPreparedGeometry **p = g ? calloc(f->n + 1, sizeof *p) : NULL;
    cor_status rc = p ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    double (*box)[4] = rc == COR_OK ? malloc((f->n + 1) * sizeof *box) : NULL;
    if (rc == COR_OK && !box)
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t k = 0; rc == COR_OK && k < f->n; k++) {
        if (!g[k])
            continue;
        p[k] = GEOSPrepare_r(h, g[k]);
        if (!GEOSGeom_getXMin_r(h, g[k], &box[k][0]) || !GEOSGeom_getYMin_r(h, g[k], &box[k][1]) ||
            !GEOSGeom_getXMax_r(h, g[k], &box[k][2]) || !GEOSGeom_getYMax_r(h, g[k], &box[k][3]))
            box[k][0] = box[k][1] = INFINITY; /* empty */
    }
    for (size_t i = 0; rc == COR_OK && i < n; i++) {
        which[i] = -1;
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            continue;
        GEOSGeometry *pt = NULL;
        for (size_t k = 0; k < f->n && which[i] < 0; k++) {
            if (!p[k] || x < box[k][0] || y < box[k][1] || x > box[k][2] || y > box[k][3])
                continue;
            if (!pt && !(pt = GEOSGeom_createPointFromXY_r(h, x, y))) {
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                break;
            }
            char c = GEOSPreparedCovers_r(h, p[k], pt);
            if (c == 2)
                rc = cor_error_set(err, COR_ERR_INTERNAL, "GEOS covers failed: %s", m.msg);
            else if (c)
                which[i] = (long)k;
        }
        if (pt)
            GEOSGeom_destroy_r(h, pt);
    }
    free(box);
    if (g)
        free_all(h, g, p, f->n);
    GEOS_finish_r(h);
    return rc;
}

cor_status cor_overlay_distance(const cor_features *f, const double *xy, size_t n,
                                double *dist, long *which, cor_error *err)
{
    geos_msg m;
    GEOSContextHandle_t h = geos_open(&m);
    if (!h)
        return cor_error_set(err, COR_ERR_NOMEM, "cannot create a GEOS context");
    GEOSGeometry **g = read_all(h, f, &m, err);
    const GEOSPreparedGeometry **p = g ? calloc(f->n + 1, sizeof *p) : NULL;
    cor_status rc = p ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t k = 0; rc == COR_OK && k < f->n; k++)
        if (g[k])
            p[k] = GEOSPrepare_r(h, g[k]);
    for (size_t i = 0; rc == COR_OK && i < n; i++) {
        dist[i] = INFINITY;
        if (which)
            which[i] = -1;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, xy[2 * i], xy[2 * i + 1]);
        if (!pt) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < f->n; k++) {
            double d;
            if (!p[k] || !GEOSPreparedDistance_r(h, p[k], pt, &d))
                continue;
            if (d < dist[i]) {
                dist[i] = d;
                if (which)
                    which[i] = (long)k;
            }
        }
        GEOSGeom_destroy_r(h, pt);
    }
    if (g)
        free_all(h, g, p, f->n);
    GEOS_finish_r(h);
    return rc;
}
