/* scenario.h: network scenarios (as in Conveyal R5's network editing): a JSON list of edits
 * (add a rail or road line, change a line's speed, close a line or a station, add a
 * terminal) applied on top of a built network, giving a new graph; the base is never
 * modified. The file format is described in datasets/scenarios/README.md. */
#ifndef CORRIDOR_SCENARIO_H
#define CORRIDOR_SCENARIO_H

#include "corridor/routing.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_scenario cor_scenario;

/* Reads and checks a scenario file: the JSON syntax and every edit's type, keys, modes,
 * classes and speeds (speeds finite and > 0). Errors name the file and the JSON path, e.g.
 * "s.json: edits[1].speed_kmh: must be a number > 0". Caller destroys. */
cor_scenario *cor_scenario_load(const char *path, cor_error *err);
/* The same from text; origin names it in messages, base_dir resolves relative geometry file
 * paths (NULL: the current directory). */
cor_scenario *cor_scenario_parse(const char *json, const char *origin, const char *base_dir,
                                 cor_error *err);
void cor_scenario_destroy(cor_scenario *s);                           /* accepts NULL */
const char *cor_scenario_name(const cor_scenario *s);                 /* borrowed; "" if none */
size_t cor_scenario_edit_count(const cor_scenario *s);

typedef enum { COR_EDIT_ADD = 0, COR_EDIT_SPEED, COR_EDIT_CLOSE } cor_edit_kind;
const char *cor_edit_kind_name(cor_edit_kind k);                      /* add, speed, close */

/* A line the scenario added, changed or closed (one per added course or per affected link). */
typedef struct {
    char *name;
    const char *mode;           /* "rail" or "road" (static) */
    cor_line_class cls;
    double speed_kmh;           /* the new speed; NAN for a closure */
    cor_edit_kind edit;
    size_t n;                   /* points */
    double *xy;                 /* working CRS */
} cor_scenario_line;

/* A terminal (port, airport, park) or station the scenario added. */
typedef struct {
    char *name;
    cor_role role;
    uint32_t node;              /* its node in the new graph */
    double x_m, y_m;
} cor_scenario_place;

typedef struct {
    size_t n_lines;
    cor_scenario_line *lines;
    size_t n_places;
    cor_scenario_place *places;
    size_t links_added, links_changed, links_closed, stations_closed;
} cor_scenario_result;
void cor_scenario_result_free(cor_scenario_result *r);               /* accepts zeroed */

typedef struct {
    cor_dataset *ds;            /* line names and named polygons; NULL: none can be named */
    cor_lonlat_fn xy_of_lonlat; /* LON,LAT places (as cor_engine_locate) */
    void *lonlat_user;
    double max_snap_m;          /* places and line ends join the road network within this */
    double station_max_m;       /* a station must lie this close to a geometry course */
    double extent_margin_m;     /* a course may leave the network's extent by this much */
    cor_logger log;
} cor_scenario_opts;
#define COR_SCENARIO_OPTS_DEFAULT ((cor_scenario_opts){ .ds = NULL, .xy_of_lonlat = NULL, \
    .lonlat_user = NULL, .max_snap_m = 20000.0, .station_max_m = 2000.0, \
    .extent_margin_m = 5000.0, .log = COR_LOGGER_NONE })

/* Applies the edits in order on a copy of the engine's graph and returns the new graph
 * (caller destroys; build an engine on it with cor_engine_create()). Node ids of the base
 * graph keep their meaning in the new one. res (may be NULL) receives what was added,
 * changed and closed. Fails, naming the file and JSON path, on an unknown place, a course
 * outside the network's extent, a name that matches no line or station, a station far from
 * its course, or a polygon that is not found. */
cor_graph *cor_scenario_apply(const cor_scenario *s, const cor_engine *base,
                              const cor_scenario_opts *o, cor_scenario_result *res,
                              cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
