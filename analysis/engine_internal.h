/* engine_internal.h: the layout of cor_engine, shared by the routing files of analysis/. */
#ifndef CORRIDOR_ENGINE_INTERNAL_H
#define CORRIDOR_ENGINE_INTERNAL_H

#include "corridor/routing.h"

typedef struct { uint32_t head, time_ms; } cor_adj;

struct cor_engine {
    const cor_graph *g;
    cor_csr csr;
    uint32_t *rev_first;        /* reverse CSR: edges into each node */
    uint32_t *rev_tail, *rev_fwd, *rev_time;
    uint8_t *rev_kind;
    /* the forward edges for the times-only searches: each edge's head and time side by
     * side, so a relaxation reads one cache line where the graph's arrays need two */
    cor_adj *fwd_adj;
    cor_adj *rev_adj;           /* the same for the reverse CSR: (tail, time) */
    int32_t *place_at;          /* place index per node or -1 */
    double gx0, gy0, gcell;     /* grid of the nodes points snap to */
    size_t gnx, gny;
    uint32_t *grid_first, *grid_nodes;
};

int cor_rail_next_phase(int kind, int phase);

#endif
