/* scenario.c: reading scenario files (jansson) and applying their edits (new rail and road
 * lines, speed changes, closures, terminals) to a copy of a built network. */
#include "corridor/scenario.h"
#include "corridor/geomops.h"
#include "corridor/graph_edit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE32 UINT32_MAX

struct cor_scenario {
    json_t *root;
    json_t *edits;              /* borrowed from root */
    char *origin, *dir, *name;
};

const char *cor_edit_kind_name(cor_edit_kind k)
{
    static const char *const N[] = { "add", "speed", "close" };
    return (unsigned)k < 3 ? N[k] : "?";
}

void cor_scenario_destroy(cor_scenario *s)
{
    if (!s)
        return;
    json_decref(s->root);
    free(s->origin);
    free(s->dir);
    free(s->name);
    free(s);
}

const char *cor_scenario_name(const cor_scenario *s) { return s->name ? s->name : ""; }
size_t cor_scenario_edit_count(const cor_scenario *s) { return json_array_size(s->edits); }

static char *dupstr(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s ? s : "", n + 1);
    return d;
}

static const char *const EDIT_TYPES[] = { "add_line", "change_speed", "close", "add_terminal" };
enum { E_ADD_LINE = 0, E_SPEED, E_CLOSE, E_TERMINAL };

static int edit_type(const json_t *e)
{
    const char *t = json_string_value(json_object_get(e, "type"));
    for (int i = 0; t && i < 4; i++)
        if (!strcmp(t, EDIT_TYPES[i]))
            return i;
    return -1;
}

/* The class named c for mode (rail: highspeed, conventional; road: major_highway, road). */
static int class_for(const char *c, int rail)
{
    for (int k = 0; k < COR_CLASS_COUNT; k++)
        if (!strcasecmp(c, cor_class_name((cor_line_class)k)))
            return (k <= COR_CLASS_CONVENTIONAL) == rail ? k : -2;
    return -1;
}

/* A speed_kmh member: absent (NAN, when optional) or a finite number > 0. */
static cor_status get_speed(const cor_scenario *s, size_t i, const json_t *e, int required,
                            double *out, cor_error *err)
{
    const json_t *v = json_object_get(e, "speed_kmh");
    *out = NAN;
    if (!v && !required)
        return COR_OK;
    if (!v)
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: speed_kmh is required",
                             s->origin, i);
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(x > 0) || !isfinite(x) || x > 1000)
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].speed_kmh: must be a number "
                             "> 0 and <= 1000 km/h", s->origin, i);
    *out = x;
    return COR_OK;
}

static int is_string_array(const json_t *a, size_t min)
{
    if (!json_is_array(a) || json_array_size(a) < min)
        return 0;
    for (size_t k = 0; k < json_array_size(a); k++)
        if (!json_is_string(json_array_get(a, k)) ||
            !*json_string_value(json_array_get(a, k)))
            return 0;
    return 1;
}

static cor_status check_edit(const cor_scenario *s, size_t i, const json_t *e, cor_error *err)
{
    const char *o = s->origin;
    if (!json_is_object(e))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: not an object", o, i);
    const json_t *tv = json_object_get(e, "type");
    if (!json_is_string(tv))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].type: missing (add_line, "
                             "change_speed, close, add_terminal)", o, i);
    int t = edit_type(e);
    if (t < 0)
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].type: unknown edit type "
                             "'%s' (add_line, change_speed, close, add_terminal)", o, i,
                             json_string_value(tv));
    const json_t *name = json_object_get(e, "name");
    if (name && !json_is_string(name))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].name: not a string", o, i);
    double sp;
    switch (t) {
    case E_ADD_LINE: {
        const char *mode = json_string_value(json_object_get(e, "mode"));
        if (!mode || (strcmp(mode, "rail") && strcmp(mode, "road")))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].mode: must be rail or "
                                 "road", o, i);
        const char *cls = json_string_value(json_object_get(e, "class"));
        if (json_object_get(e, "class") && (!cls || class_for(cls, !strcmp(mode, "rail")) < 0))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].class: '%s' is not a %s "
                                 "class (%s)", o, i, cls ? cls : "?", mode,
                                 strcmp(mode, "rail") ? "major_highway, road"
                                                      : "highspeed, conventional");
        if (get_speed(s, i, e, 0, &sp, err) != COR_OK)
            return err ? err->code : COR_ERR_CONFIG;
        const json_t *pl = json_object_get(e, "places"), *ge = json_object_get(e, "geometry");
        if (!!pl == !!ge)
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: give the course as "
                                 "either places (a list) or geometry (GeoJSON or a file)", o, i);
        if (pl && !is_string_array(pl, 2))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].places: must list at "
                                 "least two place names or LON,LAT strings", o, i);
        if (ge && !json_is_object(ge) && !(json_is_string(ge) && *json_string_value(ge)))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].geometry: must be a "
                                 "GeoJSON object or a file path", o, i);
        const json_t *st = json_object_get(e, "stations");
        if (st && !is_string_array(st, 0))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].stations: must be a list "
                                 "of place names or LON,LAT strings", o, i);
        if (st && strcmp(mode, "rail"))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].stations: only rail "
                                 "lines have stations", o, i);
        return COR_OK;
    }
    case E_SPEED: {
        if (get_speed(s, i, e, 1, &sp, err) != COR_OK)
            return err ? err->code : COR_ERR_CONFIG;
        const json_t *cls = json_object_get(e, "class"), *within = json_object_get(e, "within");
        if (!!name == !!cls)
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: change_speed needs "
                                 "either name (a line) or class with within (a polygon)", o, i);
        if (cls) {
            const char *c = json_string_value(cls);
            if (!c || (class_for(c, 1) < 0 && class_for(c, 0) < 0))
                return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].class: unknown class "
                                     "(highspeed, conventional, major_highway, road)", o, i);
            if (!within || !(json_is_object(within) ||
                             (json_is_string(within) && *json_string_value(within))))
                return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].within: a polygon "
                                     "name or an inline GeoJSON polygon is required", o, i);
        }
        return COR_OK;
    }
    case E_CLOSE: {
        const json_t *line = json_object_get(e, "line"), *st = json_object_get(e, "station");
        if (!line && name)
            line = name;
        if (!!line == !!st || (line && (!json_is_string(line) || !*json_string_value(line))) ||
            (st && (!json_is_string(st) || !*json_string_value(st))))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: close needs either "
                                 "line (a name) or station (a name)", o, i);
        return COR_OK;
    }
    default: { /* add_terminal */
        const char *role = json_string_value(json_object_get(e, "role"));
        if (!role || (strcmp(role, "port") && strcmp(role, "airport") && strcmp(role, "park")))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].role: must be port, "
                                 "airport or park", o, i);
        const char *at = json_string_value(json_object_get(e, "at"));
        if (!at || !*at)
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].at: a LON,LAT point or "
                                 "place name is required", o, i);
        if (!name || !*json_string_value(name))
            return cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu].name: required", o, i);
        return COR_OK;
    }
    }
}

cor_scenario *cor_scenario_parse(const char *json, const char *origin, const char *base_dir,
                                 cor_error *err)
{
    cor_scenario *s = calloc(1, sizeof *s);
    if (!s || !(s->origin = dupstr(origin ? origin : "scenario")) ||
        !(s->dir = dupstr(base_dir ? base_dir : "."))) {
        cor_scenario_destroy(s);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory reading a scenario");
        return NULL;
    }
    json_error_t je;
    s->root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!s->root) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: line %d: %s", s->origin, je.line, je.text);
        goto fail;
    }
    if (!json_is_object(s->root)) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: not a JSON object", s->origin);
        goto fail;
    }
    const json_t *nm = json_object_get(s->root, "name");
    if (nm && !json_is_string(nm)) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: name: not a string", s->origin);
        goto fail;
    }
    if (!(s->name = dupstr(json_string_value(nm)))) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto fail;
    }
    s->edits = json_object_get(s->root, "edits");
    if (!json_is_array(s->edits) || !json_array_size(s->edits)) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: edits: a non-empty list of edits is required",
                      s->origin);
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(s->edits); i++)
        if (check_edit(s, i, json_array_get(s->edits, i), err) != COR_OK)
            goto fail;
    return s;
fail:
    cor_scenario_destroy(s);
    return NULL;
}

cor_scenario *cor_scenario_load(const char *path, cor_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cor_error_set(err, COR_ERR_IO, "%s: cannot open", path);
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", path);
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        cor_error_set(err, COR_ERR_IO, "%s: read error", path);
        return NULL;
    }
    buf[n] = '\0';
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    cor_scenario *s = cor_scenario_parse(buf, path, dir, err);
    free(buf);
    return s;
}

/* ---- results -------------------------------------------------------------------------------- */
void cor_scenario_result_free(cor_scenario_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_lines; i++) {
        free(r->lines[i].name);
        free(r->lines[i].xy);
    }
    free(r->lines);
    for (size_t i = 0; i < r->n_places; i++)
        free(r->places[i].name);
    free(r->places);
    memset(r, 0, sizeof *r);
}

/* ---- applying ------------------------------------------------------------------------------ */
typedef struct { int64_t fid; char *names[3]; } fid_names;
typedef struct { fid_names *v; size_t n; int loaded; } name_table;

/* Links of a line added by the scenario, for later edits by name. */
typedef struct { char *name; uint32_t *links; size_t n; int rail; } added_line;

typedef struct {
    const cor_scenario *s;
    const cor_engine *e;
    const cor_graph *g;
    cor_scenario_opts o;
    cor_graph_edit *ed;
    cor_scenario_result *res;
    name_table names[2];        /* 0 rail, 1 road */
    added_line *added;
    size_t n_added;
    cor_bbox extent;
    const cor_speeds *sp;
    cor_error *err;
} applier;

static int cmp_fid_names(const void *a, const void *b)
{
    const fid_names *x = a, *y = b;
    return (x->fid > y->fid) - (x->fid < y->fid);
}

static void names_free(name_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < 3; k++)
            free(t->v[i].names[k]);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static cor_status names_load(applier *a, int road)
{
    name_table *t = &a->names[road];
    if (t->loaded)
        return COR_OK;
    t->loaded = 1;
    if (!a->o.ds)
        return COR_OK;
    const char *layer = cor_dataset_role_layer(a->o.ds, road ? COR_ROLE_ROAD : COR_ROLE_RAIL);
    if (!layer)
        return COR_OK;
    static const char *const F[3] = { "name", "name_en", "name_zh" };
    cor_features f;
    if (cor_dataset_read_layer(a->o.ds, layer, F, 3, &f, a->err) != COR_OK)
        return a->err ? a->err->code : COR_ERR_IO;
    if (!(t->v = calloc(f.n + 1, sizeof *t->v))) {
        cor_features_free(&f);
        return cor_error_set(a->err, COR_ERR_NOMEM, "out of memory reading line names");
    }
    for (size_t i = 0; i < f.n; i++) {
        t->v[t->n].fid = f.fid[i];
        int any = 0;
        for (int k = 0; k < 3; k++) {
            const char *v = f.values[i * 3 + (size_t)k];
            if (v && *v) {
                t->v[t->n].names[k] = dupstr(v);
                any = 1;
            }
        }
        if (any)
            t->n++;
    }
    cor_features_free(&f);
    qsort(t->v, t->n, sizeof *t->v, cmp_fid_names);
    return COR_OK;
}

static int fid_has_name(const name_table *t, int64_t fid, const char *name)
{
    fid_names key = { .fid = fid };
    const fid_names *h = bsearch(&key, t->v, t->n, sizeof *t->v, cmp_fid_names);
    if (!h)
        return 0;
    for (int k = 0; k < 3; k++)
        if (h->names[k] && !strcasecmp(h->names[k], name))
            return 1;
    return 0;
}

static cor_status oom(applier *a)
{
    return cor_error_set(a->err, COR_ERR_NOMEM, "out of memory applying the scenario");
}

static cor_status add_result_line(applier *a, const char *name, int rail, cor_line_class cls,
                                  double speed, cor_edit_kind edit, const double *xy, size_t n)
{
    cor_scenario_result *r = a->res;
    if (!r)
        return COR_OK;
    cor_scenario_line *nl = realloc(r->lines, (r->n_lines + 1) * sizeof *nl);
    if (!nl)
        return oom(a);
    r->lines = nl;
    cor_scenario_line *L = &r->lines[r->n_lines];
    L->name = dupstr(name);
    L->xy = malloc(2 * n * sizeof *L->xy + 1);
    if (!L->name || !L->xy) {
        free(L->name);
        free(L->xy);
        return oom(a);
    }
    memcpy(L->xy, xy, 2 * n * sizeof *xy);
    L->n = n;
    L->mode = rail ? "rail" : "road";
    L->cls = cls;
    L->speed_kmh = speed;
    L->edit = edit;
    r->n_lines++;
    return COR_OK;
}

static cor_status add_result_place(applier *a, const char *name, cor_role role, uint32_t node,
                                   double x, double y)
{
    cor_scenario_result *r = a->res;
    if (!r)
        return COR_OK;
    cor_scenario_place *np = realloc(r->places, (r->n_places + 1) * sizeof *np);
    if (!np)
        return oom(a);
    r->places = np;
    if (!(np[r->n_places].name = dupstr(name)))
        return oom(a);
    np[r->n_places].role = role;
    np[r->n_places].node = node;
    np[r->n_places].x_m = x;
    np[r->n_places].y_m = y;
    r->n_places++;
    return COR_OK;
}

static int in_extent(const applier *a, double x, double y)
{
    double m = a->o.extent_margin_m;
    return x >= a->extent.min_x - m && x <= a->extent.max_x + m && y >= a->extent.min_y - m &&
           y <= a->extent.max_y + m;
}

/* A located course point or station. */
typedef struct {
    cor_location loc;
    double t;                   /* chainage along the course, m */
    uint32_t rail_node;
} stop;

/* Locates spec for the member what[k] of edit i (k == SIZE_MAX: the member what itself). */
static cor_status locate(applier *a, const char *spec, const char *what, size_t i, size_t k,
                         cor_location *out)
{
    char jp[96];
    if (k == SIZE_MAX)
        snprintf(jp, sizeof jp, "edits[%zu].%s", i, what);
    else
        snprintf(jp, sizeof jp, "edits[%zu].%s[%zu]", i, what, k);
    cor_error sub = COR_ERROR_INIT;
    if (!a->o.xy_of_lonlat && strchr(spec, ','))
        return cor_error_set(a->err, COR_ERR_INPUT, "%s: %s: LON,LAT points need a "
                             "dataset", a->s->origin, jp);
    if (cor_engine_locate(a->e, spec, a->o.max_snap_m, a->o.xy_of_lonlat, a->o.lonlat_user, out,
                          &sub) != COR_OK)
        return cor_error_set(a->err, sub.code == COR_ERR_NOMEM ? COR_ERR_NOMEM : COR_ERR_INPUT,
                             "%s: %s: %s", a->s->origin, jp, sub.msg);
    if (!in_extent(a, out->x_m, out->y_m))
        return cor_error_set(a->err, COR_ERR_INPUT, "%s: %s: '%s' lies outside the network's "
                             "extent", a->s->origin, jp, spec);
    return COR_OK;
}

/* Chainage of the point on the polyline nearest to (x, y); *d gets the distance. */
static double chainage(const double *xy, size_t n, double x, double y, double *d)
{
    double best = INFINITY, bt = 0, run = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        const double *p = xy + 2 * k, *q = p + 2;
        double dx = q[0] - p[0], dy = q[1] - p[1], l2 = dx * dx + dy * dy, len = sqrt(l2);
        double u = l2 > 0 ? ((x - p[0]) * dx + (y - p[1]) * dy) / l2 : 0;
        u = u < 0 ? 0 : u > 1 ? 1 : u;
        double dd = hypot(x - (p[0] + u * dx), y - (p[1] + u * dy));
        if (dd < best) {
            best = dd;
            bt = run + u * len;
        }
        run += len;
    }
    *d = best;
    return bt;
}

static double poly_length(const double *xy, size_t n)
{
    double l = 0;
    for (size_t k = 0; k + 1 < n; k++)
        l += hypot(xy[2 * k + 2] - xy[2 * k], xy[2 * k + 3] - xy[2 * k + 1]);
    return l;
}

/* The part of the polyline between chainages t0 < t1 into out (room for n + 2 points). */
static size_t sub_line(const double *xy, size_t n, double t0, double t1, double *out)
{
    size_t m = 0;
    double run = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        const double *p = xy + 2 * k, *q = p + 2;
        double len = hypot(q[0] - p[0], q[1] - p[1]);
        double a = run, b = run + len;
        if (b >= t0 && a <= t1 && len > 0) {
            if (!m) {
                double u = (t0 - a) / len;
                u = u < 0 ? 0 : u;
                out[0] = p[0] + u * (q[0] - p[0]);
                out[1] = p[1] + u * (q[1] - p[1]);
                m = 1;
            }
            if (b <= t1) {
                out[2 * m] = q[0];
                out[2 * m + 1] = q[1];
                m++;
            } else {
                double u = (t1 - a) / len;
                out[2 * m] = p[0] + u * (q[0] - p[0]);
                out[2 * m + 1] = p[1] + u * (q[1] - p[1]);
                m++;
                break;
            }
        }
        run = b;
    }
    if (m == 1) { /* zero-length piece */
        out[2] = out[0];
        out[3] = out[1];
        m = 2;
    }
    return m;
}

static cor_status remember_added(applier *a, const char *name, int rail, const uint32_t *links,
                                 size_t n)
{
    added_line *na = realloc(a->added, (a->n_added + 1) * sizeof *na);
    if (!na)
        return oom(a);
    a->added = na;
    added_line *L = &a->added[a->n_added];
    L->name = dupstr(name);
    L->links = malloc((n + 1) * sizeof *L->links);
    if (!L->name || !L->links) {
        free(L->name);
        free(L->links);
        return oom(a);
    }
    memcpy(L->links, links, n * sizeof *links);
    L->n = n;
    L->rail = rail;
    a->n_added++;
    return COR_OK;
}

/* Joins node (at x, y) to the nearest road node of the base network: an access link. */
static cor_status join_road(applier *a, uint32_t node, double x, double y, cor_edge_kind kind,
                            double kmh, int *joined)
{
    cor_anchor an;
    double snap;
    cor_error sub = COR_ERROR_INIT;
    *joined = 0;
    if (cor_engine_anchor_xy(a->e, x, y, a->o.max_snap_m, &an, &snap, &sub) != COR_OK ||
        an.node == COR_UNREACHABLE)
        return COR_OK;
    double len = an.offset_m;
    double t = kind == COR_EDGE_ACCESS ? an.offset_ms / 1000.0 : len / (kmh / 3.6);
    if (cor_graph_edit_add_link(a->ed, node, an.node, kind,
                                kind == COR_EDGE_ROAD ? COR_CLASS_ROAD : COR_CLASS_HIGHSPEED,
                                NULL, 0, len, t) == NONE32)
        return oom(a);
    *joined = 1;
    return COR_OK;
}

/* A station at stop st for the rail node rn: an existing station is boarded directly;
 * elsewhere a new station joins the place it stands for and the road network. */
static cor_status make_station(applier *a, const stop *st, uint32_t rn, const char *line)
{
    const cor_graph_place *gp = st->loc.place >= 0 ? cor_graph_place_get(a->g,
                                                                         (size_t)st->loc.place)
                                                   : NULL;
    uint32_t sn;
    double sx = st->loc.x_m, sy = st->loc.y_m;
    const double *rxy = cor_graph_edit_node_xy(a->ed, rn);
    if (gp && gp->role == COR_ROLE_STATION) {
        sn = gp->node;
    } else {
        if ((sn = cor_graph_edit_add_node(a->ed, sx, sy, COR_NODE_STATION)) == NONE32)
            return oom(a);
        rxy = cor_graph_edit_node_xy(a->ed, rn); /* the node array may have moved */
        int joined = 0;
        if (gp && gp->node != COR_UNREACHABLE) { /* the city or port it stands at */
            if (cor_graph_edit_add_link(a->ed, sn, gp->node, COR_EDGE_ACCESS, COR_CLASS_HIGHSPEED,
                                        NULL, 0, 0.0, 0.0) == NONE32)
                return oom(a);
            joined = 1;
        }
        int road = 0;
        if (join_road(a, sn, sx, sy, COR_EDGE_ACCESS, a->sp->access_kmh, &road) != COR_OK)
            return a->err ? a->err->code : COR_ERR_NOMEM;
        if (!joined && !road)
            cor_log(&a->o.log, COR_LOG_WARN, "%s: new station %s on %s joins no road",
                    a->s->origin, st->loc.label, line);
        char name[256];
        snprintf(name, sizeof name, "%s (%s)", gp ? gp->name : st->loc.label, line);
        if (cor_graph_edit_add_place(a->ed, COR_ROLE_STATION, name, gp ? gp->name_zh : "", sn,
                                     0.0, a->err) != COR_OK ||
            add_result_place(a, name, COR_ROLE_STATION, sn, sx, sy) != COR_OK)
            return a->err ? a->err->code : COR_ERR_NOMEM;
    }
    const double *sxy = cor_graph_edit_node_xy(a->ed, sn);
    double d = hypot(sxy[0] - rxy[0], sxy[1] - rxy[1]);
    if (cor_graph_edit_add_link(a->ed, sn, rn, COR_EDGE_BOARD, COR_CLASS_HIGHSPEED, NULL, 0, d,
                                a->sp->board_s) == NONE32 ||
        cor_graph_edit_add_link(a->ed, rn, sn, COR_EDGE_ALIGHT, COR_CLASS_HIGHSPEED, NULL, 0, d,
                                a->sp->alight_s) == NONE32)
        return oom(a);
    return COR_OK;
}

static int cmp_stop(const void *x, const void *y)
{
    const stop *a = x, *b = y;
    return (a->t > b->t) - (a->t < b->t);
}

/* The course of an add_line edit as geometry: one line, in the working CRS. */
static cor_status course_geometry(applier *a, size_t i, const json_t *ge, double **xy, size_t *n)
{
    cor_geoms gm;
    cor_error sub = COR_ERROR_INIT;
    cor_status st;
    const char *crs = cor_graph_crs(a->g);
    if (json_is_string(ge)) {
        const char *p = json_string_value(ge);
        char path[4096];
        if (p[0] == '/' || strstr(p, ":") || !strcmp(a->s->dir, "."))
            snprintf(path, sizeof path, "%s", p);
        else
            snprintf(path, sizeof path, "%s/%s", a->s->dir, p);
        st = cor_geoms_from_file(path, crs, &gm, &sub);
    } else {
        char *txt = json_dumps(ge, JSON_COMPACT);
        if (!txt)
            return oom(a);
        st = cor_geoms_from_geojson(txt, crs, &gm, &sub);
        free(txt);
    }
    if (st != COR_OK)
        return cor_error_set(a->err, st, "%s: edits[%zu].geometry: %s", a->s->origin, i,
                             sub.msg);
    if (gm.n_lines != 1) {
        cor_geoms_free(&gm);
        return cor_error_set(a->err, COR_ERR_INPUT, "%s: edits[%zu].geometry: %zu lines; one "
                             "LineString course is expected", a->s->origin, i, gm.n_lines);
    }
    size_t m = gm.start[1] - gm.start[0];
    for (size_t k = 0; k < m; k++)
        if (!in_extent(a, gm.xy[2 * k], gm.xy[2 * k + 1])) {
            cor_geoms_free(&gm);
            return cor_error_set(a->err, COR_ERR_INPUT, "%s: edits[%zu].geometry: point %zu "
                                 "lies outside the network's extent", a->s->origin, i, k);
        }
    *xy = gm.xy;
    *n = m;
    gm.xy = NULL;
    cor_geoms_free(&gm);
    return COR_OK;
}

/* A cut of a new course: where it gets a node (an existing one for a crossing road). */
typedef struct { double t; uint32_t node; int on_road; } cut;

static int cmp_cut(const void *x, const void *y)
{
    const cut *a = x, *b = y;
    return (a->t > b->t) - (a->t < b->t);
}

/* A crossing of the course with a road link: the link's segment seg at fraction u, the
 * course at chainage t. */
typedef struct { uint32_t link; uint32_t seg; double u, t; } crossing;

static int cmp_crossing(const void *x, const void *y)
{
    const crossing *a = x, *b = y;
    if (a->link != b->link)
        return a->link < b->link ? -1 : 1;
    if (a->seg != b->seg) /* within a link: the farthest first */
        return a->seg > b->seg ? -1 : 1;
    return (a->u < b->u) - (a->u > b->u);
}

/* Proper intersection of segments p0p1 and q0q1: fractions along each. */
static int seg_cross(const double *p0, const double *p1, const double *q0, const double *q1,
                     double *s, double *u)
{
    double rx = p1[0] - p0[0], ry = p1[1] - p0[1], sx = q1[0] - q0[0], sy = q1[1] - q0[1];
    double den = rx * sy - ry * sx;
    if (fabs(den) < 1e-12)
        return 0;
    double qpx = q0[0] - p0[0], qpy = q0[1] - p0[1];
    *s = (qpx * sy - qpy * sx) / den;
    *u = (qpx * ry - qpy * rx) / den;
    return *s >= 0 && *s <= 1 && *u >= 0 && *u <= 1;
}

/* Joins a new road course to every base road link it crosses: the crossed links are cut
 * there and the cuts (chainage and node) appended to *cuts. */
static cor_status road_crossings(applier *a, const double *xy, size_t n, size_t n_base_links,
                                 cut **cuts, size_t *ncut, size_t *cap)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        minx = fmin(minx, xy[2 * k]);
        maxx = fmax(maxx, xy[2 * k]);
        miny = fmin(miny, xy[2 * k + 1]);
        maxy = fmax(maxy, xy[2 * k + 1]);
    }
    double *run = malloc((n + 1) * sizeof *run); /* chainage of every course point */
    if (!run)
        return oom(a);
    run[0] = 0;
    for (size_t k = 0; k + 1 < n; k++)
        run[k + 1] = run[k] + hypot(xy[2 * k + 2] - xy[2 * k], xy[2 * k + 3] - xy[2 * k + 1]);
    double total = run[n - 1];
    crossing *cx = NULL;
    size_t nx = 0, cx_cap = 0;
    cor_status st = COR_OK;
    for (uint32_t l = 0; l < n_base_links && st == COR_OK; l++) {
        cor_link_info li;
        cor_graph_edit_link_get(a->ed, l, &li);
        if (li.kind != COR_EDGE_ROAD || cor_graph_edit_link_removed(a->ed, l))
            continue;
        double buf[4];
        const double *pts;
        size_t m = cor_graph_edit_link_points(a->ed, l, buf, &pts);
        double lx0 = INFINITY, ly0 = INFINITY, lx1 = -INFINITY, ly1 = -INFINITY;
        for (size_t k = 0; k < m; k++) {
            lx0 = fmin(lx0, pts[2 * k]);
            lx1 = fmax(lx1, pts[2 * k]);
            ly0 = fmin(ly0, pts[2 * k + 1]);
            ly1 = fmax(ly1, pts[2 * k + 1]);
        }
        if (lx1 < minx || lx0 > maxx || ly1 < miny || ly0 > maxy)
            continue;
        for (size_t j = 0; j + 1 < m && st == COR_OK; j++)
            for (size_t k = 0; k + 1 < n; k++) {
                double sc, u;
                if (!seg_cross(xy + 2 * k, xy + 2 * k + 2, pts + 2 * j, pts + 2 * j + 2, &sc, &u))
                    continue;
                double t = run[k] + sc * (run[k + 1] - run[k]);
                if (t < 1.0 || t > total - 1.0) /* at the course's ends: joined there anyway */
                    continue;
                if (nx == cx_cap) {
                    size_t nc = cx_cap ? 2 * cx_cap : 16;
                    crossing *ncx = realloc(cx, nc * sizeof *ncx);
                    if (!ncx) {
                        st = oom(a);
                        break;
                    }
                    cx = ncx;
                    cx_cap = nc;
                }
                cx[nx++] = (crossing){ l, (uint32_t)j, u, t };
            }
    }
    if (st == COR_OK)
        qsort(cx, nx, sizeof *cx, cmp_crossing);
    uint32_t cur = NONE32, prev_link = NONE32;
    for (size_t q = 0; st == COR_OK && q < nx; q++) {
        if (cx[q].link != prev_link) {
            cur = cx[q].link;
            prev_link = cx[q].link;
        }
        uint32_t node;
        if (cx[q].u <= 1e-9 || cx[q].u >= 1 - 1e-9) { /* at a vertex: a node only if an end */
            cor_link_info li;
            cor_graph_edit_link_get(a->ed, cur, &li);
            double buf[4];
            const double *pts;
            size_t m = cor_graph_edit_link_points(a->ed, cur, buf, &pts);
            size_t vi = cx[q].seg + (cx[q].u >= 0.5 ? 1 : 0);
            if (vi == 0)
                node = li.u;
            else if (vi + 1 == m)
                node = li.v;
            else
                continue; /* an inner vertex: the next crossing (same point) handles it */
        } else {
            uint32_t first;
            node = cor_graph_edit_split_link(a->ed, cur, cx[q].seg, cx[q].u, COR_NODE_ROAD,
                                             &first);
            if (node == NONE32) {
                st = oom(a);
                break;
            }
            cur = first;
        }
        if (*ncut == *cap) {
            size_t nc = *cap ? 2 * *cap : 16;
            cut *ncuts = realloc(*cuts, nc * sizeof *ncuts);
            if (!ncuts) {
                st = oom(a);
                break;
            }
            *cuts = ncuts;
            *cap = nc;
        }
        (*cuts)[(*ncut)++] = (cut){ cx[q].t, node, 1 };
    }
    free(cx);
    free(run);
    return st;
}

static cor_status apply_add_line(applier *a, size_t i, const json_t *e)
{
    int rail = !strcmp(json_string_value(json_object_get(e, "mode")), "rail");
    const char *cls_s = json_string_value(json_object_get(e, "class"));
    double speed;
    if (get_speed(a->s, i, e, 0, &speed, a->err) != COR_OK)
        return a->err ? a->err->code : COR_ERR_CONFIG;
    cor_line_class cls = cls_s ? (cor_line_class)class_for(cls_s, rail)
                         : rail ? (isnan(speed) || speed >= 200 ? COR_CLASS_HIGHSPEED
                                                                 : COR_CLASS_CONVENTIONAL)
                                : COR_CLASS_MAJOR_HIGHWAY;
    if (isnan(speed))
        speed = cor_speeds_class_kmh(a->sp, cls);
    char name[200];
    const char *nm = json_string_value(json_object_get(e, "name"));
    if (nm && *nm)
        snprintf(name, sizeof name, "%s", nm);
    else
        snprintf(name, sizeof name, "new %s line %zu", rail ? "rail" : "road", i + 1);

    const json_t *pl = json_object_get(e, "places"), *stl = json_object_get(e, "stations");
    size_t n = 0, ns = 0, ncut = 0, cut_cap = 0;
    double *xy = NULL, *piece = NULL;
    cut *cuts = NULL;
    stop *stops = NULL;
    uint32_t *links = NULL;
    size_t nlinks = 0, n_base_links = cor_graph_edit_link_count(a->ed);
    cor_status st = COR_OK;
    if (pl) {
        n = json_array_size(pl);
        xy = malloc(2 * n * sizeof *xy + 1);
        stops = malloc((n + json_array_size(stl) + 1) * sizeof *stops);
        if (!xy || !stops) {
            st = oom(a);
            goto done;
        }
        for (size_t k = 0; k < n; k++) {
            cor_location loc;
            if ((st = locate(a, json_string_value(json_array_get(pl, k)), "places", i, k,
                             &loc)) != COR_OK)
                goto done;
            xy[2 * k] = loc.x_m;
            xy[2 * k + 1] = loc.y_m;
            if (!stl) /* every listed place is a stop (a station on rail) */
                stops[ns++] = (stop){ loc, 0, NONE32 };
        }
    } else {
        if ((st = course_geometry(a, i, json_object_get(e, "geometry"), &xy, &n)) != COR_OK)
            goto done;
        if (!(stops = malloc((json_array_size(stl) + 1) * sizeof *stops))) {
            st = oom(a);
            goto done;
        }
    }
    double total = poly_length(xy, n);
    if (!(total > 0)) {
        st = cor_error_set(a->err, COR_ERR_INPUT, "%s: edits[%zu]: the course has no length",
                           a->s->origin, i);
        goto done;
    }
    for (size_t k = 0; k < ns; k++) {
        double d;
        stops[k].t = chainage(xy, n, stops[k].loc.x_m, stops[k].loc.y_m, &d);
    }
    for (size_t k = 0; stl && k < json_array_size(stl); k++) {
        cor_location loc;
        const char *spec = json_string_value(json_array_get(stl, k));
        if ((st = locate(a, spec, "stations", i, k, &loc)) != COR_OK)
            goto done;
        double d, t = chainage(xy, n, loc.x_m, loc.y_m, &d);
        if (d > a->o.station_max_m) {
            st = cor_error_set(a->err, COR_ERR_INPUT, "%s: edits[%zu].stations[%zu]: '%s' is "
                               "%.1f km from the course (at most %.1f km)", a->s->origin, i, k,
                               spec, d / 1000.0, a->o.station_max_m / 1000.0);
            goto done;
        }
        stops[ns++] = (stop){ loc, t, NONE32 };
    }
    qsort(stops, ns, sizeof *stops, cmp_stop);
    /* nodes where the course is cut: its ends, its stops and (roads) where it crosses roads */
    cut_cap = ns + 2;
    if (!(cuts = malloc(cut_cap * sizeof *cuts)) ||
        !(piece = malloc(2 * (n + 2) * sizeof *piece))) {
        st = oom(a);
        goto done;
    }
    cuts[ncut++] = (cut){ 0, NONE32, 0 };
    for (size_t k = 0; k < ns; k++)
        cuts[ncut++] = (cut){ stops[k].t, NONE32, 0 };
    cuts[ncut++] = (cut){ total, NONE32, 0 };
    if (!rail && (st = road_crossings(a, xy, n, n_base_links, &cuts, &ncut, &cut_cap)) != COR_OK)
        goto done;
    qsort(cuts, ncut, sizeof *cuts, cmp_cut);
    size_t u = 0;
    for (size_t k = 0; k < ncut; k++) {
        if (u && cuts[k].t - cuts[u - 1].t <= 1.0) { /* the same place: keep a crossing's node */
            if (cuts[u - 1].node == NONE32) {
                cuts[u - 1].node = cuts[k].node;
                cuts[u - 1].on_road = cuts[k].on_road;
            }
            continue;
        }
        cuts[u++] = cuts[k];
    }
    ncut = u;
    if (!(links = malloc((ncut + 1) * sizeof *links))) {
        st = oom(a);
        goto done;
    }
    for (size_t k = 0; k < ncut; k++) {
        if (cuts[k].node != NONE32)
            continue;
        sub_line(xy, n, cuts[k].t, cuts[k].t, piece);
        cuts[k].node = cor_graph_edit_add_node(a->ed, piece[0], piece[1],
                                               rail ? COR_NODE_RAIL : COR_NODE_ROAD);
        if (cuts[k].node == NONE32) {
            st = oom(a);
            goto done;
        }
    }
    for (size_t k = 0; k + 1 < ncut; k++) {
        size_t m = sub_line(xy, n, cuts[k].t, cuts[k + 1].t, piece);
        double len = poly_length(piece, m);
        uint32_t L = cor_graph_edit_add_link(a->ed, cuts[k].node, cuts[k + 1].node,
                                             rail ? COR_EDGE_RAIL : COR_EDGE_ROAD, cls, piece, m,
                                             len, len / (speed / 3.6));
        if (L == NONE32) {
            st = oom(a);
            goto done;
        }
        links[nlinks++] = L;
    }
    if (rail) {
        if (!ns)
            cor_log(&a->o.log, COR_LOG_WARN, "%s: edits[%zu]: rail line '%s' has no stations: "
                    "no one can board it", a->s->origin, i, name);
        for (size_t k = 0; k < ns; k++) {
            size_t c = 0;
            for (size_t q = 1; q < ncut; q++)
                if (fabs(cuts[q].t - stops[k].t) < fabs(cuts[c].t - stops[k].t))
                    c = q;
            if ((st = make_station(a, &stops[k], cuts[c].node, name)) != COR_OK)
                goto done;
        }
    } else {
        /* a new road joins the road network at its ends and at its listed places */
        for (size_t k = 0; k < ncut; k++) {
            int end = k == 0 || k + 1 == ncut, listed = 0;
            for (size_t q = 0; q < ns && !listed; q++)
                listed = fabs(stops[q].t - cuts[k].t) <= 1.0;
            if ((!end && !listed) || cuts[k].on_road)
                continue;
            const double *p = cor_graph_edit_node_xy(a->ed, cuts[k].node);
            double x = p[0], y = p[1];
            int joined = 0;
            if ((st = join_road(a, cuts[k].node, x, y, COR_EDGE_ROAD, a->sp->road_kmh,
                                &joined)) != COR_OK)
                goto done;
            if (!joined)
                cor_log(&a->o.log, COR_LOG_WARN, "%s: edits[%zu]: road '%s' has an end with no "
                        "road within %.0f km", a->s->origin, i, name, a->o.max_snap_m / 1000);
            else if (a->res)
                a->res->links_added++;
        }
    }
    if (a->res)
        a->res->links_added += nlinks;
    if ((st = add_result_line(a, name, rail, cls, speed, COR_EDIT_ADD, xy, n)) != COR_OK ||
        (st = remember_added(a, name, rail, links, nlinks)) != COR_OK)
        goto done;
done:
    free(xy);
    free(stops);
    free(cuts);
    free(links);
    free(piece);
    return st;
}

/* Road and rail links (not removed) of the line called name: one the scenario added, else
 * a rail line of the dataset, else a road. */
static cor_status links_named(applier *a, const char *name, uint32_t **out, size_t *n,
                              int *rail)
{
    *out = NULL;
    *n = 0;
    for (size_t k = a->n_added; k-- > 0;)
        if (!strcasecmp(a->added[k].name, name)) {
            if (!(*out = malloc((a->added[k].n + 1) * sizeof **out)))
                return oom(a);
            for (size_t j = 0; j < a->added[k].n; j++)
                if (!cor_graph_edit_link_removed(a->ed, a->added[k].links[j]))
                    (*out)[(*n)++] = a->added[k].links[j];
            *rail = a->added[k].rail;
            return COR_OK;
        }
    size_t nl = cor_graph_edit_link_count(a->ed);
    for (int road = 0; road < 2 && !*n; road++) {
        if (names_load(a, road) != COR_OK)
            return a->err ? a->err->code : COR_ERR_IO;
        if (!a->names[road].n)
            continue;
        for (uint32_t l = 0; l < nl; l++) {
            cor_link_info li;
            cor_graph_edit_link_get(a->ed, l, &li);
            if (li.kind != (road ? COR_EDGE_ROAD : COR_EDGE_RAIL) ||
                cor_graph_edit_link_removed(a->ed, l))
                continue;
            int64_t fid = cor_graph_edit_link_source_fid(a->ed, l);
            if (fid < 0 || !fid_has_name(&a->names[road], fid, name))
                continue;
            uint32_t *o2 = realloc(*out, (*n + 1) * sizeof *o2);
            if (!o2)
                return oom(a);
            *out = o2;
            (*out)[(*n)++] = l;
        }
        *rail = !road;
    }
    return COR_OK;
}

static cor_status link_result(applier *a, uint32_t l, const char *name, int rail,
                              double speed, cor_edit_kind edit)
{
    double buf[4];
    const double *pts;
    size_t m = cor_graph_edit_link_points(a->ed, l, buf, &pts);
    cor_link_info li;
    cor_graph_edit_link_get(a->ed, l, &li);
    return add_result_line(a, name, rail, li.cls, speed, edit, pts, m);
}

/* The polygons of a within member: a named polygon of the dataset or inline GeoJSON. */
static cor_status within_polygons(applier *a, size_t i, const json_t *w, cor_geoms *out)
{
    memset(out, 0, sizeof *out);
    cor_error sub = COR_ERROR_INIT;
    if (json_is_object(w)) {
        char *txt = json_dumps(w, JSON_COMPACT);
        if (!txt)
            return oom(a);
        cor_status st = cor_geoms_from_geojson(txt, cor_graph_crs(a->g), out, &sub);
        free(txt);
        if (st == COR_OK && !out->n_polygons) {
            cor_geoms_free(out);
            st = cor_error_set(&sub, COR_ERR_INPUT, "not a polygon");
        }
        if (st != COR_OK)
            return cor_error_set(a->err, st, "%s: edits[%zu].within: %s", a->s->origin, i,
                                 sub.msg);
        return COR_OK;
    }
    const char *want = json_string_value(w);
    if (!a->o.ds)
        return cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].within: no dataset to "
                             "find polygon '%s' in", a->s->origin, i, want);
    static const char *const F[3] = { "name", "name_zh", "name_en" };
    for (size_t li = 0; li < cor_dataset_layer_count(a->o.ds); li++) {
        cor_layer_info info;
        cor_dataset_layer_info(a->o.ds, li, &info);
        if (!info.geometry || !strstr(info.geometry, "Polygon"))
            continue;
        cor_features f;
        if (cor_dataset_read_layer(a->o.ds, info.name, F, 3, &f, a->err) != COR_OK)
            return a->err ? a->err->code : COR_ERR_IO;
        for (size_t k = 0; k < f.n; k++) {
            int match = 0;
            for (int q = 0; q < 3; q++)
                match |= f.values[k * 3 + (size_t)q] &&
                         !strcasecmp(f.values[k * 3 + (size_t)q], want);
            if (!match || !f.wkb[k])
                continue;
            out->wkb = malloc(sizeof *out->wkb);
            out->wkb_len = malloc(sizeof *out->wkb_len);
            if (!out->wkb || !out->wkb_len) {
                cor_features_free(&f);
                cor_geoms_free(out);
                return oom(a);
            }
            out->wkb[0] = f.wkb[k];
            out->wkb_len[0] = f.wkb_len[k];
            out->n_polygons = 1;
            f.wkb[k] = NULL;
            cor_features_free(&f);
            return COR_OK;
        }
        cor_features_free(&f);
    }
    return cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].within: no polygon named "
                         "'%s' in the dataset", a->s->origin, i, want);
}

static cor_status apply_speed(applier *a, size_t i, const json_t *e)
{
    double speed;
    if (get_speed(a->s, i, e, 1, &speed, a->err) != COR_OK)
        return a->err ? a->err->code : COR_ERR_CONFIG;
    const char *name = json_string_value(json_object_get(e, "name"));
    uint32_t *links = NULL;
    size_t n = 0;
    int rail = 1;
    cor_status st = COR_OK;
    char label[200];
    if (name) {
        if ((st = links_named(a, name, &links, &n, &rail)) != COR_OK)
            goto done;
        if (!n) {
            st = cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].name: no line named "
                               "'%s'", a->s->origin, i, name);
            goto done;
        }
        snprintf(label, sizeof label, "%s", name);
    } else {
        const char *cs = json_string_value(json_object_get(e, "class"));
        int cls = class_for(cs, 1);
        rail = cls >= 0;
        if (cls < 0)
            cls = class_for(cs, 0);
        cor_geoms pg;
        const json_t *w = json_object_get(e, "within");
        if ((st = within_polygons(a, i, w, &pg)) != COR_OK)
            goto done;
        uint32_t nn = cor_graph_edit_node_count(a->ed);
        uint8_t *inside = calloc((size_t)nn + 1, 1), *tmp = malloc((size_t)nn + 1);
        if (!inside || !tmp) {
            free(inside);
            free(tmp);
            cor_geoms_free(&pg);
            st = oom(a);
            goto done;
        }
        for (size_t p = 0; p < pg.n_polygons && st == COR_OK; p++) {
            st = cor_wkb_points_inside(pg.wkb[p], pg.wkb_len[p], cor_graph_edit_node_xy(a->ed, 0),
                                       nn, tmp, a->err);
            for (uint32_t k = 0; st == COR_OK && k < nn; k++)
                inside[k] |= tmp[k];
        }
        free(tmp);
        cor_geoms_free(&pg);
        size_t nl = cor_graph_edit_link_count(a->ed);
        for (uint32_t l = 0; st == COR_OK && l < nl; l++) {
            cor_link_info li;
            cor_graph_edit_link_get(a->ed, l, &li);
            if (li.kind != (rail ? COR_EDGE_RAIL : COR_EDGE_ROAD) || (int)li.cls != cls ||
                cor_graph_edit_link_removed(a->ed, l) || !inside[li.u] || !inside[li.v])
                continue;
            uint32_t *o2 = realloc(links, (n + 1) * sizeof *o2);
            if (!o2) {
                st = oom(a);
                break;
            }
            links = o2;
            links[n++] = l;
        }
        free(inside);
        if (st != COR_OK)
            goto done;
        if (!n) {
            st = cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu]: no %s link lies "
                               "within the polygon", a->s->origin, i, cs);
            goto done;
        }
        snprintf(label, sizeof label, "%s within %s", cs,
                 json_is_string(w) ? json_string_value(w) : "polygon");
    }
    for (size_t k = 0; k < n; k++) {
        cor_link_info li;
        cor_graph_edit_link_get(a->ed, links[k], &li);
        cor_graph_edit_set_time(a->ed, links[k], li.length_m / (speed / 3.6));
        if ((st = link_result(a, links[k], label, rail, speed, COR_EDIT_SPEED)) != COR_OK)
            goto done;
    }
    if (a->res)
        a->res->links_changed += n;
done:
    free(links);
    return st;
}

/* Boarding and alighting at rail nodes left without any rail link (their line closed):
 * removed, so that no train is "taken" there (board and alight again at once). */
static cor_status drop_dead_stops(applier *a)
{
    uint32_t nn = cor_graph_edit_node_count(a->ed);
    size_t nl = cor_graph_edit_link_count(a->ed);
    uint8_t *live = calloc((size_t)nn + 1, 1);
    if (!live)
        return oom(a);
    for (uint32_t l = 0; l < nl; l++) {
        cor_link_info li;
        cor_graph_edit_link_get(a->ed, l, &li);
        if (li.kind == COR_EDGE_RAIL && !cor_graph_edit_link_removed(a->ed, l))
            live[li.u] = live[li.v] = 1;
    }
    for (uint32_t l = 0; l < nl; l++) {
        cor_link_info li;
        cor_graph_edit_link_get(a->ed, l, &li);
        uint32_t rn = li.kind == COR_EDGE_BOARD ? li.v : li.kind == COR_EDGE_ALIGHT ? li.u
                                                                                   : NONE32;
        if (rn != NONE32 && !live[rn] && !cor_graph_edit_link_removed(a->ed, l)) {
            cor_graph_edit_remove_link(a->ed, l);
            if (a->res)
                a->res->links_closed++;
        }
    }
    free(live);
    return COR_OK;
}

static cor_status apply_close(applier *a, size_t i, const json_t *e)
{
    const char *line = json_string_value(json_object_get(e, "line"));
    const char *station = json_string_value(json_object_get(e, "station"));
    if (!line && !station)
        line = json_string_value(json_object_get(e, "name"));
    cor_status st = COR_OK;
    if (line) {
        uint32_t *links = NULL;
        size_t n = 0;
        int rail = 1;
        if ((st = links_named(a, line, &links, &n, &rail)) == COR_OK && !n)
            st = cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].line: no line named "
                               "'%s'", a->s->origin, i, line);
        for (size_t k = 0; st == COR_OK && k < n; k++) {
            st = link_result(a, links[k], line, rail, NAN, COR_EDIT_CLOSE);
            cor_graph_edit_remove_link(a->ed, links[k]);
        }
        if (st == COR_OK && a->res)
            a->res->links_closed += n;
        free(links);
        if (st == COR_OK && rail)
            st = drop_dead_stops(a);
        return st;
    }
    char spec[300];
    snprintf(spec, sizeof spec, "%s%s", strchr(station, ':') ? "" : "station:", station);
    cor_location loc;
    cor_error sub = COR_ERROR_INIT;
    if (cor_engine_locate(a->e, spec, a->o.max_snap_m, NULL, NULL, &loc, &sub) != COR_OK)
        return cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].station: %s",
                             a->s->origin, i, sub.msg);
    const cor_graph_place *gp = loc.place >= 0 ? cor_graph_place_get(a->g, (size_t)loc.place)
                                               : NULL;
    if (!gp || gp->role != COR_ROLE_STATION)
        return cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].station: '%s' is not a "
                             "station", a->s->origin, i, station);
    size_t nl = cor_graph_edit_link_count(a->ed), n = 0;
    for (uint32_t l = 0; l < nl; l++) {
        cor_link_info li;
        cor_graph_edit_link_get(a->ed, l, &li);
        if ((li.kind == COR_EDGE_BOARD || li.kind == COR_EDGE_ALIGHT) &&
            (li.u == gp->node || li.v == gp->node) && !cor_graph_edit_link_removed(a->ed, l)) {
            cor_graph_edit_remove_link(a->ed, l);
            n++;
        }
    }
    if (!n)
        return cor_error_set(a->err, COR_ERR_NOTFOUND, "%s: edits[%zu].station: '%s' is on no "
                             "rail line", a->s->origin, i, station);
    if (a->res) {
        a->res->stations_closed++;
        a->res->links_closed += n;
    }
    return COR_OK;
}

static cor_status apply_terminal(applier *a, size_t i, const json_t *e)
{
    const char *role_s = json_string_value(json_object_get(e, "role"));
    const char *name = json_string_value(json_object_get(e, "name"));
    cor_role role = (cor_role)cor_role_from_name(role_s);
    cor_location loc;
    cor_status st = locate(a, json_string_value(json_object_get(e, "at")), "at", i, SIZE_MAX, &loc);
    if (st != COR_OK)
        return st;
    uint32_t node = cor_graph_edit_add_node(a->ed, loc.x_m, loc.y_m, COR_NODE_PLACE);
    if (node == NONE32)
        return oom(a);
    int joined = 0;
    if ((st = join_road(a, node, loc.x_m, loc.y_m, COR_EDGE_ACCESS, a->sp->access_kmh,
                        &joined)) != COR_OK)
        return st;
    if (!joined)
        return cor_error_set(a->err, COR_ERR_INPUT, "%s: edits[%zu].at: no road within %.0f km",
                             a->s->origin, i, a->o.max_snap_m / 1000);
    if (a->res)
        a->res->links_added++;
    if ((st = cor_graph_edit_add_place(a->ed, role, name, "", node, loc.snap_m, a->err)) !=
        COR_OK)
        return st;
    return add_result_place(a, name, role, node, loc.x_m, loc.y_m);
}

cor_graph *cor_scenario_apply(const cor_scenario *s, const cor_engine *base,
                              const cor_scenario_opts *o, cor_scenario_result *res,
                              cor_error *err)
{
    applier a;
    memset(&a, 0, sizeof a);
    a.s = s;
    a.e = base;
    a.g = cor_engine_graph(base);
    a.o = o ? *o : COR_SCENARIO_OPTS_DEFAULT;
    a.res = res;
    a.err = err;
    a.sp = cor_graph_speeds(a.g);
    if (res)
        memset(res, 0, sizeof *res);
    cor_csr c;
    cor_graph_csr(a.g, &c);
    a.extent = (cor_bbox){ INFINITY, INFINITY, -INFINITY, -INFINITY };
    for (uint32_t k = 0; k < c.n_nodes; k++) {
        a.extent.min_x = fmin(a.extent.min_x, c.node_xy[2 * k]);
        a.extent.max_x = fmax(a.extent.max_x, c.node_xy[2 * k]);
        a.extent.min_y = fmin(a.extent.min_y, c.node_xy[2 * k + 1]);
        a.extent.max_y = fmax(a.extent.max_y, c.node_xy[2 * k + 1]);
    }
    cor_graph *out = NULL;
    if (!(a.ed = cor_graph_edit_create(a.g, err)))
        goto done;
    cor_status st = COR_OK;
    for (size_t i = 0; st == COR_OK && i < json_array_size(s->edits); i++) {
        const json_t *e = json_array_get(s->edits, i);
        switch (edit_type(e)) {
        case E_ADD_LINE: st = apply_add_line(&a, i, e); break;
        case E_SPEED: st = apply_speed(&a, i, e); break;
        case E_CLOSE: st = apply_close(&a, i, e); break;
        case E_TERMINAL: st = apply_terminal(&a, i, e); break;
        default: st = cor_error_set(err, COR_ERR_CONFIG, "%s: edits[%zu]: unknown edit",
                                    s->origin, i);
        }
    }
    if (st == COR_OK) {
        out = cor_graph_edit_finish(a.ed, err);
        a.ed = NULL;
    }
done:
    cor_graph_edit_destroy(a.ed);
    names_free(&a.names[0]);
    names_free(&a.names[1]);
    for (size_t k = 0; k < a.n_added; k++) {
        free(a.added[k].name);
        free(a.added[k].links);
    }
    free(a.added);
    if (!out && res)
        cor_scenario_result_free(res);
    return out;
}
