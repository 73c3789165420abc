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

int cli_parse_number(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return 0;
    if (!strcmp(end, "km"))
        v *= 1000.0;
    else if (*end && strcmp(end, "m"))
        return 0;
    *out = v;
    return 1;
}
