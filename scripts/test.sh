#!/usr/bin/env bash
# Quick start, tests: install what is needed, then build and run the whole suite three times:
# plain (debugoptimized), with AddressSanitizer + UndefinedBehaviorSanitizer, and the concurrency
# tests with ThreadSanitizer; every build with -Werror (scripts/build.sh). Ends with
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh test || exit 1

jobs=$(nproc)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

run_suite() { # name builddir "meson setup options" "meson test options"
	local name=$1 dir=$2 setup=$3 testopts=$4
	echo "== $name ==" >&2
	# shellcheck disable=SC2086
	if ! scripts/build.sh "$dir" $setup; then
		echo "$name: build failed" >&2
		echo "build-failed" >"$dir.result"
		return
	fi
	# shellcheck disable=SC2086
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs $testopts >&2 || true
}

rm -f build*.result
# -Dtest_hooks=true: the end-to-end tests' hooks (VOCANA_TEST_SLOW_MODEL_US) are compiled in.
run_suite "plain" build "-Dtest_hooks=true" "--no-suite slow --no-suite soak"
# 'install' builds and installs the release package and a meson install: once, in the plain build.
run_suite "asan+ubsan" build-asan "-Dtest_hooks=true -Db_sanitize=address,undefined -Db_lundef=false" "--no-suite train --no-suite slow --no-suite soak --no-suite quality --no-suite timing --no-suite install"
run_suite "tsan" build-tsan "-Dtest_hooks=true -Db_sanitize=thread -Db_lundef=false" "--suite concurrency"

python3 - <<'PY'
import json, os, sys
passed = failed = skipped = 0
for d in ("build", "build-asan", "build-tsan"):
    if os.path.exists(d + ".result"):
        failed += 1
        continue
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        continue
    for line in open(log):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
