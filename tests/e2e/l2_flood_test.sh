#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Flooding: broadcast, multicast and unknown unicast entering one port of a 3-port bridge
# leave on the two others byte for byte (padding included) and never on the one they came
# in; runts die under `runt`, multicast/broadcast/zero source MACs under src_mac_invalid.
# Frames enter through veths captured by the pcap PMD (so each phase starts only when the
# previous one is done); runts cannot be sent on a veth (the kernel refuses frames shorter
# than an Ethernet header), so they come from an rx_pcap file on a fourth port.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ethtool
dp_start

vsw_quiet bridge add br0
for p in p1 p2 p3; do
	vport_add $p
	vsw_quiet port attach $p br0
done

A=02:00:00:00:00:0a
log "phase 1: broadcast, multicast, unknown unicast and padded frames from p1"
frames=(
	"src=$A,dst=ff:ff:ff:ff:ff:ff,id=broadcast"
	"src=$A,dst=01:00:5e:00:00:fb,id=ipv4-multicast,ipdst=224.0.0.251"
	"src=$A,dst=33:33:00:00:00:01,id=ipv6-multicast"
	"src=$A,dst=02:00:00:00:00:99,id=unknown-unicast"
	"src=$A,dst=ff:ff:ff:ff:ff:ff,id=pad,len=60"
	"src=$A,dst=02:00:00:00:00:98,id=unknown-unicast-padded,len=60"
	"src=$A,dst=ff:ff:ff:ff:ff:ff,id=big,len=1514"
)
send p1 "${frames[@]}"
expect_tx p1=0 p2=7 p3=7
expect_frames p2 "${frames[@]}"
expect_frames p3 "${frames[@]}"
check_frames p1 p2 p3

log "phase 2: invalid source MACs from p2 are dropped, never flooded or learned"
send p2 "src=01:00:5e:00:00:01,dst=ff:ff:ff:ff:ff:ff,id=mcast-src" \
	"src=ff:ff:ff:ff:ff:ff,dst=ff:ff:ff:ff:ff:ff,id=bcast-src" \
	"src=00:00:00:00:00:00,dst=02:00:00:00:00:99,id=zero-src" \
	"src=03:00:00:00:00:01,dst=$A,id=group-bit-src"
expect_tx p1=0 p2=7 p3=7
expect_drop p2 src_mac_invalid 4
n=$(vsw -j fdb show br0 | jget "len([e for e in r if e['port'] == 'p2'])")
[[ $n == 0 ]] || fail "p2 learned $n MACs from invalid sources"

log "phase 3: runts (1, 6, 12 and 13 bytes) replayed by an rx_pcap port die as runt"
# The port is polled from its `port add` on, before its attach: what it reads in between
# is dropped as no_bridge. So it replays the runts forever and the test counts the ones
# that arrive once it is attached (all of them must be runt drops), then detaches it.
mkpcap "$E2E_TMP/runts.pcap" hex=ff hex=ffffffffffff hex=ffffffffffff02000000000a \
	hex=ffffffffffff02000000000a08
vsw_quiet port add pr pcap "rx_pcap=$E2E_TMP/runts.pcap" infinite_rx=true
vsw_quiet port attach pr br0
wait_for 10 "1000 runt drops on pr" stat_ge_drop pr runt 1000
vsw_quiet port detach pr
st=$(vsw -j stats pr | jget "[(p['rx_packets'], p['drops']['runt'], p['drops']['no_bridge'],
	p['drops_total'], p['tx_packets']) for p in r][0]")
log "pr [rx, runt, no_bridge, drops_total, tx] = $st"
$PY -c "import sys; rx, runt, nb, tot, tx = $st; sys.exit(0 if tot == runt + nb and tx == 0 else 1)" ||
	fail "pr dropped runts under other reasons or sent frames: $st"
vsw_quiet port del pr
expect_tx p1=0 p2=7 p3=7

log "totals: nothing else was dropped anywhere"
expect_stat p1 drops_total 0
expect_stat p2 drops_total 4
expect_stat p3 drops_total 0

dp_stop
log "after a clean stop the tx pcaps are complete: compare them again"
check_frames p1 p2 p3
