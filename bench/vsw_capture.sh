#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What a capture costs the forwarding core: vsw_l2.sh's setup (pcap0 replays PCAP forever
# into br0, NDST static MACs on null0, one busy-polling worker), measured in one dataplane
# run without a capture, then with `vswctl capture pcap0 -i rx` running with a filter that
# matches no frame (the cost of the filter: the JIT-compiled eBPF per frame), then with no
# filter into /dev/null (the cost of copying every frame; what the control thread cannot
# write in time is lost from the capture, counted as ring_full, and forwarding goes on).
# Usage: vsw_capture.sh PCAP NDST SECONDS [WARMUP]
# Env: as vsw_l2.sh. Prints `mpps_off N`, `mpps_filter N`, `mpps_all N`, and for the last
# one `captured N` and `ring_full N` (frames per second).
set -eu
. "$(dirname "$0")/lib.sh"

pcap=${1:?usage: vsw_capture.sh PCAP NDST SECONDS [WARMUP]}
ndst=${2:-64}
secs=${3:-10}
warm=${4:-2}

d=$(mktemp -d /tmp/bench-vswcap.XXXXXX)
on_exit "rm -rf $d"
vsw_start "$d" 32768 512 0

vsw_l2_setup "$pcap" "$ndst"
nap "$warm"

window() { # -> Mpps through null0 over secs
	local t0 t1 a b
	t0=$(now); a=$(vsw_stat null0 tx_packets)
	nap "$secs"
	t1=$(now); b=$(vsw_stat null0 tx_packets)
	rate "$a" "$b" "$t0" "$t1"
}
cap_field() { vswctl -j capture list | $PY -c "import json,sys; print(json.load(sys.stdin)[0]['$1'])"; }

echo "mpps_off $(window)"

"$VSWCTL" -s "$VSW_SOCK" capture pcap0 -i rx -q -w /dev/null vlan 4000 &
cpid=$!
on_exit "kill $cpid 2>/dev/null"
wait_for 10 sh -c "[ \$($VSWCTL -s $VSW_SOCK -j info | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"captures\"])') = 1 ]" ||
	die "capture did not start"
nap 1
echo "mpps_filter $(window)"
kill -INT $cpid; wait $cpid || true

"$VSWCTL" -s "$VSW_SOCK" capture pcap0 -i rx -q -w /dev/null &
cpid=$!
on_exit "kill $cpid 2>/dev/null"
wait_for 10 sh -c "[ \$($VSWCTL -s $VSW_SOCK -j info | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"captures\"])') = 1 ]" ||
	die "capture did not start"
nap 1
c0=$(cap_field captured); f0=$(cap_field ring_full); t0=$(now)
echo "mpps_all $(window)"
c1=$(cap_field captured); f1=$(cap_field ring_full); t1=$(now)
echo "captured $(rate "$c0" "$c1" "$t0" "$t1")"
echo "ring_full $(rate "$f0" "$f1" "$t0" "$t1")"
kill -INT $cpid; wait $cpid || true
vsw_stop
