"""The KL registry: ``register_kl`` and the most-specific-pair dispatch behind
``kl_divergence`` (the pairs register themselves from ``kl``, ``_kl_pairs`` and
``_kl_gaussian``)."""

from __future__ import annotations

import functools
import warnings

_KL_REGISTRY = {}
_KL_MEMOIZE = {}


def register_kl(type_p, type_q):
    """Decorator registering ``fun(p, q)`` as KL(p || q) for the pair of types."""
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not isinstance(t, type):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {t}")

    def decorator(fun):
        _KL_REGISTRY[type_p, type_q] = fun
        _KL_MEMOIZE.clear()
        return fun

    return decorator


def _more_specific(a, b):
    """Order pairs of types lexicographically by subclassing (-1 when a comes first)."""
    for x, y in zip(a, b):
        if x is y:
            continue
        return -1 if issubclass(x, y) else 1
    return 0


def _dispatch_kl(type_p, type_q):
    matches = [
        (sp, sq) for sp, sq in _KL_REGISTRY if issubclass(type_p, sp) and issubclass(type_q, sq)
    ]
    if not matches:
        return NotImplemented
    key = functools.cmp_to_key(_more_specific)
    left_p, left_q = min(matches, key=key)
    right_q, right_p = min(((q, p) for p, q in matches), key=key)
    left_fun = _KL_REGISTRY[left_p, left_q]
    right_fun = _KL_REGISTRY[right_p, right_q]
    if left_fun is not right_fun:
        warnings.warn(
            f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
            f"Please register_kl({left_p.__name__}, {right_q.__name__})",
            RuntimeWarning,
            stacklevel=3,
        )
    return left_fun


def _infinite_like(tensor):
    """A tensor of +inf shaped like ``tensor`` (the KL of pairs with disjoint supports)."""
    import ember

    return ember.full_like(tensor, float("inf"))
