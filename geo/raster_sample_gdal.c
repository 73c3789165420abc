/* raster_sample_gdal.c: the GDAL adapter for reading raster values at points. */
#include "corridor/overlay.h"
#include "internal.h"

#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <sys/stat.h>

cor_status cor_raster_sample(const char *path, const char *crs, const double *xy, size_t n,
                             double *values, cor_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return cor_error_set(err, COR_ERR_IO, "%s: no such file", path);
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return cor_error_set(err, COR_ERR_IO, "%s: cannot open as a raster: %s", path,
                             CPLGetLastErrorMsg());
    cor_status rc = COR_OK;
    double gt[6], inv[6];
    GDALRasterBandH band = GDALGetRasterCount(ds) > 0 ? GDALGetRasterBand(ds, 1) : NULL;
    OGRSpatialReferenceH rs = NULL, ps = NULL;
    OGRCoordinateTransformationH ct = NULL;
    const char *wkt = GDALGetProjectionRef(ds);
    if (!band || GDALGetGeoTransform(ds, gt) != CE_None || !GDALInvGeoTransform(gt, inv) ||
        !wkt || !*wkt) {
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: a raster needs one band, a geotransform "
                           "and a CRS", path);
        goto done;
    }
    rs = OSRNewSpatialReference(wkt);
    ps = OSRNewSpatialReference(NULL);
    OSRSetAxisMappingStrategy(rs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(ps, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRSetFromUserInput(ps, crs) != OGRERR_NONE || !(ct = OCTNewCoordinateTransformation(ps, rs))) {
        rc = cor_error_set(err, COR_ERR_INPUT, "%s: no transformation from %s to its CRS", path,
                           crs);
        goto done;
    }
    int has_nd = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nd);
    int nx = GDALGetRasterXSize(ds), ny = GDALGetRasterYSize(ds);
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        values[i] = NAN;
        if (!OCTTransform(ct, 1, &x, &y, NULL))
            continue;
        double px = inv[0] + x * inv[1] + y * inv[2], py = inv[3] + x * inv[4] + y * inv[5];
        if (!(px >= 0 && py >= 0 && px < nx && py < ny))
            continue;
        double v;
        if (GDALRasterIO(band, GF_Read, (int)px, (int)py, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) !=
            CE_None) {
            rc = cor_error_set(err, COR_ERR_IO, "%s: read failed", path);
            break;
        }
        if (!(has_nd && v == nodata) && isfinite(v))
            values[i] = v;
    }
done:
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (rs)
        OSRDestroySpatialReference(rs);
    if (ps)
        OSRDestroySpatialReference(ps);
    GDALClose(ds);
    return rc;
}
