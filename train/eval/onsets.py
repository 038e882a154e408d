# SPDX-License-Identifier: MIT
"""How fast a denoiser suppresses noise that *starts*: the cold start and noise after quiet.

A causal denoiser cannot know whether a sound that starts is a voice or noise; one trained to
protect speech onsets may learn to let every onset through (run v4 did: docs/model.md, "Training
status"). This measures the other side of that trade-off on each system, for white and pink noise
at -30 dBFS:

- cold start: the noise after 1 s of digital silence at the start of a stream;
- after quiet: the noise after 1 s of a -70 dBFS pink floor (a quiet room), i.e. a noise that
  starts mid-stream without the digital silence that freezes Vocana's network.

Each figure is the output level in a window after the noise starts (0-100 ms and 100-300 ms)
minus the steady-state output level (2.0-3.5 s after it starts), in dB: 0 means suppressed as
well as ever, +14 means 14 dB more noise than in steady state. The bound in
`tests/lib/api/test_model_behaviour.c` is 3 dB at 100-300 ms for the cold start. Outputs are
not delay-compensated: every system's delay (2.5 ms for Vocana, 20 ms for RNNoise) is small
against the windows.

    /usr/bin/python3 -m train.eval.onsets --system vocana=build/src/cli/vocana \\
        --system "v4=build/src/cli/vocana denoise -q --model /tmp/s1920.vcm"
"""

import argparse
import sys

import numpy as np

from . import systems

FS = 48000
NOISE_DBFS = -30.0
FLOOR_DBFS = -70.0
LEAD_S = 1.0
NOISE_S = 4.0
WINDOWS = ((0.0, 0.1), (0.1, 0.3))
STEADY = (2.0, 3.5)
# (lead, noise): what precedes the noise ('zeros' = a cold start, 'quiet' = a -70 dBFS floor)
CASES = (("zeros", "white"), ("zeros", "pink"), ("quiet", "white"), ("quiet", "pink"))


def noise(kind, n, seed):
    """White, or pink-ish (white through a one-pole low-pass, mixed with white), unit RMS."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1.0, 1.0, n)
    if kind == "pink":
        lp = np.empty(n)
        v = 0.0
        for i in range(n):
            v = 0.98 * v + 0.02 * w[i]
            lp[i] = v
        w = 0.3 * w + 6.0 * lp
    return w / np.sqrt(np.mean(w * w))


def stimulus(kind, lead):
    """(samples, index where the noise starts): `lead` is 'zeros' or 'quiet'."""
    n_lead = int(LEAD_S * FS)
    if lead == "zeros":
        head = np.zeros(n_lead)
    else:
        head = noise("pink", n_lead, 7) * 10 ** (FLOOR_DBFS / 20)
    body = noise(kind, int(NOISE_S * FS), 3 if kind == "pink" else 5) * 10 ** (NOISE_DBFS / 20)
    return np.concatenate([head, body]), n_lead


def level_db(y, start, window):
    a, b = start + int(window[0] * FS), start + int(window[1] * FS)
    seg = np.asarray(y[a:b], dtype=np.float64)
    return 10 * np.log10(np.mean(seg * seg) + 1e-20)


def measure(system):
    """{(lead, kind): [excess dB per window]} for one system, in CASES order."""
    out = {}
    for lead, kind in CASES:
        x, start = stimulus(kind, lead)
        y = system(x)
        steady = level_db(y, start, STEADY)
        out[(lead, kind)] = [level_db(y, start, w) - steady for w in WINDOWS]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    systems.add_system_args(ap, "vocana")
    args = ap.parse_args(argv)
    found, _ = systems.make_systems(args.system or ["vocana"], args.baseline_dir, "onsets")
    cols = ["%s %s %d-%d ms" % ("cold start" if lead == "zeros" else "after quiet", kind,
                                w[0] * 1000, w[1] * 1000) for lead, kind in CASES for w in WINDOWS]
    print("| system | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    status = 0
    for sysm in found:
        try:
            res = measure(sysm)
        except (RuntimeError, OSError) as e:
            print("onsets: %s: %s" % (sysm.name, e), file=sys.stderr)
            status = 1
            continue
        cells = ["%+.1f dB" % v for case in CASES for v in res[case]]
        print("| %s | %s |" % (sysm.name, " | ".join(cells)))
    return status


if __name__ == "__main__":
    sys.exit(main())
