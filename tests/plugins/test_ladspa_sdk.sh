#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The LADSPA SDK's own hosts: analyseplugin finds both plugins through LADSPA_PATH and shows
# their ports (Strength 0..100 default 100, Enable toggled default on, the "latency" output),
# and applyplugin runs a file through vocana_mono and vocana_stereo: the result is
# `vocana denoise`'s, delayed by the reported latency (applyplugin writes 16-bit files: equal to
# 16-bit rounding, about 70 dB here). Exit 77 without the ladspa-sdk programs.
# Usage: test_ladspa_sdk.sh VOCANA PLUGIN_TOOL LADSPA_DIR LADSPA_SO
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=plugin-lib.sh
source "$HERE/plugin-lib.sh"
VOCANA=$1 TOOL=$2
export LADSPA_PATH=$3
SO=$4
need analyseplugin applyplugin
host_env_for "$SO"
dir=$(mktemp -d "${TMPDIR:-/tmp}/vocana-ladspa.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

info=$(env "${HOST_ENV[@]}" analyseplugin vocana 2>&1) || fail "analyseplugin: $info"
for label in vocana_mono vocana_stereo; do
	grep -q "Plugin Label: \"$label\"" <<<"$info" || fail "analyseplugin does not show $label"
done
grep -q '"Strength" input, control, 0 to 100, default 100, integer' <<<"$info" ||
	fail "Strength port: $info"
grep -q '"Enable" input, control, toggled, default 1' <<<"$info" || fail "Enable port: $info"
grep -q '"latency" output, control' <<<"$info" || fail "latency port: $info"
grep -q "Environment: Normal or Hard Real-Time" <<<"$info" || fail "not hard-RT capable: $info"
note "analyseplugin: $(grep -c 'Plugin Label' <<<"$info") plugins in $(basename "$SO")"

speech=$(speech_file)
"$TOOL" mix "$speech" 48000 1 "$dir/m" || fail "mix"
"$TOOL" mix "$speech" 48000 2 "$dir/s" || fail "mix"
for case in "m vocana_mono 100" "s vocana_stereo 100" "m vocana_mono 25"; do
	read -r f label strength <<<"$case"
	"$VOCANA" denoise -q --strength "$strength" "$dir/$f.wav" "$dir/cli.wav" || fail "vocana denoise"
	# applyplugin's controls: Strength, Enable (the control inputs in port order)
	out=$(env "${HOST_ENV[@]}" applyplugin "$dir/$f.wav" "$dir/ladspa.wav" vocana "$label" \
		"$strength" 1 2>&1) || fail "applyplugin $label: $out"
	lat=$(env "${HOST_ENV[@]}" "$TOOL" latency ladspa "$SO" "$label" 48000) || fail "latency"
	res=$("$TOOL" compare "$dir/cli.wav" "$dir/ladspa.wav" "$lat" 60) ||
		fail "applyplugin $label output is not vocana denoise's delayed by $lat: $res"
	note "applyplugin $label strength $strength: latency $lat; vs vocana denoise: $res"
done
echo "ok: analyseplugin and applyplugin" >&2
exit 0
