#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The ceiling of the vhost scenarios (bench/vsw_vhost.sh): dpdk-testpmd on DPDK's net_vhost
# with the same virtio-user peer (bench/vhost_peer.sh), cores and memory, and no switching:
#   rx   net_vhost in rxonly: what dequeuing from the guest's tx ring costs alone.
#   pvp  pcap (infinite_rx) -> net_vhost -> peer (macswap) -> net_vhost -> null, testpmd io
#        forwarding with --port-topology=chained (port 0 pcap -> 1 vhost -> 2 null).
# Usage: testpmd_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]
# Prints `mpps N` (rx: vhost's Rx-pps; pvp: null's Tx-pps), `cpu_share N`, the peer's rates.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost_peer.sh"

scen=${1:?usage: testpmd_vhost.sh rx|pvp SECONDS [WARMUP] [PCAP]}
secs=${2:-10}
warm=${3:-2}
pcap=${4:-}
cpu=${BENCH_CPU:-1}
ctl=${BENCH_CTL_CPU:-0}
d=$(mktemp -d /tmp/bench-tpvh.XXXXXX)
on_exit "rm -rf $d"
vhost="net_vhost0,iface=$d/vhu0.sock,client=1,queues=1"
case $scen in
rx) mode=txonly vdevs=(--vdev "$vhost") fwd=(--forward-mode=rxonly) port=0 field=Rx-pps ;;
pvp)
	mode=macswap port=2 field=Tx-pps
	[ -r "$pcap" ] || die "pvp needs a readable PCAP"
	vdevs=(--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev "$vhost" --vdev net_null0,no-rx=1)
	fwd=(--forward-mode=io --port-topology=chained)
	;;
*) die "scenario $scen: expected rx or pvp" ;;
esac

on_exit "peer_stop"
peer_start "$d" "$d/vhu0.sock" "$mode"
mkfifo $d/in
read -ra mem <<<"$(eal_mem 1024)"
dpdk-testpmd -l "$ctl,$cpu" --no-pci --file-prefix "bench-tpvh-$$" "${mem[@]}" "${vdevs[@]}" \
	-- -i "${fwd[@]}" --nb-cores=1 --total-num-mbufs=65536 <$d/in >"$d/out" 2>&1 &
tp=$!
track_pid $tp
exec 4>$d/in
on_exit "exec 4>&-"
wait_for 60 grep -q "^testpmd> " "$d/out" || { cat "$d/out" >&2; die "dpdk-testpmd not ready after 60 s"; }
peer_ready
echo start >&4
peer_cmd start
nap "$warm"
tid=$(poll_thread $tp)
echo "show port stats all" >&4
peer_pps Tx-pps >/dev/null
s0=$(sched_sample $tp $tid); p0=$(peer_sched)
nap "$secs"
echo "show port stats all" >&4
s1=$(sched_sample $tp $tid); p1=$(peer_sched)
ptx=$(peer_pps Tx-pps)
prx=$(awk '/NIC statistics for port 0/ { v = "" } { for (i = 1; i < NF; i++) if ($i == "Rx-pps:") v = $(i + 1) } END { print v }' "$PEER_OUT")
printf 'stop\nquit\n' >&4
exec 4>&-
wait_for 30 sh -c "! kill -0 $tp" || log "dpdk-testpmd did not quit in 30 s"
wait $tp || { cat "$d/out" >&2; die "dpdk-testpmd failed"; }
cat "$d/out" >&2
pps=$(awk -v p="NIC statistics for port $port" -v f="$field:" '
	index($0, p) { s = 1 } s && $1 == f { v = $2; s = 0 } END { print v }' "$d/out")
[ -n "$pps" ] || die "no $field for port $port in testpmd's output"
awk -v p="$pps" 'BEGIN { printf "mpps %.2f\n", p / 1e6 }'
echo "cpu_share $(cpu_share "$s0" "$s1")"
echo "peer_cpu_share $(cpu_share "$p0" "$p1")"
awk -v v="$ptx" 'BEGIN { if (v != "?") printf "peer_tx_mpps %.2f\n", v / 1e6 }'
awk -v v="$prx" 'BEGIN { if (v != "") printf "peer_rx_mpps %.2f\n", v / 1e6 }'
peer_stop
