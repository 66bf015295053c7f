#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# OVS-DPDK 3.1's userspace VXLAN tunnel on the same ports and traffic as vsw_vxlan.sh
# (the method of ../shared/tools/ovs_vxlan_{encap,decap}.sh, in bench/ovs.sh's harness):
# an underlay bridge vxphy<pid> (datapath netdev, 198.18.0.1/24, hwaddr 02:aa:00:00:00:01, route and static ARP
# entry for the remote VTEP 198.18.0.2 = 02:aa:00:00:00:02) and br-int with a vxlan port
# (remote_ip 198.18.0.2, key 5001), NORMAL bridges, the NDST destination MACs pre-filled
# with `ovs-appctl fdb/add`, one PMD thread on BENCH_CPU.
#   encap  pcap (64-byte frames, infinite_rx) in br-int -> vxlan0 -> tnl_push -> vxphy -> null
#   decap  pcap (VXLAN frames, bench/mkvxlan.py) in vxphy -> tnl_pop -> br-int -> null
#   encap6, decap6  the same over IPv6: vxphy 2001:2::1/64 (no DAD), `ovs/route/add
#          2001:2::/64`, `tnl/neigh/set` 2001:2::2, remote_ip=2001:2::2 with csum=true
#          (3.1's default over IPv6 too, spelled out because vsw computes the outer UDP
#          checksum and so must OVS for a fair figure; incoming checksums are verified
#          either way)
# Usage: ovs_vxlan.sh encap|decap|encap6|decap6 PCAP NDST SECONDS [WARMUP]
# Env: BENCH_HUGE=1 for hugepages, BENCH_CPU (PMD cpu, 1), BENCH_CTL_CPU (0).
# Prints `mpps N`, `cycles_per_packet N`, `cpu_share N` and what the datapath does to the
# tunnel's frames: `tnl_push IP,UDP` (encap: the outer headers OVS pushes, csum=0xffff
# meaning a UDP checksum computed per packet) or `tnl_pop MATCH` (decap). Exit 77 (skip) when
# OVS-DPDK is not installed or does not start.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovs_lib.sh"

usage="usage: ovs_vxlan.sh encap|decap|encap6|decap6 PCAP NDST SECONDS [WARMUP]"
mode=${1:?$usage}
pcap=${2:?$usage}
ndst=${3:-64}
secs=${4:-10}
warm=${5:-2}
case $mode in
encap | decap) local_ip=198.18.0.1 remote=198.18.0.2 plen=24 net=198.18.0.0/24 csum= ;;
encap6 | decap6)
	local_ip=2001:2::1 remote=2001:2::2 plen=64 net=2001:2::/64 mode=${mode%6}
	csum=options:csum=true
	;;
*) die "mode must be encap, decap, encap6 or decap6" ;;
esac
# The underlay bridge is also a kernel tap device: a name of its own per run, so a
# previous run's device still going away never collides, deleted after the daemons.
phy=vxphy$$
# the underlay device goes after the daemons (on_exit runs last-registered first)
on_exit "ip link del $phy"
ovs_start ovs

vsctl add-br $phy -- set bridge $phy datapath_type=netdev \
	other_config:hwaddr=02:aa:00:00:00:01
# nodad: the address is usable at once (OVS takes a tunnel's source from it)
ip addr add $local_ip/$plen dev $phy nodad
ip link set $phy up
appctl ovs/route/add $net $phy >/dev/null
appctl tnl/neigh/set $phy $remote 02:aa:00:00:00:02 >/dev/null
vsctl add-br br-int -- set bridge br-int datapath_type=netdev
vsctl add-port br-int vxlan0 -- set interface vxlan0 type=vxlan \
	options:remote_ip=$remote options:key=5001 $csum
if [ "$mode" = encap ]; then
	sinkbr=$phy
	inbr=br-int
	vsctl add-port $phy sink -- set Interface sink type=dpdk \
		options:dpdk-devargs="net_null_bench$$,no-rx=1"
	appctl fdb/add $phy sink 0 02:aa:00:00:00:02 >/dev/null
	fdbport=vxlan0
else
	sinkbr=br-int
	inbr=$phy
	vsctl add-port br-int sink -- set Interface sink type=dpdk \
		options:dpdk-devargs="net_null_bench$$,no-rx=1"
	fdbport=sink
fi
for ((j = 0; j < ndst; j++)); do
	appctl fdb/add br-int $fdbport 0 "$(printf '02:00:00:01:%02x:%02x' $((j >> 8)) $((j & 255)))" >/dev/null
done
vsctl add-port $inbr src -- set Interface src type=dpdk \
	options:dpdk-devargs="net_pcap_bench$$,rx_pcap=$pcap,infinite_rx=1"

tx() { timeout 10 ovs-ofctl dump-ports $sinkbr sink | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p'; }
moving() { local a b; a=$(tx); sleep 0.2; b=$(tx); [ -n "$a" ] && [ "$b" -gt "$a" ]; }
wait_for 30 moving || { tail -20 $d/vswitchd.log >&2; skip "no traffic through OVS's tunnel after 30 s"; }
nap "$warm"
appctl dpif-netdev/pmd-stats-clear >/dev/null
vpid=$(cat $d/ovs-vswitchd.pid)
tid=$(poll_thread $vpid)
t0=$(now); a=$(tx); s0=$(sched_sample $vpid $tid)
nap "$secs"
t1=$(now); b=$(tx); s1=$(sched_sample $vpid $tid)
stats=$(appctl dpif-netdev/pmd-stats-show)
echo "$stats" >&2
flows=$(appctl dpctl/dump-flows 2>/dev/null | grep -m2 -E "tnl_push|tnl_pop") || flows=
echo "${flows:-no tunnel flow seen}" >&2
push=$(echo "$flows" | grep 'tnl_push' | grep -o 'ipv[46]([^)]*),udp([^)]*)' | head -1)
[ -z "$push" ] || echo "tnl_push $push"
pop=$(echo "$flows" | grep 'tnl_pop' | grep -o 'eth_type([^)]*),ipv[46]([^)]*),udp([^)]*)' | head -1)
[ -z "$pop" ] || echo "tnl_pop $pop"
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
cpp=$(echo "$stats" | sed -n 's/.*avg cycles per packet: *\([0-9.]*\).*/\1/p' | head -1)
[ -z "$cpp" ] || echo "cycles_per_packet $cpp"
echo "cpu_share $(cpu_share "$s0" "$s1")"
