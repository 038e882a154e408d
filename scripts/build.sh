#!/usr/bin/env bash
# Configure and build one build directory. Usage: scripts/build.sh DIR [meson options...]
# An existing directory keeps its configuration, with the options given applied on top.
set -euo pipefail
dir=$1; shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	meson configure "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
