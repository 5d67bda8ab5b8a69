"""Random numbers: ``Generator``, ``manual_seed`` and the random factories.

Ember's streams are NumPy's PCG64; they are reproducible under ``manual_seed`` but
are not PyTorch's Mersenne-Twister streams (the same seed gives other numbers).
"""

from __future__ import annotations

import contextlib
import threading

from . import dtypes as _dt
from .backend import np
from .creation import (
    _finish,
    _no_grad_dtype,
    _shape_arg,
    _size,
    _write_out,
    layout_and_pinning,
    not_implemented,
)
from .ops._binary import type_word
from .ops.registry import declare
from .tensor_base import TensorBase as Tensor

_SEED_MASK = 0xFFFFFFFFFFFFFFFF
_FIRST_DRAW = threading.Lock()


def _seed_value(seed) -> int:
    # PyTorch reads a seed as a signed or unsigned 64-bit integer; negatives wrap around.
    seed = int(seed)
    if not -(2**63) <= seed <= _SEED_MASK:
        raise ValueError("Overflow when unpacking long long")
    return seed & _SEED_MASK


class Generator:
    """A source of random numbers with its own state (``manual_seed``, ``get_state``)."""

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721

    def __getattr__(self, name):
        # NumPy's generator (and ``numpy.random`` behind it, a tenth of ``import ember``) is
        # made on the first draw; from then on it is an ordinary attribute.  Under a lock, so
        # that threads drawing first at once share one stream instead of each starting one.
        if name != "_rng" or "_seed" not in self.__dict__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        with _FIRST_DRAW:
            rng = self.__dict__.get("_rng")
            if rng is None:
                self._rng = rng = np.random.default_rng(self._seed)
        return rng

    def manual_seed(self, seed):
        """Reset the generator to the stream of ``seed``; returns the generator."""
        import builtins

        if not isinstance(seed, (builtins.int, np.integer)) and not hasattr(seed, "__index__"):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed = _seed_value(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Re-seed from a non-deterministic source and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & _SEED_MASK
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last set."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (to restore with ``set_state``)."""
        from .creation import tensor

        return tensor(_encode_state(self._seed, self._rng.bit_generator.state), dtype=_dt.uint8)

    def set_state(self, new_state):
        """Restore a state from ``get_state``."""
        _check_state(new_state)
        self._seed, state = _decode_state(new_state._data)
        self._rng.bit_generator.state = state
        return self


# A state is 45 bytes: the seed (8), PCG64's state and increment (16 each), and the
# buffered 32-bit half (1 + 4), little-endian.
_STATE_SIZE = 45


def _encode_state(seed, state):
    pcg = state["state"]
    raw = (
        seed.to_bytes(8, "little")
        + pcg["state"].to_bytes(16, "little")
        + pcg["inc"].to_bytes(16, "little")
        + bytes([state["has_uint32"]])
        + state["uinteger"].to_bytes(4, "little")
    )
    return np.frombuffer(raw, dtype=np.uint8).copy()


def _decode_state(array):
    raw = np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    state = {
        "bit_generator": "PCG64",
        "state": {
            "state": int.from_bytes(raw[8:24], "little"),
            "inc": int.from_bytes(raw[24:40], "little"),
        },
        "has_uint32": raw[40],
        "uinteger": int.from_bytes(raw[41:45], "little"),
    }
    return int.from_bytes(raw[:8], "little"), state


def _check_state(new_state):
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state.dtype is not _dt.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    if new_state.numel() != _STATE_SIZE:
        raise RuntimeError(
            f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG "
            f"state size to be {new_state.numel()}"
        )


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and so every random factory without ``generator=``)."""
    return default_generator.manual_seed(_seed_value(seed))


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):  # fmt: skip
    """Run a block with the random state saved before and restored after it.

    Only the CPU generator exists in Ember; naming accelerator ``devices`` raises as
    PyTorch's CPU-only build does.
    """
    from .amp.state import parse_device_type

    kind = parse_device_type(device_type)
    if kind == "cpu":
        raise AttributeError("module 'torch.cpu' has no attribute 'get_rng_state'")
    if not enabled:
        yield
        return
    if devices:  # a non-empty list of accelerator devices to fork
        from .cuda._errors import not_compiled

        raise not_compiled()
    saved = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(saved)


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dtype(dtype, kernel):
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    if d.category < 2:
        raise not_implemented(kernel, d)
    return d


def _checked_grad(requires_grad, d):
    if requires_grad and d.category < 2:
        _no_grad_dtype()


def rand(*size, generator=None, out=None, dtype=None, device=None, requires_grad=False, **kw):
    """Uniform samples on [0, 1)."""
    shape = _size(size, "rand", kw)
    d = _float_dtype(dtype, "check_uniform_bounds")
    data = _rng(generator).random(shape)
    return _write_out(_finish(data.astype(d.np), requires_grad, device), out)


def randn(*size, generator=None, out=None, dtype=None, device=None, requires_grad=False, **kw):
    """Standard normal samples."""
    shape = _size(size, "randn", kw)
    d = _float_dtype(dtype, "normal_kernel_cpu")
    data = _rng(generator).standard_normal(shape)
    return _write_out(_finish(data.astype(d.np), requires_grad, device), out)


def _randint_data(rng, low, high, shape, d):
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    if d is _dt.bool and high > 2:
        raise RuntimeError("to - 1 is out of bounds for bool")
    return rng.integers(low, high, shape).astype(d.np)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, device=None,
            requires_grad=False, **kwargs):  # fmt: skip
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    layout_and_pinning("randint", kwargs)
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
        position = 2
    elif high is None and size is not None:  # randint(high, size=...)
        low, high = 0, low
        position = 2
    else:
        position = 3
    if size is None and high is not None:
        _shape_arg(high, "randint", 2)
    if high is None or size is None:
        raise TypeError(
            "randint() received an invalid combination of arguments - expected "
            "(int high, tuple of ints size) or (int low, int high, tuple of ints size)"
        )
    shape = _shape_arg(size, "randint", position)
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.int64
    _checked_grad(requires_grad, d)
    data = _randint_data(_rng(generator), int(low), int(high), shape, d)
    return _write_out(_finish(data, requires_grad, device), out)


def randperm(
    n, *, generator=None, out=None, dtype=None, device=None, requires_grad=False, **kwargs
):
    """A random permutation of 0..n-1."""
    layout_and_pinning("randperm", kwargs)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.int64
    _checked_grad(requires_grad, d)
    data = _rng(generator).permutation(int(n)).astype(d.np)
    return _write_out(_finish(data, requires_grad, device), out)


def rand_like(input, *, dtype=None, generator=None, device=None, requires_grad=False, **kw):
    """``rand`` with ``input``'s shape and dtype."""
    return rand(
        input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad
    )


def randn_like(input, *, dtype=None, generator=None, device=None, requires_grad=False, **kw):
    """``randn`` with ``input``'s shape and dtype."""
    return randn(
        input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad
    )


def randint_like(
    input, low=0, high=None, *, dtype=None, generator=None, device=None, requires_grad=False
):
    """``randint`` with ``input``'s shape and dtype: ``(t, high)`` or ``(t, low, high)``."""
    if high is None:
        low, high = 0, low
    d = _dt.as_dtype(dtype) if dtype is not None else input.dtype
    _checked_grad(requires_grad, d)
    data = _randint_data(_rng(generator), int(low), int(high), input._data.shape, d)
    return _finish(data, requires_grad)


def _check_std(std):
    bad = (std._data < 0).any() if isinstance(std, Tensor) else std < 0
    if bad:
        shown = std._data.min() if isinstance(std, Tensor) else std
        raise RuntimeError(f"normal expects std >= 0.0, but found std {shown:g}")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):  # fmt: skip
    """Normal samples with the given mean and std (numbers or tensors, broadcast together)."""
    rng = _rng(generator)
    _check_std(std)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        if isinstance(mean, Tensor) and isinstance(std, Tensor):
            like = mean if mean.dtype is std.dtype else None
            d = _dt.promote_types(mean.dtype, std.dtype)
        else:
            d = like.dtype
        if d.category < 2:
            raise not_implemented("normal_kernel_cpu", d)
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            from .ops._binary import broadcast_error

            raise broadcast_error(mean, std) from None
        data = (rng.standard_normal(shape) * s + m).astype(d.np)
        return _write_out(_finish(data, requires_grad, device), out)
    if size is None:
        raise TypeError(
            "normal() received an invalid combination of arguments - got (float, float), but "
            "expected a tensor mean or std, or a size"
        )
    shape = _shape_arg(size, "normal", 3)
    d = _float_dtype(dtype, "normal_kernel_cpu")
    data = (rng.standard_normal(shape) * std + mean).astype(d.np)
    return _write_out(_finish(data, requires_grad, device), out)


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``), else 0, in ``input``'s dtype."""
    if p is None:
        if input._data.dtype.kind != "f":
            raise not_implemented("bernoulli_tensor_cpu_p_", input.dtype)
        probs = input._data
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    else:
        _check_p(p)
        probs = p
    data = (_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return _write_out(_finish(data, False), out)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample category indices from (unnormalised) probabilities along the last dimension."""
    probs = np.asarray(input._data, dtype=np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = probs.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    rows = probs.reshape(-1, k)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    n = rows.shape[0]
    if replacement:
        # One searchsorted over all rows: row r's cumulative distribution is shifted by r.
        cdf = np.cumsum(rows / totals[:, None], axis=1)
        cdf[:, -1] = 1.0
        offsets = np.arange(n, dtype=np.float64)[:, None]
        u = rng.random((n, num_samples)) + offsets
        flat = np.searchsorted((cdf + offsets).ravel(), u.ravel(), side="right")
        idx = flat.reshape(n, num_samples) - (np.arange(n) * k)[:, None]
        idx = np.minimum(idx, k - 1)
    else:
        # Without replacement: the largest p / Exp(1) keys are a weighted sample.
        keys = rows / rng.exponential(size=rows.shape)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    data = idx.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))
    return _write_out(_finish(data, False), out)


# ----- in-place random fills (methods) --------------------------------------------------
def _fill(t, data, name):
    from .ops.inplace import check_inplace

    check_inplace(t)
    t._data[...] = data
    t._bump_version(name)
    return t


def _float_target(t, kernel):
    if t._data.dtype.kind not in "fc":
        raise not_implemented(kernel, t.dtype)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples uniform on [a, b)."""
    _float_target(self, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}"
        )
    return _fill(self, _rng(generator).uniform(a, b, self._data.shape), "uniform_")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    _float_target(self, "normal_kernel_cpu")
    _check_std(std)
    return _fill(self, _rng(generator).normal(mean, std, self._data.shape), "normal_")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples (1 with probability ``p``, a number or a tensor)."""
    if isinstance(p, Tensor):
        p = p._data
    else:
        _check_p(p)
    return _fill(self, _rng(generator).random(self._data.shape) < p, "bernoulli_")


def _random_bound(t):
    # random_() without bounds: every integer the dtype holds exactly.
    k = t._data.dtype
    if k.kind == "f":
        return 2 ** (np.finfo(k).nmant + 1) + 1
    if k.kind == "b":
        return 2
    return int(np.iinfo(k).max) + 1


def random_(self, low=0, high=None, *, generator=None):
    """Fill with integers uniform on [low, high) (``random_(high)``, or the dtype's range)."""
    if high is None:
        low, high = (0, low) if low else (0, _random_bound(self))
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = _rng(generator).integers(low, high - 1, self._data.shape, endpoint=True)
    return _fill(self, data, "random_")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    if self._data.dtype.kind not in "fc" and self._data.dtype.name != "bfloat16":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {type_word(self)}"
        )
    _float_target(self, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    return _fill(self, _rng(generator).exponential(1 / lambd, self._data.shape), "exponential_")


def _bernoulli_method(self, p=None, generator=None):
    """Bernoulli samples with probabilities ``self`` (or ``p``)."""
    return bernoulli(self, p, generator=generator)


_bernoulli_method.__name__ = "bernoulli"
# The Tensor methods that draw random numbers (the in-place fillers and two samplers).
for _fn in (uniform_, normal_, bernoulli_, random_, exponential_, multinomial):
    declare(None, _fn, methods=(_fn.__name__,), public=False)
declare(None, _bernoulli_method, methods=("bernoulli",), public=False)
