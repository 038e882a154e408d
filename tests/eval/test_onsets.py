#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks of train/eval/onsets.py (how fast noise that starts is suppressed): a passthrough
shows no excess anywhere; a gate that attenuates by 20 dB only from 300 ms after the noise starts
shows +20 dB in both early windows and a fast one (10 ms) about 0 dB after 100 ms; the table
has a row per system. Exit 77 without numpy."""

import io
import os
import sys
from contextlib import redirect_stdout

import testrun  # tests/eval, next to this file: puts the repository root on sys.path

np = testrun.require_numpy()
from train.eval import onsets  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PY = testrun.PY


class Gate:
    """Passes the input, and attenuates by 20 dB once the input has been above -50 dBFS for
    `after_s` seconds (an adaptive suppressor with a known reaction time)."""

    def __init__(self, after_s):
        self.after_s, self.name = after_s, "gate"

    def __call__(self, x):
        loud = np.abs(x) > 10 ** (-50 / 20)
        first = int(np.argmax(loud))
        y = np.array(x, dtype=np.float64)
        y[first + int(self.after_s * onsets.FS):] *= 0.1
        return y


def test_passthrough_has_no_excess():
    res = onsets.measure(lambda x: np.array(x))
    for key, vals in res.items():
        assert all(abs(v) < 0.5 for v in vals), (key, vals)


def test_slow_suppressor_shows_its_delay():
    res = onsets.measure(Gate(0.3))
    # the cold start: the gate reacts to the noise itself, 300 ms late -> +20 dB in both windows
    for kind in ("white", "pink"):
        early, later = res[("zeros", kind)]
        assert 19.0 < early < 21.0 and 19.0 < later < 21.0, (kind, early, later)


def test_fast_suppressor_is_ready_after_100_ms():
    res = onsets.measure(Gate(0.01))
    for kind in ("white", "pink"):
        early, later = res[("zeros", kind)]
        assert 0.5 < early < 20.0 and abs(later) < 0.5, (kind, early, later)


def test_table_has_a_row_per_system():
    spec = "copy=%s %s" % (PY, os.path.join(HERE, "filter_copy.py"))
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = onsets.main(["--system", spec, "--system", spec.replace("copy=", "again=")])
    rows = [line for line in buf.getvalue().splitlines() if line.startswith("| copy")
            or line.startswith("| again")]
    assert rc == 0 and len(rows) == 2, buf.getvalue()
    assert "+0.0 dB" in rows[0] or "-0.0 dB" in rows[0], rows[0]


if __name__ == "__main__":
    sys.exit(testrun.run_tests(globals()))
