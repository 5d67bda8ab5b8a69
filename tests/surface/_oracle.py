"""Run the same call in Ember and in PyTorch and compare what happened."""

from __future__ import annotations

import warnings


def outcome(fn):
    """(value, exception type name or None, warning category names) of calling ``fn``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = fn(), None
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            value, error = None, type(e)
    return value, error, [w.category.__name__ for w in caught]


def _error_name(error):
    if error is None:
        return None
    # PyTorch raises its own subclasses in places (InvalidBackend); compare the builtin base.
    for base in error.__mro__:
        if base.__module__ == "builtins":
            return base.__name__
    return error.__name__


def same(ember_fn, torch_fn, convert=repr):
    """Assert both calls return equal values (after ``convert``) or raise the same builtin
    exception type, with the same warning categories. Returns Ember's value."""
    ev, ee, ew = outcome(ember_fn)
    tv, te, tw = outcome(torch_fn)
    assert _error_name(ee) == _error_name(te), (ee, te)
    assert ew == tw, (ew, tw)
    if te is None:
        assert convert(ev) == convert(tv), (ev, tv)
    return ev
