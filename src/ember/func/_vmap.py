"""``vmap``: map a per-example function over a batch dimension.

Two strategies, with identical results:

* **Batched call** (one call on the whole batch).  Used only when Ember can show the
  function is per-example: it first runs the function on example 0 while observing every
  op it applies, and takes the batched path only if every op is elementwise (an
  allow-list), every op's result has the per-example shape, and no tensor operand has
  more dimensions than an example (so broadcasting against the leading batch dimension
  is the same as per example).  The batched result's first example is compared with the
  observed one as a final guard.
* **Loop** (the fallback, always correct): call the function once per example and stack
  the results.  Reductions, matmul, indexing, custom ``Function``\\ s, nested transforms
  (``vmap(grad(f))``), data-dependent control flow and anything unobserved go this way.

``randomness`` is accepted; random ops run per example in the loop (PyTorch's
``"different"``).  ``chunk_size`` is accepted and ignored.
"""

from __future__ import annotations

from ..autograd import function as _function
from ..autograd.node import Node
from ._pytree import tree_leaves, tree_map

__all__ = ["vmap", "last_strategy"]

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


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


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
        Tensor = _tensor_cls()
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

    Tensor = _tensor_cls()
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


# ----- the batched path: observe example 0, then call once on the whole batch ----------------
class _Observer:
    """Records every op applied while it is installed (and whether any was unknown)."""

    def __init__(self):
        self.ops = []

    def __enter__(self):
        self.orig = Node.__dict__["apply"]
        orig_fn = self.orig.__func__
        ops = self.ops
        Tensor = _tensor_cls()

        def observed(cls, *args, **kwargs):
            out = orig_fn(cls, *args, **kwargs)
            outs = out if isinstance(out, tuple) else (out,)
            ops.append(
                (
                    cls.__name__,
                    [tuple(a.shape) for a in args if isinstance(a, Tensor)],
                    [tuple(o.shape) for o in outs if isinstance(o, Tensor)],
                )
            )
            return out

        Node.apply = classmethod(observed)
        self.prev_trace = _function._vmap_trace[0]
        _function._vmap_trace[0] = ops
        return self

    def __exit__(self, *exc):
        Node.apply = self.orig
        _function._vmap_trace[0] = self.prev_trace
        return False


def _per_example_ok(ops, shape):
    if not ops:
        return False
    nd = len(shape)
    for op in ops:
        if op is None:
            return False
        name, ins, outs = op
        if name not in ELEMENTWISE:
            return False
        if any(o != shape for o in outs):
            return False
        if any(len(s) > nd for s in ins):
            return False
    return True


def _try_batched(func, front, norm, batch, kwargs):
    """The whole-batch result, or None when per-example semantics cannot be shown."""
    Tensor = _tensor_cls()
    mapped = [t for a, d in zip(front, norm) if d is not None for t in tree_leaves(a)]
    shapes = {tuple(t.shape[1:]) for t in mapped}
    if len(shapes) != 1 or batch == 0:
        return None
    shape = shapes.pop()
    if _function._vmap_trace[0] is not None:
        return None  # inside another vmap's observation: keep it simple
    example = [a if d is None else tree_map(lambda t: t[0], a) for a, d in zip(front, norm)]
    try:
        with _Observer() as obs:
            ref = func(*example, **kwargs)
    except Exception:
        return None
    ref_leaves = tree_leaves(ref)
    if not ref_leaves or not all(
        isinstance(r, Tensor) and tuple(r.shape) == shape for r in ref_leaves
    ):
        return None
    if not _per_example_ok(obs.ops, shape):
        return None
    try:
        out = func(*front, **kwargs)
    except Exception:
        return None
    out_leaves = tree_leaves(out)
    if len(out_leaves) != len(ref_leaves):
        return None
    for o, r in zip(out_leaves, ref_leaves):
        if not isinstance(o, Tensor) or tuple(o.shape) != (batch,) + shape:
            return None
        if not _close(o._data[0], r._data):
            return None
    return out


def _close(a, b):
    from ..backend import xp_of

    xp = xp_of(a)
    if a.dtype.kind not in "fc":
        return bool((a == b).all())
    return bool(xp.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True))
