#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run `vocana monitor` (the live terminal view) on a pseudo-terminal, like a person would.

    monitor_pty.py VOCANA SECONDS HOW EXPECT [--resize]

Starts `VOCANA monitor` on an 80x24 pseudo-terminal, reads its screen for SECONDS (resizing the
terminal to 60x20 halfway with --resize), then ends it by HOW: "q" (the key), "TERM" or "HUP"
(signals). Checks: exit status 0; the cursor was hidden and the restore sequence (show cursor,
leave the alternate screen) came after the last frame; the terminal is back in canonical mode
with echo; EXPECT appears on screen; frames came at about the refresh rate, without a full clear
per frame; after a resize the screen is cleared once and the frames fit 60 columns. Prints one
line "frames=N cpu_percent=X ..." (the monitor's own CPU use, from /proc, over the run) and exits
0, or prints "FAIL: ..." and exits 1.
"""
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
import fcntl

HIDE = b"\x1b[?25l"
RESTORE = b"\x1b[?25h\x1b[?1049l"
HOME = b"\x1b[H"
CLEAR = b"\x1b[2J"
CSI = re.compile(rb"\x1b\[[0-9;?]*[@-~]")


def fail(msg, out=b""):
    print("FAIL: " + msg)
    if out:
        tail = out[-1500:].decode("utf-8", "replace")
        print("--- last output: " + repr(tail))
    sys.exit(1)


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def read_some(fd, out, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        return False
    if not data:
        return False
    out += data
    return True


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    vocana, seconds, how, expect = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    resize = "--resize" in sys.argv[5:]
    pid, fd = pty.fork()
    if pid == 0:
        set_size(0, 24, 80)
        os.execv(vocana, [vocana, "monitor"])
    out = bytearray()
    start = time.monotonic()
    ticks0 = None
    resize_at = None
    while time.monotonic() - start < seconds:
        if ticks0 is None and time.monotonic() - start >= 0.5:
            ticks0, t0 = cpu_ticks(pid), time.monotonic()
        if resize and resize_at is None and time.monotonic() - start >= seconds / 2:
            resize_at = len(out)
            set_size(fd, 20, 60)  # the kernel sends SIGWINCH to the monitor
        if not read_some(fd, out, 0.05):
            fail("the monitor exited by itself", out)
    ticks1, t1 = cpu_ticks(pid), time.monotonic()
    hz = os.sysconf("SC_CLK_TCK")
    cpu = 100.0 * (ticks1 - ticks0) / hz / (t1 - t0)
    mark = len(out)
    if how == "q":
        os.write(fd, b"q")
    else:
        os.kill(pid, getattr(signal, "SIG" + how))
    # Keep draining the terminal (a full one would block the monitor's restore write) until it
    # has exited, for up to 5 s.
    deadline = time.monotonic() + 5
    done = 0
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if not read_some(fd, out, 0.05):
            time.sleep(0.01)  # the terminal is closed: only waiting for the exit status
    if not done:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        fail(f"the monitor did not exit within 5 s of {how}", out)
    while read_some(fd, out, 0.05):
        pass
    try:
        lflag = termios.tcgetattr(fd)[3]
    except termios.error:
        lflag = None
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        fail(f"exit status {status:#x} after {how} (expected a clean exit 0)", out)
    if HIDE not in out:
        fail("the cursor was never hidden", out)
    if out.rfind(RESTORE) < max(out.rfind(HOME), mark):
        fail("no terminal restore (show cursor, leave the alternate screen) after the last frame",
             out)
    if lflag is not None and (lflag & (termios.ICANON | termios.ECHO)) != (termios.ICANON | termios.ECHO):
        fail("the terminal was left without canonical mode / echo")
    text = CSI.sub(b"", bytes(out)).decode("utf-8", "replace")
    if expect not in text:
        fail(f"'{expect}' never appeared on screen", out)
    frames = out.count(HOME)
    if frames < seconds * 4 * 0.5:
        fail(f"only {frames} frames in {seconds} s (refresh every 250 ms expected)", out)
    clears = out.count(CLEAR)
    if resize:
        if out.find(CLEAR, resize_at) < 0:
            fail("no re-layout (clear) after the terminal was resized", out)
        last = bytes(out[out.rfind(HOME):out.rfind(RESTORE)])
        for line in last.split(b"\r\n"):
            # (the terminal's output processing turns "\n" into "\r\n": drop the extra '\r')
            width = len(CSI.sub(b"", line).replace(b"\r", b"").decode("utf-8", "replace"))
            if width > 60:
                fail(f"a {width}-column line after resizing to 60 columns: {line!r}")
    if clears > 1 + (1 if resize else 0) + 1:
        fail(f"{clears} full clears in {frames} frames: it flickers", out)
    print(f"frames={frames} cpu_percent={cpu:.2f} cpu_window_s={t1 - t0:.1f} clears={clears} "
          f"bytes={len(out)} exit={how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
