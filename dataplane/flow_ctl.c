/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, the control side: check and compile rules, keep each bridge's rules in a
 * big "base" rte_acl classifier plus a small "delta" one, publish views of them by
 * pointer swap, wait out a grace period, free what no worker can reach.
 *
 * A change rebuilds only the delta (tens of rules), so it costs about the same at 10
 * or 10,000 rules; the base is rebuilt with every rule (the delta merged in) on a
 * thread of its own when the delta has grown or the rules have been quiet for a while,
 * and swapped in by the control thread (flow_tick) when done. What makes the answer
 * exactly that of one classifier of all the live rules (l2/flow_table.c explains the
 * worker's half):
 *  - a rule deleted or changed after the base was built keeps its base entry, marked
 *    dead in the view's bitmap; a changed rule's new version goes into the delta;
 *  - rte_acl returns only the best match, so a dead base rule still hides the lower
 *    ranked base rules a frame also matches. When a base rule dies (or its priority goes
 *    down), every live base rule ranked below it whose match overlaps its own is copied
 *    into the delta (same entry, same counters): whenever the base answers with a dead
 *    rule, the delta then holds every live candidate the base hid;
 *  - ranks are total: priority, then the older rule (lower id); each classifier is built
 *    with rte_acl priorities that follow that order, and the worker compares the two
 *    answers' ranks.
 * A rule (struct flow_rule) outlives the classifiers built from it and owns its
 * counters, so counters survive every rebuild and merge; a deleted rule is freed only
 * after the grace period that unpublished the last view reaching it (and after a
 * merge in flight that names it has been installed).
 * Rules reference ports by index, resolved when the rule is added or modified. A port
 * that a rule names (in_port, output, mirror), in any bridge, cannot be deleted
 * (flow_port_users, called by port-del and vtep-remote-del): a later port would take its
 * index and silently inherit the rule. Refusing, rather than deleting the rules with the
 * port, changes nothing the user did not ask for; the controller deletes rules before the
 * ports they name.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "flow_ctl.h"
#include "l2/flow_table.h"
#include "vsw_util.h"

/* A merge starts when the delta holds this many rules, or when the rules have not
 * changed for FLOW_QUIET_MS and anything is in the delta or dead. */
#define FLOW_DELTA_MERGE 64
#define FLOW_QUIET_MS 500

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_SCTP_ 132
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

RTE_ACL_RULE_DEF(flow_acl_rule, FK_MAX);

/* Control only. */
struct flow_rule {
	struct dp_flow spec; /* as the user gave it (port names), with its id */
	struct flow_stats *stats;
	uint16_t in_port; /* index of spec.match.in_port */
	uint8_t n_act;
	struct flow_act act[DP_FLOW_ACTIONS_MAX];
	struct flow_acl_rule ar; /* the match, compiled (priority and userdata unset) */
	/* where it is (flow_ctl_state) */
	uint32_t pos;	    /* index in the state's rules[] */
	int32_t base_idx;   /* its entry in the base, -1 none */
	uint64_t base_rank; /* that entry's rank */
	uint32_t gen;	    /* flow-mods so far: a merge built from an older one is stale */
	bool in_delta;
	bool shadowed; /* the live base rules its base entry hides are in the delta */
	bool deleted;  /* a zombie: gone, but a merge in flight names it */
};

/* A base rebuilt in the background: made and filled on the control thread, built
 * (rte_acl_build, the slow part) on a thread of its own, installed by flow_merge_install. */
struct flow_merge {
	pthread_t th;
	struct flow_cls *cls; /* rules[] and e[] as of the snapshot */
	uint32_t *gen;	      /* each rule's gen at the snapshot */
	struct rte_acl_config cfg;
	int rc;
	_Atomic bool done;
	bool stale; /* a full rebuild made it useless: free it, do not install it */
};

struct flow_ctl_state {
	struct flow_rule **rules; /* every live rule, in no order */
	uint32_t n, cap;
	struct flow_cls *base, *delta; /* those of the published view */
	uint64_t *dead;		       /* one bit per base entry */
	uint32_t n_dead, n_delta;      /* n_delta counts rules with in_delta */
	uint64_t last_change;	       /* tsc */
	struct flow_merge *merge;      /* in flight, or NULL */
	struct flow_rule **zombies;    /* deleted rules the merge names */
	uint32_t n_zombies, cap_zombies;
	struct flow_rule **journal; /* rules a change put in the delta, to undo a failure */
	uint32_t n_journal, cap_journal;
	bool journaling;
};

static struct {
	uint32_t next_id;
	uint32_t acl_seq; /* rte_acl context names must be unique */
} flow_main = {.next_id = 1};

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
	FDEF(MASK, 4, FK_IP_DST0 + 3, 14, ip_dst[3]), FDEF(BITMASK, 4, FK_VNI, 15, vni),
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

/* r's match as rte_acl fields; priority and userdata are set per classifier. */
static void acl_rule_fill(struct flow_acl_rule *ar, const struct flow_rule *r)
{
	const struct dp_flow_match *mt = &r->spec.match;
	int words = mt->ip_version == 6 ? 4 : 1;

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
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
	if (mt->fields & DP_FLOW_BIT(DP_FLOW_VNI)) {
		ar->field[FK_VNI].value.u32 = mt->vni;
		ar->field[FK_VNI].mask_range.u32 = UINT32_MAX;
	}
}

/* Can one frame match both a and b? Field by field, their sets intersect. */
static bool acl_overlap(const struct flow_acl_rule *a, const struct flow_acl_rule *b)
{
	for (int f = 0; f < FK_MAX; f++) {
		const struct rte_acl_field *x = &a->field[f], *y = &b->field[f];
		uint64_t m;

		switch (flow_acl_defs[f].type) {
		case RTE_ACL_FIELD_TYPE_RANGE:
			if (x->value.u16 > y->mask_range.u16 || y->value.u16 > x->mask_range.u16)
				return false;
			break;
		case RTE_ACL_FIELD_TYPE_MASK: /* a prefix length */
			m = RTE_MIN(x->mask_range.u32, y->mask_range.u32);
			m = m == 0 ? 0 : (uint32_t)(~0u << (32 - m));
			if ((x->value.u32 ^ y->value.u32) & m)
				return false;
			break;
		default: /* bitmask; acl_rule_fill zeroed the bytes past the field's size */
			if ((x->value.u64 ^ y->value.u64) & x->mask_range.u64 & y->mask_range.u64)
				return false;
			break;
		}
	}
	return true;
}

/* ---- classifiers ---- */

static uint64_t rule_rank(const struct flow_rule *r)
{
	return ((uint64_t)r->spec.priority << 32) | (UINT32_MAX - r->spec.id);
}

/* Highest rank first: the order rules are tried in. */
static int rank_cmp(const void *a, const void *b)
{
	uint64_t x = rule_rank(*(struct flow_rule *const *)a),
		 y = rule_rank(*(struct flow_rule *const *)b);

	return x > y ? -1 : x < y;
}

static void acl_cfg(struct rte_acl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->num_categories = 1;
	cfg->num_fields = FK_MAX;
	memcpy(cfg->defs, flow_acl_defs, sizeof(flow_acl_defs));
}

static void cls_free(struct flow_cls *c)
{
	if (c == NULL)
		return;
	rte_acl_free(c->acl);
	free(c->rules);
	rte_free(c);
}

/* A classifier of n >= 1 rules sorted by rank, its rte_acl context filled but not built
 * (cls_make builds it; a merge builds it on its own thread). NULL with errno. */
static struct flow_cls *cls_new(struct flow_rule *const *rules, uint32_t n)
{
	struct rte_acl_param prm = {
		.socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(FK_MAX),
		.max_rule_num = n,
	};
	char name[RTE_ACL_NAMESIZE];
	struct flow_acl_rule *ar;
	struct flow_cls *c;
	int rc = -ENOMEM;

	c = rte_zmalloc("vsw_flow_cls", sizeof(*c) + n * sizeof(c->e[0]), RTE_CACHE_LINE_SIZE);
	ar = malloc(n * sizeof(*ar));
	if (c == NULL || ar == NULL)
		goto out_free;
	c->n = n;
	c->rules = malloc(n * sizeof(c->rules[0]));
	if (c->rules == NULL)
		goto out_free;
	for (uint32_t i = 0; i < n; i++) {
		const struct flow_rule *r = rules[i];

		c->rules[i] = rules[i];
		ar[i] = r->ar;
		/* unique rte_acl priorities in rank order: its answer is the top-ranked match,
		 * however many rules share a priority */
		ar[i].data.priority = (int32_t)(n - i);
		ar[i].data.userdata = i + 1;
		c->e[i].rank = rule_rank(r);
		c->e[i].stats = r->stats;
		c->e[i].n_act = r->n_act;
		memcpy(c->e[i].act, r->act, sizeof(r->act));
	}
	snprintf(name, sizeof(name), "vsw_flow_%u", flow_main.acl_seq++);
	prm.name = name;
	c->acl = rte_acl_create(&prm);
	if (c->acl == NULL)
		goto out_free;
	rc = rte_acl_add_rules(c->acl, (const struct rte_acl_rule *)ar, n);
	if (rc < 0)
		goto out_free;
	free(ar);
	return c;
out_free:
	free(ar);
	cls_free(c);
	errno = -rc;
	return NULL;
}

/* cls_new and build it now. NULL with errno and a sentence in err. */
static struct flow_cls *cls_make(struct flow_rule *const *rules, uint32_t n, char *err,
				 size_t errsz)
{
	struct rte_acl_config cfg;
	struct flow_cls *c = cls_new(rules, n);
	int rc;

	if (c == NULL) {
		snprintf(err, errsz, "out of memory for a classifier of %u rules", n);
		return NULL;
	}
	acl_cfg(&cfg);
	rc = rte_acl_build(c->acl, &cfg);
	if (rc < 0) {
		snprintf(err, errsz, "building the classifier for %u rules failed: %s", n,
			 strerror(-rc));
		cls_free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}

/* ---- a bridge's rules: base, delta, dead bits ---- */

static inline bool dead_test(const uint64_t *d, uint32_t i)
{
	return (d[i >> 6] >> (i & 63)) & 1;
}

static inline size_t dead_words(uint32_t n)
{
	return (n + 63) / 64;
}

/* Mark r's base entry dead; true if it was live. */
static bool dead_set(struct flow_ctl_state *st, const struct flow_rule *r)
{
	uint32_t i = (uint32_t)r->base_idx;

	if (r->base_idx < 0 || dead_test(st->dead, i))
		return false;
	st->dead[i >> 6] |= 1ull << (i & 63);
	st->n_dead++;
	return true;
}

static void dead_clear(struct flow_ctl_state *st, uint32_t i)
{
	st->dead[i >> 6] &= ~(1ull << (i & 63));
	st->n_dead--;
}

static void delta_put(struct flow_ctl_state *st, struct flow_rule *r)
{
	if (r->in_delta)
		return;
	r->in_delta = true;
	st->n_delta++;
	if (st->journaling)
		st->journal[st->n_journal++] = r;
}

static void delta_drop(struct flow_ctl_state *st, struct flow_rule *r)
{
	if (!r->in_delta)
		return;
	r->in_delta = false;
	st->n_delta--;
}

/* r's base entry is dead or ranked above r now: copy every live base rule ranked below
 * that entry whose match overlaps r's into the delta, as the base may answer r's entry
 * for a frame those match. Once per base entry. */
static void shadow(struct flow_ctl_state *st, struct flow_rule *r)
{
	const struct flow_cls *b = st->base;

	if (r->base_idx < 0 || r->shadowed)
		return;
	r->shadowed = true;
	for (uint32_t j = (uint32_t)r->base_idx + 1; j < b->n; j++) {
		struct flow_rule *q = b->rules[j];

		if (q != NULL && !q->deleted && !q->in_delta && acl_overlap(&r->ar, &q->ar))
			delta_put(st, q);
	}
}

/* Room for a change's journal (it puts at most every rule in the delta) and one zombie,
 * so that nothing fails half-way through a change. */
static int state_reserve(struct flow_ctl_state *st, uint32_t n_rules)
{
	if (st->cap_journal < n_rules) {
		struct flow_rule **j = realloc(st->journal, n_rules * sizeof(j[0]));

		if (j == NULL)
			return -ENOMEM;
		st->journal = j;
		st->cap_journal = n_rules;
	}
	if (st->cap < n_rules) {
		uint32_t cap = RTE_MAX(n_rules, 2 * st->cap);
		struct flow_rule **a = realloc(st->rules, cap * sizeof(a[0]));

		if (a == NULL)
			return -ENOMEM;
		st->rules = a;
		st->cap = cap;
	}
	if (st->n_zombies == st->cap_zombies) {
		uint32_t cap = RTE_MAX(16u, 2 * st->cap_zombies);
		struct flow_rule **z = realloc(st->zombies, cap * sizeof(z[0]));

		if (z == NULL)
			return -ENOMEM;
		st->zombies = z;
		st->cap_zombies = cap;
	}
	st->n_journal = 0;
	st->journaling = true;
	return 0;
}

/* A change failed: take the rules it put in the delta out again. */
static void journal_undo(struct flow_ctl_state *st)
{
	for (uint32_t i = 0; i < st->n_journal; i++)
		delta_drop(st, st->journal[i]);
	st->n_journal = 0;
	st->journaling = false;
}

static void rules_append(struct flow_ctl_state *st, struct flow_rule *r)
{
	r->pos = st->n;
	st->rules[st->n++] = r;
}

static void rules_remove(struct flow_ctl_state *st, struct flow_rule *r)
{
	struct flow_rule *last = st->rules[--st->n];

	st->rules[r->pos] = last;
	last->pos = r->pos;
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
	r->base_idx = -1;
	return r;
}

static struct flow_rule **rules_sorted(const struct flow_ctl_state *st, bool delta_only,
				       uint32_t *n)
{
	struct flow_rule **l = malloc(RTE_MAX(st->n, 1u) * sizeof(l[0]));

	*n = 0;
	if (l == NULL)
		return NULL;
	for (uint32_t i = 0; i < st->n; i++)
		if (!delta_only || st->rules[i]->in_delta)
			l[(*n)++] = st->rules[i];
	qsort(l, *n, sizeof(l[0]), rank_cmp);
	return l;
}

static void merge_free(struct flow_merge *m)
{
	cls_free(m->cls);
	free(m->gen);
	free(m);
}

static void zombies_free(struct flow_ctl_state *st)
{
	for (uint32_t i = 0; i < st->n_zombies; i++)
		rule_free(st->zombies[i]);
	st->n_zombies = 0;
}

/* Publish a view of st: its base (or, with full, a new base of every rule and no delta),
 * a delta rebuilt from the rules in it when delta_dirty, the dead bits. Then wait out
 * the grace period and free what the old view alone reached (old_base: a base being
 * replaced by the caller). On failure st is as it was, but for the caller's changes. */
static int state_publish(struct dp *dp, struct bridge *br, struct flow_ctl_state *st, bool full,
			 bool delta_dirty, struct flow_cls *old_base, char *err, size_t errsz)
{
	struct flow_cls *nb = st->base, *nd = st->delta;
	struct flow_rule **list = NULL;
	struct flow_table *v, *old;
	uint64_t *ndead = NULL;
	uint32_t n = 0;

	if (full) {
		list = rules_sorted(st, false, &n);
		ndead = calloc(dead_words(n) + 1, sizeof(ndead[0]));
		if (list == NULL || ndead == NULL)
			goto nomem;
		nb = cls_make(list, n, err, errsz);
		if (nb == NULL)
			goto out_err;
		nd = NULL;
	} else if (delta_dirty) {
		nd = NULL;
		if (st->n_delta > 0) {
			list = rules_sorted(st, true, &n);
			if (list == NULL)
				goto nomem;
			nd = cls_make(list, n, err, errsz);
			if (nd == NULL)
				goto out_err;
		}
	}
	v = rte_zmalloc("vsw_flow_view",
			sizeof(*v) + (nb ? dead_words(nb->n) : 0) * sizeof(v->dead[0]),
			RTE_CACHE_LINE_SIZE);
	if (v == NULL) {
		if (nb != st->base)
			cls_free(nb);
		if (nd != st->delta)
			cls_free(nd);
		goto nomem;
	}
	v->base = nb;
	v->delta = nd;
	v->ctl = st;
	if (full) {
		for (uint32_t i = 0; i < n; i++) {
			struct flow_rule *r = list[i];

			r->base_idx = (int32_t)i;
			r->base_rank = nb->e[i].rank;
			r->in_delta = false;
			r->shadowed = false;
		}
		free(st->dead);
		st->dead = ndead;
		ndead = NULL;
		st->n_dead = 0;
		st->n_delta = 0;
		old_base = st->base;
		if (st->merge != NULL)
			st->merge->stale = true; /* older than this base */
	} else if (nb != NULL) {
		v->n_dead = st->n_dead;
		memcpy(v->dead, st->dead, dead_words(nb->n) * sizeof(v->dead[0]));
	}
	old = atomic_load_explicit(&br->flows, memory_order_relaxed);
	atomic_store_explicit(&br->flows, v, memory_order_release);
	dp_sync(dp);
	rte_free(old);
	if (nd != st->delta)
		cls_free(st->delta);
	if (old_base != NULL && old_base != nb)
		cls_free(old_base);
	st->base = nb;
	st->delta = nd;
	st->journaling = false;
	free(list);
	return 0;
nomem:
	snprintf(err, errsz, "out of memory for the flow table");
	errno = ENOMEM;
out_err:
	free(list);
	free(ndead);
	return -errno;
}

static void *merge_main(void *arg)
{
	struct flow_merge *m = arg;

	m->rc = rte_acl_build(m->cls->acl, &m->cfg);
	atomic_store_explicit(&m->done, true, memory_order_release);
	return NULL;
}

/* Snapshot every rule, sorted, into a new base and start building it on a thread. */
static int merge_start(struct flow_ctl_state *st)
{
	struct flow_merge *m = calloc(1, sizeof(*m));
	struct flow_rule **list = NULL;
	uint32_t n = 0;

	if (m == NULL)
		return -ENOMEM;
	list = rules_sorted(st, false, &n);
	m->gen = malloc(RTE_MAX(n, 1u) * sizeof(m->gen[0]));
	if (list == NULL || m->gen == NULL || n == 0)
		goto out_free;
	m->cls = cls_new(list, n);
	if (m->cls == NULL)
		goto out_free;
	for (uint32_t i = 0; i < n; i++)
		m->gen[i] = list[i]->gen;
	acl_cfg(&m->cfg);
	/* the thread inherits the control thread's cpu set: never a worker's core */
	if (pthread_create(&m->th, NULL, merge_main, m) != 0)
		goto out_free;
	rte_thread_setname(m->th, "vsw-flow-merge");
	free(list);
	st->merge = m;
	return 0;
out_free:
	free(list);
	merge_free(m);
	return -ENOMEM;
}

/* Install the merge in flight if it is done (or wait for it, with block): the new base
 * replaces the old, and what changed since its snapshot goes to the delta and the dead
 * bits, exactly as the changes themselves did to the old base. */
static int merge_install(struct dp *dp, struct bridge *br, struct flow_ctl_state *st, bool block)
{
	struct flow_merge *m = st->merge;
	struct flow_cls *nb, *ob = st->base;
	uint64_t *ndead, *odead = st->dead;
	uint32_t on_dead = st->n_dead, on_delta = st->n_delta;
	struct {
		int32_t base_idx;
		uint64_t base_rank;
		bool in_delta, shadowed;
	} *saved = NULL;
	char err[256];
	int rc;

	if (m == NULL || (!block && !atomic_load_explicit(&m->done, memory_order_acquire)))
		return 0;
	pthread_join(m->th, NULL);
	st->merge = NULL;
	nb = m->cls;
	ndead = calloc(dead_words(nb->n) + 1, sizeof(ndead[0]));
	saved = malloc(RTE_MAX(st->n, 1u) * sizeof(saved[0]));
	if (m->stale || m->rc < 0 || ndead == NULL || saved == NULL) {
		rc = m->stale ? 0 : m->rc < 0 ? m->rc : -ENOMEM;
		goto out_discard;
	}
	for (uint32_t i = 0; i < st->n; i++) {
		struct flow_rule *r = st->rules[i];

		saved[i].base_idx = r->base_idx;
		saved[i].base_rank = r->base_rank;
		saved[i].in_delta = r->in_delta;
		saved[i].shadowed = r->shadowed;
		r->base_idx = -1;
		r->in_delta = false;
		r->shadowed = false;
	}
	st->base = nb;
	st->dead = ndead;
	st->n_dead = 0;
	st->n_delta = 0;
	for (uint32_t i = 0; i < nb->n; i++) {
		struct flow_rule *q = nb->rules[i];

		q->base_idx = (int32_t)i;
		q->base_rank = nb->e[i].rank;
		q->shadowed = false;
		if (q->deleted || q->gen != m->gen[i])
			dead_set(st, q);
	}
	for (uint32_t i = 0; i < st->n; i++) {
		struct flow_rule *r = st->rules[i];

		if (r->base_idx < 0 || dead_test(ndead, (uint32_t)r->base_idx))
			delta_put(st, r);
	}
	for (uint32_t i = 0; i < nb->n; i++) {
		struct flow_rule *q = nb->rules[i];

		if (dead_test(ndead, i) && (q->deleted || rule_rank(q) < q->base_rank))
			shadow(st, q);
	}
	for (uint32_t i = 0; i < nb->n; i++)
		if (nb->rules[i]->deleted)
			nb->rules[i] = NULL;
	rc = state_publish(dp, br, st, false, true, ob, err, sizeof(err));
	if (rc < 0) {
		for (uint32_t i = 0; i < st->n; i++) {
			struct flow_rule *r = st->rules[i];

			r->base_idx = saved[i].base_idx;
			r->base_rank = saved[i].base_rank;
			r->in_delta = saved[i].in_delta;
			r->shadowed = saved[i].shadowed;
		}
		st->base = ob;
		st->dead = odead;
		st->n_dead = on_dead;
		st->n_delta = on_delta;
		goto out_discard;
	}
	free(odead);
	free(saved);
	m->cls = NULL; /* the base now */
	merge_free(m);
	zombies_free(st);
	return 0;
out_discard:
	if (st->dead != odead) {
		st->dead = odead;
		st->base = ob;
	}
	free(ndead);
	free(saved);
	merge_free(m);
	zombies_free(st);
	return rc;
}

/* Merge when the delta has grown, or (quiet) when anything is in it or dead. */
static void state_poll(struct flow_ctl_state *st, bool quiet_only)
{
	uint64_t quiet = rte_get_tsc_hz() / 1000 * FLOW_QUIET_MS;

	if (st->merge != NULL || (st->n_delta == 0 && st->n_dead == 0))
		return;
	if (st->n_delta >= FLOW_DELTA_MERGE && !quiet_only)
		merge_start(st);
	else if (rte_get_tsc_cycles() - st->last_change >= quiet)
		merge_start(st); /* on failure: the next tick tries again */
}

static void state_free(struct flow_ctl_state *st)
{
	if (st->merge != NULL) {
		pthread_join(st->merge->th, NULL);
		merge_free(st->merge);
	}
	zombies_free(st);
	for (uint32_t i = 0; i < st->n; i++)
		rule_free(st->rules[i]);
	cls_free(st->base);
	cls_free(st->delta);
	free(st->rules);
	free(st->zombies);
	free(st->journal);
	free(st->dead);
	free(st);
}

/* No rule left: unpublish, wait, free everything. */
static void state_clear(struct dp *dp, struct bridge *br, struct flow_ctl_state *st)
{
	struct flow_table *old = atomic_load_explicit(&br->flows, memory_order_relaxed);

	atomic_store_explicit(&br->flows, NULL, memory_order_release);
	dp_sync(dp);
	rte_free(old);
	state_free(st);
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
	if ((mt.fields & DP_FLOW_BIT(DP_FLOW_VNI)) && mt.vni > 0xffffff) {
		snprintf(err, errsz, "%s: vni %u out of range (0..16777215, 0 = local ports)", cmd,
			 mt.vni);
		return -EINVAL;
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
	acl_rule_fill(&r->ar, r);
	return 0;
}

/* ---- the requests ---- */

static struct bridge *flow_bridge(struct dp *dp, const char *cmd, const char *bridge, char *err,
				  size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);

	if (br == NULL)
		snprintf(err, errsz, "%s: no bridge \"%s\"", cmd, bridge);
	return br;
}

/* The bridge's rules, with a finished merge installed first; NULL when it has none. */
static struct flow_ctl_state *flow_state(struct dp *dp, struct bridge *br)
{
	struct flow_table *v = atomic_load_explicit(&br->flows, memory_order_relaxed);
	struct flow_ctl_state *st = v ? v->ctl : NULL;

	/* (an install replaces v) on failure the next tick merges again */
	if (st != NULL)
		merge_install(dp, br, st, false);
	return st;
}

static struct flow_rule *rule_find(const struct flow_ctl_state *st, uint32_t id, const char *name)
{
	for (uint32_t i = 0; st != NULL && i < st->n; i++) {
		struct flow_rule *r = st->rules[i];

		if (id != 0 ? r->spec.id == id : strcmp(r->spec.name, name) == 0)
			return r;
	}
	return NULL;
}

/* Publish st after a change: a new base of everything when the delta would be a big
 * share of all rules anyway (or there is no base yet), else only a new delta. */
static int change_publish(struct dp *dp, struct bridge *br, struct flow_ctl_state *st,
			  bool delta_dirty, char *err, size_t errsz)
{
	bool full = st->base == NULL || st->n_delta * 2 >= st->n;
	int rc = state_publish(dp, br, st, full, delta_dirty, NULL, err, errsz);

	if (rc == 0) {
		st->last_change = rte_get_tsc_cycles();
		state_poll(st, false);
	}
	return rc;
}

int dp_flow_add(struct dp *dp, const char *bridge, const struct dp_flow *flows, unsigned int n,
		uint32_t *ids, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-add", bridge, err, errsz);
	struct flow_ctl_state *st;
	struct flow_rule **made = NULL;
	unsigned int i, nmade = 0;
	bool fresh = false;
	uint32_t nold;
	int rc;

	if (br == NULL)
		return -ENOENT;
	st = flow_state(dp, br);
	nold = st ? st->n : 0;
	if (n == 0) {
		snprintf(err, errsz, "flow-add %s: no flow given", bridge);
		return -EINVAL;
	}
	if (n > DP_FLOW_MAX || nold + n > DP_FLOW_MAX) {
		snprintf(err, errsz, "flow-add %s: %u flows plus %u exceed %d per bridge", bridge,
			 nold, n, DP_FLOW_MAX);
		return -ENOSPC;
	}
	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			goto nomem;
		fresh = true;
	}
	made = calloc(n, sizeof(made[0]));
	if (made == NULL || state_reserve(st, nold + n) < 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct flow_rule *r = rule_new();

		if (r == NULL)
			goto nomem;
		made[nmade++] = r;
		rc = rule_compile(dp, "flow-add", &flows[i], r, err, errsz);
		if (rc < 0)
			goto out_free;
		for (unsigned int j = 0; r->spec.name[0] != '\0' && j < nold + i; j++) {
			const struct flow_rule *o = j < nold ? st->rules[j] : made[j - nold];

			if (strcmp(o->spec.name, r->spec.name) == 0) {
				snprintf(err, errsz, "flow-add %s: a flow named \"%s\" exists",
					 bridge, r->spec.name);
				rc = -EEXIST;
				goto out_free;
			}
		}
	}
	for (i = 0; i < n; i++) {
		made[i]->spec.id = flow_main.next_id + i;
		rules_append(st, made[i]);
		delta_put(st, made[i]);
	}
	rc = change_publish(dp, br, st, true, err, errsz);
	if (rc < 0) {
		for (i = n; i-- > 0;) {
			delta_drop(st, made[i]);
			rules_remove(st, made[i]);
		}
		journal_undo(st);
		goto out_free;
	}
	for (i = 0; ids != NULL && i < n; i++)
		ids[i] = flow_main.next_id + i;
	flow_main.next_id += n;
	free(made);
	return 0;

nomem:
	snprintf(err, errsz, "flow-add %s: out of memory", bridge);
	rc = -ENOMEM;
out_free:
	for (i = 0; i < nmade; i++)
		rule_free(made[i]);
	free(made);
	if (fresh)
		state_free(st);
	else
		journal_undo(st);
	return rc;
}

/* Take r out of st (its base entry dead, what that hid copied into the delta); it is
 * freed by the caller after publishing, or when the merge in flight is installed. */
static void rule_unlink(struct flow_ctl_state *st, struct flow_rule *r)
{
	if (dead_set(st, r))
		shadow(st, r);
	if (r->base_idx >= 0)
		st->base->rules[r->base_idx] = NULL;
	delta_drop(st, r);
	rules_remove(st, r);
}

int dp_flow_del(struct dp *dp, const char *bridge, uint32_t id, const char *name, char *err,
		size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-del", bridge, err, errsz);
	struct flow_ctl_state *st;
	struct flow_rule *r;
	bool was_in_delta, was_dead;
	int rc;

	if (br == NULL)
		return -ENOENT;
	st = flow_state(dp, br);
	if (id == 0 && name == NULL) {
		uint32_t n = st ? st->n : 0;

		if (st != NULL)
			state_clear(dp, br, st);
		return (int)n;
	}
	r = rule_find(st, id, name);
	if (r == NULL) {
		if (name != NULL)
			snprintf(err, errsz, "flow-del %s: no flow named \"%s\"", bridge, name);
		else
			snprintf(err, errsz, "flow-del %s: no flow with id %u", bridge, id);
		return -ENOENT;
	}
	if (st->n == 1) {
		state_clear(dp, br, st);
		return 1;
	}
	if (state_reserve(st, st->n) < 0) {
		snprintf(err, errsz, "flow-del %s: out of memory", bridge);
		return -ENOMEM;
	}
	was_in_delta = r->in_delta;
	was_dead = r->base_idx >= 0 && dead_test(st->dead, (uint32_t)r->base_idx);
	rule_unlink(st, r);
	rc = change_publish(dp, br, st, was_in_delta || st->n_journal > 0, err, errsz);
	if (rc < 0) {
		journal_undo(st);
		/* rules_remove moved the last rule into r's place: put r back at the end */
		rules_append(st, r);
		if (r->base_idx >= 0 && !was_dead) {
			dead_clear(st, (uint32_t)r->base_idx);
			st->base->rules[r->base_idx] = r;
			r->shadowed = false;
		}
		if (was_in_delta)
			delta_put(st, r);
		return rc;
	}
	if (st->merge != NULL) {
		r->deleted = true; /* the merge's snapshot names it */
		st->zombies[st->n_zombies++] = r;
	} else {
		rule_free(r); /* no view reaches it after the grace period */
	}
	return 1;
}

int dp_flow_mod(struct dp *dp, const char *bridge, uint32_t id, const char *name,
		const struct dp_flow *f, bool set_priority, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-mod", bridge, err, errsz);
	struct flow_ctl_state *st;
	struct flow_rule *r, saved;
	struct dp_flow spec;
	uint32_t on_delta;
	bool killed;
	int rc;

	if (br == NULL)
		return -ENOENT;
	st = flow_state(dp, br);
	r = rule_find(st, id, name);
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
	if (rc == 0 && state_reserve(st, st->n) < 0) {
		snprintf(err, errsz, "flow-mod %s: out of memory", bridge);
		rc = -ENOMEM;
	}
	if (rc < 0) {
		*r = saved;
		return rc;
	}
	on_delta = st->n_delta;
	/* the new version goes to the delta; the base's, if any, dies */
	r->gen++;
	killed = dead_set(st, r);
	delta_put(st, r);
	if (rule_rank(r) < r->base_rank)
		shadow(st, r); /* what its base entry, ranked higher, hides */
	rc = change_publish(dp, br, st, true, err, errsz);
	if (rc < 0) {
		journal_undo(st);
		if (killed)
			dead_clear(st, (uint32_t)r->base_idx);
		*r = saved;
		st->n_delta = on_delta;
	}
	return rc;
}

int dp_flow_dump(struct dp *dp, const char *bridge, void (*cb)(const struct dp_flow *f, void *arg),
		 void *arg, char *err, size_t errsz)
{
	struct bridge *br = flow_bridge(dp, "flow-dump", bridge, err, errsz);
	struct flow_ctl_state *st;
	struct flow_rule **list;
	uint32_t n;

	if (br == NULL)
		return -ENOENT;
	st = flow_state(dp, br);
	if (st == NULL)
		return 0;
	list = rules_sorted(st, false, &n);
	if (list == NULL) {
		snprintf(err, errsz, "flow-dump %s: out of memory", bridge);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct flow_rule *r = list[i];
		struct dp_flow f = r->spec;

		f.packets = 0;
		f.bytes = 0;
		for (unsigned int w = 0; w < VSW_MAX_WORKERS; w++) {
			f.packets += r->stats->w[w].packets;
			f.bytes += r->stats->w[w].bytes;
		}
		cb(&f, arg);
	}
	free(list);
	return (int)n;
}

/* ---- ports that rules name ---- */

static bool rule_names_port(const struct flow_rule *r, uint16_t idx)
{
	if ((r->spec.match.fields & DP_FLOW_BIT(DP_FLOW_IN_PORT)) && r->in_port == idx)
		return true;
	for (unsigned int i = 0; i < r->n_act; i++)
		if ((r->act[i].type == DP_FLOW_ACT_OUTPUT ||
		     r->act[i].type == DP_FLOW_ACT_MIRROR) &&
		    r->act[i].arg == idx)
			return true;
	return false;
}

int flow_port_users(struct dp *dp, const struct port *p, char *buf, size_t size)
{
	size_t len = 0;
	int n = 0;

	if (size > 0)
		buf[0] = '\0';
	for (int i = 0; i < VSW_MAX_BRIDGES; i++) {
		struct bridge *br = dp->bridges[i];
		struct flow_table *v;
		struct flow_ctl_state *st;

		if (br == NULL)
			continue;
		v = atomic_load_explicit(&br->flows, memory_order_relaxed);
		st = v ? v->ctl : NULL;
		for (uint32_t j = 0; st != NULL && j < st->n; j++) {
			const struct flow_rule *r = st->rules[j];
			int w;

			if (!rule_names_port(r, p->idx))
				continue;
			n++;
			if (len >= size)
				continue;
			if (r->spec.name[0] != '\0')
				w = snprintf(buf + len, size - len, "%s%s flow %u (%s)",
					     len ? ", " : "", br->name, r->spec.id, r->spec.name);
			else
				w = snprintf(buf + len, size - len, "%s%s flow %u", len ? ", " : "",
					     br->name, r->spec.id);
			len += w > 0 ? (size_t)w : 0;
		}
	}
	/* cut short: say so rather than end mid-name */
	if (len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return n;
}

/* ---- the control loop, tests, teardown ---- */

void flow_tick(struct dp *dp)
{
	for (int i = 0; i < VSW_MAX_BRIDGES; i++) {
		struct bridge *br = dp->bridges[i];
		struct flow_ctl_state *st;

		if (br == NULL || (st = flow_state(dp, br)) == NULL)
			continue;
		state_poll(st, true);
	}
}

int flow_bridge_merge(struct dp *dp, struct bridge *br, bool wait)
{
	struct flow_ctl_state *st = flow_state(dp, br);
	int rc = 0;

	/* twice at most: a merge in flight may be older than the last changes */
	for (int pass = 0; pass < 2 && rc == 0 && st != NULL; pass++) {
		if (st->merge == NULL && st->n_delta == 0 && st->n_dead == 0)
			break;
		if (st->merge == NULL)
			rc = merge_start(st);
		if (!wait)
			break;
		if (rc == 0)
			rc = merge_install(dp, br, st, true);
	}
	return rc;
}

void flow_bridge_shape(struct bridge *br, struct flow_shape *s)
{
	struct flow_table *v = atomic_load_explicit(&br->flows, memory_order_relaxed);
	struct flow_ctl_state *st = v ? v->ctl : NULL;

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return;
	s->rules = st->n;
	s->base = st->base ? st->base->n : 0;
	s->delta = st->n_delta;
	s->dead = st->n_dead;
	s->merging = st->merge != NULL;
}

uint32_t flow_entry_id(const struct flow_entry *e)
{
	return UINT32_MAX - (uint32_t)e->rank;
}

void flow_bridge_free(struct bridge *br)
{
	struct flow_table *v = atomic_load_explicit(&br->flows, memory_order_relaxed);

	if (v == NULL)
		return;
	atomic_store_explicit(&br->flows, NULL, memory_order_relaxed);
	state_free(v->ctl);
	rte_free(v);
}
