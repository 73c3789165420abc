/* map_internal.h: the map document shared by map.c (data, extent, layout, layers),
 * furniture.c (title, legend, scale bar, north arrow, graticule, attribution) and labels.c
 * (placement). Page coordinates are points, y down. */
#ifndef CORRIDOR_RENDER_MAP_INTERNAL_H
#define CORRIDOR_RENDER_MAP_INTERNAL_H

#include "corridor/shapes.h"
#include "style.h"

#define COR_PI 3.14159265358979323846

typedef struct { double x, y, w, h; } pg_box;

/* A feature of a style layer that passed its filter and lies in view. */
typedef struct {
    const cor_shape *shape;     /* layer sources (borrowed from the map's layer cache) */
    const unsigned char *wkb;   /* its WKB (for label points inside polygons) */
    size_t wkb_len;
    const double *xy;           /* role lines: one run of n points (borrowed from the dataset) */
    size_t n;
    double x, y;                /* points: the place, or a polygon's inside point */
    double mass;                /* population or the configured mass; NAN when none */
    const char *zh, *en;        /* names; NULL when none (borrowed) */
    cor_bbox bb;                /* working CRS */
} mfeat;

typedef struct {
    const st_layer *st;
    mfeat *f;
    size_t n;
} mlayer;

/* A layer read by name, with its fields, shared by the style layers that use it. */
typedef struct {
    char *name;
    cor_features feat;
    char **fields;
    size_t n_fields;
    cor_shape *shapes;          /* one per feature */
} mcache;

typedef struct {
    char *text;
    double priority, mass;
    double ax, ay, r;           /* anchor point and the symbol's radius (0: centred) */
    double alt[32];             /* polygons: more anchors inside, page points (x, y pairs) */
    size_t n_alt;
    const st_label *st;
    pg_box box;                 /* where it went */
    cor_align align;
    int placed;
} mlabel;

/* A legend row: a style layer's entry (st), or for thematic layers a heading (kind 1,
 * st NULL), a class swatch (kind 0 with a synthetic st) or a colour bar (kind 2). */
typedef struct {
    const st_layer *st;
    char *text;
    int kind;
    const struct tlayer *tl;    /* colour bar: its layer */
} mlegend;

/* ---- thematic layers (theme.c, theme_compute.c) ---- */
typedef enum {
    TK_GRAD = 0,                /* graduated colours: points or polygons by class */
    TK_PROP_LINES,              /* proportional line widths by class */
    TK_CATEGORY,                /* categorical colours (points) */
    TK_HIGHLIGHT                /* highlighted lines (scenario edits) */
} tkind;

typedef struct {
    cor_shape shape;            /* owned, working CRS */
    double value;               /* NAN when none */
    int cls;                    /* class or category; -1 none */
    char *text;                 /* category or name; owned, may be NULL */
} tfeat;

typedef struct tlayer {
    tkind kind;
    tfeat *f;
    size_t n, cap;
    int n_classes;
    double breaks[COR_CLASSIFY_MAX_CLASSES + 1];
    int method;                 /* -1 when the classes are the values themselves */
    int continuous;             /* draw a colour bar in the legend */
    int centred;                /* diverging ramp centred on 0 */
    double vmin, vmax;          /* colour bar range */
    const st_theme *th;
    st_layer sym[COR_CLASSIFY_MAX_CLASSES + 1]; /* one symbol per class (legend and drawing) */
    char *cls_text[COR_CLASSIFY_MAX_CLASSES + 1];
    char *heading;
    char *field;
} tlayer;

struct cor_map {
    cor_dataset *ds;            /* borrowed */
    const cor_style *style;     /* borrowed */
    cor_map_opts o;
    cor_text *text;

    /* page */
    int width_px, height_px;
    double dpi, px_per_pt, w_pt, h_pt, margin_pt;
    /* what the frame shows and how */
    cor_bbox view;              /* working CRS */
    pg_box frame;
    double scale;               /* points per metre */
    /* data */
    mcache *caches;
    size_t n_caches;
    mlayer *layers;             /* one per style layer */
    size_t features;
    /* highspeed_m and similar: segments of each line class, gridded on first use */
    struct seg_grid *grids[COR_CLASS_COUNT];
    /* furniture */
    char *title, *subtitle, *attribution;
    double title_h, subtitle_h, attribution_h;
    mlegend *legend;
    size_t n_legend;
    pg_box legend_box;
    int legend_inside, legend_layout, legend_cols; /* layout: 0 side, 1 bottom, 2 inside */
    double legend_fs;
    double legend_row_h, legend_col_w, legend_title_h;
    double grat_band;
    pg_box scalebar_box;
    double sb_x0, sb_y, sb_len, sb_km;
    int sb_segments;
    pg_box north_box;
    double north_angle;         /* radians clockwise from page up */
    mlabel *labels;
    size_t n_labels, n_placed;
    /* thematic theme */
    int theme;                  /* TH_* or -1 for base */
    tlayer *tl;
    size_t n_tl;
    cor_bbox region;            /* the whole region (boundary layer), for the inset */
    int has_region;
    int inset_on;
    pg_box inset_box;
};

/* map.c */
void map_to_page(const cor_map *m, double x, double y, double *px, double *py);
void page_to_map(const cor_map *m, double px, double py, double *x, double *y);
void map_draw_symbol(cor_canvas *cv, st_symbol sym, double x, double y, double size,
                     cor_rgba fill, cor_rgba stroke, double width);
void map_draw_line_swatch(cor_canvas *cv, const st_layer *L, double x0, double y, double x1);

/* Draws the whole map page with its top-left corner at x, y points of cv (for reports). */
void map_draw_on(cor_map *m, cor_canvas *cv, double x, double y);

/* theme.c */
cor_status theme_load(cor_map *m, cor_error *err);     /* after the base layers */
void theme_free(cor_map *m);
/* points 0: areas and lines (under the base's places), 1: point symbols (over them) */
void theme_draw(cor_map *m, cor_canvas *cv, int points);
cor_status theme_legend(cor_map *m, size_t *cap, cor_error *err); /* rows first in m->legend */
void theme_colour_bar(cor_map *m, cor_canvas *cv, const tlayer *tl, double x, double y,
                      double w, double h, double fs);
cor_status tlayer_push(tlayer *tl, const tfeat *f);
cor_status shape_point(cor_shape *s, double x, double y);
cor_status shape_line(cor_shape *s, const double *xy, size_t n);

/* theme_compute.c: the default analyses when no results file is given */
cor_status theme_compute_access(cor_map *m, tlayer *tl, cor_error *err);
cor_status theme_compute_isochrone(cor_map *m, tlayer *tl, cor_error *err);
cor_status theme_compute_corridors(cor_map *m, tlayer *tl, cor_error *err);

/* furniture.c */
cor_status furniture_layout(cor_map *m, cor_error *err);       /* titles, legend, frame */
cor_status furniture_place(cor_map *m, cor_error *err);        /* scale bar, north arrow */
void furniture_draw_graticule(cor_map *m, cor_canvas *cv, int labels);
void furniture_draw(cor_map *m, cor_canvas *cv);

/* labels.c */
cor_status labels_place(cor_map *m, cor_error *err);
void labels_draw(cor_map *m, cor_canvas *cv);

#endif
