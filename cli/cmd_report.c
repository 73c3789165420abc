/* cmd_report.c: `corridor report`: a multi-page A4 PDF report of the region. The analyses are
 * the commands themselves (access, corridors, site), run as child processes into a work
 * folder, so that every figure in the report can be reproduced by the command lines printed
 * in its method section; the report reads their result files back. */
#define _XOPEN_SOURCE 700 /* nftw, realpath */
#include "cli.h"
#include "corridor/report.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char USAGE[] =
    "Usage: corridor report [DATA] -o REPORT.pdf [--criteria FILE] [--candidates SRC]\n"
    "                       [--lang zh|en|both] [--title TEXT] [--date TEXT] [--paper A4]\n"
    "                       [--style FILE] [--keep DIR] [--json] [--config FILE] [--crs CRS]\n"
    "                       [-q]\n\n"
    "Writes a multi-page report of the region as PDF: an overview map of the transport\n"
    "network and the industrial parks; the accessibility of the parks to ports and airports\n"
    "(map and table); the economic corridors (map and ranked tables); the ranking of candidate\n"
    "sites for a relocation (map, table and each criterion's contribution); the method (the\n"
    "command lines that reproduce every figure) and the sources. Page numbers, the date and\n"
    "the data credits are on every page.\n\n"
    "The analyses are run as `corridor access`, `corridor corridors` and `corridor site` on\n"
    "DATA, into a temporary folder (or DIR with --keep, which keeps their result files).\n\n"
    "Options:\n"
    "  -o, --output FILE  the report (.pdf); written under a temporary name, renamed when done\n"
    "  --criteria FILE    the site evaluation's criteria (default: the bundled example for a\n"
    "                     Beijing function moving into Hebei, criteria/relocate_beijing_\n"
    "                     function.json beside the bundled dataset); --criteria none leaves\n"
    "                     the site pages out\n"
    "  --candidates SRC   the candidate sites (default: parks; see corridor site --help)\n"
    "  --lang LANG        zh (default), en or both: text, tables and maps\n"
    "  --title TEXT       the report's title (default: the region's)\n"
    "  --date TEXT        the date in the footers (default: today, YYYY-MM-DD)\n"
    "  --paper NAME       A4 (default) or A3, portrait\n"
    "  --style FILE       the maps' JSON style (default: the built-in style)\n"
    "  --keep DIR         run the analyses into DIR (created) and keep their results\n"
    "  --json             {\"output\",\"pages\",\"sections\":[...],\"commands\":[...],\"time_s\"}\n"
    "  --config FILE, --crs CRS, -q/--quiet, -h/--help\n";

/* ---- text in the report's language --------------------------------------------------------- */

typedef struct {
    cor_lang lang;
    char buf[16][256];
    int next;
} tr_ctx;

/* zh, en or "zh en" (both) in a rotating buffer: valid for the next 15 calls. */
static const char *tr(tr_ctx *t, const char *zh, const char *en)
{
    if (t->lang == COR_LANG_ZH)
        return zh;
    if (t->lang == COR_LANG_EN)
        return en;
    char *b = t->buf[t->next++ % 16];
    snprintf(b, 256, "%s %s", zh, en);
    return b;
}

/* ---- child commands ------------------------------------------------------------------------ */

typedef struct {
    const cli_ctx *c;
    char exe[PATH_MAX];
    char dir[PATH_MAX];
    json_t *commands;           /* the command lines run, for the method section */
    const char *data;
} runner;

static int quote_needed(const char *s)
{
    return !*s || strpbrk(s, " \t'\"$;&|<>()*?[]{}\\`!#~") != NULL;
}

/* The command line as a person would type it (corridor ...), single-quoted where needed. */
static char *command_line(const char *const *args)
{
    size_t cap = 64;
    for (size_t i = 0; args[i]; i++)
        cap += 2 * strlen(args[i]) + 4;
    char *s = malloc(cap), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "corridor");
    for (size_t i = 0; args[i]; i++) {
        *p++ = ' ';
        if (!quote_needed(args[i])) {
            p += sprintf(p, "%s", args[i]);
            continue;
        }
        *p++ = '\'';
        for (const char *q = args[i]; *q; q++) {
            if (*q == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else
                *p++ = *q;
        }
        *p++ = '\'';
        *p = 0;
    }
    return s;
}

/* Runs `corridor ARGS...` with stdout into out_path (NULL: /dev/null); the child's errors go
 * to our stderr. Returns EXIT_OK or prints why and returns EXIT_FAIL. */
static int run(runner *R, const char *const *args, const char *out_path)
{
    const char *argv[40];
    size_t n = 0;
    argv[n++] = R->exe;
    for (size_t i = 0; args[i] && n < 36; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *line = command_line(args);
    if (!line) {
        fprintf(stderr, "%s: out of memory\n", R->c->prog);
        return EXIT_FAIL;
    }
    if (!R->c->quiet && !R->c->json)
        fprintf(stderr, "%s: running %s\n", R->c->prog, line);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int e = posix_spawn(&pid, R->exe, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (e == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (e != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: the analysis `%s` failed (%s)\n", R->c->prog, line,
                e ? strerror(e) : WIFEXITED(status) ? "see its message above" : "killed");
        free(line);
        return EXIT_FAIL;
    }
    json_array_append_new(R->commands, json_string(line));
    free(line);
    return EXIT_OK;
}

static const char *in_dir(runner *R, char *buf, size_t n, const char *name)
{
    int k = snprintf(buf, n, "%s/%s", R->dir, name);
    if (k < 0 || (size_t)k >= n)
        buf[0] = 0; /* the work folder's name is short; an empty path fails loudly */
    return buf;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* ---- reading results ---------------------------------------------------------------------- */

static double num(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

static void fmt_num(char *buf, size_t n, double v, int decimals)
{
    if (!isfinite(v))
        snprintf(buf, n, "—");
    else
        snprintf(buf, n, "%.*f", decimals, v);
}

/* A table of strings built row by row. */
typedef struct {
    size_t n_cols, n_rows, cap;
    char **cells;
} strtab;

static int tab_add(strtab *t, const char *const *row)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        char **c = realloc(t->cells, cap * t->n_cols * sizeof *c);
        if (!c)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    for (size_t j = 0; j < t->n_cols; j++)
        if (!(t->cells[t->n_rows * t->n_cols + j] = strdup(row[j] ? row[j] : "")))
            return -1; /* the row's earlier cells are freed with the table below */
    t->n_rows++;
    return 0;
}

static void tab_free(strtab *t)
{
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static cor_status add_table(cor_report *rep, const char *caption, const char *const *header,
                            const char *align, const strtab *t, cor_error *err)
{
    cor_report_table rt = { .caption = caption, .n_cols = t->n_cols, .n_rows = t->n_rows,
                            .header = header, .cells = (const char *const *)t->cells,
                            .align = align };
    return cor_report_add_table(rep, &rt, err);
}

/* Names of the places (name -> name_zh) from the parks, ports, airports and cities layers,
 * and the parks' chains, for the tables. */
#define N_NAME_LAYERS 4
typedef struct {
    cor_features f[N_NAME_LAYERS];  /* name, name_zh, chain; parks first */
} names_info;

static const char *name_field(const names_info *p, const char *name, size_t field)
{
    for (size_t l = 0; l < N_NAME_LAYERS; l++)
        for (size_t i = 0; i < p->f[l].n; i++)
            if (p->f[l].values[i * 3] && !strcmp(p->f[l].values[i * 3], name))
                return p->f[l].values[i * 3 + field];
    return NULL;
}

static const char *display_name(tr_ctx *t, const names_info *p, const char *name)
{
    if (!name)
        return "—";
    const char *zh = name_field(p, name, 1);
    if (!zh || !*zh || t->lang == COR_LANG_EN)
        return name;
    return t->lang == COR_LANG_ZH ? zh : tr(t, zh, name);
}

/* "biomedicine;robotics" -> "生物医药、机器人" (or English) into buf. */
static const char *chain_names(const tr_ctx *t, const char *keys, char *buf, size_t n)
{
    buf[0] = 0;
    if (!keys)
        return buf;
    size_t len = 0;
    const char *p = keys;
    while (*p && len + 1 < n) {
        size_t k = strcspn(p, ";");
        const char *label = NULL, *zh, *en;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)k, p);
        if (cor_chain_label(key, &zh, &en))
            label = t->lang == COR_LANG_EN ? en : zh;
        int w = label ? snprintf(buf + len, n - len, "%s%s", len ? (t->lang == COR_LANG_EN
                                                                  ? ", " : "、") : "", label)
                      : snprintf(buf + len, n - len, "%s%.*s", len ? ", " : "", (int)k, p);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
        p += k;
        if (*p == ';')
            p++;
    }
    return buf;
}

typedef struct {
    const char *name;
    double port_min, air_min;
    const char *port, *air;
} access_row;

static int cmp_access(const void *a, const void *b)
{
    const access_row *x = a, *y = b;
    double u = isfinite(x->port_min) ? x->port_min : 1e300;
    double v = isfinite(y->port_min) ? y->port_min : 1e300;
    return u < v ? -1 : u > v;
}

static int cmp_double_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* ---- the sections ------------------------------------------------------------------------- */

typedef struct {
    cli_ctx *c;
    runner *R;
    cor_report *rep;
    cor_dataset *ds;
    tr_ctx t;
    json_t *sections;
    const names_info *names;
    cor_error err;
} job;

static int failed(job *J)
{
    cli_fail(J->c, &J->err);
    return EXIT_FAIL;
}

/* A thematic map of a result file written by one of the analyses, h_mm high. */
static cor_status theme_map(job *J, const char *theme, const char *path, const char *title,
                            double h_mm)
{
    cor_map_opts mo = COR_MAP_OPTS_DEFAULT;
    mo.theme = theme;
    mo.theme_data = path;
    mo.title = title;
    mo.subtitle = "";
    return cor_report_map(J->rep, J->ds, &mo, h_mm, &J->err);
}

static int overview(job *J, const names_info *names)
{
    tr_ctx *t = &J->t;
    size_t n_parks = names->f[0].n; /* the parks layer comes first */
    char path[PATH_MAX];
    const char *args[] = { "network", J->R->data, "--json", "-q", NULL };
    int rc = run(J->R, args, in_dir(J->R, path, sizeof path, "network.json"));
    if (rc)
        return rc;
    json_error_t je;
    json_t *net = json_load_file(path, 0, &je);
    if (!net) {
        fprintf(stderr, "%s: %s: %s\n", J->c->prog, path, je.text);
        return EXIT_FAIL;
    }
    json_t *len = json_object_get(net, "length_km");
    double road_km = json_number_value(json_object_get(len, "road"));
    double rail_km = json_number_value(json_object_get(len, "rail"));
    json_int_t nodes = json_integer_value(json_object_get(net, "nodes"));
    json_int_t stations = json_integer_value(json_object_get(json_object_get(net, "stations"),
                                                             "on_rail"));
    json_int_t places = json_integer_value(json_object_get(json_object_get(net, "places"),
                                                           "total"));
    json_decref(net);
    char text[1200];
    if (J->t.lang == COR_LANG_EN)
        snprintf(text, sizeof text,
                 "The bundled network: %.0f km of rail and %.0f km of roads, %lld nodes, %lld "
                 "rail stations and %lld places (cities, ports, airports and parks) joined to "
                 "it. %zu industrial parks of the region's \"six chains, five clusters\" are "
                 "shown by level.", rail_km, road_km, (long long)nodes, (long long)stations,
                 (long long)places, n_parks);
    else
        snprintf(text, sizeof text,
                 "路网：铁路 %.0f 公里，公路 %.0f 公里，%lld 个节点，%lld 个铁路车站，%lld 个地点"
                 "（城市、港口、机场、园区）接入路网。图中按级别标示 %zu 个“六链五群”产业园区。%s",
                 rail_km, road_km, (long long)nodes, (long long)stations, (long long)places,
                 n_parks,
                 J->t.lang == COR_LANG_BOTH
                     ? "\nThe network: rail and roads with the stations, ports, airports and "
                       "industrial parks joined to it."
                     : "");
    if (cor_report_heading(J->rep, tr(t, "区域概况：交通网络与产业园区",
                                      "Overview: transport network and industrial parks"), 0,
                           &J->err) ||
        cor_report_paragraph(J->rep, text, &J->err))
        return failed(J);
    cor_map_opts mo = COR_MAP_OPTS_DEFAULT;
    mo.title = tr(t, "京津冀交通网络与产业园区", "Jing-Jin-Ji transport network and parks");
    mo.subtitle = "";
    if (cor_report_map(J->rep, J->ds, &mo, 0, &J->err))
        return failed(J);
    json_array_append_new(J->sections, json_string("overview"));
    return EXIT_OK;
}

static int accessibility(job *J, const names_info *names)
{
    tr_ctx *t = &J->t;
    char pp[PATH_MAX], pa[PATH_MAX];
    const char *a1[] = { "access", J->R->data, "--origins", "parks", "--to", "ports",
                         "--measure", "nearest,cum:120", "-q",
                         "-o", in_dir(J->R, pp, sizeof pp, "access_parks_ports.gpkg"), NULL };
    const char *a2[] = { "access", J->R->data, "--origins", "parks", "--to", "airports",
                         "--measure", "nearest", "-q",
                         "-o", in_dir(J->R, pa, sizeof pa, "access_parks_airports.gpkg"), NULL };
    int rc = run(J->R, a1, NULL);
    if (!rc)
        rc = run(J->R, a2, NULL);
    if (rc)
        return rc;
    static const char *const F[] = { "name", "nearest_min", "nearest_name" };
    cor_features fp = { 0 }, fa = { 0 };
    if (cor_read_table(pp, F, 3, &fp, &J->err) || cor_read_table(pa, F, 3, &fa, &J->err)) {
        cor_features_free(&fp);
        return failed(J);
    }
    size_t n = fp.n;
    access_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        cor_features_free(&fp);
        cor_features_free(&fa);
        fprintf(stderr, "%s: out of memory\n", J->c->prog);
        return EXIT_FAIL;
    }
    size_t within60 = 0, within120 = 0, air60 = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].name = fp.values[i * 3] ? fp.values[i * 3] : "";
        rows[i].port_min = num(fp.values[i * 3 + 1]);
        rows[i].port = fp.values[i * 3 + 2];
        rows[i].air_min = NAN;
        for (size_t k = 0; k < fa.n; k++)
            if (fa.values[k * 3] && !strcmp(fa.values[k * 3], rows[i].name)) {
                rows[i].air_min = num(fa.values[k * 3 + 1]);
                rows[i].air = fa.values[k * 3 + 2];
                break;
            }
        within60 += rows[i].port_min <= 60;
        within120 += rows[i].port_min <= 120;
        air60 += rows[i].air_min <= 60;
    }
    qsort(rows, n, sizeof *rows, cmp_access);
    strtab tab = { .n_cols = 6 };
    int oom = 0;
    for (size_t i = 0; i < n && !oom; i++) {
        char m1[32], m2[32];
        fmt_num(m1, sizeof m1, rows[i].port_min, 0);
        fmt_num(m2, sizeof m2, rows[i].air_min, 0);
        char chains[256];
        chain_names(t, name_field(names, rows[i].name, 2), chains, sizeof chains);
        const char *row[] = { display_name(t, names, rows[i].name), chains,
                              display_name(t, names, rows[i].port), m1,
                              display_name(t, names, rows[i].air), m2 };
        oom = tab_add(&tab, row) != 0;
    }
    char text[800];
    if (J->t.lang == COR_LANG_EN)
        snprintf(text, sizeof text,
                 "Door-to-door travel time on the multimodal network (road, and rail with "
                 "boarding and alighting times) from each of the %zu parks to its nearest port "
                 "and airport. %zu parks reach a port within 60 minutes and %zu within two "
                 "hours; %zu reach an airport within an hour.", n, within60, within120, air60);
    else
        snprintf(text, sizeof text,
                 "多式联运路网（公路，及含上下车时间的铁路）上 %zu 个园区到最近港口和机场的门到门"
                 "出行时间。%zu 个园区 60 分钟内可达港口，%zu 个两小时内可达；%zu 个一小时内可达"
                 "机场。", n, within60, within120, air60);
    int rc2 = EXIT_OK;
    if (oom) {
        fprintf(stderr, "%s: out of memory\n", J->c->prog);
        rc2 = EXIT_FAIL;
    } else {
        const char *hdr[] = { tr(t, "园区", "Park"), tr(t, "产业链", "Chain"),
                              tr(t, "最近港口", "Nearest port"), tr(t, "分钟", "min"),
                              tr(t, "最近机场", "Nearest airport"), tr(t, "分钟", "min") };
        if (cor_report_heading(J->rep, tr(t, "园区到港口和机场的可达性",
                                          "Accessibility of the parks to ports and airports"),
                               1, &J->err) ||
            cor_report_paragraph(J->rep, text, &J->err) ||
            theme_map(J, "access", pp, tr(t, "园区到最近港口的时间", "Parks: time to the nearest port"),
                      125) ||
            add_table(J->rep, tr(t, "表 1  园区到最近港口和机场的时间（按港口时间排序）",
                                 "Table 1  Parks to the nearest port and airport, by port time"),
                      hdr, "lllrlr", &tab, &J->err))
            rc2 = failed(J);
        else
            json_array_append_new(J->sections, json_string("access"));
    }
    tab_free(&tab);
    free(rows);
    cor_features_free(&fp);
    cor_features_free(&fa);
    return rc2;
}

static int corridors(job *J)
{
    tr_ctx *t = &J->t;
    char gp[PATH_MAX], cp[PATH_MAX], lp[PATH_MAX];
    const char *args[] = { "corridors", J->R->data, "-q", "-o",
                           in_dir(J->R, gp, sizeof gp, "corridors.gpkg"), "--csv", J->R->dir,
                           NULL };
    int rc = run(J->R, args, NULL);
    if (rc)
        return rc;
    static const char *const FC[] = { "rank", "name", "length_km", "time_s", "load_km",
                                      "cities" };
    static const char *const FL[] = { "city_a", "city_b", "time_s", "r_ab", "f_ab", "f_ba" };
    cor_features fc = { 0 }, fl = { 0 };
    if (cor_read_table(in_dir(J->R, cp, sizeof cp, "corridors.csv"), FC, 6, &fc, &J->err) ||
        cor_read_table(in_dir(J->R, lp, sizeof lp, "linkage.csv"), FL, 6, &fl, &J->err)) {
        cor_features_free(&fc);
        return failed(J);
    }
    strtab tc = { .n_cols = 5 }, tl = { .n_cols = 6 };
    int oom = 0;
    double lmax = 0;
    for (size_t i = 0; i < fc.n; i++)
        lmax = fmax(lmax, num(fc.values[i * 6 + 4]));
    for (size_t i = 0; i < fc.n && !oom; i++) {
        char km[32], min[32], rel[32];
        fmt_num(km, sizeof km, num(fc.values[i * 6 + 2]), 0);
        fmt_num(min, sizeof min, num(fc.values[i * 6 + 3]) / 60, 0);
        fmt_num(rel, sizeof rel, lmax > 0 ? 100 * num(fc.values[i * 6 + 4]) / lmax : NAN, 0);
        char en[512] = "";
        if (t->lang != COR_LANG_ZH && fc.values[i * 6 + 5]) { /* Beijing–Tianjin */
            size_t len = 0;
            for (const char *q = fc.values[i * 6 + 5]; *q && len + 4 < sizeof en; q++) {
                if (*q == ';') {
                    memcpy(en + len, "\u2013", 3); /* en dash */
                    len += 3;
                } else
                    en[len++] = *q;
            }
            en[len] = 0;
        }
        char both[1024];
        snprintf(both, sizeof both, "%s %s", fc.values[i * 6 + 1] ? fc.values[i * 6 + 1] : "",
                 en);
        const char *name = t->lang == COR_LANG_ZH ? fc.values[i * 6 + 1]
                           : t->lang == COR_LANG_EN ? en : both;
        const char *row[] = { fc.values[i * 6], name, km, min, rel };
        oom = tab_add(&tc, row) != 0;
    }
    /* the strongest links: rows sorted by R_ab */
    size_t nl = fl.n;
    double *key = malloc((nl ? nl : 1) * 2 * sizeof *key);
    oom |= !key;
    for (size_t i = 0; !oom && i < nl; i++) {
        key[2 * i] = num(fl.values[i * 6 + 3]);
        if (!isfinite(key[2 * i]))
            key[2 * i] = -1;
        key[2 * i + 1] = (double)i;
    }
    if (!oom)
        qsort(key, nl, 2 * sizeof *key, cmp_double_desc);
    double rmax = nl && !oom ? key[0] : 0;
    for (size_t k = 0; !oom && k < nl && k < 15; k++) {
        size_t i = (size_t)key[2 * k + 1];
        char min[32], rel[32], fab[32], fba[32];
        fmt_num(min, sizeof min, num(fl.values[i * 6 + 2]) / 60, 0);
        fmt_num(rel, sizeof rel, rmax > 0 ? 100 * key[2 * k] / rmax : NAN, 1);
        fmt_num(fab, sizeof fab, num(fl.values[i * 6 + 4]), 1);
        fmt_num(fba, sizeof fba, num(fl.values[i * 6 + 5]), 1);
        const char *row[] = { display_name(t, J->names, fl.values[i * 6]),
                              display_name(t, J->names, fl.values[i * 6 + 1]), min, rel, fab,
                              fba };
        oom = tab_add(&tl, row) != 0;
    }
    free(key);
    int rc2 = EXIT_OK;
    const char *text = J->t.lang == COR_LANG_EN
        ? "Gravity linkage between the cities (population masses, travel time on the network "
          "with decay 2), all city pairs assigned to their fastest paths, and the corridors "
          "merged from the most loaded links, ranked by load x length."
        : "城市间引力联系（人口为质量，路网出行时间，衰减指数 2），全部城市对按最快路径分配流量，"
          "由负荷最大的路段合并成走廊，按“负荷×长度”排序。";
    if (oom) {
        fprintf(stderr, "%s: out of memory\n", J->c->prog);
        rc2 = EXIT_FAIL;
    } else {
        const char *hc[] = { tr(t, "排名", "Rank"), tr(t, "走廊", "Corridor"),
                             tr(t, "长度 km", "Length km"), tr(t, "时间 min", "Time min"),
                             tr(t, "相对强度", "Relative load") };
        const char *hl[] = { tr(t, "城市 A", "City A"), tr(t, "城市 B", "City B"),
                             tr(t, "时间 min", "Time min"), tr(t, "联系强度 %", "Linkage %"),
                             tr(t, "隶属度 A %", "F A %"), tr(t, "隶属度 B %", "F B %") };
        if (cor_report_heading(J->rep, tr(t, "经济走廊", "Economic corridors"), 1, &J->err) ||
            cor_report_paragraph(J->rep, text, &J->err) ||
            theme_map(J, "corridors", gp, tr(t, "经济走廊：路网上的城市间流量",
                                              "Economic corridors: city-to-city flows"), 125) ||
            add_table(J->rep, tr(t, "表 2  走廊排名", "Table 2  Corridors, ranked"), hc, "rlrrr",
                      &tc, &J->err) ||
            add_table(J->rep, tr(t, "表 3  最强的城市联系（相对最强者 = 100）",
                                 "Table 3  The strongest city linkages (strongest = 100)"),
                      hl, "llrrrr", &tl, &J->err))
            rc2 = failed(J);
        else
            json_array_append_new(J->sections, json_string("corridors"));
    }
    tab_free(&tc);
    tab_free(&tl);
    cor_features_free(&fc);
    cor_features_free(&fl);
    return rc2;
}

static int sites(job *J, const char *criteria, const char *candidates, const names_info *names)
{
    tr_ctx *t = &J->t;
    char gp[PATH_MAX], jp[PATH_MAX];
    const char *args[] = { "site", J->R->data, "--candidates", candidates, "--criteria",
                           criteria, "--top", "15", "--explain", "--json", "-q", "-o",
                           in_dir(J->R, gp, sizeof gp, "sites.gpkg"), NULL };
    int rc = run(J->R, args, in_dir(J->R, jp, sizeof jp, "sites.json"));
    if (rc)
        return rc;
    json_error_t je;
    json_t *doc = json_load_file(jp, 0, &je);
    json_t *crit = json_object_get(doc, "criteria"), *top = json_object_get(doc, "top");
    if (!doc || !json_is_array(crit) || !json_is_array(top)) {
        fprintf(stderr, "%s: %s: not the output of corridor site --json (%s)\n", J->c->prog, jp,
                doc ? "no criteria or top" : je.text);
        json_decref(doc);
        return EXIT_FAIL;
    }
    size_t nc = json_array_size(crit);
    if (nc > 12)
        nc = 12;
    strtab tab = { .n_cols = 3 + nc };
    /* the header in buffers of its own: tr() and display_name() reuse theirs row by row */
    const char *hdr[15];
    char hbuf[15][64], align[16], weights[600] = "";
    snprintf(hbuf[0], 64, "%s", tr(t, "排名", "Rank"));
    snprintf(hbuf[1], 64, "%s", tr(t, "候选地", "Site"));
    snprintf(hbuf[2], 64, "%s", tr(t, "总分", "Score"));
    strcpy(align, "rlr");
    size_t wl = 0;
    for (size_t j = 0; j < nc; j++) {
        json_t *cj = json_array_get(crit, j);
        const char *id = json_string_value(json_object_get(cj, "id"));
        snprintf(hbuf[3 + j], 64, "%s", id ? id : "?");
        int w = snprintf(weights + wl, sizeof weights - wl, "%s%s %.3f", j ? ", " : "",
                         id ? id : "?", json_number_value(json_object_get(cj, "weight")));
        if (w > 0 && (size_t)w < sizeof weights - wl)
            wl += (size_t)w;
        align[3 + j] = 'r';
    }
    for (size_t j = 0; j < 3 + nc; j++)
        hdr[j] = hbuf[j];
    align[3 + nc] = 0;
    int oom = 0;
    size_t i;
    json_t *s;
    json_array_foreach(top, i, s) {
        char rank[16], total[32], cbuf[12][32];
        const char *row[15];
        snprintf(rank, sizeof rank, "%lld",
                 (long long)json_integer_value(json_object_get(s, "rank")));
        fmt_num(total, sizeof total, json_number_value(json_object_get(s, "total")), 3);
        const char *name = json_string_value(json_object_get(s, "name"));
        row[0] = rank;
        row[1] = name ? display_name(t, names, name) : "";
        row[2] = total;
        json_t *contrib = json_object_get(s, "contributions");
        for (size_t j = 0; j < nc; j++) {
            const char *id = json_string_value(json_object_get(json_array_get(crit, j), "id"));
            json_t *v = id ? json_object_get(contrib, id) : NULL;
            fmt_num(cbuf[j], sizeof cbuf[j], v ? json_number_value(v) : NAN, 3);
            row[3 + j] = cbuf[j];
        }
        if ((oom = tab_add(&tab, row) != 0))
            break;
    }
    /* the criteria document's own name, and its file's name */
    json_t *cdoc = json_load_file(criteria, 0, &je);
    const char *name = json_string_value(json_object_get(cdoc, "name"));
    const char *base = strrchr(criteria, '/') ? strrchr(criteria, '/') + 1 : criteria;
    size_t n_cand = (size_t)json_integer_value(json_object_get(doc, "candidates"));
    size_t n_excl = (size_t)json_integer_value(json_object_get(doc, "excluded"));
    const char *how = json_string_value(json_object_get(doc, "method"));
    int topsis = how && !strcmp(how, "topsis");
    char text[1400];
    if (J->t.lang == COR_LANG_EN)
        snprintf(text, sizeof text,
                 "%s%s%zu candidate sites scored by %s on the criteria of %s; %zu are "
                 "excluded by its constraints. %s Weights: %s.", name ? name : "",
                 name ? ". " : "", n_cand,
                 topsis ? "TOPSIS" : "weighted linear combination", base, n_excl,
                 topsis ? "" : "The table gives each criterion's contribution (weight x "
                               "score) to the total.", weights);
    else
        snprintf(text, sizeof text,
                 "%s%s按 %s 的准则以%s对 %zu 个候选地评分，其中 %zu 个不满足约束条件被排除。%s"
                 "权重：%s。", name ? name : "", name ? "：" : "", base,
                 topsis ? " TOPSIS " : "加权线性组合", n_cand, n_excl,
                 topsis ? "" : "表中给出各准则对总分的贡献（权重 × 得分）。", weights);
    json_decref(cdoc);
    int rc2 = EXIT_OK;
    if (oom) {
        fprintf(stderr, "%s: out of memory\n", J->c->prog);
        rc2 = EXIT_FAIL;
    } else if (cor_report_heading(J->rep, tr(t, "选址评价", "Site evaluation"), 1, &J->err) ||
               cor_report_paragraph(J->rep, text, &J->err) ||
               theme_map(J, "sites", gp, tr(t, "候选地综合得分", "Candidate sites by score"),
                         125) ||
               add_table(J->rep, tr(t, "表 4  候选地排名与各准则贡献",
                                    "Table 4  Site ranking and each criterion's contribution"),
                         hdr, align, &tab, &J->err))
        rc2 = failed(J);
    else
        json_array_append_new(J->sections, json_string("sites"));
    tab_free(&tab);
    json_decref(doc);
    return rc2;
}

static int method(job *J)
{
    tr_ctx *t = &J->t;
    size_t cap = 256, len = 0;
    size_t i;
    json_t *cmd;
    json_array_foreach(J->R->commands, i, cmd) cap += strlen(json_string_value(cmd)) + 2;
    char *text = malloc(cap);
    if (!text) {
        fprintf(stderr, "%s: out of memory\n", J->c->prog);
        return EXIT_FAIL;
    }
    text[0] = 0;
    json_array_foreach(J->R->commands, i, cmd)
        len += (size_t)snprintf(text + len, cap - len, "%s\n", json_string_value(cmd));
    const char *intro = J->t.lang == COR_LANG_EN
        ? "Every figure and table comes from these commands, run on the same data; run them "
          "to reproduce or extend the analysis."
        : "本报告的图表均由以下命令在同一数据上生成，可据此复现或扩展分析。";
    const char *sources =
        "Natural Earth (public domain); © OpenStreetMap contributors (ODbL); IMF PortWatch "
        "(ports); OurAirports (airports); 2020 population census (city populations); parks "
        "from the cited sources in datasets/README.md.";
    int rc = EXIT_OK;
    if (cor_report_heading(J->rep, tr(t, "方法与数据来源", "Method and sources"), 1, &J->err) ||
        cor_report_paragraph(J->rep, intro, &J->err) ||
        cor_report_paragraph(J->rep, text, &J->err) ||
        cor_report_paragraph(J->rep, sources, &J->err))
        rc = failed(J);
    free(text);
    return rc;
}

/* The bundled criteria beside the bundled dataset, or NULL when there are none. */
static char *default_criteria(const char *data)
{
    const char *slash = strrchr(data, '/');
    size_t dl = slash ? (size_t)(slash - data) : 1;
    char *p = malloc(dl + 64);
    if (!p)
        return NULL;
    snprintf(p, dl + 64, "%.*s/criteria/relocate_beijing_function.json", (int)dl,
             slash ? data : ".");
    if (access(p, R_OK) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

int cmd_report(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor report" };
    enum { O_CRITERIA = 2000, O_CANDIDATES, O_LANG, O_TITLE, O_DATE, O_PAPER, O_STYLE, O_KEEP };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        { "criteria", required_argument, NULL, O_CRITERIA },
        { "candidates", required_argument, NULL, O_CANDIDATES },
        { "lang", required_argument, NULL, O_LANG },
        { "title", required_argument, NULL, O_TITLE },
        { "date", required_argument, NULL, O_DATE },
        { "paper", required_argument, NULL, O_PAPER },
        { "style", required_argument, NULL, O_STYLE },
        { "keep", required_argument, NULL, O_KEEP },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *output = NULL, *criteria = NULL, *candidates = "parks", *title = NULL;
    const char *date = NULL, *paper = "A4", *style_path = NULL, *keep = NULL;
    cor_lang lang = COR_LANG_ZH;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_common_option(&c, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        switch (opt) {
        case 'o': output = optarg; break;
        case O_CRITERIA: criteria = optarg; break;
        case O_CANDIDATES: candidates = optarg; break;
        case O_TITLE: title = optarg; break;
        case O_DATE: date = optarg; break;
        case O_STYLE: style_path = optarg; break;
        case O_KEEP: keep = optarg; break;
        case O_PAPER: {
            double w, h;
            int orient;
            if (!cor_paper_size_mm(optarg, &w, &h, &orient))
                return cli_usage_error(&c, USAGE, "--paper %s: unknown paper (A0 to A5)", optarg);
            paper = optarg;
            break;
        }
        case O_LANG: {
            int l = cor_lang_from_name(optarg);
            if (l < 0)
                return cli_usage_error(&c, USAGE, "--lang %s: want zh, en or both", optarg);
            lang = (cor_lang)l;
            break;
        }
        default:
            return cli_usage_error(&c, USAGE, "unexpected option");
        }
    }
    if (!output)
        return cli_usage_error(&c, USAGE, "-o REPORT.pdf is required");
    if (cor_render_format_from_path(output) != COR_FORMAT_PDF)
        return cli_usage_error(&c, USAGE, "%s: a report is written as PDF (.pdf)", output);
    if (argc - optind > 1)
        return cli_usage_error(&c, USAGE, "unexpected argument '%s'", argv[optind + 1]);
    if (!*candidates)
        return cli_usage_error(&c, USAGE, "--candidates: empty");

    double t0 = 0;
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t0 = ts.tv_sec + ts.tv_nsec / 1e9;
    }
    runner R = { .c = &c, .commands = json_array() };
    job J = { .c = &c, .R = &R, .t = { .lang = lang }, .sections = json_array(),
              .err = COR_ERROR_INIT };
    char *crit_default = NULL;
    cor_style *style = NULL;
    names_info names = { 0 };
    int rc = EXIT_FAIL, made_dir = 0;
    ssize_t nexe = readlink("/proc/self/exe", R.exe, sizeof R.exe - 1);
    if (nexe <= 0) {
        fprintf(stderr, "%s: cannot find the corridor binary (/proc/self/exe): %s\n", c.prog,
                strerror(errno));
        goto out;
    }
    R.exe[nexe] = 0;
    if (!(J.ds = cli_open_dataset(&c, argc, argv, optind)))
        goto out;
    R.data = c.data;
    if (!criteria) {
        /* only the bundled dataset has the example's criteria */
        char a[PATH_MAX], b[PATH_MAX];
        if (realpath(c.data, a) && realpath(cli_default_data(), b) && !strcmp(a, b))
            criteria = crit_default = default_criteria(b);
        if (!criteria && !c.quiet)
            fprintf(stderr, "%s: no --criteria given and no bundled example for %s: the site "
                            "pages are left out\n", c.prog, c.data);
    } else if (!strcmp(criteria, "none"))
        criteria = NULL;
    else if (access(criteria, R_OK) != 0) {
        fprintf(stderr, "%s: --criteria %s: %s\n", c.prog, criteria, strerror(errno));
        goto out;
    }
    if (!(style = style_path ? cor_style_load(style_path, &J.err) : cor_style_default(&J.err))) {
        cli_fail(&c, &J.err);
        goto out;
    }
    static const char *const PF[] = { "name", "name_zh", "chain" };
    static const char *const NL[N_NAME_LAYERS] = { "parks", "ports", "airports", "cities" };
    for (size_t l = 0; l < N_NAME_LAYERS; l++)
        if (cor_dataset_read_layer(J.ds, NL[l], PF, 3, &names.f[l], &J.err)) {
            cli_fail(&c, &J.err);
            goto out;
        }
    if (keep) {
        if (mkdir(keep, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "%s: --keep %s: %s\n", c.prog, keep, strerror(errno));
            goto out;
        }
        snprintf(R.dir, sizeof R.dir, "%s", keep);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(R.dir, sizeof R.dir, "%s/corridor-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(R.dir)) {
            fprintf(stderr, "%s: cannot make a work folder %s: %s\n", c.prog, R.dir,
                    strerror(errno));
            goto out;
        }
        made_dir = 1;
    }
    J.names = &names;
    tr_ctx *t = &J.t;
    cor_report_opts ro = {
        .title = title ? title : tr(t, "京津冀交通走廊、可达性与选址评价报告",
                                    "Jing-Jin-Ji transport corridors, accessibility and sites"),
        .date = date,
        .sources = "Natural Earth · © OpenStreetMap contributors · IMF PortWatch · OurAirports "
                   "· 2020 census",
        .paper = paper,
        .lang = lang,
    };
    if (!(J.rep = cor_report_create(style, &ro, &J.err))) {
        cli_fail(&c, &J.err);
        goto out;
    }
    if (overview(&J, &names) || accessibility(&J, &names) || corridors(&J) ||
        (criteria && sites(&J, criteria, candidates, &names)) || method(&J))
        goto out;
    int pages = 0;
    if (cor_report_write(J.rep, output, &pages, &J.err)) {
        cli_fail(&c, &J.err);
        goto out;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double dt = ts.tv_sec + ts.tv_nsec / 1e9 - t0;
    if (c.json) {
        cli_print_json(json_pack("{s:s, s:i, s:O, s:O, s:f}", "output", output, "pages", pages,
                                 "sections", J.sections, "commands", R.commands, "time_s",
                                 round(dt * 100) / 100));
    } else if (!c.quiet)
        printf("Wrote %s: %d pages (%zu sections) in %.1f s\n", output, pages,
               json_array_size(J.sections), dt);
    rc = EXIT_OK;
out:
    if (made_dir)
        nftw(R.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    cor_report_destroy(J.rep);
    for (size_t l = 0; l < N_NAME_LAYERS; l++)
        cor_features_free(&names.f[l]);
    cor_style_destroy(style);
    cor_dataset_close(J.ds);
    free(crit_default);
    json_decref(R.commands);
    json_decref(J.sections);
    cli_ctx_free(&c);
    return rc;
}
