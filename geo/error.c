/* error.c: the error record, status names, logging sink and version string. */
#include "corridor/common.h"
#include "corridor/version.h"

#include <stdio.h>

cor_status cor_error_set(cor_error *err, cor_status code, const char *fmt, ...)
{
    if (err && err->code == COR_OK && code != COR_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const char *cor_status_name(cor_status code)
{
    switch (code) {
    case COR_OK: return "ok";
    case COR_ERR_IO: return "I/O error";
    case COR_ERR_INPUT: return "bad input";
    case COR_ERR_CONFIG: return "bad configuration";
    case COR_ERR_NOMEM: return "out of memory";
    case COR_ERR_NOTFOUND: return "not found";
    case COR_ERR_CANCELLED: return "cancelled";
    case COR_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

void cor_log(const cor_logger *lg, cor_log_level level, const char *fmt, ...)
{
    if (!lg || !lg->fn || level < lg->min_level)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->fn(level, buf, lg->user);
}

const char *cor_version(void) { return COR_VERSION_STRING; }
