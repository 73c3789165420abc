/* cmd_isochrone.c: `corridor isochrone`: nested areas reachable within given minutes from one
 * or more places, with population and parks inside, as a table, JSON, a GeoPackage and
 * optionally a travel-time GeoTIFF with contours. */
#include "cli.h"
#include "corridor/isochrone.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char USAGE[] =
    "Usage: corridor isochrone [DATA] --from PLACE[;PLACE...] --minutes M[,M...]\n"
    "                          [--mode multi|road|rail] [-o iso.gpkg] [--raster SIZE]\n"
    "                          [--raster-out FILE.tif] [--buffer-m M] [--max-snap KM] [--json]\n"
    "                          [--speed KEY=VALUE]... [--config FILE] [-q]\n\n"
    "Areas reachable within each number of minutes (bands, e.g. 30,60,90,120) from PLACE on\n"
    "the multimodal network of DATA (default: the bundled dataset), with the population of\n"
    "the cities and the number of parks inside each. PLACE is as in corridor route (a name\n"
    "or LON,LAT); several places separated by ';' start one search from all of them.\n\n"
    "A band holds every road and access link travelled within its minutes, partly travelled\n"
    "links up to the point reached, widened by the buffer distance; rail lines carry no area\n"
    "(trains are left at stations). Each band contains the smaller ones.\n\n"
    "Options:\n"
    "  --from PLACE[;PLACE...]  the origins\n"
    "  --minutes M[,M...]  band limits in minutes, each above 0 and at most 1440 (24 h)\n"
    "  --mode MODE        multi (default), road (roads only), rail (trips that take a train)\n"
    "  -o, --output FILE  layer isochrones (MultiPolygon, working CRS; fields minutes,\n"
    "                     area_km2, population, parks, origin; largest band first) in a\n"
    "                     .gpkg, .geojson or .fgb\n"
    "  --buffer-m M       how far around the reached roads a band extends: metres, or with\n"
    "                     a unit (2km); default 1000\n"
    "  --raster SIZE      also a travel-time GeoTIFF of cells of SIZE (1km, 500m, ...):\n"
    "                     Float32 minutes, nodata -9999; per cell the best time of the\n"
    "                     reached roads within the buffer distance plus the straight line\n"
    "                     to the cell centre at the access speed; and layer contours (at\n"
    "                     the band minutes, traced by GDAL) in the -o GeoPackage\n"
    "  --raster-out FILE  the GeoTIFF's path (default: the -o path with .tif)\n"
    "  --max-snap KM      refuse LON,LAT points farther than this from a road (default 20)\n"
    "  --speed KEY=VALUE  override a default speed or terminal time (see corridor network)\n"
    "  --json             {\"from\":[labels],\"mode\",\"buffer_m\",\"bands\":[{\"minutes\",\n"
    "                     \"area_km2\",\"population\",\"parks\",\"cities\",\"reach_km\"}]}\n"
    "  -q, --quiet        no progress, no warnings\n"
    "  --config FILE, --crs CRS, -h/--help\n";

#define MAX_FROM 64

/* Parses "30,60,90" into ascending minutes; names the problem in msg. */
static int parse_minutes(const char *s, double *out, size_t *n, char *msg, size_t msg_n)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || (*end && *end != ',')) {
            snprintf(msg, msg_n, "--minutes: '%s' is not a comma-separated list of numbers", s);
            return 0;
        }
        if (!isfinite(v) || v <= 0 || v > COR_ISO_MAX_MINUTES) {
            snprintf(msg, msg_n, "--minutes: %g is not above 0 and at most %g (24 h)", v,
                     COR_ISO_MAX_MINUTES);
            return 0;
        }
        if (*n == COR_ISO_MAX_BANDS) {
            snprintf(msg, msg_n, "--minutes: at most %d bands", COR_ISO_MAX_BANDS);
            return 0;
        }
        size_t i = (*n)++;
        while (i > 0 && out[i - 1] > v) { /* insertion sort */
            out[i] = out[i - 1];
            i--;
        }
        out[i] = v;
        if (!*end)
            break;
        p = end + 1;
    }
    for (size_t i = 1; i < *n; i++)
        if (out[i] == out[i - 1]) {
            snprintf(msg, msg_n, "--minutes: %g given twice", out[i]);
            return 0;
        }
    return 1;
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && !strcasecmp(path + n - e, ext);
}

/* Progress of the network build (first 80 %) and the isochrones, as one line of dots. */
typedef struct { double base, span; int tick; } phase;
static int phase_progress(double f, const char *msg, void *user)
{
    phase *p = user;
    return cli_progress(p->base + p->span * f, msg, &p->tick);
}

static cor_status write_layers(const cli_net *net, const char *path, const cor_isochrones *iso,
                               const char *origin, const cor_contours *ct, cor_error *err)
{
    cor_writer *w = cor_writer_create(path, cor_graph_crs(net->g), err);
    if (!w)
        return err->code;
    const cor_field f[] = { { "minutes", COR_FIELD_REAL }, { "area_km2", COR_FIELD_REAL },
                            { "population", COR_FIELD_INT }, { "parks", COR_FIELD_INT },
                            { "origin", COR_FIELD_STRING } };
    cor_status rc = cor_writer_layer(w, "isochrones", COR_GEOM_MULTIPOLYGON, f, 5, err);
    for (size_t k = iso->n_bands; rc == COR_OK && k-- > 0;) { /* largest first: draw order */
        const cor_iso_band *b = &iso->bands[k];
        cor_value v[] = { COR_REAL(b->minutes), COR_REAL(round(b->area_km2 * 1000) / 1000),
                          COR_INT(llround(b->population)), COR_INT((int64_t)b->parks),
                          COR_STR(origin) };
        rc = cor_writer_feature(w, v, NULL, 0, b->wkb, b->wkb_len, err);
    }
    double mins[COR_ISO_MAX_BANDS];
    size_t nm = 0;
    for (size_t k = 0; k < iso->n_bands && nm < COR_ISO_MAX_BANDS; k++)
        mins[nm++] = iso->bands[k].minutes;
    if (rc == COR_OK)
        rc = cli_style_layer(NULL, w, "isochrones", COR_QML_ISOCHRONES, NULL, mins, nm, err);
    if (rc == COR_OK && ct) {
        const cor_field cf[] = { { "minutes", COR_FIELD_REAL } };
        rc = cor_writer_layer(w, "contours", COR_GEOM_LINESTRING, cf, 1, err);
        for (size_t i = 0; rc == COR_OK && i < ct->n; i++) {
            cor_value v[] = { COR_REAL(ct->level[i]) };
            rc = cor_writer_feature(w, v, NULL, 0, ct->wkb[i], ct->wkb_len[i], err);
        }
        if (rc == COR_OK)
            rc = cli_style_layer(NULL, w, "contours", COR_QML_CONTOURS, NULL, ct->level, ct->n,
                                 err);
    }
    if (rc != COR_OK) {
        cor_writer_abort(w);
        return rc;
    }
    return cor_writer_close(w, err);
}

int cmd_isochrone(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor isochrone" };
    cli_net_opts no = { .build = COR_BUILD_OPTS_DEFAULT };
    cli_route_opts ro = CLI_ROUTE_OPTS_DEFAULT;
    enum { O_MINUTES = 2000, O_RASTER, O_RASTER_OUT, O_BUFFER };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, CLI_NET_LONGOPTS, CLI_ROUTE_LONGOPTS,
        { "from", required_argument, NULL, CLI_OPT_FROM },
        { "minutes", required_argument, NULL, O_MINUTES },
        { "raster", required_argument, NULL, O_RASTER },
        { "raster-out", required_argument, NULL, O_RASTER_OUT },
        { "buffer-m", required_argument, NULL, O_BUFFER },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    const char *output = NULL, *raster_out = NULL;
    double minutes[COR_ISO_MAX_BANDS];
    size_t n_bands = 0;
    double cell_m = 0, buffer_m = 1000;
    int opt, code;
    char msg[300];
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_shared_option(&c, &no, &ro, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        if (opt == 'o')
            output = optarg;
        else if (opt == O_RASTER_OUT)
            raster_out = optarg;
        else if (opt == O_MINUTES && !parse_minutes(optarg, minutes, &n_bands, msg, sizeof msg))
            return cli_usage_error(&c, USAGE, "%s", msg);
        else if (opt == O_RASTER) {
            if (!cli_parse_number(optarg, &cell_m) || cell_m < 10 || cell_m > 100000)
                return cli_usage_error(&c, USAGE,
                                       "--raster: '%s' is not a cell size from 10m to 100km",
                                       optarg);
        } else if (opt == O_BUFFER) {
            if (!cli_parse_number(optarg, &buffer_m) || buffer_m <= 0 || buffer_m > 50000)
                return cli_usage_error(&c, USAGE,
                                       "--buffer-m: '%s' is not a distance above 0 and at "
                                       "most 50 km", optarg);
        }
    }
    const char *from = ro.from;
    int mode = ro.mode;
    if (!from || !n_bands)
        return cli_usage_error(&c, USAGE, "--from and --minutes are required");
    if (output && !(has_ext(output, ".gpkg") || has_ext(output, ".geojson") ||
                    has_ext(output, ".json") || has_ext(output, ".fgb")))
        return cli_usage_error(&c, USAGE, "%s: unknown output format (.gpkg, .geojson, .fgb)",
                               output);
    if (raster_out && !cell_m)
        return cli_usage_error(&c, USAGE, "--raster-out needs --raster SIZE");
    if (cell_m && (!output || !has_ext(output, ".gpkg")))
        return cli_usage_error(&c, USAGE, "--raster needs -o FILE.gpkg (for the contours)");
    if (raster_out && !has_ext(raster_out, ".tif") && !has_ext(raster_out, ".tiff"))
        return cli_usage_error(&c, USAGE, "--raster-out: %s is not a .tif path", raster_out);
    char from_buf[2048];
    char *places[MAX_FROM];
    if (strlen(from) >= sizeof from_buf)
        return cli_usage_error(&c, USAGE, "--from: too long");
    snprintf(from_buf, sizeof from_buf, "%s", from);
    int n_from = cli_split_places(from_buf, places, MAX_FROM);
    if (n_from < 0)
        return cli_usage_error(&c, USAGE, "--from: an empty place in '%s' (or more than %d)",
                               from, MAX_FROM);

    phase ph = { 0.0, 0.8, 0 };
    if (!c.quiet) {
        no.build.progress = phase_progress;
        no.build.progress_user = &ph;
    }
    cli_net net;
    int rc = cli_net_open(&c, &no, argc, argv, optind, &net);
    if (rc != EXIT_OK) {
        cli_net_close(&net);
        cli_ctx_free(&c);
        return rc;
    }
    cor_error err = COR_ERROR_INIT;
    cor_location loc[MAX_FROM];
    cor_isochrones iso = { 0 };
    cor_contours ct = { 0 };
    char origin[4096] = "", tif[4096] = "", tif_tmp[4200] = "";
    rc = EXIT_FAIL;
    for (int i = 0; i < n_from; i++) {
        if (cor_engine_locate(net.e, places[i], ro.max_snap_m, cli_lonlat_to_xy, net.ds, &loc[i],
                              &err) != COR_OK)
            goto out;
        size_t len = strlen(origin);
        snprintf(origin + len, sizeof origin - len, "%s%s", i ? "; " : "", loc[i].label);
    }
    cor_iso_opts o = COR_ISO_OPTS_DEFAULT;
    o.mode = (cor_mode)mode;
    o.buffer_m = buffer_m;
    o.raster_cell_m = cell_m;
    if (!(o.cities = cor_dataset_places(net.ds, COR_ROLE_CITY, &err)) ||
        !(o.parks = cor_dataset_places(net.ds, COR_ROLE_PARK, &err)))
        goto out;
    if (!c.quiet) {
        ph = (phase){ 0.8, 0.2, ph.tick };
        o.progress = phase_progress;
        o.progress_user = &ph;
    }
    if (cor_isochrones_compute(net.e, loc, (size_t)n_from, minutes, n_bands, &o, &iso, &err) !=
        COR_OK)
        goto out;
    const cor_iso_band *last = &iso.bands[iso.n_bands - 1];
    if (last->area_km2 <= 0) {
        cor_error_set(&err, COR_ERR_INPUT, "nothing reachable from %s by %s within %g min",
                      origin, cor_mode_name((cor_mode)mode), last->minutes);
        goto out;
    }
    if (cell_m) {
        /* GeoTIFF under a temporary name, renamed once the GeoPackage is written too */
        if (raster_out)
            snprintf(tif, sizeof tif, "%s", raster_out);
        else
            snprintf(tif, sizeof tif, "%.*s.tif", (int)(strlen(output) - 5), output);
        const char *dot = strrchr(tif, '.');
        snprintf(tif_tmp, sizeof tif_tmp, "%.*s.tmp%ld%s", (int)(dot - tif), tif,
                 (long)getpid(), dot);
        if (cor_grid_write_geotiff(&iso.grid, cor_graph_crs(net.g), tif_tmp, -9999.0f,
                                   "travel time", "min", &err) != COR_OK ||
            cor_grid_contours(&iso.grid, minutes, n_bands, 2.0 * minutes[n_bands - 1] + 1.0,
                              &ct, &err) != COR_OK)
            goto out;
    }
    if (output && write_layers(&net, output, &iso, origin, cell_m ? &ct : NULL, &err) != COR_OK)
        goto out;
    if (cell_m && rename(tif_tmp, tif) != 0) {
        cor_error_set(&err, COR_ERR_IO, "%s: cannot move the finished file into place", tif);
        unlink(output);
        goto out;
    }
    tif_tmp[0] = '\0';
    if (c.json) {
        json_t *jf = json_array(), *jb = json_array();
        for (int i = 0; i < n_from; i++)
            json_array_append_new(jf, json_string(loc[i].label));
        for (size_t k = 0; k < iso.n_bands; k++) {
            const cor_iso_band *b = &iso.bands[k];
            json_t *m = b->minutes == floor(b->minutes) ? json_integer((json_int_t)b->minutes)
                                                        : json_real(b->minutes);
            json_array_append_new(
                jb, json_pack("{s:o, s:f, s:I, s:I, s:I, s:f}", "minutes", m, "area_km2",
                              round(b->area_km2 * 1000) / 1000, "population",
                              (json_int_t)llround(b->population), "parks", (json_int_t)b->parks,
                              "cities", (json_int_t)b->cities, "reach_km",
                              round(b->reach_km * 1000) / 1000));
        }
        cli_print_json(json_pack("{s:o, s:s, s:f, s:o}", "from", jf, "mode",
                                 cor_mode_name((cor_mode)mode), "buffer_m", buffer_m, "bands",
                                 jb));
    } else {
        printf("Isochrones from %s by %s (%.1f km around the reached roads)\n", origin,
               cor_mode_name((cor_mode)mode), buffer_m / 1000.0);
        printf("  %8s %11s %10s %12s %6s\n", "minutes", "area_km2", "reach_km", "population",
               "parks");
        for (size_t k = 0; k < iso.n_bands; k++) {
            const cor_iso_band *b = &iso.bands[k];
            printf("  %8g %11.1f %10.1f %12.0f %6zu\n", b->minutes, b->area_km2, b->reach_km,
                   b->population, b->parks);
        }
        if (output)
            printf("Wrote %s (layer isochrones%s)\n", output, cell_m ? ", contours" : "");
        if (cell_m)
            printf("Wrote %s (%zu x %zu cells of %g m, travel time in minutes)\n", tif,
                   iso.grid.nx, iso.grid.ny, cell_m);
    }
    rc = EXIT_OK;
out:
    if (rc != EXIT_OK) {
        if (!c.quiet && ph.tick > 0 && ph.tick < 40)
            fputc('\n', stderr); /* end the progress line before the error */
        cli_fail(&c, &err);
    }
    if (tif_tmp[0])
        unlink(tif_tmp);
    cor_contours_free(&ct);
    cor_isochrones_free(&iso);
    cli_net_close(&net);
    cli_ctx_free(&c);
    return rc;
}
