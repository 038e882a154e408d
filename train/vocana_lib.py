# SPDX-License-Identifier: MIT
"""ctypes bindings to libvocana's development interface (include/vocana/vocana_dev.h).

Training never re-implements the features: every feature vector and every spectrum the model sees
or is scored on comes from the C code the denoiser runs. The library is found through, in order,
the VOCANA_LIB environment variable, an explicit path given to load(), and build/libvocana_dev.so
(libvocana plus the development interface; never installed).
The frame constants below are the library's (include/vocana/vocana.h, vocana_dev.h); every other
file in train/ imports them from here.
"""
import ctypes
import os

import numpy as np

HOP = 480           # samples per frame (VOCANA_FRAME_SIZE)
N_BINS = 481        # VOCANA_DEV_N_BINS
N_BANDS = 32        # VOCANA_DEV_N_BANDS
SAMPLE_RATE = 48000

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CANDIDATES = [os.path.join(REPO, "build", "libvocana_dev.so")]

_F32P = ctypes.POINTER(ctypes.c_float)


def _ptr(a):
    return a.ctypes.data_as(_F32P) if a is not None else None


class VocanaLib:
    def __init__(self, path):
        self.path = path
        self.lib = ctypes.CDLL(path)
        L = self.lib
        L.vocana_dev_band_centers.argtypes = [ctypes.POINTER(ctypes.c_uint32)]
        L.vocana_dev_band_centers.restype = ctypes.c_int
        L.vocana_dev_feature_size.argtypes = [ctypes.c_uint32]
        L.vocana_dev_feature_size.restype = ctypes.c_size_t
        L.vocana_dev_analyze.argtypes = [_F32P, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_uint32,
                                         _F32P, _F32P]
        L.vocana_dev_analyze.restype = ctypes.c_int
        L.vocana_dev_windows.argtypes = [ctypes.c_uint32, _F32P, _F32P]
        L.vocana_dev_windows.restype = ctypes.c_int
        self._centers = None
        self._windows = {}

    # ---- features ------------------------------------------------------------------------
    def band_centers(self):
        if self._centers is None:
            c = np.zeros(N_BANDS, dtype=np.uint32)
            n = self.lib.vocana_dev_band_centers(c.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)))
            if n != N_BANDS:
                raise RuntimeError(f"vocana_dev_band_centers returned {n}")
            self._centers = c.astype(np.int64)
        return self._centers.copy()

    def feature_size(self, n_df):
        return int(self.lib.vocana_dev_feature_size(n_df))

    def windows(self, delay=HOP):
        """(analysis, synthesis) windows [960] float32 of a model with this algorithmic delay
        (480: the symmetric Vorbis pair; less: a low-delay pair). Synthesis lacks the 1/960."""
        if delay not in self._windows:
            a = np.empty(2 * HOP, dtype=np.float32)
            s = np.empty(2 * HOP, dtype=np.float32)
            rc = self.lib.vocana_dev_windows(delay, _ptr(a), _ptr(s))
            if rc != 0:
                raise ValueError(f"vocana_dev_windows({delay}) failed: {rc}")
            self._windows[delay] = (a, s)
        return self._windows[delay]

    def analyze(self, x, n_df, features=True, spectrum=True, delay=HOP):
        """Features [T, 32 + 2 n_df] and/or complex spectrum [T, 481] of x (float32, length a
        multiple of 480 or truncated to one), from a fresh analysis state, with the analysis
        window of a model with algorithmic delay `delay`."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        t = len(x) // HOP
        feat = np.empty((t, self.feature_size(n_df)), dtype=np.float32) if features else None
        spec = np.empty((t, N_BINS, 2), dtype=np.float32) if spectrum else None
        rc = self.lib.vocana_dev_analyze(_ptr(x), t, n_df, delay, _ptr(feat), _ptr(spec))
        if rc != 0:
            raise RuntimeError(f"vocana_dev_analyze failed: {rc}")
        if spec is not None:
            spec = spec[..., 0] + 1j * spec[..., 1]
            spec = spec.astype(np.complex64)
        if features and spectrum:
            return feat, spec
        return feat if features else spec

    # ---- network (for the parity test) ---------------------------------------------------------
    def _bind_nn(self):
        L = self.lib
        vp = ctypes.c_void_p
        L.vocana_model_load_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp)]
        L.vocana_model_load_file.restype = ctypes.c_int
        L.vocana_model_free.argtypes = [vp]
        L.vocana_model_free.restype = None
        L.vocana_dev_run_network.argtypes = [vp, _F32P, ctypes.c_size_t, _F32P, _F32P, _F32P]
        L.vocana_dev_run_network.restype = ctypes.c_int
        L.vocana_dev_model_hparams.argtypes = [vp, ctypes.POINTER(ctypes.c_uint32)]
        L.vocana_dev_model_hparams.restype = ctypes.c_int

    def load_model(self, path):
        self._bind_nn()
        m = ctypes.c_void_p()
        rc = self.lib.vocana_model_load_file(path.encode(), ctypes.byref(m))
        if rc != 0:
            raise RuntimeError(f"vocana_model_load_file({path}) failed: {rc}")
        return m

    def free_model(self, m):
        self.lib.vocana_model_free(m)

    def model_hparams(self, m):
        """The model's hyper-parameters in file order (model.HPARAM_NAMES)."""
        h = np.zeros(7, dtype=np.uint32)
        rc = self.lib.vocana_dev_model_hparams(m, h.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)))
        if rc != 0:
            raise RuntimeError(f"vocana_dev_model_hparams failed: {rc}")
        return [int(v) for v in h]

    def run_network(self, m, features):
        """gains [T, n_erb], df [T, n_df*df_order*2], vad [T] from a fresh network state."""
        n_erb, n_df, df_order = self.model_hparams(m)[:3]
        f = np.ascontiguousarray(features, dtype=np.float32)
        t = f.shape[0]
        g = np.empty((t, n_erb), dtype=np.float32)
        d = np.empty((t, n_df * df_order * 2), dtype=np.float32)
        v = np.empty((t,), dtype=np.float32)
        rc = self.lib.vocana_dev_run_network(m, _ptr(f), t, _ptr(g), _ptr(d), _ptr(v))
        if rc != 0:
            raise RuntimeError(f"vocana_dev_run_network failed: {rc}")
        return g, d, v


_LIB = None


def load(path=None):
    """The process-wide library handle (loaded once)."""
    global _LIB
    if _LIB is not None and (path is None or _LIB.path == path):
        return _LIB
    cands = [path] if path else ([os.environ["VOCANA_LIB"]] if os.environ.get("VOCANA_LIB") else [])
    cands += _CANDIDATES
    for c in cands:
        if c and os.path.isfile(c):
            _LIB = VocanaLib(os.path.abspath(c))
            return _LIB
    raise FileNotFoundError("libvocana_dev.so not found: build it (meson setup build && ninja -C build) "
                            "or set VOCANA_LIB")
