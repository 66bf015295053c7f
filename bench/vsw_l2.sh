#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's learning bridge on the ports of testpmd.sh and ovs.sh: pcap0 replays PCAP forever
# (net_pcap infinite_rx) into bridge br0, whose NDST destination MACs are static entries
# on the null port null0. The figure is the growth of null0's tx_packets (`vswctl -j stats`)
# over SECONDS after a WARMUP, with one busy-polling worker (--idle-sleep-max-us 0).
# Usage: vsw_l2.sh PCAP NDST SECONDS [WARMUP]
# Env: VSW_BUILD, BENCH_HUGE, BENCH_CPU, BENCH_CTL_CPU.
# Prints `mpps N`, `rx_mpps N`, `drops N` (frames pcap0 dropped in the window) and
# `cpu_share N` (percent of the window the worker had its cpu).
set -eu
. "$(dirname "$0")/lib.sh"

pcap=${1:?usage: vsw_l2.sh PCAP NDST SECONDS [WARMUP]}
ndst=${2:-64}
secs=${3:-10}
warm=${4:-2}

d=$(mktemp -d /tmp/bench-vsw.XXXXXX)
on_exit "rm -rf $d"
vsw_start "$d" 32768 512 0

vsw_l2_setup "$pcap" "$ndst"
nap "$warm"

tid=$(poll_thread $VSW_PID)
t0=$(now); a=$(vsw_stat null0 tx_packets); ra=$(vsw_stat pcap0 rx_packets)
da=$(vsw_stat pcap0 drops_total); s0=$(sched_sample $VSW_PID $tid)
nap "$secs"
t1=$(now); b=$(vsw_stat null0 tx_packets); rb=$(vsw_stat pcap0 rx_packets)
db=$(vsw_stat pcap0 drops_total); s1=$(sched_sample $VSW_PID $tid)
vswctl info >&2 || true
vswctl stats >&2 || true
vswctl bridge show br0 >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "rx_mpps $(rate "$ra" "$rb" "$t0" "$t1")"
echo "drops $((db - da))"
echo "cpu_share $(cpu_share "$s0" "$s1")"
vsw_stop
