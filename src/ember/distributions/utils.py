"""Helpers shared by the distributions (``torch.distributions.utils``)."""

from __future__ import annotations

import functools
import operator

import ember

__all__ = [
    "broadcast_all",
    "logits_to_probs",
    "clamp_probs",
    "probs_to_logits",
    "lazy_property",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant

_NUMBERS = (bool, int, float, complex)


def broadcast_shapes(*shapes):
    """The broadcast of several shapes; RuntimeError as PyTorch's when they do not match."""
    out = []
    for shape in shapes:
        shape = tuple(shape)
        pad = len(shape) - len(out)
        if pad > 0:
            out = [1] * pad + out
        for i, n in enumerate(shape, start=len(out) - len(shape)):
            if out[i] == 1:
                out[i] = n
            elif n != 1 and n != out[i]:
                raise RuntimeError(
                    f"The size of tensor a ({out[i]}) must match the size of tensor b ({n}) "
                    f"at non-singleton dimension {i - len(out) + len(shape)}"
                )
    return ember.Size(out)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers take the first tensor's dtype.

    Raises ValueError when a value is neither a number nor a tensor.
    """
    if not all(isinstance(v, (ember.Tensor,) + _NUMBERS) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "torch.Tensor or objects implementing __torch_function__."
        )
    if not all(isinstance(v, ember.Tensor) for v in values):
        options = {"dtype": ember.get_default_dtype()}
        for v in values:
            if isinstance(v, ember.Tensor):
                options = {"dtype": v.dtype, "device": v.device}
                break
        values = [v if isinstance(v, ember.Tensor) else ember.tensor(v, **options) for v in values]
    return broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    """Standard normal noise from Ember's generator."""
    return ember.randn(tuple(shape), dtype=dtype, device=device)


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid for binary, softmax over the last dim otherwise."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp probabilities into [eps, 1 - eps] with the dtype's machine epsilon."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (log-odds for binary, log-probabilities otherwise)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(ps_clamped) - ember.log1p(-ps_clamped)
    return ember.log(ps_clamped)


def _forwarded(path, doc):
    """A read-only property whose value is the instance's attribute at the dotted ``path``."""
    return property(operator.attrgetter(path), doc=doc)


class lazy_property:  # noqa: N801 - PyTorch's name
    """A property computed on first access (with grad enabled), then cached on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):  # noqa: N801
    """Seen from the class: a property for documentation tools, a lazy_property for checks."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag, device):
    arange = ember.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The lower-triangular entries of (a batch of) square matrices, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of ``tril_matrix_to_vec``: a (batch of) lower-triangular matrices."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > ember.finfo(vec.dtype).eps:
        raise ValueError(
            f"The size of last dimension is {m} which cannot be expressed as "
            "the lower triangular part of a square D x D matrix."
        )
    n = round(n)
    mask = _tril_mask(n, diag, vec.device)
    flat = vec.reshape(-1, m)
    rows = ember.zeros(flat.shape[0], n * n, dtype=vec.dtype, device=vec.device)
    index = ember.nonzero(mask.reshape(-1)).reshape(1, -1).expand(flat.shape[0], -1)
    rows = rows.scatter(1, index, flat)
    return rows.reshape(vec.shape[:-1] + (n, n))


def _one_hot(indices, num_classes, dtype):
    """One-hot vectors of ``indices`` along a new last dim, in ``dtype``."""
    classes = ember.arange(num_classes, device=indices.device)
    return (indices.unsqueeze(-1) == classes).to(dtype)


def _is_number(value):
    return isinstance(value, _NUMBERS)


def _broadcast_params(*values):
    """``broadcast_all(*values)`` and PyTorch's batch shape for them (empty if all are numbers)."""
    tensors = broadcast_all(*values)
    numbers = all(_is_number(v) for v in values)
    return tensors, ember.Size() if numbers else tensors[0].size()


def _batch_shape_of(value, tensor):
    """PyTorch's rule: a plain number gives an empty batch shape, a tensor its own shape."""
    return ember.Size() if _is_number(value) else tensor.size()


def _fmt(value):
    """A tensor as PyTorch's f-strings show it: a 0-d tensor as its Python number."""
    if isinstance(value, ember.Tensor) and value.dim() == 0:
        return format(value.item(), "")
    return str(value)
