"""The op recorder's inline paths (one input needing grad, or two tensors) record what the
general path records: PyTorch's edges, the saved values and their version checks."""

import numpy as np
import pytest
import torch

import ember


def _edges(lib, t):
    return [(None if n is None else type(n).__name__, i) for n, i in t.grad_fn.next_functions]


@pytest.mark.parametrize(
    "expr",
    [
        lambda x, w: 2 * x,
        lambda x, w: 2.5 + x,
        lambda x, w: x * 3,
        lambda x, w: 1 - x,
        lambda x, w: x * w,
        lambda x, w: w * x,
        lambda x, w: x - w.detach(),
        lambda x, w: w.detach() / x,
        lambda x, w: (x * w).tanh(),
        lambda x, w: x.exp() * x,
    ],
)
def test_edges_values_and_gradients_match_pytorch(expr):
    outs = {}
    for lib in (ember, torch):
        x = lib.tensor([0.5, -1.25, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([1.5, 0.25, -3.0], dtype=lib.float64, requires_grad=True)
        y = expr(x, w)
        edges = _edges(lib, y)
        y.sum().backward()
        grads = [None if t.grad is None else np.array(t.grad.tolist()) for t in (x, w)]
        outs[lib] = (type(y.grad_fn).__name__, edges, np.array(y.tolist()), grads)
    (name, edges, values, grads), (t_name, t_edges, t_values, t_grads) = outs[ember], outs[torch]
    assert (name, edges) == (t_name, t_edges)
    np.testing.assert_allclose(values, t_values, rtol=1e-12)
    assert [g is None for g in grads] == [g is None for g in t_grads]
    for g, t_g in zip(grads, t_grads):
        if g is not None:
            np.testing.assert_allclose(g, t_g, rtol=1e-12)


@pytest.mark.parametrize("lib", [ember, torch])
def test_saved_input_modified_in_place_is_refused(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    b = lib.tensor([3.0, 4.0], requires_grad=True) * 1.0
    y = a * b  # saves both inputs
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("lib", [ember, torch])
def test_saved_output_modified_in_place_is_refused(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 1.0).exp()  # saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_number_operands_are_kept_as_numbers():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.5
    assert y.grad_fn._saved == (1.5, None)
    y.sum().backward()
    assert x.grad.tolist() == [1.5, 1.5]


@pytest.mark.parametrize(
    "expr",
    [
        lambda x: x.sum(),
        lambda x: x.sum(0, keepdim=True),
        lambda x: x.norm(),
        lambda x: x.norm(3, dim=1),
        lambda x: x.mean(1),
        lambda x: x.softmax(-1),
        lambda x: x.pow(3),
        lambda x: 2.0 - x,
    ],
)
def test_one_tensor_among_plain_arguments(expr):
    outs = {}
    for lib in (ember, torch):
        x = lib.tensor([[0.5, -1.25, 2.0], [1.0, 3.0, -0.5]], dtype=lib.float64)
        x.requires_grad_()
        y = expr(x)
        assert y.grad_fn.next_functions[0][0] is not None
        names = [None if n is None else type(n).__name__ for n, _ in y.grad_fn.next_functions]
        y.sum().backward()
        outs[lib] = (type(y.grad_fn).__name__, names, y.detach().numpy(), x.grad.numpy())
    assert outs[ember][:2] == outs[torch][:2]
    for mine, theirs in zip(outs[ember][2:], outs[torch][2:]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


@pytest.mark.parametrize("lib", [ember, torch])
def test_saved_input_of_a_reduction_modified_in_place_is_refused(lib):
    y = lib.tensor([3.0, 4.0], requires_grad=True) * 1.0
    n = y.norm()  # saves its input and its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        n.backward()


@pytest.mark.parametrize("lib", [ember, torch])
def test_inference_tensor_saved_for_backward_is_refused(lib):
    with lib.inference_mode():
        x = lib.tensor([3.0, 4.0])
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        x * w


@pytest.mark.parametrize("lib", [ember, torch])
def test_anomaly_mode_records_the_same_edges(lib):
    """Anomaly mode records through the general path: the edges are the inline path's."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    exprs = (lambda: x * 2, lambda: 2 * x, lambda: 2 - x, lambda: x.pow(3), lambda: x.softmax(0))
    plain = [len(f().grad_fn.next_functions) for f in exprs]
    with lib.autograd.set_detect_anomaly(True):
        checked = [len(f().grad_fn.next_functions) for f in exprs]
    assert plain == checked == [2, 2, 1, 1, 1]
