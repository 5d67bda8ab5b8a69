"""The common shape of one-input elementwise ops: a ``Pointwise`` node and ``unary``, the
one-line declaration of its public function.

A pointwise op states only its facts: the kernel on arrays, what backward needs (the input
or the output) and the gradient rule; ``trig.Sin`` is the plain case.
"""

from __future__ import annotations

import contextlib

from ..autograd.node import Node, array_backward, array_grads
from . import batching
from ._binary import conjugated
from ._spec import OpSpec
from .registry import op

#: The sample shapes of a one-input op's spec: a matrix, a 0-d tensor, an empty tensor.
UNARY_SAMPLES = [((3, 4),), ((),), ((0, 2),)]


def quiet(xp):
    """Silence NumPy's floating-point warnings (PyTorch returns inf/nan without a word)."""
    errstate = getattr(xp, "errstate", None)
    return errstate(all="ignore") if errstate is not None else contextlib.nullcontext()


def _float_input(x):
    """Integer and bool tensors are computed in the default float dtype, as PyTorch does."""
    if x._data.dtype.kind in "biu":
        from ..dtypes import get_default_dtype

        return x.to(get_default_dtype())
    return x


class Pointwise(Node):
    """Base of one-input elementwise nodes: ``forward`` runs ``kernel`` and saves the input
    (the output when ``saves_output``); ``backward`` is ``chain(grad, saved)``."""

    #: Save the output for backward instead of the input (the derivative is a function of it).
    saves_output = False
    #: ``chain`` is plain arithmetic, so it also runs on raw arrays: backward takes that
    #: faster path when no graph of it is recorded (``array_backward``).
    chain_on_arrays = False

    def kernel(self, xp, x):
        """The op on an array of the array module ``xp`` (silencing NumPy's warnings where
        it may warn: ``quiet``)."""
        raise NotImplementedError

    def chain(self, grad, saved):
        """The input's gradient from the output's ``grad``, written with Ember ops."""
        raise NotImplementedError

    def forward(self, x):
        out = self.kernel(self.xp, x)
        self.save_for_backward(out if self.saves_output else x)
        return out

    def array_rule(self, g):
        if not self.chain_on_arrays:
            return None
        (saved,) = self.saved_arrays()
        return (self.chain(g, saved),)

    def backward(self, grad):
        if self.chain_on_arrays and array_backward(grad):
            return array_grads(self, grad)
        (saved,) = self.saved_tensors
        if saved._data.dtype.kind == "c":  # PyTorch's convention: grad * conj(f'(z))
            return conjugated(lambda g: (self.chain(g, saved),), grad)
        return (self.chain(grad, saved),)


def named(function, node, name, doc):
    """Give a function made by a declaration helper its public name and docstring, in the
    module of its ``node``."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__module__ = node.__module__
    return function


def unary(node, name, doc, *, domain=(-2.0, 2.0), aliases=(), spec=None, out=False, **facts):
    """Declare ``name(input)``, the public function of the one-input elementwise ``node``
    (integer and bool inputs computed in the default float dtype); returns the function.

    Args:
        doc: the function's one-line docstring.
        domain: the input range of its ``OpSpec`` (when ``spec`` is not given).
        aliases: its other names (``"arcsin"``), as top-level functions and Tensor methods.
        spec: the op's ``OpSpec`` (or a tuple of them) when the default one does not fit.
        out: the function takes PyTorch's ``out=`` (``name(input, *, out=None)``).
        facts: more of ``declare``'s arguments (``grad_fn``, ``public``, ...); ``methods``
            defaults to the name and its aliases, ``inplace`` to True.
    """
    if out:
        from ._results import float_unary

        def function(input, *, out=None):
            return float_unary(name, node, input, out)

    else:

        def function(input):
            if input._data.dtype.kind in "biu":
                input = _float_input(input)
            return node.apply(input)

    named(function, node, name, doc)
    if spec is None:
        spec = OpSpec(name, lambda lib, a: getattr(lib, name)(a), UNARY_SAMPLES, domain=domain)
    facts.setdefault("methods", (name, *aliases))
    facts.setdefault("inplace", True)
    return op(node, aliases=aliases, vmap=batching.elementwise, spec=spec, **facts)(function)


def special_unary(node, name, doc, spec):
    """Declare ``name(input, *, out=None)`` of ``ember.special`` (no Tensor method, no
    top-level name) for the one-input elementwise ``node``; returns the function."""
    grad_fn = f"Special{_camel(name)}Backward0"
    facts = dict(grad_fn=grad_fn, public=False, methods=(), inplace=None)
    return unary(node, name, doc, spec=spec, out=True, **facts)


def _camel(name):
    """PyTorch's spelling of an op name in its node names: ``log_ndtr`` is ``LogNdtr``,
    ``i0e`` is ``I0E`` (a letter after a digit is a capital too)."""
    out, upper = [], True
    for ch in name:
        if ch == "_":
            upper = True
            continue
        out.append(ch.upper() if upper else ch)
        upper = ch.isdigit()
    return "".join(out)
