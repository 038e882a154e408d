#!/usr/bin/env bash
# Build the model-loader fuzz target (clang, libFuzzer, ASan+UBSan) and run it.
# Usage: scripts/fuzz-model.sh [SECONDS] [BUILD_DIR]     (default 300 s, build-fuzz)
#
# It starts from tests/nn/corpus/ and writes new inputs to BUILD_DIR/fuzz-corpus/ (not the tree).
# Crashes land in BUILD_DIR/fuzz-artifacts/. To keep an interesting new input as a regression
# test, copy it into tests/nn/corpus/ named valid_* if it loads and bad_* if not (small files
# only, < 8 KB): tests/nn/replay_corpus checks both in every build.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
dir=${2:-build-fuzz}

if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dwerror=true -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" tests/nn/fuzz_model_loader >/dev/null

mkdir -p "$dir/fuzz-corpus" "$dir/fuzz-artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One in-process run (-jobs=N would fork N workers logging to ./fuzz-N.log); -max_len: the seeds
# are < 4 KB, larger inputs only slow the search down.
"$dir/tests/nn/fuzz_model_loader" "$dir/fuzz-corpus" tests/nn/corpus \
	-max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$dir/fuzz-artifacts/" -print_final_stats=1
