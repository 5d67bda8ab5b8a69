"""The backward engine: one iterative pass over the graph, no recursion.

1. Count, for every node reachable from the roots, how many edges lead into it.
2. Run a ready queue (highest sequence number first, as PyTorch does): pop a node,
   hand it the gradients summed for its outputs, and route each gradient it returns
   to the input's node, reduced to the input's shape (the one ``sum_to`` in Ember)
   and cast to its dtype.  A node whose count reaches zero becomes ready.
3. Pending gradients are dropped as soon as they are consumed, and saved values
   are freed after use unless ``retain_graph``.
"""

from __future__ import annotations

import heapq
import threading
from sys import getrefcount

from ..backend import np as _numpy
from ..backend import xp_of
from . import node as _node
from .grad_mode import state as _grad_state
from .node import _FREED, AccumulateGrad, _anomaly_enabled

_ndarray = _numpy.ndarray
_generic = _numpy.generic
_F32 = _numpy.dtype("float32")
_F64 = _numpy.dtype("float64")
# Held while a gradient is added into a tensor's ``.grad``: threads running backward
# through shared leaves must not lose each other's additions (re-entrant: hooks run inside).
_accumulate_lock = threading.RLock()

# Plug-ins.  The engine imports none of them; each sets its slot when switched on.
#: The training-loop lint (``lint.py``): an object with ``on_backward``,
#: ``before_accumulate`` and ``after_accumulate``, told of each backward and each
#: accumulation into a leaf's ``.grad``.
observer = [None]
#: Anomaly mode (``anomaly.py``): ``run_checked(node, grads)`` runs a node's backward
#: and checks its outputs for NaN.
checked_backward = [None]
#: The profiler (``ember.profiler``), while it records: ``run(node, grads)`` runs a node's
#: backward as a timed range (and through anomaly mode's check when that is on too).
profiled_backward = [None]


def sum_to(grad, shape):
    """Sum ``grad`` over broadcast dimensions so that it has ``shape``."""
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if dims:
        # Without leading dimensions keepdim gives ``shape`` exactly; with only leading
        # ones, no keepdim does: either way the sum is a fresh array, not a view.
        if _node.array_backward(grad):  # no graph to record: the array sum ``sum`` runs
            arr = grad._data.sum(axis=dims, keepdims=not lead)
            return _node.Tensor._make(arr if arr.shape == shape else arr.reshape(shape))
        grad = grad.sum(dim=dims, keepdim=not lead)
    if grad._data.shape != shape:
        grad = grad.reshape(shape)
    return grad


def _expandable(shape, gshape):
    """True when a tensor of ``shape`` broadcasts to ``gshape`` (so sum_to can undo it)."""
    lead = len(gshape) - len(shape)
    if lead < 0:
        return False
    return all(s == 1 or s == gshape[k + lead] for k, s in enumerate(shape))


def _validate(node, i, grad):
    shape, dtype = node._in_meta[i]
    if grad._data.shape != shape:
        if not _expandable(shape, grad._data.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}"
            )
        grad = sum_to(grad, shape)
    if grad._data.dtype != dtype:
        if grad._data.dtype.kind == "c" and dtype.kind != "c":
            grad = grad.real  # a real input's gradient is the real part, as in PyTorch
        if grad._data.dtype != dtype:
            grad = grad.to(dtype=_dtype_of(dtype))
    return grad


def _dtype_of(np_dtype):
    from ..dtypes import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grad_tensors`` from ``tensors``.

    With ``accumulate`` the gradients land in leaves' ``.grad`` (only in ``inputs``
    when given); without, the gradients reaching ``inputs`` are returned in order.
    """
    lint = observer[0]  # the training-loop lint: when off, only this read
    if lint is not None:
        lint.on_backward(tensors, retain_graph, accumulate)
    buffers = {}
    roots = []
    for t, g in zip(tensors, grad_tensors):
        node = t.grad_fn if t.grad_fn is not None else t._accumulator()
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_out
            roots.append(node)
        nr = t._output_nr if t.grad_fn is not None else 0
        buf[nr] = _add(buf[nr], g)
    buf = g = t = None

    # Dependency counts: how many edges lead into each node.  From a single root they are
    # counted only where the graph first branches (see ``_dependencies``): until then each
    # node reached has exactly one edge into it, the one just followed.
    deps = _dependencies(roots) if inputs is not None or len(roots) > 1 else None

    # Where gradients are captured: (node, output_nr) -> position in ``inputs``.
    captures = None
    needed = None
    results = None
    if inputs is not None:
        captures = {}
        for pos, t in enumerate(inputs):
            key = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._accumulator(), 0)
            captures.setdefault(key, []).append(pos)
        results = [None] * len(inputs)
        needed = _needed_nodes(roots, deps, {k[0] for k in captures})
        t = None

    tensor_class = _node.Tensor  # the class gradients come in (set once Tensor exists)
    prev_mode, prev_site = _grad_state.enabled, _grad_state.site
    _grad_state.enabled = create_graph
    _grad_state.site = None  # backward's own ops are not the user's no_grad() block
    # One read per backward (not per node) when neither the profiler nor anomaly mode is on.
    anomaly = profiled_backward[0] or (checked_backward[0] if _anomaly_enabled[0] else None)
    # Sums the engine made of several gradients for one input (by id, while buffered): a
    # further gradient for that input is added into them in place, with no new array.
    summed = {}
    try:
        if deps is None and anomaly is None and lint is None and accumulate:
            # One root, nothing captured or checked: its single path runs without the
            # general loop's bookkeeping; the loop takes over where the graph branches.
            root = roots[0]
            node, grads = _run_path(root, buffers.pop(root), retain_graph, create_graph)
            if node is None:
                return results
            buffers[node] = grads
            roots = [node]
            grads = None
        heap = [(-n._seq, id(n), n) for n in roots if deps is None or n not in deps]
        heapq.heapify(heap)
        # ``ready`` holds the next node when it is the only one ready (a chain): no heap work.
        ready = heapq.heappop(heap)[2] if len(heap) == 1 else None
        while True:
            if ready is not None:
                node = ready
                ready = None
            elif heap:
                node = heapq.heappop(heap)[2]
            else:
                break
            grads = buffers.pop(node)
            if summed:
                for g in grads:
                    summed.pop(id(g), None)
                g = None
            if needed is not None and node not in needed:
                continue
            if node._pre_hooks is not None or node._retained is not None:
                grads = _run_tensor_hooks(node, grads)
            if captures is not None:
                for nr, g in enumerate(grads):
                    positions = captures.get((node, nr))
                    if positions is None:
                        continue
                    for pos in positions:
                        results[pos] = g
                    if accumulate and g is not None and node.__class__ is not AccumulateGrad:
                        var = inputs[positions[0]]
                        info = lint.before_accumulate(var) if lint is not None else None
                        with _accumulate_lock:
                            _store_grad(var, g, create_graph)
                        if lint is not None:
                            lint.after_accumulate(var, info)
                        var = None
                g = None
            if node.__class__ is AccumulateGrad:
                if (
                    grads[0] is not None
                    and accumulate
                    and (captures is None or (node, 0) in captures)
                ):
                    _accumulate_leaf(node, grads, create_graph, lint)
                    if node._hooks is not None:  # post hooks: (grad_inputs, grad_outputs)
                        for h in node._hooks:
                            h((), tuple(grads))
                grads = None
                continue
            if captures is not None and _only_capture(node, needed):
                continue
            if node._n_out > 1 and node.materialize_grads and any(g is None for g in grads):
                if all(g is None for g in grads):
                    grads = None
                else:
                    grads = _materialize(node, grads)
            elif grads[0] is None and node._n_out == 1:
                grads = None
            if grads is None:  # nothing flowed in: just release the dependents
                outs = (None,) * len(node._next)
            elif anomaly is not None:
                outs = anomaly(node, grads)
            else:
                outs = node.backward(*grads)
            if type(outs) is not tuple:
                outs = (outs,)
            nf = node._next
            if len(outs) != len(nf):
                from .errors import wrong_grad_count

                raise wrong_grad_count(node, len(outs))
            if node._hooks is not None and grads is not None:
                for h in node._hooks:
                    h(outs, grads)
            grads = None
            if not retain_graph and node._saved is not None:
                if node._plain_release:
                    node._saved = _FREED
                else:
                    node.release()
            first = None
            i = -1
            for (child, nr), g, meta in zip(nf, outs, node._in_meta):
                i += 1
                if child is None:
                    continue
                if g is not None:
                    if type(g) is not tensor_class:
                        g = tensor_class._make(g) if hasattr(g, "shape") else g
                    shape, dtype = meta
                    gd = g._data
                    if gd.shape != shape or (gd.dtype is not dtype and gd.dtype != dtype):
                        g = _validate(node, i, g)
                        gd = g._data
                    buf = buffers.get(child)
                    if buf is None:
                        n_out = child._n_out
                        if n_out == 1:
                            buffers[child] = [g]
                        else:
                            buf = buffers[child] = [None] * n_out
                            buf[nr] = g
                    else:
                        prev = buf[nr]
                        if prev is None:
                            buf[nr] = g
                        elif id(prev) in summed and prev._data.shape == gd.shape:
                            prev._data += gd  # a sum only this backward holds: add in place
                        elif create_graph:
                            buf[nr] = prev + g
                        else:
                            pd = prev._data
                            if type(pd) is _ndarray and type(gd) is _ndarray:
                                # both validated to the input's shape and dtype: no op needed
                                # (0-d: added as NumPy scalars, the same sum made cheaper)
                                s = pd + gd if pd.ndim else pd[()] + gd[()]
                                prev = tensor_class._make(s)
                                s = None
                            else:
                                prev = prev + g
                            buf[nr] = summed[id(prev)] = prev
                            pd = None
                        prev = None
                elif child not in buffers:
                    buffers[child] = [None] * child._n_out
                if deps is None:  # still on the single path from the root
                    if first is None:
                        first = child
                        continue
                    # The graph branches here: count the edges below this node, less the
                    # one just followed to ``first``.
                    deps = _dependencies((node,))
                    d = deps[first] - 1
                    deps[first] = d
                    if d:
                        first = None
                d = deps[child] - 1
                deps[child] = d
                if d == 0:
                    if first is None:
                        first = child
                    else:
                        heapq.heappush(heap, (-child._seq, id(child), child))
            # Drop this frame's references to the gradients (see ``_steal``).
            outs = g = gd = buf = None
            if first is not None:
                if heap:
                    heapq.heappush(heap, (-first._seq, id(first), first))
                else:
                    ready = first
    finally:
        _grad_state.enabled = prev_mode
        _grad_state.site = prev_site
    return results


def _run_path(node, grads, retain_graph, create_graph):
    """Run the graph from ``node`` while it is a single path of plain nodes (one output,
    one input that needs grad, no hooks), without the general loop's bookkeeping.

    Returns the node where the path branches or something else begins, with the
    gradients for its outputs, for the general loop; ``(None, None)`` when the path ends.
    """
    if len(grads) != 1:  # a root with several outputs
        return node, grads
    make = _node.Tensor._make
    tensor_class = _node.Tensor
    # The gradient of the node's one output, held by no list (see ``_steal``): ``g`` as a
    # tensor, or ``a`` as a float32/float64 array (or NumPy scalar) while the nodes have
    # array rules and no graph of the backward is recorded: no tensor is made for it.
    g = grads[0]
    a = grads = None
    while True:
        if node.__class__ is AccumulateGrad and not node._special:  # (hooks: the loop's)
            if a is not None:
                g = make(a)
                a = None
            if g is not None:
                grads = [g]
                g = None
                _accumulate_leaf(node, grads, create_graph, None)
            return None, None
        if node._special or (g is None and a is None):  # hooks, retained grads, ...
            return node, [make(a) if a is not None else g]
        nf = node._next
        n = len(nf)
        if n == 1 or (n == 2 and nf[1][0] is None):
            k = 0
        elif n == 2:
            if nf[0][0] is not None:  # x * y, x + y, ...: two edges
                return node, [make(a) if a is not None else g]
            k = 1
        else:
            k = _single_edge(nf)
            if k is None:
                return node, [make(a) if a is not None else g]
        outs = None
        if node.has_array_rule and not create_graph:
            if a is None:
                d = g._data
                dt = d.dtype
                if type(d) is _ndarray and (dt is _F32 or dt is _F64):
                    a = d
            if a is not None:
                outs = node.array_rule(a)
                if outs is not None:
                    a = g = None
        if outs is None:
            if a is not None:
                g = make(a)
                a = None
            outs = node.backward(g)
            g = None
        if type(outs) is not tuple:
            outs = (outs,)
        if len(outs) != n:
            from .errors import wrong_grad_count

            raise wrong_grad_count(node, len(outs))
        if not retain_graph and node._saved is not None:
            if node._plain_release:
                node._saved = _FREED
            else:
                node.release()
        child, nr = nf[k]
        if child is None:
            return None, None
        x = outs[k]
        outs = None
        if x is None:  # nothing flows on: the loop releases what lies below
            return child, [None] * child._n_out
        shape, dtype = node._in_meta[k]
        if type(x) is tensor_class:
            g = x
            xd = x._data
        elif type(x) is _ndarray or isinstance(x, _generic):
            a = xd = x  # stays an array
        else:
            g = make(x) if hasattr(x, "shape") else x
            xd = g._data
        x = None
        if xd.shape != shape or (xd.dtype is not dtype and xd.dtype != dtype):
            if a is not None:
                g = make(a)
                a = None
            g = _validate(node, k, g)
        xd = None
        if child._n_out != 1:
            grads = [None] * child._n_out
            grads[nr] = make(a) if a is not None else g
            return child, grads
        node = child


def _single_edge(edges):
    """The position of the only edge that leads to a node, or None (none, or several)."""
    k = None
    for i, (child, _) in enumerate(edges):
        if child is not None:
            if k is not None:
                return None
            k = i
    return k


def _accumulate_leaf(node, grads, create_graph, lint):
    """Add ``grads[0]`` into the ``.grad`` of the leaf behind the AccumulateGrad ``node``."""
    var = node.variable
    info = lint.before_accumulate(var) if lint is not None else None
    # One thread at a time adds into a .grad (backward may run in several).
    with _accumulate_lock:
        # A gradient nobody else holds becomes .grad as it is (no copy).
        if create_graph or var._grad is not None or not _steal(var, grads):
            _accumulate(node, grads[0], create_graph)
    if lint is not None:
        lint.after_accumulate(var, info)


def _dependencies(roots):
    """For every node below ``roots``, the number of edges leading into it (an iterative
    depth-first walk: a node is pushed when first counted)."""
    deps = {}
    stack = list(roots)
    root_set = set(roots) if len(roots) > 1 else None
    root = roots[0]
    get = deps.get
    push = stack.append
    while stack:
        for child, _ in stack.pop()._next:
            if child is None:
                continue
            d = get(child)
            if d is None:
                deps[child] = 1
                if child is not root and (root_set is None or child not in root_set):
                    push(child)
            else:
                deps[child] = d + 1
    return deps


def _steal(var, grads):
    """Make ``grads[0]`` the new ``var.grad`` without a copy when that is safe.

    Safe when nothing but ``grads`` holds the gradient tensor and nothing but that
    tensor holds its array (so no other tensor, view or user variable can see it
    change when later gradients accumulate into it in place), and the array is laid
    out as the copy would be.  Returns False (and does nothing) otherwise.
    """
    if var._extra is not None:  # hooks, retains_grad, ...: the general path
        return False
    g = grads[0]
    arr = g._data
    if (
        type(arr) is not _ndarray
        or getrefcount(g) != _SOLE_TENSOR_REFS
        or getrefcount(arr) != _SOLE_ARRAY_REFS
        or arr.base is not None
    ):
        return False
    like = var._data
    if arr.shape != like.shape or arr.dtype != like.dtype:
        return False
    f = arr.flags
    if not f.writeable:
        return False
    if arr.strides == like.strides:  # laid out as the variable: as the copy would be
        var._grad = _node.Tensor._make(arr)
        return True
    lf = like.flags
    if lf.c_contiguous or lf.f_contiguous:
        # The copy would be C-ordered unless the variable is F-ordered only.
        want_f = lf.f_contiguous and not lf.c_contiguous and like.ndim > 1
        if not (f.f_contiguous if want_f else f.c_contiguous):
            return False
    elif arr.strides != like.strides:
        return False
    var._grad = _node.Tensor._make(arr)
    return True


def _calibrate():
    # Reference counts seen by ``_steal`` for a tensor held only by a list, whose array is
    # held only by the tensor (measured, so that interpreter versions need no constants).
    class _Probe:
        __slots__ = ("_data",)

    p = _Probe()
    p._data = _numpy.empty(1)
    lst = [p]
    del p
    g = lst[0]
    arr = g._data
    return getrefcount(g), getrefcount(arr)


_SOLE_TENSOR_REFS, _SOLE_ARRAY_REFS = _calibrate()


def _only_capture(node, needed):
    # autograd.grad stops at a captured non-leaf when nothing below it is needed.
    return not any(c is not None and c in needed for c, _ in node._next)


def _needed_nodes(roots, deps, targets):
    """Nodes from which some target node can be reached (so worth executing)."""
    counts = dict(deps)
    order = []
    stack = [n for n in roots if n not in counts]
    while stack:
        n = stack.pop()
        order.append(n)
        for child, _ in n._next:
            if child is None:
                continue
            c = counts[child] - 1
            counts[child] = c
            if c == 0:
                stack.append(child)
    needed = set()
    for n in reversed(order):
        if n in targets or any(c is not None and c in needed for c, _ in n._next):
            needed.add(n)
    return needed


def _materialize(node, grads):
    from ..creation import zeros_like_array

    return [
        g if g is not None else _node.Tensor._make(zeros_like_array(node.xp, *node._out_meta[i]))
        for i, g in enumerate(grads)
    ]


def _run_tensor_hooks(node, grads):
    grads = list(grads)
    if node._pre_hooks is not None:
        for hook in node._pre_hooks:
            r = hook(tuple(grads))
            if r is not None:
                grads = list(r)
    if node._retained is not None:
        for nr, (ref, hooks) in node._retained.items():
            g = grads[nr]
            if g is None:
                continue
            for h in hooks:
                r = h(g)
                if r is not None:
                    g = r
            grads[nr] = g
            t = ref() if ref is not None else None
            if t is not None and t._retains_grad:
                _store_grad(t, g, _grad_state.enabled)
    return grads


def _accumulate(node, grad, create_graph):
    var = node.variable
    hooks = var._hooks
    if hooks:
        for h in hooks:
            r = h(grad)
            if r is not None:
                grad = r
    _store_grad(var, grad, create_graph)
    if var._post_acc_hooks:
        for h in var._post_acc_hooks:
            h(var)


def _store_grad(var, grad, create_graph):
    old = var._grad
    if create_graph:
        var._grad = grad if old is None else old + grad
        return
    if old is None:
        xp = grad._data
        # A fresh array laid out like the variable (grad strides follow the leaf's).
        arr = var_empty_like(var._data, xp)
        var._grad = _node.Tensor._make(arr)
    elif old._requires_grad:
        var._grad = (old + grad).detach()
    else:
        d = old._data
        if d.shape == grad._data.shape:
            d += grad._data
            old._bump_version("gradient accumulation", site=False)
        else:
            var._grad = _node.Tensor._make(d + grad._data)


def var_empty_like(like, src):
    """A copy of ``src`` laid out like ``like`` when that is dense; contiguous otherwise."""
    xp = xp_of(src)
    if like.flags.c_contiguous or like.flags.f_contiguous or src.shape != like.shape:
        out = xp.empty(
            src.shape,
            dtype=src.dtype,
            order="F"
            if (like.flags.f_contiguous and not like.flags.c_contiguous and like.ndim > 1)
            else "C",
        )
    else:
        out = xp.empty_like(like, dtype=src.dtype)
    out[...] = src
    return out
