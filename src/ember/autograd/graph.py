"""Looking at a backward graph: a memory report and a teaching trace of backward.

Both walk the graph iteratively (no recursion), so deep graphs are fine.
"""

from __future__ import annotations

import math
import sys

from .._fields import Fields
from .node import _FREED, AccumulateGrad, SavedTensor

__all__ = ["report", "GraphReport", "NodeInfo", "nodes_of", "saved_bytes", "trace_backward"]


def nodes_of(*tensors):
    """Every node reachable from ``tensors``' ``grad_fn``, in reverse topological order."""
    roots = [t.grad_fn for t in tensors if getattr(t, "grad_fn", None) is not None]
    deps = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        n = stack.pop()
        for child, _ in getattr(n, "_next", ()):
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    order = []
    ready = [n for n in dict.fromkeys(roots) if n not in deps]
    while ready:
        n = ready.pop()
        order.append(n)
        for child, _ in getattr(n, "_next", ()):
            if child is None:
                continue
            deps[child] -= 1
            if deps[child] == 0:
                ready.append(child)
    return order


def _saved_arrays(node):
    """``(array, what)`` for each array a node holds for backward."""
    saved = getattr(node, "_saved", None)
    if saved is None or saved is _FREED or type(saved) is not tuple:
        return []
    out = []
    for s in saved:
        if type(s) is SavedTensor:
            if s.is_output:
                if s.data is not None:
                    out.append((s.data, f"output {s.output_nr}"))
            elif s.tensor is not None:
                t = s.tensor
                what = "leaf" if t.grad_fn is None else f"output of {t.grad_fn.name()}"
                out.append((t._data, what))
        elif hasattr(s, "nbytes") and hasattr(s, "shape"):
            out.append((s, "array"))
    return out


def _base_id(a):
    while getattr(a, "base", None) is not None:
        a = a.base
    return id(a)


class NodeInfo(Fields):
    """One node of a report: its name, saved arrays (shape, dtype, bytes) and total bytes."""

    __slots__ = __match_args__ = _FIELDS = ("name", "saved", "bytes", "freed")

    def __init__(self, name: str, saved: list, bytes: int, freed: bool) -> None:
        self._set((name, saved, bytes, freed))

    def __repr__(self):
        return f"NodeInfo({self.name!r}, saved={len(self.saved)}, bytes={self.bytes})"


class GraphReport:
    """What a graph holds: per-node saved tensors and the total bytes (shared memory once)."""

    def __init__(self, nodes, total_bytes, shared_bytes, leaf_bytes=0):
        self.nodes = nodes
        self.total_bytes = total_bytes
        self.shared_bytes = shared_bytes
        #: Bytes of saved leaves (inputs, parameters): held by the caller anyway.
        self.leaf_bytes = leaf_bytes

    @property
    def intermediate_bytes(self):
        """Bytes the graph alone keeps alive (saved values that are not leaves)."""
        return self.total_bytes - self.leaf_bytes

    def __str__(self):
        lines = [f"{'node':<28} {'saved':>5} {'bytes':>12}  tensors"]
        for info in self.nodes:
            tensors = ", ".join(f"{list(s)} {d} ({w})" for s, d, _b, w in info.saved)
            if info.freed:
                tensors = "(freed by a backward)"
            lines.append(f"{info.name:<28} {len(info.saved):>5} {info.bytes:>12}  {tensors}")
        lines.append(
            f"{len(self.nodes)} nodes; saved tensors hold {self.total_bytes} bytes, "
            f"{self.intermediate_bytes} of them intermediate values only the graph keeps alive"
            + (
                f" ({self.shared_bytes} bytes counted once though shared)"
                if self.shared_bytes
                else ""
            )
        )
        return "\n".join(lines)

    __repr__ = __str__


def report(*tensors):
    """A ``GraphReport`` of the graph behind ``tensors`` (e.g. ``report(loss)``)."""
    nodes = []
    seen_mem = set()
    total = 0
    shared = 0
    leaf = 0
    for n in nodes_of(*tensors):
        arrays = _saved_arrays(n)
        info = []
        nb = 0
        for a, what in arrays:
            b = int(a.nbytes)
            info.append((tuple(a.shape), str(a.dtype), b, what))
            nb += b
            key = (
                _base_id(a),
                a.__array_interface__["data"][0] if hasattr(a, "__array_interface__") else id(a),
                a.nbytes,
            )
            if key in seen_mem:
                shared += b
            else:
                seen_mem.add(key)
                total += b
                if what == "leaf":
                    leaf += b
        freed = getattr(n, "_saved", None) is _FREED
        nodes.append(NodeInfo(n.name(), info, nb, freed))
    return GraphReport(nodes, total, shared, leaf)


def saved_bytes(*tensors, include_leaves=True):
    """Bytes held by saved tensors in the graph behind ``tensors`` (shared memory once).

    With ``include_leaves=False``, only intermediate values (what the graph alone keeps
    alive, and what ``checkpoint`` saves) are counted.
    """
    r = report(*tensors)
    return r.total_bytes if include_leaves else r.intermediate_bytes


def _rule(node):
    doc = type(node).__doc__ or ""
    line = doc.strip().splitlines()[0] if doc.strip() else ""
    return line


def trace_backward(tensor, gradient=None, *, file=None, retain_graph=None, inputs=None):
    """Run ``tensor.backward(gradient)`` printing each node as it runs.

    For every node, in the order the engine runs them (a topological order), prints its
    name, the shape and norm of the gradient flowing in, and its rule (the node's
    docstring).  Returns the printed lines.
    """
    from ..backend import asnumpy, np

    out = file if file is not None else sys.stdout
    lines = []
    handles = []
    step = [0]

    def make_hook(node):
        def hook(grads):
            step[0] += 1
            parts = []
            for g in grads:
                if g is None:
                    parts.append("None")
                else:
                    a = asnumpy(g._data).astype(np.float64)
                    norm = math.sqrt(float((a * a).sum())) if a.size else 0.0
                    parts.append(f"shape {list(a.shape)} norm {norm:.6g}")
            rule = _rule(node)
            name = node.name()
            if type(node) is AccumulateGrad:
                rule = "adds the gradient into .grad"
            text = f"{step[0]:>3}. {name:<22} grad in: {'; '.join(parts)}"
            if rule:
                text += f"   rule: {rule}"
            lines.append(text)
            print(text, file=out)
            return None

        return hook

    for n in nodes_of(tensor):
        handles.append(n.register_prehook(make_hook(n)))
    try:
        tensor.backward(gradient, retain_graph=retain_graph, inputs=inputs)
    finally:
        for h in handles:
            h.remove()
    return lines
