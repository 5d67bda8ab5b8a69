"""The device path, run without a GPU: a stand-in "cuda" backed by NumPy, registered the way
CuPy is (``backend.register_device``), so ``.to(device)``, factories with ``device=``,
``Module.to``, gradients across devices and cross-device errors all run here.  Without a
backend, "cuda" fails as PyTorch's CPU-only build does."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import ember
from ember import backend

torch = pytest.importorskip("torch")


class StandInArray(np.ndarray):
    """An array that "lives on the stand-in device" (a NumPy array of another class)."""


def _mark(x):
    if isinstance(x, StandInArray):
        return x
    if isinstance(x, np.ndarray):
        return x.view(StandInArray)
    if isinstance(x, np.generic):
        return np.asarray(x).view(StandInArray)
    if isinstance(x, tuple):
        return tuple(_mark(v) for v in x)
    if isinstance(x, list):
        return [_mark(v) for v in x]
    return x


class _Ufunc:
    def __init__(self, f):
        self._f = f

    def __call__(self, *args, **kwargs):
        return _mark(self._f(*args, **kwargs))

    def __getattr__(self, name):
        attr = getattr(self._f, name)
        return _wrap(attr) if callable(attr) else attr


def _wrap(f):
    @functools.wraps(f)
    def call(*args, **kwargs):
        return _mark(f(*args, **kwargs))

    return call


class StandInModule:
    """The device's array module: NumPy whose results are the device's arrays."""

    ndarray = StandInArray

    def __getattr__(self, name):
        obj = getattr(np, name)
        if isinstance(obj, np.ufunc):
            return _Ufunc(obj)
        if callable(obj) and not isinstance(obj, type):
            return _wrap(obj)
        return obj


@pytest.fixture
def cuda():
    """Register the stand-in as the "cuda" backend for one test."""
    backend.register_device(
        backend.DeviceBackend(
            "cuda",
            StandInModule(),
            StandInArray,
            lambda a, index: np.array(a, copy=True).view(StandInArray),
            lambda a: np.array(a.view(np.ndarray), copy=True),
            lambda: 1,
            lambda a: 0,
        )
    )
    yield
    backend.unregister_device("cuda")


def test_without_a_backend_cuda_fails_as_the_cpu_only_build():
    for call in (
        lambda lib: lib.zeros(2, device="cuda"),
        lambda lib: lib.ones(2).to("cuda"),
        lambda lib: lib.ones(2).cuda(),
        lambda lib: lib.nn.Linear(2, 2).to("cuda"),
    ):
        with pytest.raises(AssertionError) as t_info:
            call(torch)
        with pytest.raises(AssertionError) as e_info:
            call(ember)
        assert str(e_info.value) == str(t_info.value)
    with pytest.raises(RuntimeError, match="not linked with support for mps"):
        ember.ones(2).to("mps")


def test_to_device_and_back_keeps_values_and_gradients(cuda):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert y.device == ember.device("cuda", 0) and y.is_cuda
    assert isinstance(y._data, StandInArray)
    assert y.grad_fn.name() == "ToCopyBackward0"
    z = (y * y).sum()
    assert z.device.type == "cuda"  # a full reduction stays on the device
    z.backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    assert y.cpu().device.type == "cpu" and x.to("cpu") is x


def test_factories_and_like_functions_take_device(cuda):
    for t in (
        ember.zeros(2, 3, device="cuda"),
        ember.ones(2, device=ember.device("cuda:0")),
        ember.tensor([1.0], device="cuda"),
        ember.arange(4, device="cuda"),
        ember.full((2,), 7.0, device="cuda"),
    ):
        assert t.device.type == "cuda" and isinstance(t._data, StandInArray)
    d = ember.ones(3, device="cuda")
    assert ember.zeros_like(d).device.type == "cuda"
    assert d.new_zeros(2).device.type == "cuda"


def test_leaf_on_device_accumulates_its_grad_there(cuda):
    w = ember.ones(3, device="cuda", requires_grad=True)
    (w * 2).sum().backward()
    assert w.grad.device.type == "cuda"
    np.testing.assert_allclose(w.grad.cpu().numpy(), 2.0)


def test_cross_device_error_as_pytorch(cuda):
    a = ember.ones(3, device="cuda")
    b = ember.ones(3)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a + b
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        ember.cat([b, a])
    # A 0-d CPU tensor may join a device tensor, as in PyTorch.
    assert (a * ember.tensor(2.0)).device.type == "cuda"


def test_module_to_device_trains_there(cuda):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 1))
    ref = [p.detach().clone() for p in model.parameters()]
    model.to("cuda")
    assert all(p.device.type == "cuda" for p in model.parameters())
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x = ember.randn(5, 4).to("cuda")
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()
    assert all(p.grad.device.type == "cuda" for p in model.parameters())
    assert any(
        not np.allclose(p.detach().cpu().numpy(), r.numpy())
        for p, r in zip(model.parameters(), ref)
    )


def test_load_map_location_as_pytorch_on_a_cpu_only_machine(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(2), "p": ember.nn.Parameter(ember.ones(2))}, path)
    tpath = tmp_path / "ckpt_torch.pt"
    torch.save({"w": torch.ones(2), "p": torch.nn.Parameter(torch.ones(2))}, tpath)
    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        out = ember.load(path, map_location=ml)
        assert isinstance(out["p"], ember.nn.Parameter) and out["w"].device.type == "cpu"
    for ml, kind in (("cuda", RuntimeError), ({"cpu": "cuda"}, RuntimeError), (123, TypeError)):
        with pytest.raises(kind) as t_info:
            torch.load(tpath, map_location=ml)
        with pytest.raises(kind) as e_info:
            ember.load(path, map_location=ml)
        assert str(e_info.value) == str(t_info.value)


def test_load_map_location_onto_a_device(cuda, tmp_path):
    path = tmp_path / "ckpt.pt"
    model = ember.nn.Linear(3, 2)
    ember.save(model.state_dict(), path)
    for ml in ("cuda", "cuda:0", ember.device("cuda"), {"cpu": "cuda:0"}, lambda s, loc: s.cuda(0)):
        state = ember.load(path, map_location=ml)
        assert all(v.device.type == "cuda" for v in state.values())
    restored = ember.nn.Linear(3, 2).to("cuda")
    restored.load_state_dict(ember.load(path, map_location="cuda"))
    x = ember.randn(4, 3)
    np.testing.assert_allclose(restored(x.cuda()).cpu().detach().numpy(), model(x).detach().numpy())
