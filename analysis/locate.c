/* locate.c: finding places by name (either language, case-insensitive, optional role prefix)
 * and points given as LON,LAT, with the closest candidates listed when a name is unknown. */
#include "corridor/routing.h"
#include "engine_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Roles in the order a bare name prefers them. */
static const cor_role PREFERENCE[] = { COR_ROLE_CITY, COR_ROLE_STATION, COR_ROLE_AIRPORT,
                                       COR_ROLE_PORT, COR_ROLE_PARK };

static size_t levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200)
        return la > lb ? la : lb;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (tolower((unsigned char)a[i - 1]) !=
                                 tolower((unsigned char)b[j - 1]));
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

static void place_label(const cor_graph_place *p, char *buf, size_t n)
{
    if (*p->name && *p->name_zh && strcmp(p->name, p->name_zh))
        snprintf(buf, n, "%s (%s)", p->name, p->name_zh);
    else
        snprintf(buf, n, "%s", *p->name ? p->name : p->name_zh);
}

static int parse_lonlat(const char *s, double *lon, double *lat)
{
    char *end;
    *lon = strtod(s, &end);
    if (end == s || *end != ',')
        return 0;
    const char *t = end + 1;
    *lat = strtod(t, &end);
    return end != t && *end == '\0';
}

cor_status cor_engine_locate(const cor_engine *e, const char *spec, double max_snap_m,
                             cor_lonlat_fn xy_of_lonlat, void *user, cor_location *out,
                             cor_error *err)
{
    memset(out, 0, sizeof *out);
    out->place = -1;
    double lon, lat;
    if (parse_lonlat(spec, &lon, &lat)) {
        if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
            lat > 90)
            return cor_error_set(err, COR_ERR_INPUT, "'%s': not a longitude,latitude pair",
                                 spec);
        double xy[2] = { lon, lat };
        if (xy_of_lonlat(xy, user, err) != COR_OK)
            return err ? err->code : COR_ERR_INPUT;
        cor_error sub = COR_ERROR_INIT;
        if (cor_engine_anchor_xy(e, xy[0], xy[1], max_snap_m, &out->anchor, &out->snap_m,
                                 &sub) != COR_OK)
            return cor_error_set(err, COR_ERR_INPUT, "'%s': %s", spec, sub.msg);
        out->x_m = xy[0];
        out->y_m = xy[1];
        snprintf(out->label, sizeof out->label, "%.5f,%.5f", lon, lat);
        return COR_OK;
    }
    /* optional "role:" prefix */
    int want_role = -1;
    const char *name = spec;
    const char *colon = strchr(spec, ':');
    if (colon && colon > spec && colon - spec < 16) {
        char role[16];
        memcpy(role, spec, (size_t)(colon - spec));
        role[colon - spec] = '\0';
        int r = cor_role_from_name(role);
        if (r >= 0 && cor_role_is_place((cor_role)r)) {
            want_role = r;
            name = colon + 1;
        }
    }
    if (!*name)
        return cor_error_set(err, COR_ERR_INPUT, "empty place name");
    const cor_graph *g = e->g;
    size_t np = cor_graph_place_count(g);
    const cor_csr *c = &e->csr;
    for (size_t k = 0; k < sizeof PREFERENCE / sizeof PREFERENCE[0]; k++) {
        cor_role role = PREFERENCE[k];
        if (want_role >= 0 && (int)role != want_role)
            continue;
        int found = -1, ambiguous = -1;
        for (size_t i = 0; i < np; i++) {
            const cor_graph_place *p = cor_graph_place_get(g, i);
            if (p->role != role || (strcasecmp(p->name, name) && strcasecmp(p->name_zh, name)))
                continue;
            if (found < 0) {
                found = (int)i;
                continue;
            }
            /* the same name twice: one place if within 2 km (duplicate points) */
            const cor_graph_place *q = cor_graph_place_get(g, (size_t)found);
            if (hypot(c->node_xy[2 * p->node] - c->node_xy[2 * q->node],
                      c->node_xy[2 * p->node + 1] - c->node_xy[2 * q->node + 1]) > 2000)
                ambiguous = (int)i;
        }
        if (found < 0)
            continue;
        const cor_graph_place *p = cor_graph_place_get(g, (size_t)found);
        if (ambiguous >= 0)
            return cor_error_set(err, COR_ERR_INPUT,
                                 "'%s' names several %s places more than 2 km apart; give "
                                 "LON,LAT instead", spec, cor_role_name(role));
        if (p->node == COR_UNREACHABLE)
            return cor_error_set(err, COR_ERR_INPUT, "'%s' is not joined to the network",
                                 spec);
        out->place = found;
        out->anchor = (cor_anchor){ p->node, 0, 0.0f };
        out->x_m = c->node_xy[2 * p->node];
        out->y_m = c->node_xy[2 * p->node + 1];
        place_label(p, out->label, sizeof out->label);
        return COR_OK;
    }
    /* Unknown: list the closest names. */
    size_t best[5] = { 0 }, bestd[5];
    int nb = 0;
    for (size_t i = 0; i < np; i++) {
        const cor_graph_place *p = cor_graph_place_get(g, i);
        if (want_role >= 0 && (int)p->role != want_role)
            continue;
        size_t d1 = levenshtein(name, p->name), d2 = levenshtein(name, p->name_zh);
        size_t d = d1 < d2 ? d1 : d2;
        if (strstr(p->name, name) || strstr(p->name_zh, name))
            d = d > 2 ? 2 : d; /* a containing name is close */
        int at = nb < 5 ? nb : 5;
        while (at > 0 && bestd[at - 1] > d)
            at--;
        if (at >= 5)
            continue;
        for (int k = (nb < 5 ? nb : 4); k > at; k--) {
            best[k] = best[k - 1];
            bestd[k] = bestd[k - 1];
        }
        best[at] = i;
        bestd[at] = d;
        if (nb < 5)
            nb++;
    }
    char list[400] = "";
    for (int k = 0; k < nb; k++) {
        const cor_graph_place *p = cor_graph_place_get(g, best[k]);
        char lab[200];
        place_label(p, lab, sizeof lab);
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s:%s", k ? ", " : "",
                 cor_role_name(p->role), lab);
    }
    return cor_error_set(err, COR_ERR_NOTFOUND, "unknown place '%s'%s%s", spec,
                         nb ? "; closest: " : "", list);
}
