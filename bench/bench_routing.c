/* bench_routing: times Corridor's router and matrices on one road network against a plain
 * textbook Dijkstra kept here as the reference, and checks that the results are equal.
 *
 *   bench_routing FILE.gpkg [--sources N] [--origins N] [--dests N] [--runs N] [--each N]
 *                 [--seed S]
 *
 * Builds the network of FILE (cor_dataset_open + cor_graph_build, default options) and the
 * engine, then in one process:
 *   1. one-to-all: cor_router_run (multi mode, forward, no target, no limit) against the
 *      reference (binary heap with lazy deletion, uint32 times, over the same CSR) from
 *      --sources random nodes (default 7), alternating; medians and their ratio (target:
 *      router/reference <= 1.0). Every node's time must be equal.
 *   2. a --origins x --dests matrix (default 500 x 50, random nodes of the main component):
 *      cor_matrix_compute on 1 and on 2 threads (median of --runs, default 3; target: speedup
 *      >= 1.7), and one one-to-all cor_router_run per origin on one thread (target: the
 *      matrix on 2 threads >= 10x faster; the ratio on 1 thread is printed too). --each N
 *      runs only the first N of those searches and scales their time to all origins (quick
 *      runs; the output says so). The three matrices must be equal (rows of the searches
 *      run), and 10 of their rows equal to the reference's.
 * Prints a table and a last line "bench_routing: ... targets=PASS|FAIL"; exits 0 when the
 * results are equal and every target passes, 1 otherwise, 2 on a usage error. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corridor/routing.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- the reference: textbook Dijkstra, binary heap with lazy deletion ---------------------- */
typedef struct { uint32_t d, v; } ref_item;
typedef struct { ref_item *heap; size_t cap; } ref_scratch;

/* dist[v] = shortest time in ms from src over every edge of the CSR, UINT32_MAX if none. */
static void ref_dijkstra(const cor_csr *c, uint32_t src, uint32_t *dist, ref_scratch *s)
{
    for (uint32_t v = 0; v < c->n_nodes; v++)
        dist[v] = UINT32_MAX;
    ref_item *h = s->heap;
    size_t n = 0;
    dist[src] = 0;
    h[n++] = (ref_item){ 0, src };
    while (n) {
        ref_item top = h[0], x = h[--n];
        size_t i = 0; /* sift x down from the root */
        for (;;) {
            size_t ch = 2 * i + 1;
            if (ch >= n)
                break;
            if (ch + 1 < n && h[ch + 1].d < h[ch].d)
                ch++;
            if (h[ch].d >= x.d)
                break;
            h[i] = h[ch];
            i = ch;
        }
        if (n)
            h[i] = x;
        if (top.d > dist[top.v])
            continue; /* a stale entry */
        for (uint64_t e = c->first_out[top.v]; e < c->first_out[top.v + 1]; e++) {
            uint32_t nd = top.d + c->time_ms[e], w = c->head[e];
            if (nd < dist[w]) {
                dist[w] = nd;
                size_t j = n++; /* sift up; at most one entry per improvement: n <= m + 1 */
                while (j && h[(j - 1) / 2].d > nd) {
                    h[j] = h[(j - 1) / 2];
                    j = (j - 1) / 2;
                }
                h[j] = (ref_item){ nd, w };
            }
        }
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_routing FILE.gpkg [--sources N] [--origins N] [--dests N] "
               "[--runs N] [--each N] [--seed S]\n");
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int n_sources = 7, n_orig = 500, n_dest = 50, runs = 3, n_each = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        int *slot = !strcmp(argv[i], "--sources") ? &n_sources
                    : !strcmp(argv[i], "--origins") ? &n_orig
                    : !strcmp(argv[i], "--dests") ? &n_dest
                    : !strcmp(argv[i], "--runs") ? &runs
                    : !strcmp(argv[i], "--each") ? &n_each : NULL;
        if (slot && i + 1 < argc) {
            *slot = atoi(argv[++i]);
            if (*slot < 1) {
                usage(stderr);
                return 2;
            }
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }

    cor_error err = COR_ERROR_INIT;
    double t0 = now_s();
    cor_dataset *ds = cor_dataset_open(path, NULL, &err);
    cor_graph *g = ds ? cor_graph_build(ds, NULL, &err) : NULL;
    cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
    if (!e) {
        fprintf(stderr, "bench_routing: %s: %s\n", path, err.msg);
        cor_graph_destroy(g);
        cor_dataset_close(ds);
        return 1;
    }
    double build_s = now_s() - t0;
    cor_csr c;
    cor_graph_csr(g, &c);
    printf("bench_routing: %s: %" PRIu32 " nodes, %" PRIu64 " directed edges (built in %.2f s),"
           " %d OpenMP threads available\n", path, c.n_nodes, c.n_edges, build_s,
           omp_get_max_threads());

    int equal = 1, targets_ok = 1;
    uint32_t *ref = malloc((size_t)c.n_nodes * sizeof *ref);
    ref_scratch rs = { malloc((c.n_edges + 1) * sizeof(ref_item)), c.n_edges + 1 };
    cor_router *r = cor_router_create(e, &err);
    double *t_ref = calloc((size_t)n_sources, sizeof *t_ref);
    double *t_cor = calloc((size_t)n_sources, sizeof *t_cor);
    if (!ref || !rs.heap || !r || !t_ref || !t_cor) {
        fprintf(stderr, "bench_routing: out of memory\n");
        return 1;
    }

    /* ---- 1. one-to-all -------------------------------------------------------------------- */
    /* times only, as the reference computes */
    cor_search all = { COR_MODE_MULTI, 0, COR_UNREACHABLE, NULL, 0, 1 };
    uint64_t rng = seed;
    {   /* warm-up: page in the arrays of both */
        cor_anchor a = { 0, 0, 0.0f };
        ref_dijkstra(&c, 0, ref, &rs);
        cor_router_run(r, &all, &a, 1, &err);
    }
    uint64_t mismatches = 0, reached = 0, settled = 0;
    for (int k = 0; k < n_sources; k++) {
        uint32_t s = (uint32_t)(splitmix64(&rng) % c.n_nodes);
        cor_anchor a = { s, 0, 0.0f };
        double ta, tb;
        if (k % 2) { /* alternate which runs first */
            ta = now_s();
            cor_router_run(r, &all, &a, 1, &err);
            t_cor[k] = now_s() - ta;
            tb = now_s();
            ref_dijkstra(&c, s, ref, &rs);
            t_ref[k] = now_s() - tb;
        } else {
            tb = now_s();
            ref_dijkstra(&c, s, ref, &rs);
            t_ref[k] = now_s() - tb;
            ta = now_s();
            cor_router_run(r, &all, &a, 1, &err);
            t_cor[k] = now_s() - ta;
        }
        settled += cor_router_settled(r);
        for (uint32_t v = 0; v < c.n_nodes; v++) {
            uint32_t got = cor_router_time_ms(r, v);
            if (got != ref[v] && mismatches++ < 5)
                fprintf(stderr, "bench_routing: one-to-all from %u: node %u router %u reference "
                        "%u\n", s, v, got, ref[v]);
            reached += got != COR_UNREACHABLE;
        }
    }
    double m_ref = median(t_ref, (size_t)n_sources), m_cor = median(t_cor, (size_t)n_sources);
    double ratio1 = m_cor / m_ref;
    int ok1 = ratio1 <= 1.0;
    equal &= mismatches == 0;
    targets_ok &= ok1;
    printf("\none-to-all (multi, forward), %d sources, median of each:\n", n_sources);
    printf("  %-34s %10.1f ms\n", "reference (binary heap, lazy)", 1e3 * m_ref);
    printf("  %-34s %10.1f ms   (%.0f settled per run)\n", "cor_router_run",
           1e3 * m_cor, (double)settled / n_sources);
    printf("  %-34s %10.2f     target <= 1.00: %s\n", "router / reference", ratio1,
           ok1 ? "PASS" : "FAIL");
    printf("  %-34s %s (%" PRIu64 " node times compared, %" PRIu64 " reached)\n", "equal",
           mismatches ? "NO" : "yes", (uint64_t)n_sources * c.n_nodes, reached);

    /* ---- 2. matrix ------------------------------------------------------------------------ */
    size_t no = (size_t)n_orig, nd = (size_t)n_dest;
    cor_anchor *from = malloc(no * sizeof *from), *to = malloc(nd * sizeof *to);
    uint32_t *m1 = malloc(no * nd * sizeof *m1), *m2 = malloc(no * nd * sizeof *m2),
             *m0 = malloc(no * nd * sizeof *m0);
    double *tm1 = calloc((size_t)runs, sizeof *tm1), *tm2 = calloc((size_t)runs, sizeof *tm2);
    if (!from || !to || !m1 || !m2 || !m0 || !tm1 || !tm2) {
        fprintf(stderr, "bench_routing: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < no + nd; i++) {
        uint32_t v;
        do
            v = (uint32_t)(splitmix64(&rng) % c.n_nodes);
        while (c.component[v] != 0);
        if (i < no)
            from[i] = (cor_anchor){ v, 0, 0.0f };
        else
            to[i - no] = (cor_anchor){ v, 0, 0.0f };
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    for (int k = 0; k < runs; k++) {
        double ta = now_s();
        mo.threads = 1;
        if (cor_matrix_compute(e, from, no, to, nd, &mo, m1, NULL, &err) != COR_OK) {
            fprintf(stderr, "bench_routing: matrix: %s\n", err.msg);
            return 1;
        }
        tm1[k] = now_s() - ta;
        ta = now_s();
        mo.threads = 2;
        if (cor_matrix_compute(e, from, no, to, nd, &mo, m2, NULL, &err) != COR_OK) {
            fprintf(stderr, "bench_routing: matrix: %s\n", err.msg);
            return 1;
        }
        tm2[k] = now_s() - ta;
    }
    /* one one-to-all search per origin (or the first n_each), on one thread */
    size_t ne = n_each > 0 && (size_t)n_each < no ? (size_t)n_each : no;
    double ta = now_s();
    for (size_t i = 0; i < ne; i++) {
        cor_router_run(r, &all, &from[i], 1, &err);
        for (size_t j = 0; j < nd; j++)
            m0[i * nd + j] = cor_router_time_ms(r, to[j].node);
    }
    double t_each = (now_s() - ta) * (double)no / (double)ne;
    uint64_t mat_bad = 0, unreachable = 0;
    for (size_t k = 0; k < ne * nd; k++) {
        mat_bad += m1[k] != m0[k] || m2[k] != m0[k];
        unreachable += m0[k] == COR_UNREACHABLE;
    }
    /* 10 rows against the reference */
    uint64_t ref_bad = 0;
    for (size_t i = 0; i < no && i < 10; i++) {
        ref_dijkstra(&c, from[i].node, ref, &rs);
        for (size_t j = 0; j < nd; j++)
            ref_bad += m2[i * nd + j] != ref[to[j].node];
    }
    double mt1 = median(tm1, (size_t)runs), mt2 = median(tm2, (size_t)runs);
    double speedup = mt1 / mt2, vs_each = t_each / mt2, vs_each1 = t_each / mt1;
    int ok2 = speedup >= 1.7, ok3 = vs_each >= 10.0;
    equal &= mat_bad == 0 && ref_bad == 0;
    targets_ok &= ok2 && ok3;
    printf("\n%zu x %zu matrix (multi; searches run backward from the %s side), median of %d:\n",
           no, nd, nd < no ? "destination" : "origin", runs);
    printf("  %-34s %10.1f ms\n", "cor_matrix_compute, 1 thread", 1e3 * mt1);
    printf("  %-34s %10.1f ms\n", "cor_matrix_compute, 2 threads", 1e3 * mt2);
    char label[64];
    snprintf(label, sizeof label, "%zu one-to-all, 1 thread%s", no,
             ne < no ? " (*)" : "");
    printf("  %-34s %10.1f ms\n", label, 1e3 * t_each);
    printf("  %-34s %10.2f     target >= 1.7: %s\n", "speedup 2 threads / 1 thread", speedup,
           ok2 ? "PASS" : "FAIL");
    printf("  %-34s %10.1f     target >= 10: %s\n", "one-to-all searches / matrix (2 thr)",
           vs_each, ok3 ? "PASS" : "FAIL");
    printf("  %-34s %10.1f     (same thread count)\n", "one-to-all searches / matrix (1 thr)",
           vs_each1);
    printf("  %-34s %s (%zu cells, %" PRIu64 " unreachable; 10 rows against the reference: "
           "%s)\n", "equal", mat_bad ? "NO" : "yes", ne * nd, unreachable,
           ref_bad ? "NO" : "yes");
    if (ne < no)
        printf("  (*) %zu searches timed, scaled to %zu (--each)\n", ne, no);

    printf("\nbench_routing: nodes=%" PRIu32 " one_to_all_ref_ms=%.1f one_to_all_cor_ms=%.1f "
           "ratio=%.2f matrix_1t_ms=%.1f matrix_2t_ms=%.1f speedup=%.2f each_ms=%.1f "
           "vs_each=%.1f equal=%s targets=%s\n", c.n_nodes, 1e3 * m_ref, 1e3 * m_cor, ratio1,
           1e3 * mt1, 1e3 * mt2, speedup, 1e3 * t_each, vs_each, equal ? "yes" : "NO",
           targets_ok ? "PASS" : "FAIL");

    free(from);
    free(to);
    free(m0);
    free(m1);
    free(m2);
    free(tm1);
    free(tm2);
    free(t_ref);
    free(t_cor);
    free(ref);
    free(rs.heap);
    cor_router_destroy(r);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    return equal && targets_ok ? 0 : 1;
}
