#!/usr/bin/env bash
# Install the Debian packages Vocana needs, skipping those already present (idempotent).
# Usage: scripts/setup-deps.sh [build|test|train]   (each level includes the ones before it)
set -euo pipefail

level=${1:-build}

# Why each package is here: see README.md, "Dependencies".
build_pkgs=(gcc pkg-config meson ninja-build libfftw3-dev libsndfile1-dev libsamplerate0-dev libpipewire-0.3-dev
	libgtk-4-dev libadwaita-1-dev lv2-dev ladspa-sdk)
demo_pkgs=(alsa-utils sox)
test_pkgs=(clang libclang-rt-14-dev python3 python3-numpy python3-torch g++ libspeexdsp-dev libwebrtc-audio-processing-dev
	pipewire pipewire-bin wireplumber pipewire-pulse pulseaudio-utils dbus stress-ng util-linux prometheus
	xvfb x11-utils python3-gi python3-pyatspi at-spi2-core
	lilv-utils sordi jalv pipewire-jack
	dpkg-dev debhelper lintian man-db bash-completion zsh fish desktop-file-utils)
train_pkgs=(python3 python3-numpy python3-torch git fluidsynth)

pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}")
case "$level" in
build) ;;
test) pkgs+=("${test_pkgs[@]}") ;;
train) pkgs+=("${train_pkgs[@]}") ;;
*) echo "setup-deps: unknown level '$level' (build, test or train)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
