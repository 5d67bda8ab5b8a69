"""In-place update helpers shared by the optimizers: state buffers, step counters, version bumps.

Optimizers update raw arrays in place with no graph recorded; these helpers keep the
per-parameter state in PyTorch's form (tensors shaped like the parameter, a 0-d step count)
and tell autograd about every in-place write.
"""

from __future__ import annotations

from ..backend import np, xp_of
from ..dtypes import float64, get_default_dtype
from ..tensor import Tensor


def bump(t):
    """Record an in-place write to ``t`` (shared with its views)."""
    t._bump_version("an optimizer step", site=False)


def scalar_dtype():
    """The dtype of PyTorch's scalar state (step counts): float64 under a float64 default,
    float32 otherwise."""
    return np.float64 if get_default_dtype() is float64 else np.float32


def scalar_state(value):
    """A 0-d tensor of the scalar-state dtype holding ``value``."""
    return Tensor._make(np.asarray(value, dtype=scalar_dtype()))


def state_buffer(state, key, param, fill=0.0):
    """``state[key]``: a zero (or ``fill``) tensor shaped like ``param``, made on first use."""
    buf = state.get(key)
    if buf is None:
        xp = xp_of(param._data)
        arr = xp.zeros_like(param._data) if fill == 0 else xp.full_like(param._data, fill)
        buf = state[key] = Tensor._make(arr)
    return buf


def values(t, x):
    """``t`` in the form the step works on: its array, or the tensor itself when ``x`` (the
    parameter's values) is a tensor (a ``differentiable`` step, recorded by autograd)."""
    return t if isinstance(x, Tensor) else t._data


def buffer(state, key, param, x, fill=0.0):
    """``values(state_buffer(...), x)``: a state buffer in the form the step works on."""
    return values(state_buffer(state, key, param, fill), x)


def array_module(x):
    """The functions a step computes with: the array module of raw arrays, or Ember itself
    for tensors (a ``differentiable`` step)."""
    if isinstance(x, Tensor):
        import ember

        return ember
    return xp_of(x)


def maximum_(a, b):
    """``a = max(a, b)`` in place, returning ``a`` (computed from a copy of ``a`` when the
    step is recorded)."""
    if isinstance(a, Tensor):
        import ember

        a.copy_(ember.maximum(a.clone(), b))
    else:
        xp_of(a).maximum(a, b, out=a)
    return a


def clamp_(a, lo, hi):
    """Clamp ``a`` to ``[lo, hi]`` in place."""
    if isinstance(a, Tensor):
        a.clamp_(lo, hi)
    else:
        xp_of(a).clip(a, lo, hi, out=a)


def step_tensor(state):
    """Increment and return the step count kept as a 0-d tensor (as PyTorch keeps it)."""
    st = state.get("step")
    if st is None:
        st = state["step"] = scalar_state(0.0)
    st._data += 1
    return float(st._data)


def grad_of(p, maximize):
    """The gradient array of ``p`` (negated when maximizing), or None."""
    g = p._grad
    if g is None:
        return None
    d = g._data
    return -d if maximize else d


def value_of(x):
    """A hyper-parameter as a number: a one-element tensor (a tensor learning rate) gives a
    scalar of its own dtype, so the arithmetic on it rounds as PyTorch's does."""
    return x._data.reshape(())[()] if isinstance(x, Tensor) else x


_BLOCK = 1 << 16  # elements per block of add_scaled_


def add_scaled_(out, alpha, x):
    """``out += alpha * x`` in place, without a temporary as large as ``out``.

    Large contiguous arrays are updated in blocks through one small buffer, so a step on
    a 64 MiB weight does not allocate another 64 MiB.
    """
    if (
        out.size <= _BLOCK
        or out.shape != x.shape
        or not (out.flags.c_contiguous and x.flags.c_contiguous)
    ):
        out += alpha * x
        return
    xp = xp_of(out)
    o, v = out.reshape(-1), x.reshape(-1)
    buf = xp.empty(_BLOCK, dtype=out.dtype)
    for i in range(0, o.size, _BLOCK):
        t = buf[: min(_BLOCK, o.size - i)]
        xp.multiply(v[i : i + t.size], alpha, out=t)
        o[i : i + t.size] += t
