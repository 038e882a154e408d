# SPDX-License-Identifier: MIT
"""Minimal runner shared by the tests/eval Python tests: runs every test_* function of a module,
prints ok/FAIL with the traceback, returns the exit status (1 if any failed)."""

import traceback


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
