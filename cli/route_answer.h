/* route_answer.h: the answer to "the fastest trip from A to B": the search, the legs with their
 * names, the JSON document of `corridor route --json` and the legs' lines, shared by
 * `corridor route` and `corridor serve` so that both give the same answer. */
#ifndef CORRIDOR_CLI_ROUTE_ANSWER_H
#define CORRIDOR_CLI_ROUTE_ANSWER_H

#include "corridor/routing.h"

#include <jansson.h>

/* One leg: a run of edges of one kind (and class for rail), or the walk from or to a
 * LON,LAT point (no edges: last < first). */
typedef struct {
    int kind, cls;              /* cor_edge_kind, cor_line_class */
    uint64_t first, last;       /* indexes into the answer's edge list (last < first: none) */
    double time_s, length_m;
    char from[200], to[200];
    uint32_t start, end;        /* nodes; UINT32_MAX for the walk from or to a point */
} route_leg;

typedef struct {
    cor_location a, b;          /* the ends, as located */
    cor_mode mode;
    double time_s, distance_m;  /* the whole trip, the walks from and to points included */
    size_t n_legs;
    route_leg *legs;            /* owned */
    size_t n_edges;
    uint64_t *edges;            /* forward CSR edges in travel order; owned */
    uint32_t *tails;            /* the node each edge leaves; owned */
} route_answer;

/* Finds the fastest trip from a to b with router r (scratch, reused) and builds its legs.
 * Fails with COR_ERR_INPUT ("no MODE route from A to B: unreachable") when there is none, or
 * when out of memory. Free out with route_answer_free() (also after a failure). */
cor_status route_answer_compute(const cor_engine *e, cor_router *r, const cor_location *a,
                                const cor_location *b, cor_mode mode, route_answer *out,
                                cor_error *err);
void route_answer_free(route_answer *ra);                  /* accepts a zeroed answer */

/* "access", "road", "rail", "board", "alight". */
const char *route_leg_mode(int kind);

/* The document of `corridor route --json` (new reference; NULL when out of memory), and its
 * text exactly as that command prints it (with the final newline; caller frees). */
json_t *route_answer_json(const route_answer *ra);
char *route_answer_json_text(const route_answer *ra);
/* The JSON text of any document as `corridor` prints it (indent 2, key order kept, 10
 * significant digits, final newline); caller frees; NULL when out of memory. */
char *route_json_dumps(const json_t *doc);

/* The points of leg i (which must have edges) in travel order, working CRS, as a line of at
 * least two points: *xy is malloc'd (2 * *n doubles), caller frees. Fails only when out of
 * memory. */
cor_status route_answer_leg_line(const cor_graph *g, const route_answer *ra, size_t i,
                                 double **xy, size_t *n, cor_error *err);

#endif
