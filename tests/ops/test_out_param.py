"""``out=`` on the public functions: taken exactly where PyTorch takes it, and written
the way PyTorch writes it (into the given tensor, resized, cast, never with autograd)."""

import inspect
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import batching, registry


def _elementwise_functions():
    for d in registry.declarations():
        if d.function is None or d.node is None or not d.public:
            continue
        if d.vmap is batching.elementwise:
            yield d.function.__name__, d.function


def _positional_arity(fn):
    params = inspect.signature(fn).parameters.values()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.default is inspect.Parameter.empty and p.kind in kinds)


def _torch_verdict(name, n):
    """'takes' / 'refuses' when PyTorch's answer to ``out=`` is clear for float inputs."""
    x = torch.linspace(0.2, 0.8, 4)
    try:
        getattr(torch, name)(*[x] * n, out=torch.empty(4))
        return "takes"
    except TypeError as e:
        return "refuses" if "out" in str(e) else None
    except Exception:
        return None


def test_out_is_taken_exactly_where_pytorch_takes_it():
    checked = 0
    for name, fn in _elementwise_functions():
        if not hasattr(torch, name):
            continue
        n = _positional_arity(fn)
        verdict = _torch_verdict(name, n)
        if verdict is None:
            continue
        x = np.linspace(0.2, 0.8, 4, dtype=np.float32)
        args = [ember.tensor(x)] * n
        c = ember.zeros(4)
        if verdict == "refuses":
            with pytest.raises(TypeError, match="out"):
                getattr(ember, name)(*args, out=c)
        else:
            got = getattr(ember, name)(*args, out=c)
            assert got is c, name
            want = getattr(torch, name)(*[torch.tensor(x)] * n)
            np.testing.assert_allclose(c.numpy(), want.float().numpy(), rtol=1e-6, err_msg=name)
        checked += 1
    assert checked > 50


def test_out_is_resized_with_pytorchs_warning():
    x = ember.tensor([0.5, 1.0, 2.0])
    c = ember.zeros(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.exp(x, out=c)
    assert c.shape == (3,)
    assert "was resized" in str(caught[0].message)
    np.testing.assert_allclose(c.numpy(), np.exp([0.5, 1.0, 2.0]), rtol=1e-6)


def test_out_into_an_empty_tensor_resizes_silently():
    c = ember.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.sin(ember.ones(2, 3), out=c)
    assert c.shape == (2, 3)


def test_out_refuses_a_dtype_the_result_cannot_be_cast_to():
    c = ember.zeros(3, dtype=ember.int64)
    with pytest.raises(RuntimeError) as got:
        ember.exp(ember.ones(3), out=c)
    with pytest.raises(RuntimeError) as want:
        torch.exp(torch.ones(3), out=torch.zeros(3, dtype=torch.int64))
    assert str(got.value) == str(want.value)
    assert (c.numpy() == 0).all()  # nothing half-written


def test_out_refuses_autograd():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ember.tanh(x, out=ember.zeros(3))
    with ember.no_grad():
        c = ember.tanh(x, out=ember.zeros(3))
    np.testing.assert_allclose(c.numpy(), np.tanh(np.ones(3)), rtol=1e-6)


def test_out_writes_through_to_views_and_bumps_the_version():
    base = ember.zeros(2, 3)
    row = base[1]
    v = row._version
    ember.neg(ember.ones(3), out=row)
    assert (base.numpy()[1] == -1).all() and (base.numpy()[0] == 0).all()
    assert row._version > v


def test_comparison_into_a_float_out():
    a, b = ember.tensor([1.0, 2.0]), ember.tensor([1.0, 3.0])
    c = ember.zeros(2)
    ember.eq(a, b, out=c)
    assert c.dtype == ember.float32 and c.tolist() == [1.0, 0.0]


def test_out_must_be_a_tensor():
    with pytest.raises(TypeError, match="argument 'out' must be Tensor"):
        ember.exp(ember.ones(2), out=[1, 2])


# Functions whose ``out=`` has its own dtype rule, or several results (a tuple of outs).
OTHER_OUT_CALLS = [
    "lib.addmm(a, a, a, out=lib.empty(0))",
    "lib.addmm(a, a, a, out=lib.empty(0, dtype=lib.float64))",
    "lib.addmv(a[0], a, a[1], out=lib.empty(0))",
    "lib.baddbmm(b, b, b, out=lib.empty(0))",
    "lib.mv(a, a[0], out=lib.empty(0))",
    "lib.mv(a, a[0], out=lib.empty(0, dtype=lib.float64))",
    "lib.tril(a, out=lib.empty(0))",
    "lib.triu(a, 1, out=lib.empty(0, dtype=lib.int64))",
    "lib.diag(a, out=lib.empty(0))",
    "lib.diag(a, out=lib.empty(0, dtype=lib.float64))",
    "lib.kron(a, a, out=lib.empty(0, dtype=lib.float64))",
    "lib.diff(a, out=lib.empty(0, dtype=lib.float64))",
    "lib.tensordot(a, a, out=lib.empty(0))",
    "lib.tensordot(a, a, out=lib.empty(0, dtype=lib.float64))",
    "lib.inner(a, a, out=lib.empty(0, dtype=lib.float64))",
    "lib.linalg.qr(a, out=(lib.empty(0), lib.empty(0)))",
    "lib.linalg.qr(a, out=(lib.empty(0, dtype=lib.float64), lib.empty(0)))",
    "lib.linalg.qr(a, out=lib.empty(0))",
    "lib.linalg.eigh(a + a.mT, out=(lib.empty(0), lib.empty(0)))",
    "lib.linalg.lu_factor(a, out=(lib.empty(0), lib.empty(0, dtype=lib.int32)))",
    "lib.linalg.inv_ex(a, out=(lib.empty(0), lib.empty(0, dtype=lib.int32)))",
    "lib.linalg.solve_ex(a, a, out=(lib.empty(0), lib.empty(0, dtype=lib.int32)))",
    "lib.triangular_solve(a, a.triu(), out=(lib.empty(0), lib.empty(0)))",
    "lib.fft.fft(a, out=lib.empty(0))",
    "lib.fft.fft(a, out=lib.empty(0, dtype=lib.complex128))",
    "lib.fft.rfft2(a, out=lib.empty(0, dtype=lib.complex64))",
    "lib.fft.irfft(lib.fft.rfft(a), out=lib.empty(0, dtype=lib.complex64))",
    "lib.fft.irfftn(lib.fft.rfftn(a), out=lib.empty(0, dtype=lib.float64))",
    "lib.fft.hfft(lib.fft.ifft(a), out=lib.empty(0))",
    "lib.fft.fftn(a, out=lib.empty(0, dtype=lib.float64))",
]


def _outcome(lib, code):
    g = np.random.default_rng(0)
    a = lib.tensor(g.random((3, 3), dtype=np.float32) + 3 * np.eye(3, dtype=np.float32))
    b = lib.tensor(g.random((2, 3, 3), dtype=np.float32))
    try:
        got = eval(code, {"lib": lib, "a": a, "b": b})
    except (RuntimeError, TypeError) as e:
        return type(e).__name__, str(e)
    outs = got if isinstance(got, tuple) else (got,)
    return "ok", [np.asarray(o.tolist()) for o in outs]


@pytest.mark.parametrize("code", OTHER_OUT_CALLS)
def test_out_of_other_functions_matches_pytorch(code):
    got, want = _outcome(ember, code), _outcome(torch, code)
    assert got[0] == want[0], (got, want)
    if got[0] != "ok":
        assert got[1] == want[1]
        return
    for g, w in zip(got[1], want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_several_results_come_back_in_the_given_tensors():
    q, r = ember.empty(0), ember.empty(0)
    res = ember.linalg.qr(ember.eye(3) * 2, out=(q, r))
    assert res[0] is q and res[1] is r and res.Q is q


def test_normalize_writes_into_out():
    x = np.random.default_rng(1).random((3, 4), dtype=np.float32)
    c = ember.empty(0)
    got = ember.nn.functional.normalize(ember.tensor(x), out=c)
    want = torch.nn.functional.normalize(torch.tensor(x))
    assert got is c
    np.testing.assert_allclose(c.numpy(), want.numpy(), rtol=1e-6)
