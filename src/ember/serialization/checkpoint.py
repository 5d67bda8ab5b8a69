"""``ember.save`` / ``ember.load``: Ember's checkpoint format, and the dispatch between formats.

An Ember checkpoint is a short header -- magic bytes, a format version and (from version 2)
a CRC-32 of the rest -- followed by a pickle; the checksum turns a flipped bit anywhere,
tensor bytes included, into a clear error instead of silently wrong weights.  ``load`` also
reads PyTorch ``.pt`` zip archives and plain pickles.  With ``weights_only=True`` (the
default, as in PyTorch 2.6+) every pickle is read by ``SafeUnpickler`` under an allow-list
policy: nothing in a file can run code, allocate more than the file holds, or set a
tensor's slots.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib

from . import files, locations
from .allowlist import Refused
from .policy import EmberPolicy
from .torch_read import load_archive
from .unpickler import SafeUnpickler

MAGIC = b"EMBERCKPT\x00"
FORMAT_VERSION = 2
_HEADER = MAGIC + bytes([1])  # version 1: no checksum (still read)
_ZIP = b"PK\x03\x04"


def _header_v2(body):
    return MAGIC + bytes([2]) + struct.pack("<I", zlib.crc32(body))


def save(obj, f, pickle_module=pickle, pickle_protocol=4, _use_new_zipfile_serialization=True, *,
         format="ember"):  # fmt: skip
    """Write ``obj`` (tensors, state dicts, optimizer state, containers) to ``f``.

    ``f`` is a path (written atomically, keeping an existing file's mode; a symlink's target
    is written) or a binary file object.  ``format="pt"`` writes PyTorch's zip checkpoint
    format instead (see ``save_pytorch``).
    """
    if format in ("pt", "pytorch", "torch"):
        from .torch_write import save_pytorch

        return save_pytorch(obj, f)
    if format != "ember":
        raise ValueError(f"save: unknown format {format!r}; expected 'ember' or 'pt'")
    if files.is_path(f):
        files.target_of(f)  # a missing folder is reported before any work
    body = pickle_module.dumps(obj, protocol=pickle_protocol)
    files.write(f, [_header_v2(body), body])


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **kwargs):
    """Read an object written by ``save``, a PyTorch ``.pt`` checkpoint, or a plain pickle.

    ``map_location`` (a device, a device string, a dict from saved location to target, or
    a callable ``f(storage, location)``) says where the tensors go, as in PyTorch.

    With ``weights_only=True`` (the default) only tensors, primitive values, containers and
    ``add_safe_globals`` entries load; anything else raises ``pickle.UnpicklingError``
    ("Weights only load failed...") without running code.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    elif weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    with files.Reader(f) as reader:
        head = reader.file.read(len(MAGIC))
        if head.startswith(_ZIP):
            reader.file.seek(0)
            obj = load_archive(reader.file, reader.name, reader.size, weights_only, pickle_module)
            return locations.place(obj, map_location)
        reader.file.seek(0)
        data = reader.file.read()
    name = reader.name
    if not data:
        raise EOFError(f"Ran out of input: {name} is empty (0 bytes), there is nothing to load.")
    if data.startswith(MAGIC):
        start = body_start(data, name)
        obj = _unpickle(data, start, name, weights_only, pickle_module, ember_file=True)
    else:
        obj = _unpickle(data, 0, name, weights_only, pickle_module, ember_file=False)
    return locations.place(obj, map_location)


def body_start(data, name):
    """Where the pickle behind an Ember header starts, after the header's checks."""
    if len(data) <= len(_HEADER):
        raise RuntimeError(f"Ember checkpoint {name} is truncated (header only).")
    version = data[len(MAGIC)]
    if version > FORMAT_VERSION:
        raise RuntimeError(
            f"Ember checkpoint {name} has format version {version}; this Ember reads up to "
            f"{FORMAT_VERSION}."
        )
    if version < 2:
        return len(_HEADER)
    start = len(MAGIC) + 1 + 4
    if len(data) <= start:
        raise RuntimeError(f"Ember checkpoint {name} is truncated (header only).")
    (expected,) = struct.unpack("<I", data[len(MAGIC) + 1 : start])
    if zlib.crc32(memoryview(data)[start:]) != expected:
        raise RuntimeError(
            f"Ember checkpoint {name} is corrupt or truncated: its contents do not match the "
            "checksum written with them (a damaged disk or an incomplete copy). Load an "
            "earlier copy of the file."
        )
    return start


def _unpickle(data, start, name, weights_only, pickle_module, ember_file):
    body = data[start : start + 512]  # for the hint about text files
    try:
        if weights_only:
            return SafeUnpickler(data, EmberPolicy(), start=start).load()
        stream = io.BytesIO(data)
        stream.seek(start)
        return (pickle_module or pickle).Unpickler(stream).load()
    except Refused as e:
        raise Refused(
            f"{e}\n(Ember refused this while loading {name}.{_text_hint(body)})"
        ) from None
    except (pickle.UnpicklingError, EOFError) as e:
        if ember_file:
            raise RuntimeError(
                f"Ember checkpoint {name} is corrupt or truncated and could not be read ({e})."
            ) from e
        raise pickle.UnpicklingError(
            f"{name} is not a checkpoint Ember can read: {e or type(e).__name__}.{_text_hint(body)}"
        ) from e
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as e:
        if weights_only or not ember_file:
            raise
        raise RuntimeError(
            f"Ember checkpoint {name} is corrupt or truncated and could not be read "
            f"({type(e).__name__}: {e})."
        ) from e


def _text_hint(data):
    """A sentence for errors about a file that is text, not a pickle ("" otherwise)."""
    head = data[:512]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return (
            " It is a text file (JSON, YAML, CSV or the like), not a checkpoint: "
            "load() reads what save() writes."
        )
    return ""
