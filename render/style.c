/* style.c: reads a JSON style (jansson) into the private style structures, checking every key;
 * errors name the JSON path of the offending key. */
#include "style.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *origin;
    cor_error *err;
} pctx;

static int fail(pctx *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(pctx *p, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cor_error_set(p->err, COR_ERR_CONFIG, "%s: %s%s%s", p->origin, path, *path ? ": " : "", msg);
    return -1;
}

static void join(char *out, size_t n, const char *parent, const char *key)
{
    snprintf(out, n, "%.150s%s%.100s", parent, *parent ? "." : "", key);
}

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Unknown keys are errors (a typo would otherwise be ignored); keys starting with '_' are
 * comments. */
static int check_keys(pctx *p, json_t *obj, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        if (key[0] == '_')
            continue;
        int ok = 0;
        for (size_t i = 0; known[i]; i++)
            if (!strcmp(key, known[i]))
                ok = 1;
        if (!ok) {
            char kp[256], list[256] = "";
            join(kp, sizeof kp, path, key);
            for (size_t i = 0; known[i]; i++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", known[i]);
            }
            return fail(p, kp, "unknown key (known here: %s)", list);
        }
    }
    return 0;
}

static int want_object(pctx *p, json_t *v, const char *path)
{
    if (!json_is_object(v))
        return fail(p, path, "must be an object");
    return 0;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "#rgb", "#rrggbb", "#rrggbbaa" or "none". */
static int parse_colour(const char *s, cor_rgba *out)
{
    if (!strcmp(s, "none")) {
        *out = (cor_rgba){ 0, 0, 0, 0 };
        return 1;
    }
    size_t n = strlen(s);
    if (s[0] != '#' || (n != 4 && n != 7 && n != 9))
        return 0;
    int v[8];
    for (size_t i = 1; i < n; i++)
        if ((v[i - 1] = hexval((unsigned char)s[i])) < 0)
            return 0;
    if (n == 4) {
        *out = (cor_rgba){ v[0] * 17 / 255.0, v[1] * 17 / 255.0, v[2] * 17 / 255.0, 1 };
        return 1;
    }
    out->r = (v[0] * 16 + v[1]) / 255.0;
    out->g = (v[2] * 16 + v[3]) / 255.0;
    out->b = (v[4] * 16 + v[5]) / 255.0;
    out->a = n == 9 ? (v[6] * 16 + v[7]) / 255.0 : 1.0;
    return 1;
}

static int get_colour(pctx *p, json_t *obj, const char *key, const char *path, cor_rgba *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char kp[256];
    join(kp, sizeof kp, path, key);
    if (!json_is_string(v) || !parse_colour(json_string_value(v), out)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        fail(p, kp, "%s is not a colour (#rgb, #rrggbb, #rrggbbaa or \"none\")", s ? s : "?");
        free(s);
        return -1;
    }
    return 0;
}

static int get_number(pctx *p, json_t *obj, const char *key, const char *path, double lo,
                      double hi, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char kp[256];
    join(kp, sizeof kp, path, key);
    if (!json_is_number(v))
        return fail(p, kp, "must be a number");
    double d = json_number_value(v);
    if (!(d >= lo && d <= hi))
        return fail(p, kp, "%g is out of range [%g, %g]", d, lo, hi);
    *out = d;
    return 0;
}

static int get_bool(pctx *p, json_t *obj, const char *key, const char *path, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char kp[256];
    join(kp, sizeof kp, path, key);
    if (!json_is_boolean(v))
        return fail(p, kp, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

static int get_string(pctx *p, json_t *obj, const char *key, const char *path, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char kp[256];
    join(kp, sizeof kp, path, key);
    if (!json_is_string(v) || !json_string_length(v))
        return fail(p, kp, "must be a non-empty string");
    free(*out);
    if (!(*out = dup_str(json_string_value(v))))
        return fail(p, kp, "out of memory");
    return 0;
}

/* A text: "one text" (both languages) or {"zh": ..., "en": ...}. */
static int parse_text(pctx *p, json_t *v, const char *path, st_text *out)
{
    if (json_is_string(v)) {
        free(out->zh);
        free(out->en);
        out->zh = dup_str(json_string_value(v));
        out->en = dup_str(json_string_value(v));
        return 0;
    }
    static const char *const known[] = { "zh", "en", NULL };
    if (!json_is_object(v))
        return fail(p, path, "must be a string or an object {\"zh\": ..., \"en\": ...}");
    if (check_keys(p, v, path, known) || get_string(p, v, "zh", path, &out->zh) ||
        get_string(p, v, "en", path, &out->en))
        return -1;
    return 0;
}

static int get_dash(pctx *p, json_t *obj, const char *key, const char *path, st_stroke *s)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char kp[256];
    join(kp, sizeof kp, path, key);
    if (json_is_null(v)) {
        s->n_dash = 0;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 8)
        return fail(p, kp, "must be a list of 1 to 8 dash and gap lengths in points");
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e) || !(json_number_value(e) > 0)) {
            char ep[280];
            snprintf(ep, sizeof ep, "%s[%zu]", kp, i);
            return fail(p, ep, "must be a positive number");
        }
        s->dash[i] = json_number_value(e);
    }
    s->n_dash = (int)json_array_size(v);
    return 0;
}

/* {"stroke" or "color": colour, "width": pt, "dash": [...]} */
static int parse_stroke_obj(pctx *p, json_t *v, const char *path, const char *colour_key,
                            st_stroke *s)
{
    const char *const known[] = { colour_key, "width", "dash", NULL };
    if (want_object(p, v, path) || check_keys(p, v, path, known) ||
        get_colour(p, v, colour_key, path, &s->color) ||
        get_number(p, v, "width", path, 0, 100, &s->width) || get_dash(p, v, "dash", path, s))
        return -1;
    return 0;
}

static int get_show(pctx *p, json_t *v, const char *path, int *on)
{
    return get_bool(p, v, "show", path, on);
}

static const char *const SYMBOLS[] = { "circle", "square", "triangle", "diamond", "star",
                                       "circle_dot", "plane", "anchor", "none", NULL };

static int parse_filter(pctx *p, json_t *v, const char *path, st_layer *L)
{
    if (want_object(p, v, path))
        return -1;
    size_t n = json_object_size(v);
    L->conds = calloc(n ? n : 1, sizeof *L->conds);
    if (!L->conds)
        return fail(p, path, "out of memory");
    const char *key;
    json_t *c;
    json_object_foreach(v, key, c) {
        char kp[256];
        join(kp, sizeof kp, path, key);
        st_cond *k = &L->conds[L->n_conds++];
        if (!(k->field = dup_str(key)))
            return fail(p, kp, "out of memory");
        k->min = k->max = NAN;
        if (json_is_string(c) || json_is_array(c)) {
            k->kind = COND_IN;
            size_t m = json_is_string(c) ? 1 : json_array_size(c);
            if (m == 0)
                return fail(p, kp, "the list of values is empty");
            k->values = calloc(m, sizeof *k->values);
            if (!k->values)
                return fail(p, kp, "out of memory");
            for (size_t i = 0; i < m; i++) {
                json_t *e = json_is_string(c) ? c : json_array_get(c, i);
                if (!json_is_string(e)) {
                    char ep[280];
                    snprintf(ep, sizeof ep, "%s[%zu]", kp, i);
                    return fail(p, ep, "must be a string");
                }
                if (!(k->values[k->n_values++] = dup_str(json_string_value(e))))
                    return fail(p, kp, "out of memory");
            }
        } else if (json_is_object(c)) {
            static const char *const known[] = { "min", "max", "present", NULL };
            if (check_keys(p, c, kp, known))
                return -1;
            if (json_object_get(c, "present")) {
                if (json_object_size(c) != 1)
                    return fail(p, kp, "\"present\" cannot be combined with min/max");
                k->kind = COND_PRESENT;
                if (get_bool(p, c, "present", kp, &k->present))
                    return -1;
            } else {
                k->kind = COND_RANGE;
                if (get_number(p, c, "min", kp, -INFINITY, INFINITY, &k->min) ||
                    get_number(p, c, "max", kp, -INFINITY, INFINITY, &k->max))
                    return -1;
                if (isnan(k->min) && isnan(k->max))
                    return fail(p, kp, "needs \"min\", \"max\" or \"present\"");
            }
        } else
            return fail(p, kp, "must be a value, a list of values, {\"min\", \"max\"} or "
                               "{\"present\": true|false}");
    }
    return 0;
}

static int parse_label(pctx *p, json_t *v, const char *path, st_label *lb)
{
    if (json_is_false(v)) {
        lb->on = 0;
        return 0;
    }
    static const char *const known[] = { "size", "size_en", "bold", "color", "halo",
                                         "halo_width", "priority", "letter_spacing", "field",
                                         "field_en", "strip_suffix", "replace", NULL };
    if (want_object(p, v, path) || check_keys(p, v, path, known))
        return -1;
    lb->on = 1;
    if (get_number(p, v, "size", path, 1, 200, &lb->size_pt) ||
        get_number(p, v, "size_en", path, 1, 200, &lb->size2_pt) ||
        get_bool(p, v, "bold", path, &lb->bold) || get_colour(p, v, "color", path, &lb->color) ||
        get_colour(p, v, "halo", path, &lb->halo) ||
        get_number(p, v, "halo_width", path, 0, 20, &lb->halo_pt) ||
        get_number(p, v, "priority", path, -1e6, 1e6, &lb->priority) ||
        get_number(p, v, "letter_spacing", path, 0, 50, &lb->letter_spacing_pt) ||
        get_string(p, v, "field", path, &lb->field) ||
        get_string(p, v, "field_en", path, &lb->field_en) ||
        get_string(p, v, "strip_suffix", path, &lb->strip_suffix))
        return -1;
    if (!json_object_get(v, "size_en"))
        lb->size2_pt = lb->size_pt * 0.8;
    json_t *rep = json_object_get(v, "replace");
    if (rep) {
        char kp[256];
        join(kp, sizeof kp, path, "replace");
        if (want_object(p, rep, kp))
            return -1;
        size_t n = json_object_size(rep);
        lb->rep_from = calloc(n ? n : 1, sizeof *lb->rep_from);
        lb->rep_to = calloc(n ? n : 1, sizeof *lb->rep_to);
        if (!lb->rep_from || !lb->rep_to)
            return fail(p, kp, "out of memory");
        const char *key;
        json_t *to;
        json_object_foreach(rep, key, to) {
            char ep[400];
            snprintf(ep, sizeof ep, "%s.%.100s", kp, key);
            if (!*key)
                return fail(p, kp, "an empty text cannot be replaced");
            if (!json_is_string(to))
                return fail(p, ep, "must be a string (the replacement)");
            lb->rep_from[lb->n_rep] = dup_str(key);
            lb->rep_to[lb->n_rep] = dup_str(json_string_value(to));
            lb->n_rep++;
            if (!lb->rep_from[lb->n_rep - 1] || !lb->rep_to[lb->n_rep - 1])
                return fail(p, ep, "out of memory");
        }
    }
    return 0;
}

static int parse_layer(pctx *p, json_t *v, const char *path, st_layer *L, const cor_rgba *text)
{
    static const char *const known[] = { "id", "type", "role", "layer", "filter", "fill",
                                         "stroke", "width", "dash", "casing", "overlay",
                                         "opacity", "shape", "size", "min_size", "label",
                                         "legend", "attribution", NULL };
    if (want_object(p, v, path) || check_keys(p, v, path, known))
        return -1;
    L->opacity = 1;
    L->size_pt = 5;
    L->symbol = SYM_CIRCLE;
    L->fill = (cor_rgba){ 0, 0, 0, 0 };
    L->stroke = (st_stroke){ .color = { 0, 0, 0, 0 }, .width = 0.5 };
    L->label = (st_label){ .size_pt = 8, .size2_pt = 6.4, .color = *text,
                           .halo = { 1, 1, 1, 0.9 }, .halo_pt = 1.2 };
    char kp[256];
    if (get_string(p, v, "id", path, &L->id))
        return -1;
    if (!L->id)
        return fail(p, path, "missing \"id\"");
    json_t *t = json_object_get(v, "type");
    join(kp, sizeof kp, path, "type");
    const char *ts = json_is_string(t) ? json_string_value(t) : "";
    if (!t)
        return fail(p, path, "missing \"type\" (polygon, line or point)");
    if (!strcmp(ts, "polygon"))
        L->geom = GEOM_POLYGON;
    else if (!strcmp(ts, "line"))
        L->geom = GEOM_LINE;
    else if (!strcmp(ts, "point"))
        L->geom = GEOM_POINT;
    else
        return fail(p, kp, "must be \"polygon\", \"line\" or \"point\"");
    json_t *role = json_object_get(v, "role"), *layer = json_object_get(v, "layer");
    if (!!role == !!layer)
        return fail(p, path, "needs exactly one of \"role\" (rail, road, station, port, airport, "
                             "park, city, boundary) and \"layer\" (a layer name)");
    if (role) {
        join(kp, sizeof kp, path, "role");
        int r = json_is_string(role) ? cor_role_from_name(json_string_value(role)) : -1;
        if (r < 0 || r == COR_ROLE_EXCLUSION)
            return fail(p, kp, "unknown role (rail, road, station, port, airport, park, city, "
                               "boundary)");
        L->role = r;
        if (r == COR_ROLE_RAIL || r == COR_ROLE_ROAD) {
            L->source = SRC_LINES;
            if (L->geom != GEOM_LINE)
                return fail(p, kp, "role '%s' gives lines: the layer's type must be \"line\"",
                            cor_role_name((cor_role)r));
        } else if (cor_role_is_place((cor_role)r)) {
            L->source = SRC_PLACES;
            if (L->geom != GEOM_POINT)
                return fail(p, kp, "role '%s' gives points: the layer's type must be \"point\"",
                            cor_role_name((cor_role)r));
        } else
            L->source = SRC_LAYER; /* boundary: the role's layer, read by name */
    } else {
        L->source = SRC_LAYER;
        L->role = -1;
        if (get_string(p, v, "layer", path, &L->layer))
            return -1;
    }
    json_t *f = json_object_get(v, "filter");
    join(kp, sizeof kp, path, "filter");
    if (f && parse_filter(p, f, kp, L))
        return -1;
    if (get_colour(p, v, "fill", path, &L->fill) ||
        get_colour(p, v, "stroke", path, &L->stroke.color) ||
        get_number(p, v, "width", path, 0, 100, &L->stroke.width) ||
        get_dash(p, v, "dash", path, &L->stroke) ||
        get_number(p, v, "opacity", path, 0, 1, &L->opacity) ||
        get_number(p, v, "size", path, 0.1, 200, &L->size_pt) ||
        get_number(p, v, "min_size", path, 0, 1000, &L->min_size_pt) ||
        get_string(p, v, "attribution", path, &L->attribution))
        return -1;
    json_t *c = json_object_get(v, "casing");
    join(kp, sizeof kp, path, "casing");
    if (c && parse_stroke_obj(p, c, kp, "color", &L->casing))
        return -1;
    c = json_object_get(v, "overlay");
    join(kp, sizeof kp, path, "overlay");
    if (c && parse_stroke_obj(p, c, kp, "stroke", &L->overlay))
        return -1;
    json_t *sh = json_object_get(v, "shape");
    if (sh) {
        join(kp, sizeof kp, path, "shape");
        int k = -1;
        for (int i = 0; json_is_string(sh) && SYMBOLS[i]; i++)
            if (!strcmp(json_string_value(sh), SYMBOLS[i]))
                k = i;
        if (k < 0)
            return fail(p, kp, "unknown shape (circle, square, triangle, diamond, star, "
                               "circle_dot, plane, anchor, none)");
        L->symbol = (st_symbol)k;
    }
    json_t *lb = json_object_get(v, "label");
    join(kp, sizeof kp, path, "label");
    if (lb && parse_label(p, lb, kp, &L->label))
        return -1;
    json_t *lg = json_object_get(v, "legend");
    join(kp, sizeof kp, path, "legend");
    if (lg && !json_is_false(lg)) {
        if (parse_text(p, lg, kp, &L->legend))
            return -1;
        L->has_legend = 1;
    }
    return 0;
}

static void free_text(st_text *t)
{
    free(t->zh);
    free(t->en);
}

void cor_style_destroy(cor_style *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_layers; i++) {
        st_layer *L = &s->layers[i];
        free(L->id);
        free(L->layer);
        for (size_t k = 0; k < L->n_conds; k++) {
            free(L->conds[k].field);
            for (size_t j = 0; j < L->conds[k].n_values; j++)
                free(L->conds[k].values[j]);
            free(L->conds[k].values);
        }
        free(L->conds);
        free(L->label.field);
        free(L->label.field_en);
        free(L->label.strip_suffix);
        for (size_t k = 0; k < L->label.n_rep; k++) {
            free(L->label.rep_from[k]);
            free(L->label.rep_to[k]);
        }
        free(L->label.rep_from);
        free(L->label.rep_to);
        free_text(&L->legend);
        free(L->attribution);
    }
    free(s->layers);
    for (int i = 0; i < TH_COUNT; i++) {
        free(s->themes[i].ramp);
        free_text(&s->themes[i].title);
        free_text(&s->themes[i].legend);
        free_text(&s->themes[i].unit);
    }
    for (size_t i = 0; i < s->n_base_layers; i++)
        free(s->base_layers[i]);
    free(s->base_layers);
    free(s->name);
    free(s->font);
    free_text(&s->title);
    free_text(&s->legend_title);
    free_text(&s->attribution_prefix);
    free(s);
}

static const char *const THEME_NAMES[] = { "access", "isochrone", "corridors", "sites",
                                            "scenario", NULL };

int st_theme_index(const char *name)
{
    for (int i = 0; name && THEME_NAMES[i]; i++)
        if (!strcmp(name, THEME_NAMES[i]))
            return i;
    return -1;
}

static int parse_theme(pctx *p, json_t *v, const char *path, st_theme *t)
{
    static const char *const k[] = { "ramp", "reverse", "classify", "classes", "title", "legend",
                                     "unit", "size", "width", "opacity", "color", NULL };
    if (want_object(p, v, path) || check_keys(p, v, path, k))
        return -1;
    char kp[256];
    json_t *e;
    if ((e = json_object_get(v, "ramp"))) {
        join(kp, sizeof kp, path, "ramp");
        if (!json_is_string(e) || !cor_ramp_known(json_string_value(e)))
            return fail(p, kp, "%s%s%s is not a known ramp (%s)", json_is_string(e) ? "\"" : "",
                        json_is_string(e) ? json_string_value(e) : "the value",
                        json_is_string(e) ? "\"" : "", cor_ramp_list());
        free(t->ramp);
        t->ramp = dup_str(json_string_value(e));
    }
    if ((e = json_object_get(v, "classify"))) {
        join(kp, sizeof kp, path, "classify");
        int m = json_is_string(e) ? cor_classify_method_from_name(json_string_value(e)) : -1;
        if (m < 0)
            return fail(p, kp, "must be \"equal\", \"quantile\" or \"jenks\"");
        t->classify = m;
    }
    double classes = t->classes;
    if (get_bool(p, v, "reverse", path, &t->reverse) ||
        get_number(p, v, "classes", path, 1, COR_CLASSIFY_MAX_CLASSES, &classes) ||
        get_number(p, v, "size", path, 0.5, 100, &t->size_pt) ||
        get_number(p, v, "opacity", path, 0, 1, &t->opacity) ||
        get_colour(p, v, "color", path, &t->color))
        return -1;
    t->classes = (int)classes;
    if ((e = json_object_get(v, "title"))) {
        join(kp, sizeof kp, path, "title");
        if (parse_text(p, e, kp, &t->title))
            return -1;
    }
    if ((e = json_object_get(v, "legend"))) {
        join(kp, sizeof kp, path, "legend");
        if (parse_text(p, e, kp, &t->legend))
            return -1;
    }
    if ((e = json_object_get(v, "unit"))) {
        join(kp, sizeof kp, path, "unit");
        if (parse_text(p, e, kp, &t->unit))
            return -1;
    }
    if ((e = json_object_get(v, "width"))) {
        join(kp, sizeof kp, path, "width");
        if (!json_is_array(e) || json_array_size(e) != 2 ||
            !json_is_number(json_array_get(e, 0)) || !json_is_number(json_array_get(e, 1)) ||
            !(json_number_value(json_array_get(e, 0)) > 0) ||
            !(json_number_value(json_array_get(e, 1)) >= json_number_value(json_array_get(e, 0))))
            return fail(p, kp, "must be [min, max] line widths in points, 0 < min <= max");
        t->min_width_pt = json_number_value(json_array_get(e, 0));
        t->max_width_pt = json_number_value(json_array_get(e, 1));
    }
    return 0;
}

static int parse_themes(pctx *p, json_t *v, cor_style *s)
{
    static const char *const k[] = { "access", "isochrone", "corridors", "sites", "scenario",
                                     "base_layers", "base_opacity", "categorical", NULL };
    if (want_object(p, v, "themes") || check_keys(p, v, "themes", k) ||
        get_number(p, v, "base_opacity", "themes", 0, 1, &s->base_opacity))
        return -1;
    for (int i = 0; i < TH_COUNT; i++) {
        json_t *t = json_object_get(v, THEME_NAMES[i]);
        char kp[64];
        snprintf(kp, sizeof kp, "themes.%s", THEME_NAMES[i]);
        if (t && parse_theme(p, t, kp, &s->themes[i]))
            return -1;
    }
    json_t *bl = json_object_get(v, "base_layers");
    if (bl) {
        if (!json_is_array(bl))
            return fail(p, "themes.base_layers", "must be a list of style layer ids");
        size_t n = json_array_size(bl);
        if (!(s->base_layers = calloc(n ? n : 1, sizeof *s->base_layers)))
            return fail(p, "themes.base_layers", "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(bl, i);
            if (!json_is_string(e)) {
                char kp[64];
                snprintf(kp, sizeof kp, "themes.base_layers[%zu]", i);
                return fail(p, kp, "must be a style layer id (a string)");
            }
            s->base_layers[s->n_base_layers++] = dup_str(json_string_value(e));
        }
    }
    json_t *cat = json_object_get(v, "categorical");
    if (cat) {
        if (!json_is_array(cat) || json_array_size(cat) < 2 || json_array_size(cat) > 12)
            return fail(p, "themes.categorical", "must be a list of 2 to 12 colours");
        for (size_t i = 0; i < json_array_size(cat); i++) {
            json_t *e = json_array_get(cat, i);
            if (!json_is_string(e) || !parse_colour(json_string_value(e), &s->categorical[i])) {
                char kp[64];
                snprintf(kp, sizeof kp, "themes.categorical[%zu]", i);
                return fail(p, kp, "is not a colour (#rgb, #rrggbb or #rrggbbaa)");
            }
        }
        s->n_categorical = (int)json_array_size(cat);
    }
    return 0;
}

static int parse_root(pctx *p, json_t *root, cor_style *s)
{
    static const char *const known[] = { "name", "font", "page", "map", "title", "graticule",
                                         "legend", "scalebar", "north_arrow", "attribution",
                                         "layers", "themes", NULL };
    if (!json_is_object(root))
        return fail(p, "", "the top level must be a JSON object");
    if (check_keys(p, root, "", known) || get_string(p, root, "name", "", &s->name) ||
        get_string(p, root, "font", "", &s->font))
        return -1;
    json_t *v;
    if ((v = json_object_get(root, "page"))) {
        static const char *const k[] = { "background", "text", NULL };
        if (want_object(p, v, "page") || check_keys(p, v, "page", k) ||
            get_colour(p, v, "background", "page", &s->page_bg) ||
            get_colour(p, v, "text", "page", &s->text_color))
            return -1;
    }
    if ((v = json_object_get(root, "map"))) {
        static const char *const k[] = { "background", "frame", NULL };
        if (want_object(p, v, "map") || check_keys(p, v, "map", k) ||
            get_colour(p, v, "background", "map", &s->map_bg))
            return -1;
        json_t *fr = json_object_get(v, "frame");
        st_stroke st = { .color = s->frame_color, .width = s->frame_width };
        if (fr && parse_stroke_obj(p, fr, "map.frame", "stroke", &st))
            return -1;
        s->frame_color = st.color;
        s->frame_width = st.width;
    }
    if ((v = json_object_get(root, "title"))) {
        static const char *const k[] = { "zh", "en", "size", "subtitle_size", NULL };
        if (want_object(p, v, "title") || check_keys(p, v, "title", k) ||
            get_string(p, v, "zh", "title", &s->title.zh) ||
            get_string(p, v, "en", "title", &s->title.en) ||
            get_number(p, v, "size", "title", 1, 200, &s->title_size) ||
            get_number(p, v, "subtitle_size", "title", 1, 200, &s->subtitle_size))
            return -1;
    }
    if ((v = json_object_get(root, "graticule"))) {
        static const char *const k[] = { "show", "stroke", "width", "dash", "opacity",
                                         "label_size", "label_color", NULL };
        if (want_object(p, v, "graticule") || check_keys(p, v, "graticule", k) ||
            get_show(p, v, "graticule", &s->graticule_on) ||
            get_colour(p, v, "stroke", "graticule", &s->graticule.color) ||
            get_number(p, v, "width", "graticule", 0, 100, &s->graticule.width) ||
            get_dash(p, v, "dash", "graticule", &s->graticule) ||
            get_number(p, v, "opacity", "graticule", 0, 1, &s->graticule_opacity) ||
            get_number(p, v, "label_size", "graticule", 1, 100, &s->graticule_label_size) ||
            get_colour(p, v, "label_color", "graticule", &s->graticule_label_color))
            return -1;
    }
    if ((v = json_object_get(root, "legend"))) {
        static const char *const k[] = { "zh", "en", "size", "background", "stroke", NULL };
        if (want_object(p, v, "legend") || check_keys(p, v, "legend", k) ||
            get_string(p, v, "zh", "legend", &s->legend_title.zh) ||
            get_string(p, v, "en", "legend", &s->legend_title.en) ||
            get_number(p, v, "size", "legend", 1, 100, &s->legend_size) ||
            get_colour(p, v, "background", "legend", &s->legend_bg) ||
            get_colour(p, v, "stroke", "legend", &s->legend_stroke))
            return -1;
    }
    if ((v = json_object_get(root, "scalebar"))) {
        static const char *const k[] = { "show", "size", "color", NULL };
        if (want_object(p, v, "scalebar") || check_keys(p, v, "scalebar", k) ||
            get_show(p, v, "scalebar", &s->scalebar_on) ||
            get_number(p, v, "size", "scalebar", 1, 100, &s->scalebar_size) ||
            get_colour(p, v, "color", "scalebar", &s->scalebar_color))
            return -1;
    }
    if ((v = json_object_get(root, "north_arrow"))) {
        static const char *const k[] = { "show", "size", "color", NULL };
        if (want_object(p, v, "north_arrow") || check_keys(p, v, "north_arrow", k) ||
            get_show(p, v, "north_arrow", &s->north_on) ||
            get_number(p, v, "size", "north_arrow", 1, 500, &s->north_size) ||
            get_colour(p, v, "color", "north_arrow", &s->north_color))
            return -1;
    }
    if ((v = json_object_get(root, "attribution"))) {
        static const char *const k[] = { "zh", "en", "size", "color", NULL };
        if (want_object(p, v, "attribution") || check_keys(p, v, "attribution", k) ||
            get_string(p, v, "zh", "attribution", &s->attribution_prefix.zh) ||
            get_string(p, v, "en", "attribution", &s->attribution_prefix.en) ||
            get_number(p, v, "size", "attribution", 1, 100, &s->attribution_size) ||
            get_colour(p, v, "color", "attribution", &s->attribution_color))
            return -1;
    }
    if ((v = json_object_get(root, "themes")) && parse_themes(p, v, s))
        return -1;
    json_t *layers = json_object_get(root, "layers");
    if (!layers)
        return fail(p, "", "missing \"layers\" (the layer stack, drawn in order)");
    if (!json_is_array(layers) || json_array_size(layers) == 0)
        return fail(p, "layers", "must be a non-empty list of layers");
    size_t n = json_array_size(layers);
    if (!(s->layers = calloc(n, sizeof *s->layers)))
        return fail(p, "layers", "out of memory");
    for (size_t i = 0; i < n; i++) {
        char lp[64];
        snprintf(lp, sizeof lp, "layers[%zu]", i);
        s->n_layers++;
        if (parse_layer(p, json_array_get(layers, i), lp, &s->layers[i], &s->text_color))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->layers[j].id, s->layers[i].id)) {
                char ip[80];
                snprintf(ip, sizeof ip, "%s.id", lp);
                return fail(p, ip, "\"%s\" is already the id of layers[%zu]", s->layers[i].id, j);
            }
    }
    return 0;
}

cor_style *cor_style_parse(const char *json, const char *origin, cor_error *err)
{
    json_error_t je;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: line %d column %d: %s", origin, je.line,
                      je.column, je.text);
        return NULL;
    }
    cor_style *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* Defaults for what a style leaves out. */
    s->page_bg = (cor_rgba){ 1, 1, 1, 1 };
    s->text_color = (cor_rgba){ 0.11, 0.15, 0.19, 1 };
    s->map_bg = (cor_rgba){ 0.93, 0.94, 0.95, 1 };
    s->frame_color = s->text_color;
    s->frame_width = 0.8;
    s->title_size = 16;
    s->subtitle_size = 9;
    s->graticule_on = 1;
    s->graticule = (st_stroke){ .color = { 0.3, 0.38, 0.45, 1 }, .width = 0.3 };
    s->graticule_opacity = 0.6;
    s->graticule_label_size = 6.5;
    s->graticule_label_color = (cor_rgba){ 0.3, 0.38, 0.45, 1 };
    s->legend_size = 7.5;
    s->legend_bg = (cor_rgba){ 1, 1, 1, 0.92 };
    s->legend_stroke = (cor_rgba){ 0.55, 0.6, 0.64, 1 };
    s->scalebar_on = s->north_on = 1;
    s->scalebar_size = 7;
    s->scalebar_color = s->text_color;
    s->north_size = 22;
    s->north_color = s->text_color;
    s->attribution_size = 6;
    s->attribution_color = (cor_rgba){ 0.33, 0.38, 0.42, 1 };
    /* thematic themes: graduated colours from ColorBrewer ramps, Dark2 categories */
    static const char *const RAMP[TH_COUNT] = { "YlOrRd", "YlGnBu", "Blues", "viridis", "RdBu" };
    static const int CLASSIFY[TH_COUNT] = { COR_CLASSIFY_JENKS, COR_CLASSIFY_EQUAL,
                                            COR_CLASSIFY_JENKS, COR_CLASSIFY_QUANTILE,
                                            COR_CLASSIFY_EQUAL };
    for (int i = 0; i < TH_COUNT; i++) {
        st_theme *t = &s->themes[i];
        t->ramp = dup_str(RAMP[i]);
        t->reverse = i == TH_ISOCHRONE;
        t->classify = CLASSIFY[i];
        t->classes = i == TH_SCENARIO ? 6 : 5;
        t->size_pt = 6;
        t->min_width_pt = 0.5;
        t->max_width_pt = 7;
        t->opacity = 0.8;
        t->color = i == TH_SCENARIO ? (cor_rgba){ 0.1, 0.1, 0.1, 1 }
                                    : (cor_rgba){ 0.7, 0.1, 0.15, 0.9 };
    }
    s->base_opacity = 0.55;
    static const unsigned DARK2[] = { 0x1b9e77, 0xd95f02, 0x7570b3, 0xe7298a, 0x66a61e,
                                      0xe6ab02, 0xa6761d, 0x666666 };
    for (int i = 0; i < 8; i++)
        s->categorical[i] = (cor_rgba){ ((DARK2[i] >> 16) & 255) / 255.0,
                                        ((DARK2[i] >> 8) & 255) / 255.0, (DARK2[i] & 255) / 255.0,
                                        1 };
    s->n_categorical = 8;
    pctx p = { origin, err };
    int rc = parse_root(&p, root, s);
    json_decref(root);
    if (rc == 0 && !s->font && !(s->font = dup_str("Noto Sans CJK SC"))) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        rc = -1;
    }
    if (rc) {
        cor_style_destroy(s);
        return NULL;
    }
    return s;
}

cor_style *cor_style_load(const char *path, cor_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cor_error_set(err, COR_ERR_IO, "%s: %s", path,
                      errno == ENOENT ? "no such file" : strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        cor_error_set(err, bad ? COR_ERR_IO : COR_ERR_NOMEM, "%s: cannot read the style", path);
        return NULL;
    }
    buf[n] = '\0';
    cor_style *s = cor_style_parse(buf, path, err);
    free(buf);
    return s;
}

cor_style *cor_style_default(cor_error *err)
{
    return cor_style_parse((const char *)cor_default_style_json, "default style", err);
}

const char *cor_style_font(const cor_style *s) { return s->font; }

const char *st_text_get(const st_text *t, cor_lang lang, char *buf, size_t n)
{
    const char *zh = t->zh ? t->zh : t->en, *en = t->en ? t->en : t->zh;
    if (!zh)
        return "";
    if (lang == COR_LANG_ZH)
        return zh;
    if (lang == COR_LANG_EN || !strcmp(zh, en))
        return en;
    snprintf(buf, n, "%s %s", zh, en);
    return buf;
}
