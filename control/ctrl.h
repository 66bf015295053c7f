/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-controller's insides, shared by its files and the unit tests. The controller holds
 * the desired topology (config/topology.h), reads what the dataplane runs into the same
 * model (observe.c), plans the difference as an ordered list of protocol requests, each
 * with the request that undoes it (reconcile.c, pure), plays the plan over the dataplane's
 * socket and undoes it in reverse on the first failure (apply.c), persists what it applied
 * with a checksum (state.c) and answers vswctl on its own socket (server.c, ctl_listen.c).
 */
#ifndef VSW_CTRL_H
#define VSW_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "topology.h"

#define VSW_CONTROLLER_SOCK "/run/vsw/controller.sock"
#define VSW_CONTROLLER_STATE "/var/lib/vsw/controller.state"
/* A topology travels inside one request line: larger than the dataplane's 64 KiB so that
 * tens of thousands of flow rules fit, still bounded so a client cannot make us swell. */
#define VSW_CTRL_MAX_LINE (4u << 20)
#define VSW_CTRL_MAX_CLIENTS 16

/* ---- the plan ---- */

enum plan_sign {
	PLAN_ADD = '+',
	PLAN_CHANGE = '~',
	PLAN_REMOVE = '-',
};

/* What a plan does to an object, as terraform says it of a resource. */
enum plan_fate {
	PLAN_FATE_ADD = '+',
	PLAN_FATE_CHANGE = '~', /* in place */
	PLAN_FATE_REMOVE = '-',
	PLAN_FATE_REPLACE = 'R', /* "-/+": removed and added again (counted as both) */
};

/* One protocol request and the one that takes it back. */
struct plan_step {
	char sign;	   /* enum plan_sign, for people */
	char obj[8];	   /* "bridge", "port", "attach", "fdb", "flow": what the step touches */
	char name[80];	   /* "p1", "p1 -> office", "office 02:00:00:00:00:01 vlan 10" */
	char text[256];	   /* what changes, for people: "mac_aging_s 300 -> 60" */
	char cmd[16];	   /* dataplane command */
	json_t *args;	   /* owned */
	char undo_cmd[16]; /* "" when the step cannot be taken back (see reconcile.c) */
	json_t *undo_args; /* owned */
	/* The object a person counts the step under (reconcile.c says which): its kind,
	 * name and fate, and its index in plan.objs. */
	char owner_obj[8];
	char owner_name[80];
	char fate; /* enum plan_fate */
	size_t group;
};

/* An object the plan touches, with the steps it takes (a bridge's attachments, static
 * MACs and recording, a re-created port's detach and re-attach ...). */
struct plan_obj {
	char fate; /* enum plan_fate */
	char obj[8];
	char name[80];
	size_t n_steps;
};

struct plan {
	struct plan_step *v;
	size_t n, cap;
	/* the objects, in the order of their first step; each step's group is its object */
	struct plan_obj *objs;
	size_t n_objs;
	/* the summary, as terraform counts it: objects (a replaced one as both), not steps */
	unsigned int n_add, n_change, n_remove;
	char notes[4][160]; /* things the plan does not change but a person should know */
	size_t n_notes;
};

void plan_init(struct plan *p);
void plan_clear(struct plan *p);

/*
 * want minus have, as requests in an order the dataplane accepts: flow rules removed,
 * static MACs removed, ports detached, ports deleted, bridges deleted, bridges added and
 * changed, ports added and changed, ports attached (or re-attached with new VLANs), static
 * MACs added, flow rules added or changed (flow-mod when only actions or, for a named
 * rule, the priority change). Rules pair by name, unnamed ones by (bridge, priority,
 * match). A port whose type or options change is deleted and added; a bridge whose
 * max_macs must shrink is deleted and added with its ports detached and attached again
 * (and its rules, or those naming a re-created port, deleted and added); everything else is
 * changed in place, and ports, bridges and MACs that do not change get no request at all.
 * Equal topologies give an empty plan. want->dataplane is not applied (it is the
 * dataplane's command line): a difference only adds a note. Returns 0 or -ENOMEM.
 */
int reconcile_plan(const struct topo *want, const struct topo *have, struct plan *p);

/* The plan as JSON: {"changes":[{"sign":"+","object":..,"name":..,"text":..,"cmd":..,
 * "args":..}] (in the order they run), "objects":[{"sign":"+"|"~"|"-"|"-/+","object":..,
 * "name":..,"steps":[indices into changes]}], "add":N, "change":N, "remove":N (what the
 * objects add up to), "notes":[..]}. */
json_t *plan_json(const struct plan *p);

/* The match the dataplane keeps: an IP prefix implies its eth_type (docs/protocol.md), so
 * a rule that leaves it out equals what flow-dump writes back. */
void ctrl_match_norm(struct topo_match *m);

/* ---- what runs ---- */

/* A request to the dataplane: 0 with *result (owned) on status 0, else -errno with a
 * sentence in err (the dataplane's own when it refused: status is then a positive errno
 * in *status, else 0). Lets apply.c and observe.c run against a fake in tests. */
struct dp_link {
	int (*call)(void *ctx, const char *cmd, json_t *args, json_t **result, int *status,
		    char *err, size_t errsz);
	void *ctx;
};

/*
 * Read the dataplane's ports, bridges and static MACs into a topology (sorted by name, so
 * that an export is the same whatever order the dataplane created things in). Features the
 * dataplane does not have are left empty. Returns NULL with a sentence in err on failure.
 */
struct topo *observe_topo(const struct dp_link *dp, char *err, size_t errsz);
/* The same from replies already fetched (port-list result, bridge-list result, and per
 * bridge the fdb-show result keyed by bridge name): for tests and for observe_topo. */
struct topo *observe_from_json(json_t *ports, json_t *bridges, json_t *fdbs, char *err,
			       size_t errsz);
/* Fill t->flows from flow-dump results keyed by bridge name (bridges without a key have no
 * rules), per bridge in t's order, each bridge's rules in the order they are tried. */
int observe_flows_from_json(struct topo *t, json_t *flows, char *err, size_t errsz);

/* Fill t->overlay and each bridge's remotes from vtep-list's result (with port-list's
 * for the tunnel ports' VLAN); t's bridges must be in already. A dataplane with more than
 * one VTEP is refused (-EOPNOTSUPP): a topology describes one. */
int observe_overlay_from_json(struct topo *t, json_t *vteps, json_t *ports, char *err,
			      size_t errsz);

/*
 * Fill each bridge's record from record-list's result. A bridge with several entries (a
 * finished one is listed until stopped) gets its running one, else its newest, marked
 * stale; entries of bridges that do not exist are left out. Every recording observed is
 * adhoc (not the controller's) until observe_records_own says otherwise.
 */
int observe_records_from_json(struct topo *t, json_t *recs, char *err, size_t errsz);

/* The recordings of have that prev (the desired state last applied; NULL: none) asked
 * for are the controller's own: a plan may stop them. Others (vswctl capture record on a
 * bridge the desired state does not record) are left alone. */
void observe_records_own(struct topo *have, const struct topo *prev);

/* Addresses as flow rules and the overlay spell them, into the model: "198.51.100.1" (a
 * /32), "2001:2::/32"; "MAC" or "MAC/MASK". -EINVAL if s is not one. Shared by observe.c
 * (the dataplane's replies) and imperative.c (vswctl's arguments), which read them alike. */
int ctrl_ip_parse(const char *s, struct topo_ip *ip);
int ctrl_mac_masked_parse(const char *s, uint8_t mac[6], uint8_t mask[6]);

/*
 * The dataplane's id of an observed flow rule. A running rule has no place in a file, so
 * in a model from observe_* its loc.line holds the id flow-dump gave (in a model loaded
 * from a file it is the rule's line: reconcile.c reads it only from the running side, to
 * delete and change unnamed rules).
 */
#define CTRL_FLOW_ID(f) ((f)->loc.line)

/*
 * What the controller can program on this dataplane: topologies using anything else are
 * refused before a plan is made (never silently ignored). Adds errors naming the field.
 */
struct dp_caps {
	bool flows;    /* flow-add/flow-del/flow-dump answer */
	bool overlay;  /* VXLAN (bridge vni, overlay:): vtep-list answers */
	bool flow_vni; /* flow-add takes a vni match */
	bool record;   /* record-start/-stop/-list answer (bridge record:) */
	bool overlay6; /* VTEPs over an IPv6 underlay: vtep-* take IPv6 addresses */
};
size_t ctrl_check_caps(const struct topo *t, const struct dp_caps *caps, const char *file,
		       struct topo_errors *errs);

/*
 * Play the plan. On the first failure, undo the steps already done in reverse order and
 * return the failing step's -errno with a sentence in err that names the step, the
 * dataplane's answer and how the undo went. *failed gets the index of the failing step
 * (p->n when all landed). An undo that fails is reported in err and counted in
 * *undo_failed: the dataplane may then hold part of the plan (it is said loudly).
 */
int apply_plan(const struct dp_link *dp, const struct plan *p, size_t *failed, size_t *undo_failed,
	       char *err, size_t errsz);
/* Undo the first n_done steps of a plan that all landed, newest first (the controller
 * does this when it cannot persist what it just applied). Returns how many undo steps
 * failed, the first one's sentence in err. */
int apply_undo(const struct dp_link *dp, const struct plan *p, size_t n_done, char *err,
	       size_t errsz);

/* ---- the state file ---- */

/*
 * Write the topology as YAML with a last line "# vsw-state crc32=XXXXXXXX size=N" over
 * everything before it: to PATH.tmp, fsync, rename over PATH, fsync the directory. 0 or
 * -errno with a sentence in err.
 */
int state_save(const char *path, const struct topo *t, char *err, size_t errsz);
/*
 * Read it back. Returns 0 with *t (owned) on success; -ENOENT when there is no state
 * file (a first start); -EBADMSG when the checksum line is missing or wrong (truncated,
 * corrupted, edited) or the YAML does not load: *t is then NULL and err says why. Nothing
 * of a bad file is ever used.
 */
int state_load(const char *path, struct topo **t, char *err, size_t errsz);
/* CRC-32 (IEEE 802.3, as zlib), exposed for the tests. */
uint32_t state_crc32(const void *buf, size_t size);

/* ---- the daemon ---- */

struct ctrl;

struct ctrl_opts {
	const char *sock;    /* our socket */
	const char *dp_sock; /* the dataplane's */
	const char *state_path;
	int dp_timeout_ms; /* per dataplane request */
	int poll_ms;	   /* how often the dataplane is checked */
};

/* Handle one request line from a client; returns the reply line (malloc'd, without
 * newline) or NULL when out of memory. Never blocks on the client; may wait on the
 * dataplane (each request bounded by dp_timeout_ms). */
char *ctrl_handle_request(struct ctrl *c, const char *line, size_t len, bool may_write);

/* A topology's errors as a reply's "errors" array (apply, edit); NULL when out of memory. */
json_t *ctrl_errors_json(const struct topo_errors *errs);

/* For the fuzz target: a controller with no dataplane and no state file. */
struct ctrl *ctrl_new(const struct ctrl_opts *o);
void ctrl_free(struct ctrl *c);
/* Reconnect if needed, notice a restarted dataplane and reprogram it. */
void ctrl_tick(struct ctrl *c);
/* Load the state file at start (a corrupted one is reported and not used). */
void ctrl_load_state(struct ctrl *c);

/* ---- its socket (control/ctl_listen.c) ---- */

struct ctl_listen;
typedef char *(*ctl_listen_fn)(void *ctx, const char *line, size_t len, bool may_write);

/* As the dataplane's ctl_server: stale socket removed, mode 0660, group vsw, SO_PEERCRED,
 * max_line bytes per request, max_clients at once, non-blocking and bounded. */
struct ctl_listen *ctl_listen_create(const char *path, size_t max_line, ctl_listen_fn fn,
				     void *ctx);
void ctl_listen_free(struct ctl_listen *s);
/* Serve for at most timeout_ms (one poll). */
int ctl_listen_poll(struct ctl_listen *s, int timeout_ms);

#endif
