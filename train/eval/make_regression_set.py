# SPDX-License-Identifier: MIT
"""Build Vocana's small fixed quality-regression set: 18 noisy/clean pairs, 4 s each, 48 kHz.

    python3 -m train.eval.make_regression_set OUT_DIR [--cache-dir D] [--espeak]

Sources, all from small Debian packages so CI can rebuild the set offline from the mirror:
- speech: the alsa-utils voice prompts (/usr/share/sounds/alsa/{Front,Rear,Side}_*.wav), two or
  three per clip with short pauses; with --espeak also espeak-ng sentences (extra 6 pairs).
- noise: keyboard typing assembled from bucklespring-data key recordings (fetched with
  `apt-get download` + `dpkg-deb -x` into the cache dir, no root needed for that), the alsa
  'Noise.wav', and synthetic white, pink, mains hum and babble (train/eval/synth.py).
- SNR 0, 5 and 10 dB: every noise type at every SNR (6 x 3 = 18 pairs).

Deterministic: fixed seeds and sorted file lists; the same packages give byte-identical files.
Output: NAME_clean.wav, NAME_noisy.wav (mono float32 WAV) and index.tsv (name, snr_db, noise,
speech). SNR is the power ratio over the whole clip (pauses included).
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np

from . import metrics, synth, wavio

FS = 48000
CLIP_S = 4.0
SNRS_DB = (0, 5, 10)
NOISES = ("white", "pink", "hum", "babble", "keyboard", "alsa_noise")
ALSA_DIR = "/usr/share/sounds/alsa"
ALSA_SPEECH = ("Front_Center", "Front_Left", "Front_Right", "Rear_Center", "Rear_Left",
               "Rear_Right", "Side_Left", "Side_Right")
ESPEAK_TEXT = ("The quick brown fox jumps over the lazy dog near the river bank.",
               "Please call me back when you have finished reading the report.",
               "We will meet at the station at half past seven tomorrow morning.")
ESPEAK_VOICES = ("en-us", "en-gb", "en-us+f3")
SPEECH_RMS_DBFS = -26.0      # clean level before mixing (ITU-T P.56-like nominal level)
SEED = 20240601


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "vocana")


def _load(path):
    x, rate = wavio.read_wav(path)
    return metrics._resample(x, rate, FS) if rate != FS else x


def alsa_speech_clips(count, rng):
    """`count` clips of CLIP_S seconds, each 2-3 prompts with 150-400 ms pauses."""
    utts = []
    for name in ALSA_SPEECH:
        path = os.path.join(ALSA_DIR, name + ".wav")
        if not os.path.exists(path):
            raise FileNotFoundError("%s missing: install alsa-utils" % path)
        x = _load(path)
        # Trim the recording's leading/trailing silence (below -50 dB of its peak).
        idx = np.nonzero(np.abs(x) > np.max(np.abs(x)) * 10 ** (-50 / 20.0))[0]
        utts.append((name, x[idx[0]:idx[-1] + 1]))
    n = int(CLIP_S * FS)
    clips = []
    for c in range(count):
        out = np.zeros(n)
        pos = int(rng.uniform(0.1, 0.3) * FS)
        names = []
        order = rng.permutation(len(utts))
        for k in order:
            name, u = utts[k]
            if pos + len(u) > n:
                break
            out[pos:pos + len(u)] += u
            names.append(name)
            pos += len(u) + int(rng.uniform(0.15, 0.4) * FS)
        clips.append(("alsa:" + "+".join(names), out))
    return clips


def espeak_clips(cache_dir):
    exe = "espeak-ng"
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (text, voice) in enumerate(zip(ESPEAK_TEXT * 2, ESPEAK_VOICES * 2)):
            path = os.path.join(tmp, "%d.wav" % i)
            speed = 150 + 20 * (i // 3)
            subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", path, text], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            x = _load(path)
            out = np.zeros(int(CLIP_S * FS))
            start = int(0.2 * FS)
            x = x[:len(out) - start]
            out[start:start + len(x)] = x
            clips.append(("espeak:%s/%d" % (voice, speed), out))
    return clips


def bucklespring_dir(cache_dir):
    """Directory of bucklespring-data's key WAVs (44.1 kHz); fetched into the cache once."""
    system = "/usr/share/buckle/wav"
    if glob.glob(os.path.join(system, "*.wav")):
        return system
    target = os.path.join(cache_dir, "bucklespring-data")
    wav_dir = os.path.join(target, "usr", "share", "buckle", "wav")
    if glob.glob(os.path.join(wav_dir, "*.wav")):
        return wav_dir
    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        subprocess.run(["apt-get", "download", "bucklespring-data"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(tmp, "bucklespring-data_*.deb"))
        if not debs:
            raise FileNotFoundError("apt-get download bucklespring-data produced no .deb")
        subprocess.run(["dpkg-deb", "-x", debs[0], target], check=True)
    return wav_dir


def keyboard_noise(n, cache_dir, seed):
    """Typing at 4-9 keys/s in bursts: random key presses, each followed 60-150 ms later by its
    release sound (bucklespring names them KEY-0.wav / KEY-1.wav)."""
    d = bucklespring_dir(cache_dir)
    presses = sorted(glob.glob(os.path.join(d, "*-0.wav")))
    rng = np.random.default_rng(seed)
    cache = {}

    def get(path):
        if path not in cache:
            cache[path] = _load(path)
        return cache[path]

    out = np.zeros(n)
    t = int(rng.uniform(0.0, 0.1) * FS)
    while t < n:
        press = presses[int(rng.integers(len(presses)))]
        for path, at in ((press, t), (press[:-6] + "-1.wav", t + int(rng.uniform(0.06, 0.15) * FS))):
            if not os.path.exists(path) or at >= n:
                continue
            s = get(path) * rng.uniform(0.5, 1.0)
            m = min(len(s), n - at)
            out[at:at + m] += s[:m]
        gap = rng.uniform(1 / 9.0, 1 / 4.0)
        if rng.random() < 0.1:
            gap += rng.uniform(0.2, 0.5)      # a pause between words
        t += int(gap * FS)
    return out


def make_noise(kind, n, cache_dir, seed):
    if kind == "white":
        return synth.white_noise(n, seed)
    if kind == "pink":
        return synth.pink_noise(n, seed)
    if kind == "hum":
        return synth.hum_noise(n, FS, seed)
    if kind == "babble":
        return synth.babble_noise(n, FS, seed)
    if kind == "keyboard":
        return keyboard_noise(n, cache_dir, seed)
    if kind == "alsa_noise":
        x = _load(os.path.join(ALSA_DIR, "Noise.wav"))
        reps = -(-n // len(x)) + 1
        start = int(np.random.default_rng(seed).integers(len(x)))
        return np.tile(x, reps)[start:start + n]
    raise ValueError(kind)


def build(out_dir, cache_dir=None, espeak=False):
    """Writes the set into out_dir; returns the index rows."""
    cache_dir = cache_dir or default_cache_dir()
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(cache_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)
    n = int(CLIP_S * FS)
    pairs = [(kind, snr) for kind in NOISES for snr in SNRS_DB]
    speech = alsa_speech_clips(len(pairs), rng)
    if espeak:
        extra = espeak_clips(cache_dir)
        speech += extra
        pairs += [(NOISES[i % len(NOISES)], SNRS_DB[i % len(SNRS_DB)]) for i in range(len(extra))]
    rows = []
    for i, ((kind, snr), (speech_name, clean)) in enumerate(zip(pairs, speech)):
        clean = clean * 10 ** (SPEECH_RMS_DBFS / 20.0) / np.sqrt(np.mean(clean ** 2))
        noise = make_noise(kind, n, cache_dir, SEED + 101 * i)
        noisy, _ = synth.mix_at_snr(clean, noise, snr)
        peak = np.max(np.abs(noisy))
        if peak > 0.9:                         # keep headroom; same gain on both keeps the SNR
            clean, noisy = clean * 0.9 / peak, noisy * 0.9 / peak
        name = "%02d_%s_%ddB" % (i, kind, snr)
        wavio.write_wav(os.path.join(out_dir, name + "_clean.wav"), clean, FS)
        wavio.write_wav(os.path.join(out_dir, name + "_noisy.wav"), noisy, FS)
        rows.append((name, snr, kind, speech_name))
    with open(os.path.join(out_dir, "index.tsv"), "w") as f:
        f.write("name\tsnr_db\tnoise\tspeech\n")
        for r in rows:
            f.write("%s\t%d\t%s\t%s\n" % r)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--cache-dir", default=None, help="where bucklespring-data is unpacked "
                    "(default $XDG_CACHE_HOME/vocana or ~/.cache/vocana)")
    ap.add_argument("--espeak", action="store_true", help="add 6 espeak-ng pairs (needs espeak-ng)")
    args = ap.parse_args(argv)
    rows = build(args.out_dir, args.cache_dir, args.espeak)
    print("wrote %d pairs to %s" % (len(rows), args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
