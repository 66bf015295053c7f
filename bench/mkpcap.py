#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Benchmark traffic for bench/run.sh: pcap files of 64-byte Ethernet/IPv4/UDP frames
# (60 bytes on file, the FCS is not captured), written with struct rather than scapy
# because the learning pcap has a million frames and scapy needs minutes for that.
#
#   mkpcap.py l2 OUT NSRC NDST NFLOW
#       NFLOW frames; frame i comes from source MAC i % NSRC and goes to destination
#       MAC i % NDST (the same MACs as ../shared/tools/mkpcap.py: 02:00:00:00:xx:xx
#       sources, 02:00:00:01:xx:xx destinations), one UDP flow per frame.
#   mkpcap.py learn OUT N PAD
#       PAD frames from one filler source (02:00:00:03:00:00) and then N frames, each from
#       a distinct source MAC learn_mac(i), all to the sink MAC 02:00:00:0f:00:01.
#       The filler covers the moment between adding the port and attaching it to the
#       bridge, when the dataplane already polls it but drops as no_bridge.
#   mkpcap.py spread OUT NDST NLEARN NSRC
#       NDST frames to destinations spread evenly over the NLEARN learned MACs
#       (learn_mac(j * NLEARN // NDST)), from NSRC sources 02:00:00:02:xx:xx.
#   mkpcap.py macs NLEARN NDST
#       Print the NDST destination MACs that `spread` uses, one a line.
import struct
import sys

SINK_MAC = bytes.fromhex('02000000' '0f01')
FILLER_MAC = bytes.fromhex('02000000' '0300')


def mac(prefix, i):
	"""02:00:00:<prefix>:hi:lo for i < 65536."""
	return bytes((2, 0, 0, prefix, (i >> 8) & 255, i & 255))


def learn_mac(i):
	"""02:10:<i as 4 bytes>: a million distinct locally administered unicast MACs."""
	return bytes((2, 0x10)) + struct.pack('>I', i)


def ip_csum(hdr):
	s = sum(struct.unpack('>10H', hdr))
	s = (s >> 16) + (s & 0xffff)
	s += s >> 16
	return (~s) & 0xffff


def frame(dst, src, sip, dip, sport, dport=4000):
	ip = bytearray(struct.pack('>BBHHHBBH4s4s', 0x45, 0, 46, 0, 0, 64, 17, 0,
				   bytes(sip), bytes(dip)))
	struct.pack_into('>H', ip, 10, ip_csum(ip))
	udp = struct.pack('>HHHH', sport, dport, 26, 0)
	f = dst + src + b'\x08\x00' + bytes(ip) + udp
	return f + b'\0' * (60 - len(f))


class Writer:
	def __init__(self, path):
		self.f = open(path, 'wb', buffering=1 << 20)
		# magic, v2.4, tz 0, sigfigs 0, snaplen 65535, linktype 1 (Ethernet)
		self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
		self.n = 0

	def add(self, data):
		# timestamps 1 us apart: net_pcap ignores them, readers like tshark like order
		self.f.write(struct.pack('<IIII', self.n // 1000000, self.n % 1000000,
					 len(data), len(data)))
		self.f.write(data)
		self.n += 1

	def close(self):
		self.f.close()


def src_ip(i):
	return (198, 51, 100, 1 + i % 200)


def dst_ip(i):
	return (203, 0, 113, 1 + i % 200)


def spread_macs(nlearn, ndst):
	return [learn_mac(j * nlearn // ndst) for j in range(ndst)]


def main(argv):
	if len(argv) < 2:
		sys.exit(__doc__ or 'usage: see the comment at the top of mkpcap.py')
	mode = argv[1]
	if mode == 'macs':
		nlearn, ndst = int(argv[2]), int(argv[3])
		sys.stdout.write(''.join(':'.join('%02x' % b for b in m) + '\n'
					 for m in spread_macs(nlearn, ndst)))
		return
	w = Writer(argv[2])
	if mode == 'l2':
		nsrc, ndst, nflow = int(argv[3]), int(argv[4]), int(argv[5])
		for i in range(nflow):
			s, d = i % nsrc, i % ndst
			w.add(frame(mac(1, d), mac(0, s), src_ip(s), dst_ip(d), 1024 + i % 60000))
	elif mode == 'learn':
		n, pad = int(argv[3]), int(argv[4])
		filler = frame(SINK_MAC, FILLER_MAC, src_ip(0), dst_ip(0), 1024)
		for i in range(pad):
			w.add(filler)
		# Only the source MAC changes: build the frame once and splice it in.
		tmpl = frame(SINK_MAC, learn_mac(0), src_ip(0), dst_ip(0), 1024)
		for i in range(n):
			w.add(tmpl[:6] + learn_mac(i) + tmpl[12:])
	elif mode == 'spread':
		ndst, nlearn, nsrc = int(argv[3]), int(argv[4]), int(argv[5])
		for j, d in enumerate(spread_macs(nlearn, ndst)):
			s = j % nsrc
			w.add(frame(d, mac(2, s), src_ip(s), dst_ip(j), 1024 + j % 60000))
	else:
		sys.exit('mkpcap.py: unknown mode %r (l2, learn, spread, macs)' % mode)
	w.close()


if __name__ == '__main__':
	main(sys.argv)
