"""In-place shape changes (``t_``, ``transpose_``, ``swapaxes_``, ``swapdims_``,
``squeeze_``, ``unsqueeze_``) and ``resize_as_``.

The tensor itself becomes the view: it keeps its storage and version counter (the change
counts as an in-place write), and its history gains the view's node, under PyTorch's name
for the in-place form (``TBackward1``).  That node's backward is the view's own.
"""

from __future__ import annotations

from ..tensor_base import wrap_dim
from ._spec import OpSpec
from .inplace import check_inplace
from .registry import LOOP, declare
from .view_copies import _ViewCopy


class _InplaceView(_ViewCopy):
    """d(view of x, in place) = the view's own backward"""

    def result(self, view):
        """The view's array itself (the tensor is rebound to it)."""
        return view


def _node(grad_fn, view, call, shape=(3, 4)):
    node = type(grad_fn, (_InplaceView,), {"view": staticmethod(view)})
    node.__doc__ = _InplaceView.__doc__
    spec = OpSpec(
        grad_fn.lower(),
        lambda lib, a: getattr(a * 1, call[0])(*call[1:]) * 1,
        [(shape,)],
        shapes=None,
    )
    declare(node, None, vmap=LOOP, spec=spec, grad_fn=grad_fn)
    return node


_T = _node("TBackward1", lambda t: t.t(), ("t_",))
_Transpose = _node("TransposeBackward1", lambda t, a, b: t.transpose(a, b), ("transpose_", 0, 1))
_Squeeze3 = _node("SqueezeBackward3", lambda t: t.squeeze(), ("squeeze_",), (3, 1, 4))
_Squeeze4 = _node("SqueezeBackward4", lambda t, d: t.squeeze(d), ("squeeze_", 1), (3, 1, 4))
_Squeeze5 = _node("SqueezeBackward5", lambda t, d: t.squeeze(d), ("squeeze_", (1, 3)), (3, 1, 4, 1))
_Unsqueeze = _node("UnsqueezeBackward1", lambda t, d: t.unsqueeze(d), ("unsqueeze_", 1))


def _rebind(self, node, name, *args):
    """Make ``self`` the view ``node`` computes of it, recording the node."""
    check_inplace(self)
    out = node.apply(self, *args)
    self._data = out._data
    if out.grad_fn is not None:
        self.grad_fn = out.grad_fn
        self._output_nr = 0
    self._bump_version(f"{name}()")
    return self


def t_(self):
    """Transpose a matrix in place (0-d and 1-d tensors are left as they are)."""
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
    return _rebind(self, _T, "t_")


def transpose_(self, dim0, dim1):
    """Swap two dimensions in place."""
    n = self.dim()
    return _rebind(self, _Transpose, "transpose_", wrap_dim(dim0, n), wrap_dim(dim1, n))


def swapaxes_(self, axis0, axis1):
    """``transpose_`` under NumPy's name."""
    return transpose_(self, axis0, axis1)


def swapdims_(self, dim0, dim1):
    """``transpose_`` under another name."""
    return transpose_(self, dim0, dim1)


def squeeze_(self, dim=None):
    """Remove size-1 dimensions (all, or those of ``dim``) in place."""
    if dim is None:
        return _rebind(self, _Squeeze3, "squeeze_")
    if isinstance(dim, (tuple, list)):
        return _rebind(self, _Squeeze5, "squeeze_", tuple(dim))
    return _rebind(self, _Squeeze4, "squeeze_", dim)


def unsqueeze_(self, dim):
    """Insert a size-1 dimension at ``dim`` in place."""
    return _rebind(self, _Unsqueeze, "unsqueeze_", dim)


def resize_as_(self, the_template, memory_format=None):
    """Resize to ``the_template``'s shape (``resize_``: storage kept, new elements uninit)."""
    return self.resize_(the_template.shape)


for _fn in (t_, transpose_, swapaxes_, swapdims_, squeeze_, unsqueeze_, resize_as_):
    declare(None, _fn, methods=_fn.__name__, public=False)

__all__: list = []
