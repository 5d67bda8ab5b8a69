"""Variable-length sequences: padding, packing and PackedSequence (``torch.nn.utils.rnn``).

A packed batch stores the sequences sorted by decreasing length, time step after time
step: ``data`` holds step 0 of every sequence, then step 1 of those still running, and so
on; ``batch_sizes[t]`` says how many run at step t. Packing and unpacking are one gather
each, so gradients flow through both.
"""

from __future__ import annotations

from collections import namedtuple

from ... import dtypes
from ...backend import np
from ...tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


def _long(values):
    return Tensor._make(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (``None`` stays ``None``)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._make(inv)


class PackedSequence(
    namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
):
    """A batch of variable-length sequences packed time step by time step (see module doc)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            # The (data, batch_sizes) pair form, as PyTorch's constructor also accepts.
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same packing with ``data`` converted by ``Tensor.to`` (indices stay int64)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def _cast(self, dtype):
        return self.to(dtype=dtype)

    def double(self):
        """``data`` as float64."""
        return self._cast(dtypes.float64)

    def float(self):
        """``data`` as float32."""
        return self._cast(dtypes.float32)

    def half(self):
        """``data`` as float16."""
        return self._cast(dtypes.float16)

    def long(self):
        """``data`` as int64."""
        return self._cast(dtypes.int64)

    def int(self):
        """``data`` as int32."""
        return self._cast(dtypes.int32)

    def cpu(self, *args, **kwargs):
        """On the CPU (the same object for CPU data)."""
        return self.to("cpu")

    @property
    def is_cuda(self):
        """Whether ``data`` lives on a GPU."""
        return self.data.is_cuda

    def is_pinned(self):
        """False: Ember's host memory is not pinned."""
        return False


def _batch_sizes(lengths, steps):
    """How many of the (sorted, decreasing) ``lengths`` run at each of ``steps`` steps."""
    return (lengths[None, :] > np.arange(steps)[:, None]).sum(1)


def _packed_positions(batch_sizes):
    """(time, batch) position of every packed row, time-major."""
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b = np.concatenate([np.arange(n) for n in batch_sizes]) if batch_sizes.size else t
    return t, b


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (``batch_first``: (B, T, *)) with the given lengths."""
    lengths = (
        np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
        .astype(np.int64)
        .reshape(-1)
    )
    batch_dim = 0 if batch_first else 1
    if enforce_sorted:
        if np.any(lengths[1:] > lengths[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_indices = None
        order = np.arange(lengths.size)
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _long(order)
    if lengths.size != input.shape[batch_dim]:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
            f"(batch_size={input.shape[batch_dim]})"
        )
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    steps = input.shape[1 - batch_dim]
    if lengths.size and lengths.max() > steps:
        raise RuntimeError(
            f"Expected every length to be at most the padded length {steps}, but got "
            f"{int(lengths.max())}"
        )
    sorted_lengths = lengths[order]
    batch_sizes = _batch_sizes(sorted_lengths, int(sorted_lengths.max()) if lengths.size else 0)
    t, b = _packed_positions(batch_sizes)
    flat = input if batch_first else input.transpose(0, 1)  # (B, T, *)
    rows = order[b] * steps + t
    data = flat.reshape((-1,) + tuple(flat.shape[2:])).index_select(0, _long(rows))
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: returns ``(padded, lengths)`` in the original order."""
    from ...creation import full

    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes._data)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {steps}"
            )
        steps = total_length
    n = int(batch_sizes[0]) if batch_sizes.size else 0
    lengths = (batch_sizes[None, :] > np.arange(n)[:, None]).sum(1)
    t, b = _packed_positions(batch_sizes)
    tail = tuple(data.shape[1:])
    out = full((steps * n,) + tail, padding_value, dtype=data.dtype)
    out = out.index_copy(0, _long(t * n + b), data).reshape((steps, n) + tail)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        out = out.index_select(1, unsorted)
        lengths = lengths[np.asarray(unsorted._data)]
    if batch_first:
        out = out.transpose(0, 1)
    return out, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (``batch_first``: (B, max L, *))."""
    import ember

    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        if extra:
            filler = ember.full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            parts = [s, filler] if padding_side == "right" else [filler, s]
            s = ember.cat(parts, 0)
        padded.append(s)
    return ember.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of its unpadded sequences."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lengths = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    return [x[i, : int(n)] for i, n in enumerate(lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a PackedSequence, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
