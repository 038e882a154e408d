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


def click_event(rng):
    """One impulsive sound, 2-60 ms: a few damped resonances (modal synthesis: what a struck
    object rings at) plus a short noise burst, as mouse clicks, clock ticks, knocks, taps, cups,
    pens and switches sound."""
    dur = rng.uniform(0.002, 0.06)
    n = max(16, int(dur * SR * 3))
    t = np.arange(n) / SR
    x = np.zeros(n)
    for _ in range(int(rng.integers(1, 6))):
        f = np.exp(rng.uniform(np.log(150), np.log(14000)))
        tau = dur * rng.uniform(0.1, 1.0)
        x += rng.uniform(0.2, 1.0) * np.exp(-t / tau) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
    burst_tau = rng.uniform(0.0003, 0.004)
    x += rng.uniform(0.0, 1.5) * rng.standard_normal(n) * np.exp(-t / burst_tau)
    return x


def clicks(rng, n):
    """Impulsive noise: click events, regular (a clock, a metronome, a blinker relay, 0.5-12 per
    second, with a little jitter and two alternating sounds) or irregular (a mouse, a pen, cutlery:
    Poisson, in bursts), each at its own level. Real transient recordings are few (keys, doors,
    steps); these fill the space between them."""
    x = np.zeros(n)
    events = [click_event(rng) for _ in range(int(rng.integers(1, 4)))]
    if rng.random() < 0.4:
        period = 1.0 / rng.uniform(0.5, 12.0)
        times = np.arange(rng.uniform(0, period), n / SR, period)
        times = times + rng.normal(0, 0.002, len(times))
    else:
        rate = rng.uniform(0.5, 8.0)
        times, t = [], rng.exponential(1 / rate)
        while t < n / SR:
            times.append(t)
            t += rng.exponential(1 / rate) if rng.random() < 0.7 else rng.uniform(0.03, 0.12)
    for i, t0 in enumerate(times):
        e = events[i % len(events)] * 10 ** (rng.uniform(-8, 0) / 20)
        a = int(t0 * SR)
        if 0 <= a < n:
            m = min(len(e), n - a)
            x[a: a + m] += e[:m]
    return _unit_rms(x) if np.any(x) else _unit_rms(rng.standard_normal(n))


def chirps(rng, n):
    """Birdsong and insects: syllables of frequency-modulated tones (sweeps, trills, warbles) with
    a few harmonics, 1.5-9 kHz, in phrases; or a cricket's steady pulsed tone. Animal sounds a
    speech model has never heard are where denoisers fail."""
    t = np.arange(n) / SR
    x = np.zeros(n)
    if rng.random() < 0.25:  # cricket / cicada: a 3-8 kHz tone gated at a pulse rate
        f = rng.uniform(3000, 8000)
        gate = (np.sin(2 * np.pi * rng.uniform(15, 60) * t) > rng.uniform(-0.2, 0.6)).astype(float)
        chirp_rate = rng.uniform(1, 4)
        gate *= (np.sin(2 * np.pi * chirp_rate * t + rng.uniform(0, 6.3)) > -0.3)
        x = np.sin(2 * np.pi * f * t) * gate
        return _unit_rms(np.fft.irfft(np.fft.rfft(x) * np.exp(-0.5 * ((np.fft.rfftfreq(n, 1 / SR) - f) / (f * 0.05)) ** 2), n) + x * 0.3)
    pos = int(rng.uniform(0, 0.3) * SR)
    while pos < n:
        for _ in range(int(rng.integers(2, 10))):  # one phrase
            d = int(rng.uniform(0.02, 0.25) * SR)
            if pos + d > n:
                break
            tt = np.arange(d) / SR
            f0 = rng.uniform(1500, 7000)
            kind = rng.integers(3)
            if kind == 0:    # sweep
                f = f0 * np.exp(rng.uniform(-1, 1) * tt / tt[-1])
            elif kind == 1:  # trill
                f = f0 * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(20, 80) * tt))
            else:            # warble
                f = f0 * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(3, 12) * tt))
            ph = 2 * np.pi * np.cumsum(f) / SR
            env = np.sin(np.pi * np.arange(d) / d) ** rng.uniform(0.5, 2)
            syl = sum(rng.uniform(0.1, 1) / h * np.sin(h * ph) for h in range(1, int(rng.integers(1, 4)) + 1))
            x[pos: pos + d] += env * syl * 10 ** (rng.uniform(-10, 0) / 20)
            pos += d + int(rng.uniform(0.01, 0.15) * SR)
        pos += int(rng.exponential(0.8) * SR)
    return _unit_rms(x) if np.any(x) else _unit_rms(rng.standard_normal(n))


GENERATORS = ("colored", "hvac", "hum", "babble", "typing", "clicks", "chirps")
