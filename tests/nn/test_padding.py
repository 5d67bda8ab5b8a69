"""F.pad in every mode and the padding layers against PyTorch, errors included."""

from __future__ import annotations

import numpy as np
import pytest

import ember.nn as nn

from ._compare import check_module, torch
from ._oracle import grads_match, same_outcome

R = np.random.default_rng(0)
SHAPES = [
    (4,),
    (2, 4),
    (1, 2, 4),
    (1, 2, 3, 4),
    (2, 1, 2, 3, 4),
    (1, 1, 1, 2, 3, 4),
    (1, 0, 4),
    (1, 2, 0),
    (0, 2, 3),
    (1, 2, 1),
]
PADS = [
    (1, 1),
    (3, 0),
    (0, 4),
    (5, 0),
    (-1, 2),
    (-4, 0),
    (-5, 1),
    (1,),
    (1, 1, 1, 1),
    (4, 0, 3, 0),
    (-2, -2, -2, -1),
    (0, 0, -3, 0),
    (1, 1, 1, 1, 1, 1),
    (-4, 0, -3, 0, -2, 0),
    (0, 0, 0, 0, 2, 0),
    (1, 1, 1, 1, 1, 1, 1, 1),
    (2, -1),
    (-2, 1, 1, -1),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular", "zeros"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_pad_values_and_errors_match_pytorch(mode, shape):
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    for pad in PADS:
        same_outcome(lambda lib, F, t, pad=pad: F.pad(t, pad, mode=mode), x)
        same_outcome(lambda lib, F, t, pad=pad: F.pad(t, pad, mode=mode, value=1.5), x)


def test_pad_argument_type_errors():
    x = np.ones((2, 3))
    same_outcome(lambda lib, F, t: F.pad(t, (1.5, 1)), x)
    same_outcome(lambda lib, F, t: F.pad(t, [1, 2], value=2.5), x)


@pytest.mark.parametrize(
    "mode, shape, pad",
    [
        ("constant", (2, 3, 4), (1, 2, -1, 1)),
        ("reflect", (2, 3, 5), (2, 3)),
        ("reflect", (2, 3, 4, 5), (1, 2, 3, -1)),
        ("reflect", (1, 2, 3, 4, 5), (1, 2, 2, 1, 1, 0)),
        ("replicate", (2, 3, 5), (4, 1)),
        ("replicate", (2, 3, 4, 5), (1, 6, 0, 2)),
        ("replicate", (2, 3, 3, 4), (1, 1, 2, 2, 1, 1)),
        ("circular", (2, 3, 5), (5, 2)),
        ("circular", (2, 3, 4, 5), (1, 2, -1, 3)),
        ("circular", (1, 2, 3, 4, 5), (1, 2, 3, 1, 2, 0)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pad_gradients_match_pytorch(mode, shape, pad, dtype):
    grads_match(lambda lib, F, t: F.pad(t, pad, mode=mode), R.standard_normal(shape), dtype)


LAYERS = [
    ("ZeroPad1d", (2,), (2, 3, 4)),
    ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ConstantPad1d", ((1, 2), 3.5), (3, 4)),
    ("ConstantPad2d", (1, -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 2, 0, 0, 1), 2), (2, 3, 4, 5)),
    ("ReflectionPad1d", (3,), (2, 3, 4)),
    ("ReflectionPad2d", ((1, 2, 3, 0),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ReplicationPad1d", ((5, 0),), (2, 3, 4)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad3d", ((1, 0, 0, 2, 1, 1),), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 4)),
    ("CircularPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name, args, shape", LAYERS, ids=[c[0] for c in LAYERS])
@pytest.mark.parametrize("train", [True, False])
def test_padding_layers_match_pytorch(name, args, shape, train):
    em, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(em) == repr(tm)
    check_module(em, tm, R.standard_normal(shape), train=train)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_circular_pad_layer_checks_dims(n):
    x = np.ones((2,) * (n + 3))
    e = getattr(nn, f"CircularPad{n}d")(1)
    with pytest.raises(ValueError, match=rf"expected {n + 1}D or {n + 2}D input \(got {n + 3}D"):
        e(__import__("ember").tensor(x))
