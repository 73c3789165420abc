/* speeds.c: the default speed table and its overrides from the command line or a config. */
#include "corridor/network.h"
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *key, *alias; size_t off; int is_time; } SPEED_KEYS[] = {
    { "highspeed_kmh", "highspeed", offsetof(cor_speeds, highspeed_kmh), 0 },
    { "conventional_kmh", "conventional", offsetof(cor_speeds, conventional_kmh), 0 },
    { "major_highway_kmh", "major_highway", offsetof(cor_speeds, major_highway_kmh), 0 },
    { "road_kmh", "road", offsetof(cor_speeds, road_kmh), 0 },
    { "access_kmh", "access", offsetof(cor_speeds, access_kmh), 0 },
    { "board_s", "board", offsetof(cor_speeds, board_s), 1 },
    { "alight_s", "alight", offsetof(cor_speeds, alight_s), 1 },
};

cor_status cor_speeds_set(cor_speeds *s, const char *key, double value, cor_error *err)
{
    for (size_t i = 0; i < sizeof SPEED_KEYS / sizeof SPEED_KEYS[0]; i++) {
        if (strcmp(key, SPEED_KEYS[i].key) && strcmp(key, SPEED_KEYS[i].alias))
            continue;
        int ok = isfinite(value) && (SPEED_KEYS[i].is_time ? value >= 0 : value > 0);
        if (!ok || value > 1e6)
            return cor_error_set(err, COR_ERR_CONFIG, "speed '%s': %g is not a %s number", key,
                                 value, SPEED_KEYS[i].is_time ? "non-negative" : "positive");
        *(double *)((char *)s + SPEED_KEYS[i].off) = value;
        return COR_OK;
    }
    return cor_error_set(err, COR_ERR_CONFIG,
                         "unknown speed '%s' (known: highspeed, conventional, major_highway, road, "
                         "access [km/h]; board, alight [s])", key);
}

cor_status cor_speeds_assign(cor_speeds *s, const char *assignment, cor_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1])
        return cor_error_set(err, COR_ERR_CONFIG, "speed '%s': expected KEY=VALUE", assignment);
    char key[64];
    size_t klen = (size_t)(eq - assignment);
    if (klen >= sizeof key)
        return cor_error_set(err, COR_ERR_CONFIG, "speed '%s': key too long", assignment);
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    char *end = NULL;
    double v = strtod(eq + 1, &end);
    if (end == eq + 1 || *end)
        return cor_error_set(err, COR_ERR_CONFIG, "speed '%s': '%s' is not a number", assignment,
                             eq + 1);
    return cor_speeds_set(s, key, v, err);
}

double cor_speeds_class_kmh(const cor_speeds *s, cor_line_class c)
{
    switch (c) {
    case COR_CLASS_HIGHSPEED: return s->highspeed_kmh;
    case COR_CLASS_CONVENTIONAL: return s->conventional_kmh;
    case COR_CLASS_MAJOR_HIGHWAY: return s->major_highway_kmh;
    case COR_CLASS_ROAD:
    case COR_CLASS_COUNT: break;
    }
    return s->road_kmh;
}

cor_status cor_speeds_from_config(cor_speeds *s, const cor_config *cfg, cor_error *err)
{
    if (!cfg)
        return COR_OK;
    size_t n = cor_config_speed_count(cfg);
    for (size_t i = 0; i < n; i++) {
        const char *key;
        double v;
        cor_config_speed_get(cfg, i, &key, &v);
        if (cor_speeds_set(s, key, v, err) != COR_OK)
            return err ? err->code : COR_ERR_CONFIG;
    }
    return COR_OK;
}
