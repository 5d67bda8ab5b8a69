"""Bounds: clamp (number or tensor bounds), clamp_min, clamp_max, maximum/minimum, fmax/fmin.

Gradients follow PyTorch at ties and bounds: clamp's bounds are inclusive
(``clamp(min=0)'(0) = 1``), ``maximum``/``minimum`` give each tied input half, and
``fmax``/``fmin`` give a tie to the first input and ignore NaN.  PyTorch records a
different node for number and tensor bounds (``ClampBackward1`` / ``ClampBackward0``,
``ClampMinBackward0`` / ``ClampMinBackward1``): each has its class here.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import apply_binary, broadcast_error, needs, promote
from ._pointwise import named
from ._spec import OpSpec
from .inplace import public_inplace
from .registry import declare, op, public_names
from .where import where

_EW = batching.elementwise
_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((0, 3), (3,))]
_U = [((3, 4),), ((),), ((0, 2),)]


def _clip(xp, x, lo, hi):
    """``x`` limited to ``[lo, hi]`` (either may be None); NaN in ``x`` or a bound stays NaN."""
    out = x
    if lo is not None:
        out = xp.maximum(out, lo)
    if hi is not None:
        out = xp.minimum(out, hi)
    return out


def tensor_arg(fn, x, name, pos):
    """PyTorch's TypeError for an argument that must be a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )


# ----- clamp -------------------------------------------------------------------------------
class ClampScalar(Node):
    """d clamp(x, lo, hi) = dx where lo <= x <= hi (bounds inclusive), else 0"""

    def forward(self, x, lo, hi):
        self.save_for_backward(x)
        self.lo, self.hi = lo, hi
        out = _clip(self.xp, x, lo, hi)
        return out if out is not x else x.copy()

    def backward(self, grad):
        (x,) = self.saved_tensors
        lo, hi = self.lo, self.hi
        if lo is None:
            mask = x <= hi
        elif hi is None:
            mask = x >= lo
        else:
            mask = (x >= lo) & (x <= hi)
        return where(mask, grad, 0.0), None, None


class Clamp(Node):
    """d clamp(x, lo, hi) for tensor bounds: dx where lo <= x <= hi; dlo where x < lo <= hi;
    dhi where x > hi or hi < lo"""

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)
        return _clip(self.xp, x, lo, hi)

    def backward(self, grad):
        x, lo, hi = self.saved_tensors
        glo = ghi = None
        if lo is None:
            gx = where(x <= hi, grad, 0.0) if needs(self, 0) else None
            ghi = where(x > hi, grad, 0.0) if needs(self, 2) else None
        elif hi is None:
            gx = where(x >= lo, grad, 0.0) if needs(self, 0) else None
            glo = where(x < lo, grad, 0.0) if needs(self, 1) else None
        else:
            # When hi < lo every output is hi: the gradient goes to hi alone.
            inverted = hi < lo
            gx = where((x >= lo) & (x <= hi), grad, 0.0) if needs(self, 0) else None
            if needs(self, 1):
                glo = where((x < lo) & ~inverted, grad, 0.0)
            if needs(self, 2):
                ghi = where((x > hi) | inverted, grad, 0.0)
        return gx, glo, ghi


# clamp_tensor's samples: PyTorch's own backward fails when a bound broadcasts the input to a
# larger shape.
declare(Clamp, vmap=_EW,
        spec=(OpSpec("clamp_tensor", lambda t, a, lo, hi: t.clamp(a, lo, hi),
                     [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (), ()),
                      ((2, 4), (4,), ())], shapes=None, domain=lambda z: z * 3, second_order=False),
              OpSpec("clamp_tensor_min", lambda t, a, lo: t.clamp(a, min=lo), _B2,
                     shapes="broadcast2", second_order=False),
              OpSpec("clamp_tensor_max", lambda t, a, hi: t.clamp(a, max=hi), _B2,
                     shapes="broadcast2", second_order=False)))  # fmt: skip


def _clamp_scalar(cls, input, lo, hi):
    x = input
    for b in (lo, hi):
        if b is not None:
            x, _ = promote(x, b)
    if x._data.dtype.kind in "iu":
        lo = None if lo is None else int(lo)
        hi = None if hi is None else int(hi)
    return cls.apply(x, lo, hi)


def _clamp_tensor(cls, input, lo, hi):
    rt = _dt.result_type(input, lo, hi).np
    x, lo, hi = (
        t if not isinstance(t, Tensor) or t._data.dtype == rt else t.to(rt) for t in (input, lo, hi)
    )
    try:
        return cls.apply(x, lo, hi)
    except ValueError:
        raise broadcast_error(*(t for t in (x, lo, hi) if t is not None)) from None


@op(ClampScalar, methods=("clamp", "clip"), inplace=True, aliases=("clip",), vmap=_EW,
    grad_fn="ClampBackward1",
    spec=(OpSpec("clamp", lambda t, a: t.clamp(a, -0.5, 0.7), _U, second_order=False),
          OpSpec("clamp_min", lambda t, a: a.clamp(min=0.2), _U[:2], second_order=False),
          OpSpec("clip", lambda t, a: a.clip(-0.3, 0.3), [((3, 4),)],
                 second_order=False)))  # fmt: skip
def clamp(input, min=None, max=None):
    """Limit ``input`` to ``[min, max]``; the bounds are both numbers or both tensors."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = isinstance(min, Tensor) + isinstance(max, Tensor)
    if tensors and tensors + (min is None) + (max is None) < 2:
        raise TypeError(
            "clamp() received an invalid combination of arguments - got (Tensor, "
            f"{type(min).__name__}, {type(max).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n"
        )
    if tensors:
        return _clamp_tensor(Clamp, input, min, max)
    return _clamp_scalar(ClampScalar, input, min, max)


clip = clamp


def _bounded(number_node, tensor_node, input, lo, hi):
    """clamp_min / clamp_max: the node for a tensor bound or for a number."""
    if isinstance(lo if hi is None else hi, Tensor):
        return _clamp_tensor(tensor_node, input, lo, hi)
    return _clamp_scalar(number_node, input, lo, hi)


def _one_sided(number_node, tensor_node):
    """Declare ``clamp_min`` or ``clamp_max`` (the function below) and its two nodes, which
    PyTorch names ``...Backward0`` (a number bound) and ``...Backward1`` (a tensor bound)."""

    def decorate(function):
        name = function.__name__
        grad_fn = name.title().replace("_", "") + "Backward"
        tensor_spec = OpSpec(
            f"{name}_tensor",
            lambda t, a, bound: getattr(t, name)(a, bound),
            _B2[:3],
            shapes="broadcast2",
            second_order=False,
        )
        declare(tensor_node, vmap=_EW, grad_fn=grad_fn + "1", spec=tensor_spec)
        spec = OpSpec(
            f"{name}_number", lambda t, a: getattr(t, name)(a, 0.2), _U[:2], second_order=False
        )
        return op(
            number_node, methods=name, inplace=True, vmap=_EW, grad_fn=grad_fn + "0", spec=spec
        )(function)

    return decorate


class ClampMin(ClampScalar):
    """d clamp_min(x, lo) = dx where x >= lo, else 0"""


class ClampMinTensor(Clamp):
    """d clamp_min(x, lo) for a tensor ``lo``: dx where x >= lo, dlo where x < lo"""


@_one_sided(ClampMin, ClampMinTensor)
def clamp_min(input, min):
    """``input`` limited from below by ``min`` (a number or a tensor)."""
    return _bounded(ClampMin, ClampMinTensor, input, min, None)


class ClampMax(ClampScalar):
    """d clamp_max(x, hi) = dx where x <= hi, else 0"""


class ClampMaxTensor(Clamp):
    """d clamp_max(x, hi) for a tensor ``hi``: dx where x <= hi, dhi where x > hi"""


@_one_sided(ClampMax, ClampMaxTensor)
def clamp_max(input, max):
    """``input`` limited from above by ``max`` (a number or a tensor)."""
    return _bounded(ClampMax, ClampMaxTensor, input, None, max)


# ----- maximum / minimum / fmax / fmin ------------------------------------------------------
def _pair_op(node, name, doc):
    """Declare ``name(input, other)``, ``node`` on two tensors; returns the function."""

    def function(input, other):
        tensor_arg(name, input, "input", 1)
        tensor_arg(name, other, "other", 2)
        return apply_binary(node, input, other)

    named(function, node, name, doc)
    spec = OpSpec(
        name,
        lambda t, a, b: getattr(t, name)(a, b),
        _B2,
        shapes="broadcast2",
        second_order=False,
    )
    # PyTorch has no in-place form of these four (no ``Tensor.maximum_``).
    return op(node, methods=name, vmap=_EW, spec=spec)(function)


class _Extremum(Node):
    """Base of maximum, minimum, fmax and fmin: ``kernel`` (the array function) on the two
    inputs; ``larger``: the larger input wins; ``nan_wins``: NaN wins, and a tie sends half
    of the gradient to each input (else NaN loses and a tie sends it all to the first)."""

    kernel, larger, nan_wins = None, True, True

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return getattr(self.xp, self.kernel)(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        x, y = (a, b) if self.larger else (b, a)
        if self.nan_wins:
            shared = where(a == b, grad * 0.5, grad)
            ga = where(x < y, 0.0, shared) if needs(self, 0) else None
            gb = where(x > y, 0.0, shared) if needs(self, 1) else None
        else:
            first = (x >= y) | (b != b)
            ga = where(first, grad, 0.0) if needs(self, 0) else None
            gb = where(first, 0.0, grad) if needs(self, 1) else None
        return ga, gb


class Maximum(_Extremum):
    """d max(a, b) = da where a > b, db where b > a, half of each at a tie (both at NaN)"""

    kernel = "maximum"


class Minimum(_Extremum):
    """d min(a, b) = da where a < b, db where b < a, half of each at a tie (both at NaN)"""

    kernel, larger = "minimum", False


class Fmax(_Extremum):
    """d fmax(a, b) = da where a >= b or b is NaN, else db"""

    kernel, nan_wins = "fmax", False


class Fmin(_Extremum):
    """d fmin(a, b) = da where a <= b or b is NaN, else db"""

    kernel, larger, nan_wins = "fmin", False, False


maximum = _pair_op(Maximum, "maximum", "Elementwise maximum of two tensors (NaN wins).")
minimum = _pair_op(Minimum, "minimum", "Elementwise minimum of two tensors (NaN wins).")
fmax = _pair_op(Fmax, "fmax", "Elementwise maximum that ignores NaN (NaN only where both are NaN).")
fmin = _pair_op(Fmin, "fmin", "Elementwise minimum that ignores NaN (NaN only where both are NaN).")


# PyTorch has these in-place forms as top-level functions too (``torch.clamp_(x, 0, 1)``).
clamp_ = clip_ = public_inplace("clamp_", aliases=("clip_",))
clamp_min_ = public_inplace("clamp_min_")
clamp_max_ = public_inplace("clamp_max_")

__all__ = public_names(__name__)
