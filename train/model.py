# SPDX-License-Identifier: MIT
"""PyTorch mirror of architecture 1 ("vdfl", docs/architecture.md) and its output stage.

The module's parameter names are the model file's tensor names (export.py maps
gru{i}.weight_ih_l0 -> gru{i}.weight_ih, the only renaming), and every operation follows the
C engine exactly, so a trained model exported to a .vcm behaves the same in the denoiser
(tests/train/test_parity.py checks this against the C code).

Shapes: B batch, T frames (hops of 480 samples), F = 32 + 2 * n_df features, K = 481 bins.
Complex spectra are torch complex64 tensors [B, T, K] (the unnormalised FFT of the windowed frame,
exactly what vocana_dev_analyze returns).
"""
import math

import numpy as np
import torch
from torch import nn

import fastops

HOP = 480
WIN = 960
N_BINS = 481
N_ERB = 32


class VDFL(nn.Module):
    ARCH_ID = 1

    def __init__(self, n_erb=N_ERB, n_df=96, df_order=3, enc_dim=64, hidden=128, n_gru=2):
        super().__init__()
        if n_erb != N_ERB or not 1 <= n_gru <= 4 or not 1 <= df_order <= 8:
            raise ValueError("hyper-parameters outside the architecture's limits")
        self.n_erb, self.n_df, self.df_order = n_erb, n_df, df_order
        self.enc_dim, self.hidden, self.n_gru = enc_dim, hidden, n_gru
        self.enc_erb = nn.Linear(n_erb, enc_dim)
        self.enc_df = nn.Linear(2 * n_df, enc_dim)
        for i in range(1, n_gru + 1):
            setattr(self, f"gru{i}", nn.GRU(2 * enc_dim if i == 1 else hidden, hidden,
                                            batch_first=True))
        self.head_gain = nn.Linear(hidden, n_erb)
        self.head_df = nn.Linear(hidden, n_df * df_order * 2)
        self.head_vad = nn.Linear(hidden, 1)
        self._init_heads()

    def _init_heads(self):
        # Start near "pass everything": gains ~0.9 and a deep filter that is the identity
        # (C_{k,0} = 1, i.e. tanh^-1 of ~1 on the real part of the current frame). A fresh model
        # then leaves speech alone and learns what to remove, instead of first learning to undo
        # random suppression.
        with torch.no_grad():
            self.head_gain.weight.mul_(0.1)
            self.head_gain.bias.fill_(2.0)
            self.head_df.weight.mul_(0.1)
            b = torch.zeros(self.n_df, self.df_order, 2)
            b[:, 0, 0] = 2.0  # tanh(2) = 0.96
            self.head_df.bias.copy_(b.reshape(-1))

    def hparams(self):
        return [self.n_erb, self.n_df, self.df_order, self.enc_dim, self.hidden, self.n_gru]

    def forward(self, feat, state=None):
        """feat [B, T, F] -> gains [B, T, n_erb], df coefs [B, T, n_df*df_order*2] (tanh),
        vad logits [B, T] (the engine outputs sigmoid of these), new GRU states ([B, H] each).
        Products go through fastops (OpenBLAS when available, else plain torch)."""
        lin = fastops.linear
        e = torch.relu(lin(feat[..., : self.n_erb], self.enc_erb.weight, self.enc_erb.bias))
        d = torch.relu(lin(feat[..., self.n_erb:], self.enc_df.weight, self.enc_df.bias))
        h = torch.cat([e, d], dim=-1)
        new_state = []
        for i in range(1, self.n_gru + 1):
            g = getattr(self, f"gru{i}")
            h, s = fastops.gru(h, None if state is None else state[i - 1], g.weight_ih_l0,
                               g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0)
            new_state.append(s)
        gains = torch.sigmoid(lin(h, self.head_gain.weight, self.head_gain.bias))
        coefs = torch.tanh(lin(h, self.head_df.weight, self.head_df.bias))
        vad_logit = lin(h, self.head_vad.weight, self.head_vad.bias).squeeze(-1)
        return gains, coefs, vad_logit, new_state


def band_interp_matrix(centers):
    """[32, 481] matrix W with G = g @ W: bin k between centres c_b and c_{b+1} gets weight
    1 - (k - c_b)/(c_{b+1} - c_b) from band b and the rest from band b+1 (architecture.md)."""
    c = [int(v) for v in centers]
    w = np.zeros((len(c), N_BINS), dtype=np.float32)
    for b in range(len(c) - 1):
        for k in range(c[b], c[b + 1]):
            hi = (k - c[b]) / (c[b + 1] - c[b])
            w[b, k] = 1.0 - hi
            w[b + 1, k] = hi
    w[len(c) - 1, c[-1]] = 1.0
    return torch.from_numpy(w)


def cmul_real(z, r):
    """Complex tensor times a real one (broadcast). torch 1.13 runs complex*real through a slow
    type-promotion path (30x slower than this view)."""
    return torch.view_as_complex(torch.view_as_real(z) * r.unsqueeze(-1))


def apply_output(spec, gains, coefs, interp, n_df, df_order):
    """Output spectrum (architecture.md, "Output spectrum", without the attenuation limit).

    spec [B, T, K] complex noisy spectrum, gains [B, T, 32], coefs [B, T, n_df*df_order*2],
    interp [32, K]. Returns the enhanced complex spectrum [B, T, K].
    """
    g = gains @ interp                                  # [B, T, K]
    y = cmul_real(spec, g)
    b, t, _ = spec.shape
    c = coefs.reshape(b, t, n_df, df_order, 2)
    c = torch.complex(c[..., 0], c[..., 1])             # [B, T, n_df, order]
    low = spec[..., :n_df]
    pad = torch.nn.functional.pad(torch.view_as_real(low), (0, 0, 0, 0, df_order - 1, 0))
    pad = torch.view_as_complex(pad.contiguous())        # [B, T + order - 1, n_df]
    # past[..., i] = X[t - i]
    past = torch.stack([pad[:, df_order - 1 - i: df_order - 1 - i + t] for i in range(df_order)],
                       dim=-1)
    y_low = (c * past).sum(-1)
    return torch.cat([y_low, y[..., n_df:]], dim=-1)


_WINDOWS = {}


def vorbis_window(device=None):
    key = str(device)
    if key not in _WINDOWS:
        n = torch.arange(WIN, dtype=torch.float64)
        w = torch.sin(math.pi / 2 * torch.sin(math.pi * (n + 0.5) / WIN) ** 2)
        _WINDOWS[key] = w.float().to(device)
    return _WINDOWS[key]


def istft(spec):
    """Differentiable synthesis exactly as the C engine: y = irfft(Y) / 960 * w, overlap-added.

    spec [B, T, K] complex -> [B, T * 480] samples: sample n is output sample n of the engine,
    i.e. the input delayed by 480 samples when spec is the unmodified analysis.
    """
    b, t, _ = spec.shape
    frames = torch.fft.irfft(spec, n=WIN, dim=-1) * vorbis_window(spec.device)  # irfft divides by N
    frames = frames.transpose(1, 2)                                              # [B, 960, T]
    out = torch.nn.functional.fold(frames, output_size=(1, (t + 1) * HOP), kernel_size=(1, WIN),
                                   stride=(1, HOP))
    return out.reshape(b, -1)[:, : t * HOP]


def count_params(model):
    return sum(p.numel() for p in model.parameters())
