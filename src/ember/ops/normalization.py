"""Batch, layer and group normalisation, one node each (PyTorch's ``NativeBatchNorm``,
``NativeLayerNorm`` and ``NativeGroupNorm``).

All three normalise a view of the input over some of its dimensions and then scale and
shift by per-feature parameters: ``y = (x - mean) * rstd * w + b`` with
``rstd = 1 / sqrt(var + eps)`` (biased variance).  A node keeps ``mean`` and ``rstd``
from its forward; its backward runs on arrays when no graph of it is recorded, and in
Ember ops (statistics recomputed from the saved input, so that they are differentiated
too) when one is, which gives PyTorch's second derivatives.
"""

from __future__ import annotations

import math

from ..autograd.node import Node, array_backward
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .losses import F, refuse_grad
from .registry import LOOP, op, public_names


class Normalization(Node):
    """Base of the normalisation nodes: ``forward`` sets the geometry, then calls
    ``_normalize``.

    Geometry: ``view`` (the shape ``x`` is seen as), ``dims`` (the dimensions of the view
    the statistics run over), ``wview`` (the parameters' shape in the view), ``wdims``
    (the dimensions their gradients sum over), ``pshape`` (the parameters' own shape),
    ``stats`` (statistics from ``x``; False when given, as in batch norm's evaluation),
    ``rows`` ((R, K) when ``dims`` are the trailing dims: the view as R rows of K) and
    ``lead`` (M when ``wdims`` are the leading dims, M elements in all).
    """

    def _geometry(self, shape, view, dims, wview, wdims, pshape, stats=True, rows=None,
                  lead=None):  # fmt: skip
        self.in_shape, self.view, self.dims = shape, view, dims
        self.wview, self.wdims, self.pshape, self.stats = wview, wdims, pshape, stats
        self.rows, self.lead = rows, lead
        self.keep = tuple(1 if d in dims else n for d, n in enumerate(view))

    # Sums over rows and columns as matrix-vector products: several times faster than
    # NumPy's reductions along short rows.
    def _mean(self, a):
        """``a``'s mean over the statistics' dims (kept as size-1 dims)."""
        rows = self.rows
        if rows is None or a.dtype.kind != "f":
            return a.mean(axis=self.dims, keepdims=True)
        r, k = rows
        if k == 0:
            return self.xp.zeros(self.keep, a.dtype)
        return (a.reshape(r, k) @ self.xp.ones(k, a.dtype) / k).reshape(self.keep)

    def _mean_product(self, a, b):
        """The mean of ``a * b`` over the statistics' dims (kept as size-1 dims)."""
        rows = self.rows
        if rows is None or a.dtype.kind != "f":
            return (a * b).mean(axis=self.dims, keepdims=True)
        r, k = rows
        if k == 0:
            return self.xp.zeros(self.keep, a.dtype)
        return (self.xp.einsum("ij,ij->i", a.reshape(r, k), b.reshape(r, k)) / k).reshape(self.keep)

    def _param_sum(self, a):
        """``a`` summed over the parameters' broadcast dims, in the parameters' shape."""
        m = self.lead
        if m is None or a.dtype.kind != "f":
            return a.sum(axis=self.wdims).reshape(self.pshape)
        return (self.xp.ones(m, a.dtype) @ a.reshape(m, -1)).reshape(self.pshape)

    def _normalize(self, x, w, b, eps, mean=None, var=None):
        """The normalised output; keeps ``mean`` and ``rstd`` (and returns the variance)."""
        xp = self.xp
        xv = x.reshape(self.view)
        if mean is None:
            if math.prod(self.view[d] for d in self.dims) == 0:
                mean = var = xp.zeros(self.keep, x.dtype)  # nothing to average (empty output)
            else:
                mean = self._mean(xv)
            d = xv - mean
            if var is None:
                var = self._mean_product(d, d)
        else:
            d = xv - mean
        rstd = 1.0 / xp.sqrt(var + eps)
        self.mean, self.rstd, self.eps = mean, rstd, eps
        self.save_for_backward(x, w)
        d *= rstd
        out = _affine(d, w, b, self.wview)
        return out.reshape(self.in_shape), var

    def backward(self, grad):
        n = self.needs_input_grad
        if array_backward(grad):
            x, w = self.saved_arrays()
            gx, gw, gb = self._array_grads(grad._data, x, w, n)
            return _wrap(gx), _wrap(gw), _wrap(gb), *self._rest
        if _half_array_backward(grad):
            # float16/bfloat16: in float32 and rounded once, as PyTorch's CPU kernels do.
            x, w = self.saved_arrays()
            g = grad._data
            grads = self._array_grads(_wide(g), _wide(x), _wide(w), n)
            return *(_wrap(None if a is None else a.astype(g.dtype)) for a in grads), *self._rest
        x, w = self.saved_tensors
        xv = x.reshape(self.view)
        if self.stats:
            mean = xv.mean(self.dims, keepdim=True)
            d = xv - mean
            rstd = ((d * d).mean(self.dims, keepdim=True) + self.eps) ** -0.5
        else:
            dt = grad._data.dtype
            mean = Tensor._make(self.mean.astype(dt, copy=False))
            rstd = Tensor._make(self.rstd.astype(dt, copy=False))
            d = xv - mean
        xhat = d * rstd
        g = grad.reshape(self.view)
        gw = (g * xhat).sum(self.wdims).reshape(self.pshape) if n[1] else None
        gb = g.sum(self.wdims).reshape(self.pshape) if n[2] else None
        gx = None
        if n[0]:
            gxhat = g if w is None else g * w.reshape(self.wview)
            if self.stats:
                dims = self.dims
                a = gxhat.mean(dims, keepdim=True)
                c = (gxhat * xhat).mean(dims, keepdim=True)
                gx = (gxhat - a - xhat * c) * rstd
            else:
                gx = gxhat * rstd
            gx = gx.reshape(self.in_shape)
        return gx, gw, gb, *self._rest

    def _array_grads(self, grad, x, w, n):
        """The backward on arrays (the same formulas as the Ember-op form above), with as
        few fresh arrays as it can (two: ``xhat`` and one scratch array)."""
        xp = self.xp
        rstd = self.rstd
        xhat = x.reshape(self.view) - self.mean
        xhat *= rstd
        g = grad.reshape(self.view)
        scratch = None
        gw = gb = gx = None
        if n[1]:
            scratch = g * xhat
            gw = self._param_sum(scratch)
        if n[2]:
            gb = self._param_sum(g)
        if n[0]:
            if w is None:
                gxhat = g.copy() if scratch is None else _copy_into(scratch, g)
            elif scratch is None or scratch.dtype != xp.result_type(g, w):
                gxhat = g * w.reshape(self.wview)
            else:
                gxhat = xp.multiply(g, w.reshape(self.wview), out=scratch)
            if self.stats:
                a = self._mean(gxhat)
                c = self._mean_product(gxhat, xhat)
                xhat *= c
                gxhat -= a
                gxhat -= xhat
            gxhat *= rstd
            gx = xp.asarray(gxhat, dtype=x.dtype).reshape(self.in_shape)
        return gx, gw, gb

    #: ``None`` gradients for the node's arguments after ``x``, ``w`` and ``b``.
    _rest = ()


def _half_array_backward(grad):
    """True for a 16-bit float NumPy gradient when no graph of the backward is recorded."""
    from ..autograd.grad_mode import state

    d = grad._data
    return not state.enabled and type(d) is _np.ndarray and d.dtype.itemsize == 2


def _wide(a):
    return None if a is None else a.astype(_np.float32)


def _affine(out, w, b, shape):
    """``out * w + b`` with the parameters seen as ``shape``; in place when the dtypes agree."""
    if w is not None:
        w = w.reshape(shape)
        if w.dtype == out.dtype:
            out *= w
        else:
            out = out * w
    if b is not None:
        b = b.reshape(shape)
        if b.dtype == out.dtype:
            out += b
        else:
            out = out + b
    return out


def _copy_into(out, a):
    out[...] = a
    return out


def _wrap(a):
    return None if a is None else Tensor._make(a)


def _first_batched(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule for a node that normalises trailing dimensions: only ``x`` batched."""
    if not flags[0] or any(flags[1:]):
        raise batching.CannotBatch("only the input may be batched here")
    return apply(cls, *args, **kw)


def _spec(name, fname, samples, *args, **kw):
    return OpSpec(name, lambda t, x, *ps: F(t, fname)(x, *args, *ps, **kw), samples, shapes=None)


# ----- layer norm --------------------------------------------------------------------------
class NativeLayerNorm(Normalization):
    """y = xhat w + b over the last k dims: dx = rstd (gh - mean(gh) - xhat mean(gh xhat)),
    gh = grad w; dw = sum grad xhat; db = sum grad"""

    _rest = (None, None)

    def forward(self, x, w, b, k, eps):
        shape = x.shape
        pshape = shape[len(shape) - k :]
        n = math.prod(pshape)
        m = math.prod(shape[: len(shape) - k])
        self._geometry(shape, (m, n), (1,), (n,), (0,), pshape, rows=(m, n), lead=m)
        return self._normalize(x, w, b, eps)[0]


@op(NativeLayerNorm, public=False, vmap=_first_batched,
    spec=(OpSpec("layer_norm", lambda t, x, w, b: F(t, "layer_norm")(x, tuple(w.shape), w, b),
                 [((3, 4), (4,), (4,)), ((2, 3, 4), (3, 4), (3, 4))], shapes=None),
          OpSpec("layer_norm_plain", lambda t, x: F(t, "layer_norm")(x, [4]),
                 [((2, 3, 4),), ((0, 4),)], shapes=None)))  # fmt: skip
def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the last ``len(normalized_shape)`` dimensions."""
    if isinstance(normalized_shape, int) or not hasattr(normalized_shape, "__len__"):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(shape)}"
            )
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return NativeLayerNorm.apply(input, weight, bias, k, eps)


# ----- group norm --------------------------------------------------------------------------
class NativeGroupNorm(Normalization):
    """y = xhat w + b, statistics over each group of channels and all positions (the
    gradients of layer norm over the group, per-channel w)"""

    _rest = (None, None)

    def forward(self, x, w, b, groups, eps):
        n, c = x.shape[:2]
        s = math.prod(x.shape[2:])
        k = c // groups
        self._geometry(x.shape, (n, groups, k, s), (2, 3), (1, groups, k, 1), (0, 3), (c,),
                       rows=(n * groups, k * s))  # fmt: skip
        return self._normalize(x, w, b, eps)[0]


@op(NativeGroupNorm, public=False, vmap=LOOP,
    spec=(_spec("group_norm", "group_norm", [((2, 6, 3), (6,), (6,))], 3),
          _spec("group_norm_plain", "group_norm", [((2, 4, 2, 2),), ((3, 4),)], 2)))  # fmt: skip
def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over groups of channels (and all spatial positions)."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    size = [n * c // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.dim() != 1 or p.numel() != c):
            # PyTorch's message shows the weight's shape for either ([0] without one).
            shown = [0] if weight is None else list(weight.shape)
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {shown} and input of shape {list(input.shape)}"
            )
    return NativeGroupNorm.apply(input, weight, bias, num_groups, eps)


# ----- batch norm --------------------------------------------------------------------------
class NativeBatchNorm(Normalization):
    """y = xhat w + b per channel: in training the gradients of layer norm over (N, *);
    in evaluation (running statistics) dx = grad w rstd"""

    _rest = (None, None, None, None)

    def forward(self, x, w, b, running, training, momentum, eps):
        n, c = x.shape[:2]
        s = math.prod(x.shape[2:])
        self._geometry(x.shape, (n, c, s), (0, 2), (1, c, 1), (0, 2), (c,), training)
        rm, rv = running
        if not training:
            # The mean is copied: the running buffer may change before the backward runs.
            mean = rm.reshape(1, c, 1).copy()
            out, _ = self._normalize(x, w, b, eps, mean, rv.reshape(1, c, 1))
            return out
        out, var = self._normalize(x, w, b, eps)
        count = n * s
        if rm is not None:
            _blend(rm, self.mean.reshape(c), momentum)
        if rv is not None:
            _blend(rv, var.reshape(c) * (count / (count - 1)), momentum)
        return out


def _blend(buffer, value, momentum):
    """``buffer = (1 - momentum) * buffer + momentum * value``, in place."""
    buffer *= 1 - momentum
    buffer += (momentum * value).astype(buffer.dtype, copy=False)


def _running(lib, x):
    c = x.shape[1]
    return lib.arange(c, dtype=x.dtype) * 0.3 - 0.2, lib.arange(c, dtype=x.dtype) * 0.5 + 0.5


@op(NativeBatchNorm, public=False, vmap=LOOP,
    spec=(_spec("batch_norm", "batch_norm", [((4, 3), (3,), (3,)), ((2, 3, 4), (3,), (3,))], None,
                None, training=True),
          _spec("batch_norm_plain", "batch_norm", [((3, 2, 2, 2),)], None, None, training=True),
          OpSpec("batch_norm_eval", lambda t, x, w, b: F(t, "batch_norm")(x, *_running(t, x), w, b),
                 [((4, 3), (3,), (3,)), ((2, 3, 4), (3,), (3,))], shapes=None)))  # fmt: skip
def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalise per channel with batch statistics (training) or running statistics.

    Training normalises with the biased batch variance and folds the unbiased one into
    ``running_var``.
    """
    x = input
    if x.dim() < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(x.dim(), 1)}, "
            f"{max(x.dim(), 1) - 1}], but got 1)"
        )
    n, c = x.shape[:2]
    if training and n * math.prod(x.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {x.shape}"
        )
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        raise TypeError(
            "batch_norm(): argument 'momentum' (position 7) must be float, not "
            f"{type(momentum).__name__}"
        )
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if not training:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    refuse_grad("native_batch_norm", "running_mean", running_mean)
    refuse_grad("native_batch_norm", "running_var", running_var)
    if training and x.numel() == 0:
        return x.clone()  # PyTorch: an empty batch leaves the running statistics as they are
    running = tuple(None if t is None else t._data for t in (running_mean, running_var))
    # The running statistics are updated in place without a version bump, as in PyTorch.
    return NativeBatchNorm.apply(x, weight, bias, running, training, float(momentum), eps)


__all__ = public_names(__name__)
