"""Matrix transposes as PyTorch's properties define them: ``mT`` (the last two dimensions
swapped), ``H``/``mH`` and ``adjoint()`` (also conjugated for complex tensors), and ``T``,
with PyTorch's errors for too few dimensions and its deprecation warnings for 0-d tensors.
"""

from __future__ import annotations

from ..autograd.callsite import warn
from ._spec import OpSpec
from .complex_ops import conj
from .registry import op, public_names


def _zero_d(name, hint):
    warn(f"{name} is deprecated on 0-D tensors. {hint}", UserWarning)


_IDENTITY = "This function is the identity in these cases."
_USE_CONJ = "Consider using x.conj()."


def _matrices(t, name):
    n = t._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.{name} is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )


def _swap_last_two(t, name, label, conjugate):
    """``t`` with its last two dimensions swapped (and conjugated), with PyTorch's error
    for fewer than two dimensions (naming ``name``) and its 0-d warning (naming ``label``)."""
    if t._data.ndim == 0:
        _zero_d(label, _USE_CONJ if conjugate else _IDENTITY)
        return conj(t) if conjugate else t
    _matrices(t, name)
    swapped = t.transpose(-2, -1)
    return conj(swapped) if conjugate else swapped


def matrix_transpose(t):
    """``t.mT``: the last two dimensions swapped."""
    return _swap_last_two(t, "mT", "Tensor.mT", False)


def matrix_adjoint(t):
    """``t.mH``: the last two dimensions swapped and conjugated."""
    return _swap_last_two(t, "mH", "Tensor.mH", True)


def conj_transpose(t):
    """``t.H``: the conjugate transpose of a matrix."""
    n = t._data.ndim
    if n == 0:
        _zero_d("Tensor.H", _USE_CONJ)
        return conj(t)
    if n != 2:
        hint = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.{hint}"
        )
    return conj(t.transpose(0, 1))


def reversed_dims(t):
    """``t.T``: the dimensions in reverse order (PyTorch warns unless ``t`` is a matrix)."""
    n = t._data.ndim
    if n == 0:
        _zero_d("Tensor.T", _IDENTITY)
        return t
    if n != 2:
        warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor.",
            UserWarning,
        )
    return t.permute(*range(n - 1, -1, -1))


def _complex_adjoint(t, x):
    """The adjoint of the complex tensor made from ``x``'s last dimension, seen as real
    (float16 samples widened first: there is no complex32)."""
    x = x.float() if x.dtype == t.float16 else x
    return t.view_as_real(t.adjoint(t.view_as_complex(x)).resolve_conj())


@op(
    None,
    methods="adjoint",
    spec=(
        OpSpec("adjoint", lambda t, a: t.adjoint(a), [((3, 4),), ((2, 3, 4),)], shapes=None),
        OpSpec("adjoint_complex", _complex_adjoint, [((3, 4, 2),), ((2, 2, 3, 2),)], shapes=None),
    ),
)
def adjoint(input):
    """The conjugate transpose of the last two dimensions (a matrix or a batch of them)."""
    return _swap_last_two(input, "adjoint()", "adjoint()", True)


__all__ = public_names(__name__)
