#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
#
# DPDK's own capture tool works against the dataplane: dpdk-dumpcap, a DPDK secondary
# process, attaches through rte_pdump (the dataplane calls rte_pdump_init) and captures a
# port by its DPDK device name (here the null port the frames leave by: the pcap PMD
# does not always attach in a secondary process). Secondary processes need the primary on hugepages, so
# this test is skipped when not enough are free.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require tshark
command -v dpdk-dumpcap >/dev/null || skip "dpdk-dumpcap missing (apt-get install dpdk-dev)"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
size=$(awk '/Hugepagesize/ {print $2}' /proc/meminfo)
grep -qs " hugetlbfs " /proc/mounts && ((free * size >= 300 * 1024)) ||
	skip "needs 300 MB of free hugepages on a mounted hugetlbfs (dpdk-dumpcap is a secondary process)"
dp_start --huge on --memory 256 --mbufs 8192

"$PY" - "$E2E_TMP/in.pcap" <<'PYEOF'
import sys
from scapy.all import Ether, IP, ICMP, UDP, wrpcap
a, b = "02:00:00:00:00:01", "02:00:00:00:00:02"
wrpcap(sys.argv[1], [Ether(src=a, dst=b) / IP(src="198.51.100.1", dst="198.51.100.2") / ICMP(),
                     Ether(src=a, dst=b) / IP(src="198.51.100.1", dst="198.51.100.2") / UDP(dport=53)])
PYEOF
vsw_quiet bridge add br0
vsw_quiet port add src pcap rx_pcap="$E2E_TMP/in.pcap" infinite_rx=true
vsw_quiet port add sink null
vsw_quiet port attach sink br0
vsw_quiet port attach src br0
sleep 1
timeout 20 dpdk-dumpcap --file-prefix="$E2E_PREFIX" -D >"$E2E_TMP/devices" 2>&1 || true
dev=$(awk '/^[0-9]+\. net_null/ {print $2}' "$E2E_TMP/devices")
[[ -n $dev ]] || fail "dpdk-dumpcap -D lists no net_null device: $(cat "$E2E_TMP/devices")"
timeout 30 dpdk-dumpcap --file-prefix="$E2E_PREFIX" -i "$dev" -f icmp -c 10 \
	-w "$E2E_TMP/dump.pcapng" >"$E2E_TMP/dumpcap.out" 2>&1 ||
	fail "dpdk-dumpcap failed: $(tail -5 "$E2E_TMP/dumpcap.out")"
# dumpcap stops at -c only between bursts: at least 10, and only what the filter takes
n=$(tshark -r "$E2E_TMP/dump.pcapng" -T fields -e icmp.type 2>/dev/null | grep -c '^8$' || true)
all=$(tshark -r "$E2E_TMP/dump.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)
((n >= 10 && n == all)) || fail "dpdk-dumpcap wrote $n ICMP echo requests of $all frames"
vsw_quiet port detach src
dp_stop
log "PASS"
