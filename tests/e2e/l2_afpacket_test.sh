#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 90
#
# Two Linux hosts (namespaces, 198.51.100.1 and .2) ping each other through a vsw bridge
# whose ports are net_af_packet sockets on the root ends of their veths: ARP is flooded,
# replies and echoes go unicast, and the bridge learns both hosts' MACs on the right
# ports.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require ping ethtool
dp_start

H1=${E2E_TAG}h1
H2=${E2E_TAG}h2
MAC1=02:00:00:00:c6:01
MAC2=02:00:00:00:c6:02
netns_add "$H1"
netns_add "$H2"
veth_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$H1"
veth_add "${E2E_TAG}a2" "${E2E_TAG}b2" "$H2"
ip -n "$H1" link set "${E2E_TAG}b1" address $MAC1
ip -n "$H2" link set "${E2E_TAG}b2" address $MAC2
ip -n "$H1" addr add 198.51.100.1/24 dev "${E2E_TAG}b1"
ip -n "$H2" addr add 198.51.100.2/24 dev "${E2E_TAG}b2"

vsw_quiet bridge add lab
vsw_quiet port add h1 af_packet "iface=${E2E_TAG}a1"
vsw_quiet port add h2 af_packet "iface=${E2E_TAG}a2"
vsw_quiet port attach h1 lab
vsw_quiet port attach h2 lab

log "ping 198.51.100.2 from $H1, 3 times"
if ! ip netns exec "$H1" ping -c 3 -i 0.2 -W 2 198.51.100.2; then
	vsw stats
	vsw fdb show lab
	fail "ping across the switch failed"
fi
log "and back from $H2"
ip netns exec "$H2" ping -c 1 -W 2 198.51.100.1 || fail "ping back from $H2 failed"

vsw fdb show lab
fdb=$(vsw -j fdb show lab | jget "' '.join('%s/%s/%s' % (e['mac'], e['port'], e['type']) for e in r)")
for want in "$MAC1/h1/learned" "$MAC2/h2/learned"; do
	[[ " $fdb " == *" $want "* ]] || fail "fdb lacks $want: $fdb"
done
rx=$(port_stat h1 rx_packets)
tx=$(port_stat h1 tx_packets)
((rx >= 4 && tx >= 4)) || fail "h1 counted rx $rx, tx $tx; expected at least 4 each (ARP + 3 echoes)"
expect_stat h1 drops_total 0
expect_stat h2 drops_total 0
dp_stop
