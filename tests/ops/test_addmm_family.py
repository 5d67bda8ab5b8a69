"""addbmm, addr and the in-place forms of the add* product family, against PyTorch."""

import numpy as np
import pytest

from ._both import both, grads, torch

R = np.random.default_rng(0)
C, A, B = R.standard_normal((3, 2)), R.standard_normal((4, 3, 5)), R.standard_normal((4, 5, 2))
U, V = R.standard_normal(3), R.standard_normal(2)


def t(lib, a, dtype=None):
    return lib.tensor(a, dtype=dtype or lib.float32)


def test_addbmm_values_grads_and_scalars():
    both(lambda lib: lib.addbmm(t(lib, C), t(lib, A), t(lib, B)), rtol=1e-5, atol=1e-5)
    both(lambda lib: t(lib, C).addbmm(t(lib, A), t(lib, B), beta=0, alpha=2), rtol=1e-5)
    both(lambda lib: lib.addbmm(t(lib, C[0]), t(lib, A), t(lib, B), beta=0.5), rtol=1e-5)
    ints = lambda lib, a: lib.tensor(np.round(a * 3), dtype=lib.int64)  # noqa: E731
    both(lambda lib: lib.addbmm(ints(lib, C), ints(lib, A), ints(lib, B), alpha=2))
    grads(lambda lib, c, a, b: lib.addbmm(c, a, b, beta=0.5, alpha=3), C, A, B)


@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 2), (4, 3, 5), (4, 4, 2)),
        ((3, 2), (4, 3, 5), (3, 5, 2)),
        ((3, 3), (4, 3, 5), (4, 5, 2)),
    ],
)
def test_addbmm_shape_errors(shapes):
    both(lambda lib: lib.addbmm(*(lib.zeros(s) for s in shapes)))


def test_addbmm_dtype_errors_and_out():
    both(lambda lib: lib.addbmm(t(lib, C, lib.float64), t(lib, A), t(lib, B)))
    both(lambda lib: lib.addbmm(t(lib, C), t(lib, A, lib.float64), t(lib, B)))
    both(lambda lib: lib.addbmm(t(lib, C), t(lib, A), t(lib, B), out=lib.zeros(3, 2)), rtol=1e-5)
    both(lambda lib: lib.addbmm(t(lib, C), t(lib, A), t(lib, B), out=lib.zeros(3, 2).double()))


def test_addr_values_promotion_and_errors():
    both(lambda lib: lib.addr(t(lib, C), t(lib, U), t(lib, V), beta=2, alpha=-1))
    both(lambda lib: lib.addr(t(lib, C[0]), t(lib, U, lib.float64), t(lib, V)))
    both(lambda lib: lib.addr(lib.ones(3, 2, dtype=lib.int64), lib.ones(3), lib.ones(2)))
    both(
        lambda lib: lib.addr(
            lib.ones(3, 2, dtype=lib.int64),
            lib.ones(3, dtype=lib.int64),
            lib.ones(2, dtype=lib.int64),
            beta=2,
            alpha=3,
        )
    )
    both(
        lambda lib: lib.addr(
            lib.ones(3, 2, dtype=lib.int64),
            lib.ones(3, dtype=lib.int64),
            lib.ones(2, dtype=lib.int64),
            beta=2.5,
        )
    )
    both(
        lambda lib: lib.addr(
            lib.ones(3, 2, dtype=lib.bool),
            lib.ones(3, dtype=lib.bool),
            lib.zeros(2, dtype=lib.bool),
            beta=0,
        )
    )
    both(lambda lib: lib.addr(t(lib, C), t(lib, C), t(lib, V)))
    both(lambda lib: lib.addr(t(lib, C), t(lib, U), t(lib, C)))
    both(lambda lib: lib.addr(lib.zeros(3, 3), t(lib, U), t(lib, V)))
    both(lambda lib: lib.addr(t(lib, C), t(lib, U), t(lib, V), out=lib.zeros(3, 2).double()))
    grads(lambda lib, c, u, v: lib.addr(c, u, v, beta=0.5, alpha=3), C[:, :1], U, V)


def test_addr_complex():
    cu, cv = U + 1j * U[::-1], V - 2j * V
    both(
        lambda lib: lib.addr(lib.zeros(3, 2, dtype=lib.complex128), lib.tensor(cu), lib.tensor(cv)),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, s: s.addmm_(t(lib, A[0]), t(lib, B[0]), beta=0.5, alpha=2),
        lambda lib, s: s.addbmm_(t(lib, A), t(lib, B)),
        lambda lib, s: s.addr_(t(lib, U), t(lib, V), alpha=2),
        lambda lib, s: s.addr_(t(lib, U, lib.float64), t(lib, V)),
        lambda lib, s: s[:, 0].addmv_(t(lib, A[0]), t(lib, B[0, :, 0])),
        lambda lib, s: lib.addmv_(s[:, 1], t(lib, A[0]), t(lib, B[0, :, 0]), beta=3),
        lambda lib, s: s.unsqueeze(0).baddbmm_(t(lib, A[:1]), t(lib, B[:1])),
    ],
)
def test_inplace_forms_write_into_self(call):
    def run(lib):
        s = t(lib, C).clone()
        r = call(lib, s)
        return s, r

    both(run, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, s: s.addmm_(t(lib, A[0]), t(lib, B[0])),
        lambda lib, s: s[:, 0].addmv_(t(lib, A[0]), t(lib, B[0, :, 0])),
        lambda lib, s: s.unsqueeze(0).baddbmm_(t(lib, A[:1]), t(lib, B[:1])),
        lambda lib, s: s.addr_(t(lib, U), t(lib, V)),
        lambda lib, s: s.int().addmm_(t(lib, A[0]), t(lib, B[0, :, :1])),
        lambda lib, s: s.long().addr_(t(lib, U), t(lib, V[:1])),
    ],
)
def test_inplace_shape_and_dtype_errors(call):
    both(lambda lib: call(lib, t(lib, C[:1, :1]).expand(3, 1).clone()))


def test_inplace_records_the_op_and_refuses_leaves():
    import ember

    for lib in (ember, torch):
        m = t(lib, A[0]).requires_grad_()
        s = t(lib, C).clone().addmm_(m, t(lib, B[0]))
        assert type(s.grad_fn).__name__ == "AddmmBackward0"
        with pytest.raises(RuntimeError, match="leaf Variable"):
            t(lib, C).requires_grad_().addr_(t(lib, U), t(lib, V))
    grads(lambda lib, c, u: (c * 1).addr_(u, lib.ones(2, dtype=c.dtype)), C, U)
