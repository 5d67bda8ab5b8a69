"""ember.func transforms against torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.func as ef
from ember.func import _vmap

torch = pytest.importorskip("torch")
tf = pytest.importorskip("torch.func")

X = np.array([0.3, -1.2, 2.0])
W = np.array([[0.5, 1.0, -0.7], [1.5, -0.2, 0.4]])


def _close(e, t):
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _close(a, b)
        return
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12)


def loss(lib, x, w):
    return ((w @ x).tanh() ** 2).sum() + (x.exp() * x).sum()


def vecfn(lib, x, w):
    return (w @ x).sigmoid() * x[:2]


def test_grad_argnums_and_has_aux():
    xe, we = ember.tensor(X), ember.tensor(W)
    xt, wt = torch.tensor(X), torch.tensor(W)
    _close(
        ef.grad(lambda x, w: loss(ember, x, w))(xe, we),
        tf.grad(lambda x, w: loss(torch, x, w))(xt, wt),
    )
    _close(
        ef.grad(lambda x, w: loss(ember, x, w), argnums=(0, 1))(xe, we),
        tf.grad(lambda x, w: loss(torch, x, w), argnums=(0, 1))(xt, wt),
    )
    ge, (ve, aux) = ef.grad_and_value(lambda x: (loss(ember, x, we), x * 2), has_aux=True)(xe)
    gt, (vt, auxt) = tf.grad_and_value(lambda x: (loss(torch, x, wt), x * 2), has_aux=True)(xt)
    _close((ge, ve, aux), (gt, vt, auxt))
    assert not ge.requires_grad and not ve.requires_grad and not aux.requires_grad


def test_grad_over_dict_and_functional_call():
    class Lin:
        def __init__(self):
            self._parameters = {"weight": ember.tensor(W, requires_grad=True)}

        def __getattr__(self, name):
            return self.__dict__["_parameters"][name]

        def __call__(self, x):
            return self.weight @ x

    m = Lin()
    params = {"weight": ember.tensor(W * 2)}
    out = ef.functional_call(m, params, (ember.tensor(X),))
    np.testing.assert_allclose(out.numpy(), (W * 2) @ X)
    assert m.weight is m._parameters["weight"] and np.allclose(m.weight.detach().numpy(), W)
    g = ef.grad(lambda p: ef.functional_call(m, p, (ember.tensor(X),)).sum())(params)
    np.testing.assert_allclose(g["weight"].numpy(), np.tile(X, (2, 1)))


def test_grad_errors():
    with pytest.raises(
        RuntimeError,
        match="Expected f\\(\\*args\\) to return a scalar Tensor, got tensor with 1 dims",
    ):
        ef.grad(lambda a: a * 2)(ember.tensor(X))
    with pytest.raises(RuntimeError, match="Got argnum=1, but only 1 positional inputs"):
        ef.grad(lambda a: a.sum(), argnums=1)(ember.tensor(X))


def test_nested_grad_is_second_derivative():
    g2 = ef.grad(ef.grad(lambda a: (a**3).sum()))(ember.tensor(2.0, dtype=ember.float64))
    assert g2.item() == pytest.approx(12.0)


def test_grad_keeps_outer_graph():
    x = ember.tensor(X, requires_grad=True)
    g = ef.grad(lambda a: (a**3).sum())(x)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * X)


def test_vjp_jvp():
    xe, xt = ember.tensor(X), torch.tensor(X)
    we, wt = ember.tensor(W), torch.tensor(W)
    oe, fe = ef.vjp(lambda x: vecfn(ember, x, we), xe)
    ot, ft = tf.vjp(lambda x: vecfn(torch, x, wt), xt)
    _close(oe, ot)
    _close(fe(ember.tensor([1.0, -2.0])), ft(torch.tensor([1.0, -2.0])))
    v = np.array([0.1, 0.2, -0.3])
    _close(
        ef.jvp(lambda x: vecfn(ember, x, we), (xe,), (ember.tensor(v),)),
        tf.jvp(lambda x: vecfn(torch, x, wt), (xt,), (torch.tensor(v),)),
    )
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        ef.jvp(lambda x: x, xe, xe)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobians(name):
    xe, xt = ember.tensor(X), torch.tensor(X)
    we, wt = ember.tensor(W), torch.tensor(W)
    _close(
        getattr(ef, name)(lambda x, w: vecfn(ember, x, w), argnums=(0, 1))(xe, we),
        getattr(tf, name)(lambda x, w: vecfn(torch, x, w), argnums=(0, 1))(xt, wt),
    )


def test_hessian():
    we, wt = ember.tensor(W), torch.tensor(W)
    _close(
        ef.hessian(lambda x: loss(ember, x, we))(ember.tensor(X)),
        tf.hessian(lambda x: loss(torch, x, wt))(torch.tensor(X)),
    )


# ----- vmap ----------------------------------------------------------------------------------
B = np.random.default_rng(0).standard_normal((4, 3))


def test_vmap_elementwise_runs_batched():
    f = lambda lib: lambda x, c: (x * c).exp() - x.tanh()  # noqa: E731
    c = np.array([0.5, -1.0, 2.0])
    out = ef.vmap(f(ember), in_dims=(0, None))(ember.tensor(B), ember.tensor(c))
    assert _vmap.last_strategy[0] == "batched"
    _close(out, tf.vmap(f(torch), in_dims=(0, None))(torch.tensor(B), torch.tensor(c)))


def _vmap_check(make, args, in_dims=0, strategy="batched", oracle=True):
    """ember's vmap equals torch.func.vmap (unless ``oracle`` is False: for functions
    torch's vmap refuses) and the per-example loop, via ``strategy``."""
    ea = [ember.tensor(a) if a is not None else None for a in args]
    ta = [torch.tensor(a) if a is not None else None for a in args]
    out = ef.vmap(make(ember), in_dims=in_dims)(*ea)
    if strategy is not None:
        assert _vmap.last_strategy[0] == strategy
    if oracle:
        _close(out, tf.vmap(make(torch), in_dims=in_dims)(*ta))
    dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
    n = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
    f = make(ember)
    loop = [f(*[e if d is None else e.select(d, i) for e, d in zip(ea, dims)]) for i in range(n)]
    if isinstance(loop[0], tuple):
        _close(out, tuple(ember.stack([r[k] for r in loop]) for k in range(len(loop[0]))))
    else:
        _close(out, ember.stack(loop))


C3 = np.random.default_rng(1).standard_normal((4, 2, 3))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lambda x: x.sum(0) + x.sum(-1, keepdim=True).exp(),
        lambda lib: lambda x: x.mean(1) - x.mean(),
        lambda lib: lambda x: x.amax(0) * x.sum(),
        lambda lib: lambda x: x.max(-1).values + x.max(0, keepdim=True)[0].sum(),
        lambda lib: lambda x: lib.softmax(x, 1) + lib.log_softmax(x, 0),
        lambda lib: lambda x: x.cumsum(1) / x.var(0).sum() + x.norm(dim=1, keepdim=True),
    ],
)
def test_vmap_reductions_run_batched(make):
    _vmap_check(make, [C3])


def test_vmap_matmul_family_runs_batched():
    _vmap_check(lambda lib: lambda x, w: w @ x, [B, W], in_dims=(0, None))
    _vmap_check(lambda lib: lambda x, w: x @ w.T, [B, W], in_dims=(0, None))
    _vmap_check(lambda lib: lambda x, w: w @ x.T, [C3, W], in_dims=(0, None))
    _vmap_check(
        lambda lib: lambda x, y: x.dot(y) + lib.mv(W.shape and y.outer(x), x).sum(),
        [B, B[::-1].copy()],
    )
    _vmap_check(lambda lib: lambda x, w: lib.mm(x, w) + x @ x.T, [C3, W.T.copy()], (0, None))
    # Per-example weights (both operands batched) and a batched bias.
    _vmap_check(
        lambda lib: lambda x, w, b: lib.nn.functional.linear(x, w, b),
        [C3, np.stack([W] * 4) * np.arange(1, 5)[:, None, None], B[:, :2].copy()],
    )
    _vmap_check(lambda lib: lambda x, w: lib.nn.functional.linear(x, w).tanh(), [C3, W], (0, None))


def test_vmap_shape_ops_and_indexing_run_batched():
    _vmap_check(lambda lib: lambda x: x.reshape(3, 2).transpose(0, 1) * x, [C3])
    _vmap_check(lambda lib: lambda x: x.flatten().unsqueeze(0).expand(2, 6).permute(1, 0), [C3])
    _vmap_check(lambda lib: lambda x: x[..., 1:] * x[:, None, 0].mT.sum(), [C3])
    _vmap_check(
        lambda lib: lambda x, c: lib.cat([x, c], 0) * lib.stack([c, c], 0).sum(0)[0],
        [C3, C3[0]],
        (0, None),
    )
    _vmap_check(lambda lib: lambda x: x.unbind(1)[0] + x.t().sum(0), [C3])


def test_vmap_detach_and_python_shapes_stay_per_example():
    # A sum hidden behind detach() is still per-example: detach keeps the batch dim.
    _vmap_check(lambda lib: lambda x: x * x.detach().sum(), [B])
    # Shapes read in Python are per-example shapes during the batched run too.
    _vmap_check(lambda lib: lambda x: x.reshape(x.shape[0] * x.shape[1]).sum(), [C3])
    _vmap_check(lambda lib: lambda x: x.new_zeros(x.shape[-1]) + x[0] * len(x), [C3])


def test_vmap_without_rule_falls_back_to_loop():
    _vmap_check(lambda lib: lambda x: x.flip(0) * x.sum(), [B], strategy="loop")
    strategy, reason = ef.last_vmap()
    assert strategy == "loop" and "no batching rule for Flip" in reason
    assert ember.vmap is ef.vmap  # torch.vmap is torch.func.vmap too
    # An index that differs per example has no rule (yet): the loop, same answer.
    _vmap_check(
        lambda lib: lambda x, i: x[i] + 1,
        [B, np.array([[2, 0], [1, 1], [0, 2], [2, 2]])],
        strategy="loop",
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lambda x: x[lib.tensor([1, 0, 1])] * 2,
        lambda lib: lambda x: x[:, lib.tensor([2, 1])].sum(0),
        lambda lib: lambda x: x[1, lib.tensor([0, 2])],
        lambda lib: lambda x: x[:, lib.tensor([True, False, True])],
        lambda lib: lambda x: x.reshape(3, 2, 1)[lib.tensor([0, 2]), 1:, 0],
        lambda lib: lambda x: x.t()[lib.tensor([[0, 1], [2, 2]])],
    ],
)
def test_vmap_advanced_indexing_with_a_shared_index_runs_batched(make):
    _vmap_check(make, [C3])


def _branchy(lib):
    def f(x):
        if x.sum() > 0:  # data-dependent control flow: each example takes its own branch
            return x * 2
        return -x

    return f


def test_vmap_value_reads_fall_back_to_the_loop_with_per_example_answers():
    rows = np.array([[1.0, 2.0], [-3.0, -1.0], [2.0, 2.0]])
    # PyTorch's vmap raises for all three; Ember loops and gives each example its answer.
    _vmap_check(_branchy, [rows], strategy="loop", oracle=False)
    assert "truth value" in _vmap.last_reason[0]
    _vmap_check(lambda lib: lambda x: x * x[0].item(), [rows], strategy="loop", oracle=False)
    _vmap_check(lambda lib: lambda x: x[x > 0].sum() + x, [rows], strategy="loop", oracle=False)


def test_vmap_guard_catches_values_read_behind_its_back():
    # A tensor built from raw values bypasses every op the mode can see; the stand-in
    # values it reads are NaN, so the last-example guard rejects the batched result.
    def sneaky(lib):
        def f(x):
            return x + lib.tensor(np.asarray(x._data if lib is ember else x).copy())

        return f

    rows = np.array([[1.0, 2.0], [-3.0, -1.0]])
    out = ef.vmap(sneaky(ember))(ember.tensor(rows))
    assert _vmap.last_strategy[0] == "loop"
    assert "differs from the last example" in _vmap.last_reason[0]
    _close(out, ember.tensor(rows * 2))


def test_vmap_custom_function_loops():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    out = ef.vmap(lambda x: Double.apply(x).sum())(ember.tensor(C3))
    assert _vmap.last_strategy[0] == "loop"
    assert "Double" in _vmap.last_reason[0]
    _close(out, ember.tensor(C3.sum((1, 2)) * 2))


def test_nested_vmap_batches_the_outer_level():
    f = lambda lib: lambda x, w: (x @ w.T).tanh().sum() * x[0]  # noqa: E731
    D4 = np.random.default_rng(5).standard_normal((2, 4, 3))
    out = ef.vmap(ef.vmap(f(ember), in_dims=(0, None)), in_dims=(0, None))(
        ember.tensor(D4), ember.tensor(W)
    )
    assert _vmap.last_strategy[0] == "batched"
    ref = tf.vmap(tf.vmap(f(torch), in_dims=(0, None)), in_dims=(0, None))(
        torch.tensor(D4), torch.tensor(W)
    )
    _close(out, ref)


def test_vmap_dims_and_errors():
    f = lambda lib: lambda x: x.exp() * 2  # noqa: E731
    _close(
        ef.vmap(f(ember), in_dims=1, out_dims=1)(ember.tensor(B)),
        tf.vmap(f(torch), in_dims=1, out_dims=1)(torch.tensor(B)),
    )
    with pytest.raises(
        ValueError,
        match="vmap: Expected all tensors to have the same size in "
        "the mapped dimension, got sizes \\[2, 3\\] for the mapped dimension",
    ):
        ef.vmap(lambda a, b: a + b)(ember.ones(2, 3), ember.ones(3, 3))
    with pytest.raises(ValueError, match="We cannot vmap over non-Tensor arguments"):
        ef.vmap(lambda a: a * 2)(3)


def test_vmap_of_grad_is_per_example_gradient():
    f = lambda lib: lambda x: (x**3).sum() * x[0]  # noqa: E731
    _close(ef.vmap(ef.grad(f(ember)))(ember.tensor(B)), tf.vmap(tf.grad(f(torch)))(torch.tensor(B)))
    assert _vmap.last_strategy[0] == "batched"
    g = lambda lib: lambda x, w: lib.softmax(w @ x, 0)[1]  # noqa: E731
    _vmap_check(
        lambda lib: (
            lib.func.grad(g(lib), argnums=(0, 1)) if lib is ember else tf.grad(g(lib), (0, 1))
        ),
        [B, W],
        (0, None),
    )


def test_per_sample_gradients_of_a_model_run_batched():
    """The per-sample-gradient recipe: vmap(grad(loss)) over functional_call of a model."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 5))
    Y = rng.integers(0, 3, 6)

    def per_sample(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3)).double()
        with lib.no_grad():
            for k, p in enumerate(model.parameters()):
                p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(p.shape) * (k + 1)))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            out = lib.func.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, y.unsqueeze(0))

        return lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(X), lib.tensor(Y)
        )

    ge = per_sample(ember)
    assert _vmap.last_strategy[0] == "batched"
    gt = per_sample(torch)
    assert set(ge) == set(gt)
    for k in ge:
        assert tuple(ge[k].shape) == (6,) + tuple(gt[k].shape[1:])
        _close(ge[k], gt[k])


def test_vmap_batched_result_is_differentiable():
    x = ember.tensor(C3, requires_grad=True)
    xt = torch.tensor(C3, requires_grad=True)
    ef.vmap(lambda a: (a.sum(0) * a[1]).softmax(0))(x).pow(2).sum().backward()
    assert _vmap.last_strategy[0] == "batched"
    tf.vmap(lambda a: (a.sum(0) * a[1]).softmax(0))(xt).pow(2).sum().backward()
    _close(x.grad, xt.grad)


def test_per_sample_gradients_of_a_cnn_run_batched():
    """Per-example kernels become one grouped convolution (groups inside the model too)."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((5, 1, 8, 8))
    Y = rng.integers(0, 3, 5)

    def per_sample(lib):
        nn = lib.nn
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 2, 3, groups=2),
            nn.Flatten(),
            nn.Linear(8, 3),
        ).double()
        with lib.no_grad():
            for k, p in enumerate(model.parameters()):
                p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(p.shape) * 0.3 * (k + 1)))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            out = lib.func.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, y.unsqueeze(0))

        return lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(X), lib.tensor(Y)
        )

    ge = per_sample(ember)
    assert ef.last_vmap() == ("batched", "")
    gt = per_sample(torch)
    for k in gt:
        _close(ge[k], gt[k])


def test_vmap_of_a_convolution_with_a_shared_kernel_runs_batched():
    w = np.random.default_rng(6).standard_normal((3, 2, 3, 3))
    xs = np.random.default_rng(7).standard_normal((4, 2, 6, 5))
    _vmap_check(
        lambda lib: (
            lambda x: lib.nn.functional.max_pool2d(
                lib.nn.functional.conv2d(x, lib.tensor(w), padding=1, stride=(1, 2)), 2
            )
        ),
        [xs],
    )
