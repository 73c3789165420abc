/* theme_compute.c: the default analyses of the thematic themes, run through the analysis
 * library when no results file is given: access (parks to ports, minutes to the nearest),
 * isochrones (from Beijing, 30/60/90/120 minutes), corridors (the default gravity run:
 * population masses, decay 2, all pairs assigned to the multimodal network). */
#include "map_internal.h"

#include "corridor/access.h"
#include "corridor/corridors.h"
#include "corridor/isochrone.h"
#include "corridor/network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cor_graph *g;
    cor_engine *e;
} net;

static cor_status net_open(cor_map *m, net *n, cor_error *err)
{
    memset(n, 0, sizeof *n);
    cor_build_opts bo = COR_BUILD_OPTS_DEFAULT;
    bo.log = m->o.log;
    if (!(n->g = cor_graph_build(m->ds, &bo, err)) || !(n->e = cor_engine_create(n->g, err)))
        return err->code;
    return COR_OK;
}

static void net_close(net *n)
{
    cor_engine_destroy(n->e);
    cor_graph_destroy(n->g);
}

/* The joined places of a role: their anchors, positions and names. */
typedef struct {
    size_t n;
    cor_anchor *a;
    double *xy;
    const char **name;
} pset;

static cor_status places_of(const net *n, cor_role role, pset *out, cor_error *err)
{
    size_t np = cor_graph_place_count(n->g);
    memset(out, 0, sizeof *out);
    out->a = malloc((np + 1) * sizeof *out->a);
    out->xy = malloc((np + 1) * 2 * sizeof *out->xy);
    out->name = malloc((np + 1) * sizeof *out->name);
    if (!out->a || !out->xy || !out->name)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    cor_csr c;
    cor_graph_csr(n->g, &c);
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(n->g, i);
        if (p->role != role || p->node == COR_UNREACHABLE)
            continue;
        out->a[out->n] = (cor_anchor){ p->node, 0, 0.0f };
        out->xy[2 * out->n] = c.node_xy[2 * p->node];
        out->xy[2 * out->n + 1] = c.node_xy[2 * p->node + 1];
        out->name[out->n++] = p->name_zh && *p->name_zh ? p->name_zh : p->name;
    }
    return COR_OK;
}

static void pset_free(pset *p)
{
    free(p->a);
    free(p->xy);
    free(p->name);
}

cor_status theme_compute_access(cor_map *m, tlayer *tl, cor_error *err)
{
    net n;
    pset parks = { 0 }, ports = { 0 };
    uint32_t *t = NULL;
    double *tmin = NULL, *near = NULL;
    cor_status rc = net_open(m, &n, err);
    if (rc == COR_OK && (places_of(&n, COR_ROLE_PARK, &parks, err) ||
                         places_of(&n, COR_ROLE_PORT, &ports, err)))
        rc = err->code;
    if (rc == COR_OK && (!parks.n || !ports.n))
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: the access theme needs parks and ports on "
                           "the network (%zu parks, %zu ports joined)",
                           cor_dataset_source(m->ds), parks.n, ports.n);
    if (rc == COR_OK) {
        t = malloc(parks.n * ports.n * sizeof *t);
        tmin = malloc(parks.n * ports.n * sizeof *tmin);
        near = malloc(parks.n * sizeof *near);
        if (!t || !tmin || !near)
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    if (rc == COR_OK)
        rc = cor_matrix_compute(n.e, parks.a, parks.n, ports.a, ports.n, &mo, t, NULL, err);
    if (rc == COR_OK) {
        for (size_t k = 0; k < parks.n * ports.n; k++)
            tmin[k] = t[k] == COR_UNREACHABLE ? INFINITY : t[k] / 60000.0;
        cor_access_input in = { .n_origins = parks.n, .n_facilities = ports.n, .time_min = tmin };
        cor_access_nearest(&in, near, NULL);
        for (size_t i = 0; rc == COR_OK && i < parks.n; i++) {
            tfeat f = { .value = near[i], .cls = -1 };
            if (shape_point(&f.shape, parks.xy[2 * i], parks.xy[2 * i + 1]) ||
                tlayer_push(tl, &f)) {
                cor_shape_free(&f.shape);
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
            }
        }
        if (rc == COR_OK && !(tl->field = strdup("nearest_min")))
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    free(t);
    free(tmin);
    free(near);
    pset_free(&parks);
    pset_free(&ports);
    net_close(&n);
    return rc;
}

cor_status theme_compute_isochrone(cor_map *m, tlayer *tl, cor_error *err)
{
    net n;
    cor_isochrones iso;
    memset(&iso, 0, sizeof iso);
    cor_status rc = net_open(m, &n, err);
    cor_location from;
    if (rc == COR_OK)
        rc = cor_engine_locate(n.e, "Beijing", 20000, NULL, NULL, &from, err);
    static const double MIN[] = { 30, 60, 90, 120 };
    cor_iso_opts io = COR_ISO_OPTS_DEFAULT;
    if (rc == COR_OK)
        rc = cor_isochrones_compute(n.e, &from, 1, MIN, 4, &io, &iso, err);
    cor_wkb_reader *rd = rc == COR_OK ? cor_wkb_reader_create(err) : NULL;
    if (rc == COR_OK && !rd)
        rc = err->code;
    for (size_t b = 0; rc == COR_OK && b < iso.n_bands; b++) {
        tfeat f = { .value = iso.bands[b].minutes, .cls = -1 };
        if (!iso.bands[b].wkb)
            continue;
        if (cor_wkb_read_shape(rd, iso.bands[b].wkb, iso.bands[b].wkb_len, &f.shape, err)) {
            rc = err->code;
            break;
        }
        if (f.shape.kind == COR_SHAPE_EMPTY || tlayer_push(tl, &f)) {
            cor_shape_free(&f.shape);
            if (f.shape.kind != COR_SHAPE_EMPTY)
                rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    }
    if (rc == COR_OK && !(tl->field = strdup("minutes")))
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    cor_wkb_reader_destroy(rd);
    cor_isochrones_free(&iso);
    net_close(&n);
    return rc;
}

cor_status theme_compute_corridors(cor_map *m, tlayer *tl, cor_error *err)
{
    net n;
    pset cities = { 0 };
    uint32_t *T = NULL;
    double *R = NULL, *mass = NULL, *load = NULL;
    cor_od *od = NULL;
    cor_status rc = net_open(m, &n, err);
    if (rc == COR_OK && places_of(&n, COR_ROLE_CITY, &cities, err))
        rc = err->code;
    size_t nc = cities.n;
    const cor_places *pl = rc == COR_OK ? cor_dataset_places(m->ds, COR_ROLE_CITY, err) : NULL;
    if (rc == COR_OK && !pl)
        rc = err->code;
    if (rc == COR_OK) {
        T = malloc((nc * nc + 1) * sizeof *T);
        R = malloc((nc * nc + 1) * sizeof *R);
        mass = malloc((nc + 1) * sizeof *mass);
        od = malloc((nc * nc + 1) * sizeof *od);
        load = calloc(cor_graph_link_count(n.g) + 1, sizeof *load);
        if (!T || !R || !mass || !od || !load)
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    }
    /* population masses by name (cities with none are left out) */
    size_t k = 0;
    for (size_t i = 0; rc == COR_OK && i < nc; i++) {
        double ms = NAN;
        for (size_t q = 0; q < pl->n; q++)
            if (!strcmp(pl->items[q].name_zh, cities.name[i]) ||
                !strcmp(pl->items[q].name, cities.name[i]))
                ms = pl->items[q].mass;
        if (!(ms > 0) || !isfinite(ms))
            continue;
        cities.a[k] = cities.a[i];
        mass[k++] = ms;
    }
    nc = k;
    if (rc == COR_OK && nc < 2)
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: the corridors theme needs two cities with a "
                           "population on the network", cor_dataset_source(m->ds));
    cor_matrix_opts mo = COR_MATRIX_OPTS_DEFAULT;
    cor_gravity_opts go = COR_GRAVITY_OPTS_DEFAULT;
    if (rc == COR_OK)
        rc = cor_matrix_compute(n.e, cities.a, nc, cities.a, nc, &mo, T, NULL, err);
    if (rc == COR_OK)
        rc = cor_gravity(nc, mass, T, &go, R, NULL, NULL, NULL, NULL, err);
    size_t n_od = 0, unassigned = 0;
    for (size_t i = 0; rc == COR_OK && i < nc; i++)
        for (size_t j = 0; j < nc; j++)
            if (i != j && !isnan(R[i * nc + j]))
                od[n_od++] = (cor_od){ (uint32_t)i, (uint32_t)j, R[i * nc + j] };
    if (rc == COR_OK)
        rc = cor_assign(n.e, COR_MODE_MULTI, cities.a, od, n_od, load, &unassigned, err);
    for (size_t l = 0; rc == COR_OK && l < cor_graph_link_count(n.g); l++) {
        if (!(load[l] > 0))
            continue;
        cor_link_info L;
        cor_graph_link_get(n.g, (uint32_t)l, &L);
        if (L.kind != COR_EDGE_ROAD && L.kind != COR_EDGE_RAIL)
            continue;
        double buf[4];
        const double *pts;
        size_t np = cor_graph_link_points(n.g, (uint32_t)l, buf, &pts);
        if (np < 2)
            continue;
        tfeat f = { .value = load[l], .cls = -1 };
        if (shape_line(&f.shape, pts, np) || tlayer_push(tl, &f)) {
            cor_shape_free(&f.shape);
            rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        }
    }
    if (rc == COR_OK && !(tl->field = strdup("load")))
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    free(T);
    free(R);
    free(mass);
    free(od);
    free(load);
    pset_free(&cities);
    net_close(&n);
    return rc;
}
