"""max_pool2d against PyTorch where its rules are subtle: ties (ReLU zeros), NaN (the
last NaN of a window takes the gradient), -inf, sizes that leave rows over, and the
double backward; both the tiled fast path (stride == kernel) and the general one."""

import zlib

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

CONFIGS = [
    (2, {}),
    ((2, 3), {}),
    (3, {}),
    (1, {}),
    (3, dict(stride=2, padding=1)),
    (2, dict(stride=1)),
]


@pytest.mark.parametrize("shape", [(2, 3, 6, 6), (2, 3, 7, 5), (3, 5, 5)])
@pytest.mark.parametrize("kernel,kwargs", CONFIGS)
@pytest.mark.parametrize("special", [False, True])
def test_max_pool2d_values_gradients_and_double_backward(shape, kernel, kwargs, special):
    rng = np.random.default_rng(zlib.crc32(repr((shape, kernel, kwargs, special)).encode()))
    x = np.maximum(rng.standard_normal(shape), 0)  # many ties at zero
    if special:
        x.flat[::7] = np.nan
        x.flat[1::5] = np.nan
        x.flat[3::11] = -np.inf
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, kernel, **kwargs)
    xe = ember.tensor(x, requires_grad=True)
    ye = F.max_pool2d(xe, kernel, **kwargs)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal(yt.shape)
    ge = ember.tensor(g, requires_grad=True)
    gt = torch.tensor(g, requires_grad=True)
    (dxe,) = ember.autograd.grad(ye, xe, ge, create_graph=True)
    (dxt,) = torch.autograd.grad(yt, xt, gt, create_graph=True)
    np.testing.assert_array_equal(dxe.detach().numpy(), dxt.detach().numpy())
    h = rng.standard_normal(shape)
    (gge,) = ember.autograd.grad((dxe * ember.tensor(h)).sum(), ge)
    (ggt,) = torch.autograd.grad((dxt * torch.tensor(h)).sum(), gt)
    np.testing.assert_allclose(gge.numpy(), ggt.numpy(), rtol=1e-12)


def test_tiled_max_pool_names_its_node_as_pytorch_does():
    y = F.max_pool2d(ember.ones(1, 1, 4, 4, requires_grad=True), 2)
    assert y.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
