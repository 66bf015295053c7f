#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 180
#
# The controller programs the VXLAN overlay. Two dataplanes (A and B, distinct
# --file-prefix and sockets) across a veth underlay, as in vxlan_two_vsw_test.sh, each
# with its own vsw-controller applying config/examples/overlay-host-{a,b}.yaml (interface
# names made unique for this run). A's file gets a third remote, 198.18.0.3, that exists
# only as a static next hop. Checked: the hosts H1 (198.51.100.1, behind A) and H2
# (198.51.100.2, behind B) ping both ways across the overlay; applying the same files again
# plans nothing (--dry-run exits 0) and so does the export; a file whose overlay MTU does
# not fit the underlay is refused with the field's place, and a file the dataplane refuses
# midway (the VTEP re-created, then a port that cannot open) is undone: `vswctl export`
# byte for byte as before, and traffic still crosses; a new file without 198.18.0.3 removes
# that remote (its tunnel port and next hop go, the flood goes to 198.18.0.2 alone).
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
vswb() { timeout 15 "$CTL_BIN" -s "$B_SOCK" "$@"; }
b_start controller

H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
# the overlay MTU the files promise (1450): hosts must not send more
two_hosts_add "$H1" 02:00:00:00:c9:01 "$H2" 02:00:00:00:c9:02 1450

EX=$E2E_DIR/../../config/examples
A=$E2E_TMP/a.yaml
A3=$E2E_TMP/a3.yaml
B=$E2E_TMP/b.yaml
sed "s/vswo-/${E2E_TAG}/g" "$EX/overlay-host-a.yaml" >"$A"
sed "s/vswo-/${E2E_TAG}/g" "$EX/overlay-host-b.yaml" >"$B"
sed -e 's/^  remotes: \[198.18.0.2\]$/  remotes: [198.18.0.2, 198.18.0.3]\n  neighbours: [{ ip: 198.18.0.3, mac: "02:aa:00:00:00:03" }]/' "$A" >"$A3"
grep -q 198.18.0.3 "$A3" || fail "could not make the three-remote variant of $A"

log "check: both files are valid"
"$CTL_BIN" check -f "$A3" || fail "vswctl check refused $A3"
"$CTL_BIN" check -f "$B" || fail "vswctl check refused $B"

log "apply: A (remotes .2 and .3), B (remote .1)"
vc apply -f "$A3"
vcb apply -f "$B"
vsw vtep show

log "the VTEPs resolve each other, hosts ping across the overlay"
ping_ok() { ip netns exec "$H1" ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1; }
wait_for 15 "H1 to reach H2 over the overlay" ping_ok
wait_for 5 "A to resolve 198.18.0.2" nh_resolved 198.18.0.2
wait_for 5 "B to resolve 198.18.0.1" nh_resolved 198.18.0.1 vswb
ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2 || fail "ping H1 -> H2 failed"
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping H2 -> H1 failed"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 -M 'do' -s 1422 198.51.100.2 ||
	fail "a 1450-byte packet (the overlay MTU) did not cross"
t3=$(port_stat vx5001-198.18.0.3 tx_packets)
((t3 >= 1)) || fail "198.18.0.3 got no flooded frame ($t3)"

log "re-apply: nothing to do (both controllers), and the export applies as no change"
rc=0
out=$(vc_status apply -f "$A3" --dry-run) || rc=$?
((rc == 0)) || fail "re-applying A planned changes (exit $rc): $out"
rc=0
out=$(timeout 60 "$CTL_BIN" --controller "$CB_SOCK" apply -f "$B" --dry-run 2>&1) || rc=$?
((rc == 0)) || fail "re-applying B planned changes (exit $rc): $out"
vc export >"$E2E_TMP/export.yaml"
cat "$E2E_TMP/export.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/export.yaml" --dry-run) || rc=$?
((rc == 0)) || fail "applying A's export plans changes (exit $rc): $out"

before=$(vc export)
log "refused: an overlay MTU that does not fit the underlay"
sed 's/    mtu: 1450/    mtu: 1500/' "$A3" >"$E2E_TMP/bigmtu.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/bigmtu.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "an overlay MTU over the underlay's was applied (exit $rc)"
line=$(grep -n '^    mtu: 1500' "$E2E_TMP/bigmtu.yaml" | cut -d: -f1)
[[ $out == *"bigmtu.yaml:$line:10: error: bridges.tenant.mtu: overlay MTU 1500 + 50 bytes"* ]] ||
	fail "the MTU error does not name the field and its place: $out"
rc=0
"$CTL_BIN" check -f "$E2E_TMP/bigmtu.yaml" >/dev/null 2>&1 || rc=$?
((rc == 1)) || fail "vswctl check accepted the MTU (exit $rc)"
[[ $(vc export) == "$before" ]] || fail "a refused file changed the running topology"

log "refused midway by the dataplane: VTEP re-created, then a port that cannot open"
sed -e 's/port: underlay, mtu: 1500 }/port: underlay, mtu: 1600 }/' \
	-e "s|^  h1: .*|&\n  bad: { type: pcap, rx_pcap: $E2E_TMP/none/x.pcap }|" "$A3" >"$E2E_TMP/midway.yaml"
if ! grep -q "mtu: 1600" "$E2E_TMP/midway.yaml" || ! grep -q "^  bad:" "$E2E_TMP/midway.yaml"; then
	fail "could not make the midway file"
fi
rc=0
out=$(vc_status apply -f "$E2E_TMP/midway.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "a plan with a failing step was applied (exit $rc)"
[[ $out == *"vtep-del"* || $out == *"undone"* ]] || fail "the failure does not say what was undone: $out"
[[ $out != *"UNDO INCOMPLETE"* ]] || fail "the undo was incomplete: $out"
after=$(vc export)
if [[ $after != "$before" ]]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2
	fail "the undone apply left the running topology changed"
fi
wait_for 15 "H1 to reach H2 again after the undo" ping_ok

log "a new file without 198.18.0.3: its remote, tunnel port and next hop go"
rc=0
out=$(vc_status apply -f "$A" --dry-run) || rc=$?
printf '%s\n' "$out"
((rc == 2)) || fail "--dry-run of the removal exited $rc, expected 2"
[[ $out == *"198.18.0.3"* ]] || fail "the plan does not name the remote: $out"
vc apply -f "$A"
remotes=$(vsw -j vtep show | jget "' '.join(x['remote'] for x in r[0]['remotes'])")
[[ $remotes == 198.18.0.2 ]] || fail "remotes after removal: $remotes"
vsw -j port show | jget "' '.join(p['name'] for p in r)" | grepq "vx5001-198.18.0.3" &&
	fail "the tunnel port to 198.18.0.3 is still there"
nbs=$(vsw -j vtep show | jget "' '.join(n['ip'] for n in r[0]['neighbours'])")
[[ $nbs != *198.18.0.3* ]] || fail "the static next hop 198.18.0.3 is still there: $nbs"
t2=$(port_stat vx5001-198.18.0.2 tx_packets)
ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 198.51.100.77 >/dev/null 2>&1 || true
t2b=$(port_stat vx5001-198.18.0.2 tx_packets)
((t2b > t2)) || fail "the flood (ARP for 198.51.100.77) did not reach 198.18.0.2 ($t2 -> $t2b)"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 198.51.100.2 || fail "ping after the removal failed"
rc=0
out=$(vc_status apply -f "$A" --dry-run) || rc=$?
((rc == 0)) || fail "re-applying the new file planned changes (exit $rc): $out"

vsw vtep show
vswb vtep show
b_stop
ctrl_kill TERM
dp_stop
