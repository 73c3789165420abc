/* classify.c: class breaks for graduated symbols (equal interval, quantiles, Fisher-Jenks
 * natural breaks) and the colour ramps they are drawn with (ColorBrewer, viridis). */
#include "corridor/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const METHODS[] = { "equal", "quantile", "jenks", NULL };

int cor_classify_method_from_name(const char *name)
{
    for (int i = 0; name && METHODS[i]; i++)
        if (!strcasecmp(name, METHODS[i]))
            return i;
    if (name && (!strcasecmp(name, "quantiles") || !strcasecmp(name, "natural")))
        return !strcasecmp(name, "natural") ? COR_CLASSIFY_JENKS : COR_CLASSIFY_QUANTILE;
    return -1;
}

const char *cor_classify_method_name(cor_classify_method m)
{
    return m >= 0 && m <= COR_CLASSIFY_JENKS ? METHODS[m] : "?";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Fisher's exact optimal partition of sorted distinct values u (weights w: how often each
 * occurs) into k contiguous classes minimising the total within-class sum of squared
 * deviations. O(k n^2) with prefix sums. first[c] receives the index in u of the first value
 * of class c. */
static cor_status fisher_jenks(const double *u, const double *w, size_t n, int k, size_t *first,
                               cor_error *err)
{
    double *s1 = malloc((n + 1) * sizeof *s1), *s2 = malloc((n + 1) * sizeof *s2);
    double *sw = malloc((n + 1) * sizeof *sw);
    double *cost = malloc((size_t)k * n * sizeof *cost);
    size_t *arg = malloc((size_t)k * n * sizeof *arg);
    if (!s1 || !s2 || !sw || !cost || !arg) {
        free(s1), free(s2), free(sw), free(cost), free(arg);
        return cor_error_set(err, COR_ERR_NOMEM, "classify: out of memory for %zu values", n);
    }
    s1[0] = s2[0] = sw[0] = 0;
    double mid = u[n / 2]; /* shift for numerical stability */
    for (size_t i = 0; i < n; i++) {
        double x = u[i] - mid;
        s1[i + 1] = s1[i] + w[i] * x;
        s2[i + 1] = s2[i] + w[i] * x * x;
        sw[i + 1] = sw[i] + w[i];
    }
/* sum of squared deviations of u[a..b] (inclusive) */
#define SSD(a, b) (s2[(b) + 1] - s2[a] - (s1[(b) + 1] - s1[a]) * (s1[(b) + 1] - s1[a]) / \
                   (sw[(b) + 1] - sw[a]))
    /* cost[c * n + j]: best cost of u[0..j] in c + 1 classes; arg: first index of the last */
    for (size_t j = 0; j < n; j++) {
        cost[j] = fmax(0, SSD(0, j));
        arg[j] = 0;
    }
    for (int c = 1; c < k; c++)
        for (size_t j = (size_t)c; j < n; j++) {
            double best = INFINITY;
            size_t bi = (size_t)c;
            for (size_t i = (size_t)c; i <= j; i++) { /* last class u[i..j] */
                double v = cost[(size_t)(c - 1) * n + i - 1] + fmax(0, SSD(i, j));
                if (v < best) {
                    best = v;
                    bi = i;
                }
            }
            cost[(size_t)c * n + j] = best;
            arg[(size_t)c * n + j] = bi;
        }
#undef SSD
    size_t j = n - 1;
    for (int c = k - 1; c >= 0; c--) {
        first[c] = arg[(size_t)c * n + j];
        if (c > 0)
            j = first[c] - 1;
    }
    first[0] = 0;
    free(s1), free(s2), free(sw), free(cost), free(arg);
    return COR_OK;
}

cor_status cor_classify(const double *values, size_t n, cor_classify_method method, int k,
                        double *breaks, int *n_classes, cor_error *err)
{
    *n_classes = 0;
    if (k < 1 || k > COR_CLASSIFY_MAX_CLASSES)
        return cor_error_set(err, COR_ERR_CONFIG, "classify: %d classes: want 1 to %d", k,
                             COR_CLASSIFY_MAX_CLASSES);
    if (method < 0 || method > COR_CLASSIFY_JENKS)
        return cor_error_set(err, COR_ERR_CONFIG, "classify: unknown method %d", (int)method);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return cor_error_set(err, COR_ERR_NOMEM, "classify: out of memory for %zu values", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i]))
            v[m++] = values[i];
    if (m == 0) {
        free(v);
        return cor_error_set(err, COR_ERR_INPUT, "classify: no finite value among %zu", n);
    }
    qsort(v, m, sizeof *v, cmp_double);
    /* distinct values and their counts (in place: u over v, weights apart) */
    double *w = malloc(m * sizeof *w);
    if (!w) {
        free(v);
        return cor_error_set(err, COR_ERR_NOMEM, "classify: out of memory for %zu values", m);
    }
    size_t d = 0;
    for (size_t i = 0; i < m; i++) {
        if (d && v[i] == v[d - 1]) {
            w[d - 1] += 1;
            continue;
        }
        v[d] = v[i];
        w[d++] = 1;
    }
    cor_status rc = COR_OK;
    if ((size_t)k >= d) {
        /* no more classes than distinct values: one class per value */
        for (size_t i = 0; i < d; i++)
            breaks[i] = v[i];
        breaks[d] = v[d - 1];
        *n_classes = (int)d;
        if (d == 1)
            breaks[1] = v[0];
    } else if (method == COR_CLASSIFY_EQUAL) {
        double lo = v[0], hi = v[d - 1];
        for (int i = 0; i <= k; i++)
            breaks[i] = i == k ? hi : lo + (hi - lo) * i / k;
        *n_classes = k;
    } else if (method == COR_CLASSIFY_QUANTILE) {
        /* class c holds the sorted values from floor(c m / k); ties may merge classes */
        int nc = 0;
        breaks[0] = v[0];
        size_t pos = 0, cum = 0; /* pos: distinct index; cum: values before it */
        for (int c = 1; c < k; c++) {
            size_t at = (size_t)((double)c * (double)m / k);
            while (pos < d && cum + (size_t)w[pos] <= at) {
                cum += (size_t)w[pos];
                pos++;
            }
            double b = v[pos < d ? pos : d - 1];
            if (b > breaks[nc] && b < v[d - 1])
                breaks[++nc] = b;
        }
        breaks[++nc] = v[d - 1];
        *n_classes = nc;
    } else {
        /* Jenks: exact over the distinct values; above 4000 of them, over 4000 evenly spaced
         * order statistics (weighted by the values they stand for) to bound the O(k n^2) */
        size_t cap = 4000, nd = d;
        double *u = v, *uw = w;
        double *su = NULL, *sw = NULL;
        if (d > cap) {
            su = malloc(cap * sizeof *su);
            sw = malloc(cap * sizeof *sw);
            if (!su || !sw) {
                free(su), free(sw), free(v), free(w);
                return cor_error_set(err, COR_ERR_NOMEM, "classify: out of memory");
            }
            for (size_t i = 0; i < cap; i++) {
                size_t a = i * d / cap, b = (i + 1) * d / cap;
                su[i] = v[a];
                sw[i] = 0;
                for (size_t j = a; j < b; j++)
                    sw[i] += w[j];
            }
            su[cap - 1] = v[d - 1];
            u = su;
            uw = sw;
            nd = cap;
        }
        size_t first[COR_CLASSIFY_MAX_CLASSES];
        rc = fisher_jenks(u, uw, nd, k, first, err);
        if (rc == COR_OK) {
            for (int c = 0; c < k; c++)
                breaks[c] = u[first[c]];
            breaks[k] = v[d - 1];
            *n_classes = k;
        }
        free(su);
        free(sw);
    }
    free(v);
    free(w);
    return rc;
}

int cor_classify_index(const double *breaks, int n_classes, double value)
{
    if (!isfinite(value) || n_classes < 1)
        return -1;
    if (value < breaks[0])
        return 0;
    for (int c = 1; c < n_classes; c++)
        if (value < breaks[c])
            return c - 1;
    return n_classes - 1;
}

/* ---- colour ramps ------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    int diverging;
    int n;
    unsigned rgb[11];
} ramp_def;

/* ColorBrewer 2.0 (Cynthia Brewer, Penn State; Apache 2.0), the 9-class sequential and
 * 11-class diverging schemes, all marked colour-blind safe and print friendly; viridis
 * (van der Walt and Smith, CC0) at 9 stops. */
static const ramp_def RAMPS[] = {
    { "YlOrRd", 0, 9, { 0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c,
                        0xbd0026, 0x800026 } },
    { "Blues", 0, 9, { 0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5,
                       0x08519c, 0x08306b } },
    { "YlGnBu", 0, 9, { 0xffffd9, 0xedf8b1, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8,
                        0x253494, 0x081d58 } },
    { "Greens", 0, 9, { 0xf7fcf5, 0xe5f5e0, 0xc7e9c0, 0xa1d99b, 0x74c476, 0x41ab5d, 0x238b45,
                        0x006d2c, 0x00441b } },
    { "Purples", 0, 9, { 0xfcfbfd, 0xefedf5, 0xdadaeb, 0xbcbddc, 0x9e9ac8, 0x807dba, 0x6a51a3,
                         0x54278f, 0x3f007d } },
    { "OrRd", 0, 9, { 0xfff7ec, 0xfee8c8, 0xfdd49e, 0xfdbb84, 0xfc8d59, 0xef6548, 0xd7301f,
                      0xb30000, 0x7f0000 } },
    { "viridis", 0, 9, { 0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962,
                         0xaddc30, 0xfde725 } },
    { "RdBu", 1, 11, { 0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7, 0xd1e5f0,
                       0x92c5de, 0x4393c3, 0x2166ac, 0x053061 } },
    { "PuOr", 1, 11, { 0x7f3b08, 0xb35806, 0xe08214, 0xfdb863, 0xfee0b6, 0xf7f7f7, 0xd8daeb,
                       0xb2abd2, 0x8073ac, 0x542788, 0x2d004b } },
};

static const ramp_def *find_ramp(const char *name)
{
    for (size_t i = 0; name && i < sizeof RAMPS / sizeof RAMPS[0]; i++)
        if (!strcasecmp(name, RAMPS[i].name))
            return &RAMPS[i];
    return NULL;
}

int cor_ramp_known(const char *name) { return find_ramp(name) != NULL; }

int cor_ramp_diverging(const char *name)
{
    const ramp_def *r = find_ramp(name);
    return r && r->diverging;
}

const char *cor_ramp_list(void)
{
    return "YlOrRd, Blues, YlGnBu, Greens, Purples, OrRd, viridis (sequential); RdBu, PuOr "
           "(diverging)";
}

int cor_ramp_color(const char *name, double t, int reverse, double rgb[3])
{
    const ramp_def *r = find_ramp(name);
    if (!r)
        return 0;
    t = isfinite(t) ? fmin(1, fmax(0, t)) : 0.5;
    if (reverse)
        t = 1 - t;
    double pos = t * (r->n - 1);
    int i = (int)floor(pos);
    if (i >= r->n - 1)
        i = r->n - 2;
    double f = pos - i;
    for (int c = 0; c < 3; c++) {
        int sh = 16 - 8 * c;
        double a = ((r->rgb[i] >> sh) & 0xff) / 255.0, b = ((r->rgb[i + 1] >> sh) & 0xff) / 255.0;
        rgb[c] = a + (b - a) * f;
    }
    return 1;
}

/* ---- chain names ------------------------------------------------------------------------ */

static const struct { const char *key, *zh, *en; } CHAINS[] = {
    { "hydrogen", "氢能", "hydrogen" },
    { "biomedicine", "生物医药", "biomedicine" },
    { "netsec_industrial_internet", "网络安全和工业互联网", "network security" },
    { "instruments_machine_tools", "高端仪器设备和工业母机", "instruments, machine tools" },
    { "nev_connected_vehicles", "新能源和智能网联汽车", "new-energy vehicles" },
    { "robotics", "机器人", "robotics" },
    { "cluster_ic", "集成电路集群", "IC cluster" },
    { "cluster_it_innovation", "信创集群", "IT innovation cluster" },
    { "cluster_biomedicine", "生物医药集群", "biomedicine cluster" },
    { "cluster_power_equipment", "电力装备集群", "power equipment cluster" },
    { "cluster_emergency_equipment", "安全应急装备集群", "emergency equipment cluster" },
};

int cor_chain_label(const char *key, const char **zh, const char **en)
{
    for (size_t i = 0; key && i < sizeof CHAINS / sizeof CHAINS[0]; i++)
        if (!strcmp(CHAINS[i].key, key)) {
            *zh = CHAINS[i].zh;
            *en = CHAINS[i].en;
            return 1;
        }
    return 0;
}
