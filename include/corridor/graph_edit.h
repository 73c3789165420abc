/* graph_edit.h: a new graph made from a built one by adding nodes, links and places, changing
 * link times and removing links, without reading the source files again. The base graph is
 * only read: edits go to copies, and finishing builds a new CSR and new components. Node ids
 * of the base graph stay valid in the new graph (new nodes come after them), so anchors and
 * place nodes located on the base graph can be used on the new one. */
#ifndef CORRIDOR_GRAPH_EDIT_H
#define CORRIDOR_GRAPH_EDIT_H

#include "corridor/network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_graph_edit cor_graph_edit;

/* Starts from a copy of base (which must outlive nothing: the edit copies what it needs).
 * Caller finishes with cor_graph_edit_finish() or discards with cor_graph_edit_destroy(). */
cor_graph_edit *cor_graph_edit_create(const cor_graph *base, cor_error *err);
void cor_graph_edit_destroy(cor_graph_edit *ed);                      /* accepts NULL */

/* A new node; its id (after the base graph's), or UINT32_MAX when out of memory. */
uint32_t cor_graph_edit_add_node(cor_graph_edit *ed, double x, double y, cor_node_kind kind);
/* A new link from u to v (board and alight links are one-way, the others both ways). For
 * road and rail links, xy (n >= 2 points, from u to v) is its geometry; NULL: the straight
 * line. Returns its id, or UINT32_MAX when out of memory or time_s is not >= 0 and finite. */
uint32_t cor_graph_edit_add_link(cor_graph_edit *ed, uint32_t u, uint32_t v, cor_edge_kind kind,
                                 cor_line_class cls, const double *xy, size_t n,
                                 double length_m, double time_s);
size_t cor_graph_edit_link_count(const cor_graph_edit *ed);   /* removed links included */
void cor_graph_edit_link_get(const cor_graph_edit *ed, uint32_t link, cor_link_info *out);
/* The link's points as cor_graph_link_points(). */
size_t cor_graph_edit_link_points(const cor_graph_edit *ed, uint32_t link, double buf[4],
                                  const double **pts);
/* The source feature of a base road/rail link as cor_graph_link_source_fid(); -1 otherwise. */
int64_t cor_graph_edit_link_source_fid(const cor_graph_edit *ed, uint32_t link);
void cor_graph_edit_set_time(cor_graph_edit *ed, uint32_t link, double time_s);
/* Cuts a road or rail link at fraction t (0 < t < 1) of the segment from its point seg to
 * point seg + 1: a new node of kind there, the link removed and replaced by two links of the
 * same kind, class and source line, their times in proportion to their lengths. *first gets
 * the piece from the link's u end to the new node (the other piece runs on to v). Returns
 * the new node, or UINT32_MAX when out of memory or the arguments are out of range. */
uint32_t cor_graph_edit_split_link(cor_graph_edit *ed, uint32_t link, size_t seg, double t,
                                   cor_node_kind kind, uint32_t *first);
void cor_graph_edit_remove_link(cor_graph_edit *ed, uint32_t link);
int cor_graph_edit_link_removed(const cor_graph_edit *ed, uint32_t link);
const double *cor_graph_edit_node_xy(const cor_graph_edit *ed, uint32_t node); /* borrowed */
uint32_t cor_graph_edit_node_count(const cor_graph_edit *ed);

/* A new place (a station or terminal) at an existing node, reachable by name in the new
 * graph. Fails only when out of memory. */
cor_status cor_graph_edit_add_place(cor_graph_edit *ed, cor_role role, const char *name,
                                    const char *name_zh, uint32_t node, double access_m,
                                    cor_error *err);

/* The new graph (caller destroys with cor_graph_destroy()); ed is consumed either way. */
cor_graph *cor_graph_edit_finish(cor_graph_edit *ed, cor_error *err);

/* ---- course geometries from GeoJSON or any OGR file (geo/scenario_gdal.c) -------------- */
/* Lines and polygons in the working CRS: line i is points start[i] .. start[i+1]-1 of xy;
 * polygons as ISO WKB. Points are ignored. */
typedef struct {
    size_t n_lines;
    size_t *start;
    double *xy;
    size_t n_polygons;
    unsigned char **wkb;
    size_t *wkb_len;
} cor_geoms;
/* A GeoJSON geometry, Feature or FeatureCollection text in WGS 84 lon/lat, reprojected to
 * target_crs. Fails on malformed GeoJSON (OGR's message) or a failed transformation. */
cor_status cor_geoms_from_geojson(const char *json, const char *target_crs, cor_geoms *out,
                                  cor_error *err);
/* Every feature of the first layer of an OGR source, reprojected to target_crs (a layer
 * without a CRS is taken as WGS 84). */
cor_status cor_geoms_from_file(const char *path, const char *target_crs, cor_geoms *out,
                               cor_error *err);
void cor_geoms_free(cor_geoms *g);                                    /* accepts zeroed */

#ifdef __cplusplus
}
#endif
#endif
