/* site.h: site evaluation for relocations: a criteria document (criteria, constraints,
 * method, weights) parsed from JSON, candidates (points, or the centres of a grid over a
 * boundary), their criterion values on the network, constraints, 0-1 scores, weights
 * (direct, AHP, entropy), WLC or TOPSIS totals, ranks, contributions and a seeded weight
 * sensitivity analysis. Used by `corridor site` and by `corridor serve` (POST /site/score). */
#ifndef CORRIDOR_SITE_H
#define CORRIDOR_SITE_H

#include "corridor/geomops.h"
#include "corridor/mcda.h"
#include "corridor/points.h"
#include "corridor/routing.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t;                 /* jansson's document type; only its pointer is used here */

#define COR_SITE_MAX_CRITERIA 15
#define COR_SITE_MAX_CONSTRAINTS 32

typedef enum {
    COR_SITE_TIME_TO = 0, COR_SITE_POP_WITHIN, COR_SITE_PARKS_WITHIN, COR_SITE_DISTANCE_TO,
    COR_SITE_FIELD, COR_SITE_RASTER
} cor_site_kind;
typedef enum { COR_SITE_DIRECT = 0, COR_SITE_AHP, COR_SITE_ENTROPY } cor_site_weighting;

/* ---- the criteria document ---------------------------------------------------------------- */
/* A parsed criteria document (README "Site evaluation"); opaque, read-only once parsed, so
 * one document may be evaluated by several threads. */
typedef struct cor_site_criteria cor_site_criteria;

/* Parses the criteria document in the file path. Fails with COR_ERR_IO (unreadable or not
 * JSON: "PATH: <jansson's message>") or COR_ERR_CONFIG ("PATH: criteria[2].kind: 'x' is not
 * one of ...": the file, then the JSON path of the offending key). Caller frees the result
 * with cor_site_criteria_destroy(); NULL on failure. */
cor_site_criteria *cor_site_criteria_load(const char *path, cor_error *err);
/* The same from a jansson document (borrowed; the criteria keep their own reference), with
 * what naming the document in messages ("body.criteria": "body.criteria: criteria[0].id:
 * ..."). */
cor_site_criteria *cor_site_criteria_from_json(struct json_t *doc, const char *what,
                                               cor_error *err);
/* The same from JSON text of len bytes. */
cor_site_criteria *cor_site_criteria_parse(const char *text, size_t len, const char *what,
                                           cor_error *err);
void cor_site_criteria_destroy(cor_site_criteria *c);              /* accepts NULL */

size_t cor_site_criteria_count(const cor_site_criteria *c);
const char *cor_site_criteria_title(const cor_site_criteria *c);   /* "name", or NULL; borrowed */
const char *cor_site_criteria_what(const cor_site_criteria *c);    /* path or what; borrowed */
/* The document's "method" (COR_METHOD_WLC or COR_METHOD_TOPSIS), -1 when not given. */
int cor_site_criteria_method(const cor_site_criteria *c);
cor_site_weighting cor_site_criteria_weighting(const cor_site_criteria *c);
const char *cor_site_criterion_id(const cor_site_criteria *c, size_t j);       /* borrowed */
cor_site_kind cor_site_criterion_kind(const cor_site_criteria *c, size_t j);
/* The candidate field a field criterion reads, else NULL; borrowed. */
const char *cor_site_criterion_field(const cor_site_criteria *c, size_t j);
/* Fills the fields of a cor_points_opts with the field criteria's fields, in criteria order
 * (so the k-th field criterion reads field[k] of the points). Fails (COR_ERR_CONFIG) with
 * more than COR_POINTS_MAX_FIELDS field criteria. */
cor_status cor_site_criteria_point_fields(const cor_site_criteria *c, cor_points_opts *po,
                                          cor_error *err);

/* ---- candidates --------------------------------------------------------------------------- */
typedef struct {
    size_t n;
    char **label;               /* owned */
    double *xy;                 /* interleaved, working CRS; owned */
    cor_anchor *anchor;         /* node COR_UNREACHABLE: off the network; owned */
    double *field[COR_POINTS_MAX_FIELDS]; /* the field criteria's values (NULL: none); owned */
    int is_grid;
    cor_grid grid;              /* the grid's geometry when is_grid (values NAN); owned */
    size_t *cell;               /* grid cell index of each candidate when is_grid; owned */
} cor_site_candidates;

/* Candidates from a loaded point set (labels, points, anchors and the fields copied; pts
 * stays the caller's). Fails only with COR_ERR_NOMEM. Free out with
 * cor_site_candidates_free() (also after a failure). */
cor_status cor_site_candidates_from_points(const cor_points *pts, cor_site_candidates *out,
                                           cor_error *err);
/* The centres of a cell_m grid over the boundary named within (a feature of the provinces,
 * prefectures or districts layer of ds, by name or name_zh; "河北" matches "河北省"), anchored
 * to the nearest road node within max_snap_m (else left off the network), labelled
 * "cell ROW,COL". Fails with COR_ERR_NOTFOUND ("--within NAME: no province, ..."), or
 * COR_ERR_INPUT when the bounding grid has more than max_cells cells (0: 2,000,000) or no
 * cell centre lies inside. ds is read (one caller at a time). Free out with
 * cor_site_candidates_free() (also after a failure). */
cor_status cor_site_candidates_grid(cor_dataset *ds, const cor_engine *e, double cell_m,
                                    const char *within, double max_snap_m, size_t max_cells,
                                    cor_site_candidates *out, cor_error *err);
void cor_site_candidates_free(cor_site_candidates *cd);    /* accepts a zeroed record */

/* ---- evaluation --------------------------------------------------------------------------- */
typedef struct {
    int method;                 /* COR_METHOD_WLC or COR_METHOD_TOPSIS; -1: the document's,
                                 * else WLC */
    int strict;                 /* direct weights not summing to 1 fail (else normalised and
                                 * weights_sum reported) */
    int force;                  /* accept an AHP consistency ratio above 0.10 */
    double max_snap_m;          /* for the "no road within" reason */
    size_t sensitivity_draws;   /* 0: no sensitivity analysis */
    double spread;
    size_t top_k;               /* the sensitivity's top k */
    uint64_t seed;
    int threads;                /* searches in parallel (0: all OpenMP threads) */
    /* called with (j / n, criterion id) before each criterion and (1, "criteria") after the
     * last; its return value is ignored (may be NULL) */
    cor_progress_fn progress;
    void *progress_user;
    /* handed to the travel-time searches: returning 0 cancels (COR_ERR_CANCELLED) */
    cor_progress_fn cancel;
    void *cancel_user;
    /* LON,LAT to working metres for named "to" targets given as coordinates; NULL: ds's own
     * transform (then ds must not be used by another thread meanwhile) */
    cor_lonlat_fn lonlat;
    void *lonlat_user;
    /* 1: layers only from ds, never other files, and no raster criteria (for a service that
     * must not read files a client names); such criteria fail with COR_ERR_NOTFOUND */
    int data_only;
    /* Optional: called with 1 before and 0 after each use of ds (its layers and places read
     * through GDAL, its own LON,LAT transform), never nested, so that a caller sharing ds
     * between threads can hold its lock for those uses only: the travel-time searches, the
     * overlays and the scoring run outside. NULL: ds is the caller's alone meanwhile.
     * lonlat, when given, is called with that lock held: it must not take it itself. */
    void (*dataset_lock)(void *user, int lock);
    void *dataset_lock_user;
} cor_site_opts;
#define COR_SITE_OPTS_DEFAULT ((cor_site_opts){ .method = -1, .strict = 0, .force = 0, \
    .max_snap_m = 20000.0, .sensitivity_draws = 0, .spread = 0.2, .top_k = 10, .seed = 1, \
    .threads = 0, .progress = NULL, .progress_user = NULL, .cancel = NULL, \
    .cancel_user = NULL, .lonlat = NULL, .lonlat_user = NULL, .data_only = 0, \
    .dataset_lock = NULL, .dataset_lock_user = NULL })

/* The evaluation of m candidates on n criteria. Arrays are owned by the result. */
typedef struct {
    size_t m, n;
    cor_method method;
    cor_site_weighting weighting;
    double *raw;                /* m x n raw values (minutes, counts, km, ...; NAN: none) */
    double *score;              /* m x n scores in [0, 1] (NAN for excluded candidates) */
    double *contribution;       /* m x n weight x score */
    double *weight;             /* n weights, summing to 1 */
    double weights_sum;         /* direct weights as given (before normalising); NAN until
                                 * the weights were computed (1 for AHP and entropy) */
    cor_ahp_result ahp;         /* with AHP weights */
    double *total;              /* m totals (NAN when excluded) */
    int *rank;                  /* m ranks, 1 = best, ties share (0 when excluded) */
    char **reason;              /* m reasons for exclusion, NULL when in */
    size_t n_excluded;
    size_t *order;              /* the m - n_excluded candidates in by rank, ties in input
                                 * order */
    double *top_share;          /* m, with the sensitivity analysis, else NULL */
    int *rank_min, *rank_max;   /* m, likewise */
} cor_site_result;

/* Evaluates the candidates: raw values of every criterion (network times with the document's
 * mode on e, layers and rasters of or beside ds), exclusions (off the network, constraints
 * in document order, missing values: the first reason wins), scores over the candidates
 * still in, weights, totals, ranks, contributions and, when asked, the sensitivity analysis.
 * Fails with one line naming the criterion, constraint or document and the problem
 * (COR_ERR_NOTFOUND for an unknown layer or target, COR_ERR_CONFIG for weights refused under
 * strict or an inconsistent AHP matrix without force, COR_ERR_INPUT when every candidate is
 * excluded, COR_ERR_CANCELLED when o->cancel stopped a search, ...). ds is read (one caller
 * at a time). Free out with cor_site_result_free() (also after a failure). */
cor_status cor_site_evaluate(cor_dataset *ds, const cor_engine *e, const cor_site_criteria *c,
                             const cor_site_candidates *cd, const cor_site_opts *o,
                             cor_site_result *out, cor_error *err);
void cor_site_result_free(cor_site_result *r);             /* accepts a zeroed result */

#ifdef __cplusplus
}
#endif
#endif
