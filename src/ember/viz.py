"""Pictures: the backward graph (Graphviz or Mermaid) and training histories (matplotlib).

``make_dot`` needs the ``graphviz`` Python package to build the graph and the
Graphviz ``dot`` program only to render it to SVG/PNG; ``to_mermaid`` needs
nothing at all.  The graph is walked iteratively, so deep graphs are fine.
"""

from __future__ import annotations

from .autograd.node import AccumulateGrad
from .tensor import Tensor


def _param_names(params):
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    return {id(p): name for name, p in items}


def _shape(t):
    return "(" + ", ".join(str(s) for s in t._data.shape) + ")"


def _saved_info(node):
    """(label, nbytes) for each tensor ``node`` saved for backward (empty once freed)."""
    from .autograd.node import _FREED, SavedTensor

    saved = node._saved
    if saved is None or saved is _FREED or type(saved) is not tuple:
        return []
    out = []
    for i, s in enumerate(saved):
        if type(s) is SavedTensor:
            data = s.data if s.is_output else s.tensor._data
            kind = "output" if s.is_output else "saved"
            out.append((f"{kind}[{i}] {tuple(data.shape)} {data.dtype}", data.nbytes))
    return out


def walk(roots):
    """Every node reachable from ``roots`` (grad_fns), each once, without recursion."""
    seen = set()
    order = []
    stack = [r for r in roots if r is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        order.append(n)
        for child, _ in getattr(n, "_next", ()):
            if child is not None and id(child) not in seen:
                stack.append(child)
    return order


def _graph_items(outputs, params, show_saved, show_attrs):
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    names = _param_names(params)
    nodes = []  # (id, label, kind)
    edges = []  # (src, dst)
    roots = [o.grad_fn for o in outputs if o.grad_fn is not None]
    for k, o in enumerate(outputs):
        oid = f"out{k}"
        nodes.append((oid, f"output {_shape(o)}\n{o.dtype}", "output"))
        if o.grad_fn is not None:
            edges.append((str(id(o.grad_fn)), oid))
    for n in walk(roots):
        nid = str(id(n))
        if isinstance(n, AccumulateGrad):
            v = n.variable
            name = names.get(id(v), "")
            label = f"{name}\n{_shape(v)}" if name else _shape(v)
            if v._grad is not None:
                label += f"\ngrad norm {float((v._grad._data.astype('f8') ** 2).sum()) ** 0.5:.4g}"
            nodes.append((nid, label, "leaf"))
        else:
            label = n.name()
            if show_saved:
                info = _saved_info(n)
                for text, nbytes in info:
                    label += f"\n{text}: {nbytes} B"
            nodes.append((nid, label, "op"))
        for child, _ in n._next:
            if child is not None:
                edges.append((str(id(child)), nid))
    return nodes, edges


def make_dot(output, params=None, show_saved=False, show_attrs=False, max_attr_chars=50):
    """A ``graphviz.Digraph`` of the backward graph that produced ``output``.

    Args:
        output: a tensor (or a sequence of tensors) with history.
        params: ``dict`` or ``named_parameters()`` to label leaves by name.
        show_saved: list each node's saved tensors with shape, dtype and bytes.

    Op nodes carry PyTorch's names (``MulBackward0``); leaves show their name, shape and,
    after backward, the norm of their gradient.  Call ``.render(fmt)`` or ``.pipe(fmt)``
    on the result (needs the Graphviz ``dot`` program).
    """
    try:
        from graphviz import Digraph
    except ImportError as e:
        raise ImportError(
            "make_dot needs the graphviz Python package: pip install graphviz "
            "(ember.viz.to_mermaid needs nothing)"
        ) from e
    nodes, edges = _graph_items(output, params, show_saved, show_attrs)
    dot = Digraph(
        node_attr={"shape": "box", "style": "filled", "fontsize": "10", "fontname": "monospace"},
        graph_attr={"rankdir": "TB"},
    )
    colors = {"output": "darkolivegreen1", "leaf": "lightblue", "op": "lightgrey"}
    for nid, label, kind in nodes:
        dot.node(nid, label, fillcolor=colors[kind])
    for src, dst in edges:
        dot.edge(src, dst)
    return dot


def to_mermaid(output, params=None, show_saved=False) -> str:
    """The backward graph as Mermaid text (renders in Markdown viewers, no binary needed)."""
    nodes, edges = _graph_items(output, params, show_saved, False)
    short = {nid: f"n{k}" for k, (nid, _, _) in enumerate(nodes)}
    lines = ["graph BT"]
    for nid, label, kind in nodes:
        text = label.replace('"', "'").replace("\n", "<br/>")
        shape = ('(["', '"])') if kind == "leaf" else ('["', '"]')
        lines.append(f"    {short[nid]}{shape[0]}{text}{shape[1]}")
    for src, dst in edges:
        lines.append(f"    {short[src]} --> {short[dst]}")
    return "\n".join(lines) + "\n"


class History:
    """Record metrics per epoch and plot them.

    >>> h = History()
    >>> h.add(epoch=1, loss=0.5, accuracy=0.9)
    >>> h.plot("curves.png")  # doctest: +SKIP
    """

    def __init__(self):
        self.records = []

    def add(self, **metrics) -> None:
        """Append one row of metrics (e.g. ``epoch=1, loss=0.3``)."""
        self.records.append(dict(metrics))

    def __getitem__(self, name):
        return [r[name] for r in self.records if name in r]

    def names(self):
        """The metric names recorded, in first-seen order (``epoch`` excluded)."""
        out = []
        for r in self.records:
            for k in r:
                if k != "epoch" and k not in out:
                    out.append(k)
        return out

    def plot(self, path, title="Training history"):
        """Save one panel per metric against the epoch to ``path`` (PNG, SVG, PDF...)."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError("History.plot needs matplotlib: pip install matplotlib") from e
        names = self.names()
        fig, axes = plt.subplots(1, max(len(names), 1), figsize=(4.5 * max(len(names), 1), 3.5))
        axes = axes if hasattr(axes, "__len__") else [axes]
        for ax, name in zip(axes, names):
            xs = [r.get("epoch", i + 1) for i, r in enumerate(self.records) if name in r]
            ax.plot(xs, self[name], marker="o")
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.grid(alpha=0.3)
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path
