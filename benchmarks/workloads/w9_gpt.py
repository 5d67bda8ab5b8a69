"""W9 mini-GPT training step: vocab 65, context 64, 2 layers, 4 heads, d_model 128, float32.

Token and position embeddings, pre-LayerNorm blocks with causal self-attention written by
hand (one ``Linear(d, 3d)``, ``split``, ``view``/``transpose``, ``q @ k^T * scale``,
``masked_fill`` with a ``tril`` mask, softmax, ``@ v``) and a GELU MLP, a final LayerNorm,
a linear head, cross-entropy over every position; batch 16, one AdamW step. The case
``W9 sdpa`` runs the same model through ``F.scaled_dot_product_attention`` where the
library has it.
"""

from __future__ import annotations

import math

import numpy as np

from ..common import Unavailable, get, load, median, set_params, timed, train_check
from ._np_kit import Adam, cross_entropy
from ._np_kit import train_check as np_train_check

TITLE = "mini-GPT step: 2 layers, 4 heads, d 128, context 64, batch 16, AdamW"
METRICS = {"step": "ms/step"}
TARGETS = {"step": ("torch", 1.5)}
VOCAB, CTX, LAYERS, HEADS, D = 65, 64, 2, 4, 128
LR, WEIGHT_DECAY = 1e-3, 0.01
# Adam scales every step to about lr whatever the gradient's size, so float32 rounding noise
# in a near-zero gradient (the key bias's gradient is zero in exact arithmetic: softmax
# ignores a shift shared by a row) becomes a visible parameter difference: the parameters
# after several steps are compared in float64, where the implementations agree to rounding.
CHECK_TOL = {"float64.": {"rtol": 1e-7, "atol": 1e-9}}
SDPA = "nn.functional.scaled_dot_product_attention"


def cases(quick):
    size = {"batch": 2, "seq": 16} if quick else {"batch": 16, "seq": CTX}
    return [dict(size, id="W9", sdpa=False), dict(size, id="W9 sdpa", sdpa=True)]


def check_cases(quick):
    """Both attention paths are checked (a library without SDPA skips the second)."""
    return cases(quick)


def _shapes():
    s = {"tok_emb.weight": (VOCAB, D), "pos_emb.weight": (CTX, D)}
    for i in range(LAYERS):
        b = f"blocks.{i}."
        s.update({b + "ln_1.weight": (D,), b + "ln_1.bias": (D,)})
        s.update({b + "attn.c_attn.weight": (3 * D, D), b + "attn.c_attn.bias": (3 * D,)})
        s.update({b + "attn.c_proj.weight": (D, D), b + "attn.c_proj.bias": (D,)})
        s.update({b + "ln_2.weight": (D,), b + "ln_2.bias": (D,)})
        s.update({b + "mlp.c_fc.weight": (4 * D, D), b + "mlp.c_fc.bias": (4 * D,)})
        s.update({b + "mlp.c_proj.weight": (D, 4 * D), b + "mlp.c_proj.bias": (D,)})
    s.update({"ln_f.weight": (D,), "ln_f.bias": (D,), "lm_head.weight": (VOCAB, D)})
    return s


def _data(batch, seq, dtype):
    """Parameters (GPT-style N(0, 0.02); LayerNorm near 1 and 0), tokens and targets."""
    rng = np.random.default_rng(9)
    params = {}
    for name, shape in _shapes().items():
        if ".ln_" in name or name.startswith("ln_"):
            base = 1.0 if name.endswith("weight") else 0.0
            params[name] = (base + 0.1 * rng.standard_normal(shape)).astype(dtype)
        else:
            params[name] = (0.02 * rng.standard_normal(shape)).astype(dtype)
    tokens = rng.integers(0, VOCAB, (batch, seq + 1))
    return params, tokens[:, :-1].copy(), tokens[:, 1:].copy()


def _gpt_class(lib, use_sdpa):
    nn = lib.nn
    F = nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(D, 3 * D)
            self.c_proj = nn.Linear(D, D)
            self.register_buffer("mask", lib.tril(lib.ones(CTX, CTX)).view(1, 1, CTX, CTX))

        def forward(self, x):
            b, t, c = x.size()
            q, k, v = self.c_attn(x).split(D, dim=2)
            q = q.view(b, t, HEADS, c // HEADS).transpose(1, 2)
            k = k.view(b, t, HEADS, c // HEADS).transpose(1, 2)
            v = v.view(b, t, HEADS, c // HEADS).transpose(1, 2)
            if use_sdpa:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
                att = F.softmax(att, dim=-1)
                y = att @ v
            y = y.transpose(1, 2).contiguous().view(b, t, c)
            return self.c_proj(y)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(D, 4 * D)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * D, D)

        def forward(self, x):
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(D)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(D)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = nn.Embedding(VOCAB, D)
            self.pos_emb = nn.Embedding(CTX, D)
            self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
            self.ln_f = nn.LayerNorm(D)
            self.lm_head = nn.Linear(D, VOCAB, bias=False)

        def forward(self, idx, targets):
            t = idx.size(1)
            x = self.tok_emb(idx) + self.pos_emb(lib.arange(t))
            for block in self.blocks:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, VOCAB), targets.view(-1))

    return GPT


class LibW9:
    """The model as a user writes it, run with ``lib`` = ember or torch."""

    def __init__(self, lib, batch, seq, use_sdpa, dtype):
        if use_sdpa and get(lib, SDPA) is None:
            raise Unavailable(f"{lib.__name__} has no F.scaled_dot_product_attention")
        params, idx, targets = _data(batch, seq, dtype)
        self.model = _gpt_class(lib, use_sdpa)().to(getattr(lib, np.dtype(dtype).name))
        set_params(lib, self.model, params)
        self.idx, self.targets = lib.tensor(idx), lib.tensor(targets)
        self.opt = lib.optim.AdamW(self.model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)

    def loss(self):
        return self.model(self.idx, self.targets)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def check(self, steps):
        return train_check(self.step, self.model, steps)


def _ln_fwd(x, w, b):
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + 1e-5)
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd, w)


def _ln_bwd(dy, cache):
    xhat, rstd, w = cache
    dw = (dy * xhat).sum(axis=(0, 1))
    db = dy.sum(axis=(0, 1))
    dxh = dy * w
    m1 = dxh.mean(axis=-1, keepdims=True)
    m2 = (dxh * xhat).mean(axis=-1, keepdims=True)
    return rstd * (dxh - m1 - xhat * m2), dw, db


def _heads(a, b, t):
    """(B, T, C) -> (B, heads, T, C / heads)."""
    return a.reshape(b, t, HEADS, -1).transpose(0, 2, 1, 3)


def _merge(a, b, t):
    """(B, heads, T, C / heads) -> (B * T, C), contiguous."""
    return a.transpose(0, 2, 1, 3).reshape(b * t, -1)


class NumpyW9:
    """Forward and backward derived by hand; GELU's erf from SciPy (NumPy has none)."""

    def __init__(self, batch, seq, dtype):
        try:
            from scipy.special import erf
        except ImportError:
            raise Unavailable("the NumPy floor needs scipy.special.erf for GELU") from None
        self.erf = erf
        self.p, self.idx, self.targets = _data(batch, seq, dtype)
        self.names = list(self.p)
        params = [self.p[k] for k in self.names]
        self.opt = Adam(params, LR, (0.9, 0.999), 1e-8, WEIGHT_DECAY, True)
        self.onehot = np.eye(VOCAB, dtype=dtype)[self.idx.reshape(-1)]
        self.upper = ~np.tri(seq, dtype=bool)

    def loss_and_grads(self):
        p, erf = self.p, self.erf
        b, t = self.idx.shape
        scale = 1.0 / math.sqrt(D // HEADS)
        x = p["tok_emb.weight"][self.idx] + p["pos_emb.weight"][:t]
        caches = []
        for i in range(LAYERS):
            pre = f"blocks.{i}."
            h1, ln1 = _ln_fwd(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"])
            h1 = h1.reshape(b * t, D)
            qkv = h1 @ p[pre + "attn.c_attn.weight"].T + p[pre + "attn.c_attn.bias"]
            qkv = qkv.reshape(b, t, 3 * D)
            q, k, v = (_heads(qkv[..., j * D : (j + 1) * D], b, t) for j in range(3))
            s = (q @ k.transpose(0, 1, 3, 2)) * scale
            s[:, :, self.upper] = -np.inf
            s -= s.max(axis=-1, keepdims=True)
            att = np.exp(s)
            att /= att.sum(axis=-1, keepdims=True)
            y = _merge(att @ v, b, t)
            x = x + (y @ p[pre + "attn.c_proj.weight"].T + p[pre + "attn.c_proj.bias"]).reshape(
                b, t, D
            )
            h2, ln2 = _ln_fwd(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"])
            h2 = h2.reshape(b * t, D)
            f = h2 @ p[pre + "mlp.c_fc.weight"].T + p[pre + "mlp.c_fc.bias"]
            cdf = 0.5 * (1.0 + erf(f * (1 / math.sqrt(2))))
            gl = f * cdf
            m = gl @ p[pre + "mlp.c_proj.weight"].T + p[pre + "mlp.c_proj.bias"]
            x = x + m.reshape(b, t, D)
            caches.append((h1, ln1, q, k, v, att, y, h2, ln2, f, cdf, gl))
        xf, lnf = _ln_fwd(x, p["ln_f.weight"], p["ln_f.bias"])
        xf = xf.reshape(b * t, D)
        loss, dlogits = cross_entropy(xf @ p["lm_head.weight"].T, self.targets.reshape(-1))
        g = {"lm_head.weight": dlogits.T @ xf}
        dx, g["ln_f.weight"], g["ln_f.bias"] = _ln_bwd(
            (dlogits @ p["lm_head.weight"]).reshape(b, t, D), lnf
        )
        for i in range(LAYERS - 1, -1, -1):
            pre = f"blocks.{i}."
            h1, ln1, q, k, v, att, y, h2, ln2, f, cdf, gl = caches[i]
            dm = dx.reshape(b * t, D)
            g[pre + "mlp.c_proj.weight"] = dm.T @ gl
            g[pre + "mlp.c_proj.bias"] = dm.sum(axis=0)
            pdf = np.exp(-0.5 * f * f) * (1 / math.sqrt(2 * math.pi))
            df = (dm @ p[pre + "mlp.c_proj.weight"]) * (cdf + f * pdf)
            g[pre + "mlp.c_fc.weight"] = df.T @ h2
            g[pre + "mlp.c_fc.bias"] = df.sum(axis=0)
            dh2 = (df @ p[pre + "mlp.c_fc.weight"]).reshape(b, t, D)
            dxl, g[pre + "ln_2.weight"], g[pre + "ln_2.bias"] = _ln_bwd(dh2, ln2)
            dx = dx + dxl
            da = dx.reshape(b * t, D)
            g[pre + "attn.c_proj.weight"] = da.T @ y
            g[pre + "attn.c_proj.bias"] = da.sum(axis=0)
            dy = _heads((da @ p[pre + "attn.c_proj.weight"]).reshape(b, t, D), b, t)
            datt = dy @ v.transpose(0, 1, 3, 2)
            dv = att.transpose(0, 1, 3, 2) @ dy
            ds = att * (datt - (datt * att).sum(axis=-1, keepdims=True))
            ds *= scale
            dq = ds @ k
            dk = ds.transpose(0, 1, 3, 2) @ q
            dqkv = np.concatenate([_merge(a, b, t) for a in (dq, dk, dv)], axis=1)
            g[pre + "attn.c_attn.weight"] = dqkv.T @ h1
            g[pre + "attn.c_attn.bias"] = dqkv.sum(axis=0)
            dh1 = (dqkv @ p[pre + "attn.c_attn.weight"]).reshape(b, t, D)
            dxl, g[pre + "ln_1.weight"], g[pre + "ln_1.bias"] = _ln_bwd(dh1, ln1)
            dx = dx + dxl
        dx = dx.reshape(b * t, D)
        g["tok_emb.weight"] = self.onehot.T @ dx
        pos = np.zeros((CTX, D), dtype=dx.dtype)
        pos[:t] = dx.reshape(b, t, D).sum(axis=0)
        g["pos_emb.weight"] = pos
        return loss, [g[k] for k in self.names]

    def step(self):
        loss, grads = self.loss_and_grads()
        self.opt.step(grads)
        return loss, grads

    def check(self, steps):
        return np_train_check(self.step, self.p, steps)


def _model(impl, case, dtype=np.float32):
    if impl == "numpy":  # the floor does not depend on how a library spells attention
        return NumpyW9(case["batch"], case["seq"], dtype)
    return LibW9(load(impl), case["batch"], case["seq"], case["sdpa"], dtype)


def check(impl, case, quick):
    """float32: loss and gradients of one step; float64: three AdamW steps' trajectory."""
    out = {f"float32.{k}": v for k, v in _model(impl, case).check(1).items() if k[0] != "p"}
    out.update({f"float64.{k}": v for k, v in _model(impl, case, np.float64).check(3).items()})
    return out


def step_fn(impl, case):
    """One training step and (for a library) the forward pass alone, for profiling."""
    m = _model(impl, case)
    return m.step, getattr(m, "loss", None)


def measure(impl, case, quick):
    if impl == "numpy" and case["sdpa"]:
        raise Unavailable("the floor is the W9 row's")
    m = _model(impl, case)
    reps, warm = (2, 1) if quick else (10, 2)
    return {"step": median(timed(m.step, reps, warm)) * 1e3}


def note(impl):
    if impl != "ember":
        return ""
    lib = load(impl)
    return "hand-written attention" + ("; F.scaled_dot_product_attention" if get(lib, SDPA) else "")
