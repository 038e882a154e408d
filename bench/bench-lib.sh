# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# What the benchmark scripts of bench/ (latency.sh, load.sh) share: the private PipeWire and the
# 'vocana mic' helpers of the end-to-end tests, the check for the three programs they get as
# arguments (VOCANA PW_PLAY_RECORD PW_ANALYZE), and the 'stat' output line that
# src/cli/bench/bench_script.c parses. Source it first thing.
# shellcheck source-path=SCRIPTDIR/..

# In the source tree the helpers are tests/daemon/pw/*.sh; 'meson install' puts copies next to this file
# (PKGLIBEXECDIR/bench), so an installed 'vocana bench' needs no source tree.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_PW_LIB=$BENCH_DIR
[[ -f "$BENCH_PW_LIB/pw-env.sh" ]] || BENCH_PW_LIB=$BENCH_DIR/../tests/daemon/pw
# shellcheck source=tests/daemon/pw/pw-env.sh
source "$BENCH_PW_LIB/pw-env.sh"
# shellcheck source=tests/daemon/pw/mic-test-lib.sh
source "$BENCH_PW_LIB/mic-test-lib.sh"
# shellcheck source=tests/daemon/pw/speaker-test-lib.sh
source "$BENCH_PW_LIB/speaker-test-lib.sh"

# The library's notes (one per glitched run) are test diagnostics; a benchmark reports problems
# as its own 'unmeasured' lines instead. VOCANA_BENCH_VERBOSE=1 shows them on stderr.
note()
{
	[[ -z "${VOCANA_BENCH_VERBOSE:-}" ]] || echo "# $*" >&2
}

for bin in "$VOCANA" "$PLAYREC" "$ANALYZE"; do
	[[ -x "$bin" ]] || pw_skip "$bin not found"
done

# emit_stat NAME UNIT VALUE...: median (mean of the middle two for even counts), p99 (nearest rank),
# min, max of the values.
emit_stat()
{
	local name=$1 unit=$2
	shift 2
	printf '%s\n' "$@" | sort -g | awk -v name="$name" -v unit="$unit" '
		{ v[NR] = $1 }
		END {
			n = NR
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.99 * n + 0.999999); if (r < 1) r = 1
			printf "stat name=%s unit=%s median=%.4g p99=%.4g min=%.4g max=%.4g repeats=%d\n",
				name, unit, med, v[r], v[1], v[n], n
		}'
}

# The median of one emit_stat line.
stat_median()
{
	sed -n 's/.* median=\([^ ]*\).*/\1/p' <<<"$1"
}
