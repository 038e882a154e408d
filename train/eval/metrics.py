# SPDX-License-Identifier: MIT
"""Objective speech-quality metrics used to judge Vocana against its baselines.

Implemented from the papers, numpy only:

- SI-SDR: Le Roux, Wisdom, Erdogan, Hershey, "SDR - half-baked or well done?", ICASSP 2019.
- STOI:   Taal, Hendriks, Heusdens, Jensen, "An Algorithm for Intelligibility Prediction of
          Time-Frequency Weighted Noisy Speech", IEEE TASLP 19(7), 2011.
- ESTOI:  Jensen, Taal, "An Algorithm for Predicting the Intelligibility of Speech Masked by
          Modulated Noise Maskers", IEEE/ACM TASLP 24(11), 2016.

Every public scorer takes (reference, processed) mono float arrays at `fs_hz` and does NOT align;
`score()` aligns first (a denoiser's output lags its input) and is what the evaluator uses.
"""

import math

import numpy as np

# ---- STOI / ESTOI constants (Taal 2011, section II; Jensen 2016 keeps them) ----
STOI_FS_HZ = 10000          # analysis rate: intelligibility lives below 5 kHz
STOI_FRAME = 256            # 25.6 ms Hann frames ...
STOI_HOP = STOI_FRAME // 2  # ... with 50 % overlap
STOI_NFFT = 512             # zero-padded to 512 points
STOI_BANDS = 15             # one-third-octave bands ...
STOI_MIN_HZ = 150.0         # ... whose first centre is 150 Hz (last one ~3.8 kHz)
STOI_SEG = 30               # N = 30 frames = 384 ms of envelope per intermediate measure
STOI_BETA_DB = -15.0        # lower signal-to-distortion bound for the clipping
STOI_DYN_RANGE_DB = 40.0    # frames more than 40 dB below the loudest clean frame are silence

# Guards a division whose numerator is then zero too; signals are normalised to unit RMS first,
# so this is far below any real band energy.
_EPS = 1e-20


def _as_mono(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("expected a mono 1-D signal, got shape %s" % (x.shape,))
    return x


# ----------------------------------------------------------------------------------------------
# SI-SDR
# ----------------------------------------------------------------------------------------------

def si_sdr(reference, processed):
    """Scale-invariant SDR in dB (Le Roux et al. 2019, eq. 8), both signals made zero-mean.

    The target is the projection of `processed` onto `reference`; everything else is distortion.
    """
    s = _as_mono(reference)
    y = _as_mono(processed)
    n = min(len(s), len(y))
    s = s[:n] - np.mean(s[:n])
    y = y[:n] - np.mean(y[:n])
    ss = float(np.dot(s, s))
    if ss <= 0.0:
        raise ValueError("si_sdr: reference is silent")
    alpha = float(np.dot(y, s)) / ss
    target = alpha * s
    err = y - target
    te = float(np.dot(target, target))
    ee = float(np.dot(err, err))
    if te <= 0.0:                 # silent or orthogonal output: nothing of the target left
        return -math.inf
    if ee <= 0.0:
        return math.inf
    return 10.0 * math.log10(te / ee)


# ----------------------------------------------------------------------------------------------
# Alignment
# ----------------------------------------------------------------------------------------------

def find_lag(reference, processed, fs_hz=48000, max_lag_ms=100.0):
    """Integer lag L (samples) maximising sum_n reference[n] * processed[n + L], |L| <= max lag.

    L > 0: `processed` is late (a causal denoiser's latency). Cross-correlation via one FFT.
    """
    r = _as_mono(reference)
    p = _as_mono(processed)
    max_lag = int(round(max_lag_ms * fs_hz / 1000.0))
    n = len(r) + len(p) - 1
    nfft = 1 << (n - 1).bit_length()
    # corr[L] = sum_n r[n] p[n + L]  ==  irfft(conj(R) * P)[L]  (negative L wrap to the end)
    corr = np.fft.irfft(np.conj(np.fft.rfft(r, nfft)) * np.fft.rfft(p, nfft), nfft)
    pos = corr[:min(max_lag, len(p) - 1) + 1]
    neg_count = min(max_lag, len(r) - 1)
    neg = corr[nfft - neg_count:] if neg_count > 0 else corr[:0]  # lags -neg_count .. -1
    cand = np.concatenate([neg, pos])
    lags = np.arange(-neg_count, len(pos))
    return int(lags[int(np.argmax(cand))])


def align(reference, processed, fs_hz=48000, max_lag_ms=100.0):
    """Align `processed` to `reference` by the best integer lag and trim both to the common span.

    Returns (reference_trimmed, processed_trimmed, lag_samples), equal lengths.
    """
    r = _as_mono(reference)
    p = _as_mono(processed)
    lag = find_lag(r, p, fs_hz, max_lag_ms)
    if lag >= 0:
        p = p[lag:]
    else:
        r = r[-lag:]
    n = min(len(r), len(p))
    return r[:n], p[:n], lag


# ----------------------------------------------------------------------------------------------
# STOI / ESTOI
# ----------------------------------------------------------------------------------------------

def _resample(x, fs_from, fs_to):
    """Rational-rate polyphase resampling: upsample by p, Kaiser-windowed sinc low-pass, keep every
    q-th sample (the design of MATLAB's resample(), which the STOI reference code calls).

    Numpy only, so the metrics need no scipy. The filter has 10 zero crossings per side at the
    lower of the two Nyquist rates and a Kaiser window with beta = 5; its group delay is removed,
    so output sample i sits at input time i * fs_from / fs_to.
    """
    if fs_from == fs_to:
        return x
    g = math.gcd(int(fs_from), int(fs_to))
    up, down = int(fs_to) // g, int(fs_from) // g
    m = max(up, down)
    half = 10 * m
    k = np.arange(-half, half + 1)
    h = np.sinc(k / m) * np.kaiser(2 * half + 1, 5.0)   # cutoff at pi/m, unit DC gain per phase
    h *= up / np.sum(h)
    # Polyphase form of "zero-stuff by up, filter, keep every down-th": output i is the dot product
    # of the T input samples x[j0(i) .. j0(i)+T-1] with every up-th filter tap, starting from tap
    # i*down + half - j0(i)*up, which repeats with period up in i; so one matrix-vector product
    # per phase does all outputs of that phase.
    n_out = -(-len(x) * up // down)                     # ceil(len * up / down)
    taps_n = 2 * half // up + 1
    i = np.arange(n_out)
    j0 = -((half - i * down) // up)                     # ceil((i*down - half) / up)
    first_tap = i * down + half - j0 * up               # in (2*half - up, 2*half]
    pad = half // up + taps_n + 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, (pad, pad)), taps_n)
    y = np.empty(n_out)
    for r in range(min(up, n_out)):
        tap_idx = first_tap[r] - up * np.arange(taps_n)
        taps = np.where(tap_idx >= 0, h[np.maximum(tap_idx, 0)], 0.0)
        y[r::up] = windows[j0[r::up] + pad] @ taps
    return y


def _hann(n):
    # MATLAB hanning(n): the symmetric Hann window without its zero end points.
    k = np.arange(1, n + 1)
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * k / (n + 1)))


def _frames(x, frame, hop):
    """Rows are the frames of x starting at 0, hop, 2*hop, ... < len(x) - frame.

    The strict bound follows the MATLAB reference code (`1:K:(length(x)-N)`), which never uses the
    last full frame when it ends exactly at the signal's end; keeping it changes scores by ~1e-4.
    """
    count = (len(x) - frame - 1) // hop + 1
    if count <= 0:
        return np.zeros((0, frame))
    idx = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    return x[idx]


def _overlap_add(frames, hop):
    count, frame = frames.shape
    out = np.zeros((count - 1) * hop + frame if count else 0)
    for i in range(count):
        out[i * hop:i * hop + frame] += frames[i]
    return out


def remove_silent_frames(x, y, dyn_range_db=STOI_DYN_RANGE_DB, frame=STOI_FRAME, hop=STOI_HOP):
    """Drop the frames where the clean signal is more than `dyn_range_db` below its loudest frame
    (Taal 2011, sec. II-A: silence carries no intelligibility), then overlap-add what is left."""
    w = _hann(frame)
    xf = _frames(x, frame, hop) * w
    yf = _frames(y, frame, hop) * w
    energy_db = 20.0 * np.log10(np.linalg.norm(xf, axis=1) + np.finfo(np.float64).eps)
    keep = energy_db > (np.max(energy_db) - dyn_range_db)
    return _overlap_add(xf[keep], hop), _overlap_add(yf[keep], hop)


def third_octave_matrix(fs_hz=STOI_FS_HZ, nfft=STOI_NFFT, bands=STOI_BANDS, min_hz=STOI_MIN_HZ):
    """[bands, nfft/2+1] 0/1 matrix grouping DFT bins into one-third-octave bands.

    Band k has centre min_hz * 2^(k/3) and edges at the geometric means with its neighbours'
    centres, min_hz * 2^((2k -/+ 1)/6); each edge snaps to the nearest bin, the upper one exclusive.
    """
    f = np.arange(nfft // 2 + 1) * fs_hz / nfft
    k = np.arange(bands)
    lo = min_hz * 2.0 ** ((2 * k - 1) / 6.0)
    hi = min_hz * 2.0 ** ((2 * k + 1) / 6.0)
    a = np.zeros((bands, len(f)))
    for b in range(bands):
        lo_bin = int(np.argmin((f - lo[b]) ** 2))
        hi_bin = int(np.argmin((f - hi[b]) ** 2))
        a[b, lo_bin:hi_bin] = 1.0
    return a


def _band_envelopes(x):
    """[bands, frames] one-third-octave magnitudes: sqrt of the summed |X(k,m)|^2 in each band."""
    w = _hann(STOI_FRAME)
    spec = np.fft.rfft(_frames(x, STOI_FRAME, STOI_HOP) * w, STOI_NFFT, axis=1)  # [frames, bins]
    power = np.abs(spec) ** 2
    return np.sqrt(third_octave_matrix() @ power.T)


def _prepare(reference, processed, fs_hz):
    """Shared front end of STOI and ESTOI: resample, drop silence, TF-decompose, cut segments.

    Returns two [segments, bands, N] arrays (segment m holds frames m .. m+N-1).
    """
    x = _as_mono(reference)
    y = _as_mono(processed)
    if len(x) != len(y):
        raise ValueError("stoi: reference and processed differ in length (%d vs %d); align first"
                         % (len(x), len(y)))
    # Both measures are invariant to the scale of either input; unit RMS keeps _EPS negligible.
    xr = math.sqrt(float(np.mean(x * x)))
    yr = math.sqrt(float(np.mean(y * y)))
    if xr <= 0.0:
        raise ValueError("stoi: reference is silent")
    x = _resample(x / xr, fs_hz, STOI_FS_HZ)
    y = _resample(y / yr if yr > 0.0 else y, fs_hz, STOI_FS_HZ)
    x, y = remove_silent_frames(x, y)
    xe = _band_envelopes(x)
    ye = _band_envelopes(y)
    frames = xe.shape[1]
    if frames < STOI_SEG:
        raise ValueError("stoi: need at least %d non-silent frames (%.0f ms at 10 kHz), got %d"
                         % (STOI_SEG, (STOI_SEG + 1) * STOI_HOP / 10.0, frames))
    # Sliding windows of N frames ending at every frame from N on (Taal 2011, eq. 2).
    idx = np.arange(STOI_SEG)[None, :] + np.arange(frames - STOI_SEG + 1)[:, None]
    xs = np.transpose(xe[:, idx], (1, 0, 2))
    ys = np.transpose(ye[:, idx], (1, 0, 2))
    return xs, ys


def _normalise_rows(a):
    """Zero mean, unit norm along the last axis."""
    a = a - np.mean(a, axis=-1, keepdims=True)
    return a / (np.linalg.norm(a, axis=-1, keepdims=True) + _EPS)


def stoi(reference, processed, fs_hz=48000):
    """Short-time objective intelligibility (Taal et al. 2011), in [-1, 1], ~[0.4, 1] for speech.

    Inputs must be time-aligned and of equal length (see align()/score()).
    """
    return _stoi_segments(*_prepare(reference, processed, fs_hz))


def _stoi_segments(xs, ys):
    # Normalise each band's processed envelope to the clean one's energy over the segment, then
    # clip it so that no unit's signal-to-distortion ratio falls below beta (eq. 3): one badly
    # corrupted unit must not dominate the correlation.
    alpha = np.linalg.norm(xs, axis=2, keepdims=True) / (np.linalg.norm(ys, axis=2, keepdims=True)
                                                         + _EPS)
    clip = 1.0 + 10.0 ** (-STOI_BETA_DB / 20.0)
    yc = np.minimum(alpha * ys, clip * xs)
    # Intermediate measure: correlation per band and segment (eq. 4), averaged over all (eq. 5).
    d = np.sum(_normalise_rows(xs) * _normalise_rows(yc), axis=2)
    return float(np.mean(d))


def estoi(reference, processed, fs_hz=48000):
    """Extended STOI (Jensen & Taal 2016): spectral correlation of normalised segments, no clipping.

    Each J x N segment is normalised to zero mean / unit norm along time in every band (rows), then
    along frequency in every frame (columns); the intermediate measure is the mean over the N
    frames of the inner product of the clean and processed columns (eq. 9-10 in the paper).
    """
    return _estoi_segments(*_prepare(reference, processed, fs_hz))


def _estoi_segments(xs, ys):
    xn = _normalise_rows(xs)                      # rows: along time, per band
    yn = _normalise_rows(ys)
    xn = np.swapaxes(_normalise_rows(np.swapaxes(xn, 1, 2)), 1, 2)   # columns: along frequency
    yn = np.swapaxes(_normalise_rows(np.swapaxes(yn, 1, 2)), 1, 2)
    d = np.sum(xn * yn, axis=(1, 2)) / STOI_SEG
    return float(np.mean(d))


def score(reference, processed, fs_hz=48000, max_lag_ms=100.0):
    """Align `processed` to `reference`, then return {'si_sdr', 'stoi', 'estoi', 'lag'}."""
    r, p, lag = align(reference, processed, fs_hz, max_lag_ms)
    xs, ys = _prepare(r, p, fs_hz)
    return {
        "si_sdr": si_sdr(r, p),
        "stoi": _stoi_segments(xs, ys),
        "estoi": _estoi_segments(xs, ys),
        "lag": lag,
    }
