#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Two vsw instances (A: VTEP 198.18.0.1, B: VTEP 198.18.0.2; distinct --file-prefix and
# sockets) across a veth underlay, each with a host on its VNI 5001 bridge (H1
# 198.51.100.1 on A, H2 198.51.100.2 on B). A has a third remote, 198.18.0.3, that
# exists only as a static next hop: it must get the flooded frames (head-end
# replication) and none of the unicast ones. Checked: the two VTEPs resolve each other
# by ARP (each asks and answers), pings both ways, each learns the other host's MAC
# behind the other VTEP, unicast goes only to the right VTEP, and when B drops A as a
# remote, A's frames are refused there (vxlan_unknown_vtep) and H2's MAC ages out of A
# like a local one.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
e2e_init
e2e_require ping ethtool
dp_start

# A second dataplane, B (vxlan_lib.sh), stopped before the usual cleanup
b_init e2e_cleanup
vswb() {
	local out rc=0
	out=$(timeout 15 "$CTL_BIN" -s "$B_SOCK" "$@" 2>&1) || rc=$?
	((rc == 0)) || fail "vswctl (B) $* -> exit $rc: $out"
	[[ -z $out ]] || printf '%s\n' "$out"
}
b_drop() { vswb -j stats "$1" | jget "[p for p in r if p['name'] == '$1'][0]['drops']['$2']"; }
b_drop_ge() { (($(b_drop "$1" "$2") >= $3)); }
b_start

H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
MAC1=02:00:00:00:c9:01
MAC2=02:00:00:00:c9:02
T2=vx5001-198.18.0.2
T3=vx5001-198.18.0.3
two_hosts_add "$H1" $MAC1 "$H2" $MAC2

vsw_quiet port add u af_packet "iface=${E2E_TAG}ua"
vsw_quiet vtep add vt0 u 198.18.0.1/24
vsw_quiet vtep neigh-add vt0 198.18.0.3 02:aa:00:00:00:03
vsw_quiet bridge add ov vni=5001 aging=3
vsw_quiet vtep remote-add ov 198.18.0.2
vsw_quiet vtep remote-add ov 198.18.0.3
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov

# B's ports are libpcap ones: two processes' af_packet sockets can collide in DPDK 22.11's
# PACKET_FANOUT group id (pid xor ifindex), and the second port-add then fails (EINVAL)
vswb port add u pcap "rx_iface_in=${E2E_TAG}ub" "tx_iface=${E2E_TAG}ub" >/dev/null
vswb vtep add vt0 u 198.18.0.2/24 >/dev/null
vswb bridge add ov vni=5001 >/dev/null
vswb vtep remote-add ov 198.18.0.1 >/dev/null
vswb port add h2 pcap "rx_iface_in=${E2E_TAG}a2" "tx_iface=${E2E_TAG}a2" >/dev/null
vswb port attach h2 ov >/dev/null

log "the VTEPs resolve each other by ARP"
wait_for 10 "A to resolve 198.18.0.2" nh_resolved 198.18.0.2
wait_for 10 "B to resolve 198.18.0.1" nh_resolved 198.18.0.1 vswb
asked=$(vsw -j vtep show vt0 | jget "r[0]['counters']['arp_req_tx'] + 0")
askedb=$(vswb -j vtep show vt0 | jget "r[0]['counters']['arp_req_tx'] + 0")
((asked + askedb >= 1)) || fail "neither VTEP sent an ARP request"

log "ping across the overlay, both ways"
if ! ip netns exec "$H1" ping -c 5 -i 0.2 -W 2 198.51.100.2; then
	vsw vtep show
	vswb vtep show
	fail "ping from $H1 to $H2 over two vsw failed"
fi
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping back from $H2 failed"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 -s 1400 198.51.100.2 || fail "1400-byte ping failed"

log "each learns the other host behind the other VTEP"
fa=$(vsw -j fdb show ov | jget "' '.join('%s@%s' % (e['mac'], e.get('remote_vtep', e['port'])) for e in r)")
fb=$(vswb -j fdb show ov | jget "' '.join('%s@%s' % (e['mac'], e.get('remote_vtep', e['port'])) for e in r)")
[[ " $fa " == *" $MAC2@198.18.0.2 "* && " $fa " == *" $MAC1@h1 "* ]] || fail "A's fdb: $fa"
[[ " $fb " == *" $MAC1@198.18.0.1 "* && " $fb " == *" $MAC2@h2 "* ]] || fail "B's fdb: $fb"

log "unicast went to 198.18.0.2 only; 198.18.0.3 got the flooded frames alone"
t2=$(port_stat "$T2" tx_packets)
t3=$(port_stat "$T3" tx_packets)
log "tunnel tx: to .2 $t2, to .3 $t3"
((t2 >= 10)) || fail "only $t2 frames went to 198.18.0.2"
((t3 >= 1 && t3 <= 2)) || fail "$t3 frames went to 198.18.0.3 (expected the ARP broadcasts only)"
expect_stat "$T2" drops_total 0

log "B forgets A: A's frames are refused there, and H2's MAC ages out of A"
vswb vtep remote-del ov 198.18.0.1
ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1 &&
	fail "ping crossed to a VTEP that no longer has us as a remote"
wait_for 5 "B to count vxlan_unknown_vtep" b_drop_ge u vxlan_unknown_vtep 1
aged() {
	! vsw -j fdb show ov | jget "' '.join(e['mac'] for e in r)" | grepq "$MAC2"
}
wait_for 10 "$MAC2 to age out of A's fdb" aged
vsw vtep show
b_stop
dp_stop
