/* geojson.h: geometries in a projected working CRS as GeoJSON geometry text in WGS 84
 * longitude/latitude (RFC 7946 axis order), for web answers. The conversion (reprojection,
 * optional simplification and the GeoJSON text) is OGR's; nothing here writes coordinates by
 * hand. */
#ifndef CORRIDOR_GEOJSON_H
#define CORRIDOR_GEOJSON_H

#include "corridor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A reusable transform from one CRS to EPSG:4326 with the output precision. Single-threaded:
 * one per thread. Caller destroys. Fails on a CRS that OGR does not understand. */
typedef struct cor_geojson cor_geojson;
cor_geojson *cor_geojson_create(const char *src_crs, int decimals, cor_error *err);
void cor_geojson_destroy(cor_geojson *gj);                         /* accepts NULL */

/* The GeoJSON geometry of an ISO/OGC WKB geometry in the source CRS, simplified first (in
 * source units, topology kept) when simplify > 0. Returns a malloc'd string (caller frees)
 * or NULL with err set on a malformed WKB, a failed transformation or no memory. */
char *cor_geojson_from_wkb(cor_geojson *gj, const unsigned char *wkb, size_t wkb_len,
                           double simplify, cor_error *err);

/* The same for a Point (n == 1) or a LineString (n >= 2) from n interleaved x, y pairs. */
char *cor_geojson_from_xy(cor_geojson *gj, const double *xy, size_t n, double simplify,
                          cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
