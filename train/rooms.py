# SPDX-License-Identifier: MIT
"""Room impulse responses for training: measured, simulated (image method) and statistical.

Every function returns (h, early): the full response with its direct path at index 0 and unit
amplitude there, and its first EARLY_MS, which is what the training target keeps (dataset.py):
early reflections colour a voice but do not smear it, and a causal low-latency model cannot undo
them; the late tail is what sounds like "a room" and is removed.

- measured: a response from a cache collection (kind "rir", fetch_data.py), trimmed to start 1 ms
  before its direct-path peak;
- image_method: a shoebox room after Allen & Berkley ("Image method for efficiently simulating
  small-room acoustics", JASA 1979): every mirror image of the source up to IMAGE_MS of delay, with
  per-wall reflection coefficients, 1/r spreading and the delay rounded to the sample; beyond that,
  a Gaussian tail decaying at the room's Eyring RT60 continues the response;
- statistical: direct path + exponentially decaying Gaussian tail (the sessions 1-3 model).
"""
import math

import numpy as np

SR = 48000
EARLY_MS = 50.0
SPEED_OF_SOUND = 343.0
IMAGE_MS = 120.0          # images up to this delay after the direct path; a statistical tail after
MAX_RIR_S = 1.0


def _split(h):
    h = h.astype(np.float32)
    n_early = int(EARLY_MS / 1000 * SR) + 1
    return h, h[:n_early].copy()


def _lowpass_late(rng, h, t, rt60):
    """High frequencies decay faster (air and wall absorption): blend towards a low-passed copy
    of the response as it gets later."""
    n = len(h)
    spec = np.fft.rfft(h)
    f = np.fft.rfftfreq(n, 1.0 / SR)
    lp = np.fft.irfft(spec / (1.0 + (f / rng.uniform(2000, 6000)) ** 2), n)
    late = np.clip(t / max(rt60, 1e-3), 0, 1)
    return (1 - late) * h + late * lp


def remove_rumble(h, cutoff_hz=60.0):
    """A causal high-pass: h minus its running mean over one period of cutoff_hz (cumulative sums,
    no pre-ringing before the direct path). Image sources all reflect in phase, so below ~50 Hz
    their early part adds up to 10-80x the direct path (no real wall and no microphone does
    that), and targets of rumbly recordings were then mostly below 100 Hz."""
    n = max(1, int(SR / cutoff_hz))
    c = np.cumsum(np.concatenate([np.zeros(n), h]))
    return h - (c[n:] - c[:-n]) / n


def statistical(rng):
    rt60 = rng.uniform(0.1, 0.8)
    n = int(min(1.2 * rt60, MAX_RIR_S) * SR)
    t = np.arange(n) / SR
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    tail[: int(rng.uniform(0.001, 0.01) * SR)] = 0
    tail = _lowpass_late(rng, tail, t, rt60)
    drr_db = rng.uniform(-6, 12)
    tail *= math.sqrt(10 ** (-drr_db / 10) / max(np.sum(tail ** 2), 1e-12))
    tail[0] = 1.0
    return _split(tail)


def image_method(rng):
    """A random shoebox room, source and microphone (at least 0.3 m from walls and 0.2 m apart)."""
    room = np.array([rng.uniform(2.5, 10.0), rng.uniform(2.5, 8.0), rng.uniform(2.3, 4.0)])
    refl = rng.uniform(0.3, 0.95, size=6)  # pressure reflection coefficients: x0, x1, y0, y1, z0, z1
    while True:
        src = rng.uniform(0.3, room - 0.3)
        mic = rng.uniform(0.3, room - 0.3)
        if np.linalg.norm(src - mic) > 0.2:
            break
    d0 = np.linalg.norm(src - mic)
    max_dist = d0 + SPEED_OF_SOUND * IMAGE_MS / 1000
    # image positions along one axis: x_n = 2 n L +- s, with n walls crossed at each end
    orders = [np.arange(-int(max_dist / (2 * L)) - 1, int(max_dist / (2 * L)) + 2) for L in room]
    pos, gain = [], []
    for axis in range(3):
        n = orders[axis]
        L, s = room[axis], src[axis]
        b0, b1 = refl[2 * axis], refl[2 * axis + 1]
        # mirrored (q = 1) and direct (q = 0) images: reflections off wall 0 and wall 1
        p_direct = 2 * n * L + s
        g_direct = b0 ** np.abs(n) * b1 ** np.abs(n)
        p_mirror = 2 * n * L - s
        g_mirror = b0 ** np.abs(n - 1) * b1 ** np.abs(n)
        pos.append(np.concatenate([p_direct, p_mirror]) - mic[axis])
        gain.append(np.concatenate([g_direct, g_mirror]))
    dx, dy, dz = np.meshgrid(pos[0], pos[1], pos[2], indexing="ij", sparse=True)
    gx, gy, gz = np.meshgrid(gain[0], gain[1], gain[2], indexing="ij", sparse=True)
    dist = np.sqrt(dx * dx + dy * dy + dz * dz)
    g = (gx * gy * gz) / np.maximum(dist, 0.05)
    keep = dist <= max_dist
    dist, g = dist[keep], g[keep]
    delay = np.rint((dist - d0) / SPEED_OF_SOUND * SR).astype(np.int64)
    n_img = int(IMAGE_MS / 1000 * SR) + 1
    h = np.zeros(n_img)
    ok = delay < n_img
    np.add.at(h, delay[ok], g[ok])
    h /= max(h[0], 1e-9)
    # Eyring RT60 of the room: the tail continues the decay of the images
    area = 2 * (room[0] * room[1] + room[0] * room[2] + room[1] * room[2])
    walls = np.array([room[1] * room[2]] * 2 + [room[0] * room[2]] * 2 + [room[0] * room[1]] * 2)
    alpha = float(np.sum(walls * (1 - refl ** 2)) / area)
    rt60 = 0.161 * np.prod(room) / (-area * math.log(max(1 - alpha, 1e-3)))
    rt60 = float(np.clip(rt60, 0.1, 1.5))
    n = int(min(1.2 * rt60 + IMAGE_MS / 1000, MAX_RIR_S) * SR)
    t = np.arange(n) / SR
    full = np.zeros(n)
    full[: min(n, n_img)] = h[: min(n, n_img)]
    if n > n_img:
        # match the tail's level to the energy density of the last 20 ms of images
        ref = h[n_img - int(0.02 * SR):]
        level = math.sqrt(max(np.mean(ref ** 2), 1e-12))
        tail = rng.standard_normal(n - n_img) * level * np.exp(-6.9 * (t[n_img:] - t[n_img]) / rt60)
        full[n_img:] = tail
    full[1:] = _lowpass_late(rng, full, t, rt60)[1:]
    full[0] = 1.0
    full = remove_rumble(full)
    return _split(full / full[0])


def measured(rng, col):
    """A measured response from a cache collection (dataset.Collection of kind 'rir')."""
    h = col.clip(col.random_clip(rng)).astype(np.float64)
    peak = int(np.argmax(np.abs(h)))
    start = max(0, peak - int(0.001 * SR))
    h = h[start: start + int(MAX_RIR_S * SR)]
    d = peak - start
    h = h / h[d]
    # the direct path at index 0 (a pure delay of d samples would shift the target against the
    # input; what comes before the peak is the microphone's and converter's ringing)
    h = h[d:]
    # fade the last 50 ms so a truncated response does not end with a step
    m = min(len(h), int(0.05 * SR))
    h[-m:] *= np.linspace(1, 0, m)
    return _split(h)


class RoomBank:
    """Draws a response: measured (when a 'rir' collection of this split exists), image method
    (a few ms each) or statistical."""

    def __init__(self, rir_collections, p_measured=0.4, p_image=0.35):
        self.cols = [c for c in rir_collections if c.clips]
        self.p_measured = p_measured if self.cols else 0.0
        self.p_image = p_image

    def draw(self, rng):
        u = rng.random()
        if u < self.p_measured:
            return measured(rng, self.cols[int(rng.integers(len(self.cols)))])
        if u < self.p_measured + self.p_image:
            return image_method(rng)
        return statistical(rng)
