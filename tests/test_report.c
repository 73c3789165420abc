/* test_report.c: multi-page PDF reports: a long table flows onto new pages under its header
 * repeated, every page carries "page / pages" and the date, a map is drawn from the dataset,
 * and bad input (no title, a wrong extension, a folder that does not exist, alignment letters
 * that do not match the columns) fails without leaving a file. The text is read back with
 * pdftotext. Issue "Maps and reports with Cairo", part 2. */
#include "check.h"
#include "corridor/report.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[] = "/tmp/test_report_XXXXXX";

/* The text of page (1-based; 0: all) of a PDF, through pdftotext; caller frees. */
static char *pdf_text(const char *path, int page)
{
    char cmd[700];
    if (page > 0)
        snprintf(cmd, sizeof cmd, "pdftotext -f %d -l %d '%s' -", page, page, path);
    else
        snprintf(cmd, sizeof cmd, "pdftotext '%s' -", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    pclose(p);
    if (buf)
        buf[n] = 0;
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_table_flows(void)
{
    cor_error err = COR_ERROR_INIT;
    cor_style *st = cor_style_default(&err);
    CHECK(st != NULL);
    cor_report_opts o = { .title = "Flow test", .date = "2026-11-26", .sources = "Sources here",
                          .lang = COR_LANG_EN };
    cor_report *r = cor_report_create(st, &o, &err);
    CHECK(r != NULL);
    if (!r) {
        cor_style_destroy(st);
        return;
    }
    enum { ROWS = 120 };
    static char buf[ROWS][2][32];
    const char *cells[ROWS * 2];
    for (int i = 0; i < ROWS; i++) {
        snprintf(buf[i][0], 32, "row%03d", i + 1);
        snprintf(buf[i][1], 32, "%d", (i + 1) * 7);
        cells[2 * i] = buf[i][0];
        cells[2 * i + 1] = buf[i][1];
    }
    const char *hdr[] = { "Column A", "Column B" };
    cor_report_table t = { .caption = "Table 1  Long", .n_cols = 2, .n_rows = ROWS,
                           .header = hdr, .cells = cells, .align = "lr" };
    CHECK(cor_report_heading(r, "First heading", 0, &err) == COR_OK);
    CHECK(cor_report_paragraph(r, "A paragraph before the table.", &err) == COR_OK);
    CHECK(cor_report_add_table(r, &t, &err) == COR_OK);
    CHECK(cor_report_heading(r, "Second heading", 1, &err) == COR_OK);
    CHECK(cor_report_paragraph(r, "The last page.", &err) == COR_OK);
    t.align = "l"; /* one letter for two columns */
    CHECK(cor_report_add_table(r, &t, &err) == COR_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "1 alignment letters for 2 columns");

    char path[256];
    snprintf(path, sizeof path, "%s/flow.pdf", g_dir);
    int pages = 0;
    CHECK(cor_report_write(r, path, &pages, &err) == COR_OK);
    /* 120 rows of 13.6 pt need three pages of a 698 pt A4 body; the second heading starts
     * a fourth */
    CHECK_INT(pages, 4);
    char *all = pdf_text(path, 0);
    CHECK(all != NULL);
    for (int i = 0; all && i < ROWS; i++)
        CHECK_INT(count(all, buf[i][0]), 1); /* every row once */
    free(all);
    for (int p = 1; p <= pages; p++) {
        char *txt = pdf_text(path, p), want[32];
        snprintf(want, sizeof want, "%d / %d", p, pages);
        int found = txt && (strstr(txt, want) || strstr(txt, want + 0));
        if (!found && txt) { /* pdftotext may drop the spaces */
            snprintf(want, sizeof want, "%d/%d", p, pages);
            found = strstr(txt, want) != NULL;
        }
        CHECK(found);
        CHECK(txt && strstr(txt, "2026-11-26") && strstr(txt, "Flow test") &&
              strstr(txt, "Sources here"));
        if (p <= 3)
            CHECK(txt && strstr(txt, "Column A")); /* the header on every page of the table */
        if (p == 1)
            CHECK(txt && strstr(txt, "row001") && strstr(txt, "First heading"));
        if (p == 3)
            CHECK(txt && strstr(txt, "row120"));
        if (p == 4)
            CHECK(txt && strstr(txt, "Second heading") && !strstr(txt, "Column A"));
        free(txt);
    }
    /* bad outputs: nothing left behind */
    char bad[300];
    err = COR_ERROR_INIT;
    snprintf(bad, sizeof bad, "%s/flow.png", g_dir);
    CHECK(cor_report_write(r, bad, NULL, &err) == COR_ERR_CONFIG);
    CHECK(!exists(bad));
    snprintf(bad, sizeof bad, "%s/no/such/dir.pdf", g_dir);
    err = COR_ERROR_INIT;
    CHECK(cor_report_write(r, bad, NULL, &err) != COR_OK);
    CHECK_STR_CONTAINS(err.msg, "no/such/dir.pdf");
    cor_report_destroy(r);

    cor_report_opts none = o;
    none.title = NULL;
    err = COR_ERROR_INIT;
    CHECK(cor_report_create(st, &none, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "title");
    none.title = "x";
    none.paper = "B9";
    err = COR_ERROR_INIT;
    CHECK(cor_report_create(st, &none, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "B9");
    cor_style_destroy(st);
}

static void test_map_page(void)
{
    const char *data = getenv("CORRIDOR_DATA");
    if (!data) {
        fprintf(stderr, "CORRIDOR_DATA unset: map page not tested\n");
        CHECK(0);
        return;
    }
    cor_error err = COR_ERROR_INIT;
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    cor_dataset *ds = cor_dataset_open(data, &oo, &err);
    cor_style *st = cor_style_default(&err);
    CHECK(ds && st);
    if (!ds || !st) {
        cor_dataset_close(ds);
        cor_style_destroy(st);
        return;
    }
    cor_report_opts o = { .title = "Map test", .date = "2026-11-26", .lang = COR_LANG_ZH,
                          .map_dpi = 150 };
    cor_report *r = cor_report_create(st, &o, &err);
    cor_map_opts mo = COR_MAP_OPTS_DEFAULT;
    mo.title = "区域地图";
    mo.extent_name = "天津";
    CHECK(cor_report_heading(r, "地图", 0, &err) == COR_OK);
    CHECK(cor_report_map(r, ds, &mo, 120, &err) == COR_OK);
    CHECK(cor_report_map(r, ds, &mo, 120, &err) == COR_OK); /* 2 x 120 mm: a second page */
    mo.extent_name = "Atlantis";
    err = COR_ERROR_INIT;
    CHECK(cor_report_map(r, ds, &mo, 0, &err) != COR_OK);    /* refused as by the map */
    CHECK_STR_CONTAINS(err.msg, "Atlantis");
    char path[256];
    snprintf(path, sizeof path, "%s/map.pdf", g_dir);
    int pages = 0;
    CHECK(cor_report_write(r, path, &pages, &err) == COR_OK);
    CHECK_INT(pages, 2);
    char *txt = pdf_text(path, 1);
    CHECK(txt && strstr(txt, "区域地图") && strstr(txt, "天津"));
    free(txt);
    cor_report_destroy(r);
    cor_style_destroy(st);
    cor_dataset_close(ds);
}

int main(void)
{
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_table_flows);
    RUN(test_map_page);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return check_summary();
}
