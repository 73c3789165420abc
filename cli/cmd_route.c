/* cmd_route.c: `corridor route`: the fastest trip between two places or points, with legs. */
#include "cli.h"
#include "route_answer.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "Usage: corridor route [DATA] --from PLACE --to PLACE [--mode multi|road|rail] [--json]\n"
    "                      [-o route.gpkg] [--max-snap KM] [--speed KEY=VALUE]... [--config FILE]\n\n"
    "The fastest trip on the multimodal network of DATA (default: the bundled dataset), with\n"
    "its legs: access links, road, rail (high-speed or conventional), boarding and alighting.\n"
    "PLACE is a name from the cities, stations, ports, airports or parks layers (Chinese or\n"
    "English, case-insensitive; 'station:天津' picks a role) or LON,LAT in degrees, which\n"
    "snaps to the nearest road node.\n\n"
    "Options:\n"
    "  --from PLACE, --to PLACE   the trip's ends\n"
    "  --mode MODE        multi (default: the best of road and rail), road (roads only), rail\n"
    "                     (road to a station, train, road from a station)\n"
    "  -o, --output FILE  the legs as lines (.gpkg, .geojson, .fgb) in the working CRS\n"
    "  --max-snap KM      refuse LON,LAT points farther than this from a road (default 20)\n"
    "  --speed KEY=VALUE  override a default speed or terminal time (see corridor network)\n"
    "  --json             {\"from\",\"to\",\"mode\",\"time_s\",\"distance_m\",\"legs\":[{\"mode\",\n"
    "                     \"class\",\"from\",\"to\",\"time_s\",\"distance_m\"}]}\n"
    "  --config FILE, --crs CRS, -q/--quiet, -h/--help\n";

/* Writes the legs that have edges as lines, each oriented in travel direction (the walks
 * from and to LON,LAT points are not drawn). */
static cor_status write_legs(const cli_net *net, const char *path, const route_answer *ra,
                             cor_error *err)
{
    cor_writer *w = cor_writer_create(path, cor_graph_crs(net->g), err);
    if (!w)
        return err->code;
    const cor_field f[] = { { "leg", COR_FIELD_INT }, { "mode", COR_FIELD_STRING },
                            { "class", COR_FIELD_STRING }, { "from", COR_FIELD_STRING },
                            { "to", COR_FIELD_STRING }, { "time_s", COR_FIELD_REAL },
                            { "distance_m", COR_FIELD_REAL } };
    cor_status rc = cor_writer_layer(w, "legs", COR_GEOM_LINESTRING, f, 7, err);
    int64_t drawn = 0;
    for (size_t i = 0; rc == COR_OK && i < ra->n_legs; i++) {
        const route_leg *L = &ra->legs[i];
        if (L->last < L->first)
            continue;
        double *xy = NULL;
        size_t np = 0;
        if ((rc = route_answer_leg_line(net->g, ra, i, &xy, &np, err)) != COR_OK)
            break;
        int rail = L->kind == COR_EDGE_RAIL || L->kind == COR_EDGE_ROAD;
        cor_value v[] = { COR_INT(++drawn), COR_STR(route_leg_mode(L->kind)),
                          rail ? COR_STR(cor_class_name((cor_line_class)L->cls)) : COR_NULL,
                          COR_STR(L->from), COR_STR(L->to), COR_REAL(L->time_s),
                          COR_REAL(L->length_m) };
        rc = cor_writer_feature(w, v, xy, np, NULL, 0, err);
        free(xy);
    }
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "legs", COR_QML_ROUTE, NULL, NULL, 0, err);
    if (rc != COR_OK) {
        cor_writer_abort(w);
        return rc;
    }
    return cor_writer_close(w, err);
}

int cmd_route(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor route" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    cli_route_opts ro = CLI_ROUTE_OPTS_DEFAULT;
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS, CLI_ROUTE_LONGOPTS,
        { "from", required_argument, NULL, CLI_OPT_FROM },
        { "to", required_argument, NULL, CLI_OPT_TO },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *output = NULL;
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
    }
    const char *from = ro.from, *to = ro.to;
    int mode = ro.mode;
    if (!from || !to)
        return cli_usage_error(&c, USAGE, "--from and --to are required");
    if (output && !cor_writer_supports(output))
        return cli_usage_error(&c, USAGE, "%s: unknown output format (.gpkg, .geojson, .fgb)",
                               output);
    if (!c.quiet)
        no.build.progress = NULL;
    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    if (rc != EXIT_OK) {
        cli_net_close(&net);
        cli_ctx_free(&c);
        return rc;
    }
    cor_error err = COR_ERROR_INIT;
    cor_location a, b;
    cor_router *r = NULL;
    route_answer ra = { 0 };
    rc = EXIT_FAIL;
    if (cor_engine_locate(net.e, from, ro.max_snap_m, cli_lonlat_to_xy, net.ds, &a, &err) ||
        cor_engine_locate(net.e, to, ro.max_snap_m, cli_lonlat_to_xy, net.ds, &b, &err))
        goto out;
    if (!(r = cor_router_create(net.e, &err)) ||
        route_answer_compute(net.e, r, &a, &b, (cor_mode)mode, &ra, &err) != COR_OK)
        goto out;
    if (output && write_legs(&net, output, &ra, &err) != COR_OK)
        goto out;
    if (c.json) {
        json_t *doc = route_answer_json(&ra);
        if (!doc) {
            cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
            goto out;
        }
        cli_print_json(doc);
    } else {
        const route_leg *legs = ra.legs;
        printf("%s -> %s by %s: %.1f min, %.1f km\n", a.label, b.label,
               cor_mode_name((cor_mode)mode), ra.time_s / 60.0, ra.distance_m / 1000.0);
        for (size_t i = 0; i < ra.n_legs; i++) {
            const char *cls = legs[i].kind == COR_EDGE_RAIL ||
                                      (legs[i].kind == COR_EDGE_ROAD &&
                                       legs[i].cls == COR_CLASS_MAJOR_HIGHWAY)
                                  ? cor_class_name((cor_line_class)legs[i].cls) : "";
            printf("  %2zu. %-6s %-13s %-24s -> %-24s %7.1f min %8.1f km\n", i + 1,
                   route_leg_mode(legs[i].kind), cls, legs[i].from, legs[i].to,
                   legs[i].time_s / 60.0, legs[i].length_m / 1000.0);
        }
        if (a.place < 0 || b.place < 0)
            printf("  (points snapped to the network: %s%.0f m)\n", a.place < 0 ? "from " : "to ",
                   a.place < 0 ? a.snap_m : b.snap_m);
        if (output)
            printf("Wrote %s (layer legs)\n", output);
    }
    rc = EXIT_OK;
out:
    if (rc != EXIT_OK)
        cli_fail(&c, &err);
    route_answer_free(&ra);
    cor_router_destroy(r);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
