"""Autograd error messages: PyTorch's text first, then what Ember knows beyond it."""

from __future__ import annotations


def legacy_type_name(array) -> str:
    """PyTorch's legacy tensor type name, e.g. ``torch.FloatTensor``."""
    from ..dtypes import legacy_type_name as name

    return name(array)


def modified_inplace_error(saved, node) -> RuntimeError:
    """The error raised when a saved tensor was modified in place after it was saved."""
    from .node import _anomaly_enabled

    data = saved.data if saved.is_output else saved.tensor._data
    shape = list(data.shape)
    owner = "output" if saved.is_output else "input"
    if saved.is_output:
        producer = f"output {saved.output_nr} of {_op_name(type(node))}"
    elif saved.tensor.grad_fn is not None:
        producer = f"output {saved.tensor._output_nr} of {_op_name(type(saved.tensor.grad_fn))}"
    else:
        producer = "a leaf Variable" if saved.tensor._requires_grad else "a Tensor"
    if _anomaly_enabled[0]:
        hint = (
            "Hint: the backtrace further above shows the operation that failed to compute "
            "its gradient. The variable in question was changed in there or anywhere later. "
            "Good luck!"
        )
    else:
        hint = (
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    msg = (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{legacy_type_name(data)} {shape}], which is {producer}, is at "
        f"version {saved.counter[0]}; expected version {saved.version} instead. {hint}"
    )
    extra = f"\n{node.name()} saved its {owner} for backward"
    where = getattr(saved, "where", None)
    site = _last_modification(saved.counter)
    if site is not None:
        extra += f"; it was modified by {site}"
    elif where:
        extra += f" at {where}"
    return RuntimeError(msg + extra + ".")


def _last_modification(counter):
    # Version counters are lists: [version, (op, file, line) of the last in-place write].
    return counter[1] if len(counter) > 1 else None


def freed_graph_error(node) -> RuntimeError:
    """The error for a second backward through a graph whose saved values were freed."""
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the graph "
        "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
        "you need to backward through the graph a second time or if you need to access saved "
        "tensors after calling backward.\n"
        f"The saved values of {node.name()} were freed by the first backward. If you carry "
        "a tensor from one iteration into the next (an RNN's hidden state, a running total), "
        "detach it first (h = h.detach()) rather than passing retain_graph=True."
    )


def wrong_grad_count(node, got):
    """PyTorch's error for a backward that returned the wrong number of gradients."""
    name = node.name()
    return RuntimeError(
        f"function {name} returned an incorrect number of gradients (expected "
        f"{len(node._next)}, got {got})"
    )


def _op_name(node_class) -> str:
    """The op a node class stands for, as PyTorch names it in messages (``ExpBackward0`` ->
    ``Exp``)."""
    name = node_class.__name__
    stem, sep, tail = name.rpartition("Backward")
    return stem if sep and tail.isdigit() else name
