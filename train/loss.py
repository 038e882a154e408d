# SPDX-License-Identifier: MIT
"""Training loss: multi-resolution compressed spectral loss + SI-SDR + voice activity.

- Spectral term at three resolutions, the model's own 960-sample frames (20 ms) and STFTs of
  256 and 512 samples (5 and 11 ms: onsets and pre-echo count as much as harmonics):
  squared error of magnitudes compressed by |.|^0.3 (roughly loudness, so quiet consonants and
  residual noise in pauses matter as much as loud vowels), plus the same on the compressed complex
  spectrum (phase), plus an extra penalty on *missing* speech (target above output): removing
  speech is worse than leaving a little noise, and a denoiser that damages clean speech is useless.
- That penalty weighs (1 + w_onset) times more in the first ONSET_S after every speech onset (a
  frame 10 dB louder than anything in the ONSET_LOOKBACK_S before it, where that lookback lies
  inside the example), and (1 + w_start) times more in the example's first START_S of speech.
  Runs v4 (w_onset = w_start = 3) and v5 (w_onset = 3, where speech at an example's very start
  still counted as an onset) learned to let any noise that starts a stream through for 100-300
  ms: with no history, "open at once" is what such weights reward. So speech that is already
  there when an example starts is no onset, and the stream-start weight is its own, default 0.
  A causal model hears an onset with no context: left alone it learns to wait a few frames
  before it opens, and eats word attacks and the first syllable after a pause or at stream start
  (measured on model v3: -36/-19/-10/-7 dB on the first 40 ms of a word after a pause; a
  word-initial "f" at stream start lost 5-20 dB).
- Noise left in the output where the target is silent weighs (1 + w_cold) times more in the
  COLD_S after a *noise* onset: a frame of the additive noise alone (the mixer's noise track:
  noisy minus target would count the late reverb of every word too) 10 dB louder than anything
  in the ONSET_LOOKBACK_S before it, the past before an example counting as silence, so every
  example's start is one (a stream starts cold), and so is noise after a quiet stretch or a mute
  (a fan switched on, a keystroke in a quiet room). Run v6 (w_onset 3, noise-led examples)
  drifted open there late in training (noise at a stream's start +4.5/+7.0 dB louder than model
  v3 let it through, after a quiet stretch +27/+17 dB: tests/eval onsets.py) while its overall
  scores improved: the onset weight rewards opening on whatever starts, and nothing in the loss
  singled out the frames where what starts is noise.
- SI-SDR on the waveform, for examples that contain speech.
- Binary cross-entropy of the VAD head against the frame activity of the clean target.

Bandwidth mask: a clip recorded at 16 kHz has no speech above 8 kHz, so above its true bandwidth
the target says "silence" even while someone speaks. Training on that would teach the model to cut
the high band of real 48 kHz microphones. The spectral terms therefore ignore bins above the
example's bandwidth in frames where the target is active, but keep them in frames where the target
is silent (pauses, noise-only examples): there the truth is silence at every frequency, so noise
above the speech bandwidth is still learned to be removed. SI-SDR is computed on the output
band-limited the same way (all frames), so the high band never counts there.

Every example is normalised by the RMS of its noisy input first, so the loss does not depend on
the random playback level (the features are level-independent too).
"""
import math

import torch
from torch import nn

from model import cmul_real, istft

SR = 48000
ONSET_RISE = 10.0        # 10 dB louder than the loudest frame of the lookback: an onset
ONSET_LOOKBACK_S = 0.1
ONSET_S = 0.06           # how long after an onset over-suppression weighs more
START_S = 0.3            # and over the first 300 ms of speech in an example (a cold start)
COLD_S = 0.3             # how long after a noise onset residual noise weighs more
GRID_S = 480 / SR        # the model's hop: noise onsets are found on this grid
NOISE_FLOOR = 1e-3       # noise frames 30 dB under the example's loud ones start nothing


def _compress(z, gamma, eps=1e-12):
    """(|z|^gamma, z * |z|^(gamma-1)) with a finite gradient at 0."""
    p = z.real ** 2 + z.imag ** 2 + eps
    mag = p ** (gamma / 2)
    return mag, z * (p ** ((gamma - 1) / 2))


class _RFFT(torch.autograd.Function):
    """torch.fft.rfft over the last axis with a cheap backward: torch 1.13 differentiates rfft
    through a full complex FFT of zero-padded data, ten times slower than this real inverse.
    For a real loss, dL/dx_n = Re(sum_k G_k e^{+2 pi i k n / N}) over the half spectrum, which is
    N/2 * irfft of G with its first and last bins doubled."""

    @staticmethod
    def forward(ctx, x):
        ctx.n = x.shape[-1]
        return torch.fft.rfft(x)

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        g[..., 0] *= 2
        if ctx.n % 2 == 0:
            g[..., -1] *= 2
        return torch.fft.irfft(g, n=ctx.n) * (ctx.n / 2)


def stft(x, n, hop, window):
    """Frames x[B, N] (no padding: hop-aligned frames inside the signal) -> [B, T, n/2+1]."""
    frames = x.unfold(-1, n, hop) * window
    return _RFFT.apply(frames)


def si_sdr(est, ref, eps=1e-8):
    """Scale-invariant SDR in dB per example; est, ref [B, N]."""
    alpha = (est * ref).sum(-1, keepdim=True) / ((ref * ref).sum(-1, keepdim=True) + eps)
    proj = alpha * ref
    return 10 * torch.log10(((proj ** 2).sum(-1) + eps) / (((est - proj) ** 2).sum(-1) + eps))


class Loss(nn.Module):
    def __init__(self, fft_sizes=(256, 512), gamma=0.3, w_cplx=0.3, w_over=2.0,
                 w_sisdr=0.01, w_vad=0.05, active_db=-30.0, delay=480, w_onset=0.0,
                 w_start=0.0, w_cold=0.0):
        super().__init__()
        self.delay = delay  # the model's algorithmic delay: selects the synthesis window
        self.fft_sizes, self.gamma = tuple(fft_sizes), gamma
        self.w_cplx, self.w_over, self.w_sisdr, self.w_vad = w_cplx, w_over, w_sisdr, w_vad
        self.w_onset, self.w_start, self.w_cold = w_onset, w_start, w_cold
        self.active_ratio = 10 ** (active_db / 10)
        for n in self.fft_sizes:
            self.register_buffer(f"win{n}", torch.hann_window(n), persistent=False)

    def _bw_mask_481(self, bw):
        f = torch.arange(481, device=bw.device, dtype=torch.float32) * (SR / 960)
        return (f[None, :] < bw[:, None]).float()

    def _onset_weight(self, frame, active, hop_s):
        """1 + w_onset in frames within ONSET_S after a speech onset, 1 + w_start in the first
        START_S of active speech (the larger where both), else 1 (module docstring); frame
        [B, T] energies, active [B, T] bool."""
        look = max(1, round(ONSET_LOOKBACK_S / hop_s))
        hold = max(1, round(ONSET_S / hop_s))
        # an unknown past (before the example starts) is infinitely loud: no onset there
        before = nn.functional.max_pool1d(
            nn.functional.pad(frame[:, None, :], (look, 0), value=math.inf), look,
            stride=1)[:, 0, :-1]
        onset = (active & (frame > ONSET_RISE * before)).float()
        near = nn.functional.max_pool1d(
            nn.functional.pad(onset[:, None, :], (hold - 1, 0)), hold, stride=1)[:, 0, :]
        seen = torch.cumsum(active.float(), dim=1) * hop_s      # seconds of speech so far
        start = (active & (seen <= START_S)).float()
        return 1.0 + torch.maximum(self.w_onset * near, self.w_start * start)

    @staticmethod
    def _cold_frames(noise):
        """[B, T] bool on the model's grid: within COLD_S after a noise onset (module docstring).
        noise [B, T]: the additive noise's power per frame (any scale)."""
        floor = torch.quantile(noise, 0.95, dim=1, keepdim=True) * NOISE_FLOOR
        look = round(ONSET_LOOKBACK_S / GRID_S)
        hold = round(COLD_S / GRID_S)
        # the past before the example is silence: noise at its start is an onset
        before = nn.functional.max_pool1d(
            nn.functional.pad(noise[:, None, :], (look, 0)), look, stride=1)[:, 0, :-1]
        onset = ((noise > ONSET_RISE * before) & (noise > floor)).float()
        return nn.functional.max_pool1d(
            nn.functional.pad(onset[:, None, :], (hold - 1, 0)), hold, stride=1)[:, 0, :] > 0

    @staticmethod
    def _on_grid(cold, n_frames, hop_s):
        """cold [B, T] (model grid) read at the n_frames frames of a hop_s-second STFT."""
        idx = (torch.arange(n_frames, dtype=torch.float32) * (hop_s / GRID_S)).long()
        return cold[:, idx.clamp(max=cold.shape[1] - 1)]

    def _terms(self, ye, yt, bin_hz, bw, hop_s, cold):
        """Compressed magnitude, over-suppression, residual-noise and complex terms of two complex
        spectra [B, T, F] under the bandwidth/silence mask (module docstring), weighted and
        summed; cold: _cold_frames' [B, T] on the model's grid.
        Works on real (re, im) views: complex elementwise ops are several times slower."""
        g = self.gamma
        ye, eps = torch.view_as_real(ye), 1e-12
        with torch.no_grad():
            yt = torch.view_as_real(yt)
            pt = (yt * yt).sum(-1)
            frame = pt.sum(-1)                                                  # [B, T]
            ref = torch.quantile(frame, 0.95, dim=1, keepdim=True)
            silent = (frame <= ref * self.active_ratio)[:, :, None]
            f = torch.arange(pt.shape[-1], dtype=torch.float32) * bin_hz
            in_band = f[None, None, :] < bw[:, None, None]
            mask = (in_band | silent).float()
            over_w = self.w_over * self._onset_weight(frame, ~silent[..., 0], hop_s)[..., None]
            under_w = self.w_cold * (silent & self._on_grid(cold, frame.shape[1], hop_s)[..., None])
            denom = mask.sum() + 1.0
            pt = pt + eps
            mt = pt.pow(g / 2)
            ct = yt * (mt * pt.rsqrt())[..., None]
        pe = (ye * ye).sum(-1) + eps
        me = pe.pow(g / 2)
        ce = ye * (me * pe.rsqrt())[..., None]
        d = me - mt
        dc = ((ce - ct) ** 2).sum(-1)
        per_bin = (d * d + over_w * torch.relu(-d) ** 2 + under_w * torch.relu(d) ** 2
                   + self.w_cplx * dc)
        total = (mask * per_bin).sum() / denom
        with torch.no_grad():
            l_mag = (mask * d * d).sum() / denom
        return total, l_mag

    def forward(self, Y, S, vad_logit, batch):
        """Y enhanced and S clean spectra [B, T, 481] complex; vad_logit [B, T]; batch holds
        'bw' [B] (Hz), 'rms' [B], 'vad' [B, T], 'has_speech' [B] and, with w_cold, the additive
        noise's power per frame 'noise_pow' [B, T] (dataset.featurize). Returns (loss, components).

        Resolutions: the model's own 960-sample frames (Y and S directly, no extra transform)
        plus STFTs of the waveforms at each of fft_sizes (hop n/2) for finer time resolution."""
        bw, rms = batch["bw"], batch["rms"]
        scale = (1.0 / rms)
        parts = {}
        with torch.no_grad():
            cold = (self._cold_frames(batch["noise_pow"]) if self.w_cold
                    else torch.zeros(S.shape[:2], dtype=torch.bool))
        # the 960-point spectra are sqrt(960/n)-times larger than an n-point one of the same
        # signal: bring them to the 512-point scale so resolutions weigh alike
        k = (scale * math.sqrt(512 / 960))[:, None, None]
        spec, parts["mag960"] = self._terms(cmul_real(Y, k), cmul_real(S, k), SR / 960, bw,
                                             480 / SR, cold)
        y = istft(Y, self.delay) * scale[:, None]
        with torch.no_grad():
            s = istft(S, self.delay) * scale[:, None]
        for n in self.fft_sizes:
            win = getattr(self, f"win{n}")
            k = math.sqrt(512 / n)
            ye = stft(y, n, n // 2, win * k)
            with torch.no_grad():
                yt = stft(s, n, n // 2, win * k)
            l_spec, parts[f"mag{n}"] = self._terms(ye, yt, SR / n, bw, n / 2 / SR, cold)
            spec = spec + l_spec
        spec = spec / (1 + len(self.fft_sizes))
        parts["spec"] = spec.detach()

        y_bl = istft(cmul_real(Y, self._bw_mask_481(bw)[:, None, :]), self.delay) * scale[:, None]
        sdr = si_sdr(y_bl, s).clamp(max=50.0)
        has = batch["has_speech"]
        l_sdr = -(sdr * has).sum() / (has.sum() + 1e-6)
        parts["sisdr"] = -l_sdr.detach()

        l_vad = nn.functional.binary_cross_entropy_with_logits(vad_logit, batch["vad"])
        parts["vad"] = l_vad.detach()
        total = spec + self.w_sisdr * l_sdr + self.w_vad * l_vad
        parts["total"] = total.detach()
        return total, parts
