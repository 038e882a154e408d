#!/bin/sh
# SPDX-License-Identifier: MIT
# A plugin file exports its entry point and nothing else (src/plugins/*.map): no libvocana or
# core symbol can clash with a host's or another plugin's. Usage: check_plugin_exports.sh SO SYMBOL
set -eu
so=$1 want=$2
command -v nm >/dev/null || { echo "nm missing: skipped"; exit 77; }
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort | tr '\n' ' ')
if [ "$exported" != "$want " ]; then
	echo "$so exports: $exported (expected only $want)"
	exit 1
fi
echo "ok: $so exports only $want"
