#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks of the dev evaluation set builder (train/eval/make_dev_set.py) on a few of its pairs:
deterministic output, the index columns evaluate.py needs, and the held-out property (every
speech, noise, babble and key clip used is dev split, recomputed with fetch_data's split rules).

Needs the training audio cache (train/cache, or $VOCANA_TRAIN_CACHE) and PyTorch (dataset.py
imports it): exit 77 (skip) without them."""

import filecmp
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.environ.get("VOCANA_TRAIN_CACHE") or os.path.join(ROOT, "train", "cache")
NEEDED = ("speech_shared", "noise_0ad", "noise_bucklespring", "noise_hedgewars", "noise_megaglest",
          "noise_widelands", "noise_lincity")


def _skip_reason():
    import importlib.util
    for mod in ("numpy", "torch"):
        if importlib.util.find_spec(mod) is None:
            return "%s missing" % mod
    for c in NEEDED:
        if not os.path.isfile(os.path.join(CACHE, c, "DONE")):
            return "no %s in the audio cache %s (train/fetch_data.py --with-0ad)" % (c, CACHE)
    return None


REASON = _skip_reason()
if REASON:
    print("skipping: %s" % REASON)
    sys.exit(77)

import numpy as np  # noqa: E402

sys.path.insert(0, ROOT)
# `train` is a namespace package: import it before train/ (with its train.py) is on sys.path,
# which make_dev_set then appends for dataset.py and fetch_data.py.
from train.eval import evaluate, make_dev_set  # noqa: E402
import fetch_data  # noqa: E402
import testrun  # noqa: E402  (tests/eval, the script's directory)

# One pair of each noise type (schedule order: 6 SNRs per noise type), a few SNRs and reverbs.
PICK = [i * len(make_dev_set.SNRS_DB) + (i % len(make_dev_set.SNRS_DB))
        for i in range(len(make_dev_set.NOISES))]
_built = {}


def built(tag):
    """The PICK pairs built into a fresh temporary directory (cached per tag)."""
    if tag not in _built:
        tmp = tempfile.mkdtemp(prefix="vocana-devset-test-")
        out = os.path.join(tmp, "set")
        make_dev_set.build(out, CACHE, indices=PICK)
        _built[tag] = out
    return _built[tag]


def read_index(d):
    with open(os.path.join(d, "index.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    return header, rows


def cache_rows(collection):
    """{(group, file): split} of a cache collection's index.tsv."""
    rows = {}
    with open(os.path.join(CACHE, collection, "index.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[(r["group"], r["file"])] = r["split"]
    return rows


def test_schedule_covers_every_noise_and_snr():
    plan = make_dev_set.schedule()
    assert len(plan) == len(make_dev_set.NOISES) * len(make_dev_set.SNRS_DB) * make_dev_set.REPEATS
    for noise in make_dev_set.NOISES:
        for snr in make_dev_set.SNRS_DB:
            n = sum(1 for p in plan if p[0] == noise and p[1] == snr)
            assert n == make_dev_set.REPEATS, (noise, snr, n)
    reverb = sum(1 for p in plan if p[2])
    assert 0.25 * len(plan) <= reverb <= 0.4 * len(plan), reverb
    for noise in make_dev_set.NOISES:     # every noise type has reverberant and dry pairs
        kinds = {p[2] for p in plan if p[0] == noise}
        assert kinds == {True, False}, noise
    for snr in make_dev_set.SNRS_DB:      # ... and every SNR bucket, in about the same share
        share = sum(1 for p in plan if p[1] == snr and p[2]) / sum(1 for p in plan if p[1] == snr)
        assert 0.25 <= share <= 0.4, (snr, share)


def test_deterministic():
    a, b = built("a"), built("b")
    names = sorted(os.listdir(a))
    assert names == sorted(os.listdir(b)), "different file lists"
    assert len(names) == 2 * len(PICK) + 1, names
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_index_columns_and_pairs():
    d = built("a")
    header, rows = read_index(d)
    assert tuple(header) == make_dev_set.COLUMNS, header
    assert [r["noise"] for r in rows] == list(make_dev_set.NOISES), [r["noise"] for r in rows]
    items = {it["name"]: it for it in evaluate.load_set(d)}
    assert sorted(items) == sorted(r["name"] for r in rows)
    for r in rows:
        it = items[r["name"]]
        assert it["noise"] == r["noise"] and it["snr_db"] == float(r["snr_db"]), r
        assert float(r["snr_db"]) in make_dev_set.SNRS_DB, r
        n = len(it["clean"])
        assert n == len(it["noisy"]) and 4.0 * 48000 <= n <= 6.0 * 48000, (r["name"], n)
        assert abs(float(r["seconds"]) - n / 48000.0) < 0.01, r
        assert np.max(np.abs(it["noisy"])) < 1.0 and np.max(np.abs(it["clean"])) < 1.0
        assert 0 < float(r["bandwidth_hz"]) <= 24000 and r["speech"].startswith("speech_"), r
        assert r["speaker"] and r["reverb"] in ("0", "1"), r
        # the nominal SNR is the real one on active speech, within a dB, for dry pairs
        if r["reverb"] == "0":
            import dataset
            noise = it["noisy"] - it["clean"]
            act = dataset.active_mask(it["clean"])
            p_s = dataset.frame_power(it["clean"])[act].mean()
            snr = 10 * np.log10(p_s / np.mean(noise ** 2))
            assert abs(snr - float(r["snr_db"])) < 1.0, (r["name"], snr)


def test_only_held_out_material():
    _, rows = read_index(built("a"))
    cols = {}
    checked = 0
    for r in rows:
        sources = [s for s in r["sources"].split(",") if s]
        recorded = {"keyboard": "noise_bucklespring", "babble": "speech_"}
        if r["noise"] in make_dev_set.RECORDED:
            recorded[r["noise"]] = make_dev_set.RECORDED[r["noise"]]
        if r["noise"] in recorded:    # a recorded noise must name its clips
            want = recorded[r["noise"]]
            n_speech = sum(1 for s in sources if s.startswith("speech_"))
            assert any(s.startswith(want) for s in sources) and \
                (want != "speech_" or n_speech > 1), (r["name"], sources)
        assert any(s.startswith(r["speech"] + ":") for s in sources), (r["name"], sources)
        for s in sources:
            col, _, clip = s.partition(":")
            group, _, fname = clip.rpartition("/")
            table = cols.setdefault(col, cache_rows(col))
            assert (group, fname) in table, s
            split = table[(group, fname)]
            # recomputed from the split rules, not only read from the cache's column
            rule = fetch_data.speech_split if col.startswith("speech_") else fetch_data.noise_split
            assert rule(fname, group) == "dev" and split == "dev", (r["name"], s, split, group)
            checked += 1
        for g in r["speaker"].split(","):
            assert fetch_data.speech_split("", g) == "dev", (r["name"], g)
    assert checked >= 2 * len(rows), checked


def main():
    try:
        return testrun.run_tests(globals())
    finally:
        for d in _built.values():
            shutil.rmtree(os.path.dirname(d), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
