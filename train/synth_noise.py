# SPDX-License-Identifier: MIT
"""Synthetic noises for training: coloured noise, fans/HVAC, mains hum, babble and typing.

Every generator takes a numpy Generator and a length in samples (48 kHz) and returns float32 noise
with unit RMS (the mixer sets the level). They cover stationary and tonal noises that the recorded
collections lack; babble and typing are built from recordings (train-split speech, bucklespring
key clicks) so they sound real but come in endless combinations.
"""
import numpy as np

SR = 48000


def _unit_rms(x):
    r = float(np.sqrt(np.mean(x * x)))
    return (x / r).astype(np.float32) if r > 1e-9 else x.astype(np.float32)


def _shaped(rng, n, gain_of_hz):
    """White Gaussian noise shaped by an amplitude response given as a function of frequency."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SR)
    return np.fft.irfft(spec * gain_of_hz(f), n)


def colored(rng, n, exponent=None):
    """Power spectrum ~ f^exponent: 0 white, -1 pink, -2 brown (random in [-2.2, 0.3] if None),
    with an optional random band limit, as from cheap or band-limited equipment."""
    if exponent is None:
        exponent = rng.choice([0.0, -1.0, -2.0]) if rng.random() < 0.5 else rng.uniform(-2.2, 0.3)
    lo = rng.uniform(10, 80)
    hi = SR / 2 if rng.random() < 0.6 else rng.uniform(3000, 20000)

    def gain(f):
        g = np.maximum(f, lo) ** (exponent / 2)
        g *= 1.0 / (1.0 + (f / hi) ** 8)
        return g

    return _unit_rms(_shaped(rng, n, gain))


def hvac(rng, n):
    """Fan, air conditioning, computer cooling: broadband noise under a smooth random spectral
    envelope with a few resonances, slowly modulated, plus blade-pass tones with harmonics that
    drift a little in frequency."""
    n_peaks = rng.integers(1, 5)
    centers = np.exp(rng.uniform(np.log(80), np.log(4000), n_peaks))
    widths = centers * rng.uniform(0.1, 0.6, n_peaks)
    heights = rng.uniform(1, 8, n_peaks)
    corner = rng.uniform(300, 6000)
    slope = rng.uniform(1, 4)

    def gain(f):
        g = 1.0 / (1.0 + (f / corner) ** slope)
        for c, w, h in zip(centers, widths, heights):
            g = g + h * g.max() * 0.1 * np.exp(-0.5 * ((f - c) / w) ** 2)
        return g * (f > 20)

    x = _unit_rms(_shaped(rng, n, gain))
    t = np.arange(n) / SR
    mod_rate = rng.uniform(0.05, 2.0)
    depth = rng.uniform(0.0, 0.3)
    x = x * (1 + depth * np.sin(2 * np.pi * mod_rate * t + rng.uniform(0, 2 * np.pi)))
    if rng.random() < 0.7:
        f0 = rng.uniform(40, 400)
        drift = 1 + 0.003 * np.sin(2 * np.pi * rng.uniform(0.02, 0.3) * t)
        phase = 2 * np.pi * np.cumsum(f0 * drift) / SR
        tones = np.zeros(n)
        for h in range(1, rng.integers(2, 8)):
            if f0 * h > 12000:
                break
            tones += rng.uniform(0.1, 1.0) / h * np.sin(h * phase + rng.uniform(0, 2 * np.pi))
        tone_level = 10 ** (rng.uniform(-25, -5) / 20)
        x = x + tone_level * _unit_rms(tones)
    return _unit_rms(x)


def hum(rng, n):
    """Mains hum and buzz: 50 or 60 Hz (+-0.5 %) with harmonics whose amplitudes decay randomly;
    a 'buzz' variant (rectifier, ground loop) has strong odd or high harmonics. A little white
    noise keeps it from being a pure line spectrum."""
    f0 = rng.choice([50.0, 60.0]) * rng.uniform(0.995, 1.005)
    # One period as a wavetable, read at the fundamental's phase: hundreds of harmonics cost no
    # more than one.
    table_len = 4096
    p = np.arange(table_len) / table_len
    table = np.zeros(table_len)
    decay = rng.uniform(0.3, 1.5)
    buzz = rng.random() < 0.4
    for h in range(1, int(8000 // f0)):
        a = h ** -decay * rng.uniform(0.3, 1.0)
        if buzz:
            a = a * (3 if h % 2 else 1) * (h ** 0.8)
        if a < 1e-4:
            continue
        table += a * np.sin(2 * np.pi * h * p + rng.uniform(0, 2 * np.pi))
    phase = (f0 * np.arange(n) / SR + rng.uniform()) % 1.0
    x = np.interp(phase * table_len, np.arange(table_len + 1), np.append(table, table[0]))
    x = _unit_rms(x)
    return _unit_rms(x + 10 ** (rng.uniform(-50, -25) / 20) * rng.standard_normal(n))


def babble(rng, n, speech_segment, n_talkers=None):
    """Crowd babble: the sum of 4-12 speech segments at random levels. speech_segment(rng, n) must
    return speech from the TRAINING speakers when building training data (never dev speakers)."""
    if n_talkers is None:
        n_talkers = int(rng.integers(4, 13))
    x = np.zeros(n)
    for _ in range(n_talkers):
        s = speech_segment(rng, n)
        r = np.sqrt(np.mean(s * s))
        if r > 1e-9:
            x += s / r * 10 ** (rng.uniform(-8, 0) / 20)
    return _unit_rms(x)


def typing(rng, n, key_clips):
    """Keyboard typing: key press/release recordings (a list of float arrays) at random times,
    in bursts (words) with inter-key gaps of 60-250 ms and pauses, at random levels, with an
    optional random low-pass (a different keyboard or a muffled microphone)."""
    x = np.zeros(n)
    t = int(rng.uniform(0, 0.5) * SR)
    speed = rng.uniform(0.6, 1.6)
    while t < n:
        burst = rng.integers(2, 12)
        for _ in range(burst):
            clip = key_clips[rng.integers(len(key_clips))]
            m = min(len(clip), n - t)
            if m <= 0:
                break
            x[t: t + m] += clip[:m] * 10 ** (rng.uniform(-6, 0) / 20)
            t += int(rng.uniform(0.06, 0.25) / speed * SR)
        t += int(rng.exponential(0.6) * SR)
    if rng.random() < 0.5:
        cut = rng.uniform(2000, 12000)
        x = np.fft.irfft(np.fft.rfft(x) / (1 + (np.fft.rfftfreq(n, 1 / SR) / cut) ** 4), n)
    return _unit_rms(x)


GENERATORS = ("colored", "hvac", "hum", "babble", "typing")
