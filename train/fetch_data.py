# SPDX-License-Identifier: MIT
"""Build the training audio cache: 48 kHz mono clips, split into train and dev, ready for mixing.

Usage: python3 train/fetch_data.py [--cache DIR] [--speech DIR] [--mirrors DIR] [--only NAME,...]

Each source becomes one "collection" directory under the cache:

    <cache>/<name>/audio.npy   all clips of the collection concatenated, float16, 48 kHz, each clip
                               normalised to a peak of 0.9 (the mixer sets levels anyway)
    <cache>/<name>/index.tsv   one row per clip: file, offset, length (samples), bandwidth_hz,
                               orig_rate, split, group (speaker, voice, category), source (the
                               package or repository), category (noise: what it sounds like)
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

# Splits. The dev set must measure what users meet: noise *sources* and speakers the model never
# heard. So whole sources (the collections of one package or repository) are held out ('dev',
# DEV_COLLECTIONS: no other collection shares their source); within the training
# sources 8 % of the speakers are 'dev' as well, and 8 % of the noise files 'devseen' (a noise
# source the model knows, files it did not hear: the gap between 'dev' and 'devseen' shows how
# much the model learned its noise set rather than noise). Every other clip is 'train'.
DEV_SPEAKER_PCT = 8
DEV_NOISE_FILE_PCT = 8
DEV_COLLECTIONS = {
    "speech_artikulate",          # KDE artikulate-data: 7 languages, speakers never heard
    "noise_freedesktop",          # sound-theme-freedesktop: alarms, bells, phones, shutter, clicks
    "noise_openrct2",             # OpenSoundEffects: crowd, rain, thunder, rides, trains, clicks
    "noise_lincity",              # lincity-ng-data: city, traffic, construction (11 kHz)
    "noise_wesnoth_music",        # wesnoth-1.16-music: orchestral music
    "noise_childsplay",           # childsplay: animals, instruments, horns, bubbles
    "rir_bbc",                    # bbcrd-brirs: a measured listening room (binaural)
}
# Not used for new training data (reserved for the independent evaluation since session 4); the
# checkpoints of runs v1/v2 were trained with them. --legacy builds them for old runs.
LEGACY_ONLY = {"noise_widelands", "noise_0ad"}

# Category of a noise clip from words in its path: the dev report is broken down by these, and
# the mixer uses "transient" clips as foreground events over a background.
CATEGORY_WORDS = [
    ("music", "music|/loop_|/ambi_|/bass_|/elec_|/guit_|/tabla_|/mehackit_|piano|violin|guitar|"
              "flute|harp|cello|banjo|clarinet|didjeridu|shenai|jingle|disco|midi/"),
    ("alarm", "alarm|bell|phone|beep|siren|horn|whistle|chime|message|notif|dialog|"
              "complete|device-|power-|network-|service-|suspend|trash|volume|tada|ticking|"
              "error|news|coin|lifeup|upgrade|glockens"),
    ("transient", "click|key|door|knock|footstep|step|shutter|camera|pop|drop|hit|impact|"
                  "bump|clang|dish|cracking|kick|stomp|thud|squish|splat|brick|wood|metal|"
                  "carpet|gravel|dirt|grass|sand|snow|linoleum|weapon|shoot|gun|fire-flower|"
                  "/bd_|/sn_|/drum_|/perc_|glitch|vinyl|crackle|trampoline|flip|flop|hop|jump|"
                  "switch|turnkey|locked|iceblock|crash|explo|firecracker|dart|blub|pick"),
    ("animal", "bird|cricket|insect|dog|cat|cow|sheep|horse|frog|duck|chick|chiken|rooster|"
               "lion|elephant|animal|mammal|owl|wolf|bee|fly|goat|pig|monkey|seagull|whale"),
    ("nature", "rain|water|wind|thunder|storm|wave|stream|river|fire|flame|lava|splash|bubble|"
               "waterfall|lightning|sizzle|steam|arctic|forest|night|weather|ocean"),
    ("vehicle", "car|train|plane|boat|ship|engine|traffic|truck|ride|_rc_|lift|rocket|"
                "vehicle|tow|ugv|motor|skid|tram|bus"),
    ("machine", "fan|hum|pump|machin|vacuum|washing|drill|saw|hydraul|generator|ventilat|"
                "device|turbine|drone|droning|static|tv_|kettle|toilet|flush|lights|sparks|"
                "factory|mill|workshop|construction|build"),
    ("crowd", "crowd|coffee|restaurant|babble|city|market|people|applause|cheer"),
]


def category_of(name):
    """name: the clip's group and file name (never an absolute path: "/train/" holds "rain")."""
    import re
    low = "/" + name.lower()
    for name, words in CATEGORY_WORDS:
        if re.search(words, low):
            return name
    return "other"


def frame_powers(x):
    """Mean power of each 10 ms frame, digital silence (frames 90 dB under the loudest: gaps,
    zero-led files) left out."""
    x = np.asarray(x, dtype=np.float32)
    t = len(x) // 480
    p = (x[: t * 480].astype(np.float64).reshape(t, 480) ** 2).mean(axis=1)
    return p[p > p.max() * 1e-9] if t else p


def speech_snr_db(p):
    """A recording's own signal-to-noise ratio in dB (capped at 100) from frame powers p: mean
    power of the active frames (within 30 dB of the 95th percentile) over the 10th-percentile
    frame, the noise floor. Many "clean" recordings carry hiss 15-25 dB down; dataset.py does not
    use them as targets. Measured per speaker (group), pooling the frames of all its clips: a
    one-word clip may hold no pause at all, and its quietest frames would be speech, but a
    speaker's recording setup (and its hiss) is the same in every clip."""
    if len(p) < 20:
        return 100.0
    act = p > np.percentile(p, 95) * 1e-3
    return float(min(10.0 * np.log10(p[act].mean() / max(np.percentile(p, 10), 1e-30)), 100.0))


INDEX_COLUMNS = ("file", "offset", "length", "bandwidth_hz", "orig_rate", "split", "group", "source",
                 "category", "snr_db")


def group_snr_db(audio, rows):
    """{group: speech_snr_db of its pooled frames} for index rows (dicts with offset, length,
    group) of one collection's audio."""
    pooled = {}
    for r in rows:
        o, n = int(r["offset"]), int(r["length"])
        pooled.setdefault(r["group"], []).append(frame_powers(audio[o: o + n]))
    return {g: speech_snr_db(np.concatenate(ps)) for g, ps in pooled.items()}


def add_snr_column(cache, force=False):
    """Give the speech collections of a cache built before the snr_db column one (the group's
    recording SNR, see speech_snr_db); other columns are left as they are."""
    for name in sorted(os.listdir(cache)):
        idx = os.path.join(cache, name, "index.tsv")
        if not name.startswith("speech_") or not os.path.isfile(os.path.join(cache, name, "DONE")):
            continue
        with open(idx) as f:
            lines = f.read().splitlines()
        header = lines[0].split("\t")
        if "snr_db" in header and not force:
            continue
        keep = header.index("snr_db") if "snr_db" in header else len(header)
        rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
        snr = group_snr_db(np.load(os.path.join(cache, name, "audio.npy"), mmap_mode="r"), rows)
        out = ["\t".join(header[:keep] + ["snr_db"])]
        for line, r in zip(lines[1:], rows):
            out.append("\t".join(line.split("\t")[:keep] + ["%.1f" % snr[r["group"]]]))
        with open(idx + ".tmp", "w") as f:
            f.write("\n".join(out) + "\n")
        os.replace(idx + ".tmp", idx)
        print(f"  {name}: snr_db per speaker added", file=sys.stderr)


def stable_pct(key):
    """A deterministic number 0..99 for a string (independent of Python's hash seed)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 100


def decode(path, channel=None):
    """Decode any sox-readable file to mono float32 at 48 kHz (the mean of the channels, or one
    channel, 1-based). Returns (samples, original rate)."""
    try:
        rate = int(float(subprocess.run(["soxi", "-r", path], capture_output=True, text=True,
                                        check=True).stdout.strip()))
    except (subprocess.CalledProcessError, ValueError):
        return None, 0
    # -G guards against clipping inside the resampler; 'rate -v' is sox's very-high-quality
    # resampler, so the band edge of 16 or 22 kHz material is steep and measurable.
    proc = subprocess.run(["sox", "-V1", "-G", path, "-t", "raw", "-e", "floating-point", "-b", "32",
                           "-c", "1", "-", "remix", str(channel) if channel else "-", "rate", "-v", str(SR)],
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
    """One cache directory built from a list of (source path, group) items (or (path, group,
    channel) for multichannel room responses)."""

    def __init__(self, name, kind, items, split_fn, source="", min_bw=0.0, category=None):
        self.name, self.kind, self.items, self.split_fn = name, kind, items, split_fn
        self.source, self.min_bw, self.category = source, min_bw, category

    def build(self, cache, jobs):
        out = os.path.join(cache, self.name)
        tmp = out + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        items = sorted(self.items)

        def work(item):
            path, group = item[0], item[1]
            x, rate = decode(path, item[2] if len(item) > 2 else None)
            if x is None or len(x) < SR // 10 or not np.all(np.isfinite(x)):
                return None
            peak = float(np.max(np.abs(x)))
            if peak < 1e-4:  # digital silence: useless as speech or noise
                return None
            x = x * (0.9 / peak)
            bw = measure_bandwidth(x, rate)
            if bw < self.min_bw:  # e.g. telephone-band narrations in a full-band collection
                return None
            return path, group, x.astype(np.float16), bw, rate

        chunks, rows, offset = [], [], 0
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for res in pool.map(work, items):
                if res is None:
                    continue
                path, group, x, bw, rate = res
                split = self.split_fn(path, group, self.name)
                cat = self.kind
                if self.kind == "noise":
                    cat = self.category or category_of(group + "/" + os.path.basename(path))
                rows.append([os.path.basename(path), offset, len(x), int(bw), rate, split, group,
                             self.source, cat, "-"])
                chunks.append(x)
                offset += len(x)
        if not rows:
            print(f"  {self.name}: no usable audio", file=sys.stderr)
            shutil.rmtree(tmp)
            return False
        audio = np.concatenate(chunks)
        if self.kind == "speech":
            snr = group_snr_db(audio, [dict(offset=r[1], length=r[2], group=r[6]) for r in rows])
            for r in rows:
                r[9] = "%.1f" % snr[r[6]]
        np.save(os.path.join(tmp, "audio.npy"), audio)
        with open(os.path.join(tmp, "index.tsv"), "w") as f:
            f.write("\t".join(INDEX_COLUMNS) + "\n")
            for r in rows:
                f.write("\t".join(str(v) for v in r) + "\n")
        with open(os.path.join(tmp, "DONE"), "w") as f:
            f.write(self.kind + "\n")
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
        n_dev = sum(r[5] != "train" for r in rows)
        print(f"  {self.name}: {len(rows)} clips ({n_dev} dev), {offset / SR / 60:.1f} min",
              file=sys.stderr)
        return True


def speech_split(_path, group, collection=""):
    if collection in DEV_COLLECTIONS:
        return "dev"
    return "dev" if stable_pct("speaker:" + group) < DEV_SPEAKER_PCT else "train"


def noise_split(path, _group, collection=""):
    if collection in DEV_COLLECTIONS:
        return "dev"
    return "devseen" if stable_pct("file:" + os.path.basename(path)) < DEV_NOISE_FILE_PCT else "train"


def rir_split(_path, _group, collection=""):
    return "dev" if collection in DEV_COLLECTIONS else "train"


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


def spec(name, kind, source, patterns, group_fn, excludes=(), **kw):
    """One collection: from Debian package `source` ("deb:PKG"), a file inside one ("zip:PKG:PATH"
    for a zip archive in the package) or a repository mirror ("git:OWNER/REPO"); files whose path
    relative to that root matches one of the glob `patterns` and none of `excludes`; group_fn
    maps the relative path to the clip's group (speaker, or noise category). Extra keywords go to
    Collection (min_bw) or select a channel (channels=[...] makes one clip per channel)."""
    return dict(name=name, kind=kind, source=source, patterns=patterns, group_fn=group_fn,
                excludes=list(excludes), **kw)


# Voices are never noise: every noise collection excludes speech, shouts, screams, grunts and
# laughter (they would teach the model to remove voices).
def package_specs():
    fillets = "usr/share/games/fillets-ng/sound"
    hw = "usr/share/games/hedgewars/Data/Sounds"
    mg = "usr/share/games/megaglest"
    tux = "usr/share/tuxpaint/stamps"
    return [
        # ---- speech --------------------------------------------------------------------------
        spec("speech_fillets_nl", "speech", "deb:fillets-ng-data-nl", [fillets + "/*/nl/*.ogg"],
             lambda rel: "fillets-nl/" + rel.split("/")[-3]),
        spec("speech_fillets_cs", "speech", "deb:fillets-ng-data-cs", [fillets + "/*/cs/*.ogg"],
             lambda rel: "fillets-cs/" + rel.split("/")[-3]),
        spec("speech_klettres", "speech", "deb:klettres-data",
             ["usr/share/klettres/*/alpha/*.ogg", "usr/share/klettres/*/syllab/*.ogg"],
             lambda rel: "klettres/" + rel.split("/")[-3]),
        # Voices of game characters (expressive, shouted, laughing); the deliberately processed
        # robot voices are not clean speech.
        spec("speech_hedgewars", "speech", "deb:hedgewars-data", [hw + "/voices/*/*.ogg"],
             lambda rel: "hedgewars/" + rel.split("/")[-2], ["*/voices/Robot/*", "*/voices/*obot*/*"]),
        # Spoken descriptions of Tux Paint's stamps, one narrator per language; narrations
        # recorded at telephone bandwidth (<= 8 kHz) are dropped: this collection is here for
        # full-band voices.
        spec("speech_tuxpaint", "speech", "deb:tuxpaint-stamps-default", [tux + "/**/*_desc*.ogg"],
             lambda rel: "tuxpaint/" + (os.path.basename(rel).split("_desc")[-1].strip("_.")
                                        .replace(".ogg", "") or "en"), min_bw=9000.0),
        # GCompris: words, letters, place names and instructions read in ~45 languages, 44.1 kHz
        spec("speech_gcompris", "speech", "git:gcompris/GCompris-voices", ["*/*/*.ogg", "*/*.ogg"],
             lambda rel: "gcompris/" + rel.split("/")[0]),
        spec("speech_childsplay", "speech", "git:Txikilinux/childsplay",
             ["alphabet-sounds/*/*/*.ogg", "alphabet-sounds/*/*.ogg"],
             lambda rel: "childsplay/" + rel.split("/")[1]),
        spec("speech_artikulate", "speech", "git:KDE/artikulate-data", ["courses/*/*/*.ogg",
                                                                         "courses/*/*/*/*.ogg"],
             lambda rel: "artikulate/" + rel.split("/")[2]),
        # ---- noise ---------------------------------------------------------------------------
        spec("noise_bucklespring", "noise", "deb:bucklespring-data", ["usr/share/buckle/wav/*.wav"],
             lambda rel: "keys", category="transient"),
        spec("noise_lincity", "noise", "deb:lincity-ng-data",
             ["usr/share/games/lincity-ng/sounds/*.wav"], strip_digits),
        spec("noise_hedgewars", "noise", "deb:hedgewars-data", [hw + "/*.ogg"],
             lambda rel: "hw/" + strip_digits(rel),
             ["*/voices/*", "*/hell_*", "*/Yoohoo*", "*/Kiss*", "*/hogchant*"]),
        # Ambience loops and common effects. Unit acknowledgements, selections, deaths and
        # attacks are mostly voices (shouts, "yes sir", screams), so they are left out, and so
        # are the faction unit folders.
        spec("noise_megaglest", "noise", "deb:megaglest-data",
             [mg + "/tilesets/*/sounds/*", mg + "/techs/megapack/commondata/sounds/*"],
             lambda rel: "mg/" + rel.split("/")[-2] + "/" + strip_digits(rel),
             ["*_ack*", "*_select*", "*_die*", "*_attack*", "*good_morning*", "*/units/*"]),
        # UFO: AI: fire, water, thunder, wind, machinery, pumps, hum, doors, footsteps, impacts,
        # weapons; not the soldiers', civilians' and aliens' voices or the radio/TV speech.
        spec("noise_ufoai", "noise", "zip:ufoai-sound:usr/share/games/ufoai/base/0snd.pk3",
             ["sound/ambience/*", "sound/doors/*", "sound/footsteps/*", "sound/impact/*",
              "sound/misc/*", "sound/weapons/*", "sound/weapons/*/*", "sound/ugv/*",
              "sound/geoscape/*"],
             lambda rel: "ufoai/" + rel.split("/")[1] + "/" + strip_digits(rel),
             ["*radiomessage*", "*tv_news*", "*aliencom*", "*/soldiers/*", "*/civilians/*",
              "*/aliens/*", "*scream*", "*death*", "*die*", "*hurt*", "*pain*"]),
        spec("noise_freedesktop", "noise", "deb:sound-theme-freedesktop",
             ["usr/share/sounds/freedesktop/stereo/*.oga"],
             lambda rel: "fd/" + strip_digits(rel),
             ["*audio-channel-*", "*audio-test-signal*"]),   # spoken channel names
        # Sonic Pi: drums, percussion, loops, ambient pads, vinyl crackle, glitches (MIT)
        spec("noise_sonicpi", "noise", "deb:sonic-pi-samples", ["usr/share/sonic-pi/samples/*.flac"],
             lambda rel: "sonicpi/" + os.path.basename(rel).split("_")[0]),
        spec("noise_tuxpaint", "noise", "deb:tuxpaint-stamps-default", [tux + "/**/*.ogg"],
             lambda rel: "tuxpaint/" + rel.split("/")[4],
             ["*_desc*", "*/symbols/*", "*/military/*", "*/faces/*"]),  # spoken, not noise
        spec("noise_supertux", "noise", "deb:supertux-data",
             ["usr/share/games/supertux2/sounds/*", "usr/share/games/supertux2/music/*/*.ogg",
              "usr/share/games/supertux2/music/*.ogg"],
             lambda rel: "supertux/" + rel.split("/")[4],
             ["*grunts*", "*hurt*", "*excellent*", "*welldone*", "*yeti*", "*mr_tree*",
              "*/speech/*"]),
        spec("noise_colobot", "noise", "deb:colobot-common-sounds",
             ["usr/share/games/colobot/sounds/*", "usr/share/games/colobot/music/*"],
             lambda rel: "colobot/" + rel.split("/")[4]),
        spec("noise_wesnoth_music", "noise", "deb:wesnoth-1.16-music",
             ["usr/share/games/wesnoth/1.16/data/core/music/*.ogg"], lambda rel: "wesnoth-music"),
        spec("noise_blanket", "noise", "git:rafaelmardojai/blanket", ["data/resources/sounds/*.ogg"],
             lambda rel: "blanket/" + strip_digits(rel)),
        # OpenRCT2's own recordings (CC BY 4.0 per Credits.txt); the samples it licenses from
        # outside sources ("all rights reserved") and the screams are not used.
        spec("noise_openrct2", "noise", "git:OpenRCT2/OpenSoundEffects",
             ["*/samples/" + f + ".flac" for f in OPENRCT2_CC_BY] +
             ["Unused/" + f + ".flac" for f in OPENRCT2_CC_BY],
             lambda rel: "openrct2/" + strip_digits(rel)),
        spec("noise_childsplay", "noise", "git:Txikilinux/childsplay",
             ["lib/CPData/FindsoundData/Sounds/*/*.ogg"],
             lambda rel: "childsplay/" + strip_digits(rel), ["*/hey.ogg"]),
        # ---- room impulse responses -----------------------------------------------------------
        # (bbc: the 2-channel binaural responses of 32 loudspeakers, left ear; the 720-channel
        # ones are too large for the snapshot)
        # R3VIVAL: 272 responses of a variable-acoustics lab at 48 kHz, 7-microphone array: the
        # centre omni (channel 7) and the front cardioid-ish capsule (1) as two microphones.
        spec("rir_r3vival", "rir", "git:facebookresearch/R3VIVAL", ["RIRs/FRL_array/*.wav"],
             lambda rel: "r3vival/" + os.path.basename(rel).split("_")[1], channels=[7, 1]),
        spec("rir_bbc", "rir", "git:bbc/bbcrd-brirs", ["ambix-configs/irs/*.wav"],
             lambda rel: "bbc/" + strip_digits(rel), channels=[1]),
        # ---- legacy (runs v1/v2 only) ----------------------------------------------------------
        spec("noise_widelands", "noise", "deb:widelands-data",
             ["usr/share/games/widelands/data/sound/*", "usr/share/games/widelands/data/sound/**"],
             lambda rel: "wl/" + rel.split("/")[-2]),
    ]


# Samples of OpenSoundEffects recorded for OpenRCT2 and licensed CC BY 4.0 (its Credits.txt).
OPENRCT2_CC_BY = ["news", "pop", "rain", "flush", "thunder_1", "thunder_2", "thunder_3",
                  "thunder_4", "hydrolics_tow_truck", "hydrolics_wh_lost_gravity",
                  "hydrolics_el_abyssus", "hydrolics_wh_space_shot", "train_whistle_1_cp_railroad",
                  "train_whistle_2_cp_railroad", "train_whistle_3_cp_railroad",
                  "train_whistle_depart_cp_railroad", "bm_rc_lift_cp_rougarou",
                  "bm_rc_roar_cp_rougarou", "wood_rc_lift_cp_bluestreak",
                  "wood_rc_lift_cp_blue_streak", "hyper_rc_lift_cp_magnum_xl_200", "crowd",
                  "hydrolics_ninja", "hydrolics_mm_ninja"]

AUDIO_EXT = (".wav", ".ogg", ".oga", ".flac")

MIRRORS = os.environ.get("VOCANA_MIRRORS", "/work/.mirror")


def mirror_git_dir(mirrors, repo):
    """The git directory of a repository snapshot: <mirrors>/<owner>+<name>/repo[/.git]."""
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    for d in (os.path.join(base, ".git"), base):
        if os.path.isfile(os.path.join(d, "HEAD")):
            return d
    raise OSError(f"no mirror of {repo} under {mirrors} (fetch it first: see train/README.md)")


def export_mirror(cache, mirrors, repo):
    """Write a mirror's HEAD files (it has no work tree) into <cache>/extract/<owner>+<name>.
    File by file, because a snapshot may lack some blobs (large files are left out of it): those
    are skipped with a note instead of failing the whole source."""
    dest = os.path.join(cache, "extract", repo.replace("/", "+"))
    if os.path.isdir(dest):
        return dest
    git_dir = mirror_git_dir(mirrors, repo)
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "HEAD"],
                             capture_output=True, check=True).stdout.split(b"\0")
    blobs = []
    for entry in listing:
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":
            blobs.append((sha.decode(), path.decode()))
    missing = 0
    with subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as cat:
        for sha, path in blobs:
            cat.stdin.write(sha.encode() + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                missing += 1
                continue
            data = cat.stdout.read(int(header[2]))
            cat.stdout.read(1)  # the newline after the contents
            out = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(data)
        cat.stdin.close()
    if missing:
        print(f"  {repo}: {missing} of {len(blobs)} files are not in the snapshot (skipped)",
              file=sys.stderr)
    os.rename(tmp, dest)
    return dest


def source_root(cache, mirrors, source):
    """(extraction root, short source name, extraction dir to delete afterwards)."""
    kind, _, rest = source.partition(":")
    if kind == "deb":
        return fetch_package(cache, rest), rest, os.path.join(cache, "extract", rest)
    if kind == "zip":
        pkg, _, inner = rest.partition(":")
        root = fetch_package(cache, pkg)
        out = os.path.join(cache, "extract", pkg + ".zip")
        if not os.path.isdir(out):
            with zipfile.ZipFile(os.path.join(root, inner)) as z:
                z.extractall(out + ".tmp")
            os.rename(out + ".tmp", out)
        return out, pkg, os.path.join(cache, "extract", pkg)
    if kind == "git":
        root = export_mirror(cache, mirrors, rest)
        return root, rest.split("/")[1], root
    raise ValueError(f"unknown source {source}")


def build_spec_collection(cache, mirrors, sp):
    root, source, _ = source_root(cache, mirrors, sp["source"])
    files = [p for p in walk(root, sp["patterns"]) if p.lower().endswith(AUDIO_EXT)
             and not any(fnmatch.fnmatch(p.lower(), e.lower()) for e in sp["excludes"])]
    items = []
    for p in files:
        group = sp["group_fn"](os.path.relpath(p, root))
        for ch in sp.get("channels", [None]):
            items.append((p, group, ch) if ch else (p, group))
    split_fn = {"speech": speech_split, "noise": noise_split, "rir": rir_split}[sp["kind"]]
    return Collection(sp["name"], sp["kind"], items, split_fn, source=source,
                      min_bw=sp.get("min_bw", 0.0), category=sp.get("category"))


def midi_collection(cache, jobs):
    """Music rendered from MIDI with a General MIDI soundfont (fluid-soundfont-gm) by fluidsynth:
    OpenTTD's openmsx set and the examples of mma (the Musical MIDI Accompaniment generator)."""
    sf = os.path.join(fetch_package(cache, "fluid-soundfont-gm"), "usr/share/sounds/sf2/FluidR3_GM.sf2")
    out = os.path.join(cache, "extract", "midi-render")
    os.makedirs(out, exist_ok=True)
    items = []
    for pkg, pattern in (("openttd-openmsx", "usr/share/games/openttd/baseset/openmsx/*.mid"),
                         ("mma", "usr/share/doc/mma/examples/*/*.mid")):
        root = fetch_package(cache, pkg)
        for mid in walk(root, [pattern]):
            wav = os.path.join(out, pkg + "-" + os.path.basename(mid)[:-4] + ".wav")
            items.append((mid, wav, pkg))

    def render(it):
        mid, wav, _ = it
        if not os.path.isfile(wav):
            subprocess.run(["fluidsynth", "-ni", "-g", "0.6", "-r", str(SR), "-F", wav + ".tmp.wav",
                            sf, mid], check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            if os.path.isfile(wav + ".tmp.wav"):
                os.rename(wav + ".tmp.wav", wav)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(render, items))
    col_items = [(wav, "midi/" + pkg) for _mid, wav, pkg in items if os.path.isfile(wav)]
    return Collection("noise_midi", "noise", col_items, noise_split, source="midi-gm",
                      category="music")


def zeroad_collection(cache):  # legacy: runs v1/v2 only
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
    return Collection("noise_0ad", "noise", items, noise_split, source="0ad-data")


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
    ap.add_argument("--mirrors", default=MIRRORS,
                    help="directory of repository snapshots, <owner>+<name>/repo (default "
                         "$VOCANA_MIRRORS or /work/.mirror)")
    ap.add_argument("--legacy", action="store_true",
                    help="also build widelands and 0 A.D. (1.38 GB), which only runs v1/v2 used: "
                         "they are reserved for the independent evaluation now")
    ap.add_argument("--only", default="", help="comma-separated collection names to build")
    ap.add_argument("--jobs", type=int, default=2, help="parallel sox decoders")
    ap.add_argument("--keep-extracted", action="store_true",
                    help="keep the unpacked packages (default: delete them after decoding)")
    args = ap.parse_args(argv)
    os.makedirs(args.cache, exist_ok=True)
    only = set(filter(None, args.only.split(",")))

    def wanted(name):
        done = os.path.isfile(os.path.join(args.cache, name, "DONE"))
        legacy_ok = args.legacy or name not in LEGACY_ONLY or name in only
        return (not only or name in only) and not done and legacy_ok

    try:
        fetch_openblas(args.cache)
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"openblas: failed ({e}); training will use plain torch (slower)", file=sys.stderr)
    if wanted("speech_shared"):
        print("speech_shared", file=sys.stderr)
        Collection("speech_shared", "speech", shared_speech_items(args.speech),
                   speech_split, source="shared").build(args.cache, args.jobs)
    specs = package_specs()
    failed = []
    for sp in specs:
        if not wanted(sp["name"]):
            continue
        print(sp["name"], file=sys.stderr)
        try:
            if not build_spec_collection(args.cache, args.mirrors, sp).build(args.cache, args.jobs):
                failed.append(sp["name"])
        except (subprocess.CalledProcessError, OSError, zipfile.BadZipFile, ValueError) as e:
            print(f"  {sp['name']}: failed ({e}); will retry on the next run", file=sys.stderr)
            failed.append(sp["name"])
        # Delete an unpacked source once no collection still to be built needs it.
        if not args.keep_extracted and not any(o["source"].split(":")[1] == sp["source"].split(":")[1]
                                               and wanted(o["name"]) for o in specs):
            try:
                shutil.rmtree(source_root_dir(args.cache, sp["source"]), ignore_errors=True)
            except ValueError:
                pass
    if wanted("noise_midi"):
        print("noise_midi", file=sys.stderr)
        try:
            midi_collection(args.cache, args.jobs).build(args.cache, args.jobs)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  noise_midi: failed ({e}); will retry on the next run", file=sys.stderr)
            failed.append("noise_midi")
    if wanted("noise_0ad") and args.legacy:
        print("noise_0ad", file=sys.stderr)
        try:
            zeroad_collection(args.cache).build(args.cache, args.jobs)
        except (subprocess.CalledProcessError, OSError, zipfile.BadZipFile) as e:
            print(f"  noise_0ad: failed ({e}); will retry on the next run", file=sys.stderr)
        if not args.keep_extracted:
            shutil.rmtree(os.path.join(args.cache, "extract", "0ad-data"), ignore_errors=True)
    add_snr_column(args.cache)
    if failed:
        print(f"fetch_data: not built: {', '.join(failed)}", file=sys.stderr)
    return 0


def source_root_dir(cache, source):
    """Where source_root() unpacks a source (without unpacking it)."""
    kind, _, rest = source.partition(":")
    if kind in ("deb", "zip"):
        return os.path.join(cache, "extract", rest.partition(":")[0] + (".zip" if kind == "zip" else ""))
    if kind == "git":
        return os.path.join(cache, "extract", rest.replace("/", "+"))
    raise ValueError(source)


if __name__ == "__main__":
    sys.exit(main())
