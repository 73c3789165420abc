/* style.h: the parsed style, private to render/: the layer stack with filters, symbols,
 * labels and legend entries, and the look of the page and its furniture. */
#ifndef CORRIDOR_RENDER_STYLE_H
#define CORRIDOR_RENDER_STYLE_H

#include "canvas.h"

typedef struct { char *zh, *en; } st_text;  /* a text in both languages; either may be NULL */

typedef struct {
    cor_rgba color;
    double width;               /* points */
    double dash[8];
    int n_dash;
} st_stroke;

/* A condition on a field; a feature passes a layer's filter when all conditions hold. */
typedef enum { COND_IN = 0, COND_RANGE, COND_PRESENT } st_cond_kind;
typedef struct {
    char *field;
    st_cond_kind kind;
    char **values;              /* COND_IN: the value is one of these */
    size_t n_values;
    double min, max;            /* COND_RANGE: min <= value < max (NAN: open) */
    int present;                /* COND_PRESENT: 1 the field has a value, 0 it has none */
} st_cond;

typedef enum { SRC_LINES = 0, SRC_PLACES, SRC_LAYER } st_source;
typedef enum { GEOM_POLYGON = 0, GEOM_LINE, GEOM_POINT } st_geom;
typedef enum {
    SYM_CIRCLE = 0, SYM_SQUARE, SYM_TRIANGLE, SYM_DIAMOND, SYM_STAR, SYM_CIRCLE_DOT,
    SYM_PLANE, SYM_ANCHOR, SYM_NONE, SYM_COUNT
} st_symbol;

typedef struct {
    int on;
    double size_pt, size2_pt;   /* size2: the English line under a Chinese one (lang both) */
    int bold;
    cor_rgba color, halo;
    double halo_pt;
    double priority;            /* higher first; within a layer larger mass first */
    double letter_spacing_pt;
    char *field, *field_en;     /* layer sources: the name fields (name_zh, name) */
    char *strip_suffix;         /* removed from the end of Chinese names ("市") */
    char **rep_from, **rep_to;  /* shortenings applied to the text ("国际机场" -> "机场") */
    size_t n_rep;
} st_label;

typedef struct {
    char *id;
    st_source source;
    int role;                   /* cor_role for SRC_LINES / SRC_PLACES (and boundary) */
    char *layer;                /* SRC_LAYER: layer name (NULL with role boundary) */
    st_geom geom;
    st_cond *conds;
    size_t n_conds;
    cor_rgba fill;
    st_stroke stroke, casing, overlay; /* casing.width: added on each side of the stroke */
    double opacity;
    st_symbol symbol;
    double size_pt;             /* point symbols */
    double min_size_pt;         /* skip polygons and lines smaller than this on the page */
    st_label label;
    st_text legend;
    int has_legend;
    char *attribution;
} st_layer;

/* Thematic themes (map.c's THEMES after "base"), with how each is drawn. */
enum { TH_ACCESS = 0, TH_ISOCHRONE, TH_CORRIDORS, TH_SITES, TH_SCENARIO, TH_COUNT };
typedef struct {
    char *ramp;                 /* cor_ramp_known(); NULL: the built-in default */
    int reverse;                /* the ramp from its dark end */
    int classify;               /* cor_classify_method */
    int classes;
    st_text title, legend, unit; /* map title, legend heading, unit after class ranges */
    double size_pt;             /* point symbols */
    double min_width_pt, max_width_pt; /* proportional lines */
    double opacity;             /* fills */
    cor_rgba color;             /* proportional lines; scenario: the edited lines */
} st_theme;

struct cor_style {
    char *name, *font;
    cor_rgba page_bg, text_color, map_bg, frame_color;
    double frame_width;
    st_text title;              /* the theme's title: "基础地图" / "Base map" */
    double title_size, subtitle_size;
    int graticule_on;
    st_stroke graticule;
    double graticule_opacity, graticule_label_size;
    cor_rgba graticule_label_color;
    st_text legend_title;
    double legend_size;
    cor_rgba legend_bg, legend_stroke;
    int scalebar_on;
    double scalebar_size;
    cor_rgba scalebar_color;
    int north_on;
    double north_size;
    cor_rgba north_color;
    st_text attribution_prefix;
    double attribution_size;
    cor_rgba attribution_color;
    st_layer *layers;
    size_t n_layers;
    /* thematic themes: each theme's look, the base layers kept under them, faded */
    st_theme themes[TH_COUNT];
    char **base_layers;
    size_t n_base_layers;
    double base_opacity;
    cor_rgba categorical[12];   /* categories (park chain), the last for "other" */
    int n_categorical;
};

/* Index of a thematic theme's name in TH_*, -1 for base or unknown. */
int st_theme_index(const char *name);

/* The text in a language: zh, en, or "zh en" for both; falls back to whichever exists. */
const char *st_text_get(const st_text *t, cor_lang lang, char *buf, size_t n);

/* The built-in default style (generated from datasets/styles/default.json). */
extern const unsigned char cor_default_style_json[];

#endif
