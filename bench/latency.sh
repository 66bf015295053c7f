#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What the idle back-off costs in latency: ping RTT between two network namespaces whose
# veths are af_packet ports of one vsw bridge, with the worker busy-polling
# (--idle-sleep-max-us 0) and with the default back-off (500 us). Pings 20 ms apart leave
# the worker idle between them, which is the case the back-off is for.
# The RTT includes two kernel veth crossings and af_packet each way, so only the
# difference between the two settings is vsw's.
# Usage: latency.sh [COUNT]      Env: VSW_BUILD, BENCH_HUGE, BENCH_CPU, BENCH_CTL_CPU.
# Prints `rtt_us idle0 min|avg|max N` (microseconds), and the same for idle500.
# Exit 77 (skip) without ping or namespaces.
set -eu
. "$(dirname "$0")/lib.sh"

count=${1:-50}
command -v ping >/dev/null || { log "SKIP: no ping (apt-get install iputils-ping)"; exit 77; }
tag=vb$$
ns1=${tag}n1
ns2=${tag}n2
ip netns add $ns1 || { log "SKIP: cannot create network namespaces"; exit 77; }
on_exit "ip netns del $ns1"
ip netns add $ns2
on_exit "ip netns del $ns2"
for i in 1 2; do
	ns=${tag}n$i
	# Deleting the root end removes the pair, wherever the other end is.
	ip link add ${tag}a$i type veth peer name ${tag}b$i
	on_exit "ip link del ${tag}a$i"
	ip link set ${tag}b$i netns $ns
	sysctl -qw net.ipv4.conf.${tag}a$i.arp_ignore=1 net.ipv6.conf.${tag}a$i.disable_ipv6=1 || true
	ethtool -K ${tag}a$i tx off rx off >/dev/null 2>&1 || true
	ip netns exec $ns ethtool -K ${tag}b$i tx off rx off >/dev/null 2>&1 || true
	ip link set ${tag}a$i up
	ip -n $ns addr add 198.18.77.$i/24 dev ${tag}b$i
	ip -n $ns link set ${tag}b$i up
	ip -n $ns link set lo up
done

d=$(mktemp -d /tmp/bench-lat.XXXXXX)
on_exit "rm -rf $d"
for idle in 0 500; do
	mkdir -p $d/$idle
	vsw_start $d/$idle 8192 256 $idle
	vswctl bridge add br0 >/dev/null
	for i in 1 2; do
		vswctl port add p$i af_packet iface=${tag}a$i >/dev/null
		vswctl port attach p$i br0 >/dev/null
	done
	# Learn both hosts first so the measured pings are all known unicast.
	ip netns exec $ns1 ping -c 3 -i 0.2 -W 1 198.18.77.2 >/dev/null ||
		log "warm-up pings lost (idle $idle)"
	out=$(ip netns exec $ns1 ping -c "$count" -i 0.02 -W 1 -q 198.18.77.2) ||
		{ echo "$out" >&2; die "ping through vsw failed (idle $idle)"; }
	echo "$out" >&2
	# rtt min/avg/max/mdev = 0.051/0.072/0.160/0.020 ms
	echo "$out" | awk -v k=idle$idle -F'[=/ ]+' '/^rtt/ {
		printf "rtt_us %s min %.0f\nrtt_us %s avg %.0f\nrtt_us %s max %.0f\n", k, $6 * 1000, k, $7 * 1000, k, $8 * 1000 }'
	vsw_stop
done
