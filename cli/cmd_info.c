/* cmd_info.c: `corridor info`: layers, feature counts, roles, CRS and extent of a source. */
#include "cli.h"

#include <getopt.h>

static const char USAGE[] =
    "Usage: corridor info [DATA] [--json] [--config FILE] [--crs CRS]\n\n"
    "Lists the layers of DATA (any GDAL vector source: .gpkg, .geojson, .shp, .fgb, .csv with\n"
    "lon/lat columns, or a PostGIS 'PG:dbname=...' string; default: the bundled dataset) with\n"
    "their feature counts, geometry types, CRS and the role Corridor gives them, the working\n"
    "CRS chosen for analysis, and the extent in degrees.\n\n"
    "Options:\n"
    "  --json          machine-readable output:\n"
    "                  {\"source\", \"layers\":[{\"name\",\"features\",\"geometry\",\"crs\",\"role\"}],\n"
    "                   \"crs\", \"extent\":[min_lon,min_lat,max_lon,max_lat]}\n"
    "  --config FILE   layer-role config (JSON) mapping your layers and fields to roles\n"
    "  --crs CRS       working CRS (default: EPSG:4548 in Jing-Jin-Ji, else a local TM)\n"
    "  -q, --quiet     no warnings\n"
    "  -h, --help      this help\n";

int cmd_info(int argc, char **argv)
{
    cli_ctx c = { .prog = "corridor info" };
    static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0, 0, 0, 0 } };
    int opt, code;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hjqc:C:", longopts, NULL)) != -1) {
        int r = cli_common_option(&c, opt, optarg, USAGE, &code);
        if (r < 0)
            return code;
    }
    cor_dataset *ds = cli_open_dataset(&c, argc, argv, optind);
    if (!ds) {
        cli_ctx_free(&c);
        return optind + 1 < argc ? EXIT_USAGE : EXIT_FAIL;
    }
    cor_bbox ext;
    int has_ext = cor_dataset_extent_lonlat(ds, &ext);
    size_t n = cor_dataset_layer_count(ds);
    if (c.json) {
        json_t *layers = json_array();
        for (size_t i = 0; i < n; i++) {
            cor_layer_info li;
            cor_dataset_layer_info(ds, i, &li);
            json_array_append_new(
                layers, json_pack("{s:s, s:I, s:s, s:s?, s:s?}", "name", li.name, "features",
                                  (json_int_t)li.features, "geometry", li.geometry, "crs", li.crs,
                                  "role", li.role >= 0 ? cor_role_name((cor_role)li.role) : NULL));
        }
        json_t *doc = json_pack("{s:s, s:o, s:s}", "source", cor_dataset_source(ds), "layers",
                                layers, "crs", cor_dataset_working_crs(ds));
        json_object_set_new(doc, "extent",
                            has_ext ? json_pack("[f,f,f,f]", ext.min_x, ext.min_y, ext.max_x,
                                                ext.max_y)
                                    : json_null());
        cli_print_json(doc);
    } else {
        printf("Source:      %s\n", cor_dataset_source(ds));
        printf("Working CRS: %s\n", cor_dataset_working_crs(ds));
        if (has_ext)
            printf("Extent:      %.4f, %.4f - %.4f, %.4f (lon/lat)\n", ext.min_x, ext.min_y,
                   ext.max_x, ext.max_y);
        printf("Layers (%zu):\n", n);
        printf("  %-22s %-18s %9s  %-11s %s\n", "name", "geometry", "features", "crs", "role");
        for (size_t i = 0; i < n; i++) {
            cor_layer_info li;
            cor_dataset_layer_info(ds, i, &li);
            printf("  %-22s %-18s %9lld  %-11s %s\n", li.name, li.geometry,
                   (long long)li.features, li.crs ? li.crs : "(none)",
                   li.role >= 0 ? cor_role_name((cor_role)li.role) : "-");
        }
    }
    cor_dataset_close(ds);
    cli_ctx_free(&c);
    return EXIT_OK;
}
