"""Triangular solves: linalg.solve_triangular and the deprecated top-level triangular_solve."""

from __future__ import annotations

from ..autograd.callsite import warn
from ..autograd.node import Node
from ..return_types import return_type
from ._binary import needs, not_implemented
from ._linalg_common import (
    check_matrix,
    check_square,
    linalg,
    solve_triangular_array,
    write_out,
)
from ._linalg_common import well_conditioned as _sq
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, op, public_names

TriangularSolveResult = return_type("triangular_solve", "solution", "cloned_coefficient")


class LinalgSolveTriangular(Node):
    """X = A^-1 B for triangular A: dB = A^-T G, dA = -dB X^T kept on A's triangle
    (X A = B: dB = G A^-T, dA = -X^T dB)"""

    def forward(self, a, b, upper, left, unitriangular):
        self.upper, self.left, self.unit = upper, left, unitriangular
        if left:
            x = solve_triangular_array(a, b, upper, unitriangular)
        else:
            x = solve_triangular_array(
                a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper, unitriangular
            ).swapaxes(-1, -2)
        self.save_for_backward(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved_tensors
        up, left, unit = self.upper, self.left, self.unit
        gb = linalg_solve_triangular(a.mT, grad, upper=not up, left=left, unitriangular=unit)
        ga = None
        if needs(self, 0):
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
            ga = ga.triu(1 if unit else 0) if up else ga.tril(-1 if unit else 0)
        return ga, gb, None, None, None


_TRI = [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 4))]


@op(
    LinalgSolveTriangular,
    grad_fn="LinalgSolveTriangularBackward0",
    public=False,
    vmap=LOOP,
    spec=(
        OpSpec(
            "solve_triangular",
            lambda t, a, b: linalg(t).solve_triangular(a, b, upper=True),
            _TRI,
            shapes=None,
            domain=_sq,
        ),
        OpSpec(
            "solve_triangular_right_unit",
            lambda t, a, b: linalg(t).solve_triangular(
                a, b, upper=False, left=False, unitriangular=True
            ),
            [((3, 3), (2, 3))],
            shapes=None,
            domain=_sq,
        ),
    ),
)
def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution X of ``A X = B`` (``X A = B`` when not ``left``) for triangular ``A``
    (only its ``upper`` or lower triangle is read; its diagonal is taken as ones when
    ``unitriangular``)."""
    name = "linalg.solve_triangular"
    tensor_arg(name, A, "A", 1)
    tensor_arg(name, B, "B", 2)
    check_matrix(name, A)
    check_matrix(name, B, "B")
    if A._data.dtype.kind not in "fc":
        raise not_implemented("triangular_solve_cpu", A)
    check_square(name, A)
    if B._data.dtype != A._data.dtype:  # PyTorch computes in A's dtype
        B = B.to(A.dtype)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{name}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
            f"{B.shape[-2]}x{B.shape[-1]})"
        )
    result = LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))
    return write_out(name, result, out, A, B)


_TRIANGULAR_DEPRECATION = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
    "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
    "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B)."
)


@op(
    None,
    methods="triangular_solve",
    spec=OpSpec(
        "triangular_solve",
        lambda t, b, a: t.triangular_solve(b, a, upper=False, transpose=True),
        [((3, 2), (3, 3))],
        shapes=None,
        domain=_sq,
    ),
    out="same",
)
def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """The deprecated ``(solution, cloned_coefficient)`` of ``A X = input`` (``A^T X = input``
    when ``transpose``)."""
    warn(_TRIANGULAR_DEPRECATION)
    a = A.mT if transpose else A
    x = linalg_solve_triangular(a, input, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolveResult(x, A.clone())


__all__ = public_names(__name__)
