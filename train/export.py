# SPDX-License-Identifier: MIT
"""Export a trained model to a Vocana model file (docs/model-format.md).

    /usr/bin/python3 train/export.py train/runs/v1/best.pt model.vcm [--f16]

Works on best.pt and last.pt (both hold 'model' and 'hparams') and on a bare state_dict when
--hparams is given. The tensor names are the module's parameter names, except that torch.nn.GRU's
weight_ih_l0 etc. become gru{i}.weight_ih (the only renaming).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vcm  # noqa: E402
from model import VDFL  # noqa: E402


def tensor_list(model):
    """(name, ndarray) in the file's order: the architecture's order in architecture.md."""
    sd = model.state_dict()
    out = []

    def add(name, key):
        out.append((name, sd[key].detach().float().cpu().numpy()))

    for layer in ("enc_erb", "enc_df"):
        add(f"{layer}.weight", f"{layer}.weight")
        add(f"{layer}.bias", f"{layer}.bias")
    for i in range(1, model.n_gru + 1):
        for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            add(f"gru{i}.{p}", f"gru{i}.{p}_l0")
    for layer in ("head_gain", "head_df", "head_vad"):
        add(f"{layer}.weight", f"{layer}.weight")
        add(f"{layer}.bias", f"{layer}.bias")
    return out


def export_model(model, path, dtype="f32"):
    return vcm.write(path, VDFL.ARCH_ID, model.hparams(), tensor_list(model), dtype)


def model_from_hparams(hp):
    return VDFL.from_hparams(hp)


def load_checkpoint(path, hparams=None):
    ck = torch.load(path, map_location="cpu")
    if isinstance(ck, dict) and "model" in ck:
        hp, sd = ck["hparams"], ck["model"]
    else:
        if hparams is None:
            raise SystemExit("a bare state_dict needs --hparams n_erb,n_df,df_order,E,H,n_gru")
        hp, sd = hparams, ck
    m = model_from_hparams(hp)
    m.load_state_dict(sd)
    return m, ck


def main(argv=None):
    ap = argparse.ArgumentParser(description="export a checkpoint to a .vcm model file")
    ap.add_argument("checkpoint")
    ap.add_argument("output")
    ap.add_argument("--f16", action="store_true", help="store weights as IEEE half floats")
    ap.add_argument("--hparams", default=None, help="for a bare state_dict: 6 or 7 comma-separated ints")
    args = ap.parse_args(argv)
    hp = [int(v) for v in args.hparams.split(",")] if args.hparams else None
    model, ck = load_checkpoint(args.checkpoint, hp)
    size = export_model(model, args.output, "f16" if args.f16 else "f32")
    step = ck.get("step", "?") if isinstance(ck, dict) else "?"
    print(f"{args.output}: {size} bytes, hparams {model.hparams()}, "
          f"{sum(p.numel() for p in model.parameters())} parameters, step {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
