"""nn.DataParallel and nn.parallel.data_parallel against PyTorch's build without GPUs."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import check_module, copy_weights, torch

tnn = torch.nn
R = np.random.default_rng(0)


def _net(lib):
    m = lib.nn
    return m.Sequential(m.Linear(4, 5), m.BatchNorm1d(5), m.Tanh(), m.Linear(5, 3))


def _outcome(fn):
    try:
        r = fn()
    except Exception as ex:  # noqa: BLE001 - the type and message are what is compared
        return type(ex).__name__, str(ex)
    return "ok", r


def test_names_and_signatures_match():
    assert nn.DataParallel is nn.parallel.DataParallel
    assert set(nn.parallel.__all__) <= set(tnn.parallel.__all__)
    assert {"DataParallel", "data_parallel"} <= set(nn.parallel.__all__)
    for e, t in (
        (nn.DataParallel.__init__, tnn.DataParallel.__init__),
        (nn.parallel.data_parallel, tnn.parallel.data_parallel),
    ):
        e_sig, t_sig = inspect.signature(e), inspect.signature(t)
        assert list(e_sig.parameters) == list(t_sig.parameters)
        assert [p.default for p in e_sig.parameters.values()] == [
            p.default for p in t_sig.parameters.values()
        ]


@pytest.mark.parametrize(
    "kw", [{}, {"device_ids": [0]}, {"device_ids": [0, 1], "output_device": 1}, {"dim": 1}]
)
def test_wraps_the_module_as_pytorch_without_gpus(kw):
    em, tm = nn.DataParallel(_net(ember), **kw), tnn.DataParallel(_net(torch), **kw)
    assert repr(em) == repr(tm)
    assert em.device_ids == tm.device_ids == []
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_modules()] == [n for n, _ in tm.named_modules()]
    for attr in ("dim", "output_device", "src_device_obj"):
        assert _outcome(lambda a=attr: getattr(em, a)) == _outcome(lambda a=attr: getattr(tm, a))
    # same weights, values and gradients (inputs, parameters, BatchNorm's running stats)
    check_module(em, tm, R.standard_normal((6, 4)))
    check_module(em, tm, R.standard_normal((6, 4)), train=False)


def test_forward_passes_args_and_kwargs_and_outputs_through():
    class Two(nn.Module):
        def forward(self, x, *, scale=1.0, extra=None):
            return {"y": x * scale, "pair": (x, extra)}

    dp = nn.DataParallel(Two())
    x = ember.ones(2, 3)
    out = dp(x, scale=3.0, extra="tag")
    assert out["pair"][1] == "tag" and out["pair"][0] is x
    np.testing.assert_array_equal(out["y"].numpy(), np.full((2, 3), 3.0))
    assert nn.DataParallel(lambda a, b: a + b)(1, 2) == tnn.DataParallel(lambda a, b: a + b)(1, 2)
    assert repr(nn.DataParallel(lambda a: a)) == repr(tnn.DataParallel(lambda a: a))


def test_state_dict_round_trip_with_pytorch_and_training_flags():
    tm = tnn.DataParallel(_net(torch))
    em = nn.DataParallel(_net(ember))
    copy_weights(em, tm)  # loads PyTorch's "module."-prefixed keys
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(em.state_dict()[k].numpy(), v.numpy())
    em.module.load_state_dict({k[len("module.") :]: v for k, v in em.state_dict().items()})
    em.eval()
    assert not em.training and not em.module[1].training
    em.train()
    assert em.module[1].training
    assert [tuple(p.shape) for p in em.parameters()] == [tuple(p.shape) for p in tm.parameters()]


def test_training_steps_match():
    tm, em = tnn.DataParallel(_net(torch)).double(), nn.DataParallel(_net(ember)).double()
    copy_weights(em, tm)
    for _ in range(3):
        x, y = R.standard_normal((8, 4)), R.standard_normal((8, 3))
        for lib, m in ((torch, tm), (ember, em)):
            m.zero_grad()
            ((m(lib.tensor(x)) - lib.tensor(y)) ** 2).mean().backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), atol=1e-12)


@pytest.mark.parametrize("inputs", [R.standard_normal((2, 4)), None])
@pytest.mark.parametrize(
    "kw", [{}, {"device_ids": [0]}, {"device_ids": [0, 1], "output_device": 0, "dim": 1}]
)
def test_data_parallel_function_raises_as_pytorch(kw, inputs):
    def call(lib):
        x = None if inputs is None else lib.tensor(inputs)
        return lib.nn.parallel.data_parallel(lib.nn.Linear(4, 2), x, **kw)

    t = _outcome(lambda: call(torch))
    assert t[0] == "RuntimeError"
    assert _outcome(lambda: call(ember)) == t
