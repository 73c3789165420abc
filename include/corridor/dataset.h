/* dataset.h: opening a GDAL vector source, mapping its layers to roles, and loading features
 * reprojected into the metric working CRS. */
#ifndef CORRIDOR_DATASET_H
#define CORRIDOR_DATASET_H

#include "corridor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a layer is for. The bundled dataset's layer names map to roles without a config. */
typedef enum {
    COR_ROLE_RAIL = 0, COR_ROLE_ROAD, COR_ROLE_STATION, COR_ROLE_PORT, COR_ROLE_AIRPORT,
    COR_ROLE_PARK, COR_ROLE_CITY, COR_ROLE_BOUNDARY, COR_ROLE_EXCLUSION, COR_ROLE_COUNT
} cor_role;

const char *cor_role_name(cor_role role);          /* "rail", "road", ... */
int cor_role_from_name(const char *name);          /* -1 when unknown */
int cor_role_is_place(cor_role role);              /* station, port, airport, park, city */

/* Line classes; each has a default speed in cor_speeds. */
typedef enum {
    COR_CLASS_HIGHSPEED = 0, COR_CLASS_CONVENTIONAL, COR_CLASS_MAJOR_HIGHWAY, COR_CLASS_ROAD,
    COR_CLASS_COUNT
} cor_line_class;
const char *cor_class_name(cor_line_class c);      /* "highspeed", "conventional", ... */

typedef struct { double min_x, min_y, max_x, max_y; } cor_bbox;

/* ---- Layer-role config ------------------------------------------------------------------ */
/* JSON document mapping a user's layers and fields to roles, e.g.
 *   {"layers": {"rail": {"layer": "bahn", "fields": {"class": "typ", "speed_kmh": "vmax"},
 *                        "classes": {"HGV": "highspeed"}},
 *               "city": {"layer": "orte", "fields": {"name": "name", "population": "ew"}}},
 *    "crs": "EPSG:25832", "speeds": {"highspeed_kmh": 280}}
 * See README "Layer-role config". */
typedef struct cor_config cor_config;
cor_config *cor_config_load(const char *path, cor_error *err);        /* caller destroys */
cor_config *cor_config_parse(const char *json, const char *origin, cor_error *err);
void cor_config_destroy(cor_config *cfg);                               /* accepts NULL */
const char *cor_config_crs(const cor_config *cfg);                      /* borrowed or NULL */

/* ---- Dataset ------------------------------------------------------------------------------ */
typedef struct cor_dataset cor_dataset;

typedef struct {
    const char *crs;            /* working CRS override ("EPSG:4548", PROJ string); NULL: automatic */
    const cor_config *config;   /* borrowed; NULL: the bundled dataset's layer names */
    cor_logger log;
} cor_open_opts;
#define COR_OPEN_OPTS_DEFAULT ((cor_open_opts){ .crs = NULL, .config = NULL, .log = COR_LOGGER_NONE })

/* Opens any OGR vector source (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, CSV, "PG:..."),
 * resolves roles and chooses the working CRS. Caller closes with cor_dataset_close(). */
cor_dataset *cor_dataset_open(const char *source, const cor_open_opts *o, cor_error *err);
void cor_dataset_close(cor_dataset *ds);                                /* accepts NULL */

const char *cor_dataset_source(const cor_dataset *ds);                  /* borrowed */
const char *cor_dataset_working_crs(const cor_dataset *ds);             /* e.g. "EPSG:4548" */
/* Extent of all layers in degrees (lon/lat order); returns 0 when no layer has an extent. */
int cor_dataset_extent_lonlat(const cor_dataset *ds, cor_bbox *out);

typedef struct {
    const char *name;           /* borrowed */
    int64_t features;
    const char *geometry;       /* "Point", "LineString", "MultiPolygon", ... */
    const char *crs;            /* the layer's own CRS, "EPSG:4326" or a name; NULL when none */
    int role;                   /* cor_role or -1 */
} cor_layer_info;
size_t cor_dataset_layer_count(const cor_dataset *ds);
void cor_dataset_layer_info(const cor_dataset *ds, size_t i, cor_layer_info *out);
const char *cor_dataset_role_layer(const cor_dataset *ds, cor_role role); /* NULL when absent */

/* Per-layer load accounting: what was read, kept, repaired and skipped, and why. */
typedef struct {
    int64_t read;               /* features read */
    int64_t kept;               /* features that produced at least one usable geometry */
    int64_t parts;              /* lines or polygons kept (multi-geometries split) */
    int64_t skipped_empty;      /* no geometry or an empty one */
    int64_t skipped_degenerate; /* a line with fewer than two distinct points */
    int64_t skipped_nan;        /* NaN, infinite or out-of-range coordinates */
    int64_t skipped_invalid;    /* invalid and not repairable */
    int64_t skipped_filter;     /* features the role does not use (e.g. subway stations) */
    int64_t repaired;           /* invalid polygons repaired with GEOS make-valid */
    int columnar;               /* lines read column by column (GDAL's Arrow stream) */
} cor_load_stats;

/* Lines of one role (rail or road) in working-CRS metres. */
typedef struct {
    size_t n_lines, n_points;
    size_t *start;              /* n_lines + 1 offsets, in points, into xy */
    double *xy;                 /* x0, y0, x1, y1, ... */
    uint8_t *cls;               /* cor_line_class per line */
    float *speed_kmh;           /* per line; NAN when the source has none (class default) */
    int64_t *fid;               /* source feature id per line */
} cor_lines;

/* A point feature with a role (station, port, airport, park, city). */
typedef struct {
    int64_t fid;
    char *name;                 /* English or the source's name; never NULL ("" if absent) */
    char *name_zh;              /* Chinese name; never NULL */
    char *kind;                 /* station kind, park level, ...; never NULL */
    double x_m, y_m;            /* working CRS */
    double lon_deg, lat_deg;
    double mass;                /* population or the configured mass field; NAN when absent */
} cor_place;

typedef struct { size_t n; cor_place *items; } cor_places;

/* Polygons of one role (boundary, exclusion) as WKB in working-CRS metres, made valid. */
typedef struct { size_t n; unsigned char **wkb; size_t *wkb_len; char **name; } cor_polygons;

/* Load on first use and cache; the returned pointers are borrowed, valid while ds lives.
 * A role without a layer gives an empty collection (not an error). Can fail on I/O or input. */
const cor_lines *cor_dataset_lines(cor_dataset *ds, cor_role role, cor_error *err);
const cor_places *cor_dataset_places(cor_dataset *ds, cor_role role, cor_error *err);
const cor_polygons *cor_dataset_polygons(cor_dataset *ds, cor_role role, cor_error *err);
/* Accounting of the last load of the role's layer (zeros before loading); borrowed. */
const cor_load_stats *cor_dataset_load_stats(const cor_dataset *ds, cor_role role);

/* Opens a point source of the user's own (any OGR point layer, or a CSV with lon/lat columns)
 * and loads it as places with the dataset's working CRS. name_field may be NULL ("name").
 * Caller frees with cor_places_free(). */
cor_status cor_dataset_load_point_file(const cor_dataset *ds, const char *path, const char *layer,
                                       const char *name_field, cor_places *out,
                                       cor_load_stats *stats, cor_error *err);
void cor_places_free(cor_places *p);

/* Any layer's features in the working CRS, for drawing and overlays: ISO WKB geometries
 * (NULL when a feature has none) and the requested fields as strings (NULL when unset or
 * when the layer lacks the field). Caller frees with cor_features_free(). */
typedef struct {
    size_t n, n_fields;
    unsigned char **wkb;
    size_t *wkb_len;
    char **values;              /* n * n_fields, row-major */
    int64_t *fid;
} cor_features;
cor_status cor_dataset_read_layer(const cor_dataset *ds, const char *layer,
                                  const char *const *fields, size_t n_fields,
                                  cor_features *out, cor_error *err);
void cor_features_free(cor_features *f);
/* A table (any OGR source's first layer, e.g. a CSV) with the named fields as strings; no
 * geometry is read. A named field the table lacks is an error naming it. */
cor_status cor_read_table(const char *path, const char *const *fields, size_t n_fields,
                          cor_features *out, cor_error *err);

/* Projection helpers between degrees and the working CRS (arrays of n interleaved pairs). */
cor_status cor_dataset_lonlat_to_xy(const cor_dataset *ds, double *xy, size_t n, cor_error *err);
cor_status cor_dataset_xy_to_lonlat(const cor_dataset *ds, double *xy, size_t n, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
