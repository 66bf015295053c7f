/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the control socket's request handling (ctl_handlers.c and the
 * vsw_util.c parsers it uses) against the fake dataplane of tests/unit/fake_dp.c. The
 * input is split into lines and each is one request to the same fresh dataplane, so a
 * sequence (bridge-add, port-add, port-attach, fdb-add, fdb-show) can be reached from
 * one input and a crash replays the same way. The first byte's low bit picks whether the
 * peer may write. Besides the sanitizers, every reply must be one line of JSON of
 * protocol version 1 with a status and either a result or an error, and the shared
 * parsers must round-trip what they accept.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_reply.h"
#include "ctl_handlers.h"
#include "fake_dp.h"
#include "vsw_util.h"

/* What vsw_vlan_list_parse and vsw_mac_parse accept, their format gives back. */
static void check_parsers(const char *line)
{
	uint8_t bm[512], back[512], mac[6], mac2[6];
	static char buf[16384];
	char err[128], macs[18];

	if (vsw_vlan_list_parse(line, bm, err, sizeof(err)) == 0) {
		vsw_vlan_list_format(bm, buf, sizeof(buf));
		if (vsw_vlan_list_parse(buf, back, err, sizeof(err)) != 0 ||
		    memcmp(bm, back, sizeof(bm)) != 0)
			__builtin_trap();
	}
	if (vsw_mac_parse(line, mac) == 0) {
		vsw_mac_format(mac, macs);
		if (vsw_mac_parse(macs, mac2) != 0 || memcmp(mac, mac2, 6) != 0)
			__builtin_trap();
	}
	if (vsw_name_valid(line) && (strlen(line) == 0 || strlen(line) > 31))
		__builtin_trap();
}

/* One fake dataplane for the run, reset before each input: allocating its megabyte
 * afresh every time made the fuzzer several times slower. */
static struct dp *fuzz_dp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1); /* jansson seeds its hash from /dev/urandom otherwise */
	fuzz_dp = fake_dp_new();
	return fuzz_dp != NULL ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp *dp = fuzz_dp;
	bool may_write;
	size_t off = 1;

	if (size < 1)
		return 0;
	may_write = (data[0] & 1) == 0;
	fake_dp_reset(dp);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len + 1);
		char *out;

		if (line == NULL)
			break;
		memcpy(line, data + off, len);
		line[len] = '\0';
		/* the server hands over lines that are not NUL-terminated: so do we, sized */
		out = ctl_handle_request(dp, (const char *)data + off, len, may_write);
		fuzz_check_reply(out);
		free(out);
		if (len < 20000)
			check_parsers(line);
		free(line);
		off += len + 1;
	}
	return 0;
}
