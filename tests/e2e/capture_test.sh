#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# Capture taps (vswctl capture): tshark reads the pcapng and pcap files we write and sees
# the expected frames, interface names and directions; libpcap filters run in the
# dataplane select exactly the right frames (`icmp`, `vlan 10`, `udp port 4789`,
# `ether host`); a drop capture names each frame's drop reason in its comment; an invalid
# filter is refused with libpcap's message; -c and -G end a capture by themselves;
# `-w - | tshark -r -` works live; a consumer that does not read loses frames from the
# capture (ring_full), not from forwarding; and a consumer killed with SIGKILL leaves the
# dataplane forwarding with the capture released.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require tshark
dp_start

T=$E2E_TMP
# tshark FILE FIELDS...: one line per frame, fields tab-separated (its banner to /dev/null)
tsf() {
	local f=$1 args=()
	shift
	for x in "$@"; do args+=(-e "$x"); done
	tshark -r "$f" -T fields "${args[@]}" 2>/dev/null
}
# capture_bg NAME ARGS...: vswctl capture in the background; pid in CAP_PID[NAME]
declare -A CAP_PID=()
capture_bg() {
	local name=$1
	shift
	"$CTL_BIN" -s "$SOCK" capture "$@" >"$T/$name.out" 2>"$T/$name.err" &
	CAP_PID[$name]=$!
}
capture_stop() { # NAME: SIGINT, then it must exit 0 by itself
	local pid=${CAP_PID[$1]} rc=0
	kill -INT "$pid"
	wait "$pid" || rc=$?
	((rc == 0)) || fail "capture $1 exited $rc: $(cat "$T/$1.err")"
}
n_captures() { vsw -j info | jget "r['captures']"; }
captures_are() { [[ $(n_captures) == "$1" ]]; }
ring_full_seen() { (($(vsw -j capture list | jget "sum(c['ring_full'] for c in r)") > 0)); }
capture_field() { # ID FIELD
	vsw -j capture list | jget "[c for c in r if c['id'] == $1][0]['$2']"
}

# One rx file per input port: the same seven frames from MACs of that port (so no MAC
# moves between ports), to an address nobody has (flooded to every other port).
log "making traffic with scapy"
"$PY" - "$T" <<'EOF'
import sys
from scapy.all import Ether, Dot1Q, IP, ICMP, UDP, TCP, ARP, Raw, wrpcap
from scapy.layers.vxlan import VXLAN
out = sys.argv[1]
b = "02:00:00:00:ff:02"
for p in range(1, 7):
    a, d = "02:00:00:00:%02x:01" % p, "02:00:00:00:%02x:0d" % p
    ip = dict(src="198.51.100.%d" % p, dst="198.51.100.200")
    frames = [
        Ether(src=a, dst=b) / IP(**ip) / ICMP(),
        Ether(src=a, dst=b) / IP(**ip) / UDP(sport=40000, dport=4789) / VXLAN(vni=100) /
        Ether(src="02:00:00:00:ee:01", dst="02:00:00:00:ee:02") / IP(src="203.0.113.1", dst="203.0.113.2") / ICMP(),
        Ether(src=a, dst=b) / IP(**ip) / TCP(sport=1234, dport=80),
        Ether(src=a, dst=b) / Dot1Q(vlan=10) / IP(**ip) / ICMP(),   # dropped: vlan_not_allowed
        Ether(src=a, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=ip["src"], pdst=ip["dst"]),
        Ether(src=d, dst=b) / IP(**ip) / UDP(sport=5000, dport=5001),
    ]
    raw = [bytes(f) for f in frames] + [bytes.fromhex("020000ff0002020000000101")]  # runt
    wrpcap("%s/in%d.pcap" % (out, p), [Ether(r) if len(r) >= 14 else Raw(r) for r in raw],
           linktype=1)
EOF

vsw_quiet bridge add br0
vsw_quiet port add out pcap tx_pcap="$T/out.tx.pcap"
vsw_quiet port attach out br0
for p in 1 2 3 4; do
	vsw_quiet port add in$p pcap rx_pcap="$T/in$p.pcap"
done

log "phase 1: captures with filters, started before the traffic"
capture_bg all in1 -i rx -w "$T/all.pcapng"
capture_bg icmp in2 -i rx --pcap -w "$T/icmp.pcap" icmp
capture_bg vlan in3 -i rx -f 'vlan 10' -w "$T/vlan.pcapng"
capture_bg vxlan in4 -i rx -w "$T/vxlan.pcapng" udp port 4789
capture_bg host out -i tx -w "$T/host.pcapng" ether host 02:00:00:00:01:0d
capture_bg drops --drops any -w "$T/drops.pcapng"
wait_for 10 "six captures running" captures_are 6
log "an rx and a tx capture at once on one port are fine; a second rx capture is not"
out=$(vsw_status capture in1 -i rx -w "$T/busy.pcapng") && fail "second rx capture on in1 accepted"
[[ $out == *'already has a rx capture'* ]] || fail "second rx capture: unexpected: $out"

for p in 1 2 3 4; do
	vsw_quiet port attach in$p br0
done
for p in 1 2 3 4; do
	wait_stat in$p rx_packets 7
done
# 5 frames of each input port leave by out (its VLAN 10 frame and its runt die)
wait_stat out tx_packets 20
# the control thread drains the rings into the files: 7 + 1 + 1 + 1 + 1 frames and 8 drops
drained() { (($(vsw -j capture list | jget "sum(c['written'] for c in r)") >= 19)); }
wait_for 10 "the captures to write their 19 frames" drained
vsw -j capture list >"$T/list.json"
for c in all icmp vlan vxlan host drops; do
	capture_stop $c
done
[[ $(n_captures) == 0 ]] || fail "captures still running after SIGINT"

log "checking what tshark reads"
got=$(tsf "$T/all.pcapng" frame.interface_name frame.packet_flags_direction frame.len | sort | uniq -c | awk '{print $1, $2, $3}' | sort | tr '\n' ';')
# 7 frames, all on interface in1, inbound (flags direction 1); lengths from the file
n=$(tsf "$T/all.pcapng" frame.number | wc -l)
((n == 7)) || fail "all.pcapng: $n frames, expected 7 ($got)"
[[ $(tsf "$T/all.pcapng" frame.interface_name | sort -u) == in1 ]] || fail "all.pcapng: interface names: $got"
[[ $(tsf "$T/all.pcapng" frame.packet_flags_direction | sort -u) == 0x00000001 ]] || fail "all.pcapng: directions: $got"
[[ $(tsf "$T/all.pcapng" frame.len | tail -1) == 12 ]] || fail "all.pcapng: the runt is not last or not 12 bytes"

n=$(tsf "$T/icmp.pcap" frame.number | wc -l)
((n == 1)) || fail "icmp.pcap (classic pcap, filter icmp): $n frames, expected 1"
[[ $(tsf "$T/icmp.pcap" ip.src icmp.type) == $'198.51.100.2\t8' ]] || fail "icmp.pcap: wrong frame"
[[ $(tshark -r "$T/icmp.pcap" -T fields -e frame.encapsulation_type 2>/dev/null) != "" ]] || true
file_type=$(capinfos -t "$T/icmp.pcap" 2>/dev/null | awk -F': *' '/File type/ {print $2}')
[[ -z $file_type || $file_type == *pcap* && $file_type != *pcapng* ]] || fail "icmp.pcap is $file_type"

[[ $(tsf "$T/vlan.pcapng" vlan.id ip.src) == $'10\t198.51.100.3' ]] || fail "vlan 10: $(tsf "$T/vlan.pcapng" vlan.id ip.src)"
[[ $(tsf "$T/vxlan.pcapng" udp.dstport vxlan.vni eth.src) == $'4789\t100\t02:00:00:00:04:01,02:00:00:00:ee:01' ]] ||
	fail "udp port 4789: $(tsf "$T/vxlan.pcapng" udp.dstport vxlan.vni eth.src)"
[[ $(tsf "$T/host.pcapng" frame.interface_name frame.packet_flags_direction eth.src) == $'out\t0x00000002\t02:00:00:00:01:0d' ]] ||
	fail "tx ether host: $(tsf "$T/host.pcapng" frame.interface_name frame.packet_flags_direction eth.src)"
# the filter is recorded in the interface block
tshark -r "$T/vlan.pcapng" -T json 2>/dev/null >/dev/null || fail "tshark cannot read vlan.pcapng as a whole"

drops=$(tsf "$T/drops.pcapng" frame.interface_name frame.comment | sort)
n=$(echo "$drops" | wc -l)
((n == 8)) || fail "drops.pcapng: $n frames, expected 8: $drops"
for p in 1 2 3 4; do
	echo "$drops" | grepq "^in$p"$'\t'"drop: vlan_not_allowed (.*); port in$p; stage bridge_input$" ||
		fail "drops.pcapng: no vlan_not_allowed frame of in$p: $drops"
	echo "$drops" | grepq "^in$p"$'\t'"drop: runt (.*); port in$p; stage bridge_input$" ||
		fail "drops.pcapng: no runt of in$p: $drops"
done

log "capture counters (from capture list while running)"
# host: out saw 4 x 6 frames leave, one matched
"$PY" - "$T/list.json" <<'EOF' || fail "capture counters wrong: $(cat "$T/list.json")"
import json, sys
caps = {(c["port"], c["direction"]): c for c in json.load(open(sys.argv[1]))}
host = caps[("out", "tx")]
assert host["captured"] == 1 and host["written"] == 1, host
assert host["filtered_out"] == 4 * 5 - 1, host  # 5 frames of each input port reach out
assert host["jit"] is True, host
allc = caps[("in1", "rx")]
assert allc["captured"] == 7 and allc["filtered_out"] == 0 and allc["ring_full"] == 0, allc
icmp = caps[("in2", "rx")]
assert icmp["captured"] == 1 and icmp["filtered_out"] == 6 and icmp["format"] == "pcap", icmp
d = caps[(None, "drops")]
assert d["captured"] == 8, d
EOF

log "an invalid filter is refused with libpcap's message, and leaves no file"
out=$(vsw_status capture in1 -w "$T/bad.pcapng" ip host) && fail "invalid filter accepted"
[[ $out == *'capture-start: filter "ip host": '*'syntax error'* ]] || fail "invalid filter: $out"
[[ ! -e $T/bad.pcapng ]] || fail "invalid filter left $T/bad.pcapng"
out=$(vsw_status capture nosuch -w "$T/bad.pcapng") && fail "capture of a missing port accepted"
[[ $out == *'no port "nosuch"'* ]] || fail "missing port: $out"

log "trace: every step of 7 frames (forwarded, flooded, dropped, malformed)"
vsw_quiet fdb add br0 02:00:00:00:ff:02 out
vsw_quiet port add in6 pcap rx_pcap="$T/in6.pcap"
"$CTL_BIN" -s "$SOCK" trace in6 -c 7 -G 20 >"$T/trace.out" 2>"$T/trace.err" &
TRACE_PID=$!
wait_for 10 "the trace to start" captures_are 1
vsw_quiet port attach in6 br0
wait "$TRACE_PID" || fail "vswctl trace failed: $(cat "$T/trace.err")"
grep -q "frames traced before" "$T/trace.err" && fail "trace ended early: $(cat "$T/trace.err")"
# frame N's lines, without indentation
frame() { awk -v n="frame $1:" '/^frame/ {on = ($0 == n); next} on {sub(/^  /, ""); print}' "$T/trace.out"; }
expect_trace() { # N PATTERN...: frame N's steps are exactly these, one glob pattern a step
	local n=$1 want got pats i
	shift
	pats=("$@")
	want=$(printf '%s\n' "$@")
	mapfile -t got < <(frame "$n")
	if ((${#got[@]} == ${#pats[@]})); then
		for ((i = 0; i < ${#pats[@]}; i++)); do
			# shellcheck disable=SC2053
			[[ ${got[i]} == ${pats[i]} ]] || break
		done
		((i < ${#pats[@]})) || return 0
	fi
	fail "trace of frame $n:
$(frame "$n")
expected:
${want%$'\n'}"
}
# Learning takes a try-lock that the once-a-second aging walk may hold (br0 has learned
# MACs): the learn is then retried after the burst, and these 7 frames come in one burst.
# Every other step is exact (none holds a * ? [ or a @( ).
LEARNED="learn: source @(learned (new)|not learned now: table busy*)"
KNOWN="learn: source @(already on this port (refreshed)|learned (new)|not learned now: table busy*)"
expect_trace 1 "rx: 02:00:00:00:06:01 > 02:00:00:00:ff:02, IPv4 198.51.100.6 > 198.51.100.200 ICMP, 42 bytes" \
	"bridge br0, vlan 1 (untagged on an access port)" \
	"$LEARNED" \
	"fdb: destination on port out (static entry)" \
	"fate: output to out, untagged"
expect_trace 2 "rx: 02:00:00:00:06:01 > 02:00:00:00:ff:02, IPv4 198.51.100.6 > 198.51.100.200 UDP 40000 > 4789, 92 bytes" \
	"bridge br0, vlan 1 (untagged on an access port)" \
	"$KNOWN" \
	"fdb: destination on port out (static entry)" \
	"fate: output to out, untagged"
expect_trace 4 "rx: 02:00:00:00:06:01 > 02:00:00:00:ff:02, 802.1Q vlan 10 pcp 0, IPv4 198.51.100.6 > 198.51.100.200 ICMP, 46 bytes" \
	"fate: drop vlan_not_allowed (tagged VLAN not allowed on this port (trunk list or access VLAN)) at bridge_input"
expect_trace 5 "rx: 02:00:00:00:06:01 > ff:ff:ff:ff:ff:ff, ARP request 198.51.100.6 > 198.51.100.200, 42 bytes" \
	"bridge br0, vlan 1 (untagged on an access port)" \
	"$KNOWN" \
	"fdb: destination is multicast or broadcast: flood" \
	"fate: flooded in vlan 1 to out in1 in2 in3 in4"
expect_trace 7 "rx: 12 bytes: shorter than an Ethernet header" \
	"fate: drop runt (frame shorter than its Ethernet (and 802.1Q) header) at bridge_input"
[[ $(grep -c '^frame ' "$T/trace.out") == 7 ]] || fail "trace: not 7 frames: $(cat "$T/trace.out")"
wait_for 10 "the trace to be released" captures_are 0

log "trace --packet: where a described frame would go, without sending it"
tx_before=$(port_stat out tx_packets)
out=$(vsw trace --packet "in_port=in6,dl_src=02:00:00:00:06:01,dl_dst=02:00:00:00:ff:02")
[[ $(tail -1 <<<"$out") == "fate: output to out, untagged" ]] || fail "trace --packet unicast: $out"
grep -q "learn: source already on this port" <<<"$out" || fail "trace --packet learn: $out"
out=$(vsw trace --packet "in_port=in6,dl_src=02:00:00:00:06:77,dl_dst=02:00:00:00:ff:02,vlan=10")
[[ $(tail -1 <<<"$out") == "fate: drop vlan_not_allowed"* ]] || fail "trace --packet vlan 10: $out"
out=$(vsw trace --packet "in_port=out,dl_src=02:00:00:00:ff:02,dl_dst=02:00:00:00:06:01")
[[ $(tail -1 <<<"$out") == "fate: output to in6, untagged" ]] || fail "trace --packet reverse: $out"
out=$(vsw trace --packet "in_port=in6,dl_src=02:00:00:00:ff:02,dl_dst=02:00:00:00:06:01")
grep -q "learn: source is a static entry on out: not moved" <<<"$out" || fail "trace --packet static: $out"
[[ $(tail -1 <<<"$out") == "fate: drop dst_is_ingress"* ]] || fail "trace --packet hairpin: $out"
n=$(vsw -j fdb show br0 | jget "len([e for e in r if e['mac'] == '02:00:00:00:06:77'])")
[[ $n == 0 ]] || fail "trace --packet learned a MAC"
[[ $(port_stat out tx_packets) == "$tx_before" ]] || fail "trace --packet sent a frame"
out=$(vsw_status trace --packet "in_port=nosuch,dl_src=02:00:00:00:06:01,dl_dst=02:00:00:00:ff:02") &&
	fail "trace --packet on a missing port succeeded"
[[ $out == *'no port "nosuch"'* ]] || fail "trace --packet missing port: $out"

log "descriptors passed with requests: kept only by capture-start, never leaked"
nfd() { ls /proc/"$DP_PID"/fd | wc -l; }
fds_before=$(nfd)
"$PY" - "$SOCK" "$T" <<'PYEOF' || fail "descriptor passing checks failed"
import json, os, socket, sys
sock, tmp = sys.argv[1], sys.argv[2]
def call(req, fds=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    line = (json.dumps(req) + "\n").encode()
    if fds:
        socket.send_fds(s, [line], list(fds))
    else:
        s.sendall(line)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        assert chunk, "connection closed"
        buf += chunk
    return s, json.loads(buf)
r1, r2 = os.pipe()
w = [os.open(os.path.join(tmp, "fd%d" % i), os.O_WRONLY | os.O_CREAT, 0o600) for i in range(3)]
# no descriptor: EBADF
s, rep = call({"v": 1, "id": 1, "cmd": "capture-start", "args": {"port": "in2"}})
assert rep["status"] == 9 and "no file descriptor" in rep["error"], rep
s.close()
# descriptors with a request that takes none: closed
s, rep = call({"v": 1, "id": 2, "cmd": "info"}, [w[0], w[1]])
assert rep["status"] == 0, rep
s.close()
# a read-only descriptor: refused
s, rep = call({"v": 1, "id": 3, "cmd": "capture-start", "args": {"port": "in2"}}, [r1])
assert rep["status"] == 9 and "not writable" in rep["error"], rep
s.close()
# an invalid filter with a descriptor: refused, descriptor closed
s, rep = call({"v": 1, "id": 4, "cmd": "capture-start", "args": {"port": "in2", "filter": "ether hots"}}, [w[2]])
assert rep["status"] == 22, rep
s.close()
# three descriptors with one capture-start: one kept while it runs, then released
s, rep = call({"v": 1, "id": 5, "cmd": "capture-start", "args": {"port": "in2", "direction": "tx"}}, w)
assert rep["status"] == 0, rep
s.close()
PYEOF
fds_back() { (($(nfd) <= fds_before)); }
wait_for 10 "the dataplane to close every descriptor it was given" fds_back
captures_are 0 || fail "a capture outlived its connection"

log "phase 2: endless traffic into a null port; -c, -G, a live pipe into tshark"
vsw_quiet bridge add br1
vsw_quiet port add n0 null
vsw_quiet port add in5 pcap rx_pcap="$T/in5.pcap" infinite_rx=true
vsw_quiet port attach n0 br1
vsw_quiet port attach in5 br1
timeout 20 "$CTL_BIN" -s "$SOCK" capture in5 -i rx -c 10 -w "$T/count.pcapng" 2>"$T/count.err" ||
	fail "capture -c 10 did not end by itself: $(cat "$T/count.err")"
n=$(tsf "$T/count.pcapng" frame.number | wc -l)
((n == 10)) || fail "capture -c 10 wrote $n frames"
start=$(date +%s%N)
timeout 20 "$CTL_BIN" -s "$SOCK" capture in5 -G 1 -w "$T/dur.pcapng" icmp 2>"$T/dur.err" ||
	fail "capture -G 1 did not end by itself: $(cat "$T/dur.err")"
ms=$((($(date +%s%N) - start) / 1000000))
((ms >= 1000 && ms < 5000)) || fail "capture -G 1 took $ms ms"
[[ $(tsf "$T/dur.pcapng" icmp.type | sort -u) == 8 ]] || fail "capture -G 1 icmp: not only ICMP"
live=$(timeout 20 "$CTL_BIN" -s "$SOCK" capture in5 -i rx -c 5 -w - 'tcp port 80' 2>/dev/null |
	timeout 20 tshark -r - -T fields -e tcp.dstport 2>/dev/null | tr '\n' ' ')
[[ $live == "80 80 80 80 80 " ]] || fail "capture -w - | tshark -r -: got '$live'"

log "a consumer that does not read: the capture loses frames, forwarding does not"
mkfifo "$T/fifo"
sleep 60 <"$T/fifo" & # holds the pipe open, never reads
SLEEPER=$!
"$CTL_BIN" -s "$SOCK" capture in5 -i rx -w - >"$T/fifo" 2>"$T/stuck.err" &
STUCK=$!
wait_for 10 "the capture ring to overflow" ring_full_seen
id=$(vsw -j capture list | jget "r[0]['id']")
log "SIGKILL of the consumer: the capture is released, forwarding goes on"
kill -KILL "$STUCK"
wait "$STUCK" 2>/dev/null || true
wait_for 10 "capture $id released" captures_are 0
[[ $(vsw -j capture list | jget "len(r)") == 0 ]] || fail "capture list not empty after SIGKILL"
kill "$SLEEPER" 2>/dev/null || true
wait "$SLEEPER" 2>/dev/null || true
before=$(port_stat n0 tx_packets)
sleep 0.3
after=$(port_stat n0 tx_packets)
((after > before)) || fail "forwarding stopped after the consumer was killed ($before -> $after)"
in5_drops=$(vsw -j stats in5 | jget "sum(v for k, v in [p for p in r if p['name'] == 'in5'][0]['drops'].items() if k != 'runt' and k != 'vlan_not_allowed')")
((in5_drops == 0)) || fail "in5 dropped $in5_drops frames for reasons other than its own runts and VLAN frames"
vsw_quiet port detach in5
vsw_quiet port del in5

log "a capture on a port that is deleted ends"
capture_bg gone in1 -w "$T/gone.pcapng"
wait_for 10 "capture running" captures_are 1
vsw_quiet port detach in1
vsw_quiet port del in1
wait_for 10 "the capture of a deleted port to end" captures_are 0
wait "${CAP_PID[gone]}" || true
grep -q "port deleted" "$T/gone.err" || fail "capture of a deleted port: $(cat "$T/gone.err")"

dp_stop
log "PASS"
