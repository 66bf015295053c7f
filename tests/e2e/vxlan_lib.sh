# SPDX-License-Identifier: BSD-3-Clause
#
# What the VXLAN tests add to lib.sh (source it after lib.sh or controller_lib.sh): the
# setups they share. A Linux kernel VTEP in a namespace bridging a host behind it
# (vxlan_kernel*, flow_vni, trace6), hosts on veths, and a second dataplane B, optionally
# with its own vsw-controller, for the two-vsw-over-veth tests (vxlan_two_vsw,
# controller_overlay*). Every name and address comes from the caller, so each test keeps
# its own and runs next to the others.

# host_add VETH PEER NS MAC ADDR/LEN [MTU]: a host in namespace NS on the PEER end of a
# quiet veth pair whose VETH end stays in the root namespace for vsw to open.
host_add() {
	local veth=$1 peer=$2 ns=$3 mac=$4 addr=$5 mtu=${6:-}
	veth_add "$veth" "$peer" "$ns"
	ip -n "$ns" link set "$peer" address "$mac"
	ip -n "$ns" addr add "$addr" dev "$peer"
	[[ -z $mtu ]] || ip -n "$ns" link set "$peer" mtu "$mtu"
}

# kvtep_add FAMILY NS UNDER KU VNI LOCAL REMOTE: namespace NS as a Linux kernel VTEP:
# vxlan0 (VNI, LOCAL to REMOTE, port 4789) in a bridge br0, over the KU end of a quiet veth
# pair whose UNDER end stays in the root namespace as vsw's underlay port. FAMILY v4 puts
# LOCAL/24 on KU; v6 turns IPv6 on for KU alone, without DAD or router solicitations (the
# address is usable at once and nothing else is sent) and puts LOCAL/64 on it. br0 is
# left down for kvtep_up, once the hosts are attached.
kvtep_add() {
	local family=$1 ns=$2 under=$3 ku=$4 vni=$5 local=$6 remote=$7
	veth_add "$under" "$ku" "$ns"
	case $family in
	v4) ip -n "$ns" addr add "$local/24" dev "$ku" ;;
	v6)
		ip netns exec "$ns" sh -c "echo 0 > /proc/sys/net/ipv6/conf/$ku/accept_dad; \
			echo 0 > /proc/sys/net/ipv6/conf/$ku/router_solicitations; \
			echo 0 > /proc/sys/net/ipv6/conf/$ku/disable_ipv6"
		ip -n "$ns" addr add "$local/64" dev "$ku" nodad
		;;
	*) fail "kvtep_add: family $family is neither v4 nor v6" ;;
	esac
	ip -n "$ns" link add vxlan0 type vxlan id "$vni" local "$local" remote "$remote" \
		dstport 4789 dev "$ku"
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set vxlan0 master br0
}

# kvtep_host_add NS KIF HNS HIF MAC ADDR/LEN: host namespace HNS behind kernel VTEP NS,
# on a veth (KIF in NS's br0, HIF in HNS); neither end is in the root namespace.
kvtep_host_add() {
	local ns=$1 kif=$2 hns=$3 hif=$4 mac=$5 addr=$6
	ip -n "$ns" link add "$kif" type veth peer name "$hif" netns "$hns"
	ip -n "$ns" link set "$kif" master br0
	quiet_link "$kif" "$ns"
	ip -n "$hns" link set "$hif" address "$mac"
	quiet_link "$hif" "$hns"
	ip -n "$hns" addr add "$addr" dev "$hif"
}

# kvtep_up NS [quiet]: bring up kernel VTEP NS's vxlan0 and br0. With `quiet`, br0 has no
# IPv6 and answers no ARP either, so nothing but the hosts' frames crosses the tunnel.
kvtep_up() {
	quiet_link vxlan0 "$1"
	if [[ ${2:-} == quiet ]]; then
		quiet_link br0 "$1"
	else
		ip -n "$1" link set br0 up
	fi
}

# vsw_vtep_add IFACE ADDR/LEN VNI [REMOTE]: vsw's side of the tunnel: af_packet port u0
# on IFACE, VTEP vt0 on it with ADDR, bridge ov of VNI, and REMOTE as its remote if given.
vsw_vtep_add() {
	vsw_quiet port add u0 af_packet "iface=$1"
	vsw_quiet vtep add vt0 u0 "$2"
	vsw_quiet bridge add ov "vni=$3"
	[[ -z ${4:-} ]] || vsw_quiet vtep remote-add ov "$4"
}

# nh_state IP [VSWCTL]: the state of next hop IP ("" if it is none) at the first VTEP of
# the dataplane that VSWCTL (vsw, or a wrapper of vswctl for another dataplane) speaks to;
# nh_resolved IP [VSWCTL]: it is resolved (by ARP or neighbour discovery), for wait_for.
nh_state() {
	"${2:-vsw}" -j vtep show |
		jget "([n['state'] for n in r[0]['neighbours'] if n['ip'] == '$1'] + [''])[0]"
}
nh_resolved() { [[ $(nh_state "$@") == resolved ]]; }

# The second dataplane B (and its controller): lib.sh and controller_lib.sh know one each.
B_SOCK=
B_PID=
CB_SOCK=
CB_PID=

# b_init ON_EXIT: B's sockets under the test's temp dir, and an exit trap that stops B
# (controller first) before the usual cleanup, ON_EXIT (e2e_cleanup or ctrl_on_exit).
b_init() {
	B_SOCK=$E2E_TMP/b.sock
	CB_SOCK=$E2E_TMP/ctrlb.sock
	trap "rc=\$?; set +e; b_stop; (exit \$rc); $1" EXIT
}

# b_start [controller]: start dataplane B, wait for its ready line; with `controller`,
# then a vsw-controller on B (socket CB_SOCK, state under stateb/) and wait for it too.
b_start() {
	"$DP_BIN" -s "$B_SOCK" --file-prefix "${E2E_PREFIX}b" --huge off --memory 256 \
		--idle-sleep-max-us 200 >"$E2E_TMP/b.out" 2>"$E2E_TMP/b.err" &
	B_PID=$!
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qs "^vsw-dataplane: ready on $B_SOCK" "$E2E_TMP/b.out" && break
		kill -0 "$B_PID" 2>/dev/null || fail "dataplane B exited before it was ready"
		sleep 0.1
	done
	((i < 300)) || fail "dataplane B not ready within 30 s"
	[[ ${1:-} == controller ]] || return 0
	"$CTRL_BIN" -s "$CB_SOCK" -d "$B_SOCK" -f "$E2E_TMP/stateb/controller.state" -i 200 \
		>"$E2E_TMP/ctrlb.out" 2>"$E2E_TMP/ctrlb.err" &
	CB_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs "^vsw-controller: ready on $CB_SOCK" "$E2E_TMP/ctrlb.out" && return 0
		kill -0 "$CB_PID" 2>/dev/null || fail "controller B exited: $(tail -3 "$E2E_TMP/ctrlb.err")"
		sleep 0.1
	done
	fail "controller B not ready within 10 s"
}

# b_stop: stop B's controller, then dataplane B (TERM, then KILL after 10 s each), and
# remove B's DPDK runtime directory. Safe to call twice.
b_stop() {
	local pid i
	for pid in "$CB_PID" "$B_PID"; do
		[[ -n $pid ]] || continue
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	CB_PID=
	B_PID=
	rm -rf "/var/run/dpdk/${E2E_PREFIX}b"
}

# two_hosts_add H1 MAC1 H2 MAC2 [MTU]: the underlay veth pair ${E2E_TAG}ua (A's end) and
# ${E2E_TAG}ub (B's), both in the root namespace; host H1 (198.51.100.1) on veth
# ${E2E_TAG}a1 for A and H2 (198.51.100.2) on ${E2E_TAG}a2 for B, with MTU if given.
two_hosts_add() {
	netns_add "$1"
	netns_add "$3"
	veth_add "${E2E_TAG}ua" "${E2E_TAG}ub"
	host_add "${E2E_TAG}a1" "${E2E_TAG}b1" "$1" "$2" 198.51.100.1/24 ${5:+"$5"}
	host_add "${E2E_TAG}a2" "${E2E_TAG}b2" "$3" "$4" 198.51.100.2/24 ${5:+"$5"}
}
