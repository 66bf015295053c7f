#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# Flow tables in front of the learning bridge, end to end through vswctl: rules drop,
# redirect, mirror, re-tag and count frames as specified, checked frame by frame on the
# ports' pcap tx files and on the per-rule counters; a modify keeps the counters and
# changes what happens at once; deleting every rule brings plain bridging back; a port
# that rules name cannot be deleted (port del names the rules) until they are.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ethtool
dp_start

vsw_quiet bridge add br0
for p in a b c tr; do
	vport_add $p
done
vport_add mir # mirror destination: in no bridge
vsw_quiet port attach a br0
vsw_quiet port attach b br0
vsw_quiet port attach c br0
vsw_quiet port attach tr br0 trunk=1,20 native=1

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
BC=ff:ff:ff:ff:ff:ff

# flow_field ID FIELD: a field of one rule of `flow show br0 -j`
flow_field() { vsw -j flow show br0 | jget "[f for f in r if f['id'] == $1][0]['$2']"; }

log "0: refusals name the field and change nothing"
out=$(vsw_status flow add br0 l4_dst=53 actions=drop) && fail "l4_dst without ip_proto accepted"
[[ $out == *ip_proto* ]] || fail "unexpected message: $out"
out=$(vsw_status flow add br0 actions=output:nope) && fail "output to a missing port accepted"
[[ $out == *nope* ]] || fail "unexpected message: $out"
out=$(vsw_status flow add br0 in_port=a) && fail "a rule without actions accepted"
n=$(vsw -j flow show br0 | jget 'len(r)')
[[ $n == 0 ]] || fail "refused rules left $n flows behind"

log "1: rules: drop one address from a, redirect another to c, mirror b, re-tag a source"
id_drop=$(vsw flow add br0 name=drop99 priority=200 in_port=a ip_dst=198.51.100.99 actions=count,drop)
id_redir=$(vsw flow add br0 priority=100 eth_type=ipv4 ip_dst=198.51.100.50/32 udp_dst=9 actions=output:c)
id_mirror=$(vsw flow add br0 priority=50 in_port=b actions=mirror:mir,normal)
id_tag=$(vsw flow add br0 priority=40 eth_src=02:00:00:00:77:00/ff:ff:ff:ff:ff:00 actions=set_vlan:20,normal)
vsw flow show br0

log "2: to 198.51.100.99 from a: dropped by the rule, counted as flow_drop"
send a "src=$A,dst=$BC,id=to-99,ipdst=198.51.100.99"
expect_tx a=0 b=0 c=0 tr=0 mir=0
expect_drop a flow_drop 1

log "3: the same address from b is not matched by the in_port rule: flooded (and mirrored)"
send b "src=$B,dst=$BC,id=b-to-99,ipdst=198.51.100.99"
expect_tx a=1 b=0 c=1 tr=1 mir=1
expect_frames a "src=$B,dst=$BC,id=b-to-99,ipdst=198.51.100.99"
expect_frames c "src=$B,dst=$BC,id=b-to-99,ipdst=198.51.100.99"
expect_frames tr "src=$B,dst=$BC,id=b-to-99,ipdst=198.51.100.99"
expect_frames mir "src=$B,dst=$BC,id=b-to-99,ipdst=198.51.100.99"

log "4: a broadcast to 198.51.100.50 udp/9 goes only to c (redirected, not flooded)"
send a "src=$A,dst=$BC,id=redirect,ipdst=198.51.100.50"
expect_tx a=1 b=0 c=2 tr=1 mir=1
expect_frames c "src=$A,dst=$BC,id=redirect,ipdst=198.51.100.50"

log "5: a source matching the MAC mask is moved to VLAN 20: only the trunk, tagged 20"
send a "src=02:00:00:00:77:42,dst=$BC,id=retag"
expect_tx a=1 b=0 c=2 tr=2 mir=1
expect_frames tr "src=02:00:00:00:77:42,dst=$BC,id=retag,vlan=20"

log "6: counters per rule"
[[ $(flow_field "$id_drop" packets) == 1 ]] || fail "drop rule packets $(flow_field "$id_drop" packets)"
[[ $(flow_field "$id_redir" packets) == 1 ]] || fail "redirect rule packets wrong"
[[ $(flow_field "$id_mirror" packets) == 1 ]] || fail "mirror rule packets wrong"
[[ $(flow_field "$id_tag" packets) == 1 ]] || fail "set_vlan rule packets wrong"
bytes=$(flow_field "$id_redir" bytes)
((bytes > 40)) || fail "redirect rule bytes $bytes"

log "7: flow mod: the drop rule now sends to b; its counter carries on"
vsw_quiet flow mod br0 name=drop99 actions=count,output:b
send a "src=$A,dst=$BC,id=to-99-again,ipdst=198.51.100.99"
expect_tx a=1 b=1 c=2 tr=2 mir=1
expect_frames b "src=$A,dst=$BC,id=to-99-again,ipdst=198.51.100.99"
[[ $(flow_field "$id_drop" packets) == 2 ]] || fail "counter lost across flow mod"

log "8: flow del of the redirect: that traffic is flooded again"
vsw_quiet flow del br0 id="$id_redir"
send a "src=$A,dst=$BC,id=no-redirect,ipdst=198.51.100.50"
expect_tx a=1 b=2 c=3 tr=3 mir=1
expect_frames b "src=$A,dst=$BC,id=no-redirect,ipdst=198.51.100.50"
expect_frames c "src=$A,dst=$BC,id=no-redirect,ipdst=198.51.100.50"
expect_frames tr "src=$A,dst=$BC,id=no-redirect,ipdst=198.51.100.50"
out=$(vsw_status flow del br0 id="$id_redir") && fail "deleting a deleted flow succeeded"
vsw_quiet flow del br0 id="$id_redir" --if-exists

log "9: flow del all: plain bridging, no more drops or mirror copies"
vsw flow del br0 all
n=$(vsw -j flow show br0 | jget 'len(r)')
[[ $n == 0 ]] || fail "flow del all left $n flows"
send a "src=$A,dst=$BC,id=plain,ipdst=198.51.100.99"
expect_tx a=1 b=3 c=4 tr=4 mir=1
for p in b c tr; do
	expect_frames $p "src=$A,dst=$BC,id=plain,ipdst=198.51.100.99"
done
expect_drop a flow_drop 1

log "10: a port that rules name is not deleted: the next port would take its index and rules"
vport_add gone
vsw_quiet port attach gone br0
id_in=$(vsw flow add br0 name=from-gone in_port=gone actions=drop)
id_out=$(vsw flow add br0 priority=10 eth_dst=02:00:00:00:00:99 actions=mirror:gone,normal)
out=$(vsw_status port del gone) && fail "port del of a port that rules name succeeded"
[[ $out == *"flow $id_in (from-gone)"* && $out == *"flow $id_out"* ]] ||
	fail "port del does not name the rules: $out"
vsw -j port show | grepq '"gone"' || fail "the refused port del removed the port"
vsw_quiet flow del br0 name=from-gone
out=$(vsw_status port del gone) && fail "port del with a mirror rule left succeeded"
[[ $out == *"flow $id_out"* && $out != *from-gone* ]] || fail "unexpected message: $out"
vsw_quiet flow del br0 id="$id_out"
vsw_quiet port del gone
# a new port in the freed index starts with no rule: its frames are bridged as usual
vport_add new
vsw_quiet port attach new br0
n=$(vsw -j flow show br0 | jget 'len(r)')
[[ $n == 0 ]] || fail "$n flows left after deleting the port's rules"
send new "src=02:00:00:00:00:0e,dst=$BC,id=new-port,ipdst=198.51.100.99"
expect_tx a=2 b=4 c=5 tr=5 mir=1
for p in a b c tr; do
	expect_frames $p "src=02:00:00:00:00:0e,dst=$BC,id=new-port,ipdst=198.51.100.99"
done

dp_stop
check_frames a b c tr mir
