/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the YAML topology loader and validator (config/), which read files
 * users and tools write and `vswctl check` runs on anything. Besides the sanitizers, it
 * checks the contract: a load either gives a model and no errors, or no model and at
 * least one error, each with a message and a place; a loaded model passes topo_validate
 * again and survives topo_write_yaml -> topo_load_buf as an equal model (so `vswctl
 * export` can never write what apply would refuse or read differently).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errors(const struct topo_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct topo_error *e = &errs->v[i];

		if (e->message == NULL || e->message[0] == '\0' || e->path == NULL ||
		    (e->line == 0 && e->column != 0))
			__builtin_trap();
		/* sorted by place */
		if (i > 0 && (errs->v[i - 1].line > e->line || (errs->v[i - 1].line == e->line &&
								errs->v[i - 1].column > e->column)))
			__builtin_trap();
	}
}

static void check_roundtrip(const struct topo *t)
{
	struct topo_errors errs;
	struct topo *t2;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return;
	if (topo_write_yaml(t, f) != 0)
		__builtin_trap();
	fclose(f);
	topo_errors_init(&errs);
	t2 = topo_load_buf("written", text, len, &errs);
	if (t2 == NULL || !topo_equal(t, t2)) {
		topo_errors_print(&errs, stderr);
		fprintf(stderr, "--- written:\n%s", text);
		__builtin_trap();
	}
	topo_free(t2);
	topo_errors_clear(&errs);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo_errors errs;
	struct topo *t;

	topo_errors_init(&errs);
	t = topo_load_buf("fuzz.yaml", (const char *)data, size, &errs);
	check_errors(&errs);
	if (t != NULL) {
		if (errs.n != 0 || errs.truncated || errs.oom)
			__builtin_trap();
		if (topo_validate(t, "fuzz.yaml", &errs) != 0)
			__builtin_trap();
		check_roundtrip(t);
		topo_free(t);
	} else if (errs.n == 0 && !errs.truncated && !errs.oom) {
		__builtin_trap();
	}
	topo_errors_clear(&errs);
	return 0;
}
