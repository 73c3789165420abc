/* report.c: multi-page PDF reports: a list of items (headings, paragraphs, maps, tables) laid
 * out onto pages when written. Layout runs twice over the same code: once to count the pages,
 * once to draw them with "page / pages" in every footer. */
#include "corridor/report.h"

#include "canvas.h"
#include "map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PT_PER_MM (72.0 / 25.4)

typedef enum { IT_HEADING, IT_PARAGRAPH, IT_MAP, IT_TABLE } it_kind;

typedef struct {
    it_kind kind;
    char *text;                 /* heading, paragraph, table caption */
    int new_page;
    cor_map *map;
    double h_pt;                /* map height */
    size_t n_cols, n_rows;      /* table: row 0 is the header */
    char **cells;               /* (n_rows + 1) * n_cols */
    char *align;
    double *col_w;              /* table column widths, points */
} item;

struct cor_report {
    const cor_style *st;
    cor_report_opts o;
    char *title, *date, *sources;
    double w_pt, h_pt, margin_pt, head_pt, foot_pt;
    cor_text *text;
    item *items;
    size_t n, cap;
};

/* text sizes, points */
#define FS_HEAD 8.0
#define FS_H1 15.0
#define FS_BODY 10.0
#define FS_CAPTION 9.5
#define FS_TABLE 8.0
#define FS_FOOT 7.5
#define GAP_PT 8.0
#define CELL_PAD 3.0

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

cor_report *cor_report_create(const cor_style *style, const cor_report_opts *o,
                              cor_error *err)
{
    if (!o->title || !*o->title) {
        cor_error_set(err, COR_ERR_CONFIG, "a report needs a title");
        return NULL;
    }
    double w_mm, h_mm;
    int orient;
    const char *paper = o->paper ? o->paper : "A4";
    if (!cor_paper_size_mm(paper, &w_mm, &h_mm, &orient)) {
        cor_error_set(err, COR_ERR_CONFIG, "unknown paper '%s' (A0 to A5)", paper);
        return NULL;
    }
    if (w_mm > h_mm) { /* reports are portrait */
        double t = w_mm;
        w_mm = h_mm;
        h_mm = t;
    }
    cor_report *r = calloc(1, sizeof *r);
    if (!r) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->st = style;
    r->o = *o;
    char today[16];
    if (!o->date) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
    }
    r->title = strdup(o->title);
    r->date = strdup(o->date ? o->date : today);
    r->sources = dup_or_null(o->sources);
    if (!r->title || !r->date || (o->sources && !r->sources)) {
        cor_report_destroy(r);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->o.title = r->title;
    r->o.date = r->date;
    r->o.sources = r->sources;
    if (r->o.map_dpi <= 0)
        r->o.map_dpi = 300;
    r->w_pt = w_mm * PT_PER_MM;
    r->h_pt = h_mm * PT_PER_MM;
    r->margin_pt = 18 * PT_PER_MM;
    r->head_pt = 16;
    r->foot_pt = r->sources ? 26 : 16;
    if (!(r->text = cor_text_create(cor_style_font(style), err))) {
        cor_report_destroy(r);
        return NULL;
    }
    return r;
}

static void item_free(item *it)
{
    free(it->text);
    cor_map_destroy(it->map);
    if (it->cells)
        for (size_t i = 0; i < (it->n_rows + 1) * it->n_cols; i++)
            free(it->cells[i]);
    free(it->cells);
    free(it->align);
    free(it->col_w);
}

void cor_report_destroy(cor_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        item_free(&r->items[i]);
    free(r->items);
    cor_text_destroy(r->text);
    free(r->title);
    free(r->date);
    free(r->sources);
    free(r);
}

static item *push(cor_report *r, it_kind kind, cor_error *err)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        item *n = realloc(r->items, cap * sizeof *n);
        if (!n) {
            cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            return NULL;
        }
        r->items = n;
        r->cap = cap;
    }
    item *it = &r->items[r->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

static double text_width(const cor_report *r) { return r->w_pt - 2 * r->margin_pt; }
static double body_top(const cor_report *r) { return r->margin_pt + r->head_pt; }
static double body_bottom(const cor_report *r) { return r->h_pt - r->margin_pt - r->foot_pt; }

static cor_status push_text(cor_report *r, it_kind kind, const char *text, int new_page,
                            cor_error *err)
{
    if (!text)
        return cor_error_set(err, COR_ERR_CONFIG, "report text is missing");
    item *it = push(r, kind, err);
    if (!it)
        return err->code;
    it->new_page = new_page;
    if (!(it->text = strdup(text))) {
        r->n--;
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    return COR_OK;
}

cor_status cor_report_heading(cor_report *r, const char *text, int new_page, cor_error *err)
{
    return push_text(r, IT_HEADING, text, new_page, err);
}

cor_status cor_report_paragraph(cor_report *r, const char *text, cor_error *err)
{
    return push_text(r, IT_PARAGRAPH, text, 0, err);
}

cor_status cor_report_map(cor_report *r, cor_dataset *ds, const cor_map_opts *o,
                          double height_mm, cor_error *err)
{
    double h_pt = height_mm > 0 ? height_mm * PT_PER_MM : 0;
    double max_h = body_bottom(r) - body_top(r);
    if (h_pt > max_h || h_pt <= 0)
        h_pt = height_mm > 0 ? max_h : -1; /* -1: the rest of the page, sized at layout */
    /* A map of the rest of a page is laid out for the tallest box it can get; at layout time
     * it moves to a new page when less than that remains. */
    double lay_h = h_pt > 0 ? h_pt : max_h * 0.62;
    cor_map_opts mo = *o;
    mo.paper = NULL;
    mo.dpi = r->o.map_dpi;
    mo.width_px = (int)lround(text_width(r) / 72.0 * mo.dpi);
    mo.height_px = (int)lround(lay_h / 72.0 * mo.dpi);
    mo.lang = r->o.lang;
    cor_map *m = cor_map_create(ds, r->st, &mo, err);
    if (!m)
        return err->code;
    item *it = push(r, IT_MAP, err);
    if (!it) {
        cor_map_destroy(m);
        return err->code;
    }
    it->map = m;
    it->h_pt = lay_h;
    return COR_OK;
}

cor_status cor_report_add_table(cor_report *r, const cor_report_table *t, cor_error *err)
{
    if (t->n_cols == 0 || !t->header)
        return cor_error_set(err, COR_ERR_CONFIG, "report table '%s' has no columns",
                             t->caption ? t->caption : "");
    if (t->align && strlen(t->align) != t->n_cols)
        return cor_error_set(err, COR_ERR_CONFIG,
                             "report table '%s': %zu alignment letters for %zu columns",
                             t->caption ? t->caption : "", strlen(t->align), t->n_cols);
    item *it = push(r, IT_TABLE, err);
    if (!it)
        return err->code;
    it->n_cols = t->n_cols;
    it->n_rows = t->n_rows;
    size_t n = (t->n_rows + 1) * t->n_cols;
    it->cells = calloc(n, sizeof *it->cells);
    it->col_w = calloc(t->n_cols, sizeof *it->col_w);
    it->align = malloc(t->n_cols + 1);
    it->text = dup_or_null(t->caption);
    int ok = it->cells && it->col_w && it->align && (!t->caption || it->text);
    for (size_t i = 0; ok && i < n; i++) {
        const char *s = i < t->n_cols ? t->header[i] : t->cells[i - t->n_cols];
        ok = (it->cells[i] = strdup(s ? s : "")) != NULL;
    }
    if (!ok) {
        item_free(it);
        r->n--;
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t j = 0; j < t->n_cols; j++)
        it->align[j] = t->align ? t->align[j] : 'l';
    it->align[t->n_cols] = 0;
    /* Columns get their widest cell; when the table is too wide, the widest columns are cut
     * down to a common cap chosen so that the table fits (narrow columns stay whole); when it
     * is narrower, all columns widen in proportion. */
    double sum = 0, tw = text_width(r);
    for (size_t j = 0; j < t->n_cols; j++) {
        double wmax = 0;
        for (size_t i = 0; i <= t->n_rows; i++) {
            cor_text_spec s = { .text = it->cells[i * t->n_cols + j], .size_pt = FS_TABLE,
                                .bold = i == 0 };
            double w, h;
            cor_text_measure(r->text, &s, &w, &h);
            if (w > wmax)
                wmax = w;
        }
        it->col_w[j] = wmax + 2 * CELL_PAD + 1;
        sum += it->col_w[j];
    }
    if (sum > tw) {
        double lo = 0, hi = tw; /* the cap: sum of min(w, cap) == tw, by bisection */
        for (int k = 0; k < 60; k++) {
            double cap = (lo + hi) / 2, s2 = 0;
            for (size_t j = 0; j < t->n_cols; j++)
                s2 += fmin(it->col_w[j], cap);
            if (s2 > tw)
                hi = cap;
            else
                lo = cap;
        }
        sum = 0;
        for (size_t j = 0; j < t->n_cols; j++)
            sum += (it->col_w[j] = fmin(it->col_w[j], lo));
    }
    for (size_t j = 0; j < t->n_cols; j++)
        it->col_w[j] *= tw / sum;
    return COR_OK;
}

/* ---- layout and drawing ----------------------------------------------------------------- */

typedef struct {
    cor_report *r;
    cor_canvas *cv;             /* NULL: count the pages only */
    int page, pages;            /* pages: the total, known on the drawing pass */
    double y;                   /* next free line on the page */
    int page_open;
} lay;

static cor_rgba rgba(double r, double g, double b, double a) { return (cor_rgba){ r, g, b, a }; }

static void text_at(lay *L, const char *s, double size, int bold, cor_align align, double x,
                    double y, double wrap, int ellipsize, cor_rgba c)
{
    if (!L->cv)
        return;
    cor_text_spec sp = { .text = s, .size_pt = size, .bold = bold, .align = COR_ALIGN_LEFT,
                         .wrap_pt = wrap, .ellipsize = ellipsize };
    /* cor_text_draw puts the ink-independent box's corner at x, y: align within the box here */
    if (align != COR_ALIGN_LEFT && wrap > 0) {
        double w, h;
        cor_text_measure(L->r->text, &sp, &w, &h);
        x += align == COR_ALIGN_RIGHT ? wrap - w : (wrap - w) / 2;
    }
    cor_text_draw(L->r->text, L->cv, &sp, x, y, c, rgba(0, 0, 0, 0), 0);
}

static double text_h(cor_report *r, const char *s, double size, int bold, double wrap)
{
    cor_text_spec sp = { .text = s, .size_pt = size, .bold = bold, .wrap_pt = wrap };
    double w, h;
    cor_text_measure(r->text, &sp, &w, &h);
    return h;
}

static void page_furniture(lay *L)
{
    cor_report *r = L->r;
    if (!L->cv)
        return;
    cor_rgba grey = rgba(0.35, 0.35, 0.35, 1), rule = rgba(0.6, 0.6, 0.6, 1);
    double x0 = r->margin_pt, x1 = r->w_pt - r->margin_pt, tw = x1 - x0;
    text_at(L, r->title, FS_HEAD, 0, COR_ALIGN_LEFT, x0, r->margin_pt - 2, tw, 1, grey);
    cor_canvas_new_path(L->cv);
    cor_canvas_move_to(L->cv, x0, r->margin_pt + r->head_pt - 5);
    cor_canvas_line_to(L->cv, x1, r->margin_pt + r->head_pt - 5);
    cor_canvas_stroke(L->cv, rule, 0.5, NULL, 0, 0);
    double fy = r->h_pt - r->margin_pt - r->foot_pt + 6;
    cor_canvas_new_path(L->cv);
    cor_canvas_move_to(L->cv, x0, fy);
    cor_canvas_line_to(L->cv, x1, fy);
    cor_canvas_stroke(L->cv, rule, 0.5, NULL, 0, 0);
    char left[160], right[64];
    snprintf(left, sizeof left, "Corridor · %s", r->date);
    snprintf(right, sizeof right, "%d / %d", L->page, L->pages);
    text_at(L, left, FS_FOOT, 0, COR_ALIGN_LEFT, x0, fy + 3, tw * 0.7, 1, grey);
    text_at(L, right, FS_FOOT, 0, COR_ALIGN_RIGHT, x0, fy + 3, tw, 1, grey);
    if (r->sources)
        text_at(L, r->sources, FS_FOOT, 0, COR_ALIGN_LEFT, x0, fy + 3 + FS_FOOT * 1.45, tw, 1,
                grey);
}

static void new_page(lay *L)
{
    if (L->page_open && L->cv)
        cor_canvas_show_page(L->cv);
    L->page++;
    L->page_open = 1;
    L->y = body_top(L->r);
    page_furniture(L);
}

/* Makes room for h points, starting a new page when the current one has less. */
static void need(lay *L, double h)
{
    if (!L->page_open || (L->y + h > body_bottom(L->r) && L->y > body_top(L->r)))
        new_page(L);
}

static void table_row(lay *L, const item *it, size_t i, double row_h)
{
    cor_report *r = L->r;
    double x = r->margin_pt;
    if (L->cv) {
        if (i == 0 || i % 2 == 0) {
            cor_canvas_new_path(L->cv);
            cor_canvas_rect(L->cv, x, L->y, text_width(r), row_h);
            cor_canvas_fill(L->cv, i == 0 ? rgba(0.88, 0.90, 0.93, 1) : rgba(0.96, 0.97, 0.98, 1),
                            0);
        }
        for (size_t j = 0; j < it->n_cols; j++) {
            char a = it->align[j];
            cor_align al = a == 'r' ? COR_ALIGN_RIGHT : a == 'c' ? COR_ALIGN_CENTER
                                                                   : COR_ALIGN_LEFT;
            text_at(L, it->cells[i * it->n_cols + j], FS_TABLE, i == 0, al, x + CELL_PAD,
                    L->y + CELL_PAD * 0.6, it->col_w[j] - 2 * CELL_PAD, 1, r->st->text_color);
            x += it->col_w[j];
        }
    }
    L->y += row_h;
}

static void layout(lay *L)
{
    cor_report *r = L->r;
    double tw = text_width(r);
    for (size_t k = 0; k < r->n; k++) {
        const item *it = &r->items[k];
        switch (it->kind) {
        case IT_HEADING: {
            double h = text_h(r, it->text, FS_H1, 1, tw);
            if (it->new_page && L->page_open && L->y > body_top(r))
                new_page(L);
            need(L, h + GAP_PT + 80); /* keep a heading with what follows it */
            text_at(L, it->text, FS_H1, 1, COR_ALIGN_LEFT, r->margin_pt, L->y, tw, 0,
                    r->st->text_color);
            L->y += h + GAP_PT * 0.6;
            break;
        }
        case IT_PARAGRAPH: {
            double h = text_h(r, it->text, FS_BODY, 0, tw);
            need(L, h);
            text_at(L, it->text, FS_BODY, 0, COR_ALIGN_LEFT, r->margin_pt, L->y, tw, 0,
                    r->st->text_color);
            L->y += h + GAP_PT;
            break;
        }
        case IT_MAP:
            need(L, it->h_pt);
            if (L->cv)
                map_draw_on(it->map, L->cv, r->margin_pt, L->y);
            L->y += it->h_pt + GAP_PT;
            break;
        case IT_TABLE: {
            double row_h = FS_TABLE * 1.25 + 2 * CELL_PAD * 0.6;
            double cap_h = it->text ? text_h(r, it->text, FS_CAPTION, 1, tw) + 4 : 0;
            need(L, cap_h + 3 * row_h);
            if (it->text)
                text_at(L, it->text, FS_CAPTION, 1, COR_ALIGN_LEFT, r->margin_pt, L->y, tw, 0,
                        r->st->text_color);
            L->y += cap_h;
            table_row(L, it, 0, row_h);
            for (size_t i = 1; i <= it->n_rows; i++) {
                if (L->y + row_h > body_bottom(r)) {
                    new_page(L);
                    table_row(L, it, 0, row_h); /* the header again */
                }
                table_row(L, it, i, row_h);
            }
            if (L->cv) {
                cor_canvas_new_path(L->cv);
                cor_canvas_move_to(L->cv, r->margin_pt, L->y);
                cor_canvas_line_to(L->cv, r->margin_pt + tw, L->y);
                cor_canvas_stroke(L->cv, rgba(0.6, 0.6, 0.6, 1), 0.5, NULL, 0, 0);
            }
            L->y += GAP_PT * 1.5;
            break;
        }
        }
    }
    if (!L->page_open)
        new_page(L);
}

cor_status cor_report_write(cor_report *r, const char *path, int *pages, cor_error *err)
{
    if (cor_render_format_from_path(path) != COR_FORMAT_PDF)
        return cor_error_set(err, COR_ERR_CONFIG, "%s: a report is written as PDF (.pdf)", path);
    lay count = { .r = r };
    layout(&count);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    cor_canvas *cv = cor_canvas_create(COR_FORMAT_PDF, tmp, r->w_pt, r->h_pt, 0, 0, r->title,
                                       err);
    cor_status rc = cv ? COR_OK : err->code;
    if (rc == COR_OK) {
        lay draw = { .r = r, .cv = cv, .pages = count.page };
        layout(&draw);
        rc = cor_canvas_finish(cv, err);
    }
    cor_canvas_destroy(cv);
    if (rc == COR_OK && rename(tmp, path) != 0)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot rename the finished report into place",
                           path);
    if (rc != COR_OK)
        unlink(tmp);
    free(tmp);
    if (rc == COR_OK && pages)
        *pages = count.page;
    return rc;
}
