"""``ember.autograd``: reverse-mode differentiation of recorded tensor operations."""

from __future__ import annotations

from collections.abc import Sequence

from .. import dtypes as _dt
from ..backend import np as _np
from ..backend import xp_of
from . import engine
from . import node as _node
from .anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .explain import explain
from .function import Function, FunctionCtx, InplaceFunction, NestedIOFunction, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .lint import (
    TrainingLintWarning,
    is_training_lint_enabled,
    set_training_lint,
    training_lint,
)
from .node import AccumulateGrad, Node
from .variable import Variable

_ndarray = _np.ndarray


def xp_ones(like):
    """A fresh array of ones shaped and typed like ``like`` (from the same array module)."""
    if type(like) is _ndarray:
        # ``loss.backward()``'s seed: copying a kept one costs a tenth of making it.
        key = (like.shape, like.dtype)
        one = _ONES.get(key)
        if one is None:
            one = _ONES[key] = _np.ones(like.shape, like.dtype) if len(_ONES) < 64 else None
            if one is None:
                return _np.ones(like.shape, like.dtype)
        return one.copy()
    return xp_of(like).ones(like.shape, like.dtype)


_ONES = {}  # (shape, dtype) -> ones, for the one-element seeds of ``backward()``


def _tensor_type():
    """``ember.Tensor``, as handed to the graph core once it exists (no import per call)."""
    return _node.Tensor


def _as_tuple(x):
    Tensor = _tensor_type()
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads, is_grads_batched=False):
    from ..creation import ones_like

    Tensor = _tensor_type()
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if _dt.kind_of(out._data.dtype) not in "fc":
                    raise RuntimeError(
                        "grad can be implicitly created only for real scalar outputs but got "
                        f"{out.dtype}"
                    )
                result.append(ones_like(out))
            else:
                result.append(None)
            continue
        if not isinstance(g, Tensor):
            from ..creation import tensor

            g = tensor(g, dtype=out.dtype)
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of torch.Size("
                f"{list(g._data.shape)}) and output[{i}] has a shape of torch.Size("
                f"{list(out._data.shape)})."
            )
        if (g._data.dtype.kind == "c") != (out._data.dtype.kind == "c"):
            raise RuntimeError(
                f"For complex Tensors, both grad_output and output are required to have the same "
                f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                f"output[{i}] has a dtype of {out.dtype}."
            )
        if g._data.dtype != out._data.dtype:
            g = g.to(out.dtype)
        result.append(g)
    return result


def _check_requires_grad(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):  # fmt: skip
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or ``inputs``).

    Args:
        tensors: outputs to differentiate.
        grad_tensors: the gradient with respect to each output (implicit ones for
            one-element outputs).
        retain_graph: keep saved values for another backward (default: ``create_graph``).
        create_graph: record the backward pass, for higher-order derivatives.
        inputs: accumulate only into these tensors.
    """
    Tensor = _node.Tensor
    if (
        grad_tensors is None
        and inputs is None
        and not create_graph
        and type(tensors) is Tensor
        and tensors._requires_grad
    ):
        data = tensors._data
        if data.size == 1 and data.dtype.kind == "f":
            # The common `loss.backward()`: seed with a one and go (no lists, no factory).
            seed = Tensor._make(xp_ones(data))
            engine.run_backward((tensors,), (seed,), bool(retain_graph), False, None)
            return
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(
            "grad can be implicitly created only for scalar outputs"
            if not grads
            else f"got {len(grads)} gradients for {len(tensors)} tensors"
        )
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        import warnings

        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.",
            UserWarning,
            stacklevel=3,
        )
    _check_requires_grad(tensors)
    grads = _make_grads(tensors, grads)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
    engine.run_backward(tensors, grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):  # fmt: skip
    """Return the gradients of ``outputs`` with respect to ``inputs``; ``.grad`` is untouched.

    Args:
        outputs: tensors to differentiate.
        inputs: tensors to differentiate with respect to.
        grad_outputs: the gradient with respect to each output.
        retain_graph: keep saved values (default: ``create_graph``).
        create_graph: record the computation, for higher-order derivatives.
        allow_unused: return ``None`` for inputs the outputs do not depend on.
        materialize_grads: return zeros instead of ``None`` for unused inputs.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    Tensor = _tensor_type()
    single = isinstance(inputs, Tensor)
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if isinstance(grad_outputs, Sequence) or grad_outputs is None:
        gos = tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    else:
        gos = (grad_outputs,)
    if len(gos) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output, but got {len(gos)} grad_outputs for "
            f"{len(outputs)} outputs"
        )
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError("grad(): inputs must be Tensors")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    _check_requires_grad(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    gos = _make_grads(outputs, gos)
    results = engine.run_backward(
        outputs, gos, retain_graph, create_graph, inputs, accumulate=False
    )
    out = []
    for i, (t, r) in enumerate(zip(inputs, results)):
        if r is None:
            if materialize_grads:
                from ..creation import zeros_like

                r = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                    if len(inputs) > 1 or True
                    else ""
                )
        elif not create_graph and r._requires_grad:
            r = r.detach()
        out.append(r)
    del single
    return tuple(out)


from . import forward_ad, functional, graph  # noqa: E402, F401


def __getattr__(name):
    # ``ember.autograd.profiler`` loads on first use, with ``ember.profiler`` under it.
    if name == "profiler":
        import importlib

        return importlib.import_module(f"{__name__}.profiler")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "backward",
    "grad",
    "Function",
    "FunctionCtx",
    "InplaceFunction",
    "NestedIOFunction",
    "once_differentiable",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "explain",
    "forward_ad",
    "functional",
    "graph",
    "Node",
    "Variable",
    "AccumulateGrad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "TrainingLintWarning",
    "set_training_lint",
    "is_training_lint_enabled",
    "training_lint",
]
