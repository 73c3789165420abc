/* graph.h: the private layout of cor_graph, shared by the builder, the scenario editor and the
 * GDAL writer. */
#ifndef CORRIDOR_GEO_GRAPH_H
#define CORRIDOR_GEO_GRAPH_H

#include "internal.h"

/* An undirected link: a road or rail run between two nodes, or an access/board/alight link. */
typedef struct {
    uint32_t u, v;              /* node ids (final order) */
    uint8_t kind, cls;          /* cor_edge_kind, cor_line_class */
    float length_m;
    uint32_t time_ms;
    uint32_t geom_off;          /* road/rail: first point in road_xy/rail_xy (32 bytes in all) */
    uint32_t geom_n;            /* its number of points; 0: a straight line from u to v */
    uint32_t src;               /* road/rail: its line in road_fid/rail_fid; else UINT32_MAX */
} cor_link;

struct cor_graph {
    char *crs;                  /* working CRS */
    cor_speeds speeds;          /* the speeds it was built with */
    uint32_t n_nodes;
    uint64_t n_edges;
    uint64_t *first_out;
    uint32_t *head, *time_ms, *link;
    float *length_m;
    uint8_t *kind;
    double *node_xy;
    uint32_t *component;
    uint8_t *node_kind;         /* 0 road, 1 rail, 2 station, 3 place */
    size_t n_links;
    cor_link *links;
    double *road_xy, *rail_xy;  /* the line work after noding: link geometries */
    size_t road_n, rail_n;
    int64_t *road_fid, *rail_fid; /* source feature id per line of the line work (line names) */
    size_t road_lines, rail_lines;
    size_t n_places;
    cor_graph_place *places;
    char **place_names;         /* owned copies backing places[i].name / name_zh */
    cor_graph_stats stats;
};

/* ---- one link, for cor_graph and cor_graph_edit alike ------------------------------------ */
/* Its points (see cor_graph_link_points): road and rail links point into road_xy / rail_xy,
 * the others are the straight line between their nodes, written to buf. */
static inline size_t cor_link_points(const cor_link *L, const double *road_xy,
                                     const double *rail_xy, const double *node_xy,
                                     double buf[4], const double **pts)
{
    if (L->geom_n) {
        *pts = (L->kind == COR_EDGE_ROAD ? road_xy : rail_xy) + 2 * L->geom_off;
        return L->geom_n;
    }
    buf[0] = node_xy[2 * L->u];
    buf[1] = node_xy[2 * L->u + 1];
    buf[2] = node_xy[2 * L->v];
    buf[3] = node_xy[2 * L->v + 1];
    *pts = buf;
    return 2;
}

static inline void cor_link_info_of(const cor_link *L, cor_link_info *out)
{
    *out = (cor_link_info){ L->u, L->v, (cor_edge_kind)L->kind, (cor_line_class)L->cls,
                            L->length_m, L->time_ms / 1000.0 };
}

/* The source feature id of a road or rail link's line; -1 for others and added lines. */
static inline int64_t cor_link_source_fid(const cor_link *L, const int64_t *road_fid,
                                          size_t road_lines, const int64_t *rail_fid,
                                          size_t rail_lines)
{
    if (L->kind == COR_EDGE_ROAD && L->src < road_lines)
        return road_fid[L->src];
    if (L->kind == COR_EDGE_RAIL && L->src < rail_lines)
        return rail_fid[L->src];
    return -1;
}

/* ---- graph_finish.c ----------------------------------------------------------------------- */
/* Builds g's CSR of directed edges (first_out, head, time_ms, length_m, kind, link; n_edges)
 * from g->links over g->n_nodes nodes, board and alight links one way and the others both, a
 * node's edges in link order; adds each link to g->stats.links and length_km. Returns 0 when
 * out of memory (what was allocated is g's, freed with it), else 1. */
int cor_graph_build_csr(cor_graph *g);

/* Numbers g's connected components, links taken as undirected: fills g->component (n_nodes
 * entries, allocated by the caller) from g->links with 0 for the largest component, then by
 * decreasing size (ties: the one with the lowest node id first), and sets g->stats.components
 * and g->stats.largest_component_share. Returns 0 when out of memory (nothing set), else 1. */
int cor_graph_components(cor_graph *g);

#endif
