/* test_config.c: the layer-role config: errors named by JSON path, and a mapped user dataset. */
#include "check.h"
#include "corridor/network.h"
#include "testdata.h"

#include <stdlib.h>
#include <unistd.h>

static void expect_error(const char *json, const char *needle)
{
    cor_error err = COR_ERROR_INIT;
    cor_config *c = cor_config_parse(json, "cfg.json", &err);
    CHECK(c == NULL);
    CHECK_INT(err.code, COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, needle);
    cor_config_destroy(c);
}

static void test_errors(void)
{
    expect_error("{\"layers\": {", "cfg.json: line 1");
    expect_error("[1,2]", "top level must be a JSON object");
    expect_error("{\"colour\": 1}", "cfg.json: colour: unknown key");
    expect_error("{\"layers\": {\"tram\": {}}}", "layers.tram: unknown role");
    expect_error("{\"layers\": {\"rail\": {\"layer\": 5}}}", "layers.rail.layer must be");
    expect_error("{\"layers\": {\"rail\": {\"fields\": {\"speed\": \"v\"}}}}",
                 "layers.rail.fields.speed: unknown field role");
    expect_error("{\"layers\": {\"rail\": {\"classes\": {\"ICE\": \"expressway\"}}}}",
                 "layers.rail.classes.ICE: 'expressway' is not a rail class");
    expect_error("{\"layers\": {\"city\": {\"classes\": {}}}}", "only rail and road");
    expect_error("{\"speeds\": {\"highspeed\": -3}}", "speeds.highspeed");
    expect_error("{\"speeds\": {\"warp\": 3}}", "unknown speed 'warp'");
    cor_error err = COR_ERROR_INIT;
    CHECK(cor_config_load("/nonexistent/cfg.json", &err) == NULL);
    CHECK_INT(err.code, COR_ERR_IO);
}

static void test_speeds(void)
{
    cor_speeds s = COR_SPEEDS_DEFAULT;
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_speeds_assign(&s, "highspeed=300", &err), COR_OK);
    CHECK_NEAR(s.highspeed_kmh, 300, 0);
    CHECK_INT(cor_speeds_assign(&s, "board_s=0", &err), COR_OK);
    CHECK_NEAR(s.board_s, 0, 0);
    CHECK(cor_speeds_assign(&s, "road=0", &err) != COR_OK);
    err = COR_ERROR_INIT;
    CHECK(cor_speeds_assign(&s, "road=fast", &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "not a number");
    err = COR_ERROR_INIT;
    CHECK(cor_speeds_assign(&s, "road", &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "KEY=VALUE");
    err = COR_ERROR_INIT;
    CHECK(cor_speeds_assign(&s, "road=nan", &err) != COR_OK);
}

/* A user's dataset with its own layer and field names works through a config. */
static void test_mapping(void)
{
    const char *p = td_tmp("user.gpkg");
    td_feature bahn[] = {
        { "LINESTRING(500000 4300000, 510000 4300000)", { "typ=SFS", "vmax_kmh=200" } },
        { "LINESTRING(510000 4300000, 520000 4300000)", { "typ=Regio", "vmax_kmh=NULL" } },
    };
    td_feature orte[] = {
        { "POINT(500000 4300100)", { "bez=Westdorf", "ew=1200" } },
    };
    CHECK(td_layer(p, "bahn", "EPSG:4548", bahn, 2));
    CHECK(td_layer(p, "orte", "EPSG:4548", orte, 1));
    const char *json =
        "{\"layers\": {\"rail\": {\"layer\": \"bahn\", \"fields\": {\"class\": \"typ\", "
        "\"speed_kmh\": \"vmax_kmh\"}, \"classes\": {\"SFS\": \"highspeed\"}},"
        " \"city\": {\"layer\": \"orte\", \"fields\": {\"name\": \"bez\", \"mass\": \"ew\"}}},"
        " \"speeds\": {\"conventional_kmh\": 80}}";
    cor_error err = COR_ERROR_INIT;
    cor_config *cfg = cor_config_parse(json, "user.json", &err);
    CHECK(cfg != NULL);
    cor_open_opts o = COR_OPEN_OPTS_DEFAULT;
    o.config = cfg;
    cor_dataset *ds = cor_dataset_open(p, &o, &err);
    CHECK(ds != NULL);
    if (ds) {
        const cor_lines *l = cor_dataset_lines(ds, COR_ROLE_RAIL, &err);
        CHECK(l && l->n_lines == 2);
        CHECK_INT(l->cls[0], COR_CLASS_HIGHSPEED);
        CHECK_INT(l->cls[1], COR_CLASS_CONVENTIONAL);
        CHECK_NEAR(l->speed_kmh[0], 200, 0);
        CHECK(isnan(l->speed_kmh[1]));
        const cor_places *c = cor_dataset_places(ds, COR_ROLE_CITY, &err);
        CHECK(c && c->n == 1 && !strcmp(c->items[0].name, "Westdorf"));
        CHECK_NEAR(c->items[0].mass, 1200, 0);
        cor_speeds s = COR_SPEEDS_DEFAULT;
        CHECK_INT(cor_speeds_from_config(&s, cfg, &err), COR_OK);
        CHECK_NEAR(s.conventional_kmh, 80, 0);
        cor_build_opts bo = COR_BUILD_OPTS_DEFAULT;
        bo.speeds = s;
        cor_graph *g = cor_graph_build(ds, &bo, &err);
        CHECK(g != NULL);
        if (g) {
            cor_csr csr;
            cor_graph_csr(g, &csr);
            int t200 = 0, t80 = 0;
            for (uint64_t e = 0; e < csr.n_edges; e++) {
                t200 += csr.time_ms[e] == 180000; /* 10 km at 200 km/h */
                t80 += csr.time_ms[e] == 450000;  /* 10 km at 80 km/h */
            }
            CHECK_INT(t200, 2);
            CHECK_INT(t80, 2);
        }
        cor_graph_destroy(g);
    }
    cor_dataset_close(ds);
    /* A configured layer or field that does not exist is an error naming it. */
    cor_config *bad = cor_config_parse("{\"layers\": {\"rail\": {\"layer\": \"zug\"}}}", "b.json",
                                       &err);
    o.config = bad;
    err = COR_ERROR_INIT;
    CHECK(cor_dataset_open(p, &o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "no layer 'zug'");
    cor_config_destroy(bad);
    bad = cor_config_parse("{\"layers\": {\"rail\": {\"layer\": \"bahn\", \"fields\": "
                           "{\"class\": \"kategorie\"}}}}", "b.json", &err);
    o.config = bad;
    err = COR_ERROR_INIT;
    ds = cor_dataset_open(p, &o, &err);
    CHECK(ds != NULL);
    CHECK(ds && cor_dataset_lines(ds, COR_ROLE_RAIL, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "layer 'bahn' has no field 'kategorie'");
    cor_dataset_close(ds);
    cor_config_destroy(bad);
    cor_config_destroy(cfg);
    unlink(p);
}

int main(void)
{
    RUN(test_errors);
    RUN(test_speeds);
    RUN(test_mapping);
    return check_summary();
}
