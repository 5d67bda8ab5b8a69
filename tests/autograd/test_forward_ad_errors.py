"""``make_dual``'s argument errors, as PyTorch's."""

from __future__ import annotations

import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "primal,tangent",
    [
        (("int64", 2), ("float32", 2)),
        (("float32", 2), ("int64", 2)),
        (("float32", 2), ("float32", 3)),
    ],
)
def test_make_dual_errors_match_torch(primal, tangent):
    """Non-float primal or tangent, or sizes that differ: same type and message."""

    def call(lib):
        fa = lib.autograd.forward_ad
        with fa.dual_level():
            fa.make_dual(*(lib.ones(n, dtype=getattr(lib, d)) for d, n in (primal, tangent)))

    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(ember)
    assert str(got.value) == str(want.value)
