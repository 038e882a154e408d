#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the RNNoise baselines (WebAssembly, from npm) for train/eval: idempotent.
#
#   tools/baselines/fetch-rnnoise.sh [--with-2025] [PREFIX]   # default: build-baselines/rnnoise-npm
#
# Package: @jitsi/rnnoise-wasm 0.2.1 (Apache-2.0, github.com/jitsi/rnnoise-wasm, Emscripten builds
# of the xiph/rnnoise submodule; RNNoise itself is BSD-3-Clause). It holds both models we compare
# against:
#  - dist/rnnoise.wasm, system `rnnoise`: per the package README "generated using the old rnnoise
#    release 0.1" (the original 2017-era GRU network and weights: compute_gru/compute_dense in the
#    wasm's name section);
#  - dist/rnnoise-sync.js, system `rnnoise2`: RNNoise 0.2, the April 2024 release model, with the
#    wasm inlined as base64 (submodule at xiph/rnnoise 372f7b4 = tag v0.2 plus a build fix, model
#    0b50c45; evidence in tools/baselines/README.md).
# Both files are pinned by SHA-256 so a republished package cannot silently change a baseline.
#
# --with-2025 also installs @shiguredo/rnnoise-wasm 2025.1.5 (Apache-2.0) into
# build-baselines/rnnoise-2025-npm: xiph/rnnoise master of 2025-02 (70f1d25, model 0a8755f8 of
# 2025-01-30, after the 0.2 release), system `rnnoise2025`. Optional, for comparison only.
#
# Nothing is committed: the packages live in the (gitignored) build-baselines/ directory. Without
# network (and without the packages in npm's cache) the evaluator simply skips these systems.
set -eu

JITSI_PKG="@jitsi/rnnoise-wasm@0.2.1"
WASM_SHA256="677147b9248aedc0a00de79dc090d1ecead37c08c8bb773a790da16109d2c487"   # dist/rnnoise.wasm
SYNC_SHA256="05a553f523d59502d133a6d05dbf1878137c9e7bcff06edf5561f7001b62f95f"   # dist/rnnoise-sync.js
SHIGUREDO_PKG="@shiguredo/rnnoise-wasm@2025.1.5"
SHIGUREDO_SHA256="e6958293a0118bf9860cb2753332f7562531cc987c914552c426cd7d7180a63e"  # dist/rnnoise.js

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
with_2025=0
while [ $# -gt 0 ]; do
    case "$1" in
        --with-2025) with_2025=1; shift ;;
        -h|--help) sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fetch-rnnoise: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
PREFIX=${1:-"$ROOT/build-baselines/rnnoise-npm"}
PREFIX_2025="$ROOT/build-baselines/rnnoise-2025-npm"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "fetch-rnnoise: $tool not found (Node.js 18+ and npm are needed);" \
             "the evaluator will skip the RNNoise baselines" >&2
        exit 1
    fi
done

sum() { sha256sum "$1" | cut -d' ' -f1; }

# fetch PKG PREFIX FILE SHA256 [FILE SHA256]...: npm install PKG into PREFIX unless every FILE
# (relative to PREFIX/node_modules) is already there with its SHA-256; then check them all.
fetch() {
    pkg=$1 prefix=$2
    shift 2
    ok=1
    files="$*"              # FILE SHA256 pairs (no spaces in either)
    while [ $# -ge 2 ]; do
        if [ ! -f "$prefix/node_modules/$1" ] || [ "$(sum "$prefix/node_modules/$1")" != "$2" ]; then
            ok=0
        fi
        shift 2
    done
    if [ $ok = 1 ]; then
        echo "fetch-rnnoise: $pkg already installed in $prefix"
        return 0
    fi
    mkdir -p "$prefix"
    # --prefer-offline: a pinned version in npm's cache needs no network
    if ! npm install --prefix "$prefix" --no-audit --no-fund --no-save --ignore-scripts \
            --prefer-offline "$pkg" >&2; then
        echo "fetch-rnnoise: npm install $pkg failed (offline or registry unreachable?);" \
             "the evaluator will skip the systems that need it. Retry when online." >&2
        exit 1
    fi
    # shellcheck disable=SC2086  # intended: split the FILE SHA256 pairs
    set -- $files
    while [ $# -ge 2 ]; do
        f="$prefix/node_modules/$1"
        if [ ! -f "$f" ]; then
            echo "fetch-rnnoise: $pkg has no $1" >&2
            exit 1
        fi
        got=$(sum "$f")
        if [ "$got" != "$2" ]; then
            echo "fetch-rnnoise: $f: SHA-256 $got, expected $2 (package changed?)" >&2
            exit 1
        fi
        shift 2
    done
    echo "fetch-rnnoise: installed $pkg into $prefix"
}

fetch "$JITSI_PKG" "$PREFIX" \
    "@jitsi/rnnoise-wasm/dist/rnnoise.wasm" "$WASM_SHA256" \
    "@jitsi/rnnoise-wasm/dist/rnnoise-sync.js" "$SYNC_SHA256"
if [ $with_2025 = 1 ]; then
    fetch "$SHIGUREDO_PKG" "$PREFIX_2025" \
        "@shiguredo/rnnoise-wasm/dist/rnnoise.js" "$SHIGUREDO_SHA256"
fi
