/* mcda.h: multi-criteria decision analysis for site evaluation: transforms of raw criterion
 * values to 0-1 scores, weights (direct, AHP, entropy), weighted linear combination, TOPSIS,
 * ranks and a seeded weight-sensitivity analysis. Pure functions over plain arrays. */
#ifndef CORRIDOR_MCDA_H
#define CORRIDOR_MCDA_H

#include "corridor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COR_BENEFIT = 0, COR_COST } cor_direction;

/* A transform of one criterion's raw values to scores in [0, 1]. */
typedef enum { COR_TRANSFORM_LINEAR = 0, COR_TRANSFORM_PIECEWISE } cor_transform_kind;
typedef struct {
    cor_transform_kind kind;
    cor_direction direction;    /* linear: benefit (max -> 1) or cost (min -> 1) */
    size_t n_points;            /* piecewise: breakpoints (x ascending, score in [0, 1]) */
    const double *x, *score;    /* linearly interpolated, constant beyond the ends */
} cor_transform;

/* scores[i] from raw[i] over the n alternatives (NAN stays NAN). Linear min-max uses the
 * alternatives' own range (all equal: every score 1). */
cor_status cor_transform_apply(const cor_transform *t, const double *raw, size_t n,
                               double *scores, cor_error *err);

/* ---- weights ---------------------------------------------------------------------------- */
/* Normalises to sum 1; fails on a negative, NaN or all-zero weight vector. */
cor_status cor_weights_normalise(double *w, size_t n, cor_error *err);

/* AHP: the principal eigenvector of the n x n positive reciprocal matrix a (row-major),
 * normalised to sum 1, with lambda_max, CI = (lambda - n)/(n - 1) and CR = CI / RI (Saaty's
 * random indices; CR = 0 for n <= 2). Fails on a non-positive or non-reciprocal matrix
 * (|a_ij a_ji - 1| > 1e-6), naming the entry. */
typedef struct { double lambda_max, ci, cr; } cor_ahp_result;
cor_status cor_ahp(const double *a, size_t n, double *w, cor_ahp_result *r, cor_error *err);

/* Entropy weights of the m x n decision matrix x (m alternatives, row-major, values >= 0):
 * p_ij = x_ij / sum_i x_ij, e_j = -sum_i p_ij ln p_ij / ln m, w_j = (1 - e_j) / sum (1 - e).
 * Rows with NAN are skipped. */
cor_status cor_entropy_weights(const double *x, size_t m, size_t n, double *w, cor_error *err);

/* ---- aggregation -------------------------------------------------------------------------- */
/* Weighted linear combination of scores (m x n, in [0, 1]): total_i = sum_j w_j s_ij. */
void cor_wlc(const double *s, size_t m, size_t n, const double *w, double *total);

/* TOPSIS on raw values (m x n) with directions: vector normalisation, weighting, distances to
 * the ideal and anti-ideal alternatives, closeness C_i = S-_i / (S+_i + S-_i) in [0, 1]. */
cor_status cor_topsis(const double *x, size_t m, size_t n, const double *w,
                      const cor_direction *dir, double *closeness, cor_error *err);

/* rank[i] = 1 + the number of alternatives with a strictly higher total (ties share a rank);
 * excluded alternatives (excluded[i] != 0, or a NAN total) get rank 0. excluded may be NULL. */
void cor_rank(const double *total, size_t m, const uint8_t *excluded, int *rank);

/* ---- sensitivity -------------------------------------------------------------------------- */
typedef enum { COR_METHOD_WLC = 0, COR_METHOD_TOPSIS } cor_method;
typedef struct {
    size_t draws;               /* weight perturbations */
    double spread;              /* each weight times (1 + U(-spread, spread)), renormalised */
    size_t top_k;
    uint64_t seed;
} cor_sensitivity_opts;

/* For each alternative: the share of draws in which it ranks in the top k, and its lowest and
 * highest rank over the draws (0 for excluded ones). Reproducible for a given seed. With
 * method WLC, values are the 0-1 scores; with TOPSIS, the raw values with dir. */
cor_status cor_sensitivity(cor_method method, const double *values, size_t m, size_t n,
                           const double *w, const cor_direction *dir, const uint8_t *excluded,
                           const cor_sensitivity_opts *o, double *top_share, int *rank_min,
                           int *rank_max, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
