"""What a safe load may build: allow-listed globals, each one a checked constructor.

A file can only name globals listed here (or allowed with ``add_safe_globals``).  Calling
one runs the checked constructor registered with it, never the raw function: ``set`` takes
the list pickle wrote, not a ``range``; NumPy's ``_reconstruct`` makes only the empty array
NumPy pickles and its one BUILD must bring exactly the bytes its shape needs; tensors come
only from ``rebuild.rebuild_tensor``, and no BUILD may touch a tensor afterwards.
"""

from __future__ import annotations

import builtins
import collections
import inspect

from .. import dtypes as _dtypes
from ..backend import np
from ..device import device as _device
from ..tensor import Size, Tensor
from . import rebuild as rb
from .allowlist import refused, unsupported_global, user_allows, user_global

_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}
_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray")
_NUMPY_NUMERIC = ("numpy.core.numeric", "numpy._core.numeric")


def _sequence(items, what):
    if type(items) not in (list, tuple, set, frozenset):
        raise refused(f"{what} takes the list pickle writes, not {type(items).__name__}")
    return items


def _set(items=()):
    return set(_sequence(items, "set"))


def _frozenset(items=()):
    return frozenset(_sequence(items, "frozenset"))


def _number(x):
    return type(x) in (int, float, bool)


def _complex(real=0.0, imag=0.0):
    if not (_number(real) and _number(imag)):
        raise refused("complex takes two numbers")
    return complex(real, imag)


def _slice(start, stop, step):
    if not all(a is None or type(a) is int for a in (start, stop, step)):
        raise refused("slice takes three ints or None")
    return slice(start, stop, step)


def _latin1(text, encoding="latin1"):
    """``_codecs.encode(str, 'latin1')``: how protocol 2 writes bytes."""
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        raise refused("_codecs.encode is allowed only for the latin1 bytes pickle writes")
    return text.encode("latin-1")


def _bytes():
    """``bytes()``: how protocols 0-2 write an empty bytes object."""
    return b""


def _bytearray(data=b"", encoding=None):
    if type(data) is str and encoding in ("latin1", "latin-1"):
        return bytearray(data.encode("latin-1"))
    if type(data) is not bytes or encoding is not None:
        raise refused("bytearray takes the bytes pickle writes, not a size or an iterable")
    return bytearray(data)


def _ordered_dict(items=()):
    if type(items) is dict:
        return collections.OrderedDict(items)
    if any(type(p) is not tuple or len(p) != 2 for p in _sequence(items, "OrderedDict")):
        raise refused("OrderedDict takes (key, value) pairs")
    return collections.OrderedDict(items)


def _counter(counts=None):
    if counts is not None and type(counts) is not dict:
        raise refused("Counter takes a dict")
    return collections.Counter(counts or {})


def _dtype_by_name(name):
    try:
        if type(name) is str:
            return _dtypes._by_name(name)
    except KeyError:
        pass
    raise refused(f"{name!r:.60} is not an Ember dtype")


def _size(dims=()):
    if type(dims) not in (tuple, list) or not all(type(d) is int for d in dims):
        raise refused("Size takes a tuple of ints")
    return Size(dims)


def _make_device(kind, index=None):
    if type(kind) is not str or not (index is None or type(index) is int):
        raise refused("device takes a type string and an optional int index")
    return _device(kind, index)


def _attribute_state(state):
    """A plain ``__dict__`` update: str keys that are not dunder names."""
    if type(state) is tuple and len(state) == 2 and state[1] is None:
        state = state[0]
    if state is None:
        return {}
    if type(state) is not dict or not all(type(k) is str and not k.startswith("__") for k in state):
        raise refused("object state must be a dict of attribute names")
    return state


def _build_device(inst, state):
    if type(state) is tuple and len(state) == 2 and state[0] is None:
        state = state[1]
    if type(state) is not dict or not set(state) <= {"type", "index"}:
        raise refused("device state must be {'type': ..., 'index': ...}")
    made = _make_device(state.get("type"), state.get("index"))
    inst.type, inst.index = made.type, made.index


def _is_tensor_class(obj):
    return isinstance(obj, type) and issubclass(obj, Tensor)


class Policy:
    """The allow-list of one safe load; ``SafeUnpickler`` asks it before making any object."""

    def __init__(self):
        self.globals: dict = {}
        self.calls: dict = {}
        self.pending: dict = {}  # id -> (kind, obj): made by a pickle, waiting for its BUILD
        self.used: dict = {}  # id -> array already wrapped by a tensor
        self.allow("collections", "OrderedDict", collections.OrderedDict, _ordered_dict)
        self.allow("collections", "Counter", collections.Counter, _counter)
        for name, call in [("set", _set), ("frozenset", _frozenset), ("slice", _slice)]:
            self.allow("builtins", name, getattr(builtins, name), call)
        self.allow("builtins", "complex", complex, _complex)
        self.allow("builtins", "bytearray", bytearray, _bytearray)
        self.allow("builtins", "bytes", bytes, _bytes)
        self.allow("_codecs", "encode", _latin1, _latin1)
        self.allow("numpy", "dtype", np.dtype, self._np_dtype)
        self.allow("numpy", "ndarray", np.ndarray)
        for module in _NUMPY_CORE:
            self.allow(module, "_reconstruct", self._np_reconstruct, self._np_reconstruct)
            self.allow(module, "scalar", self._np_scalar, self._np_scalar)
        for module in _NUMPY_NUMERIC:
            self.allow(module, "_frombuffer", self._np_frombuffer, self._np_frombuffer)
        for module, name in [("ember.device", "device"), (_device.__module__, "device")]:
            self.allow(module, name, _device, _make_device)
        for module, name in [("ember.tensor", "Size"), (Size.__module__, "Size")]:
            self.allow(module, name, Size, _size)

    def allow(self, module, name, obj, call=None):
        """Let files name ``module.name`` (meaning ``obj``); REDUCE on it runs ``call``."""
        self.globals[(module, name)] = obj
        if call is not None:
            params = inspect.signature(call).parameters.values()
            most = len(params)
            least = sum(1 for p in params if p.default is p.empty)
            self.calls[id(obj)] = (obj, call, least, most)

    # ----- the five questions the unpickler asks ------------------------------------------
    def find_class(self, module, name):
        """The object a GLOBAL names, if it is allowed."""
        module = _PY2_MODULES.get(module, module)
        obj = self.globals.get((module, name))
        if obj is None:
            obj = user_global(f"{module}.{name}")
        if obj is None:
            raise unsupported_global(f"{module}.{name}")
        return obj

    def call(self, func, args):
        """REDUCE: the checked constructor registered for ``func``."""
        entry = self.calls.get(id(func))
        if entry is not None and entry[0] is func:
            if not entry[2] <= len(args) <= entry[3]:
                raise refused(f"{_name(func)} takes {entry[2]} to {entry[3]} arguments")
            return entry[1](*args)
        if user_allows(func) and not _is_tensor_class(func):
            return func(*args)
        raise refused(f"Trying to call reduce for unrecognized function {_name(func)}")

    def new(self, cls, args, kwargs):
        """NEWOBJ: only the few classes pickle makes this way, and the user's own."""
        if _is_tensor_class(cls):
            raise refused(
                f"Can not create {cls.__name__} with NEWOBJ: tensors are rebuilt only from "
                "their arrays, by the loader's own constructor"
            )
        if cls is Size and not kwargs and len(args) <= 1:
            return _size(*args)
        if cls is _device and not args and not kwargs:
            obj = _device.__new__(_device)
            self.pending[id(obj)] = ("device", obj)
            return obj
        if isinstance(cls, type) and user_allows(cls):
            return cls.__new__(cls, *args, **kwargs)
        raise refused(
            "Can only create new object for classes allowlisted via `add_safe_globals` but "
            f"got {_name(cls)}"
        )

    def build(self, inst, state):
        """BUILD: fill what NumPy's pickles made, OrderedDict attributes, the user's classes."""
        entry = self.pending.get(id(inst))
        if entry is not None and entry[1] is inst:
            del self.pending[id(inst)]
            kind = entry[0]
            if kind == "array":
                rb.check_array_state(state)
                self._settle(state[-3])
                inst.__setstate__(state)
            elif kind == "dtype":
                rb.check_dtype_state(state)
                inst.__setstate__(state)
                rb.check_dtype(inst)
            else:
                _build_device(inst, state)
            return
        if isinstance(inst, (Tensor, rb.TensorInfo)):
            raise refused(
                "BUILD on a tensor is refused: a loaded tensor's slots are set only by the "
                "loader's constructor, from its array"
            )
        if type(inst) in (collections.OrderedDict, collections.Counter):
            inst.__dict__.update(_attribute_state(state))
            return
        if user_allows(type(inst)):
            _build_allowed(inst, state)
            return
        raise refused(
            "Can only build OrderedDict or types allowlisted via `add_safe_globals`, but got "
            f"{type(inst)}"
        )

    def persistent_load(self, pid):
        """Ember checkpoints and plain pickles have no persistent ids."""
        raise refused("persistent ids are not allowed in Ember checkpoints")

    # ----- NumPy --------------------------------------------------------------------------
    def _is_pending(self, obj):
        entry = self.pending.get(id(obj))
        return entry is not None and entry[1] is obj

    def _np_dtype(self, code, align=False, copy=True):
        dt = rb.plain_dtype(code, align, copy)
        self.pending[id(dt)] = ("dtype", dt)
        return dt

    def _np_reconstruct(self, subtype, shape, code):
        if subtype is not np.ndarray or shape != (0,) or code not in (b"b", "b"):
            raise refused(
                "numpy _reconstruct is allowed only as NumPy pickles an array: an empty "
                f"(0,) int8 ndarray, not {_name(subtype)} {shape!r:.60} {code!r:.20}"
            )
        arr = np.ndarray((0,), np.int8)
        self.pending[id(arr)] = ("array", arr)
        return arr

    def _settle(self, dt):
        """A dtype in use can no longer be changed by a BUILD."""
        if self._is_pending(dt):
            del self.pending[id(dt)]

    def _np_scalar(self, dt, data=None):
        self._settle(dt)
        return rb.np_scalar(dt, data)

    def _np_frombuffer(self, buf, dt, shape, order="C"):
        self._settle(dt)
        return rb.np_frombuffer(buf, dt, shape, order)

    # ----- tensors ------------------------------------------------------------------------
    def array_for_tensor(self, array):
        """An array a tensor may wrap: filled, and not already another tensor's."""
        if self._is_pending(array):
            raise refused("an array was made into a tensor before its state was set")
        if type(array) is np.ndarray:
            if id(array) in self.used:
                return array.copy()
            self.used[id(array)] = array
        return array

    def tensor(self, array, requires_grad=False):
        """``_rebuild_tensor``: the checked constructor."""
        return rb.rebuild_tensor(self.array_for_tensor(array), requires_grad)

    def parameter(self, array, requires_grad=True):
        """``_rebuild_parameter``: a Parameter over a checked tensor."""
        return rb.rebuild_parameter(self.array_for_tensor(array), requires_grad)


class EmberPolicy(Policy):
    """Ember's own checkpoints (and plain pickles): Ember's rebuild functions and dtypes."""

    def __init__(self):
        super().__init__()
        for name, fn in [("_rebuild_tensor", self.tensor), ("_rebuild_parameter", self.parameter)]:
            self.allow("ember.serialization", name, fn, fn)
        self.allow("ember.dtypes", "_by_name", _dtype_by_name, _dtype_by_name)


def _name(obj):
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or type(obj).__name__
    return f"{module}.{name}" if module else name


def _build_allowed(inst, state):
    """pickle's own BUILD, for an object of a class the user allowed."""
    setstate = getattr(inst, "__setstate__", None)
    if setstate is not None:
        setstate(state)
        return
    slots = None
    if type(state) is tuple and len(state) == 2:
        state, slots = state
    if state:
        inst.__dict__.update(state)
    for k, v in (slots or {}).items():
        setattr(inst, k, v)
