/* serve.h: private interfaces of `corridor serve` between the HTTP front (cmd_serve.c, the only
 * file that knows libmicrohttpd), the query endpoints (serve_api.c) and the static page
 * (serve_files.c). Handlers see a request as plain values and fill a plain reply. */
#ifndef CORRIDOR_CLI_SERVE_H
#define CORRIDOR_CLI_SERVE_H

#include "cli.h"
#include "corridor/geojson.h"

#include <pthread.h>
#include <stdatomic.h>

/* Limits, from the command line. */
typedef struct {
    int threads;                /* HTTP worker threads (the thread pool) */
    unsigned max_connections;   /* open connections above this get 503 */
    size_t max_matrix;          /* sources x destinations */
    double max_minutes;         /* the largest isochrone band */
    size_t max_body;            /* bytes of a POST body */
    int max_image;              /* pixels per side of /map.png */
    unsigned time_budget_ms;    /* wall time a request may compute */
    unsigned idle_timeout_s;    /* idle connections are closed after this */
    double max_snap_m;          /* LON,LAT farther than this from a road are refused */
    size_t max_site_candidates; /* candidates of one POST /site/score */
} serve_limits;

/* Per-thread scratch: routers and a GeoJSON transform, handed out by worker_get(). One router
 * per mode: a router reused with another mode reallocates its states, and router_alloc() in
 * analysis/engine.c then restarts the run counter without clearing the target stamps, so a
 * stale target could end the next search early (a rail route after a road one came out
 * unreachable). A router that keeps its mode never reallocates. */
typedef struct serve_worker {
    cor_router *router[COR_MODE_COUNT];
    cor_geojson *gj;
    struct serve_worker *next;
} serve_worker;

/* Facility kinds answered by /access. */
enum { SERVE_FAC_PORT = 0, SERVE_FAC_AIRPORT, SERVE_FAC_HSR, SERVE_FAC_CITY, SERVE_FAC_COUNT };

/* A static file served from memory. */
typedef struct {
    char *path;                 /* URL path, "/app.js" */
    const char *type;           /* Content-Type */
    char *data;
    size_t len;
} serve_file;

/* Everything the server shares. Built before the threads start, read-only afterwards except
 * the worker free list (lock), the PROJ transform of the dataset (proj_lock; also held by
 * POST /site/score while it reads net.ds's layers) and the counters (atomics). */
typedef struct {
    serve_limits lim;
    int quiet;
    cli_ctx *cli;
    cli_net net;
    const cor_places *cities, *parks;       /* borrowed from net.ds */
    char *info_json;                        /* GET /info body */
    char *provinces_geojson;                /* GET /layers/provinces.geojson body; NULL: none */
    size_t provinces_len;
    char *places_geojson;                   /* GET /layers/places.geojson body */
    size_t places_len;
    /* /access facilities: graph place indexes per kind */
    size_t n_fac[SERVE_FAC_COUNT];
    size_t *fac[SERVE_FAC_COUNT];
    /* /map.png: the render module's own dataset and style, one map at a time */
    struct cor_style *style;
    cor_dataset *render_ds;
    pthread_mutex_t render_lock;
    int render_ready;
    unsigned render_seq;                    /* temporary file names (under render_lock) */
    /* static page */
    serve_file *files;
    size_t n_files;
    int have_leaflet;
    const char *web_dir, *vendor_dir;
    /* workers */
    serve_worker *workers;
    serve_worker *free_workers;
    pthread_mutex_t lock;
    pthread_mutex_t proj_lock;
    atomic_int open_connections;
    atomic_int heavy_running;               /* isochrone and matrix requests in progress */
    atomic_int stopping;                    /* set on SIGINT/SIGTERM: searches stop early */
} serve_ctx;

/* A request as the handlers see it. arg() returns a decoded query argument or NULL. */
typedef struct {
    const char *method;         /* "GET", "HEAD", "POST", ... */
    const char *path;           /* without the query string */
    const char *(*arg)(void *conn, const char *key);
    void *conn;
    const char *body;           /* POST body (not NUL-terminated) */
    size_t body_len;
    double t0_s;                /* monotonic arrival time */
} serve_req;

typedef struct {
    int status;
    const char *type;           /* Content-Type; NULL: application/json */
    char *body;                 /* malloc'd, or borrowed when is_static */
    size_t len;
    int is_static;
    const char *allow;          /* Allow header for 405 */
    int retry_after_s;          /* > 0: Retry-After header (503) */
} serve_reply;

double serve_now_s(void);

/* ---- serve_api.c ------------------------------------------------------------------------- */
/* Loads what the endpoints need once (places, facilities, /info, the provinces layer);
 * prints the error and returns EXIT_FAIL, or EXIT_OK. */
int serve_api_init(serve_ctx *s);
void serve_api_free(serve_ctx *s);
/* Answers an API path; returns 0 when path is not an API path (reply untouched). */
int serve_api_handle(serve_ctx *s, const serve_req *rq, serve_reply *out);
/* Whether a POST body is expected for this path (the body is read only then). */
int serve_api_wants_body(const char *path);
/* Strict UTF-8 without control characters. */
int serve_text_ok(const char *s);
/* A heavy request (isochrone, matrix, map) runs only while fewer than threads - 1 others do
 * (at least one), so that a thread stays free for light requests; 0: refuse it (503). */
int serve_heavy_enter(serve_ctx *s);
void serve_heavy_leave(serve_ctx *s);
/* {"code":code,"message":msg} with status. */
void serve_reply_error(serve_reply *out, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Takes ownership of a malloc'd JSON text. */
void serve_reply_json(serve_reply *out, int status, char *text);

/* ---- serve_map.c ------------------------------------------------------------------------- */
/* Opens the render dataset and the default style; prints and returns EXIT_FAIL on failure. */
int serve_map_init(serve_ctx *s);
void serve_map_free(serve_ctx *s);
/* GET /map.png?extent=MINLON,MINLAT,MAXLON,MAXLAT|NAME&width=&height=&lang=&title= */
void serve_map_png(serve_ctx *s, const serve_req *rq, serve_reply *out);

/* ---- serve_files.c ----------------------------------------------------------------------- */
/* Loads web/ (index.html, app.js, style.css) and the Leaflet files into memory; a missing
 * Leaflet only notes have_leaflet = 0. Prints and returns EXIT_FAIL when web/ is unreadable. */
int serve_files_load(serve_ctx *s);
void serve_files_free(serve_ctx *s);
/* Answers GET of a static file; 0 when path is not one. */
int serve_files_handle(const serve_ctx *s, const char *path, serve_reply *out);

#endif
