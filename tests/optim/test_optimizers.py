"""Optimizer trajectories equal PyTorch's over 50 steps, for every optimizer and option."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim

torch = pytest.importorskip("torch")

R = np.random.default_rng(0)
A = R.standard_normal((4, 3))
B = R.standard_normal((4, 2))
W0 = R.standard_normal((3, 2))
V0 = R.standard_normal(2)


def loss_fn(lib, w, v):
    a, b = lib.tensor(A).to(w.dtype), lib.tensor(B).to(w.dtype)
    r = a @ w + v - b
    return (r * r).sum() + (w**4).sum() * 0.1 + (v * v * v).sum() * 0.05


def run(lib, opt_name, kw, steps=50, dtype="float64"):
    mod = optim if lib is ember else torch.optim
    w = lib.tensor(W0.astype(dtype), requires_grad=True)
    v = lib.tensor(V0.astype(dtype), requires_grad=True)
    opt = getattr(mod, opt_name)(
        [{"params": [w]}, {"params": [v], "lr": kw.get("lr", 0.01) / 2}]
        if "two_groups" in kw
        else [w, v],
        **{k: x for k, x in kw.items() if k != "two_groups"},
    )
    traj = []
    sign = -1 if kw.get("maximize") else 1  # maximizing -f minimizes f, which is bounded
    for _ in range(steps):
        opt.zero_grad()
        loss = sign * loss_fn(lib, w, v)
        loss.backward()
        opt.step()
        traj.append(np.concatenate([w.detach().numpy().ravel(), v.detach().numpy().ravel()]))
    return np.array(traj), opt


CASES = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.01, maximize=True)),
    ("SGD", dict(lr=0.02, momentum=0.5, two_groups=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, two_groups=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.95))),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.9))),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.6), foreach=True, fused=False)),
    ("Adagrad", dict(lr=0.1, maximize=True, fused=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.5), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=10, weight_decay=0.1, two_groups=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, eps=(1e-20, 1e-2), d=1.5, weight_decay=0.1, maximize=True)),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, two_groups=True)),
]


@pytest.mark.parametrize("name, kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_pytorch(name, kw):
    e, eo = run(ember, name, kw)
    t, to = run(torch, name, kw)
    assert np.isfinite(t).all() and np.abs(t[-1] - t[0]).max() > 1e-3  # it moved, and stayed finite
    np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
    es, ts = eo.state_dict(), to.state_dict()
    assert [sorted(g) for g in es["param_groups"]] == [sorted(g) for g in ts["param_groups"]]
    assert sorted(es["state"]) == sorted(ts["state"])
    for k in ts["state"]:
        assert sorted(es["state"][k]) == sorted(ts["state"][k])
        for name_, val in ts["state"][k].items():
            np.testing.assert_allclose(
                np.asarray(es["state"][k][name_].numpy()), val.numpy(), rtol=1e-10, atol=1e-12
            )


@pytest.mark.parametrize("name, kw", [CASES[1], CASES[6], CASES[14], CASES[30], CASES[32]])
def test_float32_trajectory(name, kw):
    e, _ = run(ember, name, kw, steps=10, dtype="float32")
    t, _ = run(torch, name, kw, steps=10, dtype="float32")
    assert e.dtype == np.float32
    np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


def test_sgd_spec_rule_38_numbers():
    p = ember.tensor(1.0, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    got = []
    for _ in range(2):
        p.grad = ember.tensor(1.0)
        opt.step()
        got.append(round(p.item(), 6))
    assert got == [0.89, 0.6821]


def test_adam_first_step_moves_by_lr():
    p = ember.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = ember.tensor([3.0, -0.001])
    opt.step()
    np.testing.assert_allclose(p.numpy(force=True), [0.9, -1.9], rtol=1e-4)


def test_seed_10_minimising_a_quadratic():
    x = ember.tensor(0.0, requires_grad=True)
    opt = optim.SGD(params=[x], lr=0.01)
    a, b, c = ember.tensor(1.0), ember.tensor(-2.0), ember.tensor(1.0)
    for _ in range(500):
        opt.zero_grad()
        y = a * ember.pow(x, 2) + b * x + c
        y.backward()
        opt.step()
    assert repr((a * x**2 + b * x + c).data) == "tensor(0.)"
    assert repr(x.data) == "tensor(1.0000)"


def test_none_grads_are_skipped_zero_grads_are_stepped():
    # SPEC rule 13.
    p, q = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1, weight_decay=0.5)
    p.grad = ember.zeros(2)
    v = q._version
    opt.step()
    np.testing.assert_allclose(p.tolist(), [0.95, 0.95], rtol=1e-7)
    assert q.tolist() == [1.0, 1.0] and q._version == v
    opt.zero_grad()
    assert p.grad is None
    p.grad = ember.ones(2)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]


def test_state_dict_round_trip_continues_trajectory():
    ref, _ = run(ember, "Adam", dict(lr=0.01), steps=10)
    w = ember.tensor(W0, requires_grad=True)
    v = ember.tensor(V0, requires_grad=True)
    opt = optim.Adam([w, v], lr=0.01)
    for _ in range(5):
        opt.zero_grad()
        loss_fn(ember, w, v).backward()
        opt.step()
    sd = opt.state_dict()
    w2 = ember.tensor(w.detach().numpy().copy(), requires_grad=True)
    v2 = ember.tensor(v.detach().numpy().copy(), requires_grad=True)
    opt2 = optim.Adam([w2, v2], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.01 and opt2.param_groups[0]["params"][0] is w2
    for _ in range(5):
        opt2.zero_grad()
        loss_fn(ember, w2, v2).backward()
        opt2.step()
    np.testing.assert_allclose(w2.detach().numpy().ravel(), ref[-1][:6], rtol=1e-12)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([{"params": [w2]}, {"params": [v2]}]).load_state_dict(sd)


def test_param_groups_and_errors():
    lin = nn.Linear(2, 2)
    opt = optim.SGD([{"params": [lin.weight]}], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": lin.bias, "lr": 0.5})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [lin.bias]})
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be"):
        optim.SGD(lin.weight, lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([lin.weight * 2], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.Adam(lin.parameters(), lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero damp"):
        optim.SGD(lin.parameters(), lr=0.1, nesterov=True)


def test_closure_and_step_hooks():
    p = ember.tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0 and p.tolist() == [1.0] and calls == ["post"]


def test_training_a_model_matches_pytorch():
    from tests.nn._compare import copy_weights

    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, 16)

    def make(m):
        return m.Sequential(m.Linear(4, 8), m.Tanh(), m.Linear(8, 3))

    em, tm = make(nn).double(), make(torch.nn).double()
    copy_weights(em, tm)
    eo = optim.Adam(em.parameters(), lr=0.05)
    to = torch.optim.Adam(tm.parameters(), lr=0.05)
    el, tl = [], []
    for _ in range(20):
        eo.zero_grad()
        loss = nn.functional.cross_entropy(em(ember.tensor(x)), ember.tensor(y))
        loss.backward()
        eo.step()
        el.append(loss.item())
        to.zero_grad()
        loss = torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y))
        loss.backward()
        to.step()
        tl.append(loss.item())
    np.testing.assert_allclose(el, tl, rtol=1e-10)
    assert el[-1] < el[0]


def _closure(opt, lib, w, v):
    def closure():
        opt.zero_grad()
        loss = loss_fn(lib, w, v)
        loss.backward()
        return loss

    return closure


LBFGS_CASES = [
    dict(lr=0.5, max_iter=7, history_size=4),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", lr=0.8, max_iter=5, history_size=2),
    dict(line_search_fn="strong_wolfe", max_eval=6, tolerance_change=1e-12),
]


@pytest.mark.parametrize("kw", LBFGS_CASES)
def test_lbfgs_matches_pytorch(kw):
    out = {}
    for lib in (ember, torch):
        mod = optim if lib is ember else torch.optim
        w = lib.tensor(W0, requires_grad=True)
        v = lib.tensor(V0, requires_grad=True)
        opt = mod.LBFGS([w, v], **kw)
        losses = [opt.step(_closure(opt, lib, w, v)).item() for _ in range(6)]
        state = opt.state[w]
        out[lib.__name__] = (
            losses,
            w.detach().numpy().copy(),
            state["func_evals"],
            state["n_iter"],
        )
        assert sorted(state) == sorted(out.get("keys", state))
        out["keys"] = list(state)
    e, t = out["ember"], out["torch"]
    np.testing.assert_allclose(e[0], t[0], rtol=1e-9)
    np.testing.assert_allclose(e[1], t[1], rtol=1e-9, atol=1e-12)
    assert e[2:] == t[2:]  # the same number of evaluations and iterations
    assert t[0][-1] < t[0][0]


def test_lbfgs_errors_as_pytorch():
    for lib in (ember, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
            lib.optim.LBFGS([w]).step()
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [w]}, {"params": [lib.ones(1, requires_grad=True)]}])
        opt = lib.optim.LBFGS([w], line_search_fn="backtracking")

        def closure(opt=opt, w=w):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)


def test_sgd_update_of_a_large_weight_matches_the_plain_formula():
    """The blockwise in-place update (no weight-sized temporary) gives p - lr * g exactly."""
    import numpy as np

    import ember

    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((300, 700)).astype(np.float32)  # > one block
    g = rng.standard_normal((300, 700)).astype(np.float32)
    p = ember.nn.Parameter(ember.tensor(w0.copy()))
    p.grad = ember.tensor(g)
    ember.optim.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(p.detach().numpy(), w0 + np.float32(-0.1) * g)
