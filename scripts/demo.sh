#!/usr/bin/env bash
# Quick start, main job: install what is needed, build, and denoise a file with the embedded model.
# Usage: scripts/demo.sh [INPUT OUTPUT]
# Without arguments it makes a noisy demo recording (alsa-utils' spoken "Front Center" with
# pink noise and a 50 Hz hum, via sox) in demo/ and denoises it into demo/denoised.wav.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh build
scripts/build.sh build

if [ $# -ge 2 ]; then
	in=$1 out=$2
else
	mkdir -p demo
	speech=/usr/share/sounds/alsa/Front_Center.wav
	sox -q "$speech" -r 48000 -c 1 demo/clean.wav pad 0.5 0.5
	len=$(soxi -D demo/clean.wav)
	sox -q -n -r 48000 -c 1 demo/pink.wav synth "$len" pinknoise vol 0.08
	sox -q -n -r 48000 -c 1 demo/hum.wav synth "$len" sine 50 vol 0.03
	sox -q -m demo/clean.wav demo/pink.wav demo/hum.wav demo/noisy.wav
	rm -f demo/pink.wav demo/hum.wav
	in=demo/noisy.wav out=demo/denoised.wav
fi

build/src/cli/vocana denoise "$in" "$out"
echo "denoised: $out"
