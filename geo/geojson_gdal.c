/* geojson_gdal.c: the OGR adapter that turns working-CRS geometries (WKB or point lists) into
 * GeoJSON geometry text in EPSG:4326 longitude/latitude. */
#include "corridor/geojson.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cor_geojson {
    OGRSpatialReferenceH src, dst;
    OGRCoordinateTransformationH ct;
    char precision[40];         /* "COORDINATE_PRECISION=n" */
};

void cor_geojson_destroy(cor_geojson *gj)
{
    if (!gj)
        return;
    if (gj->ct)
        OCTDestroyCoordinateTransformation(gj->ct);
    if (gj->src)
        OSRDestroySpatialReference(gj->src);
    if (gj->dst)
        OSRDestroySpatialReference(gj->dst);
    free(gj);
}

cor_geojson *cor_geojson_create(const char *src_crs, int decimals, cor_error *err)
{
    cor_geojson *gj = calloc(1, sizeof *gj);
    if (!gj) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(gj->precision, sizeof gj->precision, "COORDINATE_PRECISION=%d",
             decimals < 0 ? 0 : decimals > 15 ? 15 : decimals);
    gj->src = OSRNewSpatialReference(NULL);
    gj->dst = OSRNewSpatialReference(NULL);
    if (!gj->src || !gj->dst) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        goto fail;
    }
    OSRSetAxisMappingStrategy(gj->src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(gj->dst, OAMS_TRADITIONAL_GIS_ORDER);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    int ok = OSRSetFromUserInput(gj->src, src_crs) == OGRERR_NONE &&
             OSRSetFromUserInput(gj->dst, "EPSG:4326") == OGRERR_NONE &&
             (gj->ct = OCTNewCoordinateTransformation(gj->src, gj->dst)) != NULL;
    CPLPopErrorHandler();
    if (!ok) {
        cor_error_set(err, COR_ERR_INPUT, "no transformation from '%.200s' to EPSG:4326: %s",
                      src_crs, CPLGetLastErrorMsg());
        goto fail;
    }
    return gj;
fail:
    cor_geojson_destroy(gj);
    return NULL;
}

/* Simplifies (optionally), reprojects and exports g, which it destroys. */
static char *export_geometry(cor_geojson *gj, OGRGeometryH g, double simplify, cor_error *err)
{
    char *out = NULL;
    if (simplify > 0) {
        OGRGeometryH s = OGR_G_SimplifyPreserveTopology(g, simplify);
        if (s) {
            OGR_G_DestroyGeometry(g);
            g = s;
        }
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    if (OGR_G_Transform(g, gj->ct) != OGRERR_NONE) {
        cor_error_set(err, COR_ERR_INPUT, "geometry cannot be transformed to EPSG:4326: %s",
                      CPLGetLastErrorMsg());
        goto done;
    }
    char *opts[] = { gj->precision, NULL };
    char *js = OGR_G_ExportToJsonEx(g, opts);
    if (!js) {
        cor_error_set(err, COR_ERR_INTERNAL, "OGR could not write GeoJSON: %s",
                      CPLGetLastErrorMsg());
        goto done;
    }
    size_t n = strlen(js);
    if ((out = malloc(n + 1)))
        memcpy(out, js, n + 1);
    else
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    CPLFree(js);
done:
    CPLPopErrorHandler();
    OGR_G_DestroyGeometry(g);
    return out;
}

char *cor_geojson_from_wkb(cor_geojson *gj, const unsigned char *wkb, size_t wkb_len,
                           double simplify, cor_error *err)
{
    OGRGeometryH g = NULL;
    if (!wkb || wkb_len == 0 || wkb_len > (size_t)INT32_MAX ||
        OGR_G_CreateFromWkb(wkb, NULL, &g, (int)wkb_len) != OGRERR_NONE || !g) {
        if (g)
            OGR_G_DestroyGeometry(g);
        cor_error_set(err, COR_ERR_INPUT, "malformed WKB geometry (%zu bytes)", wkb_len);
        return NULL;
    }
    return export_geometry(gj, g, simplify, err);
}

char *cor_geojson_from_xy(cor_geojson *gj, const double *xy, size_t n, double simplify,
                          cor_error *err)
{
    if (n == 0 || n > (size_t)INT32_MAX) {
        cor_error_set(err, COR_ERR_INPUT, "a geometry needs at least one point");
        return NULL;
    }
    OGRGeometryH g = OGR_G_CreateGeometry(n == 1 ? wkbPoint : wkbLineString);
    if (!g) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (n == 1)
        OGR_G_SetPoint_2D(g, 0, xy[0], xy[1]);
    else
        OGR_G_SetPoints(g, (int)n, (void *)xy, 2 * sizeof(double), (void *)(xy + 1),
                        2 * sizeof(double), NULL, 0);
    return export_geometry(gj, g, simplify, err);
}
