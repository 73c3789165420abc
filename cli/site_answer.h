/* site_answer.h: the JSON document of `corridor site --json`, shared by `corridor site` and
 * `corridor serve` (POST /site/score) so that both give the same answer. */
#ifndef CORRIDOR_CLI_SITE_ANSWER_H
#define CORRIDOR_CLI_SITE_ANSWER_H

#include "corridor/site.h"

#include <jansson.h>

/* {"method", "weights", "candidates", "excluded", "criteria": [{"id", "weight"}], "top":
 * [{"name", "rank", "total", "raw": {id: value}, "contributions": {id: weight x score},
 * "sensitivity": {"top_share", "rank_min", "rank_max"} (with the analysis)}] (the first top
 * candidates by rank), "ahp": {"lambda_max", "ci", "cr"} (AHP weights only)}. A new
 * reference (caller decrefs); NULL when out of memory. */
json_t *site_answer_json(const cor_site_criteria *c, const cor_site_candidates *cd,
                         const cor_site_result *r, size_t top);

#endif
