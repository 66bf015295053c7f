#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Guests that die mid-traffic (kill -9, as a crashed QEMU): a receiving peer killed while
# a stream floods to it, then the sending peer killed while it sends. The dataplane must
# not crash or stall: the dead peer's link goes down, frames for it are counted as
# port_down, the surviving port keeps receiving, new peers on the same sockets work, and
# the dataplane still stops cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start

A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
C=02:00:00:00:0c:01
vsw_quiet bridge add br0
for p in a b c; do
	vsw_quiet port add $p vhost-user "socket=$E2E_TMP/$p.sock"
	vsw_quiet port attach $p br0
done
vh_peer_start pa "$E2E_TMP/a.sock" "$A" "" txonly
vh_peer_start pb "$E2E_TMP/b.sock" "$B"
vh_peer_start pc "$E2E_TMP/c.sock" "$C"
for p in a b c; do
	wait_link $p up
done
vh_cmd pb start
vh_cmd pc start

log "peer a floods a stream to b and c"
vh_cmd pa start
wait_stat b tx_packets 1000
wait_stat c tx_packets 1000

log "kill -9 peer b mid-stream"
vh_peer_kill pb KILL
wait_link b down 5
kill -0 "$DP_PID" || fail "dataplane died"
c0=$(port_stat c tx_packets)
d0=$(port_drop b port_down)
sleep 1
c1=$(port_stat c tx_packets)
d1=$(port_drop b port_down)
((c1 > c0)) || fail "c stopped receiving after b died ($c0 -> $c1)"
((d1 > d0)) || fail "frames to dead b not counted as port_down ($d0 -> $d1)"
log "after b died: c got $((c1 - c0)) more frames in 1 s, $((d1 - d0)) port_down at b"

log "kill -9 the sender, peer a, mid-stream"
vh_peer_kill pa KILL
wait_link a down 5
kill -0 "$DP_PID" || fail "dataplane died"
vsw_quiet info

log "new peers on the same sockets: frames flow again"
vh_peer_start pb "$E2E_TMP/b.sock" "$B"
vh_peer_start pa "$E2E_TMP/a.sock" "$A"
wait_link a up
wait_link b up
vh_cmd pb start
sleep 0.5 # let c drain what it still holds of the stream before counting
vsw_quiet stats clear
c_before=$(vh_stat pc RX-packets)
vh_cmd pa "start tx_first 2"
wait_stat b tx_packets 64
wait_stat c tx_packets 64
vh_wait_stat pb RX-packets 64
vh_wait_stat pc RX-packets $((c_before + 64))
sleep 0.3
expect_stat a rx_packets 64
expect_stat b tx_packets 64
expect_stat c tx_packets 64

vh_peer_stop pa
vh_peer_stop pb
vh_peer_stop pc
dp_stop
