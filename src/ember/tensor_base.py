"""``TensorBase``: an array, its gradient, and its place in the backward graph.

This is the state every tensor has and the methods that are not ops: autograd
attributes, shape and dtype queries, conversion to Python and NumPy, printing.
The op methods (``exp``, ``sum``, ``+``, ``[]``, ...) are declared by the op
families in ``ember.ops`` and assembled with this class into ``ember.Tensor``
(``ember/tensor.py``); ops themselves only need this base.

The data is a NumPy (or CuPy) array in ``_data``; views share it and share the
version counter ``_version_counter`` (a list whose first item counts in-place writes,
and whose second, once written, names the last one); ``_version`` reads the count as
PyTorch's ``t._version`` does.
"""

from __future__ import annotations

import sys as _sys
import warnings
import weakref

from . import _tensor_layout as _layout
from . import _tensor_python as _py
from . import dtypes as _dt
from .autograd import node as _node
from .autograd.callsite import user_site
from .autograd.grad_mode import inference_regions as _inference_regions
from .autograd.grad_mode import state as _grad_state
from .backend import _BACKENDS as _DEVICES
from .backend import backend_of, device_of
from .backend import np as _np
from .device import device as _device
from .hooks import RemovableHandle
from .memory_format import strided

_ndarray = _np.ndarray
_asarray = _np.asarray
_new = object.__new__


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r


class _Extra:
    """Rarely used per-tensor state, allocated on first use to keep tensors small."""

    __slots__ = (
        "hooks", "post_acc_hooks", "retains_grad", "inference", "name", "origin", "multi_view"
    )  # fmt: skip

    def __init__(self):
        self.multi_view = None  # (output index, op word) of a view PyTorch forbids writing
        self.hooks = None
        self.post_acc_hooks = None
        self.retains_grad = False
        self.inference = False
        self.name = None
        self.origin = None


class TensorBase:
    """A multi-dimensional array that records the operations applied to it (see ``Tensor``)."""

    #: True for the classes whose arithmetic operators may skip the full dispatch when
    #: both operands are such classes (``Tensor``, ``Parameter``); a subclass is plain only
    #: when it says so itself, so users' subclasses always take the full path.
    _plain_tensor = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plain_tensor = cls.__dict__.get("_plain_tensor", False)

    __slots__ = (
        "_data",
        "_requires_grad",
        "grad_fn",
        "_output_nr",
        "_version_counter",
        "_grad",
        "_base",
        "_acc",
        "_extra",
        "__weakref__",
    )
    __array_priority__ = 1000  # NumPy defers to Tensor's reflected operators

    def __init__(self, *args, **kwargs):
        from .legacy_types import legacy_tensor_init

        legacy_tensor_init(self, *args, **kwargs)

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None, output_nr=0, version=None):
        """Wrap an array without copying (the constructor every op uses)."""
        if type(data) is not _ndarray:
            data = _asarray(data) if not _DEVICES or backend_of(data) is None else data
        t = _new(_instance_class[0])
        t._data = data
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._version_counter = [0] if version is None else version
        t._grad = None
        t._base = None
        t._acc = None
        t._extra = None
        if _inference_regions[0] and _grad_state.inference:
            t._extra = _inference_extra()
        return t

    def _read_values(self):
        """The array, for library code that uses this tensor's *values* outside an op
        (an index, a mask).  vmap's batched tensors refuse: their values live elsewhere."""
        return self._data

    def _view_of(self, data, grad_fn=None):
        """A tensor over ``data`` that shares this tensor's storage and version counter
        (an inference tensor exactly when this one is, wherever it is made)."""
        t = TensorBase._make(data, grad_fn is not None, grad_fn, 0, self._version_counter)
        t._base = self if self._base is None else self._base
        _same_inference(t, self)
        e = self._extra
        if e is not None and e.multi_view is not None and grad_fn is not None:
            # a view of a piece of split/unbind: PyTorch forbids writing it too
            t._ensure_extra().multi_view = (0, grad_fn.name().rsplit("Backward", 1)[0])
        return t

    # ----- autograd state -------------------------------------------------------------
    def _accumulator(self):
        ref = self._acc
        acc = ref() if ref is not None else None
        if acc is None:
            acc = _node.AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def _ensure_extra(self):
        e = self._extra
        if e is None:
            e = self._extra = _Extra()
        return e

    @property
    def _hooks(self):
        return None if self._extra is None else self._extra.hooks

    @property
    def _post_acc_hooks(self):
        return None if self._extra is None else self._extra.post_acc_hooks

    @property
    def _retains_grad(self):
        return self._extra is not None and self._extra.retains_grad

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for differentiation."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> TensorBase:
        """Set ``requires_grad`` in place on a leaf; returns ``self``."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad:
            if not _dt.is_inexact_np(self._data.dtype):
                raise RuntimeError("only Tensors of floating point dtype can require gradients")
            if self._extra is not None and self._extra.inference and not (_grad_state.inference):
                raise RuntimeError(
                    "Setting requires_grad=True on inference tensor outside InferenceMode "
                    "is not allowed."
                )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (``grad_fn is None``)."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The accumulated gradient (``None`` until a backward reaches this leaf)."""
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more informations. "
                "(Ember: ember.autograd.explain(tensor) says where this tensor came from.)",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, TensorBase):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{_dt.from_numpy_dtype(value._data.dtype)}' to a tensor with dtype "
                    f"'{_dt.from_numpy_dtype(self._data.dtype)}'. Please ensure that the "
                    "gradient and the tensor have the same dtype"
                )
        self._grad = value

    def retain_grad(self) -> None:
        """Fill ``.grad`` for this non-leaf tensor during backward (it accumulates)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        e = self._ensure_extra()
        if e.retains_grad:
            return
        e.retains_grad = True
        self._node_slot()

    def _node_slot(self):
        # The grad_fn keeps, per output, a weak reference to this tensor and its hooks.
        fn = self.grad_fn
        if fn._retained is None:
            fn._retained = {}
            fn._special = True
        slot = fn._retained.get(self._output_nr)
        if slot is None:
            slot = fn._retained[self._output_nr] = (weakref.ref(self), [])
        return slot

    @property
    def retains_grad(self) -> bool:
        """True after ``retain_grad()`` on a non-leaf."""
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever a gradient for this tensor is computed.

        The hook may return a new gradient to use instead.  Returns a handle with
        ``remove()``.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            e = self._ensure_extra()
            if e.hooks is None:
                e.hooks = []
            e.hooks.append(hook)
            return RemovableHandle(e.hooks, hook=hook)
        hooks = self._node_slot()[1]
        hooks.append(hook)
        return RemovableHandle(hooks, hook=hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after a gradient is accumulated into this leaf's ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        e = self._ensure_extra()
        if e.post_acc_hooks is None:
            e.post_acc_hooks = []
        e.post_acc_hooks.append(hook)
        return RemovableHandle(e.post_acc_hooks, hook=hook)

    def backward(
        self, gradient=None, retain_graph=None, create_graph=False, inputs=None, *, trace=False
    ):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``.

        Args:
            gradient: d(something)/d(self); needed unless this tensor has one element.
            retain_graph: keep saved values for another backward (default: create_graph).
            create_graph: record the backward pass, for higher-order gradients.
            inputs: accumulate only into these tensors.
            trace: (Ember) print each node as backward runs it: the gradient flowing in
                (shape and norm) and the node's rule.
        """
        if trace:
            from .autograd.graph import trace_backward

            trace_backward(self, gradient, retain_graph=retain_graph, inputs=inputs)
            return
        # ``ember.autograd`` sits above this module; it is loaded with ember, so look it up
        # rather than run the import machinery on every backward.
        _sys.modules[_AUTOGRAD].backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> TensorBase:
        """A new leaf sharing this tensor's data and version counter, without history."""
        t = TensorBase._make(self._data, False, None, 0, self._version_counter)
        t._base = self._base
        _same_inference(t, self)
        if self._requires_grad:  # remember where the graph was cut, for explain()
            t._ensure_extra().origin = f"detach() at {user_site()}"
        return t

    def detach_(self) -> TensorBase:
        """Make this tensor a leaf that does not require grad, in place."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> TensorBase:
        """The tensor's data as a new leaf that shares the memory but not the version
        counter: changes made through it are invisible to autograd (prefer ``detach()``)."""
        t = TensorBase._make(self._data)
        _same_inference(t, self)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, TensorBase):
            t = type(value)
            name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"
            raise TypeError(f"Variable data has to be a tensor, but got {name}")
        if self._requires_grad and not _dt.is_inexact_np(value._data.dtype):
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or "
                "complex dtype"
            )
        self._data = value._data

    @property
    def volatile(self) -> bool:
        """Always False: PyTorch removed volatile (use ``no_grad()``); warns as PyTorch."""
        warnings.warn(
            "volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2
        )
        return False

    @volatile.setter
    def volatile(self, value):
        from .autograd.variable import VOLATILE_SET

        warnings.warn(VOLATILE_SET, UserWarning, stacklevel=2)

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has seen (its views share the count).

        Inference tensors keep no count, and refuse as PyTorch's do.
        """
        e = self._extra
        if e is not None and e.inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._version_counter[0]

    _version_value = _version

    @property
    def output_nr(self) -> int:
        """Which output of ``grad_fn`` this tensor is."""
        return self._output_nr

    # ----- attributes -----------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The tensor's shape as a ``Size``."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length along ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        """The element type, e.g. ``torch.float32``."""
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        """Where the data lives."""
        if type(self._data) is _ndarray:
            return _CPU
        return _device(*device_of(self._data))

    @property
    def is_cuda(self) -> bool:
        """True for tensors on a GPU."""
        return type(self._data) is not _ndarray

    def is_floating_point(self) -> bool:
        """True for float16, bfloat16, float32 and float64 tensors."""
        return _dt.is_float_np(self._data.dtype)

    def is_complex(self) -> bool:
        """True for complex tensors."""
        return self._data.dtype.kind == "c"

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    stride = _layout.stride
    is_contiguous = _layout.is_contiguous
    data_ptr = _layout.data_ptr
    untyped_storage = _layout.untyped_storage
    storage = _layout.storage
    storage_offset = _layout.storage_offset
    nbytes, itemsize, is_cpu = _layout.nbytes, _layout.itemsize, _layout.is_cpu
    get_device = _layout.get_device

    @property
    def is_sparse(self) -> bool:
        """False: Ember's tensors are dense (strided)."""
        return False

    @property
    def layout(self):
        """``torch.strided``: Ember's tensors are dense."""
        return strided

    @property
    def is_nested(self) -> bool:
        """False: Ember has no nested (jagged) tensors."""
        return False

    def is_pinned(self) -> bool:
        """False: there is no page-locked memory without an accelerator."""
        return False

    def pin_memory(self):
        """Page-locked memory needs an accelerator; a CPU-only build has none."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_inference(self) -> bool:
        """True for tensors created inside ``inference_mode``."""
        return self._extra is not None and self._extra.inference

    # ----- views given as properties (written in _tensor_layout.py) -------------------
    T = _layout.T
    mT = _layout.mT
    H = _layout.H
    mH = _layout.mH
    real = _layout.real
    imag = _layout.imag

    # ----- conversions to Python and NumPy (written in _tensor_python.py) -------------
    item = _py.item
    tolist = _py.tolist
    numpy = _py.numpy
    __array__ = _py.__array__
    __float__ = _py.__float__
    __int__ = _py.__int__
    __complex__ = _py.__complex__
    __bool__ = _py.__bool__
    __index__ = _py.__index__
    __len__ = _py.__len__
    __iter__ = _py.__iter__
    __repr__ = _py.__repr__
    __format__ = _py.__format__

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, proto):
        from .serialization import _rebuild_tensor

        return (_rebuild_tensor, (self.numpy(force=True), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        t = type(self).__new__(type(self))
        TensorBase._init_from(t, self._data.copy(), self._requires_grad)
        if self._grad is not None:
            t._grad = self._grad.clone()
        memo[id(self)] = t
        return t

    @staticmethod
    def _init_from(t, data, requires_grad=False):
        t._data = data
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._output_nr = 0
        t._version_counter = [0]
        t._grad = None
        t._base = None
        t._acc = None
        t._extra = None

    def _bump_version(self, op="an in-place operation", *, site=True):
        """Record an in-place write to this tensor's storage (shared with its views).

        ``op`` is remembered, with the user's file and line unless ``site`` is False (the
        library's own writes: optimizer steps, buffers), for the in-place error.
        """
        e = self._extra
        if e is not None and e.inference and not _grad_state.inference:
            raise RuntimeError(INFERENCE_INPLACE)
        counter = self._version_counter
        counter[0] += 1
        text = f"{op} at {user_site()}" if site else op
        if len(counter) > 1:
            counter[1] = text
        else:
            counter.append(text)


INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


def _inference_extra():
    e = _Extra()
    e.inference = True
    return e


def _same_inference(t, source):
    """Make ``t`` (a fresh view, alias or detach of ``source``) an inference tensor exactly
    when ``source`` is one."""
    inference = source._extra is not None and source._extra.inference
    if inference:
        t._ensure_extra().inference = True
    elif t._extra is not None:
        t._extra.inference = False


_CPU = _device("cpu")
_AUTOGRAD = __name__.rsplit(".", 1)[0] + ".autograd"  # the public autograd package
# The class every tensor is made as: ``ember.Tensor`` once ``ember.tensor`` has assembled it.
_instance_class = [TensorBase]


def bind_tensor_class(cls):
    """Make ``cls`` (``ember.Tensor``, a subclass of ``TensorBase``) the class of new tensors."""
    _instance_class[0] = cls
    _node.use_tensor_class(cls)


def wrap_dim(dim, ndim):
    """Normalise a possibly negative ``dim`` for a tensor with ``ndim`` dimensions."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


_wrap_dim = wrap_dim
_user_site = user_site
storage_root = _layout.storage_root
