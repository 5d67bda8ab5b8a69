"""Ember's warnings point at the user's line, however many Ember frames lie between
(registry wrappers included), as PyTorch's do."""

from __future__ import annotations

import warnings

import pytest

import ember

CASES = [
    ("softmax without dim", lambda: ember.nn.functional.softmax(ember.ones(2, 3))),
    ("var with no degrees of freedom", lambda: ember.ones(1).var()),
    ("uint8 mask", lambda: ember.ones(3)[ember.tensor([1, 0, 1], dtype=ember.uint8)]),
    ("out= resized", lambda: ember.cumsum(ember.ones(3), 0, out=ember.zeros(2))),
]


@pytest.mark.parametrize("name, call", CASES, ids=[c[0] for c in CASES])
def test_warning_names_the_callers_file(name, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, name
    assert all(w.filename == __file__ for w in caught), [(w.filename, w.lineno) for w in caught]
