"""Batch, layer, group and instance norm and embedding as single nodes, against PyTorch: values,
grad_fn names, first and second order gradients (float32 and float64), running
statistics, edge shapes and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import to_np, torch

R = np.random.default_rng(0)
TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-11)}


def _version(t):
    """The in-place write count (``t._version``; older Ember trees kept it in a list)."""
    v = t._version
    return v[0] if isinstance(v, list) else v


def _running(lib, c, dtype):
    mean = lib.tensor(np.linspace(-0.5, 0.5, c), dtype=getattr(lib, dtype))
    var = lib.tensor(np.linspace(0.5, 2.0, c), dtype=getattr(lib, dtype))
    return mean, var


# name: (call(lib, F, x, w, b, dtype), x shape, parameter shape or None)
CASES = {
    "layer_norm": (lambda lib, F, x, w, b, dt: F.layer_norm(x, (5,), w, b), (3, 4, 5), (5,)),
    "layer_norm_2d": (
        lambda lib, F, x, w, b, dt: F.layer_norm(x, (4, 5), w, b, eps=1e-3),
        (3, 4, 5),
        (4, 5),
    ),
    "layer_norm_plain": (lambda lib, F, x, w, b, dt: F.layer_norm(x, [5]), (2, 3, 5), None),
    "group_norm": (lambda lib, F, x, w, b, dt: F.group_norm(x, 2, w, b), (3, 4, 2, 3), (4,)),
    "group_norm_2d": (lambda lib, F, x, w, b, dt: F.group_norm(x, 3, w, b), (5, 6), (6,)),
    "group_norm_plain": (lambda lib, F, x, w, b, dt: F.group_norm(x, 1), (2, 3, 4), None),
    "batch_norm_train": (
        lambda lib, F, x, w, b, dt: F.batch_norm(x, *_running(lib, 3, dt), w, b, True, 0.2),
        (4, 3, 5),
        (3,),
    ),
    "batch_norm_train_2d": (
        lambda lib, F, x, w, b, dt: F.batch_norm(x, None, None, w, b, training=True),
        (6, 3),
        (3,),
    ),
    "batch_norm_eval": (
        lambda lib, F, x, w, b, dt: F.batch_norm(x, *_running(lib, 3, dt), w, b, eps=1e-3),
        (4, 3, 2, 2),
        (3,),
    ),
    "batch_norm_eval_plain": (
        lambda lib, F, x, w, b, dt: F.batch_norm(x, *_running(lib, 3, dt)),
        (4, 3),
        None,
    ),
    "instance_norm": (
        lambda lib, F, x, w, b, dt: F.instance_norm(x, *_running(lib, 3, dt), w, b, momentum=0.3),
        (2, 3, 4),
        (3,),
    ),
    "instance_norm_eval": (
        lambda lib, F, x, w, b, dt: F.instance_norm(x, *_running(lib, 3, dt), w, b, False),
        (2, 3, 2, 2),
        (3,),
    ),
}


def _inputs(lib, x, w, b, dtype):
    return [
        None if a is None else lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
        for a in (x, w, b)
    ]


def _run(lib, name, dtype, arrays):
    fn, _, _ = CASES[name]
    x, w, b = _inputs(lib, *arrays, dtype)
    out = fn(lib, lib.nn.functional, x, w, b, dtype)
    return out, [t for t in (x, w, b) if t is not None]


def _arrays(name):
    _, xs, ps = CASES[name]
    x = R.standard_normal(xs) * 2 + 0.5
    if ps is None:
        return x, None, None
    return x, R.standard_normal(ps), R.standard_normal(ps)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_names_and_two_orders_of_gradients(name, dtype):
    arrays = _arrays(name)
    tol = TOL[dtype]
    e_out, e_in = _run(ember, name, dtype, arrays)
    t_out, t_in = _run(torch, name, dtype, arrays)
    assert e_out.grad_fn.name() == t_out.grad_fn.name()
    assert type(e_out.grad_fn).__name__ == t_out.grad_fn.name()
    assert e_out.dtype == getattr(ember, dtype)
    np.testing.assert_allclose(to_np(e_out), to_np(t_out), **tol)
    up = R.standard_normal(tuple(t_out.shape))
    e_up = ember.tensor(up, dtype=e_out.dtype, requires_grad=True)
    t_up = torch.tensor(up, dtype=t_out.dtype, requires_grad=True)
    e_g = ember.autograd.grad(e_out, e_in, e_up, create_graph=True)
    t_g = torch.autograd.grad(t_out, t_in, t_up, create_graph=True)
    for e, t in zip(e_g, t_g):
        np.testing.assert_allclose(to_np(e), to_np(t), **tol)
    # Second order: differentiate a random projection of every first-order gradient.
    e_s = sum((g * ember.tensor(np.cos(np.arange(g.numel())).reshape(tuple(g.shape)),
                                dtype=g.dtype)).sum() for g in e_g)  # fmt: skip
    t_s = sum((g * torch.tensor(np.cos(np.arange(g.numel())).reshape(tuple(g.shape)),
                                dtype=g.dtype)).sum() for g in t_g)  # fmt: skip
    e_gg = ember.autograd.grad(e_s, e_in + [e_up], allow_unused=True)
    t_gg = torch.autograd.grad(t_s, t_in + [t_up], allow_unused=True)
    for e, t in zip(e_gg, t_gg):
        if t is None:
            assert e is None or not np.any(to_np(e))
        else:
            np.testing.assert_allclose(to_np(e), to_np(t), **tol)


@pytest.mark.parametrize("name", list(CASES))
def test_array_backward_equals_the_ember_op_backward(name):
    # Without create_graph the backward runs on arrays; with it, in Ember ops.
    arrays = _arrays(name)
    out, ins = _run(ember, name, "float64", arrays)
    up = ember.tensor(R.standard_normal(tuple(out.shape)))
    fast = ember.autograd.grad(out, ins, up, retain_graph=True)
    graph = ember.autograd.grad(out, ins, up, create_graph=True)
    for a, b in zip(fast, graph):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_updates_running_stats_as_pytorch(momentum):
    x = R.standard_normal((5, 3, 4))
    stats = {}
    for lib in (ember, torch):
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        for _ in range(3):
            lib.nn.functional.batch_norm(lib.tensor(x), rm, rv, training=True, momentum=momentum)
        stats[lib.__name__] = (to_np(rm), to_np(rv), _version(rm), _version(rv))
    (em, ev, *e_versions), (tm, tv, *t_versions) = stats["ember"], stats["torch"]
    np.testing.assert_allclose(em, tm, rtol=1e-12)
    np.testing.assert_allclose(ev, tv, rtol=1e-12)  # unbiased variance folded in
    assert e_versions == t_versions  # written in place without a version bump


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_running_stats_as_pytorch(use_input_stats):
    x = R.standard_normal((4, 3, 5))
    stats = {}
    for lib in (ember, torch):
        rm, rv = _running(lib, 3, "float64")
        for _ in range(2):
            lib.nn.functional.instance_norm(lib.tensor(x), rm, rv, None, None, use_input_stats)
        stats[lib.__name__] = (to_np(rm), to_np(rv), _version(rm), _version(rv))
    (em, ev, *e_versions), (tm, tv, *t_versions) = stats["ember"], stats["torch"]
    np.testing.assert_allclose(em, tm, rtol=1e-12)
    np.testing.assert_allclose(ev, tv, rtol=1e-12)
    assert e_versions == t_versions


def test_batch_norm_eval_does_not_touch_running_stats_and_empty_batch_is_a_copy():
    rm, rv = ember.zeros(3), ember.ones(3)
    ember.nn.functional.batch_norm(ember.randn(4, 3), rm, rv)
    assert _version(rm) == _version(rv) == 0
    for lib in (ember, torch):
        x = lib.zeros(0, 3, requires_grad=True)
        rm, rv = lib.zeros(3), lib.ones(3)
        out = lib.nn.functional.batch_norm(x, rm, rv, training=True)
        assert tuple(out.shape) == (0, 3) and out.grad_fn.name() == "CloneBackward0"
        assert to_np(rm).tolist() == [0, 0, 0] and to_np(rv).tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, F: F.layer_norm(lib.zeros(2, 0, requires_grad=True), (0,)),
        lambda lib, F: F.layer_norm(lib.zeros(0, 4, requires_grad=True), (4,)),
        lambda lib, F: F.group_norm(lib.zeros(2, 4, 0, requires_grad=True), 2),
        lambda lib, F: F.group_norm(lib.zeros(0, 4, requires_grad=True), 2),
    ],
)
def test_empty_inputs(call):
    e = call(ember, ember.nn.functional)
    t = call(torch, torch.nn.functional)
    assert tuple(e.shape) == tuple(t.shape) and e.grad_fn.name() == t.grad_fn.name()
    e.sum().backward()


def test_layer_norm_half_precision_matches_pytorch():
    x = R.standard_normal((4, 8))
    e = ember.nn.functional.layer_norm(ember.tensor(x, dtype=ember.float16), (8,))
    t = torch.nn.functional.layer_norm(torch.tensor(x, dtype=torch.float16), (8,))
    assert e.dtype == ember.float16
    np.testing.assert_allclose(to_np(e).astype(float), to_np(t).astype(float), atol=2e-3)


def test_a_saved_input_modified_in_place_is_refused():
    x = ember.randn(3, 4, requires_grad=True)
    y = x * 1
    out = ember.nn.functional.layer_norm(y, (4,))
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def _both(call):
    """Run ``call`` in both libraries; return the two exceptions (type, message)."""
    found = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            call(lib, lib.nn.functional)
        found.append((type(info.value), str(info.value)))
    return found


ERRORS = {
    "ln_shape": lambda lib, F: F.layer_norm(lib.zeros(2, 6, 3), (4,)),
    "ln_weight": lambda lib, F: F.layer_norm(lib.zeros(2, 6, 3), (3,), lib.ones(4)),
    "ln_bias": lambda lib, F: F.layer_norm(lib.zeros(2, 6, 3), (3,), None, lib.ones(4)),
    "ln_empty_shape": lambda lib, F: F.layer_norm(lib.zeros(2, 6, 3), ()),
    "ln_too_long": lambda lib, F: F.layer_norm(lib.zeros(2, 3), (1, 2, 3)),
    "ln_int_shape": lambda lib, F: F.layer_norm(lib.zeros(2, 3), 3),
    "gn_1d": lambda lib, F: F.group_norm(lib.zeros(4), 2),
    "gn_one_value": lambda lib, F: F.group_norm(lib.zeros(1, 2, 1), 2),
    "gn_groups": lambda lib, F: F.group_norm(lib.zeros(2, 5, 3), 2),
    "gn_weight": lambda lib, F: F.group_norm(lib.zeros(2, 6, 3), 2, lib.ones(4)),
    "gn_bias": lambda lib, F: F.group_norm(lib.zeros(2, 6, 3), 2, None, lib.ones(5)),
    "gn_bias_weight": lambda lib, F: F.group_norm(lib.zeros(2, 6, 3), 2, lib.ones(6), lib.ones(5)),
    "gn_matrix": lambda lib, F: F.group_norm(lib.zeros(2, 6, 3), 2, lib.ones(2, 3)),
    "bn_1d": lambda lib, F: F.batch_norm(lib.zeros(5), None, None, training=True),
    "bn_one_value": lambda lib, F: F.batch_norm(lib.zeros(1, 6), None, None, training=True),
    "bn_eps_train": lambda lib, F: F.batch_norm(
        lib.zeros(2, 3), lib.zeros(3), lib.ones(3), training=True, eps=0.0
    ),
    "bn_eps": lambda lib, F: F.batch_norm(lib.zeros(2, 3), lib.zeros(3), lib.ones(3), eps=-1.0),
    "bn_momentum": lambda lib, F: F.batch_norm(
        lib.zeros(2, 3), lib.zeros(3), lib.ones(3), training=True, momentum=None
    ),
    "bn_one_running": lambda lib, F: F.batch_norm(
        lib.zeros(2, 3), None, lib.ones(3), training=True
    ),
    "bn_eval_none": lambda lib, F: F.batch_norm(lib.zeros(2, 3), None, None),
    "bn_sizes": lambda lib, F: F.batch_norm(lib.zeros(2, 3), lib.zeros(2), lib.ones(3)),
    "bn_weight": lambda lib, F: F.batch_norm(
        lib.zeros(2, 3), lib.zeros(3), lib.ones(3), lib.ones(4)
    ),
    "in_one_value": lambda lib, F: F.instance_norm(lib.zeros(2, 3, 1)),
    "bn_running_grad": lambda lib, F: F.batch_norm(
        lib.zeros(2, 3), lib.zeros(3, requires_grad=True), lib.ones(3), training=True
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(name):
    (e_type, e_msg), (t_type, t_msg) = _both(ERRORS[name])
    assert e_type is t_type
    assert e_msg == t_msg


# ----- embedding -----------------------------------------------------------------------------
IDX = np.array([[0, 2, 2, 5], [4, 2, 1, 2]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"padding_idx": 2},
        {"padding_idx": -1, "scale_grad_by_freq": True},
        {"scale_grad_by_freq": True},
    ],  # fmt: skip
    ids=["plain", "padding", "padding_freq", "freq"],
)
def test_embedding_values_names_and_two_orders(kw, dtype):
    w = R.standard_normal((6, 3))
    tol = TOL[dtype]
    res = {}
    for lib in (ember, torch):
        wt = lib.tensor(w, dtype=getattr(lib, dtype), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(IDX), wt, **kw)
        (g,) = lib.autograd.grad((out**3).sum(), wt, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), wt)
        res[lib.__name__] = (out, g, gg)
    (eo, eg, egg), (to, tg, tgg) = res["ember"], res["torch"]
    assert eo.grad_fn.name() == to.grad_fn.name() == type(eo.grad_fn).__name__
    for e, t in ((eo, to), (eg, tg), (egg, tgg)):
        assert e.dtype == getattr(ember, dtype)
        np.testing.assert_allclose(to_np(e), to_np(t), **tol)


def test_embedding_array_backward_accumulates_repeated_rows():
    w = ember.tensor(R.standard_normal((6, 3)), requires_grad=True)
    idx = ember.tensor(np.array([1, 1, 1, 4, 1]))
    ember.nn.functional.embedding(idx, w).sum().backward()
    expected = np.zeros((6, 3))
    expected[1], expected[4] = 4, 1
    np.testing.assert_array_equal(w.grad.numpy(), expected)


def test_embedding_int32_indices_and_max_norm_with_padding():
    w = R.standard_normal((5, 4)) * 3
    out = {}
    for lib in (ember, torch):
        wt = lib.tensor(w.copy(), requires_grad=True)
        idx = lib.tensor(np.array([[0, 3], [3, 1]], dtype=np.int32))
        o = lib.nn.functional.embedding(idx, wt, padding_idx=3, max_norm=1.5)
        o.sum().backward()
        out[lib.__name__] = (o, wt)
    (eo, ew), (to, tw) = out["ember"], out["torch"]
    np.testing.assert_allclose(to_np(eo), to_np(to), rtol=1e-6)
    np.testing.assert_allclose(to_np(ew), to_np(tw), rtol=1e-6)
    np.testing.assert_allclose(to_np(ew.grad), to_np(tw.grad), rtol=1e-12)
