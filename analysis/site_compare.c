/* site_compare.c: a site evaluation on a base network and on a scenario network, and the
 * change per candidate (ranks, exclusions, the criterion that changed most). Can fail only
 * as cor_site_evaluate() does, or when out of memory. */
#include "corridor/site_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cor_site_delta_free(cor_site_delta *d)
{
    cor_site_result_free(&d->before);
    cor_site_result_free(&d->after);
    free(d->rank_change);
    free(d->in_both);
    free(d->most_changed);
    free(d->up);
    free(d->down);
    memset(d, 0, sizeof *d);
}

double cor_site_raw_change(double b, double a)
{
    if (isnan(b) || isnan(a))
        return isnan(b) && isnan(a) ? 0 : INFINITY;
    if (a == b)
        return 0;
    return b == 0 ? INFINITY : fabs(a - b) / fabs(b);
}

/* A mover with its sort keys: the size of its rank change, then its rank after. */
typedef struct { size_t i; int change, rank_after; } mover;
static int cmp_mover(const void *x, const void *y)
{
    const mover *a = x, *b = y;
    int ca = abs(a->change), cb = abs(b->change);
    if (ca != cb)
        return ca < cb ? 1 : -1;
    if (a->rank_after != b->rank_after)
        return a->rank_after < b->rank_after ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Orders the movers list (indices into d) by the size of their change. */
static int sort_movers(const cor_site_delta *d, size_t *list, size_t n)
{
    mover *mv = malloc((n + 1) * sizeof *mv);
    if (!mv)
        return 0;
    for (size_t k = 0; k < n; k++)
        mv[k] = (mover){ list[k], d->rank_change[list[k]], d->after.rank[list[k]] };
    qsort(mv, n, sizeof *mv, cmp_mover);
    for (size_t k = 0; k < n; k++)
        list[k] = mv[k].i;
    free(mv);
    return 1;
}

/* The caller's progress over both evaluations: the first reports 0-0.5, the second 0.5-1. */
typedef struct { cor_progress_fn fn; void *user; int second; } halves;
static int half_progress(double fraction, const char *msg, void *user)
{
    const halves *h = user;
    return h->fn(0.5 * (h->second + fraction), msg, h->user);
}

cor_status cor_site_compare(cor_dataset *ds, const cor_engine *before, const cor_engine *after,
                            const cor_site_criteria *c, const cor_site_candidates *cd,
                            const cor_site_opts *o, cor_site_delta *d, cor_error *err)
{
    memset(d, 0, sizeof *d);
    cor_site_opts so = o ? *o : COR_SITE_OPTS_DEFAULT;
    halves h = { so.progress, so.progress_user, 0 };
    if (so.progress) {
        so.progress = half_progress;
        so.progress_user = &h;
    }
    cor_error le = COR_ERROR_INIT;
    if (cor_site_evaluate(ds, before, c, cd, &so, &d->before, &le) != COR_OK)
        return cor_error_set(err, le.code, "before: %s", le.msg);
    h.second = 1;
    if (cor_site_evaluate(ds, after, c, cd, &so, &d->after, &le) != COR_OK)
        return cor_error_set(err, le.code, "after: %s", le.msg);
    size_t m = cd->n, n = cor_site_criteria_count(c);
    d->m = m;
    d->n = n;
    d->rank_change = calloc(m + 1, sizeof *d->rank_change);
    d->in_both = calloc(m + 1, sizeof *d->in_both);
    d->most_changed = malloc((m + 1) * sizeof *d->most_changed);
    d->up = malloc((m + 1) * sizeof *d->up);
    d->down = malloc((m + 1) * sizeof *d->down);
    if (!d->rank_change || !d->in_both || !d->most_changed || !d->up || !d->down)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory comparing %zu sites", m);
    for (size_t i = 0; i < m; i++) {
        int rb = d->before.rank[i], ra = d->after.rank[i];
        d->in_both[i] = rb > 0 && ra > 0;
        d->rank_change[i] = d->in_both[i] ? rb - ra : 0;
        if (d->rank_change[i] > 0)
            d->up[d->n_up++] = i;
        else if (d->rank_change[i] < 0)
            d->down[d->n_down++] = i;
        double best = 0;
        d->most_changed[i] = -1;
        for (size_t j = 0; j < n; j++) {
            double ch = cor_site_raw_change(d->before.raw[i * n + j], d->after.raw[i * n + j]);
            if (ch > best) {
                best = ch;
                d->most_changed[i] = (int)j;
            }
        }
        d->n_changed += d->most_changed[i] >= 0;
    }
    if (!sort_movers(d, d->up, d->n_up) || !sort_movers(d, d->down, d->n_down))
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory comparing %zu sites", m);
    return COR_OK;
}
