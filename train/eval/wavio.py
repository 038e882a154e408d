# SPDX-License-Identifier: MIT
"""Minimal WAV reading/writing (numpy only; the `wave` module cannot handle float WAV).

read_wav: PCM 8/16/24/32-bit and IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE; channels are
averaged to mono. write_wav: mono float32 (WAVE_FORMAT_IEEE_FLOAT), so the evaluation never adds
quantisation noise of its own.
"""

import struct

import numpy as np

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE


def read_wav(path):
    """Returns (mono float64 samples at full scale +-1, sample rate in Hz)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("%s: not a RIFF/WAVE file" % path)
    pos = 12
    fmt = None
    pcm = None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack("<H", body[24:26])[0]   # first two bytes of the subformat GUID
            fmt = (tag, channels, rate, bits)
        elif cid == b"data":
            pcm = body
        pos += 8 + size + (size & 1)                          # chunks are word-aligned
    if fmt is None or pcm is None:
        raise ValueError("%s: missing fmt or data chunk" % path)
    tag, channels, rate, bits = fmt
    width = bits // 8
    usable = len(pcm) // (width * channels) * width * channels
    pcm = pcm[:usable]
    if tag == _FLOAT and bits in (32, 64):
        x = np.frombuffer(pcm, "<f%d" % width).astype(np.float64)
    elif tag == _PCM and bits == 8:
        x = (np.frombuffer(pcm, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif tag == _PCM and bits in (16, 32):
        x = np.frombuffer(pcm, "<i%d" % width).astype(np.float64) / float(2 ** (bits - 1))
    elif tag == _PCM and bits == 24:
        b = np.frombuffer(pcm, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float64) / float(1 << 23)
    else:
        raise ValueError("%s: unsupported WAV format tag %d, %d bits" % (path, tag, bits))
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x, rate


def write_wav(path, samples, rate_hz):
    """Writes mono float32 WAV (the fact chunk that non-PCM WAV requires included)."""
    x = np.asarray(samples, dtype="<f4").reshape(-1)
    payload = x.tobytes()
    fmt = struct.pack("<HHIIHH", _FLOAT, 1, int(rate_hz), int(rate_hz) * 4, 4, 32)
    fact = struct.pack("<I", len(x))
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"fact" + struct.pack("<I", len(fact)) + fact
            + b"data" + struct.pack("<I", len(payload)) + payload)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
