"""PyTorch's top-level layer functions (``torch.batch_norm``, ``torch.dropout``, ...) in
their positional forms, against PyTorch.

They live in ``ember.nn._functional.toplevel`` (its ``__all__`` is what ``ember`` exports).
"""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.nn._functional import toplevel

from ._compare import torch


class _Top:
    """``ember``'s top-level names, the new ones read from their module."""

    def __getattr__(self, name):
        if name in toplevel.__all__:
            return getattr(toplevel, name)
        return getattr(ember, name)


E = _Top()

rng = np.random.default_rng(0)
X4 = rng.standard_normal((2, 4, 3, 3))
X3 = rng.standard_normal((2, 3, 4))
W4 = rng.standard_normal(4)
B4 = rng.standard_normal(4)

# (id, fn(lib, *tensors), input arrays, which are differentiable)
CASES = [
    (
        "batch_norm_eval",
        lambda t, x, w, b: t.batch_norm(
            x,
            w,
            b,
            t.ones(4, dtype=t.float64) * 0.5,
            t.ones(4, dtype=t.float64) * 2,
            False,
            0.1,
            1e-5,
            True,
        ),
        (X4, W4, B4),
    ),  # noqa: E501
    (
        "batch_norm_train",
        lambda t, x, w, b: t.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        (X4, W4, B4),
    ),  # noqa: E501
    (
        "instance_norm",
        lambda t, x, w, b: t.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        (X4, W4, B4),
    ),  # noqa: E501
    ("layer_norm", lambda t, x: t.layer_norm(x, [3, 4]), (X3,)),
    (
        "layer_norm_affine",
        lambda t, x, w, b: t.layer_norm(x.transpose(1, 3), (4,), w, b, 1e-3, True),
        (X4, W4, B4),
    ),  # noqa: E501
    ("group_norm", lambda t, x, w, b: t.group_norm(x, 2, w, b, 1e-5, True), (X4, W4, B4)),
    ("group_norm_plain", lambda t, x: t.group_norm(x, 4), (X4,)),
    ("rms_norm", lambda t, x: t.rms_norm(x, [4], None, 1e-6), (X3,)),
    ("dropout_eval", lambda t, x: t.dropout(x, 0.5, False), (X3,)),
    ("alpha_dropout_eval", lambda t, x: t.alpha_dropout(x, 0.3, False), (X3,)),
    ("feature_dropout_eval", lambda t, x: t.feature_dropout(x[0, 0], 0.3, False), (X3,)),
    ("dropout_p0", lambda t, x: t.feature_alpha_dropout(x, 0.0, True), (X3,)),
    ("rrelu_eval", lambda t, x: t.rrelu(x, 0.1, 0.3), (X3,)),
    ("selu_", lambda t, x: t.selu_(x * 1), (X3,)),
    ("celu_", lambda t, x: t.celu_(x * 1, 0.5), (X3,)),
    ("threshold_", lambda t, x: t.threshold_(x * 1, 0.2, -3.0), (X3,)),
    ("pixel_shuffle", lambda t, x: t.pixel_shuffle(x, 2), (X4,)),
    ("pixel_unshuffle", lambda t, x: t.pixel_unshuffle(x[:, :, :2, :2], 2), (X4,)),
    ("channel_shuffle", lambda t, x: t.channel_shuffle(x, 2), (X4,)),
    ("native_channel_shuffle", lambda t, x: t.native_channel_shuffle(x.detach(), 2), (X4,)),
    (
        "bilinear",
        lambda t, a, b, w: t.bilinear(a, b, w),
        (X3[0], X3[1], rng.standard_normal((2, 4, 4))),
    ),  # noqa: E501
    (
        "bilinear_bias",
        lambda t, a, b, w, c: t.bilinear(a, b, w, c),
        (X3[0], X3[1], rng.standard_normal((2, 4, 4)), W4[:2]),
    ),  # noqa: E501
    (
        "cosine_similarity",
        lambda t, a, b: t.cosine_similarity(a, b, 2, 1e-6),
        (X3, X3[::-1].copy()),
    ),  # noqa: E501
    (
        "cosine_similarity_default",
        lambda t, a, b: t.cosine_similarity(a, b),
        (X3, X3[:, ::-1].copy()),
    ),  # noqa: E501
    (
        "pairwise_distance",
        lambda t, a, b: t.pairwise_distance(a, b, 3.0, 0.0, True),
        (X3, X3[::-1].copy()),
    ),  # noqa: E501
    (
        "triplet_default_none",
        lambda t, a, p, n: t.triplet_margin_loss(a, p, n),
        (X3[0], X3[1], X3[0] * 0.5),
    ),  # noqa: E501
    (
        "triplet_mean",
        lambda t, a, p, n: t.triplet_margin_loss(a, p, n, 0.5, 1.0, 1e-6, True, 1),
        (X3[0], X3[1], X3[0] * 0.5),
    ),  # noqa: E501
    (
        "triplet_sum",
        lambda t, a, p, n: t.triplet_margin_loss(a, p, n, reduction=2),
        (X3[0], X3[1], X3[0] * 0.5),
    ),  # noqa: E501
    (
        "grid_sampler_bicubic_border",
        lambda t, x, g: t.grid_sampler(x, g, 2, 1, True),
        (X4, rng.uniform(-1.2, 1.2, (2, 2, 3, 2))),
    ),  # noqa: E501
    (
        "grid_sampler_nearest_reflection",
        lambda t, x, g: t.grid_sampler(x, g, 1, 2, False),
        (X4, rng.uniform(-1.2, 1.2, (2, 2, 3, 2))),
    ),  # noqa: E501
    (
        "grid_sampler_2d",
        lambda t, x, g: t.grid_sampler_2d(x, g, 0, 0, False),
        (X4, rng.uniform(-1.2, 1.2, (2, 2, 3, 2))),
    ),
    (
        "grid_sampler_3d",
        lambda t, x, g: t.grid_sampler_3d(x, g, 1, 1, True),
        (X4[:, :, None], rng.uniform(-1.2, 1.2, (2, 1, 2, 3, 3))),
    ),
    (
        "affine_grid_generator",
        lambda t, th: t.affine_grid_generator(th, [2, 3, 4, 5], False),
        (rng.standard_normal((2, 2, 3)),),
    ),  # noqa: E501
    (
        "ctc_loss_default_none",
        lambda t, x: t.ctc_loss(x.log_softmax(2), t.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2)),
        (rng.standard_normal((5, 2, 4)),),
    ),  # noqa: E501
    (
        "ctc_loss_mean_tensors",
        lambda t, x: t.ctc_loss(
            x.log_softmax(2), t.tensor([1, 2, 3]), t.tensor([5, 4]), t.tensor([2, 1]), 0, 1, False
        ),
        (rng.standard_normal((5, 2, 4)),),
    ),  # noqa: E501
]


@pytest.mark.parametrize("fn,arrays", [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_top_level_form_matches_torch(fn, arrays):
    results = []
    for lib in (E, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *leaves)
        weights = np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))
        if out.requires_grad:
            (out * lib.tensor(weights)).sum().backward()
        grads = [None if t.grad is None else t.grad.numpy() for t in leaves]
        results.append((out.detach().numpy(), grads))
    (ev, eg), (tv, tg) = results
    np.testing.assert_allclose(ev, tv, rtol=1e-9, atol=1e-10)
    for e, t in zip(eg, tg):
        assert (e is None) == (t is None)
        if e is not None:
            np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-10)


def test_batch_norm_updates_running_stats_like_torch():
    stats = []
    for lib in (E, torch):
        mean, var = lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64)
        lib.batch_norm(lib.tensor(X4), None, None, mean, var, True, 0.3, 1e-5, True)
        stats.append((mean.numpy(), var.numpy()))
    np.testing.assert_allclose(stats[0][0], stats[1][0], rtol=1e-12)
    np.testing.assert_allclose(stats[0][1], stats[1][1], rtol=1e-12)


@pytest.mark.parametrize("padding_idx", [-1, -2, 1, 7])
def test_embedding_padding_index_like_torch(padding_idx):
    weight = rng.standard_normal((5, 3))
    idx = np.array([0, 1, 4, 4])
    grads = []
    for lib in (E, torch):
        w = lib.tensor(weight, requires_grad=True)
        out = lib.embedding(w, lib.tensor(idx), padding_idx, True)
        out.sum().backward()
        grads.append((out.detach().numpy(), w.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


@pytest.mark.parametrize(
    "name",
    [
        "dropout",
        "dropout_",
        "alpha_dropout",
        "alpha_dropout_",
        "feature_dropout",
        "feature_dropout_",
        "feature_alpha_dropout",
        "feature_alpha_dropout_",
    ],
)
@pytest.mark.parametrize("train", [True, False])
def test_dropout_bad_probability_is_a_runtime_error(name, train):
    msgs = []
    for lib in (E, torch):
        with pytest.raises(RuntimeError) as info:
            getattr(lib, name)(lib.ones(2, 3), 1.5, train)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_feature_dropout_drops_whole_channels_and_needs_two_dims():
    ember.manual_seed(0)
    x = ember.ones(8, 6, 5)
    y = E.feature_dropout(x, 0.5, True).numpy()
    per_channel = y.reshape(8, 6, 5)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert (per_channel == per_channel[:, :, :1]).all()
    msgs = []
    for lib in (E, torch):
        with pytest.raises(RuntimeError) as info:
            lib.feature_dropout(lib.ones(3), 0.5, True)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    out = E.feature_dropout_(x, 0.5, True)
    assert out is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_dropout_train_scales_kept_elements():
    ember.manual_seed(1)
    y = E.dropout(ember.ones(1000), 0.25, True).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.05


def test_rrelu_training_draws_from_the_given_generator():
    x = ember.tensor(-np.ones(50))
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    a = E.rrelu(x, 0.1, 0.3, True, g1).numpy()
    b = E.rrelu(x, 0.1, 0.3, True, g2).numpy()
    np.testing.assert_array_equal(a, b)
    assert ((-a >= 0.1) & (-a <= 0.3)).all() and len(np.unique(a)) > 1
    y = x.clone()
    assert E.rrelu_(y, 0.1, 0.3, True, ember.Generator().manual_seed(7)) is y
    np.testing.assert_array_equal(y.numpy(), a)


def test_exported_names_are_torch_top_level_functions():
    for name in toplevel.__all__:
        assert callable(getattr(torch, name)), name
        assert getattr(toplevel, name).__doc__, name


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.grid_sampler_2d(
            x.unsqueeze(2), t.zeros(2, 1, 1, 1, 3, dtype=t.float64), 0, 0, False
        ),
        lambda t, x: t.grid_sampler_3d(x, t.zeros(2, 1, 1, 2, dtype=t.float64), 0, 0, False),
        lambda t, x: t.grid_sampler_3d(
            x.unsqueeze(2), t.zeros(2, 1, 1, 1, 3, dtype=t.float64), 2, 0, False
        ),
    ],
)
def test_grid_sampler_dimension_errors_like_torch(call):
    msgs = []
    for lib in (E, torch):
        with pytest.raises(RuntimeError) as info:
            call(lib, lib.tensor(X4))
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
