/* shapes.h: geometries as plain arrays of coordinates for drawing (WKB read with GEOS), and
 * measuring on the ellipsoid of a CRS (PROJ's geodesics) and naming a CRS, for map furniture. */
#ifndef CORRIDOR_SHAPES_H
#define CORRIDOR_SHAPES_H

#include "corridor/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a shape holds. A geometry collection keeps only its parts of the highest dimension. */
typedef enum {
    COR_SHAPE_EMPTY = 0, COR_SHAPE_POINTS, COR_SHAPE_LINES, COR_SHAPE_POLYGONS
} cor_shape_kind;

/* One geometry as runs of coordinates ("rings"): a point is a run of one point, a line string
 * a run of its points, a polygon one run per ring (exterior first, then its holes; rings are
 * closed: the last point repeats the first). Filling all rings of a polygonal shape with the
 * even-odd rule draws holes and multi-parts right. */
typedef struct {
    cor_shape_kind kind;
    size_t n_rings;             /* runs */
    size_t *start;              /* n_rings + 1 offsets, in points, into xy */
    size_t n_points;
    double *xy;                 /* x0, y0, x1, y1, ... in the WKB's own coordinates */
    size_t n_polygons;          /* polygons: ring first_ring[i] is polygon i's exterior */
    size_t *first_ring;         /* n_polygons + 1 offsets into the rings; NULL otherwise */
    cor_bbox bbox;
    double label_x, label_y;    /* polygons: a point inside (GEOS point-on-surface);
                                   otherwise the first point */
} cor_shape;

/* A WKB reader with its own GEOS context: one per thread. Caller destroys. */
typedef struct cor_wkb_reader cor_wkb_reader;
cor_wkb_reader *cor_wkb_reader_create(cor_error *err);
void cor_wkb_reader_destroy(cor_wkb_reader *r);                     /* accepts NULL */

/* Reads ISO or extended WKB (2D; Z and M are dropped) into *out, which the caller frees with
 * cor_shape_free(). An empty geometry gives COR_SHAPE_EMPTY. Fails on unreadable WKB. */
cor_status cor_wkb_read_shape(cor_wkb_reader *r, const unsigned char *wkb, size_t len,
                              cor_shape *out, cor_error *err);
void cor_shape_free(cor_shape *s);                                  /* accepts NULL */

/* Places for a label inside a polygonal WKB: a grid x grid raster over clip cuts the polygon
 * into pieces; each piece gives a point inside it (GEOS point-on-surface). Writes up to cap
 * points to xy (x, y pairs), the largest pieces first (ties: nearest the whole polygon's own
 * point first), and their count to *n (0 for a geometry that is not polygonal). */
cor_status cor_wkb_label_points(cor_wkb_reader *r, const unsigned char *wkb, size_t len,
                                const cor_bbox *clip, int grid, double *xy, size_t cap,
                                size_t *n, cor_error *err);

/* The geodesic between two lon/lat points (degrees) on the ellipsoid of crs (anything PROJ
 * accepts, e.g. the dataset's working CRS "EPSG:4548"): its length in metres and the azimuth
 * at the first point (degrees clockwise from north; azi1_deg may be NULL). Fails when PROJ
 * does not understand crs or it has no ellipsoid. */
cor_status cor_geodesic_inverse(const char *crs, double lon1_deg, double lat1_deg,
                                double lon2_deg, double lat2_deg, double *s12_m,
                                double *azi1_deg, cor_error *err);

/* The CRS's name as PROJ gives it ("CGCS2000 / 3-degree Gauss-Kruger CM 117E"), written to
 * buf (always terminated). Fails when PROJ does not understand crs. */
cor_status cor_crs_name(const char *crs, char *buf, size_t n, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
