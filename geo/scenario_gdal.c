/* scenario_gdal.c: the OGR adapter that reads a scenario's course and polygon geometries
 * (inline GeoJSON or any OGR file) and reprojects them into the working CRS. */
#include "corridor/graph_edit.h"
#include "internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cor_geoms_free(cor_geoms *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->xy);
    for (size_t i = 0; i < g->n_polygons; i++)
        free(g->wkb[i]);
    free(g->wkb);
    free(g->wkb_len);
    memset(g, 0, sizeof *g);
}

typedef struct { size_t lines_cap, pts_cap, n_points, polys_cap; } geoms_caps;

static int add_line(cor_geoms *out, geoms_caps *c, OGRGeometryH line)
{
    int n = OGR_G_GetPointCount(line);
    if (n < 2)
        return 1;
    if (!cor_grow((void **)&out->start, &c->lines_cap, out->n_lines + 2, sizeof *out->start) ||
        !cor_grow((void **)&out->xy, &c->pts_cap, c->n_points + (size_t)n, 2 * sizeof *out->xy))
        return 0;
    if (!out->n_lines)
        out->start[0] = 0;
    for (int i = 0; i < n; i++) {
        out->xy[2 * c->n_points] = OGR_G_GetX(line, i);
        out->xy[2 * c->n_points + 1] = OGR_G_GetY(line, i);
        c->n_points++;
    }
    out->start[++out->n_lines] = c->n_points;
    return 1;
}

static int add_polygon(cor_geoms *out, geoms_caps *c, OGRGeometryH poly)
{
    size_t wkb_cap = c->polys_cap; /* both arrays grow alike */
    if (!cor_grow((void **)&out->wkb, &wkb_cap, out->n_polygons + 1, sizeof *out->wkb) ||
        !cor_grow((void **)&out->wkb_len, &c->polys_cap, out->n_polygons + 1,
                  sizeof *out->wkb_len))
        return 0;
    size_t len = (size_t)OGR_G_WkbSize(poly);
    unsigned char *buf = malloc(len + 1);
    if (!buf)
        return 0;
    if (OGR_G_ExportToIsoWkb(poly, wkbNDR, buf) != OGRERR_NONE) {
        free(buf);
        return 1;
    }
    out->wkb[out->n_polygons] = buf;
    out->wkb_len[out->n_polygons++] = len;
    return 1;
}

/* Lines and polygons of g (any nesting), already in the working CRS. */
static int collect(cor_geoms *out, geoms_caps *c, OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    switch (t) {
    case wkbLineString:
        return add_line(out, c, g);
    case wkbPolygon:
    case wkbMultiPolygon:
        return add_polygon(out, c, g);
    case wkbMultiLineString:
    case wkbGeometryCollection:
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (!collect(out, c, OGR_G_GetGeometryRef(g, i)))
                return 0;
        return 1;
    default:
        return 1;
    }
}

static OGRSpatialReferenceH srs_of(const char *def)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (!s)
        return NULL;
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRSetFromUserInput(s, def) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    return s;
}

/* Transforms g from src (NULL: WGS 84) to target and collects it. */
static cor_status take_geometry(OGRGeometryH g, OGRSpatialReferenceH src, const char *target,
                                cor_geoms *out, geoms_caps *c, const char *what,
                                cor_error *err)
{
    OGRSpatialReferenceH wgs = src ? NULL : srs_of("EPSG:4326");
    OGRSpatialReferenceH dst = srs_of(target);
    OGRCoordinateTransformationH ct = NULL;
    cor_status st = COR_OK;
    if ((!src && !wgs) || !dst ||
        !(ct = OCTNewCoordinateTransformation(src ? src : wgs, dst))) {
        st = cor_error_set(err, COR_ERR_INPUT, "%s: no transformation to the working CRS",
                           what);
    } else if (OGR_G_Transform(g, ct) != OGRERR_NONE) {
        st = cor_error_set(err, COR_ERR_INPUT, "%s: coordinates outside the working CRS",
                           what);
    } else if (!collect(out, c, g)) {
        st = cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", what);
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (wgs)
        OSRDestroySpatialReference(wgs);
    if (dst)
        OSRDestroySpatialReference(dst);
    return st;
}

static cor_status from_file(const char *path, const char *shown, const char *target_crs,
                            cor_geoms *out, cor_error *err);

cor_status cor_geoms_from_geojson(const char *json, const char *target_crs, cor_geoms *out,
                                  cor_error *err)
{
    memset(out, 0, sizeof *out);
    geoms_caps c = { 0 };
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    OGRGeometryH g = OGR_G_CreateGeometryFromJson(json);
    CPLPopErrorHandler();
    if (g) {
        cor_status st = take_geometry(g, NULL, target_crs, out, &c, "GeoJSON geometry", err);
        OGR_G_DestroyGeometry(g);
        if (st != COR_OK)
            cor_geoms_free(out);
        return st;
    }
    /* a Feature or FeatureCollection: through the GeoJSON driver */
    char path[64]; /* GDAL's /vsimem is global: named after this call's output record */
    snprintf(path, sizeof path, "/vsimem/cor_scenario_%p.geojson", (void *)out);
    VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)CPLStrdup(json), (vsi_l_offset)strlen(json),
                                       TRUE);
    if (!f)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading GeoJSON");
    VSIFCloseL(f);
    cor_status st = from_file(path, "inline GeoJSON", target_crs, out, err);
    VSIUnlink(path);
    return st;
}

cor_status cor_geoms_from_file(const char *path, const char *target_crs, cor_geoms *out,
                               cor_error *err)
{
    return from_file(path, path, target_crs, out, err);
}

static cor_status from_file(const char *path, const char *shown, const char *target_crs,
                            cor_geoms *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    geoms_caps c = { 0 };
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return cor_error_set(err, COR_ERR_IO, "%s: cannot open: %s", shown, CPLGetLastErrorMsg());
    cor_status st = COR_OK;
    OGRLayerH lyr = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
    if (!lyr) {
        st = cor_error_set(err, COR_ERR_INPUT, "%s: no layer", shown);
    } else {
        OGRSpatialReferenceH src = OGR_L_GetSpatialRef(lyr);
        if (src)
            OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        while (st == COR_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g)
                st = take_geometry(g, src, target_crs, out, &c, shown, err);
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    if (st == COR_OK && !out->n_lines && !out->n_polygons)
        st = cor_error_set(err, COR_ERR_INPUT, "%s: no line or polygon geometry", shown);
    if (st != COR_OK)
        cor_geoms_free(out);
    return st;
}
