#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks of the dev evaluation set builder (train/eval/make_dev_set.py, devset-v2) on a few of
its pairs: the schedule (blocks, cells, reverb share, balanced speech), deterministic output, the
index columns evaluate.py groups by, and the held-out property: every speech, noise, babble, key
and room clip used is in the right split, recomputed here with fetch_data's split rules (speech
and rooms 'dev'; noise 'dev' and a held-out collection for unseen sources, 'devseen' for seen
ones), never a LEGACY_ONLY (widelands, 0ad) or 'train' clip.

Needs the training audio cache (train/cache, or $VOCANA_TRAIN_CACHE) with the NEEDED collections
and PyTorch (dataset.py imports it): exit 77 (skip) without them."""

import filecmp
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.environ.get("VOCANA_TRAIN_CACHE") or os.path.join(ROOT, "train", "cache")
NEEDED = ("speech_artikulate", "speech_childsplay", "speech_fillets_cs", "speech_fillets_nl",
          "speech_gcompris", "speech_hedgewars", "speech_klettres", "speech_shared",
          "speech_tuxpaint",
          "noise_freedesktop", "noise_openrct2", "noise_lincity", "noise_wesnoth_music",
          "noise_childsplay",
          "noise_bucklespring", "noise_colobot", "noise_hedgewars", "noise_megaglest",
          "noise_midi", "noise_sonicpi", "noise_supertux", "noise_tuxpaint", "noise_ufoai",
          "rir_bbc")


def _skip_reason():
    import importlib.util
    for mod in ("numpy", "torch"):
        if importlib.util.find_spec(mod) is None:
            return "%s missing" % mod
    for c in NEEDED:
        if not os.path.isfile(os.path.join(CACHE, c, "DONE")):
            return "no %s in the audio cache %s (train/fetch_data.py)" % (c, CACHE)
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

PLAN = make_dev_set.schedule()


def _pick():
    """The first pair of every noise source (every source, seen/unseen/synthetic, keyboard and
    babble), at SNRs that differ from source to source, plus a few reverberant pairs with the
    measured and the simulated room."""
    first, out = {}, []
    for i, p in enumerate(PLAN):
        first.setdefault(p["source"], []).append(i)
    for k, (_src, idx) in enumerate(sorted(first.items())):
        out.append(idx[k % len(idx)])
    out += [i for i, p in enumerate(PLAN) if p["reverb"]][:6:2]
    return sorted(set(out))


PICK = _pick()
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


def test_schedule_cells():
    n_snr = len(make_dev_set.SNRS_DB)
    assert 200 <= len(PLAN) <= 260, len(PLAN)
    for seen, sources, reps in make_dev_set.BLOCKS:
        for label, source in sources:
            for snr in make_dev_set.SNRS_DB:
                n = sum(1 for p in PLAN if p["source"] == source and p["snr_db"] == snr)
                assert n == reps, (source, snr, n)
            assert all(p["seen"] == seen and p["noise"] == label
                       for p in PLAN if p["source"] == source)
            if seen == "unseen":
                assert source in fetch_data.DEV_COLLECTIONS, source
            elif seen == "seen":
                assert source not in fetch_data.DEV_COLLECTIONS, source
        block = [p for p in PLAN if p["seen"] == seen]
        counts = [sum(1 for p in block if p["speech"] == s) for s in make_dev_set.SPEECH]
        assert max(counts) - min(counts) <= 1, (seen, counts)    # the same speech mix
    for snr in make_dev_set.SNRS_DB:
        assert sum(1 for p in PLAN if p["snr_db"] == snr) == len(PLAN) // n_snr
    used = {s for _, s in make_dev_set.UNSEEN + make_dev_set.SEEN}
    assert not used & fetch_data.LEGACY_ONLY, used & fetch_data.LEGACY_ONLY
    # every third pair reverberant, 2 of the 6 SNRs of every source and repeat
    assert sum(p["reverb"] for p in PLAN) * 3 == len(PLAN)
    for i in range(0, len(PLAN), n_snr):
        assert sum(p["reverb"] for p in PLAN[i:i + n_snr]) == 2, i
    for snr in make_dev_set.SNRS_DB:
        share = sum(1 for p in PLAN if p["snr_db"] == snr and p["reverb"]) / \
            sum(1 for p in PLAN if p["snr_db"] == snr)
        assert 0.25 <= share <= 0.4, (snr, share)
    assert PLAN == make_dev_set.schedule()


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
    assert [r["source"] for r in rows] == [PLAN[i]["source"] for i in PICK]
    items = {it["name"]: it for it in evaluate.load_set(d)}
    assert sorted(items) == sorted(r["name"] for r in rows)
    rooms = set()
    for i, r in zip(PICK, rows):
        it = items[r["name"]]
        assert it["noise"] == r["noise"] and it["snr_db"] == float(r["snr_db"]), r
        for k in ("source", "category", "seen", "speech", "reverb"):   # what evaluate groups by
            assert it[k] == r[k], (k, r)
        assert r["seen"] == PLAN[i]["seen"] and r["speech"] == PLAN[i]["speech"], r
        assert r["category"] in make_dev_set.CATEGORIES, r
        if r["seen"] == "synthetic":
            assert r["category"] == r["noise"], r
        assert float(r["snr_db"]) in make_dev_set.SNRS_DB, r
        n = len(it["clean"])
        assert n == len(it["noisy"]) and 4.0 * 48000 <= n <= 6.0 * 48000, (r["name"], n)
        assert abs(float(r["seconds"]) - n / 48000.0) < 0.01, r
        assert np.max(np.abs(it["noisy"])) < 1.0 and np.max(np.abs(it["clean"])) < 1.0
        assert 0 < float(r["bandwidth_hz"]) <= 24000 and r["speech"].startswith("speech_"), r
        assert r["speaker"] and r["reverb"] == ("1" if PLAN[i]["reverb"] else "0"), r
        assert (r["room"] == "-") == (r["reverb"] == "0"), r
        assert 0 < float(r["speech_snr_db"]) <= 100, r
        if r["speech"] != "speech_fillets_cs":    # the only collection too noisy for the check
            assert float(r["speech_snr_db"]) >= make_dev_set.MIN_SPEECH_SNR_DB, r
        rooms.add(r["room"].partition(":")[0])
        if r["reverb"] == "0":
            # the nominal SNR is the real one on active speech, within a dB, for dry pairs
            import dataset
            noise = it["noisy"] - it["clean"]
            act = dataset.active_mask(it["clean"])
            p_s = dataset.frame_power(it["clean"])[act].mean()
            snr = 10 * np.log10(p_s / np.mean(noise ** 2))
            assert abs(snr - float(r["snr_db"])) < 1.0, (r["name"], snr)
        else:
            # reverberant: the target is the early part only, so the input has more energy
            assert np.sum(it["clean"] ** 2) > 0, r
    assert rooms == {"-", "measured", "image"}, rooms


def test_only_held_out_material():
    _, rows = read_index(built("a"))
    cols = {}
    checked = 0
    for r in rows:
        sources = [s for s in r["sources"].split(",") if s]
        noise_cols = {s.partition(":")[0] for s in sources if s.startswith("noise_")}
        if r["seen"] == "synthetic":
            assert not noise_cols, (r["name"], noise_cols)
            if r["noise"] == "babble":   # 4-12 talkers besides the target speaker
                assert sum(1 for s in sources if s.startswith("speech_")) > 2, r["name"]
        else:                            # a recorded noise names its clips, from its source only
            assert noise_cols == {r["source"]}, (r["name"], noise_cols)
        assert any(s.startswith(r["speech"] + ":") for s in sources), (r["name"], sources)
        assert any(s.startswith("rir_") for s in sources) == r["room"].startswith("measured"), r
        for s in sources:
            col, _, clip = s.partition(":")
            group, _, fname = clip.rpartition("/")
            assert col not in fetch_data.LEGACY_ONLY, s
            table = cols.setdefault(col, cache_rows(col))
            assert (group, fname) in table, s
            split = table[(group, fname)]
            # recomputed from the split rules, not only read from the cache's column
            if col.startswith("speech_"):
                want, rule = "dev", fetch_data.speech_split(fname, group, col)
            elif col.startswith("rir_"):
                want, rule = "dev", fetch_data.rir_split(fname, group, col)
            else:
                want = "dev" if r["seen"] == "unseen" else "devseen"
                rule = fetch_data.noise_split(fname, group, col)
                assert (col in fetch_data.DEV_COLLECTIONS) == (r["seen"] == "unseen"), (r, s)
            assert rule == want and split == want, (r["name"], s, split, rule, want)
            checked += 1
        for g in r["speaker"].split(","):
            assert fetch_data.speech_split("", g, r["speech"]) == "dev", (r["name"], g)
        make_dev_set.check_held_out(r)
    assert checked >= 2 * len(rows), checked


def test_held_out_check_rejects_training_clips():
    """check_held_out (run by build on every pair) must catch a training clip."""
    _, rows = read_index(built("a"))
    r = dict(rows[0])
    train = [k for k, v in cache_rows("speech_shared").items() if v == "train"][0]
    r["sources"] += ",speech_shared:%s/%s" % train
    try:
        make_dev_set.check_held_out(r)
    except AssertionError:
        return
    raise AssertionError("a training clip passed check_held_out")


def main():
    try:
        return testrun.run_tests(globals())
    finally:
        for d in _built.values():
            shutil.rmtree(os.path.dirname(d), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
