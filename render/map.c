/* map.c: the map document: the theme's layers loaded from the dataset and filtered, the
 * extent, the page layout, drawing the layer stack, and writing the file. */
#include "map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const THEMES[] = { "base", "access", "isochrone", "corridors", "sites",
                                      "scenario", NULL };

const char *const *cor_render_themes(void) { return THEMES; }

int cor_render_theme_known(const char *name)
{
    for (size_t i = 0; name && THEMES[i]; i++)
        if (!strcmp(name, THEMES[i]))
            return 1;
    return 0;
}

int cor_render_format_from_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return -1;
    if (!strcasecmp(dot, ".png"))
        return COR_FORMAT_PNG;
    if (!strcasecmp(dot, ".pdf"))
        return COR_FORMAT_PDF;
    if (!strcasecmp(dot, ".svg"))
        return COR_FORMAT_SVG;
    return -1;
}

int cor_paper_size_mm(const char *name, double *w_mm, double *h_mm, int *orientation)
{
    static const struct { const char *n; double w, h; } P[] = {
        { "A0", 841, 1189 }, { "A1", 594, 841 }, { "A2", 420, 594 }, { "A3", 297, 420 },
        { "A4", 210, 297 }, { "A5", 148, 210 },
    };
    if (!name)
        return 0;
    size_t len = strcspn(name, "-");
    const char *suffix = name + len;
    int orient = 0;
    if (*suffix) {
        if (!strcasecmp(suffix, "-portrait"))
            orient = 1;
        else if (!strcasecmp(suffix, "-landscape"))
            orient = 2;
        else
            return 0;
    }
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++)
        if (strlen(P[i].n) == len && !strncasecmp(name, P[i].n, len)) {
            *w_mm = P[i].w;
            *h_mm = P[i].h;
            *orientation = orient;
            return 1;
        }
    return 0;
}

int cor_lang_from_name(const char *name)
{
    if (!name)
        return -1;
    if (!strcmp(name, "zh"))
        return COR_LANG_ZH;
    if (!strcmp(name, "en"))
        return COR_LANG_EN;
    if (!strcmp(name, "both"))
        return COR_LANG_BOTH;
    return -1;
}

/* ---- transforms ------------------------------------------------------------------------------ */

void map_to_page(const cor_map *m, double x, double y, double *px, double *py)
{
    *px = m->frame.x + (x - m->view.min_x) * m->scale;
    *py = m->frame.y + (m->view.max_y - y) * m->scale;
}

void page_to_map(const cor_map *m, double px, double py, double *x, double *y)
{
    *x = m->view.min_x + (px - m->frame.x) / m->scale;
    *y = m->view.max_y - (py - m->frame.y) / m->scale;
}

void cor_map_px_to_xy(const cor_map *m, double px, double py, double *x_m, double *y_m)
{
    page_to_map(m, px / m->px_per_pt, py / m->px_per_pt, x_m, y_m);
}

void cor_map_xy_to_px(const cor_map *m, double x_m, double y_m, double *px, double *py)
{
    map_to_page(m, x_m, y_m, px, py);
    *px *= m->px_per_pt;
    *py *= m->px_per_pt;
}

/* ---- distance to the nearest line of a class (filters like "highspeed_m") -------------------- */

struct seg_grid {
    double x0, y0, cell;
    size_t nx, ny;
    size_t *start;              /* nx * ny + 1 */
    uint32_t *items;
    double *seg;                /* x1, y1, x2, y2 per segment */
};

static void grid_free(struct seg_grid *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->items);
    free(g->seg);
    free(g);
}

static void cell_range(const struct seg_grid *g, double a, double b, double lo, size_t n,
                       size_t *i0, size_t *i1)
{
    double c0 = floor((fmin(a, b) - lo) / g->cell), c1 = floor((fmax(a, b) - lo) / g->cell);
    *i0 = c0 < 0 ? 0 : c0 >= (double)n ? n - 1 : (size_t)c0;
    *i1 = c1 < 0 ? 0 : c1 >= (double)n ? n - 1 : (size_t)c1;
}

static struct seg_grid *grid_build(cor_map *m, cor_line_class cls, cor_error *err)
{
    cor_role role = cls == COR_CLASS_HIGHSPEED || cls == COR_CLASS_CONVENTIONAL ? COR_ROLE_RAIL
                                                                               : COR_ROLE_ROAD;
    const cor_lines *ls = cor_dataset_lines(m->ds, role, err);
    if (!ls)
        return NULL;
    struct seg_grid *g = calloc(1, sizeof *g);
    size_t ns = 0;
    for (size_t i = 0; i < ls->n_lines; i++)
        if (ls->cls[i] == cls)
            ns += ls->start[i + 1] - ls->start[i] - 1;
    if (!g || !(g->seg = malloc((ns ? ns : 1) * 4 * sizeof *g->seg))) {
        grid_free(g);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    cor_bbox bb = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    size_t k = 0;
    for (size_t i = 0; i < ls->n_lines; i++) {
        if (ls->cls[i] != cls)
            continue;
        for (size_t j = ls->start[i]; j + 1 < ls->start[i + 1]; j++) {
            double *s = g->seg + 4 * k++;
            s[0] = ls->xy[2 * j];
            s[1] = ls->xy[2 * j + 1];
            s[2] = ls->xy[2 * j + 2];
            s[3] = ls->xy[2 * j + 3];
            bb.min_x = fmin(bb.min_x, fmin(s[0], s[2]));
            bb.max_x = fmax(bb.max_x, fmax(s[0], s[2]));
            bb.min_y = fmin(bb.min_y, fmin(s[1], s[3]));
            bb.max_y = fmax(bb.max_y, fmax(s[1], s[3]));
        }
    }
    g->cell = 2000.0;
    g->x0 = ns ? bb.min_x : 0;
    g->y0 = ns ? bb.min_y : 0;
    g->nx = ns ? (size_t)((bb.max_x - bb.min_x) / g->cell) + 1 : 1;
    g->ny = ns ? (size_t)((bb.max_y - bb.min_y) / g->cell) + 1 : 1;
    if (g->nx * g->ny > 4000000) { /* huge extents: coarser cells */
        g->cell *= sqrt((double)(g->nx * g->ny) / 4000000.0) + 1;
        g->nx = (size_t)((bb.max_x - bb.min_x) / g->cell) + 1;
        g->ny = (size_t)((bb.max_y - bb.min_y) / g->cell) + 1;
    }
    size_t nc = g->nx * g->ny;
    g->start = calloc(nc + 1, sizeof *g->start);
    size_t total = 0;
    for (int pass = 0; pass < 2 && g->start; pass++) {
        if (pass == 1) {
            for (size_t c = 0; c < nc; c++) /* counts to offsets */
                g->start[c + 1] += g->start[c];
            total = g->start[nc];
            if (!(g->items = malloc((total ? total : 1) * sizeof *g->items)))
                break;
        }
        size_t *fill = pass ? calloc(nc, sizeof *fill) : NULL;
        if (pass && !fill)
            break;
        for (size_t s = 0; s < ns; s++) {
            const double *q = g->seg + 4 * s;
            size_t a0, a1, b0, b1;
            cell_range(g, q[0], q[2], g->x0, g->nx, &a0, &a1);
            cell_range(g, q[1], q[3], g->y0, g->ny, &b0, &b1);
            for (size_t b = b0; b <= b1; b++)
                for (size_t a = a0; a <= a1; a++) {
                    size_t c = b * g->nx + a;
                    if (pass == 0)
                        g->start[c + 1]++;
                    else
                        g->items[g->start[c] + fill[c]++] = (uint32_t)s;
                }
        }
        free(fill);
    }
    if (!g->start || !g->items) {
        grid_free(g);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return g;
}

static double grid_distance(const struct seg_grid *g, double x, double y, double limit)
{
    size_t a0, a1, b0, b1;
    cell_range(g, x - limit, x + limit, g->x0, g->nx, &a0, &a1);
    cell_range(g, y - limit, y + limit, g->y0, g->ny, &b0, &b1);
    double best = INFINITY;
    for (size_t b = b0; b <= b1; b++)
        for (size_t a = a0; a <= a1; a++) {
            size_t c = b * g->nx + a;
            for (size_t k = g->start[c]; k < g->start[c + 1]; k++) {
                const double *q = g->seg + 4 * g->items[k];
                double dx = q[2] - q[0], dy = q[3] - q[1], l2 = dx * dx + dy * dy;
                double t = l2 > 0 ? ((x - q[0]) * dx + (y - q[1]) * dy) / l2 : 0;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double ex = q[0] + t * dx - x, ey = q[1] + t * dy - y;
                best = fmin(best, sqrt(ex * ex + ey * ey));
            }
        }
    return best <= limit ? best : INFINITY;
}

/* ---- reading features and filters ------------------------------------------------------------- */

typedef struct {
    st_source kind;
    const cor_lines *lines;
    const cor_place *place;
    const mcache *cache;
    size_t i;
} srcref;

static const char *place_name(const char *s)
{
    return s && *s && s[0] != '#' ? s : NULL;
}

/* A field's value as text (NULL when it has none). "<class>_m" on points is the distance to
 * the nearest line of that class within limit metres. */
static const char *field_value(cor_map *m, const srcref *r, const char *field, double limit,
                               char *buf, size_t n, cor_error *err)
{
    if (r->kind == SRC_LINES) {
        if (!strcmp(field, "class"))
            return cor_class_name((cor_line_class)r->lines->cls[r->i]);
        if (!strcmp(field, "speed_kmh") && isfinite(r->lines->speed_kmh[r->i])) {
            snprintf(buf, n, "%g", (double)r->lines->speed_kmh[r->i]);
            return buf;
        }
        return NULL;
    }
    if (r->kind == SRC_PLACES) {
        const cor_place *p = r->place;
        if (!strcmp(field, "name"))
            return place_name(p->name);
        if (!strcmp(field, "name_zh"))
            return place_name(p->name_zh);
        if (!strcmp(field, "kind"))
            return *p->kind ? p->kind : NULL;
        if (!strcmp(field, "mass") || !strcmp(field, "population")) {
            if (!isfinite(p->mass))
                return NULL;
            snprintf(buf, n, "%.17g", p->mass);
            return buf;
        }
        size_t fl = strlen(field);
        for (int c = 0; c < COR_CLASS_COUNT && fl > 2 && !strcmp(field + fl - 2, "_m"); c++) {
            const char *cn = cor_class_name((cor_line_class)c);
            if (strlen(cn) != fl - 2 || strncmp(field, cn, fl - 2))
                continue;
            if (!m->grids[c] && !(m->grids[c] = grid_build(m, (cor_line_class)c, err)))
                return NULL;
            double d = grid_distance(m->grids[c], p->x_m, p->y_m, limit);
            if (!isfinite(d))
                return NULL;
            snprintf(buf, n, "%.17g", d);
            return buf;
        }
        return NULL;
    }
    const mcache *c = r->cache;
    for (size_t k = 0; k < c->n_fields; k++)
        if (!strcmp(c->fields[k], field))
            return c->feat.values[r->i * c->feat.n_fields + k];
    return NULL;
}

static int passes(cor_map *m, const st_layer *L, const srcref *r, cor_error *err)
{
    char buf[64];
    for (size_t k = 0; k < L->n_conds; k++) {
        const st_cond *c = &L->conds[k];
        double limit = c->kind == COND_RANGE && isfinite(c->max) ? c->max : 50000.0;
        const char *v = field_value(m, r, c->field, limit, buf, sizeof buf, err);
        if (err && err->code)
            return 0;
        if (c->kind == COND_PRESENT) {
            if ((v && *v) != c->present)
                return 0;
        } else if (c->kind == COND_IN) {
            int hit = 0;
            for (size_t j = 0; v && j < c->n_values && !hit; j++)
                hit = !strcmp(v, c->values[j]);
            if (!hit)
                return 0;
        } else {
            char *end;
            double d = v ? strtod(v, &end) : NAN;
            if (!v || end == v || !isfinite(d) || (!isnan(c->min) && d < c->min) ||
                (!isnan(c->max) && d >= c->max))
                return 0;
        }
    }
    return 1;
}

static int has_layer(const cor_dataset *ds, const char *name)
{
    for (size_t i = 0; name && i < cor_dataset_layer_count(ds); i++) {
        cor_layer_info li;
        cor_dataset_layer_info(ds, i, &li);
        if (!strcmp(li.name, name))
            return 1;
    }
    return 0;
}

static const char *layer_name_of(const cor_map *m, const st_layer *L)
{
    return L->layer ? L->layer : cor_dataset_role_layer(m->ds, COR_ROLE_BOUNDARY);
}

static cor_status add_field(char ***fields, size_t *n, const char *f)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*fields)[i], f))
            return COR_OK;
    char **nf = realloc(*fields, (*n + 1) * sizeof *nf);
    if (!nf)
        return COR_ERR_NOMEM;
    *fields = nf;
    if (!(nf[*n] = strdup(f)))
        return COR_ERR_NOMEM;
    (*n)++;
    return COR_OK;
}

/* Reads a layer by name once, with every field any style layer on it needs. */
static mcache *get_cache(cor_map *m, const char *name, cor_error *err)
{
    for (size_t i = 0; i < m->n_caches; i++)
        if (!strcmp(m->caches[i].name, name))
            return &m->caches[i];
    mcache *nc = realloc(m->caches, (m->n_caches + 1) * sizeof *nc);
    if (!nc) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->caches = nc;
    mcache *c = &m->caches[m->n_caches++];
    memset(c, 0, sizeof *c);
    cor_status rc = (c->name = strdup(name)) ? COR_OK : COR_ERR_NOMEM;
    for (size_t i = 0; rc == COR_OK && i < m->style->n_layers; i++) {
        const st_layer *L = &m->style->layers[i];
        if (L->source != SRC_LAYER || !layer_name_of(m, L) || strcmp(layer_name_of(m, L), name))
            continue;
        for (size_t k = 0; rc == COR_OK && k < L->n_conds; k++)
            rc = add_field(&c->fields, &c->n_fields, L->conds[k].field);
        if (rc == COR_OK)
            rc = add_field(&c->fields, &c->n_fields, L->label.field ? L->label.field : "name_zh");
        if (rc == COR_OK)
            rc = add_field(&c->fields, &c->n_fields, L->label.field_en ? L->label.field_en : "name");
    }
    if (rc != COR_OK) {
        cor_error_set(err, rc, "out of memory");
        return NULL;
    }
    if (cor_dataset_read_layer(m->ds, name, (const char *const *)c->fields, c->n_fields,
                               &c->feat, err) != COR_OK)
        return NULL;
    if (!(c->shapes = calloc(c->feat.n ? c->feat.n : 1, sizeof *c->shapes))) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    cor_wkb_reader *rd = cor_wkb_reader_create(err);
    if (!rd)
        return NULL;
    for (size_t i = 0; i < c->feat.n; i++) {
        if (!c->feat.wkb[i])
            continue;
        cor_error e = COR_ERROR_INIT;
        if (cor_wkb_read_shape(rd, c->feat.wkb[i], c->feat.wkb_len[i], &c->shapes[i], &e))
            cor_log(&m->o.log, COR_LOG_WARN, "%s: layer '%s', feature %lld skipped: %s",
                    cor_dataset_source(m->ds), name, (long long)c->feat.fid[i], e.msg);
    }
    cor_wkb_reader_destroy(rd);
    return c;
}

static cor_status push_feat(mlayer *ml, size_t *cap, const mfeat *f)
{
    if (ml->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        mfeat *nf = realloc(ml->f, nc * sizeof *nf);
        if (!nf)
            return COR_ERR_NOMEM;
        ml->f = nf;
        *cap = nc;
    }
    ml->f[ml->n++] = *f;
    return COR_OK;
}

static cor_bbox run_bbox(const double *xy, size_t n)
{
    cor_bbox b = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < n; i++) {
        b.min_x = fmin(b.min_x, xy[2 * i]);
        b.max_x = fmax(b.max_x, xy[2 * i]);
        b.min_y = fmin(b.min_y, xy[2 * i + 1]);
        b.max_y = fmax(b.max_y, xy[2 * i + 1]);
    }
    return b;
}

/* Under a thematic theme only the style's base layers are drawn (faded). */
static const char *const DEFAULT_BASE[] = { "land", "region", "water", "rivers", "prefectures",
                                            "provinces", "rail", "highspeed", "ports",
                                            "cities-large",
                                            "cities-medium", "cities-small", "province-names",
                                            NULL };

static int in_theme_base(const cor_map *m, const st_layer *L)
{
    if (m->theme < 0)
        return 1;
    const cor_style *st = m->style;
    if (st->base_layers) {
        for (size_t i = 0; i < st->n_base_layers; i++)
            if (!strcmp(st->base_layers[i], L->id))
                return 1;
        return 0;
    }
    for (size_t i = 0; DEFAULT_BASE[i]; i++)
        if (!strcmp(DEFAULT_BASE[i], L->id))
            return 1;
    return 0;
}

/* Loads and filters the features of style layer li. */
static cor_status load_layer(cor_map *m, size_t li, cor_error *err)
{
    const st_layer *L = &m->style->layers[li];
    mlayer *ml = &m->layers[li];
    ml->st = L;
    size_t cap = 0;
    if (!in_theme_base(m, L))
        return COR_OK;
    if (L->source == SRC_LINES) {
        const cor_lines *ls = cor_dataset_lines(m->ds, (cor_role)L->role, err);
        if (!ls)
            return err->code;
        for (size_t i = 0; i < ls->n_lines; i++) {
            srcref r = { SRC_LINES, ls, NULL, NULL, i };
            if (!passes(m, L, &r, err)) {
                if (err->code)
                    return err->code;
                continue;
            }
            mfeat f = { .xy = ls->xy + 2 * ls->start[i], .n = ls->start[i + 1] - ls->start[i],
                        .mass = NAN };
            f.bb = run_bbox(f.xy, f.n);
            f.x = f.xy[0];
            f.y = f.xy[1];
            if (push_feat(ml, &cap, &f))
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    } else if (L->source == SRC_PLACES) {
        const cor_places *ps = cor_dataset_places(m->ds, (cor_role)L->role, err);
        if (!ps)
            return err->code;
        for (size_t i = 0; i < ps->n; i++) {
            const cor_place *p = &ps->items[i];
            srcref r = { SRC_PLACES, NULL, p, NULL, i };
            if (!passes(m, L, &r, err)) {
                if (err->code)
                    return err->code;
                continue;
            }
            mfeat f = { .x = p->x_m, .y = p->y_m, .mass = p->mass,
                        .zh = place_name(p->name_zh), .en = place_name(p->name),
                        .bb = { p->x_m, p->y_m, p->x_m, p->y_m } };
            if (push_feat(ml, &cap, &f))
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    } else {
        const char *name = layer_name_of(m, L);
        if (!name || !has_layer(m->ds, name)) {
            cor_log(&m->o.log, COR_LOG_DEBUG, "style layer '%s': the data has no layer '%s'",
                    L->id, name ? name : "(boundary)");
            return COR_OK;
        }
        mcache *c = get_cache(m, name, err);
        if (!c)
            return err->code;
        const char *fz = L->label.field ? L->label.field : "name_zh";
        const char *fe = L->label.field_en ? L->label.field_en : "name";
        for (size_t i = 0; i < c->feat.n; i++) {
            const cor_shape *s = &c->shapes[i];
            if (s->kind == COR_SHAPE_EMPTY)
                continue;
            if ((L->geom == GEOM_POLYGON && s->kind != COR_SHAPE_POLYGONS) ||
                (L->geom == GEOM_LINE && s->kind == COR_SHAPE_POINTS))
                continue;
            srcref r = { SRC_LAYER, NULL, NULL, c, i };
            if (!passes(m, L, &r, err)) {
                if (err->code)
                    return err->code;
                continue;
            }
            char b1[8], b2[8];
            srcref rz = r;
            const char *zh = field_value(m, &rz, fz, 0, b1, sizeof b1, err);
            const char *en = field_value(m, &rz, fe, 0, b2, sizeof b2, err);
            mfeat f = { .shape = s, .wkb = c->feat.wkb[i], .wkb_len = c->feat.wkb_len[i],
                        .x = s->label_x, .y = s->label_y, .mass = NAN,
                        .zh = zh && *zh ? zh : NULL, .en = en && *en ? en : NULL, .bb = s->bbox };
            if (push_feat(ml, &cap, &f))
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    }
    return COR_OK;
}

static int bbox_hits(const cor_bbox *a, const cor_bbox *b)
{
    return a->min_x <= b->max_x && a->max_x >= b->min_x && a->min_y <= b->max_y &&
           a->max_y >= b->min_y;
}

/* ---- the extent ---------------------------------------------------------------------------- */

static int names_match(const char *want, const char *have)
{
    if (!have || !*have)
        return 0;
    if (!strcasecmp(want, have))
        return 1;
    /* "北京" for "北京市", "河北" for "河北省" */
    static const char *const SUFFIX[] = { "市", "省", "区", "县", "新区", NULL };
    size_t lw = strlen(want), lh = strlen(have);
    for (size_t i = 0; SUFFIX[i]; i++) {
        size_t ls = strlen(SUFFIX[i]);
        if (lh == lw + ls && !strncasecmp(want, have, lw) && !strcmp(have + lw, SUFFIX[i]))
            return 1;
    }
    return 0;
}

/* The bbox of the polygons named name (name or name_zh) in the first polygon layer that has
 * any; *label gets the matched name (zh and en). */
static cor_status extent_by_name(cor_map *m, const char *name, cor_bbox *out, char **zh,
                                 char **en, cor_error *err)
{
    const char *fields[] = { "name", "name_zh" };
    char cands[400] = "";
    for (size_t li = 0; li < cor_dataset_layer_count(m->ds); li++) {
        cor_layer_info info;
        cor_dataset_layer_info(m->ds, li, &info);
        if (info.geometry && (strstr(info.geometry, "Point") || strstr(info.geometry, "Line")))
            continue; /* polygon layers, and layers of any geometry type */
        cor_features f;
        if (cor_dataset_read_layer(m->ds, info.name, fields, 2, &f, err) != COR_OK)
            return err->code;
        cor_wkb_reader *rd = cor_wkb_reader_create(err);
        if (!rd) {
            cor_features_free(&f);
            return err->code;
        }
        cor_bbox bb = { INFINITY, INFINITY, -INFINITY, -INFINITY };
        int hits = 0;
        for (size_t i = 0; i < f.n; i++) {
            const char *n_en = f.values[2 * i], *n_zh = f.values[2 * i + 1];
            if (!names_match(name, n_en) && !names_match(name, n_zh)) {
                size_t l = strlen(cands);
                const char *nm = n_zh ? n_zh : n_en;
                char quoted[200];
                snprintf(quoted, sizeof quoted, ", %s,", nm ? nm : "");
                char have[410];
                snprintf(have, sizeof have, ", %s,", cands);
                if (l < 300 && nm && !strstr(have, quoted))
                    snprintf(cands + l, sizeof cands - l, "%s%s", l ? ", " : "", nm);
                continue;
            }
            cor_shape s;
            cor_error e = COR_ERROR_INIT;
            if (!f.wkb[i] || cor_wkb_read_shape(rd, f.wkb[i], f.wkb_len[i], &s, &e) != COR_OK)
                continue;
            if (s.kind == COR_SHAPE_POLYGONS) {
                bb.min_x = fmin(bb.min_x, s.bbox.min_x);
                bb.min_y = fmin(bb.min_y, s.bbox.min_y);
                bb.max_x = fmax(bb.max_x, s.bbox.max_x);
                bb.max_y = fmax(bb.max_y, s.bbox.max_y);
                if (!hits++) {
                    *zh = strdup(n_zh ? n_zh : n_en ? n_en : name);
                    *en = strdup(n_en ? n_en : n_zh ? n_zh : name);
                }
            }
            cor_shape_free(&s);
        }
        cor_wkb_reader_destroy(rd);
        cor_features_free(&f);
        if (hits) {
            *out = bb;
            return COR_OK;
        }
    }
    return cor_error_set(err, COR_ERR_NOTFOUND,
                         "--extent %s: no polygon of that name in %s (names: %s%s)", name,
                         cor_dataset_source(m->ds), cands[0] ? cands : "none",
                         cands[0] ? ", ..." : "");
}

/* A lon/lat box in the working CRS: the bbox of points along its edges. */
static cor_status extent_lonlat(cor_map *m, const cor_bbox *ll, cor_bbox *out, cor_error *err)
{
    enum { N = 32 };
    double xy[2 * 4 * N];
    for (int i = 0; i < N; i++) {
        double t = (double)i / (N - 1);
        double lon = ll->min_x + t * (ll->max_x - ll->min_x);
        double lat = ll->min_y + t * (ll->max_y - ll->min_y);
        double *p = xy + 8 * i;
        p[0] = lon, p[1] = ll->min_y;
        p[2] = lon, p[3] = ll->max_y;
        p[4] = ll->min_x, p[5] = lat;
        p[6] = ll->max_x, p[7] = lat;
    }
    cor_error ignore = COR_ERROR_INIT;
    cor_dataset_lonlat_to_xy(m->ds, xy, 4 * N, &ignore);
    cor_bbox b = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    size_t good = 0;
    for (int i = 0; i < 4 * N; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]) || fabs(xy[2 * i]) > 1e8 ||
            fabs(xy[2 * i + 1]) > 1e8)
            continue;
        good++;
        b.min_x = fmin(b.min_x, xy[2 * i]);
        b.max_x = fmax(b.max_x, xy[2 * i]);
        b.min_y = fmin(b.min_y, xy[2 * i + 1]);
        b.max_y = fmax(b.max_y, xy[2 * i + 1]);
    }
    if (good < 4 * N)
        return cor_error_set(err, COR_ERR_INPUT,
                             "--extent %g,%g,%g,%g: lies outside what the working CRS %s can "
                             "show", ll->min_x, ll->min_y, ll->max_x, ll->max_y,
                             cor_dataset_working_crs(m->ds));
    *out = b;
    return COR_OK;
}

static void grow_box(cor_bbox *b, double frac)
{
    double d = frac * fmax(b->max_x - b->min_x, b->max_y - b->min_y);
    b->min_x -= d;
    b->min_y -= d;
    b->max_x += d;
    b->max_y += d;
}

/* The whole region (the boundary layer's extent): the default view and the locator inset. */
static cor_status region_extent(cor_map *m, cor_error *err)
{
    const char *bl = cor_dataset_role_layer(m->ds, COR_ROLE_BOUNDARY);
    if (m->has_region || !bl || !has_layer(m->ds, bl))
        return COR_OK;
    mcache *c = get_cache(m, bl, err);
    if (!c)
        return err->code;
    cor_bbox b = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    for (size_t i = 0; i < c->feat.n; i++)
        if (c->shapes[i].kind != COR_SHAPE_EMPTY) {
            b.min_x = fmin(b.min_x, c->shapes[i].bbox.min_x);
            b.min_y = fmin(b.min_y, c->shapes[i].bbox.min_y);
            b.max_x = fmax(b.max_x, c->shapes[i].bbox.max_x);
            b.max_y = fmax(b.max_y, c->shapes[i].bbox.max_y);
        }
    if (b.max_x > b.min_x) {
        m->region = b;
        m->has_region = 1;
    }
    return COR_OK;
}

/* The requested view (before the frame's aspect widens it), and names for the title. */
static cor_status resolve_extent(cor_map *m, cor_bbox *req, char **name_zh, char **name_en,
                                 cor_error *err)
{
    if (m->o.extent_name) {
        if (extent_by_name(m, m->o.extent_name, req, name_zh, name_en, err))
            return err->code;
        grow_box(req, 0.04);
        return COR_OK;
    }
    if (m->o.has_extent_lonlat)
        return extent_lonlat(m, &m->o.extent_lonlat, req, err);
    /* the boundary layer's extent, or all the data's */
    if (region_extent(m, err))
        return err->code;
    cor_bbox b = m->has_region ? m->region
                               : (cor_bbox){ INFINITY, INFINITY, -INFINITY, -INFINITY };
    if (!(b.max_x > b.min_x)) {
        cor_bbox ll;
        if (!cor_dataset_extent_lonlat(m->ds, &ll))
            return cor_error_set(err, COR_ERR_INPUT, "%s: no layer has an extent",
                                 cor_dataset_source(m->ds));
        if (extent_lonlat(m, &ll, &b, err))
            return err->code;
    }
    *req = b;
    grow_box(req, 0.03);
    return COR_OK;
}

/* ---- page size -------------------------------------------------------------------------------- */

static cor_status page_size(cor_map *m, const cor_bbox *req, cor_error *err)
{
    const cor_map_opts *o = &m->o;
    double dpi = o->dpi;
    if (dpi != 0 && !(dpi >= 10 && dpi <= 2400))
        return cor_error_set(err, COR_ERR_CONFIG, "--dpi %g: must be between 10 and 2400", dpi);
    double wpx, hpx;
    if (o->paper) {
        double wmm, hmm;
        int orient;
        if (!cor_paper_size_mm(o->paper, &wmm, &hmm, &orient))
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "--paper %s: unknown paper (A0 to A5, e.g. A4, A3-landscape)",
                                 o->paper);
        double aspect = (req->max_x - req->min_x) / (req->max_y - req->min_y);
        if (orient == 2 || (orient == 0 && aspect > 1.0)) {
            double t = wmm;
            wmm = hmm;
            hmm = t;
        }
        if (dpi == 0)
            dpi = 300;
        wpx = round(wmm / 25.4 * dpi);
        hpx = round(hmm / 25.4 * dpi);
    } else {
        wpx = o->width_px;
        hpx = o->height_px;
        if (dpi == 0)
            dpi = fmax(96.0, wpx / (260.0 / 25.4));
    }
    if (!(wpx >= 100 && hpx >= 100))
        return cor_error_set(err, COR_ERR_CONFIG, "map size %.0fx%.0f px: at least 100 px per "
                             "side", wpx, hpx);
    if (wpx > COR_RENDER_MAX_SIDE_PX || hpx > COR_RENDER_MAX_SIDE_PX ||
        wpx * hpx > COR_RENDER_MAX_PIXELS)
        return cor_error_set(err, COR_ERR_CONFIG,
                             "map size %.0fx%.0f px is too large: the limit is %d px per side "
                             "and %.0f Mpx in all", wpx, hpx, COR_RENDER_MAX_SIDE_PX,
                             COR_RENDER_MAX_PIXELS / 1e6);
    m->width_px = (int)wpx;
    m->height_px = (int)hpx;
    m->dpi = dpi;
    m->px_per_pt = dpi / 72.0;
    m->w_pt = wpx / m->px_per_pt;
    m->h_pt = hpx / m->px_per_pt;
    m->margin_pt = fmin(24.0, fmax(8.0, 0.03 * fmin(m->w_pt, m->h_pt)));
    return COR_OK;
}

/* ---- create ------------------------------------------------------------------------------------ */

static char *join_names(cor_map *m, cor_lang lang, const char *sep)
{
    /* the boundary features in view, when there are few */
    const char *bl = cor_dataset_role_layer(m->ds, COR_ROLE_BOUNDARY);
    mcache *c = NULL;
    for (size_t i = 0; bl && i < m->n_caches; i++)
        if (!strcmp(m->caches[i].name, bl))
            c = &m->caches[i];
    if (!c)
        return NULL;
    size_t kz = SIZE_MAX, ke = SIZE_MAX;
    for (size_t k = 0; k < c->n_fields; k++) {
        if (!strcmp(c->fields[k], "name_zh"))
            kz = k;
        if (!strcmp(c->fields[k], "name"))
            ke = k;
    }
    char buf[400] = "";
    int n = 0;
    for (size_t i = 0; i < c->feat.n; i++) {
        if (c->shapes[i].kind == COR_SHAPE_EMPTY || !bbox_hits(&c->shapes[i].bbox, &m->view))
            continue;
        const char *zh = kz != SIZE_MAX ? c->feat.values[i * c->feat.n_fields + kz] : NULL;
        const char *en = ke != SIZE_MAX ? c->feat.values[i * c->feat.n_fields + ke] : NULL;
        const char *nm = lang == COR_LANG_EN ? (en ? en : zh) : (zh ? zh : en);
        if (!nm || ++n > 5)
            return NULL;
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%s", l ? sep : "", nm);
    }
    return n ? strdup(buf) : NULL;
}

static cor_status make_titles(cor_map *m, const char *ext_zh, const char *ext_en, cor_error *err)
{
    const cor_style *st = m->style;
    char crs_name[200];
    cor_error ignore = COR_ERROR_INIT;
    const char *wcrs = cor_dataset_working_crs(m->ds);
    if (cor_crs_name(wcrs, crs_name, sizeof crs_name, &ignore))
        snprintf(crs_name, sizeof crs_name, "%s", wcrs);
    char proj[400];
    if (!strcmp(crs_name, wcrs) || strlen(wcrs) > 40)
        snprintf(proj, sizeof proj, "%s", crs_name);
    else
        snprintf(proj, sizeof proj, "%s (%s)", crs_name, wcrs);
    const st_text *tt = m->theme >= 0 && (st->themes[m->theme].title.zh ||
                                           st->themes[m->theme].title.en)
                            ? &st->themes[m->theme].title
                            : &st->title;
    const char *tz = tt->zh ? tt->zh : tt->en ? tt->en : "基础地图";
    const char *te = tt->en ? tt->en : tt->zh ? tt->zh : "Base map";
    char *rz = ext_zh ? strdup(ext_zh) : join_names(m, COR_LANG_ZH, "、");
    char *re = ext_en ? strdup(ext_en) : join_names(m, COR_LANG_EN, ", ");
    char tzh[600], ten[600], buf[1200];
    snprintf(tzh, sizeof tzh, "%s%s%s", tz, rz ? "：" : "", rz ? rz : "");
    snprintf(ten, sizeof ten, "%s%s%s", te, re ? ": " : "", re ? re : "");
    free(rz);
    free(re);
    m->title = strdup(m->o.title ? m->o.title : m->o.lang == COR_LANG_EN ? ten : tzh);
    if (m->o.subtitle)
        snprintf(buf, sizeof buf, "%s", m->o.subtitle);
    else if (m->o.lang == COR_LANG_ZH)
        snprintf(buf, sizeof buf, "投影：%s", proj);
    else if (m->o.lang == COR_LANG_EN)
        snprintf(buf, sizeof buf, "Projection: %s", proj);
    else if (m->o.title)
        snprintf(buf, sizeof buf, "投影 Projection: %s", proj);
    else
        snprintf(buf, sizeof buf, "%s · 投影 Projection: %s", ten, proj);
    m->subtitle = strdup(buf);
    if (!m->title || !m->subtitle)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    return COR_OK;
}

cor_map *cor_map_create(cor_dataset *ds, const cor_style *style, const cor_map_opts *o,
                        cor_error *err)
{
    if (!cor_render_theme_known(o->theme)) {
        cor_error_set(err, COR_ERR_CONFIG, "unknown theme '%s' (known: base, access, "
                      "isochrone, corridors, sites, scenario)", o->theme ? o->theme : "");
        return NULL;
    }
    cor_map *m = calloc(1, sizeof *m);
    if (!m) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->ds = ds;
    m->style = style;
    m->o = *o;
    m->theme = st_theme_index(o->theme);
    if (o->classify > COR_CLASSIFY_JENKS) {
        cor_error_set(err, COR_ERR_CONFIG, "unknown classification %d", o->classify);
        goto fail_early;
    }
    if (o->classes < 0 || o->classes > COR_CLASSIFY_MAX_CLASSES) {
        cor_error_set(err, COR_ERR_CONFIG, "--classes %d: want 1 to %d", o->classes,
                      COR_CLASSIFY_MAX_CLASSES);
        goto fail_early;
    }
    char *ext_zh = NULL, *ext_en = NULL;
    cor_bbox req = { 0, 0, 0, 0 };
    if (o->has_extent_lonlat && !o->extent_name &&
        !(o->extent_lonlat.min_x < o->extent_lonlat.max_x &&
          o->extent_lonlat.min_y < o->extent_lonlat.max_y &&
          o->extent_lonlat.min_x >= -180 && o->extent_lonlat.max_x <= 180 &&
          o->extent_lonlat.min_y >= -90 && o->extent_lonlat.max_y <= 90)) {
        cor_error_set(err, COR_ERR_CONFIG, "--extent %g,%g,%g,%g: want minlon,minlat,maxlon,"
                      "maxlat with min < max, lon in [-180, 180], lat in [-90, 90]",
                      o->extent_lonlat.min_x, o->extent_lonlat.min_y, o->extent_lonlat.max_x,
                      o->extent_lonlat.max_y);
        goto fail;
    }
    if (!(m->text = cor_text_create(style->font, err)))
        goto fail;
    if (resolve_extent(m, &req, &ext_zh, &ext_en, err) || page_size(m, &req, err) ||
        region_extent(m, err))
        goto fail;
    m->view = req;
    if (!(m->layers = calloc(style->n_layers, sizeof *m->layers))) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* the theme first: a computed analysis builds a graph from the dataset, which may reload
     * the line layers that the base layers borrow */
    if (theme_load(m, err))
        goto fail;
    for (size_t i = 0; i < style->n_layers; i++)
        if (load_layer(m, i, err))
            goto fail;
    /* what the requested extent holds */
    for (size_t i = 0; i < style->n_layers; i++)
        for (size_t k = 0; k < m->layers[i].n; k++)
            if (bbox_hits(&m->layers[i].f[k].bb, &req))
                m->features++;
    for (size_t i = 0; i < m->n_tl; i++) /* and the thematic layers */
        for (size_t k = 0; k < m->tl[i].n; k++)
            if (bbox_hits(&m->tl[i].f[k].shape.bbox, &req))
                m->features++;
    if (m->features == 0) {
        double ll[4] = { req.min_x, req.min_y, req.max_x, req.max_y };
        cor_error ignore = COR_ERROR_INIT;
        if (o->has_extent_lonlat && !o->extent_name) {
            ll[0] = o->extent_lonlat.min_x;
            ll[1] = o->extent_lonlat.min_y;
            ll[2] = o->extent_lonlat.max_x;
            ll[3] = o->extent_lonlat.max_y;
        } else
            cor_dataset_xy_to_lonlat(ds, ll, 2, &ignore);
        cor_error_set(err, COR_ERR_INPUT,
                      "the extent (lon %.3f to %.3f, lat %.3f to %.3f) holds no data of the "
                      "%s theme in %s", ll[0], ll[2], ll[1], ll[3], o->theme,
                      cor_dataset_source(ds));
        goto fail;
    }
    if (make_titles(m, ext_zh, ext_en, err) || furniture_layout(m, err) ||
        furniture_place(m, err) || labels_place(m, err))
        goto fail;
    free(ext_zh);
    free(ext_en);
    return m;
fail:
    free(ext_zh);
    free(ext_en);
fail_early:
    cor_map_destroy(m);
    return NULL;
}

void cor_map_destroy(cor_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_caches; i++) {
        mcache *c = &m->caches[i];
        for (size_t k = 0; c->shapes && k < c->feat.n; k++)
            cor_shape_free(&c->shapes[k]);
        free(c->shapes);
        cor_features_free(&c->feat);
        for (size_t k = 0; k < c->n_fields; k++)
            free(c->fields[k]);
        free(c->fields);
        free(c->name);
    }
    free(m->caches);
    theme_free(m);
    for (size_t i = 0; m->layers && i < m->style->n_layers; i++)
        free(m->layers[i].f);
    free(m->layers);
    for (int c = 0; c < COR_CLASS_COUNT; c++)
        grid_free(m->grids[c]);
    for (size_t i = 0; i < m->n_legend; i++)
        free(m->legend[i].text);
    free(m->legend);
    for (size_t i = 0; i < m->n_labels; i++)
        free(m->labels[i].text);
    free(m->labels);
    free(m->title);
    free(m->subtitle);
    free(m->attribution);
    cor_text_destroy(m->text);
    free(m);
}

/* ---- drawing --------------------------------------------------------------------------------- */

/* Adds a run of points to the path, leaving out points closer than tol to the last one kept. */
static void path_run(const cor_map *m, cor_canvas *cv, const double *xy, size_t n, int close,
                     double tol)
{
    double lx = 0, ly = 0;
    for (size_t i = 0; i < n; i++) {
        double px, py;
        map_to_page(m, xy[2 * i], xy[2 * i + 1], &px, &py);
        if (i == 0)
            cor_canvas_move_to(cv, px, py);
        else if (i + 1 < n && fabs(px - lx) < tol && fabs(py - ly) < tol)
            continue;
        else
            cor_canvas_line_to(cv, px, py);
        lx = px;
        ly = py;
    }
    if (close)
        cor_canvas_close_path(cv);
}

static void path_feature(const cor_map *m, cor_canvas *cv, const mfeat *f, int close, double tol)
{
    if (f->xy) {
        path_run(m, cv, f->xy, f->n, 0, tol);
        return;
    }
    const cor_shape *s = f->shape;
    for (size_t r = 0; r < s->n_rings; r++)
        path_run(m, cv, s->xy + 2 * s->start[r], s->start[r + 1] - s->start[r], close, tol);
}

static int too_small(const cor_map *m, const st_layer *L, const mfeat *f)
{
    return L->min_size_pt > 0 &&
           fmax(f->bb.max_x - f->bb.min_x, f->bb.max_y - f->bb.min_y) * m->scale < L->min_size_pt;
}

static void stroke_passes(cor_canvas *cv, const st_layer *L)
{
    int has_casing = L->casing.color.a > 0 && L->casing.width > 0;
    int has_overlay = L->overlay.color.a > 0 && L->overlay.width > 0;
    if (has_casing)
        cor_canvas_stroke(cv, L->casing.color, L->stroke.width + 2 * L->casing.width,
                          L->casing.n_dash ? L->casing.dash : NULL, L->casing.n_dash, 1);
    cor_canvas_stroke(cv, L->stroke.color, L->stroke.width,
                      L->stroke.n_dash ? L->stroke.dash : NULL, L->stroke.n_dash, has_overlay);
    if (has_overlay)
        cor_canvas_stroke(cv, L->overlay.color, L->overlay.width,
                          L->overlay.n_dash ? L->overlay.dash : NULL, L->overlay.n_dash, 0);
    cor_canvas_new_path(cv);
}

void map_draw_line_swatch(cor_canvas *cv, const st_layer *L, double x0, double y, double x1)
{
    cor_canvas_new_path(cv);
    cor_canvas_move_to(cv, x0, y);
    cor_canvas_line_to(cv, x1, y);
    stroke_passes(cv, L);
}

void map_draw_symbol(cor_canvas *cv, st_symbol sym, double x, double y, double size,
                     cor_rgba fill, cor_rgba stroke, double width)
{
    double r = size / 2;
    cor_canvas_new_path(cv);
    switch (sym) {
    case SYM_NONE:
    case SYM_COUNT:
        return;
    case SYM_CIRCLE:
    case SYM_CIRCLE_DOT:
        cor_canvas_circle(cv, x, y, r);
        break;
    case SYM_SQUARE:
        cor_canvas_rect(cv, x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
        break;
    case SYM_DIAMOND:
        cor_canvas_move_to(cv, x, y - r);
        cor_canvas_line_to(cv, x + r, y);
        cor_canvas_line_to(cv, x, y + r);
        cor_canvas_line_to(cv, x - r, y);
        cor_canvas_close_path(cv);
        break;
    case SYM_TRIANGLE:
        cor_canvas_move_to(cv, x, y - r);
        cor_canvas_line_to(cv, x + r * 0.95, y + r * 0.7);
        cor_canvas_line_to(cv, x - r * 0.95, y + r * 0.7);
        cor_canvas_close_path(cv);
        break;
    case SYM_STAR:
        for (int i = 0; i < 10; i++) {
            double a = -COR_PI / 2 + i * COR_PI / 5, rr = i % 2 ? r * 0.45 : r;
            if (i == 0)
                cor_canvas_move_to(cv, x + rr * cos(a), y + rr * sin(a));
            else
                cor_canvas_line_to(cv, x + rr * cos(a), y + rr * sin(a));
        }
        cor_canvas_close_path(cv);
        break;
    case SYM_PLANE:
    case SYM_ANCHOR:
        cor_canvas_circle(cv, x, y, r);
        break;
    }
    if (sym == SYM_PLANE || sym == SYM_ANCHOR) {
        /* a badge: a disc in the fill colour with the glyph in the stroke colour */
        cor_canvas_fill(cv, fill, 0);
        if (sym == SYM_PLANE) {
            static const double P[][2] = {
                { 0, -0.78 }, { 0.09, -0.66 }, { 0.09, -0.22 }, { 0.72, 0.12 }, { 0.72, 0.26 },
                { 0.09, 0.06 }, { 0.09, 0.46 }, { 0.3, 0.62 }, { 0.3, 0.72 }, { 0, 0.64 },
                { -0.3, 0.72 }, { -0.3, 0.62 }, { -0.09, 0.46 }, { -0.09, 0.06 },
                { -0.72, 0.26 }, { -0.72, 0.12 }, { -0.09, -0.22 }, { -0.09, -0.66 } };
            for (size_t i = 0; i < sizeof P / sizeof P[0]; i++) {
                double px = x + P[i][0] * r, py = y + P[i][1] * r;
                if (i == 0)
                    cor_canvas_move_to(cv, px, py);
                else
                    cor_canvas_line_to(cv, px, py);
            }
            cor_canvas_close_path(cv);
            cor_canvas_fill(cv, stroke, 0);
        } else {
            double w = fmax(width, 0.13 * size);
            cor_canvas_circle(cv, x, y - 0.5 * r, 0.14 * r);
            cor_canvas_stroke(cv, stroke, w * 0.8, NULL, 0, 0);
            cor_canvas_move_to(cv, x, y - 0.36 * r);
            cor_canvas_line_to(cv, x, y + 0.62 * r);
            cor_canvas_move_to(cv, x - 0.3 * r, y - 0.2 * r);
            cor_canvas_line_to(cv, x + 0.3 * r, y - 0.2 * r);
            /* the arms: a lower half circle */
            enum { K = 12 };
            for (int i = 0; i <= K; i++) {
                double a = COR_PI * (0.1 + 0.8 * i / K);
                double px = x + 0.55 * r * cos(a), py = y + 0.1 * r + 0.55 * r * sin(a);
                if (i == 0)
                    cor_canvas_move_to(cv, px, py);
                else
                    cor_canvas_line_to(cv, px, py);
            }
            cor_canvas_stroke(cv, stroke, w, NULL, 0, 0);
        }
        return;
    }
    cor_canvas_fill(cv, fill, 1);
    cor_canvas_stroke(cv, stroke, width, NULL, 0, 0);
    if (sym == SYM_CIRCLE_DOT) {
        cor_canvas_circle(cv, x, y, r * 0.42);
        cor_canvas_fill(cv, stroke, 0);
    }
}

static void draw_layer(cor_map *m, cor_canvas *cv, const mlayer *ml)
{
    const st_layer *L = ml->st;
    double tol = 0.3 / m->px_per_pt;
    cor_bbox view = m->view;
    grow_box(&view, 0.02);
    if (L->opacity < 1)
        cor_canvas_push_group(cv);
    if (L->geom == GEOM_POLYGON) {
        for (size_t i = 0; i < ml->n; i++) {
            const mfeat *f = &ml->f[i];
            if (!bbox_hits(&f->bb, &view) || too_small(m, L, f))
                continue;
            cor_canvas_new_path(cv);
            path_feature(m, cv, f, 1, tol);
            cor_canvas_fill(cv, L->fill, 1);
            stroke_passes(cv, L);
        }
    } else if (L->geom == GEOM_LINE) {
        cor_canvas_new_path(cv);
        for (size_t i = 0; i < ml->n; i++) {
            const mfeat *f = &ml->f[i];
            if (bbox_hits(&f->bb, &view) && !too_small(m, L, f))
                path_feature(m, cv, f, 0, tol);
        }
        stroke_passes(cv, L);
    } else {
        /* smaller symbols on top: draw the largest masses first */
        for (size_t i = 0; i < ml->n; i++) {
            const mfeat *f = &ml->f[i];
            double px, py;
            map_to_page(m, f->x, f->y, &px, &py);
            if (px < m->frame.x - L->size_pt || px > m->frame.x + m->frame.w + L->size_pt ||
                py < m->frame.y - L->size_pt || py > m->frame.y + m->frame.h + L->size_pt)
                continue;
            map_draw_symbol(cv, L->symbol, px, py, L->size_pt, L->fill, L->stroke.color,
                            L->stroke.width);
        }
    }
    if (L->opacity < 1)
        cor_canvas_pop_group(cv, L->opacity);
}

static cor_status draw(cor_map *m, cor_canvas *cv, cor_error *err)
{
    (void)err;
    const cor_style *st = m->style;
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, 0, 0, m->w_pt, m->h_pt);
    cor_canvas_fill(cv, st->page_bg, 0);
    cor_canvas_save(cv);
    cor_canvas_rect(cv, m->frame.x, m->frame.y, m->frame.w, m->frame.h);
    cor_canvas_clip(cv);
    cor_canvas_rect(cv, m->frame.x, m->frame.y, m->frame.w, m->frame.h);
    cor_canvas_fill(cv, st->map_bg, 0);
    if (m->theme < 0) {
        for (size_t i = 0; i < st->n_layers; i++)
            draw_layer(m, cv, &m->layers[i]);
    } else {
        /* the base faded (areas and lines), the theme, then places on top */
        size_t first_pt = st->n_layers;
        for (size_t i = 0; i < st->n_layers && first_pt == st->n_layers; i++)
            if (st->layers[i].geom == GEOM_POINT)
                first_pt = i;
        cor_canvas_push_group(cv);
        for (size_t i = 0; i < first_pt; i++)
            draw_layer(m, cv, &m->layers[i]);
        cor_canvas_pop_group(cv, st->base_opacity);
        theme_draw(m, cv, 0);
        for (size_t i = first_pt; i < st->n_layers; i++)
            draw_layer(m, cv, &m->layers[i]);
        theme_draw(m, cv, 1);
    }
    furniture_draw_graticule(m, cv, 0);
    cor_canvas_restore(cv);
    labels_draw(m, cv);
    furniture_draw(m, cv);
    return COR_OK;
}

void map_draw_on(cor_map *m, cor_canvas *cv, double x, double y)
{
    cor_canvas_save(cv);
    cor_canvas_translate(cv, x, y);
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, 0, 0, m->w_pt, m->h_pt);
    cor_canvas_clip(cv);
    draw(m, cv, NULL);
    cor_canvas_restore(cv);
}

cor_status cor_map_write(cor_map *m, const char *path, cor_error *err)
{
    int fmt = cor_render_format_from_path(path);
    if (fmt < 0)
        return cor_error_set(err, COR_ERR_CONFIG,
                             "%s: unknown output format (use .png, .pdf or .svg)", path);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    /* same directory, so that rename() is atomic; the extension stays last */
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    cor_canvas *cv = cor_canvas_create((cor_format)fmt, tmp, m->w_pt, m->h_pt, m->width_px,
                                       m->height_px, m->title, err);
    cor_status rc = cv ? COR_OK : err->code;
    if (rc == COR_OK)
        rc = draw(m, cv, err);
    if (rc == COR_OK)
        rc = cor_canvas_finish(cv, err);
    cor_canvas_destroy(cv);
    if (rc == COR_OK && rename(tmp, path) != 0)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot rename the finished map into place",
                           path);
    if (rc != COR_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* ---- introspection -------------------------------------------------------------------------- */

void cor_map_get_info(const cor_map *m, cor_map_info *out)
{
    memset(out, 0, sizeof *out);
    out->width_px = m->width_px;
    out->height_px = m->height_px;
    out->dpi = m->dpi;
    out->frame_px[0] = m->frame.x * m->px_per_pt;
    out->frame_px[1] = m->frame.y * m->px_per_pt;
    out->frame_px[2] = m->frame.w * m->px_per_pt;
    out->frame_px[3] = m->frame.h * m->px_per_pt;
    out->view = m->view;
    out->m_per_px = 1.0 / (m->scale * m->px_per_pt);
    out->features = m->features;
    out->legend_items = m->n_legend;
    out->labels_placed = m->n_placed;
    out->labels_dropped = m->n_labels - m->n_placed;
}

void cor_map_get_scalebar(const cor_map *m, cor_scalebar *out)
{
    out->km = m->sb_km;
    out->x0_px = m->sb_x0 * m->px_per_pt;
    out->x1_px = (m->sb_x0 + m->sb_len) * m->px_per_pt;
    out->y0_px = out->y1_px = m->sb_y * m->px_per_pt;
    out->segments = m->sb_segments;
}

size_t cor_map_label_count(const cor_map *m) { return m->n_placed; }

void cor_map_label_get(const cor_map *m, size_t i, cor_map_label *out)
{
    size_t k = 0;
    for (size_t j = 0; j < m->n_labels; j++) {
        if (!m->labels[j].placed)
            continue;
        if (k++ == i) {
            const mlabel *l = &m->labels[j];
            out->text = l->text;
            out->box_px[0] = l->box.x * m->px_per_pt;
            out->box_px[1] = l->box.y * m->px_per_pt;
            out->box_px[2] = l->box.w * m->px_per_pt;
            out->box_px[3] = l->box.h * m->px_per_pt;
            out->priority = l->priority;
            return;
        }
    }
    memset(out, 0, sizeof *out);
}

void cor_map_legend_get(const cor_map *m, size_t i, cor_map_legend_item *out)
{
    if (i >= m->n_legend) {
        memset(out, 0, sizeof *out);
        return;
    }
    out->layer_id = m->legend[i].st ? m->legend[i].st->id : "theme";
    out->text = m->legend[i].text;
}
