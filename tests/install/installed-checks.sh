#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What a user gets from an installed Vocana (README, "Install it for real"), checked as they would
# use it: vocana --version; a generated file denoised; libvocana, its header and pkg-config file
# building a program, and nothing of the development API; man vocana and vocana.conf(5); bash, zsh
# and fish completion through the shells' own loaders; the systemd user unit (systemd-analyze
# verify, and the copy 'vocana install-service' writes); lv2ls/lv2info/lv2apply and
# analyseplugin/listplugins on the plugins; the app's desktop file; the installed 'vocana bench'.
#
# Usage: installed-checks.sh PREFIX [ROOT]
#   Without ROOT (a fresh root where Vocana is really installed, tests/install/fresh-root.sh): no
#   search path is set, so every host, shell and systemd finds the pieces in its default places.
#   With ROOT (a DESTDIR or an unpacked package): the pieces are under ROOT/PREFIX and the search
#   paths point there.
# Environment: CHECK_BENCH=all (default) | pipeline | none: the 'vocana bench' groups to run.
# Exit 0, or 1 at the first failed check (the message says which).
set -u
P=$1
R=${2:-}
CHECK_BENCH=${CHECK_BENCH:-all}

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

ok()
{
	echo "ok: $*" >&2
}

note()
{
	echo "# $*" >&2
}

tri=$(gcc -print-multiarch 2>/dev/null)
[[ -n "$tri" ]] || tri=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
[[ -n "$tri" ]] || fail "cannot tell the multiarch triplet (no gcc -print-multiarch, no dpkg-architecture)"
work=$(mktemp -d "${TMPDIR:-/tmp}/vocana-installed.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
export HOME=$work/home
mkdir -p "$HOME"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_RUNTIME_DIR LV2_PATH LADSPA_PATH MANPATH PKG_CONFIG_PATH

# Where meson.build puts each piece for this prefix (tests/install/test_meson_install.sh checks
# the rule itself for /usr, /usr/local and ~/.local).
libdir=$P/lib/$tri
ladspa=$P/lib/ladspa
unitdir=$P/lib/systemd/user
if [[ "$P" == /usr ]]; then
	lv2=$libdir/lv2
	zshdir=$P/share/zsh/vendor-completions
else
	lv2=$P/lib/lv2
	zshdir=$P/share/zsh/site-functions
fi
V=$R$P/bin/vocana
pc_args=()
if [[ -n "$R" ]]; then
	export LD_LIBRARY_PATH=$R$libdir LV2_PATH=$R$lv2 LADSPA_PATH=$R$ladspa MANPATH=$R$P/share/man
	export XDG_DATA_DIRS=$R$P/share:/usr/local/share:/usr/share PKG_CONFIG_PATH=$R$libdir/pkgconfig
	export PATH=$R$P/bin:$PATH
	pc_args=(--define-variable=prefix="$R$P")
fi

# ---- the program ---------------------------------------------------------------------------------
[[ -x "$V" ]] || fail "$V is not installed"
ver=$("$V" --version) || fail "vocana --version: $ver"
grep -q "^vocana [0-9]" <<<"$ver" || fail "vocana --version said: $ver"
ok "$ver"

# A generated file (44.1 kHz stereo: resampling and channels too), denoised: same length, rate
# and channels.
python3 - "$work/in.wav" "$work/mono48.wav" <<'PY' || fail "could not write the test files"
import math, random, struct, sys, wave
random.seed(7)
def write(path, rate, channels, seconds):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels); w.setsampwidth(2); w.setframerate(rate)
        frames = bytearray()
        for i in range(int(rate * seconds)):
            s = 0.3 * math.sin(2 * math.pi * 220 * i / rate) * (0.5 + 0.5 * math.sin(2 * math.pi * 3 * i / rate))
            for c in range(channels):
                frames += struct.pack("<h", int(32767 * max(-1, min(1, s + random.gauss(0, 0.05)))))
        w.writeframes(frames)
write(sys.argv[1], 44100, 2, 1.5)
write(sys.argv[2], 48000, 1, 1.0)
PY
out=$("$V" denoise --quiet "$work/in.wav" "$work/out.wav" 2>&1) || fail "vocana denoise: $out"
python3 - "$work/in.wav" "$work/out.wav" <<'PY' || fail "vocana denoise: the output does not match the input's shape"
import sys, wave
a, b = (wave.open(p) for p in sys.argv[1:3])
shape = lambda w: (w.getnframes(), w.getframerate(), w.getnchannels())
sys.exit(0 if shape(a) == shape(b) else f"{shape(a)} != {shape(b)}")
PY
ok "vocana denoise on a generated 44.1 kHz stereo file"

# ---- the library: public API only -------------------------------------------------------------
lib=$R$libdir/libvocana.so.0
[[ -e "$lib" ]] || fail "no $lib"
[[ -e "$R$P/include/vocana/vocana.h" ]] || fail "no $P/include/vocana/vocana.h"
dev=$(find "$R$P" \( -name 'vocana_dev*' -o -name 'libvocana_dev*' \) 2>/dev/null)
[[ -z "$dev" ]] || fail "the development API is installed: $dev"
for h in "$R$P"/include/vocana/*; do
	[[ "$h" == */vocana.h ]] || fail "a header other than vocana.h is installed: $h"
done
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort)
declared=$(grep -v '#define' "$R$P/include/vocana/vocana.h" | tr '\n' ' ' | grep -o 'VOCANA_API[^(;]*(' |
	sed 's/($//; s/.*[ *]//' | sort)
[[ "$exported" == "$declared" ]] || fail "libvocana exports differ from vocana.h: $(diff <(echo "$declared") <(echo "$exported"))"
cat >"$work/api.c" <<'C'
#include <stdio.h>
#include <vocana/vocana.h>
int main(void)
{
	struct vocana_model *m = NULL;
	struct vocana_denoiser *d = NULL;
	float buf[480] = { 0 };
	int res = vocana_model_load_default(&m);
	if (res == 0)
		res = vocana_denoiser_create(m, 0, &d);
	if (res == 0)
		res = vocana_denoiser_process(d, buf, buf, 480);
	printf("libvocana %s: %s\n", vocana_version_string(), res < 0 ? vocana_strerror(res) : "ok");
	vocana_denoiser_destroy(d);
	vocana_model_free(m);
	return res < 0;
}
C
cflags=$(pkg-config "${pc_args[@]}" --cflags vocana) || fail "pkg-config --cflags vocana"
libs=$(pkg-config "${pc_args[@]}" --libs vocana) || fail "pkg-config --libs vocana"
# shellcheck disable=SC2086
out=$(cc -Wall -Werror -o "$work/api" "$work/api.c" $cflags $libs 2>&1) || fail "building against libvocana: $out"
out=$("$work/api" 2>&1) || fail "a program using libvocana: $out"
ok "$out (built with pkg-config vocana; only the public API installed)"

# ---- manual ------------------------------------------------------------------------------------
man -w vocana >/dev/null 2>&1 || fail "man vocana: no page ($(man -w vocana 2>&1))"
man -w 5 vocana.conf >/dev/null 2>&1 || fail "man 5 vocana.conf: no page"
MANWIDTH=100 man -P cat vocana 2>/dev/null | grep -q "vocana install-service" || fail "man vocana does not render"
MANWIDTH=100 man -P cat 5 vocana.conf 2>/dev/null | grep -q "target.KEY" || fail "man 5 vocana.conf does not render"
ok "man vocana, man 5 vocana.conf"

# ---- completion, through each shell's own loader --------------------------------------------------
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	out=$(bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion
		__load_completion vocana || exit 3
		COMP_WORDS=(vocana ins); COMP_CWORD=1; COMP_LINE="vocana ins"; COMP_POINT=10
		COMPREPLY=(); _vocana; echo "${COMPREPLY[*]}"' 2>&1)
	[[ "$out" == install-service ]] || fail "bash completion of 'vocana ins': '$out'"
	ok "bash completion"
else
	note "bash-completion is not installed: bash completion not checked"
fi
if command -v zsh >/dev/null; then
	out=$(zsh -fc "${R:+fpath=($R$zshdir \$fpath); }autoload -Uz compinit; compinit -u -d '$work/zcompdump'; print -r -- \${_comps[vocana]}" 2>&1)
	[[ "$out" == _vocana ]] || fail "zsh's compinit does not find _vocana: '$out'"
	ok "zsh completion"
else
	note "zsh is not installed: zsh completion not checked"
fi
if command -v fish >/dev/null; then
	# fish searches $XDG_DATA_DIRS/fish/vendor_completions.d, but with XDG_DATA_DIRS unset only
	# its own /usr/share (not the XDG default /usr/local/share:/usr/share, which desktop sessions
	# set): outside /usr, check it as a desktop session would run it.
	fish_env=()
	[[ -z "$R" && "$P" != /usr ]] && fish_env=("XDG_DATA_DIRS=$P/share:/usr/local/share:/usr/share")
	out=$(env "${fish_env[@]}" fish -c 'complete -C "vocana ins"' 2>&1)
	grep -q "^install-service" <<<"$out" || fail "fish completion of 'vocana ins': '$out'"
	ok "fish completion"
else
	note "fish is not installed: fish completion not checked"
fi

# ---- the systemd user unit -------------------------------------------------------------------
unit=$R$unitdir/vocana.service
[[ -f "$unit" ]] || fail "no $unitdir/vocana.service"
grep -qxF "ExecStart=\"$P/bin/vocana\" mic" "$unit" || fail "the unit's $(grep ExecStart "$unit")"
if [[ -z "$R" ]] && command -v systemd-analyze >/dev/null; then
	# Also checks that ExecStart is an executable and its Documentation= man page exists.
	mkdir -m 0700 "$work/run"
	out=$(XDG_RUNTIME_DIR=$work/run systemd-analyze --user verify "$unitdir/vocana.service" 2>&1) ||
		fail "systemd-analyze --user verify: $out"
	XDG_RUNTIME_DIR=$work/run systemd-analyze --user unit-paths 2>/dev/null | grep -qxF "$unitdir" ||
		fail "$unitdir is not a systemd user unit directory"
	ok "systemd-analyze --user verify $unitdir/vocana.service"
fi
out=$("$V" install-service --no-enable 2>&1) || fail "vocana install-service: $out"
copy=$HOME/.config/systemd/user/vocana.service
[[ -f "$copy" ]] || fail "vocana install-service wrote no $copy: $out"
cmp -s <(sed "s|^ExecStart=\"$R|ExecStart=\"|" "$copy") "$unit" ||
	fail "the unit install-service writes differs from the installed one: $(diff "$copy" "$unit")"
ok "the systemd user unit (ExecStart=\"$P/bin/vocana\" mic); install-service writes the same"

# ---- plugins ---------------------------------------------------------------------------------
if command -v lv2ls >/dev/null; then
	plugins=$(lv2ls 2>&1 | grep -i vocana)
	grep -qx 'urn:vocana:lv2:vocana#mono' <<<"$plugins" && grep -qx 'urn:vocana:lv2:vocana#stereo' <<<"$plugins" ||
		fail "lv2ls${R:+ (LV2_PATH=$LV2_PATH)} does not list the Vocana plugins: $(lv2ls 2>&1)"
	lv2info 'urn:vocana:lv2:vocana#mono' | grep -q 'Latency' || fail "lv2info urn:vocana:lv2:vocana#mono"
	out=$(lv2apply -i "$work/mono48.wav" -o "$work/lv2.wav" 'urn:vocana:lv2:vocana#mono' 2>&1) &&
		[[ -s "$work/lv2.wav" ]] || fail "lv2apply: $out"
	ok "lv2ls | grep -i vocana: $(tr '\n' ' ' <<<"$plugins"); lv2info; lv2apply on a file"
else
	note "lilv-utils is not installed: the LV2 plugin is not checked"
fi
if command -v analyseplugin >/dev/null; then
	# Debian 12's ladspa-sdk has no default search path (it looks in a directory literally called
	# DEFAULT_LADSPA_PATH): give the file, as docs/plugins.md says.
	out=$(analyseplugin "$R$ladspa/vocana.so" 2>&1) || fail "analyseplugin $ladspa/vocana.so: $out"
	grep -q 'vocana_mono' <<<"$out" && grep -q 'vocana_stereo' <<<"$out" || fail "analyseplugin: $out"
	out=$(LADSPA_PATH=$R$ladspa listplugins 2>&1)
	grep -q 'vocana' <<<"$out" || fail "LADSPA_PATH=$ladspa listplugins: $out"
	ok "analyseplugin $ladspa/vocana.so, listplugins"
else
	note "ladspa-sdk is not installed: the LADSPA plugin is not checked"
fi

# ---- the app ---------------------------------------------------------------------------------
if [[ -x "$R$P/bin/vocana-app" ]]; then
	desktop=$R$P/share/applications/org.vocana.Vocana.desktop
	[[ -f "$desktop" ]] || fail "no org.vocana.Vocana.desktop"
	[[ -f "$R$P/share/icons/hicolor/scalable/apps/org.vocana.Vocana.svg" ]] || fail "no app icon"
	if command -v desktop-file-validate >/dev/null; then
		out=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $out"
	fi
	man -w vocana-app >/dev/null 2>&1 || fail "man vocana-app: no page"
	ok "vocana-app, its desktop file, icon and man page"
fi

# ---- docs ---------------------------------------------------------------------------------------
compgen -G "$R$P/share/doc/vocana/README.md*" >/dev/null || fail "no README in $P/share/doc/vocana"
compgen -G "$R$P/share/doc/vocana/docs/performance.md*" >/dev/null || fail "no docs in $P/share/doc/vocana/docs"
ok "documentation in $P/share/doc/vocana"

# ---- the installed benchmarks (the caller hides the source and build trees) -------------------------
case $CHECK_BENCH in
none) exit 0 ;;
all) groups=(all) ;;
*) groups=("$CHECK_BENCH") ;;
esac
for g in "${groups[@]}"; do
	"$V" bench "$g" --quick --json >"$work/bench.json" 2>"$work/bench.err"
	if grep -q "needs PipeWire, WirePlumber and pipewire-pulse installed" "$work/bench.err"; then
		note "PipeWire is not installed: 'vocana bench $g' could not run its PipeWire groups"
		continue
	fi
	grep -E "skipped|missing|failed" "$work/bench.err" && fail "vocana bench $g --quick: $(cat "$work/bench.err")"
	python3 - "$work/bench.json" "$g" <<'PY' || fail "vocana bench $g --quick: $(cat "$work/bench.err")"
import json, sys
doc = json.load(open(sys.argv[1]))
names = {r["name"] for r in doc["results"]}
want = {"all": ["ring.one_thread", "denoiser.algo_latency", "service.rss", "load.xruns_per_hour"],
        "pipeline": ["service.rss", "service.cpu.idle"], "load": ["load.xruns_per_hour"]}
missing = [n for n in want.get(sys.argv[2], []) if n not in names]
if doc["failed"] or missing:
    sys.exit(f"failed benchmarks: {doc['failed']}, figures missing: {missing}")
PY
	ok "vocana bench $g --quick: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["results"]), "figures,", d["met"], "targets met,", d["missed"], "missed (a busy machine),", len(d["unmeasured"]), "unmeasured")' "$work/bench.json")"
done
exit 0
