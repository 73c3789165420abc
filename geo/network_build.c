/* network_build.c: builds the multimodal graph: vertex noding, snapping of dangling ends,
 * stations on rail, access links and spatial node order; the CSR and components are built in
 * graph_finish.c. */
#include "graph.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* fmin and fmax for finite coordinates (no NaN reaches the builder): inlined, where the
 * C library's are calls in the hot bounding-box loops. */
static inline double dmin(double a, double b) { return b < a ? b : a; }
static inline double dmax(double a, double b) { return b > a ? b : a; }

/* llround for |v| < 2^52, inlined (the C library's is a call, once per point per pass): the
 * truncation is exact and so is v - t, so halves round away from zero as llround does. */
static inline int64_t round_half_away(double v)
{
    int64_t t = (int64_t)v;
    double f = v - (double)t;
    return t + (int64_t)(f >= 0.5) - (int64_t)(f <= -0.5); /* no branch: f is random */
}

/* Vertices are the same when they agree to the centimetre. */
static uint64_t qkey(double x, double y)
{
    int64_t qx = round_half_away(x * 100.0), qy = round_half_away(y * 100.0);
    uint64_t k = ((uint64_t)(uint32_t)(int32_t)qx << 32) | (uint32_t)(int32_t)qy;
    return k == EMPTY_KEY ? k - 1 : k;
}

/* ---- vertex table: vertex key -> occurrence count and node id ---------------------------- */
/* Most points of a line are one line's alone; only line ends and the vertices lines share
 * become nodes. Counting every point in an exact table would touch a slot at random for each
 * of them, so the counting is in two steps:
 *  1. a filter (vfilter) counts the points per hash bucket, 0, 1 or "2 or more", in 2 bits:
 *     eight buckets a point keep it small enough for the caches (16 MB for 8 M points). This
 *     runs as the lines are read.
 *  2. the candidates (line ends and points in a bucket with 2 or more) go into the exact table
 *     (vtable), one vertex per distinct key. The others are vertices that no other point
 *     shares; their pslot is NONE32 and their count is 1 without being stored.
 * The table is in VT_PARTS parts, each with its own linear probing, chosen by the hash's top
 * bits: the parts are filled in parallel, each by one thread. The hash table maps a key to
 * its vertex id (part << 29 | its number in the part); the counts and nodes are in one array
 * per part, in the order the vertices entered it. Points keep their vertex id (pslot), so
 * later passes touch no hash table, and as points come in line order so do their vertices:
 * the passes that follow the lines (cutting links, finding dangling ends) walk through those
 * arrays nearly in order.
 * Edits after that (moved ends, inserted splits) keep the counts: a key that enters the table
 * may be the key of a point left out (a bucket holding 1), so that bucket is marked (3) and
 * vt_fixup brings its point in before the counts are used. */
enum { VT_PARTS = 8 };
#define CAND32 (NONE32 - 16)    /* pslot while counting: CAND32 + part, a candidate */
#define VT_LOCAL ((1u << 29) - 32) /* vertex ids: part << 29 | the part's own number */

/* 12 bytes: the key's two halves and the id (a 64-bit key would pad the slot to 16) */
typedef struct { uint32_t khi, klo, id; } vslot;
static inline uint64_t vs_key(const vslot *s) { return (uint64_t)s->khi << 32 | s->klo; }
static inline vslot vs_make(uint64_t key, uint32_t id)
{
    return (vslot){ (uint32_t)(key >> 32), (uint32_t)key, id };
}
typedef struct { uint32_t count, node; } vnode;
typedef struct {
    vslot *t;                   /* VT_PARTS * pcap slots, in a block of t_bytes (see vt_init) */
    size_t t_bytes;
    size_t pcap, used[VT_PARTS];/* used[p]: vertices in part p, the next one's number */
    vnode *d[VT_PARTS];         /* per part: room for pcap vertices */
} vtable;
typedef struct { uint64_t *w; uint64_t mask; size_t marked; } vfilter;

static inline uint64_t vhash(double x, double y) { return mix64(qkey(x, y)); }
static inline size_t vt_part(uint64_t h) { return (size_t)(h >> 61); }
static inline size_t vt_home(const vtable *v, uint64_t h)
{
    return vt_part(h) * v->pcap + (size_t)(((unsigned __int128)(h << 3) * v->pcap) >> 64);
}
static inline vnode *vt_node(const vtable *v, uint32_t id)
{
    return &v->d[id >> 29][id & ((1u << 29) - 1)];
}

/* malloc for a large array read at random: aligned to 2 MiB and asking Linux for huge pages,
 * so that its lookups miss the TLB far less often (a no-op elsewhere). Freed with free(). */
static void *big_alloc(size_t bytes)
{
    enum { HUGE = 2u << 20 };
    if (bytes < 4 * (size_t)HUGE)
        return malloc(bytes);
    void *p = NULL;
    size_t rounded = (bytes + HUGE - 1) / HUGE * HUGE;
    if (posix_memalign(&p, HUGE, rounded))
        return NULL;
    cor_advise_huge(p, rounded);
    return p;
}

static void vt_free(vtable *v)
{
    free(v->t);
    for (int p = 0; p < VT_PARTS; p++)
        free(v->d[p]);
    memset(v, 0, sizeof *v);
}

/* An empty table for about expected distinct vertices (at most 80 % full). Its slots are in
 * a block of at least min_bytes: the links are later made of it (the builder hands it over
 * once the keys are no longer needed), so the pages the slots have touched serve again
 * instead of fresh ones; the rest of the block is not touched until then. */
static int vt_init(vtable *v, size_t expected, size_t min_bytes)
{
    memset(v, 0, sizeof *v);
    v->pcap = (expected + expected / 4) / VT_PARTS + 64;
    if (v->pcap > VT_LOCAL)
        return 0;
    size_t cap = VT_PARTS * v->pcap;
    v->t_bytes = cap * sizeof *v->t > min_bytes ? cap * sizeof *v->t : min_bytes;
    v->t = big_alloc(v->t_bytes);
    for (int p = 0; p < VT_PARTS; p++)
        if (!(v->d[p] = big_alloc(v->pcap * sizeof *v->d[p]))) {
            vt_free(v);
            return 0;
        }
    if (!v->t) {
        vt_free(v);
        return 0;
    }
    /* Most of the cost is the kernel clearing the pages on first touch: share it out. */
    vslot *t = v->t;
#pragma omp parallel for schedule(static) if (cap > ((size_t)1 << 20))
    for (size_t i = 0; i < cap; i++)
        t[i] = vs_make(EMPTY_KEY, 0);
    return 1;
}

/* The vertex id of key, or NONE32. */
static uint32_t vt_find(const vtable *v, uint64_t key)
{
    uint64_t h = mix64(key);
    size_t part = vt_part(h), lo = part * v->pcap, hi = lo + v->pcap, i = vt_home(v, h);
    while (vs_key(&v->t[i]) != key) {
        if (vs_key(&v->t[i]) == EMPTY_KEY)
            return NONE32;
        if (++i == hi)
            i = lo;
    }
    return (uint32_t)part << 29 | v->t[i].id;
}

/* The vertex id of key (hash h), a new vertex (count 0, no node) when absent (then *fresh is
 * set); the caller keeps the part below its capacity, and only one thread works in a part at
 * a time. */
static uint32_t vt_upsert(vtable *v, uint64_t key, uint64_t h, int *fresh)
{
    size_t part = vt_part(h), lo = part * v->pcap, hi = lo + v->pcap, i = vt_home(v, h);
    while (vs_key(&v->t[i]) != key) {
        if (vs_key(&v->t[i]) == EMPTY_KEY) {
            uint32_t id = (uint32_t)v->used[part]++;
            v->t[i] = vs_make(key, id);
            v->d[part][id] = (vnode){ 0, NONE32 };
            *fresh = 1;
            break;
        }
        if (++i == hi)
            i = lo;
    }
    return (uint32_t)part << 29 | v->t[i].id;
}

/* A filter of 2-bit bucket counts for about n points (8 buckets a point). */
static int vf_init(vfilter *f, size_t n)
{
    size_t nb = (size_t)1 << 16;
    while (nb < 8 * n)
        nb *= 2;
    f->mask = nb - 1;
    f->marked = 0;
    f->w = big_alloc(nb / 4);
    if (f->w)
        memset(f->w, 0, nb / 4);
    return f->w != NULL;
}

static void vf_free(vfilter *f)
{
    free(f->w);
    memset(f, 0, sizeof *f);
}

/* Points the filter takes before its buckets get too full to tell much apart. */
static size_t vf_room(const vfilter *f) { return f->w ? (size_t)(f->mask / 4) : 0; }

static inline unsigned vf_get(const vfilter *f, uint64_t h)
{
    uint64_t b = h & f->mask;
    return (unsigned)(f->w[b >> 5] >> ((b & 31) * 2)) & 3;
}

/* Counts the n points of xy in the filter. The filter is larger than the caches close to the
 * core: each point's word is fetched AHEAD points early, its hash kept in a ring until then. */
static void vf_points(vfilter *f, const double *xy, size_t n)
{
    enum { AHEAD = 16 };
    uint64_t ring[AHEAD];
    for (size_t k = 0; k < n + AHEAD; k++) {
        size_t r = k % AHEAD;
        if (k >= AHEAD) {
            uint64_t b = ring[r] & f->mask;
            unsigned sh = (unsigned)(b & 31) * 2;
            if (((f->w[b >> 5] >> sh) & 3) < 2)
                f->w[b >> 5] += (uint64_t)1 << sh;
        }
        if (k < n) {
            ring[r] = vhash(xy[2 * k], xy[2 * k + 1]);
            __builtin_prefetch(&f->w[(ring[r] & f->mask) >> 5], 1);
        }
    }
}

/* A key just entered the table: a point left out of it may have that key when its bucket
 * holds exactly one point; marks the bucket (3) for vt_fixup. */
static void vf_mark(vfilter *f, uint64_t h)
{
    if (!f->w || vf_get(f, h) != 1)
        return;
    uint64_t b = h & f->mask;
    f->w[b >> 5] |= (uint64_t)3 << ((b & 31) * 2);
    f->marked++;
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
    int64_t *fid;               /* [scenario] source feature id per line (line names) */
} linework;

static void lw_free(linework *w)
{
    free(w->start);
    free(w->xy);
    free(w->cls);
    free(w->speed);
    free(w->fid);
    memset(w, 0, sizeof *w);
}

/* Takes the arrays of l (which is left empty). */
static void lw_take(linework *w, cor_lines *l)
{
    w->n_lines = l->n_lines;
    w->n_points = l->n_points;
    w->start = l->start;
    w->xy = l->xy;
    w->cls = l->cls;
    w->speed = l->speed_kmh;
    w->fid = l->fid;
    l->fid = NULL;
    l->start = NULL;
    l->xy = NULL;
    l->cls = NULL;
    l->speed_kmh = NULL;
    cor_lines_free(l);
}

static int lw_ensure(linework *w)
{
    if (w->start)
        return 1;
    w->start = calloc(1, sizeof *w->start);
    return w->start != NULL;
}

/* ---- nearest-segment queries over a uniform grid ---------------------------------------- */
typedef struct { double x, y; uint32_t exclude_line; } query;
typedef struct { uint32_t line, seg; double t, x, y, d; } hit;
typedef void (*hit_fn)(void *ctx, uint32_t q, const hit *h);

/* Calls fn for every (query, segment) pair closer than r. Queries are bucketed in a dense grid
 * (cells of side >= r, about 16 a query) over their extent; a segment visits the cells its
 * r-expanded box covers, or tests every query when that box covers more cells than there are
 * queries. Segments outside the queries' extent are rejected by one box test. */
/* The query grid of scan_segments. */
typedef struct {
    const query *qs;
    size_t nq, nx, ny;
    double r, cell, qminx, qminy, qmaxx, qmaxy;
    const uint32_t *first, *order, *sat;
    const uint64_t *occupied;   /* bit c: cell c holds a query (small enough for the caches) */
    /* a finer bitmap of the cells holding a query (cells of side >= r, at most 16M: 2 MB):
     * most lines are passed over by a few word tests on it */
    const uint64_t *fine;
    size_t fnx, fny;
    double finv;                /* 1 / the fine cells' side */
} qgrid;

/* Whether any fine cell in the box [minx, maxx] x [miny, maxy] (within the queries' extent)
 * holds a query. */
static int fine_any(const qgrid *gq, double minx, double miny, double maxx, double maxy)
{
    size_t fx0 = minx <= gq->qminx ? 0 : (size_t)((minx - gq->qminx) * gq->finv);
    size_t fy0 = miny <= gq->qminy ? 0 : (size_t)((miny - gq->qminy) * gq->finv);
    size_t fx1 = (size_t)((dmin(maxx, gq->qmaxx) - gq->qminx) * gq->finv);
    size_t fy1 = (size_t)((dmin(maxy, gq->qmaxy) - gq->qminy) * gq->finv);
    if (fx1 >= gq->fnx)
        fx1 = gq->fnx - 1;
    if (fy1 >= gq->fny)
        fy1 = gq->fny - 1;
    for (size_t fy = fy0; fy <= fy1; fy++) {
        size_t b0 = fy * gq->fnx + fx0, b1 = fy * gq->fnx + fx1; /* bits b0..b1 */
        for (size_t wi = b0 >> 6; wi <= b1 >> 6; wi++) {
            uint64_t m = gq->fine[wi];
            if (wi == b0 >> 6)
                m &= ~(uint64_t)0 << (b0 & 63);
            if (wi == b1 >> 6 && (b1 & 63) != 63)
                m &= ((uint64_t)1 << ((b1 & 63) + 1)) - 1;
            if (m)
                return 1;
        }
    }
    return 0;
}


/* scan_segments over the lines [l0, l1). */
static void scan_lines(const linework *w, size_t l0, size_t l1, const qgrid *gq, hit_fn fn,
                       void *ctx)
{
    const query *qs = gq->qs;
    size_t nq = gq->nq, nx = gq->nx;
    double r = gq->r, inv = 1.0 / gq->cell, qminx = gq->qminx, qminy = gq->qminy;
    double qmaxx = gq->qmaxx, qmaxy = gq->qmaxy;
    const uint32_t *first = gq->first, *order = gq->order, *sat = gq->sat;
    const uint64_t *occupied = gq->occupied;
    for (size_t l = l0; l < l1; l++) {
        if (w->start[l + 1] - w->start[l] > 2) {
            double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
            for (size_t k = w->start[l]; k < w->start[l + 1]; k++) {
                minx = dmin(minx, w->xy[2 * k]);
                maxx = dmax(maxx, w->xy[2 * k]);
                miny = dmin(miny, w->xy[2 * k + 1]);
                maxy = dmax(maxy, w->xy[2 * k + 1]);
            }
            minx -= r;
            maxx += r;
            miny -= r;
            maxy += r;
            if (maxx < qminx || minx > qmaxx || maxy < qminy || miny > qmaxy)
                continue;
            size_t cx0 = minx <= qminx ? 0 : (size_t)((minx - qminx) * inv);
            size_t cy0 = miny <= qminy ? 0 : (size_t)((miny - qminy) * inv);
            size_t cx1 = (size_t)((dmin(maxx, qmaxx) - qminx) * inv) + 1;
            size_t cy1 = (size_t)((dmin(maxy, qmaxy) - qminy) * inv) + 1;
            if (sat[cy1 * (nx + 1) + cx1] - sat[cy0 * (nx + 1) + cx1] -
                    sat[cy1 * (nx + 1) + cx0] + sat[cy0 * (nx + 1) + cx0] == 0 ||
                !fine_any(gq, minx, miny, maxx, maxy))
                continue;
        }
        for (size_t k = w->start[l]; k + 1 < w->start[l + 1]; k++) {
            const double *a = w->xy + 2 * k, *b = a + 2;
            double minx = dmin(a[0], b[0]) - r, maxx = dmax(a[0], b[0]) + r;
            double miny = dmin(a[1], b[1]) - r, maxy = dmax(a[1], b[1]) + r;
            if (maxx < qminx || minx > qmaxx || maxy < qminy || miny > qmaxy)
                continue;
            size_t cx0 = minx <= qminx ? 0 : (size_t)((minx - qminx) * inv);
            size_t cy0 = miny <= qminy ? 0 : (size_t)((miny - qminy) * inv);
            size_t cx1 = (size_t)((dmin(maxx, qmaxx) - qminx) * inv);
            size_t cy1 = (size_t)((dmin(maxy, qmaxy) - qminy) * inv);
            size_t ncells = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
            int brute = ncells > nq;
            for (size_t cy = brute ? 0 : cy0; cy <= (brute ? 0 : cy1); cy++)
                for (size_t cx = brute ? 0 : cx0; cx <= (brute ? 0 : cx1); cx++) {
                    size_t c = cy * nx + cx;
                    if (!brute && !(occupied[c >> 6] >> (c & 63) & 1))
                        continue;
                    size_t e0 = brute ? 0 : first[cy * nx + cx];
                    size_t e1 = brute ? nq : first[cy * nx + cx + 1];
                    for (size_t e = e0; e < e1; e++) {
                        uint32_t qi = brute ? (uint32_t)e : order[e];
                        const query *q = &qs[qi];
                        if (q->x < minx || q->x > maxx || q->y < miny || q->y > maxy ||
                            q->exclude_line == (uint32_t)l)
                            continue;
                        hit h;
                        h.d = seg_nearest(a, b, q->x, q->y, &h.t, &h.x, &h.y);
                        if (h.d <= r) {
                            h.line = (uint32_t)l;
                            h.seg = (uint32_t)(k - w->start[l]);
                            fn(ctx, qi, &h);
                        }
                    }
                }
        }
    }
}

static void keep_best(void *ctx, uint32_t q, const hit *h);

static int scan_segments(const linework *w, const query *qs, size_t nq, double r, hit_fn fn,
                         void *ctx)
{
    if (!nq || !w->n_lines)
        return 1;
    double qminx = INFINITY, qminy = INFINITY, qmaxx = -INFINITY, qmaxy = -INFINITY;
    for (size_t i = 0; i < nq; i++) {
        qminx = dmin(qminx, qs[i].x);
        qmaxx = dmax(qmaxx, qs[i].x);
        qminy = dmin(qminy, qs[i].y);
        qmaxy = dmax(qmaxy, qs[i].y);
    }
    /* about 16 cells a query (the cells a segment visits are mostly empty either way; fewer
     * cells are less memory to clear), between 64k and 4M */
    double cell = r > 1.0 ? r : 1.0, max_cells = 16.0 * (double)nq;
    max_cells = max_cells < 65536.0 ? 65536.0 : max_cells > 4.0e6 ? 4.0e6 : max_cells;
    while (((qmaxx - qminx) / cell + 1) * ((qmaxy - qminy) / cell + 1) > max_cells)
        cell *= 2;
    /* cells by multiplying with 1 / cell (no division per segment); the same for queries and
     * segments, so a query in a box is in the box's cells */
    double inv = 1.0 / cell;
    size_t nx = (size_t)((qmaxx - qminx) * inv) + 1, ny = (size_t)((qmaxy - qminy) * inv) + 1;
    double fcell = r > 1.0 ? r : 1.0;
    while (((qmaxx - qminx) / fcell + 1) * ((qmaxy - qminy) / fcell + 1) > 16.0e6)
        fcell *= 2;
    double finv = 1.0 / fcell;
    size_t fnx = (size_t)((qmaxx - qminx) * finv) + 1, fny = (size_t)((qmaxy - qminy) * finv) + 1;
    uint32_t *first = calloc(nx * ny + 1, sizeof *first);
    uint32_t *order = malloc(nq * sizeof *order);
    uint32_t *cell_of = malloc(nq * sizeof *cell_of);
    /* Queries in the cells [0, x) x [0, y) at sat[y * (nx + 1) + x]: a line whose r-expanded
     * box covers no query is passed over in one test instead of one per segment. */
    uint32_t *sat = calloc((nx + 1) * (ny + 1), sizeof *sat);
    uint64_t *occupied = calloc((nx * ny + 63) / 64, sizeof *occupied);
    uint64_t *fine = calloc((fnx * fny + 63) / 64, sizeof *fine);
    if (!first || !order || !cell_of || !sat || !occupied || !fine) {
        free(first);
        free(order);
        free(cell_of);
        free(sat);
        free(occupied);
        free(fine);
        return 0;
    }
    for (size_t i = 0; i < nq; i++) {
        size_t cx = (size_t)((qs[i].x - qminx) * inv), cy = (size_t)((qs[i].y - qminy) * inv);
        cell_of[i] = (uint32_t)(cy * nx + cx);
        first[cell_of[i] + 1]++;
    }
    for (size_t c = 0; c < nx * ny; c++)
        first[c + 1] += first[c];
    for (size_t i = 0; i < nq; i++) /* counting sort: queries by cell, stable */
        order[first[cell_of[i]]++] = (uint32_t)i;
    for (size_t c = nx * ny; c > 0; c--)
        first[c] = first[c - 1];
    first[0] = 0;
    free(cell_of);
    for (size_t cy = 0; cy < ny; cy++)
        for (size_t cx = 0; cx < nx; cx++)
            sat[(cy + 1) * (nx + 1) + cx + 1] =
                (first[cy * nx + cx + 1] - first[cy * nx + cx]) + sat[cy * (nx + 1) + cx + 1] +
                sat[(cy + 1) * (nx + 1) + cx] - sat[cy * (nx + 1) + cx];
    for (size_t c = 0; c < nx * ny; c++)
        if (first[c + 1] > first[c])
            occupied[c >> 6] |= (uint64_t)1 << (c & 63);
    for (size_t i = 0; i < nq; i++) {
        size_t fx = (size_t)((qs[i].x - qminx) * finv), fy = (size_t)((qs[i].y - qminy) * finv);
        size_t c = (fy < fny ? fy : fny - 1) * fnx + (fx < fnx ? fx : fnx - 1);
        fine[c >> 6] |= (uint64_t)1 << (c & 63);
    }
    qgrid gq = { qs, nq, nx, ny, r, cell, qminx, qminy, qmaxx, qmaxy, first, order, sat,
                 occupied, fine, fnx, fny, finv };
    /* keep_best over many points: two halves of the lines on two threads, each with its own
     * best hits, merged so that the first of equally near hits still wins. */
    hit *best2 = NULL;
    if (fn == keep_best && w->n_points > ((size_t)1 << 20) && omp_get_max_threads() > 1 &&
        (best2 = malloc(nq * sizeof *best2)) != NULL) {
        for (size_t i = 0; i < nq; i++)
            best2[i].d = INFINITY;
        size_t mid = 0;
        while (mid < w->n_lines && w->start[mid] < w->n_points / 2)
            mid++;
#pragma omp parallel num_threads(2)
        {
            int t = omp_get_thread_num(), nt = omp_get_num_threads();
            if (t == 0)
                scan_lines(w, 0, mid, &gq, fn, ctx);
            if (t == 1 || nt < 2)
                scan_lines(w, mid, w->n_lines, &gq, fn, best2);
        }
        hit *best = ctx;
        for (size_t i = 0; i < nq; i++)
            if (best2[i].d < best[i].d)
                best[i] = best2[i];
        free(best2);
    } else {
        scan_lines(w, 0, w->n_lines, &gq, fn, ctx);
    }
    free(fine);
    free(occupied);
    free(sat);
    free(first);
    free(order);
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
    uint32_t vid;               /* its vertex once inserted (force_nodes), for node_at */
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
    *p = (split){ h->line, h->seg, NONE32, h->t, h->x, h->y, h->x, h->y };
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

/* ---- per-network state ------------------------------------------------------------------- */
typedef struct { uint32_t line; uint8_t end; uint32_t split; double x, y; } end_move;

typedef struct netstate {
    linework w;
    vfilter vf;                 /* bucket counts of the points, until vt_fixup */
    vtable vt;
    uint32_t *pslot;            /* the vertex id of every point of w, or NONE32 */
    size_t seen;                /* points the filter counted as the lines were read, */
    int count_failed;           /* and whether it gave up (memory, or more than it holds) */
    int counted;                /* the vertex table and pslot are complete */
    split_vec splits;
    end_move *moves;            /* dangling ends snapped onto a split point */
    size_t n_moves;
    uint64_t dangles, snapped;
    size_t link_bytes;          /* the links' array, foreseen, for vt_init */
} netstate;

static void ns_free(netstate *ns)
{
    lw_free(&ns->w);
    vf_free(&ns->vf);
    vt_free(&ns->vt);
    free(ns->pslot);
    free(ns->splits.v);
    free(ns->moves);
    memset(ns, 0, sizeof *ns);
}

/* Frees what only the noding needs (the vertex table and the points' slots, the splits, the
 * lines' starts and attributes), keeping the points and the lines' feature ids: memory freed
 * early is what the graph's arrays are then made of, instead of fresh pages. */
static void ns_release(netstate *ns)
{
    vf_free(&ns->vf);
    vt_free(&ns->vt);
    free(ns->pslot);
    ns->pslot = NULL;
    free(ns->splits.v);
    memset(&ns->splits, 0, sizeof ns->splits);
    free(ns->moves);
    ns->moves = NULL;
    free(ns->w.start);
    free(ns->w.cls);
    free(ns->w.speed);
    ns->w.start = NULL;
    ns->w.cls = NULL;
    ns->w.speed = NULL;
}

/* Makes room for add more distinct vertices (growing past 85 % load in any part). Vertex ids
 * stay as they are: the points keep theirs. */
static int ns_reserve(netstate *ns, size_t add)
{
    vtable *v = &ns->vt;
    size_t most = 0;
    for (int p = 0; p < VT_PARTS; p++)
        most = v->used[p] > most ? v->used[p] : most;
    if ((most + add) * 20 <= v->pcap * 17)
        return 1;
    vtable nv;
    if (!vt_init(&nv, 2 * VT_PARTS * (most + add), v->t_bytes))
        return 0;
    for (size_t i = 0; i < VT_PARTS * v->pcap; i++) {
        if (vs_key(&v->t[i]) == EMPTY_KEY)
            continue;
        uint64_t h = mix64(vs_key(&v->t[i]));
        size_t part = vt_part(h), lo = part * nv.pcap, hi = lo + nv.pcap, j = vt_home(&nv, h);
        while (vs_key(&nv.t[j]) != EMPTY_KEY)
            if (++j == hi)
                j = lo;
        nv.t[j] = v->t[i];
    }
    for (int p = 0; p < VT_PARTS; p++) {
        memcpy(nv.d[p], v->d[p], v->used[p] * sizeof *nv.d[p]);
        nv.used[p] = v->used[p];
    }
    vt_free(v);
    *v = nv;
    return 1;
}

/* Adds one occurrence of the vertex at (x, y) (room reserved by ns_reserve); its id. */
static uint32_t ns_add(netstate *ns, double x, double y)
{
    uint64_t key = qkey(x, y), h = mix64(key);
    int fresh = 0;
    uint32_t id = vt_upsert(&ns->vt, key, h, &fresh);
    if (fresh)
        vf_mark(&ns->vf, h);
    vt_node(&ns->vt, id)->count++;
    return id;
}

/* Step 2's first half: pslot[k] = CAND32 + part for the candidates (line ends, points in a
 * bucket of 2 or more), NONE32 for the rest; adds the candidates of each part to cand. */
static void classify_points(netstate *ns, size_t cand[VT_PARTS])
{
    const linework *w = &ns->w;
    const vfilter *f = &ns->vf;
    uint32_t *ps = ns->pslot;
    size_t np = w->n_points;
#pragma omp parallel reduction(+ : cand[:VT_PARTS]) if (np > 65536)
    {
        size_t T = (size_t)omp_get_num_threads(), t = (size_t)omp_get_thread_num();
        size_t k0 = np * t / T, k1 = np * (t + 1) / T, l = 0, hi = w->n_lines;
        while (l < hi) { /* the line holding point k0 */
            size_t mid = l + (hi - l) / 2;
            if (w->start[mid + 1] <= k0)
                l = mid + 1;
            else
                hi = mid;
        }
        enum { AHEAD = 16 };
        uint64_t ring[AHEAD];
        for (size_t k = k0; k < k1 + AHEAD; k++) {
            size_t r = (k - k0) % AHEAD;
            if (k >= k0 + AHEAD) {
                size_t j = k - AHEAD;
                while (w->start[l + 1] <= j)
                    l++;
                unsigned c = j == w->start[l] || j + 1 == w->start[l + 1] ||
                             vf_get(f, ring[r]) >= 2;
                ps[j] = c ? CAND32 + (uint32_t)vt_part(ring[r]) : NONE32;
                cand[vt_part(ring[r])] += c;
            }
            if (k < k1) {
                ring[r] = vhash(w->xy[2 * k], w->xy[2 * k + 1]);
                __builtin_prefetch(&f->w[(ring[r] & f->mask) >> 5]);
            }
        }
    }
}

/* Step 2's second half: each thread puts the candidates of its parts into the table, in point
 * order, and gives them their slots. A candidate goes through three steps AHEAD apart, so
 * that what each one reads at random has been fetched by then: its key's slot is fetched,
 * then the slot is taken (its vertex id known) and the vertex's count fetched, then counted. */
typedef struct { size_t k; uint64_t key, h; uint32_t id; } pending;

static void insert_candidates(netstate *ns)
{
    vtable *v = &ns->vt;
    const double *xy = ns->w.xy;
    uint32_t *ps = ns->pslot;
    size_t np = ns->w.n_points;
#pragma omp parallel if (np > 65536)
    {
        uint32_t T = (uint32_t)omp_get_num_threads(), t = (uint32_t)omp_get_thread_num();
        uint32_t mine = 0;
        for (uint32_t p = 0; p < VT_PARTS; p++)
            mine |= (uint32_t)(p % T == t) << p;
        enum { CHUNK = 2048, AHEAD = 16, RING = 2 * AHEAD };
        uint32_t buf[CHUNK];
        pending ring[RING];
        size_t n = 0; /* candidates seen */
        for (size_t c0 = 0; c0 <= np; c0 += CHUNK) {
            size_t c1 = c0 + CHUNK < np ? c0 + CHUNK : np, m = 0;
            for (size_t k = c0; k < c1; k++) { /* no branch: which points are mine is random */
                uint32_t d = __atomic_load_n(&ps[k], __ATOMIC_RELAXED) - CAND32;
                buf[m] = (uint32_t)(k - c0);
                m += d < VT_PARTS && (mine >> (d & (VT_PARTS - 1)) & 1);
            }
            /* after the last chunk, 2 * AHEAD more steps drain the ring */
            size_t steps = c1 == np ? m + RING : m;
            for (size_t j = 0; j < steps; j++, n++) {
                if (n >= RING) { /* third step: count it */
                    pending *p = &ring[n % RING];
                    if (p->k != SIZE_MAX) {
                        vt_node(v, p->id)->count++;
                        __atomic_store_n(&ps[p->k], p->id, __ATOMIC_RELAXED); /* others read */
                    }
                }
                if (n >= AHEAD) { /* second step: take the slot */
                    pending *p = &ring[(n - AHEAD) % RING];
                    if (p->k != SIZE_MAX) {
                        int fresh = 0;
                        p->id = vt_upsert(v, p->key, p->h, &fresh);
                        __builtin_prefetch(vt_node(v, p->id), 1);
                    }
                }
                pending *p = &ring[n % RING]; /* first step: fetch the slot */
                if (j < m) {
                    size_t k = c0 + buf[j];
                    p->k = k;
                    p->key = qkey(xy[2 * k], xy[2 * k + 1]);
                    p->h = mix64(p->key);
                    __builtin_prefetch(&v->t[vt_home(v, p->h)], 1);
                } else {
                    p->k = SIZE_MAX;
                }
            }
            if (c1 == np)
                break;
        }
    }
}

/* Room for the links of both networks, foreseen before the noding: a link per point (the
 * bound emission reserves) and a few for the points splits add. */
static size_t links_foreseen(const netstate *a, const netstate *b)
{
    size_t n = a->w.n_points + b->w.n_points;
    return (n + n / 32 + 4096) * sizeof(cor_link);
}

/* Counts every point: the filter (unless it was filled as the lines were read), then the
 * candidates into the table. Later edits keep the counts up to date (moved ends, inserted
 * splits, dropped repeats) instead of counting again. */
static int count_vertices(netstate *ns)
{
    linework *w = &ns->w;
    size_t np = w->n_points;
    if (!ns->vf.w) {
        if (!vf_init(&ns->vf, np))
            return 0;
        vf_points(&ns->vf, w->xy, np);
    }
    if (!(ns->pslot = malloc((np + 1) * sizeof *ns->pslot)))
        return 0;
    cor_advise_huge(ns->pslot, (np + 1) * sizeof *ns->pslot);
    size_t cand[VT_PARTS] = { 0 }, most = 0;
    classify_points(ns, cand);
    for (int p = 0; p < VT_PARTS; p++)
        most = cand[p] > most ? cand[p] : most;
    /* a part never holds more keys than it has candidates */
    if (!vt_init(&ns->vt, VT_PARTS * (most + most / 8), ns->link_bytes))
        return 0;
    insert_candidates(ns);
    ns->counted = 1;
    return 1;
}

/* cor_points_fn: step 1 on each block of points as the loader delivers it (on the thread that
 * reprojected the block, while the reading goes on). The blocks come in order. The filter is
 * sized from the loader's forecast; it gives up when it cannot be made or the points outgrow
 * it, and the points are counted after loading instead. */
static void count_block(void *ctx, const double *xy, size_t first, size_t n, size_t expect)
{
    netstate *ns = ctx;
    if (ns->count_failed || first != ns->seen) {
        ns->count_failed = 1;
        return;
    }
    if (!ns->vf.w) {
        /* the forecast comes from the first block alone: trusted up to 32 M points */
        size_t want = expect > first + n ? expect : first + n;
        if (want > ((size_t)1 << 25))
            want = (size_t)1 << 25;
        if (!vf_init(&ns->vf, want + want / 8)) {
            ns->count_failed = 1;
            return;
        }
    }
    if (first + n > vf_room(&ns->vf)) {
        ns->count_failed = 1;
        return;
    }
    vf_points(&ns->vf, xy, n);
    ns->seen = first + n;
}

/* After loading: keeps the filter when it saw every point, else forgets it. */
static void count_settle(netstate *ns, int seen)
{
    if (!seen || ns->count_failed || ns->seen != ns->w.n_points)
        vf_free(&ns->vf);
}

/* Brings the points left out of the table whose key has since entered it (in a marked
 * bucket) into it, so that every count is whole again; the filter is done with. */
static void vt_fixup(netstate *ns)
{
    const vfilter *f = &ns->vf;
    const double *xy = ns->w.xy;
    uint32_t *ps = ns->pslot;
    size_t np = ns->w.n_points;
    if (f->w && f->marked) {
        /* points left out have distinct keys: no two threads count in one vertex */
#pragma omp parallel for schedule(static) if (np > 65536)
        for (size_t k = 0; k < np; k++) {
            if (ps[k] != NONE32)
                continue;
            uint64_t key = qkey(xy[2 * k], xy[2 * k + 1]);
            if (vf_get(f, mix64(key)) != 3)
                continue;
            uint32_t id = vt_find(&ns->vt, key);
            if (id != NONE32) {
                vt_node(&ns->vt, id)->count++;
                ps[k] = id;
            }
        }
    }
    vf_free(&ns->vf);
}

/* Moves point k of the line work to (x, y), keeping the counts (room reserved). */
static void ns_move_point(netstate *ns, size_t k, double x, double y)
{
    if (ns->pslot[k] != NONE32)
        vt_node(&ns->vt, ns->pslot[k])->count--;
    ns->w.xy[2 * k] = x;
    ns->w.xy[2 * k + 1] = y;
    ns->pslot[k] = ns_add(ns, x, y);
}

/* Inserts the splits into the lines, recording where each one landed (a split within
 * SAME_POINT_M of a vertex lands on that vertex). Points keep their vertex slots; inserted
 * points are counted in. The lines with splits are rebuilt aside, then everything is moved up
 * in place from the end: the arrays grow by realloc (which remaps large blocks instead of
 * copying them) and no other line is copied twice. */
typedef struct { size_t line, off, n; } relined; /* a rebuilt line: n points at off aside */

static int insert_splits(netstate *ns)
{
    linework *w = &ns->w;
    split_vec *sv = &ns->splits;
    if (!sv->n)
        return 1;
    if (!ns_reserve(ns, sv->n))
        return 0;
    split **order = malloc(sv->n * sizeof *order);
    relined *rl = malloc(sv->n * sizeof *rl);
    if (!order || !rl) {
        free(order);
        free(rl);
        return 0;
    }
    for (size_t i = 0; i < sv->n; i++)
        order[i] = &sv->v[i];
    qsort(order, sv->n, sizeof *order, cmp_split_ptr);
    size_t n_rl = 0, aside_n = sv->n;
    for (size_t i = 0; i < sv->n; i++)
        if (!i || order[i]->line != order[i - 1]->line) {
            size_t l = order[i]->line;
            aside_n += w->start[l + 1] - w->start[l];
            rl[n_rl++] = (relined){ l, 0, 0 };
        }
    double *axy = malloc(2 * aside_n * sizeof *axy);
    uint32_t *aslot = malloc(aside_n * sizeof *aslot);
    double *nxy = axy && aslot ? realloc(w->xy, (2 * (w->n_points + sv->n) + 2) * sizeof *nxy)
                               : NULL;
    if (nxy)
        w->xy = nxy;
    uint32_t *nslot = nxy ? realloc(ns->pslot, (w->n_points + sv->n + 1) * sizeof *nslot) : NULL;
    if (nslot)
        ns->pslot = nslot;
    if (!nslot) {
        free(order);
        free(rl);
        free(axy);
        free(aslot);
        return 0;
    }
    /* 1. the lines with splits, rebuilt aside */
    size_t o = 0, si = 0;
    for (size_t r = 0; r < n_rl; r++) {
        size_t l = rl[r].line, a = w->start[l], b = w->start[l + 1];
        rl[r].off = o;
        for (size_t k = a; k < b; k++) {
            axy[2 * o] = w->xy[2 * k];
            axy[2 * o + 1] = w->xy[2 * k + 1];
            aslot[o] = ns->pslot[k];
            o++;
            uint32_t seg = (uint32_t)(k - a);
            while (si < sv->n && order[si]->line == l && order[si]->seg == seg) {
                split *sp = order[si++];
                const double *prev = axy + 2 * (o - 1);
                const double *next = k + 1 < b ? w->xy + 2 * (k + 1) : prev;
                /* a split on an existing vertex makes it a node: it enters the table */
                if (hypot(sp->x - prev[0], sp->y - prev[1]) < SAME_POINT_M) {
                    sp->fx = prev[0];
                    sp->fy = prev[1];
                    if (aslot[o - 1] == NONE32)
                        aslot[o - 1] = ns_add(ns, prev[0], prev[1]);
                } else if (hypot(sp->x - next[0], sp->y - next[1]) < SAME_POINT_M) {
                    sp->fx = next[0];
                    sp->fy = next[1];
                    if (k + 1 < b && ns->pslot[k + 1] == NONE32)
                        ns->pslot[k + 1] = ns_add(ns, next[0], next[1]);
                } else {
                    axy[2 * o] = sp->fx = sp->x;
                    axy[2 * o + 1] = sp->fy = sp->y;
                    aslot[o] = ns_add(ns, sp->x, sp->y);
                    o++;
                }
            }
        }
        rl[r].n = o - rl[r].off;
    }
    free(order);
    /* 2. from the end: the lines after each rebuilt one move up by the points inserted
     * before them, the rebuilt line takes its place */
    size_t shift = o - (aside_n - sv->n); /* points inserted in all */
    size_t end = w->n_points;             /* old index: the moved block ends here */
    for (size_t r = n_rl; r-- > 0;) {
        size_t l = rl[r].line, a = w->start[l], b = w->start[l + 1];
        memmove(w->xy + 2 * (b + shift), w->xy + 2 * b, 2 * (end - b) * sizeof *w->xy);
        memmove(ns->pslot + b + shift, ns->pslot + b, (end - b) * sizeof *ns->pslot);
        shift -= rl[r].n - (b - a);
        memcpy(w->xy + 2 * (a + shift), axy + 2 * rl[r].off, 2 * rl[r].n * sizeof *axy);
        memcpy(ns->pslot + a + shift, aslot + rl[r].off, rl[r].n * sizeof *aslot);
        end = a;
    }
    free(axy);
    free(aslot);
    /* 3. the lines' starts */
    size_t add = 0;
    for (size_t l = 0, r = 0; l < w->n_lines; l++) {
        w->start[l] += add;
        if (r < n_rl && rl[r].line == l) {
            add += rl[r].n - (w->start[l + 1] - (w->start[l] - add));
            r++;
        }
    }
    w->n_points += add;
    w->start[w->n_lines] = w->n_points;
    free(rl);
    return 1;
}

typedef struct { uint32_t line; int end; } dangle;

/* Whether lines a and b (a != b) already meet at a shared vertex: one vertex id in both. */
static int lines_share_vertex(const netstate *ns, uint32_t a, uint32_t b)
{
    const linework *w = &ns->w;
    for (size_t k = w->start[a]; k < w->start[a + 1]; k++) {
        uint32_t slot = ns->pslot[k];
        if (slot == NONE32) /* a vertex no other point has */
            continue;
        for (size_t j = w->start[b]; j < w->start[b + 1]; j++)
            if (ns->pslot[j] == slot)
                return 1;
    }
    return 0;
}

/* The dangle at (line, end), or NONE32: d holds the nd dangles in (line, end) order. */
static uint32_t dangle_of(const dangle *d, size_t nd, uint32_t line, int end)
{
    size_t lo = 0, hi = nd;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d[mid].line < line || (d[mid].line == line && d[mid].end < end))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nd && d[lo].line == line && d[lo].end == end ? (uint32_t)lo : NONE32;
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
    if (!ns->counted && !count_vertices(ns))
        return 0;
    size_t cap = 1024, nd = 0;
    dangle *d = malloc(cap * sizeof *d);
    if (!d)
        return 0;
    for (size_t l = 0; l < w->n_lines; l++) {
        for (int end = 0; end < 2; end++) {
            size_t k = end ? w->start[l + 1] - 1 : w->start[l];
            if (vt_node(&ns->vt, ns->pslot[k])->count != 1)
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
    uint8_t *done = calloc(nd, 1);
    end_move *moves = malloc(nd * sizeof *moves);
    int ok = q && best && done && moves;
    size_t nm = 0;
    if (ok) {
        for (size_t i = 0; i < nd; i++) {
            size_t k = d[i].end ? w->start[d[i].line + 1] - 1 : w->start[d[i].line];
            q[i] = (query){ w->xy[2 * k], w->xy[2 * k + 1], d[i].line };
            best[i].d = INFINITY;
        }
        ok = scan_segments(w, q, nd, tol, keep_best, best);
    }
    /* the ends with another line within tol, nearest first */
    size_t no = 0;
    for (size_t i = 0; ok && i < nd; i++)
        no += best[i].d <= tol;
    by_distance *order = ok ? malloc((no + 1) * sizeof *order) : NULL;
    u64map joined = { 0 };
    ok = ok && order && map_init(&joined, no);
    for (size_t i = 0, o = 0; ok && i < nd; i++)
        if (best[i].d <= tol)
            order[o++] = (by_distance){ best[i].d, (uint32_t)i };
    if (ok)
        qsort(order, no, sizeof *order, cmp_by_distance);
    /* Whether each end's line already shares a vertex with the line found: nothing below
     * changes that, and most ends found are there (a spur's nearest line is often the street
     * it starts from), so it is worked out beforehand on every thread. */
    uint8_t *shares = ok ? malloc(no + 1) : NULL;
    ok = ok && shares;
    if (ok) {
#pragma omp parallel for schedule(dynamic, 1024) if (no > 4096)
        for (size_t oi = 0; oi < no; oi++)
            shares[oi] = (uint8_t)lines_share_vertex(ns, d[order[oi].i].line,
                                                     best[order[oi].i].line);
    }
    for (size_t oi = 0; ok && oi < no; oi++) {
        size_t i = order[oi].i;
        if (done[i])
            continue;
        const hit *h = &best[i];
        uint32_t la = d[i].line, lb = h->line;
        uint64_t pair = la < lb ? ((uint64_t)la << 32 | lb) : ((uint64_t)lb << 32 | la);
        if (shares[oi] || map_get(&joined, pair) != NONE32)
            continue;
        *map_upsert(&joined, pair) = 1;
        size_t a = w->start[h->line], b = w->start[h->line + 1];
        const double *va = w->xy + 2 * (a + h->seg), *vb = va + 2;
        double tx = h->x, ty = h->y;
        uint32_t sidx = NONE32;
        /* The other line's end on this segment, if it dangles too and lies within tol. */
        uint32_t other = NONE32;
        double ox = 0, oy = 0;
        if (h->seg == 0 && (other = dangle_of(d, nd, h->line, 0)) != NONE32) {
            ox = va[0];
            oy = va[1];
        }
        uint32_t other1 = a + h->seg + 2 == b ? dangle_of(d, nd, h->line, 1) : NONE32;
        if (other1 != NONE32 &&
            (other == NONE32 || hypot(vb[0] - q[i].x, vb[1] - q[i].y) <
                                    hypot(ox - q[i].x, oy - q[i].y))) {
            other = other1;
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
        moves[nm++] = (end_move){ d[i].line, (uint8_t)d[i].end, sidx, tx, ty };
        ns->snapped++;
    }
    /* The ends move only now, so that every hit above saw the original geometry. */
    if (ok && (ok = ns_reserve(ns, nm))) {
        for (size_t m = 0; m < nm; m++) {
            size_t k = moves[m].end ? w->start[moves[m].line + 1] - 1 : w->start[moves[m].line];
            ns_move_point(ns, k, moves[m].x, moves[m].y);
        }
    }
    free(order);
    free(shares);
    map_free(&joined);
    free(q);
    free(best);
    free(done);
    free(d);
    ns->moves = moves;
    ns->n_moves = nm;
    return ok;
}

/* Removes repeated consecutive points (left by moved endpoints) and lines that collapse,
 * keeping the vertex counts. */
static void compact_lines(netstate *ns)
{
    linework *w = &ns->w;
    /* the first line with a repeat (the lines before it stay as they are; usually none) */
    size_t l0 = w->n_lines;
#pragma omp parallel for schedule(static) reduction(min : l0) if (w->n_lines > 65536)
    for (size_t l = 0; l < w->n_lines; l++) {
        if (l >= l0)
            continue;
        for (size_t k = w->start[l] + 1; k < w->start[l + 1]; k++)
            if (w->xy[2 * (k - 1)] == w->xy[2 * k] && w->xy[2 * (k - 1) + 1] == w->xy[2 * k + 1]) {
                l0 = l;
                break;
            }
        if (w->start[l + 1] - w->start[l] < 2)
            l0 = l;
    }
    if (l0 == w->n_lines)
        return;
    size_t o = w->start[l0], nl = l0;
    for (size_t l = l0; l < w->n_lines; l++) {
        size_t a = w->start[l], b = w->start[l + 1], first = o;
        for (size_t k = a; k < b; k++) {
            if (o > first && w->xy[2 * (o - 1)] == w->xy[2 * k] &&
                w->xy[2 * (o - 1) + 1] == w->xy[2 * k + 1]) {
                if (ns->pslot[k] != NONE32)
                    vt_node(&ns->vt, ns->pslot[k])->count--;
                continue;
            }
            w->xy[2 * o] = w->xy[2 * k];
            w->xy[2 * o + 1] = w->xy[2 * k + 1];
            ns->pslot[o] = ns->pslot[k];
            o++;
        }
        if (o - first < 2) {
            for (size_t k = first; k < o; k++)
                if (ns->pslot[k] != NONE32)
                    vt_node(&ns->vt, ns->pslot[k])->count--;
            o = first;
            continue;
        }
        w->start[nl] = first;
        w->cls[nl] = w->cls[l];
        w->speed[nl] = w->speed[l];
        if (w->fid)
            w->fid[nl] = w->fid[l];
        nl++;
    }
    w->start[nl] = o;
    w->n_lines = nl;
    w->n_points = o;
}

/* Inserts the splits, pins every end that was snapped onto a split to where that split
 * landed (it lands on an existing vertex when within SAME_POINT_M of one), and compacts. */
static int finish_lines(netstate *ns)
{
    if (!insert_splits(ns) || !ns_reserve(ns, ns->n_moves))
        return 0;
    linework *w = &ns->w;
    for (size_t m = 0; m < ns->n_moves; m++) {
        const end_move *mv = &ns->moves[m];
        if (mv->split == NONE32)
            continue;
        const split *s = &ns->splits.v[mv->split];
        if (s->fx == s->x && s->fy == s->y)
            continue;
        size_t k = mv->end ? w->start[mv->line + 1] - 1 : w->start[mv->line];
        ns_move_point(ns, k, s->fx, s->fy);
    }
    vt_fixup(ns);
    compact_lines(ns);
    return 1;
}

/* ---- the builder ------------------------------------------------------------------------- */
/* Links are cor_link records in build-order node ids; road and rail links reference their
 * geometry in the final line work (kept by the graph), the others are straight lines. */
typedef struct { cor_link *v; size_t n, cap; } link_vec;

/* Room for cap links. Reserving a bound ahead costs no memory until it is written (a large
 * block is mapped, not touched) and spares the copies of growing by doubling. */
static int link_reserve(link_vec *lv, size_t cap)
{
    if (cap <= lv->cap)
        return 1;
    cor_link *nv = realloc(lv->v, cap * sizeof *nv);
    if (!nv)
        return 0;
    lv->v = nv;
    lv->cap = cap;
    cor_advise_huge(nv, cap * sizeof *nv);
    return 1;
}

static cor_link *link_new(link_vec *lv)
{
    if (lv->n == lv->cap && !link_reserve(lv, lv->cap ? 2 * lv->cap : 4096))
        return NULL;
    return &lv->v[lv->n++];
}

static uint32_t ms_of(double s)
{
    double ms = s * 1000.0;
    return ms >= 4.0e9 ? 4000000000u : (uint32_t)llround(ms);
}

static int straight_link(link_vec *lv, uint32_t u, uint32_t v, cor_edge_kind kind, double len,
                         double time_s)
{
    cor_link *L = link_new(lv);
    if (!L)
        return 0;
    *L = (cor_link){ u, v, (uint8_t)kind, 0, (float)len, ms_of(time_s), 0, 0, NONE32 };
    return 1;
}

/* Node table in build order; positions only. */
typedef struct { double *xy; uint8_t *kind; size_t n, cap; } node_vec;

/* Room for cap nodes (as link_reserve). */
static int node_reserve(node_vec *nv, size_t cap)
{
    if (cap <= nv->cap)
        return 1;
    double *a = realloc(nv->xy, 2 * cap * sizeof *a);
    if (!a)
        return 0;
    nv->xy = a;
    cor_advise_huge(a, 2 * cap * sizeof *a);
    uint8_t *b = realloc(nv->kind, cap);
    if (!b)
        return 0;
    nv->kind = b;
    nv->cap = cap;
    return 1;
}

static uint32_t node_add(node_vec *nv, double x, double y, uint8_t kind)
{
    if (nv->n == nv->cap && !node_reserve(nv, nv->cap ? 2 * nv->cap : 65536))
        return NONE32;
    nv->xy[2 * nv->n] = x;
    nv->xy[2 * nv->n + 1] = y;
    nv->kind[nv->n] = kind;
    return (uint32_t)nv->n++;
}

/* Assigns nodes (line ends and shared vertices) and cuts lines into links between them. */
/* A segment's length: sqrt, not hypot (a call, and slow), is exact enough for metres: the
 * squares of coordinate differences cannot overflow or underflow. */
static inline double seg_len(double dx, double dy) { return sqrt(dx * dx + dy * dy); }

/* The links and nodes emitted so far, published now and then for populate_ahead. */
typedef struct { size_t links, nodes; int done; } emit_progress;

static void publish(emit_progress *pr, const link_vec *lv, const node_vec *nodes)
{
    if (!pr)
        return;
    __atomic_store_n(&pr->links, lv->n, __ATOMIC_RELAXED);
    __atomic_store_n(&pr->nodes, nodes->n, __ATOMIC_RELAXED);
}

/* Emission writes the links and nodes in order on one thread, into fresh memory: a second
 * thread, idle meanwhile, has their pages faulted in up to AHEAD bytes ahead of it, so that
 * the kernel's work on first touch is done there. The arrays do not move meanwhile. */
static void populate_ahead(const link_vec *lv, const node_vec *nodes, emit_progress *pr)
{
    enum { AHEAD = 4 << 20, STEP = 1 << 20 };
    struct { char *base; size_t done, max, unit; const size_t *count; } a[2] = {
        { (char *)lv->v, 0, lv->cap * sizeof *lv->v, sizeof *lv->v, &pr->links },
        { (char *)nodes->xy, 0, 2 * nodes->cap * sizeof *nodes->xy, 2 * sizeof *nodes->xy,
          &pr->nodes },
    };
    while (!__atomic_load_n(&pr->done, __ATOMIC_ACQUIRE)) {
        int worked = 0;
        for (int i = 0; i < 2; i++) {
            size_t want = __atomic_load_n(a[i].count, __ATOMIC_RELAXED) * a[i].unit + AHEAD;
            if (a[i].done >= want || a[i].done >= a[i].max)
                continue;
            size_t n = a[i].max - a[i].done < STEP ? a[i].max - a[i].done : STEP;
            if (!cor_populate(a[i].base + a[i].done, n))
                return; /* not supported: the emitting thread faults its pages itself */
            a[i].done += n;
            worked = 1;
        }
        if (!worked)
            nanosleep(&(struct timespec){ 0, 50000 }, NULL);
    }
}

static int emit_network(netstate *ns, node_vec *nodes, link_vec *lv, cor_edge_kind kind,
                        const cor_speeds *sp, uint8_t node_kind, emit_progress *pr)
{
    linework *w = &ns->w;
    const vtable *vt = &ns->vt;
    enum { AHEAD = 16 };
    /* bounds: a node per point, a link per segment */
    if (!node_reserve(nodes, nodes->n + w->n_points + 1) ||
        !link_reserve(lv, lv->n + w->n_points + 1))
        return 0;
    for (size_t l = 0; l < w->n_lines; l++) {
        size_t a = w->start[l], b = w->start[l + 1];
        double kmh = isnan(w->speed[l]) ? cor_speeds_class_kmh(sp, (cor_line_class)w->cls[l])
                                        : (double)w->speed[l];
        size_t run = a;
        uint32_t run_node = NONE32;
        double run_len = 0;
        for (size_t k = a; k < b; k++) {
            if (k + AHEAD < w->n_points && ns->pslot[k + AHEAD] != NONE32)
                __builtin_prefetch(vt_node(vt, ns->pslot[k + AHEAD]), 1);
            if (k > a)
                run_len += seg_len(w->xy[2 * k] - w->xy[2 * k - 2],
                                   w->xy[2 * k + 1] - w->xy[2 * k - 1]);
            uint32_t node, slot = ns->pslot[k];
            if (slot == NONE32) { /* a vertex no other point has: a node only as a line end */
                if (k != a && k != b - 1)
                    continue;
                if ((node = node_add(nodes, w->xy[2 * k], w->xy[2 * k + 1], node_kind)) == NONE32)
                    return 0;
            } else {
                vnode *vs = vt_node(vt, slot);
                if (k != a && k != b - 1 && vs->count < 2)
                    continue;
                if (vs->node == NONE32 &&
                    (vs->node = node_add(nodes, w->xy[2 * k], w->xy[2 * k + 1], node_kind)) ==
                        NONE32)
                    return 0;
                node = vs->node;
            }
            if (k > a && run_node != node) { /* a loop without a junction carries no route */
                cor_link *L = link_new(lv);
                if (!L)
                    return 0;
                *L = (cor_link){ run_node, node, (uint8_t)kind, w->cls[l], (float)run_len,
                                 ms_of(run_len / (kmh / 3.6)), run, (uint32_t)(k - run + 1),
                                 (uint32_t)l };
            }
            run = k;
            run_node = node;
            run_len = 0;
        }
        if ((l & 1023) == 0)
            publish(pr, lv, nodes);
    }
    return 1;
}

/* The node of a split's vertex after emission (NONE32 when it has none). */
static uint32_t node_at(const netstate *ns, const split *s)
{
    return s->vid == NONE32 ? NONE32 : vt_node(&ns->vt, s->vid)->node;
}

/* Attachment points (splits) must be nodes even where no other line meets: counted as shared
 * before emission, so that links are cut there. Finds each split's vertex for node_at: the
 * table's slots are not needed after this (emission takes their memory). */
static void force_nodes(netstate *ns)
{
    for (size_t i = 0; i < ns->splits.n; i++) {
        split *s = &ns->splits.v[i];
        s->vid = vt_find(&ns->vt, qkey(s->fx, s->fy));
        if (s->vid != NONE32 && vt_node(&ns->vt, s->vid)->count < 2)
            vt_node(&ns->vt, s->vid)->count = 2;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Progress to the callback, and the phase timings to the logger at debug level. */
/* A step within a phase, in the debug log only (COR_DEBUG=1): where the time goes. */
static void step(const cor_build_opts *o, const char *msg)
{
    cor_log(&o->log, COR_LOG_DEBUG, "network build: %.3f s:   %s", now_s(), msg);
}

static int report(const cor_build_opts *o, double f, const char *msg)
{
    cor_log(&o->log, COR_LOG_DEBUG, "network build: %.3f s: %s", now_s(), msg);
    return !o->progress || o->progress(f, msg, o->progress_user);
}

typedef struct { uint32_t key, id; } morton_item;

/* Stable LSD radix sort of items by their 32-bit key (ties keep id order), in three passes
 * of 11 bits. Returns the sorted items, in a new array (a is freed); NULL when out of memory
 * (a is left as it was). */
static morton_item *radix_sort_morton(morton_item *a, size_t n)
{
    enum { BITS = 11, DIGITS = 3, BUCKETS = 1 << BITS }; /* 11 + 11 + 10 bits */
    morton_item *tmp = malloc((n + 1) * sizeof *tmp);
    if (!tmp)
        return NULL;
    size_t(*count)[BUCKETS + 1] = calloc(DIGITS, sizeof *count);
    if (!count) {
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) /* the digits' histograms in one pass */
        for (int d = 0; d < DIGITS; d++)
            count[d][((a[i].key >> (BITS * d)) & (BUCKETS - 1)) + 1]++;
    morton_item *src = a, *dst = tmp;
    for (int d = 0; d < DIGITS; d++) {
        for (int b = 0; b < BUCKETS; b++)
            count[d][b + 1] += count[d][b];
        for (size_t i = 0; i < n; i++)
            dst[count[d][(src[i].key >> (BITS * d)) & (BUCKETS - 1)]++] = src[i];
        morton_item *t = src;
        src = dst;
        dst = t;
    }
    free(count);
    free(dst); /* an odd number of passes: the sorted items are in tmp */
    return src;
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
    free(g->road_xy);
    free(g->rail_xy);
    free(g->road_fid);
    free(g->rail_fid);
    for (size_t i = 0; g->place_names && i < 2 * g->n_places; i++)
        free(g->place_names[i]);
    free(g->place_names);
    free(g->places);
    free(g);
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
    uint32_t *acc_split = NULL, *sh_split = NULL, *perm = NULL;
    morton_item *mi = NULL;
    const char *oom = "out of memory building the network";

    if (!report(&opts, 0.0, "loading rail and roads"))
        goto cancelled;
    /* the vertices are counted as the lines are read */
    cor_lines rl, dl;
    int rail_seen, road_seen;
    if (cor_dataset_take_lines_seen(ds, COR_ROLE_RAIL, &rl, count_block, &rail, &rail_seen,
                                    err) != COR_OK)
        goto fail;
    if (cor_dataset_take_lines_seen(ds, COR_ROLE_ROAD, &dl, count_block, &road, &road_seen,
                                    err) != COR_OK) {
        cor_lines_free(&rl);
        goto fail;
    }
    lw_take(&rail.w, &rl);
    lw_take(&road.w, &dl);
    count_settle(&rail, rail_seen);
    count_settle(&road, road_seen);
    if (!lw_ensure(&rail.w) || !lw_ensure(&road.w))
        goto nomem;
    if (!rail.w.n_lines && !road.w.n_lines) {
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

    /* 1. Dangling ends. */
    (road.w.n_points >= rail.w.n_points ? &road : &rail)->link_bytes =
        links_foreseen(&rail, &road);
    if ((!rail.counted && !count_vertices(&rail)) || (!road.counted && !count_vertices(&road)))
        goto nomem;
    step(&opts, "vertices counted");
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
    if (rail.w.n_points >= NONE32 || road.w.n_points >= NONE32) { /* cor_link.geom_off */
        cor_error_set(err, COR_ERR_INPUT, "network too large: %zu points",
                      rail.w.n_points > road.w.n_points ? rail.w.n_points : road.w.n_points);
        goto fail;
    }
    step(&opts, "splits inserted");
    force_nodes(&rail);
    force_nodes(&road);
    {
        /* room for both: the arrays must not move while populate_ahead works on them. The
         * links take the block of the larger vertex table's slots (vt_init), which emission
         * does not use: the pages the slots touched are there already. */
        size_t np = road.w.n_points + rail.w.n_points + 2;
        netstate *big = road.vt.t_bytes >= rail.vt.t_bytes ? &road : &rail;
        lv.v = (cor_link *)big->vt.t;
        lv.cap = big->vt.t_bytes / sizeof *lv.v;
        big->vt.t = NULL;
        if (!node_reserve(&nodes, np) || !link_reserve(&lv, np))
            goto nomem;
        emit_progress pr = { 0, 0, 0 };
        int ok = 1;
#pragma omp parallel num_threads(2) if (np > ((size_t)1 << 20))
        {
            if (omp_get_thread_num() == 0) {
                ok = emit_network(&road, &nodes, &lv, COR_EDGE_ROAD, sp, 0, &pr) &&
                     emit_network(&rail, &nodes, &lv, COR_EDGE_RAIL, sp, 1, &pr);
                __atomic_store_n(&pr.done, 1, __ATOMIC_RELEASE);
            } else {
                populate_ahead(&lv, &nodes, &pr);
            }
        }
        if (!ok)
            goto nomem;
    }
    step(&opts, "links cut");

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
            gp->fid = pl->fid;
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
                uint32_t rn = node_at(&rail, s);
                if (rn == NONE32)
                    continue;
                double d = hypot(s->fx - pl->x_m, s->fy - pl->y_m);
                if (!straight_link(&lv, pn, rn, COR_EDGE_BOARD, d, sp->board_s) ||
                    !straight_link(&lv, rn, pn, COR_EDGE_ALIGHT, d, sp->alight_s))
                    goto nomem;
                on_rail = 1;
            }
            stations_on_rail += (uint64_t)on_rail;
            if (acc_split[i] != NONE32) {
                const split *s = &road.splits.v[acc_split[i]];
                uint32_t rn = node_at(&road, s);
                if (rn != NONE32) {
                    double d = hypot(s->fx - pl->x_m, s->fy - pl->y_m);
                    if (!straight_link(&lv, pn, rn, COR_EDGE_ACCESS, d, d / (sp->access_kmh / 3.6)))
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
    ns_release(&rail);
    ns_release(&road);
    free(sh.v);
    sh.v = NULL;

    /* 6. Spatial node order (Morton code on a 16-bit grid over the extent). */
    size_t nn = nodes.n;
    if (nn >= NONE32) {
        cor_error_set(err, COR_ERR_INPUT, "network too large: %zu nodes", nn);
        goto fail;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
#pragma omp parallel for schedule(static) reduction(min : minx, miny) reduction(max : maxx, maxy) \
    if (nn > 65536)
    for (size_t i = 0; i < nn; i++) {
        minx = dmin(minx, nodes.xy[2 * i]);
        maxx = dmax(maxx, nodes.xy[2 * i]);
        miny = dmin(miny, nodes.xy[2 * i + 1]);
        maxy = dmax(maxy, nodes.xy[2 * i + 1]);
    }
    double span = dmax(maxx - minx, maxy - miny);
    double sc = span > 0 ? 65535.0 / span : 0;
    if (!(mi = malloc((nn + 1) * sizeof *mi)) || !(perm = malloc((nn + 1) * sizeof *perm)))
        goto nomem;
#pragma omp parallel for schedule(static) if (nn > 65536)
    for (size_t i = 0; i < nn; i++) {
        uint32_t qx = (uint32_t)((nodes.xy[2 * i] - minx) * sc);
        uint32_t qy = (uint32_t)((nodes.xy[2 * i + 1] - miny) * sc);
        mi[i].key = (uint32_t)(spread16(qx) | (spread16(qy) << 1));
        mi[i].id = (uint32_t)i;
    }
    morton_item *sorted = radix_sort_morton(mi, nn);
    if (!sorted)
        goto nomem;
    mi = sorted;
    step(&opts, "nodes sorted");
#pragma omp parallel for schedule(static) if (nn > 65536)
    for (size_t i = 0; i < nn; i++)
        perm[mi[i].id] = (uint32_t)i;
    free(mi);
    mi = NULL;

    g->crs = cor_strdup(cor_dataset_working_crs(ds));
    g->speeds = *sp;
    g->n_nodes = (uint32_t)nn;
    if (!g->crs || !(g->node_xy = malloc((2 * nn + 1) * sizeof *g->node_xy)) ||
        !(g->node_kind = malloc(nn + 1)) || !(g->component = malloc((nn + 1) * sizeof(uint32_t))))
        goto nomem;
#pragma omp parallel for schedule(static) if (nn > 65536)
    for (size_t i = 0; i < nn; i++) {
        g->node_xy[2 * perm[i]] = nodes.xy[2 * i];
        g->node_xy[2 * perm[i] + 1] = nodes.xy[2 * i + 1];
        g->node_kind[perm[i]] = nodes.kind[i];
    }
    for (size_t i = 0; i < na; i++)
        g->places[i].node = perm[g->places[i].node];
    free(nodes.xy);
    free(nodes.kind);
    nodes.xy = NULL;
    nodes.kind = NULL;

    /* 7. Links (final ids) and the CSR of directed edges. */
    g->n_links = lv.n;
    g->links = lv.v;
    lv.v = NULL;
    cor_link *links = g->links;
    size_t n_links = g->n_links;
#pragma omp parallel for schedule(static) if (n_links > 65536)
    for (size_t i = 0; i < n_links; i++) {
        links[i].u = perm[links[i].u];
        links[i].v = perm[links[i].v];
    }
    free(perm);
    perm = NULL;
    if (!cor_graph_build_csr(g))
        goto nomem;
    step(&opts, "CSR built");
    cor_graph_stats *gs = &g->stats;
    uint64_t ne = g->n_edges;
    /* The line work's points are the road and rail links' geometry. */
    g->road_xy = road.w.xy;
    g->road_n = road.w.n_points;
    road.w.xy = NULL;
    g->rail_xy = rail.w.xy;
    g->rail_n = rail.w.n_points;
    rail.w.xy = NULL;
    /* [scenario] the source feature of every line, for line names (cor_link.src) */
    g->road_fid = road.w.fid;
    g->road_lines = road.w.fid ? road.w.n_lines : 0;
    road.w.fid = NULL;
    g->rail_fid = rail.w.fid;
    g->rail_lines = rail.w.fid ? rail.w.n_lines : 0;
    rail.w.fid = NULL;

    /* 8. Connected components (undirected), numbered by size, 0 the largest. */
    if (!cor_graph_components(g))
        goto nomem;
    step(&opts, "components found");

    gs->nodes = g->n_nodes;
    gs->directed_edges = ne;
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
    gs->geometry_bytes = (g->road_n + g->rail_n) * 2 * sizeof(double) +
                         g->n_links * sizeof(cor_link);
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
    free(sh.v);
    free(sh_split);
    free(acc);
    free(aq);
    free(acc_split);
    free(mi);
    free(perm);
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
                      g->kind, g->link, g->node_xy, g->component, g->node_kind };
}

const char *cor_graph_crs(const cor_graph *g) { return g->crs; }
const cor_speeds *cor_graph_speeds(const cor_graph *g) { return &g->speeds; }

size_t cor_graph_link_points(const cor_graph *g, uint32_t link, double buf[4],
                             const double **pts)
{
    return cor_link_points(&g->links[link], g->road_xy, g->rail_xy, g->node_xy, buf, pts);
}

uint32_t cor_graph_link_from(const cor_graph *g, uint32_t link) { return g->links[link].u; }

const char *cor_edge_kind_name(cor_edge_kind k)
{
    static const char *const N[COR_EDGE_KIND_COUNT] = { "road", "rail", "access", "board",
                                                        "alight" };
    return (unsigned)k < COR_EDGE_KIND_COUNT ? N[k] : "?";
}

size_t cor_graph_link_count(const cor_graph *g) { return g->n_links; }

void cor_graph_link_get(const cor_graph *g, uint32_t link, cor_link_info *out)
{
    cor_link_info_of(&g->links[link], out);
}

int64_t cor_graph_link_source_fid(const cor_graph *g, uint32_t link)
{
    if (link >= g->n_links)
        return -1;
    return cor_link_source_fid(&g->links[link], g->road_fid, g->road_lines, g->rail_fid,
                               g->rail_lines);
}
