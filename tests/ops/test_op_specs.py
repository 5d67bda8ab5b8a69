"""Every registered OpSpec, three ways: against PyTorch, finite differences, hypothesis shapes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import ember
from ember.autograd.gradcheck import gradcheck, gradgradcheck
from ember.ops.registry import specs
from ember.testing.check_grads import sample_inputs

from ._oracle import compare

torch = pytest.importorskip("torch")
SPECS = specs()

CASES = [
    pytest.param(spec, shapes, dtype, id=f"{spec.name}-{i}-{dtype}")
    for spec in SPECS
    for i, shapes in enumerate(spec.samples)
    for dtype in spec.dtypes
]


@pytest.mark.parametrize("spec, shapes, dtype", CASES)
def test_against_pytorch(spec, shapes, dtype):
    compare(spec, shapes, dtype)


FD_CASES = [
    pytest.param(spec, shapes, id=f"{spec.name}-{i}")
    for spec in SPECS
    if spec.fd
    for i, shapes in enumerate(spec.samples)
    if all(int(np.prod(s)) <= 64 for s in shapes)
]


@pytest.mark.parametrize("spec, shapes", FD_CASES)
def test_finite_differences(spec, shapes):
    ins, ex = sample_inputs(spec, shapes)
    assert gradcheck(lambda *xs: spec.fn(ember, *xs, *ex), ins)


@pytest.mark.parametrize("spec, shapes", [c for c in FD_CASES if c.values[0].second_order])
def test_second_order(spec, shapes):
    ins, ex = sample_inputs(spec, shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradgradcheck(lambda *xs: spec.fn(ember, *xs, *ex), ins)


def _shape_strategy(kind):
    if kind == "unary":
        return array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4).map(lambda s: (s,))
    n = {"broadcast2": 2, "broadcast3": 3}[kind]
    return mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=3, min_side=0, max_side=4
    ).map(lambda b: b.input_shapes)


HYP_SPECS = [pytest.param(s, id=s.name) for s in SPECS if s.shapes is not None]


@pytest.mark.parametrize("spec", HYP_SPECS)
@given(data=st.data())
def test_hypothesis_shapes(spec, data):
    shapes = data.draw(_shape_strategy(spec.shapes))
    dtype = data.draw(st.sampled_from(spec.dtypes))
    compare(spec, shapes, dtype, seed=1)
