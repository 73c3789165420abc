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
    uint64_t geom_off;          /* road/rail: first point in road_xy/rail_xy */
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

/* ---- graph_components.c ------------------------------------------------------------------- */
/* Numbers g's connected components, links taken as undirected: fills g->component (n_nodes
 * entries, allocated by the caller) from g->links with 0 for the largest component, then by
 * decreasing size (ties: the one with the lowest node id first), and sets g->stats.components
 * and g->stats.largest_component_share. Returns 0 when out of memory (nothing set), else 1. */
int cor_graph_components(cor_graph *g);

#endif
