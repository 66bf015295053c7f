/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct topo -> YAML, for `vswctl export` and the controller's saved state. Written
 * through libyaml's emitter so that quoting is always right (a path with ": " in it, a
 * port named "null"), in the layout docs/topology.md shows: block mappings for the
 * sections, flow style for each small object. Fields at their default are left out, so
 * an exported file reads like one a person wrote; loading it gives an equal model
 * (tests/unit/test_topology.c checks the round trip).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <yaml.h>

#include "topo_internal.h"
#include "vsw_util.h"

struct w {
	yaml_emitter_t em;
	int rc;
};

static void emit(struct w *w, yaml_event_t *ev, int made)
{
	if (!made) {
		if (w->rc == 0)
			w->rc = -ENOMEM;
		return;
	}
	if (w->rc != 0) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&w->em, ev))
		w->rc = w->em.error == YAML_MEMORY_ERROR ? -ENOMEM : -EIO;
}

/* Strings a plain scalar would turn into something else for our loader. */
static bool needs_quotes(const char *s)
{
	static const char *const words[] = {"", "~", "null", "Null", "NULL"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(s, words[i]) == 0)
			return true;
	}
	return false;
}

static void str(struct w *w, const char *s)
{
	yaml_event_t ev;
	bool q = needs_quotes(s);

	emit(w, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), !q, 1,
					  q ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					    : YAML_ANY_SCALAR_STYLE));
}

/* Integers and keywords: always plain. */
static void plain(struct w *w, const char *s)
{
	yaml_event_t ev;

	emit(w, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 0,
					  YAML_PLAIN_SCALAR_STYLE));
}

static void num(struct w *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	plain(w, buf);
}

static void map_start(struct w *w, bool flow)
{
	yaml_event_t ev;

	emit(w, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						 flow ? YAML_FLOW_MAPPING_STYLE
						      : YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(struct w *w)
{
	yaml_event_t ev;

	emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(struct w *w, bool flow)
{
	yaml_event_t ev;

	emit(w, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						  flow ? YAML_FLOW_SEQUENCE_STYLE
						       : YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(struct w *w)
{
	yaml_event_t ev;

	emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void kv_num(struct w *w, const char *k, uint64_t v)
{
	plain(w, k);
	num(w, v);
}

static void kv_str(struct w *w, const char *k, const char *v)
{
	plain(w, k);
	str(w, v);
}

static void kv_ip(struct w *w, const char *k, const struct topo_ip *ip)
{
	char buf[64];

	topo_ip_format(ip, true, buf, sizeof(buf));
	if (k != NULL)
		plain(w, k);
	str(w, buf);
}

static void write_dataplane(struct w *w, const struct topo_dataplane *dp)
{
	static const char *const huge[] = {"auto", "on", "off"};

	if (dp->n_workers == 0 && dp->control_cpu == 0 && dp->memory_mb == TOPO_DEF_MEMORY_MB &&
	    dp->mbufs == TOPO_DEF_MBUFS && dp->idle_sleep_max_us == TOPO_DEF_IDLE_SLEEP_US &&
	    dp->huge == TOPO_HUGE_AUTO)
		return;
	plain(w, "dataplane");
	map_start(w, true);
	if (dp->n_workers > 0) {
		plain(w, "workers");
		seq_start(w, true);
		for (size_t i = 0; i < dp->n_workers; i++)
			num(w, dp->workers[i]);
		seq_end(w);
	}
	if (dp->control_cpu != 0)
		kv_num(w, "control_cpu", dp->control_cpu);
	if (dp->memory_mb != TOPO_DEF_MEMORY_MB)
		kv_num(w, "memory_mb", dp->memory_mb);
	if (dp->mbufs != TOPO_DEF_MBUFS)
		kv_num(w, "mbufs", dp->mbufs);
	if (dp->idle_sleep_max_us != TOPO_DEF_IDLE_SLEEP_US)
		kv_num(w, "idle_sleep_max_us", dp->idle_sleep_max_us);
	if (dp->huge != TOPO_HUGE_AUTO && (unsigned int)dp->huge < 3)
		kv_str(w, "huge", huge[dp->huge]);
	map_end(w);
}

static void write_ports(struct w *w, const struct topo *t)
{
	if (t->n_ports == 0)
		return;
	plain(w, "ports");
	map_start(w, false);
	for (size_t i = 0; i < t->n_ports; i++) {
		const struct topo_port *p = &t->ports[i];

		str(w, p->name);
		map_start(w, true);
		/* plain even for "null": the loader reads type's text, not YAML's null */
		plain(w, "type");
		plain(w, (unsigned int)p->type < TOPO_PORT_TYPE_MAX ? topo_port_type_names[p->type]
								    : "?");
		for (size_t j = 0; j < p->n_opts; j++) {
			const struct topo_port_opt *o = &p->opts[j];

			plain(w, o->key);
			if (o->kind == TOPO_OPT_BOOL)
				plain(w, o->b ? "true" : "false");
			else if (o->kind == TOPO_OPT_UINT)
				num(w, o->u);
			else
				str(w, o->str);
		}
		if (p->storm_pps != 0)
			kv_num(w, "storm_pps", p->storm_pps);
		if (p->storm_burst != TOPO_DEF_STORM_BURST)
			kv_num(w, "storm_burst", p->storm_burst);
		if (p->max_macs != 0)
			kv_num(w, "max_macs", p->max_macs);
		map_end(w);
	}
	map_end(w);
}

static void write_trunk(struct w *w, const uint8_t *bm)
{
	char list[16384], *p, *save = NULL;

	vsw_vlan_list_format(bm, list, sizeof(list));
	seq_start(w, true);
	for (p = strtok_r(list, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (strchr(p, '-') != NULL)
			str(w, p);
		else
			plain(w, p);
	}
	seq_end(w);
}

static void write_record(struct w *w, const struct topo_record *r)
{
	if (!r->present)
		return;
	plain(w, "record");
	map_start(w, false);
	kv_str(w, "file", r->file);
	if (r->max_size_kb != 0) {
		kv_num(w, "max_size_kb", r->max_size_kb);
		if (r->max_files != TOPO_DEF_REC_MAX_FILES)
			kv_num(w, "max_files", r->max_files);
	}
	if (r->filter[0] != '\0')
		kv_str(w, "filter", r->filter);
	if (r->snaplen != TOPO_DEF_REC_SNAPLEN)
		kv_num(w, "snaplen", r->snaplen);
	if (r->format != TOPO_REC_PCAPNG)
		kv_str(w, "format", "pcap");
	map_end(w);
}

static void write_bridge(struct w *w, const struct topo_bridge *br)
{
	char mac[18];

	str(w, br->name);
	map_start(w, false);
	if (br->vni != 0)
		kv_num(w, "vni", br->vni);
	if (topo_bridge_vni_vlan(br) != 1)
		kv_num(w, "vni_vlan", topo_bridge_vni_vlan(br));
	if (br->remote_max_macs != 0)
		kv_num(w, "remote_max_macs", br->remote_max_macs);
	if (br->mtu != 0)
		kv_num(w, "mtu", br->mtu);
	if (br->has_remotes) {
		plain(w, "remotes");
		seq_start(w, true);
		for (size_t i = 0; i < br->n_remotes; i++)
			kv_ip(w, NULL, &br->remotes[i].ip);
		seq_end(w);
	}
	if (br->mac_aging_s != TOPO_DEF_MAC_AGING_S)
		kv_num(w, "mac_aging_s", br->mac_aging_s);
	if (br->max_macs != TOPO_DEF_MAX_MACS)
		kv_num(w, "max_macs", br->max_macs);
	if (br->move_damp != TOPO_DEF_MOVE_DAMP)
		kv_num(w, "move_damp", br->move_damp);
	if (br->move_damp_s != TOPO_DEF_MOVE_DAMP_S)
		kv_num(w, "move_damp_s", br->move_damp_s);
	write_record(w, &br->record);
	if (br->n_ports > 0) {
		plain(w, "ports");
		map_start(w, false);
		for (size_t i = 0; i < br->n_ports; i++) {
			const struct topo_bridge_port *bp = &br->ports[i];

			str(w, bp->port);
			map_start(w, true);
			if (bp->mode == TOPO_VLAN_ACCESS) {
				kv_num(w, "vlan", bp->vlan);
			} else {
				plain(w, "trunk");
				write_trunk(w, bp->trunk);
				if (bp->native != 0)
					kv_num(w, "native", bp->native);
			}
			map_end(w);
		}
		map_end(w);
	}
	if (br->n_static_macs > 0) {
		plain(w, "static_macs");
		seq_start(w, false);
		for (size_t i = 0; i < br->n_static_macs; i++) {
			const struct topo_static_mac *sm = &br->static_macs[i];

			vsw_mac_format(sm->mac, mac);
			map_start(w, true);
			kv_str(w, "mac", mac);
			if (sm->remote.family != 0)
				kv_ip(w, "remote", &sm->remote);
			else
				kv_str(w, "port", sm->port);
			kv_num(w, "vlan", sm->vlan);
			map_end(w);
		}
		seq_end(w);
	}
	map_end(w);
}

static void write_overlay(struct w *w, const struct topo_overlay *ov)
{
	if (!ov->present)
		return;
	plain(w, "overlay");
	map_start(w, false);
	plain(w, "vtep");
	map_start(w, true);
	if (strcmp(ov->name, TOPO_DEF_VTEP_NAME) != 0)
		kv_str(w, "name", ov->name);
	kv_ip(w, "local_ip", &ov->local_ip);
	if (ov->prefix_len != topo_overlay_default_prefix(ov))
		kv_num(w, "prefix_len", ov->prefix_len);
	if (ov->gateway.family != 0)
		kv_ip(w, "gateway", &ov->gateway);
	kv_str(w, "port", ov->port);
	kv_num(w, "udp_port", ov->udp_port);
	if (ov->mtu != TOPO_DEF_UNDERLAY_MTU)
		kv_num(w, "mtu", ov->mtu);
	if (ov->ttl != TOPO_DEF_TTL)
		kv_num(w, "ttl", ov->ttl);
	map_end(w);
	if (ov->n_remotes > 0) {
		plain(w, "remotes");
		seq_start(w, true);
		for (size_t i = 0; i < ov->n_remotes; i++)
			kv_ip(w, NULL, &ov->remotes[i].ip);
		seq_end(w);
	}
	if (ov->n_neighbours > 0) {
		char mac[18];

		plain(w, "neighbours");
		seq_start(w, false);
		for (size_t i = 0; i < ov->n_neighbours; i++) {
			vsw_mac_format(ov->neighbours[i].mac, mac);
			map_start(w, true);
			kv_ip(w, "ip", &ov->neighbours[i].ip);
			kv_str(w, "mac", mac);
			map_end(w);
		}
		seq_end(w);
	}
	map_end(w);
}

static void write_mac_masked(struct w *w, const char *k, const uint8_t *mac, const uint8_t *mask)
{
	static const uint8_t full[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	char buf[40];

	vsw_mac_format(mac, buf);
	if (memcmp(mask, full, 6) != 0) {
		buf[17] = '/';
		vsw_mac_format(mask, buf + 18);
	}
	kv_str(w, k, buf);
}

static void write_match(struct w *w, const struct topo_match *m)
{
	char buf[24];

	if (m->fields == 0)
		return;
	plain(w, "match");
	map_start(w, true);
	if (m->fields & TOPO_M_BIT(TOPO_M_IN_PORT))
		kv_str(w, "in_port", m->in_port);
	if (m->fields & TOPO_M_BIT(TOPO_M_VLAN))
		kv_num(w, "vlan", m->vlan);
	if (m->fields & TOPO_M_BIT(TOPO_M_ETH_SRC))
		write_mac_masked(w, "eth_src", m->eth_src, m->eth_src_mask);
	if (m->fields & TOPO_M_BIT(TOPO_M_ETH_DST))
		write_mac_masked(w, "eth_dst", m->eth_dst, m->eth_dst_mask);
	if (m->fields & TOPO_M_BIT(TOPO_M_ETH_TYPE)) {
		plain(w, "eth_type");
		switch (m->eth_type) {
		case TOPO_ETH_IPV4:
			plain(w, "ipv4");
			break;
		case TOPO_ETH_IPV6:
			plain(w, "ipv6");
			break;
		case TOPO_ETH_ARP:
			plain(w, "arp");
			break;
		case TOPO_ETH_VLAN:
			plain(w, "vlan");
			break;
		default:
			snprintf(buf, sizeof(buf), "0x%04x", m->eth_type);
			plain(w, buf);
		}
	}
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_SRC))
		kv_ip(w, "ip_src", &m->ip_src);
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_DST))
		kv_ip(w, "ip_dst", &m->ip_dst);
	if (m->fields & TOPO_M_BIT(TOPO_M_IP_PROTO)) {
		plain(w, "ip_proto");
		switch (m->ip_proto) {
		case TOPO_IPPROTO_TCP:
			plain(w, "tcp");
			break;
		case TOPO_IPPROTO_UDP:
			plain(w, "udp");
			break;
		case TOPO_IPPROTO_ICMP:
			plain(w, "icmp");
			break;
		case TOPO_IPPROTO_ICMPV6:
			plain(w, "icmpv6");
			break;
		case TOPO_IPPROTO_SCTP:
			plain(w, "sctp");
			break;
		default:
			num(w, m->ip_proto);
		}
	}
	if (m->fields & TOPO_M_BIT(TOPO_M_L4_SRC))
		kv_num(w, "l4_src", m->l4_src);
	if (m->fields & TOPO_M_BIT(TOPO_M_L4_DST))
		kv_num(w, "l4_dst", m->l4_dst);
	if (m->fields & TOPO_M_BIT(TOPO_M_VNI))
		kv_num(w, "vni", m->vni);
	map_end(w);
}

static void write_flow(struct w *w, const struct topo_flow *f)
{
	char buf[64];

	map_start(w, false);
	if (f->name[0] != '\0')
		kv_str(w, "name", f->name);
	kv_str(w, "bridge", f->bridge);
	kv_num(w, "priority", f->priority);
	write_match(w, &f->match);
	plain(w, "actions");
	seq_start(w, true);
	for (size_t i = 0; i < f->n_actions; i++) {
		const struct topo_action *a = &f->actions[i];
		const char *name =
			(unsigned int)a->type < TOPO_ACT_MAX ? topo_action_names[a->type] : "?";

		if (a->type == TOPO_ACT_OUTPUT || a->type == TOPO_ACT_MIRROR)
			snprintf(buf, sizeof(buf), "%s:%s", name, a->port);
		else if (a->type == TOPO_ACT_PUSH_VLAN || a->type == TOPO_ACT_SET_VLAN)
			snprintf(buf, sizeof(buf), "%s:%u", name, a->vlan);
		else
			snprintf(buf, sizeof(buf), "%s", name);
		str(w, buf);
	}
	seq_end(w);
	map_end(w);
}

int topo_write_yaml(const struct topo *t, FILE *f)
{
	struct w w = {.rc = 0};
	yaml_event_t ev;

	if (!yaml_emitter_initialize(&w.em))
		return -ENOMEM;
	yaml_emitter_set_output_file(&w.em, f);
	yaml_emitter_set_unicode(&w.em, 1);
	yaml_emitter_set_width(&w.em, 100);
	emit(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	map_start(&w, false);
	kv_num(&w, "version", t->version);
	write_dataplane(&w, &t->dataplane);
	write_ports(&w, t);
	if (t->n_bridges > 0) {
		plain(&w, "bridges");
		map_start(&w, false);
		for (size_t i = 0; i < t->n_bridges; i++)
			write_bridge(&w, &t->bridges[i]);
		map_end(&w);
	}
	write_overlay(&w, &t->overlay);
	if (t->n_flows > 0) {
		plain(&w, "flows");
		seq_start(&w, false);
		for (size_t i = 0; i < t->n_flows; i++)
			write_flow(&w, &t->flows[i]);
		seq_end(&w);
	}
	map_end(&w);
	emit(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(&w, &ev, yaml_stream_end_event_initialize(&ev));
	if (w.rc == 0 && !yaml_emitter_flush(&w.em))
		w.rc = -EIO;
	yaml_emitter_delete(&w.em);
	if (w.rc == 0 && (fflush(f) != 0 || ferror(f)))
		w.rc = -EIO;
	return w.rc;
}
