"""torch.func: jvp's checks on primals and tangents, and every transform's check that an
auxiliary output holds only tensors, against PyTorch."""

import collections

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

# PyTorch ends its structure error with both structures printed as its own tree specs;
# Ember says the same up to there (these sentences), then pictures them in its own words.
_STRUCTURE = (
    "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
    "structure. For example, if primals is a tuple of 3 tensors, tangents also must be."
)


def _raised(fn):
    """(exception type name, message) of ``fn()``, which must raise."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return type(e).__name__, str(e)
    raise AssertionError("no exception raised")


def _x(lib):
    return lib.tensor([1.0, 2.0], dtype=lib.float64)


def _sin(a):
    return a.sin()


@pytest.mark.parametrize(
    "tangents",
    [
        lambda lib: [_x(lib)],
        lambda lib: _x(lib),
        lambda lib: None,
        lambda lib: {"a": _x(lib)},
        lambda lib: (_x(lib), _x(lib)),
        lambda lib: ([_x(lib)],),
    ],
)
def test_jvp_tangents_of_another_structure(tangents):
    errors = [_raised(lambda lib=lib: lib.func.jvp(_sin, (_x(lib),), tangents(lib)))
              for lib in (ember, torch)]  # fmt: skip
    (e_type, e_text), (t_type, t_text) = errors
    assert e_type == t_type == "RuntimeError"
    assert t_text.startswith(_STRUCTURE) and e_text.startswith(_STRUCTURE)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.func.jvp(_sin, [x], (x,)),
        lambda lib, x: lib.func.jvp(_sin, x, x),
        lambda lib, x: lib.func.jvp(_sin, (), ()),
        lambda lib, x: lib.func.jvp(_sin, (1.0,), (x,)),
        lambda lib, x: lib.func.jvp(_sin, (1.0,), (2.0,)),
        lambda lib, x: lib.func.jvp(_sin, (x,), (1.0,)),
        lambda lib, x: lib.func.jvp(lambda a, b: a, (x, 2.0), (x, 2.0)),
        lambda lib, x: lib.func.jvp(_sin, (x,), (lib.ones(3, dtype=lib.float64),)),
        lambda lib, x: lib.func.jvp(_sin, (x,), (lib.ones(2, 1, dtype=lib.float64),)),
        lambda lib, x: lib.func.jvp(_sin, (x,), (lib.ones(2, dtype=lib.int64),)),
        lambda lib, x: lib.func.jvp(_sin, (x,), (lib.ones(2, dtype=lib.bool),)),
        lambda lib, x: lib.func.jvp(_sin, (lib.ones(2, dtype=lib.int64),), (x,)),
        lambda lib, x: lib.func.jvp(_sin, (lib.ones(3, dtype=lib.int64),), (x,)),
        lambda lib, x: lib.func.jvp(lambda a, b: a, (x, x), (lib.ones(2, dtype=lib.int64), x)),
        lambda lib, x: lib.func.jvp(
            lambda a, b: a, (x, lib.ones(2, dtype=lib.int64)), (lib.ones(3, dtype=lib.float64), x)
        ),
    ],
)
def test_jvp_argument_errors(call):
    assert _raised(lambda: call(ember, _x(ember))) == _raised(lambda: call(torch, _x(torch)))


def test_jvp_nested_tuples():
    out = []
    for lib in (ember, torch):
        x = _x(lib)
        _, a = lib.func.jvp(lambda p: p[0] * 2, ((x,),), ((x,),))
        _, b = lib.func.jvp(lambda p: p["k"][1] * 3, ({"k": [x, x]},), ({"k": [x, x * 2]},))
        out.append((a.numpy(), b.numpy()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_jvp_none_is_a_leaf():
    for primals, tangents in [(("x", None), ("x", "x")), (("x",), (None,))]:

        def call(lib, primals=primals, tangents=tangents):
            x = _x(lib)
            p = tuple(x if v == "x" else v for v in primals)
            t = tuple(x if v == "x" else v for v in tangents)
            return lib.func.jvp(lambda *a: a[0], p, t)

        assert _raised(lambda: call(ember)) == _raised(lambda: call(torch))


_Pair = collections.namedtuple("_Pair", "a b")


@pytest.mark.parametrize(
    "aux", [lambda lib, a: 1.0, lambda lib, a: "s", lambda lib, a: None,
            lambda lib, a: [a, 2], lambda lib, a: {"k": 3}, lambda lib, a: _Pair(a, 1.5)],
)  # fmt: skip
@pytest.mark.parametrize(
    "transform",
    [
        lambda lib, f, x: lib.func.jacrev(f, has_aux=True)(x),
        lambda lib, f, x: lib.func.jacfwd(f, has_aux=True)(x),
        lambda lib, f, x: lib.func.vjp(f, x, has_aux=True),
        lambda lib, f, x: lib.func.jvp(f, (x,), (x,), has_aux=True),
        lambda lib, f, x: lib.func.grad(lambda a: (f(a)[0].sum(), f(a)[1]), has_aux=True)(x),
        lambda lib, f, x: lib.func.vmap(
            lib.func.grad(lambda a: (f(a)[0].sum(), f(a)[1]), has_aux=True)
        )(x.view(2, 1)),
    ],
)
def test_non_tensor_aux_is_refused(transform, aux):
    errors = []
    for lib in (ember, torch):
        x = _x(lib)
        errors.append(
            _raised(lambda lib=lib, x=x: transform(lib, lambda a: (a.sin(), aux(lib, a)), x))
        )
    assert errors[0] == errors[1]
    assert errors[0][1].startswith("Expected tensors, got unsupported type")


@pytest.mark.parametrize(
    "call",
    [
        # The output's own checks come first where PyTorch makes them first.
        lambda lib, x: lib.func.jacrev(lambda a: (1.0, 1.0), has_aux=True)(x),
        lambda lib, x: lib.func.jacfwd(lambda a: ([1.0], 2.0), has_aux=True)(x),
        lambda lib, x: lib.func.grad(lambda a: (1.0, 1.0), has_aux=True)(x),
        lambda lib, x: lib.func.grad(lambda a: (a.sin(), 1.0), has_aux=True)(x),
        lambda lib, x: lib.func.grad(lambda a: (lib.tensor(1.0), 1.0), has_aux=True)(x),
        lambda lib, x: lib.func.jacrev(lambda a: a.sin(), has_aux=True)(x),
        lambda lib, x: lib.func.jacrev(lambda a: [a, 1.0])(x),
    ],
)
def test_aux_check_order(call):
    assert _raised(lambda: call(ember, _x(ember))) == _raised(lambda: call(torch, _x(torch)))


def test_tensor_aux_still_returned():
    results = []
    for lib in (ember, torch):
        x = _x(lib)
        three = lib.tensor(3)
        jac, aux = lib.func.jacrev(lambda a, k=three: (a.sin(), (a * 2, {"k": k})),
                                   has_aux=True)(x)  # fmt: skip
        results.append((jac.numpy(), aux[0].numpy(), aux[1]["k"].item()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]
