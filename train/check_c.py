# SPDX-License-Identifier: MIT
"""End-to-end check of a checkpoint in the shipped C denoiser, on a run's fixed dev set.

    /usr/bin/python3 train/check_c.py train/runs/v1/best.pt --vocana build/src/cli/vocana [-n 20]

Exports the checkpoint (f32) to a temporary model file, runs `vocana denoise -s 100 -m FILE` on
dev mixtures (raw float streams) and compares the C output with the PyTorch output stage on the
same input: the two must agree to within float rounding (the SI-SDR of one against the other is
printed; > 60 dB means identical up to rounding), and the SI-SDR improvement over the noisy input
is printed for both.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
import vocana_lib  # noqa: E402
from loss import si_sdr  # noqa: E402
from model import apply_output, band_interp_matrix, istft  # noqa: E402


def sdr(a, b):
    return float(si_sdr(torch.from_numpy(a)[None], torch.from_numpy(b)[None])[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--vocana", required=True, help="path to the vocana program")
    ap.add_argument("--devset", default=None, help="devset.pt (default: next to the checkpoint)")
    ap.add_argument("--lib", default=None, help="libvocana.so for the features (default: the run's)")
    ap.add_argument("-n", type=int, default=20)
    args = ap.parse_args(argv)
    run_dir = os.path.dirname(os.path.abspath(args.checkpoint))
    lib = vocana_lib.load(args.lib or os.path.join(run_dir, "libvocana.so"))
    model, _ = export.load_checkpoint(args.checkpoint)
    model.eval()
    interp = band_interp_matrix(lib.band_centers())
    dev = torch.load(args.devset or os.path.join(run_dir, "devset.pt"))[: args.n]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.vcm")
        export.export_model(model, path)
        for e in dev:
            if not (e["has_speech"] and e["has_noise"]):
                continue
            noisy = e["noisy"].float().numpy()
            clean = e["clean"].float().numpy()
            proc = subprocess.run([args.vocana, "denoise", "-q", "-s", "100", "-m", path,
                                   "--raw-format", "f32le", "--rate", "48000", "--channels", "1",
                                   "-", "-"], input=noisy.tobytes(), capture_output=True, check=True)
            out_c = np.frombuffer(proc.stdout, dtype=np.float32).copy()
            feat, spec = lib.analyze(noisy, model.n_df, delay=model.delay)
            with torch.no_grad():
                g, c, _, _ = model(torch.from_numpy(feat)[None])
                y = istft(apply_output(torch.from_numpy(spec)[None], g, c, interp, model.n_df,
                                       model.df_order), model.delay)[0].numpy()
            # torch output sample n is input sample n - delay; the CLI compensates its latency
            y = y[model.delay:]
            m = min(len(y), len(out_c)) - 4800  # the CLI flushes the tail: compare the body
            rows.append((sdr(out_c[:m], y[:m]), sdr(y[:m], clean[:m]), sdr(out_c[:m], clean[:m]),
                         sdr(noisy[:m], clean[:m])))
    r = np.array(rows)
    print(f"{len(r)} mixtures: C vs torch SI-SDR {r[:, 0].mean():.1f} dB (min {r[:, 0].min():.1f}); "
          f"SI-SDRi torch {np.mean(r[:, 1] - r[:, 3]):.2f} dB, C {np.mean(r[:, 2] - r[:, 3]):.2f} dB")
    return 0 if r[:, 0].min() > 40 else 1


if __name__ == "__main__":
    sys.exit(main())
