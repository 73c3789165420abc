/* gen_roads: a deterministic generator of road-like networks for the network-build benchmark.
 *
 *   gen_roads --nodes N [--seed S] [--spacing M] -o FILE.gpkg
 *
 * Writes a GeoPackage with one layer "roads" (LineString, EPSG:4326) and the fields
 * "class" (String: 'major_highway' or 'road') and "speed_kmh" (Real, left NULL).
 *
 * The network is a jittered grid of about N junctions centred on lon 116.5, lat 39.0
 * (Beijing-Tianjin-Hebei). Streets run along every grid row (west to east) and column (south to
 * north); a block is the stretch of street between two neighbouring junctions and carries 1-3
 * intermediate shape vertices. Each street is cut into features of 2-6 blocks, so features share
 * their end vertices, and crossing streets share interior vertices, at junctions: a junction's
 * coordinates are computed by one function, so every feature through it holds the same doubles.
 * About 5 % of the ordinary road blocks are removed (broken streets, T-junctions), and half of
 * the removed blocks leave a spur of 20-40 % of the block hanging from the junction before them
 * (a dead end); every 10th row and column is a major highway and is never broken. At about 1 % of the junctions where a major
 * highway crosses an ordinary road, the highway passes over the road: the highway's line omits the
 * junction vertex (it runs straight from the last shape vertex before to the first one after), so
 * the two lines cross without sharing a vertex (a grade-separated crossing).
 *
 * Every random choice is a splitmix64 hash of (seed, purpose, index), so the output depends only
 * on --nodes, --seed and --spacing. OGR_CURRENT_DATE is fixed so the file is byte-identical
 * between runs. The file is written to a temporary name beside FILE and renamed at the end. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define CENTER_LON 116.5
#define CENTER_LAT 39.0
/* Largest extent of the grid (junction centres), kept well inside lon 113-120.5, lat 36-42.5. */
#define MAX_WIDTH_M 560000.0
#define MAX_HEIGHT_M 600000.0
#define JUNCTION_JITTER 0.20   /* of the spacing, each axis */
#define SHAPE_OFFSET 0.08      /* perpendicular offset of shape vertices, of the spacing */
#define REMOVE_SHARE 0.05      /* ordinary road blocks removed */
#define OVERPASS_SHARE 0.01    /* highway-over-road junctions that are grade-separated */
#define STUB_SHARE 0.5         /* removed blocks that leave a dead-end spur */
#define MAJOR_EVERY 10
#define TXN_FEATURES 100000

/* ---- deterministic hashing (splitmix64) --------------------------------------------------- */
enum { H_JX = 1, H_JY, H_REMOVE, H_NSHAPE, H_SHAPE_T, H_SHAPE_OFF, H_FEATLEN, H_OVERPASS, H_STUB };

static uint64_t splitmix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t seed_hash;
    uint32_t rows, cols;       /* junctions: rows * cols */
    double spacing_m;
    double lon0, lat0;         /* junction (0,0) before jitter */
    double dlon, dlat;         /* spacing in degrees */
} grid;

static uint64_t hash3(const grid *g, uint64_t purpose, uint64_t index)
{
    return splitmix64(splitmix64(g->seed_hash ^ (purpose * 0xd1342543de82ef95ULL)) ^ index);
}
static double unit(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }        /* [0,1) */
static double sym(uint64_t h) { return 2.0 * unit(h) - 1.0; }                     /* [-1,1) */

/* ---- grid topology ------------------------------------------------------------------------- */
/* Horizontal block (r,c): junction (r,c) to (r,c+1). Vertical block (r,c): (r,c) to (r+1,c). */
static uint64_t hblock_id(const grid *g, uint32_t r, uint32_t c)
{
    return 2 * ((uint64_t)r * g->cols + c);
}
static uint64_t vblock_id(const grid *g, uint32_t r, uint32_t c)
{
    return 2 * ((uint64_t)r * g->cols + c) + 1;
}
static int row_major(uint32_t r) { return r % MAJOR_EVERY == 0; }
static int col_major(uint32_t c) { return c % MAJOR_EVERY == 0; }

static int hblock_present(const grid *g, uint32_t r, uint32_t c)
{
    if (c + 1 >= g->cols) return 0;
    if (row_major(r)) return 1;
    return unit(hash3(g, H_REMOVE, hblock_id(g, r, c))) >= REMOVE_SHARE;
}
static int vblock_present(const grid *g, uint32_t r, uint32_t c)
{
    if (r + 1 >= g->rows) return 0;
    if (col_major(c)) return 1;
    return unit(hash3(g, H_REMOVE, vblock_id(g, r, c))) >= REMOVE_SHARE;
}
static int junction_present(const grid *g, uint32_t r, uint32_t c)
{
    return hblock_present(g, r, c) || vblock_present(g, r, c) ||
           (c > 0 && hblock_present(g, r, c - 1)) || (r > 0 && vblock_present(g, r - 1, c));
}

/* 1 when a highway passes over an ordinary road at (r,c) without a shared vertex; the highway
 * is the row (dir 0) or the column (dir 1). All four blocks must exist, so the crossing road is
 * continuous there and the highway's feature never needs to end at the junction. */
static int overpass(const grid *g, uint32_t r, uint32_t c, int dir)
{
    if (r == 0 || c == 0 || r + 1 >= g->rows || c + 1 >= g->cols) return 0;
    if (dir == 0 ? !(row_major(r) && !col_major(c)) : !(col_major(c) && !row_major(r))) return 0;
    if (unit(hash3(g, H_OVERPASS, (uint64_t)r * g->cols + c)) >= OVERPASS_SHARE) return 0;
    return hblock_present(g, r, c - 1) && hblock_present(g, r, c) &&
           vblock_present(g, r - 1, c) && vblock_present(g, r, c);
}

static void junction_xy(const grid *g, uint32_t r, uint32_t c, double *lon, double *lat)
{
    uint64_t id = (uint64_t)r * g->cols + c;
    *lon = g->lon0 + g->dlon * ((double)c + JUNCTION_JITTER * sym(hash3(g, H_JX, id)));
    *lat = g->lat0 + g->dlat * ((double)r + JUNCTION_JITTER * sym(hash3(g, H_JY, id)));
}

/* ---- feature output ------------------------------------------------------------------------ */
typedef struct {
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRFeatureH feat;
    int fld_class, fld_speed;
    double *xy;                /* interleaved lon, lat */
    size_t n, cap;
    uint64_t features, vertices, in_txn, spurs;
} writer;

static int push(writer *w, double x, double y)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        double *p = realloc(w->xy, cap * 2 * sizeof *p);
        if (!p) { fprintf(stderr, "gen_roads: out of memory\n"); return -1; }
        w->xy = p;
        w->cap = cap;
    }
    w->xy[2 * w->n] = x;
    w->xy[2 * w->n + 1] = y;
    w->n++;
    return 0;
}

static int flush_feature(writer *w, int major)
{
    if (w->n < 2) { w->n = 0; return 0; }
    OGRGeometryH geom = OGR_G_CreateGeometry(wkbLineString);
    OGR_G_SetPoints(geom, (int)w->n, w->xy, 2 * sizeof(double), w->xy + 1, 2 * sizeof(double),
                    NULL, 0);
    OGR_F_SetGeometryDirectly(w->feat, geom);
    OGR_F_SetFID(w->feat, OGRNullFID);
    OGR_F_SetFieldString(w->feat, w->fld_class, major ? "major_highway" : "road");
    OGR_F_SetFieldNull(w->feat, w->fld_speed);
    if (OGR_L_CreateFeature(w->layer, w->feat) != OGRERR_NONE) {
        fprintf(stderr, "gen_roads: writing a feature failed: %s\n", CPLGetLastErrorMsg());
        return -1;
    }
    w->features++;
    w->vertices += w->n;
    w->n = 0;
    if (++w->in_txn >= TXN_FEATURES) {
        if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE ||
            GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
            fprintf(stderr, "gen_roads: transaction failed: %s\n", CPLGetLastErrorMsg());
            return -1;
        }
        w->in_txn = 0;
    }
    return 0;
}

/* Unit perpendicular of (x0,y0)->(x1,y1) measured in spacings, returned in degrees. */
static void perpendicular(const grid *g, double x0, double y0, double x1, double y1, double *px,
                          double *py)
{
    double dx = (x1 - x0) / g->dlon, dy = (y1 - y0) / g->dlat;   /* in spacings */
    double len = hypot(dx, dy);
    *px = len > 0 ? -dy / len * g->dlon : 0.0;
    *py = len > 0 ? dx / len * g->dlat : 0.0;
}

/* Appends block shape vertices (excluding both junctions) from (x0,y0) to (x1,y1). */
static int push_shape(writer *w, const grid *g, uint64_t block, double x0, double y0, double x1,
                      double y1)
{
    int k = 1 + (int)(hash3(g, H_NSHAPE, block) % 3);
    double dx = x1 - x0, dy = y1 - y0, px, py;
    perpendicular(g, x0, y0, x1, y1, &px, &py);
    for (int i = 1; i <= k; i++) {
        uint64_t sub = block * 4 + (uint64_t)i;
        double t = ((double)i + 0.3 * sym(hash3(g, H_SHAPE_T, sub))) / (double)(k + 1);
        double off = SHAPE_OFFSET * sym(hash3(g, H_SHAPE_OFF, sub));
        if (push(w, x0 + t * dx + off * px, y0 + t * dy + off * py)) return -1;
    }
    return 0;
}

/* Writes one street: the row r (dir 0, west to east) or the column c (dir 1, south to north). */
static int write_street(writer *w, const grid *g, int dir, uint32_t line)
{
    uint32_t len = dir == 0 ? g->cols : g->rows;       /* junctions along the street */
    int major = dir == 0 ? row_major(line) : col_major(line);
#define AT_R(i) (dir == 0 ? line : (i))
#define AT_C(i) (dir == 0 ? (i) : line)
#define PRESENT(i) (dir == 0 ? hblock_present(g, line, (i)) : vblock_present(g, (i), line))
#define BLOCK(i) (dir == 0 ? hblock_id(g, line, (i)) : vblock_id(g, (i), line))
    uint32_t i = 0;
    while (i + 1 < len) {
        if (!PRESENT(i)) { i++; continue; }
        /* A feature starts at junction i (never an overpass: its block before may be absent
         * only when it is not one, and features never end on one). */
        uint32_t want = 2 + (uint32_t)(hash3(g, H_FEATLEN, BLOCK(i)) % 5);
        uint32_t blocks = 0;
        double x0, y0;
        junction_xy(g, AT_R(i), AT_C(i), &x0, &y0);
        w->n = 0;
        if (push(w, x0, y0)) return -1;
        while (i + 1 < len && PRESENT(i)) {
            double x1, y1;
            junction_xy(g, AT_R(i + 1), AT_C(i + 1), &x1, &y1);
            if (push_shape(w, g, BLOCK(i), x0, y0, x1, y1)) return -1;
            i++;
            blocks++;
            int over = overpass(g, AT_R(i), AT_C(i), dir);
            if (!over && push(w, x1, y1)) return -1;
            x0 = x1;
            y0 = y1;
            if (blocks >= want && !over && i + 1 < len && PRESENT(i)) break;
        }
        /* A removed block may leave a spur: the street goes on for 20-40 % of the block from
         * the last junction and ends there (a dead end). */
        if (i + 1 < len && !PRESENT(i) && unit(hash3(g, H_STUB, BLOCK(i))) < STUB_SHARE) {
            double x1, y1;
            junction_xy(g, AT_R(i + 1), AT_C(i + 1), &x1, &y1);
            double t = 0.3 + 0.1 * sym(hash3(g, H_SHAPE_T, BLOCK(i) * 4));
            double off = SHAPE_OFFSET * sym(hash3(g, H_SHAPE_OFF, BLOCK(i) * 4));
            double px, py;
            perpendicular(g, x0, y0, x1, y1, &px, &py);
            if (push(w, x0 + t * (x1 - x0) + off * px, y0 + t * (y1 - y0) + off * py)) return -1;
            w->spurs++;
        }
        if (flush_feature(w, major)) return -1;
    }
#undef AT_R
#undef AT_C
#undef PRESENT
#undef BLOCK
    return 0;
}

/* ---- main ---------------------------------------------------------------------------------- */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gen_roads --nodes N [--seed S] [--spacing METRES] -o FILE.gpkg\n"
               "  N accepts a k or M suffix (250k, 1M); the seed defaults to 1, the junction\n"
               "  spacing to 300 m (reduced automatically when the grid would not fit).\n");
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno) return -1;
    if (*end == 'k' || *end == 'K') { v *= 1e3; end++; }
    else if (*end == 'm' || *end == 'M') { v *= 1e6; end++; }
    if (*end || !(v >= 4 && v <= 4e8)) return -1;
    *out = (uint64_t)llround(v);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t nodes = 0, seed = 1;
    double spacing = 300.0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!v) { usage(stderr); return 2; }
        if (!strcmp(a, "--nodes")) {
            if (parse_count(v, &nodes)) { fprintf(stderr, "gen_roads: bad --nodes '%s'\n", v); return 2; }
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 0);
            if (end == v || *end || errno) { fprintf(stderr, "gen_roads: bad --seed '%s'\n", v); return 2; }
        } else if (!strcmp(a, "--spacing")) {
            char *end;
            spacing = strtod(v, &end);
            if (end == v || *end || !(spacing >= 1.0 && spacing <= 100000.0)) {
                fprintf(stderr, "gen_roads: bad --spacing '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = v;
        } else {
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!nodes || !out) { usage(stderr); return 2; }

    grid g;
    memset(&g, 0, sizeof g);
    g.seed_hash = splitmix64(seed);
    g.rows = (uint32_t)llround(sqrt((double)nodes));
    if (g.rows < 2) g.rows = 2;
    g.cols = (uint32_t)((nodes + g.rows - 1) / g.rows);
    if (g.cols < 2) g.cols = 2;
    if (spacing * (g.cols - 1) > MAX_WIDTH_M) spacing = MAX_WIDTH_M / (g.cols - 1);
    if (spacing * (g.rows - 1) > MAX_HEIGHT_M) spacing = MAX_HEIGHT_M / (g.rows - 1);
    g.spacing_m = spacing;
    g.dlat = spacing / 110574.0;
    g.dlon = spacing / (111320.0 * cos(CENTER_LAT * 3.14159265358979323846 / 180.0));
    g.lon0 = CENTER_LON - g.dlon * (g.cols - 1) / 2.0;
    g.lat0 = CENTER_LAT - g.dlat * (g.rows - 1) / 2.0;

    double t0 = now_s();
    /* Fixed timestamps in gpkg_contents, so two runs give byte-identical files. */
    CPLSetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00.000Z");
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) { fprintf(stderr, "gen_roads: GDAL has no GPKG driver\n"); return 1; }

    size_t tlen = strlen(out) + 32;
    char *tmp = malloc(tlen);
    if (!tmp) return 1;
    snprintf(tmp, tlen, "%s.tmp%ld.gpkg", out, (long)getpid());
    unlink(tmp);

    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        fprintf(stderr, "gen_roads: cannot create %s: %s\n", tmp, CPLGetLastErrorMsg());
        free(tmp);
        return 1;
    }
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "roads", srs, wkbLineString, NULL);
    OSRRelease(srs);
    int ok = layer != NULL;
    if (ok) {
        OGRFieldDefnH fd = OGR_Fld_Create("class", OFTString);
        ok = OGR_L_CreateField(layer, fd, TRUE) == OGRERR_NONE;
        OGR_Fld_Destroy(fd);
        fd = OGR_Fld_Create("speed_kmh", OFTReal);
        ok = ok && OGR_L_CreateField(layer, fd, TRUE) == OGRERR_NONE;
        OGR_Fld_Destroy(fd);
    }
    if (!ok) {
        fprintf(stderr, "gen_roads: cannot create layer roads: %s\n", CPLGetLastErrorMsg());
        GDALClose(ds);
        unlink(tmp);
        free(tmp);
        return 1;
    }

    writer w;
    memset(&w, 0, sizeof w);
    w.ds = ds;
    w.layer = layer;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    w.feat = OGR_F_Create(defn);
    w.fld_class = OGR_FD_GetFieldIndex(defn, "class");
    w.fld_speed = OGR_FD_GetFieldIndex(defn, "speed_kmh");

    ok = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    for (uint32_t r = 0; ok && r < g.rows; r++) ok = write_street(&w, &g, 0, r) == 0;
    for (uint32_t c = 0; ok && c < g.cols; c++) ok = write_street(&w, &g, 1, c) == 0;
    ok = ok && GDALDatasetCommitTransaction(ds) == OGRERR_NONE;
    OGR_F_Destroy(w.feat);
    free(w.xy);
    GDALClose(ds);   /* builds the spatial index */
    if (ok && CPLGetLastErrorType() == CE_Failure) ok = 0;
    if (!ok) {
        fprintf(stderr, "gen_roads: writing %s failed: %s\n", tmp, CPLGetLastErrorMsg());
        unlink(tmp);
        free(tmp);
        return 1;
    }
    if (rename(tmp, out) != 0) {
        fprintf(stderr, "gen_roads: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
        unlink(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);

    uint64_t junctions = 0, overpasses = 0, removed = 0;
    for (uint32_t r = 0; r < g.rows; r++) {
        for (uint32_t c = 0; c < g.cols; c++) {
            junctions += (uint64_t)junction_present(&g, r, c);
            overpasses += (uint64_t)(overpass(&g, r, c, 0) + overpass(&g, r, c, 1));
            removed += (uint64_t)(c + 1 < g.cols && !hblock_present(&g, r, c));
            removed += (uint64_t)(r + 1 < g.rows && !vblock_present(&g, r, c));
        }
    }
    double x0, y0, x1, y1;
    junction_xy(&g, 0, 0, &x0, &y0);
    junction_xy(&g, g.rows - 1, g.cols - 1, &x1, &y1);
    printf("gen_roads: %s grid=%" PRIu32 "x%" PRIu32 " spacing_m=%.1f seed=%" PRIu64 "\n", out,
           g.rows, g.cols, g.spacing_m, seed);
    printf("gen_roads: junctions=%" PRIu64 " features=%" PRIu64 " vertices=%" PRIu64
           " removed_blocks=%" PRIu64 " dead_end_spurs=%" PRIu64 " grade_separated=%" PRIu64 "\n",
           junctions, w.features, w.vertices, removed, w.spurs, overpasses);
    printf("gen_roads: extent lon %.3f..%.3f lat %.3f..%.3f time_s=%.2f\n", x0, x1, y0, y1,
           now_s() - t0);
    return 0;
}
