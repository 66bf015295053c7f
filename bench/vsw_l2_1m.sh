#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's bridge holding a million MACs. Bridge br1 (max_macs 1000100: the million, the filler and the traffic sources): port sink (null)
# holds the static MAC every learning frame goes to; port learn replays LEARN_PCAP once
# (bench/mkpcap.py learn: a filler, then NLEARN frames from distinct source MACs), timed
# by vswlearn.py until macs_learned reaches NLEARN (more passes on ports learn2.. if some
# were skipped); then port traf replays SPREAD_PCAP forever (bench/mkpcap.py spread: frames
# to destinations spread over the learned MACs), so every frame is a known unicast to a
# learning port, whose tx is net_pcap's drop queue (no tx_pcap given: count and free, as
# net_null does). The figure is the growth of the learning ports' tx_packets over SECONDS
# after WARMUP.
# Usage: vsw_l2_1m.sh LEARN_PCAP NLEARN SPREAD_PCAP SECONDS [WARMUP]
# Env: VSW_BUILD, BENCH_HUGE, BENCH_CPU, BENCH_CTL_CPU.
# Prints vswlearn.py's lines (first pass), `learned N` (table size at the end),
# `learn_passes N`, `mpps N`, `flooded N` (frames that went to sink in the window:
# destinations not in the table), `drops N` and `cpu_share N` (see lib.sh).
set -eu
. "$(dirname "$0")/lib.sh"

lpcap=${1:?usage: vsw_l2_1m.sh LEARN_PCAP NLEARN SPREAD_PCAP SECONDS [WARMUP]}
nlearn=${2:?}
spcap=${3:?}
secs=${4:-10}
warm=${5:-2}

d=$(mktemp -d /tmp/bench-vsw1m.XXXXXX)
on_exit "rm -rf $d"
# The spread pcap lives in mbufs (65,536 of them) while it replays; the table is 32 MiB.
vsw_start "$d" 131072 1024 0

vswctl bridge add br1 max_macs=1000100 aging=1000000 >/dev/null
vswctl port add sink null >/dev/null
vswctl port attach sink br1 >/dev/null
vswctl fdb add br1 02:00:00:00:0f:01 sink >/dev/null
learned() {
	vswctl -j bridge show br1 | $PY -c '
import json, sys
r = json.load(sys.stdin)
print((r[0] if isinstance(r, list) else r)["macs_learned"])'
}
# The first pass gives the learning rate. A worker that finds the table's writer lock taken
# (control ageing or dumping it, say) skips learning that frame rather than wait, and each
# MAC comes only once per pass, so further passes on new ports fill what was skipped: the
# skipped MACs are learned there, the others move there.
VSW_POLL_SCHEDSTAT=/proc/$VSW_PID/task/$(poll_thread $VSW_PID)/schedstat \
	timeout -k 5 120 $PY "$BENCH_DIR/vswlearn.py" "$VSW_SOCK" br1 learn "$lpcap" "$nlearn" 90
nap 0.5
nb=$(vsw_stat learn drops.no_bridge || echo "?")
log "learn port: $nb frames dropped before it was attached (filler covers them)"
egress=(learn)
for pass in 2 3 4; do
	have=$(learned)
	# the filler's source MAC is one of the learned ones
	[ "$have" -le "$nlearn" ] || break
	log "pass $pass: the table holds $have MACs of $nlearn, replaying the pcap on learn$pass"
	timeout -k 5 120 $PY "$BENCH_DIR/vswlearn.py" "$VSW_SOCK" br1 learn$pass "$lpcap" \
		$((nlearn + 1 - have)) 90 >&2
	egress+=("learn$pass")
done
echo "learned $(learned)"
echo "learn_passes ${#egress[@]}"
vswctl bridge show br1 >&2 || true

vswctl port add traf pcap rx_pcap="$spcap" infinite_rx=true >/dev/null
vswctl port attach traf br1 >/dev/null
wait_for 60 vsw_moving ${egress[-1]} || die "no traffic reached port learn after 60 s"
nap "$warm"
# Every frame to a learned MAC leaves through one of the learning ports.
egress_tx() {
	local p n sum=0
	for p in "${egress[@]}"; do
		n=$(vsw_stat $p tx_packets) || return 1
		sum=$((sum + n))
	done
	echo $sum
}
tid=$(poll_thread $VSW_PID)
t0=$(now); a=$(egress_tx); fa=$(vsw_stat sink tx_packets)
da=$(vsw_stat traf drops_total); s0=$(sched_sample $VSW_PID $tid)
nap "$secs"
t1=$(now); b=$(egress_tx); fb=$(vsw_stat sink tx_packets)
db=$(vsw_stat traf drops_total); s1=$(sched_sample $VSW_PID $tid)
vswctl stats >&2 || true
vswctl bridge show br1 >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "flooded $((fb - fa))"
echo "drops $((db - da))"
echo "cpu_share $(cpu_share "$s0" "$s1")"
vsw_stop
