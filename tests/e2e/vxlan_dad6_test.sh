#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 210
#
# Duplicate address detection (RFC 4862) and MLD (RFC 3810) of an IPv6 VTEP, against a
# Linux kernel VTEP in namespace K on the underlay veth (2001:2::/48, RFC 5180), with
# tshark capturing on K's end of the underlay. Checked:
# (b) a VTEP on 2001:2::7, an address the kernel already owns, is marked duplicate (the
#     kernel defends it), logged and counted; it answers no solicitation for it and
#     encapsulates nothing, not even to a static next hop (vxlan_addr_not_ready);
# (c) a VTEP on 2001:2::1 is tentative at first, then preferred, and the ping across the
#     tunnel works; it answers MLDv2 and MLDv1 queries; it defends its address against
#     the kernel doing DAD on it (the kernel marks its copy dadfailed);
# (a) the capture holds, in this order, an unsolicited MLDv2 report from :: (hop limit 1,
#     Router Alert) joining ff02::1:ff00:1 and the link-local address's group, the
#     duplicate address probe from :: for 2001:2::1 to ff02::1:ff00:1, the second report
#     from the link-local address fe80::EUI-64, and the answers to the queries;
# (d) crafted frames from other MACs: a solicitation while the address is tentative,
#     another node's probe of it (duplicate at once), a solicitation then, an
#     advertisement of a preferred address (kept, counted), our own probe looped back.
# Each ND, DAD and MLD decision is also checked in `vswctl -j trace` on the underlay port
# (the kernel's advertisement making 2001:2::7 duplicate, the solicitations not answered
# and why, the query answered at the next tick for which groups, the kernel's probe
# answered by a defence, our own frame ignored) and on the host port (the encapsulation
# refused as vxlan_addr_not_ready with the address's state). The kernel sends MLD and
# ND of its own: the trace filters pick frames by source MAC, ICMPv6 type (ip6[40], or
# ip6[48] behind MLD's hop-by-hop header) and target (ip6[48:16]).
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
T=$E2E_TMP
NFU="fate: drop vxlan_not_for_us (*) at vxlan_decap (neighbour discovery, nd_input)"
addr_state() { vt "['addr_state']"; }
is_state() { [[ $(addr_state) == "$1" ]]; }

log "(b) a VTEP on 2001:2::7, which the kernel owns, becomes duplicate"
vsw_quiet port add u0 af_packet "iface=$UNDER"
# the kernel's advertisement defending 2001:2::7 against vsw's probe
trace_bg dupna u0 -c 1 "ether src $kmac and icmp6 and ip6[40] == 136 and" \
	"ip6[48:4] == 0x20010002 and ip6[60:4] == 7"
vsw_quiet vtep add vt0 u0 2001:2::7/64
wait_for 10 "2001:2::7 to be marked duplicate" is_state duplicate
trace_wait dupna
has dupna 1 "nd: neighbour advertisement from 2001:2::7: 2001:2::7 is at $kmac (*unsolicited, override) on VTEP vt0"
has dupna 1 "nd: 2001:2::7 is this VTEP's address, tentative: another node has it: marked duplicate (dad_conflict counted)"
has dupna 1 "fate: consumed by ND on VTEP vt0 (advertisement taken)"
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
trace_bg dupns u0 -c 1 "ether src $kmac and icmp6 and ip6[40] == 135 and ip6[60:4] == 7"
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
trace_wait dupns
has dupns 1 "nd: neighbour solicitation from 2001:2::2 (mac $kmac) for 2001:2::7 (this VTEP's address) on VTEP vt0"
has dupns 1 "$NFU: not answered: address duplicate (another node on the underlay has it)"

log "(b) nothing is encapsulated from a duplicate address, even to a static next hop"
vsw_quiet bridge add ov vni=5001
vsw_quiet vtep remote-add ov 2001:2::2
vsw_quiet vtep neigh-add vt0 2001:2::2 "$kmac"
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port attach h1 ov
# H2's MAC known on both sides, so the ping is unicast to the tunnel port: its fate is
# the encapsulation's
ip -n "$H1" neigh replace 198.51.100.2 lladdr $MAC2 nud permanent dev "${E2E_TAG}b1"
vsw_quiet fdb add ov $MAC2 vx5001-2001_2__2
trace_bg dupenc h1 -c 1 icmp
ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1 &&
	fail "a ping crossed the tunnel from a duplicate address"
wait_for 5 "a vxlan_addr_not_ready drop" stat_ge_drop vx5001-2001_2__2 vxlan_addr_not_ready 1
trace_wait dupenc
has dupenc 1 "fate: drop vxlan_addr_not_ready (*) at vxlan_encap on vx5001-2001_2__2 (VTEP vt0 address 2001:2::7 duplicate (another node on the underlay has it))"
ip -n "$H1" neigh del 198.51.100.2 dev "${E2E_TAG}b1"
vsw_quiet vtep remote-del ov 2001:2::2
vsw_quiet vtep del vt0

log "(c) a VTEP on 2001:2::1: tentative, then preferred"
vsw_quiet vtep add vt0 u0 2001:2::1/64
wait_for 10 "2001:2::1 to be preferred" is_state preferred
# tentative first: the control thread logs each state it sees, within milliseconds, while
# DAD holds the address tentative for a second or more (reading it here would race)
states=$(sed -n 's/^vsw-dataplane: vtep vt0: address 2001:2::1 \([a-z]*\).*/\1/p' "$E2E_TMP/dp.out")
[[ $(echo $states) == "tentative preferred" ]] ||
	fail "2001:2::1 went through '$(echo $states)', not 'tentative preferred'"
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
llgroup=$("$PY" -c "
import ipaddress, sys
a = ipaddress.IPv6Address('$ll').packed
print(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff') + a[13:]))")
MLDQ="ether src $kmac and ip6[6] == 0 and ip6[48] == 130"
trace_bg mld2 u0 -c 1 "$MLDQ"
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
reports() { (($(vt "['counters']['mld_report_tx']") >= $1)); }
wait_for 5 "vsw to answer the query with a report" reports 3
trace_wait mld2
has mld2 1 "mld: MLDv2 general query from fe80::1 on VTEP vt0"
has mld2 1 "mld: answered at the next tick (within a second) with an MLDv2 report (MODE_IS_EXCLUDE) to ff02::16 from $ll, for ff02::1:ff00:1, $llgroup"
has mld2 1 "fate: consumed by MLD on VTEP vt0 (query taken)"

log "(c) an MLDv1 query for one group is answered in version 1"
trace_bg mld1 u0 -c 1 "$MLDQ"
ip netns exec "$K" "$PY" - "$KU" "$kmac" <<'EOF'
import sys
from scapy.all import Ether, IPv6, IPv6ExtHdrHopByHop, RouterAlert, ICMPv6MLQuery, sendp
iface, mac = sys.argv[1], sys.argv[2]
sendp(Ether(src=mac, dst="33:33:ff:00:00:01") / IPv6(src="fe80::1", dst="ff02::1:ff00:1", hlim=1)
      / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
      / ICMPv6MLQuery(mladdr="ff02::1:ff00:1", mrd=1000), iface=iface, verbose=0)
EOF
wait_for 5 "vsw to answer the MLDv1 query" reports 4
trace_wait mld1
has mld1 1 "mld: MLDv1 query for group ff02::1:ff00:1 from fe80::1 on VTEP vt0"
has mld1 1 "mld: answered at the next tick (within a second) with MLDv1 reports (one per group, to the group) from $ll, for ff02::1:ff00:1"
has mld1 1 "fate: consumed by MLD on VTEP vt0 (query taken)"

log "(c) the kernel doing DAD on 2001:2::1 finds vsw defending it"
ip netns exec "$K" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$KU/accept_dad"
# the kernel's probe: from :: (ip6[8:16]) for 2001:2::1
trace_bg defend u0 -c 1 "ether src $kmac and icmp6 and ip6[40] == 135 and ip6[8:4] == 0 and" \
	"ip6[12:4] == 0 and ip6[16:4] == 0 and ip6[20:4] == 0 and ip6[60:4] == 1"
ip -n "$K" addr add 2001:2::1/64 dev "$KU"
dadfailed() { ip -n "$K" -6 addr show dev "$KU" | grepq "2001:2::1/64.*dadfailed"; }
wait_for 10 "the kernel to mark 2001:2::1 dadfailed" dadfailed
trace_wait defend
has defend 1 "nd: duplicate address probe (neighbour solicitation from ::, mac $kmac) for 2001:2::1 (this VTEP's address, preferred) on VTEP vt0"
has defend 1 "fate: consumed by ND on VTEP vt0: address defended: answered with a neighbour advertisement to all nodes (ff02::1) on u0"
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
fields "$ours && (icmpv6.type == 143 || icmpv6.type == 135 || icmpv6.type == 136 ||
	icmpv6.type == 131)" | tee "$E2E_TMP/ours.txt"
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
grepq -F "|$ll|ff02::1:ff00:1|1|0|131|" "$E2E_TMP/ours.txt" ||
	fail "no MLDv1 report for ff02::1:ff00:1 answering the version 1 query from $ll"
grepq -F "|2001:2::1|ff02::1|255||136|" "$E2E_TMP/ours.txt" ||
	fail "no advertisement to all nodes defending 2001:2::1"
log "the kernel defended 2001:2::7 against vsw's probe"
fields "eth.src == $kmac && icmpv6.type == 136 && icmpv6.nd.na.target_address == 2001:2::7" |
	grepq . || fail "no advertisement of 2001:2::7 from the kernel"

log "(d) our own probe looped back, and another node advertising our preferred address"
"$PY" - "$T" "$umac" <<'EOF'
import sys
from scapy.all import Ether, IPv6, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, \
    ICMPv6NDOptSrcLLAddr, wrpcap
tmp, umac = sys.argv[1], sys.argv[2]
def probe(src, tgt):  # tgt 2001:2::N, N < 0x100
    n = int(tgt.split(":")[-1], 16)
    return Ether(src=src, dst="33:33:ff:00:00:%02x" % n) / \
        IPv6(src="::", dst="ff02::1:ff00:%x" % n, hlim=255) / ICMPv6ND_NS(tgt=tgt)
def ns(tgt):
    m = "02:00:00:00:c8:9b"
    return Ether(src=m, dst="33:33:ff:00:00:09") / \
        IPv6(src="2001:2::99", dst="ff02::1:ff00:9", hlim=255) / ICMPv6ND_NS(tgt=tgt) / \
        ICMPv6NDOptSrcLLAddr(lladdr=m)
wrpcap(tmp + "/own.pcap", [
    probe(umac, "2001:2::1"),
    Ether(src="02:00:00:00:c8:9c", dst="33:33:00:00:00:01") /
    IPv6(src="2001:2::1", dst="ff02::1", hlim=255) / ICMPv6ND_NA(tgt="2001:2::1", R=0, S=0, O=1) /
    ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:c8:9c")])
# while 2001:2::9 is tentative: a solicitation, another node's probe, a solicitation
wrpcap(tmp + "/tent.pcap", [ns("2001:2::9"), probe("02:00:00:00:c8:9a", "2001:2::9"),
                            ns("2001:2::9")])
EOF
na0=$(vt "['counters']['nd_na_tx']")
n_conflict_lines() { grep -c "vtep vt0: .* conflict(s) with another node" "$E2E_TMP/dp.out" || true; }
lines0=$(n_conflict_lines)
conflict_logged() { (($(n_conflict_lines) > lines0)); }
trace_bg own u0 -c 2 "(ether src $umac and icmp6 and ip6[40] == 135 and ip6[8:4] == 0) or" \
	"ether src 02:00:00:00:c8:9c"
ip netns exec "$K" "$PY" "$E2E_PY" send "$KU" "$T/own.pcap" 20
trace_wait own
has own 1 "nd: duplicate address probe (neighbour solicitation from ::, mac $umac) for 2001:2::1 (this VTEP's address, preferred) on VTEP vt0"
has own 1 "nd: our own frame (Ethernet source $umac is the VTEP's), back from the underlay: ignored"
has own 1 "$NFU: our own frame"
has own 2 "nd: neighbour advertisement from 2001:2::1: 2001:2::1 is at 02:00:00:00:c8:9c (unsolicited, override) on VTEP vt0"
has own 2 "nd: 2001:2::1 is this VTEP's address, preferred: another node claims it: kept (RFC 4862 5.4.4), conflict counted (dad_conflict) and logged"
has own 2 "fate: consumed by ND on VTEP vt0 (advertisement taken)"
conflicted() { (($(vt "['counters']['dad_conflict']") >= 1)); }
wait_for 5 "the conflict to be counted" conflicted
wait_for 5 "the conflict's log line" conflict_logged
[[ $(addr_state) == preferred ]] || fail "vsw gave up its preferred address to an advertisement"
[[ $(vt "['counters']['nd_na_tx']") == "$na0" ]] || fail "vsw defended its address against its own probe"

log "(d) 2001:2::9: a solicitation while tentative, another node's probe, a solicitation"
vsw_quiet vtep remote-del ov 2001:2::2
# The frames must come within the second or two DAD runs: the sender is started (in K,
# its pcap read) before the VTEP is added and only waits for a line on a FIFO. On a
# machine busy enough to delay them past DAD the trace says "preferred", and the round
# is tried again.
mkfifo "$T/go"
tentative_round() {
	local sender
	vsw_quiet vtep del vt0
	ip netns exec "$K" "$PY" - "$E2E_PY" "$KU" "$T/tent.pcap" "$T/go" <<'EOF' &
import importlib.util, socket, sys, time
spec = importlib.util.spec_from_file_location("e2e", sys.argv[1])
e2e = importlib.util.module_from_spec(spec)
spec.loader.exec_module(e2e)
frames = e2e.read_pcap(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[2], 0))
with open(sys.argv[4]) as go:
    go.readline()
for fr in frames:
    s.send(fr)
    time.sleep(0.02)
EOF
	sender=$!
	trace_bg tent u0 -c 3 "ether src 02:00:00:00:c8:9a or ether src 02:00:00:00:c8:9b"
	vsw_quiet vtep add vt0 u0 2001:2::9/64
	# shellcheck disable=SC2016 # $1 is sh's
	timeout 10 sh -c 'echo go >"$1"' sh "$T/go" || fail "the sender of $T/tent.pcap never listened"
	wait "$sender" || fail "the sender of $T/tent.pcap failed"
	trace_wait tent
	steps tent 2 | grepq -F "(this VTEP's address, tentative)"
}
for round in 1 2 3 4; do
	tentative_round && break
	((round < 4)) || fail "the frames never came while 2001:2::9 was tentative"
	log "the frames came after DAD (a busy machine): again"
done
wait_for 10 "2001:2::9 to be marked duplicate" is_state duplicate
has tent 1 "nd: neighbour solicitation from 2001:2::99 (mac 02:00:00:00:c8:9b) for 2001:2::9 (this VTEP's address) on VTEP vt0"
has tent 1 "$NFU: not answered: address tentative (DAD running)"
has tent 2 "nd: duplicate address probe (neighbour solicitation from ::, mac 02:00:00:00:c8:9a) for 2001:2::9 (this VTEP's address, tentative) on VTEP vt0"
has tent 2 "nd: another node probes 2001:2::9 while this VTEP's own DAD runs: neither may have it: marked duplicate (dad_conflict counted)"
has tent 2 "$NFU: address now duplicate"
has tent 3 "$NFU: not answered: address duplicate (another node on the underlay has it)"
(($(vt "['counters']['dad_conflict']") >= 1)) || fail "no dad_conflict counted for the probe"
[[ $(vt "['counters']['nd_na_tx']") == 0 ]] || fail "vsw answered for a tentative or duplicate address"

expect_drop u0 vxlan_bad_nd 0
expect_drop u0 vxlan_malformed 0
dp_stop
