"""Minimal pytrees (nested tuples, lists and dicts of tensors), walked without recursion."""

from __future__ import annotations


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _is_container(x):
    return isinstance(x, (list, tuple, dict))


def _children(node):
    if isinstance(node, dict):
        return list(node.values())
    return list(node)


def tree_leaves(obj):
    """The non-container leaves of ``obj`` in depth-first order."""
    out = []
    stack = [obj]
    while stack:
        node = stack.pop()
        if _is_container(node):
            stack.extend(reversed(_children(node)))
        else:
            out.append(node)
    return out


def tree_map(fn, obj):
    """``obj`` with every leaf replaced by ``fn(leaf)`` (same nesting and container types)."""
    root = [None]
    stack = [(obj, root, 0)]
    pending = []
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, dict):
            new = dict.fromkeys(node)
            parent[key] = new
            for k in reversed(list(node)):
                stack.append((node[k], new, k))
        elif isinstance(node, (list, tuple)):
            new = [None] * len(node)
            parent[key] = new
            pending.append((new, type(node), parent, key))
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], new, i))
        else:
            parent[key] = fn(node)
    for new, typ, parent, key in reversed(pending):
        if typ is list:
            continue
        if hasattr(typ, "_fields"):
            parent[key] = typ(*new)
        else:
            parent[key] = typ(new)
    return root[0]


def tensor_leaves(obj):
    """Only the tensor leaves of ``obj``."""
    Tensor = _tensor_cls()
    return [x for x in tree_leaves(obj) if isinstance(x, Tensor)]


class _Leaf:
    """The mark of a leaf in a structure's picture."""

    __slots__ = ()

    def __repr__(self):
        return "*"


_LEAF = _Leaf()


def tree_structure(obj) -> str:
    """A picture of ``obj``'s nesting with each leaf (None included) as ``*``.

    Two objects have the same structure exactly when their pictures are equal: container
    types, dict keys in order and the number of children all show.
    """
    return repr(tree_map(lambda x: _LEAF, obj))


def check_tensor_leaves(obj) -> None:
    """PyTorch's error for a leaf of ``obj`` that is not a tensor (auxiliary outputs)."""
    Tensor = _tensor_cls()
    for x in tree_leaves(obj):
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
