"""``ember.utils.checkpoint``: trade compute for memory by recomputing a block in backward.

Two variants, as in PyTorch:

* ``use_reentrant=False`` (recommended): the block runs once with recording on, then the
  values its nodes saved for backward are dropped (the nodes themselves, which hold only
  shapes and links, stay).  The first node of the block that backward reaches recomputes
  the block (with the same RNG state) and hands every node its saved values back.
  Gradients flow through the original graph, so ``autograd.grad`` w.r.t. parameters
  used inside the block, and outputs that require grad only through parameters, work.
* ``use_reentrant=True``: a ``Function`` that runs the block under ``no_grad`` and keeps
  only its inputs; its backward recomputes with recording on and backpropagates through
  the recomputed graph (parameters inside receive ``.grad`` from that inner backward).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager, nullcontext

from ..autograd import node as _node
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import SavedTensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction"]


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _noop_context_fn():
    return nullcontext(), nullcontext()


def _get_rng():
    from ..random import get_rng_state

    return get_rng_state()


def _set_rng(state):
    from ..random import set_rng_state

    set_rng_state(state)


@contextmanager
def _replaying(rng_state):
    """Grad on and, when ``rng_state`` is given, the random state of the forward pass (the
    current state comes back afterwards)."""
    current = None
    if rng_state is not None:
        current = _get_rng()
        _set_rng(rng_state)
    try:
        with enable_grad():
            yield
    finally:
        if current is not None:
            _set_rng(current)


def checkpoint(function, *args, use_reentrant=None, context_fn=_noop_context_fn,
               determinism_check="default", debug=False, preserve_rng_state=True,
               **kwargs):  # fmt: skip
    """Run ``function(*args, **kwargs)`` without keeping its intermediate values for backward.

    Args:
        use_reentrant: ``False`` (recommended) or ``True``; leaving it out warns as PyTorch
            does and uses ``True``.
        preserve_rng_state: replay the same random numbers (dropout) when recomputing.
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant:
        if context_fn is not _noop_context_fn or debug:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, args, kwargs)


# ----- use_reentrant=True ----------------------------------------------------------------------
class CheckpointFunction(Function):
    """Runs the block without a graph; backward recomputes it and backpropagates through it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        Tensor = _tensor_cls()
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None",
                UserWarning,
                stacklevel=4,
            )
        ctx.run_function = run_function
        ctx.rng_state = _get_rng() if preserve_rng_state else None
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        from ..autograd import backward as autograd_backward

        Tensor = _tensor_cls()
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            d = t.detach()
            d.requires_grad_(t.requires_grad)
            inputs[i] = d
        with _replaying(ctx.rng_state):
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs, gs = [], []
        for o, g in zip(outputs, grads):
            if isinstance(o, Tensor) and o.requires_grad and g is not None:
                outs.append(o)
                gs.append(g)
        if not outs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        autograd_backward(outs, gs)
        return (None, None) + tuple(
            x.grad if isinstance(x, Tensor) and x.requires_grad else None for x in inputs
        )


# ----- use_reentrant=False ---------------------------------------------------------------------
def _segment_nodes(outputs, lo, hi):
    """Nodes created in ``(lo, hi)`` reachable from ``outputs``, in creation order."""
    Tensor = _tensor_cls()
    stack = [o.grad_fn for o in outputs if isinstance(o, Tensor) and o.grad_fn is not None]
    seen = set()
    found = []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if not lo < n._seq < hi:
            continue
        found.append(n)
        for child, _ in n._next:
            if child is not None and child not in seen:
                stack.append(child)
    found.sort(key=lambda n: n._seq)
    return found


def _leaves(obj):
    from ..func._pytree import tensor_leaves

    return tensor_leaves(obj)


class _Segment:
    """One checkpointed block: what it needs to recompute, and the nodes waiting for values."""

    def __init__(self, function, args, kwargs, rng_state):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.rng_state = rng_state
        self.nodes = []
        self.dropped = []
        self.done = False

    def hook(self, grads):
        if not self.done:
            self.recompute()
        return None

    def recompute(self):
        with _replaying(self.rng_state):
            lo = next(_node._sequence)
            out = self.function(*self.args, **self.kwargs)
            hi = next(_node._sequence)
        new_nodes = _segment_nodes(_leaves(out), lo, hi)
        if [type(n) for n in new_nodes] != [type(n) for n in self.nodes]:
            raise RuntimeError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass. (Ember: the recomputation "
                f"recorded {len(new_nodes)} ops where the forward recorded {len(self.nodes)}; "
                "the checkpointed function must run the same ops each time.)"
            )
        for old, new, positions in zip(self.nodes, new_nodes, self.dropped):
            if not positions:
                continue
            saved = list(old._saved)
            fresh = new._saved
            for i in positions:
                saved[i] = fresh[i]
            old._saved = tuple(saved)
        self.done = True


def _checkpoint_without_reentrant(function, preserve_rng_state, args, kwargs):
    if not _grad_state.enabled:
        return function(*args, **kwargs)
    rng = _get_rng() if preserve_rng_state else None
    lo = next(_node._sequence)
    out = function(*args, **kwargs)
    hi = next(_node._sequence)
    nodes = _segment_nodes(_leaves(out), lo, hi)
    if not nodes:
        return out
    keep = {id(t) for t in _leaves((args, kwargs))}
    seg = _Segment(function, args, kwargs, rng)
    for n in nodes:
        positions = []
        saved = n._saved
        if type(saved) is tuple:
            for i, s in enumerate(saved):
                if type(s) is not SavedTensor:
                    continue
                t = s.tensor
                if t is not None and (id(t) in keep or (t.grad_fn is None and t.requires_grad)):
                    continue  # inputs and parameters are held anyway
                positions.append(i)
            if positions:
                replaced = list(saved)
                for i in positions:
                    replaced[i] = _dropped_placeholder(saved[i])
                n._saved = tuple(replaced)
                n.register_prehook(seg.hook)
        seg.nodes.append(n)
        seg.dropped.append(positions)
    return out


def _dropped_placeholder(s):
    """A SavedTensor that holds no array (filled in again by the recomputation)."""
    p = SavedTensor()
    p.tensor = None
    p.data = None
    p.is_output = s.is_output
    p.output_nr = getattr(s, "output_nr", 0)
    p.counter = [0]
    p.version = 0
    p.where = "a checkpointed block (values are recomputed in backward)"
    return p


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a list or ``nn.Sequential``) in ``segments`` checkpointed chunks."""
    if use_reentrant is None:
        use_reentrant = True
    funcs = list(functions.children()) if hasattr(functions, "children") else list(functions)
    n = len(funcs)
    size = max(n // max(segments, 1), 1)

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = funcs[j](x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, n - 1)(input)
