/* network.h: the multimodal road + rail + terminal network, built once and shared read-only. */
#ifndef CORRIDOR_NETWORK_H
#define CORRIDOR_NETWORK_H

#include "corridor/dataset.h"
#include "corridor/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default speeds and terminal times: the one table every command uses (README "Speeds").
 * Speeds are door-to-door averages for regional planning, not top speeds. */
typedef struct {
    double highspeed_kmh;       /* high-speed rail (CRH/Fuxing services): 250 */
    double conventional_kmh;    /* conventional rail: 100 */
    double major_highway_kmh;   /* expressways / major highways: 90 */
    double road_kmh;            /* other roads: 60 */
    double access_kmh;          /* access links from places and stations to the network: 40 */
    double board_s;             /* boarding a train at a station (security, waiting): 900 */
    double alight_s;            /* leaving a train at a station: 300 */
} cor_speeds;
#define COR_SPEEDS_DEFAULT ((cor_speeds){ .highspeed_kmh = 250.0, .conventional_kmh = 100.0, \
    .major_highway_kmh = 90.0, .road_kmh = 60.0, .access_kmh = 40.0, .board_s = 900.0, \
    .alight_s = 300.0 })

/* Sets one entry from "key=value" (keys as the field names: highspeed_kmh, board_s, ...; the
 * short forms highspeed, conventional, major_highway, road, access, board, alight work too).
 * Fails on an unknown key or a value that is not a positive finite number (board/alight >= 0). */
cor_status cor_speeds_assign(cor_speeds *s, const char *assignment, cor_error *err);
cor_status cor_speeds_set(cor_speeds *s, const char *key, double value, cor_error *err);
double cor_speeds_class_kmh(const cor_speeds *s, cor_line_class c);
/* Applies a config's "speeds" object, if any. */
cor_status cor_speeds_from_config(cor_speeds *s, const cor_config *cfg, cor_error *err);

typedef enum {
    COR_EDGE_ROAD = 0, COR_EDGE_RAIL, COR_EDGE_ACCESS, COR_EDGE_BOARD, COR_EDGE_ALIGHT,
    COR_EDGE_KIND_COUNT
} cor_edge_kind;
const char *cor_edge_kind_name(cor_edge_kind k);

typedef struct {
    cor_speeds speeds;
    double rail_snap_m;         /* dangling rail ends within this of another rail line join it: 10 */
    double road_snap_m;         /* dangling road ends within this of another road join it: 150 */
    double station_snap_m;      /* a station joins every rail line within this distance: 300 */
    double access_max_m;        /* places farther than this from any road stay unjoined: 50000 */
    cor_progress_fn progress;
    void *progress_user;
    cor_logger log;
} cor_build_opts;
#define COR_BUILD_OPTS_DEFAULT ((cor_build_opts){ .speeds = COR_SPEEDS_DEFAULT, \
    .rail_snap_m = 10.0, .road_snap_m = 150.0, .station_snap_m = 300.0, \
    .access_max_m = 50000.0, .progress = NULL, .progress_user = NULL, .log = COR_LOGGER_NONE })

typedef struct cor_graph cor_graph;

typedef enum { COR_NODE_ROAD = 0, COR_NODE_RAIL, COR_NODE_STATION, COR_NODE_PLACE } cor_node_kind;

/* Builds the network from the dataset's rail, road, station and place roles.
 * Caller destroys with cor_graph_destroy(). Fails on I/O, bad input or cancellation. */
cor_graph *cor_graph_build(cor_dataset *ds, const cor_build_opts *o, cor_error *err);
void cor_graph_destroy(cor_graph *g);                                   /* accepts NULL */

typedef struct {
    uint32_t nodes;
    uint64_t directed_edges;
    uint64_t links[COR_EDGE_KIND_COUNT];   /* undirected links by kind (board/alight: directed) */
    double length_km[COR_EDGE_KIND_COUNT];
    uint32_t components;
    double largest_component_share;        /* share of nodes in the largest component */
    uint64_t rail_dangles, rail_snapped;   /* dangling rail ends, and those snapped */
    uint64_t road_dangles, road_snapped;
    uint64_t stations, stations_on_rail;   /* train stations, and those joined to a rail line */
    uint64_t places, places_joined;        /* ports, airports, parks, cities; joined by access */
    size_t graph_bytes;                    /* CSR arrays + node coordinates */
    size_t geometry_bytes;                 /* edge geometries kept for export and drawing */
} cor_graph_stats;
void cor_graph_get_stats(const cor_graph *g, cor_graph_stats *out);

/* A place joined (or not) to the network. */
typedef struct {
    cor_role role;
    int64_t fid;                 /* the feature id in its layer */
    const char *name, *name_zh;  /* borrowed */
    uint32_t node;               /* the place's node, or UINT32_MAX when not joined */
    double access_m;             /* length of its access link */
    int in_main_component;       /* 1 when in the largest component */
} cor_graph_place;
size_t cor_graph_place_count(const cor_graph *g);
const cor_graph_place *cor_graph_place_get(const cor_graph *g, size_t i); /* borrowed */

/* Read-only CSR view for the routing engine. Node ids follow a spatial (Morton) order.
 * Edge e leaves node u for first_out[u] <= e < first_out[u+1]. */
typedef struct {
    uint32_t n_nodes;
    uint64_t n_edges;
    const uint64_t *first_out;  /* n_nodes + 1 */
    const uint32_t *head;       /* target node per directed edge */
    const uint32_t *time_ms;    /* travel time per directed edge, milliseconds */
    const float *length_m;      /* length per directed edge */
    const uint8_t *kind;        /* cor_edge_kind | (cor_line_class << 4) */
    const uint32_t *link;       /* undirected link id per directed edge (geometry) */
    const double *node_xy;      /* 2 * n_nodes, working CRS */
    const uint32_t *component;  /* component id per node; 0 is the largest */
    const uint8_t *node_kind;   /* cor_node_kind per node */
} cor_csr;
void cor_graph_csr(const cor_graph *g, cor_csr *out);

const char *cor_graph_crs(const cor_graph *g);              /* the working CRS; borrowed */
const cor_speeds *cor_graph_speeds(const cor_graph *g);     /* the speeds it was built with */
/* The points of an undirected link (the link id of a CSR edge), from its u end to its v end:
 * road and rail links point into the graph's geometry (*pts borrowed), others are the straight
 * line between their nodes, written to buf. Returns the number of points. */
size_t cor_graph_link_points(const cor_graph *g, uint32_t link, double buf[4],
                             const double **pts);
/* The u end of a link (the direction its points run). */
uint32_t cor_graph_link_from(const cor_graph *g, uint32_t link);

/* Undirected links: road/rail runs between nodes and the access, board and alight links. */
typedef struct {
    uint32_t u, v;              /* ends; points run from u to v */
    cor_edge_kind kind;
    cor_line_class cls;         /* road and rail only */
    double length_m, time_s;
} cor_link_info;
size_t cor_graph_link_count(const cor_graph *g);
void cor_graph_link_get(const cor_graph *g, uint32_t link, cor_link_info *out);
/* The feature id, in the rail or road layer, of the line a road or rail link was cut from
 * (its name and other attributes are that feature's); -1 for other links and added lines. */
int64_t cor_graph_link_source_fid(const cor_graph *g, uint32_t link);

/* Writes layers "nodes" and "edges" (mode, class, length_m, time_s) with GDAL; the format
 * follows the extension (.gpkg default). Written to a temporary name, then renamed. */
cor_status cor_graph_write(const cor_graph *g, const cor_dataset *ds, const char *path,
                           cor_error *err);
/* The same with default QGIS styles for "nodes" and "edges" in the file's layer_styles table
 * (see cor_writer_set_style in writer.h); styles may be NULL with n_styles 0. */
cor_status cor_graph_write_styled(const cor_graph *g, const cor_dataset *ds, const char *path,
                                  const cor_layer_style *styles, size_t n_styles,
                                  cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
