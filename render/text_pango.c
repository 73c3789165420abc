/* text_pango.c: the Pango adapter: one font family through fontconfig, text measured and
 * drawn (with halos) on the canvas's Cairo context; PDF keeps it as real, selectable text. */
#include "canvas.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cor_text {
    PangoFontMap *fm;           /* our own font map: no process-wide Pango state is shared */
    PangoContext *ctx;
    char *family;
};

cor_text *cor_text_create(const char *family, cor_error *err)
{
    cor_text *t = calloc(1, sizeof *t);
    if (!t || !(t->family = strdup(family))) {
        free(t);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    t->fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!t->fm)
        t->fm = pango_cairo_font_map_new();
    t->ctx = t->fm ? pango_font_map_create_context(t->fm) : NULL;
    if (!t->ctx) {
        cor_text_destroy(t);
        cor_error_set(err, COR_ERR_INTERNAL, "Pango has no font map for Cairo");
        return NULL;
    }
    /* Sizes in points at 72 units per inch; no hinting, so that glyph positions and outlines
     * are the same whatever the machine's fontconfig hinting settings are. */
    pango_cairo_context_set_resolution(t->ctx, 72.0);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(t->ctx, fo);
    cairo_font_options_destroy(fo);
    /* Our units are points, not pixels: rounding glyph positions to whole units would put
     * gaps of up to a point between letters at high resolution. */
    pango_context_set_round_glyph_positions(t->ctx, FALSE);

    /* fontconfig substitutes another family silently: ask which font it gives. */
    PangoFontDescription *d = pango_font_description_new();
    pango_font_description_set_family(d, family);
    pango_font_description_set_absolute_size(d, 10 * PANGO_SCALE);
    PangoFont *f = pango_font_map_load_font(t->fm, t->ctx, d);
    pango_font_description_free(d);
    PangoFontDescription *got = f ? pango_font_describe(f) : NULL;
    const char *gf = got ? pango_font_description_get_family(got) : NULL;
    int ok = gf && !strcasecmp(gf, family);
    if (!ok)
        cor_error_set(err, COR_ERR_NOTFOUND,
                      "font '%s' is not installed (fontconfig offers '%s'); install it, e.g. "
                      "apt-get install fonts-noto-cjk, or name another family in the style",
                      family, gf ? gf : "nothing");
    if (got)
        pango_font_description_free(got);
    if (f)
        g_object_unref(f);
    if (!ok) {
        cor_text_destroy(t);
        return NULL;
    }
    return t;
}

void cor_text_destroy(cor_text *t)
{
    if (!t)
        return;
    if (t->ctx)
        g_object_unref(t->ctx);
    if (t->fm)
        g_object_unref(t->fm);
    free(t->family);
    free(t);
}

static PangoLayout *make_layout(cor_text *t, const cor_text_spec *s)
{
    PangoLayout *l = pango_layout_new(t->ctx);
    PangoFontDescription *d = pango_font_description_new();
    pango_font_description_set_family(d, t->family);
    pango_font_description_set_absolute_size(d, s->size_pt * PANGO_SCALE);
    if (s->bold)
        pango_font_description_set_weight(d, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    pango_layout_set_text(l, s->text, -1);
    if (s->wrap_pt > 0) {
        pango_layout_set_width(l, (int)(s->wrap_pt * PANGO_SCALE));
        if (s->ellipsize) {
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
            pango_layout_set_height(l, -1); /* one line */
        } else
            pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(l, s->align == COR_ALIGN_CENTER ? PANGO_ALIGN_CENTER
                                  : s->align == COR_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT
                                                                : PANGO_ALIGN_LEFT);
    PangoAttrList *attrs = pango_attr_list_new();
    const char *nl = strchr(s->text, '\n');
    if (nl && s->size2_pt > 0) {
        PangoAttribute *a = pango_attr_size_new_absolute((int)(s->size2_pt * PANGO_SCALE));
        a->start_index = (guint)(nl + 1 - s->text);
        a->end_index = PANGO_ATTR_INDEX_TO_TEXT_END;
        pango_attr_list_insert(attrs, a);
    }
    if (s->letter_spacing_pt > 0)
        pango_attr_list_insert(attrs,
                               pango_attr_letter_spacing_new((int)(s->letter_spacing_pt * PANGO_SCALE)));
    pango_layout_set_attributes(l, attrs);
    pango_attr_list_unref(attrs);
    return l;
}

void cor_text_measure(cor_text *t, const cor_text_spec *s, double *w_pt, double *h_pt)
{
    PangoLayout *l = make_layout(t, s);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w_pt = (double)logical.width / PANGO_SCALE;
    *h_pt = (double)logical.height / PANGO_SCALE;
    g_object_unref(l);
}

void cor_text_draw(cor_text *t, cor_canvas *cv, const cor_text_spec *s, double x, double y,
                   cor_rgba color, cor_rgba halo, double halo_pt)
{
    cairo_t *cr = cor_canvas_native(cv);
    PangoLayout *l = make_layout(t, s);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    double ox = x - (double)logical.x / PANGO_SCALE, oy = y - (double)logical.y / PANGO_SCALE;
    cairo_save(cr);
    if (halo.a > 0 && halo_pt > 0) {
        cairo_new_path(cr);
        cairo_move_to(cr, ox, oy);
        pango_cairo_layout_path(cr, l);
        cairo_set_source_rgba(cr, halo.r, halo.g, halo.b, halo.a);
        cairo_set_line_width(cr, 2 * halo_pt);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
    cairo_move_to(cr, ox, oy);
    cairo_set_source_rgba(cr, color.r, color.g, color.b, color.a);
    pango_cairo_show_layout(cr, l);
    cairo_new_path(cr);
    cairo_restore(cr);
    g_object_unref(l);
}
