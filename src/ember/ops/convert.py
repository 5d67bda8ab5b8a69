"""dtype and device conversions (``to``, ``float()``, ``type()``, ...), clone and contiguous."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import device_count, device_of, device_unavailable, to_device_array
from ..device import device as _device
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .registry import declare, op, public_names


class ToCopy(Node):
    """d(x.to(dtype, device)) = grad moved back to x's device (the engine casts the dtype)"""

    same_device = False

    def forward(self, x, np_dtype, device=None):
        if device is not None:
            self.source = device_of(x)
            x = to_device_array(x, *device)
        if np_dtype is not None and x.dtype != np_dtype:
            x = _dt.cast(x, np_dtype)
        return x

    def backward(self, grad):
        source = self.__dict__.get("source")
        if source is not None:
            grad = to(grad, _device(*source))
        return grad, None, None


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    if dtype is not None:
        dtype = _dt.dtype_arg(dtype, "to")
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, _device)):
            dev = a
        elif a is not None:
            dtype = a
    return dtype, dev


@op(
    ToCopy,
    methods="to",
    public=False,
    vmap=batching.elementwise,
    spec=OpSpec(
        "to_float64", lambda t, a: a.to(t.float64) * 1.0, [((3,),), ((),)], dtypes=("float32",)
    ),
)
def to(self, *args, **kwargs):
    """Convert ``self`` to a dtype and/or device; returns ``self`` when nothing changes."""
    copy = kwargs.get("copy", False)
    dtype, dev = _parse_to(args, kwargs)
    target = None
    if dev is not None:
        dev = _device(dev)
        index = dev.index if dev.index is not None or dev.type == "cpu" else 0
        if (dev.type, index) != device_of(self._data):
            if dev.type != "cpu" and device_count(dev.type) == 0:
                raise device_unavailable(dev.type)
            target = (dev.type, index)
    np_dtype = None
    if dtype is not None:
        np_dtype = _dt.to_numpy_dtype(dtype)
        if self._data.dtype == np_dtype:
            np_dtype = None
    if np_dtype is not None or target is not None:
        if self._requires_grad and np_dtype is not None and _dt.kind_of(np_dtype) not in "fc":
            with _no_grad():
                return ToCopy.apply(self, np_dtype, target)
        return ToCopy.apply(self, np_dtype, target)
    if copy:
        return clone(self)
    return self


def _no_grad():
    from ..autograd.grad_mode import no_grad

    return no_grad()


def _cast(dtype_name, doc):
    def cast(self):
        return to(self, getattr(_dt, dtype_name))

    cast.__name__ = cast.__qualname__ = {"float32": "float", "float64": "double",
        "float16": "half", "int64": "long", "int32": "int", "int16": "short", "int8": "char",
        "uint8": "byte", "bool": "bool", "bfloat16": "bfloat16"}[dtype_name]  # fmt: skip
    cast.__doc__ = doc
    return cast


# x.float(), x.double(), ...: ``to`` with a fixed dtype.
for _dtype, _doc in (
    ("float32", "Cast to float32."),
    ("float64", "Cast to float64."),
    ("float16", "Cast to float16."),
    ("int64", "Cast to int64."),
    ("int32", "Cast to int32."),
    ("int16", "Cast to int16."),
    ("int8", "Cast to int8."),
    ("uint8", "Cast to uint8."),
    ("bool", "Cast to bool."),
    ("bfloat16", "Cast to bfloat16."),
):
    _fn = _cast(_dtype, _doc)
    declare(None, _fn, methods=(_fn.__name__,), public=False)


def type(self, dtype=None, non_blocking=False, **kwargs):  # noqa: A001 - PyTorch's name
    """The legacy type name (``torch.FloatTensor``), or a copy converted to ``dtype``
    (an Ember dtype, a legacy type such as ``torch.DoubleTensor``, or its name)."""
    from ..legacy_types import tensor_type

    return tensor_type(self, dtype, non_blocking, **kwargs)


def type_as(self, other):
    """Cast to ``other``'s dtype."""
    return to(self, other.dtype)


def cpu(self):
    """The tensor on the CPU (itself when already there)."""
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False):
    """The tensor on a CUDA device (needs CuPy and a GPU)."""
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = _device("cuda", device)
    return to(self, device)


for _fn in (type, type_as, cpu, cuda):
    declare(None, _fn, methods=(_fn.__name__,), public=False)


class Clone(Node):
    """d(clone(x)) = grad"""

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return (grad,)


@op(
    Clone,
    methods="clone",
    vmap=batching.elementwise,
    spec=OpSpec("clone", lambda t, a: a.clone(), [((3, 4),), ((),)]),
    out=False,  # PyTorch gives it no out=
)
def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """``input`` if it is C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


declare(None, contiguous, methods=("contiguous",), public=False)
__all__ = public_names(__name__)
