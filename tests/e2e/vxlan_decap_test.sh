#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
#
# VXLAN receive checks and encapsulation with crafted frames (scapy) on a pcap underlay
# (static next hops: nobody answers ARP there). Every decap drop reason is hit once and
# counted on the underlay port; split horizon (a frame from one remote is never flooded
# or sent to another remote), MAC stealing (a remote cannot take a local station's MAC)
# and the per-VNI remote learning cap are counted on the tunnel port; good frames reach
# the local host; an ARP request for the VTEP is answered; frames from the local host are
# encapsulated to the right remote only (unicast) or to every remote (flood), with the
# outer headers RFC 7348 asks for, checked field by field after the run.
. "$(dirname "$0")/lib.sh"
e2e_init
dp_start

M1=02:00:00:00:c8:01 # local host, behind h1
M2=02:00:00:00:c8:02 # behind remote 198.18.0.2
M3=02:00:00:00:c8:03 # behind remote 198.18.0.3
T2=vx5001-198.18.0.2
T3=vx5001-198.18.0.3

vport_add u0
vport_add h1
vsw_quiet vtep add vt0 u0 198.18.0.1/24 mac=02:aa:00:00:00:01
vsw_quiet vtep neigh-add vt0 198.18.0.2 02:aa:00:00:00:02
vsw_quiet vtep neigh-add vt0 198.18.0.3 02:aa:00:00:00:03
vsw_quiet bridge add ov vni=5001
vsw_quiet vtep remote-add ov 198.18.0.2
vsw_quiet vtep remote-add ov 198.18.0.3
vsw_quiet port attach h1 ov

# craft NAME...: write $E2E_TMP/NAME.pcap with the frame of that name (see below)
craft() {
	"$PY" - "$E2E_TMP" "$@" <<'EOF'
import sys
from scapy.all import ARP, IP, UDP, Ether, Raw, raw, wrpcap
from scapy.layers.vxlan import VXLAN

tmp, names = sys.argv[1], sys.argv[2:]
M1, M2, M3 = "02:00:00:00:c8:01", "02:00:00:00:c8:02", "02:00:00:00:c8:03"


def inner(src, dst="ff:ff:ff:ff:ff:ff", tag=b"x"):
    return Ether(src=src, dst=dst) / IP(src="198.51.100.9", dst="198.51.100.1") / \
        UDP(sport=1000, dport=9) / Raw(tag * 20)


def vx(src_ip="198.18.0.2", vni=5001, flags=0x08, inner_frame=None, ipkw=None, udpkw=None):
    outer_mac = "02:aa:00:00:00:0" + src_ip[-1]
    ipa = dict(src=src_ip, dst="198.18.0.1", flags="DF")
    ipa.update(ipkw or {})
    udpa = dict(sport=50000, dport=4789, chksum=0)
    udpa.update(udpkw or {})
    return Ether(src=outer_mac, dst="02:aa:00:00:00:01") / IP(**ipa) / UDP(**udpa) / \
        VXLAN(vni=vni, flags=flags) / (inner_frame if inner_frame is not None else inner(M2))


def bad_ip_csum():
    f = bytearray(raw(vx()))
    f[24] ^= 0x5A
    return bytes(f)


def bad_udp_csum():
    p = vx(udpkw={})
    del p[UDP].chksum
    f = bytearray(raw(p))  # scapy computes a correct checksum...
    f[60] ^= 0xFF  # ...which an inner byte no longer matches
    return bytes(f)


frames = {
    "good2": lambda: raw(vx(inner_frame=inner(M2))),
    "good3": lambda: raw(vx(src_ip="198.18.0.3", inner_frame=inner(M3))),
    "flags": lambda: raw(vx(flags=0x00)),
    "vni": lambda: raw(vx(vni=5002)),
    "vtep": lambda: raw(vx(src_ip="198.18.0.9")),
    "frag": lambda: raw(vx(ipkw={"flags": "MF"})),
    "ipcsum": bad_ip_csum,
    "udpcsum": bad_udp_csum,
    "trunc": lambda: raw(vx())[:40],
    "runt": lambda: raw(vx(inner_frame=Raw(b"\x02" * 13))),
    "port": lambda: raw(vx(udpkw={"dport": 4790})),
    "steal": lambda: raw(vx(inner_frame=inner(M1))),
    "new4": lambda: raw(vx(inner_frame=inner("02:00:00:00:c8:04"))),
    "split": lambda: raw(vx(inner_frame=inner(M2, dst=M3))),
    "local": lambda: raw(inner(M1, dst="ff:ff:ff:ff:ff:ff", tag=b"L")),
    "to2": lambda: raw(inner(M1, dst=M2, tag=b"U")),
    "bcast": lambda: raw(inner(M1, tag=b"B")),
    "arp": lambda: raw(Ether(src="02:aa:00:00:00:02", dst="ff:ff:ff:ff:ff:ff") /
                       ARP(op=1, hwsrc="02:aa:00:00:00:02", psrc="198.18.0.2",
                           pdst="198.18.0.1")),
}
for n in names:
    wrpcap("%s/%s.pcap" % (tmp, n), [Ether(frames[n]())])
EOF
}

# feed PORT NAME: inject crafted frame NAME through PORT, wait until it was received
declare -A RXN=()
feed() {
	craft "$2"
	inject "$1" "$E2E_TMP/$2.pcap"
	RXN[$1]=$((${RXN[$1]:-0} + 1))
	wait_stat "$1" rx_packets "${RXN[$1]}"
}

log "the local host first, so its MAC is known: flooded to both remotes"
feed h1 local
wait_stat "$T2" tx_packets 1
wait_stat "$T3" tx_packets 1
log "good frames from both remotes: learned on their tunnel ports, delivered to h1 only"
feed u0 good2
feed u0 good3
wait_stat h1 tx_packets 2
expect_stat "$T2" rx_packets 1
expect_stat "$T3" rx_packets 1

log "one crafted frame per decap drop reason"
for f in flags vni vtep frag ipcsum udpcsum trunc runt port; do
	feed u0 "$f"
done
expect_drop u0 vxlan_bad_flags 1
expect_drop u0 vxlan_unknown_vni 1
expect_drop u0 vxlan_unknown_vtep 1
expect_drop u0 vxlan_outer_fragment 1
expect_drop u0 vxlan_bad_ip_csum 1
expect_drop u0 vxlan_bad_udp_csum 1
expect_drop u0 vxlan_malformed 1
expect_drop u0 vxlan_inner_runt 1
expect_drop u0 vxlan_not_for_us 1

log "a remote cannot steal the local MAC; a remote frame never goes to another remote"
feed u0 steal
feed u0 split
expect_drop "$T2" vxlan_mac_steal 1
expect_drop "$T2" vxlan_split_horizon 1

log "remote learning is capped per VNI: 2 remote MACs known, a third is not learned"
vsw_quiet bridge set ov remote_max_macs=2
feed u0 new4
expect_drop "$T2" mac_limit 1

log "ARP request for the VTEP is answered"
feed u0 arp
wait_stat u0 tx_packets 3

log "encapsulation: unicast to the remote of M2 only, broadcast to both remotes"
feed h1 to2
wait_stat "$T2" tx_packets 2
feed h1 bcast
wait_stat "$T2" tx_packets 3
wait_stat "$T3" tx_packets 2
expect_tx u0=6 h1=2 "$T2=3" "$T3=2"
expect_stat "$T3" drops_total 0
vsw vtep show
vsw fdb show ov
dp_stop

log "checking the underlay's transmitted frames"
"$PY" - "$(tx_file u0)" "$(tx_file h1)" <<'EOF' || fail "transmitted frames are not as expected"
import sys
from scapy.all import ARP, IP, UDP, Ether, rdpcap
from scapy.layers.vxlan import VXLAN

u0, h1 = rdpcap(sys.argv[1]), rdpcap(sys.argv[2])
ok = True


def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what)
        ok = False


check(len(u0) == 6, "u0 sent %d frames, expected 6" % len(u0))
arps = [p for p in u0 if ARP in p]
check(len(arps) == 1, "%d ARP frames, expected 1" % len(arps))
arp = arps[0]
check(ARP in arp and arp[ARP].op == 2 and arp[ARP].psrc == "198.18.0.1" and
      arp[ARP].hwsrc == "02:aa:00:00:00:01" and arp[ARP].pdst == "198.18.0.2" and
      arp.dst == "02:aa:00:00:00:02", "ARP reply: " + arp.summary())
want = [("198.18.0.2", b"L"), ("198.18.0.3", b"L"), ("198.18.0.2", b"U"),
        ("198.18.0.2", b"B"), ("198.18.0.3", b"B")]
got = []
for p in u0:
    if ARP in p:
        continue
    check(VXLAN in p, "not VXLAN: " + p.summary())
    if VXLAN not in p:
        continue
    ip, udp = p[IP], p[UDP]
    check(p.src == "02:aa:00:00:00:01" and p.dst == "02:aa:00:00:00:0" + ip.dst[-1],
          "outer MACs " + p.summary())
    check(ip.src == "198.18.0.1" and ip.ttl == 64 and ip.flags == "DF" and ip.frag == 0,
          "outer IP " + repr(ip))
    c = ip.chksum
    del ip.chksum
    check(IP(bytes(ip))[IP].chksum == c, "outer IP checksum")
    check(udp.dport == 4789 and udp.sport >= 49152 and udp.chksum == 0 and
          udp.len == len(udp), "outer UDP " + repr(udp))
    check(p[VXLAN].flags == 0x08 and p[VXLAN].vni == 5001, "VXLAN header")
    inner = p[VXLAN].payload
    check(inner.src == "02:00:00:00:c8:01", "inner source")
    got.append((ip.dst, bytes(inner)[-20:-19]))
check(sorted(got) == sorted(want), "encapsulated %s, expected %s" % (got, want))
check(len(h1) == 2 and all(p.src in ("02:00:00:00:c8:02", "02:00:00:00:c8:03") for p in h1),
      "h1 received %s" % [p.summary() for p in h1])
sys.exit(0 if ok else 1)
EOF
