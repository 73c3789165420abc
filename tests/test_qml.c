/* test_qml.c: QGIS styles (issue #6, "every GeoPackage carries a default style"): the QML
 * generated for each role from a style (colours, widths, dashes, class bounds, escaping, XML
 * well-formedness through xmllint when installed) and the layer_styles table the writer adds. */
#include "check.h"
#include "corridor/render.h"
#include "corridor/writer.h"

#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HAS(q, needle) do { const char *_q = (q), *_n = (needle); \
    if (_q && strstr(_q, _n)) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: the document lacks %s\n", __FILE__, __LINE__, _n); } } while (0)
#define LACKS(q, needle) do { const char *_q = (q), *_n = (needle); \
    if (_q && !strstr(_q, _n)) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: the document holds %s\n", __FILE__, __LINE__, _n); } } while (0)

static char g_dir[] = "/tmp/test_qml_XXXXXX";

/* A small style with distinctive values, and a legend text that needs escaping. */
static const char *STYLE =
    "{\"name\": \"Test & <style>\", \"font\": \"Noto Sans CJK SC\", \"layers\": ["
    " {\"id\": \"roads\", \"type\": \"line\", \"role\": \"road\", \"filter\": {\"class\": \"road\"},"
    "  \"stroke\": \"#ffffff\", \"width\": 0.75, \"casing\": {\"color\": \"#b5ada0\", \"width\": 0.3},"
    "  \"legend\": {\"zh\": \"公路\", \"en\": \"Road & <track> \\\"q\\\"\"}},"
    " {\"id\": \"highspeed\", \"type\": \"line\", \"role\": \"rail\","
    "  \"filter\": {\"class\": [\"highspeed\", \"hsr'x\"]}, \"stroke\": \"#123456\", \"width\": 1.7,"
    "  \"dash\": [4, 1.5], \"legend\": {\"zh\": \"高速铁路\", \"en\": \"High-speed rail\"}},"
    " {\"id\": \"stations\", \"type\": \"point\", \"role\": \"station\", \"shape\": \"circle\","
    "  \"size\": 3.6, \"fill\": \"#ffffff\", \"stroke\": \"#c8102e\", \"width\": 0.9,"
    "  \"label\": {\"size\": 6.2, \"color\": \"#7d1424\"}},"
    " {\"id\": \"cities-small\", \"type\": \"point\", \"role\": \"city\", \"shape\": \"circle_dot\","
    "  \"size\": 6, \"fill\": \"#ffffff\", \"stroke\": \"#1d2731\","
    "  \"label\": {\"size\": 8.5, \"bold\": true, \"halo\": \"#ffffff\", \"halo_width\": 1.3}}"
    "]}";

/* Writes q to a file and runs xmllint --noout on it; 1 when well-formed or xmllint is absent. */
static int well_formed(const char *q, const char *name)
{
    static int have = -1;
    if (have < 0)
        have = system("xmllint --version >/dev/null 2>&1") == 0;
    if (!have)
        return 1;
    char path[256], cmd[400];
    snprintf(path, sizeof path, "%s/%s.qml", g_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(q, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    return system(cmd) == 0;
}

static char *make(const cor_style *s, cor_qml_opts o)
{
    cor_error err = COR_ERROR_INIT;
    char *q = cor_qml_create(s, &o, &err);
    if (!q)
        fprintf(stderr, "cor_qml_create(%s): %s\n", cor_qml_role_name(o.role), err.msg);
    return q;
}

static void test_network_edges(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *s = cor_style_parse(STYLE, "test", &err);
    CHECK(s != NULL);
    if (!s)
        return;
    cor_qml_opts o = COR_QML_OPTS_DEFAULT;
    o.lang = COR_LANG_EN;
    char *q = make(s, o);
    CHECK(q != NULL);
    HAS(q, "<qgis version=\"3.");
    HAS(q, "<renderer-v2 type=\"RuleRenderer\"");
    HAS(q, "<layerGeometryType>1</layerGeometryType>");
    /* the high-speed rail colour, width and dash, in points */
    HAS(q, "<prop k=\"line_color\" v=\"18,52,86,255\"/>");
    HAS(q, "<prop k=\"line_width\" v=\"1.7\"/>");
    HAS(q, "<prop k=\"line_width_unit\" v=\"Point\"/>");
    HAS(q, "<prop k=\"customdash\" v=\"4;1.5\"/>");
    /* the road casing: stroke + 2 x casing */
    HAS(q, "<prop k=\"line_width\" v=\"1.35\"/>");
    HAS(q, "<prop k=\"line_color\" v=\"181,173,160,255\"/>");
    /* rules from the style's filters, quoted for QGIS and escaped for XML */
    HAS(q, "filter=\"&quot;mode&quot; = &apos;rail&apos; AND &quot;class&quot; IN "
           "(&apos;highspeed&apos;, &apos;hsr&apos;&apos;x&apos;)\"");
    HAS(q, "label=\"Road &amp; &lt;track&gt; &quot;q&quot;\"");
    LACKS(q, "Road & <");
    HAS(q, "&apos;access&apos;");
    CHECK(well_formed(q, "edges"));
    free(q);

    /* the SLD: the same rules as OGC filters, widths in pixels at 96 dpi */
    err = (cor_error)COR_ERROR_INIT;
    q = cor_sld_create(s, &o, "edges", &err);
    CHECK(q != NULL);
    HAS(q, "<StyledLayerDescriptor");
    HAS(q, "<se:Name>edges</se:Name>");
    HAS(q, "<se:SvgParameter name=\"stroke\">#123456</se:SvgParameter>");
    HAS(q, "<se:SvgParameter name=\"stroke-width\">2.27</se:SvgParameter>"); /* 1.7 pt */
    HAS(q, "<ogc:PropertyName>class</ogc:PropertyName><ogc:Literal>hsr&apos;x</ogc:Literal>");
    HAS(q, "<se:Name>Road &amp; &lt;track&gt; &quot;q&quot;</se:Name>");
    CHECK(well_formed(q, "edges_sld"));
    free(q);

    o.role = COR_QML_ROUTE; /* twice as wide */
    q = make(s, o);
    HAS(q, "<prop k=\"line_width\" v=\"3.4\"/>");
    CHECK(well_formed(q, "route"));
    free(q);
    cor_style_destroy(s);
}

static void test_graduated(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *s = cor_style_default(&err);
    CHECK(s != NULL);
    if (!s)
        return;
    const double br[] = { 0, 10, 20.5, 40 };
    cor_qml_opts o = COR_QML_OPTS_DEFAULT;
    o.role = COR_QML_ACCESS;
    o.field = "nearest_min";
    o.breaks = br;
    o.n_breaks = 4;
    o.low_is_good = 1;
    char *q = make(s, o);
    HAS(q, "<renderer-v2 type=\"graduatedSymbol\" attr=\"nearest_min\"");
    HAS(q, "lower=\"0\" upper=\"10\"");
    HAS(q, "lower=\"10\" upper=\"20.5\"");
    HAS(q, "lower=\"20.5\" upper=\"40\"");
    HAS(q, "<layerGeometryType>0</layerGeometryType>");
    /* the access map's ramp (YlOrRd): the longest times at its dark red end, #800026 */
    HAS(q, "<prop k=\"color\" v=\"128,0,38,255\"/>");
    CHECK(well_formed(q, "access"));
    free(q);

    /* no bounds, or bounds out of order: refused */
    err = (cor_error)COR_ERROR_INIT;
    q = cor_sld_create(s, &o, "access", &err);
    HAS(q, "<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>nearest_min</ogc:PropertyName>"
           "<ogc:Literal>0</ogc:Literal>");
    HAS(q, "<ogc:PropertyIsGreaterThan><ogc:PropertyName>nearest_min</ogc:PropertyName>"
           "<ogc:Literal>20.5</ogc:Literal>");
    free(q);
    o.n_breaks = 1;
    err = (cor_error)COR_ERROR_INIT;
    CHECK(cor_qml_create(s, &o, &err) == NULL && err.code != COR_OK);
    err = (cor_error)COR_ERROR_INIT;
    CHECK(cor_sld_create(s, &o, "access", &err) == NULL && err.code != COR_OK);
    const double bad[] = { 3, 1 };
    o.breaks = bad;
    o.n_breaks = 2;
    err = (cor_error)COR_ERROR_INIT;
    CHECK(cor_qml_create(s, &o, &err) == NULL && err.code != COR_OK);
    o.field = NULL; /* access has no default field */
    o.breaks = br;
    o.n_breaks = 4;
    err = (cor_error)COR_ERROR_INIT;
    CHECK(cor_qml_create(s, &o, &err) == NULL && err.code != COR_OK);

    /* sites: excluded grey, then the score classes; the best labelled */
    o = COR_QML_OPTS_DEFAULT;
    o.role = COR_QML_SITES;
    o.breaks = br;
    o.n_breaks = 4;
    q = make(s, o);
    HAS(q, "<renderer-v2 type=\"RuleRenderer\"");
    HAS(q, "filter=\"&quot;excluded&quot; IS NOT NULL\"");
    HAS(q, "&quot;total&quot; &gt; 10 AND &quot;total&quot; &lt;= 20.5");
    HAS(q, "labelsEnabled=\"1\"");
    HAS(q, "isExpression=\"1\"");
    HAS(q, "fontFamily=\"Noto Sans CJK SC\"");
    CHECK(well_formed(q, "sites"));
    free(q);

    /* scenario delta on polygons, a field name that needs quoting */
    const double d[] = { -30, -10, 0, 10, 30 };
    o = COR_QML_OPTS_DEFAULT;
    o.role = COR_QML_DELTA;
    o.geom = COR_QML_GEOM_POLYGON;
    o.field = "t\"x_change";
    o.breaks = d;
    o.n_breaks = 5;
    o.low_is_good = 1;
    q = make(s, o);
    HAS(q, "attr=\"t&quot;x_change\"");
    HAS(q, "lower=\"-30\" upper=\"-10\"");
    HAS(q, "<layerGeometryType>2</layerGeometryType>");
    HAS(q, "class=\"SimpleFill\"");
    CHECK(well_formed(q, "delta"));
    free(q);
    cor_style_destroy(s);
}

/* Every role gives a well-formed document in the default style. */
static void test_every_role(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *s = cor_style_default(&err);
    CHECK(s != NULL);
    if (!s)
        return;
    const double br[] = { 30, 60, 90 };
    for (int r = 0; r < COR_QML_ROLE_COUNT; r++) {
        cor_qml_opts o = COR_QML_OPTS_DEFAULT;
        o.role = (cor_qml_role)r;
        o.field = r == COR_QML_ACCESS ? "cum_120" : r == COR_QML_DELTA ? "nearest_min_change"
                                                                        : NULL;
        o.breaks = br;
        o.n_breaks = 3;
        o.max_value = 1e6;
        char *q = make(s, o);
        CHECK(q != NULL);
        CHECK(q && well_formed(q, cor_qml_role_name((cor_qml_role)r)));
        err = (cor_error)COR_ERROR_INIT;
        char *sld = cor_sld_create(s, &o, NULL, &err), sn[64];
        snprintf(sn, sizeof sn, "%s_sld", cor_qml_role_name((cor_qml_role)r));
        CHECK(sld && well_formed(sld, sn));
        HAS(sld, "<se:Rule>");
        free(sld);
        CHECK_INT(cor_qml_role_from_name(cor_qml_role_name((cor_qml_role)r)), r);
        if (r == COR_QML_ISOCHRONES) {
            HAS(q, "<category render=\"true\" value=\"60\" symbol=\"1\" label=\"60 min\"/>");
            HAS(q, "<layerGeometryType>2</layerGeometryType>");
        }
        if (r == COR_QML_LINKAGE) {
            HAS(q, "name=\"outlineWidth\"");
            HAS(q, "scale_linear(&quot;r_ab&quot;, 0, 1000000,");
        }
        if (r == COR_QML_CORRIDORS)
            HAS(q, "<text-style fieldName=\"name\"");
        if (r == COR_QML_NETWORK_NODES)
            HAS(q, "<renderer-v2 type=\"categorizedSymbol\" attr=\"kind\"");
        free(q);
    }
    CHECK_INT(cor_qml_role_from_name("nope"), -1);
    cor_style_destroy(s);
}

/* The writer's layer_styles table: QGIS's columns, one default row per styled layer. */
static void test_writer(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/styled.gpkg", g_dir);
    cor_error err = COR_ERROR_INIT;
    cor_writer *w = cor_writer_create(path, "EPSG:4548", &err);
    CHECK(w != NULL);
    if (!w)
        return;
    const cor_field f[] = { { "name", COR_FIELD_STRING } };
    CHECK_INT(cor_writer_layer(w, "pts", COR_GEOM_POINT, f, 1, &err), COR_OK);
    double xy[2] = { 500000, 4400000 };
    cor_value v[] = { COR_STR("a") };
    CHECK_INT(cor_writer_feature(w, v, xy, 1, NULL, 0, &err), COR_OK);
    CHECK_INT(cor_writer_set_style(w, "pts", "Corridor pts with a name longer than thirty bytes",
                                   "<qgis/>", NULL, &err), COR_OK);
    CHECK(cor_writer_set_style(w, "nope", NULL, "<qgis/>", NULL, &err) != COR_OK);
    err = (cor_error)COR_ERROR_INIT;
    CHECK_INT(cor_writer_layer(w, "table", COR_GEOM_NONE, f, 1, &err), COR_OK);
    CHECK_INT(cor_writer_set_style(w, "table", NULL, "<qgis/>", "<sld/>", &err), COR_OK);
    CHECK_INT(cor_writer_layer_geom(w, "pts"), COR_GEOM_POINT);
    CHECK_INT(cor_writer_layer_geom(w, "table"), COR_GEOM_NONE);
    CHECK_INT(cor_writer_layer_geom(w, "nope"), -1);
    CHECK_INT(cor_writer_close(w, &err), COR_OK);

    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (!ds)
        return;
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "layer_styles");
    CHECK(l != NULL);
    if (l) {
        CHECK(OGR_L_GetGeomType(l) == wkbNone);
        CHECK_INT(OGR_L_GetFeatureCount(l, 1), 2);
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
        static const char *const cols[] = { "f_table_catalog", "f_table_schema", "f_table_name",
                                            "f_geometry_column", "styleName", "styleQML",
                                            "styleSLD", "useAsDefault", "description", "owner",
                                            "ui", "update_time" };
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            CHECK(OGR_FD_GetFieldIndex(d, cols[i]) >= 0);
        CHECK(!strcmp(OGR_L_GetFIDColumn(l), "id"));
        OGR_L_SetAttributeFilter(l, "f_table_name = 'pts'");
        OGRFeatureH ft = OGR_L_GetNextFeature(l);
        CHECK(ft != NULL);
        if (ft) {
            CHECK_INT(OGR_F_GetFieldAsInteger(ft, OGR_FD_GetFieldIndex(d, "useAsDefault")), 1);
            CHECK(!strcmp(OGR_F_GetFieldAsString(ft, OGR_FD_GetFieldIndex(d, "f_table_schema")),
                          ""));
            CHECK(!strcmp(OGR_F_GetFieldAsString(ft,
                                                 OGR_FD_GetFieldIndex(d, "f_geometry_column")),
                          "geom"));
            CHECK(!strcmp(OGR_F_GetFieldAsString(ft, OGR_FD_GetFieldIndex(d, "styleQML")),
                          "<qgis/>"));
            CHECK(strlen(OGR_F_GetFieldAsString(ft, OGR_FD_GetFieldIndex(d, "styleName"))) <= 30);
            OGR_F_Destroy(ft);
        }
    }
    GDALClose(ds);

    /* other formats hold no styles: nothing done, no error, no side file */
    snprintf(path, sizeof path, "%s/plain.geojson", g_dir);
    err = (cor_error)COR_ERROR_INIT;
    w = cor_writer_create(path, "EPSG:4548", &err);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_INT(cor_writer_layer(w, "pts", COR_GEOM_POINT, f, 1, &err), COR_OK);
    CHECK_INT(cor_writer_set_style(w, "pts", NULL, "<qgis/>", NULL, &err), COR_OK);
    CHECK_INT(cor_writer_close(w, &err), COR_OK);
    CHECK(access(path, F_OK) == 0);
}

int main(void)
{
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_network_edges);
    RUN(test_graduated);
    RUN(test_every_role);
    RUN(test_writer);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return check_summary();
}
