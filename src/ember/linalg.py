"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace over the linear-algebra op families."""

from __future__ import annotations

from .ops._linalg_common import LinAlgError
from .ops.linalg_cholesky import linalg_cholesky as cholesky
from .ops.linalg_cholesky import linalg_cholesky_ex as cholesky_ex
from .ops.linalg_factor import linalg_eigh as eigh
from .ops.linalg_factor import linalg_eigvalsh as eigvalsh
from .ops.linalg_factor import linalg_qr as qr
from .ops.linalg_factor import linalg_svd as svd
from .ops.linalg_factor import linalg_svdvals as svdvals
from .ops.linalg_lstsq import linalg_lstsq as lstsq
from .ops.linalg_lstsq import linalg_matrix_rank as matrix_rank
from .ops.linalg_lstsq import linalg_pinv as pinv
from .ops.linalg_solve import det, slogdet
from .ops.linalg_solve import linalg_inv as inv
from .ops.linalg_solve import linalg_inv_ex as inv_ex
from .ops.linalg_solve import linalg_solve as solve
from .ops.linalg_solve import linalg_solve_ex as solve_ex
from .ops.linalg_triangular import linalg_solve_triangular as solve_triangular

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "matrix_rank",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
]
