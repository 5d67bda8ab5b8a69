"""State-dict interop with PyTorch, both directions.

PyTorch -> Ember: a ``torch.save(model.state_dict(), f)`` file loads with ``ember.load``
into the same architecture and gives the same outputs. Ember -> PyTorch: a state dict
written by ``ember.save(..., format="pt")`` loads with ``torch.load(f, weights_only=True)``
(and one written by ``ember.serialization.save_safetensors`` loads with
``safetensors.torch.load_file``), bit-identical. Optimizer state crosses over too, so
training resumes on the other side exactly where it stopped.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import ember
from ember.serialization import save_pytorch, save_safetensors

torch = pytest.importorskip("torch")


def net(lib):
    """Conv + BatchNorm (buffers, an int64 counter) + LSTM + Linear: every kind of entry."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.rnn = nn.LSTM(4 * 6, 8, batch_first=True)
            self.head = nn.Linear(8, 3)

        def forward(self, x):  # x: (N, 1, 6, 6); rows of the feature map are time steps
            h = self.bn(self.conv(x)).relu()
            seq = h.permute(0, 2, 1, 3).reshape(x.shape[0], 6, 4 * 6)
            out, _ = self.rnn(seq)
            return self.head(out[:, -1])

    return Net()


def trained_bn(model, lib, x):
    """One training-mode forward pass so BatchNorm's running stats and counter move."""
    model.train()
    with lib.no_grad():
        model(lib.tensor(x))
    model.eval()
    return model


def outputs(model, lib, x):
    with lib.no_grad():
        out = model(lib.tensor(x))
    return out.numpy()


X = np.random.default_rng(0).standard_normal((5, 1, 6, 6)).astype(np.float32)


def test_pytorch_checkpoint_loads_in_ember(tmp_path):
    torch.manual_seed(0)
    tm = trained_bn(net(torch), torch, X * 2 + 1)
    path = tmp_path / "torch_model.pt"
    torch.save(tm.state_dict(), path)

    em = net(ember)
    em.load_state_dict(ember.load(path))
    em.eval()
    assert list(em.state_dict()) == list(tm.state_dict())
    for (k, v), tv in zip(em.state_dict().items(), tm.state_dict().values()):
        assert v.dtype.name == str(tv.dtype).replace("torch.", ""), k
        assert tuple(v.shape) == tuple(tv.shape), k
        np.testing.assert_array_equal(v.numpy(), tv.numpy(), err_msg=k)
    assert em.bn.num_batches_tracked.item() == 1
    np.testing.assert_allclose(outputs(em, ember, X), outputs(tm, torch, X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("how", ["format_pt", "save_pytorch_fileobj"])
def test_ember_checkpoint_loads_in_pytorch(tmp_path, how):
    ember.manual_seed(0)
    em = trained_bn(net(ember), ember, X * 2 + 1)
    if how == "format_pt":
        path = tmp_path / "ember_model.pt"
        ember.save(em.state_dict(), path, format="pt")
        loaded = torch.load(path, weights_only=True)
    else:
        buf = io.BytesIO()
        save_pytorch(em.state_dict(), buf)
        buf.seek(0)
        loaded = torch.load(buf, weights_only=True)

    tm = net(torch)
    tm.load_state_dict(loaded)  # strict: same keys, shapes
    tm.eval()
    for (k, v), tv in zip(em.state_dict().items(), tm.state_dict().values()):
        assert str(tv.dtype) == f"torch.{v.dtype.name}", k
        assert tuple(tv.shape) == tuple(v.shape), k
        np.testing.assert_array_equal(tv.numpy(), v.numpy(), err_msg=k)
    assert tm.bn.num_batches_tracked.dim() == 0 and tm.bn.num_batches_tracked.item() == 1
    np.testing.assert_allclose(outputs(tm, torch, X), outputs(em, ember, X), rtol=1e-5, atol=1e-6)


def test_ember_safetensors_loads_in_pytorch(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    ember.manual_seed(1)
    em = net(ember).eval()
    path = tmp_path / "model.safetensors"
    save_safetensors(em.state_dict(), path)
    tm = net(torch).eval()
    tm.load_state_dict(st.load_file(str(path)))
    for (k, v), tv in zip(em.state_dict().items(), tm.state_dict().values()):
        np.testing.assert_array_equal(tv.numpy(), v.numpy(), err_msg=k)
    np.testing.assert_allclose(outputs(tm, torch, X), outputs(em, ember, X), rtol=1e-5, atol=1e-6)


def test_pt_format_values_dtypes_and_sharing(tmp_path):
    """Every dtype, 0-d/empty/non-contiguous tensors, parameters, numbers and containers."""
    p = ember.nn.Parameter(ember.randn(2, 3))
    shared = ember.arange(4.0)
    obj = {
        "f16": ember.tensor([1.5, -2.0], dtype=ember.float16),
        "f64": ember.tensor([[1.0, 2.0]], dtype=ember.float64),
        "c64": ember.tensor([1 + 2j], dtype=ember.complex64),
        "i8": ember.tensor([-3], dtype=ember.int8),
        "i32": ember.tensor([7], dtype=ember.int32),
        "u8": ember.tensor([255], dtype=ember.uint8),
        "b": ember.tensor([True, False]),
        "scalar": ember.tensor(3.25),
        "empty": ember.zeros(0, 3),
        "transposed": ember.arange(6.0).reshape(2, 3).t(),
        "param": p,
        "grad": ember.ones(2, requires_grad=True),
        "same": [shared, shared],
        "dtype": ember.float64,
        "misc": (1, 2.5, "s", None, True, [np.float32(0.5), np.int64(4)]),
    }
    path = tmp_path / "all.pt"
    ember.save(obj, path, format="pt")
    back = torch.load(path, weights_only=True)
    for k in ("f16", "f64", "c64", "i8", "i32", "u8", "b", "scalar", "empty", "transposed"):
        assert str(back[k].dtype) == f"torch.{obj[k].dtype.name}", k
        assert tuple(back[k].shape) == tuple(obj[k].shape), k
        np.testing.assert_array_equal(back[k].numpy(), obj[k].numpy(), err_msg=k)
    assert isinstance(back["param"], torch.nn.Parameter) and back["param"].requires_grad
    np.testing.assert_array_equal(back["param"].detach().numpy(), p.detach().numpy())
    assert back["grad"].requires_grad and not isinstance(back["grad"], torch.nn.Parameter)
    assert back["same"][0] is back["same"][1]
    assert back["dtype"] is torch.float64
    assert back["misc"] == (1, 2.5, "s", None, True, [0.5, 4])
    # Ember reads its own .pt output back too.
    again = ember.load(path)
    assert again["dtype"] is ember.float64 and again["scalar"].item() == 3.25
    assert again["transposed"].tolist() == obj["transposed"].tolist()
    with pytest.raises(ValueError, match="unknown format"):
        ember.save(obj, tmp_path / "x", format="onnx")


def _train(lib, model, opt, batches):
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for x, y in batches:
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


def test_training_resumes_across_libraries(tmp_path):
    """Train in Ember, checkpoint model + Adam state as .pt, resume in PyTorch (and back)."""
    rng = np.random.default_rng(2)
    data = [
        (rng.standard_normal((8, 10)).astype(np.float32), rng.integers(0, 4, 8)) for _ in range(9)
    ]

    def mlp(lib):
        return lib.nn.Sequential(lib.nn.Linear(10, 16), lib.nn.Tanh(), lib.nn.Linear(16, 4))

    ember.manual_seed(0)
    em = mlp(ember)
    eopt = ember.optim.Adam(em.parameters(), lr=1e-2)
    _train(ember, em, eopt, data[:3])
    path = tmp_path / "ckpt.pt"
    ember.save({"model": em.state_dict(), "opt": eopt.state_dict()}, path, format="pt")

    ck = torch.load(path, weights_only=True)
    tm = mlp(torch)
    tm.load_state_dict(ck["model"])
    topt = torch.optim.Adam(tm.parameters(), lr=1.0)
    topt.load_state_dict(ck["opt"])  # restores lr=1e-2 and the moment estimates
    t_losses = _train(torch, tm, topt, data[3:6])
    e_losses = _train(ember, em, eopt, data[3:6])
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-5)

    # ... and back: PyTorch's checkpoint resumes in a fresh Ember model.
    torch.save({"model": tm.state_dict(), "opt": topt.state_dict()}, path)
    ck = ember.load(path)
    em2 = mlp(ember)
    em2.load_state_dict(ck["model"])
    eopt2 = ember.optim.Adam(em2.parameters(), lr=1.0)
    eopt2.load_state_dict(ck["opt"])
    np.testing.assert_allclose(
        _train(ember, em2, eopt2, data[6:]), _train(torch, tm, topt, data[6:]), rtol=1e-5
    )
