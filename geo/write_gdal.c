/* write_gdal.c: the GDAL/OGR adapter for writing result layers, atomically. */
#include "corridor/writer.h"
#include "internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct cor_writer {
    GDALDatasetH ds;
    char *path, *tmp;
    const char *driver;
    OGRSpatialReferenceH srs;
    OGRLayerH layer;
    cor_geom_type geom;
    size_t n_fields;
    cor_field_type types[64];
    int n_layers;
    int in_tx;
    cor_layer_style *styles;    /* written into layer_styles on close; strings owned */
    size_t n_styles;
};

static const char *driver_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    if (!strcasecmp(dot, ".gpkg"))
        return "GPKG";
    if (!strcasecmp(dot, ".geojson") || !strcasecmp(dot, ".json"))
        return "GeoJSON";
    if (!strcasecmp(dot, ".fgb"))
        return "FlatGeobuf";
    if (!strcasecmp(dot, ".csv"))
        return "CSV";
    return NULL;
}

int cor_writer_supports(const char *path) { return driver_for(path) != NULL; }

static void writer_free(cor_writer *w)
{
    for (size_t i = 0; i < w->n_styles; i++) {
        free((char *)w->styles[i].layer);
        free((char *)w->styles[i].name);
        free((char *)w->styles[i].qml);
        free((char *)w->styles[i].sld);
    }
    free(w->styles);
    if (w->srs)
        OSRDestroySpatialReference(w->srs);
    free(w->path);
    free(w->tmp);
    free(w);
}

cor_writer *cor_writer_create(const char *path, const char *crs, cor_error *err)
{
    const char *drv_name = driver_for(path);
    if (!drv_name) {
        cor_error_set(err, COR_ERR_CONFIG,
                      "%s: unknown output format (use .gpkg, .geojson, .fgb or .csv)", path);
        return NULL;
    }
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName(drv_name);
    cor_writer *w = calloc(1, sizeof *w);
    if (!w || !drv) {
        free(w);
        cor_error_set(err, COR_ERR_INTERNAL, "GDAL driver %s is not available", drv_name);
        return NULL;
    }
    w->driver = drv_name;
    w->path = cor_strdup(path);
    size_t n = strlen(path) + 40;
    w->tmp = malloc(n);
    if (!w->path || !w->tmp) {
        writer_free(w);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* keep the extension: some drivers look at it */
    const char *dot = strrchr(path, '.');
    snprintf(w->tmp, n, "%.*s.tmp%ld%s", (int)(dot - path), path, (long)getpid(), dot);
    if (crs) {
        w->srs = OSRNewSpatialReference(NULL);
        OSRSetAxisMappingStrategy(w->srs, OAMS_TRADITIONAL_GIS_ORDER);
        if (OSRSetFromUserInput(w->srs, crs) != OGRERR_NONE) {
            cor_error_set(err, COR_ERR_INTERNAL, "%s: cannot use CRS %s", path, crs);
            writer_free(w);
            return NULL;
        }
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    unlink(w->tmp);
    w->ds = GDALCreate(drv, w->tmp, 0, 0, 0, GDT_Unknown, NULL);
    CPLPopErrorHandler();
    if (!w->ds) {
        cor_error_set(err, COR_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
        writer_free(w);
        return NULL;
    }
    return w;
}

static cor_status end_layer(cor_writer *w, cor_error *err)
{
    if (w->in_tx) {
        w->in_tx = 0;
        if (OGR_L_CommitTransaction(w->layer) != OGRERR_NONE)
            return cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", w->path,
                                 CPLGetLastErrorMsg());
    }
    return COR_OK;
}

cor_status cor_writer_layer(cor_writer *w, const char *name, cor_geom_type geom,
                            const cor_field *fields, size_t n_fields, cor_error *err)
{
    if (end_layer(w, err))
        return COR_ERR_IO;
    if (w->n_layers && strcmp(w->driver, "GPKG"))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: %s holds one layer only; use .gpkg",
                             w->path, w->driver);
    if (n_fields > 64)
        return cor_error_set(err, COR_ERR_INTERNAL, "too many fields");
    static const OGRwkbGeometryType GT[] = { wkbNone, wkbPoint, wkbLineString,
                                             wkbMultiLineString, wkbPolygon, wkbMultiPolygon };
    char **opts = NULL;
    if (!strcmp(w->driver, "CSV") && geom == COR_GEOM_POINT)
        opts = CSLSetNameValue(opts, "GEOMETRY", "AS_XY");
    if (!strcmp(w->driver, "GeoJSON"))
        opts = CSLSetNameValue(opts, "RFC7946", "NO");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    w->layer = GDALDatasetCreateLayer(w->ds, name, geom == COR_GEOM_NONE ? NULL : w->srs,
                                      GT[geom], opts);
    CSLDestroy(opts);
    cor_status rc = COR_OK;
    if (!w->layer)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot create layer %s: %s", w->path, name,
                           CPLGetLastErrorMsg());
    for (size_t i = 0; rc == COR_OK && i < n_fields; i++) {
        static const OGRFieldType FT[] = { OFTInteger64, OFTReal, OFTString };
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, FT[fields[i].type]);
        if (OGR_L_CreateField(w->layer, fd, 1) != OGRERR_NONE)
            rc = cor_error_set(err, COR_ERR_IO, "%s: cannot create field %s", w->path,
                               fields[i].name);
        OGR_Fld_Destroy(fd);
        w->types[i] = fields[i].type;
    }
    CPLPopErrorHandler();
    w->geom = geom;
    w->n_fields = n_fields;
    w->n_layers++;
    if (rc == COR_OK && OGR_L_StartTransaction(w->layer) == OGRERR_NONE)
        w->in_tx = 1;
    return rc;
}

cor_status cor_writer_feature(cor_writer *w, const cor_value *values, const double *xy,
                              size_t n, const unsigned char *wkb, size_t wkb_len,
                              cor_error *err)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(w->layer));
    for (size_t i = 0; i < w->n_fields; i++) {
        if (values[i].is_null)
            OGR_F_SetFieldNull(f, (int)i);
        else if (w->types[i] == COR_FIELD_INT)
            OGR_F_SetFieldInteger64(f, (int)i, values[i].i);
        else if (w->types[i] == COR_FIELD_REAL)
            OGR_F_SetFieldDouble(f, (int)i, values[i].r);
        else
            OGR_F_SetFieldString(f, (int)i, values[i].s ? values[i].s : "");
    }
    OGRGeometryH g = NULL;
    if (wkb) {
        if (OGR_G_CreateFromWkbEx(wkb, NULL, &g, wkb_len) != OGRERR_NONE)
            g = NULL;
    } else if (xy && w->geom == COR_GEOM_POINT && n >= 1) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, xy[0], xy[1]);
    } else if (xy && w->geom == COR_GEOM_LINESTRING && n >= 2) {
        g = OGR_G_CreateGeometry(wkbLineString);
        OGR_G_SetPoints(g, (int)n, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    }
    if (g) {
        if (w->srs)
            OGR_G_AssignSpatialReference(g, w->srs);
        OGR_F_SetGeometryDirectly(f, g);
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_L_CreateFeature(w->layer, f);
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", w->path,
                             CPLGetLastErrorMsg());
    return COR_OK;
}

cor_status cor_writer_feature_lines(cor_writer *w, const cor_value *values,
                                    const double *const *parts, const size_t *part_n,
                                    size_t n_parts, cor_error *err)
{
    OGRGeometryH ml = OGR_G_CreateGeometry(wkbMultiLineString);
    for (size_t i = 0; i < n_parts; i++) {
        if (part_n[i] < 2)
            continue;
        OGRGeometryH l = OGR_G_CreateGeometry(wkbLineString);
        OGR_G_SetPoints(l, (int)part_n[i], parts[i], 2 * sizeof(double), parts[i] + 1,
                        2 * sizeof(double), NULL, 0);
        OGR_G_AddGeometryDirectly(ml, l);
    }
    size_t len = (size_t)OGR_G_WkbSizeEx(ml);
    unsigned char *wkb = malloc(len);
    cor_status rc;
    if (!wkb)
        rc = cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    else {
        OGR_G_ExportToIsoWkb(ml, wkbNDR, wkb);
        rc = cor_writer_feature(w, values, NULL, 0, wkb, len, err);
    }
    free(wkb);
    OGR_G_DestroyGeometry(ml);
    return rc;
}

static void remove_tmp(const cor_writer *w)
{
    char buf[4200];
    unlink(w->tmp);
    static const char *const side[] = { "-wal", "-shm", "-journal" };
    for (int i = 0; i < 3; i++) {
        snprintf(buf, sizeof buf, "%s%s", w->tmp, side[i]);
        unlink(buf);
    }
}

/* ---- layer_styles ------------------------------------------------------------------------ */
/* The columns QGIS's OGR provider creates (QgsOgrProviderMetadata::saveStyle), with their
 * widths; "id" is the FID column. */
static OGRLayerH styles_table(GDALDatasetH ds)
{
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "layer_styles");
    if (l)
        return l;
    char **opts = CSLSetNameValue(NULL, "FID", "id");
    l = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, opts);
    CSLDestroy(opts);
    static const struct { const char *name; OGRFieldType type; int width; } F[] = {
        { "f_table_catalog", OFTString, 256 }, { "f_table_schema", OFTString, 256 },
        { "f_table_name", OFTString, 256 }, { "f_geometry_column", OFTString, 256 },
        { "styleName", OFTString, 30 }, { "styleQML", OFTString, 0 },
        { "styleSLD", OFTString, 0 }, { "useAsDefault", OFTInteger, 0 },
        { "description", OFTString, 0 }, { "owner", OFTString, 30 }, { "ui", OFTString, 30 },
        { "update_time", OFTDateTime, 0 },
    };
    for (size_t i = 0; l && i < sizeof F / sizeof F[0]; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(F[i].name, F[i].type);
        if (F[i].width)
            OGR_Fld_SetWidth(fd, F[i].width);
        if (F[i].type == OFTInteger)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (F[i].type == OFTDateTime)
            OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
        if (OGR_L_CreateField(l, fd, 1) != OGRERR_NONE)
            l = NULL;
        OGR_Fld_Destroy(fd);
    }
    return l;
}

/* At most max bytes of s, cut at a UTF-8 character boundary. */
static void utf8_cut(char *out, size_t max, const char *s)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

cor_status cor_gpkg_write_styles(void *gdal_ds, const cor_layer_style *st, size_t n,
                                 const char *path, cor_error *err)
{
    GDALDatasetH ds = gdal_ds;
    if (!n)
        return COR_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    OGRLayerH l = styles_table(ds);
    cor_status rc = COR_OK;
    if (!l)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot create the layer_styles table: %s",
                           path, CPLGetLastErrorMsg());
    int tx = rc == COR_OK && OGR_L_StartTransaction(l) == OGRERR_NONE;
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    for (size_t i = 0; rc == COR_OK && i < n; i++) {
        OGRLayerH target = GDALDatasetGetLayerByName(ds, st[i].layer);
        if (!target) {
            rc = cor_error_set(err, COR_ERR_INTERNAL, "%s: no layer %s to style", path,
                               st[i].layer);
            break;
        }
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
        OGRFeatureH f = OGR_F_Create(d);
        char name[32];
        utf8_cut(name, 30, st[i].name && *st[i].name ? st[i].name : st[i].layer);
#define SETS(col, v) OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(d, col), (v))
        SETS("f_table_catalog", "");
        SETS("f_table_schema", "");
        SETS("f_table_name", st[i].layer);
        SETS("f_geometry_column", OGR_L_GetGeometryColumn(target));
        SETS("styleName", name);
        SETS("styleQML", st[i].qml ? st[i].qml : "");
        SETS("styleSLD", st[i].sld ? st[i].sld : "");
        SETS("description", "Corridor's map style");
        SETS("owner", "");
#undef SETS
        OGR_F_SetFieldInteger(f, OGR_FD_GetFieldIndex(d, "useAsDefault"), 1);
        OGR_F_SetFieldDateTimeEx(f, OGR_FD_GetFieldIndex(d, "update_time"),
                                 tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour,
                                 tmv.tm_min, (float)tmv.tm_sec, 100);
        if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
            rc = cor_error_set(err, COR_ERR_IO, "%s: cannot write the style of %s: %s", path,
                               st[i].layer, CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (tx) {
        if (rc == COR_OK) {
            if (OGR_L_CommitTransaction(l) != OGRERR_NONE)
                rc = cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", path,
                                   CPLGetLastErrorMsg());
        } else
            OGR_L_RollbackTransaction(l);
    }
    CPLPopErrorHandler();
    return rc;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = cor_strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

cor_status cor_writer_set_style(cor_writer *w, const char *layer, const char *style_name,
                                const char *qml, const char *sld, cor_error *err)
{
    if (strcmp(w->driver, "GPKG"))
        return COR_OK;
    if (!layer || !GDALDatasetGetLayerByName(w->ds, layer))
        return cor_error_set(err, COR_ERR_INTERNAL, "%s: no layer %s to style", w->path,
                             layer ? layer : "(null)");
    cor_layer_style *ns = realloc(w->styles, (w->n_styles + 1) * sizeof *ns);
    if (!ns)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    w->styles = ns;
    int oom = 0;
    cor_layer_style *s = &w->styles[w->n_styles];
    s->layer = dup_or_null(layer, &oom);
    s->name = dup_or_null(style_name, &oom);
    s->qml = dup_or_null(qml, &oom);
    s->sld = dup_or_null(sld, &oom);
    w->n_styles++; /* freed with the writer, even half-filled */
    if (oom)
        return cor_error_set(err, COR_ERR_NOMEM, "out of memory");
    return COR_OK;
}

int cor_writer_layer_geom(const cor_writer *w, const char *layer)
{
    OGRLayerH l = layer ? GDALDatasetGetLayerByName(w->ds, layer) : NULL;
    if (!l)
        return -1;
    switch (wkbFlatten(OGR_L_GetGeomType(l))) {
    case wkbNone: case wkbUnknown: return COR_GEOM_NONE;
    case wkbPoint: case wkbMultiPoint: return COR_GEOM_POINT;
    case wkbLineString: return COR_GEOM_LINESTRING;
    case wkbMultiLineString: return COR_GEOM_MULTILINESTRING;
    case wkbPolygon: return COR_GEOM_POLYGON;
    case wkbMultiPolygon: return COR_GEOM_MULTIPOLYGON;
    default: return COR_GEOM_NONE;
    }
}

cor_status cor_writer_close(cor_writer *w, cor_error *err)
{
    cor_status rc = end_layer(w, err);
    if (rc == COR_OK && w->n_styles)
        rc = cor_gpkg_write_styles(w->ds, w->styles, w->n_styles, w->path, err);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALClose(w->ds); /* GDAL 3.6 reports close errors through CPLGetLastErrorType() */
    if (CPLGetLastErrorType() >= CE_Failure && rc == COR_OK)
        rc = cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", w->path,
                           CPLGetLastErrorMsg());
    CPLPopErrorHandler();
    if (rc == COR_OK && rename(w->tmp, w->path) != 0)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot move the finished file into place",
                           w->path);
    if (rc != COR_OK)
        remove_tmp(w);
    writer_free(w);
    return rc;
}

void cor_writer_abort(cor_writer *w)
{
    if (!w)
        return;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (w->in_tx)
        OGR_L_RollbackTransaction(w->layer);
    GDALClose(w->ds);
    CPLPopErrorHandler();
    remove_tmp(w);
    writer_free(w);
}
