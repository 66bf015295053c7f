#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Start-up of a private OVS-DPDK 3.1 for the bench scripts (ovs.sh, ovs_vhost.sh,
# ovs_vxlan.sh): an ovsdb and ovs-vswitchd-dpdk under a temp dir, DPDK's lcore on
# BENCH_CTL_CPU and one PMD on BENCH_CPU, hugepages when BENCH_HUGE=1. Sourced after lib.sh.

skip() {
	log "SKIP: $*"
	exit 77
}

# ovs_start TAG [PIN]: sets d (the state dir, removed at exit), ctl_sock, and the vsctl and
# appctl helpers; PIN=1 also pins the daemon's main thread to BENCH_CTL_CPU. Exits 77 (skip)
# when OVS is not installed or does not come up. Commands registered with on_exit before
# this call run after the daemons are stopped.
ovs_start() {
	local tag=$1 pin=${2:-0} cpu=${BENCH_CPU:-1} ctl=${BENCH_CTL_CPU:-0}
	local vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
	local schema=/usr/share/openvswitch/vswitch.ovsschema
	local taskset=()

	[ -x $vswitchd ] || skip "$vswitchd missing (apt-get install openvswitch-switch-dpdk)"
	command -v ovsdb-server >/dev/null && [ -r $schema ] || skip "ovsdb-server or $schema missing"
	[ "$pin" = 1 ] && taskset=(taskset -c "$ctl")

	d=$(mktemp -d "/tmp/bench-$tag.XXXXXX")
	export OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d
	on_exit "rm -rf $d"
	# The daemons detach: kill them through their pid files (registered before they start
	# so that a failure half-way still cleans up).
	on_exit "kill \$(cat $d/ovs-vswitchd.pid 2>/dev/null) \$(cat $d/ovsdb-server.pid 2>/dev/null); sleep 1; kill -9 \$(cat $d/ovs-vswitchd.pid 2>/dev/null) \$(cat $d/ovsdb-server.pid 2>/dev/null)"

	ovsdb-tool create $d/conf.db $schema
	ovsdb-server --remote=punix:$d/db.sock --pidfile=$d/ovsdb-server.pid --detach \
		--log-file=$d/ovsdb.log $d/conf.db || skip "ovsdb-server did not start"
	vsctl --no-wait init
	if [ "${BENCH_HUGE:-0}" = 1 ]; then
		vsctl --no-wait set Open_vSwitch . other_config:dpdk-socket-mem=1024 \
			other_config:dpdk-extra="--no-pci --file-prefix=bench-$tag-$$"
	else
		# OVS adds --in-memory unless --legacy-mem is given, and EAL refuses --in-memory
		# with --no-huge (which implies legacy memory).
		vsctl --no-wait set Open_vSwitch . \
			other_config:dpdk-extra="--no-pci --no-huge --legacy-mem -m 1024 --file-prefix=bench-$tag-$$"
	fi
	vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-lcore-mask="$(printf "0x%x" $((1 << ctl)))" \
		other_config:pmd-cpu-mask="$(printf "0x%x" $((1 << cpu)))"
	"${taskset[@]}" $vswitchd unix:$d/db.sock --pidfile=$d/ovs-vswitchd.pid --detach \
		--log-file=$d/vswitchd.log || { cat $d/vswitchd.log >&2; skip "ovs-vswitchd-dpdk did not start"; }
	wait_for 30 sh -c "ls $d/ovs-vswitchd*.ctl" ||
		skip "ovs-vswitchd-dpdk has no control socket after 30 s"
	ctl_sock=$(ls $d/ovs-vswitchd*.ctl | head -1)
	wait_for 30 sh -c "ovs-vsctl --db=unix:$d/db.sock get Open_vSwitch . dpdk_initialized | grep -q true" ||
		{ tail -20 $d/vswitchd.log >&2; skip "DPDK did not initialise in ovs-vswitchd"; }
}

vsctl() { timeout 30 ovs-vsctl --db=unix:$d/db.sock "$@"; }
appctl() { timeout 30 ovs-appctl -t "$ctl_sock" "$@"; }
