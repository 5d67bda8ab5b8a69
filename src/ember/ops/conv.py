"""Convolution (1-d, 2-d, 3-d) and transposed convolution as one GEMM over a strided view.

Three linear nodes close under differentiation, so every order of gradient works:
``ConvNd(x, w)`` (the convolution), ``ConvTransposeNd(g, w)`` (its input gradient, also
the transposed convolution) and ``ConvWeightNd(x, g)`` (its weight gradient).  Each is
the partial derivative of the trilinear form <g, conv(x, w)> with respect to one
argument, so each one's backward is the other two.

A geometry tuple ``(stride, pads, dilation, groups)`` travels with every node;
``pads`` holds ``(low, high)`` zero padding per spatial dimension.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec, register

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


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


def _conv(xp, x, w, geom):
    stride, pads, dilation, groups = geom
    kshape = w.shape[2:]
    osh = out_shape(x.shape[2:], kshape, stride, pads, dilation)
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
    padded = tuple(i + lo + hi for i, (lo, hi) in zip(in_shape, pads))
    xpad = xp.zeros((n, cg * groups) + padded, dtype=xp.result_type(g, w))
    for gi in range(groups):
        # cols: (Cg, K..., N, out...), one GEMM per group
        cols = w[gi * og : (gi + 1) * og].reshape(og, -1).T @ _channels_first(
            xp, g[:, gi * og : (gi + 1) * og]
        )
        cols = cols.reshape((cg,) + tuple(kshape) + (n,) + tuple(osh))
        target = xpad[:, gi * cg : (gi + 1) * cg]
        # One strided add per kernel offset (a loop over the kernel, not over pixels).
        for kidx in _ndindex(kshape):
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


def _ndindex(shape):
    idx = [()]
    for s in shape:
        idx = [i + (k,) for i in idx for k in range(s)]
    return idx


def _needs(node, i):
    n = node.needs_input_grad
    return n is not None and n[i]


class ConvNd(Node):
    """d conv(x, w) = conv_transpose(g, w) dx + conv_weight(x, g) dw"""

    upcast_float16 = False  # PyTorch's CPU convolution accumulates in float16

    def forward(self, x, w, geom):
        self.geom = geom
        self.in_shape = x.shape[2:]
        self.save_for_backward(x if _needs(self, 1) else None, w if _needs(self, 0) else None)
        return _conv(self.xp, x, w, geom)

    def backward(self, grad):
        x, w = self.saved_tensors
        gx = ConvTransposeNd.apply(grad, w, self.geom, self.in_shape) if _needs(self, 0) else None
        gw = ConvWeightNd.apply(x, grad, self.geom, w_shape(self)) if _needs(self, 1) else None
        return gx, gw, None

    def name(self):
        return "ConvolutionBackward0"


def w_shape(node):
    """Kernel shape recorded in the node's input metadata."""
    return node._in_meta[1][0][2:]


class ConvTransposeNd(Node):
    """d conv_transpose(g, w) = conv(h, w) dg + conv_weight(h, g) dw"""

    upcast_float16 = False  # PyTorch's CPU convolution accumulates in float16

    def forward(self, g, w, geom, in_shape):
        self.geom = geom
        self.save_for_backward(g if _needs(self, 1) else None, w if _needs(self, 0) else None)
        return _conv_transpose(self.xp, g, w, geom, in_shape)

    def backward(self, grad):
        g, w = self.saved_tensors
        gg = ConvNd.apply(grad, w, self.geom) if _needs(self, 0) else None
        gw = ConvWeightNd.apply(grad, g, self.geom, w_shape(self)) if _needs(self, 1) else None
        return gg, gw, None, None

    def name(self):
        return "ConvolutionBackward0"


class ConvWeightNd(Node):
    """d conv_weight(x, g) = conv_transpose(g, k) dx + conv(x, k) dg"""

    upcast_float16 = False  # PyTorch's CPU convolution accumulates in float16

    def forward(self, x, g, geom, kshape):
        self.geom = geom
        self.in_shape = x.shape[2:]
        self.save_for_backward(x if _needs(self, 1) else None, g if _needs(self, 0) else None)
        return _conv_weight(self.xp, x, g, geom, kshape)

    def backward(self, grad):
        x, g = self.saved_tensors
        gx = ConvTransposeNd.apply(g, grad, self.geom, self.in_shape) if _needs(self, 0) else None
        gg = ConvNd.apply(x, grad, self.geom) if _needs(self, 1) else None
        return gx, gg, None, None

    def name(self):
        return "ConvolutionBackwardBackward0"


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


def _unbatched(input, nd, name):
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    if input.dim() != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}"
        )
    return input, False


def _add_bias(out, bias, nd):
    if bias is None:
        return out
    return out + bias.reshape((1, -1) + (1,) * nd)


def _promote(input, weight):
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"Input type ({_tname(input)}) and weight type ({_tname(weight)}) should be the same"
        )


def _tname(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        str(t._data.dtype), str(t._data.dtype)
    )


def _convnd(nd, input, weight, bias, stride, padding, dilation, groups, name):
    x, unb = _unbatched(input, nd, name)
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
    out = ConvNd.apply(x, weight, (stride, pads, dilation, groups))
    out = _add_bias(out, bias, nd)
    return out.squeeze(0) if unb else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) over (N, C, L) inputs."""
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over (N, C, H, W) inputs."""
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) over (N, C, D, H, W) inputs."""
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups, "conv3d")


def _conv_transposend(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, unb = _unbatched(input, nd, f"conv_transpose{nd}d")
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
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {op} stride: {s} dilation: {d}"
            )
    kshape = weight.shape[2:]
    in_shape = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, s, p, d, k, op in zip(x.shape[2:], stride, padding, dilation, kshape, output_padding)
    )
    pads = tuple((p, p) for p in padding)
    out = ConvTransposeNd.apply(x, weight, (stride, pads, dilation, groups), in_shape)
    out = _add_bias(out, bias, nd)
    return out.squeeze(0) if unb else out


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-d transposed convolution (the gradient of conv1d w.r.t. its input)."""
    return _conv_transposend(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-d transposed convolution (the gradient of conv2d w.r.t. its input)."""
    return _conv_transposend(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """3-d transposed convolution (the gradient of conv3d w.r.t. its input)."""
    return _conv_transposend(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


METHODS = {}

_ = Tensor
register(
    OpSpec(
        "conv1d",
        lambda t, x, w, b: t.conv1d(x, w, b, stride=2, padding=1),
        [((2, 2, 7), (3, 2, 3), (3,))],
        shapes=None,
    ),
    OpSpec(
        "conv2d",
        lambda t, x, w, b: t.conv2d(x, w, b, padding=1),
        [((1, 2, 4, 4), (2, 2, 2, 2), (2,)), ((2, 3, 5, 6), (4, 3, 3, 3), (4,))],
        shapes=None,
    ),
    OpSpec(
        "conv2d_stride_dil",
        lambda t, x, w: t.conv2d(x, w, stride=(2, 1), dilation=2),
        [((1, 2, 6, 5), (2, 2, 2, 2))],
        shapes=None,
    ),
    OpSpec(
        "conv2d_groups",
        lambda t, x, w: t.conv2d(x, w, stride=2, padding=(1, 0), groups=2),
        [((1, 4, 5, 4), (4, 2, 2, 2))],
        shapes=None,
    ),
    OpSpec(
        "conv2d_same",
        lambda t, x, w: t.conv2d(x, w, padding="same", dilation=(1, 2)),
        [((1, 2, 4, 5), (2, 2, 2, 2))],
        shapes=None,
    ),
    OpSpec(
        "conv_transpose2d",
        lambda t, x, w, b: t.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        [((1, 2, 3, 3), (2, 3, 3, 3), (3,))],
        shapes=None,
    ),
    OpSpec(
        "conv_transpose2d_groups",
        lambda t, x, w: t.conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=2),
        [((1, 4, 3, 3), (4, 1, 2, 2))],
        shapes=None,
    ),
    OpSpec(
        "conv3d",
        lambda t, x, w: t.conv3d(x, w, padding=1, stride=2),
        [((1, 2, 3, 3, 3), (2, 2, 2, 2, 2))],
        shapes=None,
    ),
)
