#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks of the clean-voice check (train/eval/clean_voices.py): an identity system (a delayed
copy) scores > 60 dB SI-SDR and 0 dB of 8-20 kHz loss and PASSes; a 6 kHz low-pass must FAIL the
8-20 kHz targets; --check turns that into exit 1; removing a recording's hiss is not counted as
high-band loss, and a hissy recording is not judged as clean.
Runs on synthetic full-band speech (numpy only); with the training cache (train/cache or
$VOCANA_TRAIN_CACHE) and torch also the clip selection: dev split only (recomputed with
fetch_data's rules), 3-8 s, deterministic, every collection, no clip twice. Exit 77 without
numpy."""

import json
import os
import sys
import tempfile

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

np = testrun.require_numpy()
from train.eval import clean_voices, synth, systems  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PY, ROOT = testrun.PY, testrun.ROOT
CACHE = os.environ.get("VOCANA_TRAIN_CACHE") or os.path.join(ROOT, "train", "cache")
COPY = "copy=%s %s" % (PY, os.path.join(HERE, "filter_copy.py"))
LOWPASS = "lowpass=%s %s --lowpass 6000" % (PY, os.path.join(HERE, "filter_copy.py"))


def _run(args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        rc = clean_voices.main(args + ["--json", out])
        with open(out) as f:
            return rc, json.load(f)


def test_identity_passes():
    rc, doc = _run(["--synthetic", "3", "--system", COPY, "--check"])
    assert rc == 0, rc
    res = doc["systems"]["copy"]
    assert res["pass"], res["checks"]
    for r in res["files"]:
        assert r["lag"] == 480 and r["si_sdr"] > 60, r
        assert abs(r["hf_loss_db"]) < 1e-3 and abs(r["level_db"]) < 1e-3, r
        assert 3.0 <= r["seconds"] <= 8.0, r


def test_lowpass_fails_high_band():
    rc, doc = _run(["--synthetic", "3", "--system", LOWPASS, "--system", COPY, "--check"])
    assert rc == 1, rc
    res = doc["systems"]["lowpass"]
    assert not res["pass"]
    assert not res["checks"]["hf_loss_mean"]["pass"] and not res["checks"]["hf_loss_worst"]["pass"]
    assert res["overall"]["hf_loss_mean"] > 10, res["overall"]
    assert doc["systems"]["copy"]["pass"]


def test_scores_direct():
    """score_clip on known signals: a 3 dB quieter copy loses 3 dB everywhere, not SI-SDR."""
    x = synth.speech_like(3.0, 48000, seed=5)
    sc = clean_voices.score_clip(x, 0.5 ** 0.5 * np.concatenate([np.zeros(100), x]))
    assert sc["lag"] == 100 and sc["si_sdr"] == clean_voices.SI_SDR_CAP_DB, sc
    assert abs(sc["hf_loss_db"] - 3.0103) < 1e-3 and abs(sc["level_db"] + 3.0103) < 1e-3, sc


def test_hiss_removal_is_not_high_band_loss():
    """A recording with a hiss floor 15 dB down: a system that removes exactly the hiss loses
    (almost) nothing in the 8-20 kHz voice frames, though whole-file HF energy drops; the input
    SNR flags the recording as not clean, so its SI-SDR is not judged."""
    rng = np.random.default_rng(9)
    voice = synth.speech_like(6.0, 48000, seed=6)
    hiss = rng.standard_normal(len(voice))
    hiss *= np.sqrt(np.mean(voice ** 2)) * 10 ** (-15 / 20.0) / np.std(hiss)
    x = voice + hiss
    sc = clean_voices.score_clip(x, voice)
    assert sc["hf_loss_db"] is not None and 0 <= sc["hf_loss_db"] < 0.2, sc
    f = np.fft.rfftfreq(len(x), 1 / 48000.0)
    band = (f >= 8000) & (f < 20000)
    whole = 10 * np.log10(np.sum(np.abs(np.fft.rfft(x)[band]) ** 2) /
                          np.sum(np.abs(np.fft.rfft(voice)[band]) ** 2))
    assert whole > sc["hf_loss_db"] + 0.3, (whole, sc)
    assert clean_voices.input_snr_db(x) < clean_voices.CLEAN_MIN_SNR_DB
    assert clean_voices.input_snr_db(voice + 1e-4 * rng.standard_normal(len(voice))) >= 40


def test_narrowband_clips_have_no_hf_loss():
    clips = clean_voices.synthetic_clips(2)
    clips[0]["bandwidth_hz"] = 8000.0
    res = clean_voices.run(clips, systems.make_system(LOWPASS))
    assert res["files"][0]["hf_loss_db"] is None and res["files"][1]["hf_loss_db"] > 10
    assert res["overall"]["n_fullband"] == 1


def _cache_ok():
    import importlib.util
    return importlib.util.find_spec("torch") is not None and \
        os.path.isfile(os.path.join(CACHE, "speech_shared", "DONE"))


def test_cache_clips_held_out_and_deterministic():
    if not _cache_ok():
        print("  (skipped: no audio cache at %s or no torch)" % CACHE)
        return
    a = clean_voices.cache_clips(CACHE, 2)
    b = clean_voices.cache_clips(CACHE, 2)
    assert [c["sources"] for c in a] == [c["sources"] for c in b]
    assert all(np.array_equal(x["audio"], y["audio"]) for x, y in zip(a, b))
    import fetch_data    # on sys.path once clean_voices imported dataset
    cols = {c["collection"] for c in a}
    assert "speech_artikulate" in cols and "speech_shared" in cols, cols
    seen = set()
    for c in a:
        assert 3.0 <= c["seconds"] <= 8.0 and np.max(np.abs(c["audio"])) <= 0.99, c["name"]
        assert fetch_data.speech_split("", c["speaker"], c["collection"]) == "dev", c["name"]
        for s in c["sources"]:
            col, _, clip = s.partition(":")
            group, _, fname = clip.rpartition("/")
            assert col == c["collection"] and group == c["speaker"], s
            assert fetch_data.speech_split(fname, group, col) == "dev", s
            assert s not in seen, s
            seen.add(s)
    # and a real run through a system: 8-20 kHz loss only where bandwidth >= 16 kHz
    res = clean_voices.run(a[:6], systems.make_system(COPY))
    for r in res["files"]:
        assert r["si_sdr"] > 60 and r["clean"] == (r["input_snr_db"] >= 30), r
        if r["bandwidth_hz"] < 16000:
            assert r["hf_loss_db"] is None, r
        elif r["hf_loss_db"] is not None:
            assert abs(r["hf_loss_db"]) < 1e-3, r


def main():
    return testrun.run_tests(globals())


if __name__ == "__main__":
    sys.exit(main())
