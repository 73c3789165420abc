/* cmd_access.c: `corridor access`: accessibility of origins to facilities (nearest facility,
 * weighted average time, cumulative opportunities, Hansen gravity, 2SFCA), one row per origin
 * with its point and one column per measure. */
#include "cli.h"
#include "cli_points.h"
#include "corridor/access.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MEASURES 16

static const char USAGE[] =
    "Usage: corridor access [DATA] --origins SRC [--to SRC] [--measure LIST] -o FILE\n"
    "                       [--mass FIELD] [--supply FIELD] [--demand FIELD] [--mode MODE]\n"
    "                       [--id-field FIELD] [--max-snap KM] [--json] [--speed KEY=VALUE]...\n"
    "                       [--config FILE]\n\n"
    "Accessibility of every origin to the facilities (default: cities) on the multimodal\n"
    "network of DATA (default: the bundled dataset), from the travel times origin -> facility.\n"
    "SRC is a place role (cities, ports, airports, stations, parks, or city, port, ...), any\n"
    "other layer of DATA, or a file of points (GeoPackage, GeoJSON, CSV with lon/lat columns,\n"
    "...), as for corridor matrix.\n\n"
    "Measures (LIST is comma-separated, default nearest; t in minutes, M_j the mass):\n"
    "  nearest           nearest_min, nearest_name: the nearest reachable facility\n"
    "  watt              watt_min: sum M_j t_ij / sum M_j over the reachable facilities\n"
    "  cum:T             cum_T: sum of M_j over facilities within T minutes (t <= T)\n"
    "  hansen:exp:BETA   hansen_exp_BETA: sum M_j exp(-BETA t_ij)\n"
    "  hansen:pow:BETA   hansen_pow_BETA: sum M_j max(t_ij, 1)^-BETA (t floored at 1 minute)\n"
    "  2sfca:T           a_2sfca_T: two-step floating catchment, R_j = S_j / sum of D_k over\n"
    "                    origins k with t_kj <= T, A_i = sum of R_j over j with t_ij <= T\n"
    "                    (both steps use the origin -> facility times)\n"
    "  T is in (0, 1440] minutes, BETA > 0; '.' in a column name becomes '_' (cum_7_5).\n\n"
    "Options:\n"
    "  --origins SRC     the origins (one output row each)\n"
    "  --to SRC          the facilities (default cities)\n"
    "  --measure LIST    the measures, e.g. nearest,watt,cum:60,hansen:exp:0.02,2sfca:60\n"
    "  --mass FIELD      facility mass M_j (default: the role's mass, population for cities;\n"
    "                    else 1)\n"
    "  --supply FIELD    facility supply S_j for 2sfca (default 1)\n"
    "  --demand FIELD    origin demand D_k for 2sfca (default: the origins' mass, population\n"
    "                    for cities; else 1)\n"
    "                    Unset or non-numeric weights count as 0 (with a warning); negative\n"
    "                    weights are an error.\n"
    "  -o, --output FILE .gpkg, .geojson, .fgb: layer 'access', the origins' points in the\n"
    "                    working CRS; .csv: columns name,lon,lat (WGS 84 degrees) first\n"
    "  --mode MODE       multi (default), road, rail\n"
    "  --id-field FIELD  label origins and facilities with this field (default: name, else\n"
    "                    name_zh, else the feature id); needed in at least one of them\n"
    "  --max-snap KM     points farther than this from a road stay unreachable (default 20);\n"
    "                    their measures are empty\n"
    "  --json            a summary as JSON (per column: count, min, mean, max)\n"
    "  --speed KEY=VALUE, --config FILE, --crs CRS, -q/--quiet, -h/--help\n"
    "Columns: name, snap_m (metres from the point to its road node; 0 for places), then the\n"
    "measures. Empty (NULL) values: nearest and watt when no facility is reachable; every\n"
    "measure for an origin off the network.\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

/* Fills w (n values) with the weights of a point set: the field in slot when given, else
 * the role mass when use_mass and any point has one, else NULL (all 1). Unset values become
 * 0 with a warning; negative values fail. Returns EXIT_OK/EXIT_FAIL; *out is w or NULL. */
static int weights(const cli_ctx *c, const cli_points *p, const char *option, const char *field,
                   int slot, int use_mass, double *w, const double **out)
{
    *out = NULL;
    int any_mass = 0;
    for (size_t i = 0; use_mass && i < p->n; i++)
        any_mass |= !isnan(p->items[i].mass);
    if (!field && !any_mass)
        return EXIT_OK;
    size_t unset = 0;
    const char *first_unset = NULL;
    for (size_t i = 0; i < p->n; i++) {
        double v = field ? p->items[i].field[slot] : p->items[i].mass;
        if (isnan(v)) {
            if (!unset++)
                first_unset = p->items[i].label;
            v = 0;
        } else if (v < 0) {
            cor_error e = COR_ERROR_INIT;
            cor_error_set(&e, COR_ERR_INPUT, "%s %s: '%s' has a negative value (%g)", option,
                          field ? field : "(mass)", p->items[i].label, v);
            return cli_fail(c, &e);
        }
        w[i] = v;
    }
    if (unset) {
        cor_logger lg = cli_logger(c);
        cor_log(&lg, COR_LOG_WARN, "%s %s: %zu of %zu features (e.g. '%s') have no numeric "
                "value; counted as 0", field ? option : "mass", field ? field : "(default)",
                unset, p->n, first_unset);
    }
    *out = w;
    return EXIT_OK;
}

typedef struct { size_t n; double min, max, sum; } col_stats;

static json_t *stats_json(const col_stats *s)
{
    if (!s->n)
        return json_pack("{s:i, s:n, s:n, s:n}", "count", 0, "min", "mean", "max");
    return json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)s->n, "min", s->min, "mean",
                     s->sum / (double)s->n, "max", s->max);
}

int cmd_access(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor access" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    cli_route_opts ro = CLI_ROUTE_OPTS_DEFAULT;
    ro.to = "cities";
    enum { O_MEASURE = 2000, O_MASS, O_SUPPLY, O_DEMAND, O_ID };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS, CLI_ROUTE_LONGOPTS,
        { "origins", required_argument, NULL, CLI_OPT_FROM },
        { "to", required_argument, NULL, CLI_OPT_TO },
        { "measure", required_argument, NULL, O_MEASURE },
        { "mass", required_argument, NULL, O_MASS },
        { "supply", required_argument, NULL, O_SUPPLY },
        { "demand", required_argument, NULL, O_DEMAND },
        { "id-field", required_argument, NULL, O_ID },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *measure_list = "nearest", *output = NULL;
    const char *mass_f = NULL, *supply_f = NULL, *demand_f = NULL, *id_field = NULL;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, &ro, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        switch (opt) {
        case O_MEASURE: measure_list = optarg; break;
        case O_MASS: mass_f = optarg; break;
        case O_SUPPLY: supply_f = optarg; break;
        case O_DEMAND: demand_f = optarg; break;
        case O_ID: id_field = optarg; break;
        case 'o': output = optarg; break;
        default: break;
        }
    }
    const char *origins = ro.from, *to = ro.to;
    int mode = ro.mode;
    if (!origins)
        return cli_usage_error(&c, USAGE, "--origins is required");
    if (!output)
        return cli_usage_error(&c, USAGE, "-o FILE (.gpkg, .geojson, .fgb, .csv) is required");
    if (!cor_writer_supports(output))
        return cli_usage_error(&c, USAGE, "%s: unknown output format (.gpkg, .geojson, .fgb, "
                               ".csv)", output);
    const char *empty = !*to ? "--to" : mass_f && !*mass_f ? "--mass"
                        : supply_f && !*supply_f ? "--supply"
                        : demand_f && !*demand_f ? "--demand"
                        : id_field && !*id_field ? "--id-field" : NULL;
    if (empty)
        return cli_usage_error(&c, USAGE, "%s: empty value", empty);
    cor_access_measure ms[MAX_MEASURES];
    size_t n_ms = 0;
    cor_error err = COR_ERROR_INIT;
    if (cor_access_parse_list(measure_list, ms, MAX_MEASURES, &n_ms, &err) != COR_OK)
        return cli_usage_error(&c, USAGE, "--measure: %s", err.msg);
    int uses_mass = 0, uses_2sfca = 0;
    for (size_t k = 0; k < n_ms; k++) {
        uses_mass |= ms[k].kind != COR_ACCESS_NEAREST && ms[k].kind != COR_ACCESS_2SFCA;
        uses_2sfca |= ms[k].kind == COR_ACCESS_2SFCA;
    }
    int is_csv = ends_with(output, ".csv");

    cli_net net;
    cli_points po = { 0 }, pf = { 0 };
    uint32_t *times = NULL;
    double *tmin = NULL, *mass_w = NULL, *supply_w = NULL, *demand_w = NULL, *vals = NULL;
    size_t *which = NULL;
    cor_writer *w = NULL;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    if (rc != EXIT_OK)
        goto out;
    {
        cor_logger lg = cli_logger(&c);
        if (mass_f && !uses_mass)
            cor_log(&lg, COR_LOG_WARN, "--mass is used by watt, cum and hansen only; ignored");
        if ((supply_f || demand_f) && !uses_2sfca)
            cor_log(&lg, COR_LOG_WARN, "--supply and --demand are used by 2sfca only; ignored");
    }
    cli_points_opts opo = CLI_POINTS_OPTS_DEFAULT;
    opo.option = "--origins";
    opo.id_field = id_field;
    opo.id_optional = 1; /* a source without the field keeps its names */
    opo.max_snap_m = ro.max_snap_m;
    if (uses_2sfca && demand_f) {
        opo.fields[0] = demand_f;
        opo.field_options[0] = "--demand";
    }
    if ((rc = cli_points_load(&c, &net, origins, &opo, &po)) != EXIT_OK)
        goto out;
    cli_points_opts fpo = opo;
    fpo.option = "--to";
    fpo.fields[0] = uses_mass ? mass_f : NULL;
    fpo.field_options[0] = "--mass";
    fpo.fields[1] = uses_2sfca ? supply_f : NULL;
    fpo.field_options[1] = "--supply";
    if ((rc = cli_points_load(&c, &net, to, &fpo, &pf)) != EXIT_OK)
        goto out;
    if (id_field && !po.id_found && !pf.id_found) {
        cor_error_set(&err, COR_ERR_NOTFOUND, "--id-field %s: neither --origins %s nor --to %s "
                      "has a field '%s'", id_field, origins, to, id_field);
        rc = cli_fail(&c, &err);
        goto out;
    }

    size_t no_ = po.n, nf = pf.n, cells = no_ * nf;
    times = malloc((cells + 1) * sizeof *times);
    tmin = malloc((cells + 1) * sizeof *tmin);
    mass_w = malloc((nf + 1) * sizeof *mass_w);
    supply_w = malloc((nf + 1) * sizeof *supply_w);
    demand_w = malloc((no_ + 1) * sizeof *demand_w);
    vals = malloc((n_ms * no_ + 1) * sizeof *vals);
    which = malloc((no_ + 1) * sizeof *which);
    if (!times || !tmin || !mass_w || !supply_w || !demand_w || !vals || !which) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory for %zu x %zu times", no_, nf);
        rc = cli_fail(&c, &err);
        goto out;
    }
    cor_access_input in = { .n_origins = no_, .n_facilities = nf, .time_min = tmin };
    if ((rc = weights(&c, &pf, "--mass", uses_mass ? mass_f : NULL, 0, uses_mass, mass_w,
                      &in.mass)) != EXIT_OK ||
        (rc = weights(&c, &pf, "--supply", uses_2sfca ? supply_f : NULL, 1, 0, supply_w,
                      &in.supply)) != EXIT_OK ||
        (rc = weights(&c, &po, "--demand", uses_2sfca ? demand_f : NULL, 0, uses_2sfca,
                      demand_w, &in.demand)) != EXIT_OK)
        goto out;

    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    int tick = 0;
    if (!c.quiet) {
        mo.progress = cli_progress;
        mo.progress_user = &tick;
    }
    if ((rc = cli_points_matrix(&c, &net, &po, &pf, &mo, times, NULL)) != EXIT_OK)
        goto out;
    for (size_t k = 0; k < cells; k++)
        tmin[k] = times[k] == COR_UNREACHABLE ? INFINITY : times[k] / 60000.0;
    for (size_t m = 0; m < n_ms; m++)
        if (cor_access_compute(&in, &ms[m], vals + m * no_,
                               ms[m].kind == COR_ACCESS_NEAREST ? which : NULL, &err) != COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }

    /* Output: name, [lon, lat,] snap_m, then the measures (nearest adds nearest_name). */
    cor_field fields[4 + 2 * MAX_MEASURES];
    size_t nfld = 0;
    fields[nfld++] = (cor_field){ "name", COR_FIELD_STRING };
    if (is_csv) {
        fields[nfld++] = (cor_field){ "lon", COR_FIELD_REAL };
        fields[nfld++] = (cor_field){ "lat", COR_FIELD_REAL };
    }
    fields[nfld++] = (cor_field){ "snap_m", COR_FIELD_REAL };
    for (size_t m = 0; m < n_ms; m++) {
        fields[nfld++] = (cor_field){ ms[m].column, COR_FIELD_REAL };
        if (ms[m].kind == COR_ACCESS_NEAREST)
            fields[nfld++] = (cor_field){ "nearest_name", COR_FIELD_STRING };
    }
    if (!(w = cor_writer_create(output, is_csv ? NULL : cor_graph_crs(net.g), &err)) ||
        cor_writer_layer(w, "access", is_csv ? COR_GEOM_NONE : COR_GEOM_POINT, fields, nfld,
                         &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    col_stats st[MAX_MEASURES];
    memset(st, 0, sizeof st);
    for (size_t i = 0; i < no_; i++) {
        const cli_point *p = &po.items[i];
        int on = p->anchor.node != COR_UNREACHABLE;
        cor_value v[4 + 2 * MAX_MEASURES];
        size_t k = 0;
        v[k++] = COR_STR(p->label);
        if (is_csv) {
            v[k++] = COR_REAL(round(p->lon_deg * 1e7) / 1e7);
            v[k++] = COR_REAL(round(p->lat_deg * 1e7) / 1e7);
        }
        v[k++] = isfinite(p->snap_m) ? COR_REAL(round(p->snap_m * 10) / 10) : COR_NULL;
        for (size_t m = 0; m < n_ms; m++) {
            double x = vals[m * no_ + i];
            int defined = on && !isnan(x);
            v[k++] = defined ? COR_REAL(x) : COR_NULL;
            if (defined) {
                st[m].min = st[m].n ? fmin(st[m].min, x) : x;
                st[m].max = st[m].n ? fmax(st[m].max, x) : x;
                st[m].sum += x;
                st[m].n++;
            }
            if (ms[m].kind == COR_ACCESS_NEAREST)
                v[k++] = defined ? COR_STR(pf.items[which[i]].label) : COR_NULL;
        }
        double xy[2] = { p->x_m, p->y_m };
        if (cor_writer_feature(w, v, is_csv ? NULL : xy, is_csv ? 0 : 1, NULL, 0, &err) !=
            COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
    }
    if (!is_csv && n_ms) { /* QGIS style: graduated on the first measure, where defined */
        for (size_t i = 0; i < no_; i++)
            if (po.items[i].anchor.node == COR_UNREACHABLE)
                vals[i] = NAN;
        if (cli_style_layer(&c, w, "access", COR_QML_ACCESS, ms[0].column, vals, no_, &err) !=
            COR_OK) {
            rc = cli_fail(&c, &err);
            goto out;
        }
    }
    cor_writer *done = w;
    w = NULL;
    if (cor_writer_close(done, &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }

    if (c.json) {
        json_t *cols = json_array();
        for (size_t m = 0; m < n_ms; m++) {
            json_t *o = stats_json(&st[m]);
            json_object_set_new(o, "column", json_string(ms[m].column));
            json_array_append_new(cols, o);
        }
        json_t *doc = json_pack(
            "{s:{s:s, s:I, s:I}, s:{s:s, s:I, s:I}, s:s, s:o, s:s}", "origins", "source",
            origins, "count", (json_int_t)po.n, "off_network", (json_int_t)po.n_off,
            "facilities", "source", to, "count", (json_int_t)pf.n, "off_network",
            (json_int_t)pf.n_off, "mode", cor_mode_name((cor_mode)mode), "measures", cols,
            "output", output);
        cli_print_json(doc);
    } else {
        printf("Accessibility of %s (%zu) to %s (%zu) by %s\n", origins, po.n, to, pf.n,
               cor_mode_name((cor_mode)mode));
        for (size_t m = 0; m < n_ms; m++) {
            if (st[m].n)
                printf("  %-22s min %12.4g  mean %12.4g  max %12.4g  (%zu origins)\n",
                       ms[m].column, st[m].min, st[m].sum / (double)st[m].n, st[m].max,
                       st[m].n);
            else
                printf("  %-22s no value\n", ms[m].column);
        }
        if (po.n_off || pf.n_off)
            printf("  off the network: %zu origins, %zu facilities\n", po.n_off, pf.n_off);
        printf("Wrote %s (layer access)\n", output);
    }
    rc = EXIT_OK;
out:
    cor_writer_abort(w);
    free(times);
    free(tmin);
    free(mass_w);
    free(supply_w);
    free(demand_w);
    free(vals);
    free(which);
    cli_points_free(&po);
    cli_points_free(&pf);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
