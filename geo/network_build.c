/* network_build.c: builds the multimodal graph: vertex noding, snapping of dangling ends,
 * stations on rail, access links, spatial node order, CSR and connected components. */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX
#define EMPTY_KEY UINT64_MAX
#define SAME_POINT_M 1e-3        /* closer than this, a split point is an existing vertex */

/* ---- uint64 -> uint32 open-addressing hash map ------------------------------------------- */
typedef struct { uint64_t *keys; uint32_t *vals; size_t mask, n; } u64map;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int map_init(u64map *m, size_t expected)
{
    size_t cap = 64;
    while (cap < expected + expected / 2 + 16)
        cap *= 2;
    m->keys = malloc(cap * sizeof *m->keys);
    m->vals = malloc(cap * sizeof *m->vals);
    m->mask = cap - 1;
    m->n = 0;
    if (!m->keys || !m->vals)
        return 0;
    memset(m->keys, 0xff, cap * sizeof *m->keys);
    return 1;
}

static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Slot of key; inserts it with value NONE32 when absent (the map never fills: sized ahead). */
static uint32_t *map_upsert(u64map *m, uint64_t key)
{
    size_t i = mix64(key) & m->mask;
    while (m->keys[i] != key) {
        if (m->keys[i] == EMPTY_KEY) {
            m->keys[i] = key;
            m->vals[i] = NONE32;
            m->n++;
            break;
        }
        i = (i + 1) & m->mask;
    }
    return &m->vals[i];
}

static uint32_t map_get(const u64map *m, uint64_t key)
{
    size_t i = mix64(key) & m->mask;
    while (m->keys[i] != EMPTY_KEY) {
        if (m->keys[i] == key)
            return m->vals[i];
        i = (i + 1) & m->mask;
    }
    return NONE32;
}

/* Vertices are the same when they agree to the centimetre. */
static uint64_t qkey(double x, double y)
{
    int64_t qx = llround(x * 100.0), qy = llround(y * 100.0);
    uint64_t k = ((uint64_t)(uint32_t)(int32_t)qx << 32) | (uint32_t)(int32_t)qy;
    return k == EMPTY_KEY ? k - 1 : k;
}

static double seg_nearest(const double *a, const double *b, double px, double py, double *t,
                          double *qx, double *qy)
{
    double dx = b[0] - a[0], dy = b[1] - a[1];
    double l2 = dx * dx + dy * dy;
    double u = l2 > 0 ? ((px - a[0]) * dx + (py - a[1]) * dy) / l2 : 0.0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    *t = u;
    *qx = a[0] + u * dx;
    *qy = a[1] + u * dy;
    return hypot(px - *qx, py - *qy);
}

/* ---- line work: a mutable copy of one network's lines ----------------------------------- */
typedef struct {
    size_t n_lines, n_points;
    size_t *start;
    double *xy;
    uint8_t *cls;
    float *speed;
} linework;

static void lw_free(linework *w)
{
    free(w->start);
    free(w->xy);
    free(w->cls);
    free(w->speed);
    memset(w, 0, sizeof *w);
}

static int lw_copy(linework *w, const cor_lines *l)
{
    memset(w, 0, sizeof *w);
    w->n_lines = l->n_lines;
    w->n_points = l->n_points;
    w->start = malloc((l->n_lines + 1) * sizeof *w->start);
    w->xy = malloc((2 * l->n_points + 1) * sizeof *w->xy);
    w->cls = malloc(l->n_lines + 1);
    w->speed = malloc((l->n_lines + 1) * sizeof *w->speed);
    if (!w->start || !w->xy || !w->cls || !w->speed)
        return 0;
    if (l->n_lines) {
        memcpy(w->start, l->start, (l->n_lines + 1) * sizeof *w->start);
        memcpy(w->xy, l->xy, 2 * l->n_points * sizeof *w->xy);
        memcpy(w->cls, l->cls, l->n_lines);
        memcpy(w->speed, l->speed_kmh, l->n_lines * sizeof *w->speed);
    } else {
        w->start[0] = 0;
    }
    return 1;
}

/* ---- nearest-segment queries over a uniform grid ---------------------------------------- */
typedef struct { double x, y; uint32_t exclude_line; } query;
typedef struct { uint32_t line, seg; double t, x, y, d; } hit;
typedef void (*hit_fn)(void *ctx, uint32_t q, const hit *h);

typedef struct { uint64_t cell; uint32_t q; } cell_entry;

static int cmp_cell_entry(const void *a, const void *b)
{
    const cell_entry *x = a, *y = b;
    return x->cell < y->cell ? -1 : x->cell > y->cell ? 1 : (x->q > y->q) - (x->q < y->q);
}

static uint64_t cell_key(int64_t cx, int64_t cy)
{
    return ((uint64_t)(uint32_t)(int32_t)cx << 32) | (uint32_t)(int32_t)cy;
}

/* Calls fn for every (query, segment) pair closer than r. Queries are bucketed in cells of
 * side >= r; each segment visits the cells its r-expanded box covers, or, for a segment
 * covering more cells than there are occupied ones, the occupied cells themselves. */
static int scan_segments(const linework *w, const query *qs, size_t nq, double r, hit_fn fn,
                         void *ctx)
{
    if (!nq || !w->n_lines)
        return 1;
    double cell = r > 1.0 ? r : 1.0;
    /* Cells far smaller than the segments make long segments visit many empty cells. */
    double total = 0;
    for (size_t i = 0; i + 1 < w->n_lines + 1 && i < 4096; i++) {
        size_t a = w->start[i], b = w->start[i + 1];
        total += hypot(w->xy[2 * (b - 1)] - w->xy[2 * a], w->xy[2 * (b - 1) + 1] -
                       w->xy[2 * a + 1]) / (double)(b - a);
    }
    double mean_seg = total / (double)(w->n_lines < 4096 ? w->n_lines : 4096);
    if (mean_seg > cell)
        cell = mean_seg;
    cell_entry *ce = malloc(nq * sizeof *ce);
    u64map cells;
    if (!ce || !map_init(&cells, nq)) {
        free(ce);
        map_free(&cells);
        return 0;
    }
    for (size_t i = 0; i < nq; i++) {
        ce[i].cell = cell_key((int64_t)floor(qs[i].x / cell), (int64_t)floor(qs[i].y / cell));
        ce[i].q = (uint32_t)i;
    }
    qsort(ce, nq, sizeof *ce, cmp_cell_entry);
    size_t n_occ = 0;
    uint32_t *occ = malloc(nq * sizeof *occ);  /* first entry index of each occupied cell */
    if (!occ) {
        free(ce);
        map_free(&cells);
        return 0;
    }
    for (size_t i = 0; i < nq; i++)
        if (i == 0 || ce[i].cell != ce[i - 1].cell) {
            *map_upsert(&cells, ce[i].cell) = (uint32_t)i;
            occ[n_occ++] = (uint32_t)i;
        }
    for (size_t l = 0; l < w->n_lines; l++) {
        for (size_t k = w->start[l]; k + 1 < w->start[l + 1]; k++) {
            const double *a = w->xy + 2 * k, *b = a + 2;
            double minx = fmin(a[0], b[0]) - r, maxx = fmax(a[0], b[0]) + r;
            double miny = fmin(a[1], b[1]) - r, maxy = fmax(a[1], b[1]) + r;
            int64_t cx0 = (int64_t)floor(minx / cell), cx1 = (int64_t)floor(maxx / cell);
            int64_t cy0 = (int64_t)floor(miny / cell), cy1 = (int64_t)floor(maxy / cell);
            int64_t ncells = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
            size_t nvisit = ncells > (int64_t)n_occ ? n_occ : (size_t)ncells;
            for (size_t v = 0; v < nvisit; v++) {
                uint32_t first;
                if (ncells > (int64_t)n_occ) {
                    first = occ[v];
                } else {
                    int64_t cx = cx0 + (int64_t)v % (cx1 - cx0 + 1);
                    int64_t cy = cy0 + (int64_t)v / (cx1 - cx0 + 1);
                    first = map_get(&cells, cell_key(cx, cy));
                    if (first == NONE32)
                        continue;
                }
                uint64_t ck = ce[first].cell;
                for (size_t e = first; e < nq && ce[e].cell == ck; e++) {
                    const query *q = &qs[ce[e].q];
                    if (q->x < minx || q->x > maxx || q->y < miny || q->y > maxy ||
                        q->exclude_line == (uint32_t)l)
                        continue;
                    hit h;
                    h.d = seg_nearest(a, b, q->x, q->y, &h.t, &h.x, &h.y);
                    if (h.d <= r) {
                        h.line = (uint32_t)l;
                        h.seg = (uint32_t)(k - w->start[l]);
                        fn(ctx, ce[e].q, &h);
                    }
                }
            }
        }
    }
    free(occ);
    free(ce);
    map_free(&cells);
    return 1;
}

static void keep_best(void *ctx, uint32_t q, const hit *h)
{
    hit *best = ctx;
    if (h->d < best[q].d)
        best[q] = *h;
}

/* Station-on-rail candidates: every hit is kept, the best per (station, line) chosen later. */
typedef struct { hit h; uint32_t q; } qhit;
typedef struct { qhit *v; size_t n, cap; int oom; } qhit_vec;

static void keep_all(void *ctx, uint32_t q, const hit *h)
{
    qhit_vec *vec = ctx;
    if (vec->n == vec->cap) {
        size_t nc = vec->cap ? 2 * vec->cap : 1024;
        qhit *nv = realloc(vec->v, nc * sizeof *nv);
        if (!nv) {
            vec->oom = 1;
            return;
        }
        vec->v = nv;
        vec->cap = nc;
    }
    vec->v[vec->n].h = *h;
    vec->v[vec->n].q = q;
    vec->n++;
}

static int cmp_qhit(const void *a, const void *b)
{
    const qhit *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    if (x->h.line != y->h.line)
        return x->h.line < y->h.line ? -1 : 1;
    return x->h.d < y->h.d ? -1 : x->h.d > y->h.d ? 1 : (x->h.seg > y->h.seg) - (x->h.seg < y->h.seg);
}

/* ---- splits: points inserted into lines --------------------------------------------------- */
typedef struct {
    uint32_t line, seg;
    double t, x, y;
    double fx, fy;              /* the coordinates it ended up with after insertion */
} split;
typedef struct { split *v; size_t n, cap; } split_vec;

static split *split_add(split_vec *s, const hit *h)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        split *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        s->v = nv;
        s->cap = nc;
    }
    split *p = &s->v[s->n++];
    *p = (split){ h->line, h->seg, h->t, h->x, h->y, h->x, h->y };
    return p;
}

static int cmp_split_ptr(const void *a, const void *b)
{
    const split *x = *(const split *const *)a, *y = *(const split *const *)b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->seg != y->seg)
        return x->seg < y->seg ? -1 : 1;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Inserts the splits into the lines, recording where each one landed. */
static int insert_splits(linework *w, split_vec *sv)
{
    if (!sv->n)
        return 1;
    split **order = malloc(sv->n * sizeof *order);
    if (!order)
        return 0;
    for (size_t i = 0; i < sv->n; i++)
        order[i] = &sv->v[i];
    qsort(order, sv->n, sizeof *order, cmp_split_ptr);
    double *nxy = malloc(2 * (w->n_points + sv->n) * sizeof *nxy);
    size_t *nstart = malloc((w->n_lines + 1) * sizeof *nstart);
    if (!nxy || !nstart) {
        free(order);
        free(nxy);
        free(nstart);
        return 0;
    }
    size_t o = 0, si = 0;
    for (size_t l = 0; l < w->n_lines; l++) {
        nstart[l] = o;
        size_t a = w->start[l], b = w->start[l + 1];
        for (size_t k = a; k < b; k++) {
            nxy[2 * o] = w->xy[2 * k];
            nxy[2 * o + 1] = w->xy[2 * k + 1];
            o++;
            uint32_t seg = (uint32_t)(k - a);
            while (si < sv->n && order[si]->line == l && order[si]->seg == seg) {
                split *s = order[si++];
                const double *prev = nxy + 2 * (o - 1);
                const double *next = k + 1 < b ? w->xy + 2 * (k + 1) : prev;
                if (hypot(s->x - prev[0], s->y - prev[1]) < SAME_POINT_M) {
                    s->fx = prev[0];
                    s->fy = prev[1];
                } else if (hypot(s->x - next[0], s->y - next[1]) < SAME_POINT_M) {
                    s->fx = next[0];
                    s->fy = next[1];
                } else {
                    nxy[2 * o] = s->fx = s->x;
                    nxy[2 * o + 1] = s->fy = s->y;
                    o++;
                }
            }
        }
    }
    nstart[w->n_lines] = o;
    free(order);
    free(w->xy);
    free(w->start);
    w->xy = nxy;
    w->start = nstart;
    w->n_points = o;
    return 1;
}

/* Removes repeated consecutive points (left by moved endpoints) and lines that collapse. */
static void compact_lines(linework *w)
{
    size_t o = 0, nl = 0;
    for (size_t l = 0; l < w->n_lines; l++) {
        size_t a = w->start[l], b = w->start[l + 1], first = o;
        for (size_t k = a; k < b; k++) {
            if (o > first && w->xy[2 * (o - 1)] == w->xy[2 * k] &&
                w->xy[2 * (o - 1) + 1] == w->xy[2 * k + 1])
                continue;
            w->xy[2 * o] = w->xy[2 * k];
            w->xy[2 * o + 1] = w->xy[2 * k + 1];
            o++;
        }
        if (o - first < 2) {
            o = first;
            continue;
        }
        w->start[nl] = first;
        w->cls[nl] = w->cls[l];
        w->speed[nl] = w->speed[l];
        nl++;
    }
    w->start[nl] = o;
    w->n_lines = nl;
    w->n_points = o;
}

/* ---- per-network state ------------------------------------------------------------------- */
typedef struct {
    linework w;
    u64map vmap;                /* vertex key -> vertex slot */
    uint32_t *vcount;           /* occurrences per slot */
    uint32_t *vnode;            /* node id per slot, NONE32 if not a node */
    uint32_t *pslot;            /* slot per point of w */
    size_t n_slots;
    split_vec splits;
    uint64_t dangles, snapped;
} netstate;

static void ns_free(netstate *ns)
{
    lw_free(&ns->w);
    map_free(&ns->vmap);
    free(ns->vcount);
    free(ns->vnode);
    free(ns->pslot);
    free(ns->splits.v);
    memset(ns, 0, sizeof *ns);
}

/* Counts vertex occurrences; fills pslot. */
static int count_vertices(netstate *ns)
{
    map_free(&ns->vmap);
    free(ns->vcount);
    free(ns->pslot);
    ns->vcount = NULL;
    ns->pslot = NULL;
    size_t np = ns->w.n_points;
    if (!map_init(&ns->vmap, np) || !(ns->vcount = calloc(np + 1, sizeof *ns->vcount)) ||
        !(ns->pslot = malloc((np + 1) * sizeof *ns->pslot)))
        return 0;
    size_t n_slots = 0;
    for (size_t k = 0; k < np; k++) {
        uint32_t *v = map_upsert(&ns->vmap, qkey(ns->w.xy[2 * k], ns->w.xy[2 * k + 1]));
        if (*v == NONE32)
            *v = (uint32_t)n_slots++;
        ns->vcount[*v]++;
        ns->pslot[k] = *v;
    }
    ns->n_slots = n_slots;
    return 1;
}

typedef struct { uint32_t line; int end; } dangle;

/* Whether lines a and b already meet at a shared vertex. */
static int lines_share_vertex(const netstate *ns, uint32_t a, uint32_t b)
{
    const linework *w = &ns->w;
    for (size_t k = w->start[a]; k < w->start[a + 1]; k++) {
        uint32_t slot = ns->pslot[k];
        if (ns->vcount[slot] < 2)
            continue;
        for (size_t j = w->start[b]; j < w->start[b + 1]; j++)
            if (ns->pslot[j] == slot)
                return 1;
    }
    return 0;
}

typedef struct { double d; uint32_t i; } by_distance;
static int cmp_by_distance(const void *x, const void *y)
{
    const by_distance *a = x, *b = y;
    return a->d < b->d ? -1 : a->d > b->d ? 1 : (a->i > b->i) - (a->i < b->i);
}

/* Snaps dangling ends within tol onto the nearest other line (splitting it there), or onto a
 * dangling end of that line when one lies within tol. The shortest gaps close first, and an
 * end never snaps onto a line its own line already meets (an overshoot past a junction stays
 * a dead end instead of folding back onto the junction). */
static int snap_dangles(netstate *ns, double tol)
{
    linework *w = &ns->w;
    if (!count_vertices(ns))
        return 0;
    size_t cap = 1024, nd = 0;
    dangle *d = malloc(cap * sizeof *d);
    if (!d)
        return 0;
    for (size_t l = 0; l < w->n_lines; l++) {
        for (int end = 0; end < 2; end++) {
            size_t k = end ? w->start[l + 1] - 1 : w->start[l];
            if (ns->vcount[ns->pslot[k]] != 1)
                continue;
            if (nd == cap) {
                dangle *nd2 = realloc(d, 2 * cap * sizeof *d);
                if (!nd2) {
                    free(d);
                    return 0;
                }
                d = nd2;
                cap *= 2;
            }
            d[nd++] = (dangle){ (uint32_t)l, end };
        }
    }
    ns->dangles = nd;
    if (!nd || tol <= 0) {
        free(d);
        return 1;
    }
    query *q = malloc(nd * sizeof *q);
    hit *best = malloc(nd * sizeof *best);
    uint32_t *dangle_at = malloc(2 * w->n_lines * sizeof *dangle_at); /* (line, end) -> dangle */
    uint8_t *done = calloc(nd, 1);
    typedef struct { uint32_t dangle; uint32_t split; double x, y; } move;
    move *moves = malloc(nd * sizeof *moves);
    int ok = q && best && dangle_at && done && moves;
    size_t nm = 0;
    if (ok) {
        memset(dangle_at, 0xff, 2 * w->n_lines * sizeof *dangle_at);
        for (size_t i = 0; i < nd; i++) {
            size_t k = d[i].end ? w->start[d[i].line + 1] - 1 : w->start[d[i].line];
            q[i] = (query){ w->xy[2 * k], w->xy[2 * k + 1], d[i].line };
            best[i].d = INFINITY;
            dangle_at[2 * d[i].line + (uint32_t)d[i].end] = (uint32_t)i;
        }
        ok = scan_segments(w, q, nd, tol, keep_best, best);
    }
    by_distance *order = ok ? malloc(nd * sizeof *order) : NULL;
    u64map joined = { 0 };
    ok = ok && order && map_init(&joined, nd);
    for (size_t i = 0; ok && i < nd; i++)
        order[i] = (by_distance){ best[i].d, (uint32_t)i };
    if (ok)
        qsort(order, nd, sizeof *order, cmp_by_distance);
    for (size_t oi = 0; ok && oi < nd; oi++) {
        size_t i = order[oi].i;
        if (done[i] || !(best[i].d <= tol))
            continue;
        const hit *h = &best[i];
        uint32_t la = d[i].line, lb = h->line;
        uint64_t pair = la < lb ? ((uint64_t)la << 32 | lb) : ((uint64_t)lb << 32 | la);
        if (map_get(&joined, pair) != NONE32 || lines_share_vertex(ns, la, lb))
            continue;
        *map_upsert(&joined, pair) = 1;
        size_t a = w->start[h->line], b = w->start[h->line + 1];
        const double *va = w->xy + 2 * (a + h->seg), *vb = va + 2;
        double tx = h->x, ty = h->y;
        uint32_t sidx = NONE32;
        /* The other line's end on this segment, if it dangles too and lies within tol. */
        uint32_t other = NONE32;
        double ox = 0, oy = 0;
        if (h->seg == 0 && dangle_at[2 * h->line] != NONE32) {
            other = dangle_at[2 * h->line];
            ox = va[0];
            oy = va[1];
        }
        if (a + h->seg + 2 == b && dangle_at[2 * h->line + 1] != NONE32 &&
            (other == NONE32 || hypot(vb[0] - q[i].x, vb[1] - q[i].y) <
                                    hypot(ox - q[i].x, oy - q[i].y))) {
            other = dangle_at[2 * h->line + 1];
            ox = vb[0];
            oy = vb[1];
        }
        if (hypot(h->x - va[0], h->y - va[1]) < SAME_POINT_M) {
            tx = va[0];
            ty = va[1];
        } else if (hypot(h->x - vb[0], h->y - vb[1]) < SAME_POINT_M) {
            tx = vb[0];
            ty = vb[1];
        } else if (other != NONE32 && !done[other] && hypot(ox - q[i].x, oy - q[i].y) <= tol) {
            tx = ox; /* two dangling ends meet: both are resolved by one move */
            ty = oy;
            done[other] = 1;
            ns->snapped++;
        } else {
            split *s = split_add(&ns->splits, h);
            if (!s) {
                ok = 0;
                break;
            }
            sidx = (uint32_t)(s - ns->splits.v);
        }
        if (other != NONE32 && tx == ox && ty == oy && !done[other]) {
            done[other] = 1;
            ns->snapped++;
        }
        done[i] = 1;
        moves[nm++] = (move){ (uint32_t)i, sidx, tx, ty };
        ns->snapped++;
    }
    /* Endpoints move after insertion so that they land exactly on the split vertices. */
    if (ok) {
        for (size_t m = 0; m < nm; m++) {
            const dangle *dg = &d[moves[m].dangle];
            size_t k = dg->end ? w->start[dg->line + 1] - 1 : w->start[dg->line];
            w->xy[2 * k] = moves[m].x;
            w->xy[2 * k + 1] = moves[m].y;
        }
    }
    free(order);
    map_free(&joined);
    free(q);
    free(best);
    free(dangle_at);
    free(done);
    free(d);
    free(moves);
    return ok;
}

/* Inserts splits, then pins every endpoint that was snapped onto a split to the split's final
 * coordinates, compacts, and counts vertices again. */
static int finish_lines(netstate *ns)
{
    if (!insert_splits(&ns->w, &ns->splits))
        return 0;
    /* Endpoints snapped onto a split point were moved to its exact coordinates, which the
     * insertion keeps unless the point fell within SAME_POINT_M of an existing vertex. Pull
     * such endpoints onto that vertex too. */
    linework *w = &ns->w;
    u64map moved;
    if (!map_init(&moved, ns->splits.n))
        return 0;
    for (size_t i = 0; i < ns->splits.n; i++) {
        const split *s = &ns->splits.v[i];
        if (s->fx != s->x || s->fy != s->y)
            *map_upsert(&moved, qkey(s->x, s->y)) = (uint32_t)i;
    }
    if (moved.n) {
        for (size_t l = 0; l < w->n_lines; l++) {
            size_t ends[2] = { w->start[l], w->start[l + 1] - 1 };
            for (int e = 0; e < 2; e++) {
                uint32_t si = map_get(&moved, qkey(w->xy[2 * ends[e]], w->xy[2 * ends[e] + 1]));
                if (si != NONE32) {
                    w->xy[2 * ends[e]] = ns->splits.v[si].fx;
                    w->xy[2 * ends[e] + 1] = ns->splits.v[si].fy;
                }
            }
        }
    }
    map_free(&moved);
    compact_lines(w);
    return count_vertices(ns);
}

/* ---- the builder ------------------------------------------------------------------------- */
typedef struct {
    uint32_t u, v;
    uint8_t kind, cls;
    double length_m, time_s;
    uint64_t geom_off;
    uint32_t geom_n;
} tmp_link;

typedef struct {
    tmp_link *v;
    size_t n, cap;
    double *gxy;
    uint64_t gn, gcap;
} link_vec;

static int link_add(link_vec *lv, const tmp_link *l)
{
    if (lv->n == lv->cap) {
        size_t nc = lv->cap ? 2 * lv->cap : 4096;
        tmp_link *nv = realloc(lv->v, nc * sizeof *nv);
        if (!nv)
            return 0;
        lv->v = nv;
        lv->cap = nc;
    }
    lv->v[lv->n++] = *l;
    return 1;
}

static int geom_reserve(link_vec *lv, uint64_t add)
{
    if (lv->gn + add <= lv->gcap)
        return 1;
    uint64_t nc = lv->gcap ? lv->gcap : 65536;
    while (nc < lv->gn + add)
        nc *= 2;
    double *g = realloc(lv->gxy, 2 * nc * sizeof *g);
    if (!g)
        return 0;
    lv->gxy = g;
    lv->gcap = nc;
    return 1;
}

static int geom_add_line(link_vec *lv, tmp_link *l, const double *pts, size_t n)
{
    if (!geom_reserve(lv, n))
        return 0;
    l->geom_off = lv->gn;
    l->geom_n = (uint32_t)n;
    memcpy(lv->gxy + 2 * lv->gn, pts, 2 * n * sizeof(double));
    lv->gn += n;
    return 1;
}

/* Node table in build order; positions only. */
typedef struct { double *xy; uint8_t *kind; size_t n, cap; } node_vec;

static uint32_t node_add(node_vec *nv, double x, double y, uint8_t kind)
{
    if (nv->n == nv->cap) {
        size_t nc = nv->cap ? 2 * nv->cap : 65536;
        double *a = realloc(nv->xy, 2 * nc * sizeof *a);
        if (!a)
            return NONE32;
        nv->xy = a;
        uint8_t *b = realloc(nv->kind, nc);
        if (!b)
            return NONE32;
        nv->kind = b;
        nv->cap = nc;
    }
    nv->xy[2 * nv->n] = x;
    nv->xy[2 * nv->n + 1] = y;
    nv->kind[nv->n] = kind;
    return (uint32_t)nv->n++;
}

/* Assigns nodes (endpoints and shared vertices) and cuts lines into links between them. */
static int emit_network(netstate *ns, node_vec *nodes, link_vec *lv, cor_edge_kind kind,
                        const cor_speeds *sp, uint8_t node_kind)
{
    linework *w = &ns->w;
    free(ns->vnode);
    if (!(ns->vnode = malloc((ns->n_slots + 1) * sizeof *ns->vnode)))
        return 0;
    memset(ns->vnode, 0xff, (ns->n_slots + 1) * sizeof *ns->vnode);
    for (size_t l = 0; l < w->n_lines; l++) {
        size_t a = w->start[l], b = w->start[l + 1];
        double kmh = isnan(w->speed[l]) ? cor_speeds_class_kmh(sp, (cor_line_class)w->cls[l])
                                        : (double)w->speed[l];
        size_t run = a;
        double run_len = 0;
        for (size_t k = a; k < b; k++) {
            if (k > a)
                run_len += hypot(w->xy[2 * k] - w->xy[2 * k - 2],
                                 w->xy[2 * k + 1] - w->xy[2 * k - 1]);
            uint32_t slot = ns->pslot[k];
            int is_node = k == a || k == b - 1 || ns->vcount[slot] >= 2;
            if (!is_node)
                continue;
            if (ns->vnode[slot] == NONE32) {
                ns->vnode[slot] = node_add(nodes, w->xy[2 * k], w->xy[2 * k + 1], node_kind);
                if (ns->vnode[slot] == NONE32)
                    return 0;
            }
            if (k > a) {
                tmp_link t = { ns->vnode[ns->pslot[run]], ns->vnode[slot], (uint8_t)kind,
                               w->cls[l], run_len, run_len / (kmh / 3.6), 0, 0 };
                if (t.u != t.v) { /* loops without a junction carry no route */
                    if (!geom_add_line(lv, &t, w->xy + 2 * run, k - run + 1) || !link_add(lv, &t))
                        return 0;
                }
                run = k;
                run_len = 0;
            }
        }
    }
    return 1;
}

/* Node of the vertex at (x, y) in a network, creating one when the vertex is not yet a node
 * (a split point placed where no line meets). */
static uint32_t node_at(netstate *ns, node_vec *nodes, double x, double y, uint8_t node_kind)
{
    uint32_t slot = map_get(&ns->vmap, qkey(x, y));
    if (slot == NONE32)
        return NONE32;
    if (ns->vnode[slot] == NONE32)
        ns->vnode[slot] = node_add(nodes, x, y, node_kind);
    return ns->vnode[slot];
}

/* A vertex made a node after emit_network must cut the links through it. Attachments are
 * therefore resolved before emission by forcing their slots to count as shared. */
static void force_node(netstate *ns, double x, double y)
{
    uint32_t slot = map_get(&ns->vmap, qkey(x, y));
    if (slot != NONE32 && ns->vcount[slot] < 2)
        ns->vcount[slot] = 2;
}

static int report(const cor_build_opts *o, double f, const char *msg)
{
    return !o->progress || o->progress(f, msg, o->progress_user);
}

typedef struct { uint64_t key; uint32_t id; } morton_item;

static int cmp_morton(const void *a, const void *b)
{
    const morton_item *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->id > y->id) - (x->id < y->id);
}

static uint64_t spread16(uint32_t v)
{
    uint64_t x = v & 0xffffu;
    x = (x | (x << 8)) & 0x00ff00ffULL;
    x = (x | (x << 4)) & 0x0f0f0f0fULL;
    x = (x | (x << 2)) & 0x33333333ULL;
    x = (x | (x << 1)) & 0x55555555ULL;
    return x;
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

typedef struct { uint32_t comp, size; } comp_size;
static int cmp_comp_size(const void *a, const void *b)
{
    const comp_size *x = a, *y = b;
    return x->size != y->size ? (x->size < y->size ? 1 : -1) : (x->comp > y->comp) - (x->comp < y->comp);
}

void cor_graph_destroy(cor_graph *g)
{
    if (!g)
        return;
    free(g->crs);
    free(g->first_out);
    free(g->head);
    free(g->time_ms);
    free(g->link);
    free(g->length_m);
    free(g->kind);
    free(g->node_xy);
    free(g->component);
    free(g->node_kind);
    free(g->links);
    free(g->geom_xy);
    for (size_t i = 0; g->place_names && i < 2 * g->n_places; i++)
        free(g->place_names[i]);
    free(g->place_names);
    free(g->places);
    free(g);
}

static uint32_t ms_of(double s)
{
    double ms = s * 1000.0;
    return ms >= 4.0e9 ? 4000000000u : (uint32_t)llround(ms);
}

/* Places joined by access links: ports, airports, parks, cities (stations are separate). */
static const cor_role PLACE_ROLES[] = { COR_ROLE_PORT, COR_ROLE_AIRPORT, COR_ROLE_PARK,
                                        COR_ROLE_CITY };

cor_graph *cor_graph_build(cor_dataset *ds, const cor_build_opts *o, cor_error *err)
{
    cor_build_opts opts = o ? *o : COR_BUILD_OPTS_DEFAULT;
    const cor_speeds *sp = &opts.speeds;
    netstate rail, road;
    memset(&rail, 0, sizeof rail);
    memset(&road, 0, sizeof road);
    node_vec nodes = { 0 };
    link_vec lv = { 0 };
    cor_graph *g = NULL;
    qhit_vec sh = { 0 };
    hit *acc = NULL;
    query *aq = NULL;
    uint32_t *acc_split = NULL, *sh_split = NULL, *perm = NULL, *uf = NULL;
    morton_item *mi = NULL;
    comp_size *cs = NULL;
    const char *oom = "out of memory building the network";

    if (!report(&opts, 0.0, "loading rail and roads"))
        goto cancelled;
    const cor_lines *rl = cor_dataset_lines(ds, COR_ROLE_RAIL, err);
    const cor_lines *dl = rl ? cor_dataset_lines(ds, COR_ROLE_ROAD, err) : NULL;
    if (!rl || !dl)
        goto fail;
    if (!rl->n_lines && !dl->n_lines) {
        cor_error_set(err, COR_ERR_INPUT, "%s: no rail or road lines: nothing to build a "
                      "network from", cor_dataset_source(ds));
        goto fail;
    }
    const cor_places *st = cor_dataset_places(ds, COR_ROLE_STATION, err);
    if (!st)
        goto fail;
    size_t n_places = 0;
    for (size_t r = 0; r < sizeof PLACE_ROLES / sizeof PLACE_ROLES[0]; r++) {
        const cor_places *p = cor_dataset_places(ds, PLACE_ROLES[r], err);
        if (!p)
            goto fail;
        n_places += p->n;
    }
    if (!report(&opts, 0.3, "noding"))
        goto cancelled;
    if (!lw_copy(&rail.w, rl) || !lw_copy(&road.w, dl))
        goto nomem;

    /* 1. Dangling ends. */
    if (!snap_dangles(&rail, opts.rail_snap_m) || !snap_dangles(&road, opts.road_snap_m))
        goto nomem;
    if (!report(&opts, 0.5, "joining stations and places"))
        goto cancelled;

    /* 2. Stations onto every rail line within station_snap_m (splits on rail). */
    size_t ns = st->n;
    if (ns && rail.w.n_lines) {
        query *sq = malloc(ns * sizeof *sq);
        if (!sq)
            goto nomem;
        for (size_t i = 0; i < ns; i++)
            sq[i] = (query){ st->items[i].x_m, st->items[i].y_m, NONE32 };
        int ok = scan_segments(&rail.w, sq, ns, opts.station_snap_m, keep_all, &sh);
        free(sq);
        if (!ok || sh.oom)
            goto nomem;
        qsort(sh.v, sh.n, sizeof *sh.v, cmp_qhit);
        size_t keep = 0; /* best hit per (station, line) */
        for (size_t i = 0; i < sh.n; i++)
            if (!keep || sh.v[keep - 1].q != sh.v[i].q || sh.v[keep - 1].h.line != sh.v[i].h.line)
                sh.v[keep++] = sh.v[i];
        sh.n = keep;
        if (!(sh_split = malloc((sh.n + 1) * sizeof *sh_split)))
            goto nomem;
        for (size_t i = 0; i < sh.n; i++) {
            split *s = split_add(&rail.splits, &sh.v[i].h);
            if (!s)
                goto nomem;
            sh_split[i] = (uint32_t)(s - rail.splits.v);
        }
    }
    /* 3. Stations and places onto the nearest road within access_max_m (splits on road). */
    size_t na = ns + n_places;
    if (!(aq = malloc((na + 1) * sizeof *aq)) || !(acc = malloc((na + 1) * sizeof *acc)) ||
        !(acc_split = malloc((na + 1) * sizeof *acc_split)))
        goto nomem;
    {
        size_t k = 0;
        for (size_t i = 0; i < ns; i++)
            aq[k++] = (query){ st->items[i].x_m, st->items[i].y_m, NONE32 };
        for (size_t r = 0; r < sizeof PLACE_ROLES / sizeof PLACE_ROLES[0]; r++) {
            const cor_places *p = cor_dataset_places(ds, PLACE_ROLES[r], err);
            for (size_t i = 0; i < p->n; i++)
                aq[k++] = (query){ p->items[i].x_m, p->items[i].y_m, NONE32 };
        }
        for (size_t i = 0; i < na; i++) {
            acc[i].d = INFINITY;
            acc_split[i] = NONE32;
        }
        if (!scan_segments(&road.w, aq, na, opts.access_max_m, keep_best, acc))
            goto nomem;
        for (size_t i = 0; i < na; i++) {
            if (!(acc[i].d <= opts.access_max_m))
                continue;
            split *s = split_add(&road.splits, &acc[i]);
            if (!s)
                goto nomem;
            acc_split[i] = (uint32_t)(s - road.splits.v);
        }
    }
    if (!report(&opts, 0.6, "cutting lines into links"))
        goto cancelled;

    /* 4. Insert splits, count vertices, force attachment points to be nodes, emit links. */
    if (!finish_lines(&rail) || !finish_lines(&road))
        goto nomem;
    for (size_t i = 0; i < rail.splits.n; i++)
        force_node(&rail, rail.splits.v[i].fx, rail.splits.v[i].fy);
    for (size_t i = 0; i < road.splits.n; i++)
        force_node(&road, road.splits.v[i].fx, road.splits.v[i].fy);
    if (!emit_network(&road, &nodes, &lv, COR_EDGE_ROAD, sp, 0) ||
        !emit_network(&rail, &nodes, &lv, COR_EDGE_RAIL, sp, 1))
        goto nomem;

    /* 5. Station and place nodes with their links. */
    if (!(g = calloc(1, sizeof *g)) || !(g->places = calloc(na + 1, sizeof *g->places)) ||
        !(g->place_names = calloc(2 * (na + 1), sizeof *g->place_names)))
        goto nomem;
    g->n_places = na;
    uint64_t stations_on_rail = 0, places_joined = 0;
    {
        size_t hi = 0;
        for (size_t i = 0; i < na; i++) {
            const cor_place *pl;
            cor_role role;
            if (i < ns) {
                pl = &st->items[i];
                role = COR_ROLE_STATION;
            } else {
                size_t j = i - ns, r = 0;
                const cor_places *p = cor_dataset_places(ds, PLACE_ROLES[0], err);
                while (j >= p->n) {
                    j -= p->n;
                    p = cor_dataset_places(ds, PLACE_ROLES[++r], err);
                }
                pl = &p->items[j];
                role = PLACE_ROLES[r];
            }
            uint32_t pn = node_add(&nodes, pl->x_m, pl->y_m, role == COR_ROLE_STATION ? 2 : 3);
            if (pn == NONE32)
                goto nomem;
            cor_graph_place *gp = &g->places[i];
            gp->role = role;
            if (!(g->place_names[2 * i] = cor_strdup(pl->name)) ||
                !(g->place_names[2 * i + 1] = cor_strdup(pl->name_zh)))
                goto nomem;
            gp->name = g->place_names[2 * i];
            gp->name_zh = g->place_names[2 * i + 1];
            gp->node = pn;
            gp->access_m = NAN;
            int on_rail = 0;
            for (; i < ns && hi < sh.n && sh.v[hi].q == i; hi++) {
                const split *s = &rail.splits.v[sh_split[hi]];
                uint32_t rn = node_at(&rail, &nodes, s->fx, s->fy, 1);
                if (rn == NONE32)
                    continue;
                double d = hypot(s->fx - pl->x_m, s->fy - pl->y_m);
                tmp_link b = { pn, rn, COR_EDGE_BOARD, 0, d, sp->board_s, 0, 0 };
                tmp_link a = { rn, pn, COR_EDGE_ALIGHT, 0, d, sp->alight_s, 0, 0 };
                double pts[4] = { pl->x_m, pl->y_m, s->fx, s->fy };
                double rpts[4] = { s->fx, s->fy, pl->x_m, pl->y_m };
                if (!geom_add_line(&lv, &b, pts, 2) || !link_add(&lv, &b) ||
                    !geom_add_line(&lv, &a, rpts, 2) || !link_add(&lv, &a))
                    goto nomem;
                on_rail = 1;
            }
            stations_on_rail += (uint64_t)on_rail;
            if (acc_split[i] != NONE32) {
                const split *s = &road.splits.v[acc_split[i]];
                uint32_t rn = node_at(&road, &nodes, s->fx, s->fy, 0);
                if (rn != NONE32) {
                    double d = hypot(s->fx - pl->x_m, s->fy - pl->y_m);
                    tmp_link t = { pn, rn, COR_EDGE_ACCESS, 0, d, d / (sp->access_kmh / 3.6),
                                   0, 0 };
                    double pts[4] = { pl->x_m, pl->y_m, s->fx, s->fy };
                    if (!geom_add_line(&lv, &t, pts, 2) || !link_add(&lv, &t))
                        goto nomem;
                    gp->access_m = d;
                    if (i >= ns)
                        places_joined++;
                }
            }
        }
    }
    if (!report(&opts, 0.8, "ordering nodes and building the CSR"))
        goto cancelled;

    /* 6. Spatial node order (Morton code on a 16-bit grid over the extent). */
    size_t nn = nodes.n;
    if (nn >= NONE32) {
        cor_error_set(err, COR_ERR_INPUT, "network too large: %zu nodes", nn);
        goto fail;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < nn; i++) {
        minx = fmin(minx, nodes.xy[2 * i]);
        maxx = fmax(maxx, nodes.xy[2 * i]);
        miny = fmin(miny, nodes.xy[2 * i + 1]);
        maxy = fmax(maxy, nodes.xy[2 * i + 1]);
    }
    double span = fmax(maxx - minx, maxy - miny);
    double sc = span > 0 ? 65535.0 / span : 0;
    if (!(mi = malloc((nn + 1) * sizeof *mi)) || !(perm = malloc((nn + 1) * sizeof *perm)))
        goto nomem;
    for (size_t i = 0; i < nn; i++) {
        uint32_t qx = (uint32_t)((nodes.xy[2 * i] - minx) * sc);
        uint32_t qy = (uint32_t)((nodes.xy[2 * i + 1] - miny) * sc);
        mi[i].key = spread16(qx) | (spread16(qy) << 1);
        mi[i].id = (uint32_t)i;
    }
    qsort(mi, nn, sizeof *mi, cmp_morton);
    for (size_t i = 0; i < nn; i++)
        perm[mi[i].id] = (uint32_t)i;

    g->crs = cor_strdup(cor_dataset_working_crs(ds));
    g->n_nodes = (uint32_t)nn;
    if (!g->crs || !(g->node_xy = malloc((2 * nn + 1) * sizeof *g->node_xy)) ||
        !(g->node_kind = malloc(nn + 1)) || !(g->component = malloc((nn + 1) * sizeof(uint32_t))))
        goto nomem;
    for (size_t i = 0; i < nn; i++) {
        g->node_xy[2 * perm[i]] = nodes.xy[2 * i];
        g->node_xy[2 * perm[i] + 1] = nodes.xy[2 * i + 1];
        g->node_kind[perm[i]] = nodes.kind[i];
    }
    for (size_t i = 0; i < na; i++)
        g->places[i].node = perm[g->places[i].node];

    /* 7. Links (final ids) and the CSR of directed edges. */
    g->n_links = lv.n;
    if (!(g->links = malloc((lv.n + 1) * sizeof *g->links)) ||
        !(g->first_out = calloc(nn + 2, sizeof *g->first_out)))
        goto nomem;
    cor_graph_stats *gs = &g->stats;
    for (size_t i = 0; i < lv.n; i++) {
        const tmp_link *t = &lv.v[i];
        cor_link *L = &g->links[i];
        *L = (cor_link){ perm[t->u], perm[t->v], t->kind, t->cls, (float)t->length_m,
                         ms_of(t->time_s), t->geom_off, t->geom_n };
        int directed = t->kind == COR_EDGE_BOARD || t->kind == COR_EDGE_ALIGHT;
        g->first_out[L->u + 1]++;
        if (!directed)
            g->first_out[L->v + 1]++;
        gs->links[t->kind]++;
        gs->length_km[t->kind] += t->length_m / 1000.0;
    }
    for (size_t i = 0; i < nn; i++)
        g->first_out[i + 1] += g->first_out[i];
    uint64_t ne = g->first_out[nn];
    g->n_edges = ne;
    if (!(g->head = malloc((ne + 1) * sizeof *g->head)) ||
        !(g->time_ms = malloc((ne + 1) * sizeof *g->time_ms)) ||
        !(g->link = malloc((ne + 1) * sizeof *g->link)) ||
        !(g->length_m = malloc((ne + 1) * sizeof *g->length_m)) || !(g->kind = malloc(ne + 1)))
        goto nomem;
    {
        uint64_t *fill = malloc((nn + 1) * sizeof *fill);
        if (!fill)
            goto nomem;
        memcpy(fill, g->first_out, nn * sizeof *fill);
        for (size_t i = 0; i < lv.n; i++) {
            const cor_link *L = &g->links[i];
            uint8_t k = (uint8_t)(L->kind | (L->cls << 4));
            for (int dir = 0; dir < 2; dir++) {
                if (dir && (L->kind == COR_EDGE_BOARD || L->kind == COR_EDGE_ALIGHT))
                    break;
                uint32_t from = dir ? L->v : L->u, to = dir ? L->u : L->v;
                uint64_t e = fill[from]++;
                g->head[e] = to;
                g->time_ms[e] = L->time_ms;
                g->length_m[e] = L->length_m;
                g->kind[e] = k;
                g->link[e] = (uint32_t)i;
            }
        }
        free(fill);
    }
    g->geom_xy = lv.gxy;
    g->geom_n = lv.gn;
    lv.gxy = NULL;

    /* 8. Connected components (undirected), numbered by size, 0 the largest. */
    if (!(uf = malloc((nn + 1) * sizeof *uf)) || !(cs = calloc(nn + 1, sizeof *cs)))
        goto nomem;
    for (size_t i = 0; i < nn; i++)
        uf[i] = (uint32_t)i;
    for (size_t i = 0; i < g->n_links; i++) {
        uint32_t a = uf_find(uf, g->links[i].u), b = uf_find(uf, g->links[i].v);
        if (a != b)
            uf[a < b ? b : a] = a < b ? a : b;
    }
    uint32_t ncomp = 0;
    for (size_t i = 0; i < nn; i++) {
        uint32_t r = uf_find(uf, (uint32_t)i);
        if (r == i)
            cs[ncomp++] = (comp_size){ (uint32_t)i, 0 };
    }
    for (size_t i = 0; i < nn; i++)
        g->component[i] = uf_find(uf, (uint32_t)i);
    /* count sizes: map root -> index via uf reuse */
    for (uint32_t c = 0; c < ncomp; c++)
        uf[cs[c].comp] = c | 0x80000000u;
    for (size_t i = 0; i < nn; i++)
        cs[uf[g->component[i]] & 0x7fffffffu].size++;
    qsort(cs, ncomp, sizeof *cs, cmp_comp_size);
    for (uint32_t c = 0; c < ncomp; c++)
        uf[cs[c].comp] = c | 0x80000000u;
    for (size_t i = 0; i < nn; i++)
        g->component[i] = uf[g->component[i]] & 0x7fffffffu;

    gs->nodes = g->n_nodes;
    gs->directed_edges = ne;
    gs->components = ncomp;
    gs->largest_component_share = nn ? (double)(ncomp ? cs[0].size : 0) / (double)nn : 0;
    gs->rail_dangles = rail.dangles;
    gs->rail_snapped = rail.snapped;
    gs->road_dangles = road.dangles;
    gs->road_snapped = road.snapped;
    gs->stations = ns;
    gs->stations_on_rail = stations_on_rail;
    gs->places = n_places;
    gs->places_joined = places_joined;
    gs->graph_bytes = (nn + 1) * sizeof(uint64_t) +
                      ne * (2 * sizeof(uint32_t) + sizeof(float) + 1 + sizeof(uint32_t)) +
                      nn * (2 * sizeof(double) + sizeof(uint32_t) + 1);
    gs->geometry_bytes = g->geom_n * 2 * sizeof(double) + g->n_links * sizeof(cor_link);
    for (size_t i = 0; i < na; i++)
        g->places[i].in_main_component = g->component[g->places[i].node] == 0;
    report(&opts, 1.0, "done");
    goto done;

cancelled:
    cor_error_set(err, COR_ERR_CANCELLED, "network build cancelled");
    goto fail;
nomem:
    cor_error_set(err, COR_ERR_NOMEM, "%s", oom);
fail:
    cor_graph_destroy(g);
    g = NULL;
done:
    ns_free(&rail);
    ns_free(&road);
    free(nodes.xy);
    free(nodes.kind);
    free(lv.v);
    free(lv.gxy);
    free(sh.v);
    free(sh_split);
    free(acc);
    free(aq);
    free(acc_split);
    free(mi);
    free(perm);
    free(uf);
    free(cs);
    return g;
}

void cor_graph_get_stats(const cor_graph *g, cor_graph_stats *out) { *out = g->stats; }
size_t cor_graph_place_count(const cor_graph *g) { return g->n_places; }

const cor_graph_place *cor_graph_place_get(const cor_graph *g, size_t i)
{
    return i < g->n_places ? &g->places[i] : NULL;
}

void cor_graph_csr(const cor_graph *g, cor_csr *out)
{
    *out = (cor_csr){ g->n_nodes, g->n_edges, g->first_out, g->head, g->time_ms, g->length_m,
                      g->kind, g->link, g->node_xy, g->component };
}

const char *cor_edge_kind_name(cor_edge_kind k)
{
    static const char *const N[COR_EDGE_KIND_COUNT] = { "road", "rail", "access", "board",
                                                        "alight" };
    return (unsigned)k < COR_EDGE_KIND_COUNT ? N[k] : "?";
}
