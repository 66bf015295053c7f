#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# Duplicate address detection (RFC 4862) and MLD (RFC 3810) of an IPv6 VTEP, against a
# Linux kernel VTEP in namespace K on the underlay veth (2001:2::/48, RFC 5180), with
# tshark capturing on K's end of the underlay. Checked:
# (b) a VTEP on 2001:2::7, an address the kernel already owns, is marked duplicate (the
#     kernel defends it), logged and counted; it answers no solicitation for it and
#     encapsulates nothing, not even to a static next hop (vxlan_addr_not_ready);
# (c) a VTEP on 2001:2::1 is tentative at first, then preferred, and the ping across the
#     tunnel works; it answers an MLD query; it defends its address against the kernel
#     doing DAD on it (the kernel marks its copy dadfailed);
# (a) the capture holds, in this order, an unsolicited MLDv2 report from :: (hop limit 1,
#     Router Alert) joining ff02::1:ff00:1 and the link-local address's group, the
#     duplicate address probe from :: for 2001:2::1 to ff02::1:ff00:1, the second report
#     from the link-local address fe80::EUI-64, and the answer to the query.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/vxlan_lib.sh"
e2e_init
e2e_require ping ethtool bridge tshark scapy
dp_start

K=${E2E_TAG}k
H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
MAC1=02:00:00:00:c8:01
MAC2=02:00:00:00:c8:02
UNDER=${E2E_TAG}u0
KU=${E2E_TAG}u1
CAP=$E2E_TMP/underlay.pcapng
netns_add "$K"
netns_add "$H1"
netns_add "$H2"

kvtep_add v6 "$K" "$UNDER" "$KU" 5001 2001:2::2 2001:2::1
kvtep_host_add "$K" "${E2E_TAG}k1" "$H2" "${E2E_TAG}k2" $MAC2 198.51.100.2/24
kvtep_up "$K"
host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1" $MAC1 198.51.100.1/24
# the kernel owns 2001:2::7 too (usable at once)
ip -n "$K" addr add 2001:2::7/64 dev "$KU" nodad
kmac=$(ip netns exec "$K" cat "/sys/class/net/$KU/address")

ip netns exec "$K" tshark -i "$KU" -w "$CAP" -q >"$E2E_TMP/tshark.out" 2>&1 &
TSHARK_PID=$!
stop_tshark() {
	[[ -n ${TSHARK_PID:-} ]] || return 0
	kill -INT "$TSHARK_PID" 2>/dev/null || true
	wait "$TSHARK_PID" 2>/dev/null || true
	TSHARK_PID=
}
on_exit() {
	local rc=$?
	set +e
	stop_tshark
	(exit "$rc")
	e2e_cleanup
}
trap on_exit EXIT
wait_for 15 "tshark to capture on $KU" grepq -s "Capturing on" "$E2E_TMP/tshark.out"

vt() { vsw -j vtep show vt0 | jget "r[0]$1"; }
addr_state() { vt "['addr_state']"; }
is_state() { [[ $(addr_state) == "$1" ]]; }

log "(b) a VTEP on 2001:2::7, which the kernel owns, becomes duplicate"
vsw_quiet port add u0 af_packet "iface=$UNDER"
vsw_quiet vtep add vt0 u0 2001:2::7/64
wait_for 10 "2001:2::7 to be marked duplicate" is_state duplicate
vsw vtep show vt0
(($(vt "['counters']['dad_conflict']") >= 1)) || fail "no dad_conflict counted"
(($(vt "['counters']['dad_ns_tx']") >= 1)) || fail "no duplicate address probe counted"
wait_for 5 "the log line" grepq "vtep vt0: address 2001:2::7 duplicate" "$E2E_TMP/dp.out"
grep "vtep vt0" "$E2E_TMP/dp.out"
ll_preferred() { [[ $(vt "['link_local_state']") == preferred ]]; }
wait_for 5 "the link-local address (unique) to be preferred" ll_preferred

log "(b) a solicitation for 2001:2::7 gets no answer from vsw"
ns0=$(vt "['counters']['nd_ns_rx']")
nf0=$(port_drop u0 vxlan_not_for_us)
ip netns exec "$K" "$PY" - "$KU" "$kmac" <<'EOF'
import sys
from scapy.all import Ether, IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, sendp
iface, mac = sys.argv[1], sys.argv[2]
sendp(Ether(src=mac, dst="33:33:ff:00:00:07") / IPv6(src="2001:2::2", dst="ff02::1:ff00:7", hlim=255)
      / ICMPv6ND_NS(tgt="2001:2::7") / ICMPv6NDOptSrcLLAddr(lladdr=mac), iface=iface, verbose=0)
EOF
wait_for 5 "the solicitation refused as vxlan_not_for_us" stat_ge_drop u0 vxlan_not_for_us $((nf0 + 1))
[[ $(vt "['counters']['nd_na_tx']") == 0 ]] || fail "vsw advertised a duplicate address"
[[ $(vt "['counters']['nd_ns_rx']") == "$ns0" ]] || fail "vsw took a solicitation for a duplicate address"

log "(b) nothing is encapsulated from a duplicate address, even to a static next hop"
vsw_quiet bridge add ov vni=5001
vsw_quiet vtep remote-add ov 2001:2::2
vsw_quiet vtep neigh-add vt0 2001:2::2 "$kmac"
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov
ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1 &&
	fail "a ping crossed the tunnel from a duplicate address"
wait_for 5 "a vxlan_addr_not_ready drop" stat_ge_drop vx5001-2001_2__2 vxlan_addr_not_ready 1
vsw_quiet vtep remote-del ov 2001:2::2
vsw_quiet vtep del vt0

log "(c) a VTEP on 2001:2::1: tentative, then preferred"
vsw_quiet vtep add vt0 u0 2001:2::1/64
st=$(addr_state)
[[ $st == tentative ]] || fail "a new VTEP's address is $st, not tentative"
wait_for 10 "2001:2::1 to be preferred" is_state preferred
grepq "vtep vt0: address 2001:2::1 preferred" "$E2E_TMP/dp.out" || fail "no log line for preferred"
[[ $(vt "['counters']['dad_conflict']") == 0 ]] || fail "a conflict counted for a unique address"
vsw_quiet vtep remote-add ov 2001:2::2
vsw vtep show vt0
resolved() {
	[[ $(vt "['neighbours'][0]['state']") == resolved ]]
}
wait_for 10 "vsw to resolve 2001:2::2" resolved
log "ping across the tunnel both ways"
ip -n "$H1" neigh flush all # what (b)'s failed ping left
if ! ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2; then
	vsw vtep show vt0
	vsw stats
	ip -n "$K" -6 neigh show
	fail "ping to the kernel side failed"
fi
ip netns exec "$H2" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping from the kernel side failed"

log "(c) an MLD general query is answered"
ll=$(vt "['link_local']")
ip netns exec "$K" "$PY" - "$KU" "$kmac" <<'EOF'
import sys
from scapy.all import Ether, IPv6, IPv6ExtHdrHopByHop, RouterAlert, ICMPv6MLQuery2, sendp
iface, mac = sys.argv[1], sys.argv[2]
sendp(Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=1)
      / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) / ICMPv6MLQuery2(mrd=1000),
      iface=iface, verbose=0)
EOF
queried() { (($(vt "['counters']['mld_query_rx']") >= 1)); }
wait_for 5 "vsw to take the MLD query" queried
reports() { (($(vt "['counters']['mld_report_tx']") >= 3)); }
wait_for 5 "vsw to answer the query with a report" reports

log "(c) the kernel doing DAD on 2001:2::1 finds vsw defending it"
ip netns exec "$K" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$KU/accept_dad"
ip -n "$K" addr add 2001:2::1/64 dev "$KU"
dadfailed() { ip -n "$K" -6 addr show dev "$KU" | grepq "2001:2::1/64.*dadfailed"; }
wait_for 10 "the kernel to mark 2001:2::1 dadfailed" dadfailed
ip -n "$K" -6 addr show dev "$KU"
ip -n "$K" addr del 2001:2::1/64 dev "$KU"
[[ $(addr_state) == preferred ]] || fail "vsw gave up its address to a probe"
ip netns exec "$H1" ping -c 2 -i 0.2 -W 2 198.51.100.2 || fail "ping after the kernel's probe failed"

log "(a) what the kernel side saw"
sleep 1
stop_tshark
F=()
for f in frame.number ipv6.src ipv6.dst ipv6.hlim ipv6.opt.router_alert icmpv6.type \
	icmpv6.mldr.mar.record_type icmpv6.mldr.mar.multicast_address icmpv6.nd.ns.target_address; do
	F+=(-e "$f")
done
fields() {
	tshark -r "$CAP" -Y "$1" -T fields -E separator="|" -E aggregator=, "${F[@]}" 2>/dev/null
}
umac=$(vt "['mac']")
ours="eth.src == $umac"
fields "$ours && (icmpv6.type == 143 || icmpv6.type == 135 || icmpv6.type == 136)" | tee "$E2E_TMP/ours.txt"
llgroup=$("$PY" -c "
import ipaddress, sys
a = ipaddress.IPv6Address('$ll').packed
print(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff') + a[13:]))")
# the report and the probe after the second vtep-add (2001:2::1); fields in F's order
first_report=$(awk -F'|' -v g="ff02::1:ff00:1,$llgroup" \
	'$2 == "::" && $3 == "ff02::16" && $4 == 1 && $5 == 0 && $6 == 143 && $7 == "4,4" &&
	$8 == g {print $1}' "$E2E_TMP/ours.txt" | tail -1)
[[ -n $first_report ]] ||
	fail "no MLDv2 report from :: (hop limit 1, Router Alert MLD, CHANGE_TO_EXCLUDE) joining ff02::1:ff00:1 and $llgroup"
probe=$(awk -F'|' '$2 == "::" && $3 == "ff02::1:ff00:1" && $4 == 255 && $6 == 135 &&
	$9 == "2001:2::1" {print $1}' "$E2E_TMP/ours.txt" | head -1)
[[ -n $probe ]] || fail "no duplicate address probe from :: for 2001:2::1"
((probe > first_report)) || fail "the probe (frame $probe) went before the report ($first_report)"
grepq -F "|$ll|ff02::16|1|0|143|4,4|ff02::1:ff00:1,$llgroup|" "$E2E_TMP/ours.txt" ||
	fail "no second unsolicited report from the link-local address $ll"
grepq -F "|$ll|ff02::16|1|0|143|2,2|ff02::1:ff00:1,$llgroup|" "$E2E_TMP/ours.txt" ||
	fail "no MODE_IS_EXCLUDE report answering the query from $ll"
grepq -F "|2001:2::1|ff02::1|255||136|" "$E2E_TMP/ours.txt" ||
	fail "no advertisement to all nodes defending 2001:2::1"
log "the kernel defended 2001:2::7 against vsw's probe"
fields "eth.src == $kmac && icmpv6.type == 136 && icmpv6.nd.na.target_address == 2001:2::7" |
	grepq . || fail "no advertisement of 2001:2::7 from the kernel"

expect_drop u0 vxlan_bad_nd 0
expect_drop u0 vxlan_malformed 0
dp_stop
