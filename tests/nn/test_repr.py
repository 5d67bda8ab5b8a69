"""Module reprs equal to PyTorch's, including ModuleList's folding of repeated children."""

from __future__ import annotations

import pytest

import ember
import ember.nn as nn

from ._compare import torch

CASES = [
    lambda m, t: m.ModuleList([m.Linear(2, 2) for _ in range(3)] + [m.ReLU()]),
    lambda m, t: m.ModuleList(
        [m.Sequential(m.Linear(2, 2), m.ReLU()) for _ in range(2)] + [m.ReLU(), m.ReLU()]
    ),
    lambda m, t: m.ModuleList([m.Linear(2, 2), m.Linear(2, 3), m.Linear(2, 2)]),
    lambda m, t: m.ModuleList(),
    lambda m, t: m.ModuleList([m.Tanh()]),
    lambda m, t: m.Sequential(m.ReLU(), m.ReLU(), m.ModuleList([m.Tanh()] * 2)),
    lambda m, t: m.Sequential(m.ParameterList([m.Parameter(t.ones(2))]), m.ReLU()),
    lambda m, t: m.TransformerEncoder(m.TransformerEncoderLayer(8, 2, 16), 3),
]


@pytest.mark.parametrize("make", CASES)
def test_repr_matches_pytorch(make):
    assert repr(make(nn, ember)) == repr(make(torch.nn, torch))
