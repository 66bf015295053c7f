/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861), duplicate address detection (RFC 4862) and MLD
 * (RFC 3810) for an IPv6 VTEP, as pure functions of bytes: the checks a Neighbor
 * Solicitation or Advertisement (nd_parse) or an MLD query (nd_mld_parse) must pass on
 * an underlay port, and the messages the VTEP writes (an advertisement answering for one
 * of its addresses, a solicitation for a next hop, a duplicate address probe, MLDv2 and
 * MLDv1 reports). A VTEP has two addresses here: its own (local_ip) and the link-local
 * one made from its MAC (EUI-64, RFC 4291 appendix A), which MLD needs as a source
 * (RFC 3590). The worker side, which owns the mbufs, the neighbour table and the DAD
 * state, is overlay/nd.c; like overlay/vxlan.h this has no DPDK so the unit tests and
 * the fuzz target run the very code the workers run.
 */
#ifndef VSW_ND_H
#define VSW_ND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "overlay/vxlan.h"

#define ND_TYPE_MLD_QUERY 130
#define ND_TYPE_MLD1_REPORT 131
#define ND_TYPE_NS 135
#define ND_TYPE_NA 136
#define ND_TYPE_MLD2_REPORT 143
#define ND_OPT_SLLA 1	  /* source link-layer address */
#define ND_OPT_TLLA 2	  /* target link-layer address */
#define ND_NA_FLAG_S 0x40 /* solicited (first byte of the flags word) */
#define ND_NA_FLAG_O 0x20 /* override */
#define ND_MSG_SIZE 24	  /* ICMPv6 NS/NA without options */
/* what nd_write_* write: Ethernet + IPv6 + NS/NA + one link-layer address option */
#define ND_FRAME_SIZE (VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_MSG_SIZE + 8)
/* a duplicate address probe: from ::, so without the option (RFC 4861 section 7.2.2) */
#define ND_DAD_FRAME_SIZE (VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_MSG_SIZE)
#define ND_IP6_HOPOPTS 0 /* next header: hop-by-hop options */
#define ND_HBH_SIZE 8	 /* ours: Router Alert (MLD) and a PadN */
#define ND_MLD2_HDR_SIZE 8
#define ND_MLD2_REC_SIZE 20 /* a record without sources */
#define ND_MLD1_SIZE 24
#define ND_MLD2_QUERY_SIZE 28
/* MLDv2 record types (RFC 3810 section 5.2.12) */
#define ND_MLD2_MODE_IS_EXCLUDE 2
#define ND_MLD2_CHANGE_TO_EXCLUDE 4
/* an MLD report of ours: at most two groups (the solicited-node groups of both addresses) */
#define ND_MLD_FRAME_MAX                                                                           \
	(VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + ND_MLD2_HDR_SIZE + 2 * ND_MLD2_REC_SIZE)

/* RFC 4862 section 5.1 and RFC 4861 section 10 defaults: one probe, then 1 s of quiet
 * before an address is used; RFC 3810 section 9.1: unsolicited reports sent twice. */
#define ND_DAD_TRANSMITS 1
#define ND_RETRANS_S 1
#define ND_MLD_UNSOLICITED 2

/* An address of the VTEP (RFC 4862 section 5.4): tentative (0, a new VTEP's) while DAD
 * runs; preferred once no one else claimed it; duplicate when someone did: then never
 * used until the VTEP is added again. */
enum nd_addr_state { ND_ADDR_TENTATIVE, ND_ADDR_PREFERRED, ND_ADDR_DUPLICATE };
/* which address of the VTEP a message is about */
enum nd_which { ND_NOT_OURS, ND_ADDR, ND_LL };

static inline const char *nd_addr_state_name(unsigned int s)
{
	return s == ND_ADDR_PREFERRED	? "preferred"
	       : s == ND_ADDR_DUPLICATE ? "duplicate"
					: "tentative";
}

/* The DAD and MLD state of an IPv6 VTEP (all zero: both addresses tentative, nothing
 * sent yet). Lives in struct vtep. */
struct nd_dad {
	/* indexed by enum nd_which (ND_ADDR, ND_LL); the underlay's worker: rw; encapsulating
	 * workers (state[ND_ADDR]) and control: ro */
	_Atomic uint8_t state[3];
	/* control: set when the underlay port comes up (DAD again); the worker: clears */
	atomic_bool restart;
	/* --- the underlay's worker only --- */
	uint8_t probes;	      /* duplicate address probes sent this round */
	uint8_t reports;      /* unsolicited MLD reports sent this round */
	uint8_t query;	      /* an MLD query to answer at the next tick: 0 none, else 1 or 2 */
	uint8_t query_groups; /* the groups it asked about: bit ND_ADDR, bit ND_LL */
	uint32_t probe_s;     /* when the last probe left */
	/* --- control only --- */
	uint8_t shown[3]; /* the states last logged */
	uint64_t shown_conflicts;
	bool link_up;
};

/* ff02::1:ffXX:XXXX, the solicited-node multicast address of a (RFC 4291 2.7.1). */
static inline void nd_solicited_node(uint8_t out[16], const uint8_t a[16])
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memcpy(out, pfx, 13);
	memcpy(out + 13, a + 13, 3);
}

/* 33:33 and the last 4 bytes of multicast address a (RFC 2464 section 7). */
static inline void nd_multicast_mac(uint8_t out[6], const uint8_t a[16])
{
	out[0] = out[1] = 0x33;
	memcpy(out + 2, a + 12, 4);
}

/* fe80::/64 with the modified EUI-64 interface identifier of mac (RFC 4291 appendix A,
 * RFC 2464 section 4), as a host's kernel makes it. */
static inline void nd_link_local(uint8_t out[16], const uint8_t mac[6])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	memcpy(out + 13, mac + 3, 3);
}

static inline bool nd_ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* The VTEP's address (ND_ADDR) or its link-local one (ND_LL) into out. */
static inline void nd_addr_of(uint8_t out[16], const struct vxlan_local *l, enum nd_which w)
{
	if (w == ND_LL)
		nd_link_local(out, l->mac);
	else
		memcpy(out, l->ip6, 16);
}

/* The ICMPv6 checksum's sum (RFC 4443 section 2.3) of the msize-byte message msg carried
 * by the IPv6 header ip (maybe after extension headers): 0xffff when the checksum in it
 * is right. */
static inline uint16_t nd_icmp6_sum_at(const uint8_t *ip, const uint8_t *msg, uint32_t msize)
{
	uint32_t s = vxlan_csum_add(0, ip + 8, 32) + VXLAN_PROTO_ICMP6 + msize;

	return vxlan_csum_fold(vxlan_csum_add(s, msg, msize));
}

/* The same for a message right after the IPv6 header, plen bytes long. */
static inline uint16_t nd_icmp6_sum(const uint8_t *ip, uint32_t plen)
{
	return nd_icmp6_sum_at(ip, ip + VXLAN_IP6_SIZE, plen);
}

/* Is this frame from the underlay neighbour discovery's or MLD's, for nd_input: IPv6 with
 * ICMPv6 right after the header, or after one hop-by-hop header (MLD's Router Alert)?
 * Any other extension header stays vxlan_parse6's (vxlan_outer_ext_hdr). */
static inline bool nd_frame(const uint8_t *d, uint32_t len)
{
	const uint8_t *ip = d + VXLAN_ETH_SIZE;

	if (len < VXLAN_ETH_SIZE + VXLAN_IP6_SIZE || vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV6)
		return false;
	if (ip[6] == VXLAN_PROTO_ICMP6)
		return true;
	return ip[6] == ND_IP6_HOPOPTS && len >= VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + 8 &&
	       ip[VXLAN_IP6_SIZE] == VXLAN_PROTO_ICMP6;
}

/* What nd_parse found in a message it accepted; pointers into the frame. */
struct nd_rx {
	uint8_t type;	       /* ND_TYPE_NS or ND_TYPE_NA */
	uint8_t flags;	       /* NA: R S O bits of the first flags byte */
	uint8_t ours;	       /* enum nd_which: the target is one of the VTEP's addresses */
	const uint8_t *src_ip; /* IPv6 source (:: for a duplicate address probe) */
	const uint8_t *target; /* the target address */
	const uint8_t *lladdr; /* NS: source, NA: target link-layer address option; or NULL */
};

/*
 * Check an ICMPv6 frame on the underlay port of IPv6 VTEP l. Returns VSW_DROP_MAX and
 * fills nd for a Neighbor Solicitation for one of l's addresses (its own or its
 * link-local one) or a Neighbor Advertisement, to l's MAC or the multicast MAC of one of
 * its solicited-node addresses or of all nodes, and to one of l's addresses, their
 * solicited-node addresses or ff02::1; else the drop reason: not IPv6 ICMPv6 ND to us
 * (vxlan_not_for_us), truncated (vxlan_malformed), or failing the validation of RFC 4861
 * sections 7.1.1 and 7.1.2 (vxlan_bad_nd: hop limit not 255, code not 0, wrong checksum,
 * ICMP length under 24, an option of length 0 or past the end, a multicast target, a
 * link-layer option from ::, a solicitation from :: not to a solicited-node address, a
 * solicited NA to multicast). Extension headers are not walked: ND behind one is
 * vxlan_not_for_us.
 */
static inline enum vsw_drop nd_parse(const uint8_t *d, uint32_t len, const struct vxlan_local *l,
				     struct nd_rx *nd)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};
	const uint8_t *ip = d + VXLAN_ETH_SIZE, *icmp = ip + VXLAN_IP6_SIZE, *o, *end;
	uint8_t ll[16], sn[16], sn_mac[6], snll[16], snll_mac[6];
	bool to_sn;
	uint32_t plen;

	if (len < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV6)
		return VSW_DROP_vxlan_not_for_us;
	if (len < VXLAN_ETH_SIZE + VXLAN_IP6_SIZE || (ip[0] >> 4) != 6)
		return VSW_DROP_vxlan_malformed;
	if (ip[6] != VXLAN_PROTO_ICMP6)
		return VSW_DROP_vxlan_not_for_us;
	plen = vxlan_rd16(ip + 4);
	if (plen > len - VXLAN_ETH_SIZE - VXLAN_IP6_SIZE || plen < 4)
		return VSW_DROP_vxlan_malformed;
	if (icmp[0] != ND_TYPE_NS && icmp[0] != ND_TYPE_NA)
		return VSW_DROP_vxlan_not_for_us; /* echo, router discovery, MLD, ... */
	nd_link_local(ll, l->mac);
	nd_solicited_node(sn, l->ip6);
	nd_multicast_mac(sn_mac, sn);
	nd_solicited_node(snll, ll);
	nd_multicast_mac(snll_mac, snll);
	if (memcmp(d, l->mac, 6) != 0 && memcmp(d, sn_mac, 6) != 0 && memcmp(d, snll_mac, 6) != 0 &&
	    memcmp(d, all_nodes_mac, 6) != 0)
		return VSW_DROP_vxlan_not_for_us;
	to_sn = memcmp(ip + 24, sn, 16) == 0 || memcmp(ip + 24, snll, 16) == 0;
	if (memcmp(ip + 24, l->ip6, 16) != 0 && memcmp(ip + 24, ll, 16) != 0 && !to_sn &&
	    memcmp(ip + 24, all_nodes, 16) != 0)
		return VSW_DROP_vxlan_not_for_us;
	if (ip[7] != 255 || icmp[1] != 0 || plen < ND_MSG_SIZE || nd_icmp6_sum(ip, plen) != 0xffff)
		return VSW_DROP_vxlan_bad_nd;
	nd->type = icmp[0];
	nd->flags = icmp[4] & 0xe0;
	nd->src_ip = ip + 8;
	nd->target = icmp + 8;
	nd->lladdr = NULL;
	if (nd->target[0] == 0xff)
		return VSW_DROP_vxlan_bad_nd;
	nd->ours = memcmp(nd->target, l->ip6, 16) == 0 ? ND_ADDR
		   : memcmp(nd->target, ll, 16) == 0   ? ND_LL
						       : ND_NOT_OURS;
	end = icmp + plen;
	for (o = icmp + ND_MSG_SIZE; o < end; o += o[1] * 8u) {
		if (end - o < 2 || o[1] == 0 || (uint32_t)(end - o) < o[1] * 8u)
			return VSW_DROP_vxlan_bad_nd;
		if (o[1] == 1 && o[0] == (nd->type == ND_TYPE_NS ? ND_OPT_SLLA : ND_OPT_TLLA))
			nd->lladdr = o + 2;
	}
	if (nd->type == ND_TYPE_NS) {
		if (nd_ip6_is_unspecified(nd->src_ip) && (nd->lladdr != NULL || !to_sn))
			return VSW_DROP_vxlan_bad_nd;
		if (nd->ours == ND_NOT_OURS)
			return VSW_DROP_vxlan_not_for_us; /* resolving someone else */
	} else if (ip[24] == 0xff && (nd->flags & ND_NA_FLAG_S)) {
		return VSW_DROP_vxlan_bad_nd;
	}
	return VSW_DROP_MAX;
}

/* What nd_input does with a solicitation or advertisement that nd_parse accepted (nd, in
 * frame d), the VTEP's address it is about being in state `state` (enum nd_addr_state;
 * not looked at for an advertisement of another address). Shared by nd_input and the
 * trace of the frame (dataplane/trace.c), so the trace says what the worker does. */
enum nd_verdict {
	ND_V_OWN,	     /* our own frame, back (same Ethernet source): vxlan_not_for_us */
	ND_V_LEARN,	     /* an advertisement of another address: refreshes that next hop */
	ND_V_CONFLICT,	     /* an advertisement of ours: tentative -> duplicate, else counted */
	ND_V_PROBE_CONFLICT, /* another node probes our tentative address: duplicate; dropped */
	ND_V_NOT_READY,	     /* a solicitation for a tentative or duplicate address: unanswered,
			      * vxlan_not_for_us (RFC 4862 section 5.4.3) */
	ND_V_ANSWER,	     /* a solicitation: a solicited advertisement to its sender */
	ND_V_DEFEND,	     /* a probe (from ::) of a preferred address: an advertisement to all
			      * nodes (RFC 4861 section 7.2.4) */
};

static inline enum nd_verdict nd_decide(const uint8_t *d, const struct vxlan_local *l,
					const struct nd_rx *nd, unsigned int state)
{
	if (memcmp(d + 6, l->mac, 6) == 0)
		return ND_V_OWN;
	if (nd->type == ND_TYPE_NA)
		return nd->ours != ND_NOT_OURS ? ND_V_CONFLICT : ND_V_LEARN;
	if (nd_ip6_is_unspecified(nd->src_ip))
		return state == ND_ADDR_TENTATIVE   ? ND_V_PROBE_CONFLICT
		       : state == ND_ADDR_PREFERRED ? ND_V_DEFEND
						    : ND_V_NOT_READY;
	return state == ND_ADDR_PREFERRED ? ND_V_ANSWER : ND_V_NOT_READY;
}

/* An NS or NA of ND_FRAME_SIZE bytes into d: Ethernet to eth_dst from mac, IPv6 from src
 * to dst with hop limit 255, the message about target with one link-layer address
 * option carrying mac, and its checksum. */
static inline void nd_write(uint8_t *d, const uint8_t eth_dst[6], const uint8_t mac[6],
			    const uint8_t src[16], const uint8_t dst[16], uint8_t type,
			    uint8_t flags, const uint8_t target[16])
{
	uint8_t *ip = d + VXLAN_ETH_SIZE, *icmp = ip + VXLAN_IP6_SIZE;
	uint16_t plen = ND_MSG_SIZE + 8;

	memset(d, 0, ND_FRAME_SIZE);
	memcpy(d, eth_dst, 6);
	memcpy(d + 6, mac, 6);
	vxlan_wr16(d + 12, VXLAN_ETHERTYPE_IPV6);
	ip[0] = 0x60;
	vxlan_wr16(ip + 4, plen);
	ip[6] = VXLAN_PROTO_ICMP6;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = type == ND_TYPE_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	vxlan_wr16(icmp + 2, (uint16_t)~nd_icmp6_sum(ip, plen));
}

/* A solicitation from VTEP l for target: to its solicited-node address, or unicast to
 * what we believe its MAC is (unicast_mac != NULL: a refresh, RFC 4861 section 7.3.3). */
static inline void nd_write_ns(uint8_t *d, const struct vxlan_local *l, const uint8_t target[16],
			       const uint8_t *unicast_mac)
{
	uint8_t dst[16], mac[6];

	if (unicast_mac != NULL) {
		memcpy(dst, target, 16);
		memcpy(mac, unicast_mac, 6);
	} else {
		nd_solicited_node(dst, target);
		nd_multicast_mac(mac, dst);
	}
	nd_write(d, mac, l->mac, l->ip6, dst, ND_TYPE_NS, 0, target);
}

/* The advertisement answering a solicitation from src_ip (not ::) at eth_dst: solicited,
 * override (RFC 4861 section 7.2.4). eth_dst and src_ip must not point into d. */
static inline void nd_write_na(uint8_t *d, const struct vxlan_local *l, const uint8_t eth_dst[6],
			       const uint8_t src_ip[16])
{
	nd_write(d, eth_dst, l->mac, l->ip6, src_ip, ND_TYPE_NA, ND_NA_FLAG_S | ND_NA_FLAG_O,
		 l->ip6);
}

/* The advertisement for address `which` of l answering a solicitation from src_ip at
 * eth_dst, from that address; a probe's (src_ip ::) goes to all nodes, not solicited
 * (RFC 4861 section 7.2.4: defending the address against a node doing DAD). eth_dst and
 * src_ip must not point into d. */
static inline void nd_write_na_for(uint8_t *d, const struct vxlan_local *l, enum nd_which which,
				   const uint8_t eth_dst[6], const uint8_t src_ip[16])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};
	uint8_t a[16];

	nd_addr_of(a, l, which);
	if (nd_ip6_is_unspecified(src_ip))
		nd_write(d, all_nodes_mac, l->mac, a, all_nodes, ND_TYPE_NA, ND_NA_FLAG_O, a);
	else
		nd_write(d, eth_dst, l->mac, a, src_ip, ND_TYPE_NA, ND_NA_FLAG_S | ND_NA_FLAG_O, a);
}

/* A duplicate address probe for target (RFC 4862 section 5.4.2) of ND_DAD_FRAME_SIZE
 * bytes: a solicitation from :: (the address is not ours yet) to its solicited-node
 * address, without a link-layer address option, Ethernet source mac. */
static inline void nd_write_dad_ns(uint8_t *d, const uint8_t mac[6], const uint8_t target[16])
{
	static const uint8_t any[16];
	uint8_t dst[16], eth_dst[6];
	uint8_t *ip = d + VXLAN_ETH_SIZE, *icmp = ip + VXLAN_IP6_SIZE;

	nd_solicited_node(dst, target);
	nd_multicast_mac(eth_dst, dst);
	nd_write(d, eth_dst, mac, any, dst, ND_TYPE_NS, 0, target);
	vxlan_wr16(ip + 4, ND_MSG_SIZE); /* without the option */
	memset(icmp + ND_MSG_SIZE, 0, 8);
	icmp[2] = icmp[3] = 0;
	vxlan_wr16(icmp + 2, (uint16_t)~nd_icmp6_sum(ip, ND_MSG_SIZE));
}

/* The solicited-node groups VTEP l joins (its address's and its link-local address's,
 * once if they are one): their number, 1 or 2, and in which[] the address each is of. */
static inline unsigned int nd_groups(const struct vxlan_local *l, uint8_t groups[2][16],
				     uint8_t which[2])
{
	uint8_t ll[16];

	nd_link_local(ll, l->mac);
	nd_solicited_node(groups[0], l->ip6);
	which[0] = ND_ADDR;
	nd_solicited_node(groups[1], ll);
	which[1] = ND_LL;
	return memcmp(groups[0], groups[1], 16) == 0 ? 1 : 2;
}

/* The groups of VTEP l that an MLD report for the bit set `groups` (bit ND_ADDR, bit
 * ND_LL) carries, into sel: how many (0 to 2). When both addresses share one
 * solicited-node group, either bit asks for it. */
static inline unsigned int nd_mld_groups(const struct vxlan_local *l, unsigned int groups,
					 uint8_t sel[2][16])
{
	uint8_t all[2][16], which[2];
	unsigned int n = nd_groups(l, all, which), k = 0;

	for (unsigned int i = 0; i < n; i++)
		if ((groups & (1u << which[i])) != 0 || (n == 1 && groups != 0))
			memcpy(sel[k++], all[i], 16);
	return k;
}

/* Ethernet, IPv6 (hop limit 1, next header hop-by-hop) and the hop-by-hop header with a
 * Router Alert for MLD (RFC 3810 section 5, RFC 2711) into d, for an MLD message of
 * msize bytes from mac/src to dst. Returns the message's place. */
static inline uint8_t *nd_mld_head(uint8_t *d, const uint8_t mac[6], const uint8_t src[16],
				   const uint8_t dst[16], uint32_t msize)
{
	uint8_t *ip = d + VXLAN_ETH_SIZE, *hbh = ip + VXLAN_IP6_SIZE;

	memset(d, 0, VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + msize);
	nd_multicast_mac(d, dst);
	memcpy(d + 6, mac, 6);
	vxlan_wr16(d + 12, VXLAN_ETHERTYPE_IPV6);
	ip[0] = 0x60;
	vxlan_wr16(ip + 4, (uint16_t)(ND_HBH_SIZE + msize));
	ip[6] = ND_IP6_HOPOPTS;
	ip[7] = 1;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	hbh[0] = VXLAN_PROTO_ICMP6;
	hbh[1] = 0;		  /* 8 bytes */
	hbh[2] = 5;		  /* Router Alert */
	hbh[3] = 2;		  /* its length; value 0: MLD */
	hbh[6] = 1;		  /* PadN of 0 bytes */
	return hbh + ND_HBH_SIZE; /* hbh[7] = 0: its length */
}

/* An MLDv2 report (RFC 3810 section 5.2) from mac/src (the link-local address, or ::
 * during DAD: RFC 3590 section 4) to ff02::16 with one record of type rtype and no
 * source for each of the n groups. Returns its size in bytes. */
static inline uint32_t nd_write_mld2_report(uint8_t *d, const uint8_t mac[6], const uint8_t src[16],
					    uint8_t rtype, const uint8_t groups[][16],
					    unsigned int n)
{
	static const uint8_t all_mld2_routers[16] = {0xff, 0x02, [15] = 0x16};
	uint32_t msize = ND_MLD2_HDR_SIZE + n * ND_MLD2_REC_SIZE;
	uint8_t *msg = nd_mld_head(d, mac, src, all_mld2_routers, msize);

	msg[0] = ND_TYPE_MLD2_REPORT;
	vxlan_wr16(msg + 6, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *rec = msg + ND_MLD2_HDR_SIZE + i * ND_MLD2_REC_SIZE;

		rec[0] = rtype;
		memcpy(rec + 4, groups[i], 16);
	}
	vxlan_wr16(msg + 2, (uint16_t)~nd_icmp6_sum_at(d + VXLAN_ETH_SIZE, msg, msize));
	return VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + msize;
}

/* An MLDv1 report (RFC 2710 section 3) for group, to the group, for a querier of
 * version 1 (RFC 3810 section 8.2.1). Returns its size in bytes. */
static inline uint32_t nd_write_mld1_report(uint8_t *d, const uint8_t mac[6], const uint8_t src[16],
					    const uint8_t group[16])
{
	uint8_t *msg = nd_mld_head(d, mac, src, group, ND_MLD1_SIZE);

	msg[0] = ND_TYPE_MLD1_REPORT;
	memcpy(msg + 8, group, 16);
	vxlan_wr16(msg + 2, (uint16_t)~nd_icmp6_sum_at(d + VXLAN_ETH_SIZE, msg, ND_MLD1_SIZE));
	return VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + ND_MLD1_SIZE;
}

/* What nd_mld_parse found in a query it accepted. */
struct nd_mld_rx {
	uint8_t version; /* 1 (24 bytes) or 2 */
	uint8_t groups;	 /* which of the VTEP's groups it asks about: bit ND_ADDR, bit ND_LL */
};

/*
 * Check a frame that nd_frame sent to nd_input with a hop-by-hop header: VSW_DROP_MAX
 * and q for an MLD query (RFC 3810 sections 5.1 and 6.2, RFC 2710) about all groups
 * (general, to ff02::1) or one of VTEP l's solicited-node groups (to that group); else
 * vxlan_not_for_us (other MLD messages: other nodes' reports, queries about other
 * groups; anything else behind a hop-by-hop header), vxlan_malformed (truncated) or
 * vxlan_bad_nd: hop limit not 1, no Router Alert, a source not link-local (section
 * 5.1.14), code not 0, a wrong checksum or a length neither 24 nor 28 and up.
 */
static inline enum vsw_drop nd_mld_parse(const uint8_t *d, uint32_t len,
					 const struct vxlan_local *l, struct nd_mld_rx *q)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	const uint8_t *ip = d + VXLAN_ETH_SIZE, *hbh = ip + VXLAN_IP6_SIZE, *msg, *o;
	uint8_t groups[2][16], which[2], mac[6];
	uint32_t plen, hsize, msize;
	unsigned int n;
	bool ra = false;

	if (len < VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + 8 || (ip[0] >> 4) != 6)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV6 || ip[6] != ND_IP6_HOPOPTS ||
	    hbh[0] != VXLAN_PROTO_ICMP6)
		return VSW_DROP_vxlan_not_for_us;
	plen = vxlan_rd16(ip + 4);
	hsize = (hbh[1] + 1u) * 8;
	if (plen > len - VXLAN_ETH_SIZE - VXLAN_IP6_SIZE || plen < hsize + 4)
		return VSW_DROP_vxlan_malformed;
	msg = hbh + hsize;
	msize = plen - hsize;
	if (msg[0] != ND_TYPE_MLD_QUERY)
		return VSW_DROP_vxlan_not_for_us; /* others' reports and dones */
	/* the options: Router Alert with value 0 (MLD) must be there; Pad1 is one byte */
	for (o = hbh + 2; o < msg;) {
		if (o[0] == 0) {
			o++;
			continue;
		}
		if (msg - o < 2 || msg - o < 2 + o[1])
			return VSW_DROP_vxlan_bad_nd;
		if (o[0] == 5 && o[1] == 2 && o[2] == 0 && o[3] == 0)
			ra = true;
		o += 2 + o[1];
	}
	if (ip[7] != 1 || !ra || ip[8] != 0xfe || (ip[9] & 0xc0) != 0x80 || msg[1] != 0 ||
	    (msize != ND_MLD1_SIZE && msize < ND_MLD2_QUERY_SIZE) ||
	    nd_icmp6_sum_at(ip, msg, msize) != 0xffff)
		return VSW_DROP_vxlan_bad_nd;
	q->version = msize == ND_MLD1_SIZE ? 1 : 2;
	n = nd_groups(l, groups, which);
	q->groups = 0;
	if (nd_ip6_is_unspecified(msg + 8)) {
		/* general: to all nodes */
		if (memcmp(ip + 24, all_nodes, 16) != 0)
			return VSW_DROP_vxlan_not_for_us;
		for (unsigned int i = 0; i < n; i++)
			q->groups |= (uint8_t)(1u << which[i]);
	} else {
		for (unsigned int i = 0; i < n; i++)
			if (memcmp(msg + 8, groups[i], 16) == 0)
				q->groups |= (uint8_t)(1u << which[i]);
		if (q->groups == 0 || memcmp(ip + 24, msg + 8, 16) != 0)
			return VSW_DROP_vxlan_not_for_us; /* another group's */
		if (n == 1)
			q->groups |= (uint8_t)(1u << ND_LL); /* one group for both */
	}
	nd_multicast_mac(mac, ip + 24);
	if (memcmp(d, mac, 6) != 0)
		return VSW_DROP_vxlan_not_for_us;
	return VSW_DROP_MAX;
}

#endif
