"""Neural-network primitives: softmax, log_softmax, softmin, one_hot, and the fused linear.

These are the functions ``ember.nn.functional`` re-exports (``FUNCTIONAL``), with
``torch.nn.functional``'s signatures; ``softmax`` and ``log_softmax`` are also top-level
functions and Tensor methods, as in PyTorch.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.node import Node, array_backward
from ..backend import np, xp_of
from ..dtypes import scalar_type_name
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import batching
from ._spec import OpSpec
from .linalg import (
    M1_M2_DTYPES,
    MAT1_MAT2_DTYPES,
    SELF_MAT2_DTYPES,
    check_expand,
    ctype_name,
    dtype_mismatch,
    matmul,
    mm_shape_error,
    prod,
)
from .registry import declare, op, public_names
from .unary import exp


def _F(lib, name):
    """``<lib>.nn.functional.<name>``: the same spelling in Ember and in PyTorch."""
    return getattr(lib.nn.functional, name)


# ----- softmax family ------------------------------------------------------------------
def _softmax_dim(name, ndim, stacklevel):
    warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(name, input, dim, stacklevel, dtype):
    """Resolve ``dim`` and cast ``input`` as PyTorch does; returns (input, axis or None)."""
    if not isinstance(stacklevel, int):
        dtype = stacklevel  # torch.softmax(x, dim, dtype): the third argument is the dtype
        stacklevel = 3
    nd = input._data.ndim
    if dim is None:
        # two frames more than PyTorch's: this helper sits between softmax and the warning,
        # and the registry's wrapper (NumPy's argument names) between the caller and softmax
        dim = _softmax_dim(name, nd, stacklevel + 2)
    d = _wrap_dim(dim, nd)
    if dtype is not None:
        input = input.to(dtype)
    if _dt.kind_of(input._data.dtype) not in "fc":
        kernel = "lastdim_kernel_impl" if d == nd - 1 or nd == 0 else "kernel_impl"
        base = name if name != "softmin" else "softmax"
        raise NotImplementedError(
            f"\"{base}_{kernel}\" not implemented for '{scalar_type_name(input)}'"
        )
    return input, (d if nd else None)


def _shifted(xp, x, axis):
    """``x - max(x)`` along ``axis`` (computed in float32 for float16, as PyTorch's CPU does)."""
    if x.dtype == xp.float16:
        x = x.astype(xp.float32)
    m = xp.max(x, axis=axis, keepdims=True)
    # a row of -inf (or +inf) has no finite max: subtracting it gives NaN, as in PyTorch
    with np.errstate(invalid="ignore"):
        return x - m


class _Normalized(Node):
    """A softmax-like node: its kernel runs on ``x - max(x)`` along ``axis`` and the output,
    cast back to the input's dtype, is what backward needs."""

    def forward(self, x, axis):
        self.axis = axis
        if x.size == 0:
            out = x.copy()
        else:
            xp = self.xp
            out = self.kernel(xp, _shifted(xp, x, axis), axis).astype(x.dtype, copy=False)
        self.save_for_backward(out)
        return out


class Softmax(_Normalized):
    """d softmax = out * (grad - sum(grad * out, dim))"""

    @staticmethod
    def kernel(xp, s, axis):
        e = xp.exp(s, out=s) if s.ndim else xp.exp(s)  # ``s`` is a fresh array: reuse it
        e /= xp.sum(e, axis=axis, keepdims=True)
        return e

    def backward(self, grad):
        if array_backward(grad):
            (out,) = self.saved_arrays()
            g = grad._data
            if out.dtype == g.dtype and out.ndim:
                # the same formula on arrays, in one scratch array
                t = g * out
                self.xp.subtract(g, t.sum(axis=self.axis, keepdims=True), out=t)
                t *= out
                return type(grad)._make(t), None
        (out,) = self.saved_tensors
        d = 0 if self.axis is None else self.axis
        return out * (grad - (grad * out).sum(d, keepdim=True)), None


class LogSoftmax(_Normalized):
    """d log_softmax = grad - exp(out) * sum(grad, dim)"""

    @staticmethod
    def kernel(xp, s, axis):
        s -= xp.log(xp.sum(xp.exp(s), axis=axis, keepdims=True))
        return s

    def backward(self, grad):
        (out,) = self.saved_tensors
        d = 0 if self.axis is None else self.axis
        return grad - exp(out) * grad.sum(d, keepdim=True), None


@op(Softmax, methods="softmax", vmap=batching.softmax,
    spec=(OpSpec("softmax", lambda t, a: t.softmax(a, -1),
                 [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),), ((5,),)], domain=lambda x: x * 3.0),
          OpSpec("softmax_dim0", lambda t, a: t.softmax(a, 0), [((3, 4),), ((2, 3, 4),)],
                 shapes=None),
          OpSpec("softmax_dtype", lambda t, a: t.softmax(a, 1, dtype=t.float64), [((3, 4),)],
                 shapes=None, dtypes=("float32",))))  # fmt: skip
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (the maximum subtracted first).

    Args:
        dim: the dimension to normalise; omitted, PyTorch's legacy choice with a warning.
        dtype: cast the input to this dtype first.
    """
    x, axis = _prepare("softmax", input, dim, _stacklevel, dtype)
    return Softmax.apply(x, axis)


@op(LogSoftmax, methods="log_softmax", vmap=batching.softmax,
    spec=(OpSpec("log_softmax", lambda t, a: t.log_softmax(a, -1),
                 [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)], domain=lambda x: x * 3.0),
          OpSpec("log_softmax_dim1", lambda t, a: t.log_softmax(a, 1), [((2, 3, 4),)],
                 shapes=None)))  # fmt: skip
def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x - logsumexp(x)`` along ``dim``, computed stably."""
    x, axis = _prepare("log_softmax", input, dim, _stacklevel, dtype)
    return LogSoftmax.apply(x, axis)


@op(None, public=False,
    spec=OpSpec("softmin", lambda t, a: _F(t, "softmin")(a, 1), [((3, 4),), ((2, 3, 4),)],
                shapes=None))  # fmt: skip
def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    x, axis = _prepare("softmin", input, dim, _stacklevel, dtype)
    return Softmax.apply(-x, axis)


# ----- one_hot ---------------------------------------------------------------------------
@op(None, public=False,
    spec=OpSpec("one_hot", lambda t, a: _F(t, "one_hot")((a.abs() * 2).long(), 5),
                [((3, 4),), ((0,),), ((),)], shapes=None, fd=False, grad=(False,)))  # fmt: skip
def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dimension of ``num_classes``: 1 at each index, 0 elsewhere.

    ``num_classes=-1`` uses the largest index plus one.
    """
    data = tensor._data
    if data.dtype != _dt.int64.np:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = xp_of(data)
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size:
        if int(data.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(data.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (data[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return Tensor._make(out)


# ----- linear ---------------------------------------------------------------------------
class Linear(Node):
    """d(x W^T + b) = grad @ W for x, grad^T @ x (batch flattened) for W, grad for b"""

    def forward(self, x, w, b=None):
        xp = self.xp
        n_out, n_in = w.shape
        if x.ndim > 2 and x.flags.c_contiguous:  # one GEMM over the flattened batch
            out = (x.reshape(-1, n_in) @ w.T).reshape(x.shape[:-1] + (n_out,))
        else:
            out = xp.matmul(x, w.T)
        if b is not None:
            out += b
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(w if n[0] else None, x if n[1] else None)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        if array_backward(grad):
            w, x = self.saved_arrays()
            if grad._data.dtype == (x if w is None else w).dtype:
                gx, gw = self._array_grads(grad._data, w, x, n, type(grad)._make)
                return (gx, gw) if len(n) == 2 else (gx, gw, (grad if n[2] else None))
        w, x = self.saved_tensors
        gx = grad @ w if n[0] else None
        gw = None
        if n[1]:
            n_out, n_in = self._in_meta[1][0]
            gw = grad.reshape(-1, n_out).mT @ x.reshape(-1, n_in)
        # the bias gradient is grad summed over the batch: the engine's reduction does it
        if len(n) == 2:
            return gx, gw
        return gx, gw, (grad if n[2] else None)

    def _array_grads(self, g, w, x, n, make):
        """The input and weight gradients on arrays: the products ``backward`` records,
        without the per-op cost of recording them."""
        gx = gw = None
        if n[0]:
            if g.ndim > 2 and g.size > 4096 and g.flags.c_contiguous:  # as matmul folds it
                gx = (g.reshape(-1, g.shape[-1]) @ w).reshape(g.shape[:-1] + w.shape[1:])
            else:
                gx = self.xp.matmul(g, w)
            gx = make(gx)
        if n[1]:
            n_out, n_in = self._in_meta[1][0]
            gw = make(g.reshape(-1, n_out).T @ x.reshape(-1, n_in))
        return gx, gw


# PyTorch's linear reaches a different kernel by the input's rank and the bias, each with
# its own grad_fn name; one subclass per name (``_linear_node`` picks it).
class LinearMm(Linear):
    """d(x W^T) for a matrix x: grad @ W for x, grad^T @ x for W"""


class LinearFolded(Linear):
    """d(x W^T + b) for x of rank 1 or > 2 (PyTorch: one addmm on the folded batch, viewed)"""


class LinearFoldedNoBias(Linear):
    """d(x W^T) for x of rank > 2 (PyTorch: one product on the folded batch)"""


class LinearVector(Linear):
    """d(x W^T) for a vector x (PyTorch: a row times W^T, squeezed)"""


def _expands(shape, target):
    """Whether ``shape`` broadcasts to exactly ``target``."""
    lead = len(target) - len(shape)
    return lead >= 0 and all(s in (1, target[lead + i]) for i, s in enumerate(shape))


def _linear_node(input, weight, bias):
    """Check a 2-D-weight ``linear`` as PyTorch does; return its node, or None when PyTorch
    adds the bias after the product (a bias that broadcasts beyond it)."""
    di = input._data.ndim
    n_out, n_in = weight._data.shape
    rows = prod(input._data.shape[:-1])
    if input._data.shape[-1] != n_in:
        raise mm_shape_error((rows, input._data.shape[-1]), (n_in, n_out))
    if bias is not None:
        if bias._data.dtype != weight._data.dtype:
            raise dtype_mismatch(SELF_MAT2_DTYPES, bias, weight)
        if di <= 2 or bias._data.ndim == 1:
            if di == 1 and bias._data.ndim > 1:
                raise RuntimeError(
                    f"output with shape [{n_out}] doesn't match the broadcast shape "
                    f"{list(bias._data.shape[:-1]) + [n_out]}"
                )
            check_expand(bias, (rows, n_out))
    if input._data.dtype != weight._data.dtype:
        if bias is not None:  # PyTorch's addmm path names the operands differently
            raise dtype_mismatch(MAT1_MAT2_DTYPES, input, weight)
        raise dtype_mismatch(M1_M2_DTYPES, input, weight, ctype_name)
    if bias is None:
        return LinearMm if di == 2 else LinearVector if di == 1 else LinearFoldedNoBias
    if di == 2:
        return Linear
    if di == 1:
        return LinearFolded
    # PyTorch folds the batch into one addmm only for a contiguous input and a bias that
    # expands to the folded (rows, out) product.
    folds = bias._data.ndim <= 2 and _expands(bias._data.shape, (rows, n_out))
    return LinearFolded if folds and input._data.flags.c_contiguous else None


def _linear_spec(name, samples):
    return OpSpec(
        name,
        lambda t, x, w, *b: _F(t, "linear")(x, w, *b),
        samples,
        shapes=None,
        atol=1e-4,
        rtol=1e-4,
    )


@op(Linear, public=False, grad_fn="AddmmBackward0", vmap=batching.linear,
    spec=_linear_spec("linear",
                      [((5, 3), (4, 3), (4,)), ((0, 3), (4, 3), (4,)), ((5, 3), (4, 3), (1,)),
                       ((5, 3), (4, 3), (5, 4))]))  # fmt: skip
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: one fused node (one matrix product, the bias added in place).

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` or anything broadcasting to the output, optional.
    """
    di, dw = input._data.ndim, weight._data.ndim
    if di == 0 or dw == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {di}D and {dw}D"
        )
    if dw > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {dw}D")
    if dw == 1:  # PyTorch: a matrix-vector (or dot) product, then the bias
        if bias is not None and di == 2:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        out = matmul(input, weight)
        return out if bias is None else out + bias
    node = _linear_node(input, weight, bias)
    if bias is None:
        return node.apply(input, weight)
    if node is None:
        return LinearFoldedNoBias.apply(input, weight) + bias
    return node.apply(input, weight, bias)


declare(LinearMm, None, grad_fn="MmBackward0", vmap=batching.linear,
        spec=_linear_spec("linear_nobias", [((5, 3), (4, 3)), ((0, 3), (4, 3))]))  # fmt: skip
declare(LinearFolded, None, grad_fn="ViewBackward0", vmap=batching.linear,
        spec=_linear_spec("linear_folded",
                          [((2, 5, 3), (4, 3), (4,)), ((3,), (4, 3), (4,)),
                           ((2, 5, 3), (4, 3), (1, 4))]))  # fmt: skip
declare(LinearFoldedNoBias, None, grad_fn="UnsafeViewBackward0", vmap=batching.linear,
        spec=(_linear_spec("linear_folded_nobias", [((2, 2, 3), (4, 3)), ((2, 0, 3), (4, 3))]),
              _linear_spec("linear_bias_after",
                           [((2, 5, 3), (4, 3), (5, 4)),
                            ((2, 5, 3), (4, 3), (2, 5, 4))])))  # fmt: skip
declare(LinearVector, None, grad_fn="SqueezeBackward4", vmap=batching.linear,
        spec=(_linear_spec("linear_vector", [((3,), (4, 3))]),
              _linear_spec("linear_vector_weight",
                           [((5, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3,))])))  # fmt: skip

#: The functions of ``ember.nn.functional`` this family provides.
FUNCTIONAL = ("softmax", "log_softmax", "softmin", "one_hot", "linear")

__all__ = public_names(__name__)
