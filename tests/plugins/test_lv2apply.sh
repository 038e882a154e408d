#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A real LV2 host processes files: lv2apply (lilv-utils; it runs the plugin one sample per
# run() call) applied to noisy speech gives what `vocana denoise` gives on the same file, delayed
# by exactly the latency the plugin reports (lv2apply does not compensate it): at 48 kHz, at
# 44.1 kHz (resampled inside the plugin), in stereo, with a strength, and disabled.
# Exit 77 without lv2apply.
# Usage: test_lv2apply.sh VOCANA PLUGIN_TOOL LV2_DIR LV2_SO
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=plugin-lib.sh
source "$HERE/plugin-lib.sh"
VOCANA=$1 TOOL=$2
export LV2_PATH=$3
SO=$4
need lv2apply
host_env_for "$SO"
dir=$(mktemp -d "${TMPDIR:-/tmp}/vocana-lv2apply.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
speech=$(speech_file)

"$TOOL" mix "$speech" 48000 1 "$dir/m48" || fail "mix"
"$TOOL" mix "$speech" 44100 1 "$dir/m44" || fail "mix"
"$TOOL" mix "$speech" 48000 2 "$dir/s48" || fail "mix"

# check NAME IN.wav RATE URI "vocana denoise options" "lv2apply -c options" MIN_SNR_DB
check()
{
	local name=$1 in=$2 rate=$3 uri=$4 cli_opts=$5 lv2_opts=$6 min=$7 lat res
	# shellcheck disable=SC2086
	"$VOCANA" denoise -q $cli_opts "$in" "$dir/cli.wav" || fail "$name: vocana denoise"
	# shellcheck disable=SC2086
	env "${HOST_ENV[@]}" lv2apply -i "$in" -o "$dir/lv2.wav" $lv2_opts "$uri" >"$dir/log" 2>&1 ||
		fail "$name: lv2apply: $(cat "$dir/log")"
	lat=$(env "${HOST_ENV[@]}" "$TOOL" latency lv2 "$SO" "$uri" "$rate") || fail "$name: latency"
	res=$("$TOOL" compare "$dir/cli.wav" "$dir/lv2.wav" "$lat" "$min") ||
		fail "$name: lv2apply output is not vocana denoise's delayed by $lat samples: $res"
	note "$name: reported latency $lat samples; lv2apply vs vocana denoise: $res"
}

check "48 kHz mono" "$dir/m48.wav" 48000 urn:vocana:lv2:vocana#mono "" "" 100
check "48 kHz mono, strength 40" "$dir/m48.wav" 48000 urn:vocana:lv2:vocana#mono \
	"--strength 40" "-c strength 40" 100
check "44.1 kHz mono" "$dir/m44.wav" 44100 urn:vocana:lv2:vocana#mono "" "" 100
check "48 kHz stereo" "$dir/s48.wav" 48000 urn:vocana:lv2:vocana#stereo "" "" 100
# Disabled: the input, delayed (vocana denoise at strength 0 is the input to float rounding).
check "48 kHz mono, disabled" "$dir/m48.wav" 48000 urn:vocana:lv2:vocana#mono \
	"--strength 0" "-c enable 0" 100
echo "ok: lv2apply matches vocana denoise at the reported latency" >&2
exit 0
