"""State dicts of the schedulers that hold functions or other schedulers, as PyTorch's."""

from __future__ import annotations

import pytest

import ember
import ember.optim as optim

torch = pytest.importorskip("torch")


class _Halving:
    """A callable object: its attributes go into the state dict."""

    def __init__(self):
        self.rate = 0.5

    def __call__(self, epoch):
        return self.rate**epoch


def _opt(lib):
    mod = optim if lib is ember else torch.optim
    return mod.SGD([lib.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)


def _makers():
    return {
        "lambda": lambda m, o: m.LambdaLR(o, [_Halving()]),
        "multiplicative": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9),
        "sequential": lambda m, o: m.SequentialLR(
            o, [m.ConstantLR(o, factor=0.5, total_iters=2), m.ExponentialLR(o, 0.9)], [2]
        ),
        "chained": lambda m, o: m.ChainedScheduler([m.StepLR(o, 2), m.ExponentialLR(o, 0.9)]),
        "cyclic": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=_Halving()),
    }


def _plain(sd):
    """A state dict with only what both libraries write alike (no optimizers, no functions)."""
    if isinstance(sd, dict):
        return {k: _plain(v) for k, v in sd.items() if not k.startswith("_scale_fn_ref")}
    if isinstance(sd, list):
        return [_plain(v) for v in sd]
    return sd if isinstance(sd, (int, float, str, bool, type(None), tuple)) else type(sd).__name__


@pytest.mark.parametrize("kind", sorted(_makers()))
def test_state_dict_and_round_trip(kind):
    """Keys and values as PyTorch's after a few steps; loading restores them, dict kept whole."""
    make = _makers()[kind]
    states = []
    for lib, mod in ((ember, optim.lr_scheduler), (torch, torch.optim.lr_scheduler)):
        opt = _opt(lib)
        sched = make(mod, opt)
        for _ in range(3):
            opt.step()
            sched.step()
        states.append(sched.state_dict())
    got, want = states
    assert list(got) == list(want)
    assert _plain(got) == _plain(want)
    fresh_opt = _opt(ember)
    fresh = make(optim.lr_scheduler, fresh_opt)
    keys, expected = list(got), _plain(got)
    fresh.load_state_dict(got)
    if kind != "cyclic":  # PyTorch's CyclicLR takes its scale function's entry out of the dict
        assert list(got) == keys
    assert _plain(fresh.state_dict()) == expected
