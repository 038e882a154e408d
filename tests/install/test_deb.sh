#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Debian package, as the README says to make it: dpkg-buildpackage -b -us -uc on a copy of the
# tree (debian/ is in it), lintian (no error or warning: each one is fixed or explained in a
# debian/*.lintian-overrides file), then the packages installed with dpkg -i into a fresh copy of
# this machine (tests/install/fresh-root.sh) with the source and build trees hidden, every check of
# installed-checks.sh there (vocana --version, vocana denoise on a generated file, lv2ls | grep
# vocana, analyseplugin, man, completion, the unit, the installed 'vocana bench all'), and the
# packages purged again, leaving nothing behind. Where no fresh root can be made (not root, no
# overlayfs), dpkg installs into a fresh directory with its own package database instead
# (dpkg --root) and the checks point their search paths there.
#
# Usage (from meson): test_deb.sh SOURCE_DIR. Exit 77 (skipped) only without dpkg-buildpackage or
# debhelper: scripts/setup-deps.sh test installs them and lintian.
set -u
src=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fresh-root.sh
source "$here/fresh-root.sh"

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

note()
{
	echo "# $*" >&2
}

for tool in dpkg-buildpackage dh; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (dpkg-dev, debhelper)" >&2; exit 77; }
done
command -v lintian >/dev/null || fail "lintian is not installed (scripts/setup-deps.sh test)"

fresh_root_begin "$@"
work=$WORK
packages=(libvocana0 libvocana-dev vocana vocana-plugins vocana-app)

# ---- build -------------------------------------------------------------------------------------
# A copy of what the tree holds (tracked and new files, not build directories or caches), so the
# package build's own build directory and its files in .. never touch the tree.
mkdir -p "$work/pkg/vocana"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -I{} sh -c 'test -e "$1" && cp --parents -p "$1" "$2"' sh {} "$work/pkg/vocana") ||
		fail "could not copy the tree"
else
	tar -C "$src" --exclude='./build*' --exclude=./.git --exclude=./demo --exclude=./train/cache \
		--exclude=./train/runs -cf - . | tar -C "$work/pkg/vocana" -xf - || fail "could not copy the tree"
fi
[[ -f "$work/pkg/vocana/debian/control" ]] || fail "no debian/ in $src"
t0=$SECONDS
(cd "$work/pkg/vocana" &&
	DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) ||
	fail "dpkg-buildpackage -b -us -uc failed: $(tail -n 40 "$work/build.log")"
note "dpkg-buildpackage -b -us -uc: $((SECONDS - t0)) s"
debs=()
for p in "${packages[@]}"; do
	f=$(compgen -G "$work/pkg/${p}_*.deb") || fail "no ${p}_*.deb built"
	debs+=("$f")
done

# ---- lintian -----------------------------------------------------------------------------------
out=$(lintian --fail-on error,warning --display-info --pedantic "$work"/pkg/vocana_*.changes 2>&1)
rc=$?
out=$(grep -v "running with root privileges is not recommended" <<<"$out")
[[ -z "$out" ]] || echo "$out" >&2
((rc == 0)) || fail "lintian found errors or warnings (fix them, or explain each in a debian/*.lintian-overrides)"
echo "ok: lintian --pedantic: ${out:-nothing to report}" >&2

# ---- install, use, purge -----------------------------------------------------------------------
if ((IN_FRESH_NS)); then
	fresh_root_mount || fail "could not mount the fresh root"
	mkdir "$FRESH_ROOT/tmp/debs" && cp "${debs[@]}" "$FRESH_ROOT/tmp/debs/" &&
		cp "$here/installed-checks.sh" "$FRESH_ROOT/tmp/" || fail "cp"
	fresh_root_hide "$src" || fail "could not hide $src"
	# A machine that has the packages already: the copy starts without them.
	installed=$(fresh_run dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package}\n' "${packages[@]}" 2>/dev/null |
		awk '$1 != "un" && $1 != "pn" { print $2 }')
	if [[ -n "$installed" ]]; then
		note "this machine has $(tr '\n' ' ' <<<"$installed")installed: purging them in the fresh root first"
		# shellcheck disable=SC2086
		out=$(fresh_run dpkg --purge $installed 2>&1) || fail "dpkg --purge $installed: $out"
	fi
	out=$(fresh_run sh -c 'dpkg -i /tmp/debs/*.deb' 2>&1) || fail "dpkg -i: $out"
	note "installed ${packages[*]} with dpkg -i in a fresh root; the source tree is hidden"
	fresh_run bash /tmp/installed-checks.sh /usr || fail "the installed packages"
	out=$(fresh_run dpkg --purge "${packages[@]}" 2>&1) || fail "dpkg --purge: $out"
	left=$(fresh_run sh -c 'ls -d /usr/bin/vocana* /usr/lib/*/lv2/vocana.lv2 /usr/lib/ladspa/vocana.so \
		/usr/lib/systemd/user/vocana.service /usr/libexec/vocana /usr/share/man/man1/vocana.1.gz \
		/usr/share/doc/vocana /usr/include/vocana /usr/lib/*/libvocana* 2>/dev/null')
	[[ -z "$left" ]] || fail "left after dpkg --purge: $left"
	fresh_run sh -c 'lv2ls | grep -i vocana' && fail "lv2ls still lists a Vocana plugin after the purge"
	fresh_run sh -c 'command -v vocana' && fail "vocana still on PATH after the purge"
else
	note "no fresh root here (needs root, unshare and overlayfs): installing into a fresh directory with dpkg --root"
	root=$work/root
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/tmp" || fail "mkdir"
	touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
	dpkg_root=(dpkg --root="$root" --log=/dev/null --force-depends --force-script-chrootless)
	[[ $(id -u) -eq 0 ]] || dpkg_root+=(--force-not-root)
	out=$("${dpkg_root[@]}" -i "${debs[@]}" 2>&1) || fail "dpkg --root -i: $out"
	bash "$here/installed-checks.sh" /usr "$root" || fail "the installed packages"
	out=$("${dpkg_root[@]}" --purge "${packages[@]}" 2>&1) || fail "dpkg --root --purge: $out"
	left=$(find "$root/usr" -type f 2>/dev/null)
	[[ -z "$left" ]] || fail "left after dpkg --purge: $left"
fi
echo "ok: dpkg -i ${packages[*]}, checked, dpkg --purge leaves nothing" >&2
echo "ok: install-deb" >&2
exit 0
