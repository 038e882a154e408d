# SPDX-License-Identifier: MIT
"""Deterministic synthetic test signals: speech-like sources and noises (numpy only).

Used by the metric tests and the regression-set builder, so both get signals whose structure
(syllabic modulation, harmonics, formants, pauses) is what STOI/ESTOI were designed for, without
shipping recordings.
"""

import numpy as np


def _formant_gain(freq_hz, formants):
    """Amplitude response of a vowel: formant peaks (Lorentzian, half-power width bw) on a floor,
    times a spectral tilt flat to 500 Hz and falling 6 dB/octave above: roughly the long-term
    average speech spectrum, so that high bands carry speech energy as in real voices."""
    peaks = np.full_like(freq_hz, 0.15)
    for i, (fc, bw) in enumerate(formants):
        peaks = peaks + (0.7 ** i) / np.sqrt(1.0 + ((freq_hz - fc) / (0.5 * bw)) ** 2)
    return peaks / (1.0 + freq_hz / 500.0)


# Rough (F1, F2, F3) of a few vowels, Hz (Peterson & Barney averages, rounded).
_VOWELS = [(730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
           (570, 840, 2410), (660, 1720, 2410), (440, 1020, 2240), (490, 1350, 1690)]


def speech_like(seconds, fs_hz=48000, seed=0, f0_hz=None):
    """A sequence of voiced 'syllables' (harmonic complex, time-varying f0, vowel formants,
    Hann-shaped 4-5 Hz envelope), some with a fricative onset, separated by short pauses.

    Peak-normalised to 0.5. Deterministic in `seed`.
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * fs_hz))
    out = np.zeros(n)
    base_f0 = f0_hz if f0_hz is not None else float(rng.uniform(95.0, 230.0))
    t0 = int(rng.uniform(0.02, 0.12) * fs_hz)
    while t0 < n:
        syl = int(rng.uniform(0.12, 0.32) * fs_hz)
        syl = min(syl, n - t0)
        if syl < int(0.03 * fs_hz):
            break
        t = np.arange(syl) / fs_hz
        # f0 glides by up to +-20 % over the syllable (intonation), with a 5 Hz vibrato-like wobble.
        glide = rng.uniform(-0.2, 0.2)
        f0 = base_f0 * (1.0 + glide * t / max(t[-1], 1e-3)) * (1.0 + 0.02 * np.sin(2 * np.pi * 5 * t))
        phase = 2 * np.pi * np.cumsum(f0) / fs_hz + rng.uniform(0, 2 * np.pi)
        vowel = _VOWELS[int(rng.integers(len(_VOWELS)))]
        formants = [(f * rng.uniform(0.9, 1.1), 80.0 + 0.08 * f) for f in vowel]
        voiced = np.zeros(syl)
        max_h = int(7000.0 / base_f0)
        mean_f0 = float(np.mean(f0))
        for h in range(1, max_h + 1):
            amp = _formant_gain(np.array([h * mean_f0]), formants)[0]
            voiced += amp * np.sin(h * phase)
        env = np.sin(np.pi * np.arange(syl) / syl) ** 1.5
        seg = voiced * env
        seg /= np.max(np.abs(seg)) + 1e-12
        if rng.random() < 0.4:
            # Fricative onset: 40-90 ms of high-passed noise (first difference tilts it up).
            fl = min(int(rng.uniform(0.04, 0.09) * fs_hz), syl)
            fr = np.diff(rng.standard_normal(fl + 1))
            fr *= np.hanning(fl) * 0.25 / (np.std(fr) + 1e-12)
            seg[:fl] += fr
        out[t0:t0 + syl] += seg * rng.uniform(0.4, 1.0)
        t0 += syl + int(rng.uniform(0.03, 0.25) * fs_hz)
    return 0.5 * out / (np.max(np.abs(out)) + 1e-12)


def white_noise(n, seed=0):
    return np.random.default_rng(seed).standard_normal(n)


def pink_noise(n, seed=0):
    """1/f power spectrum by shaping white noise in the frequency domain."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(n))
    k = np.arange(len(spec), dtype=np.float64)
    k[0] = 1.0
    spec /= np.sqrt(k)
    spec[0] = 0.0
    x = np.fft.irfft(spec, n)
    return x / np.std(x)


def hum_noise(n, fs_hz=48000, seed=0, mains_hz=50.0):
    """Mains hum: odd-heavy harmonics of 50 Hz up to 1 kHz plus a little broadband floor."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs_hz
    x = np.zeros(n)
    for h in range(1, 21):
        amp = (1.0 if h % 2 else 0.4) / h
        x += amp * np.sin(2 * np.pi * mains_hz * h * t + rng.uniform(0, 2 * np.pi))
    x += 0.02 * rng.standard_normal(n)
    return x / np.std(x)


def babble_noise(n, fs_hz=48000, seed=0, talkers=6):
    """Sum of `talkers` independent speech-like sources: the classic 'cafeteria' masker."""
    x = np.zeros(n)
    for i in range(talkers):
        x += speech_like(n / fs_hz, fs_hz, seed=seed * 1000 + 17 * i + 1)
    return x / np.std(x)


def mix_at_snr(clean, noise, snr_db):
    """clean + g*noise with g chosen so that 10 log10(P_clean / P_noise) = snr_db (over the whole
    signal). Returns (noisy, scaled_noise)."""
    clean = np.asarray(clean, dtype=np.float64)
    noise = np.asarray(noise, dtype=np.float64)[:len(clean)]
    pc = float(np.mean(clean ** 2))
    pn = float(np.mean(noise ** 2))
    g = np.sqrt(pc / (pn * 10.0 ** (snr_db / 10.0)))
    return clean + g * noise, g * noise
