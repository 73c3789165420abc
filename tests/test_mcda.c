/* test_mcda.c: transforms, WLC by hand, TOPSIS against an independent implementation, AHP on
 * Saaty's wealth-of-nations example and a consistent matrix, entropy weights, ranks, and the
 * reproducibility of the sensitivity analysis. */
#include "check.h"
#include "corridor/mcda.h"

#include <stdlib.h>

static void test_transforms(void)
{
    cor_error err = COR_ERROR_INIT;
    double raw[5] = { 10, 20, 30, NAN, 20 }, s[5];
    cor_transform t = { COR_TRANSFORM_LINEAR, COR_BENEFIT, 0, NULL, NULL };
    CHECK_INT(cor_transform_apply(&t, raw, 5, s, &err), COR_OK);
    CHECK_NEAR(s[0], 0, 0);
    CHECK_NEAR(s[1], 0.5, 1e-15);
    CHECK_NEAR(s[2], 1, 0);
    CHECK(isnan(s[3]));
    t.direction = COR_COST;
    cor_transform_apply(&t, raw, 5, s, &err);
    CHECK_NEAR(s[0], 1, 0);
    CHECK_NEAR(s[2], 0, 0);
    /* "full score under 30 min, zero over 120 min" */
    double x[2] = { 30, 120 }, sc[2] = { 1, 0 };
    cor_transform pw = { COR_TRANSFORM_PIECEWISE, COR_COST, 2, x, sc };
    double minutes[5] = { 10, 30, 75, 120, 200 };
    CHECK_INT(cor_transform_apply(&pw, minutes, 5, s, &err), COR_OK);
    CHECK_NEAR(s[0], 1, 0);
    CHECK_NEAR(s[1], 1, 0);
    CHECK_NEAR(s[2], 0.5, 1e-15);
    CHECK_NEAR(s[3], 0, 0);
    CHECK_NEAR(s[4], 0, 0);
    double bad_x[2] = { 120, 30 };
    cor_transform badt = { COR_TRANSFORM_PIECEWISE, COR_COST, 2, bad_x, sc };
    CHECK(cor_transform_apply(&badt, minutes, 5, s, &err) != COR_OK);
}

static void test_wlc_rank(void)
{
    double s[6] = { 1, 0, 0.5, 0.5, 0, 1 }, w[2] = { 0.7, 0.3 }, t[3];
    cor_wlc(s, 3, 2, w, t);
    CHECK_NEAR(t[0], 0.7, 1e-15);
    CHECK_NEAR(t[1], 0.5, 1e-15);
    CHECK_NEAR(t[2], 0.3, 1e-15);
    double tot[5] = { 0.5, 0.9, 0.5, 0.1, 0.95 };
    uint8_t ex[5] = { 0, 0, 0, 0, 1 };
    int r[5];
    cor_rank(tot, 5, ex, r);
    CHECK_INT(r[1], 1);
    CHECK_INT(r[0], 2);
    CHECK_INT(r[2], 2); /* a tie shares the rank */
    CHECK_INT(r[3], 4);
    CHECK_INT(r[4], 0); /* excluded */
    double wn[3] = { 2, 1, 1 };
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_weights_normalise(wn, 3, &err), COR_OK);
    CHECK_NEAR(wn[0], 0.5, 1e-15);
    double wz[2] = { 0, 0 };
    CHECK(cor_weights_normalise(wz, 2, &err) != COR_OK);
}

/* TOPSIS written out independently: normalised columns first, then ideal points. */
static void topsis_oracle(const double *x, int m, int n, const double *w, const int *cost,
                          double *c)
{
    double v[64][8], ideal[8], anti[8];
    for (int j = 0; j < n; j++) {
        double ss = 0;
        for (int i = 0; i < m; i++)
            ss += x[i * n + j] * x[i * n + j];
        for (int i = 0; i < m; i++)
            v[i][j] = w[j] * x[i * n + j] / sqrt(ss);
        ideal[j] = v[0][j];
        anti[j] = v[0][j];
        for (int i = 1; i < m; i++) {
            if ((v[i][j] > ideal[j]) != (cost[j] != 0) && v[i][j] != ideal[j])
                ideal[j] = v[i][j];
            if ((v[i][j] < anti[j]) != (cost[j] != 0) && v[i][j] != anti[j])
                anti[j] = v[i][j];
        }
    }
    for (int i = 0; i < m; i++) {
        double dp = 0, dm = 0;
        for (int j = 0; j < n; j++) {
            dp += pow(v[i][j] - ideal[j], 2);
            dm += pow(v[i][j] - anti[j], 2);
        }
        c[i] = sqrt(dm) / (sqrt(dp) + sqrt(dm));
    }
}

static void test_topsis(void)
{
    cor_error err = COR_ERROR_INIT;
    /* one criterion 1, 2, 3: closeness 0, 1/2, 1 */
    double x1[3] = { 1, 2, 3 }, w1[1] = { 1 }, c1[3];
    cor_direction d1[1] = { COR_BENEFIT };
    CHECK_INT(cor_topsis(x1, 3, 1, w1, d1, c1, &err), COR_OK);
    CHECK_NEAR(c1[0], 0, 1e-15);
    CHECK_NEAR(c1[1], 0.5, 1e-15);
    CHECK_NEAR(c1[2], 1, 1e-15);
    /* five sites, four criteria (minutes to a port: cost; parks nearby: benefit; population
     * reached: benefit; land price: cost) */
    double x[20] = { 45, 3, 2.1e6, 900, 80, 7, 5.5e6, 1500, 120, 1, 0.8e6, 400,
                     60, 4, 3.2e6, 1100, 30, 2, 1.5e6, 1300 };
    double w[4] = { 0.4, 0.2, 0.25, 0.15 }, c[5], oc[5];
    cor_direction d[4] = { COR_COST, COR_BENEFIT, COR_BENEFIT, COR_COST };
    int cost[4] = { 1, 0, 0, 1 };
    CHECK_INT(cor_topsis(x, 5, 4, w, d, c, &err), COR_OK);
    topsis_oracle(x, 5, 4, w, cost, oc);
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(c[i], oc[i], 1e-12);
}

/* Saaty (1980), relative wealth of nations: US, USSR, China, France, UK, Japan, W. Germany.
 * Published priorities .427 .230 .021 .052 .052 .123 .094 and lambda_max 7.61. */
static void test_ahp(void)
{
    const double A[49] = {
        1,       4,       9, 6,       6,       5,       5,
        1.0 / 4, 1,       7, 5,       5,       3,       4,
        1.0 / 9, 1.0 / 7, 1, 1.0 / 5, 1.0 / 5, 1.0 / 7, 1.0 / 5,
        1.0 / 6, 1.0 / 5, 5, 1,       1,       1.0 / 3, 1.0 / 3,
        1.0 / 6, 1.0 / 5, 5, 1,       1,       1.0 / 3, 1.0 / 3,
        1.0 / 5, 1.0 / 3, 7, 3,       3,       1,       2,
        1.0 / 5, 1.0 / 4, 5, 3,       3,       1.0 / 2, 1,
    };
    const double published[7] = { .427, .230, .021, .052, .052, .123, .094 };
    double w[7];
    cor_ahp_result r;
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_ahp(A, 7, w, &r, &err), COR_OK);
    for (int i = 0; i < 7; i++)
        CHECK_NEAR(w[i], published[i], 0.0025);
    CHECK_NEAR(r.lambda_max, 7.61, 0.01);
    CHECK_NEAR(r.cr, (r.lambda_max - 7) / 6 / 1.32, 1e-12);
    /* the eigen-equation itself: A w = lambda w */
    double resid = 0, sum = 0;
    for (int i = 0; i < 7; i++) {
        double aw = 0;
        for (int j = 0; j < 7; j++)
            aw += A[i * 7 + j] * w[j];
        resid = fmax(resid, fabs(aw - r.lambda_max * w[i]));
        sum += w[i];
    }
    CHECK(resid < 1e-12);
    CHECK_NEAR(sum, 1, 1e-12);
    fprintf(stderr, "   wealth of nations: lambda %.4f, CR %.4f\n", r.lambda_max, r.cr);
    /* a consistent matrix gives its weights back with CR 0 */
    const double wc[4] = { 0.4, 0.3, 0.2, 0.1 };
    double C[16], w4[4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            C[i * 4 + j] = wc[i] / wc[j];
    CHECK_INT(cor_ahp(C, 4, w4, &r, &err), COR_OK);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(w4[i], wc[i], 1e-12);
    CHECK_NEAR(r.cr, 0, 1e-12);
    CHECK_NEAR(r.lambda_max, 4, 1e-12);
    /* an inconsistent one: A > B, B > C, C > A, strongly */
    const double I[9] = { 1, 9, 1.0 / 9, 1.0 / 9, 1, 9, 9, 1.0 / 9, 1 };
    CHECK_INT(cor_ahp(I, 3, w4, &r, &err), COR_OK);
    CHECK(r.cr > 0.10);
    /* not reciprocal, not positive */
    const double NR[4] = { 1, 3, 0.5, 1 };
    err = COR_ERROR_INIT;
    CHECK(cor_ahp(NR, 2, w4, &r, &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "not reciprocal");
    const double NP[4] = { 1, -3, -1.0 / 3, 1 };
    err = COR_ERROR_INIT;
    CHECK(cor_ahp(NP, 2, w4, &r, &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "not positive");
}

static void test_entropy(void)
{
    cor_error err = COR_ERROR_INIT;
    /* a constant criterion carries no information: all weight to the other */
    double x[6] = { 1, 5, 1, 1, 1, 3 }, w[2];
    CHECK_INT(cor_entropy_weights(x, 3, 2, w, &err), COR_OK);
    CHECK_NEAR(w[0], 0, 1e-12);
    CHECK_NEAR(w[1], 1, 1e-12);
    /* by hand: column 1 = (1, 3): p = (1/4, 3/4), e1 = -(1/4 ln 1/4 + 3/4 ln 3/4) / ln 2;
     * column 2 = (2, 2): e2 = 1; column 3 = (1, 0): e3 = 0 */
    double y[6] = { 1, 2, 1, 3, 2, 0 }, v[3];
    CHECK_INT(cor_entropy_weights(y, 2, 3, v, &err), COR_OK);
    double e1 = -(0.25 * log(0.25) + 0.75 * log(0.75)) / log(2.0);
    double d1 = 1 - e1, d3 = 1.0;
    CHECK_NEAR(v[0], d1 / (d1 + d3), 1e-12);
    CHECK_NEAR(v[1], 0, 1e-12);
    CHECK_NEAR(v[2], d3 / (d1 + d3), 1e-12);
    double neg[4] = { 1, -1, 2, 2 };
    CHECK(cor_entropy_weights(neg, 2, 2, v, &err) != COR_OK);
}

static void test_sensitivity(void)
{
    cor_error err = COR_ERROR_INIT;
    double s[12] = { 1, 0, 0.9, 0.2, 0.5, 0.5, 0, 1, 0.95, 0.1, 0.6, 0.6 };
    double w[2] = { 0.6, 0.4 }, share1[6], share2[6], share0[6];
    int mn1[6], mx1[6], mn2[6], mx2[6], mn0[6], mx0[6];
    cor_direction d[2] = { COR_BENEFIT, COR_BENEFIT };
    cor_sensitivity_opts o = { 500, 0.3, 2, 42 };
    CHECK_INT(cor_sensitivity(COR_METHOD_WLC, s, 6, 2, w, d, NULL, &o, share1, mn1, mx1, &err),
              COR_OK);
    CHECK_INT(cor_sensitivity(COR_METHOD_WLC, s, 6, 2, w, d, NULL, &o, share2, mn2, mx2, &err),
              COR_OK);
    int same = 1;
    for (int i = 0; i < 6; i++)
        same &= share1[i] == share2[i] && mn1[i] == mn2[i] && mx1[i] == mx2[i];
    CHECK(same);
    /* no spread: the ranking never moves */
    o.spread = 0;
    CHECK_INT(cor_sensitivity(COR_METHOD_WLC, s, 6, 2, w, d, NULL, &o, share0, mn0, mx0, &err),
              COR_OK);
    double tot[6];
    int rank[6];
    cor_wlc(s, 6, 2, w, tot);
    cor_rank(tot, 6, NULL, rank);
    int fixed = 1;
    for (int i = 0; i < 6; i++)
        fixed &= mn0[i] == rank[i] && mx0[i] == rank[i] && share0[i] == (rank[i] <= 2 ? 1.0 : 0.0);
    CHECK(fixed);
    /* with spread, ranks vary but stay within [1, 6] and shares within [0, 1] */
    int sane = 1;
    for (int i = 0; i < 6; i++)
        sane &= mn1[i] >= 1 && mx1[i] <= 6 && mn1[i] <= mx1[i] && share1[i] >= 0 && share1[i] <= 1;
    CHECK(sane);
    o.spread = 1.5;
    CHECK(cor_sensitivity(COR_METHOD_WLC, s, 6, 2, w, d, NULL, &o, share0, mn0, mx0, &err) != COR_OK);
}

int main(void)
{
    RUN(test_transforms);
    RUN(test_wlc_rank);
    RUN(test_topsis);
    RUN(test_ahp);
    RUN(test_entropy);
    RUN(test_sensitivity);
    return check_summary();
}
