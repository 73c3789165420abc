/* render.h: maps with Cairo and Pango: styles from JSON, the map document (extent, size,
 * layout), themes, labels, map furniture, and output to PNG, PDF or SVG. */
#ifndef CORRIDOR_RENDER_H
#define CORRIDOR_RENDER_H

#include "corridor/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- styles -------------------------------------------------------------------------------- */
/* A style: fonts, colours, the layer stack with its symbols, labels and legend entries, and the
 * furniture (see datasets/styles/default.json, which is built into the library). */
typedef struct cor_style cor_style;
/* Parses a style. Errors name the origin and the JSON path of the offending key, e.g.
 * "my.json: layers[3].stroke: \"#zz0000\" is not a colour (#rgb, #rrggbb or #rrggbbaa)".
 * Caller destroys. */
cor_style *cor_style_load(const char *path, cor_error *err);
cor_style *cor_style_parse(const char *json, const char *origin, cor_error *err);
/* The shipped default style (datasets/styles/default.json, compiled in). Caller destroys. */
cor_style *cor_style_default(cor_error *err);
void cor_style_destroy(cor_style *s);                               /* accepts NULL */
const char *cor_style_font(const cor_style *s);                     /* borrowed */

/* ---- themes and formats -------------------------------------------------------------------- */
/* The themes this build draws ("base", "access", "isochrone", "corridors", "sites",
 * "scenario"), NULL-terminated; borrowed. */
const char *const *cor_render_themes(void);
int cor_render_theme_known(const char *name);

typedef enum { COR_FORMAT_PNG = 0, COR_FORMAT_PDF, COR_FORMAT_SVG } cor_format;
/* The format of a path's extension (.png, .pdf, .svg, any case); -1 when none of them. */
int cor_render_format_from_path(const char *path);

/* Paper sizes by name: "A4", "A3" (portrait), with "-landscape" or "-portrait" to force an
 * orientation. 1 when known; *orientation is 0 (choose from the extent), 1 portrait or
 * 2 landscape. */
int cor_paper_size_mm(const char *name, double *w_mm, double *h_mm, int *orientation);

/* The largest raster: COR_RENDER_MAX_SIDE_PX per side and COR_RENDER_MAX_PIXELS in all. */
#define COR_RENDER_MAX_SIDE_PX 20000
#define COR_RENDER_MAX_PIXELS 250000000.0 /* 1 GB of 32-bit pixels */

/* ---- classification and colour ramps (classify.c) ------------------------------------------- */
typedef enum { COR_CLASSIFY_EQUAL = 0, COR_CLASSIFY_QUANTILE, COR_CLASSIFY_JENKS } cor_classify_method;
#define COR_CLASSIFY_MAX_CLASSES 12
/* "equal", "quantile" ("quantiles"), "jenks" ("natural"); -1 when unknown. */
int cor_classify_method_from_name(const char *name);
const char *cor_classify_method_name(cor_classify_method m);       /* static */

/* Class breaks for the finite values among values[0..n) (NaN and infinities are ignored):
 * breaks[0] = the minimum, breaks[*n_classes] = the maximum, class c holds
 * breaks[c] <= v < breaks[c + 1] (the last class includes the maximum).
 * - equal: k classes of equal width;
 * - quantile: class c starts at the sorted value of rank floor(c n / k); ties can merge
 *   classes, so *n_classes may be less than k;
 * - jenks: Fisher's exact optimum (least total within-class sum of squared deviations),
 *   breaks at the first value of each class (above 4000 distinct values, over 4000 evenly
 *   spaced order statistics).
 * With no more distinct values than k, one class per distinct value. breaks needs k + 1
 * slots. Fails on k outside 1..COR_CLASSIFY_MAX_CLASSES (COR_ERR_CONFIG) or no finite value
 * (COR_ERR_INPUT), or out of memory. */
cor_status cor_classify(const double *values, size_t n, cor_classify_method method, int k,
                        double *breaks, int *n_classes, cor_error *err);
/* The class of value (0..n_classes-1; values outside the range go to the nearest end);
 * -1 for NaN or infinities. */
int cor_classify_index(const double *breaks, int n_classes, double value);

/* Colour ramps for print and colour-blind readers: ColorBrewer sequential YlOrRd, Blues,
 * YlGnBu, Greens, Purples, OrRd, viridis, and diverging RdBu, PuOr (names any case). */
int cor_ramp_known(const char *name);
int cor_ramp_diverging(const char *name);
const char *cor_ramp_list(void);                                    /* static text */
/* The colour at t in [0, 1] (clamped), reversed when reverse; 0 when the ramp is unknown. */
int cor_ramp_color(const char *name, double t, int reverse, double rgb[3]);

/* The six chains and five clusters of the regional plan by the keys of the parks' chain field
 * (datasets/README.md): "robotics" -> "机器人" / "robotics". 1 when key is known. */
int cor_chain_label(const char *key, const char **zh, const char **en);

/* ---- the map document -------------------------------------------------------------------- */
typedef enum { COR_LANG_ZH = 0, COR_LANG_EN, COR_LANG_BOTH } cor_lang;
int cor_lang_from_name(const char *name);                           /* -1 when unknown */

typedef struct {
    const char *theme;          /* "base", or a thematic theme over a muted base */
    /* Thematic themes: the results file of the matching command (corridor access, isochrone,
     * corridors, site; scenario's delta.gpkg); NULL: compute the default analysis (access:
     * parks to ports, nearest time; isochrone: from Beijing, 30/60/90/120 min; corridors:
     * the default run); sites and scenario need a file. */
    const char *theme_data;
    const char *theme_field;    /* the field to map; NULL: the theme's default ("nearest_min",
                                   "minutes", "load", "total", "<first measure>_change") */
    int classify;               /* cor_classify_method; -1: the style's choice for the theme */
    int classes;                /* 0: the style's choice */
    /* The area to show; the first that is set wins, otherwise the extent of the boundary layer
     * (or of all data) with a margin. The map may show more, to fill the frame. */
    const char *extent_name;    /* a polygon's name or name_zh in any polygon layer ("河北省",
                                   "Beijing"; a trailing 市/省 may be left off) */
    int has_extent_lonlat;
    cor_bbox extent_lonlat;     /* degrees: min_x = min lon, ... */
    int width_px, height_px;    /* raster size (the page size for PDF/SVG at dpi) */
    const char *paper;          /* instead of the size: "A4", "A3" (see cor_paper_size_mm);
                                   orientation from the extent unless the name forces one */
    double dpi;                 /* pixels per inch: style sizes are points (1/72 in); 0: 300
                                   on paper, else the size of a 260 mm wide print (>= 96) */
    cor_lang lang;
    const char *title;          /* NULL: from the theme and the boundaries shown */
    const char *subtitle;       /* NULL: the projection's name; "" for none */
    cor_logger log;
} cor_map_opts;
#define COR_MAP_OPTS_DEFAULT ((cor_map_opts){ .theme = "base", .theme_data = NULL, \
    .theme_field = NULL, .classify = -1, .classes = 0, .extent_name = NULL, \
    .has_extent_lonlat = 0, .width_px = 3000, .height_px = 2200, .paper = NULL, .dpi = 0, \
    .lang = COR_LANG_ZH, .title = NULL, .subtitle = NULL, .log = COR_LOGGER_NONE })

typedef struct cor_map cor_map;

/* Loads the theme's layers from ds (borrowed; it must outlive the map), resolves the extent,
 * lays the page out (frame, legend, scale bar, north arrow, graticule, labels). Fails on an
 * unknown theme, a size over the limits, an unknown extent name, an extent holding no data,
 * a font that is not installed, or data that cannot be read. Caller destroys. */
cor_map *cor_map_create(cor_dataset *ds, const cor_style *style, const cor_map_opts *o,
                        cor_error *err);
void cor_map_destroy(cor_map *m);                                   /* accepts NULL */

/* Draws the map to path in the format of its extension, through a temporary file renamed on
 * success; a failure leaves nothing behind. PNG: width_px x height_px; PDF and SVG: vector,
 * the page in points (width_px * 72 / dpi), PDF text selectable. */
cor_status cor_map_write(cor_map *m, const char *path, cor_error *err);

/* ---- what the layout holds (for reports and tests) ----------------------------------------- */
typedef struct {
    int width_px, height_px;
    double dpi;
    double frame_px[4];         /* map frame: x, y, width, height in pixels */
    cor_bbox view;              /* what the frame shows, working-CRS metres */
    double m_per_px;            /* projected metres per pixel */
    size_t features;            /* features in view, over all layers */
    size_t legend_items;
    size_t labels_placed, labels_dropped;
} cor_map_info;
void cor_map_get_info(const cor_map *m, cor_map_info *out);

/* The scale bar: its round length and its ends in pixels (on a horizontal line). */
typedef struct { double km; double x0_px, y0_px, x1_px, y1_px; int segments; } cor_scalebar;
void cor_map_get_scalebar(const cor_map *m, cor_scalebar *out);

/* Pixel position to working-CRS metres and back. */
void cor_map_px_to_xy(const cor_map *m, double px, double py, double *x_m, double *y_m);
void cor_map_xy_to_px(const cor_map *m, double x_m, double y_m, double *px, double *py);

/* A placed label: its text and box in pixels (x, y, width, height), and its priority. */
typedef struct { const char *text; double box_px[4]; double priority; } cor_map_label;
size_t cor_map_label_count(const cor_map *m);
void cor_map_label_get(const cor_map *m, size_t i, cor_map_label *out);    /* text borrowed */

/* The thematic layer drawn (a zeroed record with the base theme): the field, how it was
 * classified and the breaks (graduated and proportional symbols), or the categories. */
typedef struct {
    const char *field;          /* borrowed */
    const char *ramp;           /* borrowed */
    int method;                 /* cor_classify_method; -1 when not classified */
    int n_classes;
    double breaks[COR_CLASSIFY_MAX_CLASSES + 1];
    size_t features;            /* thematic features read */
    int inset;                  /* 1 when the locator inset is drawn */
} cor_map_theme_info;
void cor_map_get_theme(const cor_map *m, cor_map_theme_info *out);

/* A legend entry: the style layer's id (thematic entries: "theme") and its text. */
typedef struct { const char *layer_id; const char *text; } cor_map_legend_item;
void cor_map_legend_get(const cor_map *m, size_t i, cor_map_legend_item *out); /* borrowed */

/* ---- QGIS styles (QML) for the GeoPackages Corridor writes --------------------------------- */
/* What a written layer holds, which decides its symbology. Field names are the defaults the
 * commands write; cor_qml_opts.field overrides the classified one. */
typedef enum {
    COR_QML_NETWORK_EDGES = 0, /* lines "mode", "class": rules from the style's road and rail
                                  layers (high-speed rail distinct), access links thin grey */
    COR_QML_NETWORK_NODES,     /* points "kind" (road, rail, station, place): categorized */
    COR_QML_ROUTE,             /* route legs "mode", "class": as the edges, drawn wider */
    COR_QML_ISOCHRONES,        /* polygons, one semi-transparent class per value of "minutes" */
    COR_QML_CONTOURS,          /* lines, one class per value of "minutes" */
    COR_QML_ACCESS,            /* points graduated on a measure column (field required) */
    COR_QML_LINKAGE,           /* lines, width proportional to "r_ab" */
    COR_QML_FLOWS,             /* lines by "mode", width proportional to "load" */
    COR_QML_CORRIDORS,         /* lines, width proportional to "max_load", labelled by "name" */
    COR_QML_CORRIDOR_ZONES,    /* semi-transparent fills labelled by "name" */
    COR_QML_BREAKING_POINTS,   /* points */
    COR_QML_SITES,             /* points graduated on "total"; excluded sites ("excluded" set)
                                  grey; the ten best labelled by "name" */
    COR_QML_DELTA,             /* scenario change: diverging classes on a "*_change" field
                                  (field required; breaks around 0; geometry in opts) */
    COR_QML_ROLE_COUNT
} cor_qml_role;

typedef enum {
    COR_QML_GEOM_DEFAULT = 0, COR_QML_GEOM_POINT, COR_QML_GEOM_LINE, COR_QML_GEOM_POLYGON
} cor_qml_geom;

typedef struct {
    cor_qml_role role;
    cor_qml_geom geom;          /* DEFAULT: the role's own (COR_QML_DELTA: points) */
    const char *field;          /* classified or scaled field; NULL: the role's default */
    /* Graduated roles (access, sites, delta): n_breaks ascending class bounds giving
     * n_breaks - 1 classes [b0, b1], (b1, b2], ... (computed by the caller from the layer's
     * values). Isochrones and contours: the distinct values, one class each. */
    const double *breaks;
    size_t n_breaks;
    double max_value;           /* proportional widths: the value drawn widest (<= 0: fixed) */
    int low_is_good;            /* graduated: low values take the "good" (dark) end of the
                                   ramp, e.g. travel times; delta: negative changes blue */
    const char *label_field;    /* NULL: the role's default; "": no labels */
    cor_lang lang;              /* legend texts from the style's legend entries */
} cor_qml_opts;
#define COR_QML_OPTS_DEFAULT ((cor_qml_opts){ .role = COR_QML_NETWORK_EDGES, \
    .geom = COR_QML_GEOM_DEFAULT, .field = NULL, .breaks = NULL, .n_breaks = 0, \
    .max_value = 0, .low_is_good = 0, .label_field = NULL, .lang = COR_LANG_BOTH })

/* A QGIS 3 style document (<qgis version="3.22..."> with <renderer-v2> and, where the map
 * labels such features, <labeling>) for a layer of the given role, in the colours, widths
 * (points), dashes and label fonts of style. Fails on a graduated role without a field or
 * with fewer than 2 breaks. Caller frees with free(). */
char *cor_qml_create(const cor_style *style, const cor_qml_opts *o, cor_error *err);
/* The same classes as an OGC SLD 1.1 document (Symbology Encoding; widths in pixels at
 * 96 dpi; no labels, fixed widths) for clients other than QGIS; layer names the NamedLayer
 * (NULL: the role's name). Caller frees with free(). */
char *cor_sld_create(const cor_style *style, const cor_qml_opts *o, const char *layer,
                     cor_error *err);
/* "network_edges", "isochrones", ...; NULL when out of range. */
const char *cor_qml_role_name(cor_qml_role role);
int cor_qml_role_from_name(const char *name);                       /* -1 when unknown */

#ifdef __cplusplus
}
#endif
#endif
