/* route_answer.c: the fastest trip between two located places with its named legs, as JSON
 * and as lines: the one implementation behind `corridor route` and `corridor serve`. */
#include "route_answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *route_leg_mode(int kind)
{
    return kind == COR_EDGE_BOARD ? "board" : kind == COR_EDGE_ALIGHT ? "alight"
           : cor_edge_kind_name((cor_edge_kind)kind);
}

static void node_name(const cor_engine *e, uint32_t node, char *buf, size_t n)
{
    int pi = cor_engine_place_at(e, node);
    buf[0] = '\0';
    if (pi < 0)
        return;
    const cor_graph_place *p = cor_graph_place_get(cor_engine_graph(e), (size_t)pi);
    const char *nm = *p->name_zh ? p->name_zh : p->name;
    if (nm[0] == '#') /* a place without a name in the source: "station #625" */
        snprintf(buf, n, "%s %s", cor_role_name(p->role), nm);
    else
        snprintf(buf, n, "%s", nm);
}

void route_answer_free(route_answer *ra)
{
    if (!ra)
        return;
    free(ra->legs);
    free(ra->edges);
    free(ra->tails);
    ra->legs = NULL;
    ra->edges = NULL;
    ra->tails = NULL;
    ra->n_legs = ra->n_edges = 0;
}

/* Copies a name (as snprintf "%s" would; memmove, as gcc cannot tell that two legs' names
 * never overlap). */
static void copy_name(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memmove(dst, src, len);
    dst[len] = '\0';
}

/* Names: a place's own name at named nodes; rail legs run between the stations where the
 * train is boarded and left; road legs between the nearest named places before and after;
 * access links join a place to the road network. */
static void name_legs(const cor_engine *e, route_answer *ra)
{
    route_leg *legs = ra->legs;
    size_t nl = ra->n_legs;
    for (size_t i = 0; i < nl; i++) {
        route_leg *L = &legs[i];
        if (L->start == UINT32_MAX)
            copy_name(L->from, sizeof L->from, ra->a.label);
        else
            node_name(e, L->start, L->from, sizeof L->from);
        if (L->end == UINT32_MAX)
            copy_name(L->to, sizeof L->to, ra->b.label);
        else
            node_name(e, L->end, L->to, sizeof L->to);
    }
    for (size_t i = 0; i < nl; i++) {
        route_leg *L = &legs[i];
        if (L->kind == COR_EDGE_RAIL) {
            if (!L->from[0] && i > 0)
                copy_name(L->from, sizeof L->from, legs[i - 1].from);
            if (!L->to[0] && i + 1 < nl)
                copy_name(L->to, sizeof L->to, legs[i + 1].to);
        } else if (L->kind == COR_EDGE_BOARD) {
            copy_name(L->to, sizeof L->to, L->from);
        } else if (L->kind == COR_EDGE_ALIGHT) {
            copy_name(L->from, sizeof L->from, L->to);
        } else if (L->kind == COR_EDGE_ROAD) {
            for (size_t j = i + 1; !L->from[0] && j-- > 0;)
                if (legs[j].from[0] && legs[j].kind != COR_EDGE_RAIL)
                    copy_name(L->from, sizeof L->from, legs[j].from);
            for (size_t j = i; !L->to[0] && j < nl; j++)
                if (legs[j].to[0])
                    copy_name(L->to, sizeof L->to, legs[j].to);
        }
        if (!L->from[0])
            snprintf(L->from, sizeof L->from, "road");
        if (!L->to[0])
            snprintf(L->to, sizeof L->to, "road");
    }
}

cor_status route_answer_compute(const cor_engine *e, cor_router *r, const cor_location *a,
                                const cor_location *b, cor_mode mode, route_answer *out,
                                cor_error *err)
{
    memset(out, 0, sizeof *out);
    out->a = *a;
    out->b = *b;
    out->mode = mode;
    cor_search s = { mode, 0, COR_UNREACHABLE, &b->anchor.node, 1, 0 };
    if (cor_router_run(r, &s, &a->anchor, 1, err) != COR_OK)
        return err ? err->code : COR_ERR_INTERNAL;
    uint32_t t_ms = cor_router_time_ms(r, b->anchor.node);
    if (t_ms == COR_UNREACHABLE)
        return cor_error_set(err, COR_ERR_INPUT, "no %s route from %s to %s: unreachable",
                             cor_mode_name(mode), a->label, b->label);
    cor_csr csr;
    cor_graph_csr(cor_engine_graph(e), &csr);
    size_t n = cor_router_path(r, b->anchor.node, NULL, 0);
    out->edges = malloc((n + 1) * sizeof *out->edges);
    out->tails = malloc((n + 1) * sizeof *out->tails);
    out->legs = calloc(n + 3, sizeof *out->legs);
    if (!out->edges || !out->tails || !out->legs)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    out->n_edges = n;
    uint64_t *edges = out->edges;
    route_leg *legs = out->legs;
    cor_router_path(r, b->anchor.node, edges, n);
    size_t nl = 0;
    uint32_t at = a->anchor.node;
    double total_s = (t_ms) / 1000.0;
    double total_m = cor_router_length_m(r, b->anchor.node) + b->anchor.offset_m;
    total_s += b->anchor.offset_ms / 1000.0;
    /* Legs: runs of edges of one kind (and class for rail), plus the walks from and to
     * LON,LAT points. */
    if (a->anchor.offset_ms)
        legs[nl++] = (route_leg){ COR_EDGE_ACCESS, 0, 1, 0, a->anchor.offset_ms / 1000.0,
                                  a->anchor.offset_m, "", "", UINT32_MAX, a->anchor.node };
    for (size_t k = 0; k < n; k++) {
        out->tails[k] = at;
        int kind = csr.kind[edges[k]] & 15, cls = csr.kind[edges[k]] >> 4;
        route_leg *L = nl ? &legs[nl - 1] : NULL;
        int same = L && L->last >= L->first && L->kind == kind &&
                   (kind == COR_EDGE_ROAD || (kind == COR_EDGE_RAIL && L->cls == cls));
        if (!same) {
            L = &legs[nl++];
            *L = (route_leg){ kind, cls, k, k, 0, 0, "", "", at, at };
        }
        if (kind == COR_EDGE_ROAD && cls == COR_CLASS_MAJOR_HIGHWAY)
            L->cls = cls; /* a road leg on any expressway says so */
        L->last = k;
        L->time_s += csr.time_ms[edges[k]] / 1000.0;
        L->length_m += csr.length_m[edges[k]];
        at = csr.head[edges[k]];
        L->end = at;
    }
    if (b->anchor.offset_ms)
        legs[nl++] = (route_leg){ COR_EDGE_ACCESS, 0, 1, 0, b->anchor.offset_ms / 1000.0,
                                  b->anchor.offset_m, "", "", b->anchor.node, UINT32_MAX };
    out->n_legs = nl;
    out->time_s = total_s;
    out->distance_m = total_m;
    name_legs(e, out);
    return COR_OK;
}

json_t *route_answer_json(const route_answer *ra)
{
    json_t *jl = json_array();
    if (!jl)
        return NULL;
    for (size_t i = 0; i < ra->n_legs; i++) {
        const route_leg *L = &ra->legs[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:f}", "mode",
                              L->kind == COR_EDGE_BOARD || L->kind == COR_EDGE_ALIGHT
                                  ? route_leg_mode(L->kind)
                                  : cor_edge_kind_name((cor_edge_kind)L->kind),
                              "from", L->from, "to", L->to, "time_s", L->time_s, "distance_m",
                              round(L->length_m * 10) / 10);
        if (!o) {
            json_decref(jl);
            return NULL;
        }
        if (L->kind == COR_EDGE_RAIL || L->kind == COR_EDGE_ROAD)
            json_object_set_new(o, "class", json_string(cor_class_name((cor_line_class)L->cls)));
        json_array_append_new(jl, o);
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o}", "from", ra->a.label, "to",
                            ra->b.label, "mode", cor_mode_name(ra->mode), "time_s", ra->time_s,
                            "distance_m", round(ra->distance_m * 10) / 10, "legs", jl);
    if (!doc)
        return NULL; /* "s:o" steals jl even on failure */
    if (ra->a.place < 0)
        json_object_set_new(doc, "from_snap_m", json_real(round(ra->a.snap_m * 10) / 10));
    if (ra->b.place < 0)
        json_object_set_new(doc, "to_snap_m", json_real(round(ra->b.snap_m * 10) / 10));
    return doc;
}

char *route_json_dumps(const json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

char *route_answer_json_text(const route_answer *ra)
{
    json_t *doc = route_answer_json(ra);
    if (!doc)
        return NULL;
    char *s = route_json_dumps(doc);
    json_decref(doc);
    return s;
}

cor_status route_answer_leg_line(const cor_graph *g, const route_answer *ra, size_t i,
                                 double **xy_out, size_t *n_out, cor_error *err)
{
    cor_csr c;
    cor_graph_csr(g, &c);
    const route_leg *L = &ra->legs[i];
    size_t cap = 64, np = 0;
    double *xy = malloc(2 * cap * sizeof *xy);
    for (uint64_t k = L->first; xy && k <= L->last; k++) {
        double buf[4];
        const double *pts;
        uint32_t link = c.link[ra->edges[k]];
        size_t n = cor_graph_link_points(g, link, buf, &pts);
        int forward = cor_graph_link_from(g, link) == ra->tails[k];
        if (np + n > cap) {
            while (np + n > cap)
                cap *= 2;
            double *nx = realloc(xy, 2 * cap * sizeof *xy);
            if (!nx) {
                free(xy);
                xy = NULL;
                break;
            }
            xy = nx;
        }
        for (size_t j = 0; j < n; j++) {
            size_t src = forward ? j : n - 1 - j;
            if (np && j == 0 && xy[2 * np - 2] == pts[2 * src] &&
                xy[2 * np - 1] == pts[2 * src + 1])
                continue;
            xy[2 * np] = pts[2 * src];
            xy[2 * np + 1] = pts[2 * src + 1];
            np++;
        }
    }
    if (!xy)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    if (np == 1) { /* a zero-length leg (boarding at the track's own point) */
        xy[2] = xy[0];
        xy[3] = xy[1];
        np = 2;
    }
    *xy_out = xy;
    *n_out = np;
    return COR_OK;
}
