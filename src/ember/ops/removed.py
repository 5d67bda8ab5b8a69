"""Functions PyTorch removed in 1.9 but still names (``torch.eig``, ``torch.lstsq``,
``torch.solve``, ``torch.symeig``, ``torch.matrix_rank``): each raises PyTorch's
RuntimeError, which says what replaces it."""

from __future__ import annotations

from .registry import declare, op, public_names

_GONE = "This function was deprecated since version 1.9 and is now removed."

_EIG = (
    f"{_GONE} `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
    "than real tensors mimicking complex tensors.\n\n"
    "L, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\n"
    "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
    "L_complex, V_complex = torch.linalg.eig(A)"
)
_LSTSQ = (
    f"{_GONE} `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in "
    "the returned tuple (although it returns other information about the problem).\n\n"
    "To get the QR decomposition consider using `torch.linalg.qr`.\n\n"
    "The returned solution in `torch.lstsq` stored the residuals of the solution in the last "
    "m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals "
    "are in the field 'residuals' of the returned named tuple.\n\n"
    "The unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\n"
    "should be replaced with:\nX = torch.linalg.lstsq(A, B).solution"
)
_SOLVE = (
    f"{_GONE} `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
    "has its arguments reversed and does not return the LU factorization.\n\n"
    "To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)"
)
_SYMEIG = (
    f"{_GONE} The default behavior has changed from using the upper triangular portion of the "
    "matrix by default to using the lower triangular portion.\n\n"
    "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
    "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"
)
_MATRIX_RANK = (
    f"{_GONE}\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
    "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."
)


@op(None)
def eig(self, eigenvectors=False, *, e=None, v=None):
    """Removed: raises PyTorch's error naming ``linalg.eig`` / ``linalg.eigvals``."""
    raise RuntimeError(_EIG)


@op(None)
def lstsq(input, A, *, out=None):
    """Removed: raises PyTorch's error naming ``linalg.lstsq``."""
    raise RuntimeError(_LSTSQ)


@op(None)
def solve(input, A, *, out=None):
    """Removed: raises PyTorch's error naming ``linalg.solve``."""
    raise RuntimeError(_SOLVE)


@op(None)
def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """Removed: raises PyTorch's error naming ``linalg.eigh`` / ``linalg.eigvalsh``."""
    raise RuntimeError(_SYMEIG)


@op(None)
def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    """Removed: raises PyTorch's error naming ``linalg.matrix_rank``."""
    raise RuntimeError(_MATRIX_RANK)


# The Tensor methods (no matrix_rank among them) take PyTorch's method signatures.
def _eig_method(self, eigenvectors=False):
    """Removed: raises PyTorch's error naming ``linalg.eig``."""
    raise RuntimeError(_EIG)


def _lstsq_method(self, other):
    """Removed: raises PyTorch's error naming ``linalg.lstsq``."""
    raise RuntimeError(_LSTSQ)


def _solve_method(self, other):
    """Removed: raises PyTorch's error naming ``linalg.solve``."""
    raise RuntimeError(_SOLVE)


def _symeig_method(self, eigenvectors=False):
    """Removed: raises PyTorch's error naming ``linalg.eigh``."""
    raise RuntimeError(_SYMEIG)


for _name, _fn in (
    ("eig", _eig_method),
    ("lstsq", _lstsq_method),
    ("solve", _solve_method),
    ("symeig", _symeig_method),
):
    _fn.__name__ = _fn.__qualname__ = _name
    declare(None, _fn, methods=_name, public=False)

__all__ = public_names(__name__)
