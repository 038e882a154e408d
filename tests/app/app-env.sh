# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# A private X server for the app's tests (source after tests/daemon/pw/pw-env.sh, which owns the temp
# directory and the EXIT trap). Xvfb picks a free display itself (-displayfd), so parallel runs
# and a developer's own X server never collide.
#
#   app_xvfb_start     start Xvfb, export DISPLAY (skips the test without Xvfb)
#   app_dbus_start     a private session bus for the tray and accessibility tests (skips
#                      without dbus-daemon), export DBUS_SESSION_BUS_ADDRESS

app_xvfb_start()
{
	command -v Xvfb >/dev/null 2>&1 || pw_skip "Xvfb not installed (apt install xvfb)"
	local fifo="$PW_ENV_DIR/xvfb.fd" dnum
	mkfifo "$fifo"
	Xvfb -displayfd 3 -screen 0 1280x1600x24 -nolisten tcp 3>"$fifo" 2>"$PW_ENV_DIR/xvfb.log" &
	pw_track_pid $!
	read -r -t 10 dnum <"$fifo" || { cat "$PW_ENV_DIR/xvfb.log" >&2; return 1; }
	export DISPLAY=":$dnum"
	# No compositor, no GPU: the GL renderer would run on llvmpipe; tests do not need it.
	export GDK_BACKEND=x11
}

app_dbus_start()
{
	command -v dbus-daemon >/dev/null 2>&1 || pw_skip "dbus-daemon not installed"
	local out
	out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 \
		--address="unix:path=$XDG_RUNTIME_DIR/app-bus") || return 1
	export DBUS_SESSION_BUS_ADDRESS
	DBUS_SESSION_BUS_ADDRESS=$(head -n1 <<<"$out")
	pw_track_pid "$(sed -n 2p <<<"$out")"
}
