"""``ember.amp.GradScaler`` follows PyTorch's CPU GradScaler step by step."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same


def _model_and_optimizer(lib, weight, bias):
    model = lib.nn.Linear(3, 1)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weight))
        model.bias.copy_(lib.tensor(bias))
    return model, lib.optim.SGD(model.parameters(), lr=0.1)


def _train(lib, steps, bad_steps, **scaler_kwargs):
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((1, 3)).astype(np.float32)
    bias = rng.standard_normal(1).astype(np.float32)
    model, opt = _model_and_optimizer(lib, weight, bias)
    scaler = lib.amp.GradScaler("cpu", **scaler_kwargs)
    history = []
    for i in range(steps):
        x = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32))
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        if i in bad_steps:
            loss = loss * float("inf")
        scaled = scaler.scale(loss)
        scaled.backward()
        scaler.step(opt)
        scaler.update()
        history.append(
            (
                float(scaled.item()),
                scaler.get_scale(),
                scaler._get_growth_tracker(),
                model.weight.detach().numpy().copy(),
            )
        )
    return history, scaler.state_dict()


@pytest.mark.parametrize("bad_steps", [(), (1,), (0, 3)])
def test_trajectory_matches_torch(bad_steps):
    kwargs = {"init_scale": 2.0**10, "growth_interval": 2}
    e_hist, e_state = _train(ember, 6, bad_steps, **kwargs)
    t_hist, t_state = _train(torch, 6, bad_steps, **kwargs)
    assert e_state == t_state
    for (es, escale, etrack, ew), (ts, tscale, ttrack, tw) in zip(e_hist, t_hist):
        assert (escale, etrack) == (tscale, ttrack)
        if np.isfinite(ts):
            np.testing.assert_allclose(es, ts, rtol=1e-5)
        np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-6)


def test_unscale_then_clip():
    results = []
    for lib in (ember, torch):
        model, opt = _model_and_optimizer(lib, [[1.0, 2.0, 3.0]], [0.5])
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0)
        scaler.scale(model(lib.ones(2, 3)).sum()).backward()
        scaler.unscale_(opt)
        results.append(model.weight.grad.numpy().copy())
    np.testing.assert_allclose(results[0], results[1])


def _fresh(lib, **kw):
    model, opt = _model_and_optimizer(lib, [[1.0, 2.0, 3.0]], [0.5])
    return model, opt, lib.amp.GradScaler("cpu", **kw)


@pytest.mark.parametrize(
    "scenario",
    [
        "step_without_scale",
        "update_before_scale",
        "step_twice",
        "unscale_twice",
        "unscale_after_step",
        "closure",
        "no_grads",
        "scale_int",
        "bad_growth",
        "bad_backoff",
        "load_empty",
        "load_partial",
        "new_scale_float",
        "new_scale_tensor",
        "new_scale_bad_shape",
    ],
)
def test_errors_and_edges(scenario):
    def run(lib):
        def go():
            if scenario == "bad_growth":
                return lib.amp.GradScaler("cpu", growth_factor=0.5)
            if scenario == "bad_backoff":
                return lib.amp.GradScaler("cpu", backoff_factor=1.5)
            model, opt, s = _fresh(lib)
            if scenario == "step_without_scale":
                return s.step(opt)
            if scenario == "update_before_scale":
                return s.update()
            if scenario == "scale_int":
                return s.scale(3)
            if scenario == "load_empty":
                return s.load_state_dict({})
            if scenario == "load_partial":
                return s.load_state_dict({"scale": 1.0})
            loss = s.scale(model(lib.ones(1, 3)).sum())
            if scenario == "no_grads":
                return s.step(opt)
            loss.backward()
            if scenario == "closure":
                return s.step(opt, closure=lambda: 0)
            if scenario == "unscale_twice":
                s.unscale_(opt)
                return s.unscale_(opt)
            if scenario == "unscale_after_step":
                s.step(opt)
                return s.unscale_(opt)
            if scenario == "step_twice":
                s.step(opt)
                return s.step(opt)
            s.step(opt)
            new = {
                "new_scale_float": 4.0,
                "new_scale_tensor": lib.tensor(8.0),
                "new_scale_bad_shape": lib.tensor([8.0, 1.0]),
            }[scenario]
            s.update(new)
            return s.get_scale()

        return go

    same(run(ember), run(torch), convert=lambda v: v if isinstance(v, float) else type(v).__name__)


def test_scale_containers():
    for lib in (ember, torch):
        s = lib.amp.GradScaler("cpu", init_scale=4.0)
        a, b = lib.tensor(1.0), lib.tensor(2.0)
        assert [t.item() for t in s.scale([a, b])] == [4.0, 8.0]
        out = s.scale((a, [b]))
        assert isinstance(out, tuple) and out[1][0].item() == 8.0
        assert [t.item() for t in s.scale(iter([a]))] == [4.0]


def test_disabled_scaler_is_transparent():
    def run(lib):
        def go():
            model, opt = _model_and_optimizer(lib, [[1.0, 2.0, 3.0]], [0.5])
            s = lib.amp.GradScaler("cpu", enabled=False)
            loss = model(lib.ones(1, 3)).sum()
            assert s.scale(loss) is loss
            loss.backward()
            s.unscale_(opt)
            s.step(opt)
            s.update()
            return s.get_scale(), s.state_dict(), s.is_enabled(), model.weight.detach().tolist()

        return go

    same(run(ember), run(torch))


def test_default_device_is_cuda_and_disables_itself():
    same(lambda: ember.amp.GradScaler().is_enabled(), lambda: torch.amp.GradScaler().is_enabled())
    same(
        lambda: ember.cpu.amp.GradScaler().is_enabled(),
        lambda: torch.cpu.amp.GradScaler().is_enabled(),
    )


def test_state_dict_round_trip():
    def run(lib):
        def go():
            s = lib.amp.GradScaler("cpu")
            state = {
                "scale": 8.0,
                "growth_factor": 3.0,
                "backoff_factor": 0.25,
                "growth_interval": 5,
                "_growth_tracker": 2,
            }
            s.load_state_dict(state)
            return s.state_dict(), s.get_growth_factor(), s.get_backoff_factor()

        return go

    same(run(ember), run(torch))
