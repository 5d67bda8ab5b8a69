"""PyTorch ``.pt`` checkpoints (zip archives), read without PyTorch and checked before use.

A checkpoint is ``<name>/data.pkl`` (a pickle in which each tensor is
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`` and each storage a
persistent id ``("storage", torch.<Kind>Storage, key, location, numel)``) plus one record
``<name>/data/<key>`` of raw bytes per storage.  Before anything is read or decompressed,
every record's declared size is checked against the file, and each storage's against the
record; every view is checked against its storage (``geometry``) before it is made.
"""

from __future__ import annotations

import io
import pickle
import zipfile
import zlib

from .. import dtypes as _dtypes
from ..backend import np
from ..tensor import Tensor
from . import geometry
from . import rebuild as rb
from .allowlist import refused
from .policy import Policy, _attribute_state, _make_device, _size
from .unpickler import SafeUnpickler

MiB = 1 << 20
# Untrusted archives may expand (deflate) to at most this many times their compressed size,
# plus a fixed allowance: PyTorch writes records uncompressed, and a thousandfold ratio is
# what a zip bomb looks like.
MAX_EXPANSION = 100
EXPANSION_ALLOWANCE = 16 * MiB

_STORAGES = {
    "FloatStorage": "float32",
    "DoubleStorage": "float64",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_CORRUPT = (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, ValueError)


class StorageType:
    """``torch.<Kind>Storage`` as a file names it: the element type of a storage record."""

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype
        self.np = _dtypes.to_numpy_dtype(dtype)

    def __repr__(self):
        return f"torch.{self.name}"


def _storage_types():
    out = {}
    for name, dtype_name in _STORAGES.items():
        dtype = getattr(_dtypes, dtype_name, None)
        if isinstance(dtype, _dtypes.dtype):
            out[name] = StorageType(name, dtype)
    return out


class Storage:
    """One storage record: its element type, size, and (once read) its elements."""

    def __init__(self, key, kind, numel, array=None):
        self.key, self.kind, self.numel, self.array = key, kind, numel, array


class Archive:
    """A ``.pt`` zip whose records were all checked against the file before any is read."""

    def __init__(self, fileobj, name, file_size, trusted):
        self.name = name
        try:
            self.zf = zipfile.ZipFile(fileobj)
            infos = self.zf.infolist()
        except _CORRUPT as e:
            raise self.corrupt(e) from e
        pkl = [i.filename for i in infos if i.filename.endswith("data.pkl")]
        if not pkl:
            raise RuntimeError(
                f"{name} is a zip archive but not a PyTorch checkpoint (no data.pkl)."
            )
        self.prefix = min(pkl, key=len)[: -len("data.pkl")]
        expanded = compressed = 0
        largest = None
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise RuntimeError(
                    f"record {info.filename} of {name} uses zip compression method "
                    f"{info.compress_type}; PyTorch checkpoints store records plain or deflated."
                )
            stored = info.compress_type == zipfile.ZIP_STORED
            if info.header_offset + info.compress_size > file_size or (
                stored and info.file_size != info.compress_size
            ):
                raise RuntimeError(
                    f"record {info.filename} of {name} declares {info.file_size} bytes, which "
                    f"would run past the end of the file ({file_size} bytes): the archive is "
                    "corrupt or was truncated."
                )
            if not stored:
                expanded += info.file_size
                compressed += info.compress_size
                if largest is None or info.file_size > largest.file_size:
                    largest = info
        if not trusted and expanded > max(EXPANSION_ALLOWANCE, MAX_EXPANSION * compressed):
            raise RuntimeError(
                f"{name} looks like a zip bomb: record {largest.filename} declares "
                f"{largest.file_size} bytes from {largest.compress_size} compressed bytes "
                f"({expanded} bytes in all from {compressed}), more than {MAX_EXPANSION} "
                "times its size. It was refused before decompressing anything; load it with "
                "weights_only=False only if you trust where it came from."
            )
        self.big_endian = self._small_record("byteorder") == b"big"

    def corrupt(self, e):
        """The error for a damaged archive, naming the file."""
        return RuntimeError(
            f"{self.name} is not a readable PyTorch checkpoint: PytorchStreamReader failed "
            f"reading zip archive ({type(e).__name__}: {e}). The file is damaged or incomplete; "
            "load an earlier copy or save it again."
        )

    def _small_record(self, name):
        try:
            info = self.zf.getinfo(self.prefix + name)
        except KeyError:
            return None
        return self.read(info) if info.file_size <= 64 else None

    def read(self, info):
        """The bytes of one record (its declared size was checked when the archive opened)."""
        try:
            return self.zf.read(info)
        except _CORRUPT as e:
            raise self.corrupt(e) from e

    def pickle_bytes(self):
        """The bytes of ``data.pkl``."""
        return self.read(self.zf.getinfo(self.prefix + "data.pkl"))

    def record(self, key):
        """The zip entry of storage record ``key``."""
        try:
            return self.zf.getinfo(f"{self.prefix}data/{key}")
        except KeyError:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file data/{key}: file not found. "
                f"{self.name} refers to a storage record it does not contain."
            ) from None

    def read_storage(self, info, kind):
        """A writable 1-d array of the record's elements, read into memory allocated once."""
        out = np.empty(info.file_size, dtype=np.uint8)
        try:
            with self.zf.open(info) as src:
                pos, view = 0, memoryview(out)
                while pos < info.file_size:
                    n = src.readinto(view[pos : pos + 16 * MiB])
                    if not n:
                        raise EOFError(f"record {info.filename} ended early")
                    pos += n
        except _CORRUPT as e:
            raise self.corrupt(e) from e
        if kind.np == np.bool_:
            np.minimum(out, 1, out=out)  # any non-zero byte is True, as PyTorch reads it
        if self.big_endian and kind.np.itemsize > 1:
            return out.view(kind.np.newbyteorder(">")).astype(kind.np)
        return out.view(kind.np)


class TorchPolicy(Policy):
    """The allow-list for ``.pt`` files: PyTorch's rebuild functions, storages and dtypes."""

    def __init__(self, archive, inspect=False):
        super().__init__()
        self.archive, self.inspect = archive, inspect
        self.storages: dict = {}
        self.trusted_names: dict = {}
        for name, kind in _storage_types().items():
            self._torch("torch", name, kind)
        for d in _dtypes._ALL:
            self._torch("torch", d.name, d)
        self._torch("torch._utils", "_rebuild_tensor_v2", call=self.rebuild_tensor_v2)
        self._torch("torch._utils", "_rebuild_parameter", call=self.rebuild_parameter)
        self._torch("torch._utils", "_rebuild_parameter_with_state", call=self.parameter_state)
        self._torch("torch", "Size", call=_size)
        self._torch("torch", "device", call=_make_device)

    def _torch(self, module, name, token=None, call=None):
        obj = token if token is not None else call
        self.allow(module, name, obj, call)
        self.trusted_names[(module, name)] = obj

    def where(self, storage=None):
        """The Ember sentence that says where a bad number was found."""
        rec = f"record data/{storage.key} of " if storage is not None else ""
        return f" ({rec}{self.archive.name})"

    def persistent_load(self, pid):
        """A storage: its record must exist and hold exactly ``numel`` elements."""
        if type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage":
            raise refused(f"unsupported persistent id {pid!r:.80}")
        _, kind, key, location, numel = pid
        if not isinstance(kind, StorageType) or type(key) is not str or type(location) is not str:
            raise refused(f"malformed storage id {pid!r:.80}")
        if type(numel) is not int or numel < 0:
            raise TypeError(f"storage numel must be a non-negative int, not {numel!r:.40}")
        if key in self.storages:
            return self.storages[key]  # PyTorch reuses the first load of a key as it is
        info = self.archive.record(key)
        expected = numel * kind.np.itemsize
        if info.file_size != expected:
            raise RuntimeError(
                f"record size ({info.file_size} bytes) does not match expected size "
                f"({expected} bytes = {numel} elements * {kind.np.itemsize} bytes/element) "
                f"for dtype {kind.name[: -len('Storage')]}" + self.where(Storage(key, kind, 0))
            )
        array = None if self.inspect else self.archive.read_storage(info, kind)
        storage = self.storages[key] = Storage(key, kind, numel, array)
        return storage

    def rebuild_tensor_v2(
        self, storage, offset, size, stride, requires_grad, backward_hooks, metadata=None
    ):
        """``torch._utils._rebuild_tensor_v2``: a checked view of a checked storage."""
        if type(storage) is not Storage:
            raise refused(f"_rebuild_tensor_v2 needs a storage, not {type(storage).__name__}")
        reach = geometry.check_view(
            storage.numel, storage.kind.np.itemsize, offset, size, stride, self.where(storage)
        )
        rb.check_requires_grad(requires_grad, storage.kind.dtype)
        if not isinstance(backward_hooks, dict) or not (metadata is None or type(metadata) is dict):
            raise refused("_rebuild_tensor_v2 takes an OrderedDict of hooks and a dict")
        if self.inspect:
            geometry.check_numpy_limit(size, storage.kind.np.itemsize, self.where(storage))
            return rb.TensorInfo(size, storage.kind.dtype, requires_grad)
        view = geometry.strided_view(
            storage.array, offset, size, stride, reach, self.where(storage)
        )
        return rb.rebuild_tensor(view, requires_grad, bool_checked=True)

    def rebuild_parameter(self, data, requires_grad, backward_hooks=None):
        """``torch._utils._rebuild_parameter``."""
        if isinstance(data, rb.TensorInfo):
            rb.check_requires_grad(requires_grad, data.dtype)
            return rb.TensorInfo(data.shape, data.dtype, requires_grad, parameter=True)
        if type(data) is not Tensor:
            raise refused(f"_rebuild_parameter needs a tensor, not {type(data).__name__}")
        return rb.rebuild_parameter(data, requires_grad)

    def parameter_state(self, data, requires_grad, backward_hooks, state):
        """``torch._utils._rebuild_parameter_with_state``: plain attributes only."""
        p = self.rebuild_parameter(data, requires_grad)
        attrs = _attribute_state(state)
        if not isinstance(p, rb.TensorInfo):
            for k, v in attrs.items():
                setattr(p, k, v)
        return p


def load_archive(fileobj, name, file_size, weights_only, pickle_module=None):
    """Load a ``.pt`` archive: safely (the default), or trusting it with ``weights_only=False``."""
    archive = Archive(fileobj, name, file_size, trusted=not weights_only)
    policy = TorchPolicy(archive)
    data = archive.pickle_bytes()
    if weights_only:
        return SafeUnpickler(data, policy).load()
    return _trusted_unpickler(data, policy, pickle_module).load()


def _trusted_unpickler(data, policy, pickle_module):
    base = (pickle_module or pickle).Unpickler

    class Unpickler(base):
        def find_class(self, module, name):
            obj = policy.trusted_names.get((module, name))
            return obj if obj is not None else super().find_class(module, name)

        def persistent_load(self, pid):
            return policy.persistent_load(pid)

    return Unpickler(io.BytesIO(data))
