"""nn.utils.rnn (padding, packing) and RNN/LSTM/GRU on packed batches and with proj_size."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import rnn as ER

from ._compare import check_module, copy_weights, torch
from ._oracle import outcome

TR = torch.nn.utils.rnn
R = np.random.default_rng(0)


def _pack_both(x, lengths, **kw):
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    return (
        xe,
        xt,
        ER.pack_padded_sequence(xe, lengths, **kw),
        TR.pack_padded_sequence(xt, lengths, **kw),
    )


def _same_packed(pe, pt):
    np.testing.assert_allclose(pe.data.detach().numpy(), pt.data.detach().numpy(), atol=1e-10)
    assert pe.batch_sizes.tolist() == pt.batch_sizes.tolist()
    for a, b in (
        (pe.sorted_indices, pt.sorted_indices),
        (pe.unsorted_indices, pt.unsorted_indices),
    ):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()


@pytest.mark.parametrize(
    "lengths, kw",
    [
        ([4, 3, 1], {}),
        ([4, 2, 3], {"enforce_sorted": False}),
        ([2, 4, 2, 1], {"enforce_sorted": False}),
        ([3, 3, 1], {"batch_first": True}),
        ([1, 4, 4], {"batch_first": True, "enforce_sorted": False}),
    ],
)
def test_pack_and_pad_round_trip_match_pytorch(lengths, kw):
    b, t = len(lengths), 4
    shape = (b, t, 2) if kw.get("batch_first") else (t, b, 2)
    x = R.standard_normal(shape)
    xe, xt, pe, pt = _pack_both(x, lengths, **kw)
    _same_packed(pe, pt)
    bf = kw.get("batch_first", False)
    for total in (None, 6):
        ye, le = ER.pad_packed_sequence(pe, batch_first=bf, padding_value=-1.0, total_length=total)
        yt, lt = TR.pad_packed_sequence(pt, batch_first=bf, padding_value=-1.0, total_length=total)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy())
        assert le.tolist() == lt.tolist()
    g = R.standard_normal(tuple(yt.shape))
    (ye * ember.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy())
    for a, b in zip(ER.unpack_sequence(pe), TR.unpack_sequence(pt)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())


def test_sequence_helpers_match_pytorch():
    seqs = [R.standard_normal((n, 2)) for n in (3, 1, 4)]
    for kw in ({}, {"batch_first": True, "padding_value": 2.0}, {"padding_side": "left"}):
        e = ER.pad_sequence([ember.tensor(s) for s in seqs], **kw)
        t = TR.pad_sequence([torch.tensor(s) for s in seqs], **kw)
        np.testing.assert_allclose(e.numpy(), t.numpy())
    _same_packed(
        ER.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False),
        TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False),
    )
    padded = R.standard_normal((4, 3, 2))
    for a, b in zip(
        ER.unpad_sequence(ember.tensor(padded), ember.tensor([4, 1, 3])),
        TR.unpad_sequence(torch.tensor(padded), torch.tensor([4, 1, 3])),
    ):
        np.testing.assert_allclose(a.numpy(), b.numpy())
    assert ER.invert_permutation(ember.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    p = ER.PackedSequence(ember.ones(5, 2), ember.tensor([3, 2]))
    assert p.sorted_indices is None and p.double().data.dtype == ember.float64
    assert isinstance(p, tuple) and p._fields == TR.PackedSequence._fields


ERRORS = [
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(4, 3, 2), [4, 2, 3]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(4, 3, 2), [4, 3, 0]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(4, 3, 2), [4, 3]),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.ones(4, 3, 2), [4, 3, 1]), total_length=3
    ),
    lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(3, 2), lib.ones(1, 2)], padding_side="x"),
    lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    lambda lib: lib.nn.utils.rnn.pack_sequence([lib.ones(1), lib.ones(3)]),
]


@pytest.mark.parametrize("call", ERRORS)
def test_packing_errors_match_pytorch(call):
    assert outcome(lambda: call(ember)[0]) == outcome(lambda: call(torch)[0])


def _run_packed(make, lengths, batch_first=False, with_hx=False, enforce=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        em, tm = make(nn).double(), make(torch.nn).double()
    copy_weights(em, tm)
    t, b = max(lengths), len(lengths)
    x = R.standard_normal((b, t, em.input_size) if batch_first else (t, b, em.input_size))
    kw = {"batch_first": batch_first, "enforce_sorted": enforce}
    xe, xt, pe, pt = _pack_both(x, lengths, **kw)
    ae, at = [pe], [pt]
    if with_hx:
        layers = em.num_layers * (2 if em.bidirectional else 1)
        h = R.standard_normal((layers, b, em.proj_size or em.hidden_size))
        if em.mode == "LSTM":
            c = R.standard_normal((layers, b, em.hidden_size))
            ae.append((ember.tensor(h, requires_grad=True), ember.tensor(c)))
            at.append((torch.tensor(h, requires_grad=True), torch.tensor(c)))
        else:
            ae.append(ember.tensor(h, requires_grad=True))
            at.append(torch.tensor(h, requires_grad=True))
    oe, he = em(*ae)
    ot, ht = tm(*at)
    _same_packed(oe, ot)
    he = he if isinstance(he, tuple) else (he,)
    ht = ht if isinstance(ht, tuple) else (ht,)
    for a, c in zip(he, ht):
        np.testing.assert_allclose(a.detach().numpy(), c.detach().numpy(), atol=1e-10)
    g, gh = R.standard_normal(tuple(ot.data.shape)), R.standard_normal(tuple(ht[0].shape))
    ((oe.data * ember.tensor(g)).sum() + (he[0] * ember.tensor(gh)).sum()).backward()
    ((ot.data * torch.tensor(g)).sum() + (ht[0] * torch.tensor(gh)).sum()).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-10)
    for (name, p1), (_, p2) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), atol=1e-10, err_msg=name)


PACKED = [
    ("rnn", lambda m: m.RNN(3, 4), [5, 3, 2], {}),
    (
        "rnn_relu_nobias_hx",
        lambda m: m.RNN(3, 4, nonlinearity="relu", bias=False),
        [3, 3, 1],
        {"with_hx": True},
    ),
    ("lstm", lambda m: m.LSTM(3, 4), [5, 3, 2], {"enforce": True}),
    ("gru", lambda m: m.GRU(3, 4), [2, 5, 3], {}),
    ("lstm_bi_2layer", lambda m: m.LSTM(3, 4, 2, bidirectional=True), [2, 5, 3, 5], {}),
    (
        "gru_bi_batch_first_hx",
        lambda m: m.GRU(3, 4, 2, bidirectional=True, batch_first=True),
        [2, 5, 3],
        {"batch_first": True, "with_hx": True},
    ),
    (
        "lstm_proj_bi_hx",
        lambda m: m.LSTM(3, 4, 2, proj_size=2, bidirectional=True),
        [4, 1, 3],
        {"with_hx": True},
    ),
]


@pytest.mark.parametrize("name, make, lengths, kw", PACKED, ids=[c[0] for c in PACKED])
def test_recurrent_layers_on_packed_batches_match_pytorch(name, make, lengths, kw):
    _run_packed(make, lengths, **kw)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.LSTM(3, 4, 2, proj_size=2, bidirectional=True), (5, 2, 3)),
        (lambda m: m.LSTM(3, 5, proj_size=3, batch_first=True, bias=False), (2, 5, 3)),
        (lambda m: m.LSTM(3, 5, proj_size=3), (5, 3)),
    ],
)
@pytest.mark.parametrize("train", [True, False])
def test_lstm_projection_matches_pytorch(make, shape, train):
    em, tm = make(nn), make(torch.nn)
    assert repr(em) == repr(tm)
    check_module(em, tm, R.standard_normal(shape), train=train)


RNN_ERRORS = [
    ("LSTM", (5, 2, 3), ((1, 3, 4), (1, 2, 4))),
    ("LSTM", (5, 2, 3), ((1, 2, 4), (1, 2, 5))),
    ("LSTM", (5, 2, 3), ((2, 4), (2, 4))),
    ("LSTM", (5, 3), ((1, 2, 4), (1, 2, 4))),
    ("GRU", (5, 2, 3), (1, 3, 4)),
    ("GRU", (5, 2, 3), (3, 4)),
    ("GRU", (5, 3), (1, 1, 4)),
    ("GRU", (5, 2, 3, 1), None),
    ("RNN", (5, 2, 5), None),
    ("RNN", (5, 2), None),
]


@pytest.mark.parametrize("cls, shape, hx", RNN_ERRORS)
def test_recurrent_argument_errors_match_pytorch(cls, shape, hx):
    def call(lib):
        lib.manual_seed(0)
        m = getattr(lib.nn, cls)(3, 4)
        h = None
        if hx is not None:
            h = tuple(lib.zeros(*s) for s in hx) if isinstance(hx[0], tuple) else lib.zeros(*hx)
        return m(lib.zeros(*shape), h)[0]

    assert outcome(lambda: call(ember))[:2] == outcome(lambda: call(torch))[:2]


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.GRU(3, 4, proj_size=2),
        lambda m: m.LSTM(3, 4, proj_size=4),
        lambda m: m.LSTM(3, 4, proj_size=-1),
        lambda m: m.RNN(3, 4.0),
        lambda m: m.RNN(3, 4, nonlinearity="x"),
        lambda m: m.RNN(3, 0),
        lambda m: m.RNN(3, 4, 0),
        lambda m: m.RNN(3, 4, dropout=2),
        lambda m: m.RNN(3, 4, 1, "relu", True, False, 0.5),
        lambda m: m.LSTM(3, 4, 2, dropout=0.5, proj_size=2, bidirectional=True),
    ],
)
def test_recurrent_constructor_checks_match_pytorch(make):
    def build(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                m = make(lib.nn)
            except Exception as e:  # noqa: BLE001
                return type(e).__name__, str(e)
        return repr(m), [str(x.message) for x in w], list(m.state_dict())

    assert build(ember) == build(torch)


def test_input_dtype_mismatch_error_matches_pytorch():
    def call(lib):
        return lib.nn.GRU(3, 4)(lib.zeros(5, 2, 3, dtype=lib.float64))[0]

    assert outcome(lambda: call(ember))[:2] == outcome(lambda: call(torch))[:2]
