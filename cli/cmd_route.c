/* cmd_route.c: `corridor route`: the fastest trip between two places or points, with legs. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
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

typedef struct {
    int kind, cls;
    uint64_t first, last;       /* indexes into the path's edge list (last < first: none) */
    double time_s, length_m;
    char from[200], to[200];
    uint32_t start, end;        /* nodes; UINT32_MAX for the walk from or to a point */
} leg;

/* Copies a leg's name from another leg (never the same buffer; memmove keeps it defined). */
static void copy_name(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memmove(dst, src, len);
    dst[len] = '\0';
}

static const char *leg_mode(int kind)
{
    return kind == COR_EDGE_BOARD ? "board" : kind == COR_EDGE_ALIGHT ? "alight"
           : cor_edge_kind_name((cor_edge_kind)kind);
}

static void node_name(const cor_engine *e, uint32_t node, char *buf, size_t n)
{
    int pi = cor_engine_place_at(e, node);
    buf[0] = '\0';
    if (pi < 0)
        return;
    const cor_graph_place *p = cor_graph_place_get(cor_engine_graph(e), (size_t)pi);
    const char *nm = *p->name_zh ? p->name_zh : p->name;
    if (nm[0] == '#') /* a place without a name in the source: "station #625" */
        snprintf(buf, n, "%s %s", cor_role_name(p->role), nm);
    else
        snprintf(buf, n, "%s", nm);
}

/* Writes the legs as lines, each oriented in travel direction. */
static cor_status write_legs(const cli_net *net, const char *path, const uint64_t *edges,
                             const uint32_t *tails, const leg *legs, size_t n_legs,
                             cor_error *err)
{
    cor_csr c;
    cor_graph_csr(net->g, &c);
    cor_writer *w = cor_writer_create(path, cor_graph_crs(net->g), err);
    if (!w)
        return err->code;
    const cor_field f[] = { { "leg", COR_FIELD_INT }, { "mode", COR_FIELD_STRING },
                            { "class", COR_FIELD_STRING }, { "from", COR_FIELD_STRING },
                            { "to", COR_FIELD_STRING }, { "time_s", COR_FIELD_REAL },
                            { "distance_m", COR_FIELD_REAL } };
    cor_status rc = cor_writer_layer(w, "legs", COR_GEOM_LINESTRING, f, 7, err);
    for (size_t i = 0; rc == COR_OK && i < n_legs; i++) {
        size_t cap = 64, np = 0;
        double *xy = malloc(2 * cap * sizeof *xy);
        for (uint64_t k = legs[i].first; xy && k <= legs[i].last; k++) {
            double buf[4];
            const double *pts;
            uint32_t link = c.link[edges[k]];
            size_t n = cor_graph_link_points(net->g, link, buf, &pts);
            int forward = cor_graph_link_from(net->g, link) == tails[k];
            if (np + n > cap) {
                while (np + n > cap)
                    cap *= 2;
                double *nx = realloc(xy, 2 * cap * sizeof *xy);
                if (!nx) {
                    free(xy);
                    xy = NULL;
                    break;
                }
                xy = nx;
            }
            for (size_t j = 0; j < n; j++) {
                size_t src = forward ? j : n - 1 - j;
                if (np && j == 0 && xy[2 * np - 2] == pts[2 * src] &&
                    xy[2 * np - 1] == pts[2 * src + 1])
                    continue;
                xy[2 * np] = pts[2 * src];
                xy[2 * np + 1] = pts[2 * src + 1];
                np++;
            }
        }
        if (!xy) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            break;
        }
        int rail = legs[i].kind == COR_EDGE_RAIL || legs[i].kind == COR_EDGE_ROAD;
        cor_value v[] = { COR_INT((int64_t)i + 1), COR_STR(leg_mode(legs[i].kind)),
                          rail ? COR_STR(cor_class_name((cor_line_class)legs[i].cls)) : COR_NULL,
                          COR_STR(legs[i].from), COR_STR(legs[i].to), COR_REAL(legs[i].time_s),
                          COR_REAL(legs[i].length_m) };
        if (np == 1) { /* a zero-length leg (boarding at the track's own point) */
            xy[2] = xy[0];
            xy[3] = xy[1];
            np = 2;
        }
        rc = cor_writer_feature(w, v, xy, np, NULL, 0, err);
        free(xy);
    }
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
    enum { O_FROM = 2000, O_TO, O_MODE, O_SNAP };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS,
        { "from", required_argument, NULL, O_FROM }, { "to", required_argument, NULL, O_TO },
        { "mode", required_argument, NULL, O_MODE },
        { "max-snap", required_argument, NULL, O_SNAP },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *from = NULL, *to = NULL, *output = NULL;
    int mode = COR_MODE_MULTI;
    double max_snap_m = 20000;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_common_option(&c, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        r = cli_net_option(&c, &no, opt, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (opt == O_FROM)
            from = optarg;
        else if (opt == O_TO)
            to = optarg;
        else if (opt == 'o')
            output = optarg;
        else if (opt == O_MODE && (mode = cor_mode_from_name(optarg)) < 0)
            return cli_usage_error(&c, USAGE, "unknown mode '%s' (multi, road, rail)", optarg);
        else if (opt == O_SNAP) {
            double km;
            if (!cli_parse_number(optarg, &km) || km <= 0)
                return cli_usage_error(&c, USAGE, "--max-snap: '%s' is not a positive number",
                                       optarg);
            max_snap_m = km * 1000.0;
        }
    }
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
    uint64_t *edges = NULL;
    uint32_t *tails = NULL;
    leg *legs = NULL;
    rc = EXIT_FAIL;
    if (cor_engine_locate(net.e, from, max_snap_m, cli_lonlat_to_xy, net.ds, &a, &err) ||
        cor_engine_locate(net.e, to, max_snap_m, cli_lonlat_to_xy, net.ds, &b, &err))
        goto out;
    if (!(r = cor_router_create(net.e, &err)))
        goto out;
    cor_search s = { (cor_mode)mode, 0, COR_UNREACHABLE, &b.anchor.node, 1 };
    if (cor_router_run(r, &s, &a.anchor, 1, &err) != COR_OK)
        goto out;
    uint32_t t_ms = cor_router_time_ms(r, b.anchor.node);
    if (t_ms == COR_UNREACHABLE) {
        cor_error_set(&err, COR_ERR_INPUT, "no %s route from %s to %s: unreachable",
                      cor_mode_name((cor_mode)mode), a.label, b.label);
        goto out;
    }
    cor_csr csr;
    cor_graph_csr(net.g, &csr);
    size_t n = cor_router_path(r, b.anchor.node, NULL, 0);
    edges = malloc((n + 1) * sizeof *edges);
    tails = malloc((n + 1) * sizeof *tails);
    legs = calloc(n + 3, sizeof *legs);
    if (!edges || !tails || !legs) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        goto out;
    }
    cor_router_path(r, b.anchor.node, edges, n);
    size_t nl = 0;
    uint32_t at = a.anchor.node;
    double total_s = (t_ms) / 1000.0;
    double total_m = cor_router_length_m(r, b.anchor.node) + b.anchor.offset_m;
    total_s += b.anchor.offset_ms / 1000.0;
    /* Legs: runs of edges of one kind (and class for rail), plus the walks from and to
     * LON,LAT points. */
    if (a.anchor.offset_ms)
        legs[nl++] = (leg){ COR_EDGE_ACCESS, 0, 1, 0, a.anchor.offset_ms / 1000.0,
                            a.anchor.offset_m, "", "", UINT32_MAX, a.anchor.node };
    for (size_t k = 0; k < n; k++) {
        tails[k] = at;
        int kind = csr.kind[edges[k]] & 15, cls = csr.kind[edges[k]] >> 4;
        leg *L = nl ? &legs[nl - 1] : NULL;
        int same = L && L->last >= L->first && L->kind == kind &&
                   (kind == COR_EDGE_ROAD || (kind == COR_EDGE_RAIL && L->cls == cls));
        if (!same) {
            L = &legs[nl++];
            *L = (leg){ kind, cls, k, k, 0, 0, "", "", at, at };
        }
        if (kind == COR_EDGE_ROAD && cls == COR_CLASS_MAJOR_HIGHWAY)
            L->cls = cls; /* a road leg on any expressway says so */
        L->last = k;
        L->time_s += csr.time_ms[edges[k]] / 1000.0;
        L->length_m += csr.length_m[edges[k]];
        at = csr.head[edges[k]];
        L->end = at;
    }
    if (b.anchor.offset_ms)
        legs[nl++] = (leg){ COR_EDGE_ACCESS, 0, 1, 0, b.anchor.offset_ms / 1000.0,
                            b.anchor.offset_m, "", "", b.anchor.node, UINT32_MAX };
    /* Names: a place's own name at named nodes; rail legs run between the stations where the
     * train is boarded and left; road legs between the nearest named places before and after;
     * access links join a place to the road network. */
    for (size_t i = 0; i < nl; i++) {
        leg *L = &legs[i];
        if (L->start == UINT32_MAX)
            snprintf(L->from, sizeof L->from, "%s", a.label);
        else
            node_name(net.e, L->start, L->from, sizeof L->from);
        if (L->end == UINT32_MAX)
            snprintf(L->to, sizeof L->to, "%s", b.label);
        else
            node_name(net.e, L->end, L->to, sizeof L->to);
    }
    for (size_t i = 0; i < nl; i++) {
        leg *L = &legs[i];
        if (L->kind == COR_EDGE_RAIL) {
            if (!L->from[0] && i > 0)
                copy_name(L->from, sizeof L->from, legs[i - 1].from);
            if (!L->to[0] && i + 1 < nl)
                copy_name(L->to, sizeof L->to, legs[i + 1].to);
        } else if (L->kind == COR_EDGE_BOARD) {
            copy_name(L->to, sizeof L->to, L->from);
        } else if (L->kind == COR_EDGE_ALIGHT) {
            copy_name(L->from, sizeof L->from, L->to);
        } else if (L->kind == COR_EDGE_ROAD) {
            for (size_t j = i + 1; !L->from[0] && j-- > 0;)
                if (legs[j].from[0] && legs[j].kind != COR_EDGE_RAIL)
                    copy_name(L->from, sizeof L->from, legs[j].from);
            for (size_t j = i; !L->to[0] && j < nl; j++)
                if (legs[j].to[0])
                    copy_name(L->to, sizeof L->to, legs[j].to);
        }
        if (!L->from[0])
            snprintf(L->from, sizeof L->from, "road");
        if (!L->to[0])
            snprintf(L->to, sizeof L->to, "road");
    }

    if (output) {
        /* legs without edges (point access) are not drawn */
        leg *drawn = calloc(nl + 1, sizeof *drawn);
        size_t nd = 0;
        for (size_t i = 0; drawn && i < nl; i++)
            if (legs[i].last >= legs[i].first)
                drawn[nd++] = legs[i];
        cor_status ws = drawn ? write_legs(&net, output, edges, tails, drawn, nd, &err)
                              : cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        free(drawn);
        if (ws != COR_OK)
            goto out;
    }
    if (c.json) {
        json_t *jl = json_array();
        for (size_t i = 0; i < nl; i++) {
            json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:f}", "mode",
                                  legs[i].kind == COR_EDGE_BOARD || legs[i].kind == COR_EDGE_ALIGHT
                                      ? leg_mode(legs[i].kind)
                                      : cor_edge_kind_name((cor_edge_kind)legs[i].kind),
                                  "from", legs[i].from, "to", legs[i].to, "time_s",
                                  legs[i].time_s, "distance_m", round(legs[i].length_m * 10) / 10);
            if (legs[i].kind == COR_EDGE_RAIL || legs[i].kind == COR_EDGE_ROAD)
                json_object_set_new(o, "class",
                                    json_string(cor_class_name((cor_line_class)legs[i].cls)));
            json_array_append_new(jl, o);
        }
        json_t *doc = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o}", "from", a.label, "to", b.label,
                                "mode", cor_mode_name((cor_mode)mode), "time_s", total_s,
                                "distance_m", round(total_m * 10) / 10, "legs", jl);
        if (a.place < 0)
            json_object_set_new(doc, "from_snap_m", json_real(round(a.snap_m * 10) / 10));
        if (b.place < 0)
            json_object_set_new(doc, "to_snap_m", json_real(round(b.snap_m * 10) / 10));
        cli_print_json(doc);
    } else {
        printf("%s -> %s by %s: %.1f min, %.1f km\n", a.label, b.label,
               cor_mode_name((cor_mode)mode), total_s / 60.0, total_m / 1000.0);
        for (size_t i = 0; i < nl; i++) {
            const char *cls = legs[i].kind == COR_EDGE_RAIL ||
                                      (legs[i].kind == COR_EDGE_ROAD &&
                                       legs[i].cls == COR_CLASS_MAJOR_HIGHWAY)
                                  ? cor_class_name((cor_line_class)legs[i].cls) : "";
            printf("  %2zu. %-6s %-13s %-24s -> %-24s %7.1f min %8.1f km\n", i + 1,
                   leg_mode(legs[i].kind), cls, legs[i].from, legs[i].to,
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
    free(edges);
    free(tails);
    free(legs);
    cor_router_destroy(r);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
