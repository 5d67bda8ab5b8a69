"""scatter_reduce and index_reduce against PyTorch: integer and bool dtypes, in-place
forms, PyTorch's errors, and the gradients' special cases (zeros in prod, ties in amax,
the ``"max"`` spelling, double backward with two zeros, a src larger than the index)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

SCATTER_REDUCES = ["sum", "prod", "mean", "amax", "amin"]
INDEX_REDUCES = ["prod", "mean", "amax", "amin"]


def _both(fn, *arrays):
    """``fn(lib, *tensors)`` on both libraries (arrays converted for each)."""
    out = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(fn(lib, *[lib.tensor(a) for a in arrays]))
    return out


def _raises_same(fn, *arrays):
    errors = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                fn(lib, *[lib.tensor(a) for a in arrays])
        errors.append(info.value)
    e, t = errors
    assert type(e) is type(t)
    assert str(e).startswith(str(t))


@pytest.mark.parametrize("dtype", ["int64", "uint8", "float32", "float16"])
@pytest.mark.parametrize("reduce", SCATTER_REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_values_by_dtype(dtype, reduce, include_self):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 9, (3, 4)).astype(dtype)
    src = rng.integers(0, 9, (2, 4)).astype(dtype)
    idx = np.array([[0, 2, 0, 0], [0, 0, 1, 2]])
    e, t = _both(
        lambda lib, a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
        x,
        src,
        idx,
    )
    assert e.dtype == getattr(ember, dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_scatter_reduce_integer_mean_rounds_down():
    e, t = _both(
        lambda lib, a, b, i: a.scatter_reduce(0, i, b, "mean"),
        np.array([-7, 5]),
        np.array([2, 0]),
        np.array([0, 0]),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("reduce", ["sum", "prod", "amax", "amin"])
def test_scatter_reduce_bool(reduce):
    e, t = _both(
        lambda lib, a, b, i: a.scatter_reduce(0, i, b, reduce),
        np.array([True, False, False]),
        np.array([True, False, True]),
        np.array([1, 1, 2]),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("reduce", SCATTER_REDUCES + ["max"])
def test_scatter_reduce_complex(reduce):
    def f(lib, a, b, i):
        return lib.view_as_real(a.scatter_reduce(0, i, b, reduce))

    args = np.array([[1 + 2j, 3 - 1j], [0.5j, 2]]), np.array([[2 - 1j, 1j]]), np.array([[1, 0]])
    if reduce in ("amax", "amin", "max"):
        _raises_same(f, *args)
    else:
        e, t = _both(f, *args)
        np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize("reduce", INDEX_REDUCES)
@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_index_reduce_complex(reduce, shape):
    def f(lib, a, b, i):
        return lib.view_as_real(a.index_reduce(0, i, b, reduce))

    a = np.arange(int(np.prod(shape))).reshape(shape) * (1 + 0.5j)
    args = a, a[:1] * 1j, np.array([1])
    if len(shape) == 1 or reduce in ("amax", "amin"):
        _raises_same(f, *args)
    else:
        e, t = _both(f, *args)
        np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, z, s: z.scatter_reduce(0, lib.tensor([[0, 1]]), s, "sum"),
        lambda lib, z, s: z.index_reduce(0, lib.tensor([0]), s, "prod"),
    ],
)
def test_complex_gradients_are_refused_as_in_pytorch(call):
    messages = []
    for lib in (ember, torch):
        z = lib.ones(2, 2, dtype=lib.complex128, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as info:
                call(lib, z, lib.ones(1, 2, dtype=lib.complex128))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_scatter_reduce_nan_propagates_and_zero_d():
    nan = float("nan")
    e, t = _both(
        lambda lib, a, b, i: a.scatter_reduce(0, i, b, "amax"),
        np.array([1.0, nan]),
        np.array([nan, 3.0]),
        np.array([0, 1]),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e, t = _both(
        lambda lib, a, b, i: a.scatter_reduce(0, i, b, "prod"),
        np.array(2.0),
        np.array(3.0),
        np.array(0),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("spelling", ["max", "min"])
def test_scatter_reduce_max_spelling_computes_but_has_no_gradient(spelling):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor([1.0, 5.0, 3.0], requires_grad=True)
        y = x.scatter_reduce(0, lib.tensor([0, 0, 1]), lib.tensor([4.0, -1.0, 2.0]), spelling)
        assert y.grad_fn.name() == "ScatterReduceBackward0"
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
        outs.append((y.detach().numpy(), str(info.value)))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    assert outs[0][1] == outs[1][1]


def test_scatter_reduce_inplace_and_out():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0, 3.0])
        r = x.scatter_reduce_(0, lib.tensor([2, 2]), lib.tensor([4.0, 5.0]), "amin")
        assert r is x and x._version == 1
        assert x.tolist() == [1.0, 2.0, 3.0]
        o = lib.empty(3)
        r = lib.scatter_reduce(x, 0, lib.tensor([0]), lib.tensor([9.0]), "sum", out=o)
        assert r is o and o.tolist() == [10.0, 2.0, 3.0]


SCATTER_ERRORS = [
    lambda lib, x, s, i: x.scatter_reduce(0, i, s, "add"),
    lambda lib, x, s, i: x.scatter_reduce(0, i, s, None),
    lambda lib, x, s, i: x.scatter_reduce(0, i, s.float(), "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, i.float(), s, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, i + 5, s, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, i[0], s, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, lib.zeros(4, 4, dtype=lib.long), s, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, i, 2.0, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(2, i, s, "sum"),
    lambda lib, x, s, i: x.scatter_reduce(0, i, s, "sum", include_self=1),
    lambda lib, x, s, i: (x > 0).scatter_reduce(0, i, s > 0, "mean"),
]


@pytest.mark.parametrize("call", SCATTER_ERRORS)
def test_scatter_reduce_errors_match_pytorch(call):
    _raises_same(call, np.ones((3, 4)), np.ones((2, 4)), np.array([[0, 2, 0, 0], [0, 0, 1, 2]]))


def _grads(lib, fn, *arrays, create_graph=False):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    y = fn(lib, *ts)
    return y, lib.autograd.grad(y.sum(), ts, create_graph=create_graph)


def test_prod_gradient_with_zeros_and_double_backward_error():
    idx = np.array([0, 0, 1])

    def fn(lib, a, s):
        return a.scatter_reduce(0, lib.tensor(idx), s, "prod")

    results = []
    for lib in (ember, torch):
        _, (ga, gs) = _grads(
            lib, fn, np.array([2.0, 3.0]), np.array([0.0, 0.0, 4.0]), create_graph=True
        )
        assert gs.grad_fn.name() == "torch::autograd::Error"
        with pytest.raises(RuntimeError) as info:
            gs.sum().backward()
        results.append((ga.detach().numpy(), gs.detach().numpy(), str(info.value)))
    for e, t in zip(*results):
        np.testing.assert_array_equal(e, t) if not isinstance(e, str) else None
    assert results[0][2] == results[1][2]


def test_amax_ties_share_the_gradient():
    def fn(lib, a, s):
        return a.scatter_reduce(0, lib.tensor([0, 0, 1]), s, "amax")

    (_, e), (_, t) = (
        _grads(lib, fn, np.array([4.0, 1.0]), np.array([4.0, 4.0, 1.0])) for lib in (ember, torch)
    )
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.numpy(), b.numpy())


def test_src_larger_than_index_has_no_gradient_as_in_pytorch():
    def fn(lib, a, s):
        return a.scatter_reduce(0, lib.tensor([[0, 1]]), s, "sum")

    messages = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as info:
            _grads(lib, fn, np.ones((2, 2)), np.ones((2, 3)))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("reduce", INDEX_REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_values(dtype, reduce, include_self):
    rng = np.random.default_rng(2)
    x = rng.integers(-5, 9, (3, 4)).astype(dtype)
    src = rng.integers(-5, 9, (3, 5)).astype(dtype)
    e, t = _both(
        lambda lib, a, b, i: a.index_reduce(1, i, b, reduce, include_self=include_self),
        x,
        src,
        np.array([3, 0, 3, 1, 3]),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
def test_index_reduce_bool_matrices(reduce):
    e, t = _both(
        lambda lib, a, b, i: a.index_reduce(1, i, b, reduce),
        np.array([[True, False, True], [False, False, True]]),
        np.array([[True, True], [False, True]]),
        np.array([0, 0]),
    )
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_index_reduce_inplace_and_zero_d():
    x = ember.full((5, 3), 2.0)
    src = ember.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]])
    r = x.index_reduce_(0, ember.tensor([0, 4, 2, 0]), src, "prod", include_self=False)
    assert r is x
    assert x.tolist() == [[10.0, 22, 36], [2, 2, 2], [7, 8, 9], [2, 2, 2], [4, 5, 6]]
    e, t = _both(
        lambda lib, a, b, i: a.index_reduce(0, i, b, "prod"),
        np.array(2.0),
        np.array(3.0),
        np.array(0),
    )
    assert e.item() == t.item()


INDEX_ERRORS = [
    lambda lib, x, s, i: x.index_reduce(1, i, s, "sum"),
    lambda lib, x, s, i: x.index_reduce(1, i.float(), s, "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i[None], s, "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i, s.float(), "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i[:2], s, "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i, s[:2], "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i, s[0], "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i + 4, s, "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i, 2.0, "prod"),
    lambda lib, x, s, i: x.index_reduce(3, i, s, "prod"),
    lambda lib, x, s, i: x.index_reduce(1, i, s, "prod", include_self=1),
    lambda lib, x, s, i: x[0].index_reduce(0, lib.tensor(1), lib.tensor(5.0).double(), "prod"),
    lambda lib, x, s, i: (x[0] > 0).index_reduce(0, i, s[0] > 0, "amax"),
    lambda lib, x, s, i: (x > 0).index_reduce(1, i, s > 0, "mean"),
]


@pytest.mark.parametrize("call", INDEX_ERRORS)
def test_index_reduce_errors_match_pytorch(call):
    _raises_same(call, np.ones((3, 4)), np.ones((3, 3)), np.array([0, 2, 0]))
