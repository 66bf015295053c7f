#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Traffic of the vxlan-decap benchmark (bench/run.sh): VXLAN-encapsulated 64-byte inner
# frames, the method of ../shared/tools/mkvxlan.py kept here because CI has no ../shared.
# Outer 02:aa:00:00:00:02 198.18.0.2 -> 02:aa:00:00:00:01 198.18.0.1, UDP 4789 (checksum
# 0, as Linux sends), the given VNI; inner frame i from source MAC 02:00:00:00:xx:xx
# i % NSRC to destination 02:00:00:01:xx:xx i % NDST (bench/mkpcap.py's MACs), one UDP
# flow each. Usage: mkvxlan.py OUT.pcap NSRC NDST NFLOW VNI
import sys

from scapy.all import IP, UDP, Ether, Raw, wrpcap
from scapy.layers.vxlan import VXLAN

out, nsrc, ndst, nflow, vni = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                               int(sys.argv[4]), int(sys.argv[5]))
frames = []
for i in range(nflow):
    s, d = i % nsrc, i % ndst
    inner = Ether(src='02:00:00:00:%02x:%02x' % (s >> 8, s & 255),
                  dst='02:00:00:01:%02x:%02x' % (d >> 8, d & 255)) / \
        IP(src='198.51.100.%d' % (1 + s % 200), dst='203.0.113.%d' % (1 + d % 200)) / \
        UDP(sport=1024 + i % 60000, dport=4000)
    inner = inner / Raw(b'\0' * (60 - len(inner)))
    frames.append(Ether(src='02:aa:00:00:00:02', dst='02:aa:00:00:00:01') /
                  IP(src='198.18.0.2', dst='198.18.0.1', flags='DF') /
                  UDP(sport=49152 + (i % 16384), dport=4789, chksum=0) /
                  VXLAN(vni=vni, flags=0x08) / inner)
wrpcap(out, frames)
