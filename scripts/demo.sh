#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `make demo`: a guided tour of vsw on this machine, end to end. Starts a private
# vsw-dataplane and builds two bridges through vswctl:
#   lab:   two Linux hosts in namespaces vsw-demo-h1/h2 (198.51.100.1/.2) on af_packet
#          ports, plus a pcap port that records every frame the bridge floods to it;
#   bench: a pcap port replaying a scapy-made pcap forever into a null port and a ring
#          (loopback) port, with static MACs, for a couple of seconds.
# Then pings across lab, shows bridges, the MAC table, counters and the capture, and
# removes everything it made (also on Ctrl-C). Exits non-zero if the ping fails.
# Last, scripts/demo-controller.sh drives a fresh switch from a topology file through
# vsw-controller (apply, show, export, a controller killed and adopted again), and
# scripts/demo-vms.sh boots two QEMU VMs on vhost-user ports of one bridge and has them
# ping each other (skipped, saying why, without QEMU or a kernel for the guest), and
# scripts/demo-overlay.sh runs two vsw hosts, each in a namespace with its own controller,
# joined by a VXLAN overlay (VNI 5001) on a veth underlay, with a host pinging across.
# Needs root. VSW_BUILD: build directory (default build, relative to the repository).
set -eEu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSW_BUILD=${VSW_BUILD:-build}
[[ $VSW_BUILD == /* ]] || VSW_BUILD=$ROOT/$VSW_BUILD
DP=$VSW_BUILD/dataplane/vsw-dataplane
CTL=$VSW_BUILD/tools/vswctl
PY=/usr/bin/python3
E2E_PY=$ROOT/tests/e2e/e2e.py
PREFIX=vsw-demo
NS1=vsw-demo-h1
NS2=vsw-demo-h2
VETHS=(vsw-demo-r1 vsw-demo-r2)
TMP=
DP_PID=
RC=0

DEMO_NAME=demo
. "$ROOT/scripts/demo-lib.sh"
vsw() {
	printf '%s$ vswctl %s%s\n' "$D" "$*" "$N"
	timeout 15 "$CTL" -s "$TMP/dp.sock" "$@"
}

cleanup() {
	local rc=$?
	trap - EXIT ERR
	set +e
	stop_pid "$DP_PID"
	for v in "${VETHS[@]}"; do
		ip link del "$v" 2>/dev/null
	done
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
	if [[ -n $TMP ]]; then
		if ((rc != 0 && rc != 130)) && [[ -s $TMP/dp.err ]]; then
			echo "---- dataplane stderr (tail) ----" >&2
			tail -n 20 "$TMP/dp.err" >&2
		fi
		rm -rf "$TMP"
	fi
	((rc == 0)) && rc=$RC
	if ((rc == 0)); then
		bold "demo done: everything it created is gone"
	else
		bold "demo failed (status $rc); everything it created is gone"
	fi
	exit "$rc"
}

[[ $(id -u) == 0 ]] || die "needs root (namespaces, veths, DPDK): sudo make demo"
[[ -x $DP && -x $CTL ]] || die "no binaries in $VSW_BUILD: build first (make), or set VSW_BUILD"
for t in ip ping tshark ethtool; do
	command -v $t >/dev/null || die "$t missing: apt-get install ${t/ip/iproute2}"
done
$PY -c 'import scapy.all' 2>/dev/null || die "python3-scapy missing: apt-get install python3-scapy"
if ip netns list | grep -q '^vsw-demo-' || pgrep -f -- "--file-prefix $PREFIX( |\$)" >/dev/null; then
	die "a previous demo is still running (or left namespaces vsw-demo-*): stop it first"
fi

TMP=$(mktemp -d /tmp/vsw-demo.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

bold "1. start the dataplane (no hugepages, 256 MB, one worker)"
"$DP" -s "$TMP/dp.sock" --file-prefix $PREFIX --huge off --memory 256 --idle-sleep-max-us 200 \
	>"$TMP/dp.out" 2>"$TMP/dp.err" &
DP_PID=$!
for i in $(seq 300); do
	grep -q "ready on" "$TMP/dp.out" && break
	kill -0 $DP_PID 2>/dev/null || die "dataplane exited: $(tail -n 5 "$TMP/dp.err")"
	sleep 0.1
done
grep -q "ready on" "$TMP/dp.out" || die "dataplane not ready after 30 s"
say "$(head -n 1 "$TMP/dp.out") (pid $DP_PID)"
vsw info

bold "2. two Linux hosts in namespaces, each on one end of a veth"
for i in 1 2; do
	ns=vsw-demo-h$i
	ip netns add "$ns"
	ip link add vsw-demo-r$i type veth peer name eth0 netns "$ns"
	echo 1 >/proc/sys/net/ipv6/conf/vsw-demo-r$i/disable_ipv6
	echo 1 >/proc/sys/net/ipv4/conf/vsw-demo-r$i/arp_ignore
	ethtool -K vsw-demo-r$i tx off rx off >/dev/null 2>&1 || true
	ip link set vsw-demo-r$i up
	ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6'
	ip netns exec "$ns" ethtool -K eth0 tx off rx off >/dev/null 2>&1 || true
	ip -n "$ns" link set eth0 address 02:00:00:00:de:0$i
	ip -n "$ns" addr add 198.51.100.$i/24 dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	say "$ns: eth0 198.51.100.$i/24 (02:00:00:00:de:0$i), switch side vsw-demo-r$i"
done

bold "3. bridge lab: the hosts' veths as af_packet ports, plus a pcap port capturing floods"
vsw bridge add lab
vsw port add h1 af_packet iface=vsw-demo-r1
vsw port add h2 af_packet iface=vsw-demo-r2
vsw port add cap pcap "tx_pcap=$TMP/lab-flood.pcap"
for p in h1 h2 cap; do vsw port attach $p lab; done

bold "4. ping 198.51.100.2 from $NS1 through the switch"
say "(ARP requests are broadcast, so they are flooded to h2 and to the capture port;"
say " the replies and the echoes are unicast to learned MACs and reach only the host)"
if ! ip netns exec $NS1 ping -c 3 -i 0.3 -W 2 198.51.100.2; then
	say "PING FAILED"
	RC=1
fi

bold "5. bridge bench: a pcap port replaying scapy-made frames into null and ring ports"
say "frames from 8 sources to 4 destinations: D1/D2 are static on sink (null: counts and"
say "discards), D3/D4 static on loop (ring: what it is sent comes back as received, and"
say "the bridge drops it there as dst_is_ingress: never back out of its ingress port)."
say "The sources are static on gen, so frames looping back cannot move them (until those"
say "entries are in, looped frames do move them: see MOVES; move_damp=0 keeps them moving)."
specs=()
for i in $(seq 0 299); do
	specs+=("src=02:00:00:00:be:0$((i % 8)),dst=02:00:00:00:d0:0$((i % 4 + 1)),id=bench$i,len=60")
done
$PY "$E2E_PY" mk "$TMP/bench.pcap" "${specs[@]}"
say "$TMP/bench.pcap: $($PY "$E2E_PY" count "$TMP/bench.pcap") frames"
vsw bridge add bench move_damp=0
vsw port add sink null
vsw port add loop ring
vsw port attach sink bench
vsw port attach loop bench
vsw fdb add bench 02:00:00:00:d0:01 sink
vsw fdb add bench 02:00:00:00:d0:02 sink
vsw fdb add bench 02:00:00:00:d0:03 loop
vsw fdb add bench 02:00:00:00:d0:04 loop
vsw port add gen pcap "rx_pcap=$TMP/bench.pcap" infinite_rx=true
vsw port attach gen bench
for i in $(seq 0 7); do
	vsw fdb add bench "02:00:00:00:be:0$i" gen
done
say "replaying for 2 seconds..."
sleep 2
vsw info
vsw port detach gen
say "gen is detached: a port out of every bridge is not polled, so its counters stop"

bold "6. the bridges: ports and MAC counts"
vsw bridge show

bold "7. the MAC table of lab: both hosts learned on their ports"
vsw fdb show lab
for i in 1 2; do
	vsw -j fdb show lab | grep -q "02:00:00:00:de:0$i" ||
		{ say "h$i's MAC was not learned"; RC=1; }
done

bold "8. counters of every port, with the reason for every drop"
say "lab: h1/h2 carry the ARP exchange and the pings; cap got the one flooded ARP request."
say "bench: gen's frames split between sink and loop; all that loop hands back is dropped"
say "as dst_is_ingress."
vsw stats
vsw port del gen

bold "9. stop the dataplane (pcap files are complete once it exits)"
kill -TERM $DP_PID
if wait $DP_PID; then
	say "dataplane exited cleanly"
else
	say "dataplane exited with status $?"
	RC=1
fi
DP_PID=

bold "10. what the capture port of lab saw (tshark, first frames): the floods only"
tshark -r "$TMP/lab-flood.pcap" -c 10 2>/dev/null || say "(tshark could not read the capture)"
say "$($PY "$E2E_PY" count "$TMP/lab-flood.pcap") frames in the capture"

bold "11. the same switch driven by vsw-controller from a topology file"
VSW_BUILD=$VSW_BUILD bash "$ROOT/scripts/demo-controller.sh" || RC=1
bold "12. two QEMU VMs on vhost-user ports of one bridge, pinging each other"
VSW_BUILD=$VSW_BUILD bash "$ROOT/scripts/demo-vms.sh" || RC=1
bold "13. two vsw hosts joined by a VXLAN overlay, each programmed by its controller"
VSW_BUILD=$VSW_BUILD bash "$ROOT/scripts/demo-overlay.sh" || RC=1
exit $RC
