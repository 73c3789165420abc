/* bench_serve_inproc: the in-process time of the questions bench_serve.sh asks the server:
 * the /route answer (locate both ends, search, legs, the JSON text of corridor route --json)
 * and the /access search (locate a point, one search to every facility), on one thread with
 * one router per mode, as the server's workers do. Compiled by bench/bench_serve.sh against
 * the build's libraries (no CMake target of its own).
 *
 *   bench_serve_inproc DATA ROUTES.txt POINTS.txt ROUNDS
 *
 * ROUTES.txt holds "FROM|TO" lines, POINTS.txt "LON,LAT" lines. Prints one line per kind:
 * "inproc route n=... p50_ms=... p99_ms=... mean_ms=...". */
#include "corridor/routing.h"
#include "route_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, size_t n)
{
    qsort(ms, n, sizeof *ms, cmp_d);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ms[i];
    printf("inproc %s n=%zu p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f\n", what, n, ms[n / 2],
           ms[(size_t)((double)(n - 1) * 0.99)], sum / (double)n);
}

static cor_status lonlat(double *xy, void *ds, cor_error *err)
{
    return cor_dataset_lonlat_to_xy(ds, xy, 1, err);
}

/* As in cli/serve_api.c: a boarding link reaches a high-speed rail edge. */
static int is_hsr_station(const cor_csr *c, uint32_t node)
{
    for (uint64_t e = c->first_out[node]; e < c->first_out[node + 1]; e++) {
        if ((c->kind[e] & 15) != COR_EDGE_BOARD)
            continue;
        uint32_t t = c->head[e];
        for (uint64_t f = c->first_out[t]; f < c->first_out[t + 1]; f++)
            if ((c->kind[f] & 15) == COR_EDGE_RAIL && (c->kind[f] >> 4) == COR_CLASS_HIGHSPEED)
                return 1;
    }
    return 0;
}

static size_t read_lines(const char *path, char lines[][256], size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    while (f && n < cap && fgets(lines[n], 256, f)) {
        lines[n][strcspn(lines[n], "\r\n")] = '\0';
        if (lines[n][0])
            n++;
    }
    if (f)
        fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_serve_inproc DATA ROUTES.txt POINTS.txt ROUNDS\n");
        return 2;
    }
    static char routes[64][256], points[64][256];
    size_t nr = read_lines(argv[2], routes, 64), np = read_lines(argv[3], points, 64);
    int rounds = atoi(argv[4]);
    cor_error err = COR_ERROR_INIT;
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    cor_build_opts bo = COR_BUILD_OPTS_DEFAULT;
    cor_dataset *ds = cor_dataset_open(argv[1], &oo, &err);
    cor_graph *g = ds ? cor_graph_build(ds, &bo, &err) : NULL;
    cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
    cor_router *r = e ? cor_router_create(e, &err) : NULL;
    if (!r || !nr || !np || rounds < 1) {
        fprintf(stderr, "bench_serve_inproc: %s\n", err.code ? err.msg : "no queries");
        return 1;
    }
    /* the /access targets: every port, airport, high-speed rail station and city node */
    size_t n_places = cor_graph_place_count(g), nt = 0;
    uint32_t *targets = malloc((n_places + 1) * sizeof *targets);
    cor_csr c;
    cor_graph_csr(g, &c);
    for (size_t i = 0; i < n_places; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->node == COR_UNREACHABLE || p->role == COR_ROLE_PARK)
            continue;
        if (p->role == COR_ROLE_STATION && !is_hsr_station(&c, p->node))
            continue;
        targets[nt++] = p->node;
    }
    size_t n = (size_t)rounds * (nr > np ? nr : np);
    double *ms = malloc(n * sizeof *ms);
    size_t k = 0;
    for (int round = 0; round < rounds; round++)
        for (size_t i = 0; i < nr; i++) {
            char from[256];
            snprintf(from, sizeof from, "%s", routes[i]);
            char *to = strchr(from, '|');
            if (!to)
                continue;
            *to++ = '\0';
            double t0 = now_s();
            cor_location a, b;
            route_answer ra;
            if (cor_engine_locate(e, from, 20000, lonlat, ds, &a, &err) ||
                cor_engine_locate(e, to, 20000, lonlat, ds, &b, &err) ||
                route_answer_compute(e, r, &a, &b, COR_MODE_MULTI, &ra, &err)) {
                fprintf(stderr, "bench_serve_inproc: %s\n", err.msg);
                return 1;
            }
            char *text = route_answer_json_text(&ra);
            free(text);
            route_answer_free(&ra);
            ms[k++] = (now_s() - t0) * 1000.0;
        }
    report("route", ms, k);
    k = 0;
    for (int round = 0; round < rounds; round++)
        for (size_t i = 0; i < np; i++) {
            double t0 = now_s();
            cor_location a;
            cor_search s = { COR_MODE_MULTI, 0, COR_UNREACHABLE, targets, nt, 0 };
            if (cor_engine_locate(e, points[i], 20000, lonlat, ds, &a, &err) ||
                cor_router_run(r, &s, &a.anchor, 1, &err)) {
                fprintf(stderr, "bench_serve_inproc: %s\n", err.msg);
                return 1;
            }
            volatile uint32_t sink = 0;
            for (size_t j = 0; j < nt; j++)
                sink += cor_router_time_ms(r, targets[j]) == COR_UNREACHABLE;
            (void)sink;
            ms[k++] = (now_s() - t0) * 1000.0;
        }
    report("access", ms, k);
    free(ms);
    free(targets);
    cor_router_destroy(r);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    return 0;
}
