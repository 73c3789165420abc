/* common.h: status codes, the caller-owned error record, progress callbacks and logging. */
#ifndef CORRIDOR_COMMON_H
#define CORRIDOR_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    COR_OK = 0,
    COR_ERR_IO,       /* a file or source could not be read or written */
    COR_ERR_INPUT,    /* the input data is unusable (bad CRS, empty layer, bad value) */
    COR_ERR_CONFIG,   /* a malformed config or option value */
    COR_ERR_NOMEM,    /* allocation failed */
    COR_ERR_NOTFOUND, /* a named layer, field or place does not exist */
    COR_ERR_CANCELLED,/* the progress callback asked to stop */
    COR_ERR_INTERNAL  /* a library call failed unexpectedly */
} cor_status;

/* The first error wins: later cor_error_set() calls on a set record are ignored. */
typedef struct cor_error {
    cor_status code;
    char msg[512];
} cor_error;

#define COR_ERROR_INIT ((cor_error){ .code = COR_OK, .msg = "" })

/* Sets err (if not NULL and not already set) and returns code. Never fails. */
cor_status cor_error_set(cor_error *err, cor_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *cor_status_name(cor_status code);

/* GDAL-style progress: fraction in [0,1]; return 0 to cancel the operation. */
typedef int (*cor_progress_fn)(double fraction, const char *msg, void *user);

/* Warnings and notes from the library go through one sink; NULL sink discards them. */
typedef enum { COR_LOG_DEBUG = 0, COR_LOG_INFO = 1, COR_LOG_WARN = 2 } cor_log_level;
typedef void (*cor_log_fn)(cor_log_level level, const char *msg, void *user);
typedef struct { cor_log_fn fn; void *user; cor_log_level min_level; } cor_logger;
#define COR_LOGGER_NONE ((cor_logger){ .fn = NULL, .user = NULL, .min_level = COR_LOG_WARN })
/* Formats only when the level passes the logger's threshold. */
void cor_log(const cor_logger *lg, cor_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *cor_version(void);

#ifdef __cplusplus
}
#endif
#endif
