/* routing.h: shortest travel times on the multimodal network: the shared engine, per-thread
 * routers, locating places and points, one-to-one paths and many-to-many matrices. */
#ifndef CORRIDOR_ROUTING_H
#define CORRIDOR_ROUTING_H

#include "corridor/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* multi: road, rail and access, the best of all (default); road: roads and access links only;
 * rail: a train is taken: road to a station, rail (changing trains at stations), road from a
 * station. */
typedef enum { COR_MODE_MULTI = 0, COR_MODE_ROAD, COR_MODE_RAIL, COR_MODE_COUNT } cor_mode;
const char *cor_mode_name(cor_mode m);
int cor_mode_from_name(const char *name);                  /* -1 when unknown */

#define COR_UNREACHABLE UINT32_MAX

/* Built once from a graph and shared read-only by all threads: the reverse CSR, a grid index
 * of the nodes that points snap to, and the places by node. Caller destroys. */
typedef struct cor_engine cor_engine;
cor_engine *cor_engine_create(const cor_graph *g, cor_error *err);
void cor_engine_destroy(cor_engine *e);                     /* accepts NULL */
const cor_graph *cor_engine_graph(const cor_engine *e);

/* Where a trip starts or ends: a node, and the time and length of getting between the actual
 * point and that node (0 for places, which are nodes themselves). */
typedef struct { uint32_t node; uint32_t offset_ms; float offset_m; } cor_anchor;

/* A located place or point. */
typedef struct {
    cor_anchor anchor;
    double x_m, y_m;            /* the place or point itself */
    double snap_m;              /* distance from a LON,LAT point to its network node; 0 for places */
    int place;                  /* index into cor_graph_place_get(), -1 for a point */
    char label[200];            /* the place's name (name_zh in brackets) or "lon,lat" */
} cor_location;

/* Finds a place by name ("Beijing", "北京南", case-insensitive, optionally "station:天津" to
 * pick a role) or a point "LON,LAT" (degrees; xy_of_lonlat converts with the dataset's CRS).
 * A point snaps to the nearest road node (any node when there are no roads) within
 * max_snap_m, reached at the access speed. Unknown or ambiguous names fail with a message
 * listing the closest candidates. */
typedef cor_status (*cor_lonlat_fn)(double *xy, void *user, cor_error *err);
cor_status cor_engine_locate(const cor_engine *e, const char *spec, double max_snap_m,
                             cor_lonlat_fn xy_of_lonlat, void *user, cor_location *out,
                             cor_error *err);
/* Snaps a working-CRS point as above. */
cor_status cor_engine_anchor_xy(const cor_engine *e, double x, double y, double max_snap_m,
                                cor_anchor *out, double *snap_m, cor_error *err);
/* The place (index for cor_graph_place_get) at a node, or -1. */
int cor_engine_place_at(const cor_engine *e, uint32_t node);

/* ---- searches ------------------------------------------------------------------------------ */
typedef struct cor_router cor_router;       /* per-thread scratch, reused between searches */
cor_router *cor_router_create(const cor_engine *e, cor_error *err);
void cor_router_destroy(cor_router *r);     /* accepts NULL */

typedef struct {
    cor_mode mode;
    int backward;               /* search towards the anchors over reversed edges */
    uint32_t max_ms;            /* stop beyond this time (COR_UNREACHABLE: no limit) */
    const uint32_t *targets;    /* stop once all these nodes are settled (NULL: search all) */
    size_t n_targets;
    int times_only;             /* 1: skip lengths and paths (cor_router_length_m gives NAN,
                                 * cor_router_path 0); faster when only times are wanted */
} cor_search;

/* Dijkstra from (or, backward, to) the anchors, each starting at its offset. */
cor_status cor_router_run(cor_router *r, const cor_search *s, const cor_anchor *anchors,
                          size_t n, cor_error *err);
/* Results of the last run: the time (ms) and length (m) of the best trip from the anchors to
 * node (backward: from node to the anchors); COR_UNREACHABLE when none within max_ms. */
uint32_t cor_router_time_ms(const cor_router *r, uint32_t node);
double cor_router_length_m(const cor_router *r, uint32_t node);
/* The forward CSR edges of that trip, in travel order (backward runs: from node onwards).
 * Returns the count; writes at most cap. */
size_t cor_router_path(const cor_router *r, uint32_t node, uint64_t *edges, size_t cap);
/* States settled by the last run (work done, for benchmarks). */
uint64_t cor_router_settled(const cor_router *r);

/* ---- matrices ------------------------------------------------------------------------------ */
typedef struct {
    cor_mode mode;
    uint32_t max_ms;            /* COR_UNREACHABLE: no limit */
    int threads;                /* 0: all OpenMP threads */
    cor_progress_fn progress;
    void *progress_user;
} cor_matrix_opts;
#define COR_MATRIX_OPTS_DEFAULT ((cor_matrix_opts){ .mode = COR_MODE_MULTI, \
    .max_ms = COR_UNREACHABLE, .threads = 0, .progress = NULL, .progress_user = NULL })

/* times[i * n_to + j]: from from[i] to to[j] in ms (COR_UNREACHABLE when unreachable);
 * lengths likewise in metres (may be NULL). Searches run from the smaller side (backward
 * when there are fewer destinations), in parallel. */
cor_status cor_matrix_compute(const cor_engine *e, const cor_anchor *from, size_t n_from,
                              const cor_anchor *to, size_t n_to, const cor_matrix_opts *o,
                              uint32_t *times, float *lengths, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
