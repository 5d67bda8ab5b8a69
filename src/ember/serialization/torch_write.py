"""Writing PyTorch ``.pt`` zip checkpoints without PyTorch (``save(obj, f, format="pt")``)."""

from __future__ import annotations

import collections
import io
import pickle
import struct
import uuid
import zipfile

from .. import dtypes as _dtypes
from ..backend import np
from ..tensor import Tensor
from . import files
from .torch_read import _storage_types

# ----- writing PyTorch .pt zip checkpoints, without PyTorch -----------------------------------
# A PyTorch checkpoint is a zip archive: <name>/data.pkl is a protocol-2 pickle in which every
# tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
# hooks)`` and every storage a persistent id ``("storage", torch.<Kind>Storage, key, "cpu",
# numel)`` whose bytes are the record <name>/data/<key>, little-endian, 64-byte aligned.
_STORAGE_NAMES = {kind.np: name for name, kind in _storage_types().items()}
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
        from ..nn.parameter import Parameter

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
    if files.is_path(f):
        files.target_of(f)  # a missing folder is reported before any work
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
    files.write(f, [buf.getvalue()])
