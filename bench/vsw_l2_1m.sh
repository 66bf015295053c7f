#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's bridge holding a million MACs. Bridge br1 (max_macs 1048576): port sink (null)
# holds the static MAC every learning frame goes to; port learn replays LEARN_PCAP once
# (bench/mkpcap.py learn: a filler, then NLEARN frames from distinct source MACs), timed
# by vswlearn.py until macs_learned reaches NLEARN; then port traf replays SPREAD_PCAP
# forever (bench/mkpcap.py spread: frames to destinations spread over the learned MACs),
# so every frame is a known unicast to port learn, whose tx is net_pcap's drop queue
# (no tx_pcap given: count and free, as net_null does). The figure is the growth of learn's
# tx_packets over SECONDS after WARMUP.
# Usage: vsw_l2_1m.sh LEARN_PCAP NLEARN SPREAD_PCAP SECONDS [WARMUP]
# Env: VSW_BUILD, BENCH_HUGE, BENCH_CPU, BENCH_CTL_CPU.
# Prints vswlearn.py's lines, `mpps N`, `flooded N` (frames that went to sink in the
# window: destinations not in the table) and `drops N`.
set -eu
. "$(dirname "$0")/lib.sh"

lpcap=${1:?usage: vsw_l2_1m.sh LEARN_PCAP NLEARN SPREAD_PCAP SECONDS [WARMUP]}
nlearn=${2:?}
spcap=${3:?}
secs=${4:-10}
warm=${5:-2}

d=$(mktemp -d /tmp/bench-vsw1m.XXXXXX)
on_exit "rm -rf $d"
# The spread pcap lives in mbufs (65,536 of them) while it replays; the table is ~64 MiB.
vsw_start "$d" 131072 1024 0

vswctl bridge add br1 max_macs=1048576 aging=1000000 >/dev/null
vswctl port add sink null >/dev/null
vswctl port attach sink br1 >/dev/null
vswctl fdb add br1 02:00:00:00:0f:01 sink >/dev/null
timeout -k 5 120 $PY "$BENCH_DIR/vswlearn.py" "$VSW_SOCK" br1 learn "$lpcap" "$nlearn" 90
nap 0.5
vswctl bridge show br1 >&2 || true
nb=$(vsw_stat learn drops.no_bridge || echo "?")
log "learn port: $nb frames dropped before it was attached (filler covers them)"

vswctl port add traf pcap rx_pcap="$spcap" infinite_rx=true >/dev/null
vswctl port attach traf br1 >/dev/null
wait_for 60 vsw_moving learn || die "no traffic reached port learn after 60 s"
nap "$warm"
tid=$(poll_thread $VSW_PID)
t0=$(now); a=$(vsw_stat $egress tx_packets); fa=$(vsw_stat sink tx_packets)
da=$(vsw_stat traf drops_total); s0=$(sched_sample $VSW_PID $tid)
nap "$secs"
t1=$(now); b=$(vsw_stat $egress tx_packets); fb=$(vsw_stat sink tx_packets)
db=$(vsw_stat traf drops_total); s1=$(sched_sample $VSW_PID $tid)
vswctl stats >&2 || true
vswctl bridge show br1 >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "flooded $((fb - fa))"
echo "drops $((db - da))"
echo "cpu_share $(cpu_share "$s0" "$s1")"
vsw_stop
