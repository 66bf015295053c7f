#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# What left a VXLAN benchmark's egress port (a few frames captured after the window by
# bench/vsw_vxlan.sh), checked so that a rate is not reported for frames that are not
# what the scenario claims, and so that the run says which underlay it measured:
#   encap  every frame is VXLAN (UDP 4789, I flag, VNI) from the local to the remote VTEP
#          over FAMILY; over IPv6 the UDP checksum must be right (mandatory there), over
#          IPv4 it is 0 or right;
#   decap  every frame is a plain inner frame: no VXLAN left, to one of bench/mkpcap.py's
#          destination MACs (02:00:00:01:xx:xx).
# Prints `egress_checked N`, `egress_bad N` and, for the first frame, `egress <summary>`; a
# reason per bad frame on stderr. Exit 1 when no frame was read or one was bad.
# Usage: vxlancheck.py encap|decap PCAP FAMILY LOCAL REMOTE VNI
import sys

from scapy.all import IP, UDP, Ether, IPv6, rdpcap
from scapy.layers.vxlan import VXLAN


def udp_csum_ok(ip, udp):
    """Recompute the checksum over a copy with it cleared; 0 is allowed over IPv4 only."""
    if udp.chksum == 0:
        return ip.version == 4
    cp = ip.copy()
    cp[UDP].chksum = None
    return cp.__class__(bytes(cp))[UDP].chksum == udp.chksum


def check(mode, f, family, local, remote, vni):
    """The reason frame f is wrong, or None; and a one-line summary of it."""
    if mode == 'decap':
        if UDP in f and f[UDP].dport == 4789:
            return 'still VXLAN', f.summary()
        if not f[Ether].dst.startswith('02:00:00:01:'):
            return 'destination %s is not an inner one' % f[Ether].dst, f.summary()
        return None, 'inner %s -> %s, %d bytes' % (f[Ether].src, f[Ether].dst, len(f))
    ip = f.getlayer(IPv6 if family == '6' else IP)
    if ip is None:
        return 'not IPv%s' % family, f.summary()
    if (ip.src, ip.dst) != (local, remote):
        return 'outer %s -> %s' % (ip.src, ip.dst), f.summary()
    if UDP not in f or f[UDP].dport != 4789 or VXLAN not in f:
        return 'not VXLAN over UDP 4789', f.summary()
    if f[VXLAN].vni != vni or not f[VXLAN].flags & 0x08:
        return 'VNI %d flags %#x' % (f[VXLAN].vni, f[VXLAN].flags), f.summary()
    udp = f[UDP]
    ok = udp_csum_ok(ip, udp)
    summary = 'IPv%s %s -> %s, UDP %d -> 4789 checksum %#06x (%s), VNI %d, %d bytes' % (
        family, ip.src, ip.dst, udp.sport, udp.chksum,
        'none' if udp.chksum == 0 else 'right' if ok else 'WRONG', vni, len(f))
    if not ok:
        return 'UDP checksum %#06x wrong or missing' % udp.chksum, summary
    return None, summary


def main(argv):
    if len(argv) != 7 or argv[1] not in ('encap', 'decap') or argv[3] not in ('4', '6'):
        sys.exit('usage: vxlancheck.py encap|decap PCAP 4|6 LOCAL REMOTE VNI')
    mode, path, family, local, remote, vni = argv[1:6] + [int(argv[6])]
    frames = rdpcap(path)
    bad = 0
    for i, f in enumerate(frames):
        why, summary = check(mode, f, family, local, remote, vni)
        if i == 0:
            print('egress %s' % summary)
        if why:
            bad += 1
            print('frame %d: %s: %s' % (i, why, summary), file=sys.stderr)
    print('egress_checked %d' % len(frames))
    print('egress_bad %d' % bad)
    sys.exit(1 if bad or not frames else 0)


if __name__ == '__main__':
    main(sys.argv)
