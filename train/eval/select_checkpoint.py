# SPDX-License-Identifier: MIT
"""Pick the checkpoint to ship: export each snapshot, run it through the real C denoiser on an
evaluation set, score it against the noisy input and apply one fixed rule.

    /usr/bin/python3 -m train.eval.select_checkpoint 'train/runs/v1/snap_*.pt' \\
        [--set-dir train/cache/eval/devset-v2] [--vocana build/src/cli/vocana] [--json OUT]

The default set is devset-v2 (train.eval.make_dev_set: held-out speakers, held-out noise
sources, unheard files of known sources; v1 used noise now reserved and is no longer built).
Each checkpoint is exported with train/export.py (--f16, what ships) to a temporary .vcm and run
as `vocana denoise -q -m MODEL IN OUT`; the noisy input is scored once. Sequential on purpose:
training usually holds the machine's cores.

Rule (printed with the table): a checkpoint is ELIGIBLE when no SNR bucket is worse than the
noisy input on ΔSI-SDR or ΔESTOI (every bucket's mean improvement >= 0); among the eligible, the
one with the highest  mean ΔESTOI + 0.02 * mean ΔSI-SDR  wins (a fixed trade-off: 1 dB of SI-SDR
counts as much as 0.02 of ESTOI, so that neither metric alone decides). Ties go to
the later step. If none is eligible, the highest score wins and a warning says so.
The chosen path is the last line of stdout (for scripts).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

from . import evaluate, systems

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.dirname(HERE)
EXPORT = os.path.join(TRAIN_DIR, "export.py")
DEFAULT_SET = os.path.join(TRAIN_DIR, "cache", "eval", "devset-v2")
SI_SDR_WEIGHT = 0.02


def checkpoint_paths(patterns):
    """Unique existing paths from globs, ordered by the step in their name (snap_STEP.pt)."""
    paths = set()
    for p in patterns:
        paths.update(glob.glob(p) if any(c in p for c in "*?[") else [p])
    paths = [p for p in paths if os.path.isfile(p)]

    def step(p):
        m = re.search(r"(\d+)(?=\D*$)", os.path.basename(p))
        return (int(m.group(1)) if m else -1, p)
    return sorted(paths, key=step)


def export(ckpt, out_path):
    res = subprocess.run([sys.executable, EXPORT, ckpt, out_path, "--f16"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError("export of %s failed: %s" % (ckpt, res.stderr.strip()[-500:]))


def judge(noisy_rows, rows):
    """Summary numbers of one system's rows against the noisy rows (same items)."""
    summ = evaluate.summarise({"noisy": noisy_rows, "vocana": rows})
    overall = summ["overall"]["all"]["vocana"]
    buckets = {g: c["vocana"] for g, c in summ["snr"].items()}
    res = {"d_si_sdr": overall["d_si_sdr"], "d_stoi": overall["d_stoi"],
           "d_estoi": overall["d_estoi"],
           "min_bucket_d_estoi": min(c["d_estoi"] for c in buckets.values()),
           "min_bucket_d_si_sdr": min(c["d_si_sdr"] for c in buckets.values()),
           "buckets": {g: {"d_si_sdr": c["d_si_sdr"], "d_estoi": c["d_estoi"]}
                       for g, c in buckets.items()}}
    res["eligible"] = res["min_bucket_d_estoi"] >= 0.0 and res["min_bucket_d_si_sdr"] >= 0.0
    res["score"] = res["d_estoi"] + SI_SDR_WEIGHT * res["d_si_sdr"]
    return res


def choose(results):
    """The winning path under the rule in the module docstring; (path, all_ineligible)."""
    pool = [p for p, r in results.items() if r["eligible"]]
    fallback = not pool
    pool = pool or list(results)
    order = list(results)          # step order: a later step wins ties
    best = max(pool, key=lambda p: (results[p]["score"], order.index(p)))
    return best, fallback


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", help="checkpoint files or globs (quote them)")
    ap.add_argument("--set-dir", default=DEFAULT_SET,
                    help="evaluation set (default: the dev set of make_dev_set)")
    ap.add_argument("--vocana", default=systems.DEFAULT_VOCANA, help="the vocana program")
    ap.add_argument("--json", help="write every checkpoint's numbers here")
    args = ap.parse_args(argv)

    paths = checkpoint_paths(args.checkpoints)
    if not paths:
        print("select_checkpoint: no checkpoint matches %s" % " ".join(args.checkpoints),
              file=sys.stderr)
        return 1
    if not os.access(args.vocana, os.X_OK):
        print("select_checkpoint: %s is not an executable vocana" % args.vocana, file=sys.stderr)
        return 1
    if not os.path.isdir(args.set_dir):
        print("select_checkpoint: no evaluation set at %s (python3 -m train.eval.make_dev_set)"
              % args.set_dir, file=sys.stderr)
        return 1
    items = evaluate.load_set(args.set_dir)
    noisy_rows = evaluate.evaluate(items, [systems.Noisy()])["noisy"]
    results = {}
    print("%d pairs in %s; rule: eligible if no SNR bucket has dSI-SDR < 0 or dESTOI < 0, then "
          "max dESTOI + %.2f*dSI-SDR" % (len(items), args.set_dir, SI_SDR_WEIGHT))
    print("%-36s %8s %7s %7s %10s %11s %7s %s" % ("checkpoint", "dSI-SDR", "dSTOI", "dESTOI",
                                               "min dESTOI", "min dSI-SDR", "score", "eligible"))
    with tempfile.TemporaryDirectory(prefix="vocana-select-") as tmp:
        for ckpt in paths:
            model = os.path.join(tmp, "model.vcm")
            try:
                export(ckpt, model)
            except RuntimeError as e:
                print("select_checkpoint: %s: skipped (%s)" % (ckpt, e), file=sys.stderr)
                continue
            sysm = systems.CommandSystem("vocana", [args.vocana, "denoise", "-q", "-m", model])
            try:
                rows = evaluate.evaluate(items, [sysm])["vocana"]
            except (RuntimeError, OSError) as e:     # denoise failed or vocana vanished
                print("select_checkpoint: %s: skipped (%s)" % (ckpt, e), file=sys.stderr)
                continue
            r = results[ckpt] = judge(noisy_rows, rows)
            print("%-36s %+8.2f %+7.4f %+7.4f %+10.4f %+11.2f %7.4f %s"
                  % (ckpt[-36:], r["d_si_sdr"], r["d_stoi"], r["d_estoi"], r["min_bucket_d_estoi"],
                     r["min_bucket_d_si_sdr"], r["score"], "yes" if r["eligible"] else "no"),
                  flush=True)
    if not results:
        print("select_checkpoint: no checkpoint could be exported", file=sys.stderr)
        return 1
    best, fallback = choose(results)
    if fallback:
        print("select_checkpoint: warning: no checkpoint is at least as good as the noisy input in "
              "every SNR bucket; taking the best score anyway", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"set_dir": args.set_dir, "results": results, "chosen": best,
                       "rule_fallback": fallback}, f, indent=1, sort_keys=True)
    print("chosen:")
    print(best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
