#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# Who survives whom. p1 replays a pcap forever (frames to a MAC held statically on p2, a
# null port) through bridge br0, all set up by `vswctl apply` through vsw-controller.
#  1. kill -9 the controller: forwarding goes on (p2 keeps sending); a new controller
#     loads the state file, finds the dataplane running it and changes nothing: no step
#     applied, every port keeps its DPDK port id, p2's counters keep counting.
#  2. kill -9 the dataplane mid-traffic and start a fresh one: the controller notices and
#     programs it again from the desired state, and traffic flows again.
. "$(dirname "$0")/controller_lib.sh"
ctrl_init
dp_start
ctrl_start

M=02:00:00:00:77:77
mkpcap "$E2E_TMP/src.pcap" "src=02:00:00:00:00:a1,dst=$M,id=u1" "src=02:00:00:00:00:a2,dst=$M,id=u2"
cat >"$E2E_TMP/topo.yaml" <<YAML
version: 1
ports:
  p1: { type: pcap, rx_pcap: $E2E_TMP/src.pcap, infinite_rx: true }
  p2: { type: null }
  p3: { type: ring }
bridges:
  br0:
    ports:
      p1: {}
      p2: {}
    static_macs:
      - { mac: "$M", port: p2 }
  br1:
    mac_aging_s: 30
    ports:
      p3: { trunk: [100, "200-210"] }
YAML
vc apply -f "$E2E_TMP/topo.yaml"
wait_stat p2 tx_packets 1000
ports_before=$(dpdk_ports)
log "ports: $ports_before"

log "1. kill -9 the controller: the dataplane forwards on"
ctrl_kill KILL
a=$(port_stat p2 tx_packets)
sleep 1
b=$(port_stat p2 tx_packets)
((b > a + 100)) || fail "forwarding stopped with the controller dead: p2 tx $a -> $b"
log "p2 sent $((b - a)) frames in 1 s without a controller"

applied_before=$(grep -c 'appl' "$CTRL_LOG" || true)
ctrl_start
sleep 1.5 # several of its checks of the dataplane
grep -q 'desired state loaded' "$CTRL_LOG" || fail "the restarted controller did not load its state"
applied_after=$(grep -c 'appl' "$CTRL_LOG" || true)
((applied_after == applied_before)) ||
	fail "the restarted controller changed a dataplane that runs its state: $(tail -3 "$CTRL_LOG")"
[[ $(dpdk_ports) == "$ports_before" ]] || fail "ports re-created: $(dpdk_ports), were $ports_before"
c=$(port_stat p2 tx_packets)
((c > b)) || fail "p2's counters went back or stopped: $b -> $c"
vc show
grep -q 'in sync' <<<"$(vc show)" || fail "show does not say the dataplane is in sync"
rc=0
out=$(vc_status apply -f "$E2E_TMP/topo.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-applying after the restart is not a no-op (exit $rc): $out"
log "adopted without a change; p2 tx $b -> $c"

log "2. kill -9 the dataplane mid-traffic, start a new one: the controller reprograms it"
kill -KILL "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
DP_PID=
wait_for 5 "the controller to notice the dataplane is gone" grep -q 'lost the dataplane' "$CTRL_LOG"
rm -rf "/var/run/dpdk/$E2E_PREFIX"
dp_start
wait_for 10 "the controller to reprogram the new dataplane" \
	grep -q 'the dataplane runs the desired state again' "$CTRL_LOG"
wait_stat p2 tx_packets 1000
[[ $(vsw -j port show p3 | jget "r[0]['trunk']") == '[100, "200-210"]' ]] || fail "p3's trunk not restored"
[[ $(vsw -j bridge show br1 | jget "r[0]['mac_aging_s']") == 30 ]] || fail "br1's aging not restored"
[[ $(vsw -j fdb show br0 | jget "len([e for e in r if e['type'] == 'static'])") == 1 ]] ||
	fail "static MAC not restored"
grep -q 'in sync' <<<"$(vc show)" || fail "show does not say the new dataplane is in sync"
log "the new dataplane runs the topology and forwards again"

ctrl_kill TERM
dp_stop
