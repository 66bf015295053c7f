/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of config/: the topology loader, validator and writer. The heart is a table
 * of bad files, each with the exact error lines `vswctl check` prints for it, so every
 * message (place, field path, wording, what was expected) is pinned and all errors of a
 * file must come out at once. Then: the shipped examples load, every model survives
 * load -> write -> load unchanged, models built in memory validate, alias bombs and
 * error floods are bounded, and every allocation failure is survived without a leak.
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc to fail allocations on purpose.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "topology.h"

#ifndef EXAMPLES_DIR
#error "EXAMPLES_DIR must name config/examples"
#endif

/* ---- allocation failure injection: fail_at = n fails the nth allocation from now ---- */

static long alloc_count, fail_at = -1;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static bool alloc_fails(void)
{
	return fail_at >= 0 && alloc_count++ == fail_at;
}

void *__wrap_malloc(size_t size)
{
	return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return alloc_fails() ? NULL : __real_realloc(p, size);
}

/* ---- helpers ---- */

/* Load buf as "t.yaml"; return what vswctl check would print on stderr (malloc'd). */
static char *load_errors(const char *yaml, struct topo **out)
{
	struct topo_errors errs;
	struct topo *t;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	topo_errors_init(&errs);
	t = topo_load_buf("t.yaml", yaml, strlen(yaml), &errs);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	topo_errors_print(&errs, f);
	fclose(f);
	if (t != NULL)
		assert_int_equal(errs.n, 0);
	else
		assert_true(errs.n > 0);
	topo_errors_clear(&errs);
	if (out != NULL)
		*out = t;
	else
		topo_free(t);
	return text;
}

static struct topo *load_ok(const char *yaml)
{
	struct topo *t;
	char *errs = load_errors(yaml, &t);

	if (t == NULL)
		fail_msg("unexpected errors:\n%s", errs);
	free(errs);
	return t;
}

static struct topo *roundtrip(const struct topo *t)
{
	struct topo_errors errs;
	struct topo *t2;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(topo_write_yaml(t, f), 0);
	fclose(f);
	topo_errors_init(&errs);
	t2 = topo_load_buf("written", text, size, &errs);
	if (t2 == NULL) {
		topo_errors_print(&errs, stderr);
		fail_msg("written YAML does not load:\n%s", text);
	}
	if (!topo_equal(t, t2))
		fail_msg("written YAML loads as a different model:\n%s", text);
	topo_errors_clear(&errs);
	free(text);
	return t2;
}

/* ---- the table of bad files ---- */

struct bad_file {
	const char *name;
	const char *yaml;
	const char *errors; /* exactly as printed */
};

static const struct
	bad_file
		bad_files
			[] =
				{
					{"syntax_unclosed_flow",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: ring\n"
					 "  b: x\n",
					 "t.yaml:4:4: error: YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping at line 3, column 6)\n"},
					{"syntax_tab",
					 "version: 1\n"
					 "ports:\n"
					 "\tvm1: {type: ring}\n",
					 "t.yaml:3:1: error: YAML syntax: found character that cannot start any token (while scanning for the next token at line 3, column 1)\n"},
					{"empty_file", "",
					 "t.yaml:1:1: error: the file is empty (expected a mapping with version: 1)\n"},
					{"not_a_mapping", "- version: 1\n",
					 "t.yaml:1:1: error: got a list (expected a mapping with version: 1, ports, bridges, overlay, flows)\n"},
					{"missing_version", "ports: {a: {type: ring}}\n",
					 "t.yaml:1:1: error: missing \"version\" (expected version: 1)\n"},
					{"unsupported_version",
					 "version: 2\n"
					 "ports: 5\n",
					 "t.yaml:1:10: error: version: 2 is not supported by this vsw (expected 1)\n"},
					{"version_quoted", "version: \"1\"\n",
					 "t.yaml:1:10: error: version: got \"1\" (expected 1)\n"},
					{"two_documents",
					 "version: 1\n"
					 "---\n"
					 "version: 1\n",
					 "t.yaml:2:1: error: a second YAML document (expected one document per file)\n"},
					{"unknown_top_key",
					 "version: 1\n"
					 "bridge: {}\n",
					 "t.yaml:2:1: error: bridge: unknown key \"bridge\" (expected one of: version, dataplane, ports, bridges, overlay, flows)\n"},
					{"duplicate_top_key",
					 "version: 1\n"
					 "ports: {}\n"
					 "ports: {}\n",
					 "t.yaml:3:1: error: ports: duplicate key \"ports\", first at line 2, column 1 (expected each key once)\n"},
					{"duplicate_port",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: ring}\n"
					 "  a: {type: null}\n",
					 "t.yaml:4:3: error: ports.a: duplicate key \"a\", first at line 3, column 3 (expected each key once)\n"},
					{"bad_port_name",
					 "version: 1\n"
					 "ports:\n"
					 "  \"a b\": {type: ring}\n",
					 "t.yaml:3:3: error: ports.a b: \"a b\" is not a valid port name (expected 1..31 characters of A-Z a-z 0-9 _ . -)\n"},
					{"port_not_mapping",
					 "version: 1\n"
					 "ports:\n"
					 "  a: ring\n",
					 "t.yaml:3:6: error: ports.a: got \"ring\" (expected a mapping with type: and the type's options)\n"},
					{"port_missing_type",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {iface: x}\n",
					 "t.yaml:3:3: error: ports.a: missing \"type\" (expected one of: pcap, null, ring, af_packet, tap, vhost-user)\n"},
					{"port_unknown_type",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: nul}\n",
					 "t.yaml:3:13: error: ports.a.type: unknown port type \"nul\" (expected one of: pcap, null, ring, af_packet, tap, vhost-user)\n"},
					{"port_unknown_option",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: af_packet, iface: eth9, queues: 2}\n",
					 "t.yaml:3:37: error: ports.a.queues: unknown key \"queues\" (expected one of: type, storm_pps, storm_burst, max_macs, iface, qpairs)\n"},
					{"port_missing_required",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: vhost-user}\n",
					 "t.yaml:3:3: error: ports.a: missing \"socket\" (expected a socket path)\n"},
					{"port_bad_mode",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: vhost-user, socket: /s, mode: clinet}\n",
					 "t.yaml:3:43: error: ports.a.mode: got \"clinet\" (expected server or client)\n"},
					{"port_option_range",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: null, size: 10}\n",
					 "t.yaml:3:25: error: ports.a.size: 10 is out of range (expected an integer 14..9216)\n"},
					{"port_bool_type",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: null, rx: yes}\n",
					 "t.yaml:3:23: error: ports.a.rx: got \"yes\" (expected true or false)\n"},
					{"port_iface_too_long",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: tap, iface: abcdefghijklmnop}\n",
					 "t.yaml:3:25: error: ports.a.iface: \"abcdefghijklmnop\" is too long for an interface name (expected at most 15 characters)\n"},
					{"port_iface_slash",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: af_packet, iface: a/b}\n",
					 "t.yaml:3:31: error: ports.a.iface: \"a/b\" is not an interface name (expected an interface name without '/' or spaces)\n"},
					{"port_comma_path",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: pcap, tx_pcap: \"/tmp/a,b.pcap\"}\n",
					 "t.yaml:3:28: error: ports.a.tx_pcap: \"/tmp/a,b.pcap\" holds a character the dataplane cannot pass on (expected no ',', '=' or control characters)\n"},
					{"port_storm_negative",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: ring, storm_pps: -1}\n",
					 "t.yaml:3:30: error: ports.a.storm_pps: -1 is out of range (expected an integer 0..100000000)\n"},
					{"port_max_macs_range",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: ring, max_macs: 4194305}\n",
					 "t.yaml:3:29: error: ports.a.max_macs: 4194305 is out of range (expected an integer 0..4194304)\n"},
					{"pcap_two_rx",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: pcap, rx_pcap: /a.pcap, rx_iface: eth0}\n",
					 "t.yaml:3:3: error: ports.a: more than one receive source (expected one of rx_pcap, rx_iface, rx_iface_in)\n"},
					{"pcap_infinite_without_file",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: pcap, rx_iface: eth0, infinite_rx: true}\n",
					 "t.yaml:3:3: error: ports.a: infinite_rx without rx_pcap (expected rx_pcap with infinite_rx)\n"},
					{"shared_socket",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: vhost-user, socket: /s}\n"
					 "  b: {type: vhost-user, socket: /s}\n",
					 "t.yaml:4:33: error: ports.b.socket: socket \"/s\" is already used by port \"a\" (expected each port its own)\n"},
					{"shared_iface",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: af_packet, iface: veth0}\n"
					 "  b: {type: af_packet, iface: veth0}\n",
					 "t.yaml:4:31: error: ports.b.iface: interface \"veth0\" is already used by port \"a\" (expected each port its own)\n"},
					{"shared_tap_default_name",
					 "version: 1\n"
					 "ports:\n"
					 "  t1: {type: tap}\n"
					 "  t2: {type: tap, iface: t1}\n",
					 "t.yaml:4:26: error: ports.t2.iface: interface \"t1\" is already used by port \"t1\" (expected each port its own)\n"},
					{"bridge_dangling_port",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  tenant-a:\n"
					 "    ports: {vm1: {vlan: 10}, vm9: {vlan: 10}}\n",
					 "t.yaml:8:30: error: bridges.tenant-a.ports.vm9: no port named \"vm9\" (expected one of the defined ports: vm1, vm2, uplink)\n"},
					{"bridge_port_in_two",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {}}}\n"
					 "  b: {ports: {vm1: {}}}\n",
					 "t.yaml:8:15: error: bridges.b.ports.vm1: port \"vm1\" is already in bridge \"a\" at line 7 (expected each port in at most one bridge)\n"},
					{"bridge_vlan_range",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {vlan: 4095}, vm2: {vlan: 0}}}\n",
					 "t.yaml:7:27: error: bridges.a.ports.vm1.vlan: 4095 is out of range (expected an integer 1..4094)\n"
					 "t.yaml:7:46: error: bridges.a.ports.vm2.vlan: 0 is out of range (expected an integer 1..4094)\n"},
					{"bridge_vlan_string",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {vlan: \"10\"}}}\n",
					 "t.yaml:7:27: error: bridges.a.ports.vm1.vlan: got \"10\" (expected an integer 1..4094)\n"},
					{"bridge_vlan_and_trunk",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {vlan: 10, trunk: [20]}}}\n",
					 "t.yaml:7:15: error: bridges.a.ports.vm1: both vlan and trunk given (expected vlan: for an access port or trunk: for a trunk port)\n"},
					{"bridge_native_alone",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {native: 10}}}\n",
					 "t.yaml:7:15: error: bridges.a.ports.vm1: native without trunk (expected native only with trunk)\n"},
					{"trunk_overlap",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {trunk: [10, \"5-15\"]}}}\n",
					 "t.yaml:7:33: error: bridges.a.ports.vm1.trunk[1]: VLAN 10 is listed twice (expected each VLAN once)\n"},
					{"trunk_overlap_in_string",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {trunk: \"10-20,15\"}}}\n",
					 "t.yaml:7:28: error: bridges.a.ports.vm1.trunk: VLAN 15 is listed twice (expected each VLAN once)\n"},
					{"trunk_backwards",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {trunk: [\"40-30\"]}}}\n",
					 "t.yaml:7:29: error: bridges.a.ports.vm1.trunk[0]: \"40-30\": VLAN range 40-30 is backwards (expected lo <= hi)\n"},
					{"trunk_empty",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {ports: {vm1: {trunk: []}}}\n",
					 "t.yaml:7:28: error: bridges.a.ports.vm1.trunk: empty trunk list (expected at least one VLAN)\n"},
					{"bridge_unknown_key",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {aging: 30}\n",
					 "t.yaml:7:7: error: bridges.a.aging: unknown key \"aging\" (expected one of: vni, vni_vlan, remote_max_macs, mtu, remotes, mac_aging_s, max_macs, move_damp, move_damp_s, ports, static_macs, record)\n"},
					{"bridge_ranges",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {mac_aging_s: 0, max_macs: 4194305, move_damp: 1001, move_damp_s: 0, vni: 16777216}\n",
					 "t.yaml:7:20: error: bridges.a.mac_aging_s: 0 is out of range (expected an integer 1..1000000)\n"
					 "t.yaml:7:33: error: bridges.a.max_macs: 4194305 is out of range (expected an integer 1..4194304)\n"
					 "t.yaml:7:53: error: bridges.a.move_damp: 1001 is out of range (expected an integer 0..1000)\n"
					 "t.yaml:7:72: error: bridges.a.move_damp_s: 0 is out of range (expected an integer 1..255)\n"
					 "t.yaml:7:80: error: bridges.a.vni: 16777216 is out of range (expected an integer 1..16777215)\n"},
					{"bridge_dup_vni",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni: 10}\n"
					 "  b: {vni: 10}\n"
					 "overlay: {vtep: {local_ip: 198.18.0.1, port: uplink}}\n",
					 "t.yaml:8:12: error: bridges.b.vni: VNI 10 is already bridge \"a\"'s (expected each VNI in one bridge)\n"},
					{"vni_without_overlay",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni: 10}\n",
					 "t.yaml:7:12: error: bridges.a.vni: VNI 10 but no overlay is defined (expected an overlay: section with the VTEP)\n"},
					{"static_mac_bad",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a:\n"
					 "    ports: {vm1: {vlan: 10}}\n"
					 "    static_macs:\n"
					 "      - {mac: \"02:00:00:00:00:0g\", port: vm1, vlan: 10}\n"
					 "      - {mac: \"01:00:5e:00:00:01\", port: vm1, vlan: 10}\n"
					 "      - {mac: \"00:00:00:00:00:00\", port: vm1, vlan: 10}\n",
					 "t.yaml:10:15: error: bridges.a.static_macs[0].mac: \"02:00:00:00:00:0g\" is not a MAC address (expected a MAC address xx:xx:xx:xx:xx:xx)\n"
					 "t.yaml:11:15: error: bridges.a.static_macs[1].mac: \"01:00:5e:00:00:01\" is a multicast address (expected a unicast MAC)\n"
					 "t.yaml:12:15: error: bridges.a.static_macs[2].mac: \"00:00:00:00:00:00\" is the zero address (expected a unicast MAC)\n"},
					{"static_mac_refs",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a:\n"
					 "    ports: {vm1: {vlan: 10}, vm2: {trunk: [20]}}\n"
					 "    static_macs:\n"
					 "      - {mac: \"02:00:00:00:00:01\", port: uplink}\n"
					 "      - {mac: \"02:00:00:00:00:02\", port: vm1}\n"
					 "      - {mac: \"02:00:00:00:00:03\", port: vm2, vlan: 20}\n"
					 "      - {mac: \"02:00:00:00:00:03\", port: vm2, vlan: 20}\n"
					 "      - {port: vm1}\n",
					 "t.yaml:10:42: error: bridges.a.static_macs[0].port: port \"uplink\" is not in bridge \"a\" (expected one of the ports of bridge a: vm1, vm2)\n"
					 "t.yaml:11:9: error: bridges.a.static_macs[1].vlan: port \"vm1\" does not carry VLAN 1 (expected vlan: 10, the port's access VLAN)\n"
					 "t.yaml:13:9: error: bridges.a.static_macs[3].mac: 02:00:00:00:00:03 on VLAN 20 is already static_macs[2] at line 12 (expected each (mac, vlan) once)\n"
					 "t.yaml:14:9: error: bridges.a.static_macs[4]: missing \"mac\" (expected a MAC address xx:xx:xx:xx:xx:xx)\n"},
					{"overlay_refs",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni: 5001, ports: {uplink: {}}}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink}\n"
					 "  remotes: [198.18.0.2, 198.18.0.2, \"2001:db8::1\", 198.18.0.1]\n",
					 "t.yaml:7:26: error: bridges.a.ports.uplink: port \"uplink\" is the overlay's underlay port, overlay.vtep.port (expected the underlay port outside every bridge)\n"
					 "t.yaml:10:25: error: overlay.remotes[1]: 198.18.0.2 is already overlay.remotes[0] (expected each remote once)\n"
					 "t.yaml:10:37: error: overlay.remotes[2]: 2001:db8::1 is not of local_ip's family (expected an IPv4 address, as local_ip)\n"
					 "t.yaml:10:52: error: overlay.remotes[3]: 198.18.0.1 is local_ip itself (expected another VTEP's address)\n"},
					{"overlay_values",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1/24, port: nope, udp_port: 0}\n"
					 "  remotes: [198.18.0.256]\n",
					 "t.yaml:7:20: error: overlay.vtep.local_ip: \"198.18.0.1/24\" has a prefix (expected a host address without /prefix)\n"
					 "t.yaml:7:41: error: overlay.vtep.port: no port named \"nope\" (expected one of the defined ports: vm1, vm2, uplink)\n"
					 "t.yaml:7:57: error: overlay.vtep.udp_port: 0 is out of range (expected an integer 1..65535)\n"
					 "t.yaml:8:13: error: overlay.remotes[0]: \"198.18.0.256\" is not an IP address (expected an IPv4 or IPv6 address)\n"},
					{"overlay_missing_vtep",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "overlay:\n"
					 "  remotes: []\n",
					 "t.yaml:7:3: error: overlay: missing \"vtep\" (expected vtep: {local_ip, port})\n"},
					{"vtep_missing_fields",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "overlay:\n"
					 "  vtep: {udp_port: 4789}\n",
					 "t.yaml:7:9: error: overlay.vtep: missing \"local_ip\" (expected the VTEP's own IP address)\n"
					 "t.yaml:7:9: error: overlay.vtep: missing \"port\" (expected the underlay port's name)\n"},
					{"overlay_mtu_too_big",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni: 5001, mtu: 1500, ports: {vm1: {}}}\n"
					 "  b: {vni: 5002, mtu: 1450}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink}\n",
					 "t.yaml:6:23: error: bridges.a.mtu: overlay MTU 1500 + 50 bytes of VXLAN headers exceeds the underlay MTU 1500 (overlay.vtep.mtu, the default) (expected mtu at most 1450, or overlay.vtep.mtu of at least 1550)\n"},
					{"overlay_mtu_small_underlay",
					 "version: 1\n"
					 "ports:\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni: 5001, mtu: 9000}\n"
					 "  b: {vni: 5002}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink, mtu: 9000}\n",
					 "t.yaml:5:23: error: bridges.a.mtu: overlay MTU 9000 + 50 bytes of VXLAN headers exceeds the underlay MTU 9000 (overlay.vtep.mtu) (expected mtu at most 8950, or overlay.vtep.mtu of at least 9050)\n"},
					{"overlay_bridge_fields",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  a: {vni_vlan: 10, mtu: 1400, remotes: [198.18.0.2], remote_max_macs: 5}\n"
					 "  b:\n"
					 "    vni: 5002\n"
					 "    vni_vlan: 10\n"
					 "    remotes: [198.18.0.2, 198.18.0.2, 198.18.0.1]\n"
					 "    ports: {vm1: {vlan: 10}}\n"
					 "    static_macs:\n"
					 "      - {mac: \"02:00:00:00:00:01\", remote: 198.18.0.3, vlan: 10}\n"
					 "      - {mac: \"02:00:00:00:00:02\", remote: 198.18.0.2}\n"
					 "      - {mac: \"02:00:00:00:00:03\", remote: 198.18.0.2, port: vm1}\n"
					 "      - {mac: \"02:00:00:00:00:04\"}\n"
					 "  c: {vni_vlan: 0x1000, mtu: 67}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink}\n",
					 "t.yaml:6:3: error: bridges.a.remote_max_macs: an overlay setting on a bridge without a vni (expected a vni: the bridge is not on the overlay)\n"
					 "t.yaml:6:17: error: bridges.a.vni_vlan: an overlay setting on a bridge without a vni (expected a vni: the bridge is not on the overlay)\n"
					 "t.yaml:6:26: error: bridges.a.mtu: an overlay setting on a bridge without a vni (expected a vni: the bridge is not on the overlay)\n"
					 "t.yaml:6:41: error: bridges.a.remotes: an overlay setting on a bridge without a vni (expected a vni: the bridge is not on the overlay)\n"
					 "t.yaml:10:27: error: bridges.b.remotes[1]: 198.18.0.2 is already bridges.b.remotes[0] (expected each remote once)\n"
					 "t.yaml:10:39: error: bridges.b.remotes[2]: 198.18.0.1 is local_ip itself (expected another VTEP's address)\n"
					 "t.yaml:13:44: error: bridges.b.static_macs[0].remote: 198.18.0.3 is not a remote VTEP of bridge \"b\" (expected one of the bridge's remotes)\n"
					 "t.yaml:14:9: error: bridges.b.static_macs[1].vlan: VNI 5002 carries VLAN 10 only, not 1 (expected vlan: 10, the bridge's vni_vlan)\n"
					 "t.yaml:15:9: error: bridges.b.static_macs[2]: both port and remote given (expected port: for a local MAC or remote: for one behind a VTEP)\n"
					 "t.yaml:16:9: error: bridges.b.static_macs[3]: missing \"port\" (expected the port the MAC is behind, or remote: the remote VTEP)\n"
					 "t.yaml:17:17: error: bridges.c.vni_vlan: 0x1000 is out of range (expected an integer 1..4094)\n"
					 "t.yaml:17:30: error: bridges.c.mtu: 67 is out of range (expected an integer 68..9166)\n"},
					{"vtep_values",
					 "version: 1\n"
					 "ports:\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink, prefix_len: 33, ttl: 0, mtu: 575,\n"
					 "         gateway: 198.51.100.1, name: \"a b\"}\n"
					 "  neighbours:\n"
					 "    - {ip: 198.18.0.2, mac: \"02:00:00:00:00:01\"}\n"
					 "    - {ip: 198.18.0.2, mac: \"02:00:00:00:00:02\"}\n"
					 "    - {ip: \"2001:db8::1\", mac: \"01:00:00:00:00:01\"}\n"
					 "    - {mac: \"02:00:00:00:00:03\"}\n",
					 "t.yaml:5:58: error: overlay.vtep.prefix_len: 33 is longer than an address (expected 1..32 for an IPv4 local_ip)\n"
					 "t.yaml:5:67: error: overlay.vtep.ttl: 0 is out of range (expected an integer 1..255)\n"
					 "t.yaml:5:75: error: overlay.vtep.mtu: 575 is out of range (expected an integer 576..9216)\n"
					 "t.yaml:6:39: error: overlay.vtep.name: \"a b\" is not a valid VTEP name (expected 1..31 characters of A-Z a-z 0-9 _ . -)\n"
					 "t.yaml:9:7: error: overlay.neighbours[1].ip: 198.18.0.2 is already overlay.neighbours[0] (expected each next hop once)\n"
					 "t.yaml:10:32: error: overlay.neighbours[2].mac: \"01:00:00:00:00:01\" is a multicast address (expected a unicast MAC)\n"
					 "t.yaml:11:7: error: overlay.neighbours[3]: missing \"ip\" (expected the next hop's underlay address)\n"},
					{"vtep_gateway",
					 "version: 1\n"
					 "ports:\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "overlay:\n"
					 "  vtep: {local_ip: 198.18.0.1, port: uplink, gateway: 198.51.100.1}\n",
					 "t.yaml:5:55: error: overlay.vtep.gateway: 198.51.100.1 is not on the underlay subnet (local_ip/prefix_len 24) (expected an address on local_ip's subnet)\n"},
					{"flow_dangling",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}, vm2: {}}}\n"
					 "flows:\n"
					 "  - {bridge: nobr, actions: [drop]}\n"
					 "  - {bridge: br, match: {in_port: uplink}, actions: [output:uplink, mirror:ghost]}\n",
					 "t.yaml:9:14: error: flows[0].bridge: no bridge named \"nobr\" (expected one of the defined bridges: br)\n"
					 "t.yaml:10:35: error: flows[1].match.in_port: port \"uplink\" is not in bridge \"br\" (expected one of the ports of bridge br: vm1, vm2)\n"
					 "t.yaml:10:54: error: flows[1].actions[0]: output port \"uplink\" is not in bridge \"br\" (expected one of the ports of bridge br: vm1, vm2)\n"
					 "t.yaml:10:69: error: flows[1].actions[1]: mirror after the verdict output (expected the verdict (drop, output, flood, normal) last)\n"
					 "t.yaml:10:69: error: flows[1].actions[1]: no port named \"ghost\" (expected one of the defined ports: vm1, vm2, uplink)\n"},
					{"flow_prereqs",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}}}\n"
					 "flows:\n"
					 "  - bridge: br\n"
					 "    match: {ip_src: 198.18.0.0/15, ip_proto: udp, udp_dst: 53}\n"
					 "    actions: [drop]\n"
					 "  - bridge: br\n"
					 "    match: {eth_type: ipv4, ip_proto: icmp, l4_dst: 1}\n"
					 "    actions: [drop]\n"
					 "  - bridge: br\n"
					 "    match: {eth_type: ipv4, ip_proto: udp, tcp_dst: 80}\n"
					 "    actions: [drop]\n"
					 "  - bridge: br\n"
					 "    match: {eth_type: ipv6, ip_dst: 198.18.0.1}\n"
					 "    actions: [drop]\n",
					 "t.yaml:10:21: error: flows[0].match.ip_src: ip_src without an IP eth_type (expected eth_type: ipv4 or ipv6 in the same match)\n"
					 "t.yaml:10:46: error: flows[0].match.ip_proto: ip_proto without an IP eth_type (expected eth_type: ipv4 or ipv6 in the same match)\n"
					 "t.yaml:13:53: error: flows[1].match.l4_dst: an L4 port without a protocol that has ports (expected ip_proto: tcp, udp or sctp in the same match)\n"
					 "t.yaml:16:53: error: flows[2].match.tcp_dst: tcp_dst with ip_proto 17 matches nothing (expected ip_proto: tcp, or l4_dst)\n"
					 "t.yaml:19:37: error: flows[3].match.ip_dst: an IPv4 address with eth_type ipv6 (expected an IPv6 address, as eth_type is ipv6)\n"},
					{"flow_values",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}}}\n"
					 "flows:\n"
					 "  - bridge: br\n"
					 "    priority: 65536\n"
					 "    match: {vlan: 4095, eth_type: 0x0500, ip_proto: 256, eth_dst: \"ff:ff:ff:ff:ff:ff/00:ff:00:00:00:00\", vni: 0, bogus: 1}\n"
					 "    actions: [drop]\n"
					 "  - bridge: br\n"
					 "    match: {eth_type: ipv4, ip_dst: 198.18.0.1/24, ip_src: 198.18.0.0/33}\n"
					 "    actions: [drop]\n",
					 "t.yaml:10:15: error: flows[0].priority: 65536 is out of range (expected an integer 0..65535)\n"
					 "t.yaml:11:19: error: flows[0].match.vlan: 4095 is out of range (expected an integer 1..4094)\n"
					 "t.yaml:11:35: error: flows[0].match.eth_type: 0x0500 is out of range (expected ipv4, ipv6, arp, vlan or a number 0x0600..0xffff)\n"
					 "t.yaml:11:53: error: flows[0].match.ip_proto: 256 is out of range (expected tcp, udp, icmp, icmpv6, sctp or a number 0..255)\n"
					 "t.yaml:11:67: error: flows[0].match.eth_dst: \"ff:ff:ff:ff:ff:ff/00:ff:00:00:00:00\" has bits set outside its mask (expected no bits outside the mask)\n"
					 "t.yaml:11:111: error: flows[0].match.vni: 0 is out of range (expected an integer 1..16777215)\n"
					 "t.yaml:11:114: error: flows[0].match.bogus: unknown key \"bogus\" (expected one of: in_port, vlan, eth_src, eth_dst, eth_type, ip_src, ip_dst, ip_proto, l4_src, l4_dst, tcp_src, tcp_dst, udp_src, udp_dst, sctp_src, sctp_dst, vni)\n"
					 "t.yaml:14:37: error: flows[1].match.ip_dst: \"198.18.0.1/24\" has host bits set beyond /24 (expected 198.18.0.0/24)\n"
					 "t.yaml:14:60: error: flows[1].match.ip_src: \"198.18.0.0/33\" has a bad prefix (expected a prefix length 0..32)\n"},
					{"flow_actions",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}, vm2: {}}}\n"
					 "flows:\n"
					 "  - {bridge: br, actions: [drop, count, normal]}\n"
					 "  - {bridge: br, priority: 1, actions: [push_vlan:5000, set_vlan, output, pop_vlan:3, teleport, count, count]}\n"
					 "  - {bridge: br, priority: 2, actions: []}\n"
					 "  - {bridge: br, priority: 3}\n",
					 "t.yaml:9:34: error: flows[0].actions[1]: count after the verdict drop (expected the verdict (drop, output, flood, normal) last)\n"
					 "t.yaml:9:41: error: flows[0].actions[2]: normal after drop: a flow has one verdict (expected one of drop, output, flood or normal, last in the list)\n"
					 "t.yaml:10:41: error: flows[1].actions[0]: push_vlan needs a VLAN id (expected push_vlan:N with N in 1..4094)\n"
					 "t.yaml:10:57: error: flows[1].actions[1]: set_vlan needs a VLAN id (expected set_vlan:N with N in 1..4094)\n"
					 "t.yaml:10:67: error: flows[1].actions[2]: output needs a port name (expected output:PORT)\n"
					 "t.yaml:10:75: error: flows[1].actions[3]: pop_vlan takes no argument (expected \"pop_vlan\" alone)\n"
					 "t.yaml:10:87: error: flows[1].actions[4]: unknown action \"teleport\" (expected drop, output:PORT, flood, normal, push_vlan:VLAN, pop_vlan, set_vlan:VLAN, mirror:PORT or count)\n"
					 "t.yaml:11:40: error: flows[2].actions: empty list (expected at least one action, e.g. [drop] or [normal])\n"
					 "t.yaml:12:5: error: flows[3]: missing \"actions\" (expected a list of actions, e.g. [drop])\n"},
					{"flow_duplicates",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}}}\n"
					 "flows:\n"
					 "  - {name: f1, bridge: br, priority: 5, match: {in_port: vm1}, actions: [drop]}\n"
					 "  - {name: f1, bridge: br, priority: 5, match: {in_port: vm1}, actions: [normal]}\n",
					 "t.yaml:10:5: error: flows[1].name: flow name \"f1\" is already flows[0]'s, at line 9 (expected each flow name once)\n"
					 "t.yaml:10:5: error: flows[1]: same bridge, priority and match as flows[0] at line 9 (expected a different priority or match)\n"},
					{"vni_match_without_vni",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}}}\n"
					 "flows:\n"
					 "  - {bridge: br, match: {vni: 5}, actions: [drop]}\n",
					 "t.yaml:9:31: error: flows[0].match.vni: bridge \"br\" is not on the overlay, so no frame of it has a VNI (expected vni only on a bridge with a vni)\n"},
					{"dataplane_values",
					 "version: 1\n"
					 "dataplane: {workers: [1, 1], memory_mb: 32, huge: maybe, idle_sleep_max_us: 1000001, cores: 2}\n",
					 "t.yaml:2:26: error: dataplane.workers[1]: cpu 1 is listed twice (expected each cpu once)\n"
					 "t.yaml:2:41: error: dataplane.memory_mb: 32 is out of range (expected an integer 64..1048576)\n"
					 "t.yaml:2:51: error: dataplane.huge: got \"maybe\" (expected auto, on or off)\n"
					 "t.yaml:2:77: error: dataplane.idle_sleep_max_us: 1000001 is out of range (expected an integer 0..1000000)\n"
					 "t.yaml:2:86: error: dataplane.cores: unknown key \"cores\" (expected one of: workers, control_cpu, memory_mb, mbufs, idle_sleep_max_us, huge)\n"},
					{"many_errors_at_once",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock, mode: server}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock, mode: client}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  tenant-a:\n"
					 "    vni: 5001\n"
					 "    ports: {vm1: {vlan: 10}, vm9: {vlan: 10}}\n"
					 "  tenant-b:\n"
					 "    ports: {vm1: {vlan: 4095}}\n",
					 "t.yaml:8:10: error: bridges.tenant-a.vni: VNI 5001 but no overlay is defined (expected an overlay: section with the VTEP)\n"
					 "t.yaml:9:30: error: bridges.tenant-a.ports.vm9: no port named \"vm9\" (expected one of the defined ports: vm1, vm2, uplink)\n"
					 "t.yaml:11:13: error: bridges.tenant-b.ports.vm1: port \"vm1\" is already in bridge \"tenant-a\" at line 9 (expected each port in at most one bridge)\n"
					 "t.yaml:11:25: error: bridges.tenant-b.ports.vm1.vlan: 4095 is out of range (expected an integer 1..4094)\n"},
					{"flow_count_twice",
					 "version: 1\n"
					 "ports:\n"
					 "  vm1: {type: vhost-user, socket: /run/vsw/vm1.sock}\n"
					 "  vm2: {type: vhost-user, socket: /run/vsw/vm2.sock}\n"
					 "  uplink: {type: af_packet, iface: veth-up}\n"
					 "bridges:\n"
					 "  br: {ports: {vm1: {}}}\n"
					 "flows:\n"
					 "  - {bridge: br, actions: [count, count, normal]}\n",
					 "t.yaml:9:35: error: flows[0].actions[1]: count is already actions[0] (expected count once)\n"},
					{"complex_key",
					 "version: 1\n"
					 "ports:\n"
					 "  ? [a]\n"
					 "  : {type: ring}\n",
					 "t.yaml:3:5: error: ports: got a list as a key (expected a plain name as key)\n"},
					{"nul_byte",
					 "version: 1\n"
					 "ports:\n"
					 "  a: {type: ring}\n"
					 "  b: {type: tap, iface: \"x\\0y\"}\n",
					 "t.yaml:4:25: error: ports.b.iface: holds a NUL character (expected an interface name)\n"},
					{"record_fields",
					 "version: 1\n"
					 "bridges:\n"
					 "  a:\n"
					 "    record: {file: rel/a.pcap, max_size_kb: -1, max_files: 1001, snaplen: 0,\n"
					 "             format: pcap-ng, filter: \"tcp port\", size: 3}\n"
					 "  b: {record: {max_files: 2}}\n"
					 "  c: {record: {file: /x/, filter: 80}}\n"
					 "  d: {record: ~}\n"
					 "  e: {record: [/e]}\n",
					 "t.yaml:4:20: error: bridges.a.record.file: \"rel/a.pcap\" is not an absolute path (expected an absolute path of at most 1023 bytes, e.g. /var/lib/vsw/br0.pcapng)\n"
					 "t.yaml:4:45: error: bridges.a.record.max_size_kb: -1 is out of range (expected an integer 0..1073741824)\n"
					 "t.yaml:4:60: error: bridges.a.record.max_files: 1001 is out of range (expected an integer 1..1000)\n"
					 "t.yaml:4:75: error: bridges.a.record.snaplen: 0 is out of range (expected an integer 1..262144)\n"
					 "t.yaml:5:22: error: bridges.a.record.format: got \"pcap-ng\" (expected pcapng or pcap)\n"
					 "t.yaml:5:39: error: bridges.a.record.filter: libpcap: can't parse filter expression: syntax error (expected a libpcap filter, e.g. \"not arp\" or \"udp port 4789\")\n"
					 "t.yaml:5:51: error: bridges.a.record.size: unknown key \"size\" (expected one of: file, max_size_kb, max_files, filter, snaplen, format)\n"
					 "t.yaml:6:15: error: bridges.b.record: missing \"file\" (expected the absolute path of the file to write)\n"
					 "t.yaml:6:27: error: bridges.b.record.max_files: max_files without rotation (max_size_kb is not given: one file, never rotated) (expected max_size_kb: N to rotate, or no max_files)\n"
					 "t.yaml:7:22: error: bridges.c.record.file: \"/x/\" ends with '/' (expected a file name, not a directory)\n"
					 "t.yaml:7:35: error: bridges.c.record.filter: libpcap: can't parse filter expression: syntax error (expected a libpcap filter, e.g. \"not arp\" or \"udp port 4789\")\n"
					 "t.yaml:8:15: error: bridges.d.record: missing \"file\" (expected the absolute path of the file to write)\n"
					 "t.yaml:9:15: error: bridges.e.record: got a list (expected a mapping {file, max_size_kb, max_files, filter, snaplen, format})\n"},
					{"record_shared_file",
					 "version: 1\n"
					 "bridges:\n"
					 "  a: {record: {file: /v/a.pcapng, max_size_kb: 10, max_files: 3}}\n"
					 "  b: {record: {file: /v/a.pcapng}}\n"
					 "  c: {record: {file: /v/a.pcapng.2}}\n"
					 "  d: {record: {file: /v/a.pcapng.3}}\n"
					 "  e: {record: {file: /v/e, max_size_kb: 1}}\n"
					 "  f: {record: {file: /v/e.7, max_size_kb: 1, max_files: 2}}\n",
					 "t.yaml:4:22: error: bridges.b.record.file: /v/a.pcapng is already written by bridge \"a\"'s recording (/v/a.pcapng, line 3) (expected a file of bridge b's own)\n"
					 "t.yaml:5:22: error: bridges.c.record.file: /v/a.pcapng.2 is already written by bridge \"a\"'s recording (/v/a.pcapng, line 3) (expected a file of bridge c's own)\n"
					 "t.yaml:8:22: error: bridges.f.record.file: /v/e.7 is already written by bridge \"e\"'s recording (/v/e, line 7) (expected a file of bridge f's own)\n"},
					{"queues_range",
					 "version: 1\n"
					 "ports:\n"
					 "  n: {type: null, queues: 0}\n"
					 "  t: {type: tap, queues: 17}\n"
					 "  r: {type: ring, queues: 2}\n",
					 "t.yaml:3:27: error: ports.n.queues: 0 is out of range (expected an integer 1..16)\n"
					 "t.yaml:4:26: error: ports.t.queues: 17 is out of range (expected an integer 1..16)\n"
					 "t.yaml:5:19: error: ports.r.queues: unknown key \"queues\" (expected one of: type, storm_pps, storm_burst, max_macs)\n"},
};
#define N_BAD (sizeof(bad_files) / sizeof(bad_files[0]))

/* An IPv6 underlay: each field of local_ip's family, IPv6 bounds, 70 bytes of headers. */
static const struct bad_file bad_files6[] = {
	{"overlay6_family",
	 "version: 1\n"
	 "ports:\n"
	 "  h: {type: null}\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "bridges:\n"
	 "  a:\n"
	 "    vni: 5001\n"
	 "    ports: {h: {}}\n"
	 "    remotes: [\"2001:2::2\", 198.18.0.2]\n"
	 "    static_macs:\n"
	 "      - {mac: \"02:00:00:00:00:01\", remote: 198.18.0.2}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: \"2001:2::1\", port: uplink, gateway: 198.18.0.254}\n"
	 "  remotes: [198.18.0.3]\n"
	 "  neighbours: [{ip: 198.18.0.3, mac: \"02:00:00:00:00:02\"}]\n",
	 "t.yaml:9:28: error: bridges.a.remotes[1]: 198.18.0.2 is not of local_ip's family (expected an IPv6 address, as local_ip)\n"
	 "t.yaml:11:44: error: bridges.a.static_macs[0].remote: 198.18.0.2 is not of local_ip's family (expected an IPv6 address, as local_ip)\n"
	 "t.yaml:13:56: error: overlay.vtep.gateway: 198.18.0.254 is not of local_ip's family (expected an IPv6 address, as local_ip)\n"
	 "t.yaml:14:13: error: overlay.remotes[0]: 198.18.0.3 is not of local_ip's family (expected an IPv6 address, as local_ip)\n"
	 "t.yaml:15:16: error: overlay.neighbours[0].ip: 198.18.0.3 is not of local_ip's family (expected an IPv6 address, as local_ip)\n"},
	{"overlay4_family",
	 "version: 1\n"
	 "ports:\n"
	 "  h: {type: null}\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "bridges:\n"
	 "  a:\n"
	 "    vni: 5001\n"
	 "    ports: {h: {}}\n"
	 "    static_macs:\n"
	 "      - {mac: \"02:00:00:00:00:01\", remote: \"2001:2::2\"}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: 198.18.0.1, port: uplink, gateway: \"2001:2::fe\"}\n"
	 "  remotes: [198.18.0.2, 0.0.0.0, 224.0.0.1, 127.0.0.1]\n"
	 "  neighbours: [{ip: \"2001:2::fe\", mac: \"02:00:00:00:00:02\"}]\n",
	 "t.yaml:10:44: error: bridges.a.static_macs[0].remote: 2001:2::2 is not of local_ip's family (expected an IPv4 address, as local_ip)\n"
	 "t.yaml:12:55: error: overlay.vtep.gateway: 2001:2::fe is not of local_ip's family (expected an IPv4 address, as local_ip)\n"
	 "t.yaml:13:25: error: overlay.remotes[1]: 0.0.0.0 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:13:34: error: overlay.remotes[2]: 224.0.0.1 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:13:45: error: overlay.remotes[3]: 127.0.0.1 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:14:16: error: overlay.neighbours[0].ip: 2001:2::fe is not of local_ip's family (expected an IPv4 address, as local_ip)\n"},
	{"overlay6_values",
	 "version: 1\n"
	 "ports:\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: \"2001:2::1\", port: uplink, prefix_len: 129, mtu: 1279,\n"
	 "         gateway: \"2001:3::1\"}\n"
	 "  remotes: [\"2001:2::g\", \"2001:2:::2\", \"ff02::1\", \"::ffff:198.18.0.2\",\n"
	 "            \"2001:2::2/64\", \"2001:2:0::1\", \"2001:2::3\", \"2001:2:0:0::3\"]\n"
	 "  neighbours: [{ip: \"::\", mac: \"02:00:00:00:00:02\"}]\n",
	 "t.yaml:5:59: error: overlay.vtep.prefix_len: 129 is out of range (expected an integer 1..128)\n"
	 "t.yaml:5:69: error: overlay.vtep.mtu: 1279 is out of range (expected an integer 1280..9216 for an IPv6 local_ip)\n"
	 "t.yaml:7:13: error: overlay.remotes[0]: \"2001:2::g\" is not an IP address (expected an IPv4 or IPv6 address)\n"
	 "t.yaml:7:26: error: overlay.remotes[1]: \"2001:2:::2\" is not an IP address (expected an IPv4 or IPv6 address)\n"
	 "t.yaml:7:40: error: overlay.remotes[2]: ff02::1 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:7:51: error: overlay.remotes[3]: ::ffff:198.18.0.2 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:8:13: error: overlay.remotes[4]: \"2001:2::2/64\" has a prefix (expected a host address without /prefix)\n"
	 "t.yaml:8:29: error: overlay.remotes[5]: 2001:2::1 is local_ip itself (expected another VTEP's address)\n"
	 "t.yaml:8:57: error: overlay.remotes[7]: 2001:2::3 is already overlay.remotes[6] (expected each remote once)\n"
	 "t.yaml:9:16: error: overlay.neighbours[0].ip: :: is not a unicast address (expected a unicast address)\n"},
	{"overlay6_local",
	 "version: 1\n"
	 "ports:\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: \"::ffff:198.18.0.1\", port: uplink, prefix_len: 64,\n"
	 "         gateway: \"2001:2::1\"}\n",
	 "t.yaml:5:20: error: overlay.vtep.local_ip: ::ffff:198.18.0.1 is not a unicast address (expected a unicast address)\n"
	 "t.yaml:6:19: error: overlay.vtep.gateway: 2001:2::1 is not on the underlay subnet (local_ip/prefix_len 64) (expected an address on local_ip's subnet)\n"},
	{"overlay6_mtu",
	 "version: 1\n"
	 "ports:\n"
	 "  h: {type: null}\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "bridges:\n"
	 "  a: {vni: 5001, mtu: 1450, ports: {h: {}}}\n"
	 "  b: {vni: 5002, mtu: 1300, ports: {}}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: \"2001:2::1\", port: uplink}\n",
	 "t.yaml:6:23: error: bridges.a.mtu: overlay MTU 1450 + 70 bytes of VXLAN headers exceeds the underlay MTU 1500 (overlay.vtep.mtu, the default) (expected mtu at most 1430, or overlay.vtep.mtu of at least 1520)\n"},
	{"overlay6_mtu_given",
	 "version: 1\n"
	 "ports:\n"
	 "  h: {type: null}\n"
	 "  uplink: {type: af_packet, iface: veth-up}\n"
	 "bridges:\n"
	 "  a: {vni: 5001, mtu: 1300, ports: {h: {}}}\n"
	 "overlay:\n"
	 "  vtep: {local_ip: \"2001:2::1\", port: uplink, mtu: 1280}\n",
	 "t.yaml:6:23: error: bridges.a.mtu: overlay MTU 1300 + 70 bytes of VXLAN headers exceeds the underlay MTU 1280 (overlay.vtep.mtu) (expected mtu at most 1210, or overlay.vtep.mtu of at least 1370)\n"},
};
#define N_BAD6 (sizeof(bad_files6) / sizeof(bad_files6[0]))

static void test_bad_file(void **state)
{
	const struct bad_file *b = *state;
	struct topo *t;
	char *got = load_errors(b->yaml, &t);

	assert_null(t);
	if (strcmp(got, b->errors) != 0)
		fail_msg("%s: errors differ\n--- expected\n%s--- got\n%s", b->name, b->errors, got);
	free(got);
}

/* ---- good files ---- */

static const char *const examples[] = {
	"l2-two-bridges.yaml", "vhost-vms.yaml",       "overlay.yaml",
	"flows.yaml",	       "overlay-host-a.yaml",  "overlay-host-b.yaml",
	"recording.yaml",      "overlay6-host-a.yaml", "overlay6-host-b.yaml"};

static void test_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		char path[512];
		struct topo_errors errs;
		struct topo *t, *t2;

		snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, examples[i]);
		topo_errors_init(&errs);
		t = topo_load_file(path, &errs);
		if (t == NULL) {
			topo_errors_print(&errs, stderr);
			fail_msg("%s does not load", path);
		}
		assert_int_equal(errs.n, 0);
		assert_true(t->n_ports > 0 && t->n_bridges > 0);
		t2 = roundtrip(t);
		topo_free(t2);
		topo_free(t);
		topo_errors_clear(&errs);
	}
}

/* Every field at a non-default value, and strings that need quoting when written. */
static const char full_yaml[] =
	"version: 1\n"
	"dataplane: {workers: [1, 0], control_cpu: 1, memory_mb: 1024, mbufs: 4096,\n"
	"            idle_sleep_max_us: 0, huge: off}\n"
	"ports:\n"
	"  \"null\": {type: null, rx: true, size: 64, queues: 4}\n"
	"  p1: {type: pcap, rx_pcap: \"/tmp/a: b 'c' #d.pcap\", infinite_rx: true,\n"
	"       tx_pcap: \"/tmp/\\u00e9t\\u00e9.pcap\", storm_pps: 10, storm_burst: 5, max_macs: 7}\n"
	"  r: {type: ring}\n"
	"  t: {type: tap}\n"
	"  t2: {type: tap, iface: \"123\", queues: 16}\n"
	"  u: {type: af_packet, iface: veth-u, qpairs: 4}\n"
	"  v: {type: vhost-user, socket: /run/v.sock, mode: client, queues: 2}\n"
	"bridges:\n"
	"  \"true\":\n"
	"    vni: 16777215\n"
	"    mac_aging_s: 1000000\n"
	"    max_macs: 1\n"
	"    move_damp: 0\n"
	"    move_damp_s: 255\n"
	"    ports:\n"
	"      \"null\": {vlan: 4094}\n"
	"      p1: {trunk: \"1-3,5,7-4094\", native: 4}\n"
	"      r: {trunk: 9}\n"
	"      t: {}\n"
	"    vni_vlan: 4\n"
	"    remote_max_macs: 4194304\n"
	"    mtu: 8930\n"
	"    remotes: [\"2001:db8::4\"]\n"
	"    static_macs:\n"
	"      - {mac: \"02-AA-bb-cc-dd-ee\", port: p1, vlan: 4}\n"
	"      - {mac: \"02:aa:bb:cc:dd:ee\", port: \"null\", vlan: 4094}\n"
	"      - {mac: \"02:aa:bb:cc:dd:ef\", remote: \"2001:db8::4\", vlan: 4}\n"
	"    record: {file: \"/var/lib/vsw/a: b.pcap\", max_size_kb: 1073741824, max_files: 1000,\n"
	"             filter: \"not arp and (udp port 4789 or vlan 10)\", snaplen: 1, format: pcap}\n"
	"  b2: {ports: {t2: {vlan: 2}, v: {vlan: 2}}, record: {file: /b2, filter: \"\"}}\n"
	"  b3: {vni: 7, remotes: []}\n"
	"overlay:\n"
	"  vtep: {local_ip: \"2001:db8::1\", port: u, udp_port: 8472, name: \"vt-1\", prefix_len: 64,\n"
	"         gateway: \"2001:db8::fe\", mtu: 9000, ttl: 1}\n"
	"  remotes: [\"2001:db8::2\", \"2001:db8::3\"]\n"
	"  neighbours: [{ip: \"2001:db8::2\", mac: \"02:00:00:00:00:99\"}]\n"
	"flows:\n"
	"  - name: all\n"
	"    bridge: \"true\"\n"
	"    priority: 0\n"
	"    match: {in_port: p1, vlan: 5, eth_src: \"02:00:00:00:00:00/ff:ff:ff:00:00:00\",\n"
	"            eth_dst: \"ff:ff:ff:ff:ff:ff\", eth_type: 0x86dd, ip_src: \"2001:db8::/32\",\n"
	"            ip_dst: \"2001:db8::1\", ip_proto: sctp, sctp_src: 1, l4_dst: 65535, vni: 1}\n"
	"    actions: [count, push_vlan:7, set_vlan:8, pop_vlan, \"mirror:r\", {output: t}]\n"
	"  - {bridge: b2, priority: 65535, match: {eth_type: 0x88cc}, actions: drop}\n"
	"  - {bridge: b2, match: {eth_type: ipv4, ip_proto: 200}, actions: [flood]}\n"
	"  - {bridge: b2, match: {eth_type: arp}, actions: [normal]}\n";

static void test_full_roundtrip(void **state)
{
	struct topo *t = load_ok(full_yaml), *t2;
	const struct topo_port *p;
	const struct topo_bridge *br;

	(void)state;
	assert_int_equal(t->n_ports, 7);
	assert_int_equal(t->dataplane.n_workers, 2);
	assert_int_equal(t->dataplane.huge, TOPO_HUGE_OFF);
	p = topo_port_find(t, "null");
	assert_non_null(p);
	assert_int_equal(p->type, TOPO_PORT_NULL);
	p = topo_port_find(t, "t");
	assert_int_equal(p->n_opts, 0); /* iface defaults to the name: not stored */
	br = topo_bridge_find(t, "true");
	assert_non_null(br);
	assert_int_equal(br->vni, 16777215);
	assert_int_equal(br->ports[1].mode, TOPO_VLAN_TRUNK);
	assert_int_equal(br->ports[1].native, 4);
	assert_int_equal(br->ports[3].vlan, 1);
	assert_ptr_equal(topo_port_bridge(t, "v"), &t->bridges[1]);
	assert_true(br->record.present);
	assert_string_equal(br->record.file, "/var/lib/vsw/a: b.pcap");
	assert_int_equal(br->record.max_size_kb, 1u << 30);
	assert_int_equal(br->record.max_files, 1000);
	assert_int_equal(br->record.snaplen, 1);
	assert_int_equal(br->record.format, TOPO_REC_PCAP);
	assert_string_equal(br->record.filter, "not arp and (udp port 4789 or vlan 10)");
	/* defaults: pcapng, every frame, whole frames, one file */
	assert_true(t->bridges[1].record.present);
	assert_int_equal(t->bridges[1].record.format, TOPO_REC_PCAPNG);
	assert_int_equal(t->bridges[1].record.snaplen, 262144);
	assert_int_equal(t->bridges[1].record.max_size_kb, 0);
	assert_int_equal(t->bridges[1].record.filter[0], '\0');
	assert_false(t->bridges[2].record.present);
	p = topo_port_find(t, "t2");
	assert_int_equal(p->n_opts, 2); /* iface, queues */
	assert_string_equal(p->opts[1].key, "queues");
	assert_int_equal(p->opts[1].u, 16);
	assert_int_equal(t->overlay.local_ip.family, 6);
	assert_int_equal(t->flows[0].n_actions, 6);
	assert_int_equal(t->flows[0].actions[5].type, TOPO_ACT_OUTPUT);
	assert_string_equal(t->flows[0].actions[5].port, "t");
	assert_int_equal(t->flows[0].match.l4_src, 1);
	assert_int_equal(t->flows[1].n_actions, 1);
	assert_int_equal(t->flows[2].priority, 32768);
	t2 = roundtrip(t);
	/* and once more: writing is stable */
	topo_free(roundtrip(t2));
	topo_free(t2);
	topo_free(t);
}

/* Spellings of one meaning load as equal models; different meanings do not. */
static void test_equal_meanings(void **state)
{
	struct topo *a = load_ok("version: 1\nports: {v: {type: vhost-user, socket: /s}}\n");
	struct topo *b = load_ok("version: 1\nports:\n  v:\n    socket: /s\n    queues: 1\n"
				 "    mode: server\n    type: vhost-user\n    storm_burst: 64\n");
	struct topo *c = load_ok("version: 1\nports: {v: {type: vhost-user, socket: /s, "
				 "mode: client}}\n");

	(void)state;
	assert_true(topo_equal(a, b));
	assert_false(topo_equal(a, c));
	assert_true(topo_port_equal(&a->ports[0], &b->ports[0]));
	topo_free(a);
	topo_free(b);
	topo_free(c);
	/* a recording with its defaults spelled out is the same recording */
	a = load_ok("version: 1\nbridges: {b: {record: {file: /r}}}\n");
	b = load_ok("version: 1\nbridges: {b: {record: {file: /r, max_size_kb: 0, filter: \"\",\n"
		    "  snaplen: 262144, format: pcapng}}}\n");
	c = load_ok("version: 1\nbridges: {b: {record: {file: /r, filter: \"not arp\"}}}\n");
	assert_true(topo_equal(a, b));
	assert_false(topo_equal(a, c));
	topo_free(b);
	b = load_ok(
		"version: 1\nbridges: {b: {record: {file: /r, max_size_kb: 5, max_files: 8}}}\n");
	topo_free(c);
	c = load_ok("version: 1\nbridges: {b: {record: {file: /r, max_size_kb: 5}}}\n");
	assert_false(topo_equal(a, b));
	assert_true(topo_equal(b, c));
	topo_free(a);
	topo_free(b);
	topo_free(c);
	/* queues: 1 is the default of null and tap ports */
	a = load_ok("version: 1\nports: {n: {type: null, queues: 1}, t: {type: tap}}\n");
	b = load_ok("version: 1\nports: {n: {type: null}, t: {type: tap, queues: 1}}\n");
	c = load_ok("version: 1\nports: {n: {type: null, queues: 2}, t: {type: tap}}\n");
	assert_true(topo_equal(a, b));
	assert_false(topo_equal(a, c));
	topo_free(a);
	topo_free(b);
	topo_free(c);
}

/* An IPv6 underlay: the family's defaults (prefix 64, 70 bytes of headers), spellings of
 * one address meaning one address, and the tunnel port names the dataplane gives. */
static void test_overlay6(void **state)
{
	static const char y6[] =
		"version: 1\n"
		"ports: {u: {type: null}, h: {type: null}}\n"
		"bridges:\n"
		"  ov:\n"
		"    vni: 5001\n"
		"    ports: {h: {}}\n"
		"    static_macs: [{mac: \"02:00:00:00:00:05\", remote: \"2001:2::2\"}]\n"
		"overlay:\n"
		"  vtep: {local_ip: \"2001:2::1\", port: u, gateway: \"2001:2::fe\"}\n"
		"  remotes: [\"2001:2::2\", \"2001:2::1234:5678:9abc:def0\"]\n"
		"  neighbours: [{ip: \"2001:2::fe\", mac: \"02:aa:00:00:00:fe\"}]\n";
	struct topo *a = load_ok(y6), *b, *c;
	const struct topo_bridge *br = &a->bridges[0];
	struct topo_ip ip = {.family = 6, .prefix = 128};
	char *text = NULL, name[TOPO_NAME_MAX + 64];
	size_t size = 0;
	FILE *f;

	(void)state;
	assert_int_equal(a->overlay.local_ip.family, 6);
	assert_int_equal(a->overlay.prefix_len, 64);
	assert_int_equal(topo_overlay_overhead(&a->overlay), 70);
	assert_int_equal(topo_bridge_mtu(a, br), 1430);
	assert_int_equal(br->static_macs[0].remote.family, 6);
	/* written back without the defaults, and read back the same */
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(topo_write_yaml(a, f), 0);
	fclose(f);
	assert_null(strstr(text, "prefix_len"));
	assert_non_null(strstr(text, "2001:2::1234:5678:9abc:def0"));
	free(text);
	topo_free(roundtrip(a));
	/* other spellings of the same addresses and the default spelled out: equal */
	b = load_ok("version: 1\n"
		    "ports: {u: {type: null}, h: {type: null}}\n"
		    "bridges:\n"
		    "  ov:\n"
		    "    vni: 5001\n"
		    "    ports: {h: {}}\n"
		    "    static_macs: [{mac: \"02:00:00:00:00:05\", remote: \"2001:0002:0::2\"}]\n"
		    "overlay:\n"
		    "  vtep: {local_ip: \"2001:2:0:0:0:0:0:1\", port: u, gateway: \"2001:2::FE\",\n"
		    "         prefix_len: 64, mtu: 1500}\n"
		    "  remotes: [\"2001:2::0:2\", \"2001:2:0:0:1234:5678:9ABC:DEF0\"]\n"
		    "  neighbours: [{ip: \"2001:2:0::fe\", mac: \"02:AA:00:00:00:FE\"}]\n");
	assert_true(topo_equal(a, b));
	topo_free(b);
	/* a prefix other than the family's default is kept, and written */
	b = load_ok("version: 1\nports: {u: {type: null}}\n"
		    "overlay: {vtep: {local_ip: \"2001:2::1\", port: u, prefix_len: 24}}\n");
	c = load_ok("version: 1\nports: {u: {type: null}}\n"
		    "overlay: {vtep: {local_ip: \"2001:2::1\", port: u}}\n");
	assert_int_equal(b->overlay.prefix_len, 24);
	assert_false(topo_equal(b, c));
	topo_free(roundtrip(b));
	topo_free(b);
	topo_free(c);
	/* IPv4 keeps 24 and 50 */
	b = load_ok("version: 1\nports: {u: {type: null}}\n"
		    "overlay: {vtep: {local_ip: 198.18.0.1, port: u}}\n");
	assert_int_equal(b->overlay.prefix_len, 24);
	assert_int_equal(topo_overlay_overhead(&b->overlay), 50);
	topo_free(b);
	/* the smallest IPv6 underlay, and an overlay MTU that just fits it */
	b = load_ok("version: 1\nports: {u: {type: null}}\n"
		    "bridges: {ov: {vni: 7, mtu: 1210}}\n"
		    "overlay: {vtep: {local_ip: \"2001:2::1\", port: u, mtu: 1280}}\n");
	topo_free(b);
	/* tunnel port names as overlay/vtep.c makes them: inet_ntop's text with '_' for ':'
	 * up to 31 characters; longer ones (which the dataplane refuses without port=) get
	 * the FNV-1a hash of the address, computed here by Python's socket module */
	topo_tunnel_name(br, &a->overlay.remotes[0].ip, name, sizeof(name));
	assert_string_equal(name, "vx5001-2001_2__2");
	topo_tunnel_name(br, &a->overlay.remotes[1].ip, name, sizeof(name));
	assert_string_equal(name, "vx5001-823b7774");
	assert_int_equal(inet_pton(AF_INET6, "2001:2::1234:5678:9abc:0", ip.addr), 1);
	topo_tunnel_name(br, &ip, name, sizeof(name)); /* 31: kept */
	assert_string_equal(name, "vx5001-2001_2__1234_5678_9abc_0");
	assert_int_equal(inet_pton(AF_INET6, "2001:2::1234:5678:9abc:10", ip.addr), 1);
	topo_tunnel_name(br, &ip, name, sizeof(name)); /* 32: hashed */
	assert_string_equal(name, "vx5001-e5d45e1a");
	topo_free(a);
}

/* topo_validate alone, on a model made in memory as the controller will. */
static void test_validate_in_memory(void **state)
{
	struct topo *t = topo_new();
	struct topo_errors errs;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	assert_non_null(t);
	topo_errors_init(&errs);
	assert_int_equal(topo_validate(t, "running", &errs), 0);
	t->ports = calloc(1, sizeof(*t->ports));
	t->bridges = calloc(1, sizeof(*t->bridges));
	assert_non_null(t->ports);
	assert_non_null(t->bridges);
	snprintf(t->ports[0].name, TOPO_NAME_MAX, "p1");
	t->ports[0].type = TOPO_PORT_RING;
	t->ports[0].storm_burst = 64;
	t->n_ports = 1;
	snprintf(t->bridges[0].name, TOPO_NAME_MAX, "br0");
	t->bridges[0].mac_aging_s = 300;
	t->bridges[0].max_macs = 65536;
	t->bridges[0].move_damp = 5;
	t->bridges[0].move_damp_s = 10;
	t->bridges[0].ports = calloc(2, sizeof(struct topo_bridge_port));
	assert_non_null(t->bridges[0].ports);
	snprintf(t->bridges[0].ports[0].port, TOPO_NAME_MAX, "p1");
	t->bridges[0].ports[0].vlan = 1;
	snprintf(t->bridges[0].ports[1].port, TOPO_NAME_MAX, "p2");
	t->bridges[0].ports[1].vlan = 1;
	t->bridges[0].n_ports = 2;
	t->n_bridges = 1;
	assert_int_equal(topo_validate(t, "running", &errs), 1);
	f = open_memstream(&text, &size);
	topo_errors_print(&errs, f);
	fclose(f);
	assert_string_equal(text, "running: error: bridges.br0.ports.p2: no port named \"p2\" "
				  "(expected one of the defined ports: p1)\n");
	free(text);
	topo_errors_clear(&errs);
	t->bridges[0].n_ports = 1;
	topo_free(roundtrip(t));
	topo_free(t);
}

static void test_file_errors(void **state)
{
	struct topo_errors errs;

	(void)state;
	topo_errors_init(&errs);
	assert_null(topo_load_file("/nonexistent/topo.yaml", &errs));
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 0);
	assert_string_equal(errs.v[0].message, "cannot open: No such file or directory");
	topo_errors_clear(&errs);
	assert_null(topo_load_file(EXAMPLES_DIR, &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].message, "cannot read: is a directory (expected a regular "
					       "file of at most 16 MiB)");
	assert_string_equal(errs.v[0].expected, "a regular file of at most 16 MiB");
	topo_errors_clear(&errs);
}

/* 10^6 aliased nodes would take the walk forever: it stops with one error. */
static void test_alias_bomb(void **state)
{
	size_t big = 200000, len = 0;
	char *y = malloc(big), *errs;
	struct topo *t;

	(void)state;
	assert_non_null(y);
	/* 64 bridges share one ports mapping of 256 ports sharing one trunk list of 500
	 * VLANs: 60 kB of YAML, 8 * 10^6 visits if walked in full. */
	len += (size_t)snprintf(y, big,
				"version: 1\nbridges:\n  b0: {ports: &ps {p0: {trunk: &t [");
	for (int i = 1; i <= 500; i++)
		len += (size_t)snprintf(y + len, big - len, "%s%d", i > 1 ? ", " : "", i);
	len += (size_t)snprintf(y + len, big - len, "]}");
	for (int i = 1; i < 256; i++)
		len += (size_t)snprintf(y + len, big - len, ", p%d: {trunk: *t}", i);
	len += (size_t)snprintf(y + len, big - len, "}}\n");
	for (int i = 1; i < 64; i++)
		len += (size_t)snprintf(y + len, big - len, "  b%d: {ports: *ps}\n", i);
	assert_true(len < big - 1);
	errs = load_errors(y, &t);
	assert_null(t);
	assert_non_null(strstr(errs, "t.yaml: error: the document expands to more than 1000000 "
				     "nodes through aliases"));
	free(errs);
	free(y);
}

static void test_error_cap(void **state)
{
	char yaml[8192];
	size_t n;
	struct topo_errors errs;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	n = (size_t)snprintf(yaml, sizeof(yaml), "version: 1\n");
	for (int i = 0; i < 150; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "k%d: 1\n", i);
	topo_errors_init(&errs);
	assert_null(topo_load_buf("t.yaml", yaml, n, &errs));
	assert_int_equal(errs.n, TOPO_ERRORS_MAX);
	assert_true(errs.truncated);
	f = open_memstream(&text, &size);
	topo_errors_print(&errs, f);
	fclose(f);
	assert_non_null(strstr(text, "t.yaml: error: too many errors (showing the first 100)\n"));
	free(text);
	topo_errors_clear(&errs);
}

/* Fail each allocation in turn: never a crash, never a leak (ASan), never a model. */
static void test_alloc_failures(void **state)
{
	long total;

	(void)state;
	fail_at = -1;
	alloc_count = 0;
	fail_at = 1L << 40;
	topo_free(load_ok(full_yaml));
	total = alloc_count;
	assert_true(total > 10);
	for (long i = 0; i < total; i++) {
		struct topo_errors errs;
		struct topo *t;

		alloc_count = 0;
		fail_at = i;
		topo_errors_init(&errs);
		t = topo_load_buf("t.yaml", full_yaml, strlen(full_yaml), &errs);
		fail_at = -1;
		if (t != NULL)
			fail_msg("allocation %ld failed, yet the load succeeded", i);
		assert_true(errs.n > 0 || errs.oom);
		topo_errors_clear(&errs);
	}
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_examples),	   cmocka_unit_test(test_full_roundtrip),
		cmocka_unit_test(test_equal_meanings),	   cmocka_unit_test(test_overlay6),
		cmocka_unit_test(test_validate_in_memory), cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_alias_bomb),	   cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_alloc_failures),
	};
	struct CMUnitTest tests[N_BAD + N_BAD6 + sizeof(fixed) / sizeof(fixed[0])];
	size_t n = 0;

	for (size_t i = 0; i < N_BAD; i++) {
		tests[n] = (struct CMUnitTest){bad_files[i].name, test_bad_file, NULL, NULL,
					       (void *)&bad_files[i]};
		n++;
	}
	for (size_t i = 0; i < N_BAD6; i++)
		tests[n++] = (struct CMUnitTest){bad_files6[i].name, test_bad_file, NULL, NULL,
						 (void *)&bad_files6[i]};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("topology", tests, n, NULL, NULL);
}
