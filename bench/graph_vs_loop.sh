#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Plain loop vs rte_graph for the bridge stages (bench/graph_vs_loop.c): makes the l2 pcap
# (64-byte frames, 64 sources, 64 destinations, 1024 flows), then runs the same bridge work
# in each shape in turn, pcap(infinite_rx) -> null, on one worker cpu, and prints
#   bench graph-vs-loop loop <Mpps>
#   bench graph-vs-loop graph <Mpps>            (rte_graph_walk as Debian builds it)
#   bench graph-vs-loop graph-nostats <Mpps>    (node statistics compiled out)
# each the best of its rounds, plus every run with its cpu share and cycles per packet.
# Usage: graph_vs_loop.sh [SECONDS] [WARMUP] [ROUNDS] [-- more graph_vs_loop options]
# Env: VSW_BUILD (meson build dir, default build; the target is built if stale),
#   BENCH_HUGE (auto|1|0), BENCH_CPU (worker cpu, 1), BENCH_CTL_CPU (main cpu, 0).
set -eu
. "$(dirname "$0")/lib.sh"

secs=${1:-5}
warm=${2:-1}
rounds=${3:-2}
shift $(($# < 3 ? $# : 3))
[ "${1:-}" != -- ] || shift
cpu=${BENCH_CPU:-1}
ctl=${BENCH_CTL_CPU:-0}
[ "$(id -u)" = 0 ] || die "needs root (DPDK)"

top=$(cd "$BENCH_DIR/.." && pwd)
b=${VSW_BUILD:-build}
case $b in /*) ;; *) b=$top/$b ;; esac
bin=$b/bench/graph_vs_loop
if [ -f "$b/build.ninja" ]; then
	ninja -C "$b" bench/graph_vs_loop >&2 || die "could not build $bin"
fi
[ -x "$bin" ] || { log "SKIP: $bin not built (set VSW_BUILD to a configured build dir)"; exit 77; }

# Hugepages when they are there (the figures are about twice as high: TLB misses).
if [ "${BENCH_HUGE:-auto}" = auto ]; then
	BENCH_HUGE=0
	free_mb=$(awk '/HugePages_Free/ { f = $2 } /Hugepagesize/ { s = $2 } END { print int(f * s / 1024) }' /proc/meminfo)
	if [ "$free_mb" -ge 512 ] && awk '$3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
		BENCH_HUGE=1
	fi
fi
export BENCH_HUGE
read -ra mem <<<"$(eal_mem 256)"
[ "$BENCH_HUGE" = 1 ] && mem+=(--huge-unlink)

d=$(mktemp -d /tmp/bench-gvl.XXXXXX)
on_exit "rm -rf $d"
$PY "$BENCH_DIR/mkpcap.py" l2 "$d/l2.pcap" 64 64 1024

log "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), memory: $([ "$BENCH_HUGE" = 1 ] && echo hugepages || echo --no-huge), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The script itself stays off the worker's cpu.
taskset -cp "$ctl" $$ >/dev/null
timeout -k 5 $(((${secs%.*} + ${warm%.*} + 2) * rounds * 3 * 3 + 60)) \
	"$bin" -l "$ctl,$cpu" --main-lcore "$ctl" --no-pci --no-telemetry \
	--file-prefix "bench-gvl-$$" "${mem[@]}" \
	--vdev "net_pcap0,rx_pcap=$d/l2.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
	--log-level=lib.eal:warning \
	-- --seconds "$secs" --warmup "$warm" --rounds "$rounds" "$@" &
p=$!
track_pid $p
wait $p
