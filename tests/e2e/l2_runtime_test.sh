#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# Reconfiguration under traffic: p1 replays a small pcap forever (3 frames to a MAC
# statically on p2, 1 broadcast) while other ports and bridges are added, attached,
# given fdb entries and removed 20 times. Nothing may be lost on the way p1 -> p2: at the
# end, once p1 is detached, every frame p1 received was either sent by p2 or counted as
# no_bridge (should a detached port still be polled). p2 is a null port, whose tx never
# fails, so any difference is a frame the switch lost.
. "$(dirname "$0")/lib.sh"
e2e_init
dp_start

M=02:00:00:00:77:77
mkpcap "$E2E_TMP/src.pcap" "src=02:00:00:00:00:a1,dst=$M,id=u1" \
	"src=02:00:00:00:00:a2,dst=$M,id=u2" "src=02:00:00:00:00:a3,id=bcast" \
	"src=02:00:00:00:00:a4,dst=$M,id=u3,len=60"

vsw_quiet bridge add br0
vsw_quiet port add p2 null
vsw_quiet port attach p2 br0
vsw_quiet fdb add br0 $M p2
vsw_quiet port add p1 pcap "rx_pcap=$E2E_TMP/src.pcap" infinite_rx=true
vsw_quiet port attach p1 br0
wait_stat p2 tx_packets 1000
before=$(port_stat p2 tx_packets)

log "20 rounds of add/attach/fdb/detach/del of ports and bridges while p1 forwards"
for ((i = 1; i <= 20; i++)); do
	vsw_quiet port add x$i null
	vsw_quiet port attach x$i br0
	vsw_quiet fdb add br0 "02:00:00:00:88:$(printf %02x $i)" x$i
	vsw_quiet bridge add b$i aging=$((i + 10))
	vsw_quiet port add y$i ring
	vsw_quiet port attach y$i b$i trunk=1-100 native=$i
	vsw_quiet port add z$i null
	vsw_quiet port attach z$i br0 vlan=$((i + 1))
	vsw_quiet port attach z$i br0 vlan=1
	vsw_quiet port del x$i
	vsw_quiet port detach y$i
	vsw_quiet bridge del b$i
	vsw_quiet port del y$i
	vsw_quiet port del z$i
done
after=$(port_stat p2 tx_packets)
log "p2 sent $((after - before)) frames during the 20 rounds"
((after - before > 1000)) || fail "forwarding stalled during reconfiguration: p2 tx $before -> $after"
n=$(vsw -j port show | jget 'len(r)')
[[ $n == 2 ]] || fail "port show lists $n ports after the rounds, expected 2"
n=$(vsw -j bridge show | jget 'len(r)')
[[ $n == 1 ]] || fail "bridge show lists $n bridges after the rounds, expected 1"
n=$(vsw -j fdb show br0 | jget "len([e for e in r if e['port'] not in ('p1', 'p2')])")
[[ $n == 0 ]] || fail "$n fdb entries still point at deleted ports"

rc=0
out=$(vsw_status bridge del br0) || rc=$?
((rc == 1)) || fail "bridge del br0 with ports attached exited $rc, expected 1 (EBUSY): $out"
[[ $(vsw -j bridge show | jget 'len(r)') == 1 ]] || fail "a failed bridge del removed the bridge"

log "detach p1 (it stops forwarding), then account for every frame it received"
vsw_quiet port detach p1
balance() {
	vsw -j stats | jget "[(p1['rx_packets'] - p1['drops']['no_bridge'], p2['tx_packets'],
		p1['drops_total'] - p1['drops']['no_bridge'], p2['drops_total'])
		for p1 in r if p1['name'] == 'p1' for p2 in r if p2['name'] == 'p2'][0]"
}
ok=0
for ((i = 0; i < 30; i++)); do
	b=$(balance)
	# [forwarded by p1, sent by p2, other drops on p1, drops on p2]
	if $PY -c "import sys; a = $b; sys.exit(0 if a[0] == a[1] and a[2] == 0 and a[3] == 0 else 1)"; then
		ok=1
		break
	fi
	sleep 0.1
done
vsw stats
((ok)) || fail "frames lost: [p1 rx - no_bridge, p2 tx, p1 other drops, p2 drops] = $b"
log "balanced: [p1 rx - no_bridge, p2 tx, p1 other drops, p2 drops] = $b"
vsw_quiet port del p1
dp_stop
