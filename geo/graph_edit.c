/* graph_edit.c: a new graph from a built one with nodes, links and places added, link times
 * changed and links removed (scenarios); the CSR and components are rebuilt on finishing. */
#include "graph.h"
#include "corridor/graph_edit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX

struct cor_graph_edit {
    const cor_graph *base;
    char *crs;
    cor_speeds speeds;
    double *node_xy;
    uint8_t *node_kind;
    uint32_t n_nodes, cap_nodes;
    cor_link *links;
    uint8_t *removed;
    size_t n_links, cap_links;
    double *road_xy, *rail_xy;
    size_t road_n, rail_n, road_cap, rail_cap;
    int64_t *road_fid, *rail_fid;
    size_t road_lines, rail_lines;
    cor_graph_place *places;
    char **place_names;         /* 2 per place */
    size_t n_places, cap_places;
    cor_graph_stats base_stats;
};

static void *dup_mem(const void *p, size_t n, size_t extra)
{
    void *q = malloc(n + extra + 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

void cor_graph_edit_destroy(cor_graph_edit *ed)
{
    if (!ed)
        return;
    free(ed->crs);
    free(ed->node_xy);
    free(ed->node_kind);
    free(ed->links);
    free(ed->removed);
    free(ed->road_xy);
    free(ed->rail_xy);
    free(ed->road_fid);
    free(ed->rail_fid);
    for (size_t i = 0; ed->place_names && i < 2 * ed->n_places; i++)
        free(ed->place_names[i]);
    free(ed->place_names);
    free(ed->places);
    free(ed);
}

cor_graph_edit *cor_graph_edit_create(const cor_graph *g, cor_error *err)
{
    cor_graph_edit *ed = calloc(1, sizeof *ed);
    if (!ed)
        goto nomem;
    ed->base = g;
    ed->speeds = g->speeds;
    ed->base_stats = g->stats;
    ed->n_nodes = ed->cap_nodes = g->n_nodes;
    ed->n_links = ed->cap_links = g->n_links;
    ed->road_n = ed->road_cap = g->road_n;
    ed->rail_n = ed->rail_cap = g->rail_n;
    ed->road_lines = g->road_lines;
    ed->rail_lines = g->rail_lines;
    ed->n_places = ed->cap_places = g->n_places;
    if (!(ed->crs = cor_strdup(g->crs)) ||
        !(ed->node_xy = dup_mem(g->node_xy, 2 * g->n_nodes * sizeof(double), 0)) ||
        !(ed->node_kind = dup_mem(g->node_kind, g->n_nodes, 0)) ||
        !(ed->links = dup_mem(g->links, g->n_links * sizeof(cor_link), 0)) ||
        !(ed->removed = calloc(g->n_links + 1, 1)) ||
        !(ed->road_xy = dup_mem(g->road_xy, 2 * g->road_n * sizeof(double), 0)) ||
        !(ed->rail_xy = dup_mem(g->rail_xy, 2 * g->rail_n * sizeof(double), 0)) ||
        !(ed->road_fid = dup_mem(g->road_fid, g->road_lines * sizeof(int64_t), 0)) ||
        !(ed->rail_fid = dup_mem(g->rail_fid, g->rail_lines * sizeof(int64_t), 0)) ||
        !(ed->places = dup_mem(g->places, g->n_places * sizeof(cor_graph_place), 0)) ||
        !(ed->place_names = calloc(2 * g->n_places + 1, sizeof(char *))))
        goto nomem;
    for (size_t i = 0; i < g->n_places; i++) {
        if (!(ed->place_names[2 * i] = cor_strdup(g->places[i].name)) ||
            !(ed->place_names[2 * i + 1] = cor_strdup(g->places[i].name_zh)))
            goto nomem;
        ed->places[i].name = ed->place_names[2 * i];
        ed->places[i].name_zh = ed->place_names[2 * i + 1];
    }
    return ed;
nomem:
    cor_graph_edit_destroy(ed);
    cor_error_set(err, COR_ERR_NOMEM, "out of memory copying the network for a scenario");
    return NULL;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem + 1);
    if (!q)
        return 0;
    *p = q;
    *cap = nc;
    return 1;
}

uint32_t cor_graph_edit_add_node(cor_graph_edit *ed, double x, double y, cor_node_kind kind)
{
    if (ed->n_nodes >= NONE32 - 1)
        return NONE32;
    size_t cap = ed->cap_nodes, cap2 = ed->cap_nodes;
    if (!grow((void **)&ed->node_xy, &cap, (size_t)ed->n_nodes + 1, 2 * sizeof(double)) ||
        !grow((void **)&ed->node_kind, &cap2, (size_t)ed->n_nodes + 1, 1))
        return NONE32;
    ed->cap_nodes = (uint32_t)(cap < cap2 ? cap : cap2);
    ed->node_xy[2 * ed->n_nodes] = x;
    ed->node_xy[2 * ed->n_nodes + 1] = y;
    ed->node_kind[ed->n_nodes] = (uint8_t)kind;
    return ed->n_nodes++;
}

static uint32_t ms_of(double s)
{
    double ms = s * 1000.0;
    return ms >= 4.0e9 ? 4000000000u : (uint32_t)llround(ms);
}

uint32_t cor_graph_edit_add_link(cor_graph_edit *ed, uint32_t u, uint32_t v, cor_edge_kind kind,
                                 cor_line_class cls, const double *xy, size_t n,
                                 double length_m, double time_s)
{
    if (u >= ed->n_nodes || v >= ed->n_nodes || !(time_s >= 0) || !isfinite(time_s) ||
        ed->n_links >= NONE32 - 1)
        return NONE32;
    uint32_t off = 0, gn = 0;
    if (xy && n >= 2 && (kind == COR_EDGE_ROAD || kind == COR_EDGE_RAIL)) {
        double **arr = kind == COR_EDGE_ROAD ? &ed->road_xy : &ed->rail_xy;
        size_t *cnt = kind == COR_EDGE_ROAD ? &ed->road_n : &ed->rail_n;
        size_t *cap = kind == COR_EDGE_ROAD ? &ed->road_cap : &ed->rail_cap;
        if (n > UINT32_MAX - *cnt) /* a link's first point is a 32-bit offset */
            return NONE32;
        if (!grow((void **)arr, cap, *cnt + n, 2 * sizeof(double)))
            return NONE32;
        memcpy(*arr + 2 * *cnt, xy, 2 * n * sizeof(double));
        off = (uint32_t)*cnt;
        gn = (uint32_t)n;
        *cnt += n;
    }
    size_t cap = ed->cap_links, cap2 = ed->cap_links;
    if (!grow((void **)&ed->links, &cap, ed->n_links + 1, sizeof(cor_link)) ||
        !grow((void **)&ed->removed, &cap2, ed->n_links + 1, 1))
        return NONE32;
    ed->cap_links = cap < cap2 ? cap : cap2;
    ed->links[ed->n_links] = (cor_link){ u, v, (uint8_t)kind, (uint8_t)cls, (float)length_m,
                                         ms_of(time_s), off, gn, NONE32 };
    ed->removed[ed->n_links] = 0;
    return (uint32_t)ed->n_links++;
}

size_t cor_graph_edit_link_count(const cor_graph_edit *ed) { return ed->n_links; }

void cor_graph_edit_link_get(const cor_graph_edit *ed, uint32_t link, cor_link_info *out)
{
    cor_link_info_of(&ed->links[link], out);
}

size_t cor_graph_edit_link_points(const cor_graph_edit *ed, uint32_t link, double buf[4],
                                  const double **pts)
{
    return cor_link_points(&ed->links[link], ed->road_xy, ed->rail_xy, ed->node_xy, buf, pts);
}

int64_t cor_graph_edit_link_source_fid(const cor_graph_edit *ed, uint32_t link)
{
    if (link >= ed->n_links)
        return -1;
    return cor_link_source_fid(&ed->links[link], ed->road_fid, ed->road_lines, ed->rail_fid,
                               ed->rail_lines);
}

void cor_graph_edit_set_time(cor_graph_edit *ed, uint32_t link, double time_s)
{
    if (link < ed->n_links && time_s >= 0 && isfinite(time_s))
        ed->links[link].time_ms = ms_of(time_s);
}

uint32_t cor_graph_edit_split_link(cor_graph_edit *ed, uint32_t link, size_t seg, double t,
                                   cor_node_kind kind, uint32_t *first)
{
    if (link >= ed->n_links || ed->removed[link] || !(t > 0 && t < 1))
        return NONE32;
    cor_link L = ed->links[link];
    if (L.kind != COR_EDGE_ROAD && L.kind != COR_EDGE_RAIL)
        return NONE32;
    double buf[4];
    const double *pts;
    size_t n = cor_graph_edit_link_points(ed, link, buf, &pts);
    if (seg + 1 >= n)
        return NONE32;
    double *cp = malloc((2 * n + 4) * sizeof *cp); /* adding links may move the points */
    if (!cp)
        return NONE32;
    memcpy(cp, pts, 2 * n * sizeof *cp);
    double x = cp[2 * seg] + t * (cp[2 * seg + 2] - cp[2 * seg]);
    double y = cp[2 * seg + 1] + t * (cp[2 * seg + 3] - cp[2 * seg + 1]);
    double total = 0, before = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double d = hypot(cp[2 * k + 2] - cp[2 * k], cp[2 * k + 3] - cp[2 * k + 1]);
        if (k < seg)
            before += d;
        else if (k == seg)
            before += t * d;
        total += d;
    }
    uint32_t nn = cor_graph_edit_add_node(ed, x, y, kind);
    if (nn == NONE32) {
        free(cp);
        return NONE32;
    }
    /* first piece: points 0..seg and the cut; second: the cut and seg+1..n-1 */
    double *a = malloc((2 * (seg + 2) + 1) * sizeof *a);
    double *b = malloc((2 * (n - seg) + 1) * sizeof *b);
    uint32_t l1 = NONE32, l2 = NONE32;
    if (a && b) {
        memcpy(a, cp, 2 * (seg + 1) * sizeof *a);
        a[2 * (seg + 1)] = x;
        a[2 * (seg + 1) + 1] = y;
        b[0] = x;
        b[1] = y;
        memcpy(b + 2, cp + 2 * (seg + 1), 2 * (n - seg - 1) * sizeof *b);
        double share = total > 0 ? before / total : 0.5;
        double time_s = L.time_ms / 1000.0;
        l1 = cor_graph_edit_add_link(ed, L.u, nn, (cor_edge_kind)L.kind, (cor_line_class)L.cls,
                                     a, seg + 2, L.length_m * share, time_s * share);
        if (l1 != NONE32)
            l2 = cor_graph_edit_add_link(ed, nn, L.v, (cor_edge_kind)L.kind,
                                         (cor_line_class)L.cls, b, n - seg,
                                         L.length_m * (1 - share), time_s * (1 - share));
    }
    free(a);
    free(b);
    free(cp);
    if (l1 == NONE32 || l2 == NONE32) {
        if (l1 != NONE32)
            ed->removed[l1] = 1;
        return NONE32;
    }
    ed->links[l1].src = ed->links[l2].src = L.src;
    ed->removed[link] = 1;
    *first = l1;
    return nn;
}

void cor_graph_edit_remove_link(cor_graph_edit *ed, uint32_t link)
{
    if (link < ed->n_links)
        ed->removed[link] = 1;
}

int cor_graph_edit_link_removed(const cor_graph_edit *ed, uint32_t link)
{
    return link < ed->n_links && ed->removed[link];
}

const double *cor_graph_edit_node_xy(const cor_graph_edit *ed, uint32_t node)
{
    return node < ed->n_nodes ? ed->node_xy + 2 * node : NULL;
}

uint32_t cor_graph_edit_node_count(const cor_graph_edit *ed) { return ed->n_nodes; }

cor_status cor_graph_edit_add_place(cor_graph_edit *ed, cor_role role, const char *name,
                                    const char *name_zh, uint32_t node, double access_m,
                                    cor_error *err)
{
    size_t cap = ed->cap_places, cap2 = 2 * ed->cap_places;
    if (!grow((void **)&ed->places, &cap, ed->n_places + 1, sizeof(cor_graph_place)) ||
        !grow((void **)&ed->place_names, &cap2, 2 * ed->n_places + 2, sizeof(char *)))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory adding a place");
    ed->cap_places = cap < cap2 / 2 ? cap : cap2 / 2;
    char *a = cor_strdup(name), *b = cor_strdup(name_zh);
    if (!a || !b) {
        free(a);
        free(b);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory adding a place");
    }
    size_t i = ed->n_places++;
    ed->place_names[2 * i] = a;
    ed->place_names[2 * i + 1] = b;
    ed->places[i] = (cor_graph_place){ role, -1, a, b, node, access_m, 0 };
    /* the other places' names stay where they are: only the pointer arrays moved */
    for (size_t k = 0; k < i; k++) {
        ed->places[k].name = ed->place_names[2 * k];
        ed->places[k].name_zh = ed->place_names[2 * k + 1];
    }
    return COR_OK;
}

cor_graph *cor_graph_edit_finish(cor_graph_edit *ed, cor_error *err)
{
    cor_graph *g = calloc(1, sizeof *g);
    if (!g)
        goto nomem;
    uint32_t nn = ed->n_nodes;
    /* take the edit's arrays */
    g->crs = ed->crs;
    ed->crs = NULL;
    g->speeds = ed->speeds;
    g->n_nodes = nn;
    g->node_xy = ed->node_xy;
    ed->node_xy = NULL;
    g->node_kind = ed->node_kind;
    ed->node_kind = NULL;
    g->road_xy = ed->road_xy;
    g->road_n = ed->road_n;
    ed->road_xy = NULL;
    g->rail_xy = ed->rail_xy;
    g->rail_n = ed->rail_n;
    ed->rail_xy = NULL;
    g->road_fid = ed->road_fid;
    g->road_lines = ed->road_lines;
    ed->road_fid = NULL;
    g->rail_fid = ed->rail_fid;
    g->rail_lines = ed->rail_lines;
    ed->rail_fid = NULL;
    g->places = ed->places;
    g->place_names = ed->place_names;
    g->n_places = ed->n_places;
    ed->places = NULL;
    ed->place_names = NULL;
    ed->n_places = 0;
    /* links: the removed ones are dropped */
    size_t nl = 0;
    for (size_t i = 0; i < ed->n_links; i++)
        if (!ed->removed[i])
            ed->links[nl++] = ed->links[i];
    g->n_links = nl;
    g->links = ed->links;
    ed->links = NULL;

    cor_graph_stats *gs = &g->stats;
    *gs = ed->base_stats;
    memset(gs->links, 0, sizeof gs->links);
    memset(gs->length_km, 0, sizeof gs->length_km);
    if (!cor_graph_build_csr(g))
        goto nomem;
    uint64_t ne = g->n_edges;
    /* connected components (undirected), numbered by size, 0 the largest */
    if (!(g->component = malloc(((size_t)nn + 1) * sizeof *g->component)) ||
        !cor_graph_components(g))
        goto nomem;
    gs->nodes = nn;
    gs->directed_edges = ne;
    gs->graph_bytes = ((size_t)nn + 1) * sizeof(uint64_t) +
                      ne * (2 * sizeof(uint32_t) + sizeof(float) + 1 + sizeof(uint32_t)) +
                      (size_t)nn * (2 * sizeof(double) + sizeof(uint32_t) + 1);
    gs->geometry_bytes = (g->road_n + g->rail_n) * 2 * sizeof(double) + nl * sizeof(cor_link);
    for (size_t i = 0; i < g->n_places; i++)
        g->places[i].in_main_component =
            g->places[i].node < nn && g->component[g->places[i].node] == 0;
    cor_graph_edit_destroy(ed);
    return g;
nomem:
    cor_graph_destroy(g);
    cor_graph_edit_destroy(ed);
    cor_error_set(err, COR_ERR_NOMEM, "out of memory building the scenario network");
    return NULL;
}
