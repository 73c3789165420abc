/* dataset.c: a source with its layers mapped to roles, the working CRS, and cached loads. */
#include "internal.h"

#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cor_dataset {
    char *source;
    cor_src *src;
    const cor_config *cfg;
    cor_logger log;
    char *working_crs;
    /* working CRS <-> EPSG:4326 lon/lat, made on first use (each is a PROJ database search of
     * some 50 ms that a network build never needs); ll_mu guards the making */
    cor_xform *to_ll, *from_ll;
    pthread_mutex_t ll_mu;
    cor_bbox extent_ll;
    int has_extent;
    int role_layer[COR_ROLE_COUNT];      /* layer index or -1 */
    cor_role_spec spec[COR_ROLE_COUNT];
    int loaded[COR_ROLE_COUNT];
    cor_lines lines[COR_ROLE_COUNT];
    cor_places places[COR_ROLE_COUNT];
    cor_polygons polys[COR_ROLE_COUNT];
    cor_load_stats stats[COR_ROLE_COUNT];
};

void cor_lines_free(cor_lines *l)
{
    if (!l)
        return;
    free(l->start);
    free(l->xy);
    free(l->cls);
    free(l->speed_kmh);
    free(l->fid);
    memset(l, 0, sizeof *l);
}

void cor_places_free(cor_places *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        free(p->items[i].name_zh);
        free(p->items[i].kind);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

void cor_polygons_free(cor_polygons *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->wkb[i]);
        free(p->name[i]);
    }
    free(p->wkb);
    free(p->wkb_len);
    free(p->name);
    memset(p, 0, sizeof *p);
}

void cor_dataset_close(cor_dataset *ds)
{
    if (!ds)
        return;
    for (int r = 0; r < COR_ROLE_COUNT; r++) {
        cor_lines_free(&ds->lines[r]);
        cor_places_free(&ds->places[r]);
        cor_polygons_free(&ds->polys[r]);
    }
    cor_xform_destroy(ds->to_ll);
    cor_xform_destroy(ds->from_ll);
    pthread_mutex_destroy(&ds->ll_mu);
    cor_src_close(ds->src);
    free(ds->working_crs);
    free(ds->source);
    free(ds);
}

/* The working CRS -> lon/lat transform (to_lonlat) or its inverse, made on first use; NULL
 * with err set when PROJ has none. The dataset is const to its users: this is a cache. */
static cor_xform *lonlat_xform(const cor_dataset *cds, int to_lonlat, cor_error *err)
{
    cor_dataset *ds = (cor_dataset *)cds;
    pthread_mutex_lock(&ds->ll_mu);
    cor_xform **slot = to_lonlat ? &ds->to_ll : &ds->from_ll;
    if (!*slot)
        *slot = to_lonlat ? cor_xform_create(ds->working_crs, "EPSG:4326", err)
                          : cor_xform_create("EPSG:4326", ds->working_crs, err);
    cor_xform *t = *slot;
    pthread_mutex_unlock(&ds->ll_mu);
    return t;
}

static cor_status layer_extent_ll(cor_dataset *ds, int layer, cor_bbox *out, cor_error *err)
{
    cor_bbox b;
    if (!cor_src_layer_extent(ds->src, layer, &b))
        return COR_ERR_NOTFOUND;
    char *wkt = cor_src_layer_crs_wkt(ds->src, layer);
    if (!wkt)
        return COR_ERR_NOTFOUND;
    cor_xform *t = cor_xform_create(wkt, "EPSG:4326", err);
    free(wkt);
    if (!t)
        return err ? err->code : COR_ERR_INPUT;
    cor_status st = cor_xform_bounds(t, &b, out, err);
    cor_xform_destroy(t);
    return st;
}

cor_dataset *cor_dataset_open(const char *source, const cor_open_opts *o, cor_error *err)
{
    cor_open_opts opts = o ? *o : COR_OPEN_OPTS_DEFAULT;
    cor_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&ds->ll_mu, NULL);
    ds->cfg = opts.config;
    ds->log = opts.log;
    ds->source = cor_strdup(source);
    if (!(ds->src = cor_src_open(source, err)))
        goto fail;

    for (int r = 0; r < COR_ROLE_COUNT; r++) {
        int explicit_role = cor_config_role_spec(ds->cfg, (cor_role)r, &ds->spec[r]);
        ds->role_layer[r] = ds->spec[r].layer ? cor_src_find_layer(ds->src, ds->spec[r].layer)
                                              : -1;
        if (ds->role_layer[r] < 0 && explicit_role) {
            cor_error_set(err, COR_ERR_NOTFOUND,
                          "%s: no layer '%s' (configured for role %s)", source,
                          ds->spec[r].layer, cor_role_name((cor_role)r));
            goto fail;
        }
        if (ds->role_layer[r] >= 0) {
            char *wkt = cor_src_layer_crs_wkt(ds->src, ds->role_layer[r]);
            if (!wkt) {
                cor_error_set(err, COR_ERR_INPUT,
                              "%s: layer '%s' has no CRS (assign one, e.g. ogr2ogr -a_srs "
                              "EPSG:4326)", source, ds->spec[r].layer);
                goto fail;
            }
            free(wkt);
        }
    }
    for (int i = 0, n = cor_src_layer_count(ds->src); i < n; i++) {
        cor_bbox b;
        cor_error sub = COR_ERROR_INIT;
        if (layer_extent_ll(ds, i, &b, &sub) != COR_OK)
            continue;
        if (!ds->has_extent)
            ds->extent_ll = b;
        else {
            ds->extent_ll.min_x = fmin(ds->extent_ll.min_x, b.min_x);
            ds->extent_ll.min_y = fmin(ds->extent_ll.min_y, b.min_y);
            ds->extent_ll.max_x = fmax(ds->extent_ll.max_x, b.max_x);
            ds->extent_ll.max_y = fmax(ds->extent_ll.max_y, b.max_y);
        }
        ds->has_extent = 1;
    }
    const char *crs = opts.crs ? opts.crs : cor_config_crs(ds->cfg);
    if (crs)
        ds->working_crs = cor_strdup(crs);
    else if (ds->has_extent)
        ds->working_crs = cor_crs_choose(&ds->extent_ll);
    else {
        cor_error_set(err, COR_ERR_INPUT,
                      "%s: no layer with a CRS and an extent; give the working CRS with --crs",
                      source);
        goto fail;
    }
    if (cor_crs_check_projected(ds->working_crs, err) != COR_OK)
        goto fail;
    return ds;
fail:
    cor_dataset_close(ds);
    return NULL;
}

const char *cor_dataset_source(const cor_dataset *ds) { return ds->source; }
const char *cor_dataset_working_crs(const cor_dataset *ds) { return ds->working_crs; }

int cor_dataset_extent_lonlat(const cor_dataset *ds, cor_bbox *out)
{
    if (ds->has_extent)
        *out = ds->extent_ll;
    return ds->has_extent;
}

size_t cor_dataset_layer_count(const cor_dataset *ds)
{
    return (size_t)cor_src_layer_count(ds->src);
}

void cor_dataset_layer_info(const cor_dataset *ds, size_t i, cor_layer_info *out)
{
    cor_src_layer_info(ds->src, (int)i, out);
    for (int r = 0; r < COR_ROLE_COUNT; r++)
        if (ds->role_layer[r] == (int)i)
            out->role = r;
}

const char *cor_dataset_role_layer(const cor_dataset *ds, cor_role role)
{
    return ds->role_layer[role] >= 0 ? ds->spec[role].layer : NULL;
}

const cor_load_stats *cor_dataset_load_stats(const cor_dataset *ds, cor_role role)
{
    return &ds->stats[role];
}

static int classify(const char *v, const cor_role_spec *spec, cor_role role)
{
    if (v) {
        for (size_t i = 0; i < spec->n_classes; i++)
            if (!strcmp(v, spec->class_from[i]))
                return spec->class_to[i];
    }
    static const char *const HS[] = { "highspeed", "high_speed", "high-speed", "hsr", "yes",
                                      "1", NULL };
    static const char *const MAJOR[] = { "major_highway", "major highway", "motorway",
                                         "expressway", "freeway", "trunk", NULL };
    const char *const *set = role == COR_ROLE_RAIL ? HS : MAJOR;
    for (int i = 0; v && set[i]; i++)
        if (!strcasecmp(v, set[i]))
            return role == COR_ROLE_RAIL ? COR_CLASS_HIGHSPEED : COR_CLASS_MAJOR_HIGHWAY;
    return role == COR_ROLE_RAIL ? COR_CLASS_CONVENTIONAL : COR_CLASS_ROAD;
}

static void report_skips(cor_dataset *ds, const char *layer, const cor_load_stats *st)
{
    int64_t skipped = st->skipped_empty + st->skipped_degenerate + st->skipped_nan +
                      st->skipped_invalid;
    if (skipped)
        cor_log(&ds->log, COR_LOG_WARN,
                "%s: layer '%s': skipped %lld of %lld features (%lld empty, %lld degenerate, "
                "%lld NaN or out-of-range coordinates, %lld invalid)", ds->source, layer,
                (long long)skipped, (long long)st->read, (long long)st->skipped_empty,
                (long long)st->skipped_degenerate, (long long)st->skipped_nan,
                (long long)st->skipped_invalid);
    if (st->repaired)
        cor_log(&ds->log, COR_LOG_INFO, "%s: layer '%s': repaired %lld invalid polygons",
                ds->source, layer, (long long)st->repaired);
    if (st->read == 0)
        cor_log(&ds->log, COR_LOG_WARN, "%s: layer '%s' is empty", ds->source, layer);
}

/* Drops lines with a point PROJ could not transform, keeping the arrays compact. */
static size_t drop_nan_lines(cor_lines *l)
{
    size_t w = 0, wp = 0, dropped = 0;
    for (size_t i = 0; i < l->n_lines; i++) {
        size_t a = l->start[i], b = l->start[i + 1];
        int ok = 1;
        for (size_t k = a; k < b && ok; k++)
            ok = !isnan(l->xy[2 * k]);
        if (!ok) {
            dropped++;
            continue;
        }
        memmove(l->xy + 2 * wp, l->xy + 2 * a, 2 * (b - a) * sizeof(double));
        l->start[w] = wp;
        l->cls[w] = l->cls[i];
        l->speed_kmh[w] = l->speed_kmh[i];
        l->fid[w] = l->fid[i];
        wp += b - a;
        w++;
    }
    l->n_lines = w;
    l->n_points = wp;
    if (l->start)
        l->start[w] = wp;
    return dropped;
}

/* What the reading thread of cor_src_read_lines needs to make its own transform: a copy of
 * the reader's made beforehand (on the reader's thread), else the recipe. */
typedef struct { const char *src, *dst; const cor_bbox *extent; cor_xform *copy; } xform_recipe;

static cor_xform *make_xform(void *user)
{
    xform_recipe *x = user;
    if (x->copy) { /* a PROJ database search saved (some 50-150 ms) */
        cor_xform *t = x->copy;
        x->copy = NULL;
        return t;
    }
    cor_xform *t = cor_xform_create(x->src, x->dst, NULL);
    if (t && x->extent)
        cor_xform_prefer_fast(t, x->extent);
    return t;
}

static cor_status project_places(cor_dataset *ds, const char *src_crs, cor_places *p,
                                 cor_load_stats *st, cor_error *err)
{
    if (!p->n)
        return COR_OK;
    cor_xform *t = cor_xform_create(src_crs, "EPSG:4326", err);
    if (!t)
        return err ? err->code : COR_ERR_INPUT;
    double *xy = malloc(2 * p->n * sizeof(double));
    if (!xy) {
        cor_xform_destroy(t);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->n; i++) {
        xy[2 * i] = p->items[i].x_m;
        xy[2 * i + 1] = p->items[i].y_m;
    }
    cor_xform_run(t, xy, p->n);
    cor_xform_destroy(t);
    for (size_t i = 0; i < p->n; i++) {
        p->items[i].lon_deg = xy[2 * i];
        p->items[i].lat_deg = xy[2 * i + 1];
    }
    cor_xform *from_ll = lonlat_xform(ds, 0, err);
    if (!from_ll) {
        free(xy);
        return err ? err->code : COR_ERR_INPUT;
    }
    cor_xform_run(from_ll, xy, p->n);
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (isnan(xy[2 * i]) || isnan(p->items[i].lon_deg)) {
            free(p->items[i].name);
            free(p->items[i].name_zh);
            free(p->items[i].kind);
            st->skipped_nan++;
            st->kept--;
            continue;
        }
        p->items[w] = p->items[i];
        p->items[w].x_m = xy[2 * i];
        p->items[w].y_m = xy[2 * i + 1];
        w++;
    }
    p->n = w;
    free(xy);
    return COR_OK;
}

/* Loads the role's layer once; for lines, fn (when not NULL) sees their points as they are
 * read, and *seen says whether it saw all of them in their final numbering. */
static cor_status load_role_seen(cor_dataset *ds, cor_role role, cor_points_fn fn, void *ctx,
                                 int *seen, cor_error *err)
{
    if (seen)
        *seen = 0;
    if (ds->loaded[role])
        return COR_OK;
    int layer = ds->role_layer[role];
    ds->loaded[role] = 1;
    if (layer < 0)
        return COR_OK;
    const cor_role_spec *spec = &ds->spec[role];
    cor_load_stats *st = &ds->stats[role];
    char *wkt = cor_src_layer_crs_wkt(ds->src, layer);
    if (!wkt)
        return cor_error_set(err, COR_ERR_INPUT, "%s: layer '%s' has no CRS", ds->source,
                             spec->layer);
    cor_status rc = COR_OK;
    if (role == COR_ROLE_RAIL || role == COR_ROLE_ROAD) {
        cor_lines *l = &ds->lines[role];
        cor_bbox ext;
        int has_ext = cor_src_layer_extent(ds->src, layer, &ext);
        /* reprojected while read: a second thread transforms what the reader has read */
        xform_recipe recipe = { wkt, ds->working_crs, has_ext ? &ext : NULL, NULL };
        cor_read_xform rx = { cor_xform_create(wkt, ds->working_crs, err),
                              omp_get_max_threads() > 1 ? make_xform : NULL, &recipe, 0,
                              fn, ctx };
        if (!rx.main)
            rc = err ? err->code : COR_ERR_INPUT;
        else if (has_ext)
            cor_xform_prefer_fast(rx.main, &ext);
        if (rc == COR_OK && rx.make)
            recipe.copy = cor_xform_clone_fast(rx.main);
        if (rc == COR_OK)
            rc = cor_src_read_lines(ds->src, layer, role, spec, classify, &rx, l, st, err);
        cor_xform_destroy(recipe.copy); /* not taken: no second thread was started */
        cor_xform_destroy(rx.main);
        if (rc == COR_OK && rx.bad) {
            size_t d = drop_nan_lines(l);
            st->skipped_nan += (int64_t)d;
            st->parts -= (int64_t)d;
        }
        if (seen)
            *seen = rc == COR_OK && fn && !rx.bad;
    } else if (role == COR_ROLE_BOUNDARY || role == COR_ROLE_EXCLUSION) {
        cor_polygons *p = &ds->polys[role];
        rc = cor_src_read_polygons(ds->src, layer, spec, ds->working_crs, p, st, err);
        size_t w = 0;
        for (size_t i = 0; rc == COR_OK && i < p->n; i++) {
            unsigned char *fixed = NULL;
            size_t len = 0;
            int repaired = 0;
            cor_error sub = COR_ERROR_INIT;
            if (cor_geos_make_valid_polygon(p->wkb[i], p->wkb_len[i], &fixed, &len, &repaired,
                                            &sub) != COR_OK) {
                cor_log(&ds->log, COR_LOG_WARN, "%s: layer '%s': polygon '%s' skipped: %s",
                        ds->source, spec->layer, p->name[i], sub.msg);
                free(p->wkb[i]);
                free(p->name[i]);
                st->skipped_invalid++;
                st->kept--;
                continue;
            }
            free(p->wkb[i]);
            p->wkb[w] = fixed;
            p->wkb_len[w] = len;
            p->name[w] = p->name[i];
            st->repaired += repaired;
            w++;
        }
        if (rc == COR_OK)
            p->n = w;
    } else {
        rc = cor_src_read_points(ds->src, layer, spec, &ds->places[role], st, err);
        if (rc == COR_OK)
            rc = project_places(ds, wkt, &ds->places[role], st, err);
    }
    free(wkt);
    if (rc == COR_OK)
        report_skips(ds, spec->layer, st);
    return rc;
}

static cor_status load_role(cor_dataset *ds, cor_role role, cor_error *err)
{
    return load_role_seen(ds, role, NULL, NULL, NULL, err);
}

const cor_lines *cor_dataset_lines(cor_dataset *ds, cor_role role, cor_error *err)
{
    if (role != COR_ROLE_RAIL && role != COR_ROLE_ROAD) {
        cor_error_set(err, COR_ERR_INTERNAL, "role %s has no lines", cor_role_name(role));
        return NULL;
    }
    return load_role(ds, role, err) == COR_OK ? &ds->lines[role] : NULL;
}

cor_status cor_dataset_take_lines_seen(cor_dataset *ds, cor_role role, cor_lines *out,
                                       cor_points_fn fn, void *ctx, int *seen, cor_error *err)
{
    memset(out, 0, sizeof *out);
    if (seen)
        *seen = 0;
    if (role != COR_ROLE_RAIL && role != COR_ROLE_ROAD)
        return cor_error_set(err, COR_ERR_INTERNAL, "role %s has no lines", cor_role_name(role));
    cor_status rc = load_role_seen(ds, role, fn, ctx, seen, err);
    if (rc != COR_OK)
        return rc;
    *out = ds->lines[role];
    memset(&ds->lines[role], 0, sizeof ds->lines[role]);
    ds->loaded[role] = 0;
    return COR_OK;
}

cor_status cor_dataset_take_lines(cor_dataset *ds, cor_role role, cor_lines *out,
                                  cor_error *err)
{
    return cor_dataset_take_lines_seen(ds, role, out, NULL, NULL, NULL, err);
}

const cor_places *cor_dataset_places(cor_dataset *ds, cor_role role, cor_error *err)
{
    if (!cor_role_is_place(role)) {
        cor_error_set(err, COR_ERR_INTERNAL, "role %s has no places", cor_role_name(role));
        return NULL;
    }
    return load_role(ds, role, err) == COR_OK ? &ds->places[role] : NULL;
}

const cor_polygons *cor_dataset_polygons(cor_dataset *ds, cor_role role, cor_error *err)
{
    if (role != COR_ROLE_BOUNDARY && role != COR_ROLE_EXCLUSION) {
        cor_error_set(err, COR_ERR_INTERNAL, "role %s has no polygons", cor_role_name(role));
        return NULL;
    }
    return load_role(ds, role, err) == COR_OK ? &ds->polys[role] : NULL;
}

cor_status cor_dataset_load_point_file(const cor_dataset *ds, const char *path, const char *layer,
                                       const char *name_field, cor_places *out,
                                       cor_load_stats *stats, cor_error *err)
{
    memset(out, 0, sizeof *out);
    cor_load_stats local;
    if (!stats)
        stats = &local;
    cor_src *src = cor_src_open(path, err);
    if (!src)
        return err ? err->code : COR_ERR_IO;
    cor_status rc = COR_OK;
    int li = layer ? cor_src_find_layer(src, layer) : 0;
    char *wkt = NULL;
    if (li < 0 || cor_src_layer_count(src) == 0) {
        rc = cor_error_set(err, COR_ERR_NOTFOUND, "%s: no layer '%s'", path,
                           layer ? layer : "(any)");
        goto done;
    }
    if (!(wkt = cor_src_layer_crs_wkt(src, li))) {
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: layer has no CRS", path);
        goto done;
    }
    cor_role_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.f_name = name_field ? name_field : "name";
    spec.f_name_zh = name_field ? NULL : "name_zh";
    spec.explicit_fields = name_field != NULL; /* a field the user named must exist */
    rc = cor_src_read_points(src, li, &spec, out, stats, err);
    if (rc == COR_OK)
        rc = project_places((cor_dataset *)ds, wkt, out, stats, err);
    if (rc == COR_OK && out->n == 0)
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: no usable points (%lld features read)", path,
                           (long long)stats->read);
done:
    if (rc)
        cor_places_free(out);
    free(wkt);
    cor_src_close(src);
    return rc;
}

cor_status cor_dataset_lonlat_to_xy(const cor_dataset *ds, double *xy, size_t n, cor_error *err)
{
    cor_xform *t = lonlat_xform(ds, 0, err);
    if (!t)
        return err ? err->code : COR_ERR_INPUT;
    if (cor_xform_run(t, xy, n))
        return cor_error_set(err, COR_ERR_INPUT, "coordinates outside the working CRS's domain");
    return COR_OK;
}

cor_status cor_dataset_xy_to_lonlat(const cor_dataset *ds, double *xy, size_t n, cor_error *err)
{
    cor_xform *t = lonlat_xform(ds, 1, err);
    if (!t)
        return err ? err->code : COR_ERR_INPUT;
    if (cor_xform_run(t, xy, n))
        return cor_error_set(err, COR_ERR_INPUT, "coordinates outside the working CRS's domain");
    return COR_OK;
}

cor_status cor_dataset_read_layer(const cor_dataset *ds, const char *layer,
                                  const char *const *fields, size_t n_fields,
                                  cor_features *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    int li = cor_src_find_layer(ds->src, layer);
    if (li < 0)
        return cor_error_set(err, COR_ERR_NOTFOUND, "%s: no layer '%s'", ds->source, layer);
    return cor_src_read_features(ds->src, li, ds->working_crs, fields, n_fields, out, err);
}

cor_status cor_read_table(const char *path, const char *const *fields, size_t n_fields,
                          cor_features *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    cor_src *src = cor_src_open(path, err);
    if (!src)
        return err ? err->code : COR_ERR_IO;
    cor_status rc = COR_OK;
    if (cor_src_layer_count(src) < 1)
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: no table in it", path);
    if (rc == COR_OK)
        rc = cor_src_read_features(src, 0, NULL, fields, n_fields, out, err);
    for (size_t k = 0; rc == COR_OK && k < n_fields; k++) {
        int seen = 0;
        for (size_t i = 0; i < out->n && !seen; i++)
            seen = out->values[i * n_fields + k] != NULL;
        if (!seen && out->n)
            rc = cor_error_set(err, COR_ERR_NOTFOUND, "%s: no values in a column '%s'", path,
                               fields[k]);
    }
    if (rc)
        cor_features_free(out);
    cor_src_close(src);
    return rc;
}
