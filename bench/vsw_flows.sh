#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's bridge of vsw_l2.sh with NRULES flow rules in front of it (the `flows` scenario of
# bench/run.sh). Every frame of the l2 pcap (dst 203.0.113.1-64, UDP to 4000) hits one
# rule whose actions are count,normal, so the figure includes classification, the rule's
# counters and the normal bridge; the other rules are fillers that miss (IPv4 /32 + UDP
# port, 50 priorities), in the shape rte_acl finds hard enough to build. NRULES 0 is the
# same bridge without a table (the baseline of the same run).
# Then, still forwarding, it adds and deletes one filler rule at a time through the
# control socket for UPDATE_SECONDS: each rebuilds the small delta classifier (the base is
# merged in the background, dataplane/l2/flow_table.c), so this is the rule update rate
# at that table size, and the forwarding rate meanwhile.
# Usage: vsw_flows.sh PCAP NRULES SECONDS [WARMUP] [UPDATE_SECONDS]
# Prints mpps, cpu_share, install_s (NRULES in batches of 250), updates_per_s,
# update_mpps (forwarding while updating) and hits (frames counted by the rules).
set -eu
. "$(dirname "$0")/lib.sh"

pcap=${1:?usage: vsw_flows.sh PCAP NRULES SECONDS [WARMUP] [UPDATE_SECONDS]}
nrules=${2:?NRULES}
secs=${3:-10}
warm=${4:-2}
usecs=${5:-5}

d=$(mktemp -d /tmp/bench-flows.XXXXXX)
on_exit "rm -rf $d"
vsw_start "$d" 32768 1024 0

vswctl bridge add br0 >/dev/null
vswctl port add null0 null >/dev/null
vswctl port attach null0 br0 >/dev/null
for ((j = 0; j < 64; j++)); do
	vswctl fdb add br0 "$(printf '02:00:00:01:%02x:%02x' $((j >> 8)) $((j & 255)))" null0 >/dev/null
done

# flows.py install N | update SECONDS | hits: talks JSON lines to the socket directly, so
# the update rate is the dataplane's and not vswctl's process start-up.
cat >"$d/flows.py" <<'EOF'
import json, socket, sys, time

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")


def call(cmd, args):
    f.write((json.dumps({"v": 1, "cmd": cmd, "args": args}) + "\n").encode())
    f.flush()
    r = json.loads(f.readline())
    if r["status"]:
        sys.exit("%s: %s" % (cmd, r["error"]))
    return r.get("result")


def hit(i):  # one of the 64 destinations of the l2 pcap
    return {"priority": 1000, "match": {"ip_dst": "203.0.113.%d" % (1 + i), "ip_proto": "udp",
            "l4_dst": 4000}, "actions": ["count", "normal"]}


def filler(i):
    return {"priority": 100 + i % 50, "match": {"ip_dst": "198.18.%d.%d/32" % (i >> 8 & 255, i & 255),
            "ip_proto": "udp", "l4_dst": 1000 + i % 1000}, "actions": ["drop"]}


op = sys.argv[2]
if op == "install":
    n = int(sys.argv[3])
    if n == 1:
        rules = [{"priority": 1000, "match": {"eth_type": "ipv4"}, "actions": ["count", "normal"]}]
    else:
        rules = [hit(i) for i in range(min(n, 64))] + [filler(i) for i in range(n - min(n, 64))]
    t = time.time()
    for k in range(0, len(rules), 250):
        call("flow-add", {"bridge": "br0", "flows": rules[k:k + 250]})
    print("install_s %.3f" % (time.time() - t))
elif op == "update":
    t, ops = time.time(), 0
    while time.time() - t < float(sys.argv[3]):
        ids = call("flow-add", {"bridge": "br0", "flows": [filler(100000 + ops)]})["ids"]
        call("flow-del", {"bridge": "br0", "id": ids[0]})
        ops += 2
    print("updates_per_s %.1f" % (ops / (time.time() - t)))
elif op == "hits":
    print("hits %d" % sum(r["packets"] for r in call("flow-dump", {"bridge": "br0"})))
EOF
if [ "$nrules" -gt 0 ]; then
	$PY "$d/flows.py" "$VSW_SOCK" install "$nrules"
fi

vswctl port add pcap0 pcap rx_pcap="$pcap" infinite_rx=true >/dev/null
vswctl port attach pcap0 br0 >/dev/null
wait_for 30 vsw_moving null0 || die "no traffic reached null0 after 30 s"
nap "$warm"

tid=$(poll_thread $VSW_PID)
t0=$(now); a=$(vsw_stat null0 tx_packets); s0=$(sched_sample $VSW_PID $tid)
nap "$secs"
t1=$(now); b=$(vsw_stat null0 tx_packets); s1=$(sched_sample $VSW_PID $tid)
echo "mpps $(rate "$a" "$b" "$t0" "$t1")"
echo "cpu_share $(cpu_share "$s0" "$s1")"
if [ "$nrules" -gt 0 ]; then
	$PY "$d/flows.py" "$VSW_SOCK" hits
	t0=$(now); a=$(vsw_stat null0 tx_packets)
	$PY "$d/flows.py" "$VSW_SOCK" update "$usecs"
	t1=$(now); b=$(vsw_stat null0 tx_packets)
	echo "update_mpps $(rate "$a" "$b" "$t0" "$t1")"
fi
vswctl stats null0 >&2 || true
vsw_stop
