"""The optimizer API around the steps: bad arguments, hooks, parameter groups, named
parameters, tensor learning rates, SparseAdam and Adafactor's refusals, as PyTorch."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _w(lib):
    return lib.ones(2, requires_grad=True)


def _sched(lib):
    return lib.optim.lr_scheduler


BAD = [
    lambda L: L.optim.Rprop([_w(L)], etas=(1.5, 2.0)),
    lambda L: L.optim.Rprop([_w(L)], lr=-1),
    lambda L: L.optim.ASGD([_w(L)], weight_decay=-1),
    lambda L: L.optim.ASGD([_w(L)], lr=-0.1),
    lambda L: L.optim.Adafactor([_w(L)], d=0.5),
    lambda L: L.optim.Adafactor([_w(L)], beta2_decay=0.5),
    lambda L: L.optim.Adafactor([_w(L)], eps=(-1, 1e-3)),
    lambda L: L.optim.Adafactor([_w(L)], eps=(None, -1e-3)),
    lambda L: L.optim.Adafactor([_w(L)], lr=-1),
    lambda L: L.optim.Adafactor([_w(L)], weight_decay=-1),
    lambda L: L.optim.SparseAdam([_w(L)], lr=0),
    lambda L: L.optim.SparseAdam([_w(L)], eps=0),
    lambda L: L.optim.SparseAdam([_w(L)], betas=(0.9, 1.0)),
    lambda L: L.optim.Adam([_w(L)], betas=(0, 0.9)),
    lambda L: L.optim.Adam([_w(L)], betas=(1.0, 0.9)),
    lambda L: L.optim.Adam([_w(L)], lr=-1, betas=(0, 0.9)),
    lambda L: L.optim.Adam([_w(L)], lr=L.tensor([0.1, 0.2])),
    lambda L: L.optim.Adam([_w(L)], lr=L.tensor(0.1), foreach=True),
    lambda L: L.optim.Adam([_w(L)], betas=(L.tensor(0.9), L.tensor([0.9, 0.99]))),
    lambda L: L.optim.AdamW([_w(L)], eps=-1),
    lambda L: L.optim.NAdam([_w(L)], momentum_decay=-1),
    lambda L: L.optim.RAdam([_w(L)], betas=(0.9, -0.1)),
    lambda L: L.optim.Adamax([_w(L)], weight_decay=-1),
    lambda L: L.optim.Adadelta([_w(L)], rho=1.5),
    lambda L: L.optim.RMSprop([_w(L)], alpha=-1),
    lambda L: L.optim.SGD([_w(L)], weight_decay=-1),
    lambda L: L.optim.SGD([_w(L)], lr=L.tensor([0.1, 0.2])),
    lambda L: L.optim.Adagrad([_w(L)], lr_decay=-1),
    lambda L: L.optim.LBFGS([_w(L)], lr=-1),
    lambda L: L.optim.SGD([_w(L)]).add_param_group([_w(L)]),
    lambda L: L.optim.SGD([_w(L), 3]),
    lambda L: L.optim.SGD([("a", _w(L)), _w(L)]),
    lambda L: L.optim.SGD([("a", _w(L))]).add_param_group({"params": [_w(L)]}),
    lambda L: _sched(L).CyclicLR(L.optim.SGD([_w(L)], momentum=0.9), 0.1, 1.0, mode="x"),
    lambda L: _sched(L).CyclicLR(L.optim.Adagrad([_w(L)]), 0.1, 1.0),
    lambda L: _sched(L).CyclicLR(L.optim.SGD([_w(L)], momentum=0.9), [0.1, 0.2], 1.0),
    lambda L: _sched(L).CyclicLR(object(), 0.1, 1.0),
    lambda L: _sched(L).CosineAnnealingWarmRestarts(L.optim.SGD([_w(L)]), 3, eta_min="a"),
    lambda L: _sched(L).CosineAnnealingWarmRestarts(L.optim.SGD([_w(L)]), 0),
    lambda L: _sched(L).CosineAnnealingWarmRestarts(L.optim.SGD([_w(L)]), 3, T_mult=0),
    lambda L: _sched(L).MultiplicativeLR(L.optim.SGD([_w(L)]), 3),
    lambda L: _sched(L).LambdaLR(L.optim.SGD([_w(L)]), [lambda e: 1, lambda e: 1]),
    lambda L: _sched(L).OneCycleLR(L.optim.SGD([_w(L)]), 1.0, total_steps=10, pct_start=2.0),
    lambda L: _sched(L).OneCycleLR(L.optim.SGD([_w(L)]), [1.0, 2.0], total_steps=10),
    lambda L: _sched(L).OneCycleLR(L.optim.SGD([_w(L)]), 1.0),
    lambda L: _sched(L).ReduceLROnPlateau(L.optim.SGD([_w(L)]), factor=1.0),
    lambda L: _sched(L).ReduceLROnPlateau(L.optim.SGD([_w(L)]), min_lr=[0, 0]),
    lambda L: _sched(L).SequentialLR(L.optim.SGD([_w(L)]), [], []),
    lambda L: (lambda o: _sched(L).SequentialLR(o, [_sched(L).ReduceLROnPlateau(o)], []))(
        L.optim.SGD([_w(L)])
    ),
    lambda L: (lambda o: _sched(L).SequentialLR(o, [_sched(L).StepLR(o, 2)], [3]))(
        L.optim.SGD([_w(L)])
    ),
    lambda L: _sched(L).ChainedScheduler([]),
    lambda L: _sched(L).StepLR(L.optim.SGD([_w(L)]), 2, last_epoch=4),
    lambda L: L.optim.swa_utils.SWALR(L.optim.SGD([_w(L)]), 0.1, anneal_strategy="x"),
    lambda L: L.optim.swa_utils.SWALR(L.optim.SGD([_w(L)]), 0.1, anneal_epochs=-1),
    lambda L: L.optim.swa_utils.get_ema_avg_fn(1.5),
    lambda L: L.optim.swa_utils.get_ema_multi_avg_fn(-0.5),
    lambda L: L.optim.swa_utils.AveragedModel(
        L.nn.Linear(1, 1), avg_fn=lambda *a: 0, multi_avg_fn=lambda *a: 0
    ),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_arguments_raise_pytorchs_errors(i):
    errors = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            BAD[i](lib)
        errors.append(info.value)
    t, e = errors
    assert type(e) is type(t)
    assert str(e).split("\n")[0] == str(t).split("\n")[0]


def test_step_hooks_run_in_pytorchs_order_and_can_change_arguments():
    logs = [_step_hook_run(lib) for lib in (ember, torch)]
    assert logs[0] == logs[1]
    assert logs[0][0][:4] == ["global pre", "pre", "closure", ("post", 1, ["closure"])]


def _step_hook_run(lib):
    log = []
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.5)
    g = importlib.import_module(lib.__name__ + ".optim.optimizer")
    handles = [
        g.register_optimizer_step_pre_hook(lambda o, a, k: log.append("global pre")),
        g.register_optimizer_step_post_hook(lambda o, a, k: log.append("global post")),
    ]
    opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a), sorted(k))))

    def closure(opt=opt, w=w, log=log):
        log.append("closure")
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    def swap_closure(o, args, kwargs):
        return (o,), {"closure": closure}

    h = opt.register_step_pre_hook(swap_closure)
    loss = opt.step()
    h.remove()
    for handle in handles:
        handle.remove()
    opt.step()

    def bad(o, a, k):
        return 5

    opt.register_step_pre_hook(bad)
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        opt.step()
    return log, loss.item(), w.tolist()


def test_state_dict_hooks_as_pytorch():
    logs = [_state_dict_hook_run(lib) for lib in (ember, torch)]
    assert logs[0] == logs[1]
    assert logs[0][:4] == ["pre first", "pre", "post", ["extra", "param_groups", "state"]]


def _state_dict_hook_run(lib):
    log = []
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.Adam([w], lr=0.1)
    opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre first"), prepend=True)

    def post(o, sd):
        log.append("post")
        sd["extra"] = 1
        return sd

    opt.register_state_dict_post_hook(post)
    sd = opt.state_dict()
    log.append(sorted(sd))

    def load_pre(o, sd):
        log.append("load pre")
        sd = dict(sd)
        sd["param_groups"] = [dict(sd["param_groups"][0], lr=0.25)]
        return sd

    opt2 = lib.optim.Adam([lib.tensor([1.0, 2.0], requires_grad=True)])
    opt2.register_load_state_dict_pre_hook(load_pre)
    h = opt2.register_load_state_dict_post_hook(lambda o: log.append("load post"))
    opt2.load_state_dict(sd)
    h.remove()
    opt2.load_state_dict(sd)
    log.append(opt2.param_groups[0]["lr"])
    return log


def test_add_param_group_joins_the_step_and_the_schedule():
    results = []
    for lib in (ember, torch):
        a, b = lib.tensor([1.0, -1.0], requires_grad=True), lib.tensor([2.0], requires_grad=True)
        opt = lib.optim.Adam([a], lr=0.1, betas=(0.8, 0.9))
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        out = []
        for i in range(6):
            if i == 2:
                opt.add_param_group({"params": [b], "lr": 0.2, "initial_lr": 0.2})
                sched.base_lrs.append(0.2)
            opt.zero_grad()
            ((a**2).sum() + (b**4).sum()).backward()
            opt.step()
            sched.step()
            out.append([a.tolist(), b.tolist(), [g["lr"] for g in opt.param_groups]])
        assert opt.param_groups[1]["betas"] == (0.8, 0.9)  # defaults fill the new group
        results.append(out)
    np.testing.assert_allclose(
        [r[0] + r[1] for r in results[0]], [r[0] + r[1] for r in results[1]], rtol=1e-6
    )
    assert [r[2] for r in results[0]] == [r[2] for r in results[1]]


def test_named_parameters_are_kept_in_groups_and_state_dicts():
    sds = []
    for lib in (ember, torch):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
        model(lib.ones(1, 2)).sum().backward()
        opt.step()
        sd = opt.state_dict()
        sds.append((sd["param_groups"], sorted(sd["state"]), sorted(sd["state"][0])))
    assert sds[0] == sds[1]
    assert sds[0][0][0]["param_names"] == ["weight", "bias"]


def test_tensor_learning_rate_as_pytorch():
    out = []
    for lib in (ember, torch):
        w = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.Adam([w], lr=lib.tensor(0.1))
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        for _ in range(4):
            opt.zero_grad()
            (w**2).sum().backward()
            opt.step()
            sched.step()
        lr = opt.param_groups[0]["lr"]
        assert isinstance(lr, lib.Tensor)  # updated in place, still a tensor
        out.append((w.tolist(), float(lr), [float(x) for x in sched.get_last_lr()]))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    assert out[0][1:] == out[1][1:]


def test_sparse_adam_refuses_dense_gradients_as_pytorch():
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SparseAdam([w], lr=0.1)
        opt.step()  # no gradient yet: nothing happens
        w.grad = lib.ones(3)
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
            opt.step()
        assert w.tolist() == [1.0, 1.0, 1.0] and len(opt.state_dict()["state"]) == 0
        with pytest.raises(ValueError, match="SparseAdam does not support complex parameters"):
            lib.optim.SparseAdam([lib.zeros(2, dtype=lib.complex64, requires_grad=True)])


def test_adafactor_refuses_complex_parameters_as_pytorch():
    for lib in (ember, torch):
        w = lib.zeros(2, dtype=lib.complex64, requires_grad=True)
        opt = lib.optim.Adafactor([w])
        w.grad = lib.ones(2, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
            opt.step()


def test_get_lr_outside_step_warns_as_pytorch():
    for lib in (ember, torch):
        opt = lib.optim.SGD([_w(lib)], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
