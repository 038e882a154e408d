#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the RNNoise v0.1 baseline (WebAssembly, from npm) for train/eval: idempotent.
#
#   tools/baselines/fetch-rnnoise.sh [PREFIX]     # default: build-baselines/rnnoise-npm
#
# Package: @jitsi/rnnoise-wasm 0.2.1 (Apache-2.0, github.com/jitsi/rnnoise-wasm, a build of the
# xiph/rnnoise submodule). Its README: dist/rnnoise.wasm "generated using the old rnnoise release
# 0.1" (the original 2017-era GRU network and weights: compute_gru/compute_dense in the wasm's
# name section), while rnnoise-sync.js holds 0.2. We use dist/rnnoise.wasm only; its SHA-256 is
# pinned so a republished package cannot silently change the baseline. Nothing is committed:
# the package lives in the (gitignored) build-baselines/ directory.
set -eu

PKG="@jitsi/rnnoise-wasm@0.2.1"
WASM_SHA256="677147b9248aedc0a00de79dc090d1ecead37c08c8bb773a790da16109d2c487"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${1:-"$ROOT/build-baselines/rnnoise-npm"}
WASM="$PREFIX/node_modules/@jitsi/rnnoise-wasm/dist/rnnoise.wasm"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "fetch-rnnoise: $tool not found (Node.js 18+ and npm are needed)" >&2
        exit 1
    fi
done

sum() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$WASM" ] && [ "$(sum "$WASM")" = "$WASM_SHA256" ]; then
    echo "fetch-rnnoise: $WASM already installed"
    exit 0
fi
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --ignore-scripts "$PKG" >&2
if [ ! -f "$WASM" ]; then
    echo "fetch-rnnoise: $PKG has no dist/rnnoise.wasm" >&2
    exit 1
fi
got=$(sum "$WASM")
if [ "$got" != "$WASM_SHA256" ]; then
    echo "fetch-rnnoise: $WASM: SHA-256 $got, expected $WASM_SHA256 (package changed?)" >&2
    exit 1
fi
echo "fetch-rnnoise: installed $PKG into $PREFIX"
