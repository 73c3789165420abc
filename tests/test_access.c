/* test_access.c: the accessibility measures on tiny matrices worked out by hand (nearest,
 * WATT, cumulative, Hansen exponential and power, 2SFCA), with unreachable pairs, zero
 * times, zero masses, a directed (asymmetric) matrix, and the parsing of measure names. */
#include "check.h"
#include "corridor/access.h"

#include <math.h>
#include <stdint.h>

#define INF INFINITY

/* Three origins, three facilities (minutes; O2 reaches nothing, O0 cannot reach F2):
 *        F0   F1   F2
 *   O0   10   30   inf
 *   O1    0   20   50
 *   O2  inf  inf   inf
 * mass M = (2, 1, 3). */
static const double T3[9] = { 10, 30, INF, 0, 20, 50, INF, INF, INF };
static const double M3[3] = { 2, 1, 3 };

static void test_nearest(void)
{
    cor_access_input in = { 3, 3, T3, M3, NULL, NULL };
    double m[3];
    size_t w[3];
    cor_access_nearest(&in, m, w);
    CHECK_NEAR(m[0], 10, 1e-12);
    CHECK_INT(w[0], 0);
    CHECK_NEAR(m[1], 0, 1e-12);     /* a zero time is a time, not "unreachable" */
    CHECK_INT(w[1], 0);
    CHECK(isnan(m[2]));             /* nothing reachable */
    CHECK(w[2] == SIZE_MAX);
    /* ties go to the lower index; an unreachable column never wins */
    const double t[3] = { INF, 7, 7 };
    cor_access_input in2 = { 1, 3, t, NULL, NULL, NULL };
    cor_access_nearest(&in2, m, w);
    CHECK_NEAR(m[0], 7, 1e-12);
    CHECK_INT(w[0], 1);
    /* no facilities at all */
    cor_access_input in0 = { 1, 0, t, NULL, NULL, NULL };
    cor_access_nearest(&in0, m, NULL);
    CHECK(isnan(m[0]));
}

static void test_watt(void)
{
    cor_access_input in = { 3, 3, T3, M3, NULL, NULL };
    double v[3];
    cor_access_watt(&in, v);
    /* O0: (2*10 + 1*30) / (2 + 1) = 50/3 (F2 unreachable: left out of both sums) */
    CHECK_NEAR(v[0], 50.0 / 3.0, 1e-12);
    /* O1: (2*0 + 1*20 + 3*50) / 6 = 170/6 */
    CHECK_NEAR(v[1], 170.0 / 6.0, 1e-12);
    CHECK(isnan(v[2]));
    /* without masses: the plain mean of reachable times, O0: (10 + 30)/2, O1: 70/3 */
    in.mass = NULL;
    cor_access_watt(&in, v);
    CHECK_NEAR(v[0], 20, 1e-12);
    CHECK_NEAR(v[1], 70.0 / 3.0, 1e-12);
    /* reachable facilities all of mass 0: undefined, not 0 */
    const double zero[3] = { 0, 0, 5 };
    in.mass = zero;
    cor_access_watt(&in, v);
    CHECK(isnan(v[0]));
    CHECK_NEAR(v[1], 50, 1e-12);    /* only F2 (mass 5, 50 min) counts */
}

static void test_cumulative(void)
{
    cor_access_input in = { 3, 3, T3, M3, NULL, NULL };
    double v[3];
    /* T = 20 (inclusive): O0 has F0 (10) -> 2; O1 has F0 (0) and F1 (20) -> 3; O2 -> 0 */
    cor_access_cumulative(&in, 20, v);
    CHECK_NEAR(v[0], 2, 1e-12);
    CHECK_NEAR(v[1], 3, 1e-12);
    CHECK_NEAR(v[2], 0, 1e-12);
    /* T = 5: only O1's F0 at 0 minutes */
    cor_access_cumulative(&in, 5, v);
    CHECK_NEAR(v[0], 0, 1e-12);
    CHECK_NEAR(v[1], 2, 1e-12);
    /* T = 1440: every reachable facility; the unreachable one never counts */
    cor_access_cumulative(&in, 1440, v);
    CHECK_NEAR(v[0], 3, 1e-12);
    CHECK_NEAR(v[1], 6, 1e-12);
    /* without masses it counts facilities */
    in.mass = NULL;
    cor_access_cumulative(&in, 20, v);
    CHECK_NEAR(v[1], 2, 1e-12);
}

static void test_hansen(void)
{
    cor_access_input in = { 3, 3, T3, M3, NULL, NULL };
    double v[3];
    /* exp, beta 0.1: O0 = 2 e^-1 + 1 e^-3 = 0.7357588823 + 0.0497870684 = 0.7855459507
     * O1 = 2 e^0 + 1 e^-2 + 3 e^-5 = 2 + 0.1353352832 + 0.0202138409 = 2.1555491241 */
    cor_access_hansen_exp(&in, 0.1, v);
    CHECK_NEAR(v[0], 0.7855459507, 1e-9);
    CHECK_NEAR(v[1], 2.1555491241, 1e-9);
    CHECK_NEAR(v[2], 0, 1e-15);
    /* pow, beta 2, t floored at 1 minute: O0 = 2/10^2 + 1/30^2 = 0.02 + 0.00111111 = 0.0211111
     * O1 = 2/max(0,1)^2 + 1/20^2 + 3/50^2 = 2 + 0.0025 + 0.0012 = 2.0037 */
    cor_access_hansen_pow(&in, 2, v);
    CHECK_NEAR(v[0], 0.02 + 1.0 / 900.0, 1e-12);
    CHECK_NEAR(v[1], 2.0037, 1e-12);
    CHECK_NEAR(v[2], 0, 1e-15);
    CHECK(isfinite(v[1]));          /* t = 0 does not blow up */
    /* the floor: 0.5 minutes counts as 1 minute; 1.5 minutes does not change */
    const double t[2] = { 0.5, 1.5 };
    cor_access_input in2 = { 1, 2, t, NULL, NULL, NULL };
    cor_access_hansen_pow(&in2, 1.5, v);
    CHECK_NEAR(v[0], 1.0 + pow(1.5, -1.5), 1e-12); /* 1 + 0.5443310540 */
    CHECK_NEAR(v[0], 1.5443310540, 1e-9);
}

/* 2SFCA, catchment 25 minutes, on the matrix above with supply S = (10, 20, 30) and demand
 * D = (100, 50, 1000):
 *   step 1: F0 is reached within 25 by O0 (10) and O1 (0): R0 = 10 / 150 = 0.0666667
 *           F1 by O1 only (O0 needs 30): R1 = 20 / 50 = 0.4
 *           F2 by nobody (O1 needs 50, O2's 1000 cannot reach anything): R2 = 0
 *   step 2: A0 = R0 = 0.0666667; A1 = R0 + R1 = 0.4666667; A2 = 0.
 * Check: sum_i D_i A_i = 6.666667 + 23.333333 = 30 = S0 + S1, the supply that some demand
 * reaches (2SFCA distributes exactly the reached supply). */
static void test_2sfca(void)
{
    const double S[3] = { 10, 20, 30 }, D[3] = { 100, 50, 1000 };
    cor_access_input in = { 3, 3, T3, NULL, S, D };
    double v[3];
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_access_2sfca(&in, 25, v, &err), COR_OK);
    CHECK_NEAR(v[0], 10.0 / 150.0, 1e-12);
    CHECK_NEAR(v[1], 10.0 / 150.0 + 0.4, 1e-12);
    CHECK_NEAR(v[2], 0, 1e-15);
    CHECK_NEAR(D[0] * v[0] + D[1] * v[1] + D[2] * v[2], 30, 1e-9);
    /* T = 30 is inclusive: O0 now reaches F1 too; R0 = 10/150, R1 = 20/150;
     * A0 = A1 = 30/150 = 0.2 */
    CHECK_INT(cor_access_2sfca(&in, 30, v, &err), COR_OK);
    CHECK_NEAR(v[0], 0.2, 1e-12);
    CHECK_NEAR(v[1], 0.2, 1e-12);
    /* no weights: supply 1, demand 1: T = 25, R0 = 1/2, R1 = 1/1: A0 = 0.5, A1 = 1.5 */
    cor_access_input in1 = { 3, 3, T3, NULL, NULL, NULL };
    CHECK_INT(cor_access_2sfca(&in1, 25, v, &err), COR_OK);
    CHECK_NEAR(v[0], 0.5, 1e-12);
    CHECK_NEAR(v[1], 1.5, 1e-12);
}

/* A directed matrix: two points that are both origins and facilities, P0 -> P1 in 10 min
 * but P1 -> P0 in 40 min (t[i][j] = from origin i to facility j). Catchment 30, demand
 * D = (1, 3), supply S = (6, 2).
 *   step 1 (origins k with t_kj <= 30, i.e. k -> j): F0 is reached by P0 (0) but not by P1
 *           (40): R0 = 6 / 1 = 6; F1 by P0 (10) and P1 (0): R1 = 2 / 4 = 0.5
 *   step 2 (facilities j with t_ij <= 30, i.e. i -> j): A0 = R0 + R1 = 6.5; A1 = R1 = 0.5.
 * With the transposed matrix the values would be A0 = 1.5, A1 = 1.5 + 2/3: the direction
 * matters and both steps use origin -> facility. */
static void test_directed(void)
{
    const double t[4] = { 0, 10, 40, 0 }, tt[4] = { 0, 40, 10, 0 };
    const double S[2] = { 6, 2 }, D[2] = { 1, 3 };
    cor_access_input in = { 2, 2, t, NULL, S, D };
    double v[2];
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_access_2sfca(&in, 30, v, &err), COR_OK);
    CHECK_NEAR(v[0], 6.5, 1e-12);
    CHECK_NEAR(v[1], 0.5, 1e-12);
    in.time_min = tt;
    CHECK_INT(cor_access_2sfca(&in, 30, v, &err), COR_OK);
    CHECK_NEAR(v[0], 1.5, 1e-12);
    CHECK_NEAR(v[1], 1.5 + 2.0 / 3.0, 1e-12);
    /* cumulative and nearest read rows (origin -> facility) too */
    in.time_min = t;
    cor_access_cumulative(&in, 30, v);
    CHECK_NEAR(v[0], 2, 1e-12);
    CHECK_NEAR(v[1], 1, 1e-12);
}

static void test_compute_dispatch(void)
{
    const double S[3] = { 10, 20, 30 }, D[3] = { 100, 50, 1000 };
    cor_access_input in = { 3, 3, T3, M3, S, D };
    cor_access_measure m;
    cor_error err = COR_ERROR_INIT;
    double v[3];
    size_t w[3];
    CHECK_INT(cor_access_parse("2sfca:25", &m, &err), COR_OK);
    CHECK_INT(cor_access_compute(&in, &m, v, NULL, &err), COR_OK);
    CHECK_NEAR(v[1], 10.0 / 150.0 + 0.4, 1e-12);
    CHECK_INT(cor_access_parse("nearest", &m, &err), COR_OK);
    CHECK_INT(cor_access_compute(&in, &m, v, w, &err), COR_OK);
    CHECK_INT(w[0], 0);
    CHECK_INT(cor_access_parse("hansen:pow:2", &m, &err), COR_OK);
    CHECK_INT(cor_access_compute(&in, &m, v, NULL, &err), COR_OK);
    CHECK_NEAR(v[1], 2.0037, 1e-12);
    CHECK_INT(cor_access_parse("watt", &m, &err), COR_OK);
    CHECK_INT(cor_access_compute(&in, &m, v, NULL, &err), COR_OK);
    CHECK_NEAR(v[0], 50.0 / 3.0, 1e-12);
    /* negative or NaN weights are refused, naming them */
    const double bad[3] = { 1, -2, 1 };
    in.mass = bad;
    CHECK_INT(cor_access_compute(&in, &m, v, NULL, &err), COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "mass of facility 1");
    err = COR_ERROR_INIT;
    const double nan_d[3] = { 1, 1, NAN };
    in.mass = M3;
    in.demand = nan_d;
    CHECK_INT(cor_access_compute(&in, &m, v, NULL, &err), COR_ERR_INPUT);
    CHECK_STR_CONTAINS(err.msg, "demand of origin 2");
}

static void parse_ok(const char *spec, cor_access_kind kind, double param, const char *column)
{
    cor_access_measure m;
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse(spec, &m, &err), COR_OK);
    CHECK_INT(m.kind, kind);
    CHECK_NEAR(m.param, param, 1e-12);
    CHECK_STR_CONTAINS(m.column, column);
    CHECK_INT(strlen(m.column), strlen(column));
}

static void parse_bad(const char *spec, const char *msg)
{
    cor_access_measure m;
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse(spec, &m, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, msg);
}

static void test_parse(void)
{
    parse_ok("nearest", COR_ACCESS_NEAREST, 0, "nearest_min");
    parse_ok("watt", COR_ACCESS_WATT, 0, "watt_min");
    parse_ok("cum:60", COR_ACCESS_CUM, 60, "cum_60");
    parse_ok("cum:60.0", COR_ACCESS_CUM, 60, "cum_60");
    parse_ok("cum:7.5", COR_ACCESS_CUM, 7.5, "cum_7_5");
    parse_ok("cum:1440", COR_ACCESS_CUM, 1440, "cum_1440");
    parse_ok("hansen:exp:0.02", COR_ACCESS_HANSEN_EXP, 0.02, "hansen_exp_0_02");
    parse_ok("hansen:pow:1.5", COR_ACCESS_HANSEN_POW, 1.5, "hansen_pow_1_5");
    parse_ok("hansen:exp:1e-5", COR_ACCESS_HANSEN_EXP, 1e-5, "hansen_exp_1e_05");
    parse_ok("2sfca:60", COR_ACCESS_2SFCA, 60, "a_2sfca_60");
    parse_bad("foo", "unknown measure 'foo'");
    parse_bad("Nearest", "unknown measure 'Nearest'");
    parse_bad("nearest:5", "takes no parameter");
    parse_bad("cum", "needs a time in minutes");
    parse_bad("cum:", "'' is not a time");
    parse_bad("cum:abc", "'abc' is not a time");
    parse_bad("cum:0", "'0' is not a time");
    parse_bad("cum:-5", "'-5' is not a time");
    parse_bad("cum:1441", "'1441' is not a time");
    parse_bad("cum:nan", "'nan' is not a time");
    parse_bad("cum:60:1", "takes one parameter");
    parse_bad("2sfca", "needs a time");
    parse_bad("hansen", "hansen needs a decay");
    parse_bad("hansen:lin:1", "hansen needs a decay");
    parse_bad("hansen:exp", "needs BETA");
    parse_bad("hansen:exp:0", "'0' is not a decay parameter");
    parse_bad("hansen:pow:-1.5", "'-1.5' is not a decay parameter");
    parse_bad("hansen:exp:0.02:1", "'0.02:1' is not a decay parameter");
    parse_bad("hansen:pow:inf", "'inf' is not a decay parameter");

    cor_access_measure ms[8];
    size_t n = 0;
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse_list("nearest,watt,cum:120,hansen:exp:0.02,2sfca:120", ms, 8, &n,
                                    &err), COR_OK);
    CHECK_INT(n, 5);
    CHECK_STR_CONTAINS(ms[4].column, "a_2sfca_120");
    CHECK_INT(cor_access_parse_list("nearest,,watt", ms, 8, &n, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "empty measure");
    err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse_list("cum:60,cum:60.0", ms, 8, &n, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "'cum:60.0' given twice");
    err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse_list("nearest,bogus:1", ms, 8, &n, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "unknown measure 'bogus:1'");
    err = COR_ERROR_INIT;
    CHECK_INT(cor_access_parse_list("cum:1,cum:2,cum:3", ms, 2, &n, &err), COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "too many");
}

int main(void)
{
    RUN(test_nearest);
    RUN(test_watt);
    RUN(test_cumulative);
    RUN(test_hansen);
    RUN(test_2sfca);
    RUN(test_directed);
    RUN(test_compute_dispatch);
    RUN(test_parse);
    return check_summary();
}
