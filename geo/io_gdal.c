#define _GNU_SOURCE
/* io_gdal.c: the GDAL/OGR adapter for reading vector sources: layers, fields, geometries. */
#include "internal.h"

#include <sys/mman.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>
#include <ogr_srs_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct cor_src {
    GDALDatasetH ds;
    char *path;
    int is_csv;                 /* CSV: points from lon/lat columns, EPSG:4326 assumed */
    int n_layers;
    char **crs_name;            /* per layer, cached "EPSG:4326" or the SRS name */
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void register_drivers(void) { GDALAllRegister(); }

void cor_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    enum { HUGE = 2u << 20 };
    uintptr_t a = ((uintptr_t)p + HUGE - 1) / HUGE * HUGE, b = ((uintptr_t)p + bytes) / HUGE * HUGE;
    if (b > a)
        madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

int cor_populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t a = ((uintptr_t)p + 4095) / 4096 * 4096, b = ((uintptr_t)p + bytes) / 4096 * 4096;
    return b <= a || madvise((void *)a, b - a, MADV_POPULATE_WRITE) == 0;
#else
    (void)p;
    (void)bytes;
    return 0;
#endif
}

char *cor_strdup(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static const char *last_gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "unknown GDAL error";
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

cor_src *cor_src_open(const char *path, cor_error *err)
{
    pthread_once(&g_once, register_drivers);
    int is_pg = !strncmp(path, "PG:", 3);
    struct stat sb;
    if (!is_pg && strncmp(path, "/vsi", 4) && stat(path, &sb) != 0) {
        cor_error_set(err, COR_ERR_IO, "%s: no such file or directory", path);
        return NULL;
    }
    int is_csv = ends_with_ci(path, ".csv");
    const char *csv_opts[] = { "X_POSSIBLE_NAMES=lon,longitude,lng,x,lon_deg",
                               "Y_POSSIBLE_NAMES=lat,latitude,y,lat_deg",
                               "KEEP_GEOM_COLUMNS=NO", "AUTODETECT_TYPE=YES", NULL };
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 is_csv ? csv_opts : NULL, NULL);
    CPLPopErrorHandler();
    if (!ds) {
        cor_error_set(err, COR_ERR_IO, "%s: cannot open as a vector data source: %s", path,
                      CPLGetLastErrorNo() ? last_gdal_msg() : "not a recognised format");
        return NULL;
    }
    cor_src *s = calloc(1, sizeof *s);
    if (!s) {
        GDALClose(ds);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory opening %s", path);
        return NULL;
    }
    s->ds = ds;
    s->path = cor_strdup(path);
    s->is_csv = is_csv;
    s->n_layers = GDALDatasetGetLayerCount(ds);
    s->crs_name = calloc((size_t)(s->n_layers > 0 ? s->n_layers : 1), sizeof(char *));
    if (!s->path || !s->crs_name) {
        cor_src_close(s);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory opening %s", path);
        return NULL;
    }
    return s;
}

void cor_src_close(cor_src *s)
{
    if (!s)
        return;
    if (s->ds)
        GDALClose(s->ds);
    for (int i = 0; s->crs_name && i < s->n_layers; i++)
        free(s->crs_name[i]);
    free(s->crs_name);
    free(s->path);
    free(s);
}

int cor_src_layer_count(const cor_src *s) { return s->n_layers; }

int cor_src_find_layer(const cor_src *s, const char *name)
{
    for (int i = 0; i < s->n_layers; i++)
        if (!strcmp(OGR_L_GetName(GDALDatasetGetLayer(s->ds, i)), name))
            return i;
    return -1;
}

/* The layer's SRS, or NULL when it has none. GeoPackage stores a missing CRS as srs_id 0 or
 * -1, which OGR reports as "Undefined geographic/cartesian SRS": that is no CRS either. */
static OGRSpatialReferenceH layer_srs(const cor_src *s, int i)
{
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(GDALDatasetGetLayer(s->ds, i));
    const char *name = srs ? OSRGetName(srs) : NULL;
    if (name && !strncmp(name, "Undefined ", 10))
        return NULL;
    return srs;
}

static const char *layer_crs_name(const cor_src *s, int i)
{
    if (s->crs_name[i])
        return s->crs_name[i];
    OGRSpatialReferenceH srs = layer_srs(s, i);
    char buf[256];
    if (!srs) {
        if (!s->is_csv)
            return NULL;
        snprintf(buf, sizeof buf, "EPSG:4326");
    } else {
        const char *auth = OSRGetAuthorityName(srs, NULL);
        const char *code = OSRGetAuthorityCode(srs, NULL);
        if (auth && code)
            snprintf(buf, sizeof buf, "%s:%s", auth, code);
        else
            snprintf(buf, sizeof buf, "%s", OSRGetName(srs) ? OSRGetName(srs) : "unnamed CRS");
    }
    s->crs_name[i] = cor_strdup(buf);
    return s->crs_name[i];
}

void cor_src_layer_info(const cor_src *s, int i, cor_layer_info *out)
{
    OGRLayerH l = GDALDatasetGetLayer(s->ds, i);
    memset(out, 0, sizeof *out);
    out->name = OGR_L_GetName(l);
    out->features = (int64_t)OGR_L_GetFeatureCount(l, 1);
    out->geometry = OGRGeometryTypeToName(OGR_L_GetGeomType(l));
    out->crs = layer_crs_name(s, i);
    out->role = -1;
}

char *cor_src_layer_crs_wkt(const cor_src *s, int i)
{
    OGRSpatialReferenceH srs = layer_srs(s, i);
    if (!srs)
        return s->is_csv ? cor_strdup("EPSG:4326") : NULL;
    char *wkt = NULL;
    const char *opts[] = { "FORMAT=WKT2_2019", NULL };
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return NULL;
    }
    char *copy = cor_strdup(wkt);
    CPLFree(wkt);
    return copy;
}

int cor_src_layer_is_geographic(const cor_src *s, int i)
{
    OGRSpatialReferenceH srs = layer_srs(s, i);
    return srs ? OSRIsGeographic(srs) : s->is_csv;
}

int cor_src_layer_extent(const cor_src *s, int i, cor_bbox *out)
{
    OGREnvelope env;
    OGRLayerH l = GDALDatasetGetLayer(s->ds, i);
    if (OGR_L_GetGeomType(l) == wkbNone)
        return 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_L_GetExtent(l, &env, 1);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE)
        return 0;
    *out = (cor_bbox){ env.MinX, env.MinY, env.MaxX, env.MaxY };
    return isfinite(env.MinX) && isfinite(env.MaxY);
}

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct {
    int name, name_zh, kind, cls, speed, mass;
} field_idx;

static cor_status resolve_field(OGRFeatureDefnH fd, const char *field, int explicit_field,
                                const char *what, const char *layer, const char *path, int *idx,
                                cor_error *err)
{
    *idx = -1;
    if (!field)
        return COR_OK;
    *idx = OGR_FD_GetFieldIndex(fd, field);
    if (*idx < 0 && explicit_field)
        return cor_error_set(err, COR_ERR_NOTFOUND,
                             "%s: layer '%s' has no field '%s' (configured as its %s field)", path,
                             layer, field, what);
    return COR_OK;
}

static cor_status prepare_layer(cor_src *s, int layer, const cor_role_spec *spec, OGRLayerH *lp,
                                field_idx *fi, cor_error *err)
{
    OGRLayerH l = GDALDatasetGetLayer(s->ds, layer);
    const char *lname = OGR_L_GetName(l);
    OGR_L_ResetReading(l);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    OGRErr e = OGR_L_SetAttributeFilter(l, spec->where);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE)
        return cor_error_set(err, COR_ERR_CONFIG, "%s: layer '%s': bad filter \"%s\": %s",
                             s->path, lname, spec->where, last_gdal_msg());
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    int ex = spec->explicit_fields;
    if (resolve_field(fd, spec->f_name, ex, "name", lname, s->path, &fi->name, err) ||
        resolve_field(fd, spec->f_name_zh, ex, "name_zh", lname, s->path, &fi->name_zh, err) ||
        resolve_field(fd, spec->f_kind, ex, "kind", lname, s->path, &fi->kind, err) ||
        resolve_field(fd, spec->f_class, ex, "class", lname, s->path, &fi->cls, err) ||
        resolve_field(fd, spec->f_speed, ex, "speed_kmh", lname, s->path, &fi->speed, err) ||
        resolve_field(fd, spec->f_mass, ex, "mass", lname, s->path, &fi->mass, err))
        return err ? err->code : COR_ERR_NOTFOUND;
    *lp = l;
    return COR_OK;
}

static int coord_ok(double x, double y, int geographic)
{
    if (!isfinite(x) || !isfinite(y))
        return 0;
    if (geographic && (x < -180.0 || x > 180.0 || y < -90.0 || y > 90.0))
        return 0;
    return 1;
}

/* Growable arrays for the line store. */
typedef struct { size_t lines_cap; } line_caps;

int cor_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = nc;
    return 1;
}

static int lines_reserve(cor_lines *o, line_caps *c, size_t add_lines)
{
    size_t lc = c->lines_cap, lc2 = c->lines_cap, lc3 = c->lines_cap, lc4 = c->lines_cap;
    size_t need = o->n_lines + add_lines + 1;
    if (!cor_grow((void **)&o->start, &lc, need, sizeof(size_t)) ||
        !cor_grow((void **)&o->cls, &lc2, need, sizeof(uint8_t)) ||
        !cor_grow((void **)&o->speed_kmh, &lc3, need, sizeof(float)) ||
        !cor_grow((void **)&o->fid, &lc4, need, sizeof(int64_t)))
        return 0;
    c->lines_cap = lc;
    return 1;
}

/* Writes one line part's points to xy, dropping repeated points. Returns how many it kept
 * (0: degenerate, fewer than 2), or -1 for bad coordinates. */
static long add_part(double *xy, OGRGeometryH part, int geographic)
{
    int n = OGR_G_GetPointCount(part);
    if (n < 2)
        return 0;
    OGR_G_GetPoints(part, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    long k = 0;
    for (int i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!coord_ok(x, y, geographic))
            return -1;
        if (k && xy[2 * (k - 1)] == x && xy[2 * (k - 1) + 1] == y)
            continue;
        xy[2 * k] = x;
        xy[2 * k + 1] = y;
        k++;
    }
    return k < 2 ? 0 : k;
}

/* ---- points in blocks, reprojected on a second thread while the reading goes on ---------- */
/* The reader fills blocks of points (a feature never straddles two) and queues each full
 * one; a worker thread with its own PROJ transform (started once a few blocks are queued, so
 * small layers do without) reprojects queued blocks in place. The reader takes the oldest
 * waiting block itself whenever more than HELP_BACKLOG wait (the worker has more to do than
 * the reader when the caller has rx->on_points go through the points), and helps with the
 * rest once it is done. Blocks never move, so the worker can work on them while the reader
 * goes on. As
 * the reader queues a block it appends the blocks transformed so far, in order, to the one
 * output array and reuses their memory for the next blocks: a few blocks are ever touched
 * instead of one per 32k points (first-touch page faults cost about as much as the copy).
 * The order of the points and every coordinate are those of reading everything first and
 * transforming it after. */
enum { BLOCK_POINTS = 32768, WORKER_AFTER_BLOCKS = 4, SPARE_BLOCKS = 16, HELP_BACKLOG = 2,
       POP_AHEAD = 32 << 20 };
typedef struct { double *xy; size_t first, n, cap; int done; } pblock;
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pblock *b;
    size_t nb, cap, next;       /* blocks queued; next: the first no thread has taken */
    int closed;                 /* the reader has queued its last block */
    size_t bad;                 /* points that failed to transform */
    cor_read_xform *rx;
    size_t pushed;              /* points queued */
    size_t seen;                /* blocks passed to rx->on_points */
    int seeing;                 /* a thread is in rx->on_points */
    size_t expect;              /* points the layer is foreseen to have (0: unknown) */
    /* the reader's own: */
    size_t joined;              /* blocks already appended to the output */
    size_t xy_cap;              /* points the output array holds room for */
    /* the output array as the worker may see it (under mu): pages at or past the points
     * joined so far are faulted in by the worker when it has no block to transform, so that
     * the reader, which is the slower, does not do that on first touch */
    char *pop_base;
    size_t pop_end, pop_next;   /* bytes: the array's room; the first byte not yet faulted; */
    size_t pop_joined;          /* the bytes joined so far */
    double *spare[SPARE_BLOCKS];/* emptied BLOCK_POINTS blocks, ready for reuse */
    size_t n_spare;
} xqueue;

/* Passes the transformed blocks that follow the ones already seen to rx->on_points, in
 * order, one thread at a time: a thread that finds another at it leaves the block to that
 * one, which looks again before it stops. Called and returns with q->mu held. */
static void xq_see_locked(xqueue *q)
{
    cor_read_xform *rx = q->rx;
    if (!rx || !rx->on_points)
        return;
    while (!q->seeing && q->seen < q->nb && q->b[q->seen].done) {
        pblock b = q->b[q->seen]; /* q->b may move while unlocked; b.xy does not */
        size_t expect = q->expect;
        q->seeing = 1;
        pthread_mutex_unlock(&q->mu);
        rx->on_points(rx->on_points_ctx, b.xy, b.first, b.n, expect);
        pthread_mutex_lock(&q->mu);
        q->seeing = 0;
        q->seen++;
    }
}

/* Queues a full block of n points with room for cap (taking it); 0 when out of memory (the
 * block is freed). Without a transform a block is done as it is queued. */
static int xq_push(xqueue *q, double *xy, size_t n, size_t cap)
{
    pthread_mutex_lock(&q->mu);
    int ok = cor_grow((void **)&q->b, &q->cap, q->nb + 1, sizeof *q->b);
    if (ok) {
        int done = !q->rx || !q->rx->main;
        q->b[q->nb++] = (pblock){ xy, q->pushed, n, cap, done };
        q->pushed += n;
        if (done) {
            q->next = q->nb;
            xq_see_locked(q);
        }
        pthread_cond_signal(&q->cv);
    } else {
        free(xy);
    }
    pthread_mutex_unlock(&q->mu);
    return ok;
}

/* A block's memory for the reader: a spare one when it fits, else a new one; NULL when out
 * of memory. */
static double *xq_block(xqueue *q, size_t cap)
{
    if (cap == BLOCK_POINTS && q->n_spare)
        return q->spare[--q->n_spare];
    return malloc(2 * cap * sizeof(double));
}

/* Appends the transformed blocks that follow the ones already joined to out->xy (the reader
 * alone touches it) and keeps or frees their memory. 0 when out of memory. */
static int xq_join(xqueue *q, cor_lines *out, size_t *at)
{
    pthread_mutex_lock(&q->mu);
    q->pop_joined = 2 * *at * sizeof(double);
    size_t end = q->joined;
    int seeing = q->rx && q->rx->on_points;
    while (end < q->nb && q->b[end].done && (!seeing || end < q->seen))
        end++;
    pthread_mutex_unlock(&q->mu);
    for (; q->joined < end; q->joined++) {
        /* blocks at or past q->joined may move when the reader grows q->b, but only the
         * reader does that, and a done block is no other thread's */
        pblock *b = &q->b[q->joined];
        if (*at + b->n + 1 > q->xy_cap) {
            size_t nc = q->xy_cap ? 2 * q->xy_cap : 4 * (size_t)BLOCK_POINTS;
            if (!q->xy_cap && nc < q->expect + q->expect / 8) /* the forecast, room to spare */
                nc = q->expect + q->expect / 8;
            while (nc < *at + b->n + 1)
                nc *= 2;
            double *p = realloc(out->xy, 2 * nc * sizeof *p);
            if (!p)
                return 0;
            out->xy = p;
            q->xy_cap = nc;
            cor_advise_huge(p, 2 * nc * sizeof *p);
            pthread_mutex_lock(&q->mu);
            q->pop_base = (char *)p;
            q->pop_end = 2 * nc * sizeof *p;
            q->pop_next = 0;
            pthread_mutex_unlock(&q->mu);
        }
        memcpy(out->xy + 2 * *at, b->xy, 2 * b->n * sizeof *b->xy);
        *at += b->n;
        if (b->cap == BLOCK_POINTS && q->n_spare < SPARE_BLOCKS)
            q->spare[q->n_spare++] = b->xy;
        else
            free(b->xy);
        b->xy = NULL;
    }
    return 1;
}

static void xq_close(xqueue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* Takes the first queued block no thread has taken and transforms it with t; when there is
 * none, waits for one (wait) or returns 0. Returns 0 once the queue is closed and empty. */
static int xq_take(xqueue *q, cor_xform *t, int wait)
{
    enum { POP_STEP = 2 << 20 };
    pthread_mutex_lock(&q->mu);
    while (wait && q->next == q->nb && !q->closed) {
        /* nothing to transform: fault in the next pages of the output array instead */
        size_t at = q->pop_next > q->pop_joined ? q->pop_next : q->pop_joined;
        if (q->pop_base && at < q->pop_end && at < q->pop_joined + POP_AHEAD) {
            char *base = q->pop_base;
            size_t n = q->pop_end - at < POP_STEP ? q->pop_end - at : POP_STEP;
            q->pop_next = at + n;
            pthread_mutex_unlock(&q->mu);
            cor_populate(base + at, n);
            pthread_mutex_lock(&q->mu);
            continue;
        }
        pthread_cond_wait(&q->cv, &q->mu);
    }
    if (q->next == q->nb) {
        pthread_mutex_unlock(&q->mu);
        return 0;
    }
    size_t i = q->next++;
    pblock b = q->b[i];
    pthread_mutex_unlock(&q->mu);
    size_t bad = cor_xform_run(t, b.xy, b.n);
    pthread_mutex_lock(&q->mu);
    q->bad += bad;
    q->b[i].done = 1;
    xq_see_locked(q);
    pthread_mutex_unlock(&q->mu);
    return 1;
}

/* Transforms queued blocks with t until the queue is closed and every block taken. */
static void xq_drain(xqueue *q, cor_xform *t)
{
    while (xq_take(q, t, 1))
        ;
}

/* The reader's share while it reads: when the worker falls behind (it also passes the blocks
 * to rx->on_points), the reader transforms the oldest waiting blocks itself. */
static void xq_help(xqueue *q, cor_xform *t)
{
    for (;;) {
        pthread_mutex_lock(&q->mu);
        int behind = q->nb - q->next > HELP_BACKLOG;
        pthread_mutex_unlock(&q->mu);
        if (!behind || !xq_take(q, t, 0))
            return;
    }
}

static void *xq_worker(void *arg)
{
    xqueue *q = arg;
    pthread_setname_np(pthread_self(), "cor-reproject");
    cor_xform *t = q->rx->make(q->rx->user);
    if (t) { /* without one the reader transforms every block itself */
        xq_drain(q, t);
        cor_xform_destroy(t);
    }
    return NULL;
}

/* ---- reading lines ------------------------------------------------------------------------ */
/* What reading one layer's lines keeps between features, whichever way they are read. */
typedef struct {
    cor_role role;
    const cor_role_spec *spec;
    cor_classify_fn classify;
    cor_read_xform *rx;
    cor_lines *out;
    cor_load_stats *st;
    int geographic;
    line_caps caps;
    char memo[64];              /* the last class value and what it classified as */
    size_t memo_len;
    int memo_ok, memo_cls;
    xqueue q;
    GIntBig n_features;         /* -1: unknown */
    pthread_t worker;
    int has_worker;             /* started once there is enough to share (small layers: none) */
    double *cur;                /* the block being filled */
    size_t cur_n, cur_cap, at;  /* at: points joined into out->xy */
} line_reader;

/* The class of a value (NULL: none; clen bytes, not necessarily NUL-terminated). Runs of
 * features share a class value: one like the last is not classified again. -1 when out of
 * memory. */
static int lr_class(line_reader *r, const char *cval, size_t clen)
{
    if (cval && r->memo_ok && clen == r->memo_len && !memcmp(cval, r->memo, clen))
        return r->memo_cls;
    char buf[sizeof r->memo], *tmp = NULL;
    const char *z = NULL;
    if (cval) {
        if (clen >= sizeof buf && !(tmp = malloc(clen + 1)))
            return -1;
        char *d = tmp ? tmp : buf;
        memcpy(d, cval, clen);
        d[clen] = '\0';
        z = d;
    }
    int cls = r->classify(z, r->spec, r->role);
    free(tmp);
    r->memo_ok = cval && clen < sizeof r->memo;
    if (r->memo_ok) {
        memcpy(r->memo, cval, clen);
        r->memo_len = clen;
        r->memo_cls = cls;
    }
    return cls;
}

/* Makes room in the current block for need more points, queueing the full one (and starting
 * the worker, helping it, joining what is done). 0 when out of memory. */
static int lr_room(line_reader *r, size_t need)
{
    xqueue *q = &r->q;
    cor_read_xform *rx = r->rx;
    cor_load_stats *st = r->st;
    if (r->cur_n + need <= r->cur_cap)
        return 1;
    if (r->cur_n && !q->nb && r->n_features > 0 && st->read > 1) /* from the first block */
        q->expect = (size_t)((double)r->cur_n * (double)r->n_features / (double)(st->read - 1));
    int ok = 1;
    if (r->cur_n && !(ok = xq_push(q, r->cur, r->cur_n, r->cur_cap)))
        r->cur = NULL;
    else if (!r->cur_n)
        free(r->cur);
    if (ok && !r->has_worker && q->nb >= WORKER_AFTER_BLOCKS && rx && rx->main && rx->make)
        r->has_worker = pthread_create(&r->worker, NULL, xq_worker, q) == 0;
    if (ok && r->has_worker)
        xq_help(q, rx->main);
    if (ok)
        ok = xq_join(q, r->out, &r->at);
    r->cur_cap = need > BLOCK_POINTS ? need : BLOCK_POINTS;
    r->cur_n = 0;
    if (!ok || !(r->cur = xq_block(q, r->cur_cap))) {
        r->cur = NULL;
        r->cur_cap = 0;
        return 0;
    }
    return 1;
}

/* One feature into the line store: its geometry g (NULL: none), class value (cval, clen
 * bytes; NULL: none), speed (NAN: none) and id. Lines, multi-lines and collections of lines
 * are kept part by part; anything else is counted as skipped. 0 when out of memory. */
static int lr_feature(line_reader *r, OGRGeometryH g, const char *cval, size_t clen,
                      double speed, int64_t fid)
{
    cor_load_stats *st = r->st;
    cor_lines *out = r->out;
    st->read++;
    if (!g || OGR_G_IsEmpty(g)) {
        st->skipped_empty++;
        return 1;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int nparts = t == wkbLineString ? 1
                 : (t == wkbMultiLineString || t == wkbGeometryCollection)
                     ? OGR_G_GetGeometryCount(g) : 0;
    if (nparts == 0) {
        st->skipped_invalid++;
        return 1;
    }
    int cls = lr_class(r, cval, clen);
    if (cls < 0)
        return 0;
    if (!(speed > 0) || !isfinite(speed))
        speed = NAN;
    size_t need = 0; /* the feature's points, all in the current block */
    for (int p = 0; p < nparts; p++) {
        OGRGeometryH part = t == wkbLineString ? g : OGR_G_GetGeometryRef(g, p);
        if (wkbFlatten(OGR_G_GetGeometryType(part)) == wkbLineString)
            need += (size_t)OGR_G_GetPointCount(part);
    }
    if (!lr_room(r, need))
        return 0;
    int kept = 0, bad = 0, degenerate = 0;
    size_t feat_n = r->cur_n;
    for (int p = 0; p < nparts; p++) {
        OGRGeometryH part = t == wkbLineString ? g : OGR_G_GetGeometryRef(g, p);
        if (wkbFlatten(OGR_G_GetGeometryType(part)) != wkbLineString) {
            bad = 1;
            continue;
        }
        if (!lines_reserve(out, &r->caps, 1))
            return 0;
        long k = add_part(r->cur + 2 * r->cur_n, part, r->geographic);
        if (k < 0) {
            bad = 2;
            break;
        }
        if (k == 0) {
            degenerate = 1;
            continue;
        }
        r->cur_n += (size_t)k;
        out->n_points += (size_t)k;
        out->cls[out->n_lines] = (uint8_t)cls;
        out->speed_kmh[out->n_lines] = (float)speed;
        out->fid[out->n_lines] = fid;
        out->n_lines++;
        out->start[out->n_lines] = out->n_points;
        kept++;
    }
    if (bad == 2) { /* roll the feature back: one NaN makes the whole feature unusable */
        while (kept-- > 0)
            out->n_lines--;
        out->n_points = out->start[out->n_lines];
        r->cur_n = feat_n;
        st->skipped_nan++;
    } else if (kept) {
        st->kept++;
        st->parts += kept;
    } else if (degenerate) {
        st->skipped_degenerate++;
    } else {
        st->skipped_invalid++;
    }
    return 1;
}

/* Feature by feature (any driver). 0 when out of memory. */
static int read_rows(line_reader *r, OGRLayerH l, const field_idx *fi)
{
    OGRFeatureH f;
    int ok = 1;
    while (ok && (f = OGR_L_GetNextFeature(l)) != NULL) {
        const char *cval = fi->cls >= 0 && OGR_F_IsFieldSetAndNotNull(f, fi->cls)
                               ? OGR_F_GetFieldAsString(f, fi->cls) : NULL;
        double speed = fi->speed >= 0 && OGR_F_IsFieldSetAndNotNull(f, fi->speed)
                           ? OGR_F_GetFieldAsDouble(f, fi->speed) : NAN;
        ok = lr_feature(r, OGR_F_GetGeometryRef(f), cval, cval ? strlen(cval) : 0, speed,
                        (int64_t)OGR_F_GetFID(f));
        OGR_F_Destroy(f);
    }
    return ok;
}

/* ---- the column-oriented read (GDAL RFC 86, Arrow C data interface) ---- */
/* Where the driver has a fast one (GeoPackage among others), GDAL hands the layer over in
 * batches of columns: ids, field values and WKB geometries. This spares building a feature
 * object per row and takes about half the CPU time of reading feature by feature. The
 * geometries are still parsed by OGR (OGR_G_CreateFromWkb), and every feature goes through
 * lr_feature as in read_rows, so both give the same lines. GDAL's configuration option
 * COR_OGR_ARROW=NO turns it off. */
enum { ARROW_BATCH = 8192 };

/* The column named name whose Arrow format is one of formats (single-letter formats). */
static int arrow_column(const struct ArrowSchema *sc, const char *name, const char *formats)
{
    for (int64_t i = 0; i < sc->n_children; i++) {
        const struct ArrowSchema *c = sc->children[i];
        if (c->name && !strcmp(c->name, name) && c->format && c->format[0] && !c->format[1] &&
            strchr(formats, c->format[0]) && !c->dictionary)
            return (int)i;
    }
    return -1;
}

static int arrow_valid(const struct ArrowArray *a, int64_t j)
{
    const uint8_t *v = a->n_buffers > 0 ? a->buffers[0] : NULL;
    return !v || (v[j >> 3] >> (j & 7) & 1);
}

/* Row j of a variable-length column (utf8 / binary, 32- or 64-bit offsets). */
static const char *arrow_bytes(const struct ArrowArray *a, char format, int64_t j, size_t *len)
{
    const char *data = a->buffers[2];
    int64_t b, e;
    if (format == 'u' || format == 'z') {
        const int32_t *o = a->buffers[1];
        b = o[j];
        e = o[j + 1];
    } else {
        const int64_t *o = a->buffers[1];
        b = o[j];
        e = o[j + 1];
    }
    *len = (size_t)(e - b);
    return data + b;
}

static double arrow_number(const struct ArrowArray *a, char format, int64_t j)
{
    switch (format) {
    case 'g': return ((const double *)a->buffers[1])[j];
    case 'f': return ((const float *)a->buffers[1])[j];
    case 'i': return ((const int32_t *)a->buffers[1])[j];
    default: return (double)((const int64_t *)a->buffers[1])[j];
    }
}

/* Reads the layer column by column when GDAL has a fast way to. Returns 0 when it does not
 * (nothing read; read feature by feature instead), 1 when done, -1 when out of memory and
 * -2 on a read error (msg says what). */
static int read_columns(line_reader *r, OGRLayerH l, const field_idx *fi, char *msg,
                        size_t msg_size)
{
    if (!CPLTestBool(CPLGetConfigOption("COR_OGR_ARROW", "YES")) ||
        !OGR_L_TestCapability(l, OLCFastGetArrowStream))
        return 0;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    /* field values as read_rows takes them: class as a string, speed as a number */
    if (fi->cls >= 0 && OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, fi->cls)) != OFTString)
        return 0;
    if (fi->speed >= 0) {
        OGRFieldType ty = OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, fi->speed));
        if (ty != OFTReal && ty != OFTInteger && ty != OFTInteger64)
            return 0;
    }
    if (OGR_FD_GetGeomFieldCount(fd) < 1)
        return 0;
    const char *gname = OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(fd, 0));
    const char *fidname = OGR_L_GetFIDColumn(l);
    char opt[64];
    snprintf(opt, sizeof opt, "MAX_FEATURES_IN_BATCH=%d", (int)ARROW_BATCH);
    char *opts[] = { "INCLUDE_FID=YES", opt, NULL };
    struct ArrowArrayStream stream;
    struct ArrowSchema sc;
    memset(&stream, 0, sizeof stream);
    memset(&sc, 0, sizeof sc);
    if (!OGR_L_GetArrowStream(l, &stream, opts))
        return 0;
    int ci = -1, si = -1, gi = -1, fidi = -1;
    if (stream.get_schema(&stream, &sc) == 0) {
        fidi = arrow_column(&sc, fidname && *fidname ? fidname : "OGC_FID", "l");
        gi = arrow_column(&sc, gname && *gname ? gname : "wkb_geometry", "zZ");
        if (fi->cls >= 0)
            ci = arrow_column(&sc, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, fi->cls)), "uU");
        if (fi->speed >= 0)
            si = arrow_column(&sc, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, fi->speed)),
                              "gfil");
    }
    if (fidi < 0 || gi < 0 || (fi->cls >= 0 && ci < 0) || (fi->speed >= 0 && si < 0)) {
        if (sc.release)
            sc.release(&sc);
        stream.release(&stream);
        OGR_L_ResetReading(l);
        return 0;
    }
    char cf = ci >= 0 ? sc.children[ci]->format[0] : 0;
    char sf = si >= 0 ? sc.children[si]->format[0] : 0;
    char gf = sc.children[gi]->format[0];
    OGRGeometryH line = OGR_G_CreateGeometry(wkbLineString);
    int line_zm = 0, rc = 1;
    for (;;) {
        struct ArrowArray a;
        memset(&a, 0, sizeof a);
        if (stream.get_next(&stream, &a) != 0) {
            const char *e = stream.get_last_error(&stream);
            snprintf(msg, msg_size, "%s", e && *e ? e : "the column-oriented read failed");
            rc = -2;
            break;
        }
        if (!a.release) /* the end */
            break;
        const struct ArrowArray *fa = a.children[fidi], *ga = a.children[gi];
        const struct ArrowArray *ca = ci >= 0 ? a.children[ci] : NULL;
        const struct ArrowArray *sa = si >= 0 ? a.children[si] : NULL;
        for (int64_t i = 0; i < a.length && rc == 1; i++) {
            int64_t j = a.offset + i;
            size_t clen = 0, glen = 0;
            const char *cval = ca && arrow_valid(ca, j + ca->offset)
                                   ? arrow_bytes(ca, cf, j + ca->offset, &clen) : NULL;
            double speed = sa && arrow_valid(sa, j + sa->offset)
                               ? arrow_number(sa, sf, j + sa->offset) : NAN;
            int64_t fid = arrow_valid(fa, j + fa->offset)
                              ? ((const int64_t *)fa->buffers[1])[j + fa->offset] : OGRNullFID;
            OGRGeometryH g = NULL;
            if (arrow_valid(ga, j + ga->offset)) {
                const char *wkb = arrow_bytes(ga, gf, j + ga->offset, &glen);
                /* most are single lines: parsed into the one line object, which keeps its
                 * memory (OGR only ever adds Z and M to it: they are taken off again);
                 * anything else into a new geometry. A geometry OGR cannot parse leaves
                 * the feature without one, as reading a GeoPackage feature by feature does. */
                if (line && line_zm) {
                    OGR_G_Set3D(line, FALSE);
                    OGR_G_SetMeasured(line, FALSE);
                    line_zm = 0;
                }
                if (line && glen && OGR_G_ImportFromWkb(line, wkb, (int)glen) == OGRERR_NONE) {
                    g = line;
                    line_zm = OGR_G_Is3D(line) || OGR_G_IsMeasured(line);
                } else if (glen && OGR_G_CreateFromWkb(wkb, NULL, &g, (int)glen) != OGRERR_NONE) {
                    g = NULL;
                }
            }
            if (!lr_feature(r, g, cval, clen, speed, fid))
                rc = -1;
            if (g != line)
                OGR_G_DestroyGeometry(g);
        }
        a.release(&a);
        if (rc != 1)
            break;
    }
    OGR_G_DestroyGeometry(line);
    sc.release(&sc);
    stream.release(&stream);
    OGR_L_ResetReading(l);
    return rc;
}

/* Only the fields the reading uses are fetched (GDAL then selects fewer columns), unless an
 * attribute filter is set: it may name any field. OGR finds the names it is given without
 * regard to case, first match first, so a name that would find another field than itself
 * (two fields differing only in case, as a CSV may have) or one the reading uses is left
 * out of the list. 1 when a list was given (undone with NULL after, whatever came of it). */
static int ignore_other_fields(OGRLayerH l, const cor_role_spec *spec, const field_idx *fi)
{
    if (spec->where && *spec->where)
        return 0;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    int n = OGR_FD_GetFieldCount(fd);
    const char **names = calloc((size_t)n + 2, sizeof *names);
    if (!names)
        return 0;
    const char *cls = fi->cls >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, fi->cls)) : NULL;
    const char *speed =
        fi->speed >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, fi->speed)) : NULL;
    int k = 0;
    for (int i = 0; i < n; i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (i == fi->cls || i == fi->speed || OGR_FD_GetFieldIndex(fd, name) != i ||
            (cls && !strcasecmp(name, cls)) || (speed && !strcasecmp(name, speed)) ||
            !strcasecmp(name, "OGR_GEOMETRY") || !strcasecmp(name, "OGR_STYLE"))
            continue;
        names[k++] = name;
    }
    names[k++] = "OGR_STYLE";
    OGR_L_SetIgnoredFields(l, names);
    free(names);
    return 1;
}

cor_status cor_src_read_lines(cor_src *s, int layer, cor_role role, const cor_role_spec *spec,
                              cor_classify_fn classify, cor_read_xform *rx, cor_lines *out,
                              cor_load_stats *st, cor_error *err)
{
    memset(out, 0, sizeof *out);
    memset(st, 0, sizeof *st);
    if (rx)
        rx->bad = 0;
    OGRLayerH l;
    field_idx fi;
    if (prepare_layer(s, layer, spec, &l, &fi, err))
        return err ? err->code : COR_ERR_IO;
    line_reader r = { .role = role, .spec = spec, .classify = classify, .rx = rx, .out = out,
                      .st = st, .geographic = cor_src_layer_is_geographic(s, layer),
                      .q = { .rx = rx } };
    xqueue *q = &r.q;
    /* cheap where the format keeps the count (GeoPackage, Shapefile, FlatGeobuf), else -1 */
    r.n_features = rx && rx->on_points ? OGR_L_GetFeatureCount(l, FALSE) : -1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    int ok = lines_reserve(out, &r.caps, 1);
    if (ok)
        out->start[0] = 0;
    int ignoring = ignore_other_fields(l, spec, &fi);
    char msg[512] = "";
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int cols = ok ? read_columns(&r, l, &fi, msg, sizeof msg) : 0;
    st->columnar = cols != 0;
    if (cols == 0 && ok)
        ok = read_rows(&r, l, &fi);
    else if (cols < 0)
        ok = 0;
    CPLPopErrorHandler();
    if (ignoring)
        OGR_L_SetIgnoredFields(l, NULL);
    if (ok && r.cur_n) {
        ok = xq_push(q, r.cur, r.cur_n, r.cur_cap);
    } else {
        free(r.cur);
    }
    xq_close(q);
    if (ok && rx && rx->main)
        xq_drain(q, rx->main);
    if (r.has_worker)
        pthread_join(r.worker, NULL);
    pthread_mutex_lock(&q->mu); /* each block was seen by the thread that finished it, or */
    xq_see_locked(q);           /* by the one seeing when it did; this is only a safeguard */
    pthread_mutex_unlock(&q->mu);
    /* join what is left; the array ends up exactly as large as before (one spare point) */
    if (ok)
        ok = xq_join(q, out, &r.at);
    if (ok) {
        double *p = realloc(out->xy, (2 * out->n_points + 2) * sizeof *p);
        if (p)
            out->xy = p;
        else
            ok = 0;
    }
    for (size_t i = 0; i < q->nb; i++)
        free(q->b[i].xy);
    for (size_t i = 0; i < q->n_spare; i++)
        free(q->spare[i]);
    free(q->b);
    if (rx)
        rx->bad = q->bad;
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    if (ok)
        return COR_OK;
    cor_lines_free(out);
    if (cols == -2)
        return cor_error_set(err, COR_ERR_IO, "%s: reading layer '%s': %s", s->path,
                             OGR_L_GetName(l), msg);
    return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
}

static char *field_str(OGRFeatureH f, int idx)
{
    return cor_strdup(idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, idx)
                          ? OGR_F_GetFieldAsString(f, idx) : "");
}

cor_status cor_src_read_points(cor_src *s, int layer, const cor_role_spec *spec, cor_places *out,
                               cor_load_stats *st, cor_error *err)
{
    memset(out, 0, sizeof *out);
    memset(st, 0, sizeof *st);
    OGRLayerH l;
    field_idx fi;
    if (prepare_layer(s, layer, spec, &l, &fi, err))
        return err ? err->code : COR_ERR_IO;
    int geographic = cor_src_layer_is_geographic(s, layer);
    size_t cap = 0;
    OGRFeatureH f;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        st->read++;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!g || OGR_G_IsEmpty(g)) {
            st->skipped_empty++;
            OGR_F_Destroy(f);
            continue;
        }
        OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
        OGRGeometryH pt = NULL, owned = NULL;
        if (t == wkbPoint)
            pt = g;
        else if (t == wkbMultiPoint && OGR_G_GetGeometryCount(g) > 0)
            pt = OGR_G_GetGeometryRef(g, 0);
        else if (t == wkbPolygon || t == wkbMultiPolygon)
            pt = owned = OGR_G_PointOnSurface(g);
        else if (t == wkbLineString || t == wkbMultiLineString) {
            owned = OGR_G_CreateGeometry(wkbPoint);
            if (owned && OGR_G_Centroid(g, owned) == OGRERR_NONE)
                pt = owned;
        }
        double x = pt ? OGR_G_GetX(pt, 0) : NAN, y = pt ? OGR_G_GetY(pt, 0) : NAN;
        if (owned)
            OGR_G_DestroyGeometry(owned);
        if (!pt) {
            st->skipped_invalid++;
            OGR_F_Destroy(f);
            continue;
        }
        if (!coord_ok(x, y, geographic)) {
            st->skipped_nan++;
            OGR_F_Destroy(f);
            continue;
        }
        if (!cor_grow((void **)&out->items, &cap, out->n + 1, sizeof(cor_place))) {
            OGR_F_Destroy(f);
            CPLPopErrorHandler();
            cor_places_free(out);
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
        }
        cor_place *p = &out->items[out->n];
        memset(p, 0, sizeof *p);
        p->fid = (int64_t)OGR_F_GetFID(f);
        p->name = field_str(f, fi.name);
        p->name_zh = field_str(f, fi.name_zh);
        p->kind = field_str(f, fi.kind);
        p->x_m = x;
        p->y_m = y;
        p->mass = fi.mass >= 0 && OGR_F_IsFieldSetAndNotNull(f, fi.mass)
                      ? OGR_F_GetFieldAsDouble(f, fi.mass) : NAN;
        out->n++;
        if (!p->name || !p->name_zh || !p->kind) {
            OGR_F_Destroy(f);
            CPLPopErrorHandler();
            cor_places_free(out);
            return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
        }
        /* A place without any name is still a place; give it its feature id as a name. */
        if (!*p->name && !*p->name_zh) {
            free(p->name);
            char buf[32];
            snprintf(buf, sizeof buf, "#%lld", (long long)p->fid);
            p->name = cor_strdup(buf);
        }
        st->kept++;
        st->parts++;
        OGR_F_Destroy(f);
    }
    CPLPopErrorHandler();
    return COR_OK;
}

cor_status cor_src_read_polygons(cor_src *s, int layer, const cor_role_spec *spec,
                                 const char *target_crs, cor_polygons *out, cor_load_stats *st,
                                 cor_error *err)
{
    memset(out, 0, sizeof *out);
    memset(st, 0, sizeof *st);
    OGRLayerH l;
    field_idx fi;
    if (prepare_layer(s, layer, spec, &l, &fi, err))
        return err ? err->code : COR_ERR_IO;
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(l), own_src = NULL;
    if (!src)
        return cor_error_set(err, COR_ERR_INPUT, "%s: layer '%s' has no CRS", s->path,
                             OGR_L_GetName(l));
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    own_src = OSRClone(src);
    OSRSetAxisMappingStrategy(own_src, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = NULL;
    cor_status rc = COR_OK;
    if (OSRSetFromUserInput(dst, target_crs) != OGRERR_NONE ||
        !(ct = OCTNewCoordinateTransformation(own_src, dst))) {
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: layer '%s': no transformation to %s",
                           s->path, OGR_L_GetName(l), target_crs);
        goto done;
    }
    size_t cap = 0, cap2 = 0, cap3 = 0;
    OGRFeatureH f;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        st->read++;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
        if (!g || OGR_G_IsEmpty(g)) {
            st->skipped_empty++;
        } else if (t != wkbPolygon && t != wkbMultiPolygon) {
            st->skipped_invalid++;
        } else if (OGR_G_Transform(g, ct) != OGRERR_NONE) {
            st->skipped_nan++;
        } else {
            size_t n = (size_t)OGR_G_WkbSizeEx(g);
            unsigned char *wkb = malloc(n);
            if (!wkb || !cor_grow((void **)&out->wkb, &cap, out->n + 1, sizeof(void *)) ||
                !cor_grow((void **)&out->wkb_len, &cap2, out->n + 1, sizeof(size_t)) ||
                !cor_grow((void **)&out->name, &cap3, out->n + 1, sizeof(char *))) {
                free(wkb);
                OGR_F_Destroy(f);
                CPLPopErrorHandler();
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
                goto done;
            }
            OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
            out->wkb[out->n] = wkb;
            out->wkb_len[out->n] = n;
            out->name[out->n] = field_str(f, fi.name_zh >= 0 ? fi.name_zh : fi.name);
            out->n++;
            st->kept++;
            st->parts++;
        }
        OGR_F_Destroy(f);
    }
    CPLPopErrorHandler();
done:
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(dst);
    OSRDestroySpatialReference(own_src);
    if (rc)
        cor_polygons_free(out);
    return rc;
}

void cor_features_free(cor_features *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->wkb ? f->wkb[i] : NULL);
        for (size_t k = 0; f->values && k < f->n_fields; k++)
            free(f->values[i * f->n_fields + k]);
    }
    free(f->wkb);
    free(f->wkb_len);
    free(f->values);
    free(f->fid);
    memset(f, 0, sizeof *f);
}

cor_status cor_src_read_features(cor_src *s, int layer, const char *target_crs,
                                 const char *const *fields, size_t n_fields, cor_features *out,
                                 cor_error *err)
{
    memset(out, 0, sizeof *out);
    out->n_fields = n_fields;
    OGRLayerH l = GDALDatasetGetLayer(s->ds, layer);
    OGRSpatialReferenceH src = layer_srs(s, layer);
    OGRCoordinateTransformationH ct = NULL;
    OGRSpatialReferenceH dst = NULL, own_src = NULL;
    if (target_crs && (src || s->is_csv)) {
        dst = OSRNewSpatialReference(NULL);
        OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
        own_src = src ? OSRClone(src) : OSRNewSpatialReference(NULL);
        if (!src)
            OSRSetFromUserInput(own_src, "EPSG:4326");
        OSRSetAxisMappingStrategy(own_src, OAMS_TRADITIONAL_GIS_ORDER);
        if (OSRSetFromUserInput(dst, target_crs) == OGRERR_NONE)
            ct = OCTNewCoordinateTransformation(own_src, dst);
    }
    cor_status rc = COR_OK;
    if (!ct && target_crs) {
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: layer '%s' has no CRS usable for %s",
                           s->path, OGR_L_GetName(l), target_crs);
        goto done;
    }
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    int idx[64];
    for (size_t k = 0; k < n_fields && k < 64; k++)
        idx[k] = OGR_FD_GetFieldIndex(fd, fields[k]);
    size_t cap = (size_t)(OGR_L_GetFeatureCount(l, 1) > 0 ? OGR_L_GetFeatureCount(l, 1) : 16) + 1;
    out->wkb = calloc(cap, sizeof *out->wkb);
    out->wkb_len = calloc(cap, sizeof *out->wkb_len);
    out->values = calloc(cap * (n_fields ? n_fields : 1), sizeof *out->values);
    out->fid = calloc(cap, sizeof *out->fid);
    if (!out->wkb || !out->wkb_len || !out->values || !out->fid || n_fields > 64) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
        goto done;
    }
    OGR_L_SetAttributeFilter(l, NULL);
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    while (rc == COR_OK && (f = OGR_L_GetNextFeature(l)) != NULL) {
        if (out->n + 1 >= cap) { /* the count was an estimate */
            size_t nc = 2 * cap;
            void *a = realloc(out->wkb, nc * sizeof *out->wkb);
            if (a) out->wkb = a;
            void *b = realloc(out->wkb_len, nc * sizeof *out->wkb_len);
            if (b) out->wkb_len = b;
            void *c = realloc(out->values, nc * (n_fields ? n_fields : 1) * sizeof *out->values);
            if (c) out->values = c;
            void *d = realloc(out->fid, nc * sizeof *out->fid);
            if (d) out->fid = d;
            if (!a || !b || !c || !d) {
                OGR_F_Destroy(f);
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", s->path);
                break;
            }
            cap = nc;
        }
        size_t i = out->n;
        out->wkb[i] = NULL;
        out->wkb_len[i] = 0;
        out->fid[i] = (int64_t)OGR_F_GetFID(f);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (ct && g && !OGR_G_IsEmpty(g) && OGR_G_Transform(g, ct) == OGRERR_NONE) {
            size_t len = (size_t)OGR_G_WkbSizeEx(g);
            out->wkb[i] = malloc(len);
            if (out->wkb[i]) {
                OGR_G_ExportToIsoWkb(g, wkbNDR, out->wkb[i]);
                out->wkb_len[i] = len;
            }
        }
        for (size_t k = 0; k < n_fields; k++)
            out->values[i * n_fields + k] =
                idx[k] >= 0 && OGR_F_IsFieldSetAndNotNull(f, idx[k])
                    ? cor_strdup(OGR_F_GetFieldAsString(f, idx[k])) : NULL;
        out->n++;
        OGR_F_Destroy(f);
    }
    CPLPopErrorHandler();
done:
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (dst)
        OSRDestroySpatialReference(dst);
    if (own_src)
        OSRDestroySpatialReference(own_src);
    if (rc)
        cor_features_free(out);
    return rc;
}
