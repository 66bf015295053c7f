#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# Multiqueue with real VMs: two QEMU guests with 2 vCPUs each (TCG, both pinned to cpu 0)
# and a virtio-net NIC of 2 queue pairs (queues=2, mq=on) with MSI-X off (vectors=0, which
# QEMU 7.2's TCG needs: the guest then serves all its queues from one INTx line), on
# `queues=2` client-mode ports of a dataplane with two workers sharing cpu 1:
#  - each guest's virtio_net enables both pairs at boot (one per vCPU): `port show` says
#    "guest enabled 2 of 2", the guest's negotiated features (sysfs) have mq and mergeable
#    rx buffers on and checksum/segmentation offloads towards the switch off;
#  - a ping sent from each guest vCPU leaves on that vCPU's tx queue (XPS): the switch
#    receives on both rx queues of the port (one per worker), each worker forwards on its
#    own tx queue of the other port, and the other guest receives on both its rx queues
#    (its own per-queue counters, `ethtool -S`);
#  - a guest that disables a pair (`ethtool -L eth0 combined 1`; the guest image carries
#    the host's ethtool) shows "1 of 2", and both workers then send to it on its one
#    enabled tx queue, shared under a lock (l2/port_tx.c): pings from both vCPUs of the
#    other guest all pass, nothing is dropped, the disabled tx queue carries nothing;
#    enabled again, each worker has its own tx queue again and all pings pass.
. "$(dirname "$0")/lib.sh"
. "$VSW_ROOT/tests/vm/vm.sh"
e2e_init
e2e_require ethtool
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
rc=0
"$VSW_ROOT/tests/vm/mkguest.sh" "$E2E_TMP/guest" >"$E2E_TMP/mkguest.log" 2>&1 || rc=$?
((rc != 77)) || skip "$(tail -n 1 "$E2E_TMP/mkguest.log")"
((rc == 0)) || fail "mkguest.sh failed: $(cat "$E2E_TMP/mkguest.log")"
trap vm_e2e_exit EXIT

dp_start --worker-cpus 1,1
S1=$E2E_TMP/vm1.sock
S2=$E2E_TMP/vm2.sock
vsw_quiet bridge add br0
for p in vm1 vm2; do
	vsw_quiet port add $p vhost-user "socket=$E2E_TMP/$p.sock" mode=client queues=2
	vsw_quiet port attach $p br0
done

# pjson PORT EXPR: EXPR on the port's `port show -j` object (p)
pjson() { vsw -j port show "$1" | jget "(lambda p: $2)(r[0])"; }
# qstat PORT QUEUE FIELD: a per-queue counter of `stats -j`
qstat() { vsw -j stats "$1" | jget "[q for q in r[0]['queues'] if q['queue'] == $2][0]['$3']"; }
link_is() { [[ $(pjson "$1" "p['link']") == "$2" ]]; }
pairs_are() { [[ $(pjson "$1" "p['guest_queues']") == "$2" ]]; }
# txq_is PORT USED WORKERS: tx queues in use, and the most workers on one of them
txq_is() { [[ $(pjson "$1" "[p['tx_queues_used'], p['tx_queue_workers']]") == "[$2, $3]" ]]; }
# ping_from VM CPUMASK ADDR: ping from a process pinned to the guest's vCPUs in CPUMASK
# (so the echo requests leave on that vCPU's tx queue); succeeds on any answer.
ping_from() {
	vm_run "$1" 20 "taskset $2 ping -c 3 -W 2 $3" >"$E2E_TMP/ping.out"
}
# set_xps VM: vCPU 0 sends on tx queue 0, vCPU 1 on tx queue 1. Linux sets this XPS map
# itself when pairs = vCPUs; set it anyway so that the test does not depend on that default.
set_xps() {
	local q=/sys/class/net/eth0/queues
	vm_run "$1" 10 "echo 1 >$q/tx-0/xps_cpus && echo 2 >$q/tx-1/xps_cpus" >/dev/null ||
		fail "cannot set XPS in $1"
}
# gstat VM COUNTER: one of the guest's own NIC counters (ethtool -S)
gstat() {
	vm_run "$1" 10 "ethtool -S eth0" | tr -d ' \r' | sed -n "s/^$2://p"
}

tb=$SECONDS
log "booting two 2-vCPU guests, NICs with 2 queue pairs and MSI-X off (vectors=0)"
VM_SMP=2 VM_QUEUES=2 vm_start "$E2E_TMP/guest" vm1 "$S1" 52:54:00:00:00:01 198.51.100.1/24 \
	server "$E2E_TMP"
VM_SMP=2 VM_QUEUES=2 vm_start "$E2E_TMP/guest" vm2 "$S2" 52:54:00:00:00:02 198.51.100.2/24 \
	server "$E2E_TMP"
vm_wait vm1 150 || fail "vm1 did not boot"
vm_wait vm2 150 || fail "vm2 did not boot"
wait_for 15 "vm1 link up" link_is vm1 up
wait_for 15 "vm2 link up" link_is vm2 up
log "guests up, links up, after $((SECONDS - tb)) s"

log "each guest enabled both queue pairs"
wait_for 40 "vm1: guest enables 2 queue pairs" pairs_are vm1 2
wait_for 40 "vm2: guest enables 2 queue pairs" pairs_are vm2 2
for p in vm1 vm2; do
	wait_for 10 "$p: a tx queue per worker" txq_is $p 2 1
done
vsw port show | grepq "^vm1: 2 rx queues (workers [12],[12]), 2 tx queues; guest enabled 2 of 2" \
	|| fail "port show: $(vsw port show)"
for p in vm1 vm2; do
	[[ $(pjson $p "sorted(p['rxq_workers'])") == "[1, 2]" ]] ||
		fail "$p rx queues on workers $(pjson $p "p['rxq_workers']"), expected one on each"
done
vm_run vm1 10 "ethtool -l eth0" >"$E2E_TMP/chan.out" || fail "ethtool -l failed in vm1"
# the maximum, then the current number of pairs
chan=$(grep -a Combined: "$E2E_TMP/chan.out" | tr -d ' \t\r' | paste -sd,)
[[ $chan == Combined:2,Combined:2 ]] || fail "vm1 ethtool -l: $(cat "$E2E_TMP/chan.out")"
feat=$(vm_features vm1) || fail "no virtio features in vm1's sysfs"
log "vm1 negotiated (guest's sysfs, bit 0 first): $feat"
[[ ${feat:22:1} == 1 ]] || fail "vm1: mq (bit 22) not negotiated"
[[ ${feat:15:1} == 1 ]] || fail "vm1: mrg_rxbuf (bit 15) not negotiated"
for b in 0 11 12 13 14; do
	[[ ${feat:b:1} == 0 ]] || fail "vm1: guest offload feature bit $b negotiated"
done
vm_run vm1 10 "grep virtio /proc/interrupts" | tr -d '\r' | sed 's/^/    vm1 irq: /'

log "pings from each vCPU of vm1: both rx queues of vm1, both tx queues of vm2 carry them"
vsw_quiet stats clear
set_xps vm1
g0=$(gstat vm2 rx_queue_0_packets)
g1=$(gstat vm2 rx_queue_1_packets)
ping_from vm1 1 198.51.100.2 || fail "vm1 (vCPU 0) cannot ping vm2: $(cat "$E2E_TMP/ping.out")"
ping_from vm1 2 198.51.100.2 || fail "vm1 (vCPU 1) cannot ping vm2: $(cat "$E2E_TMP/ping.out")"
r0=$(qstat vm1 0 rx_packets)
r1=$(qstat vm1 1 rx_packets)
tq0=$(qstat vm2 0 tx_packets)
tq1=$(qstat vm2 1 tx_packets)
g0=$(($(gstat vm2 rx_queue_0_packets) - g0))
g1=$(($(gstat vm2 rx_queue_1_packets) - g1))
log "vm1 rx queues: $r0, $r1; vm2 tx queues: $tq0, $tq1; vm2's guest rx queues: $g0, $g1"
((r0 >= 3 && r1 >= 3)) || fail "not both rx queues of vm1 received the pings ($r0, $r1)"
((tq0 > 0 && tq1 > 0)) || fail "not both workers sent on their own tx queue of vm2 ($tq0, $tq1)"
((g0 > 0 && g1 > 0)) || fail "vm2 did not receive on both its rx queues ($g0, $g1)"
vsw stats | sed "s/^/    /"

log "vm1 disables a pair (ethtool -L eth0 combined 1): both workers share its tx queue 0"
vm_run vm1 10 "ethtool -L eth0 combined 1" >/dev/null || fail "ethtool -L combined 1 failed in vm1"
wait_for 30 "vm1: guest enables 1 queue pair" pairs_are vm1 1
wait_for 10 "vm1: both workers on its one enabled tx queue" txq_is vm1 1 2
shared="2 tx queues (1 in use: tx queue shared by 2 workers); guest enabled 1 of 2 queue pairs"
vsw port show | grepq "^vm1: .*$shared" ||
	fail "port show: $(vsw port show)"
set_xps vm2
vsw_quiet stats clear
# vm2's vCPU 0 sends on its tx queue 0 = the port's rx queue 0, polled by worker 1; vCPU
# 1's on rx queue 1, polled by worker 2: both workers send to vm1, on its tx queue 0.
for m in 1 2; do
	ping_from vm2 $m 198.51.100.1 ||
		fail "vm2 (vCPU $((m - 1))) cannot ping vm1: $(cat "$E2E_TMP/ping.out")"
	grep -q " 0% packet loss" "$E2E_TMP/ping.out" ||
		fail "vm2 (vCPU $((m - 1))) lost pings to vm1: $(cat "$E2E_TMP/ping.out")"
done
r0=$(qstat vm2 0 rx_packets)
r1=$(qstat vm2 1 rx_packets)
tq0=$(qstat vm1 0 tx_packets)
log "vm2 rx queues: $r0, $r1 (one per worker); vm1's tx queue 0: $tq0"
((r0 >= 3 && r1 >= 3)) || fail "not both workers carried vm2's pings ($r0, $r1)"
((tq0 >= 6)) || fail "vm1's tx queue 0 carried $tq0 frames, expected both workers' 6 pings"
(($(qstat vm1 1 tx_packets) == 0)) || fail "vm1's disabled tx queue 1 counted frames"
expect_drop vm1 tx_full 0

log "vm1 enables both pairs again: pings from both vCPUs of vm2 pass"
vm_run vm1 10 "ethtool -L eth0 combined 2" >/dev/null || fail "ethtool -L combined 2 failed in vm1"
wait_for 40 "vm1: guest enables 2 queue pairs" pairs_are vm1 2
wait_for 10 "vm1: a tx queue per worker again" txq_is vm1 2 1
ping_from vm2 2 198.51.100.1 || fail "vm2 (vCPU 1) cannot ping vm1: $(cat "$E2E_TMP/ping.out")"
ping_from vm2 1 198.51.100.1 || fail "vm2 (vCPU 0) cannot ping vm1: $(cat "$E2E_TMP/ping.out")"
(($(qstat vm1 1 tx_packets) > 0)) || fail "vm1's tx queue 1 carried nothing once enabled again"
log "all passed $((SECONDS - tb)) s after the guests started"
vm_stop vm1
vm_stop vm2
dp_stop
