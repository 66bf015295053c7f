/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of Ethernet/802.1Q parsing and VLAN classification (dataplane/l2/eth_parse.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eth_parse.h"

static const uint8_t dst_a[6] = {0x02, 0, 0, 0, 0, 0xaa};
static const uint8_t src_b[6] = {0x02, 0, 0, 0, 0, 0xbb};

/* A frame of len bytes: dst A, src B, optional tag, IPv4 ethertype, zero payload. */
static size_t mkframe(uint8_t *buf, size_t len, int tag_vid, const uint8_t *src)
{
	size_t off = 12;

	memset(buf, 0, len);
	memcpy(buf, dst_a, 6);
	memcpy(buf + 6, src ? src : src_b, 6);
	if (tag_vid >= 0) {
		buf[off++] = 0x81;
		buf[off++] = 0x00;
		buf[off++] = (uint8_t)(0xa0 | (tag_vid >> 8)); /* PCP 5 */
		buf[off++] = (uint8_t)tag_vid;
	}
	buf[off++] = 0x08;
	buf[off++] = 0x00;
	return len;
}

static void test_untagged(void **state)
{
	uint8_t f[64];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), -1, NULL);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_MAX);
	assert_false(info.tagged);
	assert_int_equal(info.tag_vid, 0);
	assert_memory_equal(info.dst, dst_a, 6);
	assert_memory_equal(info.src, src_b, 6);
}

static void test_tagged(void **state)
{
	uint8_t f[64];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), 100, NULL);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_MAX);
	assert_true(info.tagged);
	assert_int_equal(info.tag_vid, 100); /* PCP bits masked off */
}

static void test_runts(void **state)
{
	uint8_t f[64];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), -1, NULL);
	assert_int_equal(eth_parse(f, 0, &info), VSW_DROP_runt);
	assert_int_equal(eth_parse(f, 13, &info), VSW_DROP_runt);
	assert_int_equal(eth_parse(f, 14, &info), VSW_DROP_MAX); /* header only: fine */
	mkframe(f, sizeof(f), 10, NULL);
	assert_int_equal(eth_parse(f, 17, &info), VSW_DROP_bad_vlan_tag);
	assert_int_equal(eth_parse(f, 18, &info), VSW_DROP_MAX);
}

static void test_vid_4095(void **state)
{
	uint8_t f[64];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), 4095, NULL);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_bad_vlan_tag);
}

static void test_jumbo(void **state)
{
	static uint8_t f[9018];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), 20, NULL);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_MAX);
	assert_int_equal(info.tag_vid, 20);
}

static void test_bad_src(void **state)
{
	static const uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 1};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6] = {0};
	uint8_t f[64];
	struct eth_info info;

	(void)state;
	mkframe(f, sizeof(f), -1, mcast);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_src_mac_invalid);
	mkframe(f, sizeof(f), -1, bcast);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_src_mac_invalid);
	mkframe(f, sizeof(f), -1, zero);
	assert_int_equal(eth_parse(f, sizeof(f), &info), VSW_DROP_src_mac_invalid);
}

static void test_classify_access(void **state)
{
	uint8_t trunk[512] = {0};
	struct eth_vlan_cfg c = {.mode = DP_VLAN_ACCESS, .access_vlan = 10, .trunk = trunk};
	struct eth_info info = {0};

	(void)state;
	info.tag_vid = 0; /* untagged or priority-tagged */
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_MAX);
	assert_int_equal(info.vid, 10);
	info.tag_vid = 10;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_MAX);
	info.tag_vid = 20;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_vlan_not_allowed);
}

static void test_classify_trunk(void **state)
{
	uint8_t trunk[512] = {0};
	struct eth_vlan_cfg c = {.mode = DP_VLAN_TRUNK, .trunk = trunk};
	struct eth_info info = {0};

	(void)state;
	trunk[10 >> 3] |= 1 << (10 & 7);
	trunk[4094 >> 3] |= 1 << (4094 & 7);
	info.tag_vid = 10;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_MAX);
	assert_int_equal(info.vid, 10);
	info.tag_vid = 4094;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_MAX);
	info.tag_vid = 11;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_vlan_not_allowed);
	info.tag_vid = 0;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_untagged_on_trunk);
	c.native_vlan = 10;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_MAX);
	assert_int_equal(info.vid, 10);
	c.mode = DP_VLAN_NONE;
	assert_int_equal(eth_classify_vlan(&c, &info), VSW_DROP_no_bridge);
}

static void test_egress_tagging(void **state)
{
	uint8_t trunk[512] = {0};
	struct eth_vlan_cfg acc = {.mode = DP_VLAN_ACCESS, .access_vlan = 10, .trunk = trunk};
	struct eth_vlan_cfg tr = {.mode = DP_VLAN_TRUNK, .native_vlan = 30, .trunk = trunk};

	(void)state;
	trunk[20 >> 3] |= 1 << (20 & 7);
	assert_int_equal(eth_egress_tagging(&acc, 10), 0);
	assert_int_equal(eth_egress_tagging(&acc, 20), -1);
	assert_int_equal(eth_egress_tagging(&tr, 20), 1);
	assert_int_equal(eth_egress_tagging(&tr, 30), 0); /* native goes out untagged */
	assert_int_equal(eth_egress_tagging(&tr, 40), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untagged),	cmocka_unit_test(test_tagged),
		cmocka_unit_test(test_runts),		cmocka_unit_test(test_vid_4095),
		cmocka_unit_test(test_jumbo),		cmocka_unit_test(test_bad_src),
		cmocka_unit_test(test_classify_access), cmocka_unit_test(test_classify_trunk),
		cmocka_unit_test(test_egress_tagging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
