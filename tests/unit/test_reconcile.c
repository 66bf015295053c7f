/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's pure parts: reconcile_plan (desired minus running = ordered requests
 * with their undos), observe_from_json (dataplane replies -> the same model), apply_plan
 * against a fake dataplane that refuses the n-th request (undo in reverse), flow rules
 * (paired by name or content, flow-mod for new actions, deleted before the ports they
 * name), the overlay (VTEP, next hops and remotes in the order the dataplane needs,
 * re-created around what cannot change in place, observed from vtep-list without a flap),
 * and the state file's checksum (corrupted and truncated files refused).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "ctrl.h"

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

/* Index of the first step with this cmd and name, or -1. */
static int find(const struct plan *p, const char *cmd, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].cmd, cmd) == 0 && strcmp(p->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * The fate of the object obj name in the plan, or 0 when the plan does not touch it; and
 * checks what every plan must hold: each step in exactly one object, the summary the sum
 * of the objects (a replaced one counted as one added and one removed).
 */
static char obj_fate(const struct plan *p, const char *obj, const char *name)
{
	unsigned int add = 0, change = 0, remove = 0;
	size_t steps = 0;
	char fate = 0;

	for (size_t k = 0; k < p->n_objs; k++) {
		const struct plan_obj *o = &p->objs[k];

		add += o->fate == PLAN_FATE_ADD || o->fate == PLAN_FATE_REPLACE;
		remove += o->fate == PLAN_FATE_REMOVE || o->fate == PLAN_FATE_REPLACE;
		change += o->fate == PLAN_FATE_CHANGE;
		steps += o->n_steps;
		assert_true(o->n_steps > 0);
		if (strcmp(o->obj, obj) == 0 && strcmp(o->name, name) == 0)
			fate = o->fate;
	}
	/* objects come in the order of their first step */
	for (size_t i = 0, seen = 0; i < p->n; i++) {
		if (p->v[i].group == seen)
			seen++;
		else
			assert_true(p->v[i].group < seen);
		if (i + 1 == p->n)
			assert_int_equal(seen, p->n_objs);
	}
	assert_int_equal(steps, p->n);
	assert_int_equal(add, p->n_add);
	assert_int_equal(change, p->n_change);
	assert_int_equal(remove, p->n_remove);
	return fate;
}

/* The object step i counts under is obj name. */
static void step_under(const struct plan *p, int i, const char *obj, const char *name)
{
	assert_true(i >= 0 && (size_t)i < p->n);
	if (strcmp(p->objs[p->v[i].group].obj, obj) != 0 ||
	    strcmp(p->objs[p->v[i].group].name, name) != 0)
		fail_msg("step %s %s counts under %s %s, expected %s %s", p->v[i].cmd, p->v[i].name,
			 p->objs[p->v[i].group].obj, p->objs[p->v[i].group].name, obj, name);
}

static const char base[] = "version: 1\n"
			   "ports:\n"
			   "  a: { type: null }\n"
			   "  b: { type: ring }\n"
			   "  c: { type: vhost-user, socket: /tmp/c.sock, mode: server }\n"
			   "bridges:\n"
			   "  br0:\n"
			   "    mac_aging_s: 60\n"
			   "    max_macs: 1000\n"
			   "    ports:\n"
			   "      a: { vlan: 10 }\n"
			   "      b: { trunk: [10, 20, \"30-40\"], native: 10 }\n"
			   "    static_macs:\n"
			   "      - { mac: \"02:00:00:00:00:01\", port: a, vlan: 10 }\n"
			   "  br1:\n"
			   "    ports:\n"
			   "      c: {}\n";

static void test_add_all(void **state)
{
	struct topo *want = load(base), *have = topo_new();
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 9); /* 2 bridges, 3 ports, 3 attaches, 1 static */
	/* bridges and ports before attachments, attachments before static MACs */
	assert_true(find(&p, "bridge-add", "br0") < find(&p, "port-attach", "a -> br0"));
	assert_true(find(&p, "port-add", "a") < find(&p, "port-attach", "a -> br0"));
	assert_true(find(&p, "port-add", "b") < find(&p, "port-attach", "b -> br0"));
	assert_true(find(&p, "port-attach", "a -> br0") <
		    find(&p, "fdb-add", "br0 02:00:00:00:00:01 vlan 10"));
	assert_int_equal(p.n_add, 5);
	assert_int_equal(p.n_change + p.n_remove, 0);
	/* a new port's attachment and static MAC count under the port */
	assert_int_equal(obj_fate(&p, "port", "a"), PLAN_FATE_ADD);
	assert_int_equal(p.n_objs, 5);
	step_under(&p, find(&p, "port-attach", "a -> br0"), "port", "a");
	step_under(&p, find(&p, "fdb-add", "br0 02:00:00:00:00:01 vlan 10"), "port", "a");
	step_under(&p, find(&p, "bridge-add", "br1"), "bridge", "br1");
	/* each undo takes its step back */
	assert_string_equal(p.v[find(&p, "port-add", "a")].undo_cmd, "port-del");
	assert_string_equal(p.v[find(&p, "port-attach", "a -> br0")].undo_cmd, "port-detach");
	/* the trunk travels as port-attach takes it; the default mode is not sent */
	{
		json_t *a = p.v[find(&p, "port-attach", "b -> br0")].args;
		char *s = json_dumps(json_object_get(a, "trunk"), JSON_COMPACT);

		assert_string_equal(s, "[10,20,\"30-40\"]");
		assert_int_equal(json_integer_value(json_object_get(a, "native")), 10);
		free(s);
		a = json_object_get(p.v[find(&p, "port-add", "c")].args, "options");
		assert_null(json_object_get(a, "mode"));
		assert_string_equal(json_string_value(json_object_get(a, "socket")), "/tmp/c.sock");
	}
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_noop(void **state)
{
	struct topo *want = load(base), *have = load(base);
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.n_add + p.n_change + p.n_remove, 0);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_remove_all(void **state)
{
	struct topo *want = topo_new(), *have = load(base);
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 9);
	/* static MACs first, detach before delete, ports before their bridges */
	assert_int_equal(find(&p, "fdb-del", "br0 02:00:00:00:00:01 vlan 10"), 0);
	assert_true(find(&p, "port-detach", "a -> br0") < find(&p, "port-del", "a"));
	assert_true(find(&p, "port-detach", "c -> br1") < find(&p, "port-del", "c"));
	assert_true(find(&p, "port-del", "a") < find(&p, "bridge-del", "br0"));
	assert_true(find(&p, "port-del", "c") < find(&p, "bridge-del", "br1"));
	/* undo of a delete puts back what ran */
	{
		const struct plan_step *s = &p.v[find(&p, "bridge-del", "br0")];

		assert_string_equal(s->undo_cmd, "bridge-add");
		assert_int_equal(json_integer_value(json_object_get(s->undo_args, "mac_aging_s")),
				 60);
		s = &p.v[find(&p, "port-detach", "a -> br0")];
		assert_string_equal(s->undo_cmd, "port-attach");
		assert_int_equal(json_integer_value(json_object_get(s->undo_args, "vlan")), 10);
	}
	assert_int_equal(p.n_remove, 5);
	assert_int_equal(obj_fate(&p, "bridge", "br0"), PLAN_FATE_REMOVE);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_change(void **state)
{
	/* aging changes (bridge-set), a's VLAN changes (re-attach in place, its static MAC
	 * moves VLAN), c's socket changes (re-created), b does not change at all */
	static const char changed[] = "version: 1\n"
				      "ports:\n"
				      "  a: { type: null, storm_pps: 500 }\n"
				      "  b: { type: ring }\n"
				      "  c: { type: vhost-user, socket: /tmp/c2.sock }\n"
				      "bridges:\n"
				      "  br0:\n"
				      "    mac_aging_s: 90\n"
				      "    max_macs: 1000\n"
				      "    ports:\n"
				      "      a: { vlan: 11 }\n"
				      "      b: { trunk: [10, 20, \"30-40\"], native: 10 }\n"
				      "    static_macs:\n"
				      "      - { mac: \"02:00:00:00:00:01\", port: a, vlan: 11 }\n"
				      "  br1:\n"
				      "    ports:\n"
				      "      c: {}\n";
	struct topo *want = load(changed), *have = load(base);
	const struct plan_step *s;
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	for (size_t i = 0; i < p.n; i++) /* nothing about b */
		assert_null(strstr(p.v[i].name, "b -> "));
	assert_int_equal(find(&p, "port-add", "b"), -1);
	assert_int_equal(find(&p, "port-add", "a"), -1); /* storm_pps is a port-set */
	s = &p.v[find(&p, "port-set", "a")];
	assert_int_equal(json_integer_value(json_object_get(s->args, "storm_pps")), 500);
	assert_int_equal(json_integer_value(json_object_get(s->undo_args, "storm_pps")), 0);
	s = &p.v[find(&p, "bridge-set", "br0")];
	assert_int_equal(json_integer_value(json_object_get(s->args, "mac_aging_s")), 60 + 30);
	assert_int_equal(json_integer_value(json_object_get(s->undo_args, "mac_aging_s")), 60);
	assert_null(json_object_get(s->args, "max_macs"));
	/* re-attach in place: no detach, undo re-attaches the old VLAN */
	assert_int_equal(find(&p, "port-detach", "a -> br0"), -1);
	s = &p.v[find(&p, "port-attach", "a -> br0")];
	assert_int_equal(s->sign, PLAN_CHANGE);
	assert_string_equal(s->undo_cmd, "port-attach");
	assert_int_equal(json_integer_value(json_object_get(s->undo_args, "vlan")), 10);
	/* the static MAC leaves its old VLAN before, joins the new one after */
	assert_true(find(&p, "fdb-del", "br0 02:00:00:00:00:01 vlan 10") <
		    find(&p, "port-attach", "a -> br0"));
	assert_true(find(&p, "port-attach", "a -> br0") <
		    find(&p, "fdb-add", "br0 02:00:00:00:00:01 vlan 11"));
	/* c: detach, delete, add, attach, in that order */
	assert_true(find(&p, "port-detach", "c -> br1") >= 0);
	assert_true(find(&p, "port-detach", "c -> br1") < find(&p, "port-del", "c"));
	assert_true(find(&p, "port-del", "c") < find(&p, "port-add", "c"));
	assert_true(find(&p, "port-add", "c") < find(&p, "port-attach", "c -> br1"));
	assert_int_equal(find(&p, "bridge-del", "br1"), -1);
	/* a changed in place (a port-set), br0 changed in place (its aging, a's re-attach
	 * and the static MAC's move), c replaced with its detach and re-attach */
	assert_int_equal(obj_fate(&p, "port", "a"), PLAN_FATE_CHANGE);
	assert_int_equal(obj_fate(&p, "bridge", "br0"), PLAN_FATE_CHANGE);
	assert_int_equal(obj_fate(&p, "port", "c"), PLAN_FATE_REPLACE);
	assert_int_equal(obj_fate(&p, "bridge", "br1"), 0);
	step_under(&p, find(&p, "port-attach", "a -> br0"), "bridge", "br0");
	step_under(&p, find(&p, "fdb-del", "br0 02:00:00:00:00:01 vlan 10"), "bridge", "br0");
	step_under(&p, find(&p, "port-detach", "c -> br1"), "port", "c");
	step_under(&p, find(&p, "port-attach", "c -> br1"), "port", "c");
	assert_int_equal(p.n_objs, 3);
	assert_int_equal(p.n_add, 1);
	assert_int_equal(p.n_change, 2);
	assert_int_equal(p.n_remove, 1);
	{
		/* the JSON lists the same objects, each with its steps */
		json_t *j = plan_json(&p), *o;
		size_t k, n = 0;

		assert_non_null(j);
		json_array_foreach(json_object_get(j, "objects"), k, o) {
			n += json_array_size(json_object_get(o, "steps"));
			if (strcmp(json_string_value(json_object_get(o, "name")), "c") == 0)
				assert_string_equal(json_string_value(json_object_get(o, "sign")),
						    "-/+");
		}
		assert_int_equal(json_array_size(json_object_get(j, "objects")), 3);
		assert_int_equal(n, p.n);
		assert_int_equal(json_integer_value(json_object_get(j, "remove")), 1);
		json_decref(j);
	}
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_max_macs(void **state)
{
	static const char grow[] = "version: 1\nports:\n  a: { type: null }\nbridges:\n"
				   "  br0:\n    mac_aging_s: 30\n    max_macs: 2000\n"
				   "    ports:\n      a: {}\n";
	static const char shrink[] = "version: 1\nports:\n  a: { type: null }\nbridges:\n"
				     "  br0:\n    max_macs: 10\n    ports:\n      a: {}\n";
	static const char mid[] = "version: 1\nports:\n  a: { type: null }\nbridges:\n"
				  "  br0:\n    max_macs: 1000\n    ports:\n      a: {}\n";
	struct topo *have = load(mid), *want = load(grow);
	struct plan p;

	(void)state;
	/* raised: in place, the last step, and the one without an undo */
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].cmd, "bridge-set"); /* the aging */
	assert_string_equal(p.v[0].undo_cmd, "bridge-set");
	assert_string_equal(p.v[1].cmd, "bridge-set");
	assert_int_equal(json_integer_value(json_object_get(p.v[1].args, "max_macs")), 2000);
	assert_string_equal(p.v[1].undo_cmd, "");
	assert_int_equal(p.n_change, 1);
	plan_clear(&p);
	topo_free(want);
	/* lowered: the bridge is re-created, its port detached and attached again */
	want = load(shrink);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].cmd, "port-detach");
	assert_string_equal(p.v[1].cmd, "bridge-del");
	assert_string_equal(p.v[2].cmd, "bridge-add");
	assert_string_equal(p.v[3].cmd, "port-attach");
	/* one bridge replaced, its port's detach and re-attach with it */
	assert_int_equal(obj_fate(&p, "bridge", "br0"), PLAN_FATE_REPLACE);
	assert_int_equal(p.n_objs, 1);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

/* What the dataplane answers for base, in its own shape (defaults spelled out, options
 * in its order, objects in creation order): the same model, so an empty plan. */
static void test_observe(void **state)
{
	const char *ports_j =
		"[{\"name\":\"c\",\"type\":\"vhost-user\",\"options\":{\"socket\":\"/tmp/c.sock\","
		"\"mode\":\"server\",\"queues\":1},\"dpdk_port\":2,\"link\":\"down\",\"bridge\":\"br1\","
		"\"vlan_mode\":\"access\",\"vlan\":1,\"trunk\":[],\"native\":0,\"worker\":1,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"b\",\"type\":\"ring\",\"options\":{},\"bridge\":\"br0\","
		"\"vlan_mode\":\"trunk\",\"vlan\":0,\"trunk\":[10,20,\"30-40\"],\"native\":10,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"a\",\"type\":\"null\",\"options\":{\"rx\":false},\"bridge\":\"br0\","
		"\"vlan_mode\":\"access\",\"vlan\":10,\"trunk\":[],\"native\":0,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0}]";
	const char *bridges_j =
		"[{\"name\":\"br1\",\"mac_aging_s\":300,\"max_macs\":65536,\"move_damp\":5,"
		"\"move_damp_s\":10},{\"name\":\"br0\",\"mac_aging_s\":60,\"max_macs\":1000,"
		"\"move_damp\":5,\"move_damp_s\":10}]";
	const char *fdbs_j = "{\"br0\":[{\"mac\":\"02:00:00:00:00:99\",\"vlan\":10,\"port\":\"a\","
			     "\"type\":\"learned\",\"age_s\":3},{\"mac\":\"02:00:00:00:00:01\","
			     "\"vlan\":10,\"port\":\"a\",\"type\":\"static\",\"age_s\":0}],"
			     "\"br1\":[]}";
	json_t *ports = json_loads(ports_j, 0, NULL), *bridges = json_loads(bridges_j, 0, NULL);
	json_t *fdbs = json_loads(fdbs_j, 0, NULL);
	struct topo *want = load(base), *have;
	struct plan p;
	char err[256] = "";

	(void)state;
	assert_non_null(ports);
	assert_non_null(bridges);
	assert_non_null(fdbs);
	have = observe_from_json(ports, bridges, fdbs, err, sizeof(err));
	assert_non_null(have);
	assert_string_equal(have->ports[0].name, "a");	     /* sorted */
	assert_int_equal(have->bridges[0].n_static_macs, 1); /* learned ones are not state */
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "unexpected step %s %s\n", p.v[i].cmd, p.v[i].name);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	topo_free(have);
	/* a reply of the wrong shape is an error, not a guess */
	json_object_set_new(json_array_get(ports, 0), "type", json_string("warp"));
	assert_null(observe_from_json(ports, bridges, fdbs, err, sizeof(err)));
	assert_non_null(strstr(err, "type"));
	json_decref(ports);
	json_decref(bridges);
	json_decref(fdbs);
	topo_free(want);
}

/* A fake dataplane: records each request, refuses the fail_at-th (1-based). */
struct fake {
	int n, fail_at, fail_at2;
	char log[64][48];
};

static int fake_call(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
		     char *err, size_t errsz)
{
	struct fake *f = ctx;
	const char *name = json_string_value(json_object_get(args, "name"));

	if (name == NULL)
		name = json_string_value(json_object_get(args, "port"));
	f->n++;
	if (f->n <= 64)
		snprintf(f->log[f->n - 1], sizeof(f->log[0]), "%s %s", cmd, name ? name : "?");
	*result = NULL;
	if (f->n == f->fail_at || f->n == f->fail_at2) {
		*status = EIO;
		snprintf(err, errsz, "%s: DPDK said no", cmd);
		return -EIO;
	}
	*status = 0;
	*result = json_object();
	return 0;
}

static void test_apply_undo(void **state)
{
	struct topo *want = load(base), *have = topo_new();
	struct fake f = {.fail_at = 4};
	struct dp_link dp = {fake_call, &f};
	size_t failed, undo_failed;
	char err[1024];
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	/* steps 1-3 land, 4 is refused: 3 undos, newest first */
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EIO);
	assert_int_equal(failed, 3);
	assert_int_equal(undo_failed, 0);
	assert_int_equal(f.n, 4 + 3);
	assert_string_equal(f.log[4], "port-del a");
	assert_string_equal(f.log[5], "bridge-del br1");
	assert_string_equal(f.log[6], "bridge-del br0");
	assert_non_null(strstr(err, "step 4 of 9 (port-add b) failed: port-add: DPDK said no"));
	assert_non_null(strstr(err, "undone"));
	/* all of it */
	f = (struct fake){.fail_at = 0};
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), 0);
	assert_int_equal(failed, p.n);
	assert_int_equal(f.n, (int)p.n);
	/* an undo that fails is said loudly: step 5 refused, then the undo of step 4 */
	f = (struct fake){.fail_at = 5, .fail_at2 = 6};
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EIO);
	assert_int_equal(failed, 4);
	assert_int_equal(undo_failed, 1);
	assert_int_equal(f.n, 5 + 4); /* the other undos are still tried */
	assert_non_null(strstr(err, "UNDO INCOMPLETE"));
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_state_file(void **state)
{
	char path[] = "/tmp/vsw-test-state-XXXXXX", file[64], err[512];
	struct topo *t = load(base), *back = NULL;
	FILE *f;
	long size;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/sub/controller.state", path);
	assert_int_equal(state_load(file, &back, err, sizeof(err)), -ENOENT);
	assert_int_equal(state_save(file, t, err, sizeof(err)), 0);
	assert_int_equal(state_load(file, &back, err, sizeof(err)), 0);
	assert_true(topo_equal(t, back));
	topo_free(back);

	/* one byte changed */
	f = fopen(file, "r+");
	assert_non_null(f);
	fseek(f, 200, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(state_load(file, &back, err, sizeof(err)), -EBADMSG);
	assert_null(back);
	assert_non_null(strstr(err, "corrupted"));

	/* cut short */
	assert_int_equal(state_save(file, t, err, sizeof(err)), 0);
	f = fopen(file, "r");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(truncate(file, size - 10), 0);
	assert_int_equal(state_load(file, &back, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(truncate(file, 0), 0);
	assert_int_equal(state_load(file, &back, err, sizeof(err)), -EBADMSG);

	/* CRC-32 as zlib computes it */
	assert_int_equal(state_crc32("123456789", 9), 0xcbf43926);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub", path);
	rmdir(file);
	rmdir(path);
	topo_free(t);
}

/* ---- flow rules ---- */

static const char flows_yaml[] =
	"flows:\n"
	"  - name: no-dns\n"
	"    bridge: br0\n"
	"    priority: 200\n"
	"    match: { in_port: a, eth_type: ipv4, ip_proto: udp, udp_dst: 53 }\n"
	"    actions: [drop]\n"
	"  - bridge: br0\n"
	"    priority: 100\n"
	"    match: { eth_type: ipv4, ip_dst: 203.0.113.0/24 }\n"
	"    actions: [count, \"output:b\"]\n";

/* base with its flows: rules text replaced by `rules` (NULL: flows_yaml) */
static struct topo *load_flows(const char *rules)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "%s%s", base, rules != NULL ? rules : flows_yaml);
	return load(buf);
}

/* What flow-dump answers for flows_yaml: implied eth_type written out, names for numbers,
 * ids. `drop` is the first rule's action list, as JSON. */
static struct topo *observed_flows(const char *drop)
{
	struct topo *t = load(base);
	char dump[1024], err[256] = "";
	json_t *j;

	snprintf(dump, sizeof(dump),
		 "{\"br0\":[{\"id\":7,\"name\":\"no-dns\",\"priority\":200,\"match\":"
		 "{\"in_port\":\"a\",\"eth_type\":\"ipv4\",\"ip_proto\":\"udp\",\"l4_dst\":53},"
		 "\"actions\":%s,\"packets\":3,\"bytes\":210},"
		 "{\"id\":9,\"name\":\"\",\"priority\":100,\"match\":{\"eth_type\":\"ipv4\","
		 "\"ip_dst\":\"203.0.113.0/24\"},\"actions\":[\"count\",\"output:b\"],"
		 "\"packets\":0,\"bytes\":0}],\"br1\":[]}",
		 drop);
	j = json_loads(dump, 0, NULL);
	assert_non_null(j);
	assert_int_equal(observe_flows_from_json(t, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(t->n_flows, 2);
	return t;
}

static void test_flows_add(void **state)
{
	struct topo *want = load_flows(NULL), *have = topo_new();
	struct plan p;
	int named, unnamed;
	json_t *a;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 9 + 2);
	named = find(&p, "flow-add", "br0 no-dns");
	unnamed = find(&p, "flow-add",
		       "br0 priority 100 {\"eth_type\":2048,\"ip_dst\":\"203.0.113.0/24\"}");
	assert_true(named >= 0 && unnamed > named); /* the file's order */
	/* after the ports they name, their bridge and the attachments */
	assert_true(find(&p, "port-attach", "a -> br0") < named);
	assert_true(find(&p, "fdb-add", "br0 02:00:00:00:00:01 vlan 10") < named);
	assert_int_equal(p.n_add, 5 + 2);
	a = p.v[named].args;
	assert_string_equal(json_string_value(json_object_get(a, "name")), "no-dns");
	assert_int_equal(json_integer_value(json_object_get(a, "priority")), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "match"), "l4_dst")),
			 53);
	assert_string_equal(p.v[named].undo_cmd, "flow-del");
	assert_string_equal(json_string_value(json_object_get(p.v[named].undo_args, "name")),
			    "no-dns");
	/* an unnamed rule's undo waits for the id flow-add gives */
	assert_string_equal(p.v[unnamed].undo_cmd, "flow-del");
	assert_null(json_object_get(p.v[unnamed].undo_args, "id"));
	a = json_object_get(p.v[unnamed].args, "actions");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "output:b");
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

/* The dataplane's own spelling of the same rules is the same model: nothing to do. */
static void test_flows_noop(void **state)
{
	struct topo *want = load_flows(NULL), *have = observed_flows("[\"drop\"]");
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "unexpected step %s %s\n", p.v[i].cmd, p.v[i].name);
	assert_int_equal(p.n, 0);
	assert_int_equal(CTRL_FLOW_ID(&have->flows[1]), 9);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_flows_change(void **state)
{
	/* the named rule's actions, the unnamed one's actions: both changed in place */
	struct topo *want = load_flows("flows:\n"
				       "  - name: no-dns\n"
				       "    bridge: br0\n"
				       "    priority: 200\n"
				       "    match: { in_port: a, eth_type: ipv4, ip_proto: udp, "
				       "udp_dst: 53 }\n"
				       "    actions: [count, drop]\n"
				       "  - bridge: br0\n"
				       "    priority: 100\n"
				       "    match: { eth_type: ipv4, ip_dst: 203.0.113.0/24 }\n"
				       "    actions: [flood]\n"
				       "  - name: new-one\n"
				       "    bridge: br1\n"
				       "    match: { vlan: 1 }\n"
				       "    actions: [normal]\n");
	struct topo *have = observed_flows("[\"drop\"]");
	struct plan p;
	int i;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 3);
	i = find(&p, "flow-mod", "br0 no-dns");
	assert_true(i >= 0);
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(p.v[i].args, "actions"), 0)),
		"count");
	assert_string_equal(p.v[i].undo_cmd, "flow-mod");
	assert_int_equal(json_array_size(json_object_get(p.v[i].undo_args, "actions")), 1);
	/* the unnamed rule is picked by the id flow-dump gave */
	i = find(&p, "flow-mod",
		 "br0 priority 100 {\"eth_type\":2048,\"ip_dst\":\"203.0.113.0/24\"}");
	assert_true(i >= 0);
	assert_int_equal(json_integer_value(json_object_get(p.v[i].args, "id")), 9);
	assert_int_equal(json_integer_value(json_object_get(p.v[i].undo_args, "id")), 9);
	assert_true(find(&p, "flow-add", "br1 new-one") >= 0);
	assert_int_equal(p.n_change, 2);
	assert_int_equal(p.n_add, 1);
	assert_int_equal(p.n_remove, 0);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);

	/* a new match under the same name: deleted and added, one object replaced (counted
	 * as terraform counts a replacement: one to add, one to remove) */
	want = load_flows(
		"flows:\n"
		"  - name: no-dns\n"
		"    bridge: br0\n"
		"    priority: 200\n"
		"    match: { in_port: a, eth_type: ipv4, ip_proto: udp, udp_dst: 5353 }\n"
		"    actions: [drop]\n"
		"  - bridge: br0\n"
		"    priority: 100\n"
		"    match: { eth_type: ipv4, ip_dst: 203.0.113.0/24 }\n"
		"    actions: [count, \"output:b\"]\n");
	have = observed_flows("[\"drop\"]");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_true(find(&p, "flow-del", "br0 no-dns") < find(&p, "flow-add", "br0 no-dns"));
	assert_int_equal(obj_fate(&p, "flow", "br0 no-dns"), PLAN_FATE_REPLACE);
	assert_int_equal(p.n_objs, 1);
	assert_int_equal(p.n_change, 0);
	assert_int_equal(p.n_add, 1);
	assert_int_equal(p.n_remove, 1);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_flows_remove(void **state)
{
	/* no rules wanted: both deleted, the unnamed one by id, undone by adding it back */
	struct topo *want = load(base), *have = observed_flows("[\"drop\"]");
	struct plan p;
	int i;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.n_remove, 2);
	i = find(&p, "flow-del",
		 "br0 priority 100 {\"eth_type\":2048,\"ip_dst\":\"203.0.113.0/24\"}");
	assert_true(i >= 0);
	assert_int_equal(json_integer_value(json_object_get(p.v[i].args, "id")), 9);
	assert_string_equal(p.v[i].undo_cmd, "flow-add");
	plan_clear(&p);
	topo_free(want);
	topo_free(have);

	/* port a goes away with the rule naming it: the rule goes first */
	want = load("version: 1\n"
		    "ports:\n"
		    "  b: { type: ring }\n"
		    "  c: { type: vhost-user, socket: /tmp/c.sock, mode: server }\n"
		    "bridges:\n"
		    "  br0:\n"
		    "    mac_aging_s: 60\n"
		    "    max_macs: 1000\n"
		    "    ports:\n"
		    "      b: { trunk: [10, 20, \"30-40\"], native: 10 }\n"
		    "  br1:\n"
		    "    ports:\n"
		    "      c: {}\n"
		    "flows:\n"
		    "  - bridge: br0\n"
		    "    priority: 100\n"
		    "    match: { eth_type: ipv4, ip_dst: 203.0.113.0/24 }\n"
		    "    actions: [count, \"output:b\"]\n");
	have = observed_flows("[\"drop\"]");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	i = find(&p, "flow-del", "br0 no-dns");
	assert_true(i >= 0);
	assert_true(i < find(&p, "port-detach", "a -> br0"));
	assert_true(i < find(&p, "port-del", "a"));
	assert_true(find(&p, "flow-add", "br0 no-dns") < 0);
	assert_true(find(&p, "flow-del",
			 "br0 priority 100 {\"eth_type\":2048,"
			 "\"ip_dst\":\"203.0.113.0/24\"}") < 0);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);

	/* port b re-created (new type): the rule sending to it is deleted before and added
	 * back after, not left pointing at the old port */
	want = load_flows(NULL);
	want->ports[1].type = TOPO_PORT_NULL;
	have = observed_flows("[\"drop\"]");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	i = find(&p, "flow-del",
		 "br0 priority 100 {\"eth_type\":2048,\"ip_dst\":\"203.0.113.0/24\"}");
	assert_true(i >= 0 && i < find(&p, "port-del", "b"));
	assert_true(find(&p, "port-add", "b") <
		    find(&p, "flow-add",
			 "br0 priority 100 {\"eth_type\":2048,\"ip_dst\":\"203.0.113.0/24\"}"));
	assert_true(find(&p, "flow-del", "br0 no-dns") < 0); /* a is untouched */
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

/* flow-add's answer gives the id the undo of an unnamed rule needs. */
static int flow_fake_call(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
			  char *err, size_t errsz)
{
	int *n = ctx;

	(void)args;
	*status = 0;
	*result = NULL;
	if (++*n == 2) {
		*status = EINVAL;
		snprintf(err, errsz, "%s: no", cmd);
		return -EINVAL;
	}
	*result = strcmp(cmd, "flow-add") == 0 ? json_pack("{s:[i]}", "ids", 42) : json_object();
	return 0;
}

static void test_flows_apply_id(void **state)
{
	struct topo *want = load_flows("flows:\n"
				       "  - bridge: br0\n"
				       "    match: { vlan: 10 }\n"
				       "    actions: [drop]\n"
				       "  - name: x\n"
				       "    bridge: br0\n"
				       "    actions: [normal]\n");
	struct topo *have = load(base);
	int n = 0;
	struct dp_link dp = {flow_fake_call, &n};
	size_t failed, undo_failed;
	char err[512];
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EINVAL);
	assert_int_equal(failed, 1);
	assert_int_equal(undo_failed, 0);
	assert_int_equal(json_integer_value(json_object_get(p.v[0].undo_args, "id")), 42);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

/* ---- the overlay ---- */

static const char ov_base[] = "version: 1\n"
			      "ports:\n"
			      "  u: { type: af_packet, iface: veth-u }\n"
			      "  h: { type: null }\n"
			      "bridges:\n"
			      "  ov:\n"
			      "    vni: 5001\n"
			      "    remote_max_macs: 100\n"
			      "    mtu: 1400\n"
			      "    ports: { h: {} }\n"
			      "    static_macs:\n"
			      "      - { mac: \"02:00:00:00:00:05\", remote: 198.18.0.2 }\n"
			      "overlay:\n"
			      "  vtep: { local_ip: 198.18.0.1, port: u, mtu: 1500 }\n"
			      "  remotes: [198.18.0.2, 198.18.0.3]\n"
			      "  neighbours: [{ ip: 198.18.0.3, mac: \"02:aa:00:00:00:03\" }]\n";

/* ov_base with one substitution, for the variants below */
static struct topo *load_sub(const char *from, const char *to)
{
	char buf[2048];
	const char *at = strstr(ov_base, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - ov_base), ov_base, to, at + strlen(from));
	return load(buf);
}

static void test_overlay_add(void **state)
{
	struct topo *want = load(ov_base), *have = topo_new();
	struct plan p;
	int vtep, rem2, rem3, fdb, nb;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	vtep = find(&p, "vtep-add", "vtep0");
	rem2 = find(&p, "vtep-remote-add", "ov 198.18.0.2");
	rem3 = find(&p, "vtep-remote-add", "ov 198.18.0.3");
	fdb = find(&p, "fdb-add", "ov 02:00:00:00:00:05 vlan 1");
	nb = find(&p, "vtep-neigh-add", "198.18.0.3");
	assert_true(vtep >= 0 && rem2 >= 0 && rem3 >= 0 && fdb >= 0 && nb >= 0);
	/* underlay port before the VTEP, VTEP and the bridge's VNI before the remotes, the
	 * remote's tunnel port before the MAC behind it */
	assert_true(find(&p, "port-add", "u") < vtep);
	assert_true(find(&p, "bridge-add", "ov") < rem2);
	assert_true(vtep < nb && vtep < rem2 && rem2 < fdb);
	{
		json_t *a = p.v[find(&p, "bridge-add", "ov")].args;

		assert_int_equal(json_integer_value(json_object_get(a, "vni")), 5001);
		assert_int_equal(json_integer_value(json_object_get(a, "remote_max_macs")), 100);
		a = p.v[vtep].args;
		assert_string_equal(json_string_value(json_object_get(a, "local_ip")),
				    "198.18.0.1");
		assert_int_equal(json_integer_value(json_object_get(a, "mtu")), 1500);
		assert_int_equal(json_integer_value(json_object_get(a, "prefix_len")), 24);
		assert_null(json_object_get(a, "gateway"));
		a = p.v[fdb].args;
		assert_string_equal(json_string_value(json_object_get(a, "port")),
				    "vx5001-198.18.0.2");
		a = p.v[rem3].args;
		assert_string_equal(json_string_value(json_object_get(a, "vtep")), "vtep0");
		assert_int_equal(json_integer_value(json_object_get(a, "vlan")), 1);
		assert_string_equal(p.v[rem3].undo_cmd, "vtep-remote-del");
		assert_string_equal(p.v[vtep].undo_cmd, "vtep-del");
	}
	/* 2 ports, 1 bridge, the VTEP, 2 remotes, 1 next hop, 1 static MAC (with its bridge) */
	assert_int_equal(p.n_add, 7);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_noop(void **state)
{
	struct topo *want = load(ov_base), *have = load(ov_base), *same;
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	/* the same flood list said per bridge (in another order) means the same */
	topo_free(have);
	have = load_sub("    mtu: 1400\n",
			"    mtu: 1400\n    remotes: [198.18.0.3, 198.18.0.2]\n");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	/* a bridge's own list replaces overlay.remotes for it */
	same = load_sub("    mtu: 1400\n", "    mtu: 1400\n    remotes: [198.18.0.2]\n");
	assert_int_equal(reconcile_plan(same, have, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(find(&p, "vtep-remote-del", "ov 198.18.0.3"), 0);
	plan_clear(&p);
	topo_free(same);
	topo_free(want);
	topo_free(have);
}

static const char *const no_remote3 = "  remotes: [198.18.0.2]\n";

static void test_overlay_remove_remote(void **state)
{
	struct topo *want = load_sub("  remotes: [198.18.0.2, 198.18.0.3]\n", no_remote3);
	struct topo *have = load(ov_base);
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	/* exactly the remote: the VTEP, the next hop and the other remote stay */
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].cmd, "vtep-remote-del");
	assert_string_equal(p.v[0].name, "ov 198.18.0.3");
	assert_string_equal(p.v[0].undo_cmd, "vtep-remote-add");
	assert_string_equal(json_string_value(json_object_get(p.v[0].undo_args, "remote")),
			    "198.18.0.3");
	assert_int_equal(p.n_remove, 1);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_vtep_change(void **state)
{
	struct topo *want = load_sub("mtu: 1500 }", "mtu: 9000, ttl: 8 }");
	struct topo *have = load(ov_base);
	struct plan p;
	int fdbd, remd, nbd, vdel, vadd, nba, rema, fdba;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	fdbd = find(&p, "fdb-del", "ov 02:00:00:00:00:05 vlan 1");
	remd = find(&p, "vtep-remote-del", "ov 198.18.0.2");
	nbd = find(&p, "vtep-neigh-del", "198.18.0.3");
	vdel = find(&p, "vtep-del", "vtep0");
	vadd = find(&p, "vtep-add", "vtep0");
	nba = find(&p, "vtep-neigh-add", "198.18.0.3");
	rema = find(&p, "vtep-remote-add", "ov 198.18.0.2");
	fdba = find(&p, "fdb-add", "ov 02:00:00:00:00:05 vlan 1");
	/* no vtep-set: re-created, with everything on it taken down first and put back after */
	assert_true(fdbd >= 0 && fdbd < remd && remd < vdel && nbd < vdel && vdel < vadd &&
		    vadd < nba && vadd < rema && rema < fdba);
	assert_int_equal(json_integer_value(json_object_get(p.v[vadd].args, "mtu")), 9000);
	assert_int_equal(json_integer_value(json_object_get(p.v[vdel].undo_args, "mtu")), 1500);
	assert_int_equal(find(&p, "port-del", "u"), -1); /* the underlay port is kept */
	assert_int_equal(find(&p, "bridge-set", "ov"), -1);
	/* one object replaced: what runs on the VTEP (its next hop, the remote and the MAC
	 * behind it) counts under it */
	assert_int_equal(obj_fate(&p, "vtep", "vtep0"), PLAN_FATE_REPLACE);
	assert_int_equal(p.n_objs, 1);
	step_under(&p, fdbd, "vtep", "vtep0");
	step_under(&p, rema, "vtep", "vtep0");
	step_under(&p, nba, "vtep", "vtep0");
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_vni_change(void **state)
{
	struct topo *want = load_sub("vni: 5001", "vni: 5002");
	struct topo *have = load(ov_base);
	struct plan p;
	int set;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	set = find(&p, "bridge-set", "ov");
	assert_true(set >= 0);
	assert_int_equal(json_integer_value(json_object_get(p.v[set].args, "vni")), 5002);
	assert_int_equal(json_integer_value(json_object_get(p.v[set].undo_args, "vni")), 5001);
	/* bridge-set refuses a new VNI under remotes: they go before, come back after */
	assert_true(find(&p, "vtep-remote-del", "ov 198.18.0.3") < set);
	assert_true(set < find(&p, "vtep-remote-add", "ov 198.18.0.3"));
	/* the MAC behind a remote moves to the new tunnel port's name */
	assert_string_equal(
		json_string_value(json_object_get(
			p.v[find(&p, "fdb-add", "ov 02:00:00:00:00:05 vlan 1")].args, "port")),
		"vx5002-198.18.0.2");
	assert_int_equal(find(&p, "vtep-del", "vtep0"), -1);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_remove_all(void **state)
{
	struct topo *want = topo_new(), *have = load(ov_base);
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_true(find(&p, "fdb-del", "ov 02:00:00:00:00:05 vlan 1") <
		    find(&p, "vtep-remote-del", "ov 198.18.0.2"));
	assert_true(find(&p, "vtep-remote-del", "ov 198.18.0.2") < find(&p, "vtep-del", "vtep0"));
	assert_true(find(&p, "vtep-neigh-del", "198.18.0.3") < find(&p, "vtep-del", "vtep0"));
	assert_true(find(&p, "vtep-del", "vtep0") < find(&p, "port-del", "u"));
	assert_true(find(&p, "vtep-remote-del", "ov 198.18.0.3") < find(&p, "bridge-del", "ov"));
	/* undo of bridge-del brings the VNI back */
	assert_int_equal(json_integer_value(json_object_get(
				 p.v[find(&p, "bridge-del", "ov")].undo_args, "vni")),
			 5001);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_observe(void **state)
{
	const char *ports_j =
		"[{\"name\":\"u\",\"type\":\"af_packet\",\"options\":{\"iface\":\"veth-u\",\"qpairs\":1},"
		"\"bridge\":\"\",\"vlan_mode\":\"none\",\"vlan\":0,\"trunk\":[],\"native\":0,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"h\",\"type\":\"null\",\"options\":{\"rx\":false},\"bridge\":\"ov\","
		"\"vlan_mode\":\"access\",\"vlan\":1,\"trunk\":[],\"native\":0,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"vx5001-198.18.0.3\",\"type\":\"vxlan\",\"options\":{},\"bridge\":\"ov\","
		"\"vlan_mode\":\"access\",\"vlan\":1,\"trunk\":[],\"native\":0,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"vx5001-198.18.0.2\",\"type\":\"vxlan\",\"options\":{},\"bridge\":\"ov\","
		"\"vlan_mode\":\"access\",\"vlan\":1,\"trunk\":[],\"native\":0,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0}]";
	const char *bridges_j = "[{\"name\":\"ov\",\"mac_aging_s\":300,\"max_macs\":65536,"
				"\"move_damp\":5,\"move_damp_s\":10,\"vni\":5001,"
				"\"remote_max_macs\":100}]";
	const char *fdbs_j =
		"{\"ov\":[{\"mac\":\"02:00:00:00:00:05\",\"vlan\":1,\"port\":\"vx5001-198.18.0.2\","
		"\"type\":\"static\",\"age_s\":0,\"remote_vtep\":\"198.18.0.2\"},"
		"{\"mac\":\"02:00:00:00:00:06\",\"vlan\":1,\"port\":\"vx5001-198.18.0.3\","
		"\"type\":\"learned\",\"age_s\":1,\"remote_vtep\":\"198.18.0.3\"}]}";
	const char *vteps_j =
		"[{\"name\":\"vtep0\",\"port\":\"u\",\"local_ip\":\"198.18.0.1\",\"prefix_len\":24,"
		"\"udp_port\":4789,\"mtu\":1500,\"ttl\":64,\"mac\":\"02:00:00:00:00:aa\","
		"\"counters\":{},\"neighbours\":[{\"ip\":\"198.18.0.2\",\"mac\":\"02:aa:00:00:00:02\","
		"\"state\":\"resolved\",\"age_s\":1,\"users\":1},{\"ip\":\"198.18.0.3\","
		"\"mac\":\"02:aa:00:00:00:03\",\"state\":\"static\",\"age_s\":0,\"users\":1}],"
		"\"remotes\":[{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"198.18.0.3\","
		"\"port\":\"vx5001-198.18.0.3\",\"next_hop\":\"198.18.0.3\",\"mtu_needed\":0},"
		"{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"198.18.0.2\",\"port\":\"vx5001-198.18.0.2\","
		"\"next_hop\":\"198.18.0.2\",\"mtu_needed\":0}]}]";
	json_t *ports = json_loads(ports_j, 0, NULL), *bridges = json_loads(bridges_j, 0, NULL);
	json_t *fdbs = json_loads(fdbs_j, 0, NULL), *vteps = json_loads(vteps_j, 0, NULL);
	struct topo *want = load(ov_base), *have;
	struct plan p;
	char err[256] = "";

	(void)state;
	assert_non_null(ports);
	assert_non_null(vteps);
	have = observe_from_json(ports, bridges, fdbs, err, sizeof(err));
	assert_non_null(have);
	assert_int_equal(have->n_ports, 2); /* tunnel ports are remotes, not ports */
	assert_int_equal(observe_overlay_from_json(have, vteps, ports, err, sizeof(err)), 0);
	/* one flood list for every bridge: written once, sorted */
	assert_int_equal(have->overlay.n_remotes, 2);
	assert_false(have->bridges[0].has_remotes);
	assert_int_equal(have->overlay.remotes[0].ip.addr[3], 2);
	assert_int_equal(have->overlay.n_neighbours, 1); /* the static one only */
	assert_int_equal(have->bridges[0].static_macs[0].remote.family, 4);
	/* an adopted dataplane running the file is not touched */
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "unexpected step %s %s\n", p.v[i].cmd, p.v[i].name);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	topo_free(have);
	/* two VTEPs cannot be one topology's */
	have = observe_from_json(ports, bridges, fdbs, err, sizeof(err));
	json_array_append(vteps, json_array_get(vteps, 0));
	assert_int_equal(observe_overlay_from_json(have, vteps, ports, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "2 VTEPs"));
	topo_free(have);
	json_decref(ports);
	json_decref(bridges);
	json_decref(fdbs);
	json_decref(vteps);
	topo_free(want);
}

static void test_overlay_apply_undo(void **state)
{
	struct topo *want = load(ov_base), *have = topo_new();
	struct dp_link dp = {fake_call, NULL};
	size_t failed, undo_failed, rem;
	struct fake f = {0};
	char err[1024];
	struct plan p;

	(void)state;
	dp.ctx = &f;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	rem = (size_t)find(&p, "vtep-remote-add", "ov 198.18.0.3");
	/* the second remote is refused: everything before it is taken back, newest first */
	f.fail_at = (int)rem + 1;
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EIO);
	assert_int_equal(failed, rem);
	assert_int_equal(undo_failed, 0);
	assert_int_equal(f.n, (int)(rem + 1 + rem));
	for (size_t k = 0; k < rem; k++) {
		const struct plan_step *s = &p.v[rem - 1 - k];
		const char *name = json_string_value(json_object_get(s->undo_args, "name"));
		char want_log[48];

		if (name == NULL)
			name = json_string_value(json_object_get(s->undo_args, "port"));
		snprintf(want_log, sizeof(want_log), "%s %s", s->undo_cmd, name ? name : "?");
		assert_string_equal(f.log[rem + 1 + k], want_log);
	}
	assert_string_equal(f.log[f.n - 1], "bridge-del ov");
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay_caps(void **state)
{
	struct topo *t = load("version: 1\n"
			      "ports: { u: { type: null } }\n"
			      "bridges: { ov: { vni: 7 } }\n"
			      "overlay: { vtep: { local_ip: 198.18.0.1, port: u } }\n"
			      "flows: [{ bridge: ov, match: { vni: 7 }, actions: [drop] }]\n");
	struct topo *t6 = load("version: 1\n"
			       "ports: { u: { type: null } }\n"
			       "overlay: { vtep: { local_ip: \"2001:db8::1\", port: u } }\n");
	struct dp_caps none = {.flows = true}, all = {true, true, true, true, true};
	struct dp_caps v4only = {true, true, true, true, false};
	struct dp_caps no_vni = {.flows = true, .overlay = true};
	struct topo_errors errs;

	(void)state;
	topo_errors_init(&errs);
	assert_int_equal(ctrl_check_caps(t, &all, "t.yaml", &errs), 0);
	assert_int_equal(ctrl_check_caps(t, &no_vni, "t.yaml", &errs), 1);
	assert_string_equal(errs.v[0].path, "flows[0].match.vni");
	assert_int_equal(errs.v[0].line, 5);
	topo_errors_clear(&errs);
	/* vni and overlay: refused on a dataplane without it, each naming its field */
	assert_int_equal(ctrl_check_caps(t, &none, "t.yaml", &errs), 3);
	assert_string_equal(errs.v[0].path, "bridges.ov.vni");
	assert_string_equal(errs.v[1].path, "overlay");
	topo_errors_clear(&errs);
	/* an IPv6 underlay: refused only by a dataplane whose VTEPs are IPv4 only, at the
	 * address */
	assert_int_equal(ctrl_check_caps(t6, &all, "t.yaml", &errs), 0);
	assert_int_equal(ctrl_check_caps(t6, &v4only, "t.yaml", &errs), 1);
	assert_string_equal(errs.v[0].path, "overlay.vtep.local_ip");
	assert_int_equal(errs.v[0].line, 3);
	assert_int_equal(errs.v[0].column, 30);
	assert_int_equal(ctrl_check_caps(t, &v4only, "t.yaml", &errs), 0); /* IPv4: fine */
	topo_errors_clear(&errs);
	topo_free(t);
	topo_free(t6);
}

/* ---- the overlay over an IPv6 underlay ---- */

/* ov_base over IPv6: a remote whose default tunnel port name would be too long (34
 * characters), a static MAC behind it, a gateway and a static next hop. */
static const char ov6_base[] =
	"version: 1\n"
	"ports:\n"
	"  u: { type: af_packet, iface: veth-u }\n"
	"  h: { type: null }\n"
	"bridges:\n"
	"  ov:\n"
	"    vni: 5001\n"
	"    mtu: 1430\n"
	"    ports: { h: {} }\n"
	"    static_macs:\n"
	"      - { mac: \"02:00:00:00:00:05\", remote: \"2001:2::2\" }\n"
	"      - { mac: \"02:00:00:00:00:06\", remote: \"2001:2::1234:5678:9abc:def0\" }\n"
	"overlay:\n"
	"  vtep: { local_ip: \"2001:2::1\", port: u, gateway: \"2001:2::fe\" }\n"
	"  remotes: [\"2001:2::2\", \"2001:2::1234:5678:9abc:def0\", \"2001:3::3\"]\n"
	"  neighbours: [{ ip: \"2001:2::fe\", mac: \"02:aa:00:00:00:fe\" }]\n";

static void test_overlay6_add(void **state)
{
	struct topo *want = load(ov6_base), *have = topo_new();
	struct plan p;
	int vtep, rem2, remlong, rem3, nb, fdb5, fdb6;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	vtep = find(&p, "vtep-add", "vtep0");
	rem2 = find(&p, "vtep-remote-add", "ov 2001:2::2");
	remlong = find(&p, "vtep-remote-add", "ov 2001:2::1234:5678:9abc:def0");
	rem3 = find(&p, "vtep-remote-add", "ov 2001:3::3");
	nb = find(&p, "vtep-neigh-add", "2001:2::fe");
	fdb5 = find(&p, "fdb-add", "ov 02:00:00:00:00:05 vlan 1");
	fdb6 = find(&p, "fdb-add", "ov 02:00:00:00:00:06 vlan 1");
	assert_true(vtep >= 0 && rem2 >= 0 && remlong >= 0 && rem3 >= 0 && nb >= 0);
	assert_true(find(&p, "port-add", "u") < vtep);
	assert_true(vtep < nb && vtep < rem2 && rem2 < fdb5 && remlong < fdb6);
	{
		json_t *a = p.v[vtep].args;

		assert_string_equal(json_string_value(json_object_get(a, "local_ip")), "2001:2::1");
		assert_string_equal(json_string_value(json_object_get(a, "gateway")), "2001:2::fe");
		assert_int_equal(json_integer_value(json_object_get(a, "prefix_len")), 64);
		assert_int_equal(json_integer_value(json_object_get(a, "mtu")), 1500);
		/* the plan's text says what the VTEP will be */
		assert_string_equal(p.v[vtep].text, "2001:2::1/64 gateway 2001:2::fe on u, "
						    "udp_port 4789, mtu 1500, ttl 64");
		a = p.v[rem2].args;
		assert_string_equal(json_string_value(json_object_get(a, "remote")), "2001:2::2");
		assert_string_equal(json_string_value(json_object_get(a, "port")),
				    "vx5001-2001_2__2");
		assert_string_equal(p.v[rem2].text,
				    "VNI 5001 vlan 1, tunnel port vx5001-2001_2__2");
		/* too long a default for the dataplane: named, and the MAC follows the name */
		a = p.v[remlong].args;
		assert_string_equal(json_string_value(json_object_get(a, "port")),
				    "vx5001-823b7774");
		assert_string_equal(json_string_value(json_object_get(p.v[fdb6].args, "port")),
				    "vx5001-823b7774");
		assert_string_equal(json_string_value(json_object_get(p.v[fdb5].args, "port")),
				    "vx5001-2001_2__2");
		a = p.v[nb].args;
		assert_string_equal(json_string_value(json_object_get(a, "ip")), "2001:2::fe");
		assert_string_equal(json_string_value(json_object_get(a, "mac")),
				    "02:aa:00:00:00:fe");
		assert_string_equal(json_string_value(json_object_get(p.v[fdb5].undo_args, "mac")),
				    "02:00:00:00:00:05");
	}
	/* 2 ports, 1 bridge, the VTEP, 3 remotes, 1 next hop (the static MACs come with
	 * their new bridge) */
	assert_int_equal(p.n_add, 8);
	assert_int_equal(p.n_change + p.n_remove, 0);
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_overlay6_remove(void **state)
{
	struct topo *want = topo_new(), *have = load(ov6_base), *fewer;
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_true(find(&p, "fdb-del", "ov 02:00:00:00:00:06 vlan 1") <
		    find(&p, "vtep-remote-del", "ov 2001:2::1234:5678:9abc:def0"));
	assert_true(find(&p, "vtep-remote-del", "ov 2001:2::2") < find(&p, "vtep-del", "vtep0"));
	assert_true(find(&p, "vtep-neigh-del", "2001:2::fe") < find(&p, "vtep-del", "vtep0"));
	assert_true(find(&p, "vtep-del", "vtep0") < find(&p, "port-del", "u"));
	/* the undo of each removal puts back the same: the VTEP with its family's prefix, the
	 * long remote under the name it had */
	{
		const struct plan_step *s = &p.v[find(&p, "vtep-del", "vtep0")];

		assert_string_equal(s->undo_cmd, "vtep-add");
		assert_string_equal(json_string_value(json_object_get(s->undo_args, "local_ip")),
				    "2001:2::1");
		assert_int_equal(json_integer_value(json_object_get(s->undo_args, "prefix_len")),
				 64);
		s = &p.v[find(&p, "vtep-remote-del", "ov 2001:2::1234:5678:9abc:def0")];
		assert_string_equal(json_string_value(json_object_get(s->args, "remote")),
				    "2001:2::1234:5678:9abc:def0");
		assert_string_equal(json_string_value(json_object_get(s->undo_args, "port")),
				    "vx5001-823b7774");
	}
	plan_clear(&p);
	/* one remote goes: exactly it, with the MAC behind it */
	fewer = load("version: 1\n"
		     "ports:\n"
		     "  u: { type: af_packet, iface: veth-u }\n"
		     "  h: { type: null }\n"
		     "bridges:\n"
		     "  ov:\n"
		     "    vni: 5001\n"
		     "    mtu: 1430\n"
		     "    ports: { h: {} }\n"
		     "    static_macs:\n"
		     "      - { mac: \"02:00:00:00:00:05\", remote: \"2001:2::2\" }\n"
		     "overlay:\n"
		     "  vtep: { local_ip: \"2001:2::1\", port: u, gateway: \"2001:2::fe\" }\n"
		     "  remotes: [\"2001:2::2\", \"2001:3::3\"]\n"
		     "  neighbours: [{ ip: \"2001:2::fe\", mac: \"02:aa:00:00:00:fe\" }]\n");
	assert_int_equal(reconcile_plan(fewer, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].cmd, "fdb-del");
	assert_string_equal(p.v[0].name, "ov 02:00:00:00:00:06 vlan 1");
	assert_string_equal(p.v[1].cmd, "vtep-remote-del");
	assert_string_equal(p.v[1].name, "ov 2001:2::1234:5678:9abc:def0");
	plan_clear(&p);
	/* IPv4 -> IPv6: the VTEP is re-created (no vtep-set), the remotes with it */
	topo_free(want);
	want = load(ov_base);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_true(find(&p, "vtep-remote-del", "ov 2001:2::2") < find(&p, "vtep-del", "vtep0"));
	assert_true(find(&p, "vtep-del", "vtep0") < find(&p, "vtep-add", "vtep0"));
	assert_true(find(&p, "vtep-add", "vtep0") < find(&p, "vtep-remote-add", "ov 198.18.0.2"));
	assert_string_equal(json_string_value(json_object_get(
				    p.v[find(&p, "vtep-add", "vtep0")].args, "local_ip")),
			    "198.18.0.1");
	plan_clear(&p);
	topo_free(fewer);
	topo_free(want);
	topo_free(have);
}

/* What a dataplane running ov6_base answers, with its addresses written another way than
 * the file's (zeros spelled out, upper case): the model holds bytes, so nothing differs. */
static const char *const ov6_ports_j =
	"[{\"name\":\"u\",\"type\":\"af_packet\",\"options\":{\"iface\":\"veth-u\",\"qpairs\":1},"
	"\"bridge\":\"\",\"vlan_mode\":\"none\",\"vlan\":0,\"trunk\":[],\"native\":0,"
	"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
	"{\"name\":\"h\",\"type\":\"null\",\"options\":{\"rx\":false},\"bridge\":\"ov\","
	"\"vlan_mode\":\"access\",\"vlan\":1,\"trunk\":[],\"native\":0,"
	"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
	"{\"name\":\"vx5001-2001_2__2\",\"type\":\"vxlan\",\"bridge\":\"ov\","
	"\"vlan_mode\":\"access\",\"vlan\":1},"
	"{\"name\":\"vx5001-823b7774\",\"type\":\"vxlan\",\"bridge\":\"ov\","
	"\"vlan_mode\":\"access\",\"vlan\":1},"
	"{\"name\":\"tun3\",\"type\":\"vxlan\",\"bridge\":\"ov\","
	"\"vlan_mode\":\"access\",\"vlan\":1}]";
static const char *const ov6_bridges_j =
	"[{\"name\":\"ov\",\"mac_aging_s\":300,\"max_macs\":65536,\"move_damp\":5,"
	"\"move_damp_s\":10,\"vni\":5001,\"remote_max_macs\":0}]";
static const char *const ov6_fdbs_j =
	"{\"ov\":[{\"mac\":\"02:00:00:00:00:05\",\"vlan\":1,\"port\":\"vx5001-2001_2__2\","
	"\"type\":\"static\",\"age_s\":0,\"remote_vtep\":\"2001:2:0:0::2\"},"
	"{\"mac\":\"02:00:00:00:00:06\",\"vlan\":1,\"port\":\"vx5001-823b7774\","
	"\"type\":\"static\",\"age_s\":0,\"remote_vtep\":\"2001:2::1234:5678:9ABC:DEF0\"},"
	"{\"mac\":\"02:00:00:00:00:07\",\"vlan\":1,\"port\":\"tun3\","
	"\"type\":\"learned\",\"age_s\":1,\"remote_vtep\":\"2001:3::3\"}]}";
/* the remote 2001:3::3 runs on a tunnel port someone named (vswctl --direct ... port=) */
static const char *const ov6_vteps_j =
	"[{\"name\":\"vtep0\",\"port\":\"u\",\"local_ip\":\"2001:2:0::1\",\"prefix_len\":64,"
	"\"gateway\":\"2001:2::00fe\",\"udp_port\":4789,\"mtu\":1500,\"ttl\":64,"
	"\"mac\":\"02:00:00:00:00:aa\",\"counters\":{\"nd_ns_rx\":1},"
	"\"neighbours\":[{\"ip\":\"2001:2::2\",\"mac\":\"02:aa:00:00:00:02\","
	"\"state\":\"resolved\",\"age_s\":1,\"users\":2},{\"ip\":\"2001:2:0:0:0:0:0:fe\","
	"\"mac\":\"02:aa:00:00:00:fe\",\"state\":\"static\",\"age_s\":0,\"users\":1}],"
	"\"remotes\":[{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"2001:3::3\",\"port\":\"tun3\","
	"\"next_hop\":\"2001:2::fe\",\"mtu_needed\":0},"
	"{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"2001:2::0:2\","
	"\"port\":\"vx5001-2001_2__2\",\"next_hop\":\"2001:2::2\",\"mtu_needed\":0},"
	"{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"2001:2:0:0:1234:5678:9abc:def0\","
	"\"port\":\"vx5001-823b7774\",\"next_hop\":\"2001:2::2\",\"mtu_needed\":0}]}]";

static struct topo *observed6(json_t **vteps)
{
	json_t *ports = json_loads(ov6_ports_j, 0, NULL),
	       *bridges = json_loads(ov6_bridges_j, 0, NULL);
	json_t *fdbs = json_loads(ov6_fdbs_j, 0, NULL);
	struct topo *have;
	char err[256] = "";

	*vteps = json_loads(ov6_vteps_j, 0, NULL);
	assert_non_null(ports);
	assert_non_null(bridges);
	assert_non_null(fdbs);
	assert_non_null(*vteps);
	have = observe_from_json(ports, bridges, fdbs, err, sizeof(err));
	if (have == NULL)
		fail_msg("observe_from_json: %s", err);
	if (observe_overlay_from_json(have, *vteps, ports, err, sizeof(err)) != 0)
		fail_msg("observe_overlay_from_json: %s", err);
	json_decref(ports);
	json_decref(bridges);
	json_decref(fdbs);
	return have;
}

static void test_overlay6_observe(void **state)
{
	struct topo *want = load(ov6_base), *have, *again;
	json_t *vteps, *ports = json_loads(ov6_ports_j, 0, NULL);
	struct topo_errors errs;
	char *yaml = NULL, err[256];
	size_t size = 0;
	struct plan p;
	FILE *f;

	(void)state;
	have = observed6(&vteps);
	assert_int_equal(have->overlay.local_ip.family, 6);
	assert_int_equal(have->overlay.prefix_len, 64);
	assert_int_equal(have->overlay.gateway.family, 6);
	assert_int_equal(have->overlay.n_remotes, 3);
	assert_int_equal(have->overlay.n_neighbours, 1); /* the static one only */
	assert_int_equal(have->bridges[0].n_static_macs, 2);
	assert_int_equal(have->bridges[0].static_macs[0].remote.family, 6);
	assert_int_equal(have->bridges[0].n_tunnels, 3);
	/* adopted as it runs: "2001:2:0::1" is "2001:2::1" */
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "unexpected step %s %s\n", p.v[i].cmd, p.v[i].name);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	/* the export (what vswctl export writes) loads back and plans nothing either */
	have->bridges[0].mtu = want->bridges[0].mtu; /* as export_declarations does */
	f = open_memstream(&yaml, &size);
	assert_non_null(f);
	assert_int_equal(topo_write_yaml(have, f), 0);
	fclose(f);
	assert_non_null(strstr(yaml, "2001:2::1"));
	assert_null(strstr(yaml, "prefix_len"));
	topo_errors_init(&errs);
	again = topo_load_buf("export", yaml, size, &errs);
	if (again == NULL) {
		topo_errors_print(&errs, stderr);
		fail_msg("the export does not load:\n%s", yaml);
	}
	assert_int_equal(reconcile_plan(want, again, &p), 0); /* means the file (ports sorted) */
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	assert_int_equal(reconcile_plan(again, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	/* a static MAC added behind the remote someone named goes to its port */
	{
		struct topo_static_mac *m;

		m = realloc(again->bridges[0].static_macs, 3 * sizeof(*m));
		assert_non_null(m);
		again->bridges[0].static_macs = m;
		m[2] = m[1];
		m[2].mac[5] = 0x08;
		assert_int_equal(inet_pton(AF_INET6, "2001:3::3", m[2].remote.addr), 1);
		again->bridges[0].n_static_macs = 3;
		assert_int_equal(reconcile_plan(again, have, &p), 0);
		assert_int_equal(p.n, 1);
		assert_string_equal(p.v[0].cmd, "fdb-add");
		assert_string_equal(json_string_value(json_object_get(p.v[0].args, "port")),
				    "tun3");
		plan_clear(&p);
	}
	topo_errors_clear(&errs);
	topo_free(again);
	free(yaml);
	topo_free(have);
	/* replies that do not hold together are errors, not guesses */
	{
		static const struct {
			const char *key, *value;
		} bad[] = {{"prefix_len", NULL},
			   {"gateway", "198.18.0.254"},
			   {"local_ip", "2001:2::1/64"}};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_t *v = json_deep_copy(vteps),
			       *bridges = json_loads(ov6_bridges_j, 0, NULL);

			json_object_set_new(json_array_get(v, 0), bad[i].key,
					    bad[i].value ? json_string(bad[i].value)
							 : json_integer(129));
			have = observe_from_json(ports, bridges, NULL, err, sizeof(err));
			assert_non_null(have);
			assert_int_equal(
				observe_overlay_from_json(have, v, ports, err, sizeof(err)),
				-EPROTO);
			assert_non_null(strstr(err, bad[i].key));
			topo_free(have);
			json_decref(v);
			json_decref(bridges);
		}
	}
	json_decref(vteps);
	json_decref(ports);
	topo_free(want);
}

/* ---- recordings ---- */

static const char rec_base[] =
	"version: 1\n"
	"ports: { a: { type: null } }\n"
	"bridges:\n"
	"  br0:\n"
	"    ports: { a: {} }\n"
	"    record: { file: /v/br0.pcapng, max_size_kb: 1024, filter: \"not arp\" }\n"
	"  br1: {}\n";

static struct topo *rec_sub(const char *from, const char *to)
{
	char buf[1024];
	const char *at = strstr(rec_base, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - rec_base), rec_base, to,
		 at + strlen(from));
	return load(buf);
}

static void test_record_add(void **state)
{
	struct topo *want = load(rec_base), *have = topo_new();
	struct plan p;
	int start;
	json_t *a;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	start = find(&p, "record-start", "br0");
	/* after the bridge and the ports that feed it */
	assert_true(start > find(&p, "bridge-add", "br0"));
	assert_true(start > find(&p, "port-attach", "a -> br0"));
	a = p.v[start].args;
	assert_string_equal(json_string_value(json_object_get(a, "file")), "/v/br0.pcapng");
	assert_string_equal(json_string_value(json_object_get(a, "filter")), "not arp");
	assert_string_equal(json_string_value(json_object_get(a, "format")), "pcapng");
	assert_int_equal(json_integer_value(json_object_get(a, "max_size_kb")), 1024);
	assert_int_equal(json_integer_value(json_object_get(a, "max_files")), 8);
	assert_int_equal(json_integer_value(json_object_get(a, "snaplen")), 262144);
	assert_string_equal(p.v[start].undo_cmd, "record-stop");
	assert_string_equal(json_string_value(json_object_get(p.v[start].undo_args, "bridge")),
			    "br0");
	assert_int_equal(find(&p, "record-start", "br1"), -1);
	assert_int_equal(p.n_add, 3); /* 2 bridges and a port; the recording is br0's */
	assert_int_equal(p.n_change, 0);
	plan_clear(&p);
	topo_free(want);
	/* one file, never rotated: no max_files sent (the dataplane keeps one file) */
	want = rec_sub("max_size_kb: 1024, ", "");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	a = p.v[find(&p, "record-start", "br0")].args;
	assert_null(json_object_get(a, "max_size_kb"));
	assert_null(json_object_get(a, "max_files"));
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static const char *const rec_list_j =
	"[{\"id\": 3, \"bridge\": \"br0\", \"file\": \"/v/br0.pcapng\", \"format\": \"pcapng\","
	" \"filter\": \"not arp\", \"jit\": false, \"snaplen\": 262144, \"max_size_kb\": 1024,"
	" \"max_files\": 8, \"state\": \"running\", \"why\": \"\", \"captured\": 5},"
	" {\"id\": 1, \"bridge\": \"br0\", \"file\": \"/v/old.pcap\", \"format\": \"pcap\","
	" \"filter\": \"\", \"jit\": false, \"snaplen\": 64, \"max_size_kb\": 0,"
	" \"max_files\": 1, \"state\": \"done\", \"why\": \"bridge deleted\", \"captured\": 5},"
	" {\"id\": 2, \"bridge\": \"gone\", \"file\": \"/v/gone.pcap\", \"format\": \"pcap\","
	" \"filter\": \"\", \"jit\": false, \"snaplen\": 64, \"max_size_kb\": 0,"
	" \"max_files\": 1, \"state\": \"done\", \"why\": \"bridge deleted\", \"captured\": 0}]";

/* What runs, as observe_records_from_json reads record-list, marked the controller's. */
static struct topo *rec_observed(const char *list, const struct topo *prev)
{
	struct topo *have = load(rec_base);
	json_t *recs = json_loads(list, 0, NULL);
	char err[256] = "";

	assert_non_null(recs);
	for (size_t i = 0; i < have->n_bridges; i++)
		memset(&have->bridges[i].record, 0, sizeof(have->bridges[i].record));
	if (observe_records_from_json(have, recs, err, sizeof(err)) < 0)
		fail_msg("observe_records_from_json: %s", err);
	json_decref(recs);
	observe_records_own(have, prev);
	return have;
}

static void test_record_observe(void **state)
{
	struct topo *want = load(rec_base), *have;
	const struct topo_record *r;
	struct plan p;

	(void)state;
	have = rec_observed(rec_list_j, want);
	/* the running entry wins over a finished one; another bridge's is left out */
	r = &have->bridges[0].record;
	assert_true(r->present);
	assert_int_equal(r->id, 3);
	assert_false(r->stale);
	assert_false(r->adhoc);
	assert_false(have->bridges[1].record.present);
	/* the same recording: re-applying is a no-op */
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	topo_free(have);
	/* a finished one alone is restarted, stopped by its id */
	have = rec_observed("[{\"id\": 1, \"bridge\": \"br0\", \"file\": \"/v/br0.pcapng\", "
			    "\"format\": \"pcapng\", \"filter\": \"not arp\", \"snaplen\": 262144, "
			    "\"max_size_kb\": 1024, \"max_files\": 8, \"state\": \"failed\"}]",
			    want);
	assert_true(have->bridges[0].record.stale);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].cmd, "record-stop");
	assert_int_equal(json_integer_value(json_object_get(p.v[0].args, "id")), 1);
	assert_string_equal(p.v[1].cmd, "record-start");
	assert_int_equal(p.n_change, 1);
	plan_clear(&p);
	topo_free(have);
	/* a reply without a field the model needs is refused */
	{
		json_t *bad = json_loads("[{\"id\": 1, \"bridge\": \"br0\"}]", 0, NULL);
		char err[256];

		have = load(rec_base);
		assert_int_equal(observe_records_from_json(have, bad, err, sizeof(err)), -EPROTO);
		json_decref(bad);
		topo_free(have);
	}
	topo_free(want);
}

static void test_record_change_remove(void **state)
{
	struct topo *want = rec_sub("filter: \"not arp\"", "filter: \"udp\", format: pcap");
	struct topo *base_t = load(rec_base), *have = rec_observed(rec_list_j, base_t);
	struct plan p;
	int stop, start;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	stop = find(&p, "record-stop", "br0");
	start = find(&p, "record-start", "br0");
	assert_true(stop >= 0 && stop + 1 == start); /* next to each other */
	assert_int_equal(json_integer_value(json_object_get(p.v[stop].args, "id")), 3);
	/* the undo of the stop starts the old one again */
	assert_string_equal(p.v[stop].undo_cmd, "record-start");
	assert_string_equal(json_string_value(json_object_get(p.v[stop].undo_args, "filter")),
			    "not arp");
	assert_string_equal(json_string_value(json_object_get(p.v[start].args, "format")), "pcap");
	assert_int_equal(p.n_change, 1);
	assert_int_equal(p.n_add + p.n_remove, 0);
	plan_clear(&p);
	topo_free(want);
	/* the block removed: stopped, nothing started */
	want = rec_sub(
		"    record: { file: /v/br0.pcapng, max_size_kb: 1024, filter: \"not arp\" }\n",
		"");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].cmd, "record-stop");
	assert_int_equal(p.v[0].sign, PLAN_REMOVE);
	plan_clear(&p);
	/* ... unless the controller never started it (vswctl capture record): left alone */
	topo_free(have);
	have = rec_observed(rec_list_j, NULL);
	assert_true(have->bridges[0].record.adhoc);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	/* a person's recording the desired state asks for as it is: adopted, no request */
	topo_free(want);
	want = load(rec_base);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	topo_free(want);
	/* the bridge goes: its recording stops before the bridge-del, adhoc or not */
	want = load("version: 1\nports: { a: { type: null } }\nbridges: { br1: {} }\n");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	stop = find(&p, "record-stop", "br0");
	assert_true(stop >= 0 && stop < find(&p, "bridge-del", "br0"));
	assert_int_equal(find(&p, "record-start", "br0"), -1);
	plan_clear(&p);
	topo_free(want);
	/* re-created (max_macs shrinks): stopped before, started after */
	want = rec_sub("  br0:\n", "  br0:\n    max_macs: 10\n");
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_true(find(&p, "record-stop", "br0") < find(&p, "bridge-del", "br0"));
	assert_true(find(&p, "bridge-add", "br0") < find(&p, "record-start", "br0"));
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
	topo_free(base_t);
}

static void test_record_apply_undo(void **state)
{
	struct topo *want = load(rec_base), *have = topo_new();
	struct fake f = {0};
	struct dp_link dp = {fake_call, &f};
	size_t failed, undo_failed;
	char err[1024];
	struct plan p;
	int start;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	start = find(&p, "record-start", "br0");
	/* the recording is refused (a bad path, say): everything before it is undone */
	f.fail_at = start + 1;
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EIO);
	assert_int_equal(failed, (size_t)start);
	assert_int_equal(undo_failed, 0);
	assert_string_equal(f.log[f.n - 1], "bridge-del br0");
	/* a later step refused: the recording started is stopped again */
	plan_clear(&p);
	topo_free(have);
	have = load(rec_base);
	have->bridges[0].max_macs = 10; /* the plan raises it: the last step */
	have->bridges[0].record.present = false;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].cmd, "record-start");
	assert_string_equal(p.v[1].cmd, "bridge-set");
	f = (struct fake){.fail_at = 2};
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), -EIO);
	assert_string_equal(f.log[2], "record-stop ?");
	plan_clear(&p);
	topo_free(want);
	topo_free(have);
}

static void test_record_caps(void **state)
{
	struct topo *t = load(rec_base);
	struct dp_caps none = {.flows = true}, all = {true, true, true, true};
	struct topo_errors errs;

	(void)state;
	topo_errors_init(&errs);
	assert_int_equal(ctrl_check_caps(t, &all, "t.yaml", &errs), 0);
	assert_int_equal(ctrl_check_caps(t, &none, "t.yaml", &errs), 1);
	assert_string_equal(errs.v[0].path, "bridges.br0.record");
	assert_int_equal(errs.v[0].line, 6);
	topo_errors_clear(&errs);
	topo_free(t);
}

/* ---- tunnel ports paired by (bridge, remote), and VNIs that move ---- */

static void test_tunnel_names(void **state)
{
	const char *vteps_j =
		"[{\"name\":\"vtep0\",\"port\":\"u\",\"local_ip\":\"198.18.0.1\",\"prefix_len\":24,"
		"\"udp_port\":4789,\"mtu\":1500,\"ttl\":64,\"neighbours\":[],"
		"\"remotes\":[{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"198.18.0.2\","
		"\"port\":\"tun-a\"},{\"bridge\":\"ov\",\"vni\":5001,\"remote\":\"198.18.0.3\","
		"\"port\":\"tun-b\"}]}]";
	const char *ports_j = "[{\"name\":\"tun-a\",\"type\":\"vxlan\",\"vlan\":1},"
			      "{\"name\":\"tun-b\",\"type\":\"vxlan\",\"vlan\":1}]";
	struct topo *want = load(ov_base);
	struct topo *have =
		load_sub("      - { mac: \"02:00:00:00:00:05\", remote: 198.18.0.2 }\n", "");
	json_t *vteps = json_loads(vteps_j, 0, NULL), *ports = json_loads(ports_j, 0, NULL);
	struct plan p;
	char err[256];
	int fdb, rem;

	(void)state;
	/* the remotes run on tunnel ports someone named (vswctl --direct ... port=) */
	free(have->overlay.remotes);
	have->overlay.remotes = NULL;
	have->overlay.n_remotes = 0;
	assert_int_equal(observe_overlay_from_json(have, vteps, ports, err, sizeof(err)), 0);
	assert_int_equal(have->bridges[0].n_tunnels, 2);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	/* the MAC behind a running remote goes to that remote's port, whatever its name */
	fdb = find(&p, "fdb-add", "ov 02:00:00:00:00:05 vlan 1");
	assert_true(fdb >= 0);
	assert_string_equal(json_string_value(json_object_get(p.v[fdb].args, "port")), "tun-a");
	assert_int_equal(p.n, 1);
	plan_clear(&p);
	/* a remote taken back puts its tunnel port back under the name it had */
	topo_free(want);
	want = load_sub("  remotes: [198.18.0.2, 198.18.0.3]\n", no_remote3);
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	rem = find(&p, "vtep-remote-del", "ov 198.18.0.3");
	assert_true(rem >= 0);
	assert_string_equal(json_string_value(json_object_get(p.v[rem].undo_args, "port")),
			    "tun-b");
	plan_clear(&p);
	json_decref(vteps);
	json_decref(ports);
	topo_free(want);
	topo_free(have);
}

/* A fake dataplane that keeps each bridge's VNI and refuses one already in use, as the
 * real one does. */
struct vni_fake {
	json_t *vni; /* bridge name -> vni */
	int n;
};

static int vni_call(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
		    char *err, size_t errsz)
{
	struct vni_fake *f = ctx;
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *v = json_object_get(args, "vni"), *x;
	const char *key;

	f->n++;
	*result = json_object();
	*status = 0;
	if (strcmp(cmd, "bridge-del") == 0)
		json_object_del(f->vni, name);
	if ((strcmp(cmd, "bridge-add") != 0 && strcmp(cmd, "bridge-set") != 0) || v == NULL)
		return 0;
	json_object_foreach(f->vni, key, x) {
		if (strcmp(key, name) != 0 && json_integer_value(v) != 0 &&
		    json_integer_value(x) == json_integer_value(v)) {
			json_decref(*result);
			*result = NULL;
			*status = EEXIST;
			snprintf(err, errsz, "%s %s: VNI %d is bridge %s's", cmd, name,
				 (int)json_integer_value(v), key);
			return -EEXIST;
		}
	}
	json_object_set(f->vni, name, v);
	return 0;
}

static void test_vni_swap(void **state)
{
	struct topo *have = load("version: 1\n"
				 "ports: { u: { type: null } }\n"
				 "bridges: { a: { vni: 100 }, b: { vni: 200 }, c: { vni: 300 } }\n"
				 "overlay: { vtep: { local_ip: 198.18.0.1, port: u } }\n");
	struct topo *want =
		load("version: 1\n"
		     "ports: { u: { type: null } }\n"
		     "bridges: { a: { vni: 200 }, b: { vni: 100 }, c: {}, d: { vni: 300 } }\n"
		     "overlay: { vtep: { local_ip: 198.18.0.1, port: u } }\n");
	struct vni_fake f = {json_pack("{s:i, s:i, s:i}", "a", 100, "b", 200, "c", 300), 0};
	struct dp_link dp = {vni_call, &f};
	size_t failed, undo_failed;
	char err[1024];
	struct plan p;

	(void)state;
	assert_int_equal(reconcile_plan(want, have, &p), 0);
	/* the VNIs that move are cleared before any bridge takes them */
	assert_true(find(&p, "bridge-set", "a") < find(&p, "bridge-add", "d"));
	assert_int_equal(apply_plan(&dp, &p, &failed, &undo_failed, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "a")), 200);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "b")), 100);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "c")), 0);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "d")), 300);
	/* a, b, c changed, d added: each once */
	assert_int_equal(p.n_change, 3);
	assert_int_equal(p.n_add, 1);
	assert_int_equal(obj_fate(&p, "bridge", "a"), PLAN_FATE_CHANGE);
	assert_int_equal(obj_fate(&p, "bridge", "d"), PLAN_FATE_ADD);
	/* and undone, the other way round, to where it was */
	assert_int_equal(apply_undo(&dp, &p, p.n, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "a")), 100);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "b")), 200);
	assert_int_equal(json_integer_value(json_object_get(f.vni, "c")), 300);
	assert_null(json_object_get(f.vni, "d"));
	plan_clear(&p);
	json_decref(f.vni);
	topo_free(want);
	topo_free(have);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_all),
		cmocka_unit_test(test_noop),
		cmocka_unit_test(test_remove_all),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_max_macs),
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_apply_undo),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_flows_add),
		cmocka_unit_test(test_flows_noop),
		cmocka_unit_test(test_flows_change),
		cmocka_unit_test(test_flows_remove),
		cmocka_unit_test(test_flows_apply_id),
		cmocka_unit_test(test_overlay_add),
		cmocka_unit_test(test_overlay_noop),
		cmocka_unit_test(test_overlay_remove_remote),
		cmocka_unit_test(test_overlay_vtep_change),
		cmocka_unit_test(test_overlay_vni_change),
		cmocka_unit_test(test_overlay_remove_all),
		cmocka_unit_test(test_overlay_observe),
		cmocka_unit_test(test_overlay_apply_undo),
		cmocka_unit_test(test_overlay_caps),
		cmocka_unit_test(test_overlay6_add),
		cmocka_unit_test(test_overlay6_remove),
		cmocka_unit_test(test_overlay6_observe),
		cmocka_unit_test(test_record_add),
		cmocka_unit_test(test_record_observe),
		cmocka_unit_test(test_record_change_remove),
		cmocka_unit_test(test_record_apply_undo),
		cmocka_unit_test(test_record_caps),
		cmocka_unit_test(test_tunnel_names),
		cmocka_unit_test(test_vni_swap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
