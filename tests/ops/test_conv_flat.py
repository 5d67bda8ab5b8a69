"""Stride-1 convolutions take the flat-grid path (ops/conv_flat.py): it must give what the
strided-window path gives, for every geometry, and what PyTorch gives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.ops import conv, conv_flat


@st.composite
def stride1_geometry(draw):
    nd = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 2]))
    ks = tuple(draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd)))
    dil = tuple(draw(st.lists(st.integers(1, 2), min_size=nd, max_size=nd)))
    sizes = tuple(draw(st.lists(st.integers(1, 6), min_size=nd, max_size=nd)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(nd))
    n = draw(st.integers(0, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    return nd, groups, ks, dil, sizes, pads, n, cg, og


@settings(max_examples=150, deadline=None)
@given(stride1_geometry(), st.integers(0, 2**32 - 1))
def test_flat_path_equals_strided_path(geometry, seed):
    nd, groups, ks, dil, sizes, pads, n, cg, og = geometry
    osh = conv.out_shape(sizes, ks, (1,) * nd, pads, dil)
    if min(osh) <= 0:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, cg * groups) + sizes)
    w = rng.standard_normal((og * groups, cg) + ks)
    g = rng.standard_normal((n, og * groups) + osh)
    padded = conv._padded(sizes, pads)
    geom = ((1,) * nd, pads, dil, groups)
    flat = (
        conv_flat.flat_conv(np, x, w, pads, dil, groups, padded, osh),
        conv_flat.flat_conv_transpose(np, g, w, pads, dil, groups, padded, sizes),
        conv_flat.flat_conv_weight(np, x, g, pads, dil, groups, padded, ks),
    )
    old, conv_flat.FLAT_MAX_EXTRA = conv_flat.FLAT_MAX_EXTRA, 0.0  # the strided path
    try:
        strided = (
            conv._conv(np, x, w, geom),
            conv._conv_transpose(np, g, w, geom, sizes),
            conv._conv_weight(np, x, g, geom, ks),
        )
    finally:
        conv_flat.FLAT_MAX_EXTRA = old
    for a, b in zip(flat, strided):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert flat[0].flags.c_contiguous and flat[1].flags.c_contiguous


def test_the_flat_path_is_taken_for_small_cnn_shapes():
    assert conv_flat.flat_pays((1, 1), (30, 30), (28, 28))
    assert conv_flat.flat_pays((1, 1), (16, 16), (14, 14))
    assert not conv_flat.flat_pays((2, 2), (30, 30), (14, 14))  # strided: the window path
    assert not conv_flat.flat_pays((1, 1), (13, 13), (7, 7))  # the padded grid is too big


torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "kw",
    [
        dict(padding=1),
        dict(padding=2, dilation=2, groups=2),
        dict(padding="same"),
    ],
)
def test_conv2d_values_and_gradients_match_pytorch(kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 9, 8))
    w = rng.standard_normal((6, 4 // kw.get("groups", 1), 3, 3))
    b = rng.standard_normal(6)
    outs = []
    for lib in (ember, torch):
        X, W, B = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = lib.nn.functional.conv2d(X, W, B, **kw)
        y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
        outs.append([np.asarray(t.detach().numpy()) for t in (y, X.grad, W.grad, B.grad)])
    for a, e in zip(*outs):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


def test_conv_transpose_with_output_padding_matches_pytorch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 5, 6))
    w = rng.standard_normal((3, 2, 3, 3))
    outs = []
    for lib in (ember, torch):
        X, W = (lib.tensor(a, requires_grad=True) for a in (x, w))
        y = lib.nn.functional.conv_transpose2d(X, W, padding=1, dilation=2, output_padding=1)
        (y * y).sum().backward()
        outs.append([t.detach().numpy() for t in (y, X.grad, W.grad)])
    for a, e in zip(*outs):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("where", ["x", "w"])
def test_non_finite_operands_give_pytorchs_gradients(where):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 1, 5, 5))
    w = rng.standard_normal((1, 1, 3, 3))
    (x if where == "x" else w)[0, 0, 0, 0] = np.inf
    outs = []
    for lib in (ember, torch):
        X, W = (lib.tensor(a, requires_grad=True) for a in (x, w))
        lib.nn.functional.conv2d(X, W, padding=1).backward(lib.ones(1, 1, 5, 5, dtype=X.dtype))
        outs.append([t.numpy() for t in (X.grad, W.grad)])
    for a, e in zip(*outs):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)  # inf where PyTorch has inf
