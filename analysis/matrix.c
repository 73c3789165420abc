/* matrix.c: many-to-many travel times: one search per member of the smaller side (backward
 * towards destinations when they are fewer), spread over the OpenMP threads. */
#include "corridor/routing.h"
#include "engine_internal.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>

cor_status cor_matrix_compute(const cor_engine *e, const cor_anchor *from, size_t n_from,
                              const cor_anchor *to, size_t n_to, const cor_matrix_opts *o,
                              uint32_t *times, float *lengths, cor_error *err)
{
    cor_matrix_opts opts = o ? *o : COR_MATRIX_OPTS_DEFAULT;
    for (size_t i = 0; i < n_from * n_to; i++) {
        times[i] = COR_UNREACHABLE;
        if (lengths)
            lengths[i] = NAN;
    }
    if (!n_from || !n_to)
        return COR_OK;
    int backward = n_to < n_from;
    const cor_anchor *src = backward ? to : from, *dst = backward ? from : to;
    size_t n_src = backward ? n_to : n_from, n_dst = backward ? n_from : n_to;
    uint32_t *targets = malloc(n_dst * sizeof *targets);
    if (!targets)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory for the matrix");
    for (size_t j = 0; j < n_dst; j++)
        targets[j] = dst[j].node;
    int nt = opts.threads > 0 ? opts.threads : omp_get_max_threads();
    if ((size_t)nt > n_src)
        nt = (int)n_src;
    atomic_size_t done = 0;
    atomic_int failed = 0, cancelled = 0;
    cor_error first_err = COR_ERROR_INIT;
#pragma omp parallel num_threads(nt)
    {
        cor_error terr = COR_ERROR_INIT;
        cor_router *r = cor_router_create(e, &terr);
        if (!r)
            atomic_store(&failed, 1);
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n_src; i++) {
            if (!r || atomic_load(&failed) || atomic_load(&cancelled))
                continue;
            cor_search s = { opts.mode, backward, opts.max_ms, targets, n_dst, lengths == NULL };
            if (cor_router_run(r, &s, &src[i], 1, &terr) != COR_OK) {
                atomic_store(&failed, 1);
                continue;
            }
            for (size_t j = 0; j < n_dst; j++) {
                uint32_t t = cor_router_time_ms(r, dst[j].node);
                if (t == COR_UNREACHABLE)
                    continue;
                uint64_t total = (uint64_t)t + dst[j].offset_ms;
                size_t cell = backward ? j * n_to + i : i * n_to + j;
                times[cell] = total >= COR_UNREACHABLE ? COR_UNREACHABLE - 1 : (uint32_t)total;
                if (lengths)
                    lengths[cell] = (float)(cor_router_length_m(r, dst[j].node) +
                                            dst[j].offset_m);
            }
            size_t k = atomic_fetch_add(&done, 1) + 1;
            if (opts.progress && omp_get_thread_num() == 0 &&
                !opts.progress((double)k / (double)n_src, "matrix", opts.progress_user))
                atomic_store(&cancelled, 1);
        }
        if (terr.code) {
#pragma omp critical
            cor_error_set(&first_err, terr.code, "%s", terr.msg);
        }
        cor_router_destroy(r);
    }
    free(targets);
    if (atomic_load(&cancelled))
        return cor_error_set(err, COR_ERR_CANCELLED, "matrix cancelled");
    if (atomic_load(&failed))
        return cor_error_set(err, first_err.code ? first_err.code : COR_ERR_NOMEM, "%s",
                             first_err.code ? first_err.msg : "out of memory for the matrix");
    if (opts.progress)
        opts.progress(1.0, "matrix", opts.progress_user);
    return COR_OK;
}
