#!/usr/bin/env bash
# Start or resume a training run in the background, fetching what it needs first.
# Usage: scripts/train.sh [NAME [HOURS [more train/train.py options...]]]   (default: v3 10)
#   - installs the train dependencies and builds build/libvocana_dev.so only (features come from C);
#   - builds/updates the audio cache in train/cache (incremental; Debian packages with apt-get,
#     repositories from the snapshots under $VOCANA_MIRRORS, default /work/.mirror: see
#     train/README.md; VOCANA_LEGACY=1 also builds widelands and 0 A.D., which only runs v1/v2 used);
#   - resumes train/runs/NAME if it has a checkpoint, else starts it (a fresh checkout: from the
#     committed weights with --init-from, see below); refuses if it is running.
# The run is detached (nohup setsid): it survives the shell. Stop it with
#   kill -TERM <pid>     (it saves last.pt first), and follow it in train/runs/NAME/train.log.
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:-v3}
hours=${2:-10}
shift $(($# < 2 ? $# : 2))

scripts/setup-deps.sh train
# Only the library is needed (features and the C network); building just it keeps a half-finished
# program elsewhere in the tree from blocking training.
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build vocana_dev >/dev/null

fetch_args=()
[ "${VOCANA_LEGACY:-0}" = 1 ] && fetch_args=(--legacy)
/usr/bin/python3 train/fetch_data.py "${fetch_args[@]}"

run=train/runs/$name
mkdir -p "$run"
if [ -f "$run/pid" ] && kill -0 "$(cat "$run/pid")" 2>/dev/null &&
	grep -q "train/train.py" "/proc/$(cat "$run/pid")/cmdline" 2>/dev/null; then
	echo "train.sh: run '$name' is already running (pid $(cat "$run/pid"))" >&2
	exit 1
fi
# A fresh checkout has no runs/ and the repository keeps no optimizer state (large files stay out
# of git): start a new run from the committed weights, e.g.
#   scripts/train.sh v4 HOURS --init-from train/checkpoints/v3-weights.pt --hidden 256 --warmup 200
resume=()
action=started
if [ -f "$run/last.pt" ]; then
	resume=(--resume)
	action=resumed
fi

nohup setsid /usr/bin/python3 train/train.py --name "$name" --hours "$hours" "${resume[@]}" \
	--lib build/libvocana_dev.so "$@" >>"$run/stdout.log" 2>&1 </dev/null &
echo $! >"$run/pid"
echo "train.sh: run '$name' $action, pid $!; log: $run/train.log"
