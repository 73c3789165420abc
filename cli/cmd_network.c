/* cmd_network.c: `corridor network`: build the multimodal network, report it, export it. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "Usage: corridor network [DATA] [--json] [-o network.gpkg] [--speed KEY=VALUE]...\n"
    "                        [--rail-snap M] [--road-snap M] [--station-snap M] [--access-max M]\n"
    "                        [--config FILE] [--crs CRS] [-q]\n\n"
    "Builds the multimodal network of DATA (default: the bundled dataset): road and rail lines\n"
    "joined where they share a vertex or where a dangling end lies within the snapping\n"
    "tolerance of another line (never where lines merely cross); train stations joined to every\n"
    "rail line within --station-snap (boarding and alighting only there); stations, ports,\n"
    "airports, parks and cities joined to the nearest road by access links. Reports nodes,\n"
    "links by mode, connected components and places outside the main component.\n\n"
    "Options:\n"
    "  -o, --output FILE     write layers 'nodes' and 'edges' (mode, class, length_m, time_s)\n"
    "                        to a GeoPackage\n"
    "  --speed KEY=VALUE     override a default (repeatable): highspeed=250 conventional=100\n"
    "                        major_highway=90 road=60 access=40 [km/h], board=900 alight=300 [s]\n"
    "  --rail-snap M         dangling rail ends join lines within M metres (default 10)\n"
    "  --road-snap M         dangling road ends join lines within M metres (default 150)\n"
    "  --station-snap M      a station joins every rail line within M metres (default 300)\n"
    "  --access-max M        places farther than M metres from a road stay unjoined (50000)\n"
    "  --json                machine-readable report\n"
    "  --config FILE         layer-role config (JSON); its \"speeds\" apply before --speed\n"
    "  --crs CRS             working CRS (default: EPSG:4548 in Jing-Jin-Ji, else a local TM)\n"
    "  -q, --quiet           no progress, no warnings\n"
    "  -h, --help            this help\n";

static int parse_metres(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < 0 || v > 1e6)
        return 0;
    *out = v;
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static json_t *load_stats_json(const cor_load_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)s->read, "kept",
                     (json_int_t)s->kept, "skipped_empty", (json_int_t)s->skipped_empty,
                     "skipped_degenerate", (json_int_t)s->skipped_degenerate, "skipped_nan",
                     (json_int_t)s->skipped_nan, "skipped_invalid",
                     (json_int_t)s->skipped_invalid, "repaired", (json_int_t)s->repaired);
}

int cmd_network(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor network" };
    enum { O_SPEED = 1000, O_RAIL_SNAP, O_ROAD_SNAP, O_STATION_SNAP, O_ACCESS_MAX };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        { "output", required_argument, NULL, 'o' },
        { "speed", required_argument, NULL, O_SPEED },
        { "rail-snap", required_argument, NULL, O_RAIL_SNAP },
        { "road-snap", required_argument, NULL, O_ROAD_SNAP },
        { "station-snap", required_argument, NULL, O_STATION_SNAP },
        { "access-max", required_argument, NULL, O_ACCESS_MAX },
        { 0, 0, 0, 0 },
    };
    const char *output = NULL;
    const char *speed_args[32];
    int n_speed = 0;
    cor_build_opts bo = COR_BUILD_OPTS_DEFAULT;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_common_option(&c, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        double *slot = opt == O_RAIL_SNAP ? &bo.rail_snap_m
                       : opt == O_ROAD_SNAP ? &bo.road_snap_m
                       : opt == O_STATION_SNAP ? &bo.station_snap_m
                       : opt == O_ACCESS_MAX ? &bo.access_max_m : NULL;
        if (slot) {
            if (!parse_metres(optarg, slot))
                return cli_usage_error(&c, USAGE, "'%s' is not a distance in metres (0 to 1e6)",
                                       optarg);
        } else if (opt == 'o') {
            output = optarg;
        } else if (opt == O_SPEED) {
            if (n_speed == 32)
                return cli_usage_error(&c, USAGE, "too many --speed options");
            speed_args[n_speed++] = optarg;
        }
    }
    /* Validate --speed before touching any data: a usage error is exit 2. */
    cor_error err = COR_ERROR_INIT;
    cor_speeds probe = COR_SPEEDS_DEFAULT;
    for (int i = 0; i < n_speed; i++)
        if (cor_speeds_assign(&probe, speed_args[i], &err) != COR_OK)
            return cli_usage_error(&c, USAGE, "--speed %s", err.msg);
    if (optind + 1 < argc)
        return cli_usage_error(&c, USAGE, "unexpected argument '%s'", argv[optind + 1]);

    cor_dataset *ds = cli_open_dataset(&c, argc, argv, optind);
    if (!ds) {
        cli_ctx_free(&c);
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    cor_graph *g = NULL;
    if (cor_speeds_from_config(&bo.speeds, c.config, &err) != COR_OK)
        goto out;
    for (int i = 0; i < n_speed; i++)
        cor_speeds_assign(&bo.speeds, speed_args[i], &err);
    int tick = 0;
    if (!c.quiet) {
        bo.progress = cli_progress;
        bo.progress_user = &tick;
    }
    bo.log = cli_logger(&c);
    double t0 = now_s();
    g = cor_graph_build(ds, &bo, &err);
    double build_s = now_s() - t0;
    if (!g)
        goto out;
    if (output && cli_write_network(&c, g, ds, output, &err) != COR_OK)
        goto out;

    cor_graph_stats s;
    cor_graph_get_stats(g, &s);
    size_t np = cor_graph_place_count(g);
    if (c.json) {
        json_t *edges = json_object();
        for (int k = 0; k < COR_EDGE_KIND_COUNT; k++)
            json_object_set_new(edges, cor_edge_kind_name((cor_edge_kind)k),
                                json_integer((json_int_t)s.links[k]));
        json_t *km = json_object();
        for (int k = 0; k < COR_EDGE_KIND_COUNT; k++)
            json_object_set_new(km, cor_edge_kind_name((cor_edge_kind)k),
                                json_real(round(s.length_km[k] * 10) / 10));
        json_t *disc = json_array(), *unjoined = json_array();
        for (size_t i = 0; i < np; i++) {
            const cor_graph_place *p = cor_graph_place_get(g, i);
            json_t *item = json_pack("{s:s, s:s, s:s}", "name", p->name, "name_zh", p->name_zh,
                                     "role", cor_role_name(p->role));
            if (isnan(p->access_m) && p->role != COR_ROLE_STATION)
                json_array_append(unjoined, item);
            if (!p->in_main_component)
                json_array_append(disc, item);
            json_decref(item);
        }
        json_t *skipped = json_object();
        for (int r = 0; r < COR_ROLE_COUNT; r++) {
            const char *ln = cor_dataset_role_layer(ds, (cor_role)r);
            if (ln && (r <= COR_ROLE_ROAD || cor_role_is_place((cor_role)r)))
                json_object_set_new(skipped, ln,
                                    load_stats_json(cor_dataset_load_stats(ds, (cor_role)r)));
        }
        json_t *doc = json_pack(
            "{s:s, s:s, s:I, s:o, s:I, s:o, s:I, s:f, s:o, s:o, s:{s:{s:I,s:I}, s:{s:I,s:I}},"
            " s:{s:I, s:I}, s:{s:I, s:I}, s:o, s:f, s:I}",
            "source", cor_dataset_source(ds), "crs", cor_dataset_working_crs(ds), "nodes",
            (json_int_t)s.nodes, "edges", edges, "directed_edges",
            (json_int_t)s.directed_edges, "length_km", km, "components",
            (json_int_t)s.components, "largest_component_share", s.largest_component_share,
            "disconnected_places", disc, "unjoined_places", unjoined, "snapping", "rail",
            "dangling_ends", (json_int_t)s.rail_dangles, "snapped", (json_int_t)s.rail_snapped,
            "road", "dangling_ends", (json_int_t)s.road_dangles, "snapped",
            (json_int_t)s.road_snapped, "stations", "total", (json_int_t)s.stations, "on_rail",
            (json_int_t)s.stations_on_rail, "places", "total", (json_int_t)s.places, "joined",
            (json_int_t)s.places_joined, "layers", skipped, "build_time_s", build_s,
            "graph_bytes", (json_int_t)s.graph_bytes);
        if (output)
            json_object_set_new(doc, "output", json_string(output));
        cli_print_json(doc);
    } else {
        printf("Network of %s (working CRS %s), built in %.2f s\n", cor_dataset_source(ds),
               cor_dataset_working_crs(ds), build_s);
        printf("  nodes               %u\n", s.nodes);
        printf("  directed edges      %llu (%.1f bytes each in the graph)\n",
               (unsigned long long)s.directed_edges,
               s.directed_edges ? (double)s.graph_bytes / (double)s.directed_edges : 0.0);
        for (int k = 0; k < COR_EDGE_KIND_COUNT; k++)
            printf("  %-7s links       %llu (%.1f km)\n", cor_edge_kind_name((cor_edge_kind)k),
                   (unsigned long long)s.links[k], s.length_km[k]);
        printf("  rail dangling ends  %llu, %llu snapped\n", (unsigned long long)s.rail_dangles,
               (unsigned long long)s.rail_snapped);
        printf("  road dangling ends  %llu, %llu snapped\n", (unsigned long long)s.road_dangles,
               (unsigned long long)s.road_snapped);
        printf("  stations            %llu, %llu on rail\n", (unsigned long long)s.stations,
               (unsigned long long)s.stations_on_rail);
        printf("  places              %llu, %llu joined by access links\n",
               (unsigned long long)s.places, (unsigned long long)s.places_joined);
        printf("  components          %u, the largest holds %.1f %% of nodes\n", s.components,
               100.0 * s.largest_component_share);
        int header = 0;
        for (size_t i = 0; i < np; i++) {
            const cor_graph_place *p = cor_graph_place_get(g, i);
            if (p->in_main_component || p->role == COR_ROLE_STATION)
                continue;
            if (!header++)
                printf("  places outside the main component:\n");
            printf("    %s %s (%s)%s\n", p->name, p->name_zh, cor_role_name(p->role),
                   isnan(p->access_m) ? ": no road within --access-max" : "");
        }
        if (output)
            printf("Wrote %s (layers nodes, edges)\n", output);
    }
    rc = EXIT_OK;
out:
    if (rc != EXIT_OK)
        cli_fail(&c, &err);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
    cli_ctx_free(&c);
    return rc;
}
