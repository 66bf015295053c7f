#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# 100 connect/disconnect cycles of a guest on one vhost-user port, with no leak in the
# dataplane: after the cycles it holds as many file descriptors as before (each
# connection brings a socket, kick/call eventfds and a memory-region fd, all of which
# must be closed on disconnect) and its resident memory has not grown (each connection
# maps the guest's memory, which must be unmapped). The guest is one testpmd process
# that detaches and re-attaches its virtio-user device, so every cycle is a complete
# vhost-user session (features, memory table, vrings, DRIVER_OK, then close); every
# warm-up cycle, and the port after the cycles, forward frames to a second, steady port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start

CYCLES=${VH_CYCLES:-100}
A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
vsw_quiet bridge add br0
for p in a b; do
	vsw_quiet port add $p vhost-user "socket=$E2E_TMP/$p.sock"
	vsw_quiet port attach $p br0
done
vh_peer_start pb "$E2E_TMP/b.sock" "$B"
vh_peer_start pa "$E2E_TMP/a.sock" "$A"
wait_link b up
wait_link a up
vh_cmd pb start

# cycle: the guest goes away (link down), comes back (link up).
cycle() {
	vh_cmd pa "port stop all" "port close all" "device detach net_virtio_user0"
	wait_link a down
	vh_cmd pa "port attach ${VH_VDEV[pa]}" "port start all"
	wait_link a up
}

# send_a_to_b: 32 frames from the guest on a, which b must forward.
sent=0
send_a_to_b() {
	local j
	vh_cmd pa "start tx_first 1" stop
	sent=$((sent + 32))
	for ((j = 0; j < 100; j++)); do
		stat_ge b tx_packets "$sent" && return 0
		sleep 0.1
	done
	vsw stats
	fail "b has not sent the $sent frames a should have received"
}

# Warm-up, with traffic: the mbufs and heap pages that traffic touches count in RSS once
# touched, and would pass for a leak if first touched during the measured cycles.
for ((i = 0; i < 5; i++)); do
	cycle
	send_a_to_b
done
vh_cmd pa "port stop all" "port close all" "device detach net_virtio_user0"
wait_link a down
sleep 0.5
fd0=$(dp_fds)
rss0=$(dp_rss_kb)
vh_cmd pa "port attach ${VH_VDEV[pa]}" "port start all"
wait_link a up
log "baseline with no guest: $fd0 fds, RSS $rss0 kB; now $CYCLES cycles"

t0=$SECONDS
for ((i = 1; i <= CYCLES; i++)); do
	cycle
	((i % 25)) || log "cycle $i: $(dp_fds) fds, RSS $(dp_rss_kb) kB (guest attached)"
done
log "$CYCLES cycles in $((SECONDS - t0)) s"

vh_cmd pa "port stop all" "port close all" "device detach net_virtio_user0"
wait_link a down
sleep 0.5
fd1=$(dp_fds)
rss1=$(dp_rss_kb)
log "after: $fd1 fds, RSS $rss1 kB"
kill -0 "$DP_PID" || fail "dataplane died"
((fd1 == fd0)) || fail "dataplane fds went from $fd0 to $fd1 over $CYCLES cycles"
if grep -qs libasan "/proc/$DP_PID/maps"; then
	# AddressSanitizer keeps freed memory in quarantine (up to 256 MB), so RSS grows with
	# every cycle's frees; LeakSanitizer checks the heap at exit instead.
	log "RSS grew by $((rss1 - rss0)) kB over $CYCLES cycles (not checked under ASan)"
else
	# A leak of one page per cycle would show as 400 kB.
	((rss1 - rss0 < CYCLES * 4)) ||
		fail "dataplane RSS grew by $((rss1 - rss0)) kB over $CYCLES cycles"
	log "RSS grew by $((rss1 - rss0)) kB over $CYCLES cycles"
fi
log "the port still forwards after the cycles"
vh_cmd pa "port attach ${VH_VDEV[pa]}" "port start all"
wait_link a up
send_a_to_b
expect_stat a rx_packets "$sent"
expect_stat b tx_packets "$sent"
vh_peer_stop pa
vh_peer_stop pb
dp_stop
