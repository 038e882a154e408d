# SPDX-License-Identifier: MIT
"""Fast CPU linear algebra for training: OpenBLAS sgemm behind torch autograd.

Debian's python3-torch is built without a BLAS (BLAS_INFO=generic): its matrix products run at
about 1 GFLOP/s, ten times slower than OpenBLAS on the same core, and torch.nn.GRU runs one such
product per time step. This module loads OpenBLAS with ctypes (privately: the system BLAS is
not switched) and provides

    linear(x, weight, bias)                       = torch.nn.functional.linear
    gru(x, h0, w_ih, w_hh, b_ih, b_hh) -> (y, hT) = one torch.nn.GRU layer, batch_first

as autograd functions with hand-written backward passes. The GRU precomputes the input
projections of all steps in one product and accumulates its weight gradients in one product
after the backward loop, so the per-step work is one small product each way.

The library is looked for in $VOCANA_OPENBLAS, train/cache/openblas/ (fetch_data.py puts it there
with `apt-get download libopenblas0-pthread`) and the system paths. Without it everything falls
back to the plain torch operations (same results, slower); gradients are checked against torch
in tests/train/test_fastops.py.
"""
import ctypes
import glob
import os

import torch

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))
_P = ctypes.c_void_p
_ROW, _NOTRANS, _TRANS = 101, 111, 112

_blas = None


def _find():
    cands = []
    if os.environ.get("VOCANA_OPENBLAS"):
        cands.append(os.environ["VOCANA_OPENBLAS"])
    cands += sorted(glob.glob(os.path.join(TRAIN_DIR, "cache", "openblas", "**",
                                           "libopenblas.so.0"), recursive=True))
    cands += ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
              "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/"
              "openblas-pthread/libopenblas.so.0"]
    for c in cands:
        if os.path.isfile(c):
            try:
                lib = ctypes.CDLL(c)
                lib.cblas_sgemm.argtypes = ([ctypes.c_int] * 6 + [ctypes.c_float, _P, ctypes.c_int,
                                            _P, ctypes.c_int, ctypes.c_float, _P, ctypes.c_int])
                lib.cblas_sgemm.restype = None
                return lib
            except OSError:
                continue
    return None


def init(threads=1, enable=True):
    """Load OpenBLAS (once). threads: its thread count; 1 is best while another process (the data
    worker) uses the second core. Returns the library path in use or None (torch fallback)."""
    global _blas
    if not enable:
        _blas = None
        return None
    if _blas is None:
        _blas = _find()
    if _blas is not None:
        try:
            _blas.openblas_set_num_threads(int(threads))
        except AttributeError:
            pass
        return _blas._name
    return None


def available():
    return _blas is not None


def mm(a, b, trans_a=False, trans_b=False, out=None, beta=0.0):
    """op(a) @ op(b) for 2-D float32 tensors (contiguous); out += if beta = 1."""
    if _blas is None:
        r = (a.t() if trans_a else a) @ (b.t() if trans_b else b)
        if out is None:
            return r
        if beta:
            out.add_(r)
        else:
            out.copy_(r)
        return out
    a = a.contiguous()
    b = b.contiguous()
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    k2, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
    assert k == k2, (a.shape, b.shape)
    if out is None:
        out = torch.empty(m, n, dtype=torch.float32)
        beta = 0.0
    _blas.cblas_sgemm(_ROW, _TRANS if trans_a else _NOTRANS, _TRANS if trans_b else _NOTRANS,
                      m, n, k, 1.0, a.data_ptr(), a.shape[1], b.data_ptr(), b.shape[1],
                      float(beta), out.data_ptr(), n)
    return out


class _Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        shape = x.shape
        x2 = x.reshape(-1, shape[-1]).contiguous()
        y = mm(x2, w, trans_b=True)
        if b is not None:
            y += b
        ctx.save_for_backward(x2, w)
        ctx.has_bias = b is not None
        ctx.shape = shape
        return y.reshape(*shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, gy):
        x2, w = ctx.saved_tensors
        g2 = gy.reshape(-1, w.shape[0]).contiguous()
        gx = mm(g2, w).reshape(ctx.shape) if ctx.needs_input_grad[0] else None
        gw = mm(g2, x2, trans_a=True) if ctx.needs_input_grad[1] else None
        gb = g2.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return gx, gw, gb


def linear(x, w, b=None):
    if _blas is None or x.dtype != torch.float32:
        return torch.nn.functional.linear(x, w, b)
    return _Linear.apply(x, w, b)


class _GRU(torch.autograd.Function):
    """One GRU layer over a whole sequence, PyTorch gate order (r, z, n)."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh):
        bsz, t_len, _ = x.shape
        hid = w_hh.shape[1]
        xt = x.transpose(0, 1).contiguous()                                   # [T, B, in]
        gi = mm(xt.reshape(t_len * bsz, -1), w_ih, trans_b=True)
        gi += b_ih
        gi = gi.reshape(t_len, bsz, 3 * hid)
        hs = torch.empty(t_len + 1, bsz, hid)                                 # h_0 .. h_T
        hs[0] = h0
        rz = torch.empty(t_len, bsz, 2 * hid)
        nn_ = torch.empty(t_len, bsz, hid)
        ghn = torch.empty(t_len, bsz, hid)
        gh = torch.empty(bsz, 3 * hid)
        for t in range(t_len):
            h = hs[t]
            mm(h, w_hh, trans_b=True, out=gh)
            gh += b_hh
            torch.sigmoid(gi[t, :, : 2 * hid] + gh[:, : 2 * hid], out=rz[t])
            ghn[t] = gh[:, 2 * hid:]
            r, z = rz[t, :, :hid], rz[t, :, hid:]
            torch.tanh(gi[t, :, 2 * hid:] + r * ghn[t], out=nn_[t])
            # h' = n + z * (h - n)
            torch.addcmul(nn_[t], z, h - nn_[t], out=hs[t + 1])
        ctx.save_for_backward(xt, w_ih, w_hh, hs, rz, nn_, ghn)
        y = hs[1:].transpose(0, 1)
        return y.contiguous(), hs[-1].clone()

    @staticmethod
    def backward(ctx, gy, gh_t):
        xt, w_ih, w_hh, hs, rz, nn_, ghn = ctx.saved_tensors
        t_len, bsz, hid = nn_.shape
        gyt = gy.transpose(0, 1).contiguous() if gy is not None else torch.zeros(t_len, bsz, hid)
        dgi = torch.empty(t_len, bsz, 3 * hid)
        dgh = torch.empty(t_len, bsz, 3 * hid)
        dh = gh_t.clone() if gh_t is not None else torch.zeros(bsz, hid)
        for t in range(t_len - 1, -1, -1):
            dh += gyt[t]
            r, z = rz[t, :, :hid], rz[t, :, hid:]
            n = nn_[t]
            h_prev = hs[t]
            dn = dh * (1 - z)
            da_n = dn * (1 - n * n)
            da_z = dh * (h_prev - n) * z * (1 - z)
            da_r = da_n * ghn[t] * r * (1 - r)
            dgi[t, :, :hid] = da_r
            dgi[t, :, hid: 2 * hid] = da_z
            dgi[t, :, 2 * hid:] = da_n
            dgh[t, :, : 2 * hid] = dgi[t, :, : 2 * hid]
            dgh[t, :, 2 * hid:] = da_n * r
            dh = dh * z
            mm(dgh[t], w_hh, out=dh, beta=1.0)
        dgi2 = dgi.reshape(t_len * bsz, 3 * hid)
        dgh2 = dgh.reshape(t_len * bsz, 3 * hid)
        gx = mm(dgi2, w_ih).reshape(t_len, bsz, -1).transpose(0, 1) if ctx.needs_input_grad[0] else None
        gw_ih = mm(dgi2, xt.reshape(t_len * bsz, -1), trans_a=True)
        gw_hh = mm(dgh2, hs[:-1].reshape(t_len * bsz, hid), trans_a=True)
        return gx, dh, gw_ih, gw_hh, dgi2.sum(0), dgh2.sum(0)


def gru(x, h0, w_ih, w_hh, b_ih, b_hh):
    """x [B, T, in] (batch_first), h0 [B, H] or None -> (y [B, T, H], h_T [B, H])."""
    bsz = x.shape[0]
    hid = w_hh.shape[1]
    if h0 is None:
        h0 = torch.zeros(bsz, hid, dtype=x.dtype)
    if _blas is None or x.dtype != torch.float32:
        y, h = torch._VF.gru(x, h0[None].contiguous(), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0,
                             torch.is_grad_enabled(), False, True)
        return y, h[0]
    return _GRU.apply(x.float(), h0, w_ih, w_hh, b_ih, b_hh)
