"""Writes into an expanded view reach the memory it shares, exactly as in PyTorch: fills and
writes into a region without shared elements go through; writes that could give shared
elements different values are refused with PyTorch's error."""

import warnings

import pytest
import torch

import ember

WRITES = [
    "y[0] = 5",
    "y[1, 1] = 9",
    "y[0] = lib.tensor([1.0, 2.0, 3.0])",
    "y[0] += 1",
    "y[0].fill_(2)",
    "y[0].mul_(2)",
    "y.fill_(3)",
    "y.zero_()",
    "y[:, 0] = 7",
    "y.add_(1)",
    "y.mul_(2)",
    "y.clamp_(0, 0.5)",
    "y.copy_(lib.zeros(2, 3))",
    "y[[0, 1]] = 5",
    "y.index_put_((lib.tensor([0]),), lib.tensor(4.0))",
    "y.masked_fill_(lib.tensor([[True, False, False], [False, False, True]]), 5.0)",
    "y.masked_fill_(lib.tensor(True), lib.tensor(2.0))",
]


def _run(lib, code):
    x = lib.ones(1, 3)
    y = x.expand(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(code, {"lib": lib, "y": y})
        except RuntimeError as e:
            return ("error", str(e).split(".")[0]), []
    return ("ok", x.tolist(), y.tolist()), [str(w.message).split(".")[0] for w in caught]


@pytest.mark.parametrize("code", WRITES)
def test_write_into_an_expanded_view_matches_pytorch(code):
    got, got_warnings = _run(ember, code)
    want, want_warnings = _run(torch, code)
    assert got == want
    assert got_warnings == want_warnings


def test_the_base_sees_a_write_through_its_expanded_view():
    x = ember.zeros(1, 3)
    y = x.expand(4, 3)
    y[2] = ember.tensor([1.0, 2.0, 3.0])
    assert x.tolist() == [[1.0, 2.0, 3.0]]
    assert y.tolist() == [[1.0, 2.0, 3.0]] * 4


def test_a_vmap_stand_in_stays_read_only():
    # vmap's per-example stand-ins are broadcasts too, but of memory no write may reach
    out = ember.func.vmap(lambda r: r * 2)(ember.ones(3, 2))
    assert out.tolist() == [[2.0, 2.0]] * 3
