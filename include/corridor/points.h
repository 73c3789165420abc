/* points.h: point sets for the commands and the service: a place role or layer of DATA or a
 * file of points, loaded with labels and numeric fields and anchored on the network (graph
 * places use their own node, other points snap to the nearest road node). */
#ifndef CORRIDOR_POINTS_H
#define CORRIDOR_POINTS_H

#include "corridor/dataset.h"
#include "corridor/routing.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COR_POINTS_MAX_FIELDS 2

typedef struct {
    char *label;                /* the name, the id_field value, or the feature id; owned */
    int64_t fid;
    double x_m, y_m;            /* the point itself, working CRS */
    double lon_deg, lat_deg;
    double mass;                /* the role's mass (population for cities); NAN when none */
    double field[COR_POINTS_MAX_FIELDS]; /* the requested numeric fields; NAN when unset */
    cor_anchor anchor;          /* anchor.node == COR_UNREACHABLE: not on the network */
    double snap_m;              /* distance to the snapped road node; 0 for graph places */
} cor_point;

typedef struct {
    size_t n;
    cor_point *items;           /* owned */
    int role;                   /* cor_role when the points are a role's places, else -1 */
    int id_found;               /* 1 when the labels come from the id field */
    size_t n_off;               /* points left off the network (too far to snap) */
} cor_points;

typedef struct {
    const char *option;         /* the option that named the source, for messages: "--from" */
    const char *id_field;       /* labels from this field; NULL: name, name_zh or fid */
    int id_optional;            /* 1: a source without id_field keeps its names (the caller
                                 * checks that some source has it); 0: it must exist */
    /* numeric fields to read into cor_point.field[] (NULL: none), and the options that named
     * them, for messages ("--mass") */
    const char *fields[COR_POINTS_MAX_FIELDS];
    const char *field_options[COR_POINTS_MAX_FIELDS];
    double max_snap_m;          /* points farther from a road stay off the network */
} cor_points_opts;
#define COR_POINTS_OPTS_DEFAULT ((cor_points_opts){ .option = "--from", .id_field = NULL, \
    .id_optional = 0, \
    .fields = { NULL, NULL }, .field_options = { NULL, NULL }, .max_snap_m = 20000.0 })

/* Loads spec: a place role ("cities", "ports", "airports", "stations", "parks" or the role
 * names city, port, ...), the name of any other layer of ds, or a file of points any OGR
 * driver reads (GeoPackage, GeoJSON, CSV with lon/lat columns, ...; its first layer). Lines
 * give their centroid and polygons a point on their surface. Points beyond o->max_snap_m of
 * any road are warned about by name through lg (may be NULL) and kept off the network.
 * Fails (COR_ERR_NOTFOUND, COR_ERR_INPUT, COR_ERR_NOMEM, ...) with one line naming o->option,
 * spec and the problem on a bad source, field or value, or when no point is on the network;
 * out is then empty. ds is used for reading (not thread-safe: one caller at a time); e must
 * be built on ds's network. On success the caller frees out with cor_points_free(). */
cor_status cor_points_load(cor_dataset *ds, const cor_engine *e, const char *spec,
                           const cor_points_opts *o, const cor_logger *lg, cor_points *out,
                           cor_error *err);
void cor_points_free(cor_points *p);                     /* accepts a zeroed cor_points */

#ifdef __cplusplus
}
#endif
#endif
