/* canvas.h: the private drawing interface of render/: a page in points drawn through Cairo
 * (canvas_cairo.c) and text laid out with Pango (text_pango.c). Nothing here names Cairo or
 * Pango types, so the map code stays free of them. */
#ifndef CORRIDOR_RENDER_CANVAS_H
#define CORRIDOR_RENDER_CANVAS_H

#include "corridor/render.h"

typedef struct { double r, g, b, a; } cor_rgba;   /* 0..1; a == 0 draws nothing */

/* ---- canvas_cairo.c ------------------------------------------------------------------------- */
typedef struct cor_canvas cor_canvas;

/* A page of width_pt x height_pt points. PNG: an image of width_px x height_px drawn at
 * width_px / width_pt pixels per point, written by cor_canvas_finish(); PDF and SVG: a vector
 * file written to path as drawing goes. Caller destroys. */
cor_canvas *cor_canvas_create(cor_format fmt, const char *path, double width_pt,
                              double height_pt, int width_px, int height_px, const char *title,
                              cor_error *err);
/* Completes the file (writes the PNG, closes PDF/SVG). Fails on I/O errors. */
cor_status cor_canvas_finish(cor_canvas *cv, cor_error *err);
void cor_canvas_destroy(cor_canvas *cv);                            /* accepts NULL */
/* The Cairo context (cairo_t *), for the Pango adapter only. */
void *cor_canvas_native(cor_canvas *cv);

void cor_canvas_save(cor_canvas *cv);
void cor_canvas_restore(cor_canvas *cv);
void cor_canvas_translate(cor_canvas *cv, double x, double y);
void cor_canvas_rotate(cor_canvas *cv, double radians);

void cor_canvas_new_path(cor_canvas *cv);
void cor_canvas_move_to(cor_canvas *cv, double x, double y);
void cor_canvas_line_to(cor_canvas *cv, double x, double y);
void cor_canvas_close_path(cor_canvas *cv);
void cor_canvas_rect(cor_canvas *cv, double x, double y, double w, double h);
void cor_canvas_circle(cor_canvas *cv, double x, double y, double r);

/* Fills the current path (even-odd rule); keeps it when preserve. */
void cor_canvas_fill(cor_canvas *cv, cor_rgba c, int preserve);
/* Strokes the current path with round joins and caps; dash may be NULL. */
void cor_canvas_stroke(cor_canvas *cv, cor_rgba c, double width, const double *dash, int n_dash,
                       int preserve);
void cor_canvas_clip(cor_canvas *cv);                               /* clips to the path */

/* Layers with opacity: drawing between push and pop is composited with alpha. */
/* Ends the page and starts the next one (PDF: a new page of the same size). */
void cor_canvas_show_page(cor_canvas *cv);

void cor_canvas_push_group(cor_canvas *cv);
void cor_canvas_pop_group(cor_canvas *cv, double alpha);

/* ---- text_pango.c ----------------------------------------------------------------------------- */
typedef struct cor_text cor_text;

/* A font family for all text of a page, laid out at 72 units per inch (sizes in points) with
 * hinting off, so that output does not depend on the machine's fontconfig settings. Fails with
 * a one-line message when fontconfig has no font of that family. Caller destroys. */
cor_text *cor_text_create(const char *family, cor_error *err);
void cor_text_destroy(cor_text *t);                                 /* accepts NULL */

typedef enum { COR_ALIGN_LEFT = 0, COR_ALIGN_CENTER, COR_ALIGN_RIGHT } cor_align;

/* A run of text: lines separated by '\n'; the second and later lines at size2_pt (0: size). */
typedef struct {
    const char *text;
    double size_pt, size2_pt;
    int bold;
    cor_align align;
    double letter_spacing_pt;
    double wrap_pt;             /* > 0: lines wrap at this width (words, else characters) */
    int ellipsize;              /* with wrap_pt: one line, cut with an ellipsis at the end */
} cor_text_spec;

/* The ink-independent logical size of the text in points. */
void cor_text_measure(cor_text *t, const cor_text_spec *s, double *w_pt, double *h_pt);
/* Draws the text with its top-left corner at x, y: first a halo (the outline stroked
 * halo_pt wide in halo colour, when halo.a > 0 and halo_pt > 0), then the glyphs as text. */
void cor_text_draw(cor_text *t, cor_canvas *cv, const cor_text_spec *s, double x, double y,
                   cor_rgba color, cor_rgba halo, double halo_pt);

#endif
