/* mcda.c: transforms, weights (AHP by power iteration, entropy), WLC, TOPSIS, ranks and the
 * seeded weight-sensitivity analysis. */
#include "corridor/mcda.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cor_status cor_transform_apply(const cor_transform *t, const double *raw, size_t n,
                               double *scores, cor_error *err)
{
    if (t->kind == COR_TRANSFORM_LINEAR) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (!isnan(raw[i])) {
                lo = fmin(lo, raw[i]);
                hi = fmax(hi, raw[i]);
            }
        for (size_t i = 0; i < n; i++) {
            if (isnan(raw[i]))
                scores[i] = NAN;
            else if (!(hi > lo))
                scores[i] = 1.0;
            else
                scores[i] = t->direction == COR_BENEFIT ? (raw[i] - lo) / (hi - lo)
                                                        : (hi - raw[i]) / (hi - lo);
        }
        return COR_OK;
    }
    if (t->n_points < 1)
        return cor_error_set(err, COR_ERR_CONFIG, "a piecewise transform needs breakpoints");
    for (size_t k = 0; k < t->n_points; k++) {
        if (!isfinite(t->x[k]) || !(t->score[k] >= 0 && t->score[k] <= 1))
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "breakpoint %zu: score %g must be in [0, 1]", k + 1,
                                 t->score[k]);
        if (k && !(t->x[k] > t->x[k - 1]))
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "breakpoint %zu: x %g must be greater than the one before",
                                 k + 1, t->x[k]);
    }
    for (size_t i = 0; i < n; i++) {
        double v = raw[i];
        if (isnan(v)) {
            scores[i] = NAN;
            continue;
        }
        if (v <= t->x[0]) {
            scores[i] = t->score[0];
            continue;
        }
        size_t k = 1;
        while (k < t->n_points && v > t->x[k])
            k++;
        if (k == t->n_points) {
            scores[i] = t->score[t->n_points - 1];
            continue;
        }
        double f = (v - t->x[k - 1]) / (t->x[k] - t->x[k - 1]);
        scores[i] = t->score[k - 1] + f * (t->score[k] - t->score[k - 1]);
    }
    return COR_OK;
}

cor_status cor_weights_normalise(double *w, size_t n, cor_error *err)
{
    double s = 0;
    for (size_t j = 0; j < n; j++) {
        if (!(w[j] >= 0) || !isfinite(w[j]))
            return cor_error_set(err, COR_ERR_CONFIG, "weight %zu (%g) is not a number >= 0",
                                 j + 1, w[j]);
        s += w[j];
    }
    if (!(s > 0))
        return cor_error_set(err, COR_ERR_CONFIG, "the weights are all zero");
    for (size_t j = 0; j < n; j++)
        w[j] /= s;
    return COR_OK;
}

/* Saaty's random consistency indices for n = 1..15. */
static const double RANDOM_INDEX[16] = { 0,    0,    0,    0.58, 0.90, 1.12, 1.24, 1.32,
                                         1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59 };

cor_status cor_ahp(const double *a, size_t n, double *w, cor_ahp_result *r, cor_error *err)
{
    if (n < 1 || n > 15)
        return cor_error_set(err, COR_ERR_CONFIG, "an AHP matrix must be 1 to 15 criteria, not %zu",
                             n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = a[i * n + j];
            if (!(v > 0) || !isfinite(v))
                return cor_error_set(err, COR_ERR_CONFIG,
                                     "pairwise matrix entry [%zu][%zu] = %g is not positive",
                                     i + 1, j + 1, v);
            if (fabs(v * a[j * n + i] - 1.0) > 1e-6)
                return cor_error_set(err, COR_ERR_CONFIG,
                                     "pairwise matrix is not reciprocal: [%zu][%zu] = %g but "
                                     "[%zu][%zu] = %g", i + 1, j + 1, v, j + 1, i + 1,
                                     a[j * n + i]);
        }
    /* power iteration from the row geometric means; a positive matrix has a unique positive
     * principal eigenvector (Perron-Frobenius) and the iteration converges to it */
    double *v = malloc(n * sizeof *v), *nv = malloc(n * sizeof *nv);
    if (!v || !nv) {
        free(v);
        free(nv);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        double g = 0;
        for (size_t j = 0; j < n; j++)
            g += log(a[i * n + j]);
        v[i] = exp(g / (double)n);
    }
    double lambda = n;
    for (int it = 0; it < 1000; it++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            nv[i] = 0;
            for (size_t j = 0; j < n; j++)
                nv[i] += a[i * n + j] * v[j];
            s += nv[i];
        }
        double vs = 0, diff = 0;
        for (size_t i = 0; i < n; i++)
            vs += v[i];
        lambda = s / vs; /* sum(Av) / sum(v) */
        for (size_t i = 0; i < n; i++) {
            nv[i] /= s;
            diff = fmax(diff, fabs(nv[i] - v[i] / vs));
        }
        memcpy(v, nv, n * sizeof *v);
        if (diff < 1e-15)
            break;
    }
    for (size_t i = 0; i < n; i++)
        w[i] = v[i];
    free(v);
    free(nv);
    if (r) {
        r->lambda_max = lambda;
        r->ci = n > 1 ? (lambda - (double)n) / (double)(n - 1) : 0;
        r->cr = n > 2 ? r->ci / RANDOM_INDEX[n] : 0;
        if (fabs(r->ci) < 1e-12)
            r->ci = r->cr = 0;
    }
    return COR_OK;
}

cor_status cor_entropy_weights(const double *x, size_t m, size_t n, double *w, cor_error *err)
{
    size_t rows = 0;
    for (size_t i = 0; i < m; i++) {
        int ok = 1;
        for (size_t j = 0; j < n; j++)
            ok &= !isnan(x[i * n + j]);
        rows += (size_t)ok;
    }
    if (rows < 2)
        return cor_error_set(err, COR_ERR_INPUT, "the entropy method needs two alternatives");
    double dsum = 0;
    for (size_t j = 0; j < n; j++) {
        double col = 0;
        for (size_t i = 0; i < m; i++) {
            double v = x[i * n + j];
            int ok = 1;
            for (size_t k = 0; k < n; k++)
                ok &= !isnan(x[i * n + k]);
            if (!ok)
                continue;
            if (v < 0)
                return cor_error_set(err, COR_ERR_INPUT,
                                     "criterion %zu has a negative value (%g): the entropy "
                                     "method needs values >= 0", j + 1, v);
            col += v;
        }
        double e = 1.0; /* an all-zero column carries no information */
        if (col > 0) {
            double h = 0;
            for (size_t i = 0; i < m; i++) {
                int ok = 1;
                for (size_t k = 0; k < n; k++)
                    ok &= !isnan(x[i * n + k]);
                double p = ok ? x[i * n + j] / col : 0;
                if (p > 0)
                    h -= p * log(p);
            }
            e = h / log((double)rows);
        }
        w[j] = 1.0 - e;
        dsum += w[j];
    }
    if (!(dsum > 1e-15))
        return cor_error_set(err, COR_ERR_INPUT,
                             "no criterion varies between the alternatives: entropy weights "
                             "are undefined");
    for (size_t j = 0; j < n; j++)
        w[j] /= dsum;
    return COR_OK;
}

void cor_wlc(const double *s, size_t m, size_t n, const double *w, double *total)
{
    for (size_t i = 0; i < m; i++) {
        double t = 0;
        for (size_t j = 0; j < n; j++)
            t += w[j] * s[i * n + j];
        total[i] = t;
    }
}

cor_status cor_topsis(const double *x, size_t m, size_t n, const double *w,
                      const cor_direction *dir, double *closeness, cor_error *err)
{
    double *norm = calloc(n, sizeof *norm), *best = malloc(n * sizeof *best),
           *worst = malloc(n * sizeof *worst);
    if (!norm || !best || !worst) {
        free(norm);
        free(best);
        free(worst);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            if (!isnan(x[i * n + j]))
                norm[j] += x[i * n + j] * x[i * n + j];
    for (size_t j = 0; j < n; j++) {
        norm[j] = sqrt(norm[j]);
        best[j] = -INFINITY;
        worst[j] = INFINITY;
        for (size_t i = 0; i < m; i++) {
            double v = x[i * n + j];
            if (isnan(v))
                continue;
            v = norm[j] > 0 ? w[j] * v / norm[j] : 0;
            best[j] = fmax(best[j], v);
            worst[j] = fmin(worst[j], v);
        }
        if (dir[j] == COR_COST) {
            double t = best[j];
            best[j] = worst[j];
            worst[j] = t;
        }
    }
    for (size_t i = 0; i < m; i++) {
        double sp = 0, sm = 0;
        int nan = 0;
        for (size_t j = 0; j < n; j++) {
            double v = x[i * n + j];
            nan |= isnan(v);
            v = norm[j] > 0 ? w[j] * v / norm[j] : 0;
            sp += (v - best[j]) * (v - best[j]);
            sm += (v - worst[j]) * (v - worst[j]);
        }
        sp = sqrt(sp);
        sm = sqrt(sm);
        closeness[i] = nan ? NAN : sp + sm > 0 ? sm / (sp + sm) : 1.0;
    }
    free(norm);
    free(best);
    free(worst);
    return COR_OK;
}

typedef struct { double v; size_t i; } rank_item;
static int cmp_rank_item(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    return x->v > y->v ? -1 : x->v < y->v ? 1 : (x->i > y->i) - (x->i < y->i);
}

void cor_rank(const double *total, size_t m, const uint8_t *excluded, int *rank)
{
    rank_item *it = malloc((m + 1) * sizeof *it);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        rank[i] = 0;
        if (!(excluded && excluded[i]) && !isnan(total[i]) && it)
            it[k++] = (rank_item){ total[i], i };
    }
    if (!it) { /* no memory: the quadratic count needs none */
        for (size_t i = 0; i < m; i++) {
            if ((excluded && excluded[i]) || isnan(total[i]))
                continue;
            int r = 1;
            for (size_t q = 0; q < m; q++)
                r += q != i && !(excluded && excluded[q]) && !isnan(total[q]) && total[q] > total[i];
            rank[i] = r;
        }
        return;
    }
    qsort(it, k, sizeof *it, cmp_rank_item);
    for (size_t q = 0; q < k; q++) /* ties share the rank of the first of them */
        rank[it[q].i] = q > 0 && it[q].v == it[q - 1].v ? rank[it[q - 1].i] : (int)q + 1;
    free(it);
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

cor_status cor_sensitivity(cor_method method, const double *values, size_t m, size_t n,
                           const double *w, const cor_direction *dir, const uint8_t *excluded,
                           const cor_sensitivity_opts *o, double *top_share, int *rank_min,
                           int *rank_max, cor_error *err)
{
    if (!(o->spread >= 0) || o->spread >= 1)
        return cor_error_set(err, COR_ERR_CONFIG, "sensitivity spread %g must be in [0, 1)",
                             o->spread);
    double *pw = malloc(n * sizeof *pw), *total = malloc(m * sizeof *total);
    int *rank = malloc(m * sizeof *rank);
    size_t *top = calloc(m, sizeof *top);
    if (!pw || !total || !rank || !top) {
        free(pw);
        free(total);
        free(rank);
        free(top);
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        rank_min[i] = 0;
        rank_max[i] = 0;
    }
    uint64_t state = o->seed;
    cor_status rc = COR_OK;
    for (size_t d = 0; rc == COR_OK && d < o->draws; d++) {
        for (size_t j = 0; j < n; j++) {
            double u = (double)(splitmix64(&state) >> 11) * 0x1.0p-53; /* [0, 1) */
            pw[j] = w[j] * (1.0 + o->spread * (2.0 * u - 1.0));
        }
        if ((rc = cor_weights_normalise(pw, n, err)) != COR_OK)
            break;
        if (method == COR_METHOD_WLC)
            cor_wlc(values, m, n, pw, total);
        else if ((rc = cor_topsis(values, m, n, pw, dir, total, err)) != COR_OK)
            break;
        cor_rank(total, m, excluded, rank);
        for (size_t i = 0; i < m; i++) {
            if (!rank[i])
                continue;
            top[i] += (size_t)rank[i] <= o->top_k;
            if (!rank_min[i] || rank[i] < rank_min[i])
                rank_min[i] = rank[i];
            if (rank[i] > rank_max[i])
                rank_max[i] = rank[i];
        }
    }
    for (size_t i = 0; i < m; i++)
        top_share[i] = o->draws ? (double)top[i] / (double)o->draws : NAN;
    free(pw);
    free(total);
    free(rank);
    free(top);
    return rc;
}
