/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ingress parsing and VLAN classification every received frame
 * goes through, with the first byte choosing the port's VLAN settings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eth_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t trunk[512];
	struct eth_vlan_cfg c = {.trunk = trunk};
	struct eth_info info;
	enum vsw_drop r;

	if (size < 1)
		return 0;
	memset(trunk, data[0], sizeof(trunk));
	c.mode = (enum dp_vlan_mode)(data[0] % 3);
	c.access_vlan = (uint16_t)(1 + data[0] * 13 % 4094);
	c.native_vlan = (uint16_t)(data[0] & 1 ? 0 : c.access_vlan);
	r = eth_parse(data + 1, (uint32_t)(size - 1), &info);
	if (r == VSW_DROP_MAX) {
		r = eth_classify_vlan(&c, &info);
		if (r == VSW_DROP_MAX && (info.vid == 0 || info.vid > 4094))
			__builtin_trap(); /* a frame must never be classified outside 1..4094 */
		if (r == VSW_DROP_MAX)
			(void)eth_egress_tagging(&c, info.vid);
	}
	if (r > VSW_DROP_MAX)
		__builtin_trap();
	return 0;
}
