/* labels.c: label placement by priority (larger cities first): each label tries positions
 * around its symbol and takes the first that stays inside the frame and clear of symbols,
 * furniture and the labels already placed; the rest are dropped, never cut. */
#include "map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double x, y; cor_align a; } cand;

static int overlaps(const pg_box *a, const pg_box *b, double pad)
{
    return a->x < b->x + b->w + pad && b->x < a->x + a->w + pad && a->y < b->y + b->h + pad &&
           b->y < a->y + a->h + pad;
}

/* The name to show in the map's language; NULL when the feature has none. */
static char *label_text(const st_label *lb, const mfeat *f, cor_lang lang)
{
    char zh[256] = "";
    if (f->zh) {
        snprintf(zh, sizeof zh, "%s", f->zh);
        size_t lz = strlen(zh), ls = lb->strip_suffix ? strlen(lb->strip_suffix) : 0;
        /* "北京市" -> "北京", but a name is never stripped to less than two characters */
        if (ls && lz >= ls + 6 && !strcmp(zh + lz - ls, lb->strip_suffix))
            zh[lz - ls] = '\0';
    }
    const char *en = f->en;
    char buf[600];
    if (lang == COR_LANG_ZH || (lang == COR_LANG_BOTH && (!en || (f->zh && !strcmp(f->zh, en)))))
        snprintf(buf, sizeof buf, "%s", zh[0] ? zh : en ? en : "");
    else if (lang == COR_LANG_EN || !zh[0])
        snprintf(buf, sizeof buf, "%s", en ? en : zh);
    else
        snprintf(buf, sizeof buf, "%s\n%s", zh, en);
    for (size_t k = 0; k < lb->n_rep; k++) {
        const char *from = lb->rep_from[k], *to = lb->rep_to[k];
        size_t lf = strlen(from), lt = strlen(to);
        for (char *at = strstr(buf, from); at; at = strstr(at + lt, from)) {
            if (strlen(buf) - lf + lt + 1 > sizeof buf)
                break;
            memmove(at + lt, at + lf, strlen(at + lf) + 1);
            memcpy(at, to, lt);
        }
    }
    return buf[0] ? strdup(buf) : NULL;
}

static int by_priority(const void *pa, const void *pb)
{
    const mlabel *a = pa, *b = pb;
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    double ma = isfinite(a->mass) ? a->mass : -1, mb = isfinite(b->mass) ? b->mass : -1;
    if (ma != mb)
        return ma > mb ? -1 : 1;
    return a->ax < b->ax ? -1 : a->ax > b->ax ? 1 : 0; /* stable across qsort implementations */
}

typedef struct { pg_box b; double priority; } obstacle;

static int in_frame(const pg_box *fr, double x, double y)
{
    return x >= fr->x && x <= fr->x + fr->w && y >= fr->y && y <= fr->y + fr->h;
}

/* Collects the candidates and the symbols they must not cover. */
static cor_status collect(cor_map *m, obstacle **obs_out, size_t *n_obs_out, cor_error *err)
{
    const cor_style *st = m->style;
    const pg_box *fr = &m->frame;
    size_t cap = 0, n_obs = 0, cap_obs = 0;
    obstacle *obs = NULL;
    cor_wkb_reader *rd = NULL;
    cor_status rc = COR_OK;
    for (size_t li = 0; li < st->n_layers && rc == COR_OK; li++) {
        const mlayer *ml = &m->layers[li];
        const st_layer *L = ml->st;
        for (size_t i = 0; i < ml->n && rc == COR_OK; i++) {
            const mfeat *f = &ml->f[i];
            if (L->geom != GEOM_POINT && !(L->geom == GEOM_POLYGON && L->label.on))
                continue;
            double px, py, alt[32];
            size_t n_alt = 0;
            map_to_page(m, f->x, f->y, &px, &py);
            double r = L->geom == GEOM_POINT && L->symbol != SYM_NONE ? L->size_pt / 2 : 0;
            if (r == 0 && L->label.on && f->wkb && f->shape &&
                f->shape->kind == COR_SHAPE_POLYGONS) {
                /* a polygon's name: its own inside point, then points inside its pieces */
                size_t n = 0;
                double xy[32];
                if (!rd && !(rd = cor_wkb_reader_create(err))) {
                    rc = err->code;
                    break;
                }
                if (cor_wkb_label_points(rd, f->wkb, f->wkb_len, &m->view, 4, xy, 16, &n, err)) {
                    rc = err->code;
                    break;
                }
                for (size_t k = 0; k < n; k++) {
                    double ax, ay;
                    map_to_page(m, xy[2 * k], xy[2 * k + 1], &ax, &ay);
                    if (in_frame(fr, ax, ay)) {
                        alt[2 * n_alt] = ax;
                        alt[2 * n_alt + 1] = ay;
                        n_alt++;
                    }
                }
                if (!in_frame(fr, px, py) && n_alt) {
                    px = alt[0];
                    py = alt[1];
                }
            }
            if (!in_frame(fr, px, py))
                continue;
            if (r > 0) { /* every symbol is an obstacle, as important as its label */
                if (n_obs == cap_obs) {
                    cap_obs = cap_obs ? 2 * cap_obs : 256;
                    obstacle *no = realloc(obs, cap_obs * sizeof *no);
                    if (!no) {
                        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                        break;
                    }
                    obs = no;
                }
                obs[n_obs++] = (obstacle){ { px - r, py - r, 2 * r, 2 * r },
                                           L->label.on ? L->label.priority : 0 };
            }
            if (!L->label.on)
                continue;
            char *t = label_text(&L->label, f, m->o.lang);
            if (!t)
                continue;
            if (m->n_labels == cap) {
                cap = cap ? 2 * cap : 64;
                mlabel *nl = realloc(m->labels, cap * sizeof *nl);
                if (!nl) {
                    free(t);
                    rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
                    break;
                }
                m->labels = nl;
            }
            mlabel *l = &m->labels[m->n_labels++];
            *l = (mlabel){ .text = t, .priority = L->label.priority, .mass = f->mass, .ax = px,
                           .ay = py, .r = r, .st = &L->label, .n_alt = n_alt };
            memcpy(l->alt, alt, 2 * n_alt * sizeof *alt);
        }
    }
    cor_wkb_reader_destroy(rd);
    if (rc != COR_OK) {
        free(obs);
        return rc;
    }
    *obs_out = obs;
    *n_obs_out = n_obs;
    return COR_OK;
}

/* The positions to try around an anchor: right, left, above, below, then the diagonals;
 * centred on it (and just above and below) for a label without a symbol. */
static int positions(const mlabel *l, double ax, double ay, double w, double h, cand *pos)
{
    int np = 0;
    const st_label *lb = l->st;
    if (l->r > 0) {
        double d = l->r + 0.25 * lb->size_pt + lb->halo_pt * 0.5, dd = d * 0.75;
        pos[np++] = (cand){ ax + d, ay - h / 2, COR_ALIGN_LEFT };
        pos[np++] = (cand){ ax - d - w, ay - h / 2, COR_ALIGN_RIGHT };
        pos[np++] = (cand){ ax - w / 2, ay - d - h, COR_ALIGN_CENTER };
        pos[np++] = (cand){ ax - w / 2, ay + d, COR_ALIGN_CENTER };
        pos[np++] = (cand){ ax + dd, ay - dd - h, COR_ALIGN_LEFT };
        pos[np++] = (cand){ ax + dd, ay + dd, COR_ALIGN_LEFT };
        pos[np++] = (cand){ ax - dd - w, ay - dd - h, COR_ALIGN_RIGHT };
        pos[np++] = (cand){ ax - dd - w, ay + dd, COR_ALIGN_RIGHT };
    } else {
        pos[np++] = (cand){ ax - w / 2, ay - h / 2, COR_ALIGN_CENTER };
        pos[np++] = (cand){ ax - w / 2, ay - h * 1.1, COR_ALIGN_CENTER };
        pos[np++] = (cand){ ax - w / 2, ay + h * 0.1, COR_ALIGN_CENTER };
    }
    return np;
}

cor_status labels_place(cor_map *m, cor_error *err)
{
    const cor_style *st = m->style;
    const pg_box *fr = &m->frame;
    obstacle *obs = NULL;
    size_t n_obs = 0;
    if (collect(m, &obs, &n_obs, err))
        return err->code;
    /* furniture inside the frame */
    pg_box furn[3];
    size_t n_furn = 0;
    if (m->legend_inside && m->n_legend)
        furn[n_furn++] = m->legend_box;
    if (st->scalebar_on)
        furn[n_furn++] = m->scalebar_box;
    if (st->north_on)
        furn[n_furn++] = m->north_box;
    if (m->n_labels)
        qsort(m->labels, m->n_labels, sizeof *m->labels, by_priority);
    for (size_t i = 0; i < m->n_labels; i++) {
        mlabel *l = &m->labels[i];
        const st_label *lb = l->st;
        cor_text_spec ts = { .text = l->text, .size_pt = lb->size_pt, .size2_pt = lb->size2_pt,
                             .bold = lb->bold, .letter_spacing_pt = lb->letter_spacing_pt };
        double w, h;
        cor_text_measure(m->text, &ts, &w, &h);
        double pad = fmax(0.8, lb->halo_pt);
        /* first clear of every symbol; then, rather than dropping it, over the symbols of
         * much less important features (a city's name over a park's square or a station),
         * last over any symbol less important than itself */
        for (int pass = 0; pass < 3 && !l->placed; pass++) {
            for (size_t a = 0; a <= l->n_alt && !l->placed; a++) {
                double ax = a ? l->alt[2 * (a - 1)] : l->ax, ay = a ? l->alt[2 * a - 1] : l->ay;
                cand pos[9];
                int np = positions(l, ax, ay, w, h, pos);
                for (int k = 0; k < np && !l->placed; k++) {
                    pg_box b = { pos[k].x, pos[k].y, w, h };
                    if (b.x < fr->x + pad || b.y < fr->y + pad ||
                        b.x + b.w > fr->x + fr->w - pad || b.y + b.h > fr->y + fr->h - pad)
                        continue;
                    int hit = 0;
                    for (size_t j = 0; j < n_furn && !hit; j++)
                        hit = overlaps(&b, &furn[j], pad);
                    for (size_t j = 0; j < n_obs && !hit; j++)
                        hit = (pass == 0 || obs[j].priority >= (pass == 1 ? 0.5 : 1.0) *
                                                                    l->priority) &&
                              overlaps(&b, &obs[j].b, 0.3);
                    for (size_t j = 0; j < i && !hit; j++)
                        hit = m->labels[j].placed && overlaps(&b, &m->labels[j].box, pad);
                    if (!hit) {
                        l->box = b;
                        l->align = pos[k].a;
                        l->placed = 1;
                        m->n_placed++;
                    }
                }
            }
        }
    }
    free(obs);
    return COR_OK;
}

void labels_draw(cor_map *m, cor_canvas *cv)
{
    for (size_t i = 0; i < m->n_labels; i++) {
        const mlabel *l = &m->labels[i];
        if (!l->placed)
            continue;
        const st_label *lb = l->st;
        cor_text_spec ts = { .text = l->text, .size_pt = lb->size_pt, .size2_pt = lb->size2_pt,
                             .bold = lb->bold, .align = l->align,
                             .letter_spacing_pt = lb->letter_spacing_pt };
        cor_text_draw(m->text, cv, &ts, l->box.x, l->box.y, lb->color, lb->halo, lb->halo_pt);
    }
}
