#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# A hostile vhost-user front end for tests/e2e/vhost_hostile_test.sh: it speaks the
# vhost-user protocol (docs: QEMU's vhost-user.rst) to a switch's server socket the way a
# buggy or malicious VM's QEMU could, with a memfd as guest memory and rings it writes
# itself. Each case opens its own connection and closes it at the end (or is cut off by
# the switch); the test checks the switch between cases (alive, answering, no fd or memory
# leak, other ports forwarding).
#
#   vhost_hostile.py SOCKET CASE     CASE: one of the names in CASES, or "list"
#
# Exit 0 when the case ran to its end, whatever the switch answered (refusing or
# disconnecting is a fine answer); 1 when the client itself could not do what the case
# says (say, the switch never read the set-up messages of the "rings" cases).
import errno
import mmap
import os
import socket
import struct
import sys
import time

# front end -> back end requests
GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE = 1, 2, 3, 4, 5
SET_LOG_BASE, SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = 6, 7, 8, 9, 10
GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR = 11, 12, 13, 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE = 15, 16, 17, 18
VERSION = 0x1
REPLY = 0x4

F_VERSION_1 = 1 << 32
F_MRG_RXBUF = 1 << 15

MEM_SIZE = 4 << 20
GPA = 0x0               # guest physical address of the memfd's first byte
UVA = 0x7f0000000000    # where "QEMU" says it mapped it (rings are given in this space)
QSIZE = 256
VRING_DESC_F_NEXT, VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT = 1, 2, 4


def ring_off(q):
	"""desc table, avail ring, used ring of queue q, 64 KiB apart, in the memfd"""
	base = 0x10000 * (q + 1)
	return base, base + 0x1000, base + 0x2000


BUF = 0x100000  # packet buffers from 1 MiB on


class Front:
	def __init__(self, path):
		self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		self.s.settimeout(5)
		self.s.connect(path)
		self.mem = None
		self.memfd = -1
		self.evfds = []

	def send(self, req, payload=b'', fds=(), flags=VERSION, size=None):
		hdr = struct.pack('<III', req, flags, len(payload) if size is None else size)
		anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('%di' % len(fds), *fds))] if fds else []
		self.s.sendmsg([hdr + payload], anc)

	def recv(self, want_size):
		data = b''
		while len(data) < 12 + want_size:
			chunk = self.s.recv(12 + want_size - len(data))
			if not chunk:
				raise ConnectionError('closed by the switch')
			data += chunk
		req, flags, size = struct.unpack('<III', data[:12])
		return req, flags, data[12:12 + size]

	def features(self):
		self.send(GET_FEATURES)
		_, _, p = self.recv(8)
		return struct.unpack('<Q', p)[0]

	def memory(self, size=MEM_SIZE):
		self.memfd = os.memfd_create('hostile-guest', 0)
		os.ftruncate(self.memfd, size)
		self.mem = mmap.mmap(self.memfd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
		return self.memfd

	def mem_table(self, fd, size=MEM_SIZE, offset=0, n=1, gpa=GPA, uva=UVA):
		regions = struct.pack('<QQQQ', gpa, size, uva, offset) * n
		self.send(SET_MEM_TABLE, struct.pack('<II', n, 0) + regions, [fd] * n)

	def state(self, req, q, num):
		self.send(req, struct.pack('<II', q, num))

	def vring_addr(self, q, desc=None, used=None, avail=None):
		d, a, u = ring_off(q)
		self.send(SET_VRING_ADDR, struct.pack('<IIQQQQ', q, 0, UVA + d if desc is None else desc,
						      UVA + u if used is None else used,
						      UVA + a if avail is None else avail, 0))

	def eventfd(self):
		fd = os.eventfd(0, os.EFD_NONBLOCK)
		self.evfds.append(fd)
		return fd

	def setup(self, feats=F_VERSION_1 | F_MRG_RXBUF, queues=(0, 1)):
		"""What QEMU does for a virtio-net device with one queue pair, without
		VHOST_USER_F_PROTOCOL_FEATURES (so the rings are enabled once kicked)."""
		offered = self.features()
		self.send(SET_OWNER)
		self.send(SET_FEATURES, struct.pack('<Q', offered & feats))
		self.mem_table(self.memory())
		for q in queues:
			self.state(SET_VRING_NUM, q, QSIZE)
			self.state(SET_VRING_BASE, q, 0)
			self.vring_addr(q)
			self.send(SET_VRING_KICK, struct.pack('<Q', q), [self.eventfd()])
			self.send(SET_VRING_CALL, struct.pack('<Q', q), [self.eventfd()])

	def desc(self, q, i, addr, length, flags=0, nxt=0):
		d, _, _ = ring_off(q)
		struct.pack_into('<QIHH', self.mem, d + 16 * i, addr, length, flags, nxt)

	def post(self, q, heads, idx=None):
		"""put descriptor heads in the avail ring and publish idx (default: all posted)"""
		_, a, _ = ring_off(q)
		old = struct.unpack_from('<H', self.mem, a + 2)[0]
		for k, h in enumerate(heads):
			struct.pack_into('<H', self.mem, a + 4 + 2 * ((old + k) % QSIZE), h)
		struct.pack_into('<H', self.mem, a + 2, (old + len(heads) if idx is None else idx) & 0xffff)
		self.kick(q)

	def kick(self, q):
		# the kick fds are the 1st, 3rd... eventfds (kick, call per queue)
		fd = self.evfds[2 * q] if 2 * q < len(self.evfds) else None
		if fd is not None:
			os.eventfd_write(fd, 1)

	def used_idx(self, q):
		_, _, u = ring_off(q)
		return struct.unpack_from('<H', self.mem, u + 2)[0]

	def close(self):
		self.s.close()
		for fd in self.evfds:
			os.close(fd)
		if self.mem is not None:
			self.mem.close()
		if self.memfd >= 0:
			os.close(self.memfd)


def frame(dst=b'\xff' * 6, src=b'\x02\x00\x00\x00\x66\x01'):
	# virtio-net header of VERSION_1 (12 bytes: num_buffers included), then 60 bytes
	return bytes(12) + dst + src + b'\x08\x00' + bytes(46)


# ---- the cases ----

def bogus_types(path):
	"""unknown request numbers, with and without payloads"""
	for req in (0, 19, 40, 99, 999, 0xffffffff):
		f = Front(path)
		try:
			f.send(req, b'\0' * 8)
			f.send(GET_FEATURES)
			f.recv(8)
		except (ConnectionError, OSError):
			pass
		f.close()


def bad_sizes(path):
	"""a header whose size is larger than any payload, a truncated header, a message cut short"""
	for size in (0xffffffff, 4096, 300):
		f = Front(path)
		try:
			f.send(SET_VRING_NUM, b'\0' * 8, size=size)
		except OSError:
			pass
		f.close()
	f = Front(path)
	f.s.sendall(b'\x01\x00\x00')  # 3 bytes of a header, then gone
	f.close()
	f = Front(path)
	f.s.sendall(struct.pack('<III', SET_MEM_TABLE, VERSION, 264) + b'\x01')
	f.close()
	f = Front(path)
	f.send(GET_FEATURES, flags=0)  # version 0
	f.send(GET_FEATURES, flags=VERSION | REPLY)  # a reply sent to the back end
	f.close()


def out_of_order(path):
	"""ring set-up before the memory table, kicks before anything, queues that do not exist,
	GET_VRING_BASE (stop) on rings never started, RESET_OWNER in the middle"""
	f = Front(path)
	try:
		f.send(SET_VRING_KICK, struct.pack('<Q', 0), [f.eventfd()])
		f.vring_addr(0)
		f.state(SET_VRING_BASE, 0, 5)
		f.state(GET_VRING_BASE, 0, 0)
		f.state(SET_VRING_NUM, 1000, QSIZE)
		f.state(SET_VRING_NUM, 0, 0)
		f.state(SET_VRING_NUM, 0, 1000)  # not a power of 2
		f.state(SET_VRING_NUM, 0, 65535)
		f.state(SET_VRING_ENABLE, 77, 1)
		f.send(SET_VRING_CALL, struct.pack('<Q', 300), [f.eventfd()])
		f.send(SET_PROTOCOL_FEATURES, struct.pack('<Q', 0xffffffffffffffff))
		f.send(SET_FEATURES, struct.pack('<Q', 0xffffffffffffffff))
		f.mem_table(f.memory())
		f.vring_addr(1, desc=UVA + MEM_SIZE + 0x1000)  # outside the memory
		f.send(RESET_OWNER)
		f.state(GET_VRING_BASE, 1, 0)
		f.features()
	except (ConnectionError, OSError):
		pass
	f.close()


def stray_fds(path):
	"""descriptors attached to messages that take none, too many of them, a memory table
	whose fds are not memory, too many regions, regions outside their file"""
	null = os.open('/dev/null', os.O_RDONLY)
	try:
		for fds in ([null] * 8, [null] * 20):
			f = Front(path)
			try:
				f.send(GET_FEATURES, fds=fds)
				f.send(SET_OWNER, fds=fds)
				f.features()
			except (ConnectionError, OSError):
				pass
			f.close()
		cases = (
			lambda f: f.mem_table(f.memory(), n=9),  # more regions than allowed
			lambda f: f.send(SET_MEM_TABLE, struct.pack('<II', 1, 0) + bytes(32)),  # no fd
			lambda f: f.mem_table(f.memory(), size=MEM_SIZE * 64),  # past the file's end
			lambda f: f.mem_table(f.memory(), offset=1 << 40),
			lambda f: f.send(SET_LOG_FD, fds=[f.eventfd()]),
			lambda f: f.send(SET_LOG_BASE, struct.pack('<QQ', 1 << 30, 0), [null]),
			lambda f: f.send(SET_VRING_ERR, struct.pack('<Q', 0), [null, null]),
		)
		for c in cases:
			f = Front(path)
			try:
				f.features()
				f.send(SET_OWNER)
				c(f)
				f.features()
			except (ConnectionError, OSError):
				pass
			f.close()
	finally:
		os.close(null)


def unmappable_memory(path):
	"""a memory table whose region cannot be mapped: /dev/null as the memory, a region
	of size 0. XXX: DPDK 22.11's vhost library keeps (leaks) the fd of such a region when
	it gives up on the table; the test bounds the leak instead of asserting none."""
	null = os.open('/dev/null', os.O_RDONLY)
	try:
		for c in (lambda f: f.mem_table(null), lambda f: f.mem_table(f.memory(), size=0)):
			f = Front(path)
			try:
				f.features()
				f.send(SET_OWNER)
				c(f)
				f.features()
			except (ConnectionError, OSError):
				pass
			f.close()
	finally:
		os.close(null)


def broken_chains(path):
	"""a device set up properly, whose rings then hold descriptors pointing outside guest
	memory, loops, out-of-range next indexes, huge and zero lengths, bogus indirect
	tables, and an avail index far ahead of what was posted; traffic flows meanwhile in
	both directions (the test floods frames to this port)"""
	f = Front(path)
	f.setup()
	rx, tx = 0, 1
	good = frame()
	f.mem[BUF:BUF + len(good)] = good
	# first a good frame and good receive buffers: proof that the device runs
	f.desc(tx, 8, BUF, len(good))
	for i in range(4):
		f.desc(rx, 20 + i, BUF + 0x1000 * (i + 1), 2048, VRING_DESC_F_WRITE)
	f.post(rx, [20, 21, 22, 23])
	f.post(tx, [8])
	for _ in range(50):
		if f.used_idx(tx) > 0:
			break
		time.sleep(0.1)
	else:
		raise RuntimeError('the switch never took the good frame: device not running')
	print('broken_chains: device running; the switch filled %d receive buffers'
	      % f.used_idx(rx))
	bad = [
		(0xdead00000000, 64, 0, 0),  # outside guest memory
		(BUF, 64, VRING_DESC_F_NEXT, 1),  # a loop: 1 -> 1
		(BUF, 64, VRING_DESC_F_NEXT, 9999),  # next out of range
		(BUF, 0xffffffff, 0, 0),  # longer than the memory
		(BUF, 17, VRING_DESC_F_INDIRECT, 0),  # indirect table of 17 bytes
		(0xdead00000000, 4096, VRING_DESC_F_INDIRECT, 0),  # indirect table outside memory
		(BUF, 0, 0, 0),  # empty
		(MEM_SIZE - 8, 64, 0, 0),  # straddles the end of the memory
		(BUF, len(good), 0, 0),  # a good frame, so the ring still moves
	]
	for q, wflag in ((tx, 0), (rx, VRING_DESC_F_WRITE)):
		for i, (addr, ln, fl, nx) in enumerate(bad):
			f.desc(q, i, addr, ln, fl | wflag, nx)
		# a chain that loops through two descriptors: 10 -> 11 -> 10
		f.desc(q, 10, BUF, 32, VRING_DESC_F_NEXT | wflag, 11)
		f.desc(q, 11, BUF, 32, VRING_DESC_F_NEXT | wflag, 10)
		f.post(q, list(range(len(bad))) + [10, 4000 % 65536, 300])  # heads out of range too
	time.sleep(0.5)
	for q in (tx, rx):
		f.post(q, [], idx=(f.used_idx(q) + 40000) & 0xffff)  # avail far ahead
	time.sleep(0.5)
	# a new memory table under running rings (the switch must remap, or refuse)
	fd2 = os.memfd_create('hostile-guest-2', 0)
	os.ftruncate(fd2, MEM_SIZE)
	f.mem_table(fd2)
	for q in (tx, rx):
		f.kick(q)
	time.sleep(0.5)
	os.close(fd2)
	f.close()  # gone with the rings full of junk and traffic flowing to it


def two_fronts(path):
	"""two front ends on one socket at once, both setting up a device"""
	a = Front(path)
	b = Front(path)
	try:
		a.setup()
		b.setup()
		time.sleep(1)
		a.close()
		time.sleep(0.5)
		b.post(1, [0])
	except (ConnectionError, OSError):
		pass
	a.close() if a.s.fileno() >= 0 else None
	b.close()


def churn(path):
	"""set up and drop a device 20 times, half of them without a word (socket closed
	mid-setup)"""
	for i in range(20):
		f = Front(path)
		try:
			if i % 2:
				f.features()
				f.mem_table(f.memory())
			else:
				f.setup()
		except (ConnectionError, OSError):
			pass
		f.close()


CASES = {c.__name__: c for c in (bogus_types, bad_sizes, out_of_order, stray_fds,
				      unmappable_memory, broken_chains, two_fronts, churn)}


def main():
	if len(sys.argv) != 3 or (sys.argv[2] not in CASES and sys.argv[2] != 'list'):
		print('usage: vhost_hostile.py SOCKET CASE|list; cases: ' + ' '.join(CASES),
		      file=sys.stderr)
		return 2
	if sys.argv[2] == 'list':
		print('\n'.join(CASES))
		return 0
	try:
		CASES[sys.argv[2]](sys.argv[1])
	except (ConnectionError, OSError) as e:
		if isinstance(e, OSError) and e.errno in (errno.ENOENT, errno.ECONNREFUSED):
			print('cannot connect to %s: %s' % (sys.argv[1], e), file=sys.stderr)
			return 1
		# the switch cutting us off is an answer, not a failure
	return 0


if __name__ == '__main__':
	sys.exit(main())
