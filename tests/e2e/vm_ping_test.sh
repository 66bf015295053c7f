#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
#
# Real VMs: two QEMU guests (Debian's kernel, busybox, virtio-net over vhost-user; see
# tests/vm/) on one bridge ping each other through vsw; moved to access VLANs 10 and 20
# they cannot, moved both to VLAN 10 they can again; then the dataplane is stopped and
# started again and, its vhost-user ports being in client mode (QEMU serves the sockets),
# the guests' ping resumes without anything done to the VMs. On the way, the virtio
# features the guest's driver negotiated (its sysfs) are checked: mergeable rx buffers on,
# offloads from the guest off, and the same as what `vswctl port show` reports.
. "$(dirname "$0")/lib.sh"
. "$VSW_ROOT/tests/vm/vm.sh"
e2e_init
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
rc=0
"$VSW_ROOT/tests/vm/mkguest.sh" "$E2E_TMP/guest" >"$E2E_TMP/mkguest.log" 2>&1 || rc=$?
((rc != 77)) || skip "$(tail -n 1 "$E2E_TMP/mkguest.log")"
((rc == 0)) || fail "mkguest.sh failed: $(cat "$E2E_TMP/mkguest.log")"
trap vm_e2e_exit EXIT

dp_start
S1=$E2E_TMP/vm1.sock
S2=$E2E_TMP/vm2.sock
attach() {
	vsw_quiet port attach vm1 br0 ${1:+vlan=$1}
	vsw_quiet port attach vm2 br0 ${2:+vlan=$2}
}
setup() {
	vsw_quiet bridge add br0
	vsw_quiet port add vm1 vhost-user "socket=$S1" mode=client
	vsw_quiet port add vm2 vhost-user "socket=$S2" mode=client
	attach "$@"
}
link_is() { [[ $(vsw -j port show "$1" | jget "r[0]['link']") == "$2" ]]; }
# ping_ok FROM ADDR: at least one answer to 3 pings (the first may wait for ARP)
ping_ok() { vm_run "$1" 20 "ping -c 3 -W 2 $2" >"$E2E_TMP/ping.out"; }

setup
t0=$SECONDS
log "booting two guests under QEMU TCG, each serving its vhost-user socket"
vm_start "$E2E_TMP/guest" vm1 "$S1" 52:54:00:00:00:01 198.51.100.1/24 server "$E2E_TMP"
vm_start "$E2E_TMP/guest" vm2 "$S2" 52:54:00:00:00:02 198.51.100.2/24 server "$E2E_TMP"
vm_wait vm1 150 || fail "vm1 did not boot"
vm_wait vm2 150 || fail "vm2 did not boot"
wait_for 15 "vm1 link up" link_is vm1 up
wait_for 15 "vm2 link up" link_is vm2 up
log "guests up, links up, after $((SECONDS - t0)) s"

# What the real guest driver negotiated, as the guest sees it: mergeable rx buffers on,
# checksum and segmentation offloads towards the switch off (the port refuses them), and
# every feature the dataplane reports (`port show`) really in use by the guest, but bit 30
# (vhost-user's protocol-features bit, which the guest never sees).
feat=$(vm_features vm1) || fail "no virtio features in vm1's sysfs"
log "vm1 negotiated (guest's sysfs, bit 0 first): $feat"
[[ ${feat:15:1} == 1 ]] || fail "vm1: mrg_rxbuf (bit 15) not negotiated"
for b in 0 6 11 12 13 14; do
	[[ ${feat:b:1} == 0 ]] || fail "vm1: guest offload feature bit $b negotiated"
done
dpf=$(vsw -j port show vm1 | jget "int(r[0]['guest_features'], 16) & ~(1 << 30)")
for ((b = 0; b < 64; b++)); do
	((!((dpf >> b) & 1))) || [[ ${feat:b:1} == 1 ]] ||
		fail "vsw reports feature bit $b for vm1, the guest did not negotiate it ($feat)"
done

log "same VLAN: vm1 pings vm2"
ping_ok vm1 198.51.100.2 || fail "vm1 cannot ping vm2: $(cat "$E2E_TMP/ping.out")"
grep -a "packets transmitted" "$E2E_TMP/ping.out" | sed 's/^/    /'
vsw fdb show br0

log "access VLANs 10 and 20: no ping"
vsw_quiet port detach vm1
vsw_quiet port detach vm2
attach 10 20
ping_ok vm1 198.51.100.2 && fail "vm1 pinged vm2 across VLANs 10 and 20"
grep -a "packets transmitted" "$E2E_TMP/ping.out" | sed 's/^/    /'
vsw_quiet port detach vm2
vsw_quiet port attach vm2 br0 vlan=10
ping_ok vm1 198.51.100.2 || fail "vm1 cannot ping vm2, both in VLAN 10"
log "both in VLAN 10: ping works again"

log "dataplane restart (client mode: the VMs are not touched)"
t1=$SECONDS
dp_stop
dp_start
setup 10 10
wait_for 15 "vm1 link up" link_is vm1 up
wait_for 15 "vm2 link up" link_is vm2 up
ping_ok vm2 198.51.100.1 || fail "no ping after the dataplane restart: $(cat "$E2E_TMP/ping.out")"
log "ping resumed $((SECONDS - t1)) s after the restart began"
vsw stats
vm_stop vm1
vm_stop vm2
dp_stop
