#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Screenshots of every page of vocana-app in the light and the dark style, against a real service
# on a private PipeWire with speech playing into a fake microphone, under Xvfb (nothing of the
# user's session is touched). Usage: scripts/app-screenshots.sh [OUT_DIR] [BUILD_DIR]
# Default OUT_DIR: BUILD_DIR/app-screenshots (test artefacts, not committed: see docs/app.md).
set -u
cd "$(dirname "$0")/.."
BUILD=${2:-build}
OUT=$(realpath -m "${1:-$BUILD/app-screenshots}")
[[ -x "$BUILD/src/app/vocana-app" ]] || { echo "no $BUILD/src/app/vocana-app: build first" >&2; exit 1; }
# shellcheck source=../tests/app/app-session.sh
source tests/app/app-session.sh
app_session_start
mkdir -p "$OUT"
# 30 s before the first shot: the performance page's plots get half a minute of history.
"$BUILD/src/app/vocana-app" --no-tray --screenshots "$OUT" --screenshots-settle 30000
