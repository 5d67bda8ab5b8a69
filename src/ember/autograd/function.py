"""The public ``ember.autograd.Function`` (custom ops), implemented as a ``Node`` adapter.

Each ``Function`` subclass gets its own ``Node`` subclass, ``<Name>Backward``.  One
instance of it is both the ``ctx`` that ``forward`` fills and the ``grad_fn`` of the
outputs, exactly as built-in ops are recorded: the engine runs it like any other node,
calling the user's ``backward`` with the node as ``ctx``.  Saved tensors go through the
same ``SavedTensor`` version checks as built-in saved values.
"""

from __future__ import annotations

import functools
import inspect

from .. import dtypes as _dt
from . import node as _node
from .callsite import user_site
from .dispatch import active_modes as _active_modes
from .dispatch import current_mode as _current_mode
from .errors import wrong_grad_count
from .grad_mode import no_grad
from .grad_mode import state as _grad_state
from .node import Node, SavedTensor, _anomaly_enabled

__all__ = [
    "Function",
    "FunctionCtx",
    "BackwardCFunction",
    "once_differentiable",
    "InplaceFunction",
    "NestedIOFunction",
]


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) can record for ``backward`` on ``ctx``."""

    __slots__ = ()

    def save_for_backward(self, *tensors):
        """Save tensors for ``backward``; they come back, version-checked, as ``saved_tensors``."""
        Tensor = _node.Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{i} is of type {type(t).__name__}"
                )
        self.__dict__["_to_save"] = tensors
        self.__dict__["_save_site"] = user_site()

    def save_for_forward(self, *tensors):
        """Accepted for compatibility (forward-mode rules are derived automatically)."""
        self.__dict__["_saved_for_forward"] = tensors

    def mark_dirty(self, *args):
        """Declare inputs that ``forward`` modified in place (they are returned as outputs)."""
        self.__dict__["_dirty"] = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that carry no gradient (e.g. indices)."""
        self.__dict__["_non_diff"] = args

    def set_materialize_grads(self, value: bool):
        """Whether ``None`` output gradients reach ``backward`` as zeros (default True)."""
        self.__dict__["_materialize"] = bool(value)

    @property
    def saved_variables(self):
        """Deprecated alias of ``saved_tensors``."""
        return self.saved_tensors


class BackwardCFunction(FunctionCtx, Node):
    """Base of the ``<Name>Backward`` node made for each ``Function`` subclass."""

    __slots__ = ()
    _forward_cls = None
    # Materialisation is done here (the engine cannot tell tensor from non-tensor outputs).
    materialize_grads = False

    def name(self):
        return type(self).__name__

    def _unsaved(self):
        """Inside ``forward``, before the node is recorded: what ``save_for_backward`` was given."""
        pending = self.__dict__.get("_to_save")
        return tuple(pending) if pending is not None else ()

    def backward(self, *grads):
        """Run the user's ``backward`` with this node as ``ctx``."""
        d = self.__dict__
        kinds = d.get("_out_kinds", ())
        if d.get("_materialize", True):
            if all(g is None for g in grads):
                return (None,) * len(self._next)
            grads = tuple(_materialize_grads(self, grads, kinds))
        result = self._forward_cls.backward(self, *grads)
        return _check_grads(self, result)

    def apply(self, *grads):  # ctx.apply in PyTorch's legacy spelling
        return self.backward(*grads)


def _materialize_grads(node, grads, kinds):
    Tensor = _node.Tensor
    meta = node._out_meta
    for i, g in enumerate(grads):
        if g is None and i < len(kinds) and kinds[i]:
            shape, dtype = meta[i]
            g = Tensor._make(node.xp.zeros(shape, dtype=dtype))
        yield g


def _check_grads(node, result):
    Tensor = _node.Tensor
    if type(result) is not tuple:
        result = tuple(result) if isinstance(result, list) else (result,)
    n = len(node._next)
    if len(result) > n:
        if all(g is None for g in result[n:]):
            result = result[:n]
        else:
            raise wrong_grad_count(node, len(result))
    elif len(result) < n:
        raise wrong_grad_count(node, len(result))
    is_tensor = node.__dict__["_in_is_tensor"]
    for i, g in enumerate(result):
        if g is not None and not is_tensor[i]:
            raise RuntimeError(
                f"function {node.name()} returned a gradient different than None at position "
                f"{i + 1}, but the corresponding forward input was not a Variable"
            )
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(
                f"function {node.name()} returned a gradient of type {type(g).__name__} at "
                f"position {i + 1}; expected a Tensor or None"
            )
    return result


class _FunctionMeta(type):
    """Gives every ``Function`` subclass its own ``<Name>Backward`` node class."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(
            name + "Backward",
            (BackwardCFunction,),
            {"_forward_cls": cls, "__slots__": (), "__module__": cls.__module__},
        )
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class of custom differentiable operations.

    Subclasses define static ``forward(ctx, *args)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``,
    and are called through ``Function.apply``.
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the outputs (runs with gradient recording off)."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Fill ``ctx`` from the inputs and outputs (when ``forward`` takes no ``ctx``)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Gradients of the inputs given the gradients of the outputs."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Forward-mode rule (Ember derives forward mode from ``backward`` instead)."""
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and record one ``<Name>Backward`` node for the outputs."""
        if kwargs:
            args = _bind(cls, args, kwargs)
        return _apply(cls, args)


def _bind(cls, args, kwargs):
    # PyTorch binds keyword arguments to forward's positional parameters.
    fwd = cls.forward
    params = list(inspect.signature(fwd).parameters.values())
    if not _has_own_setup_context(cls):
        params = params[1:]
    sig = inspect.Signature(params)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args) + tuple(bound.kwargs.values())


def _has_own_setup_context(cls):
    for b in cls.__mro__:
        if b is Function:
            return False
        if "setup_context" in b.__dict__:
            return True
    return False


def _apply(cls, args):
    from ..backend import xp_of

    Tensor = _node.Tensor
    node_cls = cls._backward_cls
    node = node_cls.__new__(node_cls)
    node._saved = None
    node._args = None
    in_is_tensor = tuple(isinstance(a, Tensor) for a in args)
    node.needs_input_grad = tuple(t and a._requires_grad for t, a in zip(in_is_tensor, args))
    record = _grad_state.enabled and any(node.needs_input_grad)
    first = next((a for a in args if isinstance(a, Tensor)), None)
    if first is not None:
        node.xp = xp_of(first._data)
    d = node.__dict__
    d["_in_is_tensor"] = in_is_tensor
    if _active_modes:
        mode = _current_mode()
        if mode is not None:
            mode.handle_function(cls, args)  # e.g. vmap refuses to batch what it cannot see

    setup_style = _has_own_setup_context(cls)
    with no_grad():
        if setup_style:
            out = cls.forward(*args)
        else:
            out = cls.forward(node, *args)
    if setup_style:
        cls.setup_context(node, args, out)

    multi = isinstance(out, tuple)
    outs = out if multi else (out,)
    dirty = d.get("_dirty", ())
    if dirty:
        for t in dirty:
            if not any(t is a for a in args):
                raise RuntimeError(
                    "mark_dirty only accepts input tensors, but argument 0 isn't one"
                )
    if record:
        for t in dirty:
            if t._requires_grad and t.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
    if not record:
        result = _wrap_plain(outs, args, dirty)
        _keep_saved_plain(node)
        return result if multi else result[0]

    node._seq = next(_node._sequence)
    node._pre_hooks = node._hooks = node._retained = None
    node._trace = None
    node._edges(args)  # the graph edges, exactly as a built-in op records them

    non_diff = d.get("_non_diff", ())
    results = []
    kinds = []
    out_meta = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            results.append(o)
            kinds.append(False)
            out_meta.append(None)
            continue
        kinds.append(True)
        out_meta.append((o._data.shape, o._data.dtype))
        is_dirty = any(o is t for t in dirty)
        foreign = any(o is a for a in args) or o._requires_grad or o.grad_fn is not None
        if foreign and not is_dirty:
            o = o._view_of(o._data)  # an input returned as-is becomes a new alias of it
        diff = _dt.kind_of(o._data.dtype) in "fc" and not any(o is t for t in non_diff)
        if diff:
            o.grad_fn = node
            o._requires_grad = True
            o._output_nr = i
        elif is_dirty:
            o.grad_fn = None
            o._requires_grad = False
        results.append(o)
    node._n_out = len(outs)
    node._special = len(outs) != 1
    node._out_meta = tuple(out_meta)
    d["_out_kinds"] = tuple(kinds)
    _resolve_saved(node, args, results)
    if _anomaly_enabled[0]:
        _node.trace_recorder[0](node, results, args)
    if multi:
        return tuple(results)
    return results[0]


def _wrap_plain(outs, args, dirty):
    Tensor = _node.Tensor
    result = []
    for o in outs:
        if isinstance(o, Tensor) and not any(o is t for t in dirty) and any(o is a for a in args):
            o = o._view_of(o._data)
            o.grad_fn = None
            o._requires_grad = False
        result.append(o)
    return result


def _keep_saved_plain(node):
    # Without a graph, saved tensors are simply held (PyTorch keeps them on ctx too).
    pending = node.__dict__.pop("_to_save", None)
    if pending is not None:
        node.__dict__["_plain_saved"] = pending
        node._saved = tuple(pending)


def _resolve_saved(node, args, results):
    pending = node.__dict__.pop("_to_save", None)
    if pending is None:
        return
    site = node.__dict__.pop("_save_site", None)
    saved = tuple([_node._resolve(t, args, (), results) for t in pending])
    for s in saved:
        if type(s) is SavedTensor:
            s.where = site
    node._saved = saved


class _DelayedError(Node):
    """Stands for a backward marked ``@once_differentiable``: differentiating it raises."""

    def forward(self, x, *others):
        return x

    def backward(self, *grads):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )

    def name(self):
        return "DelayedError"


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable (runs it without a graph)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        Tensor = _node.Tensor
        with no_grad():
            outputs = fn(ctx, *args)
        if not _grad_state.enabled:
            return outputs
        sources = [a for a in args if isinstance(a, Tensor) and a._requires_grad]
        if not sources:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        wrapped = tuple(
            _DelayedError.apply(o, *sources) if isinstance(o, Tensor) else o for o in outs
        )
        return wrapped[0] if single else wrapped

    return wrapper


class InplaceFunction(Function):
    """A ``Function`` with an ``inplace`` flag (kept for PyTorch compatibility)."""

    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    """Legacy base kept for PyTorch compatibility; use ``Function``."""
