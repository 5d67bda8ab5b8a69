"""W3 CNN on 64x1x28x28: conv3x3(8)-ReLU-maxpool2-conv3x3(16)-ReLU-maxpool2-linear10, CE, SGD."""

from __future__ import annotations

import numpy as np

from ..common import SGD, Unavailable, cross_entropy, get, load, median, tensor, timed, to_numpy

TITLE = "CNN 64x1x28x28, 2 conv + pool, CE, SGD step"
METRICS = {"step": "ms/step"}
TARGETS = {"step": ("torch", 1.5)}
LR = 0.05


def cases(quick):
    return [{"id": "W3", "batch": 8 if quick else 64}]


def _data(batch):
    rng = np.random.default_rng(3)

    def u(shape, fan_in):
        b = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-b, b, shape).astype(np.float32)

    params = [
        u((8, 1, 3, 3), 9),
        u((8,), 9),
        u((16, 8, 3, 3), 72),
        u((16,), 72),
        u((10, 784), 784),
        u((10,), 784),
    ]
    x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    return params, x, y


class LibCNN:
    def __init__(self, lib, batch):
        conv, pool = get(lib, "nn.functional.conv2d"), get(lib, "nn.functional.max_pool2d")
        if conv is None or pool is None:
            raise Unavailable("needs ember.nn.functional.conv2d and max_pool2d")
        self.lib, self.conv, self.pool = lib, conv, pool
        params, x, y = _data(batch)
        self.params = [tensor(lib, p, True) for p in params]
        self.x, self.y = tensor(lib, x), lib.tensor(y)
        self.onehot = tensor(lib, np.eye(10, dtype=np.float32)[y])
        self.opt = SGD(lib, self.params, LR)

    def loss(self):
        w1, b1, w2, b2, w3, b3 = self.params
        lib = self.lib
        h = self.pool(lib.relu(self.conv(self.x, w1, b1, padding=1)), 2)
        h = self.pool(lib.relu(self.conv(h, w2, b2, padding=1)), 2)
        logits = h.reshape(h.shape[0], -1) @ w3.T + b3
        return cross_entropy(lib, logits, self.y, self.onehot)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()

    def check(self):
        loss = self.loss()
        loss.backward()
        out = {"loss": to_numpy(loss)}
        out.update({f"grad{i}": to_numpy(p.grad) for i, p in enumerate(self.params)})
        return out


def _conv_fwd(x, w, b):
    """3x3 convolution, padding 1, as one GEMM over an im2col view."""
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(2, 3))  # n,c,h,w,3,3
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2), cols


def _conv_bwd(g, cols, w, x_shape, need_dx):
    n, c, h, wd = x_shape
    gf = g.transpose(0, 2, 3, 1).reshape(n * h * wd, -1)
    dw = (gf.T @ cols).reshape(w.shape)
    db = gf.sum(axis=0)
    if not need_dx:
        return dw, db, None
    dcols = (gf @ w.reshape(w.shape[0], -1)).reshape(n, h, wd, c, 3, 3)
    dxp = np.zeros((n, c, h + 2, wd + 2), dtype=g.dtype)
    for i in range(3):
        for j in range(3):
            dxp[:, :, i : i + h, j : j + wd] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dw, db, dxp[:, :, 1:-1, 1:-1]


def _pool_fwd(x):
    """2x2 max pooling, stride 2; ties go to the first element of the window."""
    n, c, h, w = x.shape
    win = (
        x.reshape(n, c, h // 2, 2, w // 2, 2)
        .transpose(0, 1, 2, 4, 3, 5)
        .reshape(n, c, h // 2, w // 2, 4)
    )
    idx = win.argmax(axis=-1)
    return np.take_along_axis(win, idx[..., None], -1)[..., 0], idx


def _pool_bwd(g, idx, shape):
    n, c, h, w = shape
    d = np.zeros((n, c, h // 2, w // 2, 4), dtype=g.dtype)
    np.put_along_axis(d, idx[..., None], g[..., None], -1)
    return d.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


class NumpyCNN:
    def __init__(self, batch):
        self.params, self.x, self.y = _data(batch)

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        x, y = self.x, self.y
        n = x.shape[0]
        c1, cols1 = _conv_fwd(x, w1, b1)
        r1 = np.maximum(c1, 0)
        p1, i1 = _pool_fwd(r1)
        c2, cols2 = _conv_fwd(p1, w2, b2)
        r2 = np.maximum(c2, 0)
        p2, i2 = _pool_fwd(r2)
        f = p2.reshape(n, -1)
        z = f @ w3.T + b3
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = (np.log(s[:, 0]) - z[rows, y]).mean()
        g = e / s
        g[rows, y] -= 1
        g /= n
        dw3, db3 = g.T @ f, g.sum(axis=0)
        g = (g @ w3).reshape(p2.shape)
        g = _pool_bwd(g, i2, r2.shape) * (c2 > 0)
        dw2, db2, g = _conv_bwd(g, cols2, w2, p1.shape, True)
        g = _pool_bwd(g, i1, r1.shape) * (c1 > 0)
        dw1, db1, _ = _conv_bwd(g, cols1, w1, x.shape, False)
        return np.float32(loss), [dw1, db1, dw2, db2, dw3, db3]

    def step(self):
        _, grads = self.loss_and_grads()
        for w, g in zip(self.params, grads):
            w -= LR * g

    def check(self):
        loss, grads = self.loss_and_grads()
        out = {"loss": np.asarray(loss)}
        out.update({f"grad{i}": g for i, g in enumerate(grads)})
        return out


def _model(impl, case):
    if impl == "numpy":
        return NumpyCNN(case["batch"])
    return LibCNN(load(impl), case["batch"])


def check(impl, case, quick):
    return _model(impl, case).check()


def measure(impl, case, quick):
    m = _model(impl, case)
    reps, warm = (2, 1) if quick else (20, 3)
    return {"step": median(timed(m.step, reps, warm)) * 1e3}
