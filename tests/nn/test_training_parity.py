"""Training parity: Ember follows PyTorch's loss curve step by step.

An MLP (SGD with momentum and weight decay), a CNN (Adam) and an LSTM sequence
model (Adam with gradient clipping) start from IDENTICAL weights (copied from
the PyTorch model through its state dict) and see IDENTICAL batches. All of it
runs in float32, as real training does; every one of the 50 steps' losses must
agree with PyTorch's to 1e-4 relative, and the final weights to 1e-4 absolute
(Adam divides tiny gradients by their own size, so float32 rounding shows there first).
"""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

STEPS = 50
RTOL = 1e-4


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(20, 64), nn.Tanh(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 5)
    )


def cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


def lstm(lib):
    nn = lib.nn

    class SeqModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(12, 8)
            self.rnn = nn.LSTM(8, 24, num_layers=2, batch_first=True)
            self.head = nn.Linear(24, 12)

        def forward(self, x):
            out, _ = self.rnn(self.embed(x))
            return self.head(out).reshape(-1, 12)

    return SeqModel()


def batches(kind, rng):
    """STEPS batches of (inputs, integer targets) as NumPy arrays: 5 fixed ones, cycled."""
    out = []
    for _ in range(5):
        if kind == "mlp":
            x = rng.standard_normal((32, 20)).astype(np.float32)
            y = rng.integers(0, 5, 32)
        elif kind == "cnn":
            x = rng.standard_normal((16, 1, 12, 12)).astype(np.float32)
            y = x[:, 0, ::4, ::4].reshape(16, 9).argmax(1)  # learnable: where the peak is
        else:
            seq = (rng.integers(0, 12, (8, 1)) + np.arange(11)) % 12  # counting mod 12
            x, y = seq[:, :-1], seq[:, 1:].reshape(-1)
        out.append((x, y))
    return [out[i % 5] for i in range(STEPS)]


def optimizer(lib, kind, params):
    if kind == "mlp":
        return lib.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3)
    return lib.optim.Adam(params, lr=1e-2)


def train(lib, model, opt, data, clip):
    losses = []
    loss_fn = lib.nn.CrossEntropyLoss()
    for x, y in data:
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        opt.zero_grad()
        loss.backward()
        if clip:
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("kind", ["mlp", "cnn", "lstm"])
def test_loss_curve_matches_pytorch(kind):
    build = {"mlp": mlp, "cnn": cnn, "lstm": lstm}[kind]
    torch.manual_seed(0)
    tm = build(torch)
    em = build(ember)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    assert list(em.state_dict()) == list(tm.state_dict())
    data = batches(kind, np.random.default_rng(1))
    clip = kind == "lstm"
    t_losses = train(torch, tm, optimizer(torch, kind, tm.parameters()), data, clip)
    e_losses = train(ember, em, optimizer(ember, kind, em.parameters()), data, clip)
    assert t_losses[-1] < 0.9 * t_losses[0]  # it really trained
    rel = np.abs(e_losses - t_losses) / np.abs(t_losses)
    print(kind, "max relative loss difference", rel.max())
    assert rel.max() < RTOL, (kind, rel.max(), int(rel.argmax()))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(
            em.state_dict()[k].numpy(), v.numpy(), rtol=1e-3, atol=1e-4, err_msg=k
        )
