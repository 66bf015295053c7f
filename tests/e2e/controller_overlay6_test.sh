#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 180
#
# The controller programs a VXLAN overlay over an IPv6 underlay (2001:2::/48, RFC 5180's
# benchmarking range). As controller_overlay_test.sh, with config/examples/overlay6-host-
# {a,b}.yaml: two dataplanes (A and B) on the two ends of a veth, each with its own
# vsw-controller; VTEPs 2001:2::1 and 2001:2::2 (/64, the IPv6 default), hosts H1
# (198.51.100.1, behind A) and H2 (198.51.100.2, behind B). The underlay addresses are the
# VTEPs' own, answered by vsw's neighbour discovery: the kernel holds none on the veths
# (IPv6 is off on them, so there is no DAD, router solicitation or MLD to wait for or to
# count as drops). A's file gets a third remote, 2001:2::1234:5678:9abc:def0, whose default
# tunnel port name would be 34 characters (the dataplane refuses more than 31 without
# port=): it exists only as a static next hop, with a static MAC behind it. Checked:
# neighbour discovery both ways, pings both ways and at the overlay MTU (1430: 70 bytes of
# headers), the long remote's tunnel port is the controller's hashed name and gets the
# flood; applying the same files again plans nothing, nor does the export, nor A's file
# with its addresses spelled otherwise ("2001:2:0::2"); a mixed-family file and an
# overlay MTU that fits IPv4 but not IPv6 are refused with the field's place; a remote,
# next hop and MAC added through the controller (vswctl --controller vtep remote-add ...)
# show in the export; a new file without the long remote removes it with its next hop and
# MAC.
. "$(dirname "$0")/controller_lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
ctrl_init
e2e_require ping ethtool
dp_start
ctrl_start

b_init ctrl_on_exit
vcb() {
	local out rc=0
	out=$(timeout 60 "$CTL_BIN" --controller "$CB_SOCK" "$@" 2>&1) || rc=$?
	((rc == 0)) || fail "vswctl --controller (B) $* -> exit $rc: $out"
	[[ -z $out ]] || printf '%s\n' "$out"
}
vcb_status() { timeout 60 "$CTL_BIN" --controller "$CB_SOCK" "$@" 2>&1; }
vswb() { timeout 15 "$CTL_BIN" -s "$B_SOCK" "$@"; }
# vi ARGS...: an imperative vswctl command on A, kept by A's controller
vi() { vsw --controller "$CTRL_SOCK" "$@"; }
b_start controller

[[ $(vc -j show | jget "r['controller']['overlay6']") == true ]] ||
	fail "controller A does not see the dataplane's IPv6 VTEPs: $(vc -j show)"

H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
# the overlay MTU the files promise (1430 over IPv6): hosts must not send more
two_hosts_add "$H1" 02:00:00:00:c9:01 "$H2" 02:00:00:00:c9:02 1430

LONG=2001:2::1234:5678:9abc:def0
LONG_PORT=vx5001-823b7774 # FNV-1a of the address (config/topo_model.c, topo_tunnel_name)
EX=$E2E_DIR/../../config/examples
A=$E2E_TMP/a.yaml
A3=$E2E_TMP/a3.yaml
B=$E2E_TMP/b.yaml
sed "s/vswo-/${E2E_TAG}/g" "$EX/overlay6-host-a.yaml" >"$A"
sed "s/vswo-/${E2E_TAG}/g" "$EX/overlay6-host-b.yaml" >"$B"
sed -e "s/^  remotes: \[\"2001:2::2\"\]\$/  remotes: [\"2001:2::2\", \"$LONG\"]\n  neighbours: [{ ip: \"$LONG\", mac: \"02:aa:00:00:00:03\" }]/" \
	-e "s/^    mac_aging_s: 60\$/&\n    static_macs: [{ mac: \"02:00:00:00:c9:99\", remote: \"$LONG\" }]/" \
	"$A" >"$A3"
grep -q "neighbours:.*$LONG" "$A3" && grep -q "static_macs:.*$LONG" "$A3" ||
	fail "could not make the three-remote variant of $A"

log "check: both files are valid; a mixed family is refused at the field"
"$CTL_BIN" check -f "$A3" || fail "vswctl check refused $A3"
"$CTL_BIN" check -f "$B" || fail "vswctl check refused $B"
sed 's/^  remotes: \["2001:2::2", /  remotes: ["2001:2::2", 198.18.0.2, /' "$A3" >"$E2E_TMP/mixed.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/mixed.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "a mixed-family file was applied (exit $rc)"
line=$(grep -n '^  remotes:' "$E2E_TMP/mixed.yaml" | cut -d: -f1)
[[ $out == *"mixed.yaml:$line:26: error: overlay.remotes[1]: 198.18.0.2 is not of local_ip's family (expected an IPv6 address, as local_ip)"* ]] ||
	fail "the family error does not name the field and its place: $out"

log "apply: A (remotes 2001:2::2 and $LONG), B (remote 2001:2::1)"
vc apply -f "$A3"
vcb apply -f "$B"
vsw vtep show

log "the VTEPs resolve each other by neighbour discovery, hosts ping across"
ping_ok() { ip netns exec "$H1" ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1; }
wait_for 15 "H1 to reach H2 over the overlay" ping_ok
wait_for 5 "A to resolve 2001:2::2" nh_resolved 2001:2::2
wait_for 5 "B to resolve 2001:2::1" nh_resolved 2001:2::1 vswb
ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2 || fail "ping H1 -> H2 failed"
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping H2 -> H1 failed"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 -M 'do' -s 1402 198.51.100.2 ||
	fail "a 1430-byte packet (the overlay MTU) did not cross"
ns=$(vsw -j vtep show | jget "r[0]['counters']['nd_na_rx'] + r[0]['counters']['nd_ns_rx']")
((ns >= 1)) || fail "A counted no neighbour discovery message ($ns)"
ports=$(vsw -j vtep show | jget "' '.join(sorted(x['port'] for x in r[0]['remotes']))")
[[ $ports == "vx5001-2001_2__2 $LONG_PORT" ]] || fail "tunnel ports on A: $ports"
t3=$(port_stat "$LONG_PORT" tx_packets)
((t3 >= 1)) || fail "$LONG got no flooded frame ($t3)"
fdb=$(vsw -j fdb show tenant | jget "' '.join('%s/%s/%s' % (e['mac'], e['port'], e.get('remote_vtep', '-')) for e in r if e['type'] == 'static')")
[[ $fdb == "02:00:00:00:c9:99/$LONG_PORT/$LONG" ]] || fail "the static MAC behind $LONG: $fdb"

log "re-apply: nothing to do (both controllers), nor for the export or other spellings"
rc=0
out=$(vc_status apply -f "$A3" --dry-run) || rc=$?
((rc == 0)) || fail "re-applying A planned changes (exit $rc): $out"
rc=0
out=$(vcb_status apply -f "$B" --dry-run) || rc=$?
((rc == 0)) || fail "re-applying B planned changes (exit $rc): $out"
vc export >"$E2E_TMP/export.yaml"
cat "$E2E_TMP/export.yaml"
grep -q "local_ip: '2001:2::1'" "$E2E_TMP/export.yaml" || fail "the export lacks local_ip 2001:2::1"
grep -q "prefix_len" "$E2E_TMP/export.yaml" && fail "the export writes the default prefix_len"
rc=0
out=$(vc_status apply -f "$E2E_TMP/export.yaml" --dry-run) || rc=$?
((rc == 0)) || fail "applying A's export plans changes (exit $rc): $out"
vcb export >"$E2E_TMP/exportb.yaml"
rc=0
out=$(vcb_status apply -f "$E2E_TMP/exportb.yaml" --dry-run) || rc=$?
((rc == 0)) || fail "applying B's export plans changes (exit $rc): $out"
sed -e 's/"2001:2::2"/"2001:2:0::2"/' -e 's/"2001:2::1"/"2001:0002::0001"/' \
	-e "s/$LONG/2001:2:0:0:1234:5678:9ABC:DEF0/g" "$A3" >"$E2E_TMP/spelled.yaml"
grep -q '2001:0002::0001' "$E2E_TMP/spelled.yaml" || fail "could not respell $A3"
rc=0
out=$(vc_status apply -f "$E2E_TMP/spelled.yaml" --dry-run) || rc=$?
((rc == 0)) || fail "the same addresses spelled otherwise plan changes (exit $rc): $out"

before=$(vc export)
log "refused: an overlay MTU that fits an IPv4 underlay, not an IPv6 one"
sed 's/    mtu: 1430/    mtu: 1450/' "$A3" >"$E2E_TMP/bigmtu.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/bigmtu.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "an overlay MTU over the underlay's was applied (exit $rc)"
line=$(grep -n '^    mtu: 1450' "$E2E_TMP/bigmtu.yaml" | cut -d: -f1)
[[ $out == *"bigmtu.yaml:$line:10: error: bridges.tenant.mtu: overlay MTU 1450 + 70 bytes of VXLAN headers exceeds the underlay MTU 1500 (overlay.vtep.mtu) (expected mtu at most 1430, or overlay.vtep.mtu of at least 1520)"* ]] ||
	fail "the MTU error does not name the field and its place: $out"
[[ $(vc export) == "$before" ]] || fail "a refused file changed the running topology"

log "through the controller: an IPv6 remote, its next hop and a MAC behind it, kept"
vi vtep remote-add tenant 2001:2::3
vi vtep neigh-add vtep0 2001:2::3 02:aa:00:00:00:04
vi fdb add tenant 02:00:00:00:c9:98 vx5001-2001_2__3
exp=$(vc export)
printf '%s\n' "$exp"
[[ $exp == *"remotes: ['2001:2::2', '2001:2::3', '$LONG']"* ]] ||
	fail "the export lacks the remote 2001:2::3 in the bridge's list"
[[ $exp == *"{ip: '2001:2::3', mac: '02:aa:00:00:00:04'}"* ]] || fail "the export lacks the next hop"
[[ $exp == *"{mac: '02:00:00:00:c9:98', remote: '2001:2::3', vlan: 1}"* ]] ||
	fail "the export lacks the MAC behind 2001:2::3"
vsw -j port show | jget "' '.join(p['name'] for p in r)" | grepq "vx5001-2001_2__3" ||
	fail "no tunnel port vx5001-2001_2__3"
rc=0
out=$(vsw_status --controller "$CTRL_SOCK" vtep remote-add tenant 198.18.0.9) || rc=$?
((rc == 1)) && [[ $out == *"198.18.0.9 is not of local_ip's family"* ]] ||
	fail "an IPv4 remote on the IPv6 VTEP: exit $rc: $out"
vi vtep remote-del tenant 2001:2:0::3
vi vtep neigh-del vtep0 2001:2::3
[[ $(vc export) == "$before" ]] || fail "removing what the commands added did not give the file back"

log "a new file without $LONG: its remote, tunnel port, next hop and MAC go"
rc=0
out=$(vc_status apply -f "$A" --dry-run) || rc=$?
printf '%s\n' "$out"
((rc == 2)) || fail "--dry-run of the removal exited $rc, expected 2"
[[ $out == *"$LONG"* ]] || fail "the plan does not name the remote: $out"
vc apply -f "$A"
remotes=$(vsw -j vtep show | jget "' '.join(x['remote'] for x in r[0]['remotes'])")
[[ $remotes == 2001:2::2 ]] || fail "remotes after removal: $remotes"
vsw -j port show | jget "' '.join(p['name'] for p in r)" | grepq "$LONG_PORT" &&
	fail "the tunnel port to $LONG is still there"
nbs=$(vsw -j vtep show | jget "' '.join(n['ip'] for n in r[0]['neighbours'])")
[[ $nbs != *"$LONG"* ]] || fail "the static next hop $LONG is still there: $nbs"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 198.51.100.2 || fail "ping after the removal failed"
rc=0
out=$(vc_status apply -f "$A" --dry-run) || rc=$?
((rc == 0)) || fail "re-applying the new file planned changes (exit $rc): $out"

vsw vtep show
vswb vtep show
b_stop
ctrl_kill TERM
dp_stop
