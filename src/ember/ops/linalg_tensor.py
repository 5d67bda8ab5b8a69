"""linalg.tensorinv, linalg.tensorsolve and linalg.vander: compositions of reshapes with
linalg.inv / linalg.solve, and of cumulative products, as in PyTorch."""

from __future__ import annotations

import math

from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ._linalg_common import linalg
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg_solve import linalg_inv, linalg_solve
from .registry import op, public_names


def _eyeish(z):
    """Test tensors whose matricized form is well conditioned (others as drawn)."""
    n = math.isqrt(z.size)
    if n * n != z.size:
        return z
    flat = z.reshape(n, n) * 0.3
    return (flat + 2 * _np.eye(flat.shape[0])).reshape(z.shape)


@op(None, public=False,
    spec=OpSpec("linalg_tensorinv", lambda t, a: linalg(t).tensorinv(a, ind=2), [((2, 3, 6),)],
                shapes=None, domain=_eyeish))  # fmt: skip
def linalg_tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` for ``tensordot`` over its first ``ind`` dimensions."""
    tensor_arg("linalg.tensorinv", A, "A", 1)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    head, tail = A.shape[:ind], A.shape[ind:]
    rows, cols = math.prod(head), math.prod(tail)
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    return linalg_inv(A.reshape(rows, cols), out=out).reshape(tuple(tail) + tuple(head))


@op(None, public=False,
    spec=OpSpec("linalg_tensorsolve", lambda t, a, b: linalg(t).tensorsolve(a, b),
                [((2, 3, 6), (2, 3))], shapes=None, domain=_eyeish))  # fmt: skip
def linalg_tensorsolve(A, B, dims=None, *, out=None):
    """The X with ``tensordot(A, X, X.ndim) = B``; ``dims`` of A are moved to its end first."""
    tensor_arg("linalg.tensorsolve", A, "A", 1)
    tensor_arg("linalg.tensorsolve", B, "B", 2)
    if dims is not None:
        nd = A._data.ndim
        dims = [d % nd for d in dims]
        keep = [d for d in range(nd) if d not in dims]
        A = A.permute(*(keep + dims))
    rest = A.shape[B._data.ndim :]
    n = math.prod(rest)
    if n != B.numel():
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {n} != {B.numel()}"
        )
    x = linalg_solve(A.reshape(B.numel(), n), B.reshape(-1), out=out)
    return x.reshape(rest)


@op(None, public=False,
    spec=OpSpec("linalg_vander", lambda t, x: linalg(t).vander(x, N=4), [((3,),), ((2, 3),)],
                shapes=None))  # fmt: skip
def linalg_vander(x, *, N=None):  # noqa: N803 - PyTorch's name
    """Increasing powers ``x**0 .. x**(N-1)`` of each element, along a new last dimension."""
    from .join import cat

    tensor_arg("linalg.vander", x, "x", 1)
    n = x.shape[-1] if N is None and x._data.ndim else N
    if n is None or n <= 1:
        raise RuntimeError("N must be greater than 1.")
    if x._data.dtype.kind == "b":
        x = x.long()
    ones = Tensor._make(_np.ones(tuple(x.shape) + (1,), dtype=x._data.dtype))
    powers = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)
    return cat([ones, powers], -1)


__all__ = public_names(__name__)
