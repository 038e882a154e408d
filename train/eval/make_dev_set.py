# SPDX-License-Identifier: MIT
"""Build the dev evaluation set (devset-v2): noisy/clean WAV pairs that measure GENERALISATION,
from held-out speakers, held-out noise sources and unheard files of known sources only.

    /usr/bin/python3 -m train.eval.make_dev_set [OUT_DIR] [--cache train/cache] [--limit N]

Default OUT_DIR: train/cache/eval/devset-v2 (never in the repository). Then:

    /usr/bin/python3 -m train.eval.evaluate --set-dir train/cache/eval/devset-v2 --markdown ...

The splits are the training ones (train/fetch_data.py): whole held-out collections
(fetch_data.DEV_COLLECTIONS) are split 'dev', and so are 8 % of the speakers of every other speech
collection; 8 % of the files of every other noise collection are 'devseen'. Training mixes from
'train' only (dataset.py). This set reads the cache through dataset.Mixer(cache, "dev") (speech,
held-out noise, babble talkers, held-out rooms) and dataset.load_collections(cache, "devseen")
(unheard files of training noise sources), and reuses dataset.py's mixing: speech segments, the
placement of recorded noise (loops from a random phase, short effects as events), SNR on active
speech frames, and the room target (direct path + first 50 ms, rooms.py). widelands and 0 A.D.
(fetch_data.LEGACY_ONLY) are reserved for an independent evaluation and never used here. Every
clip used is checked against fetch_data's split rules while building (check_held_out) and again,
independently, by tests/eval/test_dev_set.py.

Set: 258 pairs of 4-6 s at 48 kHz (mono float32 WAV), SNR -5, 0, 5, 10, 15, 20 dB (on active
speech), one noise source per pair, in three blocks (`seen` column):

    unseen     (90) held-out noise collections, never heard in training: 5 sources x 6 SNRs x 3
               freedesktop (alarms, bells, phones), openrct2 (crowd, rain, thunder, rides,
               trains), lincity (city, traffic, construction; 11 kHz), wesnoth_music
               (orchestral), childsplay (animals, instruments, horns)
    seen      (108) 'devseen' files of training noise collections (the source is known, the files
               are not): 9 sources x 6 SNRs x 2: keyboard (typing built from the devseen
               bucklespring keys), colobot, hedgewars, megaglest, midi, sonicpi, supertux,
               tuxpaint, ufoai
    synthetic  (60) 5 generators x 6 SNRs x 2: white, pink (train/eval/synth.py), hum, fan
               (train/synth_noise.py), babble (4-12 summed dev-split talkers)

Per cell (source x SNR): 3 pairs unseen, 2 seen, 2 synthetic; per source 18 / 12 / 12 pairs; per
SNR bucket 43 pairs (15 unseen + 18 seen + 10 synthetic). Every third pair is reverberant (exactly
2 of the 6 SNRs of every source and repeat), half of them with a measured response of the held-out
room collection (rir_bbc, split 'dev', rooms.measured), half with a simulated shoebox room
(rooms.image_method). Speech: the 9 speech collections with a dev split, balanced within each
block (unseen: 10 pairs each, seen: 12, synthetic: 6-7), one speaker per pair; artikulate is a
whole held-out speech source, the others contribute their dev speakers.

Deterministic: pair i is drawn from numpy Generator([SEED, i]) (the speech collection of every
pair from a fixed balanced shuffle) and depends only on the cache, so the same cache gives
byte-identical files, and --limit N gives the first N pairs of the full set.

index.tsv columns: name, snr_db, noise (short label of the noise source), source (the cache
collection, or the synthetic generator: white, pink, hum, fan, babble), category (what the noise
sounds like: alarm, transient, animal, nature, vehicle, machine, crowd, music, other from the
cache's category column of the clips actually used, majority by duration; the generator's name for
synthetic noise), seen (unseen | seen | synthetic), speech (collection), speaker (group), reverb
(0/1), room (measured:rir_bbc, image, or - when dry), bandwidth_hz (the speech's true bandwidth,
the lowest of its clips), speech_snr_db (the speech recording's own SNR: its active frames over
its 10th-percentile frame, digital silence left out, capped at 100), seconds, level_dbfs (active
speech level of the noisy input), sources (every cache clip used, `collection:group/file`,
comma-separated: speech, babble talkers, noise, keys and room response). evaluate.py reports by
SNR bucket, source, category, seen, speech and reverb.

Clean references: speech segments are redrawn (up to 20 times) until their recording's own noise
floor is >= 30 dB down (MIN_SPEECH_SNR_DB) and they hold >= 1.5 s of speech: many dev recordings
are not clean (without the check 53 of the 258 references had a floor less than 30 dB down, 16
less than 20 dB: artikulate's volunteer recordings, fillets cs, some Tux Paint narrations), and a
reference with a 15 dB floor makes any denoiser look bad at 15-20 dB SNR. Where no draw meets both
the best is kept: 11 fillets cs pairs (its dev recordings have a floor 13-30 dB down; the
speech_snr_db column says how clean each reference is).

Low end: the speech is high-passed at 40 Hz (zero phase, 24 dB/octave, HIGHPASS_HZ) before the
room and the noise. Some collections carry a DC offset or rumble (artikulate: a median 19 % of a
clip's energy below 50 Hz, klettres 8 %, tuxpaint 5 %, single gcompris files 87 %), and the
image-method rooms have a large gain at DC (the early 50 ms sum to a median 11x the direct path):
without the high-pass some reverberant targets held 99 % of their energy below 100 Hz, and a
system that removes inaudible rumble would lose SI-SDR for it.

Bandwidth: part of the dev speech is band-limited (shared corpus ~8 kHz, fillets ~7-11 kHz), the
noise mostly is not. evaluate.py scores the full band: STOI/ESTOI resample to 10 kHz (only < 5 kHz
matters), and SI-SDR counts noise left above the speech's bandwidth as distortion, which is right
(the clean reference truly has nothing there). The bandwidth_hz column allows splitting by it.

v1 (devset-v1, 132 pairs) used widelands and 0 A.D. noise, now reserved, and dev files of
training sources only; its results are not comparable with v2's.
"""

import argparse
import math
import os
import shutil
import sys

import numpy as np

from . import clean_voices, synth, wavio

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.dirname(HERE)
if TRAIN_DIR not in sys.path:
    # dataset.py and synth_noise.py import each other flatly. Appended, and only once this
    # module (so the `train` namespace package) is imported: a train.py on sys.path would win
    # over the namespace package for a later `import train`.
    sys.path.append(TRAIN_DIR)

import dataset       # noqa: E402  (after the sys.path setup above)
import fetch_data    # noqa: E402
import rooms         # noqa: E402
import synth_noise   # noqa: E402

FS = dataset.SR
SEED = 20270311
VERSION = "devset-v2"            # bump when the output of this script changes
DEFAULT_CACHE = os.path.join(TRAIN_DIR, "cache")
DEFAULT_OUT = os.path.join(DEFAULT_CACHE, "eval", VERSION)
SNRS_DB = (-5, 0, 5, 10, 15, 20)
# (label, cache collection): held-out noise sources (split 'dev', fetch_data.DEV_COLLECTIONS)
UNSEEN = (("freedesktop", "noise_freedesktop"), ("openrct2", "noise_openrct2"),
          ("lincity", "noise_lincity"), ("wesnoth_music", "noise_wesnoth_music"),
          ("childsplay", "noise_childsplay"))
# (label, cache collection): training noise sources, their 'devseen' files
SEEN = (("keyboard", "noise_bucklespring"), ("colobot", "noise_colobot"),
        ("hedgewars", "noise_hedgewars"), ("megaglest", "noise_megaglest"),
        ("midi", "noise_midi"), ("sonicpi", "noise_sonicpi"), ("supertux", "noise_supertux"),
        ("tuxpaint", "noise_tuxpaint"), ("ufoai", "noise_ufoai"))
SYNTHETIC = (("white", "white"), ("pink", "pink"), ("hum", "hum"), ("fan", "fan"),
             ("babble", "babble"))
BLOCKS = (("unseen", UNSEEN, 3), ("seen", SEEN, 2), ("synthetic", SYNTHETIC, 2))
# The speech collections with a dev split (fixed, so the schedule does not depend on the cache)
SPEECH = ("speech_artikulate", "speech_childsplay", "speech_fillets_cs", "speech_fillets_nl",
          "speech_gcompris", "speech_hedgewars", "speech_klettres", "speech_shared",
          "speech_tuxpaint")
ROOM_COLLECTION = "rir_bbc"      # held-out measured room (split 'dev')
P_MEASURED_ROOM = 0.5            # of the reverberant pairs; the others: image method
SECONDS = (4.0, 6.0)
LEVEL_DBFS = (-35.0, -20.0)      # active speech level of the noisy input
MIN_ACTIVE_S = 1.5               # redraw speech with less active speech than this (both ways)
HIGHPASS_HZ = 40.0               # speech high-pass (DC offsets and rumble of some recordings)
MIN_SPEECH_SNR_DB = 30.0         # redraw speech whose recording has a noise floor above this
COLUMNS = ("name", "snr_db", "noise", "source", "category", "seen", "speech", "speaker", "reverb",
           "room", "bandwidth_hz", "speech_snr_db", "seconds", "level_dbfs", "sources")
CATEGORIES = ("alarm", "transient", "animal", "nature", "vehicle", "machine", "crowd", "music",
              "other") + tuple(s for s, _ in SYNTHETIC)


def schedule():
    """[{'noise', 'source', 'seen', 'snr_db', 'reverb', 'speech'}] in set order: block by block,
    repeat by repeat, source by source, SNR by SNR. Every third pair is reverberant (the pattern
    shifts with SNR, source and repeat: 2 of the 6 SNRs of every source and repeat, and the
    repeats of one cell differ). The speech collection: SPEECH tiled over the block and shuffled
    by a fixed generator, so every block has the same speech mix."""
    out = []
    for bi, (seen, sources, reps) in enumerate(BLOCKS):
        block = []
        for rep in range(reps):
            for ni, (label, source) in enumerate(sources):
                for si, snr in enumerate(SNRS_DB):
                    block.append({"noise": label, "source": source, "seen": seen, "snr_db": snr,
                                  "reverb": (rep + si + ni) % 3 == 0})
        speech = np.tile(np.arange(len(SPEECH)), -(-len(block) // len(SPEECH)))[:len(block)]
        speech = np.random.default_rng([SEED, 1000 + bi]).permutation(speech)
        for p, s in zip(block, speech):
            p["speech"] = SPEECH[int(s)]
        out += block
    return out


class _Recorder:
    """Wraps Collection.clip of every collection it is given to log which cache clips are used:
    (collection, file, group, category, samples) per call."""

    def __init__(self, cache):
        self.cache = cache
        self.used = []

    def wrap(self, col, split):
        rows = _split_rows(os.path.join(self.cache, col.name), split)
        orig = col.clip

        def clip(i):
            r = rows[i]
            self.used.append((col.name, r["file"], r["group"], r.get("category", ""),
                              int(r["length"])))
            return orig(i)
        col.clip = clip

    def take(self):
        used, self.used = self.used, []
        return used


def _split_rows(col_dir, split):
    """index.tsv rows of the clips of `split`, in Collection.clips order (index.tsv order)."""
    rows = []
    with open(os.path.join(col_dir, "index.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r["split"] == split:
                rows.append(r)
    return rows


class Sources:
    """Everything the set draws from: the dev Mixer (speech, held-out noise, babble, rooms) and
    the devseen noise collections, with every clip access recorded."""

    def __init__(self, cache):
        self.mixer = dataset.Mixer(cache, "dev")
        _, self.seen, _ = dataset.load_collections(cache, "devseen")
        rooms_by_name = {c.name: c for c in self.mixer.rooms.cols}
        missing = [c for c in SPEECH if c not in self.mixer.speech]
        missing += [c for _, c in UNSEEN if c not in self.mixer.noise]
        missing += [c for _, c in SEEN if c not in self.seen]
        missing += [ROOM_COLLECTION] if ROOM_COLLECTION not in rooms_by_name else []
        if missing:
            raise RuntimeError("collections missing (or without their held-out split) in %s: %s "
                               "(train/fetch_data.py)" % (cache, ", ".join(missing)))
        self.room = rooms_by_name[ROOM_COLLECTION]
        self.rec = _Recorder(cache)
        for col in list(self.mixer.speech.values()) + list(self.mixer.noise.values()) + \
                [self.room]:
            self.rec.wrap(col, "dev")
        for col in self.seen.values():
            self.rec.wrap(col, "devseen")
        self.rec.take()
        keys = self.seen["noise_bucklespring"]
        self.key_clips = [keys.clip(i) for i in range(len(keys.clips))]
        self.key_sources = self.rec.take()   # every keyboard pair draws from all of them

    def noise(self, kind, source, rng, n):
        """(unit-RMS noise or None, clips used)."""
        self.rec.take()
        extra = []
        if source in self.mixer.noise:
            x = self.mixer._recorded(rng, self.mixer.noise[source], n)
        elif source == "noise_bucklespring":
            x = synth_noise.typing(rng, n, self.key_clips)
            extra = self.key_sources
        elif source in self.seen:
            x = self.mixer._recorded(rng, self.seen[source], n)
        elif kind == "babble":
            x = synth_noise.babble(rng, n, self.mixer._babble_source)
        elif kind == "white":
            x = synth.white_noise(n, seed=int(rng.integers(1 << 31)))
        elif kind == "pink":
            x = synth.pink_noise(n, seed=int(rng.integers(1 << 31)))
        elif kind == "hum":
            x = synth_noise.hum(rng, n)
        elif kind == "fan":
            x = synth_noise.hvac(rng, n)
        else:
            raise ValueError("unknown noise %r / %r" % (kind, source))
        x = np.asarray(x, dtype=np.float64)
        r = math.sqrt(float(np.mean(x * x)))
        return (x / r if r > 1e-9 else None), self.rec.take() + extra

    def speech(self, rng, n, collection):
        """(speech segment high-passed at HIGHPASS_HZ, bandwidth, its recording's own SNR, clips
        used): the first of up to 20 draws with MIN_ACTIVE_S of active speech, counted both as
        10 ms frames by dataset.active_mask (within 30 dB of the 95th percentile frame) and
        within 40 dB of the loudest frame (STOI's rule: sparse speech, e.g. a few spoken letters
        in 5 s, passes the first alone and leaves STOI too few frames), and a recording SNR
        (clean_voices.input_snr_db: active frames over the 10th-percentile frame) of at least
        MIN_SPEECH_SNR_DB: some dev recordings have a noise floor 12-25 dB down (artikulate,
        fillets cs), and a reference that noisy cannot score a denoiser at 15-20 dB SNR. When no
        draw meets both (sparse or noisy collections), the best one is kept (the SNR condition
        first, then the activity condition, then the most speech)."""
        best = None
        for _ in range(20):
            self.rec.take()
            dry, bw = self.mixer.speech_segment(rng, n, collection=collection)
            dry = highpass(dry)          # before the checks: rumble is neither speech nor floor
            act = dataset.active_mask(dry.astype(np.float32))
            p = dataset.frame_power(dry)
            loud = p > p.max() * 1e-4
            active_s = min(act.sum(), loud.sum()) * dataset.HOP / FS
            snr = clean_voices.input_snr_db(dry)
            ok = (active_s >= MIN_ACTIVE_S, snr >= MIN_SPEECH_SNR_DB)
            key = (ok[1], ok[0], active_s, snr)
            if best is None or key > best[0]:
                best = (key, dry, bw, snr, self.rec.take())
            if all(ok):
                break
        return best[1:]

    def room_response(self, rng):
        """(h, early, room label, clips used)."""
        self.rec.take()
        if rng.random() < P_MEASURED_ROOM:
            h, early = rooms.measured(rng, self.room)
            label = "measured:" + self.room.name
        else:
            h, early = rooms.image_method(rng)
            label = "image"
        return h, early, label, self.rec.take()


def highpass(x, cut_hz=HIGHPASS_HZ, order=4):
    """Zero-phase high-pass, |H| = 1 / sqrt(1 + (cut / f)^(2 order)) (-0.2 dB at 60 Hz, -24 dB at
    20 Hz, 0 at DC), in the FFT domain with 0.25 s of zero padding against wrap-around."""
    x = np.asarray(x, dtype=np.float64)
    pad = FS // 4
    n = len(x) + 2 * pad
    f = np.fft.rfftfreq(n, 1.0 / FS)
    g = np.zeros_like(f)
    g[1:] = 1.0 / np.sqrt(1.0 + (cut_hz / f[1:]) ** (2 * order))
    return np.fft.irfft(np.fft.rfft(np.pad(x, pad)) * g, n)[pad: pad + len(x)]


def noise_category(kind, seen, noise_clips):
    """The synthetic generator's name, else the category with the most samples among the noise
    clips used (ties: the first in CATEGORIES order)."""
    if seen == "synthetic":
        return kind
    weight = {}
    for col, _f, _g, cat, length in noise_clips:
        if col.startswith("noise_"):
            weight[cat or "other"] = weight.get(cat or "other", 0) + length
    if not weight:
        return "other"
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return max(weight, key=lambda c: (weight[c], -order.get(c, len(order))))


def _fmt_sources(clips):
    seen, out = set(), []
    for col, f, g, _cat, _n in clips:
        s = "%s:%s/%s" % (col, g, f)
        if s not in seen:
            seen.add(s)
            out.append(s)
    return ",".join(sorted(out))


def check_held_out(row):
    """Raises AssertionError unless every clip of the row is held out, recomputed with
    fetch_data's split rules (not only the cache's split column): speech and rooms 'dev', noise
    'dev' for unseen sources (a DEV_COLLECTIONS collection), 'devseen' for seen sources."""
    for s in filter(None, row["sources"].split(",")):
        col, _, clip = s.partition(":")
        group, _, fname = clip.rpartition("/")
        assert col not in fetch_data.LEGACY_ONLY, s
        if col.startswith("speech_"):
            assert fetch_data.speech_split(fname, group, col) == "dev", s
        elif col.startswith("rir_"):
            assert fetch_data.rir_split(fname, group, col) == "dev", s
        else:
            want = "dev" if row["seen"] in ("unseen", "synthetic") else "devseen"
            assert col.startswith("noise_") and fetch_data.noise_split(fname, group, col) == want, \
                (s, row["seen"])
            if row["seen"] == "unseen":
                assert col in fetch_data.DEV_COLLECTIONS, s
    for g in filter(None, row["speaker"].split(",")):
        assert fetch_data.speech_split("", g, row["speech"]) == "dev", g


def make_pair(src, index, plan):
    """One pair (dict with clean, noisy and the index.tsv fields), deterministic in `index`."""
    rng = np.random.default_rng([SEED, index])
    n = int(round(rng.uniform(*SECONDS) * FS / dataset.HOP)) * dataset.HOP
    dry, bw, speech_snr, speech_clips = src.speech(rng, n, plan["speech"])
    room_clips, room = [], "-"
    if plan["reverb"]:
        h, early, room, room_clips = src.room_response(rng)
        speech = dataset.convolve(dry, h).astype(np.float64)
        clean = dataset.convolve(dry, early).astype(np.float64)
    else:
        speech = clean = dry
    noise = None
    for _ in range(5):
        noise, noise_clips = src.noise(plan["noise"], plan["source"], rng, n)
        if noise is not None:
            break
    if noise is None:
        raise RuntimeError("pair %d: %s noise came out silent" % (index, plan["noise"]))
    act = dataset.active_mask(speech)
    p_speech = float(dataset.frame_power(speech)[act].mean())
    snr_db = plan["snr_db"]
    noise *= math.sqrt(p_speech / float(np.mean(noise ** 2)) / 10 ** (snr_db / 10.0))
    noisy = speech + noise
    level_db = rng.uniform(*LEVEL_DBFS)
    gain = 10 ** (level_db / 20.0) / math.sqrt(p_speech)
    peak = max(float(np.max(np.abs(noisy))), float(np.max(np.abs(clean))))
    gain = min(gain, 0.99 / peak)
    return {"clean": clean * gain, "noisy": noisy * gain,
            "name": "dev%03d_%s_snr%d" % (index, plan["noise"], snr_db),
            "snr_db": "%d" % snr_db, "noise": plan["noise"], "source": plan["source"],
            "category": noise_category(plan["noise"], plan["seen"], noise_clips),
            "seen": plan["seen"], "speech": plan["speech"],
            "speaker": ",".join(sorted({g for c, _, g, _, _ in speech_clips
                                        if c == plan["speech"]})),
            "reverb": "1" if plan["reverb"] else "0", "room": room,
            "bandwidth_hz": "%d" % int(bw), "speech_snr_db": "%.0f" % speech_snr,
            "seconds": "%.2f" % (n / FS),
            "level_dbfs": "%.1f" % (10 * math.log10(p_speech * gain * gain)),
            "sources": _fmt_sources(speech_clips + noise_clips + room_clips)}


def build(out_dir, cache=DEFAULT_CACHE, limit=None, log=None, indices=None):
    """Writes the set into out_dir (created; built beside and renamed, so never half-written).

    limit: only the first N pairs; indices: only these pairs of the full set (tests)."""
    src = Sources(cache)
    full = schedule()
    picked = list(indices) if indices is not None else range(limit if limit else len(full))
    partial = out_dir.rstrip("/") + ".partial-%d" % os.getpid()
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        rows = []
        for i in picked:
            p = make_pair(src, i, full[i])
            check_held_out(p)
            wavio.write_wav(os.path.join(partial, p["name"] + "_clean.wav"), p["clean"], FS)
            wavio.write_wav(os.path.join(partial, p["name"] + "_noisy.wav"), p["noisy"], FS)
            rows.append([p[c] for c in COLUMNS])
            if log:
                log("%s  %s %s %s / %s %s %s" % (p["name"], p["seen"], p["source"], p["category"],
                                                p["speech"], p["speaker"], p["room"]))
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
