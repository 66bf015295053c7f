#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# vhost-user ports in server mode, with virtio-user peers (testpmd) in place of VMs:
# link down until a peer connects, frames forwarded both ways (counted the same by vsw and
# by both peers), a sustained txonly stream accounted for frame by frame (forwarded or
# counted as tx_full when the receiving peer, sharing a cpu, cannot keep up), link down
# again when a peer leaves, and frames to a port with no guest dropped as port_down.
# Also the socket file: directory created, owner/group/perm applied, a stale file left by
# a killed process replaced, removed when the port is deleted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start

A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
SA=$E2E_TMP/run/vms/a.sock # the directory does not exist: the port creates it
SB=$E2E_TMP/b.sock

log "a stale socket file (bound, nobody listening) sits where port b wants its socket"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SB"
[[ -S $SB ]] || fail "could not make a stale socket"

vsw_quiet bridge add br0
vsw_quiet port add a vhost-user "socket=$SA" perm=0660 group=nogroup
vsw_quiet port add b vhost-user "socket=$SB"
vsw_quiet port attach a br0
vsw_quiet port attach b br0
[[ -S $SA ]] || fail "no socket at $SA"
[[ $(stat -c '%a %G' "$SA") == "660 nogroup" ]] || fail "socket $SA is $(stat -c '%a %G' "$SA")"
grep -q "removed stale vhost-user socket $SB" "$E2E_TMP/dp.err" || fail "stale $SB not reported"
out=$(vsw_status port add c vhost-user "socket=$SB") && fail "a second port took socket $SB"
[[ $out == *"port b already uses socket"* ]] || fail "unexpected error: $out"
out=$(vsw_status port add c vhost-user "socket=$E2E_TMP/dp.err") && fail "took a plain file"
[[ $out == *"is not a socket"* ]] || fail "unexpected error: $out"
out=$(vsw_status port add c vhost-user "socket=$SOCK") && fail "took a live socket"
[[ $out == *"another process listens on it"* ]] || fail "unexpected error: $out"
link_is a down || fail "port a link up with no peer"

log "peers connect: links go up"
vh_peer_start pa "$SA" "$A"
VH_PEER_MAC=$A vh_peer_start pb "$SB" "$B"
wait_link a up
wait_link b up

log "a -> b: 128 frames to an unknown MAC, flooded to b"
vh_cmd pb start
vh_cmd pa "start tx_first 4"
wait_stat b tx_packets 128
vh_wait_stat pb RX-packets 128
sleep 0.3
expect_stat a rx_packets 128
expect_stat b tx_packets 128
[[ $(vh_stat pa TX-packets) == 128 ]] || fail "peer a sent $(vh_stat pa TX-packets), not 128"
[[ $(vh_stat pb RX-packets) == 128 ]] || fail "peer b got $(vh_stat pb RX-packets), not 128"

log "b -> a: 64 frames to a's MAC (learned: unicast), peer a counts them"
vh_cmd pb stop "start tx_first 2"
wait_stat a tx_packets 64
vh_wait_stat pa RX-packets 64
sleep 0.3
expect_stat b rx_packets 64
expect_stat a tx_packets 64
[[ $(vh_stat pa RX-packets) == 64 ]] || fail "peer a got $(vh_stat pa RX-packets), not 64"

log "sustained: peer a in txonly for 2 s, every frame accounted for"
vsw_quiet stats clear
vh_cmd pa stop "set fwd txonly" start
sleep 2
vh_cmd pa stop "set fwd rxonly"
sent=$(vh_stat pa TX-packets)
sent=$((sent - 128))
wait_stat a rx_packets "$sent"
sleep 0.5
expect_stat a rx_packets "$sent"
fwd=$(port_stat b tx_packets)
full=$(port_drop b tx_full)
((fwd + full == sent)) || fail "b: $fwd forwarded + $full tx_full != $sent sent"
((fwd > 0)) || fail "nothing reached b"
got=$(vh_stat pb RX-packets)
((got - 128 == fwd)) || fail "peer b received $((got - 128)), vsw says it sent $fwd"
log "sustained: $sent sent by peer a, $fwd delivered to peer b, $full tx_full at b"

log "peer b leaves: link down, frames to it counted as port_down"
vh_peer_stop pb
wait_link b down
vsw_quiet stats clear
vh_cmd pa "start tx_first 2"
wait_stat a rx_packets 64
wait_for 5 "b port_down drops" stat_ge_drop b port_down 64
sleep 0.3
expect_drop b port_down 64
expect_stat b tx_packets 0
expect_drop b tx_full 0

log "peer b comes back on the same socket: link up, traffic again"
vh_peer_start pb "$SB" "$B"
wait_link b up
vh_cmd pb start
vh_cmd pa stop "start tx_first 1"
wait_stat b tx_packets 32
vh_wait_stat pb RX-packets 32
expect_drop b tx_full 0

log "port-del removes the socket file; the directory stays"
vh_peer_stop pa
vsw_quiet port del a
[[ ! -e $SA ]] || fail "$SA still there after port del"
vh_peer_stop pb
dp_stop
[[ ! -e $SB ]] || fail "$SB still there after the dataplane stopped"
