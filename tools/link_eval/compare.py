#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Linked channels against one network per channel (docs/speaker.md, "Channels").

Builds stereo mixtures from 64 devset-v2 pairs (train/eval/make_dev_set.py) in four ways: the
same noisy signal in both channels (dual mono), the clean voice in both with a different noise in
each at the same level (decorrelated), and the voice panned (right channel at -6 dB) over
decorrelated noise, and two talkers, one per channel (each over its own noise: the case linking
is worst at, since the mid opens for either voice); runs each through linked channels
(build/tools/link_eval/link_eval) and through one network per channel ('vocana denoise', which
denoises every channel of a file on its own) and prints the mean SI-SDR gain per channel of both.
Run from the repository root after meson compile -C build.
"""
import csv
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.getcwd())
from train.eval import metrics, wavio  # noqa: E402

SET = "train/cache/eval/devset-v2"
TOOL = "build/tools/link_eval/link_eval"
VOCANA = "build/src/cli/vocana"


def write_stereo(path, x, rate):
    x = np.asarray(x, dtype="<f4")
    payload = x.tobytes()
    fmt = struct.pack("<HHIIHH", 3, x.shape[1], rate, rate * 4 * x.shape[1], 4 * x.shape[1], 32)
    fact = struct.pack("<I", x.shape[0])
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact"
            + struct.pack("<I", len(fact)) + fact + b"data" + struct.pack("<I", len(payload))
            + payload)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def read_stereo(path):
    with open(path, "rb") as f:
        d = f.read()
    pos, ch = 12, 1
    while pos + 8 <= len(d):
        cid, size = d[pos:pos + 4], struct.unpack("<I", d[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            ch = struct.unpack("<H", d[pos + 10:pos + 12])[0]
        if cid == b"data":
            return np.frombuffer(d[pos + 8:pos + 8 + size], dtype="<f4").reshape(-1, ch)
        pos += 8 + size + (size & 1)
    raise ValueError("%s: no data chunk" % path)


def main():
    if not (os.path.exists(TOOL) and os.path.exists(VOCANA)) or not os.path.isdir(SET):
        sys.exit("compare.py: needs %s and %s (meson compile -C build) and %s"
                 " (python3 -m train.eval.make_dev_set)" % (TOOL, VOCANA, SET))
    with open(os.path.join(SET, "index.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))[::4][:64]
    res = {"dual mono": [], "decorrelated": [], "panned": [], "two talkers": []}
    tmp = tempfile.mkdtemp()
    inp, lin, ind = (os.path.join(tmp, n) for n in ("in.wav", "linked.wav", "own.wav"))
    for i, r in enumerate(rows):
        clean, _ = wavio.read_wav(os.path.join(SET, r["name"] + "_clean.wav"))
        noisy, _ = wavio.read_wav(os.path.join(SET, r["name"] + "_noisy.wav"))
        o = rows[(i + 7) % len(rows)]
        c2, _ = wavio.read_wav(os.path.join(SET, o["name"] + "_clean.wav"))
        y2, _ = wavio.read_wav(os.path.join(SET, o["name"] + "_noisy.wav"))
        n1 = noisy - clean
        n2 = np.resize(y2 - c2, len(clean))
        n2 *= np.sqrt(np.mean(n1 ** 2) / (np.mean(n2 ** 2) + 1e-12))
        other = np.resize(c2, len(clean))
        other *= np.sqrt(np.mean(clean ** 2) / (np.mean(other ** 2) + 1e-12))
        cases = {"dual mono": (np.stack([noisy, noisy], 1), [clean, clean]),
                 "decorrelated": (np.stack([clean + n1, clean + n2], 1), [clean, clean]),
                 "panned": (np.stack([clean + n1, 0.5 * clean + n2], 1), [clean, 0.5 * clean]),
                 "two talkers": (np.stack([clean + n1, other + n2], 1), [clean, other])}
        for name, (x, refs) in cases.items():
            write_stereo(inp, x, 48000)
            subprocess.run([TOOL, inp, lin], check=True)
            subprocess.run([VOCANA, "denoise", "-q", inp, ind], check=True)
            yl, yi = read_stereo(lin), read_stereo(ind)
            for c in range(2):
                base = metrics.si_sdr(refs[c], x[:, c])
                res[name].append((metrics.si_sdr(refs[c], yl[:, c]) - base,
                                  metrics.si_sdr(refs[c], yi[:, c]) - base,
                                  float(np.max(np.abs(yl[:, c] - yi[:, c])))))
    for name, v in res.items():
        v = np.array(v)
        d = v[:, 0] - v[:, 1]
        print("%-13s n=%d  linked %+.2f dB  own network %+.2f dB  difference %+.2f (worst %+.2f),"
              " largest sample difference %.2g" % (name, len(v), v[:, 0].mean(), v[:, 1].mean(),
                                                   d.mean(), d.min(), v[:, 2].max()))


if __name__ == "__main__":
    main()
