"""What vjp, jvp, jacrev and jacfwd say about a function's output, as torch.func says it."""

from __future__ import annotations

import pytest

import ember
import ember.func as ef

torch = pytest.importorskip("torch")
tf = pytest.importorskip("torch.func")

_OUTPUTS = {
    "not a tuple with has_aux": (lambda x: x, True),
    "three parts with has_aux": (lambda x: (x, x, x), True),
    "a number": (lambda x: (x, 3), False),
    "None": (lambda x: [x, None], False),
    "nothing": (lambda x: (), False),
    "an empty dict": (lambda x: {}, False),
}

_CALLS = {
    "vjp": lambda F, f, x, aux: F.vjp(f, x, has_aux=aux),
    "jvp": lambda F, f, x, aux: F.jvp(f, (x,), (x,), has_aux=aux),
    "jacrev": lambda F, f, x, aux: F.jacrev(f, has_aux=aux)(x),
    "jacfwd": lambda F, f, x, aux: F.jacfwd(f, has_aux=aux)(x),
    "jvp primals": lambda F, f, x, aux: F.jvp(f, x, (x,)),
}


@pytest.mark.parametrize("call", sorted(_CALLS))
@pytest.mark.parametrize("output", sorted(_OUTPUTS))
def test_output_errors_match_torch(call, output):
    """The same exception type and message for each malformed output or argument."""
    f, aux = _OUTPUTS[output]
    with pytest.raises(Exception) as want:
        _CALLS[call](tf, f, torch.ones(2), aux)
    with pytest.raises(type(want.value)) as got:
        _CALLS[call](ef, f, ember.ones(2), aux)
    assert str(got.value) == str(want.value)
