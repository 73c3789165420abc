/* test_scenario.c: scenarios (issue #8) on a hand-built network: an added rail line, a
 * closed line and station, a speed change by name and by class within a polygon change
 * known times exactly; the base graph stays as it was; bad scenarios fail with a message
 * naming the file and the JSON path. */
#include "check.h"
#include "corridor/graph_edit.h"
#include "corridor/scenario.h"
#include "testdata.h"

#include <stdlib.h>
#include <unistd.h>

static cor_dataset *g_ds;
static cor_graph *g_g;
static cor_engine *g_e;
static const char *g_path;

/* Rail "Line A" (highspeed, 250 km/h) along y = 4300000 with stations West, Mid and East
 * 100 m north of it; "Highway 1" (90 km/h) 1 km north; "Road B" (60 km/h) east to Far. */
static void setup(void)
{
    g_path = td_tmp("scenario.gpkg");
    td_feature rail[] = {
        { "LINESTRING(500000 4300000, 510000 4300000)", { "class=highspeed", "name=Line A" } },
    };
    td_feature stations[] = {
        { "POINT(500000 4300100)", { "name=West", "kind=train" } },
        { "POINT(505000 4300100)", { "name=Mid", "kind=train" } },
        { "POINT(510000 4300100)", { "name=East", "kind=train" } },
    };
    td_feature roads[] = {
        { "LINESTRING(500000 4301000, 510000 4301000)", { "class=major_highway", "name=Highway 1" } },
        { "LINESTRING(510000 4301000, 570000 4301000)", { "class=road", "name=Road B" } },
    };
    td_feature cities[] = {
        { "POINT(502000 4301100)", { "name=Town", "population=1000" } },
        { "POINT(570000 4300100)", { "name=Far", "population=500" } },
    };
    td_layer(g_path, "rail", "EPSG:4548", rail, 1);
    td_layer(g_path, "stations", "EPSG:4548", stations, 3);
    td_layer(g_path, "roads", "EPSG:4548", roads, 2);
    td_layer(g_path, "cities", "EPSG:4548", cities, 2);
    cor_error err = COR_ERROR_INIT;
    g_ds = cor_dataset_open(g_path, NULL, &err);
    g_g = g_ds ? cor_graph_build(g_ds, NULL, &err) : NULL;
    g_e = g_g ? cor_engine_create(g_g, &err) : NULL;
    if (!g_e)
        fprintf(stderr, "setup: %s\n", err.msg);
}

static cor_status lonlat(double *xy, void *user, cor_error *err)
{
    return cor_dataset_lonlat_to_xy(user, xy, 1, err);
}

/* Seconds from a to b (places) in mode on engine e; -1 when unreachable. */
static double secs(const cor_engine *e, const char *a, const char *b, cor_mode mode)
{
    cor_error err = COR_ERROR_INIT;
    cor_location la, lb;
    if (cor_engine_locate(e, a, 1000, NULL, NULL, &la, &err) != COR_OK ||
        cor_engine_locate(e, b, 1000, NULL, NULL, &lb, &err) != COR_OK) {
        fprintf(stderr, "locate: %s\n", err.msg);
        return -2;
    }
    cor_matrix_opts o = COR_MATRIX_OPTS_DEFAULT;
    o.mode = mode;
    uint32_t t;
    if (cor_matrix_compute(e, &la.anchor, 1, &lb.anchor, 1, &o, &t, NULL, &err) != COR_OK)
        return -3;
    return t == COR_UNREACHABLE ? -1 : t / 1000.0;
}

/* Applies json and returns an engine on the new graph (*g to destroy), or NULL with err. */
static cor_engine *apply(const char *json, cor_graph **g, cor_scenario_result *res,
                         cor_error *err)
{
    *g = NULL;
    cor_scenario *s = cor_scenario_parse(json, "toy.json", NULL, err);
    if (!s)
        return NULL;
    cor_scenario_opts o = COR_SCENARIO_OPTS_DEFAULT;
    o.ds = g_ds;
    o.xy_of_lonlat = lonlat;
    o.lonlat_user = g_ds;
    *g = cor_scenario_apply(s, g_e, &o, res, err);
    cor_scenario_destroy(s);
    return *g ? cor_engine_create(*g, err) : NULL;
}

static void test_base_times(void)
{
    /* access 100 m at 40 km/h (9 s), 8 km at 90 km/h (320 s), 60 km at 60 km/h (3600 s),
     * access 900 m (81 s) */
    CHECK_NEAR(secs(g_e, "Town", "Far", COR_MODE_MULTI), 4010, 1e-9);
    /* by rail: to Mid 9 + 3 km at 90 (120) + 81 = 210 s, board 900, 5 km at 250 km/h (72),
     * alight 300 */
    CHECK_NEAR(secs(g_e, "Town", "station:East", COR_MODE_RAIL), 1482, 1e-9);
}

static void test_add_rail_line(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_scenario_result res;
    cor_engine *e = apply("{\"name\":\"link\",\"edits\":[{\"type\":\"add_line\",\"name\":\"Link\","
                          "\"mode\":\"rail\",\"speed_kmh\":300,"
                          "\"places\":[\"station:East\",\"Far\"]}]}", &g, &res, &err);
    CHECK(e != NULL);
    if (!e) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    /* Town -> East station 410 s by road (9 + 320 + 81), board 900 s, 60 km at 300 km/h
     * (720 s), alight 300 s at the new station at Far, which stands at the city: 2330 s,
     * against 4010 s by road before */
    CHECK_NEAR(secs(e, "Town", "Far", COR_MODE_MULTI), 2330, 1e-9);
    CHECK_NEAR(secs(e, "Town", "Far", COR_MODE_RAIL), 2330, 1e-9);
    /* unchanged where the line does not help */
    CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_RAIL), 1482, 1e-9);
    CHECK_INT(res.n_lines, 1);
    CHECK_INT(res.n_places, 1); /* the new station at Far (East exists) */
    if (res.n_lines) {
        CHECK_INT(res.lines[0].edit, COR_EDIT_ADD);
        CHECK_INT(res.lines[0].cls, COR_CLASS_HIGHSPEED);
        CHECK_NEAR(res.lines[0].speed_kmh, 300, 0);
    }
    /* the base network still gives the old time */
    CHECK_NEAR(secs(g_e, "Town", "Far", COR_MODE_MULTI), 4010, 1e-9);
    cor_scenario_result_free(&res);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

static void test_close(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_scenario_result res;
    /* closing Mid: boarding at West instead, 9 + 2 km at 90 (80) + 81 = 170 s, board 900,
     * 10 km at 250 (144), alight 300 = 1514 s */
    cor_engine *e = apply("{\"edits\":[{\"type\":\"close\",\"station\":\"Mid\"}]}", &g, &res,
                          &err);
    CHECK(e != NULL);
    if (e) {
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_RAIL), 1514, 1e-9);
        CHECK_INT(res.stations_closed, 1);
    }
    cor_scenario_result_free(&res);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    /* closing the line: no train to East any more; by road it stays 410 s */
    e = apply("{\"edits\":[{\"type\":\"close\",\"line\":\"line a\"}]}", &g, &res, &err);
    CHECK(e != NULL);
    if (e) {
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_RAIL), -1, 0);
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_MULTI), 410, 1e-9);
        CHECK(res.n_lines >= 1 && res.lines[0].edit == COR_EDIT_CLOSE);
        CHECK(res.links_closed >= 1);
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    cor_scenario_result_free(&res);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

static void test_change_speed(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    /* Line A at 125 km/h: via Mid 210 + 900 + 5 km in 144 s + 300 = 1554 s (via West:
     * 170 + 900 + 288 + 300 = 1658 s) */
    cor_engine *e = apply("{\"edits\":[{\"type\":\"change_speed\",\"name\":\"Line A\","
                          "\"speed_kmh\":125}]}", &g, NULL, &err);
    CHECK(e != NULL);
    if (e)
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_RAIL), 1554, 1e-9);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    /* every major highway inside a polygon (around the whole network) at 45 km/h: Town ->
     * East by road 9 + 8 km in 640 s + 81 = 730 s */
    e = apply("{\"edits\":[{\"type\":\"change_speed\",\"class\":\"major_highway\","
              "\"speed_kmh\":45,\"within\":{\"type\":\"Polygon\",\"coordinates\":"
              "[[[116,38],[119,38],[119,40],[116,40],[116,38]]]}}]}", &g, NULL, &err);
    CHECK(e != NULL);
    if (e)
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_ROAD), 730, 1e-9);
    else
        fprintf(stderr, "%s\n", err.msg);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

static void test_base_unchanged(void)
{
    cor_csr c;
    cor_graph_csr(g_g, &c);
    uint32_t nn = c.n_nodes;
    uint64_t ne = c.n_edges;
    uint32_t *t = malloc(ne * sizeof *t), *h = malloc(ne * sizeof *h);
    memcpy(t, c.time_ms, ne * sizeof *t);
    memcpy(h, c.head, ne * sizeof *h);
    size_t np = cor_graph_place_count(g_g), nl = cor_graph_link_count(g_g);
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_engine *e = apply("{\"edits\":[{\"type\":\"change_speed\",\"name\":\"Line A\","
                          "\"speed_kmh\":50},{\"type\":\"close\",\"station\":\"Mid\"},"
                          "{\"type\":\"add_line\",\"mode\":\"road\",\"speed_kmh\":120,"
                          "\"places\":[\"Town\",\"Far\"]},"
                          "{\"type\":\"add_terminal\",\"role\":\"port\",\"name\":\"New Port\","
                          "\"at\":\"Far\"}]}", &g, NULL, &err);
    CHECK(e != NULL);
    if (!e)
        fprintf(stderr, "%s\n", err.msg);
    cor_csr c2;
    cor_graph_csr(g_g, &c2);
    CHECK_INT(c2.n_nodes, nn);
    CHECK_INT(c2.n_edges, ne);
    CHECK(!memcmp(c2.time_ms, t, ne * sizeof *t));
    CHECK(!memcmp(c2.head, h, ne * sizeof *h));
    CHECK_INT(cor_graph_place_count(g_g), np);
    CHECK_INT(cor_graph_link_count(g_g), nl);
    if (e) {
        cor_csr c3;
        cor_graph_csr(g, &c3);
        CHECK(c3.n_nodes > nn);
        CHECK_INT(cor_graph_place_count(g), np + 1);
        /* the new road: Town's access (9 s) is replaced by the road from Town's point:
         * 100 m to the highway node at 60 km/h (6 s)... at least faster than 4010 s */
        double t2 = secs(e, "Town", "Far", COR_MODE_ROAD);
        CHECK(t2 > 0 && t2 < 4010);
        CHECK(secs(e, "Town", "New Port", COR_MODE_MULTI) > 0);
    }
    cor_engine_destroy(e);
    cor_graph_destroy(g);
    free(t);
    free(h);
}

static void expect_error(const char *json, const char *needle, cor_status code)
{
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_scenario_result res = { 0 };
    cor_engine *e = apply(json, &g, &res, &err);
    CHECK(e == NULL && g == NULL);
    CHECK_STR_CONTAINS(err.msg, needle);
    CHECK_STR_CONTAINS(err.msg, "toy.json");
    CHECK_INT(err.code, code);
    CHECK_INT(res.n_lines, 0);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

static void test_bad_input(void)
{
    expect_error("{\"edits\":[{\"type\":\"add_line\",\"mode\":\"rail\",\"speed_kmh\":200,"
                 "\"places\":[\"Town\",\"Atlantis\"]}]}", "edits[0].places[1]", COR_ERR_INPUT);
    expect_error("{\"edits\":[{\"type\":\"add_line\",\"mode\":\"rail\",\"speed_kmh\":0,"
                 "\"places\":[\"Town\",\"Far\"]}]}", "edits[0].speed_kmh", COR_ERR_CONFIG);
    expect_error("{\"edits\":[{\"type\":\"add_line\",\"mode\":\"rail\",\"speed_kmh\":-5,"
                 "\"places\":[\"Town\",\"Far\"]}]}", "> 0", COR_ERR_CONFIG);
    expect_error("{\"edits\":[{\"type\":\"change_speed\",\"name\":\"Line A\","
                 "\"speed_kmh\":\"NaN\"}]}", "edits[0].speed_kmh", COR_ERR_CONFIG);
    expect_error("{\"edits\":[{\"type\":\"change_speed\",\"name\":\"Line Z\","
                 "\"speed_kmh\":100}]}", "no line named 'Line Z'", COR_ERR_NOTFOUND);
    expect_error("{\"edits\":[{\"type\":\"close\",\"line\":\"Line Z\"}]}",
                 "edits[0].line", COR_ERR_NOTFOUND);
    expect_error("{\"edits\":[{\"type\":\"demolish\"}]}", "unknown edit type 'demolish'",
                 COR_ERR_CONFIG);
    expect_error("{\"edits\":[{\"type\":\"add_line\",\"mode\":\"road\",\"geometry\":"
                 "{\"type\":\"LineString\",\"coordinates\":[[117,38.85],[125,38.85]]}}]}",
                 "outside the network's extent", COR_ERR_INPUT);
    expect_error("{\"edits\":[]}", "edits", COR_ERR_CONFIG);
    expect_error("{\"edits\":[{\"type\":\"add_line\",\"mode\":\"rail\",\"places\":[\"Town\",",
                 "toy.json: line", COR_ERR_CONFIG);
    /* the base still routes as before */
    CHECK_NEAR(secs(g_e, "Town", "Far", COR_MODE_MULTI), 4010, 1e-9);
}

static void test_geometry_course(void)
{
    /* a rail course as inline GeoJSON with a station at each end (the points given as
     * existing station names along it): reachable, and the line is reported */
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_scenario_result res;
    double xy[4] = { 500000, 4300100, 510000, 4300100 };
    cor_dataset_xy_to_lonlat(g_ds, xy, 2, &err);
    char json[600];
    snprintf(json, sizeof json,
             "{\"edits\":[{\"type\":\"add_line\",\"name\":\"Shuttle\",\"mode\":\"rail\","
             "\"class\":\"conventional\",\"speed_kmh\":100,\"geometry\":{\"type\":\"LineString\","
             "\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]},\"stations\":[\"station:West\","
             "\"station:East\"]}]}", xy[0], xy[1], xy[2], xy[3]);
    cor_engine *e = apply(json, &g, &res, &err);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(res.n_lines, 1);
        CHECK_INT(res.n_places, 0); /* both stations exist */
        /* Town -> West 170 s, board 900, 10 km at 100 km/h (360 s), alight 300: 1730 s; the
         * old line via Mid stays better (1482 s) */
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_RAIL), 1482, 1e-6);
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    cor_scenario_result_free(&res);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

static void test_road_crossing(void)
{
    /* a new road (60 km/h) south from (507000, 4302000) to (507000, 4300500) crosses Highway 1
     * at x = 507000, where it joins it (the highway link 505000..510000 is cut: 80 of its
     * 200 s before the cut). Town -> the road's south end: 9 + 120 + 80 + 500 m at 60 km/h
     * (30 s) = 239 s; without the junction it would go round by the north end's connector */
    cor_error err = COR_ERROR_INIT;
    cor_graph *g;
    cor_scenario_result res;
    double xy[4] = { 507000, 4302000, 507000, 4300500 };
    cor_dataset_xy_to_lonlat(g_ds, xy, 2, &err);
    char json[600];
    snprintf(json, sizeof json,
             "{\"edits\":[{\"type\":\"add_line\",\"name\":\"Spur\",\"mode\":\"road\","
             "\"class\":\"road\",\"speed_kmh\":60,\"geometry\":{\"type\":\"LineString\","
             "\"coordinates\":[[%.10f,%.10f],[%.10f,%.10f]]}},"
             "{\"type\":\"change_speed\",\"name\":\"Highway 1\",\"speed_kmh\":90}]}",
             xy[0], xy[1], xy[2], xy[3]);
    cor_engine *e = apply(json, &g, &res, &err);
    CHECK(e != NULL);
    if (e) {
        cor_location town;
        cor_anchor end;
        double snap;
        cor_engine_locate(e, "Town", 1000, NULL, NULL, &town, &err);
        CHECK(cor_engine_anchor_xy(e, 507000, 4300500, 1000, &end, &snap, &err) == COR_OK);
        CHECK_NEAR(snap, 0, 1e-3);
        cor_matrix_opts o = COR_MATRIX_OPTS_DEFAULT;
        uint32_t t = 0;
        cor_matrix_compute(e, &town.anchor, 1, &end, 1, &o, &t, NULL, &err);
        CHECK_NEAR(t / 1000.0, 239, 1e-3);
        /* the cut highway keeps its name: the speed change finds both pieces and Highway 1's
         * two other links (cut at Town's and Mid's access points), 4 in all */
        CHECK_INT(res.links_changed, 4);
        CHECK_NEAR(secs(e, "Town", "station:East", COR_MODE_ROAD), 410, 1e-3);
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    cor_scenario_result_free(&res);
    cor_engine_destroy(e);
    cor_graph_destroy(g);
}

int main(void)
{
    setup();
    CHECK(g_e != NULL);
    if (!g_e)
        return check_summary();
    RUN(test_base_times);
    RUN(test_add_rail_line);
    RUN(test_close);
    RUN(test_change_speed);
    RUN(test_base_unchanged);
    RUN(test_bad_input);
    RUN(test_geometry_course);
    RUN(test_road_crossing);
    cor_engine_destroy(g_e);
    cor_graph_destroy(g_g);
    cor_dataset_close(g_ds);
    unlink(g_path);
    return check_summary();
}
