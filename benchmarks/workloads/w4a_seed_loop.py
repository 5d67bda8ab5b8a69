"""W4a seed loop: minimise x**2 - 2x + 1 with SGD, 500 steps on a 0-d tensor."""

from __future__ import annotations

import numpy as np

from ..common import SGD, load, median, path_note, timed, to_numpy

TITLE = "seed loop: x²-2x+1, SGD, 500 steps, 0-d"
METRICS = {"total": "ms/500 steps"}
TARGETS = {"total": ("torch", 0.25)}
LR = 0.01
X0 = -3.0


def cases(quick):
    return [{"id": "W4a", "steps": 50 if quick else 500}]


def _lib_run(lib, steps):
    x = lib.tensor(X0, requires_grad=True)
    opt = SGD(lib, [x], LR)
    first = {}
    for i in range(steps):
        opt.zero_grad()
        loss = x**2 - 2 * x + 1
        loss.backward()
        if i == 0:
            first = {"loss": to_numpy(loss), "grad": to_numpy(x.grad)}
        opt.step()
    return x, first


def _np_run(steps):
    x = np.array(X0, dtype=np.float32)
    lr = np.float32(LR)
    first = {}
    for i in range(steps):
        loss = x * x - 2 * x + 1
        grad = 2 * x - 2
        if i == 0:
            first = {"loss": loss, "grad": grad}
        x = x - lr * grad
    return x, first


def check(impl, case, quick):
    if impl == "numpy":
        x, first = _np_run(case["steps"])
        return dict(first, x=np.asarray(x))
    x, first = _lib_run(load(impl), case["steps"])
    return dict(first, x=to_numpy(x))


def measure(impl, case, quick):
    steps = case["steps"]
    if impl == "numpy":
        fn = lambda: _np_run(steps)  # noqa: E731
    else:
        lib = load(impl)
        fn = lambda: _lib_run(lib, steps)  # noqa: E731
    reps, warm = (2, 1) if quick else (15, 3)
    return {"total": median(timed(fn, reps, warm)) * 1e3}


def note(impl):
    return (
        ("optim.SGD" if "optim.SGD" in path_note(load(impl)) else "manual SGD")
        if impl == "ember"
        else ""
    )
