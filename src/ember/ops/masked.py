"""Ops steered by a boolean mask: masked_fill, masked_select, masked_scatter."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import Node, array_backward
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._spec import OpSpec
from .index_ops import check_value
from .indexing import GetItem
from .indexing_backward import index_put_add
from .registry import LOOP, declare, op, public_names


def _check_mask(op, mask, style="c"):
    m = mask._data if isinstance(mask, Tensor) else _np.asarray(mask)
    if m.dtype != bool:
        if style == "c":
            word = _out.C_NAMES.get(m.dtype.name, m.dtype.name)
        else:
            word = _dt.scalar_type_name(m.dtype)
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {word}")
    return m


def _broadcast(input, mask):
    try:
        return _np.broadcast_shapes(input._data.shape, mask.shape)
    except ValueError:
        from ._binary import broadcast_error

        raise broadcast_error(Tensor._make(mask), input) from None


class MaskedFill(Node):
    """d masked_fill(x, m, v) = grad zeroed where m to x, the sum of grad where m to v"""

    def forward(self, x, value, mask):
        self.mask = mask
        v = self.xp.asarray(value, dtype=x.dtype)
        return self.xp.where(mask, v, x)

    def backward(self, grad):
        n = self.needs_input_grad
        gx = _zeroed_at_mask(self, grad) if n[0] else None
        gv = MaskedFill.apply(grad, 0.0, ~self.mask).sum() if n[1] else None
        return gx, gv, None


def _zeroed_at_mask(node, grad):
    """``grad`` with zeros where ``node.mask`` holds (the gradient of what a fill replaced)."""
    if array_backward(grad):  # the same fill, without a node
        g = grad._data
        return type(grad)._make(node.xp.where(node.mask, node.xp.zeros((), g.dtype), g))
    return MaskedFill.apply(grad, 0.0, node.mask)


class MaskedFillTensor(MaskedFill):
    """masked_fill with a 0-d tensor value: its gradient is the sum of grad where m"""


def _checked(input, mask, value):
    """masked_fill's argument checks (PyTorch's errors); the mask's bool array."""
    m = _check_mask("masked_fill_", mask)
    check_value("masked_fill_", value)
    _broadcast(input, m)
    return m


def masked_fill_(self, mask, value):
    """In-place ``masked_fill``.  On an expanded tensor (elements sharing memory) only the
    masked positions are written, with PyTorch's deprecation warning, as PyTorch does."""
    from .inplace import check_inplace, destination, inplace, overlapping

    data = self._data
    if (
        data.flags.writeable
        or not overlapping(data)
        or (
            _grad_state.enabled and (self._requires_grad or getattr(value, "_requires_grad", False))
        )
    ):
        return inplace(self, masked_fill, mask, value)
    m = _checked(self, mask, value)
    check_inplace(self)
    warn(
        "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor "
        "before performing this operation. This also applies to advanced indexing e.g. "
        "tensor[mask] = scalar"
    )
    v = value._data if isinstance(value, Tensor) else value
    destination(self, fill=True)[_np.broadcast_to(m, data.shape)] = v
    self._bump_version("masked_fill_")
    return self


@op(
    MaskedFill,
    methods="masked_fill",
    inplace=masked_fill_,
    vmap=LOOP,
    spec=OpSpec(
        "masked_fill",
        lambda t, a, b: a.masked_fill(b > 0, 2.5),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((0, 3), (3,))],
        shapes="broadcast2",
        grad=(True, False),
    ),
)
def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or 0-d tensor) where ``mask`` is True (broadcast)."""
    m = _checked(input, mask, value)
    if isinstance(value, Tensor):
        if not value._requires_grad:
            value = value._data
        return MaskedFillTensor.apply(input, value, m)
    return MaskedFill.apply(input, value, m)


declare(
    MaskedFillTensor,
    grad_fn="MaskedFillBackward1",
    vmap=LOOP,
    spec=OpSpec(
        "masked_fill_tensor",
        lambda t, a, b, v: a.masked_fill(b > 0, v),
        [((3, 4), (4,), ())],
        shapes=None,
        grad=(True, False, True),
    ),
)


class MaskedSelect(Node):
    """d masked_select(x, m) = zeros with grad put where m (broadcast back by the engine)"""

    def forward(self, x, mask):
        shape = self.xp.broadcast_shapes(x.shape, mask.shape)
        self.mask = self.xp.broadcast_to(mask, shape)
        return self.xp.broadcast_to(x, shape)[self.mask]

    def backward(self, grad):
        return index_put_add(self.mask.shape, self.mask, grad), None


@op(
    MaskedSelect,
    methods="masked_select",
    vmap=LOOP,
    spec=OpSpec(
        "masked_select",
        lambda t, a, b: t.masked_select(a, b > 0),
        [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ())],
        shapes="broadcast2",
        grad=(True, False),
    ),
)
def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (broadcast)."""
    m = mask._data if isinstance(mask, Tensor) else _np.asarray(mask)
    if m.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _broadcast(input, m)

    def check(o):
        if o._data.dtype != input._data.dtype:
            raise RuntimeError("masked_select(): self and result must have the same scalar type")

    return _out.result_into(
        "masked_select", out, (input,), lambda: MaskedSelect.apply(input, m), check
    )


class MaskedScatter(Node):
    """d masked_scatter(x, m, s) = grad zeroed where m to x, grad[m] to s's first elements"""

    def forward(self, x, src, mask):
        xp = self.xp
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        self.mask = xp.broadcast_to(mask, shape)
        self.src_shape = src.shape
        out = xp.broadcast_to(x, shape).copy()
        k = int(self.mask.sum())
        out[self.mask] = src.reshape(-1)[:k]
        self.k = k
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = _zeroed_at_mask(self, grad) if n[0] else None
        gs = None
        if n[1]:
            picked = GetItem.apply(grad, self.mask, False)
            size = 1
            for s in self.src_shape:
                size *= s
            gs = index_put_add((size,), slice(0, self.k), picked).reshape(self.src_shape)
        return gx, gs, None


@op(
    MaskedScatter,
    methods="masked_scatter",
    inplace=True,
    vmap=LOOP,
    spec=OpSpec(
        "masked_scatter",
        lambda t, a, b, s: a.masked_scatter(b > 0, s),
        [((3, 4), (4,), (3, 5))],
        shapes=None,
        grad=(True, False, True),
    ),
)
def masked_scatter(input, mask, source):
    """``input`` with the leading elements of ``source`` written where ``mask`` is True."""
    m = _check_mask("masked_scatter_", mask, style="torch")
    if source._data.dtype != input._data.dtype:
        word = _dt.scalar_type_name
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{word(input._data.dtype)} and {word(source._data.dtype)}"
        )
    shape = _broadcast(input, m)
    if source._data.size < int(_np.broadcast_to(m, shape).sum()):
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, m)


__all__ = public_names(__name__)
