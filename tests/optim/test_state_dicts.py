"""``state_dict``/``load_state_dict`` round trips: a run interrupted, saved and resumed equals
the uninterrupted one, for every optimizer and scheduler; PyTorch's saved state resumes the
same way in Ember."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import ember

from .test_lr_scheduler import SCHEDS, _opt, els, tls
from .test_optimizers import CASES, LBFGS_CASES, V0, W0, _closure, loss_fn

torch = pytest.importorskip("torch")


def _params(lib, values):
    return [lib.tensor(np.array(v), requires_grad=True) for v in values]


def _make_opt(lib, name, kw, ps):
    kw = dict(kw)
    if kw.pop("two_groups", False):
        ps = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": kw.get("lr", 0.01) / 2}]
    return getattr(lib.optim, name)(ps, **kw)


def _steps(lib, opt, ps, n, sign):
    out = []
    for _ in range(n):
        opt.zero_grad()
        (sign * loss_fn(lib, *ps)).backward()
        opt.step()
        out.append(np.concatenate([p.detach().numpy().ravel() for p in ps]))
    return out


def _unique(cases):
    seen, out = set(), []
    for name, kw in cases:
        if name not in seen or len(out) < 12:
            seen.add(name)
            out.append((name, kw))
    return out


OPT_CASES = _unique(CASES)


@pytest.mark.parametrize(
    "name, kw", OPT_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPT_CASES)]
)
def test_optimizer_resumes_from_its_state_dict(name, kw):
    sign = -1 if kw.get("maximize") else 1
    ps = _params(ember, [W0, V0])
    opt = _make_opt(ember, name, kw, ps)
    whole = _steps(ember, opt, ps, 50, sign)

    ps = _params(ember, [W0, V0])
    opt = _make_opt(ember, name, kw, ps)
    first = _steps(ember, opt, ps, 25, sign)
    saved = copy.deepcopy(opt.state_dict())  # as a checkpoint file would hold it
    ps2 = _params(ember, [p.detach().numpy() for p in ps])
    opt2 = _make_opt(ember, name, dict(kw, lr=0.2), ps2)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    rest = _steps(ember, opt2, ps2, 25, sign)
    np.testing.assert_allclose(first + rest, whole, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kw", LBFGS_CASES[:2])
def test_lbfgs_resumes_from_its_state_dict(kw):
    def run(values, steps, sd=None):
        ps = _params(ember, values)
        opt = ember.optim.LBFGS(ps, **kw)
        if sd is not None:
            opt.load_state_dict(sd)
        losses = [opt.step(_closure(opt, ember, *ps)).item() for _ in range(steps)]
        return ps, opt, losses

    _, _, whole = run([W0, V0], 6)
    ps, opt, first = run([W0, V0], 3)
    saved = copy.deepcopy(opt.state_dict())
    assert {"d", "old_dirs", "H_diag", "prev_flat_grad"} <= set(saved["state"][0])
    _, _, rest = run([p.detach().numpy() for p in ps], 3, saved)
    np.testing.assert_allclose(first + rest, whole, rtol=1e-13)


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(v) for v in obj)
    return obj


@pytest.mark.parametrize("name, kw", OPT_CASES[:6] + OPT_CASES[-6:])
def test_pytorch_state_dict_resumes_in_ember(name, kw):
    """PyTorch's saved optimizer state (tensors converted) resumes in Ember as in PyTorch."""
    sign = -1 if kw.get("maximize") else 1
    tp = _params(torch, [W0, V0])
    topt = _make_opt(torch, name, kw, tp)
    _steps(torch, topt, tp, 20, sign)
    saved = topt.state_dict()
    ep = _params(ember, [p.detach().numpy() for p in tp])
    eopt = _make_opt(ember, name, kw, ep)
    eopt.load_state_dict(_to_ember(saved))
    tp = _params(torch, [p.detach().numpy() for p in tp])
    topt = _make_opt(torch, name, kw, tp)
    topt.load_state_dict(copy.deepcopy(saved))
    want = _steps(torch, topt, tp, 20, sign)
    got = _steps(ember, eopt, ep, 20, sign)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_load_state_dict_casts_state_to_the_parameter_dtype_as_pytorch():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([p])
        p.grad = lib.ones(2)
        opt.step()
        q = lib.ones(2, dtype=lib.float64, requires_grad=True)
        opt2 = lib.optim.Adam([q], fused=True)
        opt2.load_state_dict(opt.state_dict())
        assert opt2.state[q]["exp_avg"].dtype == lib.float64
        assert opt2.state[q]["step"].dtype == lib.float32


def test_state_dict_errors_as_pytorch():
    for lib in (ember, torch):
        p, q = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        sd = lib.optim.SGD([p, q], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            lib.optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).load_state_dict(sd)
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            lib.optim.SGD([p], lr=0.1).load_state_dict(sd)


def _sched_run(lib, make, steps, sd=None):
    mod = els if lib is ember else tls
    opt = _opt(lib, momentum=0.9)
    sched = make(mod, opt)
    if sd is not None:
        opt.load_state_dict(sd[0])
        sched.load_state_dict(sd[1])
    lrs = []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(
            [g["lr"] for g in opt.param_groups] + [g.get("momentum", 0) for g in opt.param_groups]
        )
    return lrs, (copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())), sched


@pytest.mark.parametrize("name, make", SCHEDS, ids=[s[0] for s in SCHEDS])
def test_scheduler_resumes_from_its_state_dict(name, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole, _, _ = _sched_run(ember, make, 50)
        first, sd, sched = _sched_run(ember, make, 20)
        _, tsd, _ = _sched_run(torch, make, 20)
        assert sorted(sd[1]) == sorted(tsd[1])  # the same keys as PyTorch saves
        rest, _, resumed = _sched_run(ember, make, 30, sd)
    np.testing.assert_allclose(first + rest, whole, rtol=1e-14)
    assert getattr(resumed, "last_epoch", 50) == 50


def test_reduce_on_plateau_resumes_from_its_state_dict():
    metric = [1.0, 0.9, 0.95, 0.97, 0.96, 0.99, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    opt = _opt(ember)
    sched = els.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for m in metric[:6]:
        sched.step(m)
    sd = copy.deepcopy(sched.state_dict())
    opt2 = _opt(ember)
    opt2.load_state_dict(opt.state_dict())
    sched2 = els.ReduceLROnPlateau(opt2, patience=7, mode="max")
    sched2.load_state_dict(sd)
    for m in metric[6:]:
        sched.step(m)
        sched2.step(m)
    assert sched2.get_last_lr() == sched.get_last_lr() and sched2.mode == "min"
    assert sched2.get_last_lr()[0] < 0.1


class _Halving:
    """A callable object: its attributes are saved with the scheduler, as in PyTorch."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base**epoch


def test_lambda_objects_keep_their_attributes():
    for lib, mod in ((ember, els), (torch, tls)):
        opt = _opt(lib)
        sched = mod.LambdaLR(opt, [_Halving(0.5), lambda e: 1.0])
        sd = sched.state_dict()
        assert sd["lr_lambdas"] == [{"base": 0.5}, None]
        fn = _Halving(0.9)
        sched2 = mod.LambdaLR(_opt(lib), [fn, lambda e: 1.0])
        sched2.load_state_dict(sd)
        assert fn.base == 0.5
