#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The app's frame times and CPU (docs/app.md, "Measured"): vocana-app --measure against a real
# service on a private PipeWire with speech playing, under Xvfb. Prints the JSON of each run:
# the default renderer, then Cairo (GSK_RENDERER=cairo: Xvfb has no GPU, so the GL renderer runs
# on Mesa's software rasteriser, which a desktop with a GPU does not).
# Usage: scripts/app-measure.sh [SECONDS] [BUILD_DIR] [PAGE]   (PAGE: mic (default), speaker,
# perf; APP_MEASURE_RENDERERS="app-default" skips the GL run)
set -u
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
BUILD=${2:-build}
PAGE=${3:-mic}
# shellcheck source=../tests/app/app-session.sh
source tests/app/app-session.sh
app_session_start
unset GSK_RENDERER
for renderer in ${APP_MEASURE_RENDERERS:-app-default gl}; do
	out="$PW_ENV_DIR/measure-$renderer.json"
	if [[ $renderer == app-default ]]; then
		"$BUILD/src/app/vocana-app" --no-tray --page "$PAGE" --measure "$SECONDS_EACH" \
			--measure-out "$out"
	else
		GSK_RENDERER=$renderer "$BUILD/src/app/vocana-app" --no-tray --page "$PAGE" \
			--measure "$SECONDS_EACH" --measure-out "$out"
	fi
	echo "$renderer: $(cat "$out" 2>/dev/null || echo 'no result')"
done
