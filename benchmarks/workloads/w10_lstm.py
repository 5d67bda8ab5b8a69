"""W10 nn.LSTM (input 32, hidden 128, 2 layers, batch_first), linear head, CE, Adam; float32.

Sequence classification: batch 32, sequence 50, the head reads the last time step's
output (10 classes); one Adam step.
"""

from __future__ import annotations

import numpy as np

from ..common import load, median, set_params, tensor, timed, train_check
from ._np_kit import Adam, Buffers, cross_entropy, lstm_bwd, lstm_fwd
from ._np_kit import train_check as np_train_check

TITLE = "nn.LSTM 32->128 x2 layers, batch 32, sequence 50, CE, Adam step"
METRICS = {"step": "ms/step"}
TARGETS = {"step": ("torch", 1.5)}
INPUT, HIDDEN, LAYERS, CLASSES = 32, 128, 2, 10
LR = 1e-3
# Adam scales every step to about lr whatever the gradient's size, so float32 rounding noise
# in a near-zero gradient becomes a visible parameter difference: the parameters after
# several steps are compared in float64, where the implementations agree to rounding.
CHECK_TOL = {"float64.": {"rtol": 1e-7, "atol": 1e-9}}


def cases(quick):
    return [{"id": "W10", "batch": 8 if quick else 32, "steps": 6 if quick else 50}]


def _data(batch, steps, dtype=np.float32):
    """Parameters (PyTorch's default uniform bounds), inputs and class targets."""
    rng = np.random.default_rng(10)
    shapes = {}
    for layer in range(LAYERS):
        fan = INPUT if layer == 0 else HIDDEN
        shapes[f"lstm.weight_ih_l{layer}"] = (4 * HIDDEN, fan)
        shapes[f"lstm.weight_hh_l{layer}"] = (4 * HIDDEN, HIDDEN)
        shapes[f"lstm.bias_ih_l{layer}"] = (4 * HIDDEN,)
        shapes[f"lstm.bias_hh_l{layer}"] = (4 * HIDDEN,)
    bound = 1.0 / np.sqrt(HIDDEN)
    shapes.update({"head.weight": (CLASSES, HIDDEN), "head.bias": (CLASSES,)})
    params = {k: rng.uniform(-bound, bound, s).astype(dtype) for k, s in shapes.items()}
    x = rng.standard_normal((batch, steps, INPUT)).astype(dtype)
    y = rng.integers(0, CLASSES, batch)
    return params, x, y


def _classifier_class(lib):
    nn = lib.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(INPUT, HIDDEN, num_layers=LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, CLASSES)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    return Classifier


class LibW10:
    """The model as a user writes it, run with ``lib`` = ember or torch."""

    def __init__(self, lib, batch, steps, dtype=np.float32):
        params, x, y = _data(batch, steps, dtype)
        self.lib = lib
        self.model = _classifier_class(lib)().to(getattr(lib, np.dtype(dtype).name))
        set_params(lib, self.model, params)
        self.x, self.y = tensor(lib, x), lib.tensor(y)
        self.opt = lib.optim.Adam(self.model.parameters(), lr=LR)

    def loss(self):
        return self.lib.nn.functional.cross_entropy(self.model(self.x), self.y)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def check(self, steps):
        return train_check(self.step, self.model, steps)


class NumpyW10:
    """Layer by layer: one input-projection GEMM per layer, the recurrence step by step,
    backward through time by hand, weight gradients as one GEMM each."""

    def __init__(self, batch, steps, dtype=np.float32):
        self.p, self.x, self.y = _data(batch, steps, dtype)
        self.names = list(self.p)
        self.opt = Adam([self.p[k] for k in self.names], LR, (0.9, 0.999), 1e-8, 0.0, False)
        self.buf = Buffers()

    def loss_and_grads(self):
        p, hs = self.p, HIDDEN
        n, steps, _ = self.x.shape
        dt = self.x.dtype
        layer_in = np.ascontiguousarray(self.x.transpose(1, 0, 2))  # (T, B, F)
        caches = []
        for layer in range(LAYERS):
            sfx = f"_l{layer}"
            w_ih, w_hh = p["lstm.weight_ih" + sfx], p["lstm.weight_hh" + sfx]
            xg = self.buf(f"xg{layer}", (steps, n, 4 * hs), dt)
            np.matmul(layer_in, w_ih.T, out=xg)
            xg += p["lstm.bias_ih" + sfx] + p["lstm.bias_hh" + sfx]
            hist = self.buf(f"hist{layer}", (steps + 1, n, hs), dt)  # hist[0] stays zero
            h = c = hist[0]
            saved = []
            for t in range(steps):
                h, c, s = lstm_fwd(xg[t], h, c, w_hh)
                hist[t + 1] = h
                saved.append(s)
            caches.append((layer_in, hist, saved))
            layer_in = hist[1:]
        last = layer_in[-1]
        loss, dlogits = cross_entropy(last @ p["head.weight"].T + p["head.bias"], self.y)
        g = {"head.weight": dlogits.T @ last, "head.bias": dlogits.sum(axis=0)}
        d_out = self.buf("d_out", (steps, n, hs), dt, zero=True)  # gradient of the outputs
        d_out[-1] = dlogits @ p["head.weight"]
        for layer in range(LAYERS - 1, -1, -1):
            sfx = f"_l{layer}"
            layer_in, hist, saved = caches[layer]
            w_ih, w_hh = p["lstm.weight_ih" + sfx], p["lstm.weight_hh" + sfx]
            gates = self.buf(f"gates{layer}", (steps, n, 4 * hs), dt)
            dh_next = dc = np.zeros((n, hs), dtype=dt)
            for t in range(steps - 1, -1, -1):
                dc = lstm_bwd(d_out[t] + dh_next, dc, saved[t], gates[t])
                dh_next = gates[t] @ w_hh
            flat = gates.reshape(-1, 4 * hs)
            g["lstm.weight_ih" + sfx] = flat.T @ layer_in.reshape(steps * n, -1)
            g["lstm.weight_hh" + sfx] = flat.T @ hist[:-1].reshape(-1, hs)
            g["lstm.bias_ih" + sfx] = flat.sum(axis=0)
            g["lstm.bias_hh" + sfx] = g["lstm.bias_ih" + sfx].copy()
            if layer:
                np.matmul(gates, w_ih, out=d_out)
        return loss, [g[k] for k in self.names]

    def step(self):
        loss, grads = self.loss_and_grads()
        self.opt.step(grads)
        return loss, grads

    def check(self, steps):
        return np_train_check(self.step, self.p, steps)


def _model(impl, case, dtype=np.float32):
    if impl == "numpy":
        return NumpyW10(case["batch"], case["steps"], dtype)
    return LibW10(load(impl), case["batch"], case["steps"], dtype)


def check(impl, case, quick):
    """float32: loss and gradients of one step; float64: three Adam steps' trajectory."""
    out = {f"float32.{k}": v for k, v in _model(impl, case).check(1).items() if k[0] != "p"}
    out.update({f"float64.{k}": v for k, v in _model(impl, case, np.float64).check(3).items()})
    return out


def step_fn(impl, case):
    """One training step and (for a library) the forward pass alone, for profiling."""
    m = _model(impl, case)
    return m.step, getattr(m, "loss", None)


def measure(impl, case, quick):
    m = _model(impl, case)
    reps, warm = (2, 1) if quick else (15, 3)
    return {"step": median(timed(m.step, reps, warm)) * 1e3}
