/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reply contract both control sockets share (docs/protocol.md "Reply"), checked by the
 * fuzz targets of the dataplane's and the controller's request handlers: one line of JSON
 * of protocol version 1 with an integer id and a non-negative status, and a result on
 * success or an error sentence on failure. Anything else traps, so libFuzzer keeps the
 * input that produced it.
 */
#ifndef VSW_FUZZ_REPLY_H
#define VSW_FUZZ_REPLY_H

#include <string.h>

#include <jansson.h>

static inline void fuzz_check_reply(const char *out)
{
	json_t *r, *st;

	if (out == NULL || strchr(out, '\n') != NULL)
		__builtin_trap();
	r = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	if (r == NULL)
		__builtin_trap();
	st = json_object_get(r, "status");
	if (json_integer_value(json_object_get(r, "v")) != 1 ||
	    !json_is_integer(json_object_get(r, "id")) || !json_is_integer(st) ||
	    json_integer_value(st) < 0)
		__builtin_trap();
	if (json_integer_value(st) == 0 ? json_object_get(r, "result") == NULL
					: !json_is_string(json_object_get(r, "error")))
		__builtin_trap();
	json_decref(r);
}

#endif
