/* check.h: a minimal unit-test harness: CHECK macros and the closing "N passed, N failed". */
#ifndef CORRIDOR_TEST_CHECK_H
#define CORRIDOR_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int g_pass, g_fail;

#define CHECK(cond) do { if (cond) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a == _b) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: %s = %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); } } while (0)
#define CHECK_NEAR(a, b, tol) do { double _a = (double)(a), _b = (double)(b); \
    if (fabs(_a - _b) <= (tol)) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g +- %g\n", __FILE__, __LINE__, #a, _a, _b, \
            (double)(tol)); } } while (0)
#define CHECK_STR_CONTAINS(hay, needle) do { const char *_h = (hay), *_n = (needle); \
    if (_h && strstr(_h, _n)) g_pass++; else { g_fail++; \
    fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
            _h ? _h : "(null)", _n); } } while (0)

#define RUN(test) do { fprintf(stderr, "-- %s\n", #test); test(); } while (0)

static int check_summary(void)
{
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}

#endif
