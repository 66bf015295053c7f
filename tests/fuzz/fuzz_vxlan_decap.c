/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the receive checks every frame on an underlay port goes through
 * (overlay/vxlan.h, vxlan_parse), then the inner frame's parsing as the bridge does it,
 * and the UDP source port hash encapsulation computes over inner frames. The frame is
 * addressed to VTEP 198.18.0.1 (MAC 02:aa:00:00:00:01, UDP 4789), as the seeds are.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eth_parse.h"
#include "overlay/vxlan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vxlan_local l = {
		.mac = {0x02, 0xaa, 0, 0, 0, 0x01},
		.ip = 0,
		.udp_port = (uint16_t)(VXLAN_UDP_PORT >> 8 | (VXLAN_UDP_PORT & 0xff) << 8)};
	static const uint8_t ip[4] = {198, 18, 0, 1};
	struct eth_info info;
	struct vxlan_rx rx;
	enum vsw_drop r;

	memcpy(&l.ip, ip, 4);
	if (size > UINT16_MAX)
		return 0;
	r = vxlan_parse(data, (uint32_t)size, &l, &rx);
	if (r > VSW_DROP_MAX)
		__builtin_trap();
	if (r == VSW_DROP_MAX) {
		/* what is accepted lies inside the frame and holds an Ethernet header */
		if ((size_t)rx.inner_off + rx.inner_len > size || rx.inner_len < 14 ||
		    rx.vni > VXLAN_VNI_MAX)
			__builtin_trap();
		(void)eth_parse(data + rx.inner_off, rx.inner_len, &info);
		if (vxlan_entropy_port(data + rx.inner_off, rx.inner_len) < VXLAN_SPORT_MIN)
			__builtin_trap();
	}
	(void)vxlan_entropy_port(data, (uint32_t)size);
	return 0;
}
