"""Pieces of split/chunk/unbind that autograd records, and views of them, refuse in-place
writes with PyTorch's error; without a graph (no grad, no_grad) they are ordinary views."""

import pytest
import torch

import ember

CASES = [
    "a, b = x.split(2); a.mul_(2)",
    "a, b = x.chunk(2); a.add_(1)",
    "a, b, c, d = x.unbind(); a.add_(1)",
    "a, b = x.split([1, 3]); a.mul_(2)",
    "a, b = x.split([1, 3]); b[0:2].add_(1)",
    "a, b = x.split(2); a.view(2).add_(1)",
    "a, b = x.unbind(0)[:2]; b.zero_()",
]


def _outcome(lib, code, requires_grad=True, no_grad=False):
    x = lib.ones(4, requires_grad=requires_grad) * 1
    try:
        if no_grad:
            with lib.no_grad():
                exec(code, {"x": x})
        else:
            exec(code, {"x": x})
    except RuntimeError as e:
        return str(e)
    return x.tolist()


@pytest.mark.parametrize("code", CASES)
def test_recorded_piece_refuses_in_place_writes_as_pytorch(code):
    assert _outcome(ember, code) == _outcome(torch, code)


@pytest.mark.parametrize("code", CASES[:3])
def test_pieces_without_a_graph_are_written_through(code):
    assert _outcome(ember, code, requires_grad=False) == _outcome(torch, code, False)
    assert _outcome(ember, code, no_grad=True) == _outcome(torch, code, no_grad=True)
