"""W4b 1,000 dynamic graphs with data-dependent control flow, backward each."""

from __future__ import annotations

import numpy as np

from ..common import has, load, median, timed

TITLE = "1,000 dynamic graphs (while/if on values)"
METRICS = {"total": "ms/1000 graphs"}
TARGETS = {"total": ("torch", 0.5)}


def cases(quick):
    return [{"id": "W4b", "graphs": 50 if quick else 1000}]


def _values(n):
    return np.random.default_rng(4).standard_normal(n).astype(np.float32)


def _lib_run(lib, values):
    use_norm = has(lib, "Tensor.norm") if lib.__name__ == "ember" else True
    tensors = [lib.tensor(v, requires_grad=True) for v in values]

    def norm(b):
        return b.norm() if use_norm else (b * b).sum().sqrt()

    def run():
        for a in tensors:
            b = a * 2
            while norm(b) < 1000:
                b = b * 2
            c = b if b.sum() > 0 else 100 * b
            c.backward()

    return tensors, run


def _np_run(values):
    grads = np.empty_like(values)

    def run():
        for i, a in enumerate(values):
            b = a * np.float32(2)
            mult = np.float32(2)
            while np.sqrt(b * b) < 1000:
                b = b * np.float32(2)
                mult = mult * np.float32(2)
            if not b > 0:
                mult = mult * np.float32(100)
            grads[i] = mult

    return grads, run


def check(impl, case, quick):
    values = _values(case["graphs"])
    if impl == "numpy":
        grads, run = _np_run(values)
        run()
        return {"grad": grads}
    tensors, run = _lib_run(load(impl), values)
    run()
    return {"grad": np.array([t.grad.item() for t in tensors], dtype=np.float32)}


def measure(impl, case, quick):
    values = _values(case["graphs"])
    if impl == "numpy":
        _, run = _np_run(values)
        reps = (2, 1) if quick else (7, 1)
        return {"total": median(timed(run, *reps)) * 1e3}
    tensors, run = _lib_run(load(impl), values)

    def fresh():
        for t in tensors:
            t.grad = None
        run()

    reps = (2, 1) if quick else (7, 1)
    return {"total": median(timed(fresh, *reps)) * 1e3}


def note(impl):
    return (
        ("norm" if has(load(impl), "Tensor.norm") else "(b*b).sum().sqrt()")
        if impl == "ember"
        else ""
    )
