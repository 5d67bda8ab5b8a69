"""Scatter-adds for the backward of indexing: fast, and exact for repeated indices.

``out[index] += values`` is wrong in NumPy when ``index`` repeats a position (the last
write wins), and ``np.add.at`` is slow on rows.  Here positions are checked for repeats
with one sort.  Unique positions take one fancy assignment; repeated ones are split into
a few layers without repeats (the k-th copy of each position in layer k), or, when some
position repeats often, summed with ``bincount``.  An index covering every dimension is
one ``bincount`` over flat positions.  ``np.add.at`` remains only for integer values and
rare index forms.  Positions may be negative, and the index may mix slices, ``None``,
``Ellipsis``, integers, broadcasting integer arrays and boolean masks.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import xp_of
from ._spec import OpSpec
from .registry import LOOP, declare


def _is_array(i):
    return hasattr(i, "shape") and hasattr(i, "dtype")


def has_advanced(index):
    """True when a NumPy index holds arrays, lists or bools (it copies; repeats accumulate)."""
    items = index if isinstance(index, tuple) else (index,)
    return any(_is_array(i) or isinstance(i, (list, bool)) for i in items)


_has_advanced = has_advanced  # the name ops/inplace.py imports


def _sorted_runs(xp, key):
    """``order`` sorting ``key``, the run id of each sorted key, each run's start, unique keys."""
    order = xp.argsort(key, kind="stable")
    sk = key[order]
    new = xp.empty(sk.shape, dtype=bool)
    new[:1] = True
    xp.not_equal(sk[1:], sk[:-1], out=new[1:])
    starts = xp.flatnonzero(new)
    return order, new, starts, sk[starts]


def _bincount(xp, lin, w, n):
    """Sums of the weights ``w`` per bin ``lin`` (``n`` bins), in ``w``'s dtype."""
    if w.dtype.kind == "c":
        return xp.bincount(lin, w.real, n) + 1j * xp.bincount(lin, w.imag, n)
    return xp.bincount(lin, w, n).astype(w.dtype, copy=False)


def _run_ids(xp, order, new):
    """For each original position, the index of its unique key."""
    uid = xp.empty(order.shape, dtype=xp.intp)
    uid[order] = xp.cumsum(new) - 1
    return uid


def _layers(xp, order, new, starts, limit=8):
    """Positions grouped so that no group repeats a key: the k-th copy of each key in group k.

    None when some key repeats more than ``limit`` times (then a bincount is cheaper).
    """
    runid = xp.cumsum(new) - 1
    rank = xp.arange(order.size) - starts[runid]
    depth = int(rank.max()) + 1
    if depth > limit:
        return None
    return [order[rank == r] for r in range(depth)]


def add_flat(out, lin, w):
    """``out.reshape(-1)[lin] += w`` on a C-contiguous ``out``, summing repeated positions."""
    xp = xp_of(out)
    flat = out.reshape(-1)
    if lin.size == 0:
        return out
    if w.dtype.kind not in "fc":
        xp.add.at(flat, lin, w)
    elif lin.size * 4 >= flat.size:
        flat += _bincount(xp, lin, w, flat.size)
    else:  # few positions in a large output: sum over the distinct positions only
        order, new, starts, uniq = _sorted_runs(xp, lin)
        if starts.size == lin.size:
            flat[lin] += w
        else:
            flat[uniq] += _bincount(xp, _run_ids(xp, order, new), w, uniq.size)
    return out


def add_rows(out, idx, src):
    """``out[idx[k]] += src[k]`` along axis 0, summing repeated rows (``idx`` 1-D, wrapped)."""
    xp = xp_of(out)
    if idx.size == 0:
        return out
    order, new, starts, uniq = _sorted_runs(xp, idx)
    if starts.size == idx.size:
        out[idx] += src
    elif src.dtype.kind not in "fc":
        xp.add.at(out, idx, src)
    elif (layers := _layers(xp, order, new, starts)) is not None:
        for pos in layers:
            out[idx[pos]] += src[pos]
    else:
        q = src[0].size
        lin = _run_ids(xp, order, new)[:, None] * q + xp.arange(q)
        red = _bincount(xp, lin.reshape(-1), src.reshape(-1), uniq.size * q)
        out[uniq] += red.reshape((uniq.size,) + src.shape[1:])
    return out


def put_add(out, index, values):
    """``out[index] += values`` with NumPy's indexing rules, repeated positions accumulating."""
    xp = xp_of(out)
    items = list(index) if isinstance(index, tuple) else [index]
    if not any(_is_array(i) for i in items):
        out[index] += values
        return out
    # Expand Ellipsis; boolean masks become their integer coordinates.
    flat = []
    for it in items:
        if isinstance(it, (bool, xp.bool_)):
            xp.add.at(out, index, values)  # a Python bool index: rare, keep it simple
            return out
        if isinstance(it, xp.integer):
            it = int(it)
        if _is_array(it) and it.dtype == bool:
            if it.ndim == 0:
                xp.add.at(out, index, values)  # a 0-d mask: rare, keep it simple
                return out
            flat.extend(xp.nonzero(it))
        else:
            flat.append(it)
    n_ell = sum(1 for i in flat if i is Ellipsis)
    if n_ell:
        used = sum(1 for i in flat if i is not None and i is not Ellipsis)
        k = next(p for p, i in enumerate(flat) if i is Ellipsis)  # not .index: arrays
        flat[k : k + 1] = [slice(None)] * (out.ndim - used)
    adv_pos = []
    sizes = []
    dim = 0
    for p, it in enumerate(flat):
        if it is None:
            continue
        if _is_array(it) or isinstance(it, int):
            adv_pos.append(p)
            sizes.append(out.shape[dim])
        dim += 1
    if all(_is_array(flat[p]) and flat[p].dtype == bool for p in adv_pos):
        out[index] += values
        return out
    arrays = xp.broadcast_arrays(*[xp.asarray(flat[p]) for p in adv_pos])
    bshape = arrays[0].shape
    m = arrays[0].size
    if m == 0:
        return out
    key = xp.ravel_multi_index(tuple(a.reshape(-1) for a in arrays), tuple(sizes), mode="wrap")
    if len(adv_pos) == len(flat) == out.ndim and out.flags.c_contiguous:
        # Every dimension is indexed by an array: one bincount over flat positions.
        add_flat(out, key, xp.broadcast_to(values, bshape).reshape(-1))
        return out
    if values.dtype.kind not in "fc":
        xp.add.at(out, index, values)
        return out
    order, new, starts, uniq = _sorted_runs(xp, key)
    adjacent = adv_pos[-1] - adv_pos[0] == len(adv_pos) - 1
    p0 = sum(1 for it in flat[: adv_pos[0]] if not isinstance(it, int)) if adjacent else 0
    basic = []
    dim = 0
    for it in flat:
        if it is None:
            basic.append(1)
            continue
        if isinstance(it, slice):
            basic.append(len(range(*it.indices(out.shape[dim]))))
        dim += 1
    basic.extend(out.shape[dim:])
    pre, post = tuple(basic[:p0]), tuple(basic[p0:])
    if values.shape != pre + bshape + post:
        values = xp.broadcast_to(values, pre + bshape + post)
    v = values.reshape(_prod(pre), m, _prod(post))
    layers = None if starts.size == m else _layers(xp, order, new, starts)
    if layers is not None:
        coords = tuple(a.reshape(-1) for a in arrays)
        for pos in layers:
            for p, c in zip(adv_pos, coords):
                flat[p] = c[pos]
            out[tuple(flat)] += v[:, pos, :].reshape(pre + (pos.size,) + post)
        return out
    if starts.size == m:
        red, coords = v, tuple(a.reshape(-1) for a in arrays)
    else:
        u, pn, qn = uniq.size, v.shape[0], v.shape[2]
        lin = _run_ids(xp, order, new)[None, :, None] * qn + xp.arange(qn)
        if pn > 1:
            lin = lin + (xp.arange(pn) * (u * qn))[:, None, None]
        red = _bincount(xp, lin.reshape(-1), v.reshape(-1), pn * u * qn).reshape(pn, u, qn)
        coords = xp.unravel_index(uniq, tuple(sizes))
    for p, c in zip(adv_pos, coords):
        flat[p] = c
    out[tuple(flat)] += red.reshape(pre + (red.shape[1],) + post)
    return out


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def scatter_add_dim(out, dim, index, src):
    """``out[..., index[i], ...] += src[i]`` along ``dim`` (PyTorch's scatter_add), in place.

    ``index`` may be smaller than ``src`` and ``out`` in every dimension; only the part of
    ``src`` that ``index`` covers is added.
    """
    xp = xp_of(out)
    if index.size == 0:
        return out
    src = src[tuple(slice(0, s) for s in index.shape)]
    if not out.flags.c_contiguous:
        xp.add.at(out, _dim_index(xp, dim, index), src)
        return out
    return add_flat(out, _linear(xp, out.shape, dim, index), src.reshape(-1))


def _dim_index(xp, dim, index):
    """An advanced index addressing ``out[..., index, ...]`` elementwise along ``dim``."""
    grids = list(xp.ogrid[tuple(slice(0, s) for s in index.shape)]) if index.ndim else []
    if index.ndim:
        grids[dim] = index
        return tuple(grids)
    return ()


def _linear(xp, shape, dim, index):
    """Flat (C-order) positions in an array of ``shape`` of the elements ``index`` addresses."""
    nd = len(shape)
    if nd == 0:
        return xp.zeros(1, dtype=xp.intp)
    strides = [1] * nd
    for d in range(nd - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    idx = index.astype(xp.intp, copy=False)
    lin = xp.where(idx < 0, idx + shape[dim], idx) * strides[dim]
    for d in range(nd):
        if d != dim and index.shape[d] > 1:
            r = xp.arange(index.shape[d], dtype=xp.intp) * strides[d]
            lin = lin + r.reshape((-1,) + (1,) * (nd - d - 1))
    return xp.broadcast_to(lin, index.shape).reshape(-1)


class IndexPutAdd(Node):
    """out = zeros(shape) with grad added at index; d/dgrad = out_grad[index]"""

    def forward(self, grad, shape, index):
        out = self.xp.zeros(shape, dtype=grad.dtype)
        self.index = index
        if has_advanced(index):
            put_add(out, index, grad)
        else:
            out[index] = grad
        return out

    def backward(self, g):
        from .indexing import index_node

        index = self.index
        return index_node(index, g.shape).apply(g, index, not has_advanced(index)), None, None


class SelectBackward(IndexPutAdd):
    """out = zeros(shape) with grad put at an integer index; d/dgrad = out_grad selected"""


class SliceBackward(IndexPutAdd):
    """out = zeros(shape) with grad put in a slice; d/dgrad = out_grad sliced"""


def index_put_add(shape, index, grad, node=None):
    """A tensor of zeros shaped ``shape`` with ``grad`` added at ``index`` (NumPy semantics)."""
    return (node or IndexPutAdd).apply(grad, shape, index)


def backward_of(op_fn):
    """An op's gradient as a function of the upstream gradient ``w``: ``(t, a, w) ->
    d op_fn(a) / da applied to w``, recorded (how the specs of backward nodes reach them)."""
    return lambda t, a, w: t.autograd.grad(op_fn(a), a, w, create_graph=True)[0]


declare(
    IndexPutAdd,
    grad_fn="IndexPutImplBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "getitem_backward", backward_of(lambda a: a[[0, 0, 2]]), [((3, 4), (3, 4))], shapes=None
    ),
)
declare(
    SelectBackward,
    grad_fn="SelectBackwardBackward0",
    vmap=LOOP,
    spec=OpSpec("select_backward", backward_of(lambda a: a[1]), [((3, 4), (4,))], shapes=None),
)
declare(
    SliceBackward,
    grad_fn="SliceBackwardBackward0",
    vmap=LOOP,
    spec=OpSpec("slice_backward", backward_of(lambda a: a[1:]), [((3, 4), (2, 4))], shapes=None),
)

__all__ = ["IndexPutAdd", "index_put_add", "put_add", "add_rows", "add_flat", "scatter_add_dim"]
