/* writer.h: writing result layers (GeoPackage, GeoJSON, FlatGeobuf, CSV) through GDAL, to a
 * temporary name renamed into place on success, so that a failure leaves nothing behind. */
#ifndef CORRIDOR_WRITER_H
#define CORRIDOR_WRITER_H

#include "corridor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COR_FIELD_INT = 0, COR_FIELD_REAL, COR_FIELD_STRING } cor_field_type;
typedef struct { const char *name; cor_field_type type; } cor_field;

typedef enum {
    COR_GEOM_NONE = 0, COR_GEOM_POINT, COR_GEOM_LINESTRING, COR_GEOM_MULTILINESTRING,
    COR_GEOM_POLYGON, COR_GEOM_MULTIPOLYGON
} cor_geom_type;

/* A field value; is_null writes NULL (an empty CSV cell). */
typedef struct { int is_null; int64_t i; double r; const char *s; } cor_value;
#define COR_NULL ((cor_value){ .is_null = 1 })
#define COR_INT(v) ((cor_value){ .i = (v) })
#define COR_REAL(v) ((cor_value){ .r = (v) })
#define COR_STR(v) ((cor_value){ .s = (v) })

typedef struct cor_writer cor_writer;

/* The format follows the extension: .gpkg, .geojson/.json, .fgb, .csv. crs is the CRS of the
 * coordinates to be written (e.g. the working CRS). Caller finishes with cor_writer_close()
 * (commit and rename) or cor_writer_abort() (remove everything). */
cor_writer *cor_writer_create(const char *path, const char *crs, cor_error *err);
/* Starts a new layer; formats other than GeoPackage hold one layer only. */
cor_status cor_writer_layer(cor_writer *w, const char *name, cor_geom_type geom,
                            const cor_field *fields, size_t n_fields, cor_error *err);
/* Appends a feature to the current layer: a point or line from n interleaved coordinates,
 * or any geometry as WKB (then xy is NULL). */
cor_status cor_writer_feature(cor_writer *w, const cor_value *values, const double *xy,
                              size_t n, const unsigned char *wkb, size_t wkb_len,
                              cor_error *err);
/* Appends a feature whose geometry is a MultiLineString of n_parts lines. */
cor_status cor_writer_feature_lines(cor_writer *w, const cor_value *values,
                                    const double *const *parts, const size_t *part_n,
                                    size_t n_parts, cor_error *err);
/* Gives the layer `layer` (already created in this writer) a default QGIS style: a row of
 * the GeoPackage's `layer_styles` table (QGIS's own columns, created as an attributes table
 * on first use, written when the writer closes) with useAsDefault true, so that QGIS opens
 * the layer with it. qml is a QGIS style document (see cor_qml_create in render.h), sld an
 * SLD document or NULL; style_name (at most 30 bytes kept) NULL names it after the layer.
 * The strings are copied. Formats other than GeoPackage have no style table: nothing is
 * done and COR_OK returned. Fails on an unknown layer or out of memory. */
cor_status cor_writer_set_style(cor_writer *w, const char *layer, const char *style_name,
                                const char *qml, const char *sld, cor_error *err);
/* The geometry type of a layer already created in this writer; -1 when there is no such
 * layer. */
int cor_writer_layer_geom(const cor_writer *w, const char *layer);
cor_status cor_writer_close(cor_writer *w, cor_error *err);  /* frees w */
void cor_writer_abort(cor_writer *w);                        /* frees w; accepts NULL */
/* A default style for one layer of a GeoPackage, for writers that do not go through
 * cor_writer (cor_graph_write_styled). */
typedef struct {
    const char *layer, *name, *qml, *sld;  /* as in cor_writer_set_style */
} cor_layer_style;

/* 1 when the path's extension is a format the writer knows. */
int cor_writer_supports(const char *path);

#ifdef __cplusplus
}
#endif
#endif
