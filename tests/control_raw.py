#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the raw reply to one request on the service's control socket (the protocol of
src/daemon/service/control.h), for the shell tests: control_raw.py SOCKET REQUEST."""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
