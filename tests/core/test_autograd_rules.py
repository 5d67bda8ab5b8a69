"""SPEC section 2: the PyTorch autograd rules that are easy to get wrong (rule numbers cited)."""

import gc
import threading
import warnings
import weakref

import numpy as np
import pytest

import ember as torch


def test_rule1_propagation():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2)
    assert (a + b).requires_grad
    assert not (b + b).requires_grad
    with torch.no_grad():
        assert not (a + b).requires_grad


def test_rule2_leaf_rule():
    x = torch.ones(2, requires_grad=True)
    assert x.is_leaf and torch.ones(2).is_leaf
    for y in (x.double(), x.clone(), x.view(2), x * 1):
        assert not y.is_leaf
    assert x.to("cpu") is x and x.to("cpu").is_leaf
    assert (torch.ones(2) * 2).is_leaf


def test_rule3_nonleaf_grad_warns_and_retain_grad_accumulates():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert y.grad.tolist() == [4.0, 4.0]
    z.backward()
    assert y.grad.tolist() == [8.0, 8.0]


def test_rule4_grad_lifecycle():
    x = torch.ones(3, requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert x.grad is g  # accumulated in place
    assert x.grad.tolist() == [5.0, 5.0, 5.0]
    x.grad = None
    with pytest.warns(UserWarning, match="create_graph=True will create a reference cycle"):
        (x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None


def test_rule5_only_floats_require_grad():
    with pytest.raises(
        RuntimeError,
        match="Only Tensors of floating point and complex dtype can require gradients",
    ):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        torch.arange(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require"):
        torch.tensor([1, 2]).requires_grad_()
    x = torch.tensor([1.0, 3.0], requires_grad=True)
    assert not (x > 1).requires_grad


def test_rule6_requires_grad_on_nonleaf():
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        y.requires_grad_(False)


def test_rule7_grad_dtype_layout_and_size():
    x = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == torch.float64
    base = torch.ones(4, 3, requires_grad=True)
    with torch.no_grad():
        xt = base.detach().t()
    xt.requires_grad_(True)
    (xt * 2).sum().backward()
    assert xt.grad.stride() == (1, 3)
    with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[3\]'"):
        torch.ones(2, requires_grad=True).grad = torch.ones(3)


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_rule8_implicit_seed(shape):
    x = torch.ones(shape, requires_grad=True)
    (x * 3).backward()
    assert x.grad.reshape(-1).tolist() == [3.0]


def test_rule9_gradient_shape_exact():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        (x * 2).backward(torch.ones(1))
    assert str(e.value).startswith(
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([1]) and output[0] has a "
        "shape of torch.Size([3])."
    )
    (x * 2).backward(torch.ones(3, dtype=torch.float64))  # another float dtype is cast
    assert x.grad.dtype == torch.float32


def test_rule10_nothing_requires_grad():
    msg = "element 0 of tensors does not require grad and does not have a grad_fn"
    with pytest.raises(RuntimeError, match=msg):
        torch.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match=msg):
        torch.autograd.grad(torch.ones(2).sum(), [torch.ones(2, requires_grad=True)])


def test_rule11_second_backward():
    a = torch.ones(3, requires_grad=True)
    b = (a * a).sum()
    b.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        b.backward()
    a2 = torch.ones(1, requires_grad=True)
    c = a2 + 1  # saves nothing: a second backward is fine
    c.backward()
    c.backward()
    assert a2.grad.tolist() == [2.0]
    d = (a * a).sum()
    d.backward(retain_graph=True)
    d.backward()


def test_rule12_backward_inputs():
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    h = x * 3
    (h * w).sum().backward(inputs=[w, h])
    assert x.grad is None
    assert w.grad.tolist() == [3.0, 3.0]
    assert h._grad.tolist() == [1.0, 1.0]


def test_rule14_autograd_grad():
    x = torch.ones(2, requires_grad=True)
    u = torch.ones(2, requires_grad=True)
    y = (x * 2).sum()
    (g,) = torch.autograd.grad(y, x, retain_graph=True)
    assert g.tolist() == [2.0, 2.0] and x.grad is None
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not"):
        torch.autograd.grad(y, [x, u], retain_graph=True)
    assert torch.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True)[1] is None
    z = torch.autograd.grad(y, [x, u], retain_graph=True, materialize_grads=True)[1]
    assert z.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require"):
        torch.autograd.grad(y, [torch.ones(2)])


def test_rule15_higher_order():
    x = torch.tensor(3.0, requires_grad=True)
    (g,) = torch.autograd.grad(x**3, x, create_graph=True)
    assert g.item() == 27.0 and g.grad_fn.name() == "MulBackward0"
    (g2,) = torch.autograd.grad(g, x)
    assert g2.item() == 18.0
    (c,) = torch.autograd.grad(2 * x, x, create_graph=True)
    assert not c.requires_grad
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.autograd.grad(c, x)


def test_rule16_broadcast_gradients_keep_size1_dims():
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(1, 4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (1, 4)
    assert a.grad.tolist() == [[4.0]] * 3
    e = torch.ones(3, requires_grad=True)
    e.expand(2, 3).sum().backward()
    assert e.grad.tolist() == [2.0, 2.0, 2.0]


def test_rule17_inplace_cannot_broadcast_target():
    with pytest.raises(RuntimeError, match=r"output with shape \[1\] doesn't match the broadcast"):
        torch.ones(1).add_(torch.ones(3))


def test_rule18_repeated_indices_accumulate():
    x = torch.ones(3, requires_grad=True)
    x[[0, 0, 1]].sum().backward()
    assert x.grad.tolist() == [2.0, 1.0, 0.0]


def test_rule27_grad_modes():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        z = torch.ones(2, requires_grad=True)
        with torch.enable_grad():
            w = x * 2
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.is_leaf
    assert w.requires_grad

    @torch.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()


def test_rule27_grad_mode_is_thread_local():
    seen = []

    def worker():
        seen.append(torch.is_grad_enabled())

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [True]


def test_rule28_inplace_on_leaf():
    p = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in"):
        p -= 0.1 * torch.ones(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        p[:1].mul_(2)
    with torch.no_grad():
        p -= 0.1 * torch.ones(2)
    assert p.is_leaf and p.grad_fn is None
    assert np.allclose(p.detach().numpy(), 0.9)


def test_rule29_version_counter():
    x = torch.ones(3, requires_grad=True)
    y = x.exp()
    assert y._version_value == 0
    y.add_(1)
    assert y._version_value == 1
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    assert str(e.value).startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead. Hint: enable anomaly detection"
    )
    assert "test_autograd_rules.py" in str(e.value)  # Ember names where it was modified
    # sigmoid saves its output, so modifying its input is fine
    a = torch.ones(3, requires_grad=True) * 1
    s = a.sigmoid()
    a.mul_(2)
    s.sum().backward()
    # x**2 saves its input
    b = torch.ones(3, requires_grad=True) * 1
    q = b**2
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        q.sum().backward()
    # a*2 saves no tensor
    c = torch.ones(3, requires_grad=True)
    y2 = c * 2
    y2.add_(1)
    y2.sum().backward()
    assert c.grad.tolist() == [2.0, 2.0, 2.0]


def test_rule30_detach_shares_version_counter():
    x = torch.ones(3, requires_grad=True)
    y = x.exp()
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    d.zero_()
    assert y.detach().numpy().tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = x.exp()
    z.data.zero_()  # .data bypasses the check
    z.sum().backward()
    w = x * 2
    w.detach_()
    assert w.is_leaf and not w.requires_grad


def test_rule31_inplace_on_view_of_nonleaf():
    x = torch.ones(3, requires_grad=True)
    y = x * 1
    y[:2].mul_(2)
    assert y.grad_fn.name() == "torch::autograd::CopySlices"  # PyTorch's name
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 1.0]


def test_setitem_on_graph_tensor():
    x = torch.ones(4, requires_grad=True)
    v = torch.full((2,), 3.0, requires_grad=True)
    y = x * 2
    y[1:3] = v * v
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0, 2.0]
    assert v.grad.tolist() == [6.0, 6.0]


def test_rule32_inference_mode():
    with torch.inference_mode():
        t = torch.ones(2)
    assert t.is_inference()
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside"):
        t.add_(1)
    with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor"):
        t.requires_grad_()


def test_rule33_conversions():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    assert x.sum().item() == 2.0 and x.tolist() == [1.0, 1.0]
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        float(x.sum())
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        torch.tensor(x)


def test_hooks_on_leaf_and_nonleaf():
    x = torch.ones(2, requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: g * 10)
    y = x * 2
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [20.0, 20.0]
    h.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_fn_names_and_next_functions():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    assert y.grad_fn.name() == "MulBackward0"
    (acc, nr), (none, _) = y.grad_fn.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert acc.variable is x and none is None
    assert (x + x).grad_fn.next_functions[0][0] is (x + x).grad_fn.next_functions[1][0]


def test_graph_freed_by_refcount_without_gc():
    gc.disable()
    try:
        x = torch.ones(100, requires_grad=True)
        y = (x.exp() * 2).sum()
        ref = weakref.ref(y.grad_fn)
        y.backward()
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_training_loop_memory_is_flat():
    import resource

    w = torch.randn(64, 64, requires_grad=True)
    data = torch.randn(32, 64)

    def step():
        loss = ((data @ w).tanh() ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.sub_(0.01 * w.grad)
        w.grad = None

    for _ in range(200):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gc.disable()
    try:
        for _ in range(2000):
            step()
    finally:
        gc.enable()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 20_000  # KiB: graphs must not pile up


def test_warnings_not_emitted_for_leaf_grad():
    x = torch.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None


def test_set_num_threads_resizes_the_blas_pool():
    pytest.importorskip("threadpoolctl")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(before)
    with pytest.raises(RuntimeError, match="positive integer"):
        torch.set_num_threads(0)
