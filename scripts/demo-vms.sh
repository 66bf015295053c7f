#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The VM part of `make demo` (scripts/demo.sh runs it; it also runs alone): two real QEMU
# guests (tests/vm/mkguest.sh: Debian's kernel, busybox, virtio-net) on vhost-user ports of
# one bridge, in client mode (QEMU serves the sockets, as docs/vms.md recommends). vm1 pings
# vm2 over its serial console; then the links, the MAC table (the guests' MACs learned on
# their ports) and the counters. Skipped, with the reason and exit 0, when QEMU, a kernel
# with modules or busybox-static is missing. Removes all it made, also on Ctrl-C.
# Needs root. VSW_BUILD: build directory (default build, relative to the repository).
set -eEu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSW_BUILD=${VSW_BUILD:-build}
[[ $VSW_BUILD == /* ]] || VSW_BUILD=$ROOT/$VSW_BUILD
DP=$VSW_BUILD/dataplane/vsw-dataplane
CTL=$VSW_BUILD/tools/vswctl
PREFIX=vsw-demo-vm
TMP=
DP_PID=
. "$ROOT/tests/vm/vm.sh"

DEMO_NAME=demo-vms
. "$ROOT/scripts/demo-lib.sh"
skip() {
	bold "VMs: skipped: $*"
	exit 0
}
vsw() {
	printf '%s$ vswctl %s%s\n' "$D" "$*" "$N"
	timeout 15 "$CTL" -s "$TMP/dp.sock" "$@"
}

cleanup() {
	local rc=$?
	trap - EXIT ERR
	set +e
	vm_stop vm1
	vm_stop vm2
	stop_pid "$DP_PID"
	rm -rf "/var/run/dpdk/$PREFIX"
	if [[ -n $TMP ]]; then
		if ((rc != 0 && rc != 130)); then
			for f in "$TMP/dp.err" "$TMP"/vm*.console; do
				[[ -s $f ]] || continue
				echo "---- $(basename "$f") (tail) ----" >&2
				tail -n 15 "$f" >&2
			done
		fi
		rm -rf "$TMP"
	fi
	if ((rc == 0)); then
		bold "VMs done: guests powered off, dataplane stopped, files removed"
	else
		bold "VMs failed (status $rc); everything it created is gone"
	fi
	exit "$rc"
}

[[ $(id -u) == 0 ]] || die "needs root (DPDK, vhost-user sockets): sudo make demo"
[[ -x $DP && -x $CTL ]] || die "no binaries in $VSW_BUILD: build first (make), or set VSW_BUILD"
command -v "$VM_QEMU" >/dev/null 2>&1 || skip "$VM_QEMU missing (apt-get install qemu-system-x86)"
if pgrep -f -- "--file-prefix $PREFIX( |\$)" >/dev/null; then
	die "a previous VM demo is still running: stop it first"
fi

TMP=$(mktemp -d /tmp/vsw-demo-vms.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

bold "VMs 1. a tiny guest: Debian's kernel + busybox-static + virtio_net (tests/vm/mkguest.sh)"
rc=0
"$ROOT/tests/vm/mkguest.sh" "$TMP/guest" >"$TMP/mkguest.log" 2>&1 || rc=$?
((rc != 77)) || skip "$(sed -n 's/.*SKIP: //p' "$TMP/mkguest.log")"
((rc == 0)) || die "mkguest.sh failed: $(cat "$TMP/mkguest.log")"
say "$(tail -n 1 "$TMP/mkguest.log")"

bold "VMs 2. a dataplane with two vhost-user ports on bridge vms (client mode: QEMU serves)"
"$DP" -s "$TMP/dp.sock" --file-prefix $PREFIX --huge off --memory 256 --idle-sleep-max-us 200 \
	>"$TMP/dp.out" 2>"$TMP/dp.err" &
DP_PID=$!
for _ in $(seq 300); do
	grep -q "ready on" "$TMP/dp.out" && break
	kill -0 $DP_PID 2>/dev/null || die "dataplane exited: $(tail -n 5 "$TMP/dp.err")"
	sleep 0.1
done
grep -q "ready on" "$TMP/dp.out" || die "dataplane not ready after 30 s"
vsw bridge add vms
vsw port add vm1 vhost-user "socket=$TMP/vm1.sock" mode=client
vsw port add vm2 vhost-user "socket=$TMP/vm2.sock" mode=client
vsw port attach vm1 vms
vsw port attach vm2 vms
say "no guest yet: LINK down, vsw retries the sockets every second"
vsw port show

bold "VMs 3. boot vm1 (198.51.100.11) and vm2 (198.51.100.12) under QEMU TCG, pinned to cpu $VM_CPU"
say "(no KVM here: each boot takes 10 to 40 s; QEMU line as in docs/vms.md)"
t0=$SECONDS
vm_start "$TMP/guest" vm1 "$TMP/vm1.sock" 52:54:00:00:00:11 198.51.100.11/24 server "$TMP"
vm_start "$TMP/guest" vm2 "$TMP/vm2.sock" 52:54:00:00:00:12 198.51.100.12/24 server "$TMP"
vm_wait vm1 150 || die "vm1 did not boot"
vm_wait vm2 150 || die "vm2 did not boot"
link_up() { [[ $(timeout 15 "$CTL" -s "$TMP/dp.sock" -j port show "$1") == *'"link": "up"'* ]]; }
for _ in $(seq 150); do
	link_up vm1 && link_up vm2 && break
	sleep 0.1
done
say "both guests up after $((SECONDS - t0)) s"
vsw port show

bold "VMs 4. vm1 pings vm2 through the switch (over vm1's serial console)"
if out=$(vm_run vm1 30 "ping -c 3 -W 2 198.51.100.12"); then
	printf '%s\n' "$out" | sed 's/^/   vm1# /'
else
	printf '%s\n' "$out" | sed 's/^/   vm1# /'
	die "vm1 cannot ping vm2"
fi

bold "VMs 5. the MAC table: each guest's MAC learned on its port"
vsw fdb show vms
bold "VMs 6. counters (ARP flooded, echoes unicast) and the worker"
vsw stats
vsw info
