/* test_site.c: the site evaluation library (corridor/site.h) on a hand-made network whose
 * criterion values are known to the second: travel times, population within T minutes,
 * distances to a layer, exclusions (a protected zone, a park off the network), scores,
 * WLC totals, ranks, contributions, a sensitivity analysis without spread, grid candidates
 * over a boundary, and the errors of bad criteria documents (naming the JSON path). Issue #5
 * (site evaluation) and #7 (the library behind POST /site/score). */
#include "check.h"
#include "corridor/site.h"
#include "testdata.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    cor_dataset *ds;
    cor_graph *g;
    cor_engine *e;
} net;

static int net_open(net *n, const char *path)
{
    cor_error err = COR_ERROR_INIT;
    n->ds = cor_dataset_open(path, NULL, &err);
    n->g = n->ds ? cor_graph_build(n->ds, NULL, &err) : NULL;
    n->e = n->g ? cor_engine_create(n->g, &err) : NULL;
    if (!n->e)
        fprintf(stderr, "   %s: %s\n", path, err.msg);
    return n->e != NULL;
}

static void net_close(net *n)
{
    cor_engine_destroy(n->e);
    cor_graph_destroy(n->g);
    cor_dataset_close(n->ds);
}

/* A straight 20 km road at 60 km/h (one minute per km) along y = 4300000 from x = 500000.
 * Every place lies 100 m off the road: its access link takes 100 m / (40 km/h) = 9 s.
 * Port 100 m north of the east end; Town (1000 people) north of the west end, East (3000)
 * north of the east end. Parks 100 m south of the road: P1 at km 2, P2 at km 10, P3 at
 * km 18, P4 at km 15 inside a protected zone, P5 100 km north (no road within the access
 * distance). A lake 2.9 km south of P2: x 509-511 km, y 4295-4297 km. The province
 * Testland (测试省) is the box x 500-520 km, y 4295-4305 km. */
static const char *fixture(void)
{
    const char *p = td_tmp("site.gpkg");
    td_feature roads[] = { { "LINESTRING(500000 4300000, 520000 4300000)", { "class=road" } } };
    td_feature ports[] = { { "POINT(520000 4300100)", { "name=Port" } } };
    td_feature cities[] = { { "POINT(500000 4300100)", { "name=Town", "population=1000" } },
                            { "POINT(520000 4300100)", { "name=East", "population=3000" } } };
    td_feature parks[] = { { "POINT(502000 4299900)", { "name=P1" } },
                           { "POINT(510000 4299900)", { "name=P2" } },
                           { "POINT(518000 4299900)", { "name=P3" } },
                           { "POINT(515000 4299900)", { "name=P4" } },
                           { "POINT(500000 4400000)", { "name=P5" } } };
    td_feature lakes[] = { { "POLYGON((509000 4295000, 511000 4295000, 511000 4297000, "
                             "509000 4297000, 509000 4295000))", { "kind=lake" } } };
    td_feature zones[] = { { "POLYGON((514000 4299000, 516000 4299000, 516000 4299950, "
                             "514000 4299950, 514000 4299000))", { "kind=protected" } } };
    td_feature prov[] = { { "POLYGON((500000 4295000, 520000 4295000, 520000 4305000, "
                            "500000 4305000, 500000 4295000))",
                            { "name=Testland", "name_zh=测试省" } } };
    td_layer(p, "roads", "EPSG:4548", roads, 1);
    td_layer(p, "ports", "EPSG:4548", ports, 1);
    td_layer(p, "cities", "EPSG:4548", cities, 2);
    td_layer(p, "parks", "EPSG:4548", parks, 5);
    td_layer(p, "lakes", "EPSG:4548", lakes, 1);
    td_layer(p, "zones", "EPSG:4548", zones, 1);
    td_layer(p, "provinces", "EPSG:4548", prov, 1);
    return p;
}

static const char CRITERIA[] =
    "{\"name\": \"test\", \"method\": \"wlc\", \"weights\": \"direct\", \"mode\": \"road\","
    " \"criteria\": ["
    "  {\"id\": \"t_port\", \"kind\": \"time_to\", \"to\": \"ports\", \"direction\": \"cost\","
    "   \"transform\": \"linear\", \"weight\": 0.5},"
    "  {\"id\": \"pop_15\", \"kind\": \"population_within\", \"minutes\": 15,"
    "   \"direction\": \"benefit\", \"weight\": 0.3},"
    "  {\"id\": \"d_lake\", \"kind\": \"distance_to\", \"layer\": \"lakes\","
    "   \"direction\": \"benefit\", \"transform\": {\"piecewise\": [[0, 0], [5, 1]]},"
    "   \"weight\": 0.2}],"
    " \"constraints\": [{\"kind\": \"exclude_inside\", \"layer\": \"zones\","
    "   \"reason\": \"protected\"}]}";

static size_t find(const cor_site_candidates *cd, const char *label)
{
    for (size_t i = 0; i < cd->n; i++)
        if (!strcmp(cd->label[i], label))
            return i;
    return SIZE_MAX;
}

/* A dataset lock that checks how it is used; probe_search is the searches' cancel callback. */
typedef struct { int held, taken, misuse, searches; } lock_probe;

static void probe_lock(void *user, int lock)
{
    lock_probe *p = user;
    if (lock) {
        p->misuse += p->held;
        p->held = 1;
        p->taken++;
    } else {
        p->misuse += !p->held;
        p->held = 0;
    }
}

static int probe_search(double done, const char *what, void *user)
{
    (void)done;
    (void)what;
    lock_probe *p = user;
    p->searches++;
    p->misuse += p->held; /* a search under the lock */
    return 1;
}

static void test_evaluate(void)
{
    const char *p = fixture();
    net n;
    CHECK(net_open(&n, p));
    if (!n.e) {
        net_close(&n);
        return;
    }
    cor_error err = COR_ERROR_INIT;
    cor_site_criteria *c = cor_site_criteria_parse(CRITERIA, strlen(CRITERIA), "doc", &err);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "   %s\n", err.msg);
        net_close(&n);
        return;
    }
    CHECK_INT(cor_site_criteria_count(c), 3);
    CHECK_STR_CONTAINS(cor_site_criterion_id(c, 2), "d_lake");
    CHECK_INT(cor_site_criterion_kind(c, 1), COR_SITE_POP_WITHIN);
    CHECK_INT(cor_site_criteria_method(c), COR_METHOD_WLC);
    CHECK(cor_site_criterion_field(c, 0) == NULL);

    cor_points pts;
    cor_points_opts po = COR_POINTS_OPTS_DEFAULT;
    po.option = "--candidates";
    CHECK_INT(cor_site_criteria_point_fields(c, &po, &err), COR_OK);
    CHECK_INT(cor_points_load(n.ds, n.e, "parks", &po, NULL, &pts, &err), COR_OK);
    cor_site_candidates cd;
    CHECK_INT(cor_site_candidates_from_points(&pts, &cd, &err), COR_OK);
    cor_points_free(&pts);
    CHECK_INT(cd.n, 5);
    size_t p1 = find(&cd, "P1"), p2 = find(&cd, "P2"), p3 = find(&cd, "P3"),
           p4 = find(&cd, "P4"), p5 = find(&cd, "P5");
    CHECK(p1 < 5 && p2 < 5 && p3 < 5 && p4 < 5 && p5 < 5);
    if (p1 >= 5 || p2 >= 5 || p3 >= 5 || p4 >= 5 || p5 >= 5) {
        cor_site_candidates_free(&cd);
        cor_site_criteria_destroy(c);
        net_close(&n);
        return;
    }
    cor_site_opts o = COR_SITE_OPTS_DEFAULT;
    o.sensitivity_draws = 20;
    o.spread = 0;
    o.top_k = 1;
    cor_site_result r;
    cor_status st = cor_site_evaluate(n.ds, n.e, c, &cd, &o, &r, &err);
    CHECK_INT(st, COR_OK);
    if (st != COR_OK)
        fprintf(stderr, "   %s\n", err.msg);
    if (st == COR_OK) {
        size_t k = r.n;
        CHECK_INT(k, 3);
        CHECK_INT(r.m, 5);
        /* t_port: 9 s access + (20 km - x) at one minute per km + 9 s access */
        CHECK_NEAR(r.raw[p1 * k + 0], 18.3, 1e-6);
        CHECK_NEAR(r.raw[p2 * k + 0], 10.3, 1e-6);
        CHECK_NEAR(r.raw[p3 * k + 0], 2.3, 1e-6);
        CHECK_NEAR(r.raw[p4 * k + 0], 5.3, 1e-6);
        /* pop_15: P1 reaches Town (2.3 min), P2 both (10.3 each), P3 East only */
        CHECK_NEAR(r.raw[p1 * k + 1], 1000, 0);
        CHECK_NEAR(r.raw[p2 * k + 1], 4000, 0);
        CHECK_NEAR(r.raw[p3 * k + 1], 3000, 0);
        /* d_lake in km: P2 straight above it, P1 and P3 7 km beside and 2.9 km above */
        CHECK_NEAR(r.raw[p2 * k + 2], 2.9, 1e-9);
        CHECK_NEAR(r.raw[p1 * k + 2], hypot(7.0, 2.9), 1e-9);
        CHECK_NEAR(r.raw[p3 * k + 2], hypot(7.0, 2.9), 1e-9);
        /* exclusions: P4 by the zone, P5 off the network (no value, no rank) */
        CHECK_INT(r.n_excluded, 2);
        CHECK_STR_CONTAINS(r.reason[p4], "protected");
        CHECK_STR_CONTAINS(r.reason[p5], "no road within 20 km");
        CHECK(r.reason[p1] == NULL && r.reason[p2] == NULL && r.reason[p3] == NULL);
        CHECK(isnan(r.raw[p5 * k + 0]));
        /* scores over P1-P3 only (P4's 5.3 min is not the minimum's owner: P3's 2.3 is) */
        CHECK_NEAR(r.score[p1 * k + 0], 0.0, 1e-9);
        CHECK_NEAR(r.score[p2 * k + 0], 0.5, 1e-9);
        CHECK_NEAR(r.score[p3 * k + 0], 1.0, 1e-9);
        CHECK_NEAR(r.score[p1 * k + 1], 0.0, 1e-9);
        CHECK_NEAR(r.score[p2 * k + 1], 1.0, 1e-9);
        CHECK_NEAR(r.score[p3 * k + 1], 2.0 / 3.0, 1e-9);
        CHECK_NEAR(r.score[p2 * k + 2], 2.9 / 5.0, 1e-9);
        CHECK_NEAR(r.score[p1 * k + 2], 1.0, 1e-9);
        CHECK(isnan(r.score[p4 * k + 0]));
        CHECK_NEAR(r.weights_sum, 1.0, 1e-12);
        CHECK_NEAR(r.weight[0], 0.5, 1e-12);
        /* WLC: P1 0.2, P2 0.25 + 0.3 + 0.116 = 0.666, P3 0.5 + 0.2 + 0.2 = 0.9 */
        CHECK_NEAR(r.total[p1], 0.2, 1e-9);
        CHECK_NEAR(r.total[p2], 0.666, 1e-9);
        CHECK_NEAR(r.total[p3], 0.9, 1e-9);
        CHECK(isnan(r.total[p4]) && isnan(r.total[p5]));
        CHECK_INT(r.rank[p3], 1);
        CHECK_INT(r.rank[p2], 2);
        CHECK_INT(r.rank[p1], 3);
        CHECK_INT(r.rank[p4], 0);
        CHECK_INT(r.order[0], p3);
        CHECK_INT(r.order[1], p2);
        CHECK_INT(r.order[2], p1);
        CHECK_NEAR(r.contribution[p2 * k + 0], 0.25, 1e-9);
        CHECK_NEAR(r.contribution[p2 * k + 2], 0.116, 1e-9);
        /* no spread: every draw ranks as the weights do */
        CHECK(r.top_share != NULL);
        if (r.top_share) {
            CHECK_NEAR(r.top_share[p3], 1.0, 0);
            CHECK_NEAR(r.top_share[p2], 0.0, 0);
            CHECK_INT(r.rank_min[p2], 2);
            CHECK_INT(r.rank_max[p2], 2);
        }
    }
    double totals[5];
    for (size_t i = 0; i < 5 && r.total; i++)
        totals[i] = r.total[i];
    cor_site_result_free(&r);

    /* With a dataset lock (a service sharing the dataset between threads): the same result;
     * the lock is taken and given back around each use of the dataset, and the travel-time
     * searches run without it. */
    lock_probe lp = { 0, 0, 0, 0 };
    o = COR_SITE_OPTS_DEFAULT;
    o.dataset_lock = probe_lock;
    o.dataset_lock_user = &lp;
    o.cancel = probe_search;
    o.cancel_user = &lp;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c, &cd, &o, &r, &err), COR_OK);
    CHECK(lp.taken >= 3);          /* three criteria and the constraint layer read */
    CHECK_INT(lp.held, 0);         /* given back every time */
    CHECK_INT(lp.misuse, 0);       /* never taken twice, never given back untaken */
    CHECK(lp.searches > 0);        /* the searches ran, none of them under the lock */
    for (size_t i = 0; i < 5 && r.total; i++)
        CHECK(isnan(totals[i]) ? isnan(r.total[i]) : r.total[i] == totals[i]);
    cor_site_result_free(&r);

    /* TOPSIS on the raw values (cost, benefit, benefit): P3 is best on time and distance */
    o = COR_SITE_OPTS_DEFAULT;
    o.method = COR_METHOD_TOPSIS;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c, &cd, &o, &r, &err), COR_OK);
    if (r.total) {
        CHECK_INT(r.method, COR_METHOD_TOPSIS);
        CHECK_INT(r.rank[p3], 1);
        CHECK(r.total[p3] > r.total[p1] && r.total[p3] <= 1.0 && r.total[p1] >= 0.0);
    }
    cor_site_result_free(&r);

    /* a limit that every candidate fails: one line naming the first */
    const char *all_out =
        "{\"criteria\": [{\"id\": \"t\", \"kind\": \"time_to\", \"to\": \"ports\","
        " \"direction\": \"cost\", \"weight\": 1}],"
        " \"constraints\": [{\"kind\": \"limit\", \"criterion\": \"t\", \"max\": 1}]}";
    cor_site_criteria *c2 = cor_site_criteria_parse(all_out, strlen(all_out), "doc", &err);
    CHECK(c2 != NULL);
    err = COR_ERROR_INIT;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c2, &cd, NULL, &r, &err), COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "all 5 candidates are excluded");
    cor_site_result_free(&r);
    cor_site_criteria_destroy(c2);

    /* direct weights summing to 1.2: normalised, or refused under strict */
    const char *w12 =
        "{\"criteria\": [{\"id\": \"t\", \"kind\": \"time_to\", \"to\": \"ports\","
        " \"direction\": \"cost\", \"weight\": 0.9},"
        " {\"id\": \"d\", \"kind\": \"distance_to\", \"layer\": \"lakes\","
        " \"direction\": \"benefit\", \"weight\": 0.3}]}";
    c2 = cor_site_criteria_parse(w12, strlen(w12), "w12", &err);
    CHECK(c2 != NULL);
    o = COR_SITE_OPTS_DEFAULT;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c2, &cd, &o, &r, &err), COR_OK);
    CHECK_NEAR(r.weights_sum, 1.2, 1e-12);
    if (r.weight)
        CHECK_NEAR(r.weight[0], 0.75, 1e-12);
    cor_site_result_free(&r);
    o.strict = 1;
    err = COR_ERROR_INIT;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c2, &cd, &o, &r, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "w12: the weights sum to 1.2, not 1");
    cor_site_result_free(&r);
    cor_site_criteria_destroy(c2);

    /* the service's data_only: a layer that is a file path is refused */
    const char *file_layer =
        "{\"criteria\": [{\"id\": \"d\", \"kind\": \"distance_to\", \"layer\": \"/etc/hosts\","
        " \"direction\": \"cost\", \"weight\": 1}]}";
    c2 = cor_site_criteria_parse(file_layer, strlen(file_layer), "doc", &err);
    o = COR_SITE_OPTS_DEFAULT;
    o.data_only = 1;
    err = COR_ERROR_INIT;
    CHECK_INT(cor_site_evaluate(n.ds, n.e, c2, &cd, &o, &r, &err), COR_ERR_NOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "/etc/hosts: not a layer of the data");
    cor_site_result_free(&r);
    cor_site_criteria_destroy(c2);

    cor_site_candidates_free(&cd);
    cor_site_criteria_destroy(c);
    net_close(&n);
    unlink(p);
}

/* A 5 km grid over Testland (20 x 10 km): 4 x 2 cells, all inside, named by row and column. */
static void test_grid(void)
{
    const char *p = fixture();
    net n;
    CHECK(net_open(&n, p));
    if (!n.e) {
        net_close(&n);
        return;
    }
    cor_error err = COR_ERROR_INIT;
    cor_site_candidates cd;
    CHECK_INT(cor_site_candidates_grid(n.ds, n.e, 5000, "测试", 20000, 0, &cd, &err), COR_OK);
    CHECK_INT(cd.n, 8);
    CHECK_INT(cd.is_grid, 1);
    CHECK_INT(cd.grid.nx, 4);
    CHECK_INT(cd.grid.ny, 2);
    if (cd.n == 8) {
        CHECK_STR_CONTAINS(cd.label[0], "cell 0,0");
        CHECK_NEAR(cd.xy[0], 502500, 1e-6);
        CHECK_NEAR(cd.xy[1], 4302500, 1e-6);
        CHECK_STR_CONTAINS(cd.label[7], "cell 1,3");
        CHECK_NEAR(cd.xy[14], 517500, 1e-6);
        CHECK_NEAR(cd.xy[15], 4297500, 1e-6);
        CHECK(cd.anchor[0].node != COR_UNREACHABLE);
    }
    cor_site_candidates_free(&cd);
    err = COR_ERROR_INIT;
    CHECK_INT(cor_site_candidates_grid(n.ds, n.e, 5000, "Atlantis", 20000, 0, &cd, &err),
              COR_ERR_NOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "--within Atlantis: no province");
    cor_site_candidates_free(&cd);
    err = COR_ERROR_INIT;
    CHECK_INT(cor_site_candidates_grid(n.ds, n.e, 1000, "Testland", 20000, 100, &cd, &err),
              COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "has 200 cells (limit 100)");
    cor_site_candidates_free(&cd);
    net_close(&n);
    unlink(p);
}

/* Each bad document fails with the document's name, the JSON path and the problem. */
static void test_bad_documents(void)
{
    static const struct { const char *doc, *msg; } BAD[] = {
        { "[1]", "doc: the top level must be an object" },
        { "{\"colour\": 1, \"criteria\": []}", "doc: colour: unknown key" },
        { "{\"criteria\": []}", "doc: criteria: must be an array of 1 to 15 criteria" },
        { "{\"criteria\": [{\"id\": \"a\", \"kind\": \"nearby\", \"direction\": \"cost\","
          " \"weight\": 1}]}", "doc: criteria[0].kind: 'nearby' is not one of time_to" },
        { "{\"criteria\": [{\"id\": \"a\", \"kind\": \"time_to\", \"to\": \"ports\","
          " \"direction\": \"cost\", \"weight\": 1},"
          " {\"id\": \"A\", \"kind\": \"time_to\", \"to\": \"ports\", \"direction\": \"cost\","
          " \"weight\": 1}]}", "doc: criteria[1].id: 'A' may hold only a-z, 0-9 and _" },
        { "{\"criteria\": [{\"id\": \"a\", \"kind\": \"time_to\", \"to\": \"ports\","
          " \"direction\": \"cost\", \"weight\": 1,"
          " \"transform\": {\"piecewise\": [[0, 1], [\"x\", 0]]}}]}",
          "doc: criteria[0].transform.piecewise[1]: must be [x, score]" },
        { "{\"criteria\": [{\"id\": \"a\", \"kind\": \"time_to\", \"to\": \"ports\","
          " \"direction\": \"cost\", \"weight\": 1}],"
          " \"constraints\": [{\"kind\": \"limit\", \"criterion\": \"zz\", \"max\": 3}]}",
          "doc: constraints[0].criterion: 'zz' is not a criterion id" },
        { "{\"weights\": \"ahp\", \"criteria\": [{\"id\": \"a\", \"kind\": \"time_to\","
          " \"to\": \"ports\", \"direction\": \"cost\"}, {\"id\": \"b\", \"kind\": \"time_to\","
          " \"to\": \"cities\", \"direction\": \"cost\"}], \"ahp\": [[1, 3], [\"1/3\"]]}",
          "doc: ahp[1]: must be a row of 2 numbers" },
        { "{\"criteria\": [{\"id\": \"a\", \"kind\": \"time_to\", \"direction\": \"cost\","
          " \"weight\": 1}]}", "doc: criteria[0]: kind time_to needs \"to\"" },
        { "{\"criteria\": ", "doc: not JSON" },
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        cor_error err = COR_ERROR_INIT;
        cor_site_criteria *c = cor_site_criteria_parse(BAD[i].doc, strlen(BAD[i].doc), "doc",
                                                       &err);
        CHECK(c == NULL);
        CHECK(err.code == COR_ERR_CONFIG);
        CHECK_STR_CONTAINS(err.msg, BAD[i].msg);
        cor_site_criteria_destroy(c);
    }
    cor_error err = COR_ERROR_INIT;
    CHECK(cor_site_criteria_load("/nonexistent/criteria.json", &err) == NULL);
    CHECK_INT(err.code, COR_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent/criteria.json: ");
    err = COR_ERROR_INIT;
    CHECK(cor_site_criteria_from_json(NULL, "body.criteria", &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "body.criteria: required");
}

int main(void)
{
    RUN(test_bad_documents);
    RUN(test_evaluate);
    RUN(test_grid);
    return check_summary();
}
