#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# MAC aging on a bridge with aging=2: a learned MAC stays while it is seen, leaves about
# 2 s after it falls silent (and then frames to it are flooded again), a static entry
# never ages.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ethtool
dp_start

vsw_quiet bridge add br0 aging=2
aging=$(vsw -j bridge show br0 | jget "r[0]['mac_aging_s']")
[[ $aging == 2 ]] || fail "bridge show br0 gives mac_aging_s=$aging, expected 2"
vport_add p1
vport_add p2
vsw_quiet port attach p1 br0
vsw_quiet port attach p2 br0

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
S=02:00:00:00:00:55
has_mac() { [[ $(vsw -j fdb show br0 | jget "len([e for e in r if e['mac'] == '$1'])") == 1 ]]; }
gone_mac() { ! has_mac "$1"; }

vsw_quiet fdb add br0 $S p2
# Made beforehand: scapy takes half a second to start, and seconds on a loaded machine,
# enough for A to age before it is looked at, or for B to age between its keepalives.
mkpcap "$E2E_TMP/learn-a.pcap" "src=$A,id=learn-a"
mkpcap "$E2E_TMP/learn-b.pcap" "src=$B,id=learn-b"
mkpcap "$E2E_TMP/keepalive.pcap" "src=$B,dst=$S,id=keepalive"
log "learn A on p1 and B on p2"
# before A is sent: the time it takes to age is then never taken for less than it was
t0=$(date +%s.%N)
send_pcap p1 "$E2E_TMP/learn-a.pcap"
has_mac $A || fail "A not learned"
send_pcap p2 "$E2E_TMP/learn-b.pcap"
vsw fdb show br0

log "keep B alive with a frame every 0.5 s while A stays silent"
for _ in 1 2 3 4 5 6 7 8; do
	send_pcap p2 "$E2E_TMP/keepalive.pcap"
	sleep 0.5
	if gone_mac $A; then
		break
	fi
done
gone_mac $A || wait_for 4 "A to age out" gone_mac $A
t1=$(date +%s.%N)
elapsed=$($PY -c "print(round($t1 - $t0, 1))")
log "A aged out after about ${elapsed}s"
$PY -c "import sys; sys.exit(0 if $t1 - $t0 >= 1.5 else 1)" ||
	fail "A aged out after ${elapsed}s, before its 2 s aging time"
has_mac $B || fail "B aged out although it sent every 0.5 s"
has_mac $S || fail "static S aged out"
aged=$(vsw -j bridge show br0 | jget "r[0]['counters']['aged']")
((aged >= 1)) || fail "bridge counters.aged is $aged after A aged"

log "a frame to the aged A is flooded again (p1 gets it)"
tx1=$(port_stat p1 tx_packets)
send p2 "src=$B,dst=$A,id=to-aged-a"
wait_stat p1 tx_packets $((tx1 + 1))

log "B falls silent too and ages; S stays"
wait_for 6 "B to age out" gone_mac $B
sleep 1
has_mac $S || fail "static S aged out"
type=$(vsw -j fdb show br0 | jget "[e['type'] for e in r if e['mac'] == '$S'][0]")
[[ $type == static ]] || fail "S is $type, expected static"
dp_stop
