"""vmap's batching rules: how an op runs once on a whole batch instead of once per example.

An op's declaration names its rule (``declare(..., vmap=elementwise)``).  A rule is
called as ``rule(apply, cls, args, flags, shapes, kwargs, B)`` and returns the op's
whole-batch output: ``args`` hold whole-batch tensors (batch in dim 0) where ``flags``
is True; ``shapes`` are the per-example shapes of tensor arguments (None for plain
ones); plain arguments are as the function passed them, computed from per-example
shapes.  A rule raises ``CannotBatch`` for a case it does not cover, and vmap then
runs the function once per example.
"""

from __future__ import annotations


class CannotBatch(Exception):
    """A batching rule (or vmap itself) cannot run this call batched."""


def _pad(t, rank, shape):
    """Batched ``t`` (per-example ``shape``) with size-1 dims after the batch dim up to ``rank``."""
    if len(shape) >= rank:
        return t
    return t.reshape((t.shape[0],) + (1,) * (rank - len(shape)) + tuple(shape))


def elementwise(apply, cls, args, flags, shapes, kw, B):
    rank = max(len(s) for s in shapes if s is not None)
    new = [_pad(a, rank, s) if f else a for a, f, s in zip(args, flags, shapes, strict=True)]
    return apply(cls, *new, **kw)


def _shift(d):
    return d + 1 if d >= 0 else d


def _only_first_batched(flags):
    if not flags[0] or any(flags[1:]):
        raise CannotBatch("only the first operand may be batched here")


def reduce(apply, cls, args, flags, shapes, kw, B):
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
        raise CannotBatch("unknown dims argument")
    return apply(cls, args[0], dims, *args[2:], **kw)


def norm(apply, cls, args, flags, shapes, kw, B):
    """``VectorNorm(x, p, dims, keepdim)``: dims at argument 2."""
    _only_first_batched(flags)
    dims = args[2]
    rank = len(shapes[0])
    dims = tuple(range(1, rank + 1)) if dims is None else tuple(_shift(d) for d in dims)
    return apply(cls, args[0], args[1], dims, *args[3:], **kw)


def softmax(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    if args[1] is None:
        raise CannotBatch("softmax over every dim")
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


def matmul(apply, cls, args, flags, shapes, kw, B):
    """Per-example matmul of any ranks: vectors become matrices, batch dims are padded."""
    from ..ops.linalg import MatMul

    a, b = args[:2]
    sa, sb = shapes[:2]
    if len(sa) == 0 or len(sb) == 0:
        raise CannotBatch("matmul of a 0-d operand")
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


def linear(apply, cls, args, flags, shapes, kw, B):
    """``x @ W.T + b``; a batched weight or bias (per-example parameters) goes via matmul."""
    if not any(flags[1:]):
        return apply(cls, *args, **kw)
    x, w = args[0], args[1]
    sx = shapes[0]
    if len(sx) == 0:
        raise CannotBatch("linear of a 0-d input")
    rows = 1
    for n in sx[:-1]:
        rows *= n
    x2 = x.reshape(((B,) if flags[0] else ()) + (rows, sx[-1]))
    out = x2 @ w.transpose(-1, -2)  # (B, rows, out)
    if len(args) > 2 and args[2] is not None:
        bias = args[2]
        out = out + (bias.unsqueeze(-2) if flags[2] else bias)
    return out.reshape((B,) + tuple(sx[:-1]) + (out.shape[-1],))


def to_shape(apply, cls, args, flags, shapes, kw, B):
    """Reshape / View / Expand: the batched target is ``(B,) + the per-example target``."""
    _only_first_batched(flags)
    x = args[0]
    target = tuple(args[1])
    if cls.__name__ == "Expand":
        x = _pad(x, len(target), shapes[0])
    return apply(cls, x, (B,) + target, *args[2:], **kw)


def permute(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    rank = len(shapes[0])
    dims = (0,) + tuple(d % rank + 1 for d in args[1]) if rank else (0,)
    return apply(cls, args[0], dims, *args[2:], **kw)


def getitem(apply, cls, args, flags, shapes, kw, B):
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
            raise CannotBatch("advanced indices apart from each other")
    for k, i in enumerate(index):
        if k in arrays:
            continue
        if isinstance(i, bool) or not (i is None or i is Ellipsis or isinstance(i, (int, slice))):
            raise CannotBatch("an index of an unknown kind")
        if isinstance(i, slice) and not all(
            v is None or (isinstance(v, int) and not isinstance(v, bool))
            for v in (i.start, i.stop, i.step)
        ):
            raise CannotBatch("slice of non-integers")
    return apply(cls, args[0], (slice(None),) + index, *args[2:], **kw)


def join(apply, cls, args, flags, shapes, kw, B):
    """Cat / Stack (``dim=`` keyword): unbatched operands are expanded over the batch."""
    new = []
    for a, f, s in zip(args, flags, shapes):
        if not f:
            a = a.reshape((1,) + s).expand((B,) + s)
        new.append(a)
    if any(kw.get("skip", ())):
        raise CannotBatch("cat with legacy empty operands")
    kw["dim"] = _shift(kw["dim"])
    return apply(cls, *new, **kw)


def unbind(apply, cls, args, flags, shapes, kw, B):
    _only_first_batched(flags)
    return apply(cls, args[0], _shift(args[1]), *args[2:], **kw)


def class_targets(apply, cls, args, flags, shapes, kw, B):
    """Class-index targets: the batch's targets are just more rows."""
    _only_first_batched(flags)
    a, row_w = apply(cls, args[0].reshape(-1), *args[1:], **kw)
    return a.reshape((B, -1, a.shape[-1])), row_w.reshape((B, -1))


def rows(apply, cls, args, flags, shapes, kw, B):
    """Ops on (rows, C) matrices whose rows are independent: the batch's rows are more rows."""
    rows = None
    for f, s in zip(flags, shapes):
        if s is not None and len(s) != 2:
            raise CannotBatch(f"{cls.__name__}: expected (rows, C) operands")
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


def conv(apply, cls, args, flags, shapes, kw, B):
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


def samples(apply, cls, args, flags, shapes, kw, B):
    """Ops on (N, C, ...) inputs whose samples are independent (pooling): merge B into N."""
    _only_first_batched(flags)
    sx = shapes[0]
    out = apply(cls, args[0].reshape((B * sx[0],) + tuple(sx[1:])), *args[1:], **kw)
    return out.reshape((B, sx[0]) + tuple(out.shape[1:]))
