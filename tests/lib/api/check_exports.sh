#!/bin/sh
# SPDX-License-Identifier: MIT
# libvocana.so exports exactly the functions its public header declares (VOCANA_API ... name(),
# nothing of the development interface or of the internal modules), and links only libc, libm
# and FFTW. Usage: check_exports.sh LIBVOCANA.SO VOCANA.H
set -eu
lib=$1 header=$2
command -v nm >/dev/null || { echo "nm missing: skipped"; exit 77; }
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort)
# every declaration is "VOCANA_API <type> [*]name(" possibly over two lines: take the identifier
# right before the first '(' that follows VOCANA_API
declared=$(grep -v '#define' "$header" | tr '\n' ' ' | grep -o 'VOCANA_API[^(;]*(' |
	sed 's/($//; s/.*[ *]//' | sort)
if [ "$exported" != "$declared" ]; then
	echo "exports differ from $header:"
	printf '%s\n' "$exported" >/tmp/vocana-exported.$$
	printf '%s\n' "$declared" | diff - /tmp/vocana-exported.$$ || true
	rm -f /tmp/vocana-exported.$$
	exit 1
fi
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for n in $needed; do
	case $n in
	libc.so.* | libm.so.* | libfftw3f.so.* | libpthread.so.* | ld-linux*) ;;
	libasan.so.* | libubsan.so.* | libtsan.so.*) ;; # sanitizer builds (scripts/test.sh)
	*) echo "unexpected dependency: $n"; exit 1 ;;
	esac
done
echo "ok: $(printf '%s\n' "$exported" | wc -l) exported functions, needs: $needed"
