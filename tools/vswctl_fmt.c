/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's human output: protocol results as aligned tables (in the manner of
 * `bridge fdb show` and `ovs-appctl fdb/show`) or key: value lines. Scripts should use -j;
 * this output is for people, so it tolerates missing or extra fields rather than fail
 * against a dataplane one version apart.
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vswctl.h"

#define TABLE_MAX_COLS 12

struct table {
	unsigned int ncols;
	const char *head[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS]; /* numbers line up on the right */
	char **cells;		    /* nrows * ncols, owned */
	size_t nrows, cap;
};

/* Headings; a leading '>' right-aligns the column. */
static void table_init(struct table *t, const char *const *heads)
{
	memset(t, 0, sizeof(*t));
	for (; *heads != NULL && t->ncols < TABLE_MAX_COLS; heads++, t->ncols++) {
		t->right[t->ncols] = (*heads)[0] == '>';
		t->head[t->ncols] = *heads + t->right[t->ncols];
	}
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* Takes ownership of the ncols strings in row, even on failure (NULL = out of memory). */
static int table_add(struct table *t, char **row)
{
	unsigned int i;
	bool oom = false;

	for (i = 0; i < t->ncols; i++)
		oom |= row[i] == NULL;
	if (!oom && t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));

		if (cells == NULL) {
			oom = true;
		} else {
			t->cells = cells;
			t->cap = cap;
		}
	}
	if (oom) {
		for (i = 0; i < t->ncols; i++)
			free(row[i]);
		return -ENOMEM;
	}
	memcpy(&t->cells[t->nrows * t->ncols], row, t->ncols * sizeof(*row));
	t->nrows++;
	return 0;
}

static void table_print(FILE *out, const struct table *t, const char *indent)
{
	size_t width[TABLE_MAX_COLS];
	unsigned int c;
	size_t r, n;

	for (c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->head[c]);
		for (r = 0; r < t->nrows; r++) {
			n = strlen(t->cells[r * t->ncols + c]);
			if (n > width[c])
				width[c] = n;
		}
	}
	for (r = 0; r <= t->nrows; r++) {
		fputs(indent, out);
		for (c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head[c] : t->cells[(r - 1) * t->ncols + c];
			bool last = c + 1 == t->ncols;

			if (t->right[c])
				fprintf(out, "%*s", (int)width[c], s);
			else if (last) /* no trailing blanks */
				fputs(s, out);
			else
				fprintf(out, "%-*s", (int)width[c], s);
			fputs(last ? "\n" : "  ", out);
		}
	}
}

__attribute__((format(printf, 1, 2))) static char *cell(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* Any JSON value as text for a cell: "-" for absent, null or empty; arrays as "a,b";
 * objects as "k=v,k=v". */
static void val_write(FILE *f, json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.1f", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_NULL:
		fputs("-", f);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			if (i > 0)
				fputc(',', f);
			val_write(f, e);
		}
		break;
	case JSON_OBJECT:
		json_object_foreach(v, key, e) {
			fprintf(f, "%s%s=", first ? "" : ",", key);
			val_write(f, e);
			first = false;
		}
		break;
	}
}

static bool val_empty(json_t *v)
{
	return v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

static char *cell_val(json_t *v)
{
	size_t size = 0;
	char *s = NULL;
	FILE *f;

	if (val_empty(v))
		return strdup("-");
	f = open_memstream(&s, &size);
	if (f == NULL)
		return NULL;
	val_write(f, v);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static char *cell_key(json_t *obj, const char *key)
{
	return cell_val(json_object_get(obj, key));
}

/* Integer field, 0 when absent or of another type. */
static json_int_t int_of(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static int shape_error(char *err, size_t errsz, const char *what, const char *expected)
{
	snprintf(err, errsz, "unexpected %s in the reply (expected %s)", what, expected);
	return -EPROTO;
}

/* An array of objects, or a shape error. */
static int check_rows(json_t *result, const char *what, char *err, size_t errsz)
{
	json_t *row;
	size_t i;

	if (!json_is_array(result))
		return shape_error(err, errsz, what, "an array");
	json_array_foreach(result, i, row)
		if (!json_is_object(row))
			return shape_error(err, errsz, what, "an array of objects");
	return 0;
}

static const char *const info_order[] = {
	"version",	     "protocol", "uptime_s", "hugepages", "control_lcore",
	"idle_sleep_max_us", "bridges",	 "ports",    NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int print_info(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {">LCORE", ">CPU", ">BUSY", "PORTS", NULL};
	const char *const *k;
	json_t *v, *workers, *w;
	const char *key;
	struct table t;
	char *s;
	int width = 0, n, rc = 0;
	size_t i;

	if (!json_is_object(res))
		return shape_error(err, errsz, "info", "an object");
	json_object_foreach(res, key, v) {
		n = (int)strlen(key) + 1;
		if (n > width)
			width = n;
	}
	/* The documented keys in a sensible order, then any newer scalar ones. */
	for (k = info_order; *k != NULL; k++) {
		v = json_object_get(res, *k);
		if (v == NULL)
			continue;
		s = cell_val(v);
		if (s == NULL)
			return -ENOMEM;
		fprintf(out, "%s:%*s %s\n", *k, width - (int)strlen(*k) - 1, "", s);
		free(s);
	}
	json_object_foreach(res, key, v) {
		if (in_list(info_order, key) || json_is_array(v) || json_is_object(v))
			continue;
		s = cell_val(v);
		if (s == NULL)
			return -ENOMEM;
		fprintf(out, "%s:%*s %s\n", key, width - (int)strlen(key) - 1, "", s);
		free(s);
	}
	workers = json_object_get(res, "workers");
	if (workers == NULL)
		return 0;
	rc = check_rows(workers, "workers", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	json_array_foreach(workers, i, w) {
		json_t *busy = json_object_get(w, "busy_pct");
		char *row[] = {
			cell_key(w, "lcore"),
			cell_key(w, "cpu"),
			json_is_number(busy) ? cell("%.1f%%", json_number_value(busy))
					     : strdup("-"),
			cell_key(w, "ports"),
		};

		rc = table_add(&t, row);
		if (rc < 0)
			goto out;
	}
	fputs("workers:\n", out);
	table_print(out, &t, "  ");
out:
	table_free(&t);
	return rc;
}

static int print_bridges(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {"BRIDGE", ">MACS",	   ">STATIC", ">MAX_MACS",
					    ">AGING", "MOVE_DAMP", "PORTS",   NULL};
	static const char *const cheads[] = {"BRIDGE",	     ">LEARNED",   ">AGED",	  ">MOVES",
					     ">MOVE_DAMPED", ">LIMIT_HIT", ">LEARN_LOST", NULL};
	struct table t, ct;
	json_t *b, *cnt;
	size_t i;
	int rc;

	rc = check_rows(res, "bridge list", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	table_init(&ct, cheads);
	json_array_foreach(res, i, b) {
		char *row[] = {
			cell_key(b, "name"),
			cell_key(b, "macs_learned"),
			cell_key(b, "macs_static"),
			cell_key(b, "max_macs"),
			json_is_integer(json_object_get(b, "mac_aging_s"))
				? cell("%" JSON_INTEGER_FORMAT "s", int_of(b, "mac_aging_s"))
				: strdup("-"),
			int_of(b, "move_damp") == 0
				? strdup("off")
				: cell("%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT "s",
				       int_of(b, "move_damp"), int_of(b, "move_damp_s")),
			cell_key(b, "ports"),
		};

		cnt = json_object_get(b, "counters");
		char *crow[] = {
			cell_key(b, "name"),	      cell_key(cnt, "learned"),
			cell_key(cnt, "aged"),	      cell_key(cnt, "moves"),
			cell_key(cnt, "move_damped"), cell_key(cnt, "limit_hit"),
			cell_key(cnt, "learn_lost"),
		};

		rc = table_add(&t, row);
		rc |= table_add(&ct, crow);
		if (rc < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	table_print(out, &t, "");
	if (json_array_size(res) > 0) {
		fputs("\nMAC learning counters:\n", out);
		table_print(out, &ct, "");
	}
out:
	table_free(&t);
	table_free(&ct);
	return rc;
}

static char *vlan_cell(json_t *p)
{
	const char *mode = json_string_value(json_object_get(p, "vlan_mode"));
	json_t *trunk;
	json_int_t native;
	char *list, *s;

	if (mode == NULL || strcmp(mode, "none") == 0)
		return strdup("-");
	if (strcmp(mode, "access") == 0)
		return cell("access %" JSON_INTEGER_FORMAT, int_of(p, "vlan"));
	if (strcmp(mode, "trunk") != 0)
		return strdup(mode);
	trunk = json_object_get(p, "trunk");
	list = val_empty(trunk) ? strdup("none") : cell_val(trunk);
	if (list == NULL)
		return NULL;
	native = int_of(p, "native");
	s = native ? cell("trunk %s native %" JSON_INTEGER_FORMAT, list, native)
		   : cell("trunk %s", list);
	free(list);
	return s;
}

/* The lcores polling a port's rx queues, "1,2" (queue order, each once), or its worker. */
static char *worker_cell(json_t *p, json_t *worker)
{
	json_t *qw = json_object_get(p, "rxq_workers"), *v;
	json_int_t seen[16];
	unsigned int n = 0;
	char buf[192] = "";
	size_t i, len = 0;

	if (json_array_size(qw) < 2)
		return cell_val(worker);
	json_array_foreach(qw, i, v) {
		json_int_t l = json_integer_value(v);
		unsigned int k = 0;

		while (k < n && seen[k] != l)
			k++;
		if (l < 0 || k < n || n == 16)
			continue;
		seen[n++] = l;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%" JSON_INTEGER_FORMAT,
					len ? "," : "", l);
		if (len >= sizeof(buf))
			break;
	}
	return strdup(buf[0] ? buf : "-");
}

/* virtio-net feature bits a person may want to see by name (virtio spec 5.1.3) */
static const struct {
	unsigned int bit;
	const char *name;
} virtio_features[] = {
	{0, "csum"},	   {1, "guest_csum"}, {3, "mtu"},
	{6, "gso"},	   {7, "guest_tso4"}, {8, "guest_tso6"},
	{10, "guest_ufo"}, {11, "host_tso4"}, {12, "host_tso6"},
	{13, "host_ecn"},  {14, "host_ufo"},  {15, "mrg_rxbuf"},
	{17, "ctrl_vq"},   {22, "mq"},	      {28, "indirect_desc"},
	{29, "event_idx"}, {32, "version_1"}, {34, "ring_packed"},
	{35, "in_order"},
};

/* Below the port table, for a port with several rx queues, a vhost-user guest or a tx
 * queue that workers share: its queues, where they are polled, how many workers send on
 * one tx queue, and what the guest negotiated. */
static void print_port_queues(FILE *out, json_t *p)
{
	json_int_t nrx = int_of(p, "rx_queues"), gq = int_of(p, "guest_queues");
	json_int_t txw = int_of(p, "tx_queue_workers");
	const char *fs = json_string_value(json_object_get(p, "guest_features"));
	unsigned long long f = fs != NULL ? strtoull(fs, NULL, 16) : 0;
	char *w = worker_cell(p, json_object_get(p, "worker"));

	if (nrx < 2 && f == 0 && txw < 2) {
		free(w);
		return;
	}
	fprintf(out,
		"%s: %" JSON_INTEGER_FORMAT " rx queues (workers %s), %" JSON_INTEGER_FORMAT
		" tx queues",
		json_string_value(json_object_get(p, "name")) ?: "?", nrx, w ? w : "-",
		int_of(p, "tx_queues"));
	free(w);
	if (txw > 1 && int_of(p, "tx_queues_used") == 1)
		fprintf(out, " (1 in use: tx queue shared by %" JSON_INTEGER_FORMAT " workers)",
			txw);
	else if (txw > 1)
		fprintf(out,
			" (%" JSON_INTEGER_FORMAT
			" in use: tx queues shared by up to %" JSON_INTEGER_FORMAT " workers)",
			int_of(p, "tx_queues_used"), txw);
	if (f != 0) {
		fprintf(out,
			"; guest enabled %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
			" queue pairs; features %s:",
			gq, nrx, fs);
		for (size_t i = 0; i < sizeof(virtio_features) / sizeof(virtio_features[0]); i++)
			if (f & (1ULL << virtio_features[i].bit))
				fprintf(out, " %s", virtio_features[i].name);
	}
	fputc('\n', out);
}

static int print_ports(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {"PORT",   "TYPE",	   "LINK",    "BRIDGE",
					    "VLAN",   ">WORKER",   ">DPDK",   ">STORM_PPS",
					    ">BURST", ">MAX_MACS", "OPTIONS", NULL};
	json_t *p, *worker;
	struct table t;
	size_t i;
	int rc;

	rc = check_rows(res, "port list", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	json_array_foreach(res, i, p) {
		worker = json_object_get(p, "worker");
		char *row[] = {
			cell_key(p, "name"),
			cell_key(p, "type"),
			cell_key(p, "link"),
			cell_key(p, "bridge"),
			vlan_cell(p),
			json_integer_value(worker) < 0 ? strdup("-") : worker_cell(p, worker),
			cell_key(p, "dpdk_port"),
			int_of(p, "storm_pps") == 0 ? strdup("-") : cell_key(p, "storm_pps"),
			cell_key(p, "storm_burst"),
			int_of(p, "max_macs") == 0 ? strdup("-") : cell_key(p, "max_macs"),
			cell_key(p, "options"),
		};

		rc = table_add(&t, row);
		if (rc < 0)
			goto out;
	}
	table_print(out, &t, "");
	json_array_foreach(res, i, p)
		print_port_queues(out, p);
out:
	table_free(&t);
	return rc;
}

static int print_fdb(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {"PORT", ">VLAN", "MAC", "TYPE", ">AGE", NULL};
	struct table t;
	const char *type;
	json_t *e;
	size_t i;
	int rc;

	rc = check_rows(res, "MAC table", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	json_array_foreach(res, i, e) {
		type = json_string_value(json_object_get(e, "type"));
		char *row[] = {
			/* a MAC behind a remote VTEP: the tunnel port and the VTEP's address */
			json_object_get(e, "remote_vtep") != NULL
				? cell("%s@%s", json_string_value(json_object_get(e, "port")) ?: "",
				       json_string_value(json_object_get(e, "remote_vtep")) ?: "")
				: cell_key(e, "port"),
			cell_key(e, "vlan"),
			cell_key(e, "mac"),
			cell_key(e, "type"),
			/* a static entry has no age to speak of */
			type != NULL && strcmp(type, "static") == 0 ? strdup("-")
								    : cell_key(e, "age_s"),
		};

		rc = table_add(&t, row);
		if (rc < 0)
			goto out;
	}
	table_print(out, &t, "");
out:
	table_free(&t);
	return rc;
}

static int print_flush(FILE *out, json_t *res, char *err, size_t errsz)
{
	json_t *n = json_object_get(res, "flushed");

	if (!json_is_integer(n))
		return shape_error(err, errsz, "flush result", "{\"flushed\": N}");
	fprintf(out, "flushed %" JSON_INTEGER_FORMAT " %s\n", json_integer_value(n),
		json_integer_value(n) == 1 ? "entry" : "entries");
	return 0;
}

static int print_stats(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {"PORT",	 ">RX_PACKETS", ">RX_BYTES", ">TX_PACKETS",
					    ">TX_BYTES", ">DROPS",	NULL};
	static const char *const dheads[] = {"PORT", "DROP_REASON", ">PACKETS", NULL};
	static const char *const qheads[] = {"PORT",	    ">QUEUE",	 ">RX_PACKETS", ">RX_BYTES",
					     ">TX_PACKETS", ">TX_BYTES", NULL};
	struct table t, dt, qt;
	json_t *p, *drops, *v, *qs;
	size_t j;
	const char *reason;
	size_t i;
	int rc;

	rc = check_rows(res, "stats", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	table_init(&dt, dheads);
	table_init(&qt, qheads);
	json_array_foreach(res, i, p) {
		char *row[] = {
			cell_key(p, "name"),	 cell_key(p, "rx_packets"),
			cell_key(p, "rx_bytes"), cell_key(p, "tx_packets"),
			cell_key(p, "tx_bytes"), cell_key(p, "drops_total"),
		};

		rc = table_add(&t, row);
		if (rc < 0)
			goto out;
		/* per queue (the device's counters), for ports with more than one */
		qs = json_object_get(p, "queues");
		if (json_array_size(qs) > 1)
			json_array_foreach(qs, j, v) {
				char *qrow[] = {cell_key(p, "name"),	   cell_key(v, "queue"),
						cell_key(v, "rx_packets"), cell_key(v, "rx_bytes"),
						cell_key(v, "tx_packets"), cell_key(v, "tx_bytes")};

				rc = table_add(&qt, qrow);
				if (rc < 0)
					goto out;
			}
		drops = json_object_get(p, "drops");
		/* Only what happened: the full list of reasons is `vswctl drop-reasons`. */
		json_object_foreach(drops, reason, v) {
			if (!json_is_integer(v) || json_integer_value(v) == 0)
				continue;
			char *drow[] = {cell_key(p, "name"), strdup(reason), cell_val(v)};

			rc = table_add(&dt, drow);
			if (rc < 0)
				goto out;
		}
	}
	table_print(out, &t, "");
	if (qt.nrows > 0) {
		fputc('\n', out);
		table_print(out, &qt, "");
	}
	if (dt.nrows > 0) {
		fputc('\n', out);
		table_print(out, &dt, "");
	}
out:
	table_free(&t);
	table_free(&dt);
	table_free(&qt);
	return rc;
}

static int print_drop_reasons(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const heads[] = {"REASON", "HELP", NULL};
	struct table t;
	json_t *e;
	size_t i;
	int rc;

	rc = check_rows(res, "drop reasons", err, errsz);
	if (rc < 0)
		return rc;
	table_init(&t, heads);
	json_array_foreach(res, i, e) {
		char *row[] = {cell_key(e, "name"), cell_key(e, "help")};

		rc = table_add(&t, row);
		if (rc < 0)
			goto out;
	}
	table_print(out, &t, "");
out:
	table_free(&t);
	return rc;
}

/* flow show: one line per rule, as ovs-ofctl dump-flows prints them. */
static int print_flows(FILE *out, json_t *res, char *err, size_t errsz)
{
	json_t *f, *m, *v, *a;
	const char *key;
	size_t i, j;
	int rc;

	rc = check_rows(res, "flow-dump", err, errsz);
	if (rc < 0)
		return rc;
	json_array_foreach(res, i, f) {
		bool first = true;

		m = json_object_get(f, "match");
		fprintf(out, " id=%" JSON_INTEGER_FORMAT ", priority=%" JSON_INTEGER_FORMAT,
			json_integer_value(json_object_get(f, "id")),
			json_integer_value(json_object_get(f, "priority")));
		if (json_string_length(json_object_get(f, "name")) > 0)
			fprintf(out, ", name=%s", json_string_value(json_object_get(f, "name")));
		fprintf(out,
			", n_packets=%" JSON_INTEGER_FORMAT ", n_bytes=%" JSON_INTEGER_FORMAT ", ",
			json_integer_value(json_object_get(f, "packets")),
			json_integer_value(json_object_get(f, "bytes")));
		json_object_foreach(m, key, v) {
			if (json_is_integer(v))
				fprintf(out, "%s%s=%" JSON_INTEGER_FORMAT, first ? "" : ",", key,
					json_integer_value(v));
			else
				fprintf(out, "%s%s=%s", first ? "" : ",", key,
					json_is_string(v) ? json_string_value(v) : "?");
			first = false;
		}
		fprintf(out, "%sactions=", first ? "" : " ");
		json_array_foreach(json_object_get(f, "actions"), j, a)
			fprintf(out, "%s%s", j ? "," : "",
				json_is_string(a) ? json_string_value(a) : "?");
		fputc('\n', out);
	}
	return 0;
}

static int print_flow_ids(FILE *out, json_t *res, char *err, size_t errsz)
{
	json_t *ids = json_object_get(res, "ids"), *v;
	size_t i;

	if (!json_is_array(ids))
		return shape_error(err, errsz, "flow-add result", "{\"ids\": [N, ...]}");
	json_array_foreach(ids, i, v)
		fprintf(out, "%s%" JSON_INTEGER_FORMAT, i ? " " : "", json_integer_value(v));
	fputc('\n', out);
	return 0;
}

static int print_flow_del(FILE *out, json_t *res, char *err, size_t errsz)
{
	json_t *n = json_object_get(res, "deleted");

	if (!json_is_integer(n))
		return shape_error(err, errsz, "flow-del result", "{\"deleted\": N}");
	fprintf(out, "deleted %" JSON_INTEGER_FORMAT " %s\n", json_integer_value(n),
		json_integer_value(n) == 1 ? "flow" : "flows");
	return 0;
}

/* vtep show: per VTEP a line of settings, its counters, its neighbours and its remotes
 * (one per VNI and remote VTEP, with the tunnel port's counters). */
static int print_vteps(FILE *out, json_t *res, char *err, size_t errsz)
{
	static const char *const nheads[] = {"NEXT_HOP", "MAC", "STATE", ">AGE", ">USERS", NULL};
	static const char *const rheads[] = {"BRIDGE", ">VNI", "REMOTE", "PORT",	"NEXT_HOP",
					     ">TX",    ">RX",  "DROPS",	 ">MTU_NEEDED", NULL};
	json_t *v, *e, *cnt;
	size_t i, j;
	int rc;

	rc = check_rows(res, "VTEP list", err, errsz);
	if (rc < 0)
		return rc;
	json_array_foreach(res, i, v) {
		struct table nt, rt;
		char *drops;

		cnt = json_object_get(v, "counters");
		fprintf(out,
			"%svtep %s: %s/%" JSON_INTEGER_FORMAT
			" on port %s, mac %s, udp port %" JSON_INTEGER_FORMAT
			", mtu %" JSON_INTEGER_FORMAT ", ttl %" JSON_INTEGER_FORMAT "\n",
			i > 0 ? "\n" : "", json_string_value(json_object_get(v, "name")) ?: "?",
			json_string_value(json_object_get(v, "local_ip")) ?: "?",
			int_of(v, "prefix_len"),
			json_string_value(json_object_get(v, "port")) ?: "?",
			json_string_value(json_object_get(v, "mac")) ?: "?", int_of(v, "udp_port"),
			int_of(v, "mtu"), int_of(v, "ttl"));
		if (json_object_get(v, "gateway") != NULL)
			fprintf(out, "  gateway %s\n",
				json_string_value(json_object_get(v, "gateway")) ?: "?");
		if (json_object_get(cnt, "nd_ns_rx") != NULL) /* an IPv6 VTEP */
			fprintf(out,
				"  underlay rx %" JSON_INTEGER_FORMAT " tx %" JSON_INTEGER_FORMAT
				", decapsulated %" JSON_INTEGER_FORMAT
				"; nd: solicitations in %" JSON_INTEGER_FORMAT
				" out %" JSON_INTEGER_FORMAT
				", advertisements in %" JSON_INTEGER_FORMAT
				" out %" JSON_INTEGER_FORMAT "\n",
				int_of(cnt, "rx_packets"), int_of(cnt, "tx_packets"),
				int_of(cnt, "decap_packets"), int_of(cnt, "nd_ns_rx"),
				int_of(cnt, "nd_ns_tx"), int_of(cnt, "nd_na_rx"),
				int_of(cnt, "nd_na_tx"));
		if (json_object_get(v, "addr_state") != NULL) /* IPv6: DAD and MLD */
			fprintf(out,
				"  address %s, link-local %s %s; dad: probes out %" JSON_INTEGER_FORMAT
				", conflicts %" JSON_INTEGER_FORMAT
				"; mld: reports out %" JSON_INTEGER_FORMAT
				", queries in %" JSON_INTEGER_FORMAT "\n",
				json_string_value(json_object_get(v, "addr_state")) ?: "?",
				json_string_value(json_object_get(v, "link_local")) ?: "?",
				json_string_value(json_object_get(v, "link_local_state")) ?: "?",
				int_of(cnt, "dad_ns_tx"), int_of(cnt, "dad_conflict"),
				int_of(cnt, "mld_report_tx"), int_of(cnt, "mld_query_rx"));
		else
			fprintf(out,
				"  underlay rx %" JSON_INTEGER_FORMAT " tx %" JSON_INTEGER_FORMAT
				", decapsulated %" JSON_INTEGER_FORMAT
				"; arp: requests in %" JSON_INTEGER_FORMAT
				" out %" JSON_INTEGER_FORMAT ", replies in %" JSON_INTEGER_FORMAT
				" out %" JSON_INTEGER_FORMAT "\n",
				int_of(cnt, "rx_packets"), int_of(cnt, "tx_packets"),
				int_of(cnt, "decap_packets"), int_of(cnt, "arp_req_rx"),
				int_of(cnt, "arp_req_tx"), int_of(cnt, "arp_reply_rx"),
				int_of(cnt, "arp_reply_tx"));
		drops = cell_key(cnt, "drops");
		fprintf(out, "  underlay drops: %s\n", drops != NULL ? drops : "?");
		free(drops);
		table_init(&nt, nheads);
		table_init(&rt, rheads);
		json_array_foreach(json_object_get(v, "neighbours"), j, e) {
			char *row[] = {cell_key(e, "ip"), cell_key(e, "mac"), cell_key(e, "state"),
				       cell_key(e, "age_s"), cell_key(e, "users")};

			rc |= table_add(&nt, row);
		}
		json_array_foreach(json_object_get(v, "remotes"), j, e) {
			char *row[] = {
				cell_key(e, "bridge"),
				cell_key(e, "vni"),
				cell_key(e, "remote"),
				cell_key(e, "port"),
				cell_key(e, "next_hop"),
				cell_key(e, "tx_packets"),
				cell_key(e, "rx_packets"),
				cell_key(e, "drops"),
				int_of(e, "mtu_needed") == 0 ? strdup("-")
							     : cell_key(e, "mtu_needed"),
			};

			rc |= table_add(&rt, row);
		}
		if (rc == 0) {
			fputs("\n", out);
			table_print(out, &nt, "  ");
			fputs("\n", out);
			table_print(out, &rt, "  ");
		}
		table_free(&nt);
		table_free(&rt);
		if (rc < 0)
			return -ENOMEM;
	}
	return 0;
}

int vswctl_print(FILE *out, enum vswctl_out kind, json_t *result, char *err, size_t errsz)
{
	int rc;

	switch (kind) {
	case VSWCTL_OUT_NONE:
		return 0;
	case VSWCTL_OUT_INFO:
		rc = print_info(out, result, err, errsz);
		break;
	case VSWCTL_OUT_BRIDGES:
		rc = print_bridges(out, result, err, errsz);
		break;
	case VSWCTL_OUT_PORTS:
		rc = print_ports(out, result, err, errsz);
		break;
	case VSWCTL_OUT_FDB:
		rc = print_fdb(out, result, err, errsz);
		break;
	case VSWCTL_OUT_FLUSH:
		rc = print_flush(out, result, err, errsz);
		break;
	case VSWCTL_OUT_STATS:
		rc = print_stats(out, result, err, errsz);
		break;
	case VSWCTL_OUT_DROP_REASONS:
		rc = print_drop_reasons(out, result, err, errsz);
		break;
	case VSWCTL_OUT_FLOWS:
		rc = print_flows(out, result, err, errsz);
		break;
	case VSWCTL_OUT_FLOW_IDS:
		rc = print_flow_ids(out, result, err, errsz);
		break;
	case VSWCTL_OUT_FLOW_DEL:
		rc = print_flow_del(out, result, err, errsz);
		break;
	case VSWCTL_OUT_VTEPS:
		rc = print_vteps(out, result, err, errsz);
		break;
	default:
		snprintf(err, errsz, "internal error: output kind %d", kind);
		return -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	return rc;
}

/* A port's tx_full counter in a stats result, -1 when the port is not in it. */
static json_int_t tx_full_of(json_t *stats, const char *name)
{
	json_t *p;
	size_t i;

	json_array_foreach(stats, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return json_integer_value(
				json_object_get(json_object_get(p, "drops"), "tx_full"));
	}
	return -1;
}

json_int_t vswctl_tx_full_total(json_t *stats)
{
	json_int_t n = 0;
	json_t *p;
	size_t i;

	json_array_foreach(stats, i, p)
		n += json_integer_value(json_object_get(json_object_get(p, "drops"), "tx_full"));
	return n;
}

/*
 * tx_full means the egress queue did not take a frame. On a vhost-user port that queue is
 * the guest's rx ring, so either the guest does not post buffers fast enough (its problem:
 * a slow, stopped or overloaded VM) or the switch is too slow to run everything and the
 * guest is a victim of the backlog. The workers' busy share over the same window tells the
 * two apart: a worker with cycles to spare was not the bottleneck.
 */
int vswctl_print_tx_full_hints(FILE *out, json_t *ports, json_t *before, json_t *after,
			       json_t *info, double secs)
{
	double busy_max = 0;
	unsigned int busy_cpu = 0;
	json_t *p, *w;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(info, "workers"), i, w) {
		double b = json_number_value(json_object_get(w, "busy_pct"));

		if (i == 0 || b > busy_max) {
			busy_max = b;
			busy_cpu = (unsigned int)json_integer_value(json_object_get(w, "cpu"));
		}
	}
	json_array_foreach(after, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *type = NULL;
		json_int_t a, b;
		json_t *q;
		size_t j;

		if (name == NULL)
			continue;
		b = tx_full_of(before, name);
		a = tx_full_of(after, name);
		if (b < 0 || a <= b)
			continue;
		json_array_foreach(ports, j, q) {
			const char *qn = json_string_value(json_object_get(q, "name"));

			if (qn != NULL && strcmp(qn, name) == 0)
				type = json_string_value(json_object_get(q, "type"));
		}
		if (n++ == 0)
			fputc('\n', out);
		fprintf(out, "hint: %s: tx_full +%" JSON_INTEGER_FORMAT " in %.1f s, ", name, a - b,
			secs);
		fprintf(out, "busiest worker (cpu %u) %.0f%% busy: ", busy_cpu, busy_max);
		if (busy_max >= VSWCTL_BUSY_OVERLOADED)
			fputs("switch overloaded (its workers have no cycles to spare: add worker cpus or "
			      "move ports)\n",
			      out);
		else if (type != NULL && strcmp(type, "vhost-user") == 0)
			fputs("guest not draining its rx ring (the VM is slow or stuck; the switch has "
			      "cycles to spare)\n",
			      out);
		else
			fputs("peer not draining (the device behind the port is slower than the traffic "
			      "to it; the switch has cycles to spare)\n",
			      out);
	}
	return n;
}

int vswctl_print_json(FILE *out, json_t *result)
{
	if (result == NULL)
		return 0; /* the command has no result; nothing to print */
	if (json_dumpf(result, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY) < 0)
		return -EIO;
	fputc('\n', out);
	return 0;
}
