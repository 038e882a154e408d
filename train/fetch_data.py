# SPDX-License-Identifier: MIT
"""Build the training audio cache: 48 kHz mono clips, split into train and dev, ready for mixing.

Usage: python3 train/fetch_data.py [--cache DIR] [--speech DIR] [--with-0ad] [--only NAME,...]

Each source becomes one "collection" directory under the cache:

    <cache>/<name>/audio.npy   all clips of the collection concatenated, float16, 48 kHz, each clip
                               normalised to a peak of 0.9 (the mixer sets levels anyway)
    <cache>/<name>/index.tsv   one row per clip: file, offset, length (samples), bandwidth_hz,
                               orig_rate, split (train|dev), group (speaker, voice, category)
    <cache>/<name>/DONE        written last: a collection without it is rebuilt

The script is incremental: finished collections are skipped, downloaded .deb files are kept in
<cache>/debs/, so it can be re-run (or interrupted) at any time and training can start as soon as
the first collections exist. Nothing here is ever committed (train/cache/ is gitignored).
"""
import argparse
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

SR = 48000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CACHE = os.path.join(REPO, "train", "cache")
DEFAULT_SPEECH = os.path.join(os.path.dirname(REPO), "shared", "data", "speech")

# Fractions held out for the dev set. Speech is split by speaker (group); noise by file, plus some
# whole groups (categories) so that the dev set contains noise types never seen in training.
DEV_SPEAKER_PCT = 8
DEV_NOISE_FILE_PCT = 8
DEV_NOISE_GROUP_PCT = 12


def stable_pct(key):
    """A deterministic number 0..99 for a string (independent of Python's hash seed)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 100


def decode(path):
    """Decode any sox-readable file to mono float32 at 48 kHz. Returns (samples, original rate)."""
    try:
        rate = int(float(subprocess.run(["soxi", "-r", path], capture_output=True, text=True,
                                        check=True).stdout.strip()))
    except (subprocess.CalledProcessError, ValueError):
        return None, 0
    # -G guards against clipping inside the resampler; 'rate -v' is sox's very-high-quality
    # resampler, so the band edge of 16 or 22 kHz material is steep and measurable.
    proc = subprocess.run(["sox", "-V1", "-G", path, "-t", "raw", "-e", "floating-point", "-b", "32",
                           "-c", "1", "-", "remix", "-", "rate", "-v", str(SR)],
                          capture_output=True)
    if proc.returncode != 0:
        return None, rate
    x = np.frombuffer(proc.stdout, dtype=np.float32).copy()
    return x, rate


def measure_bandwidth(x, orig_rate):
    """True audio bandwidth in Hz: min(orig_rate / 2, the measured spectral roll-off).

    The roll-off is the highest frequency at which the long-term spectrum of the louder frames,
    smoothed over 500 Hz, is within 70 dB of its maximum: resampled or MP3-coded material has a
    steep cliff there, while real recordings keep some energy (room, microphone noise) up to the
    original Nyquist frequency.
    """
    nyq = orig_rate / 2 if orig_rate > 0 else SR / 2
    n = 1024
    if len(x) < 4 * n:
        return float(min(nyq, SR / 2))
    frames = x[: (len(x) // n) * n].reshape(-1, n)
    energy = (frames ** 2).mean(axis=1)
    loud = frames[energy >= np.median(energy)]
    spec = (np.abs(np.fft.rfft(loud * np.hanning(n), axis=1)) ** 2).mean(axis=0) + 1e-20
    db = 10 * np.log10(np.convolve(spec, np.ones(11) / 11, mode="same"))
    above = np.nonzero(db > db.max() - 70)[0]
    rolloff = (above[-1] + 0.5) * SR / n if len(above) else SR / 2
    return float(min(nyq, rolloff, SR / 2))


class Collection:
    """One cache directory built from a list of (source path, group) items."""

    def __init__(self, name, kind, items, split_fn):
        self.name, self.kind, self.items, self.split_fn = name, kind, items, split_fn

    def build(self, cache, jobs):
        out = os.path.join(cache, self.name)
        tmp = out + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        items = sorted(self.items)

        def work(item):
            path, group = item
            x, rate = decode(path)
            if x is None or len(x) < SR // 10 or not np.all(np.isfinite(x)):
                return None
            peak = float(np.max(np.abs(x)))
            if peak < 1e-4:  # digital silence: useless as speech or noise
                return None
            x = x * (0.9 / peak)
            return path, group, x.astype(np.float16), measure_bandwidth(x, rate), rate

        chunks, rows, offset = [], [], 0
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for res in pool.map(work, items):
                if res is None:
                    continue
                path, group, x, bw, rate = res
                split = self.split_fn(path, group)
                rows.append((os.path.basename(path), offset, len(x), int(bw), rate, split, group))
                chunks.append(x)
                offset += len(x)
        if not rows:
            print(f"  {self.name}: no usable audio", file=sys.stderr)
            shutil.rmtree(tmp)
            return False
        np.save(os.path.join(tmp, "audio.npy"), np.concatenate(chunks))
        with open(os.path.join(tmp, "index.tsv"), "w") as f:
            f.write("file\toffset\tlength\tbandwidth_hz\torig_rate\tsplit\tgroup\n")
            for r in rows:
                f.write("\t".join(str(v) for v in r) + "\n")
        with open(os.path.join(tmp, "DONE"), "w") as f:
            f.write(self.kind + "\n")
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
        n_dev = sum(r[5] == "dev" for r in rows)
        print(f"  {self.name}: {len(rows)} clips ({n_dev} dev), {offset / SR / 60:.1f} min",
              file=sys.stderr)
        return True


def speech_split(_path, group):
    return "dev" if stable_pct("speaker:" + group) < DEV_SPEAKER_PCT else "train"


def noise_split(path, group):
    if stable_pct("group:" + group) < DEV_NOISE_GROUP_PCT:
        return "dev"
    return "dev" if stable_pct("file:" + os.path.basename(path)) < DEV_NOISE_FILE_PCT else "train"


def shared_speech_items(speech_dir):
    manifest = os.path.join(speech_dir, "manifest.tsv")
    items = []
    with open(manifest) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            items.append((os.path.join(speech_dir, row["path"]), row["corpus"] + "/" + row["speaker"]))
    return items


def fetch_package(cache, pkg):
    """Download (if needed) and extract a Debian package; returns the extraction directory."""
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    have = [f for f in os.listdir(debs) if f.startswith(pkg + "_") and f.endswith(".deb")]
    if not have:
        print(f"  downloading {pkg}", file=sys.stderr)
        subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        have = [f for f in os.listdir(debs) if f.startswith(pkg + "_") and f.endswith(".deb")]
    dest = os.path.join(cache, "extract", pkg)
    if not os.path.isdir(dest):
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        subprocess.run(["dpkg-deb", "-x", os.path.join(debs, sorted(have)[-1]), tmp], check=True)
        os.rename(tmp, dest)
    return dest


def walk(root, patterns):
    """Files under root whose path relative to root matches one of the glob patterns, with
    symlinked duplicates removed (megaglest tilesets share files through links)."""
    seen, out = set(), []
    for d, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            if not any(fnmatch.fnmatch(rel, pat) for pat in patterns):
                continue
            real = os.path.realpath(p)
            if real in seen or not os.path.isfile(real):
                continue
            seen.add(real)
            out.append(real)
    return sorted(out)


def strip_digits(name):
    base = os.path.splitext(os.path.basename(name))[0]
    return base.rstrip("0123456789_-. ").lower() or base.lower()


# Package collections: (name, kind, package, glob patterns relative to the extraction root,
# group function of the path relative to the pattern root, exclude patterns).
def package_specs():
    fillets = "usr/share/games/fillets-ng/sound"
    hw = "usr/share/games/hedgewars/Data/Sounds"
    mg = "usr/share/games/megaglest"
    return [
        ("noise_bucklespring", "noise", "bucklespring-data", ["usr/share/buckle/wav/*.wav"],
         lambda rel: "keys", []),
        ("noise_lincity", "noise", "lincity-ng-data", ["usr/share/games/lincity-ng/sounds/*.wav"],
         strip_digits, []),
        ("speech_fillets_nl", "speech", "fillets-ng-data-nl", [fillets + "/*/nl/*.ogg"],
         lambda rel: "fillets-nl/" + rel.split("/")[-3], []),
        ("speech_fillets_cs", "speech", "fillets-ng-data-cs", [fillets + "/*/cs/*.ogg"],
         lambda rel: "fillets-cs/" + rel.split("/")[-3], []),
        ("speech_klettres", "speech", "klettres-data",
         ["usr/share/klettres/*/alpha/*.ogg", "usr/share/klettres/*/syllab/*.ogg"],
         lambda rel: "klettres/" + rel.split("/")[-3], []),
        # Voices of game characters; the deliberately processed ones are not clean speech.
        ("speech_hedgewars", "speech", "hedgewars-data", [hw + "/voices/*/*.ogg"],
         lambda rel: "hedgewars/" + rel.split("/")[-2], ["*/voices/Robot/*", "*/voices/*obot*/*"]),
        ("noise_hedgewars", "noise", "hedgewars-data", [hw + "/*.ogg"],
         lambda rel: "hw/" + strip_digits(rel),
         ["*/voices/*", "*/hell_*", "*/Yoohoo*", "*/Kiss*", "*/hogchant*"]),  # no voices
        # Ambience loops and common effects. Unit acknowledgements, selections, deaths and
        # attacks are mostly voices (shouts, "yes sir", screams): as noise they would teach the
        # model to remove speech, so they are left out, and so are the faction unit folders.
        ("noise_megaglest", "noise", "megaglest-data",
         [mg + "/tilesets/*/sounds/*", mg + "/techs/megapack/commondata/sounds/*"],
         lambda rel: "mg/" + rel.split("/")[-2] + "/" + strip_digits(rel),
         ["*_ack*", "*_select*", "*_die*", "*_attack*", "*good_morning*", "*/units/*"]),
        ("noise_widelands", "noise", "widelands-data", ["usr/share/games/widelands/data/sound/*",
                                                        "usr/share/games/widelands/data/sound/**"],
         lambda rel: "wl/" + rel.split("/")[-2], []),
    ]


AUDIO_EXT = (".wav", ".ogg", ".flac")


def package_collection(cache, spec):
    name, kind, pkg, patterns, group_fn, excludes = spec
    root = fetch_package(cache, pkg)
    files = [p for p in walk(root, patterns) if p.lower().endswith(AUDIO_EXT)
             and not any(fnmatch.fnmatch(p, e) for e in excludes)]
    items = [(p, group_fn(os.path.relpath(p, root))) for p in files]
    split_fn = speech_split if kind == "speech" else noise_split
    return Collection(name, kind, items, split_fn)


def zeroad_collection(cache):
    """0 A.D. ambience (rain, wind, water, birds, markets): only audio/ambient from public.zip."""
    root = fetch_package(cache, "0ad-data")
    zpath = os.path.join(root, "usr/share/games/0ad/mods/public/public.zip")
    out = os.path.join(cache, "extract", "0ad-ambient")
    if not os.path.isdir(out):
        tmp = out + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with zipfile.ZipFile(zpath) as z:
            for info in z.infolist():
                if info.filename.startswith("audio/ambient/") and info.filename.endswith(".ogg"):
                    z.extract(info, tmp)
        os.rename(tmp, out)
    files = walk(out, ["audio/ambient/*/*.ogg", "audio/ambient/*.ogg"])
    items = [(p, "0ad/" + os.path.relpath(p, out).split("/")[-2] + "/" + strip_digits(p))
             for p in files]
    return Collection("noise_0ad", "noise", items, noise_split)


def fetch_openblas(cache):
    """OpenBLAS, unpacked privately for train/fastops.py (Debian's torch has no fast BLAS; the
    system BLAS alternative is left alone)."""
    dest = os.path.join(cache, "openblas")
    if os.path.isdir(dest):
        return
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    pkg = "libopenblas0-pthread"
    if not any(f.startswith(pkg + "_") for f in os.listdir(debs)):
        subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deb = sorted(f for f in os.listdir(debs) if f.startswith(pkg + "_"))[-1]
    subprocess.run(["dpkg-deb", "-x", os.path.join(debs, deb), dest + ".tmp"], check=True)
    os.rename(dest + ".tmp", dest)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=DEFAULT_CACHE, help="cache directory (default train/cache)")
    ap.add_argument("--speech", default=DEFAULT_SPEECH,
                    help="shared speech directory with manifest.tsv (default ../shared/data/speech)")
    ap.add_argument("--with-0ad", action="store_true",
                    help="also fetch 0ad-data (1.38 GB download) for its ambience recordings")
    ap.add_argument("--only", default="", help="comma-separated collection names to build")
    ap.add_argument("--jobs", type=int, default=2, help="parallel sox decoders")
    ap.add_argument("--keep-extracted", action="store_true",
                    help="keep the unpacked packages (default: delete them after decoding)")
    args = ap.parse_args(argv)
    os.makedirs(args.cache, exist_ok=True)
    only = set(filter(None, args.only.split(",")))

    def wanted(name):
        done = os.path.isfile(os.path.join(args.cache, name, "DONE"))
        return (not only or name in only) and not done

    try:
        fetch_openblas(args.cache)
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"openblas: failed ({e}); training will use plain torch (slower)", file=sys.stderr)
    if wanted("speech_shared"):
        print("speech_shared", file=sys.stderr)
        Collection("speech_shared", "speech", shared_speech_items(args.speech),
                   speech_split).build(args.cache, args.jobs)
    specs = package_specs()
    for spec in specs:
        if not wanted(spec[0]):
            continue
        print(spec[0], file=sys.stderr)
        try:
            package_collection(args.cache, spec).build(args.cache, args.jobs)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  {spec[0]}: failed ({e}); will retry on the next run", file=sys.stderr)
        # Delete an unpacked package once no collection still to be built needs it.
        pkg = spec[2]
        if not args.keep_extracted and not any(s[2] == pkg and wanted(s[0]) for s in specs):
            shutil.rmtree(os.path.join(args.cache, "extract", pkg), ignore_errors=True)
    if args.with_0ad and wanted("noise_0ad"):
        print("noise_0ad", file=sys.stderr)
        try:
            zeroad_collection(args.cache).build(args.cache, args.jobs)
        except (subprocess.CalledProcessError, OSError, zipfile.BadZipFile) as e:
            print(f"  noise_0ad: failed ({e}); will retry on the next run", file=sys.stderr)
        if not args.keep_extracted:
            shutil.rmtree(os.path.join(args.cache, "extract", "0ad-data"), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
