/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, the control side: check and compile rules, build an rte_acl classifier
 * for a bridge's whole rule list, publish it by pointer swap, wait out a grace period,
 * free the old one. Every add, delete or modify is one rebuild, so a batch of rules (one
 * flow-add with many flows) costs one build; traffic keeps flowing through the old
 * table meanwhile. A rule (struct flow_rule) outlives the tables built from it and owns
 * its counters, so counters survive every rebuild; a deleted rule is freed only after
 * the grace period that unpublished the last table pointing to it.
 * Rules reference ports by index, resolved when the rule is added or modified.
 * XXX: a port deleted and another added under the same index inherits its rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "flow_ctl.h"
#include "l2/flow_table.h"
#include "vsw_util.h"

/* Ties between rules of one priority are broken by id (older first) for this many rules
 * of that priority; rte_acl priorities have 29 bits, ours 16. */
#define FLOW_TIE_BITS 13
#define FLOW_TIE_MAX ((1u << FLOW_TIE_BITS) - 1)

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_SCTP_ 132
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

/* Control only. */
struct flow_rule {
	struct dp_flow spec; /* as the user gave it (port names), with its id */
	struct flow_stats *stats;
	uint16_t in_port; /* index of spec.match.in_port */
	uint8_t n_act;
	struct flow_act act[DP_FLOW_ACTIONS_MAX];
};

static struct {
	uint32_t next_id;
	uint32_t acl_seq; /* rte_acl context names must be unique */
} flow_main = {.next_id = 1};

RTE_ACL_RULE_DEF(flow_acl_rule, FK_MAX);

#define FDEF(t, sz, f, in, member)                                                                 \
	{                                                                                          \
		.type = RTE_ACL_FIELD_TYPE_##t, .size = (sz), .field_index = (f),                  \
		.input_index = (in), .offset = offsetof(struct flow_key, member)                   \
	}
static const struct rte_acl_field_def flow_acl_defs[FK_MAX] = {
	FDEF(BITMASK, 1, FK_IP_PROTO, 0, ip_proto),   FDEF(BITMASK, 2, FK_IN_PORT, 1, in_port),
	FDEF(BITMASK, 2, FK_VLAN, 1, vlan),	      FDEF(BITMASK, 2, FK_ETH_TYPE, 2, eth_type),
	FDEF(BITMASK, 2, FK_PAD1, 2, pad1),	      FDEF(RANGE, 2, FK_L4_SRC, 3, l4_src),
	FDEF(RANGE, 2, FK_L4_DST, 3, l4_dst),	      FDEF(BITMASK, 2, FK_SRC_LO, 4, src_lo),
	FDEF(BITMASK, 2, FK_DST_LO, 4, dst_lo),	      FDEF(BITMASK, 4, FK_SRC_HI, 5, src_hi),
	FDEF(BITMASK, 4, FK_DST_HI, 6, dst_hi),	      FDEF(MASK, 4, FK_IP_SRC0, 7, ip_src[0]),
	FDEF(MASK, 4, FK_IP_SRC0 + 1, 8, ip_src[1]),  FDEF(MASK, 4, FK_IP_SRC0 + 2, 9, ip_src[2]),
	FDEF(MASK, 4, FK_IP_SRC0 + 3, 10, ip_src[3]), FDEF(MASK, 4, FK_IP_DST0, 11, ip_dst[0]),
	FDEF(MASK, 4, FK_IP_DST0 + 1, 12, ip_dst[1]), FDEF(MASK, 4, FK_IP_DST0 + 2, 13, ip_dst[2]),
	FDEF(MASK, 4, FK_IP_DST0 + 3, 14, ip_dst[3]),
};

/* ---- building a classifier ---- */

static uint32_t be32_at(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void acl_mac(struct flow_acl_rule *ar, int hi, int lo, const uint8_t mac[6],
		    const uint8_t mask[6])
{
	ar->field[hi].mask_range.u32 = be32_at(mask);
	ar->field[hi].value.u32 = be32_at(mac) & be32_at(mask);
	ar->field[lo].mask_range.u16 = (uint16_t)((mask[4] << 8) | mask[5]);
	ar->field[lo].value.u16 = (uint16_t)(((mac[4] << 8) | mac[5]) & ((mask[4] << 8) | mask[5]));
}

static void acl_prefix(struct flow_acl_rule *ar, int first, const uint8_t addr[16], int words,
		       unsigned int plen)
{
	for (int j = 0; j < words; j++) {
		int bits = (int)plen - 32 * j;
		uint32_t len = bits <= 0 ? 0 : bits >= 32 ? 32 : (uint32_t)bits;
		uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);

		ar->field[first + j].value.u32 = be32_at(addr + 4 * j) & mask;
		ar->field[first + j].mask_range.u32 = len;
	}
}

static void acl_rule_fill(struct flow_acl_rule *ar, const struct flow_rule *r, uint32_t prio,
			  uint32_t userdata)
{
	const struct dp_flow_match *mt = &r->spec.match;
	int words = mt->ip_version == 6 ? 4 : 1;

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = (int32_t)prio;
	ar->data.userdata = userdata;
	ar->field[FK_L4_SRC].mask_range.u16 = UINT16_MAX;
	ar->field[FK_L4_DST].mask_range.u16 = UINT16_MAX;
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_IN_PORT)) {
		ar->field[FK_IN_PORT].value.u16 = r->in_port;
		ar->field[FK_IN_PORT].mask_range.u16 = UINT16_MAX;
	}
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_VLAN)) {
		ar->field[FK_VLAN].value.u16 = mt->vlan;
		ar->field[FK_VLAN].mask_range.u16 = UINT16_MAX;
	}
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_ETH_SRC))
		acl_mac(ar, FK_SRC_HI, FK_SRC_LO, mt->eth_src, mt->eth_src_mask);
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_ETH_DST))
		acl_mac(ar, FK_DST_HI, FK_DST_LO, mt->eth_dst, mt->eth_dst_mask);
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_ETH_TYPE)) {
		ar->field[FK_ETH_TYPE].value.u16 = mt->eth_type;
		ar->field[FK_ETH_TYPE].mask_range.u16 = UINT16_MAX;
	}
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_IP_SRC))
		acl_prefix(ar, FK_IP_SRC0, mt->ip_src, words, mt->ip_src_len);
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_IP_DST))
		acl_prefix(ar, FK_IP_DST0, mt->ip_dst, words, mt->ip_dst_len);
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_IP_PROTO)) {
		ar->field[FK_IP_PROTO].value.u8 = mt->ip_proto;
		ar->field[FK_IP_PROTO].mask_range.u8 = UINT8_MAX;
	}
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_L4_SRC)) {
		ar->field[FK_L4_SRC].value.u16 = mt->l4_src;
		ar->field[FK_L4_SRC].mask_range.u16 = mt->l4_src;
	}
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_L4_DST)) {
		ar->field[FK_L4_DST].value.u16 = mt->l4_dst;
		ar->field[FK_L4_DST].mask_range.u16 = mt->l4_dst;
	}
}

void flow_table_free(struct flow_table *ft)
{
	if (ft == NULL)
		return;
	rte_acl_free(ft->acl);
	free(ft->rules);
	rte_free(ft);
}

struct flow_table *flow_table_build(struct flow_rule *const *rules, unsigned int n, char *err,
				    size_t errsz)
{
	struct rte_acl_param prm = {
		.socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(FK_MAX),
		.max_rule_num = n,
	};
	struct rte_acl_config cfg = {.num_categories = 1, .num_fields = FK_MAX};
	char name[RTE_ACL_NAMESIZE];
	struct flow_acl_rule *ar;
	struct flow_table *ft;
	uint32_t tie = 0;
	int rc;

	ft = rte_zmalloc("vsw_flow_table", sizeof(*ft) + n * sizeof(ft->e[0]), RTE_CACHE_LINE_SIZE);
	ar = calloc(n, sizeof(*ar));
	if (ft == NULL || ar == NULL)
		goto nomem;
	ft->n = n;
	ft->rules = malloc(n * sizeof(ft->rules[0]));
	if (ft->rules == NULL)
		goto nomem;
	memcpy(ft->rules, rules, n * sizeof(rules[0]));
	for (unsigned int i = 0; i < n; i++) {
		const struct flow_rule *r = rules[i];

		/* earlier in the list = tried first: higher rte_acl priority among equals */
		tie = i > 0 && r->spec.priority == rules[i - 1]->spec.priority ? tie + 1 : 0;
		acl_rule_fill(&ar[i], r,
			      ((uint32_t)r->spec.priority << FLOW_TIE_BITS) |
				      (FLOW_TIE_MAX - RTE_MIN(tie, FLOW_TIE_MAX)),
			      i + 1);
		ft->e[i].stats = r->stats;
		ft->e[i].n_act = r->n_act;
		memcpy(ft->e[i].act, r->act, sizeof(r->act));
	}
	snprintf(name, sizeof(name), "vsw_flow_%u", flow_main.acl_seq++);
	prm.name = name;
	ft->acl = rte_acl_create(&prm);
	if (ft->acl == NULL)
		goto nomem;
	rc = rte_acl_add_rules(ft->acl, (const struct rte_acl_rule *)ar, n);
	if (rc == 0) {
		memcpy(cfg.defs, flow_acl_defs, sizeof(flow_acl_defs));
		rc = rte_acl_build(ft->acl, &cfg);
	}
	if (rc < 0) {
		snprintf(err, errsz, "building the classifier for %u rules failed: %s", n,
			 strerror(-rc));
		free(ar);
		flow_table_free(ft);
		errno = -rc;
		return NULL;
	}
	free(ar);
	return ft;
nomem:
	snprintf(err, errsz, "out of memory for a classifier of %u rules", n);
	free(ar);
	flow_table_free(ft);
	errno = ENOMEM;
	return NULL;
}

/* ---- checking and compiling a rule ---- */

static int rule_port(struct dp *dp, const char *cmd, const char *what, const char *name,
		     uint16_t *idx, char *err, size_t errsz)
{
	struct port *p = dp_port_find(dp, name);

	if (p == NULL) {
		snprintf(err, errsz, "%s: %s: no port \"%s\"", cmd, what, name);
		return -ENOENT;
	}
	*idx = p->idx;
	return 0;
}

static bool prefix_host_bits(const uint8_t *a, unsigned int plen, unsigned int size)
{
	for (unsigned int b = plen; b < size * 8; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return true;
	return false;
}

/* Check f and compile it into r (whose stats and id are left alone). */
static int rule_compile(struct dp *dp, const char *cmd, const struct dp_flow *f,
			struct flow_rule *r, char *err, size_t errsz)
{
	struct dp_flow_match mt = f->match;
	uint32_t ip_bits = DP_FLOW_BIT(DP_FLOW_IP_SRC) | DP_FLOW_BIT(DP_FLOW_IP_DST);
	uint32_t l4_bits = DP_FLOW_BIT(DP_FLOW_L4_SRC) | DP_FLOW_BIT(DP_FLOW_L4_DST);
	bool fwd = false, manual_tags = false;
	uint16_t in_port = 0;
	int rc;

	if (mt.fields & ~(DP_FLOW_BIT(DP_FLOW_FIELD_MAX) - 1)) {
		snprintf(err, errsz, "%s: unknown match field bits %#x", cmd, mt.fields);
		return -EINVAL;
	}
	if (f->name[0] != '\0' && !vsw_name_valid(f->name)) {
		snprintf(err, errsz, "%s: invalid flow name (1 to 31 of A-Z a-z 0-9 _ . -)", cmd);
		return -EINVAL;
	}
	if (mt.fields & DP_FLOW_BIT(DP_FLOW_IN_PORT)) {
		rc = rule_port(dp, cmd, "in_port", mt.in_port, &in_port, err, errsz);
		if (rc < 0)
			return rc;
	}
	if ((mt.fields & DP_FLOW_BIT(DP_FLOW_VLAN)) && (mt.vlan < 1 || mt.vlan > VSW_VLAN_MAX)) {
		snprintf(err, errsz, "%s: vlan %u out of range (1..4094)", cmd, mt.vlan);
		return -EINVAL;
	}
	if (mt.fields & ip_bits) {
		unsigned int max = mt.ip_version == 4 ? 32 : 128;
		uint16_t et = mt.ip_version == 4 ? ETH_IPV4 : ETH_IPV6;

		if (mt.ip_version != 4 && mt.ip_version != 6) {
			snprintf(err, errsz, "%s: ip_version %u (expected 4 or 6)", cmd,
				 mt.ip_version);
			return -EINVAL;
		}
		if (((mt.fields & DP_FLOW_BIT(DP_FLOW_IP_SRC)) &&
		     (mt.ip_src_len > max ||
		      prefix_host_bits(mt.ip_src, mt.ip_src_len, max / 8))) ||
		    ((mt.fields & DP_FLOW_BIT(DP_FLOW_IP_DST)) &&
		     (mt.ip_dst_len > max ||
		      prefix_host_bits(mt.ip_dst, mt.ip_dst_len, max / 8)))) {
			snprintf(err, errsz,
				 "%s: an IP prefix is longer than %u bits or has bits set past its "
				 "length",
				 cmd, max);
			return -EINVAL;
		}
		/* a prefix implies its family, as OVS's prerequisites do */
		if (!(mt.fields & DP_FLOW_BIT(DP_FLOW_ETH_TYPE))) {
			mt.fields |= DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
			mt.eth_type = et;
		} else if (mt.eth_type != et) {
			snprintf(err, errsz,
				 "%s: an IPv%u prefix with eth_type %#06x (expected %#06x)", cmd,
				 mt.ip_version, mt.eth_type, et);
			return -EINVAL;
		}
	}
	if ((mt.fields & DP_FLOW_BIT(DP_FLOW_IP_PROTO)) &&
	    (!(mt.fields & DP_FLOW_BIT(DP_FLOW_ETH_TYPE)) ||
	     (mt.eth_type != ETH_IPV4 && mt.eth_type != ETH_IPV6))) {
		snprintf(err, errsz, "%s: ip_proto needs eth_type ipv4 or ipv6 (or an IP prefix)",
			 cmd);
		return -EINVAL;
	}
	if ((mt.fields & l4_bits) && (!(mt.fields & DP_FLOW_BIT(DP_FLOW_IP_PROTO)) ||
				      (mt.ip_proto != IPPROTO_TCP_ && mt.ip_proto != IPPROTO_UDP_ &&
				       mt.ip_proto != IPPROTO_SCTP_))) {
		snprintf(err, errsz, "%s: l4_src/l4_dst need ip_proto tcp, udp or sctp", cmd);
		return -EINVAL;
	}
	if (f->n_actions < 1 || f->n_actions > DP_FLOW_ACTIONS_MAX) {
		snprintf(err, errsz, "%s: %u actions (expected 1..%d)", cmd, f->n_actions,
			 DP_FLOW_ACTIONS_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < f->n_actions; i++) {
		const struct dp_flow_action *a = &f->actions[i];
		struct flow_act *ca = &r->act[i];

		if (fwd) {
			snprintf(err, errsz,
				 "%s: action %u comes after drop, output, flood or normal (those "
				 "end the list)",
				 cmd, i + 1);
			return -EINVAL;
		}
		ca->type = (uint8_t)a->type;
		ca->arg = 0;
		switch (a->type) {
		case DP_FLOW_ACT_DROP:
		case DP_FLOW_ACT_NORMAL:
		case DP_FLOW_ACT_FLOOD:
			if (manual_tags && a->type != DP_FLOW_ACT_DROP) {
				snprintf(err, errsz,
					 "%s: push_vlan/pop_vlan go with output or mirror, not "
					 "normal or flood (those tag by the ports' VLAN settings)",
					 cmd);
				return -EINVAL;
			}
			fwd = true;
			break;
		case DP_FLOW_ACT_OUTPUT:
		case DP_FLOW_ACT_MIRROR:
			rc = rule_port(dp, cmd, a->type == DP_FLOW_ACT_OUTPUT ? "output" : "mirror",
				       a->port, &ca->arg, err, errsz);
			if (rc < 0)
				return rc;
			fwd = a->type == DP_FLOW_ACT_OUTPUT;
			break;
		case DP_FLOW_ACT_PUSH_VLAN:
		case DP_FLOW_ACT_SET_VLAN:
			if (a->vlan < 1 || a->vlan > VSW_VLAN_MAX) {
				snprintf(err, errsz,
					 "%s: action %u: VLAN %u out of range (1..4094)", cmd,
					 i + 1, a->vlan);
				return -EINVAL;
			}
			ca->arg = a->vlan;
			manual_tags |= a->type == DP_FLOW_ACT_PUSH_VLAN;
			break;
		case DP_FLOW_ACT_POP_VLAN:
			manual_tags = true;
			break;
		case DP_FLOW_ACT_COUNT:
			break;
		default:
			snprintf(err, errsz, "%s: action %u: unknown action type %d", cmd, i + 1,
				 (int)a->type);
			return -EINVAL;
		}
	}
	r->n_act = (uint8_t)f->n_actions;
	r->in_port = in_port;
	r->spec.name[0] = '\0';
	snprintf(r->spec.name, sizeof(r->spec.name), "%s", f->name);
	r->spec.priority = f->priority;
	r->spec.match = mt;
	r->spec.n_actions = f->n_actions;
	memcpy(r->spec.actions, f->actions, sizeof(f->actions));
	return 0;
}

/* ---- the rule list of a bridge ---- */

static int rule_cmp(const void *a, const void *b)
{
	const struct flow_rule *x = *(struct flow_rule *const *)a,
			       *y = *(struct flow_rule *const *)b;

	if (x->spec.priority != y->spec.priority)
		return x->spec.priority > y->spec.priority ? -1 : 1;
	return x->spec.id < y->spec.id ? -1 : x->spec.id > y->spec.id;
}

static void rule_free(struct flow_rule *r)
{
	if (r == NULL)
		return;
	rte_free(r->stats);
	free(r);
}

static struct flow_rule *rule_new(void)
{
	struct flow_rule *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->stats = rte_zmalloc("vsw_flow_stats", sizeof(*r->stats), RTE_CACHE_LINE_SIZE);
	if (r->stats == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/* Sort the list, build its table, publish it, wait until no worker holds the old one,
 * free that. The list stays the caller's. */
static int flows_publish(struct dp *dp, struct bridge *br, struct flow_rule **list, unsigned int n,
			 char *err, size_t errsz)
{
	struct flow_table *nt = NULL, *old;

	if (n > 1)
		qsort(list, n, sizeof(list[0]), rule_cmp);
	if (n > 0) {
		nt = flow_table_build(list, n, err, errsz);
		if (nt == NULL)
			return -errno;
	}
	old = atomic_load_explicit(&br->flows, memory_order_relaxed);
	atomic_store_explicit(&br->flows, nt, memory_order_release);
	dp_sync(dp);
	flow_table_free(old);
	return 0;
}

static struct bridge *flow_bridge(struct dp *dp, const char *cmd, const char *bridge, char *err,
				  size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);

	if (br == NULL)
		snprintf(err, errsz, "%s: no bridge \"%s\"", cmd, bridge);
	return br;
}

static struct flow_rule *rule_find(const struct flow_table *ft, uint32_t id, const char *name)
{
	for (unsigned int i = 0; ft != NULL && i < ft->n; i++) {
		struct flow_rule *r = ft->rules[i];

		if (id != 0 ? r->spec.id == id : strcmp(r->spec.name, name) == 0)
			return r;
	}
	return NULL;
}

int dp_flow_add(struct dp *dp, const char *bridge, const struct dp_flow *flows, unsigned int n,
		uint32_t *ids, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-add", bridge, err, errsz);
	struct flow_table *old;
	struct flow_rule **list;
	unsigned int nold, i, made = 0;
	int rc;

	if (br == NULL)
		return -ENOENT;
	old = atomic_load_explicit(&br->flows, memory_order_relaxed);
	nold = old ? old->n : 0;
	if (n == 0) {
		snprintf(err, errsz, "flow-add %s: no flow given", bridge);
		return -EINVAL;
	}
	if (n > DP_FLOW_MAX || nold + n > DP_FLOW_MAX) {
		snprintf(err, errsz, "flow-add %s: %u flows plus %u exceed %d per bridge", bridge,
			 nold, n, DP_FLOW_MAX);
		return -ENOSPC;
	}
	list = malloc((nold + n) * sizeof(list[0]));
	if (list == NULL)
		goto nomem;
	if (nold)
		memcpy(list, old->rules, nold * sizeof(list[0]));
	for (i = 0; i < n; i++) {
		struct flow_rule *r = rule_new();

		if (r == NULL) {
			rc = -ENOMEM;
			snprintf(err, errsz, "flow-add %s: out of memory", bridge);
			goto out_free;
		}
		list[nold + made++] = r;
		rc = rule_compile(dp, "flow-add", &flows[i], r, err, errsz);
		if (rc < 0)
			goto out_free;
		for (unsigned int j = 0; r->spec.name[0] != '\0' && j < nold + i; j++) {
			if (strcmp(list[j]->spec.name, r->spec.name) == 0) {
				snprintf(err, errsz, "flow-add %s: a flow named \"%s\" exists",
					 bridge, r->spec.name);
				rc = -EEXIST;
				goto out_free;
			}
		}
	}
	for (i = 0; i < n; i++)
		list[nold + i]->spec.id = flow_main.next_id + i;
	rc = flows_publish(dp, br, list, nold + n, err, errsz);
	if (rc < 0)
		goto out_free;
	for (i = 0; ids != NULL && i < n; i++)
		ids[i] = flow_main.next_id + i;
	flow_main.next_id += n;
	free(list);
	return 0;

out_free:
	/* the new rules are the last `made` of the list before any sort, or were sorted in
	 * with the old ones when the build failed: tell them apart by their id */
	for (i = 0; i < nold + made; i++)
		if (list[i]->spec.id >= flow_main.next_id || list[i]->spec.id == 0)
			rule_free(list[i]);
	free(list);
	return rc;
nomem:
	snprintf(err, errsz, "flow-add %s: out of memory", bridge);
	return -ENOMEM;
}

int dp_flow_del(struct dp *dp, const char *bridge, uint32_t id, const char *name, char *err,
		size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-del", bridge, err, errsz);
	struct flow_rule **keep, **gone;
	struct flow_table *old;
	unsigned int nk = 0, ng = 0;
	int rc;

	if (br == NULL)
		return -ENOENT;
	old = atomic_load_explicit(&br->flows, memory_order_relaxed);
	if (old == NULL) {
		if (id == 0 && name == NULL)
			return 0;
		goto noent;
	}
	keep = malloc(old->n * sizeof(keep[0]));
	gone = malloc(old->n * sizeof(gone[0]));
	if (keep == NULL || gone == NULL) {
		free(keep);
		free(gone);
		snprintf(err, errsz, "flow-del %s: out of memory", bridge);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < old->n; i++) {
		struct flow_rule *r = old->rules[i];
		bool sel = id != 0 ? r->spec.id == id
				   : name == NULL || strcmp(r->spec.name, name) == 0;

		if (sel)
			gone[ng++] = r;
		else
			keep[nk++] = r;
	}
	if (ng == 0) {
		free(keep);
		free(gone);
		if (id == 0 && name == NULL)
			return 0;
		goto noent;
	}
	rc = flows_publish(dp, br, keep, nk, err, errsz);
	if (rc == 0) {
		for (unsigned int i = 0; i < ng; i++)
			rule_free(gone[i]); /* no table reaches them after the grace period */
	}
	free(keep);
	free(gone);
	return rc < 0 ? rc : (int)ng;
noent:
	if (name != NULL)
		snprintf(err, errsz, "flow-del %s: no flow named \"%s\"", bridge, name);
	else
		snprintf(err, errsz, "flow-del %s: no flow with id %u", bridge, id);
	return -ENOENT;
}

int dp_flow_mod(struct dp *dp, const char *bridge, uint32_t id, const char *name,
		const struct dp_flow *f, bool set_priority, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-mod", bridge, err, errsz);
	struct flow_rule *r, saved;
	struct dp_flow spec;
	struct flow_rule **list;
	struct flow_table *old;
	int rc;

	if (br == NULL)
		return -ENOENT;
	old = atomic_load_explicit(&br->flows, memory_order_relaxed);
	r = rule_find(old, id, name);
	if (r == NULL) {
		if (name != NULL)
			snprintf(err, errsz, "flow-mod %s: no flow named \"%s\"", bridge, name);
		else
			snprintf(err, errsz, "flow-mod %s: no flow with id %u", bridge, id);
		return -ENOENT;
	}
	spec = r->spec;
	spec.n_actions = f->n_actions;
	memcpy(spec.actions, f->actions, sizeof(spec.actions));
	if (set_priority)
		spec.priority = f->priority;
	saved = *r;
	rc = rule_compile(dp, "flow-mod", &spec, r, err, errsz);
	if (rc < 0) {
		*r = saved;
		return rc;
	}
	list = malloc(old->n * sizeof(list[0]));
	if (list == NULL) {
		*r = saved;
		snprintf(err, errsz, "flow-mod %s: out of memory", bridge);
		return -ENOMEM;
	}
	memcpy(list, old->rules, old->n * sizeof(list[0]));
	/* r is control-only: workers read the actions copied into the tables */
	rc = flows_publish(dp, br, list, old->n, err, errsz);
	if (rc < 0)
		*r = saved;
	free(list);
	return rc;
}

int dp_flow_dump(struct dp *dp, const char *bridge, void (*cb)(const struct dp_flow *f, void *arg),
		 void *arg, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-dump", bridge, err, errsz);
	struct flow_table *ft;

	if (br == NULL)
		return -ENOENT;
	ft = atomic_load_explicit(&br->flows, memory_order_relaxed);
	for (unsigned int i = 0; ft != NULL && i < ft->n; i++) {
		const struct flow_rule *r = ft->rules[i];
		struct dp_flow f = r->spec;

		f.packets = 0;
		f.bytes = 0;
		for (unsigned int w = 0; w < VSW_MAX_WORKERS; w++) {
			f.packets += r->stats->w[w].packets;
			f.bytes += r->stats->w[w].bytes;
		}
		cb(&f, arg);
	}
	return ft ? (int)ft->n : 0;
}

uint32_t flow_table_rule_id(const struct flow_table *ft, const struct flow_entry *e)
{
	return ft->rules[e - ft->e]->spec.id;
}

void flow_bridge_free(struct bridge *br)
{
	struct flow_table *ft = atomic_load_explicit(&br->flows, memory_order_relaxed);

	if (ft == NULL)
		return;
	atomic_store_explicit(&br->flows, NULL, memory_order_relaxed);
	for (unsigned int i = 0; i < ft->n; i++)
		rule_free(ft->rules[i]);
	flow_table_free(ft);
}
