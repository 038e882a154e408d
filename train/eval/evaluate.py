# SPDX-License-Identifier: MIT
"""Score denoisers on a set of noisy/clean pairs: SI-SDR, STOI, ESTOI and their change vs noisy.

    python3 -m train.eval.evaluate --set-dir DIR [--system speex --system webrtc
                                   --system vocana=build/src/cli/vocana ...] [--json OUT.json]
                                   [--markdown]
    python3 -m train.eval.evaluate --synthetic 12 ...      # built-in synthetic set, no files

DIR holds NAME_clean.wav / NAME_noisy.wav pairs (48 kHz; other rates are resampled) and optionally
index.tsv with columns name, snr_db, noise (as train.eval.make_regression_set and
train.eval.make_dev_set write) and, when present, the grouping columns of devset-v2: source (noise
collection or synthetic generator), category (what the noise sounds like), seen (unseen | seen |
synthetic: was the noise source heard in training), speech (speech collection) and reverb; other
columns are ignored, and a set without them (devset-v1, the regression set) still works.
Systems:
'noisy' (always scored: the baseline of every delta), 'speex', 'webrtc' (tools/baselines, built
into --baseline-dir), 'rnnoise' (RNNoise v0.1 via Node, tools/baselines/fetch-rnnoise.sh), 'rnnoise2' (RNNoise 0.2, 2024),
'vocana[=PATH]' (runs PATH denoise IN.wav OUT.wav), or NAME=COMMAND (run as
COMMAND IN.wav OUT.wav). A system whose program is missing is reported and skipped, unless
--require names it. Each output is aligned to the clean reference (integer lag within +-100 ms)
before scoring.

Reported (text tables, --markdown tables and the JSON "summary"), per system, means of SI-SDR,
STOI, ESTOI and of their paired change against the noisy input: overall, by SNR bucket (the
set's nominal SNR rounded to 5 dB), by noise type (`noise`), and, for the index columns that
exist, by noise source, noise category, seen/unseen source, speech collection and reverb.
The Markdown shows the noise-type table only when the set has no `source` column (in devset-v2
`noise` is a short name of the source). JSON: {"items": {system: [per-pair rows with the
grouping fields]}, "summary": {group kind: {group: {system: {metric, d_metric, n}}}},
"groups": [group kinds present], "skipped": {...}}.
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
# Optional index.tsv columns items and result rows carry for grouping (devset-v2)
GROUP_FIELDS = ("source", "category", "seen", "speech", "reverb")
# (kind, title in the tables): every kind whose field some row has, in this order
GROUP_KINDS = (("overall", "all pairs"), ("snr", "SNR bucket"), ("noise", "noise type"),
               ("source", "noise source"), ("category", "noise category"),
               ("seen", "noise source in training"), ("speech", "speech collection"),
               ("reverb", "reverberant"))


def load_set(set_dir):
    """[{'name', 'clean', 'noisy', 'snr_db', 'noise', and the GROUP_FIELDS index.tsv has}] from a
    directory of *_clean/*_noisy WAVs."""
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
        row = meta.get(name, {})
        item = {"name": name, "clean": _load48(clean_path), "noisy": _load48(noisy_path),
                "snr_db": _float_or_none(row.get("snr_db")), "noise": row.get("noise", "unknown")}
        item.update({k: row[k] for k in GROUP_FIELDS if row.get(k)})
        items.append(item)
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
    """Per-item scores: {system: [{'name', 'snr_db', 'noise', the item's GROUP_FIELDS, 'si_sdr',
    'stoi', 'estoi', 'lag'}]}."""
    results = {}
    for sysm in system_list:
        rows = []
        for it in items:
            out = sysm(it["noisy"])
            sc = metrics.score(it["clean"], out, FS)
            row = dict(name=it["name"], snr_db=it["snr_db"], noise=it["noise"], **sc)
            row.update({k: it[k] for k in GROUP_FIELDS if k in it})
            rows.append(row)
            if log:
                log("%-8s %-24s SI-SDR %6.2f  STOI %.4f  ESTOI %.4f  lag %d"
                    % (sysm.name, it["name"], sc["si_sdr"], sc["stoi"], sc["estoi"], sc["lag"]))
        results[sysm.name] = rows
    return results


def _bucket(snr):
    return "unknown" if snr is None else "%+d dB" % (5 * round(snr / 5.0))


def _group_key(kind):
    if kind == "overall":
        return lambda r: "all"
    if kind == "snr":
        return lambda r: _bucket(r.get("snr_db"))
    return lambda r: str(r.get(kind, "unknown"))


def group_kinds(results):
    """The group kinds the rows support: overall, snr and noise always, the GROUP_FIELDS that
    some row of 'noisy' has."""
    rows = results["noisy"]
    return [k for k, _ in GROUP_KINDS
            if k in ("overall", "snr", "noise") or any(k in r for r in rows)]


def summarise(results):
    """Means and mean improvements over 'noisy' (paired per item), overall / per SNR / per noise
    and per every GROUP_FIELDS column the rows have (group_kinds).

    Returns {group_kind: {group: {system: {metric: mean, 'd_'+metric: mean delta, 'n': count}}}}.
    """
    base = {r["name"]: r for r in results["noisy"]}
    groups = {k: _group_key(k) for k in group_kinds(results)}
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
    hdr = "%-20s %-8s %3s %8s %8s %7s %7s %7s %7s" % ("group", "system", "n", "SI-SDR", "dSI-SDR",
                                                       "STOI", "dSTOI", "ESTOI", "dESTOI")
    for kind, _title in GROUP_KINDS:
        if kind not in summary:
            continue
        lines.append("")
        lines.append("== by %s ==" % kind if kind != "overall" else "== overall ==")
        lines.append(hdr)
        for group in sorted(summary[kind], key=_group_sort_key):
            for s in system_order:
                c = summary[kind][group].get(s)
                if c is None:
                    continue
                lines.append("%-20s %-8s %3d %8.2f %+8.2f %7.4f %+7.4f %7.4f %+7.4f"
                             % (group, s, c["n"], c["si_sdr"], c["d_si_sdr"], c["stoi"], c["d_stoi"],
                                c["estoi"], c["d_estoi"]))
    return "\n".join(lines)


def format_markdown(summary, system_order):
    """The deltas as Markdown tables (docs/model.md): one table per group kind in the summary
    (overall, SNR bucket, noise type or, when the set has it, noise source, then noise category,
    seen/unseen, speech collection, reverberant), one row per group, one column per system, each
    cell 'ΔSI-SDR dB / ΔSTOI / ΔESTOI' against the noisy input."""
    systems_shown = [s for s in system_order if s != "noisy"]
    lines = []
    for kind, title in GROUP_KINDS:
        if kind not in summary or (kind == "noise" and "source" in summary):
            continue
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


SEEN_ORDER = ("unseen", "seen", "synthetic")


def _group_sort_key(g):
    if g in SEEN_ORDER:
        return (0, float(SEEN_ORDER.index(g)), g)
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
    systems.add_system_args(ap, "speex, webrtc, vocana")
    ap.add_argument("--require", action="append", default=[],
                    help="fail (exit 1) instead of skipping if this system is unavailable")
    ap.add_argument("--json", help="write per-item scores and the summary here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every item's scores")
    ap.add_argument("--markdown", action="store_true",
                    help="also print the deltas as Markdown tables "
                         "(cells: dSI-SDR / dSTOI / dESTOI)")
    args = ap.parse_args(argv)

    items = load_set(args.set_dir) if args.set_dir else synthetic_set(args.synthetic)
    specs = ["noisy"] + [s for s in (args.system or ["speex", "webrtc", "vocana"]) if s != "noisy"]
    system_list, skipped = systems.make_systems(specs, args.baseline_dir, "evaluate")
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
               "summary": summary, "groups": list(summary), "skipped": skipped}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
