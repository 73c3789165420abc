/* corridors.c: gravity linkage, breaking points, all-or-nothing flow assignment and the
 * merging of loaded links into corridors. */
#include "corridor/corridors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cor_status cor_gravity(size_t n, const double *mass, const uint32_t *time_ms,
                       const cor_gravity_opts *o, double *R, double *k, double *Rtot, double *F,
                       size_t *bad, cor_error *err)
{
    cor_gravity_opts opts = o ? *o : COR_GRAVITY_OPTS_DEFAULT;
    if (!(opts.decay > 0) || !isfinite(opts.decay))
        return cor_error_set(err, COR_ERR_CONFIG, "decay exponent b = %g must be > 0",
                             opts.decay);
    for (size_t i = 0; i < n; i++)
        if (!(mass[i] > 0) || !isfinite(mass[i])) {
            if (bad)
                *bad = i;
            return cor_error_set(err, COR_ERR_INPUT, "mass %g is not positive", mass[i]);
        }
    for (size_t i = 0; i < n; i++) {
        double tot = 0;
        for (size_t j = 0; j < n; j++) {
            size_t c = i * n + j;
            double kij = opts.directed ? mass[i] / (mass[i] + mass[j]) : 1.0;
            double r = NAN;
            if (i != j && time_ms[c] != COR_UNREACHABLE) {
                double t_h = fmax(time_ms[c], 1.0) / 3.6e6; /* a zero time would be infinite */
                r = kij * mass[i] * mass[j] / pow(t_h, opts.decay);
                tot += r;
            }
            if (R)
                R[c] = r;
            if (k)
                k[c] = i == j ? NAN : kij;
        }
        if (Rtot)
            Rtot[i] = tot;
        for (size_t j = 0; F && j < n; j++) {
            double r = R ? R[i * n + j] : NAN;
            if (!R) { /* recompute when R was not asked for */
                size_t c = i * n + j;
                double kij = opts.directed ? mass[i] / (mass[i] + mass[j]) : 1.0;
                r = i != j && time_ms[c] != COR_UNREACHABLE
                        ? kij * mass[i] * mass[j] / pow(fmax(time_ms[c], 1.0) / 3.6e6, opts.decay)
                        : NAN;
            }
            F[i * n + j] = tot > 0 && !isnan(r) ? 100.0 * r / tot : NAN;
        }
    }
    return COR_OK;
}

double cor_breaking_distance(double D_ij, double M_i, double M_j)
{
    return D_ij / (1.0 + sqrt(M_j / M_i));
}

cor_status cor_assign(const cor_engine *e, cor_mode mode, const cor_anchor *anchors,
                      const cor_od *od, size_t n_od, double *link_load, size_t *unassigned,
                      cor_error *err)
{
    cor_csr c;
    cor_graph_csr(cor_engine_graph(e), &c);
    cor_router *r = cor_router_create(e, err);
    uint64_t *edges = malloc((size_t)c.n_nodes * 3 * sizeof *edges + 8);
    if (!r || !edges) {
        cor_router_destroy(r);
        free(edges);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory for the assignment");
    }
    if (unassigned)
        *unassigned = 0;
    /* pairs are grouped by origin: one search per origin with all its destinations */
    cor_status rc = COR_OK;
    uint32_t *targets = malloc((n_od + 1) * sizeof *targets);
    uint8_t *done = calloc(n_od + 1, 1);
    if (!targets || !done)
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory for the assignment");
    for (size_t i = 0; rc == COR_OK && i < n_od; i++) {
        if (done[i])
            continue;
        size_t nt = 0;
        for (size_t j = i; j < n_od; j++)
            if (!done[j] && od[j].from == od[i].from)
                targets[nt++] = anchors[od[j].to].node;
        cor_search s = { mode, 0, COR_UNREACHABLE, targets, nt, 0 };
        if ((rc = cor_router_run(r, &s, &anchors[od[i].from], 1, err)) != COR_OK)
            break;
        for (size_t j = i; j < n_od; j++) {
            if (done[j] || od[j].from != od[i].from)
                continue;
            done[j] = 1;
            uint32_t dest = anchors[od[j].to].node;
            if (cor_router_time_ms(r, dest) == COR_UNREACHABLE) {
                if (unassigned)
                    (*unassigned)++;
                continue;
            }
            size_t n = cor_router_path(r, dest, edges, (size_t)c.n_nodes * 3);
            for (size_t k = 0; k < n; k++)
                link_load[c.link[edges[k]]] += od[j].flow;
        }
    }
    free(targets);
    free(done);
    free(edges);
    cor_router_destroy(r);
    return rc;
}

cor_status cor_path_point(const cor_engine *e, cor_mode mode, const cor_anchor *a,
                          uint32_t b_node, double d, double *x, double *y, double *length_m,
                          cor_error *err)
{
    const cor_graph *g = cor_engine_graph(e);
    cor_csr c;
    cor_graph_csr(g, &c);
    cor_router *r = cor_router_create(e, err);
    uint64_t *edges = malloc((size_t)c.n_nodes * 3 * sizeof *edges + 8);
    cor_status rc = COR_OK;
    if (!r || !edges) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto done;
    }
    cor_search s = { mode, 0, COR_UNREACHABLE, &b_node, 1, 0 };
    if ((rc = cor_router_run(r, &s, a, 1, err)) != COR_OK)
        goto done;
    if (cor_router_time_ms(r, b_node) == COR_UNREACHABLE) {
        rc = cor_error_set(err, COR_ERR_INPUT, "no path");
        goto done;
    }
    size_t n = cor_router_path(r, b_node, edges, (size_t)c.n_nodes * 3);
    double total = 0;
    for (size_t k = 0; k < n; k++)
        total += c.length_m[edges[k]];
    if (length_m)
        *length_m = total;
    *x = c.node_xy[2 * a->node];
    *y = c.node_xy[2 * a->node + 1];
    uint32_t at = a->node;
    double walked = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t link = c.link[edges[k]];
        double buf[4];
        const double *pts;
        size_t np = cor_graph_link_points(g, link, buf, &pts);
        int fwd = cor_graph_link_from(g, link) == at;
        for (size_t j = 0; j + 1 < np; j++) {
            const double *p0 = pts + 2 * (fwd ? j : np - 1 - j);
            const double *p1 = pts + 2 * (fwd ? j + 1 : np - 2 - j);
            double seg = hypot(p1[0] - p0[0], p1[1] - p0[1]);
            /* the polyline's length and the link's length agree up to float rounding */
            if (walked + seg >= d && seg > 0) {
                double t = (d - walked) / seg;
                *x = p0[0] + t * (p1[0] - p0[0]);
                *y = p0[1] + t * (p1[1] - p0[1]);
                goto done;
            }
            walked += seg;
            *x = p1[0];
            *y = p1[1];
        }
        at = c.head[edges[k]];
    }
done:
    free(edges);
    cor_router_destroy(r);
    return rc;
}

void cor_corridors_free(cor_corridor *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].links);
    free(c);
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static int cmp_corridor(const void *a, const void *b)
{
    const cor_corridor *x = a, *y = b;
    return x->load_km < y->load_km ? 1 : x->load_km > y->load_km ? -1 : 0;
}

cor_status cor_corridors_extract(const cor_graph *g, const double *link_load, double share,
                                 size_t top, cor_corridor **out, size_t *n_out, cor_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (!(share > 0) || share > 1)
        return cor_error_set(err, COR_ERR_CONFIG, "share %g must be in (0, 1]", share);
    size_t nl = cor_graph_link_count(g);
    cor_csr c;
    cor_graph_csr(g, &c);
    double max = 0;
    for (size_t i = 0; i < nl; i++)
        max = fmax(max, link_load[i]);
    if (!(max > 0))
        return COR_OK;
    double thr = share * max;
    uint32_t *uf = malloc((c.n_nodes + 1) * sizeof *uf);
    uint32_t *comp_of = malloc((c.n_nodes + 1) * sizeof *comp_of);
    if (!uf || !comp_of) {
        free(uf);
        free(comp_of);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < c.n_nodes; i++) {
        uf[i] = i;
        comp_of[i] = UINT32_MAX;
    }
    for (size_t i = 0; i < nl; i++) {
        if (link_load[i] < thr)
            continue;
        cor_link_info L;
        cor_graph_link_get(g, (uint32_t)i, &L);
        if (L.kind != COR_EDGE_ROAD && L.kind != COR_EDGE_RAIL)
            continue;
        uint32_t a = uf_find(uf, L.u), b = uf_find(uf, L.v);
        if (a != b)
            uf[a < b ? b : a] = a < b ? a : b;
    }
    size_t nc = 0, cap = 16;
    cor_corridor *cs = calloc(cap, sizeof *cs);
    cor_status rc = cs ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == COR_OK && i < nl; i++) {
        if (link_load[i] < thr)
            continue;
        cor_link_info L;
        cor_graph_link_get(g, (uint32_t)i, &L);
        if (L.kind != COR_EDGE_ROAD && L.kind != COR_EDGE_RAIL)
            continue;
        uint32_t root = uf_find(uf, L.u);
        if (comp_of[root] == UINT32_MAX) {
            if (nc == cap) {
                cor_corridor *ncs = realloc(cs, 2 * cap * sizeof *cs);
                if (!ncs) {
                    rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                    break;
                }
                memset(ncs + cap, 0, cap * sizeof *cs);
                cs = ncs;
                cap *= 2;
            }
            comp_of[root] = (uint32_t)nc++;
        }
        cor_corridor *k = &cs[comp_of[root]];
        uint32_t *nlinks = realloc(k->links, (k->n_links + 1) * sizeof *nlinks);
        if (!nlinks) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            break;
        }
        k->links = nlinks;
        k->links[k->n_links++] = (uint32_t)i;
        k->max_load = fmax(k->max_load, link_load[i]);
        k->load_km += link_load[i] * L.length_m / 1000.0;
        k->length_km += L.length_m / 1000.0;
    }
    free(uf);
    free(comp_of);
    if (rc != COR_OK) {
        cor_corridors_free(cs, nc);
        return rc;
    }
    qsort(cs, nc, sizeof *cs, cmp_corridor);
    if (top && nc > top) {
        for (size_t i = top; i < nc; i++)
            free(cs[i].links);
        nc = top;
    }
    *out = cs;
    *n_out = nc;
    return COR_OK;
}
