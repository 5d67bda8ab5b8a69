"""``repr``/``str`` of tensors, character for character as PyTorch prints them.

The layout rules (learned by comparing outputs with PyTorch's):

- One format is chosen for the whole tensor from its finite non-zero values (only the
  printed corner values when the tensor is summarised): integer-valued floats print as
  ``12.``; otherwise fixed point with ``precision`` decimals; scientific notation when the
  largest magnitude exceeds 1e8, the largest/smallest ratio exceeds 1000, or (fixed point
  only) the smallest magnitude is under 1e-4.  Every cell is right-aligned to the widest
  of those values.
- Tensors with more than ``threshold`` elements print only ``edgeitems`` rows/columns at
  each end of every dimension, with ``...`` between.
- Rows wrap to ``linewidth``; nested dimensions are separated by ``dim - 1`` blank lines
  and indented under their opening bracket.
"""

from __future__ import annotations

import contextlib
import math

from . import dtypes as _dt
from .backend import asnumpy, np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "printoptions"]

_PREFIX = "tensor("
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_opts = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Set how tensors print, as ``torch.set_printoptions`` (``sci_mode`` is always reset)."""
    # An unknown profile name is ignored, as PyTorch ignores it.
    _opts.update(_PROFILES.get(profile, {}))
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            _opts[key] = value
    _opts["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current print options as a dict (``precision``, ``threshold``, ...)."""
    return dict(_opts)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Use other print options inside a ``with`` block, then restore the previous ones."""
    saved = dict(_opts)
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        _opts.clear()
        _opts.update(saved)


class _Cells:
    """Formats the numbers of one real array so that they line up."""

    def __init__(self, values):
        self.kind = values.dtype.kind
        self.sci = False
        self.whole = True
        self.width = 1
        flat = values.reshape(-1)
        if self.kind != "f":
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        mag = np.abs(finite).astype(np.float64)
        hi, lo = float(mag.max()), float(mag.min())
        self.whole = bool(np.all(finite == np.ceil(finite)))
        self.sci = hi / lo > 1000.0 or hi > 1.0e8 or (not self.whole and lo < 1.0e-4)
        if _opts["sci_mode"] is not None:
            self.sci = bool(_opts["sci_mode"])
        self.width = max(len(self._text(v)) for v in finite.tolist())

    def _text(self, v):
        p = _opts["precision"]
        if self.sci:
            return f"{v:.{p}e}"
        if self.whole:
            return f"{v:.0f}" if math.isnan(v) or math.isinf(v) else f"{v:.0f}."
        return f"{v:.{p}f}"

    def format(self, values):
        """The cells for a list of Python numbers, each padded to the common width."""
        w = self.width
        if self.kind != "f":
            return [str(v).rjust(w) for v in values]
        return [self._text(v).rjust(w) for v in values]


class _ComplexCells:
    """Formats complex numbers as PyTorch does: aligned real parts, then ``+bj``."""

    def __init__(self, values):
        self.re = _Cells(values.real)
        self.im = _Cells(values.imag)
        self.width = self.re.width + self.im.width + 1

    def format(self, values):
        """The cells for a list of Python complex numbers."""
        re = self.re.format([v.real for v in values])
        im = self.im.format([v.imag for v in values])
        out = []
        for r, i in zip(re, im):
            i = (i + "j").lstrip()
            out.append(r + i if i[0] in "+-" else r + "+" + i)
        return out


def _corners(a, e):
    """The values printed when summarising: ``e`` items at each end of every long axis."""
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            a = np.take(a, np.r_[0:e, n - e : n], axis=axis)
    return a


def _vector(cells, indent, cell_width, cut):
    """One innermost row: ``[a, b, ...]`` wrapped to the line width."""
    if cut is not None:
        cells = cells[:cut] + [" ..."] + cells[cut:]
    per_line = max(1, int((_opts["linewidth"] - indent) // (cell_width + 2)))
    lines = [", ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a, indent, summarize):
    """The bracketed text of a non-empty array (no recursion: built from the last axis out)."""
    e = _opts["edgeitems"]
    shown = _corners(a, e) if summarize else a
    fmt = _ComplexCells(shown) if a.dtype.kind == "c" else _Cells(shown)
    if a.ndim == 0:
        return fmt.format([a.item()])[0]
    nd = a.ndim
    cut = [summarize and n > 2 * e for n in a.shape]
    strs = fmt.format(shown.reshape(-1).tolist())
    last = shown.shape[-1]
    rows = [strs[i : i + last] for i in range(0, len(strs), last)]
    parts = [_vector(r, indent + nd - 1, fmt.width, e if cut[-1] else None) for r in rows]
    for axis in range(nd - 2, -1, -1):
        n = shown.shape[axis]
        sep = "," + "\n" * (nd - axis - 1) + " " * (indent + axis + 1)
        grouped = []
        for i in range(0, len(parts), n):
            group = parts[i : i + n]
            if cut[axis]:
                group = group[:e] + ["..."] + group[e:]
            grouped.append("[" + sep.join(group) + "]")
        parts = grouped
    return parts[0]


def _add_suffixes(text, suffixes, indent):
    # PyTorch's running line length starts 2 over the true one and drops that offset after
    # a wrap; the same arithmetic decides where the suffixes break.
    used = len(text) - text.rfind("\n") + 1
    out = [text]
    for s in suffixes:
        if used + len(s) + 2 > _opts["linewidth"]:
            out.append(",\n" + " " * indent + s)
            used = indent + len(s)
        else:
            out.append(", " + s)
            used += len(s) + 2
    out.append(")")
    return "".join(out)


def format_tensor(t) -> str:
    """The text PyTorch prints for a tensor (``repr`` and ``str`` are the same)."""
    a = asnumpy(t._data)
    if a.dtype.itemsize == 2 and _dt.is_float_np(a.dtype):  # float16, bfloat16: exact in float32
        a = a.astype(np.float32)
    d = t.dtype
    default = _dt.get_default_dtype()
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    e = _opts["edgeitems"]
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if d is not default:
            suffixes.append(f"dtype={d}")
        body = "[]"
    else:
        summarize = a.size > _opts["threshold"]
        if not e:
            suffixes.append(f"size={tuple(a.shape)}")
        default_complex = _dt.complex64 if default is _dt.float32 else _dt.complex128
        if d not in (default, default_complex, _dt.int64, _dt.bool):
            suffixes.append(f"dtype={d}")
        if summarize and not e and a.ndim:
            body = "[...]"
        else:
            body = _body(a, len(_PREFIX), summarize)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + body, suffixes, len(_PREFIX))
