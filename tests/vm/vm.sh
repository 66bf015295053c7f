#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Boots the tiny guest of mkguest.sh under QEMU (TCG: no KVM on the test machines) with one
# virtio-net NIC on a vhost-user socket, and runs commands in it over its serial console.
# Sourced by tests (vm_start / vm_wait / vm_run / vm_stop), or run by hand:
#
#   tests/vm/vm.sh GUESTDIR NAME SOCKET MAC ADDR/LEN [server|client]
#       boots in the foreground with the console on this terminal (Ctrl-a x quits).
#       server: QEMU serves SOCKET (vsw port mode=client, the recommended pairing);
#       client: QEMU connects to vsw's socket (vsw port mode=server; QEMU reconnects).
#
# What QEMU needs for vhost-user here (see ../shared/TESTBED.md): guest memory shared with
# the switch (memfd, share=on), MSI-X off on the NIC (vectors=0: QEMU 7.2's TCG crashes in
# vhost_net_start otherwise), and QEMU pinned away from the switch's polling core.

VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
VM_CPU=${VM_CPU:-0} # the switch's worker polls cpu 1
VM_MEM=${VM_MEM:-256}
# VM_SMP vCPUs; VM_QUEUES queue pairs on the NIC (more than 1: multiqueue, mq=on; the
# guest's virtio_net enables min(VM_QUEUES, VM_SMP) of them at boot).
VM_SMP=${VM_SMP:-1}
VM_QUEUES=${VM_QUEUES:-1}
# VM_REBOOT=1: a guest's reboot resets the machine (vm_reboot); by default QEMU exits
# instead (-no-reboot), so that a guest that panics (panic=-1) ends rather than loops.
VM_REBOOT=${VM_REBOOT:-0}
declare -A VM_PID=() VM_DIR=() VM_SEQ=() VM_BOOTS=()

# vm_qemu_args GUESTDIR NAME SOCKET MAC ADDR MODE: the QEMU command line (one word a line).
vm_qemu_args() {
	local g=$1 name=$2 sock=$3 mac=$4 addr=$5 mode=$6 chr mq= nq=
	if [[ $mode == server ]]; then
		chr="socket,id=c0,path=$sock,server=on,wait=off"
	else
		chr="socket,id=c0,path=$sock,reconnect=1"
	fi
	if ((VM_QUEUES > 1)); then
		nq=",queues=$VM_QUEUES"
		mq=",mq=on"
	fi
	printf '%s\n' -name "$name" -machine pc -accel tcg -m "$VM_MEM" -smp "$VM_SMP" \
		-object "memory-backend-memfd,id=mem,size=${VM_MEM}M,share=on" \
		-numa node,memdev=mem \
		-kernel "$g/vmlinuz" -initrd "$g/initrd.gz" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 vsw_name=$name vsw_ip=$addr" \
		-chardev "$chr" -netdev "type=vhost-user,id=n0,chardev=c0$nq" \
		-device "virtio-net-pci,netdev=n0,mac=$mac,vectors=0$mq" \
		-nodefaults -display none
	[[ $VM_REBOOT == 1 ]] || echo -no-reboot
}

# vm_start GUESTDIR NAME SOCKET MAC ADDR MODE WORKDIR: boot in the background, the console
# on FIFOs WORKDIR/NAME.in / .out, copied to WORKDIR/NAME.console.
vm_start() {
	local g=$1 name=$2 sock=$3 mac=$4 addr=$5 mode=$6 dir=$7 args
	mapfile -t args < <(vm_qemu_args "$g" "$name" "$sock" "$mac" "$addr" "$mode")
	VM_DIR[$name]=$dir
	VM_SEQ[$name]=0
	VM_BOOTS[$name]=1
	rm -f "$dir/$name.in" "$dir/$name.out"
	mkfifo "$dir/$name.in" "$dir/$name.out"
	: >"$dir/$name.console"
	# QEMU's pipe chardev opens both FIFOs read-write; the copier sees EOF when QEMU exits.
	cat <"$dir/$name.out" >>"$dir/$name.console" &
	taskset -c "$VM_CPU" "$VM_QEMU" "${args[@]}" -serial "pipe:$dir/$name" \
		>"$dir/$name.qemu.log" 2>&1 &
	VM_PID[$name]=$!
}

# vm_wait NAME [SECONDS]: until the guest's shell is up (TCG: 10 to 40 s when two guests
# share a core); after vm_reboot, until it is up again.
vm_wait() {
	local name=$1 secs=${2:-90} dir=${VM_DIR[$1]} i
	for ((i = 0; i < secs * 10; i++)); do
		(($(grep -cs '^guest: ready' "$dir/$name.console" || true) >= VM_BOOTS[$name])) &&
			return 0
		if ! kill -0 "${VM_PID[$name]}" 2>/dev/null; then
			echo "vm $name: QEMU exited:" >&2
			tail -n 20 "$dir/$name.qemu.log" "$dir/$name.console" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "vm $name: no shell after $secs s; console:" >&2
	tail -n 20 "$dir/$name.console" >&2
	return 1
}

# vm_run NAME TIMEOUT COMMAND: run COMMAND in the guest's shell; its output on stdout,
# its exit status as ours (124 when it did not finish within TIMEOUT seconds).
vm_run() {
	local name=$1 secs=$2 cmd=$3 dir=${VM_DIR[$1]} n mark i start
	n=$((VM_SEQ[$name] + 1))
	VM_SEQ[$name]=$n
	mark="VSWDONE$n"
	start=$(wc -l <"$dir/$name.console")
	# The terminal echoes the line back: quote the marker so only the output matches.
	printf '%s; echo "VSW""DONE%s $?"\n' "$cmd" "$n" >"$dir/$name.in"
	for ((i = 0; i < secs * 10; i++)); do
		if tail -n +"$((start + 1))" "$dir/$name.console" | grep -qa "^$mark "; then
			tail -n +"$((start + 1))" "$dir/$name.console" | tr -d '\r' |
				awk -v m="$mark" '$1 == m { exit } seen { print } /VSW""DONE/ { seen = 1 }'
			return "$(tail -n +"$((start + 1))" "$dir/$name.console" | tr -d '\r' |
				awk -v m="$mark" '$1 == m { print $2; exit }')"
		fi
		sleep 0.1
	done
	return 124
}

# vm_features NAME: the virtio features the guest's NIC negotiated, as the guest's sysfs
# shows them: 64 characters, 0 or 1, bit 0 first (the tiny guest has no other virtio device).
vm_features() {
	vm_run "$1" 10 "cat /sys/bus/virtio/devices/virtio*/features" | tr -d '\r' |
		grep -E '^[01]{64}$'
}

# vm_reboot NAME: reboot the guest from its console, as its user would (reboot -f: no
# init scripts in the tiny guest); QEMU resets the machine, which must have been started
# with VM_REBOOT=1. vm_wait then waits for the new boot's shell.
vm_reboot() {
	local name=$1
	[[ $VM_REBOOT == 1 ]] || { echo "vm_reboot: start the VM with VM_REBOOT=1" >&2; return 1; }
	VM_BOOTS[$name]=$((VM_BOOTS[$name] + 1))
	printf 'reboot -f\n' >"${VM_DIR[$name]}/$name.in"
}

# vm_stop NAME: power the guest off, kill QEMU if it does not go.
vm_stop() {
	local name=$1 dir=${VM_DIR[$1]:-} i
	[[ -n ${VM_PID[$name]:-} ]] || return 0
	printf 'poweroff -f\n' >"$dir/$name.in" 2>/dev/null &
	for ((i = 0; i < 50; i++)); do
		kill -0 "${VM_PID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "${VM_PID[$name]}" 2>/dev/null || true
	wait "${VM_PID[$name]}" 2>/dev/null || true
	unset "VM_PID[$name]"
	rm -f "$dir/$name.in" "$dir/$name.out"
}

# vm_e2e_exit: the EXIT trap of e2e tests (tests/e2e/lib.sh) that start VMs: stop them
# all, then the harness's own cleanup with the test's exit status. Errors are off first:
# under set -eE a failing command in a trap would end the shell before e2e_cleanup ran,
# leaving the dataplane behind.
vm_e2e_exit() {
	local rc=$? n
	trap - ERR
	set +e
	for n in "${!VM_PID[@]}"; do
		vm_stop "$n"
	done
	(exit "$rc")
	e2e_cleanup
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	if (($# < 5)); then
		sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 2
	fi
	mapfile -t args < <(vm_qemu_args "$1" "$2" "$3" "$4" "$5" "${6:-server}")
	exec taskset -c "$VM_CPU" "$VM_QEMU" "${args[@]}" -serial mon:stdio
fi
