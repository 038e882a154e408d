# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the tests of the service's telemetry ('stats' on the control socket, /metrics).
# Source after mic-test-lib.sh.

# The raw reply to one control-socket request (the vocana CLI has no command for 'stats' of its
# own; 'vocana monitor' renders it). Speaks the protocol of src/daemon/service/control.h directly.
control_raw()
{
	python3 "$(dirname "${BASH_SOURCE[0]}")/../../control_raw.py" "$XDG_RUNTIME_DIR/vocana/control.sock" "$1"
}

# Value of one key from 'stats'.
stats_get()
{
	control_raw stats 2>/dev/null | sed -n "s/^$1=//p"
}

# A free TCP port on the loopback interface (the kernel picks one; it stays free in practice
# for the second it takes the service to bind it).
free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
