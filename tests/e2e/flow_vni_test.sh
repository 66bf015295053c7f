#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Flow rules matching `vni` (the VNI of the VXLAN tunnel a frame came in through, 0 for a
# local port) on traffic through a real tunnel: the Linux kernel's own VXLAN device in a
# namespace K (VNI 5001, 198.18.0.2) with host H2 (198.51.100.2) behind it, as in
# vxlan_kernel_test.sh, and two local hosts on vsw's VNI 5001 bridge: H1 (198.51.100.1),
# the target, and H3 (198.51.100.3). Checked, with pings to H1 from H2 (through the tunnel)
# and from H3 (local):
#  - `vni=5001 ... actions=drop` drops the tunnel's frames (counted on the rule and as
#    flow_drop on the tunnel port) and not the local ones;
#  - `vni=0 ... actions=drop` drops the local ones only (flow_drop on H3's port);
#  - another VNI matches nothing; with the rules gone both pass again.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
e2e_init
e2e_require ping ethtool
dp_start

K=${E2E_TAG}k
H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
H3=${E2E_TAG}h3
MAC1=02:00:00:00:c8:01
MAC2=02:00:00:00:c8:02
MAC3=02:00:00:00:c8:03
TUN=vx5001-198.18.0.2
netns_add "$K"
netns_add "$H1"
netns_add "$H2"
netns_add "$H3"

# underlay: vsw's af_packet port on the root end, the kernel VTEP on the other
kvtep_add v4 "$K" "${E2E_TAG}u0" "${E2E_TAG}u1" 5001 198.18.0.2 198.18.0.1
kvtep_host_add "$K" "${E2E_TAG}k1" "$H2" "${E2E_TAG}k2" $MAC2 198.51.100.2/24
kvtep_up "$K"
# the local hosts
host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1" $MAC1 198.51.100.1/24
host_add "${E2E_TAG}a3" "${E2E_TAG}b3" "$H3" $MAC3 198.51.100.3/24

vsw_vtep_add "${E2E_TAG}u0" 198.18.0.1/24 5001 198.18.0.2
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port add h3 af_packet "iface=${E2E_TAG}a3"
vsw_quiet port attach h1 ov
vsw_quiet port attach h3 ov

# ping_ok NS: at least one answer from H1 to 3 pings from namespace NS
ping_ok() { ip netns exec "$1" ping -c 3 -i 0.2 -W 1 198.51.100.1 >"$E2E_TMP/ping.out" 2>&1; }
# rule_packets ID: the packet counter of one rule of bridge ov
rule_packets() { vsw -j flow show ov | jget "[f for f in r if f['id'] == $1][0]['packets']"; }

log "without rules, H1 answers H2 (through the tunnel) and H3 (local)"
ping_ok "$H2" || fail "no ping from $H2 over the kernel VTEP: $(cat "$E2E_TMP/ping.out")"
ping_ok "$H3" || fail "no ping from $H3: $(cat "$E2E_TMP/ping.out")"
# Both hosts now have H1's MAC in their ARP cache and vsw has learnt them all: from here
# on, the only IPv4 frames to H1 are the echo requests that each ping sends.
expect_drop "$TUN" flow_drop 0

log "vni=5001: drops what arrives through the tunnel, not what local ports send"
id=$(vsw flow add ov priority=10 vni=5001 eth_type=ipv4 ip_dst=198.51.100.1 actions=drop)
vsw flow show ov
ping_ok "$H2" && fail "$H2 pinged H1 through a vni=5001 drop rule"
ping_ok "$H3" || fail "a vni=5001 rule dropped local frames from H3: $(cat "$E2E_TMP/ping.out")"
n=$(rule_packets "$id")
[[ $n == 3 ]] || fail "the vni=5001 rule counted $n frames, expected H2's 3 echo requests"
expect_drop "$TUN" flow_drop 3
expect_drop h3 flow_drop 0
vsw_quiet flow del ov "id=$id"

log "vni=0: drops what local ports send, not what arrives through the tunnel"
id=$(vsw flow add ov priority=10 vni=0 eth_type=ipv4 ip_dst=198.51.100.1 actions=drop)
ping_ok "$H3" && fail "$H3 pinged H1 through a vni=0 drop rule"
ping_ok "$H2" || fail "a vni=0 rule dropped tunnel frames from H2: $(cat "$E2E_TMP/ping.out")"
n=$(rule_packets "$id")
[[ $n == 3 ]] || fail "the vni=0 rule counted $n frames, expected H3's 3 echo requests"
expect_drop h3 flow_drop 3
expect_drop "$TUN" flow_drop 3
vsw_quiet flow del ov "id=$id"

log "another VNI matches nothing; without rules both pass"
id=$(vsw flow add ov priority=10 vni=5002 actions=drop)
ping_ok "$H2" || fail "a vni=5002 rule dropped frames of VNI 5001: $(cat "$E2E_TMP/ping.out")"
ping_ok "$H3" || fail "a vni=5002 rule dropped local frames: $(cat "$E2E_TMP/ping.out")"
n=$(rule_packets "$id")
[[ $n == 0 ]] || fail "the vni=5002 rule counted $n frames"
vsw_quiet flow del ov "id=$id"
ping_ok "$H2" || fail "no ping from $H2 once the rules are gone"
ping_ok "$H3" || fail "no ping from $H3 once the rules are gone"
expect_drop "$TUN" flow_drop 3
expect_drop h3 flow_drop 3
expect_stat h1 drops_total 0
dp_stop
