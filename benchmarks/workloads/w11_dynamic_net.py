"""W11 dynamic control flow: a polynomial fit whose forward reuses one weight a random
number of times per step, 2000 points, MSE (sum), SGD with momentum.

``y = a + b x + c x^2 + d x^3`` plus ``e x^4`` and ``e x^5`` for a random choice of
0, 1 or 2 extra terms per step, all with the same parameter ``e``: each step builds a
different graph. The random choices are drawn once from a seed, so every implementation
runs the same sequence of graphs.
"""

from __future__ import annotations

import math

import numpy as np

from ..common import load, median, timed, to_numpy
from ._np_kit import SGD

TITLE = "dynamic net: polynomial reusing one weight 0-2 times per step, 2000 points, SGD"
METRICS = {"steps": "ms/100 steps"}
TARGETS = {"steps": ("torch", 1.0)}
POINTS = 2000
LR, MOMENTUM = 1e-8, 0.9
BLOCK = 100  # steps per timed block
NAMES = ("a", "b", "c", "d", "e")


def cases(quick):
    return [{"id": "W11", "blocks": 2 if quick else 25}]


def _data(n_steps):
    """Initial parameters (0-d float32), the curve to fit and each step's top exponent."""
    rng = np.random.default_rng(11)
    params = {k: np.float32(rng.standard_normal()) for k in NAMES}
    x = np.linspace(-math.pi, math.pi, POINTS, dtype=np.float32)
    return params, x, np.sin(x), rng.integers(4, 7, n_steps)


class LibW11:
    """The model as a user writes it, run with ``lib`` = ember or torch."""

    def __init__(self, lib, n_steps):
        params, x, y, self.tops = _data(n_steps)
        self.lib = lib
        self.params = [lib.nn.Parameter(lib.tensor(params[k])) for k in NAMES]
        self.x, self.y = lib.tensor(x), lib.tensor(y)
        self.loss_fn = lib.nn.MSELoss(reduction="sum")
        self.opt = lib.optim.SGD(self.params, lr=LR, momentum=MOMENTUM)
        self.i = 0

    def forward(self, top):
        a, b, c, d, e = self.params
        x = self.x
        y = a + b * x + c * x**2 + d * x**3
        for exp in range(4, top):
            y = y + e * x**exp
        return y

    def loss(self):
        top = int(self.tops[self.i % len(self.tops)])
        self.i += 1
        return self.loss_fn(self.forward(top), self.y)

    def step(self):
        loss = self.loss()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss

    def block(self):
        for _ in range(BLOCK):
            self.step()

    def check(self, steps):
        loss = self.step()
        out = {"loss": to_numpy(loss)}
        # A step that leaves ``e`` out gives it no gradient (None): report it as zero.
        out.update({f"grad.{k}": _grad(p) for k, p in zip(NAMES, self.params)})
        for _ in range(steps - 1):
            self.step()
        out.update({f"param.{k}": to_numpy(p) for k, p in zip(NAMES, self.params)})
        return out


def _grad(p):
    return np.zeros((), np.float32) if p.grad is None else to_numpy(p.grad)


class NumpyW11:
    """The same fit with the gradient derived by hand. The powers of x are computed every
    step, as the model's forward does, by repeated multiplication: NumPy's ``x**k`` for an
    integer k >= 3 calls the C library's ``pow`` per element, dozens of times slower."""

    def __init__(self, n_steps):
        params, self.x, self.y, self.tops = _data(n_steps)
        self.params = [np.array(params[k]) for k in NAMES]
        self.opt = SGD(self.params, LR, MOMENTUM)
        self.i = 0

    def step(self):
        top = int(self.tops[self.i % len(self.tops)])
        self.i += 1
        a, b, c, d, e = self.params
        x = self.x
        pw = [None, x]
        for _ in range(2, top):
            pw.append(pw[-1] * x)
        extra = sum(pw[k] for k in range(4, top)) if top > 4 else None
        y = a + b * pw[1] + c * pw[2] + d * pw[3]
        if extra is not None:
            y = y + e * extra
        r = y - self.y
        loss = np.sum(r * r)
        g = 2 * r
        grads = [np.array(g.sum()), np.array(g @ pw[1]), np.array(g @ pw[2])]
        grads.append(np.array(g @ pw[3]))
        # Unused, ``e`` has no gradient: the optimizer skips it (its momentum too).
        grads.append(np.array(g @ extra) if extra is not None else None)
        self.opt.step(grads)
        return loss, grads

    def block(self):
        for _ in range(BLOCK):
            self.step()

    def check(self, steps):
        loss, grads = self.step()
        out = {"loss": np.asarray(loss)}
        zero = np.zeros((), np.float32)
        out.update({f"grad.{k}": zero if g is None else g for k, g in zip(NAMES, grads)})
        for _ in range(steps - 1):
            self.step()
        out.update({f"param.{k}": p.copy() for k, p in zip(NAMES, self.params)})
        return out


def _model(impl, n_steps):
    if impl == "numpy":
        return NumpyW11(n_steps)
    return LibW11(load(impl), n_steps)


def check(impl, case, quick):
    return _model(impl, 20).check(20)


def step_fn(impl, case):
    """One training step and (for a library) the forward pass alone, for profiling."""
    m = _model(impl, 10_000)
    return m.step, getattr(m, "loss", None)


def measure(impl, case, quick):
    reps, warm = case["blocks"], 1
    m = _model(impl, (reps + warm) * BLOCK)
    return {"steps": median(timed(m.block, reps, warm)) * 1e3}
