# SPDX-License-Identifier: MIT
"""What the app's Python drivers (atspi_drive.py, sni_host.py) share."""
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def status_of(vocana, key):
    """One key of 'vocana status --raw', or "" when it is absent."""
    out = subprocess.run([vocana, "status", "--raw"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1:]
    return ""
