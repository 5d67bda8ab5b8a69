"""W1 per-op overhead: a 100-op elementwise chain on 16 float32 values, sum, backward."""

from __future__ import annotations

import numpy as np

from ..common import load, median, tensor, timed

TITLE = "per-op overhead: 16 floats, 100-op chain"
METRICS = {"fwd": "µs/op", "fwd+bwd": "µs/op"}
TARGETS = {"fwd": ("torch", 1.0), "fwd+bwd": ("torch", 0.6)}
BLOCKS = 25  # each block is 4 ops: *1.1, -1.1, tanh, exp (values stay in (0.37, 1))
N_OPS = 4 * BLOCKS


def cases(quick):
    return [{"id": "W1"}]


def _data():
    return np.random.default_rng(1).uniform(-1, 1, 16).astype(np.float32)


def _lib_fns(lib):
    x = tensor(lib, _data(), True)

    def fwd():
        y = x
        for _ in range(BLOCKS):
            y = (y * 1.1 - 1.1).tanh().exp()
        return y.sum()

    def step():
        fwd().backward()
        x.grad = None

    return x, fwd, step


def _np_fns():
    x = _data()
    c = np.float32(1.1)

    def fwd():
        saved = []
        y = x
        for _ in range(BLOCKS):
            t = np.tanh(y * c - c)
            y = np.exp(t)
            saved.append((t, y))
        return y.sum(), saved

    def step():
        s, saved = fwd()
        g = np.ones_like(x)
        for i in range(BLOCKS - 1, -1, -1):
            t, e = saved[i]
            g = g * e
            g = g * (1 - t * t)
            g = g * c
        return s, g

    return fwd, step


def check(impl, case, quick):
    if impl == "numpy":
        s, g = _np_fns()[1]()
        return {"loss": np.asarray(s), "grad": g}
    lib = load(impl)
    x, fwd, _ = _lib_fns(lib)
    s = fwd()
    s.backward()
    return {"loss": s.detach().numpy().copy(), "grad": x.grad.numpy().copy()}


def measure(impl, case, quick):
    reps, warm = (20, 5) if quick else (300, 30)
    if impl == "numpy":
        fwd, step = _np_fns()
    else:
        _, fwd, step = _lib_fns(load(impl))
    f = median(timed(fwd, reps, warm))
    fb = median(timed(step, reps, warm))
    return {"fwd": f / N_OPS * 1e6, "fwd+bwd": fb / N_OPS * 1e6}
