"""The MLP shared by W2 (speed) and W5 (memory): Ember/PyTorch code and a NumPy floor."""

from __future__ import annotations

import numpy as np

from ..common import SGD, Linear, cross_entropy, tensor, to_numpy

LR = 0.05


def make_data(sizes, batch, seed=0):
    """Weights (PyTorch's default uniform init), inputs and integer targets."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return params, x, y


class LibMLP:
    """The MLP written once, run with ``lib`` = ember or torch."""

    def __init__(self, lib, sizes, batch):
        params, x, y = make_data(sizes, batch)
        self.lib = lib
        self.layers = [Linear(lib, params[i], params[i + 1]) for i in range(0, len(params), 2)]
        self.params = [p for layer in self.layers for p in layer.parameters()]
        self.x = tensor(lib, x)
        self.y = lib.tensor(y)
        self.onehot = tensor(lib, np.eye(sizes[-1], dtype=np.float32)[y])
        self.opt = SGD(lib, self.params, LR)

    def loss(self):
        h = self.x
        for layer in self.layers[:-1]:
            h = self.lib.relu(layer(h))
        return cross_entropy(self.lib, self.layers[-1](h), self.y, self.onehot)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def check(self, steps=3):
        loss = self.loss()
        loss.backward()
        out = {"loss": to_numpy(loss)}
        out.update({f"grad{i}": to_numpy(p.grad) for i, p in enumerate(self.params)})
        self.opt.step()
        for _ in range(steps - 1):
            self.step()
        out.update({f"param{i}": to_numpy(p) for i, p in enumerate(self.params)})
        return out


class NumpyMLP:
    """Forward and backward derived by hand: the floor Ember is measured against."""

    def __init__(self, sizes, batch):
        self.params, self.x, self.y = make_data(sizes, batch)
        self.rows = np.arange(batch)

    def loss_and_grads(self):
        p, x = self.params, self.x
        n_layers = len(p) // 2
        acts = [x]
        h = x
        for i in range(n_layers):
            h = h @ p[2 * i].T
            h += p[2 * i + 1]
            if i < n_layers - 1:
                np.maximum(h, 0, out=h)
                acts.append(h)
        z = h - h.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        b = x.shape[0]
        loss = (np.log(s[:, 0]) - z[self.rows, self.y]).mean()
        g = e / s  # softmax
        g[self.rows, self.y] -= 1
        g /= b
        grads = [None] * len(p)
        for i in range(n_layers - 1, -1, -1):
            a = acts[i]
            grads[2 * i] = g.T @ a
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = g @ p[2 * i]
                g *= a > 0
        return np.float32(loss), grads

    def step(self):
        loss, grads = self.loss_and_grads()
        for w, g in zip(self.params, grads):
            g *= LR
            w -= g
        return loss

    def check(self, steps=3):
        loss, grads = self.loss_and_grads()
        out = {"loss": np.asarray(loss)}
        out.update({f"grad{i}": g.copy() for i, g in enumerate(grads)})
        for w, g in zip(self.params, grads):
            w -= LR * g
        for _ in range(steps - 1):
            self.step()
        out.update({f"param{i}": w.copy() for i, w in enumerate(self.params)})
        return out
