"""torch.convolution (every form) and the top-level 4-result embedding_bag vs PyTorch."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

CONV = [
    # x shape, w shape, stride, padding, dilation, transposed, output_padding, groups
    ((2, 4, 7), (6, 2, 3), [2], [1], [1], False, [0], 2),
    ((1, 2, 5, 6), (3, 2, 2, 3), [1, 2], [0, 1], [2, 1], False, [0, 0], 1),
    ((2, 2, 5), (2, 3, 3), [2], [1], [1], True, [1], 1),
    ((1, 4, 3, 4), (4, 1, 2, 2), [2, 1], [0, 0], [1, 1], True, [1, 0], 2),
    ((1, 2, 3, 3, 3), (2, 2, 2, 2, 2), [1, 1, 1], [0, 0, 0], [1, 1, 1], False, [0, 0, 0], 1),
]


@pytest.mark.parametrize("xs,ws,stride,pad,dil,tr,opad,groups", CONV)
@pytest.mark.parametrize("with_bias", [False, True])
def test_convolution_matches(xs, ws, stride, pad, dil, tr, opad, groups, with_bias):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    bn = ws[1] * groups if tr else ws[0]
    b = rng.standard_normal(bn)
    res = []
    for lib in (ember, torch):
        tx, tw = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        tb = lib.tensor(b, requires_grad=True) if with_bias else None
        y = lib.convolution(tx, tw, tb, stride, pad, dil, tr, opad, groups)
        y.backward(lib.ones_like(y))
        res.append(
            (y.grad_fn.name(), y.detach().numpy(), tx.grad.numpy(), tw.grad.numpy())
            + ((tb.grad.numpy(),) if with_bias else ())
        )
    assert res[0][0] == res[1][0]
    for a, c in zip(res[0][1:], res[1][1:]):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.convolution(
            lib.ones(2, 5), lib.ones(3, 2, 2), None, [1], [0], [1], False, [0], 1
        ),
        lambda lib: lib.convolution(
            lib.ones(1, 3, 5), lib.ones(3, 2, 2), None, [1], [0], [1], False, [0], 1
        ),
    ],
)
def test_convolution_errors(call):
    same(lambda: call(ember), lambda: call(torch))


BAGS = [
    # offsets, mode, include_last_offset, padding_idx, per_sample_weights, dtype
    ([0, 2, 2], 0, False, None, None, "float32"),
    ([0, 2, 2], 0, False, None, None, "float64"),
    ([0, 2, 2], 0, False, 4, None, "float32"),
    ([0, 2, 2], 0, False, None, [1.0, 2, 3, 4, 5], "float64"),
    ([0, 2, 2], 1, False, None, None, "float32"),
    ([0, 2, 2], 2, False, None, None, "float64"),
    ([0, 2, 5], 1, True, None, None, "float64"),
    ([0, 2, 2], 1, False, 4, None, "float64"),
    ([0, 2, 2], 2, False, 4, None, "float64"),
    ([0, 3], 2, False, None, None, "float64"),
]


@pytest.mark.parametrize("offsets,mode,last,pad,psw,dt", BAGS)
def test_embedding_bag_four_results(offsets, mode, last, pad, psw, dt):
    table = np.random.default_rng(1).standard_normal((10, 3))
    idx = [1, 2, 4, 5, 4]
    res = []
    for lib in (ember, torch):
        d = getattr(lib, dt)
        w = lib.tensor(table, dtype=d, requires_grad=True)
        p = None if psw is None else lib.tensor(psw, dtype=d)
        r = lib.embedding_bag(
            w, lib.tensor(idx), lib.tensor(offsets), False, mode, False, p, last, pad
        )
        assert isinstance(r, tuple) and len(r) == 4
        r[0].sum().backward()
        res.append(
            [r[0].detach().numpy(), w.grad.numpy()]
            + [t.tolist() for t in r[1:]]
            + [str(r[1].dtype)]
        )
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-6)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6)
    assert res[0][2:] == res[1][2:]


def test_embedding_bag_needs_offsets_and_defaults():
    same(
        lambda: ember.embedding_bag(ember.ones(4, 2), ember.tensor([[1, 2]]), None),
        lambda: torch.embedding_bag(torch.ones(4, 2), torch.tensor([[1, 2]]), None),
    )
    same(
        lambda: [
            t.tolist()
            for t in ember.embedding_bag(
                ember.ones(4, 2), ember.tensor([1, 2, 3]), ember.tensor([0, 1])
            )
        ],
        lambda: [
            t.tolist()
            for t in torch.embedding_bag(
                torch.ones(4, 2), torch.tensor([1, 2, 3]), torch.tensor([0, 1])
            )
        ],
    )
