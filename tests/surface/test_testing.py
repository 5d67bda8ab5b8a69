"""``ember.testing.assert_close`` raises what PyTorch raises, with the same message."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import outcome, same

NAN, INF = float("nan"), float("inf")


def _tensor(lib, value, dtype=None):
    return lib.tensor(value, dtype=getattr(lib, dtype) if dtype else None)


def _message(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        # Class names differ by package (ember.tensor.Tensor / torch.Tensor); the rest must not.
        text = str(e).replace("ember.tensor.Tensor", "torch.Tensor").replace("ember.", "torch.")
        return type(e).__name__, text
    return None


# (actual, expected, dtype or None, kwargs): built in both libraries, compared in both.
CASES = [
    ([1.0, 2.0], [1.0, 2.0], None, {}),
    ([1.0, 2.0], [1.0, 2.000001], None, {}),
    ([1.0, 2.0, 3.0], [1.0, 2.5, 3.1], None, {}),
    ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.5]], None, {}),
    (1.0, 2.0, None, {}),
    ([1, 2], [1, 3], None, {}),
    ([1, 2], [1, 2], None, {}),
    ([True, False], [True, True], None, {}),
    ([1.0, NAN], [1.0, NAN], None, {}),
    ([1.0, NAN], [1.0, NAN], None, {"equal_nan": True}),
    ([INF, 2.0], [1.0, 2.0], None, {}),
    ([INF, 2.0], [INF, 2.0], None, {}),
    ([0.0, 2.0], [1e-3, 2.0], None, {}),
    ([1.0, 2.0], [1.0, 2.1], "float16", {}),
    ([1.0, 2.0], [1.0, 2.1], "float64", {}),
    ([1.0, 2.0], [1.0, 3.0], None, {"msg": "custom"}),
    ([1.0, 2.0], [1.0, 3.0], None, {"msg": lambda m: "X" + m + "Y"}),
    ([1.0, 2.0], [1.0, 2.05], None, {"rtol": 0.1, "atol": 0.0}),
    ([1.0, 2.0], [1.0, 2.05], None, {"rtol": 0.0, "atol": 0.0}),
    ([1.0, 2.0], [1.0, 2.0], None, {"rtol": 0.1}),
    ([1.0, 2.0], [1.0, 2.0], None, {"atol": 0.1}),
    ([1 + 1j], [1 + 1.1j], None, {}),
    ([], [], None, {}),
    ([0.0] * 12, [1.0] * 12, None, {}),
    ([5, 7], [5, 9], None, {"rtol": 0.5, "atol": 0}),
]


@pytest.mark.parametrize("actual,expected,dtype,kwargs", CASES)
def test_tensor_messages_match(actual, expected, dtype, kwargs):
    def run(lib):
        return lambda: lib.testing.assert_close(
            _tensor(lib, actual, dtype), _tensor(lib, expected, dtype), **kwargs
        )

    assert _message(run(ember)) == _message(run(torch))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: (lib.zeros(3, 4), lib.ones(3, 4)),
        lambda lib: (lib.zeros(2), lib.zeros(3)),
        lambda lib: (lib.zeros(2), lib.zeros(1, 2)),
        lambda lib: (lib.zeros(2), lib.zeros(2, dtype=lib.float64)),
        lambda lib: (lib.zeros(2, dtype=lib.int8), lib.zeros(2, dtype=lib.int64)),
        lambda lib: (lib.arange(6.0).reshape(2, 3), lib.arange(6.0).reshape(3, 2).t()),
        lambda lib: (lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([1.0, 2.0])),
        lambda lib: (lib.nn.Parameter(lib.ones(2)), lib.ones(2)),
        lambda lib: (lib.tensor([1.0, 2.0]), [1.0, 2.0]),
        lambda lib: (lib.tensor([1.0, 2.0]), np.array([1.0, 2.0])),
        lambda lib: (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
        lambda lib: ([lib.tensor(1.0), lib.tensor(2.0)], [lib.tensor(1.0), lib.tensor(3.0)]),
        lambda lib: ({"a": lib.tensor([1.0, 2.0])}, {"a": lib.tensor([1.0, 3.0])}),
        lambda lib: ({"a": 1}, {"b": 1}),
        lambda lib: ([1, 2], [1, 2, 3]),
        lambda lib: ((1.0, [2.0, {"k": 3.0}]), [1.0, (2.0, {"k": 3.5})]),
        lambda lib: (1.0, 1.1),
        lambda lib: (1, 1.0),
        lambda lib: (1, 2),
        lambda lib: (True, False),
        lambda lib: (None, None),
        lambda lib: (None, 1),
        lambda lib: ("a", "a"),
        lambda lib: (np.float32(1.0), np.float32(1.5)),
        lambda lib: (lib.tensor(1.0), 1.0),
    ],
)
def test_structure_messages_match(make):
    def run(lib):
        return lambda: lib.testing.assert_close(*make(lib))

    assert _message(run(ember)) == _message(run(torch))


def test_check_dtype_false_promotes():
    ember.testing.assert_close(ember.ones(2), ember.ones(2, dtype=ember.float64), check_dtype=False)
    ember.testing.assert_close(1.0, 1, check_dtype=False)


def test_allow_subclasses_false():
    def run(lib):
        return lambda: lib.testing.assert_close(
            lib.nn.Parameter(lib.ones(2)), lib.ones(2), allow_subclasses=False
        )

    assert _message(run(ember)) == _message(run(torch))


def test_check_stride():
    def run(lib):
        x = lib.arange(6.0).reshape(2, 3)
        return lambda: lib.testing.assert_close(x.t().contiguous(), x.t(), check_stride=True)

    assert _message(run(ember)) == _message(run(torch))


@pytest.mark.parametrize(
    "args",
    [([1.0], [1.0]), ([1.0], [2.0]), ([1.0], [1.00001]), ([1.0, NAN], [1.0, NAN]), (1.0, 1.0)],
)
def test_assert_allclose_deprecated(args):
    a, b = args

    def run(lib):
        return lambda: lib.testing.assert_allclose(lib.tensor(a) if isinstance(a, list) else a, b)

    e, t = outcome(run(ember)), outcome(run(torch))
    assert e[1:] == t[1:] or (e[1].__name__, e[2]) == (t[1].__name__, t[2])
    assert _message(run(ember)) == _message(run(torch))


# ----- make_tensor ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "dtype,low,high",
    [
        ("float32", None, None),
        ("float64", -1, 1),
        ("int64", None, None),
        ("int64", 1, 3),
        ("int64", 1.5, 3.5),
        ("uint8", None, None),
        ("uint8", -5, 3),
        ("int8", None, None),
        ("bool", None, None),
        ("float16", -1e10, 1e10),
        ("complex64", None, None),
    ],
)
def test_make_tensor_ranges(dtype, low, high):
    e = ember.testing.make_tensor(
        2000, dtype=getattr(ember, dtype), device="cpu", low=low, high=high
    )
    t = torch.testing.make_tensor(
        2000, dtype=getattr(torch, dtype), device="cpu", low=low, high=high
    )
    assert repr(e.dtype) == repr(t.dtype) and tuple(e.shape) == tuple(t.shape)
    ev, tv = e.numpy(), t.numpy()
    if dtype.startswith("complex"):
        ev, tv = ev.real, tv.real
    ev, tv = ev.astype(np.float64), tv.astype(np.float64)
    # Same range: both libraries' extremes come within 5% of the range of each other.
    span = max(tv.max() - tv.min(), 1.0)
    assert abs(ev.min() - tv.min()) <= 0.05 * span and abs(ev.max() - tv.max()) <= 0.05 * span
    if dtype.startswith(("int", "uint", "bool")):
        assert set(np.unique(ev)) == set(np.unique(tv))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"low": 3, "high": 2},
        {"low": 2, "high": 2, "dtype": "int64"},
        {"low": 2, "high": 2},
        {"low": NAN},
        {"requires_grad": True, "dtype": "int64"},
        {"noncontiguous": True, "memory_format": "contiguous_format"},
        {"device": "cuda"},
    ],
)
def test_make_tensor_errors(kwargs):
    def run(lib):
        kw = {"dtype": "float32", "device": "cpu", **kwargs}
        kw["dtype"] = getattr(lib, kw["dtype"])
        if "memory_format" in kw:
            kw["memory_format"] = getattr(lib, kw["memory_format"])
        return lambda: lib.testing.make_tensor((2,), **kw).shape

    same(run(ember), run(torch), convert=tuple)
    assert (_message(run(ember)) or ("", ""))[0] == (_message(run(torch)) or ("", ""))[0]


def test_make_tensor_options():
    t = ember.testing.make_tensor(3, 4, dtype=ember.float32, device="cpu", noncontiguous=True)
    assert tuple(t.shape) == (3, 4) and not t.is_contiguous()
    z = ember.testing.make_tensor(
        (500,), dtype=ember.int64, device="cpu", low=0, high=2, exclude_zero=True
    )
    assert not (z == 0).any()
    g = ember.testing.make_tensor([2, 2], dtype=ember.float64, device="cpu", requires_grad=True)
    assert g.requires_grad and g.is_leaf
    c = ember.testing.make_tensor(
        (1, 2, 3, 4), dtype=ember.float32, device="cpu", memory_format=ember.channels_last
    )
    assert (
        c.stride() == torch.empty(1, 2, 3, 4).contiguous(memory_format=torch.channels_last).stride()
    )
