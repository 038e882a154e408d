#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The RNNoise system wrapper (train/eval/systems.py) and the checkpoint selection rule
(train/eval/select_checkpoint.py). No network: RNNoise itself is only run when
tools/baselines/fetch-rnnoise.sh installed it and Node is present. Exit 77 (skip) without numpy."""

import os
import sys
import tempfile

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

testrun.require_numpy()
from train.eval import evaluate, metrics, select_checkpoint, synth, systems  # noqa: E402



def test_rnnoise_skipped_without_node():
    with tempfile.TemporaryDirectory() as empty, testrun.env(PATH=empty):
        try:
            systems.make_system("rnnoise")
            raise AssertionError("rnnoise available with an empty PATH")
        except systems.SystemUnavailable as e:
            assert "node" in str(e), e
        # the driver skips it and goes on; --require turns the skip into a failure
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            rc = evaluate.main(["--synthetic", "3", "--system", "rnnoise", "--json", out])
            assert rc == 0, rc
            import json
            with open(out) as f:
                doc = json.load(f)
            assert "rnnoise" in doc["skipped"] and "rnnoise" not in doc["items"], doc["skipped"]
            assert evaluate.main(["--synthetic", "3", "--system", "rnnoise",
                                  "--require", "rnnoise"]) == 1


def test_rnnoise_skipped_without_wasm():
    with testrun.env(VOCANA_RNNOISE_WASM="/nonexistent/rnnoise.wasm"):
        try:
            systems.make_system("rnnoise")
            raise AssertionError("rnnoise available without its wasm")
        except systems.SystemUnavailable as e:
            assert "fetch-rnnoise.sh" in str(e), e


def test_rnnoise_denoises_if_installed():
    try:
        rnn = systems.make_system("rnnoise")
    except systems.SystemUnavailable as e:
        print("  (skipped: %s)" % e)
        return
    x = synth.speech_like(3.0, 48000, seed=4) * 0.2
    noisy, _ = synth.mix_at_snr(x, synth.white_noise(len(x), 5), 5.0)
    y = rnn(noisy)
    assert len(y) == len(noisy), (len(y), len(noisy))
    a, b = metrics.score(x, noisy), metrics.score(x, y)
    # one 480-sample frame of delay, and a clear improvement on stationary white noise
    assert b["lag"] == 480 and b["si_sdr"] > a["si_sdr"] + 2, (a, b)


def _rows(d_by_bucket, n=2):
    """(noisy rows, system rows): per SNR bucket, items whose system scores are noisy + delta."""
    noisy, out = [], []
    for snr, (d_sdr, d_estoi) in d_by_bucket.items():
        for i in range(n):
            name = "p%d_%d" % (snr, i)
            base = dict(name=name, snr_db=float(snr), noise="white", si_sdr=float(snr),
                        stoi=0.8, estoi=0.6, lag=0)
            noisy.append(base)
            out.append(dict(base, si_sdr=base["si_sdr"] + d_sdr, stoi=0.81,
                            estoi=base["estoi"] + d_estoi))
    return noisy, out


def test_selection_rule():
    noisy, a = _rows({0: (8.0, 0.10), 10: (3.0, -0.01)})    # best mean, but one bucket worse
    _, b = _rows({0: (4.0, 0.04), 10: (2.0, 0.01)})
    _, c = _rows({0: (3.0, 0.03), 10: (1.0, 0.00)})
    ra, rb, rc = (select_checkpoint.judge(noisy, r) for r in (a, b, c))
    assert abs(ra["d_si_sdr"] - 5.5) < 1e-9 and abs(ra["min_bucket_d_estoi"] + 0.01) < 1e-9, ra
    assert not ra["eligible"] and rb["eligible"] and rc["eligible"], (ra, rb, rc)
    assert abs(rb["score"] - (0.025 + 0.02 * 3.0)) < 1e-9, rb
    best, fallback = select_checkpoint.choose({"a.pt": ra, "b.pt": rb, "c.pt": rc})
    assert best == "b.pt" and not fallback, best
    best, fallback = select_checkpoint.choose({"a.pt": ra})
    assert best == "a.pt" and fallback
    # ties go to the later step (the later entry)
    best, _ = select_checkpoint.choose({"s1.pt": rb, "s2.pt": dict(rb)})
    assert best == "s2.pt", best


def test_markdown_table():
    noisy, a = _rows({0: (8.0, 0.10), 10: (3.0, -0.01)})
    md = evaluate.format_markdown(evaluate.summarise({"noisy": noisy, "vocana": a}),
                                  ["noisy", "vocana"])
    lines = md.strip().split("\n")
    assert "| SNR bucket | n | vocana |" in lines, md
    assert "| all | 4 | +5.50 / +0.010 / +0.045 |" in lines, md
    assert "| +10 dB | 2 | +3.00 / +0.010 / -0.010 |" in lines, md


def test_checkpoint_order():
    with tempfile.TemporaryDirectory() as d:
        for s in (900, 1319, 448, 2144):
            open(os.path.join(d, "snap_%d.pt" % s), "w").close()
        got = select_checkpoint.checkpoint_paths([os.path.join(d, "snap_*.pt"),
                                                  os.path.join(d, "snap_448.pt")])
        assert [os.path.basename(p) for p in got] == ["snap_448.pt", "snap_900.pt",
                                                       "snap_1319.pt", "snap_2144.pt"], got
        assert select_checkpoint.main([os.path.join(d, "none_*.pt")]) == 1


def main():
    return testrun.run_tests(globals())


if __name__ == "__main__":
    sys.exit(main())
