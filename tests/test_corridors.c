/* test_corridors.c: gravity linkage, membership degrees, breaking points, flow assignment
 * (with conservation) and corridor merging on three- and four-city toy networks, with every
 * expected value worked out by hand. */
#include "check.h"
#include "corridor/corridors.h"
#include "testdata.h"

#include <stdlib.h>
#include <unistd.h>

static double cor_csr_x(const cor_graph *g, uint32_t node)
{
    cor_csr c;
    cor_graph_csr(g, &c);
    return c.node_xy[2 * node];
}

/* A (0 km), B (60 km), C (120 km) on a straight 60 km/h road; D 30 km north of B. Cities lie
 * on road vertices, so their access links are empty: T_AB = 1 h, T_AC = 2 h, T_BD = 0.5 h. */
static cor_engine *toy(cor_graph **gp, cor_dataset **dsp, int with_d, cor_location *loc)
{
    const char *p = td_tmp(with_d ? "four.gpkg" : "three.gpkg");
    td_feature roads[] = {
        { "LINESTRING(500000 4300000, 560000 4300000, 620000 4300000)", { "class=road" } },
        { "LINESTRING(560000 4300000, 560000 4330000)", { "class=road" } },
    };
    td_feature cities[] = {
        { "POINT(500000 4300000)", { "name=A", "population=4" } },
        { "POINT(560000 4300000)", { "name=B", "population=1" } },
        { "POINT(620000 4300000)", { "name=C", "population=9" } },
        { "POINT(560000 4330000)", { "name=D", "population=16" } },
    };
    td_layer(p, "roads", "EPSG:4548", roads, with_d ? 2 : 1);
    td_layer(p, "cities", "EPSG:4548", cities, with_d ? 4 : 3);
    cor_error err = COR_ERROR_INIT;
    *dsp = cor_dataset_open(p, NULL, &err);
    *gp = *dsp ? cor_graph_build(*dsp, NULL, &err) : NULL;
    cor_engine *e = *gp ? cor_engine_create(*gp, &err) : NULL;
    unlink(p);
    const char *names[] = { "A", "B", "C", "D" };
    for (int i = 0; e && i < (with_d ? 4 : 3); i++)
        cor_engine_locate(e, names[i], 1000, NULL, NULL, &loc[i], &err);
    if (!e)
        fprintf(stderr, "toy network: %s\n", err.msg);
    return e;
}

static void test_three_cities(void)
{
    cor_graph *g;
    cor_dataset *ds;
    cor_location loc[4];
    cor_engine *e = toy(&g, &ds, 0, loc);
    CHECK(e != NULL);
    if (!e)
        return;
    cor_anchor an[3] = { loc[0].anchor, loc[1].anchor, loc[2].anchor };
    uint32_t t[9];
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_matrix_compute(e, an, 3, an, 3, NULL, t, NULL, &err), COR_OK);
    CHECK_INT(t[0 * 3 + 1], 3600000);
    CHECK_INT(t[0 * 3 + 2], 7200000);
    double mass[3] = { 4, 1, 9 }, R[9], k[9], Rt[3], F[9];
    CHECK_INT(cor_gravity(3, mass, t, NULL, R, k, Rt, F, NULL, &err), COR_OK);
    /* R_AB = 4*1/1^2 = 4, R_AC = 4*9/2^2 = 9, R_BC = 1*9/1^2 = 9 */
    CHECK_NEAR(R[0 * 3 + 1], 4.0, 1e-9);
    CHECK_NEAR(R[0 * 3 + 2], 9.0, 1e-9);
    CHECK_NEAR(R[1 * 3 + 2], 9.0, 1e-9);
    CHECK_NEAR(R[2 * 3 + 0], 9.0, 1e-9);
    CHECK(isnan(R[0]));
    CHECK_NEAR(Rt[0], 13.0, 1e-9);
    CHECK_NEAR(Rt[2], 18.0, 1e-9);
    /* F_AB = 4/13, F_AC = 9/13, F_CA = F_CB = 50 % */
    CHECK_NEAR(F[0 * 3 + 1], 100.0 * 4 / 13, 1e-9);
    CHECK_NEAR(F[0 * 3 + 2], 100.0 * 9 / 13, 1e-9);
    CHECK_NEAR(F[2 * 3 + 0], 50.0, 1e-9);
    CHECK_NEAR(F[2 * 3 + 1], 50.0, 1e-9);
    CHECK_NEAR(k[0 * 3 + 1], 1.0, 0);
    /* directed: k_AB = 4/5, k_BA = 1/5; decay 1: R_AC = 4*9/2 = 18 */
    cor_gravity_opts go = { 1.0, 1 };
    CHECK_INT(cor_gravity(3, mass, t, &go, R, k, NULL, NULL, NULL, &err), COR_OK);
    CHECK_NEAR(k[0 * 3 + 1], 0.8, 1e-12);
    CHECK_NEAR(k[1 * 3 + 0], 0.2, 1e-12);
    CHECK_NEAR(R[0 * 3 + 1], 0.8 * 4, 1e-9);
    CHECK_NEAR(R[0 * 3 + 2], 4.0 / 13 * 18, 1e-9);
    /* bad input */
    double badm[3] = { 4, 0, 9 };
    size_t bad = 99;
    err = COR_ERROR_INIT;
    CHECK(cor_gravity(3, badm, t, NULL, R, NULL, NULL, NULL, &bad, &err) != COR_OK);
    CHECK_INT(bad, 1);
    go.decay = 0;
    CHECK(cor_gravity(3, mass, t, &go, R, NULL, NULL, NULL, NULL, &err) != COR_OK);
    /* breaking point A-C: 120 km / (1 + sqrt(9/4)) = 48 km from A; A-B: 60/(1+1/2) = 40 km */
    CHECK_NEAR(cor_breaking_distance(120000, 4, 9), 48000, 1e-6);
    CHECK_NEAR(cor_breaking_distance(60000, 4, 1), 40000, 1e-6);
    double x, y, D;
    err = COR_ERROR_INIT;
    CHECK_INT(cor_path_point(e, COR_MODE_MULTI, &an[0], an[2].node, 48000, &x, &y, &D, &err),
              COR_OK);
    CHECK_NEAR(D, 120000, 1e-3);
    CHECK_NEAR(x, 548000, 1e-3);
    CHECK_NEAR(y, 4300000, 1e-6);
    /* from C back towards A: 48 km from C is at 572 km */
    CHECK_INT(cor_path_point(e, COR_MODE_MULTI, &an[2], an[0].node, 48000, &x, &y, &D, &err),
              COR_OK);
    CHECK_NEAR(x, 572000, 1e-3);

    /* Flows: all ordered pairs with R_ij. Link A-B carries AB, BA, AC, CA = 4+4+9+9 = 26;
     * link B-C carries BC, CB, AC, CA = 9+9+9+9 = 36. */
    size_t nl = cor_graph_link_count(g);
    double *load = calloc(nl, sizeof *load);
    cor_od od[6];
    int n = 0;
    CHECK_INT(cor_gravity(3, mass, t, NULL, R, NULL, NULL, NULL, NULL, &err), COR_OK);
    for (uint32_t i = 0; i < 3; i++)
        for (uint32_t j = 0; j < 3; j++)
            if (i != j)
                od[n++] = (cor_od){ i, j, R[i * 3 + j] };
    size_t un = 9;
    CHECK_INT(cor_assign(e, COR_MODE_MULTI, an, od, 6, load, &un, &err), COR_OK);
    CHECK_INT(un, 0);
    int ab = 0, bc = 0;
    for (uint32_t i = 0; i < nl; i++) {
        cor_link_info L;
        cor_graph_link_get(g, i, &L);
        if (L.kind != COR_EDGE_ROAD)
            continue;
        if (fabs(L.length_m - 60000) < 1e-3 && fabs(load[i] - 26) < 1e-9 &&
            fmin(cor_csr_x(g, L.u), cor_csr_x(g, L.v)) == 500000)
            ab++;
        if (fabs(L.length_m - 60000) < 1e-3 && fabs(load[i] - 36) < 1e-9 &&
            fmax(cor_csr_x(g, L.u), cor_csr_x(g, L.v)) == 620000)
            bc++;
    }
    CHECK_INT(ab, 1);
    CHECK_INT(bc, 1);
    /* corridors: both links pass half the maximum (18): one corridor, 120 km,
     * load x length = 26 * 60 + 36 * 60 = 3720 */
    cor_corridor *cs;
    size_t nc;
    CHECK_INT(cor_corridors_extract(g, load, 0.5, 0, &cs, &nc, &err), COR_OK);
    CHECK_INT(nc, 1);
    if (nc) {
        CHECK_NEAR(cs[0].length_km, 120, 1e-6);
        CHECK_NEAR(cs[0].load_km, 3720, 1e-6);
        CHECK_NEAR(cs[0].max_load, 36, 1e-9);
    }
    cor_corridors_free(cs, nc);
    /* at 0.9 of the maximum only B-C remains */
    CHECK_INT(cor_corridors_extract(g, load, 0.9, 0, &cs, &nc, &err), COR_OK);
    CHECK(nc == 1 && fabs(cs[0].length_km - 60) < 1e-6);
    cor_corridors_free(cs, nc);
    free(load);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
}

/* Conservation: a single pair puts exactly its flow on each link of its path, nothing else. */
static void test_conservation(void)
{
    cor_graph *g;
    cor_dataset *ds;
    cor_location loc[4];
    cor_engine *e = toy(&g, &ds, 1, loc);
    CHECK(e != NULL);
    if (!e)
        return;
    cor_anchor an[4] = { loc[0].anchor, loc[1].anchor, loc[2].anchor, loc[3].anchor };
    size_t nl = cor_graph_link_count(g);
    double *load = calloc(nl, sizeof *load);
    cor_od od = { 0, 3, 5.0 }; /* A -> D: A-B then B-D */
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_assign(e, COR_MODE_MULTI, an, &od, 1, load, NULL, &err), COR_OK);
    double km = 0;
    int loaded = 0, wrong = 0;
    for (uint32_t i = 0; i < nl; i++) {
        cor_link_info L;
        cor_graph_link_get(g, i, &L);
        if (load[i] != 0) {
            loaded++;
            wrong += load[i] != 5.0;
            km += L.length_m / 1000.0;
        }
    }
    CHECK_INT(wrong, 0);
    CHECK_NEAR(km, 90, 1e-6); /* 60 km to B, 30 km to D (access links are empty) */
    CHECK(loaded >= 2);
    /* four cities: T_BD = 0.5 h, M_D = 16: R_BD = 1*16/0.25 = 64; R_AD = 4*16/1.5^2 */
    uint32_t t[16];
    double mass[4] = { 4, 1, 9, 16 }, R[16];
    CHECK_INT(cor_matrix_compute(e, an, 4, an, 4, NULL, t, NULL, &err), COR_OK);
    CHECK_INT(cor_gravity(4, mass, t, NULL, R, NULL, NULL, NULL, NULL, &err), COR_OK);
    CHECK_NEAR(R[1 * 4 + 3], 64.0, 1e-9);
    CHECK_NEAR(R[0 * 4 + 3], 64.0 / 2.25, 1e-9);
    CHECK_NEAR(R[2 * 4 + 3], 9.0 * 16 / 2.25, 1e-9);
    free(load);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    cor_dataset_close(ds);
}

int main(void)
{
    RUN(test_three_cities);
    RUN(test_conservation);
    return check_summary();
}
