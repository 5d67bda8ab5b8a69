"""A pickle reader for untrusted files: it runs only the opcodes a checkpoint needs.

Python's unpickler will call any function a file names.  This one reads the opcodes itself
(an allow-list: data, containers, memo, and five that create objects) and hands every
object-creating step -- a global's lookup, REDUCE, NEWOBJ, BUILD and persistent ids -- to a
``policy`` that decides what may be made.  Lengths are checked against the bytes that are
left before anything is read, so a declared size cannot allocate more than the file holds,
and nothing here recurses.
"""

from __future__ import annotations

import pickle
import pickletools
import struct

from .allowlist import refused

_NAMES = {op.code.encode("latin-1")[0]: op.name for op in pickletools.opcodes}
_HIGHEST_PROTOCOL = 5


_U8, _U16, _U32, _U64 = (struct.Struct(f) for f in ("<B", "<H", "<I", "<Q"))
_I32, _F64 = struct.Struct("<i"), struct.Struct(">d")
_STOP = ord(".")


class SafeUnpickler:
    """Reads one pickle from ``data`` (bytes, from ``start``); ``policy`` makes every object."""

    def __init__(self, data, policy, encoding="ASCII", start=0):
        self.data = bytes(data)
        self.pos = start
        self.end = len(self.data)
        self.policy = policy
        self.encoding = encoding
        self.stack: list = []
        self.metastack: list = []
        self.memo: dict = {}
        self._ops = {code: getattr(self, name) for code, name in _OPS.items()}

    def load(self):
        """Run the opcodes up to STOP and return the object they built."""
        data, ops, end = self.data, self._ops, self.end
        first = self.pos
        try:
            while True:
                pos = self.pos
                if pos >= end:
                    if pos == first:
                        raise EOFError("Ran out of input")
                    raise pickle.UnpicklingError("pickle data was truncated")
                op = data[pos]
                self.pos = pos + 1
                if op == _STOP:
                    return self.stack.pop()
                handler = ops.get(op)
                if handler is None:
                    name = _NAMES.get(op)
                    detail = f" ({name})" if name else ""
                    raise refused(f"Unsupported operand {op}{detail} at byte {pos}")
                handler()
        except IndexError as e:  # an opcode found the stack empty
            raise pickle.UnpicklingError("unpickling stack underflow") from e

    # ----- reading ------------------------------------------------------------------------
    def _read(self, n):
        pos = self.pos
        if n < 0 or n > self.end - pos:
            raise pickle.UnpicklingError(
                f"pickle data was truncated: an opcode at byte {pos} declares {n} bytes "
                f"where {self.end - pos} are left"
            )
        self.pos = pos + n
        return self.data[pos : pos + n]

    def _unpack(self, st):
        pos = self.pos
        if st.size > self.end - pos:
            raise pickle.UnpicklingError("pickle data was truncated")
        self.pos = pos + st.size
        return st.unpack_from(self.data, pos)[0]

    def _line(self):
        nl = self.data.find(b"\n", self.pos)
        if nl < 0:
            raise pickle.UnpicklingError("pickle data was truncated")
        out = self.data[self.pos : nl]
        self.pos = nl + 1
        return out

    def _pop_mark(self):
        if not self.metastack:
            raise pickle.UnpicklingError("could not find MARK")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    # ----- framing, marks, memo -----------------------------------------------------------
    def proto(self):
        p = self._unpack(_U8)
        if p > _HIGHEST_PROTOCOL:
            raise pickle.UnpicklingError(f"unsupported pickle protocol: {p}")

    def frame(self):
        n = self._unpack(_U64)
        if n > len(self.data) - self.pos:
            raise pickle.UnpicklingError("pickle data was truncated (frame)")

    def mark(self):
        self.metastack.append(self.stack)
        self.stack = []

    def pop(self):
        if self.stack:
            self.stack.pop()
        else:
            self._pop_mark()

    def pop_mark(self):
        self._pop_mark()

    def dup(self):
        self.stack.append(self.stack[-1])

    def _get(self, idx):
        if idx not in self.memo:
            raise pickle.UnpicklingError(f"Memo value not found at index {idx}")
        self.stack.append(self.memo[idx])

    def get(self):
        self._get(self._int_line())

    def binget(self):
        self._get(self._unpack(_U8))

    def long_binget(self):
        self._get(self._unpack(_U32))

    def put(self):
        idx = self._int_line()
        if idx < 0:
            raise pickle.UnpicklingError("negative PUT argument")
        self.memo[idx] = self.stack[-1]

    def binput(self):
        self.memo[self._unpack(_U8)] = self.stack[-1]

    def long_binput(self):
        self.memo[self._unpack(_U32)] = self.stack[-1]

    def memoize(self):
        self.memo[len(self.memo)] = self.stack[-1]

    # ----- scalars ------------------------------------------------------------------------
    def _int_line(self):
        text = self._line()
        try:
            return int(text)
        except ValueError:
            raise pickle.UnpicklingError(f"invalid integer {text[:40]!r}") from None

    def none(self):
        self.stack.append(None)

    def newtrue(self):
        self.stack.append(True)

    def newfalse(self):
        self.stack.append(False)

    def int_(self):
        text = self._line()
        if text in (b"00", b"01"):
            self.stack.append(text == b"01")
            return
        try:
            self.stack.append(int(text))
        except ValueError:
            raise pickle.UnpicklingError(f"invalid integer {text[:40]!r}") from None

    def long_(self):
        text = self._line()
        try:
            self.stack.append(int(text[:-1] if text.endswith(b"L") else text))
        except ValueError:
            raise pickle.UnpicklingError(f"invalid integer {text[:40]!r}") from None

    def binint(self):
        self.stack.append(self._unpack(_I32))

    def binint1(self):
        self.stack.append(self._unpack(_U8))

    def binint2(self):
        self.stack.append(self._unpack(_U16))

    def long1(self):
        n = self._unpack(_U8)
        self.stack.append(int.from_bytes(self._read(n), "little", signed=True))

    def long4(self):
        n = self._unpack(_I32)
        if n < 0:
            raise pickle.UnpicklingError("LONG pickle has negative byte count")
        self.stack.append(int.from_bytes(self._read(n), "little", signed=True))

    def float_(self):
        text = self._line()
        try:
            self.stack.append(float(text))
        except ValueError:
            raise pickle.UnpicklingError(f"invalid float {text[:40]!r}") from None

    def binfloat(self):
        self.stack.append(self._unpack(_F64))

    # ----- strings and bytes --------------------------------------------------------------
    def _text(self, raw):
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as e:
            raise pickle.UnpicklingError(f"invalid UTF-8 string in the pickle ({e})") from None

    def unicode(self):
        self.stack.append(self._line().decode("raw-unicode-escape"))

    def binunicode(self):
        self.stack.append(self._text(self._read(self._unpack(_U32))))

    def short_binunicode(self):
        self.stack.append(self._text(self._read(self._unpack(_U8))))

    def binunicode8(self):
        self.stack.append(self._text(self._read(self._unpack(_U64))))

    def _py2_string(self, raw):
        if self.encoding == "bytes":
            return raw
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as e:
            raise pickle.UnpicklingError(f"cannot decode a Python 2 string ({e})") from None

    def binstring(self):
        n = self._unpack(_I32)
        self.stack.append(self._py2_string(self._read(n)))

    def short_binstring(self):
        self.stack.append(self._py2_string(self._read(self._unpack(_U8))))

    def binbytes(self):
        self.stack.append(self._read(self._unpack(_U32)))

    def short_binbytes(self):
        self.stack.append(self._read(self._unpack(_U8)))

    def binbytes8(self):
        self.stack.append(self._read(self._unpack(_U64)))

    def bytearray8(self):
        self.stack.append(bytearray(self._read(self._unpack(_U64))))

    # ----- containers ---------------------------------------------------------------------
    def empty_list(self):
        self.stack.append([])

    def empty_tuple(self):
        self.stack.append(())

    def empty_dict(self):
        self.stack.append({})

    def empty_set(self):
        self.stack.append(set())

    def list_(self):
        items = self._pop_mark()  # before self.stack is looked up: MARK's list is replaced
        self.stack.append(items)

    def tuple_(self):
        items = tuple(self._pop_mark())
        self.stack.append(items)

    def tuple1(self):
        self.stack[-1:] = [(self.stack[-1],)]

    def tuple2(self):
        b, a = self.stack.pop(), self.stack.pop()
        self.stack.append((a, b))

    def tuple3(self):
        c, b, a = self.stack.pop(), self.stack.pop(), self.stack.pop()
        self.stack.append((a, b, c))

    def frozenset_(self):
        items = self._pop_mark()
        try:
            self.stack.append(frozenset(items))
        except TypeError as e:
            raise pickle.UnpicklingError(f"bad frozenset item ({e})") from None

    def _target(self, kind, opname):
        target = self.stack[-1]
        if not isinstance(target, kind):
            raise refused(f"{opname} can only fill a {kind.__name__}, not {type(target)}")
        return target

    def append(self):
        value = self.stack.pop()
        self._target(list, "APPEND").append(value)

    def appends(self):
        items = self._pop_mark()
        self._target(list, "APPENDS").extend(items)

    def _setitems(self, items, opname):
        if len(items) % 2:
            raise pickle.UnpicklingError(f"{opname} needs key/value pairs")
        target = self._target(dict, opname)
        try:
            for i in range(0, len(items), 2):
                target[items[i]] = items[i + 1]
        except TypeError as e:
            raise pickle.UnpicklingError(f"bad dict key ({e})") from None

    def dict_(self):
        items = self._pop_mark()
        self.stack.append({})
        self._setitems(items, "DICT")

    def setitem(self):
        value, key = self.stack.pop(), self.stack.pop()
        self._setitems([key, value], "SETITEM")

    def setitems(self):
        self._setitems(self._pop_mark(), "SETITEMS")

    def additems(self):
        items = self._pop_mark()
        target = self._target(set, "ADDITEMS")
        try:
            target.update(items)
        except TypeError as e:
            raise pickle.UnpicklingError(f"bad set item ({e})") from None

    # ----- objects: every one goes through the policy -------------------------------------
    def global_(self):
        module = self._line().decode("utf-8", "replace")
        name = self._line().decode("utf-8", "replace")
        self.stack.append(self.policy.find_class(module, name))

    def stack_global(self):
        name, module = self.stack.pop(), self.stack.pop()
        if type(name) is not str or type(module) is not str:
            raise pickle.UnpicklingError("STACK_GLOBAL requires str")
        self.stack.append(self.policy.find_class(module, name))

    def _pop_call(self, opcode):
        """The callable and the argument tuple on top of the stack (REDUCE, NEWOBJ)."""
        args = self.stack.pop()
        target = self.stack.pop()
        if type(args) is not tuple:
            raise pickle.UnpicklingError(f"{opcode} needs a tuple of arguments")
        return target, args

    def reduce(self):
        func, args = self._pop_call("REDUCE")
        self.stack.append(self.policy.call(func, args))

    def newobj(self):
        cls, args = self._pop_call("NEWOBJ")
        self.stack.append(self.policy.new(cls, args, {}))

    def newobj_ex(self):
        kwargs, args, cls = self.stack.pop(), self.stack.pop(), self.stack.pop()
        if type(args) is not tuple or type(kwargs) is not dict:
            raise pickle.UnpicklingError("NEWOBJ_EX needs a tuple and a dict")
        self.stack.append(self.policy.new(cls, args, kwargs))

    def build(self):
        state = self.stack.pop()
        self.policy.build(self.stack[-1], state)

    def persid(self):
        self.stack.append(self.policy.persistent_load(self._line().decode("ascii", "replace")))

    def binpersid(self):
        self.stack.append(self.policy.persistent_load(self.stack.pop()))


_OPS = {
    0x80: "proto", 0x95: "frame", ord("("): "mark", ord("0"): "pop",
    ord("1"): "pop_mark", ord("2"): "dup", ord("g"): "get", ord("h"): "binget",
    ord("j"): "long_binget", ord("p"): "put", ord("q"): "binput", ord("r"): "long_binput",
    0x94: "memoize", ord("N"): "none", 0x88: "newtrue", 0x89: "newfalse", ord("I"): "int_",
    ord("L"): "long_", ord("J"): "binint", ord("K"): "binint1", ord("M"): "binint2",
    0x8A: "long1", 0x8B: "long4", ord("F"): "float_", ord("G"): "binfloat",
    ord("V"): "unicode", ord("X"): "binunicode", 0x8C: "short_binunicode",
    0x8D: "binunicode8", ord("T"): "binstring", ord("U"): "short_binstring",
    ord("B"): "binbytes", ord("C"): "short_binbytes", 0x8E: "binbytes8", 0x96: "bytearray8",
    ord("]"): "empty_list", ord(")"): "empty_tuple", ord("}"): "empty_dict",
    0x8F: "empty_set", ord("l"): "list_", ord("t"): "tuple_", 0x85: "tuple1",
    0x86: "tuple2", 0x87: "tuple3", 0x91: "frozenset_", ord("a"): "append",
    ord("e"): "appends", ord("d"): "dict_", ord("s"): "setitem", ord("u"): "setitems",
    0x90: "additems", ord("c"): "global_", 0x93: "stack_global", ord("R"): "reduce",
    0x81: "newobj", 0x92: "newobj_ex", ord("b"): "build", ord("P"): "persid",
    ord("Q"): "binpersid",
}  # fmt: skip
