/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vswctl check -f FILE [-j]`: validate a topology file without any daemon, for editors
 * and CI. Lives apart from the socket commands because it never opens a socket.
 */
#ifndef VSWCTL_CHECK_H
#define VSWCTL_CHECK_H

#include <stdbool.h>
#include <stdio.h>

/* argv[0] is "check". json: -j was given before the command. Returns the exit code:
 * 0 valid, 1 invalid (every error printed), 2 usage. */
int vswctl_check(int argc, char **argv, bool json, FILE *out, FILE *errf);

#endif
