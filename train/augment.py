# SPDX-License-Identifier: MIT
"""Signal augmentations of the training mixtures (dataset.py decides when each applies).

Which side each one touches is the point:
- random_eq: a microphone, a room or a voice's timbre: applied to speech *and* its target (it is
  not noise), and separately to the noise (a different colour of the same noise source);
- lowpass: a device or codec bandwidth (3 kHz to full band): input and target alike, and the
  example's bandwidth drops to the cut so the loss does not ask for what is not there;
- clip, quantize_16bit: what a cheap or overdriven input chain does: the input only;
- mute: digital silence (a muted microphone, a file that starts with zeros): both, so the model
  learns to suppress noise from the first hop after silence;
- noise_onset: the noise alone starts late (after silence or a quiet floor): a fan switched on, a
  door opened to the street. The target is unchanged (speech only), so the model learns that not
  every sound that starts is a voice: the counterweight of the loss's onset weight;
- speech_lead: the speech starts late, after 0.1-1 s of the noise alone (speech and target
  shifted alike): what a stream's start usually is, someone joins a call in a noisy room and
  speaks a moment later. Most examples otherwise have speech from their first sample, which
  teaches a model with no history that whatever starts a stream is a voice.
"""
import numpy as np

SR = 48000


def fft_filter(x, gain):
    """Filter x by a zero-phase amplitude response gain(freqs_hz)."""
    n = len(x)
    return np.fft.irfft(np.fft.rfft(x) * gain(np.fft.rfftfreq(n, 1.0 / SR)), n).astype(np.float32)


def random_eq_response(rng):
    """An amplitude response: a low and a high shelf, one or two peaks/notches and a high-pass,
    within about +-12 dB (what microphones, rooms and voices differ by)."""
    lo_db, hi_db = rng.uniform(-8, 6), rng.uniform(-12, 6)
    f_lo, f_hi = rng.uniform(100, 500), rng.uniform(2000, 8000)
    hp = rng.uniform(20, 250)
    peaks = [(rng.uniform(150, 12000), rng.uniform(-9, 9), rng.uniform(0.5, 4))
             for _ in range(int(rng.integers(1, 3)))]

    def gain(f):
        f1 = np.maximum(f, 1.0)
        db = lo_db / (1 + (f1 / f_lo) ** 2) + hi_db / (1 + (f_hi / f1) ** 2)
        for fc, g_db, q in peaks:
            # a log-frequency bell: width ~ 1/q octaves
            db = db + g_db * np.exp(-0.5 * (np.log2(f1 / fc) * q * 2) ** 2)
        return 10 ** (db / 20) / np.sqrt(1 + (hp / f1) ** 4)

    return gain


def highpass_response(cut_hz):
    """A 4th-order-like high-pass magnitude at cut_hz (speech has nothing below ~70 Hz; rumble,
    handling noise and DC there are not voice)."""
    return lambda f: 1.0 / np.sqrt(1.0 + (cut_hz / np.maximum(f, 1e-3)) ** 8)


def lowpass_response(cut_hz):
    """A steep low-pass (about 400 Hz wide transition) at cut_hz."""
    return lambda f: np.clip((cut_hz - f) / 400 + 0.5, 0, 1)


def random_cutoff(rng):
    """Bandwidths of real devices and codecs: telephone 3.4-4 kHz, wideband 7-8 kHz, 11 and 16
    kHz, or anything log-uniform between 3 kHz and full band."""
    if rng.random() < 0.5:
        return float(rng.choice([3400.0, 4000.0, 7000.0, 8000.0, 11025.0, 16000.0, 20000.0]))
    return float(np.exp(rng.uniform(np.log(3000.0), np.log(22000.0))))


def clip(x, rng):
    """Hard clipping at 20-90 % of the peak (an overdriven preamp or ADC)."""
    level = float(np.max(np.abs(x))) * rng.uniform(0.2, 0.9)
    return np.clip(x, -level, level).astype(np.float32)


def quantize_16bit(x):
    return (np.round(x * 32768.0) / 32768.0).astype(np.float32)


def mute(rng, n):
    """A mask of 1s with one stretch of 0s: at the start (a file or stream that starts silent) or
    in the middle (mute, then unmute), 0.1-1.5 s long. Returns the float32 mask."""
    m = np.ones(n, dtype=np.float32)
    length = int(rng.uniform(0.1, 1.5) * SR)
    start = 0 if rng.random() < 0.5 else int(rng.integers(0, max(1, n - length)))
    m[start: start + length] = 0.0
    return m


def noise_onset(rng, n):
    """An envelope for the noise: 0 (half the time) or a floor 30-60 dB down until a random time
    in [0.1 s, n - 1 s], then 1, with a 5 ms raised-cosine ramp. Returns the float32 envelope."""
    env = np.ones(n, dtype=np.float32)
    start = int(rng.uniform(0.1 * SR, max(0.1 * SR + 1, n - SR)))
    floor = 0.0 if rng.random() < 0.5 else 10 ** (-rng.uniform(30, 60) / 20)
    ramp = int(0.005 * SR)
    env[:start] = floor
    r = floor + (1 - floor) * 0.5 * (1 - np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp))
    env[start: start + ramp] = r[: n - start]
    return env


def speech_lead(x, rng):
    """x delayed by a random 0.1-1 s (zeros in front, the end cut): speech that starts late."""
    lead = min(int(rng.uniform(0.1, 1.0) * SR), len(x))
    out = np.zeros_like(x)
    out[lead:] = x[: len(x) - lead]
    return out
