"""isnan & co., nan_to_num, nansum and nanmean: dtypes, out=, in-place forms and errors."""

from __future__ import annotations

import pytest

from ._both import both, grads

NAN, INF = float("nan"), float("inf")
VALUES = [1.0, NAN, INF, -INF, -0.0, 0.0, -2.5]


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int64", "bool"])
def test_tests_on_every_dtype(name, dtype):
    both(lambda t: getattr(t, name)(t.tensor(VALUES).to(getattr(t, dtype))))


def test_isreal_and_complex_refusals():
    both(lambda t: t.isreal(t.tensor(VALUES)))
    both(lambda t: t.isreal(t.tensor([1 + 0j, 1 + 1j])))
    both(lambda t: t.isposinf(t.tensor([1 + 1j])))
    both(lambda t: t.signbit(t.tensor([1 + 1j])))
    both(lambda t: t.isnan(3))


def test_out_forms():
    both(lambda t: t.isposinf(t.tensor(VALUES), out=t.zeros(7, dtype=t.bool)))
    both(lambda t: t.signbit(t.tensor(VALUES), out=t.zeros(7)))
    both(lambda t: t.nan_to_num(t.tensor(VALUES), out=t.zeros(7, dtype=t.int64)))
    both(lambda t: t.nan_to_num(t.tensor(VALUES), 9.0, out=t.zeros(7)))
    both(lambda t: t.nansum(t.tensor(VALUES[:2]), out=t.zeros(())))
    both(lambda t: t.nanmean(t.tensor(VALUES[:2]), out=t.zeros(())))
    both(lambda t: t.nansum(t.tensor(VALUES[:2], requires_grad=True), out=t.zeros(())))


def test_nan_to_num_defaults_dtypes_and_inplace():
    both(lambda t: t.nan_to_num(t.tensor(VALUES)))
    both(lambda t: t.nan_to_num(t.tensor(VALUES).half()))
    both(lambda t: t.nan_to_num(t.tensor(VALUES, dtype=t.float64), posinf=1.0))
    both(lambda t: t.nan_to_num(t.tensor([1, 2]), nan=2.5))
    both(lambda t: t.nan_to_num(t.tensor(VALUES), nan="a"))
    both(lambda t: t.tensor(VALUES).nan_to_num_(-1.0))
    both(lambda t: t.nan_to_num_(t.tensor(VALUES)))


def test_nan_to_num_gradient_is_zero_where_replaced():
    grads(lambda t, x: t.nan_to_num(x), VALUES)
    grads(lambda t, x: t.nansum(x.reshape(7, 1), 1), VALUES)


def test_nansum_nanmean_dtypes_and_errors():
    both(lambda t: t.nansum(t.tensor([1, 2], dtype=t.int32)))
    both(lambda t: t.nansum(t.tensor([True, True])))
    both(lambda t: t.nansum(t.tensor(VALUES)))
    both(lambda t: t.nansum(t.zeros(0, 3), 1))
    both(lambda t: t.nansum(t.tensor(VALUES).half()))
    both(lambda t: t.nansum(t.tensor([1 + 1j])))
    both(lambda t: t.nanmean(t.tensor([1, 2])))
    both(lambda t: t.nanmean(t.tensor([1, 2]), dtype=t.float64))
    both(lambda t: t.nanmean(t.zeros(0, 3), 0))
    both(lambda t: t.nanmean(t.tensor([[1.0, NAN], [NAN, NAN]]), 1, keepdim=True))


def test_nanmean_gradient_of_all_nan_slice_is_nan_as_in_pytorch():
    grads(lambda t, x: t.nanmean(x, 1), [[1.0, NAN], [NAN, NAN]])
