"""``ember.autograd.functional``: Jacobians, Hessians and vector products of whole functions.

Everything runs on reverse mode.  Jacobian-vector products use the double-vjp trick:
with ``g(u) = J^T u`` (a vjp with a dummy cotangent ``u`` that requires grad, recorded
with ``create_graph=True``), ``J v = d/du <g(u), v>``; since every backward rule is
written with Ember ops and is linear in the incoming gradient, this holds for every op.
``vectorize`` and ``strategy`` are accepted for PyTorch compatibility; rows are computed
one backward pass each.
"""

from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _as_tuple(inp, arg_name=None, fn_name=None):
    """``(was_tuple, tuple_of_tensors)``, checking every element is a Tensor."""
    Tensor = _tensor_cls()
    if arg_name is None and fn_name is None:
        return isinstance(inp, tuple), inp if isinstance(inp, tuple) else (inp,)
    is_tuple = isinstance(inp, tuple)
    if not is_tuple:
        inp = (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {i} has type {type(el)}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the given {arg_name} has type {type(el)}."
            )
    return is_tuple, inp


def _tuple_postprocess(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph, need_graph):
    """Fresh differentiable handles on ``inputs`` (kept in the outer graph with create_graph)."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view_as(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs, create_graph):
    Tensor = _tensor_cls()
    if isinstance(inputs[0], Tensor) or inputs[0] is None:
        if not create_graph:
            return tuple(i.detach() if i is not None else None for i in inputs)
        return inputs
    return tuple(_grad_postprocess(i, create_graph) for i in inputs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.size()} but got {el_v.size()}."
            )


_V_NONE_OUTPUT = (
    "The vector v can only be None if the user-provided function returns a "
    "single Tensor with a single element."
)
_V_NONE_INPUT = (
    "The vector v can only be None if the input to the user-provided function "
    "is a single Tensor with a single element."
)


def _checked_v(v, name, create_graph, other, is_other_tuple, none_message):
    """``v`` as a tuple shaped like ``other``; None only where ``other`` is one 1-element Tensor."""
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, other, is_other_tuple)
    elif len(other) != 1 or other[0].nelement() != 1:
        raise RuntimeError(none_message)
    return v


def _postprocess_pair(outputs, is_outputs_tuple, res, is_res_tuple, create_graph):
    """The ``(outputs, result)`` pair returned: detached unless create_graph, tuples unpacked."""
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(res, is_res_tuple)


def _check_requires_grad(inputs, input_type, strict):
    if not strict:
        return
    if input_type not in ("outputs", "grad_inputs", "jacobian", "hessian"):
        raise RuntimeError("Invalid input_type to _check_requires_grad")
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode."
            )
        if not inp.requires_grad:
            if input_type == "hessian":
                raise RuntimeError(
                    f"The hessian of the user-provided function with respect to input {i} is "
                    "independent of the input. This is not allowed in strict mode. You should "
                    "ensure that your function is thrice differentiable and that the hessian "
                    "depends on the inputs."
                )
            if input_type == "jacobian":
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {i} is independent of the input. This is "
                    "not allowed in strict mode. You should ensure that your function is twice "
                    "differentiable and that the jacobian depends on the inputs (this would be "
                    "violated by a linear function for example)."
                )
            if input_type == "grad_inputs":
                raise RuntimeError(
                    f"The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."
                )
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."
            )


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs without a graph and allows unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    new_outputs, new_gos = [], []
    for out, go in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            new_outputs.append(out)
            new_gos.append(go)
    if not new_outputs:
        return (None,) * len(inputs)
    from . import grad as autograd_grad

    return autograd_grad(new_outputs, inputs, new_gos, allow_unused=True, create_graph=create_graph,
                         retain_graph=retain_graph)  # fmt: skip


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    from ..creation import zeros_like

    res = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(
                        "The output of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode."
                    )
                if stage == "back_trick":
                    raise RuntimeError(
                        f"The gradient with respect to the input is independent of entry {i} in "
                        "the grad_outputs when using the double backward trick to compute forward "
                        "mode gradients. This is not allowed in strict mode."
                    )
                if stage == "double_back":
                    raise RuntimeError(
                        "The jacobian of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode."
                    )
                raise RuntimeError(
                    "The hessian of the user-provided function is independent of entry "
                    f"{i} in the grad_jacobian. This is not allowed in strict mode as it "
                    "prevents from using the double backward trick to replace forward mode AD."
                )
            g = zeros_like(r)
        res.append(g)
    return tuple(res)


def _check_outputs(outputs, fn_name):
    return _as_tuple(outputs, "outputs of the user-provided function", fn_name)


def _call_recorded(func, inputs, create_graph, strict, name):
    """Fresh differentiable ``inputs`` and ``func``'s checked outputs (call under enable_grad)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _check_outputs(outputs, name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    return is_inputs_tuple, inputs, is_outputs_tuple, outputs


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    from .grad_mode import enable_grad

    with enable_grad():
        is_inputs_tuple, inputs, is_outputs_tuple, outputs = _call_recorded(
            func, inputs, create_graph, strict, "vjp"
        )
        v = _checked_v(v, "vjp", create_graph, outputs, is_outputs_tuple, _V_NONE_OUTPUT)
    from .grad_mode import set_grad_enabled

    with set_grad_enabled(create_graph):
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    return _postprocess_pair(outputs, is_outputs_tuple, res, is_inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product (double-vjp trick)."""
    from ..creation import zeros_like
    from .grad_mode import enable_grad

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _checked_v(v, "jvp", create_graph, inputs, is_inputs_tuple, _V_NONE_INPUT)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _check_outputs(outputs, "jvp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        grad_outputs = tuple(zeros_like(out).requires_grad_(True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    if create_graph:
        with enable_grad():
            grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
            jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    else:
        grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    return _postprocess_pair(outputs, is_outputs_tuple, jvp_res, is_outputs_tuple, create_graph)


def _one_hot_like(out, j):
    from ..creation import zeros_like

    z = zeros_like(out)
    z._data.reshape(-1)[j] = 1
    return z


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` per pair.

    Args:
        create_graph: make the result differentiable (for higher derivatives).
        strict: raise when an output does not depend on an input instead of giving zeros.
        vectorize, strategy: accepted for PyTorch compatibility (one backward per row).
    """
    from .grad_mode import enable_grad

    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            'torch.autograd.functional.jacobian: `strategy="forward-mode"` is only '
            "implemented together with `vectorize=True`."
        )
    if strategy == "forward-mode" and create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.'
        )
    with enable_grad():
        is_inputs_tuple, inputs, is_outputs_tuple, outputs = _call_recorded(
            func, inputs, create_graph, strict, "jacobian"
        )
        jacobian_rows = []
        for i, out in enumerate(outputs):
            per_input = [[] for _ in inputs]
            for j in range(out.nelement()):
                vj = _autograd_grad((out,), inputs, (_one_hot_like(out, j),), retain_graph=True,
                                    create_graph=create_graph)  # fmt: skip
                for el_idx, (g, inp) in enumerate(zip(vj, inputs)):
                    if g is None:
                        if strict and create_graph and not inp.requires_grad:
                            raise RuntimeError(
                                "The jacobian of the user-provided function is independent of "
                                f"input {i}. This is not allowed in strict mode when "
                                "create_graph=True."
                            )
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {el_idx}. This is not allowed in strict mode."
                            )
                        from ..creation import zeros_like

                        g = zeros_like(inp)
                    per_input[el_idx].append(g)
            row = []
            for el_idx, inp in enumerate(inputs):
                if per_input[el_idx]:
                    jac = _stack(per_input[el_idx], 0)
                else:
                    from ..creation import zeros

                    jac = zeros((0,) + tuple(inp.shape), dtype=inp.dtype)
                row.append(jac.reshape(tuple(out.shape) + tuple(inp.shape)))
            jacobian_rows.append(tuple(row))
        res = _grad_postprocess(tuple(jacobian_rows), create_graph)
        return _tuple_postprocess(res, (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):  # fmt: skip
    """The Hessian of a scalar ``func`` at ``inputs`` (the Jacobian of its gradient)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _check_outputs(out, "hessian")
        if is_out_tuple or not isinstance(out, _tensor_cls()):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def jac_func(*inp):
        inp = tuple(t if t.requires_grad else t.requires_grad_(True) for t in inp)
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)  # fmt: skip
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    from .grad_mode import enable_grad, set_grad_enabled

    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_gradient(
            func, inputs, v, create_graph, strict, "vhp"
        )
    with set_grad_enabled(create_graph):
        grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    return _postprocess_pair(outputs, is_outputs_tuple, res, is_inputs_tuple, create_graph)


def _scalar_gradient(func, inputs, v, create_graph, strict, name):
    """The shared first half of ``vhp``/``hvp``: checked inputs and ``v``, the scalar
    output, and its gradient recorded for a second differentiation (call under enable_grad).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    v = _checked_v(v, name, create_graph, inputs, is_inputs_tuple, _V_NONE_INPUT)
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _check_outputs(outputs, name)
    _check_single(outputs, is_outputs_tuple, name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict=strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def _check_single(outputs, is_tuple, name):
    if is_tuple or not isinstance(outputs[0], _tensor_cls()):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {name} should contain a single element"
        )


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func`` (double-vjp trick on the gradient)."""
    from ..creation import zeros_like
    from .grad_mode import enable_grad, set_grad_enabled

    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_gradient(
            func, inputs, v, create_graph, strict, "hvp"
        )
        grad_jac = tuple(zeros_like(inp).requires_grad_(True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
    with set_grad_enabled(create_graph):
        grad_res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
    return _postprocess_pair(outputs, is_outputs_tuple, res, is_inputs_tuple, create_graph)


def _stack(tensors, dim=0):
    """``ember.stack`` (differentiable), imported late: the op families load after autograd."""
    from ..ops.join import stack

    return stack(list(tensors), dim)
