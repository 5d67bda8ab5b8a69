"""``ember.compile`` returns its model unchanged and checks arguments as PyTorch does."""

import pytest
import torch

import ember

from ._oracle import same


@pytest.fixture(autouse=True)
def _keep_torch_validation():
    """torch.compile's first call loads its compiler stack, which turns distribution argument
    validation off process-wide; put it back so later oracle comparisons are not affected."""
    before = torch.distributions.Distribution._validate_args
    yield
    torch.distributions.Distribution.set_default_validate_args(before)


def f(x):
    return x + 1


def test_function_and_module_come_back_unchanged():
    assert ember.compile(f) is f
    m = ember.nn.Linear(2, 2)
    assert ember.compile(m) is m
    x = ember.ones(1, 2)
    assert ember.equal(ember.compile(m)(x), m(x))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"fullgraph": True, "dynamic": True},
        {"backend": "eager"},
        {"backend": "inductor", "mode": "max-autotune"},
        {"backend": lambda gm, inputs: gm},
        {"mode": "reduce-overhead"},
        {"options": {"trace.enabled": False}},
        {"disable": True},
    ],
)
def test_accepted_arguments(kwargs):
    assert ember.compile(f, **kwargs) is f
    torch.compile(f, **kwargs)  # the oracle accepts them too


@pytest.mark.parametrize(
    "args,kwargs",
    [
        ((f,), {"mode": "x"}),
        ((f,), {"mode": "max-autotune", "options": {}}),
        ((f,), {"backend": "foo"}),
        ((5,), {}),
        ((f, 1), {}),
    ],
)
def test_rejected_arguments(args, kwargs):
    same(lambda: ember.compile(*args, **kwargs), lambda: torch.compile(*args, **kwargs))


def test_decorator_forms():
    @ember.compile
    def g(x):
        return x * 2

    @ember.compile(fullgraph=True, mode="default")
    def h(x):
        return x * 3

    assert g(2) == 4 and h(2) == 6 and g.__name__ == "g" and h.__name__ == "h"
    same(lambda: ember.compile(mode="x")(f), lambda: torch.compile(mode="x")(f))
    assert callable(ember.compile(mode="x"))  # checked only when applied, as in PyTorch


def test_compiler_namespace():
    assert ember.compiler.is_compiling() is torch.compiler.is_compiling() is False
    assert ember.compiler.is_dynamo_compiling() is False
    assert ember.compiler.disable(f) is f
    assert ember.compiler.reset() is None
    assert ember.compiler.list_backends() == torch.compiler.list_backends()
