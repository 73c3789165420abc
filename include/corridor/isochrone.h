/* isochrone.h: nested areas reachable within given travel times (bands) from one or more
 * origins on the multimodal network, with the population and parks inside each band, and
 * optionally a travel-time grid. */
#ifndef CORRIDOR_ISOCHRONE_H
#define CORRIDOR_ISOCHRONE_H

#include "corridor/geomops.h"
#include "corridor/routing.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COR_ISO_MAX_MINUTES 1440.0  /* a band may be at most 24 h */
#define COR_ISO_MAX_BANDS 64

/* How the bands are made (README "Isochrones"):
 * - One multi-source search (cor_router_run) from all origins, limited to the largest band.
 * - Reached line work of band T: for every directed road or access edge u->v with t(u) < T,
 *   the prefix of its link geometry of length (T - t(u)) * speed, speed = length / time (the
 *   whole link when t(u) + time <= T), both directions together; plus the straight walk from
 *   a LON,LAT origin to its node at the access speed. Rail, boarding and alighting edges carry
 *   no area: a train is left only at stations, whose access links then count. In the rail
 *   mode only trips that take a train count (as in routing), so the origin's own
 *   surroundings are inside a band only when a train brings one back there.
 * - Area of band T: the buffer of that line work by buffer_m (round caps and joins,
 *   quadrant_segments per quarter circle), built as the union of the previous band's area
 *   and the buffers of the newly reached pieces (GEOSUnaryUnion_r). The overlay leaves
 *   nanometre slivers between bands, so the bands are then rebuilt from the faces of all
 *   their boundaries (cor_wkb_nest_areas): band k is made of band k + 1's faces and nests
 *   in it exactly (GEOS covers, empty difference). Area and counts describe the final
 *   polygons. */
typedef struct {
    cor_mode mode;
    double buffer_m;            /* area around the reached line work: 1000 m */
    int quadrant_segments;      /* buffer arcs: segments per quarter circle: 4 */
    double simplify_m;          /* Douglas-Peucker tolerance before buffering: 0 (none) */
    double raster_cell_m;       /* > 0: also compute a travel-time grid with this cell size */
    const cor_places *cities;   /* borrowed; counted inside each band with their mass as
                                 * population (NaN masses add 0); NULL: none */
    const cor_places *parks;    /* borrowed; counted inside each band; NULL: none */
    cor_progress_fn progress;
    void *progress_user;
} cor_iso_opts;
#define COR_ISO_OPTS_DEFAULT ((cor_iso_opts){ .mode = COR_MODE_MULTI, .buffer_m = 1000.0, \
    .quadrant_segments = 4, .simplify_m = 0.0, .raster_cell_m = 0.0, .cities = NULL, \
    .parks = NULL, .progress = NULL, .progress_user = NULL })

typedef struct {
    double minutes;
    unsigned char *wkb;         /* MultiPolygon (working CRS), little-endian WKB; owned */
    size_t wkb_len;
    double area_km2;
    double reach_km;            /* length of the reached road and access line work (each
                                 * stretch once, partly travelled links included) */
    double population;          /* sum of the masses of the cities inside */
    size_t cities, parks;       /* cities and parks inside (boundary included) */
} cor_iso_band;

typedef struct {
    size_t n_bands;
    cor_iso_band *bands;        /* by ascending minutes */
    /* Travel time in minutes per cell when raster_cell_m > 0 (values NULL otherwise): for
     * points sampled along the reached line work at most half a cell apart, the time there
     * plus the straight line to the cell centre at the access speed, the minimum over the
     * samples within buffer_m of the centre; NAN where none or above the largest band. The
     * grid covers the largest band with at least one empty cell around it. */
    cor_grid grid;
    uint64_t settled;           /* search states settled */
} cor_isochrones;

/* Computes the bands for minutes (ascending, each in (0, COR_ISO_MAX_MINUTES], at most
 * COR_ISO_MAX_BANDS) from the origins (cor_engine_locate results: their anchors and, for
 * LON,LAT points, the point itself). A band that reaches nothing is empty (area 0). Fails on
 * bad arguments (COR_ERR_CONFIG), allocation, a GEOS error, cancellation through the
 * progress callback, or a grid above 50 million cells. Caller frees with
 * cor_isochrones_free() (also after a failure). */
cor_status cor_isochrones_compute(const cor_engine *e, const cor_location *from, size_t n_from,
                                  const double *minutes, size_t n_bands, const cor_iso_opts *o,
                                  cor_isochrones *out, cor_error *err);
void cor_isochrones_free(cor_isochrones *r);                           /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif
