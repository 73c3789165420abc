/* access.c: accessibility measures over an origins x facilities travel-time matrix, and the
 * parsing of their command-line names ("cum:60", "hansen:exp:0.02", ...). */
#include "corridor/access.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MEASURES[] = "nearest, watt, cum:T, hansen:exp:BETA, hansen:pow:BETA, 2sfca:T";

/* A whole-string finite number; 0 when s is not one. */
static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    if (!*s)
        return 0;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* prefix + the number as %.10g with every character outside [a-z0-9] made '_'. */
static void column_name(char *buf, size_t n, const char *prefix, double v)
{
    char num[32];
    snprintf(num, sizeof num, "%.10g", v);
    for (char *p = num; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
            *p = '_';
    snprintf(buf, n, "%s%s", prefix, num);
}

static cor_status parse_window(const char *spec, const char *name, const char *arg,
                               cor_access_measure *out, cor_error *err)
{
    double t;
    if (!arg)
        return cor_error_set(err, COR_ERR_CONFIG,
                             "measure '%s' needs a time in minutes, e.g. %s:60", spec, name);
    if (!parse_double(arg, &t) || t <= 0 || t > COR_ACCESS_MAX_MINUTES)
        return cor_error_set(err, COR_ERR_CONFIG,
                             "measure '%s': '%s' is not a time in minutes in (0, %g]", spec, arg,
                             COR_ACCESS_MAX_MINUTES);
    out->param = t;
    column_name(out->column, sizeof out->column,
                out->kind == COR_ACCESS_CUM ? "cum_" : "a_2sfca_", t);
    return COR_OK;
}

cor_status cor_access_parse(const char *spec, cor_access_measure *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    char buf[128];
    if (strlen(spec) >= sizeof buf)
        return cor_error_set(err, COR_ERR_CONFIG, "measure '%.40s...' is too long", spec);
    memcpy(buf, spec, strlen(spec) + 1);
    /* name[:a[:b]] */
    char *name = buf, *a = strchr(buf, ':'), *b = NULL;
    if (a) {
        *a++ = '\0';
        if ((b = strchr(a, ':')))
            *b++ = '\0';
    }
    if (!strcmp(name, "nearest") || !strcmp(name, "watt")) {
        if (a)
            return cor_error_set(err, COR_ERR_CONFIG, "measure '%s' takes no parameter (use %s)",
                                 spec, name);
        out->kind = name[0] == 'n' ? COR_ACCESS_NEAREST : COR_ACCESS_WATT;
        strcpy(out->column, name[0] == 'n' ? "nearest_min" : "watt_min");
        return COR_OK;
    }
    if (!strcmp(name, "cum") || !strcmp(name, "2sfca")) {
        if (b)
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "measure '%s' takes one parameter, e.g. %s:60", spec, name);
        out->kind = name[0] == 'c' ? COR_ACCESS_CUM : COR_ACCESS_2SFCA;
        return parse_window(spec, name, a, out, err);
    }
    if (!strcmp(name, "hansen")) {
        if (!a || (strcmp(a, "exp") && strcmp(a, "pow")))
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "measure '%s': hansen needs a decay, hansen:exp:BETA or "
                                 "hansen:pow:BETA", spec);
        out->kind = a[0] == 'e' ? COR_ACCESS_HANSEN_EXP : COR_ACCESS_HANSEN_POW;
        double beta;
        if (!b)
            return cor_error_set(err, COR_ERR_CONFIG, "measure '%s' needs BETA, e.g. "
                                 "hansen:%s:%s", spec, a, a[0] == 'e' ? "0.02" : "1.5");
        if (strchr(b, ':') || !parse_double(b, &beta) || beta <= 0)
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "measure '%s': '%s' is not a decay parameter (a number > 0)",
                                 spec, b);
        out->param = beta;
        column_name(out->column, sizeof out->column,
                    a[0] == 'e' ? "hansen_exp_" : "hansen_pow_", beta);
        return COR_OK;
    }
    return cor_error_set(err, COR_ERR_CONFIG, "unknown measure '%s' (%s)", spec, MEASURES);
}

cor_status cor_access_parse_list(const char *list, cor_access_measure *out, size_t cap,
                                 size_t *n, cor_error *err)
{
    *n = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[128];
        if (len == 0)
            return cor_error_set(err, COR_ERR_CONFIG, "empty measure in '%s' (%s)", list,
                                 MEASURES);
        if (len >= sizeof item)
            return cor_error_set(err, COR_ERR_CONFIG, "measure '%.40s...' is too long", p);
        memcpy(item, p, len);
        item[len] = '\0';
        if (*n == cap)
            return cor_error_set(err, COR_ERR_CONFIG, "too many measures (at most %zu)", cap);
        cor_access_measure m;
        if (cor_access_parse(item, &m, err) != COR_OK)
            return COR_ERR_CONFIG;
        for (size_t k = 0; k < *n; k++)
            if (!strcmp(out[k].column, m.column))
                return cor_error_set(err, COR_ERR_CONFIG, "measure '%s' given twice", item);
        out[(*n)++] = m;
        if (!comma)
            return COR_OK;
        p = comma + 1;
    }
}

/* ---- the measures --------------------------------------------------------------------------- */

static double weight(const double *w, size_t i) { return w ? w[i] : 1.0; }

void cor_access_nearest(const cor_access_input *in, double *minutes, size_t *which)
{
    for (size_t i = 0; i < in->n_origins; i++) {
        const double *row = in->time_min + i * in->n_facilities;
        double best = INFINITY;
        size_t at = SIZE_MAX;
        for (size_t j = 0; j < in->n_facilities; j++)
            if (isfinite(row[j]) && row[j] < best) {
                best = row[j];
                at = j;
            }
        minutes[i] = at == SIZE_MAX ? NAN : best;
        if (which)
            which[i] = at;
    }
}

void cor_access_watt(const cor_access_input *in, double *out)
{
    for (size_t i = 0; i < in->n_origins; i++) {
        const double *row = in->time_min + i * in->n_facilities;
        double num = 0, den = 0;
        for (size_t j = 0; j < in->n_facilities; j++)
            if (isfinite(row[j])) {
                num += weight(in->mass, j) * row[j];
                den += weight(in->mass, j);
            }
        out[i] = den > 0 ? num / den : NAN;
    }
}

void cor_access_cumulative(const cor_access_input *in, double t_max_min, double *out)
{
    for (size_t i = 0; i < in->n_origins; i++) {
        const double *row = in->time_min + i * in->n_facilities;
        double s = 0;
        for (size_t j = 0; j < in->n_facilities; j++)
            if (isfinite(row[j]) && row[j] <= t_max_min)
                s += weight(in->mass, j);
        out[i] = s;
    }
}

void cor_access_hansen_exp(const cor_access_input *in, double beta, double *out)
{
    for (size_t i = 0; i < in->n_origins; i++) {
        const double *row = in->time_min + i * in->n_facilities;
        double s = 0;
        for (size_t j = 0; j < in->n_facilities; j++)
            if (isfinite(row[j]))
                s += weight(in->mass, j) * exp(-beta * row[j]);
        out[i] = s;
    }
}

void cor_access_hansen_pow(const cor_access_input *in, double beta, double *out)
{
    for (size_t i = 0; i < in->n_origins; i++) {
        const double *row = in->time_min + i * in->n_facilities;
        double s = 0;
        for (size_t j = 0; j < in->n_facilities; j++)
            if (isfinite(row[j]))
                s += weight(in->mass, j) * pow(fmax(row[j], COR_ACCESS_POW_FLOOR_MIN), -beta);
        out[i] = s;
    }
}

cor_status cor_access_2sfca(const cor_access_input *in, double t_max_min, double *out,
                            cor_error *err)
{
    size_t no = in->n_origins, nf = in->n_facilities;
    double *ratio = calloc(nf + 1, sizeof *ratio);
    if (!ratio)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory for 2SFCA");
    /* Step 1, per facility: the demand of the origins that reach it within T. */
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < nf; j++) {
            double t = in->time_min[i * nf + j];
            if (isfinite(t) && t <= t_max_min)
                ratio[j] += weight(in->demand, i);
        }
    for (size_t j = 0; j < nf; j++)
        ratio[j] = ratio[j] > 0 ? weight(in->supply, j) / ratio[j] : 0.0;
    /* Step 2, per origin: the ratios of the facilities it reaches within T. */
    for (size_t i = 0; i < no; i++) {
        double s = 0;
        for (size_t j = 0; j < nf; j++) {
            double t = in->time_min[i * nf + j];
            if (isfinite(t) && t <= t_max_min)
                s += ratio[j];
        }
        out[i] = s;
    }
    free(ratio);
    return COR_OK;
}

static cor_status check_weights(const double *w, size_t n, const char *what, cor_error *err)
{
    for (size_t i = 0; w && i < n; i++)
        if (!isfinite(w[i]) || w[i] < 0)
            return cor_error_set(err, COR_ERR_INPUT, "%s %zu is %g (weights must be >= 0)",
                                 what, i, w[i]);
    return COR_OK;
}

cor_status cor_access_compute(const cor_access_input *in, const cor_access_measure *m,
                              double *out, size_t *which, cor_error *err)
{
    if (check_weights(in->mass, in->n_facilities, "the mass of facility", err) ||
        check_weights(in->supply, in->n_facilities, "the supply of facility", err) ||
        check_weights(in->demand, in->n_origins, "the demand of origin", err))
        return COR_ERR_INPUT;
    switch (m->kind) {
    case COR_ACCESS_NEAREST: cor_access_nearest(in, out, which); return COR_OK;
    case COR_ACCESS_WATT: cor_access_watt(in, out); return COR_OK;
    case COR_ACCESS_CUM: cor_access_cumulative(in, m->param, out); return COR_OK;
    case COR_ACCESS_HANSEN_EXP: cor_access_hansen_exp(in, m->param, out); return COR_OK;
    case COR_ACCESS_HANSEN_POW: cor_access_hansen_pow(in, m->param, out); return COR_OK;
    case COR_ACCESS_2SFCA: return cor_access_2sfca(in, m->param, out, err);
    default: return cor_error_set(err, COR_ERR_INTERNAL, "unknown measure kind %d", m->kind);
    }
}
