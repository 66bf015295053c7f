/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the MAC table (dataplane/l2/fdb.c), without EAL: learning, refresh,
 * aging, moves and move damping, static entries, limits, VLANs, flush, delete, tombstone
 * reuse, bulk lookup, a 100,000-key fill, the writer try-lock, the per-table hash secret,
 * and every allocation failure. Linked with -Wl,--wrap=rte_zmalloc_socket,--wrap=calloc,--wrap=aligned_alloc:
 * rte_zmalloc_socket always fails (no EAL), as it does in the real run without EAL, and
 * calloc/aligned_alloc fail on demand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <rte_malloc.h>

#include "fdb.h"
#include "fdb_ctl.h"

/* Allocation wrappers. */

void *__real_calloc(size_t n, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
void *__wrap_rte_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket);

static unsigned int alloc_fail_at; /* fail the n-th calloc/aligned_alloc from arming, 0 = never */
static unsigned int alloc_calls;
static unsigned int zmalloc_calls;
static size_t zmalloc_size;
static unsigned int zmalloc_align;
static int zmalloc_socket;

static int alloc_should_fail(void)
{
	return alloc_fail_at != 0 && ++alloc_calls == alloc_fail_at;
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	return alloc_should_fail() ? NULL : __real_aligned_alloc(align, size);
}

void *__wrap_rte_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket)
{
	(void)type;
	zmalloc_calls++;
	zmalloc_size = size;
	zmalloc_align = align;
	zmalloc_socket = socket;
	return NULL;
}

/* Helpers. */

static uint64_t mac_key(uint16_t vid, uint32_t n)
{
	const uint8_t mac[6] = {
		0x02, 0x00, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

	return fdb_key(vid, mac);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int port_of(const struct fdb *f, uint64_t key)
{
	int32_t slot = fdb_lookup(f, key);

	return slot < 0 ? -1 : fdb_slot_port(f, slot);
}

static uint32_t seen_of(const struct fdb *f, uint64_t key)
{
	int32_t slot = fdb_lookup(f, key);

	assert_true(slot >= 0);
	return atomic_load(&f->buckets[slot / FDB_SLOTS].seen[slot % FDB_SLOTS]);
}

static uint32_t ld(_Atomic uint32_t *v)
{
	return atomic_load(v);
}

static int walk_count_cb(const struct fdb_walk_entry *e, void *arg)
{
	(void)e;
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int walk_count(const struct fdb *f)
{
	unsigned int n = 0;

	fdb_walk(f, walk_count_cb, &n);
	return n;
}

static int setup(void **state)
{
	struct fdb *f = fdb_create(1000, 100, 0);

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fdb_free(*state);
	return 0;
}

/* Tests. */

static void test_create_sizes(void **state)
{
	struct fdb *f;

	(void)state;
	zmalloc_calls = 0;
	f = fdb_create(100000, 0, 1);
	assert_non_null(f);
	/* 100,000 * 2 / 4 = 50,000 -> 65,536 buckets, tried on the caller's socket first */
	assert_int_equal(f->mask, 65535);
	assert_int_equal(zmalloc_calls, 1);
	assert_int_equal(zmalloc_size, 65536 * 64);
	assert_int_equal(zmalloc_align, 64);
	assert_int_equal(zmalloc_socket, 1);
	assert_true(f->ext_alloc);
	assert_int_equal((uintptr_t)f->buckets % 64, 0);
	fdb_free(f);

	f = fdb_create(0, 0, 0);
	assert_non_null(f);
	assert_int_equal(f->mask, 15);
	fdb_free(f);
	fdb_free(NULL);
}

static void test_alloc_failure(void **state)
{
	struct fdb *f;

	(void)state;
	errno = 0;
	assert_null(fdb_create(UINT32_MAX, UINT32_MAX, 0));
	assert_int_equal(errno, ENOMEM);

	/* fdb_create makes three allocations: fail each in turn (ASan checks no leak) */
	for (unsigned int n = 1; n <= 3; n++) {
		alloc_calls = 0;
		alloc_fail_at = n;
		errno = 0;
		f = fdb_create(1000, 10, 0);
		alloc_fail_at = 0;
		assert_null(f);
		assert_int_equal(errno, ENOMEM);
		assert_int_equal(alloc_calls, n);
	}
	alloc_calls = 0;
	alloc_fail_at = 4;
	f = fdb_create(1000, 10, 0);
	alloc_fail_at = 0;
	assert_non_null(f);
	assert_int_equal(alloc_calls, 3);
	fdb_free(f);
}

static void test_learn_lookup(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(1, 1);
	int32_t slot;

	assert_int_equal(fdb_lookup(f, k), -1);
	assert_int_equal(fdb_learn(f, k, 3, 0, 10), FDB_LEARN_NEW);
	slot = fdb_lookup(f, k);
	assert_true(slot >= 0 && slot <= (int32_t)(f->mask * FDB_SLOTS + FDB_SLOTS - 1));
	assert_int_equal(fdb_slot_port(f, slot), 3);
	assert_int_equal(fdb_slot_flags(f, slot), 0);
	assert_int_equal(ld(&f->n_learned), 1);
	assert_int_equal(ld(&f->port_learned[3]), 1);
	assert_int_equal(atomic_load(&f->cnt.learned), 1);
	assert_int_equal(fdb_learn(f, k, 3, 0, 10), FDB_LEARN_REFRESHED);
	assert_int_equal(fdb_lookup(f, k), slot);
	assert_int_equal(ld(&f->n_learned), 1);
	assert_int_equal(atomic_load(&f->cnt.learned), 1);

	/* a neighbour key (one bit off) is a different entry */
	assert_int_equal(fdb_lookup(f, k ^ 1), -1);
	/* EMPTY and TOMBSTONE would match free slots: they must miss */
	assert_int_equal(fdb_lookup(f, FDB_KEY_EMPTY), -1);
	assert_int_equal(fdb_lookup(f, FDB_KEY_TOMBSTONE), -1);
	/* and are never stored, nor are VLAN ids above 4095 or ports beyond the array */
	assert_int_equal(fdb_learn(f, FDB_KEY_EMPTY, 1, 0, 10), FDB_LEARN_LIMIT);
	assert_int_equal(fdb_learn(f, FDB_KEY_TOMBSTONE, 1, 0, 10), FDB_LEARN_LIMIT);
	assert_int_equal(fdb_learn(f, k | (1ull << 60), 1, 0, 10), FDB_LEARN_LIMIT);
	assert_int_equal(fdb_learn(f, mac_key(1, 2), 256, 0, 10), FDB_LEARN_LIMIT);
	assert_int_equal(ld(&f->n_learned), 1);
	assert_int_equal(atomic_load(&f->cnt.limit_hit), 0);

	/* the key packs VLAN and MAC as documented */
	uint8_t mac[6];

	fdb_key_mac(k, mac);
	assert_int_equal(fdb_key_vid(k), 1);
	assert_int_equal(mac[0], 0x02);
	assert_int_equal(mac[5], 1);
	assert_int_equal(fdb_key_vid(mac_key(4095, 7)), 4095);
}

static void test_refresh(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(1, 5);
	int32_t slot;

	assert_int_equal(fdb_learn(f, k, 2, 0, 100), FDB_LEARN_NEW);
	assert_int_equal(seen_of(f, k), 100);
	assert_int_equal(fdb_learn(f, k, 2, 0, 160), FDB_LEARN_REFRESHED);
	assert_int_equal(seen_of(f, k), 160);
	slot = fdb_lookup(f, k);
	fdb_slot_touch(f, slot, 170);
	assert_int_equal(seen_of(f, k), 170);
	/* refreshed entries survive aging that would have removed them */
	assert_int_equal(fdb_age(f, 400, 300), 0);
	assert_int_equal(port_of(f, k), 2);
	assert_int_equal(fdb_age(f, 471, 300), 1);
	assert_int_equal(port_of(f, k), -1);
}

static void test_age(void **state)
{
	struct fdb *f = *state;
	uint64_t l1 = mac_key(1, 1), l2 = mac_key(1, 2), s = mac_key(1, 3);

	assert_int_equal(fdb_learn(f, l1, 1, 0, 10), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, l2, 2, 0, 200), FDB_LEARN_NEW);
	assert_int_equal(fdb_add_static(f, s, 3), 0);

	/* exactly aging_s old: kept */
	assert_int_equal(fdb_age(f, 310, 300), 0);
	assert_int_equal(fdb_age(f, 311, 300), 1);
	assert_int_equal(port_of(f, l1), -1);
	assert_int_equal(port_of(f, l2), 2);
	assert_int_equal(port_of(f, s), 3);
	assert_int_equal(atomic_load(&f->cnt.aged), 1);
	assert_int_equal(ld(&f->n_learned), 1);
	assert_int_equal(ld(&f->port_learned[1]), 0);
	assert_int_equal(ld(&f->n_tombstones), 1);

	/* a seen stamped ahead of the control clock is fresh, not 4 billion seconds old */
	assert_int_equal(fdb_age(f, 150, 30), 0);
	assert_int_equal(port_of(f, l2), 2);

	/* static entries never age */
	assert_int_equal(fdb_age(f, 100000, 300), 1);
	assert_int_equal(port_of(f, l2), -1);
	assert_int_equal(port_of(f, s), 3);
	assert_int_equal(ld(&f->n_static), 1);
	assert_int_equal(ld(&f->n_learned), 0);
	assert_int_equal(atomic_load(&f->cnt.aged), 2);
}

static void test_move(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(1, 9);

	assert_int_equal(fdb_learn(f, k, 1, 0, 10), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, k, 2, 0, 20), FDB_LEARN_MOVED);
	assert_int_equal(port_of(f, k), 2);
	assert_int_equal(seen_of(f, k), 20);
	assert_int_equal(atomic_load(&f->cnt.moves), 1);
	assert_int_equal(ld(&f->n_learned), 1);
	assert_int_equal(ld(&f->port_learned[1]), 0);
	assert_int_equal(ld(&f->port_learned[2]), 1);
	assert_int_equal(atomic_load(&f->cnt.learned), 1);
	/* without damping, any number of moves goes through */
	for (uint16_t i = 0; i < 20; i++)
		assert_int_equal(fdb_learn(f, k, i % 2 ? 2 : 1, 0, 20), FDB_LEARN_MOVED);
	assert_int_equal(port_of(f, k), 2);
	assert_int_equal(atomic_load(&f->cnt.moves), 21);
	assert_int_equal(ld(&f->port_learned[1]), 0);
	assert_int_equal(ld(&f->port_learned[2]), 1);
}

static void test_damping(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(1, 7);

	f->move_damp = 3;
	f->move_damp_s = 5;
	assert_int_equal(fdb_learn(f, k, 1, 0, 100), FDB_LEARN_NEW);
	/* three moves within one second are allowed, the fourth freezes the entry */
	assert_int_equal(fdb_learn(f, k, 2, 0, 100), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 1, 0, 100), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 2, 0, 100), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 1, 0, 100), FDB_LEARN_DAMPED);
	assert_int_equal(port_of(f, k), 2);
	assert_true(fdb_slot_flags(f, fdb_lookup(f, k)) & FDB_F_DAMPED);
	assert_int_equal(atomic_load(&f->cnt.move_damped), 1);
	assert_int_equal(atomic_load(&f->cnt.moves), 3);
	assert_int_equal(ld(&f->port_learned[2]), 1);
	assert_int_equal(ld(&f->port_learned[1]), 0);

	/* frozen: other ports are refused, the frozen port still refreshes */
	assert_int_equal(fdb_learn(f, k, 1, 0, 101), FDB_LEARN_DAMPED);
	assert_int_equal(fdb_learn(f, k, 3, 0, 101), FDB_LEARN_DAMPED);
	assert_int_equal(fdb_learn(f, k, 2, 0, 101), FDB_LEARN_REFRESHED);
	assert_int_equal(atomic_load(&f->cnt.move_damped), 1);

	/* move_damp_s = 5 aging ticks: still frozen after four, free after the fifth */
	for (uint32_t t = 102; t < 106; t++) {
		assert_int_equal(fdb_age(f, t, 300), 0);
		assert_true(fdb_slot_flags(f, fdb_lookup(f, k)) & FDB_F_DAMPED);
	}
	assert_int_equal(fdb_age(f, 106, 300), 0);
	assert_false(fdb_slot_flags(f, fdb_lookup(f, k)) & FDB_F_DAMPED);
	assert_int_equal(fdb_learn(f, k, 1, 0, 107), FDB_LEARN_MOVED);
	assert_int_equal(port_of(f, k), 1);
}

static void test_damping_window(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(2, 7);

	f->move_damp = 2;
	f->move_damp_s = 10;
	assert_int_equal(fdb_learn(f, k, 1, 0, 1), FDB_LEARN_NEW);
	/* one move per second, forever: never damped */
	for (uint32_t t = 2; t < 12; t++)
		assert_int_equal(fdb_learn(f, k, t % 2 ? 1 : 2, 0, t), FDB_LEARN_MOVED);
	/* two moves, an aging tick, then more in the same second: the tick restarted the
	 * count, so a MAC that moves now and then while busy is not taken for a flapping one */
	assert_int_equal(fdb_learn(f, k, 2, 0, 20), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 1, 0, 20), FDB_LEARN_MOVED);
	fdb_age(f, 20, 300);
	assert_int_equal(fdb_learn(f, k, 2, 0, 20), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 1, 0, 20), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k, 2, 0, 20), FDB_LEARN_DAMPED);
	assert_int_equal(port_of(f, k), 1);

	/* move_damp_s above 255 saturates the 8-bit countdown */
	uint64_t k2 = mac_key(2, 8);

	f->move_damp = 1;
	f->move_damp_s = 1000;
	assert_int_equal(fdb_learn(f, k2, 1, 0, 30), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, k2, 2, 0, 30), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, k2, 1, 0, 30), FDB_LEARN_DAMPED);
	for (uint32_t t = 31; t < 31 + 254; t++)
		fdb_age(f, t, 1000);
	assert_true(fdb_slot_flags(f, fdb_lookup(f, k2)) & FDB_F_DAMPED);
	fdb_age(f, 31 + 254, 1000);
	assert_false(fdb_slot_flags(f, fdb_lookup(f, k2)) & FDB_F_DAMPED);
}

static void test_static(void **state)
{
	struct fdb *f = *state;
	uint64_t s = mac_key(1, 40), l = mac_key(1, 41);

	assert_int_equal(fdb_add_static(f, s, 4), 0);
	assert_int_equal(fdb_slot_flags(f, fdb_lookup(f, s)), FDB_F_STATIC);
	assert_int_equal(ld(&f->n_static), 1);
	assert_int_equal(ld(&f->n_learned), 0);
	/* never moves, even with damping off */
	assert_int_equal(fdb_learn(f, s, 5, 0, 10), FDB_LEARN_STATIC);
	assert_int_equal(port_of(f, s), 4);
	assert_int_equal(fdb_learn(f, s, 4, 0, 10), FDB_LEARN_REFRESHED);
	assert_int_equal(atomic_load(&f->cnt.moves), 0);
	assert_int_equal(ld(&f->n_learned), 0);
	assert_int_equal(fdb_age(f, UINT32_MAX / 2, 1), 0);
	assert_int_equal(port_of(f, s), 4);

	/* replaces a learned entry, which stops counting as learned */
	assert_int_equal(fdb_learn(f, l, 1, 0, 10), FDB_LEARN_NEW);
	assert_int_equal(ld(&f->port_learned[1]), 1);
	int32_t slot = fdb_lookup(f, l);

	assert_int_equal(fdb_add_static(f, l, 7), 0);
	assert_int_equal(fdb_lookup(f, l), slot);
	assert_int_equal(port_of(f, l), 7);
	assert_int_equal(fdb_slot_flags(f, slot), FDB_F_STATIC);
	assert_int_equal(ld(&f->n_learned), 0);
	assert_int_equal(ld(&f->port_learned[1]), 0);
	assert_int_equal(ld(&f->n_static), 2);
	/* replacing a static moves it and counts nothing twice */
	assert_int_equal(fdb_add_static(f, l, 8), 0);
	assert_int_equal(port_of(f, l), 8);
	assert_int_equal(ld(&f->n_static), 2);
	assert_int_equal(walk_count(f), 2);

	assert_int_equal(fdb_add_static(f, FDB_KEY_EMPTY, 1), -EINVAL);
	assert_int_equal(fdb_add_static(f, FDB_KEY_TOMBSTONE, 1), -EINVAL);
	assert_int_equal(fdb_add_static(f, mac_key(1, 42) | (1ull << 60), 1), -EINVAL);
	assert_int_equal(fdb_add_static(f, mac_key(1, 42), 256), -EINVAL);
	assert_int_equal(ld(&f->n_static), 2);

	/* a static entry replacing a damped one clears the damping */
	uint64_t d = mac_key(1, 43);

	f->move_damp = 1;
	assert_int_equal(fdb_learn(f, d, 1, 0, 50), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, d, 2, 0, 50), FDB_LEARN_MOVED);
	assert_int_equal(fdb_learn(f, d, 1, 0, 50), FDB_LEARN_DAMPED);
	assert_int_equal(fdb_add_static(f, d, 3), 0);
	assert_int_equal(fdb_slot_flags(f, fdb_lookup(f, d)), FDB_F_STATIC);
	assert_int_equal(ld(&f->port_learned[2]), 0);
}

static void test_bridge_limit(void **state)
{
	struct fdb *f = fdb_create(4, 10, 0);

	(void)state;
	assert_non_null(f);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(fdb_add_static(f, mac_key(9, 100 + i), 9), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(fdb_learn(f, mac_key(1, i), (uint16_t)i, 0, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_key(1, 50), 1, 0, 1), FDB_LEARN_LIMIT);
	assert_int_equal(fdb_learn(f, mac_key(1, 51), 2, 0, 1), FDB_LEARN_LIMIT);
	assert_int_equal(atomic_load(&f->cnt.limit_hit), 2);
	assert_int_equal(atomic_load(&f->cnt.learned), 4);
	/* known entries still refresh and move at the limit */
	assert_int_equal(fdb_learn(f, mac_key(1, 0), 0, 0, 2), FDB_LEARN_REFRESHED);
	assert_int_equal(fdb_learn(f, mac_key(1, 0), 5, 0, 2), FDB_LEARN_MOVED);
	/* statics are not counted against the limit and never evicted by it */
	assert_int_equal(ld(&f->n_learned), 4);
	assert_int_equal(ld(&f->n_static), 10);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(port_of(f, mac_key(9, 100 + i)), 9);
	assert_int_equal(fdb_add_static(f, mac_key(9, 200), 9), 0);
	/* room again once one is removed */
	assert_int_equal(fdb_del(f, mac_key(1, 3)), 0);
	assert_int_equal(fdb_learn(f, mac_key(1, 50), 1, 0, 3), FDB_LEARN_NEW);
	fdb_free(f);
}

static void test_port_limit(void **state)
{
	struct fdb *f = *state;

	assert_int_equal(fdb_add_static(f, mac_key(1, 99), 1), 0);
	assert_int_equal(fdb_learn(f, mac_key(1, 1), 1, 2, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_key(1, 2), 1, 2, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_key(1, 3), 1, 2, 1), FDB_LEARN_LIMIT);
	assert_int_equal(atomic_load(&f->cnt.limit_hit), 1);
	/* other ports have their own budget; 0 means no limit */
	assert_int_equal(fdb_learn(f, mac_key(1, 3), 2, 2, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_key(1, 4), 1, 0, 1), FDB_LEARN_NEW);
	assert_int_equal(ld(&f->port_learned[1]), 3);
	assert_int_equal(ld(&f->port_learned[2]), 1);
	assert_int_equal(port_of(f, mac_key(1, 99)), 1);
	/* moving out frees budget on the old port */
	assert_int_equal(fdb_learn(f, mac_key(1, 1), 2, 2, 2), FDB_LEARN_MOVED);
	assert_int_equal(ld(&f->port_learned[1]), 2);
	assert_int_equal(fdb_del(f, mac_key(1, 2)), 0);
	assert_int_equal(fdb_learn(f, mac_key(1, 5), 1, 2, 2), FDB_LEARN_NEW);
}

static void test_vlan(void **state)
{
	struct fdb *f = *state;
	uint64_t a = mac_key(10, 1), b = mac_key(20, 1);

	assert_int_not_equal(a, b);
	assert_int_equal(fdb_learn(f, a, 1, 0, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_lookup(f, b), -1);
	assert_int_equal(fdb_learn(f, b, 2, 0, 1), FDB_LEARN_NEW);
	assert_int_not_equal(fdb_lookup(f, a), fdb_lookup(f, b));
	assert_int_equal(port_of(f, a), 1);
	assert_int_equal(port_of(f, b), 2);
	assert_int_equal(ld(&f->n_learned), 2);
	assert_int_equal(fdb_del(f, a), 0);
	assert_int_equal(port_of(f, b), 2);
}

static void test_flush(void **state)
{
	struct fdb *f = *state;

	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(fdb_learn(f, mac_key(10, i), 1, 0, 1), FDB_LEARN_NEW);
		assert_int_equal(fdb_learn(f, mac_key(20, i), 1, 0, 1), FDB_LEARN_NEW);
		assert_int_equal(fdb_learn(f, mac_key(10, 100 + i), 2, 0, 1), FDB_LEARN_NEW);
	}
	assert_int_equal(fdb_add_static(f, mac_key(10, 500), 1), 0);
	assert_int_equal(fdb_add_static(f, mac_key(20, 500), 2), 0);
	assert_int_equal(walk_count(f), 32);

	/* port 1 in VLAN 20 only */
	assert_int_equal(fdb_flush(f, 1, 20, false), 10);
	assert_int_equal(port_of(f, mac_key(20, 0)), -1);
	assert_int_equal(port_of(f, mac_key(10, 0)), 1);
	/* port 1, any VLAN, learned only */
	assert_int_equal(fdb_flush(f, 1, -1, false), 10);
	assert_int_equal(port_of(f, mac_key(10, 500)), 1);
	assert_int_equal(ld(&f->port_learned[1]), 0);
	assert_int_equal(ld(&f->port_learned[2]), 10);
	/* VLAN 10, any port, statics too */
	assert_int_equal(fdb_flush(f, -1, 10, true), 11);
	assert_int_equal(port_of(f, mac_key(10, 500)), -1);
	assert_int_equal(port_of(f, mac_key(20, 500)), 2);
	assert_int_equal(ld(&f->n_static), 1);
	assert_int_equal(ld(&f->n_learned), 0);
	/* nothing left to match */
	assert_int_equal(fdb_flush(f, -1, -1, false), 0);
	assert_int_equal(fdb_flush(f, -1, -1, true), 1);
	assert_int_equal(walk_count(f), 0);
	assert_int_equal(ld(&f->n_tombstones), 32);
	assert_int_equal(ld(&f->n_static), 0);
}

static void test_del(void **state)
{
	struct fdb *f = *state;
	uint64_t l = mac_key(3, 1), s = mac_key(3, 2);

	assert_int_equal(fdb_learn(f, l, 6, 0, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_add_static(f, s, 6), 0);
	assert_int_equal(fdb_del(f, l), 0);
	assert_int_equal(fdb_lookup(f, l), -1);
	assert_int_equal(fdb_del(f, l), -ENOENT);
	assert_int_equal(fdb_del(f, mac_key(3, 3)), -ENOENT);
	assert_int_equal(fdb_del(f, FDB_KEY_EMPTY), -ENOENT);
	assert_int_equal(fdb_del(f, FDB_KEY_TOMBSTONE), -ENOENT);
	assert_int_equal(fdb_del(f, s), 0);
	assert_int_equal(ld(&f->n_learned), 0);
	assert_int_equal(ld(&f->n_static), 0);
	assert_int_equal(ld(&f->port_learned[6]), 0);
	assert_int_equal(ld(&f->n_tombstones), 2);
	/* deleted then relearned: a new entry, counted again */
	assert_int_equal(fdb_learn(f, l, 6, 0, 2), FDB_LEARN_NEW);
	assert_int_equal(atomic_load(&f->cnt.learned), 2);
}

static void test_tombstone_reuse(void **state)
{
	/* 16 buckets = 64 slots, all filled with statics */
	struct fdb *f = fdb_create(0, 0, 0);
	uint64_t keys[64], victim = 0, other = 0;
	int32_t vslot = INT32_MAX, oslot = -1;
	uint32_t i, n = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->mask, 15);
	for (i = 1; n < 64 && i < 100000; i++)
		if (fdb_add_static(f, mac_key(1, i), 1) == 0)
			keys[n++] = mac_key(1, i);
	assert_int_equal(n, 64);
	assert_int_equal(fdb_add_static(f, mac_key(1, i), 1), -ENOSPC);
	/* learning into a full table is refused and counted */
	f->max_learned = 10;
	assert_int_equal(fdb_learn(f, mac_key(2, 1), 1, 0, 1), FDB_LEARN_LIMIT);
	assert_int_equal(atomic_load(&f->cnt.limit_hit), 1);
	assert_int_equal(ld(&f->n_learned), 0);

	/* the first and the last slot of bucket 0 */
	for (i = 0; i < 64; i++) {
		int32_t slot = fdb_lookup(f, keys[i]);

		assert_true(slot >= 0);
		if (slot / FDB_SLOTS == 0 && slot < vslot) {
			vslot = slot;
			victim = keys[i];
		}
		if (slot / FDB_SLOTS == 0 && slot > oslot) {
			oslot = slot;
			other = keys[i];
		}
	}
	assert_int_equal(vslot, 0);
	assert_int_equal(oslot, FDB_SLOTS - 1);

	assert_int_equal(fdb_del(f, victim), 0);
	assert_int_equal(fdb_lookup(f, victim), -1);
	/* the tombstone is not reused before the grace period: not even by the same key */
	assert_int_equal(fdb_add_static(f, victim, 2), -ENOSPC);
	assert_int_equal(fdb_learn(f, victim, 2, 0, 1), FDB_LEARN_LIMIT);
	assert_int_equal(ld(&f->n_tombstones), 1);

	fdb_reclaim(f);
	assert_int_equal(ld(&f->n_tombstones), 0);
	assert_int_equal(fdb_add_static(f, victim, 2), 0);
	assert_int_equal(fdb_lookup(f, victim), vslot);

	/* a tombstone before an EMPTY slot of the same bucket: the EMPTY one is taken */
	assert_int_equal(fdb_del(f, other), 0);
	fdb_reclaim(f);
	assert_int_equal(fdb_del(f, victim), 0);
	assert_int_equal(ld(&f->n_tombstones), 1);
	assert_int_equal(fdb_add_static(f, victim, 2), 0);
	assert_int_equal(fdb_lookup(f, victim), oslot);
	assert_int_equal(fdb_add_static(f, other, 3), -ENOSPC);

	fdb_reclaim(f);
	assert_int_equal(ld(&f->n_tombstones), 0);
	assert_int_equal(fdb_learn(f, other, 3, 0, 1), FDB_LEARN_NEW);
	assert_int_equal(fdb_lookup(f, other), vslot);
	assert_int_equal(port_of(f, other), 3);
	assert_int_equal(walk_count(f), 64);
	fdb_reclaim(f); /* nothing to do */
	assert_int_equal(walk_count(f), 64);
	fdb_free(f);
}

static void test_lookup_bulk(void **state)
{
	struct fdb *f = *state;
	uint64_t keys[100];
	int32_t slots[100];

	for (uint32_t i = 0; i < 32; i++)
		assert_int_equal(fdb_learn(f, mac_key(1, i), (uint16_t)i, 0, 1), FDB_LEARN_NEW);
	/* hits and misses interleaved, plus the two keys that must never hit */
	for (uint32_t i = 0; i < 100; i++)
		keys[i] = i % 2 ? mac_key(1, i / 2) : mac_key(2, i);
	keys[10] = FDB_KEY_EMPTY;
	keys[20] = FDB_KEY_TOMBSTONE;
	for (uint32_t i = 0; i < 100; i++)
		slots[i] = -7;
	fdb_lookup_bulk(f, keys, 64, slots);
	for (uint32_t i = 0; i < 64; i++) {
		assert_int_equal(slots[i], fdb_lookup(f, keys[i]));
		if (i % 2)
			assert_int_equal(fdb_slot_port(f, slots[i]), i / 2);
		else
			assert_int_equal(slots[i], -1);
	}
	assert_int_equal(slots[64], -7); /* wrote exactly n results */

	/* more than one prefetch batch, and nothing at all */
	fdb_lookup_bulk(f, keys, 100, slots);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(slots[i], fdb_lookup(f, keys[i]));
	slots[0] = -7;
	fdb_lookup_bulk(f, keys, 0, slots);
	assert_int_equal(slots[0], -7);
}

static void test_fill_100k(void **state)
{
	const uint32_t n = 100000;
	struct fdb *f = fdb_create(n, 0, 0);
	uint64_t *keys = malloc(n * sizeof(*keys));
	int32_t slots[64];
	uint64_t sum = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(keys);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (uint32_t i = 0; i < n; i++) {
		/* a random MAC in a random VLAN: 60 random bits, no duplicates in practice */
		keys[i] = rng() & ((1ull << 60) - 1);
		assert_int_equal(fdb_learn(f, keys[i], (uint16_t)(i % 256), 0, 1), FDB_LEARN_NEW);
	}
	assert_int_equal(ld(&f->n_learned), n);
	assert_int_equal(atomic_load(&f->cnt.limit_hit), 0);
	assert_int_equal(fdb_learn(f, 0x123456789abcull, 0, 0, 1), FDB_LEARN_LIMIT);
	for (unsigned int p = 0; p < 256; p++)
		sum += ld(&f->port_learned[p]);
	assert_int_equal(sum, n);
	assert_int_equal(walk_count(f), n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(port_of(f, keys[i]), i % 256);
	for (uint32_t i = 0; i + 64 <= n; i += 64) {
		fdb_lookup_bulk(f, &keys[i], 64, slots);
		for (uint32_t j = 0; j < 64; j++) {
			assert_true(slots[j] >= 0);
			assert_int_equal(fdb_slot_port(f, slots[j]), (i + j) % 256);
		}
	}
	assert_int_equal(fdb_age(f, 1000, 300), n);
	assert_int_equal(walk_count(f), 0);
	assert_int_equal(ld(&f->n_tombstones), n);
	fdb_reclaim(f);
	assert_int_equal(ld(&f->n_tombstones), 0);
	free(keys);
	fdb_free(f);
}

static int walk_stop_cb(const struct fdb_walk_entry *e, void *arg)
{
	unsigned int *n = arg;

	assert_int_equal(e->port, 4);
	assert_int_equal(e->seen, 77);
	assert_int_equal(e->flags, 0);
	assert_int_equal(fdb_key_vid(e->key), 5);
	return ++*n == 3;
}

static void test_walk(void **state)
{
	struct fdb *f = *state;
	unsigned int n = 0;

	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(fdb_learn(f, mac_key(5, i), 4, 0, 77), FDB_LEARN_NEW);
	assert_int_equal(walk_count(f), 10);
	fdb_walk(f, walk_stop_cb, &n);
	assert_int_equal(n, 3);
}

static void test_busy(void **state)
{
	struct fdb *f = *state;
	uint64_t k = mac_key(1, 1);

	/* a writer (control, or another worker) holds the table: a worker never waits */
	assert_false(atomic_flag_test_and_set(&f->writer));
	assert_int_equal(fdb_learn(f, k, 1, 0, 1), FDB_LEARN_BUSY);
	assert_int_equal(fdb_lookup(f, k), -1);
	assert_int_equal(ld(&f->n_learned), 0);
	atomic_flag_clear(&f->writer);
	assert_int_equal(fdb_learn(f, k, 1, 0, 1), FDB_LEARN_NEW);
	/* and the flag was released after the learn */
	assert_false(atomic_flag_test_and_set(&f->writer));
	atomic_flag_clear(&f->writer);
}

/* A learn refused as busy is kept and done once the writer lets go: one frame is enough.
 * Its fdb pointer is held until then; a full list, or a writer that never lets go, counts
 * learn_lost instead of waiting. */
static void test_retry(void **state)
{
	struct fdb *f = *state;
	struct fdb_retry r = {0};

	assert_false(atomic_flag_test_and_set(&f->writer));
	for (unsigned int i = 0; i < FDB_RETRY_MAX + 2; i++) {
		assert_int_equal(fdb_learn(f, mac_key(1, i + 1), 2, 0, 1), FDB_LEARN_BUSY);
		fdb_retry_add(&r, f, mac_key(1, i + 1), 2, 0);
	}
	assert_int_equal(r.n, FDB_RETRY_MAX);
	assert_int_equal(atomic_load(&f->cnt.learn_lost), 2);
	/* still held: nothing learned, everything kept */
	assert_false(fdb_retry_run(&r, 1));
	assert_false(fdb_retry_run(&r, 1));
	assert_int_equal(r.n, FDB_RETRY_MAX);
	assert_int_equal(r.runs, 2);
	assert_int_equal(ld(&f->n_learned), 0);
	atomic_flag_clear(&f->writer);
	assert_true(fdb_retry_run(&r, 2));
	assert_int_equal(r.n, 0);
	assert_int_equal(r.runs, 0);
	assert_int_equal(ld(&f->n_learned), FDB_RETRY_MAX);
	for (unsigned int i = 0; i < FDB_RETRY_MAX; i++)
		assert_int_equal(fdb_slot_port(f, fdb_lookup(f, mac_key(1, i + 1))), 2);
	assert_int_equal(fdb_lookup(f, mac_key(1, FDB_RETRY_MAX + 1)), -1);
	/* a writer that never lets go: given up after FDB_RETRY_LOOPS runs, and counted */
	assert_false(atomic_flag_test_and_set(&f->writer));
	fdb_retry_add(&r, f, mac_key(1, 100), 3, 0);
	for (unsigned int i = 0; i < FDB_RETRY_LOOPS; i++)
		assert_false(fdb_retry_run(&r, 3));
	assert_true(fdb_retry_run(&r, 3));
	assert_int_equal(atomic_load(&f->cnt.learn_lost), 3);
	atomic_flag_clear(&f->writer);
	assert_int_equal(fdb_lookup(f, mac_key(1, 100)), -1);
}

/* The header fast path builds the same key as fdb_key, for tagged and untagged VLANs. */
static void test_key_hdr(void **state)
{
	const uint8_t hdr[14] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0xfe,
				 0xdc, 0xba, 0x98, 0x76, 0x54, 0x08, 0x00};

	(void)state;
	for (uint16_t vid = 0; vid < 4096; vid += 273) {
		assert_true(fdb_key_hdr(vid, hdr) == fdb_key(vid, hdr));
		assert_true(fdb_key_hdr(vid, hdr + 6) == fdb_key(vid, hdr + 6));
	}
}

/* Bucket placement depends on a per-table secret: the same keys land in different buckets
 * in two tables of the same size, so a sender cannot pick MACs that share one table's
 * bucket pair from the code alone. Without a secret every key lands in the same bucket in
 * both. 512 keys in 2,048 buckets: with independent placements about 1 in 1,000 share a
 * bucket by chance (one in two of the entries of a pair: each has two candidates). */
static void test_hash_secret(void **state)
{
	struct fdb *a = fdb_create(4096, 0, 0), *b = fdb_create(4096, 0, 0);
	unsigned int same = 0, n = 512;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->mask, 2047);
	assert_int_equal(b->mask, 2047);
	assert_true(a->hash_mul & 1); /* odd: key * hash_mul is a bijection */
	assert_true(a->hash_mul != b->hash_mul || a->hash_seed != b->hash_seed);
	for (uint32_t i = 1; i <= n; i++) {
		/* same MAC in many VLANs and consecutive MACs: the easiest keys to aim */
		uint64_t k = i & 1 ? mac_key((uint16_t)(i >> 1), 7) : mac_key(1, i);
		int32_t sa, sb;

		assert_int_equal(fdb_learn(a, k, 1, 0, 1), FDB_LEARN_NEW);
		assert_int_equal(fdb_learn(b, k, 1, 0, 1), FDB_LEARN_NEW);
		sa = fdb_lookup(a, k);
		sb = fdb_lookup(b, k);
		assert_true(sa >= 0 && sb >= 0);
		same += sa / FDB_SLOTS == sb / FDB_SLOTS;
	}
	print_message("hash secret: %u of %u keys in the same bucket of two tables\n", same, n);
	assert_true(same < n / 16);
	fdb_free(a);
	fdb_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_secret),
		cmocka_unit_test(test_key_hdr),
		cmocka_unit_test(test_create_sizes),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test_setup_teardown(test_learn_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damping_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static, setup, teardown),
		cmocka_unit_test(test_bridge_limit),
		cmocka_unit_test_setup_teardown(test_port_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del, setup, teardown),
		cmocka_unit_test(test_tombstone_reuse),
		cmocka_unit_test_setup_teardown(test_lookup_bulk, setup, teardown),
		cmocka_unit_test(test_fill_100k),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
