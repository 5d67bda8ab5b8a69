"""``assert_close`` (and the deprecated ``assert_allclose``): PyTorch's closeness assertion.

Same pairing rules (``None``, bools, Python numbers, tensor-likes; sequences and mappings
element by element), the same default tolerances per dtype and the same failure messages.
"""

from __future__ import annotations

import cmath
import collections.abc
import warnings

from ..backend import np

# Default (rtol, atol) per dtype name; other dtypes compare exactly.
_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (1e-3, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPE = {int: "int64", float: "float64", complex: "complex128"}


class _Failure(Exception):
    """A comparison failure: the exception type to raise, its message and the item's path."""

    def __init__(self, kind, message, path=()):
        super().__init__(message)
        self.kind, self.message, self.path = kind, message, path

    def error(self, msg=None) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.message
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([p]) for p in self.path)
        return self.kind(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """Raised by a pair type that cannot handle the two inputs."""


def _tolerances(dtype_names, rtol, atol, path):
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Failure(
            ValueError,
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.",
            path,
        )
    if rtol is not None:
        return rtol, atol
    pairs = [_TOLERANCES.get(n, (0.0, 0.0)) for n in dtype_names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if equality else 'close'}!", "", extra]
    for kind, diff, idx, tol in (
        ("absolute", abs_diff, abs_idx, atol),
        ("relative", rel_diff, rel_idx, rtol),
    ):
        line = (
            f"{kind.title()} difference: {diff}"
            if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}"
        )
        lines.append(line if equality else f"{line} (up to {tol} allowed)")
    return "\n".join(lines)


def _scalar_message(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    extra = f"Expected {expected} but got {actual}."
    return _mismatch_message("Scalars", extra, abs_diff, None, atol, rel_diff, None, rtol)


# ----- the pair types, tried in this order ----------------------------------------------
def _compare_none(actual, expected, path, opts):
    if actual is not None and expected is not None:
        raise _Unsupported
    if not (actual is None and expected is None):
        raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", path)


def _compare_bool(actual, expected, path, opts):
    if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
        raise _Unsupported
    actual, expected = bool(actual), bool(expected)
    if actual is not expected:
        raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}", path)


def _compare_number(actual, expected, path, opts):
    if not all(isinstance(x, (int, float, complex, np.number)) for x in (actual, expected)):
        raise _Unsupported
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    names = [_NUMBER_DTYPE.get(type(x), "int64") for x in (actual, expected)]
    rtol, atol = _tolerances(names, opts["rtol"], opts["atol"], path)
    return lambda: _check_numbers(actual, expected, rtol, atol, path, opts)


def _check_numbers(actual, expected, rtol, atol, path, opts):
    if opts["check_dtype"] and type(actual) is not type(expected):
        raise _Failure(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
            path,
        )
    if actual == expected:
        return
    if opts["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
        return
    diff = abs(actual - expected)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_message(actual, expected, rtol, atol), path)


def _compare_tensors(actual, expected, path, opts):
    import ember

    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not opts["allow_subclasses"] and type(actual) is not type(expected)):
        raise _Unsupported
    tensors = []
    for x in (actual, expected):
        if not isinstance(x, ember.Tensor):
            try:
                x = ember.as_tensor(x)
            except Exception:
                raise _Unsupported from None
        tensors.append(x)
    a, e = tensors
    rtol, atol = _tolerances([a.dtype.name, e.dtype.name], opts["rtol"], opts["atol"], path)
    return lambda: _check_tensors(a, e, rtol, atol, path, opts)


def _check_tensors(a, e, rtol, atol, path, opts):
    def differ(attribute, x, y):
        raise _Failure(
            AssertionError,
            f"The values for attribute '{attribute}' do not match: {x} != {y}.",
            path,
        )

    if a.shape != e.shape:
        differ("shape", a.shape, e.shape)
    if opts["check_stride"] and a.stride() != e.stride():
        differ("stride()", a.stride(), e.stride())
    if opts["check_device"] and a.device != e.device:
        differ("device", a.device, e.device)
    if opts["check_dtype"] and a.dtype is not e.dtype:
        differ("dtype", a.dtype, e.dtype)
    if a.dtype is not e.dtype:
        from ..dtypes import promote_types

        common = promote_types(a.dtype, e.dtype)
        a, e = a.to(common), e.to(common)
    x, y = a.detach().numpy(force=True), e.detach().numpy(force=True)
    with np.errstate(all="ignore"):  # inf - inf and 0 / 0 are expected here
        matches = _isclose(x, y, rtol, atol, opts["equal_nan"])
        if matches.all():
            return
        if x.ndim == 0:
            message = _scalar_message(x.item(), y.item(), rtol, atol)
        else:
            message = _tensor_message(x, y, matches, rtol, atol)
    raise _Failure(AssertionError, message, path)


def _abs(x):
    # NumPy's complex64 magnitude can be off by one ulp; PyTorch's is correctly rounded.
    if x.dtype == np.complex64:
        return np.abs(x.astype(np.complex128)).astype(np.float32)
    return np.abs(x)


def _isclose(x, y, rtol, atol, equal_nan):
    close = x == y
    if x.dtype.kind in "fc":
        if equal_nan:
            close = close | (np.isnan(x) & np.isnan(y))
        if rtol or atol:
            error = _abs(x - y)
            close = close | (np.isfinite(error) & (error <= atol + _abs(rtol * y)))
    elif rtol or atol:
        error = np.abs(x.astype(np.float64) - y.astype(np.float64))
        close = close | (error <= atol + np.abs(rtol * y.astype(np.float64)))
    return close


def _tensor_message(x, y, matches, rtol, atol):
    from ..dtypes import get_default_dtype

    shape = matches.shape
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    x, y, matches = x.ravel(), y.ravel(), matches.ravel()
    if x.dtype.kind not in "fc":  # integers and bools: differences as int64
        x, y = x.astype(np.int64), y.astype(np.int64)
    abs_diff = _abs(x - y)
    abs_diff[matches] = 0
    denominator = _abs(y)
    if abs_diff.dtype.kind in "iu":  # integer division gives the default float dtype
        real = get_default_dtype().np
        abs_real, denominator = abs_diff.astype(real), denominator.astype(real)
    else:
        abs_real = abs_diff
    rel_diff = abs_real / denominator
    rel_diff[matches] = 0
    i, j = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_message("Tensor-likes", extra, abs_diff[i].item(), _unravel(i, shape), atol,
                             rel_diff[j].item(), _unravel(j, shape), rtol)  # fmt: skip


def _unravel(flat, shape):
    return tuple(int(i) for i in np.unravel_index(flat, shape))


_PAIR_TYPES = (_compare_none, _compare_bool, _compare_number, _compare_tensors)


def _pairs(actual, expected, opts):
    """The leaf comparisons of two (possibly nested) inputs, in order, as callables."""
    checks = []
    stack = [(actual, expected, ())]
    while stack:
        a, e, path = stack.pop()
        if _is_sequence(a) and _is_sequence(e):
            if len(a) != len(e):
                raise _Failure(
                    AssertionError,
                    f"The length of the sequences mismatch: {len(a)} != {len(e)}",
                    path,
                )
            stack.extend((a[i], e[i], (*path, i)) for i in reversed(range(len(a))))
            continue
        if isinstance(a, collections.abc.Mapping) and isinstance(e, collections.abc.Mapping):
            keys = _matching_keys(a, e, path)
            stack.extend((a[k], e[k], (*path, k)) for k in reversed(keys))
            continue
        checks.append(_leaf(a, e, path, opts))
    return checks


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _matching_keys(a, e, path):
    ka, ke = set(a.keys()), set(e.keys())
    if ka != ke:
        raise _Failure(
            AssertionError,
            "The keys of the mappings do not match:\n"
            f"Missing keys in the actual mapping: {sorted(ke - ka)}\n"
            f"Additional keys in the actual mapping: {sorted(ka - ke)}",
            path,
        )
    try:
        return sorted(ka)
    except Exception:
        return list(ka)


def _leaf(a, e, path, opts):
    for pair_type in _PAIR_TYPES:
        try:
            check = pair_type(a, e, path, opts)
        except _Unsupported:
            continue
        return check if check is not None else (lambda: None)
    raise _Failure(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(a)} and {type(e)}.",
        path,
    )


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False,
                 msg=None):  # fmt: skip
    """Assert that ``actual`` and ``expected`` are close: ``|a - e| <= atol + rtol * |e|``.

    Tensors, NumPy arrays, Python numbers, and sequences or mappings of them are compared
    element by element; default tolerances depend on the dtype (float32: rtol 1.3e-6, atol
    1e-5). Raises AssertionError with PyTorch's message on the first mismatch (``msg``
    replaces it, or rewrites it if callable).
    """
    __tracebackhide__ = True
    opts = {
        "allow_subclasses": allow_subclasses,
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_device": check_device,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    try:
        checks = _pairs(actual, expected, opts)
    except _Failure as failure:
        raise failure.error() from None
    for check in checks:
        try:
            check()
        except _Failure as failure:
            raise failure.error(msg) from None


# The deprecated function's own defaults, looser than assert_close's.
_ALLCLOSE_TOLERANCES = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated form of ``assert_close`` (looser tolerances, dtypes not checked)."""
    import ember

    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning,
        stacklevel=2,
    )
    if not isinstance(actual, ember.Tensor):
        actual = ember.tensor(actual)
    if not isinstance(expected, ember.Tensor):
        expected = ember.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_TOLERANCES.get(t.dtype.name, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)  # fmt: skip
