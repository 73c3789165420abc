/* serve_api.c: the query endpoints of `corridor serve` (/health, /info, /route, /isochrone,
 * /access, /matrix, /site/score, /layers/...): parameter checks, the searches on a per-thread
 * router, and the JSON and GeoJSON answers. Knows nothing of HTTP transport. */
#include "serve.h"
#include "route_answer.h"
#include "site_answer.h"
#include "corridor/access.h"
#include "corridor/isochrone.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME_BYTES 256      /* a place name or LON,LAT in a query */
#define MAX_ISO_FROM 8          /* origins of one isochrone request */
#define MAX_ISO_BANDS 16        /* bands of one isochrone request */
#define BASE_SIMPLIFY_M 200.0   /* the provinces layer is simplified for the page */

/* ---- replies ------------------------------------------------------------------------------ */
void serve_reply_json(serve_reply *out, int status, char *text)
{
    out->status = status;
    out->type = "application/json; charset=utf-8";
    out->body = text;
    out->len = text ? strlen(text) : 0;
    out->is_static = 0;
    if (!text) {
        out->status = 500;
        out->body = (char *)"{\"code\":\"Internal\",\"message\":\"out of memory\"}\n";
        out->len = strlen(out->body);
        out->is_static = 1;
    }
}

static char *dumps_compact(const json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

/* Replies with doc (stolen). */
static void reply_doc(serve_reply *out, int status, json_t *doc)
{
    serve_reply_json(out, status, doc ? route_json_dumps(doc) : NULL);
    json_decref(doc);
}

void serve_reply_error(serve_reply *out, int status, const char *code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages may quote the client's bytes: keep valid UTF-8 only (jansson refuses others) */
    json_t *m = json_string(msg);
    if (!m) {
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        m = json_string(msg);
    }
    json_t *doc = json_pack("{s:s, s:o*}", "code", code, "message", m);
    serve_reply_json(out, status, doc ? dumps_compact(doc) : NULL);
    json_decref(doc);
}

/* ---- a growing text buffer for GeoJSON assembled from OGR's geometry texts --------------- */
typedef struct { char *s; size_t n, cap; int failed; } sbuf;

static void sb_add(sbuf *b, const char *t, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, t, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *t) { sb_add(b, t, strlen(t)); }

/* Appends a compact dump of v (borrowed). */
static void sb_json(sbuf *b, const json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10) |
                                JSON_ENCODE_ANY);
    if (!t) {
        b->failed = 1;
        return;
    }
    sb_str(b, t);
    free(t);
}

/* Appends a Feature with properties props (stolen) and a geometry text (NULL: null). */
static void sb_feature(sbuf *b, int first, json_t *props, const char *geometry)
{
    sb_str(b, first ? "{\"type\":\"Feature\",\"properties\":" : ",{\"type\":\"Feature\","
                                                                  "\"properties\":");
    if (props)
        sb_json(b, props);
    else
        b->failed = 1;
    json_decref(props);
    sb_str(b, ",\"geometry\":");
    sb_str(b, geometry ? geometry : "null");
    sb_str(b, "}");
}

/* Closes a FeatureCollection whose foreign members (object, stolen) go before "features". */
static char *sb_collection(sbuf *features, json_t *members)
{
    sbuf b = { 0 };
    sb_str(&b, "{\"type\":\"FeatureCollection\"");
    const char *key;
    json_t *v;
    json_object_foreach(members, key, v) {
        sb_str(&b, ",");
        json_t *k = json_string(key);
        sb_json(&b, k);
        json_decref(k);
        sb_str(&b, ":");
        sb_json(&b, v);
    }
    json_decref(members);
    sb_str(&b, ",\"features\":[");
    if (features->s)
        sb_str(&b, features->s);
    sb_str(&b, "]}\n");
    int failed = b.failed || features->failed || !members;
    free(features->s);
    if (failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- workers, budgets, locating ---------------------------------------------------------- */
static serve_worker *worker_get(serve_ctx *s)
{
    pthread_mutex_lock(&s->lock);
    serve_worker *w = s->free_workers;
    if (w)
        s->free_workers = w->next;
    pthread_mutex_unlock(&s->lock);
    return w;
}

static void worker_put(serve_ctx *s, serve_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&s->lock);
    w->next = s->free_workers;
    s->free_workers = w;
    pthread_mutex_unlock(&s->lock);
}

int serve_heavy_enter(serve_ctx *s)
{
    int cap = s->lim.threads > 1 ? s->lim.threads - 1 : 1;
    if (atomic_fetch_add(&s->heavy_running, 1) >= cap) {
        atomic_fetch_sub(&s->heavy_running, 1);
        return 0;
    }
    return 1;
}

void serve_heavy_leave(serve_ctx *s) { atomic_fetch_sub(&s->heavy_running, 1); }

typedef struct { double deadline_s; const serve_ctx *s; int expired; } budget;

static int budget_progress(double f, const char *msg, void *user)
{
    (void)f;
    (void)msg;
    budget *b = user;
    if (atomic_load(&((serve_ctx *)b->s)->stopping) || serve_now_s() > b->deadline_s) {
        b->expired = 1;
        return 0;
    }
    return 1;
}

static void reply_cancelled(serve_ctx *s, serve_reply *out, const char *what)
{
    if (atomic_load(&s->stopping))
        serve_reply_error(out, 503, "ShuttingDown", "the server is stopping");
    else
        serve_reply_error(out, 503, "TimeBudgetExceeded",
                          "the %s took longer than the time budget of %u ms; ask a smaller "
                          "question", what, s->lim.time_budget_ms);
}

/* The dataset's PROJ transform is single-threaded: one caller at a time. */
static cor_status lonlat_locked(double *xy, void *user, cor_error *err)
{
    serve_ctx *s = user;
    pthread_mutex_lock(&s->proj_lock);
    cor_status rc = cor_dataset_lonlat_to_xy(s->net.ds, xy, 1, err);
    pthread_mutex_unlock(&s->proj_lock);
    return rc;
}

/* cor_site_opts.dataset_lock: a site evaluation's uses of the dataset take proj_lock, and
 * its travel-time searches run without it. */
static void dataset_lock(void *user, int lock)
{
    serve_ctx *s = user;
    if (lock)
        pthread_mutex_lock(&s->proj_lock);
    else
        pthread_mutex_unlock(&s->proj_lock);
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) without control bytes. */
int serve_text_ok(const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    while (*s) {
        unsigned c = *s;
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c < 0x80) {
            s++;
            continue;
        }
        int n;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* Checks a place parameter; replies 400 and returns 0 when it is unusable. */
static int place_ok(const char *key, const char *v, serve_reply *out)
{
    if (!v || !*v) {
        serve_reply_error(out, 400, "InvalidQuery", "%s: required (a place name or LON,LAT)",
                          key);
        return 0;
    }
    if (strlen(v) > MAX_NAME_BYTES) {
        serve_reply_error(out, 400, "InvalidQuery", "%s: longer than %d bytes", key,
                          MAX_NAME_BYTES);
        return 0;
    }
    if (!serve_text_ok(v)) {
        serve_reply_error(out, 400, "InvalidQuery", "%s: not valid UTF-8 text", key);
        return 0;
    }
    return 1;
}

static int locate(serve_ctx *s, const char *key, const char *spec, cor_location *loc,
                  serve_reply *out)
{
    cor_error err = COR_ERROR_INIT;
    if (cor_engine_locate(s->net.e, spec, s->lim.max_snap_m, lonlat_locked, s, loc, &err) ==
        COR_OK)
        return 1;
    if (err.code == COR_ERR_NOMEM)
        serve_reply_error(out, 500, "Internal", "%s", err.msg);
    else
        serve_reply_error(out, 400, "InvalidQuery", "%s: %s", key, err.msg);
    return 0;
}

static int mode_arg(const serve_req *rq, cor_mode *mode, serve_reply *out)
{
    const char *m = rq->arg(rq->conn, "mode");
    *mode = COR_MODE_MULTI;
    if (!m)
        return 1;
    int v = cor_mode_from_name(m);
    if (v < 0) {
        serve_reply_error(out, 400, "InvalidQuery", "mode: '%.40s' is not multi, road or rail",
                          serve_text_ok(m) ? m : "?");
        return 0;
    }
    *mode = (cor_mode)v;
    return 1;
}

/* A finite number with nothing after it. */
static int number_ok(const char *v, double *out)
{
    if (!v || !*v || strlen(v) > 64)
        return 0;
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

static void place_names(const cor_graph_place *p, const char **name, const char **name_zh)
{
    *name = *p->name ? p->name : p->name_zh;
    *name_zh = p->name_zh;
}

/* ---- /route and /route.geojson ------------------------------------------------------------ */
static void api_route(serve_ctx *s, const serve_req *rq, serve_reply *out, int geojson)
{
    const char *from = rq->arg(rq->conn, "from"), *to = rq->arg(rq->conn, "to");
    cor_mode mode;
    cor_location a, b;
    if (!place_ok("from", from, out) || !place_ok("to", to, out) || !mode_arg(rq, &mode, out) ||
        !locate(s, "from", from, &a, out) || !locate(s, "to", to, &b, out))
        return;
    serve_worker *w = worker_get(s);
    if (!w) {
        serve_reply_error(out, 503, "Busy", "no free worker");
        out->retry_after_s = 1;
        return;
    }
    route_answer ra;
    cor_error err = COR_ERROR_INIT;
    if (route_answer_compute(s->net.e, w->router[mode], &a, &b, mode, &ra, &err) != COR_OK) {
        if (err.code == COR_ERR_INPUT)
            serve_reply_error(out, 422, "Unreachable", "%s", err.msg);
        else
            serve_reply_error(out, 500, "Internal", "%s", err.msg);
    } else if (!geojson) {
        serve_reply_json(out, 200, route_answer_json_text(&ra));
    } else {
        /* the legs with edges as lines in lon/lat, the summary as foreign members */
        sbuf f = { 0 };
        int first = 1;
        for (size_t i = 0; i < ra.n_legs && !f.failed; i++) {
            const route_leg *L = &ra.legs[i];
            double *xy = NULL;
            size_t n = 0;
            char *geom = NULL;
            if (L->last >= L->first &&
                route_answer_leg_line(s->net.g, &ra, i, &xy, &n, &err) == COR_OK)
                geom = cor_geojson_from_xy(w->gj, xy, n, 0, &err);
            free(xy);
            json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:f, s:f}", "leg", (json_int_t)i + 1,
                                  "mode", route_leg_mode(L->kind), "from", L->from, "to", L->to,
                                  "time_s", L->time_s, "distance_m",
                                  round(L->length_m * 10) / 10);
            if (p && (L->kind == COR_EDGE_RAIL || L->kind == COR_EDGE_ROAD))
                json_object_set_new(p, "class",
                                    json_string(cor_class_name((cor_line_class)L->cls)));
            sb_feature(&f, first, p, geom);
            first = 0;
            free(geom);
        }
        json_t *summary = route_answer_json(&ra);
        if (summary)
            json_object_del(summary, "legs");
        json_t *members = summary ? json_pack("{s:o}", "route", summary) : NULL;
        char *text = err.code ? NULL : sb_collection(&f, members);
        if (err.code) {
            free(f.s);
            json_decref(members);
            serve_reply_error(out, 500, "Internal", "%s", err.msg);
        } else {
            serve_reply_json(out, 200, text);
        }
    }
    route_answer_free(&ra);
    worker_put(s, w);
}

/* ---- /isochrone --------------------------------------------------------------------------- */
/* "30,60" into ascending minutes; replies 400 when malformed or out of range. */
static int minutes_ok(const serve_ctx *s, const char *v, double *out, size_t *n,
                      serve_reply *rep)
{
    *n = 0;
    if (!v || !*v) {
        serve_reply_error(rep, 400, "InvalidQuery", "minutes: required (e.g. 30,60)");
        return 0;
    }
    if (strlen(v) > 512 || !serve_text_ok(v)) {
        serve_reply_error(rep, 400, "InvalidQuery", "minutes: not a list of numbers");
        return 0;
    }
    const char *p = v;
    for (;;) {
        char *end;
        double m = strtod(p, &end);
        if (end == p || (*end && *end != ',')) {
            serve_reply_error(rep, 400, "InvalidQuery",
                              "minutes: '%.100s' is not a comma-separated list of numbers", v);
            return 0;
        }
        if (!isfinite(m) || m <= 0 || m > s->lim.max_minutes) {
            serve_reply_error(rep, 400, "InvalidQuery",
                              "minutes: %g is not above 0 and at most %g", m,
                              s->lim.max_minutes);
            return 0;
        }
        if (*n == MAX_ISO_BANDS) {
            serve_reply_error(rep, 400, "InvalidQuery", "minutes: at most %d bands",
                              MAX_ISO_BANDS);
            return 0;
        }
        size_t i = (*n)++;
        while (i > 0 && out[i - 1] > m) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = m;
        if (!*end)
            break;
        p = end + 1;
    }
    for (size_t i = 1; i < *n; i++)
        if (out[i] == out[i - 1]) {
            serve_reply_error(rep, 400, "InvalidQuery", "minutes: %g given twice", out[i]);
            return 0;
        }
    return 1;
}

static void api_isochrone(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    const char *from = rq->arg(rq->conn, "from");
    double minutes[MAX_ISO_BANDS];
    size_t n_bands;
    cor_mode mode;
    if (!place_ok("from", from, out) ||
        !minutes_ok(s, rq->arg(rq->conn, "minutes"), minutes, &n_bands, out) ||
        !mode_arg(rq, &mode, out))
        return;
    /* several origins separated by ';' as in corridor isochrone */
    char buf[MAX_NAME_BYTES + 1];
    snprintf(buf, sizeof buf, "%s", from);
    cor_location loc[MAX_ISO_FROM];
    char *names[MAX_ISO_FROM];
    int n_names = cli_split_places(buf, names, MAX_ISO_FROM);
    if (n_names < 0) {
        serve_reply_error(out, 400, "InvalidQuery",
                          "from: an empty place, or more than %d places", MAX_ISO_FROM);
        return;
    }
    size_t n_from = (size_t)n_names;
    for (size_t i = 0; i < n_from; i++)
        if (!locate(s, "from", names[i], &loc[i], out))
            return;
    if (!serve_heavy_enter(s)) {
        serve_reply_error(out, 503, "Busy", "too many isochrone and matrix requests at once");
        out->retry_after_s = 1;
        return;
    }
    serve_worker *w = worker_get(s);
    if (!w) {
        serve_heavy_leave(s);
        serve_reply_error(out, 503, "Busy", "no free worker");
        out->retry_after_s = 1;
        return;
    }
    budget bud = { rq->t0_s + s->lim.time_budget_ms / 1000.0, s, 0 };
    cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
    o.mode = mode;
    o.cities = s->cities;
    o.parks = s->parks;
    o.progress = budget_progress;
    o.progress_user = &bud;
    cor_isochrones iso = { 0 };
    cor_error err = COR_ERROR_INIT;
    cor_status rc = cor_isochrones_compute(s->net.e, loc, n_from, minutes, n_bands, &o, &iso,
                                           &err);
    if (rc == COR_ERR_CANCELLED || (rc == COR_OK && bud.expired)) {
        reply_cancelled(s, out, "isochrone");
        goto done;
    }
    if (rc != COR_OK) {
        serve_reply_error(out, rc == COR_ERR_CONFIG ? 400 : 500,
                          rc == COR_ERR_CONFIG ? "InvalidQuery" : "Internal", "%s", err.msg);
        goto done;
    }
    char origin[2048] = "";
    json_t *jf = json_array();
    for (size_t i = 0; i < n_from; i++) {
        size_t len = strlen(origin);
        snprintf(origin + len, sizeof origin - len, "%s%s", i ? "; " : "", loc[i].label);
        json_array_append_new(jf, json_string(loc[i].label));
    }
    if (iso.bands[iso.n_bands - 1].area_km2 <= 0) {
        json_decref(jf);
        serve_reply_error(out, 422, "Unreachable", "nothing reachable from %s by %s within %g min",
                          origin, cor_mode_name(mode), iso.bands[iso.n_bands - 1].minutes);
        goto done;
    }
    sbuf f = { 0 };
    for (size_t k = 0; k < iso.n_bands && !err.code; k++) {
        const cor_iso_band *b = &iso.bands[k];
        char *geom = cor_geojson_from_wkb(w->gj, b->wkb, b->wkb_len, 0, &err);
        json_t *m = b->minutes == floor(b->minutes) ? json_integer((json_int_t)b->minutes)
                                                    : json_real(b->minutes);
        json_t *p = json_pack("{s:o, s:f, s:I, s:I, s:I, s:f}", "minutes", m, "area_km2",
                              round(b->area_km2 * 1000) / 1000, "population",
                              (json_int_t)llround(b->population), "parks", (json_int_t)b->parks,
                              "cities", (json_int_t)b->cities, "reach_km",
                              round(b->reach_km * 1000) / 1000);
        sb_feature(&f, k == 0, p, geom);
        free(geom);
    }
    json_t *members = json_pack("{s:o, s:s, s:f}", "from", jf, "mode", cor_mode_name(mode),
                                "buffer_m", o.buffer_m);
    if (err.code) {
        free(f.s);
        json_decref(members);
        serve_reply_error(out, 500, "Internal", "%s", err.msg);
    } else {
        serve_reply_json(out, 200, sb_collection(&f, members));
        out->type = "application/geo+json; charset=utf-8";
    }
done:
    cor_isochrones_free(&iso);
    worker_put(s, w);
    serve_heavy_leave(s);
}

/* ---- /access ------------------------------------------------------------------------------ */
static const char *const FAC_KEY[SERVE_FAC_COUNT] = { "port", "airport", "hsr_station",
                                                      "major_city" };

static void api_access(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    const char *vlon = rq->arg(rq->conn, "lon"), *vlat = rq->arg(rq->conn, "lat");
    double lon, lat;
    cor_mode mode;
    if (!number_ok(vlon, &lon) || lon < -180 || lon > 180) {
        serve_reply_error(out, 400, "InvalidQuery", "lon: required, a number from -180 to 180");
        return;
    }
    if (!number_ok(vlat, &lat) || lat < -90 || lat > 90) {
        serve_reply_error(out, 400, "InvalidQuery", "lat: required, a number from -90 to 90");
        return;
    }
    if (!mode_arg(rq, &mode, out))
        return;
    char spec[96];
    snprintf(spec, sizeof spec, "%.17g,%.17g", lon, lat);
    cor_location loc;
    if (!locate(s, "lon,lat", spec, &loc, out))
        return;
    serve_worker *w = worker_get(s);
    if (!w) {
        serve_reply_error(out, 503, "Busy", "no free worker");
        out->retry_after_s = 1;
        return;
    }
    const cor_graph *g = s->net.g;
    size_t n_all = 0;
    for (int k = 0; k < SERVE_FAC_COUNT; k++)
        n_all += s->n_fac[k];
    uint32_t *targets = malloc((n_all + 1) * sizeof *targets);
    double *tmin = malloc((n_all + 1) * sizeof *tmin);
    cor_error err = COR_ERROR_INIT;
    if (!targets || !tmin) {
        serve_reply_error(out, 500, "Internal", "out of memory");
        goto done;
    }
    size_t nt = 0;
    for (int k = 0; k < SERVE_FAC_COUNT; k++)
        for (size_t i = 0; i < s->n_fac[k]; i++)
            targets[nt++] = cor_graph_place_get(g, s->fac[k][i])->node;
    cor_search q = { mode, 0, COR_UNREACHABLE, targets, nt, 0 };
    if (cor_router_run(w->router[mode], &q, &loc.anchor, 1, &err) != COR_OK) {
        serve_reply_error(out, 500, "Internal", "%s", err.msg);
        goto done;
    }
    json_t *near = json_object();
    for (int k = 0; k < SERVE_FAC_COUNT; k++) {
        size_t n = s->n_fac[k];
        for (size_t i = 0; i < n; i++) {
            uint32_t t = cor_router_time_ms(w->router[mode],
                                             cor_graph_place_get(g, s->fac[k][i])->node);
            tmin[i] = t == COR_UNREACHABLE ? INFINITY : t / 60000.0;
        }
        double minutes = NAN;
        size_t which = SIZE_MAX;
        cor_access_input in = { .n_origins = 1, .n_facilities = n, .time_min = tmin };
        if (n)
            cor_access_nearest(&in, &minutes, &which);
        if (which == SIZE_MAX || isnan(minutes)) {
            json_object_set_new(near, FAC_KEY[k], json_null());
            continue;
        }
        const char *name, *name_zh;
        place_names(cor_graph_place_get(g, s->fac[k][which]), &name, &name_zh);
        json_object_set_new(near, FAC_KEY[k],
                            json_pack("{s:f, s:f, s:s, s:s}", "minutes", minutes, "time_s",
                                      minutes * 60.0, "name", name, "name_zh", name_zh));
    }
    reply_doc(out, 200,
              json_pack("{s:s, s:f, s:f, s:f, s:s, s:o}", "from", loc.label, "lon", lon, "lat",
                        lat, "snap_m", round(loc.snap_m * 10) / 10, "mode", cor_mode_name(mode),
                        "nearest", near));
done:
    free(targets);
    free(tmin);
    worker_put(s, w);
}

/* ---- /matrix ------------------------------------------------------------------------------ */
static int matrix_side(serve_ctx *s, json_t *doc, const char *key, cor_location **locs,
                       size_t *n, serve_reply *out)
{
    json_t *a = json_object_get(doc, key);
    *locs = NULL;
    *n = 0;
    if (!json_is_array(a) || json_array_size(a) == 0) {
        serve_reply_error(out, 400, "InvalidQuery",
                          "%s: required, a non-empty array of place names or \"lon,lat\"", key);
        return 0;
    }
    size_t m = json_array_size(a);
    if (m > s->lim.max_matrix) {
        serve_reply_error(out, 400, "InvalidQuery", "%s: more than %zu entries", key,
                          s->lim.max_matrix);
        return 0;
    }
    if (!(*locs = malloc(m * sizeof **locs))) {
        serve_reply_error(out, 500, "Internal", "out of memory");
        return 0;
    }
    for (size_t i = 0; i < m; i++) {
        const char *v = json_string_value(json_array_get(a, i));
        char what[48];
        snprintf(what, sizeof what, "%s[%zu]", key, i);
        if (!v) {
            serve_reply_error(out, 400, "InvalidQuery", "%s: not a string", what);
            return 0;
        }
        if (!place_ok(what, v, out) || !locate(s, what, v, &(*locs)[i], out))
            return 0;
        *n = i + 1;
    }
    return 1;
}

static void api_matrix(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    json_error_t jerr;
    json_t *doc = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES,
                             &jerr);
    cor_location *src = NULL, *dst = NULL;
    size_t ns = 0, nd = 0;
    cor_anchor *as = NULL, *ad = NULL;
    uint32_t *times = NULL;
    float *lengths = NULL;
    int heavy = 0;
    if (!doc) {
        serve_reply_error(out, 400, "InvalidQuery", "body: not JSON (line %d, column %d: %s)",
                          jerr.line, jerr.column, jerr.text);
        return;
    }
    if (!json_is_object(doc)) {
        serve_reply_error(out, 400, "InvalidQuery", "body: not a JSON object");
        goto done;
    }
    cor_mode mode = COR_MODE_MULTI;
    json_t *jm = json_object_get(doc, "mode");
    if (jm) {
        int v = json_is_string(jm) ? cor_mode_from_name(json_string_value(jm)) : -1;
        if (v < 0) {
            serve_reply_error(out, 400, "InvalidQuery", "mode: not multi, road or rail");
            goto done;
        }
        mode = (cor_mode)v;
    }
    /* sizes first, so that an oversized matrix costs no lookups */
    size_t ms = json_array_size(json_object_get(doc, "sources")),
           md = json_array_size(json_object_get(doc, "destinations"));
    if (ms && md && ms > s->lim.max_matrix / md) {
        serve_reply_error(out, 400, "InvalidQuery",
                          "%zu x %zu pairs: more than the limit of %zu", ms, md,
                          s->lim.max_matrix);
        goto done;
    }
    if (!matrix_side(s, doc, "sources", &src, &ns, out) ||
        !matrix_side(s, doc, "destinations", &dst, &nd, out))
        goto done;
    if (!(heavy = serve_heavy_enter(s))) {
        serve_reply_error(out, 503, "Busy", "too many isochrone and matrix requests at once");
        out->retry_after_s = 1;
        goto done;
    }
    as = malloc(ns * sizeof *as);
    ad = malloc(nd * sizeof *ad);
    times = malloc(ns * nd * sizeof *times);
    lengths = malloc(ns * nd * sizeof *lengths);
    if (!as || !ad || !times || !lengths) {
        serve_reply_error(out, 500, "Internal", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ns; i++)
        as[i] = src[i].anchor;
    for (size_t j = 0; j < nd; j++)
        ad[j] = dst[j].anchor;
    budget bud = { rq->t0_s + s->lim.time_budget_ms / 1000.0, s, 0 };
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    mo.mode = mode;
    mo.threads = 1; /* the request already has its thread */
    mo.progress = budget_progress;
    mo.progress_user = &bud;
    cor_error err = COR_ERROR_INIT;
    cor_status rc = cor_matrix_compute(s->net.e, as, ns, ad, nd, &mo, times, lengths, &err);
    if (rc == COR_ERR_CANCELLED) {
        reply_cancelled(s, out, "matrix");
        goto done;
    }
    if (rc != COR_OK) {
        serve_reply_error(out, 500, "Internal", "%s", err.msg);
        goto done;
    }
    json_t *jt = json_array(), *jd = json_array(), *js = json_array(), *jdst = json_array();
    for (size_t i = 0; i < ns; i++) {
        json_t *rt = json_array(), *rd = json_array();
        for (size_t j = 0; j < nd; j++) {
            uint32_t t = times[i * nd + j];
            double len = lengths[i * nd + j];
            json_array_append_new(rt, t == COR_UNREACHABLE ? json_null() : json_real(t / 1000.0));
            json_array_append_new(rd, t == COR_UNREACHABLE || !isfinite(len)
                                          ? json_null() : json_real(round(len * 10.0) / 10.0));
        }
        json_array_append_new(jt, rt);
        json_array_append_new(jd, rd);
        json_array_append_new(js, json_string(src[i].label));
    }
    for (size_t j = 0; j < nd; j++)
        json_array_append_new(jdst, json_string(dst[j].label));
    json_t *ans = json_pack("{s:o, s:o, s:s, s:o, s:o}", "sources", js, "destinations", jdst,
                            "mode", cor_mode_name(mode), "times_s", jt, "distances_m", jd);
    serve_reply_json(out, 200, ans ? dumps_compact(ans) : NULL);
    json_decref(ans);
done:
    if (heavy)
        serve_heavy_leave(s);
    free(src);
    free(dst);
    free(as);
    free(ad);
    free(times);
    free(lengths);
    json_decref(doc);
}

/* ---- /site/score -------------------------------------------------------------------------- */
/* Whether spec names a place role or a layer of the data (never a file: the service reads no
 * file a client names). */
static int site_source_of_data(const cor_dataset *ds, const char *spec)
{
    static const char *const PLURALS[] = { "cities", "ports", "airports", "stations", "parks" };
    int r = cor_role_from_name(spec);
    if (r >= 0 && cor_role_is_place((cor_role)r))
        return 1;
    for (size_t k = 0; k < sizeof PLURALS / sizeof PLURALS[0]; k++)
        if (!strcmp(spec, PLURALS[k]))
            return 1;
    for (size_t i = 0, n = cor_dataset_layer_count(ds); i < n; i++) {
        cor_layer_info li;
        cor_dataset_layer_info(ds, i, &li);
        if (li.name && !strcmp(li.name, spec))
            return 1;
    }
    return 0;
}

/* Candidates [{"name", "lon", "lat"}, ...] as points snapped to the nearest road node within
 * the service's --max-snap (farther ones stay off the network and are excluded with their
 * reason, as corridor site does with a file of points). Call with proj_lock held. */
static int site_points(serve_ctx *s, json_t *a, cor_points *p, serve_reply *out)
{
    size_t m = json_array_size(a);
    memset(p, 0, sizeof *p);
    p->role = -1;
    if (!(p->items = calloc(m + 1, sizeof *p->items))) {
        serve_reply_error(out, 500, "Internal", "out of memory");
        return 0;
    }
    for (size_t i = 0; i < m; i++) {
        json_t *c = json_array_get(a, i), *jn = json_object_get(c, "name"),
               *jx = json_object_get(c, "lon"), *jy = json_object_get(c, "lat");
        const char *name = json_string_value(jn);
        if (!json_is_object(c) || !name || !json_is_number(jx) || !json_is_number(jy)) {
            serve_reply_error(out, 400, "InvalidQuery", "candidates[%zu]: must be {\"name\": "
                              "TEXT, \"lon\": NUMBER, \"lat\": NUMBER}", i);
            return 0;
        }
        if (!place_ok("candidates[].name", name, out))
            return 0;
        double lon = json_number_value(jx), lat = json_number_value(jy);
        if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
            serve_reply_error(out, 400, "InvalidQuery", "candidates[%zu]: lon %g, lat %g: out "
                              "of range", i, lon, lat);
            return 0;
        }
        cor_point *q = &p->items[p->n++];
        q->label = strdup(name);
        q->fid = (int64_t)i + 1;
        q->lon_deg = lon;
        q->lat_deg = lat;
        q->mass = NAN;
        q->field[0] = q->field[1] = NAN;
        double xy[2] = { lon, lat };
        cor_error err = COR_ERROR_INIT;
        if (!q->label || cor_dataset_lonlat_to_xy(s->net.ds, xy, 1, &err) != COR_OK) {
            serve_reply_error(out, 500, "Internal", "candidates[%zu]: %s", i,
                              q->label ? err.msg : "out of memory");
            return 0;
        }
        q->x_m = xy[0];
        q->y_m = xy[1];
        double snap = NAN;
        err = COR_ERROR_INIT;
        if (cor_engine_anchor_xy(s->net.e, xy[0], xy[1], s->lim.max_snap_m, &q->anchor, &snap,
                                 &err) != COR_OK) {
            q->anchor = (cor_anchor){ COR_UNREACHABLE, 0, 0.0f };
            p->n_off++;
        }
        q->snap_m = snap;
    }
    return 1;
}

static void api_site(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    json_error_t jerr;
    json_t *doc = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES,
                             &jerr);
    cor_site_criteria *crit = NULL;
    cor_site_candidates cd;
    cor_site_result res;
    cor_points pts;
    memset(&cd, 0, sizeof cd);
    memset(&res, 0, sizeof res);
    memset(&pts, 0, sizeof pts);
    int heavy = 0, locked = 0;
    long long top = 10;
    if (!doc) {
        serve_reply_error(out, 400, "InvalidQuery", "body: not JSON (line %d, column %d: %s)",
                          jerr.line, jerr.column, jerr.text);
        return;
    }
    if (!json_is_object(doc)) {
        serve_reply_error(out, 400, "InvalidQuery", "body: not a JSON object");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "criteria") && strcmp(key, "candidates") && strcmp(key, "within") &&
            strcmp(key, "top")) {
            serve_reply_error(out, 400, "InvalidQuery", "%s: unknown key (criteria, candidates, "
                              "within, top)", key);
            goto done;
        }
    }
    if ((v = json_object_get(doc, "top"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000) {
            serve_reply_error(out, 400, "InvalidQuery", "top: must be an integer from 1 to "
                              "100000");
            goto done;
        }
        top = json_integer_value(v);
    }
    cor_error err = COR_ERROR_INIT;
    if (!(crit = cor_site_criteria_from_json(json_object_get(doc, "criteria"), "criteria",
                                             &err))) {
        serve_reply_error(out, err.code == COR_ERR_NOMEM ? 500 : 400,
                          err.code == COR_ERR_NOMEM ? "Internal" : "InvalidQuery", "%s",
                          err.msg);
        goto done;
    }
    json_t *jc = json_object_get(doc, "candidates");
    const char *cand = json_string_value(jc);
    const char *within = json_string_value(json_object_get(doc, "within"));
    double cell_m = 0;
    if (json_object_get(doc, "within") && (!within || !place_ok("within", within, out))) {
        if (!within)
            serve_reply_error(out, 400, "InvalidQuery", "within: must be a name");
        goto done;
    }
    if (cand) {
        if (!place_ok("candidates", cand, out))
            goto done;
        if (!strncmp(cand, "grid:", 5)) {
            if (!cli_parse_number(cand + 5, &cell_m) || !(cell_m >= 100)) {
                serve_reply_error(out, 400, "InvalidQuery", "candidates: %s: the grid size "
                                  "must be at least 100m (e.g. grid:5km)", cand);
                goto done;
            }
            if (!within) {
                serve_reply_error(out, 400, "InvalidQuery", "within: required for a grid (e.g. "
                                  "\"within\": \"河北\")");
                goto done;
            }
        } else {
            pthread_mutex_lock(&s->proj_lock); /* the layers are the dataset's (GDAL) */
            int known = site_source_of_data(s->net.ds, cand);
            pthread_mutex_unlock(&s->proj_lock);
            if (!known) {
                serve_reply_error(out, 400, "InvalidQuery", "candidates: '%s' is not a place "
                                  "role (cities, ports, airports, stations, parks) nor a layer "
                                  "of the data, nor grid:SIZE", cand);
                goto done;
            }
        }
    } else if (json_is_array(jc) && json_array_size(jc) > 0) {
        if (json_array_size(jc) > s->lim.max_site_candidates) {
            serve_reply_error(out, 400, "InvalidQuery", "candidates: %zu, more than the limit "
                              "of %zu", json_array_size(jc), s->lim.max_site_candidates);
            goto done;
        }
        for (size_t j = 0; j < cor_site_criteria_count(crit); j++)
            if (cor_site_criterion_kind(crit, j) == COR_SITE_FIELD) {
                serve_reply_error(out, 400, "InvalidQuery", "criteria: %s: a field criterion "
                                  "needs candidates from a layer", cor_site_criterion_id(crit, j));
                goto done;
            }
    } else {
        serve_reply_error(out, 400, "InvalidQuery", "candidates: required: a place role or "
                          "layer (\"parks\"), \"grid:SIZE\" with \"within\", or a non-empty "
                          "array of {\"name\", \"lon\", \"lat\"}");
        goto done;
    }
    if (!(heavy = serve_heavy_enter(s))) {
        serve_reply_error(out, 503, "Busy", "too many heavy requests at once");
        out->retry_after_s = 1;
        goto done;
    }
    /* the dataset (GDAL and PROJ) serves one thread at a time */
    pthread_mutex_lock(&s->proj_lock);
    locked = 1;
    err = COR_ERROR_INIT;
    if (cand && cell_m > 0) {
        if (cor_site_candidates_grid(s->net.ds, s->net.e, cell_m, within, s->lim.max_snap_m,
                                     4 * s->lim.max_site_candidates + 1024, &cd,
                                     &err) != COR_OK) {
            serve_reply_error(out, err.code == COR_ERR_NOMEM ? 500 : 400,
                              err.code == COR_ERR_NOMEM ? "Internal" : "InvalidQuery", "%s",
                              err.msg);
            goto done;
        }
    } else {
        if (cand) {
            cor_points_opts po = COR_POINTS_OPTS_DEFAULT;
            po.option = "candidates";
            po.max_snap_m = s->lim.max_snap_m;
            if (cor_site_criteria_point_fields(crit, &po, &err) != COR_OK ||
                cor_points_load(s->net.ds, s->net.e, cand, &po, NULL, &pts, &err) != COR_OK) {
                serve_reply_error(out, err.code == COR_ERR_NOMEM ? 500 : 400,
                                  err.code == COR_ERR_NOMEM ? "Internal" : "InvalidQuery", "%s",
                                  err.msg);
                goto done;
            }
        } else if (!site_points(s, jc, &pts, out)) {
            goto done;
        }
        if (cor_site_candidates_from_points(&pts, &cd, &err) != COR_OK) {
            serve_reply_error(out, 500, "Internal", "%s", err.msg);
            goto done;
        }
    }
    if (cd.n > s->lim.max_site_candidates) {
        serve_reply_error(out, 400, "InvalidQuery", "candidates: %zu, more than the limit of %zu "
                          "(--max-site-candidates)", cd.n, s->lim.max_site_candidates);
        goto done;
    }
    if (!cd.n) {
        serve_reply_error(out, 400, "InvalidQuery", "candidates: none");
        goto done;
    }
    /* the evaluation takes the lock itself, only while it reads the dataset */
    pthread_mutex_unlock(&s->proj_lock);
    locked = 0;
    budget bud = { rq->t0_s + s->lim.time_budget_ms / 1000.0, s, 0 };
    cor_site_opts so = COR_SITE_OPTS_DEFAULT;
    so.max_snap_m = s->lim.max_snap_m;
    so.top_k = (size_t)top;
    so.threads = 1; /* the request already has its thread */
    so.cancel = budget_progress;
    so.cancel_user = &bud;
    so.data_only = 1;
    so.dataset_lock = dataset_lock;
    so.dataset_lock_user = s;
    cor_status st = cor_site_evaluate(s->net.ds, s->net.e, crit, &cd, &so, &res, &err);
    if (st == COR_ERR_CANCELLED) {
        reply_cancelled(s, out, "site evaluation");
        goto done;
    }
    if (st != COR_OK) {
        int internal = st == COR_ERR_NOMEM || st == COR_ERR_INTERNAL || st == COR_ERR_IO;
        serve_reply_error(out, internal ? 500 : st == COR_ERR_INPUT ? 422 : 400,
                          internal ? "Internal" : st == COR_ERR_INPUT ? "Unprocessable"
                                                                      : "InvalidQuery",
                          "%s", err.msg);
        goto done;
    }
    json_t *ans = site_answer_json(crit, &cd, &res, (size_t)top);
    serve_reply_json(out, 200, ans ? dumps_compact(ans) : NULL);
    json_decref(ans);
done:
    if (locked)
        pthread_mutex_unlock(&s->proj_lock);
    if (heavy)
        serve_heavy_leave(s);
    cor_site_result_free(&res);
    cor_site_candidates_free(&cd);
    cor_points_free(&pts);
    cor_site_criteria_destroy(crit);
    json_decref(doc);
}

/* ---- dispatch ----------------------------------------------------------------------------- */
int serve_api_wants_body(const char *path)
{
    return !strcmp(path, "/matrix") || !strcmp(path, "/site/score");
}

typedef struct {
    const char *path;
    const char *method;         /* the one method it answers (GET also answers HEAD) */
} route_def;

static const route_def ROUTES[] = {
    { "/health", "GET" }, { "/info", "GET" }, { "/route", "GET" }, { "/route.geojson", "GET" },
    { "/isochrone", "GET" }, { "/access", "GET" }, { "/matrix", "POST" },
    { "/site/score", "POST" },
    { "/layers/provinces.geojson", "GET" }, { "/layers/places.geojson", "GET" },
    { "/map.png", "GET" },
};

int serve_api_handle(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    const route_def *r = NULL;
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++)
        if (!strcmp(rq->path, ROUTES[i].path))
            r = &ROUTES[i];
    if (!r)
        return 0;
    int get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
    if (!strcmp(r->method, "GET") ? !get : strcmp(rq->method, r->method)) {
        serve_reply_error(out, 405, "MethodNotAllowed", "%s answers %s only", r->path,
                          r->method);
        out->allow = !strcmp(r->method, "GET") ? "GET, HEAD" : r->method;
        return 1;
    }
    const char *p = rq->path;
    if (!strcmp(p, "/health")) {
        out->status = 200;
        out->type = "application/json; charset=utf-8";
        out->body = (char *)"{\"status\":\"ok\"}\n";
        out->len = strlen(out->body);
        out->is_static = 1;
    } else if (!strcmp(p, "/info")) {
        out->status = 200;
        out->type = "application/json; charset=utf-8";
        out->body = s->info_json;
        out->len = strlen(s->info_json);
        out->is_static = 1;
    } else if (!strcmp(p, "/route")) {
        api_route(s, rq, out, 0);
    } else if (!strcmp(p, "/route.geojson")) {
        api_route(s, rq, out, 1);
        if (out->status == 200)
            out->type = "application/geo+json; charset=utf-8";
    } else if (!strcmp(p, "/isochrone")) {
        api_isochrone(s, rq, out);
    } else if (!strcmp(p, "/access")) {
        api_access(s, rq, out);
    } else if (!strcmp(p, "/matrix")) {
        api_matrix(s, rq, out);
    } else if (!strcmp(p, "/site/score")) {
        api_site(s, rq, out);
    } else if (!strcmp(p, "/map.png")) {
        serve_map_png(s, rq, out);
    } else if (!strcmp(p, "/layers/provinces.geojson") && s->provinces_geojson) {
        out->status = 200;
        out->type = "application/geo+json; charset=utf-8";
        out->body = s->provinces_geojson;
        out->len = s->provinces_len;
        out->is_static = 1;
    } else if (!strcmp(p, "/layers/places.geojson") && s->places_geojson) {
        out->status = 200;
        out->type = "application/geo+json; charset=utf-8";
        out->body = s->places_geojson;
        out->len = s->places_len;
        out->is_static = 1;
    } else {
        serve_reply_error(out, 404, "NotFound", "%s: this dataset has no such layer", p);
    }
    return 1;
}

/* ---- start-up ----------------------------------------------------------------------------- */
/* A station counts as high-speed when one of its boarding links reaches a node with a
 * high-speed rail edge. */
static int is_hsr_station(const cor_csr *c, uint32_t node)
{
    for (uint64_t e = c->first_out[node]; e < c->first_out[node + 1]; e++) {
        if ((c->kind[e] & 15) != COR_EDGE_BOARD)
            continue;
        uint32_t t = c->head[e];
        for (uint64_t f = c->first_out[t]; f < c->first_out[t + 1]; f++)
            if ((c->kind[f] & 15) == COR_EDGE_RAIL && (c->kind[f] >> 4) == COR_CLASS_HIGHSPEED)
                return 1;
    }
    return 0;
}

/* A city counts as major with a population (mass) of at least a million, or none given. */
#define MAJOR_CITY_MASS 1e6

static int init_facilities(serve_ctx *s)
{
    const cor_graph *g = s->net.g;
    cor_csr c;
    cor_graph_csr(g, &c);
    size_t np = cor_graph_place_count(g);
    for (int k = 0; k < SERVE_FAC_COUNT; k++)
        if (!(s->fac[k] = malloc((np + 1) * sizeof *s->fac[k])))
            return 0;
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->node == COR_UNREACHABLE)
            continue;
        int k = -1;
        if (p->role == COR_ROLE_PORT)
            k = SERVE_FAC_PORT;
        else if (p->role == COR_ROLE_AIRPORT)
            k = SERVE_FAC_AIRPORT;
        else if (p->role == COR_ROLE_STATION && is_hsr_station(&c, p->node))
            k = SERVE_FAC_HSR;
        else if (p->role == COR_ROLE_CITY) {
            double mass = NAN;
            for (size_t j = 0; j < s->cities->n; j++)
                if (s->cities->items[j].fid == p->fid)
                    mass = s->cities->items[j].mass;
            if (isnan(mass) || mass >= MAJOR_CITY_MASS)
                k = SERVE_FAC_CITY;
        }
        if (k >= 0)
            s->fac[k][s->n_fac[k]++] = i;
    }
    return 1;
}

static char *build_info(serve_ctx *s)
{
    cor_dataset *ds = s->net.ds;
    json_t *layers = json_array();
    for (size_t i = 0; i < cor_dataset_layer_count(ds); i++) {
        cor_layer_info li;
        cor_dataset_layer_info(ds, i, &li);
        json_array_append_new(
            layers, json_pack("{s:s, s:I, s:s, s:s?, s:s?}", "name", li.name, "features",
                              (json_int_t)li.features, "geometry", li.geometry, "crs", li.crs,
                              "role", li.role >= 0 ? cor_role_name((cor_role)li.role) : NULL));
    }
    cor_graph_stats st;
    cor_graph_get_stats(s->net.g, &st);
    json_t *edges = json_object();
    for (int k = 0; k < COR_EDGE_KIND_COUNT; k++)
        json_object_set_new(edges, cor_edge_kind_name((cor_edge_kind)k),
                            json_integer((json_int_t)st.links[k]));
    cor_bbox ext;
    int has_ext = cor_dataset_extent_lonlat(ds, &ext);
    json_t *fac = json_object();
    for (int k = 0; k < SERVE_FAC_COUNT; k++)
        json_object_set_new(fac, FAC_KEY[k], json_integer((json_int_t)s->n_fac[k]));
    json_t *doc = json_pack(
        "{s:s, s:s, s:o, s:s, s:o, s:{s:I, s:I, s:o, s:I, s:f}, s:o, s:{s:i, s:I, s:f, s:I, "
        "s:i, s:I, s:I}}",
        "version", cor_version(), "dataset", cor_dataset_source(ds), "layers", layers, "crs",
        cor_dataset_working_crs(ds), "extent",
        has_ext ? json_pack("[f,f,f,f]", ext.min_x, ext.min_y, ext.max_x, ext.max_y)
                : json_null(),
        "network", "nodes", (json_int_t)st.nodes, "directed_edges",
        (json_int_t)st.directed_edges, "edges", edges, "components", (json_int_t)st.components,
        "largest_component_share", st.largest_component_share, "facilities", fac, "limits",
        "threads", s->lim.threads, "max_matrix", (json_int_t)s->lim.max_matrix, "max_minutes",
        s->lim.max_minutes, "max_body", (json_int_t)s->lim.max_body, "max_image",
        s->lim.max_image, "time_budget_ms", (json_int_t)s->lim.time_budget_ms,
        "max_connections", (json_int_t)s->lim.max_connections);
    if (doc) /* [site limits] */
        json_object_set_new(json_object_get(doc, "limits"), "max_site_candidates",
                            json_integer((json_int_t)s->lim.max_site_candidates));
    char *t = doc ? route_json_dumps(doc) : NULL;
    json_decref(doc);
    return t;
}

/* The boundary layer (provinces) simplified, and the cities, ports and airports, in lon/lat
 * for the page's base map. */
static int build_layers(serve_ctx *s, cor_error *err)
{
    cor_geojson *gj = cor_geojson_create(cor_graph_crs(s->net.g), 5, err);
    if (!gj)
        return 0;
    int ok = 0;
    const char *layer = cor_dataset_role_layer(s->net.ds, COR_ROLE_BOUNDARY);
    if (layer) {
        const char *fields[] = { "name", "name_zh" };
        cor_features fs;
        if (cor_dataset_read_layer(s->net.ds, layer, fields, 2, &fs, err) != COR_OK)
            goto out;
        sbuf f = { 0 };
        int first = 1;
        for (size_t i = 0; i < fs.n && !err->code; i++) {
            if (!fs.wkb[i])
                continue;
            char *geom = cor_geojson_from_wkb(gj, fs.wkb[i], fs.wkb_len[i], BASE_SIMPLIFY_M, err);
            json_t *p = json_pack("{s:s?, s:s?}", "name", fs.values[2 * i], "name_zh",
                                  fs.values[2 * i + 1]);
            sb_feature(&f, first, p, geom);
            first = 0;
            free(geom);
        }
        cor_features_free(&fs);
        if (err->code) {
            free(f.s);
            goto out;
        }
        if (!(s->provinces_geojson = sb_collection(&f, json_pack("{s:s}", "name", layer))))
            goto nomem;
        s->provinces_len = strlen(s->provinces_geojson);
    }
    const cor_graph *g = s->net.g;
    cor_csr c;
    cor_graph_csr(g, &c);
    sbuf f = { 0 };
    int first = 1;
    for (size_t i = 0; i < cor_graph_place_count(g) && !err->code; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (p->node == COR_UNREACHABLE || (p->role != COR_ROLE_CITY && p->role != COR_ROLE_PORT &&
                                           p->role != COR_ROLE_AIRPORT))
            continue;
        char *geom = cor_geojson_from_xy(gj, &c.node_xy[2 * p->node], 1, 0, err);
        const char *name, *name_zh;
        place_names(p, &name, &name_zh);
        sb_feature(&f, first, json_pack("{s:s, s:s, s:s}", "role", cor_role_name(p->role), "name",
                                        name, "name_zh", name_zh), geom);
        first = 0;
        free(geom);
    }
    if (err->code) {
        free(f.s);
        goto out;
    }
    if (!(s->places_geojson = sb_collection(&f, json_object())))
        goto nomem;
    s->places_len = strlen(s->places_geojson);
    ok = 1;
    goto out;
nomem:
    cor_error_set(err, COR_ERR_NOMEM, "out of memory");
out:
    cor_geojson_destroy(gj);
    return ok;
}

int serve_api_init(serve_ctx *s)
{
    cor_error err = COR_ERROR_INIT;
    if (!(s->cities = cor_dataset_places(s->net.ds, COR_ROLE_CITY, &err)) ||
        !(s->parks = cor_dataset_places(s->net.ds, COR_ROLE_PARK, &err)))
        return cli_fail(s->cli, &err);
    if (!init_facilities(s) || !(s->info_json = build_info(s))) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        return cli_fail(s->cli, &err);
    }
    if (!build_layers(s, &err))
        return cli_fail(s->cli, &err);
    return EXIT_OK;
}

void serve_api_free(serve_ctx *s)
{
    for (int k = 0; k < SERVE_FAC_COUNT; k++) {
        free(s->fac[k]);
        s->fac[k] = NULL;
    }
    free(s->info_json);
    free(s->provinces_geojson);
    free(s->places_geojson);
    s->info_json = s->provinces_geojson = s->places_geojson = NULL;
}
