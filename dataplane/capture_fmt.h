/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture file blocks, written by hand rather than with rte_pcapng: DPDK 22.11's writer
 * names interfaces after ethdev devices (not our port names), cannot add interfaces
 * later in a stream, and has no per-packet comment, which `capture --drops` needs to say
 * why each frame died. Pure functions on byte buffers, no DPDK, no I/O: the unit tests
 * check them byte by byte and tshark reads what they make (tests/e2e/capture_test.sh).
 * Each function returns the number of bytes written, or 0 when size is too small.
 */
#ifndef VSW_CAPTURE_FMT_H
#define VSW_CAPTURE_FMT_H

#include <stddef.h>
#include <stdint.h>

#define CAPFMT_LINKTYPE_ETHERNET 1
#define CAPFMT_SNAPLEN_MAX 262144
#define CAPFMT_COMMENT_MAX 255

/* pcapng enhanced packet block flags, direction bits */
enum capfmt_dir { CAPFMT_DIR_NONE = 0, CAPFMT_DIR_IN = 1, CAPFMT_DIR_OUT = 2 };

/* Bytes an EPB takes at most for caplen bytes of packet and a comment of comment_len. */
#define CAPFMT_EPB_MAX(caplen, comment_len) (32 + (caplen) + 3 + 8 + 8 + (comment_len) + 3 + 4 + 4)

/* pcapng section header block, with shb_userappl = appl. */
size_t capfmt_pcapng_shb(uint8_t *buf, size_t size, const char *appl);
/* pcapng interface description: Ethernet, nanosecond timestamps, if_name, and the
 * capture filter (if_filter) when filter is neither NULL nor empty. */
size_t capfmt_pcapng_idb(uint8_t *buf, size_t size, const char *name, const char *filter,
			 uint32_t snaplen);
/* pcapng enhanced packet block: caplen bytes of data captured of a frame of orig_len
 * bytes at ts_ns (Unix time), on interface ifid; epb_flags direction when dir is not
 * NONE; opt_comment when comment is neither NULL nor empty (cut at CAPFMT_COMMENT_MAX). */
size_t capfmt_pcapng_epb(uint8_t *buf, size_t size, uint32_t ifid, uint64_t ts_ns, const void *data,
			 uint32_t caplen, uint32_t orig_len, enum capfmt_dir dir,
			 const char *comment);

/* Classic pcap, nanosecond variant (magic 0xa1b23c4d), Ethernet. */
size_t capfmt_pcap_header(uint8_t *buf, size_t size, uint32_t snaplen);
size_t capfmt_pcap_record(uint8_t *buf, size_t size, uint64_t ts_ns, const void *data,
			  uint32_t caplen, uint32_t orig_len);

/* One line about a frame for a person (traces): MACs, VLAN tags, IPv4/IPv6/ARP summary, size.
 * Returns the length written (cut to size - 1), always NUL-terminated when size > 0. */
size_t capfmt_describe(char *buf, size_t size, const uint8_t *d, uint32_t len);

#endif
