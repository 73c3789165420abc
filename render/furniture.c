/* furniture.c: the page layout around the map frame and the map furniture: title and
 * subtitle, legend (from the layers drawn), scale bar (round kilometres measured on the
 * ellipsoid), north arrow (true north), graticule with degree labels, attribution line. */
#include "map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in_view(const cor_map *m, const mlayer *ml)
{
    for (size_t k = 0; k < ml->n; k++) {
        const cor_bbox *b = &ml->f[k].bb;
        if (b->min_x <= m->view.max_x && b->max_x >= m->view.min_x &&
            b->min_y <= m->view.max_y && b->max_y >= m->view.min_y)
            return 1;
    }
    return 0;
}

static void measure(cor_map *m, const char *text, double size, int bold, double *w, double *h)
{
    cor_text_spec s = { .text = text, .size_pt = size, .bold = bold };
    if (!text || !*text) {
        *w = *h = 0;
        return;
    }
    cor_text_measure(m->text, &s, w, h);
}

/* Legend rows: one per style layer with a legend entry and features in view. */
static cor_status build_legend(cor_map *m, cor_error *err)
{
    const cor_style *st = m->style;
    size_t cap = 0;
    if (theme_legend(m, &cap, err))
        return err->code;
    mlegend *nl = realloc(m->legend, (m->n_legend + st->n_layers + 1) * sizeof *m->legend);
    if (!nl)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    m->legend = nl;
    for (size_t i = 0; i < st->n_layers; i++) {
        const st_layer *L = &st->layers[i];
        if (!L->has_legend || !in_view(m, &m->layers[i]))
            continue;
        char buf[400];
        const char *t = st_text_get(&L->legend, m->o.lang, buf, sizeof buf);
        /* two style layers with the same entry (e.g. a casing drawn apart) share a row */
        int dup = 0;
        for (size_t k = 0; k < m->n_legend; k++)
            dup |= m->legend[k].kind == 0 && !strcmp(m->legend[k].text, t);
        if (dup)
            continue;
        m->legend[m->n_legend] = (mlegend){ .st = L };
        if (!(m->legend[m->n_legend].text = strdup(t)))
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        m->n_legend++;
    }
    return COR_OK;
}

static cor_status build_attribution(cor_map *m, cor_error *err)
{
    const cor_style *st = m->style;
    size_t cap = 64;
    for (size_t i = 0; i < st->n_layers; i++)
        if (st->layers[i].attribution)
            cap += strlen(st->layers[i].attribution) + 8;
    char *buf = calloc(cap + 200, 1);
    if (!buf)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    int n = 0;
    for (size_t i = 0; i < st->n_layers; i++) {
        const char *a = st->layers[i].attribution;
        if (!a || !in_view(m, &m->layers[i]))
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = st->layers[j].attribution && !strcmp(st->layers[j].attribution, a) &&
                   in_view(m, &m->layers[j]);
        if (seen)
            continue;
        if (n++)
            strcat(buf, " · ");
        strcat(buf, a);
    }
    if (n) {
        char pre[200];
        cor_lang lang = m->o.lang == COR_LANG_BOTH ? COR_LANG_EN : m->o.lang;
        const char *p = st->attribution_prefix.zh || st->attribution_prefix.en
                            ? st_text_get(&st->attribution_prefix, lang, pre, sizeof pre)
                            : "";
        size_t lp = strlen(p);
        memmove(buf + lp + 1, buf, strlen(buf) + 1);
        memcpy(buf, p, lp);
        /* a space after the prefix, unless it ends in a full-width colon */
        buf[lp] = lp && !(lp >= 3 && !strcmp(p + lp - 3, "：")) ? ' ' : '\0';
        if (!buf[lp])
            memmove(buf + lp, buf + lp + 1, strlen(buf + lp + 1) + 1);
    }
    m->attribution = buf;
    return COR_OK;
}

/* Legend geometry for cols columns at font size fs: sets m->legend_box's size. */
static void legend_size(cor_map *m, int cols, double fs)
{
    const cor_style *st = m->style;
    double pad = fs * 0.9, sw = fs * 2.8, gap = fs * 0.7;
    double tw = 0, th = 0;
    char buf[200];
    if (st->legend_title.zh || st->legend_title.en)
        measure(m, st_text_get(&st->legend_title, m->o.lang, buf, sizeof buf), fs * 1.15, 1,
                &tw, &th);
    double maxw = 0, rowh = fs * 1.75;
    for (size_t i = 0; i < m->n_legend; i++) {
        double w, h;
        measure(m, m->legend[i].text, fs, m->legend[i].kind == 1, &w, &h);
        /* headings and colour bars span the swatch column too */
        maxw = fmax(maxw, m->legend[i].kind ? w - sw - gap : w);
        if (m->legend[i].kind == 2)
            maxw = fmax(maxw, fs * 9);
        rowh = fmax(rowh, h * 1.15);
        if (m->legend[i].kind == 2)
            rowh = fmax(rowh, fs * 2.0);
        if (m->legend[i].st && m->legend[i].st->geom == GEOM_POINT)
            rowh = fmax(rowh, fmin(m->legend[i].st->size_pt, fs * 2.2) + fs * 0.5);
    }
    size_t per_col = (m->n_legend + (size_t)cols - 1) / (size_t)cols;
    m->legend_fs = fs;
    m->legend_cols = cols;
    m->legend_row_h = rowh;
    m->legend_col_w = sw + gap + maxw;
    m->legend_title_h = th ? th + fs * 0.5 : 0;
    m->legend_box.w = 2 * pad + fmax(tw, cols * m->legend_col_w + (cols - 1) * pad * 1.5);
    m->legend_box.h = 2 * pad + m->legend_title_h + (double)per_col * rowh;
    if (!m->n_legend)
        m->legend_box.w = m->legend_box.h = 0;
}

enum { LAYOUT_SIDE = 0, LAYOUT_BOTTOM, LAYOUT_INSIDE };

/* The scale of the map frame for a layout and legend size; 0 when the legend does not fit. */
static double layout_scale(cor_map *m, int layout, double aw, double ah, double vw, double vh,
                           double gap)
{
    double g = m->grat_band, lw = m->legend_box.w, lh = m->legend_box.h;
    if (!m->n_legend)
        return layout == LAYOUT_INSIDE ? fmin(aw / vw, ah / vh) : 0;
    switch (layout) {
    case LAYOUT_SIDE:
        if (lh > ah || aw - lw - gap - g < 40)
            return 0;
        return fmin((aw - lw - gap - g) / vw, ah / vh);
    case LAYOUT_BOTTOM:
        if (lw > aw + 2 * g || ah - lh - gap < 40)
            return 0;
        return fmin(aw / vw, (ah - lh - gap) / vh);
    default:
        /* the legend may cover at most a quarter of the frame and half its width */
        if (lw > 0.5 * aw || lh > 0.7 * ah || lw * lh > 0.25 * aw * ah)
            return 0;
        return 0.92 * fmin(aw / vw, ah / vh); /* the corner it hides costs a little */
    }
}

cor_status furniture_layout(cor_map *m, cor_error *err)
{
    const cor_style *st = m->style;
    if (build_legend(m, err) || build_attribution(m, err))
        return err->code;
    double tw, sw, aw;
    measure(m, m->title, st->title_size, 1, &tw, &m->title_h);
    measure(m, m->subtitle, st->subtitle_size, 0, &sw, &m->subtitle_h);
    measure(m, m->attribution, st->attribution_size, 0, &aw, &m->attribution_h);
    double M = m->margin_pt;
    m->grat_band = st->graticule_on ? st->graticule_label_size * 1.9 : 0;
    double g = m->grat_band, gap = M * 0.8;
    double top = M + m->title_h + (m->subtitle_h ? m->subtitle_h + 2 : 0) + 0.5 * M;
    double bottom = M + m->attribution_h + 0.3 * M;
    double x0 = M + g, y0 = top + g, x1 = m->w_pt - M - g, y1 = m->h_pt - bottom - g;
    if (!(x1 - x0 > 60 && y1 - y0 > 60))
        return cor_error_set(err, COR_ERR_CONFIG,
                             "the page (%.0fx%.0f pt at %.0f dpi) is too small for the map and "
                             "its furniture: use a larger size or a lower --dpi",
                             m->w_pt, m->h_pt, m->dpi);
    double vw = m->view.max_x - m->view.min_x, vh = m->view.max_y - m->view.min_y;
    double aw_in = x1 - x0, ah = y1 - y0;

    /* Try the legend beside the frame, below it, or in its corner, in 1 to 4 columns, and
     * shrink its text (down to 60 %) until one fits; keep the layout with the largest map. */
    int best_layout = LAYOUT_INSIDE, best_cols = 1;
    double best = 0, best_fs = st->legend_size;
    for (double f = 1.0; f > 0.55 && best == 0; f -= 0.1) {
        double fs = st->legend_size * f;
        for (int layout = LAYOUT_SIDE; layout <= LAYOUT_INSIDE; layout++)
            for (int cols = 1; cols <= 4; cols++) {
                if ((size_t)cols > (m->n_legend ? m->n_legend : 1))
                    break;
                legend_size(m, cols, fs);
                double sc = layout_scale(m, layout, aw_in, ah, vw, vh, gap);
                /* side panels beat the others when nearly as large: they hide nothing */
                double rank = layout == LAYOUT_SIDE ? sc * 1.03 : sc;
                if (rank > best * (best_layout == LAYOUT_SIDE ? 1.03 : 1.0)) {
                    best = sc;
                    best_layout = layout;
                    best_cols = cols;
                    best_fs = fs;
                }
            }
    }
    legend_size(m, best_cols, best_fs);
    m->legend_layout = best_layout;
    m->legend_inside = best_layout == LAYOUT_INSIDE;
    double lw = m->legend_box.w, lh = m->legend_box.h;
    if (best_layout == LAYOUT_SIDE) {
        double fw = fmin(aw_in - lw - gap - g, ah * vw / vh), fh = fw * vh / vw;
        double total = g + fw + g + gap + lw;
        m->frame = (pg_box){ (m->w_pt - total) / 2 + g, y0 + (ah - fh) / 2, fw, fh };
        m->legend_box.x = m->frame.x + m->frame.w + g + gap;
        m->legend_box.y = m->frame.y;
    } else if (best_layout == LAYOUT_BOTTOM) {
        m->frame = (pg_box){ x0, y0, aw_in, ah - lh - gap };
        m->legend_box.x = m->frame.x - g;
        m->legend_box.y = m->frame.y + m->frame.h + g + gap * 0.5;
    } else {
        m->frame = (pg_box){ x0, y0, aw_in, ah };
        double inset = fmax(6.0, 0.5 * M);
        m->legend_box.x = m->frame.x + m->frame.w - inset - lw;
        m->legend_box.y = m->frame.y + m->frame.h - inset - lh;
    }
    /* widen the view to the frame's shape */
    double scale = fmin(m->frame.w / vw, m->frame.h / vh);
    double cx = 0.5 * (m->view.min_x + m->view.max_x), cy = 0.5 * (m->view.min_y + m->view.max_y);
    double hw = 0.5 * m->frame.w / scale, hh = 0.5 * m->frame.h / scale;
    m->view = (cor_bbox){ cx - hw, cy - hh, cx + hw, cy + hh };
    m->scale = scale;
    /* the locator inset, when the map shows less than the whole region */
    m->inset_on = 0;
    if (m->has_region) {
        const cor_bbox *r = &m->region;
        double rw = r->max_x - r->min_x, rh = r->max_y - r->min_y;
        int inside = m->view.min_x <= r->min_x && m->view.max_x >= r->max_x &&
                     m->view.min_y <= r->min_y && m->view.max_y >= r->max_y;
        if (!inside && rw > 0 && rh > 0) {
            double iw = fmin(0.24 * m->frame.w, 0.3 * m->frame.h * rw / rh);
            double ih = iw * rh / rw, in = fmax(6.0, 0.5 * M);
            m->inset_box = (pg_box){ m->frame.x + in, m->frame.y + in, iw, ih };
            m->inset_on = iw > 30;
        }
    }
    return COR_OK;
}

/* ---- scale bar and north arrow -------------------------------------------------------------- */

static cor_status ground_m(cor_map *m, double px0, double px1, double py, double *out,
                           cor_error *err)
{
    double xy[4];
    page_to_map(m, px0, py, &xy[0], &xy[1]);
    page_to_map(m, px1, py, &xy[2], &xy[3]);
    if (cor_dataset_xy_to_lonlat(m->ds, xy, 2, err))
        return err->code;
    return cor_geodesic_inverse(cor_dataset_working_crs(m->ds), xy[0], xy[1], xy[2], xy[3], out,
                                NULL, err);
}

static cor_status place_scalebar(cor_map *m, cor_error *err)
{
    const cor_style *st = m->style;
    double fs = st->scalebar_size, inset = fmax(6.0, 0.5 * m->margin_pt), pad = fs * 0.6;
    double bar_h = fs * 0.55;
    double x0 = m->frame.x + inset + pad;
    double y = m->frame.y + m->frame.h - inset - pad - bar_h;
    double target = 0.22 * m->frame.w;
    if (m->legend_inside)
        target = fmin(target, 0.8 * (m->legend_box.x - x0 - inset));
    if (target < 20)
        target = 20;
    double g;
    if (ground_m(m, x0, x0 + target, y, &g, err))
        return err->code;
    double mpp = g / target; /* ground metres per point along the bar */
    static const double NICE[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500,
                                   1000, 2000, 2500, 5000, 10000 };
    double km = NICE[0], want = target * mpp / 1000.0;
    for (size_t i = 0; i < sizeof NICE / sizeof NICE[0]; i++)
        if (NICE[i] <= want)
            km = NICE[i];
    double len = km * 1000.0 / mpp;
    for (int it = 0; it < 4; it++) { /* the scale changes along the bar: converge */
        if (ground_m(m, x0, x0 + len, y, &g, err))
            return err->code;
        len *= km * 1000.0 / g;
    }
    m->sb_km = km;
    m->sb_x0 = x0;
    m->sb_y = y + bar_h;
    m->sb_len = len;
    m->sb_segments = fmod(km, 4) == 0 ? 4 : fmod(km, 5) == 0 ? 5 : 2;
    double lw, lh, nw, nh;
    char lab[32], num[32];
    snprintf(lab, sizeof lab, "%g %s", km < 1 ? km * 1000 : km, km < 1 ? "m" : "km");
    snprintf(num, sizeof num, "%g", km < 1 ? km * 1000 : km);
    measure(m, lab, fs, 0, &lw, &lh);
    measure(m, num, fs, 0, &nw, &nh);
    m->scalebar_box = (pg_box){ x0 - pad - fs * 0.3, y - lh - pad * 0.6,
                                len + lw - nw / 2 + 2 * pad + fs * 0.3, lh + bar_h + pad * 1.6 };
    return COR_OK;
}

static cor_status place_north(cor_map *m, cor_error *err)
{
    double size = m->style->north_size, inset = fmax(6.0, 0.5 * m->margin_pt);
    double cx = m->frame.x + m->frame.w - inset - size * 0.35;
    double cy = m->frame.y + inset + size * 0.75;
    double xy[2];
    page_to_map(m, cx, cy, &xy[0], &xy[1]);
    if (cor_dataset_xy_to_lonlat(m->ds, xy, 1, err))
        return err->code;
    xy[1] += 0.05; /* a step north along the meridian */
    if (cor_dataset_lonlat_to_xy(m->ds, xy, 1, err))
        return err->code;
    double px, py;
    map_to_page(m, xy[0], xy[1], &px, &py);
    m->north_angle = atan2(px - cx, -(py - cy));
    m->north_box = (pg_box){ cx - size * 0.45, cy - size * 0.75, size * 0.9, size * 1.3 };
    return COR_OK;
}

cor_status furniture_place(cor_map *m, cor_error *err)
{
    if (m->style->scalebar_on && place_scalebar(m, err))
        return err->code;
    if (m->style->north_on && place_north(m, err))
        return err->code;
    return COR_OK;
}

/* ---- graticule ------------------------------------------------------------------------------ */

static void fmt_deg(char *buf, size_t n, double v, int lon, double step)
{
    char hemi = lon ? (v < 0 ? 'W' : 'E') : (v < 0 ? 'S' : 'N');
    double a = fabs(v);
    if (fabs(a) < 1e-9)
        hemi = ' ';
    int deg = (int)floor(a + 1e-9);
    int min = (int)lround((a - deg) * 60);
    if (min == 60) {
        deg++;
        min = 0;
    }
    if (step >= 1 || min == 0)
        snprintf(buf, n, "%d°%c", deg, hemi);
    else
        snprintf(buf, n, "%d°%02d′%c", deg, min, hemi);
    size_t l = strlen(buf);
    if (l && buf[l - 1] == ' ')
        buf[l - 1] = '\0';
}

/* The lon/lat range the frame shows and a round step giving 2 to 8 lines. */
static int grat_range(cor_map *m, double *lo0, double *lo1, double *la0, double *la1,
                      double *step)
{
    enum { G = 9 };
    double xy[2 * G * G];
    for (int i = 0; i < G; i++)
        for (int j = 0; j < G; j++) {
            xy[2 * (i * G + j)] = m->view.min_x + (m->view.max_x - m->view.min_x) * i / (G - 1);
            xy[2 * (i * G + j) + 1] = m->view.min_y + (m->view.max_y - m->view.min_y) * j / (G - 1);
        }
    cor_error ignore = COR_ERROR_INIT;
    cor_dataset_xy_to_lonlat(m->ds, xy, G * G, &ignore);
    *lo0 = *la0 = INFINITY;
    *lo1 = *la1 = -INFINITY;
    for (int k = 0; k < G * G; k++) {
        if (!isfinite(xy[2 * k]) || !isfinite(xy[2 * k + 1]))
            continue;
        *lo0 = fmin(*lo0, xy[2 * k]);
        *lo1 = fmax(*lo1, xy[2 * k]);
        *la0 = fmin(*la0, xy[2 * k + 1]);
        *la1 = fmax(*la1, xy[2 * k + 1]);
    }
    if (!(*lo1 > *lo0 && *la1 > *la0))
        return 0;
    static const double STEPS[] = { 1.0 / 60, 2.0 / 60, 5.0 / 60, 10.0 / 60, 0.25, 0.5, 1, 2, 5,
                                    10, 15, 30, 45 };
    double span = fmax(*lo1 - *lo0, *la1 - *la0);
    *step = 90;
    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++)
        if (span / STEPS[i] <= 8) {
            *step = STEPS[i];
            break;
        }
    *lo0 -= *step;
    *lo1 += *step;
    *la0 = fmax(-89.9, *la0 - *step);
    *la1 = fmin(89.9, *la1 + *step);
    return 1;
}

enum { GN = 96 };

/* One graticule line in page points: a meridian (lon fixed) or a parallel. */
static int grat_line(cor_map *m, int meridian, double v, double a0, double a1, double *pts)
{
    for (int i = 0; i < GN; i++) {
        double t = a0 + (a1 - a0) * i / (GN - 1);
        pts[2 * i] = meridian ? v : t;
        pts[2 * i + 1] = meridian ? t : v;
    }
    cor_error ignore = COR_ERROR_INIT;
    cor_dataset_lonlat_to_xy(m->ds, pts, GN, &ignore);
    int good = 0;
    for (int i = 0; i < GN; i++)
        if (isfinite(pts[2 * i]) && isfinite(pts[2 * i + 1])) {
            map_to_page(m, pts[2 * i], pts[2 * i + 1], &pts[2 * i], &pts[2 * i + 1]);
            good++;
        }
    return good;
}

/* Where a polyline crosses the line coord[axis] = at; returns the other coordinate or NAN. */
static double crossing(const double *pts, int axis, double at, double lo, double hi)
{
    for (int i = 0; i + 1 < GN; i++) {
        double a = pts[2 * i + axis], b = pts[2 * i + 2 + axis];
        if (!isfinite(a) || !isfinite(b) || (a - at) * (b - at) > 0 || a == b)
            continue;
        double t = (at - a) / (b - a);
        double o = pts[2 * i + 1 - axis] + t * (pts[2 * i + 3 - axis] - pts[2 * i + 1 - axis]);
        if (o >= lo && o <= hi)
            return o;
    }
    return NAN;
}

static void draw_text_rot(cor_map *m, cor_canvas *cv, const cor_text_spec *s, double cx,
                          double cy, double angle, cor_rgba c)
{
    double w, h;
    cor_text_measure(m->text, s, &w, &h);
    cor_canvas_save(cv);
    cor_canvas_translate(cv, cx, cy);
    cor_canvas_rotate(cv, angle);
    cor_text_draw(m->text, cv, s, -w / 2, -h / 2, c, (cor_rgba){ 0, 0, 0, 0 }, 0);
    cor_canvas_restore(cv);
}

void furniture_draw_graticule(cor_map *m, cor_canvas *cv, int labels)
{
    const cor_style *st = m->style;
    double lo0, lo1, la0, la1, step;
    if (!st->graticule_on || !grat_range(m, &lo0, &lo1, &la0, &la1, &step))
        return;
    double pts[2 * GN];
    const pg_box *f = &m->frame;
    cor_rgba c = st->graticule.color;
    c.a *= st->graticule_opacity;
    cor_text_spec ts = { .size_pt = st->graticule_label_size, .align = COR_ALIGN_CENTER };
    double last[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    for (int meridian = 1; meridian >= 0; meridian--) {
        double v0 = meridian ? lo0 : la0, v1 = meridian ? lo1 : la1;
        double a0 = meridian ? la0 : lo0, a1 = meridian ? la1 : lo1;
        for (double v = ceil(v0 / step - 1e-9) * step; v <= v1 + 1e-9; v += step) {
            if (!grat_line(m, meridian, v, a0, a1, pts))
                continue;
            if (!labels) {
                cor_canvas_new_path(cv);
                int started = 0;
                for (int i = 0; i < GN; i++) {
                    if (!isfinite(pts[2 * i]) || !isfinite(pts[2 * i + 1])) {
                        started = 0;
                        continue;
                    }
                    if (!started)
                        cor_canvas_move_to(cv, pts[2 * i], pts[2 * i + 1]);
                    else
                        cor_canvas_line_to(cv, pts[2 * i], pts[2 * i + 1]);
                    started = 1;
                }
                cor_canvas_stroke(cv, c, st->graticule.width,
                                  st->graticule.n_dash ? st->graticule.dash : NULL,
                                  st->graticule.n_dash, 0);
                continue;
            }
            char txt[32];
            fmt_deg(txt, sizeof txt, fabs(v) < 1e-9 ? 0 : v, meridian, step);
            ts.text = txt;
            double w, h;
            cor_text_measure(m->text, &ts, &w, &h);
            double g = m->grat_band;
            for (int side = 0; side < 2; side++) {
                /* meridians: bottom (0) and top (1) edges; parallels: left (0) and right (1) */
                double at = meridian ? (side ? f->y : f->y + f->h) : (side ? f->x + f->w : f->x);
                double lo = meridian ? f->x + w / 2 : f->y + w / 2;
                double hi = meridian ? f->x + f->w - w / 2 : f->y + f->h - w / 2;
                double o = crossing(pts, meridian ? 1 : 0, at, lo, hi);
                int slot = (meridian ? 0 : 2) + side;
                if (isnan(o) || fabs(o - last[slot]) < w + 4)
                    continue;
                last[slot] = o;
                if (meridian)
                    draw_text_rot(m, cv, &ts, o, side ? f->y - g / 2 : f->y + f->h + g / 2, 0,
                                  st->graticule_label_color);
                else
                    draw_text_rot(m, cv, &ts, side ? f->x + f->w + g / 2 : f->x - g / 2, o,
                                  -COR_PI / 2, st->graticule_label_color);
            }
        }
    }
}

/* ---- drawing the rest ------------------------------------------------------------------------ */

static void draw_scalebar(cor_map *m, cor_canvas *cv)
{
    const cor_style *st = m->style;
    double fs = st->scalebar_size, bar_h = fs * 0.55;
    const pg_box *b = &m->scalebar_box;
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, b->x, b->y, b->w, b->h);
    cor_canvas_fill(cv, (cor_rgba){ 1, 1, 1, 0.8 }, 0);
    double y0 = m->sb_y - bar_h, seg = m->sb_len / m->sb_segments;
    cor_rgba dark = st->scalebar_color, white = { 1, 1, 1, 1 };
    for (int i = 0; i < m->sb_segments; i++) {
        cor_canvas_rect(cv, m->sb_x0 + i * seg, y0, seg, bar_h);
        cor_canvas_fill(cv, i % 2 ? white : dark, 0);
    }
    cor_canvas_rect(cv, m->sb_x0, y0, m->sb_len, bar_h);
    cor_canvas_stroke(cv, dark, fmin(0.6, bar_h * 0.2), NULL, 0, 0);
    char a[32], c[32];
    double km = m->sb_km;
    if (km < 1)
        snprintf(c, sizeof c, "%g m", km * 1000);
    else
        snprintf(c, sizeof c, "%g km", km);
    cor_text_spec ts = { .text = "0", .size_pt = fs, .align = COR_ALIGN_CENTER };
    double w, h;
    cor_rgba none = { 0, 0, 0, 0 };
    cor_text_measure(m->text, &ts, &w, &h);
    cor_text_draw(m->text, cv, &ts, m->sb_x0 - w / 2, y0 - h - fs * 0.1, dark, none, 0);
    if (m->sb_segments % 2 == 0) {
        snprintf(a, sizeof a, "%g", km < 1 ? km * 500 : km / 2);
        ts.text = a;
        cor_text_measure(m->text, &ts, &w, &h);
        cor_text_draw(m->text, cv, &ts, m->sb_x0 + m->sb_len / 2 - w / 2, y0 - h - fs * 0.1, dark,
                      none, 0);
    }
    ts.text = c;
    cor_text_measure(m->text, &ts, &w, &h);
    /* "50 km": the number centred on the bar's end, the unit running on */
    double nw, nh;
    char num[32];
    snprintf(num, sizeof num, "%g", km < 1 ? km * 1000 : km);
    cor_text_spec tn = ts;
    tn.text = num;
    cor_text_measure(m->text, &tn, &nw, &nh);
    cor_text_draw(m->text, cv, &ts, m->sb_x0 + m->sb_len - nw / 2, y0 - h - fs * 0.1, dark, none,
                  0);
}

static void draw_north(cor_map *m, cor_canvas *cv)
{
    const cor_style *st = m->style;
    double size = st->north_size;
    double cx = m->north_box.x + m->north_box.w / 2, cy = m->frame.y +
                fmax(6.0, 0.5 * m->margin_pt) + size * 0.75;
    cor_rgba c = st->north_color, white = { 1, 1, 1, 1 };
    cor_canvas_save(cv);
    cor_canvas_translate(cv, cx, cy);
    cor_canvas_rotate(cv, m->north_angle);
    double hh = size * 0.42, hw = size * 0.2;
    cor_canvas_new_path(cv);
    cor_canvas_move_to(cv, 0, -hh);
    cor_canvas_line_to(cv, -hw, hh);
    cor_canvas_line_to(cv, 0, hh * 0.55);
    cor_canvas_close_path(cv);
    cor_canvas_fill(cv, white, 1);
    cor_canvas_stroke(cv, c, 0.6, NULL, 0, 0);
    cor_canvas_move_to(cv, 0, -hh);
    cor_canvas_line_to(cv, hw, hh);
    cor_canvas_line_to(cv, 0, hh * 0.55);
    cor_canvas_close_path(cv);
    cor_canvas_fill(cv, c, 1);
    cor_canvas_stroke(cv, c, 0.6, NULL, 0, 0);
    cor_text_spec ts = { .text = m->o.lang == COR_LANG_ZH ? "北" : "N", .size_pt = size * 0.36,
                         .bold = 1, .align = COR_ALIGN_CENTER };
    double w, h;
    cor_text_measure(m->text, &ts, &w, &h);
    cor_text_draw(m->text, cv, &ts, -w / 2, -hh - h * 0.95, c, white, 1.0);
    cor_canvas_restore(cv);
}

static void draw_legend(cor_map *m, cor_canvas *cv)
{
    const cor_style *st = m->style;
    if (!m->n_legend)
        return;
    const pg_box *b = &m->legend_box;
    double fs = m->legend_fs, pad = fs * 0.9, sw = fs * 2.8, gap = fs * 0.7;
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, b->x, b->y, b->w, b->h);
    cor_canvas_fill(cv, st->legend_bg, 1);
    cor_canvas_stroke(cv, st->legend_stroke, 0.5, NULL, 0, 0);
    cor_rgba none = { 0, 0, 0, 0 };
    if (m->legend_title_h > 0) {
        char buf[200];
        cor_text_spec ts = { .text = st_text_get(&st->legend_title, m->o.lang, buf, sizeof buf),
                             .size_pt = fs * 1.15, .bold = 1 };
        cor_text_draw(m->text, cv, &ts, b->x + pad, b->y + pad, st->text_color, none, 0);
    }
    size_t per_col = (m->n_legend + (size_t)m->legend_cols - 1) / (size_t)m->legend_cols;
    for (size_t i = 0; i < m->n_legend; i++) {
        const st_layer *L = m->legend[i].st;
        size_t col = i / per_col, row = i % per_col;
        double x = b->x + pad + (double)col * (m->legend_col_w + pad * 1.5);
        double y = b->y + pad + m->legend_title_h + ((double)row + 0.5) * m->legend_row_h;
        if (m->legend[i].kind == 1) { /* a thematic heading */
            cor_text_spec ts = { .text = m->legend[i].text, .size_pt = fs, .bold = 1 };
            double w, h;
            cor_text_measure(m->text, &ts, &w, &h);
            cor_text_draw(m->text, cv, &ts, x, y - h / 2, st->text_color, none, 0);
            continue;
        }
        if (m->legend[i].kind == 2) { /* a colour bar with ticks */
            theme_colour_bar(m, cv, m->legend[i].tl, x + fs * 0.4, y - m->legend_row_h * 0.4,
                             m->legend_col_w - fs * 1.2, m->legend_row_h * 0.8, fs);
            continue;
        }
        if (L->opacity < 1)
            cor_canvas_push_group(cv);
        if (L->geom == GEOM_POLYGON && L->fill.a <= 0) { /* a boundary: its line */
            map_draw_line_swatch(cv, L, x + fs * 0.15, y, x + sw - fs * 0.15);
        } else if (L->geom == GEOM_POLYGON) {
            cor_canvas_new_path(cv);
            cor_canvas_rect(cv, x + sw * 0.1, y - fs * 0.45, sw * 0.8, fs * 0.9);
            cor_canvas_fill(cv, L->fill, 1);
            cor_canvas_stroke(cv, L->casing.color.a > 0 ? L->casing.color : L->stroke.color,
                              fmin(L->stroke.width, 1.0), NULL, 0, 0);

        } else if (L->geom == GEOM_LINE) {
            map_draw_line_swatch(cv, L, x + fs * 0.15, y, x + sw - fs * 0.15);
        } else {
            double size = fmin(L->size_pt, fs * 2.2);
            map_draw_symbol(cv, L->symbol, x + sw / 2, y, size, L->fill, L->stroke.color,
                            L->stroke.width);
            if (L->symbol == SYM_NONE) { /* a label-only layer: a sample of its text */
                cor_text_spec ts = { .text = "Aa", .size_pt = fs, .bold = L->label.bold };
                double w, h;
                cor_text_measure(m->text, &ts, &w, &h);
                cor_text_draw(m->text, cv, &ts, x + sw / 2 - w / 2, y - h / 2, L->label.color,
                              L->label.halo, 0.8);
            }
        }
        if (L->opacity < 1)
            cor_canvas_pop_group(cv, L->opacity);
        cor_text_spec ts = { .text = m->legend[i].text, .size_pt = fs };
        double w, h;
        cor_text_measure(m->text, &ts, &w, &h);
        cor_text_draw(m->text, cv, &ts, x + sw + gap, y - h / 2, st->text_color, none, 0);
    }
}

/* The locator inset: the whole region's boundaries small in the frame's top-left corner,
 * with the map's extent as a red rectangle. */
static void draw_inset(cor_map *m, cor_canvas *cv)
{
    const pg_box *b = &m->inset_box;
    const cor_bbox *r = &m->region;
    double rw = r->max_x - r->min_x, rh = r->max_y - r->min_y;
    double pad = 3, sc = fmin((b->w - 2 * pad) / rw, (b->h - 2 * pad) / rh);
    double ox = b->x + (b->w - rw * sc) / 2, oy = b->y + (b->h - rh * sc) / 2;
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, b->x, b->y, b->w, b->h);
    cor_canvas_fill(cv, (cor_rgba){ 1, 1, 1, 0.92 }, 1);
    cor_canvas_stroke(cv, m->style->frame_color, 0.6, NULL, 0, 0);
    cor_canvas_save(cv);
    cor_canvas_rect(cv, b->x, b->y, b->w, b->h);
    cor_canvas_clip(cv);
    const char *bl = cor_dataset_role_layer(m->ds, COR_ROLE_BOUNDARY);
    for (size_t ci = 0; bl && ci < m->n_caches; ci++) {
        const mcache *c = &m->caches[ci];
        if (strcmp(c->name, bl))
            continue;
        cor_canvas_new_path(cv);
        for (size_t i = 0; i < c->feat.n; i++) {
            const cor_shape *s = &c->shapes[i];
            if (s->kind != COR_SHAPE_POLYGONS)
                continue;
            for (size_t k = 0; k < s->n_rings; k++) {
                for (size_t j = s->start[k]; j < s->start[k + 1]; j++) {
                    double px = ox + (s->xy[2 * j] - r->min_x) * sc;
                    double py = oy + (r->max_y - s->xy[2 * j + 1]) * sc;
                    if (j == s->start[k])
                        cor_canvas_move_to(cv, px, py);
                    else
                        cor_canvas_line_to(cv, px, py);
                }
                cor_canvas_close_path(cv);
            }
        }
        cor_canvas_fill(cv, (cor_rgba){ 0.93, 0.92, 0.88, 1 }, 1);
        cor_canvas_stroke(cv, (cor_rgba){ 0.48, 0.35, 0.57, 1 }, 0.4, NULL, 0, 0);
    }
    double x0 = ox + (m->view.min_x - r->min_x) * sc, y0 = oy + (r->max_y - m->view.max_y) * sc;
    double w = (m->view.max_x - m->view.min_x) * sc, h = (m->view.max_y - m->view.min_y) * sc;
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, x0, y0, fmax(w, 1.5), fmax(h, 1.5));
    cor_canvas_fill(cv, (cor_rgba){ 0.85, 0.1, 0.1, 0.15 }, 1);
    cor_canvas_stroke(cv, (cor_rgba){ 0.85, 0.1, 0.1, 1 }, 1.0, NULL, 0, 0);
    cor_canvas_restore(cv);
}

void furniture_draw(cor_map *m, cor_canvas *cv)
{
    const cor_style *st = m->style;
    const pg_box *f = &m->frame;
    cor_rgba none = { 0, 0, 0, 0 };
    cor_canvas_new_path(cv);
    cor_canvas_rect(cv, f->x, f->y, f->w, f->h);
    cor_canvas_stroke(cv, st->frame_color, st->frame_width, NULL, 0, 0);
    furniture_draw_graticule(m, cv, 1);
    double g = m->grat_band, M = m->margin_pt;
    /* title and subtitle above the frame, aligned with its left edge */
    double ty = f->y - g - 0.5 * M - (m->subtitle_h ? m->subtitle_h + 2 : 0) - m->title_h;
    cor_text_spec ts = { .text = m->title, .size_pt = st->title_size, .bold = 1 };
    cor_text_draw(m->text, cv, &ts, f->x - g, ty, st->text_color, none, 0);
    if (m->subtitle_h) {
        cor_text_spec ss = { .text = m->subtitle, .size_pt = st->subtitle_size };
        cor_text_draw(m->text, cv, &ss, f->x - g, ty + m->title_h + 2, st->text_color, none, 0);
    }
    if (m->attribution && *m->attribution) {
        cor_text_spec as = { .text = m->attribution, .size_pt = st->attribution_size };
        double w, h;
        cor_text_measure(m->text, &as, &w, &h);
        double right = m->legend_layout == 0 ? m->legend_box.x + m->legend_box.w : f->x + f->w + g;
        double x = fmax(M, right - w);
        double y = f->y + f->h + g;
        if (m->n_legend && m->legend_layout != 2)
            y = fmax(y, m->legend_box.y + m->legend_box.h);
        cor_text_draw(m->text, cv, &as, x, y + 0.3 * M, st->attribution_color, none, 0);
    }
    if (m->inset_on)
        draw_inset(m, cv);
    if (st->scalebar_on)
        draw_scalebar(m, cv);
    if (st->north_on)
        draw_north(m, cv);
    draw_legend(m, cv);
}
