/* isochrone.c: nested reachable areas (bands) from one multi-source search: the reached road
 * and access line work, partly travelled links included, buffered into areas that grow band
 * by band; population and parks inside; an optional travel-time grid. */
#include "corridor/isochrone.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GRID_CELLS 50000000.0

/* Polylines being collected (the pieces of one band). */
typedef struct {
    size_t n_lines, cap_lines, n_pts, cap_pts;
    size_t *start;              /* n_lines + 1 offsets once a line is open or closed */
    double *xy;
} linebuf;

static void lb_free(linebuf *b)
{
    free(b->start);
    free(b->xy);
    memset(b, 0, sizeof *b);
}

static int lb_point(linebuf *b, double x, double y)
{
    if (b->n_pts == b->cap_pts) {
        size_t cap = b->cap_pts ? 2 * b->cap_pts : 256;
        double *nx = realloc(b->xy, 2 * cap * sizeof *nx);
        if (!nx)
            return 0;
        b->xy = nx;
        b->cap_pts = cap;
    }
    b->xy[2 * b->n_pts] = x;
    b->xy[2 * b->n_pts + 1] = y;
    b->n_pts++;
    return 1;
}

/* Closes the line made of the points added since the last close. */
static int lb_close(linebuf *b)
{
    if (b->n_lines + 2 > b->cap_lines) {
        size_t cap = b->cap_lines ? 2 * b->cap_lines : 64;
        size_t *ns = realloc(b->start, cap * sizeof *ns);
        if (!ns)
            return 0;
        if (!b->start)
            ns[0] = 0;
        b->start = ns;
        b->cap_lines = cap;
    }
    b->start[++b->n_lines] = b->n_pts;
    return 1;
}

/* A polyline view, possibly walked backwards. */
typedef struct {
    const double *pts;
    size_t n;
    int reverse;
} poly;

static inline double px(const poly *p, size_t i)
{
    return p->pts[2 * (p->reverse ? p->n - 1 - i : i)];
}

static inline double py(const poly *p, size_t i)
{
    return p->pts[2 * (p->reverse ? p->n - 1 - i : i) + 1];
}

static double poly_length(const poly *p)
{
    double L = 0;
    for (size_t i = 1; i < p->n; i++)
        L += hypot(px(p, i) - px(p, i - 1), py(p, i) - py(p, i - 1));
    return L;
}

/* The point at arc length s (clamped to the line). */
static void poly_at(const poly *p, double s, double *x, double *y)
{
    double acc = 0;
    for (size_t i = 1; i < p->n; i++) {
        double d = hypot(px(p, i) - px(p, i - 1), py(p, i) - py(p, i - 1));
        if (acc + d >= s && d > 0) {
            double f = (s - acc) / d;
            *x = px(p, i - 1) + f * (px(p, i) - px(p, i - 1));
            *y = py(p, i - 1) + f * (py(p, i) - py(p, i - 1));
            return;
        }
        acc += d;
    }
    *x = px(p, p->n - 1);
    *y = py(p, p->n - 1);
}

/* Appends the part of the line between arc lengths s0 < s1 as one polyline. */
static int emit_part(linebuf *b, const poly *p, double s0, double s1)
{
    double x, y;
    poly_at(p, s0, &x, &y);
    if (!lb_point(b, x, y))
        return 0;
    double acc = 0;
    for (size_t i = 1; i < p->n; i++) {
        acc += hypot(px(p, i) - px(p, i - 1), py(p, i) - py(p, i - 1));
        if (acc >= s1)
            break;
        if (acc > s0 && !lb_point(b, px(p, i), py(p, i)))
            return 0;
    }
    poly_at(p, s1, &x, &y);
    return lb_point(b, x, y) && lb_close(b);
}

/* ---- travel-time grid --------------------------------------------------------------------- */

typedef struct {
    cor_grid *g;
    double radius_m;            /* samples reach cells whose centre is this close */
    double access_m_per_min;
    double max_min;
} splatter;

/* Offers the cells near (x, y) the time t (minutes) plus the straight line at access speed. */
static void splat(const splatter *s, double x, double y, double t)
{
    cor_grid *g = s->g;
    double r = s->radius_m, c = g->cell_m;
    long c0 = (long)floor((x - r - g->x0_m) / c), c1 = (long)floor((x + r - g->x0_m) / c);
    long r0 = (long)floor((g->y0_m - (y + r)) / c), r1 = (long)floor((g->y0_m - (y - r)) / c);
    if (c0 < 0)
        c0 = 0;
    if (r0 < 0)
        r0 = 0;
    if (c1 >= (long)g->nx)
        c1 = (long)g->nx - 1;
    if (r1 >= (long)g->ny)
        r1 = (long)g->ny - 1;
    for (long row = r0; row <= r1; row++) {
        double cy = g->y0_m - ((double)row + 0.5) * c;
        for (long col = c0; col <= c1; col++) {
            double cx = g->x0_m + ((double)col + 0.5) * c;
            double d = hypot(cx - x, cy - y);
            if (d > r)
                continue;
            double v = t + d / s->access_m_per_min;
            float *cell = &g->values[(size_t)row * g->nx + (size_t)col];
            if (v <= s->max_min && (isnan(*cell) || v < *cell))
                *cell = (float)v;
        }
    }
}

/* Samples the first s_max metres of the line (length L, travelled in time_min from t0_min)
 * at most step apart. */
static void splat_line(const splatter *s, const poly *p, double L, double s_max, double t0_min,
                       double time_min, double step)
{
    size_t m = (size_t)ceil(s_max / step);
    if (m < 1)
        m = 1;
    for (size_t j = 0; j <= m; j++) {
        double at = s_max * (double)j / (double)m, x, y;
        poly_at(p, at, &x, &y);
        splat(s, x, y, t0_min + (L > 0 ? at / L * time_min : 0.0));
    }
}

/* ---- the bands ------------------------------------------------------------------------------ */

void cor_isochrones_free(cor_isochrones *r)
{
    if (!r)
        return;
    for (size_t k = 0; r->bands && k < r->n_bands; k++)
        free(r->bands[k].wkb);
    free(r->bands);
    free(r->grid.values);
    memset(r, 0, sizeof *r);
}

static int edge_carries_area(uint8_t kind)
{
    int k = kind & 15;
    return k == COR_EDGE_ROAD || k == COR_EDGE_ACCESS;
}

/* Fraction of an edge of time time_ms leaving at t_ms that is travelled by limit_ms. */
static double reached_fraction(uint32_t t_ms, uint32_t time_ms, double limit_ms)
{
    if (t_ms == COR_UNREACHABLE || (double)t_ms >= limit_ms)
        return 0.0;
    if (time_ms == 0)
        return 1.0;
    double f = (limit_ms - (double)t_ms) / (double)time_ms;
    return f < 1.0 ? f : 1.0;
}

/* The other direction of edge f (leaving u) over the same link, or UINT64_MAX. */
static uint64_t find_twin(const cor_csr *c, uint32_t u, uint64_t f)
{
    uint32_t v = c->head[f];
    for (uint64_t h = c->first_out[v]; h < c->first_out[v + 1]; h++)
        if (h != f && c->link[h] == c->link[f] && c->head[h] == u)
            return h;
    return UINT64_MAX;
}

/* The geometry of edge f leaving u, in travel direction (a loop link runs forwards on the
 * lower edge id of the pair, backwards on the other). Returns 0 when it has no points. */
static int edge_poly(const cor_graph *g, const cor_csr *c, uint32_t u, uint64_t f,
                     uint64_t twin, double buf[4], poly *p)
{
    const double *pts = NULL;
    size_t np = cor_graph_link_points(g, c->link[f], buf, &pts);
    int reverse = cor_graph_link_from(g, c->link[f]) != u;
    if (c->head[f] == u)
        reverse = twin != UINT64_MAX && twin < f;
    *p = (poly){ pts, np, reverse };
    return np > 0;
}

static int report(const cor_iso_opts *o, double f, const char *msg)
{
    return !o->progress || o->progress(f, msg, o->progress_user);
}

/* Area and places inside a band, from its polygon. */
static cor_status band_stats(cor_iso_band *b, const cor_iso_opts *o, cor_error *err)
{
    double a = 0;
    cor_status rc = cor_wkb_area(b->wkb, b->wkb_len, &a, err);
    b->area_km2 = a / 1e6;
    const cor_places *sets[2] = { o->cities, o->parks };
    for (int s = 0; rc == COR_OK && s < 2; s++) {
        const cor_places *pl = sets[s];
        size_t count = 0;
        double mass = 0;
        if (pl && pl->n) {
            double *xy = malloc(2 * pl->n * sizeof *xy);
            uint8_t *in = malloc(pl->n);
            if (!xy || !in)
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            for (size_t i = 0; rc == COR_OK && i < pl->n; i++) {
                xy[2 * i] = pl->items[i].x_m;
                xy[2 * i + 1] = pl->items[i].y_m;
            }
            if (rc == COR_OK)
                rc = cor_wkb_points_inside(b->wkb, b->wkb_len, xy, pl->n, in, err);
            for (size_t i = 0; rc == COR_OK && i < pl->n; i++)
                if (in[i]) {
                    count++;
                    if (isfinite(pl->items[i].mass))
                        mass += pl->items[i].mass;
                }
            free(xy);
            free(in);
        }
        if (s == 0) {
            b->cities = count;
            b->population = mass;
        } else {
            b->parks = count;
        }
    }
    return rc;
}

static cor_status check_args(const cor_location *from, size_t n_from, const double *minutes,
                             size_t n_bands, const cor_iso_opts *o, cor_error *err)
{
    if (!from || n_from == 0)
        return cor_error_set(err, COR_ERR_CONFIG, "no origin given");
    if (n_bands == 0 || n_bands > COR_ISO_MAX_BANDS)
        return cor_error_set(err, COR_ERR_CONFIG, "between 1 and %d bands are needed, not %zu",
                             COR_ISO_MAX_BANDS, n_bands);
    for (size_t k = 0; k < n_bands; k++) {
        if (!(minutes[k] > 0) || minutes[k] > COR_ISO_MAX_MINUTES)
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "band of %g minutes: minutes must be above 0 and at most %g",
                                 minutes[k], COR_ISO_MAX_MINUTES);
        if (k && minutes[k] <= minutes[k - 1])
            return cor_error_set(err, COR_ERR_CONFIG, "band minutes must ascend (%g after %g)",
                                 minutes[k], minutes[k - 1]);
    }
    if (!(o->buffer_m > 0) || !isfinite(o->buffer_m))
        return cor_error_set(err, COR_ERR_CONFIG, "the buffer distance must be positive");
    if (!(o->raster_cell_m >= 0) || !isfinite(o->raster_cell_m) ||
        (o->raster_cell_m > 0 && o->raster_cell_m < 1.0))
        return cor_error_set(err, COR_ERR_CONFIG, "bad raster cell size %g m", o->raster_cell_m);
    if ((unsigned)o->mode >= COR_MODE_COUNT)
        return cor_error_set(err, COR_ERR_CONFIG, "unknown mode");
    return COR_OK;
}

/* The reached line work of every band (pieces[k]: first reached in band k), the reached
 * length per band, and the extent of all of it. */
typedef struct {
    linebuf *pieces;
    double *reach_m;
    double min_x, min_y, max_x, max_y;
} reach;

static void extent_add(reach *R, const poly *p, double s_max)
{
    /* every vertex up to s_max and the end point: an upper bound of the extent is enough */
    double acc = 0, x, y;
    for (size_t i = 0; i < p->n; i++) {
        if (i)
            acc += hypot(px(p, i) - px(p, i - 1), py(p, i) - py(p, i - 1));
        if (i && acc > s_max)
            break;
        R->min_x = fmin(R->min_x, px(p, i));
        R->max_x = fmax(R->max_x, px(p, i));
        R->min_y = fmin(R->min_y, py(p, i));
        R->max_y = fmax(R->max_y, py(p, i));
    }
    poly_at(p, s_max, &x, &y);
    R->min_x = fmin(R->min_x, x);
    R->max_x = fmax(R->max_x, x);
    R->min_y = fmin(R->min_y, y);
    R->max_y = fmax(R->max_y, y);
}

/* Splits the reached parts of one link among the bands where they are first reached. a[k]
 * and b[k] are the lengths travelled by band k from the start and from the end of the line
 * (both non-decreasing in k); band k reaches [0, a[k]] and [L - b[k], L]. Adds the reached
 * lengths to R->reach_m. */
static int add_link(reach *R, const poly *p, double L, const double *a, const double *b,
                    size_t n_bands)
{
    double pa = 0, pb = 0; /* reached by the previous band */
    int any = 0;
    for (size_t k = 0; k < n_bands; k++) {
        double ak = fmin(a[k], L), bk = fmin(b[k], L);
        R->reach_m[k] += fmin(L, ak + bk);
        if (pa + pb >= L) /* the previous band had it all */
            continue;
        /* newly reached: the gap [pa, L - pb] of the previous band within this band's reach */
        double g0 = pa, g1 = L - pb;
        int ok = 1;
        if (ak + bk >= L) {
            ok = emit_part(&R->pieces[k], p, g0, g1);
        } else {
            if (ak > g0)
                ok = emit_part(&R->pieces[k], p, g0, ak);
            if (ok && L - bk < g1)
                ok = emit_part(&R->pieces[k], p, L - bk, g1);
        }
        if (!ok)
            return 0;
        any |= ak > 0 || bk > 0;
        pa = ak;
        pb = bk;
    }
    if (any)
        extent_add(R, p, L);
    return 1;
}

cor_status cor_isochrones_compute(const cor_engine *e, const cor_location *from, size_t n_from,
                                  const double *minutes, size_t n_bands, const cor_iso_opts *o,
                                  cor_isochrones *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    cor_iso_opts def = COR_ISO_OPTS_DEFAULT;
    if (!o)
        o = &def;
    if (check_args(from, n_from, minutes, n_bands, o, err))
        return err ? err->code : COR_ERR_CONFIG;
    const cor_graph *g = cor_engine_graph(e);
    cor_csr c;
    cor_graph_csr(g, &c);
    double limit_ms[COR_ISO_MAX_BANDS];
    for (size_t k = 0; k < n_bands; k++)
        limit_ms[k] = minutes[k] * 60000.0;
    double tmax_ms = limit_ms[n_bands - 1];

    cor_status rc = COR_OK;
    cor_router *router = NULL;
    cor_anchor *anchors = malloc(n_from * sizeof *anchors);
    reach R = { NULL, NULL, INFINITY, INFINITY, -INFINITY, -INFINITY };
    R.pieces = calloc(n_bands, sizeof *R.pieces);
    R.reach_m = calloc(n_bands, sizeof *R.reach_m);
    out->bands = calloc(n_bands, sizeof *out->bands);
    cor_area *area = NULL;
    if (!anchors || !R.pieces || !R.reach_m || !out->bands) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto done;
    }
    out->n_bands = n_bands;
    for (size_t i = 0; i < n_from; i++)
        anchors[i] = from[i].anchor;
    if (!(router = cor_router_create(e, err))) {
        rc = err ? err->code : COR_ERR_NOMEM;
        goto done;
    }
    cor_search s = { o->mode, 0, (uint32_t)ceil(tmax_ms), NULL, 0, 0 };
    if ((rc = cor_router_run(router, &s, anchors, n_from, err)) != COR_OK)
        goto done;
    out->settled = cor_router_settled(router);
    if (!report(o, 0.2, "search")) {
        rc = cor_error_set(err, COR_ERR_CANCELLED, "cancelled");
        goto done;
    }

    /* Reached line work: every road and access link with an end reached before the largest
     * band, the parts reached from both ends together, split among the bands where they are
     * first reached. A link is handled at its lower edge id among the reached directions. */
    double fa[COR_ISO_MAX_BANDS], fb[COR_ISO_MAX_BANDS];
    for (uint32_t u = 0; u < c.n_nodes; u++) {
        uint32_t tu = cor_router_time_ms(router, u);
        if (tu == COR_UNREACHABLE || (double)tu >= tmax_ms)
            continue;
        for (uint64_t f = c.first_out[u]; f < c.first_out[u + 1]; f++) {
            if (!edge_carries_area(c.kind[f]))
                continue;
            uint32_t v = c.head[f];
            uint64_t twin = find_twin(&c, u, f);
            uint32_t tv = cor_router_time_ms(router, v);
            int twin_reached = twin != UINT64_MAX && tv != COR_UNREACHABLE &&
                               (double)tv < tmax_ms;
            if (twin_reached && twin < f)
                continue;
            double buf[4];
            poly p;
            if (!edge_poly(g, &c, u, f, twin, buf, &p))
                continue;
            double L = poly_length(&p);
            if (!(L > 0)) /* a place on its road: the road's own links cover it */
                continue;
            for (size_t k = 0; k < n_bands; k++) {
                fa[k] = reached_fraction(tu, c.time_ms[f], limit_ms[k]) * L;
                fb[k] = twin_reached ? reached_fraction(tv, c.time_ms[twin], limit_ms[k]) * L
                                     : 0.0;
            }
            if (!add_link(&R, &p, L, fa, fb, n_bands)) {
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
    }
    /* The walk from a LON,LAT origin to its node (not in the rail mode: a train is taken
     * first). */
    for (size_t i = 0; o->mode != COR_MODE_RAIL && i < n_from; i++) {
        const cor_anchor *a = &from[i].anchor;
        if (a->offset_ms == 0 || a->node >= c.n_nodes)
            continue;
        double seg[4] = { from[i].x_m, from[i].y_m, c.node_xy[2 * a->node],
                          c.node_xy[2 * a->node + 1] };
        poly p = { seg, 2, 0 };
        double L = poly_length(&p);
        if (!(L > 0))
            continue;
        for (size_t k = 0; k < n_bands; k++) {
            fa[k] = reached_fraction(0, a->offset_ms, limit_ms[k]) * L;
            fb[k] = 0;
        }
        if (!add_link(&R, &p, L, fa, fb, n_bands)) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            goto done;
        }
    }

    /* Areas: band k = band k - 1 united with the buffer of the pieces first reached in k. */
    if (!(area = cor_area_create(err))) {
        rc = err ? err->code : COR_ERR_NOMEM;
        goto done;
    }
    cor_buffer_opts bo = { o->buffer_m, o->quadrant_segments, o->simplify_m };
    for (size_t k = 0; k < n_bands; k++) {
        cor_iso_band *b = &out->bands[k];
        b->minutes = minutes[k];
        b->reach_km = R.reach_m[k] / 1000.0;
        cor_polylines pl = { R.pieces[k].n_lines, R.pieces[k].start, R.pieces[k].xy };
        if ((rc = cor_area_add_buffer(area, &pl, &bo, err)) != COR_OK ||
            (rc = cor_area_wkb(area, &b->wkb, &b->wkb_len, err)) != COR_OK)
            goto done;
        if (!report(o, 0.2 + 0.7 * (double)(k + 1) / (double)n_bands, "bands")) {
            rc = cor_error_set(err, COR_ERR_CANCELLED, "cancelled");
            goto done;
        }
    }

    /* Each band is the union of the previous one with more, so it covers it up to the
     * overlay's rounding (nanometres); rebuilding the bands from the faces of all their
     * boundaries makes them nest exactly. Areas and counts then describe the final
     * polygons. */
    if (n_bands > 1) {
        unsigned char *w[COR_ISO_MAX_BANDS];
        size_t wl[COR_ISO_MAX_BANDS];
        for (size_t k = 0; k < n_bands; k++) {
            w[k] = out->bands[k].wkb;
            wl[k] = out->bands[k].wkb_len;
        }
        rc = cor_wkb_nest_areas(w, wl, n_bands, err);
        for (size_t k = 0; k < n_bands; k++) {
            out->bands[k].wkb = w[k];
            out->bands[k].wkb_len = wl[k];
        }
        if (rc != COR_OK)
            goto done;
    }
    for (size_t k = 0; k < n_bands; k++)
        if ((rc = band_stats(&out->bands[k], o, err)) != COR_OK)
            goto done;

    /* Travel-time grid. */
    if (o->raster_cell_m > 0 && R.min_x <= R.max_x) {
        double cell = o->raster_cell_m, pad = o->buffer_m + cell;
        double x0 = floor((R.min_x - pad) / cell) * cell, x1 = ceil((R.max_x + pad) / cell) * cell;
        double y1 = ceil((R.max_y + pad) / cell) * cell, y0 = floor((R.min_y - pad) / cell) * cell;
        double nx = round((x1 - x0) / cell), ny = round((y1 - y0) / cell);
        if (nx * ny > MAX_GRID_CELLS) {
            rc = cor_error_set(err, COR_ERR_CONFIG,
                               "a %.0f m raster of this area would have %.0f million cells "
                               "(limit %.0f million); use larger cells",
                               cell, nx * ny / 1e6, MAX_GRID_CELLS / 1e6);
            goto done;
        }
        cor_grid *gr = &out->grid;
        *gr = (cor_grid){ x0, y1, cell, (size_t)nx, (size_t)ny, NULL };
        if (!(gr->values = malloc(gr->nx * gr->ny * sizeof *gr->values))) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory for the raster");
            goto done;
        }
        for (size_t i = 0; i < gr->nx * gr->ny; i++)
            gr->values[i] = NAN;
        splatter sp = { gr, o->buffer_m, cor_graph_speeds(g)->access_kmh * 1000.0 / 60.0,
                        minutes[n_bands - 1] };
        double step = cell / 2;
        for (uint32_t u = 0; u < c.n_nodes; u++) {
            uint32_t tu = cor_router_time_ms(router, u);
            if (tu == COR_UNREACHABLE || (double)tu >= tmax_ms)
                continue;
            for (uint64_t f = c.first_out[u]; f < c.first_out[u + 1]; f++) {
                if (!edge_carries_area(c.kind[f]))
                    continue;
                double buf[4];
                poly p;
                if (!edge_poly(g, &c, u, f, find_twin(&c, u, f), buf, &p))
                    continue;
                double L = poly_length(&p);
                double fr = reached_fraction(tu, c.time_ms[f], tmax_ms);
                splat_line(&sp, &p, L, fr * L, tu / 60000.0, c.time_ms[f] / 60000.0, step);
            }
        }
        for (size_t i = 0; o->mode != COR_MODE_RAIL && i < n_from; i++) {
            const cor_anchor *a = &from[i].anchor;
            if (a->offset_ms == 0 || a->node >= c.n_nodes)
                continue;
            double seg[4] = { from[i].x_m, from[i].y_m, c.node_xy[2 * a->node],
                              c.node_xy[2 * a->node + 1] };
            poly p = { seg, 2, 0 };
            double L = poly_length(&p);
            splat_line(&sp, &p, L, reached_fraction(0, a->offset_ms, tmax_ms) * L, 0.0,
                       a->offset_ms / 60000.0, step);
        }
    }
    report(o, 1.0, "done");
done:
    if (R.pieces)
        for (size_t k = 0; k < n_bands; k++)
            lb_free(&R.pieces[k]);
    free(R.pieces);
    free(R.reach_m);
    free(anchors);
    cor_area_destroy(area);
    cor_router_destroy(router);
    return rc;
}
