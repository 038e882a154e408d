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
from vocana_lib import HOP, N_BANDS as N_ERB, N_BINS

WIN = 2 * HOP

# The hyper-parameters of architecture 1 in the order the model file stores them
# (docs/model-format.md), and the values of the shipped default model. Everything in train/ that
# needs them by name or by position takes them from here.
HPARAM_NAMES = ("n_erb", "n_df", "df_order", "enc_dim", "hidden", "n_gru", "delay")
DEFAULT_HPARAMS = {"n_erb": N_ERB, "n_df": 96, "df_order": 3, "enc_dim": 64, "hidden": 256,
                   "n_gru": 2, "delay": 120}


class VDFL(nn.Module):
    ARCH_ID = 1

    def __init__(self, n_erb=N_ERB, n_df=DEFAULT_HPARAMS["n_df"],
                 df_order=DEFAULT_HPARAMS["df_order"], enc_dim=DEFAULT_HPARAMS["enc_dim"],
                 hidden=DEFAULT_HPARAMS["hidden"], n_gru=DEFAULT_HPARAMS["n_gru"],
                 delay=DEFAULT_HPARAMS["delay"]):
        super().__init__()
        if n_erb != N_ERB or not 1 <= n_gru <= 4 or not 1 <= df_order <= 8 or not 32 <= delay <= HOP:
            raise ValueError("hyper-parameters outside the architecture's limits")
        # delay: algorithmic latency in samples, which selects the STFT window pair (480: the
        # symmetric Vorbis pair; less: an asymmetric low-delay pair). Not a weight: the network
        # is the same, but it must be trained on the spectra of the window it will run with.
        self.delay = delay
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
        """The hyper-parameters as the model file stores them (HPARAM_NAMES order)."""
        return [getattr(self, k) for k in HPARAM_NAMES]

    @classmethod
    def from_hparams(cls, hp):
        """A model from a list in file order (6 values: from before the low-delay windows, delay
        480) or a dict by name (missing names: DEFAULT_HPARAMS)."""
        if not isinstance(hp, dict):
            hp = dict(zip(HPARAM_NAMES, hp))
            hp.setdefault("delay", HOP)
        return cls(**{k: hp.get(k, DEFAULT_HPARAMS[k]) for k in HPARAM_NAMES})

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


def widen_from(model, state):
    """Load the state_dict of a narrower model of the same architecture (smaller `hidden`, other
    hyper-parameters equal) so that `model` computes exactly what the narrow one did.

    The old hidden units keep their weights and get zero weights from the new units, and the heads
    get zero weights from the new units, so the output is unchanged; the new units keep their
    random initial weights (from anything), so they have activity and the zero weights out of them
    receive gradient from the first step (an all-zero unit would stay zero forever)."""
    own = model.state_dict()
    with torch.no_grad():
        for name, new in own.items():
            old = state[name]
            if old.shape == new.shape:
                new.copy_(old)
            elif name.startswith("gru"):
                # rows: gates r, z, n of H units each; columns: inputs (previous layer or H)
                h_new, h_old = new.shape[0] // 3, old.shape[0] // 3
                for g in range(3):
                    rows = slice(g * h_new, g * h_new + h_old)
                    if new.dim() == 2:
                        new[rows] = 0.0
                        new[rows, : old.shape[1]] = old[g * h_old: (g + 1) * h_old]
                    else:
                        new[rows] = old[g * h_old: (g + 1) * h_old]
            elif name.startswith("head_") and new.dim() == 2:
                new.zero_()
                new[:, : old.shape[1]] = old
            else:
                raise ValueError(f"cannot widen {name}: {tuple(old.shape)} -> {tuple(new.shape)}")
    model.load_state_dict(own)


def synthesis_window(delay=HOP, device=None):
    """The C library's synthesis window for this delay (never re-implemented here)."""
    key = (delay, str(device))
    if key not in _WINDOWS:
        import vocana_lib  # late: model.py is also imported where no library is needed
        _WINDOWS[key] = torch.from_numpy(vocana_lib.load().windows(delay)[1].copy()).to(device)
    return _WINDOWS[key]


def istft(spec, delay=HOP):
    """Differentiable synthesis exactly as the C engine: y = irfft(Y) / 960 * w_s, overlap-added.

    spec [B, T, K] complex -> [B, T * 480] samples: sample n is output sample n of the engine,
    i.e. the input delayed by `delay` samples when spec is the unmodified analysis (made with
    the analysis window of the same delay).
    """
    b, t, _ = spec.shape
    frames = torch.fft.irfft(spec, n=WIN, dim=-1) * synthesis_window(delay, spec.device)
    frames = frames.transpose(1, 2)                                              # [B, 960, T]
    out = torch.nn.functional.fold(frames, output_size=(1, (t + 1) * HOP), kernel_size=(1, WIN),
                                   stride=(1, HOP))
    # fold position p holds input sample p - 480 (frame t covers input [480(t-1), 480(t+1))), so
    # the engine's output sample n (input n - delay) is at p = n + 480 - delay
    start = HOP - delay
    return out.reshape(b, -1)[:, start: start + t * HOP]


def count_params(model):
    return sum(p.numel() for p in model.parameters())
