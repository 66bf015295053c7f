#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds the tiny guest that the VM tests boot (tests/vm/vm.sh): Debian's own kernel and an
# initramfs of busybox-static plus the virtio-net modules, whose /init brings eth0 up with
# the address given on the kernel command line and then runs a shell on the serial port
# (ttyS0), which is how tests send commands. No disk, no network boot, nothing downloaded.
# The host's ethtool comes along with its shared libraries when it is installed (busybox
# has none; tests need it to change queue pairs, `ethtool -L`, and read per-queue counters).
#
#   tests/vm/mkguest.sh OUTDIR        writes OUTDIR/vmlinuz and OUTDIR/initrd.gz
#
# Kernel command line values read by /init: vsw_ip=ADDR/LEN (eth0's address), vsw_cmd=...
# (run this instead of a shell, then power off; spaces as %20). The MAC comes from QEMU's
# -device ...,mac=. Exits 77 (with the reason) when no kernel with its modules or no
# busybox-static is installed: apt-get install linux-image-amd64 busybox-static.
set -euo pipefail

out=${1:?usage: mkguest.sh OUTDIR}
MODS=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover
	net_failover virtio_net) # in load order: each needs the ones before it

skip() {
	echo "mkguest: SKIP: $*" >&2
	exit 77
}

# The newest /boot kernel whose modules are installed (the running kernel may be another,
# without modules on disk, as in containers and on this project's test machines).
kver=
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -rV); do
	v=${k#/boot/vmlinuz-}
	if [[ -d /lib/modules/$v/kernel && -r $k ]]; then
		kver=$v
		break
	fi
done
[[ -n $kver ]] || skip "no /boot/vmlinuz-* with modules under /lib/modules (apt-get install linux-image-amd64)"
bb=$(command -v busybox || true)
# the initramfs has no libc: only busybox-static's binary works there (ldd fails on it)
if [[ -z $bb ]] || ldd "$bb" >/dev/null 2>&1; then
	skip "no static busybox (apt-get install busybox-static)"
fi

mkdir -p "$out"
root=$(mktemp -d /tmp/vsw-guest.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib/modules}
cp "$bb" "$root/bin/busybox"
for m in "${MODS[@]}"; do
	f=$(find "/lib/modules/$kver/kernel" -name "$m.ko*" | head -n 1)
	[[ -n $f ]] || skip "module $m missing under /lib/modules/$kver"
	case $f in
	*.ko.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
done
echo "${MODS[*]}" >"$root/lib/modules/order"

# ethtool and what the host's dynamic linker loads for it, at the same paths.
if et=$(command -v ethtool); then
	cp "$et" "$root/sbin/ethtool"
	for f in $(ldd "$et" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
fi

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || echo "guest: insmod $m failed"
done
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
ip=$(arg vsw_ip)
hostname "$(arg vsw_name)"
ip link set lo up
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /sys/class/net/eth0 ] && break
	sleep 0.2
done
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
ip link set eth0 up
[ -n "$ip" ] && ip addr add "$ip" dev eth0
echo "guest: eth0 $(cat /sys/class/net/eth0/address) $ip up"
cmd=$(arg vsw_cmd | sed 's/%20/ /g')
if [ -n "$cmd" ]; then
	sh -c "$cmd"
	echo "guest: command exited $?"
	poweroff -f
fi
echo "guest: ready"
export PS1='guest# '
while true; do
	setsid cttyhack sh -i
done
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "mkguest: $out/vmlinuz ($kver) and $out/initrd.gz"
