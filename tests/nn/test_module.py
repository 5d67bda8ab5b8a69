"""Module machinery: registration, iteration, state dicts, modes, hooks, repr, init."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import copy_weights, to_np, torch

tnn = torch.nn


def _populate(self, lib, t):
    self.conv = lib.Conv2d(1, 2, 3, padding=1)
    self.bn = lib.BatchNorm2d(2)
    self.blocks = lib.ModuleList([lib.Linear(8, 8), lib.Linear(8, 4)])
    self.head = lib.Sequential(lib.ReLU(), lib.Linear(4, 3))
    self.scale = lib.Parameter(t.ones(3))
    self.register_buffer("steps", t.zeros(1))
    self.register_buffer("tmp", t.zeros(1), persistent=False)
    self.dict = lib.ModuleDict({"a": lib.Identity()})


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        _populate(self, nn, ember)


class TorchNet(tnn.Module):
    def __init__(self):
        super().__init__()
        _populate(self, tnn, torch)


def test_state_dict_keys_and_names_match_pytorch():
    e, t = Net(), TorchNet()
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert repr(e).replace("Net", "X") == repr(t).replace("TorchNet", "X")


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.LSTM(3, 4, 2, bidirectional=True),
        lambda m: m.GRU(2, 3),
        lambda m: m.TransformerEncoderLayer(8, 2, 16),
        lambda m: m.Sequential(
            m.Conv1d(1, 2, 3), m.GroupNorm(1, 2), m.LayerNorm(4), m.Embedding(3, 2)
        ),
        lambda m: m.Sequential(m.InstanceNorm2d(3), m.MaxPool2d(2), m.AdaptiveAvgPool2d(1)),
    ],
)
def test_state_dict_keys_of_architectures(make):
    e, t = make(nn), make(tnn)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    for (k, v), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        assert tuple(v.shape) == tuple(tv.shape), k
    assert repr(e) == repr(t)


def test_default_init_bounds_spec_rule_39():
    lin = nn.Linear(50, 400)
    b = 1 / math.sqrt(50)
    w = to_np(lin.weight)
    assert w.min() >= -b and w.max() <= b and w.max() > 0.9 * b and w.min() < -0.9 * b
    assert to_np(lin.bias).max() <= b
    conv = nn.Conv2d(3, 64, 3)
    bc = 1 / math.sqrt(27)
    assert np.abs(to_np(conv.weight)).max() <= bc
    assert abs(to_np(conv.weight).std() - bc / math.sqrt(3)) < 0.02
    assert lin.weight.dtype == ember.float32
    assert nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64


def test_init_functions():
    w = ember.empty(200, 300)
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= a
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 200)) < 0.005
    q = nn.init.orthogonal_(ember.empty(20, 30))
    np.testing.assert_allclose(q.numpy() @ q.numpy().T, np.eye(20), atol=1e-5)
    nn.init.trunc_normal_(w, std=0.5, a=-0.3, b=0.3)
    assert np.abs(w.numpy()).max() <= 0.3
    nn.init.constant_(w, 0.5)
    assert np.all(w.numpy() == 0.5)
    nn.init.zeros_(w)
    nn.init.ones_(w)
    assert np.all(w.numpy() == 1)
    for name in ["linear", "relu", "tanh", "selu", "sigmoid"]:
        assert nn.init.calculate_gain(name) == tnn.init.calculate_gain(name)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == tnn.init.calculate_gain("leaky_relu", 0.2)
    p = nn.Parameter(ember.empty(3, 4))
    v = p._version
    nn.init.normal_(p)  # in place on a leaf that requires grad, no graph recorded
    assert p.grad_fn is None and p.requires_grad and p._version > v
    g = ember.Generator().manual_seed(3)
    x1 = nn.init.uniform_(ember.empty(4), generator=g).tolist()
    g.manual_seed(3)
    assert nn.init.uniform_(ember.empty(4), generator=g).tolist() == x1


def test_strict_load_fails_before_changing_anything():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = {k: v.clone() for k, v in m.state_dict().items()}
    sd = {k: ember.zeros(v.shape) for k, v in before.items()}
    sd["1.extra"] = ember.zeros(1)
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "1.extra"'):
        m.load_state_dict(sd)
    for k, v in m.state_dict().items():
        assert ember.equal(v, before[k])
    del sd["1.extra"]
    sd["0.weight"] = ember.zeros(4, 2)
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        m.load_state_dict(sd, strict=False)
    assert ember.equal(m[1].bias, before["1.bias"])
    sd["0.weight"] = ember.zeros(3, 2)
    del sd["1.bias"]
    r = m.load_state_dict(sd, strict=False)
    assert r.missing_keys == ["1.bias"] and r.unexpected_keys == []
    assert np.all(m[0].weight.numpy(force=True) == 0)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "1.bias". '):
        m.load_state_dict(sd)


def test_load_state_dict_keeps_parameter_identity_and_version():
    m = nn.Linear(2, 2)
    w = m.weight
    v = w._version
    m.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)})
    assert m.weight is w and w._version > v
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"


def test_attribute_protocol():
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("b", ember.zeros(1))
    assert set(m._parameters) == {"w"} and set(m._modules) == {"sub"} and set(m._buffers) == {"b"}
    m.b = ember.ones(1)
    assert m._buffers["b"].item() == 1
    with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'w'"):
        m.w = 3
    m.w = None
    assert m.w is None
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_buffer("training", ember.zeros(1))
    m.plain = 5
    assert m.plain == 5 and "plain" not in m._parameters
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("q", _nonleaf_param())


def _nonleaf_param():
    p = nn.Parameter(ember.ones(2))
    q = nn.Parameter.__new__(nn.Parameter, ember.ones(2))
    q.grad_fn = (p * 2).grad_fn
    return q


def test_modes_zero_grad_requires_grad_apply_to():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    assert m.training and m[1].training
    m.eval()
    assert not m.training and not m[1].training
    m.train()
    assert m[1].training
    m(ember.ones(1, 2)).sum().backward()
    assert m[0].weight.grad is not None
    m.zero_grad()
    assert m[0].weight.grad is None  # SPEC rule 13
    m(ember.ones(1, 2)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert np.all(m[0].weight.grad.numpy() == 0)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Dropout", "Sequential"]
    w = m[0].weight
    m.double()
    assert m[0].weight is w and w.dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    bn = nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype == ember.int64 and bn.running_mean.dtype == ember.float64


def test_parameter_repr_and_type():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    assert repr(p) == repr(tnn.Parameter(torch.tensor([1.0, 2.0])))
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    assert not nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q is not p and q.tolist() == p.tolist()
    m = copy.deepcopy(nn.Linear(2, 3))
    assert isinstance(m.weight, nn.Parameter)


def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
    h3 = m.register_forward_hook(lambda mod, args, kw, out: calls.append(kw), with_kwargs=True)
    x = ember.ones(1, 2)
    y = m(x)
    expect = nn.functional.linear(x * 2, m.weight, m.bias) + 1
    assert ember.allclose(y, expect)
    assert calls == [{}]
    for h in (h1, h2, h3):
        h.remove()
    assert ember.allclose(m(x), nn.functional.linear(x, m.weight, m.bias))


def test_full_backward_hook_matches_pytorch():
    e, t = nn.Linear(3, 2).double(), tnn.Linear(3, 2).double()
    copy_weights(e, t)
    rec = {"e": [], "t": []}

    def hook(key):
        def h(mod, gin, gout):
            rec[key].append(
                ([None if g is None else to_np(g) for g in gin], [to_np(g) for g in gout])
            )
            return tuple(None if g is None else g * 3 for g in gin)

        return h

    e.register_full_backward_hook(hook("e"))
    t.register_full_backward_hook(hook("t"))
    x = np.random.default_rng(0).standard_normal((4, 3))
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (e(xe) ** 2).sum().backward()
    (t(xt) ** 2).sum().backward()
    (ein, eout), (tin, tout) = rec["e"][0], rec["t"][0]
    np.testing.assert_allclose(ein[0], tin[0], atol=1e-12)
    np.testing.assert_allclose(eout[0], tout[0], atol=1e-12)
    np.testing.assert_allclose(to_np(xe.grad), to_np(xt.grad), atol=1e-12)
    np.testing.assert_allclose(to_np(e.weight.grad), to_np(t.weight.grad), atol=1e-12)
    # Input that does not require grad: grad_input is (None,)
    rec["e"].clear()
    e(ember.tensor(x)).sum().backward()
    assert rec["e"][0][0] == [None]


def test_containers():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[1], nn.ReLU) and isinstance(s[-1], nn.Linear)
    assert isinstance(s[:2], nn.Sequential) and len(s[:2]) == 2
    s.append(nn.Sigmoid())
    assert len(s) == 4
    del s[1]
    assert [type(m).__name__ for m in s] == ["Linear", "Linear", "Sigmoid"]
    assert list(s._modules) == ["0", "1", "2"]
    from collections import OrderedDict

    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml += [nn.Linear(1, 2)]
    ml.insert(0, nn.ReLU())
    assert len(ml) == 3 and isinstance(ml[0], nn.ReLU) and len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    assert isinstance(pl[1], nn.Parameter) and len(list(pl.parameters())) == 2
    pd = nn.ParameterDict({"x": nn.Parameter(ember.ones(1))})
    assert list(pd.keys()) == ["x"] and len(list(pd.parameters())) == 1
    shared = nn.Linear(1, 1)
    tied = nn.Sequential(shared, shared)
    assert len(list(tied.parameters())) == 2
    assert list(tied.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_get_submodule_and_parameter():
    m = nn.Sequential(nn.Sequential(nn.Linear(1, 2)))
    assert m.get_submodule("0.0") is m[0][0]
    assert m.get_parameter("0.0.bias") is m[0][0].bias
    with pytest.raises(AttributeError):
        m.get_submodule("0.5")


def test_mlp_gradients_equal_hand_derived_chain_rule():
    # SPEC seed 11: h = tanh(W1 x + b1), o = W2 h + b2, L = sum(o^2) / 2.
    rng = np.random.default_rng(0)
    l1, l2 = nn.Linear(3, 4).double(), nn.Linear(4, 2).double()
    x = rng.standard_normal((5, 3))
    h = nn.functional.tanh(l1(ember.tensor(x)))
    o = l2(h)
    (0.5 * (o * o).sum()).backward()
    W1, b1, W2 = to_np(l1.weight), to_np(l1.bias), to_np(l2.weight)
    hn = np.tanh(x @ W1.T + b1)
    on = hn @ W2.T + to_np(l2.bias)
    dh = on @ W2 * (1 - hn**2)
    np.testing.assert_allclose(to_np(l2.weight.grad), on.T @ hn, atol=1e-12)
    np.testing.assert_allclose(to_np(l2.bias.grad), on.sum(0), atol=1e-12)
    np.testing.assert_allclose(to_np(l1.weight.grad), dh.T @ x, atol=1e-12)
    np.testing.assert_allclose(to_np(l1.bias.grad), dh.sum(0), atol=1e-12)


def test_state_dict_hooks():
    m = nn.Sequential(nn.Linear(1, 1))
    seen = []
    m[0].register_state_dict_pre_hook(lambda mod, prefix, keep: seen.append(prefix))

    def drop_bias(mod, sd, prefix, meta):
        del sd[prefix + "bias"]

    h = m[0].register_state_dict_post_hook(drop_bias)
    assert list(m.state_dict()) == ["0.weight"] and seen == ["0."]
    h.remove()
    assert list(m.state_dict()) == ["0.weight", "0.bias"]
