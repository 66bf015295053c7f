#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Frame helpers for the end-to-end tests (tests/e2e/*_test.sh): build pcaps from short
# frame specs with scapy, compare pcaps frame by frame (bytes only, never timestamps),
# inject frames on a kernel interface, and pick values out of `vswctl -j` output. Run
# with Debian's /usr/bin/python3 (the scapy the tests rely on lives there).
#
# Frame spec: comma-separated key=value pairs, e.g.
#   src=02:00:00:00:00:0a,dst=ff:ff:ff:ff:ff:ff,vlan=10,id=flood1,len=60
# src/dst MACs; vlan adds an 802.1Q tag; id is the UDP payload (makes frames unique);
# len pads the Ethernet frame with zero bytes after the IP packet to that many bytes;
# hex=... is a raw frame (for runts) and ignores everything else; n=K repeats it.
import json
import socket
import struct
import sys
import time

PCAP_MAGICS = {
    0xA1B2C3D4: ("<", 1000),
    0xA1B23C4D: ("<", 1),
    0xD4C3B2A1: (">", 1000),
    0x4D3CB2A1: (">", 1),
}


def frames_from_spec(spec):
    kv = {}
    for part in spec.split(","):
        if not part:
            continue
        k, _, v = part.partition("=")
        kv[k.strip()] = v.strip()
    n = int(kv.pop("n", "1"))
    if "hex" in kv:
        return [bytes.fromhex(kv["hex"])] * n

    from scapy.all import IP, UDP, Dot1Q, Ether, Raw  # slow import: only when needed

    src = kv.get("src", "02:00:00:00:00:01")
    dst = kv.get("dst", "ff:ff:ff:ff:ff:ff")
    payload = kv.get("id", "vsw").encode()
    eth = Ether(src=src, dst=dst)
    if "vlan" in kv:
        eth = eth / Dot1Q(vlan=int(kv["vlan"]), prio=int(kv.get("pcp", "0")))
    pkt = eth / IP(src=kv.get("ipsrc", "198.51.100.10"), dst=kv.get("ipdst", "198.51.100.20"),
                   id=1) / UDP(sport=49152, dport=9) / Raw(payload)
    raw = bytes(pkt)
    if "len" in kv and len(raw) < int(kv["len"]):
        raw += b"\0" * (int(kv["len"]) - len(raw))
    return [raw] * n


def read_pcap(path, live=False):
    """Frames (bytes) of a pcap file, in order; raises on a truncated record. live: the
    file belongs to a running pcap PMD, which writes the file header only with its first
    frame, so an empty file means no frames yet."""
    with open(path, "rb") as f:
        data = f.read()
    if live and not data:
        return []
    if len(data) < 24:
        raise ValueError("%s: %d bytes, not a pcap file" % (path, len(data)))
    (magic,) = struct.unpack("<I", data[:4])
    if magic not in PCAP_MAGICS:
        raise ValueError("%s: bad pcap magic %#x" % (path, magic))
    endian, _ = PCAP_MAGICS[magic]
    off = 24
    frames = []
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: truncated record header at offset %d" % (path, off))
        _, _, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError("%s: truncated frame at offset %d" % (path, off))
        if caplen != wirelen:
            raise ValueError("%s: frame %d captured %d of %d bytes" %
                             (path, len(frames) + 1, caplen, wirelen))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1700000000
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", t, i, len(fr), len(fr)))
            f.write(fr)


def describe(fr):
    if len(fr) < 14:
        return "%d-byte runt %s" % (len(fr), fr.hex())
    s = "%s > %s" % (":".join("%02x" % b for b in fr[6:12]), ":".join("%02x" % b for b in fr[0:6]))
    et = struct.unpack("!H", fr[12:14])[0]
    if et == 0x8100 and len(fr) >= 18:
        s += " vlan %d" % (struct.unpack("!H", fr[14:16])[0] & 0xFFF)
    return "%s len %d" % (s, len(fr))


def cmd_mk(args):
    out, specs = args[0], args[1:]
    frames = []
    for s in specs:
        frames += frames_from_spec(s)
    write_pcap(out, frames)


def cmd_cmp(args):
    """cmp [--live] GOT EXPECTED [LABEL]: same frames, same order, same bytes."""
    live = args[0] == "--live"
    if live:
        args = args[1:]
    got, exp = read_pcap(args[0], live), read_pcap(args[1])
    label = args[2] if len(args) > 2 else args[0]
    bad = 0
    for i in range(max(len(got), len(exp))):
        g = got[i] if i < len(got) else None
        e = exp[i] if i < len(exp) else None
        if g == e:
            continue
        bad += 1
        if bad > 5:
            continue
        print("%s: frame %d differs" % (label, i + 1), file=sys.stderr)
        print("  expected: %s" % (describe(e) + "\n            " + e.hex() if e else "nothing"),
              file=sys.stderr)
        print("  got:      %s" % (describe(g) + "\n            " + g.hex() if g else "nothing"),
              file=sys.stderr)
    if bad:
        print("%s: %d frames, expected %d; %d differ" % (label, len(got), len(exp), bad),
              file=sys.stderr)
        return 1
    return 0


def cmd_count(args):
    print(len(read_pcap(args[0])))


def cmd_show(args):
    for i, fr in enumerate(read_pcap(args[0])):
        print("%3d %s" % (i + 1, describe(fr)))


def cmd_send(args):
    """send IFACE PCAP [GAP_MS]: write every frame of PCAP on IFACE (AF_PACKET)."""
    iface, frames = args[0], read_pcap(args[1])
    gap = float(args[2]) / 1000 if len(args) > 2 else 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for fr in frames:
        s.send(fr)
        if gap:
            time.sleep(gap)
    s.close()


def cmd_j(args):
    """j EXPR: evaluate EXPR with r = the JSON document on stdin; print the value
    (strings bare, other values as JSON). Non-zero exit when EXPR raises."""
    r = json.load(sys.stdin)
    v = eval(args[0], {"r": r, "sum": sum, "len": len, "sorted": sorted})
    print(v if isinstance(v, str) else json.dumps(v))


CMDS = {"mk": cmd_mk, "cmp": cmd_cmp, "count": cmd_count, "show": cmd_show, "send": cmd_send,
        "j": cmd_j}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        print("usage: e2e.py {%s} ..." % "|".join(CMDS), file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(CMDS[sys.argv[1]](sys.argv[2:]) or 0)
    except (OSError, ValueError) as e:
        print("e2e.py %s: %s" % (sys.argv[1], e), file=sys.stderr)
        sys.exit(1)
