#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The settings file under faults (issue #13 items 4, 5, 6; issue #15; docs/reliability.md), with a
# real 'vocana mic' waiting for PipeWire (no daemon needed):
#   - a FIFO as vocana.conf: the service starts anyway (defaults, one warning), answers, and stops
#     on SIGTERM; 'vocana set' then refuses to replace the FIFO, saying why;
#   - one bad line: the other lines still apply, the service warns naming the line, and a value
#     saved by 'vocana set' is the one the next start uses;
#   - a symlinked vocana.conf (and a symlinked ~/.config/vocana): 'vocana set' writes through the
#     link, which stays a link;
#   - no service running: 'vocana set strength N', 'enable' and 'disable' write the file, and the
#     next start uses it; a running service reads the file again on SIGHUP (the unit's reload),
#     keeping what its command line fixed.
# Usage (from meson): test_fault_config.sh VOCANA. Exit 77 = skipped.
set -u
# shellcheck source=fault-lib.sh
source "$(dirname "$0")/fault-lib.sh"

fault_env_start
mkdir -p "$(dirname "$CONF")"

# ---- a FIFO as the settings file --------------------------------------------------------------
mkfifo "$CONF"
start_service
[[ "$(status_get strength)" == 100 ]] || fail "strength with a FIFO settings file: $(status_get strength)"
grep -q "warning: .*$CONF.*not a regular file" "$FAULT_DIR/mic.log" ||
	fail "no warning about the FIFO: $(cat "$FAULT_DIR/mic.log")"
out=$("$VOCANA" set strength 30 2>&1) || fail "'set' failed with a FIFO settings file: $out"
grep -q "not saved" <<<"$out" || fail "'set' did not say the FIFO was not replaced: $out"
[[ -p "$CONF" ]] || fail "the FIFO was replaced"
stop_service
note "FIFO settings file: started with defaults, warned, SIGTERM ok"
rm -f "$CONF"

# ---- one bad line ------------------------------------------------------------------------------
cat >"$CONF" <<'EOF'
# my settings
strength = 30
enabled = maybe
input = default
EOF
start_service
[[ "$(status_get strength)" == 30 ]] || fail "the good line was dropped with the bad one: strength $(status_get strength)"
[[ "$(status_get enabled)" == yes ]] || fail "enabled: $(status_get enabled)"
grep -q "warning: .*line 3.*enabled" "$FAULT_DIR/mic.log" || fail "no warning naming line 3: $(cat "$FAULT_DIR/mic.log")"
out=$("$VOCANA" set strength 45 2>&1) || fail "set: $out"
"$VOCANA" disable >/dev/null 2>&1 || fail "disable"
stop_service
grep -qx "# my settings" "$CONF" || fail "the comment was lost: $(cat "$CONF")"
start_service
[[ "$(status_get strength)" == 45 ]] || fail "saved strength 45 came back as $(status_get strength): $(cat "$CONF")"
[[ "$(status_get enabled)" == no ]] || fail "saved 'disable' came back as enabled=$(status_get enabled)"
stop_service
note "bad line: other settings kept, set/disable survive a restart"

# A line the service cannot read and cannot repair ('strength' without '='): it stays, and the
# saved value that follows it still wins.
printf 'strength 70\nstrength = 20\n' >"$CONF"
start_service
[[ "$(status_get strength)" == 20 ]] || fail "strength $(status_get strength), want 20"
"$VOCANA" set strength 60 >/dev/null 2>&1 || fail "set 60"
stop_service
start_service
[[ "$(status_get strength)" == 60 ]] || fail "after a restart strength is $(status_get strength), want 60"
stop_service

# ---- symlinks ----------------------------------------------------------------------------------
mkdir -p "$FAULT_DIR/dotfiles"
printf 'strength = 10\n# keep me\n' >"$FAULT_DIR/dotfiles/vocana.conf"
rm -f "$CONF"
ln -s ../../dotfiles/vocana.conf "$CONF"
start_service
[[ "$(status_get strength)" == 10 ]] || fail "read through the link: strength $(status_get strength)"
"$VOCANA" set strength 35 >/dev/null 2>&1 || fail "set through a symlinked file"
[[ -L "$CONF" ]] || fail "vocana.conf is no longer a symlink"
grep -qx "strength = 35" "$FAULT_DIR/dotfiles/vocana.conf" || fail "the link's target was not updated"
grep -qx "# keep me" "$FAULT_DIR/dotfiles/vocana.conf" || fail "the target lost its comment"
stop_service
# The whole directory a symlink (as dotfile managers like GNU stow make it).
rm -rf "$XDG_CONFIG_HOME/vocana"
mkdir -p "$FAULT_DIR/dotdir"
printf 'strength = 15\n' >"$FAULT_DIR/dotdir/vocana.conf"
ln -s "$FAULT_DIR/dotdir" "$XDG_CONFIG_HOME/vocana"
start_service
out=$("$VOCANA" set strength 25 2>&1) || fail "set with a symlinked directory: $out"
grep -q "not saved" <<<"$out" && fail "not saved with a symlinked directory: $out"
[[ -L "$XDG_CONFIG_HOME/vocana" ]] || fail "the directory link was replaced"
grep -qx "strength = 25" "$FAULT_DIR/dotdir/vocana.conf" || fail "the target was not updated: $(cat "$FAULT_DIR/dotdir/vocana.conf")"
stop_service
note "symlinks: written through, links kept"

# ---- no service running: settings are edited offline -------------------------------------------
rm -rf "$XDG_CONFIG_HOME/vocana"
out=$("$VOCANA" set strength 55 2>&1) || fail "'set strength 55' without a service: $out"
grep -q "55" <<<"$out" || fail "offline set says: $out"
grep -qx "strength = 55" "$CONF" || fail "offline set did not write $CONF"
[[ "$(stat -c %a "$CONF")" == 600 ]] || fail "mode $(stat -c %a "$CONF")"
out=$("$VOCANA" disable 2>&1) || fail "'disable' without a service: $out"
grep -qx "enabled = false" "$CONF" || fail "offline disable did not write $CONF"
start_service
[[ "$(status_get strength)" == 55 && "$(status_get enabled)" == no ]] ||
	fail "the service did not start with the offline settings: $(status_get strength) $(status_get enabled)"
stop_service
out=$("$VOCANA" enable 2>&1) || fail "'enable' without a service: $out"
grep -qx "enabled = true" "$CONF" || fail "offline enable did not write $CONF"
out=$("$VOCANA" set strength 101 2>&1) && fail "offline 'set strength 101' succeeded: $out"
note "offline set/enable/disable: written, used at the next start"

# ---- SIGHUP reloads the file -------------------------------------------------------------------
start_service
printf 'strength = 12\nenabled = false\n' >"$CONF"
kill -HUP "$SERVICE_PID"
wait_until 5 bash -c "[[ \"\$('$VOCANA' status --raw 2>/dev/null | sed -n 's/^strength=//p')\" == 12 ]]" ||
	fail "SIGHUP did not reload the strength: $(status_get strength)"
[[ "$(status_get enabled)" == no ]] || fail "SIGHUP did not reload enabled"
stop_service
start_service --strength 90
printf 'strength = 13\nenabled = true\n' >"$CONF"
kill -HUP "$SERVICE_PID"
wait_until 5 bash -c "[[ \"\$('$VOCANA' status --raw 2>/dev/null | sed -n 's/^enabled=//p')\" == yes ]]" ||
	fail "SIGHUP did not reload enabled"
[[ "$(status_get strength)" == 90 ]] || fail "SIGHUP overrode --strength: $(status_get strength)"
stop_service
note "SIGHUP: the file is read again, the command line's values stay"

echo "ok: faults-config" >&2
exit 0
