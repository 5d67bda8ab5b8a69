"""Linear algebra: matmul in all rank combinations, dot, mm, and friends."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor
from ._binary import promote
from ._spec import OpSpec, register


class MatMul(Node):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b (vectors promoted, batches summed)"""

    def forward(self, a, b):
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(a if n[1] else None, b if n[0] else None)
        return self.xp.matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        a_vec = len(self._in_meta[0][0]) == 1 if self._in_meta[0] else a is not None and a.ndim == 1
        b_vec = len(self._in_meta[1][0]) == 1 if self._in_meta[1] else b is not None and b.ndim == 1
        # Treat vectors as matrices (a row for a, a column for b), then squeeze back.
        if a_vec and b_vec:
            g = grad.reshape(1, 1)
        elif a_vec:
            g = grad.unsqueeze(-2)
        elif b_vec:
            g = grad.unsqueeze(-1)
        else:
            g = grad
        ga = gb = None
        if b is not None:
            ga = g @ (b.unsqueeze(-1) if b_vec else b).mT
            if a_vec:
                ga = ga.squeeze(-2)
        if a is not None:
            gb = (a.unsqueeze(0) if a_vec else a).mT @ g
            if b_vec:
                gb = gb.squeeze(-1)
        return ga, gb


def _check_matmul(a, b):
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and "
            f"{len(sb)}D"
        )
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively"
            )
        if len(sa) == 2 and len(sb) == 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
            )
        if len(sb) == 1:
            raise RuntimeError(
                f"size mismatch, got input ({sa[-2] if len(sa) > 1 else 1}), mat "
                f"({sa[-2] if len(sa) > 1 else 1}x{k_a}), vec ({sb[0]})"
            )
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{sb[0] if len(sb) > 2 else 1}, {k_a}] but got: "
            f"[{sb[0] if len(sb) > 2 else 1}, {k_b}]."
            if len(sa) == 3 and len(sb) == 3
            else f"mat1 and mat2 shapes cannot be multiplied "
            f"({'x'.join(map(str, sa))} and {'x'.join(map(str, sb))})"
        )


def matmul(input, other):
    """Matrix product with NumPy/PyTorch rank rules (vectors, matrices, broadcast batches)."""
    a, b = promote(input, other)
    _check_matmul(a, b)
    return MatMul.apply(a, b)


def mm(input, mat2):
    """Product of two matrices (2-D only)."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{input.dtype.name.title()} and {other.dtype.name.title()}"
        )
    return matmul(input, other)


METHODS = {"matmul": "matmul", "mm": "mm", "dot": "dot"}

register(
    OpSpec(
        "matmul",
        lambda t, a, b: t.matmul(a, b),
        [
            ((3, 4), (4, 5)),
            ((4,), (4, 5)),
            ((3, 4), (4,)),
            ((4,), (4,)),
            ((2, 3, 4), (4, 5)),
            ((2, 1, 3, 4), (5, 4, 2)),
            ((5,), (2, 5, 3)),
            ((2, 3, 5), (5,)),
            ((0, 3), (3, 2)),
        ],
        shapes=None,
        atol=1e-4,
        rtol=1e-4,
    ),
    OpSpec("dot", lambda t, a, b: t.dot(a, b), [((4,), (4,)), ((0,), (0,))], shapes=None),
    OpSpec("mm", lambda t, a, b: t.mm(a, b), [((3, 4), (4, 2))], shapes=None),
)
_ = Tensor
