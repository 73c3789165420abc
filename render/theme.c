/* theme.c: the thematic layers drawn over the muted base: read from the results file of the
 * matching command (or computed by theme_compute.c), classified, symbolised (graduated
 * colours, proportional line widths, categories, highlighted lines), drawn, and their legend
 * rows (headings, class ranges with units, colour bars, width samples). */
#include "map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shapes and features -------------------------------------------------------------------- */

cor_status shape_point(cor_shape *s, double x, double y)
{
    memset(s, 0, sizeof *s);
    s->start = malloc(2 * sizeof *s->start);
    s->xy = malloc(2 * sizeof *s->xy);
    if (!s->start || !s->xy) {
        cor_shape_free(s);
        return COR_ERR_NOMEM;
    }
    s->kind = COR_SHAPE_POINTS;
    s->n_rings = 1;
    s->start[0] = 0;
    s->start[1] = 1;
    s->n_points = 1;
    s->xy[0] = x;
    s->xy[1] = y;
    s->bbox = (cor_bbox){ x, y, x, y };
    s->label_x = x;
    s->label_y = y;
    return COR_OK;
}

cor_status shape_line(cor_shape *s, const double *xy, size_t n)
{
    memset(s, 0, sizeof *s);
    s->start = malloc(2 * sizeof *s->start);
    s->xy = malloc((n ? n : 1) * 2 * sizeof *s->xy);
    if (!s->start || !s->xy) {
        cor_shape_free(s);
        return COR_ERR_NOMEM;
    }
    s->kind = COR_SHAPE_LINES;
    s->n_rings = 1;
    s->start[0] = 0;
    s->start[1] = n;
    s->n_points = n;
    memcpy(s->xy, xy, n * 2 * sizeof *xy);
    s->bbox = (cor_bbox){ INFINITY, INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < n; i++) {
        s->bbox.min_x = fmin(s->bbox.min_x, xy[2 * i]);
        s->bbox.max_x = fmax(s->bbox.max_x, xy[2 * i]);
        s->bbox.min_y = fmin(s->bbox.min_y, xy[2 * i + 1]);
        s->bbox.max_y = fmax(s->bbox.max_y, xy[2 * i + 1]);
    }
    s->label_x = n ? xy[0] : 0;
    s->label_y = n ? xy[1] : 0;
    return COR_OK;
}

cor_status tlayer_push(tlayer *tl, const tfeat *f)
{
    if (tl->n == tl->cap) {
        size_t nc = tl->cap ? 2 * tl->cap : 64;
        tfeat *nf = realloc(tl->f, nc * sizeof *nf);
        if (!nf)
            return COR_ERR_NOMEM;
        tl->f = nf;
        tl->cap = nc;
    }
    tl->f[tl->n++] = *f;
    return COR_OK;
}

static void tlayer_free(tlayer *tl)
{
    for (size_t i = 0; i < tl->n; i++) {
        cor_shape_free(&tl->f[i].shape);
        free(tl->f[i].text);
    }
    free(tl->f);
    for (int c = 0; c <= COR_CLASSIFY_MAX_CLASSES; c++) {
        free(tl->cls_text[c]);
    }
    free(tl->heading);
    free(tl->field);
}

void theme_free(cor_map *m)
{
    for (size_t i = 0; i < m->n_tl; i++)
        tlayer_free(&m->tl[i]);
    free(m->tl);
    m->tl = NULL;
    m->n_tl = 0;
}

static tlayer *new_layer(cor_map *m, tkind kind, const st_theme *th, cor_error *err)
{
    tlayer *n = realloc(m->tl, (m->n_tl + 1) * sizeof *n);
    if (!n) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->tl = n;
    tlayer *tl = &m->tl[m->n_tl++];
    memset(tl, 0, sizeof *tl);
    tl->kind = kind;
    tl->th = th;
    tl->method = -1;
    return tl;
}

/* ---- reading a results file ---------------------------------------------------------------- */

static int ds_has_layer(const cor_dataset *ds, const char *name)
{
    for (size_t i = 0; i < cor_dataset_layer_count(ds); i++) {
        cor_layer_info li;
        cor_dataset_layer_info(ds, i, &li);
        if (!strcmp(li.name, name))
            return 1;
    }
    return 0;
}

static cor_dataset *open_results(cor_map *m, const char *command, cor_error *err)
{
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    oo.crs = cor_dataset_working_crs(m->ds);
    cor_error e = COR_ERROR_INIT;
    cor_dataset *r = cor_dataset_open(m->o.theme_data, &oo, &e);
    if (!r)
        cor_error_set(err, e.code, "--results %s: cannot be read as the output of %s: %s",
                      m->o.theme_data, command, e.msg);
    return r;
}

/* Reads a layer's features: shapes, the first of fields that has values (its name to *used),
 * and an optional text field. Fails naming the file, layer and field. */
static cor_status read_values(cor_map *m, cor_dataset *r, const char *layer, const char *command,
                              const char *const *fields, size_t n_fields, const char *text_field,
                              tlayer *tl, int required, cor_error *err)
{
    if (!ds_has_layer(r, layer)) {
        if (!required)
            return COR_OK;
        return cor_error_set(err, COR_ERR_NOTFOUND, "--results %s: no layer '%s' (want the "
                             "output of %s)", m->o.theme_data, layer, command);
    }
    const char *want[8];
    size_t nw = 0;
    for (size_t i = 0; i < n_fields && nw < 6; i++)
        want[nw++] = fields[i];
    if (text_field)
        want[nw++] = text_field;
    cor_features f;
    if (cor_dataset_read_layer(r, layer, want, nw, &f, err) != COR_OK)
        return err->code;
    size_t use = SIZE_MAX;
    for (size_t k = 0; k < n_fields && use == SIZE_MAX; k++)
        for (size_t i = 0; i < f.n; i++)
            if (f.values[i * f.n_fields + k] && *f.values[i * f.n_fields + k]) {
                use = k;
                break;
            }
    if (use == SIZE_MAX && n_fields) {
        cor_features_free(&f);
        /* a --field the file lacks is a usage error; a default field missing, a wrong file */
        return cor_error_set(err, m->o.theme_field ? COR_ERR_CONFIG : COR_ERR_NOTFOUND,
                             "--results %s: layer '%s' has no field "
                             "'%s' with values (--field names the field to map)",
                             m->o.theme_data, layer, fields[0]);
    }
    if (n_fields && !(tl->field = strdup(fields[use]))) {
        cor_features_free(&f);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    cor_wkb_reader *rd = cor_wkb_reader_create(err);
    cor_status rc = rd ? COR_OK : err->code;
    for (size_t i = 0; rc == COR_OK && i < f.n; i++) {
        if (!f.wkb[i])
            continue;
        tfeat t = { .value = NAN, .cls = -1 };
        cor_error e = COR_ERROR_INIT;
        if (cor_wkb_read_shape(rd, f.wkb[i], f.wkb_len[i], &t.shape, &e) != COR_OK ||
            t.shape.kind == COR_SHAPE_EMPTY) {
            cor_shape_free(&t.shape);
            continue;
        }
        if (n_fields) {
            const char *v = f.values[i * f.n_fields + use];
            char *end;
            double d = v ? strtod(v, &end) : NAN;
            t.value = v && end != v ? d : NAN;
        }
        const char *tx = text_field ? f.values[i * f.n_fields + nw - 1] : NULL;
        if (tx && *tx && !(t.text = strdup(tx)))
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        if (rc == COR_OK && tlayer_push(tl, &t) != COR_OK)
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        if (rc != COR_OK) {
            cor_shape_free(&t.shape);
            free(t.text);
        }
    }
    cor_wkb_reader_destroy(rd);
    cor_features_free(&f);
    return rc;
}

/* ---- classes and symbols --------------------------------------------------------------------- */

static void fmt_num(char *buf, size_t n, double v, double span)
{
    int dec = span >= 100 ? 0 : span >= 10 ? 1 : span >= 1 ? 2 : 3;
    if (v == round(v) && fabs(v) < 1e6)
        dec = 0;
    if (fabs(v) >= 1e6 && span >= 1e5) {
        /* 1.29×10¹² */
        static const char *const SUP[] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" };
        int e = (int)floor(log10(fabs(v)));
        char ex[40] = "";
        char digits[16];
        snprintf(digits, sizeof digits, "%d", e);
        for (const char *d = digits; *d; d++)
            strncat(ex, *d == '-' ? "⁻" : SUP[*d - '0'], sizeof ex - strlen(ex) - 1);
        snprintf(buf, n, "%.3g×10%s", v / pow(10, e), ex);
    } else
        snprintf(buf, n, "%.*f", dec, v);
    if (!strcmp(buf, "-0") || !strcmp(buf, "-0.0") || !strcmp(buf, "-0.00"))
        memmove(buf, buf + 1, strlen(buf));
    if (buf[0] == '-' && strlen(buf) + 3 < n) { /* a typographic minus */
        memmove(buf + 3, buf + 1, strlen(buf));
        memcpy(buf, "−", 3);
    }
}

static double ramp_t(const tlayer *tl, double v)
{
    if (tl->centred) {
        double M = fmax(fabs(tl->vmin), fabs(tl->vmax));
        return M > 0 ? 0.5 + 0.5 * v / M : 0.5;
    }
    double span = tl->vmax - tl->vmin;
    return 0.12 + 0.88 * (span > 0 ? (v - tl->vmin) / span : 0.5);
}

static cor_rgba ramp_rgba(const tlayer *tl, double v, double alpha)
{
    double rgb[3] = { 0.5, 0.5, 0.5 };
    cor_ramp_color(tl->th->ramp, ramp_t(tl, v), tl->th->reverse, rgb);
    return (cor_rgba){ rgb[0], rgb[1], rgb[2], alpha };
}

/* Classifies the layer's values (method -1: one class per distinct value) and builds one
 * symbol and legend text per class. */
static cor_status classify_layer(cor_map *m, tlayer *tl, int method, int k, const char *unit,
                                 int upto, cor_error *err)
{
    double *v = malloc((tl->n ? tl->n : 1) * sizeof *v);
    if (!v)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    size_t nv = 0;
    tl->vmin = INFINITY;
    tl->vmax = -INFINITY;
    for (size_t i = 0; i < tl->n; i++)
        if (isfinite(tl->f[i].value)) {
            v[nv++] = tl->f[i].value;
            tl->vmin = fmin(tl->vmin, tl->f[i].value);
            tl->vmax = fmax(tl->vmax, tl->f[i].value);
        }
    if (!nv) {
        free(v);
        return cor_error_set(err, COR_ERR_INPUT, "%s: no feature has a value in '%s'",
                             m->o.theme_data ? m->o.theme_data : "the computed analysis",
                             tl->field ? tl->field : "?");
    }
    if (method < 0) { /* one class per distinct value, unless there are too many */
        size_t nd = 0;
        for (size_t i = 0; i < nv && nd <= COR_CLASSIFY_MAX_CLASSES; i++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = v[j] == v[i];
            nd += !seen;
        }
        if (nd > COR_CLASSIFY_MAX_CLASSES)
            method = COR_CLASSIFY_EQUAL;
    }
    cor_status rc = cor_classify(v, nv, method < 0 ? COR_CLASSIFY_EQUAL : (cor_classify_method)method,
                                 method < 0 ? COR_CLASSIFY_MAX_CLASSES : k, tl->breaks,
                                 &tl->n_classes, err);
    free(v);
    if (rc != COR_OK)
        return rc;
    tl->method = method;
    const st_theme *th = tl->th;
    double span = tl->vmax - tl->vmin;
    for (int c = 0; c < tl->n_classes; c++) {
        double lo = tl->breaks[c], hi = tl->breaks[c + 1];
        int single = method < 0 || lo == hi;
        double mid = single ? lo : 0.5 * (lo + hi);
        char a[40], b[40], buf[160];
        fmt_num(a, sizeof a, single && method < 0 && upto && c > 0 ? tl->breaks[c - 1] : lo, span);
        fmt_num(b, sizeof b, single ? lo : hi, span);
        if (method < 0 && upto && c == 0)
            snprintf(buf, sizeof buf, "≤ %s%s%s", b, *unit ? " " : "", unit);
        else if (method < 0 && upto)
            snprintf(buf, sizeof buf, "%s–%s%s%s", a, b, *unit ? " " : "", unit);
        else if (single)
            snprintf(buf, sizeof buf, "%s%s%s", b, *unit ? " " : "", unit);
        else if (lo < 0 || hi < 0)
            snprintf(buf, sizeof buf, "%s – %s%s%s", a, b, *unit ? " " : "", unit);
        else
            snprintf(buf, sizeof buf, "%s–%s%s%s", a, b, *unit ? " " : "", unit);
        if (!(tl->cls_text[c] = strdup(buf)))
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        st_layer *L = &tl->sym[c];
        memset(L, 0, sizeof *L);
        L->id = (char *)"theme";
        L->opacity = 1;
        L->symbol = SYM_CIRCLE;
        L->size_pt = th->size_pt;
        if (tl->kind == TK_PROP_LINES) {
            L->geom = GEOM_LINE;
            double w = tl->n_classes > 1 ? th->min_width_pt + (th->max_width_pt - th->min_width_pt) *
                                               c / (tl->n_classes - 1)
                                         : 0.5 * (th->min_width_pt + th->max_width_pt);
            L->stroke = (st_stroke){ .color = th->color, .width = w };
        } else {
            cor_rgba col = ramp_rgba(tl, mid, 1);
            L->fill = col;
            L->geom = GEOM_POINT;
            /* a diverging ramp is near white at 0: outline its symbols in grey */
            L->stroke = tl->centred ? (st_stroke){ .color = { 0.35, 0.35, 0.35, 1 }, .width = 0.5 }
                                    : (st_stroke){ .color = { 1, 1, 1, 1 }, .width = 0.5 };
        }
    }
    for (size_t i = 0; i < tl->n; i++)
        tl->f[i].cls = method < 0 ? -1 : cor_classify_index(tl->breaks, tl->n_classes, tl->f[i].value);
    if (method < 0) /* classes are the distinct values */
        for (size_t i = 0; i < tl->n; i++)
            for (int c = 0; isfinite(tl->f[i].value) && c < tl->n_classes; c++)
                if (tl->f[i].value == tl->breaks[c] ||
                    (c == tl->n_classes - 1 && tl->f[i].value == tl->breaks[c + 1]))
                    tl->f[i].cls = c;
    return COR_OK;
}

static int cmp_value_desc(const void *a, const void *b)
{
    const tfeat *x = a, *y = b;
    double u = isfinite(x->value) ? x->value : -INFINITY, v = isfinite(y->value) ? y->value : -INFINITY;
    return u < v ? 1 : u > v ? -1 : 0;
}

static int cmp_value_asc(const void *a, const void *b) { return -cmp_value_desc(a, b); }

static const char *tx(const cor_map *m, const st_text *t, char *buf, size_t n)
{
    return st_text_get(t, m->o.lang, buf, n);
}

static cor_status set_heading(cor_map *m, tlayer *tl, const char *deflt_field, cor_error *err)
{
    char buf[300];
    const char *h = tl->field && deflt_field && strcmp(tl->field, deflt_field)
                        ? tl->field
                        : tx(m, &tl->th->legend, buf, sizeof buf);
    if (!(tl->heading = strdup(h)))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    return COR_OK;
}

/* Categories of tl's texts: the most frequent first, the rest "other". */
static cor_status categorise(cor_map *m, tlayer *tl, cor_error *err)
{
    const cor_style *st = m->style;
    int ncol = st->n_categorical;
    char *names[COR_CLASSIFY_MAX_CLASSES];
    size_t counts[COR_CLASSIFY_MAX_CLASSES];
    int nn = 0;
    /* count (quadratic over a few hundred parks and a handful of chains) */
    size_t nd = 0;
    char **dn = calloc(tl->n + 1, sizeof *dn);
    size_t *dc = calloc(tl->n + 1, sizeof *dc);
    if (!dn || !dc) {
        free(dn), free(dc);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < tl->n; i++) {
        if (!tl->f[i].text)
            continue;
        size_t k = 0;
        while (k < nd && strcmp(dn[k], tl->f[i].text))
            k++;
        if (k == nd)
            dn[nd++] = tl->f[i].text;
        dc[k]++;
    }
    int has_other = 0;
    for (int c = 0; c < ncol - 1; c++) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < nd; k++)
            if (dc[k] && (best == SIZE_MAX || dc[k] > dc[best] ||
                          (dc[k] == dc[best] && strcmp(dn[k], dn[best]) < 0)))
                best = k;
        if (best == SIZE_MAX)
            break;
        names[nn] = dn[best];
        counts[nn++] = dc[best];
        dc[best] = 0;
    }
    for (size_t k = 0; k < nd; k++)
        has_other |= dc[k] > 0;
    for (size_t i = 0; i < tl->n; i++) {
        tl->f[i].cls = -1;
        for (int c = 0; tl->f[i].text && c < nn && tl->f[i].cls < 0; c++)
            if (!strcmp(tl->f[i].text, names[c]))
                tl->f[i].cls = c;
        if (tl->f[i].cls < 0)
            tl->f[i].cls = has_other || !tl->f[i].text ? nn : -1;
        has_other |= !tl->f[i].text;
    }
    tl->n_classes = nn + (has_other ? 1 : 0);
    cor_status rc = COR_OK;
    for (int c = 0; c < tl->n_classes && rc == COR_OK; c++) {
        char buf[300];
        const char *zh, *en;
        if (c < nn && tl->field && !strcmp(tl->field, "chain") &&
            cor_chain_label(names[c], &zh, &en)) /* the plan's names, not the keys */
            snprintf(buf, sizeof buf, "%s%s%s (%zu)", m->o.lang == COR_LANG_EN ? "" : zh,
                     m->o.lang == COR_LANG_BOTH ? " " : "", m->o.lang == COR_LANG_ZH ? "" : en,
                     counts[c]);
        else if (c < nn)
            snprintf(buf, sizeof buf, "%s (%zu)", names[c], counts[c]);
        else
            snprintf(buf, sizeof buf, "%s", m->o.lang == COR_LANG_EN ? "Other"
                                            : m->o.lang == COR_LANG_ZH ? "其他" : "其他 Other");
        if (!(tl->cls_text[c] = strdup(buf)))
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        st_layer *L = &tl->sym[c];
        memset(L, 0, sizeof *L);
        L->id = (char *)"theme";
        L->opacity = 1;
        L->geom = GEOM_POINT;
        L->symbol = SYM_CIRCLE;
        L->size_pt = 5;
        L->fill = st->categorical[c < nn ? c : ncol - 1];
        L->stroke = (st_stroke){ .color = { 1, 1, 1, 1 }, .width = 0.5 };
    }
    free(dn);
    free(dc);
    return rc;
}

/* ---- the themes -------------------------------------------------------------------------------- */

static int method_of(const cor_map *m, const st_theme *th)
{
    return m->o.classify >= 0 ? m->o.classify : th->classify;
}

static int classes_of(const cor_map *m, const st_theme *th)
{
    return m->o.classes > 0 ? m->o.classes : th->classes;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static cor_status load_access(cor_map *m, const st_theme *th, cor_error *err)
{
    tlayer *tl = new_layer(m, TK_GRAD, th, err);
    if (!tl)
        return err->code;
    if (m->o.theme_data) {
        char alt[128];
        const char *f = m->o.theme_field ? m->o.theme_field : "nearest_min";
        snprintf(alt, sizeof alt, "%s_min", f);
        const char *fields[] = { f, alt };
        cor_dataset *r = open_results(m, "corridor access", err);
        if (!r)
            return err->code;
        cor_status rc = read_values(m, r, "access", "corridor access", fields, 2, "name", tl, 1, err);
        cor_dataset_close(r);
        if (rc)
            return rc;
    } else {
        if (m->o.theme_field && strcmp(m->o.theme_field, "nearest") &&
            strcmp(m->o.theme_field, "nearest_min"))
            return cor_error_set(err, COR_ERR_CONFIG, "--field %s: the computed access theme "
                                 "has only nearest_min (give --results for other measures)",
                                 m->o.theme_field);
        if (theme_compute_access(m, tl, err))
            return err->code;
    }
    char ubuf[100];
    const char *unit = tl->field && ends_with(tl->field, "_min") ? tx(m, &th->unit, ubuf, sizeof ubuf) : "";
    if (classify_layer(m, tl, method_of(m, th), classes_of(m, th), unit, 0, err) ||
        set_heading(m, tl, "nearest_min", err))
        return err->code;
    tl->continuous = 1;
    qsort(tl->f, tl->n, sizeof *tl->f, cmp_value_asc); /* the longest times on top */
    return COR_OK;
}

static cor_status load_isochrone(cor_map *m, const st_theme *th, cor_error *err)
{
    tlayer *tl = new_layer(m, TK_GRAD, th, err);
    if (!tl)
        return err->code;
    if (m->o.theme_data) {
        const char *fields[] = { m->o.theme_field ? m->o.theme_field : "minutes" };
        cor_dataset *r = open_results(m, "corridor isochrone", err);
        if (!r)
            return err->code;
        cor_status rc = read_values(m, r, "isochrones", "corridor isochrone", fields, 1, NULL, tl,
                                    1, err);
        cor_dataset_close(r);
        if (rc)
            return rc;
    } else {
        if (m->o.theme_field && strcmp(m->o.theme_field, "minutes"))
            return cor_error_set(err, COR_ERR_CONFIG, "--field %s: the isochrone theme maps "
                                 "minutes", m->o.theme_field);
        if (theme_compute_isochrone(m, tl, err))
            return err->code;
    }
    char ubuf[100];
    int is_min = tl->field && !strcmp(tl->field, "minutes");
    /* bands: one class per band unless asked to classify */
    int method = m->o.classify >= 0 ? m->o.classify : -1;
    if (classify_layer(m, tl, method, classes_of(m, th),
                       is_min ? tx(m, &th->unit, ubuf, sizeof ubuf) : "", 1, err) ||
        set_heading(m, tl, "minutes", err))
        return err->code;
    qsort(tl->f, tl->n, sizeof *tl->f, cmp_value_desc); /* the largest band first */
    for (int c = 0; c < tl->n_classes; c++)
        tl->sym[c].geom = GEOM_POLYGON;
    return COR_OK;
}

static cor_status load_parks_by_chain(cor_map *m, cor_error *err)
{
    const char *pl = cor_dataset_role_layer(m->ds, COR_ROLE_PARK);
    if (!pl)
        return COR_OK;
    tlayer *tl = new_layer(m, TK_CATEGORY, &m->style->themes[TH_CORRIDORS], err);
    if (!tl)
        return err->code;
    const char *fields[] = { "chain" };
    cor_features f;
    if (cor_dataset_read_layer(m->ds, pl, fields, 1, &f, err) != COR_OK)
        return err->code;
    cor_wkb_reader *rd = cor_wkb_reader_create(err);
    cor_status rc = rd ? COR_OK : err->code;
    for (size_t i = 0; rc == COR_OK && i < f.n; i++) {
        tfeat t = { .value = NAN, .cls = -1 };
        cor_error e = COR_ERROR_INIT;
        if (!f.wkb[i] || cor_wkb_read_shape(rd, f.wkb[i], f.wkb_len[i], &t.shape, &e) ||
            t.shape.kind != COR_SHAPE_POINTS) {
            cor_shape_free(&t.shape);
            continue;
        }
        /* the first chain of a park's list ("biomedicine;robotics") */
        if (f.values[i] && *f.values[i] &&
            !(t.text = strndup(f.values[i], strcspn(f.values[i], ";,"))))
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        if (rc == COR_OK && tlayer_push(tl, &t))
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        if (rc) {
            cor_shape_free(&t.shape);
            free(t.text);
        }
    }
    cor_wkb_reader_destroy(rd);
    cor_features_free(&f);
    if (rc == COR_OK && !(tl->heading = strdup(m->o.lang == COR_LANG_EN ? "Parks by industry chain"
                                               : m->o.lang == COR_LANG_ZH ? "园区（按产业链）"
                                               : "园区（按产业链） Parks by industry chain")))
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    if (rc == COR_OK && !(tl->field = strdup("chain")))
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    return rc ? rc : categorise(m, tl, err);
}

static cor_status load_corridors(cor_map *m, const st_theme *th, cor_error *err)
{
    tlayer *tl = new_layer(m, TK_PROP_LINES, th, err);
    if (!tl)
        return err->code;
    if (m->o.theme_data) {
        const char *f = m->o.theme_field ? m->o.theme_field : "load";
        const char *fields[] = { f };
        cor_dataset *r = open_results(m, "corridor corridors", err);
        if (!r)
            return err->code;
        /* flows carry load; linkage carries r_ab, f_ab ... */
        int linkage = strcmp(f, "load") && strcmp(f, "length_m");
        cor_status rc = read_values(m, r, linkage ? "linkage" : "flows", "corridor corridors",
                                    fields, 1, NULL, tl, 1, err);
        cor_dataset_close(r);
        if (rc)
            return rc;
    } else {
        if (m->o.theme_field && strcmp(m->o.theme_field, "load"))
            return cor_error_set(err, COR_ERR_CONFIG, "--field %s: the computed corridors theme "
                                 "maps the flow load (give --results for linkage fields)",
                                 m->o.theme_field);
        if (theme_compute_corridors(m, tl, err))
            return err->code;
    }
    if (classify_layer(m, tl, method_of(m, th), classes_of(m, th), "", 0, err) ||
        set_heading(m, tl, "load", err))
        return err->code;
    qsort(tl->f, tl->n, sizeof *tl->f, cmp_value_asc); /* the heaviest on top */
    return load_parks_by_chain(m, err);
}

static cor_status load_sites(cor_map *m, const st_theme *th, cor_error *err)
{
    if (!m->o.theme_data)
        return cor_error_set(err, COR_ERR_CONFIG, "the sites theme needs --results SITES.gpkg "
                             "(the output of corridor site); it is not computed here");
    tlayer *tl = new_layer(m, TK_GRAD, th, err);
    if (!tl)
        return err->code;
    const char *fields[] = { m->o.theme_field ? m->o.theme_field : "total" };
    cor_dataset *r = open_results(m, "corridor site", err);
    if (!r)
        return err->code;
    cor_status rc = read_values(m, r, "sites", "corridor site", fields, 1, "name", tl, 1, err);
    cor_dataset_close(r);
    if (rc || classify_layer(m, tl, method_of(m, th), classes_of(m, th), "", 0, err) ||
        set_heading(m, tl, "total", err))
        return err->code;
    tl->continuous = 1;
    qsort(tl->f, tl->n, sizeof *tl->f, cmp_value_asc); /* the best on top */
    return COR_OK;
}

static cor_status load_scenario(cor_map *m, const st_theme *th, cor_error *err)
{
    if (!m->o.theme_data)
        return cor_error_set(err, COR_ERR_CONFIG, "the scenario theme needs --results "
                             "DELTA.gpkg (the output of corridor scenario)");
    tlayer *tl = new_layer(m, TK_GRAD, th, err);
    if (!tl)
        return err->code;
    /* the measure's column as corridor access names it: nearest_min, watt_min, cum_60, ...;
     * "nearest" and "watt" stand for their _min columns */
    const char *meas = m->o.theme_field ? m->o.theme_field : "nearest_min";
    if (!strcmp(meas, "nearest") || !strcmp(meas, "watt"))
        meas = !strcmp(meas, "nearest") ? "nearest_min" : "watt_min";
    char f1[128];
    if (ends_with(meas, "_change") || ends_with(meas, "_pct") || ends_with(meas, "_before") ||
        ends_with(meas, "_after"))
        snprintf(f1, sizeof f1, "%s", meas);
    else
        snprintf(f1, sizeof f1, "%s_change", meas);
    const char *fields[] = { f1 };
    cor_dataset *r = open_results(m, "corridor scenario", err);
    if (!r)
        return err->code;
    cor_status rc = read_values(m, r, "delta", "corridor scenario", fields, 1, "name", tl, 1, err);
    tlayer *hl = NULL;
    if (rc == COR_OK && ds_has_layer(r, "scenario_lines")) {
        if (!(hl = new_layer(m, TK_HIGHLIGHT, th, err)))
            rc = err->code;
        tl = &m->tl[m->n_tl - 2]; /* new_layer may move the array */
        const char *nf[] = { "mode" };
        if (rc == COR_OK)
            rc = read_values(m, r, "scenario_lines", "corridor scenario", NULL, 0, nf[0], hl, 0,
                             err);
    }
    cor_dataset_close(r);
    if (rc)
        return rc;
    tl->centred = 1;
    char ubuf[100];
    int minutes = ends_with(f1, "_change") && (!strncmp(f1, "nearest", 7) || !strncmp(f1, "watt", 4));
    if (classify_layer(m, tl, method_of(m, th), classes_of(m, th),
                       ends_with(f1, "_pct") ? "%" : minutes ? tx(m, &th->unit, ubuf, sizeof ubuf) : "",
                       0, err) ||
        /* any change field takes the style's "Change (after - before)"; others their name */
        set_heading(m, tl, ends_with(f1, "_change") ? f1 : "nearest_min_change", err))
        return err->code;
    tl->continuous = 1;
    if (hl) {
        /* one class per mode: rail dark, road orange */
        int has[2] = { 0, 0 };
        for (size_t i = 0; i < hl->n; i++) {
            int rail = hl->f[i].text && !strcmp(hl->f[i].text, "rail");
            hl->f[i].cls = rail ? 0 : 1;
            has[hl->f[i].cls] = 1;
        }
        hl->n_classes = 2;
        static const cor_rgba COL[2] = { { 0.42, 0.1, 0.55, 1 }, { 0.9, 0.45, 0.0, 1 } };
        for (int c = 0; c < 2; c++) {
            st_layer *L = &hl->sym[c];
            L->id = (char *)"theme";
            L->opacity = 1;
            L->geom = GEOM_LINE;
            L->stroke = (st_stroke){ .color = COL[c], .width = 2.4 };
            L->casing = (st_stroke){ .color = { 1, 1, 1, 1 }, .width = 0.8 };
            const char *t = c == 0 ? (m->o.lang == COR_LANG_EN ? "Scenario line: rail"
                                      : m->o.lang == COR_LANG_ZH ? "情景线路：铁路"
                                                                 : "情景线路：铁路 Scenario rail")
                                   : (m->o.lang == COR_LANG_EN ? "Scenario line: road"
                                      : m->o.lang == COR_LANG_ZH ? "情景线路：公路"
                                                                 : "情景线路：公路 Scenario road");
            if (has[c] && !(hl->cls_text[c] = strdup(t)))
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    }
    return COR_OK;
}

cor_status theme_load(cor_map *m, cor_error *err)
{
    if (m->theme < 0)
        return COR_OK;
    const st_theme *th = &m->style->themes[m->theme];
    switch (m->theme) {
    case TH_ACCESS: return load_access(m, th, err);
    case TH_ISOCHRONE: return load_isochrone(m, th, err);
    case TH_CORRIDORS: return load_corridors(m, th, err);
    case TH_SITES: return load_sites(m, th, err);
    default: return load_scenario(m, th, err);
    }
}

/* ---- drawing -------------------------------------------------------------------------------- */

static void path_shape(const cor_map *m, cor_canvas *cv, const cor_shape *s, int close)
{
    for (size_t r = 0; r < s->n_rings; r++) {
        for (size_t i = s->start[r]; i < s->start[r + 1]; i++) {
            double px, py;
            map_to_page(m, s->xy[2 * i], s->xy[2 * i + 1], &px, &py);
            if (i == s->start[r])
                cor_canvas_move_to(cv, px, py);
            else
                cor_canvas_line_to(cv, px, py);
        }
        if (close)
            cor_canvas_close_path(cv);
    }
}

static int hits_view(const cor_map *m, const cor_bbox *b)
{
    double d = 0.05 * (m->view.max_x - m->view.min_x);
    return b->min_x <= m->view.max_x + d && b->max_x >= m->view.min_x - d &&
           b->min_y <= m->view.max_y + d && b->max_y >= m->view.min_y - d;
}

void theme_draw(cor_map *m, cor_canvas *cv, int points)
{
    for (size_t li = 0; li < m->n_tl; li++) {
        const tlayer *tl = &m->tl[li];
        int pts = tl->kind == TK_CATEGORY ||
                  (tl->kind == TK_GRAD && tl->n && tl->f[0].shape.kind == COR_SHAPE_POINTS);
        if (pts != points)
            continue;
        if (tl->kind == TK_PROP_LINES || tl->kind == TK_HIGHLIGHT) {
            for (int c = 0; c < tl->n_classes; c++) {
                const st_layer *L = &tl->sym[c];
                cor_canvas_new_path(cv);
                int any = 0;
                for (size_t i = 0; i < tl->n; i++)
                    if (tl->f[i].cls == c && hits_view(m, &tl->f[i].shape.bbox)) {
                        path_shape(m, cv, &tl->f[i].shape, 0);
                        any = 1;
                    }
                if (!any)
                    continue;
                if (L->casing.width > 0)
                    cor_canvas_stroke(cv, L->casing.color, L->stroke.width + 2 * L->casing.width,
                                      NULL, 0, 1);
                cor_canvas_stroke(cv, L->stroke.color, L->stroke.width, NULL, 0, 0);
            }
            continue;
        }
        int has_poly = 0;
        for (size_t i = 0; i < tl->n; i++)
            has_poly |= tl->f[i].shape.kind == COR_SHAPE_POLYGONS;
        if (has_poly)
            cor_canvas_push_group(cv);
        for (size_t i = 0; i < tl->n; i++) {
            const tfeat *f = &tl->f[i];
            if (f->cls < 0 || f->cls >= tl->n_classes || !hits_view(m, &f->shape.bbox))
                continue;
            const st_layer *L = &tl->sym[f->cls];
            if (f->shape.kind == COR_SHAPE_POLYGONS) {
                cor_canvas_new_path(cv);
                path_shape(m, cv, &f->shape, 1);
                cor_canvas_fill(cv, L->fill, 1);
                cor_rgba edge = { L->fill.r * 0.6, L->fill.g * 0.6, L->fill.b * 0.6, 1 };
                cor_canvas_stroke(cv, edge, 0.4, NULL, 0, 0);
            } else if (f->shape.kind == COR_SHAPE_LINES) {
                cor_canvas_new_path(cv);
                path_shape(m, cv, &f->shape, 0);
                cor_canvas_stroke(cv, L->fill, 1.5, NULL, 0, 0);
            } else {
                for (size_t k = 0; k < f->shape.n_points; k++) {
                    double px, py;
                    map_to_page(m, f->shape.xy[2 * k], f->shape.xy[2 * k + 1], &px, &py);
                    map_draw_symbol(cv, L->symbol, px, py, L->size_pt, L->fill, L->stroke.color,
                                    L->stroke.width);
                }
            }
        }
        if (has_poly)
            cor_canvas_pop_group(cv, tl->th->opacity);
    }
}

/* ---- legend ------------------------------------------------------------------------------------ */

static cor_status add_row(cor_map *m, size_t *cap, const st_layer *st, const char *text, int kind,
                          const tlayer *tl, cor_error *err)
{
    if (m->n_legend == *cap) {
        size_t nc = *cap ? 2 * *cap : 32;
        mlegend *n = realloc(m->legend, nc * sizeof *n);
        if (!n)
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        m->legend = n;
        *cap = nc;
    }
    mlegend *r = &m->legend[m->n_legend];
    r->st = st;
    r->kind = kind;
    r->tl = tl;
    if (!(r->text = strdup(text ? text : "")))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    m->n_legend++;
    return COR_OK;
}

cor_status theme_legend(cor_map *m, size_t *cap, cor_error *err)
{
    for (size_t li = 0; li < m->n_tl; li++) {
        const tlayer *tl = &m->tl[li];
        int any = 0;
        for (size_t i = 0; i < tl->n && !any; i++)
            any = tl->f[i].cls >= 0 && hits_view(m, &tl->f[i].shape.bbox);
        if (!any)
            continue;
        if (tl->heading && add_row(m, cap, NULL, tl->heading, 1, tl, err))
            return err->code;
        if (tl->continuous && tl->n_classes > 1 && add_row(m, cap, NULL, "", 2, tl, err))
            return err->code;
        for (int c = tl->kind == TK_GRAD ? tl->n_classes - 1 : 0;
             tl->kind == TK_GRAD ? c >= 0 : c < tl->n_classes; c += tl->kind == TK_GRAD ? -1 : 1) {
            if (!tl->cls_text[c])
                continue;
            if (add_row(m, cap, &tl->sym[c], tl->cls_text[c], 0, tl, err))
                return err->code;
        }
    }
    return COR_OK;
}

/* A colour bar of the ramp from vmin to vmax, ticks at the class breaks with their values. */
void theme_colour_bar(cor_map *m, cor_canvas *cv, const tlayer *tl, double x, double y, double w,
                      double h, double fs)
{
    enum { STEPS = 64 };
    double bh = h * 0.42, span = tl->vmax - tl->vmin;
    if (!(span > 0))
        return;
    for (int i = 0; i < STEPS; i++) {
        double v = tl->vmin + span * (i + 0.5) / STEPS;
        cor_canvas_new_path(cv);
        cor_canvas_rect(cv, x + w * i / STEPS, y, w / STEPS + 0.3, bh);
        cor_canvas_fill(cv, ramp_rgba(tl, v, 1), 0);
    }
    cor_rgba ink = m->style->text_color, none = { 0, 0, 0, 0 };
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, x, y, w, bh);
    cor_canvas_stroke(cv, ink, 0.4, NULL, 0, 0);
    double last_right = -INFINITY;
    for (int c = 0; c <= tl->n_classes; c++) {
        double v = tl->breaks[c], tx0 = x + w * (v - tl->vmin) / span;
        cor_canvas_new_path(cv);
        cor_canvas_move_to(cv, tx0, y + bh);
        cor_canvas_line_to(cv, tx0, y + bh + fs * 0.3);
        cor_canvas_stroke(cv, ink, 0.4, NULL, 0, 0);
        char buf[40];
        fmt_num(buf, sizeof buf, v, span);
        cor_text_spec ts = { .text = buf, .size_pt = fs * 0.72 };
        double tw, th;
        cor_text_measure(m->text, &ts, &tw, &th);
        double lx = tx0 - tw / 2;
        if (lx < last_right + fs * 0.2 && c < tl->n_classes)
            continue;
        if (lx < last_right + fs * 0.2)
            continue;
        cor_text_draw(m->text, cv, &ts, lx, y + bh + fs * 0.3, ink, none, 0);
        last_right = lx + tw;
    }
}

/* ---- introspection ------------------------------------------------------------------------ */

void cor_map_get_theme(const cor_map *m, cor_map_theme_info *out)
{
    memset(out, 0, sizeof *out);
    out->method = -1;
    out->inset = m->inset_on;
    if (!m->n_tl)
        return;
    const tlayer *tl = &m->tl[0];
    out->field = tl->field;
    out->ramp = tl->th->ramp;
    out->method = tl->method;
    out->n_classes = tl->n_classes;
    for (int c = 0; c <= tl->n_classes && c <= COR_CLASSIFY_MAX_CLASSES; c++)
        out->breaks[c] = tl->breaks[c];
    out->features = tl->n;
}
