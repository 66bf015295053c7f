#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# OVS-DPDK 3.1 on the vhost scenarios of bench/vsw_vhost.sh, with the same virtio-user peer
# (bench/vhost_peer.sh), cores and memory: a dpdkvhostuserclient port vhu0 (OVS connects to
# the socket the peer serves), a NORMAL (MAC learning) bridge, a net_null sink, and for pvp
# a net_pcap source replaying PCAP forever. The MACs are static fdb entries
# (`ovs-appctl fdb/add`), as in vsw's run. One PMD thread on BENCH_CPU. Private ovsdb and
# run dir under a temp dir: the system's OVS, if any, is not touched.
# Usage: ovs_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]
# Prints `mpps N` (the sink's tx rate), `cycles_per_packet N`, `cpu_share N`, the peer's
# rates, `busy_pct N` (the PMD's processing cycles: under 100, the peer was the bottleneck).
# Exit 77 (skip) when OVS-DPDK is not installed or does not start.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovs_lib.sh"
. "$(dirname "$0")/vhost_peer.sh"

scen=${1:?usage: ovs_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]}
secs=${2:-10}
warm=${3:-2}
pcap=${4:-}
case $scen in
rx) mode=txonly ;;
pvp) mode=macswap; [ -r "$pcap" ] || die "pvp needs a readable PCAP" ;;
*) die "scenario $scen: expected rx or pvp" ;;
esac
ovs_start ovsvh 1

on_exit "peer_stop"
peer_start "$d" "$d/vhu0.sock" "$mode"
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
vsctl add-port br0 sink -- set Interface sink type=dpdk \
	options:dpdk-devargs="net_null_bench$$,no-rx=1"
vsctl add-port br0 vhu0 -- set Interface vhu0 type=dpdkvhostuserclient \
	options:vhost-server-path="$d/vhu0.sock"
peer_ready
if [ "$scen" = rx ]; then
	appctl fdb/add br0 sink 0 "$BENCH_VHOST_DST" >/dev/null
else
	appctl fdb/add br0 vhu0 0 02:00:00:01:00:00 >/dev/null
	appctl fdb/add br0 sink 0 02:00:00:00:00:00 >/dev/null
	vsctl add-port br0 src -- set Interface src type=dpdk \
		options:dpdk-devargs="net_pcap_bench$$,rx_pcap=$pcap,infinite_rx=1"
fi
peer_cmd start

tx() { timeout 10 ovs-ofctl dump-ports br0 sink | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p'; }
moving() { local a b; a=$(tx); sleep 0.2; b=$(tx); [ -n "$a" ] && [ "$b" -gt "$a" ]; }
wait_for 30 moving || { tail -20 $d/vswitchd.log >&2; appctl fdb/show br0 >&2; skip "no traffic through OVS after 30 s"; }
nap "$warm"
appctl dpif-netdev/pmd-stats-clear >/dev/null
vpid=$(cat $d/ovs-vswitchd.pid)
tid=$(poll_thread $vpid)
peer_pps Tx-pps >/dev/null
t0=$(now); a=$(tx); s0=$(sched_sample $vpid $tid); p0=$(peer_sched)
nap "$secs"
t1=$(now); b=$(tx); s1=$(sched_sample $vpid $tid); p1=$(peer_sched)
ptx=$(peer_pps Tx-pps)
prx=$(awk '/NIC statistics for port 0/ { v = "" } { for (i = 1; i < NF; i++) if ($i == "Rx-pps:") v = $(i + 1) } END { print v }' "$PEER_OUT")
stats=$(appctl dpif-netdev/pmd-stats-show)
echo "$stats" >&2
timeout 10 ovs-ofctl dump-ports br0 >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
cpp=$(echo "$stats" | sed -n 's/.*avg cycles per packet: *\([0-9.]*\).*/\1/p' | head -1)
[ -z "$cpp" ] || echo "cycles_per_packet $cpp"
echo "cpu_share $(cpu_share "$s0" "$s1")"
busy=$(echo "$stats" | sed -n 's/.*processing cycles: *[0-9]* (\([0-9.]*\)%).*/\1/p' | head -1)
[ -z "$busy" ] || echo "busy_pct $busy"
echo "peer_cpu_share $(cpu_share "$p0" "$p1")"
awk -v v="$ptx" 'BEGIN { if (v != "?") printf "peer_tx_mpps %.2f\n", v / 1e6 }'
awk -v v="$prx" 'BEGIN { if (v != "") printf "peer_rx_mpps %.2f\n", v / 1e6 }'
peer_stop
