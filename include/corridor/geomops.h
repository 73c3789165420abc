/* geomops.h: the polygon, point-in-polygon and raster operations the analyses need from GEOS
 * and GDAL, in plain C types (coordinate arrays, WKB buffers, grids). The adapters are
 * geo/ops_geos_iso.c (GEOS, reentrant API) and geo/raster_gdal.c (GDAL rasters, contours). */
#ifndef CORRIDOR_GEOMOPS_H
#define CORRIDOR_GEOMOPS_H

#include "corridor/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- growing areas (GEOS) ----------------------------------------------------------------- */
/* A polygonal area that only grows: each step adds the buffer of some line work by union, so
 * every earlier state is inside every later one. Holds its own GEOS context: use one per
 * thread. Coordinates are in any metric CRS. */
typedef struct cor_area cor_area;

/* An empty area. Caller destroys with cor_area_destroy(). Fails only on allocation. */
cor_area *cor_area_create(cor_error *err);
void cor_area_destroy(cor_area *a);                                     /* accepts NULL */

/* Polylines in one array: line i is the points start[i] .. start[i + 1] - 1 of xy (x0, y0,
 * x1, y1, ...). A line of one point (or of identical points) stands for that point. */
typedef struct {
    size_t n_lines;
    const size_t *start;        /* n_lines + 1 offsets, in points */
    const double *xy;
} cor_polylines;

typedef struct {
    double buffer_m;            /* distance around the line work, > 0 */
    int quadrant_segments;      /* segments per quarter circle of the round caps and joins */
    double simplify_m;          /* Douglas-Peucker tolerance for the lines before buffering;
                                 * 0: none */
} cor_buffer_opts;
#define COR_BUFFER_OPTS_DEFAULT ((cor_buffer_opts){ .buffer_m = 1000.0, \
    .quadrant_segments = 4, .simplify_m = 0.0 })

/* The area becomes its union with the buffer of the lines (round caps and joins). Adding no
 * lines leaves it unchanged. Fails on a GEOS error (message copied) or allocation. */
cor_status cor_area_add_buffer(cor_area *a, const cor_polylines *lines,
                               const cor_buffer_opts *o, cor_error *err);
double cor_area_m2(const cor_area *a);                  /* 0 when empty */
int cor_area_is_empty(const cor_area *a);
/* inside[i] = 1 when point i (xy interleaved) is in the area or on its boundary, else 0.
 * Uses a prepared geometry. Fails on a GEOS error or allocation. */
cor_status cor_area_points_inside(const cor_area *a, const double *xy, size_t n,
                                  uint8_t *inside, cor_error *err);
/* The area as a little-endian WKB MultiPolygon (MULTIPOLYGON EMPTY when empty); *wkb is
 * malloc'd, the caller frees it. */
cor_status cor_area_wkb(const cor_area *a, unsigned char **wkb, size_t *len, cor_error *err);

/* ---- WKB measurements and predicates (GEOS), for checks and reports ------------------------- */
cor_status cor_wkb_area(const unsigned char *wkb, size_t len, double *area_m2, cor_error *err);
/* The bounding box; all NAN for an empty geometry. */
cor_status cor_wkb_bounds(const unsigned char *wkb, size_t len, cor_bbox *out, cor_error *err);
/* Relates two geometries: *a_covers_b = 1 when no point of b lies outside a (GEOS covers);
 * *b_minus_a_m2 = the area of b minus a (0 when b nests in a; may be NULL). */
cor_status cor_wkb_compare(const unsigned char *a, size_t a_len, const unsigned char *b,
                           size_t b_len, int *a_covers_b, double *b_minus_a_m2,
                           cor_error *err);
/* inside[i] = 1 when point i (xy interleaved) lies in the geometry or on its boundary
 * (prepared geometry), else 0. */
cor_status cor_wkb_points_inside(const unsigned char *wkb, size_t len, const double *xy,
                                 size_t n, uint8_t *inside, cor_error *err);
/* Makes n areas that nest up to rounding (each one the union of the previous one with more)
 * nest exactly. Overlays compute intersection points that lie nanometres off the input edges,
 * so union(A, B) need not cover A in exact arithmetic. Here the boundaries of all areas are
 * noded together and polygonized into faces (GEOSPolygonize_r); a face belongs to area k
 * when its interior point lies in area k or in a smaller one, and area k becomes the
 * coverage union (GEOSCoverageUnion_r) of its faces, so that every area is made of the faces
 * of the next one. Each wkb[k] is replaced by a malloc'd MultiPolygon (the old buffer freed).
 * Fails on a GEOS error or allocation, leaving the areas as they were. */
cor_status cor_wkb_nest_areas(unsigned char **wkb, size_t *len, size_t n, cor_error *err);
/* The total length of the line work of a geometry (0 for points and polygons' areas: the
 * boundary is not counted). */
cor_status cor_wkb_length(const unsigned char *wkb, size_t len, double *length_m,
                          cor_error *err);

/* ---- rasters (GDAL) ------------------------------------------------------------------------- */
/* A north-up grid of square cells; row 0 is the northernmost. */
typedef struct {
    double x0_m, y0_m;          /* the upper-left corner: min x, max y */
    double cell_m;
    size_t nx, ny;              /* columns, rows */
    float *values;              /* nx * ny, row-major; NAN where there is no value */
} cor_grid;

/* Writes the grid to exactly path as a one-band Float32 GeoTIFF (deflate-compressed) in crs,
 * with NAN cells stored as nodata; band description and unit from the arguments (may be
 * NULL). The caller handles temporary names. Fails on I/O (GDAL's message copied). */
cor_status cor_grid_write_geotiff(const cor_grid *g, const char *crs, const char *path,
                                  float nodata, const char *description, const char *unit,
                                  cor_error *err);

/* Contour lines as WKB LineStrings in the grid's coordinates, with their level. */
typedef struct {
    size_t n;
    double *level;
    unsigned char **wkb;
    size_t *wkb_len;
} cor_contours;

/* Traces the grid at the given levels with GDAL's contour generator (GDALContourGenerateEx).
 * NAN cells take the value fill, so that lines close around the valued cells when fill is
 * above every level. Caller frees with cor_contours_free(). */
cor_status cor_grid_contours(const cor_grid *g, const double *levels, size_t n_levels,
                             double fill, cor_contours *out, cor_error *err);
void cor_contours_free(cor_contours *c);                               /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif
