/* cmd_corridors.c: `corridor corridors`: gravity linkage between cities, breaking points,
 * flows assigned to the network and the corridors they form. */
#include "cli.h"
#include "corridor/corridors.h"
#include "corridor/geomops.h"
#include "corridor/isochrone.h"
#include "corridor/overlay.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char USAGE[] =
    "Usage: corridor corridors [DATA] [--mass population|gdp|popgdp|FIELD] [--decay B]\n"
    "                          [--directed] [--mode multi|road|rail] [--od FILE.csv]\n"
    "                          [--top N] [--share S] [--serve-km KM]\n"
    "                          [--buffer-km X | --buffer-min M] [-o corridors.gpkg]\n"
    "                          [--csv DIR] [--json] [--speed KEY=VALUE]... [--config FILE]\n\n"
    "Economic linkage between the cities of DATA by the gravity model, and the corridors that\n"
    "the linked flows form on the network:\n"
    "  R_ij = k_ij M_i M_j / T_ij^b    T_ij: network time in hours (mode), b: --decay (2)\n"
    "  k_ij = 1, or M_i / (M_i + M_j) with --directed\n"
    "  R_i = sum_j R_ij,  F_ij = R_ij / R_i (membership degree, %)\n"
    "  breaking point of i and j along their path at d_i = D_ij / (1 + sqrt(M_j / M_i))\n"
    "Every pair's R_ij (or the flows of --od) is assigned all-or-nothing to its shortest path;\n"
    "links loaded at least S x the largest load (--share, 0.25) are merged where they meet into\n"
    "corridors, ranked by load x length; each is named by the cities within --serve-km (15)\n"
    "of it, in order along it.\n\n"
    "Options:\n"
    "  --mass M       population (default), gdp (gdp_cny), popgdp (sqrt(P G)) or a field of\n"
    "                 the cities layer; every city needs a positive value\n"
    "  --od FILE      flows to assign instead of R_ij: a table with columns origin,\n"
    "                 destination (city names) and flow\n"
    "  --top N        keep the N strongest corridors (default 10)\n"
    "  --buffer-km X  corridor zones: X km around the corridor (default 10), or\n"
    "  --buffer-min M the area within M minutes of its stations and interchanges; each zone\n"
    "                 counts the cities' population and the parks (by level and chain) inside\n"
    "  -o FILE        .gpkg with layers linkage, flows, corridors, breaking_points,\n"
    "                 corridor_zones\n"
    "  --csv DIR      also the tables linkage.csv, corridors.csv, breaking_points.csv,\n"
    "                 corridor_zones.csv\n"
    "  --json         machine-readable summary\n"
    "  --speed, --config, --crs, -q/--quiet, -h/--help as for corridor network\n";

typedef struct {
    size_t n;
    const char **name, **name_zh;
    double *mass, *x, *y;
    cor_anchor *anchor;
} cityset;

static void cities_free(cityset *c)
{
    free(c->name);
    free(c->name_zh);
    free(c->mass);
    free(c->x);
    free(c->y);
    free(c->anchor);
}

/* The cities of the network with their masses; fails naming the cities without one. */
static cor_status load_cities(const cli_net *net, const char *mass_spec, cityset *out,
                              cor_error *err)
{
    memset(out, 0, sizeof *out);
    const char *layer = cor_dataset_role_layer(net->ds, COR_ROLE_CITY);
    if (!layer)
        return cor_error_set(err, COR_ERR_NOTFOUND, "%s: no cities layer",
                             cor_dataset_source(net->ds));
    int pop = !strcmp(mass_spec, "population"), gdp = !strcmp(mass_spec, "gdp"),
        popgdp = !strcmp(mass_spec, "popgdp");
    const char *fields[2] = { gdp || popgdp ? "gdp_cny" : mass_spec, "population" };
    cor_features f;
    if (cor_dataset_read_layer(net->ds, layer, fields, 2, &f, err) != COR_OK)
        return err->code;
    const cor_places *pl = cor_dataset_places(net->ds, COR_ROLE_CITY, err);
    size_t np = cor_graph_place_count(net->g);
    out->name = calloc(np + 1, sizeof *out->name);
    out->name_zh = calloc(np + 1, sizeof *out->name_zh);
    out->mass = calloc(np + 1, sizeof *out->mass);
    out->x = calloc(np + 1, sizeof *out->x);
    out->y = calloc(np + 1, sizeof *out->y);
    out->anchor = calloc(np + 1, sizeof *out->anchor);
    if (!pl || !out->name || !out->name_zh || !out->mass || !out->x || !out->y || !out->anchor) {
        cor_features_free(&f);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    char missing[300] = "";
    int n_missing = 0, field_seen = 0;
    cor_csr c;
    cor_graph_csr(net->g, &c);
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(net->g, i);
        if (p->role != COR_ROLE_CITY || p->node == COR_UNREACHABLE)
            continue;
        double m = NAN;
        for (size_t k = 0; k < f.n; k++) {
            if (f.fid[k] != p->fid)
                continue;
            const char *v = f.values[2 * k], *vp = f.values[2 * k + 1];
            field_seen |= v != NULL;
            if (pop) { /* the role's mass: population unless the config maps another field */
                for (size_t q = 0; q < pl->n; q++)
                    if (pl->items[q].fid == p->fid)
                        m = pl->items[q].mass;
                field_seen = 1;
            } else if (popgdp)
                m = v && vp ? sqrt(atof(v) * atof(vp)) : NAN;
            else
                m = v ? atof(v) : NAN;
        }
        if (!(m > 0) || !isfinite(m)) {
            size_t len = strlen(missing);
            if (n_missing++ < 8)
                snprintf(missing + len, sizeof missing - len, "%s%s", len ? ", " : "", p->name);
            continue;
        }
        size_t k = out->n++;
        out->name[k] = p->name;
        out->name_zh[k] = p->name_zh;
        out->mass[k] = m;
        out->x[k] = c.node_xy[2 * p->node];
        out->y[k] = c.node_xy[2 * p->node + 1];
        out->anchor[k] = (cor_anchor){ p->node, 0, 0.0f };
    }
    cor_features_free(&f);
    if (!pop && !field_seen)
        return cor_error_set(err, COR_ERR_NOTFOUND, "%s: layer '%s' has no field '%s'",
                             cor_dataset_source(net->ds), layer, fields[0]);
    if (n_missing)
        return cor_error_set(err, COR_ERR_INPUT,
                             "mass '%s' is missing or not positive for %d cities (%s%s)",
                             mass_spec, n_missing, missing, n_missing > 8 ? ", ..." : "");
    if (out->n < 2)
        return cor_error_set(err, COR_ERR_INPUT, "fewer than two cities joined to the network");
    return COR_OK;
}

static int city_index(const cityset *cs, const char *name)
{
    for (size_t i = 0; i < cs->n; i++)
        if (!strcasecmp(cs->name[i], name) || !strcmp(cs->name_zh[i], name))
            return (int)i;
    return -1;
}

/* Cities within serve_m of a corridor's points, in order along its main axis; name "A—B". */
typedef struct { int idx; double along; } served;
static int cmp_served(const void *a, const void *b)
{
    const served *x = a, *y = b;
    return x->along < y->along ? -1 : x->along > y->along;
}

static size_t corridor_cities(const cor_graph *g, const cor_corridor *k, const cityset *cs,
                              double serve_m, served *out)
{
    /* principal axis of the corridor's points */
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
    double *dmin = malloc(cs->n * sizeof *dmin);
    if (!dmin)
        return 0;
    for (size_t i = 0; i < cs->n; i++)
        dmin[i] = INFINITY;
    for (size_t l = 0; l < k->n_links; l++) {
        double buf[4];
        const double *pts;
        size_t np = cor_graph_link_points(g, k->links[l], buf, &pts);
        for (size_t j = 0; j < np; j++) {
            double x = pts[2 * j], y = pts[2 * j + 1];
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            n++;
            for (size_t i = 0; i < cs->n; i++)
                dmin[i] = fmin(dmin[i], hypot(x - cs->x[i], y - cs->y[i]));
        }
    }
    double mx = sx / n, my = sy / n;
    double cxx = sxx / n - mx * mx, cyy = syy / n - my * my, cxy = sxy / n - mx * my;
    double ang = 0.5 * atan2(2 * cxy, cxx - cyy);
    double ux = cos(ang), uy = sin(ang);
    size_t m = 0;
    for (size_t i = 0; i < cs->n; i++)
        if (dmin[i] <= serve_m)
            out[m++] = (served){ (int)i, (cs->x[i] - mx) * ux + (cs->y[i] - my) * uy };
    free(dmin);
    qsort(out, m, sizeof *out, cmp_served);
    return m;
}

/* The result tables, each written to a GeoPackage layer or a CSV file. */
typedef struct {
    const cli_net *net;
    const cityset *cs;
    const uint32_t *T;
    const double *R, *K, *F, *bp_xy, *bp_d, *bp_D, *load;
    cor_corridor *cor;
    size_t ncor;
    char **cor_names;
    const served *const *cor_cities;
    const size_t *n_served;
    const uint32_t *cor_time;
    /* corridor zones: polygon (WKB), area, population and parks inside, by level and chain */
    unsigned char **zone_wkb;
    size_t *zone_len;
    double *zone_area_km2, *zone_pop;
    size_t *zone_parks;
    char **zone_levels, **zone_chains;
    const char *zone_rule;      /* "10 km" or "30 min" */
} results;

static cor_status write_outputs(const results *r, const char *gpkg, const char *csv_dir,
                                cor_error *err);

/* Appends "key:count;" for the distinct keys of the parks inside. */
static char *tally(const char *const *keys, const uint8_t *inside, size_t n, int split)
{
    size_t cap = 1024, len = 0;
    char *out = calloc(cap, 1);
    char seen[64][64];
    size_t count[64] = { 0 }, ns = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (!inside[i] || !keys[i] || !*keys[i])
            continue;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", keys[i]);
        for (char *tok = strtok(buf, split ? ";" : ""); tok; tok = strtok(NULL, split ? ";" : "")) {
            size_t q = 0;
            while (q < ns && strcmp(seen[q], tok))
                q++;
            if (q == ns && ns < 64)
                snprintf(seen[ns++], 64, "%s", tok);
            if (q < 64)
                count[q]++;
            if (!split)
                break;
        }
    }
    for (size_t q = 0; out && q < ns; q++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s:%zu", q ? ";" : "", seen[q], count[q]);
    return out;
}

/* Corridor zones: the buffer of the corridor (buffer_km), or the area reachable within
 * buffer_min of its stations and interchanges; the cities' population and the parks inside. */
static cor_status compute_zones(const cli_net *net, const cityset *cs, cor_corridor *cor,
                                size_t ncor, double buffer_km, double buffer_min, results *r,
                                cor_error *err)
{
    r->zone_wkb = calloc(ncor + 1, sizeof *r->zone_wkb);
    r->zone_len = calloc(ncor + 1, sizeof *r->zone_len);
    r->zone_area_km2 = calloc(ncor + 1, sizeof *r->zone_area_km2);
    r->zone_pop = calloc(ncor + 1, sizeof *r->zone_pop);
    r->zone_parks = calloc(ncor + 1, sizeof *r->zone_parks);
    r->zone_levels = calloc(ncor + 1, sizeof *r->zone_levels);
    r->zone_chains = calloc(ncor + 1, sizeof *r->zone_chains);
    if (!r->zone_wkb || !r->zone_len || !r->zone_area_km2 || !r->zone_pop || !r->zone_parks ||
        !r->zone_levels || !r->zone_chains)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    const cor_places *parks = cor_dataset_places(net->ds, COR_ROLE_PARK, err);
    if (!parks)
        return err->code;
    size_t np = parks->n;
    double *pxy = malloc((2 * np + 2) * sizeof *pxy), *cxy = malloc((2 * cs->n + 2) * sizeof *cxy);
    const char **level = calloc(np + 1, sizeof *level), **chain = calloc(np + 1, sizeof *chain);
    uint8_t *pin = calloc(np + 1, 1), *cin = calloc(cs->n + 1, 1);
    long *which = malloc((np + cs->n + 1) * sizeof *which);
    cor_features chains;
    memset(&chains, 0, sizeof chains);
    cor_status rc = pxy && cxy && level && chain && pin && cin && which
                        ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    const char *player = cor_dataset_role_layer(net->ds, COR_ROLE_PARK);
    const char *cf[] = { "chain" };
    if (rc == COR_OK && player)
        cor_dataset_read_layer(net->ds, player, cf, 1, &chains, NULL);
    for (size_t i = 0; rc == COR_OK && i < np; i++) {
        pxy[2 * i] = parks->items[i].x_m;
        pxy[2 * i + 1] = parks->items[i].y_m;
        level[i] = parks->items[i].kind;
        for (size_t k = 0; k < chains.n; k++)
            if (chains.fid[k] == parks->items[i].fid)
                chain[i] = chains.values[k];
    }
    for (size_t i = 0; rc == COR_OK && i < cs->n; i++) {
        cxy[2 * i] = cs->x[i];
        cxy[2 * i + 1] = cs->y[i];
    }
    cor_csr c;
    cor_graph_csr(net->g, &c);
    for (size_t k = 0; rc == COR_OK && k < ncor; k++) {
        if (buffer_min > 0) {
            cor_location *loc = calloc(2 * cor[k].n_links + 1, sizeof *loc);
            size_t nl = 0;
            for (size_t l = 0; loc && l < cor[k].n_links; l++) {
                cor_link_info L;
                cor_graph_link_get(net->g, cor[k].links[l], &L);
                uint32_t ends[2] = { L.u, L.v };
                for (int e = 0; e < 2; e++) {
                    uint32_t u = ends[e];
                    int road_deg = 0;
                    for (uint64_t f = c.first_out[u]; f < c.first_out[u + 1]; f++) {
                        int kind = c.kind[f] & 15;
                        road_deg += kind == COR_EDGE_ROAD;
                        if (kind == COR_EDGE_ALIGHT) /* a station on the corridor */
                            loc[nl++] = (cor_location){ { c.head[f], 0, 0 },
                                                        c.node_xy[2 * c.head[f]],
                                                        c.node_xy[2 * c.head[f] + 1], 0, -1, "" };
                        if (nl + 8 > 2 * cor[k].n_links)
                            break;
                    }
                    if (L.kind == COR_EDGE_ROAD && road_deg >= 3 && nl < 2 * cor[k].n_links)
                        loc[nl++] = (cor_location){ { u, 0, 0 }, c.node_xy[2 * u],
                                                    c.node_xy[2 * u + 1], 0, -1, "" };
                }
            }
            if (!loc) {
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                break;
            }
            if (!nl) /* no station or interchange: start from its ends */
                for (size_t l = 0; l < cor[k].n_links && nl < 2; l++) {
                    cor_link_info L;
                    cor_graph_link_get(net->g, cor[k].links[l], &L);
                    loc[nl++] = (cor_location){ { L.u, 0, 0 }, c.node_xy[2 * L.u],
                                                c.node_xy[2 * L.u + 1], 0, -1, "" };
                }
            cor_iso_opts io = COR_ISO_OPTS_DEFAULT;
            cor_isochrones iso;
            memset(&iso, 0, sizeof iso);
            rc = cor_isochrones_compute(net->e, loc, nl, &buffer_min, 1, &io, &iso, err);
            free(loc);
            if (rc == COR_OK && iso.n_bands == 1) {
                r->zone_wkb[k] = iso.bands[0].wkb;
                r->zone_len[k] = iso.bands[0].wkb_len;
                r->zone_area_km2[k] = iso.bands[0].area_km2;
                iso.bands[0].wkb = NULL;
            }
            cor_isochrones_free(&iso);
        } else {
            cor_area *a = cor_area_create(err);
            size_t *start = malloc((cor[k].n_links + 1) * sizeof *start);
            size_t total = 0;
            for (size_t l = 0; start && l < cor[k].n_links; l++) {
                double buf[4];
                const double *pts;
                start[l] = total;
                total += cor_graph_link_points(net->g, cor[k].links[l], buf, &pts);
            }
            double *xy = start ? malloc((2 * total + 2) * sizeof *xy) : NULL;
            if (!a || !start || !xy) {
                cor_area_destroy(a);
                free(start);
                free(xy);
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                break;
            }
            for (size_t l = 0; l < cor[k].n_links; l++) {
                double buf[4];
                const double *pts;
                size_t n = cor_graph_link_points(net->g, cor[k].links[l], buf, &pts);
                memcpy(xy + 2 * start[l], pts, 2 * n * sizeof *xy);
            }
            start[cor[k].n_links] = total;
            cor_polylines pl = { cor[k].n_links, start, xy };
            cor_buffer_opts bo = COR_BUFFER_OPTS_DEFAULT;
            bo.buffer_m = buffer_km * 1000.0;
            rc = cor_area_add_buffer(a, &pl, &bo, err);
            if (rc == COR_OK) {
                r->zone_area_km2[k] = cor_area_m2(a) / 1e6;
                rc = cor_area_wkb(a, &r->zone_wkb[k], &r->zone_len[k], err);
            }
            cor_area_destroy(a);
            free(start);
            free(xy);
        }
        if (rc != COR_OK)
            break;
        /* what lies inside */
        cor_features one;
        memset(&one, 0, sizeof one);
        one.n = 1;
        one.wkb = &r->zone_wkb[k];
        one.wkb_len = &r->zone_len[k];
        if ((rc = cor_overlay_covering(&one, pxy, np, which, err)) != COR_OK)
            break;
        for (size_t i = 0; i < np; i++) {
            pin[i] = which[i] == 0;
            r->zone_parks[k] += pin[i];
        }
        if ((rc = cor_overlay_covering(&one, cxy, cs->n, which, err)) != COR_OK)
            break;
        for (size_t i = 0; i < cs->n; i++) {
            cin[i] = which[i] == 0;
            r->zone_pop[k] += cin[i] ? cs->mass[i] : 0;
        }
        r->zone_levels[k] = tally(level, pin, np, 0);
        r->zone_chains[k] = tally(chain, pin, np, 1);
    }
    cor_features_free(&chains);
    free(pxy);
    free(cxy);
    free(level);
    free(chain);
    free(pin);
    free(cin);
    free(which);
    return rc;
}

static void zones_free(results *r, size_t ncor)
{
    for (size_t k = 0; k < ncor; k++) {
        if (r->zone_wkb)
            free(r->zone_wkb[k]);
        if (r->zone_levels)
            free(r->zone_levels[k]);
        if (r->zone_chains)
            free(r->zone_chains[k]);
    }
    free(r->zone_wkb);
    free(r->zone_len);
    free(r->zone_area_km2);
    free(r->zone_pop);
    free(r->zone_parks);
    free(r->zone_levels);
    free(r->zone_chains);
}

int cmd_corridors(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor corridors" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    enum { O_MASS = 2000, O_DECAY, O_DIRECTED, O_MODE, O_OD, O_TOP, O_SHARE, O_SERVE, O_CSV,
           O_BUFKM, O_BUFMIN };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS,
        { "mass", required_argument, NULL, O_MASS }, { "decay", required_argument, NULL, O_DECAY },
        { "directed", no_argument, NULL, O_DIRECTED }, { "mode", required_argument, NULL, O_MODE },
        { "od", required_argument, NULL, O_OD }, { "top", required_argument, NULL, O_TOP },
        { "share", required_argument, NULL, O_SHARE },
        { "serve-km", required_argument, NULL, O_SERVE },
        { "csv", required_argument, NULL, O_CSV }, { "output", required_argument, NULL, 'o' },
        { "buffer-km", required_argument, NULL, O_BUFKM },
        { "buffer-min", required_argument, NULL, O_BUFMIN },
        { 0, 0, 0, 0 },
    };
    const char *mass = "population", *od_path = NULL, *output = NULL, *csv_dir = NULL;
    cor_gravity_opts go = COR_GRAVITY_OPTS_DEFAULT;
    int mode = COR_MODE_MULTI;
    long top = 10;
    double share = 0.25, serve_m = 15000, buffer_km = 10, buffer_min = 0;
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
        case O_MASS: mass = optarg; break;
        case O_DECAY:
            go.decay = strtod(optarg, &end);
            if (end == optarg || *end || !(go.decay > 0) || !isfinite(go.decay))
                return cli_usage_error(&c, USAGE, "--decay: '%s' must be a number > 0", optarg);
            break;
        case O_DIRECTED: go.directed = 1; break;
        case O_MODE:
            if ((mode = cor_mode_from_name(optarg)) < 0)
                return cli_usage_error(&c, USAGE, "unknown mode '%s' (multi, road, rail)", optarg);
            break;
        case O_OD: od_path = optarg; break;
        case O_TOP:
            if (!cli_whole_option(&c, "--top", optarg, 1, 1000, &top))
                return EXIT_USAGE;
            break;
        case O_SHARE:
            share = strtod(optarg, &end);
            if (end == optarg || *end || !(share > 0) || share > 1)
                return cli_usage_error(&c, USAGE, "--share: '%s' must be in (0, 1]", optarg);
            break;
        case O_SERVE:
            serve_m = strtod(optarg, &end) * 1000.0;
            if (end == optarg || *end || !(serve_m >= 0) || !isfinite(serve_m))
                return cli_usage_error(&c, USAGE, "--serve-km: '%s' is not a distance", optarg);
            break;
        case O_CSV: csv_dir = optarg; break;
        case O_BUFKM:
            buffer_km = strtod(optarg, &end);
            if (end == optarg || *end || !(buffer_km > 0 && buffer_km <= 200))
                return cli_usage_error(&c, USAGE, "--buffer-km: '%s' must be in (0, 200]", optarg);
            buffer_min = 0;
            break;
        case O_BUFMIN:
            buffer_min = strtod(optarg, &end);
            if (end == optarg || *end || !(buffer_min > 0 && buffer_min <= 1440))
                return cli_usage_error(&c, USAGE, "--buffer-min: '%s' must be in (0, 1440]",
                                       optarg);
            break;
        case 'o': output = optarg; break;
        default: break;
        }
    }
    if (output && (!cor_writer_supports(output) || !strstr(output, ".gpkg")))
        return cli_usage_error(&c, USAGE, "%s: the corridors are written as a GeoPackage (.gpkg)",
                               output);
    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    if (rc != EXIT_OK) {
        cli_net_close(&net);
        cli_ctx_free(&c);
        return rc;
    }
    rc = EXIT_FAIL;
    cor_error err = COR_ERROR_INIT;
    cityset cs;
    memset(&cs, 0, sizeof cs);
    uint32_t *T = NULL;
    float *D = NULL;
    double *R = NULL, *K = NULL, *F = NULL, *Rt = NULL, *load = NULL, *bp = NULL, *bpd = NULL,
           *bpD = NULL;
    cor_od *od = NULL;
    cor_corridor *cor = NULL;
    size_t ncor = 0, n_od = 0;
    char **names = NULL;
    served **sv = NULL;
    size_t *nsv = NULL;
    uint32_t *ctime = NULL;
    cor_features odt;
    memset(&odt, 0, sizeof odt);
    results res;
    memset(&res, 0, sizeof res);
    size_t zones_n = 0;
    if (load_cities(&net, mass, &cs, &err) != COR_OK)
        goto out;
    size_t n = cs.n, nl = cor_graph_link_count(net.g);
    T = malloc(n * n * sizeof *T);
    D = malloc(n * n * sizeof *D);
    R = malloc(n * n * sizeof *R);
    K = malloc(n * n * sizeof *K);
    F = malloc(n * n * sizeof *F);
    Rt = malloc(n * sizeof *Rt);
    load = calloc(nl + 1, sizeof *load);
    bp = malloc(2 * n * n * sizeof *bp);
    bpd = malloc(n * n * sizeof *bpd);
    bpD = malloc(n * n * sizeof *bpD);
    od = malloc((n * n + 1) * sizeof *od);
    if (!T || !D || !R || !K || !F || !Rt || !load || !bp || !bpd || !bpD || !od) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        goto out;
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    if (cor_matrix_compute(net.e, cs.anchor, n, cs.anchor, n, &mo, T, D, &err) != COR_OK ||
        cor_gravity(n, cs.mass, T, &go, R, K, Rt, F, NULL, &err) != COR_OK)
        goto out;
    /* unreachable pairs are left out, and said */
    int unreachable = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && T[i * n + j] == COR_UNREACHABLE && unreachable++ < 5)
                fprintf(stderr, "%s: warning: %s -> %s unreachable by %s: left out\n", c.prog,
                        cs.name[i], cs.name[j], cor_mode_name((cor_mode)mode));
    /* breaking points, i < j, measured from i along the path i -> j */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            size_t k = i * n + j;
            bpd[k] = bpD[k] = NAN;
            if (T[k] == COR_UNREACHABLE)
                continue;
            double DD = 0;
            double d = cor_breaking_distance(D[k], cs.mass[i], cs.mass[j]);
            if (cor_path_point(net.e, (cor_mode)mode, &cs.anchor[i], cs.anchor[j].node, d,
                               &bp[2 * k], &bp[2 * k + 1], &DD, &err) != COR_OK)
                goto out;
            bpd[k] = d;
            bpD[k] = DD;
        }
    /* flows */
    if (od_path) {
        const char *of[] = { "origin", "destination", "flow" };
        if (cor_read_table(od_path, of, 3, &odt, &err) != COR_OK)
            goto out;
        for (size_t r = 0; r < odt.n; r++) {
            const char *o = odt.values[3 * r], *d = odt.values[3 * r + 1], *fv = odt.values[3 * r + 2];
            int a = o ? city_index(&cs, o) : -1, b = d ? city_index(&cs, d) : -1;
            char *end = NULL;
            double flow = fv ? strtod(fv, &end) : NAN;
            if (a < 0 || b < 0) {
                cor_error_set(&err, COR_ERR_INPUT, "%s: row %zu: unknown city '%s'", od_path,
                              r + 1, a < 0 ? (o ? o : "") : (d ? d : ""));
                goto out;
            }
            if (!fv || end == fv || *end || !(flow >= 0) || !isfinite(flow)) {
                cor_error_set(&err, COR_ERR_INPUT, "%s: row %zu: flow '%s' is not a number >= 0",
                              od_path, r + 1, fv ? fv : "");
                goto out;
            }
            if (n_od < n * n)
                od[n_od++] = (cor_od){ (uint32_t)a, (uint32_t)b, flow };
        }
    } else {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (i != j && !isnan(R[i * n + j]))
                    od[n_od++] = (cor_od){ (uint32_t)i, (uint32_t)j, R[i * n + j] };
    }
    size_t unassigned = 0;
    if (cor_assign(net.e, (cor_mode)mode, cs.anchor, od, n_od, load, &unassigned, &err) != COR_OK ||
        cor_corridors_extract(net.g, load, share, 0, &cor, &ncor, &err) != COR_OK)
        goto out;
    names = calloc(ncor + 1, sizeof *names);
    sv = calloc(ncor + 1, sizeof *sv);
    nsv = calloc(ncor + 1, sizeof *nsv);
    ctime = calloc(ncor + 1, sizeof *ctime);
    if (!names || !sv || !nsv || !ctime) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < ncor; k++) {
        sv[k] = calloc(n + 1, sizeof **sv);
        names[k] = calloc(1, 64 * (n + 1));
        if (!sv[k] || !names[k]) {
            cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
            goto out;
        }
        nsv[k] = corridor_cities(net.g, &cor[k], &cs, serve_m, sv[k]);
        for (size_t q = 0; q < nsv[k]; q++) {
            const char *nm = *cs.name_zh[sv[k][q].idx] ? cs.name_zh[sv[k][q].idx] : cs.name[sv[k][q].idx];
            size_t len = strlen(nm);
            if (len > 3 && !strcmp(nm + len - 3, "市")) /* 北京市 -> 北京 */
                len -= 3;
            strcat(names[k], q ? "—" : "");
            strncat(names[k], nm, len);
        }
        if (!nsv[k])
            strcpy(names[k], "(no city within --serve-km)");
        ctime[k] = nsv[k] >= 2 ? T[(size_t)sv[k][0].idx * n + (size_t)sv[k][nsv[k] - 1].idx]
                               : COR_UNREACHABLE;
    }
    /* A corridor links cities: loaded pieces serving fewer than two are a city's own streets
     * and stations. Keep the strongest --top of the rest, in rank order. */
    size_t kept = 0;
    for (size_t k = 0; k < ncor; k++) {
        if (nsv[k] < 2 || kept >= (size_t)top) {
            free(cor[k].links);
            free(names[k]);
            free(sv[k]);
            continue;
        }
        cor[kept] = cor[k];
        names[kept] = names[k];
        sv[kept] = sv[k];
        nsv[kept] = nsv[k];
        ctime[kept] = ctime[k];
        kept++;
    }
    ncor = kept;
    char rule[64];
    if (buffer_min > 0)
        snprintf(rule, sizeof rule, "%g min of its stations and interchanges", buffer_min);
    else
        snprintf(rule, sizeof rule, "%g km buffer", buffer_km);
    res = (results){ &net, &cs, T, R, K, F, bp, bpd, bpD, load, cor, ncor, names,
                     (const served *const *)sv, nsv, ctime, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, rule };
    zones_n = ncor;
    if (compute_zones(&net, &cs, cor, ncor, buffer_km, buffer_min, &res, &err) != COR_OK)
        goto out;
    if ((output || csv_dir) && write_outputs(&res, output, csv_dir, &err) != COR_OK)
        goto out;

    /* strongest pairs (i < j, by R_ij + R_ji) */
    size_t np = 0;
    size_t *pairs = malloc(n * n * sizeof *pairs);
    if (!pairs) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!isnan(R[i * n + j]))
                pairs[np++] = i * n + j;
    for (size_t a = 0; a < np; a++) /* small n: selection by insertion */
        for (size_t b = a; b > 0; b--) {
            size_t p = pairs[b], q = pairs[b - 1];
            double rp = R[p] + R[(p % n) * n + p / n], rq = R[q] + R[(q % n) * n + q / n];
            if (rp <= rq)
                break;
            pairs[b] = q;
            pairs[b - 1] = p;
        }
    if (c.json) {
        json_t *jl = json_array(), *jc = json_array(), *jk = json_array();
        for (size_t a = 0; a < np; a++) {
            size_t i = pairs[a] / n, j = pairs[a] % n;
            json_array_append_new(jl, json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f}", "city_a",
                                                cs.name[i], "city_b", cs.name[j], "time_s",
                                                T[i * n + j] / 1000.0, "r_ab", R[i * n + j],
                                                "r_ba", R[j * n + i], "f_ab", F[i * n + j],
                                                "f_ba", F[j * n + i]));
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(jc, json_pack("{s:s, s:s, s:f, s:f}", "name", cs.name[i],
                                                "name_zh", cs.name_zh[i], "mass", cs.mass[i],
                                                "r_total", Rt[i]));
        for (size_t k = 0; k < ncor; k++) {
            json_t *cc = json_array();
            for (size_t q = 0; q < nsv[k]; q++)
                json_array_append_new(cc, json_string(cs.name[sv[k][q].idx]));
            json_array_append_new(jk, json_pack("{s:I, s:s, s:f, s:f, s:f, s:o, s:o, s:{s:s, s:f, s:f, s:I, s:s, s:s}}", "rank",
                                                (json_int_t)k + 1, "name", names[k], "length_km",
                                                cor[k].length_km, "max_load", cor[k].max_load,
                                                "load_km", cor[k].load_km, "cities", cc, "time_s",
                                                ctime[k] == COR_UNREACHABLE ? json_null()
                                                    : json_real(ctime[k] / 1000.0),
                                                "zone", "rule", rule, "area_km2",
                                                res.zone_area_km2[k], "population",
                                                res.zone_pop[k], "parks",
                                                (json_int_t)res.zone_parks[k], "parks_by_level",
                                                res.zone_levels[k], "parks_by_chain",
                                                res.zone_chains[k]));
        }
        cli_print_json(json_pack("{s:s, s:f, s:b, s:s, s:o, s:o, s:o, s:I}", "mass", mass,
                                 "decay", go.decay, "directed", go.directed, "mode",
                                 cor_mode_name((cor_mode)mode), "cities", jc, "linkage", jl,
                                 "corridors", jk, "unassigned_pairs", (json_int_t)unassigned));
    } else {
        printf("Gravity linkage of %zu cities (mass %s, b = %g%s, %s times)\n", n, mass,
               go.decay, go.directed ? ", directed" : "", cor_mode_name((cor_mode)mode));
        printf("  strongest pairs:\n");
        for (size_t a = 0; a < np && a < 10; a++) {
            size_t i = pairs[a] / n, j = pairs[a] % n;
            printf("    %2zu. %-10s %-10s R %10.4g  %5.1f min  F %4.1f %% / %4.1f %%\n", a + 1,
                   cs.name[i], cs.name[j], R[i * n + j] + R[j * n + i], T[i * n + j] / 60000.0,
                   F[i * n + j], F[j * n + i]);
        }
        printf("  corridors (links loaded >= %.0f %% of the maximum):\n", share * 100);
        for (size_t k = 0; k < ncor; k++)
            printf("    %2zu. %s: %.1f km, max load %.4g, load x km %.4g, %.1f min end to end\n",
                   k + 1, names[k], cor[k].length_km, cor[k].max_load, cor[k].load_km,
                   ctime[k] == COR_UNREACHABLE ? NAN : ctime[k] / 60000.0);
        for (size_t k = 0; k < ncor; k++)
            printf("    %2zu. zone (%s): %.0f km2, population %.4g, %zu parks (%s) (chains: %s)\n",
                   k + 1, rule, res.zone_area_km2[k], res.zone_pop[k], res.zone_parks[k],
                   res.zone_levels[k], *res.zone_chains[k] ? res.zone_chains[k] : "none");
        if (output)
            printf("Wrote %s (layers linkage, flows, corridors, breaking_points, corridor_zones)\n",
                   output);
    }
    free(pairs);
    rc = EXIT_OK;
out:
    if (rc != EXIT_OK)
        cli_fail(&c, &err);
    for (size_t k = 0; k < ncor; k++) {
        if (names)
            free(names[k]);
        if (sv)
            free(sv[k]);
    }
    zones_free(&res, zones_n);
    free(names);
    free(sv);
    free(nsv);
    free(ctime);
    cor_corridors_free(cor, ncor);
    cor_features_free(&odt);
    free(T);
    free(D);
    free(R);
    free(K);
    free(F);
    free(Rt);
    free(load);
    free(bp);
    free(bpd);
    free(bpD);
    free(od);
    cities_free(&cs);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}


static cor_status write_layer(cor_writer *w, const results *r, int t, int csv, cor_error *err);

/* The default QGIS styles of the GeoPackage's layers: widths proportional to the linkage,
 * the loads and the corridors' peak loads. */
static cor_status style_outputs(cor_writer *w, const results *r, cor_error *err)
{
    size_t n = r->cs->n, nl = cor_graph_link_count(r->net->g);
    double *peak = malloc((r->ncor ? r->ncor : 1) * sizeof *peak);
    if (!peak)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < r->ncor; k++)
        peak[k] = r->cor[k].max_load;
    cor_status rc = cli_style_layer(NULL, w, "linkage", COR_QML_LINKAGE, NULL, r->R, n * n, err);
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "flows", COR_QML_FLOWS, NULL, r->load, nl, err);
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "corridors", COR_QML_CORRIDORS, NULL, peak, r->ncor, err);
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "corridor_zones", COR_QML_CORRIDOR_ZONES, NULL, NULL, 0,
                             err);
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "breaking_points", COR_QML_BREAKING_POINTS, NULL, NULL, 0,
                             err);
    free(peak);
    return rc;
}

static cor_status write_outputs(const results *rp, const char *gpkg, const char *csv_dir,
                                cor_error *err)
{
    const results r = *rp;
    const cli_net *net = r.net;
    const char *crs = cor_graph_crs(net->g);
    if (gpkg) {
        cor_writer *w = cor_writer_create(gpkg, crs, err);
        if (!w)
            return err->code;
        for (int t = 0; t < 5; t++)
            if (write_layer(w, &r, t, 0, err) != COR_OK) {
                cor_writer_abort(w);
                return err->code;
            }
        if (style_outputs(w, &r, err) != COR_OK) {
            cor_writer_abort(w);
            return err->code;
        }
        if (cor_writer_close(w, err) != COR_OK)
            return err->code;
    }
    static const char *const TN[] = { "linkage", "flows", "corridors", "breaking_points",
                                      "corridor_zones" };
    for (int t = 0; csv_dir && t < 5; t++) {
        if (t == 1) /* the flows are a map layer, not a table */
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.csv", csv_dir, TN[t]);
        cor_writer *w = cor_writer_create(path, NULL, err);
        if (!w)
            return err->code;
        if (write_layer(w, &r, t, 1, err) != COR_OK) {
            cor_writer_abort(w);
            return err->code;
        }
        if (cor_writer_close(w, err) != COR_OK)
            return err->code;
    }
    return COR_OK;
}

static cor_status write_layer(cor_writer *w, const results *res, int t, int csv, cor_error *err)
{
    const cityset *cs = res->cs;
    size_t n = cs->n;
    const uint32_t *T = res->T;
    const double *R = res->R, *K = res->K, *F = res->F, *load = res->load;
    const cli_net *net = res->net;
    cor_corridor *cor = res->cor;
    static const cor_field LF[] = { { "city_a", COR_FIELD_STRING }, { "city_b", COR_FIELD_STRING },
                                    { "mass_a", COR_FIELD_REAL }, { "mass_b", COR_FIELD_REAL },
                                    { "time_s", COR_FIELD_REAL }, { "k_ab", COR_FIELD_REAL },
                                    { "r_ab", COR_FIELD_REAL }, { "r_ba", COR_FIELD_REAL },
                                    { "f_ab", COR_FIELD_REAL }, { "f_ba", COR_FIELD_REAL } };
    static const cor_field BF[] = { { "city_a", COR_FIELD_STRING }, { "city_b", COR_FIELD_STRING },
                                    { "d_a_km", COR_FIELD_REAL }, { "path_km", COR_FIELD_REAL } };
    static const cor_field CF[] = { { "rank", COR_FIELD_INT }, { "name", COR_FIELD_STRING },
                                    { "cities", COR_FIELD_STRING }, { "length_km", COR_FIELD_REAL },
                                    { "max_load", COR_FIELD_REAL }, { "load_km", COR_FIELD_REAL },
                                    { "time_s", COR_FIELD_REAL } };
    static const cor_field FF[] = { { "link", COR_FIELD_INT }, { "mode", COR_FIELD_STRING },
                                    { "class", COR_FIELD_STRING }, { "load", COR_FIELD_REAL },
                                    { "length_m", COR_FIELD_REAL } };
    cor_status rc = COR_OK;
    {
        {
            {
                if (t == 0) {
                    rc = cor_writer_layer(w, "linkage", csv ? COR_GEOM_NONE : COR_GEOM_LINESTRING, LF,
                                     10, err);
                    for (size_t i = 0; rc == COR_OK && i < n; i++)
                        for (size_t j = i + 1; rc == COR_OK && j < n; j++) {
                            size_t k = i * n + j, kk = j * n + i;
                            if (isnan(R[k]))
                                continue;
                            cor_value v[] = { COR_STR(cs->name[i]), COR_STR(cs->name[j]),
                                              COR_REAL(cs->mass[i]), COR_REAL(cs->mass[j]),
                                              COR_REAL(T[k] / 1000.0), COR_REAL(K[k]),
                                              COR_REAL(R[k]), COR_REAL(R[kk]), COR_REAL(F[k]),
                                              COR_REAL(F[kk]) };
                            double xy[4] = { cs->x[i], cs->y[i], cs->x[j], cs->y[j] };
                            rc = cor_writer_feature(w, v, csv ? NULL : xy, 2, NULL, 0, err);
                        }
                } else if (t == 1) {
                    rc = cor_writer_layer(w, "flows", COR_GEOM_LINESTRING, FF, 5, err);
                    for (size_t l = 0; rc == COR_OK && l < cor_graph_link_count(net->g); l++) {
                        if (!(load[l] > 0))
                            continue;
                        cor_link_info L;
                        cor_graph_link_get(net->g, (uint32_t)l, &L);
                        double buf[4];
                        const double *pts;
                        size_t np = cor_graph_link_points(net->g, (uint32_t)l, buf, &pts);
                        int cl = L.kind == COR_EDGE_ROAD || L.kind == COR_EDGE_RAIL;
                        cor_value v[] = { COR_INT((int64_t)l), COR_STR(cor_edge_kind_name(L.kind)),
                                          cl ? COR_STR(cor_class_name(L.cls)) : COR_NULL,
                                          COR_REAL(load[l]), COR_REAL(L.length_m) };
                        double two[4];
                        if (np < 2 || (np == 2 && pts[0] == pts[2] && pts[1] == pts[3])) {
                            two[0] = two[2] = pts[0];
                            two[1] = two[3] = pts[1];
                            pts = two;
                            np = 2;
                        }
                        rc = cor_writer_feature(w, v, pts, np, NULL, 0, err);
                    }
                } else if (t == 2) {
                    rc = cor_writer_layer(w, "corridors", csv ? COR_GEOM_NONE : COR_GEOM_MULTILINESTRING,
                                     CF, 7, err);
                    for (size_t k = 0; rc == COR_OK && k < res->ncor; k++) {
                        char list[1024] = "";
                        for (size_t q = 0; q < res->n_served[k]; q++) {
                            size_t len = strlen(list);
                            snprintf(list + len, sizeof list - len, "%s%s", q ? ";" : "",
                                     cs->name[res->cor_cities[k][q].idx]);
                        }
                        cor_value v[] = { COR_INT((int64_t)k + 1), COR_STR(res->cor_names[k]),
                                          COR_STR(list), COR_REAL(cor[k].length_km),
                                          COR_REAL(cor[k].max_load), COR_REAL(cor[k].load_km),
                                          res->cor_time[k] == COR_UNREACHABLE ? COR_NULL
                                              : COR_REAL(res->cor_time[k] / 1000.0) };
                        if (csv) {
                            rc = cor_writer_feature(w, v, NULL, 0, NULL, 0, err);
                            continue;
                        }
                        const double **parts = malloc(cor[k].n_links * sizeof *parts);
                        size_t *pn = malloc(cor[k].n_links * sizeof *pn);
                        double *bufs = malloc(cor[k].n_links * 4 * sizeof *bufs);
                        if (!parts || !pn || !bufs)
                            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                        for (size_t l = 0; rc == COR_OK && l < cor[k].n_links; l++)
                            pn[l] = cor_graph_link_points(net->g, cor[k].links[l], bufs + 4 * l,
                                                          &parts[l]);
                        if (rc == COR_OK)
                            rc = cor_writer_feature_lines(w, v, parts, pn, cor[k].n_links, err);
                        free(parts);
                        free(pn);
                        free(bufs);
                    }
                } else if (t == 4) {
                    static const cor_field ZF[] = {
                        { "rank", COR_FIELD_INT }, { "name", COR_FIELD_STRING },
                        { "zone", COR_FIELD_STRING }, { "area_km2", COR_FIELD_REAL },
                        { "population", COR_FIELD_REAL }, { "parks", COR_FIELD_INT },
                        { "parks_by_level", COR_FIELD_STRING },
                        { "parks_by_chain", COR_FIELD_STRING } };
                    rc = cor_writer_layer(w, "corridor_zones",
                                          csv ? COR_GEOM_NONE : COR_GEOM_MULTIPOLYGON, ZF, 8, err);
                    for (size_t k = 0; rc == COR_OK && k < res->ncor; k++) {
                        cor_value v[] = { COR_INT((int64_t)k + 1), COR_STR(res->cor_names[k]),
                                          COR_STR(res->zone_rule),
                                          COR_REAL(res->zone_area_km2[k]),
                                          COR_REAL(res->zone_pop[k]),
                                          COR_INT((int64_t)res->zone_parks[k]),
                                          COR_STR(res->zone_levels[k]),
                                          COR_STR(res->zone_chains[k]) };
                        rc = cor_writer_feature(w, v, NULL, 0, csv ? NULL : res->zone_wkb[k],
                                                csv ? 0 : res->zone_len[k], err);
                    }
                } else {
                    rc = cor_writer_layer(w, "breaking_points", csv ? COR_GEOM_NONE : COR_GEOM_POINT,
                                     BF, 4, err);
                    for (size_t i = 0; rc == COR_OK && i < n; i++)
                        for (size_t j = i + 1; rc == COR_OK && j < n; j++) {
                            size_t k = i * n + j;
                            if (isnan(res->bp_d[k]))
                                continue;
                            cor_value v[] = { COR_STR(cs->name[i]), COR_STR(cs->name[j]),
                                              COR_REAL(res->bp_d[k] / 1000.0),
                                              COR_REAL(res->bp_D[k] / 1000.0) };
                            rc = cor_writer_feature(w, v, csv ? NULL : res->bp_xy + 2 * k, 1,
                                                    NULL, 0, err);
                        }
                }
            }
        }
    }
    return rc;
}
