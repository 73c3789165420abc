/* crs_proj.c: the PROJ adapter: coordinate transforms and the choice of the working CRS. */
#include "internal.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cor_xform {
    PJ_CONTEXT *ctx;            /* one context per transform: transforms are single-threaded */
    PJ *pj;
    PJ *fast;                   /* the same pipeline with PROJ's +approx transverse Mercator */
    PJ *bare;                   /* fast's tmerc step alone, fed radians by cor_xform_run */
    int use_fast;               /* set once the fast pipeline is shown to agree over an extent */
    int use_bare;               /* set once bare agrees with fast bit for bit over the extent */
};

/* PROJ's unitconvert from degrees to radians multiplies by this constant. */
#define DEG_TO_RAD_PROJ 0.017453292519943296

static void quiet_log(void *user, int level, const char *msg)
{
    (void)user; (void)level; (void)msg;
}

static PJ_CONTEXT *new_context(void)
{
    PJ_CONTEXT *ctx = proj_context_create();
    if (ctx)
        proj_log_func(ctx, NULL, quiet_log);
    return ctx;
}

/* A PJ from the PROJ string s with opts put right after its "+proj=tmerc " (at tm in s);
 * NULL when out of memory or not understood. */
static PJ *tmerc_with(PJ_CONTEXT *ctx, const char *s, const char *tm, const char *opts)
{
    size_t at = (size_t)(tm - s) + strlen("+proj=tmerc "), n = strlen(s) + strlen(opts) + 1;
    char *str = malloc(n);
    if (!str)
        return NULL;
    snprintf(str, n, "%.*s%s%s", (int)at, s, opts, s + at);
    PJ *pj = proj_create(ctx, str);
    free(str);
    return pj;
}

cor_xform *cor_xform_create(const char *src, const char *dst, cor_error *err)
{
    cor_xform *t = calloc(1, sizeof *t);
    if (!t || !(t->ctx = new_context())) {
        free(t);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating a PROJ context");
        return NULL;
    }
    PJ *a = proj_create(t->ctx, src);
    if (!a) {
        cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' is not understood by PROJ: %s", src,
                      proj_context_errno_string(t->ctx, proj_context_errno(t->ctx)));
        goto fail;
    }
    PJ *b = proj_create(t->ctx, dst);
    if (!b) {
        cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' is not understood by PROJ: %s", dst,
                      proj_context_errno_string(t->ctx, proj_context_errno(t->ctx)));
        proj_destroy(a);
        goto fail;
    }
    PJ *raw = proj_create_crs_to_crs_from_pj(t->ctx, a, b, NULL, NULL);
    proj_destroy(a);
    proj_destroy(b);
    if (!raw) {
        cor_error_set(err, COR_ERR_INPUT, "no PROJ transformation from '%.120s' to '%.120s'",
                      src, dst);
        goto fail;
    }
    t->pj = proj_normalize_for_visualization(t->ctx, raw);
    proj_destroy(raw);
    if (!t->pj) {
        cor_error_set(err, COR_ERR_INTERNAL, "PROJ could not normalise the axis order");
        goto fail;
    }
    /* PROJ's default transverse Mercator (Poder/Engsager) is exact everywhere; its +approx
     * variant (Evenden/Snyder) is twice as fast and agrees to the millimetre within a few
     * degrees of the central meridian. Keep it ready; cor_xform_prefer_fast() decides. */
    const char *ps = proj_as_proj_string(t->ctx, t->pj, PJ_PROJ_5, NULL);
    const char *tm = ps ? strstr(ps, "+proj=tmerc ") : NULL;
    if (tm && !strstr(ps, "+approx") && !strstr(tm + 1, "+proj=tmerc ")) {
        t->fast = tmerc_with(t->ctx, ps, tm, "+approx ");
        /* A two-step pipeline whose first step only turns degrees into radians: PROJ spends
         * about as long walking the pipeline per point as in the projection itself, so keep
         * the projection step alone too; cor_xform_run does the unit conversion. The step
         * gets +over: PROJ then skips wrapping each longitude into -180..180 (twice a point),
         * which leaves every longitude within that range as it is, so the results are the
         * same bit for bit (cor_xform_prefer_fast checks) for 6 % less time. */
        static const char head[] = "+proj=pipeline +step +proj=unitconvert +xy_in=deg "
                                   "+xy_out=rad +step +proj=tmerc ";
        if (t->fast && !strncmp(ps, head, sizeof head - 1) && !strstr(tm, "+step"))
            t->bare = tmerc_with(t->ctx, tm, tm, "+approx +over ");
    }
    return t;
fail:
    cor_xform_destroy(t);
    return NULL;
}

void cor_xform_destroy(cor_xform *t)
{
    if (!t)
        return;
    proj_destroy(t->bare);
    proj_destroy(t->fast);
    proj_destroy(t->pj);
    proj_context_destroy(t->ctx);
    free(t);
}

int cor_xform_prefer_fast(cor_xform *t, const cor_bbox *src_extent)
{
    t->use_fast = t->use_bare = 0;
    if (!t->fast)
        return 0;
    enum { G = 9 };
    double a[2 * G * G], b[2 * G * G];
    for (int i = 0; i < G; i++)
        for (int j = 0; j < G; j++) {
            int k = i * G + j;
            a[2 * k] = b[2 * k] = src_extent->min_x + (src_extent->max_x - src_extent->min_x) * i / (G - 1);
            a[2 * k + 1] = b[2 * k + 1] =
                src_extent->min_y + (src_extent->max_y - src_extent->min_y) * j / (G - 1);
        }
    proj_trans_generic(t->pj, PJ_FWD, a, 2 * sizeof(double), G * G, a + 1, 2 * sizeof(double),
                       G * G, NULL, 0, 0, NULL, 0, 0);
    proj_trans_generic(t->fast, PJ_FWD, b, 2 * sizeof(double), G * G, b + 1,
                       2 * sizeof(double), G * G, NULL, 0, 0, NULL, 0, 0);
    for (int k = 0; k < 2 * G * G; k++)
        if (!isfinite(a[k]) || !isfinite(b[k]) || fabs(a[k] - b[k]) > 1e-3)
            return 0;
    t->use_fast = 1;
    if (t->bare) { /* the bare step must give exactly what the pipeline gives */
        double c[2 * G * G];
        for (int i = 0; i < G; i++)
            for (int j = 0; j < G; j++) {
                int k = i * G + j;
                c[2 * k] = src_extent->min_x + (src_extent->max_x - src_extent->min_x) * i / (G - 1);
                c[2 * k + 1] =
                    src_extent->min_y + (src_extent->max_y - src_extent->min_y) * j / (G - 1);
            }
        for (int k = 0; k < 2 * G * G; k++)
            c[k] *= DEG_TO_RAD_PROJ;
        proj_trans_generic(t->bare, PJ_FWD, c, 2 * sizeof(double), G * G, c + 1,
                           2 * sizeof(double), G * G, NULL, 0, 0, NULL, 0, 0);
        t->use_bare = !memcmp(b, c, sizeof b);
    }
    return 1;
}

cor_xform *cor_xform_clone_fast(const cor_xform *t)
{
    if (!t || !t->use_fast)
        return NULL;
    cor_xform *c = calloc(1, sizeof *c);
    if (!c || !(c->ctx = new_context())) {
        free(c);
        return NULL;
    }
    /* fast and bare come from PROJ strings, so their copies are the same pipelines; the
     * exact one is copied for completeness but does not run while use_fast is set */
    c->pj = proj_clone(c->ctx, t->pj);
    c->fast = proj_clone(c->ctx, t->fast);
    c->bare = t->bare ? proj_clone(c->ctx, t->bare) : NULL;
    c->use_fast = 1;
    c->use_bare = t->use_bare;
    if (!c->pj || !c->fast || (t->bare && !c->bare)) {
        cor_xform_destroy(c);
        return NULL;
    }
    return c;
}

size_t cor_xform_run(cor_xform *t, double *xy, size_t n)
{
    if (n == 0)
        return 0;
    if (t->use_bare) {
        for (size_t i = 0; i < 2 * n; i++)
            xy[i] *= DEG_TO_RAD_PROJ;
        proj_trans_generic(t->bare, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1,
                           2 * sizeof(double), n, NULL, 0, 0, NULL, 0, 0);
    } else
    proj_trans_generic(t->use_fast ? t->fast : t->pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n,
                       NULL, 0, 0, NULL, 0, 0);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]) || xy[2 * i] == HUGE_VAL) {
            xy[2 * i] = xy[2 * i + 1] = NAN;
            bad++;
        }
    }
    return bad;
}

cor_status cor_xform_bounds(cor_xform *t, const cor_bbox *in, cor_bbox *out, cor_error *err)
{
    if (!proj_trans_bounds(t->ctx, t->pj, PJ_FWD, in->min_x, in->min_y, in->max_x, in->max_y,
                           &out->min_x, &out->min_y, &out->max_x, &out->max_y, 21))
        return cor_error_set(err, COR_ERR_INPUT, "the extent cannot be transformed: %s",
                             proj_context_errno_string(t->ctx, proj_context_errno(t->ctx)));
    return COR_OK;
}

/* Jing-Jin-Ji lies in the 3-degree Gauss-Kruger zones 38-40; CM 117E keeps the scale error
 * under 0.25 % across lon 113-121. Elsewhere a transverse Mercator on the data's own centre
 * meridian keeps it as small for extents up to about 8 degrees wide. */
char *cor_crs_choose(const cor_bbox *ll)
{
    char buf[256];
    if (ll->min_x >= 112.5 && ll->max_x <= 121.5 && ll->min_y >= 34.0 && ll->max_y <= 44.0)
        return cor_strdup("EPSG:4548");
    double lon0 = 0.5 * (ll->min_x + ll->max_x);
    lon0 = round(lon0 * 1000.0) / 1000.0;
    snprintf(buf, sizeof buf,
             "+proj=tmerc +lat_0=0 +lon_0=%.3f +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m "
             "+no_defs +type=crs", lon0);
    return cor_strdup(buf);
}

cor_status cor_crs_check_projected(const char *def, cor_error *err)
{
    PJ_CONTEXT *ctx = new_context();
    if (!ctx)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory creating a PROJ context");
    cor_status st = COR_OK;
    PJ *crs = proj_create(ctx, def);
    if (!crs) {
        st = cor_error_set(err, COR_ERR_INPUT, "CRS '%.200s' is not understood by PROJ", def);
    } else {
        PJ_TYPE ty = proj_get_type(crs);
        if (ty == PJ_TYPE_BOUND_CRS) {
            PJ *base = proj_get_source_crs(ctx, crs);
            ty = base ? proj_get_type(base) : ty;
            proj_destroy(base);
        }
        if (ty != PJ_TYPE_PROJECTED_CRS)
            st = cor_error_set(err, COR_ERR_INPUT,
                               "CRS '%.200s' is not a projected CRS in metres (the working CRS "
                               "must be metric, e.g. EPSG:4548)", def);
        else {
            PJ *cs = proj_crs_get_coordinate_system(ctx, crs);
            double factor = 0;
            if (cs && proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, NULL, &factor, NULL, NULL,
                                            NULL) && fabs(factor - 1.0) > 1e-9)
                st = cor_error_set(err, COR_ERR_INPUT,
                                   "CRS '%.200s' is not in metres (unit factor %g)", def, factor);
            proj_destroy(cs);
        }
    }
    proj_destroy(crs);
    proj_context_destroy(ctx);
    return st;
}
