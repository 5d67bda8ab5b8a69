"""W8 two stacked LSTMCells (1->51, 51->51) + Linear(51, 1) over a sine sequence, float64.

The classic "predict the next value of a sine wave" model: a Python loop over time that
splits the input into columns, steps both cells and the linear head, concatenates the
outputs; MSE, backward, one SGD step. Batch 97, sequence 200.
"""

from __future__ import annotations

import numpy as np

from ..common import load, median, set_params, tensor, timed, train_check
from ._np_kit import SGD, Buffers, lstm_bwd, lstm_fwd
from ._np_kit import train_check as np_train_check

TITLE = "2 stacked LSTMCells, float64, batch 97, sequence 200, MSE, SGD step"
METRICS = {"step": "ms/step"}
TARGETS = {"step": ("torch", 1.2)}
# float64 all the way: the implementations agree to rounding, so check them tightly.
CHECK_TOL = {"rtol": 1e-9, "atol": 1e-12}
HIDDEN = 51
LR = 0.1
PERIOD = 20.0


def cases(quick):
    return [{"id": "W8", "batch": 97, "steps": 8 if quick else 200}]


def _data(batch, steps):
    """Parameters (PyTorch's default uniform bounds), inputs and next-value targets."""
    rng = np.random.default_rng(8)
    bound = 1.0 / np.sqrt(HIDDEN)
    shapes = {
        "lstm1.weight_ih": (4 * HIDDEN, 1),
        "lstm1.weight_hh": (4 * HIDDEN, HIDDEN),
        "lstm1.bias_ih": (4 * HIDDEN,),
        "lstm1.bias_hh": (4 * HIDDEN,),
        "lstm2.weight_ih": (4 * HIDDEN, HIDDEN),
        "lstm2.weight_hh": (4 * HIDDEN, HIDDEN),
        "lstm2.bias_ih": (4 * HIDDEN,),
        "lstm2.bias_hh": (4 * HIDDEN,),
        "linear.weight": (1, HIDDEN),
        "linear.bias": (1,),
    }
    params = {k: rng.uniform(-bound, bound, s) for k, s in shapes.items()}
    offsets = rng.integers(-4 * PERIOD, 4 * PERIOD, batch)
    wave = np.sin((np.arange(steps + 1) + offsets[:, None]) / PERIOD)
    return params, wave[:, :-1].copy(), wave[:, 1:].copy()


def _sequence_class(lib):
    nn, f64 = lib.nn, lib.float64

    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTMCell(1, HIDDEN, dtype=f64)
            self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN, dtype=f64)
            self.linear = nn.Linear(HIDDEN, 1, dtype=f64)

        def forward(self, x):
            n = x.size(0)
            h1 = lib.zeros(n, HIDDEN, dtype=f64)
            c1 = lib.zeros(n, HIDDEN, dtype=f64)
            h2 = lib.zeros(n, HIDDEN, dtype=f64)
            c2 = lib.zeros(n, HIDDEN, dtype=f64)
            outputs = []
            for x_t in x.split(1, dim=1):
                h1, c1 = self.lstm1(x_t, (h1, c1))
                h2, c2 = self.lstm2(h1, (h2, c2))
                outputs.append(self.linear(h2))
            return lib.cat(outputs, dim=1)

    return Sequence


class LibW8:
    """The model as a user writes it, run with ``lib`` = ember or torch."""

    def __init__(self, lib, batch, steps):
        params, x, y = _data(batch, steps)
        self.model = _sequence_class(lib)()
        set_params(lib, self.model, params)
        self.x, self.y = tensor(lib, x), tensor(lib, y)
        self.loss_fn = lib.nn.MSELoss()
        self.opt = lib.optim.SGD(self.model.parameters(), lr=LR)

    def loss(self):
        return self.loss_fn(self.model(self.x), self.y)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def check(self, steps):
        return train_check(self.step, self.model, steps)


class NumpyW8:
    """Forward and backward through time derived by hand; weight gradients as one GEMM each."""

    def __init__(self, batch, steps):
        self.p, self.x, self.y = _data(batch, steps)
        self.names = list(self.p)
        self.opt = SGD([self.p[k] for k in self.names], LR)
        self.buf = Buffers()

    def loss_and_grads(self):
        p, x, y = self.p, self.x, self.y
        n, steps = x.shape
        hs = HIDDEN
        w1h, w2i, w2h = p["lstm1.weight_hh"], p["lstm2.weight_ih"], p["lstm2.weight_hh"]
        wl = p["linear.weight"]
        xt = np.ascontiguousarray(x.T)  # (T, B)
        b1 = p["lstm1.bias_ih"] + p["lstm1.bias_hh"]
        xg1 = self.buf("xg1", (steps, n, 4 * hs), x.dtype)  # input projection, all steps
        np.multiply(xt[:, :, None], p["lstm1.weight_ih"][:, 0], out=xg1)
        xg1 += b1
        b2 = p["lstm2.bias_ih"] + p["lstm2.bias_hh"]
        h1 = c1 = h2 = c2 = np.zeros((n, hs))
        hist1 = self.buf("hist1", (steps + 1, n, hs), x.dtype)  # hist[t + 1] is h_t
        hist2 = self.buf("hist2", (steps + 1, n, hs), x.dtype)  # hist[0] stays zero
        saved1, saved2 = [], []
        for t in range(steps):
            h1, c1, s1 = lstm_fwd(xg1[t], h1, c1, w1h)
            h2, c2, s2 = lstm_fwd(h1 @ w2i.T + b2, h2, c2, w2h)
            hist1[t + 1], hist2[t + 1] = h1, h2
            saved1.append(s1)
            saved2.append(s2)
        out = hist2[1:] @ wl[0] + p["linear.bias"][0]  # (T, B)
        diff = out - y.T
        loss = np.mean(diff * diff)
        dout = diff * (2.0 / diff.size)
        g = {"linear.weight": (dout.reshape(-1) @ hist2[1:].reshape(-1, hs))[None]}
        g["linear.bias"] = np.array([dout.sum()])
        gates1 = self.buf("gates1", (steps, n, 4 * hs), x.dtype)
        gates2 = self.buf("gates2", (steps, n, 4 * hs), x.dtype)
        dh1_next = dh2_next = dc1 = dc2 = np.zeros((n, hs))
        for t in range(steps - 1, -1, -1):
            dh2 = dout[t][:, None] * wl[0] + dh2_next
            dc2 = lstm_bwd(dh2, dc2, saved2[t], gates2[t])
            dh2_next = gates2[t] @ w2h
            dc1 = lstm_bwd(gates2[t] @ w2i + dh1_next, dc1, saved1[t], gates1[t])
            dh1_next = gates1[t] @ w1h
        f1, f2 = gates1.reshape(-1, 4 * hs), gates2.reshape(-1, 4 * hs)
        g["lstm1.weight_ih"] = f1.T @ xt.reshape(-1, 1)
        g["lstm1.weight_hh"] = f1.T @ hist1[:-1].reshape(-1, hs)
        g["lstm1.bias_ih"] = f1.sum(axis=0)
        g["lstm1.bias_hh"] = g["lstm1.bias_ih"].copy()
        g["lstm2.weight_ih"] = f2.T @ hist1[1:].reshape(-1, hs)
        g["lstm2.weight_hh"] = f2.T @ hist2[:-1].reshape(-1, hs)
        g["lstm2.bias_ih"] = f2.sum(axis=0)
        g["lstm2.bias_hh"] = g["lstm2.bias_ih"].copy()
        return np.float64(loss), [g[k] for k in self.names]

    def step(self):
        loss, grads = self.loss_and_grads()
        self.opt.step(grads)
        return loss, grads

    def check(self, steps):
        return np_train_check(self.step, self.p, steps)


def _model(impl, case):
    if impl == "numpy":
        return NumpyW8(case["batch"], case["steps"])
    return LibW8(load(impl), case["batch"], case["steps"])


def check(impl, case, quick):
    return _model(impl, case).check(3)


def step_fn(impl, case):
    """One training step and (for a library) the forward pass alone, for profiling."""
    m = _model(impl, case)
    return m.step, getattr(m, "loss", None)


def measure(impl, case, quick):
    m = _model(impl, case)
    reps, warm = (2, 1) if quick else (10, 2)
    return {"step": median(timed(m.step, reps, warm)) * 1e3}
