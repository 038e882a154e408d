# SPDX-License-Identifier: MIT
"""Score denoisers on a set of noisy/clean pairs: SI-SDR, STOI, ESTOI and their change vs noisy.

    python3 -m train.eval.evaluate --set-dir DIR [--system speex --system webrtc
                                   --system vocana=build/src/cli/vocana ...] [--json OUT.json]
    python3 -m train.eval.evaluate --synthetic 12 ...      # built-in synthetic set, no files

DIR holds NAME_clean.wav / NAME_noisy.wav pairs (48 kHz; other rates are resampled) and optionally
index.tsv with columns name, snr_db, noise (as train.eval.make_regression_set and
train.eval.make_dev_set write; other columns are ignored). Systems:
'noisy' (always scored: the baseline of every delta), 'speex', 'webrtc' (tools/baselines, built
into --baseline-dir), 'rnnoise' (RNNoise v0.1 via Node, tools/baselines/fetch-rnnoise.sh), 'rnnoise2' (RNNoise 0.2, 2024),
'vocana[=PATH]' (runs PATH denoise IN.wav OUT.wav), or NAME=COMMAND (run as
COMMAND IN.wav OUT.wav). A system whose program is missing is reported and skipped, unless
--require names it. Each output is aligned to the clean reference (integer lag within +-100 ms)
before scoring. SNR buckets: the set's nominal SNR rounded to 5 dB.
"""

import argparse
import glob
import json
import math
import os
import sys

import numpy as np

from . import metrics, synth, systems, wavio

FS = 48000
METRICS = ("si_sdr", "stoi", "estoi")


def load_set(set_dir):
    """[{'name', 'clean', 'noisy', 'snr_db', 'noise'}] from a directory of *_clean/*_noisy WAVs."""
    meta = {}
    index = os.path.join(set_dir, "index.tsv")
    if os.path.exists(index):
        with open(index) as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                if line.strip():
                    row = dict(zip(header, line.rstrip("\n").split("\t")))
                    meta[row["name"]] = row
    items = []
    for clean_path in sorted(glob.glob(os.path.join(set_dir, "*_clean.wav"))):
        name = os.path.basename(clean_path)[:-len("_clean.wav")]
        noisy_path = os.path.join(set_dir, name + "_noisy.wav")
        if not os.path.exists(noisy_path):
            continue
        items.append({"name": name, "clean": _load48(clean_path), "noisy": _load48(noisy_path),
                      "snr_db": _float_or_none(meta.get(name, {}).get("snr_db")),
                      "noise": meta.get(name, {}).get("noise", "unknown")})
    if not items:
        raise SystemExit("evaluate: no NAME_clean.wav/NAME_noisy.wav pairs in %s" % set_dir)
    return items


def _float_or_none(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _load48(path):
    x, rate = wavio.read_wav(path)
    return metrics._resample(x, rate, FS) if rate != FS else x


def synthetic_set(count, seconds=4.0):
    """`count` speech-like clips in white/pink/babble noise at 0/5/10 dB (no files needed)."""
    kinds = ("white", "pink", "babble")
    snrs = (0, 5, 10)
    items = []
    n = int(seconds * FS)
    for i in range(count):
        kind, snr = kinds[i % 3], snrs[(i // 3) % 3]
        clean = synth.speech_like(seconds, FS, seed=100 + i) * 0.1
        noise = {"white": synth.white_noise, "pink": synth.pink_noise}.get(kind)
        noise = noise(n, 200 + i) if noise else synth.babble_noise(n, FS, seed=200 + i)
        noisy, _ = synth.mix_at_snr(clean, noise, snr)
        items.append({"name": "synth%02d_%s_%ddB" % (i, kind, snr), "clean": clean, "noisy": noisy,
                      "snr_db": float(snr), "noise": kind})
    return items


def evaluate(items, system_list, log=None):
    """Per-item scores: {system: [{'name', 'snr_db', 'noise', 'si_sdr', 'stoi', 'estoi', 'lag'}]}."""
    results = {}
    for sysm in system_list:
        rows = []
        for it in items:
            out = sysm(it["noisy"])
            sc = metrics.score(it["clean"], out, FS)
            rows.append(dict(name=it["name"], snr_db=it["snr_db"], noise=it["noise"], **sc))
            if log:
                log("%-8s %-24s SI-SDR %6.2f  STOI %.4f  ESTOI %.4f  lag %d"
                    % (sysm.name, it["name"], sc["si_sdr"], sc["stoi"], sc["estoi"], sc["lag"]))
        results[sysm.name] = rows
    return results


def _bucket(snr):
    return "unknown" if snr is None else "%+d dB" % (5 * round(snr / 5.0))


def summarise(results):
    """Means and mean improvements over 'noisy' (paired per item), overall / per SNR / per noise.

    Returns {group_kind: {group: {system: {metric: mean, 'd_'+metric: mean delta, 'n': count}}}}.
    """
    base = {r["name"]: r for r in results["noisy"]}
    groups = {"overall": lambda r: "all", "snr": lambda r: _bucket(r["snr_db"]),
              "noise": lambda r: r["noise"]}
    out = {}
    for kind, key in groups.items():
        table = {}
        for sysname, rows in results.items():
            for r in rows:
                cell = table.setdefault(key(r), {}).setdefault(sysname, {m: [] for m in METRICS})
                for m in METRICS:
                    cell[m].append((r[m], r[m] - base[r["name"]][m]))
        out[kind] = {g: {s: _means(v) for s, v in per_sys.items()} for g, per_sys in table.items()}
    return out


def _means(cell):
    res = {}
    for m, pairs in cell.items():
        vals = np.array(pairs, dtype=np.float64)
        res[m] = float(np.mean(vals[:, 0]))
        res["d_" + m] = float(np.mean(vals[:, 1]))
        res["n"] = len(pairs)
    return res


def format_table(summary, system_order):
    lines = []
    hdr = "%-14s %-8s %3s %8s %8s %7s %7s %7s %7s" % ("group", "system", "n", "SI-SDR", "dSI-SDR",
                                                       "STOI", "dSTOI", "ESTOI", "dESTOI")
    for kind in ("overall", "snr", "noise"):
        lines.append("")
        lines.append("== by %s ==" % kind if kind != "overall" else "== overall ==")
        lines.append(hdr)
        for group in sorted(summary[kind], key=_group_sort_key):
            for s in system_order:
                c = summary[kind][group].get(s)
                if c is None:
                    continue
                lines.append("%-14s %-8s %3d %8.2f %+8.2f %7.4f %+7.4f %7.4f %+7.4f"
                             % (group, s, c["n"], c["si_sdr"], c["d_si_sdr"], c["stoi"], c["d_stoi"],
                                c["estoi"], c["d_estoi"]))
    return "\n".join(lines)


def format_markdown(summary, system_order):
    """The deltas as Markdown tables (docs/model.md): one row per group, one column per system,
    each cell 'ΔSI-SDR dB / ΔSTOI / ΔESTOI' against the noisy input."""
    systems_shown = [s for s in system_order if s != "noisy"]
    lines = []
    for kind, title in (("overall", "all pairs"), ("snr", "SNR bucket"), ("noise", "noise type")):
        lines.append("")
        lines.append("| %s | n | %s |" % (title, " | ".join(systems_shown)))
        lines.append("|---|---|%s" % ("---|" * len(systems_shown)))
        for group in sorted(summary[kind], key=_group_sort_key):
            cells = []
            for s in systems_shown:
                c = summary[kind][group].get(s)
                cells.append("—" if c is None else "%+.2f / %+.3f / %+.3f"
                             % (c["d_si_sdr"], c["d_stoi"], c["d_estoi"]))
            n = summary[kind][group]["noisy"]["n"]
            lines.append("| %s | %d | %s |" % (group, n, " | ".join(cells)))
    return "\n".join(lines)


def _group_sort_key(g):
    try:
        return (0, float(g.split()[0]), g)
    except ValueError:
        return (1, 0.0, g)


def _finite(x):
    return x if isinstance(x, (int, str)) or x is None or math.isfinite(x) else str(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--set-dir", help="directory of NAME_clean.wav / NAME_noisy.wav (+ index.tsv)")
    src.add_argument("--synthetic", type=int, metavar="N", help="use N built-in synthetic pairs")
    ap.add_argument("--system", action="append", default=[],
                    help="noisy | speex | webrtc | rnnoise | rnnoise2 | vocana[=PATH] | NAME=COMMAND "
                         "(repeatable; default: speex, webrtc, vocana)")
    ap.add_argument("--require", action="append", default=[],
                    help="fail (exit 1) instead of skipping if this system is unavailable")
    ap.add_argument("--baseline-dir", default=systems.DEFAULT_BASELINE_DIR)
    ap.add_argument("--json", help="write per-item scores and the summary here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every item's scores")
    ap.add_argument("--markdown", action="store_true",
                    help="also print the deltas as Markdown tables "
                         "(cells: dSI-SDR / dSTOI / dESTOI)")
    args = ap.parse_args(argv)

    items = load_set(args.set_dir) if args.set_dir else synthetic_set(args.synthetic)
    specs = ["noisy"] + [s for s in (args.system or ["speex", "webrtc", "vocana"]) if s != "noisy"]
    system_list, skipped = [], {}
    for spec in specs:
        try:
            system_list.append(systems.make_system(spec, args.baseline_dir))
        except systems.SystemUnavailable as e:
            skipped[spec] = str(e)
            print("evaluate: skipping %s: %s" % (spec, e), file=sys.stderr)
    missing = [r for r in args.require if r in skipped or r.partition("=")[0] in
               [s.partition("=")[0] for s in skipped]]
    if missing:
        print("evaluate: required system(s) unavailable: %s" % ", ".join(missing), file=sys.stderr)
        return 1

    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else None
    results = evaluate(items, system_list, log)
    summary = summarise(results)
    order = [s.name for s in system_list]
    print("%d pairs, systems: %s" % (len(items), ", ".join(order)))
    print(format_table(summary, order))
    if args.markdown:
        print(format_markdown(summary, order))
    if args.json:
        doc = {"items": {s: [{k: _finite(v) for k, v in r.items()} for r in rows]
                         for s, rows in results.items()},
               "summary": summary, "skipped": skipped}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
