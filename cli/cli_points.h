/* cli_points.h: origins and destinations for the matrix and access commands: a role or layer
 * of DATA or a file of points, loaded with their labels and weights and anchored on the
 * network (graph places use their own node, other points snap to the nearest road). */
#ifndef CORRIDOR_CLI_POINTS_H
#define CORRIDOR_CLI_POINTS_H

#include "cli.h"

#define CLI_POINTS_MAX_FIELDS 2

typedef struct {
    char *label;                /* the name, the --id-field value, or the feature id */
    int64_t fid;
    double x_m, y_m;            /* the point itself, working CRS */
    double lon_deg, lat_deg;
    double mass;                /* the role's mass (population for cities); NAN when none */
    double field[CLI_POINTS_MAX_FIELDS]; /* the requested numeric fields; NAN when unset */
    cor_anchor anchor;          /* anchor.node == COR_UNREACHABLE: not on the network */
    double snap_m;              /* distance to the snapped road node; 0 for graph places */
} cli_point;

typedef struct {
    size_t n;
    cli_point *items;
    int role;                   /* cor_role when the points are a role's places, else -1 */
    int id_found;               /* 1 when the labels come from the id field */
    size_t n_off;               /* points left off the network (too far to snap) */
} cli_points;

typedef struct {
    const char *option;         /* the option that named the source, for messages: "--from" */
    const char *id_field;       /* labels from this field; NULL: name, name_zh or fid */
    int id_optional;            /* 1: a source without id_field keeps its names (the caller
                                 * checks that some source has it); 0: it must exist */
    /* numeric fields to read into cli_point.field[] (NULL: none), and the options that named
     * them, for messages ("--mass") */
    const char *fields[CLI_POINTS_MAX_FIELDS];
    const char *field_options[CLI_POINTS_MAX_FIELDS];
    double max_snap_m;          /* points farther from a road stay off the network */
} cli_points_opts;
#define CLI_POINTS_OPTS_DEFAULT ((cli_points_opts){ .option = "--from", .id_field = NULL, \
    .id_optional = 0, \
    .fields = { NULL, NULL }, .field_options = { NULL, NULL }, .max_snap_m = 20000.0 })

/* Loads spec: a place role ("cities", "ports", "airports", "stations", "parks" or the role
 * names city, port, ...), the name of any other layer of DATA, or a file of points any OGR
 * driver reads (GeoPackage, GeoJSON, CSV with lon/lat columns, ...; its first layer). Lines
 * give their centroid and polygons a point on their surface. Points beyond max_snap_m of any
 * road are warned about by name and kept off the network; when no point is on the network,
 * or on a bad source, field or value, prints one line naming the input and returns
 * EXIT_FAIL. Returns EXIT_OK with out filled (free it with cli_points_free()). */
int cli_points_load(const cli_ctx *c, const cli_net *net, const char *spec,
                    const cli_points_opts *o, cli_points *out);
void cli_points_free(cli_points *p);                     /* accepts a zeroed cli_points */

/* The travel-time matrix between two point sets: times (ms, COR_UNREACHABLE when
 * unreachable, also for points off the network and beyond o->max_ms) and lengths (m, NAN
 * when unreachable; may be NULL), from[i] to to[j] at [i * to->n + j]. Only the points on the
 * network are searched. Prints the error and returns EXIT_FAIL on failure. */
int cli_points_matrix(const cli_ctx *c, const cli_net *net, const cli_points *from,
                      const cli_points *to, const cor_matrix_opts *o, uint32_t *times,
                      float *lengths);

#endif
