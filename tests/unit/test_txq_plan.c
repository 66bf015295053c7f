/* SPDX-License-Identifier: BSD-3-Clause */
/* Tx queue map (dataplane/txq_plan.h): own queues when there are enough, wrap and lock
 * when there are fewer, only usable queues, the lock flag exactly on shared queues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "txq_plan.h"

/* Out of line: inlined into the loops below, gcc 12 sees map[] writes past the worker
 * count it cannot bound (-Wstringop-overflow). */
static __attribute__((noinline)) unsigned int plan(uint32_t usable, unsigned int n_txq,
						   unsigned int n_workers, uint8_t *map)
{
	return txq_plan(usable, n_txq, n_workers, map);
}

/* as many queues as workers, or more: worker w on queue w, nobody locks */
static void test_own_queues(void **state)
{
	uint8_t m[8];

	(void)state;
	assert_int_equal(txq_plan(UINT32_MAX, 2, 2, m), 1);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], 1);
	assert_int_equal(txq_plan(UINT32_MAX, 16, 8, m), 1);
	for (unsigned int w = 0; w < 8; w++)
		assert_int_equal(m[w], w);
}

/* a pcap or ring device (one tx queue) with two workers: both on queue 0, locked */
static void test_one_queue_two_workers(void **state)
{
	uint8_t m[2];

	(void)state;
	assert_int_equal(txq_plan(UINT32_MAX, 1, 2, m), 2);
	assert_int_equal(m[0], 0 | TXQ_SHARED);
	assert_int_equal(m[1], 0 | TXQ_SHARED);
}

/* three workers on two queues: only the queue two of them use is locked */
static void test_uneven(void **state)
{
	uint8_t m[3];

	(void)state;
	assert_int_equal(txq_plan(UINT32_MAX, 2, 3, m), 2);
	assert_int_equal(m[0], 0 | TXQ_SHARED);
	assert_int_equal(m[1], 1);
	assert_int_equal(m[2], 0 | TXQ_SHARED);
}

/* a vhost-user guest that enabled queues 0 and 2 of 4: four workers on those two */
static void test_guest_enabled_subset(void **state)
{
	uint8_t m[4];

	(void)state;
	assert_int_equal(txq_plan(0x5, 4, 4, m), 2);
	assert_int_equal(m[0], 0 | TXQ_SHARED);
	assert_int_equal(m[1], 2 | TXQ_SHARED);
	assert_int_equal(m[2], 0 | TXQ_SHARED);
	assert_int_equal(m[3], 2 | TXQ_SHARED);
	/* a guest with one pair of two, two workers: both on queue 0 */
	assert_int_equal(txq_plan(0x1, 2, 2, m), 2);
	assert_int_equal(m[0], 0 | TXQ_SHARED);
	assert_int_equal(m[1], 0 | TXQ_SHARED);
}

/* nothing usable (no guest yet): everyone on queue 0; bits past n_txq do not count */
static void test_none_usable(void **state)
{
	uint8_t m[2];

	(void)state;
	assert_int_equal(txq_plan(0, 2, 2, m), 2);
	assert_int_equal(m[0], 0 | TXQ_SHARED);
	assert_int_equal(m[1], 0 | TXQ_SHARED);
	assert_int_equal(txq_plan(0, 2, 1, m), 1);
	assert_int_equal(m[0], 0);
	assert_int_equal(txq_plan(0x6, 2, 2, m), 2); /* queue 2 is not the device's */
	assert_int_equal(m[0], 1 | TXQ_SHARED);
	assert_int_equal(m[1], 1 | TXQ_SHARED);
	assert_int_equal(txq_plan(0x80000000u, 32, 1, m), 1);
	assert_int_equal(m[0], 31);
}

/* every mask of 8 queues, every device size and worker count: each worker on a usable
 * queue (0 when none), loads differ by at most one, the flag exactly where a queue has
 * several workers, and the return value is the largest load */
static void test_exhaustive(void **state)
{
	(void)state;
	for (uint32_t mask = 0; mask < 256; mask++)
		for (unsigned int ntx = 1; ntx <= 8; ntx++)
			for (unsigned int nw = 1; nw <= 8; nw++) {
				uint32_t usable = mask & ((1u << ntx) - 1);
				unsigned int load[8] = {0}, most = 0, least = 99, k;
				uint8_t m[8];

				k = plan(mask, ntx, nw, m);
				for (unsigned int w = 0; w < nw; w++) {
					unsigned int q = m[w] & TXQ_QUEUE;

					assert_true(q < ntx);
					assert_true(usable ? (usable >> q) & 1 : q == 0);
					load[q]++;
				}
				for (unsigned int q = 0; q < 8; q++) {
					if (!(usable ? (usable >> q) & 1 : q == 0))
						continue;
					most = load[q] > most ? load[q] : most;
					least = load[q] < least ? load[q] : least;
				}
				assert_int_equal(k, most);
				assert_true(most - least <= 1);
				for (unsigned int w = 0; w < nw; w++)
					assert_int_equal(!!(m[w] & TXQ_SHARED),
							 load[m[w] & TXQ_QUEUE] > 1);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_queues),  cmocka_unit_test(test_one_queue_two_workers),
		cmocka_unit_test(test_uneven),	    cmocka_unit_test(test_guest_enabled_subset),
		cmocka_unit_test(test_none_usable), cmocka_unit_test(test_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
