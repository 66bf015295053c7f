#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Abuses the dataplane's control socket the ways docs/protocol.md promises to survive:
# malformed JSON, a wrong version, unknown commands and keys, a line over the 65536-byte
# limit, more clients than allowed, and clients that stall or vanish mid-request. Each
# case checks the reply status (and that a failed request changed nothing); between cases
# a fresh client must still get answers. Used by l2_socket_test.sh: sock_check.py SOCK.
import json
import socket
import sys
import time

SOCK = sys.argv[1]
FAILS = []
EPROTO, EOPNOTSUPP, EINVAL, EMSGSIZE, EBUSY, ENOENT = 71, 95, 22, 90, 16, 2


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    BUFS.pop(s.fileno(), None)
    s.settimeout(5)
    s.connect(SOCK)
    return s


BUFS = {}


def read_line(s):
    """One reply line, or None on EOF (what follows it stays buffered for the next call)."""
    buf = BUFS.get(s.fileno(), b"")
    while b"\n" not in buf:
        try:
            c = s.recv(65536)
        except ConnectionResetError:
            c = b""
        if not c:
            BUFS.pop(s.fileno(), None)
            return buf if buf else None
        buf += c
    line, _, rest = buf.partition(b"\n")
    BUFS[s.fileno()] = rest
    return line + b"\n"


def request(s, line):
    if isinstance(line, str):
        line = line.encode()
    s.sendall(line)
    r = read_line(s)
    if r is None:
        return None
    return json.loads(r)


def check(name, cond, detail=""):
    print("%s %s%s" % ("ok  " if cond else "FAIL", name, (": " + detail) if detail else ""))
    if not cond:
        FAILS.append(name)


def expect_status(name, line, status, s=None, rid=None):
    own = s is None
    if own:
        s = connect()
    try:
        r = request(s, line)
    except (OSError, ValueError) as e:
        check(name, False, "no reply: %s" % e)
        return None
    finally:
        if own:
            s.close()
    if r is None:
        check(name, False, "connection closed without a reply")
        return None
    ok = r.get("status") == status and r.get("v") == 1
    if status != 0:
        ok = ok and isinstance(r.get("error"), str) and len(r["error"]) > 0
    if rid is not None:
        ok = ok and r.get("id") == rid
    check(name, ok, "got %s" % json.dumps(r)[:300])
    return r


def alive(name):
    r = expect_status("still answering after " + name, '{"v":1,"id":42,"cmd":"info"}\n', 0,
                      rid=42)
    return r


def bridges():
    s = connect()
    r = request(s, '{"v":1,"id":1,"cmd":"bridge-list"}\n')
    s.close()
    return [b["name"] for b in r["result"]]


expect_status("malformed JSON -> EPROTO", '{"v":1,"id":2,"cmd":\n', EPROTO)
expect_status("not an object -> EPROTO", '[1,2,3]\n', EPROTO)
expect_status("binary garbage -> EPROTO", b'\xff\xfe\x00garbage\n', EPROTO)
alive("malformed JSON")
expect_status("wrong version -> EPROTO", '{"v":2,"id":3,"cmd":"info"}\n', EPROTO)
expect_status("missing version -> EPROTO", '{"id":3,"cmd":"info"}\n', EPROTO)
expect_status("unknown command -> EOPNOTSUPP", '{"v":1,"id":4,"cmd":"frobnicate"}\n',
              EOPNOTSUPP, rid=4)
expect_status("unknown request key -> EINVAL", '{"v":1,"id":5,"cmd":"info","bogus":1}\n',
              EINVAL, rid=5)
expect_status("unknown arg key -> EINVAL",
              '{"v":1,"id":6,"cmd":"bridge-add","args":{"name":"sx","agin":5}}\n', EINVAL, rid=6)
check("failed bridge-add created nothing", "sx" not in bridges(), str(bridges()))
expect_status("wrong arg type -> EINVAL",
              '{"v":1,"id":7,"cmd":"bridge-add","args":{"name":"sy","mac_aging_s":"x"}}\n',
              EINVAL, rid=7)
expect_status("bad name -> EINVAL",
              '{"v":1,"id":8,"cmd":"bridge-add","args":{"name":"bad name!"}}\n', EINVAL, rid=8)
expect_status("no such port -> ENOENT",
              '{"v":1,"id":9,"cmd":"port-del","args":{"name":"nosuchport"}}\n', ENOENT, rid=9)
alive("bad requests")

# Two requests in one write, answered in order on one connection.
s = connect()
s.sendall(b'{"v":1,"id":10,"cmd":"info"}\n{"v":1,"id":11,"cmd":"frobnicate"}\n')
r1 = json.loads(read_line(s))
r2 = json.loads(read_line(s))
BUFS.pop(s.fileno(), None)
s.close()
check("pipelined requests answered in order", r1.get("id") == 10 and r1.get("status") == 0 and
      r2.get("id") == 11 and r2.get("status") == EOPNOTSUPP, "%s / %s" % (r1, r2))

# Exactly at the limit: 65535 bytes of JSON plus the newline is allowed.
head = '{"v":1,"id":12,"cmd":"info"'
line = head + " " * (65535 - len(head) - 1) + "}\n"
assert len(line) == 65536
expect_status("65536-byte line (the limit) accepted", line, 0, rid=12)

# Over the limit: EMSGSIZE, then the connection is closed.
s = connect()
big = '{"v":1,"id":13,"cmd":"info","pad":"' + "x" * 70000 + '"}\n'
try:
    s.sendall(big.encode())
except (BrokenPipeError, ConnectionResetError):
    pass
r = read_line(s)
try:
    r = json.loads(r) if r else None
except ValueError:
    r = None
check("70000-byte line -> EMSGSIZE", r is not None and r.get("status") == EMSGSIZE, str(r)[:200])
try:
    rest = read_line(s)
except socket.timeout:
    rest = b"(still open after 5 s)"
check("connection closed after EMSGSIZE", rest is None, str(rest)[:100])
s.close()
alive("oversized line")

# A client that sends half a request and stays: others are served meanwhile.
stall = connect()
stall.sendall(b'{"v":1,"id":14,"cmd":"inf')
t = time.monotonic()
alive("a stalled half request")
check("stalled client does not delay others", time.monotonic() - t < 1.0)
# The stalled client finishes its request later and gets its answer.
stall.sendall(b'o"}\n')
r = json.loads(read_line(stall))
check("request completed across two writes", r.get("id") == 14 and r.get("status") == 0, str(r))
stall.close()

# Half a request and then gone, ten times over.
for i in range(10):
    c = connect()
    c.sendall(b'{"v":1,"id":15,"cmd":"bridge-add","args":{"name":"half')
    c.close()
alive("clients vanishing mid-request")
check("vanished half bridge-add created nothing", not any(b.startswith("half") for b in bridges()))

# A client that disconnects before reading its reply.
c = connect()
c.sendall(b'{"v":1,"id":16,"cmd":"info"}\n')
c.close()
alive("a client gone before its reply")

# 20 clients at once: 16 served, the others get one EBUSY each and are closed.
time.sleep(0.3)  # let the dataplane notice the clients above are gone
clients = [connect() for _ in range(20)]
time.sleep(0.3)
statuses = []
for i, c in enumerate(clients):
    try:
        c.sendall(('{"v":1,"id":%d,"cmd":"info"}\n' % (100 + i)).encode())
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        line = read_line(c)
        statuses.append(json.loads(line)["status"] if line else None)
    except (OSError, ValueError):
        statuses.append(None)
n_ok, n_busy = statuses.count(0), statuses.count(EBUSY)
check("20 clients: 16 served, 4 EBUSY", n_ok == 16 and n_busy == 4, "statuses %s" % statuses)
for c in clients:
    c.close()
time.sleep(0.2)
# Once they are gone, 16 can connect again.
clients = [connect() for _ in range(16)]
statuses = []
for i, c in enumerate(clients):
    r = request(c, '{"v":1,"id":%d,"cmd":"info"}\n' % (200 + i))
    statuses.append(r and r["status"])
    c.close()
check("16 clients served after the crowd left", statuses == [0] * 16, str(statuses))
alive("20 clients")

if FAILS:
    print("%d checks failed: %s" % (len(FAILS), ", ".join(FAILS)))
    sys.exit(1)
print("all checks passed")
