"""Autocast state, nesting, decorators, warnings, and the CPU op lists, against PyTorch."""

import threading

import pytest
import torch

import ember
from ember.amp import policy

from ._oracle import same

needs_bf16 = pytest.mark.skipif(
    not hasattr(ember, "bfloat16"), reason="ember.bfloat16 lands with the dtype work"
)


def _state(lib, device="cpu"):
    return lib.is_autocast_enabled(device), repr(lib.get_autocast_dtype(device))


@pytest.mark.parametrize("device", ["cpu", "cuda", "mps", "xpu", "xla", "hpu", "hip", "foo", 5])
def test_queries(device):
    same(lambda: ember.is_autocast_enabled(device), lambda: torch.is_autocast_enabled(device))
    same(
        lambda: ember.amp.is_autocast_available(device),
        lambda: torch.amp.is_autocast_available(device),
    )
    if device not in ("cpu", "maia", "xla", "hpu"):  # bfloat16 defaults checked below
        same(lambda: ember.get_autocast_dtype(device), lambda: torch.get_autocast_dtype(device))


@needs_bf16
@pytest.mark.parametrize("device", ["cpu", "maia", "xla", "hpu"])
def test_bfloat16_defaults(device):
    same(lambda: ember.get_autocast_dtype(device), lambda: torch.get_autocast_dtype(device))

    def run(lib):
        def go():
            with lib.autocast(device):
                return _state(lib, device)

        return go

    assert same(run(ember), run(torch))[1] == "torch.bfloat16"


def test_legacy_queries():
    assert ember.is_autocast_enabled() is torch.is_autocast_enabled() is False
    same(lambda: ember.get_autocast_gpu_dtype(), lambda: torch.get_autocast_gpu_dtype())
    same(lambda: ember.is_autocast_cpu_enabled(), lambda: torch.is_autocast_cpu_enabled())
    same(lambda: ember.get_autocast_dtype(), lambda: torch.get_autocast_dtype())


def _region(lib, device, **kwargs):
    def go():
        with lib.autocast(device, **kwargs) as ac:
            assert isinstance(ac, lib.autocast)
            inside = lib.is_autocast_enabled(device.split(":")[0])
        return inside, lib.is_autocast_enabled(device.split(":")[0])

    return go


@pytest.mark.parametrize(
    "device,kwargs",
    [
        ("cpu", {"dtype": "float16"}),
        ("cpu", {"dtype": "float32"}),
        ("cpu", {"dtype": "float64"}),
        ("cpu", {"dtype": "int32"}),
        ("cpu", {"dtype": "float16", "enabled": False}),
        ("cpu", {"dtype": "float16", "cache_enabled": False}),
        ("cuda", {}),
        ("cuda", {"dtype": "float16"}),
        ("mps", {}),
        ("xpu", {}),
        ("cuda:0", {}),
        ("cpu:0", {"dtype": "float16"}),
        ("hip", {}),
        ("privateuseone", {}),
    ],
)
def test_regions_match(device, kwargs):
    def args(lib):
        out = dict(kwargs)
        if "dtype" in out:
            out["dtype"] = getattr(lib, out["dtype"])
        return out

    same(_region(ember, device, **args(ember)), _region(torch, device, **args(torch)))


@pytest.mark.parametrize("bad", [{"enabled": 1}, {"enabled": "x"}, {"dtype": "bfloat16"}])
def test_bad_arguments(bad):
    def run(lib):
        def go():
            with lib.autocast("cpu", **({"dtype": lib.float16} | bad)):
                pass

        return go

    same(run(ember), run(torch))


def test_device_type_must_be_a_string():
    same(lambda: ember.autocast(5), lambda: torch.autocast(5))
    same(lambda: ember.autocast(ember.device("cpu")), lambda: torch.autocast(torch.device("cpu")))
    same(lambda: ember.autocast(), lambda: torch.autocast())
    same(lambda: ember.autocast("foo"), lambda: torch.autocast("foo"))


def test_nesting_and_disabled_subregion():
    def run(lib):
        def go():
            seen = []
            with lib.autocast("cpu", dtype=lib.float16):
                seen.append(_state(lib))
                with lib.autocast("cpu", enabled=False):
                    seen.append(_state(lib))
                with lib.autocast("cpu", dtype=lib.float16, cache_enabled=False):
                    seen.append((_state(lib), lib.is_autocast_cache_enabled()))
                seen.append((_state(lib), lib.is_autocast_cache_enabled()))
            seen.append(lib.is_autocast_enabled("cpu"))
            return seen

        return go

    same(run(ember), run(torch))


def test_decorator():
    def run(lib):
        def go():
            @lib.autocast("cpu", dtype=lib.float16)
            def f(x):
                return lib.is_autocast_enabled("cpu"), x

            return f(3), f.__name__, lib.is_autocast_enabled("cpu")

        return go

    same(run(ember), run(torch))


def test_state_is_thread_local():
    seen = []
    with ember.autocast("cpu", dtype=ember.float16):
        t = threading.Thread(target=lambda: seen.append(ember.is_autocast_enabled("cpu")))
        t.start()
        t.join()
        assert ember.is_autocast_enabled("cpu")
    assert seen == [False]


def test_exception_restores_state():
    with pytest.raises(ValueError):
        with ember.autocast("cpu", dtype=ember.float16):
            raise ValueError
    assert not ember.is_autocast_enabled("cpu")


def test_set_functions():
    def run(lib):
        def go():
            lib.set_autocast_enabled("cpu", True)
            lib.set_autocast_dtype("cpu", lib.bfloat16)
            state = _state(lib)
            lib.set_autocast_enabled("cpu", False)
            lib.set_autocast_dtype("cpu", lib.float32)
            state2 = _state(lib)
            return state, state2

        return go

    try:
        same(run(ember), run(torch))
    finally:
        for lib in (ember, torch):
            lib.set_autocast_enabled("cpu", False)
            lib.set_autocast_dtype("cpu", lib.float16)
    same(lambda: ember.set_autocast_dtype("cpu", "x"), lambda: torch.set_autocast_dtype("cpu", "x"))
    same(lambda: ember.set_autocast_enabled("cpu", 1), lambda: torch.set_autocast_enabled("cpu", 1))
    same(lambda: ember.set_autocast_cache_enabled(1), lambda: torch.set_autocast_cache_enabled(1))


def test_cpu_amp_alias():
    def run(lib):
        def go():
            with lib.cpu.amp.autocast(dtype=lib.float16):
                return _state(lib)

        return go

    same(run(ember), run(torch))


# ----- the op lists: Ember's policy against what PyTorch's CPU autocast does ---------------
def _f(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


OPS = {
    "mm": lambda lib, d: lib.mm(_f(lib, 2, 2, dtype=d), _f(lib, 2, 2, dtype=d)),
    "matmul": lambda lib, d: lib.matmul(_f(lib, 2, 2, dtype=d), _f(lib, 2, 2, dtype=d)),
    "bmm": lambda lib, d: lib.bmm(_f(lib, 1, 2, 2, dtype=d), _f(lib, 1, 2, 2, dtype=d)),
    "addmm": lambda lib, d: lib.addmm(
        _f(lib, 2, 2, dtype=d), _f(lib, 2, 2, dtype=d), _f(lib, 2, 2, dtype=d)
    ),
    "baddbmm": lambda lib, d: lib.baddbmm(
        _f(lib, 1, 2, 2, dtype=d), _f(lib, 1, 2, 2, dtype=d), _f(lib, 1, 2, 2, dtype=d)
    ),
    "linear": lambda lib, d: lib.nn.functional.linear(
        _f(lib, 2, 2, dtype=d), _f(lib, 2, 2, dtype=d)
    ),
    "conv1d": lambda lib, d: lib.nn.functional.conv1d(
        _f(lib, 1, 1, 4, dtype=d), _f(lib, 1, 1, 2, dtype=d)
    ),
    "conv2d": lambda lib, d: lib.nn.functional.conv2d(
        _f(lib, 1, 1, 3, 3, dtype=d), _f(lib, 1, 1, 2, 2, dtype=d)
    ),
    "prelu": lambda lib, d: lib.nn.functional.prelu(_f(lib, 2, 2, dtype=d), _f(lib, 1, dtype=d)),
    "mse_loss": lambda lib, d: lib.nn.functional.mse_loss(_f(lib, 2, dtype=d), _f(lib, 2, dtype=d)),
    "l1_loss": lambda lib, d: lib.nn.functional.l1_loss(_f(lib, 2, dtype=d), _f(lib, 2, dtype=d)),
    "smooth_l1_loss": lambda lib, d: lib.nn.functional.smooth_l1_loss(
        _f(lib, 2, dtype=d), _f(lib, 2, dtype=d)
    ),
    "binary_cross_entropy_with_logits": lambda lib, d: (
        lib.nn.functional.binary_cross_entropy_with_logits(_f(lib, 2, dtype=d), _f(lib, 2, dtype=d))
    ),
    "prod": lambda lib, d: _f(lib, 2, dtype=d).prod(),
    "cat": lambda lib, d: lib.cat([_f(lib, 2, dtype=d), _f(lib, 2)]),
    "stack": lambda lib, d: lib.stack([_f(lib, 2, dtype=d), _f(lib, 2)]),
}
NOT_LISTED = {
    "softmax": lambda lib, d: lib.softmax(_f(lib, 2, dtype=d), 0),
    "log_softmax": lambda lib, d: lib.log_softmax(_f(lib, 2, dtype=d), 0),
    "sum": lambda lib, d: _f(lib, 2, dtype=d).sum(),
    "mean": lambda lib, d: _f(lib, 2, dtype=d).mean(),
    "relu": lambda lib, d: lib.relu(_f(lib, 2, dtype=d)),
    "exp": lambda lib, d: lib.exp(_f(lib, 2, dtype=d)),
    "add": lambda lib, d: _f(lib, 2, dtype=d) + _f(lib, 2, dtype=d),
    "layer_norm": lambda lib, d: lib.nn.functional.layer_norm(_f(lib, 2, dtype=d), (2,)),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("input_dtype", ["float32", "float16", "float64"])
def test_policy_matches_torch(name, input_dtype):
    with torch.autocast("cpu", dtype=torch.float16):
        expected = OPS[name](torch, getattr(torch, input_dtype)).dtype
    assert policy.category(name) is not None
    args = [ember.ones(2, dtype=getattr(ember, input_dtype)), ember.ones(2)]
    if policy.category(name) != policy.PROMOTE:
        args = args[:1]
    with ember.autocast("cpu", dtype=ember.float16):
        cast = policy.autocast_args(name, args if name in ("cat", "stack") else args[0])
    got = (cast[0][0] if name in ("cat", "stack") else cast[0]).dtype
    assert repr(got) == repr(expected)


@pytest.mark.parametrize("name", sorted(NOT_LISTED))
def test_unlisted_ops_keep_their_dtype(name):
    with torch.autocast("cpu", dtype=torch.float16):
        assert NOT_LISTED[name](torch, torch.float32).dtype == torch.float32
    assert policy.category(name) is None


def test_policy_is_idle_outside_autocast():
    x = ember.ones(2, 2)
    assert policy.autocast_args("mm", x, x) == (x, x)
    with ember.autocast("cpu", dtype=ember.float16, enabled=False):
        assert policy.autocast_args("mm", x, x)[0] is x


def test_policy_leaves_non_float_arguments():
    i = ember.ones(2, dtype=ember.int64)
    with ember.autocast("cpu", dtype=ember.float16):
        a, b, c = policy.autocast_args("mm", i, 3, "x")
    assert a is i and b == 3 and c == "x"


def test_policy_cast_is_recorded_for_autograd():
    x = ember.ones(2, 2, requires_grad=True)
    with ember.autocast("cpu", dtype=ember.float16):
        (cast,) = policy.autocast_args("mm", x)
    assert cast.dtype is ember.float16
    assert cast.grad_fn.name() == "ToCopyBackward0"
    cast.sum().backward()
    assert x.grad.dtype is ember.float32


def test_promote_rejects_mixed_low_precision():
    def run(lib):
        def go():
            with lib.autocast("cpu", dtype=lib.float16):
                a = lib.ones(2, dtype=lib.float16)
                b = lib.ones(2, dtype=lib.bfloat16) if hasattr(lib, "bfloat16") else None
                if lib is torch:
                    return lib.cat([a, b]).dtype
                return policy.autocast_args("cat", [a, b])[0][0].dtype

        return go

    if not hasattr(ember, "bfloat16"):
        pytest.skip("ember.bfloat16 lands with the dtype work")
    same(run(ember), run(torch))
