/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's commands that talk to vsw-controller rather than to the dataplane: `apply -f
 * FILE [--dry-run] [--detailed-exitcode]` (the plan, printed like `terraform plan`, then
 * applied as one transaction), `show` (the whole switch as a tree) and `export` (the
 * running topology as YAML that apply takes back). The controller's socket is
 * --controller PATH, else $VSW_CONTROLLER_SOCKET, else /run/vsw/controller.sock. The file
 * is read here and sent whole, so the controller needs no access to the caller's files
 * and its error messages still name the file as the caller wrote it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_client.h"
#include "vswctl.h"
#include "vswctl_ctrl.h"

#define APPLY_TIMEOUT_MS 120000 /* an apply may create many ports; -t overrides it */
#define TOPO_FILE_MAX (4u << 20)

bool vswctl_ctrl_is_cmd(const char *word)
{
	return strcmp(word, "apply") == 0 || strcmp(word, "show") == 0 ||
	       strcmp(word, "export") == 0;
}

void vswctl_ctrl_usage(FILE *out)
{
	fputs("Through vsw-controller (--controller PATH, default $VSW_CONTROLLER_SOCKET, else " VSW_CONTROLLER_SOCK_DEFAULT
	      "):\n"
	      "  apply -f FILE [--dry-run] [--detailed-exitcode]\n"
	      "  show\n"
	      "  export\n",
	      out);
}

static const char apply_help[] =
	"usage: vswctl [OPTIONS] apply -f FILE [--dry-run] [--detailed-exitcode]\n\n"
	"Make the switch run the topology in FILE (docs/topology.md; - reads stdin). The\n"
	"controller compares it with what runs and prints the plan: + added, ~ changed,\n"
	"- removed. Then it applies the plan as one transaction: every change lands or, on\n"
	"the first failure, the ones made are undone. What does not change is not touched.\n"
	"  --dry-run            print the plan, change nothing\n"
	"  --detailed-exitcode  exit 0 no changes, 2 changes (made, or planned with\n"
	"                       --dry-run, which implies this), 1 error\n";
static const char show_help[] =
	"usage: vswctl [OPTIONS] show\n\n"
	"The controller, the dataplane, its bridges with their ports and static MACs, and\n"
	"the ports in no bridge, as a tree. -j prints it as JSON.\n";
static const char export_help[] =
	"usage: vswctl [OPTIONS] export\n\n"
	"The running topology as YAML, which `vswctl apply -f` takes back unchanged.\n";

static int read_all(const char *path, char **buf, size_t *size, char *err, size_t errsz)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t cap = 65536, n;

	*size = 0;
	*buf = NULL;
	if (f == NULL) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	*buf = malloc(cap);
	while (*buf != NULL) {
		n = fread(*buf + *size, 1, cap - *size, f);
		*size += n;
		if (n == 0)
			break;
		if (*size == cap) {
			char *b = cap < TOPO_FILE_MAX ? realloc(*buf, cap * 2) : NULL;

			if (b == NULL) {
				snprintf(err, errsz, "%s: larger than %u bytes (or out of memory)",
					 path, TOPO_FILE_MAX);
				free(*buf);
				*buf = NULL;
				break;
			}
			*buf = b;
			cap *= 2;
		}
	}
	if (*buf != NULL && ferror(f)) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		free(*buf);
		*buf = NULL;
	} else if (*buf == NULL && err[0] == '\0') {
		snprintf(err, errsz, "out of memory");
	}
	if (f != stdin)
		fclose(f);
	return *buf != NULL ? 0 : -EIO;
}

static void print_errors(FILE *errf, json_t *errors)
{
	json_t *e;
	size_t i;

	json_array_foreach(errors, i, e) {
		const char *file = json_string_value(json_object_get(e, "file"));
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		json_int_t line = json_integer_value(json_object_get(e, "line"));
		json_int_t col = json_integer_value(json_object_get(e, "column"));

		if (line > 0)
			fprintf(errf, "%s:%lld:%lld: error: ", file ? file : "?", (long long)line,
				(long long)col);
		else
			fprintf(errf, "%s: error: ", file ? file : "?");
		if (path != NULL && path[0] != '\0')
			fprintf(errf, "%s: ", path);
		fprintf(errf, "%s\n", msg ? msg : "?");
	}
}

static const char *str_of(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static void print_step(FILE *out, json_t *c, const char *indent, int w)
{
	char label[128];

	snprintf(label, sizeof(label), "%s %s", str_of(c, "object", "?"), str_of(c, "name", "?"));
	fprintf(out, "%s%s %-*s  %s\n", indent, str_of(c, "sign", "?"), w, label,
		str_of(c, "text", ""));
}

/* What an object's sign means, in the words of the summary. */
static const char *fate_words(const char *sign)
{
	return strcmp(sign, "+") == 0	  ? "added"
	       : strcmp(sign, "-") == 0	  ? "removed"
	       : strcmp(sign, "-/+") == 0 ? "replaced: removed, then added again"
					  : "changed in place";
}

/*
 * As terraform plan: the summary counts objects (a replaced one as one to add and one to
 * remove), and the body lists the same objects, each with the requests it takes, in the
 * order they run. A controller without "objects" gets the requests alone.
 */
static void print_plan(FILE *out, json_t *res, const char *file)
{
	json_t *changes = json_object_get(res, "changes"), *objs = json_object_get(res, "objects");
	json_t *c, *n, *o, *ix;
	size_t i, k, w = 0;

	json_array_foreach(changes, i, c) {
		size_t len = strlen(str_of(c, "object", "")) + 1 + strlen(str_of(c, "name", ""));

		w = len > w ? len : w;
	}
	if (json_array_size(changes) == 0) {
		fprintf(out, "No changes: the switch already runs %s.\n", file);
	} else {
		fprintf(out, "Plan for %s: %lld to add, %lld to change, %lld to remove.\n", file,
			(long long)json_integer_value(json_object_get(res, "add")),
			(long long)json_integer_value(json_object_get(res, "change")),
			(long long)json_integer_value(json_object_get(res, "remove")));
	}
	if (!json_is_array(objs)) {
		json_array_foreach(changes, i, c)
			print_step(out, c, "  ", (int)w);
	}
	json_array_foreach(objs, k, o) {
		const char *sign = str_of(o, "sign", "~");

		fprintf(out, "%s %s %s: %s\n", sign, str_of(o, "object", "?"),
			str_of(o, "name", "?"), fate_words(sign));
		json_array_foreach(json_object_get(o, "steps"), i, ix) {
			c = json_array_get(changes, (size_t)json_integer_value(ix));
			if (c != NULL)
				print_step(out, c, "    ", (int)w);
		}
	}
	json_array_foreach(json_object_get(res, "notes"), i, n)
		fprintf(out, "note: %s\n", json_string_value(n) ?: "");
}

/* ---- show: the tree ---- */

static const char *s_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static long long i_of(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void vlan_text(json_t *p, char *buf, size_t size)
{
	const char *mode = s_of(p, "vlan_mode");
	size_t off = 0;
	json_t *v;
	size_t i;

	if (strcmp(mode, "access") == 0) {
		snprintf(buf, size, "access vlan %lld", i_of(p, "vlan"));
		return;
	}
	if (strcmp(mode, "trunk") != 0) {
		snprintf(buf, size, "%s", mode);
		return;
	}
	off = (size_t)snprintf(buf, size, "trunk ");
	json_array_foreach(json_object_get(p, "trunk"), i, v) {
		int n = json_is_integer(v) ? snprintf(buf + off, size - off, "%s%lld", i ? "," : "",
						      (long long)json_integer_value(v))
					   : snprintf(buf + off, size - off, "%s%s", i ? "," : "",
						      json_string_value(v) ?: "?");

		if (n < 0 || (size_t)n >= size - off)
			return;
		off += (size_t)n;
	}
	if (i_of(p, "native"))
		snprintf(buf + off, size - off, " native %lld", i_of(p, "native"));
}

static void opts_text(json_t *p, char *buf, size_t size)
{
	json_t *opts = json_object_get(p, "options"), *v;
	const char *key;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach(opts, key, v) {
		char val[300];
		int n;

		if (json_is_string(v))
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		else if (json_is_boolean(v))
			snprintf(val, sizeof(val), "%s", json_is_true(v) ? "true" : "false");
		else
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		n = snprintf(buf + off, size - off, " %s=%s", key, val);
		if (n < 0 || (size_t)n >= size - off)
			return;
		off += (size_t)n;
	}
}

static void print_port(FILE *out, json_t *p, const char *indent, bool last)
{
	char vlan[200], opts[600];

	vlan_text(p, vlan, sizeof(vlan));
	opts_text(p, opts, sizeof(opts));
	fprintf(out, "%s%s port %s: %s%s, %s, link %s, dpdk port %lld\n", indent,
		last ? "└──" : "├──", s_of(p, "name"), s_of(p, "type"), opts, vlan, s_of(p, "link"),
		i_of(p, "dpdk_port"));
}

static int print_show(FILE *out, json_t *res)
{
	json_t *ci = json_object_get(res, "controller"), *dp = json_object_get(res, "dataplane");
	json_t *bridges = json_object_get(res, "bridges"), *ports = json_object_get(res, "ports");
	json_t *b, *p, *m, *sync = json_object_get(ci, "in_sync");
	size_t i, k, n_loose = 0, seen;

	fprintf(out, "controller %s on %s, up %llds, state %s%s\n", s_of(ci, "version"),
		s_of(ci, "socket"), i_of(ci, "uptime_s"), s_of(ci, "state"),
		json_is_true(sync)    ? ", in sync"
		: json_is_false(sync) ? ", DIFFERS from the desired state"
				      : "");
	if (s_of(ci, "last_error")[0] != '\0' && strcmp(s_of(ci, "last_error"), "-") != 0)
		fprintf(out, "  last error: %s\n", s_of(ci, "last_error"));
	if (!json_is_object(dp)) {
		fprintf(out, "dataplane at %s: not reachable (%s)\n", s_of(ci, "dataplane_socket"),
			s_of(ci, "dataplane_error"));
		return 0;
	}
	fprintf(out, "dataplane %s on %s, up %llds, %zu worker%s, %s\n", s_of(dp, "version"),
		s_of(ci, "dataplane_socket"), i_of(dp, "uptime_s"),
		json_array_size(json_object_get(dp, "workers")),
		json_array_size(json_object_get(dp, "workers")) == 1 ? "" : "s",
		json_is_true(json_object_get(dp, "hugepages")) ? "hugepages" : "no hugepages");
	json_array_foreach(ports, i, p)
		if (s_of(p, "bridge")[0] == '\0')
			n_loose++;
	json_array_foreach(bridges, i, b) {
		bool last_b = i + 1 == json_array_size(bridges) && n_loose == 0;
		const char *ind = last_b ? "    " : "│   ";
		json_t *statics = json_object_get(b, "static_macs");
		size_t n_ports = 0;

		fprintf(out,
			"%s bridge %s: aging %llds, max_macs %lld, move_damp %lld/%llds, "
			"%lld MACs learned, %lld static\n",
			last_b ? "└──" : "├──", s_of(b, "name"), i_of(b, "mac_aging_s"),
			i_of(b, "max_macs"), i_of(b, "move_damp"), i_of(b, "move_damp_s"),
			i_of(b, "macs_learned"), i_of(b, "macs_static"));
		json_array_foreach(ports, k, p)
			if (strcmp(s_of(p, "bridge"), s_of(b, "name")) == 0)
				n_ports++;
		seen = 0;
		json_array_foreach(ports, k, p) {
			if (strcmp(s_of(p, "bridge"), s_of(b, "name")) != 0)
				continue;
			seen++;
			print_port(out, p, ind, seen == n_ports && json_array_size(statics) == 0);
		}
		json_array_foreach(statics, k, m)
			fprintf(out, "%s%s static %s vlan %lld -> %s\n", ind,
				k + 1 == json_array_size(statics) ? "└──" : "├──", s_of(m, "mac"),
				i_of(m, "vlan"), s_of(m, "port"));
	}
	if (n_loose > 0) {
		fprintf(out, "└── (in no bridge)\n");
		seen = 0;
		json_array_foreach(ports, i, p)
			if (s_of(p, "bridge")[0] == '\0')
				print_port(out, p, "    ", ++seen == n_loose);
	}
	return 0;
}

/* ---- the commands ---- */

int vswctl_ctrl_main(int argc, char **argv, const struct vswctl_ctrl_opts *o, FILE *out, FILE *errf)
{
	const char *cmd = argv[0], *file = NULL;
	bool dry = false, detailed = false;
	json_t *args = NULL;
	struct vsw_client *c;
	struct vsw_reply r;
	char err[1024] = "", *text = NULL;
	size_t size = 0;
	int rc, ret = VSWCTL_EXIT_FAIL;
	int timeout = o->timeout_ms;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(strcmp(cmd, "apply") == 0	 ? apply_help
			      : strcmp(cmd, "show") == 0 ? show_help
							 : export_help,
			      out);
			return VSWCTL_EXIT_OK;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(cmd, "apply") == 0 &&
		    (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--file") == 0)) {
			if (i + 1 == argc || file != NULL) {
				fprintf(errf,
					"vswctl: apply: %s\nTry 'vswctl apply --help' for more "
					"information.\n",
					file ? "-f given twice" : "-f needs a file name");
				return VSWCTL_EXIT_USAGE;
			}
			file = argv[++i];
		} else if (strcmp(cmd, "apply") == 0 && strcmp(argv[i], "--dry-run") == 0) {
			dry = true;
		} else if (strcmp(cmd, "apply") == 0 &&
			   strcmp(argv[i], "--detailed-exitcode") == 0) {
			detailed = true;
		} else {
			fprintf(errf,
				"vswctl: %s: unexpected \"%s\"\nTry 'vswctl %s --help' for more "
				"information.\n",
				cmd, argv[i], cmd);
			return VSWCTL_EXIT_USAGE;
		}
	}
	if (strcmp(cmd, "apply") == 0) {
		if (file == NULL) {
			fprintf(errf,
				"vswctl: apply: missing -f FILE\nTry 'vswctl apply --help' for "
				"more information.\n");
			return VSWCTL_EXIT_USAGE;
		}
		if (read_all(file, &text, &size, err, sizeof(err)) < 0) {
			fprintf(errf, "vswctl: %s\n", err);
			return VSWCTL_EXIT_FAIL;
		}
		args = json_pack("{s:s%, s:s, s:b}", "topology", text, size, "file",
				 strcmp(file, "-") == 0 ? "<stdin>" : file, "dry_run", dry);
		free(text);
		if (args == NULL) {
			fprintf(errf, "vswctl: %s: not UTF-8 text (or out of memory)\n", file);
			return VSWCTL_EXIT_FAIL;
		}
		if (!o->timeout_set)
			timeout = APPLY_TIMEOUT_MS;
	}

	c = vsw_client_connect(o->sock, timeout, err, sizeof(err));
	if (c == NULL) {
		fprintf(errf, "vswctl: %s (is vsw-controller running? --controller PATH)\n", err);
		json_decref(args);
		return VSWCTL_EXIT_FAIL;
	}
	rc = vsw_client_call(c, cmd, args, &r, err, sizeof(err));
	json_decref(args);
	vsw_client_close(c);
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		return VSWCTL_EXIT_FAIL;
	}
	if (r.status != 0) {
		print_errors(errf, json_object_get(r.msg, "errors"));
		fprintf(errf, "vswctl: %s\n", r.error);
		goto out;
	}
	if (o->json) {
		vswctl_print_json(out, r.result);
	} else if (strcmp(cmd, "apply") == 0) {
		print_plan(out, r.result, file);
		if (json_array_size(json_object_get(r.result, "changes")) > 0)
			fprintf(out, dry ? "Dry run: nothing was changed.\n" : "Applied.\n");
	} else if (strcmp(cmd, "show") == 0) {
		print_show(out, r.result);
	} else {
		fputs(s_of(r.result, "yaml"), out);
	}
	ret = VSWCTL_EXIT_OK;
	if ((dry || detailed) && json_array_size(json_object_get(r.result, "changes")) > 0)
		ret = 2; /* terraform plan -detailed-exitcode */
out:
	vsw_reply_clear(&r);
	return ret;
}
