"""The backward ops of the piecewise-linear activations, as PyTorch records them under
``create_graph``: ``threshold_backward`` (relu, threshold), ``leaky_relu_backward``,
``hardtanh_backward`` (hardtanh, relu6), ``hardshrink_backward``, ``softshrink_backward``.

Each passes the incoming gradient where a mask of the op's input holds (else a slope times
it, or 0).  It takes the op's input too, so that a gradient recorded with ``create_graph``
depends on it as PyTorch's does: the second derivative is then 0, not an error.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import needs
from ._spec import OpSpec
from .registry import declare
from .where import where


class MaskedGrad(Node):
    """d where(mask, g, slope g) = the same mask for g, 0 for x (the op's input or output)"""

    def forward(self, grad, x, mask, slope):
        self.save_for_backward(mask)
        self.slope = slope
        return self.xp.where(mask, grad, grad * slope if slope else 0)

    def backward(self, gg):
        (mask,) = self.saved_tensors
        slope = self.slope
        g = where(mask, gg, gg * slope if slope else 0.0) if needs(self, 0) else None
        gx = Tensor._make(self.xp.zeros_like(gg._data)) if needs(self, 1) else None
        return g, gx, None, None


def off_kinks(*kinks):
    """A spec domain that keeps samples at least 0.05 away from each kink."""

    def domain(z):
        out = z * 2.5
        for k in kinks:
            near = abs(out - k) < 0.05
            out = out + near * 0.1
        return out

    return domain


def grad_of(lib, fn, a, u):
    """The gradient of ``fn`` at ``a`` applied to ``u``, recorded with ``create_graph``."""
    x = a if a.requires_grad else a.detach().requires_grad_()
    (g,) = lib.autograd.grad(fn(x), x, u, create_graph=True)
    return g


def _spec(name, fn, *kinks):
    """The spec of a backward node: ``fn(lib, x)``'s gradient, away from the kinks."""
    return OpSpec(
        name,
        lambda t, a, u: grad_of(t, lambda x: fn(t, x), a, u),
        [((3, 4), (3, 4)), ((), ())],
        shapes=None,
        domain=off_kinks(*kinks),
        second_order=False,
    )


class ThresholdGrad(MaskedGrad):
    """The backward of relu and threshold"""


class LeakyReluGrad(MaskedGrad):
    """The backward of leaky_relu"""


class HardtanhGrad(MaskedGrad):
    """The backward of hardtanh and relu6"""


class HardshrinkGrad(MaskedGrad):
    """The backward of hardshrink"""


class SoftshrinkGrad(MaskedGrad):
    """The backward of softshrink"""


_EW = batching.elementwise
declare(
    ThresholdGrad,
    vmap=_EW,
    grad_fn="ThresholdBackwardBackward0",
    spec=(
        _spec("relu_backward", lambda t, x: t.relu(x), 0.0),
        _spec("threshold_backward", lambda t, x: t.threshold(x, 0.5, 2.0), 0.5),
    ),
)
declare(
    LeakyReluGrad,
    vmap=_EW,
    grad_fn="LeakyReluBackwardBackward0",
    spec=_spec("leaky_relu_backward", lambda t, x: t.nn.functional.leaky_relu(x, 0.2), 0.0),
)
declare(
    HardtanhGrad,
    vmap=_EW,
    grad_fn="HardtanhBackwardBackward0",
    spec=(
        _spec("hardtanh_backward", lambda t, x: t.nn.functional.hardtanh(x), -1.0, 1.0),
        _spec("relu6_backward", lambda t, x: t.nn.functional.relu6(x * 2), 0.0, 3.0),
    ),
)
declare(
    HardshrinkGrad,
    vmap=_EW,
    grad_fn="HardshrinkBackwardBackward0",
    spec=_spec("hardshrink_backward", lambda t, x: t.hardshrink(x), -0.5, 0.5),
)
declare(
    SoftshrinkGrad,
    vmap=_EW,
    grad_fn="SoftshrinkBackwardBackward0",
    spec=_spec("softshrink_backward", lambda t, x: t.nn.functional.softshrink(x), -0.5, 0.5),
)
