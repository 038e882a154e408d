# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# A throwaway copy of this machine to install Vocana into for real: an overlay of / (nothing
# written in it reaches the machine), with its own /tmp and /root, an empty /usr/local
# (so nothing installed there before shows through), and the source and build trees hidden on
# request. The test scripts run their install and checks in it with chroot, so hosts, shells and
# systemd find Vocana in their default places only, as on a machine that never saw the source.
#
# Needs root (or CAP_SYS_ADMIN), unshare and overlayfs. A script calls fresh_root_begin "$@"
# first: it makes the work directory and, where a fresh root is possible, runs the rest of the
# script again in a private mount namespace, so every mount vanishes with it; the first process
# waits and only then removes the work directory (never while anything is mounted in it: an
# rm -rf across a bind mount would delete the machine's files).
#
#   fresh_root_begin "$@"        sets WORK (a new directory) and IN_FRESH_NS (1 in the namespace)
#   fresh_root_mount             mount the fresh root at WORK/root (WORK/upper holds its changes)
#   fresh_root_show PATH...      make the machine's PATH visible in the root (a build tree on
#                                another file system than / is not in the overlay)
#   fresh_root_hide PATH...      an empty directory over PATH in the root (source, build trees);
#                                a PATH already hidden by an earlier one is skipped
#   fresh_run CMD...             run CMD in the root, as root, with a clean environment
# VOCANA_NO_FRESH_ROOT=1 skips the fresh root (to try a script's fallback).

FRESH_ROOT=

fresh_root_possible()
{
	local t rc
	[[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null && command -v chroot >/dev/null || return 1
	t=$(mktemp -d "${TMPDIR:-/tmp}/vocana-overlay-probe.XXXXXX") || return 1
	mkdir -p "$t/upper" "$t/work" "$t/root"
	unshare -m --propagation private sh -c \
		"mount -t overlay overlay -o lowerdir=/,upperdir=$t/upper,workdir=$t/work $t/root &&
		 test -x $t/root/usr/bin/dpkg -o -x $t/root/bin/sh" 2>/dev/null
	rc=$?
	rm -rf --one-file-system "$t" # the namespace, and every mount in it, is gone
	return $rc
}

# shellcheck disable=SC2034 # WORK and IN_FRESH_NS are for the script that sources this file
fresh_root_begin()
{
	if [[ -n "${VOCANA_FRESH_WORK:-}" ]]; then
		WORK=$VOCANA_FRESH_WORK # in the namespace: the first process removes it
		IN_FRESH_NS=1
		return 0
	fi
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vocana-install-test.XXXXXX") || exit 1
	IN_FRESH_NS=0
	# shellcheck disable=SC2064
	trap "rm -rf --one-file-system '$WORK'" EXIT
	if [[ -z "${VOCANA_NO_FRESH_ROOT:-}" ]] && fresh_root_possible; then
		VOCANA_FRESH_WORK=$WORK unshare -m --propagation private "$BASH" "$0" "$@"
		exit $?
	fi
}

fresh_root_mount()
{
	local work=$WORK d
	FRESH_ROOT=$work/root
	mkdir -p "$work/upper" "$work/ovwork" "$FRESH_ROOT" || return 1
	mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/ovwork" "$FRESH_ROOT" ||
		return 1
	mount --rbind /dev "$FRESH_ROOT/dev" && mount -t proc proc "$FRESH_ROOT/proc" &&
		mount --rbind /sys "$FRESH_ROOT/sys" || return 1
	# /run stays the machine's (in the overlay): WirePlumber's logind plugin needs /run/systemd.
	for d in /tmp /root /usr/local; do
		mkdir -p "$FRESH_ROOT$d" && mount -t tmpfs tmpfs "$FRESH_ROOT$d" || return 1
	done
	chmod 1777 "$FRESH_ROOT/tmp"
	chmod 0700 "$FRESH_ROOT/root"
	# The overlay shares the machine's man-db index: its post-install rebuild is slow and not
	# what 'man vocana' needs (man finds pages by their path).
	rm -f "$FRESH_ROOT/var/lib/man-db/auto-update"
}

fresh_root_show()
{
	local p
	for p in "$@"; do
		mkdir -p "$FRESH_ROOT$p" && mount --bind "$p" "$FRESH_ROOT$p" || return 1
	done
}

fresh_root_hide()
{
	local p
	for p in "$@"; do
		[[ -d "$FRESH_ROOT$p" ]] || continue
		mount -t tmpfs -o ro tmpfs "$FRESH_ROOT$p" || return 1
	done
}

fresh_run()
{
	chroot "$FRESH_ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
