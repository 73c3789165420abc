/* internal.h: private interfaces between geo/ files: the config accessors and the GDAL, PROJ
 * and GEOS adapters. Only the adapter .c files include the libraries' own headers. */
#ifndef CORRIDOR_GEO_INTERNAL_H
#define CORRIDOR_GEO_INTERNAL_H

#include "corridor/dataset.h"
#include "corridor/network.h"

/* ---- config.c ---------------------------------------------------------------------------- */
typedef struct {
    const char *layer;          /* layer name; NULL: the role's default name */
    const char *where;          /* OGR attribute filter or NULL */
    const char *f_name, *f_name_zh, *f_kind, *f_class, *f_speed, *f_mass; /* NULL: default */
    int explicit_fields;        /* 1 when the fields come from a config (missing = error) */
    size_t n_classes;
    const char *const *class_from; /* source values ... */
    const int *class_to;        /* ... and the cor_line_class they map to */
} cor_role_spec;

/* Fills spec for role from cfg (or the bundled dataset's defaults when cfg lacks the role).
 * Returns 1 when cfg names the role explicitly. */
int cor_config_role_spec(const cor_config *cfg, cor_role role, cor_role_spec *spec);
size_t cor_config_speed_count(const cor_config *cfg);
void cor_config_speed_get(const cor_config *cfg, size_t i, const char **key, double *value);

/* ---- io_gdal.c: the GDAL/OGR adapter ------------------------------------------------------- */
typedef struct cor_src cor_src;
cor_src *cor_src_open(const char *path, cor_error *err);
void cor_src_close(cor_src *s);
int cor_src_layer_count(const cor_src *s);
int cor_src_find_layer(const cor_src *s, const char *name);     /* -1 when absent */
void cor_src_layer_info(const cor_src *s, int i, cor_layer_info *out);
/* The layer's CRS as WKT (malloc'd) or NULL when it has none and none can be assumed. */
char *cor_src_layer_crs_wkt(const cor_src *s, int i);
int cor_src_layer_extent(const cor_src *s, int i, cor_bbox *out);  /* 1 when known */
int cor_src_layer_is_geographic(const cor_src *s, int i);

/* Readers fill coordinates in the layer's own CRS; the caller reprojects. class_of maps a
 * class field value to cor_line_class (NULL value when the field is absent). */
typedef int (*cor_classify_fn)(const char *value, const cor_role_spec *spec, cor_role role);
typedef struct cor_xform cor_xform;
typedef void (*cor_points_fn)(void *ctx, const double *xy, size_t first, size_t n,
                              size_t expect);
/* How cor_src_read_lines reprojects the lines it reads: with main in the calling thread and,
 * when make is set, on a second thread with a transform that make(user) creates there (the
 * same transformation; NULL: none), while the reading goes on. bad: points that failed to
 * transform (set to NaN; the caller drops their lines). */
typedef struct {
    cor_xform *main;
    cor_xform *(*make)(void *user);
    void *user;
    size_t bad;
    /* Optional: called with every block of points once it is reprojected, in reading order
     * and never on two threads at once (on whichever finished the block): xy holds n
     * points, the first being point `first` of the output; expect is the number of points
     * the layer is foreseen to have (0 when unknown). Lets a caller go through the points
     * while the reading goes on. */
    cor_points_fn on_points;
    void *on_points_ctx;
} cor_read_xform;
/* Lines in the layer's CRS, or reprojected as rx says (rx NULL: not reprojected). */
cor_status cor_src_read_lines(cor_src *s, int layer, cor_role role, const cor_role_spec *spec,
                              cor_classify_fn classify, cor_read_xform *rx, cor_lines *out,
                              cor_load_stats *st, cor_error *err);
cor_status cor_src_read_points(cor_src *s, int layer, const cor_role_spec *spec,
                               cor_places *out, cor_load_stats *st, cor_error *err);
/* Polygons are reprojected to target_crs by OGR and returned as WKB (not yet made valid). */
cor_status cor_src_read_polygons(cor_src *s, int layer, const cor_role_spec *spec,
                                 const char *target_crs, cor_polygons *out, cor_load_stats *st,
                                 cor_error *err);

/* Any layer reprojected to target_crs by OGR, with the named fields as strings. */
cor_status cor_src_read_features(cor_src *s, int layer, const char *target_crs,
                                 const char *const *fields, size_t n_fields, cor_features *out,
                                 cor_error *err);

/* ---- crs_proj.c: the PROJ adapter --------------------------------------------------------- */
/* src and dst are anything proj_create() accepts (WKT, "EPSG:n", PROJ strings). Axis order is
 * always x/east, y/north (lon, lat for geographic CRSs). */
cor_xform *cor_xform_create(const char *src, const char *dst, cor_error *err);
void cor_xform_destroy(cor_xform *t);
/* Switches to PROJ's faster +approx transverse Mercator when the pipeline has one and it
 * agrees with the exact one within 1 mm over the extent (source CRS units). 1 when chosen. */
int cor_xform_prefer_fast(cor_xform *t, const cor_bbox *src_extent);
/* A copy of t with its own PROJ context (for another thread), made without searching PROJ's
 * database again; NULL when t does not run on its fast pipeline (create one anew then).
 * Caller frees with cor_xform_destroy(). */
cor_xform *cor_xform_clone_fast(const cor_xform *t);
/* Transforms n interleaved pairs in place; returns how many points failed (set to NaN). */
size_t cor_xform_run(cor_xform *t, double *xy, size_t n);
cor_status cor_xform_bounds(cor_xform *t, const cor_bbox *in, cor_bbox *out, cor_error *err);
/* The default working CRS for data covering the lon/lat box; malloc'd string. */
char *cor_crs_choose(const cor_bbox *lonlat);
/* Checks that def is a usable projected CRS; names the problem otherwise. */
cor_status cor_crs_check_projected(const char *def, cor_error *err);

/* ---- ops_geos.c: the GEOS adapter ----------------------------------------------------------- */
/* Validates a polygon WKB; invalid input is repaired with make-valid (polygonal part kept).
 * Returns COR_OK with *out (malloc'd WKB) and *repaired set, or an error when unusable. */
cor_status cor_geos_make_valid_polygon(const unsigned char *wkb, size_t len,
                                       unsigned char **out, size_t *out_len, int *repaired,
                                       cor_error *err);

/* ---- dataset.c ---------------------------------------------------------------------------- */
/* Moves the role's lines (loading them if needed) into *out, which the caller frees with
 * cor_lines_free(); the dataset forgets them and would load them again if asked. */
cor_status cor_dataset_take_lines(cor_dataset *ds, cor_role role, cor_lines *out,
                                  cor_error *err);
/* The same, calling fn(ctx, ...) on the points as they are read (see cor_read_xform). *seen
 * says whether fn saw every point of *out in its final numbering: not when the lines were
 * loaded before, nor when lines with points PROJ could not transform were dropped after. */
cor_status cor_dataset_take_lines_seen(cor_dataset *ds, cor_role role, cor_lines *out,
                                       cor_points_fn fn, void *ctx, int *seen, cor_error *err);

/* ---- write_gdal.c ------------------------------------------------------------------------- */
/* Adds styles to the GeoPackage dataset gdal_ds (a GDALDatasetH) open for writing: creates
 * the layer_styles attributes table when absent and appends one default row per style, in
 * one transaction. path names the file in errors. */
cor_status cor_gpkg_write_styles(void *gdal_ds, const cor_layer_style *styles, size_t n,
                                 const char *path, cor_error *err);

/* ---- helpers ------------------------------------------------------------------------------ */
char *cor_strdup(const char *s);        /* NULL -> "" copy; NULL only on allocation failure */
/* Makes *p (elements of elem bytes, room for *cap) hold at least need, doubling from 1024;
 * 0 when out of memory (*p untouched). */
int cor_grow(void **p, size_t *cap, size_t need, size_t elem);
/* Asks Linux to back the 2 MiB-aligned part of a large array with huge pages (a no-op
 * elsewhere): a tenth of the page faults when it is first written. */
void cor_advise_huge(void *p, size_t bytes);
/* Has Linux fault in the whole pages within [p, p + bytes) for writing, without touching
 * their contents (safe while another thread writes there); 0 where that is not supported. */
int cor_populate(void *p, size_t bytes);
void cor_lines_free(cor_lines *l);
void cor_polygons_free(cor_polygons *p);

#endif
