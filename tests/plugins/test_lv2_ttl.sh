#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The bundle's Turtle is valid against the LV2 specifications' own schemas (lv2lint is not in
# Debian 12; sord_validate, from the sordi package, checks every class, property, range and
# datatype the LV2 vocabularies declare). Exit 77 without sord_validate or the LV2 schemas.
# Usage: test_lv2_ttl.sh BUNDLE_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=plugin-lib.sh
source "$HERE/plugin-lib.sh"
need sord_validate
bundle=$1
specs=()
for d in /usr/lib/lv2 /usr/local/lib/lv2; do
	[[ -d $d/core.lv2 ]] && mapfile -t -O "${#specs[@]}" specs < <(find "$d" -name '*.ttl' \
		-path '*/lv2/*.lv2/*' ! -path '*/vocana.lv2/*')
done
[[ ${#specs[@]} -gt 0 ]] || skip "the LV2 specification bundles (lv2-dev) are not installed"
out=$(sord_validate "${specs[@]}" "$bundle/manifest.ttl" "$bundle/vocana.ttl" 2>&1)
rc=$?
note "$(tail -n 1 <<<"$out")"
[[ $rc -eq 0 ]] || fail "sord_validate: $out"
grep -q "Found 0 errors" <<<"$out" || fail "sord_validate: $out"
echo "ok: vocana.lv2 validates against the LV2 schemas" >&2
exit 0
