/* cmd_site.c: `corridor site`: options, the site evaluation of the analysis library
 * (corridor/site.h: criteria, candidates, constraints, WLC or TOPSIS, direct, AHP or entropy
 * weights, a seeded sensitivity analysis), the printed ranking and the written outputs. */
#include "cli.h"
#include "cli_points.h"
#include "site_answer.h"
#include "corridor/site.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "Usage: corridor site [DATA] --candidates SRC|grid:SIZE --criteria FILE.json\n"
    "                     [--within NAME] [--method wlc|topsis] [--top K] [--explain]\n"
    "                     [--sensitivity N] [--spread X] [--seed S] [--strict] [--force]\n"
    "                     [-o sites.gpkg|sites.csv] [--raster-out FILE.tif] [--json] ...\n\n"
    "Ranks candidate sites by transparent multi-criteria scoring with constraints. SRC is a\n"
    "layer of DATA (parks, cities, stations...) or any OGR file of points or polygons (their\n"
    "point on surface); grid:SIZE (e.g. grid:2km) scores the centres of a regular grid over the\n"
    "boundary --within NAME (a province, prefecture or district, e.g. 河北省 or Baoding) and\n"
    "also writes a suitability GeoTIFF. The criteria file (README \"Site evaluation\"; examples in\n"
    "datasets/criteria/) lists criteria (time_to, population_within, parks_within,\n"
    "distance_to, field, raster) with direction, transform and weight, and constraints\n"
    "(exclude_inside, inside, limit).\n\n"
    "Options:\n"
    "  --method M        wlc: weighted sum of 0-1 scores (default); topsis: closeness to the\n"
    "                    ideal site on the raw values\n"
    "  --top K           sites listed and explained (default 10)\n"
    "  --explain         each criterion's contribution for the top sites\n"
    "  --sensitivity N   N random weight perturbations of +-X (--spread, default 0.2): how often\n"
    "                    each site stays in the top K and its rank range (--seed, default 1)\n"
    "  --strict          refuse weights that do not sum to 1 (default: normalise, warn)\n"
    "  --force           accept an AHP matrix whose consistency ratio exceeds 0.10\n"
    "  -o FILE           every candidate with raw values, scores, total, rank and the reason\n"
    "                    for exclusion (.gpkg, .geojson, .fgb or .csv)\n"
    "  --raster-out FILE the suitability GeoTIFF of a grid (default: beside -o, .tif)\n"
    "  --json, --speed, --config, --crs, -q/--quiet, -h/--help as for the other commands\n";

static int write_sites(const cli_ctx *c, const char *path, const cor_graph *g,
                       const cor_site_criteria *d, const cor_site_candidates *cd,
                       const cor_site_result *res)
{
    size_t n = res->n, nf = 0;
    const double *raw = res->raw, *score = res->score, *total = res->total;
    const double *share = res->top_share;
    const int *rank = res->rank, *rmin = res->rank_min, *rmax = res->rank_max;
    char *const *reason = res->reason;
    cor_field f[64];
    char names[64][64];
    f[nf++] = (cor_field){ "name", COR_FIELD_STRING };
    f[nf++] = (cor_field){ "rank", COR_FIELD_INT };
    f[nf++] = (cor_field){ "total", COR_FIELD_REAL };
    f[nf++] = (cor_field){ "excluded", COR_FIELD_STRING };
    for (size_t j = 0; j < n; j++) {
        snprintf(names[2 * j], 64, "raw_%s", cor_site_criterion_id(d, j));
        snprintf(names[2 * j + 1], 64, "score_%s", cor_site_criterion_id(d, j));
        f[nf++] = (cor_field){ names[2 * j], COR_FIELD_REAL };
        f[nf++] = (cor_field){ names[2 * j + 1], COR_FIELD_REAL };
    }
    if (share) {
        f[nf++] = (cor_field){ "top_share", COR_FIELD_REAL };
        f[nf++] = (cor_field){ "rank_min", COR_FIELD_INT };
        f[nf++] = (cor_field){ "rank_max", COR_FIELD_INT };
    }
    cor_error err = COR_ERROR_INIT;
    cor_writer *w = cor_writer_create(path, cor_graph_crs(g), &err);
    if (!w || cor_writer_layer(w, "sites", COR_GEOM_POINT, f, nf, &err) != COR_OK) {
        cor_writer_abort(w);
        return cli_fail(c, &err);
    }
    cor_value *v = malloc(nf * sizeof *v);
    cor_status rc = v ? COR_OK : cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == COR_OK && i < cd->n; i++) {
        size_t k = 0;
        v[k++] = COR_STR(cd->label[i]);
        v[k++] = rank[i] ? COR_INT(rank[i]) : COR_NULL;
        v[k++] = isnan(total[i]) ? COR_NULL : COR_REAL(total[i]);
        v[k++] = reason[i] ? COR_STR(reason[i]) : COR_NULL;
        for (size_t j = 0; j < n; j++) {
            double r = raw[i * n + j], s = score[i * n + j];
            v[k++] = isfinite(r) ? COR_REAL(r) : COR_NULL;
            v[k++] = isfinite(s) ? COR_REAL(s) : COR_NULL;
        }
        if (share) {
            v[k++] = rank[i] ? COR_REAL(share[i]) : COR_NULL;
            v[k++] = rank[i] ? COR_INT(rmin[i]) : COR_NULL;
            v[k++] = rank[i] ? COR_INT(rmax[i]) : COR_NULL;
        }
        rc = cor_writer_feature(w, v, cd->xy + 2 * i, 1, NULL, 0, &err);
    }
    rc = rc ? rc : cli_style_layer(c, w, "sites", COR_QML_SITES, NULL, total, cd->n, &err);
    free(v);
    if (rc != COR_OK) {
        cor_writer_abort(w);
        return cli_fail(c, &err);
    }
    if (cor_writer_close(w, &err) != COR_OK)
        return cli_fail(c, &err);
    return EXIT_OK;
}

int cmd_site(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor site" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    enum { O_CAND = 2000, O_CRIT, O_WITHIN, O_METHOD, O_TOP, O_EXPLAIN, O_SENS, O_SPREAD,
           O_SEED, O_STRICT, O_FORCE, O_RASTER, O_SNAP };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS,
        { "candidates", required_argument, NULL, O_CAND },
        { "criteria", required_argument, NULL, O_CRIT },
        { "within", required_argument, NULL, O_WITHIN },
        { "method", required_argument, NULL, O_METHOD }, { "top", required_argument, NULL, O_TOP },
        { "explain", no_argument, NULL, O_EXPLAIN },
        { "sensitivity", required_argument, NULL, O_SENS },
        { "spread", required_argument, NULL, O_SPREAD }, { "seed", required_argument, NULL, O_SEED },
        { "strict", no_argument, NULL, O_STRICT }, { "force", no_argument, NULL, O_FORCE },
        { "raster-out", required_argument, NULL, O_RASTER },
        { "max-snap", required_argument, NULL, O_SNAP },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *cand = NULL, *crit_path = NULL, *within = NULL, *output = NULL, *raster = NULL;
    int method = -1, explain = 0, strict = 0, force = 0;
    long top = 10, draws = 0;
    double spread = 0.2, max_snap_m = 20000;
    unsigned long long seed = 1;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, NULL, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        char *end = NULL;
        switch (opt) {
        case O_CAND: cand = optarg; break;
        case O_CRIT: crit_path = optarg; break;
        case O_WITHIN: within = optarg; break;
        case O_METHOD:
            method = !strcmp(optarg, "wlc") ? COR_METHOD_WLC
                     : !strcmp(optarg, "topsis") ? COR_METHOD_TOPSIS : -2;
            if (method == -2)
                return cli_usage_error(&c, USAGE, "unknown method '%s' (wlc, topsis)", optarg);
            break;
        case O_TOP:
            if (!cli_whole_option(&c, "--top", optarg, 1, 100000, &top))
                return EXIT_USAGE;
            break;
        case O_EXPLAIN: explain = 1; break;
        case O_SENS:
            if (!cli_whole_option(&c, "--sensitivity", optarg, 1, 1000000, &draws))
                return EXIT_USAGE;
            break;
        case O_SPREAD:
            spread = strtod(optarg, &end);
            if (end == optarg || *end || !(spread >= 0 && spread < 1))
                return cli_usage_error(&c, USAGE, "--spread: '%s' must be in [0, 1)", optarg);
            break;
        case O_SEED:
            seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end)
                return cli_usage_error(&c, USAGE, "--seed: '%s' is not a number", optarg);
            break;
        case O_STRICT: strict = 1; break;
        case O_FORCE: force = 1; break;
        case O_RASTER: raster = optarg; break;
        case O_SNAP:
            if (!cli_parse_km(optarg, &max_snap_m) || !(max_snap_m > 0))
                return cli_usage_error(&c, USAGE, "--max-snap: '%s' is not a distance", optarg);
            max_snap_m *= 1000.0;
            break;
        case 'o': output = optarg; break;
        default: break;
        }
    }
    if (!cand || !crit_path)
        return cli_usage_error(&c, USAGE, "--candidates and --criteria are required");
    int is_grid = !strncmp(cand, "grid:", 5);
    double cell_m = 0;
    if (is_grid && (!cli_parse_number(cand + 5, &cell_m) || !(cell_m >= 100)))
        return cli_usage_error(&c, USAGE, "%s: the grid size must be at least 100m (e.g. grid:2km)",
                               cand);
    if (is_grid && !within)
        return cli_usage_error(&c, USAGE, "a grid needs --within NAME (e.g. --within 河北)");
    if (output && !cor_writer_supports(output))
        return cli_usage_error(&c, USAGE, "%s: unknown output format (.gpkg, .geojson, .fgb, .csv)",
                               output);
    cor_error err = COR_ERROR_INIT;
    cor_site_criteria *d = cor_site_criteria_load(crit_path, &err);
    if (!d)
        return cli_fail(&c, &err);
    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    cor_site_candidates cd;
    memset(&cd, 0, sizeof cd);
    cor_site_result res;
    memset(&res, 0, sizeof res);
    if (rc != EXIT_OK)
        goto out;
    rc = EXIT_FAIL;
    if (is_grid) {
        if (cor_site_candidates_grid(net.ds, net.e, cell_m, within, max_snap_m, 0, &cd, &err) !=
            COR_OK) {
            cli_fail(&c, &err);
            goto out;
        }
    } else {
        cli_points_opts po = CLI_POINTS_OPTS_DEFAULT;
        po.option = "--candidates";
        po.max_snap_m = max_snap_m;
        if (cor_site_criteria_point_fields(d, &po, &err) != COR_OK) {
            cli_fail(&c, &err);
            goto out;
        }
        cli_points p;
        /* points off the network are kept (and excluded later with their reason) */
        if (cli_points_load(&c, &net, cand, &po, &p) != EXIT_OK)
            goto out;
        cor_status st = cor_site_candidates_from_points(&p, &cd, &err);
        cli_points_free(&p);
        if (st != COR_OK) {
            cli_fail(&c, &err);
            goto out;
        }
    }
    size_t m = cd.n, n = cor_site_criteria_count(d);
    if (!m) {
        fprintf(stderr, "%s: %s: no candidates\n", c.prog, cand);
        goto out;
    }
    int tick = 0;
    cor_site_opts so = COR_SITE_OPTS_DEFAULT;
    so.method = method;
    so.strict = strict;
    so.force = force;
    so.max_snap_m = max_snap_m;
    so.sensitivity_draws = (size_t)draws;
    so.spread = spread;
    so.top_k = (size_t)top;
    so.seed = seed;
    so.progress = c.quiet ? NULL : cli_progress;
    so.progress_user = &tick;
    so.lonlat = cli_lonlat_to_xy;
    so.lonlat_user = net.ds;
    cor_status st = cor_site_evaluate(net.ds, net.e, d, &cd, &so, &res, &err);
    cor_site_weighting wt = cor_site_criteria_weighting(d);
    if (!c.quiet && !strict && wt == COR_SITE_DIRECT && isfinite(res.weights_sum) &&
        fabs(res.weights_sum - 1.0) > 1e-9)
        fprintf(stderr, "%s: warning: the weights sum to %g; normalised to 1\n", c.prog,
                res.weights_sum);
    if (st != COR_OK) {
        cli_fail(&c, &err);
        goto out;
    }
    /* outputs */
    if (output && write_sites(&c, output, net.g, d, &cd, &res) != EXIT_OK)
        goto out;
    if (is_grid && (raster || output)) {
        char path[4096];
        if (raster)
            snprintf(path, sizeof path, "%s", raster);
        else {
            const char *dot = strrchr(output, '.');
            snprintf(path, sizeof path, "%.*s.tif", (int)(dot ? dot - output : (long)strlen(output)),
                     output);
        }
        for (size_t i = 0; i < m; i++)
            cd.grid.values[cd.cell[i]] = res.reason[i] ? NAN : (float)res.total[i];
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp%ld.tif", path, (long)getpid());
        if (cor_grid_write_geotiff(&cd.grid, cor_graph_crs(net.g), tmp, -9999.0f,
                                   "suitability", "score", &err) != COR_OK ||
            rename(tmp, path) != 0) {
            unlink(tmp);
            fprintf(stderr, "%s: %s: %s\n", c.prog, path, err.msg[0] ? err.msg : "cannot write");
            goto out;
        }
        raster = NULL;
        if (!c.json && !c.quiet)
            printf("Wrote %s (suitability)\n", path);
    }
    /* the top sites, in rank order */
    size_t no_ = res.m - res.n_excluded, n_ex = res.n_excluded;
    if (no_ > (size_t)top)
        no_ = (size_t)top;
    const double *w = res.weight;
    if (c.json) {
        cli_print_json(site_answer_json(d, &cd, &res, (size_t)top));
    } else {
        const char *title = cor_site_criteria_title(d);
        printf("%s: %zu candidates, %zu excluded; %s with %s weights\n",
               title ? title : crit_path, m, n_ex,
               res.method == COR_METHOD_WLC ? "weighted linear combination" : "TOPSIS",
               wt == COR_SITE_DIRECT ? "direct" : wt == COR_SITE_AHP ? "AHP" : "entropy");
        printf("  weights:");
        for (size_t j = 0; j < n; j++)
            printf(" %s %.3f", cor_site_criterion_id(d, j), w[j]);
        if (wt == COR_SITE_AHP)
            printf(" (lambda_max %.3f, CR %.3f)", res.ahp.lambda_max, res.ahp.cr);
        printf("\n");
        for (size_t q = 0; q < no_; q++) {
            size_t i = res.order[q];
            printf("  %3d. %-40s %.4f", res.rank[i], cd.label[i], res.total[i]);
            if (res.top_share)
                printf("  top-%ld in %.0f %% of draws, rank %d-%d", top, 100 * res.top_share[i],
                       res.rank_min[i], res.rank_max[i]);
            printf("\n");
            for (size_t j = 0; explain && j < n; j++)
                printf("         %-18s raw %10.4g  score %.3f  x weight %.3f = %.4f\n",
                       cor_site_criterion_id(d, j), res.raw[i * n + j], res.score[i * n + j],
                       w[j], res.contribution[i * n + j]);
        }
        if (n_ex) {
            printf("  excluded:");
            /* count by reason */
            char **reason = res.reason;
            for (size_t i = 0; i < m; i++) {
                if (!reason[i])
                    continue;
                int seen = 0;
                for (size_t k = 0; k < i && !seen; k++)
                    seen = reason[k] && !strcmp(reason[k], reason[i]);
                if (seen)
                    continue;
                size_t cnt = 0;
                for (size_t k = i; k < m; k++)
                    cnt += reason[k] && !strcmp(reason[k], reason[i]);
                printf(" %zu %s;", cnt, reason[i]);
            }
            printf("\n");
        }
        if (output)
            printf("Wrote %s (layer sites)\n", output);
    }
    rc = EXIT_OK;
out:
    cor_site_result_free(&res);
    cor_site_candidates_free(&cd);
    cor_site_criteria_destroy(d);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
