"""Scripts written the way the classic PyTorch tutorials are (a device guard on
``torch.cuda.is_available()``, tensors moved to that device, autograd with printed
``grad_fn``s, a small model trained with an optimizer) run to the end under
``import ember as torch`` and print exactly what PyTorch prints."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")

TENSORS = """
import torch
device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
if torch.cuda.is_available():
    print("cuda devices:", torch.cuda.device_count())
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_ones = torch.ones_like(x_data)
print(f"Ones Tensor: \\n {x_ones} \\n")
x_float = torch.zeros_like(x_data, dtype=torch.float)
print(f"Zeros Tensor: \\n {x_float} \\n")
tensor = torch.arange(12.).reshape(3, 4).to(device)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
print(f"First row: {tensor[0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(torch.cat([tensor, tensor], dim=1))
y1 = tensor @ tensor.T
print(y1, tensor.mul(tensor))
agg = tensor.sum()
print(agg.item(), type(agg.item()))
tensor.add_(5)
print(tensor.numpy())
"""

AUTOGRAD = """
import torch
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.ones(5, device=device)
y = torch.zeros(3, device=device)
w = torch.tensor([[0.1 * (i + j) for j in range(3)] for i in range(5)], requires_grad=True)
b = torch.tensor([0.5, -0.5, 0.25], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}".split(" object")[0])
print(f"Gradient function for loss = {loss.grad_fn}".split(" object")[0])
loss.backward()
print(w.grad)
print(b.grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z_det = (torch.matmul(x, w) + b).detach()
print(z_det.requires_grad)
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nSecond call\\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nCall after zeroing gradients\\n{inp.grad}")
"""

POLYNOMIAL = """
import math
import torch
dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_default_device(device)
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.tensor(0.1, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.2, dtype=dtype, requires_grad=True)
c = torch.tensor(0.3, dtype=dtype, requires_grad=True)
d = torch.tensor(-0.1, dtype=dtype, requires_grad=True)
learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 500 == 99:
        print(t, f"{loss.item():.3f}")
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
print(f"Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.1, 0.2, -0.1]]))
    model[0].bias.fill_(0.05)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = torch.nn.MSELoss(reduction="sum")
for t in range(300):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        print(t, f"{loss.item():.2f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(model)
"""

SCRIPTS = {"tensors": TENSORS, "autograd": AUTOGRAD, "polynomial": POLYNOMIAL}


def _run(source, lib, tmp_path):
    if lib == "ember":
        source = source.replace("import torch\n", "import ember as torch\n", 1)
    path = tmp_path / f"script_{lib}.py"
    path.write_text(textwrap.dedent(source))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_prints_what_pytorch_prints(name, tmp_path):
    t = _run(SCRIPTS[name], "torch", tmp_path)
    assert t.returncode == 0, t.stderr
    e = _run(SCRIPTS[name], "ember", tmp_path)
    assert e.returncode == 0, e.stderr
    assert e.stdout == t.stdout
