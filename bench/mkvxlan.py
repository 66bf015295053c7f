#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Traffic of the vxlan-decap and vxlan6-decap benchmarks (bench/run.sh): VXLAN-encapsulated
# 64-byte inner frames, the method of ../shared/tools/mkvxlan.py kept here because CI has no
# ../shared. Outer 02:aa:00:00:00:02 -> 02:aa:00:00:00:01, UDP 4789, the given VNI; over
# IPv4 (the default) 198.18.0.2 -> 198.18.0.1 with DF and UDP checksum 0, as Linux sends;
# with FAMILY 6, 2001:2::2 -> 2001:2::1 (RFC 5180's range) with flow label and a computed
# UDP checksum, which is mandatory over IPv6 (vsw refuses a zero one, docs/overlay.md).
# Inner frame i from source MAC 02:00:00:00:xx:xx i % NSRC to destination
# 02:00:00:01:xx:xx i % NDST (bench/mkpcap.py's MACs), one UDP flow each.
# Usage: mkvxlan.py OUT.pcap NSRC NDST NFLOW VNI [4|6]
import sys

from scapy.all import IP, UDP, Ether, IPv6, Raw, wrpcap
from scapy.layers.vxlan import VXLAN

out, nsrc, ndst, nflow, vni = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                               int(sys.argv[4]), int(sys.argv[5]))
family = sys.argv[6] if len(sys.argv) > 6 else '4'
if family not in ('4', '6'):
    sys.exit('mkvxlan.py: FAMILY must be 4 or 6, not %r' % family)
frames = []
for i in range(nflow):
    s, d = i % nsrc, i % ndst
    inner = Ether(src='02:00:00:00:%02x:%02x' % (s >> 8, s & 255),
                  dst='02:00:00:01:%02x:%02x' % (d >> 8, d & 255)) / \
        IP(src='198.51.100.%d' % (1 + s % 200), dst='203.0.113.%d' % (1 + d % 200)) / \
        UDP(sport=1024 + i % 60000, dport=4000)
    inner = inner / Raw(b'\0' * (60 - len(inner)))
    sport = 49152 + (i % 16384)
    if family == '4':
        outer = IP(src='198.18.0.2', dst='198.18.0.1', flags='DF') / \
            UDP(sport=sport, dport=4789, chksum=0)
    else:
        # scapy fills in the UDP checksum over the pseudo header and the whole datagram
        outer = IPv6(src='2001:2::2', dst='2001:2::1', fl=1 + i % 0xfffff, hlim=64) / \
            UDP(sport=sport, dport=4789)
    frames.append(Ether(src='02:aa:00:00:00:02', dst='02:aa:00:00:00:01') / outer /
                  VXLAN(vni=vni, flags=0x08) / inner)
wrpcap(out, frames)
