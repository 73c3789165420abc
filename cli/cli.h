/* cli.h: what the subcommands share: the dispatch entry type, option helpers, output. */
#ifndef CORRIDOR_CLI_H
#define CORRIDOR_CLI_H

#include "corridor/render.h"
#include "corridor/routing.h"
#include "corridor/writer.h"

#include <jansson.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

/* Common state of a command run: data source, config, logger, flags. */
typedef struct {
    const char *prog;           /* "corridor network" */
    const char *data;           /* DATA positional or the bundled dataset */
    const char *config_path;
    const char *crs;
    int json, quiet;
    cor_config *config;
    const char *style_path;     /* --style FILE where a command has it; NULL: the default */
} cli_ctx;

/* Long options every data command takes; see cli_util.c. */
#define CLI_COMMON_LONGOPTS \
    { "help", no_argument, NULL, 'h' }, { "json", no_argument, NULL, 'j' }, \
    { "quiet", no_argument, NULL, 'q' }, { "config", required_argument, NULL, 'c' }, \
    { "crs", required_argument, NULL, 'C' }

/* Handles a common option; returns 1 if handled, 0 if not common, -1 when it asked to stop
 * with *exit_code set (help printed). */
int cli_common_option(cli_ctx *c, int opt, const char *arg, const char *usage, int *exit_code);
int cli_usage_error(const cli_ctx *c, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Resolves DATA, loads the config; opens the dataset. Prints the error and returns NULL. */
cor_dataset *cli_open_dataset(cli_ctx *c, int argc, char **argv, int first_positional);
void cli_ctx_free(cli_ctx *c);
int cli_fail(const cli_ctx *c, const cor_error *err);     /* prints "prog: msg", returns 1 */
cor_logger cli_logger(const cli_ctx *c);
int cli_progress(double fraction, const char *msg, void *user); /* GDAL-style dots on stderr */
void cli_print_json(json_t *doc);                         /* pretty JSON on stdout; decrefs */
const char *cli_default_data(void);

/* Network options shared by the commands that route: --speed and the build tolerances. */
typedef struct {
    const char *speed_args[32];
    int n_speed;
    cor_build_opts build;
} cli_net_opts;
#define CLI_NET_LONGOPTS { "speed", required_argument, NULL, 1001 }
/* Handles --speed (opt 1001); 1 if handled, -1 on a usage error (printed), 0 otherwise. */
int cli_net_option(cli_ctx *c, cli_net_opts *n, int opt, const char *arg);

/* Options shared by the commands that route from places (route, matrix, isochrone, access,
 * scenario). Each command lists the ones it takes: CLI_ROUTE_LONGOPTS (--mode, --max-snap,
 * which all of them take) and, as it names them, entries with the CLI_OPT_* values below. */
typedef struct {
    const char *from;           /* --from (route, matrix, isochrone) or --origins */
    const char *to;             /* --to */
    int mode;                   /* --mode: a cor_mode */
    double max_snap_m;          /* --max-snap KM, in metres */
    int top;                    /* --top N: 1..1000 */
} cli_route_opts;
#define CLI_ROUTE_OPTS_DEFAULT ((cli_route_opts){ .from = NULL, .to = NULL, \
    .mode = COR_MODE_MULTI, .max_snap_m = 20000.0, .top = 10 })
enum { CLI_OPT_FROM = 1101, CLI_OPT_TO, CLI_OPT_MODE, CLI_OPT_MAX_SNAP, CLI_OPT_TOP };
#define CLI_ROUTE_LONGOPTS \
    { "mode", required_argument, NULL, CLI_OPT_MODE }, \
    { "max-snap", required_argument, NULL, CLI_OPT_MAX_SNAP }
/* Handles a CLI_OPT_* option; 1 if handled, -1 on a usage error (printed), 0 otherwise. */
int cli_route_option(cli_ctx *c, cli_route_opts *r, int opt, const char *arg);
/* The options of the commands that build the network: the common ones (cli_common_option),
 * the network's (cli_net_option) and, unless r is NULL, the routing ones (cli_route_option).
 * 1: handled; 0: none of them; -1: the command ends with *exit_code (0 after --help, 2 after
 * a usage error, printed). */
int cli_shared_option(cli_ctx *c, cli_net_opts *n, cli_route_opts *r, int opt, const char *arg,
                      const char *usage, int *exit_code);

/* Dataset, network and routing engine, built once for a command. */
typedef struct {
    cor_dataset *ds;
    cor_graph *g;
    cor_engine *e;
} cli_net;
/* Opens DATA (argv[first] or the default), builds the network and the engine; prints the
 * error and returns EXIT_FAIL/EXIT_USAGE, or EXIT_OK. */
int cli_net_open(cli_ctx *c, cli_net_opts *o, int argc, char **argv, int first, cli_net *out);
void cli_net_close(cli_net *n);
/* LON,LAT to working-CRS metres through the dataset (cor_lonlat_fn for cor_engine_locate). */
cor_status cli_lonlat_to_xy(double *xy, void *dataset, cor_error *err);
/* A distance in metres: a number, optionally followed by "m" or "km" ("2km" -> 2000). */
int cli_parse_number(const char *s, double *out);
/* A distance in kilometres: a number, optionally followed by "km" or "m" ("500m" -> 0.5). */
int cli_parse_km(const char *s, double *out);
/* A number with no unit. */
int cli_parse_plain(const char *s, double *out);
/* Splits "A; B" (several places, as --from of isochrone and the service's from) into
 * trimmed names in buf; the count, or -1 on an empty name or more than cap. */
int cli_split_places(char *buf, char **places, int cap);
/* The argument arg of option opt as a whole number from lo to hi, with no unit: 1, or 0 with
 * the usage error printed ("--top: '5m' is not a whole number in 1..1000"). */
int cli_whole_option(const cli_ctx *c, const char *opt, const char *arg, long lo, long hi,
                     long *out);

/* ---- QGIS styles of written GeoPackages (cli_util.c) ---------------------------------- */
/* Class bounds for a graduated style: k classes of the finite values by method
 * (cor_classify_method, the same classification as the maps), k + 1 bounds or fewer when
 * there are fewer distinct values; at least 2. Returns the number of bounds written to out
 * (room for k + 1). */
size_t cli_class_breaks(const double *values, size_t n, int method, size_t k, double *out);
/* Gives layer (already written by w) its default QGIS style for role, drawn for the layer's
 * geometry type, generated from the map style (c->style_path, else the built-in default; c
 * may be NULL); a layer without geometry gets none. values (n of them, NaN for none) are
 * the classified field's, from which the classes (isochrones: the distinct values; access,
 * sites: quantiles; delta: equal intervals symmetric around 0) or the widest width
 * (linkage, flows, corridors) are taken. field NULL: the role's default. Does nothing for
 * formats other than GeoPackage. */
cor_status cli_style_layer(const cli_ctx *c, cor_writer *w, const char *layer,
                           cor_qml_role role, const char *field, const double *values,
                           size_t n, cor_error *err);
/* cor_graph_write with the default styles of "nodes" and "edges". */
cor_status cli_write_network(const cli_ctx *c, const cor_graph *g, const cor_dataset *ds,
                             const char *path, cor_error *err);

int cmd_info(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_corridors(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* [isochrone declarations] */
int cmd_isochrone(int argc, char **argv);
/* [access declarations] */
int cmd_matrix(int argc, char **argv);
int cmd_access(int argc, char **argv);
/* [scenario declarations] */
int cmd_scenario(int argc, char **argv);
/* [render declarations] */
int cmd_render(int argc, char **argv);
/* [report declarations] */
int cmd_report(int argc, char **argv);
int cmd_network(int argc, char **argv);

#endif
