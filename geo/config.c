/* config.c: the layer-role config (JSON via jansson) and the bundled dataset's defaults. */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct cor_config {
    json_t *root;
    const char *crs;
    int has_role[COR_ROLE_COUNT];
    cor_role_spec spec[COR_ROLE_COUNT];
    const char **class_from[COR_ROLE_COUNT];
    int *class_to[COR_ROLE_COUNT];
    size_t n_speeds;
    const char **speed_key;
    double *speed_val;
};

/* The bundled dataset (datasets/jjj.gpkg) needs no config: these are its layer names. */
static const char *const DEFAULT_LAYER[COR_ROLE_COUNT] = {
    [COR_ROLE_RAIL] = "rail", [COR_ROLE_ROAD] = "roads", [COR_ROLE_STATION] = "stations",
    [COR_ROLE_PORT] = "ports", [COR_ROLE_AIRPORT] = "airports", [COR_ROLE_PARK] = "parks",
    [COR_ROLE_CITY] = "cities", [COR_ROLE_BOUNDARY] = "provinces",
    [COR_ROLE_EXCLUSION] = "exclusion_zones",
};
static const char *const DEFAULT_KIND[COR_ROLE_COUNT] = {
    [COR_ROLE_STATION] = "kind", [COR_ROLE_AIRPORT] = "iata", [COR_ROLE_PARK] = "level",
    [COR_ROLE_PORT] = "locode",
};

static const char *const ROLE_NAMES[COR_ROLE_COUNT] = {
    "rail", "road", "station", "port", "airport", "park", "city", "boundary", "exclusion",
};

const char *cor_role_name(cor_role role)
{
    return (unsigned)role < COR_ROLE_COUNT ? ROLE_NAMES[role] : "?";
}

int cor_role_from_name(const char *name)
{
    for (int r = 0; r < COR_ROLE_COUNT; r++)
        if (!strcmp(name, ROLE_NAMES[r]))
            return r;
    return -1;
}

int cor_role_is_place(cor_role role)
{
    return role >= COR_ROLE_STATION && role <= COR_ROLE_CITY;
}

static const char *const CLASS_NAMES[COR_CLASS_COUNT] = {
    "highspeed", "conventional", "major_highway", "road",
};

const char *cor_class_name(cor_line_class c)
{
    return (unsigned)c < COR_CLASS_COUNT ? CLASS_NAMES[c] : "?";
}

static void default_spec(cor_role role, cor_role_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->layer = DEFAULT_LAYER[role];
    spec->f_name = "name";
    spec->f_name_zh = "name_zh";
    spec->f_kind = DEFAULT_KIND[role];
    if (role == COR_ROLE_RAIL || role == COR_ROLE_ROAD) {
        spec->f_class = "class";
        spec->f_speed = "speed_kmh";
    }
    if (role == COR_ROLE_CITY)
        spec->f_mass = "population";
}

int cor_config_role_spec(const cor_config *cfg, cor_role role, cor_role_spec *spec)
{
    if (cfg && (unsigned)role < COR_ROLE_COUNT && cfg->has_role[role]) {
        *spec = cfg->spec[role];
        return 1;
    }
    default_spec(role, spec);
    return 0;
}

const char *cor_config_crs(const cor_config *cfg) { return cfg ? cfg->crs : NULL; }
size_t cor_config_speed_count(const cor_config *cfg) { return cfg ? cfg->n_speeds : 0; }

void cor_config_speed_get(const cor_config *cfg, size_t i, const char **key, double *value)
{
    *key = cfg->speed_key[i];
    *value = cfg->speed_val[i];
}

void cor_config_destroy(cor_config *cfg)
{
    if (!cfg)
        return;
    for (int r = 0; r < COR_ROLE_COUNT; r++) {
        free(cfg->class_from[r]);
        free(cfg->class_to[r]);
    }
    free(cfg->speed_key);
    free(cfg->speed_val);
    json_decref(cfg->root);
    free(cfg);
}

static cor_status want_string(json_t *v, const char *origin, const char *path, const char **out,
                              cor_error *err)
{
    if (!json_is_string(v) || !json_string_length(v))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: %s must be a non-empty string", origin,
                             path);
    *out = json_string_value(v);
    return COR_OK;
}

static cor_status parse_role(cor_config *cfg, cor_role role, json_t *obj, const char *origin,
                             cor_error *err)
{
    char path[160];
    const char *rn = ROLE_NAMES[role];
    if (!json_is_object(obj))
        return cor_error_set(err, COR_ERR_CONFIG, "%s: layers.%s must be an object", origin, rn);
    cor_role_spec *spec = &cfg->spec[role];
    default_spec(role, spec);
    spec->explicit_fields = 1;
    /* Explicit configs name their fields; defaults that the config omits stay unset. */
    spec->f_name = spec->f_name_zh = spec->f_kind = spec->f_class = spec->f_speed = NULL;
    spec->f_mass = NULL;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        snprintf(path, sizeof path, "layers.%s.%s", rn, key);
        if (!strcmp(key, "layer")) {
            if (want_string(v, origin, path, &spec->layer, err))
                return COR_ERR_CONFIG;
        } else if (!strcmp(key, "where")) {
            if (want_string(v, origin, path, &spec->where, err))
                return COR_ERR_CONFIG;
        } else if (!strcmp(key, "fields")) {
            if (!json_is_object(v))
                return cor_error_set(err, COR_ERR_CONFIG, "%s: %s must be an object", origin,
                                     path);
            const char *fk;
            json_t *fv;
            json_object_foreach(v, fk, fv) {
                const char **slot = !strcmp(fk, "name") ? &spec->f_name
                                    : !strcmp(fk, "name_zh") ? &spec->f_name_zh
                                    : !strcmp(fk, "kind") ? &spec->f_kind
                                    : !strcmp(fk, "class") ? &spec->f_class
                                    : !strcmp(fk, "speed_kmh") ? &spec->f_speed
                                    : !strcmp(fk, "mass") || !strcmp(fk, "population")
                                        ? &spec->f_mass
                                        : NULL;
                snprintf(path, sizeof path, "layers.%s.fields.%s", rn, fk);
                if (!slot)
                    return cor_error_set(err, COR_ERR_CONFIG,
                                         "%s: %s: unknown field role (known: name, name_zh, kind, "
                                         "class, speed_kmh, mass)", origin, path);
                if (want_string(fv, origin, path, slot, err))
                    return COR_ERR_CONFIG;
            }
        } else if (!strcmp(key, "classes")) {
            if (role != COR_ROLE_RAIL && role != COR_ROLE_ROAD)
                return cor_error_set(err, COR_ERR_CONFIG,
                                     "%s: %s: only rail and road layers have classes", origin,
                                     path);
            if (!json_is_object(v))
                return cor_error_set(err, COR_ERR_CONFIG, "%s: %s must be an object", origin,
                                     path);
            size_t n = json_object_size(v), i = 0;
            cfg->class_from[role] = calloc(n ? n : 1, sizeof(char *));
            cfg->class_to[role] = calloc(n ? n : 1, sizeof(int));
            if (!cfg->class_from[role] || !cfg->class_to[role])
                return cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", origin);
            const char *ck;
            json_t *cv;
            json_object_foreach(v, ck, cv) {
                snprintf(path, sizeof path, "layers.%s.classes.%s", rn, ck);
                const char *cname = NULL;
                if (want_string(cv, origin, path, &cname, err))
                    return COR_ERR_CONFIG;
                int c = -1;
                for (int k = 0; k < COR_CLASS_COUNT; k++)
                    if (!strcmp(cname, CLASS_NAMES[k]))
                        c = k;
                int rail_class = c == COR_CLASS_HIGHSPEED || c == COR_CLASS_CONVENTIONAL;
                if (c < 0 || rail_class != (role == COR_ROLE_RAIL))
                    return cor_error_set(err, COR_ERR_CONFIG,
                                         "%s: %s: '%s' is not a %s class (%s)", origin, path,
                                         cname, rn,
                                         role == COR_ROLE_RAIL ? "highspeed, conventional"
                                                               : "major_highway, road");
                cfg->class_from[role][i] = ck;
                cfg->class_to[role][i] = c;
                i++;
            }
            spec->n_classes = n;
            spec->class_from = cfg->class_from[role];
            spec->class_to = cfg->class_to[role];
        } else {
            return cor_error_set(err, COR_ERR_CONFIG,
                                 "%s: %s: unknown key (known: layer, where, fields, classes)",
                                 origin, path);
        }
    }
    cfg->has_role[role] = 1;
    return COR_OK;
}

cor_config *cor_config_parse(const char *text, const char *origin, cor_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: line %d column %d: %s", origin, jerr.line,
                      jerr.column, jerr.text);
        return NULL;
    }
    cor_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        json_decref(root);
        cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", origin);
        return NULL;
    }
    cfg->root = root;
    if (!json_is_object(root)) {
        cor_error_set(err, COR_ERR_CONFIG, "%s: the top level must be a JSON object", origin);
        goto fail;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, "crs")) {
            if (want_string(v, origin, "crs", &cfg->crs, err))
                goto fail;
        } else if (!strcmp(key, "layers")) {
            if (!json_is_object(v)) {
                cor_error_set(err, COR_ERR_CONFIG, "%s: layers must be an object", origin);
                goto fail;
            }
            const char *rk;
            json_t *rv;
            json_object_foreach(v, rk, rv) {
                int role = cor_role_from_name(rk);
                if (role < 0) {
                    cor_error_set(err, COR_ERR_CONFIG,
                                  "%s: layers.%s: unknown role (known: rail, road, station, port, "
                                  "airport, park, city, boundary, exclusion)", origin, rk);
                    goto fail;
                }
                if (parse_role(cfg, (cor_role)role, rv, origin, err))
                    goto fail;
            }
        } else if (!strcmp(key, "speeds")) {
            if (!json_is_object(v)) {
                cor_error_set(err, COR_ERR_CONFIG, "%s: speeds must be an object", origin);
                goto fail;
            }
            size_t n = json_object_size(v);
            cfg->speed_key = calloc(n ? n : 1, sizeof(char *));
            cfg->speed_val = calloc(n ? n : 1, sizeof(double));
            if (!cfg->speed_key || !cfg->speed_val) {
                cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", origin);
                goto fail;
            }
            const char *sk;
            json_t *sv;
            cor_speeds scratch = COR_SPEEDS_DEFAULT;
            json_object_foreach(v, sk, sv) {
                cor_error sub = COR_ERROR_INIT;
                if (!json_is_number(sv) ||
                    cor_speeds_set(&scratch, sk, json_number_value(sv), &sub) != COR_OK) {
                    cor_error_set(err, COR_ERR_CONFIG, "%s: speeds.%s: %s", origin, sk,
                                  sub.code ? sub.msg : "must be a number");
                    goto fail;
                }
                cfg->speed_key[cfg->n_speeds] = sk;
                cfg->speed_val[cfg->n_speeds++] = json_number_value(sv);
            }
        } else {
            cor_error_set(err, COR_ERR_CONFIG, "%s: %s: unknown key (known: crs, layers, speeds)",
                          origin, key);
            goto fail;
        }
    }
    return cfg;
fail:
    cor_config_destroy(cfg);
    return NULL;
}

cor_config *cor_config_load(const char *path, cor_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        if (jerr.line < 0)
            cor_error_set(err, COR_ERR_IO, "%s: %s", path, jerr.text);
        else
            cor_error_set(err, COR_ERR_CONFIG, "%s: line %d column %d: %s", path, jerr.line,
                          jerr.column, jerr.text);
        return NULL;
    }
    char *text = json_dumps(root, JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        cor_error_set(err, COR_ERR_NOMEM, "out of memory reading %s", path);
        return NULL;
    }
    cor_config *cfg = cor_config_parse(text, path, err);
    free(text);
    return cfg;
}
