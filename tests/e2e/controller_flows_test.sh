#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# vsw-controller programs flow tables: a topology with a drop rule and an unnamed rule is
# applied (the rules show in `vswctl flow show`, the drop rule counts its frames as
# flow_drop), applied again (no changes), changed (one flow-mod, the rule keeps its id),
# reduced (the rule naming a removed port is deleted before the port), exported and the
# export applied (no changes). Then config/examples/flows-pcap.yaml, every kind of rule,
# applies and re-applies as a no-op.
. "$(dirname "$0")/controller_lib.sh"
ctrl_init
dp_start
ctrl_start

# UDP to port 9 (discard), replayed for ever: the drop rule must catch it
mkpcap "$E2E_TMP/in.pcap" "src=02:00:00:00:00:01,dst=02:00:00:00:00:02,id=d1"
T=$E2E_TMP/flows.yaml
cat >"$T" <<YAML
version: 1
ports:
  p1: { type: pcap, rx_pcap: $E2E_TMP/in.pcap, infinite_rx: true }
  p2: { type: pcap, tx_pcap: $E2E_TMP/p2.tx.pcap }
  p3: { type: null }
bridges:
  br0:
    ports:
      p1: {}
      p2: {}
      p3: {}
flows:
  - name: no-discard
    bridge: br0
    priority: 200
    match: { in_port: p1, eth_type: ipv4, ip_proto: udp, udp_dst: 9 }
    actions: [drop]
  - bridge: br0
    priority: 100
    match: { eth_type: ipv4, ip_dst: 203.0.113.0/24 }
    actions: [count, "output:p3"]
YAML

log "apply: 3 ports, a bridge, 2 flow rules"
out=$(vc apply -f "$T")
printf '%s\n' "$out"
grep -q -- '+ flow br0 no-discard' <<<"$out" || fail "plan lacks the named rule: $out"
grep -q -- '+ flow br0 priority 100' <<<"$out" || fail "plan lacks the unnamed rule: $out"
flows=$(vsw flow show br0)
printf '%s\n' "$flows"
grep -q 'no-discard' <<<"$flows" || fail "no-discard not in flow show"
[[ $(vsw -j flow show br0 | jget "len(r)") == 2 ]] || fail "expected 2 rules in br0"
[[ $(vsw -j flow show br0 | jget "[f['actions'] for f in r if f['name'] == 'no-discard'][0]") == '["drop"]' ]] ||
	fail "no-discard does not drop"
wait_for 10 "the UDP frames to be dropped by the rule" stat_ge_drop p1 flow_drop 100
(($(vsw -j flow show br0 | jget "[f['packets'] for f in r if f['name'] == 'no-discard'][0]") >= 100)) ||
	fail "the rule does not count the frames it drops"

log "the same file again: no changes"
ids_before=$(vsw -j flow show br0 | jget "' '.join(str(f['id']) for f in r)")
rc=0
out=$(vc_status apply -f "$T" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-apply exited $rc, expected 0: $out"
grep -q '^No changes' <<<"$out" || fail "re-apply printed: $out"
[[ $(vsw -j flow show br0 | jget "' '.join(str(f['id']) for f in r)") == "$ids_before" ]] ||
	fail "re-apply re-created rules"

log "new actions for the unnamed rule: one flow-mod, the rule keeps its id"
sed -e 's/actions: \[count, "output:p3"\]/actions: [flood]/' "$T" >"$E2E_TMP/flows2.yaml"
rc=0
out=$(vc_status apply -f "$E2E_TMP/flows2.yaml" --dry-run) || rc=$?
printf '%s\n' "$out"
((rc == 2)) || fail "--dry-run with changes exited $rc, expected 2"
grep -q -- '~ flow br0 priority 100 .*actions count,output:p3 -> flood' <<<"$out" || fail "dry run lacks the flow-mod"
[[ $(vsw -j flow show br0 | jget "[f['actions'] for f in r if f['priority'] == 100][0]") == '["count", "output:p3"]' ]] ||
	fail "--dry-run changed a rule"
vc apply -f "$E2E_TMP/flows2.yaml" >/dev/null
[[ $(vsw -j flow show br0 | jget "[f['actions'] for f in r if f['priority'] == 100][0]") == '["flood"]' ]] ||
	fail "the rule's actions did not change"
[[ $(vsw -j flow show br0 | jget "' '.join(str(f['id']) for f in r)") == "$ids_before" ]] ||
	fail "a flow-mod re-created rules"

log "export holds the rules, and applying it changes nothing"
vc export >"$E2E_TMP/export.yaml"
cat "$E2E_TMP/export.yaml"
grep -q 'name: no-discard' "$E2E_TMP/export.yaml" || fail "export lacks the rules"
rc=0
out=$(vc_status apply -f "$E2E_TMP/export.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "applying the export exited $rc: $out"

log "port p1 goes, and the rule naming it before it"
sed -e '/^  p1: /d' -e '/^      p1: {}/d' -e '/^  - name: no-discard/,/actions: \[drop\]/d' \
	"$E2E_TMP/flows2.yaml" >"$E2E_TMP/flows3.yaml"
out=$(vc apply -f "$E2E_TMP/flows3.yaml")
printf '%s\n' "$out"
awk '/- flow br0 no-discard/ {f = NR} /- port p1/ {p = NR} END {exit !(f && p && f < p)}' <<<"$out" ||
	fail "the rule was not deleted before its port"
[[ $(vsw -j flow show br0 | jget "len(r)") == 1 ]] || fail "expected 1 rule left"

log "config/examples/flows-pcap.yaml: every kind of rule"
mkdir -p "$E2E_TMP/ex"
sed "s|/tmp/vsw/|$E2E_TMP/ex/|" "$VSW_ROOT/config/examples/flows-pcap.yaml" >"$E2E_TMP/ex.yaml"
vc apply -f "$E2E_TMP/ex.yaml" >/dev/null
[[ $(vsw -j flow show tenant-a | jget "len(r)") == 6 ]] || fail "expected 6 rules in tenant-a"
rc=0
out=$(vc_status apply -f "$E2E_TMP/ex.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-applying flows-pcap.yaml exited $rc: $out"
[[ $(vsw -j bridge show | jget 'len(r)') == 1 ]] || fail "br0 was not removed"

ctrl_kill TERM
dp_stop
