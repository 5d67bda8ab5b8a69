"""Reductions and sorting at their edges: ties, zeros, NaN/inf, dtypes, errors (SPEC 19/20/26).

Each case checks the literal value from SPEC (where it gives one) and the same
expression run on PyTorch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

NAN = float("nan")
INF = float("inf")


def _grad(lib, fn, values, dtype="float32", create_graph=False):
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    out = fn(lib, x)
    y = out[0] if isinstance(out, tuple) else out
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=create_graph)
    return y, g, x


def _np(t):
    return t.detach().numpy(force=True) if hasattr(t, "detach") else np.asarray(t)


def check_grad(fn, values, expected=None, dtype="float32"):
    """The gradient of ``fn(lib, x).sum()`` equals PyTorch's (and ``expected`` if given)."""
    ey, eg, _ = _grad(ember, fn, values, dtype)
    ty, tg, _ = _grad(torch, fn, values, dtype)
    np.testing.assert_allclose(_np(ey), _np(ty), rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(_np(eg), _np(tg), rtol=1e-6, atol=1e-7, equal_nan=True)
    assert str(_np(eg).dtype) == str(_np(tg).dtype)
    if expected is not None:
        np.testing.assert_allclose(_np(eg), np.asarray(expected), rtol=1e-6, equal_nan=True)
    return eg


def check_grad2(fn, values):
    """Second derivatives, d/dx sum(d/dx sum fn(x)), agree with PyTorch."""
    out = []
    for lib in (ember, torch):
        _, g, x = _grad(lib, fn, values, "float64", create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, allow_unused=True)
        out.append((_np(g), None if gg is None else _np(gg)))
    (eg, egg), (tg, tgg) = out
    np.testing.assert_allclose(eg, tg, rtol=1e-10, equal_nan=True)
    if tgg is None:
        assert egg is None or not np.any(egg)
    else:
        np.testing.assert_allclose(egg, tgg, rtol=1e-10, equal_nan=True)


def same_error(fn, tensor_args=((2, 3),), dtype="float32", upto=None):
    """``fn`` raises the same exception type and message in Ember as in PyTorch.

    ``upto``: compare the messages only up to this text (PyTorch lists keyword
    arguments in the order of the call, which a Python signature does not keep).
    """
    errors = []
    for lib in (ember, torch):
        args = [
            lib.tensor(np.arange(math.prod(s), dtype=dtype).reshape(s)) if s is not None else None
            for s in tensor_args
        ]
        with pytest.raises(Exception) as info:
            fn(lib, *args)
        errors.append(info.value)
    e, t = errors
    assert type(e) is type(t), (e, t)
    expected = str(t).split("\n")[0]
    if upto is not None:
        expected = expected[: expected.index(upto)]
    assert str(e).startswith(expected), (str(e), str(t))
    return e


# ----- SPEC rule 19: measured values -------------------------------------------------------------
def test_prod_with_a_zero_has_no_division():  # SPEC rule 19
    check_grad(lambda t, x: x.prod(), [0.0, 2.0], [2.0, 0.0])


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0.0, 2.0, 0.0], [0.0, 0.0, 0.0]),
        ([0.0, 2.0, 3.0], [6.0, 0.0, 0.0]),
        ([0.0, 0.0], [0.0, 0.0]),
        ([0.0], [1.0]),
        ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ],
)
def test_prod_zeros(values, expected):  # SPEC rule 19
    check_grad(lambda t, x: x.prod(), values, expected)


def test_prod_dim_rows_with_zero_one_and_two_zeros():
    rows = [[1.0, 2.0, 3.0], [0.0, 2.0, 3.0], [0.0, 0.0, 3.0]]
    check_grad(lambda t, x: x.prod(1), rows, [[6, 3, 2], [6, 0, 0], [0, 0, 0]])
    check_grad(lambda t, x: x.prod(0, keepdim=True), rows)


def test_prod_second_order_with_zeros():
    check_grad2(lambda t, x: x.prod(), [0.0, 2.0, 0.0, 3.0])
    check_grad2(lambda t, x: x.prod(), [0.0, 2.0, 1.0, 3.0])
    check_grad2(lambda t, x: x.prod(), [4.0, 2.0, 1.0, 3.0])


def test_logsumexp_all_minus_inf():  # SPEC rule 19
    check_grad(lambda t, x: x.logsumexp(0), [-INF, -INF], [NAN, NAN])


@pytest.mark.parametrize(
    "values", [[INF, 1.0], [INF, INF], [-INF, 1.0], [NAN, 1.0], [1000.0, 1000.0], [-1e4, 3.0]]
)
def test_logsumexp_infinities_and_large_values(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check_grad(lambda t, x: x.logsumexp(0), values)


def test_logsumexp_is_stable():
    y = ember.tensor([1000.0, 1000.0]).logsumexp(0)
    assert y.item() == pytest.approx(1000.0 + math.log(2.0))


@pytest.mark.parametrize("p", [2, "fro", 1, 0.5, 1.5, 3, -1, INF, -INF])
def test_norm_at_zero_has_zero_gradient(p):  # SPEC rule 19
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # masked 0/0 makes no NumPy noise
        check_grad(lambda t, x: x.norm(p), [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("p", [2, 1, 0.5, 1.5, 3, -1, INF, -INF])
def test_norm_with_some_zero_elements(p):
    check_grad(lambda t, x: x.norm(p), [0.0, 2.0, -2.0, 1.0])


def test_norm_p0_has_no_gradient():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 0.0, 3.0], requires_grad=True)
        y = x.norm(0)
        assert y.item() == 2.0
        y.backward()
        assert x.grad is None


@pytest.mark.parametrize("p", [1.5, 0.5, 3, INF])
def test_norm_second_order(p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # PyTorch's NaN comes from 0 * inf
        check_grad2(lambda t, x: x.norm(p), [0.0, 0.0])
    check_grad2(lambda t, x: x.norm(p), [3.0, -4.0, 1.0])


def test_norm_second_order_p2():
    check_grad2(lambda t, x: x.norm(), [3.0, -4.0, 1.0])
    # At a zero vector PyTorch's second derivative is NaN (0 * inf inside its masking);
    # Ember's is 0, the value by continuity along every ray.
    x = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad(x.norm(), x, create_graph=True)
    assert g.tolist() == [0.0, 0.0]


def test_std_second_order_at_zero_variance():
    check_grad2(lambda t, x: x.std(), [2.0, 2.0, 2.0])


@pytest.mark.parametrize("fn", [lambda t, x: x.std(), lambda t, x: x.std(0, correction=0)])
def test_std_at_zero_variance_has_zero_gradient(fn):
    check_grad(fn, [2.0, 2.0, 2.0], [0.0, 0.0, 0.0])


def test_std_of_one_element_is_nan_with_nan_gradient():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grad(lambda t, x: x.std(), [1.0], [NAN])
        check_grad(lambda t, x: x.var(), [1.0], [NAN])


def test_var_warns_when_no_degrees_of_freedom():
    with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
        y = ember.tensor([1.0, 2.0]).var(correction=2)
    assert y.item() == INF
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
        assert math.isnan(ember.tensor([1.0, 1.0]).std(correction=2).item())


# ----- SPEC rule 20: ties ----------------------------------------------------------------------
def test_full_max_min_split_ties():  # SPEC rule 20
    check_grad(lambda t, x: x.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5])
    check_grad(lambda t, x: x.min(), [1.0, 3.0, 1.0, 1.0], [1 / 3, 0.0, 1 / 3, 1 / 3])


def test_amax_amin_split_ties_per_slice():  # SPEC rule 20
    rows = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]
    check_grad(lambda t, x: x.amax(1), rows, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    check_grad(lambda t, x: x.amin(0), rows, [[1, 0, 0], [0, 1, 1]])
    check_grad(lambda t, x: x.amax(), rows, [[0, 0.5, 0.5], [0, 0, 0]])
    check_grad(lambda t, x: x.amax((0, 1), keepdim=True), rows)


def test_median_splits_ties():  # SPEC rule 20
    check_grad(lambda t, x: x.median(), [1.0, 2.0, 2.0, 3.0], [0.0, 0.5, 0.5, 0.0])
    check_grad(lambda t, x: x.median(), [1.0, 2.0, 2.0, 3.0, 2.0], [0, 1 / 3, 1 / 3, 0, 1 / 3])


def test_max_dim_sends_gradient_to_first_maximal_index():  # SPEC rule 20
    check_grad(lambda t, x: x.max(1), [[1.0, 3.0, 3.0], [5.0, 5.0, 0.0]], [[0, 1, 0], [1, 0, 0]])
    check_grad(lambda t, x: x.min(0), [[1.0, 3.0], [1.0, 2.0]], [[1, 0], [0, 1]])
    for lib in (ember, torch):
        v, i = lib.tensor([[1.0, 3.0, 3.0]]).max(1)
        assert i.tolist() == [1] and v.tolist() == [3.0]
        assert lib.tensor([[3.0, 1.0, 1.0, 2.0]]).min(1).indices.tolist() == [1]


def test_sort_ties_one_index_each():  # SPEC rule 20
    vals = [1.0, 3.0, 3.0, 3.0, 0.0]
    for desc in (False, True):
        for stable in (False, True):
            e = ember.tensor(vals).sort(descending=desc, stable=stable)
            t = torch.tensor(vals).sort(descending=desc, stable=stable)
            assert e.indices.tolist() == t.indices.tolist()
            assert e.values.tolist() == t.values.tolist()
    w = [1.0, 2.0, 3.0, 4.0, 5.0]
    check_grad(lambda t, x: x.sort(descending=True)[0] * t.tensor(w), vals)


def test_topk_tie_at_the_top_goes_to_the_first_index():  # SPEC rule 20
    check_grad(lambda t, x: x.topk(1), [1.0, 3.0, 3.0, 3.0, 0.0], [0, 1, 0, 0, 0])


def test_maximum_of_max_with_other_tensor_dispatches_to_maximum():
    check_grad(lambda t, x: t.max(x, t.tensor([1.0, 0.0])), [1.0, 2.0], [0.5, 1.0])


def test_nan_handling_in_max_family():
    vals = [1.0, NAN, 3.0, NAN]
    check_grad(lambda t, x: x.max(), vals, [0.0, 0.5, 0.0, 0.5])
    check_grad(lambda t, x: x.amax(), vals, [NAN] * 4)
    check_grad(lambda t, x: x.max(0), vals, [0.0, 1.0, 0.0, 0.0])
    check_grad(lambda t, x: x.median(), [1.0, NAN, 3.0, 2.0], [0.0, 1.0, 0.0, 0.0])
    for name in ("argmax", "argmin"):
        assert getattr(ember.tensor(vals), name)().item() == 1
    e = ember.tensor([1.0, NAN, 3.0, -INF, NAN])
    t = torch.tensor([1.0, NAN, 3.0, -INF, NAN])
    for desc in (False, True):
        assert e.sort(descending=desc).indices.tolist() == t.sort(descending=desc).indices.tolist()
    assert e.topk(2).indices.tolist() == t.topk(2).indices.tolist()
    assert e.topk(2, largest=False).indices.tolist() == t.topk(2, largest=False).indices.tolist()
    assert e.median(0).indices.item() == t.median(0).indices.item() == 1
    assert e.nanmedian().item() == t.nanmedian().item() == 1.0


def test_norm_inf_ties_split_with_sign():
    check_grad(lambda t, x: x.norm(INF), [1.0, -3.0, 3.0], [0.0, -0.5, 0.5])


def test_second_order_of_tie_rules():
    check_grad2(lambda t, x: x.amax() ** 2, [1.0, 3.0, 3.0])
    check_grad2(lambda t, x: x.max() ** 2, [1.0, 3.0, 3.0])
    check_grad2(lambda t, x: x.max(1)[0] ** 2, [[1.0, 3.0, 3.0]])
    check_grad2(lambda t, x: x.sort()[0] ** 2, [2.0, 1.0, 3.0])
    check_grad2(lambda t, x: x.median() ** 2, [1.0, 2.0, 2.0, 3.0])


def test_cumprod_zeros_first_and_second_order():
    rows = [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, 2.0, 3.0]]
    check_grad(lambda t, x: x.cumprod(1), rows, [[1, 3, 0], [1, 0, 0], [9, 4, 2]])
    check_grad2(lambda t, x: x.cumprod(1), [[1.0, 2.0, 3.0], [0.5, 2.0, 4.0]])
    check_grad(lambda t, x: x.cumsum(0) * x.cumsum(1), rows)


# ----- SPEC rule 26: dtypes -------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: x.sum(),
        lambda t, x: x.prod(),
        lambda t, x: x.prod(0),
        lambda t, x: x.cumsum(0),
        lambda t, x: x.cumprod(0),
        lambda t, x: x.max(),
        lambda t, x: x.amin(0),
        lambda t, x: x.argmax(),
        lambda t, x: x.all(),
        lambda t, x: x.any(0),
        lambda t, x: x.count_nonzero(),
        lambda t, x: x.logsumexp(0),
        lambda t, x: x.median(),
        lambda t, x: x.sort()[0],
        lambda t, x: x.prod(dtype=t.int32),
        lambda t, x: x.cumsum(0, dtype=t.float16),
        lambda t, x: x.sum(dtype=t.float64),
    ],
)
@pytest.mark.parametrize("dtype", ["int32", "bool", "uint8", "float16", "float64"])
def test_result_dtypes(fn, dtype):  # SPEC rule 26
    base = np.array([1, 0, 2, 3])
    results = []
    for lib in (ember, torch):
        x = lib.tensor(base.astype(dtype))
        try:
            results.append(fn(lib, x))
        except Exception as e:
            results.append(e)
    e, t = results
    if isinstance(t, Exception):
        assert type(e) is type(t)
        return
    assert not isinstance(e, Exception), e
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(_np(e).astype(float), _np(t).astype(float), rtol=1e-3)


def test_int_and_bool_sum_prod_are_int64():  # SPEC rule 26
    assert ember.tensor([1, 2, 3]).sum().dtype == ember.int64
    assert ember.tensor([True, True]).prod().dtype == ember.int64
    assert ember.tensor([1.0, 2.0], dtype=ember.float16).sum().dtype == ember.float16


def test_mean_of_int_raises():  # SPEC rule 26
    e = same_error(lambda t, x: x.mean(), dtype="int64")
    assert str(e) == (
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long"
    )
    same_error(lambda t, x: x.mean(dtype=t.int64), dtype="float32")


def test_std_var_default_unbiased():  # SPEC rule 26
    x = ember.tensor([1.0, 2.0, 3.0, 4.0])
    assert x.std().item() == pytest.approx(1.2909944, rel=1e-6)
    assert x.std(unbiased=False).item() == pytest.approx(1.1180340, rel=1e-6)
    assert x.var(correction=0).item() == pytest.approx(1.25)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.var(x, 0, True),
        lambda t, x: t.var(x, 0, False, True),
        lambda t, x: t.var(x, False),
        lambda t, x: t.std(x, True),
        lambda t, x: x.var(1, unbiased=False, keepdim=True),
        lambda t, x: x.var(dim=(0, 1), correction=2),
        lambda t, x: x.std(correction=0.5),
        lambda t, x: t.var_mean(x, 1)[0] + t.var_mean(x, 1)[1],
        lambda t, x: t.std_mean(x, unbiased=False)[0],
    ],
)
def test_var_std_signatures(fn):
    check_grad(fn, [[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])


# ----- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda t, x: x.max(), (0,)),
        (lambda t, x: x.min(), (0, 3)),
        (lambda t, x: x.max(0), (0, 3)),
        (lambda t, x: x.min(-1), (3, 0)),
        (lambda t, x: x.amax(), (0,)),
        (lambda t, x: x.amax((1, 0)), (0, 3)),
        (lambda t, x: x.amin(-2), (0, 3)),
        (lambda t, x: x.argmax(), (0,)),
        (lambda t, x: x.argmin(0), (0, 3)),
        (lambda t, x: x.median(1), (3, 0)),
        (lambda t, x: x.kthvalue(1, 1), (3, 0)),
        (lambda t, x: x.kthvalue(4), (2, 3)),
        (lambda t, x: x.kthvalue(0), (2, 3)),
        (lambda t, x: x.topk(4), (2, 3)),
        (lambda t, x: x.topk(-1), (2, 3)),
        (lambda t, x: x.max(2), (2, 3)),
        (lambda t, x: x.sum(-3), (2, 3)),
        (lambda t, x: x.amax((0, 0)), (2, 3)),
        (lambda t, x: x.argmax(5), (2, 3)),
        (lambda t, x: x.sort(2), (2, 3)),
        (lambda t, x: x.cumsum(2), (2, 3)),
        (lambda t, x: x.max(1), ()),
        (lambda t, x: x.norm(float("inf")), (0,)),
        (lambda t, x: x.norm(-float("inf")), (0, 2)),
        (lambda t, x: x.norm(p="fro", dim=(0, 1, 2)), (2, 2, 2)),
        (lambda t, x: x.norm(p="foo"), (2, 2)),
        (lambda t, x: x.aminmax(), (0,)),
        (lambda t, x: x.aminmax(dim=0), (0, 3)),
        (lambda t, x: t.logsumexp(x), (2, 3)),
        (lambda t, x: t.cumsum(x), (2, 3)),
        (lambda t, x: t.prod(x, (0, 1)), (2, 3)),
        (lambda t, x: t.max(x, keepdim=True), (2, 3)),
    ],
)
def test_errors_match_pytorch(fn, shape):
    same_error(fn, (shape,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.var(x, unbiased=True, correction=1),
        lambda t, x: t.std(x, 1, unbiased=False, correction=1),
    ],
)
def test_unbiased_and_correction_together_raise(fn):
    same_error(fn, ((2, 3),), upto="got (")


@pytest.mark.parametrize(
    "fn",
    [lambda t, x: x.var(), lambda t, x: x.std(0), lambda t, x: x.norm(), lambda t, x: x.norm(1)],
)
def test_float_only_reductions_refuse_integers(fn):
    same_error(fn, ((2, 3),), dtype="int64")


def test_dim_out_of_range_message():
    with pytest.raises(IndexError, match=r"^Dimension out of range \(expected to be in range of "):
        ember.zeros(2, 3).amax(3)


# ----- results that are not errors at the edges ---------------------------------------------
@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda t, x: x.max(1), (0, 3)),
        (lambda t, x: x.amax(0), (3, 0)),
        (lambda t, x: x.argmax(1), (0, 3)),
        (lambda t, x: x.median(), (0,)),
        (lambda t, x: x.median(1), (0, 3)),
        (lambda t, x: x.sort(1), (3, 0)),
        (lambda t, x: x.topk(0, 1), (3, 0)),
        (lambda t, x: x.logsumexp(1), (3, 0)),
        (lambda t, x: x.prod(1), (3, 0)),
        (lambda t, x: x.norm(), (0,)),
        (lambda t, x: x.all(), (0,)),
        (lambda t, x: x.any(), (0,)),
        (lambda t, x: x.cumsum(0), (0,)),
        (lambda t, x: x.max(0), ()),
        (lambda t, x: x.sort(), ()),
        (lambda t, x: x.topk(1), ()),
        (lambda t, x: x.argmax(keepdim=True), (2, 3)),
        (lambda t, x: x.median(0), ()),
        (lambda t, x: x.kthvalue(1, 0), (3, 0)),
        (lambda t, x: x.count_nonzero((0, 1)), (2, 3)),
        (lambda t, x: x.all((0, 1)), (2, 3)),
        (lambda t, x: x.any(1, keepdim=True), (2, 3)),
        (lambda t, x: t.nanmedian(t.full((1, 3), float("nan")), 1), ()),
    ],
)
def test_edge_results_match_pytorch(fn, shape):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(math.prod(shape), dtype="float32").reshape(shape))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(lib, x)
        outs.append(r if isinstance(r, tuple) else (r,))
    for e, t in zip(*outs):
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(_np(e), _np(t))


# ----- return types and node names ---------------------------------------------------------
def test_return_types_unpack_and_name_fields():
    x = ember.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    r = ember.max(x, 1)
    v, i = r
    assert r.values is v and r.indices is i and r[0] is v and len(r) == 2
    assert i.tolist() == [1, 0] and i.dtype == ember.int64
    assert repr(r).startswith("torch.return_types.max(\nvalues=tensor(")
    assert "\nindices=tensor([1, 0]))" in repr(r)
    for name in ("min", "sort", "median", "nanmedian", "kthvalue", "topk"):
        res = getattr(x, name)(1)
        assert type(res).__name__ == name == type(getattr(torch.ones(2, 3), name)(1)).__name__
        assert res._fields == ("values", "indices")
    mm = x.aminmax()
    assert mm.min.item() == 0.0 and mm.max.item() == 7.0


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: x.max(),
        lambda t, x: x.max(0)[0],
        lambda t, x: x.min(0)[0],
        lambda t, x: x.amax(1),
        lambda t, x: x.var(),
        lambda t, x: x.std(0),
        lambda t, x: x.norm(),
        lambda t, x: x.logsumexp(0),
        lambda t, x: x.cumsum(0),
        lambda t, x: x.cumprod(1),
        lambda t, x: x.sort()[0],
        lambda t, x: x.topk(2)[0],
        lambda t, x: x.median(),
        lambda t, x: x.median(0)[0],
        lambda t, x: x.kthvalue(1)[0],
    ],
)
def test_grad_fn_names_match_pytorch(fn):
    names = []
    for lib in (ember, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 6.0, 5.0]], requires_grad=True)
        names.append(fn(lib, x).grad_fn.name())
    assert names[0] == names[1]


def test_indices_do_not_require_grad():
    x = ember.tensor([[1.0, 2.0], [4.0, 3.0]], requires_grad=True)
    for r in (x.max(1), x.sort(0), x.topk(1), x.median(1), x.kthvalue(1)):
        assert r.values.requires_grad and not r.indices.requires_grad
    assert not x.argmax().requires_grad and not x.all().requires_grad


# ----- one node per op, with PyTorch's name for each argument form -------------------------
REDUCTION_NODES = {
    "sum": lambda t, x: x.sum(),
    "sum_dtype": lambda t, x: x.sum(dtype=t.float64),
    "sum_dim": lambda t, x: x.sum(1),
    "sum_dims": lambda t, x: t.sum(x, (0, 1)),
    "sum_dim_dtype": lambda t, x: x.sum(0, dtype=t.float64),
    "sum_axis_keepdims": lambda t, x: t.sum(x, axis=0, keepdims=True),
    "mean": lambda t, x: x.mean(),
    "mean_dtype": lambda t, x: x.mean(dtype=t.float64),
    "mean_dim": lambda t, x: x.mean(1),
    "mean_dims_keep": lambda t, x: x.mean((0, 1), keepdim=True),
    "prod": lambda t, x: x.prod(),
    "prod_dim": lambda t, x: x.prod(1),
    "max": lambda t, x: x.max(),
    "max_dim": lambda t, x: x.max(1)[0],
    "min": lambda t, x: x.min(),
    "min_dim": lambda t, x: x.min(0, keepdim=True)[0],
    "amax": lambda t, x: x.amax(),
    "amin_dim": lambda t, x: x.amin(1),
    "aminmax_min": lambda t, x: t.aminmax(x).min,
    "aminmax_max": lambda t, x: t.aminmax(x, dim=0).max,
    "var": lambda t, x: x.var(),
    "std_dim": lambda t, x: x.std(1),
    "var_mean_var": lambda t, x: t.var_mean(x, 1)[0],
    "var_mean_mean": lambda t, x: t.var_mean(x)[1],
    "std_mean": lambda t, x: t.std_mean(x, 0)[1],
    "norm": lambda t, x: x.norm(),
    "norm_p_dim": lambda t, x: x.norm(3, 1),
    "logsumexp": lambda t, x: x.logsumexp(1),
    "cumsum": lambda t, x: x.cumsum(0),
    "cumprod": lambda t, x: x.cumprod(1),
    "sort": lambda t, x: x.sort()[0],
    "sort_stable": lambda t, x: x.sort(stable=True)[0],
    "topk": lambda t, x: x.topk(2)[0],
    "median": lambda t, x: x.median(),
    "median_dim": lambda t, x: x.median(1)[0],
    "nanmedian": lambda t, x: x.nanmedian(),
    "nanmedian_dim": lambda t, x: x.nanmedian(0)[0],
    "kthvalue": lambda t, x: x.kthvalue(2)[0],
}


@pytest.mark.parametrize("name", list(REDUCTION_NODES))
def test_reduction_nodes_match_pytorch(name):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4) % 5 - 2, requires_grad=True)
        outs.append(REDUCTION_NODES[name](lib, x))
    e, t = outs
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    assert e.grad_fn.name() == t.grad_fn.name()
    assert type(e.grad_fn).__name__ == e.grad_fn.name()
    # one node: its inputs are the leaf itself, as in PyTorch (no cast or division nodes)
    e_next = [type(f).__name__ for f, _ in e.grad_fn.next_functions if f is not None]
    t_next = [f.name() for f, _ in t.grad_fn.next_functions if f is not None]
    assert e_next == ["AccumulateGrad"] * len(e_next)
    assert len(e_next) == len([n for n in t_next if n.endswith("AccumulateGrad")])


@pytest.mark.parametrize("keep", [False, True])
def test_var_mean_gradient_flows_from_both_outputs(keep):
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4) ** 1.5, requires_grad=True)
        for fn in (lib.var_mean, lib.std_mean):
            a, b = fn(x, 1, keepdim=keep)
            (g,) = lib.autograd.grad((a * 2).sum() + (b * 3).sum(), x)
            grads.append(g.numpy())
    np.testing.assert_allclose(grads[0], grads[2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grads[1], grads[3], rtol=1e-9, atol=1e-12)
