#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Misbehaving clients for the fault-injection tests (tests/faults/, docs/reliability.md).

  abuse.py idle-control SOCKET N SECONDS
      keep N connections to the control socket open that never send anything; a connection the
      service closes is opened again at once (so the service never gets rid of them)
  abuse.py control-time SOCKET REQUEST COUNT
      send REQUEST COUNT times, one after the other; prints "answered=A of=COUNT median_ms=.. max_ms=.."
      (a request counts as answered when a reply arrives within 2 s)
  abuse.py control-cases SOCKET
      the protocol's edge cases, one line each: "NAME: REPLY-FIRST-LINE (T ms)"
  abuse.py control-flood SOCKET N
      N connections at once, each sends "ping"; prints "answered=A busy=B silent=S"
  abuse.py idle-http PORT N SECONDS
      as idle-control, on the metrics port
  abuse.py http-load PORT THREADS REQUESTS [TOKEN]
      REQUESTS GETs of /metrics spread over THREADS threads; prints
      "ok=.. failed=.. median_ms=.. p99_ms=.. max_ms=.." (ok = status 200 and a complete body)
  abuse.py http-cases PORT
      malformed and slow requests, one line each: "NAME: STATUS-LINE (T ms)"
"""
import socket
import statistics
import sys
import threading
import time


def now_ms():
    return time.monotonic() * 1000.0


def unix_connect(path, timeout=2.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def tcp_connect(port, timeout=2.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(s, limit=1 << 20):
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass  # what arrived before the reset is the answer
    return data


def first_line(data):
    return data.split(b"\n", 1)[0].decode(errors="replace").rstrip("\r") if data else "(nothing)"


def hold_idle(connect, n, seconds):
    """n silent connections for seconds; reopened as soon as the server drops one."""
    deadline = time.monotonic() + seconds
    conns = [None] * n
    reopened = 0
    while time.monotonic() < deadline:
        for i in range(n):
            c = conns[i]
            if c is not None:
                try:
                    c.setblocking(False)
                    if c.recv(1, socket.MSG_PEEK) == b"":
                        raise ConnectionError
                    c.recv(4096)  # an answer (busy, timeout): drop it and reconnect
                    raise ConnectionError
                except BlockingIOError:
                    continue  # still open and silent: good
                except OSError:
                    c.close()
                    conns[i] = None
                    reopened += 1
            try:
                conns[i] = connect()
            except OSError:
                conns[i] = None
        time.sleep(0.01)
    for c in conns:
        if c is not None:
            c.close()
    print(f"reopened={reopened}", flush=True)


def control_request(path, line, timeout=2.0):
    t0 = now_ms()
    try:
        s = unix_connect(path, timeout)
        s.sendall(line)
        data = read_all(s)
        s.close()
    except (OSError, socket.timeout):
        return None, now_ms() - t0
    return data, now_ms() - t0


def control_time(path, req, count):
    times, answered = [], 0
    for _ in range(count):
        data, t = control_request(path, req.encode() + b"\n")
        times.append(t)
        if data and (data.startswith(b"ok\n") or data.startswith(b"error: ")):
            answered += 1
    print(f"answered={answered} of={count} median_ms={statistics.median(times):.1f} "
          f"max_ms={max(times):.1f}")


def control_cases(path):
    def case(name, fn):
        t0 = now_ms()
        try:
            reply = fn()
        except (OSError, socket.timeout) as e:
            reply = f"(exception {type(e).__name__})".encode()
        print(f"{name}: {first_line(reply)} ({now_ms() - t0:.0f} ms)", flush=True)

    def long_line():
        s = unix_connect(path, 5)
        s.sendall(b"status " + b"x" * 600 + b"\n")
        return read_all(s)

    def huge_flood():
        # 1 MiB without a newline: the service must answer without reading it all first
        s = unix_connect(path, 5)
        s.setblocking(False)
        sent = 0
        chunk = b"y" * 65536
        t_end = time.monotonic() + 3
        while sent < (1 << 20) and time.monotonic() < t_end:
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
        s.settimeout(5)
        return read_all(s)

    def no_newline_eof():
        s = unix_connect(path, 5)
        s.sendall(b"ping")
        s.shutdown(socket.SHUT_WR)
        return read_all(s)

    def no_newline_open():
        s = unix_connect(path, 10)
        s.sendall(b"ping")
        return read_all(s)  # the service must answer by itself, at its timeout

    def in_pieces():
        s = unix_connect(path, 5)
        for piece in (b"pi", b"n", b"g\n"):
            s.sendall(piece)
            time.sleep(0.2)
        return read_all(s)

    def crlf():
        s = unix_connect(path, 5)
        s.sendall(b"ping\r\n")
        return read_all(s)

    def empty_line():
        s = unix_connect(path, 5)
        s.sendall(b"\n")
        return read_all(s)

    def nul_byte():
        s = unix_connect(path, 5)
        s.sendall(b"pi\0ng\n")
        return read_all(s)

    def silent_close():
        s = unix_connect(path, 5)
        s.close()
        return b"closed\n"

    for name, fn in (("long-line", long_line), ("flood-1MiB", huge_flood),
                     ("no-newline-eof", no_newline_eof), ("no-newline-open", no_newline_open),
                     ("in-pieces", in_pieces), ("crlf", crlf), ("empty-line", empty_line),
                     ("nul-byte", nul_byte), ("silent-close", silent_close)):
        case(name, fn)


def control_flood(path, n):
    results = [None] * n

    def one(i):
        try:
            s = unix_connect(path, 5)
            s.sendall(b"ping\n")
            results[i] = first_line(read_all(s))
            s.close()
        except OSError:
            results[i] = "(failed)"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(1 for r in results if r == "ok")
    busy = sum(1 for r in results if r and r.startswith("error: busy"))
    print(f"answered={ok} busy={busy} silent={n - ok - busy}")


def http_get(port, token=None, timeout=5.0):
    """One GET /metrics; returns (status, body complete?)."""
    s = tcp_connect(port, timeout)
    req = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if token:
        req += b"Authorization: Bearer " + token.encode() + b"\r\n"
    s.sendall(req + b"\r\n")
    data = read_all(s, 4 << 20)
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return 0, False
    length = None
    for h in lines[1:]:
        k, _, v = h.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    return status, length is not None and len(body) == length


def http_load(port, n_threads, n_requests, token=None):
    lock = threading.Lock()
    times, ok, failed = [], [0], [0]
    per_thread = [n_requests // n_threads + (1 if i < n_requests % n_threads else 0)
                  for i in range(n_threads)]

    def worker(count):
        for _ in range(count):
            t0 = now_ms()
            try:
                status, complete = http_get(port, token)
                good = status == 200 and complete
            except OSError:
                good = False
            t = now_ms() - t0
            with lock:
                times.append(t)
                if good:
                    ok[0] += 1
                else:
                    failed[0] += 1

    threads = [threading.Thread(target=worker, args=(c,)) for c in per_thread]
    t0 = now_ms()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"ok={ok[0]} failed={failed[0]} median_ms={statistics.median(times):.1f} "
          f"p99_ms={p99:.1f} max_ms={times[-1]:.1f} wall_s={(now_ms() - t0) / 1000:.1f}")


def http_cases(port):
    def case(name, payload, pause_s=0.0, shut=False, rest=b""):
        t0 = now_ms()
        try:
            s = tcp_connect(port, 10)
            if payload:
                s.sendall(payload)
            if pause_s:
                time.sleep(pause_s)
            if rest:
                s.sendall(rest)
            if shut:
                s.shutdown(socket.SHUT_WR)
            data = read_all(s)
            s.close()
            line = first_line(data)
        except OSError as e:
            line = f"(exception {type(e).__name__})"
        print(f"{name}: {line} ({now_ms() - t0:.0f} ms)", flush=True)

    case("garbage", b"HELLO\r\n\r\n")
    case("binary", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 64 + b"\r\n\r\n")
    case("header-5000", b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n")
    case("no-version", b"GET /metrics\r\n\r\n")
    case("post", b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    case("other-path", b"GET /secret HTTP/1.1\r\n\r\n")
    case("partial-then-silent", b"GET /metrics HTTP/1.1\r\n")
    case("partial-then-eof", b"GET /metr", shut=True)
    case("slow-but-complete", b"GET /metrics HTTP/1.1\r\n", 0.5, rest=b"Host: x\r\n\r\n")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, arg = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    if cmd == "idle-control":
        hold_idle(lambda: unix_connect(arg), int(rest[0]), float(rest[1]))
    elif cmd == "control-time":
        control_time(arg, rest[0], int(rest[1]))
    elif cmd == "control-cases":
        control_cases(arg)
    elif cmd == "control-flood":
        control_flood(arg, int(rest[0]))
    elif cmd == "idle-http":
        hold_idle(lambda: tcp_connect(int(arg)), int(rest[0]), float(rest[1]))
    elif cmd == "http-load":
        http_load(int(arg), int(rest[0]), int(rest[1]), rest[2] if len(rest) > 2 else None)
    elif cmd == "http-cases":
        http_cases(int(arg))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
