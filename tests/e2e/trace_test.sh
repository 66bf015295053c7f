#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# vswctl trace beyond the learning bridge: a live frame that a flow rule drops, and one a
# rule redirects, each show the rule that matched (bridge, id, priority, actions) and a
# fate that names it; trace --packet asks the same classifier about a described frame,
# IPv4 or IPv6.
# On the overlay, a trace of the underlay port shows the decapsulation (outer addresses,
# ports, VNI, remote VTEP, tunnel port, inner frame) and goes on into the bridge, or
# names the exact drop reason (vxlan_unknown_vni; vxlan_outer_fragment with the outer
# headers it refused); a trace of a local port whose frame goes to a remote shows the
# encapsulation (VNI, outer addresses, UDP ports, next hop, underlay port). Checked on
# vswctl -j output, while the frames really go where the trace says. The IPv6 underlay's
# trace is trace6_test.sh.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require scapy
dp_start

T=$E2E_TMP

log "flow rules: one drops, one redirects"
vsw_quiet bridge add br0
for p in a b c; do
	vport_add $p
	vsw_quiet port attach $p br0
done
id_drop=$(vsw flow add br0 priority=200 in_port=a ip_dst=198.51.100.99 actions=count,drop)
id_redir=$(vsw flow add br0 priority=100 eth_type=ipv4 ip_dst=198.51.100.50/32 udp_dst=9 actions=output:c)
id_redir6=$(vsw flow add br0 priority=100 ip_dst=2001:db8::50 udp_dst=9 actions=output:c)
[[ $id_drop =~ ^[0-9]+$ && $id_redir =~ ^[0-9]+$ && $id_redir6 =~ ^[0-9]+$ ]] ||
	fail "flow ids: '$id_drop' '$id_redir' '$id_redir6'"

trace_bg flows a -c 3 udp
send a src=02:00:00:00:0a:01,dst=02:00:00:00:0b:01,ipdst=198.51.100.99,id=dropme
send a src=02:00:00:00:0a:01,dst=02:00:00:00:0b:01,ipdst=198.51.100.50,id=redirect
send a src=02:00:00:00:0a:01,dst=02:00:00:00:0b:01,ipdst=198.51.100.7,id=normal
trace_wait flows
has flows 1 "rx: 02:00:00:00:0a:01 > 02:00:00:00:0b:01*198.51.100.99*"
has flows 1 "flow: bridge br0 rule $id_drop priority 200 matched: actions count,drop"
has flows 1 "fate: drop flow_drop (*) at flow_input (rule $id_drop)"
has flows 2 "flow: bridge br0 rule $id_redir priority 100 matched: actions output:c"
has flows 2 "fate: output to c by flow rule $id_redir"
has flows 3 "flow: no rule of bridge br0 matched: normal"
has flows 3 "fate: flooded in vlan 1 to b c"
# and the frames really went so: c got the redirected one and the flooded one
expect_tx b=1 c=2
expect_drop a flow_drop 1

log "trace --packet asks the live classifier"
vsw -j trace --packet "in_port=a,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,nw_src=198.51.100.10,nw_dst=198.51.100.50,nw_proto=17,tp_src=49152,tp_dst=9" >"$T/p1.json"
jget "'\n'.join(r['steps'])" <"$T/p1.json" | grep -x "flow: bridge br0 rule $id_redir priority 100 matched: actions output:c" >/dev/null ||
	fail "trace --packet: no redirect rule: $(cat "$T/p1.json")"
jget "r['steps'][-1]" <"$T/p1.json" | grep -x "fate: output to c by flow rule $id_redir" >/dev/null ||
	fail "trace --packet: fate: $(cat "$T/p1.json")"
vsw -j trace --packet "in_port=a,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,nw_src=198.51.100.10,nw_dst=198.51.100.99" >"$T/p2.json"
jget "r['steps'][-1]" <"$T/p2.json" | grep "^fate: drop flow_drop .*(rule $id_drop)$" >/dev/null ||
	fail "trace --packet (drop): $(cat "$T/p2.json")"
vsw -j trace --packet "in_port=a,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,nw_src=2001:db8::10,nw_dst=2001:db8::50,nw_proto=17,tp_src=49152,tp_dst=9" >"$T/p6.json"
jget "'\n'.join(r['steps'])" <"$T/p6.json" | grep -x "ipv6: 2001:db8::10 > 2001:db8::50, next header 17, ports 49152 > 9" >/dev/null ||
	fail "trace --packet (IPv6): no ipv6 step: $(cat "$T/p6.json")"
jget "r['steps'][-1]" <"$T/p6.json" | grep -x "fate: output to c by flow rule $id_redir6" >/dev/null ||
	fail "trace --packet (IPv6): fate: $(cat "$T/p6.json")"
vsw -j trace --packet "in_port=a,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,nw_src=2001:db8::10,nw_dst=2001:db8::51,nw_proto=17,tp_src=49152,tp_dst=9" >"$T/p7.json"
jget "'\n'.join(r['steps'])" <"$T/p7.json" | grep -x "flow: no rule of bridge br0 matched: normal" >/dev/null ||
	fail "trace --packet (IPv6, other address): $(cat "$T/p7.json")"
out=$(vsw_status trace --packet "in_port=a,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,nw_src=198.51.100.10,nw_dst=2001:db8::50") &&
	fail "trace --packet took addresses of two IP versions: $out"
[[ $out == *"different IP versions"* ]] || fail "unclear refusal of mixed IP versions: $out"
vsw -j trace --packet "in_port=b,dl_src=02:00:00:00:0b:01,dl_dst=02:00:00:00:0a:01" >"$T/p3.json"
jget "'\n'.join(r['steps'])" <"$T/p3.json" | grep -x "flow: no rule of bridge br0 matched: normal" >/dev/null ||
	fail "trace --packet (no rule): $(cat "$T/p3.json")"

log "overlay: a VTEP on u0, bridge ov with VNI 5001 and one remote, local host h1"
M1=02:00:00:00:c8:01
M2=02:00:00:00:c8:02
T2=vx5001-198.18.0.2
vport_add u0
vport_add h1
vsw_quiet vtep add vt0 u0 198.18.0.1/24 mac=02:aa:00:00:00:01
vsw_quiet vtep neigh-add vt0 198.18.0.2 02:aa:00:00:00:02
vsw_quiet bridge add ov vni=5001
vsw_quiet vtep remote-add ov 198.18.0.2
vsw_quiet port attach h1 ov
"$PY" - "$T" <<'EOF'
import sys
from scapy.all import IP, UDP, Ether, Raw, wrpcap
from scapy.layers.vxlan import VXLAN
tmp = sys.argv[1]
def vx(vni, inner, flags="DF"):
    return Ether(src="02:aa:00:00:00:02", dst="02:aa:00:00:00:01") / \
        IP(src="198.18.0.2", dst="198.18.0.1", flags=flags) / \
        UDP(sport=50000, dport=4789, chksum=0) / VXLAN(vni=vni) / inner
inner = Ether(src="02:00:00:00:c8:02", dst="02:00:00:00:c8:01") / \
    IP(src="198.51.100.2", dst="198.51.100.1") / UDP(sport=1000, dport=9) / Raw(b"x" * 20)
wrpcap(tmp + "/vni.pcap", [vx(5002, inner)])
wrpcap(tmp + "/good.pcap", [vx(5001, inner)])
wrpcap(tmp + "/frag.pcap", [vx(5001, inner, flags="MF")])
EOF

log "decap: an unknown VNI and a fragment die with their reasons; a good frame goes on"
# h1's MAC first, so the good frame goes unicast
send h1 src=$M1,dst=ff:ff:ff:ff:ff:ff,id=hello
wait_stat "$T2" tx_packets 1
trace_bg decap u0 -c 3 udp port 4789
inject u0 "$T/vni.pcap"
inject u0 "$T/good.pcap"
inject u0 "$T/frag.pcap"
trace_wait decap
has decap 1 "vxlan decap: outer 198.18.0.2 > 198.18.0.1, udp 50000 > 4789, vni 5002, remote VTEP 198.18.0.2 (unknown VNI) on VTEP vt0"
has decap 1 "fate: drop vxlan_unknown_vni (*) at vxlan_decap"
has decap 2 "vxlan decap: outer 198.18.0.2 > 198.18.0.1, udp 50000 > 4789, vni 5001, remote VTEP 198.18.0.2 on VTEP vt0"
has decap 2 "tunnel port $T2 of bridge ov: inner $M2 > $M1*198.51.100.2 > 198.51.100.1*"
has decap 2 "bridge ov, vlan *"
# learning takes a try-lock: an aging tick holding it defers the learn to a later frame
has decap 2 "learn: source @(learned (new)|not learned now: table busy*)"
has decap 2 "fate: output to h1, untagged"
has decap 3 "vxlan decap: outer 198.18.0.2 > 198.18.0.1, ttl 64, length *, fragment offset 0 more fragments, udp 50000 > 4789, length *, checksum 0x0000, vxlan flags 0x* vni 5001 on VTEP vt0"
has decap 3 "fate: drop vxlan_outer_fragment (*) at vxlan_decap"
expect_drop u0 vxlan_unknown_vni 1
expect_drop u0 vxlan_outer_fragment 1
wait_stat h1 tx_packets 1

log "encap: a frame from h1 to the remote's MAC"
trace_bg encap h1 -c 1 udp
send h1 src=$M1,dst=$M2,ipsrc=198.51.100.1,ipdst=198.51.100.2,id=toremote
trace_wait encap
has encap 1 "fdb: destination on port $T2 (learned entry)"
has encap 1 "encap: tunnel port $T2: vni 5001, outer 198.18.0.1 > 198.18.0.2 (remote VTEP), udp * > 4789, ttl *, df, next hop 198.18.0.2 mac 02:aa:00:00:00:02 (static), underlay port u0, * bytes"
has encap 1 "fate: output to $T2, untagged"
wait_stat u0 tx_packets 2 # the flooded hello and this one, encapsulated

log "encap that cannot happen: the next hop is forgotten"
vsw_quiet vtep neigh-del vt0 198.18.0.2
trace_bg noneigh h1 -c 1 udp
send h1 src=$M1,dst=$M2,ipsrc=198.51.100.1,ipdst=198.51.100.2,id=noneigh
trace_wait noneigh
has noneigh 1 "fate: drop vxlan_no_neigh (*) at vxlan_encap on $T2 (next hop 198.18.0.2)"
wait_for 5 "the vxlan_no_neigh drop" stat_ge_drop "$T2" vxlan_no_neigh 1

dp_stop
log "ok"
