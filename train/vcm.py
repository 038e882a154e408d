# SPDX-License-Identifier: MIT
"""Read and write Vocana model files (.vcm, docs/model-format.md, version 1).

write(path, arch_id, hparams, tensors, dtype) writes; read(path) parses and checks everything the
C loader checks (magic, version, sizes, alignment, overlaps, checksum) and returns
(arch_id, hparams, {name: float32 ndarray}).
"""
import struct
import zlib

import numpy as np

MAGIC = b"VOCANAM1"
VERSION = 1
ALIGN = 64
DTYPES = {"f32": 0, "f16": 1}
NP_DTYPE = {0: np.dtype("<f4"), 1: np.dtype("<f2")}


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def write(path, arch_id, hparams, tensors, dtype="f32"):
    """tensors: list of (name, ndarray with ndim 1 or 2), written in this order."""
    code = DTYPES[dtype]
    n_t = len(tensors)
    table_off = _align(64 + 4 * len(hparams))
    off = _align(table_off + 64 * n_t)
    records, blobs = [], []
    for name, arr in tensors:
        a = np.asarray(arr, dtype=np.float32)
        if a.ndim not in (1, 2):
            raise ValueError(f"{name}: ndim {a.ndim}")
        raw = name.encode("ascii")
        if len(raw) >= 32:
            raise ValueError(f"{name}: name too long")
        rows, cols = (a.shape[0], 1) if a.ndim == 1 else a.shape
        data = np.ascontiguousarray(a.astype(NP_DTYPE[code])).tobytes()
        records.append(struct.pack("<32sIIIIfIQ", raw, code, a.ndim, rows, cols, 0.0, 0, off))
        blobs.append((off, data))
        off = _align(off + len(data))
    end = blobs[-1][0] + len(blobs[-1][1])
    size = end + 4
    buf = bytearray(end)
    struct.pack_into("<8sIIIIQ", buf, 0, MAGIC, VERSION, arch_id, len(hparams), n_t, size)
    struct.pack_into(f"<{len(hparams)}I", buf, 64, *hparams)
    for i, r in enumerate(records):
        buf[table_off + 64 * i: table_off + 64 * (i + 1)] = r
    for o, data in blobs:
        buf[o: o + len(data)] = data
    buf += struct.pack("<I", zlib.crc32(bytes(buf)) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(buf)
    return size


def read(path):
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 68 or buf[:8] != MAGIC:
        raise ValueError("not a Vocana model file")
    version, arch_id, n_h, n_t, size = struct.unpack_from("<IIIIQ", buf, 8)
    if version != VERSION:
        raise ValueError(f"unsupported version {version}")
    if size != len(buf):
        raise ValueError("file_size does not match the file length")
    if any(buf[32:64]):
        raise ValueError("reserved header bytes are not zero")
    (crc,) = struct.unpack_from("<I", buf, size - 4)
    if zlib.crc32(buf[: size - 4]) & 0xFFFFFFFF != crc:
        raise ValueError("checksum mismatch")
    if not 1 <= n_t <= 256:
        raise ValueError("bad tensor count")
    hparams = list(struct.unpack_from(f"<{n_h}I", buf, 64))
    table_off = _align(64 + 4 * n_h)
    table_end = table_off + 64 * n_t
    tensors, spans = {}, []
    for i in range(n_t):
        raw, code, ndim, rows, cols, scale, res, off = struct.unpack_from(
            "<32sIIIIfIQ", buf, table_off + 64 * i)
        name = raw.split(b"\0")[0].decode("ascii")
        if b"\0" not in raw or code not in NP_DTYPE or ndim not in (1, 2) or off % ALIGN:
            raise ValueError(f"bad tensor record {i}")
        if ndim == 1 and cols != 1:
            raise ValueError(f"{name}: 1-D tensor with cols {cols}")
        nbytes = rows * cols * NP_DTYPE[code].itemsize
        if off < table_end or off + nbytes > size - 4:
            raise ValueError(f"{name}: data outside the data area")
        spans.append((off, off + nbytes))
        a = np.frombuffer(buf, dtype=NP_DTYPE[code], count=rows * cols, offset=off)
        a = a.astype(np.float32).reshape((rows,) if ndim == 1 else (rows, cols))
        if name in tensors:
            raise ValueError(f"{name}: duplicate")
        tensors[name] = a
    spans.sort()
    for (a0, a1), (b0, _b1) in zip(spans, spans[1:]):
        if b0 < a1:
            raise ValueError("overlapping tensors")
    return arch_id, hparams, tensors
