"""The one validating constructor of loaded tensors, and the checks on the arrays behind them.

Every tensor a load returns -- from Ember's format, a PyTorch ``.pt`` or a plain pickle --
is made by ``rebuild_tensor``: a plain array of a dtype Ember supports, its requires_grad
flag checked as PyTorch checks it.  Nothing else in a file can set a tensor's slots.
"""

from __future__ import annotations

import re

from .. import dtypes as _dtypes
from ..backend import np
from ..tensor import Tensor
from .allowlist import refused

_PLAIN_CODE = re.compile(r"[<>|=]?[biufc][0-9]{1,2}")
_MAX_DIM = 1 << 62
_KINDS = {"O": " (object)", "V": " (void)", "U": " (str)", "S": " (bytes)", "M": " (datetime)"}


def check_requires_grad(requires_grad, dtype) -> None:
    """PyTorch's checks on a loaded tensor's requires_grad flag."""
    if type(requires_grad) is not bool:
        raise RuntimeError(
            f"requires_grad must be a bool (the file gives {type(requires_grad).__name__})"
        )
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(
            "only Tensors of floating point and complex dtype can require gradients "
            f"(the file asks it of a {dtype} tensor)"
        )


def tensor_dtype(np_dtype):
    """The Ember dtype for a NumPy dtype read from a file, or a refusal."""
    try:
        return _dtypes.from_numpy_dtype(np_dtype.newbyteorder("="))
    except TypeError:
        raise refused(f"a tensor of dtype {np_dtype} is not a dtype Ember tensors have") from None


def rebuild_tensor(array, requires_grad=False, *, bool_checked=False):
    """Make a loaded tensor from a plain NumPy array: the only way loads create tensors.

    ``bool_checked``: the array's storage already holds only 0 and 1 bytes (a view over a
    large storage need not be scanned again).
    """
    if type(array) is not np.ndarray:
        raise refused(f"a tensor can only be rebuilt from an array, not {type(array).__name__}")
    dtype = tensor_dtype(array.dtype)
    check_requires_grad(requires_grad, dtype)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype == np.bool_ and not bool_checked:
        raw = array.view(np.uint8)
        if raw.size and raw.max() > 1:  # any non-zero byte is True, as PyTorch reads it
            array = raw != 0
    if not array.flags.writeable:
        array = array.copy()
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_parameter(array, requires_grad=True):
    """Make a loaded ``nn.Parameter`` (through ``rebuild_tensor``)."""
    from ..nn.parameter import Parameter

    t = array if type(array) is Tensor else rebuild_tensor(array)
    check_requires_grad(requires_grad, t.dtype)
    return Parameter(t, requires_grad)


class TensorInfo:
    """What ``check_file`` learns of a tensor without reading its bytes."""

    def __init__(self, shape, dtype, requires_grad, parameter=False):
        self.shape, self.dtype, self.requires_grad = tuple(shape), dtype, requires_grad
        self.parameter = parameter

    @property
    def nbytes(self):
        """Bytes of the tensor's elements."""
        n = self.dtype.itemsize
        for s in self.shape:
            n *= s
        return n


# Pickled under these names by Tensor.__reduce_ex__ / Parameter.__reduce_ex__; the names are
# part of the file format, so they stay where older files look for them.
def _rebuild_tensor(array, requires_grad=False):
    """Rebuild a pickled tensor from its NumPy array (named in Ember checkpoints)."""
    return rebuild_tensor(array, requires_grad)


def _rebuild_parameter(array, requires_grad=True):
    """Rebuild a pickled ``nn.Parameter`` (named in Ember checkpoints)."""
    return rebuild_parameter(array, requires_grad)


_rebuild_tensor.__module__ = _rebuild_parameter.__module__ = "ember.serialization"


# ----- NumPy's own pickles, checked piece by piece --------------------------------------------
def plain_dtype(code, align=False, copy=True):
    """``numpy.dtype(code)`` for a plain number type (bool, int, float, complex) only."""
    if type(code) is not str or not _PLAIN_CODE.fullmatch(code):
        kind = _KINDS.get(code.lstrip("<>|=")[:1], "") if type(code) is str else ""
        raise refused(
            f"NumPy dtype {code!r:.40}{kind} is refused: only plain numbers (bool, int, float, "
            "complex) are allowed"
        )
    if type(align) is not bool or type(copy) is not bool:
        raise refused("numpy.dtype takes two bools after the type code")
    try:
        dt = np.dtype(code, align, copy)
    except TypeError:
        raise refused(f"{code!r} is not a NumPy dtype") from None
    return check_dtype(dt)


def check_dtype(dt):
    """Refuse object, string, void, structured and sub-array dtypes."""
    if (
        not isinstance(dt, np.dtype)
        or dt.kind not in "biufc"
        or dt.fields is not None
        or dt.subdtype is not None
        or dt.itemsize > 16
    ):
        raise refused(f"NumPy dtype {dt!r} is not allowed: only plain numbers are")
    return dt


def check_dtype_state(state):
    """The state NumPy BUILDs a plain dtype with: (3, byte order, None x3, -1, -1, flags)."""
    ok = (
        type(state) is tuple
        and len(state) == 8
        and state[0] == 3
        and state[1] in ("<", ">", "|", "=")
        and state[2:5] == (None, None, None)
        and state[5:7] == (-1, -1)
        and type(state[7]) is int
        and 0 <= state[7] < 256
    )
    if not ok:
        raise refused(f"NumPy dtype state {state!r:.200} is not that of a plain number type")


def check_shape(shape, what="shape"):
    """A tuple of non-negative ints (NumPy's limits), or a refusal."""
    if type(shape) is not tuple or len(shape) > 64:
        raise refused(f"array {what} must be a tuple of at most 64 ints, not {shape!r:.100}")
    for n in shape:
        if type(n) is not int or not 0 <= n < _MAX_DIM:
            raise refused(f"array {what} {shape!r:.100} holds {n!r:.40}")
    return shape


def nbytes(shape, dt):
    """Bytes an array of this shape and dtype needs; refused past NumPy's largest array."""
    n = extent = dt.itemsize
    for s in shape:
        n *= s
        extent *= max(s, 1)
    if extent >= _MAX_DIM:  # NumPy refuses such shapes even when a dimension is 0
        raise refused(f"array shape {shape!r:.100} is larger than any array can be")
    return n


def check_array_state(state):
    """The state of NumPy's ``ndarray.__setstate__``: its bytes must match its shape."""
    if type(state) is not tuple or len(state) not in (4, 5):
        raise refused("array state must be (version, shape, dtype, is_fortran, bytes)")
    shape, dt, fortran, raw = state[-4:]
    if len(state) == 5 and state[0] != 1:
        raise refused(f"array state version {state[0]!r:.40} is not 1")
    check_shape(shape)
    check_dtype(dt)
    if type(fortran) is not bool or type(raw) not in (bytes, bytearray):
        raise refused("array state must hold a bool and the array's raw bytes")
    need = nbytes(shape, dt)
    if len(raw) != need:
        raise refused(
            f"array state of shape {shape} and dtype {dt} needs {need} bytes but holds "
            f"{len(raw)} bytes"
        )


def np_scalar(dt, data=None):
    """A NumPy scalar from its dtype and raw bytes."""
    check_dtype(dt)
    if data is None:
        return dt.type()
    if type(data) is not bytes or len(data) != dt.itemsize:
        raise refused(f"a {dt} scalar needs {dt.itemsize} raw bytes")
    return np.frombuffer(data, dtype=dt, count=1)[0]


def np_frombuffer(buf, dt, shape, order="C"):
    """NumPy's protocol-5 array: its buffer must match shape and dtype exactly."""
    check_dtype(dt)
    check_shape(shape)
    if type(buf) not in (bytes, bytearray) or order not in ("C", "F"):
        raise refused("an array buffer must be bytes with order 'C' or 'F'")
    if len(buf) != nbytes(shape, dt):
        raise refused(
            f"array buffer of shape {shape} and dtype {dt} needs {nbytes(shape, dt)} bytes "
            f"but holds {len(buf)} bytes"
        )
    return np.frombuffer(buf, dtype=dt).reshape(shape, order=order)
