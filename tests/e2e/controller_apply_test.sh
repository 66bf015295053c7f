#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# vsw-controller's transactions: apply a topology, apply it again (an empty plan, exit 0
# with --detailed-exitcode), change it (the plan names each change; 2 with --dry-run,
# which changes nothing), export it and apply the export (no changes). Then two rejected
# applies, each of which must leave the running topology byte for byte as it was
# (`vswctl export` before and after): one the validator refuses, one the dataplane
# refuses midway (a pcap port whose file cannot be read, after a bridge change, a new
# bridge and a new port that must all be undone). Last, a corrupted state file: the
# restarted controller says so, applies none of it and leaves the dataplane alone.
. "$(dirname "$0")/controller_lib.sh"
ctrl_init
dp_start
ctrl_start

T=$E2E_TMP/topo.yaml
cat >"$T" <<YAML
version: 1
ports:
  a: { type: null }
  b: { type: ring }
  c: { type: null, rx: false, storm_pps: 1000 }
bridges:
  br0:
    mac_aging_s: 60
    ports:
      a: { vlan: 10 }
      b: { trunk: [10, 20, "30-40"], native: 10 }
    static_macs:
      - { mac: "02:00:00:00:00:01", port: a, vlan: 10 }
  br1:
    ports:
      c: {}
YAML

log "apply: 2 bridges, 3 ports, 3 attachments, 1 static MAC"
out=$(vc apply -f "$T")
printf '%s\n' "$out"
grep -q '^Plan for .*: 5 to add' <<<"$out" || fail "plan summary: $out"
[[ $(vsw -j port show | jget 'len(r)') == 3 ]] || fail "expected 3 ports"
[[ $(vsw -j port show b | jget "r[0]['trunk']") == '[10, 20, "30-40"]' ]] || fail "b's trunk"
[[ $(vsw -j fdb show br0 | jget "' '.join('%s/%s/%s/%s' % (e['mac'], e['vlan'], e['port'], e['type']) for e in r)") == \
	"02:00:00:00:00:01/10/a/static" ]] || fail "static MAC not in br0"
[[ -s $CTRL_STATE ]] || fail "no state file written"
tail -n 1 "$CTRL_STATE" | grepq '^# vsw-state crc32=' || fail "state file has no checksum line"

log "the same file again: no changes"
ports_before=$(dpdk_ports)
rc=0
out=$(vc_status apply -f "$T" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-apply exited $rc, expected 0: $out"
grep -q '^No changes' <<<"$out" || fail "re-apply printed: $out"
[[ $(dpdk_ports) == "$ports_before" ]] || fail "re-apply re-created ports"

log "a change: dry run first (exit 2, nothing changed), then for real"
sed -e 's/mac_aging_s: 60/mac_aging_s: 90/' -e 's/a: { vlan: 10 }/a: { vlan: 11 }/' \
	-e 's/port: a, vlan: 10/port: a, vlan: 11/' -e 's/rx: false, storm_pps: 1000/rx: false, storm_pps: 2000/' \
	-e '/^  b: { type: ring }/a\  d: { type: null }' "$T" >"$E2E_TMP/topo2.yaml"
exp_before=$(vc export)
rc=0
out=$(vc_status apply -f "$E2E_TMP/topo2.yaml" --dry-run) || rc=$?
printf '%s\n' "$out"
((rc == 2)) || fail "--dry-run with changes exited $rc, expected 2"
[[ $(vc export) == "$exp_before" ]] || fail "--dry-run changed the running topology"
for want in '~ bridge br0 .*mac_aging_s 60 -> 90' '~ attach a -> br0 .*access vlan 10 -> access vlan 11' \
	'~ port c .*storm_pps 1000 -> 2000' '+ port d' '+ fdb br0 02:00:00:00:00:01 vlan 11' \
	'- fdb br0 02:00:00:00:00:01 vlan 10'; do
	grep -q -- "$want" <<<"$out" || fail "plan lacks \"$want\""
done
# the summary counts objects and the body lists the same objects, each with its steps:
# br0 (its aging, a's VLAN and the static MAC's move) and c changed in place, d added
grep -q '^Plan for .*: 1 to add, 2 to change, 0 to remove' <<<"$out" || fail "plan summary: $out"
[[ $(grep -c '^[-+~/]* [a-z]* [^ ]*: ' <<<"$out") == 3 ]] || fail "plan body does not list 3 objects: $out"
for want in '^~ bridge br0: changed in place' '^~ port c: changed in place' '^+ port d: added'; do
	grep -q -- "$want" <<<"$out" || fail "plan body lacks \"$want\": $out"
done
grep -q -- 'port b\|port a ' <<<"$out" && fail "plan touches ports a or b as ports: $out"
vc apply -f "$E2E_TMP/topo2.yaml" >/dev/null
[[ $(vsw -j bridge show br0 | jget "r[0]['mac_aging_s']") == 90 ]] || fail "aging not changed"
[[ $(vsw -j port show a | jget "r[0]['vlan']") == 11 ]] || fail "a's vlan not changed"
[[ $(vsw -j port show c | jget "r[0]['storm_pps']") == 2000 ]] || fail "c's storm_pps not changed"
[[ $(vsw -j port show b | jget "r[0]['dpdk_port']") == $(sed 's/.*b=\([0-9]*\).*/\1/' <<<"$ports_before") ]] ||
	fail "port b was re-created by a change that does not concern it"

log "export, and apply the export: no changes"
vc export >"$E2E_TMP/export.yaml"
cat "$E2E_TMP/export.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/export.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "applying the export exited $rc: $out"

log "rejected by the validator: nothing changes"
before=$(vc export)
printf 'version: 1\nports:\n  a: { type: nul }\nbridges:\n  br0:\n    ports: { zz: {} }\n' >"$E2E_TMP/bad.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/bad.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "invalid file exited $rc, expected 1"
grep -q 'bad.yaml:3:.*error: ports.a.type' <<<"$out" || fail "no file:line:col error for ports.a.type"
grep -q 'bad.yaml:6:.*error: bridges.br0.ports.zz' <<<"$out" || fail "not every error reported"
[[ $(vc export) == "$before" ]] || fail "a refused file changed the running topology"

log "refused by the dataplane midway (unreadable pcap): everything undone"
sed -e 's/mac_aging_s: 90/mac_aging_s: 120/' "$E2E_TMP/topo2.yaml" >"$E2E_TMP/mid.yaml"
cat >>"$E2E_TMP/mid.yaml" <<YAML
  br2:
    ports:
      e: {}
      zbad: {}
YAML
sed -i -e "/^  d: { type: null }/a\  e: { type: null }\n  zbad: { type: pcap, rx_pcap: $E2E_TMP/no-such-dir/none.pcap }" "$E2E_TMP/mid.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/mid.yaml") || rc=$?
printf '%s\n' "$out"
((rc == 1)) || fail "apply with an unreadable pcap exited $rc, expected 1"
grep -q 'port-add zbad' <<<"$out" || fail "the error does not name the failing step"
grep -q 'undone' <<<"$out" || fail "the error does not say the changes were undone"
after=$(vc export)
if [[ $after != "$before" ]]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
	fail "a refused apply changed the running topology"
fi
[[ $(vsw -j bridge show | jget 'len(r)') == 2 ]] || fail "bridge br2 left behind"
[[ $(vsw -j bridge show br0 | jget "r[0]['mac_aging_s']") == 90 ]] || fail "br0's aging not restored"
log "export identical before and after both refused applies"

log "a mutating request from a peer without rights is refused"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	chmod 0755 "$E2E_TMP"
	chmod 0666 "$CTRL_SOCK"
	chmod 0644 "$T"
	rc=0
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL_BIN" --controller "$CTRL_SOCK" \
		apply -f "$T" 2>&1) || rc=$?
	((rc == 1)) && grep -q 'not allowed' <<<"$out" || fail "nobody's apply: exit $rc: $out"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL_BIN" --controller "$CTRL_SOCK" \
		show >/dev/null || fail "nobody may not even read"
	chmod 0660 "$CTRL_SOCK"
fi

log "a corrupted state file is detected and none of it applied"
ctrl_kill TERM
sed -i 's/mac_aging_s: 90/mac_aging_s: 91/' "$CTRL_STATE"
ctrl_start
wait_for 5 "the controller to report the corrupted state" grep -q 'ERROR: state file .* is corrupted' "$CTRL_LOG"
[[ -e $CTRL_STATE.corrupt ]] || fail "the corrupted file was not set aside"
sleep 1
[[ $(vc export) == "$before" ]] || fail "a corrupted state file changed the running topology"
grep -q 'state state file .*corrupted' <<<"$(vc show)" || fail "show does not report the corrupted state"
log "truncated state file"
vc apply -f "$E2E_TMP/topo2.yaml" >/dev/null
ctrl_kill TERM
head -c 100 "$CTRL_STATE" >"$CTRL_STATE.cut" && mv "$CTRL_STATE.cut" "$CTRL_STATE"
ctrl_start
wait_for 5 "the controller to report the truncated state" grep -q 'ERROR: state file .* truncated' "$CTRL_LOG"
sleep 1
[[ $(vc export) == "$before" ]] || fail "a truncated state file changed the running topology"
ctrl_kill TERM
dp_stop
