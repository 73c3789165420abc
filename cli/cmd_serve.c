/* cmd_serve.c: `corridor serve`: loads the data and the network once and answers route,
 * isochrone, accessibility and matrix questions over HTTP/JSON with libmicrohttpd's thread
 * pool, plus a small map page; the only file that knows libmicrohttpd. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef COR_WEB_DIR
#define COR_WEB_DIR "web"
#endif
#ifndef COR_WEB_VENDOR_DIR
#define COR_WEB_VENDOR_DIR "web/vendor/leaflet"
#endif

static const char USAGE[] =
    "Usage: corridor serve [DATA] [--bind ADDR] [--port N] [--threads N] [--max-matrix N]\n"
    "                      [--max-minutes M] [--max-body SIZE] [--max-image PX]\n"
    "                      [--max-site-candidates N]\n"
    "                      [--time-budget-ms MS] [--max-connections N] [--idle-timeout S]\n"
    "                      [--max-snap KM] [--web-dir DIR] [--speed KEY=VALUE]...\n"
    "                      [--config FILE] [-q]\n\n"
    "Loads DATA (default: the bundled dataset) and its multimodal network once, then answers\n"
    "questions over HTTP (JSON) until SIGINT or SIGTERM, and serves a map page at /.\n\n"
    "Endpoints:\n"
    "  GET  /health                          {\"status\":\"ok\"}\n"
    "  GET  /info                            dataset, layers, CRS, network size, limits\n"
    "  GET  /route?from=A&to=B[&mode=M]      the answer of corridor route --json\n"
    "  GET  /route.geojson?from=A&to=B       the legs as lines (EPSG:4326)\n"
    "  GET  /isochrone?from=A&minutes=30,60[&mode=M]   bands as GeoJSON polygons (EPSG:4326)\n"
    "  GET  /access?lon=X&lat=Y[&mode=M]     minutes to the nearest port, airport, high-speed\n"
    "                                        rail station and major city, with names\n"
    "  POST /matrix  {\"sources\":[...],\"destinations\":[...],\"mode\":M}\n"
    "                                        {\"times_s\":[[...]],\"distances_m\":[[...]]}\n"
    "  POST /site/score  {\"criteria\":{...},\"candidates\":\"parks\"|\"grid:5km\"|\n"
    "                    [{\"name\",\"lon\",\"lat\"},...],\"within\":NAME,\"top\":N}\n"
    "                                        the answer of corridor site --json; criteria as\n"
    "                                        in datasets/criteria/ (layers of DATA only, no\n"
    "                                        files or rasters)\n"
    "  GET  /map.png?bbox=BOX|extent=BOX|NAME&width=W&height=H[&theme=base|access|\n"
    "                isochrone|corridors][&lang=zh|en|both][&title=T]\n"
    "                                        a map of the base theme (corridor render)\n"
    "  GET  /layers/provinces.geojson, /layers/places.geojson   the page's base map\n"
    "  A and B are place names or LON,LAT as in corridor route; M is multi, road or rail.\n"
    "  Errors: {\"code\",\"message\"} with 400 (bad parameters), 404, 405, 413 (body too\n"
    "  large), 422 (unreachable), 503 (busy, over the time budget, stopping).\n\n"
    "Options:\n"
    "  --bind ADDR          address to listen on (default 127.0.0.1: this machine only)\n"
    "  --port N             TCP port (default 8080; 0 picks a free one)\n"
    "  --threads N          worker threads (default: the number of CPUs)\n"
    "  --max-matrix N       largest sources x destinations of /matrix (default 10000)\n"
    "  --max-minutes M      largest isochrone band in minutes (default 240, at most 1440)\n"
    "  --max-body SIZE      largest POST body (default 1MB; B, KB, MB)\n"
    "  --max-image PX       largest side of /map.png in pixels (default 4096)\n"
    "  --max-site-candidates N  largest number of candidates of /site/score (default\n"
    "                       10000; a 5 km grid over Hebei has 7,535)\n"
    "  --time-budget-ms MS  wall time an isochrone, matrix or site score may take (default\n"
    "                       10000)\n"
    "  --max-connections N  open connections above this get 503 (default 256)\n"
    "  --idle-timeout S     close connections idle for S seconds (default 30)\n"
    "  --max-snap KM        refuse LON,LAT farther than this from a road (default 20)\n"
    "  --web-dir DIR        the page's files (default: the source tree's web/)\n"
    "  --speed KEY=VALUE, --config FILE, --crs CRS, -h/--help\n"
    "  -q, --quiet          no log line per request\n"
    "Exit status: 0 after a clean shutdown, 1 when the data cannot be loaded or the address\n"
    "cannot be bound, 2 on a usage error.\n";

double serve_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- per-request state ------------------------------------------------------------------- */
typedef struct {
    double t0_s;
    char *body;
    size_t body_len, body_cap;
    size_t discarded;           /* body bytes dropped after the limit */
    int too_large, answered;
    int status;
    size_t bytes;
    char line[512];             /* client, method and URL for the log */
} req_state;

/* Appends text to the log line, control bytes as '?'. */
static void line_add(req_state *st, const char *t)
{
    size_t n = strlen(st->line);
    for (; *t && n + 1 < sizeof st->line; t++)
        st->line[n++] = ((unsigned char)*t < 0x20 || *t == 0x7f) ? '?' : *t;
    st->line[n] = '\0';
}

typedef struct { req_state *st; int first; } query_log;

static enum MHD_Result log_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    query_log *q = cls;
    line_add(q->st, q->first ? "?" : "&");
    q->first = 0;
    line_add(q->st, key);
    if (value) {
        line_add(q->st, "=");
        line_add(q->st, value);
    }
    return MHD_YES;
}

static void start_line(req_state *st, struct MHD_Connection *conn, const char *method,
                       const char *url)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
                      sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      addr, sizeof addr);
    }
    snprintf(st->line, sizeof st->line, "%s %.10s ", addr, method);
    line_add(st, url);
    query_log q = { st, 1 };
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, log_arg, &q);
}

static const char *arg_of(void *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, req_state *st, serve_reply *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->len, r->body, r->is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        if (!r->is_static)
            free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->type ? r->type : "application/json; charset=utf-8");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->retry_after_s > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", r->retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    st->status = r->status;
    st->bytes = r->len;
    st->answered = 1;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    serve_ctx *s = cls;
    req_state *st = *con_cls;
    serve_reply rep = { 0 };
    int post = !strcmp(method, "POST");
    if (!st) {
        /* headers only: refuse early what will be refused anyway */
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        st->t0_s = serve_now_s();
        *con_cls = st;
        start_line(st, conn, method, url);
        if (atomic_load(&s->stopping)) {
            serve_reply_error(&rep, 503, "ShuttingDown", "the server is stopping");
            return send_reply(conn, st, &rep);
        }
        if (atomic_load(&s->open_connections) > (int)s->lim.max_connections) {
            serve_reply_error(&rep, 503, "Busy", "more than %u open connections",
                              s->lim.max_connections);
            rep.retry_after_s = 1;
            return send_reply(conn, st, &rep);
        }
        if (post && serve_api_wants_body(url)) {
            const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
            char *end;
            unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
            if (cl && (n > s->lim.max_body || *end)) {
                serve_reply_error(&rep, 413, "PayloadTooLarge",
                                  "the body (%s bytes) is larger than %zu bytes", cl,
                                  s->lim.max_body);
                return send_reply(conn, st, &rep);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!post || !serve_api_wants_body(url) || st->too_large ||
            st->body_len + n > s->lim.max_body) {
            /* dropped; a chunked body far over the limit closes the connection */
            if (post && serve_api_wants_body(url) && !st->too_large) {
                st->too_large = 1;
                free(st->body);
                st->body = NULL;
                st->body_len = 0;
            }
            st->discarded += n;
            return st->discarded > 16 * s->lim.max_body + 65536 ? MHD_NO : MHD_YES;
        }
        if (st->body_len + n > st->body_cap) {
            size_t cap = st->body_cap ? st->body_cap : 4096;
            while (cap < st->body_len + n)
                cap *= 2;
            char *p = realloc(st->body, cap);
            if (!p)
                return MHD_NO;
            st->body = p;
            st->body_cap = cap;
        }
        memcpy(st->body + st->body_len, upload_data, n);
        st->body_len += n;
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    if (st->too_large) {
        serve_reply_error(&rep, 413, "PayloadTooLarge", "the body is larger than %zu bytes",
                          s->lim.max_body);
        return send_reply(conn, st, &rep);
    }
    serve_req rq = { method, url, arg_of, conn, st->body, st->body_len, st->t0_s };
    if (serve_api_handle(s, &rq, &rep))
        return send_reply(conn, st, &rep);
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (serve_files_handle(s, url, &rep)) {
        if (!get) {
            rep = (serve_reply){ 0 };
            serve_reply_error(&rep, 405, "MethodNotAllowed", "%s answers GET only", url);
            rep.allow = "GET, HEAD";
        }
        return send_reply(conn, st, &rep);
    }
    serve_reply_error(&rep, 404, "NotFound", "no such path (see GET /info and corridor serve "
                      "--help)");
    return send_reply(conn, st, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    serve_ctx *s = cls;
    req_state *st = *con_cls;
    if (!st)
        return;
    if (!s->quiet) {
        double ms = (serve_now_s() - st->t0_s) * 1000.0;
        if (st->answered)
            fprintf(stderr, "%s %d %zu %.1fms%s\n", st->line, st->status, st->bytes, ms,
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
        else
            fprintf(stderr, "%s - closed before an answer %.1fms\n", st->line, ms);
    }
    free(st->body);
    free(st);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    (void)socket_context;
    serve_ctx *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->open_connections, 1);
    else
        atomic_fetch_sub(&s->open_connections, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    serve_ctx *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "%s: http: %s\n", s->cli->prog, msg);
}

/* ---- options ------------------------------------------------------------------------------ */
/* A positive integer within [lo, hi]. */
static int parse_count(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* "1MB", "512KB", "2048", "1 MB" with binary units. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0)
        return 0;
    while (*end == ' ')
        end++;
    double mul = 1;
    if (!*end || !strcasecmp(end, "b"))
        mul = 1;
    else if (!strcasecmp(end, "k") || !strcasecmp(end, "kb") || !strcasecmp(end, "kib"))
        mul = 1024.0;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "mb") || !strcasecmp(end, "mib"))
        mul = 1024.0 * 1024.0;
    else
        return 0;
    v *= mul;
    if (v < 64 || v > 1024.0 * 1024.0 * 1024.0)
        return 0;
    *out = (size_t)v;
    return 1;
}

/* Opens the listening socket; prints one line naming the address on failure. */
static int open_listener(const cli_ctx *c, const char *bind_addr, long long port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    int family;
    if (inet_pton(AF_INET, bind_addr, &a4->sin_addr) == 1) {
        family = a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        len = sizeof *a4;
    } else if (inet_pton(AF_INET6, bind_addr, &a6->sin6_addr) == 1) {
        family = a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        len = sizeof *a6;
    } else {
        return -2;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "%s: cannot listen on %s%s%s:%lld: %s\n", c->prog,
                family == AF_INET6 ? "[" : "", bind_addr, family == AF_INET6 ? "]" : "", port,
                strerror(e));
        return -1;
    }
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int cmd_serve(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor serve" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    enum { O_BIND = 2000, O_PORT, O_THREADS, O_MATRIX, O_MINUTES, O_BODY, O_IMAGE, O_BUDGET,
           O_CONN, O_IDLE, O_SNAP, O_WEB, O_SITE };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS,
        { "bind", required_argument, NULL, O_BIND }, { "port", required_argument, NULL, O_PORT },
        { "threads", required_argument, NULL, O_THREADS },
        { "max-matrix", required_argument, NULL, O_MATRIX },
        { "max-minutes", required_argument, NULL, O_MINUTES },
        { "max-body", required_argument, NULL, O_BODY },
        { "max-image", required_argument, NULL, O_IMAGE },
        { "time-budget-ms", required_argument, NULL, O_BUDGET },
        { "max-connections", required_argument, NULL, O_CONN },
        { "idle-timeout", required_argument, NULL, O_IDLE },
        { "max-snap", required_argument, NULL, O_SNAP },
        { "web-dir", required_argument, NULL, O_WEB },
        { "max-site-candidates", required_argument, NULL, O_SITE }, { 0, 0, 0, 0 },
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    serve_limits lim = { .threads = ncpu > 0 ? (ncpu > 64 ? 64 : (int)ncpu) : 2,
                         .max_connections = 256, .max_matrix = 10000, .max_minutes = 240,
                         .max_body = 1 << 20, .max_image = 4096, .time_budget_ms = 10000,
                         .idle_timeout_s = 30, .max_snap_m = 20000,
                         .max_site_candidates = 10000 };
    const char *bind_addr = "127.0.0.1", *web_dir = COR_WEB_DIR;
    long long port = 8080, v;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, NULL, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        switch (opt) {
        case O_BIND: bind_addr = optarg; break;
        case O_WEB: web_dir = optarg; break;
        case O_PORT:
            if (!parse_count(optarg, 0, 65535, &port))
                return cli_usage_error(&c, USAGE, "--port: '%s' is not a port (0-65535)", optarg);
            break;
        case O_THREADS:
            if (!parse_count(optarg, 1, 256, &v))
                return cli_usage_error(&c, USAGE, "--threads: '%s' is not 1-256", optarg);
            lim.threads = (int)v;
            break;
        case O_MATRIX:
            if (!parse_count(optarg, 1, 100000000, &v))
                return cli_usage_error(&c, USAGE, "--max-matrix: '%s' is not 1-100000000",
                                       optarg);
            lim.max_matrix = (size_t)v;
            break;
        case O_SITE:
            if (!parse_count(optarg, 1, 1000000, &v))
                return cli_usage_error(&c, USAGE, "--max-site-candidates: '%s' is not "
                                       "1-1000000", optarg);
            lim.max_site_candidates = (size_t)v;
            break;
        case O_MINUTES: {
            char *end;
            double m = strtod(optarg, &end);
            if (end == optarg || *end || !isfinite(m) || m <= 0 || m > 1440)
                return cli_usage_error(&c, USAGE, "--max-minutes: '%s' is not above 0 and at "
                                       "most 1440", optarg);
            lim.max_minutes = m;
            break;
        }
        case O_BODY:
            if (!parse_size(optarg, &lim.max_body))
                return cli_usage_error(&c, USAGE, "--max-body: '%s' is not a size from 64 B "
                                       "to 1024 MB (e.g. 1MB, 512KB)", optarg);
            break;
        case O_IMAGE:
            if (!parse_count(optarg, 100, 20000, &v))
                return cli_usage_error(&c, USAGE, "--max-image: '%s' is not 100-20000 pixels",
                                       optarg);
            lim.max_image = (int)v;
            break;
        case O_BUDGET:
            if (!parse_count(optarg, 1, 3600000, &v))
                return cli_usage_error(&c, USAGE, "--time-budget-ms: '%s' is not 1-3600000",
                                       optarg);
            lim.time_budget_ms = (unsigned)v;
            break;
        case O_CONN:
            if (!parse_count(optarg, 1, 100000, &v))
                return cli_usage_error(&c, USAGE, "--max-connections: '%s' is not 1-100000",
                                       optarg);
            lim.max_connections = (unsigned)v;
            break;
        case O_IDLE:
            if (!parse_count(optarg, 1, 86400, &v))
                return cli_usage_error(&c, USAGE, "--idle-timeout: '%s' is not 1-86400 seconds",
                                       optarg);
            lim.idle_timeout_s = (unsigned)v;
            break;
        case O_SNAP: {
            double km;
            if (!cli_parse_km(optarg, &km) || km <= 0)
                return cli_usage_error(&c, USAGE, "--max-snap: '%s' is not a positive number",
                                       optarg);
            lim.max_snap_m = km * 1000.0;
            break;
        }
        default: break;
        }
    }
    if (argc - optind > 1)
        return cli_usage_error(&c, USAGE, "unexpected argument '%s'", argv[optind + 1]);
    struct in6_addr probe;
    if (inet_pton(AF_INET, bind_addr, &probe) != 1 && inet_pton(AF_INET6, bind_addr, &probe) != 1)
        return cli_usage_error(&c, USAGE, "--bind: '%s' is not an IPv4 or IPv6 address",
                               bind_addr);

    /* The address first: a port in use fails at once, before the data is loaded. */
    int fd = open_listener(&c, bind_addr, port);
    if (fd < 0)
        return EXIT_FAIL;
    serve_ctx s;
    memset(&s, 0, sizeof s);
    s.lim = lim;
    s.quiet = c.quiet;
    s.cli = &c;
    s.web_dir = web_dir;
    s.vendor_dir = COR_WEB_VENDOR_DIR;
    pthread_mutex_init(&s.lock, NULL);
    pthread_mutex_init(&s.proj_lock, NULL);
    json_object_seed(0); /* before any thread: jansson's hash seed */
    struct MHD_Daemon *d = NULL;
    int rc = EXIT_FAIL;
    double t_load = serve_now_s();
    if ((rc = cli_net_open(&c, &no, argc, argv, optind, &s.net)) != EXIT_OK)
        goto out;
    rc = EXIT_FAIL;
    if (serve_api_init(&s) != EXIT_OK || serve_map_init(&s) != EXIT_OK ||
        serve_files_load(&s) != EXIT_OK)
        goto out;
    cor_error err = COR_ERROR_INIT;
    if (!(s.workers = calloc((size_t)lim.threads, sizeof *s.workers))) {
        cor_error_set(&err, COR_ERR_NOMEM, "out of memory");
        cli_fail(&c, &err);
        goto out;
    }
    for (int i = 0; i < lim.threads; i++) {
        serve_worker *w = &s.workers[i];
        for (int m = 0; m < COR_MODE_COUNT; m++)
            if (!(w->router[m] = cor_router_create(s.net.e, &err))) {
                cli_fail(&c, &err);
                goto out;
            }
        if (!(w->gj = cor_geojson_create(cor_graph_crs(s.net.g), 6, &err))) {
            cli_fail(&c, &err);
            goto out;
        }
        w->next = s.free_workers;
        s.free_workers = w;
    }

    /* SIGINT and SIGTERM are taken by sigwait() below: block them in every thread, which the
     * HTTP threads inherit; writes to closed sockets must not kill the process. */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, NULL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    int actual_port = bound_port(fd);
    unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
    if (!c.quiet)
        flags |= MHD_USE_ERROR_LOG;
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)lim.threads, MHD_OPTION_CONNECTION_LIMIT,
        lim.max_connections + 64u, MHD_OPTION_CONNECTION_TIMEOUT, lim.idle_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, &s, MHD_OPTION_END);
    if (!d) {
        close(fd);
        fd = -1;
        cor_error_set(&err, COR_ERR_INTERNAL, "cannot start the HTTP server on %s:%lld",
                      bind_addr, port);
        cli_fail(&c, &err);
        goto out;
    }
    fd = -1; /* the daemon closes it */
    if (!c.quiet) {
        cor_graph_stats gs;
        cor_graph_get_stats(s.net.g, &gs);
        fprintf(stderr, "%s: listening on http://%s%s%s:%d/ (%d threads; %u nodes loaded in "
                "%.1f s; Ctrl-C stops)\n", c.prog, strchr(bind_addr, ':') ? "[" : "", bind_addr,
                strchr(bind_addr, ':') ? "]" : "", actual_port, lim.threads, gs.nodes,
                serve_now_s() - t_load);
    }
    int sig = 0;
    while (sigwait(&stop, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
        ;
    atomic_store(&s.stopping, 1);
    if (!c.quiet)
        fprintf(stderr, "%s: %s: stopping\n", c.prog, sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_stop_daemon(d); /* waits for the requests in progress */
    d = NULL;
    rc = EXIT_OK; /* the signals stay blocked: a second one must not kill the clean-up */
out:
    if (fd >= 0)
        close(fd);
    for (int i = 0; s.workers && i < lim.threads; i++) {
        for (int m = 0; m < COR_MODE_COUNT; m++)
            cor_router_destroy(s.workers[i].router[m]);
        cor_geojson_destroy(s.workers[i].gj);
    }
    free(s.workers);
    serve_files_free(&s);
    serve_map_free(&s);
    serve_api_free(&s);
    cli_net_close(&s.net);
    pthread_mutex_destroy(&s.lock);
    pthread_mutex_destroy(&s.proj_lock);
    cli_ctx_free(&c);
    return rc;
}
