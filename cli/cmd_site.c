/* cmd_site.c: `corridor site`: transparent multi-criteria ranking of candidate sites with
 * constraints (criteria file in JSON), WLC or TOPSIS, direct, AHP or entropy weights, and a
 * seeded sensitivity analysis. */
#include "cli.h"
#include "cli_points.h"
#include "corridor/geomops.h"
#include "corridor/mcda.h"
#include "corridor/overlay.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

enum { K_TIME_TO, K_POP_WITHIN, K_PARKS_WITHIN, K_DISTANCE_TO, K_FIELD, K_RASTER };
static const char *const KIND_NAMES[] = { "time_to", "population_within", "parks_within",
                                          "distance_to", "field", "raster" };

typedef struct {
    char id[48];
    int kind;
    const char *to, *chain, *layer, *field, *path, *where_field, *where_value;
    double minutes;
    cor_direction dir;
    cor_transform tf;
    double px[16], ps[16];
    double weight;
    int has_weight;
} criterion;

enum { C_EXCLUDE_INSIDE, C_INSIDE, C_LIMIT };
typedef struct {
    int kind;
    const char *layer, *where_field, *where_value, *reason, *crit;
    double min, max;
    int crit_index;
} constraint;

typedef struct {
    json_t *root;
    const char *title;
    int method;                 /* -1: not given */
    int weights;                /* 0 direct, 1 ahp, 2 entropy */
    double ahp[15 * 15];
    int mode;
    size_t n_crit, n_cons;
    criterion crit[15];
    constraint cons[32];
} criteria_doc;

static int fail(const cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const cli_ctx *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

/* Parses the criteria file; every error names the file and the JSON path. */
static int parse_criteria(const cli_ctx *c, const char *path, criteria_doc *d)
{
    json_error_t je;
    memset(d, 0, sizeof *d);
    d->method = -1;
    d->root = json_load_file(path, 0, &je);
    if (!d->root)
        return fail(c, "%s: %s%s", path, je.line > 0 ? "" : "", je.text);
    json_t *r = d->root, *v;
    if (!json_is_object(r))
        return fail(c, "%s: the top level must be an object", path);
    const char *key;
    json_object_foreach(r, key, v) {
        if (strcmp(key, "name") && strcmp(key, "description") && strcmp(key, "method") &&
            strcmp(key, "weights") && strcmp(key, "ahp") && strcmp(key, "mode") &&
            strcmp(key, "criteria") && strcmp(key, "constraints"))
            return fail(c, "%s: %s: unknown key", path, key);
    }
    d->title = json_string_value(json_object_get(r, "name"));
    if ((v = json_object_get(r, "method"))) {
        const char *m = json_string_value(v);
        d->method = m && !strcmp(m, "wlc") ? COR_METHOD_WLC
                    : m && !strcmp(m, "topsis") ? COR_METHOD_TOPSIS : -2;
        if (d->method == -2)
            return fail(c, "%s: method: must be \"wlc\" or \"topsis\"", path);
    }
    d->mode = COR_MODE_MULTI;
    if ((v = json_object_get(r, "mode")) &&
        (!json_is_string(v) || (d->mode = cor_mode_from_name(json_string_value(v))) < 0))
        return fail(c, "%s: mode: must be multi, road or rail", path);
    if ((v = json_object_get(r, "weights"))) {
        const char *w = json_string_value(v);
        d->weights = w && !strcmp(w, "direct") ? 0 : w && !strcmp(w, "ahp") ? 1
                     : w && !strcmp(w, "entropy") ? 2 : -1;
        if (d->weights < 0)
            return fail(c, "%s: weights: must be \"direct\", \"ahp\" or \"entropy\"", path);
    }
    json_t *cl = json_object_get(r, "criteria");
    if (!json_is_array(cl) || json_array_size(cl) < 1 || json_array_size(cl) > 15)
        return fail(c, "%s: criteria: must be an array of 1 to 15 criteria", path);
    size_t i;
    json_t *ce;
    json_array_foreach(cl, i, ce) {
        criterion *k = &d->crit[d->n_crit++];
        char p[64];
        snprintf(p, sizeof p, "criteria[%zu]", i);
        if (!json_is_object(ce))
            return fail(c, "%s: %s: must be an object", path, p);
        json_object_foreach(ce, key, v) {
            static const char *const KNOWN[] = { "id", "kind", "to", "minutes", "chain", "layer",
                                                 "where", "field", "path", "direction",
                                                 "transform", "weight", "note", NULL };
            int ok = 0;
            for (int q = 0; KNOWN[q]; q++)
                ok |= !strcmp(key, KNOWN[q]);
            if (!ok)
                return fail(c, "%s: %s.%s: unknown key", path, p, key);
        }
        const char *id = json_string_value(json_object_get(ce, "id"));
        const char *kind = json_string_value(json_object_get(ce, "kind"));
        if (!id || !*id || strlen(id) > 40)
            return fail(c, "%s: %s.id: a name of 1 to 40 characters is required", path, p);
        for (const char *q = id; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return fail(c, "%s: %s.id: '%s' may hold only a-z, 0-9 and _", path, p, id);
        for (size_t q = 0; q + 1 < d->n_crit; q++)
            if (!strcmp(d->crit[q].id, id))
                return fail(c, "%s: %s.id: '%s' is used twice", path, p, id);
        snprintf(k->id, sizeof k->id, "%s", id);
        k->kind = -1;
        for (int q = 0; kind && q < 6; q++)
            if (!strcmp(kind, KIND_NAMES[q]))
                k->kind = q;
        if (k->kind < 0)
            return fail(c, "%s: %s.kind: '%s' is not one of time_to, population_within, "
                        "parks_within, distance_to, field, raster", path, p, kind ? kind : "");
        k->to = json_string_value(json_object_get(ce, "to"));
        k->chain = json_string_value(json_object_get(ce, "chain"));
        k->layer = json_string_value(json_object_get(ce, "layer"));
        k->field = json_string_value(json_object_get(ce, "field"));
        k->path = json_string_value(json_object_get(ce, "path"));
        json_t *wh = json_object_get(ce, "where");
        if (wh) {
            const char *wk;
            json_t *wv2;
            if (!json_is_object(wh) || json_object_size(wh) != 1)
                return fail(c, "%s: %s.where: must be {\"FIELD\": \"VALUE\"}", path, p);
            json_object_foreach(wh, wk, wv2) {
                k->where_field = wk;
                k->where_value = json_string_value(wv2);
            }
            if (!k->where_value)
                return fail(c, "%s: %s.where: the value must be a string", path, p);
        }
        json_t *mv = json_object_get(ce, "minutes");
        k->minutes = json_is_number(mv) ? json_number_value(mv) : NAN;
        if ((k->kind == K_TIME_TO && !k->to) || (k->kind == K_DISTANCE_TO && !k->layer) ||
            (k->kind == K_FIELD && !k->field) || (k->kind == K_RASTER && !k->path))
            return fail(c, "%s: %s: kind %s needs \"%s\"", path, p, KIND_NAMES[k->kind],
                        k->kind == K_TIME_TO ? "to" : k->kind == K_DISTANCE_TO ? "layer"
                        : k->kind == K_FIELD ? "field" : "path");
        if ((k->kind == K_POP_WITHIN || k->kind == K_PARKS_WITHIN) &&
            !(k->minutes > 0 && k->minutes <= 1440))
            return fail(c, "%s: %s.minutes: must be a number in (0, 1440]", path, p);
        const char *dir = json_string_value(json_object_get(ce, "direction"));
        if (!dir || (strcmp(dir, "benefit") && strcmp(dir, "cost")))
            return fail(c, "%s: %s.direction: must be \"benefit\" or \"cost\"", path, p);
        k->dir = !strcmp(dir, "cost") ? COR_COST : COR_BENEFIT;
        json_t *tf = json_object_get(ce, "transform");
        k->tf = (cor_transform){ COR_TRANSFORM_LINEAR, k->dir, 0, k->px, k->ps };
        if (tf && !(json_is_string(tf) && !strcmp(json_string_value(tf), "linear"))) {
            json_t *pts = json_object_get(tf, "piecewise");
            if (!json_is_object(tf) || !json_is_array(pts) || json_array_size(pts) < 1 ||
                json_array_size(pts) > 16)
                return fail(c, "%s: %s.transform: \"linear\" or {\"piecewise\": [[x, score], "
                            "...]} with 1 to 16 points", path, p);
            size_t q;
            json_t *pt;
            json_array_foreach(pts, q, pt) {
                if (!json_is_array(pt) || json_array_size(pt) != 2 ||
                    !json_is_number(json_array_get(pt, 0)) ||
                    !json_is_number(json_array_get(pt, 1)))
                    return fail(c, "%s: %s.transform.piecewise[%zu]: must be [x, score]", path,
                                p, q);
                k->px[q] = json_number_value(json_array_get(pt, 0));
                k->ps[q] = json_number_value(json_array_get(pt, 1));
            }
            k->tf.kind = COR_TRANSFORM_PIECEWISE;
            k->tf.n_points = json_array_size(pts);
            cor_error e = COR_ERROR_INIT;
            double probe = 0, out;
            if (cor_transform_apply(&k->tf, &probe, 1, &out, &e) != COR_OK)
                return fail(c, "%s: %s.transform: %s", path, p, e.msg);
        }
        json_t *wv = json_object_get(ce, "weight");
        if (wv) {
            if (!json_is_number(wv) || !(json_number_value(wv) >= 0))
                return fail(c, "%s: %s.weight: must be a number >= 0", path, p);
            k->weight = json_number_value(wv);
            k->has_weight = 1;
        }
        if (d->weights == 0 && !k->has_weight)
            return fail(c, "%s: %s.weight: direct weights need a weight for every criterion",
                        path, p);
    }
    if (d->weights == 1) {
        json_t *a = json_object_get(r, "ahp");
        size_t n = d->n_crit;
        if (!json_is_array(a) || json_array_size(a) != n)
            return fail(c, "%s: ahp: must be a %zu x %zu matrix (criteria order)", path, n, n);
        for (size_t q = 0; q < n; q++) {
            json_t *row = json_array_get(a, q);
            if (!json_is_array(row) || json_array_size(row) != n)
                return fail(c, "%s: ahp[%zu]: must be a row of %zu numbers (the matrix is not "
                            "square)", path, q, n);
            for (size_t s = 0; s < n; s++) {
                json_t *x = json_array_get(row, s);
                double a = NAN, b = 1;
                char *end = NULL;
                if (json_is_number(x))
                    a = json_number_value(x);
                else if (json_is_string(x)) { /* "1/3": JSON has no fractions */
                    const char *t = json_string_value(x);
                    a = strtod(t, &end);
                    if (end != t && *end == '/') {
                        const char *u = end + 1;
                        b = strtod(u, &end);
                        if (end == u)
                            a = NAN;
                    }
                    if (*end)
                        a = NAN;
                }
                if (!isfinite(a) || !isfinite(b) || b == 0)
                    return fail(c, "%s: ahp[%zu][%zu]: must be a number or a fraction \"a/b\"",
                                path, q, s);
                d->ahp[q * n + s] = a / b;
            }
        }
    }
    json_t *cs = json_object_get(r, "constraints");
    if (cs && !json_is_array(cs))
        return fail(c, "%s: constraints: must be an array", path);
    json_array_foreach(cs, i, ce) {
        if (d->n_cons == 32)
            return fail(c, "%s: constraints: at most 32", path);
        constraint *k = &d->cons[d->n_cons++];
        char p[64];
        snprintf(p, sizeof p, "constraints[%zu]", i);
        const char *kind = json_string_value(json_object_get(ce, "kind"));
        k->kind = kind && !strcmp(kind, "exclude_inside") ? C_EXCLUDE_INSIDE
                  : kind && !strcmp(kind, "inside") ? C_INSIDE
                  : kind && !strcmp(kind, "limit") ? C_LIMIT : -1;
        if (k->kind < 0)
            return fail(c, "%s: %s.kind: must be exclude_inside, inside or limit", path, p);
        k->layer = json_string_value(json_object_get(ce, "layer"));
        k->reason = json_string_value(json_object_get(ce, "reason"));
        k->crit = json_string_value(json_object_get(ce, "criterion"));
        json_t *wh = json_object_get(ce, "where");
        if (wh) {
            if (!json_is_object(wh) || json_object_size(wh) != 1)
                return fail(c, "%s: %s.where: must be {\"FIELD\": \"VALUE\"}", path, p);
            json_object_foreach(wh, key, v) {
                k->where_field = key;
                k->where_value = json_string_value(v);
            }
            if (!k->where_value)
                return fail(c, "%s: %s.where: the value must be a string", path, p);
        }
        json_t *mn = json_object_get(ce, "min"), *mx = json_object_get(ce, "max");
        k->min = json_is_number(mn) ? json_number_value(mn) : -INFINITY;
        k->max = json_is_number(mx) ? json_number_value(mx) : INFINITY;
        if (k->kind != C_LIMIT && !k->layer)
            return fail(c, "%s: %s.layer: required", path, p);
        if (k->kind == C_LIMIT) {
            k->crit_index = -1;
            for (size_t q = 0; k->crit && q < d->n_crit; q++)
                if (!strcmp(d->crit[q].id, k->crit))
                    k->crit_index = (int)q;
            if (k->crit_index < 0)
                return fail(c, "%s: %s.criterion: '%s' is not a criterion id", path, p,
                            k->crit ? k->crit : "");
            if (!mn && !mx)
                return fail(c, "%s: %s: a limit needs min or max", path, p);
        }
    }
    return EXIT_OK;
}

/* Keeps the features whose first field equals value (the others lose their geometry, so
 * overlays skip them); returns how many match. */
static size_t keep_matching(cor_features *lf, const char *value)
{
    size_t keep = 0;
    for (size_t f = 0; f < lf->n; f++) {
        if (lf->values[f] && !strcmp(lf->values[f], value)) {
            keep++;
            continue;
        }
        free(lf->wkb[f]);
        lf->wkb[f] = NULL;
    }
    return keep;
}

/* A layer of DATA, or FILE, or FILE:LAYER: its features in the working CRS. */
static int load_layer(const cli_ctx *c, const cli_net *net, const char *spec,
                      const char *field, cor_features *out)
{
    cor_error err = COR_ERROR_INIT;
    const char *fields[1] = { field };
    size_t nf = field ? 1 : 0;
    if (cor_dataset_read_layer(net->ds, spec, fields, nf, out, &err) == COR_OK)
        return EXIT_OK;
    /* not a layer of DATA: a file (with an optional ":LAYER") */
    char path[1024], *layer = NULL;
    snprintf(path, sizeof path, "%s", spec);
    char *colon = strrchr(path, ':');
    if (colon && access(path, R_OK) != 0) {
        *colon = '\0';
        layer = colon + 1;
    }
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    oo.crs = cor_dataset_working_crs(net->ds);
    cor_error e2 = COR_ERROR_INIT;
    cor_dataset *other = cor_dataset_open(path, &oo, &e2);
    if (!other)
        return fail(c, "%s: not a layer of %s, nor a readable file (%s)", spec,
                    cor_dataset_source(net->ds), e2.msg);
    cor_layer_info li;
    if (!layer) {
        cor_dataset_layer_info(other, 0, &li);
        layer = (char *)li.name;
    }
    e2 = COR_ERROR_INIT;
    int rc = cor_dataset_read_layer(other, layer, fields, nf, out, &e2) == COR_OK
                 ? EXIT_OK : fail(c, "%s", e2.msg);
    cor_dataset_close(other);
    return rc;
}

/* Anchors of every graph place of a role (or the HSR stations), or of one named place. */
static int targets_of(const cli_ctx *c, const cli_net *net, const char *to, cor_anchor **out,
                      size_t *n, double **mass, const char **chain_values, const char *chain)
{
    static const struct { const char *name; cor_role role; } SETS[] = {
        { "ports", COR_ROLE_PORT }, { "airports", COR_ROLE_AIRPORT },
        { "stations", COR_ROLE_STATION }, { "hsr_stations", COR_ROLE_STATION },
        { "cities", COR_ROLE_CITY }, { "parks", COR_ROLE_PARK },
    };
    const cor_graph *g = net->g;
    size_t np = cor_graph_place_count(g);
    *out = calloc(np + 1, sizeof **out);
    if (mass)
        *mass = calloc(np + 1, sizeof **mass);
    if (!*out || (mass && !*mass))
        return fail(c, "out of memory");
    *n = 0;
    int set = -1;
    for (int s = 0; s < 6; s++)
        if (!strcmp(to, SETS[s].name))
            set = s;
    if (set < 0) { /* one place */
        cor_location loc;
        cor_error err = COR_ERROR_INIT;
        if (cor_engine_locate(net->e, to, 20000, cli_lonlat_to_xy, net->ds, &loc, &err) != COR_OK)
            return fail(c, "criterion target: %s", err.msg);
        (*out)[(*n)++] = loc.anchor;
        return EXIT_OK;
    }
    cor_csr csr;
    cor_graph_csr(g, &csr);
    const cor_places *cities = cor_dataset_places(net->ds, COR_ROLE_CITY, NULL);
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->role != SETS[set].role || p->node == COR_UNREACHABLE || !p->in_main_component)
            continue;
        if (set == 3) { /* boards a high-speed train */
            int hs = 0;
            for (uint64_t e = csr.first_out[p->node]; e < csr.first_out[p->node + 1] && !hs; e++) {
                if ((csr.kind[e] & 15) != COR_EDGE_BOARD)
                    continue;
                uint32_t r = csr.head[e];
                for (uint64_t f = csr.first_out[r]; f < csr.first_out[r + 1]; f++)
                    hs |= (csr.kind[f] & 15) == COR_EDGE_RAIL && (csr.kind[f] >> 4) == COR_CLASS_HIGHSPEED;
            }
            if (!hs)
                continue;
        }
        if (chain && chain_values) { /* parks of one chain: "robotics" in "biomedicine;robotics" */
            const char *cv = chain_values[i];
            int hit = 0;
            for (const char *q = cv; q && (q = strstr(q, chain)); q += strlen(chain)) {
                char before = q == cv ? ';' : q[-1], after = q[strlen(chain)];
                hit |= before == ';' && (after == ';' || after == '\0');
            }
            if (!hit)
                continue;
        }
        if (mass) {
            (*mass)[*n] = 1;
            for (size_t q = 0; cities && q < cities->n; q++)
                if (p->role == COR_ROLE_CITY && cities->items[q].fid == p->fid)
                    (*mass)[*n] = cities->items[q].mass;
        }
        (*out)[(*n)++] = (cor_anchor){ p->node, 0, 0.0f };
    }
    if (!*n)
        return fail(c, "criterion target '%s'%s%s: no such places on the network", to,
                    chain ? " of chain " : "", chain ? chain : "");
    return EXIT_OK;
}

/* Chain values of the parks, by graph place index (NULL where none). */
static const char **park_chains(const cli_net *net, cor_features *pf)
{
    const char *layer = cor_dataset_role_layer(net->ds, COR_ROLE_PARK);
    const char *fields[] = { "chain" };
    size_t np = cor_graph_place_count(net->g);
    const char **v = calloc(np + 1, sizeof *v);
    if (!v || !layer || cor_dataset_read_layer(net->ds, layer, fields, 1, pf, NULL) != COR_OK)
        return v;
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(net->g, i);
        if (p->role != COR_ROLE_PARK)
            continue;
        for (size_t k = 0; k < pf->n; k++)
            if (pf->fid[k] == p->fid)
                v[i] = pf->values[k];
    }
    return v;
}

typedef struct {
    size_t n;
    char **label;
    double *xy;                 /* interleaved, working CRS */
    cor_anchor *anchor;         /* node COR_UNREACHABLE: off the network */
    double *field[CLI_POINTS_MAX_FIELDS];
    int is_grid;
    cor_grid grid;              /* the grid's geometry when is_grid (values filled later) */
    size_t *cell;               /* grid cell index of each candidate */
} candidates;

static void candidates_free(candidates *cd)
{
    for (size_t i = 0; cd->label && i < cd->n; i++)
        free(cd->label[i]);
    free(cd->label);
    free(cd->xy);
    free(cd->anchor);
    for (int k = 0; k < CLI_POINTS_MAX_FIELDS; k++)
        free(cd->field[k]);
    free(cd->grid.values);
    free(cd->cell);
}

/* The boundary named NAME in the provinces, prefectures or districts layer. */
static int find_boundary(const cli_ctx *c, const cli_net *net, const char *name, cor_features *out,
                         size_t *index)
{
    static const char *const LAYERS[] = { "provinces", "prefectures", "districts" };
    const char *fields[] = { "name", "name_zh" };
    for (int l = 0; l < 3; l++) {
        cor_features f;
        if (cor_dataset_read_layer(net->ds, LAYERS[l], fields, 2, &f, NULL) != COR_OK)
            continue;
        for (size_t i = 0; i < f.n; i++) {
            const char *a = f.values[2 * i], *b = f.values[2 * i + 1];
            size_t nl = strlen(name);
            /* 河北 matches 河北省, Baoding matches Baoding */
            if ((a && !strcasecmp(a, name)) || (b && !strcmp(b, name)) ||
                (b && !strncmp(b, name, nl) && (!strcmp(b + nl, "省") || !strcmp(b + nl, "市")))) {
                *out = f;
                *index = i;
                return EXIT_OK;
            }
        }
        cor_features_free(&f);
    }
    return fail(c, "--within %s: no province, prefecture or district of that name", name);
}

static int grid_candidates(const cli_ctx *c, const cli_net *net, double cell_m,
                           const char *within, double max_snap_m, candidates *cd)
{
    cor_features b;
    size_t bi = 0;
    if (find_boundary(c, net, within, &b, &bi) != EXIT_OK)
        return EXIT_FAIL;
    cor_error err = COR_ERROR_INIT;
    cor_bbox bb;
    if (cor_wkb_bounds(b.wkb[bi], b.wkb_len[bi], &bb, &err) != COR_OK) {
        cor_features_free(&b);
        return fail(c, "--within %s: %s", within, err.msg);
    }
    size_t nx = (size_t)ceil((bb.max_x - bb.min_x) / cell_m),
           ny = (size_t)ceil((bb.max_y - bb.min_y) / cell_m);
    if (nx * ny > 2000000) {
        cor_features_free(&b);
        return fail(c, "grid:%.0fm over %s has %zu cells (limit 2,000,000): use a larger size",
                    cell_m, within, nx * ny);
    }
    cd->is_grid = 1;
    cd->grid = (cor_grid){ bb.min_x, bb.min_y + (double)ny * cell_m, cell_m, nx, ny, NULL };
    double *xy = malloc(2 * nx * ny * sizeof *xy);
    long *which = malloc(nx * ny * sizeof *which);
    cd->grid.values = malloc(nx * ny * sizeof(float));
    if (!xy || !which || !cd->grid.values) {
        free(xy);
        free(which);
        cor_features_free(&b);
        return fail(c, "out of memory");
    }
    for (size_t r = 0; r < ny; r++)
        for (size_t q = 0; q < nx; q++) {
            xy[2 * (r * nx + q)] = cd->grid.x0_m + (q + 0.5) * cell_m;
            xy[2 * (r * nx + q) + 1] = cd->grid.y0_m - (r + 0.5) * cell_m;
            cd->grid.values[r * nx + q] = NAN;
        }
    cor_features one = b;
    one.n = 1;
    one.wkb = &b.wkb[bi];
    one.wkb_len = &b.wkb_len[bi];
    cor_status st = cor_overlay_covering(&one, xy, nx * ny, which, &err);
    cor_features_free(&b);
    if (st != COR_OK) {
        free(xy);
        free(which);
        return fail(c, "--within %s: %s", within, err.msg);
    }
    size_t n = 0;
    for (size_t k = 0; k < nx * ny; k++)
        n += which[k] == 0;
    cd->n = n;
    cd->label = calloc(n + 1, sizeof *cd->label);
    cd->xy = malloc(2 * (n + 1) * sizeof *cd->xy);
    cd->anchor = malloc((n + 1) * sizeof *cd->anchor);
    cd->cell = malloc((n + 1) * sizeof *cd->cell);
    if (!cd->label || !cd->xy || !cd->anchor || !cd->cell) {
        free(xy);
        free(which);
        return fail(c, "out of memory");
    }
    size_t i = 0;
    for (size_t k = 0; k < nx * ny; k++) {
        if (which[k] != 0)
            continue;
        char lab[48];
        snprintf(lab, sizeof lab, "cell %zu,%zu", k / nx, k % nx);
        cd->label[i] = strdup(lab);
        cd->xy[2 * i] = xy[2 * k];
        cd->xy[2 * i + 1] = xy[2 * k + 1];
        cd->cell[i] = k;
        cor_error e = COR_ERROR_INIT;
        double snap;
        if (cor_engine_anchor_xy(net->e, xy[2 * k], xy[2 * k + 1], max_snap_m, &cd->anchor[i],
                                 &snap, &e) != COR_OK)
            cd->anchor[i].node = COR_UNREACHABLE;
        i++;
    }
    free(xy);
    free(which);
    return EXIT_OK;
}

static int point_candidates(const cli_ctx *c, const cli_net *net, const char *spec,
                            const criteria_doc *d, double max_snap_m, candidates *cd,
                            int *field_slot)
{
    cli_points_opts po = CLI_POINTS_OPTS_DEFAULT;
    po.option = "--candidates";
    po.max_snap_m = max_snap_m;
    int nf = 0;
    for (size_t j = 0; j < d->n_crit; j++) {
        field_slot[j] = -1;
        if (d->crit[j].kind != K_FIELD)
            continue;
        if (nf == CLI_POINTS_MAX_FIELDS)
            return fail(c, "at most %d field criteria", CLI_POINTS_MAX_FIELDS);
        po.fields[nf] = d->crit[j].field;
        po.field_options[nf] = d->crit[j].id;
        field_slot[j] = nf++;
    }
    cli_points p;
    /* points off the network are kept (and excluded later with their reason) */
    if (cli_points_load(c, net, spec, &po, &p) != EXIT_OK)
        return EXIT_FAIL;
    cd->n = p.n;
    cd->label = calloc(p.n + 1, sizeof *cd->label);
    cd->xy = malloc(2 * (p.n + 1) * sizeof *cd->xy);
    cd->anchor = malloc((p.n + 1) * sizeof *cd->anchor);
    for (int k = 0; k < nf; k++)
        cd->field[k] = malloc((p.n + 1) * sizeof(double));
    if (!cd->label || !cd->xy || !cd->anchor) {
        cli_points_free(&p);
        return fail(c, "out of memory");
    }
    for (size_t i = 0; i < p.n; i++) {
        cd->label[i] = strdup(p.items[i].label);
        cd->xy[2 * i] = p.items[i].x_m;
        cd->xy[2 * i + 1] = p.items[i].y_m;
        cd->anchor[i] = p.items[i].anchor;
        for (int k = 0; k < nf; k++)
            if (cd->field[k])
                cd->field[k][i] = p.items[i].field[k];
    }
    cli_points_free(&p);
    return EXIT_OK;
}

/* Minutes from every candidate to the nearest target (NAN when none is reachable), or the
 * mass of the targets within max_min (count with mass NULL); also kept per target when
 * per_target is given. */
static int reach(const cli_ctx *c, const cli_net *net, int mode, const candidates *cd,
                 const cor_anchor *t, size_t nt, const double *mass, double within_min,
                 double *out)
{
    size_t n = cd->n;
    cor_anchor *on = malloc((n + 1) * sizeof *on);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    uint32_t *tm = NULL;
    size_t m = 0;
    for (size_t i = 0; on && idx && i < n; i++)
        if (cd->anchor[i].node != COR_UNREACHABLE) {
            on[m] = cd->anchor[i];
            idx[m++] = i;
        }
    tm = on && idx ? malloc((m * nt + 1) * sizeof *tm) : NULL;
    if (!tm) {
        free(on);
        free(idx);
        return fail(c, "out of memory");
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    if (within_min > 0)
        mo.max_ms = (uint32_t)(within_min * 60000.0);
    cor_error err = COR_ERROR_INIT;
    if (cor_matrix_compute(net->e, on, m, t, nt, &mo, tm, NULL, &err) != COR_OK) {
        free(on);
        free(idx);
        free(tm);
        return fail(c, "%s", err.msg);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = NAN;
    for (size_t a = 0; a < m; a++) {
        double best = INFINITY, sum = 0;
        for (size_t j = 0; j < nt; j++) {
            uint32_t v = tm[a * nt + j];
            if (v == COR_UNREACHABLE)
                continue;
            best = fmin(best, v / 60000.0);
            if (v / 60000.0 <= within_min)
                sum += mass ? mass[j] : 1.0;
        }
        out[idx[a]] = within_min > 0 ? sum : isfinite(best) ? best : NAN;
    }
    free(on);
    free(idx);
    free(tm);
    return EXIT_OK;
}

static int write_sites(const cli_ctx *c, const char *path, const cor_graph *g,
                       const criteria_doc *d, const candidates *cd, const double *raw,
                       const double *score, const double *total, const int *rank,
                       char **reason, const double *share, const int *rmin, const int *rmax)
{
    size_t n = d->n_crit, nf = 0;
    cor_field f[64];
    char names[64][64];
    f[nf++] = (cor_field){ "name", COR_FIELD_STRING };
    f[nf++] = (cor_field){ "rank", COR_FIELD_INT };
    f[nf++] = (cor_field){ "total", COR_FIELD_REAL };
    f[nf++] = (cor_field){ "excluded", COR_FIELD_STRING };
    for (size_t j = 0; j < n; j++) {
        snprintf(names[2 * j], 64, "raw_%s", d->crit[j].id);
        snprintf(names[2 * j + 1], 64, "score_%s", d->crit[j].id);
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
        return fail(c, "%s", err.msg);
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
        return fail(c, "%s", err.msg);
    }
    if (cor_writer_close(w, &err) != COR_OK)
        return fail(c, "%s", err.msg);
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
            top = strtol(optarg, &end, 10);
            if (end == optarg || *end || top < 1 || top > 100000)
                return cli_usage_error(&c, USAGE, "--top: '%s' must be a number >= 1", optarg);
            break;
        case O_EXPLAIN: explain = 1; break;
        case O_SENS:
            draws = strtol(optarg, &end, 10);
            if (end == optarg || *end || draws < 1 || draws > 1000000)
                return cli_usage_error(&c, USAGE, "--sensitivity: '%s' must be 1 to 1000000",
                                       optarg);
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
            if (!cli_parse_number(optarg, &max_snap_m) || !(max_snap_m > 0))
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
    criteria_doc d;
    if (parse_criteria(&c, crit_path, &d) != EXIT_OK) {
        json_decref(d.root);
        return EXIT_FAIL;
    }
    if (method < 0)
        method = d.method >= 0 ? d.method : COR_METHOD_WLC;
    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    candidates cd;
    memset(&cd, 0, sizeof cd);
    size_t n = d.n_crit, m = 0;
    double *raw = NULL, *score = NULL, *total = NULL, *w = NULL, *share = NULL, *col = NULL;
    int *rank = NULL, *rmin = NULL, *rmax = NULL, field_slot[16];
    char **reason = NULL;
    uint8_t *excl = NULL;
    cor_features pf;
    memset(&pf, 0, sizeof pf);
    const char **chains = NULL;
    cor_ahp_result ahp = { 0, 0, 0 };
    if (rc != EXIT_OK)
        goto out;
    rc = EXIT_FAIL;
    if ((is_grid ? grid_candidates(&c, &net, cell_m, within, max_snap_m, &cd)
                 : point_candidates(&c, &net, cand, &d, max_snap_m, &cd, field_slot)) != EXIT_OK)
        goto out;
    m = cd.n;
    if (!m) {
        fail(&c, "%s: no candidates", cand);
        goto out;
    }
    raw = malloc(m * n * sizeof *raw);
    score = malloc(m * n * sizeof *score);
    total = malloc(m * sizeof *total);
    w = malloc(n * sizeof *w);
    col = malloc(m * sizeof *col);
    rank = malloc(m * sizeof *rank);
    reason = calloc(m, sizeof *reason);
    excl = calloc(m, 1);
    if (!raw || !score || !total || !w || !col || !rank || !reason || !excl) {
        fail(&c, "out of memory");
        goto out;
    }
    /* 1. raw values, one criterion at a time */
    int tick = 0;
    for (size_t j = 0; j < n; j++) {
        const criterion *k = &d.crit[j];
        if (!c.quiet)
            cli_progress((double)j / (double)n, k->id, &tick);
        cor_anchor *t = NULL;
        double *mass = NULL;
        size_t nt = 0;
        int st = EXIT_OK;
        cor_error err = COR_ERROR_INIT;
        if (k->kind == K_TIME_TO || k->kind == K_POP_WITHIN || k->kind == K_PARKS_WITHIN) {
            const char *to = k->kind == K_TIME_TO ? k->to
                             : k->kind == K_POP_WITHIN ? "cities" : "parks";
            if (k->kind == K_PARKS_WITHIN && k->chain && !chains)
                chains = park_chains(&net, &pf);
            st = targets_of(&c, &net, to, &t, &nt, k->kind == K_POP_WITHIN ? &mass : NULL,
                            chains, k->kind == K_PARKS_WITHIN ? k->chain : NULL);
            if (st == EXIT_OK)
                st = reach(&c, &net, d.mode, &cd, t, nt, mass,
                           k->kind == K_TIME_TO ? 0 : k->minutes, col);
        } else if (k->kind == K_DISTANCE_TO) {
            cor_features lf;
            st = load_layer(&c, &net, k->layer, k->where_field, &lf);
            if (st == EXIT_OK && k->where_field && !keep_matching(&lf, k->where_value)) {
                st = fail(&c, "%s: no feature of %s with %s = %s", k->id, k->layer,
                          k->where_field, k->where_value);
                cor_features_free(&lf);
            } else if (st == EXIT_OK) {
                if (cor_overlay_distance(&lf, cd.xy, m, col, NULL, &err) != COR_OK)
                    st = fail(&c, "%s: %s", k->id, err.msg);
                for (size_t i = 0; i < m; i++)
                    col[i] = isfinite(col[i]) ? col[i] / 1000.0 : NAN; /* km */
                cor_features_free(&lf);
            }
        } else if (k->kind == K_FIELD) {
            if (is_grid)
                st = fail(&c, "%s: a field criterion needs point candidates, not a grid", k->id);
            for (size_t i = 0; st == EXIT_OK && i < m; i++)
                col[i] = cd.field[field_slot[j]][i];
        } else if (cor_raster_sample(k->path, cor_graph_crs(net.g), cd.xy, m, col, &err) !=
                   COR_OK) {
            st = fail(&c, "%s: %s", k->id, err.msg);
        }
        free(t);
        free(mass);
        if (st != EXIT_OK)
            goto out;
        for (size_t i = 0; i < m; i++)
            raw[i * n + j] = col[i];
    }
    if (!c.quiet)
        cli_progress(1.0, "criteria", &tick);
    /* 2. constraints and missing values: the first reason wins */
    char buf[256];
    for (size_t i = 0; i < m; i++)
        if (cd.anchor[i].node == COR_UNREACHABLE) {
            snprintf(buf, sizeof buf, "no road within %.0f km", max_snap_m / 1000);
            reason[i] = strdup(buf);
        }
    long *which = malloc((m + 1) * sizeof *which);
    for (size_t q = 0; which && q < d.n_cons; q++) {
        const constraint *k = &d.cons[q];
        if (k->kind == C_LIMIT) {
            for (size_t i = 0; i < m; i++) {
                double v = raw[i * n + (size_t)k->crit_index];
                if (!reason[i] && isfinite(v) && (v < k->min || v > k->max)) {
                    if (k->reason)
                        snprintf(buf, sizeof buf, "%s", k->reason);
                    else
                        snprintf(buf, sizeof buf, "%s = %.4g outside [%g, %g]", k->crit, v, k->min,
                                 k->max);
                    reason[i] = strdup(buf);
                }
            }
            continue;
        }
        cor_features lf;
        if (load_layer(&c, &net, k->layer, k->where_field, &lf) != EXIT_OK) {
            free(which);
            goto out;
        }
        if (k->where_field && !keep_matching(&lf, k->where_value)) {
            fail(&c, "constraint layer %s: no feature with %s = %s", k->layer, k->where_field,
                 k->where_value);
            cor_features_free(&lf);
            free(which);
            goto out;
        }
        cor_error err = COR_ERROR_INIT;
        cor_status st = cor_overlay_covering(&lf, cd.xy, m, which, &err);
        cor_features_free(&lf);
        if (st != COR_OK) {
            fail(&c, "constraint layer %s: %s", k->layer, err.msg);
            free(which);
            goto out;
        }
        for (size_t i = 0; i < m; i++) {
            int bad = k->kind == C_EXCLUDE_INSIDE ? which[i] >= 0 : which[i] < 0;
            if (!reason[i] && bad) {
                snprintf(buf, sizeof buf, "%s", k->reason ? k->reason
                                                : k->kind == C_EXCLUDE_INSIDE ? "inside an exclusion zone"
                                                                              : "outside the boundary");
                reason[i] = strdup(buf);
            }
        }
    }
    free(which);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n && !reason[i]; j++)
            if (!isfinite(raw[i * n + j])) {
                snprintf(buf, sizeof buf, "no value for %s%s", d.crit[j].id,
                         d.crit[j].kind == K_TIME_TO ? " (unreachable)" : "");
                reason[i] = strdup(buf);
            }
    size_t n_in = 0;
    for (size_t i = 0; i < m; i++) {
        excl[i] = reason[i] != NULL;
        n_in += !excl[i];
    }
    if (!n_in) {
        fail(&c, "all %zu candidates are excluded (first: %s: %s)", m, cd.label[0], reason[0]);
        goto out;
    }
    /* 3. scores over the candidates still in */
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < m; i++)
            col[i] = excl[i] ? NAN : raw[i * n + j];
        double *sc = malloc(m * sizeof *sc);
        cor_error err = COR_ERROR_INIT;
        if (!sc || cor_transform_apply(&d.crit[j].tf, col, m, sc, &err) != COR_OK) {
            free(sc);
            fail(&c, "%s: %s", d.crit[j].id, err.msg);
            goto out;
        }
        for (size_t i = 0; i < m; i++)
            score[i * n + j] = sc[i];
        free(sc);
    }
    /* 4. weights */
    cor_error err = COR_ERROR_INIT;
    if (d.weights == 0) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += w[j] = d.crit[j].weight;
        if (fabs(s - 1.0) > 1e-9) {
            if (strict) {
                fail(&c, "%s: the weights sum to %g, not 1 (--strict)", crit_path, s);
                goto out;
            }
            if (!c.quiet)
                fprintf(stderr, "%s: warning: the weights sum to %g; normalised to 1\n", c.prog, s);
        }
        if (cor_weights_normalise(w, n, &err) != COR_OK) {
            fail(&c, "%s: %s", crit_path, err.msg);
            goto out;
        }
    } else if (d.weights == 1) {
        if (cor_ahp(d.ahp, n, w, &ahp, &err) != COR_OK) {
            fail(&c, "%s: ahp: %s", crit_path, err.msg);
            goto out;
        }
        if (ahp.cr > 0.10 && !force) {
            fail(&c, "%s: ahp: the consistency ratio %.3f exceeds 0.10 (revise the judgements, "
                 "or --force)", crit_path, ahp.cr);
            goto out;
        }
    } else {
        double *in = malloc(n_in * n * sizeof *in);
        size_t r = 0;
        for (size_t i = 0; in && i < m; i++)
            if (!excl[i])
                memcpy(in + n * r++, score + n * i, n * sizeof *in);
        cor_status st = in ? cor_entropy_weights(in, n_in, n, w, &err)
                           : cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        free(in);
        if (st != COR_OK) {
            fail(&c, "%s: entropy weights: %s", crit_path, err.msg);
            goto out;
        }
    }
    /* 5. totals and ranks */
    cor_direction dir[16];
    for (size_t j = 0; j < n; j++)
        dir[j] = d.crit[j].dir;
    if (method == COR_METHOD_WLC)
        cor_wlc(score, m, n, w, total);
    else if (cor_topsis(raw, m, n, w, dir, total, &err) != COR_OK) {
        fail(&c, "%s", err.msg);
        goto out;
    }
    for (size_t i = 0; i < m; i++)
        if (excl[i])
            total[i] = NAN;
    if (method == COR_METHOD_TOPSIS) { /* TOPSIS over the candidates still in only */
        double *in = malloc(n_in * n * sizeof *in), *tt = malloc(n_in * sizeof *tt);
        size_t r = 0;
        for (size_t i = 0; in && tt && i < m; i++)
            if (!excl[i])
                memcpy(in + n * r++, raw + n * i, n * sizeof *in);
        if (!in || !tt || cor_topsis(in, n_in, n, w, dir, tt, &err) != COR_OK) {
            free(in);
            free(tt);
            fail(&c, "%s", err.msg[0] ? err.msg : "out of memory");
            goto out;
        }
        r = 0;
        for (size_t i = 0; i < m; i++)
            total[i] = excl[i] ? NAN : tt[r++];
        free(in);
        free(tt);
    }
    cor_rank(total, m, excl, rank);
    if (draws) {
        share = malloc(m * sizeof *share);
        rmin = malloc(m * sizeof *rmin);
        rmax = malloc(m * sizeof *rmax);
        cor_sensitivity_opts so = { (size_t)draws, spread, (size_t)top, seed };
        if (!share || !rmin || !rmax ||
            cor_sensitivity((cor_method)method, method == COR_METHOD_WLC ? score : raw, m, n, w,
                            dir, excl, &so, share, rmin, rmax, &err) != COR_OK) {
            fail(&c, "%s", err.msg[0] ? err.msg : "out of memory");
            goto out;
        }
    }
    /* 6. outputs */
    if (output && write_sites(&c, output, net.g, &d, &cd, raw, score, total, rank, reason, share,
                              rmin, rmax) != EXIT_OK)
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
            cd.grid.values[cd.cell[i]] = excl[i] ? NAN : (float)total[i];
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp%ld.tif", path, (long)getpid());
        if (cor_grid_write_geotiff(&cd.grid, cor_graph_crs(net.g), tmp, -9999.0f,
                                   "suitability", "score", &err) != COR_OK ||
            rename(tmp, path) != 0) {
            unlink(tmp);
            fail(&c, "%s: %s", path, err.msg[0] ? err.msg : "cannot write");
            goto out;
        }
        raster = NULL;
        if (!c.json && !c.quiet)
            printf("Wrote %s (suitability)\n", path);
    }
    /* the top sites, in rank order */
    size_t *order = malloc(m * sizeof *order), no_ = 0;
    for (int r = 1; order && r <= (int)m; r++)
        for (size_t i = 0; i < m && no_ < (size_t)top; i++)
            if (rank[i] == r)
                order[no_++] = i;
    size_t n_ex = m - n_in;
    if (c.json) {
        json_t *jw = json_array(), *js = json_array();
        for (size_t j = 0; j < n; j++)
            json_array_append_new(jw, json_pack("{s:s, s:f}", "id", d.crit[j].id, "weight", w[j]));
        for (size_t q = 0; q < no_; q++) {
            size_t i = order[q];
            json_t *contrib = json_object();
            json_t *rawv = json_object();
            for (size_t j = 0; j < n; j++) {
                json_object_set_new(contrib, d.crit[j].id,
                                    json_real(w[j] * score[i * n + j]));
                json_object_set_new(rawv, d.crit[j].id, json_real(raw[i * n + j]));
            }
            json_t *s = json_pack("{s:s, s:i, s:f, s:o, s:o}", "name", cd.label[i], "rank",
                                  rank[i], "total", total[i], "raw", rawv, "contributions",
                                  contrib);
            if (share)
                json_object_set_new(s, "sensitivity",
                                    json_pack("{s:f, s:i, s:i}", "top_share", share[i],
                                              "rank_min", rmin[i], "rank_max", rmax[i]));
            json_array_append_new(js, s);
        }
        json_t *doc = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "method",
                                method == COR_METHOD_WLC ? "wlc" : "topsis", "weights",
                                d.weights == 0 ? "direct" : d.weights == 1 ? "ahp" : "entropy",
                                "candidates", (json_int_t)m, "excluded", (json_int_t)n_ex,
                                "criteria", jw, "top", js);
        if (d.weights == 1)
            json_object_set_new(doc, "ahp", json_pack("{s:f, s:f, s:f}", "lambda_max",
                                                      ahp.lambda_max, "ci", ahp.ci, "cr", ahp.cr));
        cli_print_json(doc);
    } else {
        printf("%s: %zu candidates, %zu excluded; %s with %s weights\n",
               d.title ? d.title : crit_path, m, n_ex,
               method == COR_METHOD_WLC ? "weighted linear combination" : "TOPSIS",
               d.weights == 0 ? "direct" : d.weights == 1 ? "AHP" : "entropy");
        printf("  weights:");
        for (size_t j = 0; j < n; j++)
            printf(" %s %.3f", d.crit[j].id, w[j]);
        if (d.weights == 1)
            printf(" (lambda_max %.3f, CR %.3f)", ahp.lambda_max, ahp.cr);
        printf("\n");
        for (size_t q = 0; q < no_; q++) {
            size_t i = order[q];
            printf("  %3d. %-40s %.4f", rank[i], cd.label[i], total[i]);
            if (share)
                printf("  top-%ld in %.0f %% of draws, rank %d-%d", top, 100 * share[i], rmin[i],
                       rmax[i]);
            printf("\n");
            for (size_t j = 0; explain && j < n; j++)
                printf("         %-18s raw %10.4g  score %.3f  x weight %.3f = %.4f\n",
                       d.crit[j].id, raw[i * n + j], score[i * n + j], w[j],
                       w[j] * score[i * n + j]);
        }
        if (n_ex) {
            printf("  excluded:");
            /* count by reason */
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
    free(order);
    rc = EXIT_OK;
out:
    for (size_t i = 0; reason && i < m; i++)
        free(reason[i]);
    free(reason);
    free(raw);
    free(score);
    free(total);
    free(w);
    free(col);
    free(rank);
    free(excl);
    free(share);
    free(rmin);
    free(rmax);
    free((void *)chains);
    cor_features_free(&pf);
    candidates_free(&cd);
    json_decref(d.root);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
