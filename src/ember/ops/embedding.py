"""Embedding lookups: rows of a weight matrix at integer indices, one node
(``EmbeddingBackward0``), and the checks and in-place renormalisation lookups share."""

from __future__ import annotations

from ..autograd.node import Node, array_backward
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .index_ops import IndexAdd
from .indexing_backward import add_rows
from .losses import F
from .registry import op, public_names


def indices(input, name):
    """The array of integer indices ``input``, or PyTorch's error for another dtype."""
    idx = input._data if isinstance(input, Tensor) else input
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            f"{name})"
        )
    return idx


def check_range(idx, n_rows):
    """PyTorch's error for an index outside ``[0, n_rows)``."""
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(
            f"index out of range in self. Index {bad} is outside the {n_rows} rows of the "
            "embedding weight."
        )


def renorm_rows(weight, idx, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` used by ``idx`` to norm at most ``max_norm``."""
    xp = xp_of(weight._data)
    rows = xp.unique(idx)
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] *= scale[:, None].astype(w.dtype)
    weight._bump_version()


class Embedding(Node):
    """out = w[idx]: dw = rows of grad added at idx (none at padding_idx; with
    scale_grad_by_freq divided by how often each index occurs).

    PyTorch's double backward applies the padding mask but not the frequency scale, so
    the Ember-op backward scales outside the recorded graph.
    """

    def forward(self, w, idx, padding_idx, scale_grad_by_freq):
        self.rows, self.index = w.shape[0], idx
        self.padding_idx, self.by_freq = padding_idx, scale_grad_by_freq
        return self.xp.take(w, idx, axis=0)

    def _factors(self, flat, dtype):
        """(mask, scale) per looked-up row, as columns (None when not needed)."""
        xp = self.xp
        mask = scale = None
        if self.padding_idx is not None:
            mask = (flat != self.padding_idx)[:, None].astype(dtype)
        if self.by_freq:
            counts = xp.bincount(flat, minlength=self.rows)[flat]
            scale = (1.0 / counts)[:, None].astype(dtype)
        return mask, scale

    def backward(self, grad):
        xp = self.xp
        flat = self.index.reshape(-1)
        width = grad.shape[-1]
        dtype = grad._data.dtype
        mask, scale = self._factors(flat, dtype)
        if array_backward(grad):
            g = grad._data.reshape(-1, width)
            if mask is not None or scale is not None:
                g = g * (scale if mask is None else mask if scale is None else mask * scale)
            out = xp.zeros((self.rows, width), dtype)
            add_rows(out, flat, g)
            return Tensor._make(out), None, None, None
        g = grad.reshape(-1, width)
        if mask is not None:
            g = g * Tensor._make(mask)
        if scale is not None:
            g = g + (g * Tensor._make(scale - 1)).detach()
        zeros = Tensor._make(xp.zeros((self.rows, width), dtype))
        return IndexAdd.apply(zeros, g, 0, flat, 1), None, None, None


def _indices_batched(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule for ``Embedding``: batched indices are more indices (the weight shared)."""
    if flags[0]:
        raise batching.CannotBatch("a batched weight is looked up per example")
    return apply(cls, *args, **kw)


def _idx(rng, shapes):
    return (rng.integers(0, shapes[0][0], size=(2, 3)),)


@op(
    Embedding,
    public=False,
    vmap=_indices_batched,
    spec=(
        OpSpec(
            "embedding",
            lambda t, w, i: F(t, "embedding")(i, w),
            [((5, 3),)],
            shapes=None,
            extra=_idx,
        ),
        # No gradient at padding_idx and the scaled gradient are by design not the
        # derivative: no finite differences.
        OpSpec(
            "embedding_padding",
            lambda t, w, i: F(t, "embedding")(i, w, padding_idx=1),
            [((4, 2),)],
            shapes=None,
            extra=_idx,
            fd=False,
        ),
        OpSpec(
            "embedding_padding_freq",
            lambda t, w, i: F(t, "embedding")(i, w, padding_idx=-2, scale_grad_by_freq=True),
            [((4, 2),)],
            shapes=None,
            extra=_idx,
            fd=False,
        ),
    ),
)
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):  # fmt: skip
    """Rows of ``weight`` at the indices ``input``.

    No gradient reaches ``padding_idx``; with ``scale_grad_by_freq`` each row's gradient is
    divided by how often its index occurs in ``input``; with ``max_norm`` the rows looked
    up are first renormalised in place.
    """
    if padding_idx is not None:
        n = weight.shape[0]
        assert -n <= padding_idx < n, "Padding_idx must be within num_embeddings"
        if padding_idx < 0:
            padding_idx += n
    idx = indices(input, "embedding")
    check_range(idx, weight.shape[0])
    if max_norm is not None:
        renorm_rows(weight, idx, max_norm, norm_type)
    if not isinstance(input, Tensor):
        input = Tensor._make(idx)
    return Embedding.apply(weight, input, padding_idx, bool(scale_grad_by_freq))


__all__ = public_names(__name__)
