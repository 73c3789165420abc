/* test_bundled.c: the network of the bundled Jing-Jin-Ji dataset: Beijing South and Tianjin
 * joined by high-speed rail, every port, airport and city in the main component. */
#include "check.h"
#include "corridor/network.h"
#include <cpl_conv.h>

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static const cor_graph_place *find_place(const cor_graph *g, cor_role role, const char *zh)
{
    for (size_t i = 0; i < cor_graph_place_count(g); i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->role == role && !strcmp(p->name_zh, zh))
            return p;
    }
    return NULL;
}

/* Breadth-first search from a station through boarding, high-speed rail edges only, and
 * alighting: can one ride high-speed rail from a to b? */
static int hsr_joined(const cor_csr *c, uint32_t a, uint32_t b)
{
    uint8_t *seen = calloc(c->n_nodes, 1);
    uint32_t *queue = malloc(c->n_nodes * sizeof *queue);
    size_t h = 0, t = 0;
    int found = 0;
    seen[a] = 1;
    queue[t++] = a;
    while (h < t && !found) {
        uint32_t u = queue[h++];
        for (uint64_t e = c->first_out[u]; e < c->first_out[u + 1]; e++) {
            int kind = c->kind[e] & 15, cls = c->kind[e] >> 4;
            int ok = (u == a && kind == COR_EDGE_BOARD) ||
                     (kind == COR_EDGE_RAIL && cls == COR_CLASS_HIGHSPEED) ||
                     (kind == COR_EDGE_ALIGHT && c->head[e] == b);
            if (!ok || seen[c->head[e]])
                continue;
            seen[c->head[e]] = 1;
            queue[t++] = c->head[e];
            found = c->head[e] == b;
        }
    }
    free(seen);
    free(queue);
    return found;
}

/* Whether two graphs are the same bit for bit: CSR, node positions, components and links. */
static int same_graph(const cor_graph *a, const cor_graph *b)
{
    cor_csr x, y;
    cor_graph_csr(a, &x);
    cor_graph_csr(b, &y);
    if (x.n_nodes != y.n_nodes || x.n_edges != y.n_edges ||
        cor_graph_link_count(a) != cor_graph_link_count(b))
        return 0;
    size_t nn = x.n_nodes, ne = x.n_edges;
    if (memcmp(x.first_out, y.first_out, (nn + 1) * sizeof *x.first_out) ||
        memcmp(x.head, y.head, ne * sizeof *x.head) ||
        memcmp(x.time_ms, y.time_ms, ne * sizeof *x.time_ms) ||
        memcmp(x.length_m, y.length_m, ne * sizeof *x.length_m) ||
        memcmp(x.kind, y.kind, ne) || memcmp(x.link, y.link, ne * sizeof *x.link) ||
        memcmp(x.node_xy, y.node_xy, 2 * nn * sizeof *x.node_xy) ||
        memcmp(x.component, y.component, nn * sizeof *x.component))
        return 0;
    for (size_t i = 0; i < cor_graph_link_count(a); i++) {
        double ba[4], bb[4];
        const double *pa, *pb;
        size_t na = cor_graph_link_points(a, (uint32_t)i, ba, &pa);
        size_t nb = cor_graph_link_points(b, (uint32_t)i, bb, &pb);
        if (na != nb || memcmp(pa, pb, 2 * na * sizeof *pa))
            return 0;
    }
    return 1;
}

int main(void)
{
    const char *data = getenv("CORRIDOR_DATA");
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
    CHECK(ds != NULL);
    if (!ds) {
        fprintf(stderr, "%s\n", err.msg);
        return check_summary();
    }
    cor_graph *g = cor_graph_build(ds, NULL, &err);
    CHECK(g != NULL);
    if (g) {
        cor_graph_stats s;
        cor_graph_get_stats(g, &s);
        fprintf(stderr, "   nodes %u, components %u, main %.3f, rail snapped %llu/%llu\n",
                s.nodes, s.components, s.largest_component_share,
                (unsigned long long)s.rail_snapped, (unsigned long long)s.rail_dangles);
        /* About 1,860 rail ends dangle, about 1,200 of them within 10 m of another line. */
        CHECK(s.rail_dangles > 1700 && s.rail_dangles < 2000);
        CHECK(s.rail_snapped > 1100 && s.rail_snapped < 1300);
        CHECK(s.largest_component_share > 0.9);
        CHECK_INT(s.stations, 1428);
        CHECK(s.stations_on_rail > 1200); /* the rest lie beyond 300 m of any mapped track */
        CHECK_INT(s.places, 14 + 5 + 6 + 41);

        /* The builder counts vertices as the lines are read; lines loaded earlier (here for
         * drawing, say) are counted after: both must give the same network. */
        cor_dataset *ds2 = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
        CHECK(ds2 && cor_dataset_lines(ds2, COR_ROLE_RAIL, &err) &&
              cor_dataset_lines(ds2, COR_ROLE_ROAD, &err));
        cor_graph *g2 = ds2 ? cor_graph_build(ds2, NULL, &err) : NULL;
        CHECK(g2 && same_graph(g, g2));
        cor_graph_destroy(g2);
        cor_dataset_close(ds2);
        /* One thread (no reprojecting thread, every loop on one thread) gives the same
         * network as several. */
        int threads = omp_get_max_threads();
        omp_set_num_threads(1);
        ds2 = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
        g2 = ds2 ? cor_graph_build(ds2, NULL, &err) : NULL;
        CHECK(g2 && same_graph(g, g2));
        cor_graph_destroy(g2);
        cor_dataset_close(ds2);
        omp_set_num_threads(threads);
        /* Reading feature by feature instead of column by column: the same network. */
        CPLSetConfigOption("COR_OGR_ARROW", "NO");
        ds2 = cor_dataset_open(data ? data : "datasets/jjj.gpkg", NULL, &err);
        g2 = ds2 ? cor_graph_build(ds2, NULL, &err) : NULL;
        CHECK(g2 && same_graph(g, g2));
        CHECK(ds2 && !cor_dataset_load_stats(ds2, COR_ROLE_ROAD)->columnar &&
              cor_dataset_load_stats(ds, COR_ROLE_ROAD)->columnar);
        cor_graph_destroy(g2);
        cor_dataset_close(ds2);
        CPLSetConfigOption("COR_OGR_ARROW", NULL);

        cor_csr c;
        cor_graph_csr(g, &c);
        const cor_graph_place *bjs = find_place(g, COR_ROLE_STATION, "北京南");
        const cor_graph_place *tj = find_place(g, COR_ROLE_STATION, "天津");
        CHECK(bjs && tj);
        if (bjs && tj) {
            CHECK(hsr_joined(&c, bjs->node, tj->node));
            CHECK(hsr_joined(&c, tj->node, bjs->node));
        }
        /* Every port, airport and city sits in the main component. */
        int outside = 0, n = 0;
        for (size_t i = 0; i < cor_graph_place_count(g); i++) {
            const cor_graph_place *p = cor_graph_place_get(g, i);
            if (p->role != COR_ROLE_PORT && p->role != COR_ROLE_AIRPORT &&
                p->role != COR_ROLE_CITY)
                continue;
            n++;
            if (!p->in_main_component) {
                outside++;
                fprintf(stderr, "   outside the main component: %s %s\n", p->name, p->name_zh);
            }
        }
        CHECK_INT(n, 25);
        CHECK_INT(outside, 0);
        /* The four ports of the regional plan are present. */
        CHECK(find_place(g, COR_ROLE_PORT, "天津港") && find_place(g, COR_ROLE_PORT, "黄骅港") &&
              find_place(g, COR_ROLE_PORT, "秦皇岛港") &&
              find_place(g, COR_ROLE_PORT, "唐山港曹妃甸港区"));
        CHECK(find_place(g, COR_ROLE_AIRPORT, "北京大兴国际机场") != NULL);
    }
    cor_graph_destroy(g);
    /* Any layer reads in the working CRS with its fields (here the 13 prefectures). */
    const char *fields[] = { "name", "name_zh", "no_such_field" };
    cor_features f;
    CHECK_INT(cor_dataset_read_layer(ds, "prefectures", fields, 3, &f, &err), COR_OK);
    CHECK_INT(f.n, 13);
    int named = 0, polys = 0, missing = 0;
    for (size_t i = 0; i < f.n; i++) {
        named += f.values[i * 3] && f.values[i * 3 + 1] && !strcmp(f.values[i * 3], "Langfang") &&
                 !strcmp(f.values[i * 3 + 1], "廊坊市");
        polys += f.wkb[i] && f.wkb[i][1] == 6; /* MultiPolygon */
        missing += f.values[i * 3 + 2] == NULL;
    }
    CHECK_INT(named, 1);
    CHECK_INT(polys, 13);
    CHECK_INT(missing, 13);
    cor_features_free(&f);
    CHECK(cor_dataset_read_layer(ds, "no_such_layer", fields, 1, &f, &err) != COR_OK);
    cor_dataset_close(ds);
    return check_summary();
}
