# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by the bench/ scripts (sourced, not run): process bookkeeping so that
# every process a measurement starts is killed by pid when it ends (normally, on error or
# on a signal), bounded waits, and the arithmetic of the results.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3 # Debian's interpreter: the one on PATH may lack Debian's modules

bench_pids=()
bench_cleanups=()

log() { echo "$(basename "$0"): $*" >&2; }
die() { log "$*"; exit 1; }

# Run at exit: the registered commands (last first), then TERM, then KILL, to the pids.
bench_cleanup() {
	local i p
	trap - EXIT INT TERM
	for ((i = ${#bench_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${bench_cleanups[i]}" >/dev/null 2>&1 || true
	done
	for p in "${bench_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for i in $(seq 50); do
		local alive=0
		for p in "${bench_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${bench_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
# A signal must end the script through exit so that the EXIT trap runs.
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

track_pid() { bench_pids+=("$1"); }
on_exit() { bench_cleanups+=("$1"); }

# Sleep that a signal interrupts at once (bash runs traps only between commands).
nap() { sleep "$1" & wait $!; }

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local limit=$1 end
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt $end ] || return 1
		sleep 0.1
	done
}

now() { date +%s.%N; }

# rate COUNT0 COUNT1 T0 T1 -> millions per second, 2 decimals
rate() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.2f\n", (b - a) / (t1 - t0) / 1e6 }'; }

# EAL memory arguments: hugepages when BENCH_HUGE=1 (run.sh decides), else anonymous memory.
eal_mem() {
	local mb=$1
	if [ "${BENCH_HUGE:-0}" = 1 ]; then echo "-m $mb"; else echo "--no-huge -m $mb"; fi
}

# ---- vsw ----
# VSW_BUILD: the meson build dir (relative to the repository or absolute), default build.
vsw_paths() {
	local top b
	top=$(cd "$BENCH_DIR/.." && pwd)
	b=${VSW_BUILD:-build}
	case $b in /*) ;; *) b=$top/$b ;; esac
	VSW_DATAPLANE=$b/dataplane/vsw-dataplane
	VSWCTL=$b/tools/vswctl
}

# vsw_start DIR MBUFS MEMORY_MB [IDLE_US]: start vsw-dataplane with its control socket in
# DIR, its worker on BENCH_CPU and control on BENCH_CTL_CPU; wait until it says ready.
# Sets VSW_SOCK and VSW_PID. Hugepages only when run.sh chose them (BENCH_HUGE=1), so vsw
# runs on the same kind of memory as testpmd and OVS in the same run.
vsw_start() {
	local dir=$1 mbufs=$2 mem=$3 idle=${4:-0} huge=off
	vsw_paths
	# Not built is a skip (77), so that the references still run and say so.
	[ -x "$VSW_DATAPLANE" ] || { log "SKIP: $VSW_DATAPLANE not built (set VSW_BUILD)"; exit 77; }
	[ -x "$VSWCTL" ] || { log "SKIP: $VSWCTL not built (set VSW_BUILD)"; exit 77; }
	[ "${BENCH_HUGE:-0}" = 1 ] && huge=on
	VSW_SOCK=$dir/vsw.sock
	"$VSW_DATAPLANE" -s "$VSW_SOCK" --file-prefix "bench-vsw-$$-$RANDOM" --huge $huge \
		--memory "$mem" --mbufs "$mbufs" --idle-sleep-max-us "$idle" \
		--worker-cpus "${BENCH_CPU:-1}" --control-cpu "${BENCH_CTL_CPU:-0}" \
		>"$dir/vsw.out" 2>"$dir/vsw.err" &
	VSW_PID=$!
	track_pid $VSW_PID
	on_exit "cat $dir/vsw.err >&2"
	if ! wait_for 30 grep -q "ready on" "$dir/vsw.out"; then
		cat "$dir/vsw.out" "$dir/vsw.err" >&2
		die "vsw-dataplane not ready after 30 s"
	fi
	kill -0 $VSW_PID 2>/dev/null || die "vsw-dataplane exited"
	log "$(cat "$dir/vsw.out")"
}

# vsw_stop: SIGTERM and wait (bounded) so the port files are closed before the next system.
vsw_stop() {
	kill -TERM "$VSW_PID" 2>/dev/null || return 0
	wait_for 10 sh -c "! kill -0 $VSW_PID" || kill -KILL "$VSW_PID" 2>/dev/null
	wait "$VSW_PID" 2>/dev/null || true
}

vswctl() { timeout 30 "$VSWCTL" -s "$VSW_SOCK" "$@"; }

# vsw_stat PORT FIELD: one counter of one port, from `vswctl -j stats PORT`; FIELD may be
# a path such as drops.no_bridge.
vsw_stat() {
	vswctl -j stats "$1" | $PY -c '
import json, sys
r = json.load(sys.stdin)
r = r[0] if isinstance(r, list) else r
for k in sys.argv[1].split("."):
    r = r[k]
print(r)' "$2"
}

# vsw_moving PORT: its tx counter grows (traffic reached it).
vsw_moving() {
	local a b
	a=$(vsw_stat "$1" tx_packets) || return 1
	sleep 0.2
	b=$(vsw_stat "$1" tx_packets) || return 1
	[ "$b" -gt "$a" ]
}

# ---- is the polling core ours? ----
# On a shared machine another process on the polling cpu halves a figure silently. The
# scheduler's own accounting tells: /proc/PID/task/TID/schedstat holds the nanoseconds a
# thread ran and waited runnable; over the window, ran / (ran + waited) is the share of
# the cpu the polling thread got (100% = nobody else ran there).
# poll_thread PID: the thread of PID that has used the most cpu (the polling one).
poll_thread() {
	local t
	for t in /proc/$1/task/*; do
		# fields after the ") " that ends comm: utime and stime are the 12th and 13th
		echo "$(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }') ${t##*/}"
	done 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2
}
# sched_sample PID TID: "ran_ns waited_ns"
sched_sample() { awk '{ print $1, $2 }' "/proc/$1/task/$2/schedstat" 2>/dev/null || echo "0 0"; }
# cpu_share "RAN0 WAIT0" "RAN1 WAIT1": percent of the window the thread ran
cpu_share() {
	echo "$1 $2" | awk '{ r = $3 - $1; w = $4 - $2; if (r + w > 0) printf "%.0f\n", 100 * r / (r + w); else print "?" }'
}

# vsw_l2_setup PCAP NDST: the l2 scenario's bridge: br0 with a null port holding the NDST
# destination MACs of bench/mkpcap.py (static) and a pcap port replaying PCAP forever;
# returns once frames reach the null port.
vsw_l2_setup() {
	local pcap=$1 ndst=$2 j
	vswctl bridge add br0 >/dev/null
	vswctl port add null0 null >/dev/null
	vswctl port attach null0 br0 >/dev/null
	for ((j = 0; j < ndst; j++)); do
		vswctl fdb add br0 "$(printf '02:00:00:01:%02x:%02x' $((j >> 8)) $((j & 255)))" null0 >/dev/null
	done
	vswctl port add pcap0 pcap rx_pcap="$pcap" infinite_rx=true >/dev/null
	vswctl port attach pcap0 br0 >/dev/null
	wait_for 30 vsw_moving null0 || die "no traffic reached null0 after 30 s"
}
