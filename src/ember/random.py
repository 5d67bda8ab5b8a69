"""Random numbers: ``Generator``, ``manual_seed`` and the random factories.

Ember's streams are NumPy's PCG64; they are reproducible under ``manual_seed`` but
are not PyTorch's Mersenne-Twister streams (the same seed gives other numbers).
"""

from __future__ import annotations

from . import dtypes as _dt
from .backend import np
from .creation import _finish, _size
from .tensor import Tensor


class Generator:
    """A source of random numbers with its own state (``manual_seed``, ``get_state``)."""

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Reset the generator to the stream of ``seed``; returns the generator."""
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        """Re-seed from a non-deterministic source and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last set."""
        return self._seed

    def get_state(self):
        """The generator's state (to restore with ``set_state``)."""
        import pickle

        from .creation import tensor

        raw = np.frombuffer(pickle.dumps(self._rng.bit_generator.state), dtype=np.uint8)
        return tensor(raw.copy(), dtype=_dt.uint8)

    def set_state(self, state):
        """Restore a state from ``get_state``."""
        import pickle

        self._rng.bit_generator.state = pickle.loads(state.numpy().tobytes())  # noqa: S301
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and so every random factory without ``generator=``)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(state):
    """Restore the default generator's state."""
    default_generator.set_state(state)


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dtype(dtype):
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return d.np


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Uniform samples on [0, 1)."""
    d = _float_dtype(dtype)
    return _finish(_rng(generator).random(_size(size)).astype(d), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Standard normal samples."""
    d = _float_dtype(dtype)
    return _finish(_rng(generator).standard_normal(_size(size)).astype(d), requires_grad, device)


def randint(
    low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
):
    """Integers uniform on [low, high); int64 by default."""
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = _dt.as_dtype(dtype).np if dtype is not None else np.int64
    return _finish(
        _rng(generator).integers(low, high, _size((size,))).astype(d), requires_grad, device
    )


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    d = _dt.as_dtype(dtype).np if dtype is not None else np.int64
    return _finish(_rng(generator).permutation(n).astype(d), requires_grad, device)


def rand_like(input, *, dtype=None, generator=None, requires_grad=False):
    """``rand`` with ``input``'s shape and dtype."""
    return rand(
        *input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad
    )


def randn_like(input, *, dtype=None, generator=None, requires_grad=False):
    """``randn`` with ``input``'s shape and dtype."""
    return randn(
        *input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad
    )


def randint_like(input, low=0, high=None, *, dtype=None, generator=None):
    """``randint`` with ``input``'s shape."""
    return randint(low, high, input.shape, dtype=dtype or input.dtype, generator=generator)


def normal(
    mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False, out=None
):
    """Normal samples with the given mean and std (numbers or tensors, broadcast)."""
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        like = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        data = (rng.standard_normal(shape) * s + m).astype(like._data.dtype)
        return _finish(data, requires_grad)
    if size is None:
        raise TypeError("normal() missing required argument 'size'")
    d = _float_dtype(dtype)
    return _finish((rng.standard_normal(_size((size,))) * std + mean).astype(d), requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``), else 0, in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    data = (_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return _finish(data, False)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Sample category indices from (unnormalised) probabilities along the last dimension."""
    probs = np.asarray(input._data, dtype=np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    rng = _rng(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        p = row / row.sum()
        out[i] = rng.choice(len(p), size=num_samples, replace=replacement, p=p)
    return _finish(out.reshape(probs.shape[:-1] + (num_samples,)), False)


# ----- in-place random fills (methods) --------------------------------------------------
def _fill(t, data, name):
    from .ops.inplace import bump_version, check_inplace

    check_inplace(t)
    t._data[...] = data
    bump_version(t, name)
    return t


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples uniform on [a, b)."""
    return _fill(self, _rng(generator).uniform(a, b, self._data.shape), "uniform_")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    return _fill(self, _rng(generator).normal(mean, std, self._data.shape), "normal_")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples (1 with probability ``p``)."""
    return _fill(self, _rng(generator).random(self._data.shape) < p, "bernoulli_")


def random_(self, low=0, high=None, *, generator=None):
    """Fill with integers uniform on [low, high)."""
    if high is None:
        low, high = 0, low if low else 2**24
    return _fill(self, _rng(generator).integers(low, high, self._data.shape), "random_")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    return _fill(self, _rng(generator).exponential(1 / lambd, self._data.shape), "exponential_")


METHODS = {
    "uniform_": "uniform_",
    "normal_": "normal_",
    "bernoulli_": "bernoulli_",
    "random_": "random_",
    "exponential_": "exponential_",
}
Tensor.bernoulli = lambda self, p=None, generator=None: bernoulli(self, p, generator=generator)
Tensor.multinomial = multinomial
