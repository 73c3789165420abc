/* test_routing.c: the router against an independent textbook Dijkstra (binary heap, lazy
 * deletion, over an explicitly expanded state graph) on random networks and on the bundled
 * network, for every mode, forward and backward; matrices; paths; a hand-checked trip. */
#include "check.h"
#include "corridor/routing.h"
#include "testdata.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- the oracle --------------------------------------------------------------------------- */
typedef struct { uint32_t *first, *to, *w; uint32_t n; } adj;
typedef struct { uint64_t d; uint32_t v; } qe;

static void adj_free(adj *a)
{
    free(a->first);
    free(a->to);
    free(a->w);
}

/* Layer change in the rail mode, written out as a table: [kind][phase] -> phase or -1.
 * kinds: road, rail, access, board, alight. phases: 0 before boarding, 1 on a train, 2 after. */
static const int RAIL_TABLE[5][3] = {
    { 0, -1, 2 },   /* road   */
    { -1, 1, -1 },  /* rail   */
    { 0, -1, 2 },   /* access */
    { 1, -1, 1 },   /* board  */
    { -1, 2, -1 },  /* alight */
};

/* Expanded graph of a mode: states are nodes (road, multi) or node*3+phase (rail). */
static adj expand(const cor_csr *c, cor_mode mode, int reverse)
{
    int L = mode == COR_MODE_RAIL ? 3 : 1;
    adj a = { 0 };
    a.n = c->n_nodes * (uint32_t)L;
    size_t cap = c->n_edges * 2 + 1, m = 0;
    uint32_t *from = malloc(cap * sizeof *from), *to = malloc(cap * sizeof *to),
             *w = malloc(cap * sizeof *w);
    for (uint32_t u = 0; u < c->n_nodes; u++)
        for (uint64_t e = c->first_out[u]; e < c->first_out[u + 1]; e++) {
            int k = c->kind[e] & 15;
            if (mode == COR_MODE_ROAD && k != COR_EDGE_ROAD && k != COR_EDGE_ACCESS)
                continue;
            for (int p = 0; p < L; p++) {
                int q = mode == COR_MODE_RAIL ? RAIL_TABLE[k][p] : 0;
                if (q < 0)
                    continue;
                uint32_t s = u * (uint32_t)L + (uint32_t)p, t = c->head[e] * (uint32_t)L + (uint32_t)q;
                from[m] = reverse ? t : s;
                to[m] = reverse ? s : t;
                w[m] = c->time_ms[e];
                m++;
            }
        }
    a.first = calloc(a.n + 1, sizeof *a.first);
    a.to = malloc((m + 1) * sizeof *a.to);
    a.w = malloc((m + 1) * sizeof *a.w);
    for (size_t i = 0; i < m; i++)
        a.first[from[i] + 1]++;
    for (uint32_t i = 0; i < a.n; i++)
        a.first[i + 1] += a.first[i];
    uint32_t *fill = malloc((a.n + 1) * sizeof *fill);
    memcpy(fill, a.first, a.n * sizeof *fill);
    for (size_t i = 0; i < m; i++) {
        a.to[fill[from[i]]] = to[i];
        a.w[fill[from[i]]++] = w[i];
    }
    free(fill);
    free(from);
    free(to);
    free(w);
    return a;
}

static void heap_push(qe *h, size_t *n, qe x)
{
    size_t i = (*n)++;
    while (i && h[(i - 1) / 2].d > x.d) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static qe heap_pop(qe *h, size_t *n)
{
    qe top = h[0], x = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1].d < h[c].d)
            c++;
        if (h[c].d >= x.d)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
    return top;
}

/* Textbook Dijkstra from one state with an initial offset. */
static uint64_t *oracle(const adj *a, uint32_t src, uint64_t offset)
{
    uint64_t *d = malloc(a->n * sizeof *d);
    for (uint32_t i = 0; i < a->n; i++)
        d[i] = UINT64_MAX;
    size_t cap = a->first[a->n] + 16, n = 0;
    qe *h = malloc(cap * sizeof *h);
    d[src] = offset;
    heap_push(h, &n, (qe){ offset, src });
    while (n) {
        qe x = heap_pop(h, &n);
        if (x.d > d[x.v])
            continue;
        for (uint32_t k = a->first[x.v]; k < a->first[x.v + 1]; k++)
            if (x.d + a->w[k] < d[a->to[k]]) {
                d[a->to[k]] = x.d + a->w[k];
                heap_push(h, &n, (qe){ d[a->to[k]], a->to[k] });
            }
    }
    free(h);
    return d;
}

/* Compares the router with the oracle for one mode from a few sources, forward and backward,
 * on every node; checks that paths add up. */
static void compare_mode(const cor_engine *e, cor_mode mode, const uint32_t *sources, int ns)
{
    cor_csr c;
    cor_graph_csr(cor_engine_graph(e), &c);
    int L = mode == COR_MODE_RAIL ? 3 : 1;
    int out_phase_fwd = mode == COR_MODE_RAIL ? 2 : 0, in_phase = 0;
    adj fwd = expand(&c, mode, 0), rev = expand(&c, mode, 1);
    cor_error err = COR_ERROR_INIT;
    cor_router *r = cor_router_create(e, &err);
    long mismatches = 0, reached = 0, path_bad = 0;
    uint64_t *edges = malloc(c.n_nodes * 3 * sizeof *edges + 8);
    for (int si = 0; si < ns; si++) {
        uint32_t s = sources[si];
        cor_anchor a = { s, 1234, 0 };
        cor_search q = { mode, 0, COR_UNREACHABLE, NULL, 0, 0 };
        cor_router_run(r, &q, &a, 1, &err);
        uint64_t *d = oracle(&fwd, s * (uint32_t)L + (uint32_t)in_phase, 1234);
        for (uint32_t v = 0; v < c.n_nodes; v++) {
            uint64_t want = d[v * (uint32_t)L + (uint32_t)out_phase_fwd];
            uint32_t got = cor_router_time_ms(r, v);
            if ((want == UINT64_MAX) != (got == COR_UNREACHABLE) ||
                (want != UINT64_MAX && want != got)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "   %s fwd %u->%u: router %u oracle %llu\n",
                            cor_mode_name(mode), s, v, got, (unsigned long long)want);
            }
            if (got != COR_UNREACHABLE) {
                reached++;
                if (v % 97 == 0) { /* the path's edges add up to the time */
                    size_t n = cor_router_path(r, v, edges, c.n_nodes * 3);
                    uint64_t sum = 1234;
                    for (size_t k = 0; k < n; k++)
                        sum += c.time_ms[edges[k]];
                    path_bad += sum != got;
                }
            }
        }
        /* times only: the multi mode runs a leaner search for them */
        q.times_only = 1;
        cor_router_run(r, &q, &a, 1, &err);
        for (uint32_t v = 0; v < c.n_nodes; v++) {
            uint64_t want = d[v * (uint32_t)L + (uint32_t)out_phase_fwd];
            uint32_t got = cor_router_time_ms(r, v);
            if ((want == UINT64_MAX) != (got == COR_UNREACHABLE) ||
                (want != UINT64_MAX && want != got)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "   %s fwd times-only %u->%u: router %u oracle %llu\n",
                            cor_mode_name(mode), s, v, got, (unsigned long long)want);
            }
        }
        q.times_only = 0;
        free(d);
        /* backward: times from every node to s, with everything and times only */
        q.backward = 1;
        d = oracle(&rev, s * (uint32_t)L + (uint32_t)out_phase_fwd, 1234);
        for (int to = 0; to < 2; to++) {
            q.times_only = to;
            cor_router_run(r, &q, &a, 1, &err);
            for (uint32_t v = 0; v < c.n_nodes; v++) {
                uint64_t want = d[v * (uint32_t)L + (uint32_t)in_phase];
                uint32_t got = cor_router_time_ms(r, v);
                if ((want == UINT64_MAX) != (got == COR_UNREACHABLE) ||
                    (want != UINT64_MAX && want != got)) {
                    if (mismatches++ < 5)
                        fprintf(stderr, "   %s bwd%s %u->%u: router %u oracle %llu\n",
                                cor_mode_name(mode), to ? " times-only" : "", v, s, got,
                                (unsigned long long)want);
                }
            }
        }
        free(d);
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(path_bad, 0);
    CHECK(reached > 0);
    free(edges);
    cor_router_destroy(r);
    adj_free(&fwd);
    adj_free(&rev);
}

/* Matrices equal one search per pair (forward when origins are fewer, backward otherwise). */
static void compare_matrix(const cor_engine *e, cor_mode mode, uint32_t seed)
{
    cor_csr c;
    cor_graph_csr(cor_engine_graph(e), &c);
    srand(seed);
    cor_anchor from[7], to[3];
    for (int i = 0; i < 7; i++)
        from[i] = (cor_anchor){ (uint32_t)rand() % c.n_nodes, (uint32_t)(rand() % 5000), 0 };
    for (int j = 0; j < 3; j++)
        to[j] = (cor_anchor){ (uint32_t)rand() % c.n_nodes, (uint32_t)(rand() % 5000), 0 };
    uint32_t t1[21], t2[21];
    cor_error err = COR_ERROR_INIT;
    cor_matrix_opts o = COR_MATRIX_OPTS_DEFAULT;
    o.mode = mode;
    CHECK_INT(cor_matrix_compute(e, from, 7, to, 3, &o, t1, NULL, &err), COR_OK); /* backward */
    cor_router *r = cor_router_create(e, &err);
    int bad = 0;
    for (int i = 0; i < 7; i++) {
        cor_search q = { mode, 0, COR_UNREACHABLE, NULL, 0, 0 };
        cor_router_run(r, &q, &from[i], 1, &err);
        for (int j = 0; j < 3; j++) {
            uint32_t t = cor_router_time_ms(r, to[j].node);
            uint32_t want = t == COR_UNREACHABLE ? t : t + to[j].offset_ms;
            bad += t1[i * 3 + j] != want;
        }
    }
    /* transposed problem runs forward */
    CHECK_INT(cor_matrix_compute(e, to, 3, from, 7, &o, t2, NULL, &err), COR_OK);
    for (int j = 0; j < 3; j++) {
        cor_search q = { mode, 0, COR_UNREACHABLE, NULL, 0, 0 };
        cor_router_run(r, &q, &to[j], 1, &err);
        for (int i = 0; i < 7; i++) {
            uint32_t t = cor_router_time_ms(r, from[i].node);
            bad += t2[j * 7 + i] != (t == COR_UNREACHABLE ? t : t + from[i].offset_ms);
        }
    }
    CHECK_INT(bad, 0);
    cor_router_destroy(r);
}

/* A random network on a 1 km lattice: roads on lattice edges, rail on a lattice shifted by
 * 300 m, stations between them, cities at random lattice points. */
static const char *random_network(unsigned seed)
{
    const char *p = td_tmp("random.gpkg");
    srand(seed);
    enum { N = 9 };
    static char wkt[3][600][128];
    td_feature roads[600], rail[600], stations[100], cities[10];
    int nr = 0, nl = 0, nst = 0, nc = 0;
    static char names[100][32];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            for (int dir = 0; dir < 2; dir++) {
                int i2 = i + (dir == 0), j2 = j + (dir == 1);
                if (i2 >= N || j2 >= N)
                    continue;
                double x1 = 500000 + 1000.0 * i, y1 = 4300000 + 1000.0 * j;
                double x2 = 500000 + 1000.0 * i2, y2 = 4300000 + 1000.0 * j2;
                if (rand() % 100 < 70) {
                    snprintf(wkt[0][nr], 128, "LINESTRING(%.0f %.0f, %.0f %.0f)", x1, y1, x2, y2);
                    roads[nr] = (td_feature){ wkt[0][nr], { rand() % 3 ? "class=road"
                                                                       : "class=major_highway" } };
                    nr++;
                }
                if (rand() % 100 < 40) {
                    snprintf(wkt[1][nl], 128, "LINESTRING(%.0f %.0f, %.0f %.0f)", x1, y1 + 300,
                             x2, y2 + 300);
                    rail[nl] = (td_feature){ wkt[1][nl], { rand() % 2 ? "class=highspeed"
                                                                     : "class=conventional" } };
                    nl++;
                }
            }
    for (int k = 0; k < 20; k++) {
        int i = rand() % N, j = rand() % N;
        snprintf(wkt[2][k], 128, "POINT(%.0f %.0f)", 500000 + 1000.0 * i,
                 4300000 + 1000.0 * j + 150);
        snprintf(names[k], 32, "name=S%d", k);
        stations[nst++] = (td_feature){ wkt[2][k], { names[k], "kind=train" } };
    }
    for (int k = 0; k < 5; k++) {
        int i = rand() % N, j = rand() % N;
        snprintf(wkt[2][100 + k], 128, "POINT(%.0f %.0f)", 500000 + 1000.0 * i + 40,
                 4300000 + 1000.0 * j - 60);
        snprintf(names[50 + k], 32, "name=C%d", k);
        cities[nc++] = (td_feature){ wkt[2][100 + k], { names[50 + k], "population=1000" } };
    }
    td_layer(p, "roads", "EPSG:4548", roads, nr);
    if (nl)
        td_layer(p, "rail", "EPSG:4548", rail, nl);
    td_layer(p, "stations", "EPSG:4548", stations, nst);
    td_layer(p, "cities", "EPSG:4548", cities, nc);
    return p;
}

static void test_random_networks(void)
{
    for (unsigned seed = 1; seed <= 6; seed++) {
        const char *p = random_network(seed);
        cor_error err = COR_ERROR_INIT;
        cor_dataset *ds = cor_dataset_open(p, NULL, &err);
        cor_graph *g = ds ? cor_graph_build(ds, NULL, &err) : NULL;
        cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
        CHECK(e != NULL);
        if (e) {
            cor_csr c;
            cor_graph_csr(g, &c);
            uint32_t src[4] = { 0, c.n_nodes / 3, c.n_nodes / 2, c.n_nodes - 1 };
            for (int m = 0; m < COR_MODE_COUNT; m++) {
                compare_mode(e, (cor_mode)m, src, 4);
                compare_matrix(e, (cor_mode)m, seed);
            }
        }
        cor_engine_destroy(e);
        cor_graph_destroy(g);
        cor_dataset_close(ds);
        unlink(p);
    }
}

static void test_bundled(void)
{
    const char *data = getenv("CORRIDOR_DATA");
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
    cor_graph *g = ds ? cor_graph_build(ds, NULL, &err) : NULL;
    cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
    CHECK(e != NULL);
    if (e) {
        cor_location bj, tj;
        CHECK_INT(cor_engine_locate(e, "Beijing", 1000, NULL, NULL, &bj, &err), COR_OK);
        CHECK_INT(cor_engine_locate(e, "Tianjin", 1000, NULL, NULL, &tj, &err), COR_OK);
        cor_csr c;
        cor_graph_csr(g, &c);
        uint32_t src[3] = { bj.anchor.node, tj.anchor.node, c.n_nodes / 2 };
        for (int m = 0; m < COR_MODE_COUNT; m++)
            compare_mode(e, (cor_mode)m, src, 3);
        /* Beijing to Tianjin: multimodal beats road alone; rail mode is never faster than
         * the best of all modes. */
        uint32_t t[COR_MODE_COUNT];
        for (int m = 0; m < COR_MODE_COUNT; m++) {
            cor_matrix_opts o = COR_MATRIX_OPTS_DEFAULT;
            o.mode = (cor_mode)m;
            cor_matrix_compute(e, &bj.anchor, 1, &tj.anchor, 1, &o, &t[m], NULL, &err);
        }
        fprintf(stderr, "   Beijing-Tianjin: multi %.1f min, road %.1f min, rail %.1f min\n",
                t[0] / 60000.0, t[1] / 60000.0, t[2] / 60000.0);
        CHECK(t[COR_MODE_MULTI] < t[COR_MODE_ROAD]);
        CHECK(t[COR_MODE_MULTI] <= t[COR_MODE_RAIL]);
        CHECK(t[COR_MODE_ROAD] > 60 * 60000u && t[COR_MODE_ROAD] < 3 * 3600000u);
        /* Regression (found by the service): a router reused for rail searches after road
         * searches grows its arrays and restarts its run counter; targets stamped by the old
         * runs must not count as targets of the new ones (they ended searches early). */
        cor_location hd;
        CHECK_INT(cor_engine_locate(e, "Handan", 1000, NULL, NULL, &hd, &err), COR_OK);
        uint32_t want;
        cor_matrix_opts ro = COR_MATRIX_OPTS_DEFAULT;
        ro.mode = COR_MODE_RAIL;
        cor_matrix_compute(e, &bj.anchor, 1, &hd.anchor, 1, &ro, &want, NULL, &err);
        cor_router *rr = cor_router_create(e, &err);
        cor_search qs = { COR_MODE_ROAD, 0, COR_UNREACHABLE, &tj.anchor.node, 1, 0 };
        for (int k = 0; k < 3; k++)
            cor_router_run(rr, &qs, &bj.anchor, 1, &err);
        qs.mode = COR_MODE_RAIL;
        qs.targets = &hd.anchor.node;
        for (int k = 0; k < 3; k++) {
            cor_router_run(rr, &qs, &bj.anchor, 1, &err);
            CHECK_INT(cor_router_time_ms(rr, hd.anchor.node), want);
        }
        CHECK(want != COR_UNREACHABLE);
        cor_router_destroy(rr);
        /* unknown names list candidates */
        err = COR_ERROR_INIT;
        cor_location x;
        CHECK(cor_engine_locate(e, "Tianjn", 1000, NULL, NULL, &x, &err) != COR_OK);
        CHECK_STR_CONTAINS(err.msg, "city:Tianjin");
    }
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
}

/* Hand-checked: the town 100 m north of a 90 km/h highway, the station 900 m south of it. */
static void test_hand_checked(void)
{
    const char *p = td_tmp("hand.gpkg");
    td_feature rail[] = { { "LINESTRING(500000 4300000, 510000 4300000)", { "class=highspeed" } } };
    td_feature stations[] = {
        { "POINT(505000 4300100)", { "name=Mid", "kind=train" } },
        { "POINT(510000 4300100)", { "name=East", "kind=train" } },
    };
    td_feature roads[] = { { "LINESTRING(500000 4301000, 510000 4301000)", { "class=major_highway" } } };
    td_feature cities[] = { { "POINT(502000 4301100)", { "name=Town" } } };
    td_layer(p, "rail", "EPSG:4548", rail, 1);
    td_layer(p, "stations", "EPSG:4548", stations, 2);
    td_layer(p, "roads", "EPSG:4548", roads, 1);
    td_layer(p, "cities", "EPSG:4548", cities, 1);
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    cor_graph *g = ds ? cor_graph_build(ds, NULL, &err) : NULL;
    cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
    CHECK(e != NULL);
    if (e) {
        cor_location town, mid, east;
        cor_engine_locate(e, "town", 1000, NULL, NULL, &town, &err);
        cor_engine_locate(e, "Mid", 1000, NULL, NULL, &mid, &err);
        cor_engine_locate(e, "station:East", 1000, NULL, NULL, &east, &err);
        uint32_t t;
        cor_matrix_opts o = COR_MATRIX_OPTS_DEFAULT;
        /* access 100 m at 40 km/h (9 s) + 3 km at 90 km/h (120 s) + access 900 m (81 s) */
        cor_matrix_compute(e, &town.anchor, 1, &mid.anchor, 1, &o, &t, NULL, &err);
        CHECK_INT(t, 210000);
        /* by rail: 9 + 120 + 81 to Mid, board 900 s, 5 km at 250 km/h (72 s), alight 300 s
         * = 1482 s; by road: 9 + 8 km at 90 km/h (320 s) + 900 m access (81 s) = 410 s */
        o.mode = COR_MODE_RAIL;
        cor_matrix_compute(e, &town.anchor, 1, &east.anchor, 1, &o, &t, NULL, &err);
        CHECK_INT(t, 1482000);
        o.mode = COR_MODE_MULTI;
        cor_matrix_compute(e, &town.anchor, 1, &east.anchor, 1, &o, &t, NULL, &err);
        CHECK_INT(t, 410000);
        o.mode = COR_MODE_ROAD;
        cor_matrix_compute(e, &town.anchor, 1, &east.anchor, 1, &o, &t, NULL, &err);
        CHECK_INT(t, 410000);
        /* a time limit below the trip leaves it unreachable */
        o.max_ms = 400000;
        cor_matrix_compute(e, &town.anchor, 1, &east.anchor, 1, &o, &t, NULL, &err);
        CHECK_INT(t, COR_UNREACHABLE);
    }
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    unlink(p);
}

int main(void)
{
    RUN(test_hand_checked);
    RUN(test_random_networks);
    RUN(test_bundled);
    return check_summary();
}
