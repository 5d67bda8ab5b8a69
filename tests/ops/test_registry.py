"""The op registry: every node declared once, with a spec, PyTorch's grad_fn name and a
vmap decision; Tensor methods and in-place forms derived from it; NumPy keyword spellings."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

import ember
from ember.autograd.node import Node
from ember.ops import families, registry

from ._oracle import make_inputs

torch = pytest.importorskip("torch")


def _families():
    return [importlib.import_module(f"ember.ops.{n}") for n in families.FAMILIES]


def _nodes_of(module):
    return [
        c
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, Node) and c.__module__ == module.__name__
    ]


def _is_base(cls):
    """A class other declared nodes derive from (not an op of its own)."""
    return any(
        issubclass(d.node, cls) and d.node is not cls
        for d in registry.declarations()
        if d.node is not None
    )


NODES = [
    pytest.param(c, id=f"{m.__name__.rsplit('.', 1)[1]}.{c.__name__}")
    for m in _families()
    for c in _nodes_of(m)
]


@pytest.mark.parametrize("cls", NODES)
def test_every_node_is_declared_with_spec_name_and_batching(cls):
    decl = registry.declaration(cls)
    if decl is None:
        assert _is_base(cls), f"{cls.__qualname__} is a Node but never declared"
        return
    assert decl.specs, f"{cls.__name__} has no OpSpec"
    assert decl.grad_fn and cls.__name__ == decl.grad_fn
    assert decl.vmap is registry.LOOP or callable(decl.vmap)


def test_declared_methods_are_tensor_methods():
    for name, fn in registry.tensor_methods().items():
        assert getattr(ember.Tensor, name) is fn, name


def test_inplace_forms_come_from_declarations():
    for d in registry.declarations():
        if d.inplace is not None:
            assert getattr(ember.Tensor, d.inplace.__name__) is d.inplace


def test_a_method_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(None, lambda self: self, methods=("exp",), public=False)


def test_a_node_needs_a_batching_decision():
    class Fresh(Node):
        def forward(self, x):
            return x

    with pytest.raises(ValueError, match="vmap"):
        registry.declare(Fresh, None, spec=())


def test_tensor_has_no_methods_added_after_assembly():
    # Every op method lives in Tensor's own namespace, built from the declarations.
    own = vars(ember.Tensor)
    for name in registry.tensor_methods():
        assert name in own


def _grad_fn_cases():
    for d in registry.declarations():
        if d.node is None or d.module not in {m.__name__ for m in _families()}:
            continue
        for spec in d.specs:
            yield pytest.param(d, spec, id=spec.name)


@pytest.mark.parametrize("decl, spec", list(_grad_fn_cases()))
def test_grad_fn_name_matches_pytorch(decl, spec):
    """The spec's expression gives the same grad_fn in both libraries."""
    rng = np.random.default_rng(0)
    shapes = spec.samples[0]
    arrays = make_inputs(spec, shapes, np.float64, rng)
    flags = tuple(spec.grad) if spec.grad is not None else (True,) * len(arrays)
    extra = spec.extra(rng, shapes) if spec.extra is not None else ()
    e_in = [ember.tensor(a, requires_grad=f) for a, f in zip(arrays, flags)]
    t_in = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, flags)]
    e_out = spec.fn(ember, *e_in, *[ember.tensor(np.array(x)) for x in extra])
    t_out = spec.fn(torch, *t_in, *[torch.tensor(np.array(x)) for x in extra])
    e_outs = e_out if isinstance(e_out, (tuple, list)) else (e_out,)
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    for e, t in zip(e_outs, t_outs):
        if t.grad_fn is not None:
            assert e.grad_fn is not None
            assert e.grad_fn.name() == t.grad_fn.name()
            if registry.declaration(type(e.grad_fn)) is not None:
                assert type(e.grad_fn).__name__ == e.grad_fn.name()


NUMPY_SPELLINGS = [
    ("sum", lambda lib, x: x.sum(axis=1)),
    ("mean", lambda lib, x: x.mean(axis=0, keepdims=True)),
    ("max", lambda lib, x: x.max(axis=1).values),
    ("any", lambda lib, x: (x > 0).any(axis=0)),
    ("softmax", lambda lib, x: x.softmax(axis=0)),
    ("torch.sum", lambda lib, x: lib.sum(x, axis=0, keepdims=True)),
    ("torch.cat", lambda lib, x: lib.cat([x, x], axis=0)),
    ("torch.concatenate", lambda lib, x: lib.concatenate([x, x], axis=1)),
    ("torch.stack", lambda lib, x: lib.stack([x, x], axis=1)),
    ("all", lambda lib, x: (x > -1).all(axis=1)),
    ("prod", lambda lib, x: x.prod(axis=0)),
    ("cumsum", lambda lib, x: x.cumsum(axis=1)),
    ("cumprod", lambda lib, x: lib.cumprod(x, axis=0)),
    ("argmax", lambda lib, x: x.argmax(axis=1)),
    ("argmin", lambda lib, x: x.argmin(axis=1, keepdims=True)),
    ("amax", lambda lib, x: x.amax(axis=0)),
    ("amin", lambda lib, x: lib.amin(x, axis=1, keepdims=True)),
    ("min", lambda lib, x: x.min(axis=0).values),
    ("aminmax", lambda lib, x: lib.aminmax(x, axis=0).max),
    ("std", lambda lib, x: x.std(axis=0)),
    ("var", lambda lib, x: x.var(axis=1, keepdims=True)),
    ("var_mean", lambda lib, x: lib.var_mean(x, axis=0)[1]),
    ("logsumexp", lambda lib, x: x.logsumexp(axis=0)),
    ("count_nonzero", lambda lib, x: x.count_nonzero(axis=0)),
    ("sort", lambda lib, x: x.sort(axis=0).values),
    ("argsort", lambda lib, x: x.argsort(axis=0)),
    ("topk", lambda lib, x: x.topk(1, axis=0).indices),
    ("median", lambda lib, x: x.median(axis=1).values),
    ("kthvalue", lambda lib, x: x.kthvalue(1, axis=0).values),
    ("squeeze", lambda lib, x: x[None].squeeze(axis=0)),
    ("unsqueeze", lambda lib, x: x.unsqueeze(axis=1)),
    ("swapaxes", lambda lib, x: x.swapaxes(axis0=0, axis1=1)),
    ("gather", lambda lib, x: x.gather(axis=1, index=lib.tensor([[2, 0], [1, 1]]))),
    ("index_select", lambda lib, x: x.index_select(axis=1, index=lib.tensor([2, 0]))),
    ("select", lambda lib, x: x.select(axis=1, index=2)),
    ("narrow", lambda lib, x: x.narrow(axis=1, start=1, length=2)),
    ("chunk", lambda lib, x: x.chunk(3, axis=1)[2]),
    ("unbind", lambda lib, x: x.unbind(axis=1)[0]),
    ("tensor_split", lambda lib, x: x.tensor_split(2, axis=1)[1]),
    ("take_along_dim", lambda lib, x: lib.take_along_dim(x, lib.tensor([[1], [0]]), axis=1)),
]


@pytest.mark.parametrize("name, fn", NUMPY_SPELLINGS, ids=[n for n, _ in NUMPY_SPELLINGS])
def test_numpy_keyword_spellings(name, fn):
    a = np.arange(6.0).reshape(2, 3) - 2
    e = fn(ember, ember.tensor(a))
    t = fn(torch, torch.tensor(a))
    np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize(
    "call",
    [lambda x: x.split(2, axis=0), lambda x: x.unflatten(axis=0, sizes=(2, 2))],
    ids=["split", "unflatten"],
)
def test_numpy_spelling_refused_where_pytorch_refuses_it(call):
    with pytest.raises(TypeError):
        call(torch.ones(4, 2))
    with pytest.raises(TypeError):
        call(ember.ones(4, 2))


def test_both_spellings_refused_as_pytorch_does():
    x = ember.ones(2, 3)
    with pytest.raises(TypeError) as e_info:
        x.sum(dim=1, axis=1)
    with pytest.raises(TypeError) as t_info:
        torch.ones(2, 3).sum(dim=1, axis=1)
    assert "axis" in str(e_info.value) and "axis" in str(t_info.value)
