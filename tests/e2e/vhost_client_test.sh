#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# vhost-user ports in client mode: the peers (testpmd virtio-user with server=1, as QEMU
# with server=on) own the sockets and vsw connects. A port added before its peer exists
# connects once the peer appears (DPDK's vhost library retries every second); frames flow
# both ways; a peer that restarts is reconnected to; and the dataplane itself restarted
# (the peers untouched) reconnects and forwards again, which is why client mode is the
# one to use with VMs. owner/group/perm are refused in client mode (QEMU owns the file).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start

A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
SA=$E2E_TMP/a.sock
SB=$E2E_TMP/b.sock

setup() {
	vsw_quiet bridge add br0
	vsw_quiet port add a vhost-user "socket=$SA" mode=client
	vsw_quiet port add b vhost-user "socket=$SB" mode=client
	vsw_quiet port attach a br0
	vsw_quiet port attach b br0
}

# a_to_b N: peer a sends N bursts of 32 frames to b's MAC; b must get them all.
a_to_b() {
	local n=$(($1 * 32)) before
	before=$(vh_stat pb RX-packets)
	vsw_quiet stats clear
	vh_cmd pa stop "start tx_first $1"
	wait_stat b tx_packets "$n"
	vh_wait_stat pb RX-packets $((before + n))
	sleep 0.2
	expect_stat a rx_packets "$n"
	expect_stat b tx_packets "$n"
	expect_drop b tx_full 0
}
b_to_a() {
	local n=$(($1 * 32)) before
	before=$(vh_stat pa RX-packets)
	vsw_quiet stats clear
	vh_cmd pb stop "start tx_first $1"
	wait_stat a tx_packets "$n"
	vh_wait_stat pa RX-packets $((before + n))
	sleep 0.2
	expect_stat b rx_packets "$n"
	expect_stat a tx_packets "$n"
}

out=$(vsw_status port add x vhost-user "socket=$E2E_TMP/x.sock" mode=client perm=0600) &&
	fail "perm accepted in client mode"
[[ $out == *"apply to mode=server only"* ]] || fail "unexpected error: $out"

log "ports added before any peer: links down, no socket file made by vsw"
setup
link_is a down || fail "a up without a peer"
[[ ! -e $SA ]] || fail "vsw created $SA in client mode"

log "peers start serving: vsw connects within its 1 s retry"
t0=$SECONDS
VH_PEER_MAC=$B vh_peer_start pa "$SA" "$A" server
VH_PEER_MAC=$A vh_peer_start pb "$SB" "$B" server
wait_link a up 10
wait_link b up 10
log "both links up $((SECONDS - t0)) s after the peers started"
vh_cmd pa start
vh_cmd pb start
b_to_a 2 # b's MAC learned first, so a's frames are unicast
a_to_b 4

log "peer b restarts: vsw reconnects"
vh_peer_stop pb
wait_link b down
VH_PEER_MAC=$A vh_peer_start pb "$SB" "$B" server
wait_link b up 10
vh_cmd pb start
a_to_b 2
b_to_a 1

log "the dataplane restarts (peers untouched): ports re-added, reconnected"
dp_stop
dp_start
setup
wait_link a up 10
wait_link b up 10
b_to_a 1
a_to_b 3
log "port del in client mode leaves the peer's socket alone"
vsw_quiet port del a
[[ -S $SA ]] || fail "$SA removed by port del in client mode"
vh_peer_stop pa
vh_peer_stop pb
