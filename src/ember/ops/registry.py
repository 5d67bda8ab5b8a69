"""The op registry: every fact about an op, declared once, next to its forward and backward.

An op family file writes, for each op, one block: the ``Node`` subclass (forward and
backward), the public function, then ``declare(...)``::

    class Exp(Node):
        '''d(exp x) = exp(x) dx'''
        def forward(self, x): ...
        def backward(self, grad): ...

    @op(Exp, methods="exp", inplace=True, vmap=batching.elementwise,
        spec=OpSpec("exp", lambda lib, x: lib.exp(x), UNARY))
    def exp(input):
        '''e to the power of each element.'''
        return Exp.apply(_float_input(input))

``@op(...)`` declares the function below it; ``declare(Node, ...)`` declares a node that
has no public function of its own (a second node of the same function, an internal one).

Everything else is derived from the declarations: the methods of ``ember.Tensor``
(``ember/tensor.py`` builds the class from ``tensor_methods()``), the in-place forms
(``exp_``), the top-level functions (``ember.exp``), vmap's batching rule for the
node, the ``grad_fn`` name users see, and the op's tests (``specs()``).

Ops that are compositions of other ops (PyTorch composes them too: its ``grad_fn``
shows the inner nodes) are declared with ``node=None``.

Arguments are also handled here: a declared function that takes ``dim``, ``keepdim``,
``input`` or ``other`` accepts NumPy's spellings too (``axis``, ``keepdims``, ``x1``,
``x2``), as PyTorch does, and refuses both spellings at once with PyTorch's TypeError;
and a function on PyTorch's CPU autocast lists (``amp/policy.py``: ``mm``, ``linear``,
``conv2d``, ``mse_loss``, ``cat``, ...) casts its inputs inside an ``autocast`` region.
"""

from __future__ import annotations

import functools
import inspect
from typing import Callable, Optional

from .._fields import Fields
from ..amp import policy as _amp_policy
from ..amp import state as _amp_state
from . import _out, batching

#: The vmap decision for an op with no batching rule: vmap runs it once per example.
LOOP = "loop"


class OpDecl(Fields):
    """What the registry knows about one op (see the module docstring)."""

    # A frozen dataclass written out (``@dataclass`` was a noticeable part of ``import ember``):
    # the same constructor, repr, equality and hash, and no assignment after construction.
    __match_args__ = _FIELDS = ("node", "function", "method", "methods", "inplace", "grad_fn",
                                "vmap", "specs", "public", "aliases", "module")  # fmt: skip

    def __init__(self, node: Optional[type], function: Optional[Callable],
                 method: Optional[Callable], methods: tuple, inplace: Optional[Callable],
                 grad_fn: Optional[str], vmap: object, specs: tuple, public: bool,
                 aliases: tuple, module: str) -> None:  # fmt: skip
        self._set((node, function, method, methods, inplace, grad_fn, vmap, specs, public,
                   aliases, module))  # fmt: skip

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field '{name}'")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field '{name}'")

    def __hash__(self):
        return hash(self._values())


_BY_NODE: dict = {}
_DECLS: list = []
_METHOD_OWNER: dict = {}
_METHODS: dict = {}
_BY_MODULE: dict = {}
_SPEC_NAMES: set = set()


def declare(node=None, function=None, *, methods=(), inplace=None, grad_fn=None, vmap=None, spec=(),
            public=True, aliases=(), numpy_names=True, out=None):  # fmt: skip
    """Declare an op.  Returns the declaration.

    Args:
        node: the op's ``Node`` subclass (``None`` for a composition of other ops).
        function: the public function (``ember.<name>`` when ``public``); its first
            argument is the tensor, so it is also each of ``methods`` as it is.
        methods: names under which ``function`` is a ``Tensor`` method (dunder names
            such as ``"__add__"`` included).
        inplace: the in-place form: ``True`` derives ``<name>_`` from ``function``
            (compute, check, write back: ``ops.inplace.inplace``); a function is used
            as it is (a faster hand-written form).  It becomes the ``<name>_`` method.
        grad_fn: PyTorch's name for the node (``"MeanBackward0"``); the class is given
            this name, so ``type(t.grad_fn).__name__ == t.grad_fn.name()``.  Defaults
            to the class name followed by ``Backward0``.
        vmap: the node's batching rule (``ops.batching``) or ``LOOP``; required for a
            node, so that no op falls back to the per-example loop unnoticed.
        spec: the op's ``OpSpec`` (or a tuple of them): how it is tested.
        public: export ``function`` at the top level (``ember.<name>``).
        aliases: more top-level names for ``function`` (``"absolute"`` for ``abs``); the
            family module binds them too (``absolute = abs``).
        numpy_names: accept NumPy's spellings (``axis``, ...) of ``dim``-like arguments;
            False for the few functions PyTorch refuses them for (``split``, ``unflatten``).
        out: how the public function takes PyTorch's ``out=`` (checked and written here):
            ``"castable"`` (True: the result may be cast to ``out``'s dtype, as for
            elementwise ops), ``"same"`` (``out`` must have the result's dtype, as for most
            other ops), or a function ``rule(name, out, result)`` raising PyTorch's error.
            By default an elementwise op's takes it as castable, as in PyTorch, unless the
            function handles ``out`` itself; False for the few PyTorch gives none (``relu``).
    """
    if node is not None:
        if node in _BY_NODE:
            raise ValueError(f"{node.__qualname__} is declared twice")
        if vmap is None:
            raise ValueError(f"declare({node.__qualname__}): say how vmap batches it (or LOOP)")
        if grad_fn is None:
            grad_fn = node.__name__ + "Backward0"
        node.__name__ = node.__qualname__ = grad_fn
        node._declared = True
    specs = spec if isinstance(spec, tuple) else (spec,)
    for sp in specs:
        if sp.name in _SPEC_NAMES:
            raise ValueError(f"duplicate OpSpec name {sp.name!r}")
        _SPEC_NAMES.add(sp.name)
    if isinstance(methods, str):
        methods = (methods,)
    module = (function or node).__module__
    method = None
    if function is not None:
        # As a method the tensor is ``self`` (positional): no ``x1`` spelling to accept, so
        # most methods are the plain function, without a wrapper on the hot path.
        params = _parameter_names(function)
        if out is None:
            out = (
                node is not None and public and vmap is batching.elementwise and "out" not in params
            )
        method = _public_form(function, numpy_names, method=True, params=params)
        function = _public_form(function, numpy_names, out=out, params=params)
    if inplace is True:
        inplace = _derived_inplace(function)
    decl = OpDecl(node, function, method, tuple(methods), inplace, grad_fn, vmap, specs, public,
                  tuple(aliases), module)  # fmt: skip
    names = list(decl.methods)
    if inplace is not None:
        names.append(inplace.__name__)
    for name in names:
        owner = _METHOD_OWNER.get(name)
        if owner is not None:
            raise ValueError(f"Tensor.{name} is declared twice ({owner} and {module})")
        _METHOD_OWNER[name] = module
    for name in decl.methods:
        _METHODS[name] = decl.method
    if inplace is not None:
        _METHODS[inplace.__name__] = inplace
    _BY_MODULE.setdefault(module, []).append(decl)
    if node is not None:
        _BY_NODE[node] = decl
    _DECLS.append(decl)
    return decl


def op(node=None, **facts):
    """Decorator form of ``declare`` for a public function (see the module docstring).

    Returns the function users call: the function itself, or, when it takes ``dim`` /
    ``keepdim`` / ``input`` / ``other``, the same function accepting NumPy's spellings.
    """

    def decorate(function):
        return declare(node, function, **facts).function

    return decorate


#: NumPy's argument names that PyTorch also accepts, and the names they stand for.
_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim", "x1": "input", "x2": "other"}
_NUMPY_TARGETS = frozenset(_NUMPY_NAMES.values())


def _parameter_names(function):
    """The names ``function`` takes (read from its code object: ``inspect.signature`` for
    each of a thousand declarations was a noticeable part of ``import ember``)."""
    code = getattr(function, "__code__", None)
    if code is None or hasattr(function, "__wrapped__"):
        return tuple(inspect.signature(function).parameters)
    n = code.co_argcount + code.co_kwonlyargcount
    return code.co_varnames[:n]


def _public_form(function, numpy_names=True, method=False, out=False, params=None):
    """``function`` as users call it: accepting NumPy's argument spellings when it takes
    ``dim``/``keepdim``/``input``/``other``, casting its inputs inside a CPU ``autocast``
    region when PyTorch's autocast lists name it, and taking ``out=`` when ``out``.
    Otherwise ``function`` itself.  ``params``: ``function``'s parameter names, when known."""
    if params is None:
        params = _parameter_names(function)
    if _NUMPY_TARGETS.isdisjoint(params):
        aliases = {}
    else:
        aliases = {a: n for a, n in _NUMPY_NAMES.items() if n in params and a not in params}
    name = function.__name__
    # Python calls operator methods (``__mul__``) with positional arguments only.
    if not numpy_names or name.startswith("__"):
        aliases = {}
    elif method:
        aliases.pop("x1", None)
    cast = _amp_policy.category(name) is not None
    if not aliases and not cast and not out:
        return function

    def renamed(kwargs):
        for alias, real in aliases.items():
            if alias in kwargs:
                if real in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                kwargs[real] = kwargs.pop(alias)
        return kwargs

    if not cast and not out:
        # The common case, kept to one test when no keyword is given.
        @functools.wraps(function)
        def call(*args, **kwargs):
            if kwargs and not aliases.keys().isdisjoint(kwargs):
                kwargs = renamed(kwargs)
            return function(*args, **kwargs)

        return call

    amp = _amp_state.STATE

    @functools.wraps(function)
    def call_general(*args, **kwargs):
        target = None
        if kwargs:
            if aliases and not aliases.keys().isdisjoint(kwargs):
                kwargs = renamed(kwargs)
            if out:
                target = kwargs.pop("out", None)
        if cast and amp.cpu:
            args = _amp_policy.autocast_args(name, *args)
            if kwargs:
                kwargs = dict(zip(kwargs, _amp_policy.autocast_args(name, *kwargs.values())))
        if target is None:
            return function(*args, **kwargs)
        return _into(name, target, out, function, args, kwargs)

    return call_general


def _into(name, out, rule, function, args, kwargs):
    """``function(*args, **kwargs)`` written into ``out`` after PyTorch's checks: ``out`` is
    a tensor (a tuple of them for several results), nothing requires grad, and ``rule``
    accepts each result's dtype for its ``out`` ("castable": no float into int; "same":
    exactly the result's dtype; or a function ``rule(name, out, result)``)."""
    _out.refuse_grad(name, out, *args, *kwargs.values())
    result = function(*args, **kwargs)
    if type(result) is tuple:  # a form without out= (``where(condition)``)
        raise TypeError(
            f"{name}() received an invalid combination of arguments: this form of {name} "
            "takes no 'out' (it returns a tuple)"
        )
    several = isinstance(result, tuple)
    results = result if several else (result,)
    _out.check_out_tensors(name, out, len(results) if several else 1)
    outs = tuple(out) if several else (out,)
    for o, r in zip(outs, results):
        if rule == "same":
            _out.same_dtype(o, r._data.dtype)
        elif rule is True or rule == "castable":
            _out.castable(r._data.dtype, o)
        else:
            rule(name, o, r)
    for o, r in zip(outs, results):
        _out.write(o, r)
    return type(result)(*outs) if several else out


def _derived_inplace(function):
    name = function.__name__ + "_"

    def op(self, *args, **kwargs):
        from .inplace import inplace

        return inplace(self, function, *args, **kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place version of ``{function.__name__}``."
    op.__module__ = function.__module__
    return op


def declaration(node_class) -> Optional[OpDecl]:
    """The declaration of a node class (None for classes never declared)."""
    return _BY_NODE.get(node_class)


def declarations():
    """All declarations, in the order the families made them."""
    return list(_DECLS)


def batching_rule(node_class):
    """vmap's rule for ``node_class``: a function, or None to run the op per example."""
    decl = _BY_NODE.get(node_class)
    if decl is None or decl.vmap == LOOP:
        return None
    return decl.vmap


def tensor_methods() -> dict:
    """``{name: function}`` for every Tensor method the declarations name."""
    out = {}
    for d in _DECLS:
        for name in d.methods:
            out[name] = d.method
        if d.inplace is not None:
            out[d.inplace.__name__] = d.inplace
    return out


def public_names(module_name: str) -> list:
    """Names of the public functions declared in one family module (its ``__all__``)."""
    names = []
    for d in _BY_MODULE.get(module_name, ()):
        if d.public and d.function is not None:
            for name in (d.function.__name__,) + d.aliases:
                if name not in names:
                    names.append(name)
    return names


def method(name):
    """The declared Tensor method called ``name`` (``KeyError`` when none is)."""
    return _METHODS[name]


def specs():
    """Every declared ``OpSpec``."""
    return [s for d in _DECLS for s in d.specs]
