"""``out=`` on the reductions, sorting, joining and indexing ops, against PyTorch (issue 15):
the result is written into ``out`` (resized as PyTorch does), ``out`` is returned, dtypes
follow each op's rule, and ``out=`` is refused where autograd would have to record it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

_X = np.array(
    [[0.5, -1.0, 2.0, 0.0], [3.0, 1.5, -2.5, 1.0], [-0.5, 2.5, 1.0, -3.0]], dtype=np.float32
)


def _idx(lib, values):
    return lib.tensor(values)


# name -> (call(lib, x, out), number of out tensors, dtypes of the default outs)
F, L, B = "float32", "int64", "bool"
CASES = {
    "sum": (lambda t, x, o: t.sum(x, 0, out=o), (F,)),
    "sum_keepdim": (lambda t, x, o: t.sum(x, (0, 1), True, out=o), (F,)),
    "mean": (lambda t, x, o: t.mean(x, 1, out=o), (F,)),
    "mean_all": (lambda t, x, o: t.mean(x, out=o), (F,)),
    "prod": (lambda t, x, o: t.prod(x, 1, out=o), (F,)),
    "max_all": (lambda t, x, o: t.max(x, out=o), (F,)),
    "max_dim": (lambda t, x, o: t.max(x, 1, out=o), (F, L)),
    "min_dim": (lambda t, x, o: t.min(x, 0, True, out=o), (F, L)),
    "max_other": (lambda t, x, o: t.max(x, x.flip(0), out=o), (F,)),
    "amax": (lambda t, x, o: t.amax(x, 0, out=o), (F,)),
    "amin": (lambda t, x, o: t.amin(x, (0, 1), out=o), (F,)),
    "aminmax": (lambda t, x, o: t.aminmax(x, dim=1, out=o), (F, F)),
    "argmax": (lambda t, x, o: t.argmax(x, 1, out=o), (L,)),
    "argmin_all": (lambda t, x, o: t.argmin(x, out=o), (L,)),
    "var": (lambda t, x, o: t.var(x, 0, out=o), (F,)),
    "std": (lambda t, x, o: t.std(x, 1, correction=0, out=o), (F,)),
    "norm": (lambda t, x, o: t.norm(x, 2, 1, out=o), (F,)),
    "logsumexp": (lambda t, x, o: t.logsumexp(x, 1, out=o), (F,)),
    "cumsum": (lambda t, x, o: t.cumsum(x, 0, out=o), (F,)),
    "cumprod": (lambda t, x, o: t.cumprod(x, 1, out=o), (F,)),
    "all": (lambda t, x, o: t.all(x > 0, 1, out=o), (B,)),
    "any": (lambda t, x, o: t.any(x > 0, out=o), (B,)),
    "sort": (lambda t, x, o: t.sort(x, 1, out=o), (F, L)),
    "topk": (lambda t, x, o: t.topk(x, 2, out=o), (F, L)),
    "median_dim": (lambda t, x, o: t.median(x, 1, out=o), (F, L)),
    "nanmedian_dim": (lambda t, x, o: t.nanmedian(x, 0, out=o), (F, L)),
    "kthvalue": (lambda t, x, o: t.kthvalue(x, 2, 0, out=o), (F, L)),
    "cat": (lambda t, x, o: t.cat([x, x], out=o), (F,)),
    "concat": (lambda t, x, o: t.concat([x, x], 1, out=o), (F,)),
    "stack": (lambda t, x, o: t.stack([x, x], 1, out=o), (F,)),
    "hstack": (lambda t, x, o: t.hstack([x, x], out=o), (F,)),
    "vstack": (lambda t, x, o: t.vstack([x, x], out=o), (F,)),
    "dstack": (lambda t, x, o: t.dstack([x, x], out=o), (F,)),
    "column_stack": (lambda t, x, o: t.column_stack([x, x], out=o), (F,)),
    "gather": (lambda t, x, o: t.gather(x, 1, _idx(t, [[0, 3], [1, 1], [2, 0]]), out=o), (F,)),
    "take_along_dim": (
        lambda t, x, o: t.take_along_dim(x, _idx(t, [[0], [3], [1]]), 1, out=o),
        (F,),
    ),
    "scatter": (lambda t, x, o: t.scatter(x, 0, _idx(t, [[2, 0, 1, 0]]), x, out=o), (F,)),
    "scatter_value": (lambda t, x, o: t.scatter(x, 1, _idx(t, [[3], [0], [1]]), 9.0, out=o), (F,)),
    "scatter_add": (lambda t, x, o: t.scatter_add(x, 0, _idx(t, [[2, 2, 1, 0]]), x, out=o), (F,)),
    "index_select": (lambda t, x, o: t.index_select(x, 1, _idx(t, [3, 0, 3]), out=o), (F,)),
    "index_add": (lambda t, x, o: t.index_add(x, 0, _idx(t, [2, 2]), x[:2], out=o), (F,)),
    "index_copy": (lambda t, x, o: t.index_copy(x, 0, _idx(t, [2, 0]), x[:2], out=o), (F,)),
    "masked_select": (lambda t, x, o: t.masked_select(x, x > 0, out=o), (F,)),
    "take": (lambda t, x, o: t.take(x, _idx(t, [[0, 11], [5, 5]]), out=o), (F,)),
    "nonzero": (lambda t, x, o: t.nonzero(x > 0, out=o), (L,)),
}


def _outs(lib, dtypes, shape=(0,)):
    outs = tuple(lib.zeros(shape, dtype=getattr(lib, d)) for d in dtypes)
    return outs if len(outs) > 1 else outs[0]


def _as_tuple(r):
    return tuple(r) if isinstance(r, tuple) else (r,)


def _run(lib, name, out, x=None):
    call, _ = CASES[name]
    x = lib.tensor(_X) if x is None else x
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(lib, x, out)
    # PyTorch's warnings end in "(Triggered internally at <its source file>)"
    texts = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    return result, [m for m in texts if "resized" in m]


@pytest.mark.parametrize("name", list(CASES))
def test_out_is_written_and_returned(name):
    got = []
    for lib in (ember, torch):
        out = _outs(lib, CASES[name][1])
        result, resized = _run(lib, name, out)
        assert not resized  # an empty out is resized silently
        for r, o in zip(_as_tuple(result), _as_tuple(out)):
            assert r is o
        got.append([o.numpy() for o in _as_tuple(out)])
    for e, t in zip(*got):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_allclose(e, t, rtol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_out_of_another_shape_is_resized_with_pytorchs_warning(name):
    messages = []
    for lib in (ember, torch):
        out = _outs(lib, CASES[name][1], shape=(5,))
        _, resized = _run(lib, name, out)
        messages.append(resized)
    if name == "kthvalue":  # PyTorch's message names its internal keepdim shapes
        messages = [len(m) for m in messages]
    assert messages[0] == messages[1] and messages[0]


def test_out_of_the_right_shape_keeps_its_memory_and_bumps_its_version():
    out = ember.zeros(4)
    view = out[1:]
    result = ember.sum(ember.tensor(_X), 0, out=out)
    assert result is out and out._version_value == 1
    np.testing.assert_allclose(view.numpy(), _X.sum(0)[1:], rtol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("who", ["input", "out"])
def test_out_with_autograd_is_refused_as_pytorch(name, who):
    errors = []
    dtypes = CASES[name][1]
    for lib in (ember, torch):
        x = lib.tensor(_X, requires_grad=who == "input")
        out = _outs(lib, dtypes)
        if who == "out":
            if any(d != F for d in dtypes):
                return  # only float tensors can require grad
            for o in _as_tuple(out):
                o.requires_grad_()
        try:
            _run(lib, name, out, x)
            errors.append(None)
        except RuntimeError as e:
            errors.append(str(e))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", ["float64", "int64", "float16", "bool"])
def test_out_dtype_rules_match_pytorch(name, dtype):
    results = []
    for lib in (ember, torch):
        dtypes = tuple(dtype if k == 0 else d for k, d in enumerate(CASES[name][1]))
        out = _outs(lib, dtypes)
        try:
            _run(lib, name, out)
            results.append([o.numpy() for o in _as_tuple(out)])
        except Exception as e:  # compared below
            results.append(e)
    e, t = results
    if isinstance(t, Exception):
        assert type(e) is type(t), f"ember: {e!r}; torch: {t!r}"
        assert str(e).split("\n")[0] == str(t).split("\n")[0]
        return
    assert not isinstance(e, Exception), f"ember: {e!r}"
    for a, b in zip(e, t):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-3)


def test_cumsum_out_regression():  # issue 15: out was ignored
    c = ember.zeros(3, 4)
    r = ember.cumsum(ember.tensor(_X), 0, out=c)
    assert r is c
    np.testing.assert_allclose(c.numpy(), np.cumsum(_X, 0), rtol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.sum(x, out=t.zeros(())),
        lambda t, x: t.cumsum(x, 0, out=(t.zeros(0),)),
        lambda t, x: t.cumsum(x, 0, out=3),
        lambda t, x: t.max(x, 0, out=(t.zeros(0),)),
        lambda t, x: t.sort(x, out=t.zeros(0)),
        lambda t, x: t.median(x, out=t.zeros(0)),
        lambda t, x: t.nanmedian(x, out=t.zeros(0)),
        lambda t, x: t.prod(x, out=t.zeros(0)),
    ],
)
def test_malformed_out_refused_as_pytorch(call):
    errors = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            call(lib, lib.tensor(_X))
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1])
