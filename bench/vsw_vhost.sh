#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's vhost-user port under load, with the virtio-user peer of bench/vhost_peer.sh in place
# of a VM (same peer, cores and memory as ovs_vhost.sh and testpmd_vhost.sh):
#   rx   the peer sends 64-byte frames (txonly) into port vhu0; bridge br0 switches them to
#        null0 (the peer's destination MAC is a static entry there). Figure: null0's tx rate.
#   pvp  pcap0 replays PCAP forever (one source, one destination MAC) into br0; the
#        destination is a static entry on vhu0, so every frame goes to the guest, which swaps
#        the MACs (testpmd macswap) and sends it back into vhu0; its new destination (PCAP's
#        source) is a static entry on null0. Figure: null0's tx rate, i.e. frames that made
#        the whole loop pcap -> vsw -> guest -> vsw -> null.
# One busy-polling worker on BENCH_CPU; vhu0 in client mode (the peer serves the socket).
# Usage: vsw_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]
# Prints `mpps N`, `cpu_share N`, `peer_tx_mpps`/`peer_rx_mpps` (the peer's own rates),
# `tx_full N` (frames the guest had no room for, pvp), `rx_mpps N` (pcap0's rate, pvp) and
# `busy_pct N` (the worker's polls that found frames: under 100, the peer was the bottleneck).
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_peer.sh"

scen=${1:?usage: vsw_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]}
secs=${2:-10}
warm=${3:-2}
pcap=${4:-}
case $scen in
rx) mode=txonly ;;
pvp) mode=macswap; [ -r "$pcap" ] || die "pvp needs a readable PCAP" ;;
*) die "scenario $scen: expected rx or pvp" ;;
esac

d=$(mktemp -d /tmp/bench-vswvh.XXXXXX)
on_exit "rm -rf $d"
vsw_start "$d" 32768 512 0
on_exit "peer_stop"
peer_start "$d" "$d/vhu0.sock" "$mode"

vswctl bridge add br0 >/dev/null
vswctl port add null0 null >/dev/null
vswctl port attach null0 br0 >/dev/null
vswctl port add vhu0 vhost-user socket="$d/vhu0.sock" mode=client >/dev/null
vswctl port attach vhu0 br0 >/dev/null
peer_ready
link_up() { vswctl -j port show vhu0 | $PY -c 'import json,sys; r=json.load(sys.stdin); r=r[0] if isinstance(r,list) else r; sys.exit(r["link"]!="up")'; }
wait_for 30 link_up || die "vhu0: no link with the peer after 30 s"
if [ "$scen" = rx ]; then
	vswctl fdb add br0 "$BENCH_VHOST_DST" null0 >/dev/null
else
	# PCAP's frames: 02:00:00:00:00:00 -> 02:00:00:01:00:00 (bench/mkpcap.py l2 1 1 N)
	vswctl fdb add br0 02:00:00:01:00:00 vhu0 >/dev/null
	vswctl fdb add br0 02:00:00:00:00:00 null0 >/dev/null
	vswctl port add pcap0 pcap rx_pcap="$pcap" infinite_rx=true >/dev/null
	vswctl port attach pcap0 br0 >/dev/null
fi
peer_cmd start
wait_for 30 vsw_moving null0 || { vswctl stats >&2; die "no traffic reached null0 after 30 s"; }
nap "$warm"

tid=$(poll_thread $VSW_PID)
peer_pps Tx-pps >/dev/null
vswctl info >/dev/null # starts the window of the workers' busy_pct
t0=$(now); a=$(vsw_stat null0 tx_packets); s0=$(sched_sample $VSW_PID $tid); p0=$(peer_sched)
fa=$(vsw_stat vhu0 drops.tx_full)
[ "$scen" = rx ] || ra=$(vsw_stat pcap0 rx_packets)
nap "$secs"
t1=$(now); b=$(vsw_stat null0 tx_packets); s1=$(sched_sample $VSW_PID $tid); p1=$(peer_sched)
fb=$(vsw_stat vhu0 drops.tx_full)
[ "$scen" = rx ] || rb=$(vsw_stat pcap0 rx_packets)
busy=$(vswctl -j info | $PY -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["workers"][0]["busy_pct"])')
ptx=$(peer_pps Tx-pps)
prx=$(awk '/NIC statistics for port 0/ { v = "" } { for (i = 1; i < NF; i++) if ($i == "Rx-pps:") v = $(i + 1) } END { print v }' "$PEER_OUT")
vswctl info >&2 || true
vswctl stats >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "cpu_share $(cpu_share "$s0" "$s1")"
echo "peer_cpu_share $(cpu_share "$p0" "$p1")"
awk -v v="$ptx" 'BEGIN { if (v != "?") printf "peer_tx_mpps %.2f\n", v / 1e6 }'
awk -v v="$prx" 'BEGIN { if (v != "") printf "peer_rx_mpps %.2f\n", v / 1e6 }'
echo "tx_full $((fb - fa))"
echo "busy_pct $busy"
[ "$scen" = rx ] || echo "rx_mpps $(rate "$ra" "$rb" "$t0" "$t1")"
peer_stop
vsw_stop
