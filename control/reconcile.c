/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reconciliation: the desired topology minus the running one, as an ordered list of
 * dataplane requests, each paired with the request that takes it back (apply.c plays the
 * list and, on a failure, the undos in reverse). Pure: no I/O, no clock, so the tests
 * can check every plan exactly. The order is the one the dataplane needs:
 *
 *   0 flow-del    rules that go away, or whose bridge or a port they name is re-created
 *                 (the dataplane keeps a rule's ports by index: they go before the port)
 *   1 fdb-del     static MACs that go away, or whose port is about to be detached (or,
 *                 for a MAC behind a remote VTEP, whose remote goes)
 *  1b vtep-remote-del  remotes that go, or whose VTEP or bridge is re-created, or whose
 *                 bridge's vni or vni_vlan changes (bridge-set refuses a vni under remotes)
 *  1c vtep-neigh-del   static next hops that go, or whose VTEP is re-created
 *  1d vtep-del    a VTEP that goes or changes (there is no vtep-set), or whose underlay
 *                 port is re-created (port-del is refused under a VTEP)
 *   2 port-detach ports leaving their bridge, being re-created, or on a re-created bridge
 *   3 port-del    ports removed, or whose type/options changed (re-created)
 *  3b record-stop recordings of bridges that go or are re-created
 *   4 bridge-del  bridges removed, or re-created (max_macs cannot shrink in place)
 *  4b bridge-set  vni 0 for a VNI that moves to another bridge (VNIs are unique: two
 *                 bridges swapping theirs would be refused otherwise)
 *   5 bridge-add  new and re-created bridges
 *   6 bridge-set  aging, damping, vni and remote_max_macs changes (undoable: the old
 *                 values are set back)
 *   7 port-add    new and re-created ports
 *   8 port-set    storm_pps, storm_burst, max_macs
 *  8b vtep-add    after its underlay port exists and has left any bridge
 *  8c vtep-neigh-add  static next hops, new or with a new MAC (changed in place)
 *   9 port-attach new attachments, and in place for new VLANs (a re-attach)
 *  9b vtep-remote-add  once the bridge has its VNI and the VTEP runs
 *  10 fdb-add     static MACs (behind a remote: on its tunnel port, once it exists)
 *  10b flow-add   new and re-created rules, in the file's order (among equal priorities
 *      flow-mod   the older rule wins); flow-mod when only actions (or a named rule's
 *                 priority) change, so counters carry on
 *  10c record-stop recordings that differ, failed or finished, or are no longer wanted
 *                 (only those the controller started: see record_stops)
 *  10d record-start new ones and those stopped at 10c, once the bridge and its ports run
 *                 (the undo of a stop starts it again: into a fresh file)
 *  11 bridge-set  max_macs raised: last, because the dataplane cannot lower it again, so
 *                 this is the one step without an undo; a failure here is the plan's
 *                 last step and leaves nothing half-done, except when several bridges
 *                 grow and a later one fails (the earlier keep their larger limit).
 *
 * Anything that does not change gets no request: traffic on untouched ports, bridges and
 * MACs is not disturbed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl.h"
#include "vsw_util.h"

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

void plan_clear(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		json_decref(p->v[i].args);
		json_decref(p->v[i].undo_args);
	}
	free(p->v);
	free(p->objs);
	plan_init(p);
}

/* The object a person counts a step under, and what the plan does to it. */
struct owner {
	const char *obj;
	char name[80];
	char fate; /* enum plan_fate */
};

/* Takes ownership of args and undo_args, also on failure. */
__attribute__((format(printf, 10, 11))) static int step_add(struct plan *p, const struct owner *o,
							    char sign, const char *obj,
							    const char *name, const char *cmd,
							    json_t *args, const char *undo_cmd,
							    json_t *undo_args, const char *fmt, ...)
{
	struct plan_step *s;
	va_list ap;

	if (args == NULL || (undo_cmd != NULL && undo_args == NULL))
		goto out_nomem;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct plan_step *v = realloc(p->v, cap * sizeof(*v));

		if (v == NULL)
			goto out_nomem;
		p->v = v;
		p->cap = cap;
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->sign = sign;
	snprintf(s->obj, sizeof(s->obj), "%s", obj);
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->cmd, sizeof(s->cmd), "%s", cmd);
	s->args = args;
	if (undo_cmd != NULL) {
		snprintf(s->undo_cmd, sizeof(s->undo_cmd), "%s", undo_cmd);
		s->undo_args = undo_args;
	}
	snprintf(s->owner_obj, sizeof(s->owner_obj), "%s", o->obj);
	snprintf(s->owner_name, sizeof(s->owner_name), "%s", o->name);
	s->fate = o->fate;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	return 0;
out_nomem:
	json_decref(args);
	json_decref(undo_args);
	return -ENOMEM;
}

static void note_add(struct plan *p, const char *text)
{
	if (p->n_notes < sizeof(p->notes) / sizeof(p->notes[0]))
		snprintf(p->notes[p->n_notes++], sizeof(p->notes[0]), "%s", text);
}

/* ---- requests from model objects ---- */

static json_t *j_name(const char *key, const char *name)
{
	return json_pack("{s:s}", key, name);
}

static json_t *bridge_add_args(const struct topo_bridge *b)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", b->name, "mac_aging_s",
			      (json_int_t)b->mac_aging_s, "max_macs", (json_int_t)b->max_macs,
			      "move_damp", (json_int_t)b->move_damp, "move_damp_s",
			      (json_int_t)b->move_damp_s);

	/* only when set: a dataplane without the overlay refuses the keys */
	if (o != NULL && b->vni != 0 && json_object_set_new(o, "vni", json_integer(b->vni)) < 0)
		goto out_free;
	if (o != NULL && b->remote_max_macs != 0 &&
	    json_object_set_new(o, "remote_max_macs", json_integer(b->remote_max_macs)) < 0)
		goto out_free;
	return o;
out_free:
	json_decref(o);
	return NULL;
}

static json_t *port_opts_json(const struct topo_port *p)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < p->n_opts; i++) {
		const struct topo_port_opt *opt = &p->opts[i];
		json_t *v = opt->kind == TOPO_OPT_STRING ? json_string(opt->str)
			    : opt->kind == TOPO_OPT_BOOL ? json_boolean(opt->b)
							 : json_integer(opt->u);

		if (v == NULL || json_object_set_new(o, opt->key, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *port_add_args(const struct topo_port *p)
{
	json_t *opts = port_opts_json(p);

	if (opts == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}", "name", p->name, "type",
			 topo_port_type_names[p->type], "options", opts, "storm_pps",
			 (json_int_t)p->storm_pps, "storm_burst", (json_int_t)p->storm_burst,
			 "max_macs", (json_int_t)p->max_macs);
}

/* VLAN ids as integers, runs as "lo-hi": the form port-attach takes. */
static json_t *trunk_json(const uint8_t bitmap[TOPO_VLAN_BITMAP_SIZE])
{
	json_t *a = json_array();
	char range[16];

	for (unsigned int v = 1; a != NULL && v <= TOPO_VLAN_MAX; v++) {
		unsigned int lo = v;
		json_t *x;

		if (!vsw_vlan_bit(bitmap, v))
			continue;
		while (v + 1 <= TOPO_VLAN_MAX && vsw_vlan_bit(bitmap, v + 1))
			v++;
		if (lo == v) {
			x = json_integer(v);
		} else {
			snprintf(range, sizeof(range), "%u-%u", lo, v);
			x = json_string(range);
		}
		if (x == NULL || json_array_append_new(a, x) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *attach_args(const char *bridge, const struct topo_bridge_port *bp)
{
	json_t *trunk;

	if (bp->mode == TOPO_VLAN_ACCESS)
		return json_pack("{s:s, s:s, s:I}", "port", bp->port, "bridge", bridge, "vlan",
				 (json_int_t)bp->vlan);
	trunk = trunk_json(bp->trunk);
	if (trunk == NULL)
		return NULL;
	if (bp->native == 0)
		return json_pack("{s:s, s:s, s:o}", "port", bp->port, "bridge", bridge, "trunk",
				 trunk);
	return json_pack("{s:s, s:s, s:o, s:I}", "port", bp->port, "bridge", bridge, "trunk", trunk,
			 "native", (json_int_t)bp->native);
}

static void attach_text(const struct topo_bridge_port *bp, char *buf, size_t size)
{
	char list[160];

	if (bp->mode == TOPO_VLAN_ACCESS) {
		snprintf(buf, size, "access vlan %u", bp->vlan);
		return;
	}
	vsw_vlan_list_format(bp->trunk, list, sizeof(list));
	if (bp->native)
		snprintf(buf, size, "trunk %s native %u", list, bp->native);
	else
		snprintf(buf, size, "trunk %s", list);
}

/* tb: the bridge whose tunnel port names apply (the running one for a remote that stays,
 * else the desired one: the name the plan's vtep-remote-add gives the port) */
static json_t *fdb_add_args(const char *bridge, const struct topo_bridge *tb,
			    const struct topo_static_mac *m)
{
	char mac[18], tun[TOPO_NAME_MAX + 64];

	vsw_mac_format(m->mac, mac);
	if (m->remote.family != 0)
		topo_tunnel_name(tb, &m->remote, tun, sizeof(tun));
	return json_pack("{s:s, s:s, s:s, s:I}", "bridge", bridge, "mac", mac, "port",
			 m->remote.family != 0 ? tun : m->port, "vlan", (json_int_t)m->vlan);
}

static void static_where(const struct topo_static_mac *m, char *buf, size_t size)
{
	char ip[48];

	if (m->remote.family == 0) {
		snprintf(buf, size, "on %s", m->port);
		return;
	}
	topo_ip_format(&m->remote, false, ip, sizeof(ip));
	snprintf(buf, size, "behind remote VTEP %s", ip);
}

static json_t *fdb_del_args(const char *bridge, const struct topo_static_mac *m)
{
	char mac[18];

	vsw_mac_format(m->mac, mac);
	return json_pack("{s:s, s:s, s:I}", "bridge", bridge, "mac", mac, "vlan",
			 (json_int_t)m->vlan);
}

/* ---- comparisons ---- */

static bool opts_equal(const struct topo_port *a, const struct topo_port *b)
{
	if (a->type != b->type || a->n_opts != b->n_opts)
		return false;
	for (size_t i = 0; i < a->n_opts; i++) {
		const struct topo_port_opt *x = &a->opts[i];
		const struct topo_port_opt *y = NULL;

		/* both sorted by key, but an unsorted model must not fool us */
		for (size_t k = 0; k < b->n_opts && y == NULL; k++)
			if (strcmp(b->opts[k].key, x->key) == 0)
				y = &b->opts[k];
		if (y == NULL || x->kind != y->kind)
			return false;
		if (x->kind == TOPO_OPT_STRING && strcmp(x->str, y->str) != 0)
			return false;
		if (x->kind == TOPO_OPT_BOOL && x->b != y->b)
			return false;
		if (x->kind == TOPO_OPT_UINT && x->u != y->u)
			return false;
	}
	return true;
}

static bool attach_equal(const struct topo_bridge_port *a, const struct topo_bridge_port *b)
{
	if (a->mode != b->mode)
		return false;
	if (a->mode == TOPO_VLAN_ACCESS)
		return a->vlan == b->vlan;
	return a->native == b->native && memcmp(a->trunk, b->trunk, sizeof(a->trunk)) == 0;
}

static const struct topo_bridge_port *bridge_port_find(const struct topo_bridge *b,
						       const char *port)
{
	for (size_t i = 0; b != NULL && i < b->n_ports; i++)
		if (strcmp(b->ports[i].port, port) == 0)
			return &b->ports[i];
	return NULL;
}

/* A port's attachment: its bridge (NULL when none) and VLAN setup. */
static const struct topo_bridge_port *port_attachment(const struct topo *t, const char *port,
						      const struct topo_bridge **br)
{
	*br = topo_port_bridge(t, port);
	return bridge_port_find(*br, port);
}

static const struct topo_static_mac *static_find(const struct topo_bridge *b,
						 const struct topo_static_mac *m)
{
	for (size_t i = 0; b != NULL && i < b->n_static_macs; i++)
		if (b->static_macs[i].vlan == m->vlan &&
		    memcmp(b->static_macs[i].mac, m->mac, 6) == 0)
			return &b->static_macs[i];
	return NULL;
}

/* ---- what happens to each running object ---- */

struct ctx {
	const struct topo *want, *have;
	struct plan *p;
};

/* The port exists in both with the same type and options: kept (maybe port-set). */
static bool port_kept(const struct ctx *x, const char *name)
{
	const struct topo_port *w = topo_port_find(x->want, name);
	const struct topo_port *h = topo_port_find(x->have, name);

	return w != NULL && h != NULL && opts_equal(w, h);
}

/* The bridge exists in both and can be changed in place. */
static bool bridge_kept(const struct ctx *x, const char *name)
{
	const struct topo_bridge *w = topo_bridge_find(x->want, name);
	const struct topo_bridge *h = topo_bridge_find(x->have, name);

	return w != NULL && h != NULL && w->max_macs >= h->max_macs;
}

/* Must a running attachment go before anything else moves (step 2)? */
static bool must_detach(const struct ctx *x, const struct topo_bridge *hb, const char *port)
{
	const struct topo_bridge *wb;

	if (!port_kept(x, port) || !bridge_kept(x, hb->name))
		return true;
	wb = topo_port_bridge(x->want, port);
	return wb == NULL || strcmp(wb->name, hb->name) != 0;
}

/* The attachment the port has once steps 1-8 ran: NULL if detached by step 2. */
static const struct topo_bridge_port *attachment_mid(const struct ctx *x, const char *port,
						     const struct topo_bridge **br)
{
	const struct topo_bridge_port *bp = port_attachment(x->have, port, br);

	if (bp == NULL || must_detach(x, *br, port))
		return NULL;
	return bp;
}

/* ---- who a step counts under ----
 *
 * A person counts objects, as terraform counts resources: the ports, bridges, flow rules,
 * the VTEP, its static next hops and remote VTEPs that are added, changed in place,
 * removed or replaced. A step that only follows from another object's fate counts under
 * that object: the detach and re-attach of a port that is re-created (or added, or
 * removed) and its static MACs under the port; the attachments, static MACs and recording
 * of a bridge otherwise under the bridge; what runs on a re-created VTEP under it. The
 * plan's summary counts the objects and its body lists them, each with its steps.
 */

static struct owner owner_of(const char *obj, const char *name, char fate)
{
	struct owner o = {.obj = obj, .fate = fate};

	snprintf(o.name, sizeof(o.name), "%s", name);
	return o;
}

static char fate_of(bool in_have, bool in_want, bool kept)
{
	if (!in_have)
		return PLAN_FATE_ADD;
	if (!in_want)
		return PLAN_FATE_REMOVE;
	return kept ? PLAN_FATE_CHANGE : PLAN_FATE_REPLACE;
}

static struct owner port_owner(const struct ctx *x, const char *name)
{
	return owner_of("port", name,
			fate_of(topo_port_find(x->have, name) != NULL,
				topo_port_find(x->want, name) != NULL, port_kept(x, name)));
}

static struct owner bridge_owner(const struct ctx *x, const char *name)
{
	return owner_of("bridge", name,
			fate_of(topo_bridge_find(x->have, name) != NULL,
				topo_bridge_find(x->want, name) != NULL, bridge_kept(x, name)));
}

/* An attachment or static MAC of port on bridge: the port's when the port itself is
 * added, removed or re-created, else the bridge's. */
static struct owner member_owner(const struct ctx *x, const char *port, const char *bridge)
{
	if (port != NULL && port[0] != '\0' && !port_kept(x, port))
		return port_owner(x, port);
	return bridge_owner(x, bridge);
}

/* ---- the overlay: what stays ---- */

static bool addr_same(const struct topo_ip *a, const struct topo_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static bool remote_in(const struct topo *t, const struct topo_bridge *b, const struct topo_ip *ip)
{
	size_t n;
	const struct topo_remote *r = topo_bridge_remotes(t, b, &n);

	for (size_t i = 0; i < n; i++)
		if (addr_same(&r[i].ip, ip))
			return true;
	return false;
}

/* The VTEP runs on as it is: there is no vtep-set, so any change re-creates it, and so
 * does re-creating its underlay port (port-del is refused under a VTEP). */
static bool vtep_kept(const struct ctx *x)
{
	const struct topo_overlay *w = &x->want->overlay, *h = &x->have->overlay;

	return w->present && h->present && strcmp(w->name, h->name) == 0 &&
	       strcmp(w->port, h->port) == 0 && addr_same(&w->local_ip, &h->local_ip) &&
	       w->prefix_len == h->prefix_len && addr_same(&w->gateway, &h->gateway) &&
	       w->udp_port == h->udp_port && w->mtu == h->mtu && w->ttl == h->ttl &&
	       port_kept(x, w->port);
}

/* Does the running remote ip of bridge hb stay? Not when its VTEP or bridge is
 * re-created, the bridge's VNI changes (bridge-set refuses while remotes exist) or the
 * VLAN the VNI carries does (the tunnel port's access VLAN is set when it is made). */
static bool remote_kept(const struct ctx *x, const struct topo_bridge *hb, const struct topo_ip *ip)
{
	const struct topo_bridge *wb = topo_bridge_find(x->want, hb->name);

	return wb != NULL && hb->vni != 0 && wb->vni == hb->vni && vtep_kept(x) &&
	       bridge_kept(x, hb->name) && topo_bridge_vni_vlan(wb) == topo_bridge_vni_vlan(hb) &&
	       remote_in(x->want, wb, ip);
}

/* Does the static MAC survive steps 1-9 untouched? It does not when it goes away, moves
 * to another port, or its port or bridge is detached, re-attached or re-created (the
 * dataplane flushes a port's MACs then, so it is removed first and added back after). */
static bool static_kept(const struct ctx *x, const struct topo_bridge *hb,
			const struct topo_static_mac *m)
{
	const struct topo_bridge *wb = topo_bridge_find(x->want, hb->name);
	const struct topo_static_mac *wm = static_find(wb, m);
	const struct topo_bridge_port *hp, *wp;
	const struct topo_bridge *b;

	if (wm == NULL || strcmp(wm->port, m->port) != 0 || !addr_same(&wm->remote, &m->remote))
		return false;
	if (m->remote.family != 0)
		return remote_kept(x, hb, &m->remote);
	hp = attachment_mid(x, m->port, &b);
	wp = port_attachment(x->want, m->port, &b);
	return hp != NULL && wp != NULL && attach_equal(hp, wp);
}

static struct owner vtep_owner(const struct ctx *x, const char *name)
{
	const struct topo_overlay *w = &x->want->overlay, *h = &x->have->overlay;

	return owner_of("vtep", name,
			fate_of(h->present && strcmp(h->name, name) == 0,
				w->present && strcmp(w->name, name) == 0, vtep_kept(x)));
}

static void remote_name(const struct topo_bridge *b, const struct topo_ip *ip, char *buf,
			size_t size)
{
	char a[48];

	topo_ip_format(ip, false, a, sizeof(a));
	snprintf(buf, size, "%s %s", b->name, a);
}

/* Remote ip of bridge b (running: b is the running bridge) and the MACs behind it: its own
 * when it is added or removed; when it is re-created, the VTEP's if that is re-created,
 * else the bridge's (re-created, or changing its VNI). */
static struct owner remote_owner(const struct ctx *x, const struct topo_bridge *b,
				 const struct topo_ip *ip, bool running)
{
	const struct topo_bridge *hb = topo_bridge_find(x->have, b->name);
	const struct topo_bridge *wb = topo_bridge_find(x->want, b->name);
	bool in_h = hb != NULL && remote_in(x->have, hb, ip);
	bool in_w = wb != NULL && remote_in(x->want, wb, ip);
	char name[80];

	if (!in_h || !in_w) {
		remote_name(b, ip, name, sizeof(name));
		return owner_of("remote", name, fate_of(in_h, in_w, true));
	}
	if (!vtep_kept(x))
		return vtep_owner(x, running ? x->have->overlay.name : x->want->overlay.name);
	return bridge_owner(x, b->name);
}

static struct owner static_owner(const struct ctx *x, const struct topo_bridge *b,
				 const struct topo_static_mac *m, bool running)
{
	if (m->remote.family != 0)
		return remote_owner(x, b, &m->remote, running);
	return member_owner(x, m->port, b->name);
}

/* ---- the steps ---- */

/* An fdb step's name: "br MAC vlan N". */
static void fdb_name(const char *bridge, const struct topo_static_mac *m, char *buf, size_t size)
{
	char mac[18];

	vsw_mac_format(m->mac, mac);
	snprintf(buf, size, "%s %s vlan %u", bridge, mac, m->vlan);
}

static int fdb_removals(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_bridges; i++) {
		const struct topo_bridge *hb = &x->have->bridges[i];

		for (size_t k = 0; k < hb->n_static_macs; k++) {
			const struct topo_static_mac *m = &hb->static_macs[k];
			char name[80], where[80];
			struct owner o;
			int rc;

			if (static_kept(x, hb, m))
				continue;
			o = static_owner(x, hb, m, true);
			fdb_name(hb->name, m, name, sizeof(name));
			static_where(m, where, sizeof(where));
			rc = step_add(x->p, &o, PLAN_REMOVE, "fdb", name, "fdb-del",
				      fdb_del_args(hb->name, m), "fdb-add",
				      fdb_add_args(hb->name, hb, m), "static MAC %s", where);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int detaches(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_bridges; i++) {
		const struct topo_bridge *hb = &x->have->bridges[i];

		for (size_t k = 0; k < hb->n_ports; k++) {
			const struct topo_bridge_port *bp = &hb->ports[k];
			char name[80], how[200];
			struct owner o;
			int rc;

			if (!must_detach(x, hb, bp->port))
				continue;
			o = member_owner(x, bp->port, hb->name);
			snprintf(name, sizeof(name), "%s -> %s", bp->port, hb->name);
			attach_text(bp, how, sizeof(how));
			rc = step_add(x->p, &o, PLAN_REMOVE, "attach", name, "port-detach",
				      j_name("port", bp->port), "port-attach",
				      attach_args(hb->name, bp), "%s", how);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * The add (8b, 7, 5) or the removal (1d, 3, 4) of a VTEP, port or bridge, each counted
 * under itself: obj-add and obj-del {name}; add_args is what obj-add takes (a removal's
 * undo adds what ran back). why: what a removal says when the object is re-created.
 */
static int obj_step(struct ctx *x, const struct owner *o, bool adding, const char *obj,
		    const char *name, json_t *add_args, const char *text, const char *why)
{
	char add[16], del[16];

	snprintf(add, sizeof(add), "%s-add", obj);
	snprintf(del, sizeof(del), "%s-del", obj);
	if (adding)
		return step_add(x->p, o, PLAN_ADD, obj, name, add, add_args, del,
				j_name("name", name), "%s", text);
	return step_add(x->p, o, PLAN_REMOVE, obj, name, del, j_name("name", name), add, add_args,
			"%s%s", text, o->fate == PLAN_FATE_REPLACE ? why : "");
}

static void port_text(const struct topo_port *p, char *buf, size_t size)
{
	size_t off = 0;
	int n;

	n = snprintf(buf, size, "%s", topo_port_type_names[p->type]);
	off = n > 0 && (size_t)n < size ? (size_t)n : size - 1;
	for (size_t i = 0; i < p->n_opts && off < size - 1; i++) {
		const struct topo_port_opt *o = &p->opts[i];

		if (o->kind == TOPO_OPT_STRING)
			n = snprintf(buf + off, size - off, " %s=%s", o->key, o->str);
		else if (o->kind == TOPO_OPT_BOOL)
			n = snprintf(buf + off, size - off, " %s=%s", o->key,
				     o->b ? "true" : "false");
		else
			n = snprintf(buf + off, size - off, " %s=%u", o->key, o->u);
		if (n < 0)
			break;
		off += (size_t)n < size - off ? (size_t)n : size - off - 1;
	}
}

static int port_dels(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_ports; i++) {
		const struct topo_port *h = &x->have->ports[i];
		struct owner o = port_owner(x, h->name);
		char text[200];
		int rc;

		if (o.fate == PLAN_FATE_CHANGE)
			continue;
		port_text(h, text, sizeof(text));
		rc = obj_step(x, &o, false, "port", h->name, port_add_args(h), text,
			      " (re-created: type or options change)");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void bridge_text(const struct topo_bridge *b, char *buf, size_t size)
{
	int n = snprintf(buf, size, "mac_aging_s=%u max_macs=%u move_damp=%u move_damp_s=%u",
			 b->mac_aging_s, b->max_macs, b->move_damp, b->move_damp_s);

	if (b->vni != 0 && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " vni=%u remote_max_macs=%u", b->vni,
			 b->remote_max_macs);
}

static int bridge_dels(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_bridges; i++) {
		const struct topo_bridge *h = &x->have->bridges[i];
		struct owner o = bridge_owner(x, h->name);
		char text[200];
		int rc;

		if (o.fate == PLAN_FATE_CHANGE)
			continue;
		bridge_text(h, text, sizeof(text));
		rc = obj_step(x, &o, false, "bridge", h->name, bridge_add_args(h), text,
			      " (re-created: max_macs cannot shrink in place)");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int bridge_adds(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_bridges; i++) {
		const struct topo_bridge *w = &x->want->bridges[i];
		struct owner o = bridge_owner(x, w->name);
		char text[200];
		int rc;

		if (o.fate == PLAN_FATE_CHANGE)
			continue;
		bridge_text(w, text, sizeof(text));
		rc = obj_step(x, &o, true, "bridge", w->name, bridge_add_args(w), text, "");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A field of a bridge-set or port-set: its key, the wanted and the running value. */
struct set_field {
	const char *key;
	uint32_t w, h;
};

/* One cmd step (undone by the same cmd with the running values) for the fields of obj
 * name that differ, a change in place; no step when none differs. */
static int set_step(struct ctx *x, const char *obj, const char *name, const char *cmd,
		    const struct set_field *f, size_t n_f)
{
	json_t *args = j_name("name", name);
	json_t *undo = j_name("name", name);
	struct owner o;
	char text[200];
	size_t off = 0;

	text[0] = '\0';
	for (size_t k = 0; k < n_f; k++) {
		int n;

		if (f[k].w == f[k].h || args == NULL || undo == NULL)
			continue;
		if (json_object_set_new(args, f[k].key, json_integer(f[k].w)) < 0 ||
		    json_object_set_new(undo, f[k].key, json_integer(f[k].h)) < 0)
			break;
		n = snprintf(text + off, sizeof(text) - off, "%s%s %u -> %u", off ? ", " : "",
			     f[k].key, f[k].h, f[k].w);
		if (n > 0 && (size_t)n < sizeof(text) - off)
			off += (size_t)n;
	}
	if (off == 0) {
		json_decref(args);
		json_decref(undo);
		return 0;
	}
	o = owner_of(obj, name, PLAN_FATE_CHANGE);
	return step_add(x->p, &o, PLAN_CHANGE, obj, name, cmd, args, cmd, undo, "%s", text);
}

/* Does kept bridge h give up a VNI that another bridge wants? VNIs are unique in the
 * dataplane, so two bridges swapping theirs (or a new bridge taking one that moves) would
 * be refused: such a VNI is cleared first (4b), before any bridge-add or bridge-set. */
static bool vni_moves(const struct ctx *x, const struct topo_bridge *h)
{
	const struct topo_bridge *w = topo_bridge_find(x->want, h->name);

	if (w == NULL || h->vni == 0 || w->vni == h->vni || !bridge_kept(x, h->name))
		return false;
	for (size_t i = 0; i < x->want->n_bridges; i++)
		if (x->want->bridges[i].vni == h->vni &&
		    strcmp(x->want->bridges[i].name, h->name) != 0)
			return true;
	return false;
}

/* 4b: bridge-set vni 0 for the VNIs that move (undone by setting them back) */
static int vni_clears(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_bridges; i++) {
		const struct topo_bridge *h = &x->have->bridges[i];
		struct owner o = owner_of("bridge", h->name, PLAN_FATE_CHANGE);
		int rc;

		if (!vni_moves(x, h))
			continue;
		rc = step_add(x->p, &o, PLAN_CHANGE, "bridge", h->name, "bridge-set",
			      json_pack("{s:s, s:i}", "name", h->name, "vni", 0), "bridge-set",
			      json_pack("{s:s, s:I}", "name", h->name, "vni", (json_int_t)h->vni),
			      "vni %u -> 0 (VNI %u moves to another bridge)", h->vni, h->vni);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Fields of a bridge-set as (name, want, have); max_macs is its own, later, step. A VNI
 * cleared at 4b counts as 0 here. */
static int bridge_sets(struct ctx *x, bool max_macs)
{
	for (size_t i = 0; i < x->want->n_bridges; i++) {
		const struct topo_bridge *w = &x->want->bridges[i];
		const struct topo_bridge *h = topo_bridge_find(x->have, w->name);
		const struct set_field f[] = {
			{"mac_aging_s", w->mac_aging_s, h ? h->mac_aging_s : 0},
			{"move_damp", w->move_damp, h ? h->move_damp : 0},
			{"move_damp_s", w->move_damp_s, h ? h->move_damp_s : 0},
			{"vni", w->vni, h && !vni_moves(x, h) ? h->vni : 0},
			{"remote_max_macs", w->remote_max_macs, h ? h->remote_max_macs : 0},
		};
		struct owner o = owner_of("bridge", w->name, PLAN_FATE_CHANGE);
		int rc;

		if (!bridge_kept(x, w->name))
			continue;
		if (!max_macs)
			rc = set_step(x, "bridge", w->name, "bridge-set", f,
				      sizeof(f) / sizeof(f[0]));
		else if (w->max_macs != h->max_macs)
			rc = step_add(x->p, &o, PLAN_CHANGE, "bridge", w->name, "bridge-set",
				      json_pack("{s:s, s:I}", "name", w->name, "max_macs",
						(json_int_t)w->max_macs),
				      NULL, NULL, "max_macs %u -> %u", h->max_macs, w->max_macs);
		else
			rc = 0;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int port_adds(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_ports; i++) {
		const struct topo_port *w = &x->want->ports[i];
		struct owner o = port_owner(x, w->name);
		char text[200];
		int rc;

		if (o.fate == PLAN_FATE_CHANGE)
			continue;
		port_text(w, text, sizeof(text));
		rc = obj_step(x, &o, true, "port", w->name, port_add_args(w), text, "");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int port_sets(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_ports; i++) {
		const struct topo_port *w = &x->want->ports[i];
		const struct topo_port *h = topo_port_find(x->have, w->name);
		const struct set_field f[] = {
			{"storm_pps", w->storm_pps, h ? h->storm_pps : 0},
			{"storm_burst", w->storm_burst, h ? h->storm_burst : 0},
			{"max_macs", w->max_macs, h ? h->max_macs : 0},
		};
		int rc;

		if (!port_kept(x, w->name))
			continue;
		rc = set_step(x, "port", w->name, "port-set", f, sizeof(f) / sizeof(f[0]));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int attaches(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_bridges; i++) {
		const struct topo_bridge *wb = &x->want->bridges[i];

		for (size_t k = 0; k < wb->n_ports; k++) {
			const struct topo_bridge_port *bp = &wb->ports[k];
			const struct topo_bridge_port *mid;
			const struct topo_bridge *hb;
			char name[80], how[200], was[200];
			struct owner o;
			int rc;

			mid = attachment_mid(x, bp->port, &hb);
			if (mid != NULL && attach_equal(mid, bp))
				continue;
			o = member_owner(x, bp->port, wb->name);
			snprintf(name, sizeof(name), "%s -> %s", bp->port, wb->name);
			attach_text(bp, how, sizeof(how));
			if (mid != NULL) {
				/* same bridge, new VLANs: changed in place */
				attach_text(mid, was, sizeof(was));
				rc = step_add(x->p, &o, PLAN_CHANGE, "attach", name, "port-attach",
					      attach_args(wb->name, bp), "port-attach",
					      attach_args(hb->name, mid), "%s -> %s", was, how);
			} else {
				rc = step_add(x->p, &o, PLAN_ADD, "attach", name, "port-attach",
					      attach_args(wb->name, bp), "port-detach",
					      j_name("port", bp->port), "%s", how);
			}
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int fdb_adds(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_bridges; i++) {
		const struct topo_bridge *wb = &x->want->bridges[i];
		const struct topo_bridge *hb = topo_bridge_find(x->have, wb->name);

		for (size_t k = 0; k < wb->n_static_macs; k++) {
			const struct topo_static_mac *m = &wb->static_macs[k];
			const struct topo_static_mac *hm = static_find(hb, m);
			const struct topo_bridge *tb;
			char name[80], where[80];
			struct owner o;
			int rc;

			if (hm != NULL && static_kept(x, hb, hm))
				continue;
			o = static_owner(x, wb, m, false);
			fdb_name(wb->name, m, name, sizeof(name));
			static_where(m, where, sizeof(where));
			tb = m->remote.family != 0 && hb != NULL && remote_kept(x, hb, &m->remote)
				     ? hb
				     : wb;
			rc = step_add(x->p, &o, PLAN_ADD, "fdb", name, "fdb-add",
				      fdb_add_args(wb->name, tb, m), "fdb-del",
				      fdb_del_args(wb->name, m), "static MAC %s", where);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- flow rules ---- */

void ctrl_match_norm(struct topo_match *m)
{
	const struct topo_ip *ip = NULL;

	if (m->fields & TOPO_M_BIT(TOPO_M_IP_SRC))
		ip = &m->ip_src;
	else if (m->fields & TOPO_M_BIT(TOPO_M_IP_DST))
		ip = &m->ip_dst;
	if (ip != NULL && !(m->fields & TOPO_M_BIT(TOPO_M_ETH_TYPE))) {
		m->fields |= TOPO_M_BIT(TOPO_M_ETH_TYPE);
		m->eth_type = ip->family == 6 ? TOPO_ETH_IPV6 : TOPO_ETH_IPV4;
	}
}

static bool ip_same(const struct topo_ip *a, const struct topo_ip *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static bool match_same(const struct topo_match *ma, const struct topo_match *mb)
{
	struct topo_match a = *ma, b = *mb;
	uint32_t f;

	ctrl_match_norm(&a);
	ctrl_match_norm(&b);
	f = a.fields;
	return a.fields == b.fields &&
	       (!(f & TOPO_M_BIT(TOPO_M_IN_PORT)) || strcmp(a.in_port, b.in_port) == 0) &&
	       (!(f & TOPO_M_BIT(TOPO_M_VLAN)) || a.vlan == b.vlan) &&
	       (!(f & TOPO_M_BIT(TOPO_M_ETH_SRC)) ||
		(memcmp(a.eth_src, b.eth_src, 6) == 0 &&
		 memcmp(a.eth_src_mask, b.eth_src_mask, 6) == 0)) &&
	       (!(f & TOPO_M_BIT(TOPO_M_ETH_DST)) ||
		(memcmp(a.eth_dst, b.eth_dst, 6) == 0 &&
		 memcmp(a.eth_dst_mask, b.eth_dst_mask, 6) == 0)) &&
	       (!(f & TOPO_M_BIT(TOPO_M_ETH_TYPE)) || a.eth_type == b.eth_type) &&
	       (!(f & TOPO_M_BIT(TOPO_M_IP_SRC)) || ip_same(&a.ip_src, &b.ip_src)) &&
	       (!(f & TOPO_M_BIT(TOPO_M_IP_DST)) || ip_same(&a.ip_dst, &b.ip_dst)) &&
	       (!(f & TOPO_M_BIT(TOPO_M_IP_PROTO)) || a.ip_proto == b.ip_proto) &&
	       (!(f & TOPO_M_BIT(TOPO_M_L4_SRC)) || a.l4_src == b.l4_src) &&
	       (!(f & TOPO_M_BIT(TOPO_M_L4_DST)) || a.l4_dst == b.l4_dst) &&
	       (!(f & TOPO_M_BIT(TOPO_M_VNI)) || a.vni == b.vni);
}

static bool actions_same(const struct topo_flow *a, const struct topo_flow *b)
{
	if (a->n_actions != b->n_actions)
		return false;
	for (size_t i = 0; i < a->n_actions; i++) {
		const struct topo_action *x = &a->actions[i], *y = &b->actions[i];

		if (x->type != y->type || strcmp(x->port, y->port) != 0 || x->vlan != y->vlan)
			return false;
	}
	return true;
}

/* The rule of t that f pairs with: the same name in the same bridge, or for an unnamed
 * rule the first unnamed one with the same priority and match. NULL when none. */
static const struct topo_flow *flow_pair(const struct topo *t, const struct topo_flow *f)
{
	for (size_t i = 0; i < t->n_flows; i++) {
		const struct topo_flow *g = &t->flows[i];

		if (strcmp(g->bridge, f->bridge) != 0 || strcmp(g->name, f->name) != 0)
			continue;
		if (f->name[0] != '\0' ||
		    (g->priority == f->priority && match_same(&g->match, &f->match)))
			return g;
	}
	return NULL;
}

/* Does the running rule h stay (at most a flow-mod) with w as its desired self? Not when
 * its bridge or a port it names is re-created or removed: the dataplane keeps ports by
 * index, so such a rule is deleted before the port goes and added once it is back. */
static bool flow_kept(const struct ctx *x, const struct topo_flow *h, const struct topo_flow *w)
{
	if (w == NULL || flow_pair(x->have, w) != h || !bridge_kept(x, h->bridge) ||
	    !match_same(&h->match, &w->match))
		return false;
	if ((h->match.fields & TOPO_M_BIT(TOPO_M_IN_PORT)) && !port_kept(x, h->match.in_port))
		return false;
	for (size_t i = 0; i < h->n_actions; i++)
		if (h->actions[i].port[0] != '\0' && !port_kept(x, h->actions[i].port))
			return false;
	return true;
}

static json_t *match_json(const struct topo_match *m)
{
	static const uint8_t all[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	json_t *o = json_object();
	char buf[48], mask[18];
	int rc = 0;

	if (o == NULL)
		return NULL;
	if (m->fields & TOPO_M_BIT(TOPO_M_IN_PORT))
		rc |= json_object_set_new(o, "in_port", json_string(m->in_port));
	if (m->fields & TOPO_M_BIT(TOPO_M_VLAN))
		rc |= json_object_set_new(o, "vlan", json_integer(m->vlan));
	for (int dst = 0; dst < 2; dst++) {
		const uint8_t *mac = dst ? m->eth_dst : m->eth_src;
		const uint8_t *mk = dst ? m->eth_dst_mask : m->eth_src_mask;

		if (!(m->fields & TOPO_M_BIT(dst ? TOPO_M_ETH_DST : TOPO_M_ETH_SRC)))
			continue;
		vsw_mac_format(mac, buf);
		if (memcmp(mk, all, 6) != 0) {
			vsw_mac_format(mk, mask);
			snprintf(buf + 17, sizeof(buf) - 17, "/%s", mask);
		}
		rc |= json_object_set_new(o, dst ? "eth_dst" : "eth_src", json_string(buf));
	}
	if (m->fields & TOPO_M_BIT(TOPO_M_ETH_TYPE))
		rc |= json_object_set_new(o, "eth_type", json_integer(m->eth_type));
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_SRC)) {
		topo_ip_format(&m->ip_src, true, buf, sizeof(buf));
		rc |= json_object_set_new(o, "ip_src", json_string(buf));
	}
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_DST)) {
		topo_ip_format(&m->ip_dst, true, buf, sizeof(buf));
		rc |= json_object_set_new(o, "ip_dst", json_string(buf));
	}
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_PROTO))
		rc |= json_object_set_new(o, "ip_proto", json_integer(m->ip_proto));
	if (m->fields & TOPO_M_BIT(TOPO_M_L4_SRC))
		rc |= json_object_set_new(o, "l4_src", json_integer(m->l4_src));
	if (m->fields & TOPO_M_BIT(TOPO_M_L4_DST))
		rc |= json_object_set_new(o, "l4_dst", json_integer(m->l4_dst));
	if (m->fields & TOPO_M_BIT(TOPO_M_VNI))
		rc |= json_object_set_new(o, "vni", json_integer(m->vni));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void action_text(const struct topo_action *a, char *buf, size_t size)
{
	const char *name = (unsigned int)a->type < TOPO_ACT_MAX ? topo_action_names[a->type] : "?";

	if (a->type == TOPO_ACT_OUTPUT || a->type == TOPO_ACT_MIRROR)
		snprintf(buf, size, "%s:%s", name, a->port);
	else if (a->type == TOPO_ACT_PUSH_VLAN || a->type == TOPO_ACT_SET_VLAN)
		snprintf(buf, size, "%s:%u", name, a->vlan);
	else
		snprintf(buf, size, "%s", name);
}

static json_t *actions_json(const struct topo_flow *f)
{
	json_t *a = json_array();
	char buf[64];

	for (size_t i = 0; a != NULL && i < f->n_actions; i++) {
		action_text(&f->actions[i], buf, sizeof(buf));
		if (json_array_append_new(a, json_string(buf)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void actions_text(const struct topo_flow *f, char *buf, size_t size)
{
	size_t off = 0;
	char one[64];

	buf[0] = '\0';
	for (size_t i = 0; i < f->n_actions && off + 1 < size; i++) {
		int n;

		action_text(&f->actions[i], one, sizeof(one));
		n = snprintf(buf + off, size - off, "%s%s", i ? "," : "", one);
		if (n < 0)
			break;
		off += (size_t)n < size - off ? (size_t)n : size - off - 1;
	}
}

static json_t *flow_add_args(const struct topo_flow *f)
{
	json_t *o = json_pack("{s:s, s:I, s:o, s:o}", "bridge", f->bridge, "priority",
			      (json_int_t)f->priority, "match", match_json(&f->match), "actions",
			      actions_json(f));

	if (o != NULL && f->name[0] != '\0' &&
	    json_object_set_new(o, "name", json_string(f->name)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* How flow-del and flow-mod pick the rule: its name, else the id of a running rule. A rule
 * about to be added has no id yet (a wanted rule's loc is its place in the file): apply.c
 * puts the one flow-add answers into its undo. */
static json_t *flow_sel_args(const struct topo_flow *f, bool running)
{
	if (f->name[0] != '\0')
		return json_pack("{s:s, s:s}", "bridge", f->bridge, "name", f->name);
	if (running && CTRL_FLOW_ID(f) != 0)
		return json_pack("{s:s, s:I}", "bridge", f->bridge, "id",
				 (json_int_t)CTRL_FLOW_ID(f));
	return json_pack("{s:s}", "bridge", f->bridge);
}

/* sel: the running rule */
static json_t *flow_mod_args(const struct topo_flow *sel, const struct topo_flow *to)
{
	json_t *o = flow_sel_args(sel, true);

	if (o == NULL || json_object_set_new(o, "actions", actions_json(to)) < 0 ||
	    json_object_set_new(o, "priority", json_integer(to->priority)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "br0 no-dns", or for an unnamed rule "br0 priority 200 {match}" */
static void flow_name(const struct topo_flow *f, char *buf, size_t size)
{
	json_t *m;
	char *s;

	if (f->name[0] != '\0') {
		snprintf(buf, size, "%s %s", f->bridge, f->name);
		return;
	}
	m = match_json(&f->match);
	s = m != NULL ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(buf, size, "%s priority %u %s", f->bridge, f->priority, s != NULL ? s : "{}");
	free(s);
	json_decref(m);
}

/* A rule removed or added as it is counts under itself; one re-created because its bridge
 * or a port it names is re-created counts under that one. h and w: the running and the
 * desired rule, paired (either may be NULL). */
static struct owner flow_owner(const struct ctx *x, const struct topo_flow *h,
			       const struct topo_flow *w)
{
	char name[80];

	if (h != NULL && w != NULL) {
		if (!bridge_kept(x, h->bridge))
			return bridge_owner(x, h->bridge);
		if ((h->match.fields & TOPO_M_BIT(TOPO_M_IN_PORT)) &&
		    !port_kept(x, h->match.in_port))
			return port_owner(x, h->match.in_port);
		for (size_t i = 0; i < h->n_actions; i++)
			if (h->actions[i].port[0] != '\0' && !port_kept(x, h->actions[i].port))
				return port_owner(x, h->actions[i].port);
	}
	flow_name(w != NULL ? w : h, name, sizeof(name));
	return owner_of("flow", name,
			fate_of(h != NULL, w != NULL, h != NULL && flow_kept(x, h, w)));
}

static int flow_dels(struct ctx *x)
{
	for (size_t i = 0; i < x->have->n_flows; i++) {
		const struct topo_flow *h = &x->have->flows[i];
		const struct topo_flow *w = flow_pair(x->want, h);
		char name[80], acts[160];
		struct owner o;
		int rc;

		if (w != NULL && flow_pair(x->have, w) != h)
			w = NULL; /* the desired rule is another's */
		if (flow_kept(x, h, w))
			continue;
		o = flow_owner(x, h, w);
		flow_name(h, name, sizeof(name));
		actions_text(h, acts, sizeof(acts));
		rc = step_add(x->p, &o, PLAN_REMOVE, "flow", name, "flow-del",
			      flow_sel_args(h, true), "flow-add", flow_add_args(h),
			      "priority %u actions %s%s", h->priority, acts,
			      w != NULL ? " (re-created)" : "");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int flow_adds(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_flows; i++) {
		const struct topo_flow *w = &x->want->flows[i];
		const struct topo_flow *h = flow_pair(x->have, w);
		char name[80], acts[160], was[160], prio[40];
		struct owner o = flow_owner(x, h, w);
		int rc;

		flow_name(w, name, sizeof(name));
		actions_text(w, acts, sizeof(acts));
		if (h != NULL && flow_kept(x, h, w)) {
			if (h->priority == w->priority && actions_same(h, w))
				continue;
			actions_text(h, was, sizeof(was));
			if (h->priority != w->priority)
				snprintf(prio, sizeof(prio), "priority %u -> %u, ", h->priority,
					 w->priority);
			else
				prio[0] = '\0';
			rc = step_add(x->p, &o, PLAN_CHANGE, "flow", name, "flow-mod",
				      flow_mod_args(h, w), "flow-mod", flow_mod_args(h, h),
				      "%sactions %s -> %s", prio, was, acts);
		} else {
			rc = step_add(x->p, &o, PLAN_ADD, "flow", name, "flow-add",
				      flow_add_args(w), "flow-del", flow_sel_args(w, false),
				      "priority %u actions %s", w->priority, acts);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- the overlay: VTEP, static next hops, remote VTEPs ---- */

static json_t *vtep_add_args(const struct topo_overlay *ov)
{
	char ip[48];
	json_t *o;

	topo_ip_format(&ov->local_ip, false, ip, sizeof(ip));
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "name", ov->name, "port", ov->port,
		      "local_ip", ip, "prefix_len", (json_int_t)ov->prefix_len, "udp_port",
		      (json_int_t)ov->udp_port, "mtu", (json_int_t)ov->mtu, "ttl",
		      (json_int_t)ov->ttl);
	if (o != NULL && ov->gateway.family != 0) {
		topo_ip_format(&ov->gateway, false, ip, sizeof(ip));
		if (json_object_set_new(o, "gateway", json_string(ip)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static void vtep_text(const struct topo_overlay *ov, char *buf, size_t size)
{
	char ip[48], gw[60] = "";

	topo_ip_format(&ov->local_ip, false, ip, sizeof(ip));
	if (ov->gateway.family != 0) {
		snprintf(gw, sizeof(gw), " gateway ");
		topo_ip_format(&ov->gateway, false, gw + 9, sizeof(gw) - 9);
	}
	snprintf(buf, size, "%s/%u%s on %s, udp_port %u, mtu %u, ttl %u", ip, ov->prefix_len, gw,
		 ov->port, ov->udp_port, ov->mtu, ov->ttl);
}

static json_t *neigh_args(const char *vtep, const struct topo_neigh *nb, bool with_mac)
{
	char ip[48], mac[18];

	topo_ip_format(&nb->ip, false, ip, sizeof(ip));
	vsw_mac_format(nb->mac, mac);
	if (with_mac)
		return json_pack("{s:s, s:s, s:s}", "vtep", vtep, "ip", ip, "mac", mac);
	return json_pack("{s:s, s:s}", "vtep", vtep, "ip", ip);
}

static const struct topo_neigh *neigh_find(const struct topo_overlay *ov, const struct topo_ip *ip)
{
	for (size_t i = 0; ov->present && i < ov->n_neighbours; i++)
		if (addr_same(&ov->neighbours[i].ip, ip))
			return &ov->neighbours[i];
	return NULL;
}

/* The tunnel port is named in the request (its running name for an undo), so that the
 * static MACs behind it, added by name, find it whatever the dataplane's default is. */
static json_t *remote_add_args(const struct topo *t, const struct topo_bridge *b,
			       const struct topo_ip *ip)
{
	char a[48], port[TOPO_NAME_MAX + 64];

	topo_ip_format(ip, false, a, sizeof(a));
	topo_tunnel_name(b, ip, port, sizeof(port));
	return json_pack("{s:s, s:s, s:s, s:I, s:s}", "bridge", b->name, "remote", a, "vtep",
			 t->overlay.name, "vlan", (json_int_t)topo_bridge_vni_vlan(b), "port",
			 port);
}

static json_t *remote_del_args(const struct topo_bridge *b, const struct topo_ip *ip)
{
	char a[48];

	topo_ip_format(ip, false, a, sizeof(a));
	return json_pack("{s:s, s:s}", "bridge", b->name, "remote", a);
}

/* 1b (removing: remotes that go, their tunnel port and the MACs learned behind it with
 * them) and 9b (adding: once their bridge has its VNI and the VTEP runs): each remote of t
 * that does not stay as it runs, re-created ones both times. */
static int remote_steps(struct ctx *x, bool adding)
{
	const struct topo *t = adding ? x->want : x->have, *other = adding ? x->have : x->want;

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *b = &t->bridges[i];
		const struct topo_bridge *ob = topo_bridge_find(other, b->name);
		const struct topo_bridge *hb = adding ? ob : b;
		const struct topo_remote *r;
		size_t n;

		r = topo_bridge_remotes(t, b, &n);
		for (size_t k = 0; k < n; k++) {
			bool both = ob != NULL && remote_in(other, ob, &r[k].ip);
			char name[80], port[TOPO_NAME_MAX + 64];
			json_t *add = remote_add_args(t, b, &r[k].ip);
			json_t *del = remote_del_args(b, &r[k].ip);
			struct owner o;
			int rc;

			if ((both || !adding) && remote_kept(x, hb, &r[k].ip)) {
				json_decref(add);
				json_decref(del);
				continue;
			}
			o = remote_owner(x, b, &r[k].ip, !adding);
			remote_name(b, &r[k].ip, name, sizeof(name));
			topo_tunnel_name(b, &r[k].ip, port, sizeof(port));
			rc = step_add(
				x->p, &o, adding ? PLAN_ADD : PLAN_REMOVE, "remote", name,
				adding ? "vtep-remote-add" : "vtep-remote-del", adding ? add : del,
				adding ? "vtep-remote-del" : "vtep-remote-add", adding ? del : add,
				"VNI %u vlan %u, tunnel port %s%s", b->vni, topo_bridge_vni_vlan(b),
				port, both && !adding ? " (re-created)" : "");
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* 1b: remotes that go (their tunnel port and the MACs learned behind it go too) */
static int remote_dels(struct ctx *x)
{
	return remote_steps(x, false);
}

/* 1c, 1d: static next hops that go or change VTEP, then the VTEP itself */
static int vtep_dels(struct ctx *x)
{
	const struct topo_overlay *h = &x->have->overlay, *w = &x->want->overlay;
	bool kept = vtep_kept(x);
	struct owner o;
	char text[200];
	int rc;

	if (!h->present)
		return 0;
	for (size_t i = 0; i < h->n_neighbours; i++) {
		const struct topo_neigh *nb = &h->neighbours[i];
		char ip[48];

		if (kept && neigh_find(w, &nb->ip) != NULL)
			continue; /* stays, or neigh-add changes its MAC in place */
		topo_ip_format(&nb->ip, false, ip, sizeof(ip));
		/* re-added on a re-created VTEP: the VTEP's */
		o = neigh_find(w, &nb->ip) != NULL ? vtep_owner(x, h->name)
						   : owner_of("neigh", ip, PLAN_FATE_REMOVE);
		rc = step_add(x->p, &o, PLAN_REMOVE, "neigh", ip, "vtep-neigh-del",
			      neigh_args(h->name, nb, false), "vtep-neigh-add",
			      neigh_args(h->name, nb, true), "static next hop on %s", h->name);
		if (rc < 0)
			return rc;
	}
	if (kept)
		return 0;
	vtep_text(h, text, sizeof(text));
	o = vtep_owner(x, h->name);
	return obj_step(x, &o, false, "vtep", h->name, vtep_add_args(h), text, " (re-created)");
}

/* 8b, 8c: the VTEP (its underlay port exists and is in no bridge by now), its next hops */
static int vtep_adds(struct ctx *x)
{
	const struct topo_overlay *h = &x->have->overlay, *w = &x->want->overlay;
	bool kept = vtep_kept(x);
	struct owner o;
	char text[200];
	int rc;

	if (!w->present)
		return 0;
	if (!kept) {
		vtep_text(w, text, sizeof(text));
		o = vtep_owner(x, w->name);
		rc = obj_step(x, &o, true, "vtep", w->name, vtep_add_args(w), text, "");
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < w->n_neighbours; i++) {
		const struct topo_neigh *nb = &w->neighbours[i];
		const struct topo_neigh *old = kept ? neigh_find(h, &nb->ip) : NULL;
		char ip[48], was[18], mac[18];

		if (old != NULL && memcmp(old->mac, nb->mac, 6) == 0)
			continue;
		topo_ip_format(&nb->ip, false, ip, sizeof(ip));
		vsw_mac_format(nb->mac, mac);
		if (!kept && neigh_find(h, &nb->ip) != NULL)
			o = vtep_owner(x, w->name);
		else
			o = owner_of("neigh", ip, old != NULL ? PLAN_FATE_CHANGE : PLAN_FATE_ADD);
		if (old != NULL) {
			vsw_mac_format(old->mac, was);
			rc = step_add(x->p, &o, PLAN_CHANGE, "neigh", ip, "vtep-neigh-add",
				      neigh_args(w->name, nb, true), "vtep-neigh-add",
				      neigh_args(w->name, old, true), "mac %s -> %s", was, mac);
		} else {
			rc = step_add(x->p, &o, PLAN_ADD, "neigh", ip, "vtep-neigh-add",
				      neigh_args(w->name, nb, true), "vtep-neigh-del",
				      neigh_args(w->name, nb, false), "static next hop %s on %s",
				      mac, w->name);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* 9b: remotes, once their bridge has its VNI and the VTEP runs */
static int remote_adds(struct ctx *x)
{
	return remote_steps(x, true);
}

/* ---- recordings ---- */

static json_t *record_start_args(const char *bridge, const struct topo_record *r)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "bridge", bridge, "file", r->file, "snaplen",
			      (json_int_t)r->snaplen, "format",
			      r->format == TOPO_REC_PCAP ? "pcap" : "pcapng");

	if (o != NULL && r->filter[0] != '\0' &&
	    json_object_set_new(o, "filter", json_string(r->filter)) < 0)
		goto out_free;
	/* max_files only with rotation: the dataplane keeps one file otherwise */
	if (o != NULL && r->max_size_kb != 0 &&
	    (json_object_set_new(o, "max_size_kb", json_integer(r->max_size_kb)) < 0 ||
	     json_object_set_new(o, "max_files", json_integer(r->max_files)) < 0))
		goto out_free;
	return o;
out_free:
	json_decref(o);
	return NULL;
}

/* A running recording is stopped by its id (a finished one of the same bridge may still
 * be listed); one the plan starts, by its bridge. */
static json_t *record_stop_args(const char *bridge, const struct topo_record *r)
{
	if (r->id != 0)
		return json_pack("{s:I}", "id", (json_int_t)r->id);
	return json_pack("{s:s}", "bridge", bridge);
}

static void record_text(const struct topo_record *r, char *buf, size_t size)
{
	char rot[96] = "";
	int n = 0;

	if (r->max_size_kb != 0)
		n = snprintf(rot, sizeof(rot), ", %u KiB x %u files", r->max_size_kb, r->max_files);
	if (r->snaplen != TOPO_RECORD_SNAPLEN_MAX && n >= 0 && (size_t)n < sizeof(rot))
		snprintf(rot + n, sizeof(rot) - (size_t)n, ", snaplen %u", r->snaplen);
	snprintf(buf, size, "%.120s (%s%s%s%.40s%s)", r->file,
		 r->format == TOPO_REC_PCAP ? "pcap" : "pcapng", rot,
		 r->filter[0] != '\0' ? ", filter \"" : "", r->filter,
		 r->filter[0] != '\0' ? "\"" : "");
}

/* Must hb's running recording stop? When its bridge goes or is re-created (before the
 * bridge-del), when it differs from the desired one or failed or finished (it is started
 * again), and when the desired state no longer records the bridge, unless the controller
 * never started it (vswctl capture record: a person's, left alone). */
static bool record_stops(const struct ctx *x, const struct topo_bridge *hb)
{
	const struct topo_bridge *wb = topo_bridge_find(x->want, hb->name);

	if (!hb->record.present)
		return false;
	if (!bridge_kept(x, hb->name))
		return true;
	if (!wb->record.present)
		return !hb->record.adhoc;
	return hb->record.stale || !topo_record_equal(&wb->record, &hb->record);
}

/* 3b (early: the bridge goes) or 10c (late: the bridge stays, so the stop and the start
 * that replaces it are next to each other and few frames go unrecorded) */
static int record_stop_steps(struct ctx *x, bool early)
{
	for (size_t i = 0; i < x->have->n_bridges; i++) {
		const struct topo_bridge *hb = &x->have->bridges[i];
		const struct topo_bridge *wb = topo_bridge_find(x->want, hb->name);
		char text[256];
		struct owner o;
		bool again;
		int rc;

		if (!record_stops(x, hb) || early == bridge_kept(x, hb->name))
			continue;
		again = wb != NULL && wb->record.present;
		o = bridge_owner(x, hb->name);
		record_text(&hb->record, text, sizeof(text));
		rc = step_add(x->p, &o, again ? PLAN_CHANGE : PLAN_REMOVE, "record", hb->name,
			      "record-stop", record_stop_args(hb->name, &hb->record),
			      "record-start", record_start_args(hb->name, &hb->record), "%s%s",
			      text,
			      hb->record.stale ? " (failed or finished: started again)"
			      : again	       ? " (settings change: started again)"
					       : "");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* 10d: after the bridge and its ports exist, before the one step without an undo */
static int record_start_steps(struct ctx *x)
{
	for (size_t i = 0; i < x->want->n_bridges; i++) {
		const struct topo_bridge *wb = &x->want->bridges[i];
		const struct topo_bridge *hb = topo_bridge_find(x->have, wb->name);
		char text[256];
		struct owner o;
		int rc;

		if (!wb->record.present ||
		    (hb != NULL && hb->record.present && !record_stops(x, hb)))
			continue;
		o = bridge_owner(x, wb->name);
		record_text(&wb->record, text, sizeof(text));
		rc = step_add(x->p, &o, hb != NULL && hb->record.present ? PLAN_CHANGE : PLAN_ADD,
			      "record", wb->name, "record-start",
			      record_start_args(wb->name, &wb->record), "record-stop",
			      j_name("bridge", wb->name), "%s", text);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool dataplane_equal(const struct topo_dataplane *a, const struct topo_dataplane *b)
{
	return a->n_workers == b->n_workers &&
	       memcmp(a->workers, b->workers, a->n_workers * sizeof(a->workers[0])) == 0 &&
	       a->control_cpu == b->control_cpu && a->memory_mb == b->memory_mb &&
	       a->mbufs == b->mbufs && a->idle_sleep_max_us == b->idle_sleep_max_us &&
	       a->huge == b->huge;
}

static bool same_owner(const struct plan_step *a, const struct plan_step *b)
{
	return strcmp(a->owner_obj, b->owner_obj) == 0 && strcmp(a->owner_name, b->owner_name) == 0;
}

static int owner_cmp(const void *pa, const void *pb)
{
	const struct plan_step *a = *(const struct plan_step *const *)pa;
	const struct plan_step *b = *(const struct plan_step *const *)pb;
	int c = strcmp(a->owner_obj, b->owner_obj);

	if (c == 0)
		c = strcmp(a->owner_name, b->owner_name);
	return c != 0 ? c : (a > b) - (a < b); /* then in plan order */
}

/* An object's fate from its steps': added and removed (or re-created by any) is replaced;
 * steps in place do not change an add or a removal. */
static char fate_merge(char a, char b)
{
	if (a == b || b == PLAN_FATE_CHANGE)
		return a;
	if (a == PLAN_FATE_CHANGE)
		return b;
	return PLAN_FATE_REPLACE;
}

/* Gather the steps by owner into p->objs, in the order of each object's first step, and
 * count the objects for the summary. Sorted, not searched: a plan may hold 10,000 rules. */
static int group_steps(struct plan *p)
{
	struct plan_step **by = malloc((p->n + 1) * sizeof(*by));
	size_t *obj_of = malloc((p->n + 1) * sizeof(*obj_of));

	p->objs = calloc(p->n + 1, sizeof(*p->objs));
	if (by == NULL || obj_of == NULL || p->objs == NULL) {
		free(by);
		free(obj_of);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++)
		by[i] = &p->v[i];
	qsort(by, p->n, sizeof(*by), owner_cmp);
	/* each step's group: for now the index of its object's first step */
	for (size_t i = 0; i < p->n; i++)
		by[i]->group = i > 0 && same_owner(by[i - 1], by[i]) ? by[i - 1]->group
								     : (size_t)(by[i] - p->v);
	for (size_t i = 0; i < p->n; i++) {
		struct plan_step *s = &p->v[i];
		struct plan_obj *o;

		if (s->group == i) {
			o = &p->objs[p->n_objs];
			o->fate = s->fate;
			snprintf(o->obj, sizeof(o->obj), "%s", s->owner_obj);
			snprintf(o->name, sizeof(o->name), "%s", s->owner_name);
			obj_of[i] = p->n_objs++;
		}
		s->group = obj_of[s->group];
		o = &p->objs[s->group];
		o->fate = fate_merge(o->fate, s->fate);
		o->n_steps++;
	}
	for (size_t k = 0; k < p->n_objs; k++) {
		char f = p->objs[k].fate;

		p->n_add += f == PLAN_FATE_ADD || f == PLAN_FATE_REPLACE;
		p->n_remove += f == PLAN_FATE_REMOVE || f == PLAN_FATE_REPLACE;
		p->n_change += f == PLAN_FATE_CHANGE;
	}
	free(by);
	free(obj_of);
	return 0;
}

int reconcile_plan(const struct topo *want, const struct topo *have, struct plan *p)
{
	struct ctx x = {.want = want, .have = have, .p = p};
	int rc;

	plan_init(p);
	if ((rc = flow_dels(&x)) < 0 || (rc = fdb_removals(&x)) < 0 || (rc = remote_dels(&x)) < 0 ||
	    (rc = vtep_dels(&x)) < 0 || (rc = detaches(&x)) < 0 || (rc = port_dels(&x)) < 0 ||
	    (rc = record_stop_steps(&x, true)) < 0 || (rc = bridge_dels(&x)) < 0 ||
	    (rc = vni_clears(&x)) < 0 || (rc = bridge_adds(&x)) < 0 ||
	    (rc = bridge_sets(&x, false)) < 0 || (rc = port_adds(&x)) < 0 ||
	    (rc = port_sets(&x)) < 0 || (rc = vtep_adds(&x)) < 0 || (rc = attaches(&x)) < 0 ||
	    (rc = remote_adds(&x)) < 0 || (rc = fdb_adds(&x)) < 0 || (rc = flow_adds(&x)) < 0 ||
	    (rc = record_stop_steps(&x, false)) < 0 || (rc = record_start_steps(&x)) < 0 ||
	    (rc = bridge_sets(&x, true)) < 0 || (rc = group_steps(p)) < 0) {
		plan_clear(p);
		return rc;
	}
	if (!dataplane_equal(&want->dataplane, &have->dataplane))
		note_add(p, "dataplane: settings are options of vsw-dataplane's command line; "
			    "they apply when it is (re)started with them, not through this plan");
	return 0;
}

static const char *fate_sign(char fate)
{
	return fate == PLAN_FATE_REPLACE  ? "-/+"
	       : fate == PLAN_FATE_ADD	  ? "+"
	       : fate == PLAN_FATE_REMOVE ? "-"
					  : "~";
}

/* The objects, each with the indices of its steps: NULL when out of memory. */
static json_t *objects_json(const struct plan *p)
{
	json_t *objs = json_array(), **steps = calloc(p->n_objs + 1, sizeof(*steps));

	for (size_t k = 0; objs != NULL && steps != NULL && k < p->n_objs; k++) {
		const struct plan_obj *o = &p->objs[k];

		steps[k] = json_array();
		if (json_array_append_new(objs, json_pack("{s:s, s:s, s:s, s:O}", "sign",
							  fate_sign(o->fate), "object", o->obj,
							  "name", o->name, "steps", steps[k])) <
			    0 ||
		    steps[k] == NULL)
			goto out_fail;
		json_decref(steps[k]); /* the object holds it */
	}
	for (size_t i = 0; objs != NULL && steps != NULL && i < p->n; i++)
		if (json_array_append_new(steps[p->v[i].group], json_integer((json_int_t)i)) < 0)
			goto out_fail;
	if (steps == NULL)
		goto out_fail;
	free(steps);
	return objs;
out_fail:
	free(steps);
	json_decref(objs);
	return NULL;
}

json_t *plan_json(const struct plan *p)
{
	json_t *changes = json_array(), *notes = json_array(), *objs = objects_json(p);

	for (size_t i = 0; changes != NULL && i < p->n; i++) {
		const struct plan_step *s = &p->v[i];
		char sign[2] = {s->sign, '\0'};

		if (json_array_append_new(changes,
					  json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "sign", sign,
						    "object", s->obj, "name", s->name, "text",
						    s->text, "cmd", s->cmd, "args", s->args)) < 0) {
			json_decref(changes);
			changes = NULL;
		}
	}
	for (size_t i = 0; notes != NULL && i < p->n_notes; i++)
		if (json_array_append_new(notes, json_string(p->notes[i])) < 0) {
			json_decref(notes);
			notes = NULL;
		}
	if (changes == NULL || notes == NULL || objs == NULL) {
		json_decref(changes);
		json_decref(notes);
		json_decref(objs);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:o}", "changes", changes, "objects", objs,
			 "add", (json_int_t)p->n_add, "change", (json_int_t)p->n_change, "remove",
			 (json_int_t)p->n_remove, "notes", notes);
}
