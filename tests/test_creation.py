"""Tensor factories and random numbers against PyTorch (SPEC rules 5, 23 and 33)."""

import warnings

import numpy as np
import pytest
import torch

import ember


def _raises_like_torch(fn):
    """``fn(lib)`` raises the same exception type in both, and Ember's text starts with torch's."""
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)) as got:
        fn(ember)
    torch_text = str(want.value).split("\n")[0].split("  (Could this error")[0]
    assert str(got.value).startswith(torch_text), (str(got.value), torch_text)


def _same(fn, exact=True):
    """``fn(lib)`` gives the same dtype, shape and values in both libraries."""
    e, t = fn(ember), fn(torch)
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    a, b = e.detach().numpy(), t.detach().numpy()
    if exact or a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b)
    else:
        # Last-bit differences only (PyTorch's vectorised kernels round differently).
        eps = np.finfo(a.dtype).eps * 4
        np.testing.assert_allclose(a, b, rtol=eps, atol=eps * np.abs(b).max(initial=1.0))
    assert e.requires_grad == t.requires_grad


# ----- tensor(): SPEC rule 23 ------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "want"),
    [
        ([1.0, 2.0], "float32"),
        (1, "int64"),
        (True, "bool"),
        ([1, 2.5], "float32"),
        ([True, 2], "int64"),
        ([True, 1.5], "float32"),
        (1 + 2j, "complex64"),
        (np.array([1.0, 2.0]), "float64"),
        (np.array([1, 2], np.int32), "int32"),
        (np.array(1.5), "float64"),
        (np.float64(2.0), "float64"),
        (np.float32(2.0), "float32"),
        ([np.float64(1.0)], "float64"),
        ([np.float32(1.0), np.float64(1.0)], "float64"),
        ([np.int32(2), 1], "int64"),
        ([np.int32(2)], "int32"),
        ([np.int32(2), 1.5], "float32"),
        ([np.float16(2), 1.0], "float32"),
        ([np.bool_(True)], "bool"),
        ((1, 2), "int64"),
        (range(3), "int64"),
        ([], "float32"),
        ([[]], "float32"),
        ([[1, 2], [3, 4]], "int64"),
        ([1, 2**40], "int64"),
    ],
)
def test_tensor_dtype_inference(data, want):
    _same(lambda lib: lib.tensor(data))
    assert str(ember.tensor(data).dtype) == f"torch.{want}"


def test_tensor_of_zero_dim_tensors():
    _same(lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]))
    _same(lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), 2]))
    _same(lambda lib: lib.tensor([lib.tensor(1.0, dtype=lib.float64), 2]))


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([[1, 2], [3, 4]], "float64"),
        ([1.7, -1.7], "int64"),
        (3.5, "int32"),
        ([1, 0, 2], "bool"),
        (np.array([[1, 2]], np.int32), "float64"),
        ([0.1, 0.2], "float16"),
        ([-1, 2], "uint8"),
        (-1, "uint8"),
    ],
)
def test_tensor_with_dtype(data, dtype):
    _same(lambda lib: lib.tensor(data, dtype=getattr(lib, dtype)))


def test_tensor_copies_but_from_numpy_and_as_tensor_share():
    a = np.array([1.0, 2.0])
    t = ember.tensor(a)
    f = ember.from_numpy(a)
    s = ember.as_tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    assert f.tolist() == [9.0, 2.0] and s.tolist() == [9.0, 2.0]
    f[1] = 7.0
    assert a[1] == 7.0
    assert f.dtype is ember.float64 and s.dtype is ember.float64  # SPEC rule 23


def test_as_tensor_converts_and_passes_tensors_through():
    t = ember.tensor([1.0, 2.0])
    assert ember.as_tensor(t) is t
    _same(lambda lib: lib.as_tensor([1, 2]))
    _same(lambda lib: lib.as_tensor(np.array([1.0, 2.0]), dtype=lib.float32))
    _same(lambda lib: lib.as_tensor(range(3)))


def test_from_numpy_rejects_non_arrays():
    _raises_like_torch(lambda lib: lib.from_numpy([1, 2]))


def test_tensor_from_tensor_warns_and_copies():
    src = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(
        UserWarning,
        match="To copy construct from a tensor, it is recommended to use "
        r"sourceTensor.detach\(\).clone\(\)",
    ):
        t = ember.tensor(src)
    assert not t.requires_grad and t.is_leaf
    t[0] = 5.0
    assert src.tolist() == [1.0, 2.0]
    with pytest.warns(UserWarning):
        assert ember.tensor(ember.tensor([1, 2]), dtype=ember.float32).dtype is ember.float32


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.tensor([[1, 2], [3]]),
        lambda lib: lib.tensor([[1, 2], 3]),
        lambda lib: lib.tensor([1, "a"]),
        lambda lib: lib.tensor(None),
        lambda lib: lib.tensor([1, None]),
        lambda lib: lib.tensor({1: 2}),
        lambda lib: lib.tensor([lib.tensor([1.0, 2.0])]),
        lambda lib: lib.tensor(2**64),
    ],
)
def test_tensor_bad_data_errors(fn):
    _raises_like_torch(fn)


# ----- requires_grad: SPEC rule 5 -------------------------------------------------------
_GRAD_MSG = "Only Tensors of floating point and complex dtype can require gradients"


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.tensor([1, 2], requires_grad=True),
        lambda lib: lib.tensor(True, requires_grad=True),
        lambda lib: lib.arange(4, requires_grad=True),
        lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
        lambda lib: lib.ones(2, dtype=lib.bool, requires_grad=True),
        lambda lib: lib.empty(2, 3, dtype=lib.int64, requires_grad=True),
        lambda lib: lib.full((2,), 7, requires_grad=True),
        lambda lib: lib.zeros_like(lib.ones(2), dtype=lib.int64, requires_grad=True),
        lambda lib: lib.ones_like(lib.ones(2, dtype=lib.int32), requires_grad=True),
        lambda lib: lib.eye(2, dtype=lib.int64, requires_grad=True),
        lambda lib: lib.randint(5, (2,), requires_grad=True),
        lambda lib: lib.randperm(3, requires_grad=True),
    ],
)
def test_requires_grad_on_integer_factories_raises(fn):
    with pytest.raises(RuntimeError, match=_GRAD_MSG):
        fn(ember)
    with pytest.raises(RuntimeError, match=_GRAD_MSG):
        fn(torch)


def test_requires_grad_on_float_factories_gives_leaves():
    for t in (
        ember.tensor([1.0], requires_grad=True),
        ember.zeros(2, requires_grad=True),
        ember.ones((2, 2), requires_grad=True),
        ember.arange(3.0, requires_grad=True),
        ember.linspace(0, 1, 3, requires_grad=True),
        ember.eye(2, requires_grad=True),
        ember.full((2,), 1.5, requires_grad=True),
        ember.rand(2, requires_grad=True),
        ember.randn(2, requires_grad=True),
        ember.zeros_like(ember.ones(2), requires_grad=True),
    ):
        assert t.requires_grad and t.is_leaf and t.grad_fn is None


def test_int_requires_grad_method_has_its_own_message():
    with pytest.raises(
        RuntimeError, match="only Tensors of floating point dtype can require gradients"
    ):
        ember.tensor([1, 2]).requires_grad_()


# ----- zeros / ones / empty / full ------------------------------------------------------
@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((2, 3), {}),
        (((2, 3),), {}),
        (([2, 3],), {}),
        ((), {"size": (2, 3)}),
        (((),), {}),
        ((0,), {}),
        ((2,), {"dtype": "int32"}),
        ((2, 2), {"dtype": "bool"}),
        ((3,), {"dtype": "float64"}),
        ((np.int64(2), 3), {}),
    ],
)
def test_zeros_ones_forms(name, args, kwargs):
    def fn(lib):
        kw = dict(kwargs)
        if "dtype" in kw:
            kw["dtype"] = getattr(lib, kw["dtype"])
        return getattr(lib, name)(*args, **kw)

    _same(fn)


def test_empty_shapes_and_dtypes():
    for lib_args in [(2, 3), ((2, 3),), ((0,),)]:
        e, t = ember.empty(*lib_args), torch.empty(*lib_args)
        assert tuple(e.shape) == tuple(t.shape) and e.dtype is ember.float32
    assert ember.empty(size=(4,)).shape == (4,)
    assert ember.empty(2, dtype=ember.int16).dtype is ember.int16


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.zeros(-1),
        lambda lib: lib.zeros(2, -3),
        lambda lib: lib.zeros((2, -1)),
        lambda lib: lib.ones(-1),
        lambda lib: lib.ones(-1, -2),
        lambda lib: lib.empty(-1),
        lambda lib: lib.full((-1,), 1.0),
        lambda lib: lib.rand(-1),
        lambda lib: lib.randn(2, -1),
        lambda lib: lib.randint(3, (-1,)),
        lambda lib: lib.randperm(-1),
        lambda lib: lib.eye(-1),
        lambda lib: lib.eye(2, -1),
    ],
)
def test_negative_sizes_raise_like_torch(fn):
    _raises_like_torch(fn)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.zeros(2.5),
        lambda lib: lib.ones(2.5),
        lambda lib: lib.zeros(True),
        lambda lib: lib.zeros("a"),
        lambda lib: lib.zeros((2.5,)),
        lambda lib: lib.zeros([2, 2.5]),
        lambda lib: lib.ones(2, 2.5),
        lambda lib: lib.zeros(2, (3,)),
        lambda lib: lib.zeros(lib.tensor(3.0)),
        lambda lib: lib.zeros(2, size=(3,)),
        lambda lib: lib.zeros(size=4),
        lambda lib: lib.rand(2.5),
        lambda lib: lib.full(2, 1.0),
        lambda lib: lib.full((2.5,), 1),
        lambda lib: lib.randint(3, 2),
        lambda lib: lib.randint(3, (2.5,)),
        lambda lib: lib.eye(2.5),
        lambda lib: lib.linspace(0, 1, 2.5),
    ],
)
def test_bad_size_types_raise_type_error(fn):
    with pytest.raises(TypeError):
        fn(torch)
    with pytest.raises(TypeError):
        fn(ember)


def test_size_type_error_texts():
    for fn in [
        lambda lib: lib.zeros(2.5),
        lambda lib: lib.zeros([2, 2.5]),
        lambda lib: lib.zeros((2.5, 2)),
        lambda lib: lib.full(2, 1.0),
        lambda lib: lib.randint(3, 2),
        lambda lib: lib.eye(2.5),
    ]:
        _raises_like_torch(fn)


def test_zeros_of_a_zero_dim_int_tensor():
    _same(lambda lib: lib.zeros(lib.tensor(3)))


@pytest.mark.parametrize(
    ("size", "value", "dtype"),
    [
        ((2, 3), 1.5, None),
        ((2, 3), 7, None),
        ((2,), True, None),
        ([2], 7, "float64"),
        ((), 2.0, None),
        ((2,), 1.5, "int64"),
        ((2,), 1.5, "bool"),
        ((2,), -1, "uint8"),
        ((2, True), 1.0, None),
        ((2,), 1 + 1j, None),
    ],
)
def test_full(size, value, dtype):
    def fn(lib):
        kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        return lib.full(size, value, **kw)

    _same(fn)


def test_full_with_tensor_value():
    _same(lambda lib: lib.full((2,), lib.tensor(3.0)))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int32)),
        lambda lib: lib.ones_like(lib.ones(2, 3), dtype=lib.float64),
        lambda lib: lib.ones_like(lib.ones((), dtype=lib.bool)),
        lambda lib: lib.full_like(lib.ones(2, 3, dtype=lib.int32), 2.7),
        lambda lib: lib.full_like(lib.ones(2), 2.7),
        lambda lib: lib.full_like(lib.ones(2), 3, dtype=lib.int64),
        lambda lib: lib.zeros_like(lib.ones(2), requires_grad=True),
    ],
)
def test_like_factories(fn):
    _same(fn)


def test_empty_like_and_like_of_empty():
    e = ember.empty_like(ember.ones(2, 3, dtype=ember.float64))
    assert e.shape == (2, 3) and e.dtype is ember.float64
    _same(lambda lib: lib.zeros_like(lib.ones(0, 3)))


def test_out_argument_writes_into_the_given_tensor():
    out = ember.ones(2, 3)
    r = ember.zeros(2, 3, out=out)
    assert r is out and out.tolist() == [[0.0] * 3] * 2
    r = ember.arange(4.0, out=out)
    assert r is out and out.tolist() == [0.0, 1.0, 2.0, 3.0]


# ----- arange / linspace / logspace / eye -----------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((5,), {}),
        ((5.0,), {}),
        ((1, 4), {}),
        ((10, 0, -3), {}),
        ((5,), {"dtype": "float32"}),
        ((0, 5, 1), {"dtype": "float16"}),
        ((0.5, 3), {"dtype": "int64"}),
        ((-5, 5, 2.5), {"dtype": "int64"}),
        ((0.5, 3.7, 1.5), {"dtype": "int64"}),
        ((-0.5, 3, 1), {"dtype": "int64"}),
        ((0, 5, 2.5), {}),
        ((1, 2.5), {}),
        ((0,), {}),
        ((1e20, 1e20 + 1), {}),
        ((np.int64(3),), {}),
    ],
)
def test_arange_exact(args, kwargs):
    def fn(lib):
        kw = {k: getattr(lib, v) for k, v in kwargs.items()}
        return lib.arange(*args, **kw)

    _same(fn)


@pytest.mark.parametrize(
    "args",
    [(0, 1, 0.1), (-1.5, 1.5, 0.25), (0.1, 0.5, 0.1), (0, 1, 1 / 3), (24.8, -45.6, -1.223)],
)
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_arange_float_values(args, dtype):
    def fn(lib):
        return lib.arange(*args, **({} if dtype is None else {"dtype": getattr(lib, dtype)}))

    _same(fn, exact=False)


def test_arange_of_a_tensor_bound():
    _same(lambda lib: lib.arange(lib.tensor(3)))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.arange(0, 10, 0),
        lambda lib: lib.arange(0, 10, -1),
        lambda lib: lib.arange(5, 1),
        lambda lib: lib.arange(4.39, -40.3, 0.79, dtype=lib.int64),
        lambda lib: lib.arange(0, 3, 0.5, dtype=lib.int64),
        lambda lib: lib.arange(float("inf")),
        lambda lib: lib.arange(0, 1, float("nan")),
        lambda lib: lib.arange(3, dtype=lib.bool),
    ],
)
def test_arange_errors(fn):
    _raises_like_torch(fn)


@pytest.mark.parametrize(
    ("args", "dtype"),
    [
        ((0, 1, 5), None),
        ((0, 1, 1), None),
        ((0, 1, 0), None),
        ((3, -3, 4), None),
        ((-1, 1, 7), "float64"),
        ((17.0, -5.0, 43), "float16"),
        ((0, 10, 5), "int64"),
        ((0, 10, 4), "int32"),
        ((-22.1, 42.15, 59), "int64"),
        ((55.06, 0.82, 29), "uint8"),
        ((5, 5.5, 1), None),
        ((-84.43, 91.7, 34), "float32"),
    ],
)
def test_linspace_bit_exact(args, dtype):
    def fn(lib):
        return lib.linspace(*args, **({} if dtype is None else {"dtype": getattr(lib, dtype)}))

    _same(fn)


def test_linspace_random_endpoints_bit_exact():
    rng = np.random.default_rng(7)
    for name in ("float32", "float64", "int64"):
        for _ in range(40):
            a, b = rng.uniform(-100, 100, 2)
            n = int(rng.integers(2, 50))
            _same(lambda lib, a=a, b=b, n=n, d=name: lib.linspace(a, b, n, dtype=getattr(lib, d)))


def test_linspace_of_tensor_endpoints():
    _same(lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 3))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.linspace(0, 1, -1),
        lambda lib: lib.linspace(0, 1, 3, dtype=lib.bool),
    ],
)
def test_linspace_errors(fn):
    _raises_like_torch(fn)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.logspace(0, 2, 3),
        lambda lib: lib.logspace(0, 2, 3, base=2),
        lambda lib: lib.logspace(-1, 1, 5, dtype=lib.float64),
        lambda lib: lib.logspace(0, 2, 3, dtype=lib.int64),
    ],
)
def test_logspace(fn):
    _same(fn, exact=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.eye(3),
        lambda lib: lib.eye(2, 3),
        lambda lib: lib.eye(n=2, m=4),
        lambda lib: lib.eye(3, dtype=lib.int64),
        lambda lib: lib.eye(2, dtype=lib.bool),
        lambda lib: lib.eye(0),
    ],
)
def test_eye(fn):
    _same(fn)


def test_legacy_tensor_constructor():
    _same(lambda lib: lib.Tensor([1, 2]))
    _same(lambda lib: lib.Tensor((2, 3)))
    _same(lambda lib: lib.Tensor(np.array([1, 2])))
    _same(lambda lib: lib.Tensor())
    e, t = ember.Tensor(2, 3), torch.Tensor(2, 3)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype is ember.float32


# ----- random ---------------------------------------------------------------------------
def test_manual_seed_reproduces_every_factory():
    def draw():
        return [
            ember.rand(3).tolist(),
            ember.randn(2, 2).tolist(),
            ember.randint(0, 10, (4,)).tolist(),
            ember.randperm(5).tolist(),
            ember.normal(0.0, 1.0, (2,)).tolist(),
            ember.bernoulli(ember.full((4,), 0.5)).tolist(),
            ember.multinomial(ember.tensor([0.2, 0.3, 0.5]), 2).tolist(),
            ember.empty(3).uniform_().tolist(),
        ]

    ember.manual_seed(123)
    first = draw()
    ember.manual_seed(123)
    assert draw() == first
    ember.manual_seed(124)
    assert draw() != first


def test_manual_seed_returns_the_default_generator():
    g = ember.manual_seed(5)
    assert g is ember.default_generator
    assert ember.initial_seed() == 5
    assert ember.default_generator.initial_seed() == 5


def test_generators_are_independent_of_the_default_stream():
    g = ember.Generator().manual_seed(7)
    a = ember.rand(4, generator=g).tolist()
    ember.manual_seed(0)
    ember.rand(100)  # moving the default stream does not move g
    g2 = ember.Generator().manual_seed(7)
    assert ember.rand(4, generator=g2).tolist() == a
    ember.manual_seed(0)
    x = ember.rand(3).tolist()
    ember.manual_seed(0)
    ember.rand(5, generator=ember.Generator().manual_seed(1))  # other generators leave it
    assert ember.rand(3).tolist() == x
    assert ember.Generator().manual_seed(3).initial_seed() == 3


def test_rng_state_round_trip():
    ember.manual_seed(11)
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8 and state.dim() == 1
    a = ember.randn(5).tolist()
    ember.set_rng_state(state)
    assert ember.randn(5).tolist() == a
    g = ember.Generator()
    s = g.get_state()
    b = ember.rand(3, generator=g).tolist()
    g.set_state(s)
    assert ember.rand(3, generator=g).tolist() == b


def test_seed_gives_an_int_and_reseeds():
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.rand(2, 3),
        lambda lib: lib.rand((2, 3)),
        lambda lib: lib.rand(size=(2,)),
        lambda lib: lib.rand(()),
        lambda lib: lib.rand(0, 3),
        lambda lib: lib.rand(2, dtype=lib.float64),
        lambda lib: lib.rand(2, dtype=lib.float16),
        lambda lib: lib.randn(2, 3),
        lambda lib: lib.randn(size=(2,), generator=None),
        lambda lib: lib.randn(4, dtype=lib.float64),
        lambda lib: lib.randint(3, (2, 3)),
        lambda lib: lib.randint(3, 5, (2,)),
        lambda lib: lib.randint(3, 5, size=(2, 2)),
        lambda lib: lib.randint(3, (2,), dtype=lib.float32),
        lambda lib: lib.randint(0, 2, (3,), dtype=lib.bool),
        lambda lib: lib.randperm(5),
        lambda lib: lib.randperm(5, dtype=lib.float32),
        lambda lib: lib.randperm(0),
        lambda lib: lib.normal(0.0, 1.0, (2, 3)),
        lambda lib: lib.normal(2.0, 3.0, size=(2,), dtype=lib.float64),
        lambda lib: lib.normal(lib.zeros(3), 1.0),
        lambda lib: lib.normal(lib.zeros(3), lib.ones(2, 3)),
        lambda lib: lib.normal(0.0, lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.bernoulli(lib.full((3, 2), 0.5)),
        lambda lib: lib.bernoulli(lib.zeros(3, dtype=lib.float64), p=0.5),
        lambda lib: lib.rand_like(lib.ones(2, 3)),
        lambda lib: lib.randn_like(lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.randint_like(lib.ones(2, 3), 5),
        lambda lib: lib.randint_like(lib.ones(2, dtype=lib.int32), 2, 5),
        lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 4, replacement=True),
        lambda lib: lib.multinomial(lib.tensor([[0.2, 0.8, 0.0], [1.0, 1.0, 1.0]]), 2),
    ],
)
def test_random_factories_shape_and_dtype(fn):
    e, t = fn(ember), fn(torch)
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad


def test_random_ranges_and_moments():
    ember.manual_seed(0)
    u = ember.rand(20000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02
    n = ember.randn(20000).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1.0) < 0.03
    m = ember.normal(3.0, 2.0, (20000,)).numpy()
    assert abs(m.mean() - 3.0) < 0.06 and abs(m.std() - 2.0) < 0.06
    r = ember.randint(-3, 4, (5000,)).numpy()
    assert r.min() == -3 and r.max() == 3
    assert sorted(ember.randperm(50).tolist()) == list(range(50))
    b = ember.bernoulli(ember.full((20000,), 0.25)).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.25) < 0.02
    assert ember.bernoulli(ember.zeros(3), p=1.0).tolist() == [1.0, 1.0, 1.0]
    means = ember.normal(ember.tensor([0.0, 100.0]), ember.tensor([0.0, 0.0]))
    assert means.tolist() == [0.0, 100.0]


def test_multinomial_values():
    ember.manual_seed(0)
    one_hot = ember.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    assert ember.multinomial(one_hot, 3, replacement=True).tolist() == [[1, 1, 1], [2, 2, 2]]
    draw = ember.multinomial(ember.tensor([1.0, 2.0, 3.0, 4.0]), 4).tolist()
    assert sorted(draw) == [0, 1, 2, 3]  # without replacement: each index once
    counts = np.bincount(
        ember.multinomial(ember.tensor([1.0, 3.0]), 20000, replacement=True).numpy(), minlength=2
    )
    assert abs(counts[1] / 20000 - 0.75) < 0.02
    first = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 2).tolist()
    assert first[0] == 1  # a zero-probability index only once the others are used up


def test_inplace_random_fills():
    ember.manual_seed(0)
    t = ember.empty(1000).uniform_(2, 3)
    assert t.numpy().min() >= 2 and t.numpy().max() < 3
    assert ember.empty(1000, dtype=ember.float64).normal_(5, 0.1).dtype is ember.float64
    assert ember.ones(3).bernoulli_(0.0).tolist() == [0.0, 0.0, 0.0]
    assert ember.zeros(3).bernoulli_(1.0).tolist() == [1.0, 1.0, 1.0]
    assert ember.zeros(3, dtype=ember.bool).bernoulli_(1.0).tolist() == [True] * 3
    assert ember.ones(3, dtype=ember.int64).random_(1, 2).tolist() == [1, 1, 1]
    assert set(ember.zeros(500).random_(3).tolist()) == {0.0, 1.0, 2.0}
    e = ember.zeros(1000).exponential_(2.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.06
    v = ember.zeros(3)
    v.uniform_()
    assert v._version_value == 1


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.rand(2, dtype=lib.int64),
        lambda lib: lib.rand(2, dtype=lib.bool),
        lambda lib: lib.randn(2, dtype=lib.uint8),
        lambda lib: lib.rand_like(lib.ones(2, dtype=lib.int64)),
        lambda lib: lib.randint(5, 3, (2,)),
        lambda lib: lib.randint(3, 3, (2,)),
        lambda lib: lib.randint(-3, (2,)),
        lambda lib: lib.randint(3, (2,), dtype=lib.bool),
        lambda lib: lib.normal(lib.zeros(3), -1.0),
        lambda lib: lib.normal(0.0, -1.0, (2,)),
        lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
        lambda lib: lib.normal(lib.zeros(2), lib.ones(3)),
        lambda lib: lib.bernoulli(lib.ones(3) * 2),
        lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)),
        lambda lib: lib.bernoulli(lib.ones(2), p=2.0),
        lambda lib: lib.ones(2).bernoulli_(2.0),
        lambda lib: lib.ones(2).uniform_(3, 2),
        lambda lib: lib.ones(2).exponential_(-1),
        lambda lib: lib.ones(2, dtype=lib.int64).uniform_(),
        lambda lib: lib.ones(2, dtype=lib.int64).normal_(),
        lambda lib: lib.ones(2).normal_(0, -1),
        lambda lib: lib.ones(2).random_(5, 3),
        lambda lib: lib.multinomial(lib.zeros(3), 1),
        lambda lib: lib.multinomial(lib.ones(3), 4),
        lambda lib: lib.multinomial(lib.ones(3), 0),
        lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
        lambda lib: lib.multinomial(lib.tensor([-1.0, 1.0]), 1),
    ],
)
def test_random_errors_like_torch(fn):
    _raises_like_torch(fn)


def test_random_tensors_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.rand(3)
        ember.randint(0, 5, (3,))
        ember.multinomial(ember.tensor([0.5, 0.5]), 1)


def test_new_factories_take_size_as_a_keyword():
    import torch

    for lib in (ember, torch):
        x = lib.ones(2)
        assert tuple(x.new_ones(size=(3,)).shape) == (3,)
        assert tuple(x.new_zeros(size=[2, 2]).shape) == (2, 2)
        assert tuple(x.new_empty(size=(1,)).shape) == (1,)
    with pytest.raises(TypeError, match="multiple values for argument 'size'"):
        ember.ones(2).new_ones((2,), size=(3,))
