# SPDX-License-Identifier: MIT
"""Unit tests of the training pipeline that need no audio cache and no C network.

Usage: test_train_units.py PATH/TO/libvocana.so   (exit 77 = skipped: no torch/numpy)

- fastops: the OpenBLAS GRU and linear layers give torch.nn.GRU / F.linear's outputs and
  gradients (if OpenBLAS is not found, the torch fallback is what gets compared, and we say so);
- vcm: export -> read round trip is exact (f32) / half-exact (f16); a flipped byte fails the CRC;
- loss: zero for a perfect output; the bandwidth mask ignores high-band errors while the target
  is active but not in its silent frames;
- dataset: mixtures from a synthetic cache have the drawn SNR on active speech, never clip, are
  deterministic per seed, and band-limited speech reports its bandwidth.
"""
import os
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("SKIP: torch or numpy missing")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "train"))

import augment  # noqa: E402
import dataset  # noqa: E402
import export  # noqa: E402
import fastops  # noqa: E402
import vcm  # noqa: E402
import rooms  # noqa: E402
import vocana_lib  # noqa: E402
from loss import Loss  # noqa: E402
from model import VDFL, widen_from  # noqa: E402

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    if not ok:
        failures.append(name)


def test_fastops():
    blas = fastops.init(1)
    print(f"note: OpenBLAS {'at ' + blas if blas else 'not found: testing the torch fallback'}")
    torch.manual_seed(0)
    b, t, i, h = 3, 9, 7, 5
    x = torch.randn(b, t, i, requires_grad=True)
    h0 = torch.randn(b, h, requires_grad=True)
    ref = torch.nn.GRU(i, h, batch_first=True)
    ps = [ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0, ref.bias_hh_l0]
    y, ht = fastops.gru(x, h0, *ps)
    y2, ht2 = ref(x, h0[None])
    ht2 = ht2[0]
    e = max(float((y - y2).abs().max()), float((ht - ht2).abs().max()))
    check("gru forward", e < 1e-5, f"{e:.1e}")
    gy, gh = torch.randn_like(y), torch.randn_like(ht)
    a = torch.autograd.grad((y * gy).sum() + (ht * gh).sum(), [x, h0] + ps)
    r = torch.autograd.grad((y2 * gy).sum() + (ht2 * gh).sum(), [x, h0] + ps)
    e = max(float((u - v).abs().max()) for u, v in zip(a, r))
    check("gru gradients", e < 1e-4, f"{e:.1e}")
    w, bias = torch.randn(4, i, requires_grad=True), torch.randn(4, requires_grad=True)
    z, z2 = fastops.linear(x, w, bias), torch.nn.functional.linear(x, w, bias)
    gz = torch.randn_like(z)
    a = torch.autograd.grad((z * gz).sum(), [x, w, bias])
    r = torch.autograd.grad((z2 * gz).sum(), [x, w, bias])
    e = max([float((z - z2).abs().max())] + [float((u - v).abs().max()) for u, v in zip(a, r)])
    check("linear forward and gradients", e < 1e-4, f"{e:.1e}")
    fastops.init(enable=False)


def test_vcm():
    torch.manual_seed(1)
    m = VDFL(n_df=16, df_order=2, enc_dim=8, hidden=12, n_gru=3)
    sd = {n: a for n, a in export.tensor_list(m)}
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.vcm")
        size = export.export_model(m, p)
        arch, hp, ts = vcm.read(p)
        check("vcm round trip", arch == 1 and hp == m.hparams() and set(ts) == set(sd)
              and all(np.array_equal(ts[k], sd[k]) for k in sd))
        check("vcm size field", size == os.path.getsize(p))
        export.export_model(m, p, "f16")
        _, _, ts16 = vcm.read(p)
        e = max(float(np.abs(ts16[k] - sd[k].astype(np.float16).astype(np.float32)).max()) for k in sd)
        check("vcm f16 round trip", e == 0.0)
        raw = bytearray(open(p, "rb").read())
        raw[len(raw) // 2] ^= 0x10
        open(p, "wb").write(raw)
        try:
            vcm.read(p)
            check("vcm detects corruption", False)
        except ValueError as err:
            check("vcm detects corruption", "checksum" in str(err), str(err))
    names = [n for n, _ in export.tensor_list(m)]
    check("tensor names", names[:4] == ["enc_erb.weight", "enc_erb.bias", "enc_df.weight",
                                        "enc_df.bias"] and "gru3.weight_hh" in names
          and names[-1] == "head_vad.bias")


def test_loss(lib):
    rng = np.random.default_rng(2)
    n = 100 * 480
    t = np.arange(n) / 48000
    speech = (0.1 * np.sin(2 * np.pi * 300 * t) * (t < 0.6)).astype(np.float32)  # silent after 0.6 s
    S = torch.from_numpy(lib.analyze(speech, 96, features=False))[None]
    hiss = lib.analyze((0.01 * rng.standard_normal(n)).astype(np.float32), 96, features=False)
    hiss[:, :300] = 0  # noise only above 15 kHz
    H = torch.from_numpy(hiss)[None]
    batch = {"bw": torch.tensor([8000.0]), "rms": torch.tensor([0.07]),
             "vad": torch.zeros(1, 100), "has_speech": torch.ones(1)}
    loss = Loss()
    vad = torch.zeros(1, 100)
    _, p0 = loss(S, S, vad, batch)
    check("loss: perfect output gives zero spectral loss", float(p0["spec"]) < 1e-6,
          f"{float(p0['spec']):.2e}")
    # high-band noise only while speech is active: masked out by the 8 kHz bandwidth
    active = H.clone()
    active[:, 60:] = 0
    _, pa = loss(S + active, S, vad, batch)
    silent = H.clone()
    silent[:, :65] = 0
    _, ps = loss(S + silent, S, vad, batch)
    check("loss: high band ignored while speech is active, counted in silence",
          float(pa["mag960"]) < 0.05 * float(ps["mag960"]) and float(ps["mag960"]) > 1e-3,
          f"active {float(pa['mag960']):.2e} silent {float(ps['mag960']):.2e}")
    batch_full = dict(batch, bw=torch.tensor([24000.0]))
    _, pf = loss(S + active, S, vad, batch_full)
    check("loss: full-band target counts the high band", float(pf["mag960"]) > 10 * float(pa["mag960"]))


def test_loss_onsets(lib):
    """Missing speech right after an onset costs more than the same loss in the middle of a word."""
    n = 100 * 480
    t = np.arange(n) / 48000
    # a word at 0.0-0.5 s and, after a 300 ms pause, another at 0.8-1.0 s
    env = ((t < 0.5) | ((t >= 0.8) & (t < 1.0))).astype(np.float32)
    speech = (0.1 * np.sin(2 * np.pi * 300 * t) * env).astype(np.float32)
    S = torch.from_numpy(lib.analyze(speech, 96, features=False))[None]
    batch = {"bw": torch.tensor([24000.0]), "rms": torch.tensor([0.07]),
             "vad": torch.zeros(1, 100), "has_speech": torch.ones(1)}
    vad = torch.zeros(1, 100)

    def cut(frames):  # the output loses 40 ms of speech (-20 dB) at these frames
        Y = S.clone()
        Y[:, frames] *= 0.1
        return Y
    plain, weighted, onset_only = Loss(), Loss(w_onset=3.0, w_start=3.0), Loss(w_onset=3.0)
    mid = cut(slice(35, 39))        # inside the first word, 0.35 s in: no onset near
    onset = cut(slice(81, 85))      # the second word's first 40 ms
    start = cut(slice(1, 5))        # stream start
    l_mid, l_on, l_st = (float(weighted(Y, S, vad, batch)[1]["spec"]) for Y in (mid, onset, start))
    p_mid, p_on = (float(plain(Y, S, vad, batch)[1]["spec"]) for Y in (mid, onset))
    check("loss: w_onset=0 weighs a cut alike wherever it is", abs(p_on - p_mid) < 0.3 * p_mid,
          f"onset {p_on:.3e} mid {p_mid:.3e}")
    check("loss: a cut after an onset costs more with w_onset", l_on > 2.0 * l_mid,
          f"onset {l_on:.3e} mid {l_mid:.3e}")
    check("loss: a cut at stream start costs more with w_start", l_st > 2.0 * l_mid,
          f"start {l_st:.3e} mid {l_mid:.3e}")
    # without w_start only the first 60 ms of the stream's first word weigh more
    late_start = cut(slice(8, 12))  # 80-120 ms into the first word
    o_on, o_late = (float(onset_only(Y, S, vad, batch)[1]["spec"]) for Y in (onset, late_start))
    check("loss: w_onset alone weighs an onset, not the rest of a stream's first 300 ms",
          o_on > 2.0 * o_late, f"onset {o_on:.3e} 80-120 ms {o_late:.3e}")
    # speech already there when the example starts is no onset: the model has no history there,
    # and weighting it taught runs v4/v5 to open at once on any noise that starts a stream
    o_start, o_mid = (float(onset_only(Y, S, vad, batch)[1]["spec"]) for Y in (start, mid))
    check("loss: w_onset does not weigh speech at an example's start",
          o_start < 1.5 * o_mid, f"start {o_start:.3e} mid {o_mid:.3e}")
    check("loss: w_onset leaves a perfect output at zero",
          float(weighted(S, S, vad, batch)[1]["spec"]) < 1e-6)


def test_loss_cold_start(lib):
    """Noise left where the target is silent costs more with w_cold in the 300 ms after the noise
    starts: at an example's start, and after a quiet stretch; the same noise later, or missing
    speech, costs what it costs without w_cold."""
    rng = np.random.default_rng(4)
    n = 100 * 480
    t = np.arange(n) / 48000
    # silence until 0.4 s, a word 0.4-0.7 s, a pause 0.7-1.0 s
    speech = (0.1 * np.sin(2 * np.pi * 300 * t) * ((t >= 0.4) & (t < 0.7))).astype(np.float32)
    S = torch.from_numpy(lib.analyze(speech, 96, features=False))[None]
    hiss = torch.from_numpy(lib.analyze((0.003 * rng.standard_normal(n)).astype(np.float32), 96,
                                        features=False))[None]
    vad = torch.zeros(1, 100)

    def batch(noise_from):  # the noisy input and its noise track: the noise from this frame on
        X = S.clone()
        X[:, noise_from:] += hiss[:, noise_from:]
        track = (hiss.abs() ** 2).sum(-1)
        track[:, :noise_from] = 0
        return {"bw": torch.tensor([24000.0]), "rms": torch.tensor([0.07]), "X": X,
                "noise_pow": track, "vad": torch.zeros(1, 100), "has_speech": torch.ones(1)}

    def leak(frames):  # the output lets 40 ms of the noise through at these frames
        Y = S.clone()
        Y[:, frames] += hiss[:, frames]
        return Y
    plain, cold = Loss(), Loss(w_cold=3.0)
    start, pause = leak(slice(5, 9)), leak(slice(85, 89))   # 50-90 ms and 850-890 ms
    b0 = batch(0)
    c_st, c_pa = (float(cold(Y, S, vad, b0)[1]["spec"]) for Y in (start, pause))
    p_st, p_pa = (float(plain(Y, S, vad, b0)[1]["spec"]) for Y in (start, pause))
    check("loss: w_cold=0 weighs leaked noise alike at the start and in a pause",
          abs(p_st - p_pa) < 0.3 * p_pa, f"start {p_st:.3e} pause {p_pa:.3e}")
    check("loss: noise leaked at an example's start costs more with w_cold", c_st > 2.5 * c_pa,
          f"start {c_st:.3e} pause {c_pa:.3e}")
    # the noise track decides, not the noisy input minus the target (which also holds the late
    # reverb of speech)
    silent_track = float(cold(start, S, vad, dict(b0, noise_pow=torch.zeros(1, 100)))[1]["spec"])
    check("loss: no noise in the track, no onset",
          abs(silent_track - p_st) < 1e-3 * p_st, f"{silent_track:.3e} vs {p_st:.3e}")
    check("loss: w_cold leaves noise 300 ms after its start as it was",
          abs(c_pa - p_pa) < 1e-3 * p_pa, f"{c_pa:.3e} vs {p_pa:.3e}")
    # the noise starts at 0.75 s, in the pause: the 100-140 ms after that weigh more, not the
    # frames 300 ms later, where the noise is no news
    late, quiet_after = batch(75), leak(slice(85, 89))
    c_q = float(cold(quiet_after, S, vad, late)[1]["spec"])
    c_q_later = float(cold(leak(slice(95, 99)), S, vad, batch(60))[1]["spec"])
    check("loss: noise leaked just after a quiet stretch costs more with w_cold",
          c_q > 2.5 * c_q_later, f"after quiet {c_q:.3e} later {c_q_later:.3e}")
    cut = S.clone()
    cut[:, 40:44] *= 0.1                                   # the word's first 40 ms cut
    check("loss: w_cold does not weigh missing speech",
          abs(float(cold(cut, S, vad, b0)[1]["spec"]) - float(plain(cut, S, vad, b0)[1]["spec"]))
          < 1e-6)


def make_cache(root):
    """A tiny cache: 'speech' = pitch-modulated harmonics with pauses, band-limited to 8 kHz for
    one speaker; noise = two recordings of filtered noise."""
    rng = np.random.default_rng(3)

    def coll(name, clips):
        os.makedirs(os.path.join(root, name))
        audio = np.concatenate([c[0] for c in clips]).astype(np.float16)
        np.save(os.path.join(root, name, "audio.npy"), audio)
        with open(os.path.join(root, name, "index.tsv"), "w") as f:
            f.write("file\toffset\tlength\tbandwidth_hz\torig_rate\tsplit\tgroup\n")
            off = 0
            for i, (x, bw, split, group) in enumerate(clips):
                f.write(f"c{i}\t{off}\t{len(x)}\t{bw}\t48000\t{split}\t{group}\n")
                off += len(x)
        open(os.path.join(root, name, "DONE"), "w").write("x\n")

    def voice(sec, bw):
        t = np.arange(int(sec * 48000)) / 48000
        ph = 2 * np.pi * np.cumsum(150 + 30 * np.sin(2 * np.pi * t)) / 48000
        x = sum(np.sin(h * ph) / h for h in range(1, int(bw // 180)))
        env = (np.sin(2 * np.pi * 2 * t) > -0.3).astype(float)   # syllables with pauses
        return (0.9 * x * env / np.abs(x).max()).astype(np.float32)

    coll("speech_shared", [(voice(4, 8000), 8000, "train", "a"), (voice(4, 8000), 8000, "dev", "b")])
    coll("noise_lincity", [(rng.standard_normal(150000).astype(np.float32) * 0.3, 24000, s, "n")
                           for s in ("train", "dev")])


def test_dataset(lib):
    with tempfile.TemporaryDirectory() as d:
        make_cache(d)
        mixer = dataset.Mixer(d, "train", seconds=2.0)
        rng = np.random.default_rng(4)
        snr_err, clipped, n_ok, bw_ok = 0.0, 0, 0, True
        for _ in range(30):
            ex = mixer.example(rng)
            clipped += float(np.abs(ex["noisy"]).max()) >= 1.0
            if "snr_db" in ex["info"]:
                noise = ex["noisy"] - ex["clean"]
                if any(ex["info"].get(k) for k in ("reverb", "mute", "clipped", "lowpass", "eq")):
                    continue  # the target is the early part only, or the noise was cut or changed
                act = dataset.active_mask(ex["clean"])
                ps = dataset.frame_power(ex["clean"])[act].mean()
                snr = 10 * np.log10(ps / np.mean(noise ** 2))
                # the EQ augmentation filters speech and noise differently: allow for it
                snr_err = max(snr_err, abs(snr - ex["info"]["snr_db"]))
                n_ok += 1
            bw_ok &= ex["bandwidth_hz"] <= 8000 or not ex["has_speech"]
        check("dataset: bandwidth of 8 kHz speech", bw_ok)
        check("dataset: SNR measured on active speech", n_ok > 3 and snr_err < 3.0,
              f"{n_ok} mixtures, max deviation {snr_err:.2f} dB")
        check("dataset: nothing clips", clipped == 0)
        a = mixer.example(np.random.default_rng(5))["noisy"]
        b = mixer.example(np.random.default_rng(5))["noisy"]
        check("dataset: deterministic per seed", np.array_equal(a, b))
        leads = dataset.Mixer(d, "train", seconds=2.0, p_speech_lead=1.0)
        starts = []
        for s in range(30):
            ex = leads.example(np.random.default_rng(s))
            # (EQ and low-pass of the whole chain are circular filters: the end wraps around)
            if ex["has_speech"] and "noise" in ex["info"] and not any(
                    k in ex["info"] for k in ("mute", "eq", "lowpass")):
                starts.append(int(np.argmax(np.abs(ex["clean"]) > 1e-4)) / 48000)
        check("dataset: p_speech_lead=1: speech starts 0.1 s or later in every noisy example",
              len(starts) >= 5 and min(starts) >= 0.1, str([round(v, 2) for v in starts]))
        f = dataset.featurize(mixer.example(rng), 96, lib)
        check("dataset: featurize shapes", tuple(f["feat"].shape) == (200, 224)
              and tuple(f["X"].shape) == (200, 481) and f["X"].dtype == torch.complex64
              and tuple(f["noise_pow"].shape) == (200,))
        # the noise track: silent without noise, and exactly the noise where nothing else
        # touched the mixture (no EQ, low-pass, mute, reverb, clipping or quantisation)
        track_ok, n_plain, n_quiet = True, 0, 0
        for s in range(60):
            ex = mixer.example(np.random.default_rng(100 + s))
            if "noise" not in ex["info"]:
                track_ok &= float(ex["noise_frames"].max()) == 0.0
                n_quiet += 1
            elif ex["has_speech"] and not any(k in ex["info"] for k in (
                    "eq", "lowpass", "mute", "reverb", "clipped")):
                gain = np.sqrt(ex["noise_frames"].sum() /
                               dataset.frame_power(ex["noisy"] - ex["clean"]).sum())
                diff = dataset.frame_power(ex["noisy"] - ex["clean"]) * gain ** 2
                track_ok &= np.allclose(diff, ex["noise_frames"], rtol=0.05,
                                        atol=1e-4 * ex["noise_frames"].max())
                n_plain += 1
        check("dataset: noise_frames follow the additive noise alone",
              track_ok and n_plain >= 3 and n_quiet >= 1, f"{n_plain} plain, {n_quiet} without")


def test_rooms():
    rng = np.random.default_rng(9)
    for name, fn in (("image method", rooms.image_method), ("statistical", rooms.statistical)):
        h, early = fn(rng)
        n_early = int(rooms.EARLY_MS / 1000 * 48000) + 1
        check(f"rooms: {name} has its direct path at 0 with unit gain", h[0] == 1.0
              and np.all(np.isfinite(h)) and len(h) <= 48000)
        check(f"rooms: {name} early part = the first 50 ms", len(early) == n_early
              and np.array_equal(early, h[:n_early]))
        late = np.sqrt(np.mean(h[-4800:] ** 2))
        mid = np.sqrt(np.mean(h[n_early: n_early + 4800] ** 2))
        check(f"rooms: {name} decays", late < mid, f"{mid:.3g} -> {late:.3g}")
    # measured: a response with a pre-delay and ringing before its peak starts at the peak
    ir = np.zeros(24000, dtype=np.float32)
    ir[100] = 0.5
    ir[98] = 0.05
    ir[2000:] = 0.01 * np.random.default_rng(1).standard_normal(22000) * np.exp(-np.arange(22000) / 4000)

    class Col:
        clips = [(0, len(ir))]

        def clip(self, _i):
            return ir

        def random_clip(self, _rng):
            return 0

    h, _ = rooms.measured(rng, Col())
    check("rooms: measured response starts at its peak, normalised", h[0] == 1.0
          and abs(h[1900] - ir[2000] / 0.5) < 1e-6)


def test_widen():
    torch.manual_seed(0)
    small = VDFL(n_df=16, df_order=2, enc_dim=8, hidden=12, n_gru=2)
    big = VDFL(n_df=16, df_order=2, enc_dim=8, hidden=20, n_gru=2)
    widen_from(big, small.state_dict())
    feat = torch.randn(2, 30, 32 + 32)
    with torch.no_grad():
        a, b = small(feat), big(feat)
    same = all(float((x - y).abs().max()) < 1e-5 for x, y in zip(a[:3], b[:3]))
    check("widen_from: the wider model computes what the narrow one did", same)
    loss = sum(o.sum() for o in big(feat)[:3])
    loss.backward()
    g = big.head_gain.weight.grad[:, 12:]
    check("widen_from: the new units' outgoing weights get gradient", float(g.abs().sum()) > 0)


def test_synth_transients():
    import synth_noise
    for g in (synth_noise.clicks, synth_noise.chirps):
        a = g(np.random.default_rng(3), 48000)
        b = g(np.random.default_rng(3), 48000)
        check(f"synth: {g.__name__} is unit-RMS, finite and deterministic",
              np.all(np.isfinite(a)) and abs(float(np.sqrt(np.mean(a * a))) - 1) < 1e-3
              and np.array_equal(a, b))
    # clicks are impulsive: most of the energy in a small share of the time
    x = synth_noise.clicks(np.random.default_rng(4), 48000) ** 2
    top = np.sort(x)[::-1]
    check("synth: clicks are impulsive", top[: len(x) // 20].sum() > 0.5 * x.sum())


def test_augment():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(48000).astype(np.float32) * 0.1
    m = augment.mute(rng, 48000)
    check("augment: mute has one silent stretch of 0.1-1.5 s", 4800 <= int((m == 0).sum()) <= 72000
          and int(np.abs(np.diff(m)).sum()) <= 2)
    y = augment.fft_filter(x, augment.lowpass_response(4000.0))
    spec = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(48000, 1 / 48000)
    check("augment: low-pass removes the band above the cut",
          spec[f > 4500].sum() < 1e-6 * spec[f < 3500].sum())
    c = augment.clip(x, rng)
    check("augment: clip limits the peak", np.abs(c).max() < np.abs(x).max())
    envs = [augment.noise_onset(np.random.default_rng(s), 3 * 48000) for s in range(20)]
    starts = [int(np.argmax(e >= 0.999)) for e in envs]
    check("augment: noise_onset is 1 from a start in [0.1 s, n - 1 s] on, below -30 dB before",
          all(4800 <= st <= 2 * 48000 + 240 and np.all(e[st:] >= 0.999)
              and np.all(e[: max(0, st - 240)] <= 10 ** (-30 / 20)) for st, e in zip(starts, envs))
          and any(e[0] == 0 for e in envs) and any(e[0] > 0 for e in envs), str(starts[:5]))
    lead = augment.speech_lead(x, np.random.default_rng(7))
    k = int(np.argmax(lead != 0))
    check("augment: speech_lead delays by 0.1-1 s, zeros in front, same length",
          4800 <= k <= 48000 and len(lead) == len(x) and np.array_equal(lead[k:], x[: len(x) - k]),
          f"lead {k}")
    q = augment.quantize_16bit(x)
    check("augment: 16-bit quantisation", np.abs(q - x).max() <= 0.5 / 32768 + 1e-9)
    g = augment.random_eq_response(rng)(f)
    check("augment: EQ within +-30 dB", np.all(g[f > 300] > 10 ** (-30 / 20)) and np.all(g < 10 ** 1.5))


def main():
    if len(sys.argv) != 2:
        print("usage: test_train_units.py LIBVOCANA_SO", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    lib = vocana_lib.load(sys.argv[1])
    test_fastops()
    test_vcm()
    test_loss(lib)
    test_loss_onsets(lib)
    test_loss_cold_start(lib)
    test_dataset(lib)
    test_rooms()
    test_widen()
    test_augment()
    test_synth_transients()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
