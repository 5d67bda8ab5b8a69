"""What the linear-algebra families share: ``LinAlgError``, PyTorch's argument checks and
messages, and the array kernels NumPy lacks (LU with partial pivoting, triangular
substitution), all batched over leading dimensions."""

from __future__ import annotations

import importlib

from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ._binary import type_word
from ._results import write_out  # noqa: F401 - the linalg families' out=


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular, not positive-definite, ...).

    ``ember.linalg.LinAlgError``, as PyTorch's ``torch.linalg.LinAlgError``: a
    ``RuntimeError``."""


LinAlgError.__module__ = "ember.linalg"


class Eigendecomposition(Node):
    """The shared bookkeeping of eig and eigh: with vectors, the values and vectors are saved;
    values alone save the input, which backward factors again (recorded, so higher orders
    work)."""

    materialize_grads = False

    def outputs(self, a, w, v):
        """Save what backward needs and return the forward's outputs."""
        if self.vectors:
            self.save_for_backward(w, v)
            return w, v
        self.save_for_backward(a)
        return w

    def factors(self, grads, *args):
        """``(values, vectors, grad of values, grad of vectors)``; ``args`` go between the
        input and ``vectors=True`` when the input is factored again."""
        if self.vectors:
            return (*self.saved_tensors, *grads)
        (a,) = self.saved_tensors
        return (*type(self).apply(a, *args, True), grads[0], None)


def check_float(name, *tensors):
    """PyTorch's error for integer or bool inputs to a linalg function."""
    for t in tensors:
        if t._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"{name}: Expected a floating point or complex tensor as input. Got {type_word(t)}"
            )


def check_matrix(name, t, arg="A"):
    """At least 2-d, or PyTorch's error."""
    if t._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def check_square(name, t, arg="A"):
    """Batches of square matrices, or PyTorch's error."""
    check_matrix(name, t, arg)
    m, n = t.shape[-2:]
    if m != n:
        raise RuntimeError(
            f"{name}: {arg} must be batches of square matrices, but they are {m} by {n} matrices"
        )


def check_same_dtype(name, a, b, names=("A", "B")):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"{name}: Expected {names[0]} and {names[1]} to have the same dtype, but found "
            f"{names[0]} of type {type_word(a)} and {names[1]} of type {type_word(b)} instead"
        )


def square_float(name, A):
    """A tensor of float square matrices, or PyTorch's error."""
    if not isinstance(A, Tensor):
        raise TypeError(
            f"{name}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}"
        )
    check_matrix(name, A)
    check_float(name, A)
    check_square(name, A)


def well_conditioned(z):
    """Test matrices for the specs: square ones near twice the identity, others as drawn."""
    if z.ndim >= 2 and z.shape[-1] == z.shape[-2]:
        return z * 0.3 + _np.eye(z.shape[-1]) * 2
    return z


def batch_prefix(info):
    """``"(Batch element k): "`` for the first failing matrix of a batch, and its info."""
    flat = _np.asarray(info).reshape(-1)
    bad = _np.flatnonzero(flat)
    k = int(bad[0]) if bad.size else 0
    prefix = f"(Batch element {k}): " if _np.ndim(info) > 0 else ""
    return prefix, int(flat[k]) if flat.size else 0


def linalg(lib):
    """``lib.linalg`` (``ember.linalg`` or ``torch.linalg``), for the specs."""
    return importlib.import_module(lib.__name__ + ".linalg")


# ----- array kernels ------------------------------------------------------------------------
def lu_array(a):
    """LU with partial pivoting of a batch of matrices, as LAPACK's getrf.

    Returns ``(lu, pivots, info)``: L (unit, below the diagonal) and U packed in one array;
    ``pivots`` 1-based int32 row swaps; ``info`` (int32 per matrix) the 1-based index of
    the first exactly-zero pivot of U, 0 when there is none.
    """
    lu = _np.array(a, dtype=a.dtype, copy=True)
    m, n = lu.shape[-2:]
    k_max = min(m, n)
    batch = lu.shape[:-2]
    flat = lu.reshape((-1, m, n))
    count = flat.shape[0]
    rows = _np.arange(count)
    pivots = _np.empty((count, k_max), dtype=_np.int32)
    info = _np.zeros(count, dtype=_np.int32)
    with _np.errstate(divide="ignore", invalid="ignore"):
        for k in range(k_max):
            p = k + _np.argmax(_np.abs(flat[:, k:, k]), axis=1)
            pivots[:, k] = p + 1
            top = flat[rows, k].copy()
            flat[rows, k] = flat[rows, p]
            flat[rows, p] = top
            pivot = flat[:, k, k]
            zero = pivot == 0
            info = _np.where((info == 0) & zero, k + 1, info)
            if k + 1 < m:
                factors = flat[:, k + 1 :, k] / pivot[:, None]
                factors = _np.where(zero[:, None], flat[:, k + 1 :, k], factors)
                flat[:, k + 1 :, k] = factors
                flat[:, k + 1 :, k + 1 :] -= factors[:, :, None] * flat[:, k, None, k + 1 :]
    return flat.reshape(lu.shape), pivots.reshape(batch + (k_max,)), info.reshape(batch)


def permutation_from_pivots(pivots, m):
    """The row order ``perm`` with ``A[perm] = L U`` for LAPACK pivots (1-based swaps)."""
    batch = pivots.shape[:-1]
    flat = pivots.reshape((-1, pivots.shape[-1])) - 1
    perm = _np.tile(_np.arange(m), (flat.shape[0], 1))
    rows = _np.arange(flat.shape[0])
    for k in range(flat.shape[1]):
        p = flat[:, k]
        top = perm[rows, k].copy()
        perm[rows, k] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(batch + (m,))


def solve_triangular_array(a, b, upper, unitriangular):
    """X with A X = B for triangular A (batched, broadcast), by substitution."""
    batch = _np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = _np.broadcast_to(a, batch + a.shape[-2:])
    b = _np.broadcast_to(b, batch + b.shape[-2:])
    x = _np.zeros(b.shape, dtype=_np.result_type(a, b))
    n = a.shape[-1]
    with _np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            row = b[..., i, :] - (a[..., i : i + 1, :] @ x)[..., 0, :]
            x[..., i, :] = row if unitriangular else row / a[..., i, i, None]
    return x
