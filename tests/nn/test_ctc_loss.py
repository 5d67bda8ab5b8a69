"""``F.ctc_loss`` and ``nn.CTCLoss`` against PyTorch: values, gradients, formats, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as EF

from ._compare import torch

TF = torch.nn.functional


def _case(seed, steps=7, batch=3, classes=5, longest=4, repeat=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, batch, classes))
    targets = rng.integers(1, classes, size=(batch, longest))
    if repeat:
        targets[:, 1] = targets[:, 0]  # a repeated label needs a blank between
    in_lens = rng.integers(1, steps + 1, size=batch)
    in_lens[0] = steps
    tgt_lens = rng.integers(0, longest + 1, size=batch)
    return x, targets, in_lens, tgt_lens


def _both(x, fn, normalise=True, dtype="float64"):
    """``fn(lib, F, log_probs)`` on both libraries: (values, gradients) of each."""
    out = []
    for lib, F in ((ember, EF), (torch, TF)):
        leaf = lib.tensor(x.astype(dtype), requires_grad=True)
        lp = leaf.log_softmax(-1) if normalise else leaf
        loss = fn(lib, F, lp)
        loss.sum().backward()
        out.append((loss.detach().numpy(), leaf.grad.numpy()))
    return out


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("seed,repeat", [(0, False), (1, True), (2, False)])
def test_padded_targets_match_torch(reduction, zero_infinity, seed, repeat):
    x, tg, il, tl = _case(seed, repeat=repeat)
    (ev, eg), (tv, tgr) = _both(
        x,
        lambda lib, F, lp: F.ctc_loss(
            lp, lib.tensor(tg), lib.tensor(il), lib.tensor(tl), 0, reduction, zero_infinity
        ),
    )
    np.testing.assert_allclose(ev, tv, rtol=1e-10)
    np.testing.assert_allclose(eg, tgr, atol=1e-10)


def test_raw_log_probs_get_pytorch_gradient():
    """Without log_softmax PyTorch's gradient carries an extra exp(log_probs): so does Ember's."""
    x, tg, il, tl = _case(3)
    (ev, eg), (tv, tgr) = _both(
        x,
        lambda lib, F, lp: F.ctc_loss(lp, lib.tensor(tg), tuple(il), tuple(tl), blank=0),
        normalise=False,
    )
    np.testing.assert_allclose(ev, tv, rtol=1e-10)
    np.testing.assert_allclose(eg, tgr, atol=1e-10)


def test_concatenated_targets_tuples_blank_and_float32():
    x, tg, il, tl = _case(4, classes=6)
    flat = np.concatenate([row[:n] for row, n in zip(tg, tl)]) - 1  # labels 0..4, blank 5
    (ev, eg), (tv, tgr) = _both(
        x,
        lambda lib, F, lp: F.ctc_loss(
            lp, lib.tensor(flat), list(il), list(tl), blank=5, reduction="none"
        ),
        dtype="float32",
    )
    np.testing.assert_allclose(ev, tv, rtol=2e-5)
    np.testing.assert_allclose(eg, tgr, atol=2e-5)


def test_unbatched_input():
    x, tg, _, _ = _case(5, batch=1)
    (ev, eg), (tv, tgr) = _both(
        x[:, 0],
        lambda lib, F, lp: F.ctc_loss(lp, lib.tensor(tg[0, :3]), (7,), (3,), reduction="none"),
    )
    assert ev.shape == tv.shape == ()
    np.testing.assert_allclose(ev, tv, rtol=1e-10)
    np.testing.assert_allclose(eg, tgr, atol=1e-10)


def test_impossible_alignment_is_inf_or_zeroed():
    x, tg, il, tl = _case(6)
    il[1], tl[1] = 1, 3  # three labels cannot fit in one frame
    for zi in (False, True):
        (ev, _), (tv, _) = _both(
            x,
            lambda lib, F, lp, zi=zi: F.ctc_loss(
                lp,
                lib.tensor(tg),
                lib.tensor(il),
                lib.tensor(tl),
                reduction="none",
                zero_infinity=zi,
            ),
        )
        np.testing.assert_array_equal(np.isinf(ev), np.isinf(tv))
        np.testing.assert_allclose(ev[np.isfinite(ev)], tv[np.isfinite(tv)], rtol=1e-10)


def test_grad_fn_names_follow_torch():
    x, tg, il, tl = _case(7)
    for reduction, zi in (("none", False), ("none", True), ("mean", False), ("sum", False)):
        names = []
        for lib, F in ((ember, EF), (torch, TF)):
            lp = lib.tensor(x, requires_grad=True).log_softmax(2)
            loss = F.ctc_loss(lp, lib.tensor(tg), lib.tensor(il), lib.tensor(tl), 0, reduction, zi)
            names.append(loss.grad_fn.name())
        assert names[0] == names[1]


def test_ctc_loss_module_matches_functional():
    x, tg, il, tl = _case(8)
    em = ember.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    tm = torch.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    assert repr(em) == repr(tm) and list(em.state_dict()) == list(tm.state_dict())
    e = em(ember.tensor(x).log_softmax(2), ember.tensor(tg), ember.tensor(il), ember.tensor(tl))
    t = tm(torch.tensor(x).log_softmax(2), torch.tensor(tg), torch.tensor(il), torch.tensor(tl))
    np.testing.assert_allclose(e.item(), t.item(), rtol=1e-10)


BAD = [
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [3, 2], blank=4),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [3, 2], blank=-1),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [7, 5], [3, 2]),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [4, 2]),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5, 4], [3, 2]),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [3, 2, 1]),
    lambda lib, F, lp, tg: F.ctc_loss(lp.long(), tg, [6, 5], [3, 2]),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [3, 2], reduction="avg"),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg.reshape(-1)[:5], (6, 5), (3, 3)),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, lib.tensor([6.0, 5.0]), lib.tensor([3, 2])),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, -1], [3, 2]),
    lambda lib, F, lp, tg: F.ctc_loss(lp, tg, [6, 5], [3, -1]),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_errors_like_torch(k):
    lp = np.log(np.full((6, 2, 4), 0.25))
    tg = np.array([[1, 2, 2], [3, 1, 0]])
    outcomes = []
    for lib, F in ((ember, EF), (torch, TF)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                BAD[k](lib, F, lib.tensor(lp), lib.tensor(tg))
        outcomes.append((type(info.value).__name__, str(info.value)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, F, lp: F.ctc_loss(lp[:0], lib.tensor([[1], [1]]), [0, 0], [1, 1]),
        lambda lib, F, lp: F.ctc_loss(lp[:, :0], lib.tensor([[1]])[:0], [1], [1]),
        lambda lib, F, lp: F.ctc_loss(lp[:0].long(), lib.tensor([[1], [1]]), [0, 0], [1, 1]),
    ],
)
def test_empty_log_probs_refused_like_torch(call):
    outcomes = []
    for lib, F in ((ember, EF), (torch, TF)):
        with pytest.raises(Exception) as info:
            call(lib, F, lib.zeros(6, 2, 4))
        outcomes.append((type(info.value).__name__, str(info.value)))
    assert outcomes[0] == outcomes[1]
