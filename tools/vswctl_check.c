/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl check: load and validate a topology file with config/ (the same code the
 * controller applies files with), and print every error at once, compiler style
 * (`topo.yaml:12:7: error: bridges.b.ports.vm9: ...`) for people and editors, or with -j
 * as a JSON array of {file, line, column, path, message, expected} for tools. Valid:
 * "FILE: ok (N ports, N bridges, N flows)" and exit 0; invalid: exit 1; usage: exit 2.
 */
#include <getopt.h>
#include <string.h>

#include <jansson.h>

#include "topology.h"
#include "vswctl.h"
#include "vswctl_check.h"

static void check_usage(FILE *f)
{
	fputs("usage: vswctl check -f FILE [-j]\n"
	      "Validate a topology file (docs/topology.md) without a running switch.\n"
	      "  -f, --file FILE   the topology file ('-' for standard input)\n"
	      "  -j, --json        print the errors as a JSON array on stdout\n"
	      "Exit status: 0 valid, 1 invalid (every error is printed), 2 wrong usage.\n",
	      f);
}

static int print_json(FILE *out, const struct topo_errors *errs)
{
	json_t *arr = json_array();
	int rc = 0;

	if (arr == NULL)
		return -1;
	for (size_t i = 0; i < errs->n; i++) {
		const struct topo_error *e = &errs->v[i];
		json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s}", "file", e->file, "line",
				      (json_int_t)e->line, "column", (json_int_t)e->column, "path",
				      e->path, "message", e->message);

		if (o == NULL)
			goto out_fail;
		if (e->expected != NULL &&
		    json_object_set_new(o, "expected", json_string(e->expected)) < 0) {
			json_decref(o);
			goto out_fail;
		}
		if (json_array_append_new(arr, o) < 0)
			goto out_fail;
	}
	if (errs->truncated || errs->oom) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:s}", "file",
				      errs->n ? errs->v[0].file : "", "line", 0, "column", 0,
				      "path", "", "message",
				      errs->oom ? "out of memory while recording errors"
						: "too many errors (the rest are not shown)");

		if (o == NULL || json_array_append_new(arr, o) < 0)
			goto out_fail;
	}
	if (json_dumpf(arr, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) < 0)
		rc = -1;
	fputc('\n', out);
	json_decref(arr);
	return rc;

out_fail:
	json_decref(arr);
	return -1;
}

/* Standard input, for editors that pipe the unsaved buffer. */
static struct topo *load_stdin(struct topo_errors *errs)
{
	char *buf = NULL;
	size_t size = 0, got;
	FILE *m = open_memstream(&buf, &size);
	char chunk[65536];
	struct topo *t;

	if (m == NULL) {
		topo_errors_add(errs, "<stdin>", 0, 0, "", NULL, "out of memory");
		return NULL;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		fwrite(chunk, 1, got, m);
	fclose(m);
	t = topo_load_buf("<stdin>", buf, size, errs);
	free(buf);
	return t;
}

int vswctl_check(int argc, char **argv, bool json, FILE *out, FILE *errf)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	struct topo_errors errs;
	struct topo *t;
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:f:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			check_usage(out);
			return VSWCTL_EXIT_OK;
		case ':':
			fprintf(errf, "vswctl: check: option %s needs a value\n", argv[optind - 1]);
			check_usage(errf);
			return VSWCTL_EXIT_USAGE;
		default:
			fprintf(errf, "vswctl: check: unknown option \"%s\"\n", argv[optind - 1]);
			check_usage(errf);
			return VSWCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(errf,
			"vswctl: check: unexpected argument \"%s\" (the file goes after -f)\n",
			argv[optind]);
		check_usage(errf);
		return VSWCTL_EXIT_USAGE;
	}
	if (file == NULL) {
		fprintf(errf, "vswctl: check: no file given (expected -f FILE)\n");
		check_usage(errf);
		return VSWCTL_EXIT_USAGE;
	}
	topo_errors_init(&errs);
	t = strcmp(file, "-") == 0 ? load_stdin(&errs) : topo_load_file(file, &errs);
	if (json) {
		if (print_json(out, &errs) < 0)
			fprintf(errf, "vswctl: check: out of memory\n");
	} else if (t != NULL) {
		fprintf(out, "%s: ok (%zu port%s, %zu bridge%s, %zu flow%s)\n",
			strcmp(file, "-") == 0 ? "<stdin>" : file, t->n_ports,
			t->n_ports == 1 ? "" : "s", t->n_bridges, t->n_bridges == 1 ? "" : "s",
			t->n_flows, t->n_flows == 1 ? "" : "s");
	}
	if (t == NULL && !json)
		topo_errors_print(&errs, errf);
	rc = t != NULL ? VSWCTL_EXIT_OK : VSWCTL_EXIT_FAIL;
	topo_free(t);
	topo_errors_clear(&errs);
	return rc;
}
