"""Adversarial checks of the inline recording in ``Node.apply`` and the engine's single-path
runner: every graph shape, hook, error and 0-d fast path gives PyTorch's answer."""

import gc
import threading
import weakref

import numpy as np
import pytest
import torch

import ember


def _np(t):
    """A tensor's values as float64 (or complex128) NumPy, None for None."""
    if t is None:
        return None
    t = t.detach()
    if t.dtype.is_floating_point:
        t = t.double()
    return t.numpy()


def _same(a, b):
    """Assert two tensors (or None) have the same dtype name, shape and values (NaN = NaN)."""
    if a is None or b is None:
        assert a is None and b is None, (a, b)
        return
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(_np(a), _np(b))


def _leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


# ----- graph shapes --------------------------------------------------------------------------
V = [0.25, -1.5, 2.0]
GRAPHS = {
    "x * x": lambda x, w: (x * x).sum(),
    "x + x": lambda x, w: (x + x).sum(),
    "x - x": lambda x, w: (x - x).sum(),
    "x / x": lambda x, w: (x / x).sum(),
    "2 * x chain": lambda x, w: (2 * (3 + x) * 0.5 - 1).sum(),
    "number - x / number": lambda x, w: (1 - x / 4).sum(),
    "number / x": lambda x, w: (2 / x).sum(),
    "diamond": lambda x, w: ((x * 2).exp() + (x * 2).sin()).sum(),
    "shared leaf in two ops": lambda x, w: (x * w + x.exp() * w).sum(),
    "long chain": lambda x, w: ((((x * 1.1 + 0.2).tanh() * 3).sigmoid() - 0.1) ** 2).sum(),
    "x ** 2 chain then branch": lambda x, w: (x**2).sum() * (x**2).sum(),
    "norm": lambda x, w: x.norm() * 2,
    "norm of a 0-d": lambda x, w: x.sum().norm(),
    "sum of a 0-d": lambda x, w: x.sum().sum().sum() * 3,
    "0-d arithmetic": lambda x, w: ((x.sum() * 2 + 1) / 3 - 0.5) ** 2,
    "0-d times a vector": lambda x, w: (x.sum() * w).sum(),
    "vector times a 0-d": lambda x, w: (w * x.sum()).sum(),
    "w used twice, x once": lambda x, w: (w * w * x).sum(),
    "detached branch": lambda x, w: (x * 3 + x.detach() * w).sum(),
}


def _run(lib, name, **kw):
    x = _leaf(lib, V)
    w = _leaf(lib, [0.5, 4.0, -3.0])
    GRAPHS[name](x, w).backward(**kw)
    return x.grad, w.grad


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_gradients_match_pytorch(name):
    for a, b in zip(_run(ember, name), _run(torch, name)):
        if a is None or b is None:
            assert a is None and b is None
        else:
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_retain_graph_then_second_backward(name):
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, [0.5, 4.0, -3.0])
        y = GRAPHS[name](x, w)
        y.backward(retain_graph=True)
        first = _np(x.grad).copy()
        y.backward()
        np.testing.assert_allclose(_np(x.grad), 2 * first, rtol=1e-13)


@pytest.mark.parametrize("name", ["x * x", "2 * x chain", "long chain", "norm", "0-d arithmetic"])
def test_backward_twice_without_retain_graph_raises(name):
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, [0.5, 4.0, -3.0])
        y = GRAPHS[name](x, w)
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_second_derivatives_match_pytorch(name):
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, [0.5, 4.0, -3.0])
        (gx,) = lib.autograd.grad(GRAPHS[name](x, w), x, create_graph=True)
        if not gx.requires_grad:
            res.append(None)
            continue
        (gx * gx).sum().backward()
        res.append((x.grad, w.grad))
    if res[0] is None or res[1] is None:
        assert res[0] is None and res[1] is None
        return
    for a, b in zip(*res):
        if a is None or b is None:
            assert a is None and b is None
        else:
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)


def test_grad_leaf_strides_follow_the_variable():
    for layout in ("c", "f", "t"):
        got = []
        for lib in (ember, torch):
            base = lib.tensor(np.arange(12.0).reshape(3, 4), dtype=lib.float64)
            if layout == "f":
                base = base.t().contiguous().t()
            elif layout == "t":
                base = base.t()
            x = base.detach().requires_grad_()
            ((x * 2) * 3).sum().backward()
            esize = x.element_size()
            got.append(tuple(s * esize for s in x.grad.stride()))
        assert got[0] == got[1], layout


def test_leaf_root_with_gradient():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        x.backward(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
        np.testing.assert_array_equal(_np(x.grad), [1.0, 2.0, 3.0])
        x.backward(lib.ones_like(x))
        np.testing.assert_array_equal(_np(x.grad), [2.0, 3.0, 4.0])


def test_seed_is_not_adopted_as_grad():
    # A user's gradient tensor must not become .grad (later accumulation would change it).
    for lib in (ember, torch):
        x = _leaf(lib, V)
        seed = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        x.backward(seed)
        x.backward(seed)
        np.testing.assert_array_equal(_np(seed), [1.0, 2.0, 3.0])
        y = _leaf(lib, V)
        seed = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        (y * 1).backward(seed)
        (y * 1).backward(seed)
        np.testing.assert_array_equal(_np(seed), [1.0, 2.0, 3.0])


def test_grad_not_aliased_between_two_leaves():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, V)
        (x + w).sum().backward()
        x.grad.add_(1)
        np.testing.assert_array_equal(_np(w.grad), [1.0, 1.0, 1.0])


def test_non_scalar_root_with_gradient_and_several_roots():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        a = (x * 2).exp()
        b = x.sin() * 3
        lib.autograd.backward(
            [a, b],
            [lib.ones(3, dtype=lib.float64), lib.tensor([1.0, -1.0, 2.0], dtype=lib.float64)],
        )
        res.append(x.grad)
    np.testing.assert_allclose(_np(res[0]), _np(res[1]), rtol=1e-13)


def test_same_root_twice_in_backward_list():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        y = (x * 2).sum()
        lib.autograd.backward([y, y], [lib.tensor(1.0, dtype=lib.float64)] * 2)
        res.append(x.grad)
    _same(res[0], res[1])


def test_inputs_subset_and_allow_unused():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, V)
        u = _leaf(lib, V)
        y = (x * w).sum() * 2
        y.backward(inputs=[w], retain_graph=True)
        assert x.grad is None
        np.testing.assert_array_equal(_np(w.grad), 2 * np.array(V))
        gx, gu = lib.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
        assert gu is None
        np.testing.assert_array_equal(_np(gx), 2 * np.array(V))
        with pytest.raises(RuntimeError, match="not have been used in the graph"):
            lib.autograd.grad(y, [x, u])


def test_autograd_grad_on_a_chain_leaves_grad_alone():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        (g,) = lib.autograd.grad(((x * 3).exp() * 2).sum(), x)
        assert x.grad is None
        np.testing.assert_allclose(_np(g), 6 * np.exp(3 * np.array(V)), rtol=1e-13)


# ----- hooks ---------------------------------------------------------------------------------
def test_tensor_hook_on_a_chain_replaces_the_gradient():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        h = x * 2
        h.register_hook(lambda g: g * 10)
        m = h.exp()
        m.register_hook(lambda g: g + 1)
        m.sum().backward()
        res.append(x.grad)
    np.testing.assert_allclose(_np(res[0]), _np(res[1]), rtol=1e-13)


def test_leaf_hook_and_post_accumulate_hook_on_a_chain():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        seen = []
        x.register_hook(lambda g: g * 3)
        x.register_post_accumulate_grad_hook(lambda t, seen=seen: seen.append(_np(t.grad).copy()))
        (x * 2).sum().backward()
        np.testing.assert_array_equal(_np(x.grad), [6.0, 6.0, 6.0])
        assert len(seen) == 1
        np.testing.assert_array_equal(seen[0], [6.0, 6.0, 6.0])


def test_retain_grad_mid_chain():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        a = x * 2
        a.retain_grad()
        b = a.exp()
        b.retain_grad()
        c = (b * 3).sum()
        c.backward()
        np.testing.assert_allclose(_np(b.grad), [3.0] * 3)
        np.testing.assert_allclose(_np(a.grad), 3 * np.exp(2 * np.array(V)), rtol=1e-13)


def test_node_hooks_registered_after_recording():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        y = (x * 2).exp()
        calls = []

        def pre(go, calls=calls):
            calls.append("pre")
            return (go[0] * 5,)

        def post(gi, go, calls=calls):
            calls.append("post")

        y.grad_fn.register_prehook(pre)
        y.grad_fn.next_functions[0][0].register_hook(post)
        y.sum().backward()
        res.append((calls, x.grad))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(_np(res[0][1]), _np(res[1][1]), rtol=1e-13)


@pytest.mark.parametrize("root", ["chain", "leaf", "branch"])
def test_accumulate_grad_node_prehook(root):
    # A pre-hook on a leaf's AccumulateGrad node may replace the gradient.
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        calls = []

        def pre(g, calls=calls):
            calls.append("pre")
            return (g[0] * 10,)

        acc.register_prehook(pre)
        if root == "chain":
            (y * 3).sum().backward()
        elif root == "leaf":
            x.backward(lib.ones_like(x))
        else:
            (y * 3 + x).sum().backward()
        res.append((calls, x.grad))
    assert res[0][0] == res[1][0]
    _same(res[0][1], res[1][1])


def test_accumulate_grad_node_post_hook():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        y = x * 2
        calls = []
        y.grad_fn.next_functions[0][0].register_hook(lambda gi, go, c=calls: c.append(len(go)))
        (y * 3 + x).sum().backward()
        res.append(calls)
    assert res[0] == res[1]


def test_hook_modifying_the_grad_in_place():
    res = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        h = x * 2
        h.register_hook(lambda g: g.mul_(4))
        (h * 1.5).sum().backward()
        res.append(x.grad)
    _same(res[0], res[1])


def test_hook_removed_before_backward():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        h = x * 2
        handle = h.register_hook(lambda g: g * 100)
        handle.remove()
        (h * 1.5).sum().backward()
        np.testing.assert_array_equal(_np(x.grad), [3.0] * 3)


# ----- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("op", ["mul", "div", "pow2", "exp", "norm"])
def test_in_place_change_of_a_saved_input_is_caught(op, shape):
    for lib in (ember, torch):
        x = _leaf(lib, np.full(shape, 1.5))
        a = x * 1  # a non-leaf we may change in place
        if op == "mul":
            y = a * 2.5
            saved_input = False  # x * number saves the number only
        elif op == "div":
            y = x / a  # saves the divisor
            saved_input = True
        elif op == "pow2":
            y = a**2
            saved_input = True
        elif op == "exp":
            y = a.exp()
            saved_input = False
        else:
            y = a.norm()
            saved_input = True
        a.add_(1)
        if saved_input:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                y.sum().backward()
        else:
            y.sum().backward()
            assert x.grad is not None


@pytest.mark.parametrize("shape", [(), (3,)])
def test_in_place_change_of_a_saved_output_is_caught(shape):
    for lib in (ember, torch):
        x = _leaf(lib, np.full(shape, 0.5))
        y = (x * 2).exp()
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_in_place_change_of_two_tensor_mul_inputs():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, V)
        a, b = x * 1, w * 1
        y = a * b
        b.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def _doubling(lib, backward):
    """A custom Function whose forward doubles its input and whose backward is ``backward``."""
    return type("Doubling", (lib.autograd.Function,), {
        "forward": staticmethod(lambda ctx, x: x * 2),
        "backward": staticmethod(backward),
    })  # fmt: skip


def test_custom_function_wrong_gradient_shape_in_a_chain():
    errs = []
    for lib in (ember, torch):
        bad = _doubling(lib, lambda ctx, g: g.new_ones(5))
        x = _leaf(lib, V)
        with pytest.raises(RuntimeError) as e:
            (bad.apply(x * 1) * 3).sum().backward()
        errs.append(str(e.value))
    assert "returned an invalid gradient at index 0" in errs[0]
    assert errs[0].split(" - ")[1] == errs[1].split(" - ")[1]


def test_custom_function_returning_too_many_gradients_in_a_chain():
    for lib in (ember, torch):
        bad = _doubling(lib, lambda ctx, g: (g, g))
        x = _leaf(lib, V)
        with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
            (bad.apply(x * 1) * 3).sum().backward()


def test_custom_function_returning_none_in_a_chain():
    for lib in (ember, torch):
        stop = _doubling(lib, lambda ctx, g: None)
        x = _leaf(lib, V)
        (stop.apply((x * 2).exp()) * 3).sum().backward()
        assert x.grad is None


def test_backward_on_a_tensor_that_needs_no_grad():
    for lib in (ember, torch):
        x = lib.tensor(V, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="does not require grad"):
            (x * 2).sum().backward()


# ----- 0-d tensors ---------------------------------------------------------------------------
ZERO_D_VALUES = [1.5, -0.0, 0.0, 3.0e38, float("inf"), float("nan"), 1e-40]
# (x.norm() of the extremes 3e38 and 1e-40 is checked apart, below)
NUMBERS = [2, 2.5, -0.0, 0, float("inf"), float("nan")]
OPS = {
    "x + c": lambda x, c: x + c,
    "c + x": lambda x, c: c + x,
    "x - c": lambda x, c: x - c,
    "c - x": lambda x, c: c - x,
    "x * c": lambda x, c: x * c,
    "c * x": lambda x, c: c * x,
    "x / c": lambda x, c: x / c,
    "x ** 2": lambda x, c: x**2,
    "x.sum()": lambda x, c: x.sum(),
    "x.norm()": lambda x, c: x.norm(),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_zero_d_values_and_gradients_match_pytorch(op, dtype):
    for v in ZERO_D_VALUES:
        if op == "x.norm()" and v in (3.0e38, 1e-40):
            continue
        for c in NUMBERS:
            got = []
            for lib in (ember, torch):
                x = _leaf(lib, v, dtype)
                y = OPS[op](x, c)
                y.backward()
                got.append((y, x.grad))
            _same(got[0][0], got[1][0])
            _same(got[0][1], got[1][1])
            # signed zeros too
            a, b = _np(got[0][0]), _np(got[1][0])
            if not np.isnan(b):
                assert np.signbit(a) == np.signbit(b), (op, v, c)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zero_d_result_is_a_tensor_with_its_own_storage(dtype):
    for lib in (ember, torch):
        x = lib.tensor(1.5, dtype=getattr(lib, dtype))
        for y in (x + 1, 1 + x, x * 2, x / 2, x - 1, x**2, x.sum(), x.norm()):
            assert y.dim() == 0
            y.add_(1)  # writable, and not x's storage
        assert x.item() == 1.5


def test_zero_d_result_types_with_zero_d_and_dimensioned_tensors():
    for d1 in ("float32", "float64", "float16"):
        for d2 in ("float32", "float64", "float16", "int64", "int32", "bool"):
            for shape in ((), (2,)):
                got = []
                for lib in (ember, torch):
                    x = lib.tensor(1.25, dtype=getattr(lib, d1))
                    y = lib.ones(shape, dtype=getattr(lib, d2))
                    got.append([x + y, x - y if d2 != "bool" else x, x * y, x / y, y * x])
                for a, b in zip(*got):
                    _same(a, b)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "int64"])
def test_zero_d_integer_overflow_wraps_like_pytorch(dtype):
    for c in (127, 100, 2**15, 2**31 - 1, -3):
        got = []
        for lib in (ember, torch):
            x = lib.tensor(100, dtype=getattr(lib, dtype))
            try:
                got.append([x + c, c + x, x * c, c * x, x - c])
            except Exception as e:  # out-of-range numbers: both must refuse alike
                got.append(type(e))
        if isinstance(got[1], type):
            assert got[0] is got[1]
            continue
        for a, b in zip(*got):
            _same(a, b)


def test_zero_d_comparisons_with_numbers():
    for dtype in ("float16", "float32", "float64"):
        for v in (1.5, float("nan"), -0.0, 65504.0):
            for c in (1.5, 0, -0.0, float("nan"), float("inf"), 65520.0):
                got = []
                for lib in (ember, torch):
                    x = lib.tensor(v, dtype=getattr(lib, dtype))
                    got.append([x < c, x <= c, x == c, x != c, x > c, x >= c])
                for a, b in zip(*got):
                    assert a.dtype == b.dtype == torch.bool or str(a.dtype) == "torch.bool"
                    assert bool(a) == bool(b), (dtype, v, c)


def test_zero_d_complex_with_numbers():
    for c in (2, 2.5, 1j):
        got = []
        for lib in (ember, torch):
            x = lib.tensor(1.5 + 2j, dtype=lib.complex64, requires_grad=True)
            ys = [x + c, c + x, x * c, c * x, x - c, x / c, x**2]
            sum(y.abs() for y in ys).backward()
            got.append(ys + [x.grad])
        for a, b in zip(*got):
            np.testing.assert_allclose(_np(a), _np(b), rtol=2e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_zero_d_narrow_floats_with_numbers(dtype):
    for v in (1.5, -0.0, 3.0, 0.1):
        for c in (2, 2.5, 0.1, 3):
            got = []
            for lib in (ember, torch):
                x = _leaf(lib, v, dtype)
                ys = [x + c, c + x, x * c, c * x, x - c, c - x, x / c, c / x, x**2]
                sum(ys).backward()
                got.append(ys + [x.grad])
            for a, b in zip(*got):
                _same(a, b)


def test_sum_of_a_zero_d_negative_zero_is_positive_zero():
    # PyTorch adds the value to a zero: -0.0 sums to +0.0 (the NumPy-scalar path returned
    # the value itself).
    for dtype in ("float16", "bfloat16", "float32", "float64"):
        got = []
        for lib in (ember, torch):
            x = lib.tensor(-0.0, dtype=getattr(lib, dtype))
            got.append([x.sum(), x.sum(0), lib.sum(x), x.sum(dim=(), keepdim=True)])
        for a, b in zip(*got):
            _same(a, b)
            assert np.signbit(_np(a)) == np.signbit(_np(b)), dtype
    got = []
    for lib in (ember, torch):
        z = lib.tensor(complex(-0.0, -0.0), dtype=lib.complex64).sum()
        got.append(np.signbit([z.real.item(), z.imag.item()]).tolist())
    assert got[0] == got[1]


# ----- norm ----------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, -1, float("inf"), float("-inf"), 0])
@pytest.mark.parametrize("v", [1.5, -2.0, 0.0, -0.0])
def test_norm_of_one_value_matches_pytorch(p, v):
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, v)
        y = lib.linalg.vector_norm(x, ord=p)
        y.backward()
        got.append((y, x.grad))
    _same(got[0][0], got[1][0])
    _same(got[0][1], got[1][1])


@pytest.mark.parametrize("p", [2, 1, float("inf")])
def test_norm_over_a_dim_of_length_one(p):
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, [[1.5], [-2.0], [0.0]])
        y = lib.linalg.vector_norm(x, ord=p, dim=1, keepdim=True)
        (y * lib.tensor([[1.0], [2.0], [3.0]], dtype=lib.float64)).sum().backward()
        got.append((y, x.grad))
    _same(got[0][0], got[1][0])
    _same(got[0][1], got[1][1])


@pytest.mark.parametrize(
    "dtype, v", [("float32", 1e-40), ("float32", 3.0e38), ("float64", 1e-310), ("float64", 1e308)]
)
def test_norm_gradient_of_one_extreme_value(dtype, v):
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, v, dtype)
        y = x.norm()
        y.backward()
        got.append((y, x.grad))
    _same(got[0][0], got[1][0])
    _same(got[0][1], got[1][1])


def test_norm_with_empty_dim_list():
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, [[1.5, 2.0], [-2.0, 0.5]])
        ys = []
        for f in (
            lambda lib=lib, x=x: lib.linalg.vector_norm(x, dim=()),
            lambda lib=lib, x=x: lib.linalg.vector_norm(x, dim=[]),
            lambda x=x: x.norm(p=1, dim=()),
        ):
            try:
                ys.append(f())
            except Exception as e:
                ys.append(type(e).__name__)
        got.append(ys)
    for a, b in zip(*got):
        if isinstance(b, str):
            assert a == b
        else:
            _same(a, b)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "complex64"])
def test_norm_default_call_dtypes(dtype):
    got = []
    for lib in (ember, torch):
        x = lib.tensor([3.0, 4.0, 0.5], dtype=getattr(lib, dtype), requires_grad=True)
        y = x.norm()
        y.backward()
        got.append((y, x.grad))
    np.testing.assert_allclose(_np(got[0][0]), _np(got[1][0]), rtol=1e-3)
    assert got[0][0].dtype == getattr(ember, dtype if dtype != "complex64" else "float32")
    np.testing.assert_allclose(_np(got[0][1]), _np(got[1][1]), rtol=1e-2)


def test_norm_of_integer_tensor_raises_like_pytorch():
    errs = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as e:
            lib.tensor([3, 4]).norm()
        errs.append(str(e.value))
        with pytest.raises(RuntimeError):
            lib.tensor(3).norm()
    assert errs[0].startswith(errs[1][:40])


# ----- graph introspection -------------------------------------------------------------------
def _names(fn, depth=4):
    if fn is None or depth == 0:
        return None
    return (
        fn.name(),
        tuple((_names(f, depth - 1), nr if f is not None else 0) for f, nr in fn.next_functions),
    )


GRAPH_NAMES = {
    "2 * x": lambda x, c: 2 * x,
    "2 + x": lambda x, c: 2 + x,
    "x + 2": lambda x, c: x + 2,
    "1 - x": lambda x, c: 1 - x,
    "2 / x": lambda x, c: 2 / x,
    "x ** 2": lambda x, c: x**2,
    "x * c": lambda x, c: x * c,
    "c * x": lambda x, c: c * x,
    "x.sum()": lambda x, c: x.sum(),
    "x.sum(0)": lambda x, c: x.sum(0),
    "x.norm()": lambda x, c: x.norm(),
    "x.exp()": lambda x, c: x.exp(),
    "softmax": lambda x, c: x.softmax(0),
    "x * x": lambda x, c: x * x,
    "clamp": lambda x, c: x.clamp(0, 1),
}


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("name", sorted(GRAPH_NAMES))
def test_next_functions_match_pytorch(name, shape):
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, np.full(shape, 0.5))
        c = lib.full(shape, 2.0, dtype=lib.float64)
        y = GRAPH_NAMES[name](x * 1, c)
        got.append(_names(y.grad_fn))
    assert got[0] == got[1]


# ----- transforms and forward-mode AD ------------------------------------------------------
TRANSFORMED = {
    "norm": lambda x: x.norm(),
    "0-d arithmetic": lambda x: (x.sum() * 2 + 1) ** 2 / 3 - 1,
    "reflected": lambda x: (2 * x + 1 - x / 4).sum(),
    "sum of 0-d": lambda x: x.sum().sum(),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMED))
def test_func_grad_and_vmap(name):
    got = []
    for lib in (ember, torch):
        f = TRANSFORMED[name]
        x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 3.0, -0.25]], dtype=lib.float64)
        g = lib.func.vmap(lib.func.grad(f))(x)
        v = lib.func.vmap(f)(x)
        g0 = lib.func.grad(f)(x[0, 0])
        got.append((g, v, g0))
    for a, b in zip(*got):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-13)


FORWARD_POINTS = {"vector": ([0.5, -1.0, 2.0], [1.0, 0.5, -2.0]), "zero-d": (0.75, 2.0)}


@pytest.mark.parametrize("point", sorted(FORWARD_POINTS))
@pytest.mark.parametrize("name", sorted(TRANSFORMED))
def test_forward_mode_ad(name, point):
    got = []
    for lib in (ember, torch):
        fwAD = lib.autograd.forward_ad
        x, t = (lib.tensor(v, dtype=lib.float64) for v in FORWARD_POINTS[point])
        with fwAD.dual_level():
            out = TRANSFORMED[name](fwAD.make_dual(x, t))
            got.append(fwAD.unpack_dual(out))
    for a, b in zip(*got):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-13)


# ----- anomaly mode ------------------------------------------------------------------------
def test_anomaly_names_the_node_on_a_single_path():
    msgs = []
    for lib in (ember, torch):
        x = _leaf(lib, [0.0, 1.0])
        with lib.autograd.set_detect_anomaly(True):
            y = ((x * 1).sqrt() * 0).sum() * 2  # sqrt's backward at 0 with grad 0: NaN
            with pytest.raises(RuntimeError) as e, pytest.warns(UserWarning):
                y.backward()
        msgs.append(str(e.value))
    assert "returned nan values in its 0th output" in msgs[1]
    assert msgs[0].split("'")[1] == msgs[1].split("'")[1]


def test_anomaly_enabled_after_recording_a_chain():
    msgs = []
    for lib in (ember, torch):
        x = _leaf(lib, [0.0, 1.0])
        y = (x.sqrt() * 0).sum()
        with lib.autograd.set_detect_anomaly(True, check_nan=True):
            with pytest.raises(RuntimeError) as e:
                y.backward()
        msgs.append(str(e.value))
    assert msgs[0].split("'")[1] == msgs[1].split("'")[1]


# ----- threads and memory ------------------------------------------------------------------
def test_two_threads_backward_through_a_shared_leaf():
    x = ember.tensor(np.ones(64), requires_grad=True)
    n = 50
    errors = []

    def work(k):
        try:
            for _ in range(n):
                ((x * k).exp() * 0 + x * k).sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(k,)) for k in (1.0, 2.0)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    np.testing.assert_array_equal(x.grad.numpy(), np.full(64, 3.0 * n))


def test_saved_values_are_freed_after_backward():
    x = ember.tensor(np.ones(1000), requires_grad=True)
    big = x * 2
    ref = weakref.ref(big)
    y = (big * big).sum() * 3
    del big
    gc.disable()
    try:
        y.backward()
        assert ref() is None
    finally:
        gc.enable()


def test_saved_values_kept_with_retain_graph_and_freed_after():
    x = ember.tensor(np.ones(1000), requires_grad=True)
    big = x.exp()
    ref = weakref.ref(big)
    y = (big * 2).exp().sum()
    del big
    gc.disable()
    try:
        y.backward(retain_graph=True)
        y.backward()
        np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * np.e * np.exp(2 * np.e))
        assert ref() is None
    finally:
        gc.enable()


# ----- more graph shapes and saved values ----------------------------------------------------
NAMED = [
    "x.add(2, alpha=3)",
    "x.sub(y, alpha=2)",
    "lib.mul(x, 2)",
    "x + lib.tensor(2.0, dtype=lib.float64)",
    "lib.tensor(2.0, dtype=lib.float64) * x",
    "x.mean()",
    "x.pow(3)",
    "x ** 2.0",
    "2 ** x",
    "x * x * 2",
    "x.norm(p=1)",
    "x.norm(dim=0)",
    "x.sum(dim=0, keepdim=True)",
    "2.0 * x.abs()",
    "x * True",
    "y / x",
    "y - x",
]


@pytest.mark.parametrize("expr", NAMED)
def test_more_next_functions_match_pytorch(expr):
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, [1.0, 2.0]) * 1
        y = lib.tensor([3.0, 4.0], dtype=lib.float64)
        got.append(_names(eval(expr, {"lib": lib, "x": x, "y": y}).grad_fn))
    assert got[0] == got[1]


def test_inference_tensor_saved_is_refused():
    for lib in (ember, torch):
        with lib.inference_mode():
            c = lib.tensor([1.0, 2.0], dtype=lib.float64)
        x = _leaf(lib, [1.0, 2.0])
        with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
            x * c
        with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
            c / x


def test_second_backward_through_a_shared_freed_subgraph():
    for lib in (ember, torch):
        x = _leaf(lib, V)
        a = x * x
        a.exp().sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            a.sin().sum().backward()


def test_checkpoint_on_a_chain():
    got = []
    for lib in (ember, torch):
        cp = lib.utils.checkpoint
        res = []
        for reentrant in (True, False):
            x = _leaf(lib, V)
            y = cp.checkpoint(lambda t: (t * 2).exp() * t, x * 1, use_reentrant=reentrant)
            (y * 3).sum().backward()
            res.append(x.grad)
        got.append(res)
    for a, b in zip(*got):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-13)


def test_backward_inside_a_hook():
    got = []
    for lib in (ember, torch):
        x = _leaf(lib, V)
        w = _leaf(lib, V)

        def h(g, lib=lib, w=w):
            with lib.enable_grad():  # backward runs hooks with grad mode off
                (w * 3).sum().backward()
            return g

        a = x * 2
        a.register_hook(h)
        (a * 5).sum().backward()
        got.append((x.grad, w.grad))
    for a, b in zip(*got):
        _same(a, b)


@pytest.mark.parametrize("case", ["pow2 input", "mul output", "norm output", "sum output"])
def test_zero_d_saved_value_modified_in_place(case):
    outcomes = []
    for lib in (ember, torch):
        x = _leaf(lib, 2.0)
        if case == "pow2 input":
            a = x * 1
            y = a**2
            a.add_(1)
        elif case == "mul output":
            a = (x * 1).exp()
            y = a * a
            a.add_(1)
        elif case == "norm output":
            a = (x * 1).norm()
            y = a * 3
            a.add_(1)
        else:
            y = x.sum()
            y.mul_(3)
        try:
            y.backward()
            outcomes.append(("ok", float(x.grad)))
        except RuntimeError as e:
            outcomes.append(("error", "modified by an inplace operation" in str(e)))
    assert outcomes[0] == outcomes[1]


def test_graph_report_of_an_inline_recorded_graph():
    from ember.autograd import graph

    x = ember.tensor(np.ones(100), requires_grad=True)
    w = ember.tensor(np.ones(100), requires_grad=True)
    f = ((x * 2).exp() * w).sum() ** 2 / 3 + x.norm()
    rows = {(n.name, len(n.saved)) for n in graph.report(f).nodes}
    # x * 2 saves nothing, exp its output, b * w both inputs, ** 2 its 0-d input, norm its
    # input and output
    assert ("ExpBackward0", 1) in rows
    assert ("MulBackward0", 2) in rows and ("MulBackward0", 0) in rows
    assert ("PowBackward0", 1) in rows
    assert ("LinalgVectorNormBackward0", 2) in rows
    assert graph.saved_bytes(f, include_leaves=False) == 816
    f.backward()
    assert graph.saved_bytes(f) == 0


def test_scalar_seed_is_fresh_each_backward():
    # backward() seeds with a copy of a kept array of ones: a leaf root adopting it as .grad
    # must not change the next seed.
    for lib in (ember, torch):
        x = _leaf(lib, 1.0)
        x.backward()
        x.grad.add_(5)
        y = _leaf(lib, 2.0)
        (y * 1).backward()
        z = _leaf(lib, 3.0)
        z.backward()
        assert (x.grad.item(), y.grad.item(), z.grad.item()) == (6.0, 1.0, 1.0)


def test_two_threads_backward_through_a_shared_zero_d_leaf():
    x = ember.tensor(1.0, dtype=ember.float64, requires_grad=True)
    n = 200
    errors = []

    def work(k):
        try:
            for _ in range(n):
                (x * k + x * x).backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(k,)) for k in (1.0, 2.0)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert x.grad.item() == n * (1.0 + 2.0) + 2 * n * 2.0


def test_zero_d_chain_frees_its_saved_values():
    x = ember.tensor(1.5, requires_grad=True)
    a = x * 2
    ref = weakref.ref(a)
    y = ((a * a) ** 2 / a).norm()
    del a
    gc.disable()
    try:
        y.backward()
        assert ref() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_zero_d_in_place_ops_write_into_the_storage(dtype):
    got = []
    for lib in (ember, torch):
        dt = getattr(lib, dtype)
        x = lib.tensor(1.5, dtype=dt)
        v = x.view(1)
        x += 2
        x.add_(1)
        x.mul_(2)
        x.div_(4)
        x.sub_(0.5)
        x.pow_(2)
        x **= 2
        x *= 3
        x -= 1
        x /= 2
        x.add_(lib.tensor(1.0, dtype=dt))
        x.mul_(lib.tensor(2.0, dtype=dt))
        y = lib.tensor(2.0, dtype=dt, requires_grad=True)
        a = y * 1
        a.mul_(3)
        a.add_(1)
        a.pow_(2)
        a.div_(2)
        a.backward()
        got.append((x, v, a, y.grad))
    for a, b in zip(*got):
        _same(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zero_d_out_arguments_write_into_the_storage(dtype):
    got = []
    for lib in (ember, torch):
        dt = getattr(lib, dtype)
        x = lib.tensor(-0.75, dtype=dt)
        res = []
        for f in (
            lambda o, lib=lib, x=x: lib.add(x, 2, out=o),
            lambda o, lib=lib, x=x: lib.sub(x, 2.5, out=o),
            lambda o, lib=lib, x=x: lib.mul(x, 3, out=o),
            lambda o, lib=lib, x=x: lib.div(x, 4, out=o),
            lambda o, lib=lib, x=x: lib.pow(x, 2, out=o),
            lambda o, lib=lib, x=x: lib.sum(x, 0, out=o),
        ):
            o = lib.zeros((), dtype=dt)
            v = o.view(1)
            f(o)
            res.append(v.clone())
        got.append(res)
    for a, b in zip(*got):
        _same(a, b)
