/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of common/vsw_util.c: the name, MAC and VLAN-list parsers that the control
 * socket and the tools share. Each accepted and each refused spelling is pinned here, so
 * a change in what the protocol accepts shows up as a failing test, not a surprise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vsw_util.h"

static void test_name(void **state)
{
	(void)state;
	assert_true(vsw_name_valid("br0"));
	assert_true(vsw_name_valid("a"));
	assert_true(vsw_name_valid("A-Z_a.z-09"));
	assert_true(vsw_name_valid("0123456789012345678901234567890"));	  /* 31 */
	assert_false(vsw_name_valid("01234567890123456789012345678901")); /* 32 */
	assert_false(vsw_name_valid(""));
	assert_false(vsw_name_valid(NULL));
	assert_false(vsw_name_valid("a b"));
	assert_false(vsw_name_valid("a/b"));
	assert_false(vsw_name_valid("a:b"));
	assert_false(vsw_name_valid("caf\xc3\xa9"));
	assert_false(vsw_name_valid("tab\t"));
}

static void test_mac_parse(void **state)
{
	uint8_t mac[6], want[6] = {0x02, 0x00, 0xab, 0xCD, 0xef, 0x10};

	(void)state;
	assert_int_equal(vsw_mac_parse("02:00:ab:cd:ef:10", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(vsw_mac_parse("02-00-AB-CD-EF-10", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(vsw_mac_parse("ff:ff:ff:ff:ff:ff", mac), 0);
	assert_int_equal(mac[0], 0xff);

	memset(mac, 0x55, sizeof(mac));
	assert_int_equal(vsw_mac_parse("02:00:ab:cd:ef", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("02:00:ab:cd:ef:10:", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("02:00:ab:cd:ef:1", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("2:00:ab:cd:ef:10", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("02:00-ab:cd:ef:10", mac), -EINVAL); /* mixed */
	assert_int_equal(vsw_mac_parse("02.00.ab.cd.ef.10", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("0g:00:ab:cd:ef:10", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("0200abcdef10", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse("", mac), -EINVAL);
	assert_int_equal(vsw_mac_parse(NULL, mac), -EINVAL);
	/* a refused string leaves the output alone */
	for (int i = 0; i < 6; i++)
		assert_int_equal(mac[i], 0x55);
}

static void test_mac_format(void **state)
{
	uint8_t mac[6] = {0x02, 0x00, 0xab, 0xcd, 0xef, 0x01}, back[6];
	char buf[18];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	vsw_mac_format(mac, buf);
	assert_string_equal(buf, "02:00:ab:cd:ef:01");
	assert_int_equal(vsw_mac_parse(buf, back), 0);
	assert_memory_equal(back, mac, 6);
}

static unsigned int count_bits(const uint8_t bm[512])
{
	unsigned int n = 0;

	for (unsigned int v = 0; v < 4096; v++)
		n += vsw_vlan_bit(bm, v);
	return n;
}

static void test_vlan_parse(void **state)
{
	uint8_t bm[512];
	char err[128];

	(void)state;
	assert_int_equal(vsw_vlan_list_parse("10", bm, err, sizeof(err)), 0);
	assert_true(vsw_vlan_bit(bm, 10));
	assert_int_equal(count_bits(bm), 1);

	assert_int_equal(vsw_vlan_list_parse("10,20-30,4094", bm, err, sizeof(err)), 0);
	assert_int_equal(count_bits(bm), 1 + 11 + 1);
	assert_true(vsw_vlan_bit(bm, 20));
	assert_true(vsw_vlan_bit(bm, 30));
	assert_false(vsw_vlan_bit(bm, 31));
	assert_true(vsw_vlan_bit(bm, 4094));

	/* spaces around items, overlaps, a one-element range */
	assert_int_equal(vsw_vlan_list_parse(" 1 - 3 , 2-5, 7-7 ", bm, err, sizeof(err)), 0);
	assert_int_equal(count_bits(bm), 6);
	assert_false(vsw_vlan_bit(bm, 6));

	assert_int_equal(vsw_vlan_list_parse("1-4094", bm, err, sizeof(err)), 0);
	assert_int_equal(count_bits(bm), 4094);
	assert_false(vsw_vlan_bit(bm, 0));
	assert_false(vsw_vlan_bit(bm, 4095));
}

static void test_vlan_parse_errors(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"", "empty"},
		{"   ", "empty"},
		{"0", "VLAN 0 out of range"},
		{"4095", "VLAN 4095 out of range"},
		{"40940", "VLAN 40940 out of range"},
		{"123456", "offset 0"},
		{"1-4095", "VLAN 4095 out of range"},
		{"30-20", "backwards"},
		{"10,", "offset 3"},
		{",10", "offset 0"},
		{"10,,20", "offset 3"},
		{"10-", "range"},
		{"-10", "offset 0"},
		{"10 20", "','"},
		{"10;20", "','"},
		{"1-2-3", "','"},
		{"abc", "offset 0"},
		{"+5", "offset 0"},
	};
	uint8_t bm[512];
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(bm, 0xa5, sizeof(bm));
		err[0] = '\0';
		assert_int_equal(vsw_vlan_list_parse(bad[i].in, bm, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("\"%s\": error \"%s\" lacks \"%s\"", bad[i].in, err, bad[i].why);
		/* nothing written on failure */
		for (size_t b = 0; b < sizeof(bm); b++)
			assert_int_equal(bm[b], 0xa5);
	}
	/* err may be absent */
	assert_int_equal(vsw_vlan_list_parse("0", bm, NULL, 0), -EINVAL);
	assert_int_equal(vsw_vlan_list_parse(NULL, bm, err, sizeof(err)), -EINVAL);
}

static void test_vlan_format(void **state)
{
	uint8_t bm[512] = {0}, back[512];
	char buf[64], err[128];

	(void)state;
	assert_int_equal(vsw_vlan_list_format(bm, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	vsw_vlan_bit_set(bm, 1);
	vsw_vlan_bit_set(bm, 3);
	vsw_vlan_bit_set(bm, 4);
	for (unsigned int v = 100; v <= 200; v++)
		vsw_vlan_bit_set(bm, v);
	vsw_vlan_bit_set(bm, 4094);
	assert_int_equal(vsw_vlan_list_format(bm, buf, sizeof(buf)), strlen("1,3-4,100-200,4094"));
	assert_string_equal(buf, "1,3-4,100-200,4094");
	assert_int_equal(vsw_vlan_list_parse(buf, back, err, sizeof(err)), 0);
	assert_memory_equal(back, bm, sizeof(bm));

	/* truncation stops at an item boundary, never inside a number */
	assert_int_equal(vsw_vlan_list_format(bm, buf, 10), strlen("1,3-4"));
	assert_string_equal(buf, "1,3-4");
	assert_int_equal(vsw_vlan_list_format(bm, buf, 2), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(vsw_vlan_list_format(bm, buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(vsw_vlan_list_format(bm, buf, 0), 0);
}

static void test_vlan_round_trip_worst(void **state)
{
	static char buf[16384];
	uint8_t bm[512] = {0}, back[512];
	char err[128];
	size_t len;

	(void)state;
	/* every other VLAN: the longest list there is */
	for (unsigned int v = 1; v <= 4094; v += 2)
		vsw_vlan_bit_set(bm, v);
	len = vsw_vlan_list_format(bm, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_int_equal(vsw_vlan_list_parse(buf, back, err, sizeof(err)), 0);
	assert_memory_equal(back, bm, sizeof(bm));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_format),
		cmocka_unit_test(test_vlan_parse),
		cmocka_unit_test(test_vlan_parse_errors),
		cmocka_unit_test(test_vlan_format),
		cmocka_unit_test(test_vlan_round_trip_worst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
