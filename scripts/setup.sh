#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs the Debian 12 packages that vsw's build, tests and demo use, and only the missing
# ones: `make test` must work on a fresh machine yet cost a fraction of a second on a prepared
# one, so apt is not even asked for its package lists unless something has to be installed.
#
#   scripts/setup.sh           build, unit/fuzz/e2e tests, demo
#   scripts/setup.sh --bench   the above plus Open vSwitch with DPDK, which `make bench` runs
#                              side by side with vsw. It is kept out of the test path because
#                              it pulls in a daemon stack (and services we must then stop)
#                              that no test uses.
set -euo pipefail

# Everything the tree's meson.build, tests/ and scripts/ call. Each entry is a real package
# name in bookworm (no virtual packages: dpkg-query cannot answer for those).
base_pkgs=(
	build-essential meson ninja-build pkg-config python3
	libdpdk-dev dpdk dpdk-dev
	# dpdk only recommends its PMDs; the tests open these by name, so ask for them outright
	# rather than trust that the machine installs recommends.
	librte-net-pcap23 librte-net-vhost23 librte-net-virtio23 librte-net-af-packet23
	librte-net-tap23 librte-net-ring23 librte-net-null23 librte-net-memif23
	librte-mempool-ring23
	libpcap-dev libbpf-dev libcmocka-dev libyaml-dev libjansson-dev
	clang libclang-rt-14-dev clang-format
	python3-scapy tshark tcpreplay
	iproute2 iputils-ping ethtool socat kmod procps psmisc
	# real VMs on vhost-user ports (tests/vm): QEMU under TCG, a Debian kernel with the
	# virtio_net modules, busybox for the guest's initramfs, cpio to pack it
	qemu-system-x86 linux-image-amd64 busybox-static cpio
)
bench_pkgs=(openvswitch-switch-dpdk)

log() { printf 'setup: %s\n' "$*"; }

want=("${base_pkgs[@]}")
for arg in "$@"; do
	case $arg in
	--bench) want+=("${bench_pkgs[@]}") ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "setup: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

# Packages from the list that are not fully installed (one dpkg-query for all of them).
missing_of() {
	local -A ok=()
	local name status
	while read -r name status; do
		[ "$status" = installed ] && ok[$name]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
	for name in "$@"; do
		[ -n "${ok[$name]:-}" ] || echo "$name"
	done
}

mapfile -t missing < <(missing_of "${want[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		exec sudo -n "$0" "$@"
	fi
	log "missing packages: ${missing[*]}" >&2
	log "run as root (or: apt-get install ${missing[*]})" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt run (unattended-upgrades, a second shell) may hold the lock: wait, do not fail.
apt_opts=(-y -q -o DPkg::Lock::Timeout=600
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
aptlog=$(mktemp /tmp/vsw-setup.XXXXXX.log)
start=$SECONDS

fail() {
	log "$1 failed; last lines of $aptlog:" >&2
	tail -n 30 "$aptlog" >&2
	exit 1
}

log "installing ${#missing[@]} package(s): ${missing[*]}"

# tshark asks whether non-root users may capture; answer it here so nothing ever prompts.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections

apt-get "${apt_opts[@]}" update >"$aptlog" 2>&1 || fail "apt-get update"

# Keep maintainer scripts from starting daemons (Open vSwitch's ovsdb-server and
# ovs-vswitchd would take a core and hugepages away from the benchmark). policy-rc.d is
# Debian's switch for that, honoured by invoke-rc.d and deb-systemd-invoke alike; only
# install ours if the machine has none, and always take it back.
policy=/usr/sbin/policy-rc.d
own_policy=0
cleanup() {
	if [ $own_policy -eq 1 ]; then rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# vsw setup.sh: no daemons while installing\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi

apt-get "${apt_opts[@]}" install "${missing[@]}" >>"$aptlog" 2>&1 || fail "apt-get install"

# Stop and disable Open vSwitch's system instance: benchmarks run their own private ovsdb and
# vswitchd, and a system one would compete for the cores. Handle machines with and without
# a running systemd (containers often have none).
if [[ " ${missing[*]} " == *" openvswitch-switch-dpdk "* ]]; then
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		systemctl disable --now openvswitch-switch.service ovs-vswitchd.service \
			ovsdb-server.service >>"$aptlog" 2>&1 || true
	else
		if [ -x /etc/init.d/openvswitch-switch ]; then
			/etc/init.d/openvswitch-switch stop >>"$aptlog" 2>&1 || true
		fi
		update-rc.d openvswitch-switch disable >>"$aptlog" 2>&1 || true
	fi
fi

mapfile -t still < <(missing_of "${missing[@]}")
[ ${#still[@]} -eq 0 ] || fail "installing ${still[*]}"

rm -f "$aptlog"
log "done in $((SECONDS - start)) s"
