/* raster_gdal.c: the GDAL adapter for grids: writing a Float32 GeoTIFF and tracing contour
 * lines with GDALContourGenerateEx (include/corridor/geomops.h). */
#include "corridor/geomops.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grid_ok(const cor_grid *g)
{
    return g->values && g->nx > 0 && g->ny > 0 && g->nx < INT32_MAX && g->ny < INT32_MAX &&
           g->cell_m > 0;
}

/* Copies rows into a Float32 band, NAN replaced by fill. */
static CPLErr write_band(GDALRasterBandH b, const cor_grid *g, float fill)
{
    float *row = malloc(g->nx * sizeof *row);
    if (!row)
        return CE_Failure;
    CPLErr e = CE_None;
    for (size_t y = 0; y < g->ny && e == CE_None; y++) {
        const float *src = g->values + y * g->nx;
        for (size_t x = 0; x < g->nx; x++)
            row[x] = isnan(src[x]) ? fill : src[x];
        e = GDALRasterIO(b, GF_Write, 0, (int)y, (int)g->nx, 1, row, (int)g->nx, 1,
                         GDT_Float32, 0, 0);
    }
    free(row);
    return e;
}

static void set_transform(GDALDatasetH ds, const cor_grid *g)
{
    double gt[6] = { g->x0_m, g->cell_m, 0.0, g->y0_m, 0.0, -g->cell_m };
    GDALSetGeoTransform(ds, gt);
}

cor_status cor_grid_write_geotiff(const cor_grid *g, const char *crs, const char *path,
                                  float nodata, const char *description, const char *unit,
                                  cor_error *err)
{
    if (!grid_ok(g))
        return cor_error_set(err, COR_ERR_INTERNAL, "%s: empty or oversized grid", path);
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return cor_error_set(err, COR_ERR_INTERNAL, "GDAL driver GTiff is not available");
    OGRSpatialReferenceH srs = NULL;
    if (crs) {
        srs = OSRNewSpatialReference(NULL);
        if (!srs || OSRSetFromUserInput(srs, crs) != OGRERR_NONE) {
            if (srs)
                OSRDestroySpatialReference(srs);
            return cor_error_set(err, COR_ERR_INTERNAL, "%s: cannot use CRS %s", path, crs);
        }
    }
    char **opts = NULL;
    opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
    opts = CSLSetNameValue(opts, "PREDICTOR", "3"); /* floating-point predictor */
    if (g->nx >= 512 && g->ny >= 512)
        opts = CSLSetNameValue(opts, "TILED", "YES");
    cor_status rc = COR_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, (int)g->nx, (int)g->ny, 1, GDT_Float32, opts);
    CSLDestroy(opts);
    if (!ds) {
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    } else {
        set_transform(ds, g);
        if (srs)
            GDALSetSpatialRef(ds, srs);
        GDALRasterBandH b = GDALGetRasterBand(ds, 1);
        GDALSetRasterNoDataValue(b, nodata);
        if (description)
            GDALSetDescription(b, description);
        if (unit)
            GDALSetRasterUnitType(b, unit);
        if (write_band(b, g, nodata) != CE_None)
            rc = cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", path,
                               CPLGetLastErrorMsg());
        CPLErrorReset();
        GDALClose(ds);
        if (rc == COR_OK && CPLGetLastErrorType() >= CE_Failure)
            rc = cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", path,
                               CPLGetLastErrorMsg());
    }
    CPLPopErrorHandler();
    if (srs)
        OSRDestroySpatialReference(srs);
    return rc;
}

void cor_contours_free(cor_contours *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->wkb[i]);
    free(c->wkb);
    free(c->wkb_len);
    free(c->level);
    memset(c, 0, sizeof *c);
}

/* Moves the features of the contour layer into out. */
static cor_status collect(OGRLayerH layer, cor_contours *out, cor_error *err)
{
    GIntBig n = OGR_L_GetFeatureCount(layer, 1);
    if (n < 0)
        n = 0;
    size_t cap = (size_t)n + 1;
    out->level = malloc(cap * sizeof *out->level);
    out->wkb = calloc(cap, sizeof *out->wkb);
    out->wkb_len = malloc(cap * sizeof *out->wkb_len);
    if (!out->level || !out->wkb || !out->wkb_len)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    int f_level = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "level");
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        if (geom && !OGR_G_IsEmpty(geom) && out->n < cap) {
            OGR_G_FlattenTo2D(geom);
            size_t len = (size_t)OGR_G_WkbSize(geom);
            unsigned char *w = malloc(len ? len : 1);
            if (!w || OGR_G_ExportToIsoWkb(geom, wkbNDR, w) != OGRERR_NONE) {
                free(w);
                OGR_F_Destroy(f);
                return cor_error_set(err, COR_ERR_NOMEM, "cannot export a contour line");
            }
            out->level[out->n] = OGR_F_GetFieldAsDouble(f, f_level);
            out->wkb[out->n] = w;
            out->wkb_len[out->n] = len;
            out->n++;
        }
        OGR_F_Destroy(f);
    }
    return COR_OK;
}

cor_status cor_grid_contours(const cor_grid *g, const double *levels, size_t n_levels,
                             double fill, cor_contours *out, cor_error *err)
{
    memset(out, 0, sizeof *out);
    if (!grid_ok(g))
        return cor_error_set(err, COR_ERR_INTERNAL, "contours of an empty or oversized grid");
    if (n_levels == 0)
        return COR_OK;
    GDALAllRegister();
    GDALDriverH mem = GDALGetDriverByName("MEM"), vmem = GDALGetDriverByName("Memory");
    if (!mem || !vmem)
        return cor_error_set(err, COR_ERR_INTERNAL, "GDAL memory drivers are not available");
    /* FIXED_LEVELS=l1,l2,... */
    size_t cap = 32 + 32 * n_levels;
    char *lv = malloc(cap);
    if (!lv)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    size_t len = (size_t)snprintf(lv, cap, "FIXED_LEVELS=");
    for (size_t i = 0; i < n_levels; i++)
        len += (size_t)snprintf(lv + len, cap - len, "%s%.17g", i ? "," : "", levels[i]);
    cor_status rc = COR_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH r = GDALCreate(mem, "", (int)g->nx, (int)g->ny, 1, GDT_Float32, NULL);
    GDALDatasetH v = GDALCreate(vmem, "", 0, 0, 0, GDT_Unknown, NULL);
    OGRLayerH layer = v ? GDALDatasetCreateLayer(v, "contours", NULL, wkbLineString, NULL)
                        : NULL;
    if (!r || !layer) {
        rc = cor_error_set(err, COR_ERR_INTERNAL, "cannot create in-memory datasets: %s",
                           CPLGetLastErrorMsg());
        goto done;
    }
    OGRFieldDefnH fid = OGR_Fld_Create("id", OFTInteger), flev = OGR_Fld_Create("level", OFTReal);
    OGR_L_CreateField(layer, fid, 1);
    OGR_L_CreateField(layer, flev, 1);
    OGR_Fld_Destroy(fid);
    OGR_Fld_Destroy(flev);
    set_transform(r, g);
    GDALRasterBandH b = GDALGetRasterBand(r, 1);
    if (write_band(b, g, (float)fill) != CE_None) {
        rc = cor_error_set(err, COR_ERR_NOMEM, "cannot fill the contour raster: %s",
                           CPLGetLastErrorMsg());
        goto done;
    }
    char **opts = NULL;
    opts = CSLAddString(opts, lv);
    opts = CSLSetNameValue(opts, "ID_FIELD", "0");
    opts = CSLSetNameValue(opts, "ELEV_FIELD", "1");
    CPLErr ce = GDALContourGenerateEx(b, layer, opts, NULL, NULL);
    CSLDestroy(opts);
    if (ce != CE_None)
        rc = cor_error_set(err, COR_ERR_INTERNAL, "contour generation failed: %s",
                           CPLGetLastErrorMsg());
    else
        rc = collect(layer, out, err);
done:
    CPLPopErrorHandler();
    if (r)
        GDALClose(r);
    if (v)
        GDALClose(v);
    free(lv);
    if (rc != COR_OK)
        cor_contours_free(out);
    return rc;
}
