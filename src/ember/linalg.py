"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace over the linear-algebra op families."""

from __future__ import annotations

from .ops._linalg_common import LinAlgError
from .ops.linalg import matmul
from .ops.linalg_cholesky import linalg_cholesky as cholesky
from .ops.linalg_cholesky import linalg_cholesky_ex as cholesky_ex
from .ops.linalg_eig import linalg_eig as eig
from .ops.linalg_eig import linalg_eigvals as eigvals
from .ops.linalg_factor import linalg_eigh as eigh
from .ops.linalg_factor import linalg_eigvalsh as eigvalsh
from .ops.linalg_factor import linalg_qr as qr
from .ops.linalg_factor import linalg_svd as svd
from .ops.linalg_factor import linalg_svdvals as svdvals
from .ops.linalg_householder import linalg_householder_product as householder_product
from .ops.linalg_ldl import linalg_ldl_factor as ldl_factor
from .ops.linalg_ldl import linalg_ldl_factor_ex as ldl_factor_ex
from .ops.linalg_ldl import linalg_ldl_solve as ldl_solve
from .ops.linalg_lstsq import linalg_lstsq as lstsq
from .ops.linalg_lstsq import linalg_matrix_rank as matrix_rank
from .ops.linalg_lstsq import linalg_pinv as pinv
from .ops.linalg_lu import linalg_lu as lu
from .ops.linalg_lu import linalg_lu_factor as lu_factor
from .ops.linalg_lu import linalg_lu_factor_ex as lu_factor_ex
from .ops.linalg_lu import linalg_lu_solve as lu_solve
from .ops.linalg_norms import linalg_cond as cond
from .ops.linalg_norms import linalg_matrix_norm as matrix_norm
from .ops.linalg_norms import linalg_norm as norm
from .ops.linalg_norms import linalg_vector_norm as vector_norm
from .ops.linalg_products import linalg_cross as cross
from .ops.linalg_products import linalg_diagonal as diagonal
from .ops.linalg_products import linalg_multi_dot as multi_dot
from .ops.linalg_products import linalg_vecdot as vecdot
from .ops.linalg_products import matrix_exp, matrix_power
from .ops.linalg_solve import det, slogdet
from .ops.linalg_solve import linalg_inv as inv
from .ops.linalg_solve import linalg_inv_ex as inv_ex
from .ops.linalg_solve import linalg_solve as solve
from .ops.linalg_solve import linalg_solve_ex as solve_ex
from .ops.linalg_tensor import linalg_tensorinv as tensorinv
from .ops.linalg_tensor import linalg_tensorsolve as tensorsolve
from .ops.linalg_tensor import linalg_vander as vander
from .ops.linalg_triangular import linalg_solve_triangular as solve_triangular

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "vector_norm",
]
