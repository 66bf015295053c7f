#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `make bench`: vsw side by side with dpdk-testpmd (io forwarding, the I/O ceiling) and
# OVS-DPDK 3.1 (NORMAL bridge) on the same pcap, ports, core and memory, in one run,
# because absolute figures differ from machine to machine (docs/benchmarks.md).
#
# Scenarios (BENCH_ONLY=l2,l2-1m,vhost,latency,flows,vxlan,vxlan6,capture picks; default
# all but latency and vxlan6):
#   l2       64-byte frames, 1024 flows, 64 source and 64 destination MACs (all known),
#            net_pcap infinite_rx -> net_null; vsw, testpmd, ovs.
#   l2-1m    vsw's bridge learns 1,000,000 MACs from a pcap (learning rate), then carries
#            traffic to 65,536 of them; testpmd on the same traffic pcap as the ceiling.
#   latency  ping RTT through vsw between two namespaces, busy-polling vs idle back-off.
#   vhost    vhost-user ports with a virtio-user peer (dpdk-testpmd on BENCH_CTL_CPU, 64-byte
#            frames; bench/vhost_peer.sh): vhost-rx, the peer's txonly stream -> switch ->
#            null; vhost-pvp, pcap(infinite_rx) -> switch -> peer (macswap) -> switch -> null.
#            vsw, OVS-DPDK (dpdkvhostuserclient) and testpmd on net_vhost (the ceiling).
#   flows    the l2 traffic through 0, 1, 100 and 10,000 flow rules (BENCH_FLOW_RULES), and
#            the rule update rate while forwarding (bench/vsw_flows.sh).
#   vxlan    vxlan-encap: the l2 pcap -> bridge with VNI 5001 -> one remote VTEP -> null
#            underlay; vxlan-decap: a pcap of VXLAN frames (bench/mkvxlan.py) -> bridge ->
#            null; 64-byte inner frames, 64 MACs; vsw and OVS-DPDK's userspace VXLAN
#            (bench/vsw_vxlan.sh, bench/ovs_vxlan.sh).
#   vxlan6   vxlan6-encap, vxlan6-decap: the same over an IPv6 underlay (VTEP 2001:2::1,
#            remote 2001:2::2 with a static next hop; both systems compute the outer UDP
#            checksum, mandatory over IPv6). Each vxlan measurement also says what left the
#            egress port (vsw: 8 frames captured after the window, bench/vxlancheck.py;
#            OVS: the tnl_push header or tnl_pop match of its datapath flow).
#   capture  what the capture/trace/recording taps cost: the l2 scenario with vsw as built
#            and with the taps compiled out (meson -Dtaps=false, in VSW_BUILD-notaps),
#            BENCH_CAPTURE_ROUNDS (3) alternating rounds, medians compared; then a running
#            capture with a filter that matches nothing, and one of every frame
#            (bench/vsw_capture.sh).
# Env: VSW_BUILD (build dir, default build), BENCH_SECONDS (window, 10), BENCH_WARMUP (2),
#   BENCH_SYSTEMS (vsw,testpmd,ovs), BENCH_HUGE (auto|1|0), BENCH_CPU (polling cpu, 1),
#   BENCH_CTL_CPU (0), BENCH_RECORD (1: append the results to docs/benchmarks.md),
#   BENCH_LOG (full output of every process, default /tmp/vsw-bench.log), BENCH_REPEAT
#   (runs per measurement, the best counts; 1), BENCH_VHOST_ROUNDS (alternating vsw/OVS
#   vhost-rx rounds, medians compared; 5).
# Prints one line per measurement, `bench <scenario> <system> <Mpps>`, then ratios and
# cycles per packet.
set -eu
. "$(dirname "$0")/lib.sh"

top=$(cd "$BENCH_DIR/.." && pwd)
secs=${BENCH_SECONDS:-10}
warm=${BENCH_WARMUP:-2}
only=${BENCH_ONLY:-l2,l2-1m,vhost,vxlan,flows,capture}
systems=${BENCH_SYSTEMS:-vsw,testpmd,ovs}
record=${BENCH_RECORD:-1}
repeat=${BENCH_REPEAT:-1}
blog=${BENCH_LOG:-/tmp/vsw-bench.log}
export BENCH_CPU=${BENCH_CPU:-1} BENCH_CTL_CPU=${BENCH_CTL_CPU:-0} VSW_BUILD=${VSW_BUILD:-build}
case $secs in '' | *[!0-9]*) die "BENCH_SECONDS must be a whole number of seconds" ;; esac
case $repeat in '' | *[!0-9]* | 0) die "BENCH_REPEAT must be a positive whole number" ;; esac
want() { case ",$only," in *",$1,"*) return 0 ;; esac; return 1; }
sys_on() { case ",$systems," in *",$1,"*) return 0 ;; esac; return 1; }
[ "$(id -u)" = 0 ] || die "needs root (DPDK, hugepages, OVS, namespaces)"

# This script and every helper it runs stay off the polling core; DPDK processes pin
# their own lcores.
taskset -cp "$BENCH_CTL_CPU" $$ >/dev/null

: >"$blog"
exec 3>&2 2>>"$blog"
say() { echo "$*"; echo "$*" >&2; }
note() { echo "# $*"; echo "# $*" >&2; }

# ---- conditions ----
if [ "${BENCH_HUGE:-auto}" = auto ]; then
	[ -x "$top/scripts/hugepages.sh" ] && "$top/scripts/hugepages.sh" >&2 || true
	free_mb=$(awk '/HugePages_Free/ { f = $2 } /Hugepagesize/ { s = $2 } END { print int(f * s / 1024) }' /proc/meminfo)
	if [ "$free_mb" -ge 1536 ] && awk '$3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
		BENCH_HUGE=1
	else
		BENCH_HUGE=0
	fi
fi
export BENCH_HUGE
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
grep -qw hypervisor /proc/cpuinfo && cpu_model="$cpu_model (virtual machine)"
mhz=$(awk -F: '/^cpu MHz/ { printf "%.0f", $2; exit }' /proc/cpuinfo)
mem_kind=$([ "$BENCH_HUGE" = 1 ] && echo "2 MiB hugepages" || echo "no hugepages (--no-huge): figures are 2x lower than with them; run scripts/hugepages.sh")
rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "(no commit)")
git -C "$top" diff --quiet HEAD -- 2>/dev/null || rev="$rev+changes"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
note "vsw bench $started, $cpu_model, $(nproc --all) cpus, $mhz MHz, kernel $(uname -r), vsw $rev"
note "memory: $mem_kind; polling cpu $BENCH_CPU, control cpu $BENCH_CTL_CPU; window ${secs} s after ${warm} s, best of $repeat"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
note "full log: $blog; load average before: $load0"

w=$(mktemp -d /tmp/vsw-bench.XXXXXX)
on_exit "rm -rf $w"
results=()

# measure SCENARIO SYSTEM CMD...: run one measurement (bounded in time), print its line.
# Sets M_OUT to its stdout. A skip (77) or failure prints a `# ...` line and no figure.
declare -A mpps share
measure() {
	local scen=$1 sys=$2 rc i out v=
	shift 2
	# With BENCH_REPEAT > 1 the best run counts: on a shared machine the slow runs are
	# the ones somebody else disturbed.
	for ((i = 1; i <= repeat; i++)); do
		echo "=== $scen $sys (run $i of $repeat): $*" >&2
		rc=0
		out=$(timeout -k 10 $((secs + warm + 240)) "$@" 2>"$w/err") || rc=$?
		cat "$w/err" >&2
		echo "$out" >&2
		case $rc in
		0) ;;
		77) note "$scen $sys skipped: $(sed -n 's/.*SKIP: //p' "$w/err" | tail -1)"; return 1 ;;
		124) note "$scen $sys timed out (see $blog)"; continue ;;
		*) note "$scen $sys failed, exit $rc (see $blog)"; continue ;;
		esac
		local r
		r=$(echo "$out" | awk '$1 == "mpps" { print $2 }')
		[ -n "$r" ] || { note "$scen $sys gave no figure"; continue; }
		if [ -z "$v" ] || awk -v a="$r" -v b="$v" 'BEGIN { exit !(a > b) }'; then
			v=$r
			M_OUT=$out
		fi
	done
	[ -n "$v" ] || return 1
	mpps[$scen.$sys]=$v
	say "bench $scen $sys $v"
	results+=("bench $scen $sys $v")
	# Another process on the polling cpu lowers the figure without any error: say so.
	local sh
	sh=$(echo "$M_OUT" | awk '$1 == "cpu_share" { print $2 }')
	case $sh in
	'' | '?') ;;
	*) share[$scen.$sys]=$sh
	   if [ "$sh" -lt 95 ]; then
		info "# $scen $sys: its polling thread had only $sh% of cpu $BENCH_CPU (other processes ran there); per cpu-second of its own: $(awk -v v="$v" -v s="$sh" 'BEGIN { printf "%.2f", v * 100 / s }') Mpps"
	   fi ;;
	esac
}
# disturbed KEY...: a warning for a ratio of figures one of which lacked its cpu
disturbed() {
	local k
	for k; do
		if [ "${share[$k]:-100}" -lt 95 ]; then
			echo " (disturbed: ${k#*.} had ${share[$k]}% of its cpu)"
			return
		fi
	done
}
field() { echo "$M_OUT" | awk -v k="$1" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }
info() { say "$*"; results+=("$*"); }

# ---- l2 ----
if want l2; then
	$PY "$BENCH_DIR/mkpcap.py" l2 "$w/l2.pcap" 64 64 1024
	note "l2: 64-byte frames, 1024 flows, 64 src / 64 dst MACs (all known), pcap(infinite_rx) -> null"
	sys_on testpmd && measure l2 testpmd "$BENCH_DIR/testpmd.sh" "$w/l2.pcap" "$secs" "$warm" || true
	if sys_on ovs && measure l2 ovs "$BENCH_DIR/ovs.sh" "$w/l2.pcap" 64 "$secs" "$warm"; then
		c=$(field cycles_per_packet)
		[ -z "$c" ] || info "cycles l2 ovs-pmd-stats $c"
	fi
	if sys_on vsw && measure l2 vsw "$BENCH_DIR/vsw_l2.sh" "$w/l2.pcap" 64 "$secs" "$warm"; then
		[ "$(field drops)" = 0 ] || note "l2 vsw: $(field drops) frames dropped in the window"
	fi
	for s in vsw testpmd ovs; do
		[ -n "${mpps[l2.$s]:-}" ] && info "cycles l2 $s $(ratio "$mhz" "${mpps[l2.$s]}")"
	done
	[ -n "${mpps[l2.vsw]:-}" ] && [ -n "${mpps[l2.ovs]:-}" ] &&
		info "ratio l2 vsw/ovs $(ratio "${mpps[l2.vsw]}" "${mpps[l2.ovs]}")$(disturbed l2.vsw l2.ovs)"
	[ -n "${mpps[l2.vsw]:-}" ] && [ -n "${mpps[l2.testpmd]:-}" ] &&
		info "ratio l2 vsw/testpmd $(ratio "${mpps[l2.vsw]}" "${mpps[l2.testpmd]}")$(disturbed l2.vsw l2.testpmd)"
fi

# ---- l2-1m ----
if want l2-1m; then
	nlearn=1000000
	ndst=65536
	$PY "$BENCH_DIR/mkpcap.py" learn "$w/learn.pcap" $nlearn 65536
	$PY "$BENCH_DIR/mkpcap.py" spread "$w/spread.pcap" $ndst $nlearn 64
	note "l2-1m: learn $nlearn MACs from a pcap replayed once, then 64-byte frames to $ndst of them (64 sources), pcap(infinite_rx) -> drop"
	sys_on testpmd && measure l2-1m testpmd "$BENCH_DIR/testpmd.sh" "$w/spread.pcap" "$secs" "$warm" 262144 || true
	if sys_on vsw && measure l2-1m vsw "$BENCH_DIR/vsw_l2_1m.sh" "$w/learn.pcap" $nlearn "$w/spread.pcap" "$secs" "$warm"; then
		l=$(field learn_mps)
		[ -n "$l" ] || l=$(field learn_mps_total)
		[ -z "$l" ] || info "bench l2-learn vsw $l"
		ls=$(field learn_cpu_share)
		[ -z "$ls" ] || [ "$ls" -ge 95 ] ||
			info "# l2-learn vsw: the worker had only $ls% of cpu $BENCH_CPU while learning"
		info "# l2-1m vsw: $(field learned) MACs in the table after $(field learn_passes) pass(es), the first in $(field learn_seconds) s; $(field flooded) frames flooded and $(field drops) dropped in the window"
		[ "$(field learned)" -ge $((nlearn * 99 / 100)) ] 2>/dev/null ||
			note "l2-1m vsw: WARNING the table holds fewer than 99% of $nlearn MACs"
		info "cycles l2-1m vsw $(ratio "$mhz" "${mpps[l2-1m.vsw]}")"
		[ -n "${mpps[l2.vsw]:-}" ] &&
			info "ratio l2-1m/l2 vsw $(ratio "${mpps[l2-1m.vsw]}" "${mpps[l2.vsw]}") (target >= 0.5)$(disturbed l2-1m.vsw l2.vsw)"
	fi
fi

# ---- vhost (bench/{vsw,ovs,testpmd}_vhost.sh) ----
# vhost-rx on this kind of VM is bimodal for any switch (docs/benchmarks.md, 2026-11-24
# 09:08): one run lands on about 19 Mpps or on a 5.5 Mpps plateau depending on how the
# peer's and the switch's vCPUs share cache lines, so one run of each system compares
# luck. BENCH_VHOST_ROUNDS (5) runs vsw and OVS alternately, ovs first in odd rounds and
# vsw first in even ones, and compares medians; every round's figures are printed.
vhost_rounds=${BENCH_VHOST_ROUNDS:-5}
case $vhost_rounds in '' | *[!0-9]* | 0) die "BENCH_VHOST_ROUNDS must be a positive whole number" ;; esac
# vhost_info LABEL SCENARIO SYSTEM: whoever is slower, peer or switch, sets the rate: say
# which it was, from the last measurement's output.
vhost_info() {
	local b ps m
	b=$(field busy_pct)
	ps=$(field peer_cpu_share)
	m="# $1 $3: the peer sent $(field peer_tx_mpps) Mpps"
	[ "$2" = rx ] || m="$m, received $(field peer_rx_mpps) Mpps"
	m="$m, with ${ps:-?}% of cpu $BENCH_CTL_CPU"
	[ -z "$b" ] || m="$m; the switch was busy in $b% of its polls"
	[ "$2" = rx ] || [ "$3" != vsw ] || m="$m; pcap0 gave $(field rx_mpps) Mpps, $(field tx_full) frames found the guest's ring full"
	info "$m"
	if [ -n "$b" ] && awk -v b="$b" 'BEGIN { exit !(b < 95) }'; then
		info "# $1 $3: peer-bound (the switch idled in $(awk -v b="$b" 'BEGIN { printf "%.0f", 100 - b }')% of its polls): this figure measures the peer"
	fi
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
vhost_rx_rounds() {
	local r s order all_vsw= all_ovs= saved=$repeat
	repeat=1
	sys_on testpmd && measure vhost-rx testpmd "$BENCH_DIR/testpmd_vhost.sh" rx "$secs" "$warm" "$w/pvp.pcap" &&
		vhost_info vhost-rx rx testpmd
	for ((r = 1; r <= vhost_rounds; r++)); do
		order="ovs vsw"
		[ $((r % 2)) -eq 0 ] && order="vsw ovs"
		for s in $order; do
			measure "vhost-rx-r$r" "$s" "$BENCH_DIR/${s}_vhost.sh" rx "$secs" "$warm" "$w/pvp.pcap" || continue
			vhost_info "vhost-rx-r$r" rx $s
			[ "$s" = vsw ] && all_vsw="$all_vsw ${mpps[vhost-rx-r$r.vsw]}"
			[ "$s" = ovs ] && all_ovs="$all_ovs ${mpps[vhost-rx-r$r.ovs]}"
		done
		[ -n "${mpps[vhost-rx-r$r.vsw]:-}" ] && [ -n "${mpps[vhost-rx-r$r.ovs]:-}" ] &&
			info "# vhost-rx round $r: vsw/ovs $(ratio "${mpps[vhost-rx-r$r.vsw]}" "${mpps[vhost-rx-r$r.ovs]}")"
	done
	repeat=$saved
	[ -n "$all_vsw" ] && [ -n "$all_ovs" ] || return 0
	mpps[vhost-rx.vsw]=$(echo "$all_vsw" | median)
	mpps[vhost-rx.ovs]=$(echo "$all_ovs" | median)
	info "bench vhost-rx vsw ${mpps[vhost-rx.vsw]} (median of$all_vsw)"
	info "bench vhost-rx ovs ${mpps[vhost-rx.ovs]} (median of$all_ovs)"
	info "ratio vhost-rx vsw/ovs $(ratio "${mpps[vhost-rx.vsw]}" "${mpps[vhost-rx.ovs]}") (target >= 1.3; medians of $vhost_rounds alternating rounds)"
	[ -n "${mpps[vhost-rx.testpmd]:-}" ] &&
		info "ratio vhost-rx vsw/testpmd $(ratio "${mpps[vhost-rx.vsw]}" "${mpps[vhost-rx.testpmd]}") (median against one run)"
	return 0
}
if want vhost; then
	$PY "$BENCH_DIR/mkpcap.py" l2 "$w/pvp.pcap" 1 1 1024
	note "vhost-rx: virtio-user peer (testpmd txonly, 64-byte frames, cpu $BENCH_CTL_CPU) -> vhost-user port (client mode) -> switch -> null; ceiling: testpmd net_vhost rxonly"
	note "vhost-pvp: pcap(infinite_rx, 64-byte frames) -> switch -> vhost-user -> peer (testpmd macswap, cpu $BENCH_CTL_CPU) -> switch -> null; ceiling: testpmd io, chained ports"
	for sc in rx pvp; do
		if [ "$sc" = rx ] && [ "$vhost_rounds" -gt 1 ] && sys_on vsw && sys_on ovs; then
			vhost_rx_rounds
			continue
		fi
		for s in testpmd ovs vsw; do
			sys_on $s || continue
			measure "vhost-$sc" "$s" "$BENCH_DIR/${s}_vhost.sh" "$sc" "$secs" "$warm" "$w/pvp.pcap" || continue
			vhost_info "vhost-$sc" $sc $s
		done
		for s in ovs testpmd; do
			[ -n "${mpps[vhost-$sc.vsw]:-}" ] && [ -n "${mpps[vhost-$sc.$s]:-}" ] || continue
			t=
			[ $s = ovs ] && t=" (target >= 1.3)"
			info "ratio vhost-$sc vsw/$s $(ratio "${mpps[vhost-$sc.vsw]}" "${mpps[vhost-$sc.$s]}")$t$(disturbed "vhost-$sc.vsw" "vhost-$sc.$s")"
		done
	done
fi

# ---- latency ----
if want latency; then
	if "$BENCH_DIR/latency.sh" >"$w/lat" 2>&1; then
		cat "$w/lat" >&2
		while read -r k s v; do info "latency $k $s $v"; done < <(awk '$1 == "rtt_us" { print $2, $3, $4 }' "$w/lat")
	else
		cat "$w/lat" >&2
		note "latency skipped or failed (see $blog)"
	fi
fi

# ---- flows (bench/vsw_flows.sh): the l2 traffic through 0, 1, 100, 10,000 flow rules ----
if want flows; then
	[ -f "$w/l2.pcap" ] || $PY "$BENCH_DIR/mkpcap.py" l2 "$w/l2.pcap" 64 64 1024
	note "flows: l2 traffic, each frame hits a count,normal rule; the rest are misses; then single-rule add/del while forwarding"
	for n in ${BENCH_FLOW_RULES:-0 1 100 10000}; do
		measure "flows-$n" vsw "$BENCH_DIR/vsw_flows.sh" "$w/l2.pcap" "$n" "$secs" "$warm" || continue
		[ "$n" = 0 ] && continue
		info "flows $n rules: install $(field install_s) s, $(field updates_per_s) updates/s, $(field update_mpps) Mpps while updating, $(field hits) hits"
		[ -n "${mpps[flows-0.vsw]:-}" ] &&
			info "ratio flows-$n/flows-0 vsw $(ratio "${mpps[flows-$n.vsw]}" "${mpps[flows-0.vsw]}")$(disturbed flows-$n.vsw flows-0.vsw)"
	done
fi

# ---- capture (bench/vsw_l2.sh against a -Dtaps=false build; bench/vsw_capture.sh) ----
if want capture && sys_on vsw; then
	[ -f "$w/l2.pcap" ] || $PY "$BENCH_DIR/mkpcap.py" l2 "$w/l2.pcap" 64 64 1024
	nt=$(cd "$top" && realpath -m "$VSW_BUILD")-notaps
	note "capture: the l2 scenario with the taps compiled in (no capture running) and compiled out ($nt), alternating; then captures running"
	if { [ -f "$nt/build.ninja" ] || meson setup "$nt" "$top" -Dtaps=false -Dwerror=false >&2; } &&
		ninja -C "$nt" dataplane/vsw-dataplane tools/vswctl >&2; then
		cr=${BENCH_CAPTURE_ROUNDS:-3}
		all_on= all_off= saved=$repeat
		repeat=1
		for ((r = 1; r <= cr; r++)); do
			order="taps notaps"
			[ $((r % 2)) -eq 0 ] && order="notaps taps"
			for s in $order; do
				b=$VSW_BUILD
				[ $s = notaps ] && b=$nt
				measure "capture-r$r" $s env VSW_BUILD="$b" "$BENCH_DIR/vsw_l2.sh" "$w/l2.pcap" 64 "$secs" "$warm" || continue
				[ $s = taps ] && all_on="$all_on ${mpps[capture-r$r.taps]}"
				[ $s = notaps ] && all_off="$all_off ${mpps[capture-r$r.notaps]}"
			done
		done
		repeat=$saved
		if [ -n "$all_on" ] && [ -n "$all_off" ]; then
			a=$(echo "$all_on" | median)
			b=$(echo "$all_off" | median)
			info "bench capture-off vsw $a (taps in, no capture; median of$all_on)"
			info "bench capture-compiled-out vsw $b (median of$all_off)"
			info "ratio capture-off/compiled-out vsw $(ratio "$a" "$b") (target: 1.00 within run-to-run spread)"
		fi
	else
		note "capture: could not build the -Dtaps=false tree in $nt (see $blog)"
	fi
	if out=$(timeout -k 10 $((3 * (secs + warm) + 240)) "$BENCH_DIR/vsw_capture.sh" "$w/l2.pcap" 64 "$secs" "$warm" 2>>"$blog"); then
		echo "$out" >&2
		M_OUT=$out
		info "bench capture-filter vsw $(field mpps_filter) (rx capture running, filter matching no frame)"
		info "bench capture-all vsw $(field mpps_all) (rx capture of every frame; $(field captured) M frames/s written, $(field ring_full) M frames/s lost from the capture)"
		info "ratio capture-filter/off vsw $(ratio "$(field mpps_filter)" "$(field mpps_off)"); capture-all/off $(ratio "$(field mpps_all)" "$(field mpps_off)")"
	else
		note "capture: bench/vsw_capture.sh failed (see $blog)"
	fi
fi

# ---- vxlan, vxlan6 (bench/{vsw,ovs}_vxlan.sh): IPv4 and IPv6 underlays ----
# vxlan_egress SCENARIO SYSTEM: what the measurement says left its egress port.
vxlan_egress() {
	local e
	if [ "$2" = vsw ]; then
		e=$(echo "$M_OUT" | sed -n 's/^egress //p')
		if [ -z "$e" ]; then
			info "# $1 vsw: WARNING its egress frames were not checked (see $blog)"
		elif [ "$(field egress_bad)" != 0 ]; then
			info "# $1 vsw: WARNING $(field egress_bad) of $(field egress_checked) egress" \
				"frames wrong (see $blog); the first: $e"
		else
			info "# $1 vsw egress ($(field egress_checked) frames checked): $e"
		fi
	else
		e=$(echo "$M_OUT" | sed -n 's/^\(tnl_push\|tnl_pop\) //p' | head -1)
		info "# $1 ovs datapath: ${e:-WARNING no tunnel flow seen (see $blog)}"
	fi
}
for v in vxlan vxlan6; do
	want $v || continue
	f=${v#vxlan} # the mode suffix of bench/{vsw,ovs}_vxlan.sh: "" or 6
	[ -f "$w/l2.pcap" ] || $PY "$BENCH_DIR/mkpcap.py" l2 "$w/l2.pcap" 64 64 1024
	if [ $v = vxlan ]; then
		$PY "$BENCH_DIR/mkvxlan.py" "$w/vxlan.pcap" 64 64 1024 5001
		note "vxlan-encap: l2 pcap(infinite_rx) -> bridge (VNI 5001) -> one remote VTEP -> null underlay; vxlan-decap: VXLAN pcap(infinite_rx) -> bridge -> null; 64-byte inner frames, 64 MACs"
	else
		$PY "$BENCH_DIR/mkvxlan.py" "$w/vxlan6.pcap" 64 64 1024 5001 6
		note "vxlan6-encap, vxlan6-decap: the same over an IPv6 underlay, VTEP 2001:2::1 ->" \
			"remote 2001:2::2 (static next hop), outer UDP checksums computed and verified"
	fi
	for sc in encap decap; do
		p=$w/l2.pcap
		[ $sc = decap ] && p=$w/$v.pcap
		sys_on ovs && measure "$v-$sc" ovs "$BENCH_DIR/ovs_vxlan.sh" $sc$f "$p" 64 "$secs" "$warm" &&
			vxlan_egress "$v-$sc" ovs || true
		sys_on vsw && measure "$v-$sc" vsw "$BENCH_DIR/vsw_vxlan.sh" $sc$f "$p" 64 "$secs" "$warm" &&
			vxlan_egress "$v-$sc" vsw || true
		[ -n "${mpps[$v-$sc.vsw]:-}" ] && info "cycles $v-$sc vsw $(ratio "$mhz" "${mpps[$v-$sc.vsw]}")"
		[ -n "${mpps[$v-$sc.vsw]:-}" ] && [ -n "${mpps[$v-$sc.ovs]:-}" ] &&
			info "ratio $v-$sc vsw/ovs $(ratio "${mpps[$v-$sc.vsw]}" "${mpps[$v-$sc.ovs]}") (target >= 2)$(disturbed $v-$sc.vsw $v-$sc.ovs)"
		# what the IPv6 underlay costs each system, when both families ran
		[ $v = vxlan6 ] || continue
		for s in vsw ovs; do
			[ -n "${mpps[vxlan6-$sc.$s]:-}" ] && [ -n "${mpps[vxlan-$sc.$s]:-}" ] &&
				info "ratio vxlan6-$sc/vxlan-$sc $s $(ratio "${mpps[vxlan6-$sc.$s]}" "${mpps[vxlan-$sc.$s]}")$(disturbed vxlan6-$sc.$s vxlan-$sc.$s)"
		done
	done
done

# ---- record ----
if [ "$record" = 1 ] && [ ${#results[@]} -gt 0 ]; then
	doc=$top/docs/benchmarks.md
	{
		echo
		echo "### $started: vsw $rev"
		echo
		echo "$cpu_model, $(nproc --all) cpus at $mhz MHz, kernel $(uname -r); $mem_kind;"
		echo "polling cpu $BENCH_CPU, control cpu $BENCH_CTL_CPU; ${secs} s window after ${warm} s warm-up, best of $repeat;"
		echo "load average before the run: $load0."
		echo "scenarios: $only; systems: $systems (\`bench/run.sh\`)."
		echo
		echo '```'
		printf '%s\n' "${results[@]}"
		echo '```'
	} >>"$doc"
	note "appended to $doc"
fi
exec 2>&3
