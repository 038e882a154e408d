#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'meson install' gives a user everything (README, "Install it for real"):
#   - where each piece goes for the prefixes the README names, /usr, /usr/local and ~/.local (a
#     configured-only build directory each; meson introspect --installed): the plugins where
#     lilv and LADSPA hosts look, the unit where systemd looks, completion where the shells look,
#     man pages, docs, the benchmark helpers; never the development API;
#   - this build really installed into a fresh copy of the machine (tests/install/fresh-root.sh),
#     the source and build trees hidden, then every check of installed-checks.sh run there: man,
#     completion, the unit, lv2ls, analyseplugin, a program built with pkg-config, the installed
#     'vocana bench pipeline'. Where no fresh root can be made (not root, no overlayfs) the same
#     checks run on a DESTDIR install with the search paths pointing into it.
# Usage (from meson): test_meson_install.sh SOURCE_DIR BUILD_DIR. Exit 77 = skipped.
set -u
src=$1
build=$2
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

fresh_root_begin "$@"
work=$WORK

# ---- where everything goes, per prefix -----------------------------------------------------------
tri=$(gcc -print-multiarch 2>/dev/null)
[[ -n "$tri" ]] || tri=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
fake_home=$work/home
mkdir -p "$fake_home"
check_layout()
{
	local prefix=$1 dir=$work/cfg-$2
	shift 2
	local out
	out=$(HOME=$fake_home meson setup "$dir" "$src" --prefix="$prefix" 2>&1) ||
		fail "meson setup --prefix=$prefix: $out"
	meson introspect --installed "$dir" >"$dir/installed.json" || fail "meson introspect --installed"
	python3 - "$dir/installed.json" "$prefix" "$@" <<'PY' || fail "meson install --prefix=$prefix puts things in the wrong places"
import json, sys
dest = set(json.load(open(sys.argv[1])).values())
prefix, want = sys.argv[2], sys.argv[3:]
problems = [f"nothing installed at {w}" for w in want if w not in dest]
problems += [f"the development API is installed: {d}" for d in dest if "vocana_dev" in d]
for p in problems:
    print(f"--prefix={prefix}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
	echo "ok: --prefix=$prefix: plugins, unit, completion, man pages, docs where they belong" >&2
}
common() # PREFIX: what every prefix has under itself
{
	local p=$1
	echo "$p/bin/vocana" "$p/include/vocana/vocana.h" "$p/lib/$tri/libvocana.so.0" \
		"$p/lib/$tri/pkgconfig/vocana.pc" "$p/share/man/man1/vocana.1" "$p/share/man/man5/vocana.conf.5" \
		"$p/share/bash-completion/completions/vocana" "$p/share/fish/vendor_completions.d/vocana.fish" \
		"$p/share/doc/vocana/README.md" "$p/share/doc/vocana/LICENSE" "$p/share/doc/vocana/docs" \
		"$p/libexec/vocana/bench/latency.sh" "$p/libexec/vocana/bench/load.sh" \
		"$p/libexec/vocana/bench/pw-env.sh" "$p/libexec/vocana/pw_play_record" "$p/libexec/vocana/pw_analyze"
}
# shellcheck disable=SC2046
check_layout /usr usr $(common /usr) "/usr/lib/$tri/lv2/vocana.lv2/manifest.ttl" \
	/usr/lib/ladspa/vocana.so /usr/lib/systemd/user/vocana.service /usr/share/zsh/vendor-completions/_vocana
# shellcheck disable=SC2046
check_layout /usr/local usr-local $(common /usr/local) /usr/local/lib/lv2/vocana.lv2/manifest.ttl \
	/usr/local/lib/ladspa/vocana.so /usr/local/lib/systemd/user/vocana.service \
	/usr/local/share/zsh/site-functions/_vocana
# shellcheck disable=SC2046
check_layout "$fake_home/.local" home $(common "$fake_home/.local") "$fake_home/.lv2/vocana.lv2/manifest.ttl" \
	"$fake_home/.ladspa/vocana.so" "$fake_home/.local/share/systemd/user/vocana.service" \
	"$fake_home/.local/share/zsh/site-functions/_vocana"

# ---- this build, installed ------------------------------------------------------------------------
prefix=$(meson introspect --buildoptions "$build" |
	python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
if ((IN_FRESH_NS)); then
	fresh_root_mount || fail "could not mount the fresh root"
	fresh_root_show "$src" "$build" || fail "could not show $src and $build in the fresh root"
	out=$(fresh_run meson install -C "$build" --no-rebuild --quiet 2>&1) || fail "meson install: $out"
	cp "$here/installed-checks.sh" "$FRESH_ROOT/tmp/" || fail "cp"
	# The installed vocana must need neither tree: hide both.
	fresh_root_hide "$src" || fail "could not hide $src"
	fresh_root_hide "$build" || fail "could not hide $build"
	note "installed into a fresh root at $prefix; the source and build trees are hidden"
	fresh_run env CHECK_BENCH=pipeline bash /tmp/installed-checks.sh "$prefix" ||
		fail "the installed Vocana"
else
	note "no fresh root here (needs root, unshare and overlayfs): checking a DESTDIR install"
	out=$(meson install -C "$build" --no-rebuild --quiet --destdir "$work/dest" 2>&1) ||
		fail "meson install --destdir: $out"
	CHECK_BENCH=pipeline bash "$here/installed-checks.sh" "$prefix" "$work/dest" || fail "the installed Vocana"
fi
echo "ok: install-meson" >&2
exit 0
