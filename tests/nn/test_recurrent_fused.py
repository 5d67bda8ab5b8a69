"""Fused recurrent nodes (ops/recurrent.py, ops/recurrent_layer.py) against PyTorch.

The cells (LSTM, GRU, Elman tanh/relu) are one node per step, and an LSTM layer where
PyTorch runs oneDNN is one node per layer and direction.  Each is checked for values and
gradients against PyTorch (float64 to rounding, float32 to float32 tolerances), for the
agreement of its two backward forms (on arrays, and in Ember ops under ``create_graph``),
for double backward, and for PyTorch's grad_fn names and errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd.gradcheck import gradcheck, gradgradcheck
from ember.ops.recurrent_layer import mkldnn_rnn_layer

from ._compare import check_module, copy_weights, to_np, torch
from ._oracle import outcome

R = np.random.default_rng(18)
TOL = {"float64": {"atol": 1e-12, "rtol": 1e-10}, "float32": {"atol": 2e-5, "rtol": 2e-4}}

CELLS = {
    "lstm": lambda m, **kw: m.LSTMCell(4, 3, **kw),
    "gru": lambda m, **kw: m.GRUCell(4, 3, **kw),
    "rnn_tanh": lambda m, **kw: m.RNNCell(4, 3, **kw),
    "rnn_relu": lambda m, **kw: m.RNNCell(4, 3, nonlinearity="relu", **kw),
}
# PyTorch's CPU build composes every cell (no single node to match); its CUDA build fuses
# LSTM and GRU cells into the nodes named here.  The Elman cells' names are Ember's.
NODE_NAMES = {
    "lstm": "ThnnFusedLstmCellBackward0",
    "gru": "ThnnFusedGruCellBackward0",
    "rnn_tanh": "RnnTanhCellBackward0",
    "rnn_relu": "RnnReluCellBackward0",
}


def _pair(make, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = make(torch.nn).to(getattr(torch, dtype))
        em = make(nn).to(getattr(ember, dtype))
    copy_weights(em, tm)
    return em, tm


def _both(shape, dtype):
    a = R.standard_normal(shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _both_hidden(kind, shape, dtype):
    pairs = [_both(shape, dtype) for _ in range(2 if kind == "lstm" else 1)]
    if kind == "lstm":
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    return pairs[0]


def _leaves(x, hx):
    return [x] + (list(hx) if isinstance(hx, tuple) else [hx])


def _run_cell(module, x, hx, steps, lib, upstream):
    """A few steps of ``module`` (the state carried over), then a weighted sum's backward."""
    h = hx
    outs = []
    for _ in range(steps):
        h = module(x, h)
        outs.extend(h if isinstance(h, tuple) else (h,))
    sum((o * lib.tensor(u)).sum() for o, u in zip(outs, upstream)).backward()
    return outs


def _same_grads(em, tm, tol):
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        np.testing.assert_allclose(to_np(p.grad), to_np(tp[name].grad), **tol, err_msg=name)


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_pytorch(kind, dtype, bias, batched):
    em, tm = _pair(lambda m: CELLS[kind](m, bias=bias), dtype)
    shape_x, shape_h = ((5, 4), (5, 3)) if batched else ((4,), (3,))
    ex, tx = _both(shape_x, dtype)
    ehx, thx = _both_hidden(kind, shape_h, dtype)
    n_out = 3 * (2 if kind == "lstm" else 1)
    upstream = [R.standard_normal(shape_h).astype(dtype) for _ in range(n_out)]
    e_outs = _run_cell(em, ex, ehx, 3, ember, upstream)
    t_outs = _run_cell(tm, tx, thx, 3, torch, upstream)
    for e, t in zip(e_outs, t_outs):
        assert e.dtype == getattr(ember, dtype)
        np.testing.assert_allclose(to_np(e), to_np(t), **TOL[dtype])
    for e, t in zip(_leaves(ex, ehx), _leaves(tx, thx)):
        np.testing.assert_allclose(to_np(e.grad), to_np(t.grad), **TOL[dtype])
    _same_grads(em, tm, TOL[dtype])
    node = e_outs[0].grad_fn
    if not batched:  # unbatched outputs are squeezed, as in PyTorch
        assert node.name() == t_outs[0].grad_fn.name() == "SqueezeBackward1"
        node = node.next_functions[0][0]
    assert node.name() == type(node).__name__ == NODE_NAMES[kind]


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_without_state_and_with_one_output_used(kind):
    # hx=None (zeros), and for the LSTM only h' or only c' reaching the loss
    em, tm = _pair(CELLS[kind], "float64")
    for pick in (0, 1) if kind == "lstm" else (None,):
        ex, tx = _both((2, 4), "float64")
        eo, to = em(ex), tm(tx)
        if pick is not None:
            eo, to = eo[pick], to[pick]
        eo.tanh().sum().backward()
        to.tanh().sum().backward()
        np.testing.assert_allclose(to_np(ex.grad), to_np(tx.grad), atol=1e-12)
        _same_grads(em, tm, TOL["float64"])
        em.zero_grad()
        tm.zero_grad()


def _grads(fn, inputs, upstream, create_graph):
    outs = fn(*inputs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    pairs = [(o, u) for o, u in zip(outs, upstream) if u is not None]
    gs = ember.autograd.grad(
        [o for o, _ in pairs],
        inputs,
        [ember.tensor(u) for _, u in pairs],
        create_graph=create_graph,
        allow_unused=True,
    )
    return [None if g is None else to_np(g) for g in gs]


def _cell_fn(kind):
    if kind == "lstm":
        return lambda x, h, c, *w: ember.lstm_cell(x, (h, c), *w)
    name = {"gru": "gru_cell", "rnn_tanh": "rnn_tanh_cell", "rnn_relu": "rnn_relu_cell"}[kind]
    return lambda x, h, *w: getattr(ember, name)(x, h, *w)


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cell_array_backward_agrees_with_its_ember_op_form(kind, dtype):
    gates = {"lstm": 4, "gru": 3}.get(kind, 1)
    shapes = [(5, 4), (5, 3)] + ([(5, 3)] if kind == "lstm" else [])
    shapes += [(gates * 3, 4), (gates * 3, 3), (gates * 3,), (gates * 3,)]
    inputs = [ember.tensor(R.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
    n_out = 2 if kind == "lstm" else 1
    for used in [(True,) * n_out] + ([(True, False), (False, True)] if n_out == 2 else []):
        upstream = [R.standard_normal((5, 3)).astype(dtype) if u else None for u in used]
        fast = _grads(_cell_fn(kind), inputs, upstream, create_graph=False)
        ops = _grads(_cell_fn(kind), inputs, upstream, create_graph=True)
        for a, b in zip(fast, ops):
            np.testing.assert_allclose(a, b, **TOL[dtype])


def _layer_inputs(dtype, steps=4, n=2, n_in=3, hs=2, bias=True):
    shapes = [(steps, n, n_in), (4 * hs, n_in), (4 * hs, hs)]
    shapes += [(4 * hs,), (4 * hs,)] if bias else []
    arrays = [R.standard_normal(s).astype(dtype) * 0.7 for s in shapes + [(n, hs), (n, hs)]]
    return [ember.tensor(a, requires_grad=True) for a in arrays]


def _layer(reverse, bias=True):
    if bias:
        return lambda x, wi, wh, bi, bh, h0, c0: mkldnn_rnn_layer(
            x, wi, wh, bi, bh, h0, c0, reverse
        )
    return lambda x, wi, wh, h0, c0: mkldnn_rnn_layer(x, wi, wh, None, None, h0, c0, reverse)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("bias", [True, False])
def test_layer_array_backward_agrees_with_its_ember_op_form(reverse, dtype, bias):
    inputs = _layer_inputs(dtype, bias=bias)
    fn = _layer(reverse, bias)
    for used in [(1, 1, 1), (1, 0, 0), (0, 1, 0), (0, 0, 1)]:
        upstream = [
            R.standard_normal(s).astype(dtype) if u else None
            for u, s in zip(used, [(4, 2, 2), (2, 2), (2, 2)])
        ]
        fast = _grads(fn, inputs, upstream, create_graph=False)
        ops = _grads(fn, inputs, upstream, create_graph=True)
        for a, b in zip(fast, ops):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, **TOL[dtype])


@pytest.mark.parametrize("reverse", [False, True])
def test_layer_gradients_and_second_derivatives_by_finite_differences(reverse):
    inputs = _layer_inputs("float64", steps=3, n=2, n_in=2, hs=2)
    fn = _layer(reverse)
    assert gradcheck(fn, inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradgradcheck(fn, inputs)


LSTM_CONFIGS = [
    {},
    {"num_layers": 2},
    {"num_layers": 2, "bidirectional": True},
    {"batch_first": True},
    {"bias": False},
    {"proj_size": 2},
    {"num_layers": 2, "dropout": 0.4},
]


@pytest.mark.parametrize("kw", LSTM_CONFIGS, ids=lambda kw: "-".join(map(str, kw.items())))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lstm_matches_pytorch_with_its_grad_fn_names(kw, dtype):
    em, tm = _pair(lambda m: m.LSTM(3, 4, **kw), dtype)
    em.eval()
    tm.eval()
    ex, tx = _both((2, 5, 3) if kw.get("batch_first") else (5, 2, 3), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's "projections not supported with oneDNN"
        to, (th, tc) = tm(tx)
    eo, (eh, ec) = em(ex)
    assert [t.grad_fn.name() for t in (eo, eh, ec)] == [t.grad_fn.name() for t in (to, th, tc)]
    ups = [R.standard_normal(tuple(t.shape)).astype(dtype) for t in (to, th, tc)]
    sum((o * ember.tensor(u)).sum() for o, u in zip((eo, eh, ec), ups)).backward()
    sum((o * torch.tensor(u)).sum() for o, u in zip((to, th, tc), ups)).backward()
    for e, t in zip((eo, eh, ec, ex.grad), (to, th, tc, tx.grad)):
        np.testing.assert_allclose(to_np(e), to_np(t), **TOL[dtype])
    _same_grads(em, tm, TOL[dtype])


def test_lstm_layer_node_has_pytorch_inputs_in_order():
    em, tm = _pair(lambda m: m.LSTM(3, 4), "float32")
    x = R.standard_normal((5, 2, 3)).astype("float32")
    hx = [R.standard_normal((1, 2, 4)).astype("float32") for _ in range(2)]
    e = em(ember.tensor(x), (ember.tensor(hx[0], requires_grad=True), ember.tensor(hx[1])))[0]
    t = tm(torch.tensor(x), (torch.tensor(hx[0], requires_grad=True), torch.tensor(hx[1])))[0]

    def edges(fn):
        return [None if f is None else type(f).__name__ for f, _ in fn.next_functions]

    assert e.grad_fn.name() == "MkldnnRnnLayerBackward0"
    assert edges(e.grad_fn) == edges(t.grad_fn)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_between_layers_in_training(mode, dtype):
    # dropout=1 zeroes the second layer's input in both libraries: deterministic
    em, tm = _pair(lambda m: getattr(m, mode)(3, 4, 2, dropout=1.0), dtype)
    ex, tx = _both((4, 2, 3), dtype)
    eo, to = em(ex)[0], tm(tx)[0]
    np.testing.assert_allclose(to_np(eo), to_np(to), **TOL[dtype])
    eo.sum().backward()
    to.sum().backward()
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        tg = tp[name].grad
        if tg is None or not np.any(to_np(tg)):  # no gradient through a zeroed input
            assert p.grad is None or not np.any(to_np(p.grad)), name
        else:
            np.testing.assert_allclose(to_np(p.grad), to_np(tg), **TOL[dtype], err_msg=name)


@pytest.mark.parametrize("mode", ["GRU", "RNN"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gru_and_rnn_layers_match_pytorch(mode, dtype):
    em, tm = _pair(lambda m: getattr(m, mode)(3, 4, 2, bidirectional=True), dtype)
    ex, tx = _both((5, 2, 3), dtype)
    (eo, eh), (to, th) = em(ex), tm(tx)
    assert [eo.grad_fn.name(), eh.grad_fn.name()] == [to.grad_fn.name(), th.grad_fn.name()]
    (eo.sum() + eh.square().sum()).backward()
    (to.sum() + th.square().sum()).backward()
    np.testing.assert_allclose(to_np(ex.grad), to_np(tx.grad), **TOL[dtype])
    _same_grads(em, tm, TOL[dtype])


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_second_derivatives_match_pytorch(mode):
    em, tm = _pair(lambda m: getattr(m, mode)(3, 4, 2), "float64")
    x = R.standard_normal((4, 2, 3))
    results = []
    for lib, m in ((ember, em), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        out = m(xt)[0]
        (g,) = lib.autograd.grad(out.square().sum(), xt, create_graph=True)
        g.square().sum().backward()
        results.append([to_np(xt.grad)] + [to_np(p.grad) for _, p in m.named_parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("kind", ["cell", "cell_carried", "layer"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_saved_weights_modified_in_place_raise_as_in_pytorch(kind, dtype):
    # A weight changed in place between forward and backward is an error exactly where
    # PyTorch saved it: the recurrent weight of a cell only when the state needs a
    # gradient (a carried state), every weight of a oneDNN layer.
    make = (lambda m: m.LSTM(3, 4)) if kind == "layer" else (lambda m: m.LSTMCell(3, 4))
    modules = dict(zip((ember, torch), _pair(make, dtype)))

    def run(lib):
        dt, m = getattr(lib, dtype), modules[lib]
        if kind == "layer":
            out = m(lib.ones(5, 2, 3, dtype=dt))[0]
            w = m.weight_hh_l0
        else:
            h = lib.zeros(2, 4, dtype=dt, requires_grad=kind == "cell_carried")
            out = m(lib.ones(2, 3, dtype=dt), (h * 1, h * 1))[0]
            w = m.weight_hh
        with lib.no_grad():
            w.mul_(2)
        out.sum().backward()
        return m.weight_ih.grad if kind != "layer" else m.weight_ih_l0.grad

    e, t = outcome(lambda: run(ember)), outcome(lambda: run(torch))
    assert e[0] == t[0] == ("ok" if kind == "cell" else "RuntimeError")
    if e[0] == "ok":
        np.testing.assert_allclose(e[2], t[2], **TOL["float32"])
    else:
        assert "modified by an inplace operation" in e[1]


def _cell_outcome(lib, name, args):
    """``("ok", dtypes, arrays)`` of a cell function on tensors of ``args``, or its error."""
    ts = [lib.tensor(np.full(s, 0.5, dtype=d)) if d else s for s, d in args]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "lstm_cell":
                x, h, c, *w = ts
                hx = {"tensor": c, "triple": (c, c, c)}[h] if isinstance(h, str) else (h, c)
                outs = lib.lstm_cell(x, hx, *w)
            else:
                outs = (getattr(lib, name)(*ts),)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e)
    return "ok", [str(o.dtype) for o in outs], [to_np(o) for o in outs]


F32, F64, I64 = "float32", "float64", "int64"
W4 = [((16, 3), F32), ((16, 4), F32)]
CELL_ERRORS = [
    ("lstm_cell", [((2, 5), F32), ((2, 4), F32), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ((3, 4), F32), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ((2, 4), F32), ((2, 5), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ((2, 4), F32), ((2, 4), F32), ((12, 3), F32), ((12, 4), F32)]),
    ("lstm_cell", [((2, 3), F32), ((2, 4), F32), ((2, 4), F32), ((16, 3), F32), ((12, 4), F32)]),
    ("lstm_cell", [((3,), F32), ((2, 4), F32), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F64), ((2, 4), F32), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ("tensor", None), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ("triple", None), ((2, 4), F32), *W4]),
    ("lstm_cell", [((2, 3), F32), ((2, 4), F32), ((2, 4), F64), *W4]),
    ("lstm_cell", [((2, 3), F32), ((2, 4), F32), ((2, 4), F32), *W4, ((16,), F64)]),
    ("gru_cell", [((2, 3), F32), ((2, 5), F32), ((12, 3), F32), ((12, 4), F32)]),
    ("gru_cell", [((2, 3), F32), ((2, 4), F32), ((12, 3), F32), ((16, 4), F32)]),
    ("gru_cell", [((2, 3), F32), ((2, 4), F32), ((12, 3), F32), ((12, 4), F32), ((6,), F32)]),
    ("gru_cell", [((2, 3), F32), ((2, 4), F64), ((12, 3), F32), ((12, 4), F64)]),
    ("rnn_tanh_cell", [((2, 3), F32), ((1, 4), F32), ((4, 3), F32), ((4, 4), F32)]),
    ("rnn_tanh_cell", [((2, 3), I64), ((2, 4), I64), ((4, 3), I64), ((4, 4), I64)]),
    ("rnn_relu_cell", [((2, 3), F32), ((2, 4), F32), ((16, 3), F32), ((16, 4), F32)]),
    ("rnn_relu_cell", [((2, 3), F32), ((2, 4), F32), ((4, 3), F32), ((4, 4), F32), (1.0, None)]),
    ("rnn_relu_cell", [((2, 3), F32), ((2, 4), F32), ((4, 3), F32), ((4, 4), F32), ((1, 4), F32)]),
]


@pytest.mark.parametrize("name, args", CELL_ERRORS)
def test_cell_functions_check_arguments_as_pytorch(name, args):
    e, t = _cell_outcome(ember, name, args), _cell_outcome(torch, name, args)
    assert e[:2] == t[:2]
    if e[0] == "ok":  # accepted: the same dtypes (above) and values
        for a, b in zip(e[2], t[2]):
            np.testing.assert_allclose(a, b, **TOL["float32"])


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(1, 2, 3))[0],
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), (m.zeros(1, 2, 4), m.zeros(2, 4)))[0],
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), (m.zeros(2, 4), m.zeros(1, 2, 4)))[0],
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(3), (m.zeros(2, 4), m.zeros(2, 4)))[0],
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), m.zeros(2, 4))[0],
        lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 5))[0],
        lambda m: m.nn.GRUCell(3, 4)(m.zeros(1, 2, 3)),
        lambda m: m.nn.GRUCell(3, 4)(m.zeros(2, 3), m.zeros(1, 2, 4)),
        lambda m: m.nn.RNNCell(3, 4)(m.zeros(())),
        lambda m: m.nn.RNNCell(3, 4)(m.zeros(2, 3), m.zeros(1, 2, 4)),
        lambda m: m.nn.RNNCell(3, 4)(m.zeros(2, 3, dtype=m.float64)),
    ],
)
def test_cell_module_errors_match_pytorch(call):
    e, t = outcome(lambda: call(ember)), outcome(lambda: call(torch))
    assert e[0] != "ok"
    assert e[:2] == t[:2]


def test_unknown_nonlinearity_is_refused_at_the_call():
    for lib in (ember, torch):
        cell = lib.nn.RNNCell(3, 4, nonlinearity="foo")
        assert "nonlinearity=foo" in repr(cell)
        with pytest.raises(RuntimeError, match="Unknown nonlinearity: foo"):
            cell(lib.zeros(2, 3))


def test_lstm_under_cpu_autocast_runs_in_bfloat16_as_pytorch():
    em, tm = _pair(lambda m: m.LSTM(3, 4), "float32")
    x = R.standard_normal((5, 2, 3)).astype("float32")
    with ember.autocast("cpu"):
        eo = em(ember.tensor(x))[0]
    with torch.autocast("cpu"):
        to = tm(torch.tensor(x))[0]
    assert str(eo.dtype) == str(to.dtype) == "torch.bfloat16"
    np.testing.assert_allclose(to_np(eo.float()), to_np(to.float()), atol=3e-2, rtol=3e-2)


def test_packed_lstm_float32_matches_pytorch():
    em, tm = _pair(lambda m: m.LSTM(3, 4, 2, bidirectional=True), "float32")
    x = R.standard_normal((4, 3, 3)).astype("float32")
    results = []
    for lib, m in ((ember, em), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        out, (h, c) = m(lib.nn.utils.rnn.pack_padded_sequence(xt, [4, 2, 1]))
        (out.data.square().sum() + h.sum() + c.sum()).backward()
        results.append([to_np(out.data), to_np(h), to_np(c), to_np(xt.grad)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, **TOL["float32"])


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.LSTM(3, 4, 2, bidirectional=True), (5, 2, 3)),
        (lambda m: m.GRU(3, 4, batch_first=True), (2, 5, 3)),
        (lambda m: m.RNN(3, 4, nonlinearity="relu"), (5, 3)),
    ],
)
def test_float64_layers_through_the_shared_module_check(make, shape):
    check_module(make(nn), make(torch.nn), R.standard_normal(shape), atol=1e-12)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.LSTM(3, 4, 2), (6, 2, 3)),
        (lambda m: m.LSTMCell(3, 4), (2, 3)),
        (lambda m: m.GRUCell(3, 4), (2, 3)),
    ],
)
def test_training_steps_reusing_released_work_arrays_match_pytorch(make, shape):
    # Arrays a released node saved are taken again by the next steps' forwards
    # (ops/_recycle.py): every step must still match PyTorch.
    em, tm = _pair(make, "float32")
    e_opt = ember.optim.SGD(em.parameters(), lr=0.5)
    t_opt = torch.optim.SGD(tm.parameters(), lr=0.5)
    for step in range(4):
        x = R.standard_normal(shape).astype("float32")
        losses = []
        for lib, m, opt in ((ember, em, e_opt), (torch, tm, t_opt)):
            opt.zero_grad()
            if len(shape) == 3:
                out = m(lib.tensor(x))[0]
            else:  # a cell: three steps, the state carried
                state = None
                for _ in range(3):
                    state = m(lib.tensor(x), state)
                out = state[0] if isinstance(state, tuple) else state
            loss = out.square().mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5, err_msg=f"step {step}")
    _same_grads(em, tm, TOL["float32"])


def test_saved_values_a_user_holds_are_not_reused():
    # a saved array someone still refers to is left alone when its node is released
    m = nn.LSTM(3, 4)
    x = ember.tensor(R.standard_normal((5, 2, 3)).astype("float32"))
    out = m(x)[0]
    held = out.grad_fn.saved_tensors[7]  # the activated gates
    before = to_np(held).copy()
    out.sum().backward()
    for _ in range(2):
        m(x * 2)[0].sum().backward()
    np.testing.assert_array_equal(to_np(held), before)
