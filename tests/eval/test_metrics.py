#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Property tests for train/eval/metrics.py (SI-SDR, STOI, ESTOI, alignment).

Cases whose outcome theory fixes: identical signals score 1, scores rise with SNR, independent
noise scores near the measure's floor, oracle (ideal ratio mask) enhancement raises the scores,
SI-SDR equals the mixing SNR, a known delay is found. Plus a literal loop-by-loop transcription of
the papers' equations that the vectorised code must match. Exit 77 (skip) without numpy.
"""

import math
import os
import sys
import wave

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

np = testrun.require_numpy()
from train.eval import metrics as M  # noqa: E402
from train.eval import synth as S    # noqa: E402

FS = 48000
SNRS = [-10, -5, 0, 5, 10, 20]
ALSA = "/usr/share/sounds/alsa/Front_Center.wav"


def read_alsa():
    if not os.path.exists(ALSA):
        return None
    with wave.open(ALSA, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != FS:
            return None
        return np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0


def speech_cases():
    """(name, clean) pairs: two synthetic talkers, plus a real recording when alsa-utils is in."""
    cases = [("synth-male", S.speech_like(3.0, FS, seed=1, f0_hz=110.0)),
             ("synth-female", S.speech_like(3.0, FS, seed=2, f0_hz=210.0))]
    real = read_alsa()
    if real is not None:
        cases.append(("alsa", real))
    else:
        print("  (no %s: real-recording cases skipped)" % ALSA)
    return cases


_BABBLE = {}


def noise(kind, n, seed):
    if kind == "white":
        return S.white_noise(n, seed)
    if seed not in _BABBLE or len(_BABBLE[seed]) < n:   # the slowest generator: make it once
        _BABBLE[seed] = S.babble_noise(max(n, 3 * FS), FS, seed=seed)
    return _BABBLE[seed][:n]


# ---- tests ---------------------------------------------------------------------------------

def test_identity_scores_one():
    for name, x in speech_cases():
        for fn in (M.stoi, M.estoi):
            d = fn(x, x, FS)
            assert abs(d - 1.0) < 1e-6, "%s %s(x, x) = %.9f" % (name, fn.__name__, d)
        sc = M.score(x, x, FS)
        assert sc["lag"] == 0 and abs(sc["stoi"] - 1) < 1e-6 and sc["si_sdr"] > 100, (name, sc)


def test_monotone_in_snr():
    for name, x in speech_cases():
        for kind in ("white", "babble"):
            n = noise(kind, len(x), seed=5)
            prev = None
            for snr in SNRS:
                y, _ = S.mix_at_snr(x, n, snr)
                cur = (M.stoi(x, y, FS), M.estoi(x, y, FS))
                assert -0.05 <= cur[0] <= 1.0 and -0.2 <= cur[1] <= 1.0, (name, kind, snr, cur)
                if prev is not None:
                    assert cur[0] > prev[0] and cur[1] > prev[1], \
                        "%s/%s not increasing at %d dB: %s -> %s" % (name, kind, snr, prev, cur)
                prev = cur
            # 20 dB is nearly clean, -10 dB babble is far from it.
            assert prev[0] > 0.93 and prev[1] > 0.85, (name, kind, prev)


def test_independent_noise_floor():
    """A signal independent of the speech: ESTOI (correlation, no clipping) is ~0. STOI stays
    positive, because its clipping copies the clean envelope into the low-level units, but it is
    far below speech at moderate SNR."""
    for name, x in speech_cases():
        for kind in ("white", "babble"):
            n = noise(kind, len(x), seed=9)
            e, s = M.estoi(x, n, FS), M.stoi(x, n, FS)
            assert abs(e) < 0.08, (name, kind, e)
            assert s < 0.6, (name, kind, s)
            y, _ = S.mix_at_snr(x, n, 0.0)
            assert M.stoi(x, y, FS) > s + 0.2, (name, kind)


def test_scale_invariance():
    x = S.speech_like(3.0, FS, seed=3)
    y, _ = S.mix_at_snr(x, S.white_noise(len(x), 4), 3.0)
    for fn in (M.stoi, M.estoi, M.si_sdr):
        base = fn(x, y) if fn is M.si_sdr else fn(x, y, FS)
        for gx, gy in ((1.0, 3.7), (0.02, 1.0), (5.0, 0.1)):
            got = fn(gx * x, gy * y) if fn is M.si_sdr else fn(gx * x, gy * y, FS)
            assert abs(got - base) < 1e-6, (fn.__name__, gx, gy, base, got)
    # SI-SDR is also blind to a DC offset (zero-mean definition).
    assert abs(M.si_sdr(x + 0.3, y - 0.1) - M.si_sdr(x, y)) < 1e-9


def test_si_sdr_matches_snr():
    x = S.speech_like(3.0, FS, seed=6)
    n = S.white_noise(len(x), 7)
    # Noise made exactly orthogonal to (zero-mean) x: SI-SDR is the SNR by definition.
    xc = x - x.mean()
    nc = n - n.mean()
    nc -= xc * np.dot(nc, xc) / np.dot(xc, xc)
    for snr in SNRS:
        y, _ = S.mix_at_snr(xc, nc, snr)
        assert abs(M.si_sdr(x, y) - snr) < 1e-6, (snr, M.si_sdr(x, y))
    # Plain random noise: only its tiny chance correlation with x separates the two.
    for snr in (0, 5, 10, 20):
        y, _ = S.mix_at_snr(x, n, snr)
        assert abs(M.si_sdr(x, y) - snr) < 0.1, (snr, M.si_sdr(x, y))
    # A silent output has no target left, however 'clean' it is.
    assert M.si_sdr(x, np.zeros(len(x))) == -math.inf
    assert M.stoi(x, np.zeros(len(x)), FS) == 0.0 and M.estoi(x, np.zeros(len(x)), FS) == 0.0
    # A gain does not change it, a sign flip makes the target negative but the ratio is the same.
    y, _ = S.mix_at_snr(xc, nc, 10)
    assert abs(M.si_sdr(x, -0.5 * y) - 10) < 1e-6


def test_alignment():
    x = S.speech_like(3.0, FS, seed=8)
    n = 0.05 * S.white_noise(len(x) + 1000, 3)
    late = np.concatenate([np.zeros(480), x])[:len(x)] + n[:len(x)]
    r, p, lag = M.align(x, late, FS)
    assert lag == 480 and len(r) == len(p) == len(x) - 480, (lag, len(r), len(p))
    assert np.allclose(p - n[480:len(x)], r), "trimmed spans do not line up"
    early = x[137:] + n[:len(x) - 137]
    r, p, lag = M.align(x, early, FS)
    assert lag == -137 and len(r) == len(p) == len(x) - 137, (lag, len(r), len(p))
    assert np.allclose(p - n[:len(x) - 137], r)
    # Lags beyond the search range are not found; inside it they are.
    assert M.find_lag(x, np.concatenate([np.zeros(4800), x]), FS, max_lag_ms=100.0) == 4800
    assert M.find_lag(x, np.concatenate([np.zeros(4800), x]), FS, max_lag_ms=50.0) != 4800
    # score() aligns: a delayed copy scores like the original, not like a misaligned one.
    y, _ = S.mix_at_snr(x, S.white_noise(len(x), 1), 5.0)
    delayed = np.concatenate([np.zeros(480), y])
    a, b = M.score(x, y, FS), M.score(x, delayed, FS)
    assert b["lag"] == 480 and abs(a["si_sdr"] - b["si_sdr"]) < 0.05, (a, b)
    assert abs(a["estoi"] - b["estoi"]) < 0.01, (a, b)
    assert M.si_sdr(x, delayed[:len(x)]) < a["si_sdr"] - 3


def test_oracle_mask_improves():
    """Time-frequency weighting by the ideal ratio mask, which STOI was built to judge, must score
    higher than the noisy input on all three measures."""
    x = S.speech_like(3.0, FS, seed=10)
    _, nz = S.mix_at_snr(x, noise("babble", len(x), seed=5), -5.0)
    hop, win = 480, 960
    w = np.sqrt(np.hanning(win + 1)[:win])   # sqrt-periodic-Hann: w^2 overlap-adds to 1

    def frames(s):
        s = np.concatenate([np.zeros(win), s, np.zeros(win)])
        idx = np.arange(win)[None, :] + hop * np.arange((len(s) - win) // hop + 1)[:, None]
        return np.fft.rfft(s[idx] * w, axis=1)

    xs, ns = frames(x), frames(nz)
    mask = np.abs(xs) ** 2 / (np.abs(xs) ** 2 + np.abs(ns) ** 2 + 1e-12)
    out_frames = np.fft.irfft((xs + ns) * mask, win, axis=1) * w
    out = np.zeros(hop * (len(out_frames) - 1) + win)
    for i, f in enumerate(out_frames):
        out[i * hop:i * hop + win] += f
    out = out[win:win + len(x)]
    noisy = x + nz
    a, b = M.score(x, noisy, FS), M.score(x, out, FS)
    assert b["lag"] == 0, b
    assert b["stoi"] > a["stoi"] + 0.1 and b["estoi"] > a["estoi"] + 0.15, (a, b)
    assert b["si_sdr"] > a["si_sdr"] + 8, (a, b)


def _literal_stoi(x, y, extended):
    """The papers' equations, one loop per index, on 10 kHz signals (after silence removal).

    Independent of the vectorised code except for the shared front end (resampler and silent-frame
    removal, which are tested separately)."""
    N, J = 30, 15
    w = np.array([0.5 * (1 - math.cos(2 * math.pi * (k + 1) / 257)) for k in range(256)])
    f = [k * 10000.0 / 512 for k in range(257)]

    def bands(s):
        starts = list(range(0, len(s) - 256, 128))
        env = np.zeros((J, len(starts)))
        for m, st in enumerate(starts):
            spec = np.fft.fft(s[st:st + 256] * w, 512)[:257]
            for j in range(J):
                lo = 150.0 * 2 ** ((2 * j - 1) / 6.0)
                hi = 150.0 * 2 ** ((2 * j + 1) / 6.0)
                klo = min(range(257), key=lambda k: abs(f[k] - lo))
                khi = min(range(257), key=lambda k: abs(f[k] - hi))
                env[j, m] = math.sqrt(sum(abs(spec[k]) ** 2 for k in range(klo, khi)))
        return env

    def corr(a, b):
        a = a - a.mean()
        b = b - b.mean()
        return float(np.dot(a, b) / math.sqrt(np.dot(a, a) * np.dot(b, b)))

    X, Y = bands(x), bands(y)
    ds = []
    for m in range(N, X.shape[1] + 1):
        xs, ys = X[:, m - N:m], Y[:, m - N:m]
        if not extended:
            for j in range(J):
                alpha = math.sqrt(np.dot(xs[j], xs[j]) / np.dot(ys[j], ys[j]))
                yc = np.array([min(alpha * ys[j, n], (1 + 10 ** (15 / 20.0)) * xs[j, n])
                               for n in range(N)])
                ds.append(corr(xs[j], yc))
        else:
            def rows_then_cols(a):
                a = np.array([(r - r.mean()) / np.linalg.norm(r - r.mean()) for r in a])
                cols = [(c - c.mean()) / np.linalg.norm(c - c.mean()) for c in a.T]
                return np.array(cols).T
            xn, yn = rows_then_cols(xs), rows_then_cols(ys)
            ds.append(sum(float(np.dot(xn[:, n], yn[:, n])) for n in range(N)) / N)
    return float(np.mean(ds))


def test_matches_literal_transcription():
    x = S.speech_like(1.2, FS, seed=11)
    y, _ = S.mix_at_snr(x, noise("babble", len(x), seed=9), 0.0)
    xr = M._resample(x / np.sqrt(np.mean(x * x)), FS, 10000)
    yr = M._resample(y / np.sqrt(np.mean(y * y)), FS, 10000)
    xr, yr = M.remove_silent_frames(xr, yr)
    for extended, fn in ((False, M.stoi), (True, M.estoi)):
        want = _literal_stoi(xr, yr, extended)
        got = fn(x, y, FS)
        assert abs(want - got) < 1e-9, (fn.__name__, want, got)


def test_front_end():
    # Resampler: a 1 kHz tone stays a 1 kHz tone of the same amplitude at 10 kHz.
    t = np.arange(FS) / FS
    r = M._resample(np.sin(2 * np.pi * 1000 * t), FS, 10000)
    assert len(r) == 10000
    ref = np.sin(2 * np.pi * 1000 * np.arange(10000) / 10000.0)
    assert np.max(np.abs(r[200:-200] - ref[200:-200])) < 1e-3
    # A 7 kHz tone is above the new Nyquist (and past the transition band) and must be removed.
    r = M._resample(np.sin(2 * np.pi * 7000 * t), FS, 10000)
    assert np.max(np.abs(r[200:-200])) < 1e-3
    try:
        from scipy.signal import resample_poly
        x = S.speech_like(1.0, FS, seed=1)
        assert np.max(np.abs(M._resample(x, FS, 10000) - resample_poly(x, 5, 24))) < 1e-9
    except ImportError:
        pass
    # Silence removal keeps the loud part only: 1 s of speech + 1 s of digital silence.
    x = np.concatenate([S.speech_like(1.0, 10000, seed=2), np.zeros(10000)])
    xs, _ = M.remove_silent_frames(x, x)
    assert len(xs) < 11000, len(xs)
    # The 40 dB range: noise blocks at 0, -35 and -45 dB (2560 samples each) keep the frames of the
    # first two blocks (39 full ones, up to 2 straddling) and drop the third block's.
    rng = np.random.default_rng(3)
    x = np.concatenate([g * rng.standard_normal(2560) for g in (1.0, 10 ** (-35 / 20.0),
                                                                  10 ** (-45 / 20.0))])
    xs, _ = M.remove_silent_frames(x, x)
    kept = (len(xs) - 256) // 128 + 1
    assert 39 <= kept <= 41, kept
    # Band matrix: 15 disjoint bands, increasing width, first centred near 150 Hz.
    a = M.third_octave_matrix()
    assert a.shape == (15, 257) and np.all(a.sum(axis=0) <= 1) and np.all(np.diff(a.sum(axis=1)) >= 0)
    # Too short to hold one 384 ms segment: a clear error, not a silent NaN.
    try:
        M.stoi(x[:2000], x[:2000], 10000)
        raise AssertionError("short input accepted")
    except ValueError:
        pass


def main():
    return testrun.run_tests(globals())


if __name__ == "__main__":
    sys.exit(main())
