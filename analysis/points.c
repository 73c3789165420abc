/* points.c: loading point sets (a place role, a layer of DATA or a file of points) with
 * labels and numeric fields, anchored on the network; moved from the CLI so that the site
 * evaluation and the service share it. */
#include "corridor/points.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Warnings about single points stop after this many; the rest are counted. */
#define MAX_POINT_WARNINGS 10

static const struct { const char *plural; cor_role role; } PLURALS[] = {
    { "cities", COR_ROLE_CITY }, { "ports", COR_ROLE_PORT }, { "airports", COR_ROLE_AIRPORT },
    { "stations", COR_ROLE_STATION }, { "parks", COR_ROLE_PARK },
};

static int has_layer(const cor_dataset *ds, const char *name)
{
    for (size_t i = 0, n = cor_dataset_layer_count(ds); i < n; i++) {
        cor_layer_info li;
        cor_dataset_layer_info(ds, i, &li);
        if (li.name && !strcmp(li.name, name))
            return 1;
    }
    return 0;
}

/* The place role spec names, or -1. Role names and the roles' layers come first, then the
 * other layers of DATA (a layer called "cities" that is not the city role stays a layer),
 * then the plural aliases. *is_layer is set for a plain layer of DATA. */
static int resolve_role(const cor_dataset *ds, const char *spec, int *is_layer)
{
    *is_layer = 0;
    int r = cor_role_from_name(spec);
    if (r >= 0 && cor_role_is_place((cor_role)r))
        return r;
    for (int k = 0; k < COR_ROLE_COUNT; k++) {
        const char *ln = cor_role_is_place((cor_role)k) ? cor_dataset_role_layer(ds, (cor_role)k)
                                                        : NULL;
        if (ln && !strcmp(ln, spec))
            return k;
    }
    if (has_layer(ds, spec)) {
        *is_layer = 1;
        return -1;
    }
    for (size_t k = 0; k < sizeof PLURALS / sizeof PLURALS[0]; k++)
        if (!strcmp(spec, PLURALS[k].plural))
            return (int)PLURALS[k].role;
    return -1;
}

void cor_points_free(cor_points *p)
{
    for (size_t i = 0; p->items && i < p->n; i++)
        free(p->items[i].label);
    free(p->items);
    memset(p, 0, sizeof *p);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The reader names a feature without any name "#<fid>". */
static int is_fid_placeholder(const char *name, int64_t fid)
{
    char buf[32];
    snprintf(buf, sizeof buf, "#%" PRId64, fid);
    return !strcmp(name, buf);
}

/* A label: the name, else the Chinese name, else the feature id. */
static char *make_label(const char *name, const char *name_zh, int64_t fid)
{
    if (*name && !is_fid_placeholder(name, fid))
        return dup_str(name);
    if (*name_zh)
        return dup_str(name_zh);
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, fid);
    return dup_str(buf);
}

typedef struct { int64_t fid; size_t at; } fid_at;

static int cmp_fid(const void *a, const void *b)
{
    int64_t x = ((const fid_at *)a)->fid, y = ((const fid_at *)b)->fid;
    return (x > y) - (x < y);
}

/* Reads field (of layer in path; layer NULL: the first) for every point by feature id,
 * through the point reader with the field as the name field, which fails when the field does
 * not exist. slot >= 0: into items[].field[slot] (NAN when unset or not a number); slot < 0:
 * the labels (the feature id when unset). A missing field fails, or when optional returns
 * COR_OK with *found = 0. */
static cor_status read_field(cor_dataset *ds, cor_error *perr, const char *opt,
                             const char *spec, const char *path, const char *layer,
                             const char *field, const char *fopt, cor_points *pts, int slot,
                             int optional, int *found)
{
    cor_error err = COR_ERROR_INIT;
    cor_places pl;
    cor_load_stats st;
    *found = 0;
    if (cor_dataset_load_point_file(ds, path, layer, field, &pl, &st, &err) != COR_OK) {
        if (err.code == COR_ERR_NOTFOUND && optional)
            return COR_OK;
        cor_error e2 = COR_ERROR_INIT;
        if (err.code == COR_ERR_NOTFOUND && layer)
            cor_error_set(&e2, err.code, "%s %s: layer '%s' (%s %s) has no field '%s'", fopt,
                          field, layer, opt, spec, field);
        else if (err.code == COR_ERR_NOTFOUND)
            cor_error_set(&e2, err.code, "%s %s: %s (%s) has no field '%s'", fopt, field, path,
                          opt, field);
        else
            cor_error_set(&e2, err.code, "%s %s: %s", fopt, field, err.msg);
        return cor_error_set(perr, e2.code, "%s", e2.msg);
    }
    fid_at *idx = malloc((pl.n + 1) * sizeof *idx);
    if (!idx) {
        cor_places_free(&pl);
        cor_error e2 = COR_ERROR_INIT;
        cor_error_set(&e2, COR_ERR_NOMEM, "out of memory");
        return cor_error_set(perr, e2.code, "%s", e2.msg);
    }
    *found = 1;
    for (size_t k = 0; k < pl.n; k++)
        idx[k] = (fid_at){ pl.items[k].fid, k };
    qsort(idx, pl.n, sizeof *idx, cmp_fid);
    cor_status rc = COR_OK;
    for (size_t i = 0; i < pts->n && rc == COR_OK; i++) {
        cor_point *p = &pts->items[i];
        fid_at key = { p->fid, 0 };
        const fid_at *hit = pl.n ? bsearch(&key, idx, pl.n, sizeof *idx, cmp_fid) : NULL;
        const char *v = hit ? pl.items[hit->at].name : "";
        if (hit && is_fid_placeholder(v, p->fid))
            v = ""; /* the field is unset for this feature */
        if (slot < 0) {
            char *label = *v ? dup_str(v) : make_label("", "", p->fid);
            if (!label) {
                cor_error e2 = COR_ERROR_INIT;
                cor_error_set(&e2, COR_ERR_NOMEM, "out of memory");
                rc = cor_error_set(perr, e2.code, "%s", e2.msg);
                break;
            }
            free(p->label);
            p->label = label;
        } else {
            char *end = NULL;
            double x = strtod(v, &end);
            p->field[slot] = *v && end != v && *end == '\0' && isfinite(x) ? x : NAN;
        }
    }
    free(idx);
    cor_places_free(&pl);
    return rc;
}

/* Graph places of role in their order; the network adds each role's places in the dataset's
 * order, so the k-th place of the role is the k-th dataset place. A name check guards this;
 * a mismatch falls back to the first unused graph place of that role and name. */
static uint32_t place_node(const cor_graph *g, cor_role role, const cor_place *pl, size_t k,
                           const size_t *role_idx, size_t n_role, unsigned char *used,
                           double *access_m)
{
    size_t hit = SIZE_MAX;
    if (k < n_role) {
        const cor_graph_place *gp = cor_graph_place_get(g, role_idx[k]);
        if (!strcmp(gp->name, pl->name) && !strcmp(gp->name_zh, pl->name_zh) && !used[k])
            hit = k;
    }
    for (size_t q = 0; hit == SIZE_MAX && q < n_role; q++) {
        const cor_graph_place *gp = cor_graph_place_get(g, role_idx[q]);
        if (!used[q] && gp->role == role && !strcmp(gp->name, pl->name) &&
            !strcmp(gp->name_zh, pl->name_zh))
            hit = q;
    }
    if (hit == SIZE_MAX)
        return COR_UNREACHABLE;
    used[hit] = 1;
    const cor_graph_place *gp = cor_graph_place_get(g, role_idx[hit]);
    *access_m = gp->access_m;
    return gp->node;
}

cor_status cor_points_load(cor_dataset *ds, const cor_engine *e, const char *spec,
                           const cor_points_opts *o, const cor_logger *lgp, cor_points *out,
                           cor_error *err)
{
    memset(out, 0, sizeof *out);
    out->role = -1;
    cor_logger lg = lgp ? *lgp : COR_LOGGER_NONE;
    cor_error le = COR_ERROR_INIT;
    int is_layer = 0;
    int role = resolve_role(ds, spec, &is_layer);
    const char *path = NULL, *layer = NULL;
    cor_status rc = COR_OK;
    size_t *role_idx = NULL;
    unsigned char *used = NULL;

    if (role >= 0) {
        const cor_places *pl = cor_dataset_places(ds, (cor_role)role, &le);
        if (!pl)
            return cor_error_set(err, le.code, "%s %s: %s", o->option, spec, le.msg);
        layer = cor_dataset_role_layer(ds, (cor_role)role);
        if (!pl->n || !layer)
            return cor_error_set(err, COR_ERR_INPUT, "%s %s: no points (%s)", o->option, spec,
                                 layer ? "the layer is empty"
                                       : "DATA has no layer for this role");
        path = cor_dataset_source(ds);
        out->role = role;
        const cor_graph *g = cor_engine_graph(e);
        size_t np = cor_graph_place_count(g), n_role = 0;
        role_idx = malloc((np + 1) * sizeof *role_idx);
        used = calloc(np + 1, 1);
        out->items = calloc(pl->n, sizeof *out->items);
        if (!role_idx || !used || !out->items) {
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < np; i++)
            if (cor_graph_place_get(g, i)->role == (cor_role)role)
                role_idx[n_role++] = i;
        size_t warned = 0, unjoined = 0;
        for (size_t k = 0; k < pl->n; k++) {
            const cor_place *p = &pl->items[k];
            cor_point *q = &out->items[out->n++];
            q->fid = p->fid;
            q->x_m = p->x_m;
            q->y_m = p->y_m;
            q->lon_deg = p->lon_deg;
            q->lat_deg = p->lat_deg;
            q->mass = p->mass;
            q->field[0] = q->field[1] = NAN;
            if (!(q->label = make_label(p->name, p->name_zh, p->fid))) {
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                goto done;
            }
            double access_m = NAN;
            uint32_t node = place_node(g, (cor_role)role, p, k, role_idx, n_role, used,
                                       &access_m);
            q->anchor = (cor_anchor){ node, 0, 0.0f };
            q->snap_m = 0;
            /* A place without an access link is an isolated node (stations may still be
             * on a rail line): keep it off the network. */
            if (node == COR_UNREACHABLE || (isnan(access_m) && role != COR_ROLE_STATION)) {
                q->anchor.node = COR_UNREACHABLE;
                q->snap_m = NAN;
                out->n_off++;
                if (warned++ < MAX_POINT_WARNINGS)
                    cor_log(&lg, COR_LOG_WARN, "%s %s: '%s' is not joined to the network "
                            "(no road within the access distance); left unreachable",
                            o->option, spec, q->label);
                else
                    unjoined++;
            }
        }
        if (unjoined)
            cor_log(&lg, COR_LOG_WARN, "%s %s: %zu more places not joined to the network",
                    o->option, spec, unjoined);
        if (out->n_off == out->n) {
            rc = cor_error_set(err, COR_ERR_INPUT, "%s %s: no place is joined to the network "
                               "(no road within the access distance of any)", o->option, spec);
            goto done;
        }
    } else {
        if (is_layer) {
            path = cor_dataset_source(ds);
            layer = spec;
        } else {
            struct stat sb;
            if (strncmp(spec, "PG:", 3) && strncmp(spec, "/vsi", 4) && stat(spec, &sb) != 0)
                return cor_error_set(err, COR_ERR_NOTFOUND,
                                     "%s %s: not a place role (cities, ports, airports, "
                                     "stations, parks), a layer of %s or a file: %s", o->option,
                                     spec, cor_dataset_source(ds), strerror(errno));
            path = spec;
        }
        cor_places pl;
        cor_load_stats st;
        if (cor_dataset_load_point_file(ds, path, layer, NULL, &pl, &st, &le) != COR_OK)
            return cor_error_set(err, le.code, "%s %s: %s", o->option, spec, le.msg);
        int64_t skipped = st.read - st.kept;
        if (skipped > 0)
            cor_log(&lg, COR_LOG_WARN, "%s %s: %lld of %lld features skipped (no geometry or "
                    "bad coordinates)", o->option, spec, (long long)skipped, (long long)st.read);
        out->items = calloc(pl.n + 1, sizeof *out->items);
        if (!out->items) {
            cor_places_free(&pl);
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
        for (size_t k = 0; k < pl.n; k++) {
            const cor_place *p = &pl.items[k];
            cor_point *q = &out->items[out->n++];
            q->fid = p->fid;
            q->x_m = p->x_m;
            q->y_m = p->y_m;
            q->lon_deg = p->lon_deg;
            q->lat_deg = p->lat_deg;
            q->mass = NAN;
            q->field[0] = q->field[1] = NAN;
            q->anchor.node = COR_UNREACHABLE;
            if (!(q->label = make_label(p->name, p->name_zh, p->fid))) {
                cor_places_free(&pl);
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
        cor_places_free(&pl);
        /* Snap every point to the nearest road node. */
        size_t warned = 0, far = 0;
        double nearest_far = INFINITY;
        const char *nearest_far_label = NULL;
        for (size_t i = 0; i < out->n; i++) {
            cor_point *q = &out->items[i];
            cor_error se = COR_ERROR_INIT;
            double snap = NAN;
            if (cor_engine_anchor_xy(e, q->x_m, q->y_m, o->max_snap_m, &q->anchor, &snap,
                                     &se) == COR_OK) {
                q->snap_m = snap;
                continue;
            }
            q->anchor = (cor_anchor){ COR_UNREACHABLE, 0, 0.0f };
            q->snap_m = snap;
            out->n_off++;
            if (snap < nearest_far) {
                nearest_far = snap;
                nearest_far_label = q->label;
            }
            if (warned++ < MAX_POINT_WARNINGS)
                cor_log(&lg, COR_LOG_WARN, "%s %s: '%s': %s; left unreachable", o->option,
                        spec, q->label, se.msg);
            else
                far++;
        }
        if (far)
            cor_log(&lg, COR_LOG_WARN, "%s %s: %zu more points too far from a road", o->option,
                    spec, far);
        if (out->n_off == out->n) {
            if (isfinite(nearest_far))
                rc = cor_error_set(err, COR_ERR_INPUT,
                                   "%s %s: no point is within %.1f km of a road (the closest, "
                                   "'%s', is %.1f km away; see --max-snap)", o->option, spec,
                                   o->max_snap_m / 1000.0, nearest_far_label,
                                   nearest_far / 1000.0);
            else
                rc = cor_error_set(err, COR_ERR_INPUT, "%s %s: no point can be snapped to the "
                                   "network", o->option, spec);
            goto done;
        }
    }
    /* Labels from --id-field, then the numeric fields. */
    int found = 0;
    if (o->id_field &&
        (rc = read_field(ds, err, o->option, spec, path, layer, o->id_field, "--id-field", out,
                         -1, o->id_optional, &out->id_found)) != COR_OK)
        goto done;
    for (int s = 0; s < COR_POINTS_MAX_FIELDS; s++)
        if (o->fields[s] &&
            (rc = read_field(ds, err, o->option, spec, path, layer, o->fields[s],
                             o->field_options[s] ? o->field_options[s] : "--field", out, s, 0,
                             &found)) != COR_OK)
            goto done;
done:
    free(role_idx);
    free(used);
    if (rc != COR_OK)
        cor_points_free(out);
    return rc;
}

