"""``ember.accelerator``, ``ember.mps`` and ``ember.cpu`` as on PyTorch's CPU-only build."""

import pytest
import torch

import ember

from ._oracle import same

ACCELERATOR = [
    ("is_available", ()),
    ("current_accelerator", ()),
    ("current_accelerator", (True,)),
    ("device_count", ()),
    ("current_device_index", ()),
    ("current_device_idx", ()),
    ("set_device_index", (0,)),
    ("set_device_idx", (0,)),
    ("synchronize", ()),
    ("current_stream", ()),
    ("empty_cache", ()),
    ("memory_allocated", ()),
    ("max_memory_allocated", ()),
    ("memory_reserved", ()),
    ("max_memory_reserved", ()),
    ("memory_stats", ()),
    ("reset_peak_memory_stats", ()),
    ("get_memory_info", ()),
]


@pytest.mark.parametrize("name,args", ACCELERATOR, ids=[f"{n}{a!r}" for n, a in ACCELERATOR])
def test_accelerator(name, args):
    same(
        lambda: getattr(ember.accelerator, name)(*args),
        lambda: getattr(torch.accelerator, name)(*args),
    )


@pytest.mark.parametrize("index", [None, 0])
def test_accelerator_device_index(index):
    def run(lib):
        def go():
            with lib.accelerator.device_index(index):
                return 1

        return go

    same(run(ember), run(torch))


def test_accelerator_idiom_picks_cpu():
    acc = ember.accelerator
    device = acc.current_accelerator() if acc.is_available() else ember.device("cpu")
    assert device == ember.device("cpu")


MPS = [
    ("is_available", ()),
    ("device_count", ()),
    ("synchronize", ()),
    ("empty_cache", ()),
    ("manual_seed", (1,)),
    ("seed", ()),
    ("get_rng_state", ()),
    ("current_allocated_memory", ()),
    ("driver_allocated_memory", ()),
    ("recommended_max_memory", ()),
    ("set_per_process_memory_fraction", (0.5,)),
]


@pytest.mark.parametrize("name,args", MPS, ids=[f"{n}{a!r}" for n, a in MPS])
def test_mps(name, args):
    same(lambda: getattr(ember.mps, name)(*args), lambda: getattr(torch.mps, name)(*args))


def test_mps_set_rng_state():
    same(
        lambda: ember.mps.set_rng_state(ember.get_rng_state()),
        lambda: torch.mps.set_rng_state(torch.get_rng_state()),
    )


CPU = [
    ("is_available", ()),
    ("is_initialized", ()),
    ("device_count", ()),
    ("current_device", ()),
    ("set_device", (0,)),
    ("set_device", ("cpu",)),
    ("synchronize", ()),
    ("synchronize", ("cpu",)),
]


@pytest.mark.parametrize("name,args", CPU, ids=[f"{n}{a!r}" for n, a in CPU])
def test_cpu(name, args):
    same(lambda: getattr(ember.cpu, name)(*args), lambda: getattr(torch.cpu, name)(*args))


def test_cpu_streams_and_events():
    for lib in (ember, torch):
        s = lib.cpu.current_stream()
        assert s is lib.cpu.current_stream()
        assert s.record_event() is None
        assert s.wait_stream(lib.cpu.Stream()) is None
        e = lib.cpu.Event()
        assert e.query() is True
        assert e.record() is None and e.synchronize() is None and e.wait() is None
        with lib.cpu.stream(s) as entered:
            assert entered is None
