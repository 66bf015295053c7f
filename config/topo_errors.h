/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The error list the topology loader and validator fill: every problem found in one pass,
 * each with its place in the file (line and column, 1-based; 0 when the object was not
 * read from a file) and the dotted path of the field at fault
 * ("bridges.tenant-a.ports.vm1.vlan"), so editors, CI and the controller can all point at
 * it. No DPDK, no jansson: vswctl and the controller turn it into JSON themselves.
 */
#ifndef VSW_TOPO_ERRORS_H
#define VSW_TOPO_ERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Past this many errors the list ends with one "too many errors" entry: a file of garbage
 * must not make an editor print megabytes. */
#define TOPO_ERRORS_MAX 100

struct topo_error {
	char *file;
	uint32_t line;	 /* 1-based; 0: not tied to a line (a file that cannot be read) */
	uint32_t column; /* 1-based; 0 with line 0 */
	char *path;	 /* "bridges.tenant-a.ports.vm1.vlan"; "" for syntax errors */
	char *message;	 /* the whole sentence as printed, "(expected ...)" included */
	char *expected;	 /* what was expected alone, or NULL when the message says it */
};

struct topo_errors {
	struct topo_error *v;
	size_t n;
	size_t cap;
	bool truncated; /* TOPO_ERRORS_MAX reached: later errors were dropped */
	bool oom;	/* an error could not be recorded (the list is then incomplete) */
	/*
	 * Set by the caller before loading a text no person wrote (the controller's copy of
	 * its desired state, edited by an imperative command): its lines mean nothing to
	 * anyone, so errors get line and column 0 and name other objects by path alone
	 * ("as flows[0]", not "as flows[0] at line 20").
	 */
	bool no_lines;
};

void topo_errors_init(struct topo_errors *errs);
/* Frees every entry; the list can be reused (no_lines stays as it was). */
void topo_errors_clear(struct topo_errors *errs);

/*
 * Record one error. expected, when not NULL, is appended to the message as
 * " (expected EXPECTED)". Returns 0 or -ENOMEM (then errs->oom is set); past
 * TOPO_ERRORS_MAX returns -E2BIG and records nothing more.
 */
int topo_errors_add(struct topo_errors *errs, const char *file, uint32_t line, uint32_t column,
		    const char *path, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Where another object stands, for a message that cites it: pre and "line N" (", column
 * C" too when column is not 0) in buf, or "" when errs->no_lines or line is 0. */
const char *topo_errors_at(const struct topo_errors *errs, const char *pre, uint32_t line,
			   uint32_t column, char *buf, size_t size);

/* Sort by line then column, keeping the order of errors at the same place. */
void topo_errors_sort(struct topo_errors *errs);

/* One line per error, as compilers print them:
 * "topo.yaml:12:7: error: bridges.tenant-a.ports.vm9: no port named ..." */
void topo_errors_print(const struct topo_errors *errs, FILE *f);

#endif
