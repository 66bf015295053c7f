/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology error list (topo_errors.h). Kept apart from the loader so the controller
 * can report its own problems with a topology (a port the dataplane refused) in the same
 * form, and so the printing format lives in one place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_errors.h"

void topo_errors_init(struct topo_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
}

static void error_free(struct topo_error *e)
{
	free(e->file);
	free(e->path);
	free(e->message);
	free(e->expected);
}

void topo_errors_clear(struct topo_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		error_free(&errs->v[i]);
	bool no_lines = errs->no_lines;

	free(errs->v);
	topo_errors_init(errs);
	errs->no_lines = no_lines; /* a setting of the list, not an entry */
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

int topo_errors_add(struct topo_errors *errs, const char *file, uint32_t line, uint32_t column,
		    const char *path, const char *expected, const char *fmt, ...)
{
	struct topo_error e = {0};
	char msg[1024];
	size_t len;
	va_list ap;

	if (errs->truncated)
		return -E2BIG;
	if (errs->n >= TOPO_ERRORS_MAX) {
		errs->truncated = true;
		return -E2BIG;
	}
	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? errs->cap * 2 : 16;
		struct topo_error *v = realloc(errs->v, cap * sizeof(*v));

		if (v == NULL)
			goto out_oom;
		errs->v = v;
		errs->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (expected != NULL) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, " (expected %s)", expected);
		e.expected = strdup(expected);
		if (e.expected == NULL)
			goto out_oom;
	}
	e.file = dup_or_empty(file);
	e.path = dup_or_empty(path);
	e.message = strdup(msg);
	e.line = errs->no_lines ? 0 : line;
	e.column = e.line ? column : 0;
	if (e.file == NULL || e.path == NULL || e.message == NULL) {
		error_free(&e);
		goto out_oom;
	}
	errs->v[errs->n++] = e;
	return 0;

out_oom:
	errs->oom = true;
	return -ENOMEM;
}

const char *topo_errors_at(const struct topo_errors *errs, const char *pre, uint32_t line,
			   uint32_t column, char *buf, size_t size)
{
	if (errs->no_lines || line == 0)
		return "";
	if (column != 0)
		snprintf(buf, size, "%sline %u, column %u", pre, line, column);
	else
		snprintf(buf, size, "%sline %u", pre, line);
	return buf;
}

/* Insertion sort: stable, and lists are at most TOPO_ERRORS_MAX long. */
void topo_errors_sort(struct topo_errors *errs)
{
	for (size_t i = 1; i < errs->n; i++) {
		struct topo_error e = errs->v[i];
		size_t j = i;

		while (j > 0 &&
		       (errs->v[j - 1].line > e.line ||
			(errs->v[j - 1].line == e.line && errs->v[j - 1].column > e.column))) {
			errs->v[j] = errs->v[j - 1];
			j--;
		}
		errs->v[j] = e;
	}
}

void topo_errors_print(const struct topo_errors *errs, FILE *f)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct topo_error *e = &errs->v[i];

		if (e->line > 0)
			fprintf(f, "%s:%u:%u: error: ", e->file, e->line, e->column);
		else
			fprintf(f, "%s: error: ", e->file);
		if (e->path[0] != '\0')
			fprintf(f, "%s: ", e->path);
		fprintf(f, "%s\n", e->message);
	}
	if (errs->truncated)
		fprintf(f, "%s: error: too many errors (showing the first %d)\n",
			errs->n ? errs->v[0].file : "topology", TOPO_ERRORS_MAX);
	if (errs->oom)
		fprintf(f, "%s: error: out of memory while recording errors (list incomplete)\n",
			errs->n ? errs->v[0].file : "topology");
}
