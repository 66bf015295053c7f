/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Imperative commands kept as desired state: `vswctl bridge add`, `port attach`, `fdb add`,
 * `flow add` ... sent to the controller's `edit` request (docs/protocol.md) change a copy
 * of the desired topology the way the same dataplane request would change the dataplane,
 * and the result then goes the way of an apply: checked as a file is (written as YAML and
 * loaded back, so every field check and the validator run), planned against what runs,
 * applied as one transaction, persisted. So what a person types survives a dataplane
 * restart and shows in `vswctl export`, and a later apply or reconcile does not undo it.
 */
#ifndef VSW_IMPERATIVE_H
#define VSW_IMPERATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ctrl.h"
#include "topology.h"

#define IMP_MAY_EXIST (1u << 0) /* an object that already exists is success, unchanged */
#define IMP_IF_EXISTS (1u << 1) /* an object that does not exist is success */

/* What one edit did to the model. */
struct imp_outcome {
	bool changed; /* the model differs (it may still equal what runs) */
	/* Not desired state: send the request to the dataplane as it is (fdb-del of a learned
	 * MAC, flow-del/flow-mod of a rule only the dataplane has). */
	bool pass_through;
	long deleted;		 /* flow-del: rules taken out of the model */
	struct topo_flow *added; /* flow-add: copies of the rules added, in order (owned) */
	size_t n_added;
	/* What error messages name: the caller's (the command as a person typed it, "port
	 * attach p1 br0 vlan=10") if set before imp_edit, else "port-attach p1". */
	char label[160];
	/* The place in the model of the object made or changed ("bridges.br0.ports.p1",
	 * "flows[3]"); "" when none (a deletion, several rules). */
	char where[128];
};

void imp_outcome_clear(struct imp_outcome *o);

/*
 * Apply one dataplane request (cmd and args as docs/protocol.md gives them: "bridge-add",
 * "port-attach", ...) to t in place. have is what runs (only flow-del/flow-mod by id read
 * it: ids exist only there); may be NULL. flags: IMP_*. Returns 0, or -errno with a
 * sentence naming the command and the field in err: -EEXIST and -ENOENT as the dataplane
 * gives them (unless waived by flags), -EINVAL for arguments the model cannot hold (the
 * range of each value is left to imp_reload, which checks it as a file's), -EBUSY,
 * -EOPNOTSUPP for a command that is not desired state. t is unusable after a failure.
 */
int imp_edit(struct topo *t, const struct topo *have, const char *cmd, json_t *args,
	     unsigned int flags, struct imp_outcome *out, char *err, size_t errsz);

/*
 * t written as YAML and loaded back: a deep copy that has passed every check a topology
 * file passes. NULL when it does not, with the errors in errs named `label` (without line
 * and column, and citing other objects by path alone: errs->no_lines is set, as the text
 * is one nobody wrote), or on ENOMEM with errno set.
 */
struct topo *imp_reload(const struct topo *t, const char *label, struct topo_errors *errs);

/* The checks' errors about the object at where name its field alone ("vlan", "" for the
 * object itself), as the command's words do; those about other objects keep their place
 * in the desired state ("flows[0].match.in_port"), which `vswctl export` shows. */
void imp_errors_relative(struct topo_errors *errs, const char *where);

/* What the controller gives imp_request. */
struct imp_env {
	const struct dp_link *link;
	const struct dp_caps *caps;
	const char *state_path;
	/* What runs now (connecting first if need be); NULL with a sentence in err. */
	struct topo *(*observe)(void *ctx, char *err, size_t errsz);
	void *ctx;
};

struct imp_reply {
	int status; /* 0 or a positive errno, with err */
	char err[1200];
	json_t *result;	   /* owned */
	json_t *errors;	   /* owned: the checks' errors, as apply's */
	struct topo *want; /* owned: the new desired state, NULL when it did not change */
};

/*
 * The controller's `edit` request: args {"cmd", "args", "may_exist", "if_exists", "source"
 * (optional: the command as typed, which errors then name)}. want is
 * the desired state (NULL: none yet, the running state is the start). On success the
 * change is running and persisted at env->state_path, and r->want is what the caller
 * must now hold as desired; on failure nothing changed (or the error says what could not
 * be undone, as apply's do).
 */
void imp_request(const struct imp_env *env, const struct topo *want, json_t *args,
		 struct imp_reply *r);

#endif
