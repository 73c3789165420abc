/* cli_util.c: option handling, dataset opening, error and progress printing for commands. */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_default_data(void)
{
    const char *env = getenv("CORRIDOR_DATA");
    return env && *env ? env : COR_DEFAULT_DATA;
}

int cli_common_option(cli_ctx *c, int opt, const char *arg, const char *usage, int *exit_code)
{
    switch (opt) {
    case 'h':
        fputs(usage, stdout);
        *exit_code = EXIT_OK;
        return -1;
    case 'j': c->json = 1; return 1;
    case 'q': c->quiet = 1; return 1;
    case 'c': c->config_path = arg; return 1;
    case 'C': c->crs = arg; return 1;
    case '?':
        fprintf(stderr, "Try '%s --help'.\n", c->prog);
        *exit_code = EXIT_USAGE;
        return -1;
    default: return 0;
    }
}

int cli_usage_error(const cli_ctx *c, const char *usage, const char *fmt, ...)
{
    (void)usage;
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", c->prog);
    return EXIT_USAGE;
}

int cli_fail(const cli_ctx *c, const cor_error *err)
{
    fprintf(stderr, "%s: %s\n", c->prog, err->code ? err->msg : "unknown error");
    return EXIT_FAIL;
}

static void log_to_stderr(cor_log_level level, const char *msg, void *user)
{
    const cli_ctx *c = user;
    fprintf(stderr, "%s: %s%s\n", c->prog, level >= COR_LOG_WARN ? "warning: " : "", msg);
}

cor_logger cli_logger(const cli_ctx *c)
{
    return (cor_logger){ .fn = log_to_stderr, .user = (void *)c,
                         .min_level = c->quiet ? COR_LOG_WARN + 1 : COR_LOG_WARN };
}

/* Prints 0...10...20... like GDAL's GDALTermProgress. user is an int* holding the last tick. */
int cli_progress(double fraction, const char *msg, void *user)
{
    (void)msg;
    int *last = user;
    int tick = (int)(fraction * 40.0 + 1e-9);
    if (tick > 40)
        tick = 40;
    while (*last < tick) {
        (*last)++;
        if (*last % 4 == 0)
            fprintf(stderr, "%d", *last / 4 * 10);
        else
            fputc('.', stderr);
        if (*last == 40)
            fputs(" - done.\n", stderr);
    }
    fflush(stderr);
    return 1;
}

cor_dataset *cli_open_dataset(cli_ctx *c, int argc, char **argv, int first)
{
    if (argc - first > 1) {
        cli_usage_error(c, NULL, "unexpected argument '%s'", argv[first + 1]);
        return NULL;
    }
    c->data = first < argc ? argv[first] : cli_default_data();
    cor_error err = COR_ERROR_INIT;
    if (c->config_path && !(c->config = cor_config_load(c->config_path, &err))) {
        cli_fail(c, &err);
        return NULL;
    }
    cor_open_opts o = COR_OPEN_OPTS_DEFAULT;
    o.crs = c->crs;
    o.config = c->config;
    o.log = cli_logger(c);
    cor_dataset *ds = cor_dataset_open(c->data, &o, &err);
    if (!ds)
        cli_fail(c, &err);
    return ds;
}

void cli_ctx_free(cli_ctx *c)
{
    cor_config_destroy(c->config);
    c->config = NULL;
}

void cli_print_json(json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(doc);
}

int cli_net_option(cli_ctx *c, cli_net_opts *n, int opt, const char *arg)
{
    if (opt != 1001)
        return 0;
    if (n->n_speed == 32) {
        cli_usage_error(c, NULL, "too many --speed options");
        return -1;
    }
    cor_speeds probe = COR_SPEEDS_DEFAULT;
    cor_error err = COR_ERROR_INIT;
    if (cor_speeds_assign(&probe, arg, &err) != COR_OK) {
        cli_usage_error(c, NULL, "--speed %s", err.msg);
        return -1;
    }
    n->speed_args[n->n_speed++] = arg;
    return 1;
}

int cli_route_option(cli_ctx *c, cli_route_opts *r, int opt, const char *arg)
{
    double v;
    switch (opt) {
    case CLI_OPT_FROM: r->from = arg; return 1;
    case CLI_OPT_TO: r->to = arg; return 1;
    case CLI_OPT_MODE:
        if ((r->mode = cor_mode_from_name(arg)) < 0) {
            cli_usage_error(c, NULL, "unknown mode '%s' (multi, road, rail)", arg);
            return -1;
        }
        return 1;
    case CLI_OPT_MAX_SNAP:
        if (!cli_parse_km(arg, &v) || v <= 0) {
            cli_usage_error(c, NULL, "--max-snap: '%s' is not a positive number", arg);
            return -1;
        }
        r->max_snap_m = v * 1000.0;
        return 1;
    case CLI_OPT_TOP: {
        long top;
        if (!cli_whole_option(c, "--top", arg, 1, 1000, &top))
            return -1;
        r->top = (int)top;
        return 1;
    }
    default: return 0;
    }
}

int cli_shared_option(cli_ctx *c, cli_net_opts *n, cli_route_opts *r, int opt, const char *arg,
                      const char *usage, int *exit_code)
{
    int h = cli_common_option(c, opt, arg, usage, exit_code);
    if (h)
        return h;
    h = cli_net_option(c, n, opt, arg);
    if (!h && r)
        h = cli_route_option(c, r, opt, arg);
    if (h < 0)
        *exit_code = EXIT_USAGE;
    return h;
}

int cli_net_open(cli_ctx *c, cli_net_opts *o, int argc, char **argv, int first, cli_net *out)
{
    memset(out, 0, sizeof *out);
    if (argc - first > 1) {
        cli_usage_error(c, NULL, "unexpected argument '%s'", argv[first + 1]);
        return EXIT_USAGE;
    }
    if (!(out->ds = cli_open_dataset(c, argc, argv, first)))
        return EXIT_FAIL;
    cor_error err = COR_ERROR_INIT;
    cor_build_opts bo = o->build;
    if (cor_speeds_from_config(&bo.speeds, c->config, &err) != COR_OK) {
        cli_fail(c, &err);
        return EXIT_FAIL;
    }
    for (int i = 0; i < o->n_speed; i++)
        cor_speeds_assign(&bo.speeds, o->speed_args[i], &err);
    bo.log = cli_logger(c);
    if (!(out->g = cor_graph_build(out->ds, &bo, &err)) ||
        !(out->e = cor_engine_create(out->g, &err))) {
        cli_fail(c, &err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

void cli_net_close(cli_net *n)
{
    cor_engine_destroy(n->e);
    cor_graph_destroy(n->g);
    cor_dataset_close(n->ds);
    memset(n, 0, sizeof *n);
}

cor_status cli_lonlat_to_xy(double *xy, void *dataset, cor_error *err)
{
    return cor_dataset_lonlat_to_xy(dataset, xy, 1, err);
}

/* A number followed by nothing or by one of the units (factor 0 ends the list). */
typedef struct { const char *name; double factor; } cli_unit;

static int parse_with_units(const char *s, const cli_unit *units, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return 0;
    if (*end) {
        const cli_unit *u = units;
        while (u && u->factor && strcmp(end, u->name))
            u++;
        if (!u || !u->factor)
            return 0;
        v *= u->factor;
    }
    *out = v;
    return 1;
}

int cli_parse_number(const char *s, double *out)
{
    static const cli_unit metres[] = { { "m", 1.0 }, { "km", 1000.0 }, { NULL, 0 } };
    return parse_with_units(s, metres, out);
}

int cli_parse_km(const char *s, double *out)
{
    static const cli_unit km[] = { { "km", 1.0 }, { "m", 0.001 }, { NULL, 0 } };
    return parse_with_units(s, km, out);
}

int cli_parse_plain(const char *s, double *out)
{
    return parse_with_units(s, NULL, out);
}

int cli_split_places(char *buf, char **places, int cap)
{
    int n = 0;
    for (char *tok = buf;;) {
        char *semi = strchr(tok, ';');
        if (semi)
            *semi = '\0';
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!*tok || n == cap)
            return -1;
        places[n++] = tok;
        if (!semi)
            break;
        tok = semi + 1;
    }
    return n;
}

int cli_whole_option(const cli_ctx *c, const char *opt, const char *arg, long lo, long hi,
                     long *out)
{
    double v;
    if (!cli_parse_plain(arg, &v) || v < (double)lo || v > (double)hi || v != floor(v)) {
        cli_usage_error(c, NULL, "%s: '%s' is not a whole number in %ld..%ld", opt, arg, lo, hi);
        return 0;
    }
    *out = (long)v;
    return 1;
}

/* ---- QGIS styles of written GeoPackages ------------------------------------------------- */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The finite values, sorted; *m their count. Caller frees. */
static double *sorted_finite(const double *v, size_t n, size_t *m)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    *m = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; v && i < n; i++)
        if (isfinite(v[i]))
            s[(*m)++] = v[i];
    qsort(s, *m, sizeof *s, cmp_double);
    return s;
}

size_t cli_class_breaks(const double *values, size_t n, int method, size_t k, double *out)
{
    int nc = 0;
    cor_error e = COR_ERROR_INIT;
    if (cor_classify(values, n, (cor_classify_method)method, (int)k, out, &nc, &e) != COR_OK ||
        nc < 1) {
        out[0] = 0; /* no finite value: one placeholder class */
        out[1] = 1;
        return 2;
    }
    return (size_t)nc + 1;
}

/* The QML and the SLD of a layer (both freed by the caller). */
static cor_status style_qml(const cli_ctx *c, const char *layer, cor_qml_role role,
                            cor_qml_geom geom, const char *field, const double *values,
                            size_t n, char **qml, char **sld, cor_error *err)
{
    *qml = *sld = NULL;
    cor_style *st = c && c->style_path ? cor_style_load(c->style_path, err)
                                       : cor_style_default(err);
    if (!st)
        return err->code;
    cor_qml_opts o = COR_QML_OPTS_DEFAULT;
    o.role = role;
    o.geom = geom;
    o.field = field;
    double br[16];
    double *distinct = NULL;
    size_t m = 0;
    if (role == COR_QML_ISOCHRONES || role == COR_QML_CONTOURS) {
        distinct = sorted_finite(values, n, &m);
        size_t u = 0;
        for (size_t i = 0; distinct && i < m; i++)
            if (!u || distinct[i] > distinct[u - 1])
                distinct[u++] = distinct[i];
        o.breaks = distinct;
        o.n_breaks = u;
    } else if (role == COR_QML_ACCESS || role == COR_QML_SITES) {
        /* the classes of the map's themes (datasets/styles/default.json "themes"): access
         * by natural breaks, sites by quantiles, five of each */
        o.n_breaks = cli_class_breaks(values, n, role == COR_QML_ACCESS ? COR_CLASSIFY_JENKS
                                                                       : COR_CLASSIFY_QUANTILE,
                                      5, br);
        o.breaks = br;
        /* times: short is good */
        size_t fl = field ? strlen(field) : 0;
        o.low_is_good = fl > 4 && !strcmp(field + fl - 4, "_min");
    } else if (role == COR_QML_DELTA) {
        double mx = 0;
        for (size_t i = 0; values && i < n; i++)
            if (isfinite(values[i]))
                mx = fmax(mx, fabs(values[i]));
        if (!(mx > 0))
            mx = 1;
        for (int i = 0; i <= 6; i++)
            br[i] = -mx + mx * i / 3.0;
        o.breaks = br;
        o.n_breaks = 7;
        o.low_is_good = 1; /* changes in time: a decrease is an improvement */
    } else if (role == COR_QML_LINKAGE || role == COR_QML_FLOWS || role == COR_QML_CORRIDORS) {
        for (size_t i = 0; values && i < n; i++)
            if (isfinite(values[i]))
                o.max_value = fmax(o.max_value, values[i]);
    }
    if ((*qml = cor_qml_create(st, &o, err)))
        *sld = cor_sld_create(st, &o, layer, err);
    free(distinct);
    cor_style_destroy(st);
    if (!*sld) {
        free(*qml);
        *qml = NULL;
        return err->code;
    }
    return COR_OK;
}

cor_status cli_style_layer(const cli_ctx *c, cor_writer *w, const char *layer,
                           cor_qml_role role, const char *field, const double *values,
                           size_t n, cor_error *err)
{
    int gt = cor_writer_layer_geom(w, layer);
    if (gt == COR_GEOM_NONE) /* a table (or a format without layers): nothing to draw */
        return COR_OK;
    cor_qml_geom geom = gt == COR_GEOM_POINT ? COR_QML_GEOM_POINT
                        : gt == COR_GEOM_LINESTRING || gt == COR_GEOM_MULTILINESTRING
                            ? COR_QML_GEOM_LINE
                        : gt == COR_GEOM_POLYGON || gt == COR_GEOM_MULTIPOLYGON
                            ? COR_QML_GEOM_POLYGON : COR_QML_GEOM_DEFAULT;
    char *qml, *sld;
    if (style_qml(c, layer, role, geom, field, values, n, &qml, &sld, err) != COR_OK)
        return err->code;
    char name[64];
    snprintf(name, sizeof name, "Corridor %s", layer);
    cor_status rc = cor_writer_set_style(w, layer, name, qml, sld, err);
    free(qml);
    free(sld);
    return rc;
}

cor_status cli_write_network(const cli_ctx *c, const cor_graph *g, const cor_dataset *ds,
                             const char *path, cor_error *err)
{
    char *qn = NULL, *qe = NULL, *sn = NULL, *se = NULL;
    cor_status rc = style_qml(c, "nodes", COR_QML_NETWORK_NODES, COR_QML_GEOM_POINT, NULL, NULL,
                              0, &qn, &sn, err);
    if (rc == COR_OK)
        rc = style_qml(c, "edges", COR_QML_NETWORK_EDGES, COR_QML_GEOM_LINE, NULL, NULL, 0, &qe,
                       &se, err);
    if (rc == COR_OK) {
        const cor_layer_style st[] = { { "nodes", "Corridor nodes", qn, sn },
                                       { "edges", "Corridor edges", qe, se } };
        rc = cor_graph_write_styled(g, ds, path, st, 2, err);
    }
    free(qn);
    free(qe);
    free(sn);
    free(se);
    return rc;
}
