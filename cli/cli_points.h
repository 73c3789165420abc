/* cli_points.h: origins and destinations for the matrix and access commands: a role or layer
 * of DATA or a file of points, loaded with their labels and weights and anchored on the
 * network (graph places use their own node, other points snap to the nearest road). */
#ifndef CORRIDOR_CLI_POINTS_H
#define CORRIDOR_CLI_POINTS_H

#include "cli.h"

#include "corridor/points.h"

/* The library's point sets under their CLI names. */
#define CLI_POINTS_MAX_FIELDS COR_POINTS_MAX_FIELDS
typedef cor_point cli_point;
typedef cor_points cli_points;
typedef cor_points_opts cli_points_opts;
#define CLI_POINTS_OPTS_DEFAULT COR_POINTS_OPTS_DEFAULT

/* cor_points_load() (corridor/points.h) with the command's logger: warnings go to stderr; on
 * a bad source, field or value, or when no point is on the network, prints one line naming
 * the input and returns EXIT_FAIL. Returns EXIT_OK with out filled (free it with
 * cli_points_free()). */
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
