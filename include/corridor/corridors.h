/* corridors.h: economic corridors: gravity linkage between cities, breaking points, flows
 * assigned to the network, and corridors merged from the loaded links. */
#ifndef CORRIDOR_CORRIDORS_H
#define CORRIDOR_CORRIDORS_H

#include "corridor/routing.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- gravity linkage ---------------------------------------------------------------------- */
typedef struct {
    double decay;               /* b in R_ij = k_ij M_i M_j / T_ij^b (T in hours); > 0; 2 */
    int directed;               /* k_ij = M_i / (M_i + M_j) instead of 1 */
} cor_gravity_opts;
#define COR_GRAVITY_OPTS_DEFAULT ((cor_gravity_opts){ .decay = 2.0, .directed = 0 })

/* For n cities with positive masses and the n*n time matrix (i -> j, ms): R[i*n+j] (NAN on
 * the diagonal and for unreachable pairs), k[i*n+j], R_i = sum_j R_ij (Rtot[i]) and the
 * membership degree F_ij = 100 R_ij / R_i (F[i*n+j], percent). Any output may be NULL.
 * Fails on a non-positive or NaN mass (naming index *bad) or a decay <= 0. */
cor_status cor_gravity(size_t n, const double *mass, const uint32_t *time_ms,
                       const cor_gravity_opts *o, double *R, double *k, double *Rtot, double *F,
                       size_t *bad, cor_error *err);

/* Breaking point of i and j along their path: d_i = D_ij / (1 + sqrt(M_j / M_i)). */
double cor_breaking_distance(double D_ij, double M_i, double M_j);

/* ---- flows -------------------------------------------------------------------------------- */
typedef struct { uint32_t from, to; double flow; } cor_od;

/* All-or-nothing assignment: every OD pair's flow goes onto every link of its shortest path
 * (anchors[from] -> anchors[to] in mode); link_load has cor_graph_link_count() entries and is
 * added to. unassigned counts pairs with no path (their flow is not assigned). */
cor_status cor_assign(const cor_engine *e, cor_mode mode, const cor_anchor *anchors,
                      const cor_od *od, size_t n_od, double *link_load, size_t *unassigned,
                      cor_error *err);

/* The point at distance d (m) along the path from anchor a to the node of b (mode), in the
 * working CRS; the path's length goes to *length_m. */
cor_status cor_path_point(const cor_engine *e, cor_mode mode, const cor_anchor *a,
                          uint32_t b_node, double d, double *x, double *y, double *length_m,
                          cor_error *err);

/* ---- corridors ---------------------------------------------------------------------------- */
typedef struct {
    uint32_t *links;            /* the corridor's links */
    size_t n_links;
    double max_load;            /* the largest link load */
    double load_km;             /* sum of load x length (km), the ranking key */
    double length_km;
} cor_corridor;

/* Road and rail links loaded at least share * (the largest load) are merged where they meet
 * into corridors, ranked by load_km; the top (0: all) are returned. Access, boarding and
 * alighting links are local connectors, never corridors. Caller frees with
 * cor_corridors_free(). */
cor_status cor_corridors_extract(const cor_graph *g, const double *link_load, double share,
                                 size_t top, cor_corridor **out, size_t *n_out, cor_error *err);
void cor_corridors_free(cor_corridor *c, size_t n);

#ifdef __cplusplus
}
#endif
#endif
