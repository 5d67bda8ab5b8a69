"""Checks on a stored tensor's sizes, strides and offset before any view is made over them.

A ``.pt`` file describes each tensor as a view of a storage record: (offset, sizes,
strides).  These checks are PyTorch's own, with its words: after them every element the
view can reach lies inside the record, so the strided view built over them is safe.
"""

from __future__ import annotations

from ..backend import np

_INT64_MAX = (1 << 63) - 1


def _ints(values, what):
    if type(values) not in (tuple, list):
        raise TypeError(
            f"set_(): argument '{what}' must be tuple of ints, not {type(values).__name__}"
        )
    for pos, v in enumerate(values):
        if type(v) is not int:
            raise TypeError(
                f"set_(): argument '{what}' must be tuple of ints, but found element of type "
                f"{type(v).__name__} at pos {pos}"
            )
        if not -_INT64_MAX - 1 <= v <= _INT64_MAX:
            raise TypeError(
                f"set_(): argument '{what}' failed to unpack the object at pos {pos} with error "
                '"Overflow when unpacking long long"'
            )
    return tuple(values)


def check_view(storage_numel, itemsize, offset, size, stride, where=""):
    """Validate a view of ``storage_numel`` elements; return the elements it reaches.

    Raises what PyTorch raises for the same numbers (TypeError for non-integers, RuntimeError
    otherwise), followed by ``where`` (which tensor of which file).
    """
    if type(offset) is not int:
        raise TypeError(
            f"set_(): argument 'storage_offset' must be int, not {type(offset).__name__}"
        )
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise RuntimeError(
            f"unequal size length ({len(size)}) and stride length ({len(stride)}){where}"
        )
    numel = 1
    for s in size:
        numel *= s
        if s < 0 or numel > _INT64_MAX:
            raise RuntimeError(
                f"numel: integer multiplication overflow (sizes {list(size)} are negative or "
                f"their product exceeds 2**63 - 1){where}"
            )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}{where}")
    if numel == 0:
        return 0
    reach = offset + 1
    for s, st in zip(size, stride):
        if s > 1:
            if st < 0:
                reach = -1
                break
            reach += (s - 1) * st
    if reach < 0 or reach * itemsize > _INT64_MAX:
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}{where}"
        )
    if reach > storage_numel:
        raise RuntimeError(
            "Trying to resize storage that is not resizable: the view needs "
            f"{reach * itemsize} bytes (offset {offset}, sizes {list(size)}, strides "
            f"{list(stride)}) but its storage holds {storage_numel * itemsize} bytes{where}"
        )
    return reach


def check_numpy_limit(size, itemsize, where=""):
    """Refuse views NumPy cannot make: their non-zero sizes times the element size reach 2**63."""
    extent = itemsize
    for s in size:
        extent *= max(s, 1)
    if extent > _INT64_MAX:
        raise RuntimeError(
            f"Ember cannot hold a tensor of sizes {list(size)}: NumPy limits the product of an "
            f"array's non-zero sizes times its element size to 2**63 bytes, even for a view "
            f"that repeats elements{where}"
        )


def strided_view(storage, offset, size, stride, reach, where=""):
    """The view over a 1-d ``storage`` array, for numbers ``check_view`` accepted."""
    size = tuple(size)
    check_numpy_limit(size, storage.itemsize, where)
    try:
        if reach == 0:
            return np.zeros(size, dtype=storage.dtype)
        base = storage[offset : offset + reach]
        item = storage.itemsize
        # a dimension of size 1 never steps: its stride (even a negative one) is irrelevant
        strides = tuple(st * item if s > 1 else 0 for s, st in zip(size, stride))
        return np.lib.stride_tricks.as_strided(base, shape=size, strides=strides)
    except ValueError:
        raise RuntimeError(
            f"Ember cannot hold a tensor of sizes {list(size)}: NumPy limits the product of an "
            f"array's non-zero sizes times its element size to 2**63 bytes, even for a view "
            f"that repeats elements{where}"
        ) from None
