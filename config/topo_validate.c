/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the parts of a topology fit together, once each field is known to be well formed
 * (topo_load.c): every name a bridge, flow or overlay uses exists, a port sits in at most
 * one bridge, resources two ports cannot share (a vhost-user socket, an interface, a
 * capture file) are not shared, VNIs are unique, static MACs sit on a VLAN their port
 * carries, and flows meet their prerequisites (as OVS: ip fields need eth_type ipv4/ipv6,
 * l4 ports need ip_proto tcp/udp/sctp). Works on a model alone, so the controller can run
 * it on state built by imperative commands too; it reports all it finds.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "vsw_util.h"

#define PATH_SIZE 256

struct vd {
	const struct topo *t;
	const char *file;
	struct topo_errors *errs;
	size_t n;
};

__attribute__((format(printf, 5, 6))) static void add(struct vd *vd, struct topo_loc loc,
						      const char *path, const char *expected,
						      const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (topo_errors_add(vd->errs, vd->file, loc.line, loc.column, path, expected, "%s", msg) ==
	    0)
		vd->n++;
}

/* "one of the defined ports: a, b, c" (the first few; a list of 256 helps nobody). */
static void port_names(const struct topo *t, const struct topo_bridge *only, char *buf, size_t size)
{
	size_t len = 0, shown = 0, total = only ? only->n_ports : t->n_ports;
	int w;

	if (total == 0) {
		snprintf(buf, size,
			 only ? "a port of bridge %s (it has none)"
			      : "a port defined under ports: (there are none)",
			 only ? only->name : "");
		return;
	}
	w = snprintf(buf, size,
		     only ? "one of the ports of bridge %s: " : "one of the defined ports: ",
		     only ? only->name : "");
	len = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < total && len < size; i++) {
		const char *name = only ? only->ports[i].port : t->ports[i].name;

		if (shown == 12) {
			snprintf(buf + len, size - len, ", ...");
			return;
		}
		w = snprintf(buf + len, size - len, "%s%s", shown ? ", " : "", name);
		len += w > 0 ? (size_t)w : 0;
		shown++;
	}
}

static void bridge_names(const struct topo *t, char *buf, size_t size)
{
	size_t len;
	int w;

	if (t->n_bridges == 0) {
		snprintf(buf, size, "a bridge defined under bridges: (there are none)");
		return;
	}
	w = snprintf(buf, size, "one of the defined bridges: ");
	len = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < t->n_bridges && len < size; i++) {
		if (i == 12) {
			snprintf(buf + len, size - len, ", ...");
			return;
		}
		w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", t->bridges[i].name);
		len += w > 0 ? (size_t)w : 0;
	}
}

static const struct topo_port_opt *opt_get(const struct topo_port *p, const char *key)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		if (strcmp(p->opts[i].key, key) == 0)
			return &p->opts[i];
	}
	return NULL;
}

/* The kernel interface a tap port creates: its iface option, else its own name. */
static const char *tap_iface(const struct topo_port *p)
{
	const struct topo_port_opt *o = opt_get(p, "iface");

	return o ? o->str : p->name;
}

/* Two ports of `type` must not share the string option `key`. */
static void unique_opt(struct vd *vd, enum topo_port_type type, const char *key, const char *what)
{
	const struct topo *t = vd->t;

	for (size_t i = 0; i < t->n_ports; i++) {
		const struct topo_port *p = &t->ports[i];
		const char *v = type == TOPO_PORT_TAP && strcmp(key, "iface") == 0
					? tap_iface(p)
					: (opt_get(p, key) ? opt_get(p, key)->str : NULL);
		const struct topo_port_opt *o = opt_get(p, key);

		if (p->type != type || v == NULL)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct topo_port *q = &t->ports[j];
			const char *w = type == TOPO_PORT_TAP && strcmp(key, "iface") == 0
						? tap_iface(q)
						: (opt_get(q, key) ? opt_get(q, key)->str : NULL);
			char path[PATH_SIZE];

			if (q->type != type || w == NULL || strcmp(v, w) != 0)
				continue;
			snprintf(path, sizeof(path), "ports.%s.%s", p->name, key);
			add(vd, o ? o->loc : p->loc, path, "each port its own",
			    "%s \"%s\" is already used by port \"%s\"", what, v, q->name);
			break;
		}
	}
}

static void check_ports(struct vd *vd)
{
	const struct topo *t = vd->t;

	for (size_t i = 0; i < t->n_ports; i++) {
		const struct topo_port *p = &t->ports[i];
		char path[PATH_SIZE];

		snprintf(path, sizeof(path), "ports.%s", p->name);
		if (!vsw_name_valid(p->name))
			add(vd, p->loc, path, "1..31 characters of A-Z a-z 0-9 _ . -",
			    "\"%s\" is not a valid port name", p->name);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t->ports[j].name, p->name) == 0) {
				add(vd, p->loc, path, "each name once",
				    "port \"%s\" is defined twice", p->name);
				break;
			}
		}
	}
	unique_opt(vd, TOPO_PORT_VHOST_USER, "socket", "socket");
	unique_opt(vd, TOPO_PORT_AF_PACKET, "iface", "interface");
	unique_opt(vd, TOPO_PORT_TAP, "iface", "interface");
	unique_opt(vd, TOPO_PORT_PCAP, "tx_pcap", "capture file");
}

static bool port_carries(const struct topo_bridge_port *bp, uint16_t vlan)
{
	if (bp->mode == TOPO_VLAN_ACCESS)
		return bp->vlan == vlan;
	return vsw_vlan_bit(bp->trunk, vlan) || bp->native == vlan;
}

static const struct topo_bridge_port *bridge_port(const struct topo_bridge *br, const char *name)
{
	for (size_t i = 0; i < br->n_ports; i++) {
		if (strcmp(br->ports[i].port, name) == 0)
			return &br->ports[i];
	}
	return NULL;
}

static void check_bridge_ports(struct vd *vd, const struct topo_bridge *br, size_t bi)
{
	const struct topo *t = vd->t;
	char expect[512];

	for (size_t i = 0; i < br->n_ports; i++) {
		const struct topo_bridge_port *bp = &br->ports[i];
		char path[PATH_SIZE];
		bool dup = false;

		snprintf(path, sizeof(path), "bridges.%s.ports.%s", br->name, bp->port);
		if (topo_port_find(t, bp->port) == NULL) {
			port_names(t, NULL, expect, sizeof(expect));
			add(vd, bp->loc, path, expect, "no port named \"%s\"", bp->port);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(br->ports[j].port, bp->port) == 0;
		if (dup) {
			add(vd, bp->loc, path, "each port once", "port \"%s\" is listed twice",
			    bp->port);
			continue;
		}
		/* The first bridge to name a port keeps it; the later ones are at fault. */
		for (size_t b = 0; b < bi; b++) {
			const struct topo_bridge_port *other =
				bridge_port(&t->bridges[b], bp->port);

			if (other != NULL) {
				char at[48];

				add(vd, bp->loc, path, "each port in at most one bridge",
				    "port \"%s\" is already in bridge \"%s\"%s", bp->port,
				    t->bridges[b].name,
				    topo_errors_at(vd->errs, " at ", other->loc.line, 0, at,
						   sizeof(at)));
				break;
			}
		}
		if (t->overlay.present && strcmp(t->overlay.port, bp->port) == 0)
			add(vd, bp->loc, path, "the underlay port outside every bridge",
			    "port \"%s\" is the overlay's underlay port, overlay.vtep.port",
			    bp->port);
		if (bp->mode == TOPO_VLAN_ACCESS && (bp->vlan < 1 || bp->vlan > TOPO_VLAN_MAX))
			add(vd, bp->vlan_loc, path, "an integer 1..4094", "VLAN %u is out of range",
			    bp->vlan);
		if (bp->mode == TOPO_VLAN_TRUNK) {
			bool any = false;

			for (unsigned int v = 1; v <= TOPO_VLAN_MAX && !any; v++)
				any = vsw_vlan_bit(bp->trunk, v);
			if (!any)
				add(vd, bp->vlan_loc, path, "at least one VLAN in trunk",
				    "trunk port allows no VLAN");
		}
	}
}

/* ---- duplicates among many (flows, static MACs): sort by hash, compare within runs,
 * so 65536 flows cost n log n and not n^2 comparisons ---- */

struct hkey {
	uint64_t h;
	size_t i;
};

static int hkey_cmp(const void *a, const void *b)
{
	const struct hkey *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static uint64_t fnv(uint64_t h, const void *p, size_t size)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

#define FNV_INIT 14695981039346656037ull

struct dup_ops {
	uint64_t (*hash)(const void *ctx, size_t i);
	bool (*eq)(const void *ctx, size_t a, size_t b);
	/* i equals the earlier j */
	void (*report)(struct vd *vd, const void *ctx, size_t i, size_t j);
};

static void find_dups(struct vd *vd, size_t n, const struct dup_ops *ops, const void *ctx)
{
	struct hkey *k;

	if (n < 2)
		return;
	k = malloc(n * sizeof(*k));
	if (k == NULL) {
		add(vd, (struct topo_loc){0, 0}, "", NULL, "out of memory checking duplicates");
		return;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct hkey){ops->hash(ctx, i), i};
	qsort(k, n, sizeof(*k), hkey_cmp);
	for (size_t s = 0, e; s < n; s = e) {
		for (e = s + 1; e < n && k[e].h == k[s].h; e++)
			;
		for (size_t a = s + 1; a < e; a++) {
			for (size_t b = s; b < a; b++) {
				if (ops->eq(ctx, k[b].i, k[a].i)) {
					ops->report(vd, ctx, k[a].i, k[b].i);
					break;
				}
			}
		}
	}
	free(k);
}

static uint64_t sm_hash(const void *ctx, size_t i)
{
	const struct topo_static_mac *sm = &((const struct topo_bridge *)ctx)->static_macs[i];

	return fnv(fnv(FNV_INIT, sm->mac, 6), &sm->vlan, sizeof(sm->vlan));
}

static bool sm_eq(const void *ctx, size_t a, size_t b)
{
	const struct topo_bridge *br = ctx;

	return (br->static_macs[a].port[0] != '\0' || br->static_macs[a].remote.family != 0) &&
	       (br->static_macs[b].port[0] != '\0' || br->static_macs[b].remote.family != 0) &&
	       memcmp(br->static_macs[a].mac, br->static_macs[b].mac, 6) == 0 &&
	       br->static_macs[a].vlan == br->static_macs[b].vlan;
}

static void sm_report(struct vd *vd, const void *ctx, size_t i, size_t j)
{
	const struct topo_bridge *br = ctx;
	const struct topo_static_mac *sm = &br->static_macs[i];
	char path[PATH_SIZE], mac[18], at[48];

	vsw_mac_format(sm->mac, mac);
	snprintf(path, sizeof(path), "bridges.%s.static_macs[%zu].mac", br->name, i);
	add(vd, sm->loc, path, "each (mac, vlan) once",
	    "%s on VLAN %u is already static_macs[%zu]%s", mac, sm->vlan, j,
	    topo_errors_at(vd->errs, " at ", br->static_macs[j].loc.line, 0, at, sizeof(at)));
}

static const struct dup_ops sm_ops = {sm_hash, sm_eq, sm_report};

static bool ip_same(const struct topo_ip *a, const struct topo_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* What the dataplane takes as a VTEP's, a remote's or a next hop's address (ip_unicast in
 * overlay/vtep.c): IPv4 not 0.0.0.0, loopback, multicast or class E; IPv6 not ::, ::1,
 * multicast (ff00::/8) or IPv4-mapped (::ffff:0:0/96: an IPv4 VTEP is IPv4). */
static bool ip_unicast(const struct topo_ip *ip)
{
	static const uint8_t zero[16], loop[16] = {[15] = 1}, mapped[12] = {[10] = 0xff, 0xff};

	if (ip->family == 4)
		return memcmp(ip->addr, zero, 4) != 0 && ip->addr[0] < 224 && ip->addr[0] != 127;
	return memcmp(ip->addr, zero, 16) != 0 && memcmp(ip->addr, loop, 16) != 0 &&
	       ip->addr[0] != 0xff && memcmp(ip->addr, mapped, 12) != 0;
}

/* The VTEP's family is its local_ip's: everything else on the underlay must share it. */
static const char *family_expect(const struct topo_overlay *ov)
{
	return ov->local_ip.family == 4 ? "an IPv4 address, as local_ip"
					: "an IPv6 address, as local_ip";
}

/* An underlay address at path: unicast, and of local_ip's family when that is known.
 * Returns false (after saying why) when it is not. */
static bool underlay_ip_ok(struct vd *vd, const struct topo_ip *ip, struct topo_loc loc,
			   const char *path)
{
	const struct topo_overlay *ov = &vd->t->overlay;
	char a[64];

	topo_ip_format(ip, false, a, sizeof(a));
	if (ov->local_ip.family != 0 && ip->family != ov->local_ip.family) {
		add(vd, loc, path, family_expect(ov), "%s is not of local_ip's family", a);
		return false;
	}
	if (!ip_unicast(ip)) {
		add(vd, loc, path, "a unicast address", "%s is not a unicast address", a);
		return false;
	}
	return true;
}

/* A MAC behind a remote VTEP sits on that remote's tunnel port, an access port of the
 * VLAN the VNI carries: so the bridge needs a vni, the remote must be in its flood list,
 * and the MAC's VLAN is the VNI's. */
static void check_static_remote(struct vd *vd, const struct topo_bridge *br,
				const struct topo_static_mac *sm, size_t i)
{
	const struct topo_remote *rs;
	char path[PATH_SIZE], a[64], expect[64];
	size_t n, k;

	topo_ip_format(&sm->remote, false, a, sizeof(a));
	snprintf(path, sizeof(path), "bridges.%s.static_macs[%zu].remote", br->name, i);
	if (br->vni == 0) {
		add(vd, sm->port_loc, path, "port: on a bridge without a vni",
		    "bridge \"%s\" has no vni, so no MAC of it is behind a remote VTEP", br->name);
		return;
	}
	if (vd->t->overlay.local_ip.family != 0 &&
	    sm->remote.family != vd->t->overlay.local_ip.family) {
		add(vd, sm->port_loc, path, family_expect(&vd->t->overlay),
		    "%s is not of local_ip's family", a);
		return;
	}
	rs = topo_bridge_remotes(vd->t, br, &n);
	for (k = 0; k < n && !ip_same(&rs[k].ip, &sm->remote); k++)
		;
	if (k == n) {
		add(vd, sm->port_loc, path,
		    br->has_remotes ? "one of the bridge's remotes" : "one of overlay.remotes",
		    "%s is not a remote VTEP of bridge \"%s\"", a, br->name);
		return;
	}
	if (sm->vlan != topo_bridge_vni_vlan(br)) {
		snprintf(path, sizeof(path), "bridges.%s.static_macs[%zu].vlan", br->name, i);
		snprintf(expect, sizeof(expect), "vlan: %u, the bridge's vni_vlan",
			 topo_bridge_vni_vlan(br));
		add(vd, sm->loc, path, expect, "VNI %u carries VLAN %u only, not %u", br->vni,
		    topo_bridge_vni_vlan(br), sm->vlan);
	}
}

static void check_static_macs(struct vd *vd, const struct topo_bridge *br)
{
	char expect[512], mac[18];

	for (size_t i = 0; i < br->n_static_macs; i++) {
		const struct topo_static_mac *sm = &br->static_macs[i];
		const struct topo_bridge_port *bp = bridge_port(br, sm->port);
		char path[PATH_SIZE];

		if (sm->port[0] == '\0' && sm->remote.family == 0)
			continue; /* the loader reported what is wrong with it */
		vsw_mac_format(sm->mac, mac);
		if (sm->remote.family != 0) {
			check_static_remote(vd, br, sm, i);
			continue;
		}
		snprintf(path, sizeof(path), "bridges.%s.static_macs[%zu].port", br->name, i);
		if (bp == NULL) {
			port_names(vd->t, br, expect, sizeof(expect));
			add(vd, sm->port_loc, path, expect, "port \"%s\" is not in bridge \"%s\"",
			    sm->port, br->name);
		} else if (!port_carries(bp, sm->vlan)) {
			char vl[64];

			if (bp->mode == TOPO_VLAN_ACCESS) {
				snprintf(expect, sizeof(expect), "vlan: %u, the port's access VLAN",
					 bp->vlan);
			} else {
				vsw_vlan_list_format(bp->trunk, vl, sizeof(vl));
				snprintf(expect, sizeof(expect),
					 "a VLAN of the port's trunk: %s%s%.0u", vl,
					 bp->native ? " or native " : "", bp->native);
			}
			snprintf(path, sizeof(path), "bridges.%s.static_macs[%zu].vlan", br->name,
				 i);
			add(vd, sm->loc, path, expect, "port \"%s\" does not carry VLAN %u",
			    sm->port, sm->vlan);
		}
	}
	find_dups(vd, br->n_static_macs, &sm_ops, br);
}

/* A list of remote VTEPs (overlay.remotes or a bridge's): of local_ip's family, not
 * local_ip, each once. */
static void check_remotes(struct vd *vd, const struct topo_remote *rs, size_t n, const char *where)
{
	const struct topo_overlay *ov = &vd->t->overlay;
	char path[PATH_SIZE], a[64];

	for (size_t i = 0; i < n; i++) {
		const struct topo_remote *r = &rs[i];

		if (r->ip.family == 0)
			continue; /* unreadable: the loader said so */
		snprintf(path, sizeof(path), "%s[%zu]", where, i);
		topo_ip_format(&r->ip, false, a, sizeof(a));
		if (!underlay_ip_ok(vd, &r->ip, r->loc, path))
			continue;
		if (memcmp(r->ip.addr, ov->local_ip.addr, 16) == 0) {
			add(vd, r->loc, path, "another VTEP's address", "%s is local_ip itself", a);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (ip_same(&rs[j].ip, &r->ip)) {
				add(vd, r->loc, path, "each remote once", "%s is already %s[%zu]",
				    a, where, j);
				break;
			}
		}
	}
}

/*
 * The overlay settings of a bridge mean something only with a vni; and its overlay MTU
 * (the largest inner IP packet a host of the bridge may send) plus the 50 bytes of outer
 * headers (70 over IPv6) must fit the underlay's MTU, or the dataplane drops those frames
 * one by one (vxlan_mtu_exceeded): refused here, before anything runs.
 */
static void check_bridge_overlay(struct vd *vd, const struct topo_bridge *br)
{
	const struct topo_overlay *ov = &vd->t->overlay;
	char path[PATH_SIZE], where[PATH_SIZE], expect[160];
	uint32_t mtu, oh = topo_overlay_overhead(ov);

	if (br->vni == 0) {
		static const char *const why = "a vni: the bridge is not on the overlay";
		const struct {
			bool given;
			struct topo_loc loc;
			const char *key;
		} f[] = {
			{br->vni_vlan_loc.line != 0, br->vni_vlan_loc, "vni_vlan"},
			{br->mtu != 0, br->mtu_loc, "mtu"},
			{br->has_remotes, br->remotes_loc, "remotes"},
			{br->remote_max_macs != 0, br->loc, "remote_max_macs"},
		};

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			if (!f[k].given)
				continue;
			snprintf(path, sizeof(path), "bridges.%s.%s", br->name, f[k].key);
			add(vd, f[k].loc, path, why,
			    "an overlay setting on a bridge without a vni");
		}
		return;
	}
	if (br->has_remotes) {
		snprintf(where, sizeof(where), "bridges.%s.remotes", br->name);
		check_remotes(vd, br->remotes, br->n_remotes, where);
	}
	if (!ov->present)
		return;
	mtu = topo_bridge_mtu(vd->t, br);
	if (mtu + oh <= ov->mtu)
		return;
	snprintf(expect, sizeof(expect), "mtu at most %u, or overlay.vtep.mtu of at least %u",
		 ov->mtu > oh ? ov->mtu - oh : 0, mtu + oh);
	if (br->mtu != 0) {
		snprintf(path, sizeof(path), "bridges.%s.mtu", br->name);
		add(vd, br->mtu_loc, path, expect,
		    "overlay MTU %u + %u bytes of VXLAN headers exceeds the underlay MTU %u "
		    "(overlay.vtep.mtu%s)",
		    mtu, oh, ov->mtu, ov->mtu_loc.line ? "" : ", the default");
	}
}

static void check_bridges(struct vd *vd)
{
	const struct topo *t = vd->t;

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];
		char path[PATH_SIZE];

		snprintf(path, sizeof(path), "bridges.%s", br->name);
		if (!vsw_name_valid(br->name))
			add(vd, br->loc, path, "1..31 characters of A-Z a-z 0-9 _ . -",
			    "\"%s\" is not a valid bridge name", br->name);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t->bridges[j].name, br->name) == 0)
				add(vd, br->loc, path, "each name once",
				    "bridge \"%s\" is defined twice", br->name);
		}
		check_bridge_ports(vd, br, i);
		check_static_macs(vd, br);
		check_bridge_overlay(vd, br);
		if (br->vni == 0)
			continue;
		snprintf(path, sizeof(path), "bridges.%s.vni", br->name);
		if (br->vni > TOPO_VNI_MAX)
			add(vd, br->vni_loc, path, "an integer 1..16777215", "%u is out of range",
			    br->vni);
		if (!t->overlay.present)
			add(vd, br->vni_loc, path, "an overlay: section with the VTEP",
			    "VNI %u but no overlay is defined", br->vni);
		for (size_t j = 0; j < i; j++) {
			if (t->bridges[j].vni == br->vni) {
				add(vd, br->vni_loc, path, "each VNI in one bridge",
				    "VNI %u is already bridge \"%s\"'s", br->vni,
				    t->bridges[j].name);
				break;
			}
		}
	}
}

/* Is path one of the files recording r writes: its file, or a rotated FILE.N? */
static bool record_writes(const struct topo_record *r, const char *path)
{
	size_t len = strlen(r->file);
	unsigned long n;
	char *end;

	if (strcmp(r->file, path) == 0)
		return true;
	if (r->max_size_kb == 0 || strncmp(r->file, path, len) != 0 || path[len] != '.' ||
	    path[len + 1] < '1' || path[len + 1] > '9')
		return false;
	n = strtoul(path + len + 1, &end, 10);
	return *end == '\0' && n < r->max_files;
}

/* Two recordings into one file (or into the other's rotated files) would truncate each
 * other's frames: the later bridge is at fault. */
static void check_records(struct vd *vd)
{
	const struct topo *t = vd->t;
	char path[PATH_SIZE], expect[64], at[48];

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_record *r = &t->bridges[i].record;

		if (!r->present)
			continue;
		snprintf(path, sizeof(path), "bridges.%s.record.file", t->bridges[i].name);
		if (r->file[0] != '/') {
			add(vd, r->file_loc, path, "an absolute path", "\"%.200s\" is not absolute",
			    r->file);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const struct topo_record *o = &t->bridges[j].record;

			if (!o->present ||
			    (!record_writes(o, r->file) && !record_writes(r, o->file)))
				continue;
			snprintf(expect, sizeof(expect), "a file of bridge %s's own",
				 t->bridges[i].name);
			add(vd, r->file_loc, path, expect,
			    "%s is already written by bridge \"%s\"'s recording (%s%s)", r->file,
			    t->bridges[j].name, o->file,
			    topo_errors_at(vd->errs, ", ", o->file_loc.line, 0, at, sizeof(at)));
			break;
		}
	}
}

static bool prefix_holds(const struct topo_ip *net, unsigned int len, const struct topo_ip *ip)
{
	for (unsigned int bit = 0; bit < len && bit < 128; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if ((net->addr[bit / 8] & m) != (ip->addr[bit / 8] & m))
			return false;
	}
	return true;
}

static void check_overlay(struct vd *vd)
{
	const struct topo *t = vd->t;
	const struct topo_overlay *ov = &t->overlay;
	char expect[512], a[64];

	if (!ov->present)
		return;
	if (ov->port[0] != '\0' && topo_port_find(t, ov->port) == NULL) {
		port_names(t, NULL, expect, sizeof(expect));
		add(vd, ov->port_loc, "overlay.vtep.port", expect, "no port named \"%s\"",
		    ov->port);
	}
	check_remotes(vd, ov->remotes, ov->n_remotes, "overlay.remotes");
	if (ov->local_ip.family != 0 && !ip_unicast(&ov->local_ip)) {
		topo_ip_format(&ov->local_ip, false, a, sizeof(a));
		add(vd, ov->local_ip_loc, "overlay.vtep.local_ip", "a unicast address",
		    "%s is not a unicast address", a);
	}
	if (ov->local_ip.family != 0 && ov->prefix_len > (ov->local_ip.family == 4 ? 32 : 128))
		add(vd, ov->prefix_loc, "overlay.vtep.prefix_len",
		    ov->local_ip.family == 4 ? "1..32 for an IPv4 local_ip" : "1..128",
		    "%u is longer than an address", ov->prefix_len);
	/* the loader took 576..9216: IPv6 links carry 1280 at least (RFC 8200 section 5) */
	if (ov->local_ip.family == 6 && ov->mtu < TOPO_MIN_UNDERLAY_MTU6) {
		snprintf(expect, sizeof(expect), "an integer %u..%u for an IPv6 local_ip",
			 TOPO_MIN_UNDERLAY_MTU6, TOPO_MAX_UNDERLAY_MTU);
		add(vd, ov->mtu_loc, "overlay.vtep.mtu", expect, "%u is out of range", ov->mtu);
	}
	if (ov->gateway.family != 0 && ov->local_ip.family != 0) {
		const char *path = "overlay.vtep.gateway";
		bool ok = underlay_ip_ok(vd, &ov->gateway, ov->gateway_loc, path);

		topo_ip_format(&ov->gateway, false, a, sizeof(a));
		if (ok && ip_same(&ov->gateway, &ov->local_ip))
			add(vd, ov->gateway_loc, path, "another host on the underlay subnet",
			    "%s is local_ip itself", a);
		else if (ok && ov->prefix_len <= (ov->local_ip.family == 4 ? 32 : 128) &&
			 !prefix_holds(&ov->local_ip, ov->prefix_len, &ov->gateway))
			add(vd, ov->gateway_loc, path, "an address on local_ip's subnet",
			    "%s is not on the underlay subnet (local_ip/prefix_len %u)", a,
			    ov->prefix_len);
	}
	for (size_t i = 0; i < ov->n_neighbours; i++) {
		const struct topo_neigh *nb = &ov->neighbours[i];
		char path[PATH_SIZE];

		if (nb->ip.family == 0)
			continue;
		snprintf(path, sizeof(path), "overlay.neighbours[%zu].ip", i);
		topo_ip_format(&nb->ip, false, a, sizeof(a));
		if (!underlay_ip_ok(vd, &nb->ip, nb->loc, path))
			continue;
		for (size_t j = 0; j < i; j++) {
			if (ip_same(&ov->neighbours[j].ip, &nb->ip)) {
				add(vd, nb->loc, path, "each next hop once",
				    "%s is already overlay.neighbours[%zu]", a, j);
				break;
			}
		}
	}
}

static void check_match(struct vd *vd, const struct topo_flow *f, size_t fi,
			const struct topo_bridge *br)
{
	const struct topo_match *m = &f->match;
	bool ip = (m->fields & TOPO_M_BIT(TOPO_M_ETH_TYPE)) &&
		  (m->eth_type == TOPO_ETH_IPV4 || m->eth_type == TOPO_ETH_IPV6);
	char path[PATH_SIZE], expect[512];

#define MPATH(field)                                                                               \
	snprintf(path, sizeof(path), "flows[%zu].match.%s", fi, topo_match_names[field])
	if ((m->fields & TOPO_M_BIT(TOPO_M_IN_PORT)) && br != NULL &&
	    bridge_port(br, m->in_port) == NULL) {
		MPATH(TOPO_M_IN_PORT);
		port_names(vd->t, br, expect, sizeof(expect));
		add(vd, m->loc[TOPO_M_IN_PORT], path, expect, "port \"%s\" is not in bridge \"%s\"",
		    m->in_port, br->name);
	}
	for (int i = 0; i < 2; i++) {
		enum topo_match_field fld = i ? TOPO_M_IP_DST : TOPO_M_IP_SRC;
		const struct topo_ip *a = i ? &m->ip_dst : &m->ip_src;

		if (!(m->fields & TOPO_M_BIT(fld)))
			continue;
		MPATH(fld);
		if (!ip)
			add(vd, m->loc[fld], path, "eth_type: ipv4 or ipv6 in the same match",
			    "%s without an IP eth_type", topo_match_names[fld]);
		else if ((a->family == 4) != (m->eth_type == TOPO_ETH_IPV4))
			add(vd, m->loc[fld], path,
			    m->eth_type == TOPO_ETH_IPV4 ? "an IPv4 address, as eth_type is ipv4"
							 : "an IPv6 address, as eth_type is ipv6",
			    "an IPv%u address with eth_type %s", a->family,
			    m->eth_type == TOPO_ETH_IPV4 ? "ipv4" : "ipv6");
	}
	if ((m->fields & TOPO_M_BIT(TOPO_M_IP_PROTO)) && !ip) {
		MPATH(TOPO_M_IP_PROTO);
		add(vd, m->loc[TOPO_M_IP_PROTO], path, "eth_type: ipv4 or ipv6 in the same match",
		    "ip_proto without an IP eth_type");
	}
	for (int i = 0; i < 2; i++) {
		enum topo_match_field fld = i ? TOPO_M_L4_DST : TOPO_M_L4_SRC;
		bool l4 = (m->fields & TOPO_M_BIT(TOPO_M_IP_PROTO)) &&
			  (m->ip_proto == TOPO_IPPROTO_TCP || m->ip_proto == TOPO_IPPROTO_UDP ||
			   m->ip_proto == TOPO_IPPROTO_SCTP);

		if (!(m->fields & TOPO_M_BIT(fld)) || l4)
			continue;
		MPATH(fld);
		add(vd, m->loc[fld], path, "ip_proto: tcp, udp or sctp in the same match",
		    "an L4 port without a protocol that has ports");
	}
	if ((m->fields & TOPO_M_BIT(TOPO_M_VNI)) && br != NULL && br->vni == 0) {
		MPATH(TOPO_M_VNI);
		add(vd, m->loc[TOPO_M_VNI], path, "vni only on a bridge with a vni",
		    "bridge \"%s\" is not on the overlay, so no frame of it has a VNI", br->name);
	}
#undef MPATH
}

static void check_actions(struct vd *vd, const struct topo_flow *f, size_t fi,
			  const struct topo_bridge *br)
{
	const struct topo *t = vd->t;
	char path[PATH_SIZE], expect[512];
	int verdict = -1, count = -1;

	for (size_t i = 0; i < f->n_actions; i++) {
		const struct topo_action *a = &f->actions[i];

		snprintf(path, sizeof(path), "flows[%zu].actions[%zu]", fi, i);
		if (topo_action_is_verdict(a->type)) {
			if (verdict >= 0)
				add(vd, a->loc, path,
				    "one of drop, output, flood or normal, last in the list",
				    "%s after %s: a flow has one verdict",
				    topo_action_names[a->type],
				    topo_action_names[f->actions[verdict].type]);
			else
				verdict = (int)i;
		} else if (verdict >= 0) {
			add(vd, a->loc, path, "the verdict (drop, output, flood, normal) last",
			    "%s after the verdict %s", topo_action_names[a->type],
			    topo_action_names[f->actions[verdict].type]);
		}
		if (a->type == TOPO_ACT_COUNT) {
			if (count >= 0)
				add(vd, a->loc, path, "count once", "count is already actions[%d]",
				    count);
			count = (int)i;
		}
		if ((a->type == TOPO_ACT_PUSH_VLAN || a->type == TOPO_ACT_SET_VLAN) &&
		    (a->vlan < 1 || a->vlan > TOPO_VLAN_MAX))
			add(vd, a->loc, path, "a VLAN 1..4094", "VLAN %u is out of range", a->vlan);
		if (a->type == TOPO_ACT_OUTPUT && br != NULL && bridge_port(br, a->port) == NULL) {
			port_names(t, br, expect, sizeof(expect));
			add(vd, a->loc, path, expect, "output port \"%s\" is not in bridge \"%s\"",
			    a->port, br->name);
		}
		if (a->type == TOPO_ACT_MIRROR) {
			const struct topo_bridge *in = topo_port_bridge(t, a->port);

			if (topo_port_find(t, a->port) == NULL) {
				port_names(t, NULL, expect, sizeof(expect));
				add(vd, a->loc, path, expect, "no port named \"%s\"", a->port);
			} else if (br != NULL && in != NULL && in != br) {
				add(vd, a->loc, path, "a port of this bridge or of none",
				    "mirror port \"%s\" is in bridge \"%s\"", a->port, in->name);
			} else if (t->overlay.present && strcmp(t->overlay.port, a->port) == 0) {
				add(vd, a->loc, path, "a port other than the underlay",
				    "mirror port \"%s\" is the overlay's underlay port", a->port);
			}
		}
	}
}

static uint64_t flow_key_hash(const void *ctx, size_t i)
{
	const struct topo_flow *f = &((const struct topo *)ctx)->flows[i];
	const struct topo_match *m = &f->match;
	uint64_t h = fnv(FNV_INIT, f->bridge, strlen(f->bridge));

	h = fnv(h, &f->priority, sizeof(f->priority));
	h = fnv(h, &m->fields, sizeof(m->fields));
	if (m->fields & TOPO_M_BIT(TOPO_M_IN_PORT))
		h = fnv(h, m->in_port, strlen(m->in_port));
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_DST))
		h = fnv(h, m->ip_dst.addr, sizeof(m->ip_dst.addr));
	if (m->fields & TOPO_M_BIT(TOPO_M_L4_DST))
		h = fnv(h, &m->l4_dst, sizeof(m->l4_dst));
	if (m->fields & TOPO_M_BIT(TOPO_M_ETH_DST))
		h = fnv(h, m->eth_dst, sizeof(m->eth_dst));
	/* The other fields only make runs longer; equality checks them all. */
	return h;
}

static bool flow_key_eq(const void *ctx, size_t a, size_t b)
{
	const struct topo *t = ctx;

	return t->flows[a].bridge[0] != '\0' && topo_flow_same_key(&t->flows[a], &t->flows[b]);
}

static void flow_key_report(struct vd *vd, const void *ctx, size_t i, size_t j)
{
	const struct topo *t = ctx;
	char path[PATH_SIZE], at[48];

	snprintf(path, sizeof(path), "flows[%zu]", i);
	add(vd, t->flows[i].loc, path, "a different priority or match",
	    "same bridge, priority and match as flows[%zu]%s", j,
	    topo_errors_at(vd->errs, " at ", t->flows[j].loc.line, 0, at, sizeof(at)));
}

static uint64_t flow_name_hash(const void *ctx, size_t i)
{
	const struct topo_flow *f = &((const struct topo *)ctx)->flows[i];

	/* Unnamed flows all differ: spread them by index. */
	if (f->name[0] == '\0')
		return fnv(FNV_INIT ^ 1, &i, sizeof(i));
	return fnv(FNV_INIT, f->name, strlen(f->name));
}

static bool flow_name_eq(const void *ctx, size_t a, size_t b)
{
	const struct topo *t = ctx;

	return t->flows[a].name[0] != '\0' && strcmp(t->flows[a].name, t->flows[b].name) == 0;
}

static void flow_name_report(struct vd *vd, const void *ctx, size_t i, size_t j)
{
	const struct topo *t = ctx;
	char path[PATH_SIZE], at[48];

	snprintf(path, sizeof(path), "flows[%zu].name", i);
	add(vd, t->flows[i].loc, path, "each flow name once",
	    "flow name \"%s\" is already flows[%zu]'s%s", t->flows[i].name, j,
	    topo_errors_at(vd->errs, ", at ", t->flows[j].loc.line, 0, at, sizeof(at)));
}

static void check_flows(struct vd *vd)
{
	static const struct dup_ops key_ops = {flow_key_hash, flow_key_eq, flow_key_report};
	static const struct dup_ops name_ops = {flow_name_hash, flow_name_eq, flow_name_report};
	const struct topo *t = vd->t;
	char path[PATH_SIZE], expect[512];

	for (size_t i = 0; i < t->n_flows; i++) {
		const struct topo_flow *f = &t->flows[i];
		const struct topo_bridge *br = topo_bridge_find(t, f->bridge);

		/* No bridge: the loader found this flow broken and said why. */
		if (f->bridge[0] == '\0')
			continue;
		if (br == NULL) {
			snprintf(path, sizeof(path), "flows[%zu].bridge", i);
			bridge_names(t, expect, sizeof(expect));
			add(vd, f->bridge_loc, path, expect, "no bridge named \"%s\"", f->bridge);
		}
		check_match(vd, f, i, br);
		check_actions(vd, f, i, br);
	}
	find_dups(vd, t->n_flows, &name_ops, t);
	find_dups(vd, t->n_flows, &key_ops, t);
}

size_t topo_validate(const struct topo *t, const char *file, struct topo_errors *errs)
{
	struct vd vd = {.t = t, .file = file, .errs = errs};

	if (t->version != TOPO_VERSION)
		add(&vd, (struct topo_loc){0, 0}, "version", "1", "version %u is not supported",
		    t->version);
	check_ports(&vd);
	check_bridges(&vd);
	check_records(&vd);
	check_overlay(&vd);
	check_flows(&vd);
	return vd.n;
}
