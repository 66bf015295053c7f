/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl: the command-line front end of vsw-dataplane's control socket. Everything
 * lives in vswctl_cmds.c and vswctl_fmt.c so the unit tests can run it without a process.
 */
#include <stdio.h>

#include "vswctl.h"

int main(int argc, char **argv)
{
	int rc = vswctl_main(argc, argv, stdout, stderr);

	/* A closed pipe (vswctl ... | head) or a full disk must not pass for success. */
	if (fflush(stdout) != 0 && rc == VSWCTL_EXIT_OK)
		rc = VSWCTL_EXIT_FAIL;
	return rc;
}
