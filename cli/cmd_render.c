/* cmd_render.c: `corridor render`: a map of a theme to PNG, PDF or SVG. */
#include "cli.h"
#include "corridor/render.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "Usage: corridor render [DATA] [--theme NAME] -o MAP.png|MAP.pdf|MAP.svg [--style FILE]\n"
    "                       [--results FILE] [--field NAME] [--classify jenks|quantile|equal]\n"
    "                       [--classes N]\n"
    "                       [--extent MINLON,MINLAT,MAXLON,MAXLAT | --extent NAME]\n"
    "                       [--size WIDTHxHEIGHT | --paper A4|A3[-landscape|-portrait]]\n"
    "                       [--dpi N] [--lang zh|en|both] [--title TEXT] [--subtitle TEXT]\n"
    "                       [--json] [--config FILE] [--crs CRS] [-q]\n\n"
    "Draws a map of DATA (default: the bundled dataset) in the working CRS, with title, legend\n"
    "(from what is drawn), scale bar, north arrow, graticule, labels and attribution. The\n"
    "format follows the extension: PNG (raster), PDF (vector, selectable text) or SVG.\n\n"
    "Options:\n"
    "  --theme NAME       what to draw; known themes: base (boundaries, land, water, urban\n"
    "                     areas, roads, rail with high-speed distinct, parks by level,\n"
    "                     high-speed rail stations, airports, ports, cities by population);\n"
    "                     over a faded base (boundaries, water, rail, cities):\n"
    "                     access     parks coloured by minutes to the nearest port\n"
    "                     isochrone  travel-time bands (30/60/90/120 min from Beijing)\n"
    "                     corridors  flow load as proportional line widths, parks by chain\n"
    "                     sites      site scores (needs --results from corridor site)\n"
    "                     scenario   change per origin, diverging around 0, and the edited\n"
    "                                lines (needs --results delta.gpkg of corridor scenario)\n"
    "  --results FILE     the output of corridor access / isochrone / corridors / site /\n"
    "                     scenario to draw; without it access, isochrone and corridors\n"
    "                     compute their default analysis\n"
    "  --field NAME       the field to map (access: nearest_min, or watt, cum_60, ...;\n"
    "                     isochrone: minutes; corridors: load (flows) or r_ab, f_ab\n"
    "                     (linkage); sites: total; scenario: a measure, e.g. nearest, whose\n"
    "                     <measure>_change is drawn, or a field such as nearest_pct)\n"
    "  --classify METHOD  jenks (natural breaks), quantile or equal (interval); default\n"
    "                     from the style's \"themes\" (isochrone: one class per band)\n"
    "  --classes N        number of classes, 1-12 (default from the style, 5)\n"
    "  -o, --output FILE  the map; written under a temporary name and renamed when complete\n"
    "  --style FILE       a JSON style (default: the built-in datasets/styles/default.json)\n"
    "  --extent BOX|NAME  the area to show: a lon/lat box in degrees, or the name of a polygon\n"
    "                     in any polygon layer (河北省, Beijing, 石家庄, ...); default: the\n"
    "                     boundary layer's extent. The map widens it to fill the frame.\n"
    "  --size WxH         pixels (default 3000x2200); at most 20000 per side, 250 Mpx in all\n"
    "  --paper NAME       A0 to A5, orientation from the extent unless -landscape/-portrait\n"
    "  --dpi N            resolution (10-2400); text and symbols keep their size in points.\n"
    "                     Default: 300 on paper; with --size, that of a 260 mm wide print\n"
    "                     (at least 96)\n"
    "  --lang LANG        labels, legend and title in zh (default), en or both\n"
    "  --title TEXT, --subtitle TEXT   instead of the theme's title and the projection line\n"
    "  --json             {\"output\",\"format\",\"width_px\",\"height_px\",\"dpi\",\"features\",\n"
    "                     \"labels_placed\",\"labels_dropped\",\"legend\":[...],\"scalebar_km\",\n"
    "                     \"time_s\"}; thematic themes add \"thematic\": {\"field\",\"ramp\",\n"
    "                     \"classify\",\"classes\",\"breaks\":[...],\"features\",\"inset\"}\n"
    "  --config FILE, --crs CRS, -q/--quiet, -h/--help\n";

static int known_theme_error(cli_ctx *c, const char *theme)
{
    char list[200] = "";
    for (const char *const *t = cor_render_themes(); *t; t++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", *t);
    }
    return cli_usage_error(c, USAGE, "unknown theme '%s' (known themes: %s)", theme, list);
}

/* "MINLON,MINLAT,MAXLON,MAXLAT" -> 1; anything else is a name (0). */
static int parse_box(const char *s, cor_bbox *b)
{
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        v[i] = strtod(p, &end);
        if (end == p || !isfinite(v[i]))
            return 0;
        if (i < 3 && *end != ',')
            return 0;
        if (i == 3 && *end)
            return 0;
        p = end + 1;
    }
    *b = (cor_bbox){ v[0], v[1], v[2], v[3] };
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_render(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor render" };
    enum { O_THEME = 2000, O_STYLE, O_EXTENT, O_SIZE, O_PAPER, O_DPI, O_LANG, O_TITLE,
           O_SUBTITLE, O_RESULTS, O_FIELD, O_CLASSIFY, O_CLASSES };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        { "theme", required_argument, NULL, O_THEME },
        { "style", required_argument, NULL, O_STYLE },
        { "extent", required_argument, NULL, O_EXTENT },
        { "size", required_argument, NULL, O_SIZE },
        { "paper", required_argument, NULL, O_PAPER },
        { "dpi", required_argument, NULL, O_DPI },
        { "lang", required_argument, NULL, O_LANG },
        { "title", required_argument, NULL, O_TITLE },
        { "subtitle", required_argument, NULL, O_SUBTITLE },
        { "results", required_argument, NULL, O_RESULTS },
        { "field", required_argument, NULL, O_FIELD },
        { "classify", required_argument, NULL, O_CLASSIFY },
        { "classes", required_argument, NULL, O_CLASSES },
        { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 },
    };
    cor_map_opts mo = COR_MAP_OPTS_DEFAULT;
    const char *output = NULL, *style_path = NULL, *size_arg = NULL;
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:o:", longopts, NULL)) != -1) {
        int r = cli_common_option(&c, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
        if (r > 0)
            continue;
        switch (opt) {
        case 'o': output = optarg; break;
        case O_THEME: mo.theme = optarg; break;
        case O_STYLE: style_path = optarg; break;
        case O_TITLE: mo.title = optarg; break;
        case O_SUBTITLE: mo.subtitle = optarg; break;
        case O_RESULTS:
            if (!*optarg)
                return cli_usage_error(&c, USAGE, "--results: empty");
            mo.theme_data = optarg;
            break;
        case O_FIELD:
            if (!*optarg)
                return cli_usage_error(&c, USAGE, "--field: empty");
            mo.theme_field = optarg;
            break;
        case O_CLASSIFY:
            if ((mo.classify = cor_classify_method_from_name(optarg)) < 0)
                return cli_usage_error(&c, USAGE, "--classify %s: want jenks, quantile or equal",
                                       optarg);
            break;
        case O_CLASSES: {
            long k;
            if (!cli_whole_option(&c, "--classes", optarg, 1, COR_CLASSIFY_MAX_CLASSES, &k))
                return EXIT_USAGE;
            mo.classes = (int)k;
            break;
        }
        case O_EXTENT:
            if (!*optarg)
                return cli_usage_error(&c, USAGE, "--extent: empty");
            if (parse_box(optarg, &mo.extent_lonlat)) {
                mo.has_extent_lonlat = 1;
                mo.extent_name = NULL;
            } else {
                if (strchr(optarg, ',') && strspn(optarg, "0123456789.,-+eE ") == strlen(optarg))
                    return cli_usage_error(&c, USAGE, "--extent %s: want MINLON,MINLAT,MAXLON,"
                                           "MAXLAT (four numbers) or a name", optarg);
                mo.extent_name = optarg;
                mo.has_extent_lonlat = 0;
            }
            break;
        case O_SIZE: {
            size_arg = optarg;
            char *end;
            long w = strtol(optarg, &end, 10), h = 0;
            if (end != optarg && (*end == 'x' || *end == 'X')) {
                const char *p = end + 1;
                h = strtol(p, &end, 10);
                if (end == p)
                    h = 0;
            }
            if (*end || w <= 0 || h <= 0)
                return cli_usage_error(&c, USAGE, "--size %s: want WIDTHxHEIGHT in pixels, "
                                       "e.g. 3000x2200", optarg);
            if (w < 100 || h < 100 || w > COR_RENDER_MAX_SIDE_PX || h > COR_RENDER_MAX_SIDE_PX ||
                (double)w * (double)h > COR_RENDER_MAX_PIXELS)
                return cli_usage_error(&c, USAGE, "--size %s: out of range: 100 to %d px per "
                                       "side and at most %.0f Mpx in all", optarg,
                                       COR_RENDER_MAX_SIDE_PX, COR_RENDER_MAX_PIXELS / 1e6);
            mo.width_px = (int)w;
            mo.height_px = (int)h;
            break;
        }
        case O_PAPER: {
            double w, h;
            int orient;
            if (!cor_paper_size_mm(optarg, &w, &h, &orient))
                return cli_usage_error(&c, USAGE, "--paper %s: unknown paper (A0 to A5, e.g. "
                                       "A4, A3-landscape)", optarg);
            mo.paper = optarg;
            break;
        }
        case O_DPI: {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || !(d >= 10 && d <= 2400))
                return cli_usage_error(&c, USAGE, "--dpi %s: want a number from 10 to 2400",
                                       optarg);
            mo.dpi = d;
            break;
        }
        case O_LANG: {
            int l = cor_lang_from_name(optarg);
            if (l < 0)
                return cli_usage_error(&c, USAGE, "--lang %s: want zh, en or both", optarg);
            mo.lang = (cor_lang)l;
            break;
        }
        default:
            return cli_usage_error(&c, USAGE, "unexpected option");
        }
    }
    if (!cor_render_theme_known(mo.theme))
        return known_theme_error(&c, mo.theme);
    if (!output)
        return cli_usage_error(&c, USAGE, "-o MAP.png|MAP.pdf|MAP.svg is required");
    int fmt = cor_render_format_from_path(output);
    if (fmt < 0)
        return cli_usage_error(&c, USAGE, "%s: unknown output format (use .png, .pdf or .svg)",
                               output);
    if (!strcmp(mo.theme, "base") && (mo.theme_data || mo.theme_field || mo.classify >= 0 ||
                                      mo.classes > 0))
        return cli_usage_error(&c, USAGE, "--results, --field, --classify and --classes are "
                               "for the thematic themes (--theme access, isochrone, corridors, "
                               "sites, scenario)");
    if (size_arg && mo.paper)
        return cli_usage_error(&c, USAGE, "--size and --paper exclude each other");
    if (argc - optind > 1)
        return cli_usage_error(&c, USAGE, "unexpected argument '%s'", argv[optind + 1]);

    double t0 = now_s();
    cor_error err = COR_ERROR_INIT;
    cor_style *style = style_path ? cor_style_load(style_path, &err) : cor_style_default(&err);
    if (!style) {
        cli_fail(&c, &err);
        return EXIT_FAIL;
    }
    cor_dataset *ds = cli_open_dataset(&c, argc, argv, optind);
    if (!ds) {
        cor_style_destroy(style);
        cli_ctx_free(&c);
        return EXIT_FAIL;
    }
    mo.log = cli_logger(&c);
    int rc = EXIT_FAIL;
    cor_map *m = cor_map_create(ds, style, &mo, &err);
    if (!m) {
        /* option values the library refuses (paper x dpi too large) are usage errors */
        if (err.code == COR_ERR_CONFIG)
            rc = cli_usage_error(&c, USAGE, "%s", err.msg);
        else
            cli_fail(&c, &err);
        goto out;
    }
    if (cor_map_write(m, output, &err) != COR_OK) {
        cli_fail(&c, &err);
        goto out;
    }
    double dt = now_s() - t0;
    cor_map_info info;
    cor_map_get_info(m, &info);
    cor_scalebar sb;
    cor_map_get_scalebar(m, &sb);
    static const char *const FMT[] = { "png", "pdf", "svg" };
    if (c.json) {
        json_t *lg = json_array();
        for (size_t i = 0; i < info.legend_items; i++) {
            cor_map_legend_item it;
            cor_map_legend_get(m, i, &it);
            json_array_append_new(lg, json_pack("{s:s, s:s}", "layer", it.layer_id, "text",
                                                it.text));
        }
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:i, s:i, s:f, s:I, s:I, s:I, s:o, s:f, s:f}", "output", output,
            "format", FMT[fmt], "theme", mo.theme, "width_px", info.width_px, "height_px",
            info.height_px, "dpi", round(info.dpi * 10) / 10, "features",
            (json_int_t)info.features, "labels_placed", (json_int_t)info.labels_placed,
            "labels_dropped", (json_int_t)info.labels_dropped, "legend", lg, "scalebar_km",
            sb.km, "time_s", round(dt * 1000) / 1000);
        cor_map_theme_info ti;
        cor_map_get_theme(m, &ti);
        if (ti.n_classes > 0) {
            json_t *br = json_array();
            for (int k = 0; k <= ti.n_classes; k++)
                json_array_append_new(br, json_real(ti.breaks[k]));
            json_object_set_new(doc, "thematic", json_pack(
                "{s:s, s:s, s:s, s:i, s:o, s:I, s:b}", "field", ti.field ? ti.field : "",
                "ramp", ti.ramp ? ti.ramp : "", "classify",
                ti.method >= 0 ? cor_classify_method_name((cor_classify_method)ti.method)
                               : "values", "classes", ti.n_classes, "breaks", br,
                "features", (json_int_t)ti.features, "inset", ti.inset));
        }
        cli_print_json(doc);
    } else if (!c.quiet) {
        printf("Wrote %s (%s, %dx%d px at %.0f dpi): %zu features, %zu legend entries, "
               "%zu labels (%zu left out for room), scale bar %g km, in %.2f s\n",
               output, FMT[fmt], info.width_px, info.height_px, info.dpi, info.features,
               info.legend_items, info.labels_placed, info.labels_dropped, sb.km, dt);
    }
    rc = EXIT_OK;
out:
    cor_map_destroy(m);
    cor_dataset_close(ds);
    cor_style_destroy(style);
    cli_ctx_free(&c);
    return rc;
}
