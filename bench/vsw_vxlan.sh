#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's VXLAN tunnel on the ports of ovs_vxlan.sh, one busy-polling worker:
#   encap  pcap0 (64-byte inner frames, infinite_rx) -> bridge br0 (VNI 5001) -> tunnel
#          port to remote VTEP 198.18.0.2 (the NDST destination MACs static on it) ->
#          underlay null0 (VTEP 198.18.0.1, static next hop 02:aa:00:00:00:02)
#   decap  pcap0 = underlay (VXLAN frames from 198.18.0.2, bench/mkvxlan.py) -> br0 ->
#          null0 (the NDST destination MACs static on it)
#   encap6, decap6  the same over an IPv6 underlay: VTEP 2001:2::1/64, remote VTEP and
#          static next hop 2001:2::2 (RFC 5180's range; the decap pcap from
#          `mkvxlan.py ... 6`); the encap side computes the outer UDP checksum
# The figure is the growth of null0's tx_packets over SECONDS after a WARMUP.
# Usage: vsw_vxlan.sh encap|decap|encap6|decap6 PCAP NDST SECONDS [WARMUP]
# Env: VSW_BUILD, BENCH_HUGE, BENCH_CPU, BENCH_CTL_CPU.
# Prints `mpps N`, `rx_mpps N`, `drops N` (frames dropped in the window, all ports),
# `cpu_share N` and, from 8 frames of null0's tx captured after the window
# (bench/vxlancheck.py: outer headers of the right family and checksum, or plain inner
# frames after decap), `egress SUMMARY`, `egress_checked N` and `egress_bad N`.
set -eu
. "$(dirname "$0")/lib.sh"

usage="usage: vsw_vxlan.sh encap|decap|encap6|decap6 PCAP NDST SECONDS [WARMUP]"
mode=${1:?$usage}
pcap=${2:?$usage}
ndst=${3:-64}
secs=${4:-10}
warm=${5:-2}
case $mode in
encap | decap) fam=4 local_ip=198.18.0.1/24 remote=198.18.0.2 ;;
encap6 | decap6) fam=6 local_ip=2001:2::1/64 remote=2001:2::2 mode=${mode%6} ;;
*) die "mode must be encap, decap, encap6 or decap6" ;;
esac

d=$(mktemp -d /tmp/bench-vsw.XXXXXX)
on_exit "rm -rf $d"
vsw_start "$d" 32768 512 0
tun=vx5001-${remote//:/_}

vswctl bridge add br0 vni=5001 >/dev/null
vswctl port add null0 null >/dev/null
if [ "$mode" = encap ]; then
	vswctl vtep add vt0 null0 $local_ip mac=02:aa:00:00:00:01 >/dev/null
	vswctl vtep neigh-add vt0 $remote 02:aa:00:00:00:02 >/dev/null
	vswctl vtep remote-add br0 $remote >/dev/null
	dst=$tun
	in=pcap0
else
	vswctl port attach null0 br0 >/dev/null
	dst=null0
	in=$tun
fi
for ((j = 0; j < ndst; j++)); do
	vswctl fdb add br0 "$(printf '02:00:00:01:%02x:%02x' $((j >> 8)) $((j & 255)))" $dst >/dev/null
done
vswctl port add pcap0 pcap rx_pcap="$pcap" infinite_rx=true >/dev/null
if [ "$mode" = encap ]; then
	vswctl port attach pcap0 br0 >/dev/null
else
	vswctl vtep add vt0 pcap0 $local_ip mac=02:aa:00:00:00:01 >/dev/null
	vswctl vtep neigh-add vt0 $remote 02:aa:00:00:00:02 >/dev/null
	vswctl vtep remote-add br0 $remote >/dev/null
fi
wait_for 30 vsw_moving null0 || { vswctl vtep show >&2; vswctl stats >&2; die "no traffic reached null0 after 30 s"; }
nap "$warm"

drops() { vswctl -j stats | $PY -c 'import json, sys; print(sum(p["drops_total"] for p in json.load(sys.stdin)))'; }
tid=$(poll_thread $VSW_PID)
t0=$(now); a=$(vsw_stat null0 tx_packets); ra=$(vsw_stat "$in" rx_packets)
da=$(drops); s0=$(sched_sample $VSW_PID $tid)
nap "$secs"
t1=$(now); b=$(vsw_stat null0 tx_packets); rb=$(vsw_stat "$in" rx_packets)
db=$(drops); s1=$(sched_sample $VSW_PID $tid)
vswctl info >&2 || true
vswctl stats >&2 || true
vswctl vtep show >&2 || true
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "rx_mpps $(rate "$ra" "$rb" "$t0" "$t1")"
echo "drops $((db - da))"
echo "cpu_share $(cpu_share "$s0" "$s1")"
# After the window, so that the capture's copies do not touch the figure.
if vswctl capture null0 -i tx -c 8 --pcap -w "$d/egress.pcap" >&2; then
	$PY "$BENCH_DIR/vxlancheck.py" $mode "$d/egress.pcap" $fam "${local_ip%/*}" \
		$remote 5001 || log "the egress frames are not what $1 should send (above)"
else
	log "could not capture null0's egress frames"
fi
vsw_stop
