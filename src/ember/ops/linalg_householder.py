"""linalg.householder_product (and its old name ``orgqr``): the first ``n`` columns of the
product of Householder reflectors ``H_i = I - tau_i v_i v_i^H``, ``v_i`` the i-th column of
the input below the diagonal with a 1 on it.

The gradient differentiates the product reflector by reflector: with ``L_i`` the product
before ``H_i``, ``R_i`` the rest applied to the first columns of the identity and
``M_i = L_i^H G R_i^H``, ``d tau_i = -v_i^H M_i v_i`` and
``d v_i = -(conj(tau_i) M_i v_i + tau_i M_i^H v_i)``; it is written with Ember ops, so higher
orders follow.
"""

from __future__ import annotations

from ..autograd.node import Node
from ._binary import not_implemented, type_word
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, op, public_names

_NAME = "torch.linalg.householder_product"


def _reflectors(xp, a, k):
    """The unit lower-trapezoidal ``v`` vectors (the first ``k`` columns of ``a``)."""
    m = a.shape[-2]
    v = xp.tril(a[..., :k], -1)
    idx = xp.arange(min(m, k))
    v[..., idx, idx] = 1
    return v


def _h(x):
    return x.mT.conj() if x.is_complex() else x.mT


class LinalgHouseholderProduct(Node):
    """Q = (H_1 ... H_k)[:, :n]: d(A, tau) reflector by reflector"""

    def forward(self, a, tau):
        xp = self.xp
        m, n = a.shape[-2:]
        k = tau.shape[-1]
        self.save_for_backward(a, tau)
        v = _reflectors(xp, a, k)
        q = xp.broadcast_to(xp.eye(m, n, dtype=a.dtype), a.shape).copy()
        for i in range(k - 1, -1, -1):
            vi = v[..., :, i : i + 1]
            q = q - tau[..., i, None, None] * (vi @ (xp.conj(vi).swapaxes(-1, -2) @ q))
        return q

    def backward(self, grad):
        from .join import stack

        a, tau = self.saved_tensors
        m, n = a.shape[-2:]
        k = tau.shape[-1]
        if k == 0:  # Q is the identity's first columns; PyTorch leaves both grads undefined
            return None, None
        lead = tuple(a.shape[:-2])
        eye = a.new_zeros(lead + (m, m)) + _eye(a, m)
        vs = [_column(a, i) for i in range(k)]

        def reflector(i):
            return eye - tau[..., i, None, None] * (vs[i] @ _h(vs[i]))

        rights = [None] * k  # R_i = H_i+1 ... H_k E
        r = eye[..., :, :n]
        for i in range(k - 1, -1, -1):
            rights[i] = r
            r = reflector(i) @ r
        left = eye
        g_tau, g_v = [], []
        for i in range(k):
            mi = _h(left) @ grad @ _h(rights[i])
            v = vs[i]
            g_tau.append(-(_h(v) @ mi @ v)[..., 0, 0])
            t = tau[..., i, None, None]
            g_v.append(-((t.conj() if t.is_complex() else t) * (mi @ v) + t * (_h(mi) @ v))[..., 0])
            left = left @ reflector(i)
        ga = None
        if self.needs_input_grad[0]:
            gv = stack(g_v, -1).tril(-1)
            ga = _pad_columns(gv, n) if k < n else gv
        gt = stack(g_tau, -1) if self.needs_input_grad[1] else None
        return ga, gt


def _eye(a, m):
    from ..creation import eye

    return eye(m, dtype=a.dtype)


def _column(a, i):
    """v_i as an (..., m, 1) column: a's column i below the diagonal, 1 on it, 0 above."""
    m = a.shape[-2]
    col = a[..., :, i : i + 1]
    mask = a.new_zeros((m, 1))
    mask[i + 1 :] = 1
    unit = a.new_zeros((m, 1))
    unit[i] = 1
    return col * mask + unit


def _pad_columns(g, n):
    from .join import cat

    pad = g.new_zeros(tuple(g.shape[:-1]) + (n - g.shape[-1],))
    return cat([g, pad], -1)


def _check(input, tau):
    tensor_arg("linalg_householder_product", input, "input", 1)
    tensor_arg("linalg_householder_product", tau, "tau", 2)
    a, t = input._data, tau._data
    if a.ndim < 2:
        raise RuntimeError(f"{_NAME}: input must have at least 2 dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise RuntimeError(
            f"{_NAME}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if t.ndim and a.shape[-1] < t.shape[-1]:
        raise RuntimeError(
            f"{_NAME}: input.shape[-1] must be greater than or equal to tau.shape[-1]"
        )
    if t.ndim != a.ndim - 1:
        raise RuntimeError(
            f"{_NAME}: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {t.ndim} and input.ndim is equal to {a.ndim}"
        )
    if tuple(t.shape[:-1]) != tuple(a.shape[:-2]):
        raise RuntimeError(
            f"{_NAME}: Expected batch dimensions of tau to be equal to input.shape[:-2], but "
            f"got {list(t.shape[:-1])}"
        )
    if a.dtype.kind not in "fc" or a.dtype.name in ("float16", "bfloat16"):
        raise not_implemented("orgqr_cpu", input)
    if t.dtype != a.dtype:
        raise RuntimeError(
            f"{_NAME}: tau dtype {type_word(tau)} does not match input dtype {type_word(input)}"
        )


def _spec(name, fn, samples):
    return OpSpec(name, fn, samples, shapes=None)


@op(
    LinalgHouseholderProduct,
    public=False,
    vmap=LOOP,
    spec=(
        _spec(
            "linalg_householder_product",
            lambda t, a, tau: t.linalg.householder_product(a, tau),
            [((4, 3), (2,)), ((3, 3), (3,)), ((2, 5, 3), (2, 3)), ((3, 2), (0,))],
        ),
    ),
)
def linalg_householder_product(input, tau, *, out=None):
    """The first ``n`` columns of the product of the Householder reflectors stored in
    ``input`` (below the diagonal) with scales ``tau``."""
    from ._results import write_out

    _check(input, tau)
    result = LinalgHouseholderProduct.apply(input, tau)
    return write_out("linalg_householder_product", result, out, input, tau)


@op(None, methods="orgqr")
def orgqr(input, tau):
    """``linalg.householder_product`` under LAPACK's name."""
    return linalg_householder_product(input, tau)


__all__ = public_names(__name__)
