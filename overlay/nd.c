/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861), duplicate address detection (RFC 4862) and MLD
 * (RFC 3810) on the underlay port of an IPv6 VTEP: what overlay/arp.c does for IPv4, run
 * by the same worker for the same reasons (the only one that may send there outside a
 * tunnel burst, and the only writer of dynamic neighbour entries and of the DAD state).
 * Neighbor Solicitations for one of the VTEP's addresses (its own, or the link-local one
 * made from its MAC) are answered in place; the link-layer address in any solicitation or
 * advertisement from one of the VTEP's next hops refreshes it; and once a second
 * (nd_tick) next hops not resolved yet are solicited at their solicited-node address,
 * resolved ones about to expire by unicast, with ARP's timers (VTEP_ARP_REFRESH_S,
 * VTEP_ARP_EXPIRE_S). Static neighbours are never asked nor aged.
 * A new VTEP's addresses are tentative: its first tick joins their solicited-node
 * groups (an unsolicited MLDv2 report from ::, sent again from the link-local address a
 * tick later) and probes them (a solicitation from ::); one tick (ND_RETRANS_S) later,
 * unclaimed, they are preferred. Until then the VTEP answers no solicitation, solicits
 * nothing, and vxlan_encap does not encapsulate (vxlan_addr_not_ready); an advertisement
 * of a tentative address, or someone else's probe of it, makes it duplicate for good (a
 * vtep-del and vtep-add try again; so does the underlay port coming up, vtep_nd_poll). A
 * preferred address is defended (a probe of it gets an advertisement to all nodes) and
 * kept when advertised by someone else (RFC 4862 section 5.4.4: counted and logged). MLD
 * queries for the groups are answered at the next tick (MLDv2, or MLDv1 to a version 1
 * querier), from the link-local address. Our own frames coming back (an underlay that
 * shows a socket's output to another) are recognised by their Ethernet source and ignored.
 * The log lines are the control thread's (vtep_nd_poll): the worker makes no syscall.
 * Drop reasons (on the underlay port): vxlan_not_for_us (other ICMPv6, a solicitation
 * for another address, a message about an address not preferred, our own frames),
 * vxlan_malformed, vxlan_bad_nd (ND and MLD checks, overlay/nd.h).
 * Counters: the VTEP's arp_* ones (requests = solicitations, replies = advertisements),
 * dad_ns_tx, dad_conflict, mld_report_tx, mld_query_rx.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "overlay/nd.h"
#include "overlay/vtep.h"

static void nd_drop(struct worker *w, struct vtep *v, struct rte_mbuf *m, enum vsw_drop r)
{
	v->port->stats[w->idx].drops[r]++;
	capture_drop(w, v->port->idx, m, r, CAPTURE_STAGE_VXLAN_DECAP);
	rte_pktmbuf_free(m);
}

/* Refresh the neighbour entry of ip (if it is one of ours and not static). */
static void nd_learn(struct vtep *v, const uint8_t *ip, const uint8_t *mac, uint32_t now_s)
{
	uint32_t key = vtep_ip6_key(ip);

	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		return;
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];

		/* acquire: ip6 was written before the key */
		if (atomic_load_explicit(&nb->ip, memory_order_acquire) != key ||
		    memcmp(nb->ip6, ip, 16) != 0)
			continue;
		/* XXX: as in arp_learn, control may make it static between the load and the
		 * store; a vtep-neigh-add repeated fixes it */
		if (atomic_load_explicit(&nb->mac, memory_order_relaxed) & VTEP_NEIGH_STATIC)
			return;
		atomic_store_explicit(&nb->seen_s, now_s, memory_order_relaxed);
		atomic_store_explicit(&nb->mac, VTEP_NEIGH_VALID | vtep_mac_pack(mac),
				      memory_order_release);
		return;
	}
}

/* A new mbuf of size bytes for a message the VTEP sends; NULL (counted) when none. */
static uint8_t *nd_alloc(struct worker *w, struct vtep *v, uint16_t size, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	uint8_t *d;

	if (m == NULL) {
		v->cnt.arp_no_mbuf++;
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, size);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		v->cnt.arp_no_mbuf++;
		return NULL;
	}
	*mp = m;
	return d;
}

static uint8_t nd_state(const struct vtep *v, unsigned int which)
{
	return atomic_load_explicit(&v->dad.state[which], memory_order_relaxed);
}

/* Someone else claims address `which` (an advertisement of it, or a probe of it while
 * ours is tentative): a tentative address becomes duplicate; a preferred one stays (RFC
 * 4862 section 5.4.4), the conflict is counted and control logs it. */
static void nd_conflict(struct vtep *v, unsigned int which)
{
	v->cnt.dad_conflict++;
	if (nd_state(v, which) == ND_ADDR_TENTATIVE)
		atomic_store_explicit(&v->dad.state[which], ND_ADDR_DUPLICATE,
				      memory_order_relaxed);
}

/* An MLD query (behind a hop-by-hop header): remember what to report at the next tick. */
static void mld_input(struct worker *w, struct vtep *v, struct rte_mbuf *m)
{
	struct nd_mld_rx q;
	enum vsw_drop r;

	r = nd_mld_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &v->local,
			 &q);
	if (r != VSW_DROP_MAX) {
		nd_drop(w, v, m, r);
		return;
	}
	v->cnt.mld_query_rx++;
	/* an MLDv1 querier anywhere puts the host in version 1 (RFC 3810 section 8.2.1) */
	if (v->dad.query != 1)
		v->dad.query = q.version;
	v->dad.query_groups |= q.groups;
	rte_pktmbuf_free(m);
}

void nd_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t eth_dst[6], src[16];
	struct nd_rx nd;
	enum vsw_drop r;

	if (rte_pktmbuf_data_len(m) > VXLAN_ETH_SIZE + 6 &&
	    d[VXLAN_ETH_SIZE + 6] == ND_IP6_HOPOPTS) {
		mld_input(w, v, m);
		return;
	}
	r = nd_parse(d, rte_pktmbuf_data_len(m), &v->local, &nd);
	if (r != VSW_DROP_MAX) {
		nd_drop(w, v, m, r);
		return;
	}
	switch (nd_decide(d, &v->local, &nd, nd_state(v, nd.ours))) {
	case ND_V_OWN:
	case ND_V_NOT_READY:
		/* our own, back; or for an address not answered for: tentative (RFC 4862
		 * section 5.4.3) or duplicate (never) */
		nd_drop(w, v, m, VSW_DROP_vxlan_not_for_us);
		return;
	case ND_V_PROBE_CONFLICT:
		/* someone else probes the address we probe: neither may have it */
		nd_conflict(v, nd.ours);
		nd_drop(w, v, m, VSW_DROP_vxlan_not_for_us);
		return;
	case ND_V_CONFLICT:
		nd_conflict(v, nd.ours);
		v->cnt.arp_reply_rx++;
		rte_pktmbuf_free(m);
		return;
	case ND_V_LEARN:
		/* without the option (allowed in answer to a unicast solicitation), the
		 * frame's source is the advertiser's MAC */
		nd_learn(v, nd.target, nd.lladdr != NULL ? nd.lladdr : d + 6, now_s);
		v->cnt.arp_reply_rx++;
		rte_pktmbuf_free(m);
		return;
	case ND_V_ANSWER:
	case ND_V_DEFEND:
		break;
	}
	v->cnt.arp_req_rx++;
	if (nd.lladdr != NULL)
		nd_learn(v, nd.src_ip, nd.lladdr, now_s);
	memcpy(eth_dst, nd.lladdr != NULL ? nd.lladdr : d + 6, 6);
	memcpy(src, nd.src_ip, 16);
	/* the solicitation becomes the advertisement, in place */
	if (m->pkt_len > ND_FRAME_SIZE)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - ND_FRAME_SIZE));
	else if (m->pkt_len < ND_FRAME_SIZE &&
		 rte_pktmbuf_append(m, (uint16_t)(ND_FRAME_SIZE - m->pkt_len)) == NULL) {
		v->cnt.arp_no_mbuf++;
		rte_pktmbuf_free(m);
		return;
	}
	d = rte_pktmbuf_mtod(m, uint8_t *);
	if (rte_pktmbuf_data_len(m) < ND_FRAME_SIZE) { /* chained: not for in-place writing */
		v->cnt.arp_no_mbuf++;
		rte_pktmbuf_free(m);
		return;
	}
	/* a probe of a preferred address is answered to all nodes: the address is defended */
	nd_write_na_for(d, &v->local, nd.ours, eth_dst, src);
	m->ol_flags = 0;
	v->cnt.arp_reply_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

static void nd_solicit(struct worker *w, struct vtep *v, const uint8_t *target,
		       const uint8_t *unicast_mac)
{
	struct rte_mbuf *m;
	uint8_t *d = nd_alloc(w, v, ND_FRAME_SIZE, &m);

	if (d == NULL)
		return;
	nd_write_ns(d, &v->local, target, unicast_mac);
	v->cnt.arp_req_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

/* An MLD report for the groups in bit set `groups` (bit ND_ADDR, ND_LL): MLDv2 records
 * of type rtype, or one MLDv1 report per group (version 1). From the link-local address
 * once it is preferred, else from :: (RFC 3590 section 4: no valid link-local yet). */
static void mld_report(struct worker *w, struct vtep *v, unsigned int version, uint8_t rtype,
		       uint8_t groups)
{
	uint8_t sel[2][16], src[16] = {0};
	unsigned int k = nd_mld_groups(&v->local, groups, sel);
	struct rte_mbuf *m;
	uint8_t *d;

	if (nd_state(v, ND_LL) == ND_ADDR_PREFERRED)
		nd_link_local(src, v->local.mac);
	if (k == 0)
		return;
	if (version == 1) {
		for (unsigned int i = 0; i < k; i++) {
			d = nd_alloc(w, v,
				     VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + ND_MLD1_SIZE,
				     &m);
			if (d == NULL)
				return;
			nd_write_mld1_report(d, v->local.mac, src, sel[i]);
			v->cnt.mld_report_tx++;
			vtep_tx_enqueue(w, v->port, m);
		}
		return;
	}
	d = nd_alloc(w, v,
		     (uint16_t)(VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_HBH_SIZE + ND_MLD2_HDR_SIZE +
				k * ND_MLD2_REC_SIZE),
		     &m);
	if (d == NULL)
		return;
	nd_write_mld2_report(d, v->local.mac, src, rtype, (const uint8_t(*)[16])sel, k);
	v->cnt.mld_report_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

static void dad_probe(struct worker *w, struct vtep *v, unsigned int which)
{
	uint8_t target[16];
	struct rte_mbuf *m;
	uint8_t *d = nd_alloc(w, v, ND_DAD_FRAME_SIZE, &m);

	if (d == NULL)
		return;
	nd_addr_of(target, &v->local, which);
	nd_write_dad_ns(d, v->local.mac, target);
	v->cnt.dad_ns_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

/* Once a second: join (MLD) and probe (DAD) while an address is tentative, make it
 * preferred when ND_RETRANS_S passed quietly after the last probe, send the second
 * unsolicited report, answer the MLD query of the last second. */
static void dad_tick(struct worker *w, struct vtep *v, uint32_t now_s)
{
	struct nd_dad *s = &v->dad;
	bool tentative;

	if (atomic_load_explicit(&s->restart, memory_order_acquire)) {
		atomic_store_explicit(&s->restart, false, memory_order_relaxed);
		atomic_store_explicit(&s->state[ND_ADDR], ND_ADDR_TENTATIVE, memory_order_relaxed);
		atomic_store_explicit(&s->state[ND_LL], ND_ADDR_TENTATIVE, memory_order_relaxed);
		s->probes = 0;
		s->reports = 0;
	}
	tentative = nd_state(v, ND_ADDR) == ND_ADDR_TENTATIVE ||
		    nd_state(v, ND_LL) == ND_ADDR_TENTATIVE;
	if (tentative && s->probes == 0) {
		/* join the groups before probing (RFC 4862 section 5.4.2) */
		mld_report(w, v, 2, ND_MLD2_CHANGE_TO_EXCLUDE, 1u << ND_ADDR | 1u << ND_LL);
		s->reports = 1;
	}
	if (tentative && s->probes < ND_DAD_TRANSMITS) {
		for (unsigned int which = ND_ADDR; which <= ND_LL; which++)
			if (nd_state(v, which) == ND_ADDR_TENTATIVE)
				dad_probe(w, v, which);
		s->probes++;
		s->probe_s = now_s;
	} else if (tentative && now_s - s->probe_s >= ND_RETRANS_S) {
		for (unsigned int which = ND_ADDR; which <= ND_LL; which++)
			if (nd_state(v, which) == ND_ADDR_TENTATIVE)
				atomic_store_explicit(&s->state[which], ND_ADDR_PREFERRED,
						      memory_order_relaxed);
	}
	if (s->reports != 0 && s->reports < ND_MLD_UNSOLICITED &&
	    nd_state(v, ND_ADDR) != ND_ADDR_TENTATIVE) {
		mld_report(w, v, 2, ND_MLD2_CHANGE_TO_EXCLUDE, 1u << ND_ADDR | 1u << ND_LL);
		s->reports++;
	}
	if (s->query != 0) {
		mld_report(w, v, s->query, ND_MLD2_MODE_IS_EXCLUDE, s->query_groups);
		s->query = 0;
		s->query_groups = 0;
	}
}

void nd_tick(struct worker *w, struct vtep *v, uint32_t now_s)
{
	dad_tick(w, v, now_s);
	/* a tentative or duplicate address is no source to solicit from */
	if (nd_state(v, ND_ADDR) != ND_ADDR_PREFERRED)
		return;
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint32_t key = atomic_load_explicit(&nb->ip, memory_order_acquire);
		uint8_t mac[6];
		uint64_t m;
		uint32_t age;

		if (key == 0)
			continue;
		m = atomic_load_explicit(&nb->mac, memory_order_relaxed);
		if (m & VTEP_NEIGH_STATIC)
			continue;
		age = now_s - atomic_load_explicit(&nb->seen_s, memory_order_relaxed);
		if ((m & VTEP_NEIGH_VALID) && age >= VTEP_ARP_EXPIRE_S) {
			atomic_store_explicit(&nb->mac, 0, memory_order_relaxed);
			m = 0;
		}
		if (!(m & VTEP_NEIGH_VALID)) {
			nb->asked_s = now_s;
			nd_solicit(w, v, nb->ip6, NULL);
		} else if (age >= VTEP_ARP_REFRESH_S) {
			nb->asked_s = now_s;
			vtep_mac_unpack(m, mac);
			nd_solicit(w, v, nb->ip6, mac);
		}
	}
}

/* Control thread, every loop: an underlay port that came up (as its PMD says) makes its
 * VTEP's addresses tentative again (the worker's next tick probes them), and each change
 * of an address's state, and each conflict, is logged once. */
void vtep_nd_poll(struct dp *dp)
{
	for (int i = 0; i < VSW_MAX_VTEPS; i++) {
		struct vtep *v = dp->vteps[i];
		struct rte_eth_link link = {0};
		char a[INET6_ADDRSTRLEN];
		uint8_t ip[16];
		uint64_t c;

		if (v == NULL || !v->v6)
			continue;
		rte_eth_link_get_nowait(v->port->dpdk_port, &link);
		if (link.link_status == RTE_ETH_LINK_UP && !v->dad.link_up &&
		    v->dad.shown[ND_ADDR] != 0)
			atomic_store_explicit(&v->dad.restart, true, memory_order_release);
		v->dad.link_up = link.link_status == RTE_ETH_LINK_UP;
		for (unsigned int which = ND_ADDR; which <= ND_LL; which++) {
			uint8_t st = nd_state(v, which);

			/* shown: the state + 1, 0 before the first line */
			if (v->dad.shown[which] == st + 1)
				continue;
			v->dad.shown[which] = (uint8_t)(st + 1);
			nd_addr_of(ip, &v->local, which);
			inet_ntop(AF_INET6, ip, a, sizeof(a));
			printf("vsw-dataplane: vtep %s: %s %s %s%s\n", v->name,
			       which == ND_LL ? "link-local address" : "address", a,
			       nd_addr_state_name(st),
			       st == ND_ADDR_DUPLICATE	 ? " (duplicate address detection: another "
							   "node on the underlay has it; not used "
							   "until vtep-del and vtep-add)"
			       : st == ND_ADDR_TENTATIVE ? " (duplicate address detection running)"
							 : "");
		}
		c = v->cnt.dad_conflict;
		if (c != v->dad.shown_conflicts) {
			printf("vsw-dataplane: vtep %s: %" PRIu64 " conflict(s) with another node "
			       "claiming an address of this VTEP (dad_conflict %" PRIu64 ")\n",
			       v->name, c - v->dad.shown_conflicts, c);
			v->dad.shown_conflicts = c;
		}
	}
}
