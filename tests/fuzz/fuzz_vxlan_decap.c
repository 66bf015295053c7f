/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the receive checks every frame on an underlay port goes through,
 * for an IPv4 VTEP (overlay/vxlan.h, vxlan_parse) and an IPv6 one (vxlan_parse6, and
 * neighbour discovery's nd_parse from overlay/nd.h), then the inner frame's parsing as
 * the bridge does it, and the hash encapsulation computes over inner frames (UDP source
 * port, IPv6 flow label). The frame is addressed to VTEP 198.18.0.1 or 2001:2::1 (MAC
 * 02:aa:00:00:00:01, UDP 4789), as the seeds are.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eth_parse.h"
#include "overlay/nd.h"
#include "overlay/vxlan.h"

static void check_inner(const uint8_t *data, size_t size, const struct vxlan_rx *rx)
{
	struct eth_info info;

	/* what is accepted lies inside the frame and holds an Ethernet header */
	if ((size_t)rx->inner_off + rx->inner_len > size || rx->inner_len < 14 ||
	    rx->vni > VXLAN_VNI_MAX)
		__builtin_trap();
	(void)eth_parse(data + rx->inner_off, rx->inner_len, &info);
	if (vxlan_entropy_port(data + rx->inner_off, rx->inner_len) < VXLAN_SPORT_MIN)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vxlan_local l = {
		.mac = {0x02, 0xaa, 0, 0, 0, 0x01},
		.ip = 0,
		.udp_port = (uint16_t)(VXLAN_UDP_PORT >> 8 | (VXLAN_UDP_PORT & 0xff) << 8),
		.ip6 = {0x20, 0x01, 0, 0x02, [15] = 1}};
	static const uint8_t ip[4] = {198, 18, 0, 1};
	struct vxlan_rx rx;
	struct nd_rx nd;
	enum vsw_drop r;
	uint32_t fl;

	memcpy(&l.ip, ip, 4);
	if (size > UINT16_MAX)
		return 0;
	r = vxlan_parse(data, (uint32_t)size, &l, &rx);
	if (r > VSW_DROP_MAX)
		__builtin_trap();
	if (r == VSW_DROP_MAX)
		check_inner(data, size, &rx);
	r = vxlan_parse6(data, (uint32_t)size, &l, &rx);
	if (r > VSW_DROP_MAX)
		__builtin_trap();
	if (r == VSW_DROP_MAX) {
		if (rx.src_ip6 != data + 22)
			__builtin_trap();
		check_inner(data, size, &rx);
	}
	r = nd_parse(data, (uint32_t)size, &l, &nd);
	if (r > VSW_DROP_MAX)
		__builtin_trap();
	if (r == VSW_DROP_MAX) {
		/* the pointers lie inside the frame, the option with its 6 bytes */
		if (nd.target + 16 > data + size || nd.src_ip + 16 > data + size ||
		    (nd.lladdr != NULL && nd.lladdr + 6 > data + size) ||
		    (nd.type != ND_TYPE_NS && nd.type != ND_TYPE_NA))
			__builtin_trap();
		if (nd.type == ND_TYPE_NS && memcmp(nd.target, l.ip6, 16) != 0)
			__builtin_trap();
	}
	fl = vxlan_flow_label_of(vxlan_entropy_hash(data, (uint32_t)size));
	if (fl == 0 || fl > 0xfffff)
		__builtin_trap();
	(void)vxlan_entropy_port(data, (uint32_t)size);
	return 0;
}
