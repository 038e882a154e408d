# SPDX-License-Identifier: MIT
"""On-the-fly training mixtures: clean speech + noise at a random SNR, level, room and bandwidth.

Mixer.example(rng) returns one mixture as waveforms; featurize() turns it into what the model and
the loss consume, computing features and spectra with the C library (vocana_lib). MixStream is the
endless torch IterableDataset on top of both. Choices (see README.md, "Training data"):

- speech: 3 s from one speaker, made of consecutive clips with short pauses when clips are short,
  optionally through a random EQ (a microphone or a voice's timbre: target too);
- noise: 1-2 background sources, recorded (cache collections) or synthetic (synth_noise.py), each
  with its own random EQ, plus in 25 % foreground transients (keys, clicks, doors, dishes ...)
  over it; unit RMS each;
- SNR uniform in [-5, 25] dB, measured on ACTIVE speech frames (10 ms frames within 30 dB of the
  loud frames), so pauses do not make a clip look noisier than it sounds;
- level: active speech level uniform in [-45, 0] dBFS (noise-only: noise RMS in [-60, -10]),
  lowered if anything would clip, except in the 3 % where the input is clipped on purpose;
- reverberation on 40 % of speech: measured, image-method or statistical rooms (rooms.py); the
  target is the speech convolved with the direct path plus the first 50 ms of the response;
- 7 % noise only (target silence), 12 % speech only (target = input: do not damage clean speech);
- 12 % with digital silence (a mute, or a silent start) on input and target; 20 % quantised to
  16 bits; 15 % low-passed at 3 kHz..full band (input and target: a device's bandwidth);
- bandwidth: each example carries the true bandwidth of its speech (the lowest of its clips and
  any low-pass) so the loss can ignore bins where the target cannot be trusted (loss.py).
"""
import math
import os

import numpy as np
import torch

import augment
import rooms
import synth_noise
import vocana_lib

SR = 48000
HOP = vocana_lib.HOP

# Relative sampling weights of the speech collections; a collection not named here (e.g. a
# held-out source in the dev split) gets DEFAULT_SPEECH_WEIGHT. The shared corpus is the cleanest
# and most varied in speakers but only 8 kHz wide; the package and repository voices bring
# full-band speech in many languages, without which the model would learn to remove everything
# above 8 kHz.
SPEECH_WEIGHTS = {"speech_shared": 0.3, "speech_fillets_nl": 0.06, "speech_fillets_cs": 0.06,
                  "speech_klettres": 0.08, "speech_hedgewars": 0.1, "speech_tuxpaint": 0.13,
                  "speech_gcompris": 0.2, "speech_childsplay": 0.07}
DEFAULT_SPEECH_WEIGHT = 0.1
# Noise: synthetic generators and recorded collections; a recorded collection not named here gets
# DEFAULT_NOISE_WEIGHT (held-out sources in the dev split). widelands and 0ad are never used for
# new runs (reserved for the independent evaluation; fetch_data.py builds them only with --legacy).
NOISE_WEIGHTS = {"colored": 0.06, "hvac": 0.07, "hum": 0.03, "babble": 0.09, "typing": 0.06,
                 "clicks": 0.05, "chirps": 0.04,
                 "noise_bucklespring": 0.02, "noise_hedgewars": 0.04, "noise_megaglest": 0.06,
                 "noise_ufoai": 0.11, "noise_sonicpi": 0.06, "noise_tuxpaint": 0.06,
                 "noise_supertux": 0.05, "noise_colobot": 0.05, "noise_blanket": 0.08,
                 "noise_midi": 0.06}
DEFAULT_NOISE_WEIGHT = 0.06
EXCLUDED = {"noise_widelands", "noise_0ad"}

P_REVERB = 0.4
P_NOISE_ONLY = 0.07
P_SPEECH_ONLY = 0.12
P_TWO_NOISES = 0.4
P_TRANSIENTS = 0.25
P_EQ_SPEECH = 0.3
P_EQ_NOISE = 0.4
P_EQ = 0.2            # the same colouring on input and target (the whole chain)
P_LOWPASS = 0.15
P_MUTE = 0.12
# the recipe's switchable parts (train.py --p-noise-onset, --p-speech-lead; 0 = off):
P_NOISE_ONSET = 0.0   # the noise starts late (augment.noise_onset)
P_SPEECH_LEAD = 0.0   # the speech starts late, after the noise alone (augment.speech_lead)
P_CLIP = 0.03
P_QUANTIZE = 0.2
SNR_RANGE_DB = (-5.0, 25.0)
SPEECH_LEVEL_DBFS = (-45.0, 0.0)
NOISE_ONLY_LEVEL_DBFS = (-60.0, -10.0)
EARLY_MS = rooms.EARLY_MS
# Speech is high-passed here: many recordings carry rumble below 50 Hz (up to 87 % of a clip's
# energy), which the target would otherwise ask the model to keep.
SPEECH_HIGHPASS_HZ = 50.0
# Speech clips whose own noise floor is less than this far below them (index column snr_db,
# fetch_data.speech_snr_db) are not used: as targets they would teach the model to keep hiss.
MIN_SPEECH_SNR_DB = 25.0


class Collection:
    """One cache collection (fetch_data.py): a float16 array and its clips of one split."""

    def __init__(self, path, split):
        self.name = os.path.basename(path)
        self.audio = np.load(os.path.join(path, "audio.npy"), mmap_mode="r")
        self.clips = []   # (offset, length, bandwidth_hz, group, category)
        # (training only: the dev set builder redraws noisy references itself and needs every
        # held-out speaker it can get)
        min_snr = MIN_SPEECH_SNR_DB if self.name.startswith("speech_") and split == "train" else None
        with open(os.path.join(path, "index.tsv")) as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                r = dict(zip(header, line.rstrip("\n").split("\t")))
                if min_snr is not None and float(r.get("snr_db") or 100.0) < min_snr:
                    continue
                if r["split"] == split:
                    self.clips.append((int(r["offset"]), int(r["length"]), float(r["bandwidth_hz"]),
                                       r["group"], r.get("category", "")))
        self.groups = {}
        for i, c in enumerate(self.clips):
            self.groups.setdefault(c[3], []).append(i)
        self.group_names = sorted(self.groups)
        lengths = np.array([c[1] for c in self.clips], dtype=np.float64)
        self.p = lengths / lengths.sum() if len(lengths) else lengths

    def clip(self, i):
        o, n = self.clips[i][0], self.clips[i][1]
        return np.asarray(self.audio[o: o + n], dtype=np.float32)

    def random_clip(self, rng):
        return int(rng.choice(len(self.clips), p=self.p))


def load_collections(cache, split, exclude=EXCLUDED):
    """{name: Collection} of speech, noise and room responses of one split."""
    speech, noise, rirs = {}, {}, {}
    if not os.path.isdir(cache):
        return speech, noise, rirs
    for name in sorted(os.listdir(cache)):
        d = os.path.join(cache, name)
        if name in exclude or not os.path.isfile(os.path.join(d, "DONE")):
            continue
        c = Collection(d, split)
        if not c.clips:
            continue
        kind = speech if name.startswith("speech_") else rirs if name.startswith("rir_") else noise
        kind[name] = c
    return speech, noise, rirs


fft_filter = augment.fft_filter


def frame_power(x):
    t = len(x) // HOP
    return (x[: t * HOP].reshape(t, HOP) ** 2).mean(axis=1)


def active_mask(x):
    """10 ms frames within 30 dB of the loud (95th percentile) frames."""
    p = frame_power(x)
    if p.max() <= 1e-12:
        return np.zeros_like(p, dtype=bool)
    return p > max(np.percentile(p, 95) * 1e-3, 1e-10)


def convolve(x, h):
    n = len(x) + len(h) - 1
    m = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, m) * np.fft.rfft(h, m), m)[: len(x)].astype(np.float32)


class Mixer:
    """Draws mixtures from the collections of one split (train, dev or devseen)."""

    def __init__(self, cache, split, seconds=3.0, speech_weights=None, noise_weights=None,
                 exclude=EXCLUDED, p_noise_onset=P_NOISE_ONSET, p_speech_lead=P_SPEECH_LEAD):
        self.split = split
        self.p_noise_onset, self.p_speech_lead = p_noise_onset, p_speech_lead
        self.n = int(round(seconds * SR / HOP)) * HOP
        self.speech, self.noise, rirs = load_collections(cache, split, exclude)
        if not self.speech:
            raise RuntimeError(f"no speech collections with a '{split}' split in {cache}: run "
                               "train/fetch_data.py")
        sw = dict(speech_weights or SPEECH_WEIGHTS)
        self.speech_names = sorted(self.speech)
        self.speech_p = np.array([sw.get(k, DEFAULT_SPEECH_WEIGHT) for k in self.speech_names],
                                 dtype=np.float64)
        self.speech_p /= self.speech_p.sum()
        nw = dict(noise_weights or NOISE_WEIGHTS)
        names = [k for k in nw if k in synth_noise.GENERATORS and
                 (k != "typing" or "noise_bucklespring" in self.noise)]
        names += sorted(k for k in self.noise if nw.get(k, DEFAULT_NOISE_WEIGHT) > 0)
        self.noise_names = names
        self.noise_p = np.array([nw.get(k, DEFAULT_NOISE_WEIGHT) for k in names], dtype=np.float64)
        self.noise_p /= self.noise_p.sum()
        # foreground events: every short clip whose category is "transient", any collection
        self.transients = [(c, i) for c in self.noise.values() for i, clip in enumerate(c.clips)
                           if clip[4] == "transient" and clip[1] < 2 * SR]
        self.rooms = rooms.RoomBank(list(rirs.values()))
        self._keys = None

    # ---- speech --------------------------------------------------------------------------
    def speech_segment(self, rng, n, collection=None):
        """n samples of speech from one speaker (group), clips joined with short pauses, high-
        passed at SPEECH_HIGHPASS_HZ. Returns (samples, bandwidth_hz)."""
        x, bw = self._speech_clips(rng, n, collection)
        return fft_filter(x, augment.highpass_response(SPEECH_HIGHPASS_HZ)), bw

    def _speech_clips(self, rng, n, collection):
        name = collection or self.speech_names[rng.choice(len(self.speech_names), p=self.speech_p)]
        col = self.speech[name]
        first = col.random_clip(rng)
        group = col.clips[first][3]
        same = col.groups[group]
        out = np.zeros(n, dtype=np.float32)
        bw = SR / 2
        clip = col.clip(first)
        if len(clip) >= n:
            start = int(rng.integers(0, len(clip) - n + 1))
            return clip[start: start + n].copy(), col.clips[first][2]
        pos = int(rng.integers(0, max(1, n - len(clip)))) if rng.random() < 0.3 else 0
        i = first
        while pos < n:
            clip = col.clip(i) * np.float32(10 ** (rng.uniform(-4, 4) / 20))
            m = min(len(clip), n - pos)
            out[pos: pos + m] = clip[:m]
            bw = min(bw, col.clips[i][2])
            pos += m + int(rng.uniform(0.05, 0.6) * SR)
            i = same[int(rng.integers(len(same)))]
        return out, bw

    def _babble_source(self, rng, n):
        # never the dev speakers when training: self.speech only holds this split's speakers
        return self.speech_segment(rng, n)[0]

    # ---- noise ---------------------------------------------------------------------------
    def _key_clips(self):
        if self._keys is None:
            col = self.noise["noise_bucklespring"]
            self._keys = [col.clip(i) for i in range(len(col.clips))]
        return self._keys

    def _recorded(self, rng, col, n):
        i = col.random_clip(rng)
        clip = col.clip(i)
        if len(clip) >= n:
            start = int(rng.integers(0, len(clip) - n + 1))
            return clip[start: start + n].copy()
        out = np.zeros(n, dtype=np.float32)
        if len(clip) > SR:
            # ambience loops: tile from a random phase
            reps = n // len(clip) + 2
            tiled = np.tile(clip, reps)
            start = int(rng.integers(0, len(clip)))
            return tiled[start: start + n].copy()
        # short effects: events at random times, clips from the same category
        same = col.groups[col.clips[i][3]]
        pos = int(rng.uniform(-0.5, 1.0) * len(clip))
        mean_gap = rng.uniform(0.1, 1.5)
        while pos < n:
            m = min(len(clip), n - max(pos, 0))
            if pos >= 0:
                out[pos: pos + m] += clip[:m] * np.float32(10 ** (rng.uniform(-10, 0) / 20))
            pos += len(clip) + int(rng.exponential(mean_gap) * SR)
            clip = col.clip(same[int(rng.integers(len(same)))])
        return out

    def noise_source(self, rng, n):
        kind = self.noise_names[rng.choice(len(self.noise_names), p=self.noise_p)]
        if kind == "colored":
            x = synth_noise.colored(rng, n)
        elif kind == "hvac":
            x = synth_noise.hvac(rng, n)
        elif kind == "hum":
            x = synth_noise.hum(rng, n)
        elif kind == "babble":
            x = synth_noise.babble(rng, n, self._babble_source)
        elif kind == "typing":
            x = synth_noise.typing(rng, n, self._key_clips())
        elif kind == "clicks":
            x = synth_noise.clicks(rng, n)
        elif kind == "chirps":
            x = synth_noise.chirps(rng, n)
        else:
            x = self._recorded(rng, self.noise[kind], n)
        if rng.random() < P_EQ_NOISE:
            x = fft_filter(x, augment.random_eq_response(rng))
        r = float(np.sqrt(np.mean(x * x)))
        return (x / r).astype(np.float32) if r > 1e-7 else None, kind

    def transient_events(self, rng, n):
        """Foreground events (keys, clicks, doors, dishes, steps ...): 1-8 short clips at random
        times and levels within 12 dB (30 % synthetic click events), unit RMS overall; None if
        it came out silent."""
        out = np.zeros(n, dtype=np.float32)
        for _ in range(int(rng.integers(1, 9))):
            if not self.transients or rng.random() < 0.3:  # synthetic: struck objects, clicks
                clip = synth_noise.click_event(rng).astype(np.float32)
                clip *= np.float32(10 ** (rng.uniform(-12, 0) / 20) / (np.abs(clip).max() + 1e-9))
            else:
                col, i = self.transients[int(rng.integers(len(self.transients)))]
                clip = col.clip(i) * np.float32(10 ** (rng.uniform(-12, 0) / 20))
            pos = int(rng.integers(-len(clip) // 2, n))
            a, b = max(pos, 0), min(pos + len(clip), n)
            if b > a:
                out[a:b] += clip[a - pos: b - pos]
        r = float(np.sqrt(np.mean(out * out)))
        return out / r if r > 1e-7 else None

    def noise_mix(self, rng, n):
        out = np.zeros(n, dtype=np.float32)
        kinds = []
        for k in range(2 if rng.random() < P_TWO_NOISES else 1):
            for _ in range(5):
                x, kind = self.noise_source(rng, n)
                if x is not None:
                    break
            if x is None:
                continue
            out += x * np.float32(10 ** (rng.uniform(-12, 0) / 20) if k else 1.0)
            kinds.append(kind)
        if rng.random() < P_TRANSIENTS:
            ev = self.transient_events(rng, n)
            if ev is not None:
                # from clearly under the background to 15 dB over it
                out += ev * np.float32(10 ** (rng.uniform(-10, 15) / 20))
                kinds.append("transients")
        return out, kinds

    # ---- mixture -------------------------------------------------------------------------
    def example(self, rng):
        """One mixture: dict with noisy, clean (float32 [n]), bandwidth_hz, has_speech, info."""
        n = self.n
        u = rng.random()
        has_speech = u >= P_NOISE_ONLY
        has_noise = u < 1 - P_SPEECH_ONLY
        info = {}
        if has_speech:
            dry, bw = self.speech_segment(rng, n)
            if rng.random() < P_EQ_SPEECH:
                dry = fft_filter(dry, augment.random_eq_response(rng))
            if has_noise and rng.random() < self.p_speech_lead:
                # after the (circular) EQ, so nothing of the speech wraps into the lead
                dry = augment.speech_lead(dry, rng)
                info["speech_lead"] = True
            if rng.random() < P_REVERB:
                h, early = self.rooms.draw(rng)
                speech = convolve(dry, h)
                clean = convolve(dry, early)
                info["reverb"] = True
            else:
                speech = clean = dry
        else:
            speech = clean = np.zeros(n, dtype=np.float32)
            bw = SR / 2
        if has_noise:
            noise, info["noise"] = self.noise_mix(rng, n)
            if rng.random() < self.p_noise_onset:
                noise = noise * augment.noise_onset(rng, n)
                info["noise_onset"] = True
        else:
            noise = np.zeros(n, dtype=np.float32)
        if has_speech and has_noise:
            act = active_mask(speech)
            p_speech = frame_power(speech)[act].mean() if act.any() else np.mean(speech ** 2)
            p_noise = max(float(np.mean(noise ** 2)), 1e-12)
            snr = rng.uniform(*SNR_RANGE_DB)
            info["snr_db"] = snr
            noise = noise * np.float32(math.sqrt(p_speech / p_noise / 10 ** (snr / 10)))
        noisy = speech + noise
        if rng.random() < P_EQ:
            # the same microphone/room colouring on both: it is not noise, keep it
            eq = augment.random_eq_response(rng)
            noisy, clean = fft_filter(noisy, eq), fft_filter(clean, eq)
            info["eq"] = True
        if rng.random() < P_LOWPASS:
            # a device's or codec's bandwidth, upsampled: nothing above the cut, in either
            cut = augment.random_cutoff(rng)
            lp = augment.lowpass_response(cut)
            noisy, clean = fft_filter(noisy, lp), fft_filter(clean, lp)
            bw = min(bw, cut)
            info["lowpass"] = cut
        # the additive noise alone, for the loss's noise onsets (its level does not matter; reverb
        # of the speech, which noisy minus clean also holds, is no noise onset)
        noise_only = noise
        if rng.random() < P_MUTE:
            m = augment.mute(rng, n)
            noisy, clean, noise_only = noisy * m, clean * m, noise_only * m
            info["mute"] = True
        # level: the active speech level (or, without speech, the noise level) in dBFS
        if has_speech:
            act = active_mask(clean)
            p = frame_power(clean)[act].mean() if act.any() else np.mean(clean ** 2)
            level_db = rng.uniform(*SPEECH_LEVEL_DBFS)
        else:
            p = np.mean(noisy ** 2)
            level_db = rng.uniform(*NOISE_ONLY_LEVEL_DBFS)
        gain = 10 ** (level_db / 20) / max(math.sqrt(float(p)), 1e-9)
        clipped = rng.random() < P_CLIP
        gain = min(gain, 0.99 / max(float(np.max(np.abs(clean))), 1e-9))
        if not clipped:
            gain = min(gain, 0.99 / max(float(np.max(np.abs(noisy))), 1e-9))
        noisy, clean = (noisy * gain).astype(np.float32), (clean * gain).astype(np.float32)
        if clipped:
            # an overdriven input chain: the target is the unclipped speech
            noisy = np.clip(augment.clip(noisy, rng), -0.99, 0.99)
            info["clipped"] = True
        if rng.random() < P_QUANTIZE:
            noisy = augment.quantize_16bit(noisy)
        return {"noisy": noisy, "clean": clean, "bandwidth_hz": float(bw),
                "has_speech": bool(has_speech), "info": info,
                "noise_frames": frame_power(noise_only).astype(np.float32)}


def featurize(ex, n_df, lib=None, delay=480):
    """Model inputs and loss targets for one mixture (numpy -> torch):
    feat [T, 32+2n_df], noisy spec X and clean spec S [T, 481] complex64 (from the C analysis),
    vad target [T], bandwidth_hz, has_speech, noisy_rms, and the additive noise's power per
    10 ms frame [T] (noise_pow, from the example's noise_frames)."""
    lib = lib or vocana_lib.load()
    feat, x_spec = lib.analyze(ex["noisy"], n_df, delay=delay)
    s_spec = lib.analyze(ex["clean"], n_df, features=False, delay=delay)
    p = (np.abs(s_spec) ** 2).sum(axis=1)
    if ex["has_speech"] and p.max() > 0:
        vad = (p > max(np.percentile(p, 95) * 10 ** (-3.0), 1e-9)).astype(np.float32)
    else:
        vad = np.zeros(len(p), dtype=np.float32)
    out = {"feat": torch.from_numpy(feat), "X": torch.from_numpy(x_spec),
           "S": torch.from_numpy(s_spec), "vad": torch.from_numpy(vad),
           "bw": torch.tensor(ex["bandwidth_hz"], dtype=torch.float32),
           "has_speech": torch.tensor(float(ex["has_speech"])),
           "rms": torch.tensor(float(np.sqrt(np.mean(ex["noisy"] ** 2))) + 1e-6)}
    pw = np.zeros(len(p), dtype=np.float32)  # the analysis may have a frame more or less
    m = min(len(p), len(ex["noise_frames"]))
    pw[:m] = ex["noise_frames"][:m]
    out["noise_pow"] = torch.from_numpy(pw)
    return out


class MixStream(torch.utils.data.IterableDataset):
    """Endless stream of featurized training mixtures. Each worker gets its own generator from
    (seed, worker id), so streams never repeat across workers or resumed runs (give a new seed)."""

    def __init__(self, cache, n_df, seed, seconds=3.0, split="train", delay=480, recipe=None):
        super().__init__()
        self.cache, self.n_df, self.seed, self.seconds, self.split = cache, n_df, seed, seconds, split
        self.delay, self.recipe = delay, dict(recipe or {})

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info is not None else 0
        rng = np.random.default_rng([self.seed, wid])
        mixer = Mixer(self.cache, self.split, self.seconds, **self.recipe)
        lib = vocana_lib.load()
        while True:
            yield featurize(mixer.example(rng), self.n_df, lib, self.delay)


def make_devset(cache, n_examples, seed, seconds=3.0, recipe=None):
    """A fixed list of dev mixtures (waveforms, so they can be stored and re-featurized);
    recipe: Mixer's p_* keywords."""
    mixer = Mixer(cache, "dev", seconds, **(recipe or {}))
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_examples):
        ex = mixer.example(rng)
        d = {k: ex[k] for k in ("noisy", "clean", "bandwidth_hz", "has_speech", "noise_frames")}
        d["has_noise"] = "noise" in ex["info"]
        out.append(d)
    return out
