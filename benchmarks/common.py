"""Helpers shared by the workloads: library loading, timing, memory, a small training kit.

Only the standard library is imported at module level, so that a worker measuring
import time (W7) has imported nothing heavy before it starts the clock.
"""

from __future__ import annotations

import os
import sys
import time

IMPLS = ("ember", "torch", "numpy")
SEED = 0
# The clock every timing uses: process CPU time by default (robust on a shared machine),
# or wall time; the worker sets it from the harness's ``--clock`` option.
clock = time.process_time


def set_clock(name):
    """Use ``"cpu"`` (process CPU time) or ``"wall"`` (perf_counter) for every timing."""
    global clock
    clock = time.process_time if name == "cpu" else time.perf_counter


class Unavailable(Exception):
    """The implementation cannot run this workload here (its note says why)."""


def load(impl):
    """The library module for ``impl`` (``None`` for hand-written NumPy)."""
    if impl == "numpy":
        return None
    if impl == "torch":
        try:
            import torch
        except ImportError:
            raise Unavailable("torch is not installed") from None
        torch.set_num_threads(1)
        return torch
    import ember

    return ember


def tensor(lib, array, requires_grad=False):
    """A tensor of ``lib`` holding a copy of the NumPy ``array``."""
    t = lib.tensor(array.copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_numpy(t):
    """A NumPy copy of a tensor (or array)."""
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "numpy"):
        return t.numpy().copy()
    import numpy as np

    return np.array(t)


def timed(fn, reps, warmup):
    """Run ``fn`` ``warmup + reps`` times; the durations in seconds of the last ``reps``."""
    now = clock
    out = []
    for i in range(warmup + reps):
        t0 = now()
        fn()
        t1 = now()
        if i >= warmup:
            out.append(t1 - t0)
    return out


def median(values):
    """The median of a non-empty sequence."""
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def peak_rss_mib():
    """Peak resident set size of this process so far, in MiB."""
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def reset_peak_rss():
    """Restart the peak-RSS count from the current RSS (Linux); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def single_thread_env(env=None):
    """A copy of ``env`` (default: ``os.environ``) pinned to one BLAS/OpenMP thread."""
    env = dict(os.environ if env is None else env)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[k] = "1"
    return env


# ----- a small training kit that runs on both Ember and PyTorch ---------------------------
def get(lib, dotted):
    """The attribute path ``dotted`` of ``lib`` (e.g. ``"nn.functional.conv2d"``), or None."""
    import importlib

    obj, name = lib, lib.__name__
    for part in dotted.split("."):
        name = f"{name}.{part}"
        nxt = getattr(obj, part, None)
        if nxt is None:
            try:
                nxt = importlib.import_module(name)
            except Exception:
                return None
        obj = nxt
    return obj


def has(lib, dotted):
    """True if ``lib`` has the attribute path ``dotted``."""
    return get(lib, dotted) is not None


class Linear:
    """A linear layer: ``lib.nn.Linear`` when ``lib`` has it, else raw parameter tensors."""

    def __init__(self, lib, weight, bias):
        self.lib = lib
        if has(lib, "nn.Linear"):
            self.module = get(lib, "nn.Linear")(weight.shape[1], weight.shape[0])
            self.module.weight.data = tensor(lib, weight)
            self.module.bias.data = tensor(lib, bias)
            self.weight, self.bias = self.module.weight, self.module.bias
        else:
            self.module = None
            self.weight = tensor(lib, weight, True)
            self.bias = tensor(lib, bias, True)

    def __call__(self, x):
        if self.module is not None:
            return self.module(x)
        return x @ self.weight.T + self.bias

    def parameters(self):
        return [self.weight, self.bias]


def cross_entropy(lib, logits, target, onehot):
    """Mean cross-entropy: ``F.cross_entropy`` when present, else log-softmax by hand."""
    ce = get(lib, "nn.functional.cross_entropy")
    if ce is not None:
        return ce(logits, target)
    if has(lib, "log_softmax") and has(lib, "gather"):
        logp = lib.log_softmax(logits, 1)
        return -logp.gather(1, target.reshape(-1, 1)).mean()
    # Shift by the (constant) row maximum: log-softmax does not depend on it.
    m = lib.tensor(to_numpy(logits).max(axis=1, keepdims=True))
    z = logits - m
    logp = z - z.exp().sum(1, keepdim=True).log()
    return -(logp * onehot).sum() / logits.shape[0]


class SGD:
    """Plain SGD: ``lib.optim.SGD`` when present, else the update by hand under no_grad."""

    def __init__(self, lib, params, lr):
        self.lib = lib
        self.params = list(params)
        self.lr = lr
        sgd = get(lib, "optim.SGD")
        self.opt = None if sgd is None else sgd(self.params, lr=lr)

    def zero_grad(self):
        if self.opt is not None:
            self.opt.zero_grad()
        else:
            for p in self.params:
                p.grad = None

    def step(self):
        if self.opt is not None:
            self.opt.step()
            return
        with self.lib.no_grad():
            for p in self.params:
                p -= self.lr * p.grad


def path_note(lib):
    """Which API path the Ember version took (nn / functional / by hand)."""
    parts = [
        "nn.Linear" if has(lib, "nn.Linear") else "matmul",
        "F.cross_entropy" if has(lib, "nn.functional.cross_entropy") else "manual CE",
        "optim.SGD" if has(lib, "optim.SGD") else "manual SGD",
    ]
    return "+".join(parts)


def set_params(lib, module, arrays):
    """Copy the NumPy ``arrays`` (keyed by parameter name) into ``module``'s parameters."""
    named = dict(module.named_parameters())
    if sorted(named) != sorted(arrays):
        raise ValueError(f"parameter names differ: {sorted(named)} vs {sorted(arrays)}")
    with lib.no_grad():
        for name, p in named.items():
            p.copy_(lib.tensor(arrays[name]))


def _named_arrays(module, prefix):
    out = {}
    for name, p in module.named_parameters():
        out[f"{prefix}.{name}"] = to_numpy(p if prefix == "param" else p.grad)
    return out


def train_check(step, module, steps):
    """Loss and gradients of the first ``step()``, parameters after ``steps`` of them.

    ``step`` runs one training step of ``module`` and returns the loss tensor; the keys
    are ``loss``, ``grad.<name>`` and ``param.<name>`` (PyTorch's parameter names).
    """
    loss = step()
    out = {"loss": to_numpy(loss)}
    out.update(_named_arrays(module, "grad"))
    for _ in range(steps - 1):
        step()
    out.update(_named_arrays(module, "param"))
    return out
