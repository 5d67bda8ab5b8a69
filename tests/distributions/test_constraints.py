"""Constraints (checks, reprs) and biject_to / transform_to against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

R = np.random.default_rng(5)

# (name, constraint(C, lib), value array)
CHECKS = [
    ("real", lambda C, lib: C.real, np.array([0.0, np.inf, np.nan])),
    ("positive", lambda C, lib: C.positive, np.array([-1.0, 0.0, 2.0])),
    ("nonnegative", lambda C, lib: C.nonnegative, np.array([-1.0, 0.0, 2.0])),
    ("greater_than", lambda C, lib: C.greater_than(1.5), np.array([1.0, 1.5, 2.0])),
    ("greater_than_eq", lambda C, lib: C.greater_than_eq(1.5), np.array([1.0, 1.5, 2.0])),
    ("less_than", lambda C, lib: C.less_than(1.5), np.array([1.0, 1.5, 2.0])),
    ("interval", lambda C, lib: C.interval(0.0, 2.0), np.array([-1.0, 0.0, 2.0, 3.0])),
    ("half_open", lambda C, lib: C.half_open_interval(0.0, 2.0), np.array([0.0, 2.0])),
    ("unit_interval", lambda C, lib: C.unit_interval, np.array([0.0, 0.5, 1.0, 1.1])),
    ("boolean", lambda C, lib: C.boolean, np.array([0.0, 1.0, 0.5])),
    ("nonneg_int", lambda C, lib: C.nonnegative_integer, np.array([0.0, 1.0, 1.5, -1.0])),
    ("positive_int", lambda C, lib: C.positive_integer, np.array([0.0, 1.0, 2.0])),
    ("integer_interval", lambda C, lib: C.integer_interval(1, 3), np.array([0.0, 1.0, 3.0, 4.0])),
    ("simplex", lambda C, lib: C.simplex, np.array([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])),
    ("one_hot", lambda C, lib: C.one_hot, np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])),
    ("multinomial", lambda C, lib: C.multinomial(3), np.array([[1.0, 2.0], [2.0, 2.0]])),
    ("real_vector", lambda C, lib: C.real_vector, np.array([[0.0, np.nan], [1.0, 2.0]])),
    ("independent", lambda C, lib: C.independent(C.positive, 2), R.normal(size=(3, 2, 2))),
    ("lower_triangular", lambda C, lib: C.lower_triangular, np.tril(R.normal(size=(2, 3, 3)))),
    (
        "lower_cholesky",
        lambda C, lib: C.lower_cholesky,
        np.array([[[1.0, 0], [2, 1]], [[1, 0], [0, -1]]]),
    ),
    (
        "corr_cholesky",
        lambda C, lib: C.corr_cholesky,
        np.array([[[1.0, 0], [0.6, 0.8]], [[1, 0], [1, 1]]]),
    ),
    ("square", lambda C, lib: C.square, np.zeros((2, 3, 3))),
    ("symmetric", lambda C, lib: C.symmetric, np.array([[[1.0, 2], [2, 1]], [[1, 2], [3, 1]]])),
    (
        "pos_def",
        lambda C, lib: C.positive_definite,
        np.array([[[2.0, 1], [1, 2]], [[1, 2], [2, 1]]]),
    ),
    (
        "pos_semidef",
        lambda C, lib: C.positive_semidefinite,
        np.array([[[1.0, 1], [1, 1]], [[1, 2], [2, 1]]]),
    ),
    ("cat", lambda C, lib: C.cat([C.positive, C.real], 0, [1, 2]), np.array([-1.0, -1.0, 3.0])),
    (
        "stack",
        lambda C, lib: C.stack([C.positive, C.unit_interval], 1),
        np.array([[1.0, 0.5], [-1.0, 2.0]]),
    ),
    (
        "tensor_bounds",
        lambda C, lib: C.interval(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 3.0])),
        np.array([0.5, 0.5]),
    ),
]
LIBS = {"ember": (ember, ED.constraints), "torch": (torch, TD.constraints)}


@pytest.mark.parametrize("name,make,value", CHECKS, ids=[c[0] for c in CHECKS])
def test_check_repr_and_attributes(name, make, value):
    """check(value), repr, is_discrete and event_dim equal PyTorch's."""
    out = {}
    for key, (lib, C) in LIBS.items():
        c = make(C, lib)
        result = c.check(lib.tensor(value))
        out[key] = (result.numpy().tolist(), str(result.dtype), repr(c), c.is_discrete, c.event_dim)
    assert out["ember"] == out["torch"]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name,make,value", CHECKS, ids=[c[0] for c in CHECKS])
def test_registry_transforms(registry, name, make, value):
    """biject_to / transform_to give the same transform (by repr and by value) or error."""
    out = {}
    x = R.normal(size=(4, 3))
    for key, (lib, C) in LIBS.items():
        D = ED if lib is ember else TD
        try:
            t = getattr(D, registry)(make(C, lib))
            y = t(lib.tensor(x[..., : 3 if "vector" not in name else 3]))
            out[key] = (repr(t), np.round(y.numpy(), 10).tolist())
        except Exception as e:  # noqa: BLE001 - compared across libraries
            out[key] = (type(e).__name__, str(e))
    assert out["ember"] == out["torch"]


def test_dependent_constraints():
    """dependent and dependent_property behave as PyTorch's."""
    C = ED.constraints
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    d = C.dependent(is_discrete=True, event_dim=1)
    assert d.is_discrete and d.event_dim == 1
    with pytest.raises(NotImplementedError, match=".is_discrete cannot be determined statically"):
        C.dependent.is_discrete
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        C.dependent.check(ember.tensor(1.0))
    support = ED.Uniform.support
    assert C.is_dependent(support) and support.event_dim == 0 and not support.is_discrete
    assert repr(ED.Uniform(0.0, 2.0).support) == repr(TD.Uniform(0.0, 2.0).support)


def test_register_custom_constraint():
    """A user constraint can be registered; an unknown one raises PyTorch's error."""

    class Odd(ED.constraints.Constraint):
        def check(self, value):
            return value % 2 == 1

    with pytest.raises(NotImplementedError, match="Cannot transform Odd constraints"):
        ED.biject_to(Odd())
    ED.biject_to.register(Odd, lambda c: ED.ExpTransform())
    assert isinstance(ED.biject_to(Odd()), ED.ExpTransform)
    with pytest.raises(TypeError, match="Expected constraint to be either"):
        ED.biject_to.register(3, lambda c: None)
