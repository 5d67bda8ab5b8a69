"""``optim.swa_utils`` against PyTorch: SWA and EMA averages, SWALR, update_bn."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

R = np.random.default_rng(0)
X = R.standard_normal((32, 4))
Y = R.integers(0, 3, 32)


def _model(nn):
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _averaging(swa, model, kind):
    if kind == "swa":
        return swa.AveragedModel(model)
    if kind == "ema_buffers":
        return swa.AveragedModel(
            model, multi_avg_fn=swa.get_ema_multi_avg_fn(0.9), use_buffers=True
        )
    if kind == "swa_multi":
        return swa.AveragedModel(model, multi_avg_fn=swa.get_swa_multi_avg_fn())
    return swa.AveragedModel(model, avg_fn=swa.get_ema_avg_fn(0.8))


def _train(lib, model, kind):
    swa = lib.optim.swa_utils
    model = copy.deepcopy(model)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
    avg = _averaging(swa, model, kind)
    swa_sched = swa.SWALR(
        opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear" if "ema" in kind else "cos"
    )
    lrs = []
    for epoch in range(8):
        for i in range(0, 32, 8):
            opt.zero_grad()
            out = model(lib.tensor(X[i : i + 8]))
            lib.nn.functional.cross_entropy(out, lib.tensor(Y[i : i + 8])).backward()
            opt.step()
        if epoch >= 4:
            avg.update_parameters(model)
            swa_sched.step()
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    loader = [(lib.tensor(X[i : i + 8]), lib.tensor(Y[i : i + 8])) for i in range(0, 32, 8)]
    swa.update_bn(loader, avg)
    avg.eval()
    sd = avg.state_dict()
    return lrs, avg(lib.tensor(X)).detach().numpy(), list(sd), [v.numpy() for v in sd.values()]


@pytest.mark.parametrize("kind", ["swa", "ema_buffers", "swa_multi", "ema_fn"])
def test_averaged_training_matches_pytorch(kind):
    from tests.nn._compare import copy_weights

    em, tm = _model(ember.nn).double(), _model(torch.nn).double()
    copy_weights(em, tm)
    e, t = _train(ember, em, kind), _train(torch, tm, kind)
    np.testing.assert_allclose(e[0], t[0], rtol=1e-13)  # SWALR after the cosine schedule
    np.testing.assert_allclose(e[1], t[1], rtol=1e-9, atol=1e-12)
    assert e[2] == t[2] and "n_averaged" in e[2]
    for a, b in zip(e[3], t[3]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_update_bn_recomputes_running_statistics_and_restores_the_model():
    for lib in (ember, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4, momentum=0.3))
        model.eval()
        batches = [lib.tensor(R.standard_normal((5, 3)), dtype=lib.float32) for _ in range(3)]
        lib.optim.swa_utils.update_bn(batches, model)
        bn = model[1]
        with lib.no_grad():
            h = model[0](lib.cat(batches)).numpy()
        # with momentum None the running mean is the mean of the batch means
        means = np.mean([h[5 * i : 5 * i + 5].mean(0) for i in range(3)], axis=0)
        np.testing.assert_allclose(bn.running_mean.numpy(), means, rtol=1e-5, atol=1e-6)
        assert bn.momentum == 0.3 and not model.training and int(bn.num_batches_tracked) == 3


def test_averaged_model_forwards_to_its_copy():
    lin = ember.nn.Linear(2, 2)
    avg = ember.optim.swa_utils.AveragedModel(lin)
    assert avg.module is not lin and int(avg.n_averaged) == 0
    x = ember.ones(1, 2)
    np.testing.assert_allclose(avg(x).detach().numpy(), lin(x).detach().numpy())
