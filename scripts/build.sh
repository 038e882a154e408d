#!/usr/bin/env bash
# Configure and build one build directory. Usage: scripts/build.sh DIR [meson options...]
# An existing directory keeps its configuration, with the options given applied on top.
# The project's own builds (demo, tests, CI) treat warnings as errors: -Dwerror=true here, never
# as a default option in meson.build, so a distribution or user build with a newer compiler that
# warns about something new still builds.
set -euo pipefail
dir=$1; shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" -Dwerror=true "$@" >/dev/null
else
	# Configured elsewhere (scripts/train.sh, by hand) perhaps without -Dwerror=true.
	meson configure "$dir" -Dwerror=true "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
