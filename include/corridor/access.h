/* access.h: accessibility measures over a matrix of travel times from origins to facilities:
 * the nearest facility, the weighted average travel time, cumulative opportunities, Hansen
 * gravity (exponential and power decay) and the two-step floating catchment area (2SFCA).
 * Pure functions over arrays: no graph, no I/O (the command is `corridor access`). */
#ifndef CORRIDOR_ACCESS_H
#define CORRIDOR_ACCESS_H

#include "corridor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    COR_ACCESS_NEAREST = 0,     /* minutes to the nearest reachable facility, and which */
    COR_ACCESS_WATT,            /* sum_j M_j t_ij / sum_j M_j over the reachable facilities */
    COR_ACCESS_CUM,             /* sum_j M_j over t_ij <= T (param T, minutes) */
    COR_ACCESS_HANSEN_EXP,      /* sum_j M_j exp(-beta t_ij) (param beta, per minute) */
    COR_ACCESS_HANSEN_POW,      /* sum_j M_j max(t_ij, 1 min)^-beta (param beta) */
    COR_ACCESS_2SFCA,           /* two-step floating catchment with catchment T (param T) */
    COR_ACCESS_KIND_COUNT
} cor_access_kind;

/* The power decay floors times at this many minutes, so that a facility at the origin
 * (t = 0) counts its mass once instead of infinitely often. */
#define COR_ACCESS_POW_FLOOR_MIN 1.0
/* Catchments and cumulative windows (T) are limited to a day. */
#define COR_ACCESS_MAX_MINUTES 1440.0

/* One measure as asked for on the command line, with its output column name: "nearest"
 * (columns nearest_min and nearest_name), "watt" (watt_min), "cum:60" (cum_60),
 * "hansen:exp:0.02" (hansen_exp_0_02), "hansen:pow:1.5" (hansen_pow_1_5), "2sfca:60"
 * (a_2sfca_60). Column names hold only [a-z0-9_] and start with a letter. */
typedef struct {
    cor_access_kind kind;
    double param;               /* T in minutes (cum, 2sfca) or beta (hansen); 0 otherwise */
    char column[48];
} cor_access_measure;

/* Parses one measure. Fails (COR_ERR_CONFIG, naming spec) on an unknown measure, a missing,
 * extra or malformed parameter, T outside (0, 1440] minutes or beta not a finite number > 0. */
cor_status cor_access_parse(const char *spec, cor_access_measure *out, cor_error *err);
/* Parses a comma-separated list into out (at most cap); also fails on an empty item and on a
 * measure given twice (same column). */
cor_status cor_access_parse_list(const char *list, cor_access_measure *out, size_t cap,
                                 size_t *n, cor_error *err);

/* The inputs of every measure. time_min[i * n_facilities + j] is the travel time in minutes
 * from origin i to facility j; any value that is not finite (INFINITY) means unreachable.
 * Weights are per facility (mass M_j, supply S_j) or per origin (demand D_i); NULL means 1
 * for every element. Weights must be finite and >= 0. */
typedef struct {
    size_t n_origins, n_facilities;
    const double *time_min;
    const double *mass;         /* M_j: opportunities at facility j (watt, cum, hansen) */
    const double *supply;       /* S_j: supply at facility j (2sfca) */
    const double *demand;       /* D_i: demand at origin i (2sfca) */
} cor_access_input;

/* Minutes from each origin to its nearest reachable facility (NAN when none) and that
 * facility's index (SIZE_MAX when none; which may be NULL). Ties go to the lower index. */
void cor_access_nearest(const cor_access_input *in, double *minutes, size_t *which);
/* Weighted average travel time; NAN when no reachable facility has a positive mass. */
void cor_access_watt(const cor_access_input *in, double *out);
/* Cumulative opportunities: sum of M_j over facilities with t_ij <= t_max_min (0 when none). */
void cor_access_cumulative(const cor_access_input *in, double t_max_min, double *out);
/* Hansen gravity: sum of M_j exp(-beta t_ij) over reachable facilities (t = 0 gives M_j). */
void cor_access_hansen_exp(const cor_access_input *in, double beta, double *out);
/* Hansen gravity: sum of M_j max(t_ij, COR_ACCESS_POW_FLOOR_MIN)^-beta. */
void cor_access_hansen_pow(const cor_access_input *in, double beta, double *out);
/* 2SFCA with catchment t_max_min (Luo & Wang 2003). Both steps use the same origin ->
 * facility times: step 1 gives each facility R_j = S_j / sum of D_k over the origins k with
 * t_kj <= T (the demand that can travel to j within T; R_j = 0 when that demand is 0), step
 * 2 gives each origin A_i = sum of R_j over the facilities with t_ij <= T. Fails only when
 * out of memory. */
cor_status cor_access_2sfca(const cor_access_input *in, double t_max_min, double *out,
                            cor_error *err);

/* Computes measure m for every origin into out (n_origins values); for nearest, which (may
 * be NULL) receives the facility index. Fails on weights that are negative or not finite
 * (naming the first) and when out of memory. */
cor_status cor_access_compute(const cor_access_input *in, const cor_access_measure *m,
                              double *out, size_t *which, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
