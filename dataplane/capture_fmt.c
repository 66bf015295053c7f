/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng and pcap blocks (see capture_fmt.h). Host byte order throughout: pcapng and
 * pcap readers detect it from the byte-order magic of the section or file header.
 * Layouts: draft-ietf-opsawg-pcapng sections 4.1 (SHB), 4.2 (IDB), 4.3 (EPB).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "capture_fmt.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du

#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_TSRESOL 9
#define IF_FILTER 11
#define EPB_FLAGS 2

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

struct wbuf {
	uint8_t *p;
	size_t size, off;
	int overflow;
};

static void put(struct wbuf *w, const void *data, size_t n)
{
	if (w->overflow || n > w->size - w->off) {
		w->overflow = 1;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->off, data, n);
	w->off += n;
}

static void put32(struct wbuf *w, uint32_t v)
{
	put(w, &v, 4);
}

static void put16(struct wbuf *w, uint16_t v)
{
	put(w, &v, 2);
}

static void put_zeros(struct wbuf *w, size_t n)
{
	static const uint8_t z[4];

	put(w, z, n);
}

/* An option: code, length, value, padding to 4 bytes. */
static void put_opt(struct wbuf *w, uint16_t code, const void *v, size_t len)
{
	put16(w, code);
	put16(w, (uint16_t)len);
	put(w, v, len);
	put_zeros(w, pad4(len) - len);
}

/* Close a block started at start: end-of-options if asked, trailing length, and the
 * length patched into the header. */
static size_t block_end(struct wbuf *w, size_t start, int with_opts)
{
	uint32_t len;

	if (with_opts)
		put_opt(w, OPT_END, NULL, 0);
	len = (uint32_t)(w->off - start + 4);
	put32(w, len);
	if (w->overflow)
		return 0;
	memcpy(w->p + start + 4, &len, 4);
	return len;
}

size_t capfmt_pcapng_shb(uint8_t *buf, size_t size, const char *appl)
{
	struct wbuf w = {buf, size, 0, 0};
	uint64_t section_len = UINT64_MAX; /* unknown: we stream */

	put32(&w, PCAPNG_SHB);
	put32(&w, 0);
	put32(&w, PCAPNG_BOM);
	put16(&w, 1);
	put16(&w, 0);
	put(&w, &section_len, 8);
	if (appl != NULL && appl[0] != '\0')
		put_opt(&w, SHB_USERAPPL, appl, strnlen(appl, 256));
	return block_end(&w, 0, 1);
}

size_t capfmt_pcapng_idb(uint8_t *buf, size_t size, const char *name, const char *filter,
			 uint32_t snaplen)
{
	struct wbuf w = {buf, size, 0, 0};
	uint8_t tsresol = 9; /* 10^-9: nanoseconds */
	uint8_t fbuf[1 + 1024];
	size_t flen;

	put32(&w, PCAPNG_IDB);
	put32(&w, 0);
	put16(&w, CAPFMT_LINKTYPE_ETHERNET);
	put16(&w, 0);
	put32(&w, snaplen);
	put_opt(&w, IF_NAME, name, strnlen(name, 256));
	put_opt(&w, IF_TSRESOL, &tsresol, 1);
	if (filter != NULL && filter[0] != '\0') {
		/* first byte 0: a libpcap filter string */
		flen = strnlen(filter, sizeof(fbuf) - 1);
		fbuf[0] = 0;
		memcpy(fbuf + 1, filter, flen);
		put_opt(&w, IF_FILTER, fbuf, flen + 1);
	}
	return block_end(&w, 0, 1);
}

size_t capfmt_pcapng_epb(uint8_t *buf, size_t size, uint32_t ifid, uint64_t ts_ns, const void *data,
			 uint32_t caplen, uint32_t orig_len, enum capfmt_dir dir,
			 const char *comment)
{
	struct wbuf w = {buf, size, 0, 0};
	int opts = dir != CAPFMT_DIR_NONE || (comment != NULL && comment[0] != '\0');

	put32(&w, PCAPNG_EPB);
	put32(&w, 0);
	put32(&w, ifid);
	put32(&w, (uint32_t)(ts_ns >> 32));
	put32(&w, (uint32_t)ts_ns);
	put32(&w, caplen);
	put32(&w, orig_len);
	put(&w, data, caplen);
	put_zeros(&w, pad4(caplen) - caplen);
	if (dir != CAPFMT_DIR_NONE) {
		uint32_t flags = (uint32_t)dir;

		put_opt(&w, EPB_FLAGS, &flags, 4);
	}
	if (comment != NULL && comment[0] != '\0')
		put_opt(&w, OPT_COMMENT, comment, strnlen(comment, CAPFMT_COMMENT_MAX));
	return block_end(&w, 0, opts);
}

size_t capfmt_pcap_header(uint8_t *buf, size_t size, uint32_t snaplen)
{
	struct wbuf w = {buf, size, 0, 0};

	put32(&w, 0xa1b23c4du); /* nanosecond timestamps */
	put16(&w, 2);
	put16(&w, 4);
	put32(&w, 0); /* thiszone */
	put32(&w, 0); /* sigfigs */
	put32(&w, snaplen);
	put32(&w, CAPFMT_LINKTYPE_ETHERNET);
	return w.overflow ? 0 : w.off;
}

size_t capfmt_pcap_record(uint8_t *buf, size_t size, uint64_t ts_ns, const void *data,
			  uint32_t caplen, uint32_t orig_len)
{
	struct wbuf w = {buf, size, 0, 0};

	put32(&w, (uint32_t)(ts_ns / 1000000000u));
	put32(&w, (uint32_t)(ts_ns % 1000000000u));
	put32(&w, caplen);
	put32(&w, orig_len);
	put(&w, data, caplen);
	return w.overflow ? 0 : w.off;
}

/* ---- one line about a frame, for traces ---- */

static void mac_str(char *s, const uint8_t *a)
{
	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

size_t capfmt_describe(char *buf, size_t size, const uint8_t *d, uint32_t len)
{
	char src[18], dst[18];
	uint32_t off = 12;
	uint16_t et;
	int n = 0;

#define OUT(...)                                                                                   \
	do {                                                                                       \
		if ((size_t)n < size) {                                                            \
			int w_ = snprintf(buf + n, size - (size_t)n, __VA_ARGS__);                 \
			n += w_ > 0 ? w_ : 0;                                                      \
		}                                                                                  \
	} while (0)

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (len < 14) {
		OUT("%u bytes: shorter than an Ethernet header", len);
		goto out;
	}
	mac_str(dst, d);
	mac_str(src, d + 6);
	OUT("%s > %s", src, dst);
	et = (uint16_t)(d[off] << 8 | d[off + 1]);
	while ((et == 0x8100 || et == 0x88a8) && len >= off + 6) {
		OUT(", %s vlan %u pcp %u", et == 0x8100 ? "802.1Q" : "802.1ad",
		    (d[off + 2] & 0x0f) << 8 | d[off + 3], d[off + 2] >> 5);
		off += 4;
		et = (uint16_t)(d[off] << 8 | d[off + 1]);
	}
	off += 2;
	if (et == 0x0800 && len >= off + 20) {
		const uint8_t *ip = d + off;
		uint32_t ihl = (ip[0] & 0x0f) * 4u;

		OUT(", IPv4 %u.%u.%u.%u > %u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15], ip[16],
		    ip[17], ip[18], ip[19]);
		if (ip[9] == 1)
			OUT(" ICMP");
		else if ((ip[9] == 6 || ip[9] == 17) && ihl >= 20 && len >= off + ihl + 4)
			OUT(" %s %u > %u", ip[9] == 6 ? "TCP" : "UDP", ip[ihl] << 8 | ip[ihl + 1],
			    ip[ihl + 2] << 8 | ip[ihl + 3]);
		else
			OUT(" proto %u", ip[9]);
	} else if (et == 0x86dd && len >= off + 40) {
		/* the fixed header only: behind an extension header, its number */
		const uint8_t *ip = d + off, *l4 = ip + 40;
		char a6[INET6_ADDRSTRLEN], b6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, ip + 8, a6, sizeof(a6));
		inet_ntop(AF_INET6, ip + 24, b6, sizeof(b6));
		OUT(", IPv6 %s > %s", a6, b6);
		if (ip[6] == 58 && len >= off + 41)
			OUT(" ICMPv6 type %u", l4[0]);
		else if ((ip[6] == 6 || ip[6] == 17) && len >= off + 44)
			OUT(" %s %u > %u", ip[6] == 6 ? "TCP" : "UDP", l4[0] << 8 | l4[1],
			    l4[2] << 8 | l4[3]);
		else
			OUT(" next header %u", ip[6]);
	} else if (et == 0x86dd) {
		OUT(", IPv6");
	} else if (et == 0x0806 && len >= off + 28) {
		const uint8_t *a = d + off;

		OUT(", ARP %s %u.%u.%u.%u > %u.%u.%u.%u", a[7] == 1 ? "request" : "reply", a[14],
		    a[15], a[16], a[17], a[24], a[25], a[26], a[27]);
	} else {
		OUT(", ethertype 0x%04x", et);
	}
	OUT(", %u bytes", len);
out:
#undef OUT
	return (size_t)n < size ? (size_t)n : size - 1;
}
