#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 240
#
# A VM rebooted keeps working: two QEMU guests (tests/vm/) on one bridge, vhost-user ports
# in client mode; vm1 pings vm2; vm2 reboots from its console (QEMU resets the machine: the
# virtio device is reset, the vhost-user rings are stopped and set up again by the new
# kernel's driver on the same connection); once vm2's shell is back, vm2's link is up again
# and vm1 and vm2 ping each other, the dataplane never restarted and no frame lost in it
# other than as counted port_down / tx_full drops. vm1 is untouched throughout.
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
VM_REBOOT=1

dp_start
S1=$E2E_TMP/vm1.sock
S2=$E2E_TMP/vm2.sock
vsw_quiet bridge add br0
vsw_quiet port add vm1 vhost-user "socket=$S1" mode=client
vsw_quiet port add vm2 vhost-user "socket=$S2" mode=client
vsw_quiet port attach vm1 br0
vsw_quiet port attach vm2 br0
link_is() { [[ $(vsw -j port show "$1" | jget "r[0]['link']") == "$2" ]]; }
# ping_ok FROM ADDR: at least one answer to 3 pings (the first may wait for ARP)
ping_ok() { vm_run "$1" 20 "ping -c 3 -W 2 $2" >"$E2E_TMP/ping.out"; }

t0=$SECONDS
vm_start "$E2E_TMP/guest" vm1 "$S1" 52:54:00:00:00:01 198.51.100.1/24 server "$E2E_TMP"
vm_start "$E2E_TMP/guest" vm2 "$S2" 52:54:00:00:00:02 198.51.100.2/24 server "$E2E_TMP"
vm_wait vm1 150 || fail "vm1 did not boot"
vm_wait vm2 150 || fail "vm2 did not boot"
wait_for 15 "vm1 link up" link_is vm1 up
wait_for 15 "vm2 link up" link_is vm2 up
log "guests up after $((SECONDS - t0)) s"
ping_ok vm1 198.51.100.2 || fail "vm1 cannot ping vm2 before the reboot: $(cat "$E2E_TMP/ping.out")"
qemu1=${VM_PID[vm1]}
qemu2=${VM_PID[vm2]}

log "vm2 reboots (reboot -f on its console)"
t1=$SECONDS
vm_reboot vm2
# the reset stops the device: vsw sees the guest driver go (and not the connection)
wait_for 30 "vm2 link down while it reboots" link_is vm2 down
log "vm2 link down $((SECONDS - t1)) s into the reboot"
vm_wait vm2 150 || fail "vm2 did not come back after its reboot"
kill -0 "$qemu2" 2>/dev/null || fail "vm2's QEMU exited instead of rebooting"
(($(grep -c '^guest: ready' "$E2E_TMP/vm2.console") == 2)) ||
	fail "vm2's console does not show a second boot"
wait_for 15 "vm2 link up after the reboot" link_is vm2 up
log "vm2 back after $((SECONDS - t1)) s, link up"

ping_ok vm1 198.51.100.2 || fail "vm1 cannot ping vm2 after vm2's reboot: $(cat "$E2E_TMP/ping.out")"
grep -a "packets transmitted" "$E2E_TMP/ping.out" | sed 's/^/    vm1 -> vm2: /'
ping_ok vm2 198.51.100.1 || fail "vm2 cannot ping vm1 after its reboot: $(cat "$E2E_TMP/ping.out")"
grep -a "packets transmitted" "$E2E_TMP/ping.out" | sed 's/^/    vm2 -> vm1: /'
[[ ${VM_PID[vm1]} == "$qemu1" ]] && kill -0 "$qemu1" || fail "vm1's QEMU did not stay up"
kill -0 "$DP_PID" || fail "the dataplane died"
vsw fdb show br0
vsw stats
vm_stop vm1
vm_stop vm2
dp_stop
