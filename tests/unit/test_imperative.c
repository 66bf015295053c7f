/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/imperative.c: imperative commands as edits of the desired topology. imp_edit
 * against models loaded from YAML (a bridge, a port, attach and re-attach, static MACs,
 * flow rules added, deleted by name and by the dataplane's id, modified), the existence
 * rules the dataplane has (EEXIST, ENOENT, EBUSY) and their waivers (--may-exist,
 * --if-exists), arguments the model cannot hold; imp_reload's checks (a dangling port, a
 * static MAC on a VLAN its port does not carry: the file validator's errors, named after
 * the command, without a line); and imp_request end to end against a fake dataplane
 * link: the plan sent, the state file written, a refused step leaving everything as it
 * was and nothing saved.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "imperative.h"

static struct topo *load(const char *yaml)
{
	struct topo_errors errs;
	struct topo *t;

	topo_errors_init(&errs);
	t = topo_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	if (t == NULL)
		topo_errors_print(&errs, stderr);
	topo_errors_clear(&errs);
	assert_non_null(t);
	return t;
}

static const char base[] =
	"version: 1\n"
	"ports:\n"
	"  a: { type: null }\n"
	"  b: { type: ring }\n"
	"  c: { type: null }\n"
	"bridges:\n"
	"  br0:\n"
	"    ports:\n"
	"      a: { vlan: 10 }\n"
	"      b: { trunk: [10, 20] }\n"
	"    static_macs:\n"
	"      - { mac: \"02:00:00:00:00:01\", port: a, vlan: 10 }\n"
	"  br1: {}\n"
	"flows:\n"
	"  - { name: f1, bridge: br0, priority: 200, match: { in_port: a },\n"
	"      actions: [drop] }\n"
	"  - { bridge: br0, priority: 100, match: { eth_type: arp }, actions: [count] }\n";

/* Run one edit given as JSON args; returns imp_edit's answer, the outcome in *o. */
static int edit(struct topo *t, const struct topo *have, const char *cmd, const char *args,
		unsigned int flags, struct imp_outcome *o, char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *a = json_loads(args, 0, &jerr);
	int rc;

	if (a == NULL)
		fail_msg("bad test JSON %s: %s", args, jerr.text);
	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	rc = imp_edit(t, have, cmd, a, flags, o, err, errsz);
	json_decref(a);
	return rc;
}

/* The edit must succeed and change the model; returns the reloaded (checked) model. */
static struct topo *edit_ok(struct topo *t, const char *cmd, const char *args)
{
	struct imp_outcome o;
	struct topo_errors errs;
	struct topo *r;
	char err[512];
	int rc = edit(t, NULL, cmd, args, 0, &o, err, sizeof(err));

	if (rc != 0)
		fail_msg("%s %s: %d %s", cmd, args, rc, err);
	assert_true(o.changed);
	assert_false(o.pass_through);
	imp_outcome_clear(&o);
	topo_errors_init(&errs);
	r = imp_reload(t, cmd, &errs);
	if (r == NULL)
		topo_errors_print(&errs, stderr);
	assert_non_null(r);
	topo_errors_clear(&errs);
	topo_free(t);
	return r;
}

static void test_bridge_add_set_del(void **state)
{
	struct topo *t = load(base);
	const struct topo_bridge *b;

	(void)state;
	t = edit_ok(t, "bridge-add", "{\"name\": \"br2\", \"mac_aging_s\": 60, \"max_macs\": 100}");
	b = topo_bridge_find(t, "br2");
	assert_non_null(b);
	assert_int_equal(b->mac_aging_s, 60);
	assert_int_equal(b->max_macs, 100);
	assert_int_equal(b->move_damp, 5); /* defaults for what was not given */
	t = edit_ok(t, "bridge-set", "{\"name\": \"br2\", \"move_damp\": 0}");
	b = topo_bridge_find(t, "br2");
	assert_int_equal(b->move_damp, 0);
	assert_int_equal(b->mac_aging_s, 60);
	t = edit_ok(t, "bridge-del", "{\"name\": \"br2\"}");
	assert_null(topo_bridge_find(t, "br2"));
	assert_int_equal(t->n_bridges, 2);
	topo_free(t);
}

static void test_port_add_attach(void **state)
{
	struct topo *t = load(base);
	const struct topo_bridge *b;
	const struct topo_port *p;

	(void)state;
	t = edit_ok(
		t, "port-add",
		"{\"name\": \"p9\", \"type\": \"null\", \"options\": {\"rx\": true, \"size\": 64},"
		" \"storm_pps\": 1000}");
	p = topo_port_find(t, "p9");
	assert_non_null(p);
	assert_int_equal(p->type, TOPO_PORT_NULL);
	assert_int_equal(p->storm_pps, 1000);
	assert_int_equal(p->storm_burst, 64);
	assert_int_equal(p->n_opts, 2);
	t = edit_ok(t, "port-attach",
		    "{\"port\": \"p9\", \"bridge\": \"br1\", \"trunk\": [5, \"7-9\"], "
		    "\"native\": 5}");
	b = topo_port_bridge(t, "p9");
	assert_non_null(b);
	assert_string_equal(b->name, "br1");
	assert_int_equal(b->ports[0].mode, TOPO_VLAN_TRUNK);
	assert_int_equal(b->ports[0].native, 5);
	assert_true(b->ports[0].trunk[1] & (1u << 0)); /* VLAN 8 */
	/* moved to another bridge: out of br1 */
	t = edit_ok(t, "port-attach", "{\"port\": \"p9\", \"bridge\": \"br0\", \"vlan\": 30}");
	assert_string_equal(topo_port_bridge(t, "p9")->name, "br0");
	assert_int_equal(topo_bridge_find(t, "br1")->n_ports, 0);
	t = edit_ok(t, "port-detach", "{\"port\": \"p9\"}");
	assert_null(topo_port_bridge(t, "p9"));
	t = edit_ok(t, "port-set", "{\"name\": \"p9\", \"max_macs\": 7}");
	assert_int_equal(topo_port_find(t, "p9")->max_macs, 7);
	t = edit_ok(t, "port-del", "{\"name\": \"p9\"}");
	assert_null(topo_port_find(t, "p9"));
	topo_free(t);
}

/* A port detached (or moved away) takes its static MACs in that bridge with it, as the
 * dataplane flushes them. */
static void test_attach_moves_static_macs(void **state)
{
	struct topo *t = load(base);

	(void)state;
	assert_int_equal(topo_bridge_find(t, "br0")->n_static_macs, 1);
	t = edit_ok(t, "flow-del", "{\"bridge\": \"br0\", \"name\": \"f1\"}"); /* names a */
	t = edit_ok(t, "port-attach", "{\"port\": \"a\", \"bridge\": \"br1\"}");
	assert_int_equal(topo_bridge_find(t, "br0")->n_static_macs, 0);
	assert_int_equal(topo_bridge_find(t, "br1")->ports[0].vlan, 1);
	topo_free(t);
}

static void test_static_mac(void **state)
{
	struct topo *t = load(base);
	struct imp_outcome o;
	const struct topo_bridge *b;
	char err[512];

	(void)state;
	t = edit_ok(t, "fdb-add",
		    "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:02\", \"port\": \"b\", "
		    "\"vlan\": 10}");
	b = topo_bridge_find(t, "br0");
	assert_int_equal(b->n_static_macs, 2);
	assert_int_equal(b->static_macs[1].vlan, 10);
	assert_string_equal(b->static_macs[1].port, "b");
	/* the same key again moves the entry, as the dataplane replaces it */
	t = edit_ok(t, "fdb-add",
		    "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:02\", \"port\": \"a\", "
		    "\"vlan\": 10}");
	b = topo_bridge_find(t, "br0");
	assert_int_equal(b->n_static_macs, 2);
	assert_string_equal(b->static_macs[1].port, "a");
	t = edit_ok(t, "fdb-del",
		    "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:01\", \"vlan\": 10}");
	b = topo_bridge_find(t, "br0");
	assert_int_equal(b->n_static_macs, 1);
	/* not a static MAC of the desired state: the dataplane's to answer (a learned one) */
	assert_int_equal(edit(t, NULL, "fdb-del",
			      "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:09\"}", 0, &o, err,
			      sizeof(err)),
			 0);
	assert_true(o.pass_through);
	assert_false(o.changed);
	imp_outcome_clear(&o);
	assert_int_equal(
		edit(t, NULL, "fdb-add",
		     "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:zz\", \"port\": \"a\"}", 0,
		     &o, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "fdb-add br0: mac \"02:00:00:00:00:zz\" is not a MAC address"));
	imp_outcome_clear(&o);
	topo_free(t);
}

static void test_flow_add_del_mod(void **state)
{
	struct topo *t = load(base), *have;
	struct imp_outcome o;
	const struct topo_flow *f;
	char err[512];

	(void)state;
	assert_int_equal(
		edit(t, NULL, "flow-add",
		     "{\"bridge\": \"br0\", \"flows\": [{\"name\": \"dns\", \"priority\": 300, "
		     "\"match\": {\"in_port\": \"b\", \"eth_type\": \"ipv4\", \"ip_proto\": "
		     "\"udp\", \"l4_dst\": 53, \"ip_src\": \"198.51.100.0/24\"}, \"actions\": "
		     "[\"count\", \"output:a\"]}, {\"match\": {\"eth_src\": "
		     "\"02:00:00:00:00:00/ff:ff:ff:00:00:00\"}, \"actions\": [\"set_vlan:20\", "
		     "\"normal\"]}]}",
		     0, &o, err, sizeof(err)),
		0);
	assert_true(o.changed);
	assert_int_equal(o.n_added, 2);
	assert_string_equal(o.added[0].name, "dns");
	imp_outcome_clear(&o);
	{
		struct topo_errors errs;
		struct topo *r;

		topo_errors_init(&errs);
		r = imp_reload(t, "flow-add br0", &errs);
		if (r == NULL)
			topo_errors_print(&errs, stderr);
		assert_non_null(r);
		topo_errors_clear(&errs);
		topo_free(t);
		t = r;
	}
	assert_int_equal(t->n_flows, 4);
	f = &t->flows[2];
	assert_string_equal(f->name, "dns");
	assert_int_equal(f->priority, 300);
	assert_int_equal(f->match.l4_dst, 53);
	assert_int_equal(f->match.ip_src.prefix, 24);
	assert_int_equal(f->n_actions, 2);
	assert_int_equal(f->actions[1].type, TOPO_ACT_OUTPUT);
	assert_int_equal(t->flows[3].priority, 32768);
	assert_int_equal(t->flows[3].actions[0].vlan, 20);

	/* a second rule of that name in the bridge */
	assert_int_equal(edit(t, NULL, "flow-add",
			      "{\"bridge\": \"br0\", \"name\": \"dns\", \"actions\": [\"drop\"]}",
			      0, &o, err, sizeof(err)),
			 -EEXIST);
	imp_outcome_clear(&o);
	topo_free(t);

	/* by the id the dataplane gave: only the running state knows it */
	t = load(base);
	have = load(base);
	have->flows[0].loc.line = 7; /* CTRL_FLOW_ID: f1 */
	have->flows[1].loc.line = 8; /* the unnamed arp rule: paired by priority and match */
	assert_int_equal(edit(t, have, "flow-mod",
			      "{\"bridge\": \"br0\", \"id\": 8, \"actions\": [\"drop\"], "
			      "\"priority\": 90}",
			      0, &o, err, sizeof(err)),
			 0);
	assert_true(o.changed);
	assert_int_equal(t->flows[1].priority, 90);
	assert_int_equal(t->flows[1].actions[0].type, TOPO_ACT_DROP);
	imp_outcome_clear(&o);
	assert_int_equal(edit(t, have, "flow-del", "{\"bridge\": \"br0\", \"id\": 7}", 0, &o, err,
			      sizeof(err)),
			 0);
	assert_int_equal(o.deleted, 1);
	assert_int_equal(t->n_flows, 1);
	assert_string_equal(t->flows[0].name, "");
	imp_outcome_clear(&o);
	/* an id nobody has: the dataplane answers */
	assert_int_equal(edit(t, have, "flow-del", "{\"bridge\": \"br0\", \"id\": 99}", 0, &o, err,
			      sizeof(err)),
			 0);
	assert_true(o.pass_through);
	imp_outcome_clear(&o);
	assert_int_equal(edit(t, have, "flow-del", "{\"bridge\": \"br0\", \"all\": true}", 0, &o,
			      err, sizeof(err)),
			 0);
	assert_int_equal(o.deleted, 1);
	assert_int_equal(t->n_flows, 0);
	imp_outcome_clear(&o);
	assert_int_equal(edit(t, have, "flow-del",
			      "{\"bridge\": \"br0\", \"id\": 7, \"all\": true}", 0, &o, err,
			      sizeof(err)),
			 -EINVAL);
	imp_outcome_clear(&o);
	topo_free(have);
	topo_free(t);
}

/* Exists / does not exist, as the dataplane says it, and the flags that waive it. */
static void test_exists_and_waivers(void **state)
{
	static const struct {
		const char *cmd, *args;
		unsigned int flags;
		int rc;
		const char *msg;
	} cases[] = {
		{"bridge-add", "{\"name\": \"br0\"}", 0, -EEXIST,
		 "bridge-add br0: bridge \"br0\" exists"},
		{"bridge-add", "{\"name\": \"br0\"}", IMP_MAY_EXIST, 0, NULL},
		{"port-add", "{\"name\": \"a\", \"type\": \"ring\"}", 0, -EEXIST,
		 "port \"a\" exists"},
		{"port-add", "{\"name\": \"a\", \"type\": \"ring\"}", IMP_MAY_EXIST, 0, NULL},
		{"port-del", "{\"name\": \"zz\"}", 0, -ENOENT, "port-del zz: no port \"zz\""},
		{"port-del", "{\"name\": \"zz\"}", IMP_IF_EXISTS, 0, NULL},
		{"bridge-del", "{\"name\": \"zz\"}", IMP_IF_EXISTS, 0, NULL},
		{"bridge-del", "{\"name\": \"br0\"}", 0, -EBUSY, "2 ports are still attached"},
		{"port-attach", "{\"port\": \"c\", \"bridge\": \"nobr\"}", 0, -ENOENT,
		 "port-attach c: no bridge \"nobr\""},
		{"port-attach", "{\"port\": \"zz\", \"bridge\": \"br0\"}", 0, -ENOENT,
		 "no port \"zz\""},
		{"port-detach", "{\"port\": \"c\"}", 0, -ENOENT, "not attached to a bridge"},
		{"port-detach", "{\"port\": \"c\"}", IMP_IF_EXISTS, 0, NULL},
		{"flow-del", "{\"bridge\": \"nobr\", \"name\": \"x\"}", IMP_IF_EXISTS, 0, NULL},
		{"flow-add", "{\"bridge\": \"nobr\", \"actions\": [\"drop\"]}", 0, -ENOENT,
		 "no bridge \"nobr\""},
		/* arguments */
		{"bridge-add", "{\"name\": \"x\", \"aging\": 5}", 0, -EINVAL,
		 "unknown argument \"aging\""},
		{"bridge-add", "{\"name\": \"bad name\"}", 0, -EINVAL, "invalid bridge name"},
		{"bridge-set", "{\"name\": \"br1\"}", 0, -EINVAL, "nothing to set"},
		{"port-add", "{\"name\": \"x\", \"type\": \"nul\"}", 0, -EINVAL,
		 "unknown port type \"nul\""},
		{"port-add", "{\"name\": \"x\", \"type\": \"null\", \"options\": {\"rx\": [1]}}", 0,
		 -EINVAL, "options.rx is not"},
		{"port-attach",
		 "{\"port\": \"c\", \"bridge\": \"br1\", \"vlan\": 3, \"trunk\": [4]}", 0, -EINVAL,
		 "exclude each other"},
		{"port-attach", "{\"port\": \"c\", \"bridge\": \"br1\", \"native\": 3}", 0, -EINVAL,
		 "native needs trunk"},
		{"port-attach", "{\"port\": \"c\", \"bridge\": \"br1\", \"vlan\": 70000}", 0,
		 -EINVAL, "vlan 70000 is out of range"},
		{"flow-add",
		 "{\"bridge\": \"br0\", \"match\": {\"tcp_dst\": 1}, \"actions\": [\"drop\"]}", 0,
		 -EINVAL, "match: unknown field \"tcp_dst\""},
		{"flow-add",
		 "{\"bridge\": \"br0\", \"match\": {\"eth_type\": \"ip\"}, \"actions\": [\"drop\"]}",
		 0, -EINVAL, "match.eth_type: \"ip\" is not ipv4, ipv6"},
		{"flow-add", "{\"bridge\": \"br0\", \"actions\": [\"jump\"]}", 0, -EINVAL,
		 "unknown action \"jump\""},
		{"flow-add", "{\"bridge\": \"br0\"}", 0, -EINVAL, "actions: expected a list"},
		{"vtep-add", "{\"name\": \"v\"}", 0, -EINVAL, "missing port"},
		{"vtep-del", "{\"name\": \"vtep0\"}", 0, -ENOENT, "no VTEP \"vtep0\""},
		{"vtep-del", "{\"name\": \"vtep0\"}", IMP_IF_EXISTS, 0, NULL},
		{"vtep-neigh-add",
		 "{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.9\", \"mac\": \"02:00:00:00:00:09\"}", 0,
		 -ENOENT, "no VTEP (vtep-add one first)"},
		{"vtep-remote-add", "{\"bridge\": \"br1\", \"remote\": \"198.18.0.2\"}", 0, -EINVAL,
		 "bridge br1 has no vni"},
		{"stats-clear", "{}", 0, -EOPNOTSUPP, "not a command the controller keeps"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct topo *t = load(base);
		struct imp_outcome o;
		char err[512];
		int rc = edit(t, NULL, cases[i].cmd, cases[i].args, cases[i].flags, &o, err,
			      sizeof(err));

		if (rc != cases[i].rc ||
		    (cases[i].msg != NULL && strstr(err, cases[i].msg) == NULL))
			fail_msg("case %zu, %s %s: %d \"%s\", expected %d \"%s\"", i, cases[i].cmd,
				 cases[i].args, rc, err, cases[i].rc,
				 cases[i].msg ? cases[i].msg : "");
		if (rc == 0)
			assert_false(o.changed); /* waived: nothing to do */
		imp_outcome_clear(&o);
		topo_free(t);
	}
}

static const char ov_base[] = "version: 1\n"
			      "ports:\n"
			      "  u: { type: null }\n"
			      "  h: { type: null }\n"
			      "bridges:\n"
			      "  ov:\n"
			      "    ports: { h: {} }\n"
			      "  ov2: {}\n";

/* The overlay by command: the VTEP, its next hops, each VNI's remotes, as the model has
 * them (one VTEP; a remote added to one bridge is that bridge's own flood list). */
static void test_vtep(void **state)
{
	static const struct {
		const char *cmd, *args;
		unsigned int flags;
		int rc;
		const char *msg;
	} refused[] = {
		{"vtep-add", "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"198.18.0.1\"}",
		 0, -EEXIST, "VTEP \"vtep0\" exists"},
		{"vtep-add", "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"198.18.0.1\"}",
		 IMP_MAY_EXIST, 0, NULL},
		{"vtep-add", "{\"name\": \"vt2\", \"port\": \"u\", \"local_ip\": \"198.18.0.1\"}",
		 0, -EBUSY, "a topology describes one VTEP"},
		{"vtep-del", "{\"name\": \"vtep0\"}", 0, -EBUSY, "bridge ov still has 2 remote"},
		{"vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}", 0, -EEXIST,
		 "198.18.0.2 is already a remote of VNI 5001"},
		{"vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}",
		 IMP_MAY_EXIST, 0, NULL},
		{"vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.9\", \"vlan\": 7}",
		 0, -EINVAL, "VNI 5001 carries VLAN 1"},
		{"vtep-remote-add",
		 "{\"bridge\": \"ov\", \"remote\": \"198.18.0.9\", \"port\": \"mytun\"}", 0,
		 -EINVAL, "names tunnel ports itself (vx5001-198.18.0.9)"},
		{"vtep-remote-add",
		 "{\"bridge\": \"ov\", \"remote\": \"198.18.0.9\", \"vtep\": \"x\"}", 0, -ENOENT,
		 "no VTEP \"x\""},
		{"vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.0/24\"}", 0,
		 -EINVAL, "is not an IP address"},
		{"vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.9\"}", 0, -ENOENT,
		 "198.18.0.9 is not a remote of VNI 5001"},
		{"vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.9\"}",
		 IMP_IF_EXISTS, 0, NULL},
		{"vtep-neigh-del", "{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.7\"}", 0, -ENOENT,
		 "no static next hop 198.18.0.7"},
		{"vtep-neigh-add", "{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.7\", \"mac\": \"zz\"}",
		 0, -EINVAL, "is not a MAC address"},
	};
	struct topo *t = load(ov_base);
	const struct topo_bridge *b;
	char err[512];

	(void)state;
	t = edit_ok(
		t, "vtep-add",
		"{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"198.18.0.1\", "
		"\"prefix_len\": 16, \"mtu\": 9000, \"ttl\": 8, \"gateway\": \"198.18.0.254\"}");
	assert_true(t->overlay.present);
	assert_string_equal(t->overlay.port, "u");
	assert_int_equal(t->overlay.prefix_len, 16);
	assert_int_equal(t->overlay.mtu, 9000);
	assert_int_equal(t->overlay.ttl, 8);
	assert_int_equal(t->overlay.udp_port, 4789);
	assert_int_equal(t->overlay.gateway.addr[3], 254);
	t = edit_ok(t, "bridge-set", "{\"name\": \"ov\", \"vni\": 5001}");
	t = edit_ok(t, "bridge-set", "{\"name\": \"ov2\", \"vni\": 5002}");
	/* a remote of ov only: ov's own list; ov2 has none */
	t = edit_ok(t, "vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}");
	t = edit_ok(t, "vtep-remote-add",
		    "{\"bridge\": \"ov\", \"remote\": \"198.18.0.3\", \"vtep\": \"vtep0\", "
		    "\"vlan\": 1, \"port\": \"vx5001-198.18.0.3\"}");
	b = topo_bridge_find(t, "ov");
	assert_true(b->has_remotes);
	assert_int_equal(b->n_remotes, 2);
	assert_false(topo_bridge_find(t, "ov2")->has_remotes);
	t = edit_ok(
		t, "vtep-neigh-add",
		"{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.3\", \"mac\": \"02:aa:00:00:00:03\"}");
	t = edit_ok(
		t, "vtep-neigh-add",
		"{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.3\", \"mac\": \"02:aa:00:00:00:04\"}");
	assert_int_equal(t->overlay.n_neighbours, 1); /* a new MAC, in place */
	assert_int_equal(t->overlay.neighbours[0].mac[5], 4);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct topo *c = imp_reload(t, "copy", &(struct topo_errors){0});
		struct imp_outcome o;
		int rc;

		assert_non_null(c);
		rc = edit(c, NULL, refused[i].cmd, refused[i].args, refused[i].flags, &o, err,
			  sizeof(err));
		if (rc != refused[i].rc ||
		    (refused[i].msg != NULL && strstr(err, refused[i].msg) == NULL))
			fail_msg("case %zu, %s %s: %d \"%s\", expected %d \"%s\"", i,
				 refused[i].cmd, refused[i].args, rc, err, refused[i].rc,
				 refused[i].msg ? refused[i].msg : "");
		if (rc == 0)
			assert_false(o.changed);
		imp_outcome_clear(&o);
		topo_free(c);
	}
	t = edit_ok(t, "vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}");
	b = topo_bridge_find(t, "ov");
	assert_int_equal(b->n_remotes, 1);
	t = edit_ok(t, "vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.3\"}");
	t = edit_ok(t, "vtep-neigh-del", "{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.3\"}");
	assert_int_equal(t->overlay.n_neighbours, 0);
	/* the VTEP cannot go while bridges keep a vni: the file's check says why */
	{
		struct topo_errors errs;
		struct imp_outcome o;

		assert_int_equal(
			edit(t, NULL, "vtep-del", "{\"name\": \"vtep0\"}", 0, &o, err, sizeof(err)),
			0);
		imp_outcome_clear(&o);
		topo_errors_init(&errs);
		assert_null(imp_reload(t, "vtep-del vtep0", &errs));
		assert_string_equal(errs.v[0].path, "bridges.ov.vni");
		assert_non_null(strstr(errs.v[0].message, "no overlay is defined"));
		topo_errors_clear(&errs);
	}
	topo_free(t);
	/* overlay.remotes shared by two bridges: removing one from ov leaves ov2's list; the
	 * MACs behind it go, as they go with the dataplane's tunnel port */
	t = load(
		"version: 1\n"
		"ports: { u: { type: null } }\n"
		"bridges:\n"
		"  ov: { vni: 1, static_macs: [{ mac: \"02:00:00:00:00:05\", remote: 198.18.0.2 }] }\n"
		"  ov2: { vni: 2 }\n"
		"overlay:\n"
		"  vtep: { local_ip: 198.18.0.1, port: u }\n"
		"  remotes: [198.18.0.2, 198.18.0.3]\n");
	t = edit_ok(t, "vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}");
	b = topo_bridge_find(t, "ov");
	assert_true(b->has_remotes);
	assert_int_equal(b->n_remotes, 1);
	assert_int_equal(b->remotes[0].ip.addr[3], 3);
	assert_int_equal(b->n_static_macs, 0);
	assert_false(topo_bridge_find(t, "ov2")->has_remotes);
	assert_int_equal(t->overlay.n_remotes, 2);
	topo_free(t);
}

/* The reload of t after cmd args must fail, its first error at path saying msg. */
static void reload_refuses(struct topo *t, const char *cmd, const char *args, const char *path,
			   const char *msg)
{
	struct topo_errors errs;
	struct imp_outcome o;
	char err[512];
	int rc = edit(t, NULL, cmd, args, 0, &o, err, sizeof(err));

	if (rc != 0)
		fail_msg("%s %s refused by imp_edit: %s", cmd, args, err);
	topo_errors_init(&errs);
	assert_null(imp_reload(t, o.label, &errs));
	assert_true(errs.n >= 1);
	if (strcmp(errs.v[0].path, path) != 0 || strstr(errs.v[0].message, msg) == NULL)
		fail_msg("%s %s: %s: %s, expected %s: ...%s", cmd, args, errs.v[0].path,
			 errs.v[0].message, path, msg);
	topo_errors_clear(&errs);
	imp_outcome_clear(&o);
}

/* The same edits over an IPv6 underlay: the family's defaults, addresses compared as
 * addresses, tunnel port names as the dataplane makes them, and the other family refused
 * by the file's checks. */
static void test_vtep6(void **state)
{
	struct topo *t = load(ov_base), *c;
	const struct topo_bridge *b;
	struct imp_outcome o;
	char err[512];

	(void)state;
	t = edit_ok(t, "vtep-add",
		    "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"2001:2::1\", "
		    "\"gateway\": \"2001:2::fe\"}");
	assert_int_equal(t->overlay.local_ip.family, 6);
	assert_int_equal(t->overlay.prefix_len, 64); /* IPv6's default, as the dataplane's */
	assert_int_equal(t->overlay.gateway.addr[15], 0xfe);
	t = edit_ok(t, "bridge-set", "{\"name\": \"ov\", \"vni\": 5001}");
	assert_int_equal(topo_bridge_mtu(t, topo_bridge_find(t, "ov")), 1430);
	t = edit_ok(t, "vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"2001:2::2\"}");
	/* the name a 34-character default would need: the controller's own, accepted as port */
	t = edit_ok(t, "vtep-remote-add",
		    "{\"bridge\": \"ov\", \"remote\": \"2001:2::1234:5678:9abc:def0\", "
		    "\"port\": \"vx5001-823b7774\"}");
	t = edit_ok(
		t, "vtep-neigh-add",
		"{\"vtep\": \"vtep0\", \"ip\": \"2001:2::fe\", \"mac\": \"02:aa:00:00:00:fe\"}");
	t = edit_ok(
		t, "fdb-add",
		"{\"bridge\": \"ov\", \"mac\": \"02:00:00:00:00:05\", \"port\": \"vx5001-2001_2__2\"}");
	b = topo_bridge_find(t, "ov");
	assert_int_equal(b->n_remotes, 2);
	assert_int_equal(b->n_static_macs, 1);
	assert_int_equal(b->static_macs[0].remote.family, 6);
	/* another spelling of a remote is the same remote */
	assert_int_equal(edit(t, NULL, "vtep-remote-add",
			      "{\"bridge\": \"ov\", \"remote\": \"2001:2:0:0::2\"}", 0, &o, err,
			      sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "2001:2::2 is already a remote of VNI 5001"));
	imp_outcome_clear(&o);
	/* any other port name is refused, naming the one the controller gives */
	assert_int_equal(edit(t, NULL, "vtep-remote-add",
			      "{\"bridge\": \"ov\", \"remote\": \"2001:2::1234:5678:9abc:10\", "
			      "\"port\": \"vx5001-2001_2__1234_5678_9abc_10\"}",
			      0, &o, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "names tunnel ports itself (vx5001-e5d45e1a)"));
	imp_outcome_clear(&o);
	/* the other family, or no unicast address: the file's checks, naming the field */
	c = imp_reload(t, "copy", &(struct topo_errors){0});
	reload_refuses(c, "vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"198.18.0.2\"}",
		       "bridges.ov.remotes[2]", "198.18.0.2 is not of local_ip's family");
	topo_free(c);
	c = imp_reload(t, "copy", &(struct topo_errors){0});
	reload_refuses(
		c, "vtep-neigh-add",
		"{\"vtep\": \"vtep0\", \"ip\": \"198.18.0.9\", \"mac\": \"02:aa:00:00:00:09\"}",
		"overlay.neighbours[1].ip", "not of local_ip's family");
	topo_free(c);
	c = imp_reload(t, "copy", &(struct topo_errors){0});
	reload_refuses(c, "vtep-remote-add", "{\"bridge\": \"ov\", \"remote\": \"ff02::1\"}",
		       "bridges.ov.remotes[2]", "ff02::1 is not a unicast address");
	topo_free(c);
	/* removed by another spelling, the MAC behind it with it */
	t = edit_ok(t, "vtep-remote-del", "{\"bridge\": \"ov\", \"remote\": \"2001:2:0::2\"}");
	b = topo_bridge_find(t, "ov");
	assert_int_equal(b->n_remotes, 1);
	assert_int_equal(b->n_static_macs, 0);
	t = edit_ok(t, "vtep-neigh-del", "{\"vtep\": \"vtep0\", \"ip\": \"2001:2:0::fe\"}");
	assert_int_equal(t->overlay.n_neighbours, 0);
	topo_free(t);
	/* an IPv6 VTEP below IPv6's minimum MTU, or with a prefix longer than an address */
	t = load(ov_base);
	reload_refuses(t, "vtep-add",
		       "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"2001:2::1\", "
		       "\"mtu\": 1279}",
		       "overlay.vtep.mtu", "1279 is out of range");
	topo_free(t);
	t = load(ov_base);
	reload_refuses(t, "vtep-add",
		       "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"2001:2::1\", "
		       "\"prefix_len\": 129}",
		       "overlay.vtep.prefix_len", "129 is out of range");
	topo_free(t);
	t = load(ov_base);
	reload_refuses(t, "vtep-add",
		       "{\"name\": \"vtep0\", \"port\": \"u\", \"local_ip\": \"2001:2::1\", "
		       "\"gateway\": \"198.18.0.254\"}",
		       "overlay.vtep.gateway", "not of local_ip's family");
	topo_free(t);
}

/* Edits imp_edit takes that the file's checks refuse: errors as apply gives them, named
 * after the command, without the lines of a text nobody wrote; those about the object the
 * command made or changed name its field alone (rel), once imp_errors_relative ran. */
static void test_reload_refuses(void **state)
{
	static const struct {
		const char *cmd, *args, *path, *msg, *rel;
	} cases[] = {
		/* dangling: a rule still names the port (another object: its place stays) */
		{"port-del", "{\"name\": \"a\"}", "flows[0].match.in_port", "not in bridge",
		 "flows[0].match.in_port"},
		{"fdb-add",
		 "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:05\", \"port\": \"a\", \"vlan\": 20}",
		 "bridges.br0.static_macs[1]", "does not carry VLAN 20", "vlan"},
		{"fdb-add",
		 "{\"bridge\": \"br0\", \"mac\": \"02:00:00:00:00:05\", \"port\": \"c\"}",
		 "bridges.br0.static_macs[1]", NULL, "port"},
		{"port-attach", "{\"port\": \"c\", \"bridge\": \"br1\", \"vlan\": 4095}",
		 "bridges.br1.ports.c", "out of range", "vlan"},
		{"bridge-add", "{\"name\": \"br9\", \"mac_aging_s\": 0}", "bridges.br9.mac_aging_s",
		 "out of range", "mac_aging_s"},
		{"port-add",
		 "{\"name\": \"x\", \"type\": \"null\", \"options\": {\"iface\": \"eth0\"}}",
		 "ports.x", NULL, "iface"},
		{"flow-add",
		 "{\"bridge\": \"br0\", \"match\": {\"l4_dst\": 53}, \"actions\": [\"drop\"]}",
		 "flows[2].match", NULL, "match"},
		{"flow-add", "{\"bridge\": \"br0\", \"actions\": [\"output:zz\"]}",
		 "flows[2].actions", NULL, "actions"},
		/* a cross-reference names the other rule by its place alone, no line */
		{"flow-add",
		 "{\"bridge\": \"br0\", \"priority\": 100, \"match\": {\"eth_type\": \"arp\"}, "
		 "\"actions\": [\"drop\"]}",
		 "flows[2]", "same bridge, priority and match as flows[1] (expected", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct topo *t = load(base), *r;
		struct topo_errors errs;
		struct imp_outcome o;
		char err[512];
		int rc = edit(t, NULL, cases[i].cmd, cases[i].args, 0, &o, err, sizeof(err));

		if (rc != 0)
			fail_msg("case %zu: %s refused by imp_edit: %s", i, cases[i].cmd, err);
		topo_errors_init(&errs);
		r = imp_reload(t, o.label, &errs);
		assert_null(r);
		assert_true(errs.n >= 1);
		if (strncmp(errs.v[0].path, cases[i].path, strlen(cases[i].path)) != 0 ||
		    (cases[i].msg != NULL && strstr(errs.v[0].message, cases[i].msg) == NULL))
			fail_msg("case %zu: %s: %s, expected %s: ...%s", i, errs.v[0].path,
				 errs.v[0].message, cases[i].path,
				 cases[i].msg ? cases[i].msg : "");
		assert_string_equal(errs.v[0].file, o.label);
		assert_int_equal(errs.v[0].line, 0);
		assert_int_equal(errs.v[0].column, 0);
		assert_null(strstr(errs.v[0].message, "line"));
		imp_errors_relative(&errs, o.where);
		if (strncmp(errs.v[0].path, cases[i].rel, strlen(cases[i].rel)) != 0 ||
		    (cases[i].rel[0] == '\0' && errs.v[0].path[0] != '\0'))
			fail_msg("case %zu: relative to %s: %s, expected %s", i, o.where,
				 errs.v[0].path, cases[i].rel);
		topo_errors_clear(&errs);
		imp_outcome_clear(&o);
		topo_free(t);
	}
}

/* ---- imp_request against a fake dataplane ---- */

struct fake {
	const char *running; /* YAML of what runs */
	int calls;
	int refuse_at; /* 1-based call to refuse with EEXIST, 0 = none */
	char log[2048];
};

static int fake_call(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
		     char *err, size_t errsz)
{
	struct fake *f = ctx;
	char *a = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s %s\n", cmd, a ? a : "null");
	free(a);
	*result = NULL;
	if (++f->calls == f->refuse_at) {
		*status = EEXIST;
		snprintf(err, errsz, "%s: refused", cmd);
		return -EEXIST;
	}
	*status = 0;
	*result = strcmp(cmd, "flow-dump") == 0 ? json_array() : json_object();
	return 0;
}

static struct topo *fake_observe(void *ctx, char *err, size_t errsz)
{
	struct fake *f = ctx;
	struct topo_errors errs;
	struct topo *t;

	topo_errors_init(&errs);
	t = topo_load_buf("running", f->running, strlen(f->running), &errs);
	if (t == NULL)
		snprintf(err, errsz, "cannot observe");
	topo_errors_clear(&errs);
	return t;
}

static void request(struct fake *f, const char *state, const struct topo *want, const char *req,
		    struct imp_reply *r)
{
	const struct dp_caps caps = {.flows = true};
	const struct dp_link link = {.call = fake_call, .ctx = f};
	const struct imp_env env = {.link = &link,
				    .caps = &caps,
				    .state_path = state,
				    .observe = fake_observe,
				    .ctx = f};
	json_t *args = json_loads(req, 0, NULL);

	assert_non_null(args);
	imp_request(&env, want, args, r);
	json_decref(args);
}

static void reply_clear(struct imp_reply *r)
{
	json_decref(r->result);
	json_decref(r->errors);
	topo_free(r->want);
	memset(r, 0, sizeof(*r));
}

static void test_request(void **state)
{
	char dir[] = "/tmp/test_imperative.XXXXXX", path[64];
	struct fake f = {.running = base};
	struct topo *want = load(base), *saved;
	struct imp_reply r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);

	/* a change: planned against what runs, applied, saved */
	request(&f, path, want,
		"{\"cmd\": \"port-attach\", \"args\": {\"port\": \"c\", \"bridge\": \"br1\", "
		"\"vlan\": 7}}",
		&r);
	if (r.status != 0)
		fail_msg("%s", r.err);
	assert_non_null(r.want);
	assert_string_equal(topo_port_bridge(r.want, "c")->name, "br1");
	assert_true(json_is_true(json_object_get(r.result, "applied")));
	assert_int_equal(json_array_size(json_object_get(r.result, "changes")), 1);
	assert_non_null(
		strstr(f.log, "port-attach {\"bridge\":\"br1\",\"port\":\"c\",\"vlan\":7}"));
	assert_int_equal(state_load(path, &saved, r.err, sizeof(r.err)), 0);
	assert_true(topo_equal(saved, r.want));
	topo_free(saved);
	reply_clear(&r);

	/* --may-exist on what exists: nothing sent, nothing saved anew */
	unlink(path);
	f.calls = 0;
	f.log[0] = '\0';
	request(&f, path, want,
		"{\"cmd\": \"bridge-add\", \"args\": {\"name\": \"br0\"}, "
		"\"may_exist\": true}",
		&r);
	assert_int_equal(r.status, 0);
	assert_null(r.want);
	assert_int_equal(f.calls, 0);
	assert_int_equal(access(path, F_OK), -1);
	reply_clear(&r);

	/* refused by the checks: the errors travel, nothing sent */
	request(&f, path, want, "{\"cmd\": \"port-del\", \"args\": {\"name\": \"a\"}}", &r);
	assert_int_equal(r.status, EINVAL);
	assert_non_null(strstr(r.err, "port-del a: 1 error, nothing changed"));
	assert_int_equal(json_array_size(r.errors), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.errors, 0), "file")),
			    "port-del a");
	assert_int_equal(f.calls, 0);
	assert_null(r.want);
	reply_clear(&r);
	/* named as typed when the client says how; the field of the object it changes alone */
	request(&f, path, want,
		"{\"cmd\": \"fdb-add\", \"args\": {\"bridge\": \"br0\", \"mac\": "
		"\"02:00:00:00:00:05\", \"port\": \"a\", \"vlan\": 20}, \"source\": \"fdb add br0 "
		"02:00:00:00:00:05 a vlan=20\"}",
		&r);
	assert_int_equal(r.status, EINVAL);
	assert_non_null(strstr(r.err, "fdb add br0 02:00:00:00:00:05 a vlan=20: 1 error, nothing "
				      "changed (first: vlan: port \"a\" does not carry VLAN 20"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.errors, 0), "file")),
			    "fdb add br0 02:00:00:00:00:05 a vlan=20");
	assert_int_equal(f.calls, 0);
	reply_clear(&r);
	request(&f, path, want,
		"{\"cmd\": \"bridge-set\", \"args\": {\"name\": \"br0\", \"mac_aging_s\": 0}, "
		"\"source\": \"bridge set br0 aging=0\"}",
		&r);
	assert_int_equal(r.status, EINVAL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.errors, 0), "path")),
			    "mac_aging_s");
	reply_clear(&r);

	/* refused by the dataplane midway: undone, nothing saved. What runs lacks br1, so the
	 * plan re-adds it (as an apply would) before it changes br0. */
	f.running = "version: 1\nports:\n  a: { type: null }\n  b: { type: ring }\n"
		    "  c: { type: null }\nbridges:\n  br0:\n    ports:\n      a: { vlan: 10 }\n"
		    "      b: { trunk: [10, 20] }\n    static_macs:\n      - { mac: "
		    "\"02:00:00:00:00:01\", port: a, vlan: 10 }\nflows:\n  - { name: f1, bridge: "
		    "br0, priority: 200, match: { in_port: a }, actions: [drop] }\n  - { bridge: "
		    "br0, priority: 100, match: { eth_type: arp }, actions: [count] }\n";
	f.calls = 0;
	f.log[0] = '\0';
	f.refuse_at = 2;
	request(&f, path, want,
		"{\"cmd\": \"bridge-set\", \"args\": {\"name\": \"br0\", \"mac_aging_s\": 9}}", &r);
	assert_int_equal(r.status, EEXIST);
	if (strstr(r.err, "bridge-set br0: step 2 of 2 (bridge-set br0) failed") == NULL ||
	    strstr(r.err, "undone") == NULL)
		fail_msg("%s", r.err);
	if (strstr(f.log, "bridge-add {\"mac_aging_s\":300,\"max_macs\":65536,\"move_damp\":5,"
			  "\"move_damp_s\":10,\"name\":\"br1\"}\n"
			  "bridge-set {\"mac_aging_s\":9,\"name\":\"br0\"}\n"
			  "bridge-del {\"name\":\"br1\"}\n") == NULL)
		fail_msg("calls:\n%s", f.log);
	assert_null(r.want);
	assert_int_equal(access(path, F_OK), -1);
	reply_clear(&r);
	f.running = base;

	/* a learned MAC: straight to the dataplane, marked as not desired state */
	f.refuse_at = 0;
	f.log[0] = '\0';
	request(&f, path, want,
		"{\"cmd\": \"fdb-del\", \"args\": {\"bridge\": \"br0\", \"mac\": "
		"\"02:00:00:00:00:77\"}}",
		&r);
	assert_int_equal(r.status, 0);
	assert_true(json_is_false(json_object_get(r.result, "desired")));
	assert_non_null(
		strstr(f.log, "fdb-del {\"bridge\":\"br0\",\"mac\":\"02:00:00:00:00:77\"}"));
	assert_null(r.want);
	reply_clear(&r);

	/* no desired state yet: the running one is the start */
	f.log[0] = '\0';
	request(&f, path, NULL, "{\"cmd\": \"bridge-add\", \"args\": {\"name\": \"br7\"}}", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.want);
	assert_non_null(topo_bridge_find(r.want, "br7"));
	assert_non_null(topo_bridge_find(r.want, "br0"));
	assert_int_equal(r.want->n_flows, 2);
	reply_clear(&r);

	unlink(path);
	rmdir(dir);
	topo_free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_add_set_del),
		cmocka_unit_test(test_port_add_attach),
		cmocka_unit_test(test_attach_moves_static_macs),
		cmocka_unit_test(test_static_mac),
		cmocka_unit_test(test_flow_add_del_mod),
		cmocka_unit_test(test_exists_and_waivers),
		cmocka_unit_test(test_reload_refuses),
		cmocka_unit_test(test_vtep),
		cmocka_unit_test(test_vtep6),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
