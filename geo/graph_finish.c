/* graph_finish.c: what the network builder and the scenario graph editor both do last: the
 * CSR of directed edges from the links, and the connected components, the largest first. */
#include "graph.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

int cor_graph_build_csr(cor_graph *g)
{
    size_t nn = g->n_nodes;
    cor_graph_stats *gs = &g->stats;
    uint64_t *fill = NULL;
    if (!(g->first_out = calloc(nn + 2, sizeof *g->first_out)))
        return 0;
    for (size_t i = 0; i < g->n_links; i++) { /* one thread: the sums in link order */
        const cor_link *L = &g->links[i];
        int directed = L->kind == COR_EDGE_BOARD || L->kind == COR_EDGE_ALIGHT;
        g->first_out[L->u + 1]++;
        if (!directed)
            g->first_out[L->v + 1]++;
        gs->links[L->kind]++;
        gs->length_km[L->kind] += L->length_m / 1000.0;
    }
    for (size_t i = 0; i < nn; i++)
        g->first_out[i + 1] += g->first_out[i];
    uint64_t ne = g->first_out[nn];
    g->n_edges = ne;
    if (!(g->head = malloc((ne + 1) * sizeof *g->head)) ||
        !(g->time_ms = malloc((ne + 1) * sizeof *g->time_ms)) ||
        !(g->link = malloc((ne + 1) * sizeof *g->link)) ||
        !(g->length_m = malloc((ne + 1) * sizeof *g->length_m)) ||
        !(g->kind = malloc(ne + 1)) || !(fill = malloc((nn + 1) * sizeof *fill)))
        return 0;
    cor_advise_huge(g->head, ne * sizeof *g->head);
    cor_advise_huge(g->time_ms, ne * sizeof *g->time_ms);
    cor_advise_huge(g->link, ne * sizeof *g->link);
    cor_advise_huge(g->length_m, ne * sizeof *g->length_m);
    memcpy(fill, g->first_out, nn * sizeof *fill);
    /* Each thread fills the edges leaving its own range of nodes, going through the links in
     * order: every node's edges come out in the order of one pass. */
#pragma omp parallel if (g->n_links > 65536)
    {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        uint32_t lo = (uint32_t)((uint64_t)nn * (uint64_t)t / (uint64_t)nt);
        uint32_t hi = (uint32_t)((uint64_t)nn * (uint64_t)(t + 1) / (uint64_t)nt);
        for (size_t i = 0; i < g->n_links; i++) {
            const cor_link *L = &g->links[i];
            uint8_t k = (uint8_t)(L->kind | (L->cls << 4));
            for (int dir = 0; dir < 2; dir++) {
                if (dir && (L->kind == COR_EDGE_BOARD || L->kind == COR_EDGE_ALIGHT))
                    break;
                uint32_t from = dir ? L->v : L->u, to = dir ? L->u : L->v;
                if (from < lo || from >= hi)
                    continue;
                uint64_t e = fill[from]++;
                g->head[e] = to;
                g->time_ms[e] = L->time_ms;
                g->length_m[e] = L->length_m;
                g->kind[e] = k;
                g->link[e] = (uint32_t)i;
            }
        }
    }
    free(fill);
    return 1;
}

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
