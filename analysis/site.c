/* site.c: site evaluation: the criteria document, candidates (points or a grid over a
 * boundary), criterion values on the network, constraints, scores, weights, WLC or TOPSIS
 * totals, ranks, contributions and the sensitivity analysis. Moved out of `corridor site` so
 * that the command and the service (POST /site/score) give the same answer. */
#include "corridor/site.h"
#include "corridor/overlay.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

struct cor_site_criteria {
    json_t *root;
    char *what;
    const char *title;
    int method;                 /* -1: not given */
    int weights;                /* 0 direct, 1 ahp, 2 entropy */
    double ahp[15 * 15];
    int mode;
    size_t n_crit, n_cons;
    criterion crit[15];
    constraint cons[32];
};
typedef struct cor_site_criteria criteria_doc;

/* A malformed criteria document (COR_ERR_CONFIG). */
static cor_status bad(cor_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cor_status bad(cor_error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cor_error_set(err, COR_ERR_CONFIG, "%s", msg);
}

static cor_status lonlat_of_dataset(double *xy, void *dataset, cor_error *err)
{
    return cor_dataset_lonlat_to_xy(dataset, xy, 1, err);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Parses the document d->root; every error names d->what and the JSON path. */
static cor_status parse_criteria(criteria_doc *d, cor_error *err)
{
    const char *path = d->what;
    d->method = -1;
    json_t *r = d->root, *v;
    if (!json_is_object(r))
        return bad(err, "%s: the top level must be an object", path);
    const char *key;
    json_object_foreach(r, key, v) {
        if (strcmp(key, "name") && strcmp(key, "description") && strcmp(key, "method") &&
            strcmp(key, "weights") && strcmp(key, "ahp") && strcmp(key, "mode") &&
            strcmp(key, "criteria") && strcmp(key, "constraints"))
            return bad(err, "%s: %s: unknown key", path, key);
    }
    d->title = json_string_value(json_object_get(r, "name"));
    if ((v = json_object_get(r, "method"))) {
        const char *m = json_string_value(v);
        d->method = m && !strcmp(m, "wlc") ? COR_METHOD_WLC
                    : m && !strcmp(m, "topsis") ? COR_METHOD_TOPSIS : -2;
        if (d->method == -2)
            return bad(err, "%s: method: must be \"wlc\" or \"topsis\"", path);
    }
    d->mode = COR_MODE_MULTI;
    if ((v = json_object_get(r, "mode")) &&
        (!json_is_string(v) || (d->mode = cor_mode_from_name(json_string_value(v))) < 0))
        return bad(err, "%s: mode: must be multi, road or rail", path);
    if ((v = json_object_get(r, "weights"))) {
        const char *w = json_string_value(v);
        d->weights = w && !strcmp(w, "direct") ? 0 : w && !strcmp(w, "ahp") ? 1
                     : w && !strcmp(w, "entropy") ? 2 : -1;
        if (d->weights < 0)
            return bad(err, "%s: weights: must be \"direct\", \"ahp\" or \"entropy\"", path);
    }
    json_t *cl = json_object_get(r, "criteria");
    if (!json_is_array(cl) || json_array_size(cl) < 1 || json_array_size(cl) > 15)
        return bad(err, "%s: criteria: must be an array of 1 to 15 criteria", path);
    size_t i;
    json_t *ce;
    json_array_foreach(cl, i, ce) {
        criterion *k = &d->crit[d->n_crit++];
        char p[64];
        snprintf(p, sizeof p, "criteria[%zu]", i);
        if (!json_is_object(ce))
            return bad(err, "%s: %s: must be an object", path, p);
        json_object_foreach(ce, key, v) {
            static const char *const KNOWN[] = { "id", "kind", "to", "minutes", "chain", "layer",
                                                 "where", "field", "path", "direction",
                                                 "transform", "weight", "note", NULL };
            int ok = 0;
            for (int q = 0; KNOWN[q]; q++)
                ok |= !strcmp(key, KNOWN[q]);
            if (!ok)
                return bad(err, "%s: %s.%s: unknown key", path, p, key);
        }
        const char *id = json_string_value(json_object_get(ce, "id"));
        const char *kind = json_string_value(json_object_get(ce, "kind"));
        if (!id || !*id || strlen(id) > 40)
            return bad(err, "%s: %s.id: a name of 1 to 40 characters is required", path, p);
        for (const char *q = id; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return bad(err, "%s: %s.id: '%s' may hold only a-z, 0-9 and _", path, p, id);
        for (size_t q = 0; q + 1 < d->n_crit; q++)
            if (!strcmp(d->crit[q].id, id))
                return bad(err, "%s: %s.id: '%s' is used twice", path, p, id);
        snprintf(k->id, sizeof k->id, "%s", id);
        k->kind = -1;
        for (int q = 0; kind && q < 6; q++)
            if (!strcmp(kind, KIND_NAMES[q]))
                k->kind = q;
        if (k->kind < 0)
            return bad(err, "%s: %s.kind: '%s' is not one of time_to, population_within, "
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
                return bad(err, "%s: %s.where: must be {\"FIELD\": \"VALUE\"}", path, p);
            json_object_foreach(wh, wk, wv2) {
                k->where_field = wk;
                k->where_value = json_string_value(wv2);
            }
            if (!k->where_value)
                return bad(err, "%s: %s.where: the value must be a string", path, p);
        }
        json_t *mv = json_object_get(ce, "minutes");
        k->minutes = json_is_number(mv) ? json_number_value(mv) : NAN;
        if ((k->kind == K_TIME_TO && !k->to) || (k->kind == K_DISTANCE_TO && !k->layer) ||
            (k->kind == K_FIELD && !k->field) || (k->kind == K_RASTER && !k->path))
            return bad(err, "%s: %s: kind %s needs \"%s\"", path, p, KIND_NAMES[k->kind],
                       k->kind == K_TIME_TO ? "to" : k->kind == K_DISTANCE_TO ? "layer"
                       : k->kind == K_FIELD ? "field" : "path");
        if ((k->kind == K_POP_WITHIN || k->kind == K_PARKS_WITHIN) &&
            !(k->minutes > 0 && k->minutes <= 1440))
            return bad(err, "%s: %s.minutes: must be a number in (0, 1440]", path, p);
        const char *dir = json_string_value(json_object_get(ce, "direction"));
        if (!dir || (strcmp(dir, "benefit") && strcmp(dir, "cost")))
            return bad(err, "%s: %s.direction: must be \"benefit\" or \"cost\"", path, p);
        k->dir = !strcmp(dir, "cost") ? COR_COST : COR_BENEFIT;
        json_t *tf = json_object_get(ce, "transform");
        k->tf = (cor_transform){ COR_TRANSFORM_LINEAR, k->dir, 0, k->px, k->ps };
        if (tf && !(json_is_string(tf) && !strcmp(json_string_value(tf), "linear"))) {
            json_t *pts = json_object_get(tf, "piecewise");
            if (!json_is_object(tf) || !json_is_array(pts) || json_array_size(pts) < 1 ||
                json_array_size(pts) > 16)
                return bad(err, "%s: %s.transform: \"linear\" or {\"piecewise\": [[x, score], "
                           "...]} with 1 to 16 points", path, p);
            size_t q;
            json_t *pt;
            json_array_foreach(pts, q, pt) {
                if (!json_is_array(pt) || json_array_size(pt) != 2 ||
                    !json_is_number(json_array_get(pt, 0)) ||
                    !json_is_number(json_array_get(pt, 1)))
                    return bad(err, "%s: %s.transform.piecewise[%zu]: must be [x, score]", path,
                               p, q);
                k->px[q] = json_number_value(json_array_get(pt, 0));
                k->ps[q] = json_number_value(json_array_get(pt, 1));
            }
            k->tf.kind = COR_TRANSFORM_PIECEWISE;
            k->tf.n_points = json_array_size(pts);
            cor_error e = COR_ERROR_INIT;
            double probe = 0, out;
            if (cor_transform_apply(&k->tf, &probe, 1, &out, &e) != COR_OK)
                return bad(err, "%s: %s.transform: %s", path, p, e.msg);
        }
        json_t *wv = json_object_get(ce, "weight");
        if (wv) {
            if (!json_is_number(wv) || !(json_number_value(wv) >= 0))
                return bad(err, "%s: %s.weight: must be a number >= 0", path, p);
            k->weight = json_number_value(wv);
            k->has_weight = 1;
        }
        if (d->weights == 0 && !k->has_weight)
            return bad(err, "%s: %s.weight: direct weights need a weight for every criterion",
                       path, p);
    }
    if (d->weights == 1) {
        json_t *a = json_object_get(r, "ahp");
        size_t n = d->n_crit;
        if (!json_is_array(a) || json_array_size(a) != n)
            return bad(err, "%s: ahp: must be a %zu x %zu matrix (criteria order)", path, n, n);
        for (size_t q = 0; q < n; q++) {
            json_t *row = json_array_get(a, q);
            if (!json_is_array(row) || json_array_size(row) != n)
                return bad(err, "%s: ahp[%zu]: must be a row of %zu numbers (the matrix is not "
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
                    return bad(err, "%s: ahp[%zu][%zu]: must be a number or a fraction \"a/b\"",
                               path, q, s);
                d->ahp[q * n + s] = a / b;
            }
        }
    }
    json_t *cs = json_object_get(r, "constraints");
    if (cs && !json_is_array(cs))
        return bad(err, "%s: constraints: must be an array", path);
    json_array_foreach(cs, i, ce) {
        if (d->n_cons == 32)
            return bad(err, "%s: constraints: at most 32", path);
        constraint *k = &d->cons[d->n_cons++];
        char p[64];
        snprintf(p, sizeof p, "constraints[%zu]", i);
        const char *kind = json_string_value(json_object_get(ce, "kind"));
        k->kind = kind && !strcmp(kind, "exclude_inside") ? C_EXCLUDE_INSIDE
                  : kind && !strcmp(kind, "inside") ? C_INSIDE
                  : kind && !strcmp(kind, "limit") ? C_LIMIT : -1;
        if (k->kind < 0)
            return bad(err, "%s: %s.kind: must be exclude_inside, inside or limit", path, p);
        k->layer = json_string_value(json_object_get(ce, "layer"));
        k->reason = json_string_value(json_object_get(ce, "reason"));
        k->crit = json_string_value(json_object_get(ce, "criterion"));
        json_t *wh = json_object_get(ce, "where");
        if (wh) {
            if (!json_is_object(wh) || json_object_size(wh) != 1)
                return bad(err, "%s: %s.where: must be {\"FIELD\": \"VALUE\"}", path, p);
            json_object_foreach(wh, key, v) {
                k->where_field = key;
                k->where_value = json_string_value(v);
            }
            if (!k->where_value)
                return bad(err, "%s: %s.where: the value must be a string", path, p);
        }
        json_t *mn = json_object_get(ce, "min"), *mx = json_object_get(ce, "max");
        k->min = json_is_number(mn) ? json_number_value(mn) : -INFINITY;
        k->max = json_is_number(mx) ? json_number_value(mx) : INFINITY;
        if (k->kind != C_LIMIT && !k->layer)
            return bad(err, "%s: %s.layer: required", path, p);
        if (k->kind == C_LIMIT) {
            k->crit_index = -1;
            for (size_t q = 0; k->crit && q < d->n_crit; q++)
                if (!strcmp(d->crit[q].id, k->crit))
                    k->crit_index = (int)q;
            if (k->crit_index < 0)
                return bad(err, "%s: %s.criterion: '%s' is not a criterion id", path, p,
                           k->crit ? k->crit : "");
            if (!mn && !mx)
                return bad(err, "%s: %s: a limit needs min or max", path, p);
        }
    }
    return COR_OK;
}

/* Takes a reference to root (already counted for the criteria); NULL on failure. */
static cor_site_criteria *criteria_new(json_t *root, const char *what, cor_error *err)
{
    cor_site_criteria *d = calloc(1, sizeof *d);
    if (!d || !(d->what = dup_str(what ? what : "criteria"))) {
        free(d);
        json_decref(root);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->root = root;
    if (parse_criteria(d, err) != COR_OK) {
        cor_site_criteria_destroy(d);
        return NULL;
    }
    return d;
}

cor_site_criteria *cor_site_criteria_load(const char *path, cor_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        cor_error_set(err, COR_ERR_IO, "%s: %s", path, je.text);
        return NULL;
    }
    return criteria_new(root, path, err);
}

cor_site_criteria *cor_site_criteria_from_json(json_t *doc, const char *what, cor_error *err)
{
    if (!doc) {
        bad(err, "%s: required", what ? what : "criteria");
        return NULL;
    }
    return criteria_new(json_incref(doc), what, err);
}

cor_site_criteria *cor_site_criteria_parse(const char *text, size_t len, const char *what,
                                           cor_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text ? text : "", text ? len : 0, 0, &je);
    if (!root) {
        bad(err, "%s: not JSON (line %d, column %d: %s)",
            what ? what : "criteria", je.line, je.column, je.text);
        return NULL;
    }
    return criteria_new(root, what, err);
}

void cor_site_criteria_destroy(cor_site_criteria *c)
{
    if (!c)
        return;
    json_decref(c->root);
    free(c->what);
    free(c);
}

size_t cor_site_criteria_count(const cor_site_criteria *c) { return c->n_crit; }
const char *cor_site_criteria_title(const cor_site_criteria *c) { return c->title; }
const char *cor_site_criteria_what(const cor_site_criteria *c) { return c->what; }
int cor_site_criteria_method(const cor_site_criteria *c) { return c->method; }
cor_site_weighting cor_site_criteria_weighting(const cor_site_criteria *c)
{
    return (cor_site_weighting)c->weights;
}
const char *cor_site_criterion_id(const cor_site_criteria *c, size_t j) { return c->crit[j].id; }
cor_site_kind cor_site_criterion_kind(const cor_site_criteria *c, size_t j)
{
    return (cor_site_kind)c->crit[j].kind;
}
const char *cor_site_criterion_field(const cor_site_criteria *c, size_t j)
{
    return c->crit[j].kind == K_FIELD ? c->crit[j].field : NULL;
}

cor_status cor_site_criteria_point_fields(const cor_site_criteria *c, cor_points_opts *po,
                                          cor_error *err)
{
    int nf = 0;
    for (size_t j = 0; j < c->n_crit; j++) {
        if (c->crit[j].kind != K_FIELD)
            continue;
        if (nf == COR_POINTS_MAX_FIELDS)
            return bad(err, "at most %d field criteria",
                       COR_POINTS_MAX_FIELDS);
        po->fields[nf] = c->crit[j].field;
        po->field_options[nf] = c->crit[j].id;
        nf++;
    }
    return COR_OK;
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

/* Holds (on 1) or lets go of (on 0) the caller's lock on the dataset, if it has one. */
static void ds_hold(const cor_site_opts *o, int on)
{
    if (o->dataset_lock)
        o->dataset_lock(o->dataset_lock_user, on);
}

/* A layer of DATA, or FILE, or FILE:LAYER: its features in the working CRS. */
static cor_status load_layer(cor_dataset *ds, const char *spec, const char *field,
                             int data_only, cor_features *out, cor_error *err)
{
    cor_error le = COR_ERROR_INIT;
    const char *fields[1] = { field };
    size_t nf = field ? 1 : 0;
    if (cor_dataset_read_layer(ds, spec, fields, nf, out, &le) == COR_OK)
        return COR_OK;
    if (data_only)
        return cor_error_set(err, COR_ERR_NOTFOUND, "%s: not a layer of the data (%s)", spec,
                             le.msg);
    /* not a layer of DATA: a file (with an optional ":LAYER") */
    char path[1024], *layer = NULL;
    snprintf(path, sizeof path, "%s", spec);
    char *colon = strrchr(path, ':');
    if (colon && access(path, R_OK) != 0) {
        *colon = '\0';
        layer = colon + 1;
    }
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    oo.crs = cor_dataset_working_crs(ds);
    cor_error e2 = COR_ERROR_INIT;
    cor_dataset *other = cor_dataset_open(path, &oo, &e2);
    if (!other)
        return cor_error_set(err, COR_ERR_NOTFOUND, "%s: not a layer of %s, nor a readable "
                             "file (%s)", spec, cor_dataset_source(ds), e2.msg);
    cor_layer_info li;
    if (!layer) {
        cor_dataset_layer_info(other, 0, &li);
        layer = (char *)li.name;
    }
    e2 = COR_ERROR_INIT;
    cor_status rc = cor_dataset_read_layer(other, layer, fields, nf, out, &e2) == COR_OK
                        ? COR_OK : cor_error_set(err, e2.code, "%s", e2.msg);
    cor_dataset_close(other);
    return rc;
}

/* Anchors of every graph place of a role (or the HSR stations), or of one named place. */
static cor_status targets_of(cor_dataset *ds, const cor_engine *e, const cor_site_opts *o,
                             const char *to, cor_anchor **out, size_t *n, double **mass,
                             const char **chain_values, const char *chain, cor_error *err)
{
    static const struct { const char *name; cor_role role; } SETS[] = {
        { "ports", COR_ROLE_PORT }, { "airports", COR_ROLE_AIRPORT },
        { "stations", COR_ROLE_STATION }, { "hsr_stations", COR_ROLE_STATION },
        { "cities", COR_ROLE_CITY }, { "parks", COR_ROLE_PARK },
    };
    const cor_graph *g = cor_engine_graph(e);
    size_t np = cor_graph_place_count(g);
    *out = calloc(np + 1, sizeof **out);
    if (mass)
        *mass = calloc(np + 1, sizeof **mass);
    if (!*out || (mass && !*mass))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    *n = 0;
    int set = -1;
    for (int s = 0; s < 6; s++)
        if (!strcmp(to, SETS[s].name))
            set = s;
    if (set < 0) { /* one place */
        cor_location loc;
        cor_error le = COR_ERROR_INIT;
        cor_lonlat_fn fn = o->lonlat ? o->lonlat : lonlat_of_dataset;
        if (cor_engine_locate(e, to, 20000, fn, o->lonlat ? o->lonlat_user : (void *)ds, &loc,
                              &le) != COR_OK)
            return cor_error_set(err, le.code, "criterion target: %s", le.msg);
        (*out)[(*n)++] = loc.anchor;
        return COR_OK;
    }
    cor_csr csr;
    cor_graph_csr(g, &csr);
    const cor_places *cities = cor_dataset_places(ds, COR_ROLE_CITY, NULL);
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->role != SETS[set].role || p->node == COR_UNREACHABLE || !p->in_main_component)
            continue;
        if (set == 3) { /* boards a high-speed train */
            int hs = 0;
            for (uint64_t x = csr.first_out[p->node]; x < csr.first_out[p->node + 1] && !hs; x++) {
                if ((csr.kind[x] & 15) != COR_EDGE_BOARD)
                    continue;
                uint32_t r = csr.head[x];
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
        return cor_error_set(err, COR_ERR_NOTFOUND, "criterion target '%s'%s%s: no such places "
                             "on the network", to, chain ? " of chain " : "", chain ? chain : "");
    return COR_OK;
}

/* Chain values of the parks, by graph place index (NULL where none). */
static const char **park_chains(cor_dataset *ds, const cor_engine *e, cor_features *pf)
{
    const char *layer = cor_dataset_role_layer(ds, COR_ROLE_PARK);
    const char *fields[] = { "chain" };
    size_t np = cor_graph_place_count(cor_engine_graph(e));
    const char **v = calloc(np + 1, sizeof *v);
    if (!v || !layer || cor_dataset_read_layer(ds, layer, fields, 1, pf, NULL) != COR_OK)
        return v;
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(cor_engine_graph(e), i);
        if (p->role != COR_ROLE_PARK)
            continue;
        for (size_t k = 0; k < pf->n; k++)
            if (pf->fid[k] == p->fid)
                v[i] = pf->values[k];
    }
    return v;
}

/* ---- candidates --------------------------------------------------------------------------- */
void cor_site_candidates_free(cor_site_candidates *cd)
{
    for (size_t i = 0; cd->label && i < cd->n; i++)
        free(cd->label[i]);
    free(cd->label);
    free(cd->xy);
    free(cd->anchor);
    for (int k = 0; k < COR_POINTS_MAX_FIELDS; k++)
        free(cd->field[k]);
    free(cd->grid.values);
    free(cd->cell);
    memset(cd, 0, sizeof *cd);
}

cor_status cor_site_candidates_from_points(const cor_points *p, cor_site_candidates *cd,
                                           cor_error *err)
{
    memset(cd, 0, sizeof *cd);
    cd->label = calloc(p->n + 1, sizeof *cd->label);
    cd->xy = malloc(2 * (p->n + 1) * sizeof *cd->xy);
    cd->anchor = malloc((p->n + 1) * sizeof *cd->anchor);
    for (int k = 0; k < COR_POINTS_MAX_FIELDS; k++)
        cd->field[k] = malloc((p->n + 1) * sizeof(double));
    if (!cd->label || !cd->xy || !cd->anchor || !cd->field[0] || !cd->field[1])
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    cd->n = p->n;
    for (size_t i = 0; i < p->n; i++) {
        if (!(cd->label[i] = dup_str(p->items[i].label)))
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        cd->xy[2 * i] = p->items[i].x_m;
        cd->xy[2 * i + 1] = p->items[i].y_m;
        cd->anchor[i] = p->items[i].anchor;
        for (int k = 0; k < COR_POINTS_MAX_FIELDS; k++)
            cd->field[k][i] = p->items[i].field[k];
    }
    return COR_OK;
}

/* The boundary named NAME in the provinces, prefectures or districts layer. */
static cor_status find_boundary(cor_dataset *ds, const char *name, cor_features *out,
                                size_t *index, cor_error *err)
{
    static const char *const LAYERS[] = { "provinces", "prefectures", "districts" };
    const char *fields[] = { "name", "name_zh" };
    for (int l = 0; l < 3; l++) {
        cor_features f;
        if (cor_dataset_read_layer(ds, LAYERS[l], fields, 2, &f, NULL) != COR_OK)
            continue;
        for (size_t i = 0; i < f.n; i++) {
            const char *a = f.values[2 * i], *b = f.values[2 * i + 1];
            size_t nl = strlen(name);
            /* 河北 matches 河北省, Baoding matches Baoding */
            if ((a && !strcasecmp(a, name)) || (b && !strcmp(b, name)) ||
                (b && !strncmp(b, name, nl) && (!strcmp(b + nl, "省") || !strcmp(b + nl, "市")))) {
                *out = f;
                *index = i;
                return COR_OK;
            }
        }
        cor_features_free(&f);
    }
    return cor_error_set(err, COR_ERR_NOTFOUND, "--within %s: no province, prefecture or "
                         "district of that name", name);
}

cor_status cor_site_candidates_grid(cor_dataset *ds, const cor_engine *e, double cell_m,
                                    const char *within, double max_snap_m, size_t max_cells,
                                    cor_site_candidates *cd, cor_error *err)
{
    memset(cd, 0, sizeof *cd);
    if (!max_cells)
        max_cells = 2000000;
    if (!(cell_m > 0))
        return bad(err, "grid: the cell size must be positive");
    cor_features b;
    size_t bi = 0;
    if (find_boundary(ds, within, &b, &bi, err) != COR_OK)
        return err ? err->code : COR_ERR_NOTFOUND;
    cor_error le = COR_ERROR_INIT;
    cor_bbox bb;
    if (cor_wkb_bounds(b.wkb[bi], b.wkb_len[bi], &bb, &le) != COR_OK) {
        cor_features_free(&b);
        return cor_error_set(err, le.code, "--within %s: %s", within, le.msg);
    }
    size_t nx = (size_t)ceil((bb.max_x - bb.min_x) / cell_m),
           ny = (size_t)ceil((bb.max_y - bb.min_y) / cell_m);
    if (nx * ny > max_cells) {
        cor_features_free(&b);
        if (max_cells == 2000000)
            return cor_error_set(err, COR_ERR_INPUT, "grid:%.0fm over %s has %zu cells (limit "
                                 "2,000,000): use a larger size", cell_m, within, nx * ny);
        return cor_error_set(err, COR_ERR_INPUT, "grid:%.0fm over %s has %zu cells (limit %zu): "
                             "use a larger size", cell_m, within, nx * ny, max_cells);
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
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
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
    cor_status st = cor_overlay_covering(&one, xy, nx * ny, which, &le);
    cor_features_free(&b);
    if (st != COR_OK) {
        free(xy);
        free(which);
        return cor_error_set(err, st, "--within %s: %s", within, le.msg);
    }
    size_t n = 0;
    for (size_t k = 0; k < nx * ny; k++)
        n += which[k] == 0;
    cd->label = calloc(n + 1, sizeof *cd->label);
    cd->xy = malloc(2 * (n + 1) * sizeof *cd->xy);
    cd->anchor = malloc((n + 1) * sizeof *cd->anchor);
    cd->cell = malloc((n + 1) * sizeof *cd->cell);
    if (!cd->label || !cd->xy || !cd->anchor || !cd->cell) {
        free(xy);
        free(which);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    cd->n = n;
    size_t i = 0;
    for (size_t k = 0; k < nx * ny; k++) {
        if (which[k] != 0)
            continue;
        char lab[48];
        snprintf(lab, sizeof lab, "cell %zu,%zu", k / nx, k % nx);
        cd->label[i] = dup_str(lab);
        cd->xy[2 * i] = xy[2 * k];
        cd->xy[2 * i + 1] = xy[2 * k + 1];
        cd->cell[i] = k;
        cor_error se = COR_ERROR_INIT;
        double snap;
        if (cor_engine_anchor_xy(e, xy[2 * k], xy[2 * k + 1], max_snap_m, &cd->anchor[i],
                                 &snap, &se) != COR_OK)
            cd->anchor[i].node = COR_UNREACHABLE;
        i++;
    }
    free(xy);
    free(which);
    for (size_t k = 0; k < n; k++)
        if (!cd->label[k])
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    return COR_OK;
}

/* ---- evaluation --------------------------------------------------------------------------- */
/* Minutes from every candidate to the nearest target (NAN when none is reachable), or the
 * mass of the targets within within_min (a count with mass NULL). */
static cor_status reach(const cor_engine *e, const cor_site_opts *o, int mode,
                        const cor_site_candidates *cd, const cor_anchor *t, size_t nt,
                        const double *mass, double within_min, double *out, cor_error *err)
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
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = (cor_mode)mode;
    mo.threads = o->threads;
    mo.progress = o->cancel;
    mo.progress_user = o->cancel_user;
    if (within_min > 0)
        mo.max_ms = (uint32_t)(within_min * 60000.0);
    cor_error le = COR_ERROR_INIT;
    if (cor_matrix_compute(e, on, m, t, nt, &mo, tm, NULL, &le) != COR_OK) {
        free(on);
        free(idx);
        free(tm);
        return cor_error_set(err, le.code, "%s", le.msg);
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
    return COR_OK;
}

void cor_site_result_free(cor_site_result *r)
{
    for (size_t i = 0; r->reason && i < r->m; i++)
        free(r->reason[i]);
    free(r->reason);
    free(r->raw);
    free(r->score);
    free(r->contribution);
    free(r->weight);
    free(r->total);
    free(r->rank);
    free(r->order);
    free(r->top_share);
    free(r->rank_min);
    free(r->rank_max);
    memset(r, 0, sizeof *r);
}

/* Sets reason i (the first one wins); 0 when out of memory. */
static int set_reason(cor_site_result *r, size_t i, const char *text)
{
    if (r->reason[i])
        return 1;
    return (r->reason[i] = dup_str(text)) != NULL;
}

/* 1. raw values, one criterion at a time */
static cor_status raw_values(cor_dataset *ds, const cor_engine *e, const criteria_doc *d,
                             const cor_site_candidates *cd, const cor_site_opts *o,
                             double *raw, cor_error *err)
{
    size_t m = cd->n, n = d->n_crit;
    double *col = malloc((m + 1) * sizeof *col);
    const char **chains = NULL;
    cor_features pf;
    memset(&pf, 0, sizeof pf);
    cor_status st = col ? COR_OK : cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    int field_slot = 0;
    for (size_t j = 0; st == COR_OK && j < n; j++) {
        const criterion *k = &d->crit[j];
        if (o->progress)
            o->progress((double)j / (double)n, k->id, o->progress_user);
        cor_anchor *t = NULL;
        double *mass = NULL;
        size_t nt = 0;
        cor_error le = COR_ERROR_INIT;
        if (k->kind == K_TIME_TO || k->kind == K_POP_WITHIN || k->kind == K_PARKS_WITHIN) {
            const char *to = k->kind == K_TIME_TO ? k->to
                             : k->kind == K_POP_WITHIN ? "cities" : "parks";
            ds_hold(o, 1);
            if (k->kind == K_PARKS_WITHIN && k->chain && !chains)
                chains = park_chains(ds, e, &pf);
            st = targets_of(ds, e, o, to, &t, &nt, k->kind == K_POP_WITHIN ? &mass : NULL,
                            chains, k->kind == K_PARKS_WITHIN ? k->chain : NULL, err);
            ds_hold(o, 0);
            if (st == COR_OK)
                st = reach(e, o, d->mode, cd, t, nt, mass, k->kind == K_TIME_TO ? 0 : k->minutes,
                           col, err);
        } else if (k->kind == K_DISTANCE_TO) {
            cor_features lf;
            ds_hold(o, 1);
            st = load_layer(ds, k->layer, k->where_field, o->data_only, &lf, err);
            ds_hold(o, 0);
            if (st == COR_OK && k->where_field && !keep_matching(&lf, k->where_value)) {
                st = cor_error_set(err, COR_ERR_NOTFOUND, "%s: no feature of %s with %s = %s",
                                   k->id, k->layer, k->where_field, k->where_value);
                cor_features_free(&lf);
            } else if (st == COR_OK) {
                if (cor_overlay_distance(&lf, cd->xy, m, col, NULL, &le) != COR_OK)
                    st = cor_error_set(err, le.code, "%s: %s", k->id, le.msg);
                for (size_t i = 0; i < m; i++)
                    col[i] = isfinite(col[i]) ? col[i] / 1000.0 : NAN; /* km */
                cor_features_free(&lf);
            }
        } else if (k->kind == K_FIELD) {
            int slot = field_slot++;
            if (cd->is_grid)
                st = bad(err, "%s: a field criterion needs point "
                         "candidates, not a grid", k->id);
            else if (slot >= COR_POINTS_MAX_FIELDS || !cd->field[slot])
                st = bad(err, "%s: the candidates carry no field %s",
                         k->id, k->field);
            for (size_t i = 0; st == COR_OK && i < m; i++)
                col[i] = cd->field[slot][i];
        } else if (o->data_only) {
            st = cor_error_set(err, COR_ERR_NOTFOUND, "%s: raster criteria read files, which "
                               "this service does not do", k->id);
        } else if (cor_raster_sample(k->path, cor_graph_crs(cor_engine_graph(e)), cd->xy, m, col,
                                     &le) != COR_OK) {
            st = cor_error_set(err, le.code, "%s: %s", k->id, le.msg);
        }
        free(t);
        free(mass);
        for (size_t i = 0; st == COR_OK && i < m; i++)
            raw[i * n + j] = col[i];
    }
    if (st == COR_OK && o->progress)
        o->progress(1.0, "criteria", o->progress_user);
    free(col);
    free((void *)chains);
    cor_features_free(&pf);
    return st;
}

/* 2. constraints and missing values: the first reason wins */
static cor_status exclusions(cor_dataset *ds, const criteria_doc *d, const cor_site_candidates *cd,
                             const cor_site_opts *o, cor_site_result *r, cor_error *err)
{
    size_t m = cd->n, n = d->n_crit;
    const double *raw = r->raw;
    char buf[256];
    for (size_t i = 0; i < m; i++)
        if (cd->anchor[i].node == COR_UNREACHABLE) {
            snprintf(buf, sizeof buf, "no road within %.0f km", o->max_snap_m / 1000);
            if (!set_reason(r, i, buf))
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    long *which = malloc((m + 1) * sizeof *which);
    if (!which)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    for (size_t q = 0; q < d->n_cons; q++) {
        const constraint *k = &d->cons[q];
        if (k->kind == C_LIMIT) {
            for (size_t i = 0; i < m; i++) {
                double v = raw[i * n + (size_t)k->crit_index];
                if (!r->reason[i] && isfinite(v) && (v < k->min || v > k->max)) {
                    if (k->reason)
                        snprintf(buf, sizeof buf, "%s", k->reason);
                    else
                        snprintf(buf, sizeof buf, "%s = %.4g outside [%g, %g]", k->crit, v,
                                 k->min, k->max);
                    if (!set_reason(r, i, buf)) {
                        free(which);
                        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                    }
                }
            }
            continue;
        }
        cor_features lf;
        ds_hold(o, 1);
        cor_status lst = load_layer(ds, k->layer, k->where_field, o->data_only, &lf, err);
        ds_hold(o, 0);
        if (lst != COR_OK) {
            free(which);
            return lst;
        }
        if (k->where_field && !keep_matching(&lf, k->where_value)) {
            cor_features_free(&lf);
            free(which);
            return cor_error_set(err, COR_ERR_NOTFOUND, "constraint layer %s: no feature with "
                                 "%s = %s", k->layer, k->where_field, k->where_value);
        }
        cor_error le = COR_ERROR_INIT;
        cor_status st = cor_overlay_covering(&lf, cd->xy, m, which, &le);
        cor_features_free(&lf);
        if (st != COR_OK) {
            free(which);
            return cor_error_set(err, st, "constraint layer %s: %s", k->layer, le.msg);
        }
        for (size_t i = 0; i < m; i++) {
            int bad = k->kind == C_EXCLUDE_INSIDE ? which[i] >= 0 : which[i] < 0;
            if (!r->reason[i] && bad &&
                !set_reason(r, i, k->reason ? k->reason
                                  : k->kind == C_EXCLUDE_INSIDE ? "inside an exclusion zone"
                                                                : "outside the boundary")) {
                free(which);
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            }
        }
    }
    free(which);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n && !r->reason[i]; j++)
            if (!isfinite(raw[i * n + j])) {
                snprintf(buf, sizeof buf, "no value for %s%s", d->crit[j].id,
                         d->crit[j].kind == K_TIME_TO ? " (unreachable)" : "");
                if (!set_reason(r, i, buf))
                    return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            }
    return COR_OK;
}

/* 4. weights */
static cor_status weights(const criteria_doc *d, const cor_site_opts *o, const uint8_t *excl,
                          size_t n_in, cor_site_result *r, cor_error *err)
{
    size_t m = r->m, n = r->n;
    double *w = r->weight;
    cor_error le = COR_ERROR_INIT;
    const char *what = d->what;
    if (d->weights == 0) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += w[j] = d->crit[j].weight;
        r->weights_sum = s;
        if (fabs(s - 1.0) > 1e-9 && o->strict)
            return bad(err, "%s: the weights sum to %g, not 1 "
                       "(--strict)", what, s);
        if (cor_weights_normalise(w, n, &le) != COR_OK)
            return cor_error_set(err, le.code, "%s: %s", what, le.msg);
    } else if (d->weights == 1) {
        r->weights_sum = 1;
        if (cor_ahp(d->ahp, n, w, &r->ahp, &le) != COR_OK)
            return cor_error_set(err, le.code, "%s: ahp: %s", what, le.msg);
        if (r->ahp.cr > 0.10 && !o->force)
            return bad(err, "%s: ahp: the consistency ratio %.3f "
                       "exceeds 0.10 (revise the judgements, or --force)", what,
                       r->ahp.cr);
    } else {
        r->weights_sum = 1;
        double *in = malloc((n_in * n + 1) * sizeof *in);
        size_t q = 0;
        for (size_t i = 0; in && i < m; i++)
            if (!excl[i])
                memcpy(in + n * q++, r->score + n * i, n * sizeof *in);
        cor_status st = in ? cor_entropy_weights(in, n_in, n, w, &le)
                           : cor_error_set(&le, COR_ERR_NOMEM, "out of memory");
        free(in);
        if (st != COR_OK)
            return cor_error_set(err, st, "%s: entropy weights: %s", what, le.msg);
    }
    return COR_OK;
}

cor_status cor_site_evaluate(cor_dataset *ds, const cor_engine *e, const cor_site_criteria *d,
                             const cor_site_candidates *cd, const cor_site_opts *opts,
                             cor_site_result *r, cor_error *err)
{
    cor_site_opts o = opts ? *opts : COR_SITE_OPTS_DEFAULT;
    memset(r, 0, sizeof *r);
    r->weights_sum = NAN;
    size_t m = cd->n, n = d->n_crit;
    if (!m)
        return cor_error_set(err, COR_ERR_INPUT, "no candidates");
    r->m = m;
    r->n = n;
    r->method = (cor_method)(o.method >= 0 ? o.method : d->method >= 0 ? d->method
                                                                       : COR_METHOD_WLC);
    r->weighting = (cor_site_weighting)d->weights;
    r->raw = malloc(m * n * sizeof *r->raw);
    r->score = malloc(m * n * sizeof *r->score);
    r->contribution = malloc(m * n * sizeof *r->contribution);
    r->weight = malloc(n * sizeof *r->weight);
    r->total = malloc(m * sizeof *r->total);
    r->rank = malloc(m * sizeof *r->rank);
    r->reason = calloc(m, sizeof *r->reason);
    r->order = malloc(m * sizeof *r->order);
    uint8_t *excl = calloc(m, 1);
    double *col = malloc(m * sizeof *col), *sc = malloc(m * sizeof *sc);
    cor_status st = COR_OK;
    if (!r->raw || !r->score || !r->contribution || !r->weight || !r->total || !r->rank ||
        !r->reason || !r->order || !excl || !col || !sc) {
        st = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* 1. raw values; 2. exclusions */
    if ((st = raw_values(ds, e, d, cd, &o, r->raw, err)) != COR_OK ||
        (st = exclusions(ds, d, cd, &o, r, err)) != COR_OK)
        goto out;
    size_t n_in = 0;
    for (size_t i = 0; i < m; i++) {
        excl[i] = r->reason[i] != NULL;
        n_in += !excl[i];
    }
    r->n_excluded = m - n_in;
    if (!n_in) {
        st = cor_error_set(err, COR_ERR_INPUT, "all %zu candidates are excluded (first: %s: %s)",
                           m, cd->label[0], r->reason[0]);
        goto out;
    }
    /* 3. scores over the candidates still in */
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < m; i++)
            col[i] = excl[i] ? NAN : r->raw[i * n + j];
        cor_error le = COR_ERROR_INIT;
        if (cor_transform_apply(&d->crit[j].tf, col, m, sc, &le) != COR_OK) {
            st = cor_error_set(err, le.code, "%s: %s", d->crit[j].id, le.msg);
            goto out;
        }
        for (size_t i = 0; i < m; i++)
            r->score[i * n + j] = sc[i];
    }
    /* 4. weights */
    if ((st = weights(d, &o, excl, n_in, r, err)) != COR_OK)
        goto out;
    /* 5. totals (TOPSIS over the candidates still in only) and ranks */
    cor_direction dir[COR_SITE_MAX_CRITERIA + 1];
    for (size_t j = 0; j < n; j++)
        dir[j] = d->crit[j].dir;
    cor_error le = COR_ERROR_INIT;
    if (r->method == COR_METHOD_WLC) {
        cor_wlc(r->score, m, n, r->weight, r->total);
        for (size_t i = 0; i < m; i++)
            if (excl[i])
                r->total[i] = NAN;
    } else {
        double *in = malloc(n_in * n * sizeof *in), *tt = malloc(n_in * sizeof *tt);
        size_t q = 0;
        for (size_t i = 0; in && tt && i < m; i++)
            if (!excl[i])
                memcpy(in + n * q++, r->raw + n * i, n * sizeof *in);
        if (!in || !tt || cor_topsis(in, n_in, n, r->weight, dir, tt, &le) != COR_OK) {
            free(in);
            free(tt);
            st = cor_error_set(err, le.code ? le.code : COR_ERR_NOMEM, "%s",
                               le.msg[0] ? le.msg : "out of memory");
            goto out;
        }
        q = 0;
        for (size_t i = 0; i < m; i++)
            r->total[i] = excl[i] ? NAN : tt[q++];
        free(in);
        free(tt);
    }
    cor_rank(r->total, m, excl, r->rank);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            r->contribution[i * n + j] = r->weight[j] * r->score[i * n + j];
    /* the candidates in, by rank (ties in input order): a counting sort on the ranks */
    {
        size_t *start = calloc(m + 2, sizeof *start);
        if (!start) {
            st = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < m; i++)
            if (r->rank[i] > 0)
                start[r->rank[i] + 1]++;
        for (size_t k = 1; k <= m + 1; k++)
            start[k] += start[k - 1];
        for (size_t i = 0; i < m; i++)
            if (r->rank[i] > 0)
                r->order[start[r->rank[i]]++] = i;
        free(start);
    }
    if (o.sensitivity_draws) {
        r->top_share = malloc(m * sizeof *r->top_share);
        r->rank_min = malloc(m * sizeof *r->rank_min);
        r->rank_max = malloc(m * sizeof *r->rank_max);
        cor_sensitivity_opts so = { o.sensitivity_draws, o.spread, o.top_k, o.seed };
        if (!r->top_share || !r->rank_min || !r->rank_max ||
            cor_sensitivity(r->method, r->method == COR_METHOD_WLC ? r->score : r->raw, m, n,
                            r->weight, dir, excl, &so, r->top_share, r->rank_min, r->rank_max,
                            &le) != COR_OK) {
            st = cor_error_set(err, le.code ? le.code : COR_ERR_NOMEM, "%s",
                               le.msg[0] ? le.msg : "out of memory");
            goto out;
        }
    }
out:
    free(excl);
    free(col);
    free(sc);
    return st;
}
