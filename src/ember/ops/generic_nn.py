"""The generic forms under the nn functions: ``convolution`` (every convolution, transposed
or not, by its arguments) and the top-level ``embedding_bag`` with its four results."""

from __future__ import annotations

from ..backend import np
from ..tensor_base import TensorBase
from ._spec import OpSpec
from .conv import _conv_transposend, _convnd
from .registry import op, public_names


@op(
    None,
    spec=OpSpec(
        "convolution_transposed",
        lambda lib, x, w: lib.convolution(x, w, None, [2], [1], [1], True, [1], 1),
        [((2, 2, 5), (2, 3, 3))],
        shapes=None,
    ),
)
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """Convolution of ``input`` with ``weight`` (transposed when ``transposed``); the spatial
    rank comes from ``weight``."""
    nd = weight.dim() - 2
    if input.dim() != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
            f"{list(weight.shape)}, but got {input.dim()}-dimensional input of size "
            f"{list(input.shape)} instead"
        )
    if transposed:
        return _conv_transposend(
            nd, input, weight, bias, stride, padding, output_padding, groups, dilation
        )
    return _convnd(nd, input, weight, bias, stride, padding, dilation, groups, f"conv{nd}d")


_MODES = ("sum", "mean", "max")


@op(None)
def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):  # fmt: skip
    """Sums, means or maxima of bags of embedding rows: ``(output, offset2bag, bag_size,
    max_indices)`` (mode 0 sum, 1 mean, 2 max), as ATen's ``embedding_bag`` returns them."""
    if not isinstance(offsets, TensorBase):
        raise TypeError(
            "embedding_bag(): argument 'offsets' (position 3) must be Tensor, not "
            f"{type(offsets).__name__}"
        )
    from ..nn.functional import embedding_bag as _bag

    out = _bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=_MODES[mode],
               sparse=sparse, per_sample_weights=per_sample_weights,
               include_last_offset=include_last_offset, padding_idx=padding_idx)  # fmt: skip
    idx = indices._data.reshape(-1).astype(np.int64)
    offs = offsets._data.astype(np.int64)
    n_bags = len(offs) - 1 if include_last_offset else len(offs)
    starts = offs[:n_bags]
    # Each bag runs to the next bag's start, the last one to the end of ``indices``.
    ends = np.append(starts[1:], len(idx))
    # A sum over a float32/16 table without padding_idx takes PyTorch's fast kernel, which
    # leaves offset2bag empty.
    if mode == 0 and padding_idx is None and weight._data.dtype != np.float64:
        zeros = np.zeros(n_bags, dtype=np.int64)
        aux = (np.zeros(0, dtype=np.int64), zeros, zeros.copy())
    else:
        bag_of = np.zeros(len(idx), dtype=np.int64)
        if n_bags:
            bag_of = np.searchsorted(starts, np.arange(len(idx)), side="right") - 1
            bag_of = np.maximum(bag_of, 0)
        keep = np.ones(len(idx), dtype=bool) if padding_idx is None else idx != padding_idx
        sizes = np.array([int(keep[s:e].sum()) for s, e in zip(starts, ends)], dtype=np.int64)
        if mode == 0:
            zeros = np.zeros(n_bags, dtype=np.int64)
            aux = (bag_of, zeros, zeros.copy())
        elif mode == 1:
            aux = (bag_of, sizes, sizes.copy())
        else:
            w = weight._data
            best = np.zeros((n_bags, w.shape[1]), dtype=np.int64)
            for b, (s, e) in enumerate(zip(starts, ends)):
                rows = idx[s:e][keep[s:e]]
                if len(rows):
                    best[b] = rows[np.argmax(w[rows], axis=0)]
            aux = (bag_of, sizes, best)
    return (out,) + tuple(TensorBase._make(a) for a in aux)


__all__ = public_names(__name__)
