/* cli_points.c: origins and destinations for the commands (the loader is the library's
 * cor_points_load(), see corridor/points.h), printing its errors, and the matrix between two
 * such sets. */
#include "cli_points.h"

#include <math.h>
#include <stdlib.h>

int cli_points_load(const cli_ctx *c, const cli_net *net, const char *spec,
                    const cli_points_opts *o, cli_points *out)
{
    cor_logger lg = cli_logger(c);
    cor_error err = COR_ERROR_INIT;
    if (cor_points_load(net->ds, net->e, spec, o, &lg, out, &err) != COR_OK)
        return cli_fail(c, &err);
    return EXIT_OK;
}

void cli_points_free(cli_points *p) { cor_points_free(p); }

int cli_points_matrix(const cli_ctx *c, const cli_net *net, const cli_points *from,
                      const cli_points *to, const cor_matrix_opts *o, uint32_t *times,
                      float *lengths)
{
    size_t nf = 0, nt = 0;
    size_t *fi = malloc((from->n + 1) * sizeof *fi), *ti = malloc((to->n + 1) * sizeof *ti);
    cor_anchor *fa = malloc((from->n + 1) * sizeof *fa), *ta = malloc((to->n + 1) * sizeof *ta);
    uint32_t *t = NULL;
    float *l = NULL;
    int rc = EXIT_FAIL;
    cor_error err = COR_ERROR_INIT;
    if (!fi || !ti || !fa || !ta) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory for the matrix");
        goto done;
    }
    for (size_t i = 0; i < from->n; i++)
        if (from->items[i].anchor.node != COR_UNREACHABLE) {
            fi[nf] = i;
            fa[nf++] = from->items[i].anchor;
        }
    for (size_t j = 0; j < to->n; j++)
        if (to->items[j].anchor.node != COR_UNREACHABLE) {
            ti[nt] = j;
            ta[nt++] = to->items[j].anchor;
        }
    for (size_t k = 0; k < from->n * to->n; k++) {
        times[k] = COR_UNREACHABLE;
        if (lengths)
            lengths[k] = NAN;
    }
    if (nf && nt) {
        t = malloc(nf * nt * sizeof *t);
        l = lengths ? malloc(nf * nt * sizeof *l) : NULL;
        if (!t || (lengths && !l)) {
            cor_error_set(&err, COR_ERR_NOMEM, "out of memory for a %zu x %zu matrix", nf, nt);
            goto done;
        }
        if (cor_matrix_compute(net->e, fa, nf, ta, nt, o, t, l, &err) != COR_OK)
            goto done;
        uint32_t max_ms = o ? o->max_ms : COR_UNREACHABLE;
        for (size_t i = 0; i < nf; i++)
            for (size_t j = 0; j < nt; j++) {
                uint32_t v = t[i * nt + j];
                /* the search limit applies before the destination's snap offset is added */
                if (v == COR_UNREACHABLE || v > max_ms)
                    continue;
                times[fi[i] * to->n + ti[j]] = v;
                if (lengths)
                    lengths[fi[i] * to->n + ti[j]] = l[i * nt + j];
            }
    }
    rc = EXIT_OK;
done:
    if (rc != EXIT_OK)
        cli_fail(c, &err);
    free(fi);
    free(ti);
    free(fa);
    free(ta);
    free(t);
    free(l);
    return rc;
}
