/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Playing a plan as one transaction over the dataplane's socket: the steps in order, and
 * on the first one the dataplane refuses (or that gets no answer), the undo of every step
 * already done, newest first, so the dataplane is back where it started. The dataplane
 * changes nothing on a refused request (docs/protocol.md), so the failing step itself
 * needs no undo. A step that timed out may or may not have landed: its undo is tried as
 * well, and a "no such object" answer to it is the expected one. The undo of adding an
 * unnamed flow rule learns the rule's id from flow-add's answer (step_call).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctrl.h"

static int call(const struct dp_link *dp, const char *cmd, json_t *args, int *status, char *err,
		size_t errsz)
{
	json_t *res = NULL;
	int rc;

	*status = 0;
	rc = dp->call(dp->ctx, cmd, args, &res, status, err, errsz);
	json_decref(res);
	return rc;
}

/*
 * An unnamed flow rule is deleted by the id the dataplane gives it, known only once
 * flow-add answers: put it into the step's undo (flow-del {bridge}) then. The plan is
 * const for its steps, not for the JSON its steps own.
 */
static int step_call(const struct dp_link *dp, const struct plan_step *s, int *status, char *err,
		     size_t errsz)
{
	json_t *res = NULL, *id;
	int rc;

	*status = 0;
	rc = dp->call(dp->ctx, s->cmd, s->args, &res, status, err, errsz);
	if (rc == 0 && strcmp(s->cmd, "flow-add") == 0 && strcmp(s->undo_cmd, "flow-del") == 0 &&
	    json_object_get(s->undo_args, "name") == NULL &&
	    json_object_get(s->undo_args, "id") == NULL) {
		id = json_array_get(json_object_get(res, "ids"), 0);
		if (json_is_integer(id))
			json_object_set(s->undo_args, "id", id);
	}
	json_decref(res);
	return rc;
}

int apply_undo(const struct dp_link *dp, const struct plan *p, size_t n_done, char *err,
	       size_t errsz)
{
	unsigned int failed = 0;
	char uerr[512];

	err[0] = '\0';
	for (size_t k = n_done; k-- > 0;) {
		const struct plan_step *s = &p->v[k];
		int ustatus;

		if (s->undo_cmd[0] == '\0') {
			if (failed++ == 0)
				snprintf(err, errsz, "step %zu (%s %s) cannot be undone", k + 1,
					 s->cmd, s->name);
			continue;
		}
		if (call(dp, s->undo_cmd, s->undo_args, &ustatus, uerr, sizeof(uerr)) < 0 &&
		    failed++ == 0)
			snprintf(err, errsz, "undo of step %zu (%s %s) failed: %s", k + 1,
				 s->undo_cmd, s->name, uerr);
	}
	return (int)failed;
}

int apply_plan(const struct dp_link *dp, const struct plan *p, size_t *failed, size_t *undo_failed,
	       char *err, size_t errsz)
{
	char why[512], uerr[512], first_undo_err[600] = "";
	size_t i, done;
	int status, rc = 0;
	bool lost;

	*undo_failed = 0;
	for (i = 0; i < p->n; i++) {
		rc = step_call(dp, &p->v[i], &status, why, sizeof(why));
		if (rc < 0)
			break;
	}
	*failed = i;
	if (i == p->n)
		return 0;

	/* No answer: the request may have landed, so take it back too. */
	lost = status == 0;
	done = lost ? i + 1 : i;
	for (size_t k = done; k-- > 0;) {
		const struct plan_step *s = &p->v[k];
		int urc, ustatus;

		if (s->undo_cmd[0] == '\0') {
			(*undo_failed)++;
			if (first_undo_err[0] == '\0')
				snprintf(first_undo_err, sizeof(first_undo_err),
					 "step %zu (%s %s) cannot be undone", k + 1, s->cmd,
					 s->name);
			continue;
		}
		urc = call(dp, s->undo_cmd, s->undo_args, &ustatus, uerr, sizeof(uerr));
		if (urc < 0 && !(k == i && lost && (ustatus == ENOENT || ustatus == EEXIST))) {
			(*undo_failed)++;
			if (first_undo_err[0] == '\0')
				snprintf(first_undo_err, sizeof(first_undo_err),
					 "undo of step %zu (%s %s) failed: %.300s", k + 1,
					 s->undo_cmd, s->name, uerr);
		}
	}
	if (*undo_failed == 0)
		snprintf(err, errsz,
			 "step %zu of %zu (%s %s) failed: %s; the %zu change%s made before %s "
			 "undone, the dataplane runs what it ran before",
			 i + 1, p->n, p->v[i].cmd, p->v[i].name, why, i, i == 1 ? "" : "s",
			 i == 1 ? "was" : "were");
	else
		snprintf(err, errsz,
			 "step %zu of %zu (%s %s) failed: %s; UNDO INCOMPLETE (%zu of %zu undo "
			 "step%s failed, first: %s): the dataplane holds part of the plan, "
			 "compare `vswctl export` with the file and apply again",
			 i + 1, p->n, p->v[i].cmd, p->v[i].name, why, *undo_failed, done,
			 done == 1 ? "" : "s", first_undo_err);
	return rc;
}
