"""Learning-rate schedules equal PyTorch's, step by step."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.optim as optim
from ember.optim import lr_scheduler as els

torch = pytest.importorskip("torch")
tls = torch.optim.lr_scheduler


def _opt(lib, name="SGD", **kw):
    mod = optim if lib is ember else torch.optim
    p = lib.zeros(2, requires_grad=True)
    q = lib.zeros(1, requires_grad=True)
    kw.setdefault("lr", 0.1)
    return getattr(mod, name)([{"params": [p]}, {"params": [q], "lr": 0.05}], **kw)


def _lrs(lib, make, steps=50, name="SGD", metric=None, **okw):
    opt = _opt(lib, name, **okw)
    sched = make(els if lib is ember else tls, opt)
    out = [list(sched.get_last_lr())]
    moms = []
    for i in range(steps):
        opt.step()
        if metric is not None:
            sched.step(metric[i])
        else:
            sched.step()
        out.append([g["lr"] for g in opt.param_groups])
        g = opt.param_groups[0]
        moms.append(g.get("momentum", g.get("betas", (None,))[0]))
    return np.array(out, dtype=float), moms


SCHEDS = [
    ("StepLR", lambda m, o: m.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    ("LambdaLR", lambda m, o: m.LambdaLR(o, lambda e: 0.95**e)),
    ("LambdaLR_list", lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9**e])),
    ("MultiplicativeLR", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97)),
    ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=6)),
    ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4)),
    ("PolynomialLR", lambda m, o: m.PolynomialLR(o, total_iters=10, power=2.0)),
    (
        "CosineWarmRestarts",
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01),
    ),
    ("CosineWarmRestarts_Tmult1", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7)),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=60)),
    (
        "OneCycleLR_3phase_linear",
        lambda m, o: m.OneCycleLR(
            o,
            max_lr=[1.0, 0.5],
            epochs=5,
            steps_per_epoch=10,
            three_phase=True,
            anneal_strategy="linear",
        ),
    ),
    (
        "SequentialLR",
        lambda m, o: m.SequentialLR(
            o,
            [
                m.LinearLR(o, start_factor=0.1, total_iters=4),
                m.ExponentialLR(o, gamma=0.9),
                m.StepLR(o, 3),
            ],
            milestones=[5, 12],
        ),
    ),
    ("CyclicLR", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)),
    (
        "CyclicLR_triangular2",
        lambda m, o: m.CyclicLR(
            o,
            base_lr=[0.01, 0.02],
            max_lr=0.1,
            step_size_up=3,
            step_size_down=5,
            mode="triangular2",
            base_momentum=0.7,
            max_momentum=0.95,
        ),
    ),
    (
        "CyclicLR_exp_range",
        lambda m, o: m.CyclicLR(
            o,
            base_lr=0.01,
            max_lr=0.1,
            step_size_up=5,
            mode="exp_range",
            gamma=0.97,
            cycle_momentum=False,
        ),
    ),
    (
        "CyclicLR_scale_fn",
        lambda m, o: m.CyclicLR(
            o,
            0.01,
            0.1,
            step_size_up=3,
            scale_fn=lambda x: 0.5 + 0.5 / (x + 1),
            scale_mode="iterations",
        ),
    ),
    ("SWALR", lambda m, o: swa(m).SWALR(o, swa_lr=0.02, anneal_epochs=5)),
    (
        "SWALR_linear_after_cosine",
        lambda m, o: m.SequentialLR(
            o,
            [m.CosineAnnealingLR(o, T_max=10), swa(m).SWALR(o, 0.01, 4, "linear")],
            milestones=[10],
        ),
    ),
    (
        "SequentialLR_nested",
        lambda m, o: m.SequentialLR(
            o,
            [
                m.ChainedScheduler([m.ExponentialLR(o, 0.9), m.MultiStepLR(o, [3, 5])]),
                m.ConstantLR(o, factor=0.5, total_iters=3),
            ],
            milestones=[6],
        ),
    ),
    (
        "ChainedScheduler",
        lambda m, o: m.ChainedScheduler(
            [m.ConstantLR(o, factor=0.5, total_iters=3), m.ExponentialLR(o, gamma=0.9)]
        ),
    ),
]


def swa(m):
    """The swa_utils module beside the lr_scheduler module ``m``."""
    return ember.optim.swa_utils if m is els else torch.optim.swa_utils


CYCLING = ("OneCycle", "CyclicLR")


@pytest.mark.parametrize("name, make", SCHEDS, ids=[s[0] for s in SCHEDS])
def test_schedule_matches_pytorch(name, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = {"momentum": 0.9} if name.startswith(CYCLING) else {}
        e, em = _lrs(ember, make, **kw)
        t, tm = _lrs(torch, make, **kw)
    np.testing.assert_allclose(e, t, rtol=1e-13, atol=1e-15)
    assert len(set(t[:, 0])) > 1  # the schedule changes the rate
    if name.startswith(CYCLING):
        np.testing.assert_allclose(np.array(em, float), np.array(tm, float), rtol=1e-13)


def test_one_cycle_with_adam_cycles_beta1():
    make = SCHEDS[11][1]
    e, em = _lrs(ember, make, name="Adam")
    t, tm = _lrs(torch, make, name="Adam")
    np.testing.assert_allclose(e, t, rtol=1e-13)
    np.testing.assert_allclose(em, tm, rtol=1e-13)


def test_reduce_on_plateau_matches_pytorch():
    head = [1.0, 0.9, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]
    # 50 epochs: the head, then a noisy decline with plateaus
    metric = head + [0.8 - 0.01 * i + 0.05 * ((i * 7) % 5 == 0) for i in range(35)]
    for kw in (
        {"patience": 2},
        {
            "mode": "max",
            "factor": 0.5,
            "patience": 1,
            "cooldown": 2,
            "threshold_mode": "abs",
            "min_lr": 0.02,
        },
    ):

        def make(m, o, kw=kw):
            return m.ReduceLROnPlateau(o, **kw)

        e, _ = _lrs(ember, make, len(metric), metric=metric)
        t, _ = _lrs(torch, make, len(metric), metric=metric)
        np.testing.assert_allclose(e, t, rtol=1e-13)
        assert e[-1][0] < e[0][0]


def test_step_before_optimizer_step_warns_spec_rule_38():
    opt = _opt(ember)
    sched = els.StepLR(opt, 2)
    with pytest.warns(
        UserWarning,
        match=r"Detected call of `lr_scheduler.step\(\)` before "
        r"`optimizer.step\(\)`",
    ):
        sched.step()
    opt2 = _opt(ember)
    sched2 = els.StepLR(opt2, 2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_closed_form_and_state_dict():
    opt = _opt(ember)
    s = els.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        s.step(5)
    assert s.get_last_lr() == [0.025, 0.0125]
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 5
    s2 = els.StepLR(_opt(ember), step_size=9)
    s2.load_state_dict(sd)
    assert s2.step_size == 2 and s2.last_epoch == 5
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified"):
        els.StepLR(_opt(ember), 2, last_epoch=3)
