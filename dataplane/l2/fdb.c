/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table of one bridge: a purpose-built hash table of 64-byte buckets, read
 * lock-free by the forwarding stages and written by one writer at a time.
 *
 * Why not rte_hash (house rule: a hand-written replacement for a DPDK library states its
 * figures). /work/shared/TESTBED.md, one core, pcap -> null, 64-byte frames, a loop that
 * learns the source and looks up the destination of every frame (2026-11-24):
 *   rte_hash, two rte_hash_lookup_bulk of 32 per burst, 64 MACs:      ~30 Mpps
 *   cache-line bucket table (this design), 64 MACs:                   ~46 Mpps
 *   OVS-DPDK 3.1 NORMAL bridge, same run:                              ~19 Mpps
 *   1,000,000 entries, traffic to 65,536: this design ~21 Mpps, rte_hash 19-21 Mpps.
 * The target is 2x OVS-DPDK (~38 Mpps), which rte_hash alone already misses. The
 * table's own cost, without packets, from bench/fdb_bench.c (one core of the shared
 * 2-core AMD EPYC machine, no hugepages, bursts of 64, 2026-11-24; the machine was
 * shared, so figures varied by about 15% between runs; --rte-hash runs both in one run):
 *                                            fdb          rte_hash (LF, CRC)
 *   64 entries, lookups/s                    103-113 M    84-94 M
 *   1,000,000 entries, keys from 65,536      58-65 M      27-44 M
 *   new MACs learned/s, 1,000,000-entry table    8-10 M
 * The compare step is branch-free (all 8 slots of both buckets, first match by ctz):
 * which slot of which bucket holds a key is random, and early-exit compares cost about 18% at
 * 64 entries (92 vs 110 M lookups/s, same run).
 *
 * Layout. Buckets of FDB_SLOTS (4) entries fill exactly one cache line (struct fdb_bucket:
 * 4 keys, then seen, port, flags, moves), so a lookup costs at most two cache lines. The
 * bulk lookup goes in two rounds: prefetch the first bucket of every key of the burst,
 * compare, then prefetch and compare the second bucket only for the keys the first did
 * not hold. Prefetching both buckets up front cost twice the memory traffic: with
 * 1,000,000 entries (32 MiB, far beyond the caches) make bench's l2-1m went from 12.1 to
 * 16.2-17.7 Mpps with two rounds, and l2 (64 MACs, cached) did not change (29-31 Mpps
 * per cpu-second), 2026-11-24. Every key has two
 * candidate buckets (two-choice hashing): b1 from a CRC32-C, b2 = b1 xor a non-zero offset from a
 * multiplicative hash (both keyed by a per-table secret, below), so b2 != b1 always and keys that
 * share b1 spread over different b2. There is no cuckoo displacement: moving a live key would make
 * it invisible to a reader between the two buckets unless a grace period separated the copy from
 * the delete. A new key goes to the emptier bucket. The table is sized for about 50% load
 * (n_buckets = next power of two >= capacity / 2, at least 16). Both buckets of a key can still be
 * full: 100,000 random keys in 65,536 buckets all fit (tests/unit/test_fdb.c), but of 1,000,000 in
 * 524,288 buckets the benchmark sees about 5 refused (a simulation of the policy: 4, and 13 of
 * 1,048,576). Such a key is not learned (FDB_LEARN_LIMIT) and its frames are flooded, as for a full
 * table. Since the hash is keyed (below) the bench's consecutive MACs land like random keys, some
 * in their second bucket: l2-1m went from 22.8 to 16.3 Mpps (make bench, 2026-11-24 11:42),
 * which is what random MACs gave before.
 *
 * Who writes. Workers learn inline (as VPP and grout do, not through a ring to the control
 * thread as OVS does): a new MAC is forwardable from its next frame and nothing queues
 * under a MAC flood. Writers are serialised by f->writer: a worker only tries it and gives
 * up (FDB_LEARN_BUSY; it keeps the learn in its fdb_retry list and does it at the end of its
 * loop, so one frame is enough to learn a station) so the fast path never waits; control
 * spins on it, holding it for at most FDB_CHUNK buckets at a time during long walks so
 * workers are not shut out for a whole table scan. Readers never lock.
 *
 * Publication. A slot is EMPTY (key 0), live, or a TOMBSTONE. Inserts use EMPTY slots only:
 * port, flags and seen are stored first, then the key with release; readers load keys with
 * acquire. Deletes store TOMBSTONE, which no lookup matches, and the slot stays unusable
 * until fdb_reclaim, which control calls after a QSBR grace period: a reader that matched
 * the old key can never read the port of a different key in the same slot. Moves and
 * static replacements rewrite port/flags of a live key in place; a reader sees the old or
 * the new port, both valid answers.
 *
 * Move damping. moves counts a learned entry's moves within the current second (reset when
 * a move comes in another second than the entry was last seen, and by every fdb_age tick,
 * so that a busy MAC moving now and then over hours is not taken for a flapping one).
 * Beyond f->move_damp moves the entry freezes on its port (FDB_F_DAMPED) and moves counts
 * down the move_damp_s seconds left, one per fdb_age call.
 *
 * Control's duties: change max_learned/move_damp/move_damp_s only while holding f->writer
 * (workers read them under it); call fdb_reclaim only after rte_rcu_qsbr_synchronize, with
 * no delete between the two (tombstones written after the grace period began would be
 * reclaimed too early; workers never write tombstones, only control does).
 *
 * Keys that can never be stored: 0 (EMPTY) and any key with bits 60..63 set (the
 * TOMBSTONE bit, or a VLAN id above 4095). Lookups of 0 and TOMBSTONE miss (they would
 * otherwise match free slots); learning one returns FDB_LEARN_LIMIT without counting it.
 *
 * Hash secret. Each table draws a random odd multiplier and CRC seed when it is made
 * (getrandom, control path): h = key * hash_mul, b1 = CRC32-C(h, hash_seed), d from bits
 * 32.. of h. A seeded CRC alone would not do: CRC is linear, so whether two keys share b1
 * does not depend on the seed; the secret goes in through the multiply first. Without it a
 * sender who knows the code could pick MACs sharing one bucket pair, keep its 8 slots
 * full and have every other MAC of that pair flooded. Both words sit next to mask in the
 * fdb's first cache line, which every lookup reads anyway. Cost: at most a few percent,
 * within the noise: fdb_bench, 6 runs of the old and the new code taken in turns on the
 * same machine, 2026-11-24, best (and spread) of each: 64 entries 115.6 (86-116) M
 * lookups/s before, 112.3 (92-112) after; 1,000,000 entries 96.3 (71-96) before, 94.7
 * (85-95) after; learning unchanged (12-20 and 6-11 M/s in both).
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#include "fdb.h"
#include "fdb_ctl.h"

#define FDB_MAX_PORTS 256 /* = VSW_MAX_PORTS (dp_ctl.h): size of port_learned[] */
#define FDB_BULK_MAX 64	  /* keys hashed and prefetched together in fdb_lookup_bulk */
#define FDB_MIN_BUCKETS 16u
/* slot ids are int32_t (bucket * FDB_SLOTS + slot): 2^29 buckets (32 GiB) at most */
#define FDB_MAX_BUCKETS (1ull << 29)
#define FDB_CHUNK 64		 /* buckets per writer-flag hold in control walks */
#define FDB_HUGE_SIZE (2u << 20) /* transparent huge page size, for the no-EAL case */

static_assert(sizeof(struct fdb_bucket) == 64, "a bucket must be one cache line");

/* True for keys that may be looked up: 0 and TOMBSTONE would match free slots. */
static inline bool fdb_key_lookupable(uint64_t key)
{
	return (key & ~FDB_KEY_TOMBSTONE) != 0;
}

/* True for keys that may be stored: a 12-bit VLAN id and not EMPTY. */
static inline bool fdb_key_storable(uint64_t key)
{
	return key != FDB_KEY_EMPTY && (key >> 60) == 0;
}

static inline void fdb_hash(const struct fdb *f, uint64_t key, uint32_t *b1, uint32_t *b2)
{
	uint64_t h = key * f->hash_mul; /* a bijection: distinct keys stay distinct */
	uint32_t d = (uint32_t)(h >> 32) & f->mask;

	*b1 = rte_hash_crc_8byte(h, f->hash_seed) & f->mask;
	/* d == 0 would make b2 == b1; mask >= 15, so d + 1 stays within the table */
	*b2 = *b1 ^ (d + (d == 0));
}

static inline int fdb_bucket_find(const struct fdb_bucket *b, uint64_t key)
{
	for (int i = 0; i < FDB_SLOTS; i++)
		if (atomic_load_explicit(&b->key[i], memory_order_acquire) == key)
			return i;
	return -1;
}

/* One bit per slot holding key. Compares all slots without branching: which slot of which
 * bucket holds a key is random, and a mispredicted exit cost more than the compares. */
#if defined(__AVX2__) && FDB_SLOTS == 4
/* The 4 keys of a bucket are one aligned 32-byte vector: one load, one compare. On x86
 * each aligned 8-byte element of a vector load is read whole, and loads are not reordered
 * with later loads, so this is an acquire load of every key; the compiler barrier keeps
 * the port and flags reads after it. Measured (perf, l2 bench): the scalar loop below was
 * 42% of the worker's cycles, this is a few. */
static inline uint32_t fdb_bucket_match(const struct fdb_bucket *b, uint64_t key)
{
	__m256i k = _mm256_load_si256((const __m256i *)(const void *)b->key);
	__m256i eq = _mm256_cmpeq_epi64(k, _mm256_set1_epi64x((long long)key));

	atomic_signal_fence(memory_order_acquire);
	return (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(eq));
}
#else
static inline uint32_t fdb_bucket_match(const struct fdb_bucket *b, uint64_t key)
{
	uint32_t m = 0;

	for (int i = 0; i < FDB_SLOTS; i++)
		m |= (uint32_t)(atomic_load_explicit(&b->key[i], memory_order_acquire) == key) << i;
	return m;
}
#endif

int32_t fdb_lookup(const struct fdb *f, uint64_t key)
{
	uint32_t b1, b2;
	int s;

	if (unlikely(!fdb_key_lookupable(key)))
		return -1;
	fdb_hash(f, key, &b1, &b2);
	s = fdb_bucket_find(&f->buckets[b1], key);
	if (s >= 0)
		return (int32_t)(b1 * FDB_SLOTS + s);
	s = fdb_bucket_find(&f->buckets[b2], key);
	if (s >= 0)
		return (int32_t)(b2 * FDB_SLOTS + s);
	return -1;
}

/* Hash and prefetch every key first, so the misses of the whole burst overlap. */
void fdb_lookup_bulk(const struct fdb *f, const uint64_t *keys, unsigned int n, int32_t *slots)
{
	const struct fdb_bucket *bk = f->buckets;
	uint32_t b1[FDB_BULK_MAX], b2[FDB_BULK_MAX];

	while (n > 0) {
		unsigned int m = RTE_MIN(n, (unsigned int)FDB_BULK_MAX);

		unsigned int nmiss = 0;
		uint8_t miss[FDB_BULK_MAX];

		/* Round 1: the first bucket of every key. Inserts prefer it (see
		 * fdb_insert_locked), so most hits cost one cache line, not two: at a million
		 * entries the table is far beyond the caches and each line is a miss. */
		for (unsigned int i = 0; i < m; i++) {
			fdb_hash(f, keys[i], &b1[i], &b2[i]);
			rte_prefetch0(&bk[b1[i]]);
		}
		for (unsigned int i = 0; i < m; i++) {
			uint32_t hit = fdb_bucket_match(&bk[b1[i]], keys[i]);

			if (likely(hit && fdb_key_lookupable(keys[i]))) {
				slots[i] =
					(int32_t)(b1[i] * FDB_SLOTS + (uint32_t)__builtin_ctz(hit));
				continue;
			}
			slots[i] = -1;
			if (fdb_key_lookupable(keys[i])) {
				rte_prefetch0(&bk[b2[i]]);
				miss[nmiss++] = (uint8_t)i;
			}
		}
		/* Round 2: the second bucket of the keys the first did not hold. */
		for (unsigned int j = 0; j < nmiss; j++) {
			unsigned int i = miss[j];
			uint32_t hit = fdb_bucket_match(&bk[b2[i]], keys[i]);

			if (hit)
				slots[i] =
					(int32_t)(b2[i] * FDB_SLOTS + (uint32_t)__builtin_ctz(hit));
		}
		keys += m;
		slots += m;
		n -= m;
	}
}

/*
 * Writer side. Everything below runs with f->writer held, so plain load + store of the
 * atomics is enough (no other writer); the stores are still atomic for the readers.
 */

static inline void fdb_writer_lock(struct fdb *f)
{
	while (atomic_flag_test_and_set_explicit(&f->writer, memory_order_acquire))
		rte_pause();
}

static inline void fdb_writer_unlock(struct fdb *f)
{
	atomic_flag_clear_explicit(&f->writer, memory_order_release);
}

static inline void fdb_u64_inc(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline void fdb_u32_add(_Atomic uint32_t *c, int32_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + (uint32_t)v,
			      memory_order_relaxed);
}

static inline uint64_t fdb_ld_key(const struct fdb_bucket *b, int i)
{
	return atomic_load_explicit(&b->key[i], memory_order_relaxed);
}

static int32_t fdb_find_locked(const struct fdb *f, uint64_t key, uint32_t b1, uint32_t b2)
{
	for (int i = 0; i < FDB_SLOTS; i++)
		if (fdb_ld_key(&f->buckets[b1], i) == key)
			return (int32_t)(b1 * FDB_SLOTS + i);
	for (int i = 0; i < FDB_SLOTS; i++)
		if (fdb_ld_key(&f->buckets[b2], i) == key)
			return (int32_t)(b2 * FDB_SLOTS + i);
	return -1;
}

static int fdb_bucket_n_empty(const struct fdb_bucket *b)
{
	int n = 0;

	for (int i = 0; i < FDB_SLOTS; i++)
		n += fdb_ld_key(b, i) == FDB_KEY_EMPTY;
	return n;
}

/* Into the first EMPTY slot of the emptier bucket (b1 on a tie: it is looked at first). */
static int32_t fdb_insert_locked(struct fdb *f, uint64_t key, uint32_t b1, uint32_t b2,
				 uint16_t port, uint8_t flags, uint32_t now)
{
	int e1 = fdb_bucket_n_empty(&f->buckets[b1]);
	int e2 = fdb_bucket_n_empty(&f->buckets[b2]);
	uint32_t bi = e1 >= e2 ? b1 : b2;
	struct fdb_bucket *b = &f->buckets[bi];

	if (e1 == 0 && e2 == 0)
		return -1;
	for (int i = 0; i < FDB_SLOTS; i++) {
		if (fdb_ld_key(b, i) != FDB_KEY_EMPTY)
			continue;
		atomic_store_explicit(&b->port[i], port, memory_order_relaxed);
		atomic_store_explicit(&b->flags[i], flags, memory_order_relaxed);
		atomic_store_explicit(&b->seen[i], now, memory_order_relaxed);
		b->moves[i] = 0;
		atomic_store_explicit(&b->key[i], key, memory_order_release);
		return (int32_t)(bi * FDB_SLOTS + i);
	}
	return -1; /* not reached: the chosen bucket has an EMPTY slot */
}

/* Tombstone one live slot and uncount it. */
static void fdb_remove_locked(struct fdb *f, struct fdb_bucket *b, int i)
{
	uint8_t flags = atomic_load_explicit(&b->flags[i], memory_order_relaxed);

	atomic_store_explicit(&b->key[i], FDB_KEY_TOMBSTONE, memory_order_release);
	fdb_u32_add(&f->n_tombstones, 1);
	if (flags & FDB_F_STATIC) {
		fdb_u32_add(&f->n_static, -1);
	} else {
		uint16_t port = atomic_load_explicit(&b->port[i], memory_order_relaxed);

		fdb_u32_add(&f->n_learned, -1);
		fdb_u32_add(&f->port_learned[port], -1);
	}
}

static enum fdb_learn_result fdb_learn_locked(struct fdb *f, uint64_t key, uint16_t port,
					      uint32_t port_max, uint32_t now)
{
	uint32_t b1, b2;
	int32_t slot;
	struct fdb_bucket *b;
	uint16_t old;
	uint8_t flags;
	uint32_t moves;
	int i;

	fdb_hash(f, key, &b1, &b2);
	slot = fdb_find_locked(f, key, b1, b2);
	if (slot < 0) {
		if (atomic_load_explicit(&f->n_learned, memory_order_relaxed) >= f->max_learned ||
		    (port_max != 0 && atomic_load_explicit(&f->port_learned[port],
							   memory_order_relaxed) >= port_max)) {
			fdb_u64_inc(&f->cnt.limit_hit);
			return FDB_LEARN_LIMIT;
		}
		if (fdb_insert_locked(f, key, b1, b2, port, 0, now) < 0) {
			fdb_u64_inc(&f->cnt.limit_hit);
			return FDB_LEARN_LIMIT;
		}
		fdb_u32_add(&f->n_learned, 1);
		fdb_u32_add(&f->port_learned[port], 1);
		fdb_u64_inc(&f->cnt.learned);
		return FDB_LEARN_NEW;
	}

	b = &f->buckets[slot / FDB_SLOTS];
	i = slot % FDB_SLOTS;
	old = atomic_load_explicit(&b->port[i], memory_order_relaxed);
	flags = atomic_load_explicit(&b->flags[i], memory_order_relaxed);
	if (old == port) {
		fdb_slot_touch(f, slot, now);
		return FDB_LEARN_REFRESHED;
	}
	if (flags & FDB_F_STATIC)
		return FDB_LEARN_STATIC;
	if (flags & FDB_F_DAMPED)
		return FDB_LEARN_DAMPED;

	/* moves counts the moves within one second; fdb_age also clears it every tick */
	if (atomic_load_explicit(&b->seen[i], memory_order_relaxed) == now)
		moves = b->moves[i] < UINT8_MAX ? b->moves[i] + 1u : UINT8_MAX;
	else
		moves = 1;
	if (f->move_damp != 0 && moves > f->move_damp) {
		/* from here on moves counts down the seconds left frozen */
		b->moves[i] = (uint8_t)RTE_MIN(f->move_damp_s, (uint32_t)UINT8_MAX);
		atomic_store_explicit(&b->flags[i], flags | FDB_F_DAMPED, memory_order_relaxed);
		fdb_u64_inc(&f->cnt.move_damped);
		return FDB_LEARN_DAMPED;
	}
	b->moves[i] = (uint8_t)moves;
	atomic_store_explicit(&b->port[i], port, memory_order_relaxed);
	atomic_store_explicit(&b->seen[i], now, memory_order_relaxed);
	fdb_u32_add(&f->port_learned[old], -1);
	fdb_u32_add(&f->port_learned[port], 1);
	fdb_u64_inc(&f->cnt.moves);
	return FDB_LEARN_MOVED;
}

enum fdb_learn_result fdb_learn(struct fdb *f, uint64_t key, uint16_t port, uint32_t port_max,
				uint32_t now)
{
	enum fdb_learn_result r;

	/* a caller bug or a hostile frame, not a full table: refuse without counting */
	if (unlikely(!fdb_key_storable(key) || port >= FDB_MAX_PORTS))
		return FDB_LEARN_LIMIT;
	if (atomic_flag_test_and_set_explicit(&f->writer, memory_order_acquire))
		return FDB_LEARN_BUSY;
	r = fdb_learn_locked(f, key, port, port_max, now);
	fdb_writer_unlock(f);
	return r;
}

void fdb_retry_add(struct fdb_retry *r, struct fdb *f, uint64_t key, uint16_t port,
		   uint32_t port_max)
{
	if (unlikely(r->n >= FDB_RETRY_MAX)) {
		atomic_fetch_add_explicit(&f->cnt.learn_lost, 1, memory_order_relaxed);
		return;
	}
	r->e[r->n].f = f;
	r->e[r->n].key = key;
	r->e[r->n].port = port;
	r->e[r->n].port_max = port_max;
	r->n++;
}

/* Control holds the writer flag for FDB_CHUNK buckets at a time, so this succeeds within a
 * few runs; the bound only guards against a writer that never lets go. */
bool fdb_retry_run(struct fdb_retry *r, uint32_t now)
{
	unsigned int left = 0;

	for (unsigned int i = 0; i < r->n; i++) {
		if (fdb_learn(r->e[i].f, r->e[i].key, r->e[i].port, r->e[i].port_max, now) !=
		    FDB_LEARN_BUSY)
			continue;
		if (r->runs >= FDB_RETRY_LOOPS)
			atomic_fetch_add_explicit(&r->e[i].f->cnt.learn_lost, 1,
						  memory_order_relaxed);
		else
			r->e[left++] = r->e[i];
	}
	r->n = (uint16_t)left;
	r->runs = left != 0 ? r->runs + 1 : 0;
	return left == 0;
}

/* Control side. */

int fdb_add_static(struct fdb *f, uint64_t key, uint16_t port)
{
	uint32_t b1, b2;
	int32_t slot;
	int ret = 0;

	if (!fdb_key_storable(key) || port >= FDB_MAX_PORTS)
		return -EINVAL;
	fdb_hash(f, key, &b1, &b2);
	fdb_writer_lock(f);
	slot = fdb_find_locked(f, key, b1, b2);
	if (slot >= 0) {
		struct fdb_bucket *b = &f->buckets[slot / FDB_SLOTS];
		int i = slot % FDB_SLOTS;
		uint8_t flags = atomic_load_explicit(&b->flags[i], memory_order_relaxed);

		if (!(flags & FDB_F_STATIC)) {
			uint16_t old = atomic_load_explicit(&b->port[i], memory_order_relaxed);

			fdb_u32_add(&f->n_learned, -1);
			fdb_u32_add(&f->port_learned[old], -1);
			fdb_u32_add(&f->n_static, 1);
		}
		b->moves[i] = 0;
		atomic_store_explicit(&b->port[i], port, memory_order_relaxed);
		atomic_store_explicit(&b->flags[i], FDB_F_STATIC, memory_order_relaxed);
	} else if (fdb_insert_locked(f, key, b1, b2, port, FDB_F_STATIC, 0) >= 0) {
		fdb_u32_add(&f->n_static, 1);
	} else {
		ret = -ENOSPC;
	}
	fdb_writer_unlock(f);
	return ret;
}

int fdb_del(struct fdb *f, uint64_t key)
{
	uint32_t b1, b2;
	int32_t slot;

	if (!fdb_key_storable(key))
		return -ENOENT;
	fdb_hash(f, key, &b1, &b2);
	fdb_writer_lock(f);
	slot = fdb_find_locked(f, key, b1, b2);
	if (slot >= 0)
		fdb_remove_locked(f, &f->buckets[slot / FDB_SLOTS], slot % FDB_SLOTS);
	fdb_writer_unlock(f);
	return slot >= 0 ? 0 : -ENOENT;
}

static inline bool fdb_key_live(uint64_t key)
{
	return key != FDB_KEY_EMPTY && key != FDB_KEY_TOMBSTONE;
}

unsigned int fdb_flush(struct fdb *f, int port, int vid, bool include_static)
{
	unsigned int removed = 0;

	for (uint64_t c = 0; c <= f->mask; c += FDB_CHUNK) {
		uint64_t end = RTE_MIN(c + FDB_CHUNK, (uint64_t)f->mask + 1);

		fdb_writer_lock(f);
		for (uint64_t bi = c; bi < end; bi++) {
			struct fdb_bucket *b = &f->buckets[bi];

			for (int i = 0; i < FDB_SLOTS; i++) {
				uint64_t key = fdb_ld_key(b, i);

				if (!fdb_key_live(key))
					continue;
				if (port >= 0 &&
				    atomic_load_explicit(&b->port[i], memory_order_relaxed) != port)
					continue;
				if (vid >= 0 && fdb_key_vid(key) != vid)
					continue;
				if (!include_static &&
				    (atomic_load_explicit(&b->flags[i], memory_order_relaxed) &
				     FDB_F_STATIC))
					continue;
				fdb_remove_locked(f, b, i);
				removed++;
			}
		}
		fdb_writer_unlock(f);
	}
	return removed;
}

unsigned int fdb_age(struct fdb *f, uint32_t now, uint32_t aging_s)
{
	unsigned int removed = 0;

	for (uint64_t c = 0; c <= f->mask; c += FDB_CHUNK) {
		uint64_t end = RTE_MIN(c + FDB_CHUNK, (uint64_t)f->mask + 1);

		fdb_writer_lock(f);
		for (uint64_t bi = c; bi < end; bi++) {
			struct fdb_bucket *b = &f->buckets[bi];

			for (int i = 0; i < FDB_SLOTS; i++) {
				uint8_t flags;
				uint32_t age;

				if (!fdb_key_live(fdb_ld_key(b, i)))
					continue;
				flags = atomic_load_explicit(&b->flags[i], memory_order_relaxed);
				if (flags & FDB_F_STATIC)
					continue;
				/* seen may run ahead of now when workers' clocks tick first */
				age = now - atomic_load_explicit(&b->seen[i], memory_order_relaxed);
				if ((int32_t)age > 0 && age > aging_s) {
					fdb_remove_locked(f, b, i);
					fdb_u64_inc(&f->cnt.aged);
					removed++;
				} else if (flags & FDB_F_DAMPED) {
					if (b->moves[i] > 1) {
						b->moves[i]--;
					} else {
						b->moves[i] = 0;
						atomic_store_explicit(&b->flags[i],
								      flags & ~FDB_F_DAMPED,
								      memory_order_relaxed);
					}
				} else {
					/* a few moves months apart are not flapping */
					b->moves[i] = 0;
				}
			}
		}
		fdb_writer_unlock(f);
	}
	return removed;
}

void fdb_reclaim(struct fdb *f)
{
	uint32_t reclaimed = 0;

	if (atomic_load_explicit(&f->n_tombstones, memory_order_relaxed) == 0)
		return;
	for (uint64_t c = 0; c <= f->mask; c += FDB_CHUNK) {
		uint64_t end = RTE_MIN(c + FDB_CHUNK, (uint64_t)f->mask + 1);

		fdb_writer_lock(f);
		for (uint64_t bi = c; bi < end; bi++)
			for (int i = 0; i < FDB_SLOTS; i++)
				if (fdb_ld_key(&f->buckets[bi], i) == FDB_KEY_TOMBSTONE) {
					atomic_store_explicit(&f->buckets[bi].key[i], FDB_KEY_EMPTY,
							      memory_order_relaxed);
					reclaimed++;
				}
		fdb_writer_unlock(f);
	}
	/* only control writes tombstones, and it is here: this reaches 0 */
	fdb_writer_lock(f);
	fdb_u32_add(&f->n_tombstones, -(int32_t)reclaimed);
	fdb_writer_unlock(f);
}

/*
 * No lock: workers only add keys in EMPTY slots and rewrite port/seen of live ones, and
 * only control (this thread) turns slots over, so the fields read after a live key still
 * belong to it. cb may call fdb_del.
 */
void fdb_walk(const struct fdb *f, int (*cb)(const struct fdb_walk_entry *e, void *arg), void *arg)
{
	for (uint64_t bi = 0; bi <= f->mask; bi++) {
		const struct fdb_bucket *b = &f->buckets[bi];

		for (int i = 0; i < FDB_SLOTS; i++) {
			struct fdb_walk_entry e;

			e.key = atomic_load_explicit(&b->key[i], memory_order_acquire);
			if (!fdb_key_live(e.key))
				continue;
			e.port = atomic_load_explicit(&b->port[i], memory_order_relaxed);
			e.flags = atomic_load_explicit(&b->flags[i], memory_order_relaxed);
			e.seen = atomic_load_explicit(&b->seen[i], memory_order_relaxed);
			if (cb(&e, arg) != 0)
				return;
		}
	}
}

/* The table's hash secret: the kernel's randomness, or DPDK's generator (seeded from the
 * TSC at start) in the unlikely case getrandom fails. */
static void fdb_secret(struct fdb *f)
{
	uint64_t r[2];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		r[0] = rte_rand();
		r[1] = rte_rand();
	}
	f->hash_mul = r[0] | 1;
	f->hash_seed = (uint32_t)r[1];
}

struct fdb *fdb_create(uint32_t max_learned, uint32_t max_static, int socket_id)
{
	uint64_t want = ((uint64_t)max_learned + max_static) * 2 / FDB_SLOTS;
	uint64_t n_buckets = FDB_MIN_BUCKETS;
	size_t size;
	struct fdb *f;

	while (n_buckets < want)
		n_buckets <<= 1;
	if (n_buckets > FDB_MAX_BUCKETS) {
		/* more than slot ids can address, and more memory than any machine here */
		errno = ENOMEM;
		return NULL;
	}
	size = n_buckets * sizeof(struct fdb_bucket);

	f = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*f), RTE_CACHE_LINE_SIZE));
	if (f == NULL)
		goto out_nomem;
	memset(f, 0, sizeof(*f));
	atomic_flag_clear(&f->writer);
	f->mask = (uint32_t)(n_buckets - 1);
	f->max_learned = max_learned;
	fdb_secret(f);

	f->port_learned = calloc(FDB_MAX_PORTS, sizeof(*f->port_learned));
	if (f->port_learned == NULL)
		goto out_free_fdb;

	f->buckets = rte_zmalloc_socket("fdb", size, RTE_CACHE_LINE_SIZE, socket_id);
	if (f->buckets == NULL) {
		/* no EAL (unit tests, tools) or no hugepage memory left */
		bool big = size >= FDB_HUGE_SIZE;

		f->buckets = aligned_alloc(big ? FDB_HUGE_SIZE : RTE_CACHE_LINE_SIZE, size);
		if (f->buckets == NULL)
			goto out_free_counters;
		/* a big table on 4 KiB pages spends its lookups in TLB misses */
		if (big)
			(void)madvise(f->buckets, size, MADV_HUGEPAGE);
		memset(f->buckets, 0, size);
		f->ext_alloc = 1;
	}
	return f;

out_free_counters:
	free(f->port_learned);
out_free_fdb:
	free(f);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

void fdb_free(struct fdb *f)
{
	if (f == NULL)
		return;
	if (f->ext_alloc)
		free(f->buckets);
	else
		rte_free(f->buckets);
	free(f->port_learned);
	free(f);
}
