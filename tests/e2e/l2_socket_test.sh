#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# The control socket under abuse (sock_check.py: malformed and oversized requests, wrong
# version, unknown commands and keys, 20 clients at once, clients that stall or vanish
# mid-request) while a port replays a pcap forever: every bad request gets its status,
# and forwarding never stops.
. "$(dirname "$0")/lib.sh"
e2e_init
dp_start

M=02:00:00:00:77:77
mkpcap "$E2E_TMP/src.pcap" "src=02:00:00:00:00:a1,dst=$M,id=u1" "src=02:00:00:00:00:a2,id=b1"
vsw_quiet bridge add br0
vsw_quiet port add sink null
vsw_quiet port attach sink br0
vsw_quiet fdb add br0 $M sink
vsw_quiet port add src pcap "rx_pcap=$E2E_TMP/src.pcap" infinite_rx=true
vsw_quiet port attach src br0
wait_stat sink tx_packets 1000
before=$(port_stat sink tx_packets)

"$PY" "$E2E_DIR/sock_check.py" "$SOCK" || fail "control socket checks failed (above)"

after=$(port_stat sink tx_packets)
log "sink sent $((after - before)) frames while the socket was abused"
((after > before)) || fail "forwarding stopped: sink tx $before -> $after"
sleep 0.5
later=$(port_stat sink tx_packets)
((later > after)) || fail "forwarding stopped after the abuse: sink tx $after -> $later"
vsw info
rc=0
out=$(vsw_status bridge del nosuchbridge) || rc=$?
((rc == 1)) || fail "vswctl bridge del nosuchbridge exited $rc, expected 1: $out"
log "vswctl reports the error: $out"
vsw_quiet port del src
dp_stop
