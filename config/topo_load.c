/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML topology file -> struct topo. libyaml's document API builds the node tree (with
 * the line and column of every node); this file walks it against the schema of
 * docs/topology.md, checking each field on its own: types, ranges, spellings, unknown and
 * duplicate keys (libyaml accepts duplicates; we must not). It never stops at the first
 * problem: every error goes into the list, then topo_validate() checks how the parts fit
 * together. Strict about types on purpose: `vlan: "10"` is a string, not a VLAN, as a
 * typo in a switch's configuration costs more than a quote.
 *
 * This parses untrusted bytes (tests/fuzz/fuzz_topology.c): the walk only descends where
 * the schema does, and a visit budget stops alias bombs (libyaml shares aliased nodes, so
 * "a: &x [*y, *y, ...]" expands only as far as we walk).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <pcap/pcap.h>
#include <yaml.h>

#include "topo_internal.h"
#include "vsw_util.h"

#define PATH_SIZE 512
#define VISITS_MAX 1000000	 /* node visits; only aliases can make a walk this long */
#define FILE_SIZE_MAX (16 << 20) /* a topology of 16 MiB is a mistake, not a network */
#define NAME_EXPECT "1..31 characters of A-Z a-z 0-9 _ . -"

struct ld {
	const char *file;
	struct topo_errors *errs;
	yaml_document_t *doc;
	struct topo *t;
	char path[PATH_SIZE];
	size_t plen;
	unsigned long visits;
	bool too_complex;
};

/* ---- paths and errors ---- */

static size_t path_push(struct ld *ld, const char *comp)
{
	size_t old = ld->plen;
	int n = snprintf(ld->path + old, sizeof(ld->path) - old, "%s%s", old ? "." : "", comp);

	if (n > 0)
		ld->plen =
			old + (size_t)n < sizeof(ld->path) ? old + (size_t)n : sizeof(ld->path) - 1;
	return old;
}

static size_t path_push_index(struct ld *ld, size_t i)
{
	size_t old = ld->plen;
	int n = snprintf(ld->path + old, sizeof(ld->path) - old, "[%zu]", i);

	if (n > 0)
		ld->plen =
			old + (size_t)n < sizeof(ld->path) ? old + (size_t)n : sizeof(ld->path) - 1;
	return old;
}

static void path_pop(struct ld *ld, size_t old)
{
	ld->plen = old;
	ld->path[old] = '\0';
}

static struct topo_loc node_loc(const yaml_node_t *n)
{
	struct topo_loc l = {(uint32_t)n->start_mark.line + 1, (uint32_t)n->start_mark.column + 1};

	return l;
}

__attribute__((format(printf, 4, 5))) static int err(struct ld *ld, const yaml_node_t *n,
						     const char *expected, const char *fmt, ...)
{
	struct topo_loc l = node_loc(n);
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	topo_errors_add(ld->errs, ld->file, l.line, l.column, ld->path, expected, "%s", msg);
	return -EINVAL;
}

static yaml_node_t *node_get(struct ld *ld, int idx)
{
	if (++ld->visits > VISITS_MAX) {
		if (!ld->too_complex) {
			ld->too_complex = true;
			topo_errors_add(ld->errs, ld->file, 0, 0, "", NULL,
					"the document expands to more than %d nodes through "
					"aliases (expected a topology without alias bombs)",
					VISITS_MAX);
		}
		return NULL;
	}
	return yaml_document_get_node(ld->doc, idx);
}

/* ---- scalars ---- */

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (!is_plain(n))
		return false;
	s = sval(n);
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* What a node is, for "got X (expected Y)": `a list`, `"abc"`, `nothing`. */
static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		if (is_null(n))
			return "nothing";
		if (n->data.scalar.length > 40)
			snprintf(buf, size, "\"%.37s...\"", sval(n));
		else
			snprintf(buf, size, "\"%s\"", sval(n));
		return buf;
	default:
		return "nothing";
	}
}

static int err_type(struct ld *ld, const yaml_node_t *n, const char *expected)
{
	char buf[64];

	return err(ld, n, expected, "got %s", describe(n, buf, sizeof(buf)));
}

/*
 * An integer: decimal, or 0x hex; plain (unquoted) only. Returns 0, -EINVAL when the text
 * is not an integer, -ERANGE when it is one outside [lo, hi] (negative included).
 */
static int parse_int_text(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	bool neg = false, hex = false;
	uint64_t v = 0;
	int digits = 0;

	if (*s == '-') {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = true;
		s += 2;
	}
	for (; *s != '\0'; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (hex && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (hex && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		/* Saturate instead of wrapping: 99999999999999999999 is out of range. */
		if (v > (UINT64_MAX >> 4))
			v = UINT64_MAX >> 4;
		else
			v = v * (hex ? 16 : 10) + (uint64_t)d;
		digits++;
	}
	if (digits == 0)
		return -EINVAL;
	if (neg && v != 0)
		return -ERANGE;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

static int get_u64(struct ld *ld, const yaml_node_t *n, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char expect[64];
	int rc;

	snprintf(expect, sizeof(expect), "an integer %" PRIu64 "..%" PRIu64, lo, hi);
	if (!is_plain(n) || is_null(n))
		return err_type(ld, n, expect);
	rc = parse_int_text(sval(n), lo, hi, out);
	if (rc == -ERANGE)
		return err(ld, n, expect, "%s is out of range", sval(n));
	if (rc < 0)
		return err_type(ld, n, expect);
	return 0;
}

static int get_u32(struct ld *ld, const yaml_node_t *n, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;
	int rc = get_u64(ld, n, lo, hi, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

static int get_u16(struct ld *ld, const yaml_node_t *n, uint16_t lo, uint16_t hi, uint16_t *out)
{
	uint64_t v;
	int rc = get_u64(ld, n, lo, hi, &v);

	if (rc == 0)
		*out = (uint16_t)v;
	return rc;
}

static int get_bool(struct ld *ld, const yaml_node_t *n, bool *out)
{
	const char *s;

	if (!is_plain(n))
		return err_type(ld, n, "true or false");
	s = sval(n);
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		*out = false;
	else
		return err_type(ld, n, "true or false");
	return 0;
}

/* Any scalar but null is a string: `iface: 123` names interface "123". */
static int get_str(struct ld *ld, const yaml_node_t *n, const char *expected, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return err_type(ld, n, expected);
	if (strlen(sval(n)) != n->data.scalar.length)
		return err(ld, n, expected, "holds a NUL character");
	*out = sval(n);
	return 0;
}

static int get_name(struct ld *ld, const yaml_node_t *n, const char *what, char out[TOPO_NAME_MAX])
{
	char expect[96];
	const char *s = NULL;

	snprintf(expect, sizeof(expect), "a %s name of " NAME_EXPECT, what);
	if (get_str(ld, n, expect, &s) < 0)
		return -EINVAL;
	if (!vsw_name_valid(s)) {
		char buf[64];

		return err(ld, n, NAME_EXPECT, "%s is not a valid %s name",
			   describe(n, buf, sizeof(buf)), what);
	}
	snprintf(out, TOPO_NAME_MAX, "%s", s);
	return 0;
}

static int get_vlan(struct ld *ld, const yaml_node_t *n, uint16_t *out)
{
	return get_u16(ld, n, 1, TOPO_VLAN_MAX, out);
}

/* "a.b.c.d" or an IPv6 address, with "/len" only when allow_prefix. Host bits beyond the
 * prefix are an error: "198.18.0.1/24" is more often a typo than a wish. */
static int get_ip(struct ld *ld, const yaml_node_t *n, bool allow_prefix, struct topo_ip *out)
{
	const char *expect = allow_prefix ? "an IPv4 or IPv6 address, optionally with /prefix"
					  : "an IPv4 or IPv6 address";
	struct topo_ip ip = {0};
	char buf[64], addr[64];
	const char *s = NULL, *slash;
	unsigned int full;
	size_t alen;

	if (get_str(ld, n, expect, &s) < 0)
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(addr))
		return err(ld, n, expect, "%s is not an IP address", describe(n, buf, sizeof(buf)));
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, ip.addr) == 1)
		ip.family = 4;
	else if (inet_pton(AF_INET6, addr, ip.addr) == 1)
		ip.family = 6;
	else
		return err(ld, n, expect, "%s is not an IP address", describe(n, buf, sizeof(buf)));
	full = ip.family == 4 ? 32 : 128;
	ip.prefix = (uint8_t)full;
	if (slash != NULL) {
		uint64_t p = 0;
		char pe[64];

		if (!allow_prefix)
			return err(ld, n, "a host address without /prefix", "%s has a prefix",
				   describe(n, buf, sizeof(buf)));
		snprintf(pe, sizeof(pe), "a prefix length 0..%u", full);
		if (parse_int_text(slash + 1, 0, full, &p) < 0 || slash[1] == '-' ||
		    slash[1] == '+' || (slash[1] == '0' && slash[2] != '\0'))
			return err(ld, n, pe, "%s has a bad prefix", describe(n, buf, sizeof(buf)));
		ip.prefix = (uint8_t)p;
		for (unsigned int bit = ip.prefix; bit < full; bit++) {
			if (ip.addr[bit / 8] & (0x80 >> (bit % 8))) {
				struct topo_ip net = ip;
				char fixed[64];

				for (unsigned int b = ip.prefix; b < full; b++)
					net.addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
				topo_ip_format(&net, true, fixed, sizeof(fixed));
				if (net.prefix == full)
					snprintf(fixed + strlen(fixed),
						 sizeof(fixed) - strlen(fixed), "/%u", full);
				return err(ld, n, fixed, "%s has host bits set beyond /%u",
					   describe(n, buf, sizeof(buf)), ip.prefix);
			}
		}
	}
	*out = ip;
	return 0;
}

/* ---- mappings ---- */

struct key_ref {
	const char *key;
	size_t pos; /* index of the pair, to report the later one */
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Check that n is a mapping with string keys, each once. Returns a malloc'd array with
 * one flag per pair, true for the pairs to use (the first of duplicated keys), or NULL
 * after reporting why (or when the mapping is empty: *npairs is 0 then).
 */
static bool *map_check(struct ld *ld, const yaml_node_t *n, const char *expected, size_t *npairs)
{
	yaml_node_pair_t *start, *p;
	struct key_ref *keys;
	size_t cnt, nk = 0;
	bool *use;

	*npairs = 0;
	if (n->type != YAML_MAPPING_NODE) {
		if (!is_null(n))
			err_type(ld, n, expected);
		return NULL;
	}
	start = n->data.mapping.pairs.start;
	cnt = (size_t)(n->data.mapping.pairs.top - start);
	if (cnt == 0)
		return NULL;
	use = calloc(cnt, sizeof(*use));
	keys = calloc(cnt, sizeof(*keys));
	if (use == NULL || keys == NULL) {
		free(use);
		free(keys);
		topo_errors_add(ld->errs, ld->file, 0, 0, ld->path, NULL, "out of memory");
		return NULL;
	}
	for (p = start; p < start + cnt; p++) {
		yaml_node_t *k = node_get(ld, p->key);

		if (k == NULL) {
			free(keys);
			free(use);
			return NULL;
		}
		if (k->type != YAML_SCALAR_NODE) {
			err(ld, k, "a plain name as key", "got %s as a key",
			    k->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
			continue;
		}
		use[p - start] = true;
		keys[nk].key = sval(k);
		keys[nk].pos = (size_t)(p - start);
		nk++;
	}
	qsort(keys, nk, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < nk; i++) {
		if (strcmp(keys[i].key, keys[i - 1].key) == 0) {
			const yaml_node_t *first, *dup;
			size_t i0 = i - 1, old;
			char at[48];

			while (i0 > 0 && strcmp(keys[i0 - 1].key, keys[i].key) == 0)
				i0--;
			first = yaml_document_get_node(ld->doc, start[keys[i0].pos].key);
			dup = yaml_document_get_node(ld->doc, start[keys[i].pos].key);
			use[keys[i].pos] = false;
			old = path_push(ld, keys[i].key);
			err(ld, dup, "each key once", "duplicate key \"%s\"%s", keys[i].key,
			    topo_errors_at(ld->errs, ", first at ",
					   (uint32_t)first->start_mark.line + 1,
					   (uint32_t)first->start_mark.column + 1, at, sizeof(at)));
			path_pop(ld, old);
		}
	}
	free(keys);
	*npairs = cnt;
	return use;
}

struct field {
	const char *key;
	int (*fn)(struct ld *ld, const yaml_node_t *v, void *obj);
};

/*
 * Walk a mapping of fixed keys: each known key's function runs with the path pushed;
 * unknown keys are errors naming the known ones (unless lenient, when the caller cannot
 * know which keys are right, as for a port of unknown type). Returns the bitmap of the
 * fields present (by index in fields).
 */
static uint32_t map_fields(struct ld *ld, const yaml_node_t *n, const struct field *fields,
			   void *obj, const char *expected, bool lenient)
{
	uint32_t seen = 0;
	size_t cnt;
	bool *use = map_check(ld, n, expected, &cnt);

	if (use == NULL)
		return 0;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
		yaml_node_t *k, *v;
		const char *key;
		size_t f, old;

		if (!use[i])
			continue;
		k = node_get(ld, p->key);
		v = node_get(ld, p->value);
		if (k == NULL || v == NULL)
			break;
		key = sval(k);
		old = path_push(ld, key);
		for (f = 0; fields[f].key != NULL; f++) {
			if (strcmp(fields[f].key, key) == 0)
				break;
		}
		if (fields[f].key != NULL) {
			seen |= 1u << f;
			fields[f].fn(ld, v, obj);
		} else if (!lenient) {
			char known[512];
			size_t len = 0;

			known[0] = '\0';
			for (f = 0; fields[f].key != NULL && len < sizeof(known); f++) {
				int w = snprintf(known + len, sizeof(known) - len, "%s%s",
						 f ? ", " : "one of: ", fields[f].key);

				len += w > 0 ? (size_t)w : 0;
			}
			err(ld, k, known, "unknown key \"%s\"", key);
		}
		path_pop(ld, old);
	}
	free(use);
	return seen;
}

/* A mapping of named objects (ports, bridges): fn runs for each, path pushed. */
static void map_named(struct ld *ld, const yaml_node_t *n, const char *expected,
		      void (*fn)(struct ld *ld, const yaml_node_t *k, const yaml_node_t *v,
				 void *obj),
		      void *obj)
{
	size_t cnt;
	bool *use = map_check(ld, n, expected, &cnt);

	if (use == NULL)
		return;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
		yaml_node_t *k, *v;
		size_t old;

		if (!use[i])
			continue;
		k = node_get(ld, p->key);
		v = node_get(ld, p->value);
		if (k == NULL || v == NULL)
			break;
		old = path_push(ld, sval(k));
		fn(ld, k, v, obj);
		path_pop(ld, old);
	}
	free(use);
}

static size_t map_len(const yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static size_t seq_len(const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* The value of key in mapping n (first occurrence), or NULL. */
static yaml_node_t *map_get(struct ld *ld, const yaml_node_t *n, const char *key,
			    const yaml_node_t **knode)
{
	for (size_t i = 0; i < map_len(n); i++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
		yaml_node_t *k = node_get(ld, p->key);

		if (k == NULL)
			return NULL;
		if (k->type == YAML_SCALAR_NODE && strcmp(sval(k), key) == 0) {
			if (knode != NULL)
				*knode = k;
			return node_get(ld, p->value);
		}
	}
	return NULL;
}

static int missing(struct ld *ld, const yaml_node_t *n, const char *key, const char *expected)
{
	return err(ld, n, expected, "missing \"%s\"", key);
}

static int too_many(struct ld *ld, const yaml_node_t *n, size_t cnt, size_t max, const char *what)
{
	char expect[64];

	snprintf(expect, sizeof(expect), "at most %zu", max);
	return err(ld, n, expect, "%zu %s", cnt, what);
}

/* Room for the cnt items of node v, at most max (what they are, for the message): NULL
 * with *rc 0 when cnt is 0, NULL with the error reported in *rc, or the zeroed array. */
static void *items_alloc(struct ld *ld, const yaml_node_t *v, size_t cnt, size_t max,
			 const char *what, size_t size, int *rc)
{
	void *a;

	*rc = 0;
	if (cnt > max) {
		*rc = too_many(ld, v, cnt, max, what);
		return NULL;
	}
	if (cnt == 0)
		return NULL;
	a = calloc(cnt, size);
	if (a == NULL)
		*rc = err(ld, v, NULL, "out of memory");
	return a;
}

/* A list: true. Nothing (null) stands for an empty one: false; anything else is
 * reported as not the expected list: false. */
static bool is_list(struct ld *ld, const yaml_node_t *v, const char *expected)
{
	if (v->type == YAML_SEQUENCE_NODE)
		return true;
	if (!is_null(v))
		err_type(ld, v, expected);
	return false;
}

/* ---- version ---- */

static int f_version(struct ld *ld, const yaml_node_t *v, void *obj)
{
	uint64_t ver;

	(void)obj;
	if (!is_plain(v) || parse_int_text(sval(v), 0, UINT32_MAX, &ver) < 0)
		return err_type(ld, v, "1");
	ld->t->version = (uint32_t)ver; /* another number stopped load_root already */
	return 0;
}

/* ---- dataplane ---- */

#define DP(ld) (&(ld)->t->dataplane)

static int f_dp_workers(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_dataplane *dp = DP(ld);
	size_t cnt = seq_len(v);

	(void)obj;
	if (v->type == YAML_SCALAR_NODE) {
		if (get_u16(ld, v, 0, 1023, &dp->workers[0]) < 0)
			return -EINVAL;
		dp->n_workers = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return err_type(ld, v, "a list of cpu numbers 0..1023");
	if (cnt == 0)
		return err(ld, v, "at least one cpu number 0..1023", "empty list");
	if (cnt > TOPO_WORKERS_MAX)
		return too_many(ld, v, cnt, TOPO_WORKERS_MAX, "workers");
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i);
		uint16_t cpu;

		if (it != NULL && get_u16(ld, it, 0, 1023, &cpu) == 0) {
			size_t j;

			for (j = 0; j < dp->n_workers && dp->workers[j] != cpu; j++)
				;
			if (j < dp->n_workers)
				err(ld, it, "each cpu once", "cpu %u is listed twice", cpu);
			else
				dp->workers[dp->n_workers++] = cpu;
		}
		path_pop(ld, old);
	}
	return 0;
}

static int f_dp_control_cpu(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_u16(ld, v, 0, 1023, &DP(ld)->control_cpu);
}

static int f_dp_memory(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_u32(ld, v, 64, 1u << 20, &DP(ld)->memory_mb);
}

static int f_dp_mbufs(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_u32(ld, v, 1024, 1u << 26, &DP(ld)->mbufs);
}

static int f_dp_idle(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_u32(ld, v, 0, 1000000, &DP(ld)->idle_sleep_max_us);
}

static int f_dp_huge(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const char *const names[] = {"auto", "on", "off"};
	const char *s = NULL;

	(void)obj;
	if (get_str(ld, v, "auto, on or off", &s) < 0)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			DP(ld)->huge = (enum topo_huge)i;
			return 0;
		}
	}
	return err_type(ld, v, "auto, on or off");
}

static int f_dataplane(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"workers", f_dp_workers},
		{"control_cpu", f_dp_control_cpu},
		{"memory_mb", f_dp_memory},
		{"mbufs", f_dp_mbufs},
		{"idle_sleep_max_us", f_dp_idle},
		{"huge", f_dp_huge},
		{NULL, NULL},
	};

	map_fields(ld, v, fields, obj, "a mapping of dataplane settings", false);
	return 0;
}

/* ---- ports ---- */

static int f_port_type(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)ld, (void)v, (void)obj; /* read before the walk: the other keys depend on it */
	return 0;
}

static int f_port_storm_pps(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 0, 100000000, &((struct topo_port *)obj)->storm_pps);
}

static int f_port_storm_burst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, 1000000, &((struct topo_port *)obj)->storm_burst);
}

static int f_port_max_macs(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 0, 4194304, &((struct topo_port *)obj)->max_macs);
}

/* Mirrors port_opt_string in dataplane/ctl_handlers.c. */
static int opt_string(struct ld *ld, const yaml_node_t *v, const struct topo_opt_spec *o,
		      char out[TOPO_OPT_VAL_MAX])
{
	const char *s = NULL;
	char buf[64];
	size_t len;

	if (get_str(ld, v, o->help, &s) < 0)
		return -EINVAL;
	len = strlen(s);
	if (len == 0)
		return err(ld, v, o->help, "is empty");
	if (o->check == OPT_IFACE && len > 15)
		return err(ld, v, "at most 15 characters", "%s is too long for an interface name",
			   describe(v, buf, sizeof(buf)));
	if (len >= TOPO_OPT_VAL_MAX)
		return err(ld, v, "at most 255 bytes", "is %zu bytes long", len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* ',' and '=' would split the DPDK device arguments this ends up in */
		if (c < 0x20 || c == 0x7f || c == ',' || c == '=')
			return err(ld, v, "no ',', '=' or control characters",
				   "%s holds a character the dataplane cannot pass on",
				   describe(v, buf, sizeof(buf)));
		if (o->check == OPT_IFACE && (c == '/' || c == ' '))
			return err(ld, v, "an interface name without '/' or spaces",
				   "%s is not an interface name", describe(v, buf, sizeof(buf)));
	}
	memcpy(out, s, len + 1);
	return 0;
}

static void port_option(struct ld *ld, struct topo_port *p, const yaml_node_t *v,
			const struct topo_opt_spec *o)
{
	struct topo_port_opt opt = {0};
	uint64_t u;
	size_t i;

	snprintf(opt.key, sizeof(opt.key), "%s", o->key);
	opt.loc = node_loc(v);
	switch (o->check) {
	case OPT_PATH:
	case OPT_IFACE:
		opt.kind = TOPO_OPT_STRING;
		if (opt_string(ld, v, o, opt.str) < 0)
			return;
		if (o->type == TOPO_PORT_TAP && strcmp(opt.str, p->name) == 0)
			return; /* the default: the port's own name */
		break;
	case OPT_MODE:
		opt.kind = TOPO_OPT_STRING;
		if (get_str(ld, v, o->help, &(const char *){NULL}) < 0)
			return;
		if (strcmp(sval(v), "server") != 0 && strcmp(sval(v), "client") != 0)
			return (void)err_type(ld, v, o->help);
		snprintf(opt.str, sizeof(opt.str), "%s", sval(v));
		break;
	case OPT_BOOL:
		opt.kind = TOPO_OPT_BOOL;
		if (get_bool(ld, v, &opt.b) < 0)
			return;
		snprintf(opt.str, sizeof(opt.str), "%s", opt.b ? "true" : "false");
		break;
	case OPT_UINT:
		opt.kind = TOPO_OPT_UINT;
		if (get_u64(ld, v, o->lo, o->hi, &u) < 0)
			return;
		opt.u = (uint32_t)u;
		snprintf(opt.str, sizeof(opt.str), "%u", opt.u);
		break;
	}
	if (o->def != NULL && strcmp(opt.str, o->def) == 0)
		return;
	if (opt.kind != TOPO_OPT_STRING)
		opt.str[0] = '\0';
	if (p->n_opts >= TOPO_PORT_OPT_MAX)
		return; /* cannot happen: no type has more keys than slots */
	/* Insert in key order. */
	for (i = p->n_opts; i > 0 && strcmp(p->opts[i - 1].key, opt.key) > 0; i--)
		p->opts[i] = p->opts[i - 1];
	p->opts[i] = opt;
	p->n_opts++;
}

struct port_walk {
	struct topo_port *p;
	const struct topo_opt_spec *specs[TOPO_PORT_OPT_MAX];
};

static bool port_has_opt(const struct topo_port *p, const char *key)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		if (strcmp(p->opts[i].key, key) == 0)
			return true;
	}
	return false;
}

static const char *type_list(void)
{
	return "one of: pcap, null, ring, af_packet, tap, vhost-user";
}

/* Options only meet their function here: the table is per type, so the field functions
 * are generic and find their spec by the key on the path's tail. */
static int f_port_opt(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_port *p = obj;
	const char *key = strrchr(ld->path, '.');
	const struct topo_opt_spec *o;

	key = key ? key + 1 : ld->path;
	o = topo_opt_spec_find(p->type, key);
	if (o != NULL)
		port_option(ld, p, v, o);
	return 0;
}

static void one_port(struct ld *ld, const yaml_node_t *k, const yaml_node_t *v, void *obj)
{
	struct topo_port *p = &ld->t->ports[ld->t->n_ports];
	struct field fields[4 + TOPO_PORT_OPT_MAX + 1] = {
		{"type", f_port_type},
		{"storm_pps", f_port_storm_pps},
		{"storm_burst", f_port_storm_burst},
		{"max_macs", f_port_max_macs},
	};
	const yaml_node_t *tnode;
	size_t nf = 4;
	bool known = false;
	const char *ts;

	(void)obj;
	memset(p, 0, sizeof(*p));
	p->loc = node_loc(k);
	p->storm_burst = TOPO_DEF_STORM_BURST;
	if (get_name(ld, k, "port", p->name) < 0)
		return;
	if (v->type != YAML_MAPPING_NODE) {
		err_type(ld, v, "a mapping with type: and the type's options");
		return;
	}
	tnode = map_get(ld, v, "type", NULL);
	if (tnode == NULL) {
		missing(ld, k, "type", type_list());
	} else {
		size_t old = path_push(ld, "type");

		/* `type: null` names the null port type, not YAML's null. */
		ts = NULL;
		if (tnode->type == YAML_SCALAR_NODE && tnode->data.scalar.length > 0 &&
		    strcmp(sval(tnode), "~") != 0)
			ts = sval(tnode);
		else
			err_type(ld, tnode, type_list());
		if (ts != NULL) {
			for (int i = 0; i < TOPO_PORT_TYPE_MAX; i++) {
				if (strcmp(ts, topo_port_type_names[i]) == 0) {
					p->type = (enum topo_port_type)i;
					known = true;
				}
			}
			if (!known)
				err(ld, tnode, type_list(), "unknown port type \"%s\"", ts);
		}
		path_pop(ld, old);
	}
	if (known) {
		for (size_t i = 0; i < topo_n_opt_specs; i++) {
			if (topo_opt_specs[i].type == p->type)
				fields[nf++] = (struct field){topo_opt_specs[i].key, f_port_opt};
		}
	}
	fields[nf] = (struct field){NULL, NULL};
	map_fields(ld, v, fields, p, NULL, !known);
	ld->t->n_ports++;
	if (!known)
		return;
	for (size_t i = 0; i < topo_n_opt_specs; i++) {
		const struct topo_opt_spec *o = &topo_opt_specs[i];

		if (o->type == p->type && o->required && map_get(ld, v, o->key, NULL) == NULL)
			missing(ld, k, o->key, o->help);
	}
	if (p->type == TOPO_PORT_PCAP) {
		int rx = port_has_opt(p, "rx_pcap") + port_has_opt(p, "rx_iface") +
			 port_has_opt(p, "rx_iface_in");
		int tx = port_has_opt(p, "tx_pcap") + port_has_opt(p, "tx_iface");

		if (rx > 1)
			err(ld, k, "one of rx_pcap, rx_iface, rx_iface_in",
			    "more than one receive source");
		if (tx > 1)
			err(ld, k, "one of tx_pcap, tx_iface", "more than one transmit target");
		if (port_has_opt(p, "infinite_rx") && !port_has_opt(p, "rx_pcap"))
			err(ld, k, "rx_pcap with infinite_rx", "infinite_rx without rx_pcap");
	}
}

static int f_ports(struct ld *ld, const yaml_node_t *v, void *obj)
{
	size_t cnt = map_len(v);
	int rc;

	(void)obj;
	ld->t->ports = items_alloc(ld, v, cnt, TOPO_PORTS_MAX, "ports", sizeof(*ld->t->ports), &rc);
	if (rc < 0)
		return rc;
	map_named(ld, v, "a mapping of port names to ports", one_port, NULL);
	return 0;
}

/* ---- bridges ---- */

/* Add bm to acc unless they share a VLAN (then report the first one shared). */
static int trunk_merge(struct ld *ld, const yaml_node_t *it, uint8_t acc[TOPO_VLAN_BITMAP_SIZE],
		       const uint8_t bm[TOPO_VLAN_BITMAP_SIZE])
{
	for (size_t b = 0; b < TOPO_VLAN_BITMAP_SIZE; b++) {
		uint8_t both = acc[b] & bm[b];

		if (both != 0)
			return err(ld, it, "each VLAN once", "VLAN %d is listed twice",
				   (int)(b * 8) + __builtin_ctz(both));
	}
	for (size_t b = 0; b < TOPO_VLAN_BITMAP_SIZE; b++)
		acc[b] |= bm[b];
	return 0;
}

/* One trunk item: 10, "20-30" or "10,20-30". */
static int trunk_item(struct ld *ld, const yaml_node_t *it, uint8_t acc[TOPO_VLAN_BITMAP_SIZE])
{
	const char *expect = "VLAN ids 1..4094 or ranges \"lo-hi\"";
	uint8_t bm[TOPO_VLAN_BITMAP_SIZE];
	char msg[128], piece[64];
	const char *s = NULL, *p;

	if (is_plain(it) && !is_null(it) && sval(it)[0] >= '0' && sval(it)[0] <= '9' &&
	    strchr(sval(it), '-') == NULL && strchr(sval(it), ',') == NULL) {
		uint16_t vlan = 0;

		if (get_vlan(ld, it, &vlan) < 0)
			return -EINVAL;
		if (vsw_vlan_bit(acc, vlan))
			return err(ld, it, "each VLAN once", "VLAN %u is listed twice", vlan);
		vsw_vlan_bit_set(acc, vlan);
		return 0;
	}
	if (get_str(ld, it, expect, &s) < 0)
		return -EINVAL;
	/* Piece by piece, so "10,5-15" is caught as listing VLAN 10 twice. */
	for (p = s;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len >= sizeof(piece))
			return err(ld, it, expect, "bad VLAN list item \"%.20s...\"", p);
		memcpy(piece, p, len);
		piece[len] = '\0';
		if (vsw_vlan_list_parse(piece, bm, msg, sizeof(msg)) < 0)
			return err(ld, it, NULL, "\"%s\": %s", piece, msg);
		if (trunk_merge(ld, it, acc, bm) < 0)
			return -EINVAL;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static int f_bp_vlan(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge_port *bp = obj;

	bp->vlan_loc = node_loc(v);
	return get_vlan(ld, v, &bp->vlan);
}

static int f_bp_trunk(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge_port *bp = obj;
	size_t cnt = seq_len(v);

	bp->mode = TOPO_VLAN_TRUNK;
	bp->vlan_loc = node_loc(v);
	if (v->type == YAML_SCALAR_NODE && !is_null(v))
		return trunk_item(ld, v, bp->trunk);
	if (v->type != YAML_SEQUENCE_NODE)
		return err_type(ld, v, "a list of VLAN ids 1..4094 and ranges \"lo-hi\"");
	if (cnt == 0)
		return err(ld, v, "at least one VLAN", "empty trunk list");
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i);

		if (it != NULL)
			trunk_item(ld, it, bp->trunk);
		path_pop(ld, old);
		if (it == NULL)
			break;
	}
	return 0;
}

static int f_bp_native(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_vlan(ld, v, &((struct topo_bridge_port *)obj)->native);
}

static void one_bridge_port(struct ld *ld, const yaml_node_t *k, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"vlan", f_bp_vlan}, {"trunk", f_bp_trunk}, {"native", f_bp_native}, {NULL, NULL}};
	struct topo_bridge *br = obj;
	struct topo_bridge_port *bp = &br->ports[br->n_ports];
	uint32_t seen;

	memset(bp, 0, sizeof(*bp));
	bp->loc = node_loc(k);
	bp->vlan_loc = bp->loc;
	bp->vlan = 1;
	if (get_name(ld, k, "port", bp->port) < 0)
		return;
	seen = map_fields(ld, v, fields, bp,
			  "a mapping with vlan: N, or trunk: [...] and native: N", false);
	br->n_ports++;
	if ((seen & 1) && (seen & 2)) {
		err(ld, k, "vlan: for an access port or trunk: for a trunk port",
		    "both vlan and trunk given");
		bp->mode = TOPO_VLAN_TRUNK;
		bp->vlan = 0;
	} else if ((seen & 4) && !(seen & 2)) {
		err(ld, k, "native only with trunk", "native without trunk");
	}
	if (bp->mode == TOPO_VLAN_TRUNK)
		bp->vlan = 0;
	/* A trunk that lost all its items to errors (already reported) would only echo
	 * them in topo_validate as "allows no VLAN". */
	if (bp->mode == TOPO_VLAN_TRUNK && !(seen & 1)) {
		bool any = false;

		for (size_t b = 0; b < sizeof(bp->trunk) && !any; b++)
			any = bp->trunk[b] != 0;
		if (!any) {
			bp->mode = TOPO_VLAN_ACCESS;
			bp->vlan = 1;
			bp->native = 0;
		}
	}
}

static int f_br_vni(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge *br = obj;

	br->vni_loc = node_loc(v);
	return get_u32(ld, v, 1, TOPO_VNI_MAX, &br->vni);
}

static int f_br_vni_vlan(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge *br = obj;

	if (get_vlan(ld, v, &br->vni_vlan) < 0)
		return -EINVAL;
	br->vni_vlan_loc = node_loc(v); /* only when read: see check_bridge_overlay */
	return 0;
}

static int f_br_remote_max_macs(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 0, 4194304, &((struct topo_bridge *)obj)->remote_max_macs);
}

/* The overlay MTU: the largest inner IP packet; 68 (RFC 791's minimum) up to what a
 * 9216-byte underlay carries. */
static int f_br_mtu(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge *br = obj;

	br->mtu_loc = node_loc(v);
	return get_u32(ld, v, 68, 9216 - TOPO_VXLAN_OVERHEAD, &br->mtu); /* 0 if it fails */
}

static int read_remotes(struct ld *ld, const yaml_node_t *v, struct topo_remote **out, size_t *n);

static int f_br_remotes(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge *br = obj;

	br->has_remotes = true;
	br->remotes_loc = node_loc(v);
	return read_remotes(ld, v, &br->remotes, &br->n_remotes);
}

static int f_br_aging(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, 1000000, &((struct topo_bridge *)obj)->mac_aging_s);
}

static int f_br_max_macs(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, 4194304, &((struct topo_bridge *)obj)->max_macs);
}

/* The dataplane's bridge.c limits, narrower than its socket's. */
static int f_br_move_damp(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 0, 1000, &((struct topo_bridge *)obj)->move_damp);
}

static int f_br_move_damp_s(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, 255, &((struct topo_bridge *)obj)->move_damp_s);
}

static int f_br_ports(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_bridge *br = obj;
	size_t cnt = map_len(v);
	int rc;

	br->ports = items_alloc(ld, v, cnt, TOPO_PORTS_MAX, "ports", sizeof(*br->ports), &rc);
	if (rc < 0)
		return rc;
	map_named(ld, v, "a mapping of port names to their VLAN settings", one_bridge_port, br);
	return 0;
}

static int f_sm_mac(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_static_mac *sm = obj;
	const char *s = NULL;
	char buf[64];

	if (get_str(ld, v, "a MAC address xx:xx:xx:xx:xx:xx", &s) < 0)
		return -EINVAL;
	if (vsw_mac_parse(s, sm->mac) < 0)
		return err(ld, v, "a MAC address xx:xx:xx:xx:xx:xx", "%s is not a MAC address",
			   describe(v, buf, sizeof(buf)));
	if (sm->mac[0] & 1)
		return err(ld, v, "a unicast MAC", "%s is a multicast address",
			   describe(v, buf, sizeof(buf)));
	if (memcmp(sm->mac, "\0\0\0\0\0\0", 6) == 0)
		return err(ld, v, "a unicast MAC", "%s is the zero address",
			   describe(v, buf, sizeof(buf)));
	return 0;
}

static int f_sm_port(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_static_mac *sm = obj;

	sm->port_loc = node_loc(v);
	return get_name(ld, v, "port", sm->port);
}

static int f_sm_vlan(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_vlan(ld, v, &((struct topo_static_mac *)obj)->vlan);
}

static int f_sm_remote(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_static_mac *sm = obj;

	sm->port_loc = node_loc(v);
	return get_ip(ld, v, false, &sm->remote);
}

static int f_br_static_macs(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {{"mac", f_sm_mac},
					      {"port", f_sm_port},
					      {"vlan", f_sm_vlan},
					      {"remote", f_sm_remote},
					      {NULL, NULL}};
	struct topo_bridge *br = obj;
	size_t cnt = seq_len(v);
	int rc;

	if (!is_list(ld, v, "a list of {mac, port, vlan}"))
		return 0;
	br->static_macs =
		items_alloc(ld, v, cnt, 65536, "static MACs", sizeof(*br->static_macs), &rc);
	if (rc < 0)
		return rc;
	/* Every item is kept, so the indexes topo_validate names are the file's; a bad one
	 * loses its port name, which tells topo_validate to leave it alone (its errors are
	 * already reported, and the cross checks would only echo them). */
	for (size_t i = 0; i < cnt; i++) {
		struct topo_static_mac *sm = &br->static_macs[br->n_static_macs];
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i), nerr = ld->errs->n;
		uint32_t seen;

		if (it == NULL)
			break;
		memset(sm, 0, sizeof(*sm));
		sm->vlan = 1;
		sm->loc = node_loc(it);
		seen = map_fields(ld, it, fields, sm, "a mapping {mac, port or remote, vlan}",
				  false);
		if (it->type == YAML_MAPPING_NODE || is_null(it)) {
			if (!(seen & 1))
				missing(ld, it, "mac", "a MAC address xx:xx:xx:xx:xx:xx");
			if (!(seen & 10))
				missing(ld, it, "port",
					"the port the MAC is behind, or remote: the remote VTEP");
			if ((seen & 10) == 10)
				err(ld, it,
				    "port: for a local MAC or remote: for one behind a VTEP",
				    "both port and remote given");
		}
		if (ld->errs->n != nerr || !(seen & 1) || !(seen & 10)) {
			sm->port[0] = '\0';
			sm->remote.family = 0;
		}
		br->n_static_macs++;
		path_pop(ld, old);
	}
	return 0;
}

/* ---- a bridge's recording ---- */

#define REC(obj) (&((struct topo_bridge *)(obj))->record)

static int f_rec_file(struct ld *ld, const yaml_node_t *v, void *obj)
{
	const char *expect = "an absolute path of at most 1023 bytes, e.g. /var/lib/vsw/br0.pcapng";
	const char *s = NULL;
	char buf[64];
	size_t len;

	REC(obj)->file_loc = node_loc(v);
	if (get_str(ld, v, expect, &s) < 0)
		return -EINVAL;
	len = strlen(s);
	if (s[0] != '/')
		return err(ld, v, expect, "%s is not an absolute path",
			   describe(v, buf, sizeof(buf)));
	if (len >= TOPO_RECORD_PATH_MAX)
		return err(ld, v, expect, "is %zu bytes long", len);
	if (s[len - 1] == '/')
		return err(ld, v, "a file name, not a directory", "%s ends with '/'",
			   describe(v, buf, sizeof(buf)));
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err(ld, v, "a path without control characters",
				   "%s holds a control character", describe(v, buf, sizeof(buf)));
	memcpy(REC(obj)->file, s, len + 1);
	return 0;
}

static int f_rec_max_size(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 0, TOPO_RECORD_SIZE_KB_MAX, &REC(obj)->max_size_kb);
}

static int f_rec_max_files(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, TOPO_RECORD_FILES_MAX, &REC(obj)->max_files);
}

static int f_rec_snaplen(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u32(ld, v, 1, TOPO_RECORD_SNAPLEN_MAX, &REC(obj)->snaplen);
}

static int f_rec_format(struct ld *ld, const yaml_node_t *v, void *obj)
{
	const char *s = NULL;

	if (get_str(ld, v, "pcapng or pcap", &s) < 0)
		return -EINVAL;
	if (strcmp(s, "pcapng") == 0)
		REC(obj)->format = TOPO_REC_PCAPNG;
	else if (strcmp(s, "pcap") == 0)
		REC(obj)->format = TOPO_REC_PCAP;
	else
		return err_type(ld, v, "pcapng or pcap");
	return 0;
}

/*
 * The filter is compiled here as the dataplane will compile it (libpcap, Ethernet link
 * type, on a handle that captures nothing), so `vswctl check` names a typo with
 * libpcap's own words and a line and column, instead of an apply failing halfway.
 */
static int f_rec_filter(struct ld *ld, const yaml_node_t *v, void *obj)
{
	const char *expect = "a libpcap filter, e.g. \"not arp\" or \"udp port 4789\"";
	struct bpf_program prog;
	const char *s = NULL;
	pcap_t *dead;
	size_t len;
	int rc = 0;

	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 && !is_plain(v)) {
		REC(obj)->filter[0] = '\0'; /* filter: "" means every frame */
		return 0;
	}
	if (get_str(ld, v, expect, &s) < 0)
		return -EINVAL;
	len = strlen(s);
	if (len >= TOPO_RECORD_FILTER_MAX)
		return err(ld, v, "a filter of at most 1023 bytes", "is %zu bytes long", len);
	dead = pcap_open_dead(DLT_EN10MB, TOPO_RECORD_SNAPLEN_MAX);
	if (dead == NULL)
		return err(ld, v, NULL, "out of memory compiling the filter");
	if (pcap_compile(dead, &prog, s, 1, PCAP_NETMASK_UNKNOWN) < 0)
		rc = err(ld, v, expect, "libpcap: %s", pcap_geterr(dead));
	else
		pcap_freecode(&prog);
	pcap_close(dead);
	if (rc == 0)
		memcpy(REC(obj)->filter, s, len + 1);
	return rc;
}

static int f_br_record(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"file", f_rec_file},
		{"max_size_kb", f_rec_max_size},
		{"max_files", f_rec_max_files},
		{"filter", f_rec_filter},
		{"snaplen", f_rec_snaplen},
		{"format", f_rec_format},
		{NULL, NULL},
	};
	struct topo_record *r = REC(obj);
	size_t nerr = ld->errs->n;
	uint32_t seen;

	memset(r, 0, sizeof(*r));
	r->loc = node_loc(v);
	r->max_files = TOPO_DEF_REC_MAX_FILES;
	r->snaplen = TOPO_DEF_REC_SNAPLEN;
	seen = map_fields(ld, v, fields, obj,
			  "a mapping {file, max_size_kb, max_files, filter, snaplen, format}",
			  false);
	if (v->type != YAML_MAPPING_NODE && !is_null(v))
		return 0; /* reported */
	if (!(seen & 1))
		missing(ld, v, "file", "the absolute path of the file to write");
	for (size_t i = nerr; i < ld->errs->n; i++) {
		const char *ep = ld->errs->v[i].path, *dot = ep ? strrchr(ep, '.') : NULL;

		/* a bad max_size_kb or max_files is said once, not again as a pair */
		if (dot != NULL &&
		    (strcmp(dot, ".max_files") == 0 || strcmp(dot, ".max_size_kb") == 0))
			seen &= ~4u;
	}
	if ((seen & 4) && r->max_size_kb == 0) {
		const yaml_node_t *mf = map_get(ld, v, "max_files", NULL);
		size_t old = path_push(ld, "max_files");

		if (mf != NULL)
			err(ld, mf, "max_size_kb: N to rotate, or no max_files",
			    "max_files without rotation (max_size_kb %s: one file, never rotated)",
			    (seen & 2) ? "is 0" : "is not given");
		path_pop(ld, old);
	}
	/* a broken block is not half kept: its errors are said, the validator skips it */
	r->present = ld->errs->n == nerr;
	return 0;
}

static void one_bridge(struct ld *ld, const yaml_node_t *k, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"vni", f_br_vni},
		{"vni_vlan", f_br_vni_vlan},
		{"remote_max_macs", f_br_remote_max_macs},
		{"mtu", f_br_mtu},
		{"remotes", f_br_remotes},
		{"mac_aging_s", f_br_aging},
		{"max_macs", f_br_max_macs},
		{"move_damp", f_br_move_damp},
		{"move_damp_s", f_br_move_damp_s},
		{"ports", f_br_ports},
		{"static_macs", f_br_static_macs},
		{"record", f_br_record},
		{NULL, NULL},
	};
	struct topo_bridge *br = &ld->t->bridges[ld->t->n_bridges];

	(void)obj;
	memset(br, 0, sizeof(*br));
	br->loc = node_loc(k);
	br->mac_aging_s = TOPO_DEF_MAC_AGING_S;
	br->max_macs = TOPO_DEF_MAX_MACS;
	br->move_damp = TOPO_DEF_MOVE_DAMP;
	br->move_damp_s = TOPO_DEF_MOVE_DAMP_S;
	if (get_name(ld, k, "bridge", br->name) < 0)
		return;
	ld->t->n_bridges++;
	map_fields(ld, v, fields, br, "a mapping of bridge settings", false);
}

static int f_bridges(struct ld *ld, const yaml_node_t *v, void *obj)
{
	size_t cnt = map_len(v);
	int rc;

	(void)obj;
	ld->t->bridges =
		items_alloc(ld, v, cnt, TOPO_BRIDGES_MAX, "bridges", sizeof(*ld->t->bridges), &rc);
	if (rc < 0)
		return rc;
	map_named(ld, v, "a mapping of bridge names to bridges", one_bridge, NULL);
	return 0;
}

/* ---- overlay ---- */

#define OV(ld) (&(ld)->t->overlay)

static int f_vtep_ip(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	OV(ld)->local_ip_loc = node_loc(v);
	return get_ip(ld, v, false, &OV(ld)->local_ip);
}

static int f_vtep_port(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	OV(ld)->port_loc = node_loc(v);
	return get_name(ld, v, "port", OV(ld)->port);
}

static int f_vtep_udp(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_u16(ld, v, 1, 65535, &OV(ld)->udp_port);
}

static int f_vtep_name(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return get_name(ld, v, "VTEP", OV(ld)->name);
}

static int f_vtep_prefix(struct ld *ld, const yaml_node_t *v, void *obj)
{
	uint16_t p = 0;

	(void)obj;
	OV(ld)->prefix_loc = node_loc(v);
	if (get_u16(ld, v, 1, 128, &p) < 0) {
		OV(ld)->prefix_len = 0; /* unknown: no gateway check against a default */
		return -EINVAL;
	}
	OV(ld)->prefix_len = (uint8_t)p;
	return 0;
}

static int f_vtep_gateway(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	OV(ld)->gateway_loc = node_loc(v);
	return get_ip(ld, v, false, &OV(ld)->gateway);
}

/* The dataplane's vtep-add bounds (576: the least an IPv4 host must take); IPv6's 1280 is
 * topo_validate's, as the family may come after the mtu in the file. */
static int f_vtep_mtu(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	OV(ld)->mtu_loc = node_loc(v);
	return get_u16(ld, v, TOPO_MIN_UNDERLAY_MTU, TOPO_MAX_UNDERLAY_MTU, &OV(ld)->mtu);
}

static int f_vtep_ttl(struct ld *ld, const yaml_node_t *v, void *obj)
{
	uint16_t ttl = 0;

	(void)obj;
	if (get_u16(ld, v, 1, 255, &ttl) < 0)
		return -EINVAL;
	OV(ld)->ttl = (uint8_t)ttl;
	return 0;
}

static int f_ov_vtep(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"local_ip", f_vtep_ip}, {"port", f_vtep_port},		{"udp_port", f_vtep_udp},
		{"name", f_vtep_name},	 {"prefix_len", f_vtep_prefix}, {"gateway", f_vtep_gateway},
		{"mtu", f_vtep_mtu},	 {"ttl", f_vtep_ttl},		{NULL, NULL}};
	uint32_t seen = map_fields(ld, v, fields, obj,
				   "a mapping {local_ip, port, udp_port, name, prefix_len, "
				   "gateway, mtu, ttl}",
				   false);

	if (v->type == YAML_MAPPING_NODE || is_null(v)) {
		if (!(seen & 1))
			missing(ld, v, "local_ip", "the VTEP's own IP address");
		if (!(seen & 2))
			missing(ld, v, "port", "the underlay port's name");
	}
	/* the default subnet is the family's, as the dataplane's vtep-add has it */
	if (!(seen & 16))
		OV(ld)->prefix_len = topo_overlay_default_prefix(OV(ld));
	return 0;
}

/* A list of remote VTEP addresses (overlay.remotes, or a bridge's own). */
static int read_remotes(struct ld *ld, const yaml_node_t *v, struct topo_remote **out, size_t *n)
{
	size_t cnt = seq_len(v);
	struct topo_remote *a;
	int rc;

	if (!is_list(ld, v, "a list of remote VTEP addresses"))
		return 0;
	a = items_alloc(ld, v, cnt, TOPO_REMOTES_MAX, "remotes", sizeof(*a), &rc);
	if (rc < 0)
		return rc;
	*out = a;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i);

		if (it == NULL)
			break;
		a[*n].loc = node_loc(it);
		/* a bad one is kept with family 0: see f_br_static_macs */
		get_ip(ld, it, false, &a[*n].ip);
		(*n)++;
		path_pop(ld, old);
	}
	return 0;
}

static int f_ov_remotes(struct ld *ld, const yaml_node_t *v, void *obj)
{
	(void)obj;
	return read_remotes(ld, v, &OV(ld)->remotes, &OV(ld)->n_remotes);
}

static int f_nb_ip(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_ip(ld, v, false, &((struct topo_neigh *)obj)->ip);
}

static int f_nb_mac(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_static_mac sm = {0};
	int rc = f_sm_mac(ld, v, &sm); /* the same rules: unicast, not zero */

	memcpy(((struct topo_neigh *)obj)->mac, sm.mac, 6);
	return rc;
}

static int f_ov_neighbours(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {{"ip", f_nb_ip}, {"mac", f_nb_mac}, {NULL, NULL}};
	struct topo_overlay *ov = OV(ld);
	size_t cnt = seq_len(v);
	int rc;

	(void)obj;
	if (!is_list(ld, v, "a list of {ip, mac}"))
		return 0;
	ov->neighbours = items_alloc(ld, v, cnt, 64, "neighbours", sizeof(*ov->neighbours), &rc);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < cnt; i++) {
		struct topo_neigh *nb = &ov->neighbours[ov->n_neighbours];
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i), nerr = ld->errs->n;
		uint32_t seen;

		if (it == NULL)
			break;
		memset(nb, 0, sizeof(*nb));
		nb->loc = node_loc(it);
		seen = map_fields(ld, it, fields, nb, "a mapping {ip, mac}", false);
		if (it->type == YAML_MAPPING_NODE || is_null(it)) {
			if (!(seen & 1))
				missing(ld, it, "ip", "the next hop's underlay address");
			if (!(seen & 2))
				missing(ld, it, "mac", "the next hop's MAC address");
		}
		if (ld->errs->n != nerr || (seen & 3) != 3)
			nb->ip.family = 0; /* see f_br_static_macs */
		ov->n_neighbours++;
		path_pop(ld, old);
	}
	return 0;
}

static int f_overlay(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {{"vtep", f_ov_vtep},
					      {"remotes", f_ov_remotes},
					      {"neighbours", f_ov_neighbours},
					      {NULL, NULL}};
	uint32_t seen;

	(void)obj;
	OV(ld)->present = true;
	OV(ld)->loc = node_loc(v);
	seen = map_fields(ld, v, fields, NULL, "a mapping {vtep, remotes, neighbours}", false);
	if (!(seen & 1))
		missing(ld, v, "vtep", "vtep: {local_ip, port}");
	return 0;
}

/* ---- flows ---- */

struct flow_walk {
	struct topo_flow *f;
	uint8_t l4_src_proto, l4_dst_proto; /* the protocol tcp_src/udp_dst... demand */
	const yaml_node_t *l4_src_node, *l4_dst_node;
};

static int f_flow_name(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_name(ld, v, "flow", ((struct flow_walk *)obj)->f->name);
}

static int f_flow_bridge(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_flow *f = ((struct flow_walk *)obj)->f;

	f->bridge_loc = node_loc(v);
	return get_name(ld, v, "bridge", f->bridge);
}

static int f_flow_priority(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return get_u16(ld, v, 0, 65535, &((struct flow_walk *)obj)->f->priority);
}

static int m_set(struct ld *ld, const yaml_node_t *v, struct topo_match *m, enum topo_match_field f)
{
	(void)ld;
	m->fields |= TOPO_M_BIT(f);
	m->loc[f] = node_loc(v);
	return 0;
}

#define MATCH(obj) (&((struct flow_walk *)(obj))->f->match)

static int f_m_in_port(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_name(ld, v, "port", MATCH(obj)->in_port) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_IN_PORT);
}

static int f_m_vlan(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_vlan(ld, v, &MATCH(obj)->vlan) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_VLAN);
}

static int get_mac_masked(struct ld *ld, const yaml_node_t *v, uint8_t mac[6], uint8_t mask[6])
{
	const char *expect =
		"a MAC address, optionally with /mask (xx:xx:xx:xx:xx:xx/ff:ff:ff:00:00:00)";
	char buf[64], a[18];
	const char *s = NULL, *slash;

	if (get_str(ld, v, expect, &s) < 0)
		return -EINVAL;
	slash = strchr(s, '/');
	memset(mask, 0xff, 6);
	if ((slash ? (size_t)(slash - s) : strlen(s)) != 17)
		return err(ld, v, expect, "%s is not a MAC address", describe(v, buf, sizeof(buf)));
	memcpy(a, s, 17);
	a[17] = '\0';
	if (vsw_mac_parse(a, mac) < 0 || (slash != NULL && vsw_mac_parse(slash + 1, mask) < 0))
		return err(ld, v, expect, "%s is not a MAC address", describe(v, buf, sizeof(buf)));
	for (int i = 0; i < 6; i++) {
		if (mac[i] & ~mask[i])
			return err(ld, v, "no bits outside the mask",
				   "%s has bits set outside its mask",
				   describe(v, buf, sizeof(buf)));
	}
	return 0;
}

static int f_m_eth_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_mac_masked(ld, v, MATCH(obj)->eth_src, MATCH(obj)->eth_src_mask) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_ETH_SRC);
}

static int f_m_eth_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_mac_masked(ld, v, MATCH(obj)->eth_dst, MATCH(obj)->eth_dst_mask) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_ETH_DST);
}

struct named_num {
	const char *name;
	uint32_t v;
};

/* A number in [lo, hi] or one of the names. */
static int get_named(struct ld *ld, const yaml_node_t *v, const struct named_num *names,
		     uint32_t lo, uint32_t hi, const char *expect, uint32_t *out)
{
	uint64_t x;
	int rc;

	if (is_plain(v) && sval(v)[0] >= '0' && sval(v)[0] <= '9') {
		rc = parse_int_text(sval(v), lo, hi, &x);
		if (rc == -ERANGE)
			return err(ld, v, expect, "%s is out of range", sval(v));
		if (rc == 0) {
			*out = (uint32_t)x;
			return 0;
		}
	}
	if (v->type == YAML_SCALAR_NODE) {
		for (; names->name != NULL; names++) {
			if (strcmp(sval(v), names->name) == 0) {
				*out = names->v;
				return 0;
			}
		}
	}
	return err_type(ld, v, expect);
}

static int f_m_eth_type(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct named_num names[] = {{"ipv4", TOPO_ETH_IPV4},
						 {"ipv6", TOPO_ETH_IPV6},
						 {"arp", TOPO_ETH_ARP},
						 {"vlan", TOPO_ETH_VLAN},
						 {NULL, 0}};
	uint32_t x = 0;

	if (get_named(ld, v, names, 0x600, 0xffff,
		      "ipv4, ipv6, arp, vlan or a number 0x0600..0xffff", &x) < 0)
		return -EINVAL;
	MATCH(obj)->eth_type = (uint16_t)x;
	return m_set(ld, v, MATCH(obj), TOPO_M_ETH_TYPE);
}

static int f_m_ip_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_ip(ld, v, true, &MATCH(obj)->ip_src) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_IP_SRC);
}

static int f_m_ip_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_ip(ld, v, true, &MATCH(obj)->ip_dst) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_IP_DST);
}

static int f_m_ip_proto(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct named_num names[] = {
		{"tcp", TOPO_IPPROTO_TCP},   {"udp", TOPO_IPPROTO_UDP},
		{"icmp", TOPO_IPPROTO_ICMP}, {"icmpv6", TOPO_IPPROTO_ICMPV6},
		{"sctp", TOPO_IPPROTO_SCTP}, {NULL, 0}};
	uint32_t x = 0;

	if (get_named(ld, v, names, 0, 255, "tcp, udp, icmp, icmpv6, sctp or a number 0..255", &x) <
	    0)
		return -EINVAL;
	MATCH(obj)->ip_proto = (uint8_t)x;
	return m_set(ld, v, MATCH(obj), TOPO_M_IP_PROTO);
}

/* l4_src, tcp_src, udp_src, sctp_src all set one field; the named ones also demand their
 * protocol, checked once the whole match is read. */
static int l4_port(struct ld *ld, const yaml_node_t *v, void *obj, bool dst, uint8_t proto)
{
	struct flow_walk *fw = obj;
	struct topo_match *m = MATCH(obj);
	enum topo_match_field f = dst ? TOPO_M_L4_DST : TOPO_M_L4_SRC;
	const char *key = strrchr(ld->path, '.') + 1;
	uint16_t port = 0;
	char at[48];

	if (m->fields & TOPO_M_BIT(f))
		return err(ld, v, "one of l4, tcp, udp or sctp ports per direction",
			   "%s repeats the %s port already matched%s", key,
			   dst ? "destination" : "source",
			   topo_errors_at(ld->errs, " at ", m->loc[f].line, 0, at, sizeof(at)));
	if (get_u16(ld, v, 0, 65535, &port) < 0)
		return -EINVAL;
	if (dst) {
		m->l4_dst = port;
		fw->l4_dst_proto = proto;
		fw->l4_dst_node = v;
	} else {
		m->l4_src = port;
		fw->l4_src_proto = proto;
		fw->l4_src_node = v;
	}
	return m_set(ld, v, m, f);
}

static int f_m_l4_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, false, 0);
}
static int f_m_l4_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, true, 0);
}
static int f_m_tcp_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, false, TOPO_IPPROTO_TCP);
}
static int f_m_tcp_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, true, TOPO_IPPROTO_TCP);
}
static int f_m_udp_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, false, TOPO_IPPROTO_UDP);
}
static int f_m_udp_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, true, TOPO_IPPROTO_UDP);
}
static int f_m_sctp_src(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, false, TOPO_IPPROTO_SCTP);
}
static int f_m_sctp_dst(struct ld *ld, const yaml_node_t *v, void *obj)
{
	return l4_port(ld, v, obj, true, TOPO_IPPROTO_SCTP);
}

static int f_m_vni(struct ld *ld, const yaml_node_t *v, void *obj)
{
	if (get_u32(ld, v, 1, TOPO_VNI_MAX, &MATCH(obj)->vni) < 0)
		return -EINVAL;
	return m_set(ld, v, MATCH(obj), TOPO_M_VNI);
}

static int f_flow_match(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"in_port", f_m_in_port},   {"vlan", f_m_vlan},		{"eth_src", f_m_eth_src},
		{"eth_dst", f_m_eth_dst},   {"eth_type", f_m_eth_type}, {"ip_src", f_m_ip_src},
		{"ip_dst", f_m_ip_dst},	    {"ip_proto", f_m_ip_proto}, {"l4_src", f_m_l4_src},
		{"l4_dst", f_m_l4_dst},	    {"tcp_src", f_m_tcp_src},	{"tcp_dst", f_m_tcp_dst},
		{"udp_src", f_m_udp_src},   {"udp_dst", f_m_udp_dst},	{"sctp_src", f_m_sctp_src},
		{"sctp_dst", f_m_sctp_dst}, {"vni", f_m_vni},		{NULL, NULL},
	};
	struct flow_walk *fw = obj;
	struct topo_match *m = &fw->f->match;
	static const char *const pnames[256] = {[TOPO_IPPROTO_TCP] = "tcp",
						[TOPO_IPPROTO_UDP] = "udp",
						[TOPO_IPPROTO_SCTP] = "sctp"};

	map_fields(ld, v, fields, obj, "a mapping of match fields", false);
	/* tcp_dst: 80 with ip_proto: udp matches nothing: say so here, where the spelling
	 * is still known. The generic prerequisites are topo_validate's. */
	for (int dst = 0; dst < 2; dst++) {
		uint8_t want = dst ? fw->l4_dst_proto : fw->l4_src_proto;
		const yaml_node_t *n = dst ? fw->l4_dst_node : fw->l4_src_node;
		char expect[64], key[16];
		size_t old;

		if (want == 0 || !(m->fields & TOPO_M_BIT(TOPO_M_IP_PROTO)) || m->ip_proto == want)
			continue;
		snprintf(key, sizeof(key), "%s_%s", pnames[want], dst ? "dst" : "src");
		snprintf(expect, sizeof(expect), "ip_proto: %s, or l4_%s", pnames[want],
			 dst ? "dst" : "src");
		old = path_push(ld, key);
		err(ld, n, expect, "%s with ip_proto %u matches nothing", key, m->ip_proto);
		path_pop(ld, old);
	}
	return 0;
}

static const char *action_list(void)
{
	return "drop, output:PORT, flood, normal, push_vlan:VLAN, pop_vlan, set_vlan:VLAN, "
	       "mirror:PORT or count";
}

/* "verb", "verb:arg" or {verb: arg}. */
static void one_action(struct ld *ld, const yaml_node_t *it, struct topo_action *a, bool *ok)
{
	const yaml_node_t *argn = NULL;
	char verb[32], buf[64];
	const char *s, *arg = NULL;
	size_t vlen;
	int t;

	*ok = false;
	memset(a, 0, sizeof(*a));
	a->loc = node_loc(it);
	if (it->type == YAML_MAPPING_NODE && map_len(it) == 1) {
		yaml_node_pair_t *p = it->data.mapping.pairs.start;
		const yaml_node_t *k = node_get(ld, p->key);

		argn = node_get(ld, p->value);
		if (k == NULL || argn == NULL)
			return;
		if (k->type != YAML_SCALAR_NODE || argn->type != YAML_SCALAR_NODE ||
		    is_null(argn)) {
			err_type(ld, it, action_list());
			return;
		}
		s = sval(k);
		arg = sval(argn);
		vlen = strlen(s);
	} else {
		if (it->type != YAML_SCALAR_NODE || is_null(it)) {
			err_type(ld, it, action_list());
			return;
		}
		s = sval(it);
		arg = strchr(s, ':');
		vlen = arg ? (size_t)(arg - s) : strlen(s);
		if (arg != NULL)
			arg++;
	}
	if (vlen >= sizeof(verb)) {
		err(ld, it, action_list(), "unknown action %s", describe(it, buf, sizeof(buf)));
		return;
	}
	memcpy(verb, s, vlen);
	verb[vlen] = '\0';
	for (t = 0; t < TOPO_ACT_MAX; t++) {
		if (strcmp(verb, topo_action_names[t]) == 0)
			break;
	}
	if (t == TOPO_ACT_MAX) {
		err(ld, it, action_list(), "unknown action \"%s\"", verb);
		return;
	}
	a->type = (enum topo_action_type)t;
	switch (a->type) {
	case TOPO_ACT_OUTPUT:
	case TOPO_ACT_MIRROR:
		if (arg == NULL || *arg == '\0' || !vsw_name_valid(arg)) {
			err(ld, it, NULL, "%s needs a port name (expected %s:PORT)", verb, verb);
			return;
		}
		snprintf(a->port, sizeof(a->port), "%s", arg);
		break;
	case TOPO_ACT_PUSH_VLAN:
	case TOPO_ACT_SET_VLAN: {
		uint64_t v;

		if (arg == NULL || (argn != NULL && !is_plain(argn)) ||
		    parse_int_text(arg, 1, TOPO_VLAN_MAX, &v) < 0) {
			err(ld, it, NULL, "%s needs a VLAN id (expected %s:N with N in 1..4094)",
			    verb, verb);
			return;
		}
		a->vlan = (uint16_t)v;
		break;
	}
	default:
		if (arg != NULL) {
			err(ld, it, NULL, "%s takes no argument (expected \"%s\" alone)", verb,
			    verb);
			return;
		}
	}
	*ok = true;
}

static int f_flow_actions(struct ld *ld, const yaml_node_t *v, void *obj)
{
	struct topo_flow *f = ((struct flow_walk *)obj)->f;
	size_t cnt = seq_len(v);
	bool kept = true;

	if (v->type == YAML_SCALAR_NODE && !is_null(v))
		cnt = 1; /* actions: drop */
	else if (v->type != YAML_SEQUENCE_NODE)
		return err_type(ld, v, "a list of actions");
	if (cnt == 0)
		return err(ld, v, "at least one action, e.g. [drop] or [normal]", "empty list");
	if (cnt > TOPO_ACTIONS_MAX)
		return too_many(ld, v, cnt, TOPO_ACTIONS_MAX, "actions");
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *it = v->type == YAML_SCALAR_NODE
						? v
						: node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i);
		bool ok;

		if (it == NULL)
			break;
		one_action(ld, it, &f->actions[f->n_actions], &ok);
		kept &= ok; /* only the actions before the first bad one: indexes stay right */
		if (kept)
			f->n_actions++;
		path_pop(ld, old);
	}
	return 0;
}

static int f_flows(struct ld *ld, const yaml_node_t *v, void *obj)
{
	static const struct field fields[] = {
		{"name", f_flow_name},	 {"bridge", f_flow_bridge},   {"priority", f_flow_priority},
		{"match", f_flow_match}, {"actions", f_flow_actions}, {NULL, NULL},
	};
	size_t cnt = seq_len(v);
	int rc;

	(void)obj;
	if (!is_list(ld, v, "a list of flows"))
		return 0;
	ld->t->flows = items_alloc(ld, v, cnt, TOPO_FLOWS_MAX, "flows", sizeof(*ld->t->flows), &rc);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < cnt; i++) {
		struct flow_walk fw = {.f = &ld->t->flows[ld->t->n_flows]};
		yaml_node_t *it = node_get(ld, v->data.sequence.items.start[i]);
		size_t old = path_push_index(ld, i);
		uint32_t seen;

		if (it == NULL)
			break;
		size_t nerr = ld->errs->n;

		memset(fw.f, 0, sizeof(*fw.f));
		fw.f->priority = TOPO_DEF_PRIORITY;
		fw.f->loc = node_loc(it);
		seen = map_fields(ld, it, fields, &fw,
				  "a mapping {bridge, priority, match, actions}", false);
		if (it->type == YAML_MAPPING_NODE || is_null(it)) {
			if (!(seen & 2))
				missing(ld, it, "bridge", "the name of the flow's bridge");
			if (!(seen & 16))
				missing(ld, it, "actions", "a list of actions, e.g. [drop]");
		}
		/* As for static MACs: a bad flow keeps its index but loses its bridge, which
		 * tells topo_validate to leave it alone. */
		if (ld->errs->n != nerr)
			fw.f->bridge[0] = '\0';
		ld->t->n_flows++;
		path_pop(ld, old);
	}
	return 0;
}

/* ---- the document ---- */

static void load_root(struct ld *ld, const yaml_node_t *root)
{
	static const struct field fields[] = {
		{"version", f_version}, {"dataplane", f_dataplane}, {"ports", f_ports},
		{"bridges", f_bridges}, {"overlay", f_overlay},	    {"flows", f_flows},
		{NULL, NULL},
	};
	const yaml_node_t *vk = NULL, *vn;
	uint64_t ver;

	if (root->type != YAML_MAPPING_NODE) {
		err_type(ld, root, "a mapping with version: 1, ports, bridges, overlay, flows");
		return;
	}
	/* Another version's schema is not ours: its other errors would only be noise. */
	vn = map_get(ld, root, "version", &vk);
	if (vn == NULL) {
		missing(ld, root, "version", "version: 1");
	} else if (is_plain(vn) && parse_int_text(sval(vn), 0, UINT32_MAX, &ver) == 0 &&
		   ver != TOPO_VERSION) {
		size_t old = path_push(ld, "version");

		err(ld, vn, "1", "%" PRIu64 " is not supported by this vsw", ver);
		path_pop(ld, old);
		return;
	}
	map_fields(ld, root, fields, NULL, NULL, false);
}

static void syntax_error(struct ld *ld, const yaml_parser_t *p)
{
	const char *what = p->error == YAML_MEMORY_ERROR ? "out of memory"
			   : p->problem			 ? p->problem
							 : "syntax error";
	const yaml_mark_t *m = &p->problem_mark;
	char ctx[128] = "";

	if (p->context != NULL)
		snprintf(ctx, sizeof(ctx), " (%s at line %lu, column %lu)", p->context,
			 (unsigned long)p->context_mark.line + 1,
			 (unsigned long)p->context_mark.column + 1);
	topo_errors_add(ld->errs, ld->file, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "",
			NULL, "YAML syntax: %s%s", what, ctx);
}

struct topo *topo_load_buf(const char *name, const char *buf, size_t len, struct topo_errors *errs)
{
	struct ld ld = {.file = name, .errs = errs};
	size_t nerr0 = errs->n;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	struct topo *t;

	t = topo_new();
	if (t == NULL) {
		topo_errors_add(errs, name, 0, 0, "", NULL, "out of memory");
		return NULL;
	}
	t->version = 0;
	ld.t = t;
	if (!yaml_parser_initialize(&parser)) {
		topo_errors_add(errs, name, 0, 0, "", NULL, "out of memory");
		goto out_free_topo;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(&ld, &parser);
		goto out_parser;
	}
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		topo_errors_add(errs, name, 1, 1, "", "a mapping with version: 1",
				"the file is empty");
		goto out_doc;
	}
	load_root(&ld, root);
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		syntax_error(&ld, &parser);
	} else {
		yaml_node_t *r2 = yaml_document_get_root_node(&extra);

		if (r2 != NULL)
			topo_errors_add(errs, name, (uint32_t)extra.start_mark.line + 1,
					(uint32_t)extra.start_mark.column + 1, "",
					"one document per file", "a second YAML document");
		yaml_document_delete(&extra);
	}
	if (t->version == 0)
		t->version = TOPO_VERSION;
	/* Cross checks run even after field errors, so one pass shows everything; objects
	 * whose name was unreadable were left out, so they cannot cause echoes. */
	if (!errs->truncated)
		topo_validate(t, name, errs);
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
out_free_topo:
	if (errs->n != nerr0 || errs->truncated || errs->oom) {
		topo_errors_sort(errs);
		topo_free(t);
		return NULL;
	}
	return t;
}

struct topo *topo_load_file(const char *path, struct topo_errors *errs)
{
	struct topo *t = NULL;
	struct stat st;
	size_t got = 0;
	char *buf;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		topo_errors_add(errs, path, 0, 0, "", NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_SIZE_MAX) {
		topo_errors_add(
			errs, path, 0, 0, "", "a regular file of at most 16 MiB", "cannot read: %s",
			S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file or too big");
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		topo_errors_add(errs, path, 0, 0, "", NULL, "out of memory");
		goto out_close;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		topo_errors_add(errs, path, 0, 0, "", NULL, "cannot read: %s", strerror(errno));
		goto out_free_buf;
	}
	buf[got] = '\0';
	t = topo_load_buf(path, buf, got, errs);
out_free_buf:
	free(buf);
out_close:
	fclose(f);
	return t;
}
