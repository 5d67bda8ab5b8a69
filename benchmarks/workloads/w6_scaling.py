"""W6 scaling: backward through a chain of N elementwise ops (N = 10k, 100k, 1M)."""

from __future__ import annotations

import numpy as np

from .. import common
from ..common import load, median, peak_rss_mib, tensor

TITLE = "scaling: chain of N elementwise ops"
METRICS = {"fwd": "µs/node", "bwd": "µs/node", "peak": "MiB RSS"}
TARGETS = {}
C, D = 0.999999, 1e-6  # alternate y * C and y + D: values stay near 1


def cases(quick):
    ns = (1_000, 10_000) if quick else (10_000, 100_000, 1_000_000)
    return [{"id": f"W6 N={_label(n)}", "n": n} for n in ns]


def _label(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _data():
    return np.linspace(0.5, 1.5, 4, dtype=np.float32)


def _lib_chain(lib, n):
    x = tensor(lib, _data(), True)
    t0 = common.clock()
    y = x
    for _ in range(n // 2):
        y = y * C
        y = y + D
    s = y.sum()
    t1 = common.clock()
    s.backward()
    t2 = common.clock()
    return x, s, t1 - t0, t2 - t1


def _np_chain(n):
    x = _data()
    c, d = np.float32(C), np.float32(D)
    t0 = common.clock()
    y = x
    for _ in range(n // 2):
        y = y * c
        y = y + d
    s = y.sum()
    t1 = common.clock()
    g = np.ones_like(x)
    for _ in range(n // 2):
        g = g * c
    t2 = common.clock()
    return g, s, t1 - t0, t2 - t1


def _run(impl, n):
    if impl == "numpy":
        return _np_chain(n)
    return _lib_chain(load(impl), n)


def check(impl, case, quick):
    g, s, _, _ = _run(impl, 200)
    if impl != "numpy":
        g, s = g.grad.numpy().copy(), s.detach().numpy().copy()
    return {"loss": np.asarray(s), "grad": g}


def measure(impl, case, quick):
    n = case["n"]
    _run(impl, 1000)  # warm-up
    reps = 1 if n >= 1_000_000 else (2 if n >= 100_000 else 5)
    fwd, bwd = [], []
    for _ in range(reps):
        _, _, f, b = _run(impl, n)
        fwd.append(f)
        bwd.append(b)
    return {"fwd": median(fwd) / n * 1e6, "bwd": median(bwd) / n * 1e6, "peak": peak_rss_mib()}


def derived(medians, quick):
    """Per-node backward cost at the largest N over the smallest (target: <= 1.2 for Ember)."""
    ids = [c["id"] for c in cases(quick)]
    lo, hi = ids[0], ids[-1]
    row = {}
    for impl in ("ember", "torch", "numpy"):
        a, b = medians.get((lo, "bwd", impl)), medians.get((hi, "bwd", impl))
        if a and b:
            row[impl] = b / a
    label = f"bwd µs/node {hi.split('=')[1]} ÷ {lo.split('=')[1]}"
    return [("W6", label, "×", row, ("self", 1.2))]
