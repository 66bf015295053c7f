#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# Imperative commands kept as desired state. With a vsw-controller managing the dataplane,
# `vswctl bridge|port|fdb|flow ...` go to the controller (its `edit` request), which
# applies them as an apply and persists them:
#  1. a network built command by command (no apply ever) shows in `vswctl export` and in
#     the state file; --may-exist / --if-exists hold; flow ids are printed as before.
#  2. refused commands change nothing, `vswctl export` and the state file stay byte for
#     byte the same: a missing bridge, a static MAC on a VLAN its port does not carry and
#     a port a flow rule still names (the file validator's errors, naming the command and
#     the field), a pcap port the dataplane cannot open (undone midway).
#  3. --direct bypasses the controller; its change is not kept (the next edit plans it
#     away, as an apply would).
#  4. flow del by the dataplane's id, flow mod by name; the overlay by command (vtep add,
#     remote-add/-del, neigh-add; a second VTEP and vtep del under a remote refused).
#  5. kill -9 the dataplane, start a new one: the controller restores everything that was
#     typed, and `vswctl export` is what it was. A restarted controller loads it too.
#  6. without a controller, vswctl talks to the dataplane and says nothing extra; a
#     --controller that does not answer is an error.
. "$(dirname "$0")/controller_lib.sh"
ctrl_init
dp_start
ctrl_start

# vi ARGS...: vswctl on the test's dataplane with the controller named; fails on error.
vi() { vsw --controller "$CTRL_SOCK" "$@"; }
vi_status() { vsw_status --controller "$CTRL_SOCK" "$@"; }
state_sum() { md5sum <"$CTRL_STATE" | cut -d' ' -f1; }

log "1. build a network command by command"
vi bridge add br0 aging=60
vi bridge add br0 --may-exist
rc=0
out=$(vi_status bridge add br0) || rc=$?
((rc == 1)) && grep -q 'bridge add br0: bridge "br0" exists' <<<"$out" || fail "second bridge add: exit $rc: $out"
vi bridge add br1 max_macs=1000
vi port add p1 null
vi port add p2 null storm_pps=500
vi port add p3 ring
vi port add p1 null --may-exist
vi port attach p1 br0
vi port attach p2 br0 vlan=10
vi port attach p3 br1 trunk=10,20-30 native=10
vi fdb add br0 02:00:00:00:00:01 p2 vlan=10
id1=$(vi flow add br0 name=no-dns priority=200 in_port=p1 eth_type=ipv4 udp_dst=53 actions=drop)
id2=$(vi flow add br0 priority=100 eth_type=arp actions=count,normal)
[[ $id1 =~ ^[0-9]+$ && $id2 =~ ^[0-9]+$ && $id1 != "$id2" ]] || fail "flow add printed \"$id1\" and \"$id2\", not two ids"
vi port del nosuch --if-exists
vi fdb del br0 02:00:00:00:00:99 --if-exists
rc=0
out=$(vi_status port del nosuch) || rc=$?
((rc == 1)) && grep -q 'no port "nosuch"' <<<"$out" || fail "port del nosuch: exit $rc: $out"

exp=$(vc export)
printf '%s\n' "$exp"
for want in 'br0:' 'mac_aging_s: 60' 'max_macs: 1000' 'p1: {type: null}' 'p2: {type: null, storm_pps: 500}' \
	'p3: {type: ring}' 'p2: {vlan: 10}' 'p3: {trunk: \[10, 20-30\], native: 10}' \
	"02:00:00:00:00:01'*, port: p2, vlan: 10" 'name: no-dns' 'l4_dst: 53' 'eth_type: arp' \
	'actions: \[count, normal\]'; do
	grep -q -- "$want" <<<"$exp" || fail "export lacks \"$want\""
done
for want in 'name: no-dns' 'p3: {trunk:' '02:00:00:00:00:01'; do
	grep -q -- "$want" "$CTRL_STATE" || fail "the state file lacks \"$want\""
done
[[ $(vsw -j flow show br0 | jget "sorted(f['id'] for f in r)") == "[$((id1 < id2 ? id1 : id2)), $((id1 < id2 ? id2 : id1))]" ]] ||
	fail "flow ids printed ($id1, $id2) are not the dataplane's"
grep -q 'in sync' <<<"$(vc show)" || fail "show does not say the dataplane is in sync"

log "2. refused commands change nothing"
before=$(vc export)
sum_before=$(state_sum)
refused() { # refused PATTERN ARGS...: exit 1 with PATTERN in the output, nothing changed
	local pat=$1 rc=0 out
	shift
	out=$(vi_status "$@") || rc=$?
	printf '%s\n' "$out"
	((rc == 1)) || fail "\`vswctl $*\` exited $rc, expected 1: $out"
	grep -q -- "$pat" <<<"$out" || fail "\`vswctl $*\` does not say \"$pat\": $out"
	[[ $(vc export) == "$before" ]] || fail "\`vswctl $*\` changed the running topology"
	[[ $(state_sum) == "$sum_before" ]] || fail "\`vswctl $*\` changed the state file"
}
# errors name the command as typed; the field alone when it is the command's own object
refused 'port attach p3 nobr: no bridge "nobr"' port attach p3 nobr
refused 'fdb add br0 02:00:00:00:00:02 p2 vlan=20: error: vlan: port "p2" does not carry VLAN 20' \
	fdb add br0 02:00:00:00:00:02 p2 vlan=20
refused 'port del p1: error: flows\[0\].match.in_port' port del p1
refused 'flow add br0 ip_proto=udp actions=drop: error: match.ip_proto' flow add br0 ip_proto=udp actions=drop
refused 'bridge add br9 aging=0: error: mac_aging_s: 0 is out of range' bridge add br9 aging=0
refused 'flow add br0 name=no-dns actions=drop: a rule named "no-dns" exists' flow add br0 name=no-dns actions=drop
# the validator's cross-references name no line of a text nobody saw
out=$(vi_status flow add br0 priority=100 eth_type=arp actions=drop) && fail "a duplicate rule was kept: $out"
grep -q 'as flows\[1\] (expected' <<<"$out" || fail "the duplicate rule's error does not name flows[1]: $out"
grep -q 'line' <<<"$out" && fail "the duplicate rule's error names a line: $out"
refused 'step .* (port-add zbad) failed' port add zbad pcap rx_pcap="$E2E_TMP/no-such-dir/x.pcap"
[[ $(vsw -j port show | jget 'len(r)') == 3 ]] || fail "a refused port was left behind"

log "3. --direct bypasses the controller, and is not kept"
vsw --controller "$CTRL_SOCK" --direct bridge add brd
vsw --controller "$CTRL_SOCK" port add pd null --direct
[[ $(vsw -j bridge show | jget 'len(r)') == 3 ]] || fail "--direct bridge add did not reach the dataplane"
grep -q 'brd' "$CTRL_STATE" && fail "--direct bridge add went into the state file"
grep -q 'DIFFERS' <<<"$(vc show)" || fail "show does not see the --direct change"
vi bridge set br0 aging=90
[[ $(vsw -j bridge show | jget "sorted(b['name'] for b in r)") == '["br0", "br1"]' ]] ||
	fail "the next edit did not plan the --direct bridge away"
[[ $(vsw -j port show | jget 'len(r)') == 3 ]] || fail "the next edit did not plan the --direct port away"
[[ $(vsw -j bridge show br0 | jget "r[0]['mac_aging_s']") == 90 ]] || fail "bridge set not applied"

log "4. flow del by id, flow mod by name"
[[ $(vi flow del br0 id="$id2") == 'deleted 1 flow' ]] || fail "flow del id=$id2"
vi flow mod br0 name=no-dns actions=count,drop
exp=$(vc export)
grep -q 'eth_type: arp' <<<"$exp" && fail "the deleted rule is still exported"
grep -q 'actions: \[count, drop\]' <<<"$exp" || fail "flow mod not exported: $exp"
grep -q 'eth_type: arp' "$CTRL_STATE" && fail "the deleted rule is still in the state file"
vi flow del br0 name=gone --if-exists

log "4b. the overlay by command: VTEP, VNI, remote, static next hop"
vi port add ul ring
vi vtep add vt0 ul 198.18.0.1/24 mtu=1600
vi vtep add vt0 ul 198.18.0.1/24 --may-exist
vi bridge set br1 vni=5001
vi vtep remote-add br1 198.18.0.2
vi vtep remote-add br1 198.18.0.2 --may-exist
vi vtep remote-add br1 198.18.0.3
vi vtep neigh-add vt0 198.18.0.2 02:aa:00:00:00:02
[[ $(vsw -j vtep show | jget "' '.join(sorted(x['port'] for x in r[0]['remotes']))") == \
	"vx5001-198.18.0.2 vx5001-198.18.0.3" ]] || fail "the remotes do not run"
[[ $(vsw -j vtep show | jget "[n['mac'] for n in r[0]['neighbours'] if n['state'] == 'static']") == \
	'["02:aa:00:00:00:02"]' ]] || fail "the static next hop does not run"
vi vtep remote-del br1 198.18.0.3
rc=0
out=$(vi_status vtep del vt0) || rc=$?
((rc == 1)) && grep -q 'still has 1 remote VTEP' <<<"$out" || fail "vtep del under a remote: exit $rc: $out"
rc=0
out=$(vi_status vtep add vt1 p1 198.18.0.5) || rc=$?
((rc == 1)) && grep -q 'describes one VTEP' <<<"$out" || fail "a second VTEP: exit $rc: $out"
exp=$(vc export)
for want in 'vtep: {name: vt0, local_ip: 198.18.0.1, port: ul, udp_port: 4789, mtu: 1600}' \
	'vni: 5001' 'remotes: \[198.18.0.2\]' "ip: 198.18.0.2, mac: '\?02:aa:00:00:00:02"; do
	grep -q "$want" <<<"$exp" || fail "export lacks \"$want\": $exp"
done
grep -q 'vt0' "$CTRL_STATE" || fail "the VTEP is not in the state file"

log "5. kill -9 the dataplane: the controller restores what was typed"
before=$(vc export)
kill -KILL "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
DP_PID=
wait_for 5 "the controller to notice the dataplane is gone" grep -q 'lost the dataplane' "$CTRL_LOG"
rm -rf "/var/run/dpdk/$E2E_PREFIX"
dp_start
wait_for 10 "the controller to reprogram the new dataplane" \
	grep -q 'the dataplane runs the desired state again' "$CTRL_LOG"
after=$(vc export)
if [[ $after != "$before" ]]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
	fail "the restarted dataplane does not run what was typed"
fi
[[ $(vsw -j port show p3 | jget "r[0]['trunk']") == '[10, "20-30"]' ]] || fail "p3's trunk not restored"
[[ $(vsw -j fdb show br0 | jget "len([e for e in r if e['type'] == 'static'])") == 1 ]] ||
	fail "static MAC not restored"
[[ $(vsw -j flow show br0 | jget "[f['name'] for f in r]") == '["no-dns"]' ]] || fail "flow not restored"
log "a restarted controller keeps it"
ctrl_kill TERM
ctrl_start
sleep 1
grep -q 'in sync' <<<"$(vc show)" || fail "the restarted controller does not find its state running"
[[ $(vc export) == "$before" ]] || fail "the restarted controller changed the topology"

log "6. without a controller: straight to the dataplane, nothing extra said"
ctrl_kill TERM
out=$(VSW_CONTROLLER_SOCKET=$E2E_TMP/no-ctrl.sock timeout 15 "$CTL_BIN" -s "$SOCK" bridge add br9 2>&1) ||
	fail "bridge add without a controller: $out"
[[ -z $out ]] || fail "vswctl said something without a controller: $out"
[[ $(vsw -j bridge show br9 | jget "r[0]['name']") == br9 ]] || fail "br9 not made"
rc=0
out=$(vi_status bridge add br8) || rc=$?
((rc == 1)) && grep -q 'is vsw-controller running' <<<"$out" || fail "a named controller that is down: exit $rc: $out"
dp_stop
