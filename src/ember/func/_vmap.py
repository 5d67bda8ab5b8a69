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
from ..autograd.node import Node
from ..backend import xp_of
from ..ops import elementwise as _elementwise
from ..tensor import Tensor
from ._pytree import tree_leaves, tree_map

__all__ = ["vmap", "last_vmap", "last_strategy"]

#: Node classes whose outputs are elementwise functions of their inputs.
ELEMENTWISE = frozenset(
    """Add Sub Mul Div Pow Neg Exp Exp2 Expm1 Log Log1p Log2 Log10 Tanh Sigmoid Relu Sqrt Rsqrt
    Abs Sign Trunc Floor Ceil Round Frac Sin Cos Tan Asin Acos Atan Atan2 Sinh Cosh Asinh Acosh
    Atanh Erf Erfc Reciprocal Square Where Clone ToCopy Maximum Minimum Clamp LeakyRelu Elu Selu
    Celu Gelu Silu Mish Softplus Hardtanh Hardsigmoid Hardswish Relu6 Logit Remainder Fmod
    Lerp""".split()
)

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
class _Fallback(Exception):
    """Raised inside the batched run when an op cannot be batched (the loop takes over)."""


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
    return xp.broadcast_to(xp.asarray(fill, dtype=dt), shape)


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
    def __eq__(self, other):
        return _elementwise.eq(self, other)

    def __ne__(self, other):
        return _elementwise.ne(self, other)

    def __lt__(self, other):
        return _elementwise.lt(self, other)

    def __le__(self, other):
        return _elementwise.le(self, other)

    def __gt__(self, other):
        return _elementwise.gt(self, other)

    def __ge__(self, other):
        return _elementwise.ge(self, other)

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
    t._version = full._version
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
    if current_mode() is None and not _guard(func, front, norm, batch, kwargs, result):
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


# ----- batching rules ----------------------------------------------------------------------------
# rule(apply, cls, args, flags, shapes, kwargs, B) -> the op's whole-batch output.  ``args``
# hold the whole-batch tensors (batch in dim 0) where ``flags`` is True; ``shapes`` are the
# per-example shapes of tensor arguments (None for plain ones); plain arguments are as the
# function passed them, computed from per-example shapes.
def _pad(t, rank, shape):
    """Batched ``t`` (per-example ``shape``) with size-1 dims after the batch dim up to ``rank``."""
    if len(shape) >= rank:
        return t
    return t.reshape((t.shape[0],) + (1,) * (rank - len(shape)) + tuple(shape))


def _rule_elementwise(apply, cls, args, flags, shapes, kw, B):
    rank = max(len(s) for s in shapes if s is not None)
    new = [_pad(a, rank, s) if f else a for a, f, s in zip(args, flags, shapes, strict=True)]
    return apply(cls, *new, **kw)


def _shift(d):
    return d + 1 if d >= 0 else d


def _only_first_batched(flags):
    if not flags[0] or any(flags[1:]):
        raise _Fallback("only the first operand may be batched here")


def _rule_reduce(apply, cls, args, flags, shapes, kw, B):
    """Ops whose argument 1 is a dim or a tuple of dims (``None``: every dim)."""
    _only_first_batched(flags)
    dims = args[1]
    rank = len(shapes[0])
    if dims is None:
        dims = tuple(range(1, rank + 1))
    elif isinstance(dims, (tuple, list)):
        dims = tuple(_shift(d) for d in dims)
    elif isinstance(dims, int) and not isinstance(dims, bool):
        dims = _shift(dims)
    else:
        raise _Fallback("unknown dims argument")
    return apply(cls, args[0], dims, *args[2:], **kw)


def _rule_norm(apply, cls, args, flags, shapes, kw, B):
    """``VectorNorm(x, p, dims, keepdim)``: dims at argument 2."""
    _only_first_batched(flags)
    dims = args[2]
    rank = len(shapes[0])
    dims = tuple(range(1, rank + 1)) if dims is None else tuple(_shift(d) for d in dims)
    return apply(cls, args[0], args[1], dims, *args[3:], **kw)


def _rule_softmax(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    if args[1] is None:
        raise _Fallback("softmax over every dim")
    return apply(cls, args[0], _shift(args[1]), *args[2:], **kw)


def _matmul_shape(sa, sb):
    """The per-example result shape of ``a @ b`` for shapes ``sa``, ``sb`` (rank >= 1)."""
    from ..ops.linalg import _broadcast_batch

    if len(sa) == 1 and len(sb) == 1:
        return ()
    if len(sb) == 1:
        return tuple(sa[:-1])
    if len(sa) == 1:
        return tuple(sb[:-2]) + (sb[-1],)
    return _broadcast_batch(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


def _rule_matmul(apply, cls, args, flags, shapes, kw, B):
    """Per-example matmul of any ranks: vectors become matrices, batch dims are padded."""
    from ..ops.linalg import MatMul

    a, b = args[:2]
    sa, sb = shapes[:2]
    if len(sa) == 0 or len(sb) == 0:
        raise _Fallback("matmul of a 0-d operand")
    out_shape = _matmul_shape(sa, sb)
    if len(sa) == 1:
        sa = (1,) + sa
        a = a.reshape(((B,) if flags[0] else ()) + sa)
    if len(sb) == 1:
        sb = sb + (1,)
        b = b.reshape(((B,) if flags[1] else ()) + sb)
    rank = max(len(sa), len(sb))
    a = _pad(a, rank, sa) if flags[0] else a
    b = _pad(b, rank, sb) if flags[1] else b
    return apply(MatMul, a, b).reshape((B,) + out_shape)


def _rule_linear(apply, cls, args, flags, shapes, kw, B):
    """``x @ W.T + b``; a batched weight or bias (per-example parameters) goes via matmul."""
    if not any(flags[1:]):
        return apply(cls, *args, **kw)
    x, w = args[0], args[1]
    sx = shapes[0]
    if len(sx) == 0:
        raise _Fallback("linear of a 0-d input")
    rows = 1
    for n in sx[:-1]:
        rows *= n
    x2 = x.reshape(((B,) if flags[0] else ()) + (rows, sx[-1]))
    out = x2 @ w.transpose(-1, -2)  # (B, rows, out)
    if len(args) > 2 and args[2] is not None:
        bias = args[2]
        out = out + (bias.unsqueeze(-2) if flags[2] else bias)
    return out.reshape((B,) + tuple(sx[:-1]) + (out.shape[-1],))


def _rule_to_shape(apply, cls, args, flags, shapes, kw, B):
    """Reshape / View / Expand: the batched target is ``(B,) + the per-example target``."""
    _only_first_batched(flags)
    x = args[0]
    target = tuple(args[1])
    if cls.__name__ == "Expand":
        x = _pad(x, len(target), shapes[0])
    return apply(cls, x, (B,) + target, *args[2:], **kw)


def _rule_permute(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    rank = len(shapes[0])
    dims = (0,) + tuple(d % rank + 1 for d in args[1]) if rank else (0,)
    return apply(cls, args[0], dims, *args[2:], **kw)


def _rule_getitem(apply, cls, args, flags, shapes, kw, B):
    """Basic indices, and advanced ones that are the same for every example (an index
    array closed over by the function) as long as they sit together: a leading ``:``
    then keeps the batch dimension first, as NumPy places adjacent advanced indices."""
    _only_first_batched(flags)
    index = args[1] if isinstance(args[1], tuple) else (args[1],)
    arrays = [k for k, i in enumerate(index) if hasattr(i, "shape") and hasattr(i, "dtype")]
    if arrays:
        adv = [
            k
            for k, i in enumerate(index)
            if k in arrays or (isinstance(i, int) and not isinstance(i, bool))
        ]
        if adv != list(range(adv[0], adv[-1] + 1)):
            raise _Fallback("advanced indices apart from each other")
    for k, i in enumerate(index):
        if k in arrays:
            continue
        if isinstance(i, bool) or not (i is None or i is Ellipsis or isinstance(i, (int, slice))):
            raise _Fallback("an index of an unknown kind")
        if isinstance(i, slice) and not all(
            v is None or (isinstance(v, int) and not isinstance(v, bool))
            for v in (i.start, i.stop, i.step)
        ):
            raise _Fallback("slice of non-integers")
    return apply(cls, args[0], (slice(None),) + index, *args[2:], **kw)


def _rule_join(apply, cls, args, flags, shapes, kw, B):
    """Cat / Stack (``dim=`` keyword): unbatched operands are expanded over the batch."""
    new = []
    for a, f, s in zip(args, flags, shapes):
        if not f:
            a = a.reshape((1,) + s).expand((B,) + s)
        new.append(a)
    if any(kw.get("skip", ())):
        raise _Fallback("cat with legacy empty operands")
    kw["dim"] = _shift(kw["dim"])
    return apply(cls, *new, **kw)


def _rule_unbind(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    return apply(cls, args[0], _shift(args[1]), *args[2:], **kw)


def _rule_class_targets(apply, cls, args, flags, shapes, kw, B):
    """Class-index targets: the batch's targets are just more rows."""
    _only_first_batched(flags)
    a, row_w = apply(cls, args[0].reshape(-1), *args[1:], **kw)
    return a.reshape((B, -1, a.shape[-1])), row_w.reshape((B, -1))


def _rule_rows(apply, cls, args, flags, shapes, kw, B):
    """Ops on (rows, C) matrices whose rows are independent: the batch's rows are more rows."""
    rows = None
    for f, s in zip(flags, shapes):
        if s is not None and len(s) != 2:
            raise _Fallback(f"{cls.__name__}: expected (rows, C) operands")
        if f:
            rows = s
    new = []
    for a, f, s in zip(args, flags, shapes):
        if s is not None:
            if not f:
                a = a.unsqueeze(0).expand((B,) + s)
            a = a.reshape((B * rows[0], rows[1]))
        new.append(a)
    out = apply(cls, *new, **kw)
    return out.reshape((B, rows[0]) + tuple(out.shape[1:]))


def _rule_conv(apply, cls, args, flags, shapes, kw, B):
    """ConvNd(x, w, geom): the batch's samples are more samples; per-example weights
    become groups of one grouped convolution (each example's channels see only its own
    kernels)."""
    x, w, geom = args
    sx, sw = shapes[0], shapes[1]
    n, c = sx[0], sx[1]
    if not flags[1]:
        x = x.reshape((B * n,) + tuple(sx[1:]))
        out = apply(cls, x, w, geom)
        return out.reshape((B, n) + tuple(out.shape[1:]))
    stride, pads, dilation, groups = geom
    if not flags[0]:
        x = x.unsqueeze(0).expand((B,) + tuple(sx))
    # (B, N, C, ...) -> (N, B*C, ...); weights (B, O, C/g, ...) -> (B*O, C/g, ...).
    xg = x.movedim(0, 1).reshape((n, B * c) + tuple(sx[2:]))
    wg = w.reshape((B * sw[0],) + tuple(sw[1:]))
    out = apply(cls, xg, wg, (stride, pads, dilation, groups * B))
    out = out.reshape((n, B, sw[0]) + tuple(out.shape[2:]))
    return out.movedim(1, 0)


def _rule_samples(apply, cls, args, flags, shapes, kw, B):
    """Ops on (N, C, ...) inputs whose samples are independent (pooling): merge B into N."""
    _only_first_batched(flags)
    sx = shapes[0]
    out = apply(cls, args[0].reshape((B * sx[0],) + tuple(sx[1:])), *args[1:], **kw)
    return out.reshape((B, sx[0]) + tuple(out.shape[1:]))


ELEMENTWISE_RULED = ELEMENTWISE | frozenset(
    """Log1P Exp2 PowScalar PowScalarBase FloorDivide _Fmod _Compare _Invert _LogicalNot
    RoundDecimals Threshold Hardshrink Softshrink LogSigmoid ClampScalar Fmax Fmin Hypot
    Copysign LerpScalar""".split()
)

#: Node class name -> batching rule (looked up along the class's MRO).
RULES = {name: _rule_elementwise for name in ELEMENTWISE_RULED}
RULES.update({n: _rule_reduce for n in "Sum Prod MaxDim Amax Var Logsumexp Cumsum Cumprod".split()})
RULES.update(
    VectorNorm=_rule_norm,
    Softmax=_rule_softmax,
    LogSoftmax=_rule_softmax,
    MatMul=_rule_matmul,
    Mm=_rule_matmul,
    Bmm=_rule_matmul,
    Mv=_rule_matmul,
    Dot=_rule_matmul,
    Linear=_rule_linear,
    Reshape=_rule_to_shape,
    Expand=_rule_to_shape,
    Permute=_rule_permute,
    GetItem=_rule_getitem,
    Cat=_rule_join,
    Stack=_rule_join,
    Unbind=_rule_unbind,
    ClassTargets=_rule_class_targets,
    ConvNd=_rule_conv,
    MaxPoolTiled=_rule_samples,
    CrossEntropy=_rule_rows,
)


def _rule_for(cls):
    for c in cls.__mro__:
        rule = RULES.get(c.__name__)
        if rule is not None:
            return rule
        if c is Node:
            return None
    return None


def _close(a, b):
    xp = xp_of(a)
    if a.dtype.kind not in "fc":
        return bool((a == b).all())
    return bool(xp.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True))
