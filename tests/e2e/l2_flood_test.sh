#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# Flooding: broadcast, multicast and unknown unicast entering one port of a 3-port bridge
# leave on the two others byte for byte (padding included) and never on the one they came
# in; runts die under `runt`, multicast/broadcast/zero source MACs under src_mac_invalid.
# Frames enter through veths captured by the pcap PMD (so each phase starts only when the
# previous one is done), and from an rx_pcap file on a fourth port: runts cannot be sent
# on a veth (the kernel refuses frames shorter than an Ethernet header).
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

log "phase 3: an rx_pcap port: runts (1, 6, 12, 13 bytes) die as runt, the rest floods"
# A port is polled only once attached, so every frame of its rx_pcap file reaches the
# bridge; the other ports are attached already.
E=02:00:00:00:00:0e
good=("src=$E,dst=ff:ff:ff:ff:ff:ff,id=from-file" "src=$E,dst=01:00:5e:00:00:01,id=mc-file,len=60"
	"hex=ffffffffffff02000000000e0800")
mkpcap "$E2E_TMP/runts.pcap" hex=ff "${good[0]}" hex=ffffffffffff \
	hex=ffffffffffff02000000000a "${good[1]}" hex=ffffffffffff02000000000a08 "${good[2]}"
vsw_quiet port add pr pcap "rx_pcap=$E2E_TMP/runts.pcap" "tx_pcap=$(tx_file pr)"
vsw_quiet port attach pr br0
wait_stat pr rx_packets 7
expect_tx p1=3 p2=10 p3=10 pr=0
expect_drop pr runt 4
expect_stat pr drops_total 4
expect_frames p1 "${good[@]}"
expect_frames p2 "${good[@]}"
expect_frames p3 "${good[@]}"
check_frames p1 p2 p3 pr

log "totals: nothing else was dropped anywhere"
expect_stat p1 drops_total 0
expect_stat p2 drops_total 4
expect_stat p3 drops_total 0
expect_stat pr drops_total 4

dp_stop
log "after a clean stop the tx pcaps are complete: compare them again"
check_frames p1 p2 p3 pr
