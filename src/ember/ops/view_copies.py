"""PyTorch's ``*_copy`` functions (``permute_copy``, ``select_copy``, ...): a view op's result
as a fresh, contiguous tensor that shares no memory with its input.

Each is one node named as PyTorch names it (``PermuteBackward0_copy``).  Its forward
records the view itself on a tensor over the input's array, then copies the result; its
backward is that view node's own backward (written with Ember ops), so every copy has
the exact gradient of its view, higher orders included, with no rule written twice.
"""

from __future__ import annotations

from ..autograd.grad_mode import enable_grad
from ..autograd.node import Node
from ..tensor_base import TensorBase
from ._spec import OpSpec
from .registry import LOOP, declare, op, public_names


class _ViewCopy(Node):
    """d(copy of view(x)) = the view's own backward (views are linear)"""

    view = None  # ``view(tensor, *args)``, set per subclass

    def forward(self, x, *args):
        wants = self.needs_input_grad is not None
        t = TensorBase._make(x, wants)
        with enable_grad():
            out = type(self).view(t, *args)
        if wants:
            # The view's node; it holds no reference to ``out`` (nodes never do).
            first = out[0] if isinstance(out, tuple) else out
            self.inner = first.grad_fn
            self.extra = len(args)
        if isinstance(out, tuple):
            return tuple([self.result(o._data) for o in out])
        return self.result(out._data)

    def result(self, view):
        """The output array made from the view's array: a copy."""
        return view.copy()

    def backward(self, *grads):
        g = self.inner.backward(*grads)
        g = g[0] if isinstance(g, tuple) else g
        return (g,) + (None,) * self.extra


def _copy_op(grad_fn, view, name, call, shapes=((3, 4),), pre=lambda lib, a: a):
    """Declare the copy node ``grad_fn`` of ``view``, tested as ``lib.<name>(a, *call)``."""
    node = type(grad_fn, (_ViewCopy,), {"view": staticmethod(view), "__doc__": _ViewCopy.__doc__})
    spec = OpSpec(
        f"{name}{len(_NODES)}",
        lambda lib, a: getattr(lib, name)(pre(lib, a), *call),
        [(s,) for s in shapes],
        shapes=None,
    )
    declare(node, None, vmap=LOOP, spec=spec, grad_fn=grad_fn)
    _NODES[grad_fn] = node
    return node


_NODES: dict = {}


def _dim(t, dim):
    from ..tensor_base import wrap_dim

    return wrap_dim(dim, t.dim())


def _slice(t, dim, start, end, step):
    return t[(slice(None),) * _dim(t, dim) + (slice(start, end, step),)]


_Alias = _copy_op("AliasBackward0_copy", lambda t: t.view(t.shape), "alias_copy", ())
_AsStrided = _copy_op(
    "AsStridedBackward0_copy",
    lambda t, size, stride, offset: t.as_strided(size, stride, offset),
    "as_strided_copy",
    ((2, 2), (1, 2), 1),
)
_Diagonal = _copy_op(
    "DiagonalBackward0_copy",
    lambda t, offset, d1, d2: t.diagonal(offset, d1, d2),
    "diagonal_copy",
    (1, 0, 1),
)
_Expand = _copy_op("ExpandBackward0_copy", lambda t, s: t.expand(s), "expand_copy", ((2, 3, 4),))
_Narrow = _copy_op(
    "NarrowCopyBackward0", lambda t, d, s, n: t.narrow(d, s, n), "narrow_copy", (1, 1, 2)
)
_Permute = _copy_op("PermuteBackward0_copy", lambda t, d: t.permute(d), "permute_copy", ((1, 0),))
_Select = _copy_op("SelectBackward0_copy", lambda t, d, i: t.select(d, i), "select_copy", (1, -1))
_Slice = _copy_op("SliceBackward0_copy", _slice, "slice_copy", (1, 1, None, 2))
_Split = _copy_op("SplitBackward0_copy", lambda t, s, d: tuple(t.split(s, d)), "split_copy", (3, 1))
_SplitSizes = _copy_op(
    "SplitWithSizesBackward0_copy",
    lambda t, s, d: tuple(t.split(list(s), d)),
    "split_with_sizes_copy",
    ([1, 3], 1),
)
_Squeeze0 = _copy_op(
    "SqueezeBackward0_copy", lambda t: t.squeeze(), "squeeze_copy", (), ((3, 1, 4),)
)
_Squeeze1 = _copy_op(
    "SqueezeBackward1_copy", lambda t, d: t.squeeze(d), "squeeze_copy", (1,), ((3, 1, 4),)
)
_Squeeze2 = _copy_op(
    "SqueezeBackward2_copy", lambda t, d: t.squeeze(d), "squeeze_copy", ((1, 3),), ((3, 1, 4, 1),)
)
_T = _copy_op("TBackward0_copy", lambda t: t.t(), "t_copy", ())
_Transpose = _copy_op(
    "TransposeBackward0_copy", lambda t, a, b: t.transpose(a, b), "transpose_copy", (0, 1)
)
_Unbind = _copy_op("UnbindBackward0_copy", lambda t, d: tuple(t.unbind(d)), "unbind_copy", (1,))
_Unfold = _copy_op(
    "UnfoldBackward0_copy", lambda t, d, n, s: t.unfold(d, n, s), "unfold_copy", (1, 2, 1)
)
_Unsqueeze = _copy_op(
    "UnsqueezeBackward0_copy", lambda t, d: t.unsqueeze(d), "unsqueeze_copy", (1,)
)
_View = _copy_op("ViewBackward0_copy", lambda t, s: t.view(s), "view_copy", ((2, 6),))


def _view_as_real(t):
    from .complex_ops import view_as_real

    return view_as_real(t)


_AsReal = _copy_op(
    "ViewAsRealBackward0_copy",
    _view_as_real,
    "view_as_real_copy",
    (),
    # (float16 samples widened: there is no complex32)
    pre=lambda lib, a: lib.complex(*(2 * [a.to(lib.promote_types(a.dtype, lib.float32))])),
)


@op(None, out="same")
def alias_copy(input):
    """A copy of ``input`` (the copy form of ``alias``)."""
    return _Alias.apply(input)


@op(None, out="same")
def as_strided_copy(input, size, stride, storage_offset=None):
    """A copy of ``input.as_strided(size, stride, storage_offset)``."""
    return _AsStrided.apply(input, size, stride, storage_offset)


@op(None, out="same")
def diagonal_copy(input, offset=0, dim1=0, dim2=1):
    """A copy of ``input.diagonal(offset, dim1, dim2)``."""
    return _Diagonal.apply(input, offset, dim1, dim2)


@op(None, out="same")
def expand_copy(input, size, *, implicit=False):
    """A copy of ``input.expand(size)``."""
    return _Expand.apply(input, tuple(size))


@op(None, out="same")
def narrow_copy(input, dim, start, length):
    """A copy of ``input.narrow(dim, start, length)``."""
    return _Narrow.apply(input, dim, start, length)


@op(None, out="same")
def permute_copy(input, dims):
    """A copy of ``input.permute(dims)``."""
    return _Permute.apply(input, tuple(dims))


@op(None, out="same")
def select_copy(input, dim, index):
    """A copy of ``input.select(dim, index)``."""
    return _Select.apply(input, dim, index)


@op(None, out="same")
def slice_copy(input, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` sliced ``start:end:step`` along ``dim``."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return _Slice.apply(input, dim, start, end, step)


@op(None, out=False)
def split_copy(input, split_size, dim=0):
    """Copies of ``input.split(split_size, dim)``, as a tuple."""
    return _as_tuple(_Split.apply(input, split_size, dim))


@op(None, out=False)
def split_with_sizes_copy(input, split_sizes, dim=0):
    """Copies of ``input.split(split_sizes, dim)`` for a list of sizes, as a tuple."""
    return _as_tuple(_SplitSizes.apply(input, tuple(split_sizes), dim))


@op(None, out="same")
def squeeze_copy(input, dim=None):
    """A copy of ``input.squeeze(dim)``."""
    if dim is None:
        return _Squeeze0.apply(input)
    if isinstance(dim, (tuple, list)):
        return _Squeeze2.apply(input, tuple(dim))
    return _Squeeze1.apply(input, dim)


@op(None, out="same")
def t_copy(input):
    """A copy of ``input.t()``."""
    return _T.apply(input)


@op(None, out="same")
def transpose_copy(input, dim0, dim1):
    """A copy of ``input.transpose(dim0, dim1)``."""
    return _Transpose.apply(input, dim0, dim1)


@op(None, out=False)
def unbind_copy(input, dim=0):
    """Copies of ``input.unbind(dim)``, as a tuple."""
    return _as_tuple(_Unbind.apply(input, dim))


@op(None, out="same")
def unfold_copy(input, dimension, size, step):
    """A copy of ``input.unfold(dimension, size, step)``."""
    return _Unfold.apply(input, dimension, size, step)


@op(None, out="same")
def unsqueeze_copy(input, dim):
    """A copy of ``input.unsqueeze(dim)``."""
    return _Unsqueeze.apply(input, dim)


@op(None, out="same")
def view_copy(input, size):
    """A copy of ``input.view(size)`` (``size`` a shape, or a dtype to reinterpret as)."""
    from ..dtypes import dtype

    if isinstance(size, dtype):
        return input.detach().view(size).clone()
    if not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        raise TypeError(
            "view_copy() received an invalid combination of arguments - got (Tensor, "
            f"{type(size).__name__}), but expected one of:\n"
            " * (Tensor input, torch.dtype dtype, *, Tensor out = None)\n"
            " * (Tensor input, tuple of ints size, *, Tensor out = None)\n"
        )
    return _View.apply(input, tuple(size))


@op(None, out="same")
def detach_copy(input):
    """A copy of ``input`` outside the graph."""
    return input.detach().clone()


@op(None, out="same")
def view_as_real_copy(input):
    """A copy of ``view_as_real(input)``: a complex tensor as a real one with a last dim of 2."""
    return _AsReal.apply(input)


@op(None, out="same")
def view_as_complex_copy(input):
    """A copy of ``view_as_complex(input)``."""
    from ..autograd.grad_mode import is_grad_enabled
    from .complex_ops import view_as_complex

    if input.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "view_as_complex_copy does not support automatic differentiation for outputs "
            "with complex dtype."
        )
    return view_as_complex(input).clone()


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _sparse_only(name, layout):
    def fn(input):
        raise RuntimeError(f"{name} expected {layout} layout but got Strided")

    fn.__name__ = fn.__qualname__ = f"{name}_copy"
    fn.__doc__ = f"A copy of a sparse tensor's ``{name}`` (dense tensors have none: an error)."
    declare(None, fn, out=False)
    return fn


values_copy = _sparse_only("values", "sparse tensor")
indices_copy = _sparse_only("indices", "sparse coordinate tensor")
crow_indices_copy = _sparse_only("crow_indices", "sparse row compressed tensor")
col_indices_copy = _sparse_only("col_indices", "sparse row compressed tensor")
ccol_indices_copy = _sparse_only("ccol_indices", "sparse column compressed tensor")
row_indices_copy = _sparse_only("row_indices", "sparse column compressed tensor")

__all__ = public_names(__name__)
