#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 240
#
# Bridge recordings in the topology (bridges.NAME.record, docs/topology.md), through
# vsw-controller: config/examples/recording.yaml (with this test's paths and interface)
# applied; the dataplane records both bridges with the file's settings; frames sent into
# a port land in the bridge's file (tshark reads them, the filter kept ARP out); applying
# the file again changes nothing (the recording is not restarted); a changed setting
# restarts it; a removed block stops it and leaves a complete file; the export carries the
# records and applies as no change; a recording a person started with `vswctl capture
# record` on a bridge the file does not record is left alone; a bad filter is refused by
# `vswctl check` with libpcap's words before anything runs.
. "$(dirname "$0")/controller_lib.sh"
ctrl_init
e2e_require tshark scapy
dp_start
ctrl_start

R=$E2E_TMP/rec
mkdir -p "$R"
VETH=${E2E_TAG}r0
TAP=${E2E_TAG}k0
veth_add "$VETH" "${VETH}p"
E2E_PEER[uplink]=${VETH}p

T=$E2E_TMP/recording.yaml
sed -e "s|veth-rec|$VETH|" -e "s|/var/lib/vsw/|$R/|" -e "s|/tmp/vsw/uplink.out.pcap|$(tx_file uplink)|" \
	-e "s|tap0|$TAP|g" "$VSW_ROOT/config/examples/recording.yaml" >"$T"

rec() { vsw -j capture record list | jget "[x for x in r if x['bridge'] == '$1'][0]['$2']"; }
n_rec() { vsw -j capture record list | jget "len(r)"; }
written_ge() { (($(rec "$1" written) >= $2)); }
tsf() { tshark -r "$1" -T fields -e "$2" 2>/dev/null; }

log "check: a bad filter is refused with libpcap's words, file:line:col"
sed 's/filter: "not arp"/filter: "not arpp"/' "$T" >"$E2E_TMP/bad.yaml"
rc=0
out=$(timeout 30 "$CTL_BIN" check -f "$E2E_TMP/bad.yaml" 2>&1) || rc=$?
((rc == 1)) || fail "check of a bad filter exited $rc: $out"
grep -q 'bad.yaml:[0-9]*:[0-9]*: error: bridges.office.record.filter: libpcap:' <<<"$out" ||
	fail "no libpcap error for the filter: $out"

log "apply the example: both bridges recorded as the file says"
out=$(vc apply -f "$T")
printf '%s\n' "$out"
grep -q '+ record office' <<<"$out" || fail "the plan does not start office's recording: $out"
[[ $(n_rec) == 2 ]] || fail "expected 2 recordings, got $(n_rec)"
[[ $(rec office state) == running && $(rec lab state) == running ]] || fail "recordings not running"
[[ $(rec office file) == "$R/office.pcapng" ]] || fail "office records into $(rec office file)"
[[ $(rec office max_size_kb) == 102400 && $(rec office max_files) == 10 ]] || fail "office rotation"
[[ $(rec office filter) == "not arp" ]] || fail "office filter: $(rec office filter)"
[[ $(rec lab format) == pcap && $(rec lab snaplen) == 128 ]] || fail "lab format/snaplen"
[[ $(vsw -j port show sink | jget "r[0]['rx_queues']") == 2 ]] || fail "sink does not have 2 queues"
id_office=$(rec office id)

log "frames into office: recorded, ARP left out by the filter"
send uplink "src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b,id=rec1,n=5"
send uplink "hex=ffffffffffff02000000000a0806000108000604000102000000000ac633640a000000000000c6336414000000000000000000000000000000000000"
wait_for 10 "office's writer to catch up" written_ge office 5
sleep 0.5
[[ $(rec office captured) == 5 ]] || fail "office captured $(rec office captured), expected 5 (ARP filtered out)"

log "the same file again: no changes, the recording is not restarted"
rc=0
out=$(vc_status apply -f "$T" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-apply exited $rc: $out"
[[ $(rec office id) == "$id_office" ]] || fail "re-apply restarted office's recording"

log "export carries the records and applies as no change"
vc export >"$E2E_TMP/export.yaml"
grep -q "file: $R/lab.pcap" "$E2E_TMP/export.yaml" || fail "export lacks lab's record: $(cat "$E2E_TMP/export.yaml")"
rc=0
out=$(vc_status apply -f "$E2E_TMP/export.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "applying the export exited $rc: $out"

log "a changed setting restarts the recording"
sed 's/snaplen: 128 .*/snaplen: 256/' "$T" >"$E2E_TMP/t2.yaml"
out=$(vc apply -f "$E2E_TMP/t2.yaml")
printf '%s\n' "$out"
grep -q '~ record lab' <<<"$out" || fail "the plan does not restart lab's recording: $out"
[[ $(rec lab snaplen) == 256 ]] || fail "lab's snaplen not changed"
[[ $(rec office id) == "$id_office" ]] || fail "a change of lab restarted office's recording"

log "the block removed: stopped, the file complete"
sed '/^  office:/,/^  lab:/{/record:/,/filter:/d}' "$E2E_TMP/t2.yaml" >"$E2E_TMP/t3.yaml"
grep -q 'office.pcapng' "$E2E_TMP/t3.yaml" && fail "test bug: office's record block still in t3.yaml"
out=$(vc apply -f "$E2E_TMP/t3.yaml")
printf '%s\n' "$out"
grep -q -- '- record office' <<<"$out" || fail "the plan does not stop office's recording: $out"
[[ $(n_rec) == 1 ]] || fail "office's recording still listed"
[[ $(tsf "$R/office.pcapng" frame.number | wc -l) == 5 ]] || fail "office.pcapng does not hold the 5 frames"
[[ $(tsf "$R/office.pcapng" frame.interface_name | sort -u) == uplink ]] || fail "frames not named after uplink"
err=$(tshark -r "$R/office.pcapng" -T fields -e frame.number 2>&1 >/dev/null | grep -v 'Running as user' || true)
[[ -z $err ]] || fail "office.pcapng is not complete: $err"

log "a person's recording on a bridge the file does not record is left alone"
vsw_quiet capture record start office -w "$R/adhoc.pcapng"
rc=0
out=$(vc_status apply -f "$E2E_TMP/t3.yaml" --detailed-exitcode) || rc=$?
((rc == 0)) || fail "re-apply with a person's recording exited $rc: $out"
[[ $(rec office file) == "$R/adhoc.pcapng" ]] || fail "the person's recording was stopped"
vsw_quiet capture record stop office

log "the whole topology removed: every recording stops"
printf 'version: 1\n' >"$E2E_TMP/empty.yaml"
vc apply -f "$E2E_TMP/empty.yaml" >/dev/null
[[ $(n_rec) == 0 ]] || fail "recordings left after removing their bridges"
ctrl_kill TERM
dp_stop
