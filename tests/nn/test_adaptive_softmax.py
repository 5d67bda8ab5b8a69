"""``nn.AdaptiveLogSoftmaxWithLoss`` (and ``nn.NLLLoss2d``) against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

from ._compare import copy_weights, torch


def _pair(*args, **kw):
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(*args, **kw).double()
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kw).double()
    copy_weights(em, tm)
    return em, tm


@pytest.mark.parametrize(
    "cutoffs,div_value,head_bias", [([3, 6], 2.0, False), ((4,), 4.0, True), ([2, 5, 8], 1.5, True)]
)
def test_forward_log_prob_predict_and_grads_match_torch(cutoffs, div_value, head_bias):
    em, tm = _pair(8, 10, cutoffs, div_value=div_value, head_bias=head_bias)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 8))
    target = np.array([0, 9, 4, 7, 2, 5])
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = em(ex, ember.tensor(target)), tm(tx, torch.tensor(target))
    assert type(eo).__name__ == type(to).__name__ == "_ASMoutput"
    np.testing.assert_allclose(eo.output.detach().numpy(), to.output.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(eo.loss.item(), to.loss.item(), rtol=1e-10)
    eo.loss.backward()
    to.loss.backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    for (name, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), atol=1e-12, err_msg=name)
    elp, tlp = em.log_prob(ember.tensor(x)), tm.log_prob(torch.tensor(x))
    np.testing.assert_allclose(elp.detach().numpy(), tlp.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(np.exp(elp.detach().numpy()).sum(1), 1.0, rtol=1e-10)
    pe, pt = em.predict(ember.tensor(x)), tm.predict(torch.tensor(x))
    np.testing.assert_array_equal(pe.numpy(), pt.numpy())


def test_unbatched_forward():
    em, tm = _pair(5, 7, [2])
    x = np.random.default_rng(1).standard_normal(5)
    eo, to = em(ember.tensor(x), ember.tensor(6)), tm(torch.tensor(x), torch.tensor(6))
    assert tuple(eo.output.shape) == tuple(to.output.shape) == ()
    np.testing.assert_allclose(eo.loss.item(), to.loss.item(), rtol=1e-10)


@pytest.mark.parametrize(
    "args",
    [
        (8, 10, [6, 3]),
        (8, 10, [0, 3]),
        (8, 10, [3, 10]),
        (8, 10, [3, 3]),
        (8, 10, [3.5]),
        (8, 10, []),
    ],
)
def test_bad_cutoffs_like_torch(args):
    msgs = []
    for lib in (ember, torch):
        with pytest.raises(ValueError) as info:
            lib.nn.AdaptiveLogSoftmaxWithLoss(*args)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


BAD_CALLS = [
    lambda lib, x: (x, lib.tensor([0, 1, 2])),
    lambda lib, x: (x, lib.tensor([0, 1, 2, 10])),
    lambda lib, x: (x, lib.tensor([0, 1, 2, -1])),
    lambda lib, x: (x[0], lib.tensor([[1]])),
    lambda lib, x: (x, lib.tensor(1)),
    lambda lib, x: (x.unsqueeze(0), lib.tensor([1])),
]


@pytest.mark.parametrize("k", range(len(BAD_CALLS)))
def test_forward_errors_like_torch(k):
    x = np.zeros((4, 8))
    msgs = []
    for lib in (ember, torch):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)
        with pytest.raises(RuntimeError) as info:
            m(*BAD_CALLS[k](lib, lib.tensor(x, dtype=lib.float32)))
        msgs.append(str(info.value).replace("ember.Size", "torch.Size"))
    assert msgs[0] == msgs[1]


def test_nll_loss_2d_is_the_deprecated_nll_loss():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 4))
    t = rng.integers(0, 3, size=(2, 4, 4))
    values = []
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="NLLLoss2d` has been deprecated"):
            m = lib.nn.NLLLoss2d(ignore_index=1, reduction="sum")
        assert isinstance(m, lib.nn.NLLLoss) and repr(m) == "NLLLoss2d()"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            values.append(m(lib.tensor(x).log_softmax(1), lib.tensor(t)).item())
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)
