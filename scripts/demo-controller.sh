#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The controller part of `make demo` (scripts/demo.sh runs it last; it also runs alone):
# starts a private vsw-dataplane and vsw-controller, applies the example topology
# config/examples/l2-two-bridges.yaml (a dry run first, then for real), shows the switch as
# a tree, applies the file again (no changes), exports the running topology, kills the
# controller with SIGKILL to show the dataplane forwarding on, and starts it again to show
# it adopting the running state without touching it. Removes all it made, also on Ctrl-C.
# Needs root. VSW_BUILD: build directory (default build, relative to the repository).
set -eEu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSW_BUILD=${VSW_BUILD:-build}
[[ $VSW_BUILD == /* ]] || VSW_BUILD=$ROOT/$VSW_BUILD
DP=$VSW_BUILD/dataplane/vsw-dataplane
CTRL=$VSW_BUILD/control/vsw-controller
CTL=$VSW_BUILD/tools/vswctl
PY=/usr/bin/python3
EXAMPLE=$ROOT/config/examples/l2-two-bridges.yaml
PREFIX=vsw-demo-ctl
VETHS=(veth-a veth-t) # the interfaces the example names
FILES=(/tmp/vsw/in.pcap /tmp/vsw/p-in.out.pcap /tmp/vsw/p-out.out.pcap)
MADE_DIR=0
TMP=
DP_PID=
CTRL_PID=

DEMO_NAME=demo-controller
. "$ROOT/scripts/demo-lib.sh"
vsw() {
	printf '%s$ vswctl %s%s\n' "$D" "$*" "$N"
	timeout 60 "$CTL" -s "$TMP/dp.sock" --controller "$TMP/ctrl.sock" "$@"
}

cleanup() {
	local rc=$?
	trap - EXIT ERR
	set +e
	stop_pid "$CTRL_PID"
	stop_pid "$DP_PID"
	for v in "${VETHS[@]}"; do
		ip link del "$v" 2>/dev/null
	done
	rm -f "${FILES[@]}"
	((MADE_DIR)) && rmdir /tmp/vsw 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
	if ((rc != 0 && rc != 130)) && [[ -n $TMP ]]; then
		echo "---- controller stderr (tail) ----" >&2
		tail -n 20 "$TMP/ctrl.err" >&2 2>/dev/null
		echo "---- dataplane stderr (tail) ----" >&2
		tail -n 20 "$TMP/dp.err" >&2 2>/dev/null
	fi
	[[ -z $TMP ]] || rm -rf "$TMP"
	exit "$rc"
}

[[ $(id -u) == 0 ]] || die "needs root (veths, DPDK): sudo make demo"
[[ -x $DP && -x $CTRL && -x $CTL ]] || die "no binaries in $VSW_BUILD: build first (make)"
for v in "${VETHS[@]}"; do
	! ip link show "$v" >/dev/null 2>&1 || die "interface $v exists already (the example uses it)"
done
pgrep -f -- "--file-prefix $PREFIX( |\$)" >/dev/null && die "a previous demo is still running"

trap cleanup EXIT
trap 'exit 130' INT TERM
TMP=$(mktemp -d /tmp/vsw-demo-ctl.XXXXXX)
[[ -d /tmp/vsw ]] || { mkdir -p /tmp/vsw && MADE_DIR=1; }
for v in "${VETHS[@]}"; do
	ip link add "$v" type veth peer name "$v-peer"
	for d in "$v" "$v-peer"; do
		echo 1 >"/proc/sys/net/ipv6/conf/$d/disable_ipv6"
		ip link set "$d" up
	done
done
$PY "$ROOT/tests/e2e/e2e.py" mk /tmp/vsw/in.pcap "src=02:00:00:00:00:0a,id=demo1" \
	"src=02:00:00:00:00:0b,dst=02:00:00:00:00:01,id=demo2"

bold "controller 1. a dataplane and a controller"
"$DP" -s "$TMP/dp.sock" --file-prefix $PREFIX --huge off --memory 256 >"$TMP/dp.out" 2>"$TMP/dp.err" &
DP_PID=$!
for _ in $(seq 300); do
	grep -qs "ready on" "$TMP/dp.out" && break
	kill -0 $DP_PID 2>/dev/null || die "the dataplane exited"
	sleep 0.1
done
start_ctrl() {
	: >"$TMP/ctrl.out"
	"$CTRL" -s "$TMP/ctrl.sock" -d "$TMP/dp.sock" -f "$TMP/controller.state" -i 200 \
		>"$TMP/ctrl.out" 2>>"$TMP/ctrl.err" &
	CTRL_PID=$!
	for _ in $(seq 100); do
		grep -qs "ready on" "$TMP/ctrl.out" && return 0
		sleep 0.1
	done
	die "the controller did not start"
}
start_ctrl
say "vsw-dataplane pid $DP_PID, vsw-controller pid $CTRL_PID"

bold "controller 2. the plan for $(basename "$EXAMPLE"), without changing anything"
vsw apply -f "$EXAMPLE" --dry-run || [[ $? == 2 ]]

bold "controller 3. apply it: every change lands, or none"
vsw apply -f "$EXAMPLE"
vsw show

bold "controller 4. the same file again: nothing to do"
vsw apply -f "$EXAMPLE" --detailed-exitcode

bold "controller 5. the running topology as YAML (vswctl apply takes it back)"
vsw export

bold "controller 6. kill -9 the controller: the dataplane forwards on"
stop_pid "$CTRL_PID" KILL 2>/dev/null
CTRL_PID=
vsw port show
say "and a new controller adopts what runs without touching it:"
start_ctrl
sleep 1
grep -v '^$' "$TMP/ctrl.err" | tail -n 3 | sed 's/^/   /'
vsw show
