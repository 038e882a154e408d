# SPDX-License-Identifier: MIT
"""What the tests/eval Python tests share: importing it puts the repository root on sys.path
(for `train.eval`); require_numpy() skips a test without numpy; env(), a temporary environment;
run_tests() runs every test_* function of a module, prints ok/FAIL with the traceback and returns
the exit status (1 if any failed)."""

import os
import sys
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
PY = sys.executable or "/usr/bin/python3"


def require_numpy():
    """numpy, or exit 77 (Meson: skipped): the evaluation code is written on it."""
    try:
        import numpy
    except ImportError:
        print("numpy missing: skipping")
        sys.exit(77)
    return numpy


class env:
    """Temporarily set environment variables (None removes one): `with env(PATH=d): ...`."""

    def __init__(self, **kv):
        self.kv, self.old = kv, {}

    def __enter__(self):
        for k, v in self.kv.items():
            self.old[k] = os.environ.get(k)
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_tests(namespace):
    tests = [(k, v) for k, v in sorted(namespace.items()) if k.startswith("test_") and callable(v)]
    passed = failed = 0
    for name, fn in tests:
        try:
            fn()
            passed += 1
            print("ok   %s" % name)
        except Exception:
            failed += 1
            print("FAIL %s" % name)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
