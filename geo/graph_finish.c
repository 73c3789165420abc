/* graph_finish.c: what the network builder and the scenario graph editor both do last: the
 * CSR of directed edges from the links, and the connected components, the largest first. */
#include "graph.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* The links are cut into one range per thread. Each range counts the edges its links give
 * every node, the counts become each range's first slot per node, and each range then fills
 * the edges of its own links: a node's edges come in link order, whatever the number of
 * threads. */
static int two_way(const cor_link *L)
{
    return L->kind != COR_EDGE_BOARD && L->kind != COR_EDGE_ALIGHT;
}

static void count_range(const cor_link *links, size_t l0, size_t l1, uint32_t *c)
{
    for (size_t i = l0; i < l1; i++) {
        c[links[i].u]++;
        if (two_way(&links[i]))
            c[links[i].v]++;
    }
}

static void fill_range(cor_graph *g, size_t l0, size_t l1, uint32_t *c)
{
    for (size_t i = l0; i < l1; i++) {
        const cor_link *L = &g->links[i];
        uint8_t k = (uint8_t)(L->kind | (L->cls << 4));
        for (int dir = 0; dir < 1 + two_way(L); dir++) {
            uint32_t from = dir ? L->v : L->u, to = dir ? L->u : L->v;
            uint64_t at = g->first_out[from] + c[from]++;
            g->head[at] = to;
            g->time_ms[at] = L->time_ms;
            g->length_m[at] = L->length_m;
            g->kind[at] = k;
            g->link[at] = (uint32_t)i;
        }
    }
}

int cor_graph_build_csr(cor_graph *g)
{
    size_t nn = g->n_nodes, nl = g->n_links;
    cor_graph_stats *gs = &g->stats;
    int nr = nl > 65536 ? omp_get_max_threads() : 1; /* ranges */
    if (nr > 8)
        nr = 8;
    uint32_t *pos = NULL; /* per range and node: edges, then the range's first slot */
    if (!(g->first_out = calloc(nn + 2, sizeof *g->first_out)) ||
        !(pos = calloc((size_t)nr * (nn + 1), sizeof *pos)))
        return 0;
#pragma omp parallel for schedule(static, 1) num_threads(nr)
    for (int r = 0; r < nr; r++)
        count_range(g->links, nl * (size_t)r / (size_t)nr, nl * (size_t)(r + 1) / (size_t)nr,
                    pos + (size_t)r * (nn + 1));
    /* The first slots (a prefix sum) and the statistics, side by side: one thread each, the
     * statistics in link order, so the sums are the same every run. */
    uint64_t e = 0;
#pragma omp parallel sections num_threads(2) if (nr > 1)
    {
#pragma omp section
        for (size_t i = 0; i < nn; i++) {
            g->first_out[i] = e;
            for (int r = 0; r < nr; r++) {
                uint32_t k = pos[(size_t)r * (nn + 1) + i];
                pos[(size_t)r * (nn + 1) + i] = (uint32_t)(e - g->first_out[i]);
                e += k;
            }
        }
#pragma omp section
        for (size_t i = 0; i < nl; i++) {
            gs->links[g->links[i].kind]++;
            gs->length_km[g->links[i].kind] += g->links[i].length_m / 1000.0;
        }
    }
    g->first_out[nn] = e;
    g->n_edges = e;
    if (!(g->head = malloc((e + 1) * sizeof *g->head)) ||
        !(g->time_ms = malloc((e + 1) * sizeof *g->time_ms)) ||
        !(g->link = malloc((e + 1) * sizeof *g->link)) ||
        !(g->length_m = malloc((e + 1) * sizeof *g->length_m)) || !(g->kind = malloc(e + 1))) {
        free(pos);
        return 0;
    }
    cor_advise_huge(g->head, e * sizeof *g->head);
    cor_advise_huge(g->time_ms, e * sizeof *g->time_ms);
    cor_advise_huge(g->link, e * sizeof *g->link);
    cor_advise_huge(g->length_m, e * sizeof *g->length_m);
#pragma omp parallel for schedule(static, 1) num_threads(nr)
    for (int r = 0; r < nr; r++)
        fill_range(g, nl * (size_t)r / (size_t)nr, nl * (size_t)(r + 1) / (size_t)nr,
                   pos + (size_t)r * (nn + 1));
    free(pos);
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
