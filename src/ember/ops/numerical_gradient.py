"""``torch.gradient``: derivatives estimated by finite differences, second-order accurate
inside, first- or second-order at the edges; the sample spacing is a scalar per dimension
or the coordinates of the samples.  It is composed of slices, arithmetic and ``cat`` (as
PyTorch composes it), so it is differentiable with respect to the input and the
coordinates."""

from __future__ import annotations

from .. import dtypes as _dt
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from ._spec import OpSpec
from .join import cat
from .registry import op, public_names

_SIGNATURES = (
    "gradient() received an invalid combination of arguments - got ({got}), but expected one "
    "of:\n"
    " * (Tensor input, *, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, Number spacing, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, Number spacing = None, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Scalars spacing, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Scalars spacing, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Tensors spacing, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Tensors spacing, tuple of ints dim, int edge_order = 1)\n"
)


def _dims(dim, ndim):
    if dim is None:
        return list(range(ndim)), False
    if isinstance(dim, int):
        return [wrap_dim(dim, ndim)], True
    out = [wrap_dim(int(d), ndim) for d in dim]
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out, True


def _spacings(spacing, dims, ndim, dim_given):
    """One spacing per differentiated dimension: a number or a 1-D coordinate tensor."""
    if spacing is None:
        return [1] * len(dims)
    if isinstance(spacing, Tensor) and spacing._data.ndim == 0:
        return [spacing.item()] * len(dims)
    if isinstance(spacing, (int, float)) and not isinstance(spacing, bool):
        return [spacing] * len(dims)
    items = list(spacing)
    if dim_given and len(items) != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{len(items)} and a dim argument of length {len(dims)}."
        )
    if not dim_given and len(items) != ndim:
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {ndim}', since dim argument was not given, but got a list "
            f"of length {len(items)}"
        )
    tensors = [isinstance(s, Tensor) for s in items]
    if any(tensors) and not all(tensors):
        first = tensors.index(False)
        raise TypeError(
            f"expected Tensor as element {first} in argument 1, but got "
            f"{type(items[first]).__name__}"
        )
    for s in items:
        if isinstance(s, Tensor) and s._data.ndim != 1:
            raise RuntimeError(
                "torch.gradient expected each element of spacing to have one dimension, but got "
                f"an element with {s._data.ndim} dimensions!"
            )
    return items


def _along(t, dim, start, stop):
    """``t``'s slice ``start:stop`` of dimension ``dim``."""
    return t[(slice(None),) * dim + (slice(start, stop),)]


def _column(v, dim, ndim):
    """A 1-D tensor shaped to broadcast along dimension ``dim`` of an ``ndim``-D tensor."""
    shape = [1] * ndim
    shape[dim] = v._data.shape[0]
    return v.reshape(shape)


def _uniform(f, dim, h, edge_order):
    f0, f1, f2 = (
        (_along(f, dim, i, i + 1) for i in range(3))
        if edge_order == 2
        else (
            _along(f, dim, 0, 1),
            _along(f, dim, 1, 2),
            None,
        )
    )
    interior = (_along(f, dim, 2, None) - _along(f, dim, None, -2)) / (2 * h)
    last, prev = _along(f, dim, -1, None), _along(f, dim, -2, -1)
    if edge_order == 1:
        return (f1 - f0) / h, interior, (last - prev) / h
    third = _along(f, dim, -3, -2)
    left = (-1.5 * f0 + 2 * f1 - 0.5 * f2) / h
    right = (0.5 * third - 2 * prev + 1.5 * last) / h
    return left, interior, right


def _coordinates(f, dim, x, edge_order):
    nd = f._data.ndim
    dx = x[1:] - x[:-1]
    hl, hr = dx[:-1], dx[1:]
    a = _column(-hr / (hl * (hl + hr)), dim, nd)
    b = _column((hr - hl) / (hl * hr), dim, nd)
    c = _column(hl / (hr * (hl + hr)), dim, nd)
    interior = (
        a * _along(f, dim, None, -2) + b * _along(f, dim, 1, -1) + c * _along(f, dim, 2, None)
    )
    f0, f1 = _along(f, dim, 0, 1), _along(f, dim, 1, 2)
    last, prev = _along(f, dim, -1, None), _along(f, dim, -2, -1)
    if edge_order == 1:
        return (f1 - f0) / dx[0], interior, (last - prev) / dx[-1]
    d1, d2 = dx[0], dx[1]
    left = (
        -(2 * d1 + d2) / (d1 * (d1 + d2)) * f0
        + (d1 + d2) / (d1 * d2) * f1
        - d1 / (d2 * (d1 + d2)) * _along(f, dim, 2, 3)
    )
    d1, d2 = dx[-2], dx[-1]
    right = (
        d2 / (d1 * (d1 + d2)) * _along(f, dim, -3, -2)
        - (d2 + d1) / (d1 * d2) * prev
        + (2 * d2 + d1) / (d2 * (d1 + d2)) * last
    )
    return left, interior, right


@op(
    None,
    spec=(
        OpSpec(
            "gradient",
            lambda t, a: t.cat(t.gradient(a), 0),
            [((4, 3),), ((3, 3, 2),)],
            shapes=None,
        ),
        OpSpec(
            "gradient_edge2",
            lambda t, a: t.gradient(a, spacing=[0.5, 2.0], dim=(1, 0), edge_order=2)[0],
            [((4, 3),)],
            shapes=None,
        ),
        OpSpec(
            "gradient_coordinates",
            lambda t, a, x: t.cat(
                t.gradient(a, spacing=[x.exp().cumsum(0)], dim=0, edge_order=2)
                + t.gradient(a, spacing=[x.exp().cumsum(0)], dim=-2),
                0,
            ),
            [((4, 3), (4,))],
            shapes=None,
        ),
    ),
)
def gradient(input, *args, spacing=1, dim=None, edge_order=1):
    """Finite-difference estimates of ``input``'s derivative along each of ``dim`` (a tuple,
    one tensor per dimension), with samples ``spacing`` apart (numbers) or at ``spacing``'s
    coordinates (1-D tensors)."""
    if args or not isinstance(input, Tensor):
        got = ", ".join(type(a).__name__ for a in (input, *args))
        raise TypeError(_SIGNATURES.format(got=got.replace("TensorBase", "Tensor")))
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input._data.ndim
    dims, dim_given = _dims(dim, nd)
    spacings = _spacings(spacing, dims, nd, dim_given)
    for d in dims:
        if input._data.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    f = input if input._data.dtype.kind in "fc" else input.to(_dt.get_default_dtype())
    out = []
    for d, h in zip(dims, spacings):
        if isinstance(h, Tensor):
            x = h if h._data.dtype.kind in "fc" else h.to(f.dtype)
            parts = _coordinates(f, d, x, edge_order)
        else:
            parts = _uniform(f, d, h, edge_order)
        out.append(cat(list(parts), d))
    return tuple(out)


__all__ = public_names(__name__)
