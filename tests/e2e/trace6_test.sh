#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# vswctl trace on an IPv6 underlay, with the Linux kernel's vxlan device as the remote
# VTEP (the setup of vxlan_kernel6_test.sh: namespace K is VTEP 2001:2::2 bridging host
# H2 198.51.100.2; vsw's VTEP 2001:2::1 on af_packet port u0; host H1 198.51.100.1 on
# port h1 of vsw's VNI 5001 bridge). Checked on vswctl -j output:
# - decap of the kernel's frame: outer IPv6 addresses, UDP ports, VNI, remote VTEP,
#   tunnel port and inner frame, then on through the bridge;
# - encap of H1's frame: outer IPv6 addresses, hop limit, flow label, UDP ports, next hop
#   and its MAC learned by neighbour discovery, underlay port, size; the very frame vsw
#   sent (captured on u0's tx) carries those values;
# - the kernel's neighbour solicitation for 2001:2::1: consumed by ND and answered;
# - refused frames (crafted with scapy, injected from K): each shows its outer headers
#   and the exact reason (vxlan_outer_ext_hdr, vxlan_udp6_zero_csum,
#   vxlan_outer_fragment, vxlan_unknown_vtep, vxlan_unknown_vni), as counted; and a
#   frame taken whose inner frame is IPv6 (its addresses shown).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
e2e_init
e2e_require ping ethtool scapy
dp_start

T=$E2E_TMP
K=${E2E_TAG}k
H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
MAC1=02:00:00:00:c7:01
MAC2=02:00:00:00:c7:02
UNDER=${E2E_TAG}u0
KU=${E2E_TAG}u1
TUN=vx5001-2001_2__2
netns_add "$K"
netns_add "$H1"
netns_add "$H2"

# as vxlan_kernel6_test.sh, with K's bridge quiet too (no IPv6 on it, so nothing but
# the test's pings crosses the tunnel) and static ARP in the hosts (no ARP either)
kvtep_add v6 "$K" "$UNDER" "$KU" 5001 2001:2::2 2001:2::1
kvtep_host_add "$K" "${E2E_TAG}k1" "$H2" "${E2E_TAG}k2" $MAC2 198.51.100.2/24
ip -n "$H2" neigh replace 198.51.100.1 lladdr $MAC1 nud permanent dev "${E2E_TAG}k2"
kvtep_up "$K" quiet
host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1" $MAC1 198.51.100.1/24
ip -n "$H1" neigh replace 198.51.100.2 lladdr $MAC2 nud permanent dev "${E2E_TAG}b1"
KMAC=$(ip netns exec "$K" cat "/sys/class/net/$KU/address")

vsw_vtep_add "$UNDER" 2001:2::1/64 5001 2001:2::2
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov
UMAC=$(vsw -j vtep show vt0 | jget "r[0]['mac']")
wait_for 10 "vsw to resolve 2001:2::2 by neighbour discovery" nh_resolved 2001:2::2

n_caps() { vsw -j capture list | jget "len([c for c in r if not c['trace']])"; }
caps_are() { [[ $(n_caps) == "$1" ]]; }

# Inner headers of a VXLAN frame over IPv6 start at ip6[56] (IPv6 40, UDP 8, VXLAN 8):
# the inner ethertype at ip6[68:2], the inner IPv4 protocol at ip6[79]. The kernel also
# sends IGMP and other frames through its tunnel: the filters pick the ICMP ones only.
VX_ICMP='ip6 and udp port 4789 and ip6[68:2] == 0x0800 and ip6[79] == 1'

log "decap: the kernel's frame from H2 to H1"
trace_bg decap u0 -c 1 "$VX_ICMP"
ip netns exec "$H2" ping -c 1 -W 2 198.51.100.1 >/dev/null || fail "ping from $H2 failed"
trace_wait decap
has decap 1 "rx: $KMAC > $UMAC, IPv6 2001:2::2 > 2001:2::1 UDP * > 4789, * bytes"
has decap 1 "vxlan decap: outer 2001:2::2 > 2001:2::1, udp * > 4789, vni 5001, remote VTEP 2001:2::2 on VTEP vt0"
has decap 1 "tunnel port $TUN of bridge ov: inner $MAC2 > $MAC1, IPv4 198.51.100.2 > 198.51.100.1 ICMP*"
# learning takes a try-lock: an aging tick holding it defers the learn to a later frame
has decap 1 "learn: source @(learned (new)|not learned now: table busy*)"
has decap 1 "fate: flooded in vlan 1 to h1"
sport=$(step_like decap 1 "vxlan decap:" | sed -n 's/.*, udp \([0-9]*\) > 4789,.*/\1/p')
((sport >= 1024)) || fail "decap: UDP source port '$sport'"

log "encap: H1's frame to H2, and the frame vsw really sent"
timeout 20 "$CTL_BIN" -s "$SOCK" capture u0 -i tx -c 1 -q -w "$T/encap.pcapng" "$VX_ICMP" \
	>"$T/cap.out" 2>"$T/cap.err" &
CAP=$!
wait_for 10 "the u0 tx capture to start" caps_are 1
trace_bg encap h1 -c 1 icmp
ip netns exec "$H1" ping -c 1 -W 2 198.51.100.2 >/dev/null || fail "ping from $H1 failed"
trace_wait encap
wait "$CAP" || fail "capture of u0 tx failed: $(cat "$T/cap.err")"
has encap 1 "fdb: destination on port $TUN (learned entry)"
has encap 1 "encap: tunnel port $TUN: vni 5001, outer 2001:2::1 > 2001:2::2 (remote VTEP), udp * > 4789, hop limit *, flow label 0x*, next hop 2001:2::2 mac $KMAC (resolved by ND), underlay port u0, * bytes"
has encap 1 "fate: output to $TUN, untagged"
enc=$(step_like encap 1 "encap: tunnel port")
wire=$("$PY" - "$T/encap.pcapng" <<'EOF'
import sys
from scapy.all import IPv6, UDP, Ether, rdpcap
p = rdpcap(sys.argv[1])[0]
print("udp %d > %d, hop limit %d, flow label 0x%05x, next hop 2001:2::2 mac %s "
      "(resolved by ND), underlay port u0, %d bytes" % (p[UDP].sport, p[UDP].dport,
      p[IPv6].hlim, p[IPv6].fl, p[Ether].dst, len(p)))
EOF
)
[[ $enc == *", $wire" ]] || fail "the traced encap differs from the frame sent:"$'\n'"trace: $enc"$'\n'"wire:  $wire"

log "neighbour discovery: the kernel solicits 2001:2::1 again"
trace_bg nd u0 -c 1 icmp6 and "ip6[40] == 135"
ip -n "$K" -6 neigh del 2001:2::1 dev "$KU"
ip netns exec "$H2" ping -c 1 -W 2 198.51.100.1 >/dev/null || fail "ping after the kernel forgot vsw failed"
trace_wait nd
has nd 1 "rx: $KMAC > *, IPv6 2001:2::2 > * ICMPv6 type 135, * bytes"
has nd 1 "nd: neighbour solicitation from 2001:2::2 (mac $KMAC) for 2001:2::1 (this VTEP's address) on VTEP vt0"
has nd 1 "nd: next hop 2001:2::2 resolved to $KMAC (refreshed)"
has nd 1 "fate: consumed by ND on VTEP vt0: answered with a neighbour advertisement to 2001:2::2 (mac $KMAC) on u0"

log "refused frames: each with its outer headers and its exact reason"
"$PY" - "$T" "$UMAC" <<'EOF'
import sys
from scapy.all import IPv6, UDP, Ether, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IP, Raw, wrpcap
from scapy.layers.vxlan import VXLAN
tmp, umac = sys.argv[1], sys.argv[2]
inner = Ether(src="02:00:00:00:c7:09", dst="02:00:00:00:c7:01") / \
    IP(src="198.51.100.9", dst="198.51.100.1") / UDP(sport=1000, dport=9) / Raw(b"x" * 20)
def out(src="2001:2::2", ext=None, **udp):
    ip = IPv6(src=src, dst="2001:2::1", hlim=64)
    if ext is not None:
        ip = ip / ext
    return Ether(src="02:aa:00:00:00:99", dst=umac) / ip / \
        UDP(sport=50001, dport=4789, **udp) / VXLAN(vni=5001, flags=0x08) / inner
frames = [
    out(ext=IPv6ExtHdrHopByHop()),
    out(chksum=0),
    out(ext=IPv6ExtHdrFragment(m=1, id=7)),
    out(src="2001:2::3"),
]
f = Ether(src="02:aa:00:00:00:99", dst=umac) / IPv6(src="2001:2::2", dst="2001:2::1") / \
    UDP(sport=50001, dport=4789) / VXLAN(vni=5002, flags=0x08) / inner
# and one taken, whose inner frame is IPv6 (documentation addresses; H1 has no IPv6)
inner6 = Ether(src="02:00:00:00:c7:09", dst="02:00:00:00:c7:01") / \
    IPv6(src="2001:db8::9", dst="2001:db8::1") / UDP(sport=1000, dport=9) / Raw(b"x" * 20)
g = Ether(src="02:aa:00:00:00:99", dst=umac) / IPv6(src="2001:2::2", dst="2001:2::1") / \
    UDP(sport=50001, dport=4789) / VXLAN(vni=5001, flags=0x08) / inner6
wrpcap(tmp + "/refused.pcap", frames + [f, g])
EOF
trace_bg refused u0 -c 6 ether src 02:aa:00:00:00:99
ip netns exec "$K" "$PY" "$E2E_PY" send "$KU" "$T/refused.pcap" 20
trace_wait refused
O="vxlan decap: outer 2001:2::2 > 2001:2::1, hop limit 64, payload * bytes"
has refused 1 "$O, next header 0 (hop-by-hop options) on VTEP vt0"
has refused 1 "fate: drop vxlan_outer_ext_hdr (*) at vxlan_decap"
has refused 2 "$O, udp 50001 > 4789, length *, checksum 0x0000, vxlan flags 0x08 vni 5001 on VTEP vt0"
has refused 2 "fate: drop vxlan_udp6_zero_csum (*) at vxlan_decap"
has refused 3 "$O, next header 44 (fragment) on VTEP vt0"
has refused 3 "fate: drop vxlan_outer_fragment (*) at vxlan_decap"
has refused 4 "vxlan decap: outer 2001:2::3 > 2001:2::1, udp 50001 > 4789, vni 5001, remote VTEP 2001:2::3 (not a remote of this VNI) on VTEP vt0"
has refused 4 "fate: drop vxlan_unknown_vtep (*) at vxlan_decap"
has refused 5 "vxlan decap: outer 2001:2::2 > 2001:2::1, udp 50001 > 4789, vni 5002, remote VTEP 2001:2::2 (unknown VNI) on VTEP vt0"
has refused 5 "fate: drop vxlan_unknown_vni (*) at vxlan_decap"
has refused 6 "tunnel port $TUN of bridge ov: inner 02:00:00:00:c7:09 > $MAC1, IPv6 2001:db8::9 > 2001:db8::1 UDP 1000 > 9, 82 bytes"
has refused 6 "fate: output to h1, untagged"
for r in vxlan_outer_ext_hdr vxlan_udp6_zero_csum vxlan_outer_fragment vxlan_unknown_vtep \
	vxlan_unknown_vni; do
	wait_for 5 "the $r drop" stat_ge_drop u0 "$r" 1
	expect_drop u0 "$r" 1
done
expect_stat h1 drops_total 0

dp_stop
log "ok"
