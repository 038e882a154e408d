# SPDX-License-Identifier: MIT
"""PyTorch <-> C parity of the vdfl model and of the output stage.

Usage: test_parity.py PATH/TO/libvocana.so   (exit 77 = skipped: no torch/numpy)

1. istft: C analysis -> torch synthesis gives back the input delayed by exactly 480 samples, and
   the torch output stage with unit gains and an identity deep filter changes nothing.
2. network: seeded random models (the default size and an odd small one, f32 and f16 files) are
   exported with train/export.py, loaded by the C library, and run over 50 frames of real
   features; gains, deep-filter coefficients and VAD must match PyTorch within 1e-4.
"""
import os
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("SKIP: torch or numpy missing")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "train"))

import export  # noqa: E402
import vocana_lib  # noqa: E402
from model import VDFL, apply_output, band_interp_matrix, istft  # noqa: E402

TOL = 1e-4
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    if not ok:
        failures.append(name)


def test_signal(n_frames, seed):
    """Speech-like test input: harmonics with a moving pitch, noise, and a silent gap."""
    rng = np.random.default_rng(seed)
    n = n_frames * 480
    t = np.arange(n) / 48000
    f0 = 140 + 40 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 48000
    x = sum(0.1 / h * np.sin(h * phase) for h in range(1, 12))
    x = x + 0.02 * rng.standard_normal(n)
    x[n // 3: n // 3 + 4800] *= 0.001
    return x.astype(np.float32)


def test_istft(lib):
    x = test_signal(50, 1)
    spec = torch.from_numpy(lib.analyze(x, 96, features=False))[None]
    y = istft(spec)[0].numpy()
    err = float(np.abs(y[480:] - x[:-480]).max())
    check("istft reproduces the input delayed by 480", err < 1e-5 and np.abs(y[:480]).max() < 1e-6,
          f"max error {err:.2e}")
    for delay in (120, 32):  # low-delay window pairs: the same, delayed by `delay` only
        spec = torch.from_numpy(lib.analyze(x, 96, features=False, delay=delay))[None]
        y = istft(spec, delay)[0].numpy()
        err = float(np.abs(y[delay + 480:] - x[480:-delay]).max())
        check(f"istft (delay {delay}) reproduces the input delayed by {delay}", err < 1e-5,
              f"max error {err:.2e}")
    interp = band_interp_matrix(lib.band_centers())
    check("band interpolation is a partition of unity",
          float((interp.sum(0) - 1).abs().max()) < 1e-6)
    t = spec.shape[1]
    gains = torch.ones(1, t, 32)
    coefs = torch.zeros(1, t, 96, 3, 2)
    coefs[..., 0, 0] = 1.0
    out = apply_output(spec, gains, coefs.reshape(1, t, -1), interp, 96, 3)
    err = float((out - spec).abs().max() / spec.abs().max())
    check("output stage with unit gains and identity filter is transparent", err < 1e-6,
          f"relative error {err:.2e}")
    # a pure delay filter (C_{k,1} = 1) must shift the low bins by one hop
    coefs = torch.zeros(1, t, 96, 3, 2)
    coefs[..., 1, 0] = 1.0
    out = apply_output(spec, gains, coefs.reshape(1, t, -1), interp, 96, 3)
    err = float((out[:, 1:, :96] - spec[:, :-1, :96]).abs().max())
    check("deep filter tap 1 is the previous hop", err < 1e-6 and float(out[:, 0, :96].abs().max()) == 0)


def run_parity(lib, hp, dtype, seed):
    torch.manual_seed(seed)
    n_erb, n_df, df_order, enc_dim, hidden, n_gru, delay = hp
    model = VDFL(n_erb, n_df, df_order, enc_dim, hidden, n_gru, delay).eval()
    with torch.no_grad():
        # heads are initialised near "pass everything"; spread them so the test sees real work
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
        if dtype == "f16":  # compare against the weights the file actually holds
            for p in model.parameters():
                p.copy_(p.half().float())
    feat = lib.analyze(test_signal(50, seed), n_df, spectrum=False, delay=delay)
    with torch.no_grad():
        g, c, v, _ = model(torch.from_numpy(feat)[None])
    g, c, v = g[0].numpy(), c[0].numpy(), torch.sigmoid(v[0]).numpy()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.vcm")
        export.export_model(model, path, dtype)
        m = lib.load_model(path)
        try:
            check(f"hparams {hp} {dtype}", lib.model_hparams(m) == list(hp), str(lib.model_hparams(m)))
            cg, cc, cv = lib.run_network(m, feat)
        finally:
            lib.free_model(m)
    name = f"network {hp} {dtype}"
    eg, ec, ev = (float(np.abs(a - b).max()) for a, b in ((cg, g), (cc, c), (cv, v)))
    check(name, max(eg, ec, ev) < TOL, f"max |diff| gains {eg:.2e} df {ec:.2e} vad {ev:.2e}")
    # the test must be able to fail: outputs have to vary across frames and units
    check(name + " outputs are not constant", float(g.std()) > 1e-3 and float(c.std()) > 1e-3)


def main():
    if len(sys.argv) != 2:
        print("usage: test_parity.py LIBVOCANA_SO", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    lib = vocana_lib.load(sys.argv[1])
    test_istft(lib)
    try:
        run_parity(lib, (32, 96, 3, 64, 128, 2, 480), "f32", 11)
        run_parity(lib, (32, 24, 2, 20, 36, 3, 120), "f32", 12)
        run_parity(lib, (32, 96, 3, 64, 128, 2, 120), "f16", 13)
    except AttributeError as e:  # a symbol missing from the library
        check("network functions present in libvocana", False, str(e))
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
