"""Products built from matrix products and broadcasting: ``outer``/``ger``, ``inner``,
``tensordot``, ``kron``.  PyTorch composes each of them from other ops too, so they have
no node of their own: the ``grad_fn`` shows the last op of the composition."""

from __future__ import annotations

from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from ._binary import promote, type_word
from ._out_rules import same_dtype_rule
from ._spec import OpSpec
from .linalg import Mm, prod
from .registry import op, public_names

# PyTorch's own wording for an ``out=`` of another dtype (tensordot, inner).
tensordot_out_rule = same_dtype_rule(
    "tensordot: Expected the output tensor to have dtype {result}, but got an output tensor "
    "with dtype {out}",
    type_word,
)


@op(
    None,
    methods="outer",
    spec=OpSpec("outer", lambda t, a, b: t.outer(a, b), [((3,), (4,)), ((0,), (2,))], shapes=None),
)
def outer(input, vec2):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return input.unsqueeze(1) * vec2


@op(
    None,
    methods="ger",
    spec=OpSpec("ger", lambda t, a, b: t.ger(a, b), [((3,), (2,))], shapes=None),
)
def ger(input, vec2):
    """Outer product (the old name of ``outer``)."""
    return outer(input, vec2)


def _dims_list(dims, which):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        return [dims]
    out = list(dims)
    for d in out:
        if not isinstance(d, int):
            raise TypeError(
                f"tensordot(): argument '{which}' (position 3) must be tuple of ints, not "
                f"{type(d).__name__}"
            )
    return out


@op(
    None,
    spec=(
        OpSpec(
            "tensordot",
            lambda t, a, b: t.tensordot(a, b, dims=2),
            [((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4))],
            shapes=None,
        ),
        OpSpec(
            "tensordot_lists",
            lambda t, a, b: t.tensordot(a, b, dims=([0, 2], [2, 0])),
            [((2, 3, 4), (4, 5, 2))],
            shapes=None,
        ),
        OpSpec(
            "tensordot_0", lambda t, a, b: t.tensordot(a, b, dims=0), [((2, 3), (4,))], shapes=None
        ),
    ),
    out=tensordot_out_rule,
)
def tensordot(a, b, dims=2):
    """Sum products over ``dims``: the last ``dims`` axes of ``a`` with the first of ``b``, or
    the axis lists ``dims = (dims_a, dims_b)``."""
    if isinstance(dims, Tensor) and dims._data.ndim == 0:
        dims = int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        if isinstance(dims, Tensor):
            dims = dims.tolist()
        da, db = dims
        if isinstance(da, int) or isinstance(db, int):
            raise TypeError(
                "tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not int"
            )
        dims_a, dims_b = _dims_list(da, "dims_self"), _dims_list(db, "dims_other")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = a._data.shape, b._data.shape
    wa = [wrap_dim(d, len(sa)) for d in dims_a]
    wb = [wrap_dim(d, len(sb)) for d in dims_b]
    for w in (wa, wb):
        if len(set(w)) != len(w):
            dup = next(d for d in w if w.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    for i in range(len(wa)):
        if sa[wa[i]] != sb[wb[i]]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa[wa[i]]} in dim "
                f"{dims_a[i]} and second has size {sb[wb[i]]} in dim {dims_b[i]}"
            )
    free_a = [d for d in range(len(sa)) if d not in wa]
    free_b = [d for d in range(len(sb)) if d not in wb]
    k = prod(sa[d] for d in wa)
    pa, pb = free_a + wa, wb + free_b
    x = a if pa == sorted(pa) else a.permute(*pa)
    y = b if pb == sorted(pb) else b.permute(*pb)
    fa, fb = [sa[d] for d in free_a], [sb[d] for d in free_b]
    r = Mm.apply(x.reshape(prod(fa), k), y.reshape(k, prod(fb)))
    return r.reshape(*fa, *fb)


@op(None, methods="inner",
    spec=OpSpec("inner", lambda t, a, b: t.inner(a, b),
                [((3,), (3,)), ((2, 3), (4, 3)), ((2, 1, 3), (3,)), ((), (2, 3))], shapes=None),
    out=tensordot_out_rule)  # fmt: skip
def inner(input, other):
    """Sum of products over the last dimension of both tensors (a scalar product for 0-d)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = input._data.shape, other._data.shape
    if sa[-1] != sb[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(sa)} and {list(sb)}"
        )
    return tensordot(input, other, ([-1], [-1]))


@op(None, methods="kron",
    spec=OpSpec("kron", lambda t, a, b: t.kron(a, b),
                [((2, 3), (4, 2)), ((3,), (2, 2)), ((2, 1, 2), (3,)), ((), (3,))], shapes=None),
    out="castable")  # fmt: skip
def kron(input, other):
    """Kronecker product: every element of ``input`` times the whole of ``other``, tiled."""
    a, b = promote(input, other)
    sa, sb = a._data.shape, b._data.shape
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    ia, ib = [], []
    for x, y in zip(sa, sb):
        ia += [x, 1]
        ib += [1, y]
    out = a.reshape(*ia) * b.reshape(*ib)
    return out.reshape(*(x * y for x, y in zip(sa, sb)))


__all__ = public_names(__name__)
