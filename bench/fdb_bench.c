/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the MAC table alone (dataplane/l2/fdb.c), no packets: bulk lookups
 * per second for 64 entries and for 1,000,000 entries with keys drawn from 65,536 of
 * them (the shapes of /work/shared/TESTBED.md), and new MACs learned per second. With
 * --rte-hash it also runs the same lookups through rte_hash (RW_CONCURRENCY_LF, CRC hash,
 * rte_hash_lookup_bulk_data of 64) under EAL (--no-huge, its own --file-prefix), so the
 * two are compared in one run; in that mode both tables live in EAL memory.
 * Without EAL the fdb falls back to aligned_alloc (transparent huge pages if enabled).
 *
 * Build and run (about 5 s on one core, 10 s with --rte-hash):
 *   gcc -O2 -march=native -DALLOW_EXPERIMENTAL_API -Idataplane/l2 $(pkg-config --cflags libdpdk) \
 *     bench/fdb_bench.c dataplane/l2/fdb.c -o /tmp/fdb_bench $(pkg-config --libs libdpdk) \
 *     && /tmp/fdb_bench [--rte-hash]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "fdb.h"
#include "fdb_ctl.h"

#define BURST 64
#define SEQ_LEN (1u << 20) /* lookup stream, read in order: key fetches are not the cost */
#define RUN_S 0.5

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A random MAC (locally administered, unicast) in VLAN 1..4094. */
static uint64_t rand_key(void)
{
	uint64_t r = rng();
	uint8_t mac[6] = {0x02,
			  (uint8_t)(r >> 8),
			  (uint8_t)(r >> 16),
			  (uint8_t)(r >> 24),
			  (uint8_t)(r >> 32),
			  (uint8_t)(r >> 40)};

	return fdb_key((uint16_t)(1 + (r >> 48) % 4094), mac);
}

/* Hot keys spread over the whole table: the first keys learned sit in emptier buckets
 * (first choice, first slot) and would make the lookup's branches look predictable. */
static uint64_t *make_seq(const uint64_t *keys, uint32_t n_keys, uint32_t n_hot)
{
	uint64_t *seq = malloc(SEQ_LEN * sizeof(*seq));

	if (seq == NULL)
		return NULL;
	for (uint32_t i = 0; i < SEQ_LEN; i++)
		seq[i] = keys[(rng() % n_hot) * n_keys / n_hot];
	return seq;
}

static double bench_fdb_lookup(const struct fdb *f, const uint64_t *seq)
{
	int32_t slots[BURST];
	uint64_t n = 0, sink = 0;
	double t0 = now_s(), t;

	do {
		for (int r = 0; r < 1024; r++) {
			fdb_lookup_bulk(f, &seq[n % SEQ_LEN], BURST, slots);
			for (int i = 0; i < BURST; i++)
				sink += slots[i] >= 0 ? fdb_slot_port(f, slots[i]) : 0;
			n += BURST;
		}
		t = now_s() - t0;
	} while (t < RUN_S);
	if (sink != 0) /* every key hits port 0..255: a zero sum means lookups failed */
		return (double)n / t;
	return 0;
}

static double bench_hash_lookup(const struct rte_hash *h, const uint64_t *seq)
{
	const void *kp[BURST];
	void *data[BURST];
	uint64_t hits, n = 0, sink = 0;
	double t0 = now_s(), t;

	do {
		for (int r = 0; r < 1024; r++) {
			const uint64_t *k = &seq[n % SEQ_LEN];

			for (int i = 0; i < BURST; i++)
				kp[i] = &k[i];
			if (rte_hash_lookup_bulk_data(h, kp, BURST, &hits, data) != BURST)
				return 0;
			for (int i = 0; i < BURST; i++)
				sink += (uintptr_t)data[i];
			n += BURST;
		}
		t = now_s() - t0;
	} while (t < RUN_S);
	return sink != 0 ? (double)n / t : 0;
}

static struct rte_hash *hash_fill(const char *name, const uint64_t *keys, uint32_t n)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = n < 1024 ? 1024 : n, /* fewer and a 64-key table refuses keys */
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = 0,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash *h = rte_hash_create(&p);

	if (h == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (rte_hash_add_key_data(h, &keys[i], (void *)(uintptr_t)(1 + i % 255)) < 0)
			break;
	return h;
}

static int run(const char *label, uint32_t n_entries, uint32_t n_hot, int with_hash)
{
	struct fdb *f = fdb_create(n_entries, 0, 0);
	uint64_t *keys = malloc(n_entries * sizeof(*keys));
	uint64_t *seq = NULL;
	uint32_t learned = 0;
	double t, learn_rate;
	int ret = -ENOMEM;

	if (f == NULL || keys == NULL)
		goto out;
	for (uint32_t i = 0; i < n_entries; i++)
		keys[i] = rand_key();
	t = now_s();
	for (uint32_t i = 0; i < n_entries; i++)
		learned += fdb_learn(f, keys[i], (uint16_t)(1 + i % 255), 0, 1) == FDB_LEARN_NEW;
	learn_rate = n_entries / (now_s() - t);
	seq = make_seq(keys, n_entries, n_hot);
	if (seq == NULL)
		goto out;
	printf("%s: %u entries (%u learned, table %u buckets, %s), keys drawn from %u\n", label,
	       n_entries, learned, f->mask + 1, f->ext_alloc ? "aligned_alloc" : "rte_malloc",
	       n_hot);
	printf("  fdb learn (new keys):       %7.2f M/s\n", learn_rate / 1e6);
	printf("  fdb_lookup_bulk(%d):        %7.2f M lookups/s\n", BURST,
	       bench_fdb_lookup(f, seq) / 1e6);
	if (with_hash) {
		struct rte_hash *h = hash_fill(label, keys, n_entries);

		if (h == NULL) {
			printf("  rte_hash: create failed (%s)\n", rte_strerror(rte_errno));
		} else {
			printf("  rte_hash_lookup_bulk_data(%d): %7.2f M lookups/s\n", BURST,
			       bench_hash_lookup(h, seq) / 1e6);
			rte_hash_free(h);
		}
	}
	ret = 0;
out:
	free(seq);
	free(keys);
	fdb_free(f);
	return ret;
}

/* EAL leaves its runtime directory (config, sockets) behind: a benchmark must not. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	rmdir(path);
}

int main(int argc, char **argv)
{
	int with_hash = argc > 1 && strcmp(argv[1], "--rte-hash") == 0;
	int ret;

	if (with_hash) {
		char prefix[64];
		char *eal_argv[] = {argv[0],	"--no-huge",	 "-m",	    "1024",
				    "--no-pci", "--lcores",	 "0@(0-1)", "--log-level",
				    "error",	"--file-prefix", prefix};

		snprintf(prefix, sizeof(prefix), "fdb_bench_%d", (int)getpid());
		if (rte_eal_init(RTE_DIM(eal_argv), eal_argv) < 0) {
			fprintf(stderr, "EAL init failed\n");
			return 1;
		}
	}
	ret = run("small", 64, 64, with_hash);
	if (ret == 0)
		ret = run("large", 1000000, 65536, with_hash);
	if (ret != 0)
		fprintf(stderr, "out of memory\n");
	if (with_hash) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		remove_dir(dir);
	}
	return ret != 0;
}
