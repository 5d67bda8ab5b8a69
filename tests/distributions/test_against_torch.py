"""Every deterministic quantity of every distribution against PyTorch, with gradients."""

from __future__ import annotations

import numpy as np
import pytest

from ._cases import CASES
from ._oracle import assert_same, run

PROPERTIES = ["mean", "variance", "stddev", "mode"]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_log_prob(case):
    """log_prob at in-support values, and its gradient w.r.t. every parameter."""

    def fn(d, lib):
        return d.log_prob(lib.tensor(case.value, dtype=_value_dtype(case, lib)))

    assert_same(run(case.make, case.params, fn), rtol=case.tol, what=f"{case} log_prob")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_entropy(case):
    """entropy() and its gradient."""
    assert_same(run(case.make, case.params, lambda d, lib: d.entropy()), rtol=case.tol)


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("prop", PROPERTIES)
def test_moments(case, prop):
    """mean, variance, stddev, mode (or PyTorch's exception) and their gradients."""
    res = run(case.make, case.params, lambda d, lib: getattr(d, prop))
    assert_same(res, rtol=case.tol, what=f"{case}.{prop}")


@pytest.mark.parametrize("case", [c for c in CASES if c.cdf], ids=str)
def test_cdf(case):
    """cdf at the test values and its gradient."""

    def fn(d, lib):
        return d.cdf(lib.tensor(case.value, dtype=lib.float64))

    assert_same(run(case.make, case.params, fn), rtol=case.tol, what=f"{case} cdf")


@pytest.mark.parametrize("case", [c for c in CASES if c.icdf], ids=str)
def test_icdf(case):
    """icdf at probabilities in (0, 1) and its gradient."""
    q = np.linspace(0.05, 0.95, 6).reshape(2, 3)

    def fn(d, lib):
        p = lib.tensor(q, dtype=lib.float64)
        return d.icdf(p if d.batch_shape[-1:] == (3,) or not d.batch_shape else p[..., None])

    assert_same(run(case.make, case.params, fn), rtol=case.tol, what=f"{case} icdf")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_shapes_flags_and_constraints(case):
    """batch/event shapes, has_rsample, support and arg_constraints reprs, repr."""

    def fn(d, lib):
        support = d.support
        return (
            tuple(d.batch_shape),
            tuple(d.event_shape),
            d.has_rsample,
            d.has_enumerate_support,
            repr(support),
            support.is_discrete,
            support.event_dim,
            {k: repr(v) for k, v in type(d).arg_constraints.items()}
            if isinstance(type(d).arg_constraints, dict)
            else None,
            repr(d),
        )

    assert_same(run(case.make, case.params, fn, grads=False), what=str(case))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_expand(case):
    """expand((4,) + batch_shape) scores as the original broadcast does."""

    def fn(d, lib):
        e = d.expand((4,) + tuple(d.batch_shape))
        v = lib.tensor(case.value, dtype=_value_dtype(case, lib))
        return (tuple(e.batch_shape), tuple(e.event_shape), e._validate_args), e.log_prob(v)

    res = run(case.make, case.params, lambda d, lib: fn(d, lib)[1])
    assert_same(res, rtol=case.tol, what=f"{case} expand")
    shapes = run(case.make, case.params, lambda d, lib: fn(d, lib)[0], grads=False)
    assert_same(shapes, what=f"{case} expand shapes")


def _value_dtype(case, lib):
    return lib.float64 if case.value.dtype.kind == "f" else lib.int64


@pytest.mark.parametrize("case", [c for c in CASES if c.extra.get("props")], ids=str)
def test_extra_properties(case):
    """Distribution-specific properties (e.g. covariance_matrix) and their gradients."""
    for prop in case.extra["props"]:
        res = run(case.make, case.params, lambda d, lib, prop=prop: getattr(d, prop))
        assert_same(res, rtol=case.tol, what=f"{case}.{prop}")
