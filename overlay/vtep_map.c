/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building a VTEP's decap map, the (VNI, remote VTEP) -> tunnel port table that
 * vxlan_decap reads (lookups: vtep.h). Control side: vtep.c builds a new immutable map on
 * every change and publishes it by RCU; tests/unit/test_vxlan.c builds maps with this same
 * code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vtep.h"

static int vtep_map_src_cmp(const void *a, const void *b)
{
	const struct vtep_map_src *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return memcmp(x->ip6, y->ip6, 16);
}

static void vtep_map_put(struct vtep_map *m, const struct vtep_map_ent *ent)
{
	uint32_t i = vtep_map_hash(ent->vni, ent->ip) & m->mask;

	while (m->e[i].vni != VTEP_MAP_FREE)
		i = (i + 1) & m->mask;
	m->e[i] = *ent;
}

static void vtep_map_put6(struct vtep_map *m, const struct vtep_map_ent6 *ent)
{
	uint32_t i = vtep_map_hash6(ent->vni, ent->ip) & m->mask;

	while (m->e6[i].vni != VTEP_MAP_FREE)
		i = (i + 1) & m->mask;
	m->e6[i] = *ent;
}

struct vtep_map *vtep_map_build(struct vtep_map_src *src, uint32_t n, bool v6)
{
	size_t esize = v6 ? sizeof(struct vtep_map_ent6) : sizeof(struct vtep_map_ent);
	size_t head = RTE_ALIGN_CEIL(sizeof(struct vtep_map), RTE_CACHE_LINE_SIZE), size;
	uint32_t keys = 0, n_ports = 0, slots = 16, grp = 0;
	struct vtep_map *m;

	if (n > 1u << 26) {
		errno = EINVAL;
		return NULL;
	}
	if (n > 1)
		qsort(src, n, sizeof(src[0]), vtep_map_src_cmp);
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0 && vtep_map_src_cmp(&src[i], &src[i - 1]) == 0)
			continue;
		if (i == 0 || src[i].vni != src[i - 1].vni)
			keys++;
		if (src[i].port != NULL)
			n_ports++;
	}
	keys += n_ports;
	while (slots < 2 * keys) /* at most half full: short probes, misses included */
		slots <<= 1;
	size = RTE_ALIGN_CEIL(head + slots * esize + n_ports * sizeof(struct port *),
			      RTE_CACHE_LINE_SIZE);
	m = aligned_alloc(RTE_CACHE_LINE_SIZE, size);
	if (m == NULL)
		return NULL;
	memset(m, 0, head);
	m->mask = slots - 1;
	m->e = v6 ? NULL : (struct vtep_map_ent *)(void *)((uint8_t *)m + head);
	m->e6 = v6 ? (struct vtep_map_ent6 *)(void *)((uint8_t *)m + head) : NULL;
	m->ports = (struct port **)(void *)((uint8_t *)m + head + slots * esize);
	for (uint32_t i = 0; i < slots; i++) {
		if (v6)
			m->e6[i] = (struct vtep_map_ent6){.vni = VTEP_MAP_FREE};
		else
			m->e[i] = (struct vtep_map_ent){.vni = VTEP_MAP_FREE};
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct vtep_map_src *s = &src[i];

		if (s->port != NULL && (i == 0 || vtep_map_src_cmp(s, &src[i - 1]) != 0)) {
			m->ports[m->n_ports++] = s->port;
			if (v6) {
				struct vtep_map_ent6 e = {.vni = s->vni, .port = s->port};

				memcpy(e.ip, s->ip6, 16);
				vtep_map_put6(m, &e);
			} else {
				vtep_map_put(m, &(struct vtep_map_ent){s->vni, s->ip, {s->port}});
			}
		}
		if (i + 1 < n && src[i + 1].vni == s->vni)
			continue;
		/* the last pair of its VNI: the VNI's own entry, with the ports since grp */
		if (v6)
			vtep_map_put6(m, &(struct vtep_map_ent6){.vni = s->vni | VTEP_MAP_VNI,
								 .grp = {grp, m->n_ports - grp}});
		else
			vtep_map_put(m, &(struct vtep_map_ent){.vni = s->vni | VTEP_MAP_VNI,
							       .grp = {grp, m->n_ports - grp}});
		grp = m->n_ports;
	}
	return m;
}
