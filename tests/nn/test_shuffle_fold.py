"""PixelShuffle, PixelUnshuffle, ChannelShuffle, Fold and Unfold against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember.nn as nn

from ._compare import check_module, torch
from ._oracle import grads_match, same_outcome

R = np.random.default_rng(0)

SHUFFLE_CASES = [
    ("pixel_shuffle", (2, 8, 3, 3), (2,)),
    ("pixel_shuffle", (2, 3, 18, 2, 2), (3,)),
    ("pixel_shuffle", (8, 3, 2), (2,)),
    ("pixel_shuffle", (5, 3, 3), (2,)),
    ("pixel_shuffle", (2, 3), (2,)),
    ("pixel_shuffle", (4, 3, 3), (0,)),
    ("pixel_shuffle", (0, 4, 3, 3), (2,)),
    ("pixel_unshuffle", (2, 2, 4, 6), (2,)),
    ("pixel_unshuffle", (3, 2, 6, 3), (3,)),
    ("pixel_unshuffle", (4, 3, 4), (2,)),
    ("pixel_unshuffle", (4, 4, 3), (2,)),
    ("pixel_unshuffle", (4, 4, 4), (-1,)),
    ("pixel_unshuffle", (4, 4), (2,)),
    ("channel_shuffle", (2, 6, 3), (3,)),
    ("channel_shuffle", (2, 6, 2, 2), (2,)),
    ("channel_shuffle", (2, 4), (2,)),
    ("channel_shuffle", (2, 5, 3), (2,)),
    ("channel_shuffle", (2, 4, 3), (0,)),
]


@pytest.mark.parametrize("fn, shape, args", SHUFFLE_CASES)
def test_shuffles_match_pytorch(fn, shape, args):
    same_outcome(lambda lib, F, t: getattr(F, fn)(t, *args), R.standard_normal(shape))


FOLD_CASES = [
    ("unfold", (2, 3, 5, 6), (2,), {}),
    ("unfold", (3, 5, 6), ((2, 3),), {"padding": (1, 2), "stride": (2, 1), "dilation": (1, 2)}),
    ("unfold", (5, 6), (2,), {}),
    ("unfold", (1, 3, 5, 6, 7), (2,), {}),
    ("unfold", (2, 3, 5, 6), (7,), {}),
    ("unfold", (2, 3, 5, 6), ((2, 3, 4),), {}),
    ("unfold", (2, 3, 5, 6), (2,), {"stride": 0}),
    ("unfold", (2, 3, 5, 6), (2,), {"padding": -1}),
    ("unfold", (2, 3, 5, 6), (2,), {"dilation": 0}),
    ("unfold", (2, 3, 5, 6), (0,), {"stride": 0}),
    ("unfold", (0, 3, 5, 6), (2,), {}),
    ("unfold", (2, 0, 5, 6), (2,), {}),
    ("fold", (2, 12, 20), ((5, 6), 2), {}),
    ("fold", (12, 20), ((5, 6), 2), {}),
    ("fold", (2, 12, 19), ((5, 6), 2), {}),
    ("fold", (2, 13, 20), ((5, 6), 2), {}),
    ("fold", (2, 12, 20, 1), ((5, 6), 2), {}),
    ("fold", (2, 12, 20), ((5, 6), 2), {"stride": 0}),
    ("fold", (2, 12, 20), ((1, 1), 2), {}),
    ("fold", (2, 12, 12), ((5, 6), 2), {"stride": 2, "padding": 1}),
    ("fold", (2, 12, 1), ((1, 1), 2), {"padding": 1}),
]


@pytest.mark.parametrize("fn, shape, args, kw", FOLD_CASES)
def test_fold_unfold_values_and_errors_match_pytorch(fn, shape, args, kw):
    same_outcome(lambda lib, F, t: getattr(F, fn)(t, *args, **kw), R.standard_normal(shape))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fold_unfold_gradients_match_pytorch(dtype):
    geom = {"dilation": (2, 1), "padding": 1, "stride": (1, 2)}
    grads_match(
        lambda lib, F, t: F.unfold(t, (2, 3), **geom), R.standard_normal((2, 3, 6, 7)), dtype
    )
    cols = R.standard_normal((2, 3 * 6, 24))
    grads_match(lambda lib, F, t: F.fold(t, (6, 7), (2, 3), **geom), cols, dtype)


LAYERS = [
    ("PixelShuffle", (2,), (2, 8, 3, 3)),
    ("PixelShuffle", (3,), (9, 2, 2)),
    ("PixelUnshuffle", (2,), (2, 3, 4, 6)),
    ("ChannelShuffle", (3,), (2, 6, 2, 2)),
    ("Unfold", ((2, 3),), (2, 3, 5, 6)),
    ("Fold", ((4, 5), 2), (2, 12, 12)),
]


@pytest.mark.parametrize("name, args, shape", LAYERS, ids=[c[0] for c in LAYERS])
@pytest.mark.parametrize("train", [True, False])
def test_shuffle_and_fold_layers_match_pytorch(name, args, shape, train):
    em, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(em) == repr(tm)
    check_module(em, tm, R.standard_normal(shape), train=train)
