# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers of the vhost-user end-to-end tests (tests/e2e/vhost_*_test.sh), sourced after
# lib.sh: virtio-user peers. A peer is dpdk-testpmd in interactive mode with a
# net_virtio_user device on one vhost-user socket, so one process plays a VM's NIC
# without a VM: it stays connected while the test sends it commands through a FIFO
# (`start tx_first N` sends N bursts of 32 frames, rxonly counts what arrives), and its
# counters are read back from `show port stats 0`. Peers run on cpu 0, next to the
# dataplane's control thread; the dataplane's worker keeps cpu 1.

VH_TESTPMD=${VH_TESTPMD:-dpdk-testpmd}
declare -A VH_PID=() VH_FIFO=() VH_LOG=() VH_VDEV=() VH_NRUN=()

# vh_init: lib.sh's e2e_init plus a skip without testpmd, and peers stopped on exit.
vh_init() {
	e2e_init
	command -v "$VH_TESTPMD" >/dev/null 2>&1 ||
		skip "dpdk-testpmd missing (apt-get install dpdk-dev): it is the virtio-user peer"
	# Our cleanup first, with the test's status kept for lib.sh's (which reads $?).
	trap 'vh_rc=$?; vh_cleanup; (exit $vh_rc); e2e_cleanup' EXIT
}

vh_cleanup() {
	local n
	set +e
	for n in "${!VH_PID[@]}"; do
		vh_peer_kill "$n" KILL
	done
	rm -rf "/var/run/dpdk/${E2E_PREFIX}_"*
	if pgrep -f -- "--file-prefix ${E2E_PREFIX}_" >/dev/null; then
		echo "$E2E_NAME: LEAK: testpmd peers still running:" >&2
		pgrep -a -f -- "--file-prefix ${E2E_PREFIX}_" >&2
		vh_rc=1
	fi
}

# [VH_PEER_MAC=DST] vh_peer_start NAME SOCKET MAC [server] [MODE]: a testpmd peer on
# SOCKET, its forwarding engine MODE (default rxonly) not started; the frames it makes go
# from MAC to DST (default 02:00:00:00:ff:ff, a MAC nobody has: flooded). "server": the
# peer serves the socket (for a vsw port in client mode), else it connects to vsw's.
# VH_VDEV_EXTRA (",queues=2") is appended to its virtio-user device, VH_PMD_ARGS
# ("--rxq=2 --txq=2") to testpmd's own arguments.
vh_peer_start() {
	local n=$1 sock=$2 mac=$3 srv=${4:-} mode=${5:-rxonly} vdev
	vdev="net_virtio_user0,path=$sock,mac=$mac,queue_size=1024${VH_VDEV_EXTRA:-}"
	[[ $srv != server ]] || vdev+=",server=1"
	VH_VDEV[$n]=$vdev
	VH_FIFO[$n]=$E2E_TMP/peer-$n.fifo
	VH_NRUN[$n]=$((${VH_NRUN[$n]:-0} + 1))
	VH_LOG[$n]=$E2E_TMP/peer-$n.${VH_NRUN[$n]}.log # a fresh one: it is polled for the prompt
	rm -f "${VH_FIFO[$n]}"
	mkfifo "${VH_FIFO[$n]}"
	# The FIFO is opened read-write so that it never reports end-of-file between commands.
	# stdbuf: testpmd's answers are printf()s, block-buffered into a file otherwise
	stdbuf -oL -eL "$VH_TESTPMD" --lcores '(0,1)@0' --file-prefix "${E2E_PREFIX}_$n" --no-huge -m 256 \
		--no-pci --vdev "$vdev" -- -i --forward-mode="$mode" --total-num-mbufs=8192 \
		--eth-peer="0,${VH_PEER_MAC:-02:00:00:00:ff:ff}" ${VH_PMD_ARGS:-} <>"${VH_FIFO[$n]}" >"${VH_LOG[$n]}" 2>&1 &
	VH_PID[$n]=$!
	local i
	for ((i = 0; i < 300; i++)); do
		if grep -qs 'testpmd> ' "${VH_LOG[$n]}"; then
			return 0
		fi
		kill -0 "${VH_PID[$n]}" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "${VH_LOG[$n]}" >&2
	fail "peer $n did not come up"
}

# vh_cmd NAME COMMAND...: one testpmd command line per argument.
vh_cmd() {
	local n=$1 c
	shift
	kill -0 "${VH_PID[$n]}" 2>/dev/null || fail "peer $n is not running"
	for c in "$@"; do
		printf '%s\n' "$c" >"${VH_FIFO[$n]}"
	done
}

# vh_stat NAME FIELD: RX-packets or TX-packets of the peer's port (its PMD's counters).
vh_stat() {
	local n=$1 field=$2 want i
	# count the blocks already there here, not in a global: callers run this in $(...),
	# where a global's update is lost and the next call would read a stale block
	want=$(($(grep -c 'Tx-pps:' "${VH_LOG[$n]}" || true) + 1))
	vh_cmd "$n" "show port stats 0"
	for ((i = 0; i < 100; i++)); do
		# the block is complete once the line of '#' after it is there
		if (($(grep -c 'Tx-pps:' "${VH_LOG[$n]}" || true) >= want)); then
			"$PY" - "${VH_LOG[$n]}" "$field" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
block = text[text.rindex("NIC statistics for port 0"):]
print(re.search(sys.argv[2] + r":\s+(\d+)", block).group(1))
EOF
			return 0
		fi
		sleep 0.05
	done
	fail "peer $n did not answer show port stats"
}

# vh_wait_stat NAME FIELD N [SECONDS]: until the peer's counter is at least N.
vh_wait_stat() {
	local n=$1 f=$2 want=$3 secs=${4:-10} i v
	for ((i = 0; i < secs * 5; i++)); do
		v=$(vh_stat "$n" "$f")
		((v < want)) || return 0
		sleep 0.2
	done
	fail "peer $n $f is $v after ${secs}s, expected at least $want"
}

# vh_peer_stop NAME: quit cleanly (the peer closes its vhost-user connection).
vh_peer_stop() {
	local n=$1 i
	[[ -n ${VH_PID[$n]:-} ]] || return 0
	vh_cmd "$n" "stop" "quit" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "${VH_PID[$n]}" 2>/dev/null || break
		sleep 0.1
	done
	vh_peer_kill "$n" KILL
}

# vh_peer_kill NAME [SIGNAL]: kill it (default SIGKILL, as a crashing VM would die).
vh_peer_kill() {
	local n=$1 sig=${2:-KILL}
	[[ -n ${VH_PID[$n]:-} ]] || return 0
	kill "-$sig" "${VH_PID[$n]}" 2>/dev/null || true
	wait "${VH_PID[$n]}" 2>/dev/null || true
	unset "VH_PID[$n]"
	rm -f "${VH_FIFO[$n]}"
	rm -rf "/var/run/dpdk/${E2E_PREFIX}_$n"
}

# port_link PORT: "up" or "down", as vswctl port show reports it.
port_link() { vsw -j port show "$1" | jget "r[0]['link']"; }
link_is() { [[ $(port_link "$1") == "$2" ]]; }
# wait_link PORT up|down [SECONDS]
wait_link() { wait_for "${3:-10}" "port $1 link $2" link_is "$1" "$2"; }

# dp_fds / dp_rss_kb: the dataplane's open file descriptors and resident memory.
dp_fds() { find "/proc/$DP_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
dp_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DP_PID/status"; }
