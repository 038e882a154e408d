#!/usr/bin/env bash
# Configure (once) and build one build directory. Usage: scripts/build.sh DIR [meson options...]
# The project's own builds (demo, tests, CI) treat warnings as errors: -Dwerror=true here, never
# as a default option in meson.build, so a distribution or user build with a newer compiler that
# warns about something new still builds.
set -euo pipefail
dir=$1; shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" -Dwerror=true "$@" >/dev/null
elif ! meson introspect --buildoptions "$dir" |
	python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "werror" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
	# Configured elsewhere (scripts/train.sh, by hand) without it.
	meson configure "$dir" -Dwerror=true >/dev/null
fi
ninja -C "$dir" >/dev/null
