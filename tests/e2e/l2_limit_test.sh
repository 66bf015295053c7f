#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# Limits: a bridge MAC limit and a port MAC limit stop learning (frames from unlearned
# sources dropped under mac_limit; static entries do not count), and storm control caps
# the flooded frames a port may inject per second while known unicast passes untouched.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ethtool
dp_start

# srcs PREFIX N [k=v]: N frame specs with sources PREFIX:01..N, to broadcast
srcs() {
	local i
	for ((i = 1; i <= $2; i++)); do
		printf '%s\n' "src=$1:$(printf %02x $i),id=src$i${3:+,$3}"
	done
}
learned_on() { vsw -j fdb show "$1" | jget "len([e for e in r if e['type'] == 'learned' and e['port'] == '$2'])"; }

log "bridge limit: br0 max_macs=4, a static entry on top, 10 sources from p1"
vsw_quiet bridge add br0 max_macs=4
vport_add p1
vport_add p2
vsw_quiet port attach p1 br0
vsw_quiet port attach p2 br0
vsw_quiet fdb add br0 02:00:00:00:00:55 p2
mapfile -t f < <(srcs 02:00:00:00:aa 10)
send p1 "${f[@]}"
expect_tx p2=4
expect_drop p1 mac_limit 6
n=$(learned_on br0 p1)
[[ $n == 4 ]] || fail "br0 learned $n MACs, expected 4 (max_macs=4)"
n=$(vsw -j bridge show br0 | jget "r[0]['macs_learned'], r[0]['macs_static']")
[[ $n == "[4, 1]" ]] || fail "bridge show br0: macs_learned, macs_static = $n, expected [4, 1]"
log "the first four were learned; a known source still passes at the limit"
send p1 "src=02:00:00:00:aa:01,id=known-at-limit"
expect_tx p2=5
expect_drop p1 mac_limit 6

log "port limit: q1 max_macs=3 in br1 (bridge limit default), 10 sources from q1"
vsw_quiet bridge add br1
vport_add q1 max_macs=3
vport_add q2
vsw_quiet port attach q1 br1
vsw_quiet port attach q2 br1
mapfile -t f < <(srcs 02:00:00:00:bb 10)
send q1 "${f[@]}"
expect_tx q2=3
expect_drop q1 mac_limit 7
n=$(learned_on br1 q1)
[[ $n == 3 ]] || fail "br1 learned $n MACs from q1, expected 3 (q1 max_macs=3)"
log "the limit is per port: q2 learns 5 more"
mapfile -t f < <(srcs 02:00:00:00:cc 5)
send q2 "${f[@]}"
expect_tx q1=5
n=$(learned_on br1 q2)
[[ $n == 5 ]] || fail "br1 learned $n MACs from q2, expected 5"

log "storm control: s1 storm_pps=10 storm_burst=10; 200 broadcasts then 50 known unicast"
vsw_quiet bridge add br2
vport_add s1 storm_pps=10 storm_burst=10
vport_add s2
vsw_quiet port attach s1 br2
vsw_quiet port attach s2 br2
X=02:00:00:00:dd:01
send s2 "src=$X,id=learn-x"
expect_tx s1=1 s2=0
send s1 "src=02:00:00:00:ee:01,n=200,id=storm" "src=02:00:00:00:ee:01,dst=$X,n=50,id=unicast"
# s2 has sent nothing yet: once it sent what storm control let through, the two add up
settled() { (($(port_drop s1 storm_limit) + $(port_stat s2 tx_packets) >= 250)); }
wait_for 10 "s2 to send the 250 frames that storm control did not drop" settled
sleep 0.3
storm=$(port_drop s1 storm_limit)
tx=$(port_stat s2 tx_packets)
log "s1: $storm of 200 broadcasts dropped under storm_limit; s2 sent $tx frames"
((storm >= 150)) || fail "only $storm of 200 broadcasts dropped under storm_limit at 10 pps"
((tx == 250 - storm)) || fail "s2 sent $tx frames, expected 250 - $storm (50 unicast must pass)"
expect_stat s1 drops_total "$storm"
log "below the rate, broadcasts pass again: 4 frames 250 ms apart after 1.5 s"
sleep 1.5
slow=$E2E_TMP/slow.pcap
mkpcap "$slow" "src=02:00:00:00:ee:01,n=4,id=slow"
send_pcap s1 "$slow" 250
expect_tx s2=$((tx + 4))
expect_drop s1 storm_limit "$storm"
dp_stop
