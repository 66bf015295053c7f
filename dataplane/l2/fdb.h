/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table of one bridge, read side: what the forwarding stages call.
 * Keyed by (VLAN, MAC) packed in 64 bits. See fdb.c for the design (who writes,
 * why a purpose-built table and not rte_hash, and what make bench measured).
 * The control path's operations are in fdb_ctl.h.
 */
#ifndef VSW_FDB_H
#define VSW_FDB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FDB_SLOTS 4 /* entries per 64-byte bucket */
#define FDB_KEY_EMPTY 0ull
/* A deleted entry: not reusable until a QSBR grace period has passed (fdb_reclaim),
 * so a reader that matched the old key never reads a new entry's port. */
#define FDB_KEY_TOMBSTONE (1ull << 63)

#define FDB_F_STATIC 0x01 /* never ages, never moves */
#define FDB_F_DAMPED 0x02 /* flapping: frozen on its port, moves[] counts down seconds */

/* One cache line. key: written by the writer only (release), read by all (acquire).
 * seen: refreshed by workers with relaxed stores. port/flags/moves: writer only. */
struct fdb_bucket {
	_Atomic uint64_t key[FDB_SLOTS];
	_Atomic uint32_t seen[FDB_SLOTS];
	_Atomic uint16_t port[FDB_SLOTS];
	_Atomic uint8_t flags[FDB_SLOTS];
	uint8_t moves[FDB_SLOTS];
} __attribute__((aligned(64)));

struct fdb_counters {
	_Atomic uint64_t learned, aged, moves, move_damped, limit_hit;
	/* learns a worker gave up: its retry list full, or busy for FDB_RETRY_LOOPS runs */
	_Atomic uint64_t learn_lost;
};

struct fdb {
	struct fdb_bucket *buckets; /* control: allocates; dataplane: ro */
	uint32_t mask;		    /* n_buckets - 1 */
	uint32_t hash_seed;	    /* random per table, set by fdb_create; dataplane: ro */
	uint64_t hash_mul;	    /* likewise (odd); with hash_seed, in the line lookups read */
	uint32_t max_learned;	    /* control: rw; dataplane: ro */
	uint32_t move_damp;	    /* control: rw; dataplane: ro */
	uint32_t move_damp_s;	    /* control: rw; dataplane: ro */
	atomic_flag writer;	    /* the one writer at a time: a worker learning, or control */
	_Atomic uint32_t n_learned; /* writer: rw */
	_Atomic uint32_t n_static;  /* writer: rw */
	_Atomic uint32_t n_tombstones;
	_Atomic uint32_t *port_learned; /* [VSW_MAX_PORTS], learned entries per port: writer rw */
	struct fdb_counters cnt;
	int ext_alloc; /* buckets came from aligned_alloc (no EAL), not rte_malloc */
};

/* vid 0..4095 in bits 48..59, MAC in bits 0..47 (network order, first byte highest). */
static inline uint64_t fdb_key(uint16_t vid, const uint8_t mac[6])
{
	return ((uint64_t)vid << 48) | ((uint64_t)mac[0] << 40) | ((uint64_t)mac[1] << 32) |
	       ((uint64_t)mac[2] << 24) | ((uint64_t)mac[3] << 16) | ((uint64_t)mac[4] << 8) |
	       (uint64_t)mac[5];
}

/* The same key from a MAC inside a frame header, where 8 bytes are readable from mac (the
 * destination and source of any frame of 14 bytes or more): one load and a byte swap
 * instead of six loads and shifts. */
static inline uint64_t fdb_key_hdr(uint16_t vid, const uint8_t *mac)
{
	uint64_t v;

	memcpy(&v, mac, sizeof(v));
	return ((uint64_t)vid << 48) | (__builtin_bswap64(v) >> 16);
}

/* slot id = bucket index * FDB_SLOTS + slot; -1 = not found */
void fdb_lookup_bulk(const struct fdb *f, const uint64_t *keys, unsigned int n, int32_t *slots);
int32_t fdb_lookup(const struct fdb *f, uint64_t key);

static inline uint16_t fdb_slot_port(const struct fdb *f, int32_t slot)
{
	return atomic_load_explicit(&f->buckets[slot / FDB_SLOTS].port[slot % FDB_SLOTS],
				    memory_order_relaxed);
}
static inline uint8_t fdb_slot_flags(const struct fdb *f, int32_t slot)
{
	return atomic_load_explicit(&f->buckets[slot / FDB_SLOTS].flags[slot % FDB_SLOTS],
				    memory_order_relaxed);
}
/* Refresh the entry's age; stores only when the second changed, to keep the line clean. */
static inline void fdb_slot_touch(struct fdb *f, int32_t slot, uint32_t now)
{
	_Atomic uint32_t *s = &f->buckets[slot / FDB_SLOTS].seen[slot % FDB_SLOTS];
	if (atomic_load_explicit(s, memory_order_relaxed) != now)
		atomic_store_explicit(s, now, memory_order_relaxed);
}

enum fdb_learn_result {
	FDB_LEARN_NEW = 0,   /* inserted */
	FDB_LEARN_MOVED,     /* existing learned entry moved to this port */
	FDB_LEARN_REFRESHED, /* already there on this port */
	FDB_LEARN_STATIC,    /* a static entry for this key exists on another port: unchanged */
	FDB_LEARN_DAMPED,    /* MAC is frozen (flapping) on another port: caller drops */
	FDB_LEARN_LIMIT,     /* bridge or port limit reached, or both buckets full */
	FDB_LEARN_BUSY,	     /* another writer holds the table: retry (fdb_retry) */
};

/*
 * Learn key on port at time now (fdb clock seconds). Called by workers on a source
 * lookup miss or port mismatch; never waits (try-lock on f->writer).
 * port_max: the port's own learned limit, 0 = none.
 */
enum fdb_learn_result fdb_learn(struct fdb *f, uint64_t key, uint16_t port, uint32_t port_max,
				uint32_t now);

/*
 * Learns a worker could not do inline (FDB_LEARN_BUSY), kept to do at the end of its loop:
 * one frame must be enough to learn a station that then falls silent. Owned by one
 * worker. fdb_retry_add keeps one (a full list counts it as learn_lost: the source's next
 * frame learns it); fdb_retry_run tries them all and returns true when none is left. One
 * still busy after FDB_RETRY_LOOPS runs is given up and counted as learn_lost.
 */
#define FDB_RETRY_MAX 16
#define FDB_RETRY_LOOPS 100000
struct fdb_retry {
	uint16_t n;
	uint32_t runs; /* fdb_retry_run calls since the list was last empty */
	struct {
		struct fdb *f;
		uint64_t key;
		uint32_t port_max;
		uint16_t port;
	} e[FDB_RETRY_MAX];
};

void fdb_retry_add(struct fdb_retry *r, struct fdb *f, uint64_t key, uint16_t port,
		   uint32_t port_max);
bool fdb_retry_run(struct fdb_retry *r, uint32_t now);

#endif
