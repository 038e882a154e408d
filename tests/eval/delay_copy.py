#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Test helper system for test_evaluate.py: `delay_copy.py IN.wav OUT.wav` writes IN delayed by
480 samples (a causal denoiser's 10 ms latency) at 0.7x gain, i.e. a perfect 'denoiser' that
removes nothing: every metric must equal the noisy input's once aligned."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import numpy as np  # noqa: E402

from train.eval import wavio  # noqa: E402

x, rate = wavio.read_wav(sys.argv[1])
wavio.write_wav(sys.argv[2], 0.7 * np.concatenate([np.zeros(480), x]), rate)
