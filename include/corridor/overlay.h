/* overlay.h: points against layers for site constraints and criteria: which polygon holds a
 * point, how far the nearest feature is (GEOS), and raster values at points (GDAL). */
#ifndef CORRIDOR_OVERLAY_H
#define CORRIDOR_OVERLAY_H

#include "corridor/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For each of the n points (interleaved xy, same CRS as the geometries): the index of the
 * first feature whose geometry covers it, or -1. Features without geometry are skipped. */
cor_status cor_overlay_covering(const cor_features *f, const double *xy, size_t n,
                                long *which, cor_error *err);

/* For each point, the distance to the nearest feature geometry (0 inside a polygon), and that
 * feature's index (which may be NULL); INFINITY / -1 when the layer has no geometry. */
cor_status cor_overlay_distance(const cor_features *f, const double *xy, size_t n,
                                double *dist, long *which, cor_error *err);

/* Values of band 1 of a raster (any GDAL raster: GeoTIFF, ...) at n points given in crs;
 * NAN outside the raster or on nodata. Fails naming the file when it cannot be read. */
cor_status cor_raster_sample(const char *path, const char *crs, const double *xy, size_t n,
                             double *values, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
