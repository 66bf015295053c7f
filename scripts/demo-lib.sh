#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What the parts of `make demo` (scripts/demo.sh, demo-controller.sh, demo-vms.sh) share,
# so that they look and stop things alike. Sourced, after the script sets DEMO_NAME (the
# prefix of its error messages):
#   bold TEXT      a step's title (bold on a terminal)
#   say TEXT       an indented line of commentary
#   die TEXT       "DEMO_NAME: TEXT" on stderr, exit 1 (the script's EXIT trap cleans up)
#   stop_pid PID [SIG]   signal PID (TERM), wait up to 5 s, then KILL it; reaps it
# $D and $N start and end dim text (the vswctl command lines the scripts echo).

if [[ -t 1 ]]; then
	B=$'\033[1m' D=$'\033[2m' N=$'\033[0m'
else
	B='' D='' N=''
fi
bold() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say() { printf '   %s\n' "$*"; }
die() {
	printf '%s: %s\n' "$DEMO_NAME" "$*" >&2
	exit 1
}

stop_pid() {
	local pid=$1 sig=${2:-TERM}
	[[ -n $pid ]] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	{ wait "$pid"; } 2>/dev/null || true
	return 0
}
