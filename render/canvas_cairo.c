/* canvas_cairo.c: the Cairo adapter: a page in points on an image (PNG), PDF or SVG surface,
 * with paths, fills, strokes, clips and groups. */
#include "canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cor_canvas {
    cor_format fmt;
    cairo_surface_t *surface;
    cairo_t *cr;
    char *path;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

cor_canvas *cor_canvas_create(cor_format fmt, const char *path, double width_pt,
                              double height_pt, int width_px, int height_px, const char *title,
                              cor_error *err)
{
    cor_canvas *cv = calloc(1, sizeof *cv);
    if (!cv || !(cv->path = dup_str(path))) {
        free(cv);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    cv->fmt = fmt;
    switch (fmt) {
    case COR_FORMAT_PNG:
        cv->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width_px, height_px);
        break;
    case COR_FORMAT_PDF:
        cv->surface = cairo_pdf_surface_create(path, width_pt, height_pt);
        if (cairo_surface_status(cv->surface) == CAIRO_STATUS_SUCCESS) {
            cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_CREATOR, "Corridor");
            if (title && *title)
                cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_TITLE, title);
        }
        break;
    case COR_FORMAT_SVG:
        cv->surface = cairo_svg_surface_create(path, width_pt, height_pt);
        if (cairo_surface_status(cv->surface) == CAIRO_STATUS_SUCCESS)
            cairo_svg_surface_set_document_unit(cv->surface, CAIRO_SVG_UNIT_PT);
        break;
    }
    cairo_status_t st = cairo_surface_status(cv->surface);
    if (st != CAIRO_STATUS_SUCCESS) {
        cor_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? COR_ERR_NOMEM : COR_ERR_IO,
                      "%s: cannot create the %s surface: %s", path,
                      fmt == COR_FORMAT_PNG ? "image" : fmt == COR_FORMAT_PDF ? "PDF" : "SVG",
                      cairo_status_to_string(st));
        cor_canvas_destroy(cv);
        return NULL;
    }
    cv->cr = cairo_create(cv->surface);
    if (fmt == COR_FORMAT_PNG)
        cairo_scale(cv->cr, width_px / width_pt, height_px / height_pt);
    cairo_set_line_join(cv->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cv->cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_fill_rule(cv->cr, CAIRO_FILL_RULE_EVEN_ODD);
    return cv;
}

cor_status cor_canvas_finish(cor_canvas *cv, cor_error *err)
{
    cairo_status_t st = cairo_status(cv->cr);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(cv->surface);
        if (cv->fmt == COR_FORMAT_PNG)
            st = cairo_surface_write_to_png(cv->surface, cv->path);
        else {
            cairo_surface_finish(cv->surface);
            st = cairo_surface_status(cv->surface);
        }
    }
    if (st != CAIRO_STATUS_SUCCESS)
        return cor_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? COR_ERR_NOMEM : COR_ERR_IO,
                             "%s: cannot write the map: %s", cv->path,
                             cairo_status_to_string(st));
    return COR_OK;
}

void cor_canvas_destroy(cor_canvas *cv)
{
    if (!cv)
        return;
    if (cv->cr)
        cairo_destroy(cv->cr);
    if (cv->surface)
        cairo_surface_destroy(cv->surface);
    free(cv->path);
    free(cv);
}

void *cor_canvas_native(cor_canvas *cv) { return cv->cr; }

void cor_canvas_save(cor_canvas *cv) { cairo_save(cv->cr); }
void cor_canvas_restore(cor_canvas *cv) { cairo_restore(cv->cr); }
void cor_canvas_translate(cor_canvas *cv, double x, double y) { cairo_translate(cv->cr, x, y); }
void cor_canvas_rotate(cor_canvas *cv, double radians) { cairo_rotate(cv->cr, radians); }

void cor_canvas_new_path(cor_canvas *cv) { cairo_new_path(cv->cr); }
void cor_canvas_move_to(cor_canvas *cv, double x, double y) { cairo_move_to(cv->cr, x, y); }
void cor_canvas_line_to(cor_canvas *cv, double x, double y) { cairo_line_to(cv->cr, x, y); }
void cor_canvas_close_path(cor_canvas *cv) { cairo_close_path(cv->cr); }

void cor_canvas_rect(cor_canvas *cv, double x, double y, double w, double h)
{
    cairo_rectangle(cv->cr, x, y, w, h);
}

void cor_canvas_circle(cor_canvas *cv, double x, double y, double r)
{
    cairo_new_sub_path(cv->cr);
    cairo_arc(cv->cr, x, y, r, 0, 2 * 3.14159265358979323846);
    cairo_close_path(cv->cr);
}

void cor_canvas_fill(cor_canvas *cv, cor_rgba c, int preserve)
{
    if (c.a <= 0) {
        if (!preserve)
            cairo_new_path(cv->cr);
        return;
    }
    cairo_set_source_rgba(cv->cr, c.r, c.g, c.b, c.a);
    if (preserve)
        cairo_fill_preserve(cv->cr);
    else
        cairo_fill(cv->cr);
}

void cor_canvas_stroke(cor_canvas *cv, cor_rgba c, double width, const double *dash, int n_dash,
                       int preserve)
{
    if (c.a <= 0 || width <= 0) {
        if (!preserve)
            cairo_new_path(cv->cr);
        return;
    }
    cairo_set_source_rgba(cv->cr, c.r, c.g, c.b, c.a);
    cairo_set_line_width(cv->cr, width);
    cairo_set_dash(cv->cr, dash, dash ? n_dash : 0, 0);
    /* Dashes keep butt caps, so that their gaps stay open. */
    cairo_set_line_cap(cv->cr, dash && n_dash ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
    if (preserve)
        cairo_stroke_preserve(cv->cr);
    else
        cairo_stroke(cv->cr);
    cairo_set_dash(cv->cr, NULL, 0, 0);
    cairo_set_line_cap(cv->cr, CAIRO_LINE_CAP_ROUND);
}

void cor_canvas_clip(cor_canvas *cv)
{
    cairo_set_fill_rule(cv->cr, CAIRO_FILL_RULE_WINDING);
    cairo_clip(cv->cr);
    cairo_set_fill_rule(cv->cr, CAIRO_FILL_RULE_EVEN_ODD);
}

void cor_canvas_show_page(cor_canvas *cv) { cairo_show_page(cv->cr); }

void cor_canvas_push_group(cor_canvas *cv) { cairo_push_group(cv->cr); }

void cor_canvas_pop_group(cor_canvas *cv, double alpha)
{
    cairo_pop_group_to_source(cv->cr);
    cairo_paint_with_alpha(cv->cr, alpha);
}
