#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# OVS-DPDK's NORMAL (MAC learning) bridge on the same ports as the vsw run: a net_pcap port
# replaying PCAP forever into a net_null port, one PMD thread on BENCH_CPU, the NDST
# destination MACs of PCAP pre-filled in the fdb with `ovs-appctl fdb/add` (so every frame
# is a known unicast, as in vsw's run). Private ovsdb and run dir under a temp dir: the
# system's OVS, if any, is not touched.
# Usage: ovs.sh PCAP NDST SECONDS [WARMUP]
# Env: BENCH_HUGE=1 for hugepages, BENCH_CPU (PMD cpu, 1), BENCH_CTL_CPU (0).
# Prints `mpps N` and `cycles_per_packet N` (OVS's own PMD figure) on stdout.
# Exit 77 (skip) when OVS-DPDK is not installed or does not start.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovs_lib.sh"

pcap=${1:?usage: ovs.sh PCAP NDST SECONDS [WARMUP]}
ndst=${2:-64}
secs=${3:-10}
warm=${4:-2}
ovs_start ovs

vsctl add-br br0 -- set bridge br0 datapath_type=netdev
vsctl add-port br0 sink -- set Interface sink type=dpdk \
	options:dpdk-devargs="net_null_bench$$,no-rx=1"
for ((j = 0; j < ndst; j++)); do
	appctl fdb/add br0 sink 0 "$(printf '02:00:00:01:%02x:%02x' $((j >> 8)) $((j & 255)))" >/dev/null
done
vsctl add-port br0 src -- set Interface src type=dpdk \
	options:dpdk-devargs="net_pcap_bench$$,rx_pcap=$pcap,infinite_rx=1"

tx() { timeout 10 ovs-ofctl dump-ports br0 sink | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p'; }
moving() { local a b; a=$(tx); sleep 0.2; b=$(tx); [ -n "$a" ] && [ "$b" -gt "$a" ]; }
wait_for 30 moving || { tail -20 $d/vswitchd.log >&2; skip "no traffic through OVS after 30 s"; }
nap "$warm"
appctl dpif-netdev/pmd-stats-clear >/dev/null
vpid=$(cat $d/ovs-vswitchd.pid)
tid=$(poll_thread $vpid)
t0=$(now); a=$(tx); s0=$(sched_sample $vpid $tid)
nap "$secs"
t1=$(now); b=$(tx); s1=$(sched_sample $vpid $tid)
stats=$(appctl dpif-netdev/pmd-stats-show)
echo "$stats" >&2
timeout 10 ovs-ofctl dump-ports br0 >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
cpp=$(echo "$stats" | sed -n 's/.*avg cycles per packet: *\([0-9.]*\).*/\1/p' | head -1)
[ -z "$cpp" ] || echo "cycles_per_packet $cpp"
echo "cpu_share $(cpu_share "$s0" "$s1")"
