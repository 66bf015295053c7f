/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every reason the dataplane drops a frame, in one place. Each is a per-port,
 * per-worker counter (struct port_stats), listed by `vswctl stats` and the
 * `drop-reasons` command. A frame that dies anywhere is counted under exactly one.
 */
#ifndef VSW_DROP_H
#define VSW_DROP_H

#define VSW_DROP_REASONS(X)                                                                        \
	X(runt, "frame shorter than its Ethernet (and 802.1Q) header")                             \
	X(bad_vlan_tag, "802.1Q tag with VLAN id 4095, or a truncated tag")                        \
	X(vlan_not_allowed, "tagged VLAN not allowed on this port (trunk list or access VLAN)")    \
	X(untagged_on_trunk, "untagged frame on a trunk port without a native VLAN")               \
	X(no_bridge, "port is not attached to a bridge")                                           \
	X(src_mac_invalid, "source MAC is multicast, broadcast or zero")                           \
	X(mac_limit, "source MAC not learned: bridge or port MAC limit reached")                   \
	X(mac_flapping, "source MAC is frozen after moving between ports too often")               \
	X(dst_is_ingress, "destination MAC was learned on the ingress port (no hairpin)")          \
	X(storm_limit, "flooded frame above the ingress port's storm-control rate")                \
	X(no_egress, "flooded frame with no other port in its VLAN")                               \
	X(port_gone, "destination port was removed while the frame was in flight")                 \
	X(no_mbuf, "no buffer to copy a flooded frame")                                            \
	X(tx_full, "egress queue full (peer not draining or port overloaded)")                     \
	X(flow_drop, "dropped by the drop action of a flow rule")                                  \
	X(port_down, "egress port's link is down (vhost-user port with no guest attached)")        \
	X(vxlan_not_for_us, "underlay frame not for this VTEP: other MAC, address, protocol, "     \
			    "UDP port, or ARP not about the VTEP")                                 \
	X(vxlan_malformed, "truncated or malformed outer Ethernet, IP, UDP or VXLAN header")       \
	X(vxlan_outer_fragment, "outer IP packet is a fragment (VTEPs do not reassemble)")         \
	X(vxlan_bad_ip_csum, "outer IPv4 header checksum is wrong")                                \
	X(vxlan_bad_udp_csum, "outer UDP checksum is not zero and wrong")                          \
	X(vxlan_bad_flags, "VXLAN header without the I flag (RFC 7348 section 5)")                 \
	X(vxlan_unknown_vni, "VNI not carried by any bridge")                                      \
	X(vxlan_unknown_vtep, "source VTEP is not a remote of that VNI (RFC 7348 section 7)")      \
	X(vxlan_inner_runt, "inner frame shorter than an Ethernet header")                         \
	X(vxlan_mac_steal, "remote frame claims the MAC of a local station (not moved)")           \
	X(vxlan_split_horizon, "frame from one tunnel to another tunnel (split horizon)")          \
	X(vxlan_mtu_exceeded, "encapsulated frame bigger than the underlay MTU")                   \
	X(vxlan_no_neigh, "next hop of the remote VTEP not resolved by ARP or ND yet")             \
	X(vxlan_outer_ext_hdr, "outer IPv6 packet with an extension header (not handled)")         \
	X(vxlan_udp6_zero_csum, "outer UDP checksum zero over IPv6 (RFC 8200; RFC 6936 opt-in)")   \
	X(vxlan_bad_nd, "IPv6 neighbour discovery or MLD message failing RFC 4861/3810 checks")    \
	X(vxlan_addr_not_ready, "IPv6 VTEP address tentative (DAD running) or duplicate")

enum vsw_drop {
#define VSW_DROP_ENUM(name, help) VSW_DROP_##name,
	VSW_DROP_REASONS(VSW_DROP_ENUM)
#undef VSW_DROP_ENUM
		VSW_DROP_MAX
};

extern const char *const vsw_drop_names[VSW_DROP_MAX];
extern const char *const vsw_drop_help[VSW_DROP_MAX];

#endif
