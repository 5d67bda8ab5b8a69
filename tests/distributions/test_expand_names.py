"""Generated ``expand`` methods carry the names a method written in the class would have,
as PyTorch's do."""

import inspect

import pytest

import ember.distributions as D

torch = pytest.importorskip("torch")

_FAMILIES = sorted(
    name
    for name in dir(D)
    if inspect.isclass(getattr(D, name))
    and "expand" in vars(getattr(D, name))
    and hasattr(torch.distributions, name)
)


def test_families_found():
    assert {"Normal", "Cauchy", "LogNormal", "Pareto"} <= set(_FAMILIES)


@pytest.mark.parametrize("name", _FAMILIES)
def test_expand_names_match_pytorch(name):
    ours = getattr(D, name).expand
    theirs = getattr(torch.distributions, name).expand
    assert inspect.isfunction(ours)
    assert ours.__qualname__ == theirs.__qualname__ == f"{name}.expand"
    assert ours.__name__ == "expand"
    assert ours.__module__ == getattr(D, name).__module__
    assert ours.__doc__


def test_generated_expand_still_expands():
    import ember

    d = D.Normal(ember.zeros(2), ember.ones(2)).expand((3, 2))
    assert tuple(d.batch_shape) == (3, 2) and tuple(d.loc.shape) == (3, 2)
    ln = D.LogNormal(ember.zeros(2), 1.0).expand((4, 2))
    assert tuple(ln.batch_shape) == (4, 2) and tuple(ln.base_dist.batch_shape) == (4, 2)
