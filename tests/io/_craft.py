"""Hand-made checkpoint files: pickle opcodes and zip archives written byte by byte.

The malicious files of the tests are built here, without any pickler that could refuse to
write them: ``dumps`` turns a small tree of Python values, ``G`` (a global), ``Call`` (a
REDUCE), ``New`` (a NEWOBJ), ``Build`` (a BUILD) and ``Pers`` (a persistent id) into
protocol-2 opcodes; ``pt`` wraps a pickle and records in PyTorch's zip layout.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


class G:
    """A global, written as ``GLOBAL module name``."""

    def __init__(self, module, name):
        self.module, self.name = module, name


class Call:
    """``fn(*args)``, written as a REDUCE."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args


class New:
    """``cls.__new__(cls, *args)``, written as a NEWOBJ."""

    def __init__(self, cls, *args):
        self.cls, self.args = cls, args


class Build:
    """``obj`` followed by a BUILD with ``state``."""

    def __init__(self, obj, state):
        self.obj, self.state = obj, state


class Pers:
    """A persistent id, written as BINPERSID."""

    def __init__(self, value):
        self.value = value


class Raw:
    """Opcodes written as they are."""

    def __init__(self, data):
        self.data = data


def _emit(obj, out):
    todo = [obj]
    while todo:
        o = todo.pop()
        if isinstance(o, Raw):
            out += o.data
        elif isinstance(o, G):
            out += b"c" + o.module.encode() + b"\n" + o.name.encode() + b"\n"
        elif isinstance(o, Call):
            todo += [Raw(b"R"), tuple(o.args), o.fn]
        elif isinstance(o, New):
            todo += [Raw(b"\x81"), tuple(o.args), o.cls]
        elif isinstance(o, Build):
            todo += [Raw(b"b"), o.state, o.obj]
        elif isinstance(o, Pers):
            todo += [Raw(b"Q"), o.value]
        elif o is None:
            out += b"N"
        elif o is True or o is False:
            out += b"\x88" if o else b"\x89"
        elif isinstance(o, int):
            n = (o.bit_length() + 8) // 8
            out += b"\x8a" + bytes([n]) + o.to_bytes(n, "little", signed=True)
        elif isinstance(o, float):
            out += b"G" + struct.pack(">d", o)
        elif isinstance(o, str):
            b = o.encode()
            out += b"X" + struct.pack("<I", len(b)) + b
        elif isinstance(o, bytes):
            out += b"B" + struct.pack("<I", len(o)) + o
        elif isinstance(o, tuple):
            todo += [Raw(b"t"), *reversed(o), Raw(b"(")]
        elif isinstance(o, list):
            todo += [Raw(b"e"), *reversed(o), Raw(b"](")]
        elif isinstance(o, dict):
            items = [x for kv in o.items() for x in kv]
            todo += [Raw(b"u"), *reversed(items), Raw(b"}(")]
        else:
            raise TypeError(f"cannot write {type(o).__name__}")


def dumps(obj, proto=3):
    """The pickle bytes of ``obj`` (a tree of the classes above and plain values)."""
    out = bytearray(b"\x80" + bytes([proto]))
    _emit(obj, out)
    return bytes(out + b".")


def tensor(key, offset, size, stride, storage="FloatStorage", numel=4, requires_grad=False):
    """PyTorch's ``_rebuild_tensor_v2`` call over storage record ``key``."""
    pid = ("storage", G("torch", storage), key, "cpu", numel)
    hooks = Call(G("collections", "OrderedDict"))
    rebuild = G("torch._utils", "_rebuild_tensor_v2")
    return Call(rebuild, Pers(pid), offset, tuple(size), tuple(stride), requires_grad, hooks)


def pt(obj, records, compress=False):
    """A PyTorch-layout zip: ``archive/data.pkl`` holding ``obj`` plus ``archive/data/<key>``."""
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr("archive/data.pkl", dumps(obj, proto=2))
        z.writestr("archive/byteorder", b"little")
        for key, payload in records.items():
            z.writestr(f"archive/data/{key}", payload)
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def declare_size(archive: bytes, member: str, size: int) -> bytes:
    """``archive`` with ``member``'s declared uncompressed size changed to ``size``.

    Both the local header and the central directory are patched, so the archive still
    opens: only the promise about how large the record is changes (a zip bomb's trick).
    """
    data = bytearray(archive)
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + n]) == name:
            struct.pack_into("<I", data, local + 22, size)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + n]) == name:
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def ember_file(body: bytes) -> bytes:
    """``body`` behind Ember's version-2 header (magic, version, CRC-32)."""
    return b"EMBERCKPT\x00\x02" + struct.pack("<I", zlib.crc32(body)) + body


# Views of a 16-byte float32 record, good and bad, for the .pt tests.
# (id, offset, size, stride, numel written in the persistent id)
CASES = [
    ("good", 0, (4,), (1,), 4),
    ("good_2x2", 0, (2, 2), (2, 1), 4),
    ("transposed", 0, (2, 2), (1, 2), 4),
    ("offset_slice", 1, (3,), (1,), 4),
    ("step", 0, (2,), (2,), 4),
    ("zero_d", 3, (), (), 4),
    ("size_zero", 0, (0,), (1,), 4),
    ("size_zero_far_offset", 100, (0,), (1,), 4),
    ("size_zero_big_stride", 0, (0, 10**9), (10**12, 1), 4),
    ("stride_zero_expand", 1, (10, 3), (0, 1), 4),
    ("negative_stride_size_one", 2, (1,), (-1,), 4),
    ("record_too_short", 0, (100,), (1,), 4),
    ("huge_over_16_bytes", 0, (10**9,), (1,), 4),
    ("huge_2d", 0, (10**5, 10**5), (10**5, 1), 4),
    ("offset_past_end", 3, (2,), (1,), 4),
    ("zero_d_past_end", 4, (), (), 4),
    ("negative_stride", 0, (4,), (-1,), 4),
    ("negative_stride_from_end", 3, (4,), (-1,), 4),
    ("negative_size", 0, (-4,), (1,), 4),
    ("negative_size_2d", 0, (2, -1), (1, 1), 4),
    ("negative_offset", -2, (4,), (1,), 4),
    ("numel_overflow", 0, (2**62, 2**62), (1, 1), 4),
    ("numel_overflow_32", 0, (2**32, 2**32), (1, 1), 4),
    ("bytes_overflow", 0, (2**61,), (1,), 4),
    ("stride_overflow", 0, (2,), (2**62,), 4),
    ("offset_overflow", 2**62, (1,), (1,), 4),
    ("size_beyond_int64", 0, (2**70,), (1,), 4),
    ("unequal_lengths", 0, (4,), (1, 1), 4),
    ("float_size", 0, (4.0,), (1,), 4),
    ("bool_size", 0, (True,), (1,), 4),
    ("numel_lie_larger", 0, (100,), (1,), 100),
    ("numel_lie_smaller", 0, (1,), (1,), 1),
    ("numel_negative", 0, (1,), (1,), -1),
    ("numel_string", 0, (1,), (1,), "4"),
]
