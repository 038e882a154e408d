#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The RNNoise 0.2 baseline (`rnnoise2` in train/eval/systems.py, tools/baselines/
rnnoise2_denoise.mjs). No network. The checks of the skip path always run; the checks of RNNoise
itself need Node and the npm package that tools/baselines/fetch-rnnoise.sh installs into
build-baselines/: without them the test exits 77 (skip) after the skip-path checks. Exit 77 also
without numpy."""

import json
import os
import subprocess
import sys
import tempfile

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

np = testrun.require_numpy()
from train.eval import evaluate, metrics, synth, systems  # noqa: E402


FS = 48000
DELAY = 960          # RNNoise 0.2: 10 ms window overlap + one 10 ms frame of gain delay
SKIP = 77


# -- always: unavailability is reported, not crashed on ---------------------------------------

def test_skipped_without_node():
    with tempfile.TemporaryDirectory() as empty, testrun.env(PATH=empty):
        for name in ("rnnoise2", "rnnoise2025"):
            try:
                systems.make_system(name)
                raise AssertionError("%s available with an empty PATH" % name)
            except systems.SystemUnavailable as e:
                assert name in str(e) and "node" in str(e), e
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            assert evaluate.main(["--synthetic", "2", "--system", "rnnoise2", "--json", out]) == 0
            with open(out) as f:
                doc = json.load(f)
            assert "rnnoise2" in doc["skipped"] and "rnnoise2" not in doc["items"], doc["skipped"]
            assert evaluate.main(["--synthetic", "2", "--system", "rnnoise2",
                                  "--require", "rnnoise2"]) == 1


def test_skipped_without_module():
    with testrun.env(VOCANA_RNNOISE2_MODULE="/nonexistent/rnnoise-sync.js"):
        try:
            systems.make_system("rnnoise2")
            raise AssertionError("rnnoise2 available without its module")
        except systems.SystemUnavailable as e:
            assert "fetch-rnnoise.sh" in str(e) and "/nonexistent/" in str(e), e
    try:
        systems.make_system("rnnoise2=/nonexistent/other.js")
        raise AssertionError("rnnoise2=PATH available without the file")
    except systems.SystemUnavailable as e:
        assert "/nonexistent/other.js" in str(e), e


# -- with Node and the npm package: RNNoise 0.2 itself ----------------------------------------

def _rnnoise2():
    return systems.make_system("rnnoise2")


def installed_test_delay_is_960():
    """The measured delay distinguishes 0.2 from v0.1 (480 samples) in the same package."""
    lags = systems.measure_delay(_rnnoise2())
    assert lags == [DELAY, DELAY], lags


def installed_test_length_and_cli_contract():
    rnn = _rnnoise2()
    for n in (0, 1, 479, 480, 12345):
        y = rnn(0.1 * synth.white_noise(n, n))
        assert len(y) == n and np.all(np.isfinite(y)), (n, len(y))
    # a file that is not whole float32 samples is refused with a message, not mis-read
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.f32"), os.path.join(d, "out.f32")
        with open(src, "wb") as f:
            f.write(b"\0" * 7)
        res = subprocess.run(rnn.argv + [src, dst], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        assert res.returncode != 0 and "float32" in res.stderr, (res.returncode, res.stderr)


def installed_test_reduces_white_noise():
    rnn = _rnnoise2()
    # noise alone: 0.2 all but mutes stationary white noise (v0.1 takes off about 20 dB)
    w = 0.05 * synth.white_noise(3 * FS, 5)
    y = rnn(w)
    att = 10 * np.log10(np.mean(w[FS:] ** 2) / max(np.mean(y[FS:] ** 2), 1e-30))
    assert att > 30.0, att
    # speech in white noise at 5 dB: a clear SI-SDR and ESTOI gain after alignment
    x = 0.2 * synth.speech_like(3.0, FS, seed=4)
    noisy, _ = synth.mix_at_snr(x, synth.white_noise(len(x), 5), 5.0)
    a, b = metrics.score(x, noisy), metrics.score(x, rnn(noisy))
    assert b["lag"] == DELAY, b
    assert b["si_sdr"] > a["si_sdr"] + 4.0 and b["estoi"] > a["estoi"] + 0.03, (a, b)


def installed_test_evaluator_and_rtf():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        assert evaluate.main(["--synthetic", "3", "--system", "rnnoise2", "--require", "rnnoise2",
                              "--json", out]) == 0
        with open(out) as f:
            doc = json.load(f)
        rows = doc["items"]["rnnoise2"]
        assert len(rows) == 3 and all(r["lag"] == DELAY for r in rows), rows
    rtf, total = systems.measure_rtf(_rnnoise2(), seconds=10.0)
    assert 0.0 < rtf <= total < 1.0, (rtf, total)


def installed_test_rnnoise2025_if_fetched():
    """The optional later build (fetch-rnnoise.sh --with-2025): same delay within a sample."""
    try:
        rnn = systems.make_system("rnnoise2025")
    except systems.SystemUnavailable as e:
        print("  (rnnoise2025 not checked: %s)" % e)
        return
    lags = systems.measure_delay(rnn)
    assert all(abs(lag - DELAY) <= 1 for lag in lags), lags


def main():
    rc = testrun.run_tests(globals())
    try:
        _rnnoise2()
    except systems.SystemUnavailable as e:
        print("skipping the RNNoise 0.2 checks: %s" % e)
        return rc or SKIP
    installed = {k[len("installed_"):]: v for k, v in globals().items()
                 if k.startswith("installed_test_")}
    return rc or testrun.run_tests(installed)


if __name__ == "__main__":
    sys.exit(main())
