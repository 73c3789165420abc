/* test_scenario_sites.c: site ranks before and after a scenario (issue #8, `corridor scenario
 * --sites`; corridor/site_compare.h) on a hand-made network: a new rail line from a far park
 * to the port shortens its time to the port, which lifts its rank and brings an excluded park
 * within a limit, with totals known exactly; the other parks keep their raw values. */
#include "check.h"
#include "corridor/scenario.h"
#include "corridor/site_compare.h"
#include "testdata.h"

#include <math.h>
#include <stdlib.h>

static cor_dataset *g_ds;
static cor_graph *g_g;
static cor_engine *g_e;

/* A 60 km road (60 km/h: one minute per km) along y = 4300000 from x = 500000. The port and
 * the parks lie 100 m north of it (access: 100 m at 40 km/h = 9 s): Port at km 0, Park A at
 * km 10, Park B at km 40, Park C at km 50, Park D at km 60 (the road's end). */
static void setup(void)
{
    const char *path = td_tmp("scenario_sites.gpkg");
    td_feature roads[] = { { "LINESTRING(500000 4300000, 560000 4300000)", { "class=road" } } };
    td_feature ports[] = { { "POINT(500000 4300100)", { "name=Port" } } };
    td_feature parks[] = { { "POINT(510000 4300100)", { "name=Park A" } },
                           { "POINT(540000 4300100)", { "name=Park B" } },
                           { "POINT(550000 4300100)", { "name=Park C" } },
                           { "POINT(560000 4300100)", { "name=Park D" } } };
    td_layer(path, "roads", "EPSG:4548", roads, 1);
    td_layer(path, "ports", "EPSG:4548", ports, 1);
    td_layer(path, "parks", "EPSG:4548", parks, 4);
    cor_error err = COR_ERROR_INIT;
    g_ds = cor_dataset_open(path, NULL, &err);
    g_g = g_ds ? cor_graph_build(g_ds, NULL, &err) : NULL;
    g_e = g_g ? cor_engine_create(g_g, &err) : NULL;
    if (!g_e)
        fprintf(stderr, "setup: %s\n", err.msg);
}

/* Time to the nearest port (minutes, 0-60 min scored 1-0) and distance to the port (km, 0-100
 * km scored 1-0), equal weights; a park more than 55 min from a port is excluded. */
static const char CRITERIA[] =
    "{\"name\": \"port access\", \"criteria\": ["
    " {\"id\": \"t_port\", \"kind\": \"time_to\", \"to\": \"ports\", \"direction\": \"cost\","
    "  \"transform\": {\"piecewise\": [[0, 1], [60, 0]]}, \"weight\": 0.5},"
    " {\"id\": \"d_port\", \"kind\": \"distance_to\", \"layer\": \"ports\", \"direction\": \"cost\","
    "  \"transform\": {\"piecewise\": [[0, 1], [100, 0]]}, \"weight\": 0.5}],"
    " \"constraints\": [{\"kind\": \"limit\", \"criterion\": \"t_port\", \"max\": 55}]}";

/* Index of the candidate called name, or 0 (checked by the caller through the label). */
static size_t idx(const cor_site_candidates *cd, const char *name)
{
    for (size_t i = 0; i < cd->n; i++)
        if (!strcmp(cd->label[i], name))
            return i;
    fprintf(stderr, "no candidate %s\n", name);
    return 0;
}

static void test_rail_to_port(void)
{
    cor_error err = COR_ERROR_INIT;
    /* Park C to the port by rail: the new station at the park (0 s), board 900 s, 50 km at
     * 300 km/h (600 s), alight 300 s at the new station at the port: 1800 s = 30 min */
    cor_scenario *s = cor_scenario_parse("{\"edits\":[{\"type\":\"add_line\",\"name\":\"Port "
                                         "rail\",\"mode\":\"rail\",\"speed_kmh\":300,"
                                         "\"places\":[\"Park C\",\"Port\"]}]}", "toy.json", NULL,
                                         &err);
    cor_scenario_opts so = COR_SCENARIO_OPTS_DEFAULT;
    so.ds = g_ds;
    cor_graph *g2 = s ? cor_scenario_apply(s, g_e, &so, NULL, &err) : NULL;
    cor_engine *e2 = g2 ? cor_engine_create(g2, &err) : NULL;
    cor_site_criteria *c = cor_site_criteria_parse(CRITERIA, strlen(CRITERIA), "toy criteria",
                                                   &err);
    cor_points pts;
    memset(&pts, 0, sizeof pts);
    cor_site_candidates cd;
    memset(&cd, 0, sizeof cd);
    cor_site_delta d;
    memset(&d, 0, sizeof d);
    cor_points_opts po = COR_POINTS_OPTS_DEFAULT;
    int ok = e2 && c && cor_points_load(g_ds, g_e, "parks", &po, NULL, &pts, &err) == COR_OK &&
             cor_site_candidates_from_points(&pts, &cd, &err) == COR_OK;
    cor_site_opts o = COR_SITE_OPTS_DEFAULT;
    o.threads = 1;
    ok = ok && cor_site_compare(g_ds, g_e, e2, c, &cd, &o, &d, &err) == COR_OK;
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "   %s\n", err.msg);
        goto out;
    }
    CHECK_INT(cd.n, 4);
    CHECK_INT(d.m, 4);
    CHECK_INT(d.n, 2);
    size_t a = idx(&cd, "Park A"), b = idx(&cd, "Park B"), pc = idx(&cd, "Park C"),
           pd = idx(&cd, "Park D");
    const double *rb = d.before.raw, *ra = d.after.raw;
    /* before, by road: 9 s + 1 min per km + 9 s */
    CHECK_NEAR(rb[a * 2], 10.3, 1e-9);
    CHECK_NEAR(rb[b * 2], 40.3, 1e-9);
    CHECK_NEAR(rb[pc * 2], 50.3, 1e-9);
    CHECK_NEAR(rb[pd * 2], 60.3, 1e-9);
    /* after: C by rail 30 min; D by road to C's station node (9 + 600 + 9 s) and the train
     * (1800 s): 2418 s; B by rail ties with the road (also 2418 s); A as before */
    CHECK_NEAR(ra[a * 2], 10.3, 1e-9);
    CHECK_NEAR(ra[b * 2], 40.3, 1e-9);
    CHECK_NEAR(ra[pc * 2], 30.0, 1e-9);
    CHECK_NEAR(ra[pd * 2], 40.3, 1e-9);
    for (size_t i = 0; i < 4; i++) /* the distance does not depend on the network */
        CHECK_NEAR(ra[i * 2 + 1], rb[i * 2 + 1], 0);
    CHECK_NEAR(rb[pd * 2 + 1], 60.0, 1e-6);
    /* totals: 0.5 (1 - t / 60) + 0.5 (1 - km / 100) */
    CHECK_NEAR(d.before.total[a], 0.5 * (1 - 10.3 / 60) + 0.5 * 0.9, 1e-9);
    CHECK_NEAR(d.before.total[b], 0.5 * (1 - 40.3 / 60) + 0.5 * 0.6, 1e-9);
    CHECK_NEAR(d.before.total[pc], 0.5 * (1 - 50.3 / 60) + 0.5 * 0.5, 1e-9);
    CHECK(isnan(d.before.total[pd]));
    CHECK(d.before.reason[pd] != NULL); /* 60.3 min beyond the 55 min limit */
    CHECK_NEAR(d.after.total[a], 0.5 * (1 - 10.3 / 60) + 0.5 * 0.9, 1e-9);
    CHECK_NEAR(d.after.total[b], 0.5 * (1 - 40.3 / 60) + 0.5 * 0.6, 1e-9);
    CHECK_NEAR(d.after.total[pc], 0.5, 1e-9);
    CHECK_NEAR(d.after.total[pd], 0.5 * (1 - 40.3 / 60) + 0.5 * 0.4, 1e-9);
    CHECK(d.after.reason[pd] == NULL);
    /* ranks: A B C (D out) before; A C B D after */
    CHECK_INT(d.before.rank[a], 1);
    CHECK_INT(d.before.rank[b], 2);
    CHECK_INT(d.before.rank[pc], 3);
    CHECK_INT(d.before.rank[pd], 0);
    CHECK_INT(d.after.rank[a], 1);
    CHECK_INT(d.after.rank[pc], 2);
    CHECK_INT(d.after.rank[b], 3);
    CHECK_INT(d.after.rank[pd], 4);
    CHECK_INT(d.rank_change[a], 0);
    CHECK_INT(d.rank_change[pc], 1);
    CHECK_INT(d.rank_change[b], -1);
    CHECK_INT(d.in_both[pd], 0);
    CHECK_INT(d.in_both[b], 1);
    CHECK_INT(d.n_up, 1);
    CHECK_INT(d.n_down, 1);
    if (d.n_up && d.n_down) {
        CHECK_INT(d.up[0], pc);
        CHECK_INT(d.down[0], b);
    }
    /* the criterion that changed: t_port for C and D; nothing for A and B */
    CHECK_INT(d.most_changed[pc], 0);
    CHECK_INT(d.most_changed[pd], 0);
    CHECK_INT(d.most_changed[a], -1);
    CHECK_INT(d.most_changed[b], -1);
    CHECK_INT(d.n_changed, 2);
out:
    cor_site_delta_free(&d);
    cor_site_candidates_free(&cd);
    cor_points_free(&pts);
    cor_site_criteria_destroy(c);
    cor_engine_destroy(e2);
    cor_graph_destroy(g2);
    cor_scenario_destroy(s);
}

static void test_raw_change(void)
{
    CHECK_NEAR(cor_site_raw_change(50, 30), 0.4, 1e-12);
    CHECK_NEAR(cor_site_raw_change(2, 2), 0, 0);
    CHECK_NEAR(cor_site_raw_change(NAN, NAN), 0, 0);
    CHECK(isinf(cor_site_raw_change(NAN, 3)));
    CHECK(isinf(cor_site_raw_change(0, 3)));
}

static void test_errors(void)
{
    /* an unknown target fails before anything is compared, the message saying which side */
    static const char BAD[] = "{\"criteria\": [{\"id\": \"t\", \"kind\": \"time_to\", \"to\": "
                              "\"Atlantis\", \"direction\": \"cost\", \"weight\": 1}]}";
    cor_error err = COR_ERROR_INIT;
    cor_site_criteria *c = cor_site_criteria_parse(BAD, strlen(BAD), "bad", &err);
    cor_points pts;
    memset(&pts, 0, sizeof pts);
    cor_site_candidates cd;
    memset(&cd, 0, sizeof cd);
    cor_site_delta d;
    memset(&d, 0, sizeof d);
    cor_points_opts po = COR_POINTS_OPTS_DEFAULT;
    CHECK(c != NULL);
    if (c && cor_points_load(g_ds, g_e, "parks", &po, NULL, &pts, &err) == COR_OK &&
        cor_site_candidates_from_points(&pts, &cd, &err) == COR_OK) {
        CHECK(cor_site_compare(g_ds, g_e, g_e, c, &cd, NULL, &d, &err) != COR_OK);
        CHECK_STR_CONTAINS(err.msg, "before: ");
        CHECK_STR_CONTAINS(err.msg, "Atlantis");
    }
    cor_site_delta_free(&d);
    cor_site_delta_free(&d); /* twice: the record is zeroed */
    cor_site_candidates_free(&cd);
    cor_points_free(&pts);
    cor_site_criteria_destroy(c);
}

int main(void)
{
    setup();
    if (!g_e)
        return 1;
    RUN(test_raw_change);
    RUN(test_rail_to_port);
    RUN(test_errors);
    cor_engine_destroy(g_e);
    cor_graph_destroy(g_g);
    cor_dataset_close(g_ds);
    return check_summary();
}
