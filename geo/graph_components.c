/* graph_components.c: numbers the connected components of a graph, the largest first (for the
 * network builder and the scenario graph editor). */
#include "graph.h"

#include <stdlib.h>

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

typedef struct { uint32_t root, size; } comp_size;
static int cmp_comp_size(const void *a, const void *b)
{
    const comp_size *x = a, *y = b;
    return x->size != y->size ? (x->size < y->size ? 1 : -1)
                              : (x->root > y->root) - (x->root < y->root);
}

int cor_graph_components(cor_graph *g)
{
    uint32_t nn = g->n_nodes;
    uint32_t *uf = malloc(((size_t)nn + 1) * sizeof *uf);
    comp_size *cs = calloc((size_t)nn + 1, sizeof *cs);
    if (!uf || !cs) {
        free(uf);
        free(cs);
        return 0;
    }
    /* union-find over the links; a set's root is its lowest node id */
    for (uint32_t i = 0; i < nn; i++)
        uf[i] = i;
    for (size_t i = 0; i < g->n_links; i++) {
        uint32_t a = uf_find(uf, g->links[i].u), b = uf_find(uf, g->links[i].v);
        if (a != b)
            uf[a < b ? b : a] = a < b ? a : b;
    }
    uint32_t ncomp = 0;
    for (uint32_t i = 0; i < nn; i++) {
        uint32_t r = uf_find(uf, i);
        g->component[i] = r;
        if (r == i)
            cs[ncomp++] = (comp_size){ i, 0 };
    }
    /* every node has its root now: uf becomes root -> index in cs */
    for (uint32_t c = 0; c < ncomp; c++)
        uf[cs[c].root] = c;
    for (uint32_t i = 0; i < nn; i++)
        cs[uf[g->component[i]]].size++;
    /* by decreasing size, then by root */
    qsort(cs, ncomp, sizeof *cs, cmp_comp_size);
    for (uint32_t c = 0; c < ncomp; c++)
        uf[cs[c].root] = c;
    for (uint32_t i = 0; i < nn; i++)
        g->component[i] = uf[g->component[i]];
    g->stats.components = ncomp;
    g->stats.largest_component_share = nn ? (double)(ncomp ? cs[0].size : 0) / (double)nn : 0;
    free(uf);
    free(cs);
    return 1;
}
