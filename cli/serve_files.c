/* serve_files.c: the static page of `corridor serve`: web/index.html, app.js, style.css and
 * the Leaflet files installed from npm at build time, read once into memory at start-up and
 * served by exact path only (no file system access per request). */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (16u << 20)

/* The page's own files (required) and Leaflet's (optional) with their URL paths. */
static const struct { const char *url, *file, *type; } PAGE[] = {
    { "/index.html", "index.html", "text/html; charset=utf-8" },
    { "/app.js", "app.js", "text/javascript; charset=utf-8" },
    { "/style.css", "style.css", "text/css; charset=utf-8" },
};
static const struct { const char *url, *file, *type; } LEAFLET[] = {
    { "/vendor/leaflet/leaflet.js", "leaflet.js", "text/javascript; charset=utf-8" },
    { "/vendor/leaflet/leaflet.css", "leaflet.css", "text/css; charset=utf-8" },
    { "/vendor/leaflet/images/layers.png", "images/layers.png", "image/png" },
    { "/vendor/leaflet/images/layers-2x.png", "images/layers-2x.png", "image/png" },
    { "/vendor/leaflet/images/marker-icon.png", "images/marker-icon.png", "image/png" },
    { "/vendor/leaflet/images/marker-icon-2x.png", "images/marker-icon-2x.png", "image/png" },
    { "/vendor/leaflet/images/marker-shadow.png", "images/marker-shadow.png", "image/png" },
};

/* Reads a whole file; NULL when missing, unreadable or too large. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = cap <= MAX_FILE_BYTES ? realloc(buf, cap + 1) : NULL;
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int add_file(serve_ctx *s, const char *url, const char *dir, const char *file,
                    const char *type)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t len = 0;
    char *data = read_all(path, &len);
    if (!data)
        return 0;
    serve_file *nf = realloc(s->files, (s->n_files + 1) * sizeof *nf);
    char *u = malloc(strlen(url) + 1);
    if (!nf || !u) {
        if (nf)
            s->files = nf;
        free(u);
        free(data);
        return 0;
    }
    strcpy(u, url);
    s->files = nf;
    s->files[s->n_files++] = (serve_file){ u, type, data, len };
    return 1;
}

int serve_files_load(serve_ctx *s)
{
    for (size_t i = 0; i < sizeof PAGE / sizeof PAGE[0]; i++)
        if (!add_file(s, PAGE[i].url, s->web_dir, PAGE[i].file, PAGE[i].type)) {
            fprintf(stderr, "%s: %s/%s: cannot read the page (--web-dir)\n", s->cli->prog,
                    s->web_dir, PAGE[i].file);
            return EXIT_FAIL;
        }
    s->have_leaflet = 1;
    for (size_t i = 0; i < sizeof LEAFLET / sizeof LEAFLET[0]; i++)
        if (!add_file(s, LEAFLET[i].url, s->vendor_dir, LEAFLET[i].file, LEAFLET[i].type))
            s->have_leaflet = 0;
    if (!s->have_leaflet && !s->quiet)
        fprintf(stderr, "%s: warning: Leaflet is not in %s (npm was not available at build "
                "time); the page explains that the map cannot be drawn, the API works\n",
                s->cli->prog, s->vendor_dir);
    return EXIT_OK;
}

void serve_files_free(serve_ctx *s)
{
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        free(s->files[i].data);
    }
    free(s->files);
    s->files = NULL;
    s->n_files = 0;
}

int serve_files_handle(const serve_ctx *s, const char *path, serve_reply *out)
{
    if (!strcmp(path, "/"))
        path = "/index.html";
    for (size_t i = 0; i < s->n_files; i++)
        if (!strcmp(s->files[i].path, path)) {
            out->status = 200;
            out->type = s->files[i].type;
            out->body = s->files[i].data;
            out->len = s->files[i].len;
            out->is_static = 1;
            return 1;
        }
    return 0;
}
