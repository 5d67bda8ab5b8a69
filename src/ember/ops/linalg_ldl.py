"""linalg.ldl_factor, ldl_factor_ex and ldl_solve: the Bunch-Kaufman factorization
``A = P L D L^T P^T`` (``L^H`` when ``hermitian``) of a symmetric matrix from its lower
triangle, in LAPACK's compact form (``L`` below the diagonal, ``D``'s 1x1 and 2x2 blocks on
it, 1-based pivots, negative for a 2x2 block), and solves with it.

The factorization follows LAPACK's unblocked ``sytf2``/``hetf2`` step by step (same pivot
choices, same update order), so pivots and LD are PyTorch's for matrices smaller than
LAPACK's block size (64).  As in PyTorch, no derivative is implemented.
"""

from __future__ import annotations

import math

from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import not_implemented, type_word
from ._linalg_common import check_square
from ._spec import OpSpec
from .clamp import tensor_arg
from .elementwise import NotDifferentiable
from .registry import LOOP, declare, op, public_names

_ALPHA = (1 + math.sqrt(17)) / 8
_FACTOR = "torch.linalg.ldl_factor_ex"
_SOLVE = "torch.linalg.ldl_solve"
LdlResult = return_type("linalg_ldl_factor", "LD", "pivots")
LdlExResult = return_type("linalg_ldl_factor_ex", "LD", "pivots", "info")


def _abs1(z):
    """LAPACK's cheap modulus: |re| + |im| (|x| for real numbers)."""
    return float(abs(z.real) + abs(z.imag))


def _argmax1(v):
    """0-based index of the first largest ``_abs1`` (LAPACK's i?amax)."""
    mags = _np.abs(v.real) + _np.abs(v.imag) if v.dtype.kind == "c" else _np.abs(v)
    i = int(_np.argmax(mags))
    return i, float(mags[i])


def _swap(a, p, q):
    t = a[p].copy()
    a[p] = a[q]
    a[q] = t


def ldl_array(a, hermitian):
    """(LD, pivots, info) of one square matrix (LAPACK's sytf2/hetf2, lower)."""
    a = _np.array(a, copy=True)
    n = a.shape[0]
    herm = hermitian and a.dtype.kind == "c"
    conj = _np.conj if herm else (lambda z: z)
    piv = _np.zeros(n, dtype=_np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(float(a[k, k].real)) if herm else _abs1(a[k, k])
        imax, colmax = k, 0.0
        if k < n - 1:
            imax, colmax = _argmax1(a[k + 1 :, k])
            imax += k + 1
        if max(absakk, colmax) == 0 or absakk != absakk:
            info = info or k + 1
            kp = k
            if herm:
                a[k, k] = a[k, k].real
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = _argmax1(a[imax, k:imax])[1]
                if imax < n - 1:
                    rowmax = max(rowmax, _argmax1(a[imax + 1 :, imax])[1])
                diag = abs(float(a[imax, imax].real)) if herm else _abs1(a[imax, imax])
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif diag >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:
                _interchange(a, k, kk, kp, kstep, herm)
            elif herm:
                a[k, k] = a[k, k].real
                if kstep == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            if kstep == 1:
                _update_1x1(a, k, herm)
            else:
                _update_2x2(a, k, herm, conj)
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return _np.tril(a), piv, info


def _interchange(a, k, kk, kp, kstep, herm):
    """Rows and columns ``kk`` and ``kp`` of the trailing lower triangle swapped."""
    if kp < a.shape[0] - 1:
        col_kk = a[kp + 1 :, kk].copy()
        a[kp + 1 :, kk] = a[kp + 1 :, kp]
        a[kp + 1 :, kp] = col_kk
    mid = slice(kk + 1, kp)
    col = a[mid, kk].copy()
    if herm:
        a[mid, kk] = _np.conj(a[kp, mid])
        a[kp, mid] = _np.conj(col)
        a[kp, kk] = _np.conj(a[kp, kk])
        r = a[kk, kk].real
        a[kk, kk] = a[kp, kp].real
        a[kp, kp] = r
    else:
        a[mid, kk] = a[kp, mid]
        a[kp, mid] = col
        t = a[kk, kk]
        a[kk, kk] = a[kp, kp]
        a[kp, kp] = t
    if kstep == 2:
        if herm:
            a[k, k] = a[k, k].real
        t = a[k + 1, k]
        a[k + 1, k] = a[kp, k]
        a[kp, k] = t


def _update_1x1(a, k, herm):
    if k == a.shape[0] - 1:
        return
    x = a[k + 1 :, k].copy()
    d11 = 1 / (a[k, k].real if herm else a[k, k])
    temp = -d11 * (_np.conj(x) if herm else x)
    a[k + 1 :, k + 1 :] += _np.outer(x, temp)
    if herm:
        idx = _np.arange(k + 1, a.shape[0])
        a[idx, idx] = a[idx, idx].real
    a[k + 1 :, k] = x * d11


def _update_2x2(a, k, herm, conj):
    n = a.shape[0]
    if k >= n - 2:
        return
    if herm:
        d = abs(a[k + 1, k])
        d11 = a[k + 1, k + 1].real / d
        d22 = a[k, k].real / d
        tt = 1 / (d11 * d22 - 1)
        d21 = a[k + 1, k] / d
        d = tt / d
        ck, ck1 = a[k + 2 :, k].copy(), a[k + 2 :, k + 1].copy()
        wk = d * (d11 * ck - d21 * ck1)
        wkp1 = d * (d22 * ck1 - _np.conj(d21) * ck)
    else:
        d21 = a[k + 1, k]
        d11 = a[k + 1, k + 1] / d21
        d22 = a[k, k] / d21
        t = 1 / (d11 * d22 - 1)
        d21 = t / d21
        ck, ck1 = a[k + 2 :, k].copy(), a[k + 2 :, k + 1].copy()
        wk = d21 * (d11 * ck - ck1)
        wkp1 = d21 * (d22 * ck1 - ck)
    a[k + 2 :, k + 2 :] -= _np.outer(ck, conj(wk)) + _np.outer(ck1, conj(wkp1))
    a[k + 2 :, k] = wk
    a[k + 2 :, k + 1] = wkp1
    if herm:
        idx = _np.arange(k + 2, n)
        a[idx, idx] = a[idx, idx].real


def ldl_solve_array(ld, piv, b, hermitian):
    """X with A X = B from one factorization (LAPACK's sytrs/hetrs, lower)."""
    n = ld.shape[0]
    herm = hermitian and ld.dtype.kind == "c"
    conj = _np.conj if herm else (lambda z: z)
    b = _np.array(b, copy=True)
    k = 0
    while k < n:
        if piv[k] > 0:
            kp = piv[k] - 1
            if kp != k:
                _swap(b, k, kp)
            b[k + 1 :] -= _np.outer(ld[k + 1 :, k], b[k])
            b[k] = b[k] / (ld[k, k].real if herm else ld[k, k])
            k += 1
        else:
            kp = -piv[k + 1] - 1
            if kp != k + 1:
                _swap(b, k + 1, kp)
            b[k + 2 :] -= _np.outer(ld[k + 2 :, k], b[k]) + _np.outer(ld[k + 2 :, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1 = ld[k, k] / conj(akm1k)
            ak = ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1 = b[k] / conj(akm1k)
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:
        if piv[k] > 0:
            b[k] -= conj(ld[k + 1 :, k]) @ b[k + 1 :]
            kp = piv[k] - 1
            if kp != k:
                _swap(b, k, kp)
            k -= 1
        else:
            b[k] -= conj(ld[k + 1 :, k]) @ b[k + 1 :]
            b[k - 1] -= conj(ld[k + 1 :, k - 1]) @ b[k + 1 :]
            kp = -piv[k] - 1
            if kp != k:
                _swap(b, k, kp)
            k -= 2
    return b


class LinalgLdlFactorEx(NotDifferentiable):
    """(LD, pivots, info) of a batch of symmetric matrices: no derivative"""

    aten = "linalg_ldl_factor_ex"
    upcast_float16 = False

    def forward(self, a, hermitian):
        lead = a.shape[:-2]
        n = a.shape[-1]
        flat = a.reshape((int(_np.prod(lead)), n, n))
        ld = _np.empty_like(flat)
        piv = _np.empty(flat.shape[:-1], dtype=_np.int32)
        info = _np.zeros(flat.shape[0], dtype=_np.int32)
        for i in range(flat.shape[0]):
            ld[i], piv[i], info[i] = ldl_array(flat[i], hermitian)
        return ld.reshape(a.shape), piv.reshape(lead + (n,)), info.reshape(lead)

    def differentiable_outputs(self, n):
        return (True, False, False)


class LinalgLdlSolve(NotDifferentiable):
    """X with A X = B from A's LDL factorization: no derivative"""

    aten = "linalg_ldl_solve"
    upcast_float16 = False

    def forward(self, ld, piv, b, hermitian):
        lead = _np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        n = ld.shape[-1]
        count = int(_np.prod(lead))
        lds = _np.broadcast_to(ld, lead + ld.shape[-2:]).reshape((count, n, n))
        pivs = _np.broadcast_to(piv, lead + (n,)).reshape((count, n))
        bs = _np.broadcast_to(b, lead + b.shape[-2:]).reshape((count,) + b.shape[-2:])
        out = _np.empty(bs.shape, dtype=b.dtype)
        for i in range(bs.shape[0]):
            out[i] = ldl_solve_array(lds[i], pivs[i], bs[i], hermitian)
        return out.reshape(lead + b.shape[-2:])


def _spec(name, fn, samples):
    flags = (False,) * len(samples[0])
    return OpSpec(name, fn, samples, shapes=None, fd=False, second_order=False, grad=flags)


def _sym(t, a):
    return a + a.mT


declare(
    LinalgLdlFactorEx,
    grad_fn="torch::autograd::NotImplemented",
    vmap=LOOP,
    spec=_spec(
        "linalg_ldl_factor_ex",
        lambda t, a: tuple(t.linalg.ldl_factor_ex(_sym(t, a))),
        [((4, 4),), ((2, 3, 3),), ((0, 0),)],
    ),
)
declare(
    LinalgLdlSolve,
    grad_fn="torch::autograd::NotImplemented",
    vmap=LOOP,
    spec=_spec(
        "linalg_ldl_solve",
        lambda t, a, b: t.linalg.ldl_solve(*t.linalg.ldl_factor(_sym(t, a)), b),
        [((4, 4), (4, 2)), ((2, 3, 3), (3, 1))],
    ),
)


def _check_factor(name, A):
    tensor_arg(name, A, "input", 1)
    check_square(_FACTOR, A)
    d = A._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"{_FACTOR}: Expected a floating point or complex tensor as input. Got {type_word(A)}"
        )
    if d.dtype.name in ("float16", "bfloat16") and d.size:
        raise not_implemented("ldl_factor_kernel_cpu", A)


def _write_all(name, results, out):
    """``results``, or each written into the tensors of ``out`` (PyTorch's checks; no
    gradient is recorded, so inputs that require grad are allowed, as in PyTorch)."""
    if out is None:
        return results
    _out.check_out_tensors(name, out, len(results))
    return tuple(_out.write(o, r) for o, r in zip(out, results))


def _factor(A, hermitian, check_errors, name):
    ld, piv, info = LinalgLdlFactorEx.apply(A, bool(hermitian))
    if check_errors and (info._data > 0).any():
        code = int(info._data[info._data > 0].reshape(-1)[0])
        raise RuntimeError(f"{name}: Unknown error code: {code}.")
    return ld, piv, info


@op(None, public=False)
def linalg_ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """The compact LDL factorization of symmetric (Hermitian with ``hermitian``) ``A`` from its
    lower triangle, with pivots and LAPACK's ``info`` (the first zero pivot, 1-based)."""
    _check_factor("linalg_ldl_factor_ex", A)
    result = _factor(A, hermitian, check_errors, _FACTOR)
    return LdlExResult(*_write_all("linalg_ldl_factor_ex", result, out))


@op(None, public=False)
def linalg_ldl_factor(A, *, hermitian=False, out=None):
    """The compact LDL factorization of symmetric (Hermitian with ``hermitian``) ``A`` with
    its pivots; an exactly singular ``A`` is an error."""
    _check_factor("linalg_ldl_factor", A)
    ld, piv, _ = _factor(A, hermitian, True, "torch.linalg.ldl_factor")
    return LdlResult(*_write_all("linalg_ldl_factor", (ld, piv), out))


@op(None, public=False)
def linalg_ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """The solution ``X`` of ``A X = B`` from ``ldl_factor``'s ``LD`` and ``pivots``."""
    for i, (t, arg) in enumerate(((LD, "LD"), (pivots, "pivots"), (B, "B"))):
        tensor_arg("linalg_ldl_solve", t, arg, i + 1)
    ld, p, b = LD._data, pivots._data, B._data
    check_square(_SOLVE, LD)
    if tuple(p.shape) != tuple(ld.shape[:-1]):
        raise RuntimeError(
            f"{_SOLVE}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots "
            f"with shape {list(p.shape)} instead"
        )
    if p.dtype.kind not in "iu":
        raise RuntimeError(f"{_SOLVE}: Expected pivots to be integers. Got {type_word(pivots)}")
    if ld.dtype.kind not in "fc":
        raise RuntimeError(
            f"{_SOLVE}: Expected a floating point or complex tensor as input. Got {type_word(LD)}"
        )
    if b.dtype != ld.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {type_word(B)} and A "
            f"of type {type_word(LD)} instead."
        )
    if ld.dtype.name in ("float16", "bfloat16") and ld.size:
        raise not_implemented("ldl_solve_kernel_cpu", LD)
    if b.ndim < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(b.ndim, 1)}, "
            f"{max(b.ndim, 1) - 1}], but got -2)"
        )
    if b.shape[-2] != ld.shape[-1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for {_SOLVE}: each A matrix is {ld.shape[-1]} by "
            f"{ld.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    piv = Tensor._make(_np.asarray(p, dtype=_np.int64))
    result = LinalgLdlSolve.apply(LD, piv, B, bool(hermitian))
    if out is None:
        return result
    _out.check_out_tensors("linalg_ldl_solve", out, 1)
    return _out.write(out, result)


__all__ = public_names(__name__)
