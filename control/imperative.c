/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's `edit` request: one imperative command (`vswctl port attach p1 br0`)
 * turned into desired state. The request carries the dataplane request vswctl would have
 * sent (command and args as docs/protocol.md has them); imp_edit makes the same change to
 * a copy of the desired topology, with the dataplane's existence rules (EEXIST, ENOENT,
 * EBUSY, waived by --may-exist / --if-exists); imp_reload writes the copy as YAML and
 * loads it back, so the result passes exactly the checks a file passes (the errors name
 * the command and the field instead of file:line); then it is planned, applied and
 * persisted as an apply is (reconcile.c, apply.c, state.c). What is not desired state
 * (a learned MAC, a flow rule only the dataplane has) passes through to the dataplane.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imperative.h"
#include "topo_internal.h"
#include "vsw_util.h"

struct ed {
	struct topo *t;
	const struct topo *have;
	json_t *args;
	unsigned int flags;
	struct imp_outcome *out;
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 3, 4))) static int ed_fail(struct ed *e, int errnum, const char *fmt,
							 ...)
{
	va_list ap;
	int n = snprintf(e->err, e->errsz, "%s: ", e->out->label);

	if (n < 0 || (size_t)n >= e->errsz)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(e->err + n, e->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -errnum;
}

/* The place in the desired state of the object the command makes or changes, so that the
 * checks' errors about it can name the field alone (imp_reload). */
__attribute__((format(printf, 2, 3))) static void ed_where(struct ed *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->out->where, sizeof(e->out->where), fmt, ap);
	va_end(ap);
}

static int nomem(struct ed *e)
{
	return ed_fail(e, ENOMEM, "out of memory");
}

/* --may-exist / --if-exists: the error that would follow is success, changing nothing. */
static bool waived(const struct ed *e, int errnum)
{
	return (errnum == EEXIST && (e->flags & IMP_MAY_EXIST)) ||
	       (errnum == ENOENT && (e->flags & IMP_IF_EXISTS));
}

/* ---- arguments ---- */

static int keys_check(struct ed *e, json_t *obj, const char *const *keys, const char *where)
{
	const char *key;
	json_t *v;

	if (obj != NULL && !json_is_object(obj))
		return ed_fail(e, EINVAL, "%sis not an object", where);
	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL)
			return ed_fail(e, EINVAL, "%sunknown argument \"%.40s\"", where, key);
	}
	return 0;
}

static int get_str(struct ed *e, json_t *obj, const char *key, bool required, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return required ? ed_fail(e, EINVAL, "missing %s", key) : 0;
	if (!json_is_string(v))
		return ed_fail(e, EINVAL, "%s is not a string", key);
	*out = json_string_value(v);
	return 0;
}

static int check_name(struct ed *e, const char *field, const char *what, const char *s,
		      char out[TOPO_NAME_MAX])
{
	if (!vsw_name_valid(s))
		return ed_fail(e, EINVAL,
			       "%s: invalid %s name \"%.40s\" (expected 1 to 31 characters of "
			       "A-Z a-z 0-9 _ . -)",
			       field, what, s);
	snprintf(out, TOPO_NAME_MAX, "%s", s);
	return 0;
}

static int get_name(struct ed *e, json_t *obj, const char *key, const char *what,
		    char out[TOPO_NAME_MAX])
{
	const char *s;
	int rc = get_str(e, obj, key, true, &s);

	return rc < 0 ? rc : check_name(e, key, what, s, out);
}

/*
 * An unsigned number into a field that holds up to max. The documented range is checked
 * once the model is loaded back (imp_reload), with the loader's own words; only what the
 * field cannot hold is refused here.
 */
static int get_uint(struct ed *e, json_t *obj, const char *key, uint32_t max, bool *given,
		    uint32_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (given != NULL)
		*given = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return ed_fail(e, EINVAL, "%s is not an integer", key);
	if (json_integer_value(v) < 0 || json_integer_value(v) > max)
		return ed_fail(e, EINVAL,
			       "%s %" JSON_INTEGER_FORMAT " is out of range (at most %u)", key,
			       json_integer_value(v), max);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int get_u16(struct ed *e, json_t *obj, const char *key, bool *given, uint16_t *out)
{
	uint32_t v = *out;
	int rc = get_uint(e, obj, key, UINT16_MAX, given, &v);

	*out = (uint16_t)v;
	return rc;
}

static int get_mac(struct ed *e, json_t *obj, const char *key, uint8_t mac[6])
{
	const char *s;
	int rc = get_str(e, obj, key, true, &s);

	if (rc < 0)
		return rc;
	if (vsw_mac_parse(s, mac) < 0)
		return ed_fail(e, EINVAL,
			       "%s \"%.40s\" is not a MAC address (expected "
			       "xx:xx:xx:xx:xx:xx)",
			       key, s);
	return 0;
}

/* ---- the model ---- */

/* Room for one more element at the end of *v, zeroed. */
static void *grow(void **v, size_t n, size_t size)
{
	char *p = realloc(*v, (n + 1) * size);

	if (p == NULL)
		return NULL;
	*v = p;
	memset(p + n * size, 0, size);
	return p + n * size;
}

static void remove_at(void *v, size_t *n, size_t i, size_t size)
{
	char *p = v;

	memmove(p + i * size, p + (i + 1) * size, (*n - i - 1) * size);
	(*n)--;
}

static struct topo_bridge *bridge_find(struct topo *t, const char *name)
{
	return (struct topo_bridge *)topo_bridge_find(t, name);
}

static struct topo_port *port_find(struct topo *t, const char *name)
{
	return (struct topo_port *)topo_port_find(t, name);
}

/* The bridge port is in, with its index there in *j; NULL when in none. */
static struct topo_bridge *attachment(struct topo *t, const char *port, size_t *j)
{
	for (size_t i = 0; i < t->n_bridges; i++)
		for (*j = 0; *j < t->bridges[i].n_ports; (*j)++)
			if (strcmp(t->bridges[i].ports[*j].port, port) == 0)
				return &t->bridges[i];
	return NULL;
}

/* As the dataplane detaches: the port's MACs in the bridge, static ones too, go with it. */
static void detach(struct topo_bridge *b, size_t j)
{
	char port[TOPO_NAME_MAX];

	snprintf(port, sizeof(port), "%s", b->ports[j].port);
	remove_at(b->ports, &b->n_ports, j, sizeof(*b->ports));
	for (size_t k = b->n_static_macs; k-- > 0;)
		if (strcmp(b->static_macs[k].port, port) == 0)
			remove_at(b->static_macs, &b->n_static_macs, k, sizeof(*b->static_macs));
}

/* A bridge or port a command names is not there: 1 (nothing to do) when --if-exists waives
 * that, else ENOENT. */
static int missing(struct ed *e, const char *what, const char *name)
{
	return waived(e, ENOENT) ? 1 : ed_fail(e, ENOENT, "no %s \"%s\"", what, name);
}

/* The bridge args[key] names, into name and *b: 0, or missing()'s 1, or -errno. */
static int bridge_named(struct ed *e, const char *key, char name[TOPO_NAME_MAX],
			struct topo_bridge **b)
{
	int rc = get_name(e, e->args, key, "bridge", name);

	if (rc < 0)
		return rc;
	*b = bridge_find(e->t, name);
	return *b != NULL ? 0 : missing(e, "bridge", name);
}

/* The port args[key] names, into name and *p: 0, or missing()'s 1, or -errno. */
static int port_named(struct ed *e, const char *key, char name[TOPO_NAME_MAX], struct topo_port **p)
{
	int rc = get_name(e, e->args, key, "port", name);

	if (rc < 0)
		return rc;
	*p = port_find(e->t, name);
	return *p != NULL ? 0 : missing(e, "port", name);
}

struct uint_field {
	const char *key;
	uint32_t *field;
};

/* bridge-add/-set, port-add/-set: the numeric fields given in args; *any: was one given. */
static int uint_fields(struct ed *e, const struct uint_field *f, size_t n, bool *any)
{
	bool given;

	*any = false;
	for (size_t i = 0; i < n; i++) {
		int rc = get_uint(e, e->args, f[i].key, UINT32_MAX, &given, f[i].field);

		if (rc < 0)
			return rc;
		*any |= given;
	}
	return 0;
}

/* ---- bridges ---- */

static int bridge_fields(struct ed *e, struct topo_bridge *b, bool *any)
{
	const struct uint_field f[] = {
		{"mac_aging_s", &b->mac_aging_s},
		{"max_macs", &b->max_macs},
		{"move_damp", &b->move_damp},
		{"move_damp_s", &b->move_damp_s},
		{"vni", &b->vni},
		{"remote_max_macs", &b->remote_max_macs},
	};

	return uint_fields(e, f, sizeof(f) / sizeof(f[0]), any);
}

static int c_bridge_add(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_bridge *b;
	bool any;
	int rc = get_name(e, e->args, "name", "bridge", name);

	if (rc < 0)
		return rc;
	if (bridge_find(e->t, name) != NULL)
		return waived(e, EEXIST) ? 0 : ed_fail(e, EEXIST, "bridge \"%s\" exists", name);
	b = grow((void **)&e->t->bridges, e->t->n_bridges, sizeof(*b));
	if (b == NULL)
		return nomem(e);
	e->t->n_bridges++;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->mac_aging_s = TOPO_DEF_MAC_AGING_S;
	b->max_macs = TOPO_DEF_MAX_MACS;
	b->move_damp = TOPO_DEF_MOVE_DAMP;
	b->move_damp_s = TOPO_DEF_MOVE_DAMP_S;
	e->out->changed = true;
	ed_where(e, "bridges.%s", name);
	return bridge_fields(e, b, &any);
}

static int c_bridge_set(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_bridge *b;
	bool any;
	int rc = bridge_named(e, "name", name, &b);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = bridge_fields(e, b, &any);
	if (rc == 0 && !any)
		return ed_fail(e, EINVAL,
			       "nothing to set (expected mac_aging_s, max_macs, move_damp, "
			       "move_damp_s, vni or remote_max_macs)");
	e->out->changed = true;
	ed_where(e, "bridges.%s", name);
	return rc;
}

static int c_bridge_del(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_bridge *b;
	struct topo *scrap;
	size_t i;
	int rc = bridge_named(e, "name", name, &b);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (b->n_ports > 0)
		return ed_fail(e, EBUSY, "%zu port%s still attached (port-detach %s)", b->n_ports,
			       b->n_ports == 1 ? " is" : "s are", b->n_ports == 1 ? "it" : "them");
	/* its arrays are freed by topo_free, which knows them all */
	scrap = topo_new();
	if (scrap == NULL || (scrap->bridges = malloc(sizeof(*b))) == NULL) {
		topo_free(scrap);
		return nomem(e);
	}
	/* the bridge's flow table goes with it, as in the dataplane */
	for (size_t k = e->t->n_flows; k-- > 0;)
		if (strcmp(e->t->flows[k].bridge, name) == 0)
			remove_at(e->t->flows, &e->t->n_flows, k, sizeof(*e->t->flows));
	i = (size_t)(b - e->t->bridges);
	scrap->bridges[0] = *b;
	scrap->n_bridges = 1;
	topo_free(scrap);
	remove_at(e->t->bridges, &e->t->n_bridges, i, sizeof(*b));
	e->out->changed = true;
	return 0;
}

/* ---- ports ---- */

static int port_fields(struct ed *e, struct topo_port *p, bool *any)
{
	const struct uint_field f[] = {
		{"storm_pps", &p->storm_pps},
		{"storm_burst", &p->storm_burst},
		{"max_macs", &p->max_macs},
	};

	return uint_fields(e, f, sizeof(f) / sizeof(f[0]), any);
}

/* port-add's options object as the model holds it; which keys a type takes, and their
 * kinds and ranges, are the loader's to check. */
static int port_options(struct ed *e, struct topo_port *p, json_t *opts)
{
	const char *key;
	json_t *v;

	if (opts != NULL && !json_is_object(opts))
		return ed_fail(e, EINVAL, "options is not an object");
	json_object_foreach(opts, key, v) {
		struct topo_port_opt *o = &p->opts[p->n_opts];

		if (strlen(key) >= sizeof(o->key))
			return ed_fail(e, EINVAL, "unknown option \"%.40s\" for type %s", key,
				       topo_port_type_names[p->type]);
		if (p->n_opts == TOPO_PORT_OPT_MAX)
			return ed_fail(e, EINVAL, "more than %d options", TOPO_PORT_OPT_MAX);
		snprintf(o->key, sizeof(o->key), "%s", key);
		if (json_is_string(v)) {
			if (json_string_length(v) >= sizeof(o->str))
				return ed_fail(e, EINVAL,
					       "options.%s is too long (at most %zu bytes)", key,
					       sizeof(o->str) - 1);
			o->kind = TOPO_OPT_STRING;
			snprintf(o->str, sizeof(o->str), "%s", json_string_value(v));
		} else if (json_is_boolean(v)) {
			o->kind = TOPO_OPT_BOOL;
			o->b = json_is_true(v);
		} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			   json_integer_value(v) <= UINT32_MAX) {
			o->kind = TOPO_OPT_UINT;
			o->u = (uint32_t)json_integer_value(v);
		} else {
			return ed_fail(e, EINVAL,
				       "options.%s is not a string, true or false, or a number",
				       key);
		}
		p->n_opts++;
	}
	return 0;
}

static int c_port_add(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_port *p;
	const char *type;
	bool any;
	int t, rc = get_name(e, e->args, "name", "port", name);

	if (rc < 0)
		return rc;
	if (port_find(e->t, name) != NULL)
		return waived(e, EEXIST) ? 0 : ed_fail(e, EEXIST, "port \"%s\" exists", name);
	rc = get_str(e, e->args, "type", true, &type);
	if (rc < 0)
		return rc;
	for (t = 0; t < TOPO_PORT_TYPE_MAX; t++)
		if (strcmp(type, topo_port_type_names[t]) == 0)
			break;
	if (t == TOPO_PORT_TYPE_MAX)
		return ed_fail(e, EINVAL,
			       "unknown port type \"%.40s\" (expected pcap, null, ring, af_packet, "
			       "tap, vhost-user)",
			       type);
	p = grow((void **)&e->t->ports, e->t->n_ports, sizeof(*p));
	if (p == NULL)
		return nomem(e);
	e->t->n_ports++;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->type = (enum topo_port_type)t;
	p->storm_burst = TOPO_DEF_STORM_BURST;
	e->out->changed = true;
	ed_where(e, "ports.%s", name);
	rc = port_options(e, p, json_object_get(e->args, "options"));
	return rc < 0 ? rc : port_fields(e, p, &any);
}

static int c_port_set(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_port *p;
	bool any;
	int rc = port_named(e, "name", name, &p);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = port_fields(e, p, &any);
	if (rc == 0 && !any)
		return ed_fail(e, EINVAL,
			       "nothing to set (expected storm_pps, storm_burst or "
			       "max_macs)");
	e->out->changed = true;
	ed_where(e, "ports.%s", name);
	return rc;
}

/* Rules that name the port stay, so that the check refuses the deletion by naming them. */
static int c_port_del(struct ed *e)
{
	char name[TOPO_NAME_MAX];
	struct topo_bridge *b;
	struct topo_port *p;
	size_t j;
	int rc = port_named(e, "name", name, &p);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	b = attachment(e->t, name, &j);
	if (b != NULL)
		detach(b, j);
	remove_at(e->t->ports, &e->t->n_ports, (size_t)(p - e->t->ports), sizeof(*p));
	e->out->changed = true;
	return 0;
}

/* port-attach's trunk: an array of VLANs and "lo-hi" strings, or one string "10,20-30". */
static int trunk_parse(struct ed *e, json_t *v, uint8_t bm[TOPO_VLAN_BITMAP_SIZE])
{
	uint8_t one[TOPO_VLAN_BITMAP_SIZE];
	char why[128] = "";
	json_t *it;
	size_t i;
	bool any = false;

	memset(bm, 0, TOPO_VLAN_BITMAP_SIZE);
	if (json_is_string(v)) {
		if (vsw_vlan_list_parse(json_string_value(v), bm, why, sizeof(why)) < 0)
			return ed_fail(e, EINVAL, "trunk \"%.60s\": %s", json_string_value(v),
				       why[0] ? why : "not a VLAN list such as 10,20-30");
		return 0;
	}
	if (!json_is_array(v))
		return ed_fail(e, EINVAL, "trunk is not a list of VLANs");
	json_array_foreach(v, i, it) {
		if (json_is_integer(it)) {
			json_int_t vlan = json_integer_value(it);

			if (vlan < 1 || vlan > TOPO_VLAN_MAX)
				return ed_fail(e, EINVAL,
					       "trunk: %" JSON_INTEGER_FORMAT
					       " is out of range (expected 1..%d)",
					       vlan, TOPO_VLAN_MAX);
			vsw_vlan_bit_set(bm, (unsigned int)vlan);
		} else if (json_is_string(it)) {
			memset(one, 0, sizeof(one));
			if (vsw_vlan_list_parse(json_string_value(it), one, why, sizeof(why)) < 0)
				return ed_fail(e, EINVAL, "trunk \"%.60s\": %s",
					       json_string_value(it), why);
			for (size_t k = 0; k < sizeof(one); k++)
				bm[k] |= one[k];
		} else {
			return ed_fail(e, EINVAL, "trunk item %zu is not a VLAN or a range", i);
		}
		any = true;
	}
	return any ? 0 : ed_fail(e, EINVAL, "trunk is empty (expected VLANs such as 10,20-30)");
}

static int c_port_attach(struct ed *e)
{
	char port[TOPO_NAME_MAX], bridge[TOPO_NAME_MAX];
	struct topo_bridge_port *bp, nbp = {0};
	struct topo_bridge *b, *cur;
	bool has_vlan, has_native;
	size_t j = 0;
	int rc = get_name(e, e->args, "port", "port", port);

	if (rc == 0)
		rc = get_name(e, e->args, "bridge", "bridge", bridge);
	if (rc < 0)
		return rc;
	if (port_find(e->t, port) == NULL)
		return ed_fail(e, ENOENT, "no port \"%s\"", port);
	b = bridge_find(e->t, bridge);
	if (b == NULL)
		return ed_fail(e, ENOENT, "no bridge \"%s\"", bridge);
	snprintf(nbp.port, sizeof(nbp.port), "%s", port);
	nbp.vlan = 1;
	rc = get_u16(e, e->args, "vlan", &has_vlan, &nbp.vlan);
	if (rc == 0)
		rc = get_u16(e, e->args, "native", &has_native, &nbp.native);
	if (rc < 0)
		return rc;
	if (json_object_get(e->args, "trunk") != NULL) {
		if (has_vlan)
			return ed_fail(e, EINVAL,
				       "vlan (an access port) and trunk (a tagged port) exclude "
				       "each other");
		rc = trunk_parse(e, json_object_get(e->args, "trunk"), nbp.trunk);
		if (rc < 0)
			return rc;
		nbp.mode = TOPO_VLAN_TRUNK;
		nbp.vlan = 0;
	} else if (has_native) {
		return ed_fail(e, EINVAL, "native needs trunk (it is a trunk's untagged VLAN)");
	}
	cur = attachment(e->t, port, &j);
	if (cur != NULL && cur != b)
		detach(cur, j);
	if (cur == b) {
		/* new VLANs in place: its static MACs stay, and must fit them (the check) */
		bp = &b->ports[j];
	} else {
		bp = grow((void **)&b->ports, b->n_ports, sizeof(*bp));
		if (bp == NULL)
			return nomem(e);
		b->n_ports++;
	}
	*bp = nbp;
	e->out->changed = true;
	ed_where(e, "bridges.%s.ports.%s", bridge, port);
	return 0;
}

static int c_port_detach(struct ed *e)
{
	char port[TOPO_NAME_MAX];
	struct topo_bridge *b;
	struct topo_port *p;
	size_t j;
	int rc = port_named(e, "port", port, &p);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	b = attachment(e->t, port, &j);
	if (b == NULL)
		return waived(e, ENOENT) ? 0 : ed_fail(e, ENOENT, "not attached to a bridge");
	detach(b, j);
	e->out->changed = true;
	return 0;
}

/* ---- static MACs ---- */

static struct topo_static_mac *static_find(struct topo_bridge *b, const uint8_t mac[6],
					   uint16_t vlan)
{
	for (size_t i = 0; i < b->n_static_macs; i++)
		if (memcmp(b->static_macs[i].mac, mac, 6) == 0 && b->static_macs[i].vlan == vlan &&
		    b->static_macs[i].port[0] != '\0')
			return &b->static_macs[i];
	return NULL;
}

static int fdb_key(struct ed *e, struct topo_bridge **b, uint8_t mac[6], uint16_t *vlan)
{
	char bridge[TOPO_NAME_MAX];
	int rc = bridge_named(e, "bridge", bridge, b);

	if (rc != 0)
		return rc;
	*vlan = 1;
	rc = get_mac(e, e->args, "mac", mac);
	return rc < 0 ? rc : get_u16(e, e->args, "vlan", NULL, vlan);
}

/* The remote VTEP whose tunnel port in bridge b is named port (the running name where the
 * remote runs, else the name the controller will give it), so that `fdb add BRIDGE MAC
 * vx5001-2001_2__2` keeps a MAC behind the remote, as the model says it, not behind a
 * port no file can name. */
static bool tunnel_remote(const struct ed *e, const struct topo_bridge *b, const char *port,
			  struct topo_ip *ip)
{
	const struct topo_bridge *hb = e->have != NULL ? topo_bridge_find(e->have, b->name) : NULL;
	const struct topo_remote *r;
	char name[TOPO_NAME_MAX + 64];
	size_t n;

	if (hb != NULL && hb->vni != b->vni)
		hb = NULL; /* its tunnel ports go with the old VNI */
	r = topo_bridge_remotes(e->t, b, &n);
	for (size_t i = 0; i < n; i++) {
		topo_tunnel_name(hb != NULL ? hb : b, &r[i].ip, name, sizeof(name));
		if (strcmp(name, port) == 0) {
			*ip = r[i].ip;
			return true;
		}
	}
	return false;
}

/* Replaces the port of an entry with the same MAC and VLAN, as the dataplane does. */
static int c_fdb_add(struct ed *e)
{
	char port[TOPO_NAME_MAX];
	struct topo_static_mac *m;
	struct topo_bridge *b;
	struct topo_ip remote = {0};
	uint8_t mac[6];
	uint16_t vlan;
	int rc = fdb_key(e, &b, mac, &vlan);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = get_name(e, e->args, "port", "port", port);
	if (rc < 0)
		return rc;
	m = static_find(b, mac, vlan);
	if (m == NULL) {
		m = grow((void **)&b->static_macs, b->n_static_macs, sizeof(*m));
		if (m == NULL)
			return nomem(e);
		b->n_static_macs++;
		memcpy(m->mac, mac, 6);
		m->vlan = vlan;
	}
	if (tunnel_remote(e, b, port, &remote)) {
		m->port[0] = '\0';
		m->remote = remote;
	} else {
		snprintf(m->port, sizeof(m->port), "%s", port);
		m->remote.family = 0;
	}
	e->out->changed = true;
	ed_where(e, "bridges.%s.static_macs[%zu]", b->name, (size_t)(m - b->static_macs));
	return 0;
}

static int c_fdb_del(struct ed *e)
{
	struct topo_static_mac *m;
	struct topo_bridge *b;
	uint8_t mac[6];
	uint16_t vlan;
	int rc = fdb_key(e, &b, mac, &vlan);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	m = static_find(b, mac, vlan);
	if (m == NULL) {
		e->out->pass_through = true; /* a learned MAC, or nothing: the dataplane says */
		return 0;
	}
	remove_at(b->static_macs, &b->n_static_macs, (size_t)(m - b->static_macs), sizeof(*m));
	e->out->changed = true;
	return 0;
}

/* ---- flow rules ---- */

static int sym(json_t *v, const char *const *names, const uint32_t *vals, uint32_t max,
	       uint32_t *out)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > max)
			return -ERANGE;
		*out = (uint32_t)json_integer_value(v);
		return 0;
	}
	for (size_t i = 0; s != NULL && names != NULL && names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = vals[i];
			return 0;
		}
	return -EINVAL;
}

/* The match object of flow-add into the model; prerequisites and ranges are the check's. */
static int match_parse(struct ed *e, json_t *j, const char *where, struct topo_match *m)
{
	static const char *const et_names[] = {"ipv4", "ipv6", "arp", "vlan", "lldp", NULL};
	static const uint32_t et_vals[] = {TOPO_ETH_IPV4, TOPO_ETH_IPV6, TOPO_ETH_ARP,
					   TOPO_ETH_VLAN, 0x88cc};
	static const char *const pr_names[] = {"icmp", "tcp", "udp", "icmpv6", "sctp", NULL};
	static const uint32_t pr_vals[] = {TOPO_IPPROTO_ICMP, TOPO_IPPROTO_TCP, TOPO_IPPROTO_UDP,
					   TOPO_IPPROTO_ICMPV6, TOPO_IPPROTO_SCTP};
	const char *key;
	uint32_t u;
	json_t *v;
	int f;

	memset(m, 0, sizeof(*m));
	if (j == NULL)
		return 0;
	if (!json_is_object(j))
		return ed_fail(e, EINVAL, "%smatch is not an object", where);
	json_object_foreach(j, key, v) {
		const char *s = json_string_value(v);
		bool bad = false;

		for (f = 0; f < TOPO_M_MAX; f++)
			if (strcmp(key, topo_match_names[f]) == 0)
				break;
		switch (f) {
		case TOPO_M_IN_PORT:
			if (s == NULL)
				bad = true;
			else if (check_name(e, "match.in_port", "port", s, m->in_port) < 0)
				return -EINVAL;
			break;
		case TOPO_M_ETH_SRC:
			bad = s == NULL ||
			      ctrl_mac_masked_parse(s, m->eth_src, m->eth_src_mask) < 0;
			break;
		case TOPO_M_ETH_DST:
			bad = s == NULL ||
			      ctrl_mac_masked_parse(s, m->eth_dst, m->eth_dst_mask) < 0;
			break;
		case TOPO_M_ETH_TYPE:
			bad = sym(v, et_names, et_vals, 0xffff, &u) < 0;
			m->eth_type = (uint16_t)u;
			break;
		case TOPO_M_IP_SRC:
			bad = s == NULL || ctrl_ip_parse(s, &m->ip_src) < 0;
			break;
		case TOPO_M_IP_DST:
			bad = s == NULL || ctrl_ip_parse(s, &m->ip_dst) < 0;
			break;
		case TOPO_M_IP_PROTO:
			bad = sym(v, pr_names, pr_vals, 255, &u) < 0;
			m->ip_proto = (uint8_t)u;
			break;
		case TOPO_M_VLAN:
		case TOPO_M_L4_SRC:
		case TOPO_M_L4_DST:
		case TOPO_M_VNI:
			bad = sym(v, NULL, NULL, f == TOPO_M_VNI ? TOPO_VNI_MAX : 0xffff, &u) < 0;
			if (f == TOPO_M_VLAN)
				m->vlan = (uint16_t)u;
			else if (f == TOPO_M_L4_SRC)
				m->l4_src = (uint16_t)u;
			else if (f == TOPO_M_L4_DST)
				m->l4_dst = (uint16_t)u;
			else
				m->vni = u;
			break;
		default:
			return ed_fail(
				e, EINVAL,
				"%smatch: unknown field \"%.40s\" (expected in_port, vlan, "
				"eth_src, eth_dst, eth_type, ip_src, ip_dst, ip_proto, l4_src, "
				"l4_dst, vni)",
				where, key);
		}
		if (bad) {
			char *text = json_dumps(v, JSON_ENCODE_ANY);
			int rc = ed_fail(
				e, EINVAL, "%smatch.%s: %.80s is not %s", where, key,
				text ? text : "?",
				f == TOPO_M_ETH_TYPE   ? "ipv4, ipv6, arp, vlan, lldp or 0..65535"
				: f == TOPO_M_IP_PROTO ? "icmp, tcp, udp, icmpv6, sctp or 0..255"
				: f == TOPO_M_IP_SRC || f == TOPO_M_IP_DST
					? "an IPv4 or IPv6 address or prefix"
				: f == TOPO_M_ETH_SRC || f == TOPO_M_ETH_DST
					? "a MAC address, or MAC/MASK"
				: f == TOPO_M_IN_PORT ? "a port name"
				: f == TOPO_M_VNI     ? "a VNI (1..16777215)"
						      : "a number (0..65535)");

			free(text);
			return rc;
		}
		m->fields |= TOPO_M_BIT(f);
	}
	return 0;
}

static int actions_parse(struct ed *e, json_t *a, const char *where, struct topo_flow *f)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return ed_fail(e, EINVAL, "%sactions: expected a list of actions (e.g. [\"drop\"])",
			       where);
	if (json_array_size(a) > TOPO_ACTIONS_MAX)
		return ed_fail(e, EINVAL, "%sactions: more than %d", where, TOPO_ACTIONS_MAX);
	f->n_actions = 0;
	json_array_foreach(a, i, v) {
		struct topo_action *act = &f->actions[f->n_actions];
		const char *s = json_string_value(v), *arg;
		unsigned int vlan;
		size_t nlen;
		char tail;
		int t;

		memset(act, 0, sizeof(*act));
		if (s == NULL)
			return ed_fail(e, EINVAL, "%sactions[%zu] is not a string", where, i);
		arg = strchr(s, ':');
		nlen = arg != NULL ? (size_t)(arg - s) : strlen(s);
		for (t = 0; t < TOPO_ACT_MAX; t++)
			if (strlen(topo_action_names[t]) == nlen &&
			    strncmp(s, topo_action_names[t], nlen) == 0)
				break;
		if (t == TOPO_ACT_MAX)
			return ed_fail(
				e, EINVAL,
				"%sactions: unknown action \"%.40s\" (expected drop, "
				"output:PORT, flood, normal, push_vlan:N, pop_vlan, set_vlan:N, "
				"mirror:PORT, count)",
				where, s);
		act->type = (enum topo_action_type)t;
		if (t == TOPO_ACT_OUTPUT || t == TOPO_ACT_MIRROR) {
			if (arg == NULL)
				return ed_fail(e, EINVAL, "%sactions: %s needs a port (%s:PORT)",
					       where, s, s);
			if (check_name(e, "actions", "port", arg + 1, act->port) < 0)
				return -EINVAL;
		} else if (t == TOPO_ACT_PUSH_VLAN || t == TOPO_ACT_SET_VLAN) {
			if (arg == NULL || sscanf(arg + 1, "%u%c", &vlan, &tail) != 1 ||
			    vlan > UINT16_MAX)
				return ed_fail(e, EINVAL,
					       "%sactions: \"%.40s\" needs a VLAN (%.*s:N)", where,
					       s, (int)nlen, s);
			act->vlan = (uint16_t)vlan;
		} else if (arg != NULL) {
			return ed_fail(e, EINVAL, "%sactions: \"%.40s\": %.*s takes no argument",
				       where, s, (int)nlen, s);
		}
		f->n_actions++;
	}
	return 0;
}

static const char *const rule_keys[] = {"name", "priority", "match", "actions", NULL};

static int rule_parse(struct ed *e, json_t *j, const char *bridge, const char *where,
		      struct topo_flow *f)
{
	const char *name;
	int rc;

	memset(f, 0, sizeof(*f));
	snprintf(f->bridge, sizeof(f->bridge), "%s", bridge);
	f->priority = TOPO_DEF_PRIORITY;
	rc = keys_check(e, j, rule_keys, where);
	if (rc == 0)
		rc = get_str(e, j, "name", false, &name);
	if (rc == 0 && name != NULL)
		rc = check_name(e, "name", "flow", name, f->name);
	if (rc == 0)
		rc = get_u16(e, j, "priority", NULL, &f->priority);
	if (rc == 0)
		rc = match_parse(e, json_object_get(j, "match"), where, &f->match);
	if (rc == 0)
		rc = actions_parse(e, json_object_get(j, "actions"), where, f);
	return rc;
}

/* Is h (a running rule) the same rule as w (desired)? By name, else by priority and match. */
static bool flow_same(const struct topo_flow *h, const struct topo_flow *w)
{
	struct topo_flow a = {0}, b = {0};

	if (strcmp(h->bridge, w->bridge) != 0 || strcmp(h->name, w->name) != 0)
		return false;
	if (h->name[0] != '\0')
		return true;
	a.priority = h->priority;
	a.match = h->match;
	b.priority = w->priority;
	b.match = w->match;
	ctrl_match_norm(&a.match);
	ctrl_match_norm(&b.match);
	return topo_flow_equal(&a, &b);
}

/* Index in the model of the rule a flow-del/flow-mod selects by id or name; -1: none. */
static long flow_select(struct ed *e, const char *bridge, bool by_id, uint32_t id, const char *name)
{
	const struct topo_flow *h = NULL;

	for (size_t i = 0; by_id && e->have != NULL && i < e->have->n_flows; i++)
		if (strcmp(e->have->flows[i].bridge, bridge) == 0 &&
		    CTRL_FLOW_ID(&e->have->flows[i]) == id)
			h = &e->have->flows[i];
	if (by_id && h == NULL)
		return -1;
	for (size_t i = 0; i < e->t->n_flows; i++) {
		const struct topo_flow *f = &e->t->flows[i];

		if (h != NULL ? flow_same(h, f)
			      : strcmp(f->bridge, bridge) == 0 && strcmp(f->name, name) == 0)
			return (long)i;
	}
	return -1;
}

static int c_flow_add(struct ed *e)
{
	char bridge[TOPO_NAME_MAX], where[32] = "";
	json_t *rules = json_object_get(e->args, "flows"), *one, *j;
	bool own = false;
	size_t i, n;
	int rc = get_name(e, e->args, "bridge", "bridge", bridge);

	if (rc < 0)
		return rc;
	if (bridge_find(e->t, bridge) == NULL)
		return ed_fail(e, ENOENT, "no bridge \"%s\"", bridge);
	if (rules != NULL) {
		if (!json_is_array(rules) || json_array_size(rules) == 0)
			return ed_fail(e, EINVAL, "flows is not a list of rules");
		for (const char *const *k = rule_keys; *k != NULL; k++)
			if (json_object_get(e->args, *k) != NULL)
				return ed_fail(e, EINVAL, "flows and %s exclude each other", *k);
	} else {
		/* one rule: its fields beside bridge */
		one = json_deep_copy(e->args);
		rules = one != NULL && json_object_del(one, "bridge") == 0 ? json_pack("[o]", one)
									   : NULL;
		if (rules == NULL)
			return nomem(e);
		own = true;
	}
	n = json_array_size(rules);
	free(e->out->added);
	e->out->added = calloc(n, sizeof(*e->out->added));
	if (e->out->added == NULL) {
		rc = nomem(e);
		goto out;
	}
	json_array_foreach(rules, i, j) {
		struct topo_flow *f;

		if (json_object_get(e->args, "flows") != NULL)
			snprintf(where, sizeof(where), "flows[%zu].", i);
		f = grow((void **)&e->t->flows, e->t->n_flows, sizeof(*f));
		if (f == NULL) {
			rc = nomem(e);
			goto out;
		}
		rc = rule_parse(e, j, bridge, where, f);
		if (rc < 0)
			goto out;
		if (f->name[0] != '\0' && flow_select(e, bridge, false, 0, f->name) >= 0) {
			rc = ed_fail(e, EEXIST, "a rule named \"%s\" exists in bridge %s", f->name,
				     bridge);
			goto out;
		}
		e->t->n_flows++;
		e->out->added[e->out->n_added++] = *f;
	}
	e->out->changed = true;
	if (e->out->n_added == 1)
		ed_where(e, "flows[%zu]", e->t->n_flows - 1);
out:
	if (own)
		json_decref(rules);
	return rc;
}

/* flow-del/flow-mod: which rule; *idx -1 when the model has none (the dataplane decides). */
static int flow_target(struct ed *e, bool with_all, char bridge[TOPO_NAME_MAX], long *idx)
{
	json_t *all = json_object_get(e->args, "all");
	char name[TOPO_NAME_MAX] = "";
	struct topo_bridge *b;
	bool by_id;
	uint32_t id = 0;
	int rc = bridge_named(e, "bridge", bridge, &b);

	if (rc != 0)
		return rc;
	rc = get_uint(e, e->args, "id", UINT32_MAX, &by_id, &id);
	if (rc < 0)
		return rc;
	if (json_object_get(e->args, "name") != NULL) {
		rc = get_name(e, e->args, "name", "flow", name);
		if (rc < 0)
			return rc;
	}
	if (all != NULL && !json_is_true(all))
		return ed_fail(e, EINVAL, "all is not true");
	if ((int)by_id + (name[0] != '\0') + (all != NULL) != 1)
		return ed_fail(e, EINVAL,
			       with_all ? "expects exactly one of id, name or all"
					: "expects exactly one of id or name");
	*idx = all != NULL ? -2 : flow_select(e, bridge, by_id, id, name);
	return 0;
}

static int c_flow_del(struct ed *e)
{
	char bridge[TOPO_NAME_MAX];
	long idx = -1;
	int rc = flow_target(e, true, bridge, &idx);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (idx == -2) {
		for (size_t k = e->t->n_flows; k-- > 0;)
			if (strcmp(e->t->flows[k].bridge, bridge) == 0) {
				remove_at(e->t->flows, &e->t->n_flows, k, sizeof(*e->t->flows));
				e->out->deleted++;
			}
	} else if (idx >= 0) {
		remove_at(e->t->flows, &e->t->n_flows, (size_t)idx, sizeof(*e->t->flows));
		e->out->deleted = 1;
	}
	/* a rule only the dataplane has (or none at all): it answers */
	e->out->pass_through = e->out->deleted == 0;
	e->out->changed = e->out->deleted > 0;
	return 0;
}

static int c_flow_mod(struct ed *e)
{
	char bridge[TOPO_NAME_MAX];
	struct topo_flow nf = {0};
	bool has_prio;
	long idx = -1;
	int rc = flow_target(e, false, bridge, &idx);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = actions_parse(e, json_object_get(e->args, "actions"), "", &nf);
	if (rc == 0)
		rc = get_u16(e, e->args, "priority", &has_prio, &nf.priority);
	if (rc < 0)
		return rc;
	if (idx < 0) {
		e->out->pass_through = true;
		return 0;
	}
	memcpy(e->t->flows[idx].actions, nf.actions, sizeof(nf.actions));
	e->t->flows[idx].n_actions = nf.n_actions;
	if (has_prio)
		e->t->flows[idx].priority = nf.priority;
	e->out->changed = true;
	ed_where(e, "flows[%ld]", idx);
	return 0;
}

/* ---- the overlay: the VTEP, its static next hops, each VNI's remote VTEPs ---- */

/* A host address (no /prefix), as vtep-* take them. */
static int get_host_ip(struct ed *e, json_t *obj, const char *key, bool required,
		       struct topo_ip *ip)
{
	const char *s;
	int rc = get_str(e, obj, key, required, &s);

	if (rc < 0 || s == NULL)
		return rc;
	if (strchr(s, '/') != NULL || ctrl_ip_parse(s, ip) < 0)
		return ed_fail(e, EINVAL, "%s \"%.60s\" is not an IP address", key, s);
	return 0;
}

static bool ip_same(const struct topo_ip *a, const struct topo_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* The desired state's VTEP, if it is the one named (vtep-neigh-*: required; vtep-remote-add:
 * optional, as the dataplane takes it when only one exists). ENOENT otherwise. */
static int vtep_named(struct ed *e, const char *key, bool required)
{
	const struct topo_overlay *ov = &e->t->overlay;
	const char *name;
	int rc = get_str(e, e->args, key, required, &name);

	if (rc < 0)
		return rc;
	if (!ov->present)
		return ed_fail(e, ENOENT, "no VTEP (vtep-add one first)");
	if (name != NULL && strcmp(name, ov->name) != 0)
		return ed_fail(e, ENOENT, "no VTEP \"%.40s\" (the VTEP is \"%s\")", name, ov->name);
	return 0;
}

static int c_vtep_add(struct ed *e)
{
	struct topo_overlay *ov = &e->t->overlay;
	char name[TOPO_NAME_MAX], port[TOPO_NAME_MAX];
	struct topo_ip ip = {0}, gw = {0};
	uint16_t prefix = TOPO_DEF_PREFIX_LEN, ttl = TOPO_DEF_TTL;
	uint16_t udp = TOPO_DEF_UDP_PORT, mtu = TOPO_DEF_UNDERLAY_MTU;
	bool has_prefix = false;
	int rc = get_name(e, e->args, "name", "VTEP", name);

	if (rc == 0)
		rc = get_name(e, e->args, "port", "port", port);
	if (rc == 0)
		rc = get_host_ip(e, e->args, "local_ip", true, &ip);
	if (rc == 0)
		rc = get_host_ip(e, e->args, "gateway", false, &gw);
	if (rc == 0)
		rc = get_u16(e, e->args, "prefix_len", &has_prefix, &prefix);
	if (rc == 0)
		rc = get_u16(e, e->args, "udp_port", NULL, &udp);
	if (rc == 0)
		rc = get_u16(e, e->args, "mtu", NULL, &mtu);
	if (rc == 0)
		rc = get_u16(e, e->args, "ttl", NULL, &ttl);
	if (rc < 0)
		return rc;
	/* the VTEP's own MAC is the port's: the topology has no place for another */
	if (json_object_get(e->args, "mac") != NULL)
		return ed_fail(e, EINVAL,
			       "mac: the controller keeps the underlay port's own MAC (leave mac "
			       "out)");
	if (ov->present && strcmp(ov->name, name) == 0)
		return waived(e, EEXIST) ? 0 : ed_fail(e, EEXIST, "VTEP \"%s\" exists", name);
	if (ov->present)
		return ed_fail(e, EBUSY,
			       "VTEP \"%s\" exists, and a topology describes one VTEP (vtep-del "
			       "it first)",
			       ov->name);
	ov->present = true;
	snprintf(ov->name, sizeof(ov->name), "%s", name);
	snprintf(ov->port, sizeof(ov->port), "%s", port);
	ov->local_ip = ip;
	ov->gateway = gw;
	/* out-of-range values fail imp_reload's check with the loader's words; without
	 * prefix_len the subnet is the family's default, as the dataplane's vtep-add takes it */
	ov->prefix_len = !has_prefix	      ? topo_overlay_default_prefix(ov)
			 : prefix > UINT8_MAX ? UINT8_MAX
					      : (uint8_t)prefix;
	ov->udp_port = udp;
	ov->mtu = mtu;
	ov->ttl = ttl > UINT8_MAX ? 0 : (uint8_t)ttl;
	e->out->changed = true;
	ed_where(e, "overlay.vtep");
	return 0;
}

static int c_vtep_del(struct ed *e)
{
	struct topo_overlay *ov = &e->t->overlay;
	char name[TOPO_NAME_MAX];
	int rc = get_name(e, e->args, "name", "VTEP", name);

	if (rc < 0)
		return rc;
	if (!ov->present || strcmp(ov->name, name) != 0)
		return waived(e, ENOENT) ? 0 : ed_fail(e, ENOENT, "no VTEP \"%s\"", name);
	for (size_t i = 0; i < e->t->n_bridges; i++) {
		size_t n;

		topo_bridge_remotes(e->t, &e->t->bridges[i], &n);
		if (n > 0)
			return ed_fail(e, EBUSY,
				       "bridge %s still has %zu remote VTEP%s (vtep-remote-del "
				       "them first)",
				       e->t->bridges[i].name, n, n == 1 ? "" : "s");
	}
	/* its static next hops and an unused flood list go with it */
	free(ov->remotes);
	free(ov->neighbours);
	memset(ov, 0, sizeof(*ov));
	snprintf(ov->name, sizeof(ov->name), "%s", TOPO_DEF_VTEP_NAME);
	ov->udp_port = TOPO_DEF_UDP_PORT;
	ov->prefix_len = TOPO_DEF_PREFIX_LEN;
	ov->mtu = TOPO_DEF_UNDERLAY_MTU;
	ov->ttl = TOPO_DEF_TTL;
	e->out->changed = true;
	return 0;
}

/* The bridge's own flood list, made from overlay.remotes when it had none: a remote added
 * or removed by command is the bridge's, not every bridge's. */
static int own_remotes(struct ed *e, struct topo_bridge *b)
{
	const struct topo_remote *r;
	size_t n;

	if (b->has_remotes)
		return 0;
	r = topo_bridge_remotes(e->t, b, &n);
	if (n > 0) {
		b->remotes = calloc(n, sizeof(*b->remotes));
		if (b->remotes == NULL)
			return nomem(e);
		memcpy(b->remotes, r, n * sizeof(*r));
	}
	b->n_remotes = n;
	b->has_remotes = true;
	return 0;
}

static int remote_target(struct ed *e, struct topo_bridge **b, struct topo_ip *ip, long *idx)
{
	char bridge[TOPO_NAME_MAX];
	const struct topo_remote *r;
	size_t n;
	int rc = get_name(e, e->args, "bridge", "bridge", bridge);

	if (rc == 0)
		rc = get_host_ip(e, e->args, "remote", true, ip);
	if (rc < 0)
		return rc;
	*b = bridge_find(e->t, bridge);
	if (*b == NULL)
		return ed_fail(e, ENOENT, "no bridge \"%s\"", bridge);
	if ((*b)->vni == 0)
		return ed_fail(e, EINVAL, "bridge %s has no vni (bridge-set %s vni N first)",
			       bridge, bridge);
	r = topo_bridge_remotes(e->t, *b, &n);
	*idx = -1;
	for (size_t i = 0; i < n && *idx < 0; i++)
		if (ip_same(&r[i].ip, ip))
			*idx = (long)i;
	return 0;
}

static int c_vtep_remote_add(struct ed *e)
{
	struct topo_remote *nr;
	struct topo_bridge *b;
	struct topo_ip ip = {0};
	uint16_t vlan = 1;
	bool has_vlan;
	const char *port;
	char dflt[TOPO_NAME_MAX + 64];
	size_t n;
	long idx;
	int rc = remote_target(e, &b, &ip, &idx);

	if (rc == 0)
		rc = vtep_named(e, "vtep", false);
	if (rc == 0)
		rc = get_u16(e, e->args, "vlan", &has_vlan, &vlan);
	if (rc == 0)
		rc = get_str(e, e->args, "port", false, &port);
	if (rc < 0)
		return rc;
	if (idx >= 0) {
		char a[48];

		topo_ip_format(&ip, false, a, sizeof(a));
		return waived(e, EEXIST)
			       ? 0
			       : ed_fail(e, EEXIST, "%s is already a remote of VNI %u", a, b->vni);
	}
	/* the controller names tunnel ports itself (the dataplane's default) */
	topo_tunnel_name(b, &ip, dflt, sizeof(dflt));
	if (port != NULL && strcmp(port, dflt) != 0)
		return ed_fail(e, EINVAL,
			       "port: the controller names tunnel ports itself (%s); leave port "
			       "out",
			       dflt);
	topo_bridge_remotes(e->t, b, &n);
	/* one VLAN per VNI: the tunnel ports of a bridge are all access ports of it */
	if (n > 0 && has_vlan && vlan != topo_bridge_vni_vlan(b))
		return ed_fail(e, EINVAL,
			       "vlan %u: VNI %u carries VLAN %u (the bridge's vni_vlan, as its "
			       "other remotes)",
			       vlan, b->vni, topo_bridge_vni_vlan(b));
	rc = own_remotes(e, b);
	if (rc < 0)
		return rc;
	nr = grow((void **)&b->remotes, b->n_remotes, sizeof(*nr));
	if (nr == NULL)
		return nomem(e);
	b->n_remotes++;
	nr->ip = ip;
	if (has_vlan)
		b->vni_vlan = vlan;
	e->out->changed = true;
	ed_where(e, "bridges.%s.remotes[%zu]", b->name, b->n_remotes - 1);
	return 0;
}

/* As the dataplane: the tunnel port goes, and the static MACs behind it with it. */
static int c_vtep_remote_del(struct ed *e)
{
	struct topo_bridge *b;
	struct topo_ip ip = {0};
	long idx;
	int rc = remote_target(e, &b, &ip, &idx);

	if (rc < 0)
		return rc;
	if (idx < 0) {
		char a[48];

		topo_ip_format(&ip, false, a, sizeof(a));
		return waived(e, ENOENT)
			       ? 0
			       : ed_fail(e, ENOENT, "%s is not a remote of VNI %u", a, b->vni);
	}
	rc = own_remotes(e, b);
	if (rc < 0)
		return rc;
	remove_at(b->remotes, &b->n_remotes, (size_t)idx, sizeof(*b->remotes));
	for (size_t k = b->n_static_macs; k-- > 0;)
		if (ip_same(&b->static_macs[k].remote, &ip))
			remove_at(b->static_macs, &b->n_static_macs, k, sizeof(*b->static_macs));
	e->out->changed = true;
	return 0;
}

static long neigh_index(const struct topo_overlay *ov, const struct topo_ip *ip)
{
	for (size_t i = 0; i < ov->n_neighbours; i++)
		if (ip_same(&ov->neighbours[i].ip, ip))
			return (long)i;
	return -1;
}

/* A static next hop, or a new MAC for one (changed in place, as the dataplane does). */
static int c_vtep_neigh_add(struct ed *e)
{
	struct topo_overlay *ov = &e->t->overlay;
	struct topo_neigh *nb;
	struct topo_ip ip = {0};
	uint8_t mac[6];
	long i;
	int rc = vtep_named(e, "vtep", true);

	if (rc == 0)
		rc = get_host_ip(e, e->args, "ip", true, &ip);
	if (rc == 0)
		rc = get_mac(e, e->args, "mac", mac);
	if (rc < 0)
		return rc;
	i = neigh_index(ov, &ip);
	if (i >= 0) {
		nb = &ov->neighbours[i];
	} else {
		nb = grow((void **)&ov->neighbours, ov->n_neighbours, sizeof(*nb));
		if (nb == NULL)
			return nomem(e);
		ov->n_neighbours++;
		nb->ip = ip;
	}
	memcpy(nb->mac, mac, 6);
	e->out->changed = true;
	ed_where(e, "overlay.neighbours[%zu]", (size_t)(nb - ov->neighbours));
	return 0;
}

static int c_vtep_neigh_del(struct ed *e)
{
	struct topo_overlay *ov = &e->t->overlay;
	struct topo_ip ip = {0};
	long i;
	int rc = vtep_named(e, "vtep", true);

	if (rc == 0)
		rc = get_host_ip(e, e->args, "ip", true, &ip);
	if (rc < 0)
		return rc;
	i = neigh_index(ov, &ip);
	if (i < 0)
		return waived(e, ENOENT)
			       ? 0
			       : ed_fail(e, ENOENT, "no static next hop %s",
					 json_string_value(json_object_get(e->args, "ip")));
	remove_at(ov->neighbours, &ov->n_neighbours, (size_t)i, sizeof(*ov->neighbours));
	e->out->changed = true;
	return 0;
}

/* ---- the commands ---- */

static const char *const k_bridge[] = {"name",	      "mac_aging_s", "max_macs",	"move_damp",
				       "move_damp_s", "vni",	     "remote_max_macs", NULL};
static const char *const k_name[] = {"name", NULL};
static const char *const k_port_add[] = {"name",	"type",	    "options", "storm_pps",
					 "storm_burst", "max_macs", NULL};
static const char *const k_port_set[] = {"name", "storm_pps", "storm_burst", "max_macs", NULL};
static const char *const k_attach[] = {"port", "bridge", "vlan", "trunk", "native", NULL};
static const char *const k_detach[] = {"port", NULL};
static const char *const k_fdb_add[] = {"bridge", "mac", "port", "vlan", NULL};
static const char *const k_fdb_del[] = {"bridge", "mac", "vlan", NULL};
static const char *const k_flow_add[] = {"bridge",  "name",  "priority", "match",
					 "actions", "flows", NULL};
static const char *const k_flow_del[] = {"bridge", "id", "name", "all", NULL};
static const char *const k_flow_mod[] = {"bridge", "id", "name", "actions", "priority", NULL};
static const char *const k_vtep_add[] = {"name",     "port", "local_ip", "prefix_len", "gateway",
					 "udp_port", "mtu",  "ttl",	 "mac",	       NULL};
static const char *const k_remote_add[] = {"bridge", "remote", "vtep", "port", "vlan", NULL};
static const char *const k_remote_del[] = {"bridge", "remote", NULL};
static const char *const k_neigh_add[] = {"vtep", "ip", "mac", NULL};
static const char *const k_neigh_del[] = {"vtep", "ip", NULL};

static const struct {
	const char *cmd;
	const char *const *keys;
	int (*fn)(struct ed *e);
} edits[] = {
	{"bridge-add", k_bridge, c_bridge_add},
	{"bridge-set", k_bridge, c_bridge_set},
	{"bridge-del", k_name, c_bridge_del},
	{"port-add", k_port_add, c_port_add},
	{"port-set", k_port_set, c_port_set},
	{"port-del", k_name, c_port_del},
	{"port-attach", k_attach, c_port_attach},
	{"port-detach", k_detach, c_port_detach},
	{"fdb-add", k_fdb_add, c_fdb_add},
	{"fdb-del", k_fdb_del, c_fdb_del},
	{"flow-add", k_flow_add, c_flow_add},
	{"flow-del", k_flow_del, c_flow_del},
	{"flow-mod", k_flow_mod, c_flow_mod},
	{"vtep-add", k_vtep_add, c_vtep_add},
	{"vtep-del", k_name, c_vtep_del},
	{"vtep-remote-add", k_remote_add, c_vtep_remote_add},
	{"vtep-remote-del", k_remote_del, c_vtep_remote_del},
	{"vtep-neigh-add", k_neigh_add, c_vtep_neigh_add},
	{"vtep-neigh-del", k_neigh_del, c_vtep_neigh_del},
};

void imp_outcome_clear(struct imp_outcome *o)
{
	free(o->added);
	memset(o, 0, sizeof(*o));
}

/* "port-attach p1", "flow-add br0": the object a command is about, unless the caller
 * named the command already. */
static void make_label(struct imp_outcome *o, const char *cmd, json_t *args)
{
	bool by_bridge = strncmp(cmd, "fdb-", 4) == 0 || strncmp(cmd, "flow-", 5) == 0 ||
			 strncmp(cmd, "vtep-remote-", 12) == 0;
	const char *n = json_string_value(json_object_get(args, by_bridge ? "bridge" : "name"));

	if (o->label[0] != '\0')
		return;
	if (n == NULL && !by_bridge)
		n = json_string_value(json_object_get(args, "port")); /* port-attach, -detach */
	if (n == NULL && !by_bridge)
		n = json_string_value(json_object_get(args, "ip")); /* vtep-neigh-* */
	snprintf(o->label, sizeof(o->label), "%.40s%s%.40s", cmd, n ? " " : "", n ? n : "");
}

int imp_edit(struct topo *t, const struct topo *have, const char *cmd, json_t *args,
	     unsigned int flags, struct imp_outcome *out, char *err, size_t errsz)
{
	struct ed e = {.t = t,
		       .have = have,
		       .args = args,
		       .flags = flags,
		       .out = out,
		       .err = err,
		       .errsz = errsz};
	int rc;

	make_label(out, cmd, args);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		if (strcmp(edits[i].cmd, cmd) != 0)
			continue;
		rc = keys_check(&e, args, edits[i].keys, "");
		return rc < 0 ? rc : edits[i].fn(&e);
	}
	snprintf(err, errsz,
		 "%.40s: not a command the controller keeps (expected bridge-add, bridge-set, "
		 "bridge-del, port-add, port-set, port-del, port-attach, port-detach, fdb-add, "
		 "fdb-del, flow-add, flow-del, flow-mod, vtep-add, vtep-del, vtep-remote-add, "
		 "vtep-remote-del, vtep-neigh-add, vtep-neigh-del)",
		 cmd);
	return -EOPNOTSUPP;
}

struct topo *imp_reload(const struct topo *t, const char *label, struct topo_errors *errs)
{
	struct topo *r;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	f = open_memstream(&buf, &size);
	if (f == NULL)
		return NULL;
	rc = topo_write_yaml(t, f);
	if (fclose(f) != 0 || rc < 0) {
		free(buf);
		errno = rc < 0 ? -rc : ENOMEM;
		return NULL;
	}
	errs->no_lines = true; /* a text nobody wrote */
	r = topo_load_buf(label, buf, size, errs);
	free(buf);
	if (r == NULL && errs->n == 0)
		errno = ENOMEM;
	return r;
}

void imp_errors_relative(struct topo_errors *errs, const char *where)
{
	size_t len = strlen(where);

	for (size_t i = 0; len > 0 && i < errs->n; i++) {
		char *path = errs->v[i].path, *rest;

		if (path == NULL || strncmp(path, where, len) != 0 ||
		    (path[len] != '\0' && path[len] != '.'))
			continue;
		rest = path + len + (path[len] == '.');
		memmove(path, rest, strlen(rest) + 1);
	}
}

/* ---- the request ---- */

__attribute__((format(printf, 3, 4))) static void reply_fail(struct imp_reply *r, int status,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->status = status;
}

/* The ids the dataplane gave the rules just added (flow-add's answer, as vswctl shows
 * it): read back with flow-dump and paired as reconcile pairs them. NULL if unknown. */
static json_t *added_ids(const struct imp_env *env, const struct imp_outcome *o)
{
	json_t *args, *res = NULL, *byb = NULL, *ids = NULL;
	struct topo *scratch = topo_new();
	char err[300];
	bool *used = NULL;
	int status;

	if (scratch == NULL || o->n_added == 0)
		goto out;
	scratch->bridges = calloc(1, sizeof(*scratch->bridges));
	if (scratch->bridges == NULL)
		goto out;
	scratch->n_bridges = 1;
	snprintf(scratch->bridges[0].name, TOPO_NAME_MAX, "%s", o->added[0].bridge);
	args = json_pack("{s:s}", "bridge", o->added[0].bridge);
	if (args == NULL)
		goto out;
	if (env->link->call(env->link->ctx, "flow-dump", args, &res, &status, err, sizeof(err)) <
	    0) {
		json_decref(args);
		goto out;
	}
	json_decref(args);
	byb = json_pack("{s:O}", o->added[0].bridge, res);
	if (byb == NULL || observe_flows_from_json(scratch, byb, err, sizeof(err)) < 0)
		goto out;
	used = calloc(scratch->n_flows + 1, sizeof(*used));
	ids = json_array();
	if (used == NULL || ids == NULL)
		goto out_fail;
	for (size_t i = 0; i < o->n_added; i++) {
		size_t k;

		for (k = 0; k < scratch->n_flows; k++)
			if (!used[k] && flow_same(&scratch->flows[k], &o->added[i]))
				break;
		if (k == scratch->n_flows)
			goto out_fail;
		used[k] = true;
		json_array_append_new(ids, json_integer(CTRL_FLOW_ID(&scratch->flows[k])));
	}
	goto out;
out_fail:
	json_decref(ids);
	ids = NULL;
out:
	free(used);
	json_decref(byb);
	json_decref(res);
	topo_free(scratch);
	return ids;
}

/* A request of the dataplane's that is not desired state, sent as it came; its answer is
 * the reply (an ENOENT that --if-exists waives is the client's to waive, as without us). */
static void pass_through(const struct imp_env *env, const char *cmd, json_t *args,
			 struct imp_reply *r)
{
	json_t *res = NULL;
	int status = 0, rc;

	rc = env->link->call(env->link->ctx, cmd, args, &res, &status, r->err, sizeof(r->err));
	if (rc < 0) {
		r->status = status != 0 ? status : EAGAIN;
		return;
	}
	r->result = res;
	if (res != NULL)
		json_object_set_new(res, "desired", json_false());
}

void imp_request(const struct imp_env *env, const struct topo *want, json_t *args,
		 struct imp_reply *r)
{
	const char *cmd = json_string_value(json_object_get(args, "cmd"));
	json_t *eargs = json_object_get(args, "args");
	unsigned int flags =
		(json_is_true(json_object_get(args, "may_exist")) ? IMP_MAY_EXIST : 0) |
		(json_is_true(json_object_get(args, "if_exists")) ? IMP_IF_EXISTS : 0);
	struct topo *have = NULL, *work = NULL, *next = NULL;
	const char *source = json_string_value(json_object_get(args, "source"));
	struct imp_outcome out = {0};
	struct topo_errors errs;
	size_t failed, undo_failed;
	struct plan plan;
	char err[1000];
	int rc;

	memset(r, 0, sizeof(*r));
	plan_init(&plan);
	topo_errors_init(&errs);
	if (cmd == NULL) {
		reply_fail(r, EINVAL, "edit: missing cmd");
		goto out;
	}
	if (eargs != NULL && !json_is_object(eargs)) {
		reply_fail(r, EINVAL, "edit: args is not an object");
		goto out;
	}
	have = env->observe(env->ctx, err, sizeof(err));
	if (have == NULL) {
		reply_fail(r, EAGAIN, "%.40s: %s", cmd, err);
		goto out;
	}
	/* the model to change: a deep copy, whatever fields the model grows */
	work = imp_reload(want != NULL ? want : have, "the desired state", &errs);
	if (work == NULL) {
		r->errors = ctrl_errors_json(&errs);
		reply_fail(r, errs.n ? EINVAL : ENOMEM, "%.40s: the %s does not load (first: %s)",
			   cmd, want != NULL ? "desired state" : "running state (adopted)",
			   errs.n ? errs.v[0].message : "out of memory");
		goto out;
	}
	/* the words a person typed name the errors, when the client sent them */
	if (source != NULL && source[0] != '\0' &&
	    snprintf(out.label, sizeof(out.label), "%s", source) >= (int)sizeof(out.label))
		memcpy(out.label + sizeof(out.label) - 4, "...", 4);
	rc = imp_edit(work, have, cmd, eargs, flags, &out, err, sizeof(err));
	if (rc < 0) {
		reply_fail(r, -rc, "%s", err);
		goto out;
	}
	if (out.pass_through) {
		pass_through(env, cmd, eargs, r);
		goto out;
	}
	if (!out.changed) {
		/* --may-exist / --if-exists met what is already so */
		r->result = plan_json(&plan);
		if (r->result == NULL) {
			reply_fail(r, ENOMEM, "%s: out of memory", out.label);
			goto out;
		}
		json_object_set_new(r->result, "applied", json_false());
		if (strcmp(cmd, "flow-del") == 0)
			json_object_set_new(r->result, "deleted", json_integer(0));
		goto out;
	}
	topo_errors_clear(&errs);
	next = imp_reload(work, out.label, &errs);
	if (next != NULL && ctrl_check_caps(next, env->caps, out.label, &errs) > 0) {
		topo_free(next);
		next = NULL;
	}
	imp_errors_relative(&errs, out.where);
	if (next == NULL) {
		if (errs.n == 0) {
			reply_fail(r, ENOMEM, "%s: out of memory", out.label);
			goto out;
		}
		r->errors = ctrl_errors_json(&errs);
		reply_fail(r, EINVAL, "%s: %zu error%s%s, nothing changed (first: %s%s%s)",
			   out.label, errs.n, errs.n == 1 ? "" : "s",
			   errs.truncated ? " or more" : "", errs.v[0].path ? errs.v[0].path : "",
			   errs.v[0].path && errs.v[0].path[0] ? ": " : "", errs.v[0].message);
		goto out;
	}
	if (reconcile_plan(next, have, &plan) < 0) {
		reply_fail(r, ENOMEM, "%s: out of memory", out.label);
		goto out;
	}
	rc = apply_plan(env->link, &plan, &failed, &undo_failed, err, sizeof(err));
	if (rc < 0) {
		reply_fail(r, -rc, "%s: %s", out.label, err);
		goto out;
	}
	rc = state_save(env->state_path, next, err, sizeof(err));
	if (rc < 0) {
		char uerr[600];
		int n = apply_undo(env->link, &plan, plan.n, uerr, sizeof(uerr));

		reply_fail(r, -rc, "%s: %s; %s", out.label, err,
			   n == 0 ? "the change was undone, the dataplane runs what it ran before"
				  : uerr);
		goto out;
	}
	r->result = plan_json(&plan);
	if (r->result == NULL) {
		/* it is applied and saved: say so even without the plan */
		r->result = json_object();
	}
	json_object_set_new(r->result, "applied", json_true());
	if (strcmp(cmd, "flow-del") == 0)
		json_object_set_new(r->result, "deleted", json_integer(out.deleted));
	if (out.n_added > 0) {
		json_t *ids = added_ids(env, &out);

		if (ids != NULL)
			json_object_set_new(r->result, "ids", ids);
	}
	r->want = next;
	next = NULL;
out:
	imp_outcome_clear(&out);
	plan_clear(&plan);
	topo_errors_clear(&errs);
	topo_free(next);
	topo_free(work);
	topo_free(have);
}
