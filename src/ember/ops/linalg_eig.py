"""General eigendecomposition: linalg.eig and linalg.eigvals (complex results, also for real
matrices).

The gradient is PyTorch's: with E_ij = L_j - L_i,
``gA = V^-H (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / conj(E)) V^H``, real for
a real A.  Eigenvectors are defined up to a phase: only phase-invariant functions of them
have a gradient (PyTorch checks this; Ember does not).
"""

from __future__ import annotations

from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ._binary import type_word
from ._linalg_common import Eigendecomposition, check_matrix, check_square, linalg
from ._spec import OpSpec
from .clamp import tensor_arg
from .complex_ops import real
from .linalg_solve import linalg_solve
from .registry import LOOP, op, public_names

EigResult = return_type("linalg_eig", "eigenvalues", "eigenvectors")
_COMPLEX = {"float32": "complex64", "float64": "complex128"}


class LinalgEig(Eigendecomposition):
    """A V = V diag(L): PyTorch's eig rule (see the module docstring)"""

    def forward(self, a, vectors):
        self.vectors, self.real_input = vectors, a.dtype.kind != "c"
        dtype = a.dtype.name if a.dtype.kind == "c" else _COMPLEX[a.dtype.name]
        if a.size:
            w, v = _np.linalg.eig(a)
        else:
            w, v = _np.zeros(a.shape[:-1], dtype), _np.zeros(a.shape, dtype)
        return self.outputs(a, w.astype(dtype), v.astype(dtype))

    def backward(self, *grads):
        w, v, gl, gv = self.factors(grads)
        if gl is None and gv is None:
            return None, None
        n = w.shape[-1]
        vh = v.mT.conj()  # conjugate transpose, spelled out
        inner = gl.diag_embed() if gl is not None else v.new_zeros(v.shape)
        if gv is not None:
            vhgv = vh @ gv
            d = real(vhgv.diagonal(0, -2, -1))
            vhgv = vhgv - vh @ (v * d.unsqueeze(-2))
            diff = (w.unsqueeze(-2) - w.unsqueeze(-1)).conj()
            eye = Tensor._make(_np.eye(n, dtype=bool))
            diff = diff + Tensor._make(eye._data.astype(diff._data.dtype))
            inner = inner + vhgv / diff * Tensor._make(~eye._data)
        ga = linalg_solve(vh, inner @ vh)
        return (real(ga) if self.real_input else ga), None


def _check(name, A):
    tensor_arg(name, A, "A", 1)
    check_matrix(name, A)
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"Unknown Complex ScalarType for {type_word(A)}")
    check_square(name, A)


def _gauge_free(t, a):
    """Eigenvalues and the absolute values of the eigenvectors' entries (phase-free)."""
    w, v = linalg(t).eig(a)
    return t.view_as_real(w), v.abs()


@op(
    LinalgEig,
    grad_fn="LinalgEigBackward0",
    public=False,
    vmap=LOOP,
    spec=OpSpec(
        "linalg_eig", _gauge_free, [((3, 3),), ((2, 2, 2),)], shapes=None, second_order=False
    ),
    out="same",
)
def linalg_eig(A):
    """``(eigenvalues, eigenvectors)`` of square matrices, complex (unit-norm vectors)."""
    _check("linalg.eig", A)
    return EigResult(*LinalgEig.apply(A, True))


@op(
    None,
    public=False,
    spec=OpSpec(
        "linalg_eigvals",
        lambda t, a: t.view_as_real(linalg(t).eigvals(a)),
        [((3, 3),)],
        shapes=None,
        second_order=False,
    ),
    out="same",
)
def linalg_eigvals(A):
    """The eigenvalues of square matrices, complex."""
    _check("linalg.eigvals", A)
    return LinalgEig.apply(A, False)


__all__ = public_names(__name__)
