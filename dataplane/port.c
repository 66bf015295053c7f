/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: each vsw port is one DPDK ethdev created from a virtual device (net_pcap,
 * net_null, net_ring, net_af_packet, net_tap, net_vhost) at run time with
 * rte_eal_hotplug_add, configured with the rx queues its options ask for (queues=,
 * qpairs=; worker.c spreads them over the workers) and one tx queue per worker where the
 * device has that many. Workers share the tx queues of a device that has fewer, or of a
 * vhost-user guest that enables fewer, under a lock (port_txq_update; why in
 * l2/port_tx.c). Then published in dp->ports. Removal unpublishes first, waits out a grace
 * period, then stops and closes the device.
 * vhost-user ports (net_vhost) get their socket file prepared here: directory, stale file,
 * owner and mode, which DPDK leaves to the application; and the guest offloads the switch
 * does not handle are refused (vhost_features_refuse).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_vhost.h>

#include "capture.h"
#include "dp.h"
#include "flow_ctl.h"
#include "vsw_util.h"

#define RX_DESC 1024
#define TX_DESC 1024

const char *const dp_port_type_names[DP_PORT_TYPE_MAX] = {
	[DP_PORT_PCAP] = "pcap",   [DP_PORT_NULL] = "null",
	[DP_PORT_RING] = "ring",   [DP_PORT_AF_PACKET] = "af_packet",
	[DP_PORT_TAP] = "tap",	   [DP_PORT_VHOST_USER] = "vhost-user",
	[DP_PORT_VXLAN] = "vxlan",
};

/* What each port type accepts: option name, the vdev's own name for it ("" = ours). */
struct port_opt_spec {
	const char *key;
	const char *vdev_key;
	enum { OPT_STR, OPT_BOOL, OPT_UINT } kind;
	bool required;
};

static const struct port_opt_spec pcap_opts[] = {
	{"rx_pcap", "rx_pcap", OPT_STR, false},
	{"tx_pcap", "tx_pcap", OPT_STR, false},
	{"rx_iface", "rx_iface", OPT_STR, false},
	{"rx_iface_in", "rx_iface_in", OPT_STR, false},
	{"tx_iface", "tx_iface", OPT_STR, false},
	{"infinite_rx", "infinite_rx", OPT_BOOL, false},
	{NULL, NULL, 0, false},
};
static const struct port_opt_spec null_opts[] = {{"rx", "", OPT_BOOL, false},
						 {"size", "size", OPT_UINT, false},
						 {"queues", "", OPT_UINT, false},
						 {NULL, NULL, 0, false}};
static const struct port_opt_spec ring_opts[] = {{NULL, NULL, 0, false}};
static const struct port_opt_spec af_packet_opts[] = {{"iface", "iface", OPT_STR, true},
						      {"qpairs", "qpairs", OPT_UINT, false},
						      {NULL, NULL, 0, false}};
static const struct port_opt_spec tap_opts[] = {{"iface", "iface", OPT_STR, false},
						{"queues", "", OPT_UINT, false},
						{NULL, NULL, 0, false}};
static const struct port_opt_spec vhost_opts[] = {
	{"socket", "iface", OPT_STR, true},
	{"mode", "", OPT_STR, false},
	{"queues", "queues", OPT_UINT, false},
	{"owner", "", OPT_STR, false}, /* server mode: the socket file's owner, group, mode */
	{"group", "", OPT_STR, false},
	{"perm", "", OPT_STR, false},
	{NULL, NULL, 0, false},
};

static const struct {
	const char *driver;
	const struct port_opt_spec *opts;
} port_types[DP_PORT_TYPE_MAX] = {
	[DP_PORT_PCAP] = {"net_pcap", pcap_opts},
	[DP_PORT_NULL] = {"net_null", null_opts},
	[DP_PORT_RING] = {"net_ring", ring_opts},
	[DP_PORT_AF_PACKET] = {"net_af_packet", af_packet_opts},
	[DP_PORT_TAP] = {"net_tap", tap_opts},
	[DP_PORT_VHOST_USER] = {"net_vhost", vhost_opts},
};

void dp_port_params_default(struct dp_port_params *p)
{
	memset(p, 0, sizeof(*p));
	p->storm_burst = 64;
}

static int parse_bool(const char *v)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
		return 0;
	return -1;
}

static const char *opt_get(const struct dp_port_params *p, const char *key)
{
	for (unsigned int i = 0; i < p->n_opts; i++)
		if (!strcmp(p->opts[i].key, key))
			return p->opts[i].val;
	return NULL;
}

/* DPDK's vdev drivers log why they failed and return EPERM or EINVAL: find the usual cause
 * (a file or interface the options name that is not there) so the error names it. Control
 * path, on failure only. Returns 0 and leaves why empty when nothing obvious is wrong. */
static int port_missing_reason(const struct dp_port_params *p, char *why, size_t whysz)
{
	static const char *const ifaces[] = {"iface", "rx_iface", "rx_iface_in", "tx_iface"};
	const char *v;

	why[0] = '\0';
	if (p->type == DP_PORT_PCAP && (v = opt_get(p, "rx_pcap")) != NULL && access(v, R_OK) < 0)
		return snprintf(why, whysz, "rx_pcap %s: %s", v, strerror(errno));
	if (p->type == DP_PORT_PCAP && (v = opt_get(p, "tx_pcap")) != NULL) {
		char dir[DP_PORT_OPT_VAL_MAX];

		snprintf(dir, sizeof(dir), "%s", v);
		if (access(dirname(dir), W_OK) < 0)
			return snprintf(why, whysz, "tx_pcap %s: directory %s: %s", v, dir,
					strerror(errno));
	}
	if (p->type != DP_PORT_PCAP && p->type != DP_PORT_AF_PACKET)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(ifaces); i++)
		if ((v = opt_get(p, ifaces[i])) != NULL && if_nametoindex(v) == 0)
			return snprintf(why, whysz, "%s %s: no such network interface", ifaces[i],
					v);
	return 0;
}

/* The rx queues the options ask for (queues=, qpairs=; default 1), 0 if out of range. */
static unsigned int port_queues(const struct dp_port_params *p)
{
	const char *v = opt_get(p, p->type == DP_PORT_AF_PACKET ? "qpairs" : "queues");
	unsigned long n;

	if (v == NULL)
		return 1;
	n = strtoul(v, NULL, 10); /* digits only: checked against the option table first */
	return n >= 1 && n <= VSW_MAX_QUEUES && strlen(v) <= 2 ? (unsigned int)n : 0;
}

/* Check the options against the type's table and build the vdev argument string. */
static int port_vdev_args(const char *name, const struct dp_port_params *p, char *args, size_t size,
			  char *err, size_t errsz)
{
	const struct port_opt_spec *spec = port_types[p->type].opts;
	size_t len = 0;

	args[0] = '\0';
	for (unsigned int i = 0; i < p->n_opts; i++) {
		const struct port_opt_spec *s;
		const char *v = p->opts[i].val;

		for (s = spec; s->key && strcmp(s->key, p->opts[i].key); s++)
			;
		if (!s->key) {
			snprintf(err, errsz, "port-add %s: option \"%s\" is not known for type %s",
				 name, p->opts[i].key, dp_port_type_names[p->type]);
			return -EINVAL;
		}
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(p->opts[j].key, p->opts[i].key)) {
				snprintf(err, errsz, "port-add %s: option \"%s\" given twice", name,
					 s->key);
				return -EINVAL;
			}
		if (v[0] == '\0' || strpbrk(v, ",=;") != NULL) {
			snprintf(
				err, errsz,
				"port-add %s: option %s=\"%s\" is empty or contains ',', '=' or ';'",
				name, s->key, v);
			return -EINVAL;
		}
		if (s->kind == OPT_BOOL && parse_bool(v) < 0) {
			snprintf(err, errsz,
				 "port-add %s: option %s=\"%s\" (expected true or false)", name,
				 s->key, v);
			return -EINVAL;
		}
		if (s->kind == OPT_UINT && strspn(v, "0123456789") != strlen(v)) {
			snprintf(err, errsz, "port-add %s: option %s=\"%s\" (expected a number)",
				 name, s->key, v);
			return -EINVAL;
		}
		if (s->vdev_key[0] == '\0')
			continue; /* ours: handled below */
		if (s->kind == OPT_BOOL)
			v = parse_bool(v) ? "1" : "0";
		len += (size_t)snprintf(args + len, len < size ? size - len : 0, "%s%s=%s",
					len ? "," : "", s->vdev_key, v);
	}
	for (const struct port_opt_spec *s = spec; s->key; s++)
		if (s->required && !opt_get(p, s->key)) {
			snprintf(err, errsz, "port-add %s: type %s needs option \"%s\"", name,
				 dp_port_type_names[p->type], s->key);
			return -EINVAL;
		}

	if (port_queues(p) == 0) {
		snprintf(err, errsz, "port-add %s: option %s=%s (expected 1..%d)", name,
			 p->type == DP_PORT_AF_PACKET ? "qpairs" : "queues",
			 opt_get(p, p->type == DP_PORT_AF_PACKET ? "qpairs" : "queues"),
			 VSW_MAX_QUEUES);
		return -EINVAL;
	}
	switch (p->type) {
	case DP_PORT_PCAP:
		if (!opt_get(p, "rx_pcap") && !opt_get(p, "rx_iface") &&
		    !opt_get(p, "rx_iface_in") && !opt_get(p, "tx_pcap") &&
		    !opt_get(p, "tx_iface")) {
			snprintf(err, errsz,
				 "port-add %s: a pcap port needs rx_pcap, rx_iface, rx_iface_in, "
				 "tx_pcap or tx_iface",
				 name);
			return -EINVAL;
		}
		if (opt_get(p, "infinite_rx") && parse_bool(opt_get(p, "infinite_rx")) &&
		    !opt_get(p, "rx_pcap")) {
			snprintf(err, errsz, "port-add %s: infinite_rx needs rx_pcap", name);
			return -EINVAL;
		}
		break;
	case DP_PORT_NULL:
		if (!opt_get(p, "rx") || !parse_bool(opt_get(p, "rx")))
			len += (size_t)snprintf(args + len, len < size ? size - len : 0,
						"%sno-rx=1", len ? "," : "");
		break;
	case DP_PORT_AF_PACKET:
	case DP_PORT_VHOST_USER: {
		if (p->type == DP_PORT_VHOST_USER) {
			const char *mode = opt_get(p, "mode");

			if (mode && strcmp(mode, "server") && strcmp(mode, "client")) {
				snprintf(err, errsz,
					 "port-add %s: mode \"%s\" (expected server or client)",
					 name, mode);
				return -EINVAL;
			}
			/* client=1: DPDK's vhost library connects, and reconnects every second
			 * while the server (QEMU) is away, by itself (no RTE_VHOST_USER_NO_RECONNECT) */
			if (mode && !strcmp(mode, "client"))
				len += (size_t)snprintf(args + len, len < size ? size - len : 0,
							",client=1");
		}
		break;
	}
	default:
		break;
	}
	if (len >= size) {
		snprintf(err, errsz, "port-add %s: options too long", name);
		return -E2BIG;
	}
	return 0;
}

/* ---- vhost-user socket files ----
 * DPDK's vhost library binds a server-mode socket in rte_eth_dev_configure, but neither
 * creates its directory, nor replaces an existing file (it cannot tell a stale one from a
 * live one), nor sets its owner and mode for a QEMU that runs as another user. All three
 * are done here, around the PMD. In client mode QEMU owns the socket file. */

struct vhost_sock {
	const char *path;
	bool server;
	uid_t uid; /* (uid_t)-1: leave as created */
	gid_t gid; /* (gid_t)-1: leave as created */
	int perm;  /* -1: as created (0777 & ~umask) */
};

/* A user or group by name or number, as chown(1) takes it. */
static int vhost_id(const char *v, bool user, unsigned int *id)
{
	char buf[4096];

	if (strspn(v, "0123456789") == strlen(v)) {
		unsigned long n;

		errno = 0;
		n = strtoul(v, NULL, 10);
		if (errno || n >= UINT32_MAX)
			return -ERANGE;
		*id = (unsigned int)n;
		return 0;
	}
	if (user) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(v, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
			return -ENOENT;
		*id = pw.pw_uid;
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
			return -ENOENT;
		*id = gr.gr_gid;
	}
	return 0;
}

/* Check everything about the socket options before anything is created. */
static int vhost_sock_parse(struct dp *dp, const char *name, const struct dp_port_params *params,
			    struct vhost_sock *vs, char *err, size_t errsz)
{
	const char *mode = opt_get(params, "mode"), *owner = opt_get(params, "owner");
	const char *group = opt_get(params, "group"), *perm = opt_get(params, "perm");
	struct sockaddr_un un;
	unsigned int id;

	vs->path = opt_get(params, "socket");
	vs->server = mode == NULL || strcmp(mode, "client") != 0;
	vs->uid = (uid_t)-1;
	vs->gid = (gid_t)-1;
	vs->perm = -1;
	if (strlen(vs->path) >= sizeof(un.sun_path)) {
		snprintf(err, errsz,
			 "port-add %s: socket path is %zu bytes long (a Unix socket path holds at "
			 "most %zu)",
			 name, strlen(vs->path), sizeof(un.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		const struct port *o = atomic_load(&dp->ports[i]);
		const char *os = o && o->params.type == DP_PORT_VHOST_USER
					 ? opt_get(&o->params, "socket")
					 : NULL;

		if (os && !strcmp(os, vs->path)) {
			snprintf(err, errsz, "port-add %s: port %s already uses socket %s", name,
				 o->name, vs->path);
			return -EADDRINUSE;
		}
	}
	if (!vs->server && (owner || group || perm)) {
		snprintf(err, errsz,
			 "port-add %s: owner, group and perm apply to mode=server only (in client "
			 "mode QEMU creates the socket)",
			 name);
		return -EINVAL;
	}
	if (perm) {
		unsigned long m = strtoul(perm, NULL, 8);

		if (strspn(perm, "01234567") != strlen(perm) || strlen(perm) > 5 || m > 07777) {
			snprintf(err, errsz,
				 "port-add %s: perm=\"%s\" (expected an octal mode such as 0660)",
				 name, perm);
			return -EINVAL;
		}
		vs->perm = (int)m;
	}
	if (owner) {
		if (vhost_id(owner, true, &id) < 0) {
			snprintf(err, errsz, "port-add %s: owner=\"%s\" is not a user here", name,
				 owner);
			return -EINVAL;
		}
		vs->uid = (uid_t)id;
	}
	if (group) {
		if (vhost_id(group, false, &id) < 0) {
			snprintf(err, errsz, "port-add %s: group=\"%s\" is not a group here", name,
				 group);
			return -EINVAL;
		}
		vs->gid = (gid_t)id;
	}
	return 0;
}

/* mkdir -p of the socket's directory (0755: QEMU running as another user must reach it). */
static int vhost_sock_mkdir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *q = dir + 1;; q++) {
		char c = *q;

		if (c != '/' && c != '\0')
			continue;
		*q = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*q = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* A file left at the socket's path: 0 none, 1 a stale socket (nobody listens) removed,
 * -EEXIST not a socket, -EADDRINUSE a socket someone listens on, else -errno. */
static int vhost_sock_clear(const char *path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0 ? 0 : -errno;
	close(fd);
	/* EAGAIN: a listener whose backlog is full is still a listener */
	if (rc == 0 || rc == -EAGAIN || rc == -EINPROGRESS)
		return -EADDRINUSE;
	if (rc != -ECONNREFUSED)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 1;
}

static int vhost_sock_prepare(const char *name, const struct vhost_sock *vs, char *err,
			      size_t errsz)
{
	int rc;

	if (!vs->server)
		return 0; /* nothing to prepare: connecting, and retrying, is the library's job */
	rc = vhost_sock_mkdir(vs->path);
	if (rc < 0) {
		snprintf(err, errsz, "port-add %s: cannot create the directory of socket %s: %s",
			 name, vs->path, strerror(-rc));
		return rc;
	}
	rc = vhost_sock_clear(vs->path);
	if (rc == -EEXIST)
		snprintf(err, errsz, "port-add %s: %s exists and is not a socket (not removed)",
			 name, vs->path);
	else if (rc == -EADDRINUSE)
		snprintf(err, errsz,
			 "port-add %s: socket %s is in use: another process listens on it", name,
			 vs->path);
	else if (rc < 0)
		snprintf(err, errsz, "port-add %s: cannot check the existing socket %s: %s", name,
			 vs->path, strerror(-rc));
	else if (rc == 1)
		RTE_LOG(NOTICE, USER1, "port %s: removed stale vhost-user socket %s\n", name,
			vs->path);
	return rc < 0 ? rc : 0;
}

/* After the PMD bound the socket: set what the options ask for. */
static int vhost_sock_own(const char *name, const struct vhost_sock *vs, char *err, size_t errsz)
{
	if (!vs->server)
		return 0;
	if ((vs->uid != (uid_t)-1 || vs->gid != (gid_t)-1) &&
	    chown(vs->path, vs->uid, vs->gid) < 0) {
		int rc = -errno;

		snprintf(err, errsz, "port-add %s: cannot chown socket %s: %s", name, vs->path,
			 strerror(-rc));
		return rc;
	}
	if (vs->perm >= 0 && chmod(vs->path, (mode_t)vs->perm) < 0) {
		int rc = -errno;

		snprintf(err, errsz, "port-add %s: cannot chmod socket %s: %s", name, vs->path,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/* ---- guest offloads ----
 * What a vhost-user guest may hand the switch: a frame with a partial checksum
 * (VIRTIO_NET_F_CSUM) or a segmentation offload (HOST_TSO4/6, HOST_UFO, HOST_ECN, GSO) is
 * not a frame another port can take as it is. The switch does not finish checksums or
 * segment, so it refuses these features, as OVS-DPDK does without userspace TSO: the guest
 * then sends finished frames of at most its MTU. net_vhost registers the socket and starts
 * listening (or connecting) inside rte_eth_dev_configure, so this runs just after: a front
 * end that asks for the features within those microseconds still gets CSUM; then the frames
 * it sends with partial checksums are finished in software by net_vhost (it does so when
 * the port does not ask for rx checksum offload, as here) and stay correct. TSO is off from
 * the start (net_vhost's tso=0 default). GUEST_CSUM/GUEST_TSO* stay on: they let the switch
 * send offloaded frames to the guest, which it never does (no tx offload flag is set on any
 * mbuf), so they cost nothing; mergeable rx buffers (MRG_RXBUF) stay on so that a frame
 * longer than one guest buffer reaches the guest. */
#define VHOST_FEATURES_REFUSED                                                                     \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GSO) |                                \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_HOST_ECN))

static int vhost_features_refuse(const struct port *p, char *err, size_t errsz)
{
	const char *path = opt_get(&p->params, "socket");

	if (rte_vhost_driver_disable_features(path, VHOST_FEATURES_REFUSED) < 0) {
		snprintf(err, errsz, "port-add %s: cannot refuse offload features on %s", p->name,
			 path);
		return -EIO;
	}
	return 0;
}

static int port_start(struct dp *dp, struct port *p, char *err, size_t errsz)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	unsigned int want = port_queues(&p->params);
	uint16_t nb_rxq, nb_txq;
	int rc;

	rc = rte_eth_dev_info_get(p->dpdk_port, &info);
	if (rc < 0)
		goto fail;
	/* fewer tx queues than workers: workers share them, locked (port_txq_update) */
	if (info.max_tx_queues == 0) {
		snprintf(err, errsz, "port-add %s: the device has no tx queue", p->name);
		return -EINVAL;
	}
	if (info.max_rx_queues > 0 && want > info.max_rx_queues) {
		snprintf(err, errsz, "port-add %s: %u rx queues asked, the device has at most %u",
			 p->name, want, info.max_rx_queues);
		return -EINVAL;
	}
	nb_rxq = info.max_rx_queues > 0 ? (uint16_t)want : 0;
	nb_txq = (uint16_t)RTE_MIN(RTE_MAX(want, dp->n_workers), info.max_tx_queues);
	rc = rte_eth_dev_configure(p->dpdk_port, nb_rxq, nb_txq, &conf);
	if (rc < 0)
		goto fail;
	if (p->params.type == DP_PORT_VHOST_USER) {
		rc = vhost_features_refuse(p, err, errsz);
		if (rc < 0)
			return rc;
	}
	for (uint16_t q = 0; q < nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->dpdk_port, q, RX_DESC, rte_socket_id(), NULL,
					    dp->pool);
		if (rc < 0)
			goto fail;
	}
	for (uint16_t q = 0; q < nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->dpdk_port, q, TX_DESC, rte_socket_id(), NULL);
		if (rc < 0)
			goto fail;
	}
	rc = rte_eth_dev_start(p->dpdk_port);
	if (rc < 0)
		goto fail;
	rte_eth_promiscuous_enable(p->dpdk_port); /* not every PMD has it; a switch wants it */
	p->n_rxq = nb_rxq;
	p->has_rxq = nb_rxq > 0;
	p->n_txq = nb_txq;
	port_txq_update(dp, p); /* not published yet: stored at once */
	return 0;
fail:
	snprintf(err, errsz, "port-add %s: cannot set up DPDK port %u: %s", p->name, p->dpdk_port,
		 rte_strerror(-rc));
	return rc;
}

/* Store the workers' tx queue map while no worker reads it (before p is published). */
static void port_txq_store(struct dp *dp, struct port *p, const uint8_t *map, uint8_t or)
{
	for (unsigned int w = 0; w < dp->n_workers; w++)
		atomic_store_explicit(&p->txq[w], map[w] | or, memory_order_relaxed);
}

/* Change the tx queue map of a published port so that no two workers ever use a queue at
 * once with one of them unlocked: a worker holds the entry it loaded for one tx burst, and
 * a grace period later holds none from before. (1) everyone locks, on the old queues;
 * grace period; (2) everyone locks, on the new queues; grace period; (3) the new map,
 * unlocked where a worker has a queue to itself. Steps that change nothing are skipped: a
 * map that ends all locked leaves every entry in flight locked, which step 1 relies on. */
static void port_txq_publish(struct dp *dp, struct port *p, const uint8_t *map)
{
	bool same = true, old_locked = true, new_locked = true;
	uint8_t cur[VSW_MAX_WORKERS];

	for (unsigned int w = 0; w < dp->n_workers; w++) {
		cur[w] = atomic_load_explicit(&p->txq[w], memory_order_relaxed);
		same = same && cur[w] == map[w];
		old_locked = old_locked && (cur[w] & TXQ_SHARED);
		new_locked = new_locked && (map[w] & TXQ_SHARED);
	}
	if (same)
		return;
	if (!old_locked) {
		port_txq_store(dp, p, cur, TXQ_SHARED);
		dp_sync(dp);
	}
	port_txq_store(dp, p, map, TXQ_SHARED);
	if (new_locked)
		return;
	dp_sync(dp);
	port_txq_store(dp, p, map, 0);
}

void port_txq_update(struct dp *dp, struct port *p)
{
	uint32_t usable = p->params.type == DP_PORT_VHOST_USER ? p->vq_tx_enabled : UINT32_MAX;
	uint8_t map[VSW_MAX_WORKERS];

	p->txq_most = (uint8_t)txq_plan(usable, p->n_txq, dp->n_workers, map);
	if (atomic_load_explicit(&dp->ports[p->idx], memory_order_relaxed) == p)
		port_txq_publish(dp, p, map);
	else
		port_txq_store(dp, p, map, 0);
}

/* Storm control with rx queues on several workers: each worker's bucket gets the share of
 * the port's rate that its queues are of the port's polled queues (k of n: rate * k / n,
 * burst likewise, at least one frame). Exact with one queue; with several it is exact
 * while flooded frames spread over the queues like the rest, and stricter (down to rate /
 * n) when they all hash to one queue. A port polled by nobody (a tunnel port, whose frames
 * come from its underlay's one worker) gives every worker the whole rate. */
void port_storm_apply(struct port *p)
{
	uint64_t hz = rte_get_tsc_hz(), pps = p->params.storm_pps;
	uint64_t burst = p->params.storm_burst ? p->params.storm_burst : 1;
	unsigned int share[VSW_MAX_WORKERS] = {0}, n = 0;

	for (unsigned int q = 0; q < p->n_rxq && q < VSW_MAX_QUEUES; q++)
		if (p->rxq_worker[q] >= 0) {
			share[p->rxq_worker[q]]++;
			n++;
		}
	for (unsigned int w = 0; w < VSW_MAX_WORKERS; w++) {
		struct port_storm *b = &p->storm[w];
		uint64_t k = n && share[w] ? share[w] : 1, d = n && share[w] ? n : 1;
		uint64_t rate = pps ? hz * d / (pps * k) : 0, tokens = burst * k / d;

		if (pps && rate == 0)
			rate = 1;
		/* A worker may read these mid-update (aligned 64-bit words, never torn), so one
		 * frame may see the old rate with the new burst or the reverse. Harmless:
		 * storm_admit (l2/bridge_flood.c) divides by neither, admits at most one frame
		 * per call whatever the pair, and the bucket it leaves (tsc no earlier than now
		 * minus some burst) is one the next call with both new values clamps to the new
		 * burst, or refills at the new rate. The worst mix is rate set with a burst of 0
		 * while storm control is being turned on: that frame is dropped as over the
		 * limit; storing the burst first (and fencing) makes even that rarer. */
		b->burst_tsc = rate * (tokens ? tokens : 1);
		atomic_thread_fence(memory_order_release);
		b->rate_tsc = rate;
	}
}

int dp_port_add(struct dp *dp, const char *name, const struct dp_port_params *params, char *err,
		size_t errsz)
{
	struct vhost_sock vs = {0};
	char args[1024];
	struct port *p;
	int idx = -1, rc;

	if (!vsw_name_valid(name)) {
		snprintf(err, errsz, "port-add: invalid name \"%s\" (1 to 31 of A-Z a-z 0-9 _ . -)",
			 name);
		return -EINVAL;
	}
	if (dp_port_find(dp, name)) {
		snprintf(err, errsz, "port-add %s: a port of that name exists", name);
		return -EEXIST;
	}
	if (params->type >= DP_PORT_TYPE_MAX) {
		snprintf(err, errsz, "port-add %s: unknown port type", name);
		return -EINVAL;
	}
	if (params->type == DP_PORT_VXLAN) {
		snprintf(err, errsz,
			 "port-add %s: vxlan ports are made by vtep-remote-add (a remote VTEP of "
			 "a bridge's VNI)",
			 name);
		return -EINVAL;
	}
	rc = port_vdev_args(name, params, args, sizeof(args), err, errsz);
	if (rc < 0)
		return rc;
	if (params->type == DP_PORT_VHOST_USER) {
		rc = vhost_sock_parse(dp, name, params, &vs, err, errsz);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		if (atomic_load(&dp->ports[i]) == NULL) {
			idx = i;
			break;
		}
	if (idx < 0) {
		snprintf(err, errsz, "port-add %s: all %d ports are in use", name, VSW_MAX_PORTS);
		return -ENOSPC;
	}
	p = rte_zmalloc("port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		snprintf(err, errsz, "port-add %s: out of memory", name);
		return -ENOMEM;
	}
	p->idx = (uint16_t)idx;
	p->worker = -1;
	p->params = *params;
	p->max_macs = params->max_macs;
	p->vlan.mode = DP_VLAN_NONE;
	p->vlan.trunk = p->trunk;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->devname, sizeof(p->devname), "%s_vsw%u", port_types[params->type].driver,
		 dp->devseq++);
	memset(p->rxq_worker, -1, sizeof(p->rxq_worker));
	for (unsigned int q = 0; q < VSW_MAX_QUEUES; q++)
		rte_spinlock_init(&p->txq_lock[q].lock);
	port_storm_apply(p);

	if (params->type == DP_PORT_VHOST_USER) {
		rc = vhost_sock_prepare(name, &vs, err, errsz);
		if (rc < 0)
			goto out_free;
	}
	rc = rte_eal_hotplug_add("vdev", p->devname, args);
	if (rc < 0) {
		char why[256];

		if (port_missing_reason(params, why, sizeof(why)) > 0) {
			snprintf(err, errsz, "port-add %s: %s", name, why);
			rc = -ENOENT;
		} else {
			snprintf(err, errsz, "port-add %s: DPDK cannot create %s (%s): %s", name,
				 port_types[params->type].driver, args, rte_strerror(-rc));
		}
		goto out_free;
	}
	rc = rte_eth_dev_get_port_by_name(p->devname, &p->dpdk_port);
	if (rc < 0) {
		snprintf(err, errsz, "port-add %s: device %s has no ethdev", name, p->devname);
		goto out_unplug;
	}
	rc = port_start(dp, p, err, errsz);
	if (rc < 0)
		goto out_close;
	if (params->type == DP_PORT_VHOST_USER) {
		rc = vhost_sock_own(name, &vs, err, errsz);
		if (rc < 0)
			goto out_stop;
	}
	/* polled from port-attach on: until then frames wait in the device, not dropped */
	atomic_store_explicit(&dp->ports[idx], p, memory_order_release);
	return 0;

out_stop:
	rte_eth_dev_stop(p->dpdk_port);
out_close:
	rte_eth_dev_close(p->dpdk_port);
out_unplug:
	rte_eal_hotplug_remove("vdev", p->devname);
out_free:
	rte_free(p);
	return rc < 0 ? rc : -EIO;
}

int dp_port_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	struct port *p = dp_port_find(dp, name);
	char users[160];
	int rc;

	if (p == NULL) {
		snprintf(err, errsz, "port-del: no port \"%s\"", name);
		return -ENOENT;
	}
	if (p->tun != NULL || p->vtep != NULL) {
		snprintf(err, errsz, "port-del %s: %s", name,
			 p->tun != NULL ? "a tunnel port goes with vtep-remote-del"
					: "it carries a VTEP (vtep-del it first)");
		return -EBUSY;
	}
	if (flow_port_users(dp, p, users, sizeof(users)) > 0) {
		snprintf(err, errsz, "port-del %s: flow rules name it (%s): flow-del them first",
			 name, users);
		return -EBUSY;
	}
	if (atomic_load(&p->bridge) != NULL) {
		rc = dp_port_detach(dp, name, err, errsz);
		if (rc < 0)
			return rc;
	}
	capture_port_gone(dp, p); /* its taps point into p */
	dp_worker_unassign(dp, p);
	atomic_store_explicit(&dp->ports[p->idx], NULL, memory_order_release);
	dp_sync(dp);
	rte_eth_dev_stop(p->dpdk_port);
	rte_eth_dev_close(p->dpdk_port);
	rte_eal_hotplug_remove("vdev", p->devname);
	rte_free(p);
	return 0;
}

int dp_port_set(struct dp *dp, const char *name, const struct dp_port_params *np, unsigned int mask,
		char *err, size_t errsz)
{
	struct port *p = dp_port_find(dp, name);

	if (p == NULL) {
		snprintf(err, errsz, "port-set: no port \"%s\"", name);
		return -ENOENT;
	}
	if (mask & DP_PORT_SET_STORM_PPS)
		p->params.storm_pps = np->storm_pps;
	if (mask & DP_PORT_SET_STORM_BURST)
		p->params.storm_burst = np->storm_burst;
	if (mask & DP_PORT_SET_MAX_MACS)
		p->params.max_macs = np->max_macs;
	port_storm_apply(p);
	p->max_macs = p->params.max_macs;
	return 0;
}

/* Which queue pairs the guest of a vhost-user port enabled: net_vhost keeps the state of
 * each vring and hands out the changes since the last call (rte_eth_vhost_get_queue_event),
 * so draining them here keeps vq_enabled (the port's rx queues: the guest's tx vrings) and
 * vq_tx_enabled (its tx queues: the guest's rx vrings) current. When the guest goes,
 * net_vhost clears its state without an event: a port whose link is down has nothing
 * enabled. A change of the tx queues remaps the workers onto the enabled ones. */
static void vhost_queue_poll(struct dp *dp, struct port *p)
{
	struct rte_eth_vhost_queue_event ev;
	struct rte_eth_link link = {0};
	uint32_t tx_before = p->vq_tx_enabled;

	if (p->params.type != DP_PORT_VHOST_USER)
		return;
	while (rte_eth_vhost_get_queue_event(p->dpdk_port, &ev) == 0) {
		uint32_t *mask = ev.rx ? &p->vq_enabled : &p->vq_tx_enabled;

		if (ev.queue_id >= VSW_MAX_QUEUES)
			continue;
		if (ev.enable)
			*mask |= 1u << ev.queue_id;
		else
			*mask &= ~(1u << ev.queue_id);
	}
	rte_eth_link_get_nowait(p->dpdk_port, &link);
	if (link.link_status != RTE_ETH_LINK_UP) {
		p->vq_enabled = 0;
		p->vq_tx_enabled = 0;
	}
	if (p->vq_tx_enabled != tx_before)
		port_txq_update(dp, p);
}

void dp_port_poll(struct dp *dp)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load_explicit(&dp->ports[i], memory_order_relaxed);

		if (p != NULL)
			vhost_queue_poll(dp, p);
	}
}

static void port_info_fill(struct dp *dp, struct port *p, struct dp_port_info *info)
{
	struct rte_eth_link link = {0};
	struct bridge *br = atomic_load(&p->bridge);

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", p->name);
	info->params = p->params;
	info->dpdk_port = p->dpdk_port;
	rte_eth_link_get_nowait(p->dpdk_port, &link);
	info->link_up = link.link_status == RTE_ETH_LINK_UP;
	if (br)
		snprintf(info->bridge, sizeof(info->bridge), "%s", br->name);
	info->vlan_mode = br ? p->vlan.mode : DP_VLAN_NONE;
	info->access_vlan = p->vlan.access_vlan;
	info->native_vlan = p->vlan.native_vlan;
	memcpy(info->trunk, p->trunk, sizeof(info->trunk));
	info->worker_lcore = p->worker >= 0 ? (int)dp->workers[p->worker]->lcore : -1;
	info->n_rxq = p->n_rxq;
	info->n_txq = p->params.type == DP_PORT_VXLAN ? 0 : p->n_txq;
	for (unsigned int q = 0; q < VSW_MAX_QUEUES; q++)
		info->rxq_lcore[q] = q < p->n_rxq && p->rxq_worker[q] >= 0
					     ? (int)dp->workers[p->rxq_worker[q]]->lcore
					     : -1;
	if (p->params.type == DP_PORT_VHOST_USER) {
		int vid = rte_eth_vhost_get_vid_from_port_id(p->dpdk_port);

		vhost_queue_poll(dp, p);
		info->guest_queues = (uint16_t)__builtin_popcount(p->vq_enabled);
		if (info->link_up && vid >= 0 &&
		    rte_vhost_get_negotiated_features(vid, &info->guest_features) < 0)
			info->guest_features = 0;
	}
	if (p->params.type != DP_PORT_VXLAN) {
		uint32_t used = 0;

		for (unsigned int w = 0; w < dp->n_workers; w++)
			used |= 1u << (atomic_load(&p->txq[w]) & TXQ_QUEUE);
		info->txq_used = (uint16_t)__builtin_popcount(used);
		info->txq_workers = p->txq_most;
	}
}

int dp_port_info_at(struct dp *dp, unsigned int idx, struct dp_port_info *info)
{
	struct port *p;

	if (idx >= VSW_MAX_PORTS)
		return -ENOENT;
	p = atomic_load(&dp->ports[idx]);
	if (p == NULL)
		return -EAGAIN;
	port_info_fill(dp, p, info);
	return 0;
}

int dp_port_info_by_name(struct dp *dp, const char *name, struct dp_port_info *info)
{
	struct port *p = dp_port_find(dp, name);

	if (p == NULL)
		return -ENOENT;
	port_info_fill(dp, p, info);
	return 0;
}

const char *dp_port_name(struct dp *dp, uint16_t idx)
{
	struct port *p = idx < VSW_MAX_PORTS ? atomic_load(&dp->ports[idx]) : NULL;

	return p ? p->name : NULL;
}

/* The device's own per-queue counters (none for a tunnel port: its dpdk_port is the
 * underlay's). */
static void port_queue_stats(const struct port *p, struct dp_port_stats *st)
{
	struct rte_eth_stats es;
	unsigned int n = RTE_MAX(p->n_rxq, p->n_txq);

	if (p->params.type == DP_PORT_VXLAN || rte_eth_stats_get(p->dpdk_port, &es) != 0)
		return;
	st->n_queues = (uint16_t)RTE_MIN(n, (unsigned int)VSW_MAX_QUEUES);
	for (unsigned int q = 0; q < st->n_queues; q++) {
		struct dp_queue_stats *qs = &st->queue[q];

		if (q < p->n_rxq) {
			qs->rx_packets = es.q_ipackets[q];
			qs->rx_bytes = es.q_ibytes[q];
		}
		if (q < p->n_txq) {
			qs->tx_packets = es.q_opackets[q];
			qs->tx_bytes = es.q_obytes[q];
		}
	}
}

static void port_stats_sum(const struct port *p, unsigned int n_workers, struct dp_port_stats *st)
{
	memset(st, 0, sizeof(*st));
	port_queue_stats(p, st);
	for (unsigned int w = 0; w < n_workers; w++) {
		const struct port_stats *s = &p->stats[w];

		st->rx_packets += s->rx_packets;
		st->rx_bytes += s->rx_bytes;
		st->tx_packets += s->tx_packets;
		st->tx_bytes += s->tx_bytes;
		for (int r = 0; r < VSW_DROP_MAX; r++)
			st->drops[r] += s->drops[r];
	}
}

int dp_port_stats_get(struct dp *dp, const char *name, struct dp_port_stats *st, char *err,
		      size_t errsz)
{
	struct port *p = dp_port_find(dp, name);

	if (p == NULL) {
		snprintf(err, errsz, "stats: no port \"%s\"", name);
		return -ENOENT;
	}
	/* counters belong to the workers: "clear" subtracts a baseline instead of writing */
	port_stats_sum(p, dp->n_workers, st);
	st->rx_packets -= p->base.rx_packets;
	st->rx_bytes -= p->base.rx_bytes;
	st->tx_packets -= p->base.tx_packets;
	st->tx_bytes -= p->base.tx_bytes;
	for (int r = 0; r < VSW_DROP_MAX; r++)
		st->drops[r] -= p->base.drops[r];
	for (unsigned int q = 0; q < st->n_queues && q < p->base.n_queues; q++) {
		st->queue[q].rx_packets -= p->base.queue[q].rx_packets;
		st->queue[q].rx_bytes -= p->base.queue[q].rx_bytes;
		st->queue[q].tx_packets -= p->base.queue[q].tx_packets;
		st->queue[q].tx_bytes -= p->base.queue[q].tx_bytes;
	}
	return 0;
}

int dp_port_stats_clear(struct dp *dp, const char *name, char *err, size_t errsz)
{
	if (name) {
		struct port *p = dp_port_find(dp, name);

		if (p == NULL) {
			snprintf(err, errsz, "stats-clear: no port \"%s\"", name);
			return -ENOENT;
		}
		port_stats_sum(p, dp->n_workers, &p->base);
		return 0;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p)
			port_stats_sum(p, dp->n_workers, &p->base);
	}
	return 0;
}

struct port *dp_port_find(struct dp *dp, const char *name)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load_explicit(&dp->ports[i], memory_order_relaxed);

		if (p && !strcmp(p->name, name))
			return p;
	}
	return NULL;
}
