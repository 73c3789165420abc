/* report.h: multi-page PDF reports: headed sections of text, maps drawn by the map engine and
 * tables that flow across pages (the header row repeated), with a running head, page numbers
 * ("3 / 7"), the date and the sources on every page. The document is laid out when written,
 * so the page count is known on every page. */
#ifndef CORRIDOR_REPORT_H
#define CORRIDOR_REPORT_H

#include "corridor/render.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *title;          /* the running head and the PDF title; required */
    const char *date;           /* printed in the footer; NULL: today (UTC, YYYY-MM-DD) */
    const char *sources;        /* the footer's second line (data credits); NULL: none */
    const char *paper;          /* "A4" (default) or any name of cor_paper_size_mm(), portrait */
    double map_dpi;             /* the resolution maps are laid out at; 0: 300 */
    cor_lang lang;              /* maps' labels and legends */
} cor_report_opts;

typedef struct cor_report cor_report;

/* An empty report in the style's font and colours (style borrowed; it must outlive the
 * report). Fails on an unknown paper or a font that is not installed. Caller destroys. */
cor_report *cor_report_create(const cor_style *style, const cor_report_opts *o,
                              cor_error *err);
void cor_report_destroy(cor_report *r);                             /* accepts NULL */

/* A heading; new_page starts it on a fresh page. */
cor_status cor_report_heading(cor_report *r, const char *text, int new_page, cor_error *err);
/* A paragraph, wrapped to the text width; '\n' breaks lines. */
cor_status cor_report_paragraph(cor_report *r, const char *text, cor_error *err);
/* A map of ds (borrowed; it must outlive the report) with the options o, height_mm high (0:
 * about two thirds of the page body) across the text width. Its width_px, height_px, paper and dpi are
 * set from the box. Fails as cor_map_create() does. */
cor_status cor_report_map(cor_report *r, cor_dataset *ds, const cor_map_opts *o,
                          double height_mm, cor_error *err);

/* A table of n_rows x n_cols strings (row-major, copied; NULL cells print empty) under a
 * caption. align has one letter per column: 'l' left, 'r' right, 'c' centred (NULL: all
 * left). Columns share the text width in proportion to their widest cell; a cell that does
 * not fit is shortened with an ellipsis. Rows flow onto new pages under a repeated header. */
typedef struct {
    const char *caption;
    size_t n_cols, n_rows;
    const char *const *header;  /* n_cols */
    const char *const *cells;   /* n_rows * n_cols */
    const char *align;
} cor_report_table;
cor_status cor_report_add_table(cor_report *r, const cor_report_table *t, cor_error *err);

/* Lays the report out and writes it as PDF (path must end in .pdf) through a temporary name
 * renamed on success; a failure leaves nothing behind. Pages counts the pages written. */
cor_status cor_report_write(cor_report *r, const char *path, int *pages, cor_error *err);

#ifdef __cplusplus
}
#endif
#endif
