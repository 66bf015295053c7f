/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl without a dataplane: command words -> request JSON (and every usage error),
 * result -> table text for canned replies, and the client library against a fake server
 * on a temporary Unix socket that replies, trickles, lies about its version, floods or
 * says nothing. The last group runs vswctl_main whole to check exit codes and messages.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "vsw_client.h"
#include "vswctl.h"

/* ---- command line -> request ---- */

#define MAX_WORDS 32

/* Split on spaces (test lines never need quoting). */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " ", &save); w != NULL && argc < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return argc;
}

/* Parse line and compare {"cmd":..., "args":...} (keys sorted) with want. */
static void expect_req(const char *line, const char *want, int want_ok_status)
{
	char buf[512], err[256], *argv[MAX_WORDS], *got;
	struct vswctl_req req;
	json_t *j;
	int argc, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split(buf, argv);
	rc = vswctl_parse(argc, argv, &req, err, sizeof(err));
	if (rc != 0)
		fail_msg("\"%s\": unexpected error %d: %s", line, rc, err);
	assert_null(req.help);
	j = json_pack("{s:s*, s:O*}", "cmd", req.cmd, "args", req.args);
	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\":\n  got  %s\n  want %s", line, got, want);
	assert_int_equal(req.ok_status, want_ok_status);
	free(got);
	json_decref(j);
	vswctl_req_clear(&req);
}

/* Parse line and expect a usage error whose message contains want. */
static void expect_usage(const char *line, const char *want)
{
	char buf[512], err[256], *argv[MAX_WORDS];
	struct vswctl_req req;
	int argc, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split(buf, argv);
	err[0] = '\0';
	rc = vswctl_parse(argc, argv, &req, err, sizeof(err));
	if (rc != -EINVAL)
		fail_msg("\"%s\": expected a usage error containing \"%s\", got %d", line, want,
			 rc);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", line, err, want);
	vswctl_req_clear(&req);
}

/* Parse line and expect help text containing want. */
static void expect_help(const char *line, const char *want)
{
	char buf[512], err[256], *argv[MAX_WORDS];
	struct vswctl_req req;
	int argc, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split(buf, argv);
	rc = vswctl_parse(argc, argv, &req, err, sizeof(err));
	if (rc != 0)
		fail_msg("\"%s\": unexpected error %d: %s", line, rc, err);
	assert_non_null(req.help);
	if (strstr(req.help, want) == NULL)
		fail_msg("\"%s\": help lacks \"%s\":\n%s", line, want, req.help);
	vswctl_req_clear(&req);
}

static void test_parse_info(void **state)
{
	(void)state;
	expect_req("info", "{\"cmd\":\"info\"}", 0);
	expect_req("drop-reasons", "{\"cmd\":\"drop-reasons\"}", 0);
	expect_usage("info now", "info: takes no arguments (got \"now\")");
	expect_usage("drop-reasons x=1", "takes no arguments");
}

static void test_parse_bridge(void **state)
{
	(void)state;
	expect_req("bridge add br0", "{\"args\":{\"name\":\"br0\"},\"cmd\":\"bridge-add\"}", 0);
	expect_req("bridge add br0 aging=60 max_macs=1000 move_damp=0 move_damp_s=7 --may-exist",
		   "{\"args\":{\"mac_aging_s\":60,\"max_macs\":1000,\"move_damp\":0,"
		   "\"move_damp_s\":7,\"name\":\"br0\"},\"cmd\":\"bridge-add\"}",
		   EEXIST);
	expect_req("bridge add --may-exist br-1.a mac_aging_s=4294967295",
		   "{\"args\":{\"mac_aging_s\":4294967295,\"name\":\"br-1.a\"},"
		   "\"cmd\":\"bridge-add\"}",
		   EEXIST);
	expect_req("bridge del br0", "{\"args\":{\"name\":\"br0\"},\"cmd\":\"bridge-del\"}", 0);
	expect_req("bridge del br0 --if-exists",
		   "{\"args\":{\"name\":\"br0\"},\"cmd\":\"bridge-del\"}", ENOENT);
	expect_req("bridge set br0 aging=10",
		   "{\"args\":{\"mac_aging_s\":10,\"name\":\"br0\"},\"cmd\":\"bridge-set\"}", 0);
	expect_req("bridge show", "{\"cmd\":\"bridge-list\"}", 0);
	expect_req("bridge list", "{\"cmd\":\"bridge-list\"}", 0);
	expect_req("bridge show br0", "{\"args\":{\"name\":\"br0\"},\"cmd\":\"bridge-list\"}", 0);

	expect_usage("bridge", "bridge: missing subcommand (add, del, set, show)");
	expect_usage("bridge frob br0", "bridge: unknown subcommand \"frob\"");
	expect_usage("bridge add", "bridge add: missing bridge");
	expect_usage("bridge add aging=5", "missing bridge before \"aging=5\"");
	expect_usage("bridge add bad/name", "invalid bridge name \"bad/name\"");
	expect_usage("bridge add abcdefghijabcdefghijabcdefghijab", "invalid bridge name");
	expect_usage("bridge add br0 aging=abc", "aging=abc is not a number");
	expect_usage("bridge add br0 aging=-1", "aging=-1 is not a number");
	expect_usage("bridge add br0 aging=0x10", "is not a number");
	expect_usage("bridge add br0 aging=", "aging= is not a number");
	expect_usage("bridge add br0 aging=4294967296", "out of range");
	expect_usage("bridge add br0 agin=5", "unknown key \"agin\" (expected aging, mac_aging_s,");
	expect_usage("bridge add br0 aging=1 mac_aging_s=2", "mac_aging_s given twice");
	expect_usage("bridge add br0 60", "expected KEY=VALUE, got \"60\"");
	expect_usage("bridge add br0 =5", "expected KEY=VALUE");
	expect_usage("bridge set br0", "bridge set: nothing to set (keys: aging,");
	expect_usage("bridge del br0 --may-exist", "--may-exist does not apply here");
	expect_usage("bridge add br0 --if-exists", "--if-exists does not apply here");
	expect_usage("bridge add br0 --force", "unknown option \"--force\"");
	expect_usage("bridge del br0 br1", "unexpected \"br1\"");
	expect_usage("bridge show br0 br1", "unexpected \"br1\"");
}

static void test_parse_port(void **state)
{
	(void)state;
	expect_req("port add p1 pcap rx_pcap=/tmp/in.pcap infinite_rx=true storm_pps=1000 "
		   "storm_burst=32 max_macs=10 --may-exist",
		   "{\"args\":{\"max_macs\":10,\"name\":\"p1\",\"options\":{\"infinite_rx\":true,"
		   "\"rx_pcap\":\"/tmp/in.pcap\"},\"storm_burst\":32,\"storm_pps\":1000,"
		   "\"type\":\"pcap\"},\"cmd\":\"port-add\"}",
		   EEXIST);
	/* Digits become numbers only for numeric options: a file may be named "123". */
	expect_req("port add p2 af_packet iface=veth0 qpairs=2",
		   "{\"args\":{\"name\":\"p2\",\"options\":{\"iface\":\"veth0\",\"qpairs\":2},"
		   "\"type\":\"af_packet\"},\"cmd\":\"port-add\"}",
		   0);
	expect_req("port add p3 pcap rx_pcap=123 tx_pcap=",
		   "{\"args\":{\"name\":\"p3\",\"options\":{\"rx_pcap\":\"123\",\"tx_pcap\":\"\"},"
		   "\"type\":\"pcap\"},\"cmd\":\"port-add\"}",
		   0);
	expect_req("port add p4 null rx=false size=64",
		   "{\"args\":{\"name\":\"p4\",\"options\":{\"rx\":false,\"size\":64},"
		   "\"type\":\"null\"},\"cmd\":\"port-add\"}",
		   0);
	expect_req("port add v1 vhost-user socket=/tmp/v1.sock mode=client queues=two",
		   "{\"args\":{\"name\":\"v1\",\"options\":{\"mode\":\"client\",\"queues\":\"two\","
		   "\"socket\":\"/tmp/v1.sock\"},\"type\":\"vhost-user\"},\"cmd\":\"port-add\"}",
		   0);
	expect_req("port add r1 ring",
		   "{\"args\":{\"name\":\"r1\",\"options\":{},\"type\":\"ring\"},"
		   "\"cmd\":\"port-add\"}",
		   0);
	expect_req("port del p1 --if-exists", "{\"args\":{\"name\":\"p1\"},\"cmd\":\"port-del\"}",
		   ENOENT);
	expect_req("port set p1 storm_pps=10 storm_burst=5 max_macs=0",
		   "{\"args\":{\"max_macs\":0,\"name\":\"p1\",\"storm_burst\":5,\"storm_pps\":10},"
		   "\"cmd\":\"port-set\"}",
		   0);
	expect_req("port show", "{\"cmd\":\"port-list\"}", 0);
	expect_req("port list p1", "{\"args\":{\"name\":\"p1\"},\"cmd\":\"port-list\"}", 0);

	expect_usage("port add p1", "port add: missing port type");
	expect_usage("port add p1 rx=true", "missing port type (pcap, null, ring, af_packet, tap, "
					    "vhost-user) before \"rx=true\"");
	expect_usage("port add p1 null rx=true rx=false", "rx given twice");
	expect_usage("port add p1 null storm_pps=1 storm_pps=2", "storm_pps given twice");
	expect_usage("port add p1 null storm_pps=fast", "storm_pps=fast is not a number");
	expect_usage("port add p1 af_packet qpairs=99999999999",
		     "qpairs=99999999999 is out of range");
	expect_usage("port add p1 null rx", "expected KEY=VALUE, got \"rx\"");
	expect_usage("port set p1 iface=x",
		     "unknown key \"iface\" (expected storm_pps, storm_burst, "
		     "max_macs)");
	expect_usage("port set p1", "nothing to set");
	expect_usage("port frob",
		     "port: unknown subcommand \"frob\" (expected add, del, set, show, "
		     "attach, detach)");
}

static void test_parse_attach(void **state)
{
	(void)state;
	expect_req("port attach p1 br0",
		   "{\"args\":{\"bridge\":\"br0\",\"port\":\"p1\"},\"cmd\":\"port-attach\"}", 0);
	expect_req("port attach p1 br0 vlan=10",
		   "{\"args\":{\"bridge\":\"br0\",\"port\":\"p1\",\"vlan\":10},"
		   "\"cmd\":\"port-attach\"}",
		   0);
	/* The list goes out canonical: sorted, merged, single VLANs as numbers. */
	expect_req("port attach p1 br0 trunk=40,20-30,10,31 native=5",
		   "{\"args\":{\"bridge\":\"br0\",\"native\":5,\"port\":\"p1\","
		   "\"trunk\":[10,\"20-31\",40]},\"cmd\":\"port-attach\"}",
		   0);
	expect_req("port attach p1 br0 trunk=4094 native=0",
		   "{\"args\":{\"bridge\":\"br0\",\"native\":0,\"port\":\"p1\",\"trunk\":[4094]},"
		   "\"cmd\":\"port-attach\"}",
		   0);
	expect_req("port detach p1", "{\"args\":{\"port\":\"p1\"},\"cmd\":\"port-detach\"}", 0);

	expect_usage("port attach p1", "missing bridge name");
	expect_usage("port attach p1 br0 vlan=10 trunk=20", "exclude each other");
	expect_usage("port attach p1 br0 native=5", "native= needs trunk=");
	expect_usage("port attach p1 br0 vlan=0", "vlan=0 is not a VLAN id (1 to 4094)");
	expect_usage("port attach p1 br0 vlan=4095", "vlan=4095 is not a VLAN id");
	expect_usage("port attach p1 br0 trunk=10 native=4095",
		     "native=4095 is not a VLAN id (0 to");
	expect_usage("port attach p1 br0 trunk=", "trunk= needs a VLAN list");
	expect_usage("port attach p1 br0 trunk=10,abc", "trunk=10,abc: ");
	expect_usage("port attach p1 br0 trunk=0", "trunk=0: ");
	expect_usage("port detach", "missing port");
	expect_usage("port detach p1 br0", "unexpected \"br0\"");
}

static void test_parse_fdb(void **state)
{
	(void)state;
	expect_req("fdb add br0 02:00:00:00:00:0A p1 vlan=10",
		   "{\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:00:0a\",\"port\":\"p1\","
		   "\"vlan\":10},\"cmd\":\"fdb-add\"}",
		   0);
	expect_req("fdb del br0 02-00-00-00-00-01 --if-exists",
		   "{\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:00:01\"},"
		   "\"cmd\":\"fdb-del\"}",
		   ENOENT);
	expect_req("fdb show br0", "{\"args\":{\"bridge\":\"br0\"},\"cmd\":\"fdb-show\"}", 0);
	expect_req(
		"fdb show br0 port=p1 vlan=3",
		"{\"args\":{\"bridge\":\"br0\",\"port\":\"p1\",\"vlan\":3},\"cmd\":\"fdb-show\"}",
		0);
	expect_req("fdb flush br0", "{\"args\":{\"bridge\":\"br0\"},\"cmd\":\"fdb-flush\"}", 0);
	expect_req("fdb flush br0 static vlan=3 port=p2",
		   "{\"args\":{\"bridge\":\"br0\",\"port\":\"p2\",\"static\":true,\"vlan\":3},"
		   "\"cmd\":\"fdb-flush\"}",
		   0);

	expect_usage("fdb add br0 02:00:00:00:00 p1", "invalid MAC address \"02:00:00:00:00\"");
	expect_usage("fdb add br0 zz:00:00:00:00:01 p1", "invalid MAC address");
	expect_usage("fdb add br0 02:00:00:00:00:01", "missing port name");
	expect_usage("fdb add br0 02:00:00:00:00:01 p1 vlan=5000", "vlan=5000 is not a VLAN id");
	expect_usage("fdb add br0 02:00:00:00:00:01 p1 port=p2", "unknown key \"port\"");
	expect_usage("fdb del br0", "missing MAC address");
	expect_usage("fdb add br0 02:00:00:00:00:01 p1 --if-exists", "--if-exists does not apply");
	expect_usage("fdb show", "missing bridge name");
	expect_usage("fdb show br0 port=bad/name", "invalid port name \"bad/name\"");
	expect_usage("fdb flush br0 static static", "static given twice");
	expect_usage("fdb flush br0 vlan=1 vlan=2", "vlan given twice");
	expect_usage("fdb flush br0 learned", "expected KEY=VALUE, got \"learned\"");
}

static void test_parse_stats_raw(void **state)
{
	char err[256], *argv[2];
	struct vswctl_req req;

	(void)state;
	expect_req("stats", "{\"cmd\":\"stats\"}", 0);
	expect_req("stats p1", "{\"args\":{\"port\":\"p1\"},\"cmd\":\"stats\"}", 0);
	expect_req("stats show", "{\"cmd\":\"stats\"}", 0);
	expect_req("stats show clear", "{\"args\":{\"port\":\"clear\"},\"cmd\":\"stats\"}", 0);
	expect_req("stats clear", "{\"cmd\":\"stats-clear\"}", 0);
	expect_req("stats clear p1", "{\"args\":{\"port\":\"p1\"},\"cmd\":\"stats-clear\"}", 0);
	expect_usage("stats p1 p2", "unexpected \"p2\"");

	argv[0] = "raw";
	argv[1] = "{\"v\": 1, \"cmd\": \"info\"}";
	assert_int_equal(vswctl_parse(2, argv, &req, err, sizeof(err)), 0);
	assert_null(req.cmd);
	assert_null(req.args);
	assert_string_equal(req.raw, argv[1]);
	vswctl_req_clear(&req);
	argv[1] = "{}\n{}";
	assert_int_equal(vswctl_parse(2, argv, &req, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "one line"));
	vswctl_req_clear(&req);
	expect_usage("raw", "raw: missing JSON request");
	expect_usage("raw {} {}", "expects one JSON request");

	expect_usage("", "missing command");
	expect_usage("frob", "unknown command \"frob\"");
}

static void test_parse_help(void **state)
{
	static const char *const every[] = {
		"info",	       "bridge add",  "bridge del", "bridge set",  "bridge show",
		"bridge list", "port add",    "port del",   "port set",	   "port show",
		"port attach", "port detach", "fdb add",    "fdb del",	   "fdb show",
		"fdb flush",   "stats",	      "stats show", "stats clear", "drop-reasons",
		"raw",
	};
	char line[64], want[64];
	size_t i;

	(void)state;
	/* Every command answers --help with its own usage line. */
	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		snprintf(line, sizeof(line), "%s --help", every[i]);
		snprintf(want, sizeof(want), "usage: vswctl [OPTIONS] %s",
			 strcmp(every[i], "stats") == 0 || strcmp(every[i], "stats show") == 0
				 ? "stats [show]"
			 : strcmp(every[i], "bridge list") == 0 ? "bridge show"
			 : strcmp(every[i], "port list") == 0	? "port show"
								: every[i]);
		expect_help(line, want);
	}
	expect_help("bridge add br0 bad/name -h", "aging=S");
	expect_help("bridge --help", "bridge del NAME [--if-exists]");
	expect_help("fdb -h", "fdb flush BRIDGE");
	expect_help("help", "Commands:");
	expect_help("--help", "Exit status");
	expect_help("help port attach", "trunk=LIST");
	expect_help("help stats", "stats [show] [PORT]");
	expect_help("help port", "port detach PORT");
}

/* ---- result -> text ---- */

static void expect_print(enum vswctl_out kind, const char *result, const char *want)
{
	char err[256], *text = NULL;
	size_t size = 0;
	json_error_t jerr;
	json_t *res;
	FILE *f;
	int rc;

	res = json_loads(result, 0, &jerr);
	if (res == NULL)
		fail_msg("bad canned reply: %s", jerr.text);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	rc = vswctl_print(f, kind, res, err, sizeof(err));
	fclose(f);
	if (rc != 0)
		fail_msg("print failed: %s", err);
	if (strcmp(text, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", text, want);
	free(text);
	json_decref(res);
}

static void test_print_fdb(void **state)
{
	(void)state;
	expect_print(
		VSWCTL_OUT_FDB,
		"[{\"mac\":\"02:00:00:00:00:01\",\"vlan\":1,\"port\":\"p1\",\"type\":\"learned\","
		"\"age_s\":3},"
		"{\"mac\":\"02:00:00:00:00:02\",\"vlan\":10,\"port\":\"uplink0\","
		"\"type\":\"static\",\"age_s\":0},"
		"{\"mac\":\"02:00:00:00:00:03\",\"vlan\":4094,\"port\":\"p2\","
		"\"type\":\"learned\",\"age_s\":1234}]",
		"PORT     VLAN  MAC                TYPE      AGE\n"
		"p1          1  02:00:00:00:00:01  learned     3\n"
		"uplink0    10  02:00:00:00:00:02  static      -\n"
		"p2       4094  02:00:00:00:00:03  learned  1234\n");
	/* An empty table still says what it would have shown. */
	expect_print(VSWCTL_OUT_FDB, "[]", "PORT  VLAN  MAC  TYPE  AGE\n");
	expect_print(VSWCTL_OUT_FLUSH, "{\"flushed\":3}", "flushed 3 entries\n");
	expect_print(VSWCTL_OUT_FLUSH, "{\"flushed\":1}", "flushed 1 entry\n");
	/* Commands that change state print nothing, result or not. */
	expect_print(VSWCTL_OUT_NONE, "{\"x\":1}", "");
}

static void test_print_stats(void **state)
{
	(void)state;
	expect_print(VSWCTL_OUT_STATS,
		     "[{\"name\":\"p1\",\"rx_packets\":10,\"rx_bytes\":640,\"tx_packets\":9,"
		     "\"tx_bytes\":576,\"drops\":{\"runt\":0,\"vlan_not_allowed\":1,\"tx_full\":0},"
		     "\"drops_total\":1},"
		     "{\"name\":\"uplink\",\"rx_packets\":123456789,\"rx_bytes\":7901234496,"
		     "\"tx_packets\":0,\"tx_bytes\":0,\"drops\":{\"runt\":2,\"vlan_not_allowed\":0,"
		     "\"tx_full\":40},\"drops_total\":42}]",
		     "PORT    RX_PACKETS    RX_BYTES  TX_PACKETS  TX_BYTES  DROPS\n"
		     "p1              10         640           9       576      1\n"
		     "uplink   123456789  7901234496           0         0     42\n"
		     "\n"
		     "PORT    DROP_REASON       PACKETS\n"
		     "p1      vlan_not_allowed        1\n"
		     "uplink  runt                    2\n"
		     "uplink  tx_full                40\n");
	/* No drops: no second table. */
	expect_print(VSWCTL_OUT_STATS,
		     "[{\"name\":\"p1\",\"rx_packets\":1,\"rx_bytes\":64,\"tx_packets\":0,"
		     "\"tx_bytes\":0,\"drops\":{\"runt\":0},\"drops_total\":0}]",
		     "PORT  RX_PACKETS  RX_BYTES  TX_PACKETS  TX_BYTES  DROPS\n"
		     "p1             1        64           0         0      0\n");
	expect_print(VSWCTL_OUT_DROP_REASONS,
		     "[{\"name\":\"runt\",\"help\":\"frame shorter than an Ethernet header\"},"
		     "{\"name\":\"tx_full\",\"help\":\"egress queue full\"}]",
		     "REASON   HELP\n"
		     "runt     frame shorter than an Ethernet header\n"
		     "tx_full  egress queue full\n");
}

/* hints on tx_full: which side is the bottleneck, from the workers' busy share */
static char *hints(const char *ports, const char *before, const char *after, const char *info,
		   int want_n)
{
	json_t *p = json_loads(ports, 0, NULL), *b = json_loads(before, 0, NULL);
	json_t *a = json_loads(after, 0, NULL), *i = json_loads(info, 0, NULL);
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	assert_non_null(p);
	assert_non_null(b);
	assert_non_null(a);
	assert_non_null(i);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(vswctl_print_tx_full_hints(f, p, b, a, i, 0.5), want_n);
	fclose(f);
	json_decref(p);
	json_decref(b);
	json_decref(a);
	json_decref(i);
	return text;
}

static void test_print_tx_full_hints(void **state)
{
	static const char ports[] = "[{\"name\":\"vm1\",\"type\":\"vhost-user\"},"
				    "{\"name\":\"vm2\",\"type\":\"vhost-user\"},"
				    "{\"name\":\"tap0\",\"type\":\"tap\"}]";
	static const char before[] = "[{\"name\":\"vm1\",\"drops\":{\"tx_full\":100}},"
				     "{\"name\":\"vm2\",\"drops\":{\"tx_full\":5}},"
				     "{\"name\":\"tap0\",\"drops\":{\"tx_full\":1}}]";
	static const char after[] = "[{\"name\":\"vm1\",\"drops\":{\"tx_full\":400}},"
				    "{\"name\":\"vm2\",\"drops\":{\"tx_full\":5}},"
				    "{\"name\":\"tap0\",\"drops\":{\"tx_full\":9}}]";
	json_t *st;
	char *t;

	(void)state;
	/* idle workers: the receivers are slow; vm2's old drops did not grow: no hint */
	t = hints(ports, before, after,
		  "{\"workers\":[{\"cpu\":1,\"busy_pct\":12.5},{\"cpu\":2,\"busy_pct\":30.0}]}", 2);
	assert_string_equal(t,
			    "\n"
			    "hint: vm1: tx_full +300 in 0.5 s, busiest worker (cpu 2) 30% busy: "
			    "guest not draining its rx ring (the VM is slow or stuck; the switch "
			    "has cycles to spare)\n"
			    "hint: tap0: tx_full +8 in 0.5 s, busiest worker (cpu 2) 30% busy: "
			    "peer not draining (the device behind the port is slower than the "
			    "traffic to it; the switch has cycles to spare)\n");
	free(t);
	/* a worker with no cycles to spare: the switch is the bottleneck */
	t = hints(ports, before, after, "{\"workers\":[{\"cpu\":1,\"busy_pct\":97.0}]}", 2);
	assert_non_null(strstr(t, "hint: vm1: tx_full +300 in 0.5 s, busiest worker (cpu 1) 97% "
				  "busy: switch overloaded"));
	assert_null(strstr(t, "not draining"));
	free(t);
	/* nothing grew: nothing said */
	t = hints(ports, before, before, "{\"workers\":[{\"cpu\":1,\"busy_pct\":0.0}]}", 0);
	assert_string_equal(t, "");
	free(t);
	st = json_loads(after, 0, NULL);
	assert_int_equal(vswctl_tx_full_total(st), 414);
	json_decref(st);
}

static void test_print_info(void **state)
{
	(void)state;
	expect_print(VSWCTL_OUT_INFO,
		     "{\"version\":\"0.1.0\",\"protocol\":1,\"uptime_s\":12,\"hugepages\":false,"
		     "\"workers\":[{\"lcore\":1,\"cpu\":1,\"ports\":[\"p1\",\"p2\"],"
		     "\"busy_pct\":0.4},{\"lcore\":2,\"cpu\":3,\"ports\":[],\"busy_pct\":100}],"
		     "\"control_lcore\":0,\"idle_sleep_max_us\":500,\"bridges\":2,\"ports\":5,"
		     "\"new_field\":\"x\"}",
		     "version:           0.1.0\n"
		     "protocol:          1\n"
		     "uptime_s:          12\n"
		     "hugepages:         false\n"
		     "control_lcore:     0\n"
		     "idle_sleep_max_us: 500\n"
		     "bridges:           2\n"
		     "ports:             5\n"
		     "new_field:         x\n"
		     "workers:\n"
		     "  LCORE  CPU    BUSY  PORTS\n"
		     "      1    1    0.4%  p1,p2\n"
		     "      2    3  100.0%  -\n");
}

static void test_print_bridges_ports(void **state)
{
	(void)state;
	expect_print(VSWCTL_OUT_BRIDGES,
		     "[{\"name\":\"br0\",\"mac_aging_s\":300,\"max_macs\":65536,\"move_damp\":5,"
		     "\"move_damp_s\":10,\"ports\":[\"p1\",\"p2\"],\"macs_learned\":3,"
		     "\"macs_static\":1,\"counters\":{\"learned\":9,\"aged\":6,\"moves\":1,"
		     "\"move_damped\":0,\"limit_hit\":0,\"learn_lost\":1}},"
		     "{\"name\":\"br-long\",\"mac_aging_s\":5,\"max_macs\":1,\"move_damp\":0,"
		     "\"move_damp_s\":10,\"ports\":[],\"macs_learned\":0,\"macs_static\":0}]",
		     "BRIDGE   MACS  STATIC  MAX_MACS  AGING  MOVE_DAMP  PORTS\n"
		     "br0         3       1     65536   300s  5/10s      p1,p2\n"
		     "br-long     0       0         1     5s  off        -\n"
		     "\n"
		     "MAC learning counters:\n"
		     "BRIDGE   LEARNED  AGED  MOVES  MOVE_DAMPED  LIMIT_HIT  LEARN_LOST\n"
		     "br0            9     6      1            0          0           1\n"
		     "br-long        -     -      -            -          -           -\n");
	expect_print(VSWCTL_OUT_BRIDGES, "[]",
		     "BRIDGE  MACS  STATIC  MAX_MACS  AGING  MOVE_DAMP  PORTS\n");
	expect_print(
		VSWCTL_OUT_PORTS,
		"[{\"name\":\"p1\",\"type\":\"pcap\",\"options\":{\"rx_pcap\":\"in.pcap\","
		"\"infinite_rx\":true},\"dpdk_port\":0,\"link\":\"up\",\"bridge\":\"br0\","
		"\"vlan_mode\":\"access\",\"vlan\":10,\"trunk\":[],\"native\":0,\"worker\":1,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0},"
		"{\"name\":\"up0\",\"type\":\"af_packet\",\"options\":{\"iface\":\"veth0\"},"
		"\"dpdk_port\":1,\"link\":\"down\",\"bridge\":\"br0\",\"vlan_mode\":\"trunk\","
		"\"vlan\":0,\"trunk\":[10,\"20-30\"],\"native\":5,\"worker\":1,"
		"\"storm_pps\":1000,\"storm_burst\":32,\"max_macs\":100},"
		"{\"name\":\"r\",\"type\":\"ring\",\"options\":{},\"dpdk_port\":2,"
		"\"link\":\"up\",\"bridge\":null,\"vlan_mode\":\"none\",\"worker\":-1,"
		"\"storm_pps\":0,\"storm_burst\":64,\"max_macs\":0}]",
		"PORT  TYPE       LINK  BRIDGE  VLAN                     WORKER  DPDK  STORM_PPS"
		"  BURST  MAX_MACS  OPTIONS\n"
		"p1    pcap       up    br0     access 10                     1     0          -"
		"     64         -  rx_pcap=in.pcap,infinite_rx=true\n"
		"up0   af_packet  down  br0     trunk 10,20-30 native 5       1     1       1000"
		"     32       100  iface=veth0\n"
		"r     ring       up    -       -                             -     2          -"
		"     64         -  -\n");
}

static void test_print_bad_shape(void **state)
{
	char err[256];
	json_t *obj = json_pack("{s:i}", "x", 1), *arr = json_pack("[i]", 1);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	assert_int_equal(vswctl_print(f, VSWCTL_OUT_FDB, obj, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "expected an array"));
	assert_int_equal(vswctl_print(f, VSWCTL_OUT_STATS, arr, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "array of objects"));
	assert_int_equal(vswctl_print(f, VSWCTL_OUT_FLUSH, arr, err, sizeof(err)), -EPROTO);
	assert_int_equal(vswctl_print(f, VSWCTL_OUT_INFO, NULL, err, sizeof(err)), -EPROTO);
	assert_int_equal(vswctl_print(f, VSWCTL_OUT_BRIDGES, NULL, err, sizeof(err)), -EPROTO);
	fclose(f);
	assert_string_equal(text, ""); /* nothing half-printed */
	free(text);
	json_decref(obj);
	json_decref(arr);
}

static void test_print_json(void **state)
{
	json_t *res = json_loads("{\"b\":[1,{\"z\":true,\"a\":null}],\"a\":\"x\"}", 0, NULL);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	assert_int_equal(vswctl_print_json(f, res), 0);
	assert_int_equal(vswctl_print_json(f, NULL), 0); /* no result, no output */
	fclose(f);
	assert_string_equal(text, "{\n"
				  "  \"a\": \"x\",\n"
				  "  \"b\": [\n"
				  "    1,\n"
				  "    {\n"
				  "      \"a\": null,\n"
				  "      \"z\": true\n"
				  "    }\n"
				  "  ]\n"
				  "}\n");
	free(text);
	json_decref(res);
}

/* ---- reply parsing ---- */

static void test_reply_parse(void **state)
{
	struct vsw_reply r;
	char err[256];
	const char *s;

	(void)state;
	s = "{\"v\":1,\"id\":7,\"status\":0,\"result\":{\"flushed\":2},\"extra\":1}";
	assert_int_equal(vsw_reply_parse(s, strlen(s), 7, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.id, 7);
	assert_int_equal(json_integer_value(json_object_get(r.result, "flushed")), 2);
	assert_null(r.error);
	vsw_reply_clear(&r);

	s = "{\"v\":1,\"id\":7,\"status\":17,\"error\":\"bridge-add: bridge \\\"br0\\\" exists\"}";
	assert_int_equal(vsw_reply_parse(s, strlen(s), 7, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, EEXIST);
	assert_string_equal(r.error, "bridge-add: bridge \"br0\" exists");
	assert_null(r.result);
	vsw_reply_clear(&r);

	/* Without an error sentence, the errno's text stands in. */
	s = "{\"v\":1,\"id\":7,\"status\":2}";
	assert_int_equal(vsw_reply_parse(s, strlen(s), 7, &r, err, sizeof(err)), 0);
	assert_string_equal(r.error, strerror(ENOENT));
	vsw_reply_clear(&r);

	/* id 0 with an error: the daemon could not read our id (EBUSY, EPROTO). */
	s = "{\"v\":1,\"id\":0,\"status\":16,\"error\":\"too many clients\"}";
	assert_int_equal(vsw_reply_parse(s, strlen(s), 7, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, EBUSY);
	vsw_reply_clear(&r);

	static const struct {
		const char *line, *want;
	} bad[] = {
		{"", "not JSON"},
		{"{\"v\":1,", "not JSON"},
		{"[1]", "not a JSON object"},
		{"{\"id\":7,\"status\":0}", "no protocol version"},
		{"{\"v\":\"1\",\"id\":7,\"status\":0}", "no protocol version"},
		{"{\"v\":2,\"id\":7,\"status\":0}",
		 "version mismatch: the daemon speaks version 2"},
		{"{\"v\":1,\"id\":7}", "\"status\" missing"},
		{"{\"v\":1,\"id\":7,\"status\":-1}", "\"status\" missing or not an errno"},
		{"{\"v\":1,\"id\":7,\"status\":\"ok\"}", "\"status\""},
		{"{\"v\":1,\"id\":8,\"status\":0}", "reply id 8 does not match request id 7"},
		{"{\"v\":1,\"id\":0,\"status\":0}", "reply id 0 does not match"},
		{"{\"v\":1,\"id\":\"7\",\"status\":0}", "\"id\" is not an integer"},
		{"{\"v\":1,\"v\":1,\"id\":7,\"status\":0}", "not JSON"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (vsw_reply_parse(bad[i].line, strlen(bad[i].line), 7, &r, err, sizeof(err)) !=
		    -EPROTO)
			fail_msg("\"%s\" accepted", bad[i].line);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("\"%s\": error \"%s\" lacks \"%s\"", bad[i].line, err,
				 bad[i].want);
		assert_null(r.msg);
	}
}

/* ---- the client against a fake server ---- */

#define FAKE_MAX_STEPS 4

struct step {
	bool read;	   /* first read one request line */
	const char *write; /* then write this; one %lld is replaced by that request's id */
	size_t flood;	   /* or write this many 'x' (an endless reply) */
	bool trickle;	   /* one byte per write, to exercise partial reads */
};

struct fake {
	char dir[64];
	char path[100]; /* fits sun_path */
	int lfd;
	pthread_t thread;
	struct step steps[FAKE_MAX_STEPS];
	bool hold; /* after the steps, keep the connection until the client closes it */
	char req[FAKE_MAX_STEPS][1024];
	int nreq;
};

static void fake_send(int fd, const char *buf, size_t size, bool trickle)
{
	size_t off = 0;
	ssize_t n;

	while (off < size) {
		n = send(fd, buf + off, trickle ? 1 : size - off, MSG_NOSIGNAL);
		if (n <= 0)
			return; /* the client gave up; that is what some tests want */
		off += (size_t)n;
		if (trickle)
			usleep(200);
	}
}

/* One line, byte by byte (the fake has no need to be fast); 0 or -1 at EOF. */
static int fake_read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char c;

	while (recv(fd, &c, 1, 0) == 1) {
		if (c == '\n') {
			buf[len] = '\0';
			return 0;
		}
		if (len + 1 < size)
			buf[len++] = c;
	}
	return -1;
}

static void *fake_run(void *arg)
{
	struct fake *fk = arg;
	struct pollfd pfd = {.fd = fk->lfd, .events = POLLIN};
	long long id = -1;
	char out[1024], c;
	int fd, i;

	/* Bounded, so a test that never connects cannot hang the suite. */
	if (poll(&pfd, 1, 5000) != 1)
		return NULL;
	fd = accept(fk->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	for (i = 0; i < FAKE_MAX_STEPS; i++) {
		const struct step *s = &fk->steps[i];

		if (!s->read && s->write == NULL && s->flood == 0)
			break;
		if (s->read) {
			json_t *j;

			if (fake_read_line(fd, fk->req[fk->nreq], sizeof(fk->req[0])) < 0)
				break;
			j = json_loads(fk->req[fk->nreq], 0, NULL);
			id = json_integer_value(json_object_get(j, "id"));
			json_decref(j);
			fk->nreq++;
		}
		if (s->write != NULL) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(out, sizeof(out), s->write, id);
#pragma GCC diagnostic pop
			fake_send(fd, out, strlen(out), s->trickle);
		}
		if (s->flood > 0) {
			char *x = malloc(s->flood);

			memset(x, 'x', s->flood);
			fake_send(fd, x, s->flood, false);
			free(x);
		}
	}
	if (fk->hold) {
		pfd.fd = fd;
		while (poll(&pfd, 1, 5000) == 1 && recv(fd, &c, 1, 0) == 1)
			;
	}
	close(fd);
	return NULL;
}

static void fake_start(struct fake *fk)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(fk->dir, sizeof(fk->dir), "/tmp/test_vswctl.XXXXXX");
	assert_non_null(mkdtemp(fk->dir));
	snprintf(fk->path, sizeof(fk->path), "%s/sock", fk->dir);
	memcpy(sa.sun_path, fk->path, sizeof(fk->path));
	fk->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fk->lfd >= 0);
	assert_int_equal(bind(fk->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fk->lfd, 4), 0);
	assert_int_equal(pthread_create(&fk->thread, NULL, fake_run, fk), 0);
}

static void fake_stop(struct fake *fk)
{
	pthread_join(fk->thread, NULL);
	close(fk->lfd);
	unlink(fk->path);
	rmdir(fk->dir);
}

static struct vsw_client *connect_ok(struct fake *fk, int timeout_ms)
{
	char err[256];
	struct vsw_client *c = vsw_client_connect(fk->path, timeout_ms, err, sizeof(err));

	if (c == NULL)
		fail_msg("connect: %s", err);
	return c;
}

static void test_client_call(void **state)
{
	struct fake fk = {
		.steps =
			{
				{.read = true,
				 .write =
					 "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":[{\"name\":\"p1\"}]}\n",
				 .trickle = true},
				/* Two replies in one write: the second waits in the buffer. */
				{.read = true,
				 .write =
					 "{\"v\":1,\"id\":2,\"status\":2,\"error\":\"no port \\\"p9\\\"\"}\n"
					 "{\"v\":1,\"id\":3,\"status\":0}\n"},
				{.read = true},
			},
		.hold = true,
	};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256];
	json_t *args;

	(void)state;
	fake_start(&fk);
	c = connect_ok(&fk, 2000);
	args = json_pack("{s:s}", "name", "p1");
	assert_int_equal(vsw_client_call(c, "port-list", args, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.result, 0), "name")),
			    "p1");
	vsw_reply_clear(&r);
	assert_int_equal(vsw_client_call(c, "port-del", args, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, ENOENT);
	assert_string_equal(r.error, "no port \"p9\"");
	vsw_reply_clear(&r);
	assert_int_equal(vsw_client_call(c, "stats-clear", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_null(r.result);
	vsw_reply_clear(&r);
	json_decref(args);
	vsw_client_close(c);
	fake_stop(&fk);
	/* What went over the wire: one compact line per request, ids counting up. */
	assert_int_equal(fk.nreq, 3);
	assert_string_equal(fk.req[0], "{\"v\":1,\"id\":1,\"cmd\":\"port-list\","
				       "\"args\":{\"name\":\"p1\"}}");
	assert_string_equal(fk.req[1], "{\"v\":1,\"id\":2,\"cmd\":\"port-del\","
				       "\"args\":{\"name\":\"p1\"}}");
	assert_string_equal(fk.req[2], "{\"v\":1,\"id\":3,\"cmd\":\"stats-clear\"}");
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_client_timeout(void **state)
{
	struct fake fk = {.steps = {{.read = true}}, .hold = true};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256];
	int64_t t0, dt;

	(void)state;
	fake_start(&fk);
	c = connect_ok(&fk, 200);
	t0 = mono_ms();
	assert_int_equal(vsw_client_call(c, "info", NULL, &r, err, sizeof(err)), -ETIMEDOUT);
	dt = mono_ms() - t0;
	assert_true(dt >= 190 && dt < 3000);
	assert_non_null(strstr(err, "no reply from "));
	assert_non_null(strstr(err, "within 0.200 s"));
	/* A late reply could now be mistaken for the next one's: the client refuses. */
	assert_int_equal(vsw_client_call(c, "info", NULL, &r, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "unusable after an earlier error"));
	vsw_client_close(c);
	fake_stop(&fk);
}

static void test_client_version_mismatch(void **state)
{
	struct fake fk = {
		.steps = {{.read = true,
			   .write = "{\"v\":2,\"id\":%lld,\"status\":71,"
				    "\"error\":\"unsupported protocol version 1\"}\n"}},
		.hold = true,
	};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256];

	(void)state;
	fake_start(&fk);
	c = connect_ok(&fk, 2000);
	assert_int_equal(vsw_client_call(c, "info", NULL, &r, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "protocol version mismatch: the daemon speaks version 2, this "
				 "client speaks 1: unsupported protocol version 1");
	assert_null(r.msg);
	vsw_client_close(c);
	fake_stop(&fk);
}

static void test_client_oversized(void **state)
{
	struct fake fk = {.steps = {{.read = true, .flood = 300000}}, .hold = true};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256];

	(void)state;
	fake_start(&fk);
	c = connect_ok(&fk, 2000);
	vsw_client_set_max_reply(c, 100000);
	assert_int_equal(vsw_client_call(c, "fdb-show", NULL, &r, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "is longer than 100000 bytes"));
	vsw_client_close(c);
	fake_stop(&fk);

	/* A reply exactly at the limit (the newline not counted) still passes. */
	memset(&fk, 0, sizeof(fk));
	fk.steps[0] = (struct step){.read = true, .write = "{\"v\":1,\"id\":%lld,\"status\":0}\n"};
	fk.hold = true;
	fake_start(&fk);
	c = connect_ok(&fk, 2000);
	vsw_client_set_max_reply(c, strlen("{\"v\":1,\"id\":1,\"status\":0}"));
	assert_int_equal(vsw_client_call(c, "info", NULL, &r, err, sizeof(err)), 0);
	vsw_reply_clear(&r);
	vsw_client_close(c);
	fake_stop(&fk);
}

static void test_client_broken_replies(void **state)
{
	static const struct {
		struct step step;
		int rc;
		const char *want;
	} cases[] = {
		{{.read = true}, -ECONNRESET, "closed the connection without replying"},
		{{.read = true, .write = "{\"v\":1,\"id\":%lld,"},
		 -ECONNRESET,
		 "in the middle of a reply"},
		{{.read = true, .write = "hello\n"}, -EPROTO, "not JSON"},
		{{.read = true, .write = "{\"v\":1,\"id\":99,\"status\":0}\n"},
		 -EPROTO,
		 "reply id 99 does not match request id 1"},
		/* The daemon refusing us before reading a byte (17th client). */
		{{.write = "{\"v\":1,\"id\":0,\"status\":16,\"error\":\"too many clients\"}\n"},
		 0,
		 NULL},
	};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake fk = {.steps = {cases[i].step}};

		fake_start(&fk);
		c = connect_ok(&fk, 2000);
		if (cases[i].rc == 0)
			usleep(50000); /* let the refusal arrive and the socket close first */
		err[0] = '\0';
		if (vsw_client_call(c, "info", NULL, &r, err, sizeof(err)) != cases[i].rc)
			fail_msg("case %zu: expected %d (%s)", i, cases[i].rc, err);
		if (cases[i].want != NULL && strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
		if (cases[i].rc == 0) {
			assert_int_equal(r.status, EBUSY);
			assert_string_equal(r.error, "too many clients");
			vsw_reply_clear(&r);
		}
		vsw_client_close(c);
		fake_stop(&fk);
	}
}

static void test_client_request_limits(void **state)
{
	struct fake fk = {.hold = true};
	struct vsw_client *c;
	struct vsw_reply r;
	char err[256], *big, *reply;
	json_t *args;

	(void)state;
	fake_start(&fk);
	c = connect_ok(&fk, 2000);
	big = malloc(70000);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	args = json_pack("{s:s}", "name", big);
	/* Refused before sending: the dataplane would cut the connection. */
	assert_int_equal(vsw_client_call(c, "info", args, &r, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "the protocol allows 65536"));
	assert_int_equal(vsw_client_raw(c, "{}\n{}", &reply, err, sizeof(err)), -EINVAL);
	json_decref(args);
	free(big);
	vsw_client_close(c);
	fake_stop(&fk);
	assert_int_equal(fk.nreq, 0);
}

static void test_client_connect_fail(void **state)
{
	char err[256], path[200];
	struct vsw_client *c;

	(void)state;
	c = vsw_client_connect("/tmp/test_vswctl.nonexistent/sock", 500, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "cannot connect to /tmp/test_vswctl.nonexistent/sock: No such "
				 "file or directory; is vsw-dataplane running?");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	c = vsw_client_connect(path, 500, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_non_null(strstr(err, "socket path longer than"));
}

/* ---- the whole program ---- */

struct run {
	int rc;
	char *out, *err;
};

static void run_main(struct run *res, const char *sock, const char *line)
{
	char buf[512], *argv[MAX_WORDS + 3];
	size_t osize = 0, esize = 0;
	FILE *out, *errf;
	int argc = 0;

	argv[argc++] = "vswctl";
	if (sock != NULL) {
		argv[argc++] = "-s";
		argv[argc++] = (char *)sock;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	argc += split(buf, argv + argc);
	argv[argc] = NULL;
	out = open_memstream(&res->out, &osize);
	errf = open_memstream(&res->err, &esize);
	res->rc = vswctl_main(argc, argv, out, errf);
	fclose(out);
	fclose(errf);
}

static void run_free(struct run *res)
{
	free(res->out);
	free(res->err);
}

/* Serve one request with reply (a format with one %lld for the id) and run line. */
static void run_with_reply(struct run *res, const char *reply, const char *line, char *req,
			   size_t reqsize)
{
	struct fake fk = {.steps = {{.read = true, .write = reply}}};

	fake_start(&fk);
	run_main(res, fk.path, line);
	fake_stop(&fk);
	if (req != NULL)
		snprintf(req, reqsize, "%s", fk.nreq ? fk.req[0] : "");
}

static void test_main_success(void **state)
{
	struct run res;
	char req[1024];

	(void)state;
	run_with_reply(
		&res,
		"{\"v\":1,\"id\":%lld,\"status\":0,\"result\":[{\"mac\":\"02:00:00:00:00:01\","
		"\"vlan\":1,\"port\":\"p1\",\"type\":\"learned\",\"age_s\":3}]}\n",
		"fdb show br0 vlan=1", req, sizeof(req));
	assert_int_equal(res.rc, 0);
	assert_string_equal(req, "{\"v\":1,\"id\":1,\"cmd\":\"fdb-show\","
				 "\"args\":{\"bridge\":\"br0\",\"vlan\":1}}");
	assert_string_equal(res.out, "PORT  VLAN  MAC                TYPE     AGE\n"
				     "p1       1  02:00:00:00:00:01  learned    3\n");
	assert_string_equal(res.err, "");
	run_free(&res);

	run_with_reply(&res, "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":{\"flushed\":4}}\n",
		       "-j fdb flush br0 static", req, sizeof(req));
	assert_int_equal(res.rc, 0);
	assert_string_equal(res.out, "{\n  \"flushed\": 4\n}\n");
	run_free(&res);

	/* State changes print nothing. */
	run_with_reply(&res, "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":{}}\n",
		       "--timeout 2.5 bridge add br0 aging=30", req, sizeof(req));
	assert_int_equal(res.rc, 0);
	assert_string_equal(res.out, "");
	assert_string_equal(req, "{\"v\":1,\"id\":1,\"cmd\":\"bridge-add\","
				 "\"args\":{\"name\":\"br0\",\"mac_aging_s\":30}}");
	run_free(&res);
}

static void test_main_errors(void **state)
{
	struct run res;
	char req[1024];

	(void)state;
	run_with_reply(&res,
		       "{\"v\":1,\"id\":%lld,\"status\":2,\"error\":\"bridge-del: no bridge "
		       "\\\"br9\\\"\"}\n",
		       "bridge del br9", req, sizeof(req));
	assert_int_equal(res.rc, 1);
	assert_string_equal(res.out, "");
	assert_string_equal(res.err, "vswctl: bridge-del: no bridge \"br9\"\n");
	run_free(&res);

	/* --if-exists makes ENOENT success, quietly... */
	run_with_reply(&res,
		       "{\"v\":1,\"id\":%lld,\"status\":2,\"error\":\"bridge-del: no bridge\"}\n",
		       "bridge del br9 --if-exists", req, sizeof(req));
	assert_int_equal(res.rc, 0);
	assert_string_equal(res.err, "");
	run_free(&res);

	/* ...but not any other failure. */
	run_with_reply(
		&res,
		"{\"v\":1,\"id\":%lld,\"status\":16,\"error\":\"bridge-del: ports attached\"}\n",
		"bridge del br0 --if-exists", req, sizeof(req));
	assert_int_equal(res.rc, 1);
	assert_string_equal(res.err, "vswctl: bridge-del: ports attached\n");
	run_free(&res);

	run_with_reply(&res, "{\"v\":1,\"id\":%lld,\"status\":17,\"error\":\"exists\"}\n",
		       "port add p1 ring --may-exist", req, sizeof(req));
	assert_int_equal(res.rc, 0);
	run_free(&res);

	/* A reply of the wrong shape is an error, not a crash or half a table. */
	run_with_reply(&res, "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":{\"x\":1}}\n", "stats",
		       req, sizeof(req));
	assert_int_equal(res.rc, 1);
	assert_string_equal(res.out, "");
	assert_non_null(strstr(res.err, "vswctl: unexpected stats in the reply"));
	run_free(&res);

	run_main(&res, "/tmp/test_vswctl.nonexistent/sock", "info");
	assert_int_equal(res.rc, 1);
	assert_string_equal(res.err, "vswctl: cannot connect to /tmp/test_vswctl.nonexistent/sock: "
				     "No such file or directory; is vsw-dataplane running?\n");
	run_free(&res);
}

/* apply --dry-run against a fake controller: the summary counts objects, the body lists
 * the same objects (a replaced one as -/+), each with its steps in the order they run,
 * and exits 2 (changes planned). */
static void test_main_plan(void **state)
{
	struct fake fk = {
		.steps = {
			{.read = true,
			 .write =
				 "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":{\"changes\":["
				 "{\"sign\":\"-\",\"object\":\"port\",\"name\":\"c\",\"text\":\"null\"},"
				 "{\"sign\":\"~\",\"object\":\"bridge\",\"name\":\"br0\","
				 "\"text\":\"mac_aging_s 60 -> 90\"},"
				 "{\"sign\":\"+\",\"object\":\"port\",\"name\":\"c\",\"text\":\"ring\"}],"
				 "\"objects\":[{\"sign\":\"-/+\",\"object\":\"port\",\"name\":\"c\","
				 "\"steps\":[0,2]},{\"sign\":\"~\",\"object\":\"bridge\",\"name\":"
				 "\"br0\",\"steps\":[1]}],\"add\":1,\"change\":1,\"remove\":1,"
				 "\"notes\":[]}}\n"}}};
	char file[] = "/tmp/test_vswctl.topo.XXXXXX", line[512];
	struct run res;
	int fd;

	(void)state;
	fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "version: 1\n", 11), 11);
	close(fd);
	fake_start(&fk);
	snprintf(line, sizeof(line), "--controller %s apply -f %s --dry-run", fk.path, file);
	run_main(&res, NULL, line);
	fake_stop(&fk);
	unlink(file);
	assert_int_equal(res.rc, 2);
	assert_non_null(strstr(fk.req[0], "\"cmd\":\"apply\""));
	snprintf(line, sizeof(line),
		 "Plan for %s: 1 to add, 1 to change, 1 to remove.\n"
		 "-/+ port c: replaced: removed, then added again\n"
		 "    - port c      null\n"
		 "    + port c      ring\n"
		 "~ bridge br0: changed in place\n"
		 "    ~ bridge br0  mac_aging_s 60 -> 90\n"
		 "Dry run: nothing was changed.\n",
		 file);
	assert_string_equal(res.out, line);
	run_free(&res);
}

/* A change kept by a controller: the edit carries the words as typed, and the checks'
 * errors print under them, as the controller names them. */
static void test_main_edit_errors(void **state)
{
	struct fake fk = {
		.steps = {{.read = true,
			   .write = "{\"v\":1,\"id\":%lld,\"status\":0,\"result\":{"
				    "\"dataplane_socket\":\"/tmp/test_vswctl.dp.sock\"}}\n"},
			  {.read = true,
			   .write =
				   "{\"v\":1,\"id\":%lld,\"status\":22,\"error\":\"port attach p1 "
				   "br0 vlan=5: 1 error, nothing changed\",\"errors\":[{\"file\":"
				   "\"port attach p1 br0 vlan=5\",\"line\":0,\"column\":0,\"path\":"
				   "\"vlan\",\"message\":\"no\"}]}\n"}}};
	char line[256];
	struct run res;
	json_t *req;

	(void)state;
	fake_start(&fk);
	snprintf(line, sizeof(line), "--controller %s port attach p1 br0 vlan=5", fk.path);
	run_main(&res, "/tmp/test_vswctl.dp.sock", line);
	fake_stop(&fk);
	assert_int_equal(res.rc, 1);
	assert_int_equal(fk.nreq, 2);
	req = json_loads(fk.req[1], 0, NULL);
	assert_non_null(req);
	assert_string_equal(json_string_value(json_object_get(req, "cmd")), "edit");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(req, "args"), "source")),
		"port attach p1 br0 vlan=5");
	json_decref(req);
	assert_string_equal(res.err,
			    "port attach p1 br0 vlan=5: error: vlan: no\n"
			    "vswctl: port attach p1 br0 vlan=5: 1 error, nothing changed\n");
	run_free(&res);
}

static void test_main_usage(void **state)
{
	/* The socket does not exist: had anything been sent, the exit would be 1. */
	static const char *sock = "/tmp/test_vswctl.nonexistent/sock";
	static const struct {
		const char *line, *want;
	} cases[] = {
		{"", "vswctl: missing command\nTry 'vswctl --help' for more information.\n"},
		{"fdb add br0 nope p1", "vswctl: fdb add: invalid MAC address \"nope\" (expected "
					"xx:xx:xx:xx:xx:xx)\nTry 'vswctl fdb add --help' for more "
					"information.\n"},
		{"bridge zap", "Try 'vswctl bridge --help'"},
		{"-t soon info", "vswctl: invalid timeout \"soon\""},
		{"-t -1 info", "invalid timeout"},
		{"--bogus info", "vswctl: unknown option \"--bogus\""},
		{"-x info", "vswctl: unknown option \"-x\""},
		{"info -s", "info: takes no arguments (got \"-s\")"},
	};
	struct run res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_main(&res, sock, cases[i].line);
		if (res.rc != 2 || strstr(res.err, cases[i].want) == NULL)
			fail_msg("\"%s\": rc %d, stderr \"%s\", wanted \"%s\"", cases[i].line,
				 res.rc, res.err, cases[i].want);
		assert_string_equal(res.out, "");
		run_free(&res);
	}
	run_main(&res, NULL, "-s");
	assert_int_equal(res.rc, 2);
	assert_non_null(strstr(res.err, "option -s needs a value"));
	run_free(&res);

	run_main(&res, sock, "port attach --help");
	assert_int_equal(res.rc, 0);
	assert_non_null(strstr(res.out, "usage: vswctl [OPTIONS] port attach PORT BRIDGE"));
	run_free(&res);
	run_main(&res, sock, "-V");
	assert_int_equal(res.rc, 0);
	assert_non_null(strstr(res.out, "(protocol 1)"));
	run_free(&res);
}

static void test_main_raw_and_env(void **state)
{
	struct fake fk = {
		.steps = {{.read = true,
			   .write = "{\"v\":1,\"id\":%lld,\"status\":95,"
				    "\"error\":\"unknown command\"}\n"}},
	};
	struct run res;

	(void)state;
	fake_start(&fk);
	/* No -s: $VSW_SOCKET names the socket. */
	setenv("VSW_SOCKET", fk.path, 1);
	run_main(&res, NULL, "raw {\"v\":1,\"id\":42,\"cmd\":\"frob\"}");
	unsetenv("VSW_SOCKET");
	fake_stop(&fk);
	assert_string_equal(fk.req[0], "{\"v\":1,\"id\":42,\"cmd\":\"frob\"}");
	assert_int_equal(res.rc, 1);
	assert_string_equal(res.out,
			    "{\"v\":1,\"id\":42,\"status\":95,\"error\":\"unknown command\"}\n");
	assert_string_equal(res.err, "");
	run_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_info),
		cmocka_unit_test(test_parse_bridge),
		cmocka_unit_test(test_parse_port),
		cmocka_unit_test(test_parse_attach),
		cmocka_unit_test(test_parse_fdb),
		cmocka_unit_test(test_parse_stats_raw),
		cmocka_unit_test(test_parse_help),
		cmocka_unit_test(test_print_fdb),
		cmocka_unit_test(test_print_stats),
		cmocka_unit_test(test_print_tx_full_hints),
		cmocka_unit_test(test_print_info),
		cmocka_unit_test(test_print_bridges_ports),
		cmocka_unit_test(test_print_bad_shape),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_reply_parse),
		cmocka_unit_test(test_client_call),
		cmocka_unit_test(test_client_timeout),
		cmocka_unit_test(test_client_version_mismatch),
		cmocka_unit_test(test_client_oversized),
		cmocka_unit_test(test_client_broken_replies),
		cmocka_unit_test(test_client_request_limits),
		cmocka_unit_test(test_client_connect_fail),
		cmocka_unit_test(test_main_success),
		cmocka_unit_test(test_main_errors),
		cmocka_unit_test(test_main_plan),
		cmocka_unit_test(test_main_edit_errors),
		cmocka_unit_test(test_main_usage),
		cmocka_unit_test(test_main_raw_and_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
