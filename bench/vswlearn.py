#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# The learning phase of bench/vsw_l2_1m.sh: add a pcap port that replays PCAP once (a
# filler prefix, then N frames each from a new source MAC), attach it to BRIDGE, and
# watch the bridge's macs_learned until it holds the N MACs (or stops growing), timing it.
#
#   vswlearn.py SOCK BRIDGE PORT PCAP N [TIMEOUT_S]
#
# It speaks the control protocol directly (docs/protocol.md) instead of running vswctl:
# port-add and port-attach go out in one write, so the port is attached within a
# fraction of a millisecond of its first poll, and the poll loop reuses one connection,
# so the timestamps are a fraction of a millisecond apart rather than one process start.
# Prints `learned_first_pass`, `learn_mps` (million MACs/s between 10% and 90% of N, the steady
# rate), `learn_mps_total` (N over the whole phase) and `learn_seconds`; with
# VSW_POLL_SCHEDSTAT=/proc/PID/task/TID/schedstat (the worker thread), `learn_cpu_share`:
# the percentage of the phase the worker had its cpu (bench/lib.sh).
import json
import os
import socket
import sys
import time


class Client:
	def __init__(self, path):
		self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		self.s.connect(path)
		self.buf = b''
		self.id = 0

	def send(self, cmd, args):
		self.id += 1
		line = json.dumps({'v': 1, 'id': self.id, 'cmd': cmd, 'args': args}) + '\n'
		self.s.sendall(line.encode())

	def recv(self):
		while b'\n' not in self.buf:
			chunk = self.s.recv(65536)
			if not chunk:
				raise SystemExit('vswlearn: dataplane closed the connection')
			self.buf += chunk
		line, self.buf = self.buf.split(b'\n', 1)
		rep = json.loads(line)
		if rep.get('status', 0) != 0:
			raise SystemExit('vswlearn: %s' % rep.get('error', rep))
		return rep.get('result')

	def call(self, cmd, args):
		self.send(cmd, args)
		return self.recv()


def learned(c, bridge):
	r = c.call('bridge-list', {'name': bridge})
	return (r[0] if isinstance(r, list) else r)['macs_learned']


def schedstat(path):
	"""(ns run, ns waited runnable) of the polling thread, or None (see bench/lib.sh)."""
	try:
		with open(path) as f:
			run, wait = f.read().split()[:2]
		return int(run), int(wait)
	except (OSError, ValueError, TypeError):
		return None


def main(argv):
	sock, bridge, port, pcap, n = argv[1], argv[2], argv[3], argv[4], int(argv[5])
	limit = float(argv[6]) if len(argv) > 6 else 60.0
	c = Client(sock)
	base = learned(c, bridge)
	sched_path = os.environ.get('VSW_POLL_SCHEDSTAT')
	s0 = schedstat(sched_path)
	t_start = time.monotonic()
	c.send('port-add', {'name': port, 'type': 'pcap', 'options': {'rx_pcap': pcap}})
	c.send('port-attach', {'port': port, 'bridge': bridge})
	c.recv()
	c.recv()
	samples = []
	stall_since = None
	last = -1
	# Polling every millisecond keeps the error under 1% for a phase of 100 ms or more
	# (a million MACs at up to 10 M/s); polling flat out made the control thread and this
	# script load cpu 0 enough to slow the worker on cpu 1 (VM vcpus share a host core?).
	poll_s = float(os.environ.get('VSWLEARN_POLL_MS', '1')) / 1e3
	while True:
		if poll_s > 0:
			time.sleep(poll_s)
		t = time.monotonic()
		v = learned(c, bridge) - base
		samples.append((t, v))
		if v >= n:
			break
		if v == last:
			stall_since = stall_since or t
			if t - stall_since > 1.0:
				break
		else:
			stall_since = None
		last = v
		if t - t_start > limit:
			break
	s1 = schedstat(sched_path)

	def first_at(k):
		for t, v in samples:
			if v >= k:
				return t, v
		return None

	# The curve, one point per 5% of N, for the log.
	step, nxt = max(n // 20, 1), 0
	for t, v in samples:
		if v >= nxt:
			sys.stderr.write('vswlearn: %8.1f ms %8d learned\n' % ((t - t_start) * 1e3, v))
			nxt = v + step
	t_end, v_end = samples[-1] if stall_since is None else first_at(samples[-1][1])
	lo, hi = first_at(n // 10), first_at(n * 9 // 10)
	print('learned_first_pass %d' % v_end)
	print('learn_seconds %.3f' % (t_end - t_start))
	print('learn_samples %d' % len(samples))
	if lo and hi and hi[0] > lo[0]:
		print('learn_mps %.2f' % ((hi[1] - lo[1]) / (hi[0] - lo[0]) / 1e6))
	if t_end > t_start:
		print('learn_mps_total %.2f' % (v_end / (t_end - t_start) / 1e6))
	if s0 and s1 and (s1[0] - s0[0]) + (s1[1] - s0[1]) > 0:
		r, w = s1[0] - s0[0], s1[1] - s0[1]
		print('learn_cpu_share %.0f' % (100.0 * r / (r + w)))


if __name__ == '__main__':
	main(sys.argv)
