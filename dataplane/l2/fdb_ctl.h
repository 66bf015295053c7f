/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table, control side: create, static entries, delete, flush, age, walk,
 * reclaim. Called only from the control thread. Every function that changes keys
 * takes f->writer (spinning: the holder is a worker inside one fdb_learn, which is short).
 */
#ifndef VSW_FDB_CTL_H
#define VSW_FDB_CTL_H

#include <stdbool.h>

#include "fdb.h"

/* capacity: max_learned plus room for statics; the table is sized for about 50% load. */
struct fdb *fdb_create(uint32_t max_learned, uint32_t max_static, int socket_id);
void fdb_free(struct fdb *f);

/* Adds or replaces; replaces a learned entry of the same key. -ENOSPC when full. */
int fdb_add_static(struct fdb *f, uint64_t key, uint16_t port);
/* -ENOENT if absent. */
int fdb_del(struct fdb *f, uint64_t key);

/* Flush learned entries (and static ones if include_static) matching: port (or any if
 * port < 0), vid (or any if vid < 0). Returns how many were removed. */
unsigned int fdb_flush(struct fdb *f, int port, int vid, bool include_static);

/* Age out learned entries not seen for more than aging_s; count down damped entries.
 * Returns how many were removed. */
unsigned int fdb_age(struct fdb *f, uint32_t now, uint32_t aging_s);

/* After a QSBR grace period that started after the tombstones were written: make them
 * reusable. The caller (control loop) calls rte_rcu_qsbr_synchronize first. */
void fdb_reclaim(struct fdb *f);

struct fdb_walk_entry {
	uint64_t key;
	uint16_t port;
	uint8_t flags;
	uint32_t seen;
};
/* Calls cb for every live entry; stops early when cb returns non-zero. */
void fdb_walk(const struct fdb *f, int (*cb)(const struct fdb_walk_entry *e, void *arg), void *arg);

static inline uint16_t fdb_key_vid(uint64_t key)
{
	return (uint16_t)((key >> 48) & 0xfff);
}
static inline void fdb_key_mac(uint64_t key, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(key >> (40 - 8 * i));
}

#endif
