"""interpolate / Upsample in every mode against PyTorch: values, gradients, sizes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember.nn as nn

from ._compare import check_module, torch
from ._oracle import grads_match, same_outcome

R = np.random.default_rng(0)
SHAPES = {3: (2, 3, 7), 4: (2, 2, 7, 5), 5: (1, 2, 3, 4, 5)}
MODES = [
    ("nearest", 3),
    ("nearest", 4),
    ("nearest", 5),
    ("nearest-exact", 4),
    ("nearest-exact", 3),
    ("linear", 3),
    ("bilinear", 4),
    ("bicubic", 4),
    ("trilinear", 5),
    ("area", 3),
    ("area", 4),
    ("area", 5),
]
TARGETS = [
    {"size": 3},
    {"size": 11},
    {"scale_factor": 2},
    {"scale_factor": 0.7},
    {"scale_factor": 1.7, "recompute_scale_factor": True},
    {"scale_factor": 3.3},
]


@pytest.mark.parametrize("mode, nd", MODES, ids=[f"{m}-{n}d" for m, n in MODES])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: "-".join(f"{k}{v}" for k, v in t.items()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_interpolate_matches_pytorch(mode, nd, target, dtype):
    x = R.standard_normal(SHAPES[nd])
    grads_match(lambda lib, F, t: F.interpolate(t, mode=mode, **target), x, dtype)


@pytest.mark.parametrize(
    "mode, nd", [("linear", 3), ("bilinear", 4), ("bicubic", 4), ("trilinear", 5)]
)
@pytest.mark.parametrize("target", [{"size": 1}, {"size": 4}, {"scale_factor": 1.6}])
def test_align_corners_matches_pytorch(mode, nd, target):
    x = R.standard_normal(SHAPES[nd])
    for dtype in (np.float64, np.float32):
        grads_match(
            lambda lib, F, t: F.interpolate(t, mode=mode, align_corners=True, **target), x, dtype
        )


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("target", [{"size": (3, 2)}, {"size": (11, 13)}, {"scale_factor": 0.3}])
def test_antialias_matches_pytorch(mode, target):
    x = R.standard_normal((2, 2, 17, 15))
    for dtype in (np.float64, np.float32):
        grads_match(
            lambda lib, F, t: F.interpolate(t, mode=mode, antialias=True, **target), x, dtype
        )


ERROR_CASES = [
    {},
    {"size": 3, "scale_factor": 2},
    {"size": (2, 3, 4)},
    {"scale_factor": (2, 3, 4)},
    {"size": (3, 2.5)},
    {"size": 0},
    {"scale_factor": 0.1},
    {"size": 3, "align_corners": True},
    {"size": 3, "antialias": True},
    {"size": 3, "recompute_scale_factor": True},
]


@pytest.mark.parametrize("ndim", [2, 3, 4, 5, 6])
@pytest.mark.parametrize(
    "mode",
    [
        "nearest",
        "nearest-exact",
        "linear",
        "bilinear",
        "bicubic",
        "trilinear",
        "area",
        "lanczos",
        "cubic",
    ],
)
def test_interpolate_errors_match_pytorch(ndim, mode):
    x = np.ones((1, 2, 5, 4, 3, 2)[:ndim])
    for kw in ERROR_CASES:
        same_outcome(lambda lib, F, t, kw=kw: F.interpolate(t, mode=mode, **kw), x)


def test_deprecated_upsample_functions_warn_and_match():
    x = R.standard_normal((1, 2, 3, 4))
    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
            grads_match(lambda lib, F, t, name=name: getattr(F, name)(t, scale_factor=2), x)


UPSAMPLERS = [
    ("Upsample", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", {"size": 5, "mode": "linear"}, (2, 3, 4)),
    ("Upsample", {"size": (3, 7), "mode": "bilinear", "align_corners": True}, (2, 3, 4, 5)),
    ("Upsample", {"scale_factor": (2, 1.5, 1), "mode": "trilinear"}, (1, 2, 3, 4, 5)),
    (
        "Upsample",
        {"scale_factor": 1.5, "mode": "bicubic", "recompute_scale_factor": True},
        (1, 2, 4, 5),
    ),
    ("UpsamplingNearest2d", {"scale_factor": 3}, (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", {"size": (6, 9)}, (2, 3, 4, 5)),
    ("AdaptiveAvgPool3d", {"output_size": (2, 3, 2)}, (2, 3, 4, 5, 3)),
    ("AdaptiveAvgPool3d", {"output_size": (None, 2, 5)}, (3, 4, 5, 3)),
]


@pytest.mark.parametrize("name, kw, shape", UPSAMPLERS)
@pytest.mark.parametrize("train", [True, False])
def test_upsampling_modules_match_pytorch(name, kw, shape, train):
    em, tm = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(em) == repr(tm)
    check_module(em, tm, R.standard_normal(shape), train=train)
