"""Checks and gradients that several ops share through one helper give each op PyTorch's
own answer: index_add/index_copy bounds, the LDL square-matrix checks, masked_fill and
masked_scatter gradients, split's checks, and the Tensor operators built by factories."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import ember

from ._both import both

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["index_add", "index_copy"])
@pytest.mark.parametrize("index", [[0, 3], [-4, 1], [1, 2, 0]])
def test_index_add_and_copy_bounds_and_sizes(name, index):
    both(lambda t: getattr(t.zeros(3, 4), name)(0, t.tensor(index), t.ones(2, 4)))


@pytest.mark.parametrize("name", ["index_add_", "index_copy_"])
def test_index_add_and_copy_in_place_bounds(name):
    both(lambda t: getattr(t.zeros(3, 4), name)(1, t.tensor([4]), t.ones(3, 1)))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4)])
def test_ldl_square_checks(shape):
    for fn in (
        lambda t: t.linalg.ldl_factor(t.zeros(shape)),
        lambda t: t.linalg.ldl_factor_ex(t.zeros(shape)),
        lambda t: t.linalg.ldl_solve(
            t.zeros(shape), t.zeros(shape[:-1], dtype=t.int32), t.zeros(shape[-1], 1)
        ),
    ):
        err = both(fn)
        assert isinstance(err, RuntimeError)


@pytest.mark.parametrize("create_graph", [False, True])
def test_masked_fill_and_scatter_gradients(create_graph):
    rng = np.random.default_rng(0)
    x0, s0 = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    m0 = np.array([[True, False, True], [False, False, True]])
    got = []
    for lib in (ember, torch):
        x = lib.tensor(x0, requires_grad=True)
        s = lib.tensor(s0, requires_grad=True)
        v = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
        m = lib.tensor(m0)
        w = lib.arange(6.0, dtype=lib.float64).reshape(2, 3)
        y = (x.masked_fill(m, v) * w).sum() + (x.masked_scatter(m, s) * w * w).sum()
        gx, gv, gs = lib.autograd.grad(y, (x, v, s), create_graph=create_graph)
        got.append([g.detach().numpy() for g in (gx, gv, gs)])
    for e, t in zip(*got):
        np.testing.assert_allclose(e, t)


@pytest.mark.parametrize(
    "args", [(2,), (0,), (-1,), ([1, 2, 1],), ([1, -1, 4],), ([2, 2],), (2, 5), ([4], -1)]
)
def test_split_checks_and_pieces(args):
    both(lambda t: t.arange(12.0).reshape(3, 4).split(*args))


def test_split_of_a_0d_tensor():
    both(lambda t: t.tensor(1.0).split(1))
    both(lambda t: t.zeros(0, 3).split(0))


_OPS = [
    operator.floordiv, operator.mod, operator.pow, operator.and_, operator.or_, operator.xor,
    operator.lshift, operator.rshift, operator.eq, operator.ne, operator.lt, operator.le,
    operator.gt, operator.ge,
]  # fmt: skip


@pytest.mark.parametrize("op", _OPS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", ["int_int", "number_int", "float_number", "number_float"])
def test_operators_forward_and_reflected(op, case):
    def fn(t):
        a, b = t.tensor([[3, 5], [7, 2]]), t.tensor([[2, 3], [1, 2]])
        f = t.tensor([[1.5, 2.0], [3.0, -1.0]])
        x, y = {"int_int": (a, b), "number_int": (3, a), "float_number": (f, 2.0),
                "number_float": (2, f)}[case]  # fmt: skip
        return op(x, y)

    both(fn)


_IOPS = [
    operator.iadd, operator.isub, operator.imul, operator.ifloordiv, operator.imod,
    operator.ipow, operator.iand, operator.ior, operator.ixor, operator.ilshift,
    operator.irshift,
]  # fmt: skip


@pytest.mark.parametrize("op", _IOPS, ids=lambda f: f.__name__)
def test_in_place_operators(op):
    both(lambda t: op(t.tensor([[3, 5], [7, 2]]), t.tensor([[2, 3], [1, 2]])))


def test_in_place_matmul_and_operator_names():
    both(lambda t: operator.imatmul(t.eye(2) * 2, t.tensor([[1.0, 2.0], [3.0, 4.0]])))
    for name in ("__eq__", "__rpow__", "__ifloordiv__", "__rmatmul__"):
        method = getattr(ember.Tensor, name)
        assert method.__name__ == name and method.__doc__
