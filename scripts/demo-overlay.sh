#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The overlay part of `make demo` (scripts/demo.sh runs it; it also runs alone): two vsw
# "hosts" on one machine. Each is a network namespace (vsw-demo-ova, vsw-demo-ovb) holding
# its own vsw-dataplane (own --file-prefix and socket), with a veth underlay between the
# two (198.18.0.1 <-> 198.18.0.2) and a Linux host behind each in a namespace of its own
# (vsw-demo-ovh1 198.51.100.1, vsw-demo-ovh2 198.51.100.2). A vsw-controller per host
# applies config/examples/overlay-host-a.yaml and overlay-host-b.yaml as they are: VNI 5001
# stretched between the two. The hosts ping across, then vswctl shows each VTEP (next
# hops, remotes, tunnel counters), the MACs learned behind the other VTEP, and a file
# whose overlay MTU would not fit the underlay being refused. Removes all it made, also
# on Ctrl-C. Needs root. VSW_BUILD: build directory (default build).
set -eEu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSW_BUILD=${VSW_BUILD:-build}
[[ $VSW_BUILD == /* ]] || VSW_BUILD=$ROOT/$VSW_BUILD
DP=$VSW_BUILD/dataplane/vsw-dataplane
CTRL=$VSW_BUILD/control/vsw-controller
CTL=$VSW_BUILD/tools/vswctl
EX=$ROOT/config/examples
NS_A=vsw-demo-ova
NS_B=vsw-demo-ovb
NS_H1=vsw-demo-ovh1
NS_H2=vsw-demo-ovh2
TMP=
PIDS=()
RC=0

DEMO_NAME=demo-overlay
. "$ROOT/scripts/demo-lib.sh"
# vsw A|B ARGS...: vswctl on that host's dataplane and controller
vsw() {
	local h=$1
	shift
	printf '%s[%s]$ vswctl %s%s\n' "$D" "$h" "$*" "$N"
	timeout 60 "$CTL" -s "$TMP/$h.sock" --controller "$TMP/ctrl$h.sock" "$@"
}

cleanup() {
	local rc=$?
	trap - EXIT ERR
	set +e
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}"
	done
	for ns in $NS_H1 $NS_H2 $NS_A $NS_B; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf /var/run/dpdk/vsw-demo-ova /var/run/dpdk/vsw-demo-ovb
	if ((rc != 0 && rc != 130)) && [[ -n $TMP ]]; then
		for f in "$TMP"/*.err; do
			[[ -s $f ]] || continue
			echo "---- $(basename "$f") (tail) ----" >&2
			tail -n 15 "$f" >&2
		done
	fi
	[[ -z $TMP ]] || rm -rf "$TMP"
	((rc == 0)) && rc=$RC
	exit "$rc"
}

[[ $(id -u) == 0 ]] || die "needs root (namespaces, veths, DPDK): sudo make demo"
[[ -x $DP && -x $CTRL && -x $CTL ]] || die "no binaries in $VSW_BUILD: build first (make)"
command -v ping >/dev/null || die "ping missing: apt-get install iputils-ping"
if ip netns list | grep -q '^vsw-demo-ov' || pgrep -f -- "--file-prefix vsw-demo-ov" >/dev/null; then
	die "a previous overlay demo is still running (or left namespaces vsw-demo-ov*)"
fi

trap cleanup EXIT
trap 'exit 130' INT TERM
TMP=$(mktemp -d /tmp/vsw-demo-ov.XXXXXX)

# quiet DEV [NS]: no IPv6 chatter, finished checksums (an af_packet reader sees the
# frame before the kernel would fill them in), up
quiet() {
	local x=(ip netns exec "$2")
	"${x[@]}" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$1/disable_ipv6"
	"${x[@]}" ethtool -K "$1" tx off rx off >/dev/null 2>&1 || true
	"${x[@]}" ip link set "$1" up
}

bold "overlay 1. two hosts: a namespace each, a veth underlay between them"
for ns in $NS_A $NS_B $NS_H1 $NS_H2; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ip link add vswo-ua netns $NS_A type veth peer name vswo-ub netns $NS_B
ip link add vswo-a1 netns $NS_A type veth peer name eth0 netns $NS_H1
ip link add vswo-a2 netns $NS_B type veth peer name eth0 netns $NS_H2
quiet vswo-ua $NS_A
quiet vswo-a1 $NS_A
quiet vswo-ub $NS_B
quiet vswo-a2 $NS_B
for i in 1 2; do
	ns=vsw-demo-ovh$i
	quiet eth0 $ns
	ip -n $ns link set eth0 address 02:00:00:00:0e:0$i mtu 1450
	ip -n $ns addr add 198.51.100.$i/24 dev eth0
done
say "$NS_A: vsw A, underlay vswo-ua <-> vswo-ub in $NS_B: vsw B"
say "$NS_H1 (198.51.100.1, mtu 1450) on vswo-a1 (A);  $NS_H2 (198.51.100.2) on vswo-a2 (B)"

bold "overlay 2. a dataplane and a controller per host"
for h in A B; do
	ns=vsw-demo-ov${h,,}
	ip netns exec $ns "$DP" -s "$TMP/$h.sock" --file-prefix $ns --huge off --memory 256 \
		--idle-sleep-max-us 200 >"$TMP/dp$h.out" 2>"$TMP/dp$h.err" &
	PIDS+=($!)
	for _ in $(seq 300); do
		grep -q "ready on" "$TMP/dp$h.out" && break
		kill -0 "${PIDS[-1]}" 2>/dev/null || die "dataplane $h exited: $(tail -n 3 "$TMP/dp$h.err")"
		sleep 0.1
	done
	grep -q "ready on" "$TMP/dp$h.out" || die "dataplane $h not ready after 30 s"
	"$CTRL" -s "$TMP/ctrl$h.sock" -d "$TMP/$h.sock" -f "$TMP/state$h/controller.state" \
		-i 500 >"$TMP/ctrl$h.out" 2>"$TMP/ctrl$h.err" &
	PIDS+=($!)
	for _ in $(seq 100); do
		grep -q "ready on" "$TMP/ctrl$h.out" && break
		sleep 0.1
	done
	grep -q "ready on" "$TMP/ctrl$h.out" || die "controller $h not ready"
	say "host $h: dataplane in $ns, controller on $TMP/ctrl$h.sock"
done

bold "overlay 3. each controller applies its example file as it is"
say "A: VTEP 198.18.0.1 on vswo-ua, bridge tenant = VNI 5001 with h1, remote 198.18.0.2"
say "B: VTEP 198.18.0.2 on vswo-ub, bridge tenant = VNI 5001 with h2, remote 198.18.0.1"
vsw A apply -f "$EX/overlay-host-a.yaml"
vsw B apply -f "$EX/overlay-host-b.yaml"

bold "overlay 4. ping across the overlay: $NS_H1 -> $NS_H2 and back"
say "(the first frames wait for the VTEPs to resolve each other by ARP on the underlay)"
for _ in $(seq 30); do
	ip netns exec $NS_H1 ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1 && break
	sleep 0.3
done
if ! ip netns exec $NS_H1 ping -c 3 -i 0.3 -W 2 198.51.100.2 ||
	! ip netns exec $NS_H2 ping -c 3 -i 0.3 -W 2 198.51.100.1; then
	say "PING FAILED"
	RC=1
fi
say "a full 1450-byte packet (the overlay MTU; 1500 on the underlay with VXLAN's 50 bytes):"
ip netns exec $NS_H1 ping -c 2 -i 0.3 -W 2 -M 'do' -s 1422 198.51.100.2 || RC=1

bold "overlay 5. the VTEPs: next hops resolved by ARP, the remote, tunnel counters"
vsw A vtep show
vsw B vtep show

bold "overlay 6. remote MACs: each host's MAC learned behind the other VTEP"
vsw A fdb show tenant
vsw B fdb show tenant
vsw A -j fdb show tenant | grep -q '"remote_vtep": *"198.18.0.2"' ||
	{ say "A learned nothing behind 198.18.0.2"; RC=1; }

bold "overlay 7. counters: the host port, the underlay, the tunnel port"
vsw A stats

bold "overlay 8. applying again changes nothing; an MTU that cannot fit is refused"
vsw A apply -f "$EX/overlay-host-a.yaml" --dry-run || RC=1
sed 's/    mtu: 1450/    mtu: 1500/' "$EX/overlay-host-a.yaml" >"$TMP/too-big.yaml"
say "the same file with the bridge's overlay mtu at 1500 (1500 + 50 > the underlay's 1500):"
if vsw A apply -f "$TMP/too-big.yaml"; then
	say "it was applied: it should not have been"
	RC=1
fi

bold "overlay 9. stop both hosts"
for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
	stop_pid "${PIDS[i]}"
done
PIDS=()
say "dataplanes and controllers stopped"
exit $RC
