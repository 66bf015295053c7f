#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The ceiling: dpdk-testpmd io forwarding from a pcap port replaying PCAP forever into a
# null port, one forwarding core, no switching at all. Same ports, core and memory kind as
# the vsw and OVS runs, so the three figures of one run compare.
# Usage: testpmd.sh PCAP SECONDS [WARMUP] [MBUFS]
# Env: BENCH_HUGE=1 for hugepages, BENCH_CPU (forwarding cpu, 1), BENCH_CTL_CPU (0).
# Prints `mpps N` and `cpu_share N` (lib.sh) on stdout; testpmd's output goes to stderr.
set -eu
. "$(dirname "$0")/lib.sh"

pcap=${1:?usage: testpmd.sh PCAP SECONDS [WARMUP] [MBUFS]}
secs=${2:-10}
warm=${3:-2}
mbufs=${4:-65536}
cpu=${BENCH_CPU:-1}
ctl=${BENCH_CTL_CPU:-0}
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd not found (apt-get install dpdk-dev)"
[ -r "$pcap" ] || die "cannot read $pcap"

d=$(mktemp -d /tmp/bench-testpmd.XXXXXX)
on_exit "rm -rf $d"
out=$d/out

# testpmd reads its commands from a fifo; the sleeps between them set the window, and
# testpmd's own "Tx-pps (since last show)" of the null port, taken with the TSC over
# exactly that window, is the figure. EOF on the fifo makes it quit.
mkfifo $d/in
read -ra mem <<<"$(eal_mem 1024)"
dpdk-testpmd -l "$ctl,$cpu" --no-pci --file-prefix "bench-tp-$$" "${mem[@]}" \
	--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
	-- -i --forward-mode=io --nb-cores=1 --total-num-mbufs="$mbufs" <$d/in >"$out" 2>&1 &
tp=$!
track_pid $tp
exec 4>$d/in
on_exit "exec 4>&-"
wait_for 60 grep -q "^testpmd> " "$out" || { cat "$out" >&2; die "dpdk-testpmd not ready after 60 s"; }
echo start >&4
nap "$warm"
tid=$(poll_thread $tp)
echo "show port stats all" >&4
s0=$(sched_sample $tp $tid)
nap "$secs"
echo "show port stats all" >&4
s1=$(sched_sample $tp $tid)
printf 'stop\nquit\n' >&4
exec 4>&-
wait_for 30 sh -c "! kill -0 $tp" || log "dpdk-testpmd did not quit in 30 s"
wait $tp || { cat "$out" >&2; die "dpdk-testpmd failed"; }
cat "$out" >&2
# The last "Tx-pps" of port 1 (the null port) is the measurement window.
pps=$(awk '/NIC statistics for port 1/ { p = 1 } p && /Tx-pps:/ { v = $2; p = 0 } END { print v }' "$out")
[ -n "$pps" ] || die "no Tx-pps for port 1 in testpmd's output"
awk -v p="$pps" 'BEGIN { printf "mpps %.2f\n", p / 1e6 }'
echo "cpu_share $(cpu_share "$s0" "$s1")"
