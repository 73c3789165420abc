/* engine.c: the routing engine (reverse CSR, node index) and per-thread routers running
 * Dijkstra with an indexed 4-ary heap over the graph, or over its three-layer expansion for
 * the rail mode (before boarding, on a train, after alighting); searches for times only over
 * every edge use a radix heap instead. */
#include "corridor/routing.h"
#include "engine_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX

const char *cor_mode_name(cor_mode m)
{
    static const char *const N[COR_MODE_COUNT] = { "multi", "road", "rail" };
    return (unsigned)m < COR_MODE_COUNT ? N[m] : "?";
}

int cor_mode_from_name(const char *name)
{
    for (int m = 0; m < COR_MODE_COUNT; m++)
        if (!strcmp(name, cor_mode_name((cor_mode)m)))
            return m;
    return -1;
}

/* Phase after taking an edge of kind k in phase p of the rail mode, or -1: road and access
 * before boarding (0) or after alighting (2); boarding from 0 or 2 (a change of trains);
 * rail only on a train (1); alighting ends a ride. */
int cor_rail_next_phase(int kind, int p)
{
    switch (kind) {
    case COR_EDGE_ROAD:
    case COR_EDGE_ACCESS: return p == 1 ? -1 : p;
    case COR_EDGE_BOARD: return p == 1 ? -1 : 1;
    case COR_EDGE_RAIL: return p == 1 ? 1 : -1;
    case COR_EDGE_ALIGHT: return p == 1 ? 2 : -1;
    default: return -1;
    }
}

/* ---- engine ------------------------------------------------------------------------------- */

void cor_engine_destroy(cor_engine *e)
{
    if (!e)
        return;
    free(e->rev_first);
    free(e->rev_tail);
    free(e->rev_fwd);
    free(e->rev_time);
    free(e->rev_kind);
    free(e->fwd_adj);
    free(e->rev_adj);
    free(e->place_at);
    free(e->grid_first);
    free(e->grid_nodes);
    free(e);
}

const cor_graph *cor_engine_graph(const cor_engine *e) { return e->g; }

int cor_engine_place_at(const cor_engine *e, uint32_t node)
{
    return node < e->csr.n_nodes ? e->place_at[node] : -1;
}

static int build_grid(cor_engine *e)
{
    const cor_csr *c = &e->csr;
    size_t n_road = 0;
    for (uint32_t i = 0; i < c->n_nodes; i++)
        n_road += c->node_kind[i] == COR_NODE_ROAD;
    int any = n_road == 0; /* no roads: points snap to any node */
    size_t n = any ? c->n_nodes : n_road;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (uint32_t i = 0; i < c->n_nodes; i++) {
        if (!any && c->node_kind[i] != COR_NODE_ROAD)
            continue;
        minx = fmin(minx, c->node_xy[2 * i]);
        maxx = fmax(maxx, c->node_xy[2 * i]);
        miny = fmin(miny, c->node_xy[2 * i + 1]);
        maxy = fmax(maxy, c->node_xy[2 * i + 1]);
    }
    if (!n) {
        e->gnx = e->gny = 0;
        return 1;
    }
    double area = fmax((maxx - minx) * (maxy - miny), 1.0);
    double cell = fmax(sqrt(area / (double)n) * 2.0, 10.0);
    while (((maxx - minx) / cell + 1) * ((maxy - miny) / cell + 1) > 4.0e6)
        cell *= 2;
    e->gx0 = minx;
    e->gy0 = miny;
    e->gcell = cell;
    e->gnx = (size_t)((maxx - minx) / cell) + 1;
    e->gny = (size_t)((maxy - miny) / cell) + 1;
    e->grid_first = calloc(e->gnx * e->gny + 1, sizeof *e->grid_first);
    e->grid_nodes = malloc((n + 1) * sizeof *e->grid_nodes);
    if (!e->grid_first || !e->grid_nodes)
        return 0;
    for (uint32_t i = 0; i < c->n_nodes; i++) {
        if (!any && c->node_kind[i] != COR_NODE_ROAD)
            continue;
        size_t cx = (size_t)((c->node_xy[2 * i] - minx) / cell);
        size_t cy = (size_t)((c->node_xy[2 * i + 1] - miny) / cell);
        e->grid_first[cy * e->gnx + cx + 1]++;
    }
    for (size_t k = 0; k < e->gnx * e->gny; k++)
        e->grid_first[k + 1] += e->grid_first[k];
    uint32_t *fill = malloc((e->gnx * e->gny + 1) * sizeof *fill);
    if (!fill)
        return 0;
    memcpy(fill, e->grid_first, e->gnx * e->gny * sizeof *fill);
    for (uint32_t i = 0; i < c->n_nodes; i++) {
        if (!any && c->node_kind[i] != COR_NODE_ROAD)
            continue;
        size_t cx = (size_t)((c->node_xy[2 * i] - minx) / cell);
        size_t cy = (size_t)((c->node_xy[2 * i + 1] - miny) / cell);
        e->grid_nodes[fill[cy * e->gnx + cx]++] = i;
    }
    free(fill);
    return 1;
}

cor_engine *cor_engine_create(const cor_graph *g, cor_error *err)
{
    cor_engine *e = calloc(1, sizeof *e);
    if (!e) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating the routing engine");
        return NULL;
    }
    e->g = g;
    cor_graph_csr(g, &e->csr);
    const cor_csr *c = &e->csr;
    if (c->n_edges >= NONE32) {
        cor_error_set(err, COR_ERR_INPUT, "network too large for routing (%llu edges)",
                      (unsigned long long)c->n_edges);
        cor_engine_destroy(e);
        return NULL;
    }
    size_t n = c->n_nodes, m = c->n_edges;
    e->rev_first = calloc(n + 2, sizeof *e->rev_first);
    e->rev_tail = malloc((m + 1) * sizeof *e->rev_tail);
    e->rev_fwd = malloc((m + 1) * sizeof *e->rev_fwd);
    e->rev_time = malloc((m + 1) * sizeof *e->rev_time);
    e->rev_kind = malloc(m + 1);
    e->fwd_adj = malloc((m + 1) * sizeof *e->fwd_adj);
    e->rev_adj = malloc((m + 1) * sizeof *e->rev_adj);
    e->place_at = malloc((n + 1) * sizeof *e->place_at);
    if (!e->rev_first || !e->rev_tail || !e->rev_fwd || !e->rev_time || !e->rev_kind ||
        !e->fwd_adj || !e->rev_adj || !e->place_at || !build_grid(e)) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating the routing engine");
        cor_engine_destroy(e);
        return NULL;
    }
    for (size_t i = 0; i < m; i++)
        e->fwd_adj[i] = (cor_adj){ c->head[i], c->time_ms[i] };
    for (size_t i = 0; i < m; i++)
        e->rev_first[c->head[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        e->rev_first[i + 1] += e->rev_first[i];
    uint32_t *fill = malloc((n + 1) * sizeof *fill);
    if (!fill) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating the routing engine");
        cor_engine_destroy(e);
        return NULL;
    }
    memcpy(fill, e->rev_first, n * sizeof *fill);
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t f = c->first_out[u]; f < c->first_out[u + 1]; f++) {
            uint32_t k = fill[c->head[f]]++;
            e->rev_tail[k] = u;
            e->rev_fwd[k] = (uint32_t)f;
            e->rev_time[k] = c->time_ms[f];
            e->rev_kind[k] = c->kind[f];
            e->rev_adj[k] = (cor_adj){ u, c->time_ms[f] };
        }
    free(fill);
    for (size_t i = 0; i < n; i++)
        e->place_at[i] = -1;
    for (size_t i = 0; i < cor_graph_place_count(g); i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->node < n)
            e->place_at[p->node] = (int32_t)i;
    }
    return e;
}

cor_status cor_engine_anchor_xy(const cor_engine *e, double x, double y, double max_snap_m,
                                cor_anchor *out, double *snap_m, cor_error *err)
{
    if (!isfinite(x) || !isfinite(y))
        return cor_error_set(err, COR_ERR_INPUT, "the point has no finite coordinates");
    if (!e->gnx)
        return cor_error_set(err, COR_ERR_INPUT, "the network has no nodes to snap to");
    const cor_csr *c = &e->csr;
    long cx = (long)floor((x - e->gx0) / e->gcell), cy = (long)floor((y - e->gy0) / e->gcell);
    double best = INFINITY;
    uint32_t best_node = NONE32;
    long maxr = (long)(e->gnx > e->gny ? e->gnx : e->gny) + labs(cx) + labs(cy) + 1;
    for (long r = 0; r <= maxr; r++) {
        /* Every node of ring r lies at least (r - 1) cells away. */
        if (best_node != NONE32 && (double)(r - 1) * e->gcell > best)
            break;
        for (long j = cy - r; j <= cy + r; j++) {
            if (j < 0 || j >= (long)e->gny)
                continue;
            for (long i = cx - r; i <= cx + r; i++) {
                if (i < 0 || i >= (long)e->gnx || (labs(i - cx) != r && labs(j - cy) != r))
                    continue;
                size_t cell = (size_t)j * e->gnx + (size_t)i;
                for (uint32_t k = e->grid_first[cell]; k < e->grid_first[cell + 1]; k++) {
                    uint32_t v = e->grid_nodes[k];
                    double d = hypot(c->node_xy[2 * v] - x, c->node_xy[2 * v + 1] - y);
                    if (d < best || (d == best && v < best_node)) {
                        best = d;
                        best_node = v;
                    }
                }
            }
        }
    }
    if (snap_m)
        *snap_m = best;
    if (best_node == NONE32)
        return cor_error_set(err, COR_ERR_INPUT, "no network node to snap to");
    if (best > max_snap_m)
        return cor_error_set(err, COR_ERR_INPUT,
                             "the point is %.1f km from the nearest road (limit %.1f km)",
                             best / 1000.0, max_snap_m / 1000.0);
    double v = cor_graph_speeds(e->g)->access_kmh / 3.6;
    out->node = best_node;
    out->offset_m = (float)best;
    out->offset_ms = (uint32_t)llround(best / v * 1000.0);
    return COR_OK;
}

/* ---- router ------------------------------------------------------------------------------- */

typedef struct { uint32_t key, st; } hitem;
typedef struct { hitem *a; size_t n, cap; } rbucket;
/* A node of a times-only search: its time and where its edges start, side by side, so that
 * reading a neighbour's time also brings in where to find its edges when it is settled. */
typedef struct { uint32_t dist, first; } tnode;
#define RADIX_BUCKETS 33

/* Everything a search keeps per state, together: one cache line holds two states, so a
 * relaxation touches one place in memory instead of six arrays. */
typedef struct {
    uint32_t dist, stamp, pos, parent_e, parent_s, pad;
    double len;
} rstate;

struct cor_router {
    const cor_engine *e;
    size_t cap_states;          /* states allocated (n or 3n) */
    rstate *s;
    hitem *heap;
    size_t heap_n;
    uint32_t run;
    uint32_t *target_stamp;     /* per node */
    int layers, backward, times_only;
    uint64_t settled;
    /* times-only searches over every edge: a distance per node and a radix heap */
    tnode *tn_fwd, *tn_bwd;     /* n + 1 records each; the last one only ends the edges */
    tnode *tn;                  /* the one the last run used */
    rbucket rb[RADIX_BUCKETS];
    int fast;                   /* the last run used them */
};

static void router_free_arrays(cor_router *r)
{
    free(r->s);
    free(r->heap);
    r->s = NULL;
    r->heap = NULL;
    r->cap_states = 0;
}

void cor_router_destroy(cor_router *r)
{
    if (!r)
        return;
    free(r->tn_fwd);
    free(r->tn_bwd);
    for (unsigned b = 0; b < RADIX_BUCKETS; b++)
        free(r->rb[b].a);
    router_free_arrays(r);
    free(r->target_stamp);
    free(r);
}

static int router_alloc(cor_router *r, size_t states)
{
    if (r->cap_states >= states)
        return 1;
    router_free_arrays(r);
    r->s = calloc(states, sizeof *r->s);
    r->heap = malloc(states * sizeof *r->heap);
    /* New stamps start from run 0 again: targets stamped by earlier runs must not match. */
    r->run = 0;
    if (r->target_stamp && r->e)
        memset(r->target_stamp, 0, (r->e->csr.n_nodes + 1) * sizeof *r->target_stamp);
    if (!r->s || !r->heap) {
        router_free_arrays(r);
        return 0;
    }
    r->cap_states = states;
    return 1;
}

cor_router *cor_router_create(const cor_engine *e, cor_error *err)
{
    cor_router *r = calloc(1, sizeof *r);
    if (!r || !(r->target_stamp = calloc(e->csr.n_nodes + 1, sizeof *r->target_stamp)) ||
        !router_alloc(r, e->csr.n_nodes + 1)) {
        cor_router_destroy(r);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory creating a router");
        return NULL;
    }
    r->e = e;
    return r;
}

static inline void heap_up(cor_router *r, uint32_t i)
{
    hitem x = r->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        if (r->heap[p].key <= x.key)
            break;
        r->heap[i] = r->heap[p];
        r->s[r->heap[i].st].pos = i;
        i = p;
    }
    r->heap[i] = x;
    r->s[x.st].pos = i;
}

static inline void heap_down(cor_router *r, uint32_t i)
{
    hitem x = r->heap[i];
    size_t n = r->heap_n;
    for (;;) {
        size_t c = 4 * (size_t)i + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (r->heap[k].key < r->heap[best].key)
                best = k;
        if (r->heap[best].key >= x.key)
            break;
        r->heap[i] = r->heap[best];
        r->s[r->heap[i].st].pos = i;
        i = (uint32_t)best;
    }
    r->heap[i] = x;
    r->s[x.st].pos = i;
}

/* Offers state st the time d (and length, parent). */
static inline __attribute__((always_inline)) void relax(cor_router *r, uint32_t st, uint32_t d,
                                                        double len, uint32_t pe, uint32_t ps)
{
    rstate *x = &r->s[st];
    if (x->stamp != r->run) {
        x->stamp = r->run;
        x->dist = COR_UNREACHABLE;
        x->pos = NONE32;
    }
    if (d >= x->dist)
        return;
    x->dist = d;
    x->len = len;
    x->parent_e = pe;
    x->parent_s = ps;
    if (x->pos == NONE32) {
        r->heap[r->heap_n] = (hitem){ d, st };
        x->pos = (uint32_t)r->heap_n;
        r->heap_n++;
        heap_up(r, (uint32_t)(r->heap_n - 1));
    } else {
        r->heap[x->pos].key = d;
        heap_up(r, x->pos);
    }
}

static uint32_t answer_phase(const cor_router *r)
{
    return r->layers == 3 ? (r->backward ? 0 : 2) : 0;
}

/* Radix heap of (time, node) for the times-only searches (Ahuja, Mehlhorn, Orlin and
 * Tarjan): Dijkstra pops times in increasing order, so every queued time is >= the last one
 * popped, and bucket b > 0 holds the entries whose time first differs from it in bit b - 1
 * (bucket 0: equal to it). A push is an append; a pop from an empty bucket 0 empties the
 * lowest non-empty bucket into lower ones around its minimum, so an entry moves at most 32
 * times and in practice a few. Stale entries (a later push improved the node) are dropped
 * when they are moved. */
static inline unsigned rbucket_of(uint32_t key, uint32_t last)
{
    return key == last ? 0u : 32u - (unsigned)__builtin_clz(key ^ last);
}

/* Appends x to bucket b; 0 when out of memory. */
static inline int rpush(rbucket *rb, unsigned b, hitem x)
{
    rbucket *k = &rb[b];
    if (__builtin_expect(k->n == k->cap, 0)) {
        size_t cap = k->cap ? 2 * k->cap : 1024;
        hitem *a = realloc(k->a, cap * sizeof *a);
        if (!a)
            return 0;
        k->a = a;
        k->cap = cap;
    }
    k->a[k->n++] = x;
    return 1;
}

/* Refills bucket 0 from the lowest non-empty bucket, dropping stale entries; sets *last to
 * the new minimum. Returns 0 when the heap is empty, -1 when out of memory. */
static int rrefill(rbucket *rb, uint32_t *last, const tnode *tn)
{
    for (unsigned b = 1; b < RADIX_BUCKETS; b++) {
        rbucket *k = &rb[b];
        if (!k->n)
            continue;
        size_t m = 0;
        uint32_t lo = UINT32_MAX;
        for (size_t i = 0; i < k->n; i++) {
            hitem x = k->a[i];
            if (x.key > tn[x.st].dist)
                continue; /* stale */
            k->a[m++] = x;
            lo = x.key < lo ? x.key : lo;
        }
        k->n = 0;
        if (!m)
            continue;
        *last = lo;
        for (size_t i = 0; i < m; i++) /* every key lands in a bucket below b */
            if (!rpush(rb, rbucket_of(k->a[i].key, lo), k->a[i]))
                return -1;
        return 1;
    }
    return 0;
}

/* Every edge, times only, forward or backward: the leanest loop (a time per node, no
 * parents). */
static cor_status run_times_only(cor_router *r, const cor_search *s, const cor_anchor *anchors,
                                 size_t n, cor_error *err)
{
    const cor_csr *c = &r->e->csr;
    uint32_t nn = c->n_nodes;
    tnode **slot = s->backward ? &r->tn_bwd : &r->tn_fwd;
    if (!*slot) {
        if (!(*slot = malloc((nn + 1) * sizeof **slot)))
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory for a search");
        for (uint32_t i = 0; i <= nn; i++)
            (*slot)[i].first = s->backward ? r->e->rev_first[i] : (uint32_t)c->first_out[i];
    }
    tnode *tn = r->tn = *slot;
    for (uint32_t i = 0; i < nn; i++)
        tn[i].dist = COR_UNREACHABLE;
    rbucket *rb = r->rb;
    for (unsigned b = 0; b < RADIX_BUCKETS; b++)
        rb[b].n = 0;
    uint32_t last = 0;
    size_t remaining = 0;
    if (++r->run == 0) {
        memset(r->target_stamp, 0, (nn + 1) * sizeof *r->target_stamp);
        r->run = 1;
    }
    for (size_t i = 0; i < s->n_targets; i++)
        if (s->targets[i] < nn && r->target_stamp[s->targets[i]] != r->run) {
            r->target_stamp[s->targets[i]] = r->run;
            remaining++;
        }
    int oom = 0;
    for (size_t i = 0; i < n; i++) {
        if (anchors[i].node >= nn)
            return cor_error_set(err, COR_ERR_INTERNAL, "anchor node %u out of range",
                                 anchors[i].node);
        if (anchors[i].offset_ms < tn[anchors[i].node].dist) {
            tn[anchors[i].node].dist = anchors[i].offset_ms;
            oom |= !rpush(rb, rbucket_of(anchors[i].offset_ms, last),
                          (hitem){ anchors[i].offset_ms, anchors[i].node });
        }
    }
    r->settled = 0;
    const cor_adj *adj = s->backward ? r->e->rev_adj : r->e->fwd_adj;
    while (!oom) {
        if (!rb[0].n) {
            int got = rrefill(rb, &last, tn);
            if (got <= 0) {
                oom = got < 0;
                break;
            }
        }
        hitem top = rb[0].a[--rb[0].n];
        uint32_t u = top.st, d = top.key;
        if (d > tn[u].dist)
            continue; /* stale */
        if (d > s->max_ms) {
            tn[u].dist = COR_UNREACHABLE; /* beyond the limit: not reached */
            break;
        }
        r->settled++;
        if (s->targets && r->target_stamp[u] == r->run) {
            r->target_stamp[u] = r->run - 1;
            if (--remaining == 0)
                break;
        }
        for (uint32_t f = tn[u].first, fe = tn[u + 1].first; f < fe; f++) {
            uint32_t nd = d + adj[f].time_ms, v = adj[f].head;
            if (nd >= d && nd < tn[v].dist) {
                tn[v].dist = nd;
                __builtin_prefetch(&adj[tn[v].first]); /* v's edges, wanted when settled */
                if (!rpush(rb, rbucket_of(nd, last), (hitem){ nd, v }))
                    oom = 1;
            }
        }
    }
    /* what was not settled is not final: queued entries hold the only unsettled times */
    for (unsigned b = 0; b < RADIX_BUCKETS; b++) {
        for (size_t i = 0; i < rb[b].n; i++)
            if (rb[b].a[i].key <= tn[rb[b].a[i].st].dist)
                tn[rb[b].a[i].st].dist = COR_UNREACHABLE;
        rb[b].n = 0;
    }
    if (oom)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory for a search");
    return COR_OK;
}

cor_status cor_router_run(cor_router *r, const cor_search *s, const cor_anchor *anchors,
                          size_t n, cor_error *err)
{
    const cor_engine *e = r->e;
    const cor_csr *c = &e->csr;
    uint32_t nn = c->n_nodes;
    r->layers = s->mode == COR_MODE_RAIL ? 3 : 1;
    r->backward = s->backward;
    r->times_only = s->times_only;
    r->fast = s->times_only && s->mode == COR_MODE_MULTI;
    if (r->fast)
        return run_times_only(r, s, anchors, n, err);
    if (!router_alloc(r, (size_t)nn * (size_t)r->layers + 1))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory for a search");
    if (++r->run == 0) { /* stamps wrapped: start clean */
        for (size_t i = 0; i < r->cap_states; i++)
            r->s[i].stamp = 0;
        memset(r->target_stamp, 0, (nn + 1) * sizeof *r->target_stamp);
        r->run = 1;
    }
    r->heap_n = 0;
    r->settled = 0;
    size_t remaining = 0;
    for (size_t i = 0; i < s->n_targets; i++)
        if (s->targets[i] < nn && r->target_stamp[s->targets[i]] != r->run) {
            r->target_stamp[s->targets[i]] = r->run;
            remaining++;
        }
    int stop_on_targets = s->targets != NULL;
    /* allowed edge kinds in the single-layer modes */
    unsigned allow = s->mode == COR_MODE_ROAD
                         ? (1u << COR_EDGE_ROAD) | (1u << COR_EDGE_ACCESS)
                         : (1u << COR_EDGE_KIND_COUNT) - 1;
    uint32_t start_phase = r->layers == 3 ? (s->backward ? 2 : 0) : 0;
    uint32_t ans = answer_phase(r);
    for (size_t i = 0; i < n; i++) {
        if (anchors[i].node >= nn)
            return cor_error_set(err, COR_ERR_INTERNAL, "anchor node %u out of range",
                                 anchors[i].node);
        relax(r, anchors[i].node * (uint32_t)r->layers + start_phase, anchors[i].offset_ms,
              anchors[i].offset_m, NONE32, NONE32);
    }
    const uint64_t *first = s->backward ? NULL : c->first_out;
    while (r->heap_n) {
        hitem top = r->heap[0];
        r->heap_n--;
        if (r->heap_n) {
            r->heap[0] = r->heap[r->heap_n];
            heap_down(r, 0);
        }
        r->s[top.st].pos = NONE32 - 1; /* settled */
        uint32_t d = top.key;
        if (d > s->max_ms) {
            r->s[top.st].dist = COR_UNREACHABLE; /* beyond the limit: not reached */
            while (r->heap_n) {
                r->heap_n--;
                r->s[r->heap[r->heap_n].st].dist = COR_UNREACHABLE;
            }
            break;
        }
        r->settled++;
        uint32_t u = top.st / (uint32_t)r->layers, p = top.st % (uint32_t)r->layers;
        if (stop_on_targets && p == ans && r->target_stamp[u] == r->run) {
            r->target_stamp[u] = r->run - 1;
            if (--remaining == 0)
                break;
        }
        double lu = r->s[top.st].len;
        if (!s->backward) {
            for (uint64_t f = first[u]; f < first[u + 1]; f++) {
                int kind = c->kind[f] & 15;
                uint32_t nd = d + c->time_ms[f];
                if (nd < d)
                    nd = COR_UNREACHABLE;
                if (r->layers == 1) {
                    if (allow & (1u << kind))
                        relax(r, c->head[f], nd, lu + c->length_m[f], (uint32_t)f, top.st);
                } else {
                    int q = cor_rail_next_phase(kind, (int)p);
                    if (q >= 0)
                        relax(r, c->head[f] * 3 + (uint32_t)q, nd, lu + c->length_m[f],
                              (uint32_t)f, top.st);
                }
            }
        } else {
            for (uint32_t k = e->rev_first[u]; k < e->rev_first[u + 1]; k++) {
                int kind = e->rev_kind[k] & 15;
                uint32_t nd = d + e->rev_time[k];
                if (nd < d)
                    nd = COR_UNREACHABLE;
                uint32_t f = e->rev_fwd[k];
                if (r->layers == 1) {
                    if (allow & (1u << kind))
                        relax(r, e->rev_tail[k], nd, lu + c->length_m[f], f, top.st);
                } else {
                    for (int pp = 0; pp < 3; pp++)
                        if (cor_rail_next_phase(kind, pp) == (int)p)
                            relax(r, e->rev_tail[k] * 3 + (uint32_t)pp, nd,
                                  lu + c->length_m[f], f, top.st);
                }
            }
        }
    }
    /* States still queued when the search stopped early are not final: forget them. */
    while (r->heap_n) {
        r->heap_n--;
        r->s[r->heap[r->heap_n].st].dist = COR_UNREACHABLE;
    }
    return COR_OK;
}

static uint32_t state_of(const cor_router *r, uint32_t node)
{
    return node * (uint32_t)r->layers + answer_phase(r);
}

uint32_t cor_router_time_ms(const cor_router *r, uint32_t node)
{
    if (node >= r->e->csr.n_nodes)
        return COR_UNREACHABLE;
    if (r->fast)
        return r->tn[node].dist;
    uint32_t st = state_of(r, node);
    return r->s[st].stamp == r->run ? r->s[st].dist : COR_UNREACHABLE;
}

double cor_router_length_m(const cor_router *r, uint32_t node)
{
    if (r->times_only)
        return NAN;
    return cor_router_time_ms(r, node) == COR_UNREACHABLE ? NAN : r->s[state_of(r, node)].len;
}

size_t cor_router_path(const cor_router *r, uint32_t node, uint64_t *edges, size_t cap)
{
    if (r->times_only)
        return 0;
    if (cor_router_time_ms(r, node) == COR_UNREACHABLE)
        return 0;
    size_t n = 0;
    for (uint32_t st = state_of(r, node); r->s[st].parent_e != NONE32; st = r->s[st].parent_s) {
        if (n < cap)
            edges[n] = r->s[st].parent_e;
        n++;
    }
    if (!r->backward) { /* collected from the end: reverse into travel order */
        size_t m = n < cap ? n : cap;
        for (size_t i = 0; i < m / 2; i++) {
            uint64_t t = edges[i];
            edges[i] = edges[m - 1 - i];
            edges[m - 1 - i] = t;
        }
    }
    return n;
}

uint64_t cor_router_settled(const cor_router *r) { return r->settled; }
