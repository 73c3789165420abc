/* cmd_matrix.c: `corridor matrix`: travel times and distances between every origin and every
 * destination, written in long format (one row per pair). */
#include "cli.h"
#include "cli_points.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char USAGE[] =
    "Usage: corridor matrix [DATA] --from SRC --to SRC -o FILE.csv|FILE.gpkg\n"
    "                       [--mode multi|road|rail] [--id-field FIELD] [--max-minutes M]\n"
    "                       [--max-snap KM] [--json] [--speed KEY=VALUE]... [--config FILE]\n\n"
    "Travel times and distances on the multimodal network of DATA (default: the bundled\n"
    "dataset) from every origin to every destination, one row per pair:\n"
    "origin,destination,time_s,distance_m. A pair with no trip (or none within --max-minutes)\n"
    "has an empty time and distance (NULL), never 0.\n\n"
    "SRC is a place role of DATA (cities, ports, airports, stations, parks, or city, port, ...),\n"
    "any other layer of DATA, or a file of points (GeoPackage, GeoJSON, Shapefile, CSV with\n"
    "lon/lat columns, ...; its first layer). Places use their own network node; other points\n"
    "snap to the nearest road node, reached at the access speed; points farther than --max-snap\n"
    "are reported and left unreachable (an error when no point of a SRC is on the network).\n\n"
    "Options:\n"
    "  --from SRC, --to SRC  origins and destinations\n"
    "  -o, --output FILE     .csv, or .gpkg (an attribute table 'matrix' without geometry)\n"
    "  --mode MODE           multi (default), road, rail (see corridor route)\n"
    "  --id-field FIELD      label origins and destinations with this field (default: name,\n"
    "                        else name_zh, else the feature id); a source without the field\n"
    "                        keeps its names, but at least one must have it\n"
    "  --max-minutes M       leave pairs slower than M minutes empty (0 < M <= 1440); also\n"
    "                        stops the searches early\n"
    "  --max-snap KM         points farther than this from a road stay unreachable (default 20)\n"
    "  --speed KEY=VALUE     override a default speed or terminal time (see corridor network)\n"
    "  --json                a summary as JSON: {\"origins\",\"destinations\",\"pairs\",\n"
    "                        \"reachable_pairs\",\"unreachable_pairs\",\"off_network\",...}\n"
    "  --config FILE, --crs CRS, -q/--quiet (no progress, no warnings), -h/--help\n"
    "Threads: all OpenMP threads (OMP_NUM_THREADS limits them).\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

static cor_status write_matrix(const char *path, const char *crs, const cli_points *from,
                               const cli_points *to, const uint32_t *times,
                               const float *lengths, cor_error *err)
{
    cor_writer *w = cor_writer_create(path, crs, err);
    if (!w)
        return err->code;
    const cor_field f[] = { { "origin", COR_FIELD_STRING }, { "destination", COR_FIELD_STRING },
                            { "time_s", COR_FIELD_REAL }, { "distance_m", COR_FIELD_REAL } };
    cor_status rc = cor_writer_layer(w, "matrix", COR_GEOM_NONE, f, 4, err);
    for (size_t i = 0; rc == COR_OK && i < from->n; i++)
        for (size_t j = 0; rc == COR_OK && j < to->n; j++) {
            uint32_t t = times[i * to->n + j];
            double len = lengths[i * to->n + j];
            cor_value v[4] = { COR_STR(from->items[i].label), COR_STR(to->items[j].label),
                               COR_NULL, COR_NULL };
            if (t != COR_UNREACHABLE) {
                v[2] = COR_REAL(t / 1000.0);
                v[3] = isfinite(len) ? COR_REAL(round(len * 10.0) / 10.0) : COR_NULL;
            }
            rc = cor_writer_feature(w, v, NULL, 0, NULL, 0, err);
        }
    if (rc != COR_OK) {
        cor_writer_abort(w);
        return rc;
    }
    return cor_writer_close(w, err);
}

static json_t *off_network_json(const char *option, const cli_points *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].anchor.node == COR_UNREACHABLE) {
            json_t *o = json_pack("{s:s, s:s}", "input", option, "name", p->items[i].label);
            if (isfinite(p->items[i].snap_m))
                json_object_set_new(o, "snap_m", json_real(round(p->items[i].snap_m * 10) / 10));
            json_array_append_new(a, o);
        }
    return a;
}

int cmd_matrix(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor matrix" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    cli_route_opts ro = CLI_ROUTE_OPTS_DEFAULT;
    enum { O_ID = 2000, O_MAXMIN };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS, CLI_ROUTE_LONGOPTS,
        { "from", required_argument, NULL, CLI_OPT_FROM },
        { "to", required_argument, NULL, CLI_OPT_TO },
        { "id-field", required_argument, NULL, O_ID },
        { "max-minutes", required_argument, NULL, O_MAXMIN },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *output = NULL, *id_field = NULL;
    double max_min = 0;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, &ro, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        if (opt == 'o')
            output = optarg;
        else if (opt == O_ID)
            id_field = optarg;
        else if (opt == O_MAXMIN) {
            char *end = NULL;
            max_min = strtod(optarg, &end);
            if (end == optarg || *end || !isfinite(max_min) || max_min <= 0 || max_min > 1440)
                return cli_usage_error(&c, USAGE,
                                       "--max-minutes: '%s' is not a number of minutes in "
                                       "(0, 1440]", optarg);
        }
    }
    const char *from = ro.from, *to = ro.to;
    int mode = ro.mode;
    if (!from || !to)
        return cli_usage_error(&c, USAGE, "--from and --to are required");
    if (!output)
        return cli_usage_error(&c, USAGE, "-o FILE.csv or -o FILE.gpkg is required");
    if (!ends_with(output, ".csv") && !ends_with(output, ".gpkg"))
        return cli_usage_error(&c, USAGE, "%s: unknown output format (.csv, .gpkg)", output);
    if (id_field && !*id_field)
        return cli_usage_error(&c, USAGE, "--id-field: empty field name");

    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    cli_points pf = { 0 }, pt = { 0 };
    uint32_t *times = NULL;
    float *lengths = NULL;
    if (rc != EXIT_OK)
        goto out;
    cli_points_opts po = CLI_POINTS_OPTS_DEFAULT;
    po.id_field = id_field;
    po.id_optional = 1; /* a source without the field keeps its names */
    po.max_snap_m = ro.max_snap_m;
    po.option = "--from";
    if ((rc = cli_points_load(&c, &net, from, &po, &pf)) != EXIT_OK)
        goto out;
    po.option = "--to";
    if ((rc = cli_points_load(&c, &net, to, &po, &pt)) != EXIT_OK)
        goto out;
    cor_error err = COR_ERROR_INIT;
    if (id_field && !pf.id_found && !pt.id_found) {
        cor_error_set(&err, COR_ERR_NOTFOUND, "--id-field %s: neither --from %s nor --to %s "
                      "has a field '%s'", id_field, from, to, id_field);
        rc = cli_fail(&c, &err);
        goto out;
    }
    size_t cells = pf.n * pt.n;
    times = malloc((cells + 1) * sizeof *times);
    lengths = malloc((cells + 1) * sizeof *lengths);
    if (!times || !lengths) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory for a %zu x %zu matrix", pf.n, pt.n);
        rc = cli_fail(&c, &err);
        goto out;
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    if (max_min > 0)
        mo.max_ms = (uint32_t)llround(max_min * 60000.0);
    int tick = 0;
    if (!c.quiet) {
        mo.progress = cli_progress;
        mo.progress_user = &tick;
    }
    double t0 = now_s();
    if ((rc = cli_points_matrix(&c, &net, &pf, &pt, &mo, times, lengths)) != EXIT_OK)
        goto out;
    double compute_s = now_s() - t0;
    if (write_matrix(output, cor_graph_crs(net.g), &pf, &pt, times, lengths, &err) != COR_OK) {
        rc = cli_fail(&c, &err);
        goto out;
    }
    size_t reachable = 0;
    for (size_t k = 0; k < cells; k++)
        reachable += times[k] != COR_UNREACHABLE;
    if (c.json) {
        json_t *off = off_network_json("--from", &pf), *off_to = off_network_json("--to", &pt);
        json_array_extend(off, off_to);
        json_decref(off_to);
        json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:f, s:s}",
                                "from", from, "to", to, "mode", cor_mode_name((cor_mode)mode),
                                "origins", (json_int_t)pf.n, "destinations", (json_int_t)pt.n,
                                "pairs", (json_int_t)cells, "reachable_pairs",
                                (json_int_t)reachable, "unreachable_pairs",
                                (json_int_t)(cells - reachable), "off_network", off,
                                "compute_time_s", compute_s, "output", output);
        if (max_min > 0)
            json_object_set_new(doc, "max_minutes", json_real(max_min));
        cli_print_json(doc);
    } else {
        printf("Matrix %s (%zu) x %s (%zu) by %s: %zu pairs, %zu reachable, computed in %.2f s\n",
               from, pf.n, to, pt.n, cor_mode_name((cor_mode)mode), cells, reachable, compute_s);
        if (pf.n_off || pt.n_off)
            printf("  off the network: %zu origins, %zu destinations (empty rows)\n", pf.n_off,
                   pt.n_off);
        printf("Wrote %s (%s)\n", output, ends_with(output, ".gpkg")
                                               ? "table matrix"
                                               : "origin,destination,time_s,distance_m");
    }
    rc = EXIT_OK;
out:
    free(times);
    free(lengths);
    cli_points_free(&pf);
    cli_points_free(&pt);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
