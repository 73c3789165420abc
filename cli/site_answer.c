/* site_answer.c: the JSON document of a site ranking (`corridor site --json` and POST
 * /site/score). */
#include "site_answer.h"

json_t *site_answer_json(const cor_site_criteria *c, const cor_site_candidates *cd,
                         const cor_site_result *r, size_t top)
{
    size_t n = r->n, no = r->m - r->n_excluded;
    if (no > top)
        no = top;
    json_t *jw = json_array(), *js = json_array();
    for (size_t j = 0; j < n; j++)
        json_array_append_new(jw, json_pack("{s:s, s:f}", "id", cor_site_criterion_id(c, j),
                                             "weight", r->weight[j]));
    for (size_t q = 0; q < no; q++) {
        size_t i = r->order[q];
        json_t *contrib = json_object(), *rawv = json_object();
        for (size_t j = 0; j < n; j++) {
            json_object_set_new(contrib, cor_site_criterion_id(c, j),
                                json_real(r->contribution[i * n + j]));
            json_object_set_new(rawv, cor_site_criterion_id(c, j), json_real(r->raw[i * n + j]));
        }
        json_t *s = json_pack("{s:s, s:i, s:f, s:o, s:o}", "name", cd->label[i], "rank",
                              r->rank[i], "total", r->total[i], "raw", rawv, "contributions",
                              contrib);
        if (r->top_share)
            json_object_set_new(s, "sensitivity",
                                json_pack("{s:f, s:i, s:i}", "top_share", r->top_share[i],
                                          "rank_min", r->rank_min[i], "rank_max",
                                          r->rank_max[i]));
        json_array_append_new(js, s);
    }
    cor_site_weighting wt = r->weighting;
    json_t *doc = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "method",
                            r->method == COR_METHOD_WLC ? "wlc" : "topsis", "weights",
                            wt == COR_SITE_DIRECT ? "direct" : wt == COR_SITE_AHP ? "ahp"
                                                                                  : "entropy",
                            "candidates", (json_int_t)r->m, "excluded",
                            (json_int_t)r->n_excluded, "criteria", jw, "top", js);
    if (doc && wt == COR_SITE_AHP)
        json_object_set_new(doc, "ahp", json_pack("{s:f, s:f, s:f}", "lambda_max",
                                                  r->ahp.lambda_max, "ci", r->ahp.ci, "cr",
                                                  r->ahp.cr));
    return doc;
}
