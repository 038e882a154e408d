#!/bin/bash
# SPDX-License-Identifier: MIT
#
# lilv's tools see the build-tree bundle as hosts will see the installed one: lv2ls lists both
# plugins, lv2info shows their ports, controls, ranges and the latency port, and lv2info can
# load the binary (it resolves lv2_descriptor). Exit 77 without lilv-utils.
# Usage: test_lv2_tools.sh LV2_DIR (the directory holding vocana.lv2)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=plugin-lib.sh
source "$HERE/plugin-lib.sh"
need lv2ls lv2info
export LV2_PATH=$1
unset LV2_PATH_EXTRA

list=$(lv2ls 2>&1) || fail "lv2ls: $list"
note "lv2ls: $(tr '\n' ' ' <<<"$list")"
grep -qx "urn:vocana:lv2:vocana#mono" <<<"$list" || fail "lv2ls does not list the mono plugin"
grep -qx "urn:vocana:lv2:vocana#stereo" <<<"$list" || fail "lv2ls does not list the stereo plugin"
[[ $(wc -l <<<"$list") -eq 2 ]] || fail "lv2ls lists more than our two plugins: $list"

for variant in mono stereo; do
	info=$(lv2info "urn:vocana:lv2:vocana#$variant" 2>&1) || fail "lv2info $variant: $info"
	grep -q "Name: *Vocana noise suppression ($variant)" <<<"$info" || fail "$variant: name"
	grep -q "Has latency: *yes, reported by port $([[ $variant == mono ]] && echo 4 || echo 6)" \
		<<<"$info" || fail "$variant: latency port not recognised: $info"
	grep -q "Binary: *file://.*/vocana.lv2/vocana.so" <<<"$info" || fail "$variant: binary"
	for sym in strength enable latency; do
		grep -q "Symbol: *$sym" <<<"$info" || fail "$variant: no port '$sym'"
	done
	grep -q "Designation: *http://lv2plug.in/ns/lv2core#enabled" <<<"$info" ||
		fail "$variant: enable is not the lv2:enabled (host bypass) port"
	# strength: 0..100, default 100
	awk '/Symbol: *strength/ { s = 1 } s && /Minimum/ { mn = $2 } s && /Maximum/ { mx = $2 }
	     s && /Default/ { d = $2; exit } END { exit !(mn == 0 && mx == 100 && d == 100) }' \
		<<<"$info" || fail "$variant: strength range"
	grep -q "error\|warning" <<<"$info" && fail "$variant: lilv complains: $info"
done
note "lv2info: $(lv2info urn:vocana:lv2:vocana#stereo | grep -c 'Port [0-9]') ports (stereo)"
echo "ok: lv2ls and lv2info list and describe both plugins" >&2
exit 0
