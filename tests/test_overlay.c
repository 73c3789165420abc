/* test_overlay.c: points against polygons (covering, with the boundary), distances to lines
 * and polygons, and raster values at points, on hand-made geometries. */
#include "check.h"
#include "corridor/overlay.h"
#include "testdata.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <unistd.h>

static void test_covering_distance(void)
{
    const char *p = td_tmp("overlay.gpkg");
    td_feature f[] = {
        { "POLYGON((500000 4300000, 501000 4300000, 501000 4301000, 500000 4301000, 500000 4300000))",
          { "name=square" } },
        { "LINESTRING(503000 4300000, 503000 4305000)", { "name=line" } },
        { "POLYGON((500500 4300500, 502000 4300500, 502000 4302000, 500500 4302000, 500500 4300500))",
          { "name=overlap" } },
    };
    CHECK(td_layer(p, "zones", "EPSG:4548", f, 3));
    cor_error err = COR_ERROR_INIT;
    cor_dataset *ds = cor_dataset_open(p, NULL, &err);
    const char *fields[] = { "name" };
    cor_features fs;
    CHECK_INT(cor_dataset_read_layer(ds, "zones", fields, 1, &fs, &err), COR_OK);
    double xy[] = { 500100, 4300100,   /* in the square only */
                    501000, 4300200,   /* on the square's boundary */
                    500800, 4300800,   /* in both: the first feature wins */
                    501500, 4301500,   /* in the overlap polygon only */
                    504000, 4302000 }; /* outside: 1 km from the line */
    long which[5];
    CHECK_INT(cor_overlay_covering(&fs, xy, 5, which, &err), COR_OK);
    CHECK_INT(which[0], 0);
    CHECK_INT(which[1], 0);
    CHECK_INT(which[2], 0);
    CHECK_INT(which[3], 2);
    CHECK_INT(which[4], -1);
    double d[5];
    CHECK_INT(cor_overlay_distance(&fs, xy, 5, d, which, &err), COR_OK);
    CHECK_NEAR(d[0], 0, 1e-9);
    CHECK_NEAR(d[4], 1000, 1e-9);
    CHECK_INT(which[4], 1);
    CHECK_NEAR(d[3], 0, 1e-9);
    cor_features_free(&fs);
    cor_dataset_close(ds);
    unlink(p);
}

static void test_raster(void)
{
    const char *tif = td_tmp("r.tif");
    GDALAllRegister();
    GDALDatasetH r = GDALCreate(GDALGetDriverByName("GTiff"), tif, 4, 3, 1, GDT_Float32, NULL);
    double gt[6] = { 500000, 1000, 0, 4303000, 0, -1000 }; /* 4 x 3 cells of 1 km */
    GDALSetGeoTransform(r, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRSetFromUserInput(srs, "EPSG:4548");
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(r, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    float v[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -9999 };
    GDALRasterBandH b = GDALGetRasterBand(r, 1);
    GDALSetRasterNoDataValue(b, -9999);
    CHECK(GDALRasterIO(b, GF_Write, 0, 0, 4, 3, v, 4, 3, GDT_Float32, 0, 0) == CE_None);
    GDALClose(r);
    double xy[] = { 500500, 4302500,  /* row 0 col 0 -> 1 */
                    502500, 4301500,  /* row 1 col 2 -> 7 */
                    503500, 4300500,  /* row 2 col 3 -> nodata */
                    510000, 4300000 };/* outside */
    double out[4];
    cor_error err = COR_ERROR_INIT;
    CHECK_INT(cor_raster_sample(tif, "EPSG:4548", xy, 4, out, &err), COR_OK);
    CHECK_NEAR(out[0], 1, 0);
    CHECK_NEAR(out[1], 7, 0);
    CHECK(isnan(out[2]));
    CHECK(isnan(out[3]));
    err = COR_ERROR_INIT;
    CHECK(cor_raster_sample("/nonexistent.tif", "EPSG:4548", xy, 1, out, &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent.tif");
    unlink(tif);
}

int main(void)
{
    RUN(test_covering_distance);
    RUN(test_raster);
    return check_summary();
}
