"""``vmap``: map a per-example function over a batch dimension.

Two strategies, with identical results:

* **Batched run** (one call on the whole batch).  The function gets ``BatchedTensor``\\ s:
  tensors whose shape, dtype and Python-visible metadata are one example's, while a
  dispatch mode (``ember.autograd.dispatch``) sends every op that touches them to a
  *batching rule* that runs the op once on the whole batch (batch in dimension 0).  So
  the function's own shape arithmetic and PyTorch's argument checks see per-example
  shapes, exactly as in the loop.  Rules exist for elementwise ops, reductions and
  softmax, the matmul family and ``F.linear`` (per-example weights too), reshape/view/
  expand/permute/transpose, basic indexing and advanced indexing with an index shared by
  all examples, cat/stack/unbind, cross-entropy, convolution (per-example kernels too)
  and tiled max pooling, and ``ember.func.grad`` (per-example gradients).  An op without
  a rule, a custom ``Function``, reading values in Python (``item()``, ``if x > 0``) or
  ``backward()`` on a batched tensor abandons the batched run.  As a final guard the
  function is run alone on the last example and must give the batched result's last
  example.
* **Loop** (the fallback, always correct): call the function once per example and stack
  the results.

Nested ``vmap`` batches the outer level and runs the inner one through the outer mode.
``randomness`` is accepted; random ops run per example in the loop (PyTorch's
``"different"``).  ``chunk_size`` is accepted and ignored.  ``last_vmap()`` says which
strategy the last call used, and why it looped.
"""

from __future__ import annotations

from ..autograd.dispatch import DispatchMode, current_mode
from ..backend import xp_of
from ..ops import elementwise as _elementwise
from ..ops.batching import CannotBatch as _Fallback
from ..ops.registry import batching_rule as _rule_for
from ..tensor import Tensor
from ._pytree import check_tensor_leaves, tree_leaves, tree_map

__all__ = ["vmap", "last_vmap", "last_strategy"]

#: What the last vmap call did: "batched" or "loop" (for tests and curious users).
last_strategy = ["none"]
#: Why the last vmap call looped (the op or guard that stopped the batched run).
last_reason = [""]


def last_vmap():
    """How the last ``vmap`` call on this process ran: ``(strategy, reason)``.

    ``strategy`` is ``"batched"`` (one call on the whole batch) or ``"loop"`` (one call
    per example); ``reason`` says what stopped the batched run ("" when it ran).
    """
    return last_strategy[0], last_reason[0]


def _fn_name(func):
    return getattr(func, "__name__", repr(func))


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over dimension ``in_dims`` of its inputs (see module docstring)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )

    def wrapped(*args, **kwargs):
        name = _fn_name(func)
        if isinstance(in_dims, tuple):
            if len(in_dims) != len(args):
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
                    "with the structure of `inputs`. in_dims has "
                    f"{len(in_dims)} entries but inputs has {len(args)}."
                )
            dims = in_dims
        elif in_dims is None or isinstance(in_dims, int):
            dims = (in_dims,) * len(args)
        else:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...): expected `in_dims` to be int or a "
                f"(potentially nested) tuple matching the structure of inputs, got: "
                f"{type(in_dims)}."
            )
        sizes = []
        norm = []  # per arg: normalised dim (or None)
        for a, d in zip(args, dims):
            if d is None:
                norm.append(None)
                continue
            leaves = tree_leaves(a)
            if not all(isinstance(t, Tensor) for t in leaves) or not leaves:
                bad = next((t for t in leaves if not isinstance(t, Tensor)), a)
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                    f"input but the input is of type {type(bad)}. We cannot vmap over "
                    "non-Tensor arguments, please use None as the respective in_dim"
                )
            for t in leaves:
                if not -t.dim() <= d < max(t.dim(), 1) or t.dim() == 0:
                    raise ValueError(
                        f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
                        f"some input, but that input is a Tensor of dimensionality {t.dim()} "
                        f"so expected in_dim to satisfy -{t.dim()} <= in_dim < {t.dim()}."
                    )
                sizes.append(t.shape[d])
            norm.append(d)
        if not sizes:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input must be "
                "mapped over (got in_dims=None for all inputs)."
            )
        if len(set(sizes)) != 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes} for the mapped dimension"
            )
        batch = sizes[0]
        front = [
            a if d is None else tree_map(lambda t, d=d: _to_front(t, d), a)
            for a, d in zip(args, norm)
        ]
        out = _try_batched(func, front, norm, batch, kwargs)
        if out is not None:
            last_strategy[0] = "batched"
            return _place_out(out, out_dims, name)
        last_strategy[0] = "loop"
        results = []
        for i in range(batch):
            ex = [a if d is None else tree_map(lambda t, i=i: t[i], a) for a, d in zip(front, norm)]
            results.append(func(*ex, **kwargs))
        return _stack_results(results, out_dims, name)

    return wrapped


def _to_front(t, d):
    d = d % t.dim()
    if d == 0:
        return t
    order = [d] + [k for k in range(t.dim()) if k != d]
    return t.permute(*order)


def _move_from_front(t, d):
    if d is None:
        return t
    d = d % t.dim()
    if d == 0:
        return t
    order = list(range(1, d + 1)) + [0] + list(range(d + 1, t.dim()))
    return t.permute(*order)


def _stack_results(results, out_dims, name):
    from ..autograd.functional import _stack

    first = results[0]
    flat = [tree_leaves(r) for r in results]
    dims = _out_dims_for(first, out_dims)
    stacked = []
    for k, leaf in enumerate(flat[0]):
        if not isinstance(leaf, Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(leaf)}. "
                "Did you mean to set out_dims= to None for output?"
            )
        d = dims[k]
        if d is None:
            stacked.append(leaf)
            continue
        s = _stack([f[k] for f in flat], 0)
        stacked.append(_move_from_front(s, d))
    it = iter(stacked)
    return tree_map(lambda _: next(it), first)


def _out_dims_for(out, out_dims):
    n = len(tree_leaves(out))
    if isinstance(out_dims, tuple):
        if len(out_dims) != n:
            raise ValueError(
                f"vmap: out_dims has {len(out_dims)} entries but the function returned {n} outputs"
            )
        return out_dims
    return (out_dims,) * n


def _place_out(out, out_dims, name):
    dims = _out_dims_for(out, out_dims)
    it = iter(dims)
    return tree_map(lambda t: _move_from_front(t, next(it)), out)


# ----- the batched path: one run over the whole batch ----------------------------------------
def _stand_in(full, shape):
    """A stand-in array for a batched tensor: the per-example shape and dtype, no values.

    Library code reads shapes and dtypes from ``_data``, so a ``BatchedTensor`` with one of
    these looks exactly like one example.  Its values are NaN (or an implausible integer),
    a read-only broadcast of one element: code that reads values outside an op the mode
    sees cannot silently use one example's values for the whole batch; the result's guard
    then sends vmap to the loop.
    """
    xp = xp_of(full)
    dt = full.dtype
    if dt.kind in "fc":
        fill = float("nan")
    elif dt.kind == "b":
        fill = True
    else:
        fill = -7 if dt.kind == "i" else 7
    one = xp.asarray(fill, dtype=dt)
    one.flags.writeable = False  # so that no write can reach it through the broadcast
    return xp.broadcast_to(one, shape)


def _refuse(what):
    def method(self, *args, **kwargs):
        raise _Fallback(f"vmap cannot batch {what} of a batched tensor")

    method.__doc__ = f"Inside vmap's batched run, {what} sends vmap to its per-example loop."
    return method


class BatchedTensor(Tensor):
    """A tensor of vmap's batched run: one example's shape, the whole batch's values.

    ``_full`` is an ordinary tensor with the batch in dimension 0 (it carries the autograd
    history); ``_level`` is the vmap mode it belongs to.  Python code inside the mapped
    function sees per-example shapes, as it does for one example.
    """

    __slots__ = ("_full", "_level")

    def detach(self):
        """The batched tensor without history (per example, as ``x.detach()``)."""
        return _wrap(self._level, self._full.detach())

    def _view_of(self, data, grad_fn=None):
        if data is self._data and grad_fn is None:
            return _wrap(self._level, self._full._view_of(self._full._data))
        raise _Fallback("a view of a batched tensor outside an op")

    # Tensor's comparison operators skip the op for speed; here they must go through it.
    __eq__, __ne__ = _elementwise.eq, _elementwise.ne
    __lt__, __le__ = _elementwise.lt, _elementwise.le
    __gt__, __ge__ = _elementwise.gt, _elementwise.ge
    __hash__ = Tensor.__hash__

    @property
    def data(self):
        """The batched tensor's data, without history."""
        return self.detach()

    _read_values = _refuse("reading values outside an op (e.g. an index or a mask)")
    item = _refuse("item()")
    tolist = _refuse("tolist()")
    numpy = _refuse("numpy()")
    __array__ = _refuse("conversion to an array")
    __bool__ = _refuse("a truth value (data-dependent control flow)")
    __float__ = _refuse("float()")
    __int__ = _refuse("int()")
    __index__ = _refuse("use as an index")
    backward = _refuse("backward()")
    requires_grad_ = _refuse("requires_grad_()")

    def __repr__(self):
        return f"BatchedTensor(batch={self._full.shape[0]}, value={self._full!r})"


def _wrap(level, full):
    """A ``BatchedTensor`` over ``full`` (batch in dim 0) for vmap mode ``level``."""
    t = object.__new__(BatchedTensor)
    t._data = _stand_in(full._data, full._data.shape[1:])
    t._requires_grad = False  # the history lives on _full; autograd calls here go to the loop
    t.grad_fn = None
    t._output_nr = 0
    t._version_counter = full._version_counter
    t._grad = None
    t._base = None
    t._acc = None
    t._extra = None
    t._full = full
    t._level = level
    return t


def _contains_batched(x, level):
    if isinstance(x, BatchedTensor):
        return x._level is level
    if isinstance(x, (tuple, list)):
        return any(_contains_batched(v, level) for v in x)
    if isinstance(x, dict):
        return any(_contains_batched(v, level) for v in x.values())
    return False


class _VmapMode(DispatchMode):
    """Runs every op whose operands are batched at this level once, on the whole batch."""

    def __init__(self, batch):
        self.batch = batch

    def is_batched(self, x):
        return isinstance(x, BatchedTensor) and x._level is self

    def handle(self, cls, args, kwargs):
        flags = [self.is_batched(a) for a in args]
        if not any(flags):
            if any(_contains_batched(a, self) for a in args) or _contains_batched(kwargs, self):
                raise _Fallback(f"{cls.__name__}: batched tensor inside a plain argument")
            return self.run(cls, args, kwargs)
        if _contains_batched(kwargs, self):
            raise _Fallback(f"{cls.__name__}: batched tensor in a keyword argument")
        rule = _rule_for(cls)
        if rule is None:
            raise _Fallback(f"no batching rule for {cls.__name__}")
        shapes = [tuple(a._data.shape) if isinstance(a, Tensor) else None for a in args]
        call = [a._full if f else a for a, f in zip(args, flags)]
        for a, f in zip(args, flags):
            if not f and _contains_batched(a, self):
                raise _Fallback(f"{cls.__name__}: batched tensor inside a plain argument")
        with self.suspended():
            out = rule(_apply, cls, call, flags, shapes, dict(kwargs), self.batch)
        outs = out if isinstance(out, tuple) else (out,)
        for o in outs:
            if isinstance(o, Tensor) and (o.dim() == 0 or o.shape[0] != self.batch):
                raise _Fallback(f"{cls.__name__}: batching rule lost the batch dimension")
        if isinstance(out, tuple):
            return tuple(_wrap(self, o) if isinstance(o, Tensor) else o for o in out)
        return _wrap(self, out)

    def handle_function(self, cls, args):
        if any(_contains_batched(a, self) for a in args):
            raise _Fallback(f"custom autograd.Function {cls.__name__} has no batching rule")


def batching_mode_of(args):
    """The active vmap mode if ``args`` hold tensors it batches, else None."""
    mode = current_mode()
    if isinstance(mode, _VmapMode) and any(_contains_batched(a, mode) for a in args):
        return mode
    return None


def grad_and_value_batched(mode, func, nums, single, has_aux, level, outer, args, kwargs):
    """``grad_and_value(func)`` per example, in one batched forward and one backward.

    Each argument in ``nums`` becomes a whole-batch leaf (an unbatched one is repeated over
    the batch, so each example gets its own gradient); the per-example scalar outputs are
    summed and differentiated once.  Examples never mix in a batched run, so the gradient
    of the sum, read per example, is each example's own gradient.
    """
    from ..autograd import grad as autograd_grad
    from ..autograd.grad_mode import enable_grad
    from ..creation import zeros_like

    B = mode.batch
    args = list(args)
    fulls = []

    def leaf(x):
        if not isinstance(x, Tensor):
            return x
        full = x._full if mode.is_batched(x) else x.unsqueeze(0).expand((B,) + tuple(x.shape))
        full = level.wrap(full)
        fulls.append(full)
        return _wrap(mode, full)

    with mode.suspended(), enable_grad():
        for a in nums:
            args[a] = tree_map(leaf, args[a])
    with enable_grad():
        output = func(*args, **kwargs)
    aux = None
    if has_aux:
        if not (isinstance(output, tuple) and len(output) == 2):
            raise _Fallback("has_aux output is not a pair")
        output, aux = output
    if not mode.is_batched(output) or output.dim() != 0:
        raise _Fallback("grad of an output that is not a per-example scalar")
    if has_aux:
        check_tensor_leaves(aux)
    with mode.suspended():
        out_full = output._full
        if out_full.requires_grad and fulls:
            with enable_grad():
                grads = autograd_grad(out_full.sum(), fulls, create_graph=outer, allow_unused=True)
        else:
            grads = (None,) * len(fulls)
        grads = [zeros_like(f) if g is None else g for g, f in zip(grads, fulls)]
        grads, out_full = level.finish((grads, out_full))
        if aux is not None:
            aux = tree_map(
                lambda t: _wrap(mode, level.finish(t._full)) if mode.is_batched(t) else t, aux
            )
    it = iter(grads)
    per_arg = [
        tree_map(lambda x: _wrap(mode, next(it)) if isinstance(x, Tensor) else None, args[a])
        for a in nums
    ]
    result = per_arg[0] if single else tuple(per_arg)
    value = _wrap(mode, out_full)
    if has_aux:
        return result, (value, aux)
    return result, value


def _apply(cls, *args, **kwargs):
    return cls.apply(*args, **kwargs)


def _try_batched(func, front, norm, batch, kwargs):
    """The whole-batch result, or None when some op cannot be batched (or the guard fails)."""
    if batch == 0:
        return None
    mode = _VmapMode(batch)
    args = [
        a if d is None else tree_map(lambda t: _wrap(mode, t) if isinstance(t, Tensor) else t, a)
        for a, d in zip(front, norm)
    ]
    try:
        with mode:
            out = func(*args, **kwargs)
    except Exception as e:
        last_reason[0] = f"{type(e).__name__}: {e}"
        return None
    leaves = tree_leaves(out)
    if not leaves or not all(mode.is_batched(o) for o in leaves):
        last_reason[0] = "an output does not depend on the batch"
        return None
    result = tree_map(lambda o: o._full, out)
    if not isinstance(current_mode(), _VmapMode) and not _guard(
        func, front, norm, batch, kwargs, result
    ):
        last_reason[0] = "the batched result differs from the last example run alone"
        return None
    last_reason[0] = ""
    return result


def _guard(func, front, norm, batch, kwargs, result):
    """The batched result's last example equals ``func`` run on the last example alone."""
    last = batch - 1
    example = [a if d is None else tree_map(lambda t: t[last], a) for a, d in zip(front, norm)]
    try:
        ref = func(*example, **kwargs)
    except Exception:
        return False
    ref_leaves = tree_leaves(ref)
    out_leaves = tree_leaves(result)
    if len(ref_leaves) != len(out_leaves):
        return False
    for o, r in zip(out_leaves, ref_leaves):
        if not isinstance(r, Tensor) or tuple(o.shape) != (batch,) + tuple(r.shape):
            return False
        if not _close(o._data[last], r._data):
            return False
    return True


def _close(a, b):
    xp = xp_of(a)
    if a.dtype.kind not in "fc":
        return bool((a == b).all())
    return bool(xp.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True))
