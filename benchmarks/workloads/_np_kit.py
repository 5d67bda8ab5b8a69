"""Hand-written NumPy pieces shared by the W8-W11 floors: LSTM steps, losses, optimizers.

Each backward is derived by hand; the optimizers follow PyTorch's documented update rules
(single-tensor form), so the floors' parameters after a few steps match the libraries'.
"""

from __future__ import annotations

import math

import numpy as np


def sigmoid(x):
    """Logistic function without overflow warnings for large negative inputs."""
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def lstm_fwd(xg, h, c, w_hh):
    """One LSTM step from the input projection ``xg`` (biases included); (h, c, saved)."""
    gates = xg + h @ w_hh.T
    hs = h.shape[1]
    i = sigmoid(gates[:, :hs])
    f = sigmoid(gates[:, hs : 2 * hs])
    g = np.tanh(gates[:, 2 * hs : 3 * hs])
    o = sigmoid(gates[:, 3 * hs :])
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    return o * tc, c_new, (i, f, g, o, c, tc)


def lstm_bwd(dh, dc, saved, out):
    """Gradients through one LSTM step.

    Writes the pre-activation gradient into ``out`` (batch, 4*hidden) and returns the
    gradient of the previous cell state.
    """
    i, f, g, o, c, tc = saved
    hs = i.shape[1]
    dc = dc + dh * o * (1.0 - tc * tc)
    out[:, :hs] = dc * g * i * (1.0 - i)
    out[:, hs : 2 * hs] = dc * c * f * (1.0 - f)
    out[:, 2 * hs : 3 * hs] = dc * i * (1.0 - g * g)
    out[:, 3 * hs :] = dh * tc * o * (1.0 - o)
    return dc * f


class Buffers:
    """Large arrays kept from one step to the next, as a NumPy training loop would keep
    them: a fresh multi-megabyte array costs page faults on every step."""

    def __init__(self):
        self._arrays = {}

    def __call__(self, key, shape, dtype, zero=False):
        a = self._arrays.get(key)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self._arrays[key] = np.zeros(shape, dtype)
        elif zero:
            a.fill(0)
        return a


def cross_entropy(logits, y):
    """Mean cross-entropy over rows and its gradient with respect to ``logits``."""
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = (np.log(s[:, 0]) - z[rows, y]).mean()
    g = e / s
    g[rows, y] -= 1
    g /= n
    return logits.dtype.type(loss), g


class SGD:
    """``torch.optim.SGD`` with momentum (dampening 0, no weight decay); a None gradient
    skips its parameter, as PyTorch skips a parameter whose ``.grad`` is None."""

    def __init__(self, params, lr, momentum=0.0):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.bufs = [None] * len(params)

    def step(self, grads):
        for k, (p, g) in enumerate(zip(self.params, grads)):
            if g is None:
                continue
            if self.momentum:
                b = self.bufs[k]
                if b is None:
                    b = self.bufs[k] = g.copy()
                else:
                    b *= self.momentum
                    b += g
                g = b
            p -= self.lr * g


class Adam:
    """``torch.optim.Adam`` (``decoupled=False``) or ``AdamW`` (``decoupled=True``)."""

    def __init__(self, params, lr, betas, eps, weight_decay, decoupled):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.wd, self.decoupled = weight_decay, decoupled
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.zeros_like(p) for p in params]  # one scratch array each, kept
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self.tmp):
            if self.wd and self.decoupled:
                p *= 1 - self.lr * self.wd
            elif self.wd:
                g = g + self.wd * p
            m *= b1
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp /= math.sqrt(c2)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr / c1
            p -= tmp


def train_check(step, params, steps):
    """The NumPy counterpart of ``common.train_check``.

    ``step`` returns ``(loss, grads)`` with the gradients in the order of ``params``, a
    dict of parameter arrays updated in place.
    """
    loss, grads = step()
    out = {"loss": np.asarray(loss)}
    out.update({f"grad.{k}": g.copy() for k, g in zip(params, grads)})
    for _ in range(steps - 1):
        step()
    out.update({f"param.{k}": p.copy() for k, p in params.items()})
    return out
