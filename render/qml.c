/* qml.c: QGIS 3 layer styles (QML documents) for the layers Corridor writes, generated from
 * the map style so that a GeoPackage opens in QGIS looking like Corridor's own map. */
#include "corridor/render.h"
#include "style.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ----------------------------------------------------------------------- */
typedef struct { char *s; size_t n, cap; int oom; } sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)n);
    free(big);
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Text escaped for an XML attribute value (between double quotes) or element content. */
static void sb_esc(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': sb_str(b, "&amp;"); break;
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '"': sb_str(b, "&quot;"); break;
        case '\'': sb_str(b, "&apos;"); break;
        case '\n': sb_str(b, "&#10;"); break;
        case '\t': sb_str(b, "&#9;"); break;
        default:
            if (c >= 0x20)
                sb_put(b, (const char *)&c, 1); /* other control characters are not XML */
        }
    }
}

/* An XML attribute: name="escaped value" with a leading space. */
static void sb_attr(sbuf *b, const char *name, const char *value)
{
    sb_printf(b, " %s=\"", name);
    sb_esc(b, value);
    sb_str(b, "\"");
}

/* ---- QGIS expressions ---------------------------------------------------------------------- */
/* A field reference: "name" with embedded quotes doubled. */
static void ex_field(sbuf *b, const char *f)
{
    sb_str(b, "\"");
    for (; *f; f++)
        sb_put(b, *f == '"' ? "\"\"" : f, *f == '"' ? 2 : 1);
    sb_str(b, "\"");
}

static void ex_string(sbuf *b, const char *s)
{
    sb_str(b, "'");
    for (; *s; s++)
        sb_put(b, *s == '\'' ? "''" : s, *s == '\'' ? 2 : 1);
    sb_str(b, "'");
}

/* ---- colours and ramps --------------------------------------------------------------------- */
static int c255(double v)
{
    long x = lround(v * 255.0);
    return x < 0 ? 0 : x > 255 ? 255 : (int)x;
}

static void sb_colour(sbuf *b, cor_rgba c)
{
    sb_printf(b, "%d,%d,%d,%d", c255(c.r), c255(c.g), c255(c.b), c255(c.a));
}

static cor_rgba hex(unsigned v, double a)
{
    return (cor_rgba){ ((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0,
                       a };
}

/* The colour at t in [0, 1] along one of the map's thematic ramps (classify.c), so that QGIS
 * shows the same colours as Corridor's maps. */
static cor_rgba ramp(const char *name, double t, double alpha)
{
    double rgb[3] = { 0.5, 0.5, 0.5 };
    cor_ramp_color(name, isfinite(t) ? t : 0.5, 0, rgb);
    return (cor_rgba){ rgb[0], rgb[1], rgb[2], alpha };
}

static cor_rgba darker(cor_rgba c, double k)
{
    return (cor_rgba){ c.r * k, c.g * k, c.b * k, 1 };
}

/* ---- the style's layers ---------------------------------------------------------------- */
static const st_layer *find_layer(const cor_style *s, const char *id)
{
    for (size_t i = 0; i < s->n_layers; i++)
        if (!strcmp(s->layers[i].id, id))
            return &s->layers[i];
    return NULL;
}

static cor_rgba layer_stroke(const cor_style *s, const char *id, cor_rgba fallback)
{
    const st_layer *L = find_layer(s, id);
    return L && L->stroke.color.a > 0 ? L->stroke.color : fallback;
}

/* The label look: that of the first of these layers that labels, else the defaults. */
static st_label label_look(const cor_style *s, const char *const *ids)
{
    for (size_t k = 0; ids[k]; k++) {
        const st_layer *L = find_layer(s, ids[k]);
        if (L && L->label.on)
            return L->label;
    }
    for (size_t i = 0; i < s->n_layers; i++)
        if (s->layers[i].label.on && s->layers[i].source != SRC_LAYER)
            return s->layers[i].label;
    return (st_label){ .on = 1, .size_pt = 8, .color = s->text_color,
                       .halo = { 1, 1, 1, 0.9 }, .halo_pt = 1.2, .priority = 50 };
}

/* ---- symbols ------------------------------------------------------------------------------- */
static void sym_begin(sbuf *b, const char *type, int name, double alpha)
{
    sb_printf(b, "      <symbol type=\"%s\" name=\"%d\" alpha=\"%.3g\" clip_to_extent=\"1\""
                 " force_rhr=\"0\">\n", type, name, alpha);
}

static void sym_end(sbuf *b) { sb_str(b, "      </symbol>\n"); }

static void prop(sbuf *b, const char *k, const char *v)
{
    sb_str(b, "          <prop");
    sb_attr(b, "k", k);
    sb_attr(b, "v", v);
    sb_str(b, "/>\n");
}

static void prop_num(sbuf *b, const char *k, double v)
{
    char t[64];
    snprintf(t, sizeof t, "%.6g", v);
    prop(b, k, t);
}

static void prop_colour(sbuf *b, const char *k, cor_rgba c)
{
    char t[64];
    snprintf(t, sizeof t, "%d,%d,%d,%d", c255(c.r), c255(c.g), c255(c.b), c255(c.a));
    prop(b, k, t);
}

/* A data-defined property of a symbol layer, from an expression. */
static void data_defined(sbuf *b, const char *key, const char *expr)
{
    sb_str(b, "          <data_defined_properties>\n            <Option type=\"Map\">\n"
              "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n"
              "              <Option type=\"Map\" name=\"properties\">\n");
    sb_printf(b, "                <Option type=\"Map\" name=\"%s\">\n", key);
    sb_str(b, "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
              "                  <Option type=\"QString\" name=\"expression\"");
    sb_attr(b, "value", expr);
    sb_str(b, "/>\n                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
              "                </Option>\n              </Option>\n"
              "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
              "            </Option>\n          </data_defined_properties>\n");
}

static void line_layer(sbuf *b, cor_rgba c, double width_pt, const double *dash, int n_dash,
                       int pass, const char *width_expr)
{
    sb_printf(b, "        <layer class=\"SimpleLine\" pass=\"%d\" locked=\"0\" enabled=\"1\">\n",
              pass);
    prop(b, "capstyle", "round");
    prop(b, "joinstyle", "round");
    prop_colour(b, "line_color", c);
    prop(b, "line_style", "solid");
    prop_num(b, "line_width", width_pt);
    prop(b, "line_width_unit", "Point");
    prop(b, "offset", "0");
    prop(b, "offset_unit", "Point");
    if (n_dash > 0) {
        char t[256] = "";
        for (int i = 0; i < n_dash; i++) {
            size_t l = strlen(t);
            snprintf(t + l, sizeof t - l, "%s%.4g", i ? ";" : "", dash[i]);
        }
        if (n_dash % 2) { /* QGIS wants pairs: repeat an odd pattern, as Cairo does */
            for (int i = 0; i < n_dash; i++) {
                size_t l = strlen(t);
                snprintf(t + l, sizeof t - l, ";%.4g", dash[i]);
            }
        }
        prop(b, "customdash", t);
        prop(b, "customdash_unit", "Point");
        prop(b, "use_custom_dash", "1");
    } else
        prop(b, "use_custom_dash", "0");
    if (width_expr)
        data_defined(b, "outlineWidth", width_expr);
    sb_str(b, "        </layer>\n");
}

static void fill_layer(sbuf *b, cor_rgba fill, cor_rgba outline, double outline_pt, int pass)
{
    sb_printf(b, "        <layer class=\"SimpleFill\" pass=\"%d\" locked=\"0\" enabled=\"1\">\n",
              pass);
    prop_colour(b, "color", fill);
    prop(b, "style", fill.a > 0 ? "solid" : "no");
    prop_colour(b, "outline_color", outline);
    prop(b, "outline_style", outline.a > 0 && outline_pt > 0 ? "solid" : "no");
    prop_num(b, "outline_width", outline_pt);
    prop(b, "outline_width_unit", "Point");
    prop(b, "joinstyle", "round");
    sb_str(b, "        </layer>\n");
}

static void marker_layer(sbuf *b, const char *shape, cor_rgba fill, cor_rgba stroke,
                         double stroke_pt, double size_pt, int pass)
{
    sb_printf(b, "        <layer class=\"SimpleMarker\" pass=\"%d\" locked=\"0\" enabled=\"1\">\n",
              pass);
    prop(b, "name", shape);
    prop_colour(b, "color", fill);
    prop_colour(b, "outline_color", stroke);
    prop(b, "outline_style", stroke.a > 0 && stroke_pt > 0 ? "solid" : "no");
    prop_num(b, "outline_width", stroke_pt);
    prop(b, "outline_width_unit", "Point");
    prop_num(b, "size", size_pt);
    prop(b, "size_unit", "Point");
    prop(b, "scale_method", "diameter");
    sb_str(b, "        </layer>\n");
}

/* A line symbol from a style layer: casing under the stroke, the dashed overlay on top;
 * passes 3*level .. 3*level+2 keep every casing under every stroke (symbol levels). */
static void style_line_symbol(sbuf *b, int name, const st_layer *L, double k, int level,
                              const char *width_expr)
{
    sym_begin(b, "line", name, L->opacity);
    if (L->casing.width > 0 && L->casing.color.a > 0)
        line_layer(b, L->casing.color, k * (L->stroke.width + 2 * L->casing.width), NULL, 0,
                   3 * level, NULL);
    line_layer(b, L->stroke.color, k * L->stroke.width, L->stroke.dash, L->stroke.n_dash,
               3 * level + 1, width_expr);
    if (L->overlay.width > 0 && L->overlay.color.a > 0)
        line_layer(b, L->overlay.color, k * L->overlay.width, L->overlay.dash, L->overlay.n_dash,
                   3 * level + 2, NULL);
    sym_end(b);
}

static const char *marker_shape(st_symbol s)
{
    switch (s) {
    case SYM_SQUARE: return "square";
    case SYM_TRIANGLE: return "triangle";
    case SYM_DIAMOND: return "diamond";
    case SYM_STAR: return "star";
    default: return "circle"; /* plane and anchor have no simple marker: a circle */
    }
}

/* A marker symbol from a style layer (circle_dot: a ring with a dot, as on the map). */
static void style_marker_symbol(sbuf *b, int name, const st_layer *L, double k)
{
    sym_begin(b, "marker", name, L->opacity);
    marker_layer(b, marker_shape(L->symbol), L->fill, L->stroke.color, L->stroke.width,
                 k * L->size_pt, 0);
    if (L->symbol == SYM_CIRCLE_DOT)
        marker_layer(b, "circle", L->stroke.color, (cor_rgba){ 0, 0, 0, 0 }, 0,
                     k * L->size_pt * 0.36, 0);
    sym_end(b);
}

/* ---- renderers ----------------------------------------------------------------------------- */
typedef struct {
    sbuf *b;
    const cor_style *s;
    const cor_qml_opts *o;
    const char *field;
    cor_error *err;
} qctx;

static void renderer_begin(sbuf *b, const char *type, const char *attr, int levels)
{
    sb_printf(b, "  <renderer-v2 type=\"%s\"", type);
    if (attr)
        sb_attr(b, "attr", attr);
    if (!strcmp(type, "graduatedSymbol"))
        sb_str(b, " graduatedMethod=\"GraduatedColor\"");
    sb_printf(b, " symbollevels=\"%d\" forceraster=\"0\" enableorderby=\"0\">\n", levels);
}

static void rule(sbuf *b, int key, const char *filter, int symbol, const char *label)
{
    sb_printf(b, "      <rule key=\"{c0a1d0e5-0000-4000-8000-%012d}\" symbol=\"%d\"", key,
              symbol);
    if (filter)
        sb_attr(b, "filter", filter);
    sb_attr(b, "label", label);
    sb_str(b, "/>\n");
}

/* The filter of a style layer as a QGIS expression, ANDed with "mode" = 'mode'. */
static void style_filter(sbuf *e, const st_layer *L, const char *mode)
{
    sb_str(e, "\"mode\" = ");
    ex_string(e, mode);
    for (size_t k = 0; k < L->n_conds; k++) {
        const st_cond *c = &L->conds[k];
        sb_str(e, " AND ");
        ex_field(e, c->field);
        if (c->kind == COND_IN) {
            sb_str(e, " IN (");
            for (size_t j = 0; j < c->n_values; j++) {
                if (j)
                    sb_str(e, ", ");
                ex_string(e, c->values[j]);
            }
            sb_str(e, ")");
        } else if (c->kind == COND_PRESENT)
            sb_printf(e, " IS %sNULL", c->present ? "NOT " : "");
        else {
            if (!isnan(c->min))
                sb_printf(e, " >= %.15g", c->min);
            if (!isnan(c->min) && !isnan(c->max)) {
                sb_str(e, " AND ");
                ex_field(e, c->field);
            }
            if (!isnan(c->max))
                sb_printf(e, " < %.15g", c->max);
        }
    }
}

/* Edges and route legs: a rule per road or rail layer of the style, in its draw order, and
 * the access, boarding and alighting links thin, grey and dashed under everything. */
static void network_lines(qctx *q, double k)
{
    sbuf *b = q->b;
    const cor_style *s = q->s;
    char tb[512];
    renderer_begin(b, "RuleRenderer", NULL, 1);
    sb_str(b, "    <rules key=\"{c0a1d0e5-0000-4000-8000-000000000000}\">\n");
    rule(b, 1, "\"mode\" IN ('access', 'board', 'alight')", 0,
         q->o->lang == COR_LANG_EN ? "Access link" : q->o->lang == COR_LANG_ZH ? "接驳线"
                                                                              : "接驳线 Access link");
    int n = 1;
    for (size_t i = 0; i < s->n_layers; i++) {
        const st_layer *L = &s->layers[i];
        if (L->source != SRC_LINES)
            continue;
        sbuf e = { 0 };
        style_filter(&e, L, L->role == COR_ROLE_RAIL ? "rail" : "road");
        if (e.oom)
            b->oom = 1;
        rule(b, n + 1, e.s ? e.s : "", n,
             L->has_legend ? st_text_get(&L->legend, q->o->lang, tb, sizeof tb) : L->id);
        free(e.s);
        n++;
    }
    sb_str(b, "    </rules>\n    <symbols>\n");
    static const double DASH[] = { 1.5, 1.5 };
    sym_begin(b, "line", 0, 1);
    line_layer(b, (cor_rgba){ 0.45, 0.48, 0.51, 0.9 }, 0.45 * k, DASH, 2, 0, NULL);
    sym_end(b);
    n = 1;
    for (size_t i = 0; i < s->n_layers; i++)
        if (s->layers[i].source == SRC_LINES) {
            style_line_symbol(b, n, &s->layers[i], k, n, NULL);
            n++;
        }
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

static void category(sbuf *b, const char *value, int symbol, const char *label)
{
    sb_str(b, "      <category render=\"true\"");
    sb_attr(b, "value", value);
    sb_printf(b, " symbol=\"%d\"", symbol);
    sb_attr(b, "label", label);
    sb_str(b, "/>\n");
}

static void network_nodes(qctx *q)
{
    sbuf *b = q->b;
    const cor_style *s = q->s;
    char tb[512];
    renderer_begin(b, "categorizedSymbol", q->field, 0);
    const st_layer *st = find_layer(q->s, "stations"), *ci = find_layer(q->s, "cities-small");
    int zh = q->o->lang == COR_LANG_ZH, en = q->o->lang == COR_LANG_EN;
    sb_str(b, "    <categories>\n");
    category(b, "road", 0, zh ? "道路节点" : en ? "Road node" : "道路节点 Road node");
    category(b, "rail", 1, zh ? "铁路节点" : en ? "Rail node" : "铁路节点 Rail node");
    category(b, "station", 2,
             st && st->has_legend ? st_text_get(&st->legend, q->o->lang, tb, sizeof tb)
                                  : "station");
    category(b, "place", 3, zh ? "地点" : en ? "Place" : "地点 Place");
    sb_str(b, "    </categories>\n    <symbols>\n");
    cor_rgba none = { 0, 0, 0, 0 };
    sym_begin(b, "marker", 0, 0.6);
    const st_layer *rd = find_layer(s, "roads"); /* its casing: its stroke is white */
    marker_layer(b, "circle", rd && rd->casing.color.a > 0 ? rd->casing.color
                              : layer_stroke(s, "roads", (cor_rgba){ 0.71, 0.68, 0.63, 1 }),
                 none, 0, 1.2, 0);
    sym_end(b);
    sym_begin(b, "marker", 1, 0.6);
    marker_layer(b, "circle", layer_stroke(s, "rail", (cor_rgba){ 0.36, 0.38, 0.40, 1 }), none,
                 0, 1.2, 0);
    sym_end(b);
    if (st)
        style_marker_symbol(b, 2, st, 0.6); /* every station, not only the map's HSR ones */
    else {
        sym_begin(b, "marker", 2, 1);
        marker_layer(b, "circle", (cor_rgba){ 1, 1, 1, 1 }, s->text_color, 0.9, 3.6, 0);
        sym_end(b);
    }
    if (ci)
        style_marker_symbol(b, 3, ci, 0.8);
    else {
        sym_begin(b, "marker", 3, 1);
        marker_layer(b, "circle", (cor_rgba){ 1, 1, 1, 1 }, s->text_color, 1, 4.5, 0);
        sym_end(b);
    }
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

static void fmt_num(char *out, size_t n, double v)
{
    snprintf(out, n, "%.15g", v);
}

static void fmt_label(char *out, size_t n, double v)
{
    double a = fabs(v);
    snprintf(out, n, a != 0 && (a < 0.01 || a >= 1e7) ? "%.3g" : a < 10 ? "%.3g" : "%.0f", v);
}

/* Isochrones (polygons) and contours (lines): one class per value, short times dark. */
static void by_minutes(qctx *q, int polygons)
{
    sbuf *b = q->b;
    size_t n = q->o->n_breaks;
    renderer_begin(b, "categorizedSymbol", q->field, 0);
    sb_str(b, "    <categories>\n");
    for (size_t i = 0; i < n; i++) {
        char v[64], lab[96];
        fmt_num(v, sizeof v, q->o->breaks[i]);
        fmt_label(lab, sizeof lab, q->o->breaks[i]);
        snprintf(lab + strlen(lab), sizeof lab - strlen(lab), " min");
        category(b, v, (int)i, lab);
    }
    sb_str(b, "    </categories>\n    <symbols>\n");
    for (size_t i = 0; i < n; i++) {
        double t = n > 1 ? 1.0 - (double)i / (double)(n - 1) : 0.8;
        cor_rgba c = ramp("YlGnBu", 0.25 + 0.7 * t, 1);
        sym_begin(b, polygons ? "fill" : "line", (int)i, 1);
        if (polygons) {
            cor_rgba f = c;
            f.a = 0.45;
            fill_layer(b, f, darker(c, 0.8), 0.5, 0);
        } else
            line_layer(b, darker(c, 0.85), 0.8, NULL, 0, 0, NULL);
        sym_end(b);
    }
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

/* The colour of class i of k: sequential (the map's ramps; YlGnBu, high values dark unless
 * low_is_good, for other roles) or,
 * for deltas, diverging (RdBu around 0; blue for improvements). */
static cor_rgba class_colour(const qctx *q, size_t i, size_t k)
{
    const double *br = q->o->breaks;
    if (q->o->role == COR_QML_DELTA) {
        double m = fmax(fabs(br[0]), fabs(br[k]));
        double mid = 0.5 * (br[i] + br[i + 1]);
        double t = m > 0 ? 0.5 + 0.5 * mid / m : 0.5;
        return ramp("RdBu", q->o->low_is_good ? 1.0 - t : t, 1);
    }
    double t = k > 1 ? (double)i / (double)(k - 1) : 1.0;
    /* as the map's themes (datasets/styles/default.json "themes"): sites on viridis, access
     * on YlOrRd with long times red */
    if (q->o->role == COR_QML_SITES)
        return ramp("viridis", t, 1);
    if (q->o->role == COR_QML_ACCESS)
        return ramp("YlOrRd", 0.1 + 0.9 * t, 1);
    if (q->o->low_is_good)
        t = 1.0 - t;
    return ramp("YlGnBu", 0.15 + 0.85 * t, 1);
}

static cor_qml_geom role_geom(const cor_qml_opts *o)
{
    if (o->geom != COR_QML_GEOM_DEFAULT)
        return o->geom;
    switch (o->role) {
    case COR_QML_NETWORK_EDGES: case COR_QML_ROUTE: case COR_QML_CONTOURS: case COR_QML_LINKAGE:
    case COR_QML_FLOWS: case COR_QML_CORRIDORS:
        return COR_QML_GEOM_LINE;
    case COR_QML_ISOCHRONES: case COR_QML_CORRIDOR_ZONES:
        return COR_QML_GEOM_POLYGON;
    default:
        return COR_QML_GEOM_POINT;
    }
}

/* One symbol of the layer's geometry in colour c (points: size pt). */
static void class_symbol(qctx *q, int name, cor_rgba c, double size)
{
    sbuf *b = q->b;
    cor_qml_geom g = role_geom(q->o);
    if (g == COR_QML_GEOM_POINT) {
        sym_begin(b, "marker", name, 1);
        marker_layer(b, "circle", c, (cor_rgba){ 1, 1, 1, 1 }, 0.4, size, 0);
    } else if (g == COR_QML_GEOM_LINE) {
        sym_begin(b, "line", name, 1);
        line_layer(b, c, 1.2, NULL, 0, 0, NULL);
    } else {
        sym_begin(b, "fill", name, 1);
        cor_rgba f = c;
        f.a = 0.75;
        fill_layer(b, f, darker(c, 0.8), 0.3, 0);
    }
    sym_end(b);
}

static void range_label(char *out, size_t n, double lo, double hi)
{
    char a[48], z[48];
    fmt_label(a, sizeof a, lo);
    fmt_label(z, sizeof z, hi);
    snprintf(out, n, "%s – %s", a, z);
}

/* Access and deltas: a graduated renderer over the given bounds. */
static void graduated(qctx *q)
{
    sbuf *b = q->b;
    size_t k = q->o->n_breaks - 1;
    renderer_begin(b, "graduatedSymbol", q->field, 0);
    sb_str(b, "    <ranges>\n");
    for (size_t i = 0; i < k; i++) {
        char lo[64], hi[64], lab[128];
        fmt_num(lo, sizeof lo, q->o->breaks[i]);
        fmt_num(hi, sizeof hi, q->o->breaks[i + 1]);
        range_label(lab, sizeof lab, q->o->breaks[i], q->o->breaks[i + 1]);
        sb_printf(b, "      <range render=\"true\" symbol=\"%zu\" lower=\"%s\" upper=\"%s\"", i,
                  lo, hi);
        sb_attr(b, "label", lab);
        sb_str(b, "/>\n");
    }
    sb_str(b, "    </ranges>\n    <symbols>\n");
    for (size_t i = 0; i < k; i++)
        class_symbol(q, (int)i, class_colour(q, i, k), 5);
    sb_str(b, "    </symbols>\n");
    sb_str(b, "    <mode name=\"quantile\"/>\n");
    sb_str(b, "  </renderer-v2>\n");
}

/* Sites: rules, the excluded sites grey and small, then the score classes. */
static void sites(qctx *q)
{
    sbuf *b = q->b;
    size_t k = q->o->n_breaks - 1;
    int zh = q->o->lang == COR_LANG_ZH, en = q->o->lang == COR_LANG_EN;
    renderer_begin(b, "RuleRenderer", NULL, 0);
    sb_str(b, "    <rules key=\"{c0a1d0e5-0000-4000-8000-000000000000}\">\n");
    rule(b, 1, "\"excluded\" IS NOT NULL", 0, zh ? "已排除" : en ? "Excluded" : "已排除 Excluded");
    for (size_t i = 0; i < k; i++) {
        sbuf e = { 0 };
        ex_field(&e, q->field);
        sb_printf(&e, " %s %.15g AND ", i ? ">" : ">=", q->o->breaks[i]);
        ex_field(&e, q->field);
        sb_printf(&e, " <= %.15g", q->o->breaks[i + 1]);
        if (e.oom)
            b->oom = 1;
        char lab[128];
        range_label(lab, sizeof lab, q->o->breaks[i], q->o->breaks[i + 1]);
        rule(b, (int)i + 2, e.s ? e.s : "", (int)i + 1, lab);
        free(e.s);
    }
    sb_str(b, "    </rules>\n    <symbols>\n");
    sym_begin(b, "marker", 0, 0.7);
    marker_layer(b, "circle", hex(0x9e9e9e, 1), (cor_rgba){ 1, 1, 1, 1 }, 0.3, 2.6, 0);
    sym_end(b);
    for (size_t i = 0; i < k; i++)
        class_symbol(q, (int)i + 1, class_colour(q, i, k), 4.2 + 2.0 * (double)i / (double)k);
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

/* scale_linear of the field to [lo, hi] points, or NULL for a fixed width. */
static char *width_expr(const qctx *q, double lo_pt, double hi_pt)
{
    if (!(q->o->max_value > 0) || !q->field)
        return NULL;
    sbuf e = { 0 };
    sb_str(&e, "coalesce(scale_linear(");
    ex_field(&e, q->field);
    sb_printf(&e, ", 0, %.15g, %.3g, %.3g), %.3g)", q->o->max_value, lo_pt, hi_pt, lo_pt);
    if (e.oom) {
        free(e.s);
        return NULL;
    }
    return e.s;
}

/* Linkage, flows and corridors: lines whose width follows a field. */
static void proportional_lines(qctx *q)
{
    sbuf *b = q->b;
    const cor_style *s = q->s;
    cor_qml_role r = q->o->role;
    double lo = r == COR_QML_CORRIDORS ? 2.0 : 0.3, hi = r == COR_QML_CORRIDORS ? 8.0 : 6.0;
    char *we = width_expr(q, lo, hi);
    double w0 = we ? lo : r == COR_QML_CORRIDORS ? 3.0 : 1.0;
    if (r == COR_QML_FLOWS) {
        int zh = q->o->lang == COR_LANG_ZH, en = q->o->lang == COR_LANG_EN;
        renderer_begin(b, "categorizedSymbol", "mode", 0);
        sb_str(b, "    <categories>\n");
        category(b, "rail", 0, zh ? "铁路流量" : en ? "Rail flow" : "铁路流量 Rail flow");
        category(b, "road", 1, zh ? "公路流量" : en ? "Road flow" : "公路流量 Road flow");
        category(b, "access", 2, zh ? "接驳" : en ? "Access" : "接驳 Access");
        sb_str(b, "    </categories>\n    <symbols>\n");
        const st_layer *h = find_layer(s, "highways");
        cor_rgba cols[3] = { layer_stroke(s, "highspeed", hex(0xc8102e, 1)),
                             h && h->casing.color.a > 0 ? h->casing.color : hex(0xb07a2e, 1),
                             hex(0x7a7f84, 1) };
        for (int i = 0; i < 3; i++) {
            sym_begin(b, "line", i, 1);
            line_layer(b, cols[i], w0, NULL, 0, 0, we);
            sym_end(b);
        }
    } else {
        renderer_begin(b, "singleSymbol", NULL, 0);
        sb_str(b, "    <symbols>\n");
        cor_rgba c = r == COR_QML_LINKAGE ? hex(0x1f4e79, 1) : hex(0x7b4fa0, 1);
        const st_layer *L = find_layer(s, r == COR_QML_LINKAGE ? "airports" : "parks-etdz");
        if (L && L->fill.a > 0)
            c = L->fill;
        sym_begin(b, "line", 0, r == COR_QML_LINKAGE ? 0.6 : 1); /* opaque: no beads at joins */
        line_layer(b, c, w0, NULL, 0, 0, we);
        sym_end(b);
    }
    free(we);
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

static void single_fill_or_point(qctx *q)
{
    sbuf *b = q->b;
    renderer_begin(b, "singleSymbol", NULL, 0);
    sb_str(b, "    <symbols>\n");
    const st_layer *L = find_layer(q->s, "parks-etdz");
    cor_rgba c = L && L->fill.a > 0 ? L->fill : hex(0x7b4fa0, 1);
    if (q->o->role == COR_QML_CORRIDOR_ZONES) {
        sym_begin(b, "fill", 0, 1);
        cor_rgba f = c;
        f.a = 0.18;
        fill_layer(b, f, c, 0.6, 0);
    } else {
        sym_begin(b, "marker", 0, 1);
        marker_layer(b, "diamond", q->s->text_color, (cor_rgba){ 1, 1, 1, 1 }, 0.4, 4, 0);
    }
    sym_end(b);
    sb_str(b, "    </symbols>\n  </renderer-v2>\n");
}

/* ---- labels -------------------------------------------------------------------------------- */
static void labeling(qctx *q, const char *text, int is_expr, const st_label *lb,
                     int placement)
{
    sbuf *b = q->b;
    sb_str(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
              "      <text-style");
    sb_attr(b, "fieldName", text);
    sb_printf(b, " isExpression=\"%d\"", is_expr);
    sb_attr(b, "fontFamily", cor_style_font(q->s));
    sb_printf(b, " fontSize=\"%.3g\" fontSizeUnit=\"Point\" fontWeight=\"%d\" namedStyle=\"%s\""
                 " fontItalic=\"0\" textColor=\"", lb->size_pt, lb->bold ? 75 : 50,
              lb->bold ? "Bold" : "Regular");
    sb_colour(b, (cor_rgba){ lb->color.r, lb->color.g, lb->color.b, 1 });
    sb_printf(b, "\" textOpacity=\"%.3g\" fontLetterSpacing=\"%.3g\" multilineHeight=\"1\""
                 " allowHtml=\"0\">\n", lb->color.a, lb->letter_spacing_pt);
    sb_printf(b, "        <text-buffer bufferDraw=\"%d\" bufferSize=\"%.3g\""
                 " bufferSizeUnits=\"Point\" bufferColor=\"", lb->halo_pt > 0 && lb->halo.a > 0,
              lb->halo_pt);
    sb_colour(b, (cor_rgba){ lb->halo.r, lb->halo.g, lb->halo.b, 1 });
    sb_printf(b, "\" bufferOpacity=\"%.3g\" bufferJoinStyle=\"128\" bufferNoFill=\"1\"/>\n",
              lb->halo.a);
    sb_str(b, "      </text-style>\n      <text-format wrapChar=\"\" multilineAlign=\"3\"/>\n");
    double pr = fmin(10, fmax(0, lb->priority / 10.0));
    sb_printf(b, "      <placement placement=\"%d\" dist=\"1\" distUnits=\"Point\""
                 " priority=\"%.0f\" placementFlags=\"10\" maxCurvedCharAngleIn=\"25\""
                 " maxCurvedCharAngleOut=\"-25\"/>\n", placement, pr);
    /* mergeLines: a corridor is many links; its name goes along the merged line */
    sb_printf(b, "      <rendering obstacle=\"1\" drawLabels=\"1\" displayAll=\"0\""
                 " upsidedownLabels=\"0\" limitNumLabels=\"0\" fontLimitPixelSize=\"0\""
                 " mergeLines=\"%d\"/>\n", placement == 3);
    sb_str(b, "    </settings>\n  </labeling>\n");
}

/* ---- the document ------------------------------------------------------------------------ */
static const char *const ROLE_NAMES[COR_QML_ROLE_COUNT] = {
    "network_edges", "network_nodes", "route", "isochrones", "contours", "access", "linkage",
    "flows", "corridors", "corridor_zones", "breaking_points", "sites", "delta"
};

const char *cor_qml_role_name(cor_qml_role r)
{
    return (unsigned)r < COR_QML_ROLE_COUNT ? ROLE_NAMES[r] : NULL;
}

int cor_qml_role_from_name(const char *name)
{
    for (int i = 0; name && i < COR_QML_ROLE_COUNT; i++)
        if (!strcmp(ROLE_NAMES[i], name))
            return i;
    return -1;
}

static const char *default_field(cor_qml_role r)
{
    switch (r) {
    case COR_QML_NETWORK_NODES: return "kind";
    case COR_QML_ISOCHRONES: case COR_QML_CONTOURS: return "minutes";
    case COR_QML_LINKAGE: return "r_ab";
    case COR_QML_FLOWS: return "load";
    case COR_QML_CORRIDORS: return "max_load";
    case COR_QML_SITES: return "total";
    default: return NULL;
    }
}

static int needs_breaks(cor_qml_role r)
{
    return r == COR_QML_ACCESS || r == COR_QML_SITES || r == COR_QML_DELTA;
}

/* The classified field after checking the options; NULL with err set when they do not fit
 * the role (*ok 0), else the field (NULL when the role has none). */
static const char *checked_field(const cor_qml_opts *o, const char *what, int *ok,
                                 cor_error *err)
{
    *ok = 0;
    if ((unsigned)o->role >= COR_QML_ROLE_COUNT) {
        cor_error_set(err, COR_ERR_INTERNAL, "unknown %s role %d", what, (int)o->role);
        return NULL;
    }
    const char *field = o->field && *o->field ? o->field : default_field(o->role);
    const char *rn = ROLE_NAMES[o->role];
    if ((needs_breaks(o->role) || o->role == COR_QML_ISOCHRONES || o->role == COR_QML_CONTOURS)
        && !field) {
        cor_error_set(err, COR_ERR_INTERNAL, "%s for %s: no field to classify", what, rn);
        return NULL;
    }
    if (needs_breaks(o->role)) {
        int good = o->breaks && o->n_breaks >= 2;
        for (size_t i = 0; good && i < o->n_breaks; i++)
            good = isfinite(o->breaks[i]) && (i == 0 || o->breaks[i] >= o->breaks[i - 1]);
        if (!good) {
            cor_error_set(err, COR_ERR_INTERNAL,
                          "%s for %s: needs at least 2 ascending finite class bounds", what, rn);
            return NULL;
        }
    }
    if ((o->role == COR_QML_ISOCHRONES || o->role == COR_QML_CONTOURS) && o->n_breaks &&
        !o->breaks) {
        cor_error_set(err, COR_ERR_INTERNAL, "%s for %s: values missing", what, rn);
        return NULL;
    }
    *ok = 1;
    return field;
}

char *cor_qml_create(const cor_style *s, const cor_qml_opts *o, cor_error *err)
{
    int ok;
    const char *field = checked_field(o, "QML", &ok, err);
    if (!ok)
        return NULL;
    sbuf b = { 0 };
    qctx q = { &b, s, o, field, err };
    cor_qml_geom g = role_geom(o);
    /* what the map labels: names of corridors and zones, and the best sites */
    const char *lf = o->label_field;
    int lexpr = 0;
    char lbuf[256];
    if (!lf) {
        lf = "";
        if (o->role == COR_QML_CORRIDORS || o->role == COR_QML_CORRIDOR_ZONES)
            lf = "name";
        else if (o->role == COR_QML_SITES) {
            lf = "CASE WHEN \"rank\" <= 10 THEN \"name\" END";
            lexpr = 1;
        }
    }
    snprintf(lbuf, sizeof lbuf, "%s", lf);
    sb_printf(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                  "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\""
                  " labelsEnabled=\"%d\">\n", *lbuf ? 1 : 0);
    sb_str(&b, "  <!-- Corridor: ");
    sb_esc(&b, ROLE_NAMES[o->role]);
    sb_str(&b, " in the style '");
    sb_esc(&b, s->name ? s->name : "");
    sb_str(&b, "' -->\n");
    switch (o->role) {
    case COR_QML_NETWORK_EDGES: network_lines(&q, 1.0); break;
    case COR_QML_ROUTE: network_lines(&q, 2.0); break;
    case COR_QML_NETWORK_NODES: network_nodes(&q); break;
    case COR_QML_ISOCHRONES: by_minutes(&q, 1); break;
    case COR_QML_CONTOURS: by_minutes(&q, 0); break;
    case COR_QML_ACCESS: case COR_QML_DELTA: graduated(&q); break;
    case COR_QML_SITES: sites(&q); break;
    case COR_QML_LINKAGE: case COR_QML_FLOWS: case COR_QML_CORRIDORS: proportional_lines(&q); break;
    case COR_QML_CORRIDOR_ZONES: case COR_QML_BREAKING_POINTS: single_fill_or_point(&q); break;
    default: break;
    }
    if (*lbuf) {
        static const char *const PT[] = { "cities-small", "cities-medium", NULL };
        static const char *const AREA[] = { "province-names", NULL };
        st_label lb = label_look(s, o->role == COR_QML_CORRIDOR_ZONES ? AREA : PT);
        if (o->role == COR_QML_CORRIDOR_ZONES)
            lb.letter_spacing_pt = 0;
        labeling(&q, lbuf, lexpr, &lb, g == COR_QML_GEOM_POINT ? 6 : g == COR_QML_GEOM_LINE ? 3 : 1);
    }
    sb_printf(&b, "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
                  "  <layerOpacity>1</layerOpacity>\n  <layerGeometryType>%d</layerGeometryType>\n"
                  "</qgis>\n",
              g == COR_QML_GEOM_POINT ? 0 : g == COR_QML_GEOM_LINE ? 1 : 2);
    if (b.oom) {
        free(b.s);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return b.s;
}

/* ---- SLD (OGC Symbology Encoding 1.1) for other clients ---------------------------------- */
/* The same classes as the QML, without labels or data-defined widths; sizes in pixels at
 * 96 dpi (SE has no points). */
static double px(double pt) { return pt * 96.0 / 72.0; }

static void sld_hex(sbuf *b, cor_rgba c)
{
    sb_printf(b, "#%02x%02x%02x", c255(c.r), c255(c.g), c255(c.b));
}

static void sld_param(sbuf *b, const char *name, const char *value)
{
    sb_printf(b, "<se:SvgParameter name=\"%s\">", name);
    sb_esc(b, value);
    sb_str(b, "</se:SvgParameter>");
}

static void sld_stroke(sbuf *b, cor_rgba c, double width_pt, const double *dash, int n_dash)
{
    char t[256];
    sb_str(b, "<se:Stroke><se:SvgParameter name=\"stroke\">");
    sld_hex(b, c);
    sb_str(b, "</se:SvgParameter>");
    snprintf(t, sizeof t, "%.3g", c.a);
    sld_param(b, "stroke-opacity", t);
    snprintf(t, sizeof t, "%.3g", px(width_pt));
    sld_param(b, "stroke-width", t);
    sld_param(b, "stroke-linejoin", "round");
    sld_param(b, "stroke-linecap", "round");
    if (n_dash > 0) {
        t[0] = '\0';
        for (int i = 0; i < n_dash; i++) {
            size_t l = strlen(t);
            snprintf(t + l, sizeof t - l, "%s%.3g", i ? " " : "", px(dash[i]));
        }
        sld_param(b, "stroke-dasharray", t);
    }
    sb_str(b, "</se:Stroke>");
}

static void sld_fill(sbuf *b, cor_rgba c)
{
    char t[32];
    sb_str(b, "<se:Fill><se:SvgParameter name=\"fill\">");
    sld_hex(b, c);
    sb_str(b, "</se:SvgParameter>");
    snprintf(t, sizeof t, "%.3g", c.a);
    sld_param(b, "fill-opacity", t);
    sb_str(b, "</se:Fill>");
}

static void sld_line(sbuf *b, cor_rgba c, double width_pt, const double *dash, int n_dash)
{
    if (c.a <= 0 || width_pt <= 0)
        return;
    sb_str(b, "    <se:LineSymbolizer>");
    sld_stroke(b, c, width_pt, dash, n_dash);
    sb_str(b, "</se:LineSymbolizer>\n");
}

static void sld_polygon(sbuf *b, cor_rgba fill, cor_rgba outline, double outline_pt)
{
    sb_str(b, "    <se:PolygonSymbolizer>");
    if (fill.a > 0)
        sld_fill(b, fill);
    if (outline.a > 0 && outline_pt > 0)
        sld_stroke(b, outline, outline_pt, NULL, 0);
    sb_str(b, "</se:PolygonSymbolizer>\n");
}

static void sld_point(sbuf *b, const char *shape, cor_rgba fill, cor_rgba stroke,
                      double stroke_pt, double size_pt)
{
    /* SE's well-known names: square, circle, triangle, star, cross, x */
    const char *wk = !strcmp(shape, "diamond") ? "square" : shape;
    sb_str(b, "    <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>");
    sb_esc(b, wk);
    sb_str(b, "</se:WellKnownName>");
    sld_fill(b, fill);
    if (stroke.a > 0 && stroke_pt > 0)
        sld_stroke(b, stroke, stroke_pt, NULL, 0);
    sb_printf(b, "</se:Mark><se:Size>%.3g</se:Size>", px(size_pt));
    if (!strcmp(shape, "diamond"))
        sb_str(b, "<se:Rotation>45</se:Rotation>");
    sb_str(b, "</se:Graphic></se:PointSymbolizer>\n");
}

static void sld_rule_begin(sbuf *b, const char *title)
{
    sb_str(b, "   <se:Rule>\n    <se:Name>");
    sb_esc(b, title);
    sb_str(b, "</se:Name>\n    <se:Description><se:Title>");
    sb_esc(b, title);
    sb_str(b, "</se:Title></se:Description>\n");
}

static void sld_rule_end(sbuf *b) { sb_str(b, "   </se:Rule>\n"); }

static void sld_prop(sbuf *b, const char *op, const char *field, const char *literal)
{
    sb_printf(b, "<ogc:%s><ogc:PropertyName>", op);
    sb_esc(b, field);
    sb_str(b, "</ogc:PropertyName><ogc:Literal>");
    sb_esc(b, literal);
    sb_printf(b, "</ogc:Literal></ogc:%s>", op);
}

static void sld_prop_num(sbuf *b, const char *op, const char *field, double v)
{
    char t[64];
    fmt_num(t, sizeof t, v);
    sld_prop(b, op, field, t);
}

static void sld_is_null(sbuf *b, const char *field, int negate)
{
    sb_str(b, negate ? "<ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>"
                     : "<ogc:PropertyIsNull><ogc:PropertyName>");
    sb_esc(b, field);
    sb_str(b, negate ? "</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not>"
                     : "</ogc:PropertyName></ogc:PropertyIsNull>");
}

/* One of values (a single value: equality). */
static void sld_in(sbuf *b, const char *field, const char *const *values, size_t n)
{
    if (n > 1)
        sb_str(b, "<ogc:Or>");
    for (size_t i = 0; i < n; i++)
        sld_prop(b, "PropertyIsEqualTo", field, values[i]);
    if (n > 1)
        sb_str(b, "</ogc:Or>");
}

/* A class [lo, hi] (first) or (lo, hi]. */
static void sld_range(sbuf *b, const char *field, double lo, double hi, int first)
{
    sb_str(b, "    <ogc:Filter><ogc:And>");
    sld_prop_num(b, first ? "PropertyIsGreaterThanOrEqualTo" : "PropertyIsGreaterThan", field,
                 lo);
    sld_prop_num(b, "PropertyIsLessThanOrEqualTo", field, hi);
    sb_str(b, "</ogc:And></ogc:Filter>\n");
}

static void sld_style_line(sbuf *b, const st_layer *L, double k)
{
    cor_rgba st = L->stroke.color, ca = L->casing.color, ov = L->overlay.color;
    st.a *= L->opacity;
    ca.a *= L->opacity;
    ov.a *= L->opacity;
    if (L->casing.width > 0)
        sld_line(b, ca, k * (L->stroke.width + 2 * L->casing.width), NULL, 0);
    sld_line(b, st, k * L->stroke.width, L->stroke.dash, L->stroke.n_dash);
    if (L->overlay.width > 0)
        sld_line(b, ov, k * L->overlay.width, L->overlay.dash, L->overlay.n_dash);
}

static void sld_network_lines(qctx *q, double k)
{
    sbuf *b = q->b;
    char tb[512];
    static const char *const ACCESS[] = { "access", "board", "alight" };
    static const double DASH[] = { 1.5, 1.5 };
    sld_rule_begin(b, q->o->lang == COR_LANG_ZH ? "接驳线" : "Access link");
    sb_str(b, "    <ogc:Filter>");
    sld_in(b, "mode", ACCESS, 3);
    sb_str(b, "</ogc:Filter>\n");
    sld_line(b, (cor_rgba){ 0.45, 0.48, 0.51, 0.9 }, 0.45 * k, DASH, 2);
    sld_rule_end(b);
    for (size_t i = 0; i < q->s->n_layers; i++) {
        const st_layer *L = &q->s->layers[i];
        if (L->source != SRC_LINES)
            continue;
        sld_rule_begin(b, L->has_legend ? st_text_get(&L->legend, q->o->lang, tb, sizeof tb)
                                        : L->id);
        const char *mode = L->role == COR_ROLE_RAIL ? "rail" : "road";
        sb_str(b, "    <ogc:Filter><ogc:And>");
        sld_in(b, "mode", &mode, 1);
        for (size_t c = 0; c < L->n_conds; c++) {
            const st_cond *k2 = &L->conds[c];
            if (k2->kind == COND_IN)
                sld_in(b, k2->field, (const char *const *)k2->values, k2->n_values);
            else if (k2->kind == COND_PRESENT)
                sld_is_null(b, k2->field, k2->present);
            else {
                if (!isnan(k2->min))
                    sld_prop_num(b, "PropertyIsGreaterThanOrEqualTo", k2->field, k2->min);
                if (!isnan(k2->max))
                    sld_prop_num(b, "PropertyIsLessThan", k2->field, k2->max);
            }
        }
        if (L->n_conds == 0) /* ogc:And wants two operands */
            sld_is_null(b, "mode", 1);
        sb_str(b, "</ogc:And></ogc:Filter>\n");
        sld_style_line(b, L, k);
        sld_rule_end(b);
    }
}

/* A class symbol of the layer's geometry in colour c. */
static void sld_class_symbol(qctx *q, cor_rgba c, double size_pt)
{
    cor_qml_geom g = role_geom(q->o);
    if (g == COR_QML_GEOM_POINT)
        sld_point(q->b, "circle", c, (cor_rgba){ 1, 1, 1, 1 }, 0.4, size_pt);
    else if (g == COR_QML_GEOM_LINE)
        sld_line(q->b, c, 1.2, NULL, 0);
    else {
        cor_rgba f = c;
        f.a = 0.75;
        sld_polygon(q->b, f, darker(c, 0.8), 0.3);
    }
}

static void sld_rules(qctx *q)
{
    sbuf *b = q->b;
    const cor_style *s = q->s;
    const cor_qml_opts *o = q->o;
    char lab[128], v[64];
    switch (o->role) {
    case COR_QML_NETWORK_EDGES: sld_network_lines(q, 1.0); break;
    case COR_QML_ROUTE: sld_network_lines(q, 2.0); break;
    case COR_QML_NETWORK_NODES: { /* stations and places; road and rail nodes not drawn */
        static const char *const KIND[] = { "station", "place" };
        static const char *const IDS[] = { "stations", "cities-small" };
        for (int i = 0; i < 2; i++) {
            const st_layer *L = find_layer(s, IDS[i]);
            sld_rule_begin(b, KIND[i]);
            sb_str(b, "    <ogc:Filter>");
            sld_in(b, q->field, &KIND[i], 1);
            sb_str(b, "</ogc:Filter>\n");
            if (L)
                sld_point(b, marker_shape(L->symbol), L->fill, L->stroke.color, L->stroke.width,
                          L->size_pt * (i ? 0.8 : 0.6));
            else
                sld_point(b, "circle", (cor_rgba){ 1, 1, 1, 1 }, s->text_color, 0.9, 3.6);
            sld_rule_end(b);
        }
        break;
    }
    case COR_QML_ISOCHRONES: case COR_QML_CONTOURS:
        for (size_t i = 0; i < o->n_breaks; i++) {
            size_t n = o->n_breaks;
            double t = n > 1 ? 1.0 - (double)i / (double)(n - 1) : 0.8;
            cor_rgba c = ramp("YlGnBu", 0.25 + 0.7 * t, 1);
            fmt_num(v, sizeof v, o->breaks[i]);
            fmt_label(lab, sizeof lab, o->breaks[i]);
            snprintf(lab + strlen(lab), sizeof lab - strlen(lab), " min");
            sld_rule_begin(b, lab);
            sb_str(b, "    <ogc:Filter>");
            sld_prop(b, "PropertyIsEqualTo", q->field, v);
            sb_str(b, "</ogc:Filter>\n");
            if (o->role == COR_QML_ISOCHRONES) {
                cor_rgba f = c;
                f.a = 0.45;
                sld_polygon(b, f, darker(c, 0.8), 0.5);
            } else
                sld_line(b, darker(c, 0.85), 0.8, NULL, 0);
            sld_rule_end(b);
        }
        break;
    case COR_QML_ACCESS: case COR_QML_DELTA: case COR_QML_SITES: {
        size_t k = o->n_breaks - 1;
        if (o->role == COR_QML_SITES) {
            sld_rule_begin(b, q->o->lang == COR_LANG_ZH ? "已排除" : "Excluded");
            sb_str(b, "    <ogc:Filter>");
            sld_is_null(b, "excluded", 1);
            sb_str(b, "</ogc:Filter>\n");
            sld_point(b, "circle", hex(0x9e9e9e, 0.7), (cor_rgba){ 1, 1, 1, 1 }, 0.3, 2.6);
            sld_rule_end(b);
        }
        for (size_t i = 0; i < k; i++) {
            range_label(lab, sizeof lab, o->breaks[i], o->breaks[i + 1]);
            sld_rule_begin(b, lab);
            sld_range(b, q->field, o->breaks[i], o->breaks[i + 1], i == 0);
            sld_class_symbol(q, class_colour(q, i, k),
                             o->role == COR_QML_SITES ? 4.2 + 2.0 * (double)i / (double)k : 5);
            sld_rule_end(b);
        }
        break;
    }
    case COR_QML_FLOWS: {
        static const char *const MODES[] = { "rail", "road", "access" };
        const st_layer *h = find_layer(s, "highways");
        cor_rgba cols[3] = { layer_stroke(s, "highspeed", hex(0xc8102e, 1)),
                             h && h->casing.color.a > 0 ? h->casing.color : hex(0xb07a2e, 1),
                             hex(0x7a7f84, 1) };
        for (int i = 0; i < 3; i++) {
            sld_rule_begin(b, MODES[i]);
            sb_str(b, "    <ogc:Filter>");
            sld_in(b, "mode", &MODES[i], 1);
            sb_str(b, "</ogc:Filter>\n");
            sld_line(b, cols[i], 1.5, NULL, 0);
            sld_rule_end(b);
        }
        break;
    }
    case COR_QML_LINKAGE: case COR_QML_CORRIDORS: {
        int lk = o->role == COR_QML_LINKAGE;
        const st_layer *L = find_layer(s, lk ? "airports" : "parks-etdz");
        cor_rgba c = L && L->fill.a > 0 ? L->fill : hex(lk ? 0x1f4e79 : 0x7b4fa0, 1);
        c.a = lk ? 0.6 : 1;
        sld_rule_begin(b, ROLE_NAMES[o->role]);
        sld_line(b, c, lk ? 1.0 : 3.0, NULL, 0);
        sld_rule_end(b);
        break;
    }
    default: { /* corridor zones, breaking points */
        const st_layer *L = find_layer(s, "parks-etdz");
        cor_rgba c = L && L->fill.a > 0 ? L->fill : hex(0x7b4fa0, 1);
        sld_rule_begin(b, ROLE_NAMES[o->role]);
        if (o->role == COR_QML_CORRIDOR_ZONES) {
            cor_rgba f = c;
            f.a = 0.18;
            sld_polygon(b, f, c, 0.6);
        } else
            sld_point(b, "diamond", s->text_color, (cor_rgba){ 1, 1, 1, 1 }, 0.4, 4);
        sld_rule_end(b);
        break;
    }
    }
}

char *cor_sld_create(const cor_style *s, const cor_qml_opts *o, const char *layer,
                     cor_error *err)
{
    int ok;
    const char *field = checked_field(o, "SLD", &ok, err);
    if (!ok)
        return NULL;
    sbuf b = { 0 };
    qctx q = { &b, s, o, field, err };
    sb_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\""
               " xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:se=\"http://www.opengis.net/se\""
               " xmlns:xlink=\"http://www.w3.org/1999/xlink\""
               " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"1.1.0\""
               " xsi:schemaLocation=\"http://www.opengis.net/sld"
               " http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">\n"
               " <NamedLayer>\n  <se:Name>");
    sb_esc(&b, layer ? layer : ROLE_NAMES[o->role]);
    sb_str(&b, "</se:Name>\n  <UserStyle>\n   <se:Name>");
    sb_esc(&b, layer ? layer : ROLE_NAMES[o->role]);
    sb_str(&b, "</se:Name>\n   <se:FeatureTypeStyle>\n");
    sld_rules(&q);
    sb_str(&b, "   </se:FeatureTypeStyle>\n  </UserStyle>\n </NamedLayer>\n"
               "</StyledLayerDescriptor>\n");
    if (b.oom) {
        free(b.s);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return b.s;
}
