/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-dataplane: starts DPDK's EAL (with hugepages when there are enough free ones,
 * else --no-huge), one polling worker per worker cpu, and runs the control loop on the
 * main lcore: the control socket, the fdb clock, aging and reclaiming MAC entries.
 * Everything about ports and bridges comes later, through the socket.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "capture.h"
#include "capture_ctl.h"
#include "ctl_server.h"
#include "dp.h"
#include "fdb_ctl.h"
#include "flow_ctl.h"
#include "overlay/vtep_ctl.h"
#include "vsw_proto.h"

#define MAX_EAL_ARGS 64

struct dp_opts {
	const char *socket;
	const char *file_prefix;
	unsigned int control_cpu;
	unsigned int worker_cpus[VSW_MAX_WORKERS];
	unsigned int n_workers;
	unsigned int memory_mb;
	const char *huge; /* auto, on, off */
	unsigned int mbufs;
	unsigned int idle_sleep_max_us;
	char *eal_extra;
};

static volatile sig_atomic_t main_stop; /* set by SIGINT/SIGTERM */

static void on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vsw-dataplane [options]\n"
		"  -s, --socket PATH          control socket (default %s)\n"
		"      --file-prefix NAME     DPDK runtime prefix, distinct per instance (default vsw)\n"
		"      --control-cpu N        cpu of the control thread (default 0)\n"
		"      --worker-cpus LIST     cpus of the polling workers, e.g. 1 or 1,2\n"
		"                             (default 1 on a machine with more than one cpu, else 0)\n"
		"      --memory MB            DPDK memory (default 512)\n"
		"      --huge auto|on|off     hugepages (default auto: used when enough are free)\n"
		"      --mbufs N              packet buffers (default 32768)\n"
		"      --idle-sleep-max-us N  sleep up to N us when idle (default 500; 0 = busy poll)\n"
		"      --eal \"ARGS\"           extra EAL arguments\n"
		"  -h, --help\n",
		VSW_DATAPLANE_SOCK);
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct dp_opts *o)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"file-prefix", required_argument, NULL, 'p'},
		{"control-cpu", required_argument, NULL, 'c'},
		{"worker-cpus", required_argument, NULL, 'w'},
		{"memory", required_argument, NULL, 'm'},
		{"huge", required_argument, NULL, 'H'},
		{"mbufs", required_argument, NULL, 'n'},
		{"idle-sleep-max-us", required_argument, NULL, 'i'},
		{"eal", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *list, *tok, *save;
	int c;

	*o = (struct dp_opts){
		.socket = VSW_DATAPLANE_SOCK,
		.file_prefix = "vsw",
		.memory_mb = 512,
		.huge = "auto",
		.mbufs = 32768,
		.idle_sleep_max_us = 500,
	};
	o->n_workers = 1;
	o->worker_cpus[0] = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0;

	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'p':
			o->file_prefix = optarg;
			break;
		case 'c':
			if (parse_uint(optarg, 1023, &o->control_cpu) < 0)
				goto bad;
			break;
		case 'w':
			o->n_workers = 0;
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (o->n_workers == VSW_MAX_WORKERS ||
				    parse_uint(tok, 1023, &o->worker_cpus[o->n_workers]) < 0) {
					free(list);
					goto bad;
				}
				o->n_workers++;
			}
			free(list);
			if (o->n_workers == 0)
				goto bad;
			break;
		case 'm':
			if (parse_uint(optarg, 1 << 20, &o->memory_mb) < 0 || o->memory_mb < 64)
				goto bad;
			break;
		case 'H':
			if (strcmp(optarg, "auto") && strcmp(optarg, "on") && strcmp(optarg, "off"))
				goto bad;
			o->huge = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 1 << 26, &o->mbufs) < 0 || o->mbufs < 1024)
				goto bad;
			break;
		case 'i':
			if (parse_uint(optarg, 1000000, &o->idle_sleep_max_us) < 0)
				goto bad;
			break;
		case 'e':
			o->eal_extra = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsw-dataplane: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "vsw-dataplane: bad value \"%s\" for --%s\n", optarg,
		longopts[0].name ? "option" : "");
	usage(stderr);
	return -EINVAL;
}

/* Enough free hugepages on a mounted hugetlbfs for memory_mb? */
static bool hugepages_usable(unsigned int memory_mb)
{
	unsigned long free_pages = 0, size_kb = 0;
	char line[256];
	bool mounted = false;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, " hugetlbfs "))
				mounted = true;
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	return mounted && size_kb && free_pages * size_kb >= (unsigned long)memory_mb * 1024;
}

static int eal_start(const struct dp_opts *o, struct dp *dp)
{
	static char lcores[512], mem[16], *eal_argv[MAX_EAL_ARGS];
	int n = 0, len, rc;
	char *tok, *save;

	dp->hugepages = !strcmp(o->huge, "on") ||
			(!strcmp(o->huge, "auto") && hugepages_usable(o->memory_mb));
	len = snprintf(lcores, sizeof(lcores), "0@%u", o->control_cpu);
	for (unsigned int w = 0; w < o->n_workers; w++)
		len += snprintf(lcores + len, sizeof(lcores) - (size_t)len, ",%u@%u", w + 1,
				o->worker_cpus[w]);
	snprintf(mem, sizeof(mem), "%u", o->memory_mb);

	eal_argv[n++] = "vsw-dataplane";
	eal_argv[n++] = "--file-prefix";
	eal_argv[n++] = (char *)o->file_prefix;
	eal_argv[n++] = "--lcores";
	eal_argv[n++] = lcores;
	eal_argv[n++] = "--no-pci";
	eal_argv[n++] = "-m";
	eal_argv[n++] = mem;
	if (!dp->hugepages)
		eal_argv[n++] = "--no-huge";
	if (o->eal_extra)
		for (tok = strtok_r(o->eal_extra, " ", &save); tok && n < MAX_EAL_ARGS - 1;
		     tok = strtok_r(NULL, " ", &save))
			eal_argv[n++] = tok;
	eal_argv[n] = NULL;
	rc = rte_eal_init(n, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "vsw-dataplane: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int dp_init(const struct dp_opts *o, struct dp *dp)
{
	size_t qsz;

	dp->n_workers = o->n_workers;
	dp->idle_sleep_max_us = o->idle_sleep_max_us;
	dp->control_lcore = rte_get_main_lcore();
	dp->start_tsc = rte_get_tsc_cycles();
	dp->pool = rte_pktmbuf_pool_create("vsw_mbufs", o->mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (dp->pool == NULL) {
		fprintf(stderr, "vsw-dataplane: cannot allocate %u mbufs: %s (try --memory)\n",
			o->mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	qsz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->qsbr = rte_zmalloc("vsw_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, dp->n_workers) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct worker *w = rte_zmalloc("vsw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);

		if (w == NULL)
			return -ENOMEM;
		w->idx = i;
		w->lcore = i + 1;
		w->cpu = o->worker_cpus[i];
		w->dp = dp;
		w->rxqs = calloc(1, sizeof(*w->rxqs)); /* polls nothing until a port-attach */
		if (w->rxqs == NULL)
			return -ENOMEM;
		dp->workers[i] = w;
	}
	return 0;
}

/* Once a second: age every bridge's MACs, then make the freed slots reusable after a
 * grace period (one for all bridges). */
static void control_tick(struct dp *dp, uint32_t *last_age_s)
{
	uint64_t hz = rte_get_tsc_hz();
	uint32_t now = (uint32_t)((rte_get_tsc_cycles() - dp->start_tsc) / hz);
	bool reclaim = false;

	atomic_store_explicit(&dp->clock_s, now, memory_order_relaxed);
	dp_port_poll(dp);
	vtep_nd_poll(dp); /* IPv6 VTEPs: DAD again on link up, log address states */
	if (now == *last_age_s)
		return;
	*last_age_s = now;
	for (int i = 0; i < VSW_MAX_BRIDGES; i++) {
		struct bridge *br = dp->bridges[i];

		/* a sweep reads the whole table (MiBs): skip it when nothing can age */
		if (br == NULL || atomic_load(&br->fdb->n_learned) == 0)
			continue;
		fdb_age(br->fdb, now, br->params.mac_aging_s);
		if (atomic_load(&br->fdb->n_tombstones))
			reclaim = true;
	}
	if (!reclaim)
		return;
	dp_sync(dp);
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		if (dp->bridges[i])
			fdb_reclaim(dp->bridges[i]->fdb);
}

static void dp_shutdown(struct dp *dp)
{
	char err[256];

	for (unsigned int i = 0; i < dp->n_workers; i++)
		atomic_store(&dp->workers[i]->stop, true);
	rte_eal_mp_wait_lcore();
	/* the rules first: port-del and vtep-remote-del refuse ports that rules name */
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		if (dp->bridges[i] != NULL)
			dp_flow_del(dp, dp->bridges[i]->name, 0, NULL, err, sizeof(err));
	vtep_shutdown(dp); /* the remotes and VTEPs hold ports that port-del refuses */
	/* closing the ports flushes and closes pcap files */
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p)
			dp_port_del(dp, p->name, err, sizeof(err));
	}
	/* then the bridges, now empty: a bridge's flow rules are reached only through DPDK
	 * memory, which LeakSanitizer does not scan, so left alone they read as leaks */
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		if (dp->bridges[i] != NULL)
			dp_bridge_del(dp, dp->bridges[i]->name, err, sizeof(err));
	/* the workers have returned: their last (empty) rx queue sets are nobody's now */
	for (unsigned int i = 0; i < dp->n_workers; i++)
		free(atomic_exchange(&dp->workers[i]->rxqs, NULL));
}

int main(int argc, char **argv)
{
	static struct dp dp_main;
	struct dp *dp = &dp_main;
	struct ctl_server *srv;
	struct dp_opts o;
	uint32_t last_age_s = 0;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (eal_start(&o, dp) < 0)
		return 1;
	/* DPDK's own capture framework, for dpdk-dumpcap (a secondary process: it needs the
	 * dataplane on hugepages). Its ethdev callbacks are only installed while a dumpcap
	 * runs; until then this costs the fast path nothing. */
	if (rte_pdump_init() < 0)
		fprintf(stderr,
			"vsw-dataplane: rte_pdump_init failed: %s (dpdk-dumpcap will not "
			"attach)\n",
			rte_strerror(rte_errno));
	rc = dp_init(&o, dp);
	if (rc < 0) {
		fprintf(stderr, "vsw-dataplane: init failed: %s\n", strerror(-rc));
		goto out_eal;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	srv = ctl_server_create(o.socket, dp);
	if (srv == NULL) {
		fprintf(stderr, "vsw-dataplane: cannot listen on %s: %s\n", o.socket,
			strerror(errno));
		rc = -errno;
		goto out_eal;
	}
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		rc = rte_eal_remote_launch(worker_main, dp->workers[i], dp->workers[i]->lcore);
		if (rc < 0) {
			fprintf(stderr, "vsw-dataplane: cannot start worker on lcore %u\n",
				dp->workers[i]->lcore);
			goto out_srv;
		}
	}
	printf("vsw-dataplane: ready on %s (%u worker(s), %s)\n", o.socket, dp->n_workers,
	       dp->hugepages ? "hugepages" : "no hugepages");

	while (!main_stop) {
		/* wakes on a request; else 10 times a second for the clock, but every
		 * millisecond while a capture runs: its ring (4096 frames) fills in well
		 * under 100 ms at line rate */
		ctl_server_poll(srv, dp_capture_running(dp) ? 1 : 100);
		capture_poll(dp);
		control_tick(dp, &last_age_s);
		flow_tick(dp); /* background flow table merges */
	}
	printf("vsw-dataplane: stopping\n");
	rc = 0;
out_srv:
	capture_shutdown(dp); /* while workers run: the grace periods need them */
	dp_shutdown(dp);
	rte_pdump_uninit();
	ctl_server_free(srv);
out_eal:
	rte_eal_cleanup();
	return rc < 0 ? 1 : 0;
}
