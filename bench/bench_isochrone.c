/* bench_isochrone.c: times cor_isochrones_compute() after loading (the network build is not
 * timed): by default a 60-minute multimodal isochrone from Beijing on the bundled dataset,
 * against the target of 50 ms.
 * Usage: bench_isochrone [DATA] [--from PLACE] [--minutes M[,M...]] [--mode MODE] [--runs N]
 *                        [--simplify-m M] [--buffer-m M] [--quadsegs N] */
#include "corridor/isochrone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *data = getenv("CORRIDOR_DATA"), *from = "Beijing", *mins = "60";
    int mode = COR_MODE_MULTI, runs = 21;
    cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--from") && i + 1 < argc)
            from = argv[++i];
        else if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
            mins = argv[++i];
        else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
            mode = cor_mode_from_name(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--simplify-m") && i + 1 < argc)
            o.simplify_m = atof(argv[++i]);
        else if (!strcmp(argv[i], "--buffer-m") && i + 1 < argc)
            o.buffer_m = atof(argv[++i]);
        else if (!strcmp(argv[i], "--quadsegs") && i + 1 < argc)
            o.quadrant_segments = atoi(argv[++i]);
        else if (argv[i][0] != '-')
            data = argv[i];
        else {
            fprintf(stderr, "usage: bench_isochrone [DATA] [--from PLACE] [--minutes M,...] "
                            "[--mode MODE] [--runs N]\n"
                            "       [--simplify-m M] [--buffer-m M] [--quadsegs N]\n");
            return 2;
        }
    }
    if (mode < 0 || runs < 1 || runs > 1000) {
        fprintf(stderr, "bench_isochrone: bad --mode or --runs\n");
        return 2;
    }
    double minutes[COR_ISO_MAX_BANDS];
    size_t nb = 0;
    for (char *p = (char *)mins; nb < COR_ISO_MAX_BANDS;) {
        char *end;
        minutes[nb++] = strtod(p, &end);
        if (*end != ',')
            break;
        p = end + 1;
    }
    cor_error err = COR_ERROR_INIT;
    double t0 = now_s();
    cor_dataset *ds = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
    cor_graph *g = ds ? cor_graph_build(ds, NULL, &err) : NULL;
    cor_engine *e = g ? cor_engine_create(g, &err) : NULL;
    cor_location loc;
    o.mode = (cor_mode)mode;
    int ok = e && cor_engine_locate(e, from, 20000, NULL, NULL, &loc, &err) == COR_OK &&
             (o.cities = cor_dataset_places(ds, COR_ROLE_CITY, &err)) &&
             (o.parks = cor_dataset_places(ds, COR_ROLE_PARK, &err));
    double load_s = now_s() - t0;
    double *ms = calloc((size_t)runs, sizeof *ms);
    cor_isochrones iso = { 0 };
    for (int r = 0; ok && r < runs; r++) {
        cor_isochrones_free(&iso);
        double t = now_s();
        ok = cor_isochrones_compute(e, &loc, 1, minutes, nb, &o, &iso, &err) == COR_OK;
        ms[r] = (now_s() - t) * 1000.0;
    }
    int rc = 0;
    if (!ok) {
        fprintf(stderr, "bench_isochrone: %s\n", err.msg);
        rc = 1;
    } else {
        qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
        const cor_iso_band *b = &iso.bands[iso.n_bands - 1];
        printf("isochrone from %s, %s, %g min: %.1f km2, reach %.1f km, %llu states settled\n",
               loc.label, cor_mode_name((cor_mode)mode), b->minutes, b->area_km2, b->reach_km,
               (unsigned long long)iso.settled);
        printf("load + network + engine %.2f s; compute over %d runs: min %.1f ms, median "
               "%.1f ms, max %.1f ms\n", load_s, runs, ms[0], ms[runs / 2], ms[runs - 1]);
        if (nb == 1 && minutes[0] == 60 && mode == COR_MODE_MULTI && !strcmp(from, "Beijing"))
            printf("issue target (60 min from Beijing, multimodal): 50 ms: %s\n",
                   ms[runs / 2] < 50 ? "met" : "MISSED");
    }
    free(ms);
    cor_isochrones_free(&iso);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    return rc;
}
