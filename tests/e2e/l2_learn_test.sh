#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# MAC learning, in sequenced phases through veths (each phase waits until the switch has
# received it before the next): flood of the unknown, unicast of the learned, station
# move, no hairpin (dst_is_ingress) and static entries that learning cannot move.
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
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c
D=02:00:00:00:00:0d
S=02:00:00:00:00:55

# fdb_port MAC: the port the bridge has MAC on ("" if none); fdb_type MAC likewise.
fdb_field() { vsw -j fdb show br0 | jget "([e['$2'] for e in r if e['mac'] == '$1' and e['vlan'] == 1] + [''])[0]"; }
expect_fdb() {
	local port type
	port=$(fdb_field "$1" port)
	type=$(fdb_field "$1" type)
	[[ $port == "$2" && $type == "$3" ]] || {
		vsw fdb show br0 >&2
		fail "fdb: $1 is on '$port' ($type), expected on $2 ($3)"
	}
}

log "phase 1: A -> broadcast from p1 is flooded to p2 and p3"
f1="src=$A,dst=ff:ff:ff:ff:ff:ff,id=phase1"
send p1 "$f1"
expect_tx p1=0 p2=1 p3=1
expect_frames p2 "$f1"
expect_frames p3 "$f1"
expect_fdb $A p1 learned

log "phase 2: B -> A from p2 goes only to p1 (A was learned there)"
f2="src=$B,dst=$A,id=phase2"
send p2 "$f2"
expect_tx p1=1 p2=1 p3=1
expect_frames p1 "$f2"

log "phase 3: A -> B from p1 goes only to p2"
f3="src=$A,dst=$B,id=phase3"
send p1 "$f3"
expect_tx p1=1 p2=2 p3=1
expect_frames p2 "$f3"

log "fdb: A on p1 and B on p2, both learned"
vsw fdb show br0
expect_fdb $A p1 learned
expect_fdb $B p2 learned
n=$(vsw -j fdb show br0 | jget 'len(r)')
[[ $n == 2 ]] || fail "fdb has $n entries, expected 2"
n=$(vsw -j fdb show br0 port=p2 | jget 'len(r)')
[[ $n == 1 ]] || fail "fdb show port=p2 gave $n entries, expected 1"

log "phase 4: station move: A -> B from p3; the fdb follows and so does B -> A"
f4="src=$A,dst=$B,id=phase4-move"
send p3 "$f4"
expect_tx p1=1 p2=3 p3=1
expect_frames p2 "$f4"
expect_fdb $A p3 learned
f5="src=$B,dst=$A,id=phase4-to-moved"
send p2 "$f5"
expect_tx p1=1 p2=3 p3=2
expect_frames p3 "$f5"
moves=$(vsw -j bridge show br0 | jget "r[0]['counters']['moves']")
((moves >= 1)) || fail "bridge counters.moves is $moves after a station move"

log "phase 5: no hairpin: C learned on p1, then D -> C from p1 goes nowhere"
f6="src=$C,dst=ff:ff:ff:ff:ff:ff,id=phase5-learn-c"
send p1 "$f6"
expect_tx p1=1 p2=4 p3=3
expect_frames p2 "$f6"
expect_frames p3 "$f6"
send p1 "src=$D,dst=$C,id=phase5-hairpin"
expect_tx p1=1 p2=4 p3=3
expect_drop p1 dst_is_ingress 1

log "phase 6: static S on p2 is not moved by a frame from S on p3"
vsw_quiet fdb add br0 $S p2
expect_fdb $S p2 static
# To A, which is on p3 itself: whatever the switch makes of the spoofed source, the
# frame must not leave (a hairpin), so the frames each port sent stay predictable.
send p3 "src=$S,dst=$A,id=phase6-spoof"
expect_tx p1=1 p2=4 p3=3
expect_fdb $S p2 static
log "... and traffic to S still goes to p2 only"
f7="src=$A,dst=$S,id=phase6-to-static"
send p3 "$f7"
expect_tx p1=1 p2=5 p3=3
expect_frames p2 "$f7"

log "fdb del removes the static entry; flush empties the learned ones"
vsw_quiet fdb del br0 $S
[[ -z $(fdb_field $S port) ]] || fail "fdb del br0 $S left it in the table"
vsw_quiet fdb flush br0
n=$(vsw -j fdb show br0 | jget 'len(r)')
[[ $n == 0 ]] || fail "fdb has $n entries after flush"

dp_stop
check_frames p1 p2 p3
