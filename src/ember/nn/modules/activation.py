"""Activation layers: thin modules over ``ember.nn.functional``."""

from __future__ import annotations

import warnings

from .. import functional as F
from ..module import Module
from ._family import Family


def _inplace_repr(layer, settings=""):
    """``settings`` followed by ``inplace=True`` when the layer works in place."""
    if not layer.inplace:
        return settings
    return f"{settings}, inplace=True" if settings else "inplace=True"


class _Activation(Module, Family):
    """An activation without settings: ``forward`` applies ``F.<_fn>``."""

    _fn = "sigmoid"

    def forward(self, input):
        """Apply the activation."""
        return getattr(F, self._fn)(input)


class _InplaceActivation(_Activation):
    """An activation whose only setting is ``inplace``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return getattr(F, self._fn)(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self)


class ReLU(_InplaceActivation, fn="relu"):
    """max(x, 0)."""


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x."""

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"negative_slope={self.negative_slope}")


class _ExponentialLinear(Module, Family):
    """ELU and CELU: an ``alpha`` and an ``inplace`` setting."""

    _fn = "elu"

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return getattr(F, self._fn)(input, self.alpha, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")


class ELU(_ExponentialLinear, fn="elu"):
    """x where x > 0, else alpha (exp(x) - 1)."""


class CELU(_ExponentialLinear, fn="celu"):
    """Continuously differentiable ELU."""


class SELU(_InplaceActivation, fn="selu"):
    """Scaled ELU."""


class GELU(Module):
    """x * Phi(x) (``approximate='tanh'`` for the tanh form)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        """Apply the activation."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(_InplaceActivation, fn="silu"):
    """x * sigmoid(x)."""


class Mish(_InplaceActivation, fn="mish"):
    """x * tanh(softplus(x))."""


class Sigmoid(_Activation, fn="sigmoid"):
    """1 / (1 + exp(-x))."""


class Tanh(_Activation, fn="tanh"):
    """Hyperbolic tangent."""


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear above ``threshold``."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        """Apply the activation."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clamp to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self)


class _UnshownInplace(_InplaceActivation):
    """An activation whose ``inplace`` setting PyTorch leaves out of the repr."""

    def extra_repr(self):
        return ""


class Hardsigmoid(_UnshownInplace, fn="hardsigmoid"):
    """relu6(x + 3) / 6."""


class Hardswish(_UnshownInplace, fn="hardswish"):
    """x * relu6(x + 3) / 6."""


class LogSigmoid(_Activation, fn="logsigmoid"):
    """log(sigmoid(x))."""


class Softsign(_Activation, fn="softsign"):
    """x / (1 + |x|)."""


class Tanhshrink(_Activation, fn="tanhshrink"):
    """x - tanh(x)."""


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"threshold={self.threshold}, value={self.value}")


class PReLU(Module):
    """x where x > 0, else a * x with a learnable ``a`` (init 0.25)."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        from ...creation import full
        from ..parameter import Parameter

        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype))

    def forward(self, input):
        """Apply the activation."""
        from ...ops.where import where

        w = self.weight
        if input.dim() >= 2 and self.num_parameters > 1:
            w = w.reshape((1, -1) + (1,) * (input.dim() - 2))
        return where(input > 0, input, input * w)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


def _implicit_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


class _SoftmaxBase(Module, Family):
    _fn = "softmax"

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        """Apply along ``dim``."""
        dim = self.dim
        if dim is None:
            warnings.warn(
                f"Implicit dimension choice for {self._fn} has been deprecated. Change the call "
                "to include dim=X as an argument.",
                UserWarning,
                stacklevel=2,
            )
            dim = _implicit_dim(input.dim())
        return getattr(F, self._fn)(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase, fn="softmax"):
    """exp(x) / sum(exp(x)) along ``dim``."""


class LogSoftmax(_SoftmaxBase, fn="log_softmax"):
    """log(softmax(x)) along ``dim``, computed stably."""


class Softmin(_SoftmaxBase, fn="softmin"):
    """softmax(-x) along ``dim``."""

    def forward(self, input):
        """Apply along ``dim``."""
        return F.softmax(-input, self.dim if self.dim is not None else _implicit_dim(input.dim()))


class RReLU(Module):
    """Randomized leaky ReLU: slope ~ U(lower, upper) in training, their mean in eval."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        """Apply the activation."""
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"lower={self.lower}, upper={self.upper}")


class GLU(Module):
    """Gated linear unit: a * sigmoid(b) for the two halves of ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        """Apply the activation."""
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class _Shrink(Module, Family):
    """Hardshrink and Softshrink: one threshold ``lambd``."""

    _fn = "hardshrink"

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        """Apply the activation."""
        return getattr(F, self._fn)(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Hardshrink(_Shrink, fn="hardshrink"):
    """x where |x| > lambd, else 0."""


class Softshrink(_Shrink, fn="softshrink"):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) inputs."""

    def forward(self, input):
        """Apply softmax over dimension -3."""
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3)


# PyTorch defines it among the activations; Ember keeps it with attention.
from .attention import MultiheadAttention  # noqa: E402, F401
