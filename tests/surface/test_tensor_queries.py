"""Tensor queries, complex casts, Python maps and the extra factories, against PyTorch."""

import warnings

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

DTYPES = ["float32", "float64", "int64", "int8", "uint8", "bool", "complex64"]


@pytest.mark.parametrize("dt", DTYPES)
def test_queries_per_dtype(dt):
    for lib in (ember, torch):
        x = lib.ones(2, 3, dtype=getattr(lib, dt))
        got = (x.nbytes, x.itemsize, x.is_cpu, x.get_device(), x.is_signed(), lib.is_signed(x))
        got += (lib.is_complex(x), x.is_neg(), x.storage_type().__name__)
        if lib is ember:
            mine = got
    assert mine == got


def test_nbytes_counts_elements_not_storage():
    for lib in (ember, torch):
        assert lib.ones(4, 6)[:, ::3].nbytes == 32
        assert lib.ones(0).nbytes == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.is_nonzero(lib.tensor([1.0])),
        lambda lib: lib.is_nonzero(lib.tensor([[0]])),
        lambda lib: lib.is_nonzero(lib.tensor([1.0, 2.0])),
        lambda lib: lib.is_nonzero(lib.tensor([])),
        lambda lib: lib.tensor(0.5).is_nonzero(),
        lambda lib: lib.is_same_size(lib.ones(2), lib.ones(1, 2)),
        lambda lib: lib.ones(2, 3).is_same_size(lib.zeros(2, 3)),
        lambda lib: lib.is_signed(3),
        lambda lib: lib.ones(2, 3).t().dim_order(),
        lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1).dim_order(),
        lambda lib: lib.ones(2, 1, 3).dim_order(ambiguity_check=True),
        lambda lib: lib.ones(2, 3).dim_order(ambiguity_check=True),
        lambda lib: lib.ones(2).cfloat().dtype,
        lambda lib: lib.ones(2, dtype=lib.int64).cdouble().tolist(),
        lambda lib: lib.zeros(3).apply_(lambda v: v + 1).tolist(),
        lambda lib: lib.ones(2, dtype=lib.int64).apply_(lambda v: v * 2.7).tolist(),
        lambda lib: lib.zeros(3).apply_(lambda v: "a"),
        lambda lib: lib.ones(2, requires_grad=True).apply_(lambda v: v),
        lambda lib: lib.zeros(3).map_(lib.ones(1), lambda a, b: a * 2 + b).tolist(),
        lambda lib: lib.zeros(3).map_(lib.ones(2), lambda a, b: a),
        lambda lib: lib.ones(2).map_(lib.ones(2, requires_grad=True), lambda a, b: a),
        lambda lib: (
            lib.zeros(3).map2_(lib.ones(3), lib.ones(1) * 3, lambda a, b, c: a + b + c).tolist()
        ),
        lambda lib: lib.ones(2, requires_grad=True).map2_(lib.ones(2), lib.ones(2), lambda *a: 0),
    ],
)
def test_query_outcomes_match(call):
    same(lambda: call(ember), lambda: call(torch))


def test_maps_bump_the_version():
    x = ember.zeros(3)
    v = x._version
    x.apply_(lambda a: a)
    assert x._version == v + 1


def test_share_memory_and_detach():
    for lib in (ember, torch):
        x = lib.ones(3)
        assert not x.is_shared()
        assert x.share_memory_() is x and x.is_shared()
        w = lib.ones(2, requires_grad=True)
        d = lib.detach(w * 2)
        assert not d.requires_grad
        y = w * 2
        assert lib.detach_(y) is y and y.grad_fn is None


def test_new_empty_strided():
    for lib in (ember, torch):
        y = lib.ones(1, dtype=lib.float64).new_empty_strided((2, 3), (1, 2))
        assert y.stride() == (1, 2) and y.dtype == lib.float64


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.empty_strided((2, 3), (1, 2)).stride(),
        lambda lib: lib.empty_strided((2, 0), (1, 1)).shape,
        lambda lib: lib.empty_strided((2, 3), (3, 1), dtype=lib.int64).dtype,
        lambda lib: lib.empty_strided((2, 3), (1,)),
        lambda lib: lib.scalar_tensor(3),
        lambda lib: lib.scalar_tensor(True),
        lambda lib: lib.scalar_tensor(2, dtype=lib.int64),
        lambda lib: lib.scalar_tensor(2.5, requires_grad=True),
        lambda lib: lib.scalar_tensor(lib.ones(2)),
        lambda lib: lib.frombuffer(bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00"), dtype=lib.int32),
        lambda lib: lib.frombuffer(bytearray(b"\x01\x02\x03"), dtype=lib.uint8, offset=1, count=2),
        lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, count=5),
        lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, offset=9),
        lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, count=0),
        lambda lib: lib.frombuffer(bytearray(3), dtype=lib.int32),
        lambda lib: lib.frombuffer(bytearray(8), dtype=lib.float32, requires_grad=True),
        lambda lib: lib.from_dlpack(np.arange(3.0)),
        lambda lib: lib.from_dlpack(lib.ones(2)),
        lambda lib: lib.from_dlpack([1, 2]),
        lambda lib: lib.range(4),
    ],
)
def test_factories_match(call):
    same(lambda: call(ember), lambda: call(torch))


def test_frombuffer_shares_memory():
    buf = bytearray(8)
    t = ember.frombuffer(buf, dtype=ember.int32)
    t[1] = 7
    assert buf[4] == 7


@pytest.mark.parametrize(
    "args,kw",
    [
        ((0, 3), {}),
        ((3, 0, -1), {}),
        ((0, 0), {}),
        ((0, 1, 0.3), {}),
        ((0, 3), {"dtype": "int64"}),
        ((0, 3, 0), {}),
        ((3, 0, 1), {}),
        ((0, float("inf")), {}),
    ],
)
def test_range_is_inclusive_and_deprecated(args, kw):
    def run(lib):
        kws = {k: getattr(lib, v) for k, v in kw.items()}
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                value = repr(lib.range(*args, **kws))
            except RuntimeError as e:
                value = str(e)
        assert [str(x.message)[:30] for x in w] == ["torch.range is deprecated and "]
        return value

    assert run(ember) == run(torch)
