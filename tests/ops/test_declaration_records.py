"""``OpSpec`` and ``OpDecl`` behave as the dataclasses they replaced: constructor, defaults,
repr, equality, hashing (``OpDecl`` is frozen)."""

import inspect

import pytest

from ember.ops import registry
from ember.ops._spec import OpSpec


def _spec(**kw):
    return OpSpec("x", len, [((2,),)], **kw)


def test_opspec_constructor_and_defaults():
    names = list(inspect.signature(OpSpec).parameters)
    assert names == ["name", "fn", "samples", "shapes", "domain", "dtypes", "grad",
                     "second_order", "atol", "rtol", "extra", "fd", "notes"]  # fmt: skip
    s = _spec(atol=1e-3)
    assert (s.shapes, s.domain, s.dtypes, s.grad) == (
        "unary",
        (-2.0, 2.0),
        ("float32", "float64"),
        None,
    )
    assert (s.second_order, s.atol, s.rtol, s.extra, s.fd, s.notes) == (
        True,
        1e-3,
        1e-5,
        None,
        True,
        "",
    )
    assert OpSpec("y", len, [], "broadcast2").shapes == "broadcast2"  # positional as declared


def test_opspec_repr_equality_and_hash():
    assert repr(_spec(fd=False)) == (
        "OpSpec(name='x', fn=<built-in function len>, samples=[((2,),)], shapes='unary', "
        "domain=(-2.0, 2.0), dtypes=('float32', 'float64'), grad=None, second_order=True, "
        "atol=1e-05, rtol=1e-05, extra=None, fd=False, notes='')"
    )
    assert _spec() == _spec() and _spec() != _spec(notes="n") and _spec() != ("x",)
    with pytest.raises(TypeError, match="unhashable"):
        hash(_spec())
    s = _spec()
    s.atol = 0.5  # mutable, as before
    assert s.atol == 0.5


def test_opdecl_is_frozen_and_compared_by_value():
    decl = registry.declarations()[0]
    assert list(inspect.signature(registry.OpDecl).parameters) == [
        "node", "function", "method", "methods", "inplace", "grad_fn", "vmap", "specs",
        "public", "aliases", "module"]  # fmt: skip
    with pytest.raises(AttributeError, match="cannot assign to field 'node'"):
        decl.node = None
    with pytest.raises(AttributeError, match="cannot delete field 'module'"):
        del decl.module
    args = (None, None, None, (), None, None, None, (), True, (), "m")
    a, b = registry.OpDecl(*args), registry.OpDecl(*args)
    assert a == b and hash(a) == hash(b) and a != registry.OpDecl(*args[:-1], "n")
    assert repr(a).startswith("OpDecl(node=None, function=None, method=None, methods=(), ")
    assert repr(a).endswith("public=True, aliases=(), module='m')")
