#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the evaluation driver (train/eval/evaluate.py) and its plumbing: WAV I/O,
command systems, alignment inside the driver, the summary's deltas, the groups read from
index.tsv columns (devset-v2) and their Markdown tables, and (when built) the
speex/WebRTC baselines. Exit 77 (skip) without numpy."""

import json
import os
import struct
import subprocess
import sys
import tempfile
import wave

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

np = testrun.require_numpy()
from train.eval import evaluate, synth, systems, wavio  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PY = testrun.PY


def test_wav_roundtrip():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 1000)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "f.wav")
        wavio.write_wav(p, x, 48000)
        y, rate = wavio.read_wav(p)
        assert rate == 48000 and np.array_equal(y, x.astype(np.float32)), "float32 round trip"
        # 16-bit stereo PCM written by the stdlib: averaged to mono, scaled to +-1.
        q = os.path.join(d, "p.wav")
        pcm = np.array([[16384, -16384], [-32768, 0], [100, 300]], dtype="<i2")
        with wave.open(q, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes(pcm.tobytes())
        y, rate = wavio.read_wav(q)
        assert rate == 44100 and np.allclose(y, [0.0, -0.5, 200 / 32768.0]), y
        # 24-bit mono, negative and positive.
        r = os.path.join(d, "r.wav")
        with wave.open(r, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(3)
            w.setframerate(48000)
            w.writeframes(b"".join(struct.pack("<i", v)[:3] for v in (-(1 << 23), 1 << 22, -1)))
        y, _ = wavio.read_wav(r)
        assert np.allclose(y, [-1.0, 0.5, -1.0 / (1 << 23)]), y


def test_driver_delay_copy_is_neutral():
    """A system that only delays and rescales must score exactly like the noisy input."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        rc = evaluate.main(["--synthetic", "3", "--system",
                            "copy=%s %s" % (PY, os.path.join(HERE, "delay_copy.py")),
                            "--require", "copy", "--json", out])
        assert rc == 0
        with open(out) as f:
            doc = json.load(f)
    for r in doc["items"]["copy"]:
        assert r["lag"] == 480, r
    c = doc["summary"]["overall"]["all"]["copy"]
    assert c["n"] == 3
    for m in ("si_sdr", "stoi", "estoi"):
        assert abs(c["d_" + m]) < (0.05 if m == "si_sdr" else 2e-3), (m, c)
    assert set(doc["summary"]["noise"]) == {"white", "pink", "babble"}, doc["summary"]["noise"]


def test_summary_deltas_are_paired():
    res = {"noisy": [dict(name="a", snr_db=0.0, noise="w", si_sdr=1.0, stoi=0.5, estoi=0.4, lag=0),
                     dict(name="b", snr_db=9.0, noise="p", si_sdr=3.0, stoi=0.7, estoi=0.6, lag=0)],
           "x": [dict(name="a", snr_db=0.0, noise="w", si_sdr=4.0, stoi=0.6, estoi=0.5, lag=3),
                 dict(name="b", snr_db=9.0, noise="p", si_sdr=5.0, stoi=0.8, estoi=0.5, lag=3)]}
    s = evaluate.summarise(res)
    assert abs(s["overall"]["all"]["x"]["d_si_sdr"] - 2.5) < 1e-12
    assert abs(s["overall"]["all"]["x"]["d_estoi"] - 0.0) < 1e-12
    assert set(s["snr"]) == {"+0 dB", "+10 dB"} and s["snr"]["+10 dB"]["x"]["n"] == 1
    assert abs(s["noise"]["w"]["x"]["d_stoi"] - 0.1) < 1e-12


def test_groups_from_index_columns():
    """devset-v2 index columns (source, category, seen, speech, reverb) become summary groups and
    Markdown tables; a set without them keeps overall / SNR / noise type only."""
    import contextlib
    import io
    items = evaluate.synthetic_set(4, seconds=1.0)
    with tempfile.TemporaryDirectory() as d:
        cols = ("name", "snr_db", "noise", "source", "category", "seen", "speech", "reverb")
        with open(os.path.join(d, "index.tsv"), "w") as f:
            f.write("\t".join(cols) + "\n")
            for i, it in enumerate(items):
                wavio.write_wav(os.path.join(d, it["name"] + "_clean.wav"), it["clean"], 48000)
                wavio.write_wav(os.path.join(d, it["name"] + "_noisy.wav"), it["noisy"], 48000)
                seen = ("unseen", "seen", "synthetic", "unseen")[i]
                f.write("\t".join([it["name"], str(it["snr_db"]), it["noise"], "src%d" % (i % 2),
                                   "music" if i % 2 else "alarm", seen, "speech_x",
                                   str(i % 2)]) + "\n")
        out = os.path.join(d, "r.json")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = evaluate.main(["--set-dir", d, "--system", "noisy", "--markdown", "--json", out])
        assert rc == 0
        with open(out) as f:
            doc = json.load(f)
    md = buf.getvalue().split("\n")
    s = doc["summary"]
    assert doc["groups"] == ["overall", "snr", "noise", "source", "category", "seen", "speech",
                             "reverb"], doc["groups"]
    assert set(s["seen"]) == {"unseen", "seen", "synthetic"}
    assert s["seen"]["unseen"]["noisy"]["n"] == 2
    assert set(s["source"]) == {"src0", "src1"} and set(s["category"]) == {"alarm", "music"}
    assert doc["items"]["noisy"][0]["seen"] == "unseen", doc["items"]["noisy"][0]
    for title in ("noise source", "noise category", "noise source in training", "SNR bucket"):
        assert "| %s | n |  |" % title in md, (title, md)
    assert "| noise type | n |  |" not in md, md      # replaced by the source table
    # the seen table lists unseen, seen, synthetic in that order
    rows = [ln.split(" | ")[0] for ln in md if ln.startswith("| unseen") or ln.startswith("| seen")
            or ln.startswith("| synthetic")]
    assert rows == ["| unseen", "| seen", "| synthetic"], rows
    # rows without the columns (devset-v1, the regression set): no such groups
    plain = evaluate.summarise({"noisy": [dict(name="a", snr_db=0.0, noise="w", si_sdr=1.0,
                                               stoi=0.5, estoi=0.4, lag=0)]})
    assert set(plain) == {"overall", "snr", "noise"}, set(plain)


def test_missing_system_is_skipped_or_required():
    assert evaluate.main(["--synthetic", "1", "--system", "vocana=/nonexistent/vocana"]) == 0
    assert evaluate.main(["--synthetic", "1", "--system", "vocana=/nonexistent/vocana",
                          "--require", "vocana"]) == 1


def test_unknown_system_is_a_usage_error():
    """A spec that names no system: one line naming it, exit 2, no traceback."""
    for tool, more in (("evaluate", ["--synthetic", "1"]), ("clean_voices", ["--synthetic", "1"]),
                       ("onsets", [])):
        r = subprocess.run([PY, "-m", "train.eval." + tool, "--system", "bogus"] + more,
                           cwd=testrun.ROOT, capture_output=True, text=True, timeout=120)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "'bogus'" in lines[0], (tool, r)


def test_baselines_if_built():
    """speexdsp must improve SI-SDR on stationary white noise and keep its 10 ms delay."""
    try:
        speex = systems.make_system("speex")
    except systems.SystemUnavailable as e:
        print("  (skipped: %s)" % e)
        return
    x = synth.speech_like(3.0, 48000, seed=4) * 0.2
    noisy, _ = synth.mix_at_snr(x, synth.white_noise(len(x), 5), 5.0)
    from train.eval import metrics
    a, b = metrics.score(x, noisy), metrics.score(x, speex(noisy))
    assert b["lag"] == 480 and b["si_sdr"] > a["si_sdr"] + 2, (a, b)


def main():
    return testrun.run_tests(globals())


if __name__ == "__main__":
    sys.exit(main())
