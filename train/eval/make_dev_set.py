# SPDX-License-Identifier: MIT
"""Build the dev evaluation set: noisy/clean WAV pairs from HELD-OUT speakers and noise files only.

    /usr/bin/python3 -m train.eval.make_dev_set [OUT_DIR] [--cache train/cache] [--limit N]

Default OUT_DIR: train/cache/eval/devset-v1 (never in the repository). Then:

    /usr/bin/python3 -m train.eval.evaluate --set-dir train/cache/eval/devset-v1 --system ...

The split is the training one: the cache's `split` column (fetch_data.speech_split /
noise_split), read through dataset.Mixer(cache, "dev"), so every speech clip, every recorded noise
clip, every babble talker and every keyboard key recording comes from the dev split; training
never sees them (dataset.py mixes from split "train" only). Mixing reuses dataset.py too: the same
speech segments, recorded-noise placement, random room responses (the reverberant target is the
direct path plus the first 50 ms, as in training) and SNR on active speech frames.

Set: 132 pairs of 4-6 s at 48 kHz (mono float32 WAV), 2 per (noise type, SNR) for 11 noise types
x 6 SNRs (-5, 0, 5, 10, 15, 20 dB): 22 pairs per SNR bucket, 12 per noise type; every third pair
reverberant (RT60 0.1-0.8 s). Noise types are labelled by source:

    0ad         0 A.D. ambience loops (noise_0ad dev files)
    keyboard    typing built from bucklespring key recordings (dev keys)
    babble      4-12 summed dev-split talkers
    hedgewars   hedgewars sound effects          megaglest  megaglest ambience and effects
    widelands   widelands sounds                 lincity    lincity-ng city sounds (11 kHz)
    white, pink stationary Gaussian noise (train/eval/synth.py)
    hum         50/60 Hz mains hum/buzz           fan        fan/HVAC (train/synth_noise.py)

Deterministic: pair i is drawn from numpy Generator([SEED, i]) and depends only on the cache, so
the same cache gives byte-identical files, and --limit N gives the first N pairs of the full set.

index.tsv columns: name, snr_db, noise (what evaluate.py reads), then speech (collection),
speaker (group), reverb (0/1), bandwidth_hz (the speech's true bandwidth, the lowest of its
clips), seconds, level_dbfs (active speech level of the noisy input), sources (every cache clip
used, `collection:group/file`, comma-separated (file names repeat across groups, e.g. voice
packs); the held-out check in tests/eval reads it).

Bandwidth: most dev speech is band-limited (shared corpus ~8 kHz, fillets ~10.8 kHz), the noise is
not. evaluate.py scores the full band: STOI/ESTOI resample to 10 kHz (only < 5 kHz matters), and
SI-SDR counts noise left above the speech's bandwidth as distortion, which is right (the clean
reference truly has nothing there). The bandwidth_hz column allows splitting results by it.
"""

import argparse
import math
import os
import shutil
import sys

import numpy as np

from . import synth, wavio

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.dirname(HERE)
if TRAIN_DIR not in sys.path:
    # dataset.py and synth_noise.py import each other flatly. Appended, and only once this
    # module (so the `train` namespace package) is imported: a train.py on sys.path would win
    # over the namespace package for a later `import train`.
    sys.path.append(TRAIN_DIR)

import dataset       # noqa: E402  (after the sys.path setup above)
import synth_noise   # noqa: E402

FS = dataset.SR
SEED = 20261124
VERSION = "devset-v1"            # bump when the output of this script changes
DEFAULT_CACHE = os.path.join(TRAIN_DIR, "cache")
DEFAULT_OUT = os.path.join(DEFAULT_CACHE, "eval", VERSION)
SNRS_DB = (-5, 0, 5, 10, 15, 20)
NOISES = ("0ad", "keyboard", "babble", "hedgewars", "megaglest", "widelands", "lincity",
          "white", "pink", "hum", "fan")
RECORDED = {"0ad": "noise_0ad", "hedgewars": "noise_hedgewars", "megaglest": "noise_megaglest",
            "widelands": "noise_widelands", "lincity": "noise_lincity"}
REPEATS = 2
SECONDS = (4.0, 6.0)
LEVEL_DBFS = (-35.0, -20.0)      # active speech level of the noisy input
MIN_ACTIVE_S = 1.5               # redraw speech with less active speech than this
COLUMNS = ("name", "snr_db", "noise", "speech", "speaker", "reverb", "bandwidth_hz", "seconds",
           "level_dbfs", "sources")


def schedule():
    """[(noise, snr_db, reverb)] in set order: every (noise, SNR) REPEATS times, every third
    pair reverberant (the pattern shifts with noise, SNR and repeat, so every noise type and
    every SNR has both, and the repeats of one (noise, SNR) differ)."""
    out = []
    for rep in range(REPEATS):
        for ni, noise in enumerate(NOISES):
            for si, snr in enumerate(SNRS_DB):
                out.append((noise, snr, (rep + si + ni) % 3 == 0))
    return out


class _Recorder:
    """Wraps Collection.clip of every collection of a Mixer to log which cache clips are used:
    (collection, file, group) per clip."""

    def __init__(self, mixer, cache):
        self.used = []
        for col in list(mixer.speech.values()) + list(mixer.noise.values()):
            files = _split_files(os.path.join(cache, col.name), mixer.split)
            col.clip = self._wrap(col, files)

    def _wrap(self, col, files):
        orig = col.clip

        def clip(i):
            self.used.append((col.name, files[i], col.clips[i][3]))
            return orig(i)
        return clip

    def load_keys(self, mixer):
        """Loads the key recordings once (Mixer caches them): every keyboard pair draws from all
        of them, so all are its sources."""
        self.take()
        mixer._key_clips()
        self.keys = self.take()

    def take(self):
        used, self.used = sorted(set(self.used)), []
        return used


def _split_files(col_dir, split):
    """File names of the clips of `split`, in Collection.clips order (index.tsv order)."""
    files = []
    with open(os.path.join(col_dir, "index.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r["split"] == split:
                files.append(r["file"])
    return files


def _noise(mixer, kind, rng, n):
    if kind in RECORDED:
        x = mixer._recorded(rng, mixer.noise[RECORDED[kind]], n)
    elif kind == "keyboard":
        x = synth_noise.typing(rng, n, mixer._key_clips())
    elif kind == "babble":
        x = synth_noise.babble(rng, n, mixer._babble_source)
    elif kind == "white":
        x = synth.white_noise(n, seed=int(rng.integers(1 << 31)))
    elif kind == "pink":
        x = synth.pink_noise(n, seed=int(rng.integers(1 << 31)))
    elif kind == "hum":
        x = synth_noise.hum(rng, n)
    elif kind == "fan":
        x = synth_noise.hvac(rng, n)
    else:
        raise ValueError("unknown noise type %r" % kind)
    x = np.asarray(x, dtype=np.float64)
    r = math.sqrt(float(np.mean(x * x)))
    return x / r if r > 1e-9 else None


def _speech(mixer, rec, rng, n):
    """(speech segment, bandwidth, collection, clips used) with enough active speech."""
    for _ in range(20):
        rec.take()
        name = mixer.speech_names[rng.choice(len(mixer.speech_names), p=mixer.speech_p)]
        dry, bw = mixer.speech_segment(rng, n, collection=name)
        act = dataset.active_mask(dry)
        if act.sum() * dataset.HOP >= MIN_ACTIVE_S * FS:
            break
    return dry.astype(np.float64), bw, name, rec.take()


def make_pair(mixer, rec, index, noise_kind, snr_db, reverb):
    """One pair (dict with clean, noisy and the index.tsv fields), deterministic in `index`."""
    rng = np.random.default_rng([SEED, index])
    n = int(round(rng.uniform(*SECONDS) * FS / dataset.HOP)) * dataset.HOP
    dry, bw, collection, speech_sources = _speech(mixer, rec, rng, n)
    if reverb:
        h, early = dataset.random_rir(rng)
        speech = dataset.convolve(dry, h).astype(np.float64)
        clean = dataset.convolve(dry, early).astype(np.float64)
    else:
        speech = clean = dry
    noise = None
    for _ in range(5):
        noise = _noise(mixer, noise_kind, rng, n)
        if noise is not None:
            break
    if noise is None:
        raise RuntimeError("pair %d: %s noise came out silent" % (index, noise_kind))
    noise_sources = rec.take() + (rec.keys if noise_kind == "keyboard" else [])
    act = dataset.active_mask(speech)
    p_speech = float(dataset.frame_power(speech)[act].mean())
    noise *= math.sqrt(p_speech / float(np.mean(noise ** 2)) / 10 ** (snr_db / 10.0))
    noisy = speech + noise
    level_db = rng.uniform(*LEVEL_DBFS)
    gain = 10 ** (level_db / 20.0) / math.sqrt(p_speech)
    peak = max(float(np.max(np.abs(noisy))), float(np.max(np.abs(clean))))
    gain = min(gain, 0.99 / peak)
    return {"clean": clean * gain, "noisy": noisy * gain,
            "name": "dev%03d_%s_snr%d" % (index, noise_kind, snr_db),
            "snr_db": "%d" % snr_db, "noise": noise_kind, "speech": collection,
            "speaker": ",".join(sorted({g for _, _, g in speech_sources})),
            "reverb": "1" if reverb else "0", "bandwidth_hz": "%d" % int(bw),
            "seconds": "%.2f" % (n / FS),
            "level_dbfs": "%.1f" % (10 * math.log10(p_speech * gain * gain)),
            "sources": ",".join("%s:%s/%s" % (c, g, f)
                                for c, f, g in speech_sources + noise_sources)}


def build(out_dir, cache=DEFAULT_CACHE, limit=None, log=None, indices=None):
    """Writes the set into out_dir (created; built beside and renamed, so never half-written).

    limit: only the first N pairs; indices: only these pairs of the full set (tests)."""
    mixer = dataset.Mixer(cache, "dev")
    missing = [c for c in list(RECORDED.values()) + ["noise_bucklespring"] if c not in mixer.noise]
    if missing:
        raise RuntimeError("dev noise collections missing in %s: %s (train/fetch_data.py "
                           "--with-0ad)" % (cache, ", ".join(missing)))
    rec = _Recorder(mixer, cache)
    rec.load_keys(mixer)
    full = schedule()
    picked = list(indices) if indices is not None else range(limit if limit else len(full))
    partial = out_dir.rstrip("/") + ".partial-%d" % os.getpid()
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        rows = []
        for i in picked:
            noise_kind, snr, reverb = full[i]
            p = make_pair(mixer, rec, i, noise_kind, snr, reverb)
            wavio.write_wav(os.path.join(partial, p["name"] + "_clean.wav"), p["clean"], FS)
            wavio.write_wav(os.path.join(partial, p["name"] + "_noisy.wav"), p["noisy"], FS)
            rows.append([p[c] for c in COLUMNS])
            if log:
                log("%s  %s %s bw %s" % (p["name"], p["speech"], p["speaker"], p["bandwidth_hz"]))
        with open(os.path.join(partial, "index.tsv"), "w") as f:
            f.write("\t".join(COLUMNS) + "\n")
            for r in rows:
                f.write("\t".join(r) + "\n")
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(os.path.dirname(os.path.abspath(out_dir)), exist_ok=True)
        os.rename(partial, out_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return len(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", default=DEFAULT_OUT)
    ap.add_argument("--cache", default=DEFAULT_CACHE, help="the training audio cache")
    ap.add_argument("--limit", type=int, help="only the first N pairs (tests)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.cache):
        print("make_dev_set: no audio cache at %s (run train/fetch_data.py)" % args.cache,
              file=sys.stderr)
        return 1
    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else None
    try:
        n = build(args.out_dir, args.cache, args.limit, log)
    except RuntimeError as e:
        print("make_dev_set: %s" % e, file=sys.stderr)
        return 1
    print("make_dev_set: %d pairs in %s" % (n, args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
