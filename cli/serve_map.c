/* serve_map.c: GET /map.png of `corridor serve`: a map of a theme drawn by the render
 * module (include/corridor/render.h) on a dataset handle of its own, one map at a time, to a
 * temporary PNG that is read back and removed. */
#include "serve.h"
#include "corridor/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAP_DEFAULT_W 1024
#define MAP_DEFAULT_H 768
#define MAP_MIN_SIDE 100        /* the render module's smallest side */

int serve_map_init(serve_ctx *s)
{
    cor_error err = COR_ERROR_INIT;
    /* The render module loads layers and uses the dataset's PROJ transforms: it gets a
     * dataset of its own, so that it never shares those with the query threads. */
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    oo.crs = s->cli->crs;
    oo.config = s->cli->config;
    if (!(s->style = cor_style_default(&err)) ||
        !(s->render_ds = cor_dataset_open(s->cli->data, &oo, &err)))
        return cli_fail(s->cli, &err);
    pthread_mutex_init(&s->render_lock, NULL);
    s->render_ready = 1;
    return EXIT_OK;
}

void serve_map_free(serve_ctx *s)
{
    if (s->render_ready)
        pthread_mutex_destroy(&s->render_lock);
    s->render_ready = 0;
    cor_dataset_close(s->render_ds);
    cor_style_destroy(s->style);
    s->render_ds = NULL;
    s->style = NULL;
}

/* An integer side in [MAP_MIN_SIDE, max]; def when absent. */
static int side_ok(const char *v, int def, int max, int *out)
{
    if (!v) {
        *out = def < max ? def : max;
        return 1;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < MAP_MIN_SIDE || n > max)
        return 0;
    *out = (int)n;
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *len = (size_t)n;
    return buf;
}

void serve_map_png(serve_ctx *s, const serve_req *rq, serve_reply *out)
{
    if (!s->render_ready) {
        serve_reply_error(out, 404, "NotFound", "this server draws no maps");
        return;
    }
    cor_map_opts mo = COR_MAP_OPTS_DEFAULT;
    const char *w = rq->arg(rq->conn, "width"), *h = rq->arg(rq->conn, "height");
    if (!side_ok(w, MAP_DEFAULT_W, s->lim.max_image, &mo.width_px) ||
        !side_ok(h, MAP_DEFAULT_H, s->lim.max_image, &mo.height_px)) {
        serve_reply_error(out, 400, "InvalidQuery", "width, height: whole pixels from %d to %d",
                          MAP_MIN_SIDE, s->lim.max_image);
        return;
    }
    /* bbox= (minlon,minlat,maxlon,maxlat), or extent= (the same, or a polygon's name) */
    const char *ext = rq->arg(rq->conn, "bbox");
    if (!ext)
        ext = rq->arg(rq->conn, "extent");
    if (ext) {
        double b[4];
        int n = 0;
        const char *p = ext;
        char *end;
        while (n < 4) {
            b[n] = strtod(p, &end);
            if (end == p || !isfinite(b[n]))
                break;
            n++;
            if (*end != ',')
                break;
            p = end + 1;
        }
        if (n == 4 && !*end) {
            mo.has_extent_lonlat = 1;
            mo.extent_lonlat = (cor_bbox){ b[0], b[1], b[2], b[3] };
        } else if (*ext && strlen(ext) <= 200 && serve_text_ok(ext)) {
            mo.extent_name = ext;
        } else {
            serve_reply_error(out, 400, "InvalidQuery", "extent: minlon,minlat,maxlon,maxlat or "
                              "the name of a polygon (河北省, Beijing, ...)");
            return;
        }
    }
    /* the themes that need no results file: base, and the analyses the render module
     * computes itself (access: parks to ports; isochrone: from Beijing; corridors) */
    const char *theme = rq->arg(rq->conn, "theme");
    if (theme) {
        static const char *const OK[] = { "base", "access", "isochrone", "corridors" };
        int known = 0;
        for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
            known |= !strcmp(theme, OK[i]);
        if (!known) {
            serve_reply_error(out, 400, "InvalidQuery", "theme: base, access, isochrone or "
                              "corridors (sites and scenario maps need a results file: use "
                              "corridor render --results)");
            return;
        }
        mo.theme = theme;
    }
    const char *lang = rq->arg(rq->conn, "lang");
    if (lang) {
        int l = cor_lang_from_name(lang);
        if (l < 0) {
            serve_reply_error(out, 400, "InvalidQuery", "lang: zh, en or both");
            return;
        }
        mo.lang = (cor_lang)l;
    }
    const char *title = rq->arg(rq->conn, "title");
    if (title && (strlen(title) > 200 || !serve_text_ok(title))) {
        serve_reply_error(out, 400, "InvalidQuery", "title: at most 200 bytes of UTF-8 text");
        return;
    }
    mo.title = title;
    if (!serve_heavy_enter(s)) {
        serve_reply_error(out, 503, "Busy", "too many maps, isochrones and matrices at once");
        out->retry_after_s = 1;
        return;
    }
    pthread_mutex_lock(&s->render_lock);
    char path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/corridor-serve-%ld-%u.png", tmp && *tmp ? tmp : "/tmp",
             (long)getpid(), ++s->render_seq);
    cor_error err = COR_ERROR_INIT;
    cor_map *m = cor_map_create(s->render_ds, s->style, &mo, &err);
    size_t len = 0;
    char *png = NULL;
    if (m && cor_map_write(m, path, &err) == COR_OK) {
        png = read_file(path, &len);
        unlink(path);
        if (!png)
            cor_error_set(&err, COR_ERR_IO, "%s: cannot read the drawn map back", path);
    }
    cor_map_destroy(m);
    pthread_mutex_unlock(&s->render_lock);
    serve_heavy_leave(s);
    if (png) {
        out->status = 200;
        out->type = "image/png";
        out->body = png;
        out->len = len;
        return;
    }
    const char *msg = err.msg[0] == '-' && err.msg[1] == '-' ? err.msg + 2 : err.msg;
    if (err.code == COR_ERR_CONFIG || err.code == COR_ERR_NOTFOUND || err.code == COR_ERR_INPUT)
        serve_reply_error(out, 400, "InvalidQuery", "%s", msg);
    else
        serve_reply_error(out, 500, "Internal", "%s", msg);
}
