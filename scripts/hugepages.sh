#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Reserves 2 MiB hugepages and mounts hugetlbfs for `make bench`: forwarding rates on this kind
# of machine more than double with hugepages (TLB misses), so benchmarks want them. Tests run
# with --no-huge and never need this, which is why it only reports and never fails: a machine
# that cannot give hugepages still builds, tests and benchmarks (slower, and says so).
#
#   scripts/hugepages.sh [PAGES]    default 2048 pages (4 GiB); never lowers a reservation
set -uo pipefail

want=${1:-2048}
mnt=/dev/hugepages
sys=/sys/kernel/mm/hugepages/hugepages-2048kB

say() { printf 'hugepages: %s\n' "$*"; }
mounted() { awk -v m="$mnt" '$2 == m && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; }

if ! [[ $want =~ ^[0-9]+$ ]]; then
	say "page count '$want' is not a number; leaving hugepages alone"
	exit 0
fi
if [ ! -d "$sys" ]; then
	say "this kernel has no 2 MiB hugepages; DPDK will run with --no-huge"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	say "not root: leaving hugepages as they are"
else
	have=$(cat "$sys/nr_hugepages")
	# Lowering could pull pages from under a running DPDK process: only ever raise.
	if [ "$have" -lt "$want" ]; then
		echo "$want" >"$sys/nr_hugepages" 2>/dev/null ||
			say "could not write $sys/nr_hugepages"
	fi
	if ! mounted; then
		mkdir -p "$mnt" 2>/dev/null
		mount -t hugetlbfs -o pagesize=2M nodev "$mnt" 2>/dev/null ||
			say "could not mount hugetlbfs on $mnt"
	fi
fi

total=$(cat "$sys/nr_hugepages")
free=$(cat "$sys/free_hugepages")
if mounted; then
	where="mounted on $mnt"
else
	where="hugetlbfs not mounted on $mnt"
fi
say "$total x 2 MiB reserved ($((total * 2)) MiB, $free free; asked for $want), $where"
if [ "$total" -lt "$want" ]; then
	say "fewer pages than asked (memory fragmented or short); benchmarks use what there is"
fi
exit 0
