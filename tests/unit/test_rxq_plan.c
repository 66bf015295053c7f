/* SPDX-License-Identifier: BSD-3-Clause */
/* Rx queue placement (dataplane/rxq_plan.c): balance, spreading, stability, moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rxq_plan.h"

static unsigned int load(const struct rxq_slot *s, unsigned int n, int w)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += s[i].worker == w;
	return k;
}

/* one port, two queues, two workers: one queue on each */
static void test_spread_one_port(void **state)
{
	struct rxq_slot s[] = {{0, 0, -1}, {0, 1, -1}};

	(void)state;
	assert_int_equal(rxq_plan(s, 2, 2), 0);
	assert_int_not_equal(s[0].worker, s[1].worker);
}

/* new queues go to the least loaded worker; on a tie, away from their port's other queue */
static void test_new_queues_least_loaded(void **state)
{
	struct rxq_slot s[] = {{0, 0, 0}, {1, 0, 0}, {2, 0, -1}, {2, 1, -1}, {2, 2, -1}};

	(void)state;
	assert_int_equal(rxq_plan(s, 5, 2), 0);
	assert_int_equal(s[0].worker, 0); /* placed queues stay */
	assert_int_equal(s[1].worker, 0);
	/* 2 + 0 before: worker 1 takes two, then the tie goes to worker 0 (none of port 2) */
	assert_int_equal(load(s, 5, 0), 3);
	assert_int_equal(load(s, 5, 1), 2);
	/* port 2: its queues on both workers */
	assert_true(s[2].worker != s[3].worker || s[3].worker != s[4].worker);
}

/* a port gone leaves worker 0 with 3 queues, worker 1 with 1: one moves */
static void test_rebalance_after_delete(void **state)
{
	struct rxq_slot s[] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 1}};

	(void)state;
	assert_int_equal(rxq_plan(s, 4, 2), 1);
	assert_int_equal(load(s, 4, 0), 2);
	assert_int_equal(load(s, 4, 1), 2);
	assert_int_equal(s[3].worker, 1);
}

/* planning a plan again moves nothing */
static void test_stable(void **state)
{
	struct rxq_slot s[16];

	(void)state;
	for (unsigned int i = 0; i < 16; i++)
		s[i] = (struct rxq_slot){(uint16_t)(i / 4), (uint16_t)(i % 4), -1};
	rxq_plan(s, 16, 3);
	for (int w = 0; w < 3; w++)
		assert_in_range(load(s, 16, w), 5, 6);
	assert_int_equal(rxq_plan(s, 16, 3), 0);
}

/* a worker index beyond the workers (fewer workers now) is placed again; none is lost */
static void test_worker_out_of_range(void **state)
{
	struct rxq_slot s[] = {{0, 0, 5}, {0, 1, 1}};

	(void)state;
	rxq_plan(s, 2, 2);
	assert_in_range(s[0].worker, 0, 1);
	assert_int_not_equal(s[0].worker, s[1].worker);
	assert_int_equal(rxq_plan(s, 0, 2), 0);
	assert_int_equal(rxq_plan(s, 2, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread_one_port),
		cmocka_unit_test(test_new_queues_least_loaded),
		cmocka_unit_test(test_rebalance_after_delete),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_worker_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
