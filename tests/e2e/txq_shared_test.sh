#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# Tx queues shared by workers (dataplane/l2/port_tx.c), on a dataplane with two workers
# sharing cpu 1 and virtio-user peers (testpmd) in place of VMs:
#  - ports with one tx queue are taken: a pcap port, a vhost-user port with queues=1
#    (these were refused before); `port show` says their tx queue is shared by 2
#    workers, while a queues=2 port whose guest enabled both pairs gives each worker its
#    own;
#  - frames from a queues=2 port polled by both workers (its peer sends on both queues)
#    reach the single-queue ports intact: every frame counted by vsw and by the receiving
#    peer, no tx_full while the consumer keeps up, the pcap port's file well formed and
#    holding exactly the frames sent; a longer stream is accounted for frame by frame;
#  - a guest that enables one of two queue pairs: both workers send on the one enabled
#    tx queue (the map follows the guest's queue events), and nothing is lost; when the
#    guest enables both again, each worker has its own queue again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_lib.sh"
vh_init
dp_start --worker-cpus 1,1

A=02:00:00:00:0a:01
B=02:00:00:00:0b:01
S=02:00:00:00:0c:01
SA=$E2E_TMP/a.sock
SB=$E2E_TMP/b.sock
SS=$E2E_TMP/s.sock
PCAP=$E2E_TMP/p.tx.pcap

# pjson PORT EXPR: EXPR on the port's `port show -j` object (p)
pjson() { vsw -j port show "$1" | jget "(lambda p: $2)(r[0])"; }
# qstat PORT QUEUE FIELD: a per-queue counter of `stats -j`
qstat() { vsw -j stats "$1" | jget "[q for q in r[0]['queues'] if q['queue'] == $2][0]['$3']"; }
# txq_is PORT USED WORKERS: tx queues in use, and the most workers on one of them
txq_is() { [[ $(pjson "$1" "[p['tx_queues_used'], p['tx_queue_workers']]") == "[$2, $3]" ]]; }

log "ports with one tx queue are taken with two workers"
vsw_quiet port add p pcap "tx_pcap=$PCAP"
vsw_quiet port add s vhost-user "socket=$SS"
vsw_quiet port add a vhost-user "socket=$SA" queues=2
vsw_quiet port add b vhost-user "socket=$SB" queues=2
for x in p s; do
	[[ $(pjson $x "p['tx_queues']") == 1 ]] || fail "$x: $(vsw -j port show $x)"
	txq_is $x 1 2 || fail "$x: tx queue not shared by 2 workers: $(vsw -j port show $x)"
done
vsw port show | grepq "^p: .*1 tx queues (1 in use: tx queue shared by 2 workers)" ||
	fail "port show does not say p's tx queue is shared: $(vsw port show)"
vsw_quiet bridge add br0
for x in a b s p; do vsw_quiet port attach $x br0; done
for x in a b; do
	[[ $(pjson $x "sorted(p['rxq_workers'])") == "[1, 2]" ]] ||
		fail "port $x rx queues on workers $(pjson $x "p['rxq_workers']"), expected one on each"
done

log "peers: a and b with 2 queue pairs, s with 1"
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2" vh_peer_start pa "$SA" "$A"
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2" vh_peer_start pb "$SB" "$B"
vh_peer_start ps "$SS" "$S"
for x in a b s; do wait_link $x up; done
wait_for 10 "b: guest enables 2 queue pairs" test "$(pjson b "p['guest_queues']")" = 2
wait_for 10 "b: a tx queue per worker" txq_is b 2 1
wait_for 10 "s: guest enables 1 queue pair" test "$(pjson s "p['guest_queues']")" = 1
txq_is s 1 2 || fail "s: $(vsw -j port show s)"
vh_cmd pb start
vh_cmd ps start

log "a floods 8 bursts on each of its 2 queues: s, p and b get every frame"
vh_cmd pa "start tx_first 8"
sent=512
wait_stat a rx_packets $sent
q0=$(qstat a 0 rx_packets)
q1=$(qstat a 1 rx_packets)
((q0 > 0 && q1 > 0)) || fail "not both rx queues of a received ($q0, $q1): not both workers sent"
for x in s p b; do wait_stat $x tx_packets $sent; done
sleep 0.3
for x in s p b; do
	expect_stat $x tx_packets $sent
	expect_drop $x tx_full 0
done
vh_wait_stat ps RX-packets $sent
vh_wait_stat pb RX-packets $sent
[[ $(vh_stat ps RX-packets) == "$sent" ]] || fail "peer s got $(vh_stat ps RX-packets), sent $sent"
[[ $(vh_stat ps RX-bytes) == $(port_stat s tx_bytes) ]] || fail "peer s got other bytes than s sent"
(($(qstat s 0 tx_packets) == sent)) || fail "s's one tx queue counted $(qstat s 0 tx_packets)"
t0=$(qstat b 0 tx_packets)
t1=$(qstat b 1 tx_packets)
((t0 > 0 && t1 > 0 && t0 + t1 == sent)) || fail "b's tx queues: $t0 + $t1, expected both, $sent"
log "a rx queues $q0 + $q1; s, p, b sent $sent each, no tx_full; b's own queues $t0 + $t1"

log "a longer flood (64 bursts per queue): every frame sent or counted as tx_full"
vsw_quiet stats clear
vh_cmd pa "stop" "clear port stats all" "start tx_first 64"
sleep 1
vh_cmd pa stop
more=$(vh_stat pa TX-packets)
((more > 0)) || fail "peer a sent nothing"
wait_stat a rx_packets "$more"
wait_stat p tx_packets "$more"
sleep 0.3
for x in s b; do
	n=$(port_stat $x tx_packets)
	full=$(port_drop $x tx_full)
	((n + full == more)) || fail "$x: $n sent + $full tx_full != $more received from a"
	log "$x: $n sent, $full tx_full"
done
expect_stat p tx_packets "$more"
expect_drop p tx_full 0
sent=$((sent + more))

log "a's guest enables 1 of its 2 pairs: both workers send on its tx queue 0, nothing lost"
vh_peer_stop pa
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=1 --txq=1" vh_peer_start pa "$SA" "$A"
wait_link a up
wait_for 10 "a: guest enables 1 queue pair" test "$(pjson a "p['guest_queues']")" = 1
wait_for 10 "a: both workers on one tx queue" txq_is a 1 2
vh_cmd pa start
vsw_quiet stats clear
vh_cmd pb "stop" "start tx_first 8"
wait_stat b rx_packets 512
q0=$(qstat b 0 rx_packets)
q1=$(qstat b 1 rx_packets)
((q0 > 0 && q1 > 0)) || fail "not both rx queues of b received ($q0, $q1)"
wait_stat a tx_packets 512
sleep 0.3
expect_stat a tx_packets 512
expect_drop a tx_full 0
vh_wait_stat pa RX-packets 512
(($(qstat a 1 tx_packets) == 0)) || fail "a's disabled tx queue 1 counted frames"
log "b rx queues $q0 + $q1; a sent all 512 on its one enabled tx queue"

log "a's guest enables both pairs again: a tx queue per worker"
vh_peer_stop pa
VH_VDEV_EXTRA=",queues=2" VH_PMD_ARGS="--rxq=2 --txq=2" vh_peer_start pa "$SA" "$A"
wait_link a up
wait_for 10 "a: a tx queue per worker again" txq_is a 2 1
vh_cmd pa start
vsw_quiet stats clear
vh_cmd pb "stop" "start tx_first 8"
wait_stat a tx_packets 512
sleep 0.3
expect_drop a tx_full 0
t0=$(qstat a 0 tx_packets)
t1=$(qstat a 1 tx_packets)
((t0 > 0 && t1 > 0 && t0 + t1 == 512)) || fail "a's tx queues: $t0 + $t1, expected both, 512"
sent=$((sent + 512 + 512)) # p got b's two floods too

vh_peer_stop pa
vh_peer_stop pb
vh_peer_stop ps
dp_stop
log "the pcap port's file: $sent frames, all from a or b, all whole"
"$PY" - "$E2E_PY" "$PCAP" "$sent" "$A" "$B" <<'EOF' || fail "p's tx pcap is not what was sent"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("e2e", sys.argv[1])
e2e = importlib.util.module_from_spec(spec)
spec.loader.exec_module(e2e)
frames = e2e.read_pcap(sys.argv[2])  # raises on a torn record
want, srcs = int(sys.argv[3]), {bytes.fromhex(m.replace(":", "")) for m in sys.argv[4:]}
if len(frames) != want:
    sys.exit("%d frames, expected %d" % (len(frames), want))
first = {}
for i, fr in enumerate(frames):
    src = fr[6:12]
    if src not in srcs:
        sys.exit("frame %d: %s" % (i, e2e.describe(fr)))
    # testpmd's txonly frames from one peer are all the same bytes
    if first.setdefault(src, fr) != fr:
        sys.exit("frame %d differs from the first from its peer: %s" % (i, e2e.describe(fr)))
EOF
