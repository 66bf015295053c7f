/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's commands served by vsw-controller (apply, show, export), kept apart from the
 * dataplane commands of vswctl_cmds.c: vswctl_main hands them over when the command word
 * is one of them.
 */
#ifndef VSWCTL_CTRL_H
#define VSWCTL_CTRL_H

#include <stdbool.h>
#include <stdio.h>

#define VSW_CONTROLLER_SOCK_DEFAULT "/run/vsw/controller.sock"

struct vswctl_ctrl_opts {
	const char *sock; /* the controller's socket */
	bool json;	  /* -j */
	int timeout_ms;	  /* -t, or the default */
	bool timeout_set; /* -t was given: apply then uses it instead of its longer default */
};

bool vswctl_ctrl_is_cmd(const char *word);
/* The lines vswctl --help shows for these commands. */
void vswctl_ctrl_usage(FILE *out);
/* argv[0] is the command word. Returns the exit code. */
int vswctl_ctrl_main(int argc, char **argv, const struct vswctl_ctrl_opts *o, FILE *out,
		     FILE *errf);

#endif
