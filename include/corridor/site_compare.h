/* site_compare.h: one site evaluation (corridor/site.h) on two networks, a base and a scenario
 * (corridor/scenario.h), and what changed per candidate: totals and ranks before and after,
 * the rank change, exclusions, and the criterion whose raw value changed most. Used by
 * `corridor scenario --sites`. */
#ifndef CORRIDOR_SITE_COMPARE_H
#define CORRIDOR_SITE_COMPARE_H

#include "corridor/site.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The comparison of m candidates on n criteria. Arrays are owned by the record. */
typedef struct {
    size_t m, n;
    cor_site_result before, after;  /* the two evaluations (raw, total, rank, reason, ...) */
    int *rank_change;       /* m: rank before - rank after (> 0: moved up); 0 when excluded
                             * before or after (see in_both) */
    uint8_t *in_both;       /* m: 1 when ranked (not excluded) before and after */
    int *most_changed;      /* m: the criterion whose raw value changed most (relative to its
                             * value before; a value appearing or vanishing counts most), -1
                             * when no raw value changed */
    size_t n_changed;       /* candidates with at least one raw value changed */
    size_t *up, n_up;       /* candidates in both that moved up, the largest rise first (then
                             * by rank after) */
    size_t *down, n_down;   /* candidates in both that moved down, the largest fall first */
} cor_site_delta;

/* Evaluates the criteria c on the candidates cd with the engine before and then with after
 * (cor_site_evaluate(), options o for both), and compares them. The candidates' anchors must
 * be valid on both graphs (a scenario graph keeps its base graph's node ids). o->progress, if
 * any, sees the first evaluation as 0-0.5 and the second as 0.5-1. ds is read (one
 * caller at a time). Fails as cor_site_evaluate() does, the message prefixed with "before: "
 * or "after: ". Free out with cor_site_delta_free() (also after a failure). */
cor_status cor_site_compare(cor_dataset *ds, const cor_engine *before, const cor_engine *after,
                            const cor_site_criteria *c, const cor_site_candidates *cd,
                            const cor_site_opts *o, cor_site_delta *out, cor_error *err);
void cor_site_delta_free(cor_site_delta *d);               /* accepts a zeroed record */

/* How much raw value b (before) changed to a (after), relative to |b|: 0 when equal (both
 * NAN included), INFINITY when one is NAN or b is 0 and a is not. */
double cor_site_raw_change(double b, double a);

#ifdef __cplusplus
}
#endif
#endif
