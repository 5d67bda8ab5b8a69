"""How Python and NumPy data become arrays for ``tensor()``, ``as_tensor()`` and
``from_numpy()``, value by value as PyTorch converts them.

PyTorch reads nested sequences element by element: it infers the dtype from the Python
types (bool < int < float < complex, NumPy scalars by their dtype), refuses what is not a
number with a message that depends on the requested dtype, checks each Python number
against an integer dtype's range, and rounds into 16-bit floats through float32.  NumPy
arrays are cast as they are (no range checks), but PyTorch refuses some outright.
"""

from __future__ import annotations

import builtins

from . import dtypes as _dt
from .backend import np
from .tensor_base import TensorBase as Tensor


def _is_seq(x):
    return isinstance(x, (list, tuple, range, np.ndarray)) or (
        isinstance(x, Tensor) and x._data.ndim > 0
    )


def check_nested(data):
    """PyTorch's errors for ragged or mixed nested sequences (level by level, no recursion)."""
    # PyTorch reads the shape from the first element at each depth; a string there is
    # taken for one more dimension.
    x = data
    while isinstance(x, (list, tuple)) and len(x):
        x = x[0]
    if isinstance(x, (str, bytes)):
        raise ValueError(f"too many dimensions '{type(x).__name__}'")
    level = [data]
    dim = 0
    while level:
        seqs = [_is_seq(x) for x in level]
        if not any(seqs):
            return
        n = len(level[0]) if seqs[0] else None
        nxt = []
        for x, is_seq in zip(level, seqs):
            if not is_seq:
                raise TypeError("not a sequence")
            if isinstance(x, Tensor):
                raise ValueError("only one element tensors can be converted to Python scalars")
            if isinstance(x, np.ndarray):
                continue  # a NumPy array is regular by construction
            if n is not None and len(x) != n:
                raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(x)})")
            nxt.extend(x)
        level = nxt
        dim += 1


def infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool, int64, or the default float."""
    result = None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple, range)):
            stack.extend(x)
            continue
        if isinstance(x, Tensor):
            d = x.dtype
        elif isinstance(x, (np.ndarray, np.generic)):
            d = _dt.from_user_array_dtype(x.dtype)
        elif isinstance(x, builtins.bool):
            d = _dt.bool
        elif isinstance(x, int):
            d = _dt.int64
        elif isinstance(x, float):
            d = _dt.get_default_dtype()
        elif isinstance(x, complex):
            d = _dt.default_complex_dtype()
        elif isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        result = d if result is None else _dt.promote_types(result, d)
    return result or _dt.get_default_dtype()


def _flatten_tensors(data):
    """Nested lists holding tensors, with each tensor replaced by its values (no recursion)."""
    root = list(data)
    stack = [root]
    while stack:
        seq = stack.pop()
        for i, x in enumerate(seq):
            if isinstance(x, Tensor):
                seq[i] = x.tolist()
            elif isinstance(x, (list, tuple)):
                seq[i] = list(x)
                stack.append(seq[i])
    return root


def to_array(data, d, explicit=True):
    """Python numbers, nested sequences or NumPy scalars as an array of dtype ``d``, each
    value converted as PyTorch converts it (checked into integer types; rounded through
    float32 into 16-bit floats).  ``explicit``: ``d`` was asked for, not inferred."""
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = _flatten_tensors(data)
    nat = np.array(data)  # bool, int64, uint64, float64, complex128, or objects and strings
    k = nat.dtype.kind
    if k in "USO":
        if explicit:
            _check_numbers(data, d)
        elif k != "O":
            raise TypeError(f"new(): invalid data type '{'str' if k == 'U' else 'bytes'}'")
        else:
            infer_dtype(data)  # PyTorch's error for None and other objects
        return _objects_to_array(data, d)
    if k == "V":
        _dt.from_user_array_dtype(nat.dtype)  # a bfloat16 scalar from ml_dtypes: refused
    if d.category < 2 and k == "c":
        raise TypeError("'complex' object cannot be interpreted as an integer")
    if d.category == 1:
        if nat.dtype == np.uint64 and nat.size and nat.max() > np.iinfo(np.int64).max:
            raise ValueError("Overflow when unpacking long long")  # Python ints from 2**63
        _dt.check_fits(nat, d)
    elif d.category == 2 and k == "c":
        raise TypeError("must be real number, not complex")
    return nat if nat.dtype == d.np else _dt.cast(nat, d.np)


def _check_numbers(data, d):
    """PyTorch's error for the first value of ``data`` that is not a number, when converting
    into the requested dtype ``d``."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
        elif not isinstance(x, (int, float, complex, np.generic, Tensor)):
            name = type(x).__name__
            if d.category < 2:
                raise TypeError(f"'{name}' object cannot be interpreted as an integer")
            raise TypeError(f"must be real number, not {name}")


def _objects_to_array(data, d):
    # Numbers NumPy keeps as objects: ints beyond 64 bits.
    if d is _dt.bool:
        return np.array(data, dtype=object) != 0
    if d.category < 2:
        raise ValueError("Overflow when unpacking long long")
    wide = np.array(data, dtype=np.complex128 if d.category == 3 else np.float64)
    return _dt.cast(wide, d.np)


def check_user_array(a):
    """Refuse the NumPy arrays PyTorch refuses to wrap: other byte orders, negative strides,
    dtypes it has no tensor type for."""
    if not a.dtype.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    if any(s < 0 for s in a.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around "
            "this by making a copy of your array  with array.copy().) "
        )
    return _dt.from_user_array_dtype(a.dtype)
