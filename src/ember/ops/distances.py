"""Distances: dist (the p-norm of a difference), cdist (between two sets of rows) and pdist
(between the rows of one matrix).

Each is one node, as in PyTorch; their gradients apply the vector norm's own rule
(``norms.VectorNorm``) to the differences, rebuilt from the inputs with Ember ops, so that
higher orders work too.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ._binary import apply_broadcast, promote
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg import SCALAR_TYPES, dtype_mismatch
from .norms import VectorNorm
from .registry import LOOP, op, public_names

_INDEX = _np.dtype("int64")


class _NormRule:
    """The vector norm's backward for differences ``x`` with norms ``out`` over ``dims``."""

    backward = VectorNorm.backward
    expanded = VectorNorm.expanded

    def __init__(self, x, out, p, dims):
        self.saved_tensors = (x, out)
        self.p, self.dims, self.keepdim, self.in_shape = p, dims, False, x._data.shape


def _norm_grad(x, out, grad, p, dims):
    g = _NormRule(x, out, p, dims).backward(grad)[0]
    return g if g is not None else x * 0


def _norm_array(node, x, p, dims):
    """The p-norms of ``x`` over ``dims``, computed by the vector norm's forward."""
    out = VectorNorm.forward(node, x, p, dims, False)
    node._saved = None
    return out


def _float_pair(name, a, b):
    a, b = promote(a, b)
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"norm(): input dtype should be either floating point or complex. Got "
            f"{_dt.scalar_type_name(a._data)} instead."
        )
    return a, b


# ----- dist -------------------------------------------------------------------------------
class Dist(Node):
    """d ||a - b||_p = the norm's gradient at a - b, for a; its negative for b"""

    def forward(self, a, b, p):
        self.p = p
        x = a - b
        out = _norm_array(self, x, p, tuple(range(x.ndim)))
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        x = a - b
        g = _norm_grad(x, out, grad, self.p, tuple(range(x.ndim)))
        return g, -g, None


_B2 = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ()), ((2, 3), (0, 1, 3))]


@op(
    Dist,
    methods="dist",
    vmap=LOOP,
    spec=(
        OpSpec("dist", lambda t, a, b: t.dist(a, b), _B2, shapes="broadcast2"),
        OpSpec("dist_1", lambda t, a, b: a.dist(b, 1), _B2[:2], shapes=None, second_order=False),
        OpSpec("dist_3", lambda t, a, b: t.dist(a, b, 3), _B2[:2], shapes=None),
        OpSpec("dist_inf", lambda t, a, b: t.dist(a, b, float("inf")), _B2[:2], shapes=None),
        # PyTorch 2.13's dist(p=0) backward fails on its own undefined gradient: values only.
        OpSpec(
            "dist_0", lambda t, a, b: t.dist(a, b, 0), _B2[:1], shapes=None, grad=(False, False)
        ),
    ),
)
def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast)."""
    tensor_arg("dist", input, "input", 1)
    tensor_arg("dist", other, "other", 2)
    a, b = _float_pair("dist", input, other)
    return apply_broadcast(Dist, a, b, float(p))


# ----- cdist / pdist ----------------------------------------------------------------------
class Cdist(Node):
    """d cdist(x1, x2)[..., i, j] = the norm's gradient at x1[i] - x2[j]: summed over j for
    x1, over i (negated) for x2"""

    def forward(self, x1, x2, p):
        self.p = p
        x = x1[..., :, None, :] - x2[..., None, :, :]
        out = _norm_array(self, x, p, (x.ndim - 1,))
        self.save_for_backward(x1, x2, out)
        return out

    def backward(self, grad):
        x1, x2, out = self.saved_tensors
        x = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        g = _norm_grad(x, out, grad, self.p, (x.ndim - 1,))
        return g.sum(-2), -g.sum(-3), None


@op(
    Cdist,
    vmap=LOOP,
    spec=(
        OpSpec(
            "cdist",
            lambda t, a, b: t.cdist(a, b),
            [((3, 2), (4, 2)), ((2, 3, 2), (1, 4, 2)), ((0, 2), (3, 2))],
            shapes=None,
            second_order=False,
        ),
        OpSpec(
            "cdist_1",
            lambda t, a, b: t.cdist(a, b, p=1),
            [((3, 2), (4, 2))],
            shapes=None,
            second_order=False,
        ),
        OpSpec(
            "cdist_3",
            lambda t, a, b: t.cdist(a, b, 3.0),
            [((3, 2), (2, 2))],
            shapes=None,
            second_order=False,
        ),
    ),
)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of ``x1`` and each row of ``x2`` (batched)."""
    tensor_arg("cdist", x1, "x1", 1)
    tensor_arg("cdist", x2, "x2", 2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D"
            )
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, X1 got: {_dt.scalar_type_name(x1._data)}"
        )
    if x1._data.dtype != x2._data.dtype:
        raise dtype_mismatch(SCALAR_TYPES, x1, x2)
    return apply_broadcast(Cdist, x1, x2, float(p))


class Pdist(Node):
    """d pdist(x)[k] for the pair (i, j) = the norm's gradient at x[i] - x[j], added to row i
    and taken from row j"""

    def forward(self, x, p):
        self.p = p
        self.first, self.second = _np.triu_indices(x.shape[0], 1)
        d = x[self.first] - x[self.second]
        out = _norm_array(self, d, p, (1,))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        i, j = Tensor._make(self.first.astype(_INDEX)), Tensor._make(self.second.astype(_INDEX))
        d = x.index_select(0, i) - x.index_select(0, j)
        g = _norm_grad(d, out, grad, self.p, (1,))
        zeros = x.new_zeros(x.shape)
        return zeros.index_add(0, i, g) - zeros.index_add(0, j, g), None


@op(
    Pdist,
    vmap=LOOP,
    spec=(
        OpSpec(
            "pdist",
            lambda t, a: t.pdist(a),
            [((4, 3),), ((1, 2),), ((3, 0),)],  # (PyTorch crashes on zero rows)
            shapes=None,
            second_order=False,
        ),
        OpSpec(
            "pdist_inf",
            lambda t, a: t.pdist(a, float("inf")),
            [((3, 2),)],
            shapes=None,
            second_order=False,
        ),
    ),
)
def pdist(input, p=2):
    """The p-norm distance between every pair of rows ``i < j`` of a matrix, in row order."""
    tensor_arg("pdist", input, "input", 1)
    if input._data.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input._data.ndim}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, float(p))


__all__ = public_names(__name__)
