"""Every layer with weights copied from PyTorch: same outputs and gradients (float64, 1e-10)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import check_module, to_np, torch

tnn = torch.nn
R = np.random.default_rng(0)


def rnd(*shape):
    return R.standard_normal(shape)


LAYERS = [
    ("linear", lambda m: m.Linear(4, 3), [(2, 4)]),
    ("linear_nobias_3d", lambda m: m.Linear(4, 3, bias=False), [(2, 5, 4)]),
    ("bilinear", lambda m: m.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    ("conv1d", lambda m: m.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    ("conv1d_same_dil", lambda m: m.Conv1d(2, 2, 4, padding="same", dilation=2), [(2, 2, 9)]),
    ("conv2d", lambda m: m.Conv2d(3, 4, 3), [(2, 3, 6, 5)]),
    (
        "conv2d_stride_pad_dil",
        lambda m: m.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
        [(2, 2, 7, 6)],
    ),
    ("conv2d_groups", lambda m: m.Conv2d(4, 6, 3, groups=2, padding=1, bias=False), [(1, 4, 5, 5)]),
    ("conv2d_depthwise", lambda m: m.Conv2d(3, 3, 3, groups=3), [(2, 3, 5, 5)]),
    ("conv2d_same", lambda m: m.Conv2d(2, 3, 4, padding="same"), [(1, 2, 6, 5)]),
    (
        "conv2d_reflect",
        lambda m: m.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
        [(1, 2, 5, 5)],
    ),
    (
        "conv2d_circular",
        lambda m: m.Conv2d(2, 3, 3, padding=2, padding_mode="circular"),
        [(1, 2, 5, 5)],
    ),
    ("conv2d_unbatched", lambda m: m.Conv2d(2, 3, 3), [(2, 5, 5)]),
    ("conv3d", lambda m: m.Conv3d(2, 2, 2, stride=2, padding=1), [(1, 2, 4, 3, 4)]),
    ("conv_transpose1d", lambda m: m.ConvTranspose1d(3, 2, 3, stride=2), [(2, 3, 5)]),
    (
        "conv_transpose2d",
        lambda m: m.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
        [(2, 3, 4, 4)],
    ),
    (
        "conv_transpose2d_groups",
        lambda m: m.ConvTranspose2d(4, 2, (2, 3), groups=2, dilation=2),
        [(1, 4, 3, 3)],
    ),
    ("maxpool1d", lambda m: m.MaxPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("maxpool2d", lambda m: m.MaxPool2d(2), [(2, 3, 6, 6)]),
    (
        "maxpool2d_ceil",
        lambda m: m.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        [(2, 2, 6, 7)],
    ),
    ("avgpool1d", lambda m: m.AvgPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("avgpool2d", lambda m: m.AvgPool2d(2), [(2, 3, 6, 6)]),
    ("avgpool2d_nopad", lambda m: m.AvgPool2d(3, 2, 1, count_include_pad=False), [(1, 2, 7, 6)]),
    ("avgpool2d_divisor", lambda m: m.AvgPool2d(2, divisor_override=3), [(1, 2, 4, 4)]),
    ("adaptive_avgpool2d", lambda m: m.AdaptiveAvgPool2d((3, 2)), [(2, 3, 7, 5)]),
    ("adaptive_avgpool2d_1", lambda m: m.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)]),
    ("adaptive_maxpool2d", lambda m: m.AdaptiveMaxPool2d((2, 3)), [(2, 2, 5, 7)]),
    ("batchnorm1d", lambda m: m.BatchNorm1d(4), [(6, 4)]),
    ("batchnorm1d_3d", lambda m: m.BatchNorm1d(3, momentum=0.3), [(4, 3, 5)]),
    ("batchnorm2d", lambda m: m.BatchNorm2d(3), [(4, 3, 5, 5)]),
    ("batchnorm2d_noaffine", lambda m: m.BatchNorm2d(3, affine=False), [(4, 3, 2, 2)]),
    ("batchnorm2d_cma", lambda m: m.BatchNorm2d(3, momentum=None), [(4, 3, 2, 2)]),
    ("batchnorm2d_nostats", lambda m: m.BatchNorm2d(3, track_running_stats=False), [(4, 3, 2, 2)]),
    ("layernorm", lambda m: m.LayerNorm(5), [(3, 4, 5)]),
    ("layernorm_2d", lambda m: m.LayerNorm((4, 5), eps=1e-3), [(3, 4, 5)]),
    ("groupnorm", lambda m: m.GroupNorm(2, 4), [(3, 4, 5)]),
    ("instancenorm2d", lambda m: m.InstanceNorm2d(3, affine=True), [(2, 3, 4, 4)]),
    ("rmsnorm", lambda m: m.RMSNorm(5), [(3, 5)]),
    ("flatten", lambda m: m.Flatten(), [(2, 3, 4)]),
    ("unflatten", lambda m: m.Unflatten(1, (2, 3)), [(2, 6)]),
    ("identity", lambda m: m.Identity(), [(2, 3)]),
    ("prelu", lambda m: m.PReLU(3), [(2, 3, 4)]),
    ("rnn", lambda m: m.RNN(3, 4), [(5, 2, 3)]),
    ("rnn_relu_2layer", lambda m: m.RNN(3, 4, 2, nonlinearity="relu"), [(5, 2, 3)]),
    ("lstm", lambda m: m.LSTM(3, 4), [(5, 2, 3)]),
    (
        "lstm_bi_2layer_bf",
        lambda m: m.LSTM(3, 4, 2, batch_first=True, bidirectional=True),
        [(2, 5, 3)],
    ),
    ("lstm_unbatched", lambda m: m.LSTM(3, 4), [(5, 3)]),
    ("gru", lambda m: m.GRU(3, 4, 2), [(5, 2, 3)]),
    ("gru_bi", lambda m: m.GRU(3, 2, bidirectional=True, bias=False), [(4, 2, 3)]),
    ("rnncell", lambda m: m.RNNCell(3, 4), [(2, 3), (2, 4)]),
    ("lstmcell", lambda m: m.LSTMCell(3, 4), [(2, 3)]),
    ("grucell", lambda m: m.GRUCell(3, 4), [(2, 3), (2, 4)]),
    ("mha", lambda m: m.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8), (5, 2, 8)]),
    (
        "mha_batch_first",
        lambda m: m.MultiheadAttention(6, 3, batch_first=True),
        [(2, 4, 6), (2, 4, 6), (2, 4, 6)],
    ),
    ("transformer_layer", lambda m: m.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [(4, 2, 8)]),
    (
        "transformer_layer_nf_gelu",
        lambda m: m.TransformerEncoderLayer(
            8, 2, 16, dropout=0.0, norm_first=True, activation="gelu", batch_first=True
        ),
        [(2, 4, 8)],
    ),
    (
        "transformer_encoder",
        lambda m: m.TransformerEncoder(m.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2),
        [(3, 2, 8)],
    ),
]


@pytest.mark.parametrize("name, make, shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_pytorch(name, make, shapes):
    check_module(make(nn), make(tnn), *[rnd(*s) for s in shapes])


@pytest.mark.parametrize("name, make, shapes", LAYERS[:4], ids=[c[0] for c in LAYERS[:4]])
def test_layer_float32(name, make, shapes):
    em, tm = make(nn), make(tnn)
    from ._compare import copy_weights

    copy_weights(em, tm)
    xs = [rnd(*s).astype(np.float32) for s in shapes]
    out = em(*[ember.tensor(x) for x in xs])
    assert out.dtype == ember.float32
    np.testing.assert_allclose(
        to_np(out), tm(*[torch.tensor(x) for x in xs]).detach().numpy(), atol=1e-5
    )


ACTS = [
    ("ReLU", {}),
    ("ReLU6", {}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {"alpha": 0.7}),
    ("GELU", {}),
    ("GELU", {"approximate": "tanh"}),
    ("SiLU", {}),
    ("Sigmoid", {}),
    ("Tanh", {}),
    ("Softmax", {"dim": 1}),
    ("LogSoftmax", {"dim": -1}),
    ("Softplus", {"beta": 2.0}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 0.7}),
    ("Mish", {}),
    ("Hardswish", {}),
    ("Hardsigmoid", {}),
    ("LogSigmoid", {}),
    ("SELU", {}),
    ("CELU", {}),
    ("Softsign", {}),
    ("Tanhshrink", {}),
    ("Softmin", {"dim": 1}),
    ("Threshold", {"threshold": 0.1, "value": 2.0}),
]


@pytest.mark.parametrize("name, kw", ACTS, ids=[f"{a}-{i}" for i, (a, _) in enumerate(ACTS)])
def test_activation_modules(name, kw):
    em, tm = getattr(nn, name)(**kw), getattr(tnn, name)(**kw)
    check_module(em, tm, rnd(3, 4))
    assert repr(em) == repr(tm)


LOSSES = [
    ("MSELoss", {}, "f"),
    ("MSELoss", {"reduction": "sum"}, "f"),
    ("L1Loss", {}, "f"),
    ("SmoothL1Loss", {"beta": 0.5}, "f"),
    ("HuberLoss", {"delta": 0.6}, "f"),
    ("CrossEntropyLoss", {}, "c"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, "c"),
    ("CrossEntropyLoss", {"reduction": "none", "ignore_index": 1}, "c"),
    ("CrossEntropyLoss", {}, "p"),
    ("NLLLoss", {}, "c"),
    ("BCELoss", {}, "b"),
    ("BCEWithLogitsLoss", {}, "bl"),
    ("KLDivLoss", {"reduction": "batchmean"}, "k"),
    ("SoftMarginLoss", {}, "s"),
]


@pytest.mark.parametrize(
    "name, kw, kind", LOSSES, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(LOSSES)]
)
def test_loss_modules(name, kw, kind):
    x = rnd(6, 4)
    if kind == "f":
        t = rnd(6, 4)
    elif kind == "c":
        t = R.integers(0, 4, 6)
        t[0] = 1
    elif kind == "p":
        e = np.exp(rnd(6, 4))
        t = e / e.sum(1, keepdims=True)
    elif kind == "b":
        x = 1 / (1 + np.exp(-x))
        t = R.uniform(0, 1, (6, 4))
    elif kind == "bl":
        t = R.uniform(0, 1, (6, 4))
    elif kind == "k":
        x = np.log(R.uniform(0.1, 1, (6, 4)))
        t = R.uniform(0.1, 1, (6, 4))
    else:
        t = np.sign(rnd(6, 4))
    em, tm = getattr(nn, name)(**kw), getattr(tnn, name)(**kw)
    e = em(ember.tensor(x, requires_grad=True), ember.tensor(t))
    tt = tm(torch.tensor(x, requires_grad=True), torch.tensor(t))
    np.testing.assert_allclose(to_np(e), to_np(tt), atol=1e-10)
    assert repr(em) == repr(tm)


def test_loss_weights_match_pytorch():
    x, y = rnd(5, 3), R.integers(0, 3, 5)
    w = np.array([0.2, 1.0, 3.0])
    for reduction in ("mean", "sum", "none"):
        e = nn.CrossEntropyLoss(weight=ember.tensor(w), reduction=reduction, label_smoothing=0.2)
        t = tnn.CrossEntropyLoss(weight=torch.tensor(w), reduction=reduction, label_smoothing=0.2)
        np.testing.assert_allclose(
            to_np(e(ember.tensor(x), ember.tensor(y))),
            to_np(t(torch.tensor(x), torch.tensor(y))),
            atol=1e-12,
        )
    pw = np.array([0.5, 2.0, 1.0])
    e = nn.BCEWithLogitsLoss(pos_weight=ember.tensor(pw), weight=ember.tensor(w))
    t = tnn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw), weight=torch.tensor(w))
    y2 = R.uniform(0, 1, (5, 3))
    np.testing.assert_allclose(
        to_np(e(ember.tensor(x), ember.tensor(y2))),
        to_np(t(torch.tensor(x), torch.tensor(y2))),
        atol=1e-12,
    )


def test_embedding_padding_idx_gets_no_grad():
    em, tm = nn.Embedding(5, 3, padding_idx=1), tnn.Embedding(5, 3, padding_idx=1)
    assert np.all(to_np(em.weight)[1] == 0)
    idx = np.array([[0, 1, 4], [1, 1, 2]])
    check_module(em, tm, idx)
    assert repr(em) == repr(tm)


def test_batchnorm_spec_rule_39():
    # SPEC rule 39: biased variance normalises, unbiased variance goes into running_var.
    bn = nn.BatchNorm1d(1)
    x = ember.tensor([[1.0], [2.0], [3.0], [4.0]])
    out = bn(x)
    assert abs(bn.running_var.item() - 1.0666667) < 1e-6
    assert abs(bn.running_mean.item() - 0.25) < 1e-7
    np.testing.assert_allclose(
        to_np(out).ravel(), (np.arange(1, 5) - 2.5) / np.sqrt(1.25 + 1e-5), rtol=1e-6
    )
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    y = bn(x)
    np.testing.assert_allclose(
        to_np(y).ravel(), (np.arange(1, 5) - 0.25) / np.sqrt(1.0666667 + 1e-5), rtol=1e-6
    )
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_eval_matches_pytorch_after_training_steps():
    em, tm = nn.BatchNorm2d(3), tnn.BatchNorm2d(3)
    check_module(em, tm, rnd(4, 3, 2, 2))
    for _ in range(3):
        x = rnd(4, 3, 2, 2)
        em(ember.tensor(x))
        tm(torch.tensor(x))
    check_module(em, tm, rnd(4, 3, 2, 2), train=False)


def test_batchnorm_single_value_per_channel_raises():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ember.randn(1, 3))


def test_dropout_train_and_eval():
    ember.manual_seed(0)
    d = nn.Dropout(0.25)
    x = ember.ones(2000)
    y = d(x).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    assert 0.2 < 1 - kept.mean() < 0.3
    d.eval()
    assert d(x) is x
    assert repr(d) == "Dropout(p=0.25, inplace=False)"
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)
    x = ember.ones(10, requires_grad=True)
    nn.Dropout(1.0)(x).sum().backward()
    assert np.all(x.grad.numpy() == 0)


def test_dropout2d_zeros_whole_channels():
    ember.manual_seed(1)
    y = nn.Dropout2d(0.5)(ember.ones(4, 8, 3, 3)).numpy()
    per_channel = y.reshape(4, 8, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))


def test_maxpool_ties_send_gradient_to_first_max():
    # SPEC rule 20: max_pool sends all of the gradient to the first maximal index.
    x = ember.tensor([[[[1.0, 3.0], [3.0, 2.0]]]], requires_grad=True)
    out, idx = nn.functional.max_pool2d(x, 2, return_indices=True)
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]
    assert idx.tolist() == [[[[1]]]]
    tx = torch.tensor([[[[1.0, 3.0], [3.0, 2.0]]]])
    assert torch.nn.functional.max_pool2d(tx, 2, return_indices=True)[1].tolist() == idx.tolist()


def test_maxpool_indices_match_pytorch():
    x = rnd(2, 3, 7, 6)
    _, ei = nn.functional.max_pool2d(ember.tensor(x), 3, 2, 1, return_indices=True)
    _, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert ei.tolist() == ti.tolist()


def test_conv_errors_match_pytorch():
    w = ember.randn(2, 3, 3, 3)
    with pytest.raises(
        RuntimeError,
        match=r"Given groups=1, weight of size \[2, 3, 3, 3\], "
        r"expected input\[1, 4, 5, 5\] to have 3 channels, but got 4 channels",
    ):
        nn.functional.conv2d(ember.randn(1, 4, 5, 5), w)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_conv_is_a_single_graph_node_and_double_differentiable():
    x = ember.randn(1, 2, 4, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    y = nn.functional.conv2d(x, w)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    from ember.autograd.gradcheck import gradgradcheck

    assert gradgradcheck(lambda a, b: nn.functional.conv2d(a, b, stride=2, padding=1), (x, w))


def test_cross_entropy_targets_and_errors():
    x = ember.randn(3, 4)
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        nn.functional.cross_entropy(x, ember.tensor([0, 7, 1]))
    with pytest.raises(
        ValueError,
        match=r"Expected input batch_size \(3\) to match target "
        r"batch_size \(2\).",
    ):
        nn.functional.cross_entropy(x, ember.tensor([0, 1]))
    # All targets ignored: mean is 0/0 = nan, as in PyTorch.
    v = nn.functional.cross_entropy(x, ember.tensor([-100, -100, -100]))
    assert np.isnan(v.item())
    # Large logits stay finite (fused, stable log-softmax).
    big = ember.tensor([[1000.0, -1000.0]], dtype=ember.float64)
    assert nn.functional.cross_entropy(big, ember.tensor([1])).item() == 2000.0


def test_bce_clamps_log_spec_rule_37():
    # SPEC rule 37: BCE clamps log at -100, so bce(0, 1) = 100.
    v = nn.functional.binary_cross_entropy(ember.tensor([0.0]), ember.tensor([1.0]))
    assert v.item() == 100.0
    assert nn.functional.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0])).item() == 2.5
    with pytest.warns(UserWarning, match="different to the input size"):
        nn.functional.mse_loss(ember.randn(3, 1), ember.randn(3))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        nn.functional.l1_loss(ember.randn(2), ember.randn(2), reduction="avg")


def test_bce_with_logits_is_stable():
    x = ember.tensor([200.0, -200.0], dtype=ember.float64, requires_grad=True)
    y = ember.tensor([0.0, 1.0], dtype=ember.float64)
    loss = nn.functional.binary_cross_entropy_with_logits(x, y, reduction="sum")
    assert loss.item() == 400.0
    loss.backward()
    assert x.grad.tolist() == [1.0, -1.0]


def test_functional_reexports_other_families():
    F = nn.functional
    x = ember.randn(2, 3)
    np.testing.assert_allclose(F.softmax(x, dim=1).sum(1).numpy(), 1.0, rtol=1e-6)
    assert F.one_hot(ember.tensor([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(AttributeError):
        F.no_such_function_anywhere


def test_pad_modes_match_pytorch():
    x = rnd(1, 2, 4, 5)
    for mode, pad in [
        ("constant", (1, 2, 0, 1)),
        ("reflect", (2, 1, 1, 2)),
        ("replicate", (1, 1, 2, 0)),
        ("circular", (2, 2, 1, 1)),
        ("constant", (-1, 2, 1, -1)),
    ]:
        e = nn.functional.pad(ember.tensor(x), pad, mode=mode)
        t = torch.nn.functional.pad(torch.tensor(x), pad, mode=mode)
        np.testing.assert_array_equal(to_np(e), t.numpy())


def test_unfold_fold_match_pytorch():
    x = rnd(2, 3, 5, 6)
    e = nn.functional.unfold(ember.tensor(x), (2, 3), padding=1, stride=2)
    t = torch.nn.functional.unfold(torch.tensor(x), (2, 3), padding=1, stride=2)
    np.testing.assert_allclose(to_np(e), t.numpy(), atol=1e-12)
    c = rnd(*t.shape)
    ef = nn.functional.fold(ember.tensor(c), (5, 6), (2, 3), padding=1, stride=2)
    tf = torch.nn.functional.fold(torch.tensor(c), (5, 6), (2, 3), padding=1, stride=2)
    np.testing.assert_allclose(to_np(ef), tf.numpy(), atol=1e-12)


def test_clip_grad_and_vector_utils():
    params_e, params_t = [], []
    for s in [(3, 2), (4,)]:
        a, g = rnd(*s), rnd(*s) * 5
        pe = nn.Parameter(ember.tensor(a))
        pe.grad = ember.tensor(g)
        pt = torch.nn.Parameter(torch.tensor(a))
        pt.grad = torch.tensor(g)
        params_e.append(pe)
        params_t.append(pt)
    for norm in (2.0, 1.0, float("inf")):
        ne = nn.utils.clip_grad_norm_(params_e, 1.5, norm_type=norm)
        nt = torch.nn.utils.clip_grad_norm_(params_t, 1.5, norm_type=norm)
        np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-12)
        for pe, pt in zip(params_e, params_t):
            np.testing.assert_allclose(to_np(pe.grad), pt.grad.numpy(), rtol=1e-12)
    nn.utils.clip_grad_value_(params_e, 0.1)
    torch.nn.utils.clip_grad_value_(params_t, 0.1)
    for pe, pt in zip(params_e, params_t):
        np.testing.assert_allclose(to_np(pe.grad), pt.grad.numpy(), rtol=1e-12)
        assert np.abs(to_np(pe.grad)).max() <= 0.1
    v = nn.utils.parameters_to_vector(params_e)
    np.testing.assert_allclose(
        to_np(v), torch.nn.utils.parameters_to_vector(params_t).detach().numpy(), rtol=1e-12
    )
    nn.utils.vector_to_parameters(v * 2, params_e)
    np.testing.assert_allclose(to_np(params_e[1]), 2 * params_t[1].detach().numpy(), rtol=1e-12)


def test_attention_masks_match_pytorch():
    rng = np.random.default_rng(3)
    em, tm = nn.MultiheadAttention(8, 2), tnn.MultiheadAttention(8, 2)
    em.double()
    tm.double()
    from ._compare import copy_weights

    copy_weights(em, tm)
    q, k = rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, 8))
    causal = np.triu(np.ones((4, 5), bool), 1)
    kpm = np.zeros((2, 5), bool)
    kpm[1, -2:] = True
    float_mask = rng.standard_normal((4, 5))
    for mask in (causal, float_mask):
        eo, ew = em(
            ember.tensor(q),
            ember.tensor(k),
            ember.tensor(k),
            attn_mask=ember.tensor(mask),
            key_padding_mask=ember.tensor(kpm),
        )
        to, tw = tm(
            torch.tensor(q),
            torch.tensor(k),
            torch.tensor(k),
            attn_mask=torch.tensor(mask),
            key_padding_mask=torch.tensor(kpm),
        )
        np.testing.assert_allclose(to_np(eo), to_np(to), atol=1e-10)
        np.testing.assert_allclose(to_np(ew), to_np(tw), atol=1e-10)
    for train in (True, False):
        el = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0).double().train(train)
        tl = tnn.TransformerEncoderLayer(8, 2, 16, dropout=0.0).double().train(train)
        copy_weights(el, tl)
        with torch.no_grad():
            t_out = tl(torch.tensor(q), src_key_padding_mask=torch.tensor(kpm[:, :4]))
        e_out = el(ember.tensor(q), src_key_padding_mask=ember.tensor(kpm[:, :4]))
        np.testing.assert_allclose(to_np(e_out), to_np(t_out), atol=1e-10)


@pytest.mark.parametrize("name", ["Conv2d", "ReflectionPad2d", "Dropout2d", "MaxPool1d", "ReLU"])
def test_layer_subclass_with_a_class_keyword_is_refused_like_pytorch(name):
    def refusal(lib):
        with pytest.raises(TypeError) as info:
            type("Custom", (getattr(lib.nn, name),), {"__module__": "user"}, nd=3)
        return str(info.value)

    assert refusal(ember) == refusal(torch)


def test_layer_subclass_keeps_its_family_settings():
    class Pad(nn.ReflectionPad2d):
        pass

    class TPad(tnn.ReflectionPad2d):
        pass

    x = np.arange(2 * 3 * 4, dtype=float).reshape(1, 2, 3, 4)
    out = Pad((1, 2, 1, 0))(ember.tensor(x))
    np.testing.assert_array_equal(to_np(out), to_np(TPad((1, 2, 1, 0))(torch.tensor(x))))
