#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Interop with the Linux kernel's own VXLAN device. A namespace K is a kernel VTEP
# (vxlan0, VNI 5001, 198.18.0.2) bridged by a plain Linux bridge to host H2
# (198.51.100.2); vsw's VTEP is 198.18.0.1 on an af_packet underlay port on the root
# end of K's underlay veth, and host H1 (198.51.100.1) hangs off vsw's VNI 5001 bridge.
# Checked: ARP both ways on the underlay, ping both ways, 1400-byte pings (a 1478-byte
# outer packet), the kernel's vxlan0 learns H1's MAC behind 198.18.0.1, vsw learns H2's
# MAC behind 198.18.0.2, and a frame too big for the underlay MTU is dropped and
# counted (vxlan_mtu_exceeded) with the MTU it needed, never fragmented.
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
netns_add "$K"
netns_add "$H1"
netns_add "$H2"

# underlay: vsw's af_packet port on the root end, the kernel VTEP on the other
kvtep_add v4 "$K" "$UNDER" "${E2E_TAG}u1" 5001 198.18.0.2 198.18.0.1
# K's bridge to host H2 (both ends outside the root namespace)
kvtep_host_add "$K" "${E2E_TAG}k1" "$H2" "${E2E_TAG}k2" $MAC2 198.51.100.2/24
kvtep_up "$K"
# host H1 on vsw's side
host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1" $MAC1 198.51.100.1/24

vsw_vtep_add "$UNDER" 198.18.0.1/24 5001 198.18.0.2
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov

log "ARP on the underlay: vsw resolves 198.18.0.2"
wait_for 10 "vsw to resolve 198.18.0.2 by ARP" nh_resolved 198.18.0.2

log "ping 198.51.100.2 (behind the kernel VTEP) from $H1"
if ! ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2; then
	vsw vtep show
	vsw stats
	ip -n "$K" -s link show vxlan0
	fail "ping over VXLAN to the kernel VTEP failed"
fi
log "ping 198.51.100.1 from $H2 (the kernel encapsulates, vsw decapsulates)"
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping from the kernel side failed"

log "1400-byte pings both ways"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 -s 1400 -M do 198.51.100.2 ||
	fail "1400-byte ping from $H1 failed"
ip netns exec "$H2" ping -c 2 -i 0.2 -W 2 -s 1400 198.51.100.1 ||
	fail "1400-byte ping from $H2 failed"

log "kernel fdb learns $MAC1 behind 198.18.0.1"
ip -n "$K" -d link show vxlan0 >/dev/null
kfdb=$(ip netns exec "$K" bridge fdb show dev vxlan0)
printf '%s\n' "$kfdb"
grep -qi "^$MAC1 dst 198.18.0.1" <<<"$kfdb" || fail "kernel vxlan0 fdb lacks $MAC1 dst 198.18.0.1"

log "vsw learns $MAC2 behind 198.18.0.2"
vsw fdb show ov
got=$(vsw -j fdb show ov | jget "' '.join('%s/%s/%s' % (e['mac'], e['port'], e.get('remote_vtep', '-')) for e in r)")
[[ " $got " == *" $MAC2/vx5001-198.18.0.2/198.18.0.2 "* ]] ||
	fail "vsw fdb lacks $MAC2 on the tunnel to 198.18.0.2: $got"
[[ " $got " == *" $MAC1/h1/- "* ]] || fail "vsw fdb lacks $MAC1 on h1: $got"

log "a frame too big for the underlay is dropped and counted, with the MTU it needed"
ip netns exec "$H1" ping -c 1 -W 1 -s 1472 -M do 198.51.100.2 >/dev/null 2>&1 &&
	fail "a 1514-byte inner frame crossed a 1500-byte underlay"
wait_for 5 "a vxlan_mtu_exceeded drop" stat_ge_drop vx5001-198.18.0.2 vxlan_mtu_exceeded 1
need=$(vsw -j vtep show vt0 | jget "r[0]['remotes'][0]['mtu_needed']")
[[ $need == 1550 ]] || fail "mtu_needed is $need, expected 1550 (1514 + 36)"
vsw vtep show vt0

expect_drop vx5001-198.18.0.2 vxlan_no_neigh 0
for r in vxlan_malformed vxlan_bad_ip_csum vxlan_bad_udp_csum vxlan_bad_flags \
	vxlan_unknown_vni vxlan_unknown_vtep vxlan_outer_fragment; do
	expect_drop u0 "$r" 0
done
expect_stat h1 drops_total 0
dp_stop
