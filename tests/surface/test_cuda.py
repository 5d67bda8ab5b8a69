"""``ember.cuda`` behaves as ``torch.cuda`` on PyTorch's CPU-only build."""

import pytest
import torch

import ember

from ._oracle import outcome, same

# (call, args) pairs run on both libraries: values, exception types and warnings must agree.
CALLS = [
    ("is_available", ()),
    ("device_count", ()),
    ("is_initialized", ()),
    ("init", ()),
    ("current_device", ()),
    ("set_device", (0,)),
    ("set_device", (-1,)),
    ("set_device", ("cuda:1",)),
    ("set_device", ("cpu",)),
    ("set_device", (None,)),
    ("set_device", ("cuda",)),
    ("set_device", ("foo",)),
    ("synchronize", ()),
    ("current_stream", ()),
    ("default_stream", ()),
    ("empty_cache", ()),
    ("ipc_collect", ()),
    ("mem_get_info", ()),
    ("manual_seed", (1,)),
    ("manual_seed", ("x",)),
    ("manual_seed_all", (1,)),
    ("seed", ()),
    ("seed_all", ()),
    ("initial_seed", ()),
    ("get_rng_state", ()),
    ("get_rng_state_all", ()),
    ("set_rng_state_all", ([],)),
    ("memory_allocated", ()),
    ("memory_allocated", (0,)),
    ("max_memory_allocated", ()),
    ("memory_reserved", ()),
    ("max_memory_reserved", ()),
    ("memory_cached", ()),
    ("max_memory_cached", ()),
    ("reset_peak_memory_stats", ()),
    ("reset_max_memory_allocated", ()),
    ("memory_summary", ()),
    ("get_device_name", ()),
    ("get_device_name", (0,)),
    ("get_device_properties", (0,)),
    ("get_device_capability", ()),
    ("get_arch_list", ()),
    ("is_bf16_supported", ()),
    ("is_tf32_supported", ()),
    ("Event", ()),
    ("Stream", ()),
]


@pytest.mark.parametrize("name,args", CALLS, ids=[f"{n}{a!r}" for n, a in CALLS])
def test_call_matches_cpu_only_torch(name, args):
    same(lambda: getattr(ember.cuda, name)(*args), lambda: getattr(torch.cuda, name)(*args))


def test_memory_stats_is_empty():
    assert ember.cuda.memory_stats() == torch.cuda.memory_stats() == {}


def test_set_rng_state_takes_a_tensor():
    same(
        lambda: ember.cuda.set_rng_state(ember.get_rng_state()),
        lambda: torch.cuda.set_rng_state(torch.get_rng_state()),
    )
    same(lambda: ember.cuda.set_rng_state([1]), lambda: torch.cuda.set_rng_state([1]))


def test_errors_say_what_to_do():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled") as info:
        ember.cuda.synchronize()
    assert "is_available()" in str(info.value)


@pytest.mark.parametrize("arg", [-1, 0, "cuda:0", "cpu", None])
def test_device_context(arg):
    def run(lib):
        def enter():
            with lib.cuda.device(arg):
                return "entered"

        return enter

    same(run(ember), run(torch))


def test_device_of_a_cpu_tensor_does_nothing():
    with ember.cuda.device_of(ember.zeros(1)):
        pass
    with torch.cuda.device_of(torch.zeros(1)):
        pass


def test_stream_none_does_nothing():
    def run(lib):
        def go():
            with lib.cuda.stream(None):
                return 1

        return go

    same(run(ember), run(torch))


LEGACY = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "ByteTensor",
    "CharTensor",
    "ShortTensor",
    "IntTensor",
    "LongTensor",
    "BoolTensor",
]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_cuda_types(name):
    e, t = getattr(ember.cuda, name), getattr(torch.cuda, name)
    assert repr(e) == repr(t)
    for args in [(), (2,), ([1.0],)]:
        same(lambda a=args: e(*a), lambda a=args: t(*a))
    assert isinstance(ember.zeros(1), e) is isinstance(torch.zeros(1), t) is False
    assert e.is_cuda is t.is_cuda is True


def test_legacy_cuda_type_dtype():
    assert repr(ember.cuda.FloatTensor.dtype) == repr(torch.cuda.FloatTensor.dtype)
    assert repr(ember.cuda.LongTensor.dtype) == repr(torch.cuda.LongTensor.dtype)


def test_out_of_memory_error_is_a_runtime_error():
    assert issubclass(ember.cuda.OutOfMemoryError, RuntimeError)
    assert ember.OutOfMemoryError is ember.cuda.OutOfMemoryError


def test_nccl():
    same(lambda: ember.cuda.nccl.version(), lambda: torch.cuda.nccl.version())
    same(lambda: ember.cuda.nccl.is_available([]), lambda: torch.cuda.nccl.is_available([]))


def test_version_cuda_is_none():
    assert ember.version.cuda is torch.version.cuda is None
    assert ember.version.hip is torch.version.hip is None
    assert ember.version.__version__ == ember.__version__


def test_guarded_script_runs_on_cpu():
    # The tutorials' idiom picks the CPU and never touches CUDA.
    device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    x = ember.ones(2, device=device)
    assert str(x.device) == "cpu"
    assert ember.cuda.memory_allocated(device) == 0


def test_amp_aliases_warn_and_disable():
    for lib in (ember, torch):
        _, err, warned = outcome(lambda lib=lib: lib.cuda.amp.autocast())
        assert err is None and warned == ["FutureWarning", "UserWarning"]

    def inside(lib):
        def go():
            with lib.cuda.amp.autocast():
                return lib.is_autocast_enabled("cuda")

        return go

    assert same(inside(ember), inside(torch)) is False
    same(
        lambda: ember.cuda.amp.GradScaler().is_enabled(),
        lambda: torch.cuda.amp.GradScaler().is_enabled(),
    )
    assert ember.cuda.amp.grad_scaler.GradScaler is ember.cuda.amp.GradScaler
    assert issubclass(ember.cuda.amp.GradScaler, ember.amp.GradScaler)
