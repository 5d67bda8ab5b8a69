"""Matrix functions and products: linalg.matrix_power, linalg.matrix_exp, linalg.cross (and
the top-level cross), linalg.vecdot, linalg.multi_dot (and the deprecated chain_matmul),
linalg.diagonal.

``matrix_exp`` is one node (scaling and squaring with a degree-13 Pade approximant); its
gradient is the upper-right block of the exponential of ``[[A^T, G], [0, A^T]]``, itself
differentiable.  The products are compositions of matmuls, as in PyTorch.
"""

from __future__ import annotations

import math

from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._binary import apply_broadcast, needs, type_word
from ._linalg_common import check_float, check_matrix, check_square, linalg, write_out
from ._linalg_common import well_conditioned as _sq
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg_solve import linalg_inv
from .registry import LOOP, op, public_names


# ----- matrix_power -----------------------------------------------------------------------
@op(None, methods="matrix_power",
    spec=(OpSpec("matrix_power", lambda t, a: t.matrix_power(a, 3), [((3, 3),), ((2, 2, 2),)],
                 shapes=None),
          OpSpec("matrix_power_neg", lambda t, a: linalg(t).matrix_power(a, -2), [((3, 3),)],
                 shapes=None, domain=_sq)))  # fmt: skip
def matrix_power(A, n, *, out=None):
    """``A`` to the integer power ``n`` (its inverse's for negative ``n``; the identity for 0)."""
    tensor_arg("linalg.matrix_power", A, "A", 1)
    check_square("linalg.matrix_power", A)
    size = A.shape[-1]
    if n == 0:
        eye = _np.broadcast_to(_np.eye(size, dtype=A._data.dtype), A.shape).copy()
        return write_out("linalg.matrix_power", Tensor._make(eye), out, A)
    base = linalg_inv(A) if n < 0 else A
    n = abs(n)
    result = None
    # Binary powering: the squares of A multiplied in where n has a 1 bit, as PyTorch does.
    while True:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            break
        base = base @ base
    return write_out("linalg.matrix_power", result, out, A)


# ----- matrix_exp -------------------------------------------------------------------------
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def matrix_exp_array(a):
    """exp(A) of a batch of matrices: Higham's scaling and squaring, Pade degree 13."""
    dtype = a.dtype
    a = a.astype(_np.float64)
    n = a.shape[-1]
    if a.size == 0:
        return a.astype(dtype)
    norm = _np.abs(a).sum(-2).max(-1)  # the 1-norm of each matrix
    with _np.errstate(divide="ignore"):
        s = _np.maximum(0, _np.ceil(_np.log2(norm / _THETA13))).astype(_np.int64)
    s = _np.where(_np.isfinite(norm), s, 0)
    a = a / (2.0**s)[..., None, None]
    b = _PADE13
    eye = _np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (
        a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye
    )
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = _np.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        squared = r @ r
        r = _np.where((k < s)[..., None, None], squared, r)
    return r.astype(dtype)


class LinalgMatrixExp(Node):
    """d exp(A) = the upper-right block of exp([[A^T, G], [0, A^T]])"""

    def forward(self, a):
        self.save_for_backward(a)
        return matrix_exp_array(a)

    def backward(self, grad):
        from .join import cat

        (a,) = self.saved_tensors
        at = a.mT
        n = a.shape[-1]
        top = cat([at, grad], -1)
        bottom = cat([at.new_zeros(at.shape), at], -1)
        big = matrix_exp(cat([top, bottom], -2))
        return (big[..., :n, n:],)


@op(LinalgMatrixExp, methods="matrix_exp", vmap=LOOP,
    spec=(OpSpec("matrix_exp", lambda t, a: t.matrix_exp(a), [((3, 3),), ((2, 2, 2),), ((0, 0),)],
                 shapes=None),
          OpSpec("matrix_exp_large", lambda t, a: linalg(t).matrix_exp(a * 4), [((3, 3),)],
                 shapes=None, second_order=False)))  # fmt: skip
def matrix_exp(A):
    """The matrix exponential of each square matrix in ``A``."""
    tensor_arg("linalg.matrix_exp", A, "A", 1)
    check_matrix("linalg.matrix_exp", A)
    check_float("linalg.matrix_exp", A)
    check_square("linalg.matrix_exp", A)
    return LinalgMatrixExp.apply(A)


# ----- cross / vecdot -----------------------------------------------------------------------
class LinalgCross(Node):
    """d(a x b) = b x G for a, G x a for b"""

    def forward(self, a, b, dim):
        self.dim = dim
        self.save_for_backward(a if needs(self, 1) else None, b if needs(self, 0) else None)
        return self.xp.cross(a, b, axis=dim)

    def backward(self, grad):
        a, b = self.saved_tensors
        d = self.dim
        ga = linalg_cross(b, grad, dim=d) if needs(self, 0) else None
        gb = linalg_cross(grad, a, dim=d) if needs(self, 1) else None
        return ga, gb, None


def _cross(name, a, b, dim):
    if a._data.ndim != b._data.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {type_word(a)} but found {type_word(b)}")
    d = _wrap_dim(dim, a._data.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(
            f"{name}: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}"
        )
    return apply_broadcast(LinalgCross, a, b, d - a._data.ndim)


_C = [((4, 3), (4, 3)), ((2, 1, 3), (5, 3)), ((3,), (3,))]


@op(LinalgCross, public=False, vmap=LOOP,
    spec=OpSpec("linalg_cross", lambda t, a, b: linalg(t).cross(a, b), _C[:1] + _C[2:],
                shapes=None))  # fmt: skip
def linalg_cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (batch dimensions broadcast)."""
    tensor_arg("linalg.cross", input, "input", 1)
    tensor_arg("linalg.cross", other, "other", 2)
    return write_out("linalg.cross", _cross("linalg.cross", input, other, dim), out, input)


_CROSS_DEPRECATION = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
    "agree with that of linalg.cross in a future release."
)


@op(None, methods="cross",
    spec=OpSpec("cross", lambda t, a, b: t.cross(a, b, dim=1), _C[:1], shapes=None))  # fmt: skip
def cross(input, other, dim=None, *, out=None):
    """The cross product along ``dim`` (without it: the first dimension of size 3, with
    PyTorch's deprecation warning)."""
    tensor_arg("cross", input, "input", 1)
    tensor_arg("cross", other, "other", 2)
    if dim is None:
        warn(_CROSS_DEPRECATION)
        sizes = [d for d, s in enumerate(input.shape) if s == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    return write_out("cross", _cross("linalg.cross", input, other, dim), out, input)


@op(None, public=False,
    spec=OpSpec("linalg_vecdot", lambda t, a, b: linalg(t).vecdot(a, b), _C,
                shapes=None))  # fmt: skip
def linalg_vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along ``dim`` (batch dimensions broadcast)."""
    tensor_arg("linalg.vecdot", x, "x", 1)
    tensor_arg("linalg.vecdot", y, "y", 2)
    check_float("linalg.vecdot", x)
    xc = x.conj() if x._data.dtype.kind == "c" else x
    return write_out("linalg.vecdot", (xc * y).sum(dim), out, x, y)


# ----- multi_dot / chain_matmul --------------------------------------------------------------
def _chain_order(dims):
    """The cheapest parenthesization of a matrix chain with sizes ``dims``: split[i][j]."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k) @ _chain(mats, split, k + 1, j)


def _multi_dot_checks(tensors):
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if i == 0 and nd not in (1, 2):
            raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {nd}D")
        if i == len(tensors) - 1 and nd not in (1, 2):
            raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {nd}D")
        if 0 < i < len(tensors) - 1 and nd != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {nd}D")
        if t._data.dtype != tensors[0]._data.dtype:
            first, other = (_out.C_NAMES[x._data.dtype.name] for x in (tensors[0], t))
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{first} and tensor {i} {other}"
            )


@op(None, public=False,
    spec=OpSpec("linalg_multi_dot", lambda t, a, b, c, d: linalg(t).multi_dot([a, b, c, d]),
                [((3,), (3, 5), (5, 2), (2,)), ((4, 3), (3, 5), (5, 2), (2, 6))],
                shapes=None))  # fmt: skip
def linalg_multi_dot(tensors, *, out=None):
    """The product of a chain of matrices, multiplied in the cheapest order (the first may
    be a row vector, the last a column vector)."""
    tensors = list(tensors)
    _multi_dot_checks(tensors)
    first, last = tensors[0]._data.ndim == 1, tensors[-1]._data.ndim == 1
    mats = list(tensors)
    if first:
        mats[0] = mats[0].unsqueeze(0)
    if last:
        mats[-1] = mats[-1].unsqueeze(1)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    result = _chain(mats, _chain_order(dims), 0, len(mats) - 1)
    shape = [s for s, keep in ((dims[0], not first), (dims[-1], not last)) if keep]
    return write_out("linalg.multi_dot", result.view(shape), out, *tensors)


_CHAIN_DEPRECATION = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters."
)


@op(None,
    spec=OpSpec("chain_matmul", lambda t, a, b, c: t.chain_matmul(a, b, c),
                [((2, 3), (3, 4), (4, 2))], shapes=None))  # fmt: skip
def chain_matmul(*matrices, out=None):
    """The deprecated product of 2-d matrices (``linalg.multi_dot``, with PyTorch's warning)."""
    warn(_CHAIN_DEPRECATION)
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg_multi_dot(matrices, out=out)


@op(None, public=False,
    spec=OpSpec("linalg_diagonal", lambda t, a: linalg(t).diagonal(a), [((2, 3, 3),)],
                shapes=None))  # fmt: skip
def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal ``offset`` of the matrices in the last two dimensions of ``A``."""
    return A.diagonal(offset, dim1, dim2)


__all__ = public_names(__name__)
