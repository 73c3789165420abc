/* cmd_scenario.c: `corridor scenario`: a scenario's edits applied to the network, and the
 * accessibility of the origins before and after (per origin: before, after, change, percent;
 * the nearest facility before and after), with a summary of who gains, the population within
 * 30/60/90 minutes of the facilities, with --corridors, the change in city linkage and, with
 * --sites, the site ranks before and after (corridor/site_compare.h). */
#include "cli.h"
#include "cli_points.h"
#include "corridor/access.h"
#include "corridor/corridors.h"
#include "corridor/scenario.h"
#include "corridor/site_compare.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MEASURES 16

static const char USAGE[] =
    "Usage: corridor scenario [DATA] --scenario FILE.json --origins SRC [--to SRC]\n"
    "                         [--measure LIST] [--mode MODE] -o FILE [--json] [--corridors]\n"
    "                         [--top N] [--max-snap KM] [--speed KEY=VALUE]... [--config FILE]\n"
    "                         [--sites CRITERIA.json [--site-candidates SRC|grid:SIZE]\n"
    "                          [--within NAME]]\n\n"
    "Applies the edits of a scenario file (new rail or road lines, speed changes, closures,\n"
    "new terminals; see datasets/scenarios/README.md) to the network of DATA (default: the\n"
    "bundled dataset) without rebuilding it, and compares the accessibility of every origin to\n"
    "the facilities before and after. The base network is not modified.\n\n"
    "Options:\n"
    "  --scenario FILE   the scenario (JSON)\n"
    "  --origins SRC     the origins (one output row each): a place role (cities, parks, ...),\n"
    "                    a layer of DATA or a file of points, as for corridor access\n"
    "  --to SRC          the facilities: ports, airports, stations, cities (default) or a layer\n"
    "                    or file; terminals and stations the scenario adds join their role\n"
    "  --measure LIST    measures as for corridor access (default nearest): nearest, watt,\n"
    "                    cum:T, hansen:exp:BETA, hansen:pow:BETA, 2sfca:T\n"
    "  --mode MODE       multi (default), road, rail\n"
    "  -o, --output FILE .gpkg: layers 'delta' (the origins' points; name, then per measure\n"
    "                    <column>_before, _after, _change, _pct, and nearest_before and\n"
    "                    nearest_after, the nearest facility's name) and 'scenario_lines'\n"
    "                    (name, mode, class, speed_kmh, edit = add|speed|close); .csv: the\n"
    "                    delta table with lon, lat\n"
    "  --corridors       also compare the gravity linkage of the cities (corridor corridors)\n"
    "                    and print the pairs whose linkage changes most\n"
    "  --sites FILE      also rank candidate sites by a criteria file (as corridor site) on\n"
    "                    the network before and after: the travel-time criteria (time_to,\n"
    "                    population_within, parks_within) use the scenario's network. Needs a\n"
    "                    .gpkg output, which gets a layer 'sites_delta' (the candidates'\n"
    "                    points; name, total_before, total_after, rank_before, rank_after,\n"
    "                    rank_change = before - after (> 0: moved up), excluded_before,\n"
    "                    excluded_after (the reason), most_changed (the criterion whose raw\n"
    "                    value changed most), then per criterion <id>_before and <id>_after\n"
    "                    raw values); the summary lists the movers up and down and the new\n"
    "                    top 5\n"
    "  --site-candidates SRC  the candidates: parks (default), another layer of DATA, a file\n"
    "                    of points or polygons, or grid:SIZE with --within NAME (as for\n"
    "                    corridor site)\n"
    "  --within NAME     the province, prefecture or district a grid covers\n"
    "  --top N           how many origins, city pairs and sites the summary lists (default 10)\n"
    "  --max-snap KM     points farther than this from a road stay off the network (default 20)\n"
    "  --json            the summary as JSON\n"
    "  --speed KEY=VALUE, --config FILE, --crs CRS, -q/--quiet, -h/--help\n"
    "Change is after - before; pct is 100 * change / before (empty when before is 0 or either\n"
    "is empty). For times (nearest, watt) a gain is a fall; for the other measures a rise.\n"
    "Exit status: 0 success, 1 failure (bad scenario, data or output), 2 usage error.\n"
    "Sites: ranks are 1 = best; a site excluded before or after has no rank change. Site\n"
    "candidates the scenario adds (add_terminal) are not among the candidates.\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

static int is_time_measure(const cor_access_measure *m)
{
    return m->kind == COR_ACCESS_NEAREST || m->kind == COR_ACCESS_WATT;
}

/* Appends the scenario's new places of the facilities' role, off the network before (their
 * anchor unset); their node after goes to after_node[]. */
static int add_new_places(cli_points *pf, const cor_scenario_result *res, uint32_t *after_node,
                          size_t cap)
{
    size_t base = pf->n, add = 0;
    for (size_t k = 0; k < res->n_places; k++)
        add += pf->role >= 0 && (int)res->places[k].role == pf->role;
    if (!add)
        return 1;
    cli_point *ni = realloc(pf->items, (base + add + 1) * sizeof *ni);
    if (!ni)
        return 0;
    pf->items = ni;
    for (size_t k = 0; k < res->n_places && pf->n - base < cap; k++) {
        const cor_scenario_place *p = &res->places[k];
        if ((int)p->role != pf->role)
            continue;
        cli_point *q = &pf->items[pf->n];
        memset(q, 0, sizeof *q);
        size_t len = strlen(p->name);
        if (!(q->label = malloc(len + 1)))
            return 0;
        memcpy(q->label, p->name, len + 1);
        q->fid = -1;
        q->x_m = p->x_m;
        q->y_m = p->y_m;
        q->lon_deg = q->lat_deg = NAN;
        q->mass = NAN;
        q->field[0] = q->field[1] = NAN;
        q->anchor = (cor_anchor){ COR_UNREACHABLE, 0, 0 };
        q->snap_m = 0;
        after_node[pf->n - base] = p->node;
        pf->n++;
    }
    return 1;
}

typedef struct { size_t i; double gain; } gain_item;
static int cmp_gain(const void *a, const void *b)
{
    const gain_item *x = a, *y = b;
    return x->gain < y->gain ? 1 : x->gain > y->gain ? -1 : (x->i > y->i) - (x->i < y->i);
}

typedef struct { char *chain; double sum; size_t n; } chain_gain;

/* ---- --sites: site ranks before and after ---------------------------------------------- */
/* Loads the site candidates on the base network (their anchors hold on the scenario's graph,
 * which keeps the base node ids) and evaluates the criteria with the base engine and with
 * e2. Prints the error and returns EXIT_FAIL, else EXIT_OK. */
static int compare_sites(const cli_ctx *c, const cli_net *net, const cor_engine *e2,
                         const cor_site_criteria *crit, const char *cand, int grid,
                         double cell_m, const char *within, double max_snap_m,
                         cor_site_candidates *cd, cor_site_delta *d)
{
    cor_error err = COR_ERROR_INIT;
    if (grid) {
        if (cor_site_candidates_grid(net->ds, net->e, cell_m, within, max_snap_m, 0, cd,
                                     &err) != COR_OK)
            return cli_fail(c, &err);
    } else {
        cli_points_opts po = CLI_POINTS_OPTS_DEFAULT;
        po.option = "--site-candidates";
        po.max_snap_m = max_snap_m;
        if (cor_site_criteria_point_fields(crit, &po, &err) != COR_OK)
            return cli_fail(c, &err);
        cli_points p;
        /* points off the network are kept (and excluded with their reason) */
        if (cli_points_load(c, net, cand, &po, &p) != EXIT_OK)
            return EXIT_FAIL;
        cor_status st = cor_site_candidates_from_points(&p, cd, &err);
        cli_points_free(&p);
        if (st != COR_OK)
            return cli_fail(c, &err);
    }
    if (!cd->n) {
        fprintf(stderr, "%s: --site-candidates %s: no candidates\n", c->prog, cand);
        return EXIT_FAIL;
    }
    int tick = 0;
    cor_site_opts so = COR_SITE_OPTS_DEFAULT;
    so.max_snap_m = max_snap_m;
    so.progress = c->quiet ? NULL : cli_progress;
    so.progress_user = &tick;
    so.lonlat = cli_lonlat_to_xy;
    so.lonlat_user = net->ds;
    if (!c->quiet)
        fprintf(stderr, "site ranks of %zu candidates before and after\n", cd->n);
    if (cor_site_compare(net->ds, net->e, e2, crit, cd, &so, d, &err) != COR_OK)
        return cli_fail(c, &err);
    if (!c->quiet && cor_site_criteria_weighting(crit) == COR_SITE_DIRECT &&
        isfinite(d->before.weights_sum) && fabs(d->before.weights_sum - 1.0) > 1e-9)
        fprintf(stderr, "%s: warning: the site weights sum to %g; normalised to 1\n", c->prog,
                d->before.weights_sum);
    return EXIT_OK;
}

/* The layer sites_delta: every candidate's point, totals, ranks, exclusions and raw values
 * before and after. */
static cor_status write_sites_delta(cor_writer *w, const cor_site_criteria *crit,
                                    const cor_site_candidates *cd, const cor_site_delta *d,
                                    cor_error *err)
{
    size_t n = d->n, nf = 0;
    cor_field f[9 + 2 * COR_SITE_MAX_CRITERIA];
    cor_value v[9 + 2 * COR_SITE_MAX_CRITERIA];
    char names[2 * COR_SITE_MAX_CRITERIA][96];
    f[nf++] = (cor_field){ "name", COR_FIELD_STRING };
    f[nf++] = (cor_field){ "total_before", COR_FIELD_REAL };
    f[nf++] = (cor_field){ "total_after", COR_FIELD_REAL };
    f[nf++] = (cor_field){ "rank_before", COR_FIELD_INT };
    f[nf++] = (cor_field){ "rank_after", COR_FIELD_INT };
    f[nf++] = (cor_field){ "rank_change", COR_FIELD_INT };
    f[nf++] = (cor_field){ "excluded_before", COR_FIELD_STRING };
    f[nf++] = (cor_field){ "excluded_after", COR_FIELD_STRING };
    f[nf++] = (cor_field){ "most_changed", COR_FIELD_STRING };
    for (size_t j = 0; j < n && j < COR_SITE_MAX_CRITERIA; j++) {
        snprintf(names[2 * j], sizeof names[0], "%s_before", cor_site_criterion_id(crit, j));
        snprintf(names[2 * j + 1], sizeof names[0], "%s_after", cor_site_criterion_id(crit, j));
        f[nf++] = (cor_field){ names[2 * j], COR_FIELD_REAL };
        f[nf++] = (cor_field){ names[2 * j + 1], COR_FIELD_REAL };
    }
    if (cor_writer_layer(w, "sites_delta", COR_GEOM_POINT, f, nf, err) != COR_OK)
        return err->code;
    for (size_t i = 0; i < d->m; i++) {
        size_t k = 0;
        double tb = d->before.total[i], ta = d->after.total[i];
        int rb = d->before.rank[i], ra = d->after.rank[i], mc = d->most_changed[i];
        v[k++] = COR_STR(cd->label[i]);
        v[k++] = isfinite(tb) ? COR_REAL(tb) : COR_NULL;
        v[k++] = isfinite(ta) ? COR_REAL(ta) : COR_NULL;
        v[k++] = rb ? COR_INT(rb) : COR_NULL;
        v[k++] = ra ? COR_INT(ra) : COR_NULL;
        v[k++] = d->in_both[i] ? COR_INT(d->rank_change[i]) : COR_NULL;
        v[k++] = d->before.reason[i] ? COR_STR(d->before.reason[i]) : COR_NULL;
        v[k++] = d->after.reason[i] ? COR_STR(d->after.reason[i]) : COR_NULL;
        v[k++] = mc >= 0 ? COR_STR(cor_site_criterion_id(crit, (size_t)mc)) : COR_NULL;
        for (size_t j = 0; j < n && j < COR_SITE_MAX_CRITERIA; j++) {
            double b = d->before.raw[i * n + j], a = d->after.raw[i * n + j];
            v[k++] = isfinite(b) ? COR_REAL(b) : COR_NULL;
            v[k++] = isfinite(a) ? COR_REAL(a) : COR_NULL;
        }
        if (cor_writer_feature(w, v, cd->xy + 2 * i, 1, NULL, 0, err) != COR_OK)
            return err->code;
    }
    return COR_OK;
}

static json_t *num_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *rank_or_null(int r)
{
    return r ? json_integer(r) : json_null();
}

/* One candidate of the summary: {"name", "rank_before", "rank_after", "rank_change",
 * "total_before", "total_after", "excluded_before", "excluded_after", "most_changed":
 * {"criterion", "before", "after"} or null}. */
static json_t *site_item_json(const cor_site_criteria *crit, const cor_site_candidates *cd,
                              const cor_site_delta *d, size_t i)
{
    size_t n = d->n;
    int mc = d->most_changed[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(cd->label[i]));
    json_object_set_new(o, "rank_before", rank_or_null(d->before.rank[i]));
    json_object_set_new(o, "rank_after", rank_or_null(d->after.rank[i]));
    json_object_set_new(o, "rank_change", d->in_both[i] ? json_integer(d->rank_change[i])
                                                        : json_null());
    json_object_set_new(o, "total_before", num_or_null(d->before.total[i]));
    json_object_set_new(o, "total_after", num_or_null(d->after.total[i]));
    json_object_set_new(o, "excluded_before", d->before.reason[i]
                                                  ? json_string(d->before.reason[i]) : json_null());
    json_object_set_new(o, "excluded_after", d->after.reason[i]
                                                 ? json_string(d->after.reason[i]) : json_null());
    json_object_set_new(o, "most_changed",
                        mc < 0 ? json_null()
                               : json_pack("{s:s, s:o, s:o}", "criterion",
                                           cor_site_criterion_id(crit, (size_t)mc), "before",
                                           num_or_null(d->before.raw[i * n + (size_t)mc]),
                                           "after",
                                           num_or_null(d->after.raw[i * n + (size_t)mc])));
    return o;
}

/* Candidates excluded after but not before (what = 0), or before but not after (what = 1). */
static size_t count_switched(const cor_site_delta *d, int what)
{
    size_t k = 0;
    for (size_t i = 0; i < d->m; i++)
        k += what ? d->before.reason[i] && !d->after.reason[i]
                  : !d->before.reason[i] && d->after.reason[i];
    return k;
}

/* The "sites" object of the --json summary. */
static json_t *sites_json(const char *path, const char *cand, const cor_site_criteria *crit,
                          const cor_site_candidates *cd, const cor_site_delta *d, size_t top)
{
    json_t *up = json_array(), *down = json_array(), *best = json_array();
    for (size_t q = 0; q < d->n_up && q < top; q++)
        json_array_append_new(up, site_item_json(crit, cd, d, d->up[q]));
    for (size_t q = 0; q < d->n_down && q < top; q++)
        json_array_append_new(down, site_item_json(crit, cd, d, d->down[q]));
    size_t n_in = d->after.m - d->after.n_excluded;
    for (size_t q = 0; q < n_in && q < 5; q++)
        json_array_append_new(best, site_item_json(crit, cd, d, d->after.order[q]));
    const char *title = cor_site_criteria_title(crit);
    return json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
                     "criteria", path, "name", title ? json_string(title) : json_null(),
                     "candidates", cand, "count", (json_int_t)d->m, "excluded_before",
                     (json_int_t)d->before.n_excluded, "excluded_after",
                     (json_int_t)d->after.n_excluded, "newly_in",
                     (json_int_t)count_switched(d, 1), "newly_excluded",
                     (json_int_t)count_switched(d, 0), "raw_changed", (json_int_t)d->n_changed,
                     "moved_up", (json_int_t)d->n_up, "moved_down", (json_int_t)d->n_down,
                     "top_up", up, "top_down", down, "top5_after", best);
}

/* One mover in the text summary: ranks, totals, and the raw value that changed most. */
static void print_site(const cor_site_criteria *crit, const cor_site_candidates *cd,
                       const cor_site_delta *d, size_t i)
{
    size_t n = d->n;
    int mc = d->most_changed[i];
    printf("    %-36s %5d -> %5d  (%+d)  total %.4f -> %.4f", cd->label[i], d->before.rank[i],
           d->after.rank[i], d->rank_change[i], d->before.total[i], d->after.total[i]);
    if (mc >= 0)
        printf("  %s %.4g -> %.4g", cor_site_criterion_id(crit, (size_t)mc),
               d->before.raw[i * n + (size_t)mc], d->after.raw[i * n + (size_t)mc]);
    else
        printf("  (no raw value changed)");
    printf("\n");
}

static void print_sites(const char *path, const char *cand, const cor_site_criteria *crit,
                        const cor_site_candidates *cd, const cor_site_delta *d, size_t top)
{
    const char *title = cor_site_criteria_title(crit);
    printf("Sites (%s%s%s; %s, %zu candidates): excluded %zu before, %zu after; raw values "
           "changed for %zu; %zu move up, %zu down\n", path, title ? " - " : "",
           title ? title : "", cand, d->m, d->before.n_excluded, d->after.n_excluded,
           d->n_changed, d->n_up, d->n_down);
    if (d->n_up) {
        printf("  Moving up (rank before -> after, the criterion that changed most):\n");
        for (size_t q = 0; q < d->n_up && q < top; q++)
            print_site(crit, cd, d, d->up[q]);
    }
    if (d->n_down) {
        printf("  Moving down:\n");
        for (size_t q = 0; q < d->n_down && q < top; q++)
            print_site(crit, cd, d, d->down[q]);
    }
    size_t in1 = count_switched(d, 1), out1 = count_switched(d, 0);
    if (in1 || out1)
        printf("  %zu newly within the constraints, %zu newly excluded\n", in1, out1);
    printf("  Top 5 after:\n");
    size_t n_in = d->after.m - d->after.n_excluded;
    for (size_t q = 0; q < n_in && q < 5; q++) {
        size_t i = d->after.order[q];
        printf("    %3d. %-36s %.4f", d->after.rank[i], cd->label[i], d->after.total[i]);
        if (d->before.rank[i])
            printf("  (before: %d.)\n", d->before.rank[i]);
        else
            printf("  (before: excluded)\n");
    }
}

int cmd_scenario(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor scenario" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    cli_route_opts ro = CLI_ROUTE_OPTS_DEFAULT;
    ro.to = "cities";
    enum { O_SCEN = 2000, O_MEASURE, O_CORR, O_SITES, O_SITE_CAND, O_WITHIN };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS, CLI_ROUTE_LONGOPTS,
        { "scenario", required_argument, NULL, O_SCEN },
        { "origins", required_argument, NULL, CLI_OPT_FROM },
        { "to", required_argument, NULL, CLI_OPT_TO },
        { "measure", required_argument, NULL, O_MEASURE },
        { "corridors", no_argument, NULL, O_CORR },
        { "top", required_argument, NULL, CLI_OPT_TOP },
        { "sites", required_argument, NULL, O_SITES },
        { "site-candidates", required_argument, NULL, O_SITE_CAND },
        { "within", required_argument, NULL, O_WITHIN },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *scen_path = NULL, *measure_list = "nearest";
    const char *output = NULL, *sites_path = NULL, *site_cand = "parks", *within = NULL;
    int corridors = 0;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, &ro, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        switch (opt) {
        case O_SCEN: scen_path = optarg; break;
        case O_MEASURE: measure_list = optarg; break;
        case O_CORR: corridors = 1; break;
        case 'o': output = optarg; break;
        case O_SITES: sites_path = optarg; break;
        case O_SITE_CAND: site_cand = optarg; break;
        case O_WITHIN: within = optarg; break;
        default: break;
        }
    }
    const char *origins = ro.from, *to = ro.to;
    int mode = ro.mode, top = ro.top;
    double max_snap_m = ro.max_snap_m;
    if (!scen_path)
        return cli_usage_error(&c, USAGE, "--scenario FILE.json is required");
    if (!origins)
        return cli_usage_error(&c, USAGE, "--origins is required");
    if (!output)
        return cli_usage_error(&c, USAGE, "-o FILE (.gpkg, .csv) is required");
    int is_csv = ends_with(output, ".csv");
    if (!is_csv && !ends_with(output, ".gpkg"))
        return cli_usage_error(&c, USAGE, "%s: the output is a GeoPackage (.gpkg, two layers) "
                               "or .csv", output);
    if (!*to || !*origins)
        return cli_usage_error(&c, USAGE, "%s: empty value", *to ? "--origins" : "--to");
    int site_grid = !strncmp(site_cand, "grid:", 5);
    double cell_m = 0;
    if (sites_path) {
        if (is_csv)
            return cli_usage_error(&c, USAGE, "--sites needs a .gpkg output (layer sites_delta), "
                                   "not %s", output);
        if (!*site_cand)
            return cli_usage_error(&c, USAGE, "--site-candidates: empty value");
        if (site_grid && (!cli_parse_number(site_cand + 5, &cell_m) || !(cell_m >= 100)))
            return cli_usage_error(&c, USAGE, "--site-candidates %s: the grid size must be at "
                                   "least 100m (e.g. grid:5km)", site_cand);
        if (site_grid && !within)
            return cli_usage_error(&c, USAGE, "--site-candidates %s needs --within NAME (e.g. "
                                   "--within 河北)", site_cand);
        if (!site_grid && within)
            return cli_usage_error(&c, USAGE, "--within goes with --site-candidates grid:SIZE");
    } else if (within || strcmp(site_cand, "parks")) {
        return cli_usage_error(&c, USAGE, "%s needs --sites CRITERIA.json",
                               within ? "--within" : "--site-candidates");
    }
    cor_access_measure ms[MAX_MEASURES];
    size_t n_ms = 0;
    cor_error err = COR_ERROR_INIT;
    if (cor_access_parse_list(measure_list, ms, MAX_MEASURES, &n_ms, &err) != COR_OK)
        return cli_usage_error(&c, USAGE, "--measure: %s", err.msg);

    cor_scenario *sc = NULL;
    cli_net net = { 0 }, net2 = { 0 };
    cor_graph *g2 = NULL;
    cor_engine *e2 = NULL;
    cor_scenario_result res = { 0 };
    cli_points po = { 0 }, pf = { 0 }, pc = { 0 };
    uint32_t *tb = NULL, *ta = NULL, *after_node = NULL, *cb = NULL, *ca = NULL;
    double *tmin = NULL, *vb = NULL, *va = NULL, *mass_w = NULL, *demand_w = NULL;
    size_t *wb = NULL, *wa = NULL;
    cor_writer *w = NULL;
    json_t *doc = NULL;
    chain_gain *chains = NULL;
    size_t n_chains = 0;
    gain_item *gi = NULL, *pairs = NULL;
    double *Rb = NULL, *Ra = NULL;
    cor_site_criteria *crit = NULL;
    cor_site_candidates scd;
    memset(&scd, 0, sizeof scd);
    cor_site_delta sdl;
    memset(&sdl, 0, sizeof sdl);
    int rc;
    cor_logger lg = cli_logger(&c);

    if (!(sc = cor_scenario_load(scen_path, &err))) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    if (sites_path && !(crit = cor_site_criteria_load(sites_path, &err))) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    if ((rc = cli_net_open(&c, &no, argc, argv, optind, &net)) != EXIT_OK)
        goto out;
    if (!c.quiet)
        fprintf(stderr, "applying %zu edit%s of %s\n", cor_scenario_edit_count(sc),
                cor_scenario_edit_count(sc) == 1 ? "" : "s", scen_path);
    cor_scenario_opts so = COR_SCENARIO_OPTS_DEFAULT;
    so.ds = net.ds;
    so.xy_of_lonlat = cli_lonlat_to_xy;
    so.lonlat_user = net.ds;
    so.max_snap_m = max_snap_m;
    so.log = lg;
    if (!(g2 = cor_scenario_apply(sc, net.e, &so, &res, &err)) ||
        !(e2 = cor_engine_create(g2, &err))) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    net2 = (cli_net){ net.ds, g2, e2 };
    if (sites_path && (rc = compare_sites(&c, &net, e2, crit, site_cand, site_grid, cell_m,
                                          within, max_snap_m, &scd, &sdl)) != EXIT_OK)
        goto out;

    cli_points_opts opo = CLI_POINTS_OPTS_DEFAULT;
    opo.option = "--origins";
    opo.id_optional = 1;
    opo.max_snap_m = max_snap_m;
    if ((rc = cli_points_load(&c, &net, origins, &opo, &po)) != EXIT_OK)
        goto out;
    cli_points_opts fpo = opo;
    fpo.option = "--to";
    if ((rc = cli_points_load(&c, &net, to, &fpo, &pf)) != EXIT_OK)
        goto out;
    size_t nf_base = pf.n;
    if (!(after_node = malloc((res.n_places + 1) * sizeof *after_node)) ||
        !add_new_places(&pf, &res, after_node, res.n_places)) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        rc = cli_fail(&c, &err);
        goto out;
    }
    size_t no_ = po.n, nf = pf.n, cells = no_ * nf;
    tb = malloc((cells + 1) * sizeof *tb);
    ta = malloc((cells + 1) * sizeof *ta);
    tmin = malloc((cells + 1) * sizeof *tmin);
    vb = malloc((n_ms * no_ + 1) * sizeof *vb);
    va = malloc((n_ms * no_ + 1) * sizeof *va);
    wb = malloc((no_ + 1) * sizeof *wb);
    wa = malloc((no_ + 1) * sizeof *wa);
    mass_w = malloc((nf + 1) * sizeof *mass_w);
    demand_w = malloc((no_ + 1) * sizeof *demand_w);
    if (!tb || !ta || !tmin || !vb || !va || !wb || !wa || !mass_w || !demand_w) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory for %zu x %zu times", no_, nf);
        rc = cli_fail(&c, &err);
        goto out;
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    int tick = 0;
    if (!c.quiet) {
        mo.progress = cli_progress;
        mo.progress_user = &tick;
        fprintf(stderr, "travel times before\n");
    }
    if ((rc = cli_points_matrix(&c, &net, &po, &pf, &mo, tb, NULL)) != EXIT_OK)
        goto out;
    for (size_t k = nf_base; k < nf; k++)
        pf.items[k].anchor = (cor_anchor){ after_node[k - nf_base], 0, 0 };
    tick = 0;
    if (!c.quiet)
        fprintf(stderr, "travel times after\n");
    if ((rc = cli_points_matrix(&c, &net2, &po, &pf, &mo, ta, NULL)) != EXIT_OK)
        goto out;

    /* masses: the facilities' role mass (population for cities), else 1; demand likewise */
    int any_mass = 0, any_demand = 0;
    for (size_t j = 0; j < nf; j++)
        any_mass |= !isnan(pf.items[j].mass);
    for (size_t j = 0; j < nf; j++)
        mass_w[j] = isnan(pf.items[j].mass) ? 0 : pf.items[j].mass;
    for (size_t i = 0; i < no_; i++) {
        any_demand |= !isnan(po.items[i].mass);
        demand_w[i] = isnan(po.items[i].mass) ? 0 : po.items[i].mass;
    }
    cor_access_input in = { .n_origins = no_, .n_facilities = nf, .time_min = tmin,
                            .mass = any_mass ? mass_w : NULL,
                            .demand = any_demand ? demand_w : NULL };
    for (int pass = 0; pass < 2; pass++) {
        const uint32_t *t = pass ? ta : tb;
        for (size_t k = 0; k < cells; k++)
            tmin[k] = t[k] == COR_UNREACHABLE ? INFINITY : t[k] / 60000.0;
        for (size_t m = 0; m < n_ms; m++)
            if (cor_access_compute(&in, &ms[m], (pass ? va : vb) + m * no_,
                                   ms[m].kind == COR_ACCESS_NEAREST ? (pass ? wa : wb) : NULL,
                                   &err) != COR_OK) {
                rc = cli_fail(&c, &err);
                goto out;
            }
    }

    /* ---- output ---- */
    cor_field fields[8 + 4 * MAX_MEASURES];
    char colnames[4 * MAX_MEASURES][64];
    size_t nfld = 0, has_nearest = 0;
    fields[nfld++] = (cor_field){ "name", COR_FIELD_STRING };
    if (is_csv) {
        fields[nfld++] = (cor_field){ "lon", COR_FIELD_REAL };
        fields[nfld++] = (cor_field){ "lat", COR_FIELD_REAL };
    }
    static const char *const SUFFIX[4] = { "before", "after", "change", "pct" };
    for (size_t m = 0; m < n_ms; m++) {
        for (int s = 0; s < 4; s++) {
            snprintf(colnames[4 * m + (size_t)s], sizeof colnames[0], "%s_%s", ms[m].column,
                     SUFFIX[s]);
            fields[nfld++] = (cor_field){ colnames[4 * m + (size_t)s], COR_FIELD_REAL };
        }
        has_nearest |= ms[m].kind == COR_ACCESS_NEAREST;
    }
    if (has_nearest) {
        fields[nfld++] = (cor_field){ "nearest_before", COR_FIELD_STRING };
        fields[nfld++] = (cor_field){ "nearest_after", COR_FIELD_STRING };
    }
    if (!(w = cor_writer_create(output, is_csv ? NULL : cor_graph_crs(net.g), &err)) ||
        cor_writer_layer(w, "delta", is_csv ? COR_GEOM_NONE : COR_GEOM_POINT, fields, nfld,
                         &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    size_t nearest_m = SIZE_MAX;
    for (size_t m = 0; m < n_ms && nearest_m == SIZE_MAX; m++)
        if (ms[m].kind == COR_ACCESS_NEAREST)
            nearest_m = m;
    for (size_t i = 0; i < no_; i++) {
        const cli_point *p = &po.items[i];
        int on = p->anchor.node != COR_UNREACHABLE;
        cor_value v[8 + 4 * MAX_MEASURES];
        size_t k = 0;
        v[k++] = COR_STR(p->label);
        if (is_csv) {
            v[k++] = COR_REAL(round(p->lon_deg * 1e7) / 1e7);
            v[k++] = COR_REAL(round(p->lat_deg * 1e7) / 1e7);
        }
        for (size_t m = 0; m < n_ms; m++) {
            double b = vb[m * no_ + i], a = va[m * no_ + i];
            int db = on && !isnan(b), da = on && !isnan(a);
            v[k++] = db ? COR_REAL(b) : COR_NULL;
            v[k++] = da ? COR_REAL(a) : COR_NULL;
            v[k++] = db && da ? COR_REAL(a - b) : COR_NULL;
            v[k++] = db && da && b != 0 ? COR_REAL(100.0 * (a - b) / b) : COR_NULL;
        }
        if (has_nearest) {
            double b = vb[nearest_m * no_ + i], a = va[nearest_m * no_ + i];
            v[k++] = on && !isnan(b) ? COR_STR(pf.items[wb[i]].label) : COR_NULL;
            v[k++] = on && !isnan(a) ? COR_STR(pf.items[wa[i]].label) : COR_NULL;
        }
        double xy[2] = { p->x_m, p->y_m };
        if (cor_writer_feature(w, v, is_csv ? NULL : xy, is_csv ? 0 : 1, NULL, 0, &err) !=
            COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
    }
    if (!is_csv) {
        /* QGIS opens the delta with Corridor's diverging change style on the first measure */
        double *chg = malloc((no_ ? no_ : 1) * sizeof *chg);
        char chg_field[64];
        snprintf(chg_field, sizeof chg_field, "%s_change", ms[0].column);
        for (size_t i = 0; chg && i < no_; i++)
            chg[i] = po.items[i].anchor.node == COR_UNREACHABLE ? NAN : va[i] - vb[i];
        cor_status st = chg ? cli_style_layer(&c, w, "delta", COR_QML_DELTA, chg_field, chg, no_,
                                              &err)
                            : cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        free(chg);
        if (st != COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
        static const cor_field LF[5] = { { "name", COR_FIELD_STRING },
                                         { "mode", COR_FIELD_STRING },
                                         { "class", COR_FIELD_STRING },
                                         { "speed_kmh", COR_FIELD_REAL },
                                         { "edit", COR_FIELD_STRING } };
        if (cor_writer_layer(w, "scenario_lines", COR_GEOM_LINESTRING, LF, 5, &err) != COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
        for (size_t k = 0; k < res.n_lines; k++) {
            const cor_scenario_line *L = &res.lines[k];
            cor_value v[5] = { COR_STR(L->name), COR_STR(L->mode),
                               COR_STR(cor_class_name(L->cls)),
                               isnan(L->speed_kmh) ? COR_NULL : COR_REAL(L->speed_kmh),
                               COR_STR(cor_edit_kind_name(L->edit)) };
            if (cor_writer_feature(w, v, L->xy, L->n, NULL, 0, &err) != COR_OK) {
                rc = cli_fail(&c, &err);
                goto out;
            }
        }
        /* the edited lines drawn like the network's (by mode and class) */
        if (cli_style_layer(&c, w, "scenario_lines", COR_QML_NETWORK_EDGES, NULL, NULL, 0,
                            &err) != COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
    }
    if (sites_path && write_sites_delta(w, crit, &scd, &sdl, &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }

    /* ---- summary: who gains (first measure) ---- */
    const cor_access_measure *m0 = &ms[0];
    int m0_time = is_time_measure(m0);
    gi = malloc((no_ + 1) * sizeof *gi);
    size_t ng = 0, n_gain = 0, n_loss = 0;
    if (!gi) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        rc = cli_fail(&c, &err);
        goto out;
    }
    for (size_t i = 0; i < no_; i++) {
        double b = vb[i], a = va[i];
        if (po.items[i].anchor.node == COR_UNREACHABLE)
            continue;
        double gain;
        if (isnan(b) && !isnan(a))
            gain = INFINITY; /* newly reached */
        else if (isnan(a) || isnan(b))
            gain = isnan(a) && !isnan(b) ? -INFINITY : 0;
        else
            gain = m0_time ? b - a : a - b;
        if (gain > 1e-9)
            n_gain++;
        else if (gain < -1e-9)
            n_loss++;
        gi[ng++] = (gain_item){ i, gain };
    }
    qsort(gi, ng, sizeof *gi, cmp_gain);

    /* parks by chain: the mean gain of the parks of every chain (a park can have several) */
    if (po.role == COR_ROLE_PARK && cor_dataset_role_layer(net.ds, COR_ROLE_PARK)) {
        static const char *const F[1] = { "chain" };
        cor_features pk;
        if (cor_dataset_read_layer(net.ds, cor_dataset_role_layer(net.ds, COR_ROLE_PARK), F, 1,
                                   &pk, &err) == COR_OK) {
            for (size_t q = 0; q < ng; q++) {
                const cli_point *p = &po.items[gi[q].i];
                if (!isfinite(gi[q].gain))
                    continue;
                const char *chain = NULL;
                for (size_t r = 0; r < pk.n && !chain; r++)
                    if (pk.fid[r] == p->fid)
                        chain = pk.values[r] ? pk.values[r] : "";
                char buf[512];
                snprintf(buf, sizeof buf, "%s", chain && *chain ? chain : "(none)");
                char *save = NULL;
                for (char *tok = strtok_r(buf, ";", &save); tok;
                     tok = strtok_r(NULL, ";", &save)) {
                    size_t h = 0;
                    while (h < n_chains && strcmp(chains[h].chain, tok))
                        h++;
                    if (h == n_chains) {
                        chain_gain *nc = realloc(chains, (n_chains + 1) * sizeof *nc);
                        if (!nc)
                            break;
                        chains = nc;
                        size_t len = strlen(tok);
                        if (!(chains[h].chain = malloc(len + 1)))
                            break;
                        memcpy(chains[h].chain, tok, len + 1);
                        chains[h].sum = 0;
                        chains[h].n = 0;
                        n_chains++;
                    }
                    chains[h].sum += gi[q].gain;
                    chains[h].n++;
                }
            }
            cor_features_free(&pk);
        } else {
            cor_log(&lg, COR_LOG_WARN, "parks by chain: %s", err.msg);
            err = COR_ERROR_INIT;
        }
    }

    /* population within 30/60/90 minutes of the facilities, from the cities */
    cli_points_opts cpo = opo;
    cpo.option = "(cities)";
    double pop_before[3] = { 0, 0, 0 }, pop_after[3] = { 0, 0, 0 }, pop_total = 0;
    static const double THRESH[3] = { 30, 60, 90 };
    int have_cities = cor_dataset_role_layer(net.ds, COR_ROLE_CITY) != NULL;
    if (have_cities) {
        if ((rc = cli_points_load(&c, &net, "cities", &cpo, &pc)) != EXIT_OK)
            goto out;
        size_t ncc = pc.n;
        uint32_t *x = malloc((ncc * nf + 1) * sizeof *x), *y = malloc((ncc * nf + 1) * sizeof *y);
        if (!x || !y) {
            free(x);
            free(y);
            cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
            rc = cli_fail(&c, &err);
            goto out;
        }
        cor_matrix_opts mo2 = mo;
        mo2.progress = NULL;
        for (size_t k = nf_base; k < nf; k++)
            pf.items[k].anchor.node = COR_UNREACHABLE;
        rc = cli_points_matrix(&c, &net, &pc, &pf, &mo2, x, NULL);
        for (size_t k = nf_base; k < nf; k++)
            pf.items[k].anchor = (cor_anchor){ after_node[k - nf_base], 0, 0 };
        if (rc == EXIT_OK)
            rc = cli_points_matrix(&c, &net2, &pc, &pf, &mo2, y, NULL);
        if (rc != EXIT_OK) {
            free(x);
            free(y);
            goto out;
        }
        for (size_t i = 0; i < ncc; i++) {
            double pop = isnan(pc.items[i].mass) ? 0 : pc.items[i].mass;
            uint32_t bb = COR_UNREACHABLE, aa = COR_UNREACHABLE;
            for (size_t j = 0; j < nf; j++) {
                bb = x[i * nf + j] < bb ? x[i * nf + j] : bb;
                aa = y[i * nf + j] < aa ? y[i * nf + j] : aa;
            }
            pop_total += pop;
            for (int t = 0; t < 3; t++) {
                if (bb != COR_UNREACHABLE && bb <= THRESH[t] * 60000.0)
                    pop_before[t] += pop;
                if (aa != COR_UNREACHABLE && aa <= THRESH[t] * 60000.0)
                    pop_after[t] += pop;
            }
        }
        free(x);
        free(y);
    }

    /* corridors: gravity linkage of the cities before and after */
    size_t ncc = pc.n;
    size_t npairs = 0;
    if (corridors && have_cities && ncc >= 2) {
        double *mass = malloc(ncc * sizeof *mass);
        cb = malloc(ncc * ncc * sizeof *cb);
        ca = malloc(ncc * ncc * sizeof *ca);
        Rb = malloc(ncc * ncc * sizeof *Rb);
        Ra = malloc(ncc * ncc * sizeof *Ra);
        pairs = malloc(ncc * ncc * sizeof *pairs);
        int okc = mass && cb && ca && Rb && Ra && pairs;
        cor_matrix_opts mo3 = mo;
        mo3.progress = NULL;
        for (size_t i = 0; okc && i < ncc; i++) {
            mass[i] = pc.items[i].mass;
            if (!(mass[i] > 0)) {
                cor_log(&lg, COR_LOG_WARN, "--corridors: city '%s' has no population; "
                        "linkage skipped", pc.items[i].label);
                okc = 0;
            }
        }
        if (okc && (cli_points_matrix(&c, &net, &pc, &pc, &mo3, cb, NULL) != EXIT_OK ||
                    cli_points_matrix(&c, &net2, &pc, &pc, &mo3, ca, NULL) != EXIT_OK))
            okc = 0;
        cor_gravity_opts go = COR_GRAVITY_OPTS_DEFAULT;
        size_t badi;
        if (okc && (cor_gravity(ncc, mass, cb, &go, Rb, NULL, NULL, NULL, &badi, &err) != COR_OK ||
                    cor_gravity(ncc, mass, ca, &go, Ra, NULL, NULL, NULL, &badi, &err) != COR_OK)) {
            cor_log(&lg, COR_LOG_WARN, "--corridors: %s", err.msg);
            err = COR_ERROR_INIT;
            okc = 0;
        }
        for (size_t i = 0; okc && i < ncc; i++)
            for (size_t j = i + 1; j < ncc; j++) {
                double b = Rb[i * ncc + j], a = Ra[i * ncc + j];
                if (isnan(b) && isnan(a))
                    continue;
                double ch = (isnan(a) ? 0 : a) - (isnan(b) ? 0 : b);
                pairs[npairs++] = (gain_item){ i * ncc + j, fabs(ch) };
            }
        if (okc)
            qsort(pairs, npairs, sizeof *pairs, cmp_gain);
        else
            npairs = 0;
        free(mass);
    }

    cor_writer *done = w;
    w = NULL;
    if (cor_writer_close(done, &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }

    size_t shown = ng < (size_t)top ? ng : (size_t)top;
    if (c.json) {
        json_t *gains = json_array(), *pops = json_array(), *ch = json_array(),
               *cl = json_array(), *ms_j = json_array();
        for (size_t m = 0; m < n_ms; m++)
            json_array_append_new(ms_j, json_string(ms[m].column));
        for (size_t q = 0; q < shown; q++) {
            size_t i = gi[q].i;
            double b = vb[i], a = va[i];
            json_array_append_new(gains, json_pack("{s:s, s:o, s:o, s:o}", "name",
                                                   po.items[i].label, "before",
                                                   isnan(b) ? json_null() : json_real(b), "after",
                                                   isnan(a) ? json_null() : json_real(a), "gain",
                                                   isfinite(gi[q].gain) ? json_real(gi[q].gain)
                                                                        : json_null()));
        }
        for (int t = 0; t < 3 && have_cities; t++)
            json_array_append_new(pops, json_pack("{s:f, s:f, s:f}", "minutes", THRESH[t],
                                                  "before", pop_before[t], "after",
                                                  pop_after[t]));
        for (size_t h = 0; h < n_chains; h++)
            json_array_append_new(ch, json_pack("{s:s, s:I, s:f}", "chain", chains[h].chain,
                                                "parks", (json_int_t)chains[h].n, "mean_gain",
                                                chains[h].sum / (double)chains[h].n));
        for (size_t q = 0; q < npairs && q < (size_t)top; q++) {
            size_t i = pairs[q].i / ncc, j = pairs[q].i % ncc;
            double b = Rb[pairs[q].i], a = Ra[pairs[q].i];
            json_array_append_new(cl, json_pack("{s:s, s:s, s:o, s:o}", "a", pc.items[i].label,
                                                "b", pc.items[j].label, "before",
                                                isnan(b) ? json_null() : json_real(b), "after",
                                                isnan(a) ? json_null() : json_real(a)));
        }
        doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
                        "s:{s:I, s:I, s:I, s:I}, s:s, s:o, s:o, s:o, s:s}",
                        "scenario", scen_path, "name", cor_scenario_name(sc), "origins", origins,
                        "to", to, "mode", cor_mode_name((cor_mode)mode), "measures", ms_j,
                        "edits", "lines", (json_int_t)res.n_lines, "places_added",
                        (json_int_t)res.n_places, "links_added", (json_int_t)res.links_added,
                        "links_changed", (json_int_t)res.links_changed, "links_closed",
                        (json_int_t)res.links_closed, "stations_closed",
                        (json_int_t)res.stations_closed, "origins_summary", "count",
                        (json_int_t)no_, "gain", (json_int_t)n_gain, "loss",
                        (json_int_t)n_loss, "unchanged", (json_int_t)(ng - n_gain - n_loss),
                        "gain_measure", m0->column, "top_gains", gains,
                        "population_within", pops, "parks_by_chain", ch, "output", output);
        if (corridors)
            json_object_set_new(doc, "linkage_changes", cl);
        else
            json_decref(cl);
        if (doc)
            json_object_set_new(doc, "population_total", json_real(pop_total));
        if (doc && sites_path)
            json_object_set_new(doc, "sites", sites_json(sites_path, site_cand, crit, &scd,
                                                         &sdl, (size_t)top));
        cli_print_json(doc);
        doc = NULL;
    } else {
        printf("Scenario %s%s%s: %zu line%s added/changed/closed, %zu place%s added; links: "
               "%zu added, %zu changed, %zu closed\n", scen_path,
               *cor_scenario_name(sc) ? " - " : "", cor_scenario_name(sc), res.n_lines,
               res.n_lines == 1 ? "" : "s", res.n_places, res.n_places == 1 ? "" : "s",
               res.links_added, res.links_changed, res.links_closed);
        printf("Accessibility of %s (%zu) to %s (%zu) by %s: %zu gain, %zu lose, %zu unchanged "
               "(%s)\n", origins, no_, to, nf, cor_mode_name((cor_mode)mode), n_gain, n_loss,
               ng - n_gain - n_loss, m0->column);
        printf("Top %zu by %s %s:\n", shown, m0->column, m0_time ? "fall (minutes saved)"
                                                                 : "rise");
        for (size_t q = 0; q < shown; q++) {
            size_t i = gi[q].i;
            printf("  %-36s %10.2f -> %10.2f  (%+.2f)\n", po.items[i].label, vb[i], va[i],
                   va[i] - vb[i]);
        }
        if (n_chains) {
            printf("Parks by chain (mean %s):\n", m0_time ? "minutes saved" : "gain");
            for (size_t h = 0; h < n_chains; h++)
                printf("  %-36s %3zu parks  %+.2f\n", chains[h].chain, chains[h].n,
                       chains[h].sum / (double)chains[h].n);
        }
        if (have_cities) {
            printf("City population within reach of %s (of %.0f):\n", to, pop_total);
            for (int t = 0; t < 3; t++)
                printf("  %3.0f min  %14.0f -> %14.0f  (%+.0f)\n", THRESH[t], pop_before[t],
                       pop_after[t], pop_after[t] - pop_before[t]);
        }
        if (corridors) {
            printf("City linkage (gravity, corridor corridors) changing most:\n");
            for (size_t q = 0; q < npairs && q < (size_t)top; q++) {
                size_t i = pairs[q].i / ncc, j = pairs[q].i % ncc;
                double b = Rb[pairs[q].i], a = Ra[pairs[q].i];
                printf("  %-20s - %-20s %12.4g -> %12.4g  (%+.1f%%)\n", pc.items[i].label,
                       pc.items[j].label, b, a, b > 0 ? 100.0 * (a - b) / b : NAN);
            }
        }
        if (sites_path)
            print_sites(sites_path, site_cand, crit, &scd, &sdl, (size_t)top);
        printf("Wrote %s (layers delta%s%s)\n", output, is_csv ? "" : ", scenario_lines",
               sites_path ? ", sites_delta" : "");
    }
    rc = EXIT_OK;
out:
    cor_site_delta_free(&sdl);
    cor_site_candidates_free(&scd);
    cor_site_criteria_destroy(crit);
    free(gi);
    free(Rb);
    free(Ra);
    free(pairs);
    cor_writer_abort(w);
    json_decref(doc);
    for (size_t h = 0; h < n_chains; h++)
        free(chains[h].chain);
    free(chains);
    free(tb);
    free(ta);
    free(cb);
    free(ca);
    free(tmin);
    free(vb);
    free(va);
    free(wb);
    free(wa);
    free(mass_w);
    free(demand_w);
    free(after_node);
    cli_points_free(&po);
    cli_points_free(&pf);
    cli_points_free(&pc);
    cor_scenario_result_free(&res);
    cor_engine_destroy(e2);
    cor_graph_destroy(g2);
    cor_scenario_destroy(sc);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
