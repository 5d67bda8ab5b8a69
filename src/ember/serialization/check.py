"""``python -m ember check-file``: is a checkpoint safe to load, what it holds, why it is refused.

The file goes through the same checks as ``load(..., weights_only=True)`` -- the safe
unpickler, the allow-list, every size against the file -- but tensors are only described:
a ``.pt`` file's storage records are never read, and an Ember checkpoint's arrays are never
copied.  Every global the pickle names is listed as well, so a refusal says all it would
need, not just the first.
"""

from __future__ import annotations

import io
import os
import pickletools

from ..backend import np
from .allowlist import Refused, refused
from .checkpoint import _ZIP, MAGIC, _text_hint, body_start
from .policy import EmberPolicy
from .rebuild import TensorInfo, check_requires_grad, tensor_dtype
from .torch_read import Archive, TorchPolicy
from .unpickler import SafeUnpickler

_FORMATS = {
    "ember": "Ember checkpoint",
    "pt": "PyTorch checkpoint (zip)",
    "pickle": "plain pickle (no Ember header)",
    "empty": "empty file",
    "unreadable": "unreadable",
}


class _DescribingPolicy(EmberPolicy):
    """Ember's policy, with tensors described instead of made (same checks, no copies)."""

    def tensor(self, array, requires_grad=False, parameter=False):
        array = self.array_for_tensor(array)
        if type(array) is not np.ndarray:
            raise refused(f"a tensor can only be rebuilt from an array, not {type(array).__name__}")
        dtype = tensor_dtype(array.dtype)
        check_requires_grad(requires_grad, dtype)
        return TensorInfo(array.shape, dtype, requires_grad, parameter)

    def parameter(self, array, requires_grad=True):
        return self.tensor(array, requires_grad, parameter=True)


class Report:
    """What ``check_file`` found: format, verdict, reason, tensors and other values."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.format = "unreadable"
        self.size = None
        self.safe = False
        self.error = None  # the exception load() would raise: (type name, message)
        self.refused_globals: list = []
        self.container = None
        self.tensors: list = []
        self.values: list = []

    def to_dict(self) -> dict:
        """The report as plain JSON-able values."""
        return {
            "path": self.path,
            "format": self.format,
            "bytes": self.size,
            "safe": self.safe,
            "error": None
            if self.error is None
            else {"type": self.error[0], "message": self.error[1]},
            "refused_globals": self.refused_globals,
            "container": self.container,
            "tensors": self.tensors,
            "values": self.values,
        }

    def text(self, limit=40) -> str:
        """The report as the command prints it."""
        size = "" if self.size is None else f", {self.size} bytes"
        lines = [self.path, f"  format: {_FORMATS[self.format]}{size}"]
        lines.append(f"  safe to load: {'yes' if self.safe else 'no'}")
        if self.error is not None:
            kind, message = self.error
            lines.append(f"  why: load() would raise {kind}: {_indent(message)}")
        if self.refused_globals:
            lines.append(
                "  globals it names that the safe loader refuses: "
                + ", ".join(self.refused_globals)
                + "\n    (only if you trust the file: ember.serialization.add_safe_globals([...])"
                " or load(..., weights_only=False))"
            )
        if self.container is not None:
            total = sum(t["nbytes"] for t in self.tensors)
            numel = sum(_numel(t["shape"]) for t in self.tensors)
            lines.append(
                f"  holds: {self.container}; {len(self.tensors)} tensors ({numel} elements, "
                f"{total} bytes), {len(self.values)} other values"
            )
            rows = [
                (t["key"], t["dtype"], str(t["shape"]), f"{t['nbytes']} bytes")
                for t in self.tensors
            ] + [(v["key"], v["type"], v["value"], "") for v in self.values]
            width = min(max((len(r[0]) for r in rows), default=0), 48)
            for key, a, b, c in rows[:limit]:
                lines.append(f"    {key:<{width}}  {a:<10} {b:<16} {c}".rstrip())
            if len(rows) > limit:
                lines.append(f"    ... {len(rows) - limit} more (--all lists them)")
        return "\n".join(lines)


def _indent(text):
    return text.replace("\n", "\n       ")


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def check_file(path) -> Report:
    """Inspect a checkpoint without loading anything the safe loader would not.

    Returns a ``Report``: ``safe`` is True when ``ember.load(path)`` (``weights_only=True``)
    would succeed; ``error`` is what it would raise otherwise.
    """
    report = Report(path)
    try:
        with open(path, "rb") as f:
            report.size = os.fstat(f.fileno()).st_size
            head = f.read(len(MAGIC))
            if head.startswith(_ZIP):
                report.format = "pt"
                f.seek(0)
                return _check_pt(report, f)
            data = head + f.read()
    except OSError as e:
        report.error = (type(e).__name__, str(e))
        return report
    if not data:
        report.format = "empty"
        report.error = ("EOFError", "Ran out of input: the file is empty (0 bytes)")
        return report
    start = 0
    if data.startswith(MAGIC):
        report.format = "ember"
        try:
            start = body_start(data, report.path)
        except RuntimeError as e:
            report.error = ("RuntimeError", str(e))
            return report
    else:
        report.format = "pickle"
    return _run(report, data, _DescribingPolicy(), start)


def _check_pt(report, f):
    try:
        archive = Archive(f, report.path, report.size, trusted=False)
        data = archive.pickle_bytes()
    except RuntimeError as e:
        report.error = ("RuntimeError", str(e))
        return report
    return _run(report, data, TorchPolicy(archive, inspect=True))


def _run(report, data, policy, start=0):
    report.refused_globals = _refused_globals(data, policy, start)
    try:
        obj = SafeUnpickler(data, policy, start=start).load()
    except Refused as e:
        detail = str(e).split("WeightsUnpickler error: ", 1)[-1]
        report.error = ("pickle.UnpicklingError", "Weights only load failed: " + detail)
        if report.format == "pickle" and _text_hint(data):
            report.error = (
                "pickle.UnpicklingError",
                f"the file is not a pickle.{_text_hint(data)}",
            )
        return report
    except Exception as e:  # what load() would raise, reported rather than raised
        kind = type(e).__name__
        if kind == "UnpicklingError":
            kind = "pickle.UnpicklingError"
        message = str(e) or kind
        if report.format == "pickle" and kind == "pickle.UnpicklingError":
            message = f"the file is not a pickle Ember can read ({message}).{_text_hint(data)}"
        report.error = (kind, message)
        return report
    report.safe = True
    _describe(report, obj)
    return report


def _refused_globals(data, policy, start=0):
    """Every global the pickle names that the policy would refuse (read, never run)."""
    names, pushed, memo = [], [], {}
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        for op, arg, _ in pickletools.genops(stream):
            if op.name in ("GLOBAL", "INST"):
                module, _, name = str(arg).partition(" ")
            elif op.name == "STACK_GLOBAL":
                module, name = pushed[-2:] if len(pushed) >= 2 else ["", ""]
            else:
                # follow the strings STACK_GLOBAL takes, through the memo (approximately)
                if op.name == "MEMOIZE":
                    memo[len(memo)] = pushed[-1] if pushed else None
                elif op.name in ("PUT", "BINPUT", "LONG_BINPUT"):
                    memo[arg] = pushed[-1] if pushed else None
                elif op.name in ("GET", "BINGET", "LONG_BINGET"):
                    pushed.append(memo.get(arg))
                elif op.name not in ("FRAME", "PROTO"):
                    pushed.append(arg if isinstance(arg, str) else None)
                continue
            if not (isinstance(module, str) and isinstance(name, str)):
                continue
            try:
                policy.find_class(module, name)
            except Refused:
                full = f"{module}.{name}"
                if full not in names:
                    names.append(full)
    except Exception:  # a damaged pickle: the load itself reports it
        pass
    return names


def _describe(report, obj):
    """Walk the loaded structure (no recursion) into tensor rows and value rows."""
    report.container = _container(obj)
    todo = [("", obj)]
    while todo:
        key, value = todo.pop()
        if isinstance(value, TensorInfo):
            report.tensors.append(
                {
                    "key": key or "(the file's object)",
                    "dtype": value.dtype.name,
                    "shape": list(value.shape),
                    "nbytes": value.nbytes,
                    "requires_grad": value.requires_grad,
                }
            )
        elif isinstance(value, dict) and value:
            items = list(value.items())
            todo += [(_join(key, k), v) for k, v in reversed(items)]
        elif isinstance(value, (list, tuple)) and any(_nested(v) for v in value):
            todo += [(_join(key, i), v) for i, v in reversed(list(enumerate(value)))]
        else:
            text = repr(value)
            report.values.append(
                {
                    "key": key or "(the file's object)",
                    "type": type(value).__name__,
                    "value": text if len(text) <= 60 else text[:57] + "...",
                }
            )


def _nested(v):
    return isinstance(v, (dict, list, tuple, TensorInfo))


def _join(prefix, key):
    return f"{prefix}.{key}" if prefix else str(key)


def _container(obj):
    if isinstance(obj, dict):
        return f"{type(obj).__name__} of {len(obj)} entries"
    if isinstance(obj, (list, tuple)):
        return f"{type(obj).__name__} of {len(obj)} items"
    if isinstance(obj, TensorInfo):
        return "one tensor"
    return type(obj).__name__


def main(paths, as_json=False, show_all=False) -> int:
    """Check each file, print the reports; 0 when every file is safe to load, 1 otherwise."""
    reports = [check_file(p) for p in paths]
    if as_json:
        import json

        print(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        print("\n\n".join(r.text(limit=10**9 if show_all else 40) for r in reports))
    return 0 if all(r.safe for r in reports) else 1
