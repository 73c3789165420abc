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
