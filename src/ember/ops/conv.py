"""Convolution (1-d, 2-d, 3-d) and transposed convolution as one GEMM over a strided view.

Three linear nodes close under differentiation, so every order of gradient works:
``ConvNd(x, w, b)`` (the convolution, its bias added in the node as PyTorch does),
``ConvTransposeNd(g, w, b)`` (its input gradient, also the transposed convolution) and
``ConvWeightNd(x, g)`` (its weight gradient).  Each is the partial derivative of the
trilinear form <g, conv(x, w)> with respect to one argument, so each one's backward is
the other two.

A geometry tuple ``(stride, pads, dilation, groups)`` travels with every node;
``pads`` holds ``(low, high)`` zero padding per spatial dimension.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from . import batching
from ._spec import OpSpec
from .conv_flat import flat_conv, flat_conv_transpose, flat_conv_weight, flat_pays
from .linalg import ctype_name
from .losses import F, needs
from .registry import LOOP, declare, op, public_names


def _pad(xp, x, pads, value=0):
    if not any(lo or hi for lo, hi in pads):
        return x
    width = ((0, 0), (0, 0)) + tuple(pads)
    return xp.pad(x, width, constant_values=value)


def windows(xp, xpad, kshape, stride, dilation, out_shape):
    """View of shape (N, C, *out, *kernel): every receptive field of ``xpad``, no copy."""
    nd = len(kshape)
    ext = tuple(d * (k - 1) + 1 for k, d in zip(kshape, dilation))
    v = xp.lib.stride_tricks.sliding_window_view(xpad, ext, axis=tuple(range(2, 2 + nd)))
    sl = (slice(None), slice(None))
    sl += tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out_shape, stride))
    sl += tuple(slice(None, None, d) for d in dilation)
    return v[sl]


def out_shape(in_shape, kshape, stride, pads, dilation):
    """Spatial output size of a convolution."""
    return tuple(
        (i + lo + hi - d * (k - 1) - 1) // s + 1
        for i, k, s, (lo, hi), d in zip(in_shape, kshape, stride, pads, dilation)
    )


def _columns(xp, win):
    """The receptive fields as one contiguous (C*K..., N*out...) matrix (im2col).

    Copied in (C, K..., N, out...) order, whose innermost run is an output row, so the
    copy moves whole rows rather than kernel-width snippets.
    """
    nd = (win.ndim - 2) // 2
    order = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    cols = xp.ascontiguousarray(win.transpose(order))
    return cols.reshape(math.prod(cols.shape[: 1 + nd]), -1)


def _channels_first(xp, g):
    """(N, C, ...) -> contiguous (C, N * ...)."""
    return xp.ascontiguousarray(xp.moveaxis(g, 1, 0)).reshape(g.shape[1], -1)


def _padded(sizes, pads):
    """Spatial sizes after zero padding."""
    return tuple(i + lo + hi for i, (lo, hi) in zip(sizes, pads))


def _finite(xp, a):
    """True when every element of ``a`` is finite (integers always are)."""
    return a.dtype.kind not in "fc" or bool(xp.isfinite(a).all())


def _conv(xp, x, w, geom):
    stride, pads, dilation, groups = geom
    kshape = w.shape[2:]
    osh = out_shape(x.shape[2:], kshape, stride, pads, dilation)
    padded = _padded(x.shape[2:], pads)
    if flat_pays(stride, padded, osh):
        return flat_conv(xp, x, w, pads, dilation, groups, padded, osh)
    win = windows(xp, _pad(xp, x, pads), kshape, stride, dilation, osh)
    cg, og = x.shape[1] // groups, w.shape[0] // groups
    # One GEMM per group: (O, C*K...) @ (C*K..., N*out...).
    parts = [
        w[i * og : (i + 1) * og].reshape(og, -1) @ _columns(xp, win[:, i * cg : (i + 1) * cg])
        for i in range(groups)
    ]
    out = parts[0] if groups == 1 else xp.concatenate(parts, axis=0)
    out = out.reshape((w.shape[0], x.shape[0]) + osh)
    return xp.ascontiguousarray(xp.moveaxis(out, 0, 1))


def _conv_transpose(xp, g, w, geom, in_shape):
    """Scatter ``g`` back through the kernel: the input gradient of ``_conv`` (col2im)."""
    stride, pads, dilation, groups = geom
    kshape = w.shape[2:]
    osh = g.shape[2:]
    n = g.shape[0]
    og, cg = w.shape[0] // groups, w.shape[1]
    padded = _padded(in_shape, pads)
    if flat_pays(stride, padded, osh) and _finite(xp, w):
        return flat_conv_transpose(xp, g, w, pads, dilation, groups, padded, in_shape)
    xpad = xp.zeros((n, cg * groups) + padded, dtype=xp.result_type(g, w))
    for gi in range(groups):
        # cols: (Cg, K..., N, out...), one GEMM per group
        cols = w[gi * og : (gi + 1) * og].reshape(og, -1).T @ _channels_first(
            xp, g[:, gi * og : (gi + 1) * og]
        )
        cols = cols.reshape((cg,) + tuple(kshape) + (n,) + tuple(osh))
        target = xpad[:, gi * cg : (gi + 1) * cg]
        # One strided add per kernel offset (a loop over the kernel, not over pixels).
        for kidx in ndindex(kshape):
            sl = (slice(None), slice(None)) + tuple(
                slice(k * d, k * d + (o - 1) * s + 1, s)
                for k, d, o, s in zip(kidx, dilation, osh, stride)
            )
            target[sl] += xp.moveaxis(cols[(slice(None),) + kidx], 1, 0)
    crop = (slice(None), slice(None)) + tuple(
        slice(lo, lo + i) for i, (lo, _) in zip(in_shape, pads)
    )
    return xpad[crop]


def _conv_weight(xp, x, g, geom, kshape):
    stride, pads, dilation, groups = geom
    osh = g.shape[2:]
    padded = _padded(x.shape[2:], pads)
    if flat_pays(stride, padded, osh):
        out = flat_conv_weight(xp, x, g, pads, dilation, groups, padded, kshape)
        # A finite result saw no 0 * inf at a dropped position (that would be NaN); checked
        # on the small result rather than a pass over the input.
        if _finite(xp, out):
            return out
    win = windows(xp, _pad(xp, x, pads), kshape, stride, dilation, osh)
    cg, og = x.shape[1] // groups, g.shape[1] // groups
    # One GEMM per group: (O, N*out...) @ (N*out..., C*K...).
    parts = [
        _channels_first(xp, g[:, i * og : (i + 1) * og])
        @ _columns(xp, win[:, i * cg : (i + 1) * cg]).T
        for i in range(groups)
    ]
    out = parts[0] if groups == 1 else xp.concatenate(parts, axis=0)
    return out.reshape((g.shape[1], cg) + tuple(kshape))


def ndindex(shape):
    """Every index tuple of an array of ``shape``, in row-major order."""
    idx = [()]
    for s in shape:
        idx = [i + (k,) for i in idx for k in range(s)]
    return idx


def _add_bias(out, b):
    if b is not None:
        out += b.reshape((1, -1) + (1,) * (out.ndim - 2))
    return out


def _bias_grad(grad, node, i):
    """The bias gradient: ``grad`` summed over every dim but the channels."""
    if not needs(node, i):
        return None
    return grad.sum((0,) + tuple(range(2, grad.dim())))


class _ConvFamily(Node):
    """A node of two convolution operands, each saved only for the other's gradient."""

    upcast_float16 = False  # PyTorch's CPU convolution accumulates in float16

    def keep(self, a, b, geom):
        """Record the geometry; save ``a`` when ``b`` needs a gradient, ``b`` when ``a`` does."""
        self.geom = geom
        self.save_for_backward(a if needs(self, 1) else None, b if needs(self, 0) else None)


class ConvNd(_ConvFamily):
    """d conv(x, w) + b = conv_transpose(g, w) dx + conv_weight(x, g) dw + sum(g) db"""

    def forward(self, x, w, b, geom):
        self.keep(x, w, geom)
        self.in_shape = x.shape[2:]
        return _add_bias(_conv(self.xp, x, w, geom), b)

    def backward(self, grad):
        x, w = self.saved_tensors
        gx = (
            ConvInputGrad.apply(grad, w, None, self.geom, self.in_shape) if needs(self, 0) else None
        )
        gw = ConvWeightNd.apply(x, grad, self.geom, w_shape(self)) if needs(self, 1) else None
        return gx, gw, _bias_grad(grad, self, 2), None


def w_shape(node):
    """Kernel shape recorded in the node's input metadata."""
    return node._in_meta[1][0][2:]


def _conv_batched(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule: ``batching.conv`` for the convolution, then each example's bias."""
    x, w, b, geom = args

    def unbiased(c, x, w, geom):
        return apply(c, x, w, None, geom)

    out = batching.conv(unbiased, cls, (x, w, geom), (flags[0], flags[1], False), shapes, kw, B)
    if b is None:
        return out
    nd = out.dim() - 3
    if flags[2]:  # per-example biases (B, O)
        return out + b.reshape((B, 1, -1) + (1,) * nd)
    return out + b.reshape((-1,) + (1,) * nd)


def _conv_spec(name, fname, samples, **kw):
    return OpSpec(name, lambda t, *xs: F(t, fname)(*xs, **kw), samples, shapes=None)


declare(
    ConvNd,
    None,
    grad_fn="ConvolutionBackward0",
    vmap=_conv_batched,
    spec=(
        _conv_spec("conv2d", "conv2d", [((1, 2, 4, 4), (2, 2, 2, 2), (2,)),
                                        ((2, 3, 5, 6), (4, 3, 3, 3), (4,))], padding=1),
        _conv_spec("conv1d", "conv1d", [((2, 2, 7), (3, 2, 3), (3,))], stride=2, padding=1),
        _conv_spec("conv2d_stride_dil", "conv2d", [((1, 2, 6, 5), (2, 2, 2, 2))],
                   stride=(2, 1), dilation=2),
        _conv_spec("conv2d_groups", "conv2d", [((1, 4, 5, 4), (4, 2, 2, 2))], stride=2,
                   padding=(1, 0), groups=2),
        _conv_spec("conv2d_same", "conv2d", [((1, 2, 4, 5), (2, 2, 2, 2))], padding="same",
                   dilation=(1, 2)),
        _conv_spec("conv3d", "conv3d", [((1, 2, 3, 3, 3), (2, 2, 2, 2, 2))], padding=1, stride=2),
    ),
)  # fmt: skip


class ConvTransposeNd(_ConvFamily):
    """d conv_transpose(g, w) + b = conv(h, w) dg + conv_weight(h, g) dw + sum(h) db"""

    def forward(self, g, w, b, geom, in_shape):
        self.keep(g, w, geom)
        return _add_bias(_conv_transpose(self.xp, g, w, geom, in_shape), b)

    def backward(self, grad):
        g, w = self.saved_tensors
        gg = (
            _leading_corner(ConvNd.apply(grad, w, None, self.geom), self)
            if needs(self, 0)
            else None
        )
        gw = ConvWeightNd.apply(grad, g, self.geom, w_shape(self)) if needs(self, 1) else None
        return gg, gw, _bias_grad(grad, self, 2), None, None


def _leading_corner(t, node):
    """``t`` cut to the node's first input's spatial shape: with stride 1, an output padding
    (allowed below the dilation) adds outputs that no input element reached."""
    shape = node._in_meta[0][0]
    if tuple(t.shape) == shape:
        return t
    return t[(slice(None), slice(None)) + tuple(slice(0, s) for s in shape[2:])]


class ConvInputGrad(ConvTransposeNd):
    """The input gradient of a convolution (a transposed convolution), recorded when the
    gradient itself is differentiated (PyTorch: the convolution's double backward)"""


def _double_backward(wrt):
    """A spec function: the gradient of ``conv2d`` with respect to input ``wrt``, recorded
    (so its own node, the convolution's double backward, is the one tested)."""

    def fn(t, x, w, g):
        y = F(t, "conv2d")(x, w, stride=2, padding=1)
        return t.autograd.grad(y, (x, w)[wrt], g, create_graph=True)[0]

    return fn


_DOUBLE = [((1, 2, 5, 5), (3, 2, 3, 3), (1, 3, 3, 3))]
declare(ConvInputGrad, None, grad_fn="ConvolutionBackwardBackward0", vmap=LOOP,
        spec=OpSpec("conv2d_input_grad", _double_backward(0), _DOUBLE, shapes=None))  # fmt: skip


class ConvWeightNd(_ConvFamily):
    """d conv_weight(x, g) = conv_transpose(g, k) dx + conv(x, k) dg"""

    def forward(self, x, g, geom, kshape):
        self.keep(x, g, geom)
        self.in_shape = x.shape[2:]
        return _conv_weight(self.xp, x, g, geom, kshape)

    def backward(self, grad):
        x, g = self.saved_tensors
        gx = (
            ConvInputGrad.apply(g, grad, None, self.geom, self.in_shape) if needs(self, 0) else None
        )
        gg = ConvNd.apply(x, grad, None, self.geom) if needs(self, 1) else None
        return gx, gg, None, None


declare(ConvWeightNd, None, grad_fn="ConvolutionBackwardBackward0", vmap=LOOP,
        spec=OpSpec("conv2d_weight_grad", _double_backward(1), _DOUBLE, shapes=None))  # fmt: skip


# ----- public functions -------------------------------------------------------------------
def _tuple(v, n, name="value"):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return tuple(v) * n
        if len(v) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to match "
                f"the convolution dimensions, but got {name}={list(v)}"
            )
        return tuple(int(i) for i in v)
    return (int(v),) * n


# PyTorch's error for an input of the wrong rank (unbatched rank, batched rank, op, shape).
_RANK = "Expected {0}D (unbatched) or {1}D (batched) input to {2}, but got input of size: {3}"


def batch_of_one(input, nd, name, message=_RANK):
    """``input`` with a leading batch of one when it has ``nd + 1`` dimensions, and whether
    one was added; PyTorch's ``message`` for ``name`` unless it has ``nd + 1`` or ``nd + 2``."""
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    if input.dim() != nd + 2:
        raise RuntimeError(message.format(nd + 1, nd + 2, name, list(input.shape)))
    return input, False


def _promote(input, weight):
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"Input type ({ctype_name(input)}) and weight type ({ctype_name(weight)}) should be "
            "the same"
        )


def _convnd(nd, input, weight, bias, stride, padding, dilation, groups, name):
    x, unb = batch_of_one(input, nd, name)
    _promote(x, weight)
    if weight.dim() != nd + 2:
        raise RuntimeError(
            "weight should have at least three dimensions"
            if weight.dim() < 3
            else f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
            f"{list(x.shape)}, but got {weight.dim()}-dimensional weight of size "
            f"{list(weight.shape)} instead"
        )
    stride = _tuple(stride, nd, "stride")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    dilation = _tuple(dilation, nd, "dilation")
    kshape = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            pads = tuple(
                (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kshape, dilation)
            )
        else:
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding"))
        if any(p < 0 for p, _ in pads):
            raise RuntimeError("negative padding is not supported")
    c = x.shape[1]
    if weight.shape[1] * groups != c:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {c} "
            "channels instead"
        )
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    osh = out_shape(x.shape[2:], kshape, stride, pads, dilation)
    if any(o <= 0 for o in osh):
        padded = [i + lo + hi for i, (lo, hi) in zip(x.shape[2:], pads)]
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(str(d * (k - 1) + 1) for k, d in zip(kshape, dilation))}"
            "). Kernel size can't be greater than actual input size"
        )
    out = ConvNd.apply(x, weight, bias, (stride, pads, dilation, groups))
    return out.squeeze(0) if unb else out


@op(None)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) over (N, C, L) inputs."""
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups, "conv1d")


@op(None)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over (N, C, H, W) inputs."""
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups, "conv2d")


@op(None)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) over (N, C, D, H, W) inputs."""
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups, "conv3d")


def _conv_transposend(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, unb = batch_of_one(input, nd, f"conv_transpose{nd}d")
    _promote(x, weight)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    padding = _tuple(padding, nd, "padding")
    output_padding = _tuple(output_padding, nd, "output_padding")
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} channels "
            "instead"
        )
    for opad, s, d in zip(output_padding, stride, dilation):
        if opad >= s and opad >= d:
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {opad} stride: {s} dilation: {d}"
            )
    kshape = weight.shape[2:]
    in_shape = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, s, p, d, k, op in zip(x.shape[2:], stride, padding, dilation, kshape, output_padding)
    )
    pads = tuple((p, p) for p in padding)
    out = ConvTransposeNd.apply(x, weight, bias, (stride, pads, dilation, groups), in_shape)
    return out.squeeze(0) if unb else out


@op(None)
def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-d transposed convolution (the gradient of conv1d w.r.t. its input)."""
    return _conv_transposend(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


@op(None)
def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-d transposed convolution (the gradient of conv2d w.r.t. its input)."""
    return _conv_transposend(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


# (an unbatched input: the result squeezed, as in PyTorch)
@op(
    None,
    spec=_conv_spec(
        "conv_transpose3d_unbatched", "conv_transpose3d", [((2, 3, 3, 3), (2, 1, 2, 2, 2))]
    ),
)
def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """3-d transposed convolution (the gradient of conv3d w.r.t. its input)."""
    return _conv_transposend(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


declare(
    ConvTransposeNd,
    None,
    grad_fn="ConvolutionBackward0",
    vmap=LOOP,
    spec=(
        _conv_spec("conv_transpose2d", "conv_transpose2d", [((1, 2, 3, 3), (2, 3, 3, 3), (3,))],
                   stride=2, padding=1, output_padding=1),
        _conv_spec("conv_transpose2d_groups", "conv_transpose2d", [((1, 4, 3, 3), (4, 1, 2, 2))],
                   stride=(1, 2), groups=2, dilation=2),
        _conv_spec("conv_transpose1d", "conv_transpose1d", [((2, 3, 5), (3, 2, 3), (2,))],
                   stride=2),
    ),
)  # fmt: skip

__all__ = public_names(__name__)
