#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Test helper system for test_clean_voices.py: `filter_copy.py [--lowpass HZ] IN.wav OUT.wav`
writes IN delayed by 480 samples (a causal denoiser's 10 ms latency), unchanged, or low-passed at
HZ (a brick-wall cut in the FFT domain): a system that keeps clean voices perfectly, and one that
removes their high band."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import numpy as np  # noqa: E402

from train.eval import wavio  # noqa: E402

args = sys.argv[1:]
cut = None
if args[0] == "--lowpass":
    cut, args = float(args[1]), args[2:]
x, rate = wavio.read_wav(args[0])
if cut is not None:
    spec = np.fft.rfft(x)
    spec[np.fft.rfftfreq(len(x), 1.0 / rate) >= cut] = 0
    x = np.fft.irfft(spec, len(x))
wavio.write_wav(args[1], np.concatenate([np.zeros(480), x]), rate)
