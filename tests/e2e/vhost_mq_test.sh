#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# Multiqueue vhost-user ports and what the guest negotiates, with virtio-user peers
# (testpmd) in place of VMs, on a dataplane with two workers sharing cpu 1:
#  - queues=2: two rx queues, polled by the two workers (port show: rxq_workers), two tx
#    queues; queues out of range refused with a reason (fewer tx queues than workers are
#    shared: tests/e2e/txq_shared_test.sh);
#  - a peer with two queue pairs sending on both (txonly, --txq=2): both rx queues
#    receive (per-queue stats from the device), every frame reaches the receiving peer;
#  - the guest's view: queue pairs enabled (2, and 1 for a peer that enables one of the
#    two offered), negotiated features: mergeable rx buffers and mq on; checksum and
#    segmentation offloads from the guest (csum, host_tso4/6, host_ufo, host_ecn, gso) off,
#    even for a peer that asks for checksum offload;
#  - 9000-byte frames (chained mbufs in the switch) reach a peer whose buffers are 2 KB
#    (mergeable rx buffers) whole: every byte counted, no rx error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start --worker-cpus 1,1

A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
C=02:00:00:00:0c:01
SA=$E2E_TMP/a.sock
SB=$E2E_TMP/b.sock
SC=$E2E_TMP/c.sock

# pjson PORT EXPR: EXPR on the port's `port show -j` object (p)
pjson() { vsw -j port show "$1" | jget "(lambda p: $2)(r[0])"; }
# qstat PORT QUEUE FIELD: a per-queue counter of `stats -j`
qstat() { vsw -j stats "$1" | jget "[q for q in r[0]['queues'] if q['queue'] == $2][0]['$3']"; }

log "queues out of range are refused"
out=$(vsw_status port add x vhost-user "socket=$E2E_TMP/x.sock" queues=17) && fail "queues=17 taken"
[[ $out == *"queues"*"17"*"1..16"* ]] || fail "unexpected error: $out"

vsw_quiet bridge add br0
vsw_quiet port add a vhost-user "socket=$SA" queues=2
vsw_quiet port add b vhost-user "socket=$SB" queues=2
vsw_quiet port add c vhost-user "socket=$SC" queues=2
for p in a b c; do vsw_quiet port attach $p br0; done

log "queues spread over both workers"
[[ $(pjson a "p['rx_queues']") == 2 && $(pjson a "p['tx_queues']") == 2 ]] ||
	fail "port a: $(vsw -j port show a)"
for p in a b c; do
	[[ $(pjson $p "sorted(p['rxq_workers'])") == "[1, 2]" ]] ||
		fail "port $p rx queues on workers $(pjson $p "p['rxq_workers']"), expected one on each"
done
vsw port show | grepq "^a: 2 rx queues (workers [12],[12]), 2 tx queues" ||
	fail "port show lacks the queue line: $(vsw port show)"

log "peers: a with 2 queue pairs (txonly on both), b with 2 (rxonly), c enables 1 of 2"
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2" vh_peer_start pa "$SA" "$A"
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2" VH_PEER_MAC=$A vh_peer_start pb "$SB" "$B"
# asks for tx checksum offload: the port must still not offer it (the peer then
# computes checksums itself; its start would fail if testpmd insisted)
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=1 --txq=1 --tx-offloads=0xc" VH_PEER_MAC=$A vh_peer_start pc "$SC" "$C"
wait_link a up
wait_link b up
wait_link c up
wait_for 10 "a: guest enables 2 queue pairs" test "$(pjson a "p['guest_queues']")" = 2
wait_for 10 "c: guest enables 1 queue pair" test "$(pjson c "p['guest_queues']")" = 1
feat=$(pjson c "int(p['guest_features'], 16)")
log "port c negotiated features $(pjson c "p['guest_features']")"
bit() { (((feat >> $1) & 1)); }
bit 15 || fail "mrg_rxbuf not negotiated"
bit 22 || fail "mq not negotiated"
for b in 0 6 11 12 13 14; do
	! bit $b || fail "guest offload feature bit $b negotiated (features $feat)"
done
vsw port show | grepq "^a: .*guest enabled 2 of 2 queue pairs; features .* mrg_rxbuf" ||
	fail "port show lacks the guest line: $(vsw port show)"

log "a -> b: txonly on both of a's queues; both rx queues of a receive"
vh_cmd pb start
vh_cmd pa "set fwd txonly" start
sleep 2
vh_cmd pa stop
sent=$(vh_stat pa TX-packets)
((sent > 0)) || fail "peer a sent nothing"
wait_stat a rx_packets "$sent"
q0=$(qstat a 0 rx_packets)
q1=$(qstat a 1 rx_packets)
log "a: $sent frames sent by the peer; rx queue 0: $q0, rx queue 1: $q1"
((q0 > 0 && q1 > 0)) || fail "not both rx queues of a received ($q0, $q1)"
((q0 + q1 == sent)) || fail "a's rx queues counted $((q0 + q1)), the peer sent $sent"
sleep 0.5
fwd=$(port_stat b tx_packets)
full=$(port_drop b tx_full)
((fwd + full == sent)) || fail "b: $fwd forwarded + $full tx_full != $sent sent"
((fwd > 0)) || fail "nothing reached b"
got=$(vh_stat pb RX-packets)
((got == fwd)) || fail "peer b got $got, vsw sent $fwd"
t0=$(qstat b 0 tx_packets)
t1=$(qstat b 1 tx_packets)
log "b: $fwd forwarded ($full tx_full); tx queue 0: $t0, tx queue 1: $t1 (one per worker)"
((t0 > 0 && t1 > 0)) || fail "not both workers sent on their own tx queue of b ($t0, $t1)"
vsw stats a | grep -Eq "^a +1 +[0-9]+ +[0-9]+" || fail "stats lacks per-queue rows: $(vsw stats a)"

log "9000-byte frames: chained in the switch, merged into 2 KB buffers at peer b, intact"
vh_peer_stop pa
vh_cmd pb stop "clear port stats all" start
vsw_quiet stats clear
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2 --mbuf-size=10240 --txpkts=9000" \
	vh_peer_start pa "$SA" "$A"
wait_link a up
vh_cmd pa "start tx_first 2"
wait_stat b tx_packets 128
vh_wait_stat pb RX-packets 128
sleep 0.5
expect_stat a rx_packets 128 # 2 bursts of 32 on each of 2 queues
expect_stat a rx_bytes $((128 * 9000))
expect_stat b tx_bytes $((128 * 9000))
rxb=$(vh_stat pb RX-bytes)
((rxb == 128 * 9000)) || fail "peer b got $rxb bytes, expected $((128 * 9000))"
[[ $(vh_stat pb RX-errors) == 0 ]] || fail "peer b counted rx errors"
log "port-del with queues on both workers: the other ports are rebalanced, still forwarding"
vsw_quiet port del c
[[ $(pjson a "sorted(p['rxq_workers'])") == "[1, 2]" ]] || fail "a lost a worker"
vh_peer_stop pc
vh_peer_stop pa
vh_peer_stop pb
dp_stop
