/* testdata.h: builds small GeoPackages from WKT for tests, through GDAL. */
#ifndef CORRIDOR_TEST_TESTDATA_H
#define CORRIDOR_TEST_TESTDATA_H

/* A feature: WKT plus up to 4 "field=value" strings (value "NULL" leaves the field unset).
 * Fields are created as strings unless the name ends in _kmh, _m or is "population" (Real). */
typedef struct { const char *wkt; const char *attrs[4]; } td_feature;

/* Appends a layer to the GeoPackage at path (created if absent). crs may be NULL (no CRS). */
int td_layer(const char *path, const char *layer, const char *crs, const td_feature *f, int n);
/* A fresh temporary path ending in suffix (removed first if it exists). */
const char *td_tmp(const char *name);

#endif
