#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
#
# Recordings (vswctl capture record): the dataplane writes every frame a bridge receives
# into files it rotates by size, with no vswctl left running. tshark must read each file
# on its own (its own header and interface blocks), the files must stay under the size,
# every frame received must be in exactly one file once (flooded frames too), with the
# name of the port it came in by, including a port attached after the recording started;
# a filter keeps only its frames, and the ring of files keeps only max_files of them
# (FILE, FILE.1, ...). record-stop leaves complete files behind.
. "$(dirname "$0")/lib.sh"
e2e_init
e2e_require tshark scapy
dp_start

T=$E2E_TMP
tsf() { # FILE FIELDS...: one line per frame, tab-separated
	local f=$1 args=()
	shift
	for x in "$@"; do args+=(-e "$x"); done
	tshark -r "$f" -T fields "${args[@]}" 2>/dev/null
}
# readable FILE: tshark reads it whole, without "cut short" complaints
readable() {
	local err
	err=$(tshark -r "$1" -T fields -e frame.number 2>&1 >/dev/null | grep -v 'Running as user' || true)
	[[ -z $err ]] || fail "$1: tshark: $err"
}
rec_field() { vsw -j capture record list | jget "r[0]['$1']"; }
written_ge() { (($(rec_field written) >= $1)); }

N=2000 # frames per input port: about 330 bytes each in the file
log "making traffic with scapy"
"$PY" - "$T" "$N" <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, ICMP, Raw, wrpcap
out, n = sys.argv[1], int(sys.argv[2])
for p in range(1, 4):
    # to a MAC nobody has: every frame is flooded to the other ports
    wrpcap("%s/in%d.pcap" % (out, p), [
        Ether(src="02:00:00:00:%02x:01" % p, dst="02:00:00:00:ff:02") /
        IP(src="198.51.100.%d" % p, dst="198.51.100.200", id=i) /
        UDP(sport=40000 + p, dport=5000) / Raw(bytes(250)) for i in range(n)])
# phase 2: 600 frames for the filter, 400 it must leave out
wrpcap("%s/in4.pcap" % out, [
    Ether(src="02:00:00:00:04:01", dst="02:00:00:00:ff:02") /
    IP(src="198.51.100.4", dst="198.51.100.200", id=i) /
    (UDP(sport=40004, dport=5001) / Raw(bytes(250)) if i % 5 < 3 else ICMP())
    for i in range(1000)])
EOF

vsw_quiet bridge add br0
vsw_quiet port add out pcap tx_pcap="$T/out.tx.pcap"
vsw_quiet port attach out br0
for p in 1 2 3 4; do
	vsw_quiet port add in$p pcap rx_pcap="$T/in$p.pcap"
done

log "refused: relative file, unknown bridge, bad filter, bridge already recorded"
out=$(vsw_status -j capture record start nobr -w "$T/x.pcapng") && fail "unknown bridge accepted"
[[ $out == *'no bridge'* ]] || fail "unknown bridge: $out"
out=$(vsw_status capture record start br0 -w "$T/x.pcapng" 'udp port') && fail "bad filter accepted"
[[ $out == *filter* ]] || fail "bad filter: $out"

log "phase 1: record br0 into 256 KiB files, 20 kept; in3 joins later"
vsw_quiet capture record start br0 -w "$T/rec.pcapng" -C 256k -W 20
out=$(vsw_status capture record start br0 -w "$T/y.pcapng") && fail "second recording of br0 accepted"
[[ $out == *'already recorded'* ]] || fail "second recording: $out"
[[ $(rec_field state) == running ]] || fail "recording not running"
vsw_quiet port attach in1 br0
vsw_quiet port attach in2 br0
wait_stat in1 rx_packets $N
wait_stat in2 rx_packets $N
vsw_quiet port attach in3 br0 # attached after the recording started
wait_stat in3 rx_packets $N
wait_stat out tx_packets $((3 * N))
total=$((3 * N))
wait_for 10 "the writer to catch up" written_ge $total
vsw -j capture record list >"$T/list1.json"
written=$(jget "r[0]['written']" <"$T/list1.json")
dropped=$(jget "r[0]['dropped']" <"$T/list1.json")
rotations=$(jget "r[0]['rotations']" <"$T/list1.json")
((written == total)) || fail "written $written, expected $total"
((dropped == 0)) || fail "dropped $dropped frames"
((rotations >= 5)) || fail "only $rotations rotations for $total frames of 256 KiB files"
vsw -j capture record stop br0 >"$T/stop1.json"
[[ $(jget "r['state']" <"$T/stop1.json") == done ]] || fail "stop: $(cat "$T/stop1.json")"
[[ $(vsw -j capture record list | jget "len(r)") == 0 ]] || fail "recording still listed after stop"

log "checking the files with tshark"
files=("$T/rec.pcapng")
for ((k = 1; k <= rotations; k++)); do files+=("$T/rec.pcapng.$k"); done
[[ ! -e $T/rec.pcapng.$((rotations + 1)) ]] || fail "more files than rotations + 1"
sum=0
: >"$T/all.txt"
for f in "${files[@]}"; do
	[[ -s $f ]] || fail "$f missing"
	readable "$f"
	size=$(stat -c %s "$f")
	((size <= 256 * 1024)) || fail "$f is $size bytes, over 256 KiB"
	n=$(tsf "$f" frame.number | wc -l)
	((n > 0)) || fail "$f has no frame"
	sum=$((sum + n))
	tsf "$f" frame.interface_name ip.src ip.id >>"$T/all.txt"
done
((sum == total)) || fail "the files hold $sum frames, expected $total"
dups=$(sort "$T/all.txt" | uniq -d | head -3)
[[ -z $dups ]] || fail "frames recorded twice: $dups"
for p in 1 2 3; do
	n=$(grep -c "^in$p"$'\t'"198.51.100.$p"$'\t' "$T/all.txt")
	((n == N)) || fail "in$p: $n frames with its name and address, expected $N"
done
# the oldest file holds the first frames: rotation order is FILE.N (oldest) .. FILE
first=$(tsf "${files[-1]}" ip.src ip.id | awk "NR == 1")
[[ $first == $'198.51.100.1\t0x0000' || $first == $'198.51.100.2\t0x0000' ]] ||
	fail "the oldest file does not start with a first frame: $first"

log "phase 2: a filter, 64 KiB files, 2 kept"
vsw_quiet capture record start br0 -w "$T/f.pcapng" -C 64k -W 2 udp port 5001
vsw_quiet port attach in4 br0
wait_stat in4 rx_packets 1000
wait_for 10 "the writer to catch up" written_ge 600
vsw -j capture record stop br0 >"$T/stop2.json"
[[ $(jget "r['written']" <"$T/stop2.json") == 600 ]] || fail "filter: $(cat "$T/stop2.json")"
[[ $(jget "r['filtered_out']" <"$T/stop2.json") == 400 ]] || fail "filter: $(cat "$T/stop2.json")"
(($(jget "r['rotations']" <"$T/stop2.json") >= 2)) || fail "no rotation: $(cat "$T/stop2.json")"
[[ $(jget "r['files']" <"$T/stop2.json") == 2 ]] || fail "files: $(cat "$T/stop2.json")"
[[ -s $T/f.pcapng && -s $T/f.pcapng.1 && ! -e $T/f.pcapng.2 ]] || fail "ring of 2 files: $(ls "$T")"
for f in "$T/f.pcapng" "$T/f.pcapng.1"; do
	readable "$f"
	[[ $(tsf "$f" udp.dstport | sort -u) == 5001 ]] || fail "$f: frames the filter rejects"
	[[ $(tsf "$f" frame.interface_name | sort -u) == in4 ]] || fail "$f: interface names"
done

log "the dataplane forwarded everything meanwhile"
expect_stat out tx_packets $((3 * N + 1000))
dp_stop
log "ok"
