"""``ember.save`` / ``ember.load``: safe checkpoints of tensors, state dicts and containers.

The format is a short header (magic bytes, a format version and, from version 2, a
CRC-32 of the rest) followed by a pickle; the checksum turns a flipped bit anywhere,
tensor bytes included, into a clear error instead of silently wrong weights.  Loading
with ``weights_only=True`` (the default, as in PyTorch 2.6+) uses a restricted
unpickler: only tensors, NumPy arrays of plain dtypes, primitive values, containers
and globals registered with ``add_safe_globals`` can appear, so a crafted file cannot
run code.  Writes go to a temporary file in the same directory and are renamed into
place, so a crash never leaves a half-written checkpoint.  ``ember.load`` also reads
PyTorch ``.pt`` zip checkpoints of tensors and state dicts (without PyTorch);
``save(obj, f, format="pt")`` (or ``save_pytorch``) writes one that
``torch.load(f, weights_only=True)`` accepts; and ``save_safetensors`` /
``load_safetensors`` speak the safetensors format.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import tempfile
import uuid
import zipfile
import zlib

from . import dtypes as _dtypes
from .backend import np
from .tensor import Tensor

MAGIC = b"EMBERCKPT\x00"
FORMAT_VERSION = 2
_HEADER = MAGIC + bytes([1])  # version 1: no checksum (still read)


def _header_v2(body):
    return MAGIC + bytes([2]) + struct.pack("<I", zlib.crc32(body))


UnpicklingError = pickle.UnpicklingError

_safe_globals: dict = {}


def _rebuild_tensor(array, requires_grad=False):
    """Rebuild a pickled tensor from its NumPy array (called by ``Tensor.__reduce_ex__``)."""
    t = Tensor._make(np.array(array, copy=True) if not array.flags.writeable else array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(array, requires_grad=True):
    """Rebuild a pickled ``nn.Parameter``."""
    from .nn.parameter import Parameter

    return Parameter(_rebuild_tensor(array), requires_grad)


def add_safe_globals(safe_globals):
    """Allow these classes/functions to appear in files loaded with ``weights_only=True``."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj, name = g, f"{g.__module__}.{g.__qualname__}"
        _safe_globals[name] = obj


def get_safe_globals():
    """The globals registered with ``add_safe_globals``."""
    return list(_safe_globals.values())


def clear_safe_globals():
    """Forget every global registered with ``add_safe_globals``."""
    _safe_globals.clear()


class safe_globals:
    """Context manager: ``add_safe_globals`` for the duration of a block."""

    def __init__(self, safe_globals):
        self.globals = safe_globals

    def __enter__(self):
        self.saved = dict(_safe_globals)
        add_safe_globals(self.globals)

    def __exit__(self, *exc):
        _safe_globals.clear()
        _safe_globals.update(self.saved)


def _check_dtype(dt):
    dt = np.dtype(dt)
    if dt.kind not in "biufc" or dt.fields is not None or dt.subdtype is not None:
        raise pickle.UnpicklingError(f"Weights only load failed: dtype {dt} is not allowed.")
    return dt


def _np_dtype(*args):
    return _check_dtype(np.dtype(*args))


def _np_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError("Weights only load failed: only plain ndarrays are allowed.")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _np_scalar(dtype, data=None):
    _check_dtype(dtype)
    return np.frombuffer(data, dtype=dtype, count=1)[0] if data is not None else dtype.type()


def _np_frombuffer(buf, dtype, shape, order="C"):
    return np.frombuffer(buf, dtype=_check_dtype(dtype)).reshape(shape, order=order).copy()


def _dtype_by_name(name):
    from . import dtypes

    return dtypes._by_name(name)


_ALLOWED = {
    ("ember.serialization", "_rebuild_tensor"): _rebuild_tensor,
    ("ember.serialization", "_rebuild_parameter"): _rebuild_parameter,
    ("ember.dtypes", "_by_name"): _dtype_by_name,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "defaultdict"): None,  # needs a factory: refused below
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "range"): range,
    ("numpy", "dtype"): _np_dtype,
    ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy.core.multiarray", "scalar"): _np_scalar,
    ("numpy._core.multiarray", "scalar"): _np_scalar,
    ("numpy.core.numeric", "_frombuffer"): _np_frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _np_frombuffer,
    ("numpy", "ndarray"): np.ndarray,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only allow-listed globals."""

    def find_class(self, module, name):
        key = (module, name)
        fn = _ALLOWED.get(key)
        if fn is not None:
            return fn
        full = f"{module}.{name}"
        if full in _safe_globals:
            return _safe_globals[full]
        raise pickle.UnpicklingError(
            "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
            "`weights_only` argument in `torch.load` from `False` to `True`. Re-running "
            "`torch.load` with `weights_only` set to `False` will likely succeed, but it can "
            "result in arbitrary code execution. Do it only if you got the file from a trusted "
            "source.\nPlease file an issue with the following so that we can make "
            "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
            f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please "
            f"use `torch.serialization.add_safe_globals([{name}])` or the "
            f"`torch.serialization.safe_globals([{name}])` context manager to allowlist this "
            "global if you trust this class/function."
        )

    def persistent_load(self, pid):
        raise pickle.UnpicklingError(
            "Weights only load failed: persistent ids are not allowed in Ember checkpoints."
        )


def _name_of(f):
    return os.fspath(f) if isinstance(f, (str, bytes, os.PathLike)) else repr(f)


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol=4,
    _use_new_zipfile_serialization=True,
    *,
    format="ember",
):
    """Write ``obj`` (tensors, state dicts, optimizer state, containers) to ``f``.

    ``f`` is a path (written atomically through a temporary file) or a binary file object.
    ``format="pt"`` writes PyTorch's zip checkpoint format instead (see ``save_pytorch``).
    """
    if format in ("pt", "pytorch", "torch"):
        return save_pytorch(obj, f)
    if format != "ember":
        raise ValueError(f"save: unknown format {format!r}; expected 'ember' or 'pt'")
    body = pickle_module.dumps(obj, protocol=pickle_protocol)
    _write(_header_v2(body) + body, f)


def _write(payload, f):
    if not isinstance(f, (str, bytes, os.PathLike)):
        f.write(payload)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = path.decode()
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ember-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **kwargs):
    """Read an object written by ``save`` (or a PyTorch ``.pt`` state-dict checkpoint).

    With ``weights_only=True`` (the default) only tensors, primitive values,
    containers and ``add_safe_globals`` entries load; anything else raises
    ``pickle.UnpicklingError`` ("Weights only load failed...") without running code.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    name = _name_of(f)
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
    else:
        data = f.read()
    if not data:
        raise RuntimeError(f"Ember checkpoint {name} is empty (0 bytes); nothing to load.")
    if data[:4] == b"PK\x03\x04":
        return _load_torch_zip(data, name, weights_only)
    if data.startswith(MAGIC):
        if len(data) <= len(_HEADER):
            raise RuntimeError(f"Ember checkpoint {name} is truncated (header only).")
        version = data[len(MAGIC)]
        if version > FORMAT_VERSION:
            raise RuntimeError(
                f"Ember checkpoint {name} has format version {version}; this Ember reads up to "
                f"{FORMAT_VERSION}."
            )
        if version >= 2:
            start = len(MAGIC) + 1 + 4
            if len(data) <= start:
                raise RuntimeError(f"Ember checkpoint {name} is truncated (header only).")
            body = data[start:]
            (expected,) = struct.unpack("<I", data[len(MAGIC) + 1 : start])
            if zlib.crc32(body) != expected:
                raise RuntimeError(
                    f"Ember checkpoint {name} is corrupt or truncated: its contents do not "
                    "match the checksum written with them (a damaged disk or an incomplete "
                    "copy). Load an earlier copy of the file."
                )
        else:
            body = data[len(_HEADER) :]
    else:
        body = data  # a plain pickle (e.g. written by pickle.dump)
    return _unpickle(body, name, weights_only, pickle_module)


def _unpickle(body, name, weights_only, pickle_module=None):
    stream = io.BytesIO(body)
    try:
        if weights_only:
            return _RestrictedUnpickler(stream).load()
        return (pickle_module or pickle).Unpickler(stream).load()
    except pickle.UnpicklingError as e:
        if str(e).startswith("Weights only load failed"):
            raise
        raise RuntimeError(
            f"Ember checkpoint {name} is corrupt or truncated and could not be read ({e})."
        ) from e
    except (EOFError, ValueError, IndexError, KeyError, TypeError, AttributeError) as e:
        raise RuntimeError(
            f"Ember checkpoint {name} is corrupt or truncated and could not be read "
            f"({type(e).__name__}: {e})."
        ) from e


# ----- PyTorch .pt zip checkpoints, read without PyTorch -------------------------------------
_TORCH_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "ComplexFloatStorage": np.complex64,
    "ComplexDoubleStorage": np.complex128,
}
_TORCH_DTYPE_NAMES = (
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
)


class _TorchStorageType:
    def __init__(self, name):
        self.dtype = np.dtype(_TORCH_DTYPES[name])


def _load_torch_zip(data, name, weights_only):
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"Ember checkpoint {name} is a corrupt zip archive ({e}).") from e
    pkl = next((n for n in names if n.endswith("data.pkl")), None)
    if pkl is None:
        raise RuntimeError(f"{name} is a zip archive but not a PyTorch checkpoint (no data.pkl).")
    prefix = pkl[: -len("data.pkl")]
    storages = {}

    def load_storage(key, dtype):
        if key not in storages:
            raw = zf.read(f"{prefix}data/{key}")
            storages[key] = np.frombuffer(raw, dtype=dtype)
        return storages[key]

    def rebuild(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
        arr, itemsize = storage, storage.itemsize
        view = np.lib.stride_tricks.as_strided(
            arr[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride)
        )
        t = Tensor._make(np.array(view, copy=True))
        if requires_grad:
            t.requires_grad_(True)
        return t

    def rebuild_parameter(tensor, requires_grad, hooks=None, *extra):
        from .nn.parameter import Parameter

        return Parameter(tensor, requires_grad)

    allowed = {
        ("torch._utils", "_rebuild_tensor_v2"): rebuild,
        ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch", "Size"): tuple,
    }

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, cname):
            if (module, cname) in allowed:
                return allowed[(module, cname)]
            if module == "torch" and cname in _TORCH_DTYPES:
                return _TorchStorageType(cname)
            if module == "torch" and cname in _TORCH_DTYPE_NAMES:
                return _dtype_by_name(cname)
            if not weights_only:
                return super().find_class(module, cname)
            return _RestrictedUnpickler.find_class(self, module, cname)

        def persistent_load(self, pid):
            kind, storage_type, key, _location, _numel = pid
            if kind != "storage":
                raise pickle.UnpicklingError(f"unsupported persistent id {kind!r}")
            dtype = storage_type.dtype if isinstance(storage_type, _TorchStorageType) else None
            if dtype is None:
                raise pickle.UnpicklingError("Weights only load failed: unknown storage type.")
            return load_storage(key, dtype)

    try:
        return Unpickler(io.BytesIO(zf.read(pkl))).load()
    except pickle.UnpicklingError:
        raise
    except Exception as e:
        raise RuntimeError(f"Could not read PyTorch checkpoint {name}: {e}") from e


# ----- writing PyTorch .pt zip checkpoints, without PyTorch -----------------------------------
# A PyTorch checkpoint is a zip archive: <name>/data.pkl is a protocol-2 pickle in which every
# tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
# hooks)`` and every storage a persistent id ``("storage", torch.<Kind>Storage, key, "cpu",
# numel)`` whose bytes are the record <name>/data/<key>, little-endian, 64-byte aligned.
_STORAGE_NAMES = {np.dtype(v): k for k, v in _TORCH_DTYPES.items()}
_ALIGN = 64


class _TorchGlobal:
    """A PyTorch global written into the pickle by name only (PyTorch is never imported)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle wants a callable; only PyTorch ever calls it
        raise TypeError(f"{self.module}.{self.name} exists only in PyTorch")


class _Storage:
    def __init__(self, key, array):
        self.key, self.array = key, array


class _TensorData:
    """The plain tensor inside a pickled ``nn.Parameter``."""

    def __init__(self, array):
        self.array = array


_REBUILD_TENSOR = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")


class _TorchPickler(pickle._Pickler):
    """Pickles Ember tensors (and NumPy arrays/scalars) as PyTorch's unpickler expects them."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = []
        self.global_memo = {}

    def save_torch_global(self, obj):
        key = (obj.module, obj.name)
        idx = self.global_memo.get(key)
        if idx is not None:
            self.write(self.get(idx))
            return
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
        idx = self.global_memo[key] = len(self.memo)
        self.memo[id(obj)] = idx, obj  # the memo keeps obj alive, so its id stays unique
        self.write(self.put(idx))

    def save_numpy_scalar(self, obj):
        self.save(obj.item())

    def save_dtype(self, obj):
        self.save_torch_global(_TorchGlobal("torch", obj.name))

    dispatch[_TorchGlobal] = save_torch_global
    dispatch[_dtypes.dtype] = save_dtype
    for _t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32):
        dispatch[_t] = save_numpy_scalar
    for _t in (np.uint64, np.float16, np.float32, np.float64):
        dispatch[_t] = save_numpy_scalar
    del _t

    def persistent_id(self, obj):
        if type(obj) is _Storage:
            name = _STORAGE_NAMES[obj.array.dtype]
            return ("storage", _TorchGlobal("torch", name), obj.key, "cpu", obj.array.size)
        return None

    def tensor_args(self, array, requires_grad):
        array = np.asarray(array, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        dt = array.dtype
        if dt not in _STORAGE_NAMES:
            raise TypeError(f"save_pytorch: cannot write a tensor of dtype {dt}")
        if dt.byteorder == ">":
            array = array.astype(dt.newbyteorder("<"))
        storage = _Storage(str(len(self.storages)), array)
        self.storages.append(storage)
        stride, acc = [], 1
        for n in reversed(array.shape):
            stride.insert(0, acc)
            acc *= max(n, 1)
        hooks = collections.OrderedDict()
        return (storage, 0, tuple(array.shape), tuple(stride), requires_grad, hooks)

    def reducer_override(self, obj):
        from .nn.parameter import Parameter

        if isinstance(obj, Parameter):
            data = _TensorData(obj.detach().numpy(force=True))
            return (_REBUILD_PARAMETER, (data, obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):
            array = obj.detach().numpy(force=True)
            return (_REBUILD_TENSOR, self.tensor_args(array, obj.requires_grad))
        if type(obj) is _TensorData:
            return (_REBUILD_TENSOR, self.tensor_args(obj.array, False))
        if type(obj) is np.ndarray:
            return (_REBUILD_TENSOR, self.tensor_args(obj, False))
        return NotImplemented


def _pickle_for_torch(obj):
    buf = io.BytesIO()
    p = _TorchPickler(buf)
    p.dump(obj)
    return buf.getvalue(), p.storages


def save_pytorch(obj, f):
    """Write ``obj`` as a PyTorch ``.pt`` zip checkpoint that ``torch.load`` reads.

    Supports what state dicts and optimizer states hold: tensors and parameters (written
    contiguous, one storage each), NumPy arrays (as tensors), dtypes, numbers, strings,
    ``None`` and dicts/lists/tuples of these. The file loads with ``weights_only=True``.
    """
    data_pkl, storages = _pickle_for_torch(obj)
    records = [
        ("data.pkl", data_pkl),
        (".format_version", b"1"),
        (".storage_alignment", str(_ALIGN).encode()),
        ("byteorder", b"little"),
    ]
    records += [(f"data/{s.key}", s.array.tobytes()) for s in storages]
    records += [
        ("version", b"3\n"),
        (".data/serialization_id", str(uuid.uuid4().int).zfill(40)[:40].encode()),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, payload in records:
            info = zipfile.ZipInfo("archive/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            # pad the local header's extra field so the record's bytes start 64-aligned
            start = buf.tell() + 30 + len(info.filename.encode()) + 4
            pad = -start % _ALIGN
            info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
            zf.writestr(info, payload)
    _write(buf.getvalue(), f)


# ----- safetensors ----------------------------------------------------------------------------
def save_safetensors(tensors: dict, filename, metadata=None):
    """Write a flat dict of tensors in the safetensors format (needs ``safetensors``)."""
    from safetensors.numpy import save_file

    arrays = {k: np.ascontiguousarray(v.numpy(force=True)) for k, v in tensors.items()}
    directory = os.path.dirname(os.path.abspath(os.fspath(filename)))
    fd, tmp = tempfile.mkstemp(prefix=".ember-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        save_file(arrays, tmp, metadata=metadata)
        os.replace(tmp, filename)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_safetensors(filename) -> dict:
    """Read a safetensors file into a dict of tensors (needs ``safetensors``)."""
    from safetensors.numpy import load_file

    return {k: Tensor._make(v) for k, v in load_file(filename).items()}
