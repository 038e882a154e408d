#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Quality regression test: Vocana on the fixed regression set must beat the noisy input by set
margins of mean SI-SDR and ESTOI (and, optionally, match or beat the speexdsp baseline).

    quality_regression.py --vocana build/src/cli/vocana [--min-d-si-sdr DB] [--min-d-estoi X]
                          [--min-d-stoi X] [--set-dir DIR] [--json OUT] [--beat-speex]

Thresholds may also come from the environment (arguments win): VOCANA_QUALITY_MIN_DSISDR,
VOCANA_QUALITY_MIN_DESTOI, VOCANA_QUALITY_MIN_DSTOI. With no threshold at all (and no
--beat-speex) the test only reports the scores and passes: the bar is set once a model is trained. The set is built by
train.eval.make_regression_set into --set-dir (default: $XDG_CACHE_HOME/vocana/regression-set-v1,
reused when present). Exits 77 (skip) when numpy, the vocana binary or the set's sources
(alsa-utils, bucklespring-data via apt-get download) are unavailable.
"""

import argparse
import json
import os
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SET_VERSION = "regression-set-v1"     # bump when make_regression_set changes its output


def env_float(name, default):
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocana", default=os.environ.get("VOCANA_BIN"),
                    help="path to the vocana program (or $VOCANA_BIN)")
    ap.add_argument("--min-d-si-sdr", type=float,
                    default=env_float("VOCANA_QUALITY_MIN_DSISDR", None),
                    help="minimum mean SI-SDR improvement over noisy, dB")
    ap.add_argument("--min-d-estoi", type=float, default=env_float("VOCANA_QUALITY_MIN_DESTOI", None),
                    help="minimum mean ESTOI improvement over noisy")
    ap.add_argument("--min-d-stoi", type=float, default=env_float("VOCANA_QUALITY_MIN_DSTOI", None),
                    help="minimum mean STOI improvement over noisy")
    ap.add_argument("--beat-speex", action="store_true",
                    help="also require mean SI-SDR and ESTOI at least speexdsp's (needs it built)")
    ap.add_argument("--set-dir", default=os.environ.get("VOCANA_QUALITY_SET_DIR"))
    ap.add_argument("--json", help="write the evaluation (per item and summary) here")
    args = ap.parse_args(argv)

    import importlib.util
    if importlib.util.find_spec("numpy") is None:
        print("quality: numpy missing: skipping")
        return SKIP
    sys.path.insert(0, ROOT)
    from train.eval import evaluate, make_regression_set

    if not args.vocana or not os.access(args.vocana, os.X_OK):
        print("quality: vocana program not found (%r): skipping" % args.vocana)
        return SKIP

    set_dir = args.set_dir or os.path.join(make_regression_set.default_cache_dir(), SET_VERSION)
    if not os.path.exists(os.path.join(set_dir, "index.tsv")):
        # Build beside, then rename: a concurrent run never sees a half-written set.
        partial = "%s.partial-%d" % (set_dir, os.getpid())
        try:
            make_regression_set.build(partial)
            os.rename(partial, set_dir)
        except Exception as e:   # no alsa-utils, no apt mirror: cannot judge quality
            if not os.path.exists(os.path.join(set_dir, "index.tsv")):
                print("quality: cannot build the regression set (%s): skipping" % e)
                return SKIP
        finally:
            if os.path.isdir(partial):
                import shutil
                shutil.rmtree(partial, ignore_errors=True)

    with tempfile.TemporaryDirectory(prefix="vocana-quality-") as tmp:
        out = args.json or os.path.join(tmp, "quality.json")
        systems_args = ["--system", "vocana=" + args.vocana, "--require", "vocana"]
        if args.beat_speex:
            systems_args += ["--system", "speex", "--require", "speex"]
        rc = evaluate.main(["--set-dir", set_dir, "--json", out] + systems_args)
        if rc != 0:
            print("quality: evaluation failed (%d)" % rc)
            return 1
        with open(out) as f:
            summary = json.load(f)["summary"]["overall"]["all"]

    v = summary["vocana"]
    checks = [("mean dSI-SDR", v["d_si_sdr"], args.min_d_si_sdr),
              ("mean dESTOI", v["d_estoi"], args.min_d_estoi),
              ("mean dSTOI", v["d_stoi"], args.min_d_stoi)]
    if args.beat_speex:
        s = summary["speex"]
        checks += [("SI-SDR - speex", v["si_sdr"] - s["si_sdr"], 0.0),
                   ("ESTOI - speex", v["estoi"] - s["estoi"], 0.0)]
    failed = 0
    for name, got, minimum in checks:
        if minimum is None:
            print("quality: %-15s %+8.4f (no threshold set: report only)" % (name, got))
            continue
        ok = got >= minimum
        failed += not ok
        print("quality: %-15s %+8.4f (minimum %+.4f) %s" % (name, got, minimum, "ok" if ok else "FAIL"))
    checked = sum(1 for c in checks if c[2] is not None)
    print("%d passed, %d failed" % (checked - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
