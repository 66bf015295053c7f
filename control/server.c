/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller itself: its desired state, its connection to the dataplane, and the
 * requests vswctl sends it (docs/protocol.md, "The controller's socket"). One thread: the
 * main loop (main.c) polls our socket and calls ctrl_tick between polls, which keeps the
 * dataplane connection alive, notices a dataplane that restarted (connection lost, or
 * its uptime went down) and reprograms it from the desired state. Requests to the
 * dataplane block this thread for at most dp_timeout_ms each; our own clients never
 * block it (ctl_listen.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrl.h"
#include "imperative.h"
#include "vsw_client.h"
#include "vsw_proto.h"

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

#define RECONNECT_MS 500
#define RETRY_MS 5000 /* a reprogramming that failed is tried again after this long */

struct ctrl {
	struct ctrl_opts o;
	struct vsw_client *dp; /* NULL while the dataplane is not reachable */
	struct dp_link link;
	struct dp_caps caps;
	struct topo *want; /* NULL: nothing applied yet, the running state is left alone */
	bool state_bad;
	char state_msg[600]; /* why the state file was refused */
	int64_t dp_uptime;   /* last info's uptime_s, -1 before the first */
	uint64_t started_ms;
	uint64_t next_check_ms, next_connect_ms, next_reconcile_ms;
	bool need_reconcile;
	unsigned int reprograms;
	char last_error[600];
	char dp_err[300]; /* why the dataplane is not reachable */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("vsw-controller: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the dataplane connection ---- */

static void dp_drop(struct ctrl *c, const char *why)
{
	if (c->dp == NULL)
		return;
	say("lost the dataplane at %s: %s; reconnecting", c->o.dp_sock, why);
	vsw_client_close(c->dp);
	c->dp = NULL;
	snprintf(c->dp_err, sizeof(c->dp_err), "%.299s", why);
}

static int dp_call(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
		   char *err, size_t errsz)
{
	struct ctrl *c = ctx;
	struct vsw_reply r;
	int rc;

	*result = NULL;
	*status = 0;
	if (c->dp == NULL) {
		snprintf(err, errsz, "the dataplane at %.100s is not reachable (%.150s)",
			 c->o.dp_sock, c->dp_err);
		return -ENOTCONN;
	}
	rc = vsw_client_call(c->dp, cmd, args, &r, err, errsz);
	if (rc < 0) {
		dp_drop(c, err);
		return rc;
	}
	if (r.status != 0) {
		*status = r.status;
		snprintf(err, errsz, "%s", r.error != NULL ? r.error : "refused");
		vsw_reply_clear(&r);
		return -*status;
	}
	*result = r.result != NULL ? json_incref(r.result) : json_object();
	vsw_reply_clear(&r);
	return 0;
}

/* info's uptime_s, or -errno. */
static int64_t dp_uptime(struct ctrl *c)
{
	json_t *res = NULL;
	char err[300];
	int status, rc;
	int64_t up;

	rc = dp_call(c, "info", NULL, &res, &status, err, sizeof(err));
	if (rc < 0)
		return rc;
	up = json_integer_value(json_object_get(res, "uptime_s"));
	json_decref(res);
	return up;
}

/* True when no bridge is named probe, so the probes below may use the name. */
static bool dp_probe_name_free(struct ctrl *c, const char *probe)
{
	json_t *args = json_pack("{s:s}", "name", probe), *res = NULL;
	char err[300];
	int status = 0, rc;

	rc = dp_call(c, "bridge-list", args, &res, &status, err, sizeof(err));
	json_decref(args);
	json_decref(res);
	return rc != 0; /* a bridge of that name is someone's: do not touch it */
}

/*
 * Does flow-add take a vni match? Asked with a rule for a bridge that does not exist: the
 * dataplane parses the match before it looks for the bridge, so ENOENT means the field was
 * understood and EINVAL that it was not. Nothing is added either way (a bridge of that
 * name is checked for first; a rule that landed anyway is deleted).
 */
static bool dp_probe_flow_vni(struct ctrl *c)
{
	static const char probe[] = "vsw-ctrl-vni-probe";
	json_t *args, *res = NULL;
	char err[300];
	int status = 0;

	if (!dp_probe_name_free(c, probe))
		return false;
	args = json_pack("{s:s, s:{s:i}, s:[s]}", "bridge", probe, "match", "vni", 1, "actions",
			 "drop");
	if (dp_call(c, "flow-add", args, &res, &status, err, sizeof(err)) == 0) {
		json_decref(res);
		json_decref(args);
		args = json_pack("{s:s}", "bridge", probe);
		dp_call(c, "flow-del", args, &res, &status, err, sizeof(err));
		json_decref(res);
		json_decref(args);
		return true;
	}
	json_decref(args);
	return status == ENOENT;
}

/*
 * Do the vtep-* commands take IPv6 addresses? Asked with a vtep-remote-del of an IPv6
 * remote from a bridge that does not exist: the dataplane checks the address's syntax
 * before it looks for the bridge, so ENOENT means IPv6 was understood and EINVAL that only
 * IPv4 is. A delete: nothing can be added whatever the answer, and a bridge of that name
 * is checked for first.
 */
static bool dp_probe_overlay6(struct ctrl *c)
{
	static const char probe[] = "vsw-ctrl-ip6-probe";
	json_t *args, *res = NULL;
	char err[300];
	int status = 0;

	if (!dp_probe_name_free(c, probe))
		return false;
	args = json_pack("{s:s, s:s}", "bridge", probe, "remote", "2001:2::1");
	dp_call(c, "vtep-remote-del", args, &res, &status, err, sizeof(err));
	json_decref(args);
	json_decref(res);
	return status == ENOENT;
}

static void dp_probe_caps(struct ctrl *c)
{
	json_t *args = json_pack("{s:s}", "bridge", "vsw-probe"), *res = NULL;
	char err[300];
	int status = 0;

	dp_call(c, "flow-dump", args, &res, &status, err, sizeof(err));
	json_decref(args);
	json_decref(res);
	c->caps.flows = c->dp != NULL && status != EOPNOTSUPP;
	/* vtep-list is harmless; a dataplane without the overlay does not know it */
	res = NULL;
	status = 0;
	dp_call(c, "vtep-list", NULL, &res, &status, err, sizeof(err));
	json_decref(res);
	c->caps.overlay = c->dp != NULL && status != EOPNOTSUPP;
	/* record-list is harmless too */
	res = NULL;
	status = 0;
	dp_call(c, "record-list", NULL, &res, &status, err, sizeof(err));
	json_decref(res);
	c->caps.record = c->dp != NULL && status != EOPNOTSUPP;
	c->caps.flow_vni = c->caps.flows && dp_probe_flow_vni(c);
	c->caps.overlay6 = c->caps.overlay && dp_probe_overlay6(c);
}

static bool dp_connect(struct ctrl *c)
{
	char err[300];

	if (c->dp != NULL)
		return true;
	c->dp = vsw_client_connect(c->o.dp_sock, c->o.dp_timeout_ms, err, sizeof(err));
	if (c->dp == NULL) {
		snprintf(c->dp_err, sizeof(c->dp_err), "%s", err);
		return false;
	}
	c->dp_uptime = dp_uptime(c);
	if (c->dp == NULL)
		return false;
	dp_probe_caps(c);
	if (c->dp == NULL)
		return false;
	say("connected to the dataplane at %s (up %llds)", c->o.dp_sock, (long long)c->dp_uptime);
	c->need_reconcile = true;
	c->next_reconcile_ms = 0;
	return true;
}

/* ---- reconciling ---- */

/* What runs, with the recordings the desired state asked for marked as ours (the others
 * are a person's, and no plan stops them). */
static struct topo *observe(struct ctrl *c, char *err, size_t errsz)
{
	struct topo *have;

	if (!dp_connect(c)) {
		snprintf(err, errsz, "the dataplane at %.100s is not reachable (%.150s)",
			 c->o.dp_sock, c->dp_err);
		return NULL;
	}
	have = observe_topo(&c->link, err, errsz);
	if (have != NULL)
		observe_records_own(have, c->want);
	return have;
}

/* Make the dataplane run c->want. 0 or -errno with the reason in err. */
static int reprogram(struct ctrl *c, char *err, size_t errsz)
{
	struct topo *have;
	struct plan plan;
	size_t failed, undo_failed;
	int rc;

	have = observe(c, err, errsz);
	if (have == NULL)
		return -EAGAIN;
	rc = reconcile_plan(c->want, have, &plan);
	topo_free(have);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		return rc;
	}
	if (plan.n > 0) {
		say("the dataplane differs from the desired state: applying %zu step%s", plan.n,
		    plan.n == 1 ? "" : "s");
		rc = apply_plan(&c->link, &plan, &failed, &undo_failed, err, errsz);
		if (rc == 0) {
			c->reprograms++;
			say("the dataplane runs the desired state again");
		}
	}
	plan_clear(&plan);
	return rc;
}

void ctrl_tick(struct ctrl *c)
{
	uint64_t now = now_ms();
	char err[1024];
	int64_t up;

	if (now < c->next_check_ms)
		return;
	c->next_check_ms = now + (uint64_t)c->o.poll_ms;
	if (c->dp == NULL) {
		if (now < c->next_connect_ms)
			return;
		c->next_connect_ms = now + RECONNECT_MS;
		if (!dp_connect(c))
			return;
	} else {
		up = dp_uptime(c);
		if (up < 0)
			return; /* dropped; reconnect on the next tick */
		if (up < c->dp_uptime) {
			say("the dataplane restarted (uptime %llds, was %llds)", (long long)up,
			    (long long)c->dp_uptime);
			c->need_reconcile = true;
			c->next_reconcile_ms = 0;
		}
		c->dp_uptime = up;
	}
	if (!c->need_reconcile || c->want == NULL || now < c->next_reconcile_ms)
		return;
	if (reprogram(c, err, sizeof(err)) < 0) {
		say("ERROR: cannot bring the dataplane to the desired state: %s (retrying in %ds)",
		    err, RETRY_MS / 1000);
		snprintf(c->last_error, sizeof(c->last_error), "%.599s", err);
		c->next_reconcile_ms = now + RETRY_MS;
		return;
	}
	c->need_reconcile = false;
	c->last_error[0] = '\0';
}

/* ---- the state file ---- */

void ctrl_load_state(struct ctrl *c)
{
	char err[600], bad[4200];
	int rc;

	rc = state_load(c->o.state_path, &c->want, err, sizeof(err));
	if (rc == -ENOENT) {
		say("no state file at %s: the running dataplane is adopted as it is until the "
		    "first apply",
		    c->o.state_path);
		return;
	}
	if (rc == 0) {
		say("desired state loaded from %s (%zu ports, %zu bridges)", c->o.state_path,
		    c->want->n_ports, c->want->n_bridges);
		return;
	}
	c->state_bad = true;
	snprintf(bad, sizeof(bad), "%s.corrupt", c->o.state_path);
	if (rename(c->o.state_path, bad) == 0)
		snprintf(c->state_msg, sizeof(c->state_msg), "%.400s; moved to %.150s", err, bad);
	else
		snprintf(c->state_msg, sizeof(c->state_msg), "%.599s", err);
	say("ERROR: %s. NOTHING of it is applied: the dataplane keeps running what it runs; "
	    "apply a topology to set the desired state again.",
	    c->state_msg);
}

/* ---- requests ---- */

struct req {
	struct ctrl *c;
	const char *cmd;
	json_t *args;
	json_t *result;
	json_t *errors; /* validation errors, sent beside "error" */
	int status;
	char err[1200];
};

__attribute__((format(printf, 3, 4))) static int fail(struct req *r, int status, const char *fmt,
						      ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, sizeof(r->err), "%s: ", r->cmd ? r->cmd : "request");
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->status = status;
	return -status;
}

json_t *ctrl_errors_json(const struct topo_errors *errs)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < errs->n; i++) {
		const struct topo_error *e = &errs->v[i];

		json_array_append_new(
			a, json_pack("{s:s, s:I, s:I, s:s, s:s}", "file", e->file ? e->file : "",
				     "line", (json_int_t)e->line, "column", (json_int_t)e->column,
				     "path", e->path ? e->path : "", "message",
				     e->message ? e->message : ""));
	}
	return a;
}

static json_t *ctrl_info(struct ctrl *c)
{
	return json_pack(
		"{s:s, s:i, s:I, s:s, s:s, s:b, s:s, s:s, s:s, s:b, s:I, s:s, s:b, s:b, s:b, s:b}",
		"version", VSW_VERSION, "protocol", VSW_PROTO_VERSION, "uptime_s",
		(json_int_t)((now_ms() - c->started_ms) / 1000), "socket", c->o.sock,
		"dataplane_socket", c->o.dp_sock, "connected", c->dp != NULL, "dataplane_error",
		c->dp != NULL ? "" : c->dp_err, "state_file", c->o.state_path, "state",
		c->state_bad	  ? c->state_msg
		: c->want != NULL ? "ok"
				  : "none",
		"desired", c->want != NULL, "reprograms", (json_int_t)c->reprograms, "last_error",
		c->last_error, "flows", c->caps.flows, "overlay", c->caps.overlay, "overlay6",
		c->caps.overlay6, "record", c->caps.record);
}

static int h_info(struct req *r)
{
	r->result = ctrl_info(r->c);
	return 0;
}

static int dp_get(struct req *r, const char *cmd, json_t *args, json_t **res)
{
	char err[600];
	int status, rc;

	rc = dp_call(r->c, cmd, args, res, &status, err, sizeof(err));
	json_decref(args);
	if (rc < 0)
		return fail(r, status ? status : EAGAIN, "%s", err);
	return 0;
}

/* Does what runs differ from the desired state? JSON null when there is none. */
static json_t *in_sync(struct ctrl *c)
{
	struct topo *have;
	struct plan plan;
	char err[300];
	bool same;

	if (c->want == NULL)
		return json_null();
	have = observe_topo(&c->link, err, sizeof(err));
	if (have != NULL)
		observe_records_own(have, c->want);
	if (have == NULL || reconcile_plan(c->want, have, &plan) < 0) {
		topo_free(have);
		return json_null();
	}
	same = plan.n == 0;
	plan_clear(&plan);
	topo_free(have);
	return json_boolean(same);
}

static int h_show(struct req *r)
{
	json_t *info = NULL, *bridges = NULL, *ports = NULL, *b, *ci;
	size_t i;

	ci = ctrl_info(r->c);
	if (!dp_connect(r->c)) {
		r->result = json_pack("{s:o, s:n, s:[], s:[]}", "controller", ci, "dataplane",
				      "bridges", "ports");
		return 0;
	}
	if (dp_get(r, "info", NULL, &info) < 0 || dp_get(r, "bridge-list", NULL, &bridges) < 0 ||
	    dp_get(r, "port-list", NULL, &ports) < 0)
		goto out_fail;
	json_array_foreach(bridges, i, b) {
		const char *name = json_string_value(json_object_get(b, "name"));
		json_t *fdb = NULL, *e, *statics = json_array();
		size_t k;

		if (name == NULL ||
		    dp_get(r, "fdb-show", json_pack("{s:s}", "bridge", name), &fdb) < 0) {
			json_decref(statics);
			goto out_fail;
		}
		json_array_foreach(fdb, k, e) {
			if (strcmp(json_string_value(json_object_get(e, "type")) ?: "", "static") ==
			    0)
				json_array_append(statics, e);
		}
		json_decref(fdb);
		json_object_set_new(b, "static_macs", statics);
	}
	json_object_set_new(ci, "in_sync", in_sync(r->c));
	r->result = json_pack("{s:o, s:o, s:o, s:o}", "controller", ci, "dataplane", info,
			      "bridges", bridges, "ports", ports);
	return r->result != NULL ? 0 : fail(r, ENOMEM, "out of memory");
out_fail:
	json_decref(ci);
	json_decref(info);
	json_decref(bridges);
	json_decref(ports);
	return -r->status;
}

/* What the socket cannot give back, taken from the desired state: the dataplane's command
 * line, and per bridge its overlay MTU (a promise the validator checks, not a setting) and
 * the VLAN its VNI carries when no remote's tunnel port shows it. */
static void export_declarations(struct topo *have, const struct topo *want)
{
	have->dataplane = want->dataplane;
	for (size_t i = 0; i < have->n_bridges; i++) {
		struct topo_bridge *h = &have->bridges[i];
		const struct topo_bridge *w = topo_bridge_find(want, h->name);
		size_t n;

		if (w == NULL || w->vni != h->vni || h->vni == 0)
			continue;
		h->mtu = w->mtu;
		topo_bridge_remotes(have, h, &n);
		if (n == 0)
			h->vni_vlan = w->vni_vlan;
	}
}

/* The running topology as YAML, with the dataplane section last applied (the dataplane's
 * command line cannot be read back over the socket). */
static int export_yaml(struct req *r, char **yaml)
{
	struct topo *have;
	size_t size = 0;
	FILE *f;
	int rc;

	have = observe(r->c, r->err, sizeof(r->err));
	if (have == NULL) {
		r->status = EAGAIN;
		return -EAGAIN;
	}
	if (r->c->want != NULL)
		export_declarations(have, r->c->want);
	*yaml = NULL;
	f = open_memstream(yaml, &size);
	if (f == NULL) {
		topo_free(have);
		return fail(r, ENOMEM, "out of memory");
	}
	rc = topo_write_yaml(have, f);
	topo_free(have);
	if (fclose(f) != 0 || rc < 0) {
		free(*yaml);
		*yaml = NULL;
		return fail(r, rc < 0 ? -rc : ENOMEM, "cannot write YAML: %s",
			    strerror(rc < 0 ? -rc : ENOMEM));
	}
	return 0;
}

static int h_export(struct req *r)
{
	char *yaml = NULL;
	int rc = export_yaml(r, &yaml);

	if (rc < 0)
		return rc;
	r->result = json_pack("{s:s}", "yaml", yaml);
	free(yaml);
	return r->result != NULL ? 0 : fail(r, ENOMEM, "out of memory");
}

/* Load, check and plan a topology sent by the client. */
static int plan_from(struct req *r, struct topo **want, struct plan *plan)
{
	const char *text = json_string_value(json_object_get(r->args, "topology"));
	const char *file = json_string_value(json_object_get(r->args, "file"));
	struct topo_errors errs;
	struct topo *have;
	size_t len = json_string_length(json_object_get(r->args, "topology"));
	int rc;

	if (file == NULL)
		file = "topology";
	topo_errors_init(&errs);
	*want = topo_load_buf(file, text, len, &errs);
	if (*want != NULL && !dp_connect(r->c)) {
		topo_errors_clear(&errs);
		topo_free(*want);
		return fail(r, EAGAIN, "the dataplane at %s is not reachable (%s)", r->c->o.dp_sock,
			    r->c->dp_err);
	}
	if (*want != NULL && ctrl_check_caps(*want, &r->c->caps, file, &errs) > 0) {
		topo_free(*want);
		*want = NULL;
	}
	if (*want == NULL) {
		topo_errors_sort(&errs);
		r->errors = ctrl_errors_json(&errs);
		rc = fail(r, EINVAL, "%s: %zu error%s%s, nothing applied (first: %s)", file, errs.n,
			  errs.n == 1 ? "" : "s", errs.truncated ? " or more" : "",
			  errs.n ? errs.v[0].message : "?");
		topo_errors_clear(&errs);
		return rc;
	}
	topo_errors_clear(&errs);
	have = observe(r->c, r->err, sizeof(r->err));
	if (have == NULL) {
		topo_free(*want);
		*want = NULL;
		r->status = EAGAIN;
		return -EAGAIN;
	}
	rc = reconcile_plan(*want, have, plan);
	topo_free(have);
	if (rc < 0) {
		topo_free(*want);
		*want = NULL;
		return fail(r, ENOMEM, "out of memory");
	}
	return 0;
}

static int h_apply(struct req *r, bool dry_run)
{
	struct ctrl *c = r->c;
	struct topo *want = NULL;
	struct plan plan;
	size_t failed, undo_failed;
	char err[1000];
	int rc;

	rc = plan_from(r, &want, &plan);
	if (rc < 0)
		return rc;
	r->result = plan_json(&plan);
	if (r->result == NULL) {
		rc = fail(r, ENOMEM, "out of memory");
		goto out;
	}
	if (dry_run) {
		json_object_set_new(r->result, "applied", json_false());
		goto out;
	}
	rc = apply_plan(&c->link, &plan, &failed, &undo_failed, err, sizeof(err));
	if (rc < 0) {
		rc = fail(r, -rc, "%s", err);
		say("apply refused: %s", err);
		goto out;
	}
	rc = state_save(c->o.state_path, want, err, sizeof(err));
	if (rc < 0) {
		char uerr[600];
		int n = apply_undo(&c->link, &plan, plan.n, uerr, sizeof(uerr));

		rc = fail(r, -rc, "%s; %s", err,
			  n == 0 ? "the plan was undone, the dataplane runs what it ran before"
				 : uerr);
		say("apply undone: %s", r->err);
		goto out;
	}
	topo_free(c->want);
	c->want = want;
	want = NULL;
	c->state_bad = false;
	c->need_reconcile = false;
	c->last_error[0] = '\0';
	json_object_set_new(r->result, "applied", json_true());
	if (plan.n > 0)
		say("applied %zu step%s", plan.n, plan.n == 1 ? "" : "s");
out:
	plan_clear(&plan);
	topo_free(want);
	return rc;
}

/* An imperative command kept as desired state (imperative.c). */
static struct topo *edit_observe(void *ctx, char *err, size_t errsz)
{
	return observe(ctx, err, errsz);
}

static int h_edit(struct req *r)
{
	struct ctrl *c = r->c;
	const struct imp_env env = {.link = &c->link,
				    .caps = &c->caps,
				    .state_path = c->o.state_path,
				    .observe = edit_observe,
				    .ctx = c};
	struct imp_reply ir;

	imp_request(&env, c->want, r->args, &ir);
	r->result = ir.result;
	r->errors = ir.errors;
	if (ir.status != 0) {
		r->status = ir.status;
		snprintf(r->err, sizeof(r->err), "%s", ir.err);
		say("edit refused: %s", ir.err);
		return -ir.status;
	}
	if (ir.want != NULL) {
		topo_free(c->want);
		c->want = ir.want;
		c->state_bad = false;
		c->need_reconcile = false;
		c->last_error[0] = '\0';
		say("edit %s applied", json_string_value(json_object_get(r->args, "cmd")));
	}
	return 0;
}

/* ---- framing of one request ---- */

enum arg_type { A_STRING, A_BOOL, A_OBJECT };
struct arg_spec {
	const char *key;
	enum arg_type type;
	bool required;
};

struct cmd {
	const char *name;
	bool mutating;
	const struct arg_spec *args;
};

static const struct arg_spec a_none[] = {{NULL, 0, false}};
static const struct arg_spec a_topo[] = {
	{"topology", A_STRING, true},
	{"file", A_STRING, false},
	{"dry_run", A_BOOL, false},
	{NULL, 0, false},
};

static const struct arg_spec a_edit[] = {
	{"cmd", A_STRING, true},      {"args", A_OBJECT, false},   {"may_exist", A_BOOL, false},
	{"if_exists", A_BOOL, false}, {"source", A_STRING, false}, {NULL, 0, false},
};

static const struct cmd cmds[] = {
	{"info", false, a_none}, {"show", false, a_none}, {"export", false, a_none},
	{"plan", false, a_topo}, {"apply", true, a_topo}, {"edit", true, a_edit},
};

static int args_check(struct req *r, const struct arg_spec *spec)
{
	const struct arg_spec *a;
	const char *key;
	json_t *v;

	if (r->args != NULL && !json_is_object(r->args))
		return fail(r, EINVAL, "args is not an object");
	json_object_foreach(r->args, key, v) {
		for (a = spec; a->key != NULL; a++)
			if (strcmp(a->key, key) == 0)
				break;
		if (a->key == NULL)
			return fail(r, EINVAL, "unknown argument \"%.40s\"", key);
		if (a->type == A_STRING && !json_is_string(v))
			return fail(r, EINVAL, "%s is not a string", key);
		if (a->type == A_BOOL && !json_is_boolean(v))
			return fail(r, EINVAL, "%s is not true or false", key);
		if (a->type == A_OBJECT && !json_is_object(v))
			return fail(r, EINVAL, "%s is not an object", key);
	}
	for (a = spec; a->key != NULL; a++)
		if (a->required && json_object_get(r->args, a->key) == NULL)
			return fail(r, EINVAL, "missing %s", a->key);
	return 0;
}

static int dispatch(struct req *r, json_t *msg, json_int_t *id, bool may_write)
{
	static const char *const keys[] = {"v", "id", "cmd", "args"};
	const struct cmd *cmd = NULL;
	const char *key, *name;
	json_t *v;
	bool dry;
	int rc;

	if (!json_is_object(msg))
		return fail(r, EPROTO, "not a JSON object");
	v = json_object_get(msg, "v");
	if (!json_is_integer(v) || json_integer_value(v) != VSW_PROTO_VERSION)
		return fail(r, EPROTO, "missing or unsupported v (expected %d)", VSW_PROTO_VERSION);
	json_object_foreach(msg, key, v) {
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return fail(r, EINVAL, "unknown key \"%.40s\"", key);
	}
	v = json_object_get(msg, "id");
	if (v != NULL && !json_is_integer(v))
		return fail(r, EINVAL, "id is not an integer");
	*id = v != NULL ? json_integer_value(v) : 0;
	name = json_string_value(json_object_get(msg, "cmd"));
	if (name == NULL)
		return fail(r, EINVAL, "missing cmd");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && cmd == NULL; i++)
		if (strcmp(cmds[i].name, name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL)
		return fail(r, EOPNOTSUPP,
			    "unknown command \"%.40s\" (expected info, show, export, plan, apply, "
			    "edit)",
			    name);
	r->cmd = cmd->name;
	r->args = json_object_get(msg, "args");
	rc = args_check(r, cmd->args);
	if (rc < 0)
		return rc;
	dry = json_is_true(json_object_get(r->args, "dry_run"));
	if (cmd->mutating && !dry && !may_write)
		return fail(r, EPERM,
			    "not allowed: only root, the controller's user or members of the "
			    "socket's group may change the switch");
	if (strcmp(name, "info") == 0)
		return h_info(r);
	if (strcmp(name, "show") == 0)
		return h_show(r);
	if (strcmp(name, "export") == 0)
		return h_export(r);
	if (strcmp(name, "edit") == 0)
		return h_edit(r);
	return h_apply(r, strcmp(name, "plan") == 0 || dry);
}

/* Replace every byte of s that does not start a valid UTF-8 sequence (as jansson judges one:
 * no overlong forms, no surrogates, nothing above U+10FFFF) with '?'. The error sentence
 * quotes bytes of the request (jansson's "near '...'", key names cut at 40 bytes) and may be
 * cut itself, and jansson refuses to pack a string that is not UTF-8: without this the
 * client got no reply at all. */
static void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p != '\0') {
		unsigned int c = *p, n, k;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			n = 0;
		c &= 0x3f >> n; /* the lead byte's payload bits */
		for (k = 1; k <= n && (p[k] & 0xc0) == 0x80; k++)
			c = (c << 6) | (p[k] & 0x3f);
		if (n > 0 && k == n + 1 &&
		    !(n == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) &&
		    !(n == 3 && (c < 0x10000 || c > 0x10ffff))) {
			p += n + 1;
			continue;
		}
		*p++ = '?';
	}
}

char *ctrl_handle_request(struct ctrl *c, const char *line, size_t len, bool may_write)
{
	struct req r = {.c = c};
	json_error_t jerr;
	json_int_t id = 0;
	json_t *msg, *reply;
	char *out;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL)
		fail(&r, EPROTO, "malformed JSON: %s", jerr.text);
	else if (dispatch(&r, msg, &id, may_write) == 0 && r.result == NULL)
		r.result = json_object();
	if (r.status == 0) {
		reply = json_pack("{s:i, s:I, s:i, s:o}", "v", VSW_PROTO_VERSION, "id", id,
				  "status", 0, "result", r.result);
	} else {
		utf8_scrub(r.err);
		reply = json_pack("{s:i, s:I, s:i, s:s}", "v", VSW_PROTO_VERSION, "id", id,
				  "status", r.status, "error", r.err);
	}
	if (reply != NULL && r.errors != NULL)
		json_object_set_new(reply, "errors", r.errors);
	else
		json_decref(r.errors);
	if (r.status != 0)
		json_decref(r.result);
	json_decref(msg);
	if (reply == NULL)
		return NULL;
	out = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	return out;
}

/* ---- life ---- */

struct ctrl *ctrl_new(const struct ctrl_opts *o)
{
	struct ctrl *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->o = *o;
	c->link.call = dp_call;
	c->link.ctx = c;
	c->dp_uptime = -1;
	c->started_ms = now_ms();
	snprintf(c->dp_err, sizeof(c->dp_err), "not connected yet");
	return c;
}

void ctrl_free(struct ctrl *c)
{
	if (c == NULL)
		return;
	vsw_client_close(c->dp);
	topo_free(c->want);
	free(c);
}
