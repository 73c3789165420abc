/* network_io_gdal.c: writes the graph's nodes and links as a GeoPackage through GDAL/OGR. */
#include "graph.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const NODE_KIND[] = { "road", "rail", "station", "place" };

static OGRLayerH make_layer(GDALDatasetH ds, const char *name, OGRwkbGeometryType t,
                            OGRSpatialReferenceH srs, const char *const *fields,
                            const OGRFieldType *types, int n)
{
    OGRLayerH l = GDALDatasetCreateLayer(ds, name, srs, t, NULL);
    for (int i = 0; l && i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i], types[i]);
        OGRErr e = OGR_L_CreateField(l, fd, 1);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return NULL;
    }
    return l;
}

static int write_all(const cor_graph *g, GDALDatasetH ds, OGRSpatialReferenceH srs)
{
    const char *nf[] = { "id", "kind", "component" };
    OGRFieldType nt[] = { OFTInteger64, OFTString, OFTInteger };
    const char *ef[] = { "id", "mode", "class", "from_node", "to_node", "length_m", "time_s" };
    OGRFieldType et[] = { OFTInteger64, OFTString, OFTString, OFTInteger64, OFTInteger64,
                          OFTReal, OFTReal };
    OGRLayerH nl = make_layer(ds, "nodes", wkbPoint, srs, nf, nt, 3);
    OGRLayerH el = nl ? make_layer(ds, "edges", wkbLineString, srs, ef, et, 7) : NULL;
    if (!el)
        return 0;
    if (GDALDatasetStartTransaction(ds, 0) != OGRERR_NONE)
        return 0;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(nl));
    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
    int ok = 1;
    for (uint32_t i = 0; ok && i < g->n_nodes; i++) {
        OGR_F_SetFID(f, OGRNullFID);
        OGR_F_SetFieldInteger64(f, 0, i);
        OGR_F_SetFieldString(f, 1, NODE_KIND[g->node_kind[i] & 3]);
        OGR_F_SetFieldInteger(f, 2, (int)g->component[i]);
        OGR_G_SetPoint_2D(pt, 0, g->node_xy[2 * i], g->node_xy[2 * i + 1]);
        OGR_F_SetGeometry(f, pt);
        ok = OGR_L_CreateFeature(nl, f) == OGRERR_NONE;
    }
    OGR_G_DestroyGeometry(pt);
    OGR_F_Destroy(f);
    f = OGR_F_Create(OGR_L_GetLayerDefn(el));
    OGRGeometryH ln = OGR_G_CreateGeometry(wkbLineString);
    for (size_t i = 0; ok && i < g->n_links; i++) {
        const cor_link *L = &g->links[i];
        OGR_F_SetFID(f, OGRNullFID);
        OGR_F_SetFieldInteger64(f, 0, (GIntBig)i);
        OGR_F_SetFieldString(f, 1, cor_edge_kind_name((cor_edge_kind)L->kind));
        if (L->kind == COR_EDGE_ROAD || L->kind == COR_EDGE_RAIL)
            OGR_F_SetFieldString(f, 2, cor_class_name((cor_line_class)L->cls));
        else
            OGR_F_SetFieldNull(f, 2);
        OGR_F_SetFieldInteger64(f, 3, L->u);
        OGR_F_SetFieldInteger64(f, 4, L->v);
        OGR_F_SetFieldDouble(f, 5, L->length_m);
        OGR_F_SetFieldDouble(f, 6, L->time_ms / 1000.0);
        OGR_G_Empty(ln);
        if (L->geom_n) {
            const double *xy = (L->kind == COR_EDGE_ROAD ? g->road_xy : g->rail_xy) +
                               2 * L->geom_off;
            OGR_G_SetPoints(ln, (int)L->geom_n, xy, 2 * sizeof(double), xy + 1,
                            2 * sizeof(double), NULL, 0);
        } else {
            OGR_G_SetPoint_2D(ln, 0, g->node_xy[2 * L->u], g->node_xy[2 * L->u + 1]);
            OGR_G_SetPoint_2D(ln, 1, g->node_xy[2 * L->v], g->node_xy[2 * L->v + 1]);
        }
        OGR_F_SetGeometry(f, ln);
        ok = OGR_L_CreateFeature(el, f) == OGRERR_NONE;
    }
    OGR_G_DestroyGeometry(ln);
    OGR_F_Destroy(f);
    if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        ok = 0;
    return ok;
}

cor_status cor_graph_write(const cor_graph *g, const cor_dataset *ds, const char *path,
                           cor_error *err)
{
    return cor_graph_write_styled(g, ds, path, NULL, 0, err);
}

cor_status cor_graph_write_styled(const cor_graph *g, const cor_dataset *ds, const char *path,
                                  const cor_layer_style *styles, size_t n_styles,
                                  cor_error *err)
{
    (void)ds;
    size_t n = strlen(path);
    if (n < 5 || strcasecmp(path + n - 5, ".gpkg"))
        return cor_error_set(err, COR_ERR_CONFIG,
                             "%s: the network is written as a GeoPackage (.gpkg) with layers "
                             "nodes and edges", path);
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    char *tmp = malloc(n + 32);
    if (!drv || !tmp) {
        free(tmp);
        return cor_error_set(err, COR_ERR_INTERNAL, "the GDAL GPKG driver is not available");
    }
    snprintf(tmp, n + 32, "%s.tmp%ld", path, (long)getpid());
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    cor_status rc = COR_OK;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    GDALDatasetH out = NULL;
    if (OSRSetFromUserInput(srs, g->crs) != OGRERR_NONE)
        rc = cor_error_set(err, COR_ERR_INTERNAL, "%s: cannot use CRS %s", path, g->crs);
    else if (!(out = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL)))
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    else if (!write_all(g, out, srs))
        rc = cor_error_set(err, COR_ERR_IO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    else
        rc = cor_gpkg_write_styles(out, styles, n_styles, path, err);
    if (out)
        GDALClose(out);
    OSRDestroySpatialReference(srs);
    CPLPopErrorHandler();
    if (rc == COR_OK && rename(tmp, path) != 0)
        rc = cor_error_set(err, COR_ERR_IO, "%s: cannot rename the finished file into place",
                           path);
    if (rc != COR_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}
