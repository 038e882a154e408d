# SPDX-License-Identifier: MIT
"""Clean-voice check: held-out CLEAN speech (no noise added) through a denoiser must come out
intact, in every kind of voice, and keep its high band.

    /usr/bin/python3 -m train.eval.clean_voices --system vocana=build/src/cli/vocana \\
        [--system rnnoise2 ...] [--per-collection 8] [--cache train/cache] [--json OUT.json]
        [--out-dir DIR] [--check]
    /usr/bin/python3 -m train.eval.clean_voices --synthetic 6 --system ...   # no cache needed

Systems are evaluate.py's specs (noisy = identity, speex, webrtc, rnnoise, rnnoise2,
vocana[=PATH], NAME=COMMAND; train/eval/systems.py). Per file and system:

- SI-SDR of the output against the input, after aligning the output by cross-correlation
  (integer lag within +-100 ms, metrics.align, as evaluate.py does); capped at SI_SDR_CAP_DB
  (an exact copy would be +inf);
- 8-20 kHz energy loss in dB: 10 log10(E_in / E_out) of the aligned signals' energy between 8
  and 20 kHz, summed over the input's HF voice frames (20 ms frames whose 8-20 kHz energy is
  >= 15 dB over the file's own 8-20 kHz floor, its 10th-percentile frame; at least 10 of them),
  so that removing a recording's hiss is not counted as losing voice (hiss 15 dB down can account
  for 0.14 dB at most; positive: the output lost high band); only for files whose speech
  bandwidth (the cache's bandwidth_hz, lowest of the clips used) is >= 16 kHz: narrower material
  has nothing there to lose; noisy recordings included (their frames are chosen over the hiss);
- level change in dB (full band, output vs input; information only);
- the input's own SNR (input_snr_db: active frames over its 10th-percentile frame). Many "clean"
  recordings are not (artikulate's volunteer recordings: 12-40 dB, Tux Paint 16-38 dB, fillets cs
  21-26 dB): a denoiser SHOULD remove that floor, which caps SI-SDR near the floor's level. The
  SI-SDR targets are therefore judged on the clean files, input SNR >= 30 dB (CLEAN_MIN_SNR_DB);
  the others are reported (SI-SDR mean of all files) but not judged.

Clips: the 'dev' split of every speech collection of the cache (dataset.load_collections(cache,
"dev"), the speakers and sources training never uses; widelands/0ad are noise and not read),
--per-collection files each (default 8), 3-8 s: speakers (groups) taken in a fixed shuffled order
so a collection's files come from as many speakers as it has, and within a speaker clips in a
random order joined back to back (5 ms fades at the joins, no inserted silence) until a drawn
length of 3-8 s is reached (truncated at 8 s); no clip is used twice; high-passed at 40 Hz like
devset-v2 (make_dev_set.highpass: some recordings carry infrasonic rumble, up to 20 % of their
energy below 20 Hz, which no system should be asked to keep). Active speech level drawn in
-35..-20 dBFS (peak <= 0.99). Deterministic: file k of collection C from Generator([SEED,
crc32(C), k]). Groups in the report are the voice types of VOICE_TYPES (one per collection).

Targets of issue 11 (TARGETS): SI-SDR mean >= 25 dB and worst file >= 15 dB (clean files);
8-20 kHz loss mean <= 1 dB and worst file <= 3 dB (files >= 16 kHz with HF voice frames).
Printed: a Markdown table per system (per voice type: n and n clean, median input SNR, SI-SDR
mean / worst of the clean files, SI-SDR mean of all files, n and mean / worst 8-20 kHz loss,
level change) and PASS/FAIL per target.
--check: exit 1 when any system fails a target. JSON (--json): targets, clips, and per system
the per-file rows, per-group and overall aggregates and the verdicts.
"""

import argparse
import json
import math
import os
import sys
import zlib

import numpy as np

from . import metrics, synth, systems, wavio

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.dirname(HERE)
DEFAULT_CACHE = os.path.join(TRAIN_DIR, "cache")
FS = 48000
SEED = 20270312
SECONDS = (3.0, 8.0)
LEVEL_DBFS = (-35.0, -20.0)
MIN_ACTIVE_S = 1.0
FADE_S = 0.005
HF_BAND_HZ = (8000.0, 20000.0)
FULLBAND_MIN_HZ = 16000.0
CLEAN_MIN_SNR_DB = 30.0          # input noise floor: files below are reported, not judged
HF_VOICE_OVER_FLOOR_DB = 15.0    # 8-20 kHz frames this far over the file's own 8-20 kHz floor
HF_MIN_FRAMES = 10               # ... at least this many, else no 8-20 kHz figure for the file
FRAME = 960                      # 20 ms analysis frames (hop 10 ms) for floors and HF frames
SI_SDR_CAP_DB = 100.0
TARGETS = {"si_sdr_mean_min": 25.0, "si_sdr_worst_min": 15.0,
           "hf_loss_mean_max": 1.0, "hf_loss_worst_max": 3.0}
VOICE_TYPES = {
    "speech_hedgewars": "shouted / expressive game voices (hedgewars)",
    "speech_childsplay": "children's alphabet, teachers (childsplay)",
    "speech_gcompris": "words and instructions for children (GCompris)",
    "speech_tuxpaint": "narrations (Tux Paint)",
    "speech_artikulate": "pronunciation courses, held-out source (artikulate)",
    "speech_shared": "read / non-native speech, 16 kHz (shared corpus)",
    "speech_fillets_nl": "acted dialogue, Dutch (fillets)",
    "speech_fillets_cs": "acted dialogue, Czech (fillets)",
    "speech_klettres": "spoken letters and syllables (klettres)",
    "synthetic": "synthetic speech-like signal (train/eval/synth.py)",
}


def _dataset():
    if TRAIN_DIR not in sys.path:
        sys.path.append(TRAIN_DIR)   # as make_dev_set: after the `train` namespace package
    import dataset
    return dataset


def _fade(x):
    m = min(int(FADE_S * FS), len(x) // 2)
    if m > 0:
        ramp = np.sin(0.5 * np.pi * (np.arange(m) + 0.5) / m) ** 2
        x[:m] *= ramp
        x[-m:] *= ramp[::-1]
    return x


def _split_files(cache, collection):
    """File names of the dev clips of a collection, in Collection.clips order."""
    files = []
    with open(os.path.join(cache, collection, "index.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r["split"] == "dev":
                files.append(r["file"])
    return files


def _frame_power(x):
    t = len(x) // 480
    return (np.asarray(x[: t * 480], dtype=np.float64).reshape(t, 480) ** 2).mean(axis=1)


def _active(x):
    """10 ms frames within 30 dB of the loud (95th percentile) ones: dataset.active_mask, here
    without importing dataset (torch) so --synthetic needs numpy only."""
    p = _frame_power(x)
    if len(p) == 0 or p.max() <= 1e-12:
        return np.zeros(len(p), dtype=bool)
    return p > max(np.percentile(p, 95) * 1e-3, 1e-10)


def _level(x, rng):
    """x at an active speech level drawn from LEVEL_DBFS, peak <= 0.99."""
    act = _active(x)
    p = float(_frame_power(x)[act].mean()) if act.any() else float(np.mean(x * x))
    gain = 10 ** (rng.uniform(*LEVEL_DBFS) / 20.0) / math.sqrt(max(p, 1e-20))
    return x * min(gain, 0.99 / max(float(np.max(np.abs(x))), 1e-9))


def cache_clips(cache=DEFAULT_CACHE, per_collection=8, log=None):
    """[{'name', 'collection', 'voice', 'audio' (float64), 'bandwidth_hz', 'seconds', 'speaker',
    'sources'}] from the dev split of every speech collection, deterministic (module docstring)."""
    ds = _dataset()
    from . import make_dev_set
    speech, _, _ = ds.load_collections(cache, "dev")
    if not speech:
        raise RuntimeError("no speech collections with a dev split in %s (train/fetch_data.py)"
                           % cache)
    out = []
    for name in sorted(speech):
        col = speech[name]
        files = _split_files(cache, name)
        key = zlib.crc32(name.encode())
        groups = col.group_names
        order = np.random.default_rng([SEED, key]).permutation(len(groups))
        used, gi = set(), 0
        for k in range(per_collection):
            rng = np.random.default_rng([SEED, key, k])
            target = rng.uniform(*SECONDS)
            x = None
            for _attempt in range(max(len(groups), 5)):
                group = groups[int(order[gi % len(groups)])]
                gi += 1
                cand = [i for i in col.groups[group] if i not in used]
                parts, picked, total = [], [], 0.0
                for i in rng.permutation(cand):
                    i = int(i)
                    clip = col.clip(i).astype(np.float64)
                    parts.append(_fade(clip.copy()))
                    picked.append(i)
                    total += len(clip) / FS
                    if total >= target:
                        break
                if total < SECONDS[0]:
                    if log:
                        log("%s file %d: %s has too little unused speech" % (name, k, group))
                    continue
                x = np.concatenate(parts)[: int(SECONDS[1] * FS)]
                if len(x) == int(SECONDS[1] * FS):
                    x = _fade(x)
                if _active(x).sum() * 480 >= MIN_ACTIVE_S * FS:
                    break
                if log:
                    log("%s file %d: too little active speech in %s" % (name, k, group))
                x = None
            if x is None:
                continue
            used.update(picked)
            x = make_dev_set.highpass(x)
            x = _level(x, rng)
            out.append({"name": "%s_%02d" % (name[len("speech_"):], k), "collection": name,
                        "voice": VOICE_TYPES.get(name, name), "audio": x,
                        "input_snr_db": input_snr_db(x),
                        "bandwidth_hz": float(min(col.clips[i][2] for i in picked)),
                        "seconds": len(x) / FS, "speaker": group,
                        "sources": ["%s:%s/%s" % (name, col.clips[i][3], files[i])
                                    for i in picked]})
    return out


def synthetic_clips(count):
    """`count` full-band speech-like clips (harmonics + fricative noise, a white floor 60 dB
    under the peak) of 3-8 s: no cache."""
    out = []
    for k in range(count):
        rng = np.random.default_rng([SEED, k])
        x = synth.speech_like(rng.uniform(*SECONDS), FS, seed=300 + k)
        # a recording's noise floor, 60 dB under the peak (the pauses are exact zeros otherwise)
        x = x + 1e-3 * float(np.max(np.abs(x))) * rng.standard_normal(len(x))
        x = _level(x, rng)
        out.append({"name": "synthetic_%02d" % k, "collection": "synthetic",
                    "voice": VOICE_TYPES["synthetic"], "audio": x, "input_snr_db": input_snr_db(x),
                    "bandwidth_hz": FS / 2.0, "seconds": len(x) / FS, "speaker": "synthetic",
                    "sources": []})
    return out


def frame_energy(x, band=None):
    """Energy per 20 ms Hann frame (10 ms hop), whole band or (lo_hz, hi_hz)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < FRAME:
        x = np.pad(x, (0, FRAME - len(x)))
    fr = np.lib.stride_tricks.sliding_window_view(x, FRAME)[::FRAME // 2] * np.hanning(FRAME)
    spec = np.abs(np.fft.rfft(fr, axis=1)) ** 2
    if band is not None:
        f = np.fft.rfftfreq(FRAME, 1.0 / FS)
        spec = spec[:, (f >= band[0]) & (f < band[1])]
    return spec.sum(axis=1)


def input_snr_db(x):
    """The recording's own signal-to-noise ratio: mean energy of the active frames (within 30 dB
    of the 95th percentile) over the 10th-percentile frame (its noise floor), capped at 100 dB.
    Digital silence (frames 90 dB under the loudest: gaps between joined clips, zero-led files)
    is no floor and is left out. Many 'clean' recordings are not: a denoiser that removes their
    floor is right to."""
    e = frame_energy(x)
    e = e[e > e.max() * 1e-9]
    if len(e) == 0:
        return 100.0
    act = e > np.percentile(e, 95) * 1e-3
    return float(min(10.0 * math.log10(e[act].mean() / max(np.percentile(e, 10), 1e-30)), 100.0))


def hf_loss_db(r, p):
    """8-20 kHz loss of p against r (aligned, same length) over r's HF voice frames: frames whose
    8-20 kHz energy is HF_VOICE_OVER_FLOOR_DB over r's own 8-20 kHz floor (10th percentile), so
    removing a recording's hiss does not count as losing voice. (loss dB, frames) or (None, n)."""
    e_in, e_out = frame_energy(r, HF_BAND_HZ), frame_energy(p, HF_BAND_HZ)
    floor = max(float(np.percentile(e_in, 10)), 1e-30)
    sel = e_in >= floor * 10 ** (HF_VOICE_OVER_FLOOR_DB / 10.0)
    n = int(sel.sum())
    if n < HF_MIN_FRAMES:
        return None, n
    a, b = float(e_in[sel].sum()), float(e_out[sel].sum())
    tiny = 1e-12 * a + 1e-30
    return 10.0 * math.log10((a + tiny) / (b + tiny)), n


def score_clip(x, y):
    """{'si_sdr', 'hf_loss_db', 'hf_frames', 'level_db', 'lag'} of output y against input x
    (hf_loss_db for any bandwidth: the caller keeps it for full-band clips only)."""
    r, p, lag = metrics.align(x, y, FS)
    s = metrics.si_sdr(r, p)
    s = max(min(s, SI_SDR_CAP_DB), -SI_SDR_CAP_DB)
    hf, n_hf = hf_loss_db(r, p)
    lev = 10.0 * math.log10((float(np.dot(p, p)) + 1e-30) / (float(np.dot(r, r)) + 1e-30))
    return {"si_sdr": s, "hf_loss_db": hf, "hf_frames": n_hf, "level_db": lev, "lag": lag}


def _aggregate(rows):
    """SI-SDR over the CLEAN files (input SNR >= CLEAN_MIN_SNR_DB), the 8-20 kHz loss over the
    files with bandwidth >= 16 kHz and enough HF voice frames (clean or not: the frames are
    chosen well over the file's own hiss); the mean SI-SDR of all files and the median input
    SNR for information."""
    clean = [r for r in rows if r["clean"]]
    sis = [r["si_sdr"] for r in clean]
    hf = [r["hf_loss_db"] for r in rows if r["hf_loss_db"] is not None]

    def mean(v):
        return float(np.mean(v)) if v else None
    return {"n": len(rows), "n_clean": len(clean), "si_sdr_mean": mean(sis),
            "si_sdr_worst": float(np.min(sis)) if sis else None, "n_fullband": len(hf),
            "hf_loss_mean": mean(hf), "hf_loss_worst": float(np.max(hf)) if hf else None,
            "si_sdr_mean_all": mean([r["si_sdr"] for r in rows]),
            "input_snr_median": float(np.median([r["input_snr_db"] for r in rows]))
            if rows else None,
            "level_db_mean": mean([r["level_db"] for r in rows])}


def verdicts(overall):
    """{target: {'value', 'limit', 'pass'}} for TARGETS; an unmeasured value (no full-band clip)
    passes nothing."""
    t = TARGETS
    checks = {"si_sdr_mean": (overall["si_sdr_mean"], ">=", t["si_sdr_mean_min"]),
              "si_sdr_worst": (overall["si_sdr_worst"], ">=", t["si_sdr_worst_min"]),
              "hf_loss_mean": (overall["hf_loss_mean"], "<=", t["hf_loss_mean_max"]),
              "hf_loss_worst": (overall["hf_loss_worst"], "<=", t["hf_loss_worst_max"])}
    out = {}
    for k, (v, op, lim) in checks.items():
        ok = v is not None and (v >= lim if op == ">=" else v <= lim)
        out[k] = {"value": v, "op": op, "limit": lim, "pass": bool(ok)}
    return out


def run(clips, system, log=None, out_dir=None):
    """Per-file rows, per-group and overall aggregates and verdicts of one system."""
    rows = []
    for c in clips:
        y = system(c["audio"])
        sc = score_clip(c["audio"], y)
        if c["bandwidth_hz"] < FULLBAND_MIN_HZ:
            sc["hf_loss_db"] = None
        rows.append(dict(name=c["name"], collection=c["collection"], voice=c["voice"],
                         bandwidth_hz=c["bandwidth_hz"], seconds=round(c["seconds"], 3),
                         input_snr_db=c["input_snr_db"],
                         clean=c["input_snr_db"] >= CLEAN_MIN_SNR_DB, **sc))
        if out_dir:
            wavio.write_wav(os.path.join(out_dir, "%s_%s.wav" % (c["name"], system.name)), y, FS)
        if log:
            log("%-10s %-16s input SNR %5.1f  SI-SDR %6.2f  8-20 kHz loss %s  level %+.2f dB  "
                "lag %d" % (system.name, c["name"], c["input_snr_db"], sc["si_sdr"],
                   "%+6.2f dB" % sc["hf_loss_db"] if sc["hf_loss_db"] is not None else "   n/a  ",
                   sc["level_db"], sc["lag"]))
    groups = {}
    for r in rows:
        groups.setdefault(r["collection"], []).append(r)
    overall = _aggregate(rows)
    checks = verdicts(overall)
    return {"files": rows, "groups": {g: _aggregate(v) for g, v in sorted(groups.items())},
            "overall": overall, "checks": checks, "pass": all(c["pass"] for c in checks.values())}


def _f(v, fmt):
    return "—" if v is None else fmt % v


def format_markdown(name, res):
    """One table per system: per voice type, n (clean), the input's median SNR, SI-SDR mean /
    worst over clean files, SI-SDR mean over all files, the 8-20 kHz loss (>= 16 kHz files with
    HF voice frames) mean / worst, the level change; then the verdicts."""
    lines = ["", "**%s**" % name, "",
             "| voice type | n (clean) | input SNR | SI-SDR mean / worst, clean | SI-SDR mean, all"
             " | n 8–20 kHz | 8–20 kHz loss mean / worst | level |",
             "|---|---|---|---|---|---|---|---|"]
    for g, a in list(res["groups"].items()) + [("all", res["overall"])]:
        voice = VOICE_TYPES.get(g, g) if g != "all" else "**all**"
        lines.append("| %s | %d (%d) | %s | %s / %s | %s | %d | %s / %s | %s |"
                     % (voice, a["n"], a["n_clean"], _f(a["input_snr_median"], "%.0f dB"),
                        _f(a["si_sdr_mean"], "%.1f"), _f(a["si_sdr_worst"], "%.1f dB"),
                        _f(a["si_sdr_mean_all"], "%.1f dB"), a["n_fullband"],
                        _f(a["hf_loss_mean"], "%+.2f"), _f(a["hf_loss_worst"], "%+.2f dB"),
                        _f(a["level_db_mean"], "%+.2f dB")))
    lines.append("")
    for k, c in res["checks"].items():
        label = {"si_sdr_mean": "SI-SDR mean", "si_sdr_worst": "SI-SDR worst file",
                 "hf_loss_mean": "8-20 kHz loss mean",
                 "hf_loss_worst": "8-20 kHz loss worst file"}.get(k, k)
        lines.append("- %s %s: %s %s %g → **%s**"
                     % (name, label, _f(c["value"], "%.2f"), c["op"], c["limit"],
                        "PASS" if c["pass"] else "FAIL"))
    lines.append("- %s overall: **%s**" % (name, "PASS" if res["pass"] else "FAIL"))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    systems.add_system_args(ap, "vocana")
    ap.add_argument("--cache", default=DEFAULT_CACHE, help="the training audio cache")
    ap.add_argument("--per-collection", type=int, default=8, help="files per speech collection")
    ap.add_argument("--synthetic", type=int, metavar="N",
                    help="use N synthetic speech-like clips instead of the cache")
    ap.add_argument("--json", help="write per-file rows, aggregates and verdicts here")
    ap.add_argument("--out-dir", help="also write every output WAV (NAME_SYSTEM.wav) and input "
                                      "(NAME_input.wav) here, to listen to")
    ap.add_argument("--check", action="store_true", help="exit 1 if a system fails a target")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every file's scores")
    args = ap.parse_args(argv)

    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else None
    try:
        clips = synthetic_clips(args.synthetic) if args.synthetic else \
            cache_clips(args.cache, args.per_collection, log)
    except (RuntimeError, OSError) as e:
        print("clean_voices: %s" % e, file=sys.stderr)
        return 1
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        for c in clips:
            wavio.write_wav(os.path.join(args.out_dir, c["name"] + "_input.wav"), c["audio"], FS)
    found, skipped = systems.make_systems(args.system or ["vocana"], args.baseline_dir,
                                          "clean_voices")
    results = {sysm.name: run(clips, sysm, log, args.out_dir) for sysm in found}
    n_full = sum(c["bandwidth_hz"] >= FULLBAND_MIN_HZ for c in clips)
    print("%d clean files (%d with bandwidth >= 16 kHz, %.1f min), systems: %s"
          % (len(clips), n_full, sum(c["seconds"] for c in clips) / 60, ", ".join(results)))
    print("targets: SI-SDR mean >= %g dB, worst >= %g dB; 8-20 kHz loss mean <= %g dB, worst <= "
          "%g dB" % (TARGETS["si_sdr_mean_min"], TARGETS["si_sdr_worst_min"],
                     TARGETS["hf_loss_mean_max"], TARGETS["hf_loss_worst_max"]))
    for name, res in results.items():
        print(format_markdown(name, res))
    if args.json:
        doc = {"targets": TARGETS, "skipped": skipped,
               "clips": [{k: v for k, v in c.items() if k != "audio"} for c in clips],
               "systems": results}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
    if args.check and (skipped or not all(r["pass"] for r in results.values())):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
