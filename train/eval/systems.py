# SPDX-License-Identifier: MIT
"""The systems the evaluator compares: the noisy passthrough, the classic baselines built from
tools/baselines (speexdsp, WebRTC NS), RNNoise v0.1 and RNNoise 0.2 (WebAssembly from npm, run by
Node; see tools/baselines/fetch-rnnoise.sh) and any denoiser CLI (Vocana's `vocana denoise IN OUT`).

Every system is a callable `process(samples_48k) -> samples_48k` (mono float64, +-1 full scale);
outputs are not delay-compensated, the evaluator aligns them.

    python3 -m train.eval.systems --delay --rtf      # measure the baselines' delay and CPU cost
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import metrics, synth, wavio

FS = 48000
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# `make -C tools/baselines` builds into build-baselines/; the optional Meson hook into build/.
BASELINE_DIRS = (os.path.join(REPO, "build-baselines"), os.path.join(REPO, "build", "tools", "baselines"))


def _default_baseline_dir():
    for d in BASELINE_DIRS:
        if os.path.exists(os.path.join(d, "baseline-speex")) or \
                os.path.exists(os.path.join(d, "baseline-webrtc")):
            return d
    return BASELINE_DIRS[0]


DEFAULT_BASELINE_DIR = _default_baseline_dir()
DEFAULT_VOCANA = os.path.join(REPO, "build", "src", "cli", "vocana")
BASELINES = ("speex", "webrtc")
RNNOISE_SCRIPT = os.path.join(REPO, "tools", "baselines", "rnnoise_denoise.mjs")
RNNOISE_WASM = os.path.join(REPO, "build-baselines", "rnnoise-npm", "node_modules", "@jitsi",
                            "rnnoise-wasm", "dist", "rnnoise.wasm")
RNNOISE2_SCRIPT = os.path.join(REPO, "tools", "baselines", "rnnoise2_denoise.mjs")
# RNNoise 0.2 (the April 2024 release model), inlined in the same npm package's sync build
RNNOISE2_MODULE = os.path.join(REPO, "build-baselines", "rnnoise-npm", "node_modules", "@jitsi",
                               "rnnoise-wasm", "dist", "rnnoise-sync.js")
# xiph/rnnoise master of 2025-02 (model of 2025-01-30), optional: fetch-rnnoise.sh --with-2025
RNNOISE2025_MODULE = os.path.join(REPO, "build-baselines", "rnnoise-2025-npm", "node_modules",
                                  "@shiguredo", "rnnoise-wasm", "dist", "rnnoise.js")


class SystemUnavailable(Exception):
    """The system's program is not built or not installed: the evaluator skips it."""


def _run(cmd):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), res.returncode,
                                                       res.stderr.strip()[-2000:]))
    return res


class Noisy:
    """The unprocessed input: the reference every improvement is measured against."""
    name = "noisy"

    def __call__(self, x):
        return np.asarray(x, dtype=np.float64)


class Baseline:
    """tools/baselines/baseline-NAME on raw float32 files (see tools/baselines/README.md)."""

    def __init__(self, which, baseline_dir=DEFAULT_BASELINE_DIR):
        self.name = which
        self.path = os.path.join(baseline_dir, "baseline-" + which)
        if not os.access(self.path, os.X_OK):
            raise SystemUnavailable("%s not built (make -C tools/baselines O=%s)"
                                    % (self.path, baseline_dir))
        self.argv = [self.path]

    def __call__(self, x, timing=False):
        with tempfile.TemporaryDirectory(prefix="vocana-eval-") as tmp:
            src, dst = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
            np.asarray(x, dtype="<f4").tofile(src)
            res = _run(self.argv + (["-t"] if timing else []) + [src, dst])
            y = np.fromfile(dst, "<f4").astype(np.float64)
        if timing:
            # "...: real-time factor R" on stderr: processing time only, file I/O excluded.
            return y, float(res.stderr.strip().split()[-1])
        return y


class CommandSystem:
    """Any program run as `CMD... IN.wav OUT.wav` on 48 kHz float WAV files (e.g. vocana denoise)."""

    def __init__(self, name, argv):
        self.name = name
        self.argv = list(argv)
        exe = self.argv[0]
        if shutil.which(exe) is None and not os.access(exe, os.X_OK):
            raise SystemUnavailable("%s: %s not found" % (name, exe))

    def __call__(self, x):
        with tempfile.TemporaryDirectory(prefix="vocana-eval-") as tmp:
            src, dst = os.path.join(tmp, "in.wav"), os.path.join(tmp, "out.wav")
            wavio.write_wav(src, x, FS)
            _run(self.argv + [src, dst])
            y, rate = wavio.read_wav(dst)
        if rate != FS:
            y = metrics._resample(y, rate, FS)
        return y


class RNNoise(CommandSystem):
    """RNNoise v0.1 (xiph's original model) as WebAssembly, run by `node rnnoise_denoise.mjs`.

    Unavailable (skipped by the evaluator) when `node` is not on PATH or the wasm is not installed
    (tools/baselines/fetch-rnnoise.sh; $VOCANA_RNNOISE_WASM overrides the path)."""

    def __init__(self, wasm=None):
        self.wasm = wasm or os.environ.get("VOCANA_RNNOISE_WASM") or RNNOISE_WASM
        node = shutil.which("node")
        if node is None:
            raise SystemUnavailable("rnnoise: node (Node.js) not found in PATH")
        if not os.path.isfile(self.wasm):
            raise SystemUnavailable("rnnoise: %s missing (run tools/baselines/fetch-rnnoise.sh)"
                                    % self.wasm)
        super().__init__("rnnoise", [node, RNNOISE_SCRIPT, "--wasm", self.wasm])

    def __call__(self, x, timing=False):
        if not timing:
            return super().__call__(x)
        with tempfile.TemporaryDirectory(prefix="vocana-eval-") as tmp:
            src, dst = os.path.join(tmp, "in.wav"), os.path.join(tmp, "out.wav")
            wavio.write_wav(src, x, FS)
            res = _run(self.argv + ["-t", src, dst])
            y, _ = wavio.read_wav(dst)
        # "rnnoise: ... real-time factor R": frame processing only, Node start and I/O excluded
        return y, float(res.stderr.strip().split()[-1])


class RNNoise2(Baseline):
    """RNNoise 0.2 (xiph's April 2024 release model) as WebAssembly, run by
    `node rnnoise2_denoise.mjs --module MODULE` on raw float32 files, like the other baselines.

    MODULE is the npm package's Emscripten glue with the wasm inlined (@jitsi/rnnoise-wasm 0.2.1
    dist/rnnoise-sync.js; see tools/baselines/README.md for why that file is 0.2). Unavailable
    (skipped by the evaluator) when `node` is not on PATH or MODULE is not installed
    (tools/baselines/fetch-rnnoise.sh; $VOCANA_RNNOISE2_MODULE overrides the path).

    name='rnnoise2025' is the optional later build (xiph/rnnoise master of 2025-02 via
    @shiguredo/rnnoise-wasm 2025.1.5, `fetch-rnnoise.sh --with-2025`)."""

    VARIANTS = {
        "rnnoise2": (RNNOISE2_MODULE, "VOCANA_RNNOISE2_MODULE", "tools/baselines/fetch-rnnoise.sh"),
        "rnnoise2025": (RNNOISE2025_MODULE, "VOCANA_RNNOISE2025_MODULE",
                        "tools/baselines/fetch-rnnoise.sh --with-2025"),
    }

    def __init__(self, module=None, name="rnnoise2"):
        default, env, fetch = self.VARIANTS[name]
        self.name = name
        self.module = module or os.environ.get(env) or default
        node = shutil.which("node")
        problems = []
        if node is None:
            problems.append("node (Node.js) not found in PATH")
        if not os.path.isfile(self.module):
            problems.append("%s missing (run %s)" % (self.module, fetch))
        if problems:
            raise SystemUnavailable("%s: %s" % (name, "; ".join(problems)))
        self.path = RNNOISE2_SCRIPT
        self.argv = [node, RNNOISE2_SCRIPT, "--module", self.module]
        # -t: "rnnoise2: ... real-time factor R" (frame calls only), parsed by Baseline.__call__


SPEC_HELP = "noisy | speex | webrtc | rnnoise | rnnoise2 | vocana[=PATH] | NAME=COMMAND"


def add_system_args(ap, default):
    """The --system (repeatable) and --baseline-dir options every evaluation script takes;
    default names the systems used when no --system is given."""
    ap.add_argument("--system", action="append", default=[],
                    help="%s (repeatable; default: %s)" % (SPEC_HELP, default))
    ap.add_argument("--baseline-dir", default=DEFAULT_BASELINE_DIR,
                    help="where tools/baselines built speex and webrtc")


def make_systems(specs, baseline_dir=DEFAULT_BASELINE_DIR, prog="systems"):
    """(available systems in the order of specs, {spec: reason} of the unavailable ones); each
    unavailable one is reported on stderr as 'PROG: skipping SPEC: REASON'. A spec that names
    no system at all is a usage error: one line, exit status 2."""
    found, skipped = [], {}
    for spec in specs:
        try:
            found.append(make_system(spec, baseline_dir))
        except ValueError as e:
            print("%s: %s" % (prog, e), file=sys.stderr)
            raise SystemExit(2) from None
        except SystemUnavailable as e:
            skipped[spec] = str(e)
            print("%s: skipping %s: %s" % (prog, spec, e), file=sys.stderr)
    return found, skipped


def make_system(spec, baseline_dir=DEFAULT_BASELINE_DIR):
    """'noisy' | 'speex' | 'webrtc' | 'rnnoise' | 'rnnoise2' | 'rnnoise2025' | 'vocana' |
    'vocana=PATH' | 'NAME=CMD ARGS...' (IN OUT appended).

    'vocana=PATH' runs `PATH denoise IN OUT`; a bare 'vocana' uses build/src/cli/vocana;
    'rnnoise=WASM' uses that rnnoise.wasm instead of the fetched one; 'rnnoise2=MODULE' (and
    'rnnoise2025=MODULE') that glue .js with an inlined wasm (or a .wasm keeping its export
    names)."""
    name, _, arg = spec.partition("=")
    if name == "noisy" and not arg:
        return Noisy()
    if name in BASELINES and not arg:
        return Baseline(name, baseline_dir)
    if name == "rnnoise":
        return RNNoise(arg or None)
    if name in RNNoise2.VARIANTS:
        return RNNoise2(arg or None, name)
    if name == "vocana":
        return CommandSystem("vocana", [arg or DEFAULT_VOCANA, "denoise"])
    if not arg:
        raise ValueError("unknown system %r (%s)" % (spec, SPEC_HELP))
    return CommandSystem(name, arg.split())


def measure_delay(system, seconds=4.0):
    """Algorithmic delay in samples: lag of the output against clean speech-like input (and a
    linear chirp), which suppressors pass nearly untouched."""
    x = synth.speech_like(seconds, FS, seed=42)
    t = np.arange(int(2 * FS)) / FS
    chirp = 0.3 * np.sin(2 * np.pi * (100 * t + 0.25 * (8000 - 100) * t * t))   # 100 Hz..8 kHz
    lags = [metrics.find_lag(s, system(s), FS, max_lag_ms=200.0) for s in (x, chirp)]
    return lags


def measure_rtf(system, seconds=60.0):
    """CPU real-time factor on `seconds` of speech in babble at 5 dB: processing time / duration.

    For the baselines and RNNoise, their own -t report (processing only); otherwise wall-clock
    around the call.
    """
    x, _ = synth.mix_at_snr(synth.speech_like(seconds, FS, seed=7),
                            synth.pink_noise(int(seconds * FS), seed=8), 5.0)
    x *= 0.5 / np.max(np.abs(x))
    if isinstance(system, (Baseline, RNNoise)):
        t0 = time.perf_counter()
        _, rtf = system(x, timing=True)
        return rtf, (time.perf_counter() - t0) / seconds
    t0 = time.perf_counter()
    system(x)
    wall = (time.perf_counter() - t0) / seconds
    return wall, wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", action="append",
                    help="system spec, e.g. rnnoise, rnnoise2 (default: speex, webrtc)")
    ap.add_argument("--baseline-dir", default=DEFAULT_BASELINE_DIR)
    ap.add_argument("--delay", action="store_true", help="measure algorithmic delay")
    ap.add_argument("--rtf", action="store_true", help="measure CPU real-time factor on 60 s")
    args = ap.parse_args(argv)
    for spec in args.system or list(BASELINES):
        try:
            sysm = make_system(spec, args.baseline_dir)
        except SystemUnavailable as e:
            print("%-8s unavailable: %s" % (spec, e))
            continue
        if args.delay:
            lags = measure_delay(sysm)
            print("%-8s delay: %d samples (%.2f ms) [speech %d, chirp %d]"
                  % (sysm.name, lags[0], lags[0] * 1000.0 / FS, lags[0], lags[1]))
        if args.rtf:
            rtf, total = measure_rtf(sysm)
            print("%-8s real-time factor on 60 s: %.5f processing only, %.5f incl. process start "
                  "and file I/O" % (sysm.name, rtf, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
