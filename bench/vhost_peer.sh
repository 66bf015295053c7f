# SPDX-License-Identifier: BSD-3-Clause
# The guest side of the vhost benchmarks (sourced by bench/vsw_vhost.sh, ovs_vhost.sh and
# testpmd_vhost.sh after lib.sh): dpdk-testpmd with a net_virtio_user port, which is a virtio
# front end in a process, as a VM's NIC would be. The very same peer faces vsw, OVS-DPDK and
# testpmd's net_vhost, so the three figures of one run differ only by the switch.
#
# The peer serves the vhost-user socket (virtio-user server=1) and the switch connects to it
# (vsw mode=client, OVS dpdkvhostuserclient, net_vhost client=1): the pairing docs/vms.md
# recommends for VMs. It runs on BENCH_CTL_CPU (both its lcores), the switch's polling thread
# keeps BENCH_CPU. On hugepages it needs --single-file-segments (../shared/TESTBED.md: more
# memory regions than one vhost-user message carries fds for, and the device never starts).
#
# Frames it makes (txonly): 64 bytes, from PEER_MAC to BENCH_VHOST_DST; macswap and io
# reflect what they receive.

PEER_MAC=02:00:00:00:0e:01
BENCH_VHOST_DST=02:00:00:01:00:01

# peer_start DIR SOCKET MODE: testpmd interactive on a FIFO, forwarding engine MODE (txonly,
# macswap, io, rxonly) not yet started; returns once the socket is there. The peer waits in
# its initialisation for the switch to connect: connect the switch, then call peer_ready.
# Sets PEER_PID.
peer_start() {
	local dir=$1 sock=$2 mode=$3 cpu=${BENCH_CTL_CPU:-0} mem
	command -v dpdk-testpmd >/dev/null || { log "SKIP: dpdk-testpmd not found (apt-get install dpdk-dev)"; exit 77; }
	if [ "${BENCH_HUGE:-0}" = 1 ]; then
		mem="-m 512 --single-file-segments"
	else
		mem="--no-huge -m 512"
	fi
	PEER_DIR=$dir
	PEER_OUT=$dir/peer.out
	PEER_NSTAT=0
	mkfifo "$dir/peer.in"
	# shellcheck disable=SC2086 # $mem is a list of words
	stdbuf -oL dpdk-testpmd --lcores "(0,1)@$cpu" --no-pci --file-prefix "bench-peer-$$" $mem \
		--vdev "net_virtio_user0,path=$sock,server=1,mac=$PEER_MAC,queues=1,queue_size=1024" \
		-- -i --forward-mode="$mode" --txpkts=64 --eth-peer="0,$BENCH_VHOST_DST" \
		--nb-cores=1 --total-num-mbufs=16384 <>"$dir/peer.in" >"$PEER_OUT" 2>&1 &
	PEER_PID=$!
	track_pid $PEER_PID
	wait_for 30 test -S "$sock" || { cat "$PEER_OUT" >&2; die "the peer serves no socket at $sock"; }
}

# peer_ready: until the peer's prompt is up (the switch has connected).
peer_ready() {
	wait_for 60 grep -q "^testpmd> " "$PEER_OUT" ||
		{ cat "$PEER_OUT" >&2; die "the virtio-user peer (testpmd) is not ready after 60 s"; }
}

peer_cmd() {
	kill -0 "$PEER_PID" 2>/dev/null || die "the virtio-user peer exited"
	printf '%s\n' "$@" >"$PEER_DIR/peer.in"
}

# peer_pps FIELD: the peer's Rx-pps or Tx-pps since its previous `show port stats`
# (testpmd measures it with the TSC between the two commands).
peer_pps() {
	local want=$((PEER_NSTAT + 1)) i
	peer_cmd "show port stats 0"
	for ((i = 0; i < 100; i++)); do
		if [ "$(grep -c 'Tx-pps:' "$PEER_OUT")" -ge $want ]; then
			PEER_NSTAT=$want
			awk -v f="$1:" '/NIC statistics for port 0/ { v = "" } { for (i = 1; i < NF; i++) if ($i == f) v = $(i + 1) } END { print v }' "$PEER_OUT"
			return 0
		fi
		sleep 0.05
	done
	echo "?"
}

# peer_stop: stop forwarding and quit (the peer closes its socket), bounded.
peer_stop() {
	kill -0 "$PEER_PID" 2>/dev/null || return 0
	printf 'stop\nquit\n' >"$PEER_DIR/peer.in"
	wait_for 10 sh -c "! kill -0 $PEER_PID" || kill -KILL "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null || true
	cat "$PEER_OUT" >&2
}

# peer_sched: "ran waited" of the peer's forwarding thread (lib.sh's sched_sample), for
# cpu_share: a peer that lacked its cpu offered less load, whatever the switch.
peer_sched() {
	[ -n "${PEER_TID:-}" ] || PEER_TID=$(poll_thread "$PEER_PID")
	sched_sample "$PEER_PID" "$PEER_TID"
}
