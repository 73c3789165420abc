/* testdata.c: GeoPackage fixtures from WKT, written with GDAL/OGR. */
#include "testdata.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_real(const char *name)
{
    size_t n = strlen(name);
    return !strcmp(name, "population") || (n > 4 && !strcmp(name + n - 4, "_kmh")) ||
           (n > 2 && !strcmp(name + n - 2, "_m"));
}

int td_layer(const char *path, const char *layer, const char *crs, const td_feature *f, int n)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    if (!ds)
        ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return 0;
    OGRSpatialReferenceH srs = NULL;
    if (crs) {
        srs = OSRNewSpatialReference(NULL);
        OSRSetFromUserInput(srs, crs);
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    OGRLayerH l = GDALDatasetCreateLayer(ds, layer, srs, wkbUnknown, NULL);
    int ok = l != NULL;
    for (int i = 0; ok && i < n; i++) {
        for (int a = 0; a < 4 && f[i].attrs[a]; a++) {
            char name[64];
            const char *eq = strchr(f[i].attrs[a], '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - f[i].attrs[a]), f[i].attrs[a]);
            if (OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), name) < 0) {
                OGRFieldDefnH fd = OGR_Fld_Create(name, is_real(name) ? OFTReal : OFTString);
                OGR_L_CreateField(l, fd, 1);
                OGR_Fld_Destroy(fd);
            }
        }
    }
    for (int i = 0; ok && i < n; i++) {
        OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGRGeometryH g = NULL;
        char *w = (char *)f[i].wkt;
        if (w && !strcmp(w, "LINESTRING NAN")) { /* WKT has no NaN: build it directly */
            g = OGR_G_CreateGeometry(wkbLineString);
            OGR_G_AddPoint_2D(g, 116.0, 39.0);
            OGR_G_AddPoint_2D(g, NAN, NAN);
        } else if (w && OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE)
            ok = 0;
        if (g)
            OGR_F_SetGeometryDirectly(feat, g);
        for (int a = 0; a < 4 && f[i].attrs[a]; a++) {
            char name[64];
            const char *eq = strchr(f[i].attrs[a], '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - f[i].attrs[a]), f[i].attrs[a]);
            int idx = OGR_F_GetFieldIndex(feat, name);
            if (strcmp(eq + 1, "NULL"))
                OGR_F_SetFieldString(feat, idx, eq + 1);
        }
        ok = ok && OGR_L_CreateFeature(l, feat) == OGRERR_NONE;
        OGR_F_Destroy(feat);
    }
    if (srs)
        OSRDestroySpatialReference(srs);
    GDALClose(ds);
    return ok;
}

const char *td_tmp(const char *name)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ & 7];
    const char *dir = getenv("TMPDIR");
    snprintf(b, 512, "%s/cor_test_%ld_%s", dir && *dir ? dir : "/tmp", (long)getpid(), name);
    unlink(b);
    return b;
}
