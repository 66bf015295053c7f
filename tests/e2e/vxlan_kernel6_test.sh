#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Interop with the Linux kernel's vxlan device over an IPv6 underlay (2001:2::/48, the
# benchmarking range of RFC 5180). A namespace K is a kernel VTEP (vxlan0, VNI 5001,
# 2001:2::2, the kernel's defaults: UDP checksums sent and required) bridged to host H2
# (198.51.100.2); vsw's VTEP is 2001:2::1 on an af_packet underlay port on the root end
# of K's underlay veth, and host H1 (198.51.100.1) hangs off vsw's VNI 5001 bridge.
# Checked: neighbour discovery both ways (vsw resolves 2001:2::2; the kernel's neighbour
# table gets vsw's MAC, and again from vsw's advertisement once it forgot it), ping both ways, 1400-byte pings (a 1498-byte outer packet: IPv6
# costs 20 bytes more than IPv4), the kernel's vxlan0 learns H1's MAC behind 2001:2::1,
# vsw learns H2's MAC behind 2001:2::2, a frame too big for the underlay MTU is dropped
# and counted with the MTU it needed (1514 + 56), and an IPv4 remote is refused on an
# IPv6 VTEP. DAD is off on the test veth so its address is usable at once.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
e2e_init
e2e_require ping ethtool bridge
dp_start

K=${E2E_TAG}k
H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
MAC1=02:00:00:00:c7:01
MAC2=02:00:00:00:c7:02
UNDER=${E2E_TAG}u0
KU=${E2E_TAG}u1
netns_add "$K"
netns_add "$H1"
netns_add "$H2"

# underlay: vsw's af_packet port on the root end (IPv6 off there, so the root namespace
# stays silent), the kernel VTEP on the other end with IPv6 on and no DAD
kvtep_add v6 "$K" "$UNDER" "$KU" 5001 2001:2::2 2001:2::1
kvtep_host_add "$K" "${E2E_TAG}k1" "$H2" "${E2E_TAG}k2" $MAC2 198.51.100.2/24
kvtep_up "$K"
host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1" $MAC1 198.51.100.1/24

vsw_vtep_add "$UNDER" 2001:2::1/64 5001
log "an IPv4 remote is refused on an IPv6 VTEP"
out=$(vsw_status vtep remote-add ov 198.18.0.2) && fail "an IPv4 remote was taken: $out"
[[ $out == *"remotes are of its family"* ]] || fail "unclear refusal: $out"
vsw_quiet vtep remote-add ov 2001:2::2
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov
vsw vtep show vt0

log "neighbour discovery on the underlay: vsw resolves 2001:2::2"
wait_for 10 "vsw to resolve 2001:2::2 by neighbour discovery" nh_resolved 2001:2::2

log "ping 198.51.100.2 (behind the kernel VTEP) from $H1"
if ! ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2; then
	vsw vtep show
	vsw stats
	ip -n "$K" -s link show vxlan0
	ip -n "$K" -6 neigh show
	fail "ping over VXLAN/IPv6 to the kernel VTEP failed"
fi
log "ping 198.51.100.1 from $H2 (the kernel encapsulates, vsw decapsulates)"
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping from the kernel side failed"

log "the kernel resolved 2001:2::1 to vsw's underlay MAC (vsw's advertisement)"
umac=$(vsw -j vtep show vt0 | jget "r[0]['mac']")
kneigh=$(ip -n "$K" -6 neigh show 2001:2::1 dev "$KU")
printf '%s\n' "$kneigh"
grep -qi "lladdr $umac" <<<"$kneigh" || fail "kernel neighbour 2001:2::1 is not $umac: $kneigh"

log "the kernel forgets 2001:2::1 and solicits it again: vsw advertises"
na_tx() { vsw -j vtep show vt0 | jget "r[0]['counters']['nd_na_tx']"; }
na0=$(na_tx)
ip -n "$K" -6 neigh del 2001:2::1 dev "$KU"
ip netns exec "$H2" ping -c 2 -i 0.2 -W 2 198.51.100.1 || fail "ping after the kernel forgot vsw failed"
(($(na_tx) > na0)) || fail "vsw sent no neighbour advertisement (before $na0, now $(na_tx))"
kneigh=$(ip -n "$K" -6 neigh show 2001:2::1 dev "$KU")
printf '%s\n' "$kneigh"
grep -qi "lladdr $umac" <<<"$kneigh" || fail "kernel neighbour 2001:2::1 is not $umac: $kneigh"

log "1400-byte pings both ways (1498-byte outer IPv6 packets)"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 -s 1400 -M do 198.51.100.2 ||
	fail "1400-byte ping from $H1 failed"
ip netns exec "$H2" ping -c 2 -i 0.2 -W 2 -s 1400 198.51.100.1 ||
	fail "1400-byte ping from $H2 failed"

log "kernel fdb learns $MAC1 behind 2001:2::1"
kfdb=$(ip netns exec "$K" bridge fdb show dev vxlan0)
printf '%s\n' "$kfdb"
grep -qi "^$MAC1 dst 2001:2::1 " <<<"$kfdb" || fail "kernel vxlan0 fdb lacks $MAC1 dst 2001:2::1"

log "vsw learns $MAC2 behind 2001:2::2"
vsw fdb show ov
got=$(vsw -j fdb show ov | jget "' '.join('%s/%s/%s' % (e['mac'], e['port'], e.get('remote_vtep', '-')) for e in r)")
[[ " $got " == *" $MAC2/vx5001-2001_2__2/2001:2::2 "* ]] ||
	fail "vsw fdb lacks $MAC2 on the tunnel to 2001:2::2: $got"
[[ " $got " == *" $MAC1/h1/- "* ]] || fail "vsw fdb lacks $MAC1 on h1: $got"

log "a frame too big for the underlay is dropped and counted, with the MTU it needed"
ip netns exec "$H1" ping -c 1 -W 1 -s 1472 -M do 198.51.100.2 >/dev/null 2>&1 &&
	fail "a 1514-byte inner frame crossed a 1500-byte underlay"
wait_for 5 "a vxlan_mtu_exceeded drop" stat_ge_drop vx5001-2001_2__2 vxlan_mtu_exceeded 1
need=$(vsw -j vtep show vt0 | jget "r[0]['remotes'][0]['mtu_needed']")
[[ $need == 1570 ]] || fail "mtu_needed is $need, expected 1570 (1514 + 56)"
vsw vtep show vt0

log "the kernel took every frame vsw sent (UDP checksums right)"
kerr=$(ip netns exec "$K" cat /sys/class/net/vxlan0/statistics/rx_errors)
[[ $kerr == 0 ]] || fail "kernel vxlan0 counted $kerr receive errors"
expect_drop vx5001-2001_2__2 vxlan_no_neigh 0
for r in vxlan_malformed vxlan_bad_udp_csum vxlan_udp6_zero_csum vxlan_bad_flags \
	vxlan_unknown_vni vxlan_unknown_vtep vxlan_outer_fragment vxlan_outer_ext_hdr \
	vxlan_bad_nd; do
	expect_drop u0 "$r" 0
done
expect_stat h1 drops_total 0
dp_stop
