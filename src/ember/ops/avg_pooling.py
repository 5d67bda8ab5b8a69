"""Average pooling (1/2/3-d) and adaptive average pooling (1/2-d).

Both are linear maps, each written as a pair of nodes that are each other's backward:
average pooling is a convolution with a constant kernel divided by each window's count
(``AvgPool``), its gradient the transposed convolution (``AvgPoolGrad``); adaptive
average pooling is ``Mh @ x @ Mw`` with averaging matrices (``AdaptiveAvgPool``), its
gradient the same with the transposes.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import xp_of
from ._spec import OpSpec
from .conv import _conv, _conv_transpose
from .losses import F
from .pooling import _batched, _geometry, _pool_batched, adaptive_sizes
from .registry import LOOP, declare, op, public_names


class AvgPool(Node):
    """d mean over each window = grad / count spread over the window (``AvgPoolGrad``)"""

    upcast_float16 = False  # PyTorch's CPU convolution accumulates in float16

    def forward(self, x, k, geom, counts, out_shape):
        xp = self.xp
        n, c = x.shape[:2]
        ones = xp.ones((1, 1) + k, x.dtype)
        total = _conv(xp, x.reshape((n * c, 1) + x.shape[2:]), ones, geom)
        out = (total / counts).astype(x.dtype, copy=False).reshape((n, c) + total.shape[2:])
        self.args = (x.shape, k, geom, counts)
        self.pooled_shape = out.shape
        return out if out_shape is None else out.reshape(out_shape)

    def backward(self, grad):
        g = grad.reshape(self.pooled_shape)
        return AvgPoolGrad.apply(g, *self.args), None, None, None, None


class AvgPool3d(AvgPool):
    """d mean over each 3-d window = grad / count spread over the window"""


class AvgPool1d(AvgPool):
    """d mean over each 1-d window (PyTorch: 2-d pooling of a row, squeezed)"""


class AvgPoolGrad(Node):
    """The gradient of average pooling (linear: d = average pooling of the gradient)"""

    upcast_float16 = False

    def forward(self, g, x_shape, k, geom, counts):
        xp = self.xp
        n, c = x_shape[:2]
        gs = (g.reshape((n * c, 1) + g.shape[2:]) / counts).astype(g.dtype, copy=False)
        ones = xp.ones((1, 1) + k, g.dtype)
        self.args = (k, geom, counts)
        return _conv_transpose(xp, gs, ones, geom, x_shape[2:]).reshape(x_shape)

    def backward(self, grad):
        return AvgPool.apply(grad, *self.args, None), None, None, None, None


def _avg_pool(
    nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name
):
    x, unb = _batched(input, nd, name)
    k, s, pads, d, o = _geometry(x, nd, kernel_size, stride, padding, 1, ceil_mode, name)
    size = tuple(x.shape[2:])
    geom = (s, pads, d, 1)
    if divisor_override:
        counts = divisor_override
    else:
        # Divisor per window: positions inside the padded input (or the input only).
        xp = xp_of(x._data)
        dt = x._data.dtype
        mask = xp.zeros((1, 1) + tuple(i + lo + hi for i, (lo, hi) in zip(size, pads)), dt)
        if count_include_pad:
            region = tuple(slice(0, i + 2 * lo) for i, (lo, _) in zip(size, pads))
        else:
            region = tuple(slice(lo, lo + i) for i, (lo, _) in zip(size, pads))
        mask[(0, 0) + region] = 1
        counts = _conv(xp, mask, xp.ones((1, 1) + k, dt), (s, ((0, 0),) * nd, d, 1))
    out_shape = tuple(x.shape[1:2]) + tuple(o) if unb else None
    return _AVG_NODES[nd].apply(x, k, geom, counts, out_shape)


@op(None)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-d average pooling over (N, C, L) inputs."""
    return _avg_pool(
        1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d"
    )


def _avg_pool_nd(nd, layout):
    """``avg_pool{nd}d`` (2-d and 3-d, which take ``divisor_override``)."""
    name = f"avg_pool{nd}d"

    def avg_pool(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):  # fmt: skip
        args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
        return _avg_pool(nd, input, *args, name)

    avg_pool.__name__ = avg_pool.__qualname__ = name
    avg_pool.__doc__ = f"{nd}-d average pooling over (N, C, {layout}) inputs."
    return avg_pool


avg_pool2d = op(None, public=False)(_avg_pool_nd(2, "H, W"))
avg_pool3d = op(None, public=False)(_avg_pool_nd(3, "D, H, W"))


def _adaptive_matrix(xp, n_in, n_out, dtype):
    """(n_out, n_in) averaging matrix over PyTorch's adaptive windows."""
    m = xp.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        lo = (i * n_in) // n_out
        hi = -(-((i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def _spec(name, fname, samples, **kw):
    return OpSpec(name, lambda t, x: F(t, fname)(x, **kw), samples, shapes=None)


# ----- adaptive average pooling -----------------------------------------------------------
class AdaptiveAvgPool(Node):
    """d (Mh @ x @ Mw) = Mh^T @ grad @ Mw^T (``AdaptiveAvgPoolGrad``, the same map transposed)"""

    def forward(self, x, mh, mw):
        self.mats = (mh, mw)
        out = x @ mw
        return out if mh is None else mh @ out

    def backward(self, grad):
        mh, mw = self.mats
        return self.adjoint.apply(grad, None if mh is None else mh.T, mw.T), None, None


class AdaptiveAvgPool1d(AdaptiveAvgPool):
    """d (x @ Mw) = grad @ Mw^T (PyTorch: 2-d adaptive pooling of a row, squeezed)"""


class AdaptiveAvgPoolGrad(AdaptiveAvgPool):
    """The gradient of adaptive average pooling (linear: d = adaptive average pooling)"""


AdaptiveAvgPool.adjoint = AdaptiveAvgPoolGrad
AdaptiveAvgPoolGrad.adjoint = AdaptiveAvgPool


@op(None)
def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    (o,) = adaptive_sizes(output_size, input.shape[-1:], 1)
    m = _adaptive_matrix(xp_of(input._data), input.shape[-1], o, input._data.dtype)
    return AdaptiveAvgPool1d.apply(input, None, m.T.copy())


# (output size 1: a mean, as in PyTorch)
@op(
    None,
    public=False,
    spec=_spec("adaptive_avg_pool2d_1", "adaptive_avg_pool2d", [((2, 3, 4, 4),)], output_size=1),
)
def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (H, W) output size; separable, so two matrix products."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + str(list(input.shape))
        )
    oh, ow = adaptive_sizes(output_size, input.shape[-2:], 2)
    if (oh, ow) == (1, 1):  # PyTorch: a mean
        return input.mean((-2, -1), keepdim=True)
    xp = xp_of(input._data)
    h, w = input.shape[-2:]
    dt = input._data.dtype
    mh = _adaptive_matrix(xp, h, oh, dt)
    mw = _adaptive_matrix(xp, w, ow, dt).T.copy()
    return AdaptiveAvgPool.apply(input, mh, mw)


def _grad_spec(name, pool, shapes):
    """A spec of the recorded gradient of ``pool``."""

    def fn(t, x, g):
        return t.autograd.grad(pool(t, x), x, g, create_graph=True)[0]

    return OpSpec(name, fn, [shapes], shapes=None)


_PAD_CEIL = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
declare(
    AvgPool,
    None,
    grad_fn="AvgPool2DBackward0",
    vmap=_pool_batched,
    spec=(
        _spec("avg_pool2d", "avg_pool2d", [((2, 2, 4, 4),), ((2, 4, 4),)], kernel_size=2),
        _spec("avg_pool2d_pad_ceil", "avg_pool2d", [((1, 2, 6, 5),)], **_PAD_CEIL),
        _spec(
            "avg_pool2d_nopad_count",
            "avg_pool2d",
            [((1, 2, 6, 5),)],
            **_PAD_CEIL,
            count_include_pad=False,
        ),
        _spec(
            "avg_pool2d_divisor", "avg_pool2d", [((1, 2, 4, 4),)], kernel_size=2, divisor_override=3
        ),
    ),
)
declare(AvgPool3d, None, grad_fn="AvgPool3DBackward0", vmap=_pool_batched,
        spec=_spec("avg_pool3d", "avg_pool3d", [((1, 1, 4, 4, 4),)], kernel_size=2))  # fmt: skip
declare(
    AvgPool1d,
    None,
    grad_fn="SqueezeBackward1",
    vmap=_pool_batched,
    spec=_spec(
        "avg_pool1d",
        "avg_pool1d",
        [((2, 2, 7),)],
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False,
    ),
)
declare(
    AvgPoolGrad,
    None,
    grad_fn="AvgPool2DBackwardBackward0",
    vmap=LOOP,
    spec=_grad_spec(
        "avg_pool2d_grad", lambda t, x: F(t, "avg_pool2d")(x, 2), ((2, 2, 4, 4), (2, 2, 2, 2))
    ),
)
declare(
    AdaptiveAvgPool,
    None,
    grad_fn="AdaptiveAvgPool2DBackward0",
    vmap=LOOP,
    spec=(
        _spec(
            "adaptive_avg_pool2d",
            "adaptive_avg_pool2d",
            [((1, 2, 5, 7),), ((2, 3, 4, 4),)],
            output_size=(2, 3),
        ),
    ),
)
declare(
    AdaptiveAvgPool1d,
    None,
    grad_fn="SqueezeBackward1",
    vmap=LOOP,
    spec=_spec("adaptive_avg_pool1d", "adaptive_avg_pool1d", [((2, 2, 7),)], output_size=3),
)
declare(
    AdaptiveAvgPoolGrad,
    None,
    grad_fn="AdaptiveAvgPool2DBackwardBackward0",
    vmap=LOOP,
    spec=_grad_spec(
        "adaptive_avg_pool2d_grad",
        lambda t, x: F(t, "adaptive_avg_pool2d")(x, (2, 3)),
        ((1, 2, 5, 7), (1, 2, 2, 3)),
    ),
)
_AVG_NODES = {1: AvgPool1d, 2: AvgPool, 3: AvgPool3d}

__all__ = public_names(__name__)
