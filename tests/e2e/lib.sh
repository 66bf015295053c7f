# SPDX-License-Identifier: BSD-3-Clause
#
# Shared harness of the end-to-end tests (tests/e2e/*_test.sh), sourced by each test:
# starts one private vsw-dataplane (its own --file-prefix and socket under a temp dir,
# no hugepages), wraps vswctl, makes veth pairs and namespaces that are quiet (no IPv6,
# no ARP answers, no offloads, so the kernel puts nothing on the wire we did not send),
# and on exit stops everything it started and checks that nothing leaked.
# Exit codes follow meson: 0 pass, 77 skipped (with the reason printed), others fail.
#
# Environment: VSW_BUILD (build directory holding dataplane/vsw-dataplane and
# tools/vswctl; default "build"; a relative path is taken from the repository root),
# VSW_E2E_KEEP=1 keeps the temp dir (pcaps, logs) for a post-mortem.

set -eEu -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VSW_ROOT=$(cd "$E2E_DIR/../.." && pwd)
VSW_BUILD=${VSW_BUILD:-build}
[[ $VSW_BUILD == /* ]] || VSW_BUILD=$VSW_ROOT/$VSW_BUILD
DP_BIN=$VSW_BUILD/dataplane/vsw-dataplane
CTL_BIN=$VSW_BUILD/tools/vswctl
PY=/usr/bin/python3
E2E_PY=$E2E_DIR/e2e.py
E2E_NAME=$(basename "$0" .sh)
# Short and unique per run (interface names are at most 15 characters); the dash keeps
# one run's tag from being a prefix of another's.
E2E_TAG=v$(printf '%x' $$)-
E2E_PREFIX=vswe2e_$$
E2E_TMP=
DP_PID=
SOCK=
E2E_VETHS=()
E2E_NETNS=()
declare -A E2E_PEER=()

log() { printf '%s: %s\n' "$E2E_NAME" "$*"; }
skip() {
	printf '%s: SKIP: %s\n' "$E2E_NAME" "$*"
	exit 77
}
fail() {
	printf '%s: FAIL: %s\n' "$E2E_NAME" "$*" >&2
	exit 1
}

e2e_on_err() {
	local rc=$1 line=$2 cmd=$3
	printf '%s: FAIL: line %s: `%s` exited %s\n' "$E2E_NAME" "$line" "$cmd" "$rc" >&2
}

# What each tool is called in Debian, for the skip message.
declare -A E2E_PKG=([tshark]=tshark [ethtool]=ethtool [ip]=iproute2 [ping]=iputils-ping
	[timeout]=coreutils [scapy]=python3-scapy)

# e2e_require TOOL...: skip unless every tool is there ("scapy" = Debian's python3-scapy).
e2e_require() {
	local t
	for t in "$@"; do
		if [[ $t == scapy ]]; then
			if ! [[ -x $PY ]] || ! $PY -c 'import scapy.all' 2>/dev/null; then
				skip "python3-scapy missing (apt-get install python3-scapy)"
			fi
		elif ! command -v "$t" >/dev/null 2>&1; then
			skip "$t missing (apt-get install ${E2E_PKG[$t]:-$t})"
		fi
	done
}

# e2e_init: check we can run at all, make the temp dir, arm the cleanup.
e2e_init() {
	[[ $(id -u) == 0 ]] || skip "needs root (namespaces, veths, DPDK)"
	e2e_require ip timeout scapy
	[[ -x $DP_BIN ]] || skip "no dataplane binary at $DP_BIN (build first, or set VSW_BUILD)"
	[[ -x $CTL_BIN ]] || skip "no vswctl binary at $CTL_BIN (build first, or set VSW_BUILD)"
	E2E_TMP=$(mktemp -d "/tmp/vsw-e2e-$E2E_NAME.XXXXXX")
	SOCK=$E2E_TMP/dp.sock
	trap 'e2e_on_err $? $LINENO "$BASH_COMMAND"' ERR
	trap 'e2e_cleanup' EXIT
	trap 'exit 130' INT TERM
}

# dp_start [extra dataplane options]: start the dataplane, wait for its ready line.
dp_start() {
	# Emptied here, before the fork: the child's own redirection may come after the first
	# grep below, which would then find a restarted dataplane's previous ready line.
	: >"$E2E_TMP/dp.out"
	"$DP_BIN" -s "$SOCK" --file-prefix "$E2E_PREFIX" --huge off --memory 256 \
		--idle-sleep-max-us 200 "$@" >"$E2E_TMP/dp.out" 2>"$E2E_TMP/dp.err" &
	DP_PID=$!
	local i
	for ((i = 0; i < 300; i++)); do
		if grep -qs "^vsw-dataplane: ready on $SOCK" "$E2E_TMP/dp.out"; then
			log "dataplane pid $DP_PID ready on $SOCK"
			return 0
		fi
		if ! kill -0 "$DP_PID" 2>/dev/null; then
			wait "$DP_PID" && rc=0 || rc=$?
			DP_PID=
			dp_dump_log
			fail "dataplane exited with status $rc before it was ready"
		fi
		sleep 0.1
	done
	dp_dump_log
	fail "dataplane not ready within 30 s"
}

dp_dump_log() {
	[[ -n $E2E_TMP ]] || return 0
	echo "---- dataplane stdout (tail) ----" >&2
	tail -n 20 "$E2E_TMP/dp.out" >&2 2>/dev/null || true
	echo "---- dataplane stderr (tail) ----" >&2
	tail -n 40 "$E2E_TMP/dp.err" >&2 2>/dev/null || true
}

# dp_stop: SIGTERM, wait up to 10 s, then SIGKILL. Fails unless it exited 0 on its own
# (pcap tx files are complete only after a clean exit).
dp_stop() {
	[[ -n $DP_PID ]] || return 0
	local pid=$DP_PID i rc=0
	DP_PID=
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		dp_dump_log
		fail "dataplane ignored SIGTERM for 10 s (killed)"
	fi
	wait "$pid" || rc=$?
	if ((rc != 0)); then
		dp_dump_log
		fail "dataplane exited with status $rc on SIGTERM"
	fi
	[[ ! -e $SOCK ]] || fail "dataplane left its socket $SOCK behind"
	return 0
}

e2e_cleanup() {
	local rc=$? v n leaked=0
	trap - ERR EXIT
	set +e
	if [[ -n $DP_PID ]]; then
		kill -TERM "$DP_PID" 2>/dev/null
		for ((n = 0; n < 50; n++)); do
			kill -0 "$DP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DP_PID" 2>/dev/null
		wait "$DP_PID" 2>/dev/null
		DP_PID=
	fi
	((rc == 0 || rc == 77)) || dp_dump_log
	for v in "${E2E_VETHS[@]}"; do
		ip link del "$v" 2>/dev/null
	done
	for n in "${E2E_NETNS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	# Leak checks: a test that passes must leave the machine as it found it.
	if pgrep -f -- "--file-prefix $E2E_PREFIX( |\$)" >/dev/null; then
		echo "$E2E_NAME: LEAK: process with --file-prefix $E2E_PREFIX still running:" >&2
		pgrep -a -f -- "--file-prefix $E2E_PREFIX( |\$)" >&2
		leaked=1
	fi
	for v in "${E2E_VETHS[@]}"; do
		if ip link show "$v" >/dev/null 2>&1; then
			echo "$E2E_NAME: LEAK: interface $v still exists" >&2
			leaked=1
		fi
	done
	if ip -o link show 2>/dev/null | grepq " $E2E_TAG"; then
		echo "$E2E_NAME: LEAK: interfaces named $E2E_TAG* still exist" >&2
		leaked=1
	fi
	for n in "${E2E_NETNS[@]}"; do
		if ip netns list | grepq -w -- "$n"; then
			echo "$E2E_NAME: LEAK: namespace $n still exists" >&2
			leaked=1
		fi
	done
	# DPDK keeps its runtime config files after a clean exit; they are not a leak. A
	# dataplane on hugepages (the dumpcap test) also leaves its page files, which would
	# hold 2 MiB pages until the next reboot: remove them from every hugetlbfs mount.
	rm -rf "/var/run/dpdk/$E2E_PREFIX"
	local mnt
	while read -r _ mnt fstype _; do
		[[ $fstype == hugetlbfs ]] && rm -f "$mnt/${E2E_PREFIX}map_"*
	done </proc/mounts
	if [[ -n $E2E_TMP ]]; then
		if [[ ${VSW_E2E_KEEP:-0} == 1 ]] || ((rc != 0 && rc != 77)); then
			echo "$E2E_NAME: files kept in $E2E_TMP" >&2
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	if ((leaked && (rc == 0 || rc == 77))); then
		rc=1
	fi
	if ((rc == 0)); then
		log PASS
	elif ((rc != 77)); then
		log "FAILED (status $rc)"
	fi
	exit "$rc"
}

# ---- control ----

# vsw ARGS...: vswctl on our socket; fails the test (printing the output) on error.
vsw() {
	local out rc=0
	out=$(timeout 15 "$CTL_BIN" -s "$SOCK" "$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		printf '%s: FAIL: vswctl %s -> exit %s\n%s\n' "$E2E_NAME" "$*" "$rc" "$out" >&2
		exit 1
	fi
	[[ -z $out ]] || printf '%s\n' "$out"
}
# vsw_quiet ARGS...: the same, output discarded unless it fails.
vsw_quiet() { vsw "$@" >/dev/null; }
# vsw_status ARGS...: run vswctl and return its exit status (output to stdout).
vsw_status() { timeout 15 "$CTL_BIN" -s "$SOCK" "$@" 2>&1; }

# jget EXPR: evaluate a python expression on the JSON on stdin (r = the document).
jget() { "$PY" "$E2E_PY" j "$1"; }
# grepq GREP-ARGS: grep -q for the end of a pipeline. Under pipefail, grep -q exits at the
# first match and the writer dies of SIGPIPE, failing the pipeline at random; this reads
# all of its input.
grepq() { grep "$@" >/dev/null; }

# port_stat PORT FIELD: rx_packets, tx_packets, drops_total...
port_stat() { vsw -j stats "$1" | jget "[p for p in r if p['name'] == '$1'][0]['$2']"; }
# port_drop PORT REASON
port_drop() { vsw -j stats "$1" | jget "[p for p in r if p['name'] == '$1'][0]['drops']['$2']"; }

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		if "$@" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after ${secs}s waiting for $what"
}

stat_ge() { (($(port_stat "$1" "$2") >= $3)); }
stat_ge_drop() { (($(port_drop "$1" "$2") >= $3)); }
# wait_stat PORT FIELD N: wait (up to 10 s) until the counter reaches N.
wait_stat() {
	local i
	for ((i = 0; i < 100; i++)); do
		if stat_ge "$1" "$2" "$3"; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after 10s waiting for $1 $2 >= $3 (it is $(port_stat "$1" "$2"))"
}

# expect_stat PORT FIELD N: the counter is exactly N now.
expect_stat() {
	local v
	v=$(port_stat "$1" "$2")
	[[ $v == "$3" ]] || fail "$1 $2 is $v, expected $3"
}
expect_drop() {
	local v
	v=$(port_drop "$1" "$2")
	[[ $v == "$3" ]] || fail "$1 drops[$2] is $v, expected $3"
}

# ---- frames ----

# mkpcap OUT SPEC...: see e2e.py for the frame spec.
mkpcap() { "$PY" "$E2E_PY" mk "$@"; }
pcap_count() { "$PY" "$E2E_PY" count "$1"; }
# pcap_expect GOT EXPECTED LABEL: frame-by-frame equality or fail. While the dataplane
# runs, a tx file that is still empty counts as no frames (the PMD writes its header
# with the first frame); once it has stopped, the file must be a complete pcap.
pcap_expect() {
	local live=()
	[[ -z $DP_PID ]] || live=(--live)
	"$PY" "$E2E_PY" cmp "${live[@]}" "$1" "$2" "$3" ||
		fail "$3: transmitted frames differ from expected"
}

# ---- kernel interfaces ----

# quiet_link DEV [NETNS]: nothing but what a test sends goes out of DEV: no IPv6 (so no
# router solicitations, DAD or MLD), no ARP answers for other interfaces' addresses,
# no offloads (frames carry finished checksums, as on a wire). Call before link up.
quiet_link() {
	local dev=$1 ns=${2:-} x=()
	[[ -z $ns ]] || x=(ip netns exec "$ns")
	"${x[@]}" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$dev/disable_ipv6" 2>/dev/null || true
	"${x[@]}" sh -c "echo 1 > /proc/sys/net/ipv4/conf/$dev/arp_ignore; \
		echo 2 > /proc/sys/net/ipv4/conf/$dev/arp_announce"
	"${x[@]}" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	"${x[@]}" ip link set "$dev" up
}

# veth_add NAME PEER [PEER_NETNS]: a quiet veth pair, both ends up; deleted on exit.
veth_add() {
	local a=$1 b=$2 ns=${3:-}
	ip link add "$a" type veth peer name "$b"
	E2E_VETHS+=("$a")
	quiet_link "$a"
	if [[ -n $ns ]]; then
		ip link set "$b" netns "$ns"
	fi
	quiet_link "$b" "$ns"
}

# netns_add NAME: a namespace with lo up; deleted on exit.
netns_add() {
	ip netns add "$1"
	E2E_NETNS+=("$1")
	ip netns exec "$1" ip link set lo up
}

# vport_add PORT [port add options...]: a pcap port that receives what is sent on the
# peer of a fresh veth (libpcap, inbound only) and writes what it transmits to
# $E2E_TMP/PORT.tx.pcap. Inject frames into it with `inject PORT PCAP`.
vport_add() {
	local port=$1 n=${#E2E_VETHS[@]}
	shift
	local dev=${E2E_TAG}t$n
	veth_add "$dev" "${dev}p"
	E2E_PEER[$port]=${dev}p
	vsw_quiet port add "$port" pcap "rx_iface_in=$dev" "tx_pcap=$E2E_TMP/$port.tx.pcap" "$@"
}

# inject PORT PCAP [GAP_MS]: send the frames of PCAP into the switch through PORT.
inject() { "$PY" "$E2E_PY" send "${E2E_PEER[$1]}" "$2" ${3:+"$3"}; }

# tx_file PORT: where a port made by vport_add writes.
tx_file() { echo "$E2E_TMP/$1.tx.pcap"; }

# ---- phases: send, wait until the switch has taken it all, check where it went ----

declare -A E2E_RXN=()
E2E_SEQ=0

# send PORT SPEC...: inject these frames through PORT and wait until PORT counted them
# all as received (so the next phase starts only after this one was forwarded).
send() {
	local port=$1 f
	shift
	f=$E2E_TMP/in.$((E2E_SEQ++)).pcap
	mkpcap "$f" "$@"
	send_pcap "$port" "$f"
}

# send_pcap PORT PCAP [GAP_MS]: the same for the frames of a pcap made beforehand; with no
# scapy to start, it takes a tenth of the time (for phases that are timed, as aging is).
send_pcap() {
	local port=$1 n
	n=$(pcap_count "$2")
	inject "$port" "$2" ${3:+"$3"}
	E2E_RXN[$port]=$((${E2E_RXN[$port]:-0} + n))
	wait_stat "$port" rx_packets "${E2E_RXN[$port]}"
}

# expect_tx PORT=N...: wait until each port has transmitted N frames in all, give the
# switch 300 ms more, then require exactly N (so a frame sent where it should not have
# been is caught, not only a missing one).
expect_tx() {
	local a
	for a in "$@"; do
		wait_stat "${a%%=*}" tx_packets "${a#*=}"
	done
	sleep 0.3
	for a in "$@"; do
		expect_stat "${a%%=*}" tx_packets "${a#*=}"
	done
}

# expect_frames PORT SPEC...: append to the frames PORT must have transmitted, in order;
# check_frames PORT... compares them with what its tx pcap holds.
declare -A E2E_EXP=()
expect_frames() {
	local port=$1 s
	shift
	for s in "$@"; do
		E2E_EXP[$port]+="$s"$'\n'
	done
}
check_frames() {
	local port specs=()
	for port in "$@"; do
		specs=()
		if [[ -n ${E2E_EXP[$port]:-} ]]; then
			mapfile -t specs < <(printf '%s' "${E2E_EXP[$port]}")
		fi
		mkpcap "$E2E_TMP/$port.expected.pcap" "${specs[@]}"
		pcap_expect "$(tx_file "$port")" "$E2E_TMP/$port.expected.pcap" "$port tx"
		log "$port transmitted exactly the ${#specs[@]} expected frame specs"
	done
}

# ---- traces: vswctl -j trace in the background, its frames' steps checked after ----

declare -A TR_PID=()
# n_traces: how many traces the dataplane runs; traces_are N: exactly N of them.
n_traces() { vsw -j capture list | jget "len([c for c in r if c['trace']])"; }
traces_are() { [[ $(n_traces) == "$1" ]]; }
# trace_bg NAME ARGS...: `vswctl -j trace ARGS` in the background into $E2E_TMP/NAME.json;
# returns once the dataplane runs it, so that what the test sends next is traced.
trace_bg() {
	local name=$1 before
	shift
	before=$(n_traces)
	"$CTL_BIN" -s "$SOCK" -j trace "$@" >"$E2E_TMP/$name.json" 2>"$E2E_TMP/$name.err" &
	TR_PID[$name]=$!
	wait_for 10 "trace $name to start" traces_are $((before + 1))
}
# trace_wait NAME: it must end by itself (all its frames traced) with status 0.
trace_wait() {
	local rc=0
	wait "${TR_PID[$1]}" || rc=$?
	((rc == 0)) || fail "trace $1 exited $rc: $(cat "$E2E_TMP/$1.err")"
}
# steps NAME FRAME: the steps of frame FRAME (from 1) of trace NAME, one a line.
steps() { jget "'\n'.join(r['frames'][$2 - 1]['steps'])" <"$E2E_TMP/$1.json"; }
# has NAME FRAME GLOB: some step of that frame matches GLOB (@(a|b) for either), or fail.
has() {
	local s l
	s=$(steps "$1" "$2")
	while IFS= read -r l; do
		# shellcheck disable=SC2053
		[[ $l == $3 ]] && return 0
	done <<<"$s"
	fail "trace $1 frame $2: no step like '$3' in:"$'\n'"$s"
}
# step_like NAME FRAME TEXT: the first step of that frame holding TEXT, or fail.
step_like() {
	local s
	s=$(steps "$1" "$2") # whole, not piped: grep -m1 would cut the writer short
	grep -m1 -F -- "$3" <<<"$s" || fail "trace $1 frame $2: no '$3' step"
}
